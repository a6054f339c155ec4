/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Punt classes and policers (dataplane/dp_punt.c, controlplane/cp_punt.c),
 * on the real data and control planes of test_cp.h (no worker launched:
 * the tests run the worker's punt path themselves on worker 0's state):
 *   - the class of every kind of punted packet, each frame built byte by
 *     byte and classified by dp_classify() first (so the reason is the
 *     data plane's own): IKEv2 IKE_SA_INIT, IKEv2 with our SPI as
 *     initiator (I flag clear, SPI_i) and as responder (I flag set,
 *     SPI_r) and with it on the wrong side, IKEv1 Main Mode's first
 *     message and a known cookie on either side, NAT-T with the marker,
 *     short garbage on 500, IPv6 IKE, ARP, ND, ICMP, a fragment;
 *   - SPIs published and withdrawn, directly and by ike_sa_new() /
 *     ike_sa_reap(), change the ring the worker path puts a packet in;
 *   - the cost of a class decision with 10000 SPIs published (printed);
 *   - the token bucket's admitted count over a simulated 10 s, within
 *     0.1 % (plus its burst), also after an idle hour and at 100 Mpps;
 *   - the worker path's policer on a burst past the bucket: admitted
 *     packets in the ring, the rest counted policed, nothing leaked;
 *   - the control plane's priority: with ike_new's ring full to the
 *     brim, one poll handles every neigh, ike and other packet, and the
 *     IKE of the known SPI before any new IKE, and at most its budget of
 *     ike_new; then /ipsecgw/punt's keys.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ring.h>

#include "controlplane/cp_ike_xport.h"
#include "controlplane/cp_punt.h"
#include "controlplane/cp_tm.h"
#include "controlplane/ike/ike_sa.h"
#include "dataplane/dp_classify.h"
#include "dataplane/dp_internal.h"
#include "dataplane/dp_punt.h"
#include "dataplane/dp_stats.h"
#include "dataplane/dp_worker.h"
#include "test/unit/test_cp.h"

enum { IKE_HDR = 28, MAX_FRAME = 256 };

static const uint8_t spi_ours[8] = { 0x5a, 1, 2, 3, 4, 5, 6, 7 };
static const uint8_t spi_peer[8] = { 0xc3, 9, 8, 7, 6, 5, 4, 3 };
static const uint8_t spi_zero[8];

struct frame {
	uint8_t b[MAX_FRAME];
	size_t len;
};

/* An IKE header: version 0x20 (IKEv2) or 0x10 (IKEv1), flags. */
static void ike_hdr(uint8_t *p, const uint8_t spi_i[8], const uint8_t spi_r[8], uint8_t ver,
		    uint8_t flags)
{
	memset(p, 0, IKE_HDR);
	memcpy(p, spi_i, 8);
	memcpy(p + 8, spi_r, 8);
	p[16] = 33;			/* SA */
	p[17] = ver;
	p[18] = ver == 0x20 ? 34 : 2;	/* IKE_SA_INIT, Identity Protection */
	p[19] = flags;
	tc_put16(p + 26, IKE_HDR);
}

/* UDP to our outside address (IPv4 or IPv6) on dport with payload pl. */
static void udp_frame(struct frame *f, bool v6, uint16_t dport, const uint8_t *pl, size_t plen)
{
	uint8_t *ip = f->b + 14, *u;
	size_t hl;

	tc_eth(f->b, tc_port_mac(TC_OUT), tc_peer_mac, v6 ? 0x86dd : 0x0800);
	hl = v6 ? tc_ip6(ip, "2001:db8:10::2", "2001:db8:10::1", 17, (uint16_t)(8 + plen), 64) :
		  tc_ip4(ip, "10.10.0.2", "10.10.0.1", 17, (uint16_t)(8 + plen), 7, 0, 64);
	u = ip + hl;
	tc_put16(u, dport);
	tc_put16(u + 2, dport);
	tc_put16(u + 4, (uint16_t)(8 + plen));
	memcpy(u + 8, pl, plen);
	tc_l4_fix(ip, 17);
	f->len = 14 + hl + 8 + plen;
}

/* IKE on 500, or on 4500 after the non-ESP marker. */
static void ike_frame(struct frame *f, bool v6, bool natt, const uint8_t spi_i[8],
		      const uint8_t spi_r[8], uint8_t ver, uint8_t flags)
{
	uint8_t pl[4 + IKE_HDR] = { 0 };

	ike_hdr(pl + (natt ? 4 : 0), spi_i, spi_r, ver, flags);
	udp_frame(f, v6, natt ? 4500 : 500, pl, (natt ? 4 : 0) + IKE_HDR);
}

static void arp_frame(struct frame *f)
{
	uint8_t *a = f->b + 14;
	struct gw_addr s = tc_addr("10.10.0.2"), t = tc_addr("10.10.0.1");

	tc_eth(f->b, tc_bcast, tc_peer_mac, 0x0806);
	memset(a, 0, 28);
	tc_put16(a, 1);
	tc_put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	tc_put16(a + 6, 1);		/* request */
	memcpy(a + 8, tc_peer_mac, 6);
	memcpy(a + 14, &s.v4, 4);
	memcpy(a + 24, &t.v4, 4);
	f->len = 14 + 28;
}

/* Neighbour solicitation for our outside address, to its solicited-node group. */
static void nd_frame(struct frame *f)
{
	static const uint8_t mc[6] = { 0x33, 0x33, 0xff, 0, 0, 0x01 };
	uint8_t *ip = f->b + 14, *ns = ip + 40;
	struct gw_addr t = tc_addr("2001:db8:10::1");

	tc_eth(f->b, mc, tc_peer_mac, 0x86dd);
	tc_ip6(ip, "2001:db8:10::2", "ff02::1:ff00:1", 58, 32, 255);
	memset(ns, 0, 32);
	ns[0] = 135;
	memcpy(ns + 8, t.v6, 16);
	ns[24] = 1;			/* source link-layer address option */
	ns[25] = 1;
	memcpy(ns + 26, tc_peer_mac, 6);
	tc_l4_fix(ip, 58);
	f->len = 14 + 40 + 32;
}

static void icmp_frame(struct frame *f, uint16_t frag)
{
	uint8_t *ip = f->b + 14, *ic = ip + 20;

	tc_eth(f->b, tc_port_mac(TC_OUT), tc_peer_mac, 0x0800);
	tc_ip4(ip, "10.10.0.2", "10.10.0.1", 1, 16, 9, frag, 64);
	memset(ic, 0, 16);
	ic[0] = 8;			/* echo request */
	tc_put16(ic + 6, 1);
	if (frag == 0)
		tc_l4_fix(ip, 1);
	f->len = 14 + 20 + 16;
}

/* The frame as the data plane classifies it: must be a punt. */
static struct rte_mbuf *punted(const struct frame *f)
{
	struct rte_mbuf *m = tc_mbuf(f->b, f->len);
	struct dp_cls_result r;

	m->port = dp_iface_get(TC_OUT)->port_id;
	CU_ASSERT_EQUAL(dp_classify(m, TC_OUT, &r), DP_V_PUNT);
	return m;
}

/* The class dp_punt_class() gives f. */
static enum dp_punt_class class_of(const struct frame *f)
{
	struct rte_mbuf *m = punted(f);
	enum dp_punt_class c = dp_punt_class(m);

	rte_pktmbuf_free(m);
	return c;
}

/* Which ring worker 0's punt path puts f in (DP_PUNT_CLASS_MAX: none). */
static unsigned ring_of(const struct frame *f)
{
	struct rte_mbuf *m = punted(f), *got;
	unsigned which = DP_PUNT_CLASS_MAX;

	dp_worker_punt(&dp_g.workers[0], &m, 1);
	for (unsigned c = 0; c < DP_PUNT_CLASS_MAX; c++)
		while (dp_punt_dequeue_class((enum dp_punt_class)c, &got, 1) == 1) {
			CU_ASSERT_EQUAL(which, DP_PUNT_CLASS_MAX);
			which = c;
			rte_pktmbuf_free(got);
		}
	return which;
}

static void test_classes(void)
{
	struct frame f;

	CU_ASSERT_EQUAL_FATAL(dp_punt_spi_add(spi_ours), 0);
	CU_ASSERT_EQUAL(dp_punt_spi_add(spi_ours), -EEXIST);
	CU_ASSERT_EQUAL(dp_punt_spi_add(spi_zero), 0);	/* never matches all the same */

	/* IKEv2 IKE_SA_INIT request: the responder's SPI is zero */
	ike_frame(&f, false, false, spi_peer, spi_zero, 0x20, 0x08);
	CU_ASSERT_EQUAL(class_of(&f), DP_PUNT_CLASS_IKE_NEW);
	/* we initiated: the responder's messages (I clear) carry ours in SPI_i */
	ike_frame(&f, false, false, spi_ours, spi_peer, 0x20, 0x20);
	CU_ASSERT_EQUAL(class_of(&f), DP_PUNT_CLASS_IKE);
	/* we respond: the initiator's messages (I set) carry ours in SPI_r */
	ike_frame(&f, false, false, spi_peer, spi_ours, 0x20, 0x08);
	CU_ASSERT_EQUAL(class_of(&f), DP_PUNT_CLASS_IKE);
	/* ours on the side the flag does not name: not a session of ours */
	ike_frame(&f, false, false, spi_ours, spi_peer, 0x20, 0x08);
	CU_ASSERT_EQUAL(class_of(&f), DP_PUNT_CLASS_IKE_NEW);
	ike_frame(&f, false, false, spi_peer, spi_ours, 0x20, 0x00);
	CU_ASSERT_EQUAL(class_of(&f), DP_PUNT_CLASS_IKE_NEW);
	/* IKEv1 Main Mode's first message, then a known cookie either side */
	ike_frame(&f, false, false, spi_peer, spi_zero, 0x10, 0);
	CU_ASSERT_EQUAL(class_of(&f), DP_PUNT_CLASS_IKE_NEW);
	ike_frame(&f, false, false, spi_ours, spi_zero, 0x10, 0);
	CU_ASSERT_EQUAL(class_of(&f), DP_PUNT_CLASS_IKE);
	ike_frame(&f, false, false, spi_peer, spi_ours, 0x10, 1);
	CU_ASSERT_EQUAL(class_of(&f), DP_PUNT_CLASS_IKE);
	/* an unknown major version */
	ike_frame(&f, false, false, spi_peer, spi_ours, 0x30, 0x08);
	CU_ASSERT_EQUAL(class_of(&f), DP_PUNT_CLASS_IKE_NEW);
	/* NAT-T: the header after the marker */
	ike_frame(&f, false, true, spi_peer, spi_ours, 0x20, 0x08);
	CU_ASSERT_EQUAL(class_of(&f), DP_PUNT_CLASS_IKE);
	ike_frame(&f, false, true, spi_peer, spi_peer, 0x20, 0x08);
	CU_ASSERT_EQUAL(class_of(&f), DP_PUNT_CLASS_IKE_NEW);
	/* IPv6 */
	ike_frame(&f, true, false, spi_peer, spi_ours, 0x20, 0x08);
	CU_ASSERT_EQUAL(class_of(&f), DP_PUNT_CLASS_IKE);
	ike_frame(&f, true, true, spi_ours, spi_peer, 0x20, 0x20);
	CU_ASSERT_EQUAL(class_of(&f), DP_PUNT_CLASS_IKE);
	/* too short for an IKE header, even with our SPI in it */
	{
		uint8_t g[IKE_HDR] = { 0 };

		memcpy(g + 8, spi_ours, 8);
		g[17] = 0x20;
		g[19] = 0x08;
		udp_frame(&f, false, 500, g, 10);
		CU_ASSERT_EQUAL(class_of(&f), DP_PUNT_CLASS_IKE_NEW);
		udp_frame(&f, false, 500, g, IKE_HDR - 1);
		CU_ASSERT_EQUAL(class_of(&f), DP_PUNT_CLASS_IKE_NEW);
		udp_frame(&f, false, 500, g, IKE_HDR);
		CU_ASSERT_EQUAL(class_of(&f), DP_PUNT_CLASS_IKE);
	}
	/* the rest */
	arp_frame(&f);
	CU_ASSERT_EQUAL(class_of(&f), DP_PUNT_CLASS_NEIGH);
	nd_frame(&f);
	CU_ASSERT_EQUAL(class_of(&f), DP_PUNT_CLASS_NEIGH);
	icmp_frame(&f, 0);
	CU_ASSERT_EQUAL(class_of(&f), DP_PUNT_CLASS_OTHER);
	icmp_frame(&f, 0x2000);		/* MF: the first fragment */
	CU_ASSERT_EQUAL(class_of(&f), DP_PUNT_CLASS_OTHER);
	CU_ASSERT_EQUAL(dp_punt_spi_del(spi_zero), 0);
	CU_ASSERT_EQUAL(dp_punt_spi_del(spi_ours), 0);
	CU_ASSERT_EQUAL(dp_punt_spi_del(spi_ours), -ENOENT);
	test_dp_no_mbuf_leak();
}

/* What a class decision costs with 10000 SPIs published (printed only:
 * the machine's speed varies too much to hold it to a figure). */
static void test_class_cost(void)
{
	enum { NSPI = 10000, ROUNDS = 200000 };
	struct rte_mbuf *m[3];
	unsigned hits = 0;
	uint64_t t0, cyc;
	uint8_t spi[8];
	struct frame f;

	for (uint32_t i = 0; i < NSPI; i++) {
		memcpy(spi, spi_ours, 8);
		memcpy(spi + 4, &i, 4);
		CU_ASSERT_EQUAL(dp_punt_spi_add(spi), 0);
	}
	ike_frame(&f, false, false, spi_peer, spi, 0x20, 0x08);	/* the last one */
	m[0] = punted(&f);
	ike_frame(&f, false, false, spi_peer, spi_zero, 0x20, 0x08);
	m[1] = punted(&f);
	arp_frame(&f);
	m[2] = punted(&f);
	t0 = rte_rdtsc();
	for (unsigned i = 0; i < ROUNDS; i++)
		hits += dp_punt_class(m[i % 3]) == DP_PUNT_CLASS_IKE;
	cyc = rte_rdtsc() - t0;
	printf("(%.0f ns a decision, known IKE / IKE_SA_INIT / ARP mixed, %u SPIs) ",
	       (double)cyc * 1e9 / (double)rte_get_tsc_hz() / ROUNDS, dp_punt_spi_count());
	CU_ASSERT_EQUAL(hits, (ROUNDS + 2) / 3);
	rte_pktmbuf_free_bulk(m, 3);
	for (uint32_t i = 0; i < NSPI; i++) {
		memcpy(spi, spi_ours, 8);
		memcpy(spi + 4, &i, 4);
		CU_ASSERT_EQUAL(dp_punt_spi_del(spi), 0);
	}
	CU_ASSERT_EQUAL(dp_punt_spi_count(), 0);
}

/* Publishing and withdrawing move a datagram between the rings; so do
 * the IKE SA table's hooks. */
static void test_spi_publish(void)
{
	unsigned n0 = dp_punt_spi_count();
	struct ike_sa *sa;
	uint8_t spi_r[8];
	struct frame f;

	ike_frame(&f, false, false, spi_peer, spi_ours, 0x20, 0x08);
	CU_ASSERT_EQUAL(ring_of(&f), DP_PUNT_CLASS_IKE_NEW);
	CU_ASSERT_EQUAL(dp_punt_spi_add(spi_ours), 0);
	CU_ASSERT_EQUAL(dp_punt_spi_count(), n0 + 1);
	CU_ASSERT_EQUAL(ring_of(&f), DP_PUNT_CLASS_IKE);
	CU_ASSERT_EQUAL(dp_punt_spi_del(spi_ours), 0);
	CU_ASSERT_EQUAL(dp_punt_spi_count(), n0);
	CU_ASSERT_EQUAL(ring_of(&f), DP_PUNT_CLASS_IKE_NEW);

	/* an IKE SA publishes its SPI from ike_sa_new() to its reaping */
	sa = ike_sa_new(IKE_RESPONDER, -1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	memcpy(spi_r, sa->spi_r, 8);
	CU_ASSERT_EQUAL(dp_punt_spi_count(), n0 + 1);
	ike_frame(&f, false, false, spi_peer, spi_r, 0x20, 0x08);
	CU_ASSERT_EQUAL(ring_of(&f), DP_PUNT_CLASS_IKE);
	ike_sa_kill(sa, "test");
	CU_ASSERT_EQUAL(ring_of(&f), DP_PUNT_CLASS_IKE);	/* until reaped */
	ike_sa_reap();
	CU_ASSERT_EQUAL(dp_punt_spi_count(), n0);
	CU_ASSERT_EQUAL(ring_of(&f), DP_PUNT_CLASS_IKE_NEW);
	dp_reclaim();
	test_dp_no_mbuf_leak();
}

/* Offer 4x the per-worker rate every 1 / steps second for 10 s of
 * simulated TSC (a step must refill less than the burst). */
static void policer_run(uint64_t pps, unsigned workers, uint64_t hz, uint64_t t0, uint64_t steps)
{
	uint64_t burst = dp_policer_burst(pps, workers, 4096), admitted = 0, want;
	uint64_t step = hz / steps, offer = pps * 4 / workers / steps + 1;
	struct dp_policer p;
	double err;

	dp_policer_init(&p, pps, workers, burst, hz, t0);
	for (uint64_t i = 1; i <= 10 * steps; i++)
		admitted += dp_policer_admit(&p, t0 + i * step, (unsigned)offer);
	want = burst + pps * 10 / workers;
	err = ((double)admitted - (double)want) / (double)want;
	printf("(%" PRIu64 " pps / %u: %" PRIu64 " admitted, %" PRIu64 " expected) ", pps,
	       workers, admitted, want);
	CU_ASSERT(err < 0.001 && err > -0.001);
}

static void test_policer(void)
{
	struct dp_policer p;
	uint64_t hz = 2500000000ULL;

	policer_run(10000, 2, hz, 0, 10000);
	policer_run(5000, 3, 3000000000ULL, 1ULL << 40, 10000);
	policer_run(100000000, 1, hz, 0, 1000000);	/* the largest rate: no overflow */
	policer_run(1, 16, hz, 0, 10000);		/* below one a second per worker */

	/* Idle for an hour: the bucket holds its burst, no more. */
	dp_policer_init(&p, 20000, 2, 500, hz, 0);
	CU_ASSERT_EQUAL(dp_policer_admit(&p, 0, 1000), 500);
	CU_ASSERT_EQUAL(dp_policer_admit(&p, 1, 1000), 0);
	CU_ASSERT_EQUAL(dp_policer_admit(&p, hz * 3600, 1000), 500);
	/* 1 ms later: 10 packets of a 10000 pps share */
	CU_ASSERT_EQUAL(dp_policer_admit(&p, hz * 3600 + hz / 1000, 1000), 10);
	CU_ASSERT_EQUAL(dp_policer_burst(20000, 2, 4096), 500);
	CU_ASSERT_EQUAL(dp_policer_burst(100, 2, 4096), DP_POLICER_BURST_MIN);
	CU_ASSERT_EQUAL(dp_policer_burst(100000000, 1, 1024), 1024);
}

/* The worker path on a burst past the bucket of ike_new. */
static void test_worker_policed(void)
{
	struct dp_worker *wk = &dp_g.workers[0];
	struct dp_lcore_stats s0, s1;
	unsigned burst = (unsigned)dp_policer_burst(dp_punt_pps(DP_PUNT_CLASS_IKE_NEW),
						    dp_nb_workers(), DP_PUNT_RING_IKE_NEW);
	unsigned offered = 0, queued;
	uint64_t t0 = rte_rdtsc(), ms;
	struct rte_mbuf *m[DP_BURST];
	struct frame f;

	dp_punt_worker_setup(0);	/* a full bucket */
	dp_stats_sum(&s0);
	ike_frame(&f, false, false, spi_peer, spi_zero, 0x20, 0x08);
	while (offered < burst + 200) {
		for (unsigned i = 0; i < DP_BURST; i++)
			m[i] = punted(&f);
		dp_worker_punt(wk, m, DP_BURST);
		offered += DP_BURST;
	}
	ms = (rte_rdtsc() - t0) * 1000 / rte_get_tsc_hz();
	dp_stats_sum(&s1);
	queued = dp_punt_queued(DP_PUNT_CLASS_IKE_NEW);
	printf("(%u offered in %" PRIu64 " ms, burst %u: %u queued) ", offered, ms, burst, queued);
	CU_ASSERT(queued >= burst);
	/* the refill during the test: 10000 / workers a second, 1 ms slack */
	CU_ASSERT(queued <= burst + (ms + 1) * dp_punt_pps(DP_PUNT_CLASS_IKE_NEW) / 1000 + 1);
	CU_ASSERT_EQUAL(s1.punt[DP_PUNT_CLASS_IKE_NEW][DP_PUNT_C_punted] -
			s0.punt[DP_PUNT_CLASS_IKE_NEW][DP_PUNT_C_punted], queued);
	CU_ASSERT_EQUAL(s1.punt[DP_PUNT_CLASS_IKE_NEW][DP_PUNT_C_policed] -
			s0.punt[DP_PUNT_CLASS_IKE_NEW][DP_PUNT_C_policed], offered - queued);
	CU_ASSERT_EQUAL(s1.c[DP_C_drop_punt_policed] - s0.c[DP_C_drop_punt_policed],
			offered - queued);
	CU_ASSERT_EQUAL(s1.c[DP_C_punt_pkts] - s0.c[DP_C_punt_pkts], queued);
	for (unsigned k; (k = dp_punt_dequeue(m, DP_BURST)) > 0;)
		rte_pktmbuf_free_bulk(m, k);
	test_dp_no_mbuf_leak();
	dp_punt_worker_setup(0);
}

/* The IKE handler of the priority test: the order datagrams arrive in. */
static struct {
	unsigned n, known_after_new;
	bool seen_new;
} rx;

static void rx_record(const struct ike_dgram *d, void *arg)
{
	bool known = d->len >= IKE_HDR && memcmp(d->data + 8, spi_ours, 8) == 0;

	(void)arg;
	rx.n++;
	if (known && rx.seen_new)
		rx.known_after_new++;
	rx.seen_new |= !known;
}

/* Put n copies of f straight into class c's ring (a worker's enqueue, with
 * no policer in the way); returns how many the ring took. */
static unsigned ring_fill(enum dp_punt_class c, const struct frame *f, unsigned n)
{
	unsigned k = 0;

	for (; k < n; k++) {
		struct rte_mbuf *m = punted(f);

		if (rte_ring_enqueue(dp_g.punt[c], m) != 0) {
			rte_pktmbuf_free(m);
			break;
		}
	}
	return k;
}

static void test_cp_priority(void)
{
	uint64_t h0[DP_PUNT_CLASS_MAX];
	unsigned full, n_neigh, n_ike, n_other, got, polls = 1;
	struct frame f;

	CU_ASSERT_EQUAL_FATAL(dp_punt_spi_add(spi_ours), 0);
	memset(&rx, 0, sizeof(rx));
	cp_ike_set_handler(rx_record, NULL);
	for (unsigned c = 0; c < DP_PUNT_CLASS_MAX; c++)
		h0[c] = cp_punt_handled((enum dp_punt_class)c);
	/* new IKE to the brim, first: the oldest packets in any ring */
	ike_frame(&f, false, false, spi_peer, spi_zero, 0x20, 0x08);
	full = ring_fill(DP_PUNT_CLASS_IKE_NEW, &f, 100000);
	CU_ASSERT_EQUAL(full, rte_ring_get_capacity(dp_g.punt[DP_PUNT_CLASS_IKE_NEW]));
	arp_frame(&f);
	n_neigh = ring_fill(DP_PUNT_CLASS_NEIGH, &f, 20);
	ike_frame(&f, false, false, spi_peer, spi_ours, 0x20, 0x08);
	n_ike = ring_fill(DP_PUNT_CLASS_IKE, &f, 30);
	icmp_frame(&f, 0);
	n_other = ring_fill(DP_PUNT_CLASS_OTHER, &f, 10);
	CU_ASSERT_EQUAL(n_neigh + n_ike + n_other, 60);

	got = cp_punt_poll();
	printf("(ike_new %u queued: one poll handled %u) ", full, got);
	CU_ASSERT_EQUAL(cp_punt_handled(DP_PUNT_CLASS_NEIGH) - h0[DP_PUNT_CLASS_NEIGH], n_neigh);
	CU_ASSERT_EQUAL(cp_punt_handled(DP_PUNT_CLASS_IKE) - h0[DP_PUNT_CLASS_IKE], n_ike);
	CU_ASSERT_EQUAL(cp_punt_handled(DP_PUNT_CLASS_OTHER) - h0[DP_PUNT_CLASS_OTHER], n_other);
	CU_ASSERT_EQUAL(cp_punt_handled(DP_PUNT_CLASS_IKE_NEW) - h0[DP_PUNT_CLASS_IKE_NEW],
			CP_PUNT_IKE_NEW_BUDGET);
	CU_ASSERT_EQUAL(got, 60 + CP_PUNT_IKE_NEW_BUDGET);
	CU_ASSERT_EQUAL(rx.n, n_ike + CP_PUNT_IKE_NEW_BUDGET);
	CU_ASSERT_EQUAL(rx.known_after_new, 0);
	CU_ASSERT_EQUAL(dp_punt_queued(DP_PUNT_CLASS_IKE_NEW), full - CP_PUNT_IKE_NEW_BUDGET);

	/* a late ARP goes before the ike_new backlog on the next poll */
	arp_frame(&f);
	ring_fill(DP_PUNT_CLASS_NEIGH, &f, 1);
	got = cp_punt_poll();
	CU_ASSERT_EQUAL(got, 1 + CP_PUNT_IKE_NEW_BUDGET);
	CU_ASSERT_EQUAL(cp_punt_handled(DP_PUNT_CLASS_NEIGH) - h0[DP_PUNT_CLASS_NEIGH], n_neigh + 1);

	while (cp_punt_poll() > 0)
		polls++;
	CU_ASSERT_EQUAL(cp_punt_handled(DP_PUNT_CLASS_IKE_NEW) - h0[DP_PUNT_CLASS_IKE_NEW], full);
	CU_ASSERT_EQUAL(rx.n, n_ike + full);
	CU_ASSERT_EQUAL(rx.known_after_new, 0);
	CU_ASSERT_EQUAL(dp_punt_queued(DP_PUNT_CLASS_IKE_NEW), 0);
	cp_ike_set_handler(NULL, NULL);
	CU_ASSERT_EQUAL(dp_punt_spi_del(spi_ours), 0);
	tc_flush();
	test_dp_no_mbuf_leak();
}

static char J[8192];

static bool has(const char *s)
{
	bool ok = strstr(J, s) != NULL;

	if (!ok)
		fprintf(stderr, "\n  expected %s in %s\n", s, J);
	return ok;
}

static void test_tm(void)
{
	static const char *const cls[] = { "neigh", "ike", "ike_new", "other" };
	static const char *const what[] = { "pps", "punted", "policed", "ring_full", "handled",
					    "queued" };
	char key[64];
	int n = tm_run_to_json(cp_punt_tm, NULL, J, sizeof(J));

	CU_ASSERT_FATAL(n > 0);
	for (unsigned c = 0; c < RTE_DIM(cls); c++)
		for (unsigned w = 0; w < RTE_DIM(what); w++) {
			snprintf(key, sizeof(key), "\"%s_%s\":", cls[c], what[w]);
			CU_ASSERT(has(key));
		}
	CU_ASSERT(has("\"neigh_pps\":5000,"));
	CU_ASSERT(has("\"ike_pps\":20000,"));
	CU_ASSERT(has("\"ike_new_pps\":10000,"));
	CU_ASSERT(has("\"other_pps\":10000,"));
	CU_ASSERT(has("\"ike_new_queued\":0,"));
	CU_ASSERT(has("\"ike_spis\":0"));
	CU_ASSERT(tm_run_to_json(cp_punt_tm, "x", J, sizeof(J)) > 0 && has("\"error\""));
}

int main(void)
{
	CU_pSuite s;

	if (tc_setup("punt") != 0) {
		fprintf(stderr, "set-up failed\n");
		return 1;
	}
	tc_flush();
	tc_learn(TC_OUT, "10.10.0.2", tc_peer_mac);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("punt", NULL, NULL);
	CU_add_test(s, "the class of each kind of packet", test_classes);
	CU_add_test(s, "SPIs published and withdrawn, by the IKE SA table too", test_spi_publish);
	CU_add_test(s, "cost of a class decision", test_class_cost);
	CU_add_test(s, "token bucket over 10 simulated seconds", test_policer);
	CU_add_test(s, "worker path: a burst past the bucket", test_worker_policed);
	CU_add_test(s, "control plane: priority over a full ike_new ring", test_cp_priority);
	CU_add_test(s, "/ipsecgw/punt", test_tm);
	return tc_run_and_teardown();
}
