/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Classification of frames built here byte by byte: every punt reason,
 * forwarding (TTL / hop limit, RFC 1624 checksum update checked against a
 * full recomputation, MAC rewrite, padding trimmed), the header checksum
 * check against rte_ipv4_cksum(), forwarding through the gateway's cached
 * neighbour slot as the neighbour and the route change, and every drop
 * counter reachable from the wire.  Every frame goes through dp_classify()
 * and, between two forwarded frames, through dp_classify_burst(): same
 * verdict, same bytes.  Then a smoke run of the real worker loop on an
 * extra lcore: frames pushed into a net_ring port come out of a net_null
 * port rewritten, an ARP reaches the punt ring of class neigh, a
 * control-plane frame goes out through the CP TX ring, an RCU grace
 * period completes while the worker runs, and the worker's profiling
 * counters add up.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "common/gw_proto.h"
#include "dataplane/dp.h"
#include "dataplane/dp_classify.h"
#include "dataplane/dp_neigh.h"
#include "dataplane/dp_route.h"
#include "dataplane/dp_stats.h"
#include "test/unit/test_dp.h"
#include "test/unit/test_eal.h"

enum { FRAME_MAX = 2048, ETH = 14, V4 = 20, V6 = 40, UDP = 8 };

struct frame {
	uint8_t b[FRAME_MAX];
	unsigned len;
};

static const struct rte_ether_addr peer = { { 0x02, 0, 0, 0, 0, 0x01 } };
static const struct rte_ether_addr nb4 = { { 0x02, 0, 0, 0, 0x10, 0x50 } };
static const struct rte_ether_addr nb6 = { { 0x02, 0, 0, 0, 0x20, 0x50 } };
static const struct rte_ether_addr nbgw = { { 0x02, 0, 0, 0, 0x10, 0xfe } };
static const struct rte_ether_addr bcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };

static const struct rte_ether_addr *us(unsigned iface)
{
	return &dp_iface_get(iface)->mac;
}

/* ---- frame builders ---------------------------------------------------- */

static void mk_eth(struct frame *f, const struct rte_ether_addr *dst, uint16_t type)
{
	struct rte_ether_hdr *e = (struct rte_ether_hdr *)f->b;

	memset(f, 0, sizeof(*f));
	e->dst_addr = *dst;
	e->src_addr = peer;
	e->ether_type = htons(type);
	f->len = ETH;
}

static struct rte_ipv4_hdr *ip4_of(struct frame *f)
{
	return (struct rte_ipv4_hdr *)(f->b + ETH);
}

static void ip4_cksum(struct frame *f)
{
	ip4_of(f)->hdr_checksum = 0;
	ip4_of(f)->hdr_checksum = rte_ipv4_cksum(ip4_of(f));
}

/* Ethernet + IPv4 + l4 bytes, checksum right. */
static void mk_v4(struct frame *f, const struct rte_ether_addr *dmac, const char *src,
		  const char *dst, uint8_t proto, uint8_t ttl, const void *l4, unsigned l4len)
{
	struct rte_ipv4_hdr *ip;

	mk_eth(f, dmac, RTE_ETHER_TYPE_IPV4);
	ip = ip4_of(f);
	ip->version_ihl = 0x45;
	ip->total_length = htons((uint16_t)(V4 + l4len));
	ip->packet_id = htons(0x1234);
	ip->time_to_live = ttl;
	ip->next_proto_id = proto;
	inet_pton(AF_INET, src, &ip->src_addr);
	inet_pton(AF_INET, dst, &ip->dst_addr);
	if (l4 != NULL)
		memcpy(f->b + ETH + V4, l4, l4len);
	f->len = ETH + V4 + l4len;
	ip4_cksum(f);
}

static struct rte_ipv6_hdr *ip6_of(struct frame *f)
{
	return (struct rte_ipv6_hdr *)(f->b + ETH);
}

static void mk_v6(struct frame *f, const struct rte_ether_addr *dmac, const char *src,
		  const char *dst, uint8_t nh, uint8_t hlim, const void *l4, unsigned l4len)
{
	struct rte_ipv6_hdr *ip;

	mk_eth(f, dmac, RTE_ETHER_TYPE_IPV6);
	ip = ip6_of(f);
	ip->vtc_flow = htonl(6u << 28);
	ip->payload_len = htons((uint16_t)l4len);
	ip->proto = nh;
	ip->hop_limits = hlim;
	inet_pton(AF_INET6, src, ip->src_addr);
	inet_pton(AF_INET6, dst, ip->dst_addr);
	if (l4 != NULL)
		memcpy(f->b + ETH + V6, l4, l4len);
	f->len = ETH + V6 + l4len;
}

/* UDP header + payload into buf; returns its length. */
static unsigned mk_udp(uint8_t *buf, uint16_t sport, uint16_t dport, const void *p, unsigned plen)
{
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)buf;

	u->src_port = htons(sport);
	u->dst_port = htons(dport);
	u->dgram_len = htons((uint16_t)(UDP + plen));
	u->dgram_cksum = 0;
	memcpy(buf + UDP, p, plen);
	return UDP + plen;
}

static struct rte_mbuf *to_mbuf(const struct frame *f)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp_mbuf_pool());
	char *p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	p = rte_pktmbuf_append(m, (uint16_t)f->len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	memcpy(p, f->b, f->len);
	return m;
}

/* ---- verdict checks (the assertion is at the call site) ---------------- */

static bool same_result(const struct dp_cls_result *a, const struct dp_cls_result *b)
{
	if (a->verdict != b->verdict)
		return false;
	switch (a->verdict) {
	case DP_V_FORWARD:
		return a->out_iface == b->out_iface;
	case DP_V_PUNT:
		return a->reason == b->reason;
	case DP_V_ESP_IN:
		return a->esp == b->esp && a->esp_off == b->esp_off;
	case DP_V_ESP_OUT:
		return a->esp == b->esp && a->on_demand == b->on_demand;
	default:
		return a->counter == b->counter;
	}
}

static bool same_frame(struct rte_mbuf *a, struct rte_mbuf *b)
{
	return rte_pktmbuf_pkt_len(a) == rte_pktmbuf_pkt_len(b) &&
	       rte_pktmbuf_data_len(a) == rte_pktmbuf_data_len(b) &&
	       memcmp(rte_pktmbuf_mtod(a, void *), rte_pktmbuf_mtod(b, void *),
		      rte_pktmbuf_data_len(a)) == 0 && a->hash.usr == b->hash.usr;
}

/*
 * Classify f with dp_classify() into *m and *r, and a copy with
 * dp_classify_burst() between two frames that are forwarded: the verdict
 * and the rewritten frame must be the same both ways.  The caller frees *m.
 */
static enum dp_verdict classify(const struct frame *f, unsigned in, struct rte_mbuf **m,
				struct dp_cls_result *r)
{
	uint8_t l4[16] = { 8, 0 };
	struct dp_cls_result br[3];
	struct rte_mbuf *b[3];
	struct frame fill;
	enum dp_verdict v;

	*m = to_mbuf(f);
	v = dp_classify(*m, in, r);
	mk_v4(&fill, us(in), "10.10.0.9", "192.168.10.50", IPPROTO_ICMP, 64, l4, 16);
	b[0] = to_mbuf(&fill);
	b[1] = to_mbuf(f);
	b[2] = to_mbuf(&fill);
	dp_classify_burst(b, 3, in, br);
	CU_ASSERT_TRUE(same_result(r, &br[1]) && same_frame(*m, b[1]));
	CU_ASSERT_TRUE(br[0].verdict == DP_V_FORWARD && br[0].out_iface == 1);
	CU_ASSERT_TRUE(br[2].verdict == DP_V_FORWARD && br[2].out_iface == 1);
	rte_pktmbuf_free_bulk(b, 3);
	return v;
}

static bool is_punt(const struct frame *f, unsigned in, enum dp_punt_reason want)
{
	struct rte_mbuf *m;
	struct dp_cls_result r;
	bool ok = classify(f, in, &m, &r) == DP_V_PUNT && r.verdict == DP_V_PUNT &&
		  r.reason == want && m->hash.usr == (uint32_t)want;

	if (!ok)
		fprintf(stderr, "\n  want punt %s, got verdict %d reason %s counter %s\n",
			dp_punt_reason_name(want), r.verdict, dp_punt_reason_name(r.reason),
			dp_counter_name(r.counter));
	rte_pktmbuf_free(m);
	return ok;
}

/* ESP to us: the SPI (host order) and the ESP header's offset. */
static bool is_esp_in(const struct frame *f, unsigned in, uint32_t spi, unsigned off)
{
	struct rte_mbuf *m;
	struct dp_cls_result r;
	bool ok = classify(f, in, &m, &r) == DP_V_ESP_IN && r.esp == htonl(spi) &&
		  r.esp_off == off;

	if (!ok)
		fprintf(stderr, "\n  want ESP_IN spi %#x off %u, got verdict %d spi %#x off %u\n",
			spi, off, r.verdict, ntohl(r.esp), r.esp_off);
	rte_pktmbuf_free(m);
	return ok;
}

static bool is_drop(const struct frame *f, unsigned in, enum dp_counter want)
{
	struct rte_mbuf *m;
	struct dp_cls_result r;
	bool ok = classify(f, in, &m, &r) == DP_V_DROP && r.counter == want;

	if (!ok)
		fprintf(stderr, "\n  want drop %s, got verdict %d reason %s counter %s\n",
			dp_counter_name(want), r.verdict, dp_punt_reason_name(r.reason),
			dp_counter_name(r.counter));
	rte_pktmbuf_free(m);
	return ok;
}

/* Classify a copy; on FORWARD copy the rewritten frame back into f. */
static bool is_fwd(struct frame *f, unsigned in, unsigned out)
{
	struct rte_mbuf *m;
	struct dp_cls_result r;
	bool ok = classify(f, in, &m, &r) == DP_V_FORWARD && r.out_iface == out;

	if (ok) {
		f->len = rte_pktmbuf_pkt_len(m);
		memcpy(f->b, rte_pktmbuf_mtod(m, void *), f->len);
	} else {
		fprintf(stderr, "\n  want forward to %u, got verdict %d reason %s counter %s\n",
			out, r.verdict, dp_punt_reason_name(r.reason), dp_counter_name(r.counter));
	}
	rte_pktmbuf_free(m);
	return ok;
}

/* ---- fixture ------------------------------------------------------------ */

static int classify_init(void)
{
	struct gw_cfg cfg;
	struct gw_prefix p;
	struct dp_nexthop nh = { .type = DP_NH_GATEWAY, .iface = 1 };
	struct gw_addr a;

	test_dp_cfg(&cfg, "net_null0", "net_null1");
	if (dp_init(&cfg) != 0)
		return -1;
	gw_addr_parse("192.168.10.50", &a);
	dp_neigh_set(1, &a, &nb4);
	gw_addr_parse("2001:db8:20::50", &a);
	dp_neigh_set(1, &a, &nb6);
	gw_addr_parse("192.168.10.254", &nh.gw);
	dp_neigh_set(1, &nh.gw, &nbgw);
	gw_prefix_parse("172.20.0.0/16", &p);
	return dp_route_add(&p, &nh) == 0 ? 0 : -1;
}

static int classify_fini(void)
{
	dp_fini();
	return 0;
}

/* ---- punts -------------------------------------------------------------- */

static void test_punt_v4(void)
{
	uint8_t l4[64] = { 8, 0 };	/* ICMP echo request */
	uint8_t marker[32] = { 0 };	/* non-ESP marker + IKE header */
	struct frame f;
	unsigned n;

	mk_eth(&f, &bcast, RTE_ETHER_TYPE_ARP);
	f.len = ETH + 28;
	CU_ASSERT_TRUE(is_punt(&f, 0, DP_PUNT_ARP));

	mk_v4(&f, us(0), "10.10.0.9", "10.10.0.1", IPPROTO_ICMP, 64, l4, 16);
	CU_ASSERT_TRUE(is_punt(&f, 0, DP_PUNT_ICMP_LOCAL));
	/* Weak host: the other interface's address is ours too. */
	mk_v4(&f, us(0), "10.10.0.9", "192.168.10.1", IPPROTO_ICMP, 64, l4, 16);
	CU_ASSERT_TRUE(is_punt(&f, 0, DP_PUNT_ICMP_LOCAL));

	n = mk_udp(l4, 500, 500, marker, 28);
	mk_v4(&f, us(0), "10.10.0.9", "10.10.0.1", IPPROTO_UDP, 64, l4, n);
	CU_ASSERT_TRUE(is_punt(&f, 0, DP_PUNT_IKE));
	n = mk_udp(l4, 4500, 4500, marker, 32);
	mk_v4(&f, us(0), "10.10.0.9", "10.10.0.1", IPPROTO_UDP, 64, l4, n);
	CU_ASSERT_TRUE(is_punt(&f, 0, DP_PUNT_IKE_NATT));

	mk_v4(&f, us(0), "10.10.0.9", "10.10.0.1", IPPROTO_UDP, 64, l4, n);
	ip4_of(&f)->fragment_offset = htons(RTE_IPV4_HDR_MF_FLAG);
	ip4_cksum(&f);
	CU_ASSERT_TRUE(is_punt(&f, 0, DP_PUNT_FRAG));
	ip4_of(&f)->fragment_offset = htons(185);	/* last fragment */
	ip4_cksum(&f);
	CU_ASSERT_TRUE(is_punt(&f, 0, DP_PUNT_FRAG));

	mk_v4(&f, us(0), "10.10.0.9", "192.168.10.50", IPPROTO_ICMP, 1, l4, 16);
	CU_ASSERT_TRUE(is_punt(&f, 0, DP_PUNT_TTL_EXCEEDED));
	mk_v4(&f, us(0), "10.10.0.9", "172.31.0.1", IPPROTO_ICMP, 64, l4, 16);
	CU_ASSERT_TRUE(is_punt(&f, 0, DP_PUNT_NO_ROUTE));
	mk_v4(&f, us(0), "10.10.0.9", "192.168.10.99", IPPROTO_ICMP, 64, l4, 16);
	CU_ASSERT_TRUE(is_punt(&f, 0, DP_PUNT_NEIGH_MISS));
	mk_v4(&f, us(0), "10.10.0.9", "192.168.10.50", IPPROTO_UDP, 64, NULL, 1600 - V4);
	CU_ASSERT_TRUE(is_punt(&f, 0, DP_PUNT_TOO_BIG));
}

/* ICMPv6 header of type t (code 0, checksum left to the CP) + 20 bytes. */
static unsigned icmp6(uint8_t *buf, uint8_t t)
{
	memset(buf, 0, 24);
	buf[0] = t;
	return 24;
}

static void test_punt_v6(void)
{
	const struct dp_iface *ifc = dp_iface_get(0);
	struct rte_ether_addr mc = { { 0x33, 0x33, 0xff, ifc->ll6.v6[13], ifc->ll6.v6[14],
				       ifc->ll6.v6[15] } };
	uint8_t l4[64], marker[32] = { 0 };
	char sn[GW_ADDR_STRLEN];
	struct frame f;
	unsigned n;

	snprintf(sn, sizeof(sn), "ff02::1:ff%02x:%02x%02x", ifc->ll6.v6[13], ifc->ll6.v6[14],
		 ifc->ll6.v6[15]);
	n = icmp6(l4, 135);	/* NS to our solicited-node group */
	mk_v6(&f, &mc, "fe80::1", sn, 58, 255, l4, n);
	CU_ASSERT_TRUE(is_punt(&f, 0, DP_PUNT_ND));
	mk_v6(&f, &mc, "::", sn, 58, 255, l4, n);	/* DAD */
	CU_ASSERT_TRUE(is_punt(&f, 0, DP_PUNT_ND));
	mk_v6(&f, us(0), "2001:db8:10::9", "2001:db8:10::1", 58, 255, l4, n);
	CU_ASSERT_TRUE(is_punt(&f, 0, DP_PUNT_ND));
	n = icmp6(l4, 133);	/* RS to all-routers */
	mk_v6(&f, &mc, "fe80::1", "ff02::2", 58, 255, l4, n);
	CU_ASSERT_TRUE(is_punt(&f, 0, DP_PUNT_ND));
	n = icmp6(l4, 136);	/* unsolicited NA to all-nodes */
	mk_v6(&f, &mc, "fe80::1", "ff02::1", 58, 255, l4, n);
	CU_ASSERT_TRUE(is_punt(&f, 0, DP_PUNT_ND));

	n = icmp6(l4, 128);	/* echo request */
	mk_v6(&f, us(0), "2001:db8:10::9", "2001:db8:10::1", 58, 64, l4, n);
	CU_ASSERT_TRUE(is_punt(&f, 0, DP_PUNT_ICMP6_LOCAL));
	mk_v6(&f, us(0), "2001:db8:10::9", "2001:db8:10::1", 44, 64, l4, 16);
	CU_ASSERT_TRUE(is_punt(&f, 0, DP_PUNT_FRAG));
	n = mk_udp(l4, 500, 500, marker, 28);
	mk_v6(&f, us(0), "2001:db8:10::9", "2001:db8:10::1", IPPROTO_UDP, 64, l4, n);
	CU_ASSERT_TRUE(is_punt(&f, 0, DP_PUNT_IKE));
	n = mk_udp(l4, 4500, 4500, marker, 32);
	mk_v6(&f, us(0), "2001:db8:10::9", "2001:db8:10::1", IPPROTO_UDP, 64, l4, n);
	CU_ASSERT_TRUE(is_punt(&f, 0, DP_PUNT_IKE_NATT));

	mk_v6(&f, us(0), "2001:db8:10::9", "2001:db8:20::50", IPPROTO_UDP, 1, l4, n);
	CU_ASSERT_TRUE(is_punt(&f, 0, DP_PUNT_TTL_EXCEEDED));
	mk_v6(&f, us(0), "2001:db8:10::9", "2001:db8:99::1", IPPROTO_UDP, 64, l4, n);
	CU_ASSERT_TRUE(is_punt(&f, 0, DP_PUNT_NO_ROUTE));
	mk_v6(&f, us(0), "2001:db8:10::9", "2001:db8:20::51", IPPROTO_UDP, 64, l4, n);
	CU_ASSERT_TRUE(is_punt(&f, 0, DP_PUNT_NEIGH_MISS));
	mk_v6(&f, us(0), "2001:db8:10::9", "2001:db8:20::50", IPPROTO_UDP, 64, NULL, 1500);
	CU_ASSERT_TRUE(is_punt(&f, 0, DP_PUNT_TOO_BIG));
}

/* ---- forwarding ----------------------------------------------------------- */

static void test_forward_v4(void)
{
	uint8_t l4[32] = { 8, 0 };
	struct rte_ether_hdr *e;
	struct rte_ipv4_hdr *ip;
	struct frame f;
	uint16_t ck;

	mk_v4(&f, us(0), "10.10.0.9", "192.168.10.50", IPPROTO_ICMP, 64, l4, 32);
	CU_ASSERT_TRUE_FATAL(is_fwd(&f, 0, 1));
	e = (struct rte_ether_hdr *)f.b;
	ip = ip4_of(&f);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&e->dst_addr, &nb4));
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&e->src_addr, us(1)));
	CU_ASSERT_EQUAL(ip->time_to_live, 63);
	CU_ASSERT_EQUAL(rte_ipv4_cksum(ip), 0);	/* valid as it stands */
	ck = ip->hdr_checksum;
	ip4_cksum(&f);
	CU_ASSERT_EQUAL(ck, ip->hdr_checksum);	/* equals a full recomputation */
	CU_ASSERT_EQUAL(f.len, ETH + V4 + 32);

	/* Via a gateway, from the other side; Ethernet padding is trimmed. */
	mk_v4(&f, us(1), "192.168.10.9", "172.20.1.1", IPPROTO_ICMP, 2, l4, 8);
	f.len = 60;
	CU_ASSERT_TRUE_FATAL(is_fwd(&f, 1, 1));
	e = (struct rte_ether_hdr *)f.b;
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&e->dst_addr, &nbgw));
	CU_ASSERT_EQUAL(ip4_of(&f)->time_to_live, 1);
	CU_ASSERT_EQUAL(f.len, ETH + V4 + 8);
	CU_ASSERT_EQUAL(rte_ipv4_cksum(ip4_of(&f)), 0);
}

/* RFC 1624 update against a full recomputation over many headers. */
static void test_ttl_checksum_differential(void)
{
	uint8_t l4[8] = { 8, 0 };
	unsigned bad = 0, total = 0;
	struct frame f;

	srand(1624);
	for (unsigned ttl = 2; ttl <= 255; ttl++) {
		for (unsigned k = 0; k < 16; k++) {
			uint16_t got;

			mk_v4(&f, us(0), "10.10.0.9", "192.168.10.50", IPPROTO_ICMP,
			      (uint8_t)ttl, l4, 8);
			ip4_of(&f)->packet_id = (uint16_t)rand();
			ip4_of(&f)->type_of_service = (uint8_t)rand();
			ip4_of(&f)->fragment_offset = htons((uint16_t)(rand() & 0x4000));
			ip4_cksum(&f);
			if (!is_fwd(&f, 0, 1)) {
				bad++;
				continue;
			}
			got = ip4_of(&f)->hdr_checksum;
			ip4_cksum(&f);
			bad += got != ip4_of(&f)->hdr_checksum ||
			       ip4_of(&f)->time_to_live != ttl - 1;
			total++;
		}
	}
	CU_ASSERT_EQUAL(total, 254 * 16);
	CU_ASSERT_EQUAL(bad, 0);
}

/*
 * The header checksum check (32-bit sums) against rte_ipv4_cksum() over
 * random headers of every length (IHL 5 to 15, options random bytes),
 * half of them with random bytes changed: forwarded exactly when
 * rte_ipv4_cksum() finds the header right, else dropped as a bad checksum.
 */
static void test_cksum_check_differential(void)
{
	static const uint8_t mutable[] = { 1, 4, 5, 6, 7, 10, 11 };	/* tos, id, frag, cksum */
	uint8_t l4[8] = { 8, 0 };
	unsigned bad = 0, good = 0, wrong = 0;
	struct frame f;

	srand(1071);
	for (unsigned t = 0; t < 4000; t++) {
		unsigned ihl = 5 + (unsigned)rand() % 11, hlen = ihl * 4;
		struct rte_ipv4_hdr *ip;
		struct dp_cls_result r;
		struct rte_mbuf *m;
		bool ok;

		mk_v4(&f, us(0), "10.10.0.9", "192.168.10.50", IPPROTO_ICMP, 64, NULL, 0);
		ip = ip4_of(&f);
		memmove(f.b + ETH + hlen, l4, sizeof(l4));
		for (unsigned i = V4; i < hlen; i++)
			f.b[ETH + i] = (uint8_t)rand();
		ip->version_ihl = (uint8_t)(0x40 | ihl);
		ip->packet_id = (uint16_t)rand();
		ip->total_length = htons((uint16_t)(hlen + sizeof(l4)));
		f.len = ETH + hlen + sizeof(l4);
		ip4_cksum(&f);
		if (rand() % 2)
			for (unsigned k = 1 + (unsigned)rand() % 3; k > 0; k--) {
				unsigned at = rand() % 2 ? mutable[rand() % sizeof(mutable)] :
					      V4 + (unsigned)rand() % (hlen - V4 + 1);

				if (at < hlen)
					f.b[ETH + at] ^= (uint8_t)(1 + rand() % 255);
			}
		ok = rte_ipv4_cksum(ip) == 0;
		classify(&f, 0, &m, &r);
		if (ok)
			wrong += r.verdict != DP_V_FORWARD;
		else
			wrong += r.verdict != DP_V_DROP || r.counter != DP_C_drop_ip_cksum;
		good += ok;
		bad += !ok;
		rte_pktmbuf_free(m);
	}
	printf("(%u right, %u wrong checksums) ", good, bad);
	CU_ASSERT(good > 1000 && bad > 1000);
	CU_ASSERT_EQUAL(wrong, 0);
}

/*
 * Forwarding through the neighbour slot the gateway route caches: a MAC
 * change, a deleted neighbour (NEIGH_MISS, not a stale MAC), the neighbour
 * back, and the route moved to another gateway.
 */
static void test_forward_cached_gateway(void)
{
	const struct rte_ether_addr other = { { 0x02, 0, 0, 0, 0x10, 0x77 } };
	struct dp_nexthop nh = { .type = DP_NH_GATEWAY, .iface = 1 };
	struct gw_prefix p = test_prefix("172.20.0.0/16");
	struct gw_addr gw = test_addr("192.168.10.254");
	uint8_t l4[8] = { 8, 0 };
	struct frame f;

	mk_v4(&f, us(0), "10.10.0.9", "172.20.1.1", IPPROTO_ICMP, 64, l4, 8);
	CU_ASSERT_TRUE_FATAL(is_fwd(&f, 0, 1));
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&((struct rte_ether_hdr *)f.b)->dst_addr, &nbgw));

	CU_ASSERT_EQUAL(dp_neigh_set(1, &gw, &other), 0);
	mk_v4(&f, us(0), "10.10.0.9", "172.20.1.1", IPPROTO_ICMP, 64, l4, 8);
	CU_ASSERT_TRUE(is_fwd(&f, 0, 1));
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&((struct rte_ether_hdr *)f.b)->dst_addr, &other));

	CU_ASSERT_EQUAL(dp_neigh_del(1, &gw), 0);
	mk_v4(&f, us(0), "10.10.0.9", "172.20.1.1", IPPROTO_ICMP, 64, l4, 8);
	CU_ASSERT_TRUE(is_punt(&f, 0, DP_PUNT_NEIGH_MISS));
	dp_reclaim();
	CU_ASSERT_EQUAL(dp_neigh_set(1, &gw, &nbgw), 0);
	CU_ASSERT_TRUE(is_fwd(&f, 0, 1));
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&((struct rte_ether_hdr *)f.b)->dst_addr, &nbgw));

	/* Via 192.168.10.50 for a while, then back. */
	nh.gw = test_addr("192.168.10.50");
	CU_ASSERT_EQUAL(dp_route_del(&p), 0);
	CU_ASSERT_EQUAL_FATAL(dp_route_add(&p, &nh), 0);
	mk_v4(&f, us(0), "10.10.0.9", "172.20.1.1", IPPROTO_ICMP, 64, l4, 8);
	CU_ASSERT_TRUE(is_fwd(&f, 0, 1));
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&((struct rte_ether_hdr *)f.b)->dst_addr, &nb4));
	nh.gw = gw;
	CU_ASSERT_EQUAL(dp_route_del(&p), 0);
	CU_ASSERT_EQUAL_FATAL(dp_route_add(&p, &nh), 0);
	dp_reclaim();
}

static void test_forward_v6(void)
{
	uint8_t l4[40];
	struct rte_ether_hdr *e;
	struct frame f;

	for (unsigned i = 0; i < sizeof(l4); i++)
		l4[i] = (uint8_t)i;
	mk_v6(&f, us(0), "2001:db8:10::9", "2001:db8:20::50", IPPROTO_UDP, 64, l4, 40);
	CU_ASSERT_TRUE_FATAL(is_fwd(&f, 0, 1));
	e = (struct rte_ether_hdr *)f.b;
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&e->dst_addr, &nb6));
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&e->src_addr, us(1)));
	CU_ASSERT_EQUAL(ip6_of(&f)->hop_limits, 63);
	CU_ASSERT_EQUAL(memcmp(f.b + ETH + V6, l4, 40), 0);
	mk_v6(&f, us(0), "2001:db8:10::9", "2001:db8:20::50", IPPROTO_UDP, 2, l4, 40);
	CU_ASSERT_TRUE(is_fwd(&f, 0, 1));
	CU_ASSERT_EQUAL(ip6_of(&f)->hop_limits, 1);
}

/* ---- drops -------------------------------------------------------------- */

static void test_drop_l2_v4_header(void)
{
	uint8_t l4[16] = { 8, 0 };
	struct rte_ether_addr other = { { 0x02, 0, 0, 0, 0x99, 0x99 } };
	struct frame f;

	mk_eth(&f, us(0), RTE_ETHER_TYPE_IPV4);
	f.len = 10;
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_runt));
	mk_eth(&f, &bcast, RTE_ETHER_TYPE_ARP);
	f.len = ETH + 20;
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_arp_truncated));
	mk_eth(&f, us(0), RTE_ETHER_TYPE_VLAN);
	f.len = 60;
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_ethertype));
	mk_v4(&f, &other, "10.10.0.9", "10.10.0.1", IPPROTO_ICMP, 64, l4, 16);
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_not_for_us));
	/* Our MAC is on interface 0, not 1. */
	mk_v4(&f, us(0), "10.10.0.9", "10.10.0.1", IPPROTO_ICMP, 64, l4, 16);
	CU_ASSERT_TRUE(is_drop(&f, 1, DP_C_drop_not_for_us));

	mk_v4(&f, us(0), "10.10.0.9", "10.10.0.1", IPPROTO_ICMP, 64, l4, 16);
	ip4_of(&f)->version_ihl = 0x44;		/* IHL 16 bytes */
	ip4_cksum(&f);
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_ip_hdr));
	mk_v4(&f, us(0), "10.10.0.9", "10.10.0.1", IPPROTO_ICMP, 64, l4, 16);
	ip4_of(&f)->version_ihl = 0x65;		/* version 6 in an IPv4 frame */
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_ip_hdr));
	mk_v4(&f, us(0), "10.10.0.9", "10.10.0.1", IPPROTO_ICMP, 64, l4, 16);
	f.len = ETH + 12;			/* cut inside the header */
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_ip_hdr));
	mk_v4(&f, us(0), "10.10.0.9", "10.10.0.1", IPPROTO_ICMP, 64, l4, 16);
	ip4_of(&f)->hdr_checksum ^= htons(0x0101);
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_ip_cksum));
	mk_v4(&f, us(0), "10.10.0.9", "10.10.0.1", IPPROTO_ICMP, 64, l4, 16);
	ip4_of(&f)->total_length = htons(V4 + 200);	/* beyond the frame */
	ip4_cksum(&f);
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_ip_len));
}

static void test_drop_v4_addresses(void)
{
	uint8_t l4[16] = { 8, 0 };
	struct frame f;

	mk_v4(&f, us(0), "224.0.0.5", "10.10.0.1", IPPROTO_ICMP, 64, l4, 16);
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_ip_martian));
	mk_v4(&f, us(0), "0.0.0.0", "10.10.0.1", IPPROTO_ICMP, 64, l4, 16);
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_ip_martian));
	mk_v4(&f, us(0), "127.0.0.1", "10.10.0.1", IPPROTO_ICMP, 64, l4, 16);
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_ip_martian));
	mk_v4(&f, us(0), "10.10.0.9", "0.0.0.0", IPPROTO_ICMP, 64, l4, 16);
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_ip_martian));
	mk_v4(&f, &bcast, "10.10.0.9", "255.255.255.255", IPPROTO_UDP, 64, l4, 16);
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_ip_martian));
	mk_v4(&f, us(0), "10.10.0.9", "239.1.1.1", IPPROTO_UDP, 64, l4, 16);
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_ip_martian));
	/* Directed broadcast of the inside subnet is not forwarded. */
	mk_v4(&f, us(0), "10.10.0.9", "192.168.10.255", IPPROTO_ICMP, 64, l4, 16);
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_ip_martian));
	/* Transit in a broadcast frame is not forwarded (RFC 1812 5.3.4). */
	mk_v4(&f, &bcast, "10.10.0.9", "192.168.10.50", IPPROTO_ICMP, 64, l4, 16);
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_not_for_us));
}

static void test_drop_v4_local(void)
{
	uint8_t l4[64], ka = 0xff, esp[16] = { 0, 0, 0x12, 0x34, 0, 0, 0, 1 };
	struct frame f;
	unsigned n;

	n = mk_udp(l4, 4500, 4500, &ka, 1);
	mk_v4(&f, us(0), "10.10.0.9", "10.10.0.1", IPPROTO_UDP, 64, l4, n);
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_natt_keepalive));
	n = mk_udp(l4, 4500, 4500, esp, sizeof(esp));	/* ESP-in-UDP, SPI 0x1234 */
	mk_v4(&f, us(0), "10.10.0.9", "10.10.0.1", IPPROTO_UDP, 64, l4, n);
	CU_ASSERT_TRUE(is_esp_in(&f, 0, 0x1234, ETH + V4 + UDP));
	n = mk_udp(l4, 4500, 4500, esp + 2, 2);		/* neither IKE nor ESP */
	mk_v4(&f, us(0), "10.10.0.9", "10.10.0.1", IPPROTO_UDP, 64, l4, n);
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_malformed));
	mk_v4(&f, us(0), "10.10.0.9", "10.10.0.1", GW_IPPROTO_ESP, 64, esp, sizeof(esp));
	CU_ASSERT_TRUE(is_esp_in(&f, 0, 0x1234, ETH + V4));
	mk_v4(&f, us(0), "10.10.0.9", "10.10.0.1", GW_IPPROTO_ESP, 64, esp, 7);	/* short */
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_malformed));
	esp[2] = 0;
	esp[3] = 0xff;			/* SPI 255: reserved (RFC 4303 2.1) */
	mk_v4(&f, us(0), "10.10.0.9", "10.10.0.1", GW_IPPROTO_ESP, 64, esp, sizeof(esp));
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_malformed));
	n = mk_udp(l4, 4500, 4500, esp, sizeof(esp));
	mk_v4(&f, us(0), "10.10.0.9", "10.10.0.1", IPPROTO_UDP, 64, l4, n);
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_malformed));
	esp[3] = 0;			/* SPI 0 is no SA either */
	mk_v4(&f, us(0), "10.10.0.9", "10.10.0.1", GW_IPPROTO_ESP, 64, esp, sizeof(esp));
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_malformed));
	esp[2] = 0x12;
	esp[3] = 0x34;
	n = mk_udp(l4, 5000, 53, esp, 8);
	mk_v4(&f, us(0), "10.10.0.9", "10.10.0.1", IPPROTO_UDP, 64, l4, n);
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_local_proto));
	mk_v4(&f, us(0), "10.10.0.9", "10.10.0.1", IPPROTO_TCP, 64, esp, sizeof(esp));
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_local_proto));
	n = mk_udp(l4, 500, 500, esp, 8);
	((struct rte_udp_hdr *)l4)->dgram_len = htons(4);	/* shorter than its header */
	mk_v4(&f, us(0), "10.10.0.9", "10.10.0.1", IPPROTO_UDP, 64, l4, n);
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_udp_hdr));
	n = mk_udp(l4, 500, 500, esp, 8);
	((struct rte_udp_hdr *)l4)->dgram_len = htons(40);	/* beyond the IP payload */
	mk_v4(&f, us(0), "10.10.0.9", "10.10.0.1", IPPROTO_UDP, 64, l4, n);
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_udp_hdr));
	mk_v4(&f, us(0), "10.10.0.9", "10.10.0.1", IPPROTO_UDP, 64, l4, 4);
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_udp_hdr));
}

static void test_drop_v6(void)
{
	const struct rte_ether_addr mc16 = { { 0x33, 0x33, 0, 0, 0, 0x16 } };
	const struct rte_ether_addr mc1 = { { 0x33, 0x33, 0, 0, 0, 0x01 } };
	uint8_t l4[64] = { 0 }, ka = 0xff;
	struct frame f;
	unsigned n;

	mk_v6(&f, us(0), "2001:db8:10::9", "2001:db8:20::50", IPPROTO_UDP, 64, l4, 16);
	ip6_of(&f)->payload_len = htons(400);
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_ip_len));
	mk_v6(&f, us(0), "2001:db8:10::9", "2001:db8:20::50", IPPROTO_UDP, 64, l4, 16);
	ip6_of(&f)->vtc_flow = htonl(4u << 28);
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_ip_hdr));
	mk_v6(&f, us(0), "ff02::1", "2001:db8:20::50", IPPROTO_UDP, 64, l4, 16);
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_ip_martian));
	mk_v6(&f, us(0), "::1", "2001:db8:10::1", IPPROTO_UDP, 64, l4, 16);
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_ip_martian));
	/* Link-local is never forwarded. */
	mk_v6(&f, us(0), "fe80::9", "2001:db8:20::50", IPPROTO_UDP, 64, l4, 16);
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_ip_martian));
	mk_v6(&f, us(0), "2001:db8:10::9", "fe80::77", IPPROTO_UDP, 64, l4, 16);
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_ip_martian));
	/* MLD report and an echo to all-nodes: groups we do not serve. */
	l4[0] = 143;
	mk_v6(&f, &mc16, "fe80::9", "ff02::16", 58, 1, l4, 28);
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_local_proto));
	l4[0] = 128;
	mk_v6(&f, &mc1, "fe80::9", "ff02::1", 58, 64, l4, 28);
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_local_proto));
	/* NS for a solicited-node group that is not ours. */
	l4[0] = 135;
	mk_v6(&f, &mc1, "fe80::9", "ff02::1:ff12:3456", 58, 255, l4, 24);
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_local_proto));
	n = mk_udp(l4, 4500, 4500, &ka, 1);
	mk_v6(&f, us(0), "2001:db8:10::9", "2001:db8:10::1", IPPROTO_UDP, 64, l4, n);
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_natt_keepalive));
	/* l4 starts with the UDP ports: SPI 0x11941194 */
	mk_v6(&f, us(0), "2001:db8:10::9", "2001:db8:10::1", GW_IPPROTO_ESP, 64, l4, 16);
	CU_ASSERT_TRUE(is_esp_in(&f, 0, 0x11941194, ETH + V6));
	n = mk_udp(l4, 4500, 4500, (const uint8_t[12]){ 0x11, 0x94, 0x11, 0x94 }, 12);
	mk_v6(&f, us(0), "2001:db8:10::9", "2001:db8:10::1", IPPROTO_UDP, 64, l4, n);
	CU_ASSERT_TRUE(is_esp_in(&f, 0, 0x11941194, ETH + V6 + UDP));
	memset(l4, 0, 16);
	l4[3] = 1;			/* SPI 1 */
	mk_v6(&f, us(0), "2001:db8:10::9", "2001:db8:10::1", GW_IPPROTO_ESP, 64, l4, 16);
	CU_ASSERT_TRUE(is_drop(&f, 0, DP_C_drop_malformed));
}

/* A PMD's checksum verdict is trusted over the software check. */
static void test_rx_cksum_flags(void)
{
	uint8_t l4[16] = { 8, 0 };
	struct rte_ipv4_hdr *ip;
	struct dp_cls_result r;
	struct rte_mbuf *m;
	struct frame f;

	mk_v4(&f, us(0), "10.10.0.9", "10.10.0.1", IPPROTO_ICMP, 64, l4, 16);
	m = to_mbuf(&f);
	m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_BAD;
	CU_ASSERT_EQUAL(dp_classify(m, 0, &r), DP_V_DROP);
	CU_ASSERT_EQUAL(r.counter, DP_C_drop_ip_cksum);
	rte_pktmbuf_free(m);

	ip4_of(&f)->hdr_checksum ^= htons(0x0101);
	m = to_mbuf(&f);
	m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	CU_ASSERT_EQUAL(dp_classify(m, 0, &r), DP_V_PUNT);
	CU_ASSERT_EQUAL(r.reason, DP_PUNT_ICMP_LOCAL);
	rte_pktmbuf_free(m);

	/* CKSUM_NONE: header verified, checksum field not valid.  A forwarded
	 * copy must leave with a right checksum, not a patched wrong one. */
	mk_v4(&f, us(0), "10.10.0.9", "192.168.10.50", IPPROTO_ICMP, 64, l4, 16);
	ip4_of(&f)->hdr_checksum = 0;
	m = to_mbuf(&f);
	m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_NONE;
	CU_ASSERT_EQUAL(dp_classify(m, 0, &r), DP_V_FORWARD);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, ETH);
	CU_ASSERT_EQUAL(ip->time_to_live, 63);
	CU_ASSERT_EQUAL(rte_ipv4_cksum(ip), 0);
	rte_pktmbuf_free(m);
}

/* ---- smoke run of the worker loop ---------------------------------------- */

enum { SMOKE_N = 40, REC_MAX = 64, REC_BYTES = 128 };

/* Frames the worker hands to the inside port, copied by a TX callback. */
static struct {
	uint32_t n;
	uint16_t len[REC_MAX];
	uint8_t b[REC_MAX][REC_BYTES];
} rec;

static uint16_t tx_record(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n,
			  void *arg)
{
	(void)port;
	(void)queue;
	(void)arg;
	for (uint16_t i = 0; i < n; i++) {
		uint32_t k = __atomic_load_n(&rec.n, __ATOMIC_RELAXED);

		if (k < REC_MAX) {
			rec.len[k] = (uint16_t)rte_pktmbuf_pkt_len(pkts[i]);
			memcpy(rec.b[k], rte_pktmbuf_mtod(pkts[i], void *),
			       RTE_MIN(rte_pktmbuf_data_len(pkts[i]), (uint16_t)REC_BYTES));
		}
		__atomic_store_n(&rec.n, k + 1, __ATOMIC_RELEASE);
	}
	return n;
}

static const struct rte_eth_rxtx_callback *tx_cb;

static int smoke_init(void)
{
	struct gw_cfg cfg;
	struct gw_addr a;

	test_dp_cfg(&cfg, "net_ring0", "net_null1");
	cfg.worker_idle_backoff = true;
	if (dp_init(&cfg) != 0)
		return -1;
	gw_addr_parse("192.168.10.50", &a);
	if (dp_neigh_set(1, &a, &nb4) != 0)
		return -1;
	tx_cb = rte_eth_add_tx_callback(dp_iface_get(1)->port_id, 0, tx_record, NULL);
	return tx_cb != NULL ? 0 : -1;
}

static int smoke_fini(void)
{
	dp_stop();
	if (tx_cb != NULL)
		rte_eth_remove_tx_callback(dp_iface_get(1)->port_id, 0, tx_cb);
	dp_fini();
	return 0;
}

/* Push SMOKE_N echo requests for 192.168.10.50 and one ARP into the outside
 * port's RX ring, and one frame into the inside port's CP TX ring. */
static void smoke_inject(void)
{
	struct rte_ring *rx = rte_ring_lookup("ETH_RXTX0_net_ring0");
	uint8_t l4[16] = { 8, 0 };
	struct rte_mbuf *m[SMOKE_N + 1];
	struct frame f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(rx);
	for (unsigned i = 0; i < SMOKE_N; i++) {
		mk_v4(&f, us(0), "10.10.0.9", "192.168.10.50", IPPROTO_ICMP, 64, l4, 16);
		ip4_of(&f)->packet_id = htons((uint16_t)i);
		ip4_cksum(&f);
		m[i] = to_mbuf(&f);
	}
	mk_eth(&f, &bcast, RTE_ETHER_TYPE_ARP);
	f.len = ETH + 28;
	m[SMOKE_N] = to_mbuf(&f);
	CU_ASSERT_EQUAL(rte_ring_enqueue_bulk(rx, (void **)m, SMOKE_N + 1, NULL), SMOKE_N + 1);

	mk_eth(&f, &nb4, 0x88b5);	/* IEEE local experimental ethertype */
	f.len = 60;
	CU_ASSERT_EQUAL(dp_cp_tx(1, to_mbuf(&f)), 0);
}

/* Check what the inside port sent: SMOKE_N rewritten echoes + the CP frame. */
static void smoke_check_tx(void)
{
	unsigned fwd = 0, cp = 0;

	CU_ASSERT_EQUAL(__atomic_load_n(&rec.n, __ATOMIC_ACQUIRE), SMOKE_N + 1);
	for (unsigned k = 0; k < SMOKE_N + 1 && k < REC_MAX; k++) {
		const struct rte_ether_hdr *e = (const struct rte_ether_hdr *)rec.b[k];
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(rec.b[k] + ETH);

		if (e->ether_type == htons(0x88b5)) {
			cp++;
			continue;
		}
		fwd += rte_is_same_ether_addr(&e->dst_addr, &nb4) &&
		       rte_is_same_ether_addr(&e->src_addr, us(1)) &&
		       ip->time_to_live == 63 && rte_ipv4_cksum(ip) == 0 &&
		       rec.len[k] == ETH + V4 + 16;
	}
	CU_ASSERT_EQUAL(fwd, SMOKE_N);
	CU_ASSERT_EQUAL(cp, 1);
}

static void test_smoke(void)
{
	struct dp_nexthop nh = { .type = DP_NH_GATEWAY, .iface = 1 };
	struct gw_prefix p = test_prefix("172.29.0.0/16");
	struct dp_lcore_stats before, after;
	struct rte_mbuf *punted[4];
	unsigned npunt = 0;
	uint64_t t0;

	nh.gw = test_addr("192.168.10.254");
	dp_stats_sum(&before);
	CU_ASSERT_EQUAL_FATAL(dp_launch(), 0);
	CU_ASSERT_EQUAL(dp_launch(), -EALREADY);
	smoke_inject();

	/* A grace period needs the live worker's quiescent report. */
	CU_ASSERT_EQUAL(dp_route_add(&p, &nh), 0);
	CU_ASSERT_EQUAL(dp_route_del(&p), 0);
	t0 = test_dp_now_ms();
	while (dp_route_reclaim() != 0 && test_dp_now_ms() - t0 < 3000)
		rte_delay_us_sleep(1000);
	CU_ASSERT_EQUAL(dp_route_deferred(), 0);

	t0 = test_dp_now_ms();
	while ((__atomic_load_n(&rec.n, __ATOMIC_ACQUIRE) < SMOKE_N + 1 || npunt == 0) &&
	       test_dp_now_ms() - t0 < 3000) {
		npunt += dp_punt_dequeue(punted + npunt, RTE_DIM(punted) - npunt);
		rte_delay_us_sleep(1000);
	}
	rte_delay_us_sleep(20000);	/* idle long enough to back off */
	dp_stop();
	dp_stats_sum(&after);

	smoke_check_tx();
	CU_ASSERT_EQUAL_FATAL(npunt, 1);
	CU_ASSERT_EQUAL(punted[0]->hash.usr, DP_PUNT_ARP);
	CU_ASSERT_EQUAL(punted[0]->port, dp_iface_get(0)->port_id);
	rte_pktmbuf_free(punted[0]);
	CU_ASSERT_EQUAL(after.c[DP_C_rx_pkts] - before.c[DP_C_rx_pkts], SMOKE_N + 1);
	CU_ASSERT_EQUAL(after.c[DP_C_fwd_pkts] - before.c[DP_C_fwd_pkts], SMOKE_N);
	CU_ASSERT_EQUAL(after.c[DP_C_punt_pkts] - before.c[DP_C_punt_pkts], 1);
	CU_ASSERT_EQUAL(after.c[DP_C_cptx_pkts] - before.c[DP_C_cptx_pkts], 1);
	CU_ASSERT_EQUAL(after.c[DP_C_tx_pkts] - before.c[DP_C_tx_pkts], SMOKE_N + 1);
	CU_ASSERT_TRUE(after.c[DP_C_idle_sleeps] > before.c[DP_C_idle_sleeps]);
	CU_ASSERT_EQUAL(dp_stats[dp_worker_lcore(0)].c[DP_C_fwd_pkts], SMOKE_N);
	/* Forwarded, punted, CP-sent: every mbuf came back to the pool. */
	test_dp_no_mbuf_leak();
}

/*
 * The worker times one loop in DP_PROF_EVERY: feed it frames until a
 * timed loop has received some, then the counters must add up: no more
 * timed packets than received, classification part of the loop's cycles.
 * The worker is stopped only once it has received every frame fed to it
 * (frames still in the RX ring would stay out of the pool); whatever is
 * left there after all is freed, and must be nothing.
 */
static void test_prof_counters(void)
{
	struct rte_ring *rx = rte_ring_lookup("ETH_RXTX0_net_ring0");
	struct dp_lcore_stats before, after;
	uint8_t l4[16] = { 8, 0 };
	uint64_t t0, pkts, loop, cls, fed = 0;
	struct rte_mbuf *left;
	unsigned nleft = 0;
	struct frame f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(rx);
	mk_v4(&f, us(0), "10.10.0.9", "192.168.10.50", IPPROTO_ICMP, 64, l4, 16);
	dp_stats_sum(&before);
	CU_ASSERT_EQUAL_FATAL(dp_launch(), 0);
	t0 = test_dp_now_ms();
	do {
		struct rte_mbuf *m[4];

		for (unsigned i = 0; i < RTE_DIM(m); i++)
			m[i] = to_mbuf(&f);
		if (rte_ring_enqueue_bulk(rx, (void **)m, RTE_DIM(m), NULL) == 0)
			rte_pktmbuf_free_bulk(m, RTE_DIM(m));
		else
			fed += RTE_DIM(m);
		rte_delay_us_sleep(100);
		dp_stats_sum(&after);
	} while (after.c[DP_C_prof_pkts] == before.c[DP_C_prof_pkts] && test_dp_now_ms() - t0 < 5000);
	/* A received burst is sent or freed within the same loop, which the
	 * worker finishes before it sees the stop. */
	t0 = test_dp_now_ms();
	while (after.c[DP_C_rx_pkts] - before.c[DP_C_rx_pkts] < fed && test_dp_now_ms() - t0 < 5000) {
		rte_delay_us_sleep(1000);
		dp_stats_sum(&after);
	}
	dp_stop();
	while (rte_ring_dequeue(rx, (void **)&left) == 0) {
		rte_pktmbuf_free(left);
		nleft++;
	}
	dp_stats_sum(&after);
	pkts = after.c[DP_C_prof_pkts] - before.c[DP_C_prof_pkts];
	loop = after.c[DP_C_prof_loop_cycles] - before.c[DP_C_prof_loop_cycles];
	cls = after.c[DP_C_prof_cls_cycles] - before.c[DP_C_prof_cls_cycles];
	printf("(%" PRIu64 " packets timed: %" PRIu64 " loop, %" PRIu64 " classify cycles) ",
	       pkts, loop, cls);
	CU_ASSERT(pkts > 0);
	CU_ASSERT(pkts <= after.c[DP_C_rx_pkts] - before.c[DP_C_rx_pkts]);
	CU_ASSERT(cls > 0 && loop > cls);
	CU_ASSERT_EQUAL(after.c[DP_C_rx_pkts] - before.c[DP_C_rx_pkts], fed);
	CU_ASSERT_EQUAL(nleft, 0);
	CU_ASSERT_EQUAL(after.c[DP_C_rx_pkts] - before.c[DP_C_rx_pkts],
			after.c[DP_C_fwd_pkts] - before.c[DP_C_fwd_pkts]);
	test_dp_no_mbuf_leak();
}

int main(void)
{
	static const char *const eal[] = { "-l", "0-1", TEST_DP_NULL_PORTS, "--vdev=net_ring0" };
	static const struct test_dp_case classify[] = {
		{ "IPv4 and ARP punts", test_punt_v4 },
		{ "IPv6 punts", test_punt_v6 },
		{ "IPv4 forward", test_forward_v4 },
		{ "TTL checksum update vs recomputation", test_ttl_checksum_differential },
		{ "IPv6 forward", test_forward_v6 },
		{ "IPv4 checksum check vs rte_ipv4_cksum", test_cksum_check_differential },
		{ "forward through the cached gateway neighbour", test_forward_cached_gateway },
		{ "drops: Ethernet and IPv4 header", test_drop_l2_v4_header },
		{ "drops: IPv4 addresses", test_drop_v4_addresses },
		{ "drops: IPv4 to the gateway", test_drop_v4_local },
		{ "drops: IPv6", test_drop_v6 },
		{ "RX checksum offload flags", test_rx_cksum_flags },
		{ "every mbuf freed", test_dp_no_mbuf_leak },
	};
	static const struct test_dp_case smoke[] = {
		{ "forward, punt, CP TX and RCU with a live worker", test_smoke },
		{ "profiling counters of the worker loop", test_prof_counters },
	};

	if (test_dp_begin("classify", RTE_DIM(eal), eal) != 0)
		return 1;
	test_dp_suite("classify", classify_init, classify_fini, classify, RTE_DIM(classify));
	test_dp_suite("worker smoke run", smoke_init, smoke_fini, smoke, RTE_DIM(smoke));
	return test_dp_end();
}
