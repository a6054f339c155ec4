/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Neighbour table: set, update, lookup and delete for IPv4 and IPv6, keys
 * kept apart by interface, bad input, capacity, a deleted entry's slot
 * coming back only after an RCU grace period (dp_reclaim()), and a reader
 * on another lcore racing the writer.
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
#include "dataplane/dp_neigh.h"
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
		if (i % 256 == 0)
			dp_reclaim();
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

int main(void)
{
	static const char *const eal[] = { "-l", "0-1", TEST_DP_NULL_PORTS };
	static const struct test_dp_case cases[] = {
		{ "set, update, lookup, delete", test_set_lookup_update },
		{ "bad input", test_bad_input },
		{ "capacity and RCU reclaim", test_capacity_and_reclaim },
		{ "a reader on another lcore sees only published MACs", test_concurrent_reader },
	};

	if (test_dp_begin("neigh", RTE_DIM(eal), eal) != 0)
		return 1;
	test_dp_suite("neigh", test_dp_suite_init, test_dp_suite_fini, cases, RTE_DIM(cases));
	return test_dp_end();
}
