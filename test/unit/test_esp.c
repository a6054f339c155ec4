/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit suite for dataplane/esp_out.c and esp_in.c: round trips for every
 * algorithm x inner IPv4/IPv6 x outer IPv4/IPv6 x UDP encapsulation x ESN
 * (crossing 2^32), with structural checks of the wire format; every drop
 * reason the transforms give (tampering, replay, padding, next header,
 * inner header, selectors, lifetimes, sequence overflow, truncation,
 * chained mbufs); SA events; a byte cross-check of AES-128-GCM against
 * OpenSSL EVP; no mbuf leaks; and cycles per packet.
 *
 * SAs are built with esp_sa_rt_init() into records of our own (not
 * published in the SA table); events go through the real table's ring
 * (dp_init()).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <CUnit/Basic.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "common/gw_proto.h"
#include "dataplane/dp.h"
#include "dataplane/dp_sa.h"
#include "dataplane/esp.h"
#include "dataplane/esp_pkt.h"
#include "test/unit/test_dp.h"

enum { PKT_MAX = 1500, SPI = 0x1001, TUNNEL = 7 };

static struct esp_crypto_wk *wk;
static uint32_t next_handle = 100;
static unsigned rnd_state = 4242;

/* ---- SAs ---- */

struct sa_opt {
	enum esp_alg alg;
	bool esn, encap, outer6;
	uint64_t soft_pkts, hard_pkts, soft_bytes, hard_bytes;
	bool no_ts;			/* no selectors: anything matches */
};

static void desc_ts(struct gw_sa_desc *d, bool ours)
{
	const char *a4 = "192.168.10.0/24", *a6 = "2001:db8:20::/64";
	const char *b4 = "172.16.1.0/24", *b6 = "2001:db8:30::/64";

	d->local_ts[0] = test_prefix(ours ? a4 : b4);
	d->local_ts[1] = test_prefix(ours ? a6 : b6);
	d->remote_ts[0] = test_prefix(ours ? b4 : a4);
	d->remote_ts[1] = test_prefix(ours ? b6 : a6);
	d->n_local_ts = d->n_remote_ts = 2;
}

/* OUT: our side (10.10.0.1 -> 10.10.0.2); IN: the peer's, with the same
 * SPI and keys, so that what one encrypts the other decrypts. */
static void desc_fill(struct gw_sa_desc *d, const struct sa_opt *o, uint8_t dir)
{
	bool out = dir == GW_SA_OUT;

	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "t%u", o->alg);
	d->tunnel = TUNNEL;
	d->spi = SPI;
	d->dir = dir;
	d->alg = (uint8_t)o->alg;
	d->esn = o->esn;
	d->encap = o->encap;
	d->encap_sport = d->encap_dport = GW_NATT_PORT;
	d->replay_window = 64;
	d->local = test_addr(o->outer6 ? (out ? "2001:db8:10::1" : "2001:db8:10::2") :
					 (out ? "10.10.0.1" : "10.10.0.2"));
	d->remote = test_addr(o->outer6 ? (out ? "2001:db8:10::2" : "2001:db8:10::1") :
					  (out ? "10.10.0.2" : "10.10.0.1"));
	d->enc_key_len = (uint8_t)gw_esp_enc_key_len(o->alg);
	d->auth_key_len = (uint8_t)gw_esp_auth_key_len(o->alg);
	for (unsigned i = 0; i < sizeof(d->enc_key); i++)
		d->enc_key[i] = (uint8_t)(i * 7 + o->alg + 1);
	for (unsigned i = 0; i < sizeof(d->auth_key); i++)
		d->auth_key[i] = (uint8_t)(i * 13 + o->alg + 3);
	d->life_soft_pkts = o->soft_pkts;
	d->life_hard_pkts = o->hard_pkts;
	d->life_soft_bytes = o->soft_bytes;
	d->life_hard_bytes = o->hard_bytes;
	if (!o->no_ts)
		desc_ts(d, out);
}

static struct esp_sa_rt *sa_new(const struct sa_opt *o, uint8_t dir)
{
	struct esp_sa_rt *rt = rte_zmalloc("test_sa", sizeof(*rt), RTE_CACHE_LINE_SIZE);
	struct gw_sa_desc d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(rt);
	desc_fill(&d, o, dir);
	CU_ASSERT_EQUAL_FATAL(esp_sa_rt_init(rt, &d, esp_crypto_wk_mgr(wk)), 0);
	gw_sa_desc_wipe(&d);
	rt->handle = next_handle++;
	rt->owner = 0;
	return rt;
}

static void sa_free(struct esp_sa_rt *rt)
{
	esp_sa_rt_wipe(rt);
	rte_free(rt);
}

/* ---- events ---- */

static void events_drain(void)
{
	struct dp_sa_event ev[64];

	while (dp_sa_events_dequeue(ev, RTE_DIM(ev)) != 0)
		;
}

/* Events of type for handle h since the last drain (drains). */
static unsigned events_count(enum dp_sa_event_type type, uint32_t h)
{
	struct dp_sa_event ev[64];
	unsigned n, c = 0;

	while ((n = dp_sa_events_dequeue(ev, RTE_DIM(ev))) != 0)
		for (unsigned i = 0; i < n; i++)
			if (ev[i].type == type && ev[i].handle == h && ev[i].tunnel == TUNNEL)
				c++;
	return c;
}

/* ---- packets ---- */

struct inner_opt {
	bool v6;
	unsigned len;			/* IP packet bytes */
	uint8_t tos;
	const char *src, *dst;		/* NULL: inside the selectors */
};

/* Ethernet + an inner IP packet; its IP bytes copied to copy (PKT_MAX). */
static struct rte_mbuf *pkt_inner(const struct inner_opt *o, uint8_t *copy)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp_mbuf_pool());
	struct gw_addr s, d;
	uint8_t *p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(RTE_ETHER_HDR_LEN + o->len));
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	memset(p, 0xee, 12);
	p[12] = o->v6 ? 0x86 : 0x08;
	p[13] = o->v6 ? 0xdd : 0x00;
	p += RTE_ETHER_HDR_LEN;
	for (unsigned i = 0; i < o->len; i++)
		p[i] = (uint8_t)rand_r(&rnd_state);
	s = test_addr(o->src ? o->src : o->v6 ? "2001:db8:20::5" : "192.168.10.5");
	d = test_addr(o->dst ? o->dst : o->v6 ? "2001:db8:30::9" : "172.16.1.9");
	if (!o->v6) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)p;

		CU_ASSERT_FATAL(o->len >= sizeof(*ip));
		ip->version_ihl = 0x45;
		ip->type_of_service = o->tos;
		ip->total_length = rte_cpu_to_be_16((uint16_t)o->len);
		ip->fragment_offset = 0;
		ip->time_to_live = 63;
		ip->next_proto_id = 17;
		ip->src_addr = s.v4;
		ip->dst_addr = d.v4;
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	} else {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)p;

		CU_ASSERT_FATAL(o->len >= sizeof(*ip6));
		ip6->vtc_flow = rte_cpu_to_be_32(6u << 28 | (uint32_t)o->tos << 20 | 0x12345);
		ip6->payload_len = rte_cpu_to_be_16((uint16_t)(o->len - sizeof(*ip6)));
		ip6->proto = 17;
		ip6->hop_limits = 63;
		memcpy(ip6->src_addr, s.v6, 16);
		memcpy(ip6->dst_addr, d.v6, 16);
	}
	if (copy != NULL)
		memcpy(copy, p, o->len);
	return m;
}

/* A copy of m's bytes in a new mbuf. */
static struct rte_mbuf *pkt_dup(const struct rte_mbuf *m)
{
	struct rte_mbuf *c = rte_pktmbuf_alloc(dp_mbuf_pool());
	void *p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	p = rte_pktmbuf_append(c, m->data_len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	memcpy(p, rte_pktmbuf_mtod(m, const void *), m->data_len);
	return c;
}

/* Where ESP starts in an outer frame, read from the packet itself. */
static uint16_t wire_esp_off(const struct rte_mbuf *m)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, RTE_ETHER_HDR_LEN);
	bool v6 = (ip[0] >> 4) == 6;
	uint8_t proto = v6 ? ip[6] : ip[9];
	unsigned off = RTE_ETHER_HDR_LEN + (v6 ? 40 : 20);

	return (uint16_t)(off + (proto == 17 ? 8 : 0));
}

/* The 32-bit sequence number on the wire. */
static uint32_t wire_seq(const struct rte_mbuf *m)
{
	uint32_t v;

	memcpy(&v, rte_pktmbuf_mtod_offset(m, const uint8_t *, wire_esp_off(m) + 4), 4);
	return rte_be_to_cpu_32(v);
}

static bool out1(struct esp_sa_rt *rt, struct rte_mbuf *m, uint8_t *drop)
{
	struct esp_result r;
	unsigned ok = esp_out_burst(wk, &m, &rt, 1, &r);

	CU_ASSERT_EQUAL(ok, r.ok ? 1u : 0u);
	*drop = r.drop;
	return r.ok;
}

static bool in1(struct esp_sa_rt *rt, struct rte_mbuf *m, uint8_t *drop)
{
	struct esp_result r;
	uint16_t off = wire_esp_off(m);
	unsigned ok = esp_in_burst(wk, &m, &rt, &off, 1, &r);

	CU_ASSERT_EQUAL(ok, r.ok ? 1u : 0u);
	*drop = r.drop;
	return r.ok;
}

/* One inbound packet expected to be dropped for why; frees it. */
static void in_drop(struct esp_sa_rt *rt, struct rte_mbuf *m, enum dp_drop why)
{
	uint8_t drop = 0xff;

	CU_ASSERT_FALSE(in1(rt, m, &drop));
	if (drop != why)
		fprintf(stderr, "\n  expected drop %s, got %s\n", dp_counter_name((enum dp_counter)why),
			drop < DP_DROP_MAX ? dp_counter_name((enum dp_counter)drop) : "?");
	CU_ASSERT_EQUAL(drop, why);
	rte_pktmbuf_free(m);
}

/* ---- structure of an outbound packet ---- */

static void check_outer(const struct rte_mbuf *m, const struct sa_opt *o, uint8_t tos)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, RTE_ETHER_HDR_LEN);
	unsigned ip_len = o->outer6 ? 40 : 20;
	unsigned wire = m->data_len - RTE_ETHER_HDR_LEN;

	CU_ASSERT_EQUAL(m->l2_len, RTE_ETHER_HDR_LEN);
	CU_ASSERT_EQUAL(m->l3_len, ip_len);
	if (!o->outer6) {
		const struct rte_ipv4_hdr *h = (const void *)ip;

		CU_ASSERT_EQUAL(h->version_ihl, 0x45);
		CU_ASSERT_EQUAL(rte_be_to_cpu_16(h->total_length), wire);
		CU_ASSERT_EQUAL(rte_raw_cksum(h, sizeof(*h)), 0xffff);	/* checksum valid */
		CU_ASSERT_EQUAL(h->fragment_offset, 0);			/* DF clear */
		CU_ASSERT_EQUAL(h->time_to_live, 64);
		CU_ASSERT_EQUAL(h->type_of_service, tos);
		CU_ASSERT_EQUAL(h->next_proto_id, o->encap ? 17 : 50);
		CU_ASSERT_EQUAL(h->src_addr, test_addr("10.10.0.1").v4);
		CU_ASSERT_EQUAL(h->dst_addr, test_addr("10.10.0.2").v4);
	} else {
		const struct rte_ipv6_hdr *h = (const void *)ip;

		CU_ASSERT_EQUAL(rte_be_to_cpu_32(h->vtc_flow), 6u << 28 | (uint32_t)tos << 20);
		CU_ASSERT_EQUAL(rte_be_to_cpu_16(h->payload_len), wire - 40);
		CU_ASSERT_EQUAL(h->hop_limits, 64);
		CU_ASSERT_EQUAL(h->proto, o->encap ? 17 : 50);
		CU_ASSERT_EQUAL(memcmp(h->dst_addr, test_addr("2001:db8:10::2").v6, 16), 0);
	}
	if (o->encap) {
		const struct rte_udp_hdr *u = (const void *)(ip + ip_len);

		CU_ASSERT_EQUAL(rte_be_to_cpu_16(u->src_port), 4500);
		CU_ASSERT_EQUAL(rte_be_to_cpu_16(u->dst_port), 4500);
		CU_ASSERT_EQUAL(rte_be_to_cpu_16(u->dgram_len), wire - ip_len);
		if (o->outer6) {
			CU_ASSERT_NOT_EQUAL(u->dgram_cksum, 0);
			CU_ASSERT_EQUAL(rte_ipv6_udptcp_cksum_verify((const void *)ip, u), 0);
		} else {
			CU_ASSERT_EQUAL(u->dgram_cksum, 0);	/* RFC 3948 2.1 */
		}
	}
}

/* ESP header, IV, lengths; with NULL encryption the trailer in clear. */
static void check_esp(const struct rte_mbuf *m, const struct esp_sa_rt *rt, uint64_t seq,
		      unsigned inner_len, bool v6)
{
	const struct esp_alg_info *ai = rt->keys.info;
	uint16_t off = wire_esp_off(m);
	const uint8_t *esp = rte_pktmbuf_mtod_offset(m, const uint8_t *, off);
	unsigned pad = (ai->pad_align - (inner_len + 2) % ai->pad_align) % ai->pad_align;
	unsigned ct = inner_len + pad + 2;
	uint32_t v;
	uint64_t iv;

	CU_ASSERT_EQUAL(off, RTE_ETHER_HDR_LEN + rt->outer_len);
	CU_ASSERT_EQUAL(memcmp(esp, &rt->spi_be, 4), 0);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(rt->spi_be), SPI);
	memcpy(&v, esp + 4, 4);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(v), (uint32_t)seq);
	CU_ASSERT_EQUAL(m->data_len, off + 8 + ai->iv_len + ct + ai->icv_len);
	CU_ASSERT_EQUAL(m->data_len, RTE_ETHER_HDR_LEN + inner_len + esp_out_overhead(rt, inner_len));
	CU_ASSERT_EQUAL(ct % ai->pad_align, 0);
	if (ai->cipher == ESP_CIPHER_GCM) {
		memcpy(&iv, esp + 8, 8);
		CU_ASSERT_EQUAL(rte_be_to_cpu_64(iv), seq);	/* RFC 4106 3.1 */
	}
	if (ai->cipher == ESP_CIPHER_NULL) {
		const uint8_t *t = esp + 8 + inner_len;

		for (unsigned i = 0; i < pad; i++)
			CU_ASSERT_EQUAL(t[i], i + 1);
		CU_ASSERT_EQUAL(t[pad], pad);
		CU_ASSERT_EQUAL(t[pad + 1], v6 ? 41 : 4);
	}
}

/* ---- the round-trip matrix ---- */

static const unsigned rt_sizes[] = { 20, 41, 64, 333, 1420 };

/* One combination: a burst of packets out, checked, and back in. */
static void round_trip(const struct sa_opt *o, bool v6)
{
	enum { N = RTE_DIM(rt_sizes) };
	struct esp_sa_rt *out = sa_new(o, GW_SA_OUT), *in = sa_new(o, GW_SA_IN);
	struct esp_sa_rt *so[N], *si[N];
	static uint8_t copy[N][PKT_MAX];
	struct rte_mbuf *m[N];
	struct esp_result r[N];
	uint16_t off[N];
	uint64_t seq0 = 0;

	if (o->esn) {
		/* Cross 2^32: the high bits enter the ICV from the second one. */
		seq0 = out->seq = 0xfffffffeull;
		CU_ASSERT_EQUAL(esp_replay_advance(&in->replay, 0xfffffff0ull), 0);
	}
	for (unsigned i = 0; i < N; i++) {
		struct inner_opt io = { .v6 = v6, .len = rt_sizes[i] + (v6 ? 20 : 0),
					.tos = (uint8_t)(0xb8 | i % 4) };

		m[i] = pkt_inner(&io, copy[i]);
		so[i] = out;
		si[i] = in;
	}
	CU_ASSERT_EQUAL(esp_out_burst(wk, m, so, N, r), N);
	for (unsigned i = 0; i < N; i++) {
		unsigned len = rt_sizes[i] + (v6 ? 20 : 0);

		CU_ASSERT_FATAL(r[i].ok);
		check_outer(m[i], o, (uint8_t)(0xb8 | i % 4));
		check_esp(m[i], out, seq0 + i + 1, len, v6);
		off[i] = wire_esp_off(m[i]);
	}
	CU_ASSERT_EQUAL(out->seq, seq0 + N);
	CU_ASSERT_EQUAL(out->st.pkts, N);
	CU_ASSERT_EQUAL(esp_in_burst(wk, m, si, off, N, r), N);
	for (unsigned i = 0; i < N; i++) {
		unsigned len = rt_sizes[i] + (v6 ? 20 : 0);

		CU_ASSERT(r[i].ok);
		CU_ASSERT_EQUAL(r[i].inner_v6, v6);
		CU_ASSERT_EQUAL(m[i]->data_len, RTE_ETHER_HDR_LEN + len);
		CU_ASSERT_EQUAL(m[i]->l2_len, RTE_ETHER_HDR_LEN);
		CU_ASSERT_EQUAL(m[i]->l3_len, v6 ? 40 : 20);
		CU_ASSERT_EQUAL(memcmp(rte_pktmbuf_mtod_offset(m[i], void *, RTE_ETHER_HDR_LEN),
				       copy[i], len), 0);
		rte_pktmbuf_free(m[i]);
	}
	CU_ASSERT_EQUAL(in->replay.top, seq0 + N);
	CU_ASSERT_EQUAL(in->st.pkts, N);
	sa_free(out);
	sa_free(in);
}

static void test_round_trip_matrix(void)
{
	unsigned combos = 0;

	for (unsigned a = 0; a < ESP_ALG_COUNT; a++)
		for (unsigned k = 0; k < 16; k++) {
			struct sa_opt o = { .alg = (enum esp_alg)a, .outer6 = k & 1,
					    .encap = k & 2, .esn = k & 4 };

			round_trip(&o, k & 8);
			combos++;
		}
	CU_ASSERT_EQUAL(combos, ESP_ALG_COUNT * 16u);
	test_dp_no_mbuf_leak();
}

/* ---- tampering, replay ---- */

static void tamper_one(enum esp_alg alg, bool esn)
{
	struct sa_opt o = { .alg = alg, .esn = esn };
	struct esp_sa_rt *out = sa_new(&o, GW_SA_OUT), *in = sa_new(&o, GW_SA_IN);
	struct inner_opt io = { .len = 100 };
	struct rte_mbuf *m = pkt_inner(&io, NULL), *bad, *dup;
	uint8_t drop;
	uint64_t top;

	CU_ASSERT_FATAL(out1(out, m, &drop));
	/* Every region the ICV covers: SPI, seq, IV, payload, ICV itself. */
	for (unsigned at = wire_esp_off(m); at < m->data_len; at += 7) {
		bad = pkt_dup(m);
		rte_pktmbuf_mtod(bad, uint8_t *)[at] ^= 0x10;
		top = in->replay.top;
		in_drop(in, bad, DP_DROP_drop_icv);
		CU_ASSERT_EQUAL(in->replay.top, top);	/* a forgery never moves the window */
	}
	dup = pkt_dup(m);
	CU_ASSERT(in1(in, m, &drop));		/* the genuine one, same seq, still accepted */
	CU_ASSERT_EQUAL(in->replay.top, out->seq);
	in_drop(in, dup, DP_DROP_drop_replay);
	rte_pktmbuf_free(m);
	sa_free(out);
	sa_free(in);
}

static void test_tamper_and_replay(void)
{
	static const enum esp_alg algs[] = { ESP_ALG_AES128GCM16, ESP_ALG_AES256_SHA256,
					     ESP_ALG_NULL_SHA1 };

	for (unsigned i = 0; i < RTE_DIM(algs); i++) {
		tamper_one(algs[i], false);
		tamper_one(algs[i], true);
	}
	test_dp_no_mbuf_leak();
}

/* Replays in one burst and across bursts; the window's edge. */
static void test_replay_burst(void)
{
	struct sa_opt o = { .alg = ESP_ALG_AES128GCM16 };
	struct esp_sa_rt *out = sa_new(&o, GW_SA_OUT), *in = sa_new(&o, GW_SA_IN);
	struct inner_opt io = { .len = 80 };
	struct rte_mbuf *m[4], *old;
	struct esp_sa_rt *sa[4] = { in, in, in, in };
	struct esp_result r[4];
	uint16_t off[4];
	uint8_t drop;

	old = pkt_inner(&io, NULL);
	CU_ASSERT(out1(out, old, &drop));			/* seq 1, held back */
	out->seq = 100;						/* far ahead */
	m[0] = pkt_inner(&io, NULL);
	CU_ASSERT(out1(out, m[0], &drop));			/* seq 101 */
	m[1] = pkt_dup(m[0]);					/* same seq, same burst */
	m[2] = pkt_inner(&io, NULL);
	CU_ASSERT(out1(out, m[2], &drop));			/* seq 102 */
	m[3] = pkt_dup(m[2]);
	for (unsigned i = 0; i < 4; i++)
		off[i] = wire_esp_off(m[i]);
	CU_ASSERT_EQUAL(esp_in_burst(wk, m, sa, off, 4, r), 2);
	CU_ASSERT(r[0].ok && r[2].ok);
	CU_ASSERT(!r[1].ok && r[1].drop == DP_DROP_drop_replay);	/* refused by advance */
	CU_ASSERT(!r[3].ok && r[3].drop == DP_DROP_drop_replay);
	for (unsigned i = 0; i < 4; i++)
		rte_pktmbuf_free(m[i]);
	in_drop(in, old, DP_DROP_drop_replay);			/* 1: left of 102 - 64 */
	CU_ASSERT_EQUAL(in->st.drops[DP_DROP_drop_replay], 0);	/* esp_drop() counts, not us */
	sa_free(out);
	sa_free(in);
	test_dp_no_mbuf_leak();
}

/* Benchmarks only: ESP_SA_F_NO_REPLAY accepts a replayed packet, and still
 * verifies its ICV. */
static void test_no_replay_flag(void)
{
	struct sa_opt o = { .alg = ESP_ALG_AES128GCM16 };
	struct esp_sa_rt *out = sa_new(&o, GW_SA_OUT), *in = sa_new(&o, GW_SA_IN);
	struct inner_opt io = { .len = 80 };
	struct rte_mbuf *m = pkt_inner(&io, NULL), *c;
	uint8_t drop;

	in->flags |= ESP_SA_F_NO_REPLAY;
	CU_ASSERT_FATAL(out1(out, m, &drop));
	for (unsigned i = 0; i < 3; i++) {
		c = pkt_dup(m);
		CU_ASSERT(in1(in, c, &drop));
		rte_pktmbuf_free(c);
	}
	rte_pktmbuf_mtod(m, uint8_t *)[m->data_len - 1] ^= 1;
	in_drop(in, m, DP_DROP_drop_icv);
	CU_ASSERT_EQUAL(in->st.pkts, 3);
	sa_free(out);
	sa_free(in);
	test_dp_no_mbuf_leak();
}

/* ---- crafted plaintexts: padding, next header, inner header ---- */

/*
 * Open the ESP packet m (sealed by out, without ESN) in place with out's
 * keys, let fix() change the plaintext, and seal it again: a genuine packet
 * (its ICV verifies) with chosen contents.
 */
static void reseal(struct rte_mbuf *m, const struct esp_sa_rt *out,
		   void (*fix)(uint8_t *pt, unsigned ct_len))
{
	uint8_t *esp = rte_pktmbuf_mtod_offset(m, uint8_t *, wire_esp_off(m));
	unsigned hdr = 8 + out->iv_len;
	unsigned ct = m->data_len - wire_esp_off(m) - hdr - out->icv_len;
	uint8_t icv[ESP_ICV_MAX];
	struct esp_crypto_op op = {
		.keys = &out->keys, .buf = esp, .iv = esp + 8, .aad = esp, .aad_len = 8,
		.icv = icv, .cipher_off = hdr, .cipher_len = ct, .auth_off = 0,
		.auth_len = hdr + ct, .dir = ESP_DIR_IN,
	};
	struct esp_crypto_done d;

	CU_ASSERT_FATAL(!(out->flags & ESP_SA_F_ESN));
	memcpy(icv, esp + hdr + ct, out->icv_len);
	CU_ASSERT_EQUAL_FATAL(esp_crypto_run(wk, &op, 1, &d), 1);
	CU_ASSERT_EQUAL_FATAL(d.status, 0);
	fix(esp + hdr, ct);
	op.dir = ESP_DIR_OUT;
	op.icv = esp + hdr + ct;
	CU_ASSERT_EQUAL_FATAL(esp_crypto_run(wk, &op, 1, &d), 1);
	CU_ASSERT_EQUAL_FATAL(d.status, 0);
}

static void fix_none(uint8_t *pt, unsigned ct)
{
	(void)pt;
	(void)ct;
}

static void fix_pad_byte(uint8_t *pt, unsigned ct)
{
	CU_ASSERT_FATAL(pt[ct - 2] >= 1);
	pt[ct - 3] ^= 0x40;			/* the last padding byte */
}

static void fix_pad_len(uint8_t *pt, unsigned ct)
{
	pt[ct - 2] = (uint8_t)(ct - 1);		/* longer than the payload */
}

static void fix_nh_none(uint8_t *pt, unsigned ct)
{
	pt[ct - 1] = 59;			/* dummy packet (RFC 4303 2.6) */
}

static void fix_nh_udp(uint8_t *pt, unsigned ct)
{
	pt[ct - 1] = 17;
}

static void fix_nh_v6(uint8_t *pt, unsigned ct)
{
	pt[ct - 1] = 41;			/* says IPv6, holds IPv4 */
}

static void fix_ip_long(uint8_t *pt, unsigned ct)
{
	(void)ct;
	pt[2] = (uint8_t)(pt[2] + 1);		/* total length beyond the payload */
}

static void fix_ip_ihl(uint8_t *pt, unsigned ct)
{
	(void)ct;
	pt[0] = 0x44;				/* IHL 4 */
}

static void fix_tfc(uint8_t *pt, unsigned ct)
{
	(void)ct;
	pt[3] = (uint8_t)(pt[3] - 8);		/* 8 bytes of TFC padding follow */
}

static void crafted(enum esp_alg alg)
{
	static const struct {
		void (*fix)(uint8_t *, unsigned);
		int why;		/* -1: accepted */
	} cases[] = {
		{ fix_none, -1 },
		{ fix_pad_byte, DP_DROP_drop_bad_padding },
		{ fix_pad_len, DP_DROP_drop_bad_padding },
		{ fix_nh_none, DP_DROP_drop_bad_padding },
		{ fix_nh_udp, DP_DROP_drop_bad_padding },
		{ fix_nh_v6, DP_DROP_drop_malformed },
		{ fix_ip_long, DP_DROP_drop_malformed },
		{ fix_ip_ihl, DP_DROP_drop_malformed },
		{ fix_tfc, -1 },
	};
	struct sa_opt o = { .alg = alg };
	struct esp_sa_rt *out = sa_new(&o, GW_SA_OUT), *in = sa_new(&o, GW_SA_IN);

	for (unsigned c = 0; c < RTE_DIM(cases); c++) {
		struct inner_opt io = { .len = 61 };	/* padding 1 (GCM, NULL) or 1 (CBC) */
		struct rte_mbuf *m = pkt_inner(&io, NULL);
		uint8_t drop;

		CU_ASSERT_FATAL(out1(out, m, &drop));
		reseal(m, out, cases[c].fix);
		if (cases[c].why >= 0) {
			in_drop(in, m, (enum dp_drop)cases[c].why);
			continue;
		}
		CU_ASSERT(in1(in, m, &drop));
		CU_ASSERT_EQUAL(m->data_len, RTE_ETHER_HDR_LEN +
			rte_be_to_cpu_16(rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
								 RTE_ETHER_HDR_LEN)->total_length));
		rte_pktmbuf_free(m);
	}
	CU_ASSERT_EQUAL(in->st.pkts, 2);
	sa_free(out);
	sa_free(in);
}

static void test_crafted_plaintext(void)
{
	crafted(ESP_ALG_AES128GCM16);
	crafted(ESP_ALG_AES128_SHA256);
	crafted(ESP_ALG_NULL_SHA256);
	test_dp_no_mbuf_leak();
}

/* ---- selectors ---- */

static void test_ts_mismatch(void)
{
	static const struct {
		bool v6;
		const char *src, *dst;
		bool ok;
	} cases[] = {
		{ false, "192.168.10.200", "172.16.1.1", true },
		{ false, "192.168.11.1", "172.16.1.1", false },		/* src outside */
		{ false, "192.168.10.1", "172.16.2.1", false },		/* dst outside */
		{ false, "172.16.1.1", "192.168.10.1", false },		/* reversed */
		{ true, "2001:db8:20::ffff", "2001:db8:30:0:1::1", true },
		{ true, "2001:db8:21::1", "2001:db8:30::1", false },
		{ true, "2001:db8:20::1", "2001:db8:31::1", false },
	};
	struct sa_opt o = { .alg = ESP_ALG_AES256GCM16 }, any = o;
	struct esp_sa_rt *out = sa_new(&o, GW_SA_OUT), *in = sa_new(&o, GW_SA_IN);
	struct esp_sa_rt *in_any;
	uint8_t drop;

	any.no_ts = true;
	in_any = sa_new(&any, GW_SA_IN);
	for (unsigned c = 0; c < RTE_DIM(cases); c++) {
		struct inner_opt io = { .v6 = cases[c].v6, .len = 90, .src = cases[c].src,
					.dst = cases[c].dst };
		struct rte_mbuf *m = pkt_inner(&io, NULL), *m2;

		CU_ASSERT_FATAL(out1(out, m, &drop));
		m2 = pkt_dup(m);
		if (cases[c].ok) {
			CU_ASSERT(in1(in, m, &drop));
			rte_pktmbuf_free(m);
		} else {
			in_drop(in, m, DP_DROP_drop_ts_mismatch);
		}
		CU_ASSERT(in1(in_any, m2, &drop));		/* no selectors: anything */
		rte_pktmbuf_free(m2);
	}
	sa_free(out);
	sa_free(in);
	sa_free(in_any);
	test_dp_no_mbuf_leak();
}

/* esp_ts_match() on IPv4 (a masked word per prefix) against a bit-by-bit
 * reference: every prefix length, addresses in and just outside, a prefix
 * of the other family, and n == 0. */
static bool ts_ref4(const struct gw_prefix *p, uint32_t a_be)
{
	uint32_t a = rte_be_to_cpu_32(a_be), net = rte_be_to_cpu_32(p->addr.v4);

	if (p->addr.family != AF_INET)
		return false;
	for (unsigned b = 0; b < p->len; b++)
		if (((a ^ net) >> (31 - b)) & 1)
			return false;
	return true;
}

static void test_ts_match4(void)
{
	struct gw_prefix ts[2];
	unsigned bad = 0;

	memset(ts, 0, sizeof(ts));
	ts[0].addr.family = AF_INET6;		/* never matches an IPv4 address */
	ts[0].len = 0;
	ts[1].addr.family = AF_INET;
	ts[1].addr.v4 = rte_cpu_to_be_32(0xc0a85a00);	/* 192.168.90.0 */
	for (unsigned len = 0; len <= 32; len++) {
		ts[1].len = (uint8_t)len;
		for (unsigned bit = 0; bit < 32; bit++) {
			uint32_t a = rte_cpu_to_be_32(0xc0a85a00 ^ (1u << bit));
			uint8_t ab[4];

			memcpy(ab, &a, 4);
			bad += esp_ts_match(ts, 2, AF_INET, ab) != ts_ref4(&ts[1], a);
			bad += esp_ts_match(ts, 1, AF_INET, ab);
			memcpy(ab, &ts[1].addr.v4, 4);
			bad += !esp_ts_match(ts, 2, AF_INET, ab);
			bad += !esp_ts_match(ts, 0, AF_INET, ab);
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* ---- lifetimes, sequence exhaustion ---- */

static void burst_out(struct esp_sa_rt *rt, unsigned n, unsigned len, struct rte_mbuf **m,
		      struct esp_result *r)
{
	struct esp_sa_rt *sa[ESP_BURST_MAX];

	for (unsigned i = 0; i < n; i++) {
		struct inner_opt io = { .len = len };

		m[i] = pkt_inner(&io, NULL);
		sa[i] = rt;
	}
	esp_out_burst(wk, m, sa, n, r);
}

static void free_all(struct rte_mbuf **m, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		rte_pktmbuf_free(m[i]);
}

static void test_lifetime_out(void)
{
	struct sa_opt o = { .alg = ESP_ALG_AES128_SHA1, .soft_pkts = 2, .hard_pkts = 4 };
	struct esp_sa_rt *out = sa_new(&o, GW_SA_OUT);
	struct rte_mbuf *m[6];
	struct esp_result r[6];

	events_drain();
	burst_out(out, 6, 100, m, r);
	for (unsigned i = 0; i < 6; i++) {
		CU_ASSERT_EQUAL(r[i].ok, i < 4);
		if (i >= 4)
			CU_ASSERT_EQUAL(r[i].drop, DP_DROP_drop_lifetime);
	}
	free_all(m, 6);
	CU_ASSERT(out->flags & ESP_SA_F_STOPPED);
	CU_ASSERT(out->flags & ESP_SA_F_SOFT_SENT);
	CU_ASSERT_EQUAL(out->st.pkts, 4);
	burst_out(out, 1, 100, m, r);
	CU_ASSERT(!r[0].ok && r[0].drop == DP_DROP_drop_lifetime);
	free_all(m, 1);
	/* Both events once; they are read after the bursts, so one drain. */
	{
		struct dp_sa_event ev[16];
		unsigned n = dp_sa_events_dequeue(ev, RTE_DIM(ev)), soft = 0, hard = 0;

		for (unsigned i = 0; i < n; i++) {
			CU_ASSERT_EQUAL(ev[i].handle, out->handle);
			soft += ev[i].type == DP_SA_EV_SOFT_LIFETIME;
			hard += ev[i].type == DP_SA_EV_HARD_LIFETIME;
		}
		CU_ASSERT_EQUAL(soft, 1);
		CU_ASSERT_EQUAL(hard, 1);
		CU_ASSERT_EQUAL(n, 2);
	}
	sa_free(out);
	test_dp_no_mbuf_leak();
}

static void test_lifetime_in(void)
{
	struct sa_opt o = { .alg = ESP_ALG_AES192GCM16 }, lim = o;
	struct esp_sa_rt *out, *in, *sa[4];
	struct rte_mbuf *m[4];
	struct esp_result r[4];
	uint16_t off[4];
	uint64_t top;

	lim.soft_bytes = 150;
	lim.hard_bytes = 250;
	out = sa_new(&o, GW_SA_OUT);
	in = sa_new(&lim, GW_SA_IN);
	events_drain();
	burst_out(out, 4, 100, m, r);
	for (unsigned i = 0; i < 4; i++) {
		CU_ASSERT_FATAL(r[i].ok);
		sa[i] = in;
		off[i] = wire_esp_off(m[i]);
	}
	CU_ASSERT_EQUAL(esp_in_burst(wk, m, sa, off, 3, r), 2);
	CU_ASSERT(r[0].ok && r[1].ok && !r[2].ok);
	CU_ASSERT_EQUAL(r[2].drop, DP_DROP_drop_lifetime);
	CU_ASSERT_EQUAL(in->st.bytes, 200);
	CU_ASSERT(in->flags & ESP_SA_F_STOPPED);
	top = in->replay.top;
	in_drop(in, m[3], DP_DROP_drop_lifetime);		/* stopped: before decryption */
	CU_ASSERT_EQUAL(in->replay.top, top);
	free_all(m, 3);
	{
		struct dp_sa_event ev[16];
		unsigned n = dp_sa_events_dequeue(ev, RTE_DIM(ev));

		CU_ASSERT_EQUAL_FATAL(n, 2);
		CU_ASSERT_EQUAL(ev[0].type, DP_SA_EV_SOFT_LIFETIME);
		CU_ASSERT_EQUAL(ev[1].type, DP_SA_EV_HARD_LIFETIME);
		CU_ASSERT_EQUAL(ev[1].handle, in->handle);
	}
	sa_free(out);
	sa_free(in);
	test_dp_no_mbuf_leak();
}

static void seq_overflow(bool esn)
{
	struct sa_opt o = { .alg = ESP_ALG_AES128GCM16, .esn = esn };
	struct esp_sa_rt *out = sa_new(&o, GW_SA_OUT), *in = sa_new(&o, GW_SA_IN);
	uint64_t last = esn ? UINT64_MAX : UINT32_MAX;
	struct rte_mbuf *m[4];
	struct esp_result r[4];
	uint8_t drop;

	events_drain();
	out->seq = last - 2;
	CU_ASSERT_EQUAL(esp_replay_advance(&in->replay, last - 10), 0);
	burst_out(out, 4, 64, m, r);
	CU_ASSERT(r[0].ok && r[1].ok);
	CU_ASSERT(!r[2].ok && r[2].drop == DP_DROP_drop_seq_overflow);
	CU_ASSERT(!r[3].ok && r[3].drop == DP_DROP_drop_seq_overflow);
	CU_ASSERT(out->flags & ESP_SA_F_STOPPED);
	CU_ASSERT_EQUAL(out->seq, last);
	CU_ASSERT_EQUAL(wire_seq(m[1]), 0xffffffffu);
	CU_ASSERT(in1(in, m[0], &drop));			/* the last numbers do decrypt */
	CU_ASSERT(in1(in, m[1], &drop));
	CU_ASSERT_EQUAL(in->replay.top, last);
	free_all(m, 4);
	CU_ASSERT_EQUAL(events_count(DP_SA_EV_SEQ_OVERFLOW, out->handle), 1);
	burst_out(out, 1, 64, m, r);				/* stays stopped, no new event */
	CU_ASSERT(!r[0].ok && r[0].drop == DP_DROP_drop_seq_overflow);
	free_all(m, 1);
	CU_ASSERT_EQUAL(events_count(DP_SA_EV_SEQ_OVERFLOW, out->handle), 0);
	sa_free(out);
	sa_free(in);
}

static void test_seq_overflow(void)
{
	seq_overflow(false);
	seq_overflow(true);
	test_dp_no_mbuf_leak();
}

/* The ESN high bits are authenticated though never sent: a receiver
 * without ESN (high bits 0) fails the ICV of a packet past 2^32. */
static void test_esn_authenticated(void)
{
	static const enum esp_alg algs[] = { ESP_ALG_AES128GCM16, ESP_ALG_AES128_SHA512,
					     ESP_ALG_NULL_SHA384 };

	for (unsigned a = 0; a < RTE_DIM(algs); a++) {
		struct sa_opt o = { .alg = algs[a], .esn = true }, plain = o;
		struct esp_sa_rt *out = sa_new(&o, GW_SA_OUT), *in = sa_new(&o, GW_SA_IN);
		struct esp_sa_rt *in32;
		struct inner_opt io = { .len = 200 };
		struct rte_mbuf *m = pkt_inner(&io, NULL), *c;
		uint8_t drop;

		plain.esn = false;
		in32 = sa_new(&plain, GW_SA_IN);
		out->seq = 0x300000005ull;
		CU_ASSERT_EQUAL(esp_replay_advance(&in->replay, 0x300000000ull), 0);
		CU_ASSERT_FATAL(out1(out, m, &drop));
		CU_ASSERT_EQUAL(wire_seq(m), 6);
		c = pkt_dup(m);
		in_drop(in32, c, DP_DROP_drop_icv);
		CU_ASSERT(in1(in, m, &drop));
		CU_ASSERT_EQUAL(in->replay.top, 0x300000006ull);
		rte_pktmbuf_free(m);
		sa_free(out);
		sa_free(in);
		sa_free(in32);
	}
	test_dp_no_mbuf_leak();
}

/* ---- malformed input ---- */

static void test_malformed(void)
{
	struct sa_opt g = { .alg = ESP_ALG_AES128GCM16 }, c = { .alg = ESP_ALG_AES256_SHA384 };
	struct esp_sa_rt *gout = sa_new(&g, GW_SA_OUT), *gin = sa_new(&g, GW_SA_IN);
	struct esp_sa_rt *cout = sa_new(&c, GW_SA_OUT), *cin = sa_new(&c, GW_SA_IN);
	struct inner_opt io = { .len = 64 };
	struct rte_mbuf *m, *t, *seg;
	uint8_t drop;
	uint16_t fixed;

	m = pkt_inner(&io, NULL);
	CU_ASSERT_FATAL(out1(gout, m, &drop));
	fixed = (uint16_t)(wire_esp_off(m) + 8 + gin->iv_len + gin->icv_len);
	t = pkt_dup(m);
	rte_pktmbuf_trim(t, 1);					/* not a multiple of 4 */
	in_drop(gin, t, DP_DROP_drop_malformed);
	t = pkt_dup(m);
	rte_pktmbuf_trim(t, (uint16_t)(t->data_len - fixed - 3));	/* below the minimum */
	in_drop(gin, t, DP_DROP_drop_malformed);
	t = pkt_dup(m);
	rte_pktmbuf_trim(t, (uint16_t)(t->data_len - wire_esp_off(m) - 6));	/* half a header */
	in_drop(gin, t, DP_DROP_drop_malformed);
	{	/* the ESP offset past the end */
		struct esp_result r;
		uint16_t off = (uint16_t)(m->data_len + 1);

		t = pkt_dup(m);
		CU_ASSERT_EQUAL(esp_in_burst(wk, &t, &gin, &off, 1, &r), 0);
		CU_ASSERT_EQUAL(r.drop, DP_DROP_drop_malformed);
		rte_pktmbuf_free(t);
	}
	/* chained: both directions refuse */
	seg = rte_pktmbuf_alloc(dp_mbuf_pool());
	CU_ASSERT_PTR_NOT_NULL_FATAL(seg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rte_pktmbuf_append(seg, 8));
	CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_chain(m, seg), 0);
	in_drop(gin, m, DP_DROP_drop_malformed);
	m = pkt_inner(&io, NULL);
	seg = rte_pktmbuf_alloc(dp_mbuf_pool());
	CU_ASSERT_PTR_NOT_NULL_FATAL(seg);
	CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_chain(m, seg), 0);
	CU_ASSERT_FALSE(out1(gout, m, &drop));
	CU_ASSERT_EQUAL(drop, DP_DROP_drop_malformed);
	rte_pktmbuf_free(m);
	/* CBC: the ciphertext must be whole blocks */
	m = pkt_inner(&io, NULL);
	CU_ASSERT_FATAL(out1(cout, m, &drop));
	rte_pktmbuf_trim(m, 4);
	in_drop(cin, m, DP_DROP_drop_malformed);
	/* outbound: no ethertype we know, an IP length beyond the frame */
	m = pkt_inner(&io, NULL);
	rte_pktmbuf_mtod(m, uint8_t *)[12] = 0x88;
	CU_ASSERT_FALSE(out1(gout, m, &drop));
	CU_ASSERT_EQUAL(drop, DP_DROP_drop_malformed);
	rte_pktmbuf_free(m);
	m = pkt_inner(&io, NULL);
	rte_pktmbuf_trim(m, 1);
	CU_ASSERT_FALSE(out1(gout, m, &drop));
	CU_ASSERT_EQUAL(drop, DP_DROP_drop_malformed);
	rte_pktmbuf_free(m);
	/* outbound: Ethernet padding after the IP packet is not encrypted */
	m = pkt_inner(&io, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rte_pktmbuf_append(m, 6));
	CU_ASSERT_FATAL(out1(gout, m, &drop));
	CU_ASSERT_EQUAL(m->data_len, RTE_ETHER_HDR_LEN + io.len + esp_out_overhead(gout, io.len));
	rte_pktmbuf_free(m);
	sa_free(gout);
	sa_free(gin);
	sa_free(cout);
	sa_free(cin);
	test_dp_no_mbuf_leak();
}

/* NAT rebinding: the destination port follows rt->encap_dport_be. */
static void test_encap_rebind(void)
{
	struct sa_opt o = { .alg = ESP_ALG_AES128GCM16, .encap = true, .outer6 = true };
	struct esp_sa_rt *out = sa_new(&o, GW_SA_OUT), *in = sa_new(&o, GW_SA_IN);
	struct inner_opt io = { .len = 64 };
	struct rte_mbuf *m = pkt_inner(&io, NULL);
	const struct rte_udp_hdr *u;
	uint8_t drop;

	__atomic_store_n(&out->encap_dport_be, rte_cpu_to_be_16(31337), __ATOMIC_RELAXED);
	CU_ASSERT_FATAL(out1(out, m, &drop));
	u = rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, RTE_ETHER_HDR_LEN + 40);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(u->dst_port), 31337);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(u->src_port), 4500);
	CU_ASSERT_EQUAL(rte_ipv6_udptcp_cksum_verify(
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, RTE_ETHER_HDR_LEN), u), 0);
	CU_ASSERT(in1(in, m, &drop));
	rte_pktmbuf_free(m);
	sa_free(out);
	sa_free(in);
	test_dp_no_mbuf_leak();
}

/* ---- OpenSSL cross-checks ---- */

/* The plaintext OpenSSL recovered: inner packet, padding 1, 2, ..., pad
 * length, next header 4. */
static void check_plain(const uint8_t *pt, unsigned ct, const uint8_t *inner, unsigned len,
			unsigned align)
{
	unsigned pad = (align - (len + 2) % align) % align;

	CU_ASSERT_EQUAL(ct, len + pad + 2);
	CU_ASSERT_EQUAL(memcmp(pt, inner, len), 0);
	for (unsigned i = 0; i < pad; i++)
		CU_ASSERT_EQUAL(pt[len + i], i + 1);
	CU_ASSERT_EQUAL(pt[len + pad], pad);
	CU_ASSERT_EQUAL(pt[len + pad + 1], 4);
}

/* AES-128-GCM (RFC 4106): key || salt, IV salt || explicit, AAD
 * SPI || seq (8) or, with ESN past 2^32, SPI || seq_hi || seq_lo (12). */
static void openssl_gcm(bool esn)
{
	struct sa_opt o = { .alg = ESP_ALG_AES128GCM16, .esn = esn };
	struct esp_sa_rt *out = sa_new(&o, GW_SA_OUT);
	struct gw_sa_desc d;
	struct inner_opt io = { .len = 157 };
	static uint8_t inner[PKT_MAX], pt[PKT_MAX];
	struct rte_mbuf *m = pkt_inner(&io, inner);
	const uint8_t *esp;
	uint8_t iv[12], aad[12], drop;
	unsigned ct;
	int len = 0, aad_len = esn ? 12 : 8;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	desc_fill(&d, &o, GW_SA_OUT);
	if (esn)
		out->seq = 0x700000010ull;
	CU_ASSERT_FATAL(out1(out, m, &drop));
	esp = rte_pktmbuf_mtod_offset(m, const uint8_t *, wire_esp_off(m));
	ct = m->data_len - wire_esp_off(m) - 8 - 8 - 16;
	memcpy(iv, d.enc_key + 16, 4);				/* salt */
	memcpy(iv + 4, esp + 8, 8);				/* explicit IV */
	memcpy(aad, esp, 4);
	memcpy(aad + aad_len - 4, esp + 4, 4);
	if (esn)
		memcpy(aad + 4, "\x00\x00\x00\x07", 4);		/* seq_hi, never sent */
	CU_ASSERT_FATAL(EVP_DecryptInit_ex(ctx, EVP_aes_128_gcm(), NULL, NULL, NULL) == 1);
	CU_ASSERT_FATAL(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) == 1);
	CU_ASSERT_FATAL(EVP_DecryptInit_ex(ctx, NULL, NULL, d.enc_key, iv) == 1);
	CU_ASSERT_FATAL(EVP_DecryptUpdate(ctx, NULL, &len, aad, aad_len) == 1);
	CU_ASSERT_FATAL(EVP_DecryptUpdate(ctx, pt, &len, esp + 16, (int)ct) == 1);
	CU_ASSERT_FATAL(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16,
					    (void *)(uintptr_t)(esp + 16 + ct)) == 1);
	CU_ASSERT_EQUAL(EVP_DecryptFinal_ex(ctx, pt + len, &len), 1);	/* tag verified */
	check_plain(pt, ct, inner, io.len, 4);
	EVP_CIPHER_CTX_free(ctx);
	gw_sa_desc_wipe(&d);
	rte_pktmbuf_free(m);
	sa_free(out);
}

/* AES-128-CBC + HMAC-SHA-256-128 (RFC 3602, 4868): ICV = HMAC over
 * SPI || seq || IV || ciphertext (|| seq_hi with ESN, RFC 4303 2.2.1). */
static void openssl_cbc_hmac(bool esn)
{
	struct sa_opt o = { .alg = ESP_ALG_AES128_SHA256, .esn = esn };
	struct esp_sa_rt *out = sa_new(&o, GW_SA_OUT);
	struct gw_sa_desc d;
	struct inner_opt io = { .len = 157 };
	static uint8_t inner[PKT_MAX], pt[PKT_MAX], authed[PKT_MAX];
	struct rte_mbuf *m = pkt_inner(&io, inner);
	const uint8_t *esp;
	uint8_t md[EVP_MAX_MD_SIZE], drop;
	unsigned ct, md_len = 0, auth;
	int len = 0, len2 = 0;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	desc_fill(&d, &o, GW_SA_OUT);
	if (esn)
		out->seq = 0x500000020ull;
	CU_ASSERT_FATAL(out1(out, m, &drop));
	esp = rte_pktmbuf_mtod_offset(m, const uint8_t *, wire_esp_off(m));
	ct = m->data_len - wire_esp_off(m) - 8 - 16 - 16;
	auth = 8 + 16 + ct;
	memcpy(authed, esp, auth);
	if (esn) {
		memcpy(authed + auth, "\x00\x00\x00\x05", 4);
		auth += 4;
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(HMAC(EVP_sha256(), d.auth_key, d.auth_key_len, authed, auth,
					  md, &md_len));
	CU_ASSERT_EQUAL(memcmp(md, esp + 8 + 16 + ct, 16), 0);
	CU_ASSERT_FATAL(EVP_DecryptInit_ex(ctx, EVP_aes_128_cbc(), NULL, d.enc_key, esp + 8) == 1);
	CU_ASSERT_FATAL(EVP_CIPHER_CTX_set_padding(ctx, 0) == 1);
	CU_ASSERT_FATAL(EVP_DecryptUpdate(ctx, pt, &len, esp + 24, (int)ct) == 1);
	CU_ASSERT_FATAL(EVP_DecryptFinal_ex(ctx, pt + len, &len2) == 1);
	CU_ASSERT_EQUAL((unsigned)(len + len2), ct);
	check_plain(pt, ct, inner, io.len, 16);
	EVP_CIPHER_CTX_free(ctx);
	gw_sa_desc_wipe(&d);
	rte_pktmbuf_free(m);
	sa_free(out);
}

static void test_openssl(void)
{
	openssl_gcm(false);
	openssl_gcm(true);
	openssl_cbc_hmac(false);
	openssl_cbc_hmac(true);
	test_dp_no_mbuf_leak();
}

/* ---- cost ---- */

/* Cycles per packet of esp_out_burst and esp_in_burst, bursts of 32. */
static void perf(enum esp_alg alg, unsigned len)
{
	enum { B = 32, ITER = 300 };
	struct sa_opt o = { .alg = alg };
	struct esp_sa_rt *out = sa_new(&o, GW_SA_OUT), *in = sa_new(&o, GW_SA_IN);
	struct esp_sa_rt *so[B], *si[B];
	struct rte_mbuf *m[B];
	struct esp_result r[B];
	uint16_t off[B];
	uint64_t t_out = 0, t_in = 0, t0;
	unsigned bad = 0;

	for (unsigned i = 0; i < B; i++) {
		struct inner_opt io = { .len = len };

		m[i] = pkt_inner(&io, NULL);
		so[i] = out;
		si[i] = in;
		off[i] = (uint16_t)(RTE_ETHER_HDR_LEN + out->outer_len);
	}
	for (unsigned it = 0; it < ITER; it++) {
		for (unsigned i = 0; i < B; i++)
			rte_pktmbuf_mtod(m[i], uint8_t *)[12] = 0x08,
			rte_pktmbuf_mtod(m[i], uint8_t *)[13] = 0x00;
		t0 = rte_rdtsc();
		bad += B - esp_out_burst(wk, m, so, B, r);
		t_out += rte_rdtsc() - t0;
		t0 = rte_rdtsc();
		bad += B - esp_in_burst(wk, m, si, off, B, r);
		t_in += rte_rdtsc() - t0;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(in->st.pkts, (uint64_t)B * ITER);
	printf("\n    %s %4u B: out %5.0f, in %5.0f, round trip %5.0f cycles/packet",
	       gw_esp_alg_name(alg), len, (double)t_out / (B * ITER), (double)t_in / (B * ITER),
	       (double)(t_out + t_in) / (B * ITER));
	free_all(m, B);
	sa_free(out);
	sa_free(in);
}

static void test_cycles(void)
{
	perf(ESP_ALG_AES128GCM16, 64);
	perf(ESP_ALG_AES128GCM16, 1420);
	perf(ESP_ALG_AES128_SHA256, 64);
	perf(ESP_ALG_AES128_SHA256, 1420);
	printf("\n");
	test_dp_no_mbuf_leak();
}

/* ---- suite ---- */

static int suite_init(void)
{
	return test_dp_esp_suite_init(&wk);
}

static int suite_fini(void)
{
	return test_dp_esp_suite_fini(&wk);
}

int main(void)
{
	static const char *const eal[] = { TEST_DP_NULL_PORTS };
	static const struct test_dp_case cases[] = {
		{ "round trip: every algorithm x inner 4/6 x outer 4/6 x UDP x ESN",
		  test_round_trip_matrix },
		{ "tampering -> drop_icv, window unmoved; replay -> drop_replay",
		  test_tamper_and_replay },
		{ "replays inside one burst and left of the window", test_replay_burst },
		{ "benchmark flag: no replay check, ICV still verified", test_no_replay_flag },
		{ "padding, next header, inner header (resealed plaintexts)",
		  test_crafted_plaintext },
		{ "inner selectors -> drop_ts_mismatch", test_ts_mismatch },
		{ "IPv4 selector match, every prefix length", test_ts_match4 },
		{ "outbound soft and hard packet lifetimes, events", test_lifetime_out },
		{ "inbound soft and hard byte lifetimes, events", test_lifetime_in },
		{ "sequence exhaustion, with and without ESN", test_seq_overflow },
		{ "ESN high bits are authenticated", test_esn_authenticated },
		{ "malformed, truncated and chained packets", test_malformed },
		{ "UDP destination port follows NAT rebinding", test_encap_rebind },
		{ "AES-128-GCM and AES-CBC/HMAC-SHA-256 bytes match OpenSSL, with ESN",
		  test_openssl },
		{ "cycles per packet", test_cycles },
	};

	if (test_dp_begin("esp", RTE_DIM(eal), eal) != 0)
		return 1;
	test_dp_suite("esp", suite_init, suite_fini, cases, RTE_DIM(cases));
	return test_dp_end();
}
