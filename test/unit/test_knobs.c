/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit suite for the tunnel knobs on the ESP path (dataplane/esp_knobs.h):
 * crafted inner packets through esp_out_burst() and esp_in_burst(), every
 * header field read back by offset from the wire or the decrypted packet
 * (the test builds the packets, so it knows where each field is), every
 * TCP and IPv4 checksum verified whole with DPDK's rte_*_cksum helpers
 * (not the incremental updates under test):
 *   tcp_mss   SYN / SYN-ACK, IPv4 and IPv6, both directions, an MSS at an
 *             odd offset; smaller MSS, non-SYN, later fragment untouched;
 *   df        clear / copy / set x inner IPv4 with and without DF, IPv6;
 *   dscp/ecn  copy, fixed, compat, outer IPv4 and IPv6;
 *   decap     RFC 6040 4.2's table, all 16 cells, inner IPv4 and IPv6,
 *             written out below from the RFC (not computed), drop_ecn;
 *   ttl       ttl_decrement = false out (+1) and in (+1, 255 stays), and
 *             with classification: a TTL 1 packet out of the tunnel is
 *             punted TTL_EXCEEDED by default, forwarded with the knob;
 *   mtu       the worker's check (esp_knobs_too_big): DF / IPv6 above the
 *             tunnel's mtu punted TOO_BIG with it, IPv4 without DF not;
 *   bounds    a descriptor with out-of-range knobs is refused.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <CUnit/Basic.h>
#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "dataplane/dp.h"
#include "dataplane/dp_classify.h"
#include "dataplane/dp_sa.h"
#include "dataplane/esp.h"
#include "dataplane/esp_knobs.h"
#include "test/unit/test_dp.h"

enum { SPI = 0x4001, TUNNEL = 9, IP4 = 20, IP6 = 40, TCP = 20 };

static struct esp_crypto_wk *wk;
static uint32_t next_handle = 500;

/* ---- SAs ---- */

/* OUT on our side (10.10.0.1 -> .2, or IPv6), IN the peer's mirror with
 * the same SPI and keys: what one encrypts the other decrypts.  No
 * selectors: any inner packet passes. */
static struct esp_sa_rt *sa_new(uint8_t dir, bool outer6, const struct gw_tunnel_knobs *k)
{
	struct esp_sa_rt *rt = rte_zmalloc("knobs_sa", sizeof(*rt), RTE_CACHE_LINE_SIZE);
	bool out = dir == GW_SA_OUT;
	struct gw_sa_desc d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(rt);
	memset(&d, 0, sizeof(d));
	snprintf(d.name, sizeof(d.name), "knobs");
	d.tunnel = TUNNEL;
	d.spi = SPI;
	d.dir = dir;
	d.alg = ESP_ALG_AES128GCM16;
	d.replay_window = 64;
	d.local = test_addr(outer6 ? (out ? "2001:db8:10::1" : "2001:db8:10::2") :
				     (out ? "10.10.0.1" : "10.10.0.2"));
	d.remote = test_addr(outer6 ? (out ? "2001:db8:10::2" : "2001:db8:10::1") :
				      (out ? "10.10.0.2" : "10.10.0.1"));
	d.enc_key_len = (uint8_t)gw_esp_enc_key_len(ESP_ALG_AES128GCM16);
	for (unsigned i = 0; i < d.enc_key_len; i++)
		d.enc_key[i] = (uint8_t)(i * 11 + 5);
	if (k != NULL)
		d.knobs = *k;
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

/* ---- packets ---- */

struct pkt_opt {
	bool v6;
	uint8_t tos;			/* TOS / traffic class */
	uint8_t ttl;			/* 0: 64 */
	bool df;
	uint16_t frag;			/* IPv4 fragment offset (8-byte units) */
	uint8_t tcp_flags;		/* 0: UDP */
	const uint8_t *opts;		/* TCP options, opts_len a multiple of 4 */
	unsigned opts_len;
	unsigned payload;
	const char *dst;		/* NULL: 172.16.1.9 / 2001:db8:30::9 */
};

static const uint8_t opt_mss1460[] = { 2, 4, 0x05, 0xb4 };
static const uint8_t opt_mss1460_odd[] = { 1, 2, 4, 0x05, 0xb4, 1, 1, 0 };	/* NOP first */
static const uint8_t opt_mss1200[] = { 2, 4, 0x04, 0xb0 };

/* Ethernet + IPv4/IPv6 + TCP (options) or UDP + payload; checksums right. */
static struct rte_mbuf *pkt_make(const struct pkt_opt *o)
{
	unsigned ihl = o->v6 ? IP6 : IP4;
	unsigned l4 = o->tcp_flags != 0 ? TCP + o->opts_len : 8;
	unsigned len = ihl + l4 + o->payload;
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp_mbuf_pool());
	struct gw_addr s, d;
	uint8_t *p, *t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(RTE_ETHER_HDR_LEN + len));
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	memset(p, 0, RTE_ETHER_HDR_LEN + len);
	p[12] = o->v6 ? 0x86 : 0x08;
	p[13] = o->v6 ? 0xdd : 0x00;
	p += RTE_ETHER_HDR_LEN;
	t = p + ihl;
	for (unsigned i = 0; i < o->payload; i++)
		t[l4 + i] = (uint8_t)(i * 7 + 1);
	s = test_addr(o->v6 ? "2001:db8:20::5" : "192.168.10.5");
	d = test_addr(o->dst != NULL ? o->dst : o->v6 ? "2001:db8:30::9" : "172.16.1.9");
	if (o->tcp_flags != 0) {
		t[0] = 0x30, t[1] = 0x39;		/* 12345 -> 443 */
		t[2] = 0x01, t[3] = 0xbb;
		t[4] = 0x11, t[7] = 0x42;		/* seq */
		t[12] = (uint8_t)((TCP + o->opts_len) / 4 << 4);
		t[13] = o->tcp_flags;
		t[14] = 0xfa, t[15] = 0xf0;		/* window */
		memcpy(t + TCP, o->opts, o->opts_len);
	} else {
		t[0] = 0x13, t[1] = 0x88;		/* 5000 -> 53 */
		t[3] = 53;
		t[4] = (uint8_t)((l4 + o->payload) >> 8), t[5] = (uint8_t)(l4 + o->payload);
	}
	if (!o->v6) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)p;

		ip->version_ihl = 0x45;
		ip->type_of_service = o->tos;
		ip->total_length = rte_cpu_to_be_16((uint16_t)len);
		ip->packet_id = rte_cpu_to_be_16(0x1234);
		ip->fragment_offset = rte_cpu_to_be_16((uint16_t)((o->df ? RTE_IPV4_HDR_DF_FLAG : 0) |
								  o->frag));
		ip->time_to_live = o->ttl != 0 ? o->ttl : 64;
		ip->next_proto_id = o->tcp_flags != 0 ? 6 : 17;
		ip->src_addr = s.v4;
		ip->dst_addr = d.v4;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		if (o->tcp_flags != 0)
			memcpy(t + 16, &(uint16_t){ rte_ipv4_udptcp_cksum(ip, t) }, 2);
	} else {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)p;

		ip6->vtc_flow = rte_cpu_to_be_32(6u << 28 | (uint32_t)o->tos << 20 | 0xabcde);
		ip6->payload_len = rte_cpu_to_be_16((uint16_t)(len - IP6));
		ip6->proto = o->tcp_flags != 0 ? 6 : 17;
		ip6->hop_limits = o->ttl != 0 ? o->ttl : 64;
		memcpy(ip6->src_addr, s.v6, 16);
		memcpy(ip6->dst_addr, d.v6, 16);
		if (o->tcp_flags != 0)
			memcpy(t + 16, &(uint16_t){ rte_ipv6_udptcp_cksum(ip6, t) }, 2);
	}
	return m;
}

static uint8_t *l3(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, uint8_t *, RTE_ETHER_HDR_LEN);
}

static uint16_t be16_at(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The inner TOS / traffic class, TTL / hop limit. */
static uint8_t ip_tos(const uint8_t *ip)
{
	return (ip[0] >> 4) == 6 ? (uint8_t)((ip[0] & 0xf) << 4 | ip[1] >> 4) : ip[1];
}

static uint8_t ip_ttl(const uint8_t *ip)
{
	return (ip[0] >> 4) == 6 ? ip[7] : ip[8];
}

/* Every checksum of the inner packet ip verifies (recomputed whole). */
static bool ip_sums_ok(const uint8_t *ip)
{
	if ((ip[0] >> 4) == 6) {
		const struct rte_ipv6_hdr *h = (const void *)ip;

		return h->proto != 6 || rte_ipv6_udptcp_cksum_verify(h, ip + IP6) == 0;
	}
	if (rte_raw_cksum(ip, IP4) != 0xffff)
		return false;
	return ip[9] != 6 || rte_ipv4_udptcp_cksum_verify((const void *)ip, ip + IP4) == 0;
}

static bool out1(struct esp_sa_rt *rt, struct rte_mbuf *m, uint8_t *drop)
{
	struct esp_result r;

	esp_out_burst(wk, &m, &rt, 1, &r);
	*drop = r.drop;
	return r.ok;
}

static bool in1(struct esp_sa_rt *rt, struct rte_mbuf *m, uint8_t *drop)
{
	const uint8_t *ip = l3(m);
	uint16_t off = (uint16_t)(RTE_ETHER_HDR_LEN + ((ip[0] >> 4) == 6 ? IP6 : IP4));
	struct esp_result r;

	esp_in_burst(wk, &m, &rt, &off, 1, &r);
	*drop = r.drop;
	return r.ok;
}

/* m through out, then (outer ECN set to outer_ecn unless < 0) through in.
 * true with m decrypted; false: dropped (*drop) and freed. */
static bool through(struct esp_sa_rt *out, struct esp_sa_rt *in, struct rte_mbuf *m, int outer_ecn,
		    uint8_t *drop)
{
	uint8_t *o;

	if (!out1(out, m, drop)) {
		rte_pktmbuf_free(m);
		return false;
	}
	o = l3(m);
	if (outer_ecn >= 0) {
		if ((o[0] >> 4) == 6)
			o[1] = (uint8_t)((o[1] & ~0x30) | outer_ecn << 4);
		else
			o[1] = (uint8_t)((o[1] & ~3) | outer_ecn);
	}
	if (!in1(in, m, drop)) {
		rte_pktmbuf_free(m);
		return false;
	}
	return true;
}

/* ---- tcp_mss ---- */

struct mss_case {
	const char *what;
	struct pkt_opt p;
	unsigned mss_at;		/* offset of the MSS value in the TCP header */
	uint16_t want;
};

static void mss_run(bool clamp_out)
{
	static const struct mss_case cases[] = {
		{ "v4 SYN", { .tcp_flags = 0x02, .opts = opt_mss1460, .opts_len = 4 }, 22, 1360 },
		{ "v4 SYN-ACK", { .tcp_flags = 0x12, .opts = opt_mss1460, .opts_len = 4, .payload = 3 },
		  22, 1360 },
		{ "v4 SYN, MSS at an odd offset", { .tcp_flags = 0x02, .opts = opt_mss1460_odd,
		  .opts_len = 8, .df = true }, 23, 1360 },
		{ "v4 SYN, MSS below", { .tcp_flags = 0x02, .opts = opt_mss1200, .opts_len = 4 }, 22,
		  1200 },
		{ "v4 ACK keeps its option", { .tcp_flags = 0x10, .opts = opt_mss1460, .opts_len = 4 },
		  22, 1460 },
		{ "v6 SYN", { .v6 = true, .tcp_flags = 0x02, .opts = opt_mss1460, .opts_len = 4 }, 22,
		  1360 },
		{ "v6 SYN, odd", { .v6 = true, .tcp_flags = 0x02, .opts = opt_mss1460_odd,
		  .opts_len = 8, .payload = 1 }, 23, 1360 },
		{ "v6 SYN-ACK, MSS below", { .v6 = true, .tcp_flags = 0x12, .opts = opt_mss1200,
		  .opts_len = 4 }, 22, 1200 },
	};
	struct gw_tunnel_knobs k = { .tcp_mss = 1360 };
	struct esp_sa_rt *out = sa_new(GW_SA_OUT, false, clamp_out ? &k : NULL);
	struct esp_sa_rt *in = sa_new(GW_SA_IN, false, clamp_out ? NULL : &k);

	for (unsigned i = 0; i < RTE_DIM(cases); i++) {
		const struct mss_case *c = &cases[i];
		uint64_t n0 = test_dp_counter(DP_C_tunnel_mss_clamped);
		struct rte_mbuf *m = pkt_make(&c->p);
		unsigned ihl = c->p.v6 ? IP6 : IP4;
		uint8_t drop;

		CU_ASSERT_FATAL(through(out, in, m, -1, &drop));
		if (be16_at(l3(m) + ihl + c->mss_at) != c->want || !ip_sums_ok(l3(m)))
			fprintf(stderr, "\n  %s (%s): MSS %u, want %u, sums %s\n", c->what,
				clamp_out ? "out" : "in", be16_at(l3(m) + ihl + c->mss_at), c->want,
				ip_sums_ok(l3(m)) ? "ok" : "WRONG");
		CU_ASSERT_EQUAL(be16_at(l3(m) + ihl + c->mss_at), c->want);
		CU_ASSERT(ip_sums_ok(l3(m)));
		CU_ASSERT_EQUAL(test_dp_counter(DP_C_tunnel_mss_clamped), n0 + (c->want == 1360));
		rte_pktmbuf_free(m);
	}
	sa_free(out);
	sa_free(in);
}

static void test_mss(void)
{
	mss_run(true);
	mss_run(false);
}

/* A later fragment, UDP and truncated options are left alone. */
static void test_mss_untouched(void)
{
	static const uint8_t bad_len[] = { 2, 9, 0x05, 0xb4 };	/* option past the header */
	struct pkt_opt frag = { .tcp_flags = 0x02, .opts = opt_mss1460, .opts_len = 4, .frag = 8 };
	struct pkt_opt udp = { .payload = 40 };
	struct pkt_opt bad = { .tcp_flags = 0x02, .opts = bad_len, .opts_len = 4 };
	uint64_t n0 = test_dp_counter(DP_C_tunnel_mss_clamped);
	struct rte_mbuf *m;

	m = pkt_make(&frag);
	CU_ASSERT_FALSE(esp_knobs_mss_clamp(l3(m), IP4 + TCP + 4, false, 1000));
	CU_ASSERT_EQUAL(be16_at(l3(m) + IP4 + 22), 1460);
	rte_pktmbuf_free(m);
	m = pkt_make(&udp);
	CU_ASSERT_FALSE(esp_knobs_mss_clamp(l3(m), IP4 + 48, false, 1000));
	rte_pktmbuf_free(m);
	m = pkt_make(&bad);
	CU_ASSERT_FALSE(esp_knobs_mss_clamp(l3(m), IP4 + TCP + 4, false, 1000));
	CU_ASSERT_EQUAL(be16_at(l3(m) + IP4 + 22), 1460);
	/* A length that cuts the header: not read past it. */
	CU_ASSERT_FALSE(esp_knobs_mss_clamp(l3(m), IP4 + TCP, false, 1000));
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(test_dp_counter(DP_C_tunnel_mss_clamped), n0);
}

/* ---- df, dscp, ecn on encapsulation ---- */

static void test_df(void)
{
	/* want[mode][inner]: inner IPv4 without DF, with DF, IPv6 */
	static const bool want[3][3] = {
		[GW_DF_CLEAR] = { false, false, false },
		[GW_DF_COPY] = { false, true, true },
		[GW_DF_SET] = { true, true, true },
	};

	for (unsigned mode = GW_DF_CLEAR; mode <= GW_DF_SET; mode++) {
		struct gw_tunnel_knobs k = { .df = (uint8_t)mode };
		struct esp_sa_rt *out = sa_new(GW_SA_OUT, false, &k);

		for (unsigned j = 0; j < 3; j++) {
			struct pkt_opt p = { .v6 = j == 2, .df = j == 1, .payload = 100 };
			struct rte_mbuf *m = pkt_make(&p);
			uint8_t drop;

			CU_ASSERT_FATAL(out1(out, m, &drop));
			CU_ASSERT_EQUAL(be16_at(l3(m) + 6), want[mode][j] ? 0x4000 : 0);
			CU_ASSERT_EQUAL(rte_raw_cksum(l3(m), IP4), 0xffff);
			rte_pktmbuf_free(m);
		}
		sa_free(out);
	}
}

struct tos_case {
	struct gw_tunnel_knobs k;
	uint8_t inner, want;
};

static void test_dscp_ecn(void)
{
	static const struct tos_case cases[] = {
		{ { 0 }, 0xb9, 0xb9 },					/* copy, normal */
		{ { 0 }, 0x2b, 0x2b },					/* CE copied */
		{ { .dscp_fixed = true, .dscp = 46 }, 0x2a, 0xba },	/* EF, ECN copied */
		{ { .dscp_fixed = true, .dscp = 0 }, 0xbb, 0x03 },
		{ { .ecn = GW_ECN_COMPAT }, 0xbb, 0xb8 },		/* Not-ECT */
		{ { .dscp_fixed = true, .dscp = 10, .ecn = GW_ECN_COMPAT }, 0xb9, 0x28 },
	};

	for (unsigned outer6 = 0; outer6 < 2; outer6++) {
		for (unsigned i = 0; i < RTE_DIM(cases); i++) {
			struct esp_sa_rt *out = sa_new(GW_SA_OUT, outer6, &cases[i].k);

			for (unsigned v6 = 0; v6 < 2; v6++) {
				struct pkt_opt p = { .v6 = v6, .tos = cases[i].inner, .payload = 9 };
				struct rte_mbuf *m = pkt_make(&p);
				uint8_t drop;

				CU_ASSERT_FATAL(out1(out, m, &drop));
				CU_ASSERT_EQUAL(ip_tos(l3(m)), cases[i].want);
				if (!outer6)
					CU_ASSERT_EQUAL(rte_raw_cksum(l3(m), IP4), 0xffff);
				rte_pktmbuf_free(m);
			}
			sa_free(out);
		}
	}
}

/* ---- RFC 6040 4.2 decapsulation ---- */

#define DROP 0xff
/* RFC 6040 section 4.2, figure 4: [arriving inner][arriving outer] ->
 * departing header; ECN codepoints Not-ECT 0, ECT(1) 1, ECT(0) 2, CE 3. */
static const uint8_t rfc6040_decap[4][4] = {
	/* outer:    Not-ECT  ECT(1)  ECT(0)  CE */
	[0] = { 0, 0, 0, DROP },	/* inner Not-ECT */
	[1] = { 1, 1, 1, 3 },		/* inner ECT(1) */
	[2] = { 2, 1, 2, 3 },		/* inner ECT(0) */
	[3] = { 3, 3, 3, 3 },		/* inner CE */
};

static void decap_run(bool v6, bool outer6)
{
	struct gw_tunnel_knobs compat = { .ecn = GW_ECN_COMPAT };
	struct esp_sa_rt *out = sa_new(GW_SA_OUT, outer6, NULL);
	struct esp_sa_rt *in = sa_new(GW_SA_IN, outer6, &compat);	/* the mode is the encapsulator's */

	for (unsigned inner = 0; inner < 4; inner++) {
		for (unsigned outer = 0; outer < 4; outer++) {
			uint8_t want = rfc6040_decap[inner][outer], drop = 0;
			struct pkt_opt p = { .v6 = v6, .tos = (uint8_t)(0x28 | inner), .payload = 30 };
			uint64_t d0 = test_dp_counter(DP_C_drop_ecn), ce0 = test_dp_counter(DP_C_tunnel_ce_marked);
			uint64_t sd0 = in->st.drops[DP_DROP_drop_ecn];
			struct rte_mbuf *m = pkt_make(&p);
			bool ok = through(out, in, m, (int)outer, &drop);

			if (want == DROP) {
				CU_ASSERT_FALSE(ok);
				CU_ASSERT_EQUAL(drop, DP_DROP_drop_ecn);
				/* the caller counts it: esp_drop() does both */
				CU_ASSERT_EQUAL(in->st.drops[DP_DROP_drop_ecn], sd0);
				CU_ASSERT_EQUAL(test_dp_counter(DP_C_drop_ecn), d0);
				continue;
			}
			CU_ASSERT_FATAL(ok);
			if ((ip_tos(l3(m)) & 3) != want)
				fprintf(stderr, "\n  inner %u outer %u: got %u, want %u\n", inner, outer,
					ip_tos(l3(m)) & 3, want);
			CU_ASSERT_EQUAL(ip_tos(l3(m)) & 3, want);
			CU_ASSERT_EQUAL(ip_tos(l3(m)) >> 2, 0x28 >> 2);		/* DSCP kept */
			CU_ASSERT(ip_sums_ok(l3(m)));
			CU_ASSERT_EQUAL(test_dp_counter(DP_C_tunnel_ce_marked),
					ce0 + (want == 3 && inner != 3));
			rte_pktmbuf_free(m);
		}
	}
	sa_free(out);
	sa_free(in);
}

static void test_ecn_decap(void)
{
	decap_run(false, false);
	decap_run(true, false);
	decap_run(false, true);
	decap_run(true, true);
}

/* The drop reason the worker counts per SA and per lcore. */
static void test_ecn_drop_counted(void)
{
	struct esp_sa_rt *out = sa_new(GW_SA_OUT, false, NULL);
	struct esp_sa_rt *in = sa_new(GW_SA_IN, false, NULL);
	struct pkt_opt p = { .tos = 0, .payload = 10 };
	struct rte_mbuf *m = pkt_make(&p);
	uint64_t d0 = test_dp_counter(DP_C_drop_ecn);
	uint16_t off = RTE_ETHER_HDR_LEN + IP4;
	struct esp_result r;
	uint8_t drop;

	CU_ASSERT_FATAL(out1(out, m, &drop));
	l3(m)[1] |= 3;				/* CE outside, Not-ECT inside */
	esp_in_burst(wk, &m, &in, &off, 1, &r);
	CU_ASSERT_FALSE_FATAL(r.ok);
	esp_drop(m, in, (enum dp_drop)r.drop);
	CU_ASSERT_EQUAL(test_dp_counter(DP_C_drop_ecn), d0 + 1);
	CU_ASSERT_EQUAL(in->st.drops[DP_DROP_drop_ecn], 1);
	sa_free(out);
	sa_free(in);
}

/* ---- TTL ---- */

static void test_ttl_keep(void)
{
	/* { ttl_decrement = false on OUT, on IN, inner TTL sent, TTL after };
	 * each case with new SAs (one replay window per pair) */
	const struct {
		bool keep_out, keep_in;
		uint8_t ttl, want;
	} cases[] = {
		{ false, false, 63, 63 },	/* the default: the ESP stages leave it */
		{ true, false, 63, 64 },	/* undo classification's step */
		{ false, true, 10, 11 },	/* make up for the one to come */
		{ false, true, 255, 255 },
		{ true, true, 1, 3 },
	};

	for (unsigned v6 = 0; v6 < 2; v6++) {
		for (unsigned i = 0; i < RTE_DIM(cases); i++) {
			struct gw_tunnel_knobs ko = { .ttl_keep = cases[i].keep_out };
			struct gw_tunnel_knobs ki = { .ttl_keep = cases[i].keep_in };
			struct esp_sa_rt *out = sa_new(GW_SA_OUT, false, &ko);
			struct esp_sa_rt *in = sa_new(GW_SA_IN, false, &ki);
			struct pkt_opt p = { .v6 = v6, .ttl = cases[i].ttl, .tcp_flags = 0x10,
					     .opts = opt_mss1460, .opts_len = 4, .payload = 5 };
			struct rte_mbuf *m = pkt_make(&p);
			uint8_t drop;

			CU_ASSERT_FATAL(through(out, in, m, -1, &drop));
			CU_ASSERT_EQUAL(ip_ttl(l3(m)), cases[i].want);
			CU_ASSERT(ip_sums_ok(l3(m)));
			rte_pktmbuf_free(m);
			sa_free(out);
			sa_free(in);
		}
	}
}

/*
 * With classification: a decrypted packet is routed by
 * dp_classify_inner(), which takes the TTL step (TTL 1: punted
 * TTL_EXCEEDED for the ICMP error).  With ttl_decrement = false the packet
 * is made up for first and goes on (here to a neighbour miss: no MAC).
 */
static void test_ttl_classify(void)
{
	struct gw_tunnel_knobs keep = { .ttl_keep = true };
	struct esp_sa_rt *out = sa_new(GW_SA_OUT, false, NULL);
	struct esp_sa_rt *in = sa_new(GW_SA_IN, false, NULL);
	struct esp_sa_rt *in_keep = sa_new(GW_SA_IN, false, &keep);

	for (unsigned v6 = 0; v6 < 2; v6++) {
		for (unsigned k = 0; k < 2; k++) {
			struct pkt_opt p = { .v6 = v6, .ttl = 1, .payload = 20,
					     .dst = v6 ? "2001:db8:20::77" : "192.168.10.77" };
			struct rte_mbuf *m = pkt_make(&p);
			struct dp_cls_result r;
			enum dp_verdict v;
			uint8_t drop;

			CU_ASSERT_FATAL(through(out, k ? in_keep : in, m, -1, &drop));
			v = dp_classify_inner(m, v6, &r);
			CU_ASSERT_EQUAL(v, DP_V_PUNT);
			CU_ASSERT_EQUAL(r.reason, k ? DP_PUNT_NEIGH_MISS : DP_PUNT_TTL_EXCEEDED);
			rte_pktmbuf_free(m);
		}
	}
	sa_free(out);
	sa_free(in);
	sa_free(in_keep);
}

/* ---- mtu ---- */

static void test_mtu(void)
{
	struct gw_tunnel_knobs k = { .mtu = 1400 };
	struct esp_sa_rt *rt = sa_new(GW_SA_OUT, false, &k), *off = sa_new(GW_SA_OUT, false, NULL);
	/* { IPv6, DF, IP bytes, punted } */
	const struct {
		bool v6, df;
		unsigned len;
		bool punt;
	} cases[] = {
		{ false, true, 1400, false }, { false, true, 1401, true },
		{ false, false, 1401, false },	/* encrypted whole, outer fragmented if need be */
		{ true, false, 1400, false }, { true, false, 1401, true },
		{ false, true, 1500, true }, { true, false, 1500, true },
	};

	for (unsigned i = 0; i < RTE_DIM(cases); i++) {
		struct pkt_opt p = { .v6 = cases[i].v6, .df = cases[i].df,
				     .payload = cases[i].len - (cases[i].v6 ? IP6 : IP4) - 8 };
		struct rte_mbuf *m = pkt_make(&p);
		uint64_t n0 = test_dp_counter(DP_C_tunnel_mtu_exceeded);

		m->hash.usr = 0;
		m->hash.fdir.hi = 0;
		CU_ASSERT_EQUAL(esp_knobs_too_big(rt, m, cases[i].len), cases[i].punt);
		CU_ASSERT_FALSE(esp_knobs_too_big(off, m, cases[i].len));
		CU_ASSERT_EQUAL(m->hash.usr, cases[i].punt ? (uint32_t)DP_PUNT_TOO_BIG : 0);
		CU_ASSERT_EQUAL(m->hash.fdir.hi, cases[i].punt ? 1400u : 0u);
		CU_ASSERT_EQUAL(test_dp_counter(DP_C_tunnel_mtu_exceeded), n0 + cases[i].punt);
		rte_pktmbuf_free(m);
	}
	sa_free(rt);
	sa_free(off);
}

/* ---- bounds ---- */

static void test_bounds(void)
{
	const struct gw_tunnel_knobs bad[] = {
		{ .df = GW_DF_SET + 1 },
		{ .ecn = GW_ECN_COMPAT + 1 },
		{ .dscp_fixed = true, .dscp = 64 },
	};
	struct esp_sa_rt *rt = rte_zmalloc("knobs_sa", sizeof(*rt), RTE_CACHE_LINE_SIZE);

	CU_ASSERT_PTR_NOT_NULL_FATAL(rt);
	for (unsigned i = 0; i < RTE_DIM(bad); i++) {
		struct gw_sa_desc d;

		memset(&d, 0, sizeof(d));
		d.spi = SPI;
		d.dir = GW_SA_OUT;
		d.alg = ESP_ALG_AES128GCM16;
		d.enc_key_len = 20;
		d.local = test_addr("10.10.0.1");
		d.remote = test_addr("10.10.0.2");
		d.knobs = bad[i];
		CU_ASSERT_EQUAL(esp_sa_rt_init(rt, &d, esp_crypto_wk_mgr(wk)), -EINVAL);
		d.knobs = (struct gw_tunnel_knobs){ .dscp_fixed = true, .dscp = 63 };
		CU_ASSERT_EQUAL(esp_sa_rt_init(rt, &d, esp_crypto_wk_mgr(wk)), 0);
		esp_sa_rt_wipe(rt);
	}
	rte_free(rt);
	test_dp_no_mbuf_leak();
}

/* ---- cost ---- */

/* Cycles per packet, encrypt + decrypt, 64-byte TCP packets (flags), with
 * the knobs k (NULL: none).  Printed, not asserted: the machine varies. */
static double perf(const struct gw_tunnel_knobs *k, uint8_t flags)
{
	enum { B = 32, ITER = 300 };
	struct esp_sa_rt *out = sa_new(GW_SA_OUT, false, k), *in = sa_new(GW_SA_IN, false, k);
	struct pkt_opt p = { .tcp_flags = flags, .opts = opt_mss1460, .opts_len = 4, .payload = 20 };
	struct esp_sa_rt *so[B], *si[B];
	struct rte_mbuf *m[B];
	struct esp_result r[B];
	uint16_t off[B];
	uint64_t t = 0, t0;
	unsigned bad = 0;

	for (unsigned i = 0; i < B; i++) {
		m[i] = pkt_make(&p);
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
		bad += B - esp_in_burst(wk, m, si, off, B, r);
		t += rte_rdtsc() - t0;
	}
	CU_ASSERT_EQUAL(bad, 0);
	for (unsigned i = 0; i < B; i++)
		rte_pktmbuf_free(m[i]);
	sa_free(out);
	sa_free(in);
	return (double)t / (B * ITER);
}

static void test_cycles(void)
{
	struct gw_tunnel_knobs all = { .tcp_mss = 1360, .mtu = 1400, .df = GW_DF_COPY,
				       .dscp_fixed = true, .dscp = 46, .ttl_keep = true };

	printf("\n    aes128gcm16, 64 B, round trip: ACK %.0f -> %.0f, SYN %.0f -> %.0f "
	       "cycles/packet (no knobs -> all knobs)\n", perf(NULL, 0x10), perf(&all, 0x10),
	       perf(NULL, 0x02), perf(&all, 0x02));
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
		{ "tcp_mss: SYN, SYN-ACK, IPv4/IPv6, odd offset, both directions", test_mss },
		{ "tcp_mss: fragments, UDP, bad options untouched", test_mss_untouched },
		{ "df: clear, copy, set x inner DF / no DF / IPv6", test_df },
		{ "dscp copy / fixed, ecn normal / compat, outer IPv4 and IPv6", test_dscp_ecn },
		{ "RFC 6040 4.2 decapsulation table, inner and outer IPv4/IPv6", test_ecn_decap },
		{ "outer CE over Not-ECT: drop_ecn per lcore and per SA", test_ecn_drop_counted },
		{ "ttl_decrement = false: +1 out and in, 255 stays", test_ttl_keep },
		{ "TTL 1 after decryption: time exceeded unless ttl_decrement = false",
		  test_ttl_classify },
		{ "mtu: DF / IPv6 above it punted TOO_BIG with it, no DF not", test_mtu },
		{ "out-of-range knobs refused; no mbuf leaked", test_bounds },
		{ "cycles per packet", test_cycles },
	};

	if (test_dp_begin("knobs", RTE_DIM(eal), eal) != 0)
		return 1;
	test_dp_suite("knobs", suite_init, suite_fini, cases, RTE_DIM(cases));
	return test_dp_end();
}
