/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CP_TX_H
#define GW_CP_TX_H

/*
 * Sending from the control plane.  CP thread only.
 *
 * cp_tx_l2() sends a complete frame on an interface (a chained mbuf is
 * copied into one segment first, so no PMD ever sees a chain from us).
 * cp_tx_ip() takes an mbuf whose data starts at the IP header (with
 * RTE_ETHER_HDR_LEN of headroom), looks up the route for the destination,
 * fragments it when it exceeds the outgoing MTU (IPv4 without DF, or IPv6
 * that we originate), resolves the next hop through cp_neigh (queueing the
 * packet while ARP/ND runs), prepends Ethernet and sends.  Both take
 * ownership of m always; failures are counted (tx_fail).
 */

#include <rte_mbuf.h>

#include "common/gw_addr.h"

/* 0 or -errno; m is consumed either way. */
int cp_tx_l2(unsigned iface, struct rte_mbuf *m);
/* 0 (sent or queued) or -errno (-ENETUNREACH, -ENOBUFS, -EMSGSIZE for
 * IPv4 with DF larger than the MTU, -EINVAL); m is consumed. */
int cp_tx_ip(struct rte_mbuf *m);
/* As cp_tx_ip(); ll_iface (>= 0) is the interface for an IPv6 link-local
 * destination, which no route covers (-1: none, such a send fails). */
int cp_tx_ip_on(struct rte_mbuf *m, int ll_iface);
/* A fresh mbuf from the data-plane pool with room for L2, or NULL. */
struct rte_mbuf *cp_tx_alloc(void);
/* Append len bytes at the end of m, chaining new segments as needed.
 * 0, -ENOMEM or -EMSGSIZE (segment limit); m keeps what was added. */
int cp_tx_append(struct rte_mbuf *m, const void *data, size_t len);

/*
 * Our source address for a destination: on the outgoing interface (by
 * route), the first address of the same family whose subnet holds the next
 * hop, else the first of that family; for IPv6 link-local destinations or
 * an interface without a global IPv6 address, its link-local address.
 * 0 or -ENETUNREACH.
 */
int cp_tx_pick_src(const struct gw_addr *dst, struct gw_addr *src, unsigned *iface);
/* The same choice on a known interface.  0 or -EADDRNOTAVAIL. */
int cp_tx_src_on(unsigned iface, const struct gw_addr *nexthop, struct gw_addr *src);
/* IP MTU of an interface (the device MTU; 1500 when unknown). */
uint16_t cp_tx_mtu(unsigned iface);

#endif /* GW_CP_TX_H */
