/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CP_LINK_H
#define GW_CP_LINK_H

/*
 * Link state of the ports, and what follows from it (issue 9).
 *
 * Every CP_LINK_POLL_MS the control plane reads each port's link:
 * rte_eth_link_get_nowait(), or for a net_af_packet or net_tap port the
 * kernel's view of the interface under it (IFF_UP and IFF_RUNNING, i.e.
 * carrier, by SIOCGIFFLAGS): DPDK 22.11's af_packet PMD reports its link up
 * from the start of the port to its stop, whatever the wire does, and the
 * tap PMD reads "down" once its tap has moved to another namespace (there
 * the state is unknown and kept).  No
 * interrupt: the LSC callback runs on EAL's interrupt thread, and every
 * action below belongs to the CP thread.
 *
 * When a port's link goes down, for every interface on it (its VLAN
 * sub-interfaces too): a structured event (link_down iface= port= vlan=
 * routes_withdrawn= neighbors_flushed=), a log line, the counters
 * link_down, link_routes_withdrawn and link_neigh_flushed; every route
 * through the interface but its LOCAL ones (connected subnets, gateway
 * routes, defaults) leaves the forwarding table, so that traffic takes
 * another route if one covers it and is a no-route otherwise (punted,
 * ICMP unreachable); its learnt neighbours are flushed (static ones stay).
 * When the link comes back: the event link_up, the routes put back in
 * their order, a gratuitous ARP and unsolicited NA.  The first poll (the
 * first tick after start) takes a port found down as a change.
 *
 * CP thread only.
 */

#include <stdbool.h>
#include <stdint.h>

#include "common/gw_addr.h"

enum {
	CP_LINK_POLL_MS = 200,
};

struct tm_reply;

/* The periodic poll (from the CP tick; polls when CP_LINK_POLL_MS passed). */
void cp_link_tick(uint64_t now_ms);

/* Forget every state and the withdrawn routes (tests; a new data plane). */
void cp_link_reset(void);

/*
 * Apply link state up to every interface of port_id as a poll would
 * (tests, and the poll itself).  Returns the number of interfaces whose
 * state changed.
 */
unsigned cp_link_apply(uint16_t port_id, bool up, uint64_t now_ms);

/*
 * How the poll reads a port's link: 0 with *up set, or -errno (the port
 * is then left as it was).  Tests replace it; NULL restores the real one.
 */
typedef int (*cp_link_probe_fn)(uint16_t port_id, bool *up);
void cp_link_set_probe(cp_link_probe_fn fn);

/* The link of iface as the gateway last saw it (true before any poll). */
bool cp_link_iface_up(unsigned iface);

/*
 * A withdrawn route that the configuration no longer has (live reload):
 * it is not put back when its link comes up.  0 or -ENOENT.
 */
int cp_link_route_forget(const struct gw_prefix *pfx);

/* Routes withdrawn from iface and waiting for its link. */
unsigned cp_link_withdrawn(unsigned iface);

/* /ipsecgw/interface: link, link_changes, link_change_age_s,
 * routes_withdrawn of iface. */
void cp_link_tm_add(struct tm_reply *r, unsigned iface);

#endif /* GW_CP_LINK_H */
