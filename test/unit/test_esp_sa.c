/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SA table (dataplane/esp_sa.c) and the runtime record
 * (dataplane/esp_sa_rt.c), single-threaded: the data plane is initialised
 * with one worker that never runs, so every grace period is over at once.
 *
 * Runtime record: fields, outer header templates (IPv4/IPv6, with and
 * without UDP), descriptor validation (table-driven), wipe and poison.
 * Table: install / retire / reclaim, SPIs 1..255, duplicate inbound SPIs,
 * pairs installed both or neither, rekey swapping a tunnel's outbound SA,
 * a retired SA readable until reclaimed and never after (even once its
 * slot is reused), statistics, iteration, bulk lookup, NAT rebinding, the
 * events ring and the acquire rate limit, the table filling up, and
 * destroying it with SAs installed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "common/gw_proto.h"
#include "dataplane/dp.h"
#include "dataplane/dp_sa.h"
#include "dataplane/esp_sa.h"
#include "test/unit/test_dp.h"
#include "test/unit/test_eal.h"

static struct gw_sa_desc sa_desc(uint32_t spi, uint8_t dir, uint32_t tunnel, enum esp_alg alg)
{
	struct gw_sa_desc d;

	memset(&d, 0, sizeof(d));
	snprintf(d.name, sizeof(d.name), "t%u", spi);
	d.session_id = 1000 + spi;
	d.tunnel = tunnel;
	d.spi = spi;
	d.dir = dir;
	d.alg = (uint8_t)alg;
	d.local = test_addr("10.10.0.1");
	d.remote = test_addr("10.10.0.2");
	d.enc_key_len = (uint8_t)gw_esp_enc_key_len(alg);
	d.auth_key_len = (uint8_t)gw_esp_auth_key_len(alg);
	for (unsigned i = 0; i < d.enc_key_len; i++)
		d.enc_key[i] = (uint8_t)(i + spi);
	for (unsigned i = 0; i < d.auth_key_len; i++)
		d.auth_key[i] = (uint8_t)(0x80 + i);
	d.local_ts[d.n_local_ts++] = test_prefix("192.168.10.0/24");
	d.remote_ts[d.n_remote_ts++] = test_prefix("172.16.1.0/24");
	return d;
}

static struct gw_sa_desc gcm(uint32_t spi, uint8_t dir, uint32_t tunnel)
{
	return sa_desc(spi, dir, tunnel, ESP_ALG_AES128GCM16);
}

static struct dp_sa_stats stats(void)
{
	struct dp_sa_stats st;

	dp_sa_stats(&st);
	return st;
}

static bool all_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i] != 0)
			return false;
	return true;
}

/* --- runtime record ---------------------------------------------------- */

static struct esp_crypto_wk *cw;

static struct esp_sa_rt *rt_alloc(void)
{
	struct esp_sa_rt *rt = NULL;

	CU_ASSERT_FATAL(posix_memalign((void **)&rt, 64, sizeof(*rt)) == 0);
	memset(rt, 0, sizeof(*rt));
	return rt;
}

static void test_rt_ipv4_out(void)
{
	struct gw_sa_desc d = sa_desc(0x2001, GW_SA_OUT, 3, ESP_ALG_AES128_SHA256);
	struct esp_sa_rt *rt = rt_alloc();
	const struct rte_ipv4_hdr *ip = (const void *)rt->outer;

	d.esn = true;
	d.life_hard_pkts = 1000;
	CU_ASSERT_EQUAL_FATAL(esp_sa_rt_init(rt, &d, esp_crypto_wk_mgr(cw)), 0);
	CU_ASSERT_EQUAL(rt->magic, ESP_SA_MAGIC);
	CU_ASSERT_EQUAL(rt->spi_be, htonl(0x2001));
	CU_ASSERT_EQUAL(rt->flags, ESP_SA_F_ESN);
	CU_ASSERT_EQUAL(rt->dir, GW_SA_OUT);
	CU_ASSERT_EQUAL(rt->tunnel, 3);
	CU_ASSERT_EQUAL(rt->icv_len, 16);
	CU_ASSERT_EQUAL(rt->iv_len, 16);
	CU_ASSERT_EQUAL(rt->pad_align, 16);
	CU_ASSERT_EQUAL(rt->seq, 0);
	CU_ASSERT_EQUAL(rt->life_hard_pkts, 1000);
	CU_ASSERT_EQUAL(rt->replay.size, 64);
	CU_ASSERT_EQUAL(rt->outer_len, 20);
	CU_ASSERT_EQUAL(ip->version_ihl, 0x45);
	CU_ASSERT_EQUAL(ip->time_to_live, 64);
	CU_ASSERT_EQUAL(ip->next_proto_id, GW_IPPROTO_ESP);
	CU_ASSERT_EQUAL(ip->src_addr, d.local.v4);
	CU_ASSERT_EQUAL(ip->dst_addr, d.remote.v4);
	CU_ASSERT_EQUAL(rt->n_local_ts, 1);
	CU_ASSERT_EQUAL(rt->n_remote_ts, 1);
	CU_ASSERT_TRUE(gw_addr_eq(&rt->local_ts[0].addr, &d.local_ts[0].addr));
	CU_ASSERT_PTR_NOT_NULL(rt->keys.info);
	CU_ASSERT_FALSE(all_zero(rt->keys.ipad, sizeof(rt->keys.ipad)));

	esp_sa_rt_wipe(rt);
	CU_ASSERT_EQUAL(rt->magic, ESP_SA_POISON);
	CU_ASSERT_TRUE(all_zero(&rt->keys, sizeof(rt->keys)));
	CU_ASSERT_TRUE(all_zero(rt->outer, sizeof(rt->outer)));
	free(rt);
}

static void test_rt_ipv6_encap(void)
{
	struct gw_sa_desc d = gcm(0x3001, GW_SA_OUT, 4);
	struct esp_sa_rt *rt = rt_alloc();
	const struct rte_ipv6_hdr *ip6 = (const void *)rt->outer;
	const struct rte_udp_hdr *u = (const void *)(rt->outer + 40);

	d.local = test_addr("2001:db8:10::1");
	d.remote = test_addr("2001:db8:10::2");
	d.encap = true;
	d.encap_dport = 31337;		/* the peer behind a NAT */
	d.replay_window = 1024;
	CU_ASSERT_EQUAL_FATAL(esp_sa_rt_init(rt, &d, esp_crypto_wk_mgr(cw)), 0);
	CU_ASSERT_EQUAL(rt->flags, ESP_SA_F_ENCAP | ESP_SA_F_OUTER6);
	CU_ASSERT_EQUAL(rt->outer_len, 48);
	CU_ASSERT_EQUAL(rt->icv_len, 16);
	CU_ASSERT_EQUAL(rt->iv_len, 8);
	CU_ASSERT_EQUAL(rt->pad_align, 4);
	CU_ASSERT_EQUAL(rt->replay.size, 1024);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(ip6->vtc_flow) >> 28, 6);
	CU_ASSERT_EQUAL(ip6->proto, 17);
	CU_ASSERT_EQUAL(ip6->hop_limits, 64);
	CU_ASSERT_EQUAL(memcmp(ip6->src_addr, d.local.v6, 16), 0);
	CU_ASSERT_EQUAL(memcmp(ip6->dst_addr, d.remote.v6, 16), 0);
	CU_ASSERT_EQUAL(u->src_port, htons(4500));
	CU_ASSERT_EQUAL(u->dst_port, htons(31337));
	CU_ASSERT_EQUAL(rt->encap_dport_be, htons(31337));
	esp_sa_rt_wipe(rt);
	free(rt);
}

static void test_rt_ipv4_encap_in(void)
{
	struct gw_sa_desc d = gcm(0x3002, GW_SA_IN, 4);
	struct esp_sa_rt *rt = rt_alloc();
	const struct rte_ipv4_hdr *ip = (const void *)rt->outer;
	const struct rte_udp_hdr *u = (const void *)(rt->outer + 20);

	d.encap = true;
	CU_ASSERT_EQUAL_FATAL(esp_sa_rt_init(rt, &d, esp_crypto_wk_mgr(cw)), 0);
	CU_ASSERT_EQUAL(rt->outer_len, 28);
	CU_ASSERT_EQUAL(ip->next_proto_id, 17);
	/* IN: the template as the packet arrives, remote -> local. */
	CU_ASSERT_EQUAL(ip->src_addr, d.remote.v4);
	CU_ASSERT_EQUAL(ip->dst_addr, d.local.v4);
	CU_ASSERT_EQUAL(u->src_port, htons(4500));	/* defaults */
	CU_ASSERT_EQUAL(u->dst_port, htons(4500));
	CU_ASSERT_EQUAL(rt->encap_dport_be, htons(4500));
	esp_sa_rt_wipe(rt);
	free(rt);
}

/* One way to break a valid descriptor. */
struct bad_case {
	const char *what;
	void (*mutate)(struct gw_sa_desc *d);
};

static void bad_spi0(struct gw_sa_desc *d) { d->spi = 0; }
static void bad_spi255(struct gw_sa_desc *d) { d->spi = 255; }
static void bad_alg(struct gw_sa_desc *d) { d->alg = ESP_ALG_COUNT; }
static void bad_enc_len(struct gw_sa_desc *d) { d->enc_key_len = 16; }	/* GCM wants 20 */
static void bad_auth_len(struct gw_sa_desc *d) { d->auth_key_len = 20; }
static void bad_family_mix(struct gw_sa_desc *d) { d->remote = test_addr("2001:db8::2"); }
static void bad_family_none(struct gw_sa_desc *d) { d->local.family = 0; d->remote.family = 0; }
static void bad_window(struct gw_sa_desc *d) { d->replay_window = 100; }
static void bad_window_big(struct gw_sa_desc *d) { d->replay_window = 8192; }
static void bad_n_ts(struct gw_sa_desc *d) { d->n_local_ts = GW_SA_MAX_TS + 1; }
static void bad_ts_mix(struct gw_sa_desc *d) { d->remote_ts[0] = test_prefix("2001:db8::/64"); }
static void bad_ts_len(struct gw_sa_desc *d) { d->local_ts[0].len = 33; }
static void bad_tunnel(struct gw_sa_desc *d) { d->tunnel = DP_TUNNEL_MAX; }
static void bad_dir(struct gw_sa_desc *d) { d->dir = 2; }

static const struct bad_case bad_cases[] = {
	{ "SPI 0", bad_spi0 },
	{ "SPI 255", bad_spi255 },
	{ "unknown algorithm", bad_alg },
	{ "GCM key without salt", bad_enc_len },
	{ "HMAC key on GCM", bad_auth_len },
	{ "IPv4 and IPv6 endpoints", bad_family_mix },
	{ "no endpoint family", bad_family_none },
	{ "replay window 100", bad_window },
	{ "replay window 8192", bad_window_big },
	{ "5 selectors", bad_n_ts },
	{ "IPv4 local, IPv6 remote selectors", bad_ts_mix },
	{ "IPv4 /33", bad_ts_len },
	{ "tunnel out of range", bad_tunnel },
	{ "direction 2", bad_dir },
};

static void test_rt_refused(void)
{
	struct esp_sa_rt *rt = rt_alloc();

	for (size_t i = 0; i < RTE_DIM(bad_cases); i++) {
		struct gw_sa_desc d = gcm(0x4000, GW_SA_IN, 1);
		int ret;

		bad_cases[i].mutate(&d);
		ret = esp_sa_rt_init(rt, &d, esp_crypto_wk_mgr(cw));
		if (ret != -EINVAL)
			fprintf(stderr, "\n  %s: %d\n", bad_cases[i].what, ret);
		CU_ASSERT_EQUAL(ret, -EINVAL);
		CU_ASSERT_NOT_EQUAL(rt->magic, ESP_SA_MAGIC);
		CU_ASSERT_TRUE(all_zero(&rt->keys, sizeof(rt->keys)));
	}
	free(rt);
}

/* --- table ---------------------------------------------------------------- */

static void test_install_retire_reclaim(void)
{
	struct dp_sa_stats st0 = stats(), st;
	struct gw_sa_desc d = gcm(0x1001, GW_SA_IN, 1);
	struct dp_sa_info info;
	struct esp_sa_rt *rt;
	uint32_t h;

	CU_ASSERT_EQUAL_FATAL(dp_sa_install(&d, &h), 0);
	CU_ASSERT_EQUAL(dp_sa_find_in(0x1001), h);
	rt = esp_sa_get(h);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rt);
	CU_ASSERT_EQUAL(rt->magic, ESP_SA_MAGIC);
	CU_ASSERT_EQUAL(rt->handle, h);
	CU_ASSERT_EQUAL(dp_sa_info(h, &info), 0);
	CU_ASSERT_STRING_EQUAL(info.name, "t4097");
	CU_ASSERT_EQUAL(info.session_id, 1000 + 0x1001);
	CU_ASSERT_EQUAL(info.spi, 0x1001);
	CU_ASSERT_EQUAL(info.dir, GW_SA_IN);
	CU_ASSERT_EQUAL(info.alg, ESP_ALG_AES128GCM16);
	CU_ASSERT_EQUAL(info.state, DP_SA_LIVE);
	CU_ASSERT_EQUAL(info.replay_window, 64);
	CU_ASSERT_TRUE(gw_addr_eq(&info.local, &d.local));
	st = stats();
	CU_ASSERT_EQUAL(st.live, st0.live + 1);
	CU_ASSERT_EQUAL(st.installed, st0.installed + 1);

	/* The counters a worker wrote are what the CP reads. */
	esp_sa_count(rt, 100);
	esp_sa_count_drop(rt, DP_DROP_drop_replay);

	CU_ASSERT_EQUAL(dp_sa_retire(h), 0);
	CU_ASSERT_PTR_NULL(esp_sa_get(h));		/* unpublished at once */
	CU_ASSERT_EQUAL(dp_sa_find_in(0x1001), DP_SA_INVALID);
	CU_ASSERT_EQUAL(dp_sa_retire(h), -ENOENT);
	CU_ASSERT_EQUAL(dp_sa_info(h, &info), 0);	/* still readable */
	CU_ASSERT_EQUAL(info.state, DP_SA_RETIRING);
	CU_ASSERT_EQUAL(info.pkts, 1);
	CU_ASSERT_EQUAL(info.bytes, 100);
	CU_ASSERT_EQUAL(info.drops[DP_DROP_drop_replay], 1);
	st = stats();
	CU_ASSERT_EQUAL(st.live, st0.live);
	CU_ASSERT_EQUAL(st.retiring, st0.retiring + 1);
	CU_ASSERT_EQUAL(st.retired, st0.retired + 1);
	CU_ASSERT_EQUAL(st.reclaimed, st0.reclaimed);

	dp_reclaim();
	CU_ASSERT_EQUAL(dp_sa_info(h, &info), -ENOENT);
	CU_ASSERT_EQUAL(dp_sa_retire(h), -ENOENT);
	st = stats();
	CU_ASSERT_EQUAL(st.retiring, st0.retiring);
	CU_ASSERT_EQUAL(st.reclaimed, st0.reclaimed + 1);
	CU_ASSERT(st.grace_ns_last > 0);
	CU_ASSERT(st.grace_ns_max >= st.grace_ns_last);
	CU_ASSERT(st.grace_ns_sum >= st.grace_ns_last);
}

static void test_spi_reserved(void)
{
	uint64_t fail0 = stats().install_fail;
	uint32_t spis[] = { 1, 2, 100, 255 }, h;

	for (size_t i = 0; i < RTE_DIM(spis); i++) {
		struct gw_sa_desc d = gcm(spis[i], GW_SA_IN, 1);
		struct gw_sa_desc o = gcm(spis[i], GW_SA_OUT, 1);

		CU_ASSERT_EQUAL(dp_sa_install(&d, &h), -EINVAL);
		CU_ASSERT_EQUAL(dp_sa_install(&o, &h), -EINVAL);
	}
	CU_ASSERT_EQUAL(stats().install_fail, fail0 + 2 * RTE_DIM(spis));
	{
		struct gw_sa_desc d = gcm(256, GW_SA_IN, 1);

		CU_ASSERT_EQUAL_FATAL(dp_sa_install(&d, &h), 0);
		CU_ASSERT_EQUAL(dp_sa_retire(h), 0);
	}
	dp_reclaim();
}

static void test_refused_descriptors(void)
{
	uint32_t live = stats().live, h;

	for (size_t i = 0; i < RTE_DIM(bad_cases); i++) {
		struct gw_sa_desc d = gcm(0x5000, GW_SA_OUT, 1);

		bad_cases[i].mutate(&d);
		CU_ASSERT_EQUAL(dp_sa_install(&d, &h), -EINVAL);
	}
	CU_ASSERT_EQUAL(stats().live, live);
	CU_ASSERT_EQUAL(dp_tunnel_out_sa(1), DP_SA_INVALID);
}

static void test_duplicate_in(void)
{
	struct gw_sa_desc d = gcm(0x1002, GW_SA_IN, 1), o = gcm(0x1002, GW_SA_OUT, 1);
	uint32_t h1, h2, h3;

	CU_ASSERT_EQUAL_FATAL(dp_sa_install(&d, &h1), 0);
	CU_ASSERT_EQUAL(dp_sa_install(&d, &h2), -EEXIST);
	CU_ASSERT_EQUAL(dp_sa_find_in(0x1002), h1);
	/* Outbound SPIs are the peer's: not in the inbound hash. */
	CU_ASSERT_EQUAL(dp_sa_install(&o, &h3), 0);
	/* Once retired (not yet reclaimed), the SPI may come back. */
	CU_ASSERT_EQUAL(dp_sa_retire(h1), 0);
	CU_ASSERT_EQUAL(dp_sa_install(&d, &h2), 0);
	CU_ASSERT_NOT_EQUAL(h2, h1);
	CU_ASSERT_EQUAL(dp_sa_find_in(0x1002), h2);
	dp_reclaim();
	CU_ASSERT_EQUAL(dp_sa_find_in(0x1002), h2);
	CU_ASSERT_PTR_NOT_NULL(esp_sa_get(h2));
	CU_ASSERT_EQUAL(dp_sa_retire(h2), 0);
	CU_ASSERT_EQUAL(dp_sa_retire(h3), 0);
	dp_reclaim();
}

static void test_pair_both_or_neither(void)
{
	struct gw_sa_desc in = gcm(0x1100, GW_SA_IN, 9), out = gcm(0x2100, GW_SA_OUT, 9);
	struct dp_sa_stats st0 = stats();
	struct dp_sa_info ii, io;
	uint32_t hi = DP_SA_INVALID, ho = DP_SA_INVALID, hx;

	out.enc_key_len = 3;			/* second one invalid */
	CU_ASSERT_EQUAL(dp_sa_install_pair(&in, &out, &hi, &ho), -EINVAL);
	CU_ASSERT_EQUAL(dp_sa_find_in(0x1100), DP_SA_INVALID);
	CU_ASSERT_EQUAL(dp_tunnel_out_sa(9), DP_SA_INVALID);
	CU_ASSERT_EQUAL(stats().live, st0.live);
	CU_ASSERT_EQUAL(stats().install_fail, st0.install_fail + 1);

	/* First one in use: the valid outbound one is not installed either. */
	out = gcm(0x2100, GW_SA_OUT, 9);
	CU_ASSERT_EQUAL_FATAL(dp_sa_install(&in, &hx), 0);
	CU_ASSERT_EQUAL(dp_sa_install_pair(&in, &out, &hi, &ho), -EEXIST);
	CU_ASSERT_EQUAL(dp_tunnel_out_sa(9), DP_SA_INVALID);
	CU_ASSERT_EQUAL(stats().live, st0.live + 1);
	CU_ASSERT_EQUAL(dp_sa_retire(hx), 0);

	/* Directions swapped. */
	CU_ASSERT_EQUAL(dp_sa_install_pair(&out, &in, &hi, &ho), -EINVAL);

	CU_ASSERT_EQUAL_FATAL(dp_sa_install_pair(&in, &out, &hi, &ho), 0);
	CU_ASSERT_EQUAL(dp_sa_find_in(0x1100), hi);
	CU_ASSERT_EQUAL(dp_tunnel_out_sa(9), ho);
	CU_ASSERT_EQUAL(dp_sa_info(hi, &ii), 0);
	CU_ASSERT_EQUAL(dp_sa_info(ho, &io), 0);
	CU_ASSERT_EQUAL(ii.owner, io.owner);		/* one owner per pair */
	CU_ASSERT_EQUAL(io.tunnel, 9);
	CU_ASSERT_EQUAL(stats().live, st0.live + 2);
	CU_ASSERT_EQUAL(dp_sa_retire_batch((uint32_t[]){ hi, ho, hi, DP_SA_INVALID }, 4), 2);
	CU_ASSERT_EQUAL(dp_tunnel_out_sa(9), DP_SA_INVALID);
	dp_reclaim();
	CU_ASSERT_EQUAL(stats().live, st0.live);
	CU_ASSERT_EQUAL(stats().retiring, st0.retiring);
}

static void test_rekey(void)
{
	struct gw_sa_desc i1 = gcm(0x1201, GW_SA_IN, 12), o1 = gcm(0x2201, GW_SA_OUT, 12);
	struct gw_sa_desc i2 = gcm(0x1202, GW_SA_IN, 12), o2 = gcm(0x2202, GW_SA_OUT, 12);
	uint32_t hi1, ho1, hi2, ho2;
	struct dp_sa_info info;

	CU_ASSERT_EQUAL_FATAL(dp_sa_install_pair(&i1, &o1, &hi1, &ho1), 0);
	CU_ASSERT_EQUAL(dp_tunnel_out_sa(12), ho1);
	CU_ASSERT_EQUAL_FATAL(dp_sa_install_pair(&i2, &o2, &hi2, &ho2), 0);
	CU_ASSERT_EQUAL(dp_tunnel_out_sa(12), ho2);	/* swapped */
	/* The old pair stays installed until retired. */
	CU_ASSERT_PTR_NOT_NULL(esp_sa_get(ho1));
	CU_ASSERT_EQUAL(dp_sa_info(ho1, &info), 0);
	CU_ASSERT_EQUAL(info.state, DP_SA_LIVE);
	CU_ASSERT_EQUAL(info.spi, 0x2201);
	CU_ASSERT_EQUAL(dp_sa_find_in(0x1201), hi1);
	CU_ASSERT_EQUAL(dp_sa_find_in(0x1202), hi2);
	/* Retiring the old outbound SA leaves the new one current. */
	CU_ASSERT_EQUAL(dp_sa_retire(ho1), 0);
	CU_ASSERT_EQUAL(dp_tunnel_out_sa(12), ho2);
	CU_ASSERT_EQUAL(dp_sa_retire(hi1), 0);
	CU_ASSERT_EQUAL(dp_sa_find_in(0x1202), hi2);
	dp_reclaim();
	CU_ASSERT_EQUAL(dp_sa_retire(ho2), 0);
	CU_ASSERT_EQUAL(dp_tunnel_out_sa(12), DP_SA_INVALID);
	CU_ASSERT_EQUAL(dp_sa_retire(hi2), 0);
	dp_reclaim();
}

static void test_iterate(void)
{
	uint32_t h[3], n = 0, seen = 0;

	for (unsigned i = 0; i < 3; i++) {
		struct gw_sa_desc d = gcm(0x1300 + i, GW_SA_IN, 1);

		CU_ASSERT_EQUAL_FATAL(dp_sa_install(&d, &h[i]), 0);
	}
	CU_ASSERT_EQUAL(dp_sa_retire(h[1]), 0);		/* retiring: still listed */
	for (uint32_t x = dp_sa_next(DP_SA_INVALID); x != DP_SA_INVALID; x = dp_sa_next(x)) {
		for (unsigned i = 0; i < 3; i++)
			if (x == h[i])
				seen |= 1u << i;
		n++;
	}
	CU_ASSERT_EQUAL(seen, 7);
	CU_ASSERT_EQUAL(n, stats().live + stats().retiring);
	dp_sa_retire_batch(h, 3);
	dp_reclaim();
	CU_ASSERT_EQUAL(dp_sa_next(DP_SA_INVALID), DP_SA_INVALID);
}

static void test_bulk_lookup(void)
{
	enum { N = 100, Q = 150 };
	uint32_t h[N], spi_be[Q], got[Q];

	for (unsigned i = 0; i < N; i++) {
		struct gw_sa_desc d = gcm(0x10000 + i, GW_SA_IN, 1);

		CU_ASSERT_EQUAL_FATAL(dp_sa_install(&d, &h[i]), 0);
	}
	CU_ASSERT_EQUAL(dp_sa_retire(h[7]), 0);
	for (unsigned i = 0; i < Q; i++)	/* 0x10000 .. 0x10095, in two chunks and more */
		spi_be[i] = htonl(0x10000 + i);
	esp_sa_lookup_in_bulk(spi_be, Q, got);
	for (unsigned i = 0; i < Q; i++) {
		uint32_t want = i < N && i != 7 ? h[i] : DP_SA_INVALID;

		CU_ASSERT_EQUAL(got[i], want);
	}
	esp_sa_lookup_in_bulk(spi_be + 3, 1, got);
	CU_ASSERT_EQUAL(got[0], h[3]);
	dp_sa_retire_batch(h, N);
	dp_reclaim();
	esp_sa_lookup_in_bulk(spi_be, 64, got);
	for (unsigned i = 0; i < 64; i++)
		CU_ASSERT_EQUAL(got[i], DP_SA_INVALID);
}

static void test_encap_dport(void)
{
	struct gw_sa_desc o = gcm(0x2400, GW_SA_OUT, 20), p = gcm(0x2401, GW_SA_OUT, 21);
	struct dp_sa_info info;
	uint32_t h, hp;

	o.encap = true;
	CU_ASSERT_EQUAL_FATAL(dp_sa_install(&o, &h), 0);
	CU_ASSERT_EQUAL_FATAL(dp_sa_install(&p, &hp), 0);
	CU_ASSERT_EQUAL(dp_sa_info(h, &info), 0);
	CU_ASSERT_TRUE(info.encap);
	CU_ASSERT_EQUAL(info.encap_sport, 4500);
	CU_ASSERT_EQUAL(info.encap_dport, 4500);
	CU_ASSERT_EQUAL(dp_sa_set_encap_dport(h, 40001), 0);
	CU_ASSERT_EQUAL(esp_sa_get(h)->encap_dport_be, htons(40001));
	CU_ASSERT_EQUAL(dp_sa_info(h, &info), 0);
	CU_ASSERT_EQUAL(info.encap_dport, 40001);
	CU_ASSERT_EQUAL(dp_sa_set_encap_dport(h, 0), -EINVAL);
	CU_ASSERT_EQUAL(dp_sa_set_encap_dport(hp, 40001), -EINVAL);	/* plain ESP */
	CU_ASSERT_EQUAL(dp_sa_retire(h), 0);
	CU_ASSERT_EQUAL(dp_sa_set_encap_dport(h, 40002), -ENOENT);
	CU_ASSERT_EQUAL(dp_sa_retire(hp), 0);
	dp_reclaim();
}

static void test_no_replay_flag(void)
{
	struct gw_sa_desc a = gcm(0x1500, GW_SA_IN, 1), b = gcm(0x1501, GW_SA_IN, 1);
	uint32_t ha, hb;

	dp_sa_bench_no_replay(true);
	CU_ASSERT_EQUAL_FATAL(dp_sa_install(&a, &ha), 0);
	dp_sa_bench_no_replay(false);
	CU_ASSERT_EQUAL_FATAL(dp_sa_install(&b, &hb), 0);
	CU_ASSERT((esp_sa_get(ha)->flags & ESP_SA_F_NO_REPLAY) != 0);
	CU_ASSERT((esp_sa_get(hb)->flags & ESP_SA_F_NO_REPLAY) == 0);
	dp_sa_retire_batch((uint32_t[]){ ha, hb }, 2);
	dp_reclaim();
}

static void drain_events(void)
{
	struct dp_sa_event ev[64];

	while (dp_sa_events_dequeue(ev, RTE_DIM(ev)) != 0)
		;
}

static void test_events(void)
{
	struct dp_sa_event ev[8];
	uint64_t lost0;
	unsigned n, posted = 0;

	drain_events();
	esp_sa_event(DP_SA_EV_SOFT_LIFETIME, 0x42, 7);
	esp_sa_event(DP_SA_EV_SEQ_OVERFLOW, 0x43, 8);
	n = dp_sa_events_dequeue(ev, RTE_DIM(ev));
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_EQUAL(ev[0].type, DP_SA_EV_SOFT_LIFETIME);
	CU_ASSERT_EQUAL(ev[0].handle, 0x42);
	CU_ASSERT_EQUAL(ev[0].tunnel, 7);
	CU_ASSERT_EQUAL(ev[1].type, DP_SA_EV_SEQ_OVERFLOW);
	CU_ASSERT_STRING_EQUAL(dp_sa_event_name(DP_SA_EV_ACQUIRE), "ACQUIRE");
	CU_ASSERT_STRING_EQUAL(dp_sa_event_name(DP_SA_EV_HARD_LIFETIME), "HARD_LIFETIME");
	CU_ASSERT_STRING_EQUAL(dp_sa_event_name(DP_SA_EV_MAX), "?");

	/* Acquire: one per tunnel per 100 ms. */
	esp_sa_acquire(30);
	esp_sa_acquire(30);
	esp_sa_acquire(31);
	esp_sa_acquire(DP_TUNNEL_MAX);			/* ignored */
	n = dp_sa_events_dequeue(ev, RTE_DIM(ev));
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_EQUAL(ev[0].type, DP_SA_EV_ACQUIRE);
	CU_ASSERT_EQUAL(ev[0].handle, DP_SA_INVALID);
	CU_ASSERT_EQUAL(ev[0].tunnel, 30);
	CU_ASSERT_EQUAL(ev[1].tunnel, 31);
	rte_delay_ms(120);
	esp_sa_acquire(30);
	CU_ASSERT_EQUAL(dp_sa_events_dequeue(ev, RTE_DIM(ev)), 1);

	/* A full ring loses events and counts them. */
	lost0 = dp_sa_events_lost();
	for (unsigned i = 0; i < 5000; i++)
		esp_sa_event(DP_SA_EV_HARD_LIFETIME, i, 1);
	for (n = dp_sa_events_dequeue(ev, RTE_DIM(ev)); n != 0;
	     n = dp_sa_events_dequeue(ev, RTE_DIM(ev)))
		posted += n;
	CU_ASSERT(posted >= 4000 && posted < 5000);
	CU_ASSERT_EQUAL(dp_sa_events_lost() - lost0, 5000 - posted);
}

/* A stale handle never names the SA that reuses its slot. */
static void test_stale_handle(uint32_t stale, uint32_t fresh)
{
	struct dp_sa_info info;

	CU_ASSERT_EQUAL(stale & (DP_SA_MAX - 1), fresh & (DP_SA_MAX - 1));
	CU_ASSERT_NOT_EQUAL(stale, fresh);
	CU_ASSERT_PTR_NULL(esp_sa_get(stale));
	CU_ASSERT_EQUAL(dp_sa_info(stale, &info), -ENOENT);
	CU_ASSERT_EQUAL(dp_sa_retire(stale), -ENOENT);
	CU_ASSERT_EQUAL(dp_sa_set_encap_dport(stale, 1), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(esp_sa_get(fresh));
	CU_ASSERT_EQUAL(dp_sa_info(fresh, &info), 0);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Fill every slot (outbound SAs: no hash pressure; inbound ones would
 * also fit, DP_SA_MAX + a retire batch of headroom), see -ENOSPC, retire
 * all in batches, reclaim, and see the first slot come back with a new
 * generation.  Free slots are reused first in, first out, so filling the
 * table is also the way to show a slot being reused.
 */
static void test_table_full(void)
{
	struct dp_sa_stats st0 = stats();
	struct gw_sa_desc d = gcm(0x100000, GW_SA_IN, 1);
	uint32_t *h = calloc(DP_SA_MAX, sizeof(*h)), n = 0, extra;
	const uint32_t batch = DP_SA_RETIRE_BATCH_MAX;
	double t0 = now_s(), t_fill;

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	while (dp_sa_install(&d, &h[n]) == 0) {
		n++;
		d.spi++;
	}
	t_fill = now_s() - t0;
	printf("\n  filled %u inbound SAs in %.2f s (%.0f installs/s) ", n, t_fill, n / t_fill);
	CU_ASSERT_EQUAL(n, DP_SA_MAX - st0.live - st0.retiring);
	CU_ASSERT_EQUAL(dp_sa_install(&d, &extra), -ENOSPC);
	CU_ASSERT_EQUAL(stats().live, DP_SA_MAX - st0.retiring);
	for (uint32_t i = 0; i < n; i += batch)
		CU_ASSERT_EQUAL(dp_sa_retire_batch(h + i, RTE_MIN(n - i, batch)),
				RTE_MIN(n - i, batch));
	CU_ASSERT_EQUAL(dp_sa_find_in(0x100000), DP_SA_INVALID);
	dp_reclaim();
	CU_ASSERT_EQUAL(stats().live, st0.live);
	CU_ASSERT_EQUAL(stats().retiring, st0.retiring);
	CU_ASSERT_EQUAL(stats().reclaimed, st0.reclaimed + n);
	CU_ASSERT_EQUAL_FATAL(dp_sa_install(&d, &extra), 0);
	test_stale_handle(h[0], extra);
	CU_ASSERT_EQUAL(dp_sa_retire(extra), 0);
	dp_reclaim();
	printf("(total %.2f s) ", now_s() - t0);
	free(h);
}

static void test_baseline(void)
{
	struct dp_sa_stats st = stats();

	CU_ASSERT_EQUAL(st.live, 0);
	CU_ASSERT_EQUAL(st.retiring, 0);
	CU_ASSERT_EQUAL(st.reclaimed, st.retired);
	printf("\n  installed %" PRIu64 ", reclaimed %" PRIu64 ", grace mean %" PRIu64
	       " ns, max %" PRIu64 " ns ", st.installed, st.reclaimed,
	       st.reclaimed ? st.grace_ns_sum / st.reclaimed : 0, st.grace_ns_max);
}

/* Destroy with SAs live and retiring, destroy again (a no-op), create. */
static void test_destroy_create(void)
{
	struct gw_sa_desc a = gcm(0x1600, GW_SA_IN, 1), b = gcm(0x2600, GW_SA_OUT, 1);
	struct dp_sa_stats st;
	uint32_t ha, hb;

	CU_ASSERT_EQUAL_FATAL(dp_sa_install_pair(&a, &b, &ha, &hb), 0);
	CU_ASSERT_EQUAL(dp_sa_retire(ha), 0);
	dp_sa_table_destroy();
	dp_sa_stats(&st);
	CU_ASSERT_EQUAL(st.live, 0);
	CU_ASSERT_EQUAL(dp_sa_info(hb, &(struct dp_sa_info){ 0 }), -ENOENT);
	CU_ASSERT_EQUAL(dp_sa_install(&a, &ha), -EINVAL);	/* no table */
	CU_ASSERT_EQUAL(dp_sa_next(DP_SA_INVALID), DP_SA_INVALID);
	dp_sa_table_destroy();
	CU_ASSERT_EQUAL_FATAL(dp_sa_table_create(dp_nb_workers()), 0);
	CU_ASSERT_EQUAL(dp_sa_table_create(dp_nb_workers()), -EALREADY);
	CU_ASSERT_EQUAL(dp_tunnel_out_sa(1), DP_SA_INVALID);
	CU_ASSERT_EQUAL_FATAL(dp_sa_install_pair(&a, &b, &ha, &hb), 0);
	CU_ASSERT_EQUAL(dp_tunnel_out_sa(1), hb);
	dp_sa_retire_batch((uint32_t[]){ ha, hb }, 2);
	dp_reclaim();
	dp_sa_stats(&st);
	CU_ASSERT_EQUAL(st.reclaimed, 2);
}

static int suite_init(void)
{
	cw = esp_crypto_wk_create(SOCKET_ID_ANY);
	if (cw == NULL)
		return -1;
	return test_dp_suite_init();
}

static int suite_fini(void)
{
	esp_crypto_wk_free(cw);
	return test_dp_suite_fini();
}

int main(void)
{
	static const char *const argv[] = { TEST_DP_NULL_PORTS };
	static const struct test_dp_case cases[] = {
		{ "runtime record: IPv4, CBC+HMAC, ESN", test_rt_ipv4_out },
		{ "runtime record: IPv6, UDP-encapsulated", test_rt_ipv6_encap },
		{ "runtime record: inbound template", test_rt_ipv4_encap_in },
		{ "runtime record: refused descriptors", test_rt_refused },
		{ "install, retire, reclaim", test_install_retire_reclaim },
		{ "SPIs 1..255 refused", test_spi_reserved },
		{ "refused descriptors install nothing", test_refused_descriptors },
		{ "duplicate inbound SPI", test_duplicate_in },
		{ "pair: both or neither", test_pair_both_or_neither },
		{ "rekey swaps the outbound SA", test_rekey },
		{ "iteration", test_iterate },
		{ "bulk inbound lookup", test_bulk_lookup },
		{ "NAT rebinding of the UDP port", test_encap_dport },
		{ "benchmark replay-off flag", test_no_replay_flag },
		{ "events and acquire rate limit", test_events },
		{ "table full, slot reuse", test_table_full },
		{ "back to baseline", test_baseline },
		{ "destroy and create again", test_destroy_create },
	};

	if (test_dp_begin("esp_sa", (int)RTE_DIM(argv), argv) != 0)
		return 1;
	test_dp_suite("esp_sa", suite_init, suite_fini, cases, RTE_DIM(cases));
	return test_dp_end();
}
