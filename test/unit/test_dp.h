/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_TEST_DP_H
#define GW_TEST_DP_H

/*
 * Shared by the data-plane unit tests (route, neigh, classify, mempool) and
 * by test_cp.h: a two-interface configuration built in code, EAL and CUnit
 * set-up, a runner that returns non-zero when anything failed, and the
 * mbuf leak check.  Header-only (static inline); binaries that include it
 * link the data plane.
 *
 *   outside: port0, 10.10.0.1/24 and 2001:db8:10::1/64
 *   inside:  port1, 192.168.10.1/24 and 2001:db8:20::1/64
 */

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "cfg/cfg.h"
#include "common/gw_addr.h"
#include "dataplane/dp.h"
#include "dataplane/dp_stats.h"
#include "dataplane/esp_crypto.h"
#include "test/unit/test_eal.h"

static inline void test_dp_iface(struct cfg_iface *i, const char *name, const char *port,
				 const char *a4, const char *a6)
{
	memset(i, 0, sizeof(*i));
	snprintf(i->name, sizeof(i->name), "%s", name);
	snprintf(i->port, sizeof(i->port), "%s", port);
	gw_prefix_parse(a4, &i->addrs[i->n_addrs++]);
	gw_prefix_parse(a6, &i->addrs[i->n_addrs++]);
}

static inline void test_dp_cfg(struct gw_cfg *cfg, const char *port0, const char *port1)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->workers = 1;
	cfg->n_ifaces = 2;
	test_dp_iface(&cfg->ifaces[0], "outside", port0, "10.10.0.1/24", "2001:db8:10::1/64");
	test_dp_iface(&cfg->ifaces[1], "inside", port1, "192.168.10.1/24", "2001:db8:20::1/64");
}

static inline struct gw_addr test_addr(const char *s)
{
	struct gw_addr a;

	CU_ASSERT_FATAL(gw_addr_parse(s, &a) == 0);
	return a;
}

static inline struct gw_prefix test_prefix(const char *s)
{
	struct gw_prefix p;

	CU_ASSERT_FATAL(gw_prefix_parse(s, &p) == 0);
	return p;
}

/*
 * Not one mbuf of the pool in use: what a test built, and what the code
 * under test made from it, has all been freed.  Call with no workers
 * running and the CP's queues released (or no CP at all).
 */
static inline void test_dp_no_mbuf_leak(void)
{
	unsigned in_use = rte_mempool_in_use_count(dp_mbuf_pool());

	if (in_use != 0)
		fprintf(stderr, "\n  %u mbufs still in use\n", in_use);
	CU_ASSERT_EQUAL(in_use, 0);
}

/* Suite set-up and tear-down for tests that only need dp_init(). */
static inline int test_dp_suite_init(void)
{
	struct gw_cfg cfg;

	test_dp_cfg(&cfg, "net_null0", "net_null1");
	return dp_init(&cfg) == 0 ? 0 : -1;
}

static inline int test_dp_suite_fini(void)
{
	dp_fini();
	return 0;
}

/* The same, with a worker's crypto context in *wk (the ESP suites). */
static inline int test_dp_esp_suite_init(struct esp_crypto_wk **wk)
{
	if (test_dp_suite_init() != 0)
		return -1;
	*wk = esp_crypto_wk_create(SOCKET_ID_ANY);
	return *wk == NULL ? -1 : 0;
}

static inline int test_dp_esp_suite_fini(struct esp_crypto_wk **wk)
{
	esp_crypto_wk_free(*wk);
	*wk = NULL;
	return test_dp_suite_fini();
}

/* CLOCK_MONOTONIC in milliseconds, for a test's deadlines. */
static inline uint64_t test_dp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Counter c summed over every lcore. */
static inline uint64_t test_dp_counter(enum dp_counter c)
{
	struct dp_lcore_stats s;

	dp_stats_sum(&s);
	return s.c[c];
}

/*
 * A port that a test drives through its rings: rte_eth_from_rings() over
 * nq RX rings (what the port receives) and nq TX rings (what it sends),
 * named "net_ring_" + name, with the MAC 02:47:57:00:00:idx (distinct
 * MACs, hence distinct link-local addresses; net_ring has no MAC setting:
 * the address list is its data, written here).  Binaries that call it
 * link rte_net_ring.  0 or -1 (said on stderr).
 */
static inline int test_dp_ring_port(const char *name, struct rte_ring **rx, struct rte_ring **tx,
				    unsigned nq, uint8_t idx)
{
	struct rte_ether_addr mac = { { 0x02, 0x47, 0x57, 0, 0, idx } };
	int port = rte_eth_from_rings(name, rx, nq, tx, nq, 0);

	if (port < 0 || rte_eth_dev_mac_addr_add((uint16_t)port, &mac, 0) != 0) {
		fprintf(stderr, "port %s: cannot make it or set its MAC\n", name);
		return -1;
	}
	return 0;
}

/* The two ports of test_dp_cfg(), neither of which ever receives. */
#define TEST_DP_NULL_PORTS "--vdev=net_null0,no-rx=1", "--vdev=net_null1,no-rx=1"

/* EAL with argv (see test_eal.h) and a CUnit registry.  0 or -1. */
static inline int test_dp_begin(const char *name, int argc, const char *const *argv)
{
	if (test_eal_init(name, argc, argv) != 0) {
		fprintf(stderr, "EAL init failed\n");
		return -1;
	}
	return CU_initialize_registry() == CUE_SUCCESS ? 0 : -1;
}

struct test_dp_case {
	const char *name;
	CU_TestFunc fn;
};

/* One suite of n cases; the registry reports a failure to add. */
static inline void test_dp_suite(const char *name, CU_InitializeFunc init, CU_CleanupFunc fini,
				 const struct test_dp_case *cases, size_t n)
{
	CU_pSuite s = CU_add_suite(name, init, fini);

	for (size_t i = 0; s != NULL && i < n; i++)
		CU_add_test(s, cases[i].name, cases[i].fn);
}

/* Run every registered suite; 0 when all passed. */
static inline int test_dp_run(void)
{
	unsigned failed;

	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed() +
		 CU_get_number_of_suites_failed();
	if (CU_get_number_of_tests_run() == 0)
		failed = 1;
	CU_cleanup_registry();
	return failed != 0;
}

/* test_dp_run(), then EAL cleanup: the exit status of a test binary. */
static inline int test_dp_end(void)
{
	int ret = test_dp_run();

	rte_eal_cleanup();
	return ret;
}

#endif /* GW_TEST_DP_H */
