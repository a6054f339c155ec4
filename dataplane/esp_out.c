/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Outbound ESP, tunnel mode (RFC 4303), optionally in UDP (RFC 3948): the
 * contract is esp.h.  Three passes over a burst: check and build every
 * packet (sequence number, headers, IV, padding, crypto op), one
 * esp_crypto_run() for the lot, then finish what needs the ciphertext
 * (the UDP checksum over IPv6).
 *
 * The outer IPv4 ID is the low 16 bits of the SA's sequence number: a
 * per-SA counter that is unique among the last 65536 packets of the
 * tunnel, which is what fragment reassembly needs.  The outer TOS / traffic
 * class and DF follow the tunnel's knobs (esp_knobs.h; by default DSCP and
 * ECN copied, RFC 4301 5.1.2.1 and RFC 6040 normal mode, DF clear), which
 * also clamp the MSS of TCP SYNs before encryption.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "dataplane/esp.h"
#include "dataplane/esp_knobs.h"
#include "dataplane/esp_pkt.h"

/* Per-packet scratch that must live until the crypto has run. */
struct esp_out_pkt {
	uint8_t aad[ESP_AAD_MAX];
};

/* What the inner packet is. */
struct esp_out_inner {
	uint32_t len;		/* IP packet bytes */
	uint16_t df;		/* IPv4's DF bit, set for IPv6 (network order) */
	uint8_t tos;		/* IPv4 TOS / IPv6 traffic class */
	uint8_t nh;		/* ESP next header: 4 or 41 */
};

/* Padding so that payload + trailer is a multiple of pad_align. */
static inline unsigned esp_out_pad(const struct esp_sa_rt *rt, unsigned inner_len)
{
	/* pad_align is 4 or 16: a mask, not two divisions per packet. */
	return (0u - (inner_len + ESP_TRAILER_LEN)) & (rt->pad_align - 1u);
}

/* esp_out_overhead(), inlined in this file's per-packet code. */
static inline unsigned esp_out_ovh(const struct esp_sa_rt *rt, unsigned inner_len)
{
	return rt->outer_len + ESP_HDR_LEN + rt->iv_len + esp_out_pad(rt, inner_len) +
	       ESP_TRAILER_LEN + rt->icv_len;
}

unsigned esp_out_overhead(const struct esp_sa_rt *rt, unsigned inner_len)
{
	return esp_out_ovh(rt, inner_len);
}

/* The inner packet after the Ethernet header; Ethernet padding beyond the
 * IP length is trimmed.  0 or -EINVAL. */
static int esp_out_parse(struct rte_mbuf *m, struct esp_out_inner *in)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t avail = m->data_len;
	uint16_t et;

	if (avail < RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr))
		return -EINVAL;
	avail -= RTE_ETHER_HDR_LEN;
	memcpy(&et, p + 12, sizeof(et));
	p += RTE_ETHER_HDR_LEN;
	if (et == RTE_BE16(RTE_ETHER_TYPE_IPV4) && (p[0] >> 4) == 4) {
		const struct rte_ipv4_hdr *ip = (const void *)p;

		in->len = rte_be_to_cpu_16(ip->total_length);
		in->tos = ip->type_of_service;
		in->df = ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
		in->nh = ESP_NH_IPV4;
		if (in->len < sizeof(*ip))
			return -EINVAL;
	} else if (et == RTE_BE16(RTE_ETHER_TYPE_IPV6) && (p[0] >> 4) == 6 &&
		   avail >= sizeof(struct rte_ipv6_hdr)) {
		const struct rte_ipv6_hdr *ip6 = (const void *)p;

		in->len = sizeof(*ip6) + rte_be_to_cpu_16(ip6->payload_len);
		in->tos = (uint8_t)(rte_be_to_cpu_32(ip6->vtc_flow) >> 20);
		in->df = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
		in->nh = ESP_NH_IPV6;
	} else {
		return -EINVAL;
	}
	if (in->len > avail)
		return -EINVAL;
	if (in->len < avail)
		rte_pktmbuf_trim(m, (uint16_t)(avail - in->len));
	return 0;
}

/* Why a stopped SA drops: its sequence space ran out, or its lifetime. */
static inline enum dp_drop esp_out_stopped(const struct esp_sa_rt *rt)
{
	bool esn = esp_flags(rt) & ESP_SA_F_ESN;
	bool spent = esn ? rt->seq == UINT64_MAX : rt->seq >= UINT32_MAX;

	return spent ? DP_DROP_drop_seq_overflow : DP_DROP_drop_lifetime;
}

/*
 * Everything that may refuse the packet, then its sequence number: once
 * this returns 0 the packet is committed (seq consumed, counted).
 * 0, or -1 with *why set.
 */
static int esp_out_admit(struct rte_mbuf *m, struct esp_sa_rt *rt, struct esp_out_inner *in,
			 uint64_t *seq, uint8_t *why)
{
	uint32_t flags = esp_flags(rt);
	unsigned head = rt->outer_len + ESP_HDR_LEN + rt->iv_len;

	*why = DP_DROP_drop_malformed;
	if (unlikely(m->nb_segs != 1) || unlikely(esp_out_parse(m, in) != 0))
		return -1;
	if (unlikely(flags & ESP_SA_F_STOPPED)) {
		*why = esp_out_stopped(rt);
		return -1;
	}
	if (unlikely(rte_pktmbuf_headroom(m) < head) ||
	    unlikely(rte_pktmbuf_tailroom(m) <
		     esp_out_pad(rt, in->len) + ESP_TRAILER_LEN + rt->icv_len) ||
	    unlikely(esp_out_ovh(rt, in->len) + in->len > UINT16_MAX))
		return -1;
	if (unlikely(!esp_life_ok(rt, in->len))) {
		*why = DP_DROP_drop_lifetime;
		return -1;
	}
	if (unlikely(esp_seq_next(&rt->seq, flags & ESP_SA_F_ESN, seq) != 0)) {
		esp_sa_stop(rt, DP_SA_EV_SEQ_OVERFLOW);
		*why = DP_DROP_drop_seq_overflow;
		return -1;
	}
	esp_life_count(rt, in->len);
	return 0;
}

/* Outer IP (+UDP) header at o; l4_len = bytes after the IP header; tos
 * and (IPv4) the fragment word df as the knobs made them. */
static void esp_out_outer(const struct esp_sa_rt *rt, uint8_t *o, uint32_t l4_len, uint8_t tos,
			  uint16_t df, uint64_t seq)
{
	unsigned ip_len;

	/* Constant sizes: inline moves, not a libc call per packet. */
	switch (rt->outer_len) {
	case sizeof(struct rte_ipv4_hdr):
		memcpy(o, rt->outer, sizeof(struct rte_ipv4_hdr));
		break;
	case sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr):
		memcpy(o, rt->outer, sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr));
		break;
	default:
		memcpy(o, rt->outer, rt->outer_len);
		break;
	}
	if (rt->flags & ESP_SA_F_OUTER6) {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)o;

		ip6->vtc_flow |= rte_cpu_to_be_32((uint32_t)tos << 20);
		ip6->payload_len = rte_cpu_to_be_16((uint16_t)l4_len);
		ip_len = sizeof(*ip6);
	} else {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)o;

		uint16_t tot = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + l4_len));
		uint16_t id = rte_cpu_to_be_16((uint16_t)seq);
		uint16_t tos_w = rte_cpu_to_be_16(tos);
		uint32_t sum = rt->outer4_sum + tos_w + tot + id + df;

		/* The checksum from the template's sum and the four words that
		 * change: reading back the header just written would stall on
		 * store forwarding (a third of this function's time at 1420 B). */
		ip->type_of_service = tos;
		ip->total_length = tot;
		ip->packet_id = id;
		ip->fragment_offset = df;	/* DF per the knob, never MF */
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		ip->hdr_checksum = (uint16_t)~sum;
		ip_len = sizeof(*ip);
	}
	if (rt->flags & ESP_SA_F_ENCAP) {
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)(o + ip_len);

		u->dst_port = __atomic_load_n(&rt->encap_dport_be, __ATOMIC_RELAXED);
		u->dgram_len = rte_cpu_to_be_16((uint16_t)l4_len);
		u->dgram_cksum = 0;	/* RFC 3948 2.1 over IPv4; IPv6: after encryption */
	}
}

/* Headers, IV, padding and trailer of an admitted packet; its crypto op. */
static void esp_out_build(struct esp_crypto_wk *cw, struct rte_mbuf *m, struct esp_sa_rt *rt,
			  const struct esp_out_inner *in, uint64_t seq, struct esp_out_pkt *pk,
			  struct esp_crypto_op *op)
{
	unsigned pad = esp_out_pad(rt, in->len);
	unsigned ct_len = in->len + pad + ESP_TRAILER_LEN;
	unsigned head = rt->outer_len + ESP_HDR_LEN + rt->iv_len;
	unsigned esp_len = ESP_HDR_LEN + rt->iv_len + ct_len + rt->icv_len;
	unsigned l3_len;
	bool esn = rt->flags & ESP_SA_F_ESN;
	uint8_t *tail, *p, *esp;
	uint32_t v;

	esp_knobs_out(rt, rte_pktmbuf_mtod_offset(m, uint8_t *, RTE_ETHER_HDR_LEN), in->len,
		      in->nh == ESP_NH_IPV6);
	tail = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(pad + ESP_TRAILER_LEN + rt->icv_len));
	for (unsigned i = 0; i < pad; i++)
		tail[i] = (uint8_t)(i + 1);
	tail[pad] = (uint8_t)pad;
	tail[pad + 1] = in->nh;
	/* The Ethernet slot stays in front: net, the data grows by head. */
	p = (uint8_t *)rte_pktmbuf_prepend(m, (uint16_t)head);
	esp = p + RTE_ETHER_HDR_LEN + rt->outer_len;
	l3_len = (rt->flags & ESP_SA_F_OUTER6) ? sizeof(struct rte_ipv6_hdr) :
						 sizeof(struct rte_ipv4_hdr);
	/* l2_len and l3_len in one store: two bitfield stores into the same
	 * word stall on store forwarding (the other offload lengths: none). */
	m->tx_offload = rte_mbuf_tx_offload(RTE_ETHER_HDR_LEN, l3_len, 0, 0, 0, 0, 0);
	esp_out_outer(rt, p + RTE_ETHER_HDR_LEN, rt->outer_len - l3_len + esp_len,
		      esp_knobs_tos(rt, in->tos), esp_knobs_df(rt, in->df), seq);
	memcpy(esp, &rt->spi_be, 4);
	v = rte_cpu_to_be_32((uint32_t)seq);
	memcpy(esp + 4, &v, 4);
	if (rt->keys.info->cipher == ESP_CIPHER_GCM) {
		/* GCM's explicit IV is the sequence number (esp_crypto_iv),
		 * written here without a call per packet. */
		uint64_t be = rte_cpu_to_be_64(seq);

		memcpy(esp + ESP_HDR_LEN, &be, sizeof(be));
	} else {
		esp_crypto_iv(cw, &rt->keys, seq, esp + ESP_HDR_LEN);
	}

	memset(op, 0, sizeof(*op));
	op->keys = &rt->keys;
	op->buf = esp;
	op->iv = esp + ESP_HDR_LEN;
	op->icv = esp + ESP_HDR_LEN + rt->iv_len + ct_len;
	op->cipher_off = ESP_HDR_LEN + rt->iv_len;
	op->cipher_len = ct_len;
	op->auth_off = 0;
	op->auth_len = ESP_HDR_LEN + rt->iv_len + ct_len;
	op->dir = ESP_DIR_OUT;
	if (rt->keys.info->cipher == ESP_CIPHER_GCM) {
		op->aad = pk->aad;
		op->aad_len = esp_gcm_aad(pk->aad, rt->spi_be, seq, esn);
	} else if (esn) {
		/* ICV over ... || seq_hi: in the ICV's room, overwritten by it. */
		v = rte_cpu_to_be_32((uint32_t)(seq >> 32));
		memcpy(op->icv, &v, ESP_ESN_HI_LEN);
		op->auth_len += ESP_ESN_HI_LEN;
	}
}

/* After encryption: the UDP checksum over IPv6 (RFC 768 / 8200 8.1). */
static void esp_out_finish(struct rte_mbuf *m, const struct esp_sa_rt *rt)
{
	struct rte_ipv6_hdr *ip6;
	struct rte_udp_hdr *u;

	if ((rt->flags & (ESP_SA_F_OUTER6 | ESP_SA_F_ENCAP)) !=
	    (ESP_SA_F_OUTER6 | ESP_SA_F_ENCAP))
		return;
	ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, RTE_ETHER_HDR_LEN);
	u = (struct rte_udp_hdr *)(ip6 + 1);
	u->dgram_cksum = 0;
	u->dgram_cksum = rte_ipv6_udptcp_cksum(ip6, u);
}

unsigned esp_out_burst(struct esp_crypto_wk *cw, struct rte_mbuf **pkts,
		       struct esp_sa_rt **sas, unsigned n, struct esp_result *res)
{
	struct esp_crypto_op ops[ESP_BURST_MAX];
	struct esp_crypto_done done[ESP_BURST_MAX];
	struct esp_out_pkt pk[ESP_BURST_MAX];
	unsigned nop = 0, ok = 0;

	n = RTE_MIN(n, (unsigned)ESP_BURST_MAX);
	/* The whole burst's SA lines in flight at once (cold with many SAs). */
	for (unsigned i = 0; i < n; i++)
		if (i == 0 || sas[i] != sas[i - 1])
			esp_sa_prefetch_rt(sas[i], false);
	for (unsigned i = 0; i < n; i++) {
		struct esp_out_inner in;
		uint64_t seq;

		res[i] = (struct esp_result){ .ok = false };
		if (esp_out_admit(pkts[i], sas[i], &in, &seq, &res[i].drop) != 0)
			continue;
		esp_out_build(cw, pkts[i], sas[i], &in, seq, &pk[i], &ops[nop]);
		ops[nop++].user_data = (void *)(uintptr_t)i;
	}
	if (nop == 0)
		return 0;
	nop = esp_crypto_run(cw, ops, nop, done);
	for (unsigned d = 0; d < nop; d++) {
		unsigned i = (unsigned)(uintptr_t)done[d].user_data;

		if (unlikely(done[d].status != 0)) {
			res[i].drop = DP_DROP_drop_malformed;
			continue;
		}
		esp_out_finish(pkts[i], sas[i]);
		res[i].ok = true;
		ok++;
	}
	return ok;
}
