/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker loop, one per worker lcore:
 *
 *   for each port: RX burst on queue <worker index>, each frame to its
 *     interface by VLAN (dp_vlan.h: tag removed; unknown VLANs dropped),
 *     then for each interface's share of the burst: classify, and
 *     forward (to a per-port TX buffer), punt (dp_punt.c: by class,
 *     through this worker's policer of the class, into the class's ring)
 *     or drop (counted); then the ESP stages of that burst
 *     (dp_worker_esp.c: decrypt, or encrypt for an outbound PROTECT
 *     policy);
 *   with two workers or more, drain this worker's handoff ring (packets
 *     other workers received for SAs it owns) through the same ESP stages;
 *   drain the CP TX rings of the interfaces this worker serves
 *     (iface % nb_workers == worker index) into the same TX buffers, but
 *     for the SPD: an IP frame of the control plane that an outbound
 *     PROTECT policy matches goes through the ESP out stage (never in the
 *     clear; no TTL step), one of a DISCARD policy is dropped; ESP and IKE
 *     from our own addresses never match;
 *   TX burst per interface (the 802.1Q tag inserted for a VLAN
 *     interface), freeing and counting what the PMD did not take;
 *   packet capture (dp_capture.h): one load of a flag per RX and per TX
 *     burst while no capture runs;
 *   report an RCU quiescent state;
 *   one loop in DP_PROF_EVERY is timed with the TSC, whole and its
 *   classification part, and counted if it received packets (prof_*
 *   counters): cycles per packet of the worker, and of our code apart
 *   from the PMDs' (timing every loop would cost ~5 % of the rate);
 *   optionally, after DP_IDLE_LOOPS empty loops, go RCU-offline and sleep
 *     DP_IDLE_SLEEP_US (labs that share cores; the one syscall allowed).
 *
 * No locks, no allocation, no logging in the loop: counters only, per
 * lcore.
 */
#include <netinet/in.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "common/gw_proto.h"
#include "dataplane/dp_capture.h"
#include "dataplane/dp_classify.h"
#include "dataplane/dp_fib.h"
#include "dataplane/dp_internal.h"
#include "dataplane/dp_spd.h"
#include "dataplane/dp_stats.h"
#include "dataplane/dp_vlan.h"
#include "dataplane/dp_worker.h"

void dp_worker_setup(unsigned w, unsigned lcore)
{
	struct dp_worker *wk = &dp_g.workers[w];

	memset(wk, 0, sizeof(*wk));
	wk->idx = w;
	wk->frag6_id = (uint32_t)w << DP_FRAG6_ID_BITS;
	wk->lcore = lcore;
	for (unsigned i = 0; i < dp_g.nb_ifaces; i++)
		if (i % dp_g.nb_workers == w)
			wk->cptx_iface[wk->nb_cptx++] = (uint8_t)i;
	dp_punt_worker_setup(w);
}

void dp_worker_tx_flush(struct dp_worker *wk, unsigned iface)
{
	struct dp_txbuf *b = &wk->tx[iface];
	uint16_t sent;

	if (b->n == 0)
		return;
	if (unlikely(dp_g.ifaces[iface].vlan != 0))
		b->n = (uint16_t)dp_vlan_tag(b->m, b->n, dp_g.ifaces[iface].vlan, wk->lcore);
	dp_capture_tx(wk->idx, iface, b->m, b->n);	/* as on the wire */
	sent = rte_eth_tx_burst(dp_g.ifaces[iface].port_id, (uint16_t)wk->idx, b->m, b->n);
	dp_count_lcore(wk->lcore, DP_C_tx_pkts, sent);
	dp_if_count(&dp_if_stats[wk->lcore].tx[iface], sent);
	for (uint16_t i = sent; i < b->n; i++)
		dp_drop(b->m[i], DP_C_drop_tx_full);
	b->n = 0;
}

/* Queue m[0..n) for TX, m[i] on out[i]: runs to one interface at once. */
static void tx_queue_fwd(struct dp_worker *wk, struct rte_mbuf **m, const uint8_t *out, unsigned n)
{
	unsigned i = 0;

	while (i < n) {
		unsigned j = i + 1;

		while (j < n && out[j] == out[i])
			j++;
		dp_worker_tx_queue(wk, out[i], &m[i], j - i);
		i = j;
	}
}

/* ---- RX ------------------------------------------------------------------ */

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
	struct dp_esp_batch ein, eout;
	uint8_t out[DP_BURST];
	uint16_t port = dp_g.ifaces[iface].port_id;
	unsigned np = 0, nf = 0;

	ein.n = eout.n = 0;
	dp_capture_rx(wk->idx, iface, pkts, n);		/* as received */
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
			pkts[i]->port = port;	/* not every PMD sets it */
			punt[np++] = pkts[i];
			break;
		case DP_V_ESP_IN:
			pkts[i]->port = port;	/* for the punts of the inner packet */
			ein.m[ein.n] = pkts[i];
			ein.key[ein.n] = res[i].esp;
			ein.off[ein.n++] = res[i].esp_off;
			break;
		case DP_V_ESP_OUT:
			pkts[i]->port = port;
			eout.m[eout.n] = pkts[i];
			eout.key[eout.n] = res[i].esp;
			eout.on_demand[eout.n++] = res[i].on_demand;
			break;
		default:
			dp_drop(pkts[i], res[i].counter);
			break;
		}
	}
	tx_queue_fwd(wk, fwd, out, nf);
	dp_count_lcore(wk->lcore, DP_C_fwd_pkts, nf);
	dp_worker_punt(wk, punt, np);
	if (unlikely(ein.n != 0))
		dp_worker_esp_in(wk, &ein, true);
	if (unlikely(eout.n != 0))
		dp_worker_esp_out(wk, &eout, true);
}

/* A port's burst, each interface's share of it in arrival order. */
static void rx_port(struct dp_worker *wk, const struct dp_port *pt, struct rte_mbuf **pkts,
		    unsigned n)
{
	struct rte_mbuf *sub[DP_BURST];
	uint8_t ifx[DP_BURST];
	int one = dp_vlan_demux(pt, pkts, n, ifx, wk->lcore);

	if (likely(one >= 0)) {
		rx_handle(wk, (unsigned)one, pkts, n);
		return;
	}
	for (unsigned k = 0; k < pt->n_if; k++) {
		unsigned m = 0;

		for (unsigned i = 0; i < n; i++)
			if (ifx[i] == pt->ifs[k])
				sub[m++] = pkts[i];
		if (m != 0)
			rx_handle(wk, pt->ifs[k], sub, m);
	}
}

static unsigned rx_all(struct dp_worker *wk)
{
	struct rte_mbuf *pkts[DP_BURST];
	unsigned total = 0;

	for (unsigned p = 0; p < dp_ports.n; p++) {
		const struct dp_port *pt = &dp_ports.port[p];
		uint16_t n = rte_eth_rx_burst(pt->port_id, (uint16_t)wk->idx, pkts, DP_BURST);

		if (n == 0)
			continue;
		dp_count_lcore(wk->lcore, DP_C_rx_pkts, n);
		rx_port(wk, pt, pkts, n);
		total += n;
	}
	return total;
}

/* ---- CP TX ----------------------------------------------------------------- */

/* What the policy check reads of a frame the control plane made. */
struct cptx_ip {
	bool v6;
	bool later_frag;		/* a fragment after the first: no L4 header */
	uint8_t proto;			/* past an IPv6 fragment header */
	const uint8_t *src, *dst;	/* in the frame */
	const uint8_t *l4;		/* the first 4 bytes of L4, or NULL */
};

/* The IP header of a CP frame of ethertype et (IPv4 or IPv6); false when
 * it does not hold together. */
static bool cptx_parse(const struct rte_mbuf *m, uint16_t et, struct cptx_ip *p)
{
	const uint8_t *b = rte_pktmbuf_mtod_offset(m, const uint8_t *, RTE_ETHER_HDR_LEN);
	unsigned len = rte_pktmbuf_data_len(m) - RTE_ETHER_HDR_LEN, hl;

	if (et == RTE_BE16(RTE_ETHER_TYPE_IPV4)) {
		if (len < sizeof(struct rte_ipv4_hdr) || (b[0] >> 4) != 4)
			return false;
		hl = (b[0] & RTE_IPV4_HDR_IHL_MASK) * RTE_IPV4_IHL_MULTIPLIER;
		if (hl < sizeof(struct rte_ipv4_hdr) || hl > len)
			return false;
		p->v6 = false;
		p->proto = b[9];
		p->later_frag = ((b[6] << 8 | b[7]) & RTE_IPV4_HDR_OFFSET_MASK) != 0;
		p->src = b + 12;
		p->dst = b + 16;
	} else {
		hl = sizeof(struct rte_ipv6_hdr);
		if (len < hl || (b[0] >> 4) != 6)
			return false;
		p->v6 = true;
		p->proto = b[6];
		p->later_frag = false;
		p->src = b + 8;
		p->dst = b + 24;
		if (p->proto == IPPROTO_FRAGMENT) {
			if (len < hl + sizeof(struct rte_ipv6_fragment_ext))
				return false;
			p->proto = b[hl];
			p->later_frag = ((b[hl + 2] << 8 | b[hl + 3]) & ~7) != 0;
			hl += sizeof(struct rte_ipv6_fragment_ext);
		}
	}
	p->l4 = len >= hl + 4 ? b + hl : NULL;
	return true;
}

static inline bool cptx_ike_port(const uint8_t *be)
{
	unsigned port = (unsigned)be[0] << 8 | be[1];

	return port == GW_IKE_PORT || port == GW_IKE_NATT_PORT;
}

/*
 * ESP or IKE from one of our addresses: an outer packet the control plane
 * sends once the next hop is resolved, or an IKE message.  Addressed to a
 * tunnel endpoint, it is never the SPD's business, whatever the selectors.
 * A later fragment of UDP from us counts as IKE: the control plane
 * originates no other UDP.
 */
static bool cptx_ours_esp_ike(const struct cptx_ip *p)
{
	const struct dp_fib_nh *e;
	uint32_t src4;

	if (p->proto == IPPROTO_UDP && !p->later_frag &&
	    (p->l4 == NULL || (!cptx_ike_port(p->l4) && !cptx_ike_port(p->l4 + 2))))
		return false;
	if (p->proto != IPPROTO_UDP && p->proto != GW_IPPROTO_ESP)
		return false;
	if (p->v6) {
		e = dp_fib_lookup6(p->src);
	} else {
		memcpy(&src4, p->src, sizeof(src4));
		e = dp_fib_lookup4(src4);
	}
	return e != NULL && e->nh.type == DP_NH_LOCAL;
}

/*
 * The SPD's verdict on a frame the control plane queued, as for a transit
 * packet (no TTL step: the gateway made it, or already forwarded it):
 * FORWARD (send as it is: not IP, no rule, BYPASS, an inbound match, or
 * ESP/IKE of ours), ESP_OUT (an outbound PROTECT rule: *sm says which
 * tunnel) or DROP (*why: DISCARD, or an IP header that does not hold
 * together).
 */
static enum dp_verdict cptx_policy(const struct rte_mbuf *m, struct dp_spd_match *sm,
				   enum dp_counter *why)
{
	struct cptx_ip p;
	uint32_t a4[2];
	uint16_t et;
	bool hit;

	if (rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN)
		return DP_V_FORWARD;
	et = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->ether_type;
	if (et != RTE_BE16(RTE_ETHER_TYPE_IPV4) && et != RTE_BE16(RTE_ETHER_TYPE_IPV6))
		return DP_V_FORWARD;
	if (unlikely(!cptx_parse(m, et, &p))) {
		*why = DP_C_drop_ip_hdr;
		return DP_V_DROP;
	}
	if (p.v6) {
		hit = dp_spd_lookup6(p.src, p.dst, sm);
	} else {
		memcpy(&a4[0], p.src, 4);
		memcpy(&a4[1], p.dst, 4);
		hit = dp_spd_lookup4(a4[0], a4[1], sm);
	}
	if (likely(!hit) || sm->dir != DP_SPD_OUT || sm->action == DP_SPD_BYPASS ||
	    cptx_ours_esp_ike(&p))
		return DP_V_FORWARD;
	if (sm->action == DP_SPD_DISCARD) {
		*why = DP_C_drop_policy_discard;
		return DP_V_DROP;
	}
	return DP_V_ESP_OUT;
}

/* Frames m[0..n) the control plane queued for iface: sent on it, given to
 * the ESP out stage (m->port set to iface's port, for its punts), or
 * dropped, as cptx_policy() says. */
static void cptx_send(struct dp_worker *wk, unsigned iface, struct rte_mbuf **m, unsigned n)
{
	struct rte_mbuf *clear[DP_BURST];
	struct dp_esp_batch eout;
	unsigned nc = 0;

	eout.n = 0;
	for (unsigned i = 0; i < n; i++) {
		struct dp_spd_match sm;
		enum dp_counter why = DP_C_drop_ip_hdr;

		switch (cptx_policy(m[i], &sm, &why)) {
		case DP_V_FORWARD:
			clear[nc++] = m[i];
			break;
		case DP_V_ESP_OUT:
			m[i]->port = dp_g.ifaces[iface].port_id;
			eout.m[eout.n] = m[i];
			eout.key[eout.n] = sm.tunnel;
			eout.on_demand[eout.n++] = sm.on_demand;
			break;
		default:
			dp_drop(m[i], why);
			break;
		}
	}
	dp_worker_tx_queue(wk, iface, clear, nc);
	if (eout.n != 0)
		dp_worker_esp_out(wk, &eout, true);
}

/* The CP TX rings of the interfaces this worker serves. */
static unsigned cptx_drain(struct dp_worker *wk)
{
	struct rte_mbuf *m[DP_BURST];
	unsigned total = 0;

	for (unsigned c = 0; c < wk->nb_cptx; c++) {
		unsigned iface = wk->cptx_iface[c];
		unsigned n = rte_ring_sc_dequeue_burst(dp_g.cptx[iface], (void **)m,
						       DP_BURST, NULL);

		if (n == 0)
			continue;
		cptx_send(wk, iface, m, n);
		total += n;
	}
	if (total != 0)
		dp_count_lcore(wk->lcore, DP_C_cptx_pkts, total);
	return total;
}

/* ---- idle, profiling, the loop ------------------------------------------- */

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
		if (dp_g.nb_workers > 1)
			busy += dp_worker_handoff_drain(wk);
		for (unsigned i = 0; i < dp_g.nb_ifaces; i++)
			dp_worker_tx_flush(wk, i);
		rte_rcu_qsbr_quiescent(dp_g.rcu, wk->idx);
		if (unlikely(wk->prof))
			prof_end(wk, rx, t0);
		idle_backoff(wk, busy);
	}
	rte_rcu_qsbr_thread_offline(dp_g.rcu, wk->idx);
	return 0;
}
