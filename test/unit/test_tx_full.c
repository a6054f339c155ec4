/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker whose TX queue refuses packets (issue 8, "Faults, with nothing
 * lost"): every packet is counted under one reason and not one mbuf leaks.
 *
 * The REAL worker loop (dp_launch(), one worker) runs on two ports made
 * with rte_eth_from_rings():
 *
 *   outside  port o, 10.10.0.1/24, peer 10.10.0.2: its TX ring holds
 *            TXQ_CAP frames and nobody ever drains it while the workers
 *            run, so once it is full the PMD takes nothing more
 *   inside   port i, 192.168.10.1/24, host 192.168.10.50
 *
 * One SA pair (tunnel 1, 192.168.10.0/24 <-> 172.16.1.0/24 PROTECT, to
 * 10.10.0.2).  The cases, each on top of the previous ones:
 *
 *   forward   cleartext inside -> 10.10.0.2: the first TXQ_CAP frames fill
 *             the ring (tx_pkts), every later one is drop_tx_full
 *   esp       inside -> 172.16.1.0/24: every packet is encrypted
 *             (esp_out_pkts, the SA's pkts) then dropped, drop_tx_full
 *   cp        frames of the control plane (dp_cp_tx) on the outside: plain
 *             IPv4 and, matching the PROTECT policy, encrypted on the way
 *             (cptx_pkts, esp_out_pkts): all drop_tx_full
 *   cptx full the worker stopped: the CP TX ring takes what it can hold,
 *             the rest is refused (-ENOBUFS) and drop_cptx_ring_full; the
 *             worker started again drains the ring into drop_tx_full
 *
 * After each case: sent + dropped == injected exactly, what was sent is
 * what the TX ring holds (and the port's own opackets; net_ring keeps no
 * count of what it refused), nothing was punted, and the pool's in-use
 * count is its baseline plus exactly the frames the TX ring holds.  At the end, the workers stopped and the ring
 * drained, the pool is back at its baseline.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "common/gw_proto.h"
#include "common/gw_sa.h"
#include "dataplane/dp.h"
#include "dataplane/dp_neigh.h"
#include "dataplane/dp_sa.h"
#include "dataplane/dp_spd.h"
#include "dataplane/dp_stats.h"
#include "dataplane/esp.h"
#include "test/unit/test_dp.h"
#include "test/unit/test_eal.h"

enum {
	NPORT = 2,
	PO = 0, PI = 1,			/* outside, inside */
	RX_RING = 1024,
	TXQ_RING = 64,			/* holds TXQ_CAP frames */
	TXQ_CAP = TXQ_RING - 1,
	OK_RING = 1024,
	ETH = 14, V4 = 20,
	ILEN = 120,			/* IPv4 packet length of every frame */
	N_FWD = 600,
	N_ESP = 400,
	N_CP = 300,			/* half plain, half protected */
	N_CPTX_OVER = 150,		/* beyond the CP TX ring's room */
	WAIT_MS = 20000,		/* a slow, shared machine */
};

static struct rte_ring *rxr[NPORT], *txr[NPORT];
static struct rte_mempool *pool;
static unsigned in_use0;		/* the pool's in-use count, nothing in flight */
static uint32_t h_in, h_out;

static const struct rte_ether_addr peer_mac = { { 0x02, 0, 0, 0, 0x10, 0x02 } };
static const struct rte_ether_addr host_mac = { { 0x02, 0, 0, 0, 0x20, 0x50 } };
static const uint8_t key[20] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa,
				 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01, 0xca, 0xfe, 0xba, 0xbe };

/* ---- helpers --------------------------------------------------------- */

/* The counters a case looks at, and the port's own view. */
struct snap {
	uint64_t c[DP_C_MAX];
	uint64_t opackets;
	uint64_t sa_pkts;
};

static void snap(struct snap *s)
{
	struct dp_lcore_stats sum;
	struct rte_eth_stats st;
	struct dp_sa_info info;

	dp_stats_sum(&sum);
	memcpy(s->c, sum.c, sizeof(s->c));
	memset(&st, 0, sizeof(st));
	CU_ASSERT_EQUAL(dp_port_stats(PO, &st), 0);
	s->opackets = st.opackets;
	s->sa_pkts = dp_sa_info(h_out, &info) == 0 ? info.pkts : 0;
}

static uint64_t delta(const struct snap *a, enum dp_counter c)
{
	return test_dp_counter(c) - a->c[c];
}

/* Wait until what left the worker's TX stage (sent + drop_tx_full) has
 * grown by want since s; true if it did.  Prints the time it took. */
static bool wait_tx(const struct snap *s, uint64_t want, const char *what)
{
	uint64_t t0 = test_dp_now_ms(), got = 0;

	while (test_dp_now_ms() - t0 <= WAIT_MS) {
		got = delta(s, DP_C_tx_pkts) + delta(s, DP_C_drop_tx_full);
		if (got >= want) {
			printf("\n    %s: %" PRIu64 " packets through the TX stage, %" PRIu64 " ms after the last was queued ",
			       what, got, test_dp_now_ms() - t0);
			/* anything more would be a miscount: give it a moment to show */
			rte_delay_us_sleep(50 * 1000);
			return true;
		}
		rte_delay_us_sleep(1000);
	}
	fprintf(stderr, "\n  %s: %" PRIu64 " of %" PRIu64 " through the TX stage after %d ms\n",
		what, got, want, (int)WAIT_MS);
	return false;
}

static void eth_hdr(uint8_t *b, const struct rte_ether_addr *dst, const struct rte_ether_addr *src)
{
	struct rte_ether_hdr *e = (struct rte_ether_hdr *)b;

	e->dst_addr = *dst;
	e->src_addr = *src;
	e->ether_type = htons(RTE_ETHER_TYPE_IPV4);
}

/* An IPv4/UDP packet of ILEN bytes at b. */
static void ip4_pkt(uint8_t *b, const char *src, const char *dst, uint16_t id)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)b;

	memset(b, 0, V4);
	ip->version_ihl = 0x45;
	ip->total_length = htons(ILEN);
	ip->packet_id = htons(id);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	inet_pton(AF_INET, src, &ip->src_addr);
	inet_pton(AF_INET, dst, &ip->dst_addr);
	for (unsigned i = V4; i < ILEN; i++)
		b[i] = (uint8_t)(i * 7);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

static struct rte_mbuf *frame(const struct rte_ether_addr *dst, const struct rte_ether_addr *src,
			      const char *ip_src, const char *ip_dst, uint16_t id)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *b;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	b = (uint8_t *)rte_pktmbuf_append(m, ETH + ILEN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	eth_hdr(b, dst, src);
	ip4_pkt(b + ETH, ip_src, ip_dst, id);
	return m;
}

/* n frames from the inside host to dst, into the inside port's RX ring
 * (the worker polls it), a ring's worth at a time. */
static void inject_inside(const char *dst, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct rte_mbuf *m = frame(&dp_iface_get(PI)->mac, &host_mac, "192.168.10.50", dst,
					   (uint16_t)i);

		while (rte_ring_enqueue(rxr[PI], m) != 0)
			rte_delay_us_sleep(1000);	/* the worker catches up */
	}
}

/*
 * What every case ends with: want packets went through the TX stage since
 * s, exactly; the TX ring holds what the worker sent, as the port counted
 * it; nothing was punted; the pool holds exactly the
 * frames the TX ring keeps beyond the baseline.
 */
static void assert_accounted(const struct snap *s, uint64_t want)
{
	struct snap e;
	unsigned held = rte_ring_count(txr[PO]), in_use;

	snap(&e);
	CU_ASSERT_EQUAL(e.c[DP_C_tx_pkts] - s->c[DP_C_tx_pkts] +
			e.c[DP_C_drop_tx_full] - s->c[DP_C_drop_tx_full], want);
	CU_ASSERT_EQUAL(e.c[DP_C_tx_pkts], held);	/* only the outside port ever sends */
	CU_ASSERT_EQUAL(e.opackets, held);
	CU_ASSERT_EQUAL(e.c[DP_C_punt_pkts], 0);
	CU_ASSERT_EQUAL(rte_ring_count(rxr[PO]) + rte_ring_count(rxr[PI]), 0);
	in_use = rte_mempool_in_use_count(pool);
	if (in_use != in_use0 + held)
		fprintf(stderr, "\n  pool: %u in use, want %u baseline + %u held by the TX ring\n",
			in_use, in_use0, held);
	CU_ASSERT_EQUAL(in_use, in_use0 + held);
	printf("[tx_pkts %" PRIu64 ", drop_tx_full %" PRIu64 ", drop_cptx_ring_full %" PRIu64
	       ", pool in use %u = %u + %u] ", e.c[DP_C_tx_pkts], e.c[DP_C_drop_tx_full],
	       e.c[DP_C_drop_cptx_ring_full], in_use, in_use0, held);
}

/* ---- set-up ---------------------------------------------------------- */

static int ports_create(void)
{
	/* rte_eth_from_rings() names the port "net_ring_" + name */
	static const char *const names[NPORT] = { "o", "i" };
	char rn[32];

	for (unsigned p = 0; p < NPORT; p++) {
		snprintf(rn, sizeof(rn), "tf_rx%u", p);
		rxr[p] = rte_ring_create(rn, RX_RING, 0, 0);
		snprintf(rn, sizeof(rn), "tf_tx%u", p);
		txr[p] = rte_ring_create(rn, p == PO ? TXQ_RING : OK_RING, 0, 0);
		if (rxr[p] == NULL || txr[p] == NULL) {
			fprintf(stderr, "cannot create ring %s\n", rn);
			return -1;
		}
		if (test_dp_ring_port(names[p], &rxr[p], &txr[p], 1, (uint8_t)(p + 1)) != 0)
			return -1;
	}
	return 0;
}

static struct gw_sa_desc sa_desc(bool in)
{
	struct gw_sa_desc d;

	memset(&d, 0, sizeof(d));
	snprintf(d.name, sizeof(d.name), "t1");
	d.tunnel = 1;
	d.spi = in ? 0x1001 : 0x2001;
	d.dir = in ? GW_SA_IN : GW_SA_OUT;
	d.alg = ESP_ALG_AES128GCM16;
	d.replay_window = 64;
	gw_addr_parse("10.10.0.1", &d.local);
	gw_addr_parse("10.10.0.2", &d.remote);
	memcpy(d.enc_key, key, sizeof(key));
	d.enc_key_len = sizeof(key);
	gw_prefix_parse("192.168.10.0/24", &d.local_ts[0]);
	d.n_local_ts = 1;
	gw_prefix_parse("172.16.1.0/24", &d.remote_ts[0]);
	d.n_remote_ts = 1;
	return d;
}

static int install(void)
{
	struct gw_sa_desc in = sa_desc(true), out = sa_desc(false);
	struct dp_spd_rule r;
	struct gw_addr a;
	int ret = dp_sa_install_pair(&in, &out, &h_in, &h_out);

	gw_sa_desc_wipe(&in);
	gw_sa_desc_wipe(&out);
	if (ret != 0)
		return -1;
	memset(&r, 0, sizeof(r));
	gw_prefix_parse("192.168.10.0/24", &r.local);
	gw_prefix_parse("172.16.1.0/24", &r.remote);
	r.action = DP_SPD_PROTECT;
	r.tunnel = 1;
	if (dp_spd_set(&r, 1) != 0)
		return -1;
	gw_addr_parse("10.10.0.2", &a);
	ret = dp_neigh_set(PO, &a, &peer_mac);
	gw_addr_parse("192.168.10.50", &a);
	ret |= dp_neigh_set(PI, &a, &host_mac);
	return ret;
}

static int suite_init(void)
{
	struct gw_cfg cfg;

	test_dp_cfg(&cfg, "net_ring_o", "net_ring_i");
	cfg.workers = 1;
	cfg.worker_idle_backoff = true;		/* a small, shared machine */
	if (dp_init(&cfg) != 0 || install() != 0)
		return -1;
	pool = dp_mbuf_pool();
	in_use0 = rte_mempool_in_use_count(pool);
	return dp_launch() == 0 ? 0 : -1;
}

static int suite_fini(void)
{
	dp_stop();
	dp_fini();
	return 0;
}

/* ---- cases ----------------------------------------------------------- */

/* Transit traffic: the ring fills, then every frame is refused and counted. */
static void test_forward(void)
{
	struct snap s;

	snap(&s);
	inject_inside("10.10.0.2", N_FWD);
	CU_ASSERT_FATAL(wait_tx(&s, N_FWD, "forwarded"));
	CU_ASSERT_EQUAL(delta(&s, DP_C_rx_pkts), N_FWD);
	CU_ASSERT_EQUAL(delta(&s, DP_C_fwd_pkts), N_FWD);
	CU_ASSERT_EQUAL(delta(&s, DP_C_tx_pkts), TXQ_CAP);
	CU_ASSERT_EQUAL(delta(&s, DP_C_drop_tx_full), N_FWD - TXQ_CAP);
	CU_ASSERT_EQUAL(rte_ring_count(txr[PO]), TXQ_CAP);
	assert_accounted(&s, N_FWD);
}

/* Protected traffic: encrypted by its SA, then refused by the full queue. */
static void test_esp(void)
{
	struct snap s;
	struct dp_sa_info info;

	snap(&s);
	inject_inside("172.16.1.5", N_ESP);
	CU_ASSERT_FATAL(wait_tx(&s, N_ESP, "encrypted"));
	CU_ASSERT_EQUAL(delta(&s, DP_C_rx_pkts), N_ESP);
	CU_ASSERT_EQUAL(delta(&s, DP_C_esp_out_pkts), N_ESP);
	CU_ASSERT_EQUAL(delta(&s, DP_C_drop_tx_full), N_ESP);
	CU_ASSERT_EQUAL(delta(&s, DP_C_tx_pkts), 0);
	CU_ASSERT(dp_sa_info(h_out, &info) == 0 && info.pkts - s.sa_pkts == N_ESP);
	assert_accounted(&s, N_ESP);
}

/* Frames of the control plane, plain and protected: all refused, counted. */
static void test_cp(void)
{
	struct snap s;
	unsigned refused = 0;

	snap(&s);
	for (unsigned i = 0; i < N_CP; i++) {
		/* odd: the gateway's own inside address to a protected network */
		struct rte_mbuf *m = i & 1 ? frame(&peer_mac, &dp_iface_get(PO)->mac, "192.168.10.1",
						   "172.16.1.9", (uint16_t)i)
					   : frame(&peer_mac, &dp_iface_get(PO)->mac, "10.10.0.1",
						   "10.10.0.2", (uint16_t)i);

		/* the worker drains the ring all the while: 300 fit anyway */
		refused += dp_cp_tx(PO, m) != 0;
	}
	CU_ASSERT_EQUAL(refused, 0);
	CU_ASSERT_FATAL(wait_tx(&s, N_CP, "control plane"));
	CU_ASSERT_EQUAL(delta(&s, DP_C_cptx_pkts), N_CP);
	CU_ASSERT_EQUAL(delta(&s, DP_C_esp_out_pkts), N_CP / 2);
	CU_ASSERT_EQUAL(delta(&s, DP_C_drop_tx_full), N_CP);
	CU_ASSERT_EQUAL(delta(&s, DP_C_drop_cptx_ring_full), 0);
	assert_accounted(&s, N_CP);
}

/* The CP TX ring full while its worker is away, then drained into a full queue. */
static void test_cptx_full(void)
{
	unsigned room = DP_CPTX_RING_SIZE - 1, n = room + N_CPTX_OVER, ok = 0, nobufs = 0;
	struct snap s;

	dp_stop();
	snap(&s);
	for (unsigned i = 0; i < n; i++) {
		int ret = dp_cp_tx(PO, frame(&peer_mac, &dp_iface_get(PO)->mac, "10.10.0.1",
					     "10.10.0.2", (uint16_t)i));

		ok += ret == 0;
		nobufs += ret == -ENOBUFS;
	}
	CU_ASSERT_EQUAL(ok, room);
	CU_ASSERT_EQUAL(nobufs, N_CPTX_OVER);
	CU_ASSERT_EQUAL(delta(&s, DP_C_drop_cptx_ring_full), N_CPTX_OVER);
	/* the refused frames are freed at once: only the ring's are in use */
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), in_use0 + TXQ_CAP + room);
	CU_ASSERT_EQUAL_FATAL(dp_launch(), 0);
	CU_ASSERT_FATAL(wait_tx(&s, room, "CP TX ring drained"));
	CU_ASSERT_EQUAL(delta(&s, DP_C_cptx_pkts), room);
	CU_ASSERT_EQUAL(delta(&s, DP_C_drop_tx_full), room);
	assert_accounted(&s, room);
}

/* Workers stopped, the TX ring drained: the pool is back at its baseline. */
static void test_no_leak(void)
{
	struct rte_mbuf *m;
	unsigned drained = 0;

	dp_stop();
	while (rte_ring_dequeue(txr[PO], (void **)&m) == 0) {
		rte_pktmbuf_free(m);
		drained++;
	}
	CU_ASSERT_EQUAL(drained, TXQ_CAP);
	CU_ASSERT_EQUAL(rte_ring_count(txr[PI]), 0);
	CU_ASSERT_EQUAL(dp_cptx_drain(PO, &m, 1), 0);
	CU_ASSERT_EQUAL(dp_punt_dequeue(&m, 1), 0);
	printf("\n    pool: %u in use, baseline %u ", rte_mempool_in_use_count(pool), in_use0);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), in_use0);
	test_dp_no_mbuf_leak();
}

int main(void)
{
	static const char *const eal[] = { "--lcores=(0-1)@(0-1)" };	/* 2 CPUs here */
	static const struct test_dp_case cases[] = {
		{ "forwarded: the ring fills, the rest drop_tx_full", test_forward },
		{ "encrypted, then drop_tx_full", test_esp },
		{ "control-plane frames, plain and protected", test_cp },
		{ "CP TX ring full: drop_cptx_ring_full, then drained", test_cptx_full },
		{ "every mbuf back in the pool", test_no_leak },
	};

	if (test_dp_begin("tx_full", RTE_DIM(eal), eal) != 0 || ports_create() != 0)
		return 1;
	test_dp_suite("tx full", suite_init, suite_fini, cases, RTE_DIM(cases));
	return test_dp_end();
}
