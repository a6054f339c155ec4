/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ESP stages of a worker (the loop is dp_worker.c; what the two share
 * is dp_worker.h):
 *   in:  the SPIs looked up in one bulk hash lookup; unknown SPI ->
 *        drop_no_sa_in; an SA of another worker -> handoff; the rest
 *        decrypted in one esp_in_burst(), then the inner packets routed
 *        (dp_classify_inner) to the TX buffers or punted;
 *   out: the tunnel's current outbound SA; none -> drop_protect_no_sa (and
 *        an acquire when the policy is on-demand); another worker's ->
 *        handoff; the rest MTU-checked (inner + ESP overhead against the
 *        MTU of the route to the peer: IPv4 with DF and IPv6 are punted
 *        TOO_BIG with the MTU to use in m->hash.fdir.hi), encrypted in one
 *        esp_out_burst(), and the outer packets routed
 *        (dp_classify_outer): sent, fragmented first when larger than the
 *        MTU, punted when the next hop is not resolved (the control plane
 *        resolves it and sends them), or dropped;
 *   handoff drain: packets other workers received for SAs this one owns,
 *        through the same stages by SA handle.
 * Every drop is counted per lcore, and per SA when the SA is known.  Each
 * worker's crypto context is made before launch (dp_worker_esp_create).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>

#include "dataplane/dp_classify.h"
#include "dataplane/dp_internal.h"
#include "dataplane/dp_stats.h"
#include "dataplane/dp_worker.h"
#include "dataplane/esp.h"
#include "dataplane/esp_crypto.h"
#include "dataplane/esp_knobs.h"
#include "dataplane/esp_sa.h"

/* Punts of one ESP stage (fragments may make more than a burst). */
struct punt_buf {
	unsigned n;
	struct rte_mbuf *m[DP_BURST];
};

static inline void punt_add(struct dp_worker *wk, struct punt_buf *pb, struct rte_mbuf *m)
{
	pb->m[pb->n++] = m;
	if (pb->n == DP_BURST) {
		dp_worker_punt(wk, pb->m, pb->n);
		pb->n = 0;
	}
}

/* Packets for SAs of other workers, to their owners' rings. */
struct ho_buf {
	unsigned n;
	struct rte_mbuf *m[DP_BURST];
	uint16_t owner[DP_BURST];
};

static void handoff_flush(struct dp_worker *wk, struct ho_buf *hb)
{
	unsigned i = 0, sent = 0;

	while (i < hb->n) {
		unsigned j = i + 1, q;

		while (j < hb->n && hb->owner[j] == hb->owner[i])
			j++;
		q = dp_handoff_enqueue(hb->owner[i], &hb->m[i], j - i);
		sent += q;
		for (unsigned k = i + q; k < j; k++)
			dp_drop(hb->m[k], DP_C_drop_handoff_full);
		i = j;
	}
	if (sent != 0)
		dp_count_lcore(wk->lcore, DP_C_esp_handoff_pkts, sent);
	hb->n = 0;
}

/* The one drop of the ESP stages: per SA too (rt may be NULL) when the
 * reason is one of DP_DROPS, per lcore always. */
static inline void esp_stage_drop(struct rte_mbuf *m, struct esp_sa_rt *rt, enum dp_counter why)
{
	if ((unsigned)why < DP_DROP_MAX)
		esp_drop(m, rt, (enum dp_drop)why);
	else
		dp_drop(m, why);
}

/* A decrypted packet of rt: to a TX buffer, the punts, or dropped. */
static void esp_in_route(struct dp_worker *wk, struct rte_mbuf *m, struct esp_sa_rt *rt,
			 bool v6, struct punt_buf *pb)
{
	struct dp_cls_result r;

	switch (dp_classify_inner(m, v6, &r)) {
	case DP_V_FORWARD:
		dp_worker_tx_queue(wk, r.out_iface, &m, 1);
		break;
	case DP_V_PUNT:
		punt_add(wk, pb, m);
		break;
	default:
		esp_stage_drop(m, rt, r.counter);
		break;
	}
}

/* Decrypt m[0..n) (n <= DP_BURST), each with sas[i] of this worker. */
static void esp_in_run(struct dp_worker *wk, struct rte_mbuf **m, struct esp_sa_rt **sas,
		       const uint16_t *off, unsigned n)
{
	struct esp_result res[DP_BURST];
	struct punt_buf pb = { .n = 0 };
	unsigned ok;

	if (n == 0)
		return;
	ok = esp_in_burst(wk->cw, m, sas, off, n, res);
	dp_count_lcore(wk->lcore, DP_C_esp_in_pkts, ok);
	for (unsigned i = 0; i < n; i++) {
		if (unlikely(!res[i].ok))
			esp_drop(m[i], sas[i], (enum dp_drop)res[i].drop);
		else
			esp_in_route(wk, m[i], sas[i], res[i].inner_v6, &pb);
	}
	dp_worker_punt(wk, pb.m, pb.n);
}

/*
 * ESP packets: b->key[i] the SPI (by_spi, from classification) or the SA
 * handle (from the handoff ring).  Unknown -> drop_no_sa_in; another
 * worker's SA -> its ring; the rest decrypted here.
 */
void dp_worker_esp_in(struct dp_worker *wk, const struct dp_esp_batch *b, bool by_spi)
{
	struct rte_mbuf *own[DP_BURST];
	struct esp_sa_rt *sas[DP_BURST];
	uint32_t h[DP_BURST];
	uint16_t off[DP_BURST];
	struct ho_buf hb = { .n = 0 };
	unsigned k = 0;

	if (b->n == 0)
		return;
	if (by_spi)
		esp_sa_lookup_in_bulk(b->key, b->n, h);
	else
		memcpy(h, b->key, b->n * sizeof(h[0]));
	/* Handle -> slot -> record, one step for the whole burst at a time,
	 * each prefetching what the next reads (esp_sa.h). */
	for (unsigned i = 0; i < b->n; i++)
		esp_sa_prefetch_slot(h[i]);
	for (unsigned i = 0; i < b->n; i++)
		if (i == 0 || h[i] != h[i - 1])		/* runs of one SA: once */
			esp_sa_prefetch_handle(h[i], true);
	for (unsigned i = 0; i < b->n; i++) {
		struct esp_sa_rt *rt = esp_sa_get(h[i]);

		if (unlikely(rt == NULL || rt->dir != GW_SA_IN)) {
			esp_drop(b->m[i], NULL, DP_DROP_drop_no_sa_in);
		} else if (rt->owner != wk->idx) {
			dp_handoff_mark(b->m[i], h[i], DP_HANDOFF_IN, b->off[i]);
			hb.m[hb.n] = b->m[i];
			hb.owner[hb.n++] = rt->owner;
		} else {
			own[k] = b->m[i];
			sas[k] = rt;
			off[k++] = b->off[i];
		}
	}
	handoff_flush(wk, &hb);
	esp_in_run(wk, own, sas, off, k);
}

/* IPv4 with DF, or IPv6: too big for the tunnel means an ICMP error. */
static inline bool esp_no_frag(const struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
								RTE_ETHER_HDR_LEN);

	return (ip->version_ihl >> 4) != 4 ||
	       (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG)) != 0;
}

/* The largest inner packet that fits mtu once encrypted with rt (>= 1,
 * as 0 in m->hash.fdir.hi means "no MTU carried"). */
static uint32_t esp_eff_mtu(const struct esp_sa_rt *rt, unsigned mtu)
{
	unsigned ovh = esp_out_overhead(rt, mtu);
	unsigned l = mtu > ovh ? RTE_MIN(mtu - ovh + rt->pad_align, mtu) : mtu;

	/* l + overhead(l) never decreases as l grows (the padding only
	 * rounds up): the first l that fits, going down, is the largest */
	while (l > 0 && l + esp_out_overhead(rt, l) > mtu)
		l--;
	return RTE_MAX(l, 1u);
}

/* Fragment the outer packet m of rt (larger than iface's MTU) and route
 * each fragment; a failure drops m (drop_frag). */
static void esp_out_frag(struct dp_worker *wk, struct rte_mbuf *m, struct esp_sa_rt *rt,
			 unsigned iface, struct punt_buf *pb)
{
	struct rte_mbuf *fr[DP_FRAG_OUT_MAX];
	uint16_t mtu = dp_g.ifaces[iface].mtu, port = m->port, tci = m->vlan_tci;
	uint64_t vlan_rx = m->ol_flags & (RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED);
	bool v6 = rt->remote.family == AF_INET6;
	uint32_t id6 = 0;
	int n;

	rte_pktmbuf_adj(m, RTE_ETHER_HDR_LEN);
	if (v6)
		n = rte_ipv6_fragment_packet(m, fr, DP_FRAG_OUT_MAX, mtu, dp_g.pool, dp_g.pool);
	else
		n = rte_ipv4_fragment_packet(m, fr, DP_FRAG_OUT_MAX, mtu, dp_g.pool, dp_g.pool);
	if (n <= 0) {
		esp_drop(m, rt, DP_DROP_drop_frag);
		return;
	}
	rte_pktmbuf_free(m);		/* the fragments hold references to its data */
	if (v6) {
		uint32_t mask = (UINT32_C(1) << DP_FRAG6_ID_BITS) - 1;

		id6 = rte_cpu_to_be_32(wk->frag6_id);
		wk->frag6_id = (wk->frag6_id & ~mask) | ((wk->frag6_id + 1) & mask);
	}
	for (int i = 0; i < n; i++) {
		struct rte_mbuf *f = fr[i];
		struct dp_cls_result r;

		if (v6) {
			rte_pktmbuf_mtod_offset(f, struct rte_ipv6_fragment_ext *,
						sizeof(struct rte_ipv6_hdr))->id = id6;
		} else {
			struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(f, struct rte_ipv4_hdr *);

			ip->hdr_checksum = rte_ipv4_cksum(ip);
		}
		f->port = port;		/* with the VLAN: the input interface */
		f->ol_flags |= vlan_rx;
		f->vlan_tci = tci;
		if (rte_pktmbuf_prepend(f, RTE_ETHER_HDR_LEN) == NULL) {
			esp_drop(f, rt, DP_DROP_drop_frag);
			continue;
		}
		switch (dp_classify_outer(f, &rt->remote, &r)) {
		case DP_V_FORWARD:
			dp_worker_tx_queue(wk, r.out_iface, &f, 1);
			break;
		case DP_V_PUNT:
			punt_add(wk, pb, f);
			break;
		case DP_V_DROP:
			esp_stage_drop(f, rt, r.counter);
			break;
		default:
			esp_drop(f, rt, DP_DROP_drop_frag);
			break;
		}
	}
}

/*
 * The last outer packet sent whole in this burst: its SA, interface, MTU
 * and Ethernet header, for the next packets of the same SA (one route and
 * neighbour lookup per run of an SA, not per packet; valid for one burst,
 * within one quiescent period).
 */
struct esp_out_hop {
	const struct esp_sa_rt *rt;
	unsigned iface;
	unsigned mtu;
	struct rte_ether_hdr eth;
};

/* An encrypted packet of rt: sent, fragmented, punted or dropped. */
static void esp_out_route(struct dp_worker *wk, struct rte_mbuf *m, struct esp_sa_rt *rt,
			  struct punt_buf *pb, struct esp_out_hop *hop)
{
	struct dp_cls_result r;

	if (hop->rt == rt && rte_pktmbuf_pkt_len(m) - RTE_ETHER_HDR_LEN <= hop->mtu) {
		rte_memcpy(rte_pktmbuf_mtod(m, void *), &hop->eth, sizeof(hop->eth));
		dp_worker_tx_queue(wk, hop->iface, &m, 1);
		return;
	}
	switch (dp_classify_outer(m, &rt->remote, &r)) {
	case DP_V_FORWARD:
		hop->rt = rt;
		hop->iface = r.out_iface;
		hop->mtu = dp_g.ifaces[r.out_iface].mtu;
		rte_memcpy(&hop->eth, rte_pktmbuf_mtod(m, void *), sizeof(hop->eth));
		dp_worker_tx_queue(wk, r.out_iface, &m, 1);
		break;
	case DP_V_PUNT:
		punt_add(wk, pb, m);
		break;
	case DP_V_FRAG:
		esp_out_frag(wk, m, rt, r.out_iface, pb);
		break;
	default:
		esp_stage_drop(m, rt, r.counter);
		break;
	}
}

/*
 * Encrypt m[0..n) (n <= DP_BURST), each with sas[i] of this worker, after
 * the MTU check: no route to the peer -> drop_no_route (before spending a
 * sequence number); too big once encrypted and not to be fragmented ->
 * punt TOO_BIG with the MTU to announce.
 */
static void esp_out_run(struct dp_worker *wk, struct rte_mbuf **m, struct esp_sa_rt **sas,
			unsigned n)
{
	struct rte_mbuf *enc[DP_BURST];
	struct esp_sa_rt *esa[DP_BURST];
	struct esp_result res[DP_BURST];
	struct punt_buf pb = { .n = 0 };
	struct esp_out_hop hop = { .rt = NULL };
	const struct esp_sa_rt *last = NULL;
	unsigned k = 0, ok, mtu = 0;

	for (unsigned i = 0; i < n; i++) {
		unsigned len = rte_pktmbuf_pkt_len(m[i]) - RTE_ETHER_HDR_LEN;

		if (sas[i] != last) {		/* runs of one SA: one lookup */
			last = sas[i];
			mtu = dp_classify_route_mtu(&last->remote);
		}

		if (unlikely(mtu == 0)) {
			esp_drop(m[i], sas[i], DP_DROP_drop_no_route);
		} else if (unlikely(len + esp_out_overhead(sas[i], len) > mtu) &&
			   esp_no_frag(m[i])) {
			unsigned eff = esp_eff_mtu(sas[i], mtu);

			/* the smaller of the route's and the tunnel's (esp_knobs.h):
			 * one ICMP is enough for the sender */
			if (sas[i]->knobs.mtu != 0 && sas[i]->knobs.mtu < eff)
				eff = sas[i]->knobs.mtu;
			m[i]->hash.usr = DP_PUNT_TOO_BIG;
			m[i]->hash.fdir.hi = eff;
			punt_add(wk, &pb, m[i]);
		} else if (unlikely(esp_knobs_too_big(sas[i], m[i], len))) {
			punt_add(wk, &pb, m[i]);	/* the tunnel's mtu (esp_knobs.h) */
		} else {
			enc[k] = m[i];
			esa[k++] = sas[i];
		}
	}
	if (k != 0) {
		ok = esp_out_burst(wk->cw, enc, esa, k, res);
		dp_count_lcore(wk->lcore, DP_C_esp_out_pkts, ok);
	}
	for (unsigned i = 0; i < k; i++) {
		if (unlikely(!res[i].ok))
			esp_drop(enc[i], esa[i], (enum dp_drop)res[i].drop);
		else
			esp_out_route(wk, enc[i], esa[i], &pb, &hop);
	}
	dp_worker_punt(wk, pb.m, pb.n);
}

/*
 * Packets to encrypt: b->key[i] the tunnel (by_tunnel, from
 * classification) or the SA handle (from the handoff ring).  No live
 * outbound SA -> drop_protect_no_sa (never sent in the clear), with an
 * acquire for an on-demand policy; another worker's SA -> its ring.
 */
void dp_worker_esp_out(struct dp_worker *wk, const struct dp_esp_batch *b, bool by_tunnel)
{
	struct rte_mbuf *own[DP_BURST];
	struct esp_sa_rt *sas[DP_BURST];
	struct ho_buf hb = { .n = 0 };
	uint32_t hs[DP_BURST];
	unsigned k = 0;

	/* Tunnel -> handle -> slot -> record, one step for the whole burst at
	 * a time, each prefetching what the next reads (esp_sa.h). */
	if (by_tunnel)
		for (unsigned i = 0; i < b->n; i++)
			esp_sa_prefetch_tunnel(b->key[i]);
	for (unsigned i = 0; i < b->n; i++) {
		hs[i] = by_tunnel ? dp_tunnel_out_sa(b->key[i]) : b->key[i];
		esp_sa_prefetch_slot(hs[i]);
	}
	for (unsigned i = 0; i < b->n; i++)
		if (i == 0 || hs[i] != hs[i - 1])	/* runs of one SA: once */
			esp_sa_prefetch_handle(hs[i], false);
	for (unsigned i = 0; i < b->n; i++) {
		uint32_t h = hs[i];
		struct esp_sa_rt *rt = esp_sa_get(h);

		if (unlikely(rt == NULL || rt->dir != GW_SA_OUT)) {
			if (by_tunnel && b->on_demand[i] && esp_sa_acquire(b->key[i]))
				dp_count_lcore(wk->lcore, DP_C_esp_acquire, 1);
			esp_drop(b->m[i], NULL, DP_DROP_drop_protect_no_sa);
		} else if (rt->owner != wk->idx) {
			dp_handoff_mark(b->m[i], h, DP_HANDOFF_OUT, 0);
			hb.m[hb.n] = b->m[i];
			hb.owner[hb.n++] = rt->owner;
		} else {
			own[k] = b->m[i];
			sas[k++] = rt;
		}
	}
	handoff_flush(wk, &hb);
	if (k != 0)
		esp_out_run(wk, own, sas, k);
}

/* Packets other workers handed to this one: the ESP stages, by handle. */
unsigned dp_worker_handoff_drain(struct dp_worker *wk)
{
	struct rte_mbuf *m[DP_BURST];
	struct dp_esp_batch in, out;
	unsigned n = dp_handoff_dequeue(wk->idx, m, DP_BURST);

	if (n == 0)
		return 0;
	in.n = out.n = 0;
	for (unsigned i = 0; i < n; i++) {
		uint32_t tag = m[i]->hash.usr;
		struct dp_esp_batch *b = (tag >> 16) == DP_HANDOFF_IN ? &in : &out;

		b->m[b->n] = m[i];
		b->key[b->n] = m[i]->hash.fdir.hi;
		b->off[b->n] = (uint16_t)tag;
		b->on_demand[b->n++] = false;
	}
	dp_worker_esp_in(wk, &in, false);
	dp_worker_esp_out(wk, &out, false);
	return n;
}

int dp_worker_esp_create(void)
{
	for (unsigned w = 0; w < dp_g.nb_workers; w++) {
		struct dp_worker *wk = &dp_g.workers[w];

		wk->cw = esp_crypto_wk_create((int)rte_lcore_to_socket_id(wk->lcore));
		if (wk->cw == NULL)
			return -ENOMEM;
	}
	return 0;
}

void dp_worker_esp_free(void)
{
	for (unsigned w = 0; w < DP_MAX_WORKERS; w++) {
		esp_crypto_wk_free(dp_g.workers[w].cw);
		dp_g.workers[w].cw = NULL;
	}
}
