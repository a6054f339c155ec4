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

#endif /* GW_CP_PUNT_H */
