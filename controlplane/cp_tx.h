/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CP_TX_H
#define GW_CP_TX_H

/*
 * Sending from the control plane.  CP thread only.
 *
 * cp_tx_l2() sends a complete frame on an interface.
 * cp_tx_ip() takes an mbuf whose data starts at the IP header (with
 * RTE_ETHER_HDR_LEN of headroom), looks up the route for the destination,
 * resolves the next hop through cp_neigh (queueing the packet while ARP/ND
 * runs), prepends Ethernet and sends.  Both take ownership of m always.
 */

#include <rte_mbuf.h>

#include "common/gw_addr.h"

/* 0 or -errno; m is consumed either way. */
int cp_tx_l2(unsigned iface, struct rte_mbuf *m);
/* 0 (sent or queued) or -errno (-ENETUNREACH, -ENOBUFS); m is consumed. */
int cp_tx_ip(struct rte_mbuf *m);
/* A fresh mbuf from the data-plane pool with room for L2, or NULL. */
struct rte_mbuf *cp_tx_alloc(void);

/* Our source address for a destination: the first address on the
 * outgoing interface with the same family.  0 or -ENETUNREACH. */
int cp_tx_pick_src(const struct gw_addr *dst, struct gw_addr *src, unsigned *iface);

#endif /* GW_CP_TX_H */
