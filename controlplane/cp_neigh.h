/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CP_NEIGH_H
#define GW_CP_NEIGH_H

/*
 * Neighbour resolution (ARP for IPv4, ND for IPv6) as the control plane
 * owns it: state per (iface, address), a bounded queue of packets waiting
 * for each unresolved neighbour, retries, ageing, static entries from the
 * configuration.  The result is published to workers with dp_neigh_set().
 * CP thread only.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "common/gw_addr.h"

enum {
	CP_NEIGH_MAX = 1024,
	CP_NEIGH_QUEUE_LEN = 16,	/* packets held per unresolved neighbour;
					 * DP_NEIGH_QUEUE_MBUFS over all of them */
	CP_NEIGH_RETRIES = 3,
	CP_NEIGH_RETRY_MS = 1000,
	CP_NEIGH_REACHABLE_S = 300,	/* refresh dynamic entries after this */
};

/* Resolution states, with the names telemetry shows. */
#define CP_NEIGH_STATES(X) \
	X(INCOMPLETE, "incomplete")	/* resolving; packets queue */ \
	X(REACHABLE, "reachable")	/* confirmed within CP_NEIGH_REACHABLE_S */ \
	X(STALE, "stale")		/* still used, being re-confirmed */ \
	X(STATIC, "static")		/* from the configuration; never ages */

enum cp_neigh_state {
#define X(n, s) CP_NEIGH_##n,
	CP_NEIGH_STATES(X)
#undef X
};

struct cp_neigh_info {
	unsigned iface;
	struct gw_addr addr;
	struct rte_ether_addr mac;
	enum cp_neigh_state state;
	uint64_t age_ms;		/* since last confirmation */
	unsigned queued;
};

/* Empty the table (start, tests).  Returns 0. */
int cp_neigh_init(void);
/* Free every queued packet and forget every entry (the data plane's
 * published copies go with dp_fini()). */
void cp_neigh_fini(void);
/* Static entry from the configuration.  0, -ENOSPC or -EINVAL. */
int cp_neigh_add_static(unsigned iface, const struct gw_addr *ip, const struct rte_ether_addr *mac);
/* A mapping learnt from ARP/ND: create or update, publish, flush the
 * queue.  Static entries are never overwritten.  A full table is counted
 * (neigh_table_full) and the mapping ignored. */
void cp_neigh_learn(unsigned iface, const struct gw_addr *ip, const struct rte_ether_addr *mac);
/* The same for an entry that already exists only (RFC 826 "merge",
 * unsolicited NA): 0, or -ENOENT when there is none. */
int cp_neigh_update(unsigned iface, const struct gw_addr *ip, const struct rte_ether_addr *mac);
/*
 * Send m (data at the IP header) to next hop ip on iface: prepend
 * Ethernet when resolved, else queue it and start resolution (bounded,
 * drops counted).  Takes ownership of m.
 */
int cp_neigh_output(unsigned iface, const struct gw_addr *ip, struct rte_mbuf *m);
/*
 * Periodic work: retries, ageing, expired queues (ICMP host unreachable).
 * now_ms is a monotonic clock in milliseconds; it is also the table's
 * clock for entries created between ticks.
 */
void cp_neigh_tick(uint64_t now_ms);
/* Forget every learnt entry of iface (its link went down): unpublished,
 * queued packets dropped (neigh_unresolved); static entries stay.
 * Returns how many were removed. */
unsigned cp_neigh_flush_iface(unsigned iface);
/* Enumerate for telemetry: entries in creation order (a deletion shifts
 * later ones down by one); idx < count.  cp_neigh_get: 0 or -ENOENT. */
unsigned cp_neigh_count(void);
int cp_neigh_get(unsigned idx, struct cp_neigh_info *out);
/* Name of a state ("incomplete", "reachable", "stale", "static"). */
const char *cp_neigh_state_name(enum cp_neigh_state s);

#endif /* GW_CP_NEIGH_H */
