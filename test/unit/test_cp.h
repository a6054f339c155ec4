/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_TEST_CP_H
#define GW_TEST_CP_H

/*
 * Shared by the control-plane unit tests (cp_arp, cp_frag, cp_ike,
 * cp_icmp): EAL with two net_null ports, the real data plane (dp_init, no
 * workers launched) and cp_init on a configuration built in code; frames
 * built byte by byte in flat buffers and injected with cp_punt_handle();
 * what the CP queued read back with dp_cptx_drain().  Checksums here are
 * an independent RFC 1071 implementation (big-endian byte pairs), so the
 * tests do not trust the code under test to check itself.
 *
 *   iface 0 "outside" net_null0: 10.10.0.1/24, 2001:db8:10::1/64
 *   iface 1 "inside"  net_null1: 192.168.10.1/24, 2001:db8:20::1/64
 *   routes: 0.0.0.0/0 via 10.10.0.254 (static neighbour 02:00:00:00:00:fe),
 *           2001:db8:99::/64 via 2001:db8:10::fe (unresolved); no IPv6 default
 *
 * Header-only: every function is static inline.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "cfg/cfg.h"
#include "common/gw_addr.h"
#include "controlplane/cp.h"
#include "controlplane/cp_neigh.h"
#include "controlplane/cp_punt.h"
#include "controlplane/cp_stats.h"
#include "dataplane/dp.h"
#include "test/unit/test_dp.h"
#include "test/unit/test_eal.h"

enum {
	TC_OUT = 0,
	TC_IN = 1,
	TC_MAXFRAME = 2048,
	TC_DRAIN_MAX = 128,
};

static const uint8_t tc_peer_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t tc_gw254_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0xfe };
static const uint8_t tc_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static struct gw_cfg tc_cfg;
static struct cfg_route tc_routes[2];
static struct cfg_neighbor tc_neighbors[1];

static inline struct gw_addr tc_addr(const char *s)
{
	struct gw_addr a;

	if (gw_addr_parse(s, &a) != 0) {
		fprintf(stderr, "bad test address %s\n", s);
		abort();
	}
	return a;
}

/* EAL, data plane and control plane, once per binary.  0 or -1. */
static inline int tc_setup(const char *name)
{
	static const char *const vdevs[] = { "--vdev=net_null0", "--vdev=net_null1" };

	if (test_eal_init(name, 2, vdevs) != 0)
		return -1;
	test_dp_cfg(&tc_cfg, "net_null0", "net_null1");
	snprintf(tc_cfg.path, sizeof(tc_cfg.path), "test_%s.conf", name);
	gw_prefix_parse("0.0.0.0/0", &tc_routes[0].prefix);
	tc_routes[0].via = tc_addr("10.10.0.254");
	tc_routes[0].iface = -1;
	gw_prefix_parse("2001:db8:99::/64", &tc_routes[1].prefix);
	tc_routes[1].via = tc_addr("2001:db8:10::fe");
	tc_routes[1].iface = -1;
	tc_cfg.routes = tc_routes;
	tc_cfg.n_routes = 2;
	tc_neighbors[0].addr = tc_addr("10.10.0.254");
	memcpy(tc_neighbors[0].mac.b, tc_gw254_mac, 6);
	tc_neighbors[0].iface = 0;
	tc_cfg.neighbors = tc_neighbors;
	tc_cfg.n_neighbors = 1;
	if (dp_init(&tc_cfg) != 0 || cp_init(&tc_cfg) != 0)
		return -1;
	return 0;
}

/* ---- byte-level builders (network order by hand) ---- */

static inline void tc_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint16_t tc_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t tc_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* RFC 1071 sum of big-endian 16-bit words, not folded. */
static inline uint32_t tc_sum(const uint8_t *p, size_t len, uint32_t acc)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		acc += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		acc += (uint32_t)p[len - 1] << 8;
	return acc;
}

static inline uint16_t tc_fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

/* Pseudo-header sum for an L4 of len bytes; alen 4 or 16. */
static inline uint32_t tc_pseudo(const uint8_t *src, const uint8_t *dst, size_t alen,
				 uint8_t proto, uint32_t len)
{
	uint32_t acc = tc_sum(src, alen, 0);

	acc = tc_sum(dst, alen, acc);
	return acc + proto + (len >> 16) + (len & 0xffff);
}

static inline size_t tc_hl(const uint8_t *ip)
{
	return (ip[0] >> 4) == 6 ? 40 : (size_t)(ip[0] & 0xf) * 4;
}

static inline uint32_t tc_l4_len(const uint8_t *ip)
{
	return (ip[0] >> 4) == 6 ? tc_get16(ip + 4) : (uint32_t)(tc_get16(ip + 2) - tc_hl(ip));
}

/* Sum over the L4 message of an IP packet (no v6 extension headers), with
 * the pseudo header except for ICMPv4. */
static inline uint32_t tc_l4_sum(const uint8_t *ip, uint8_t proto)
{
	bool v6 = (ip[0] >> 4) == 6;
	uint32_t len = tc_l4_len(ip);
	uint32_t acc = tc_sum(ip + tc_hl(ip), len, 0);

	if (v6 || proto != 1)
		acc += tc_pseudo(ip + (v6 ? 8 : 12), ip + (v6 ? 24 : 16), v6 ? 16 : 4, proto, len);
	return acc;
}

static inline bool tc_l4_ok(const uint8_t *ip, uint8_t proto)
{
	return tc_fold(tc_l4_sum(ip, proto)) == 0xffff;
}

static inline bool tc_ip4_hdr_ok(const uint8_t *ip)
{
	return tc_fold(tc_sum(ip, (size_t)(ip[0] & 0xf) * 4, 0)) == 0xffff;
}

static inline size_t tc_eth(uint8_t *p, const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	tc_put16(p + 12, type);
	return 14;
}

/* IPv4 header; frag = flags << 13 | offset / 8 as on the wire. */
static inline size_t tc_ip4(uint8_t *p, const char *src, const char *dst, uint8_t proto,
			    uint16_t payload, uint16_t id, uint16_t frag, uint8_t ttl)
{
	struct gw_addr s = tc_addr(src), d = tc_addr(dst);
	uint16_t ck;

	memset(p, 0, 20);
	p[0] = 0x45;
	tc_put16(p + 2, (uint16_t)(20 + payload));
	tc_put16(p + 4, id);
	tc_put16(p + 6, frag);
	p[8] = ttl;
	p[9] = proto;
	memcpy(p + 12, &s.v4, 4);
	memcpy(p + 16, &d.v4, 4);
	ck = (uint16_t)~tc_fold(tc_sum(p, 20, 0));
	tc_put16(p + 10, ck);
	return 20;
}

static inline size_t tc_ip6(uint8_t *p, const char *src, const char *dst, uint8_t nh,
			    uint16_t payload, uint8_t hops)
{
	struct gw_addr s = tc_addr(src), d = tc_addr(dst);

	memset(p, 0, 40);
	p[0] = 0x60;
	tc_put16(p + 4, payload);
	p[6] = nh;
	p[7] = hops;
	memcpy(p + 8, s.v6, 16);
	memcpy(p + 24, d.v6, 16);
	return 40;
}

/* Set the L4 checksum of the IP packet at ip (UDP 17, ICMP 1, ICMPv6 58). */
static inline void tc_l4_fix(uint8_t *ip, uint8_t proto)
{
	uint8_t *ck = ip + tc_hl(ip) + (proto == 17 ? 6 : 2);
	uint16_t v;

	tc_put16(ck, 0);
	v = (uint16_t)~tc_fold(tc_l4_sum(ip, proto));
	tc_put16(ck, proto == 17 && v == 0 ? 0xffff : v);
}

/* ---- mbufs in and out ---- */

static inline struct rte_mbuf *tc_mbuf(const uint8_t *frame, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp_mbuf_pool());
	char *p;

	CU_ASSERT_FATAL(m != NULL);
	p = rte_pktmbuf_append(m, (uint16_t)len);
	CU_ASSERT_FATAL(p != NULL);
	memcpy(p, frame, len);
	return m;
}

/* Inject a frame as if a worker punted it from iface with reason. */
static inline void tc_inject(const uint8_t *frame, size_t len, unsigned iface,
			     enum dp_punt_reason reason)
{
	struct rte_mbuf *m = tc_mbuf(frame, len);

	m->port = dp_iface_get(iface)->port_id;
	m->hash.usr = reason;
	cp_punt_handle(m);
}

/* Take what the CP queued for iface into pkts; returns the count. */
static inline unsigned tc_drain(unsigned iface, struct rte_mbuf **pkts, unsigned n)
{
	unsigned got = 0, k;

	while (got < n && (k = dp_cptx_drain(iface, pkts + got, n - got)) > 0)
		got += k;
	return got;
}

static inline void tc_free_all(struct rte_mbuf **pkts, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		rte_pktmbuf_free(pkts[i]);
}

/* Discard whatever is queued on both interfaces; returns how many. */
static inline unsigned tc_flush(void)
{
	struct rte_mbuf *p[TC_DRAIN_MAX];
	unsigned total = 0, n;

	for (unsigned i = 0; i < dp_nb_ifaces(); i++)
		while ((n = tc_drain(i, p, TC_DRAIN_MAX)) > 0) {
			tc_free_all(p, n);
			total += n;
		}
	return total;
}

/* Exactly one frame queued on iface (asserted), else NULL. */
static inline struct rte_mbuf *tc_one(unsigned iface)
{
	struct rte_mbuf *p[TC_DRAIN_MAX];
	unsigned n = tc_drain(iface, p, TC_DRAIN_MAX);

	CU_ASSERT_EQUAL(n, 1);
	if (n == 1)
		return p[0];
	tc_free_all(p, n);
	return NULL;
}

static inline const uint8_t *tc_data(const struct rte_mbuf *m)
{
	CU_ASSERT_EQUAL(m->nb_segs, 1);
	return rte_pktmbuf_mtod(m, const uint8_t *);
}

static inline const uint8_t *tc_port_mac(unsigned iface)
{
	return dp_iface_get(iface)->mac.addr_bytes;
}

static inline bool tc_addr_at(const uint8_t *p, const char *s)
{
	struct gw_addr a = tc_addr(s);

	return memcmp(p, a.family == AF_INET ? (const void *)&a.v4 : (const void *)a.v6,
		      a.family == AF_INET ? 4 : 16) == 0;
}

static inline uint64_t tc_counter(enum cp_counter c)
{
	return cp_stats[c];
}

/* Teach the CP a neighbour (as ARP/ND learning would). */
static inline void tc_learn(unsigned iface, const char *ip, const uint8_t mac[6])
{
	struct gw_addr a = tc_addr(ip);
	struct rte_ether_addr e;

	memcpy(e.addr_bytes, mac, 6);
	cp_neigh_learn(iface, &a, &e);
}

/*
 * Run the suites, then account for every mbuf: once the CP has let go of
 * what it holds (neighbour queues, reassembly tables) and both CP TX rings
 * are drained, none may be left in use.  A leak on any path the tests
 * took fails the binary.
 */
static inline int tc_run_and_teardown(void)
{
	int ret = test_dp_run();
	unsigned in_use;

	tc_flush();
	cp_fini();
	in_use = rte_mempool_in_use_count(dp_mbuf_pool());
	if (in_use != 0) {
		fprintf(stderr, "FAIL: %u mbufs still in use after the tests\n", in_use);
		ret = 1;
	}
	dp_fini();
	return ret;
}

#endif /* GW_TEST_CP_H */
