/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The security policy database (dataplane/dp_spd.h): OUT and IN matching,
 * precedence (longest destination, then longest source, then OUT, then the
 * first configured), bypass/discard/protect, IPv4 and IPv6, a replacement
 * set, invalid sets refused with the old set intact, 100,000 /32 tunnels
 * (with 20,000 /128 ones), and a reader on another lcore that only ever
 * sees the old or the new answer while sets are switched under it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_pause.h>
#include <rte_rcu_qsbr.h>

#include "dataplane/dp.h"
#include "dataplane/dp_sa.h"
#include "dataplane/dp_spd.h"
#include "test/unit/test_dp.h"
#include "test/unit/test_eal.h"

enum { NONE = 0xff };		/* no match, in the expectations below */

static struct dp_spd_rule rule(const char *local, const char *remote, uint8_t action,
			       uint32_t tunnel)
{
	struct dp_spd_rule r = { .local = test_prefix(local), .remote = test_prefix(remote),
				 .action = action, .tunnel = tunnel };
	return r;
}

/* One lookup as a number: 0 = no match, else 1 action dir tunnel (on_demand
 * is checked apart). */
static uint64_t answer(const char *src, const char *dst)
{
	struct gw_addr s = test_addr(src), d = test_addr(dst);
	struct dp_spd_match m;
	bool hit;

	memset(&m, 0xee, sizeof(m));
	if (s.family == AF_INET)
		hit = dp_spd_lookup4(s.v4, d.v4, &m);
	else
		hit = dp_spd_lookup6(s.v6, d.v6, &m);
	if (!hit)
		return 0;
	return UINT64_C(1) << 60 | (uint64_t)m.action << 48 | (uint64_t)m.dir << 40 | m.tunnel;
}

static uint64_t want(uint8_t action, uint8_t dir, uint32_t tunnel)
{
	if (action == NONE)
		return 0;
	return UINT64_C(1) << 60 | (uint64_t)action << 48 | (uint64_t)dir << 40 | tunnel;
}

struct probe {
	const char *src, *dst;
	uint8_t action, dir;
	uint32_t tunnel;
};

/* dp_spd_lookup4_bulk() over the IPv4 probes of p[0..n) at once: each
 * answer as dp_spd_lookup4()'s (n <= 64). */
static void check_bulk4(const struct probe *p, size_t n)
{
	uint32_t src[64], dst[64];
	struct dp_spd_match m[64];
	bool hit[64];
	size_t k = 0, idx[64];

	for (size_t i = 0; i < n && k < RTE_DIM(src); i++) {
		struct gw_addr s = test_addr(p[i].src), d = test_addr(p[i].dst);

		if (s.family != AF_INET)
			continue;
		src[k] = s.v4;
		dst[k] = d.v4;
		idx[k++] = i;
	}
	memset(hit, 0xee, sizeof(hit));
	dp_spd_lookup4_bulk(src, dst, (unsigned)k, m, hit);
	for (size_t j = 0; j < k; j++) {
		uint64_t got = hit[j] ? want(m[j].action, m[j].dir, m[j].tunnel) : 0;

		CU_ASSERT_EQUAL(got, answer(p[idx[j]].src, p[idx[j]].dst));
	}
}

static void check_probes(const struct probe *p, size_t n)
{
	check_bulk4(p, n);
	for (size_t i = 0; i < n; i++) {
		uint64_t got = answer(p[i].src, p[i].dst), w = want(p[i].action, p[i].dir, p[i].tunnel);

		CU_ASSERT_EQUAL(got, w);
		if (got != w)
			fprintf(stderr, "\n  %s -> %s: want %#" PRIx64 " got %#" PRIx64 "\n",
				p[i].src, p[i].dst, w, got);
	}
}

static void test_empty(void)
{
	static const struct probe p[] = {
		{ "192.168.10.5", "172.16.1.9", NONE, 0, 0 },
		{ "2001:db8:20::1", "2001:db8:99::1", NONE, 0, 0 },
	};

	CU_ASSERT_EQUAL(dp_spd_set(NULL, 0), 0);
	CU_ASSERT_EQUAL(dp_spd_count(), 0);
	check_probes(p, RTE_DIM(p));
}

static void test_out_in(void)
{
	struct dp_spd_rule r[] = {
		rule("192.168.10.0/24", "172.16.1.0/24", DP_SPD_PROTECT, 7),
		rule("192.168.10.0/24", "10.0.0.0/8", DP_SPD_BYPASS, 0),
		rule("192.168.20.0/24", "10.0.0.0/8", DP_SPD_DISCARD, 0),
	};
	static const struct probe p[] = {
		{ "192.168.10.5", "172.16.1.9", DP_SPD_PROTECT, DP_SPD_OUT, 7 },
		{ "172.16.1.9", "192.168.10.5", DP_SPD_PROTECT, DP_SPD_IN, 7 },
		{ "192.168.11.5", "172.16.1.9", NONE, 0, 0 },	/* src outside local */
		{ "172.16.2.1", "192.168.10.5", NONE, 0, 0 },	/* src outside remote */
		{ "192.168.10.5", "172.16.2.1", NONE, 0, 0 },
		{ "192.168.10.5", "10.1.2.3", DP_SPD_BYPASS, DP_SPD_OUT, 0 },
		{ "10.1.2.3", "192.168.10.5", NONE, 0, 0 },	/* no IN for bypass */
		{ "192.168.20.9", "10.255.255.255", DP_SPD_DISCARD, DP_SPD_OUT, 0 },
		{ "10.1.2.3", "192.168.20.9", NONE, 0, 0 },	/* nor for discard */
		{ "192.168.10.5", "192.168.10.6", NONE, 0, 0 },
	};
	struct dp_spd_match m;
	struct gw_addr s = test_addr("192.168.10.5"), d = test_addr("172.16.1.9");

	r[0].on_demand = true;
	CU_ASSERT_EQUAL_FATAL(dp_spd_set(r, RTE_DIM(r)), 0);
	CU_ASSERT_EQUAL(dp_spd_count(), 3);
	check_probes(p, RTE_DIM(p));
	CU_ASSERT_TRUE(dp_spd_lookup4(s.v4, d.v4, &m));
	CU_ASSERT_TRUE(m.on_demand);
	CU_ASSERT_TRUE(dp_spd_lookup4(d.v4, s.v4, &m));
	CU_ASSERT_TRUE(m.on_demand);
	CU_ASSERT_EQUAL(dp_spd_set(NULL, 0), 0);
}

static void test_precedence4(void)
{
	struct dp_spd_rule r[] = {
		rule("0.0.0.0/0", "10.0.0.0/8", DP_SPD_DISCARD, 0),
		rule("192.168.0.0/16", "10.1.0.0/16", DP_SPD_PROTECT, 1),
		rule("192.168.10.0/24", "10.1.0.0/16", DP_SPD_BYPASS, 0),
		rule("192.168.10.0/24", "10.1.0.0/16", DP_SPD_PROTECT, 3),	/* r2 is first */
		rule("192.168.10.7/32", "10.1.2.0/24", DP_SPD_PROTECT, 4),
		rule("192.168.10.0/24", "10.1.2.0/24", DP_SPD_PROTECT, 5),
		rule("10.9.0.0/16", "10.9.0.0/16", DP_SPD_PROTECT, 9),	/* OUT and IN alike */
		rule("10.8.0.0/16", "10.8.0.0/16", DP_SPD_PROTECT, 8),
		rule("10.8.0.0/16", "10.8.0.0/16", DP_SPD_BYPASS, 0),
	};
	static const struct probe p[] = {
		/* longest destination first, then longest source */
		{ "192.168.10.7", "10.1.2.3", DP_SPD_PROTECT, DP_SPD_OUT, 4 },
		{ "192.168.10.8", "10.1.2.3", DP_SPD_PROTECT, DP_SPD_OUT, 5 },
		{ "192.168.10.8", "10.1.3.3", DP_SPD_BYPASS, DP_SPD_OUT, 0 },
		{ "192.168.20.1", "10.1.3.3", DP_SPD_PROTECT, DP_SPD_OUT, 1 },
		{ "192.168.20.1", "10.1.2.3", DP_SPD_PROTECT, DP_SPD_OUT, 1 },
		{ "192.168.20.1", "10.2.0.1", DP_SPD_DISCARD, DP_SPD_OUT, 0 },
		{ "1.2.3.4", "10.1.2.3", DP_SPD_DISCARD, DP_SPD_OUT, 0 },
		/* IN, keyed by the local prefix */
		{ "10.1.2.3", "192.168.10.7", DP_SPD_PROTECT, DP_SPD_IN, 4 },
		{ "10.1.9.9", "192.168.10.7", DP_SPD_PROTECT, DP_SPD_IN, 3 },
		{ "10.1.2.9", "192.168.10.8", DP_SPD_PROTECT, DP_SPD_IN, 5 },
		{ "10.1.9.9", "192.168.20.1", DP_SPD_PROTECT, DP_SPD_IN, 1 },
		{ "10.2.9.9", "192.168.20.1", NONE, 0, 0 },
		/* equal lengths: OUT before IN, then the first configured */
		{ "10.9.1.1", "10.9.2.2", DP_SPD_PROTECT, DP_SPD_OUT, 9 },
		{ "10.8.1.1", "10.8.2.2", DP_SPD_PROTECT, DP_SPD_OUT, 8 },
	};

	CU_ASSERT_EQUAL_FATAL(dp_spd_set(r, RTE_DIM(r)), 0);
	check_probes(p, RTE_DIM(p));
	CU_ASSERT_EQUAL(dp_spd_set(NULL, 0), 0);
}

static void test_precedence6(void)
{
	struct dp_spd_rule r[] = {
		rule("::/0", "2001:db8::/32", DP_SPD_DISCARD, 0),
		rule("2001:db8:20::/48", "2001:db8:99::/48", DP_SPD_PROTECT, 2),
		rule("2001:db8:20::7/128", "2001:db8:99::/48", DP_SPD_PROTECT, 3),
		rule("2001:db8:20::/48", "2001:db8:99:1::/64", DP_SPD_BYPASS, 0),
		rule("2001:db8:20::/52", "2001:db8:99:1::5/128", DP_SPD_PROTECT, 4),
		rule("192.168.10.0/24", "172.16.1.0/24", DP_SPD_PROTECT, 1),	/* other family */
	};
	static const struct probe p[] = {
		{ "2001:db8:20::1", "2001:db8:99::1", DP_SPD_PROTECT, DP_SPD_OUT, 2 },
		{ "2001:db8:20::7", "2001:db8:99::1", DP_SPD_PROTECT, DP_SPD_OUT, 3 },
		{ "2001:db8:20::7", "2001:db8:99:1::1", DP_SPD_BYPASS, DP_SPD_OUT, 0 },
		{ "2001:db8:20::7", "2001:db8:99:1::5", DP_SPD_PROTECT, DP_SPD_OUT, 4 },
		{ "2001:db8:20:f000::1", "2001:db8:99:1::5", DP_SPD_BYPASS, DP_SPD_OUT, 0 },
		{ "2001:db8:21::1", "2001:db8:99::1", DP_SPD_DISCARD, DP_SPD_OUT, 0 },
		{ "2001:db8:99::1", "2001:db8:20::1", DP_SPD_PROTECT, DP_SPD_IN, 2 },
		{ "2001:db8:99::1", "2001:db8:20::7", DP_SPD_PROTECT, DP_SPD_IN, 3 },
		{ "2001:db8:99:1::5", "2001:db8:20::9", DP_SPD_PROTECT, DP_SPD_IN, 4 },
		{ "2001:db8:99:1::6", "2001:db8:20::9", DP_SPD_PROTECT, DP_SPD_IN, 2 },
		/* no IN match, but the OUT discard of 2001:db8::/32 holds it */
		{ "2001:db9::1", "2001:db8:20::1", DP_SPD_DISCARD, DP_SPD_OUT, 0 },
		{ "2001:db9::1", "2001:db9::2", NONE, 0, 0 },
		{ "2001:db8:20::1", "2002::1", NONE, 0, 0 },
		{ "192.168.10.1", "172.16.1.1", DP_SPD_PROTECT, DP_SPD_OUT, 1 },
	};

	CU_ASSERT_EQUAL_FATAL(dp_spd_set(r, RTE_DIM(r)), 0);
	check_probes(p, RTE_DIM(p));
	CU_ASSERT_EQUAL(dp_spd_set(NULL, 0), 0);
	CU_ASSERT_EQUAL(answer("2001:db8:20::1", "2001:db8:99::1"), 0);
}

static const struct probe set_a_probes[] = {
	{ "192.168.10.5", "172.16.1.9", DP_SPD_PROTECT, DP_SPD_OUT, 1 },
	{ "2001:db8:20::1", "2001:db8:99::1", DP_SPD_PROTECT, DP_SPD_OUT, 1 },
	{ "192.168.10.5", "172.16.2.9", NONE, 0, 0 },
};
static const struct probe set_b_probes[] = {
	{ "192.168.10.5", "172.16.1.9", NONE, 0, 0 },
	{ "2001:db8:20::1", "2001:db8:99::1", NONE, 0, 0 },
	{ "192.168.10.5", "172.16.2.9", DP_SPD_DISCARD, DP_SPD_OUT, 0 },
	{ "2001:db8:20::1", "2001:db8:98::1", DP_SPD_BYPASS, DP_SPD_OUT, 0 },
};

static void test_replace(void)
{
	struct dp_spd_rule a[] = {
		rule("192.168.10.0/24", "172.16.1.0/24", DP_SPD_PROTECT, 1),
		rule("2001:db8:20::/48", "2001:db8:99::/48", DP_SPD_PROTECT, 1),
	};
	struct dp_spd_rule b[] = {
		rule("192.168.10.0/24", "172.16.2.0/24", DP_SPD_DISCARD, 0),
		rule("2001:db8:20::/48", "2001:db8:98::/48", DP_SPD_BYPASS, 0),
		rule("192.168.10.0/24", "172.16.2.128/25", DP_SPD_DISCARD, 0),
	};

	for (int round = 0; round < 3; round++) {	/* both halves, and back */
		CU_ASSERT_EQUAL_FATAL(dp_spd_set(a, RTE_DIM(a)), 0);
		CU_ASSERT_EQUAL(dp_spd_count(), 2);
		check_probes(set_a_probes, RTE_DIM(set_a_probes));
		CU_ASSERT_EQUAL_FATAL(dp_spd_set(b, RTE_DIM(b)), 0);
		CU_ASSERT_EQUAL(dp_spd_count(), 3);
		check_probes(set_b_probes, RTE_DIM(set_b_probes));
	}
	CU_ASSERT_EQUAL(dp_spd_set(NULL, 0), 0);
	CU_ASSERT_EQUAL(dp_spd_count(), 0);
	CU_ASSERT_EQUAL(answer("192.168.10.5", "172.16.2.9"), 0);
	dp_reclaim();
}

static void test_invalid(void)
{
	struct dp_spd_rule good[] = {
		rule("192.168.10.0/24", "172.16.1.0/24", DP_SPD_PROTECT, 1),
		rule("2001:db8:20::/48", "2001:db8:99::/48", DP_SPD_PROTECT, 1),
	};
	struct dp_spd_rule bad[2];
	struct dp_spd_rule *big;

	CU_ASSERT_EQUAL_FATAL(dp_spd_set(good, RTE_DIM(good)), 0);
	for (int c = 0; c < 7; c++) {
		bad[0] = rule("10.0.0.0/8", "10.1.0.0/16", DP_SPD_BYPASS, 0);
		bad[1] = rule("10.2.0.0/16", "10.3.0.0/16", DP_SPD_PROTECT, 5);
		switch (c) {
		case 0: bad[1].local.len = 8; break;			/* host bits */
		case 1: bad[1].remote = test_prefix("2001:db8::/32"); break;	/* families */
		case 2: bad[1].action = DP_SPD_PROTECT + 1; break;
		case 3: bad[1].tunnel = DP_TUNNEL_MAX; break;
		case 4: bad[1].remote.len = 33; break;
		case 5: bad[1].local.addr.family = 0; break;
		default: bad[0].remote.addr.family = AF_INET6; break;
		}
		CU_ASSERT_EQUAL(dp_spd_set(bad, 2), -EINVAL);
		CU_ASSERT_EQUAL(dp_spd_count(), 2);
		check_probes(set_a_probes, RTE_DIM(set_a_probes));
	}
	CU_ASSERT_EQUAL(dp_spd_set(NULL, 1), -EINVAL);
	big = calloc(DP_SPD_MAX_RULES + 1, sizeof(*big));
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	CU_ASSERT_EQUAL(dp_spd_set(big, DP_SPD_MAX_RULES + 1), -ENOSPC);
	free(big);
	check_probes(set_a_probes, RTE_DIM(set_a_probes));
	/* one IPv4 tbl8 group more than the table has: refused before any change */
	big = calloc(4097, sizeof(*big));
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	for (uint32_t i = 0; i < 4097; i++) {
		big[i] = rule("192.168.10.0/24", "10.0.0.1/32", DP_SPD_DISCARD, 0);
		big[i].remote.addr.v4 = htonl(0x0a000001 + (i << 8));
	}
	CU_ASSERT_EQUAL(dp_spd_set(big, 4097), -ENOSPC);
	CU_ASSERT_EQUAL(dp_spd_count(), 2);
	check_probes(set_a_probes, RTE_DIM(set_a_probes));
	CU_ASSERT_EQUAL(dp_spd_set(big, 4000), 0);	/* fits */
	CU_ASSERT_EQUAL(answer("192.168.10.1", "10.15.159.1"), want(DP_SPD_DISCARD, DP_SPD_OUT, 0));
	free(big);
	/* the tunnel id is only checked where it is used */
	bad[0] = rule("10.0.0.0/8", "10.1.0.0/16", DP_SPD_BYPASS, DP_TUNNEL_MAX);
	CU_ASSERT_EQUAL(dp_spd_set(bad, 1), 0);
	CU_ASSERT_EQUAL(dp_spd_set(NULL, 0), 0);
}

/* Tunnel i: 192.168.0.0/16 <-> 10.64.0.0 + i (+ shift), and 2001:db8:1::i/128. */
enum { BIG4 = 100000, BIG6 = 20000 };

static void big_fill(struct dp_spd_rule *r, uint32_t shift)
{
	for (uint32_t i = 0; i < BIG4; i++) {
		r[i] = rule("192.168.0.0/16", "10.64.0.0/32", DP_SPD_PROTECT, i);
		r[i].remote.addr.v4 = htonl(0x0a400000 + i + shift);
	}
	for (uint32_t i = 0; i < BIG6; i++) {
		struct dp_spd_rule *x = &r[BIG4 + i];

		*x = rule("2001:db8:20::/48", "2001:db8:1::/128", DP_SPD_PROTECT, BIG4 + i);
		x->remote.addr.v6[12] = (uint8_t)((i + shift) >> 24);
		x->remote.addr.v6[13] = (uint8_t)((i + shift) >> 16);
		x->remote.addr.v6[14] = (uint8_t)((i + shift) >> 8);
		x->remote.addr.v6[15] = (uint8_t)(i + shift);
	}
}

/* Every tunnel, both directions: wrong answers counted. */
/* The staged bulk lookup over the same /32s, in bursts of 64 (with a miss
 * on each side of the range): as dp_spd_lookup4(). */
static unsigned big_check_bulk4(uint32_t src, uint32_t shift)
{
	enum { B = 64 };
	uint32_t s[B], d[B];
	struct dp_spd_match m[B];
	bool hit[B];
	unsigned wrong = 0;

	for (uint32_t i0 = 0; i0 < BIG4 + 2; i0 += B) {
		unsigned n = RTE_MIN((unsigned)B, BIG4 + 2 - i0);

		for (unsigned k = 0; k < n; k++) {
			s[k] = src;
			d[k] = htonl(0x0a400000 + shift + i0 + k - 1);	/* -1 and BIG4: none */
		}
		dp_spd_lookup4_bulk(s, d, n, m, hit);
		for (unsigned k = 0; k < n; k++) {
			uint32_t i = i0 + k - 1;
			bool in = i0 + k >= 1 && i < BIG4;

			wrong += hit[k] != in;
			wrong += in && (m[k].tunnel != i || m[k].dir != DP_SPD_OUT);
		}
	}
	return wrong;
}

static unsigned big_check(uint32_t shift)
{
	uint32_t src = htonl(0xc0a80101), dst = htonl(0xc0a80505);
	uint8_t local6[16], remote6[16];
	struct gw_addr a = test_addr("2001:db8:20::1"), b = test_addr("2001:db8:1::");
	struct dp_spd_match m;
	unsigned wrong = 0;

	memcpy(local6, a.v6, 16);
	memcpy(remote6, b.v6, 16);
	for (uint32_t i = 0; i < BIG4; i++) {
		uint32_t peer = htonl(0x0a400000 + i + shift);

		wrong += !dp_spd_lookup4(src, peer, &m) || m.dir != DP_SPD_OUT || m.tunnel != i ||
			 m.action != DP_SPD_PROTECT;
		wrong += !dp_spd_lookup4(peer, dst, &m) || m.dir != DP_SPD_IN || m.tunnel != i;
	}
	wrong += big_check_bulk4(src, shift);
	wrong += dp_spd_lookup4(src, htonl(0x0a400000 + shift - 1), &m);
	wrong += dp_spd_lookup4(src, htonl(0x0a400000 + shift + BIG4), &m);
	wrong += dp_spd_lookup4(htonl(0x0a400000 + shift + BIG4), dst, &m);
	for (uint32_t i = 0; i < BIG6; i++) {
		remote6[12] = (uint8_t)((i + shift) >> 24);
		remote6[13] = (uint8_t)((i + shift) >> 16);
		remote6[14] = (uint8_t)((i + shift) >> 8);
		remote6[15] = (uint8_t)(i + shift);
		wrong += !dp_spd_lookup6(local6, remote6, &m) || m.dir != DP_SPD_OUT ||
			 m.tunnel != BIG4 + i;
		wrong += !dp_spd_lookup6(remote6, local6, &m) || m.dir != DP_SPD_IN ||
			 m.tunnel != BIG4 + i;
	}
	return wrong;
}

static void test_100k(void)
{
	struct dp_spd_rule *r = calloc(BIG4 + BIG6, sizeof(*r));
	uint64_t t0, t1, t2, t3;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	big_fill(r, 0);
	t0 = rte_get_timer_cycles();
	CU_ASSERT_EQUAL_FATAL(dp_spd_set(r, BIG4 + BIG6), 0);
	t1 = rte_get_timer_cycles();
	CU_ASSERT_EQUAL(dp_spd_count(), BIG4 + BIG6);
	CU_ASSERT_EQUAL(big_check(0), 0);
	t2 = rte_get_timer_cycles();
	big_fill(r, 50000);	/* half the /32s stay, half are new */
	CU_ASSERT_EQUAL_FATAL(dp_spd_set(r, BIG4 + BIG6), 0);
	t3 = rte_get_timer_cycles();
	CU_ASSERT_EQUAL(big_check(50000), 0);
	printf("(build %.0f ms, %u lookups %.0f ms, replace %.0f ms) ",
	       (double)(t1 - t0) * 1e3 / (double)rte_get_timer_hz(), 4 * (BIG4 + BIG6),
	       (double)(t2 - t1) * 1e3 / (double)rte_get_timer_hz(),
	       (double)(t3 - t2) * 1e3 / (double)rte_get_timer_hz());
	CU_ASSERT_EQUAL(dp_spd_set(NULL, 0), 0);
	dp_reclaim();
	free(r);
}

/* ---- a reader on another lcore while sets are switched ---- */

enum { RACE_SETS = 300 };

static const struct probe race_probes[] = {	/* the tunnel field is unused */
	{ "192.168.1.1", "10.0.5.1", 0, 0, 0 },
	{ "192.168.1.1", "10.0.5.200", 0, 0, 0 },
	{ "192.168.1.1", "10.0.6.1", 0, 0, 0 },
	{ "192.168.1.1", "10.0.7.1", 0, 0, 0 },
	{ "192.168.1.1", "10.1.0.1", 0, 0, 0 },
	{ "192.168.1.1", "11.0.0.1", 0, 0, 0 },
	{ "10.0.5.1", "192.168.1.1", 0, 0, 0 },
	{ "10.0.5.200", "192.168.1.1", 0, 0, 0 },
	{ "10.9.9.9", "192.168.1.1", 0, 0, 0 },
	{ "2001:db8:20::1", "2001:db8:99::1", 0, 0, 0 },
	{ "2001:db8:20::1", "2001:db8:99:0:1::1", 0, 0, 0 },
	{ "2001:db8:99::1", "2001:db8:20::1", 0, 0, 0 },
};

static struct {
	uint64_t expect[2][RTE_DIM(race_probes)];
	uint32_t stop;
	uint32_t started;
	uint64_t rounds, wrong, hits;
} race;

static int race_reader(void *arg)
{
	struct rte_rcu_qsbr *v = arg;

	rte_rcu_qsbr_thread_online(v, 0);
	__atomic_store_n(&race.started, 1, __ATOMIC_RELEASE);
	do {
		for (size_t i = 0; i < RTE_DIM(race_probes); i++) {
			uint64_t got = answer(race_probes[i].src, race_probes[i].dst);

			race.hits += got != 0;
			race.wrong += got != race.expect[0][i] && got != race.expect[1][i];
		}
		race.rounds++;
		rte_rcu_qsbr_quiescent(v, 0);
	} while (!__atomic_load_n(&race.stop, __ATOMIC_ACQUIRE));
	rte_rcu_qsbr_thread_offline(v, 0);
	return 0;
}

static void test_concurrent_reader(void)
{
	struct dp_spd_rule sets[2][6] = {
		{
			rule("192.168.0.0/16", "10.0.0.0/8", DP_SPD_PROTECT, 1),
			rule("192.168.0.0/16", "10.0.5.0/24", DP_SPD_PROTECT, 3),
			rule("192.168.0.0/16", "10.0.5.128/25", DP_SPD_PROTECT, 4),
			rule("0.0.0.0/0", "11.0.0.0/8", DP_SPD_DISCARD, 0),
			rule("2001:db8:20::/48", "2001:db8:99::/48", DP_SPD_PROTECT, 6),
			rule("2001:db8:20::/48", "2001:db8:99::/64", DP_SPD_BYPASS, 0),
		}, {
			rule("192.168.0.0/16", "10.0.0.0/16", DP_SPD_PROTECT, 2),
			rule("192.168.0.0/16", "10.0.5.0/24", DP_SPD_DISCARD, 0),
			rule("192.168.0.0/16", "10.0.6.0/24", DP_SPD_BYPASS, 0),
			rule("192.168.0.0/16", "10.0.5.1/32", DP_SPD_PROTECT, 5),
			rule("2001:db8:20::/48", "2001:db8:99::/48", DP_SPD_DISCARD, 0),
			rule("192.168.1.0/24", "10.0.0.0/8", DP_SPD_PROTECT, 7),
		},
	};
	unsigned lcore = rte_get_next_lcore(-1, 1, 0);
	unsigned ok = 0;
	uint64_t t0;

	CU_ASSERT_FATAL(lcore < RTE_MAX_LCORE);
	memset(&race, 0, sizeof(race));
	for (int s = 0; s < 2; s++) {
		CU_ASSERT_EQUAL_FATAL(dp_spd_set(sets[s], RTE_DIM(sets[s])), 0);
		for (size_t i = 0; i < RTE_DIM(race_probes); i++)
			race.expect[s][i] = answer(race_probes[i].src, race_probes[i].dst);
	}
	/* the two sets answer differently where it matters */
	CU_ASSERT_NOT_EQUAL(race.expect[0][1], race.expect[1][1]);
	CU_ASSERT_NOT_EQUAL(race.expect[0][9], race.expect[1][9]);
	CU_ASSERT_EQUAL_FATAL(rte_eal_remote_launch(race_reader, dp_rcu(), lcore), 0);
	while (!__atomic_load_n(&race.started, __ATOMIC_ACQUIRE))
		rte_pause();
	t0 = rte_get_timer_cycles();
	for (unsigned i = 0; i < RACE_SETS; i++) {
		ok += dp_spd_set(sets[i % 2], RTE_DIM(sets[i % 2])) == 0;
		dp_reclaim();
		if (rte_get_timer_cycles() - t0 > 20 * rte_get_timer_hz())
			break;		/* a slow box: enough */
	}
	__atomic_store_n(&race.stop, 1, __ATOMIC_RELEASE);
	CU_ASSERT_EQUAL(rte_eal_wait_lcore(lcore), 0);
	printf("(%u sets, %" PRIu64 " rounds, %" PRIu64 " hits) ", ok, race.rounds, race.hits);
	CU_ASSERT(ok > 10);
	CU_ASSERT(race.rounds > 0 && race.hits > 0);
	CU_ASSERT_EQUAL(race.wrong, 0);
	CU_ASSERT_EQUAL(dp_spd_set(NULL, 0), 0);
	dp_reclaim();
}

int main(void)
{
	static const char *const eal[] = { "-l", "0-1", TEST_DP_NULL_PORTS };
	static const struct test_dp_case cases[] = {
		{ "empty set", test_empty },
		{ "OUT and IN, bypass, discard, protect", test_out_in },
		{ "IPv4 precedence", test_precedence4 },
		{ "IPv6 precedence", test_precedence6 },
		{ "a replacement set", test_replace },
		{ "invalid sets leave the old one", test_invalid },
		{ "100,000 /32 and 20,000 /128 tunnels", test_100k },
		{ "a reader on another lcore sees the old or the new set", test_concurrent_reader },
	};

	if (test_dp_begin("spd", RTE_DIM(eal), eal) != 0)
		return 1;
	test_dp_suite("spd", test_dp_suite_init, test_dp_suite_fini, cases, RTE_DIM(cases));
	return test_dp_end();
}
