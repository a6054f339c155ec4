/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_DP_ROUTE_H
#define GW_DP_ROUTE_H

/*
 * The forwarding table: IPv4 in rte_lpm with its RCU defer queue
 * (rte_lpm_rcu_qsbr_add), IPv6 in an rte_lpm6 that is rebuilt aside on every
 * change and swapped by pointer, the old one freed after a grace period
 * (rte_lpm6 reuses groups at once on delete, so it cannot be edited live).
 * The LPM result is an index into a next-hop array; a GATEWAY next hop
 * also caches its gateway's neighbour slot for the workers (dp_fib.h).
 *
 * Writers: CP only (single writer).  Readers: workers, lock-free, and the CP.
 * A /32 or /128 of each interface address is installed as DP_NH_LOCAL.
 *
 * Host bits of a prefix are ignored (the prefix is masked).  A default
 * route (/0), which rte_lpm and rte_lpm6 cannot hold, is kept beside them
 * and answers when the table has no match.  A next-hop slot and an old
 * IPv6 table are freed only after a grace period (dp_reclaim()); an IPv6
 * change made while the previous old table is still waiting first waits
 * for the workers' next quiescent state (rte_rcu_qsbr_synchronize, a few
 * microseconds while they run), so at most two tables exist at once.
 * The CP thread must not itself be an online RCU reader when it changes
 * IPv6 routes.
 */

#include <stddef.h>
#include <stdint.h>

#include "common/gw_addr.h"

enum {
	DP_ROUTE_MAX = 8192,
	DP_NH_MAX = 8192,
};

/* Next-hop types, with the names logs and telemetry show.  0 is no type,
 * so that a zeroed next hop is never mistaken for a route. */
#define DP_NH_TYPES(X) \
	X(LOCAL, 1, "local")		/* addressed to the gateway: punt */ \
	X(CONNECTED, 2, "connected")	/* on-link: the destination is the neighbour */ \
	X(GATEWAY, 3, "gateway")	/* via a router: gw is the neighbour */

enum dp_nh_type {
#define X(n, v, s) DP_NH_##n = v,
	DP_NH_TYPES(X)
#undef X
};
/* Name of a next-hop type ("local", "connected", "gateway"), "?" otherwise. */
const char *dp_nh_type_name(enum dp_nh_type t);

struct dp_nexthop {
	uint8_t type;		/* enum dp_nh_type */
	uint16_t iface;
	struct gw_addr gw;	/* DP_NH_GATEWAY only */
};

/* CP.  0, -EEXIST (same prefix), -ENOSPC, -EINVAL or -ENOMEM. */
int dp_route_add(const struct gw_prefix *pfx, const struct dp_nexthop *nh);
/* CP.  0 or -ENOENT. */
int dp_route_del(const struct gw_prefix *pfx);
/* Any thread.  0 and *nh filled, or -ENOENT. */
int dp_route_lookup(const struct gw_addr *dst, struct dp_nexthop *nh);
/* CP: enumerate routes in insertion order; idx < dp_route_count(). */
unsigned dp_route_count(void);
int dp_route_get(unsigned idx, struct gw_prefix *pfx, struct dp_nexthop *nh);

/* Called by dp_init()/dp_fini(). */
int dp_route_init(void);
void dp_route_fini(void);

/*
 * CP: free next-hop slots and IPv6 tables whose grace period has passed
 * (called by dp_reclaim()).  Returns how many objects are still waiting.
 */
unsigned dp_route_reclaim(void);
/* CP: objects (next-hop slots, old IPv6 tables) waiting for a grace period. */
unsigned dp_route_deferred(void);
/* Bytes of EAL memory one IPv6 table takes (measured when the first was
 * made; 0 before dp_route_init()).  A rebuild needs this much free. */
size_t dp_route_lpm6_bytes(void);
/* Name of the IPv6 table now in use (tests: rte_lpm6_find_existing()). */
const char *dp_route_lpm6_name(void);

#endif /* GW_DP_ROUTE_H */
