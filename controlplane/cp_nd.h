/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CP_ND_H
#define GW_CP_ND_H

/*
 * IPv6 neighbour discovery (RFC 4861) for the gateway's addresses, the
 * configured ones and each port's link-local: NS for them is answered with
 * a solicited NA carrying our MAC; the NS source link-layer option and the
 * NA target link-layer option feed cp_neigh; NS for resolution go to the
 * solicited-node multicast group; an unsolicited NA per address goes to
 * ff02::1 at start.  Packets must have hop limit 255 and a valid ICMPv6
 * checksum.  CP thread only.
 */

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "common/gw_addr.h"

/* A punted ND frame (data at the Ethernet header) on iface.  Consumes m. */
void cp_nd_input(struct rte_mbuf *m, unsigned iface);
/* Solicit target on iface: to its solicited-node group, or unicast to
 * *dst (refresh).  0 or -errno. */
int cp_nd_solicit(unsigned iface, const struct gw_addr *target, const struct rte_ether_addr *dst);
/* Unsolicited NA to ff02::1 for every IPv6 address of iface (link-local
 * included).  Number sent or -errno. */
int cp_nd_announce(unsigned iface);

#endif /* GW_CP_ND_H */
