/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CP_PUNT_H
#define GW_CP_PUNT_H

/*
 * Packets the workers punted, one ring per punt class (dp.h): drained by
 * the CP loop in class priority order and handed to ARP, ND, ICMP,
 * reassembly, the IKE transport or neighbour resolution by their punt
 * reason (m->hash.usr) and input port (m->port).  CP thread only.
 */

#include <stdint.h>

#include <rte_mbuf.h>

#include "dataplane/dp.h"

enum {
	CP_PUNT_BUDGET = 2 * DP_BURST,	/* per poll: neigh, ike, other each */
	CP_PUNT_IKE_NEW_BUDGET = DP_BURST / 2,	/* per poll: ike_new, served last */
};

struct tm_reply;

/* Handle one punted frame (data at the Ethernet header).  Consumes m. */
void cp_punt_handle(struct rte_mbuf *m);
/*
 * One poll: up to CP_PUNT_BUDGET packets of neigh, then of ike, then of
 * other, then up to CP_PUNT_IKE_NEW_BUDGET of ike_new, so that however
 * full ike_new's ring is, each poll serves the others first and spends a
 * bounded time on new IKE.  Returns how many packets it handled.
 */
unsigned cp_punt_poll(void);
/* Packets of class c handled by cp_punt_poll() since start. */
uint64_t cp_punt_handled(enum dp_punt_class c);
/* A whole datagram addressed to us (data at the IP header; reassembled or
 * not) from iface: to the IKE transport (UDP 500/4500) or ICMP; anything
 * else is counted (local_drop) and freed.  Consumes m. */
void cp_punt_local(struct rte_mbuf *m, unsigned iface);

/*
 * cp_punt_tm.c, the /ipsecgw/punt telemetry command (registered in
 * cp_tm_cmds.c): one flat dict, for C in neigh, ike, ike_new, other:
 * C_pps (configured, whole gateway), C_punted (enqueued by the workers),
 * C_policed, C_ring_full, C_handled (by the control plane), C_queued
 * (in the ring now); and ike_spis (our IKE SPIs published).
 */
int cp_punt_tm(const char *params, struct tm_reply *r);

#endif /* GW_CP_PUNT_H */
