/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CP_IKE_XPORT_H
#define GW_CP_IKE_XPORT_H

/*
 * The IKE transport: UDP 500 and 4500 addressed to the gateway arrive here
 * as whole datagrams (IP fragments already reassembled), with the 4-byte
 * non-ESP marker stripped on 4500.  Sending adds the marker on 4500, picks
 * the interface by route and fragments IPv4 datagrams larger than the MTU.
 * IKEv1 and IKEv2 each register a handler; a datagram goes to one by its
 * header's major version (1: IKEv1, anything else: the IKEv2 handler,
 * which answers an unknown version).  CP thread only.
 */

#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "common/gw_addr.h"

struct ike_dgram {
	struct gw_addr src;
	struct gw_addr dst;
	uint16_t sport;
	uint16_t dport;
	unsigned iface;
	const uint8_t *data;	/* IKE header onwards; valid during the call */
	size_t len;
};

typedef void (*cp_ike_rx_fn)(const struct ike_dgram *d, void *arg);

void cp_ike_set_handler(cp_ike_rx_fn fn, void *arg);	/* IKEv2 */
void cp_ike_set_handler_v1(cp_ike_rx_fn fn, void *arg);
/* Deliver one punted UDP datagram (data at the IP header, possibly a
 * chained mbuf from reassembly).  Consumes m. */
void cp_ike_input(struct rte_mbuf *m, unsigned iface);
/* Send one IKE message.  0 or -errno. */
int cp_ike_send(const struct gw_addr *src, const struct gw_addr *dst,
		uint16_t sport, uint16_t dport, const void *data, size_t len);

#endif /* GW_CP_IKE_XPORT_H */
