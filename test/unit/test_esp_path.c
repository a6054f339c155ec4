/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ESP path through the REAL worker loop: two workers launched with
 * dp_launch() on extra lcores, three ports made with rte_eth_from_rings()
 * whose RX and TX rings this test feeds and drains.  SAs are installed
 * with dp_sa_install_pair() and policies with dp_spd_set(); the peer's ESP
 * is made here, by hand, with esp_crypto_run() on the peer's keys (so that
 * padding, next header and selectors can be wrong on purpose), and what
 * the gateway sends is decrypted here the same way.
 *
 *   outside  port o, 10.10.0.1/24, peer gateway 10.10.0.2
 *   inside   port i, 192.168.10.1/24, host 192.168.10.50
 *   dead     port d, 10.30.0.1/24 + 2001:db8:30::1/64, MTU lowered to 600,
 *            TX rings full
 *
 * Tunnels (pair owner: esp_sa.c's round robin, read back from dp_sa_info):
 *   1  A  10.10.0.2, 192.168.10.0/24 <-> 172.16.1.0/24
 *   2  B  10.10.0.2, 192.168.10.0/24 <-> 172.16.2.0/24  (the other worker)
 *   3  C  2001:db8:30::2 (dead port), <-> 172.16.3.0/24
 *   4  D  10.99.0.2 (no route), <-> 172.16.4.0/24
 *   5  E  10.10.0.2, <-> 172.16.5.0/24, IN hard lifetime 1 packet
 *   6     no SA: 192.168.10.0/24 <-> 172.16.6.0/24, on demand (acquires)
 *   DISCARD 192.168.10.0/24 -> 172.16.9.0/24
 * and, for the control plane's own frames (dp_cp_tx), two more PROTECT
 * rules on A: 10.10.0.0/24 <-> 10.10.0.2/32 (the peer itself: ESP and IKE
 * from us must still leave as they are) and 2001:db8:30::1/128 <->
 * 2001:db8:99::/64 (IPv6 inner over A's IPv4 outer).
 *
 * Every drop reason of DP_DROPS is provoked, and seen in its counter:
 *   drop_no_sa_in          unknown SPI; SPI of a retired SA
 *   drop_protect_no_sa     protected traffic after its SAs were retired,
 *                          from the inside and from the control plane;
 *                          tunnel 6 (on demand: one acquire per burst)
 *   drop_cleartext_protected  cleartext from 172.16.1.0/24 on the outside
 *   drop_policy_discard    to 172.16.9.0/24, transit and control plane
 *   drop_replay            the same ESP packet twice
 *   drop_icv               one ciphertext bit flipped
 *   drop_bad_padding       padding bytes not 1, 2, 3...; next header 59
 *   drop_ts_mismatch       inner source outside the SA's selectors
 *   drop_lifetime          the second packet of E's inbound SA
 *   drop_seq_overflow      E's outbound sequence set to 2^32 - 1
 *   drop_malformed         ESP with SPI 5 (classification)
 *   drop_tx_full           cleartext to the dead port
 *   drop_no_route          tunnel D
 *   drop_no_neighbor       the peer's neighbour removed (the packet is
 *                          punted NEIGH_MISS to wait for resolution) and
 *                          the punt ring full: nowhere to wait
 *   drop_frag              tunnel C: IPv6 outer over an MTU of 600 < 1280
 *   drop_ecn               outer CE over a Not-ECT inner packet (RFC 6040)
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "common/gw_proto.h"
#include "common/gw_sa.h"
#include "dataplane/dp.h"
#include "dataplane/dp_internal.h"
#include "dataplane/dp_neigh.h"
#include "dataplane/dp_sa.h"
#include "dataplane/dp_spd.h"
#include "dataplane/dp_stats.h"
#include "dataplane/esp.h"
#include "dataplane/esp_crypto.h"
#include "dataplane/esp_sa.h"
#include "test/unit/test_dp.h"
#include "test/unit/test_eal.h"

enum {
	NW = 2,				/* workers */
	NPORT = 3,
	RING_SZ = 1024,
	ETH = 14, V4 = 20, V6 = 40,
	GCM_ICV = 16, GCM_IV = 8,
	WAIT_MS = 3000,
	QUIET_MS = 200,
	BUF = 2048,
};

static struct rte_ring *rxr[NPORT][NW], *txr[NPORT][NW];
static struct rte_mempool *test_pool;
static struct esp_crypto_wk *test_cw;

static const struct rte_ether_addr peer_mac = { { 0x02, 0, 0, 0, 0x10, 0x02 } };
static const struct rte_ether_addr host_mac = { { 0x02, 0, 0, 0, 0x20, 0x50 } };
static const struct rte_ether_addr dead_mac = { { 0x02, 0, 0, 0, 0x30, 0x02 } };

/* Keys: ours are KEY_IN (decrypt) / KEY_OUT (encrypt) for every pair. */
static const uint8_t key_in[20] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa,
				    0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01, 0xca, 0xfe, 0xba, 0xbe };
static const uint8_t key_out[20] = { 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07, 0x18, 0x29, 0x3a,
				     0x4b, 0x5c, 0x6d, 0x7e, 0x8f, 0x90, 0xde, 0xad, 0xbe, 0xef };
static struct esp_keys *k_peer_out;	/* the peer encrypts with our key_in */
static struct esp_keys *k_peer_in;	/* and decrypts with our key_out */

struct pair {
	uint32_t tunnel, spi_in, spi_out;
	const char *remote, *local, *remote_ts;
	uint64_t life_in_pkts;
	uint32_t h_in, h_out;
	unsigned owner;
};

static struct pair pairs[] = {
	{ 1, 0x1001, 0x2001, "10.10.0.2", "10.10.0.1", "172.16.1.0/24", 0, 0, 0, 0 },
	{ 2, 0x1002, 0x2002, "10.10.0.2", "10.10.0.1", "172.16.2.0/24", 0, 0, 0, 0 },
	{ 3, 0x1003, 0x2003, "2001:db8:30::2", "2001:db8:30::1", "172.16.3.0/24", 0, 0, 0, 0 },
	{ 4, 0x1004, 0x2004, "10.99.0.2", "10.10.0.1", "172.16.4.0/24", 0, 0, 0, 0 },
	{ 5, 0x1005, 0x2005, "10.10.0.2", "10.10.0.1", "172.16.5.0/24", 1, 0, 0, 0 },
};
enum { PA, PB, PC, PD, PE };

static struct dp_lcore_stats base;

/* ---- helpers --------------------------------------------------------- */

/* Wait until counter c reaches want; true if it did. */
static bool wait_counter(enum dp_counter c, uint64_t want)
{
	uint64_t t0 = test_dp_now_ms();

	while (test_dp_counter(c) < want) {
		if (test_dp_now_ms() - t0 > WAIT_MS) {
			fprintf(stderr, "\n  %s: %" PRIu64 ", want %" PRIu64 "\n",
				dp_counter_name(c), test_dp_counter(c), want);
			return false;
		}
		rte_delay_us_sleep(1000);
	}
	return true;
}

/* Inject frame into port p's RX queue q (the worker q polls it). */
static void inject(unsigned p, unsigned q, struct rte_mbuf *m)
{
	if (rte_ring_enqueue(rxr[p][q], m) != 0) {
		CU_FAIL("RX ring full");
		rte_pktmbuf_free(m);
	}
}

/* Up to max frames sent on port p (any worker's queue), waiting up to
 * WAIT_MS for want of them (want 0: QUIET_MS, to see that none come). */
static unsigned collect(unsigned p, struct rte_mbuf **out, unsigned max, unsigned want,
			unsigned *queue)
{
	uint64_t t0 = test_dp_now_ms();
	unsigned n = 0;

	for (;;) {
		for (unsigned q = 0; q < NW && n < max; q++) {
			unsigned k = rte_ring_dequeue_burst(txr[p][q], (void **)&out[n], max - n, NULL);

			for (unsigned i = 0; i < k && queue != NULL; i++)
				queue[n + i] = q;
			n += k;
		}
		if ((want != 0 && n >= want) || test_dp_now_ms() - t0 > (want ? WAIT_MS : QUIET_MS))
			return n;
		rte_delay_us_sleep(1000);
	}
}

/* Nothing at all left any port. */
static void assert_silent(void)
{
	struct rte_mbuf *m[8];

	for (unsigned p = 0; p < 2; p++) {
		unsigned n = collect(p, m, RTE_DIM(m), 0, NULL);

		CU_ASSERT_EQUAL(n, 0);
		rte_pktmbuf_free_bulk(m, n);
	}
}

static void eth_hdr(uint8_t *b, unsigned port, uint16_t type)
{
	struct rte_ether_hdr *e = (struct rte_ether_hdr *)b;

	e->dst_addr = dp_iface_get(port)->mac;
	e->src_addr = peer_mac;
	e->ether_type = htons(type);
}

/* An IPv4 packet (ilen bytes in all) at b. */
static void ip4_pkt(uint8_t *b, const char *src, const char *dst, unsigned ilen, bool df,
		    uint8_t ttl)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)b;

	memset(b, 0, V4);
	ip->version_ihl = 0x45;
	ip->total_length = htons((uint16_t)ilen);
	ip->packet_id = htons(0x4242);
	ip->fragment_offset = df ? htons(RTE_IPV4_HDR_DF_FLAG) : 0;
	ip->time_to_live = ttl;
	ip->next_proto_id = IPPROTO_UDP;
	inet_pton(AF_INET, src, &ip->src_addr);
	inet_pton(AF_INET, dst, &ip->dst_addr);
	for (unsigned i = V4; i < ilen; i++)
		b[i] = (uint8_t)(i * 7);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

static struct rte_mbuf *mbuf_of(const uint8_t *b, unsigned len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(test_pool);

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), b, len);
	return m;
}

/* A cleartext frame on port p: src -> dst, ilen bytes of IPv4. */
static struct rte_mbuf *clear_frame(unsigned p, const char *src, const char *dst, unsigned ilen,
				   bool df)
{
	uint8_t b[BUF];

	eth_hdr(b, p, RTE_ETHER_TYPE_IPV4);
	ip4_pkt(b + ETH, src, dst, ilen, df, 64);
	return mbuf_of(b, ETH + ilen);
}

/* What is wrong with a peer ESP packet, on purpose. */
enum esp_fault { F_NONE, F_ICV, F_PAD, F_NH59, F_CE };

/*
 * The peer's ESP (GCM, k_peer_out) to 10.10.0.1 from 10.10.0.2 carrying
 * inner (ilen bytes): frame for the outside port.
 */
static struct rte_mbuf *peer_esp(uint32_t spi, uint32_t seq, const uint8_t *inner, unsigned ilen,
				 enum esp_fault fault)
{
	uint8_t b[BUF], *esp = b + ETH + V4;
	unsigned padlen = (4 - (ilen + 2) % 4) % 4, clen, tot;
	struct esp_crypto_op op = { 0 };
	struct esp_crypto_done done;
	uint32_t v;

	if (fault == F_PAD && padlen == 0)
		padlen = 4;
	clen = ilen + padlen + 2;
	tot = V4 + 8 + GCM_IV + clen + GCM_ICV;
	eth_hdr(b, 0, RTE_ETHER_TYPE_IPV4);
	ip4_pkt(b + ETH, "10.10.0.2", "10.10.0.1", V4, false, 64);
	((struct rte_ipv4_hdr *)(b + ETH))->next_proto_id = GW_IPPROTO_ESP;
	if (fault == F_CE)
		((struct rte_ipv4_hdr *)(b + ETH))->type_of_service = 3;	/* ECN CE */
	((struct rte_ipv4_hdr *)(b + ETH))->total_length = htons((uint16_t)tot);
	((struct rte_ipv4_hdr *)(b + ETH))->hdr_checksum = 0;
	((struct rte_ipv4_hdr *)(b + ETH))->hdr_checksum =
		rte_ipv4_cksum((struct rte_ipv4_hdr *)(b + ETH));
	v = htonl(spi);
	memcpy(esp, &v, 4);
	v = htonl(seq);
	memcpy(esp + 4, &v, 4);
	memset(esp + 8, 0, 4);
	memcpy(esp + 12, &v, 4);		/* explicit IV: the sequence number */
	memcpy(esp + 16, inner, ilen);
	for (unsigned i = 0; i < padlen; i++)
		esp[16 + ilen + i] = fault == F_PAD ? 0xaa : (uint8_t)(i + 1);
	esp[16 + ilen + padlen] = (uint8_t)padlen;
	esp[16 + ilen + padlen + 1] = fault == F_NH59 ? 59 : 4;
	op.keys = k_peer_out;
	op.buf = esp;
	op.iv = esp + 8;
	op.aad = esp;
	op.aad_len = 8;
	op.cipher_off = 16;
	op.cipher_len = clen;
	op.icv = esp + 16 + clen;
	op.dir = ESP_DIR_OUT;
	CU_ASSERT_EQUAL_FATAL(esp_crypto_run(test_cw, &op, 1, &done), 1);
	CU_ASSERT_EQUAL_FATAL(done.status, 0);
	if (fault == F_ICV)
		esp[20] ^= 0x01;
	return mbuf_of(b, ETH + tot);
}

/*
 * Decrypt an ESP packet the gateway sent (IPv4 outer, GCM, k_peer_in) in
 * place: 0 and *inner / *ilen (without padding) or -1.
 */
static int gw_esp_open(struct rte_mbuf *m, uint32_t *spi, uint8_t **inner, unsigned *ilen)
{
	uint8_t *b = rte_pktmbuf_mtod(m, uint8_t *), *esp = b + ETH + V4;
	unsigned len = rte_pktmbuf_data_len(m), clen;
	struct esp_crypto_op op = { 0 };
	struct esp_crypto_done done;
	uint32_t v;

	if (len < ETH + V4 + 16 + GCM_ICV + 2)
		return -1;
	clen = len - (ETH + V4 + 16 + GCM_ICV);
	memcpy(&v, esp, 4);
	*spi = ntohl(v);
	op.keys = k_peer_in;
	op.buf = esp;
	op.iv = esp + 8;
	op.aad = esp;
	op.aad_len = 8;
	op.cipher_off = 16;
	op.cipher_len = clen;
	op.icv = esp + 16 + clen;
	op.dir = ESP_DIR_IN;
	if (esp_crypto_run(test_cw, &op, 1, &done) != 1 || done.status != 0)
		return -1;
	*inner = esp + 16;
	*ilen = clen - 2 - esp[16 + clen - 2];
	return 0;
}

/* ---- frames of the control plane -------------------------------------- */

/* Change what ip4_pkt() made at b: protocol, UDP ports (when sport != 0),
 * the flags and fragment offset field; the checksum again. */
static void ip4_set(uint8_t *b, uint8_t proto, uint16_t sport, uint16_t dport, uint16_t frag)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)b;
	uint16_t ports[2] = { htons(sport), htons(dport) };

	ip->next_proto_id = proto;
	ip->fragment_offset = htons(frag);
	if (sport != 0)
		memcpy(b + V4, ports, sizeof(ports));
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/*
 * An IPv6 packet at b with plen bytes of payload (>= 16): proto, behind a
 * fragment header of offset frag8 (8-byte units) when frag8 != 0, with
 * UDP ports when sport != 0.  Returns its length.
 */
static unsigned ip6_pkt(uint8_t *b, const char *src, const char *dst, uint8_t proto,
			uint16_t sport, uint16_t dport, uint16_t frag8, unsigned plen)
{
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)b;
	uint16_t ports[2] = { htons(sport), htons(dport) }, fo = htons((uint16_t)(frag8 << 3));
	uint8_t *l4 = b + V6;

	memset(b, 0, V6);
	ip->vtc_flow = htonl(UINT32_C(6) << 28);
	ip->payload_len = htons((uint16_t)plen);
	ip->proto = proto;
	ip->hop_limits = 64;
	inet_pton(AF_INET6, src, ip->src_addr);
	inet_pton(AF_INET6, dst, ip->dst_addr);
	for (unsigned i = 0; i < plen; i++)
		l4[i] = (uint8_t)(i * 5);
	if (frag8 != 0) {
		ip->proto = IPPROTO_FRAGMENT;
		l4[0] = proto;
		l4[1] = 0;
		memcpy(l4 + 2, &fo, sizeof(fo));
		l4 += sizeof(struct rte_ipv6_fragment_ext);
	}
	if (sport != 0)
		memcpy(l4, ports, sizeof(ports));
	return V6 + plen;
}

/* What the control plane hands dp_cp_tx() for port 0: ip (len bytes)
 * behind an Ethernet header to the peer. */
static struct rte_mbuf *cp_frame(const uint8_t *ip, unsigned len, bool v6)
{
	uint8_t b[BUF];
	struct rte_ether_hdr *e = (struct rte_ether_hdr *)b;

	e->dst_addr = peer_mac;
	e->src_addr = dp_iface_get(0)->mac;
	e->ether_type = htons(v6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
	memcpy(b + ETH, ip, len);
	return mbuf_of(b, ETH + len);
}

/* Queue ip with dp_cp_tx() on port 0: the one frame that leaves it, or
 * NULL (a failure) when not exactly one does. */
static struct rte_mbuf *cp_send(const uint8_t *ip, unsigned len, bool v6)
{
	struct rte_mbuf *o[4];
	unsigned n;

	CU_ASSERT_EQUAL(dp_cp_tx(0, cp_frame(ip, len, v6)), 0);
	n = collect(0, o, RTE_DIM(o), 1, NULL);
	if (n == 1)
		return o[0];
	CU_FAIL("not exactly one frame left");
	rte_pktmbuf_free_bulk(o, n);
	return NULL;
}

/* ip given to dp_cp_tx() leaves as A's ESP, carrying ip unchanged. */
static void cp_expect_esp(const uint8_t *ip, unsigned len, bool v6)
{
	struct rte_mbuf *m = cp_send(ip, len, v6);
	uint8_t *inner;
	unsigned ilen;
	uint32_t spi;

	if (m == NULL)
		return;
	CU_ASSERT_EQUAL(rte_pktmbuf_mtod(m, uint8_t *)[ETH + 9], GW_IPPROTO_ESP);
	CU_ASSERT_EQUAL(gw_esp_open(m, &spi, &inner, &ilen), 0);
	CU_ASSERT_EQUAL(spi, pairs[PA].spi_out);
	CU_ASSERT(ilen == len && memcmp(inner, ip, len) == 0);
	rte_pktmbuf_free(m);
}

/* ip given to dp_cp_tx() leaves port 0 as it was given. */
static void cp_expect_clear(const uint8_t *ip, unsigned len, bool v6)
{
	struct rte_mbuf *m = cp_send(ip, len, v6);

	if (m == NULL)
		return;
	CU_ASSERT(rte_pktmbuf_pkt_len(m) == ETH + len &&
		  memcmp(rte_pktmbuf_mtod_offset(m, uint8_t *, ETH), ip, len) == 0);
	rte_pktmbuf_free(m);
}

/* ---- set-up ---------------------------------------------------------- */

static int ports_create(void)
{
	/* rte_eth_from_rings() names the port "net_ring_" + name */
	static const char *const names[NPORT] = { "o", "i", "d" };
	char rn[32];

	for (unsigned p = 0; p < NPORT; p++) {
		for (unsigned q = 0; q < NW; q++) {
			snprintf(rn, sizeof(rn), "t_rx%u_%u", p, q);
			rxr[p][q] = rte_ring_create(rn, RING_SZ, 0, 0);
			snprintf(rn, sizeof(rn), "t_tx%u_%u", p, q);
			/* the dead port's TX rings hold one frame, which they hold */
			txr[p][q] = rte_ring_create(rn, p == 2 ? 2 : RING_SZ, 0, 0);
			if (rxr[p][q] == NULL || txr[p][q] == NULL) {
				fprintf(stderr, "cannot create ring %s\n", rn);
				return -1;
			}
		}
		if (test_dp_ring_port(names[p], rxr[p], txr[p], NW, (uint8_t)(p + 1)) != 0)
			return -1;
	}
	return 0;
}

static struct gw_sa_desc sa_desc(const struct pair *p, bool in)
{
	struct gw_sa_desc d;

	memset(&d, 0, sizeof(d));
	snprintf(d.name, sizeof(d.name), "t%u", p->tunnel);
	d.tunnel = p->tunnel;
	d.spi = in ? p->spi_in : p->spi_out;
	d.dir = in ? GW_SA_IN : GW_SA_OUT;
	d.alg = ESP_ALG_AES128GCM16;
	d.replay_window = 64;
	gw_addr_parse(p->local, &d.local);
	gw_addr_parse(p->remote, &d.remote);
	memcpy(d.enc_key, in ? key_in : key_out, sizeof(key_in));
	d.enc_key_len = sizeof(key_in);
	d.life_hard_pkts = in ? p->life_in_pkts : 0;
	gw_prefix_parse("192.168.10.0/24", &d.local_ts[0]);
	d.n_local_ts = 1;
	gw_prefix_parse(p->remote_ts, &d.remote_ts[0]);
	d.n_remote_ts = 1;
	return d;
}

static int install_all(void)
{
	static const struct {
		const char *local, *remote;
		uint32_t tunnel;
		bool on_demand;
	} extra[] = {
		{ "192.168.10.0/24", "172.16.6.0/24", 6, true },
		{ "10.10.0.0/24", "10.10.0.2/32", 1, false },
		{ "2001:db8:30::1/128", "2001:db8:99::/64", 1, false },
	};
	struct dp_spd_rule r[RTE_DIM(pairs) + RTE_DIM(extra) + 1];
	unsigned n = 0;

	for (unsigned i = 0; i < RTE_DIM(pairs); i++) {
		struct pair *p = &pairs[i];
		struct gw_sa_desc in = sa_desc(p, true), out = sa_desc(p, false);
		struct dp_sa_info info;
		int ret = dp_sa_install_pair(&in, &out, &p->h_in, &p->h_out);

		gw_sa_desc_wipe(&in);
		gw_sa_desc_wipe(&out);
		if (ret != 0 || dp_sa_info(p->h_in, &info) != 0) {
			fprintf(stderr, "install pair %u: %d\n", p->tunnel, ret);
			return -1;
		}
		p->owner = info.owner;
		memset(&r[n], 0, sizeof(r[n]));
		gw_prefix_parse("192.168.10.0/24", &r[n].local);
		gw_prefix_parse(p->remote_ts, &r[n].remote);
		r[n].action = DP_SPD_PROTECT;
		r[n++].tunnel = p->tunnel;
	}
	for (unsigned i = 0; i < RTE_DIM(extra); i++) {
		memset(&r[n], 0, sizeof(r[n]));
		gw_prefix_parse(extra[i].local, &r[n].local);
		gw_prefix_parse(extra[i].remote, &r[n].remote);
		r[n].action = DP_SPD_PROTECT;
		r[n].on_demand = extra[i].on_demand;
		r[n++].tunnel = extra[i].tunnel;
	}
	memset(&r[n], 0, sizeof(r[n]));
	gw_prefix_parse("192.168.10.0/24", &r[n].local);
	gw_prefix_parse("172.16.9.0/24", &r[n].remote);
	r[n++].action = DP_SPD_DISCARD;
	if (dp_spd_set(r, n) != 0) {
		fprintf(stderr, "dp_spd_set failed\n");
		return -1;
	}
	return 0;
}

static int neighbours(void)
{
	struct gw_addr a;
	int ret = 0;

	gw_addr_parse("10.10.0.2", &a);
	ret |= dp_neigh_set(0, &a, &peer_mac);
	gw_addr_parse("192.168.10.50", &a);
	ret |= dp_neigh_set(1, &a, &host_mac);
	gw_addr_parse("10.30.0.2", &a);
	ret |= dp_neigh_set(2, &a, &dead_mac);
	gw_addr_parse("2001:db8:30::2", &a);
	ret |= dp_neigh_set(2, &a, &dead_mac);
	return ret;
}

static int keys_init(void)
{
	IMB_MGR *mgr;

	test_cw = esp_crypto_wk_create(SOCKET_ID_ANY);
	k_peer_out = rte_zmalloc("k_peer_out", sizeof(*k_peer_out), RTE_CACHE_LINE_SIZE);
	k_peer_in = rte_zmalloc("k_peer_in", sizeof(*k_peer_in), RTE_CACHE_LINE_SIZE);
	if (test_cw == NULL || k_peer_out == NULL || k_peer_in == NULL)
		return -1;
	mgr = esp_crypto_wk_mgr(test_cw);
	if (esp_keys_init(k_peer_out, mgr, ESP_ALG_AES128GCM16, key_in, sizeof(key_in), NULL, 0) ||
	    esp_keys_init(k_peer_in, mgr, ESP_ALG_AES128GCM16, key_out, sizeof(key_out), NULL, 0))
		return -1;
	return 0;
}

static int suite_init(void)
{
	struct gw_cfg cfg;
	struct rte_mbuf *plug;

	test_dp_cfg(&cfg, "net_ring_o", "net_ring_i");
	cfg.workers = NW;
	cfg.worker_idle_backoff = true;	/* three threads on a small machine */
	cfg.n_ifaces = 3;
	test_dp_iface(&cfg.ifaces[2], "dead", "net_ring_d", "10.30.0.1/24", "2001:db8:30::1/64");
	if (dp_init(&cfg) != 0)
		return -1;
	/* net_ring has no MTU setting: lower the data plane's copy. */
	dp_g.ifaces[2].mtu = 600;
	test_pool = dp_mbuf_pool();
	for (unsigned q = 0; q < NW; q++) {
		plug = rte_pktmbuf_alloc(test_pool);
		if (plug == NULL || rte_ring_enqueue(txr[2][q], plug) != 0)
			return -1;
	}
	if (keys_init() != 0 || neighbours() != 0 || install_all() != 0)
		return -1;
	dp_stats_sum(&base);
	return dp_launch() == 0 ? 0 : -1;
}

static void ring_drain(struct rte_ring *r)
{
	struct rte_mbuf *m;

	while (rte_ring_dequeue(r, (void **)&m) == 0)
		rte_pktmbuf_free(m);
}

/* Workers stopped, every ring emptied: not one mbuf left in use. */
static void test_no_leak(void)
{
	struct rte_mbuf *m[32];
	unsigned n;

	dp_stop();
	for (unsigned p = 0; p < NPORT; p++)
		for (unsigned q = 0; q < NW; q++) {
			ring_drain(rxr[p][q]);
			ring_drain(txr[p][q]);
		}
	while ((n = dp_punt_dequeue(m, RTE_DIM(m))) != 0)
		rte_pktmbuf_free_bulk(m, n);
	test_dp_no_mbuf_leak();
}

static int suite_fini(void)
{
	dp_stop();
	esp_crypto_wk_free(test_cw);
	rte_free(k_peer_out);
	rte_free(k_peer_in);
	dp_fini();
	return 0;
}

/* ---- cases ----------------------------------------------------------- */

/* Protected traffic from the inside leaves as ESP of A, inner intact. */
static void test_protect_out(void)
{
	const struct pair *p = &pairs[PA];
	uint64_t out0 = test_dp_counter(DP_C_esp_out_pkts);
	struct rte_mbuf *o[4];
	uint8_t sent[200], *inner, *b;
	unsigned n, ilen;
	uint32_t spi;

	ip4_pkt(sent, "192.168.10.50", "172.16.1.5", sizeof(sent), false, 64);
	inject(1, p->owner, clear_frame(1, "192.168.10.50", "172.16.1.5", sizeof(sent), false));
	n = collect(0, o, RTE_DIM(o), 1, NULL);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	b = rte_pktmbuf_mtod(o[0], uint8_t *);
	CU_ASSERT(memcmp(b, &peer_mac, 6) == 0);
	CU_ASSERT(memcmp(b + 6, &dp_iface_get(0)->mac, 6) == 0);
	CU_ASSERT_EQUAL(b[ETH + 9], GW_IPPROTO_ESP);
	CU_ASSERT_EQUAL(rte_ipv4_cksum((struct rte_ipv4_hdr *)(b + ETH)), 0);
	CU_ASSERT(memcmp(b + ETH + 12, (const uint8_t[]){ 10, 10, 0, 1, 10, 10, 0, 2 }, 8) == 0);
	CU_ASSERT_EQUAL(gw_esp_open(o[0], &spi, &inner, &ilen), 0);
	CU_ASSERT_EQUAL(spi, p->spi_out);
	CU_ASSERT_EQUAL(ilen, sizeof(sent));
	/* TTL 64 -> 63, checksum updated */
	sent[8] = 63;
	((struct rte_ipv4_hdr *)sent)->hdr_checksum = 0;
	((struct rte_ipv4_hdr *)sent)->hdr_checksum = rte_ipv4_cksum((struct rte_ipv4_hdr *)sent);
	CU_ASSERT(ilen == sizeof(sent) && memcmp(inner, sent, ilen) == 0);
	CU_ASSERT_EQUAL(test_dp_counter(DP_C_esp_out_pkts), out0 + 1);
	rte_pktmbuf_free_bulk(o, n);
}

/* The peer's ESP of A is decrypted and forwarded to the host. */
static void test_esp_in(void)
{
	const struct pair *p = &pairs[PA];
	uint64_t in0 = test_dp_counter(DP_C_esp_in_pkts);
	uint8_t inner[120], *b;
	struct rte_mbuf *o[4];
	unsigned n;

	ip4_pkt(inner, "172.16.1.5", "192.168.10.50", sizeof(inner), false, 64);
	inject(0, p->owner, peer_esp(p->spi_in, 1, inner, sizeof(inner), F_NONE));
	n = collect(1, o, RTE_DIM(o), 1, NULL);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	b = rte_pktmbuf_mtod(o[0], uint8_t *);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(o[0]), ETH + sizeof(inner));
	CU_ASSERT(memcmp(b, &host_mac, 6) == 0);
	CU_ASSERT_EQUAL(b[ETH + 8], 63);
	CU_ASSERT_EQUAL(rte_ipv4_cksum((struct rte_ipv4_hdr *)(b + ETH)), 0);
	CU_ASSERT(memcmp(b + ETH + V4, inner + V4, sizeof(inner) - V4) == 0);
	CU_ASSERT_EQUAL(test_dp_counter(DP_C_esp_in_pkts), in0 + 1);
	rte_pktmbuf_free_bulk(o, n);
}

/* Drops of the inbound transform and of classification, each counted. */
static void test_esp_in_drops(void)
{
	const struct pair *p = &pairs[PA];
	static const struct {
		enum dp_counter c;
		uint32_t spi, seq;
		const char *src;
		enum esp_fault fault;
	} t[] = {
		{ DP_C_drop_replay, 0x1001, 1, "172.16.1.5", F_NONE },	/* seq 1 came before */
		{ DP_C_drop_icv, 0x1001, 10, "172.16.1.5", F_ICV },
		{ DP_C_drop_bad_padding, 0x1001, 11, "172.16.1.5", F_PAD },
		{ DP_C_drop_bad_padding, 0x1001, 12, "172.16.1.5", F_NH59 },
		{ DP_C_drop_ts_mismatch, 0x1001, 13, "172.16.9.9", F_NONE },
		{ DP_C_drop_no_sa_in, 0x9999, 1, "172.16.1.5", F_NONE },
		{ DP_C_drop_malformed, 5, 1, "172.16.1.5", F_NONE },
		{ DP_C_drop_ecn, 0x1001, 14, "172.16.1.5", F_CE },	/* inner Not-ECT */
	};
	uint8_t inner[101];

	for (unsigned i = 0; i < RTE_DIM(t); i++) {
		uint64_t c0 = test_dp_counter(t[i].c);

		ip4_pkt(inner, t[i].src, "192.168.10.50", sizeof(inner), false, 64);
		inject(0, p->owner, peer_esp(t[i].spi, t[i].seq, inner, sizeof(inner), t[i].fault));
		CU_ASSERT(wait_counter(t[i].c, c0 + 1));
	}
	assert_silent();
}

/* The SPD's verdicts with the SAs in place: cleartext that should have
 * been encrypted, a discard policy. */
static void test_policy_drops(void)
{
	uint64_t c0 = test_dp_counter(DP_C_drop_cleartext_protected), d0 = test_dp_counter(DP_C_drop_policy_discard);

	inject(0, 0, clear_frame(0, "172.16.1.5", "192.168.10.50", 100, false));
	inject(1, 0, clear_frame(1, "192.168.10.50", "172.16.9.5", 100, false));
	CU_ASSERT(wait_counter(DP_C_drop_cleartext_protected, c0 + 1));
	CU_ASSERT(wait_counter(DP_C_drop_policy_discard, d0 + 1));
	assert_silent();
}

/* Too big once encrypted: with DF punted TOO_BIG carrying the MTU that
 * fits; without DF encrypted and sent in two fragments. */
static void test_mtu(void)
{
	const struct pair *p = &pairs[PA];
	struct esp_sa_rt *rt = esp_sa_get(p->h_out);
	struct rte_mbuf *o[4], *pm[4];
	uint64_t t0 = test_dp_now_ms();
	unsigned n, np = 0, total = 0;
	uint32_t mtu;

	CU_ASSERT_PTR_NOT_NULL_FATAL(rt);
	inject(1, p->owner, clear_frame(1, "192.168.10.50", "172.16.1.5", 1480, true));
	while (np == 0 && test_dp_now_ms() - t0 < WAIT_MS)
		np = dp_punt_dequeue(pm, RTE_DIM(pm));
	CU_ASSERT_EQUAL_FATAL(np, 1);
	CU_ASSERT_EQUAL(pm[0]->hash.usr, DP_PUNT_TOO_BIG);
	mtu = pm[0]->hash.fdir.hi;
	CU_ASSERT(mtu + esp_out_overhead(rt, mtu) <= 1500);
	CU_ASSERT(mtu + 1 + esp_out_overhead(rt, mtu + 1) > 1500);
	CU_ASSERT(mtu > 1400 && mtu < 1480);
	rte_pktmbuf_free_bulk(pm, np);

	inject(1, p->owner, clear_frame(1, "192.168.10.50", "172.16.1.5", 1480, false));
	n = collect(0, o, RTE_DIM(o), 2, NULL);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	for (unsigned i = 0; i < n; i++) {
		struct rte_ipv4_hdr ip;
		uint16_t fo;

		/* the header lies in the first segment */
		memcpy(&ip, rte_pktmbuf_mtod_offset(o[i], void *, ETH), V4);
		fo = ntohs(ip.fragment_offset);
		CU_ASSERT(rte_pktmbuf_pkt_len(o[i]) - ETH <= 1500);
		CU_ASSERT_EQUAL(ntohs(ip.total_length), rte_pktmbuf_pkt_len(o[i]) - ETH);
		CU_ASSERT_EQUAL(rte_ipv4_cksum(&ip), 0);
		CU_ASSERT_EQUAL(ip.next_proto_id, GW_IPPROTO_ESP);
		CU_ASSERT_EQUAL(!!(fo & RTE_IPV4_HDR_MF_FLAG), i == 0);
		CU_ASSERT_EQUAL((fo & RTE_IPV4_HDR_OFFSET_MASK) == 0, i == 0);
		total += ntohs(ip.total_length) - V4;
	}
	CU_ASSERT(total > 1480 + 8 + GCM_IV + GCM_ICV);
	rte_pktmbuf_free_bulk(o, n);
}

/* B belongs to the other worker: what arrives on this one is handed over
 * and leaves by the owner's TX queue. */
static void test_handoff(void)
{
	const struct pair *p = &pairs[PB];
	unsigned other = 1 - p->owner, q[4], n;
	uint64_t h0 = test_dp_counter(DP_C_esp_handoff_pkts);
	struct rte_mbuf *o[4];
	uint8_t inner[80], *ip;
	unsigned ilen;
	uint32_t spi;

	CU_ASSERT_NOT_EQUAL_FATAL(p->owner, pairs[PA].owner);
	inject(1, other, clear_frame(1, "192.168.10.50", "172.16.2.7", 100, false));
	n = collect(0, o, RTE_DIM(o), 1, q);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_EQUAL(q[0], p->owner);
	CU_ASSERT_EQUAL(gw_esp_open(o[0], &spi, &ip, &ilen), 0);
	CU_ASSERT_EQUAL(spi, p->spi_out);
	rte_pktmbuf_free_bulk(o, n);

	ip4_pkt(inner, "172.16.2.7", "192.168.10.50", sizeof(inner), false, 64);
	inject(0, other, peer_esp(p->spi_in, 1, inner, sizeof(inner), F_NONE));
	n = collect(1, o, RTE_DIM(o), 1, q);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_EQUAL(q[0], p->owner);
	CU_ASSERT(memcmp(rte_pktmbuf_mtod_offset(o[0], uint8_t *, ETH + V4), inner + V4,
			 sizeof(inner) - V4) == 0);
	rte_pktmbuf_free_bulk(o, n);
	CU_ASSERT_EQUAL(test_dp_counter(DP_C_esp_handoff_pkts), h0 + 2);
}

/* Outer routing and TX failures: no route, fragmentation, full TX ring. */
static void test_out_drops(void)
{
	uint64_t r0 = test_dp_counter(DP_C_drop_no_route), f0 = test_dp_counter(DP_C_drop_frag),
		 t0 = test_dp_counter(DP_C_drop_tx_full);

	inject(1, pairs[PD].owner, clear_frame(1, "192.168.10.50", "172.16.4.4", 100, false));
	CU_ASSERT(wait_counter(DP_C_drop_no_route, r0 + 1));
	inject(1, pairs[PC].owner, clear_frame(1, "192.168.10.50", "172.16.3.3", 1000, false));
	CU_ASSERT(wait_counter(DP_C_drop_frag, f0 + 1));
	inject(1, 0, clear_frame(1, "192.168.10.50", "10.30.0.2", 100, false));
	CU_ASSERT(wait_counter(DP_C_drop_tx_full, t0 + 1));
	assert_silent();
}

/* E: the inbound SA's hard lifetime of one packet; the outbound SA's
 * sequence space spent. */
static void test_lifetime_seq(void)
{
	const struct pair *p = &pairs[PE];
	uint64_t l0 = test_dp_counter(DP_C_drop_lifetime), s0 = test_dp_counter(DP_C_drop_seq_overflow);
	struct esp_sa_rt *rt = esp_sa_get(p->h_out);
	struct rte_mbuf *o[4];
	uint8_t inner[64];
	unsigned n;

	ip4_pkt(inner, "172.16.5.5", "192.168.10.50", sizeof(inner), false, 64);
	inject(0, p->owner, peer_esp(p->spi_in, 1, inner, sizeof(inner), F_NONE));
	n = collect(1, o, RTE_DIM(o), 1, NULL);
	CU_ASSERT_EQUAL(n, 1);
	rte_pktmbuf_free_bulk(o, n);
	inject(0, p->owner, peer_esp(p->spi_in, 2, inner, sizeof(inner), F_NONE));
	CU_ASSERT(wait_counter(DP_C_drop_lifetime, l0 + 1));

	/* Its owner is idle (nothing of E in flight): the last number. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(rt);
	__atomic_store_n(&rt->seq, (uint64_t)UINT32_MAX, __ATOMIC_RELEASE);
	inject(1, p->owner, clear_frame(1, "192.168.10.50", "172.16.5.5", 100, false));
	CU_ASSERT(wait_counter(DP_C_drop_seq_overflow, s0 + 1));
	assert_silent();
}

/* The peer's MAC unknown: the ESP packet waits for the control plane in
 * the punt ring of class other (NEIGH_MISS, ours); with that ring full it
 * is dropped. */
static void test_no_neighbor(void)
{
	const struct pair *p = &pairs[PA];
	uint64_t c0 = test_dp_counter(DP_C_drop_no_neighbor);
	struct rte_mbuf *pm[4], *fill;
	uint64_t t0 = test_dp_now_ms();
	struct gw_addr peer;
	unsigned np = 0;

	gw_addr_parse("10.10.0.2", &peer);
	CU_ASSERT_EQUAL_FATAL(dp_neigh_del(0, &peer), 0);
	inject(1, p->owner, clear_frame(1, "192.168.10.50", "172.16.1.5", 100, false));
	while (np == 0 && test_dp_now_ms() - t0 < WAIT_MS)
		np = dp_punt_dequeue(pm, RTE_DIM(pm));
	CU_ASSERT_EQUAL_FATAL(np, 1);
	CU_ASSERT_EQUAL(pm[0]->hash.usr, DP_PUNT_NEIGH_MISS);
	CU_ASSERT_EQUAL(pm[0]->hash.fdir.hi, DP_PUNT_ORIGINATED);
	CU_ASSERT_EQUAL(rte_pktmbuf_mtod_offset(pm[0], uint8_t *, ETH + 9)[0], GW_IPPROTO_ESP);
	rte_pktmbuf_free_bulk(pm, np);

	while ((fill = rte_pktmbuf_alloc(test_pool)) != NULL &&
	       rte_ring_enqueue(dp_g.punt[DP_PUNT_CLASS_OTHER], fill) == 0)
		;
	rte_pktmbuf_free(fill);
	inject(1, p->owner, clear_frame(1, "192.168.10.50", "172.16.1.5", 100, false));
	CU_ASSERT(wait_counter(DP_C_drop_no_neighbor, c0 + 1));
	ring_drain(dp_g.punt[DP_PUNT_CLASS_OTHER]);
	CU_ASSERT_EQUAL(dp_neigh_set(0, &peer, &peer_mac), 0);
	assert_silent();
}

/*
 * Frames of the control plane obey the SPD: an ICMP error toward a
 * protected remote host leaves as ESP with its TTL as made; ESP and IKE
 * from our own address to the peer leave as they are although a PROTECT
 * rule covers the peer (and other traffic to it, or IKE from another
 * address, is encrypted); DISCARD drops.  IPv4 and IPv6.
 */
static void test_cp_tx_policy(void)
{
	static const char *const us6 = "2001:db8:30::1", *const far6 = "2001:db8:99::5";
	uint64_t d0 = test_dp_counter(DP_C_drop_policy_discard);
	uint8_t ip[200];
	unsigned len;

	ip4_pkt(ip, "192.168.10.1", "172.16.1.5", 96, false, 64);
	ip4_set(ip, IPPROTO_ICMP, 0, 0, 0);
	cp_expect_esp(ip, 96, false);

	ip4_pkt(ip, "10.10.0.1", "10.10.0.2", 120, false, 64);
	ip4_set(ip, GW_IPPROTO_ESP, 0, 0, 0);
	cp_expect_clear(ip, 120, false);
	ip4_set(ip, IPPROTO_UDP, 500, 500, 0);
	cp_expect_clear(ip, 120, false);
	ip4_set(ip, IPPROTO_UDP, 4500, 4500, RTE_IPV4_HDR_DF_FLAG);
	cp_expect_clear(ip, 120, false);
	ip4_set(ip, IPPROTO_UDP, 0, 0, 185);		/* a later fragment */
	cp_expect_clear(ip, 120, false);
	ip4_set(ip, IPPROTO_UDP, 4501, 4501, 0);
	cp_expect_esp(ip, 120, false);
	ip4_set(ip, IPPROTO_ICMP, 0, 0, 0);
	cp_expect_esp(ip, 120, false);
	ip4_pkt(ip, "10.10.0.7", "10.10.0.2", 120, false, 64);
	ip4_set(ip, IPPROTO_UDP, 500, 500, 0);
	cp_expect_esp(ip, 120, false);

	len = ip6_pkt(ip, us6, far6, IPPROTO_ICMPV6, 0, 0, 0, 64);
	cp_expect_esp(ip, len, true);
	len = ip6_pkt(ip, us6, far6, IPPROTO_UDP, 4500, 4500, 0, 64);
	cp_expect_clear(ip, len, true);
	len = ip6_pkt(ip, us6, far6, GW_IPPROTO_ESP, 0, 0, 0, 64);
	cp_expect_clear(ip, len, true);
	len = ip6_pkt(ip, us6, far6, IPPROTO_UDP, 0, 0, 100, 64);	/* later fragment */
	cp_expect_clear(ip, len, true);
	len = ip6_pkt(ip, us6, far6, IPPROTO_UDP, 500, 500, 100, 64);	/* first one */
	cp_expect_clear(ip, len, true);
	len = ip6_pkt(ip, us6, far6, IPPROTO_UDP, 53, 53, 0, 64);
	cp_expect_esp(ip, len, true);

	ip4_pkt(ip, "192.168.10.1", "172.16.9.5", 60, false, 64);
	CU_ASSERT_EQUAL(dp_cp_tx(0, cp_frame(ip, 60, false)), 0);
	CU_ASSERT(wait_counter(DP_C_drop_policy_discard, d0 + 1));
	assert_silent();
}

/*
 * Tunnel 6 has an on-demand policy and no SA: a burst of 16 packets (one
 * RX burst, well within the rate limit's window) is dropped and raises
 * exactly one acquire, in the counter and in the events; after the window
 * the next packet, on the other worker, raises one more.
 */
static void test_acquire(void)
{
	enum { N = 16 };
	uint64_t a0 = test_dp_counter(DP_C_esp_acquire), d0 = test_dp_counter(DP_C_drop_protect_no_sa);
	unsigned gap_us = (unsigned)(esp_sa_tbl.acquire_gap_tsc * 1000000 / rte_get_tsc_hz());
	struct rte_mbuf *m[N];
	struct dp_sa_event ev[64];
	unsigned n, acq = 0;

	while (dp_sa_events_dequeue(ev, RTE_DIM(ev)) != 0)
		;
	for (unsigned i = 0; i < N; i++)
		m[i] = clear_frame(1, "192.168.10.50", "172.16.6.6", 100, false);
	CU_ASSERT_EQUAL_FATAL(rte_ring_enqueue_bulk(rxr[1][0], (void **)m, N, NULL), N);
	CU_ASSERT(wait_counter(DP_C_drop_protect_no_sa, d0 + N));
	CU_ASSERT_EQUAL(test_dp_counter(DP_C_esp_acquire), a0 + 1);
	n = dp_sa_events_dequeue(ev, RTE_DIM(ev));
	for (unsigned i = 0; i < n; i++)
		acq += ev[i].type == DP_SA_EV_ACQUIRE && ev[i].tunnel == 6 &&
		       ev[i].handle == DP_SA_INVALID;
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(acq, 1);

	rte_delay_us_sleep(gap_us + 20000);
	inject(1, 1, clear_frame(1, "192.168.10.50", "172.16.6.6", 100, false));
	CU_ASSERT(wait_counter(DP_C_drop_protect_no_sa, d0 + N + 1));
	CU_ASSERT_EQUAL(test_dp_counter(DP_C_esp_acquire), a0 + 2);
	n = dp_sa_events_dequeue(ev, RTE_DIM(ev));
	CU_ASSERT(n == 1 && ev[0].type == DP_SA_EV_ACQUIRE && ev[0].tunnel == 6);
	assert_silent();
}

/* The policy test: A's SAs retired, its traffic in either direction, and
 * the control plane's toward it, is dropped and counted, and not one
 * cleartext packet leaves. */
static void test_retired(void)
{
	const struct pair *p = &pairs[PA];
	uint64_t o0 = test_dp_counter(DP_C_drop_protect_no_sa), i0 = test_dp_counter(DP_C_drop_no_sa_in),
		 c0 = test_dp_counter(DP_C_drop_cleartext_protected);
	uint8_t inner[90];

	CU_ASSERT_EQUAL(dp_sa_retire(p->h_in), 0);
	CU_ASSERT_EQUAL(dp_sa_retire(p->h_out), 0);
	for (unsigned q = 0; q < NW; q++) {
		inject(1, q, clear_frame(1, "192.168.10.50", "172.16.1.5", 100, false));
		inject(1, q, clear_frame(1, "192.168.10.50", "172.16.1.5", 1480, true));
		ip4_pkt(inner, "172.16.1.5", "192.168.10.50", sizeof(inner), false, 64);
		inject(0, q, peer_esp(p->spi_in, 50 + q, inner, sizeof(inner), F_NONE));
		inject(0, q, clear_frame(0, "172.16.1.5", "192.168.10.50", 100, false));
	}
	/* and the control plane's ICMP error toward it */
	ip4_pkt(inner, "192.168.10.1", "172.16.1.5", sizeof(inner), false, 64);
	ip4_set(inner, IPPROTO_ICMP, 0, 0, 0);
	CU_ASSERT_EQUAL(dp_cp_tx(0, cp_frame(inner, sizeof(inner), false)), 0);
	CU_ASSERT(wait_counter(DP_C_drop_protect_no_sa, o0 + 2 * NW + 1));
	CU_ASSERT(wait_counter(DP_C_drop_no_sa_in, i0 + NW));
	CU_ASSERT(wait_counter(DP_C_drop_cleartext_protected, c0 + NW));
	assert_silent();
	for (unsigned i = 0; i < 5; i++)
		dp_reclaim();
}

/* Every reason of DP_DROPS went up during this suite. */
static void test_every_drop(void)
{
	struct dp_lcore_stats s;

	dp_stats_sum(&s);
#define X(n, d) \
	if (s.c[DP_C_##n] == base.c[DP_C_##n]) \
		fprintf(stderr, "\n  never counted: %s\n", #n); \
	CU_ASSERT(s.c[DP_C_##n] > base.c[DP_C_##n]);
	DP_DROPS(X)
#undef X
}

int main(void)
{
	static const char *const eal[] = { "--lcores=(0-2)@(0-1)" };	/* 2 CPUs here */
	static const struct test_dp_case cases[] = {
		{ "protected traffic leaves as ESP", test_protect_out },
		{ "the peer's ESP is decrypted and forwarded", test_esp_in },
		{ "inbound ESP drops", test_esp_in_drops },
		{ "cleartext protected, discard policy", test_policy_drops },
		{ "MTU: DF punted with the MTU, else fragments", test_mtu },
		{ "handoff to the SA's owner", test_handoff },
		{ "no route, fragmentation failure, TX full", test_out_drops },
		{ "hard lifetime, sequence overflow", test_lifetime_seq },
		{ "unresolved peer: punted, or dropped", test_no_neighbor },
		{ "control-plane frames obey the policy", test_cp_tx_policy },
		{ "on demand: one acquire per window", test_acquire },
		{ "policy: retired SAs leak nothing", test_retired },
		{ "every drop reason counted", test_every_drop },
		{ "every mbuf freed", test_no_leak },
	};

	if (test_dp_begin("esp_path", RTE_DIM(eal), eal) != 0 || ports_create() != 0)
		return 1;
	test_dp_suite("esp path", suite_init, suite_fini, cases, RTE_DIM(cases));
	return test_dp_end();
}
