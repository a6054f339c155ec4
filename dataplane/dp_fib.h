/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_DP_FIB_H
#define GW_DP_FIB_H

/*
 * What the workers read of the route and neighbour tables, and the inline
 * readers the fast path uses (internal to dataplane/; the control plane
 * goes through dp_route.h and dp_neigh.h).  dp_route.c fills the route
 * fields, dp_neigh.c the neighbour field; every reader is lock-free and
 * holds what it read only until its next RCU quiescent state.
 *
 * A GATEWAY next hop caches the slot of its gateway's neighbour entry
 * (the entry's position in the neighbour hash), so that forwarding costs
 * one LPM lookup and two loads, no hash.  The single writer keeps the
 * cache right:
 *   - a next hop is made with the slot of its gateway when that neighbour
 *     exists (dp_route_add), DP_NEIGH_NONE otherwise;
 *   - a new neighbour key binds every GATEWAY next hop it is the gateway
 *     of (dp_neigh_set -> dp_route_neigh_bind), after its MAC is stored;
 *   - a deleted neighbour's slot is zeroed and every next hop holding it
 *     unbound (dp_neigh_del -> dp_route_neigh_unbind) before the slot
 *     enters the RCU defer queue, so the slot is reused only once no next
 *     hop holds it and no worker that read it earlier still runs;
 *   - a MAC change keeps the slot: one atomic 64-bit store.
 * So a cached slot gives the right MAC or zero, never another key's MAC.
 * On DP_NEIGH_NONE or zero the worker falls back to the hash lookup: the
 * cache saves work, it never changes an answer.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>
/* DPDK 22.11's rte_lpm.h has a VLA in rte_lpm_lookup_bulk_func(), which
 * we do not call; -Wvla stays on for our own code. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wvla"
#include <rte_lpm.h>
#pragma GCC diagnostic pop
#include <rte_lpm6.h>

#include "common/gw_addr.h"
#include "dataplane/dp_neigh.h"
#include "dataplane/dp_route.h"

enum {
	DP_FIB_NH_NONE = UINT32_MAX,	/* no next hop (no default route) */
	DP_NEIGH_NONE = UINT32_MAX,	/* no cached neighbour slot */
};

/* A neighbour slot: the MAC in the low 48 bits (byte i at bits 8i), this
 * bit set while the entry is published; 0 = none. */
#define DP_NEIGH_VALID (UINT64_C(1) << 63)

/* One next hop as workers read it: 32 bytes, two to a cache line. */
struct dp_fib_nh {
	struct dp_nexthop nh;		/* as added; fixed while published */
	uint32_t neigh;			/* atomic: GATEWAY: nh.gw's slot, or NONE */
	uint32_t pad;
};

struct dp_fib {
	/* dp_route.c */
	struct rte_lpm *lpm4;
	struct rte_lpm6 *lpm6;		/* atomic pointer */
	uint32_t def4, def6;		/* atomic: next hop of /0, or DP_FIB_NH_NONE */
	struct dp_fib_nh *nh;		/* DP_NH_MAX entries */
	/* dp_neigh.c */
	uint64_t *neigh;		/* DP_NEIGH_MAX slots */
} __rte_cache_aligned;

extern struct dp_fib dp_fib;

/* dp_neigh.c, CP: the slot of (iface, ip) if published, else DP_NEIGH_NONE. */
uint32_t dp_neigh_slot(unsigned iface, const struct gw_addr *ip);
/* dp_neigh.c, any thread: the slot word of (iface, ip) (hash lookup), or 0. */
uint64_t dp_neigh_word(unsigned iface, const struct gw_addr *ip);
/* dp_route.c, CP: cache slot in every GATEWAY next hop via (iface, ip). */
void dp_route_neigh_bind(unsigned iface, const struct gw_addr *ip, uint32_t slot);
/* dp_route.c, CP: drop slot from every next hop that caches it. */
void dp_route_neigh_unbind(uint32_t slot);

/* Any thread, tables created: the next hop of an IPv4 destination
 * (network order), or NULL. */
static inline const struct dp_fib_nh *dp_fib_lookup4(uint32_t dst_be)
{
	uint32_t idx;

	if (rte_lpm_lookup(dp_fib.lpm4, rte_be_to_cpu_32(dst_be), &idx) != 0)
		idx = __atomic_load_n(&dp_fib.def4, __ATOMIC_ACQUIRE);
	return idx == DP_FIB_NH_NONE ? NULL : &dp_fib.nh[idx];
}

/* Any thread, tables created: the next hop of an IPv6 destination, or NULL. */
static inline const struct dp_fib_nh *dp_fib_lookup6(const uint8_t *dst)
{
	const struct rte_lpm6 *t = __atomic_load_n(&dp_fib.lpm6, __ATOMIC_ACQUIRE);
	uint32_t idx;

	if (rte_lpm6_lookup(t, dst, &idx) != 0)
		idx = __atomic_load_n(&dp_fib.def6, __ATOMIC_ACQUIRE);
	return idx == DP_FIB_NH_NONE ? NULL : &dp_fib.nh[idx];
}

/*
 * Any thread: the slot word (MAC | DP_NEIGH_VALID) of the neighbour a
 * packet for dst goes to through next hop e, the gateway or (CONNECTED)
 * dst itself; 0 when it is not resolved.
 */
static inline uint64_t dp_fib_resolve(const struct dp_fib_nh *e, const struct gw_addr *dst)
{
	if (e->nh.type == DP_NH_GATEWAY) {
		uint32_t s = __atomic_load_n(&e->neigh, __ATOMIC_ACQUIRE);
		uint64_t v;

		if (likely(s != DP_NEIGH_NONE)) {
			v = __atomic_load_n(&dp_fib.neigh[s], __ATOMIC_ACQUIRE);
			if (likely(v & DP_NEIGH_VALID))
				return v;
		}
		return dp_neigh_word(e->nh.iface, &e->nh.gw);
	}
	return dp_neigh_word(e->nh.iface, dst);
}

/* Write the MAC of slot word v (valid) at dst, in whole stores: a MAC
 * unpacked byte by byte and then copied stalls on store forwarding. */
static inline void dp_fib_mac_store(uint64_t v, struct rte_ether_addr *dst)
{
	uint64_t le = rte_cpu_to_le_64(v);

	memcpy(dst->addr_bytes, &le, RTE_ETHER_ADDR_LEN);
}

#endif /* GW_DP_FIB_H */
