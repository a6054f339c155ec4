/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CP_FWD_H
#define GW_CP_FWD_H

/*
 * Transit packets a worker could not finish: the next hop is not resolved
 * (NEIGH_MISS: the packet waits in cp_neigh's queue while ARP/ND runs) or
 * the packet exceeds the outgoing MTU (TOO_BIG: IPv4 without DF is
 * fragmented, IPv4 with DF gets "fragmentation needed", IPv6 gets "packet
 * too big").  The worker punts these before its TTL step, so the TTL /
 * hop limit is decremented here.  From the ESP stages (m->hash.fdir.hi,
 * see dp.h): TOO_BIG with an MTU (the packet was to be encrypted: ICMP
 * error with that MTU, never forwarded) and NEIGH_MISS of an encrypted
 * outer packet (sent as it is).  CP thread only.
 */

#include <rte_mbuf.h>

/* m: data at the IP header, as the worker left it, from iface.  Both
 * reasons take one path: route, MTU, neighbour.  Consumes m. */
void cp_fwd_input(struct rte_mbuf *m, unsigned iface);

#endif /* GW_CP_FWD_H */
