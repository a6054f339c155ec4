/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Neighbour table: set, update, lookup and delete for IPv4 and IPv6, keys
 * kept apart by interface, bad input, capacity, a deleted entry's slot
 * coming back only after an RCU grace period (dp_reclaim()), and a reader
 * on another lcore racing the writer.
 *
 * The neighbour slot cached in GATEWAY next hops (dp_fib.h): bound when
 * the route or the neighbour comes, unbound when the neighbour goes, per
 * interface and family, a MAC change seen through the cache, a freed slot
 * given to another neighbour never answering for the old one, and a
 * reader on another lcore forwarding through the cache while neighbours
 * and routes change under it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_pause.h>
#include <rte_rcu_qsbr.h>

#include "dataplane/dp.h"
#include "dataplane/dp_fib.h"
#include "dataplane/dp_neigh.h"
#include "dataplane/dp_route.h"
#include "test/unit/test_dp.h"
#include "test/unit/test_eal.h"

static struct rte_ether_addr mac_of(uint32_t n)
{
	struct rte_ether_addr m = { .addr_bytes = { 0x02, 0x00, (uint8_t)(n >> 24),
						    (uint8_t)(n >> 16), (uint8_t)(n >> 8),
						    (uint8_t)n } };
	return m;
}

static struct gw_addr v4_of(uint32_t n)
{
	struct gw_addr a = { .family = AF_INET, .v4 = htonl(0x0a000000 + n) };

	return a;
}

static void test_set_lookup_update(void)
{
	struct gw_addr a4 = test_addr("10.10.0.254"), a6 = test_addr("2001:db8:10::fe");
	struct rte_ether_addr m1 = mac_of(1), m2 = mac_of(2), got;
	unsigned base = dp_neigh_count();

	CU_ASSERT_EQUAL(dp_neigh_lookup(0, &a4, &got), -ENOENT);
	CU_ASSERT_EQUAL(dp_neigh_set(0, &a4, &m1), 0);
	CU_ASSERT_EQUAL(dp_neigh_set(0, &a6, &m2), 0);
	CU_ASSERT_EQUAL(dp_neigh_count(), base + 2);
	CU_ASSERT_EQUAL(dp_neigh_lookup(0, &a4, &got), 0);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&got, &m1));
	CU_ASSERT_EQUAL(dp_neigh_lookup(0, &a6, &got), 0);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&got, &m2));
	/* Same address on the other interface is another neighbour. */
	CU_ASSERT_EQUAL(dp_neigh_lookup(1, &a4, &got), -ENOENT);

	/* Update in place: one entry, new MAC. */
	CU_ASSERT_EQUAL(dp_neigh_set(0, &a4, &m2), 0);
	CU_ASSERT_EQUAL(dp_neigh_count(), base + 2);
	CU_ASSERT_EQUAL(dp_neigh_lookup(0, &a4, &got), 0);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&got, &m2));

	CU_ASSERT_EQUAL(dp_neigh_del(0, &a4), 0);
	CU_ASSERT_EQUAL(dp_neigh_lookup(0, &a4, &got), -ENOENT);
	CU_ASSERT_EQUAL(dp_neigh_del(0, &a4), -ENOENT);
	CU_ASSERT_EQUAL(dp_neigh_lookup(0, &a6, &got), 0);
	CU_ASSERT_EQUAL(dp_neigh_del(0, &a6), 0);
	CU_ASSERT_EQUAL(dp_neigh_count(), base);
	dp_reclaim();
	CU_ASSERT_EQUAL(dp_neigh_deferred(), 0);
}

static void test_bad_input(void)
{
	struct gw_addr a4 = test_addr("10.10.0.254"), none = { .family = 0 };
	struct rte_ether_addr m = mac_of(1), got;

	CU_ASSERT_EQUAL(dp_neigh_set(2, &a4, &m), -EINVAL);	/* 2 interfaces */
	CU_ASSERT_EQUAL(dp_neigh_set(0, &none, &m), -EINVAL);
	CU_ASSERT_EQUAL(dp_neigh_lookup(7, &a4, &got), -ENOENT);
	CU_ASSERT_EQUAL(dp_neigh_del(0, &none), -ENOENT);
}

/*
 * Fill the table.  With the test thread an online reader (worker 0) that
 * has not reported a quiescent state, a deleted entry's slot stays taken:
 * the table is still full.  After the quiescent report and dp_reclaim(),
 * the slot is free again.
 */
static void test_capacity_and_reclaim(void)
{
	struct rte_rcu_qsbr *v = dp_rcu();
	struct gw_addr extra = v4_of(DP_NEIGH_MAX + 1), first = v4_of(0);
	struct rte_ether_addr m, got;
	unsigned added = 0, base = dp_neigh_count();

	for (uint32_t i = 0; base + i < DP_NEIGH_MAX; i++) {
		struct gw_addr a = v4_of(i);

		m = mac_of(i);
		added += dp_neigh_set(i % 2, &a, &m) == 0;
	}
	CU_ASSERT_EQUAL(added, DP_NEIGH_MAX - base);
	CU_ASSERT_EQUAL(dp_neigh_count(), DP_NEIGH_MAX);
	m = mac_of(0xabcd);
	CU_ASSERT_EQUAL(dp_neigh_set(0, &extra, &m), -ENOSPC);
	/* Every entry reads back with its own MAC. */
	for (uint32_t i = 0; i < added; i++) {
		struct gw_addr a = v4_of(i);
		struct rte_ether_addr want = mac_of(i);

		if (dp_neigh_lookup(i % 2, &a, &got) != 0 || !rte_is_same_ether_addr(&got, &want)) {
			CU_FAIL("entry lost or wrong MAC");
			break;
		}
	}

	rte_rcu_qsbr_thread_online(v, 0);
	CU_ASSERT_EQUAL(dp_neigh_del(0, &first), 0);
	CU_ASSERT_EQUAL(dp_neigh_deferred(), 1);
	CU_ASSERT_EQUAL(dp_neigh_set(0, &extra, &m), -ENOSPC);
	dp_reclaim();
	CU_ASSERT_EQUAL(dp_neigh_deferred(), 1);
	CU_ASSERT_EQUAL(dp_neigh_set(0, &extra, &m), -ENOSPC);

	rte_rcu_qsbr_quiescent(v, 0);
	dp_reclaim();
	CU_ASSERT_EQUAL(dp_neigh_deferred(), 0);
	CU_ASSERT_EQUAL(dp_neigh_set(0, &extra, &m), 0);
	CU_ASSERT_EQUAL(dp_neigh_lookup(0, &extra, &got), 0);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&got, &m));
	CU_ASSERT_EQUAL(dp_neigh_lookup(0, &first, &got), -ENOENT);
	rte_rcu_qsbr_thread_offline(v, 0);

	/* Empty it again. */
	CU_ASSERT_EQUAL(dp_neigh_del(0, &extra), 0);
	for (uint32_t i = 1; i < added; i++) {
		struct gw_addr a = v4_of(i);

		CU_ASSERT_EQUAL_FATAL(dp_neigh_del(i % 2, &a), 0);
	}
	CU_ASSERT_EQUAL(dp_neigh_count(), base);
	dp_reclaim();
	CU_ASSERT_EQUAL(dp_neigh_deferred(), 0);
}

/*
 * A reader on another lcore (RCU thread 0, as a worker) looks keys up while
 * this thread sets, changes and deletes them, so that positions are freed
 * and given to other keys.  Every MAC the reader finds must be one that
 * was published for the key it looked up (its index in the last two
 * bytes, a generation in the two before, written together): a key made
 * visible before its MAC, or a slot still holding the MAC of the key that
 * had it before, shows up here as a wrong MAC.
 */
enum { RACE_KEYS = 64, RACE_OPS = 200000 };

static struct {
	uint32_t started, stop;
	uint64_t rounds, found, wrong;
} race;

static struct rte_ether_addr race_mac(uint32_t k, uint8_t gen)
{
	return mac_of((uint32_t)gen << 24 | (uint32_t)gen << 16 | k);
}

static int race_reader(void *arg)
{
	struct rte_rcu_qsbr *v = arg;

	rte_rcu_qsbr_thread_online(v, 0);
	__atomic_store_n(&race.started, 1, __ATOMIC_RELEASE);
	do {	/* at least one round, the last one after the writer is done */
		for (uint32_t k = 0; k < RACE_KEYS; k++) {
			struct gw_addr a = v4_of(k);
			struct rte_ether_addr m;
			const uint8_t *b = m.addr_bytes;

			if (dp_neigh_lookup(k % 2, &a, &m) != 0)
				continue;
			race.found++;
			race.wrong += b[0] != 0x02 || b[1] != 0 || b[2] != b[3] ||
				      (uint32_t)(b[4] << 8 | b[5]) != k;
		}
		race.rounds++;
		rte_rcu_qsbr_quiescent(v, 0);
	} while (!__atomic_load_n(&race.stop, __ATOMIC_ACQUIRE));
	rte_rcu_qsbr_thread_offline(v, 0);
	return 0;
}

static void test_concurrent_reader(void)
{
	unsigned lcore = rte_get_next_lcore(-1, 1, 0);
	unsigned base = dp_neigh_count(), sets = 0;

	CU_ASSERT_FATAL(lcore < RTE_MAX_LCORE);
	memset(&race, 0, sizeof(race));
	CU_ASSERT_EQUAL_FATAL(rte_eal_remote_launch(race_reader, dp_rcu(), lcore), 0);
	while (!__atomic_load_n(&race.started, __ATOMIC_ACQUIRE))
		rte_pause();
	srand(4861);
	for (unsigned i = 0; i < RACE_OPS; i++) {
		uint32_t k = (uint32_t)rand() % RACE_KEYS;
		struct gw_addr a = v4_of(k);
		struct rte_ether_addr m = race_mac(k, (uint8_t)rand());

		if (rand() % 3 == 0)
			dp_neigh_del(k % 2, &a);
		else
			sets += dp_neigh_set(k % 2, &a, &m) == 0;
		if (i % 256 == 0) {	/* as test_cache_concurrent_reader() */
			rte_rcu_qsbr_synchronize(dp_rcu(), RTE_QSBR_THRID_INVALID);
			dp_reclaim();
		}
	}
	__atomic_store_n(&race.stop, 1, __ATOMIC_RELEASE);
	CU_ASSERT_EQUAL(rte_eal_wait_lcore(lcore), 0);
	printf("(%u sets, %" PRIu64 " rounds, %" PRIu64 " found) ", sets, race.rounds, race.found);
	CU_ASSERT(sets > 0);
	CU_ASSERT(race.rounds > 0 && race.found > 0);
	CU_ASSERT_EQUAL(race.wrong, 0);
	for (uint32_t k = 0; k < RACE_KEYS; k++) {
		struct gw_addr a = v4_of(k);

		dp_neigh_del(k % 2, &a);
	}
	CU_ASSERT_EQUAL(dp_neigh_count(), base);
	dp_reclaim();
	CU_ASSERT_EQUAL(dp_neigh_deferred(), 0);
}

/* ---- the next-hop neighbour cache --------------------------------------- */

static struct dp_nexthop nh_gw(unsigned iface, const char *gw)
{
	struct dp_nexthop nh = { .type = DP_NH_GATEWAY, .iface = (uint16_t)iface };

	nh.gw = test_addr(gw);
	return nh;
}

static const struct dp_fib_nh *fib_of(const char *dst)
{
	struct gw_addr a = test_addr(dst);

	return a.family == AF_INET ? dp_fib_lookup4(a.v4) : dp_fib_lookup6(a.v6);
}

/* What a worker would send a packet for dst to: true and *mac, or false. */
static bool fwd_mac(const char *dst, struct rte_ether_addr *mac)
{
	struct gw_addr a = test_addr(dst);
	const struct dp_fib_nh *e = fib_of(dst);
	uint64_t w;

	if (e == NULL)
		return false;
	w = dp_fib_resolve(e, &a);
	if ((w & DP_NEIGH_VALID) == 0)
		return false;
	dp_fib_mac_store(w, mac);
	return true;
}

static bool fwd_is(const char *dst, const struct rte_ether_addr *want)
{
	struct rte_ether_addr got;

	return fwd_mac(dst, &got) && rte_is_same_ether_addr(&got, want);
}

static uint32_t cached(const char *dst)
{
	const struct dp_fib_nh *e = fib_of(dst);

	return e == NULL ? 0 : __atomic_load_n(&e->neigh, __ATOMIC_RELAXED);
}

static void test_cache_bind_unbind(void)
{
	struct dp_nexthop g0 = nh_gw(0, "10.10.0.254"), g1 = nh_gw(1, "10.10.0.254");
	struct dp_nexthop g6 = nh_gw(0, "2001:db8:10::fe"), g0b = nh_gw(0, "10.10.0.253");
	struct gw_prefix r1 = test_prefix("172.20.0.0/16"), r2 = test_prefix("172.21.0.0/16");
	struct gw_prefix r3 = test_prefix("172.22.0.0/16"), r6 = test_prefix("2001:db8:77::/48");
	struct rte_ether_addr m1 = mac_of(1), m2 = mac_of(2), m3 = mac_of(3), m6 = mac_of(6);
	struct rte_ether_addr got;
	uint32_t slot;

	/* A route before its gateway is known: nothing cached, nothing sent. */
	CU_ASSERT_EQUAL_FATAL(dp_route_add(&r1, &g0), 0);
	CU_ASSERT_EQUAL(cached("172.20.1.1"), DP_NEIGH_NONE);
	CU_ASSERT_FALSE(fwd_mac("172.20.1.1", &got));
	/* The neighbour comes: bound. */
	CU_ASSERT_EQUAL(dp_neigh_set(0, &g0.gw, &m1), 0);
	slot = dp_neigh_slot(0, &g0.gw);
	CU_ASSERT_NOT_EQUAL_FATAL(slot, DP_NEIGH_NONE);
	CU_ASSERT_EQUAL(cached("172.20.1.1"), slot);
	CU_ASSERT_TRUE(fwd_is("172.20.1.1", &m1));
	/* A route after it: bound when made.  The same address on the other
	 * interface is another neighbour, not known: not bound. */
	CU_ASSERT_EQUAL_FATAL(dp_route_add(&r2, &g0), 0);
	CU_ASSERT_EQUAL_FATAL(dp_route_add(&r3, &g1), 0);
	CU_ASSERT_EQUAL(cached("172.21.1.1"), slot);
	CU_ASSERT_EQUAL(cached("172.22.1.1"), DP_NEIGH_NONE);
	CU_ASSERT_FALSE(fwd_mac("172.22.1.1", &got));
	/* A MAC change keeps the slot and shows through the cache. */
	CU_ASSERT_EQUAL(dp_neigh_set(0, &g0.gw, &m2), 0);
	CU_ASSERT_EQUAL(cached("172.20.1.1"), slot);
	CU_ASSERT_TRUE(fwd_is("172.20.1.1", &m2));
	CU_ASSERT_TRUE(fwd_is("172.21.1.1", &m2));
	/* The neighbour goes: both routes unbound, nothing sent. */
	CU_ASSERT_EQUAL(dp_neigh_del(0, &g0.gw), 0);
	CU_ASSERT_EQUAL(cached("172.20.1.1"), DP_NEIGH_NONE);
	CU_ASSERT_EQUAL(cached("172.21.1.1"), DP_NEIGH_NONE);
	CU_ASSERT_FALSE(fwd_mac("172.20.1.1", &got));
	CU_ASSERT_FALSE(fwd_mac("172.21.1.1", &got));
	/* And comes back. */
	CU_ASSERT_EQUAL(dp_neigh_set(0, &g0.gw, &m1), 0);
	CU_ASSERT_EQUAL(cached("172.20.1.1"), dp_neigh_slot(0, &g0.gw));
	CU_ASSERT_TRUE(fwd_is("172.21.1.1", &m1));
	/* IPv6 gateways alike. */
	CU_ASSERT_EQUAL_FATAL(dp_route_add(&r6, &g6), 0);
	CU_ASSERT_EQUAL(cached("2001:db8:77::1"), DP_NEIGH_NONE);
	CU_ASSERT_EQUAL(dp_neigh_set(0, &g6.gw, &m6), 0);
	CU_ASSERT_EQUAL(cached("2001:db8:77::1"), dp_neigh_slot(0, &g6.gw));
	CU_ASSERT_TRUE(fwd_is("2001:db8:77::1", &m6));
	/* The route changes to another gateway: its MAC, not the old one. */
	CU_ASSERT_EQUAL(dp_neigh_set(0, &g0b.gw, &m3), 0);
	CU_ASSERT_EQUAL(dp_route_del(&r1), 0);
	CU_ASSERT_EQUAL_FATAL(dp_route_add(&r1, &g0b), 0);
	CU_ASSERT_TRUE(fwd_is("172.20.1.1", &m3));
	CU_ASSERT_TRUE(fwd_is("172.21.1.1", &m1));

	CU_ASSERT_EQUAL(dp_route_del(&r1), 0);
	CU_ASSERT_EQUAL(dp_route_del(&r2), 0);
	CU_ASSERT_EQUAL(dp_route_del(&r3), 0);
	CU_ASSERT_EQUAL(dp_route_del(&r6), 0);
	CU_ASSERT_EQUAL(dp_neigh_del(0, &g0.gw), 0);
	CU_ASSERT_EQUAL(dp_neigh_del(0, &g0b.gw), 0);
	CU_ASSERT_EQUAL(dp_neigh_del(0, &g6.gw), 0);
	dp_reclaim();
	CU_ASSERT_EQUAL(dp_neigh_deferred(), 0);
	CU_ASSERT_EQUAL(dp_route_deferred(), 0);
}

/*
 * The slot a deleted gateway had is given to another neighbour (the table
 * is full, so the one freed slot is the one the next key gets): the route
 * through the old gateway must not send to the new neighbour's MAC.
 */
static void test_cache_slot_reuse(void)
{
	struct dp_nexthop ga = nh_gw(0, "10.10.0.254");
	struct gw_prefix r = test_prefix("172.20.0.0/16");
	struct rte_ether_addr ma = mac_of(0xa), mb = mac_of(0xb), m, got;
	struct gw_addr b = v4_of(DP_NEIGH_MAX + 7);
	unsigned base = dp_neigh_count(), added = 0;
	uint32_t slot;

	CU_ASSERT_EQUAL_FATAL(dp_neigh_set(0, &ga.gw, &ma), 0);
	CU_ASSERT_EQUAL_FATAL(dp_route_add(&r, &ga), 0);
	slot = cached("172.20.1.1");
	CU_ASSERT_EQUAL(slot, dp_neigh_slot(0, &ga.gw));
	for (uint32_t i = 0; dp_neigh_count() < DP_NEIGH_MAX; i++) {
		struct gw_addr a = v4_of(i);

		m = mac_of(i);
		CU_ASSERT_EQUAL_FATAL(dp_neigh_set(1, &a, &m), 0);
		added++;
	}
	CU_ASSERT_EQUAL(dp_neigh_set(0, &b, &mb), -ENOSPC);

	CU_ASSERT_EQUAL(dp_neigh_del(0, &ga.gw), 0);
	dp_reclaim();		/* no reader online: the grace period is over */
	CU_ASSERT_EQUAL(dp_neigh_deferred(), 0);
	CU_ASSERT_EQUAL_FATAL(dp_neigh_set(0, &b, &mb), 0);
	CU_ASSERT_EQUAL(dp_neigh_slot(0, &b), slot);	/* the old gateway's */
	CU_ASSERT_EQUAL(cached("172.20.1.1"), DP_NEIGH_NONE);
	CU_ASSERT_FALSE(fwd_mac("172.20.1.1", &got));

	CU_ASSERT_EQUAL(dp_route_del(&r), 0);
	CU_ASSERT_EQUAL(dp_neigh_del(0, &b), 0);
	for (uint32_t i = 0; i < added; i++) {
		struct gw_addr a = v4_of(i);

		CU_ASSERT_EQUAL_FATAL(dp_neigh_del(1, &a), 0);
	}
	CU_ASSERT_EQUAL(dp_neigh_count(), base);
	dp_reclaim();
	CU_ASSERT_EQUAL(dp_neigh_deferred(), 0);
}

/*
 * A reader on another lcore (RCU thread 0) resolves CACHE_ROUTES gateway
 * routes through the cache, as a worker does, while this thread sets,
 * changes and deletes their gateways (so that slots are freed and reused
 * by other gateways) and now and then moves a route to another gateway.
 * Route k goes via gateway k or CACHE_ROUTES + k; every MAC the reader
 * gets must be one published for one of the two (the gateway's number in
 * the last two bytes, a generation in the two before, written together).
 * The table is filled up to room for the gateways, so that a freed slot
 * is soon given to another one.  Every 64 changes the writer waits for the
 * reader's next quiescent state and reclaims, so that a reader starved of
 * CPU (tests run side by side) cannot let the deferred slots fill the table.
 */
enum { CACHE_ROUTES = 32, CACHE_OPS = 100000 };

static struct {
	uint32_t started, stop;
	uint64_t rounds, found, wrong;
} crace;

static struct gw_prefix cache_route(uint32_t k)
{
	struct gw_prefix p = { .addr = { .family = AF_INET, .v4 = htonl(0xac000000 | k << 16) },
			       .len = 16 };	/* 172.k.0.0/16 */
	return p;
}

static int cache_reader(void *arg)
{
	struct rte_rcu_qsbr *v = arg;

	rte_rcu_qsbr_thread_online(v, 0);
	__atomic_store_n(&crace.started, 1, __ATOMIC_RELEASE);
	do {
		for (uint32_t k = 0; k < CACHE_ROUTES; k++) {
			struct gw_addr dst = { .family = AF_INET, .v4 = htonl(0xac000001 | k << 16) };
			const struct dp_fib_nh *e = dp_fib_lookup4(dst.v4);
			struct rte_ether_addr m;
			const uint8_t *b = m.addr_bytes;
			uint32_t gw;
			uint64_t w;

			if (e == NULL)
				continue;
			w = dp_fib_resolve(e, &dst);
			if ((w & DP_NEIGH_VALID) == 0)
				continue;
			dp_fib_mac_store(w, &m);
			gw = (uint32_t)(b[4] << 8 | b[5]);
			crace.found++;
			crace.wrong += b[0] != 0x02 || b[1] != 0 || b[2] != b[3] ||
				       (gw != k && gw != CACHE_ROUTES + k);
		}
		crace.rounds++;
		rte_rcu_qsbr_quiescent(v, 0);
	} while (!__atomic_load_n(&crace.stop, __ATOMIC_ACQUIRE));
	rte_rcu_qsbr_thread_offline(v, 0);
	return 0;
}

/* One random change: a gateway set or deleted, or a route moved. */
static void cache_churn(void)
{
	uint32_t g = (uint32_t)rand() % (2 * CACHE_ROUTES), k = g % CACHE_ROUTES;
	struct gw_addr a = v4_of(g);
	struct rte_ether_addr m = race_mac(g, (uint8_t)rand());
	struct gw_prefix p = cache_route(k);
	struct dp_nexthop nh = { .type = DP_NH_GATEWAY, .iface = 0, .gw = a };
	int r = rand() % 8;

	if (r == 0) {
		dp_route_del(&p);
		dp_route_add(&p, &nh);
	} else if (r < 4) {
		dp_neigh_del(0, &a);
	} else {
		dp_neigh_set(0, &a, &m);
	}
}

static void test_cache_concurrent_reader(void)
{
	unsigned lcore = rte_get_next_lcore(-1, 1, 0);
	unsigned base = dp_neigh_count(), fill = 0;

	CU_ASSERT_FATAL(lcore < RTE_MAX_LCORE);
	memset(&crace, 0, sizeof(crace));
	while (dp_neigh_count() < DP_NEIGH_MAX - 2 * CACHE_ROUTES) {
		struct gw_addr a = v4_of(0x10000 + fill);
		struct rte_ether_addr m = mac_of(0xffff);

		CU_ASSERT_EQUAL_FATAL(dp_neigh_set(1, &a, &m), 0);
		fill++;
	}
	for (uint32_t k = 0; k < CACHE_ROUTES; k++) {
		struct gw_prefix p = cache_route(k);
		struct dp_nexthop nh = { .type = DP_NH_GATEWAY, .iface = 0, .gw = v4_of(k) };

		CU_ASSERT_EQUAL_FATAL(dp_route_add(&p, &nh), 0);
	}
	CU_ASSERT_EQUAL_FATAL(rte_eal_remote_launch(cache_reader, dp_rcu(), lcore), 0);
	while (!__atomic_load_n(&crace.started, __ATOMIC_ACQUIRE))
		rte_pause();
	srand(826);
	for (unsigned i = 0; i < CACHE_OPS; i++) {
		cache_churn();
		if (i % 64 == 0) {
			rte_rcu_qsbr_synchronize(dp_rcu(), RTE_QSBR_THRID_INVALID);
			dp_reclaim();
		}
	}
	__atomic_store_n(&crace.stop, 1, __ATOMIC_RELEASE);
	CU_ASSERT_EQUAL(rte_eal_wait_lcore(lcore), 0);
	printf("(%" PRIu64 " rounds, %" PRIu64 " found) ", crace.rounds, crace.found);
	CU_ASSERT(crace.rounds > 0 && crace.found > 0);
	CU_ASSERT_EQUAL(crace.wrong, 0);
	for (uint32_t g = 0; g < 2 * CACHE_ROUTES; g++) {
		struct gw_addr a = v4_of(g);

		dp_neigh_del(0, &a);
	}
	for (uint32_t k = 0; k < CACHE_ROUTES; k++) {
		struct gw_prefix p = cache_route(k);

		CU_ASSERT_EQUAL(dp_route_del(&p), 0);
	}
	for (uint32_t i = 0; i < fill; i++) {
		struct gw_addr a = v4_of(0x10000 + i);

		CU_ASSERT_EQUAL_FATAL(dp_neigh_del(1, &a), 0);
	}
	CU_ASSERT_EQUAL(dp_neigh_count(), base);
	dp_reclaim();
	CU_ASSERT_EQUAL(dp_neigh_deferred(), 0);
	CU_ASSERT_EQUAL(dp_route_deferred(), 0);
}

int main(void)
{
	static const char *const eal[] = { "-l", "0-1", TEST_DP_NULL_PORTS };
	static const struct test_dp_case cases[] = {
		{ "set, update, lookup, delete", test_set_lookup_update },
		{ "bad input", test_bad_input },
		{ "capacity and RCU reclaim", test_capacity_and_reclaim },
		{ "a reader on another lcore sees only published MACs", test_concurrent_reader },
	};
	static const struct test_dp_case cache[] = {
		{ "bound and unbound with routes and neighbours", test_cache_bind_unbind },
		{ "a reused slot never answers for the old gateway", test_cache_slot_reuse },
		{ "a reader forwarding through the cache sees only its gateways' MACs",
		  test_cache_concurrent_reader },
	};

	if (test_dp_begin("neigh", RTE_DIM(eal), eal) != 0)
		return 1;
	test_dp_suite("neigh", test_dp_suite_init, test_dp_suite_fini, cases, RTE_DIM(cases));
	test_dp_suite("next-hop neighbour cache", test_dp_suite_init, test_dp_suite_fini, cache,
		      RTE_DIM(cache));
	return test_dp_end();
}
