/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VLAN sub-interfaces and link state (issue 9): the port table, the RX
 * demux and the TX tag (dataplane/dp_vlan.h), the real worker loop on
 * ports made with rte_eth_from_rings(), and the route withdrawal of
 * controlplane/cp_link.c driven by a fake link probe.
 *
 *   iface 0 outside  port o, untagged   10.10.0.1/24, 2001:db8:10::1/64
 *   iface 1 dmz      port o, VLAN 100   10.20.0.1/24, 2001:db8:100::1/64
 *   iface 2 v200     port o, VLAN 200   10.30.0.1/24
 *   iface 3 inside   port i, untagged   192.168.10.1/24
 *   iface 4 trunk    port t, VLAN 300   10.40.0.1/24  (no untagged interface)
 *
 *   demux     untagged, tagged inline, tagged by the PMD (RX_VLAN_STRIPPED),
 *             priority-tagged (VLAN 0), unknown VLAN, untagged on port t:
 *             the interface, the frame after (tag gone, MACs and payload
 *             intact), dp_iface_of_rx(), the drop counters
 *   tag       dp_vlan_tag: 0x8100 + TCI before the ethertype, payload
 *             intact; a shared mbuf and one without headroom dropped
 *             (drop_vlan_tag) and nothing leaked
 *   worker    one worker: inside -> dmz leaves port o tagged 100, dmz ->
 *             inside leaves port i untagged, an ICMP to 10.20.0.1 tagged
 *             100 is punted as dmz's, unknown VLAN dropped; per-interface
 *             frame counters
 *   link      port o down: outside, dmz and v200 down, their routes but the
 *             LOCAL ones withdrawn (172.31.0.0/16 via dmz: 172.31.1.1 now
 *             takes 172.0.0.0/8 via inside), learnt neighbours of dmz
 *             flushed, the static one kept, inside untouched; up: every
 *             route back in its order; a route forgotten while down
 *             (cp_link_route_forget) stays out
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "controlplane/cp_link.h"
#include "controlplane/cp_neigh.h"
#include "controlplane/cp_stats.h"
#include "dataplane/dp.h"
#include "dataplane/dp_neigh.h"
#include "dataplane/dp_route.h"
#include "dataplane/dp_stats.h"
#include "dataplane/dp_vlan.h"
#include "test/unit/test_dp.h"
#include "test/unit/test_eal.h"

enum {
	IF_OUT, IF_DMZ, IF_V200, IF_IN, IF_TRUNK, N_IF,
	P_O = 0, P_I = 1, P_T = 2, NPORT = 3,
	RING = 1024,
	FRAME_MAX = 256,
	WAIT_MS = 20000,
};

static struct rte_ring *rxr[NPORT], *txr[NPORT];
static uint16_t port_id[NPORT];
static struct gw_cfg cfg;
static unsigned in_use0;

static const struct rte_ether_addr peer_mac = { { 0x02, 0, 0, 0, 0x20, 0xfe } };
static const struct rte_ether_addr host_mac = { { 0x02, 0, 0, 0, 0x10, 0x50 } };

/* ---- frames ---------------------------------------------------------- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * An Ethernet frame dst <- src, with an 802.1Q tag (tci) when tagged,
 * carrying an IPv4/ICMP echo request src_ip -> dst_ip with 32 bytes of
 * pattern.  Returns its length.
 */
static size_t frame(uint8_t *b, const struct rte_ether_addr *dst, const struct rte_ether_addr *src,
		    bool tagged, uint16_t tci, const char *src_ip, const char *dst_ip)
{
	struct gw_addr s = test_addr(src_ip), d = test_addr(dst_ip);
	size_t o = 12, ip, len = 20 + 8 + 32;
	struct rte_ipv4_hdr *h;

	memcpy(b, dst->addr_bytes, 6);
	memcpy(b + 6, src->addr_bytes, 6);
	if (tagged) {
		put16(b + o, RTE_ETHER_TYPE_VLAN);
		put16(b + o + 2, tci);
		o += 4;
	}
	put16(b + o, RTE_ETHER_TYPE_IPV4);
	ip = o + 2;
	memset(b + ip, 0, len);
	h = (struct rte_ipv4_hdr *)(b + ip);
	h->version_ihl = 0x45;
	h->total_length = rte_cpu_to_be_16((uint16_t)len);
	h->time_to_live = 64;
	h->next_proto_id = IPPROTO_ICMP;
	h->src_addr = s.v4;
	h->dst_addr = d.v4;
	h->hdr_checksum = rte_ipv4_cksum(h);
	b[ip + 20] = 8;				/* echo request, checksum left 0 */
	for (size_t i = 0; i < 32; i++)
		b[ip + 28 + i] = (uint8_t)(0xa0 + i);
	return ip + len;
}

static struct rte_mbuf *mbuf_of(const uint8_t *b, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp_mbuf_pool());
	char *p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	p = rte_pktmbuf_append(m, (uint16_t)len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	memcpy(p, b, len);
	return m;
}

/* The frame in m equals want (len bytes). */
static bool same(const struct rte_mbuf *m, const uint8_t *want, size_t len)
{
	return rte_pktmbuf_pkt_len(m) == len &&
	       memcmp(rte_pktmbuf_mtod(m, const uint8_t *), want, len) == 0;
}

/* Nothing of the pool in use beyond what the set-up left. */
static void no_leak(void)
{
	unsigned n = rte_mempool_in_use_count(dp_mbuf_pool());

	if (n != in_use0)
		fprintf(stderr, "\n  %u mbufs in use, %u at set-up\n", n, in_use0);
	CU_ASSERT_EQUAL(n, in_use0);
}

/* ---- set-up ---------------------------------------------------------- */

static void iface(struct cfg_iface *i, const char *name, const char *port, uint16_t vlan,
		  const char *a4, const char *a6)
{
	memset(i, 0, sizeof(*i));
	snprintf(i->name, sizeof(i->name), "%s", name);
	snprintf(i->port, sizeof(i->port), "%s", port);
	i->vlan = vlan;
	gw_prefix_parse(a4, &i->addrs[i->n_addrs++]);
	if (a6 != NULL)
		gw_prefix_parse(a6, &i->addrs[i->n_addrs++]);
}

static int ports_create(void)
{
	static const char *const names[NPORT] = { "o", "i", "t" };
	char rn[32];

	for (unsigned p = 0; p < NPORT; p++) {
		snprintf(rn, sizeof(rn), "vl_rx%u", p);
		rxr[p] = rte_ring_create(rn, RING, 0, 0);
		snprintf(rn, sizeof(rn), "vl_tx%u", p);
		txr[p] = rte_ring_create(rn, RING, 0, 0);
		if (rxr[p] == NULL || txr[p] == NULL ||
		    test_dp_ring_port(names[p], &rxr[p], &txr[p], 1, (uint8_t)(p + 1)) != 0)
			return -1;
		snprintf(rn, sizeof(rn), "net_ring_%s", names[p]);
		if (rte_eth_dev_get_port_by_name(rn, &port_id[p]) != 0)
			return -1;
	}
	return 0;
}

/* A gateway route (set-up, outside any test: no asserts). */
static int route(const char *pfx, const char *via, unsigned ifx)
{
	struct dp_nexthop nh = { .type = DP_NH_GATEWAY, .iface = (uint16_t)ifx };
	struct gw_prefix p;

	if (gw_prefix_parse(pfx, &p) != 0 || gw_addr_parse(via, &nh.gw) != 0)
		return -EINVAL;
	return dp_route_add(&p, &nh);
}

static int suite_init(void)
{
	struct gw_addr a;
	int ret;

	memset(&cfg, 0, sizeof(cfg));
	cfg.workers = 1;
	cfg.worker_idle_backoff = true;
	cfg.n_ifaces = N_IF;
	iface(&cfg.ifaces[IF_OUT], "outside", "net_ring_o", 0, "10.10.0.1/24", "2001:db8:10::1/64");
	iface(&cfg.ifaces[IF_DMZ], "dmz", "net_ring_o", 100, "10.20.0.1/24", "2001:db8:100::1/64");
	iface(&cfg.ifaces[IF_V200], "v200", "net_ring_o", 200, "10.30.0.1/24", NULL);
	iface(&cfg.ifaces[IF_IN], "inside", "net_ring_i", 0, "192.168.10.1/24", NULL);
	iface(&cfg.ifaces[IF_TRUNK], "trunk", "net_ring_t", 300, "10.40.0.1/24", NULL);
	if (dp_init(&cfg) != 0)
		return -1;
	ret = route("0.0.0.0/0", "10.10.0.254", IF_OUT);
	ret |= route("172.31.0.0/16", "10.20.0.254", IF_DMZ);
	ret |= route("172.0.0.0/8", "192.168.10.254", IF_IN);
	ret |= route("2001:db8:99::/48", "2001:db8:100::fe", IF_DMZ);
	ret |= gw_addr_parse("10.20.0.254", &a);
	ret |= dp_neigh_set(IF_DMZ, &a, &peer_mac);
	ret |= gw_addr_parse("192.168.10.50", &a);
	ret |= dp_neigh_set(IF_IN, &a, &host_mac);
	in_use0 = rte_mempool_in_use_count(dp_mbuf_pool());
	return ret == 0 ? 0 : -1;
}

static int suite_fini(void)
{
	dp_fini();
	return 0;
}

/* ---- port table -------------------------------------------------------- */

static void test_ports(void)
{
	const struct dp_iface *o = dp_iface_get(IF_OUT), *d = dp_iface_get(IF_DMZ);

	CU_ASSERT_EQUAL(o->port_id, port_id[P_O]);
	CU_ASSERT_EQUAL(d->port_id, port_id[P_O]);
	CU_ASSERT_EQUAL(dp_iface_get(IF_V200)->port_id, port_id[P_O]);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&o->mac, &d->mac));
	CU_ASSERT_EQUAL(o->vlan, 0);
	CU_ASSERT_EQUAL(d->vlan, 100);
	CU_ASSERT_EQUAL(d->mtu, o->mtu);
	CU_ASSERT_EQUAL(dp_ports.n, NPORT);
	CU_ASSERT_EQUAL(dp_iface_by_port(port_id[P_O]), IF_OUT);
	CU_ASSERT_EQUAL(dp_iface_by_port_vlan(port_id[P_O], 100), IF_DMZ);
	CU_ASSERT_EQUAL(dp_iface_by_port_vlan(port_id[P_O], 200), IF_V200);
	CU_ASSERT_EQUAL(dp_iface_by_port_vlan(port_id[P_O], 300), -1);
	CU_ASSERT_EQUAL(dp_iface_by_port(port_id[P_I]), IF_IN);
	CU_ASSERT_EQUAL(dp_iface_by_port(port_id[P_T]), -1);	/* VLANs only */
	CU_ASSERT_EQUAL(dp_iface_by_port_vlan(port_id[P_T], 300), IF_TRUNK);
}

/* ---- demux --------------------------------------------------------------- */

struct demux_case {
	const char *what;
	unsigned port;
	bool tagged;		/* inline 802.1Q tag */
	bool pmd_strip;		/* RX_VLAN_STRIPPED with vlan_tci, no inline tag */
	uint16_t tci;
	int iface;		/* -1: dropped */
	enum dp_counter drop;
};

static void test_demux(void)
{
	static const struct demux_case cases[] = {
		{ "untagged", P_O, false, false, 0, IF_OUT, 0 },
		{ "tagged 100", P_O, true, false, 100, IF_DMZ, 0 },
		{ "tagged 100, PCP 5", P_O, true, false, 5 << 13 | 100, IF_DMZ, 0 },
		{ "tagged 200 by the PMD", P_O, false, true, 200, IF_V200, 0 },
		{ "priority-tagged (VLAN 0)", P_O, true, false, 3 << 13, IF_OUT, 0 },
		{ "unknown VLAN 42", P_O, true, false, 42, -1, DP_C_drop_vlan_unknown },
		{ "unknown VLAN 43 by the PMD", P_O, false, true, 43, -1, DP_C_drop_vlan_unknown },
		{ "VLAN 300 on port t", P_T, true, false, 300, IF_TRUNK, 0 },
		{ "untagged on port t", P_T, false, false, 0, -1, DP_C_drop_vlan_untagged },
		{ "VLAN 100 on port i", P_I, true, false, 100, -1, DP_C_drop_vlan_unknown },
	};
	const struct rte_ether_addr *gw = &dp_iface_get(IF_OUT)->mac;

	for (size_t k = 0; k < RTE_DIM(cases); k++) {
		const struct demux_case *c = &cases[k];
		const struct dp_port *pt = dp_vlan_port(port_id[c->port]);
		uint8_t in[FRAME_MAX], plain[FRAME_MAX], ifx[1];
		size_t len = frame(in, gw, &peer_mac, c->tagged, c->tci, "10.20.0.254", "10.20.0.1");
		size_t plen = frame(plain, gw, &peer_mac, false, 0, "10.20.0.254", "10.20.0.1");
		uint64_t d0 = c->iface < 0 ? test_dp_counter(c->drop) : 0;
		struct rte_mbuf *m = mbuf_of(in, len);
		int one;

		CU_ASSERT_PTR_NOT_NULL_FATAL(pt);
		if (c->pmd_strip) {
			m->ol_flags |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
			m->vlan_tci = c->tci;
		}
		m->port = port_id[c->port];
		one = dp_vlan_demux(pt, &m, 1, ifx, rte_lcore_id());
		if (one != c->iface)
			fprintf(stderr, "\n  %s: interface %d, expected %d\n", c->what, one, c->iface);
		CU_ASSERT_EQUAL(one, c->iface);
		if (c->iface < 0) {
			CU_ASSERT_EQUAL(ifx[0], DP_VLAN_DROPPED);
			CU_ASSERT_EQUAL(test_dp_counter(c->drop), d0 + 1);	/* and freed */
			continue;
		}
		CU_ASSERT_EQUAL(ifx[0], c->iface);
		/* the tag is gone, the rest as sent */
		CU_ASSERT_TRUE(same(m, plain, plen));
		CU_ASSERT_EQUAL(dp_iface_of_rx(m), c->iface);
		CU_ASSERT_EQUAL((m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) != 0,
				(c->tci & RTE_VLAN_ID_MASK) != 0);
		if (c->tci & RTE_VLAN_ID_MASK)
			CU_ASSERT_EQUAL(m->vlan_tci, c->tci);
		rte_pktmbuf_free(m);
	}
	no_leak();
}

/*
 * Frames too short to hold a whole 802.1Q tag: never stripped (nothing is
 * read or moved past the data), the untagged interface's, as received; on
 * a port without one, dropped as untagged.
 */
static void test_demux_short(void)
{
	static const uint16_t lens[] = { 0, 6, 12, 13, 14, 17 };
	static const unsigned ports[] = { P_O, P_T };	/* with / without untagged */
	uint8_t b[RTE_ETHER_HDR_LEN + 4];

	memset(b, 0x5a, sizeof(b));
	put16(b + 12, RTE_ETHER_TYPE_VLAN);
	put16(b + 14, 100);			/* cut off below 18 bytes */
	for (size_t k = 0; k < RTE_DIM(lens); k++) {
		for (size_t j = 0; j < RTE_DIM(ports); j++) {
			unsigned p = ports[j];
			const struct dp_port *pt = dp_vlan_port(port_id[p]);
			uint64_t d0 = test_dp_counter(DP_C_drop_vlan_untagged);
			struct rte_mbuf *m = mbuf_of(b, lens[k]);
			uint8_t ifx[1];
			int one;

			CU_ASSERT_PTR_NOT_NULL_FATAL(pt);
			m->port = port_id[p];
			one = dp_vlan_demux(pt, &m, 1, ifx, rte_lcore_id());
			if (p == P_T) {
				CU_ASSERT_EQUAL(one, -1);
				CU_ASSERT_EQUAL(ifx[0], DP_VLAN_DROPPED);
				CU_ASSERT_EQUAL(test_dp_counter(DP_C_drop_vlan_untagged), d0 + 1);
				continue;
			}
			if (one != IF_OUT)
				fprintf(stderr, "\n  %u-byte frame: interface %d\n", lens[k], one);
			CU_ASSERT_EQUAL(one, IF_OUT);
			CU_ASSERT_TRUE(same(m, b, lens[k]));
			CU_ASSERT_EQUAL(m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED, 0);
			rte_pktmbuf_free(m);
		}
	}
	no_leak();
}

/* ---- tag ----------------------------------------------------------------- */

static void test_tag(void)
{
	const struct rte_ether_addr *gw = &dp_iface_get(IF_OUT)->mac;
	uint8_t plain[FRAME_MAX], tagged[FRAME_MAX];
	size_t plen = frame(plain, &peer_mac, gw, false, 0, "10.20.0.1", "10.20.0.254");
	size_t tlen = frame(tagged, &peer_mac, gw, true, 100, "10.20.0.1", "10.20.0.254");
	uint64_t d0 = test_dp_counter(DP_C_drop_vlan_tag);
	struct rte_mbuf *m[4], *shared;
	unsigned n;

	for (unsigned i = 0; i < 4; i++)
		m[i] = mbuf_of(plain, plen);
	shared = m[1];
	rte_mbuf_refcnt_update(shared, 1);	/* another reference still reads it */
	CU_ASSERT_PTR_NOT_NULL(rte_pktmbuf_prepend(m[2], rte_pktmbuf_headroom(m[2])));
	n = dp_vlan_tag(m, 4, 100, rte_lcore_id());
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL(test_dp_counter(DP_C_drop_vlan_tag), d0 + 2);
	CU_ASSERT_EQUAL(rte_mbuf_refcnt_read(shared), 1);	/* our reference left */
	CU_ASSERT_TRUE(same(shared, plain, plen));		/* untouched */
	rte_pktmbuf_free(shared);
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *p = rte_pktmbuf_mtod(m[i], const uint8_t *);

		CU_ASSERT_TRUE(same(m[i], tagged, tlen));
		CU_ASSERT_EQUAL(get16(p + 12), RTE_ETHER_TYPE_VLAN);
		CU_ASSERT_EQUAL(get16(p + 14), 100);
		rte_pktmbuf_free(m[i]);
	}
	no_leak();
}

/*
 * What the demux and the tag cost per frame, printed (not asserted: the
 * machine's speed swings): bursts of 32 through dp_vlan_demux, untagged
 * and tagged (the tag removed), and through dp_vlan_tag.  Each frame is
 * checked afterwards, so the loop cannot be optimised away.
 */
static void test_cost(void)
{
	enum { ROUNDS = 2000, B = 32 };
	const struct rte_ether_addr *gw = &dp_iface_get(IF_OUT)->mac;
	const struct dp_port *pt = dp_vlan_port(port_id[P_O]);
	uint8_t plain[FRAME_MAX], tagged[FRAME_MAX], ifx[B];
	size_t plen = frame(plain, gw, &peer_mac, false, 0, "10.20.0.254", "10.20.0.1");
	size_t tlen = frame(tagged, gw, &peer_mac, true, 100, "10.20.0.254", "10.20.0.1");
	uint64_t cyc[3] = { 0, 0, 0 }, hz = rte_get_tsc_hz();
	struct rte_mbuf *m[B];
	unsigned bad = 0;

	for (unsigned r = 0; r < ROUNDS; r++) {
		for (unsigned j = 0; j < 2; j++) {
			unsigned k = (j + r) & 1;	/* alternate which goes first */
			uint64_t t0;

			for (unsigned i = 0; i < B; i++)
				m[i] = mbuf_of(k ? tagged : plain, k ? tlen : plen);
			t0 = rte_rdtsc();
			bad += dp_vlan_demux(pt, m, B, ifx, rte_lcore_id()) != (k ? IF_DMZ : IF_OUT);
			cyc[k] += rte_rdtsc() - t0;
			if (k == 1) {	/* and back: the tag inserted again */
				t0 = rte_rdtsc();
				bad += dp_vlan_tag(m, B, 100, rte_lcore_id()) != B;
				cyc[2] += rte_rdtsc() - t0;
			}
			for (unsigned i = 0; i < B; i++) {
				bad += !same(m[i], k ? tagged : plain, k ? tlen : plen);
				rte_pktmbuf_free(m[i]);
			}
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	printf("\n    per frame: demux untagged %.1f ns, demux tagged %.1f ns, tag %.1f ns "
	       "(%u bursts of %u, TSC %.2f GHz) ", 1e9 * (double)cyc[0] / ROUNDS / B / (double)hz,
	       1e9 * (double)cyc[1] / ROUNDS / B / (double)hz,
	       1e9 * (double)cyc[2] / ROUNDS / B / (double)hz, (unsigned)ROUNDS, (unsigned)B,
	       (double)hz / 1e9);
	no_leak();
}

/* ---- the worker loop ----------------------------------------------------- */

/* Wait for a frame on port p's TX ring (WAIT_MS); NULL if none came. */
static struct rte_mbuf *tx_wait(unsigned p)
{
	uint64_t t0 = test_dp_now_ms();
	struct rte_mbuf *m;

	while (test_dp_now_ms() - t0 <= WAIT_MS) {
		if (rte_ring_dequeue(txr[p], (void **)&m) == 0)
			return m;
		rte_delay_us_sleep(1000);
	}
	return NULL;
}

static void rx_put(unsigned p, const uint8_t *b, size_t len)
{
	struct rte_mbuf *m = mbuf_of(b, len);

	CU_ASSERT_EQUAL_FATAL(rte_ring_enqueue(rxr[p], m), 0);
}

static int worker_init(void)
{
	return dp_launch() == 0 ? 0 : -1;
}

static int worker_fini(void)
{
	dp_stop();
	return 0;
}

/* inside -> 10.20.0.254 (dmz): out on port o with tag 100, TTL - 1. */
static void test_fwd_to_vlan(void)
{
	const struct rte_ether_addr *gi = &dp_iface_get(IF_IN)->mac, *go = &dp_iface_get(IF_OUT)->mac;
	uint8_t in[FRAME_MAX], want[FRAME_MAX];
	size_t len = frame(in, gi, &host_mac, false, 0, "192.168.10.50", "10.20.0.254");
	size_t wlen = frame(want, &peer_mac, go, true, 100, "192.168.10.50", "10.20.0.254");
	struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)(want + 18);
	uint64_t rx0, tx0;
	struct rte_mbuf *m;

	h->time_to_live--;
	h->hdr_checksum = 0;
	h->hdr_checksum = rte_ipv4_cksum(h);
	CU_ASSERT_EQUAL(dp_iface_counts(IF_DMZ, &rx0, &tx0), 0);
	rx_put(P_I, in, len);
	m = tx_wait(P_O);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_TRUE(same(m, want, wlen));
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(rte_ring_count(txr[P_I]), 0);
	rte_delay_us_sleep(20 * 1000);
	{
		uint64_t rx, tx;

		CU_ASSERT_EQUAL(dp_iface_counts(IF_DMZ, &rx, &tx), 0);
		CU_ASSERT_EQUAL(tx, tx0 + 1);
		CU_ASSERT_EQUAL(rx, rx0);
	}
}

/* dmz (tag 100) -> 192.168.10.50: out on port i untagged. */
static void test_fwd_from_vlan(void)
{
	const struct rte_ether_addr *gi = &dp_iface_get(IF_IN)->mac, *go = &dp_iface_get(IF_OUT)->mac;
	uint8_t in[FRAME_MAX], want[FRAME_MAX];
	size_t len = frame(in, go, &peer_mac, true, 100, "10.20.0.254", "192.168.10.50");
	size_t wlen = frame(want, &host_mac, gi, false, 0, "10.20.0.254", "192.168.10.50");
	struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)(want + 14);
	uint64_t rx0, tx0, rx, tx;
	struct rte_mbuf *m;

	h->time_to_live--;
	h->hdr_checksum = 0;
	h->hdr_checksum = rte_ipv4_cksum(h);
	dp_iface_counts(IF_DMZ, &rx0, &tx0);
	rx_put(P_O, in, len);
	m = tx_wait(P_I);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_TRUE(same(m, want, wlen));
	rte_pktmbuf_free(m);
	dp_iface_counts(IF_DMZ, &rx, &tx);
	CU_ASSERT_EQUAL(rx, rx0 + 1);
}

/* ICMP to 10.20.0.1 tagged 100: punted, and the CP sees it as dmz's;
 * the same frame tagged 42: dropped, counted. */
static void test_punt_and_unknown(void)
{
	const struct rte_ether_addr *go = &dp_iface_get(IF_OUT)->mac;
	uint8_t in[FRAME_MAX];
	size_t len = frame(in, go, &peer_mac, true, 100, "10.20.0.254", "10.20.0.1");
	uint64_t u0 = test_dp_counter(DP_C_drop_vlan_unknown), t0 = test_dp_now_ms();
	struct rte_mbuf *m = NULL;

	rx_put(P_O, in, len);
	while (test_dp_now_ms() - t0 <= WAIT_MS && dp_punt_dequeue(&m, 1) == 0)
		rte_delay_us_sleep(1000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(m->hash.usr, DP_PUNT_ICMP_LOCAL);
	CU_ASSERT_EQUAL(m->port, port_id[P_O]);
	CU_ASSERT_EQUAL(dp_iface_of_rx(m), IF_DMZ);
	rte_pktmbuf_free(m);

	len = frame(in, go, &peer_mac, true, 42, "10.20.0.254", "10.20.0.1");
	rx_put(P_O, in, len);
	t0 = test_dp_now_ms();
	while (test_dp_now_ms() - t0 <= WAIT_MS && test_dp_counter(DP_C_drop_vlan_unknown) == u0)
		rte_delay_us_sleep(1000);
	CU_ASSERT_EQUAL(test_dp_counter(DP_C_drop_vlan_unknown), u0 + 1);
}

/* ---- link ------------------------------------------------------------------ */

static bool link_up[NPORT] = { true, true, true };

static int fake_probe(uint16_t port, bool *up)
{
	for (unsigned p = 0; p < NPORT; p++)
		if (port_id[p] == port) {
			*up = link_up[p];
			return 0;
		}
	return -ENODEV;
}

static uint64_t tick_ms = 1000;

/* Port p's link now up or down, seen by the next poll. */
static void set_link(unsigned p, bool up)
{
	link_up[p] = up;
	tick_ms += CP_LINK_POLL_MS;
	cp_link_tick(tick_ms);
}

/* The next hop of dst: its interface, or -1 for none; LOCAL is -2. */
static int nh_iface(const char *dst)
{
	struct gw_addr a = test_addr(dst);
	struct dp_nexthop nh;

	if (dp_route_lookup(&a, &nh) != 0)
		return -1;
	return nh.type == DP_NH_LOCAL ? -2 : nh.iface;
}

/* The route table as text, in order. */
static void routes_text(char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < dp_route_count() && o < len; i++) {
		char p[GW_PREFIX_STRLEN];
		struct gw_prefix pfx;
		struct dp_nexthop nh;

		if (dp_route_get(i, &pfx, &nh) == 0)
			o += (size_t)snprintf(buf + o, len - o, "%s@%u ",
					      gw_prefix_fmt(&pfx, p, sizeof(p)), nh.iface);
	}
}

static int link_init(void)
{
	cp_link_reset();
	cp_link_set_probe(fake_probe);
	cp_neigh_init();
	return 0;
}

static int link_fini(void)
{
	struct rte_mbuf *m[64];

	cp_link_set_probe(NULL);
	cp_neigh_fini();
	/* gratuitous ARPs and NAs of the link-up path */
	for (unsigned i = 0; i < N_IF; i++) {
		unsigned n;

		while ((n = dp_cptx_drain(i, m, RTE_DIM(m))) != 0)
			for (unsigned k = 0; k < n; k++)
				rte_pktmbuf_free(m[k]);
	}
	return suite_fini();
}

static uint64_t cp(enum cp_counter c)
{
	return cp_stats[c];
}

static void test_link(void)
{
	static const struct rte_ether_addr n1 = { { 0x02, 0, 0, 0, 0x20, 0x01 } };
	char before[4096], after[4096];
	struct gw_addr a = test_addr("10.20.0.77"), s = test_addr("10.20.0.88");
	uint64_t down0 = cp(CP_C_link_down), up0 = cp(CP_C_link_up);
	uint64_t wd0 = cp(CP_C_link_routes_withdrawn), rs0 = cp(CP_C_link_routes_restored);
	unsigned nr = dp_route_count(), nn;

	routes_text(before, sizeof(before));
	cp_neigh_learn(IF_DMZ, &a, &n1);
	CU_ASSERT_EQUAL(cp_neigh_add_static(IF_DMZ, &s, &n1), 0);
	nn = cp_neigh_count();

	cp_link_tick(tick_ms);			/* first poll: all up, no change */
	CU_ASSERT_EQUAL(cp(CP_C_link_down), down0);
	CU_ASSERT_EQUAL(nh_iface("172.31.1.1"), IF_DMZ);
	CU_ASSERT_EQUAL(nh_iface("8.8.8.8"), IF_OUT);

	set_link(P_O, false);
	CU_ASSERT_FALSE(cp_link_iface_up(IF_OUT));
	CU_ASSERT_FALSE(cp_link_iface_up(IF_DMZ));
	CU_ASSERT_FALSE(cp_link_iface_up(IF_V200));
	CU_ASSERT_TRUE(cp_link_iface_up(IF_IN));
	CU_ASSERT_TRUE(cp_link_iface_up(IF_TRUNK));
	CU_ASSERT_EQUAL(cp(CP_C_link_down), down0 + 3);
	/* outside: default, 10.10.0.0/24, 2001:db8:10::/64; dmz: 10.20.0.0/24,
	 * 2001:db8:100::/64, 172.31.0.0/16, 2001:db8:99::/48; v200: 10.30.0.0/24 */
	CU_ASSERT_EQUAL(cp_link_withdrawn(IF_OUT), 3);
	CU_ASSERT_EQUAL(cp_link_withdrawn(IF_DMZ), 4);
	CU_ASSERT_EQUAL(cp_link_withdrawn(IF_V200), 1);
	CU_ASSERT_EQUAL(cp(CP_C_link_routes_withdrawn), wd0 + 8);
	CU_ASSERT_EQUAL(dp_route_count(), nr - 8);
	CU_ASSERT_EQUAL(nh_iface("8.8.8.8"), -1);		/* no route */
	CU_ASSERT_EQUAL(nh_iface("10.20.0.5"), -1);
	CU_ASSERT_EQUAL(nh_iface("2001:db8:99::1"), -1);
	CU_ASSERT_EQUAL(nh_iface("172.31.1.1"), IF_IN);	/* the next route that covers it */
	CU_ASSERT_EQUAL(nh_iface("10.20.0.1"), -2);		/* our addresses stay */
	CU_ASSERT_EQUAL(nh_iface("192.168.10.7"), IF_IN);
	CU_ASSERT_EQUAL(cp_neigh_count(), nn - 1);		/* the learnt one */
	CU_ASSERT_EQUAL(dp_neigh_lookup(IF_DMZ, &a, &(struct rte_ether_addr){ { 0 } }), -ENOENT);

	set_link(P_O, false);				/* no change, nothing twice */
	CU_ASSERT_EQUAL(cp(CP_C_link_down), down0 + 3);

	set_link(P_O, true);
	CU_ASSERT_TRUE(cp_link_iface_up(IF_DMZ));
	CU_ASSERT_EQUAL(cp(CP_C_link_up), up0 + 3);
	CU_ASSERT_EQUAL(cp(CP_C_link_routes_restored), rs0 + 8);
	CU_ASSERT_EQUAL(dp_route_count(), nr);
	CU_ASSERT_EQUAL(cp_link_withdrawn(IF_DMZ), 0);
	CU_ASSERT_EQUAL(nh_iface("172.31.1.1"), IF_DMZ);
	CU_ASSERT_EQUAL(nh_iface("8.8.8.8"), IF_OUT);
	CU_ASSERT_EQUAL(nh_iface("2001:db8:99::1"), IF_DMZ);
	routes_text(after, sizeof(after));
	/* the same routes; the withdrawn ones in their order, at the end */
	CU_ASSERT_EQUAL(strlen(after), strlen(before));
	CU_ASSERT_PTR_NOT_NULL(strstr(after, "10.10.0.0/24@0 2001:db8:10::/64@0 0.0.0.0/0@0 "
				   "10.20.0.0/24@1 2001:db8:100::/64@1 172.31.0.0/16@1 "
				   "2001:db8:99::/48@1 10.30.0.0/24@2 "));
	if (strlen(after) != strlen(before) || strstr(after, "0.0.0.0/0@0 10.20") == NULL)
		fprintf(stderr, "\n  before: %s\n  after:  %s\n", before, after);

	/* a route forgotten while down (reload) stays out */
	set_link(P_O, false);
	CU_ASSERT_EQUAL(cp_link_route_forget(&(struct gw_prefix){ test_addr("172.31.0.0"), 16 }), 0);
	CU_ASSERT_EQUAL(cp_link_route_forget(&(struct gw_prefix){ test_addr("172.31.0.0"), 16 }),
			-ENOENT);
	set_link(P_O, true);
	CU_ASSERT_EQUAL(dp_route_count(), nr - 1);
	CU_ASSERT_EQUAL(nh_iface("172.31.1.1"), IF_IN);
	CU_ASSERT_EQUAL(route("172.31.0.0/16", "10.20.0.254", IF_DMZ), 0);	/* as before */

	/* a port with only VLAN interfaces */
	set_link(P_T, false);
	CU_ASSERT_FALSE(cp_link_iface_up(IF_TRUNK));
	CU_ASSERT_EQUAL(nh_iface("10.40.0.9"), IF_OUT);	/* the default now */
	set_link(P_T, true);
	CU_ASSERT_EQUAL(nh_iface("10.40.0.9"), IF_TRUNK);
}

int main(void)
{
	static const char *const eal[] = { "--lcores=(0-1)@(0-1)" };	/* 2 CPUs here */
	static const struct test_dp_case ports[] = {
		{ "ports opened once, VLAN table", test_ports },
		{ "RX demux by VLAN", test_demux },
		{ "RX demux of frames shorter than a tag", test_demux_short },
		{ "TX tag insertion", test_tag },
		{ "cost per frame (printed)", test_cost },
	};
	static const struct test_dp_case worker[] = {
		{ "forwarded to a VLAN interface: tagged", test_fwd_to_vlan },
		{ "forwarded from a VLAN interface: untagged", test_fwd_from_vlan },
		{ "punted as the VLAN interface's, unknown VLAN dropped", test_punt_and_unknown },
	};
	static const struct test_dp_case link[] = {
		{ "link down and up: routes withdrawn and restored", test_link },
	};

	if (test_dp_begin("vlan", (int)RTE_DIM(eal), eal) != 0 || ports_create() != 0)
		return 1;
	test_dp_suite("vlan_ports", suite_init, NULL, ports, RTE_DIM(ports));
	test_dp_suite("vlan_worker", worker_init, worker_fini, worker, RTE_DIM(worker));
	test_dp_suite("vlan_link", link_init, link_fini, link, RTE_DIM(link));
	return test_dp_end();
}
