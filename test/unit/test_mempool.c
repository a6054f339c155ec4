/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The mbuf pool sizing rule (figures worked out by hand from the rule in
 * dataplane/dp_mempool.h), the memory check and its message, and dp_init
 * refusing a pool that cannot fit in EAL memory, then succeeding with one
 * that does and making exactly the pool the rule gives.
 */
#include <errno.h>
#include <stdlib.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dataplane/dp.h"
#include "dataplane/dp_mempool.h"
#include "test/unit/test_dp.h"
#include "test/unit/test_eal.h"

#define MIB ((size_t)1 << 20)

static void test_rule(void)
{
	/* 2 ports, 1 worker, 1024/1024 descriptors, 1 lcore:
	 * 2*1*2048 + 2*1024 + 6144 + 512*8 + 4096 + 0 + 384 + 1*3*32
	 * + 1*(2*3*32 + 2*16) (fragments) + 0 (no handoff ring) */
	struct dp_pool_sizing a = { .nb_ports = 2, .nb_workers = 1, .nb_lcores = 1,
				    .rxd = { 1024, 1024 }, .txd = { 1024, 1024 } };
	/* 4 ports, 2 workers, 512 RX / 256 TX, 3 lcores:
	 * 4*2*768 + 4*1024 + 6144 + 4096 + 4096 + 0 + 3*384 + 2*5*32
	 * + 2*(2*5*32 + 2*16) + 2*1024 (handoff rings) */
	struct dp_pool_sizing b = { .nb_ports = 4, .nb_workers = 2, .nb_lcores = 3,
				    .rxd = { 512, 512, 512, 512 }, .txd = { 256, 256, 256, 256 } };
	/* Ports may differ: 1 worker, 4096/512 and 128/128, 2 lcores:
	 * 4608 + 256 + 2*1024 + 6144 + 4096 + 4096 + 768 + 3*32 + (2*3*32 + 2*16) */
	struct dp_pool_sizing c = { .nb_ports = 2, .nb_workers = 1, .nb_lcores = 2,
				    .rxd = { 4096, 128 }, .txd = { 512, 128 } };
	/* a with a second worker: descriptors and bursts twice, fragments
	 * twice, and two handoff rings appear:
	 * 2*2*2048 + 2*1024 + 6144 + 4096 + 4096 + 0 + 384 + 2*3*32
	 * + 2*(2*3*32 + 2*16) + 2*1024 */
	struct dp_pool_sizing d = a;

	d.nb_workers = 2;
	CU_ASSERT_EQUAL(DP_FRAG_MBUFS, 4096);
	CU_ASSERT_EQUAL(DP_PUNT_RING_MBUFS, 6144);	/* the four punt rings */
	CU_ASSERT_EQUAL(dp_mempool_nb_mbufs(&a), 21184);
	CU_ASSERT_EQUAL(dp_mempool_nb_mbufs(&b), 28800);
	CU_ASSERT_EQUAL(dp_mempool_nb_mbufs(&c), 22336);
	CU_ASSERT_EQUAL(dp_mempool_nb_mbufs(&d), 27648);
}

static void test_data_room(void)
{
	CU_ASSERT_EQUAL(dp_mempool_data_room(0), RTE_PKTMBUF_HEADROOM + 2048);
	CU_ASSERT_EQUAL(dp_mempool_data_room(9216), RTE_PKTMBUF_HEADROOM + 9216);
}

static void test_fit_message(void)
{
	char msg[256] = "";

	CU_ASSERT_EQUAL(dp_mempool_fit(20480, 2432, 0, 0, 48 * MIB, 256 * MIB, msg, sizeof(msg)), 0);
	CU_ASSERT_STRING_EQUAL(msg, "");
	/* 20480 x 2432 B = 47.5 MB; 226 MB in use + 47.5 + 40 reserved. */
	CU_ASSERT_EQUAL(dp_mempool_fit(20480, 2432, 0, 40 * MIB, 30 * MIB, 256 * MIB,
				       msg, sizeof(msg)), -ENOMEM);
	CU_ASSERT_STRING_EQUAL(msg, "mbuf pool needs 20480 mbufs of 2432 B = 48 MB "
			       "(+ 40 MB kept free for route-table rebuilds and queues) but "
			       "only 30 MB of EAL memory is free; raise -m to at least 314");
	/* The reserve alone can make it not fit. */
	CU_ASSERT_EQUAL(dp_mempool_fit(100, 2432, 0, 40 * MIB, 39 * MIB, 256 * MIB,
				       msg, sizeof(msg)), -ENOMEM);
}

static char *read_all(FILE *f)
{
	long n;
	char *buf;

	fflush(f);
	n = ftell(f);
	buf = calloc(1, (size_t)n + 1);
	if (buf == NULL)
		return NULL;
	rewind(f);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		buf[0] = '\0';
	return buf;
}

/* A 60000-byte data room x ~19k mbufs is ~1.1 GB: refused, with the figure. */
static void test_refused_then_ok(void)
{
	struct gw_cfg cfg;
	FILE *log = tmpfile();
	char *text;
	int ret;

	CU_ASSERT_PTR_NOT_NULL_FATAL(log);
	test_dp_cfg(&cfg, "net_null0", "net_null1");
	cfg.mbuf_data_size = 60000;
	rte_openlog_stream(log);
	ret = dp_init(&cfg);
	rte_openlog_stream(NULL);
	CU_ASSERT_EQUAL(ret, -ENOMEM);
	text = read_all(log);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "mbuf pool needs"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "of 60"));		/* 60000 + headers */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "raise -m to at least"));
	printf("(logged: %s) ", text);
	free(text);
	fclose(log);
	CU_ASSERT_PTR_NULL(dp_mbuf_pool());

	/* A data room beyond 16 bits is a configuration error. */
	cfg.mbuf_data_size = 65536;
	CU_ASSERT_EQUAL(dp_init(&cfg), -EINVAL);

	/* The failed attempts left nothing behind: a sane one works. */
	cfg.mbuf_data_size = 0;
	CU_ASSERT_EQUAL_FATAL(dp_init(&cfg), 0);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(dp_mbuf_pool()),
			21184 + (rte_lcore_count() - 1) * DP_MEMPOOL_CACHE * 3 / 2);
	CU_ASSERT_EQUAL(rte_pktmbuf_data_room_size(dp_mbuf_pool()), RTE_PKTMBUF_HEADROOM + 2048);
	dp_fini();
}

static void test_port_stats(void)
{
	struct gw_cfg cfg;
	struct rte_eth_stats st;

	test_dp_cfg(&cfg, "net_null0", "net_null1");
	CU_ASSERT_EQUAL_FATAL(dp_init(&cfg), 0);
	CU_ASSERT_EQUAL(dp_port_stats(0, &st), 0);
	CU_ASSERT_EQUAL(st.rx_nombuf, 0);
	CU_ASSERT_EQUAL(st.imissed, 0);
	CU_ASSERT_EQUAL(dp_port_stats(2, &st), -EINVAL);
	dp_fini();
}

static void test_bad_port(void)
{
	struct gw_cfg cfg;

	test_dp_cfg(&cfg, "net_null0", "net_nosuch9");
	CU_ASSERT_EQUAL(dp_init(&cfg), -ENODEV);
	test_dp_cfg(&cfg, "net_null0", "net_null0");
	CU_ASSERT_EQUAL(dp_init(&cfg), -EINVAL);
	test_dp_cfg(&cfg, "net_null0", "net_null1");
	cfg.workers = 0;
	CU_ASSERT_EQUAL(dp_init(&cfg), -EINVAL);
	CU_ASSERT_EQUAL(dp_nb_ifaces(), 0);
}

int main(void)
{
	static const char *const eal[] = { TEST_DP_NULL_PORTS };
	static const struct test_dp_case cases[] = {
		{ "sizing rule", test_rule },
		{ "data room", test_data_room },
		{ "memory check message", test_fit_message },
		{ "too large refused, then a pool by the rule", test_refused_then_ok },
		{ "port stats", test_port_stats },
		{ "bad ports and workers", test_bad_port },
	};

	if (test_dp_begin("mempool", RTE_DIM(eal), eal) != 0)
		return 1;
	test_dp_suite("mempool", NULL, NULL, cases, RTE_DIM(cases));
	return test_dp_end();
}
