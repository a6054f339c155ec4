/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Route table: local and connected routes from dp_init, IPv4/IPv6 add,
 * delete and lookup, longest match, default routes, duplicates and bad
 * input, enumeration order, capacity and next-hop reuse, the IPv6 table
 * swap whose old table is freed only after an RCU grace period, and a
 * reader on another lcore racing the writer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_pause.h>
#include <rte_lpm6.h>
#include <rte_rcu_qsbr.h>

#include "dataplane/dp.h"
#include "dataplane/dp_route.h"
#include "test/unit/test_dp.h"
#include "test/unit/test_eal.h"

static struct dp_nexthop nh_gw(unsigned iface, const char *gw)
{
	struct dp_nexthop nh = { .type = DP_NH_GATEWAY, .iface = (uint16_t)iface };

	nh.gw = test_addr(gw);
	return nh;
}

/* Look dst up; return the next-hop type (or -ENOENT) and fill *nh. */
static int lookup(const char *dst, struct dp_nexthop *nh)
{
	struct gw_addr a = test_addr(dst);
	int ret = dp_route_lookup(&a, nh);

	return ret == 0 ? nh->type : ret;
}

static void test_local_routes(void)
{
	const struct dp_iface *out = dp_iface_get(0);
	char ll[GW_ADDR_STRLEN];
	struct dp_nexthop nh;

	CU_ASSERT_EQUAL(lookup("10.10.0.1", &nh), DP_NH_LOCAL);
	CU_ASSERT_EQUAL(nh.iface, 0);
	CU_ASSERT_EQUAL(lookup("192.168.10.1", &nh), DP_NH_LOCAL);
	CU_ASSERT_EQUAL(nh.iface, 1);
	CU_ASSERT_EQUAL(lookup("2001:db8:20::1", &nh), DP_NH_LOCAL);
	CU_ASSERT_EQUAL(nh.iface, 1);
	CU_ASSERT_EQUAL(lookup("10.10.0.77", &nh), DP_NH_CONNECTED);
	CU_ASSERT_EQUAL(nh.iface, 0);
	CU_ASSERT_EQUAL(lookup("2001:db8:10::99", &nh), DP_NH_CONNECTED);
	CU_ASSERT_EQUAL(nh.iface, 0);
	CU_ASSERT_EQUAL(lookup("10.10.1.1", &nh), -ENOENT);
	CU_ASSERT_EQUAL(lookup("2001:db8:30::1", &nh), -ENOENT);

	/* fe80::EUI-64 of the port MAC (universal/local bit flipped). */
	CU_ASSERT_EQUAL(out->ll6.family, AF_INET6);
	CU_ASSERT_EQUAL(out->ll6.v6[0], 0xfe);
	CU_ASSERT_EQUAL(out->ll6.v6[1], 0x80);
	CU_ASSERT_EQUAL(out->ll6.v6[8], out->mac.addr_bytes[0] ^ 0x02);
	CU_ASSERT_EQUAL(out->ll6.v6[11], 0xff);
	CU_ASSERT_EQUAL(out->ll6.v6[12], 0xfe);
	CU_ASSERT_EQUAL(out->ll6.v6[15], out->mac.addr_bytes[5]);
	CU_ASSERT_EQUAL(lookup(gw_addr_fmt(&out->ll6, ll, sizeof(ll)), &nh), DP_NH_LOCAL);
	CU_ASSERT_EQUAL(nh.iface, 0);
	/* 2 interfaces x (ll6 + 2 x (host + connected)) */
	CU_ASSERT_EQUAL(dp_route_count(), 10);
}

static void test_v4_longest_match(void)
{
	struct gw_prefix p16 = test_prefix("172.16.0.0/16");
	struct gw_prefix p24 = test_prefix("172.16.5.0/24");
	struct gw_prefix p32 = test_prefix("172.16.5.9/32");
	struct dp_nexthop a = nh_gw(0, "10.10.0.254"), b = nh_gw(1, "192.168.10.254");
	struct dp_nexthop c = { .type = DP_NH_CONNECTED, .iface = 1 };
	struct dp_nexthop nh;

	CU_ASSERT_EQUAL(dp_route_add(&p16, &a), 0);
	CU_ASSERT_EQUAL(dp_route_add(&p24, &b), 0);
	CU_ASSERT_EQUAL(dp_route_add(&p32, &c), 0);
	CU_ASSERT_EQUAL(lookup("172.16.200.1", &nh), DP_NH_GATEWAY);
	CU_ASSERT_EQUAL(nh.iface, 0);
	CU_ASSERT_TRUE(gw_addr_eq(&nh.gw, &a.gw));
	CU_ASSERT_EQUAL(lookup("172.16.5.1", &nh), DP_NH_GATEWAY);
	CU_ASSERT_EQUAL(nh.iface, 1);
	CU_ASSERT_TRUE(gw_addr_eq(&nh.gw, &b.gw));
	CU_ASSERT_EQUAL(lookup("172.16.5.9", &nh), DP_NH_CONNECTED);
	CU_ASSERT_EQUAL(lookup("172.17.0.1", &nh), -ENOENT);

	CU_ASSERT_EQUAL(dp_route_del(&p24), 0);
	CU_ASSERT_EQUAL(lookup("172.16.5.1", &nh), DP_NH_GATEWAY);
	CU_ASSERT_EQUAL(nh.iface, 0);
	CU_ASSERT_EQUAL(lookup("172.16.5.9", &nh), DP_NH_CONNECTED);
	CU_ASSERT_EQUAL(dp_route_del(&p24), -ENOENT);
	CU_ASSERT_EQUAL(dp_route_del(&p32), 0);
	CU_ASSERT_EQUAL(dp_route_del(&p16), 0);
	CU_ASSERT_EQUAL(lookup("172.16.5.1", &nh), -ENOENT);
	CU_ASSERT_EQUAL(dp_route_count(), 10);
}

static void test_default_routes(void)
{
	struct gw_prefix d4 = test_prefix("0.0.0.0/0"), d6 = test_prefix("::/0");
	struct dp_nexthop a = nh_gw(0, "10.10.0.254"), b = nh_gw(0, "2001:db8:10::fe");
	struct dp_nexthop nh;

	CU_ASSERT_EQUAL(dp_route_add(&d4, &a), 0);
	CU_ASSERT_EQUAL(dp_route_add(&d6, &b), 0);
	CU_ASSERT_EQUAL(lookup("8.8.8.8", &nh), DP_NH_GATEWAY);
	CU_ASSERT_TRUE(gw_addr_eq(&nh.gw, &a.gw));
	CU_ASSERT_EQUAL(lookup("2001:4860::8888", &nh), DP_NH_GATEWAY);
	CU_ASSERT_TRUE(gw_addr_eq(&nh.gw, &b.gw));
	/* More specific routes still win over the default. */
	CU_ASSERT_EQUAL(lookup("192.168.10.7", &nh), DP_NH_CONNECTED);
	CU_ASSERT_EQUAL(lookup("2001:db8:20::7", &nh), DP_NH_CONNECTED);
	CU_ASSERT_EQUAL(dp_route_add(&d4, &a), -EEXIST);
	CU_ASSERT_EQUAL(dp_route_del(&d4), 0);
	CU_ASSERT_EQUAL(dp_route_del(&d6), 0);
	CU_ASSERT_EQUAL(lookup("8.8.8.8", &nh), -ENOENT);
	CU_ASSERT_EQUAL(lookup("2001:4860::8888", &nh), -ENOENT);
}

static void test_bad_input(void)
{
	struct gw_prefix p = test_prefix("172.16.0.0/16");
	struct gw_prefix hostbits = test_prefix("172.16.9.9/16");
	struct gw_prefix none = { .len = 8 };
	struct dp_nexthop ok = nh_gw(0, "10.10.0.254");
	struct dp_nexthop bad_iface = nh_gw(2, "10.10.0.254");
	struct dp_nexthop bad_family = nh_gw(0, "2001:db8:10::fe");
	struct dp_nexthop bad_type = { .type = 0, .iface = 0 };
	struct gw_prefix long4 = test_prefix("10.0.0.0/8");

	long4.len = 33;
	CU_ASSERT_EQUAL(dp_route_add(&none, &ok), -EINVAL);
	CU_ASSERT_EQUAL(dp_route_add(&long4, &ok), -EINVAL);
	CU_ASSERT_EQUAL(dp_route_add(&p, &bad_iface), -EINVAL);
	CU_ASSERT_EQUAL(dp_route_add(&p, &bad_family), -EINVAL);
	CU_ASSERT_EQUAL(dp_route_add(&p, &bad_type), -EINVAL);
	CU_ASSERT_EQUAL(dp_route_add(&p, &ok), 0);
	/* Host bits are masked: the same prefix as written differently. */
	CU_ASSERT_EQUAL(dp_route_add(&hostbits, &ok), -EEXIST);
	CU_ASSERT_EQUAL(dp_route_del(&hostbits), 0);
	CU_ASSERT_EQUAL(dp_route_del(&p), -ENOENT);
	CU_ASSERT_EQUAL(dp_route_del(&none), -ENOENT);
}

static void test_v6_add_del(void)
{
	struct gw_prefix p48 = test_prefix("2001:db8:aaaa::/48");
	struct gw_prefix p64 = test_prefix("2001:db8:aaaa:1::/64");
	struct dp_nexthop a = nh_gw(0, "2001:db8:10::fe"), b = nh_gw(1, "2001:db8:20::fe");
	struct dp_nexthop nh;

	CU_ASSERT_EQUAL(dp_route_add(&p48, &a), 0);
	CU_ASSERT_EQUAL(dp_route_add(&p64, &b), 0);
	CU_ASSERT_EQUAL(dp_route_add(&p64, &b), -EEXIST);
	CU_ASSERT_EQUAL(lookup("2001:db8:aaaa:2::1", &nh), DP_NH_GATEWAY);
	CU_ASSERT_EQUAL(nh.iface, 0);
	CU_ASSERT_EQUAL(lookup("2001:db8:aaaa:1::1", &nh), DP_NH_GATEWAY);
	CU_ASSERT_EQUAL(nh.iface, 1);
	/* Local routes survive every rebuild. */
	CU_ASSERT_EQUAL(lookup("2001:db8:10::1", &nh), DP_NH_LOCAL);
	CU_ASSERT_EQUAL(dp_route_del(&p48), 0);
	CU_ASSERT_EQUAL(lookup("2001:db8:aaaa:2::1", &nh), -ENOENT);
	CU_ASSERT_EQUAL(lookup("2001:db8:aaaa:1::1", &nh), DP_NH_GATEWAY);
	CU_ASSERT_EQUAL(dp_route_del(&p64), 0);
	CU_ASSERT_EQUAL(lookup("2001:db8:aaaa:1::1", &nh), -ENOENT);
	CU_ASSERT_EQUAL(lookup("2001:db8:10::1", &nh), DP_NH_LOCAL);
	dp_reclaim();
	CU_ASSERT_EQUAL(dp_route_deferred(), 0);
}

static void test_enumeration_order(void)
{
	const char *pfx[] = { "172.20.0.0/16", "2001:db8:bbbb::/48", "172.21.0.0/16" };
	struct dp_nexthop a = nh_gw(0, "10.10.0.254"), b = nh_gw(0, "2001:db8:10::fe");
	unsigned base = dp_route_count();
	struct gw_prefix p, got;
	struct dp_nexthop nh;

	for (unsigned i = 0; i < 3; i++) {
		p = test_prefix(pfx[i]);
		CU_ASSERT_EQUAL(dp_route_add(&p, p.addr.family == AF_INET ? &a : &b), 0);
	}
	CU_ASSERT_EQUAL(dp_route_count(), base + 3);
	p = test_prefix(pfx[1]);
	CU_ASSERT_EQUAL(dp_route_del(&p), 0);
	CU_ASSERT_EQUAL(dp_route_get(base, &got, &nh), 0);
	CU_ASSERT_EQUAL(got.len, 16);
	CU_ASSERT_EQUAL(got.addr.v4, htonl(0xac140000));
	CU_ASSERT_EQUAL(dp_route_get(base + 1, &got, &nh), 0);
	CU_ASSERT_EQUAL(got.addr.v4, htonl(0xac150000));
	CU_ASSERT_TRUE(gw_addr_eq(&nh.gw, &a.gw));
	CU_ASSERT_EQUAL(dp_route_get(base + 2, &got, &nh), -ENOENT);
	for (unsigned i = 0; i < 3; i += 2) {
		p = test_prefix(pfx[i]);
		CU_ASSERT_EQUAL(dp_route_del(&p), 0);
	}
	CU_ASSERT_EQUAL(dp_route_count(), base);
}

/* Fill the table to DP_ROUTE_MAX, then empty it: next hops come back. */
static void test_capacity(void)
{
	struct dp_nexthop a = nh_gw(0, "10.10.0.254");
	unsigned base = dp_route_count(), added = 0;
	struct gw_prefix p = { .addr.family = AF_INET, .len = 24 };
	struct dp_nexthop nh;

	for (unsigned i = 0; base + i < DP_ROUTE_MAX; i++) {
		p.addr.v4 = htonl(0x64400000 + (i << 8));	/* 100.64.x.0/24 */
		added += dp_route_add(&p, &a) == 0;
	}
	CU_ASSERT_EQUAL(added, DP_ROUTE_MAX - base);
	CU_ASSERT_EQUAL(dp_route_count(), DP_ROUTE_MAX);
	p.addr.v4 = htonl(0x65000000);
	CU_ASSERT_EQUAL(dp_route_add(&p, &a), -ENOSPC);
	CU_ASSERT_EQUAL(lookup("100.65.3.3", &nh), DP_NH_GATEWAY);
	for (unsigned i = 0; i < added; i++) {
		p.addr.v4 = htonl(0x64400000 + (i << 8));
		CU_ASSERT_EQUAL_FATAL(dp_route_del(&p), 0);
	}
	CU_ASSERT_EQUAL(dp_route_count(), base);
	dp_reclaim();
	CU_ASSERT_EQUAL(dp_route_deferred(), 0);
	/* Every next-hop slot is free again. */
	added = 0;
	for (unsigned i = 0; base + i < DP_ROUTE_MAX; i++) {
		p.addr.v4 = htonl(0x64400000 + (i << 8));
		added += dp_route_add(&p, &a) == 0;
	}
	CU_ASSERT_EQUAL(added, DP_ROUTE_MAX - base);
	for (unsigned i = 0; i < added; i++) {
		p.addr.v4 = htonl(0x64400000 + (i << 8));
		dp_route_del(&p);
	}
	dp_reclaim();
}

/*
 * The test thread plays worker 0: while it is an online reader that has
 * not reported a quiescent state, the old IPv6 table and a deleted route's
 * next-hop slot must survive dp_reclaim(); after it reports, they go.
 */
static void test_lpm6_swap_reclaim(void)
{
	struct rte_rcu_qsbr *v = dp_rcu();
	struct gw_prefix p6 = test_prefix("2001:db8:cccc::/48");
	struct gw_prefix p4 = test_prefix("172.30.0.0/16");
	struct dp_nexthop a = nh_gw(0, "2001:db8:10::fe"), b = nh_gw(0, "10.10.0.254");
	char old[RTE_LPM6_NAMESIZE];
	struct dp_nexthop nh;

	CU_ASSERT_EQUAL(dp_route_add(&p4, &b), 0);
	dp_reclaim();
	CU_ASSERT_EQUAL(dp_route_deferred(), 0);
	snprintf(old, sizeof(old), "%s", dp_route_lpm6_name());
	CU_ASSERT_PTR_NOT_NULL(rte_lpm6_find_existing(old));

	rte_rcu_qsbr_thread_online(v, 0);
	CU_ASSERT_EQUAL(dp_route_add(&p6, &a), 0);
	CU_ASSERT_STRING_NOT_EQUAL(dp_route_lpm6_name(), old);
	CU_ASSERT_EQUAL(lookup("2001:db8:cccc::1", &nh), DP_NH_GATEWAY);
	CU_ASSERT_EQUAL(dp_route_del(&p4), 0);
	CU_ASSERT_EQUAL(dp_route_deferred(), 2);	/* old table + next hop */
	dp_reclaim();
	CU_ASSERT_EQUAL(dp_route_deferred(), 2);
	CU_ASSERT_PTR_NOT_NULL(rte_lpm6_find_existing(old));

	rte_rcu_qsbr_quiescent(v, 0);
	dp_reclaim();
	CU_ASSERT_EQUAL(dp_route_deferred(), 0);
	CU_ASSERT_PTR_NULL(rte_lpm6_find_existing(old));
	rte_rcu_qsbr_thread_offline(v, 0);

	CU_ASSERT_EQUAL(dp_route_del(&p6), 0);
	dp_reclaim();
	CU_ASSERT_EQUAL(dp_route_deferred(), 0);
	CU_ASSERT_EQUAL(lookup("2001:db8:cccc::1", &nh), -ENOENT);
}

/*
 * A reader on another lcore (RCU thread 0, as a worker) looks up one
 * address in each of RACE_PFX IPv4 and IPv6 prefixes while this thread
 * adds and deletes those routes (IPv4 in place, IPv6 by table swap), each
 * time with a fresh next hop that names its prefix.  Whatever the reader
 * finds must be a gateway route naming the prefix it looked up: a next
 * hop published after the table that points at it, or a slot or table
 * freed under the reader, shows up as a wrong or zeroed next hop.
 */
enum { RACE_PFX = 32, RACE_OPS4 = 20000, RACE_OPS6 = 24 };

static struct {
	uint32_t started, stop;
	uint64_t rounds, found, wrong;
} race;

/* 172.16.k.1 or 2001:db8:77:k::1 */
static void race_dst(unsigned k, bool v6, struct gw_addr *a)
{
	static const uint8_t pfx6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x77, [15] = 1 };

	memset(a, 0, sizeof(*a));
	a->family = v6 ? AF_INET6 : AF_INET;
	if (v6) {
		memcpy(a->v6, pfx6, 16);
		a->v6[7] = (uint8_t)k;
	} else {
		a->v4 = htonl(0xac100001 | k << 8);
	}
}

/* The prefix of race_dst(k), and a gateway that names k and gen:
 * 10.10.k.gen or 2001:db8::k:gen (byte 14 is k, byte 15 gen). */
static void race_route(unsigned k, bool v6, uint8_t gen, struct gw_prefix *p,
		       struct dp_nexthop *nh)
{
	static const uint8_t gw6[16] = { 0x20, 0x01, 0x0d, 0xb8 };

	race_dst(k, v6, &p->addr);
	p->len = v6 ? 64 : 24;
	memset(nh, 0, sizeof(*nh));
	nh->type = DP_NH_GATEWAY;
	nh->gw.family = p->addr.family;
	if (v6) {
		memcpy(nh->gw.v6, gw6, 16);
		nh->gw.v6[14] = (uint8_t)k;
		nh->gw.v6[15] = gen;
	} else {
		nh->gw.v4 = htonl(0x0a0a0000 | k << 8 | gen);
	}
}

static bool race_nh_ok(unsigned k, const struct dp_nexthop *nh, bool v6)
{
	const uint8_t *g = v6 ? nh->gw.v6 + 14 : (const uint8_t *)&nh->gw.v4 + 2;

	return nh->type == DP_NH_GATEWAY && nh->iface == 0 &&
	       nh->gw.family == (v6 ? AF_INET6 : AF_INET) && g[0] == k;
}

static int race_reader(void *arg)
{
	struct rte_rcu_qsbr *v = arg;

	rte_rcu_qsbr_thread_online(v, 0);
	__atomic_store_n(&race.started, 1, __ATOMIC_RELEASE);
	do {	/* at least one round, the last one after the writer is done */
		for (unsigned i = 0; i < 2 * RACE_PFX; i++) {
			struct gw_addr a;
			struct dp_nexthop nh;

			race_dst(i / 2, i % 2, &a);
			if (dp_route_lookup(&a, &nh) != 0)
				continue;
			race.found++;
			race.wrong += !race_nh_ok(i / 2, &nh, i % 2);
		}
		race.rounds++;
		rte_rcu_qsbr_quiescent(v, 0);
	} while (!__atomic_load_n(&race.stop, __ATOMIC_ACQUIRE));
	rte_rcu_qsbr_thread_offline(v, 0);
	return 0;
}

/* Add the route of k if it is not there, else delete it.  0 or -errno. */
static int race_toggle(unsigned k, bool v6, uint8_t gen)
{
	struct gw_prefix p;
	struct dp_nexthop nh;
	int ret;

	race_route(k, v6, gen, &p, &nh);
	ret = dp_route_add(&p, &nh);
	return ret == -EEXIST ? dp_route_del(&p) : ret;
}

static void test_concurrent_reader(void)
{
	unsigned lcore = rte_get_next_lcore(-1, 1, 0), base = dp_route_count(), bad = 0;

	CU_ASSERT_FATAL(lcore < RTE_MAX_LCORE);
	memset(&race, 0, sizeof(race));
	CU_ASSERT_EQUAL_FATAL(rte_eal_remote_launch(race_reader, dp_rcu(), lcore), 0);
	while (!__atomic_load_n(&race.started, __ATOMIC_ACQUIRE))
		rte_pause();
	srand(1812);
	for (unsigned i = 0; i < RACE_OPS4 + RACE_OPS6; i++) {
		bool v6 = i % (RACE_OPS4 / RACE_OPS6 + 1) == 0;

		bad += race_toggle((unsigned)rand() % RACE_PFX, v6, (uint8_t)rand()) != 0;
		if (i % 256 == 0)
			dp_reclaim();
	}
	__atomic_store_n(&race.stop, 1, __ATOMIC_RELEASE);
	CU_ASSERT_EQUAL(rte_eal_wait_lcore(lcore), 0);
	printf("(%" PRIu64 " rounds, %" PRIu64 " found) ", race.rounds, race.found);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(race.rounds > 0 && race.found > 0);
	CU_ASSERT_EQUAL(race.wrong, 0);
	for (unsigned k = 0; k < RACE_PFX; k++) {
		struct gw_prefix p;
		struct dp_nexthop nh;

		race_route(k, false, 0, &p, &nh);
		dp_route_del(&p);
		race_route(k, true, 0, &p, &nh);
		dp_route_del(&p);
	}
	CU_ASSERT_EQUAL(dp_route_count(), base);
	dp_reclaim();
	CU_ASSERT_EQUAL(dp_route_deferred(), 0);
}

static void test_nh_type_names(void)
{
	CU_ASSERT_STRING_EQUAL(dp_nh_type_name(DP_NH_LOCAL), "local");
	CU_ASSERT_STRING_EQUAL(dp_nh_type_name(DP_NH_CONNECTED), "connected");
	CU_ASSERT_STRING_EQUAL(dp_nh_type_name(DP_NH_GATEWAY), "gateway");
	CU_ASSERT_STRING_EQUAL(dp_nh_type_name(0), "?");
	CU_ASSERT_STRING_EQUAL(dp_nh_type_name(DP_NH_GATEWAY + 1), "?");
}

int main(void)
{
	static const char *const eal[] = { "-l", "0-1", TEST_DP_NULL_PORTS };
	static const struct test_dp_case cases[] = {
		{ "local and connected routes", test_local_routes },
		{ "IPv4 longest match, add, delete", test_v4_longest_match },
		{ "default routes", test_default_routes },
		{ "bad input and duplicates", test_bad_input },
		{ "IPv6 add, delete, longest match", test_v6_add_del },
		{ "enumeration in insertion order", test_enumeration_order },
		{ "capacity and next-hop reuse", test_capacity },
		{ "IPv6 swap freed after a grace period", test_lpm6_swap_reclaim },
		{ "next-hop type names", test_nh_type_names },
		{ "a reader on another lcore sees only published routes", test_concurrent_reader },
	};

	if (test_dp_begin("route", RTE_DIM(eal), eal) != 0)
		return 1;
	test_dp_suite("route", test_dp_suite_init, test_dp_suite_fini, cases, RTE_DIM(cases));
	return test_dp_end();
}
