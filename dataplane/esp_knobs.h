/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_ESP_KNOBS_H
#define GW_ESP_KNOBS_H

/*
 * Per-tunnel knobs on the ESP path (the keys are gw_sa.h's struct
 * gw_tunnel_knobs, their fast-path form esp_sa.h's struct esp_knobs):
 *
 *   tcp_mss   TCP SYN and SYN-ACK, both directions (before encryption,
 *             after decryption): an MSS option above it is lowered to it,
 *             the TCP checksum updated incrementally (RFC 1624 eqn. 3).
 *             Inner IPv4 (not a later fragment) and IPv6 whose first next
 *             header is TCP (no extension headers walked).
 *   mtu       OUT: an inner packet above it that may not be fragmented
 *             (IPv4 with DF, IPv6) is punted TOO_BIG with this MTU, which
 *             the control plane announces (ICMP fragmentation needed /
 *             ICMPv6 packet too big, cp_fwd.c); IPv4 without DF is
 *             encrypted whole, its outer packet fragmented if it exceeds
 *             the interface's MTU (as for the route's MTU).
 *   df        OUT, outer IPv4: clear (default), set, or copy from the inner
 *             IPv4 (set for inner IPv6, as Linux xfrm does).  With set, an
 *             outer packet above the route's MTU cannot be fragmented: one
 *             whose inner IPv4 has no DF is dropped (drop_frag), with no
 *             ICMP, as RFC 1191 sends none for a packet without DF.
 *   dscp/ecn  OUT: outer TOS = (inner & tos_keep) | tos_set: DSCP copied
 *             or fixed (RFC 4301 5.1.2.1, RFC 2983 pipe model: decapsulation
 *             leaves the inner DSCP alone); ECN copied (RFC 6040 4.1 normal
 *             mode) or Not-ECT (compatibility mode).
 *             IN: RFC 6040 4.2's table on the inner ECN field, whatever the
 *             mode: outer CE -> inner CE, or a drop (drop_ecn) when the
 *             inner is Not-ECT; outer ECT(1) over inner ECT(0) -> ECT(1).
 *   ttl_keep  ttl_decrement = false: the forwarding TTL step, taken by
 *             classification (dp_classify.c: once per forwarding, RFC 4301
 *             5.1.2.1 note 2, with ICMP time exceeded at TTL 1), is undone
 *             on the way out (+1) and made up for on the way in (+1 before
 *             the inner packet is routed; 255 stays 255).
 *
 * Counters (per lcore): tunnel_mss_clamped, tunnel_ce_marked,
 * tunnel_mtu_exceeded; drop_ecn per lcore and per SA.
 * Fast path: static inline or small functions, no locks, no syscalls; an
 * IPv4 header checksum changed here is updated incrementally.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "common/gw_sa.h"
#include "dataplane/dp.h"
#include "dataplane/dp_stats.h"
#include "dataplane/esp_sa.h"

/* ECN codepoints (RFC 3168 5). */
enum esp_ecn {
	ESP_ECN_NOT_ECT = 0,
	ESP_ECN_ECT1 = 1,
	ESP_ECN_ECT0 = 2,
	ESP_ECN_CE = 3,
};

enum {
	ESP_KNOBS_DSCP_MAX = 63,
	ESP_KNOBS_IPV4_DF = 0x40,	/* in the flags byte (offset 6) */
	ESP_KNOBS_IPV4_MF_OFF = 0x3f,	/* MF and the offset's high bits, byte 6 */
};

/* CP: the bounds of d's knobs; the first reason is logged.  0 or -EINVAL. */
int esp_knobs_validate(const struct gw_sa_desc *d);
/* CP: k from the configured knobs t (validated). */
void esp_knobs_init(struct esp_knobs *k, const struct gw_tunnel_knobs *t);

/*
 * Worker: lower the MSS option of a TCP SYN in the IP packet ip (len
 * bytes, IPv6 when v6) to mss when it is above; true when it did (the
 * TCP checksum updated, tunnel_mss_clamped counted).
 */
bool esp_knobs_mss_clamp(uint8_t *ip, uint32_t len, bool v6, uint16_t mss);

/*
 * A 16-bit ones'-complement checksum ck after a 16-bit word of the data
 * changes from old to new (RFC 1624 eqn. 3).  The sum does not depend on
 * byte order: all three as stored in the packet, or all in host order.
 */
static inline uint16_t esp_csum_adjust(uint16_t ck, uint16_t old, uint16_t new)
{
	uint32_t s = (uint32_t)(uint16_t)~ck + (uint16_t)~old + new;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* The IPv4 header at ip: byte i (even: its word i, i + 1) set to v, the
 * header checksum updated. */
static inline void esp_ip4_set_byte(uint8_t *ip, unsigned i, uint8_t v)
{
	unsigned w = i & ~1u;
	uint16_t old, new, ck;

	memcpy(&old, ip + w, 2);
	ip[i] = v;
	memcpy(&new, ip + w, 2);
	memcpy(&ck, ip + 10, 2);
	ck = esp_csum_adjust(ck, old, new);
	memcpy(ip + 10, &ck, 2);
}

/* The TTL / hop limit of ip plus one, at most 255. */
static inline void esp_knobs_ttl_inc(uint8_t *ip, bool v6)
{
	if (v6) {
		if (ip[7] != UINT8_MAX)
			ip[7]++;
	} else if (ip[8] != UINT8_MAX) {
		esp_ip4_set_byte(ip, 8, (uint8_t)(ip[8] + 1));
	}
}

/* OUT: the outer TOS / traffic class for an inner one. */
static inline uint8_t esp_knobs_tos(const struct esp_sa_rt *rt, uint8_t inner)
{
	return (uint8_t)((inner & rt->knobs.tos_keep) | rt->knobs.tos_set);
}

/* OUT: the outer IPv4 fragment word (network order) for an inner packet
 * whose DF is inner_df (network order; RTE_IPV4_HDR_DF_FLAG for IPv6). */
static inline uint16_t esp_knobs_df(const struct esp_sa_rt *rt, uint16_t inner_df)
{
	return (uint16_t)((inner_df & rt->knobs.df_keep) | rt->knobs.df_set);
}

/* OUT, on an admitted inner packet ip (len bytes) before encryption. */
static inline void esp_knobs_out(const struct esp_sa_rt *rt, uint8_t *ip, uint32_t len, bool v6)
{
	if (unlikely(rt->knobs.mss != 0))
		esp_knobs_mss_clamp(ip, len, v6, rt->knobs.mss);
	if (unlikely(rt->knobs.ttl_keep))
		esp_knobs_ttl_inc(ip, v6);
}

/* RFC 6040 4.2: the inner ECN field after decapsulation, or -1: drop. */
static inline int esp_ecn_decap(unsigned inner, unsigned outer)
{
	if (outer == ESP_ECN_CE)
		return inner == ESP_ECN_NOT_ECT ? -1 : ESP_ECN_CE;
	if (outer == ESP_ECN_ECT1 && inner == ESP_ECN_ECT0)
		return ESP_ECN_ECT1;
	return (int)inner;
}

/* IN: the outer ECN onto the inner packet ip.  0, or -1: drop (drop_ecn). */
static inline int esp_knobs_ecn_in(uint8_t *ip, bool v6, unsigned outer)
{
	unsigned inner = v6 ? (ip[1] >> 4) & 3u : ip[1] & 3u;
	int ecn = esp_ecn_decap(inner, outer);

	if (ecn < 0)
		return -1;
	if ((unsigned)ecn == inner)
		return 0;
	if (ecn == ESP_ECN_CE)
		dp_count(DP_C_tunnel_ce_marked, 1);
	if (v6)
		ip[1] = (uint8_t)((ip[1] & ~0x30u) | (unsigned)ecn << 4);
	else
		esp_ip4_set_byte(ip, 1, (uint8_t)((ip[1] & ~3u) | (unsigned)ecn));
	return 0;
}

/*
 * IN, on a decrypted inner packet ip (len bytes) of m, whose outer header
 * is still in front at the Ethernet slot's end: ECN, MSS, TTL.  0, or -1:
 * drop it (drop_ecn).
 */
static inline int esp_knobs_in(const struct esp_sa_rt *rt, const struct rte_mbuf *m, uint8_t *ip,
			       uint32_t len, bool v6)
{
	const uint8_t *o = rte_pktmbuf_mtod_offset(m, const uint8_t *, RTE_ETHER_HDR_LEN);
	unsigned outer = (rt->flags & ESP_SA_F_OUTER6) ? (o[1] >> 4) & 3u : o[1] & 3u;

	/* Not-ECT and ECT(0) outside change nothing inside. */
	if (unlikely(outer == ESP_ECN_CE || outer == ESP_ECN_ECT1) &&
	    esp_knobs_ecn_in(ip, v6, outer) != 0)
		return -1;
	if (unlikely(rt->knobs.mss != 0))
		esp_knobs_mss_clamp(ip, len, v6, rt->knobs.mss);
	if (unlikely(rt->knobs.ttl_keep))
		esp_knobs_ttl_inc(ip, v6);
	return 0;
}

/*
 * Worker, before encryption (dp_worker_esp.c, after the route's MTU
 * check): is the inner packet of m (len bytes after the Ethernet header)
 * above the tunnel's mtu and not to be fragmented (IPv4 with DF, IPv6)?
 * Then m is marked for a TOO_BIG punt announcing that mtu (dp.h),
 * tunnel_mtu_exceeded counted, and true returned: the caller punts m.
 */
static inline bool esp_knobs_too_big(const struct esp_sa_rt *rt, struct rte_mbuf *m, unsigned len)
{
	const uint8_t *ip;

	if (likely(rt->knobs.mtu == 0 || len <= rt->knobs.mtu))
		return false;
	ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, RTE_ETHER_HDR_LEN);
	if ((ip[0] >> 4) == 4 && (ip[6] & ESP_KNOBS_IPV4_DF) == 0)
		return false;
	m->hash.usr = DP_PUNT_TOO_BIG;
	m->hash.fdir.hi = rt->knobs.mtu;
	dp_count(DP_C_tunnel_mtu_exceeded, 1);
	return true;
}

#endif /* GW_ESP_KNOBS_H */
