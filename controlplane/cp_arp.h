/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CP_ARP_H
#define GW_CP_ARP_H

/*
 * ARP (RFC 826) for the gateway's IPv4 addresses: responder, learning,
 * resolver and gratuitous ARP (RFC 5227 announcement).  Replies carry the
 * port's own MAC.  CP thread only.
 */

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "common/gw_addr.h"

/*
 * A punted ARP frame (data at the Ethernet header) received on iface.
 * Requests for an address of iface get a reply; requests and replies
 * addressed to us teach the sender's mapping; others only refresh an
 * existing entry.  Consumes m; everything is counted.
 */
void cp_arp_input(struct rte_mbuf *m, unsigned iface);
/* Ask for target on iface: broadcast, or unicast to *dst when not NULL
 * (refresh).  0 or -errno (-EADDRNOTAVAIL: no IPv4 address on iface). */
int cp_arp_request(unsigned iface, const struct gw_addr *target, const struct rte_ether_addr *dst);
/* Gratuitous ARP for every IPv4 address of iface.  Number sent or -errno. */
int cp_arp_announce(unsigned iface);

#endif /* GW_CP_ARP_H */
