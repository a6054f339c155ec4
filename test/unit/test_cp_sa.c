/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane's SA seam (controlplane/cp_sa.c) on a real data plane
 * (dp_init with two null ports, workers not launched) and its telemetry
 * (controlplane/cp_tm_sa.c), run through the handlers directly:
 *   - manual SAs installed as pairs with the descriptor fields taken from
 *     the configuration (direction, SPI, keys' algorithm, tunnel = index,
 *     encapsulation ports, endpoints), found by SPI and as their tunnel's
 *     outbound SA; tunnel ids for IKE allocated after them;
 *   - the policy set: protect rules from every manual SA's selectors (both
 *     directions), bypass and discard from `policies`, pairs of one family
 *     only, no match = bypass;
 *   - a manual SA whose local address is not ours refused at start, naming it;
 *   - /ipsecgw/sas over two pages (ids ascending, columns aligned),
 *     /ipsecgw/sa,HANDLE with lifetimes (soft = 90 %) and every drop name,
 *     /ipsecgw/dp/drops with exactly the DP_DROPS names, /ipsecgw/sa_stats;
 *   - `clear`: the pair unpublished, the policy kept (protected traffic
 *     still matches PROTECT, so it is dropped, never bypassed), a second
 *     clear and an unknown name refused.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>

#include "cfg/cfg.h"
#include "common/gw_esp.h"
#include "controlplane/cp_sa.h"
#include "controlplane/cp_tm.h"
#include "controlplane/cp_tm_sa.h"
#include "dataplane/dp_sa.h"
#include "dataplane/dp_spd.h"
#include "dataplane/dp_stats.h"
#include "test/unit/test_dp.h"

enum {
	N_SAS = 20,		/* 40 SA handles: two pages of /ipsecgw/sas */
	JSON_MAX = 32768,
};

static struct gw_cfg cfg;
static struct cfg_manual_sa sas[N_SAS];
static struct cfg_policy pols[2];
static char J[JSON_MAX];

/* ---- configuration built in code (in suite set-up: no CUnit asserts) ---- */

static bool cfg_bad;

static struct gw_addr addr(const char *s)
{
	struct gw_addr a;

	memset(&a, 0, sizeof(a));
	cfg_bad |= gw_addr_parse(s, &a) != 0;
	return a;
}

static struct gw_prefix prefix(const char *s)
{
	struct gw_prefix p;

	memset(&p, 0, sizeof(p));
	cfg_bad |= gw_prefix_parse(s, &p) != 0;
	return p;
}

static void fill_key(uint8_t *k, unsigned len, uint8_t seed)
{
	for (unsigned i = 0; i < len; i++)
		k[i] = (uint8_t)(seed + i * 7);
}

static void manual_sa(struct cfg_manual_sa *m, const char *name, uint8_t alg, const char *lts,
		      const char *rts, uint32_t spi_in, uint32_t spi_out)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->local = addr("10.10.0.1");
	m->remote = addr("10.10.0.2");
	m->local_ts[m->n_local_ts++] = prefix(lts);
	m->remote_ts[m->n_remote_ts++] = prefix(rts);
	m->alg = alg;
	m->spi_in = spi_in;
	m->spi_out = spi_out;
	m->enc_key_len = (uint8_t)gw_esp_enc_key_len(alg);
	m->auth_key_len = (uint8_t)gw_esp_auth_key_len(alg);
	fill_key(m->enc_key_in, m->enc_key_len, (uint8_t)spi_in);
	fill_key(m->enc_key_out, m->enc_key_len, (uint8_t)spi_out);
	fill_key(m->auth_key_in, m->auth_key_len, (uint8_t)(spi_in + 1));
	fill_key(m->auth_key_out, m->auth_key_len, (uint8_t)(spi_out + 1));
	m->replay_window = 64;
	m->encap_port = GW_NATT_PORT;
	m->allow_unsafe_manual_gcm = gw_esp_alg_is_aead(alg);
	m->line = 10;
}

/*
 * lab4: IPv4 inside, AES-128-GCM; lab6: IPv6 inside, AES-256-CBC +
 * HMAC-SHA-256, UDP-encapsulated to port 4501, 1000-packet lifetime;
 * lab2..lab19: IPv4, AES-128-GCM.  Policies: 192.168.0.0/16 -> 10.99/16
 * bypass, -> 198.51.100/24 (and an IPv6 pair) discard.
 */
static void build_cfg(void)
{
	char name[16], lts[32], rts[32];

	test_dp_cfg(&cfg, "net_null0", "net_null1");
	snprintf(cfg.path, sizeof(cfg.path), "test.conf");
	manual_sa(&sas[0], "lab4", ESP_ALG_AES128GCM16, "192.168.10.0/24", "172.16.1.0/24",
		  0x1001, 0x2001);
	manual_sa(&sas[1], "lab6", ESP_ALG_AES256_SHA256, "2001:db8:20::/64", "2001:db8:40::/64",
		  0x1002, 0x2002);
	sas[1].encap = true;
	sas[1].encap_port = 4501;
	sas[1].lifetime_packets = 1000;
	sas[1].lifetime_bytes = 123456789;
	for (unsigned i = 2; i < N_SAS; i++) {
		snprintf(name, sizeof(name), "lab%u", i);
		snprintf(lts, sizeof(lts), "192.168.%u.0/24", 100 + i);
		snprintf(rts, sizeof(rts), "172.16.%u.0/24", 100 + i);
		manual_sa(&sas[i], name, ESP_ALG_AES128GCM16, lts, rts, 0x1000 + i + 1, 0x2000 + i + 1);
	}
	cfg.manual_sas = sas;
	cfg.n_manual_sas = N_SAS;
	memset(pols, 0, sizeof(pols));
	pols[0].local_ts[pols[0].n_local_ts++] = prefix("192.168.0.0/16");
	pols[0].remote_ts[pols[0].n_remote_ts++] = prefix("10.99.0.0/16");
	pols[0].action = CFG_POLICY_BYPASS;
	/* A mixed list: only the pairs of one family make rules (2 here). */
	pols[1].local_ts[pols[1].n_local_ts++] = prefix("192.168.0.0/16");
	pols[1].local_ts[pols[1].n_local_ts++] = prefix("2001:db8:20::/64");
	pols[1].remote_ts[pols[1].n_remote_ts++] = prefix("198.51.100.0/24");
	pols[1].remote_ts[pols[1].n_remote_ts++] = prefix("2001:db8:99::/48");
	pols[1].action = CFG_POLICY_DISCARD;
	cfg.policies = pols;
	cfg.n_policies = 2;
}

static int suite_init(void)
{
	build_cfg();
	if (cfg_bad || dp_init(&cfg) != 0)
		return -1;
	return cp_sa_init(&cfg) == 0 ? 0 : -1;
}

static int suite_fini(void)
{
	cp_sa_fini();
	dp_fini();
	return 0;
}

/* ---- helpers ---- */

static const char *run(tm_handler_fn fn, const char *params)
{
	int n = tm_run_to_json(fn, params, J, sizeof(J));

	CU_ASSERT_FATAL(n > 0);
	return J;
}

static bool has(const char *s)
{
	if (strstr(J, s) != NULL)
		return true;
	fprintf(stderr, "\nexpected %s in %s\n", s, J);
	return false;
}

static uint64_t json_u64(const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(J, pat);
	CU_ASSERT_FATAL(p != NULL);
	return strtoull(p + strlen(pat), NULL, 10);
}

/* The elements of array key (numbers) into v; their count. */
static unsigned json_u64s(const char *key, uint64_t *v, unsigned max)
{
	char pat[64];
	const char *p;
	unsigned n = 0;

	snprintf(pat, sizeof(pat), "\"%s\":[", key);
	p = strstr(J, pat);
	CU_ASSERT_FATAL(p != NULL);
	p += strlen(pat);
	while (*p != ']' && n < max) {
		char *end;

		v[n++] = strtoull(p, &end, 10);
		p = *end == ',' ? end + 1 : end;
	}
	return n;
}

/* Element idx of string array key, into buf. */
static const char *json_str_at(const char *key, unsigned idx, char *buf, size_t len)
{
	char pat[64];
	const char *p, *e;

	snprintf(pat, sizeof(pat), "\"%s\":[", key);
	p = strstr(J, pat);
	CU_ASSERT_FATAL(p != NULL);
	p += strlen(pat);
	for (unsigned i = 0; i < idx; i++) {
		p = strstr(p, "\",\"");
		CU_ASSERT_FATAL(p != NULL);
		p += 2;
	}
	CU_ASSERT_FATAL(*p == '"');
	e = strchr(p + 1, '"');
	snprintf(buf, len, "%.*s", (int)(e - p - 1), p + 1);
	return buf;
}

static struct dp_spd_match spd4(const char *src, const char *dst, bool *hit)
{
	struct gw_addr s = test_addr(src), d = test_addr(dst);
	struct dp_spd_match m;

	memset(&m, 0xff, sizeof(m));
	*hit = dp_spd_lookup4(s.v4, d.v4, &m);
	return m;
}

static struct dp_spd_match spd6(const char *src, const char *dst, bool *hit)
{
	struct gw_addr s = test_addr(src), d = test_addr(dst);
	struct dp_spd_match m;

	memset(&m, 0xff, sizeof(m));
	*hit = dp_spd_lookup6(s.v6, d.v6, &m);
	return m;
}

/* ---- installation ---- */

static void test_installed(void)
{
	struct cp_sa_manual m;
	struct dp_sa_info in, out;
	char a[GW_ADDR_STRLEN];

	CU_ASSERT_EQUAL(cp_sa_manual_count(), N_SAS);
	for (unsigned i = 0; i < N_SAS; i++) {
		CU_ASSERT_FATAL(cp_sa_manual_get(i, &m) == 0);
		CU_ASSERT_STRING_EQUAL(m.name, sas[i].name);
		CU_ASSERT_EQUAL(m.tunnel, i);
		CU_ASSERT_FALSE(m.cleared);
		CU_ASSERT_FATAL(dp_sa_info(m.h_in, &in) == 0 && dp_sa_info(m.h_out, &out) == 0);
		CU_ASSERT_EQUAL(in.dir, GW_SA_IN);
		CU_ASSERT_EQUAL(out.dir, GW_SA_OUT);
		CU_ASSERT_EQUAL(in.spi, sas[i].spi_in);
		CU_ASSERT_EQUAL(out.spi, sas[i].spi_out);
		CU_ASSERT_EQUAL(in.tunnel, i);
		CU_ASSERT_EQUAL(out.tunnel, i);
		CU_ASSERT_EQUAL(in.alg, sas[i].alg);
		CU_ASSERT_EQUAL(in.session_id, 0);
		CU_ASSERT_EQUAL(in.state, DP_SA_LIVE);
		CU_ASSERT_STRING_EQUAL(in.name, sas[i].name);
		CU_ASSERT_STRING_EQUAL(gw_addr_fmt(&out.local, a, sizeof(a)), "10.10.0.1");
		CU_ASSERT_STRING_EQUAL(gw_addr_fmt(&out.remote, a, sizeof(a)), "10.10.0.2");
		CU_ASSERT_EQUAL(dp_sa_find_in(sas[i].spi_in), m.h_in);
		CU_ASSERT_EQUAL(dp_tunnel_out_sa(i), m.h_out);
	}
	/* lab6: ESP in UDP from 4500 to the configured port. */
	CU_ASSERT_FATAL(cp_sa_manual_get(1, &m) == 0);
	CU_ASSERT_FATAL(dp_sa_info(m.h_out, &out) == 0);
	CU_ASSERT_TRUE(out.encap);
	CU_ASSERT_EQUAL(out.encap_sport, 4500);
	CU_ASSERT_EQUAL(out.encap_dport, 4501);
	CU_ASSERT_EQUAL(m.life_hard_pkts, 1000);
	CU_ASSERT_EQUAL(m.life_soft_pkts, 900);
	CU_ASSERT_EQUAL(m.life_hard_bytes, 123456789);
	CU_ASSERT_EQUAL(m.life_soft_bytes, 111111110);
	CU_ASSERT_FATAL(cp_sa_manual_get(0, &m) == 0);
	CU_ASSERT_FATAL(dp_sa_info(m.h_out, &out) == 0);
	CU_ASSERT_FALSE(out.encap);
	CU_ASSERT_EQUAL(cp_sa_manual_get(N_SAS, &m), -ENOENT);
	/* IKE's tunnels come after the manual SAs'. */
	CU_ASSERT_EQUAL(cp_sa_tunnel_alloc(), N_SAS);
	CU_ASSERT_EQUAL(cp_sa_tunnel_alloc(), N_SAS + 1);
}

static void test_policies(void)
{
	struct dp_spd_match m;
	bool hit;

	/* One protect rule per manual SA, 1 bypass, 2 discard (mixed-family pairs skipped). */
	CU_ASSERT_EQUAL(dp_spd_count(), N_SAS + 1 + 2);
	m = spd4("192.168.10.5", "172.16.1.7", &hit);
	CU_ASSERT_TRUE(hit);
	CU_ASSERT_EQUAL(m.action, DP_SPD_PROTECT);
	CU_ASSERT_EQUAL(m.dir, DP_SPD_OUT);
	CU_ASSERT_EQUAL(m.tunnel, 0);
	m = spd4("172.16.1.7", "192.168.10.5", &hit);
	CU_ASSERT_TRUE(hit);
	CU_ASSERT_EQUAL(m.action, DP_SPD_PROTECT);
	CU_ASSERT_EQUAL(m.dir, DP_SPD_IN);
	m = spd4("192.168.119.1", "172.16.119.1", &hit);
	CU_ASSERT_TRUE(hit);
	CU_ASSERT_EQUAL(m.tunnel, 19);
	m = spd6("2001:db8:20::10", "2001:db8:40::10", &hit);
	CU_ASSERT_TRUE(hit);
	CU_ASSERT_EQUAL(m.action, DP_SPD_PROTECT);
	CU_ASSERT_EQUAL(m.tunnel, 1);
	m = spd4("192.168.10.5", "10.99.3.4", &hit);
	CU_ASSERT_TRUE(hit);
	CU_ASSERT_EQUAL(m.action, DP_SPD_BYPASS);
	m = spd4("192.168.10.5", "198.51.100.9", &hit);
	CU_ASSERT_TRUE(hit);
	CU_ASSERT_EQUAL(m.action, DP_SPD_DISCARD);
	m = spd6("2001:db8:20::10", "2001:db8:99::1", &hit);
	CU_ASSERT_TRUE(hit);
	CU_ASSERT_EQUAL(m.action, DP_SPD_DISCARD);
	/* No rule: bypass.  Neither the mixed pair 192.168/16 x 2001:db8:99::/48. */
	spd4("192.168.10.5", "8.8.8.8", &hit);
	CU_ASSERT_FALSE(hit);
	spd4("10.0.0.1", "172.16.1.7", &hit);
	CU_ASSERT_FALSE(hit);
}

/*
 * Let the grace period pass and the replaced tables go (no workers run:
 * every reader is quiescent), so that a rebuilt IPv6 policy table (64 MiB
 * of tbl24 each) fits next to the one it replaces.
 */
static void reclaim_all(void)
{
	for (int i = 0; i < 50; i++) {
		dp_reclaim();
		usleep(2000);
	}
}

/* A manual SA whose local address is not ours: start-up fails, nothing stays. */
static void test_local_not_ours(void)
{
	struct gw_cfg bad = cfg;
	struct cfg_manual_sa one[2];

	memcpy(one, sas, sizeof(one));
	one[1].local = test_addr("10.10.0.9");
	bad.manual_sas = one;
	bad.n_manual_sas = 2;
	cp_sa_fini();
	CU_ASSERT_EQUAL(dp_sa_find_in(sas[0].spi_in), DP_SA_INVALID);
	reclaim_all();
	CU_ASSERT_EQUAL(cp_sa_init(&bad), -EADDRNOTAVAIL);
	CU_ASSERT_EQUAL(cp_sa_manual_count(), 0);
	/* lab4, installed before lab6 failed, was retired again. */
	CU_ASSERT_EQUAL(dp_sa_find_in(sas[0].spi_in), DP_SA_INVALID);
	CU_ASSERT_EQUAL(dp_tunnel_out_sa(0), DP_SA_INVALID);
	/* The real configuration comes back (the retired SPIs may be reused). */
	reclaim_all();
	CU_ASSERT_EQUAL(cp_sa_init(&cfg), 0);
	CU_ASSERT_EQUAL(cp_sa_manual_count(), N_SAS);
	reclaim_all();
}

/* ---- telemetry ---- */

static const char *const drop_names[] = {
#define X(n, d) #n,
	DP_DROPS(X)
#undef X
};

static void test_tm_drops(void)
{
	char want[64];

	run(cp_tm_sa_drops, NULL);
	CU_ASSERT_EQUAL(RTE_DIM(drop_names), DP_DROP_MAX);
	for (unsigned i = 0; i < RTE_DIM(drop_names); i++) {
		snprintf(want, sizeof(want), "%s\"%s\":0", i == 0 ? "{" : ",", drop_names[i]);
		CU_ASSERT(has(want));
	}
	/* Exactly those names: one ':' per entry. */
	{
		unsigned colons = 0;

		for (const char *p = J; *p != '\0'; p++)
			colons += *p == ':';
		CU_ASSERT_EQUAL(colons, DP_DROP_MAX);
	}
	/* A counted drop shows in its own entry. */
	dp_count_lcore(rte_lcore_id(), DP_C_drop_protect_no_sa, 3);
	run(cp_tm_sa_drops, NULL);
	CU_ASSERT(has(",\"drop_protect_no_sa\":3,"));
	dp_count_lcore(rte_lcore_id(), DP_C_drop_protect_no_sa, (uint64_t)-3);
}

/* Every SA through the pages; ids ascending and each column aligned. */
static void test_tm_sas_pages(void)
{
	uint64_t ids[2 * N_SAS + 8], v[64], start = 0, next;
	unsigned seen = 0, pages = 0, n, count = 0;
	char p[24], name[64], spi[16], want[16];
	struct dp_sa_info info;

	do {
		snprintf(p, sizeof(p), "%" PRIu64, start);
		run(cp_tm_sa_list, p);
		CU_ASSERT_FATAL(strstr(J, "\"error\"") == NULL);
		count = (unsigned)json_u64("count");
		next = json_u64("next");
		n = json_u64s("ids", v, RTE_DIM(v));
		CU_ASSERT_FATAL(n <= CP_TM_SA_PAGE && seen + n <= RTE_DIM(ids));
		for (unsigned i = 0; i < n; i++) {
			CU_ASSERT_FATAL(dp_sa_info((uint32_t)v[i], &info) == 0);
			CU_ASSERT_STRING_EQUAL(json_str_at("name", i, name, sizeof(name)), info.name);
			snprintf(want, sizeof(want), "0x%08" PRIx32, info.spi);
			CU_ASSERT_STRING_EQUAL(json_str_at("spi", i, spi, sizeof(spi)), want);
			CU_ASSERT_STRING_EQUAL(json_str_at("dir", i, spi, sizeof(spi)),
					       info.dir == GW_SA_IN ? "in" : "out");
			CU_ASSERT_STRING_EQUAL(json_str_at("state", i, spi, sizeof(spi)),
					       info.state == DP_SA_LIVE ? "live" : "retiring");
			ids[seen++] = v[i];
		}
		pages++;
		CU_ASSERT_FATAL(next == 0 || next > start);
		start = next;
	} while (next != 0 && pages < 10);
	/* 40 live SAs, and maybe some retired ones not reclaimed yet. */
	CU_ASSERT(count >= 2 * N_SAS && count <= RTE_DIM(ids));
	CU_ASSERT_EQUAL(pages, (count + CP_TM_SA_PAGE - 1) / CP_TM_SA_PAGE);
	CU_ASSERT_EQUAL(seen, count);
	for (unsigned i = 1; i < seen; i++)
		CU_ASSERT(ids[i] > ids[i - 1]);
	/* START between two ids: the page starts at the next one. */
	snprintf(p, sizeof(p), "%" PRIu64, ids[5] + 0);
	run(cp_tm_sa_list, p);
	CU_ASSERT_EQUAL(json_u64s("ids", v, RTE_DIM(v)), seen - 5 < CP_TM_SA_PAGE ? seen - 5 : CP_TM_SA_PAGE);
	CU_ASSERT_EQUAL(v[0], ids[5]);
	run(cp_tm_sa_list, "12x");
	CU_ASSERT(has("{\"error\":\"bad START '12x'"));
}

static void test_tm_sa_detail(void)
{
	struct cp_sa_manual m;
	char p[24], want[64];

	CU_ASSERT_FATAL(cp_sa_manual_get(1, &m) == 0);
	snprintf(p, sizeof(p), "%" PRIu32, m.h_out);
	run(cp_tm_sa_one, p);
	snprintf(want, sizeof(want), "{\"handle\":%" PRIu32 ",\"name\":\"lab6\",", m.h_out);
	CU_ASSERT(has(want));
	CU_ASSERT(has("\"kind\":\"manual\",\"session_id\":0,\"dir\":\"out\",\"spi\":\"0x00002002\","
		      "\"alg\":\"aes256-sha256\",\"state\":\"live\",\"stopped\":0,\"tunnel\":1,"));
	CU_ASSERT(has("\"local\":\"10.10.0.1\",\"remote\":\"10.10.0.2\",\"encap\":1,"
		      "\"encap_sport\":4500,\"encap_dport\":4501,\"esn\":0,"));
	CU_ASSERT(has("\"pkts\":0,\"bytes\":0,\"life_soft_bytes\":111111110,"
		      "\"life_hard_bytes\":123456789,\"life_soft_pkts\":900,\"life_hard_pkts\":1000,"));
	CU_ASSERT(has("\"owner\":"));
	CU_ASSERT(has("\"replay_window\":"));
	CU_ASSERT(has("\"seq\":"));
	for (unsigned i = 0; i < RTE_DIM(drop_names); i++) {
		snprintf(want, sizeof(want), ",\"%s\":0", drop_names[i]);
		CU_ASSERT(has(want));
	}
	snprintf(p, sizeof(p), "%" PRIu32, m.h_in);
	run(cp_tm_sa_one, p);
	CU_ASSERT(has("\"dir\":\"in\",\"spi\":\"0x00001002\","));
	run(cp_tm_sa_one, "4294967295");
	CU_ASSERT(has("{\"error\":\"no SA with handle 4294967295\"}"));
	run(cp_tm_sa_one, "99999999999");
	CU_ASSERT(has("{\"error\":\"no SA with handle"));
	run(cp_tm_sa_one, NULL);
	CU_ASSERT(has("{\"error\":\"usage: /ipsecgw/sa,HANDLE"));
	run(cp_tm_sa_one, "-1");
	CU_ASSERT(has("{\"error\":\"usage: /ipsecgw/sa,HANDLE"));
}

static void test_tm_stats(void)
{
	char want[64];

	run(cp_tm_sa_stats, NULL);
	snprintf(want, sizeof(want), "{\"live\":%u,\"retiring\":", 2 * N_SAS);
	CU_ASSERT(has(want));
	CU_ASSERT(has("\"installed\":"));
	CU_ASSERT(has("\"grace_us_last\":"));
	CU_ASSERT(has("\"grace_us_max\":"));
	CU_ASSERT(has("\"grace_us_mean\":"));
	CU_ASSERT(has("\"events_lost\":0,\"events_seen\":0,"));
	snprintf(want, sizeof(want), "\"policies\":%u,\"manual_sas\":%u}", N_SAS + 3, N_SAS);
	CU_ASSERT(has(want));
	/* No events pending: a tick drains nothing. */
	cp_sa_tick();
	CU_ASSERT_EQUAL(cp_sa_events_seen(), 0);
}

/* ---- clear ---- */

static void test_clear(void)
{
	struct cp_sa_manual m;
	struct dp_spd_match sm;
	struct dp_sa_info info;
	char want[160];
	uint64_t retired;
	bool hit;

	run(cp_tm_sa_stats, NULL);
	retired = json_u64("retired");
	CU_ASSERT_FATAL(cp_sa_manual_get(0, &m) == 0);
	run(cp_tm_sa_clear, "lab4");
	snprintf(want, sizeof(want), "{\"name\":\"lab4\",\"tunnel\":0,\"retired\":2,\"handle_in\":%"
		 PRIu32 ",\"handle_out\":%" PRIu32 ",\"spi_in\":\"0x00001001\","
		 "\"spi_out\":\"0x00002001\",", m.h_in, m.h_out);
	CU_ASSERT(has(want));
	/* Unpublished: no SPI lookup, no outbound SA for the tunnel. */
	CU_ASSERT_EQUAL(dp_sa_find_in(0x1001), DP_SA_INVALID);
	CU_ASSERT_EQUAL(dp_tunnel_out_sa(0), DP_SA_INVALID);
	/* Retiring until reclaimed: still readable, not live. */
	if (dp_sa_info(m.h_out, &info) == 0)
		CU_ASSERT_EQUAL(info.state, DP_SA_RETIRING);
	/* The policy stays: lab4's traffic is PROTECT (dropped), not bypassed. */
	sm = spd4("192.168.10.5", "172.16.1.7", &hit);
	CU_ASSERT_TRUE(hit);
	CU_ASSERT_EQUAL(sm.action, DP_SPD_PROTECT);
	CU_ASSERT_EQUAL(sm.tunnel, 0);
	CU_ASSERT_FATAL(cp_sa_manual_get(0, &m) == 0);
	CU_ASSERT_TRUE(m.cleared);
	CU_ASSERT_EQUAL(m.h_in, DP_SA_INVALID);
	/* The others are untouched. */
	CU_ASSERT_FATAL(cp_sa_manual_get(1, &m) == 0);
	CU_ASSERT_EQUAL(dp_tunnel_out_sa(1), m.h_out);
	CU_ASSERT_EQUAL(dp_sa_find_in(0x1002), m.h_in);

	run(cp_tm_sa_clear, "lab4");
	CU_ASSERT(has("{\"error\":\"manual SA 'lab4' is already cleared\"}"));
	CU_ASSERT_EQUAL(cp_sa_clear("lab4", NULL), -EALREADY);
	run(cp_tm_sa_clear, "nosuch");
	CU_ASSERT(has("{\"error\":\"no manual SA named 'nosuch'\"}"));
	CU_ASSERT_EQUAL(cp_sa_clear("nosuch", NULL), -ENOENT);
	run(cp_tm_sa_clear, NULL);
	CU_ASSERT(has("{\"error\":\"usage: /ipsecgw/sa_clear,NAME"));
	run(cp_tm_sa_clear, "a b");
	CU_ASSERT(has("{\"error\":\"usage: /ipsecgw/sa_clear,NAME"));
	run(cp_tm_sa_clear, "0123456789012345678901234567890123456789");
	CU_ASSERT(has("{\"error\":\"usage: /ipsecgw/sa_clear,NAME"));

	/* The direct API, as IKE will use it. */
	CU_ASSERT_EQUAL(cp_sa_clear("lab7", &m), 0);
	CU_ASSERT_EQUAL(m.spi_in, 0x1008);
	CU_ASSERT_EQUAL(dp_sa_find_in(0x1008), DP_SA_INVALID);
	CU_ASSERT_EQUAL(cp_sa_retire_pair(DP_SA_INVALID, DP_SA_INVALID), 0);
	run(cp_tm_sa_stats, NULL);
	CU_ASSERT_EQUAL(json_u64("retired"), retired + 4);
	/* After the grace period they are gone from the list. */
	reclaim_all();
	run(cp_tm_sa_list, NULL);
	CU_ASSERT_EQUAL(json_u64("count"), 2 * N_SAS - 4);
	run(cp_tm_sa_stats, NULL);
	CU_ASSERT_EQUAL(json_u64("retiring"), 0);
	CU_ASSERT(json_u64("grace_us_max") >= json_u64("grace_us_mean"));
}

int main(void)
{
	static const char *const eal[] = { "-l", "0-1", TEST_DP_NULL_PORTS };
	static const struct test_dp_case cases[] = {
		{ "manual SAs installed as pairs", test_installed },
		{ "policies: protect, bypass, discard, one family", test_policies },
		{ "local not ours: refused, undone", test_local_not_ours },
		{ "/ipsecgw/dp/drops", test_tm_drops },
		{ "/ipsecgw/sas over two pages", test_tm_sas_pages },
		{ "/ipsecgw/sa,HANDLE", test_tm_sa_detail },
		{ "/ipsecgw/sa_stats", test_tm_stats },
		{ "clear: pair retired, policy kept", test_clear },
	};

	if (test_dp_begin("cp_sa", RTE_DIM(eal), eal) != 0)
		return 1;
	test_dp_suite("cp_sa", suite_init, suite_fini, cases, RTE_DIM(cases));
	return test_dp_end();
}
