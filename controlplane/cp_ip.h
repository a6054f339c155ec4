/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CP_IP_H
#define GW_CP_IP_H

/*
 * IP header parsing and building for the control plane: one validator
 * (cp_ip_parse) that every local handler goes through, header builders for
 * what the CP originates, and the address classes the ICMP and ND rules
 * need.  CP thread only (the identification counters are plain globals).
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#include "common/gw_addr.h"

enum {
	CP_IP_TTL = 64,			/* TTL / hop limit of what we originate */
	CP_IP6_FRAG_HDR_LEN = 8,	/* RFC 8200 4.5 */
	CP_IP6_HDR_LEN = 40,
	CP_IP4_HDR_LEN = 20,
};

struct cp_ip {
	struct gw_addr src;
	struct gw_addr dst;
	uint8_t proto;		/* upper layer, after a v6 fragment header */
	uint8_t ttl;		/* TTL / hop limit */
	uint16_t l3_len;	/* IP header + options (v4) or + fragment header (v6) */
	uint32_t len;		/* whole datagram: header and payload */
	uint32_t frag_id;	/* v4 identification / v6 fragment identification */
	uint32_t frag_off;	/* in bytes */
	bool is_frag;		/* offset != 0 or more fragments */
	bool more_frags;
	bool df;		/* IPv4 don't fragment */
	bool has_fh;		/* IPv6 fragment header right after the fixed header */
};

/*
 * m's data starts at the IP header (contiguous in the first segment).
 * Validates version, header length and total length against the mbuf,
 * trims link-layer padding and fills *ip.  0 or -EINVAL.
 */
int cp_ip_parse(struct rte_mbuf *m, struct cp_ip *ip);

/*
 * Prepend an IPv4 or IPv6 header (by src->family) in front of m's data,
 * whose pkt_len is the payload.  IPv4: fresh identification, DF clear,
 * header checksum set.  0, -ENOBUFS (headroom) or -EMSGSIZE.
 */
int cp_ip_prepend(struct rte_mbuf *m, const struct gw_addr *src, const struct gw_addr *dst,
		  uint8_t proto, uint8_t ttl);
/* Next IPv4 identification / IPv6 fragment identification we originate. */
uint16_t cp_ip_next_id4(void);
uint32_t cp_ip_next_id6(void);

/* Addresses of an IP header into gw_addr form. */
void cp_ip4_addr(struct gw_addr *a, uint32_t be);
void cp_ip6_addr(struct gw_addr *a, const uint8_t v6[16]);

/* The interface that owns a (configured or link-local), or -1. */
int cp_ip_owner(const struct gw_addr *a);
/* Owned by the interface iface (configured or its link-local). */
bool cp_ip_is_ours_on(unsigned iface, const struct gw_addr *a);
/* 255.255.255.255, 224/4, a directed broadcast of one of our subnets, ff00::/8. */
bool cp_ip_is_bcast_mcast(const struct gw_addr *a);
/* No sane source: 0/8, 127/8, multicast, 240/4, ::, ::1, ff00::/8. */
bool cp_ip_is_bad_src(const struct gw_addr *a);
/* fe80::/10. */
bool cp_ip_is_v6_ll(const struct gw_addr *a);

#endif /* GW_CP_IP_H */
