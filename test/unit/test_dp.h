/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_TEST_DP_H
#define GW_TEST_DP_H

/*
 * Shared by the data-plane unit tests (route, neigh, classify, mempool):
 * a two-interface configuration built in code, and a CUnit runner that
 * returns non-zero when anything failed.  Header-only so that test binaries
 * which do not link the data plane are unaffected.
 *
 *   outside: port0, 10.10.0.1/24 and 2001:db8:10::1/64
 *   inside:  port1, 192.168.10.1/24 and 2001:db8:20::1/64
 */

#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

#include "cfg/cfg.h"
#include "common/gw_addr.h"

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

#endif /* GW_TEST_DP_H */
