/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SA table under concurrency: two reader lcores do what workers do (bulk
 * SPI lookups, outbound lookups by tunnel, esp_sa_get(), reading the
 * record and its key schedule, one RCU quiescent state per loop) while the
 * main lcore, the control plane, installs and retires thousands of SAs and
 * pairs at random, singly and in batches, and reclaims as it goes.
 *
 * Each reader keeps the records it found over its whole loop (with a
 * pause) and checks them again just before its quiescent state: a record
 * reclaimed too early shows ESP_SA_POISON, another SPI or handle, or (in
 * an ASan build, where records come from malloc) aborts as a
 * use-after-free.  Asserts: no violation, readers made progress and saw
 * SAs, everything retired is reclaimed, the live count is back to its
 * baseline.  Prints operation and lookup rates and grace latencies.
 *
 * EAL: --lcores=0@0,1@1,2@1 (this box has two CPUs; both readers share
 * CPU 1, which stretches grace periods: good for the test).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_pause.h>
#include <rte_random.h>
#include <rte_rcu_qsbr.h>

#include "dataplane/dp.h"
#include "dataplane/dp_sa.h"
#include "dataplane/esp_sa.h"
#include "test/unit/test_dp.h"
#include "test/unit/test_eal.h"

enum {
	N_READERS = 2,
	SPI_BASE = 0x100000,		/* inbound SPIs SPI_BASE + k */
	SPI_OUT_BASE = 0x900000,	/* outbound SPIs of pairs */
	RANGE = 4096,			/* k in 0 .. RANGE-1 */
	N_TUNNELS = 256,
	OPS = 300000,
	BURST = 32,
	RETIRE_BATCH = 64,
	RECLAIM_EVERY = 32,
	DEADLINE_S = 10,
};

struct reader {
	unsigned idx;			/* RCU thread id = worker index */
	uint64_t loops, lookups, hits, out_hits, violations;
	uint64_t sum;			/* keeps the key reads alive */
} __rte_cache_aligned;

static struct reader readers[N_READERS];
static uint32_t stop;

/* One record a reader holds: checked on lookup and again at loop end. */
static bool rt_ok(const struct esp_sa_rt *rt, uint32_t h, uint32_t spi_be, uint8_t dir)
{
	return rt->magic == ESP_SA_MAGIC && rt->handle == h && rt->dir == dir &&
	       (dir == GW_SA_OUT || rt->spi_be == spi_be) && rt->keys.info != NULL &&
	       rt->replay.size == 64;
}

static uint64_t rt_touch(const struct esp_sa_rt *rt)
{
	const volatile uint8_t *k = (const volatile uint8_t *)&rt->keys;
	uint64_t s = 0;

	for (size_t i = 0; i < sizeof(rt->keys); i += 64)
		s += k[i];
	return s + rt->icv_len + rt->outer[0];
}

static void reader_loop(struct reader *r)
{
	uint32_t spi_be[BURST], h[BURST], held_h[BURST + 1], held_spi[BURST + 1];
	const struct esp_sa_rt *held[BURST + 1];
	unsigned n = 0;

	for (unsigned i = 0; i < BURST; i++)
		spi_be[i] = htonl(SPI_BASE + (uint32_t)(rte_rand() % RANGE));
	esp_sa_lookup_in_bulk(spi_be, BURST, h);
	r->lookups += BURST;
	for (unsigned i = 0; i < BURST; i++) {
		const struct esp_sa_rt *rt = esp_sa_get(h[i]);

		if (rt == NULL)		/* a miss, or retired meanwhile */
			continue;
		r->hits++;
		if (!rt_ok(rt, h[i], spi_be[i], GW_SA_IN))
			r->violations++;
		r->sum += rt_touch(rt);
		held[n] = rt, held_h[n] = h[i], held_spi[n++] = spi_be[i];
	}
	{
		uint32_t t = (uint32_t)(rte_rand() % N_TUNNELS), ho = dp_tunnel_out_sa(t);
		const struct esp_sa_rt *rt = esp_sa_get(ho);

		if (rt != NULL) {
			r->out_hits++;
			if (!rt_ok(rt, ho, 0, GW_SA_OUT) || rt->tunnel != t)
				r->violations++;
			held[n] = rt, held_h[n] = ho, held_spi[n++] = 0;
		}
	}
	for (unsigned i = 0; i < 200; i++)	/* give the CP time to retire them */
		rte_pause();
	for (unsigned i = 0; i < n; i++) {
		if (!rt_ok(held[i], held_h[i], held_spi[i], held[i]->dir))
			r->violations++;
		r->sum += rt_touch(held[i]);
	}
}

static int reader_main(void *arg)
{
	struct reader *r = arg;
	struct rte_rcu_qsbr *v = dp_rcu();

	rte_rcu_qsbr_thread_online(v, r->idx);
	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
		reader_loop(r);
		r->loops++;
		rte_rcu_qsbr_quiescent(v, r->idx);
	}
	rte_rcu_qsbr_thread_offline(v, r->idx);
	return 0;
}

/* The control plane's view of what it installed, by k. */
static uint32_t in_h[RANGE], out_h[RANGE];

static struct gw_sa_desc sa_desc(uint32_t spi, uint8_t dir, uint32_t tunnel, bool cbc)
{
	enum esp_alg alg = cbc ? ESP_ALG_AES128_SHA256 : ESP_ALG_AES128GCM16;
	struct gw_sa_desc d;

	memset(&d, 0, sizeof(d));
	snprintf(d.name, sizeof(d.name), "s%x", spi);
	d.tunnel = tunnel;
	d.spi = spi;
	d.dir = dir;
	d.alg = (uint8_t)alg;
	d.local = test_addr("10.10.0.1");
	d.remote = test_addr("10.10.0.2");
	d.enc_key_len = (uint8_t)gw_esp_enc_key_len(alg);
	d.auth_key_len = (uint8_t)gw_esp_auth_key_len(alg);
	memset(d.enc_key, (int)spi, d.enc_key_len);
	memset(d.auth_key, 0x5a, d.auth_key_len);
	return d;
}

/* Install SPI k, as a pair on tunnel k % N_TUNNELS one time in four. */
static void cp_install(uint32_t k)
{
	struct gw_sa_desc in = sa_desc(SPI_BASE + k, GW_SA_IN, k % N_TUNNELS, k % 8 == 0);
	struct gw_sa_desc out = sa_desc(SPI_OUT_BASE + k, GW_SA_OUT, k % N_TUNNELS, false);
	int ret;

	if (rte_rand() % 4 == 0) {
		ret = dp_sa_install_pair(&in, &out, &in_h[k], &out_h[k]);
		CU_ASSERT(ret != 0 || dp_tunnel_out_sa(k % N_TUNNELS) == out_h[k]);
	} else {
		ret = dp_sa_install(&in, &in_h[k]);
	}
	CU_ASSERT_EQUAL(ret, 0);
	if (ret != 0)
		in_h[k] = out_h[k] = DP_SA_INVALID;
}

/* Handles waiting for one dp_sa_retire_batch(), and whose k they were. */
static struct {
	uint32_t h[RETIRE_BATCH + 2];
	uint32_t k[RETIRE_BATCH + 2];
	unsigned n;
	bool pending[RANGE];		/* k has a handle in the batch */
} rb;

static void cp_retire_flush(void)
{
	CU_ASSERT_EQUAL(dp_sa_retire_batch(rb.h, rb.n), rb.n);
	for (unsigned i = 0; i < rb.n; i++) {
		CU_ASSERT_PTR_NULL(esp_sa_get(rb.h[i]));
		rb.pending[rb.k[i]] = false;
	}
	rb.n = 0;
}

/* Retire k's SAs, now or in the next batch. */
static void cp_retire(uint32_t k)
{
	uint32_t h[2] = { in_h[k], out_h[k] };

	in_h[k] = out_h[k] = DP_SA_INVALID;
	for (unsigned i = 0; i < 2; i++) {
		if (h[i] == DP_SA_INVALID)
			continue;
		if (rte_rand() % 2 == 0) {
			CU_ASSERT_EQUAL(dp_sa_retire(h[i]), 0);
			CU_ASSERT_PTR_NULL(esp_sa_get(h[i]));
		} else {
			rb.h[rb.n] = h[i];
			rb.k[rb.n++] = k;
			rb.pending[k] = true;
		}
	}
	if (rb.n >= RETIRE_BATCH)
		cp_retire_flush();
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The control plane's part; returns the operations done. */
static unsigned cp_churn(void)
{
	unsigned op;
	double t_end = now_s() + DEADLINE_S;

	for (op = 0; op < OPS && now_s() < t_end; op++) {
		uint32_t k = (uint32_t)(rte_rand() % RANGE);

		if (op % RECLAIM_EVERY == 0)
			dp_sa_reclaim();
		if (in_h[k] != DP_SA_INVALID) {
			cp_retire(k);
			continue;
		}
		if (rb.pending[k])	/* its SPI is still installed */
			cp_retire_flush();
		cp_install(k);
	}
	cp_retire_flush();
	return op;
}

static void test_stress(void)
{
	struct dp_sa_stats st0, st;
	unsigned lcore, r = 0, ops;
	uint64_t loops = 0, lookups = 0, hits = 0, out_hits = 0, viol = 0;
	double t0, dt;

	dp_sa_stats(&st0);
	for (uint32_t k = 0; k < RANGE; k++)
		in_h[k] = out_h[k] = DP_SA_INVALID;
	__atomic_store_n(&stop, 0, __ATOMIC_RELEASE);
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (r == N_READERS)
			break;
		readers[r].idx = r;
		CU_ASSERT_EQUAL_FATAL(rte_eal_remote_launch(reader_main, &readers[r], lcore), 0);
		r++;
	}
	CU_ASSERT_EQUAL_FATAL(r, N_READERS);
	t0 = now_s();
	ops = cp_churn();
	dt = now_s() - t0;
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	rte_eal_mp_wait_lcore();

	for (uint32_t k = 0; k < RANGE; k++) {
		uint32_t h[2] = { in_h[k], out_h[k] };

		for (unsigned i = 0; i < 2; i++)
			if (h[i] != DP_SA_INVALID)
				CU_ASSERT_EQUAL(dp_sa_retire(h[i]), 0);
	}
	rte_rcu_qsbr_synchronize(dp_rcu(), RTE_QSBR_THRID_INVALID);
	dp_sa_reclaim();
	dp_sa_stats(&st);

	for (r = 0; r < N_READERS; r++) {
		loops += readers[r].loops;
		lookups += readers[r].lookups;
		hits += readers[r].hits;
		out_hits += readers[r].out_hits;
		viol += readers[r].violations;
		CU_ASSERT(readers[r].loops > 0);
	}
	printf("\n  %u CP operations in %.2f s (%.0f ops/s): %" PRIu64 " SAs installed, %" PRIu64
	       " retired\n  readers: %" PRIu64 " loops, %.0f lookups/s, %" PRIu64 " inbound and %"
	       PRIu64 " outbound hits, %" PRIu64 " violations\n  grace period: mean %" PRIu64
	       " ns, max %" PRIu64 " ns ", ops, dt, ops / dt, st.installed - st0.installed,
	       st.retired - st0.retired, loops, (double)lookups / dt, hits, out_hits, viol,
	       st.reclaimed > st0.reclaimed ?
		       (st.grace_ns_sum - st0.grace_ns_sum) / (st.reclaimed - st0.reclaimed) : 0,
	       st.grace_ns_max);
	CU_ASSERT_EQUAL(viol, 0);
	CU_ASSERT(hits > 0);
	CU_ASSERT(out_hits > 0);
	CU_ASSERT(ops >= OPS / 10);
	CU_ASSERT(st.retired - st0.retired >= ops / 4);
	CU_ASSERT_EQUAL(st.reclaimed, st.retired);
	CU_ASSERT_EQUAL(st.live, st0.live);
	CU_ASSERT_EQUAL(st.retiring, 0);
	CU_ASSERT(st.grace_ns_max > 0);
	for (uint32_t t = 0; t < N_TUNNELS; t++)
		CU_ASSERT_EQUAL(dp_tunnel_out_sa(t), DP_SA_INVALID);
	CU_ASSERT_EQUAL(dp_sa_next(DP_SA_INVALID), DP_SA_INVALID);
}

static int suite_init(void)
{
	struct gw_cfg cfg;

	test_dp_cfg(&cfg, "net_null0", "net_null1");
	cfg.workers = N_READERS;	/* dp_init registers one RCU thread each */
	return dp_init(&cfg) == 0 ? 0 : -1;
}

int main(void)
{
	static const char *const argv[] = { TEST_DP_NULL_PORTS, "--lcores=0@0,1@1,2@1" };
	static const struct test_dp_case cases[] = {
		{ "install/retire churn under two readers", test_stress },
	};

	if (test_dp_begin("esp_sa_stress", (int)RTE_DIM(argv), argv) != 0)
		return 1;
	test_dp_suite("esp_sa_stress", suite_init, test_dp_suite_fini, cases, RTE_DIM(cases));
	return test_dp_end();
}
