/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_DP_NEIGH_H
#define GW_DP_NEIGH_H

/*
 * The neighbour table the workers read: (iface, IP) -> MAC, in an rte_hash
 * with RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF.  A MAC change is published by
 * one atomic 64-bit store; a delete unpublishes the key and frees its slot
 * (rte_hash_free_key_with_position) after an RCU grace period, through the
 * defer queue reclaimed by dp_reclaim().
 *
 * dp_neigh_set() of a new key and dp_neigh_del() also bind and unbind the
 * GATEWAY next hops that cache the entry's slot (dp_fib.h).
 *
 * The control plane owns resolution (ARP, ND, queues, ageing); this is only
 * the published result.  Writers: CP only.  Readers: any thread, lock-free.
 * DP_NEIGH_MAX entries fit, counting deleted ones until their slot is
 * reclaimed.  iface must be below dp_nb_ifaces().
 */

#include <stdint.h>

#include <rte_ether.h>

#include "common/gw_addr.h"

enum { DP_NEIGH_MAX = 4096 };

/* CP.  Create or update.  0, -ENOSPC or -EINVAL. */
int dp_neigh_set(unsigned iface, const struct gw_addr *ip, const struct rte_ether_addr *mac);
/* CP.  0 or -ENOENT. */
int dp_neigh_del(unsigned iface, const struct gw_addr *ip);
/* Any thread.  0 and *mac filled, or -ENOENT. */
int dp_neigh_lookup(unsigned iface, const struct gw_addr *ip, struct rte_ether_addr *mac);
unsigned dp_neigh_count(void);

/* Called by dp_init()/dp_fini(). */
int dp_neigh_init(void);
void dp_neigh_fini(void);

/*
 * CP: free the slots of deleted entries whose grace period has passed
 * (called by dp_reclaim(); dp_neigh_set() also tries it when the table is
 * full).  Returns how many slots are still waiting.
 */
unsigned dp_neigh_reclaim(void);
/* CP: slots of deleted entries waiting for a grace period. */
unsigned dp_neigh_deferred(void);

#endif /* GW_DP_NEIGH_H */
