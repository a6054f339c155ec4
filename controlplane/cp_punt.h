/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CP_PUNT_H
#define GW_CP_PUNT_H

/*
 * Packets the workers punted: dequeued in bursts by the CP loop and handed
 * to ARP, ND, ICMP, reassembly, the IKE transport or neighbour resolution
 * by their punt reason (m->hash.usr) and input port (m->port).
 * CP thread only.
 */

#include <rte_mbuf.h>

/* Handle one punted frame (data at the Ethernet header).  Consumes m. */
void cp_punt_handle(struct rte_mbuf *m);
/* Dequeue and handle up to one burst per call; returns how many. */
unsigned cp_punt_poll(void);
/* A whole datagram addressed to us (data at the IP header; reassembled or
 * not) from iface: to the IKE transport (UDP 500/4500) or ICMP; anything
 * else is counted (local_drop) and freed.  Consumes m. */
void cp_punt_local(struct rte_mbuf *m, unsigned iface);

#endif /* GW_CP_PUNT_H */
