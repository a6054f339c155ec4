/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Neighbour table: set, update, lookup and delete for IPv4 and IPv6, keys
 * kept apart by interface, bad input, capacity, and a deleted entry's slot
 * coming back only after an RCU grace period (dp_reclaim()).
 */
#include <arpa/inet.h>
#include <errno.h>

#include <rte_eal.h>
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

static int suite_init(void)
{
	struct gw_cfg cfg;

	test_dp_cfg(&cfg, "net_null0", "net_null1");
	return dp_init(&cfg) == 0 ? 0 : -1;
}

static int suite_fini(void)
{
	dp_fini();
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const eal[] = { "--vdev=net_null0,no-rx=1", "--vdev=net_null1,no-rx=1" };
	CU_pSuite s;
	int ret;

	(void)argc;
	(void)argv;
	if (test_eal_init("neigh", 2, eal) != 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("neigh", suite_init, suite_fini);
	CU_add_test(s, "set, update, lookup, delete", test_set_lookup_update);
	CU_add_test(s, "bad input", test_bad_input);
	CU_add_test(s, "capacity and RCU reclaim", test_capacity_and_reclaim);
	ret = test_dp_run();
	rte_eal_cleanup();
	return ret;
}
