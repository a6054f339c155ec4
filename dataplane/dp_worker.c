/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker loop, one per worker lcore:
 *
 *   for each interface: RX burst on queue <worker index>, classify, and
 *     forward (to a per-port TX buffer), punt (one burst into the punt
 *     ring) or drop (counted);
 *   drain the CP TX rings of the interfaces this worker serves
 *     (iface % nb_workers == worker index) into the same TX buffers;
 *   TX burst per port, freeing and counting what the PMD did not take;
 *   report an RCU quiescent state;
 *   one loop in DP_PROF_EVERY is timed with the TSC, whole and its
 *   classification part, and counted if it received packets (prof_*
 *   counters): cycles per packet of the worker, and of our code apart
 *   from the PMDs' (timing every loop would cost ~5 % of the rate);
 *   optionally, after DP_IDLE_LOOPS empty loops, go RCU-offline and sleep
 *     DP_IDLE_SLEEP_US (labs that share cores; the one syscall allowed).
 *
 * No locks, no allocation, no logging here: counters only, per lcore.
 */
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "dataplane/dp_classify.h"
#include "dataplane/dp_internal.h"
#include "dataplane/dp_stats.h"

void dp_worker_setup(unsigned w, unsigned lcore)
{
	struct dp_worker *wk = &dp_g.workers[w];

	memset(wk, 0, sizeof(*wk));
	wk->idx = w;
	wk->lcore = lcore;
	for (unsigned i = 0; i < dp_g.nb_ifaces; i++)
		if (i % dp_g.nb_workers == w)
			wk->cptx_iface[wk->nb_cptx++] = (uint8_t)i;
}

static void tx_flush(struct dp_worker *wk, unsigned iface)
{
	struct dp_txbuf *b = &wk->tx[iface];
	uint16_t sent;

	if (b->n == 0)
		return;
	sent = rte_eth_tx_burst(dp_g.ifaces[iface].port_id, (uint16_t)wk->idx, b->m, b->n);
	dp_count_lcore(wk->lcore, DP_C_tx_pkts, sent);
	for (uint16_t i = sent; i < b->n; i++)
		dp_drop(b->m[i], DP_C_drop_tx_full);
	b->n = 0;
}

/* Queue m[0..n) for TX on iface, sending each time the buffer fills. */
static inline void tx_queue(struct dp_worker *wk, unsigned iface, struct rte_mbuf **m, unsigned n)
{
	struct dp_txbuf *b = &wk->tx[iface];

	while (n > 0) {
		unsigned k = RTE_MIN(n, (unsigned)DP_BURST - b->n);

		memcpy(&b->m[b->n], m, k * sizeof(m[0]));
		b->n = (uint16_t)(b->n + k);
		m += k;
		n -= k;
		if (b->n == DP_BURST)
			tx_flush(wk, iface);
	}
}

/* Queue m[0..n) for TX, m[i] on out[i]: runs to one interface at once. */
static void tx_queue_fwd(struct dp_worker *wk, struct rte_mbuf **m, const uint8_t *out, unsigned n)
{
	unsigned i = 0;

	while (i < n) {
		unsigned j = i + 1;

		while (j < n && out[j] == out[i])
			j++;
		tx_queue(wk, out[i], &m[i], j - i);
		i = j;
	}
}

static void classify_timed(struct dp_worker *wk, unsigned iface, struct rte_mbuf **pkts,
			   unsigned n, struct dp_cls_result *res)
{
	uint64_t t0 = rte_rdtsc();

	dp_classify_burst(pkts, n, iface, res);
	wk->prof_cls += rte_rdtsc() - t0;
}

static void rx_handle(struct dp_worker *wk, unsigned iface, struct rte_mbuf **pkts, unsigned n)
{
	struct rte_mbuf *punt[DP_BURST], *fwd[DP_BURST];
	struct dp_cls_result res[DP_BURST];
	uint8_t out[DP_BURST];
	unsigned np = 0, nf = 0, q;

	if (unlikely(wk->prof))
		classify_timed(wk, iface, pkts, n, res);
	else
		dp_classify_burst(pkts, n, iface, res);
	for (unsigned i = 0; i < n; i++) {
		switch (res[i].verdict) {
		case DP_V_FORWARD:
			out[nf] = (uint8_t)res[i].out_iface;
			fwd[nf++] = pkts[i];
			break;
		case DP_V_PUNT:
			pkts[i]->port = dp_g.ifaces[iface].port_id;	/* not every PMD sets it */
			punt[np++] = pkts[i];
			break;
		default:
			dp_drop(pkts[i], res[i].counter);
			break;
		}
	}
	tx_queue_fwd(wk, fwd, out, nf);
	dp_count_lcore(wk->lcore, DP_C_fwd_pkts, nf);
	if (np == 0)
		return;
	q = rte_ring_enqueue_burst(dp_g.punt, (void **)punt, np, NULL);
	dp_count_lcore(wk->lcore, DP_C_punt_pkts, q);
	for (unsigned i = q; i < np; i++)
		dp_drop(punt[i], DP_C_drop_punt_ring_full);
}

static unsigned rx_all(struct dp_worker *wk)
{
	struct rte_mbuf *pkts[DP_BURST];
	unsigned total = 0;

	for (unsigned i = 0; i < dp_g.nb_ifaces; i++) {
		uint16_t n = rte_eth_rx_burst(dp_g.ifaces[i].port_id, (uint16_t)wk->idx,
					      pkts, DP_BURST);

		if (n == 0)
			continue;
		dp_count_lcore(wk->lcore, DP_C_rx_pkts, n);
		rx_handle(wk, i, pkts, n);
		total += n;
	}
	return total;
}

static unsigned cptx_drain(struct dp_worker *wk)
{
	struct rte_mbuf *m[DP_BURST];
	unsigned total = 0;

	for (unsigned c = 0; c < wk->nb_cptx; c++) {
		unsigned iface = wk->cptx_iface[c];
		unsigned n = rte_ring_sc_dequeue_burst(dp_g.cptx[iface], (void **)m,
						       DP_BURST, NULL);

		tx_queue(wk, iface, m, n);
		total += n;
	}
	if (total != 0)
		dp_count_lcore(wk->lcore, DP_C_cptx_pkts, total);
	return total;
}

static void idle_backoff(struct dp_worker *wk, unsigned busy)
{
	if (busy != 0) {
		wk->idle_loops = 0;
		return;
	}
	if (!dp_g.idle_backoff || ++wk->idle_loops < DP_IDLE_LOOPS)
		return;
	rte_rcu_qsbr_thread_offline(dp_g.rcu, wk->idx);
	rte_delay_us_sleep(DP_IDLE_SLEEP_US);
	rte_rcu_qsbr_thread_online(dp_g.rcu, wk->idx);
	dp_count_lcore(wk->lcore, DP_C_idle_sleeps, 1);
	wk->idle_loops = 0;
}

/* End of a timed loop, started at TSC t0: counted if it received rx packets. */
static void prof_end(struct dp_worker *wk, unsigned rx, uint64_t t0)
{
	uint64_t t1 = rte_rdtsc();

	if (rx != 0) {
		dp_count_lcore(wk->lcore, DP_C_prof_pkts, rx);
		dp_count_lcore(wk->lcore, DP_C_prof_loop_cycles, t1 - t0);
		dp_count_lcore(wk->lcore, DP_C_prof_cls_cycles, wk->prof_cls);
	}
	wk->prof_cls = 0;
	wk->prof = false;
}

int dp_worker_main(void *arg)
{
	struct dp_worker *wk = arg;

	RTE_BUILD_BUG_ON(DP_PROF_EVERY != 64);		/* as the counters' help says */
	RTE_BUILD_BUG_ON(DP_MAX_IFACES > UINT8_MAX);	/* rx_handle's out[] */

	rte_rcu_qsbr_thread_online(dp_g.rcu, wk->idx);
	while (!__atomic_load_n(&dp_g.quit, __ATOMIC_RELAXED)) {
		uint64_t t0 = 0;
		unsigned rx, busy;

		if (unlikely(++wk->loops == DP_PROF_EVERY)) {
			wk->loops = 0;
			wk->prof = true;
			t0 = rte_rdtsc();
		}
		rx = rx_all(wk);
		busy = rx + cptx_drain(wk);
		for (unsigned i = 0; i < dp_g.nb_ifaces; i++)
			tx_flush(wk, i);
		rte_rcu_qsbr_quiescent(dp_g.rcu, wk->idx);
		if (unlikely(wk->prof))
			prof_end(wk, rx, t0);
		idle_backoff(wk, busy);
	}
	rte_rcu_qsbr_thread_offline(dp_g.rcu, wk->idx);
	return 0;
}
