/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_DP_CLASSIFY_H
#define GW_DP_CLASSIFY_H

/*
 * Per-packet decision on a worker: forward, punt to the control plane, or
 * drop with a counted reason.  Pure with respect to the packet's fate: it
 * never frees or sends; the caller acts on the verdict.  Lock-free reads of
 * the route and neighbour tables only.
 *
 * FORWARD: the frame is already rewritten (TTL / hop limit decremented,
 *          IPv4 checksum updated, Ethernet src/dst set); send it on
 *          res->out_iface.
 * PUNT:    res->reason (also stored in m->hash.usr) says why.
 * DROP:    res->counter says which drop counter to bump.
 * ESP_IN:  an ESP packet to one of our addresses (IP protocol 50, or UDP
 *          4500 that is neither IKE nor a keepalive) whose SPI is >= 256:
 *          res->esp is the SPI as on the wire, res->esp_off the ESP
 *          header's offset from the frame start; the outer IP header was
 *          validated and the Ethernet padding trimmed.  A reserved SPI
 *          (0..255) or a truncated ESP header is drop_malformed.
 * ESP_OUT: a transit packet that an outbound PROTECT policy of the SPD
 *          matched (looked up only while the SPD has rules): res->esp is
 *          the tunnel, res->on_demand its flag.  TTL / hop limit checked
 *          and decremented (IPv4 checksum updated); Ethernet untouched.
 *          The other policy verdicts are drops: DISCARD
 *          (drop_policy_discard), an inbound PROTECT match
 *          (drop_cleartext_protected); BYPASS and no match forward.
 *
 * Punts: m->hash.usr holds the reason and m->hash.fdir.hi is 0 (see dp.h
 * for the values the ESP stages put there).
 */

#include <stdint.h>

#include <rte_mbuf.h>

#include "common/gw_addr.h"
#include "dataplane/dp.h"
#include "dataplane/dp_stats.h"

enum dp_verdict {
	DP_V_FORWARD,
	DP_V_PUNT,
	DP_V_DROP,
	DP_V_ESP_IN,		/* ESP (or ESP in UDP 4500) to one of our addresses */
	DP_V_ESP_OUT,		/* transit packet of an outbound protect policy */
	DP_V_FRAG,		/* dp_classify_outer() only: fragment, then again */
};

struct dp_cls_result {
	enum dp_verdict verdict;
	unsigned out_iface;		/* FORWARD, FRAG */
	enum dp_punt_reason reason;	/* PUNT */
	enum dp_counter counter;	/* DROP */
	uint32_t esp;			/* ESP_IN: the SPI, network order; ESP_OUT: tunnel */
	uint16_t esp_off;		/* ESP_IN: the ESP header's offset in the frame */
	bool on_demand;			/* ESP_OUT: the policy raises acquires */
};

enum dp_verdict dp_classify(struct rte_mbuf *m, unsigned in_iface, struct dp_cls_result *res);
/* The same for n packets received on in_iface, the verdict of pkts[i] into
 * res[i] (the worker's loop: one call a burst, the next frame prefetched). */
void dp_classify_burst(struct rte_mbuf **pkts, unsigned n, unsigned in_iface,
		       struct dp_cls_result *res);

/*
 * A decrypted inner packet, behind a 14-byte Ethernet header slot, IPv6
 * when v6: validated (header, lengths, IPv4 checksum, martians) and
 * routed like a transit packet (TTL, route, neighbour, MTU; FORWARD with
 * the Ethernet header written, or PUNT, or DROP), with no SPD lookup and
 * no destination MAC check.  To one of our addresses: the local stage
 * (ICMP and IKE punted, ESP in ESP dropped: drop_local_proto).
 * m->port should be the outer packet's input port (for the punts).
 */
enum dp_verdict dp_classify_inner(struct rte_mbuf *m, bool v6, struct dp_cls_result *res);

/* The MTU of the interface the route to dst leaves by; 0 when there is no
 * route, or it is one of our addresses. */
unsigned dp_classify_route_mtu(const struct gw_addr *dst);

/*
 * An outer packet the gateway made (encrypted ESP), behind a 14-byte
 * Ethernet slot, to be routed to dst (its destination):
 *   FORWARD  fits, next hop resolved: Ethernet written, res->out_iface;
 *   FRAG     larger than the MTU of res->out_iface: the caller fragments
 *            it and routes each fragment again;
 *   PUNT     NEIGH_MISS with m->hash.fdir.hi = DP_PUNT_ORIGINATED: the
 *            control plane resolves the next hop and sends it as is;
 *   DROP     drop_no_route (no route, or the route is local).
 */
enum dp_verdict dp_classify_outer(struct rte_mbuf *m, const struct gw_addr *dst,
				  struct dp_cls_result *res);

#endif /* GW_DP_CLASSIFY_H */
