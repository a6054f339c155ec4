/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP (RFC 826, RFC 5227) and IPv6 neighbour discovery (RFC 4861) in the
 * control plane: announcements at start, replies byte by byte, learning
 * published to the data plane, resolution with queued packets, retries,
 * and everything that must be ignored or refused.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "controlplane/cp_loop.h"
#include "controlplane/cp_tx.h"
#include "dataplane/dp_neigh.h"
#include "test/unit/test_cp.h"

static const uint8_t zero_mac[6];
static const uint8_t mac7[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x07 };
static uint64_t now_ms = 1000000;

static size_t arp_frame(uint8_t *f, const uint8_t eth_dst[6], const uint8_t sha[6], uint16_t op,
			const char *spa, const uint8_t tha[6], const char *tpa)
{
	struct gw_addr s = tc_addr(spa), t = tc_addr(tpa);
	size_t n = tc_eth(f, eth_dst, sha, 0x0806);

	tc_put16(f + n, 1);
	tc_put16(f + n + 2, 0x0800);
	f[n + 4] = 6;
	f[n + 5] = 4;
	tc_put16(f + n + 6, op);
	memcpy(f + n + 8, sha, 6);
	memcpy(f + n + 14, &s.v4, 4);
	memcpy(f + n + 18, tha, 6);
	memcpy(f + n + 24, &t.v4, 4);
	return n + 28;
}

static bool neigh_is(unsigned iface, const char *ip, const uint8_t mac[6])
{
	struct gw_addr a = tc_addr(ip);
	struct rte_ether_addr e;

	return dp_neigh_lookup(iface, &a, &e) == 0 && memcmp(e.addr_bytes, mac, 6) == 0;
}

static bool neigh_absent(unsigned iface, const char *ip)
{
	struct gw_addr a = tc_addr(ip);
	struct rte_ether_addr e;

	return dp_neigh_lookup(iface, &a, &e) == -ENOENT;
}

/* A UDP packet from our address to dst, IP header at the data start. */
static struct rte_mbuf *udp_packet(const char *src, const char *dst, uint8_t *copy, size_t *len)
{
	uint8_t p[128];
	bool v6 = strchr(dst, ':') != NULL;
	size_t n = v6 ? tc_ip6(p, src, dst, 17, 8 + 20, 64) : tc_ip4(p, src, dst, 17, 8 + 20, 7, 0, 64);

	tc_put16(p + n, 5000);
	tc_put16(p + n + 2, 6000);
	tc_put16(p + n + 4, 8 + 20);
	memset(p + n + 8, 0xab, 20);
	tc_l4_fix(p, 17);
	memcpy(copy, p, n + 28);
	*len = n + 28;
	return tc_mbuf(p, n + 28);
}

/* Check one ARP frame: Ethernet dst/src, opcode and the four addresses. */
static void check_arp(const uint8_t *f, const uint8_t eth_dst[6], unsigned iface, uint16_t op,
		      const char *spa, const uint8_t tha[6], const char *tpa)
{
	CU_ASSERT(memcmp(f, eth_dst, 6) == 0);
	CU_ASSERT(memcmp(f + 6, tc_port_mac(iface), 6) == 0);
	CU_ASSERT_EQUAL(tc_get16(f + 12), 0x0806);
	CU_ASSERT_EQUAL(tc_get16(f + 14), 1);
	CU_ASSERT_EQUAL(tc_get16(f + 16), 0x0800);
	CU_ASSERT_EQUAL(f[18], 6);
	CU_ASSERT_EQUAL(f[19], 4);
	CU_ASSERT_EQUAL(tc_get16(f + 20), op);
	CU_ASSERT(memcmp(f + 22, tc_port_mac(iface), 6) == 0);
	CU_ASSERT(tc_addr_at(f + 28, spa));
	CU_ASSERT(memcmp(f + 32, tha, 6) == 0);
	CU_ASSERT(tc_addr_at(f + 38, tpa));
}

/* ---- start-up announcements ---- */

static void test_init_announce(void)
{
	static const char *const v4[] = { "10.10.0.1", "192.168.10.1" };
	static const uint8_t all_nodes_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	struct rte_mbuf *p[TC_DRAIN_MAX];

	for (unsigned i = 0; i < 2; i++) {
		unsigned n = tc_drain(i, p, TC_DRAIN_MAX), garp = 0, na = 0;

		for (unsigned k = 0; k < n; k++) {
			const uint8_t *f = tc_data(p[k]);

			if (tc_get16(f + 12) == 0x0806) {
				check_arp(f, tc_bcast, i, 1, v4[i], zero_mac, v4[i]);
				garp++;
			} else if (tc_get16(f + 12) == 0x86dd) {
				const uint8_t *ip = f + 14;

				CU_ASSERT(memcmp(f, all_nodes_mac, 6) == 0);
				CU_ASSERT(tc_addr_at(ip + 24, "ff02::1"));
				CU_ASSERT_EQUAL(ip[7], 255);
				CU_ASSERT_EQUAL(ip[40], 136);
				CU_ASSERT_EQUAL(ip[44], 0xa0);	/* router, override; not solicited */
				CU_ASSERT(memcmp(ip + 8, ip + 48, 16) == 0);	/* from the target */
				CU_ASSERT_EQUAL(ip[64], 2);		/* target link-layer option */
				CU_ASSERT(memcmp(ip + 66, tc_port_mac(i), 6) == 0);
				CU_ASSERT(tc_l4_ok(ip, 58));
				na++;
			}
		}
		CU_ASSERT_EQUAL(garp, 1);
		CU_ASSERT_EQUAL(na, 2);	/* link-local and the global address */
		tc_free_all(p, n);
	}
	CU_ASSERT_EQUAL(tc_counter(CP_C_arp_garp_tx), 2);
	CU_ASSERT_EQUAL(tc_counter(CP_C_nd_na_tx), 4);
	cp_neigh_tick(now_ms);
}

/* ---- ARP ---- */

static void test_arp_reply(void)
{
	uint8_t f[64];
	size_t n = arp_frame(f, tc_bcast, tc_peer_mac, 1, "10.10.0.2", zero_mac, "10.10.0.1");
	uint64_t replies = tc_counter(CP_C_arp_reply_tx);
	struct rte_mbuf *m;

	tc_inject(f, n, TC_OUT, DP_PUNT_ARP);
	m = tc_one(TC_OUT);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 42);
	check_arp(tc_data(m), tc_peer_mac, TC_OUT, 2, "10.10.0.1", tc_peer_mac, "10.10.0.2");
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(tc_counter(CP_C_arp_reply_tx), replies + 1);
	CU_ASSERT_EQUAL(tc_flush(), 0);
	/* The requester was learnt and published to the workers. */
	CU_ASSERT(neigh_is(TC_OUT, "10.10.0.2", tc_peer_mac));
}

static void test_arp_not_for_us(void)
{
	static const uint8_t other[6] = { 0x02, 0, 0, 0, 0, 0x03 };
	uint64_t ignored = tc_counter(CP_C_arp_ignored);
	uint8_t f[64];
	size_t n;

	n = arp_frame(f, tc_bcast, other, 1, "10.10.0.3", zero_mac, "10.10.0.99");
	tc_inject(f, n, TC_OUT, DP_PUNT_ARP);
	/* Our address, but of the other interface: no proxy ARP. */
	n = arp_frame(f, tc_bcast, other, 1, "10.10.0.3", zero_mac, "192.168.10.1");
	tc_inject(f, n, TC_OUT, DP_PUNT_ARP);
	CU_ASSERT_EQUAL(tc_flush(), 0);
	CU_ASSERT_EQUAL(tc_counter(CP_C_arp_ignored), ignored + 2);
	CU_ASSERT(neigh_absent(TC_OUT, "10.10.0.3"));
}

static void test_arp_reply_learns(void)
{
	static const uint8_t m4[6] = { 0x02, 0, 0, 0, 0, 0x04 };
	uint8_t f[64];
	size_t n = arp_frame(f, tc_port_mac(TC_OUT), m4, 2, "10.10.0.4", tc_port_mac(TC_OUT),
			     "10.10.0.1");

	tc_inject(f, n, TC_OUT, DP_PUNT_ARP);
	CU_ASSERT_EQUAL(tc_flush(), 0);
	CU_ASSERT(neigh_is(TC_OUT, "10.10.0.4", m4));
}

static void test_arp_queue_flush(void)
{
	uint8_t orig[128], f[64];
	size_t len, n;
	uint64_t queued = tc_counter(CP_C_neigh_queued);
	struct rte_mbuf *m = udp_packet("10.10.0.1", "10.10.0.7", orig, &len);

	CU_ASSERT_EQUAL(cp_tx_ip(m), 0);
	CU_ASSERT_EQUAL(tc_counter(CP_C_neigh_queued), queued + 1);
	m = tc_one(TC_OUT);
	CU_ASSERT_FATAL(m != NULL);
	check_arp(tc_data(m), tc_bcast, TC_OUT, 1, "10.10.0.1", zero_mac, "10.10.0.7");
	rte_pktmbuf_free(m);

	n = arp_frame(f, tc_port_mac(TC_OUT), mac7, 2, "10.10.0.7", tc_port_mac(TC_OUT), "10.10.0.1");
	tc_inject(f, n, TC_OUT, DP_PUNT_ARP);
	m = tc_one(TC_OUT);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 14 + len);
	CU_ASSERT(memcmp(tc_data(m), mac7, 6) == 0);
	CU_ASSERT(memcmp(tc_data(m) + 6, tc_port_mac(TC_OUT), 6) == 0);
	CU_ASSERT_EQUAL(tc_get16(tc_data(m) + 12), 0x0800);
	CU_ASSERT(memcmp(tc_data(m) + 14, orig, len) == 0);
	rte_pktmbuf_free(m);
	CU_ASSERT(neigh_is(TC_OUT, "10.10.0.7", mac7));
}

static void test_arp_retries_then_drop(void)
{
	uint8_t orig[128];
	size_t len;
	uint64_t unresolved = tc_counter(CP_C_neigh_unresolved);
	uint64_t supp = tc_counter(CP_C_icmp_err_suppressed);
	unsigned before = cp_neigh_count();
	struct rte_mbuf *m = udp_packet("10.10.0.1", "10.10.0.8", orig, &len);

	CU_ASSERT_EQUAL(cp_tx_ip(m), 0);
	CU_ASSERT_EQUAL(cp_neigh_count(), before + 1);
	for (unsigned i = 1; i <= CP_NEIGH_RETRIES; i++) {
		m = tc_one(TC_OUT);	/* request i */
		CU_ASSERT_FATAL(m != NULL);
		check_arp(tc_data(m), tc_bcast, TC_OUT, 1, "10.10.0.1", zero_mac, "10.10.0.8");
		rte_pktmbuf_free(m);
		cp_neigh_tick(now_ms + CP_NEIGH_RETRY_MS / 2);
		CU_ASSERT_EQUAL(tc_flush(), 0);	/* not before the retry time */
		now_ms += CP_NEIGH_RETRY_MS;
		cp_neigh_tick(now_ms);
	}
	CU_ASSERT_EQUAL(tc_flush(), 0);		/* given up: no fourth request */
	CU_ASSERT_EQUAL(tc_counter(CP_C_neigh_unresolved), unresolved + 1);
	CU_ASSERT_EQUAL(cp_neigh_count(), before);
	/* The packet was our own: no ICMP error to ourselves. */
	CU_ASSERT_EQUAL(tc_counter(CP_C_icmp_err_suppressed), supp + 1);
}

static void test_arp_bad(void)
{
	uint64_t bad = tc_counter(CP_C_arp_bad);
	uint8_t f[64];
	size_t n;

	n = arp_frame(f, tc_bcast, tc_peer_mac, 1, "10.10.0.2", zero_mac, "10.10.0.1");
	f[18] = 8;					/* hardware length */
	tc_inject(f, n, TC_OUT, DP_PUNT_ARP);
	n = arp_frame(f, tc_bcast, tc_peer_mac, 3, "10.10.0.2", zero_mac, "10.10.0.1");
	tc_inject(f, n, TC_OUT, DP_PUNT_ARP);		/* RARP opcode */
	n = arp_frame(f, tc_bcast, tc_peer_mac, 1, "10.10.0.2", zero_mac, "10.10.0.1");
	tc_put16(f + 16, 0x86dd);			/* protocol type */
	tc_inject(f, n, TC_OUT, DP_PUNT_ARP);
	n = arp_frame(f, tc_bcast, tc_bcast, 1, "10.10.0.2", zero_mac, "10.10.0.1");
	tc_inject(f, n, TC_OUT, DP_PUNT_ARP);		/* broadcast sender */
	n = arp_frame(f, tc_bcast, tc_peer_mac, 1, "10.10.0.2", zero_mac, "10.10.0.1");
	tc_inject(f, 14 + 20, TC_OUT, DP_PUNT_ARP);	/* truncated */
	CU_ASSERT_EQUAL(tc_flush(), 0);
	CU_ASSERT_EQUAL(tc_counter(CP_C_arp_bad), bad + 5);
}

static void test_arp_conflict(void)
{
	static const uint8_t thief[6] = { 0x02, 0, 0, 0, 0, 0x66 };
	uint64_t c = tc_counter(CP_C_arp_conflict);
	uint8_t f[64];
	size_t n = arp_frame(f, tc_bcast, thief, 1, "10.10.0.1", zero_mac, "10.10.0.1");

	tc_inject(f, n, TC_OUT, DP_PUNT_ARP);
	CU_ASSERT_EQUAL(tc_flush(), 0);
	CU_ASSERT_EQUAL(tc_counter(CP_C_arp_conflict), c + 1);
	/* Our own announcement coming back is no conflict. */
	n = arp_frame(f, tc_bcast, tc_port_mac(TC_OUT), 1, "10.10.0.1", zero_mac, "10.10.0.1");
	tc_inject(f, n, TC_OUT, DP_PUNT_ARP);
	CU_ASSERT_EQUAL(tc_flush(), 0);
	CU_ASSERT_EQUAL(tc_counter(CP_C_arp_conflict), c + 1);
}

static void test_arp_same_mac_peer(void)
{
	uint8_t f[64];
	size_t n;
	struct rte_mbuf *m;

	/* net_tap gives the kernel side of the tap the port's MAC: still a peer. */
	n = arp_frame(f, tc_bcast, tc_port_mac(TC_OUT), 1, "10.10.0.30", zero_mac, "10.10.0.1");
	tc_inject(f, n, TC_OUT, DP_PUNT_ARP);
	m = tc_one(TC_OUT);
	CU_ASSERT_FATAL(m != NULL);
	check_arp(tc_data(m), tc_port_mac(TC_OUT), TC_OUT, 2, "10.10.0.1", tc_port_mac(TC_OUT),
		  "10.10.0.30");
	rte_pktmbuf_free(m);
	CU_ASSERT(neigh_is(TC_OUT, "10.10.0.30", tc_port_mac(TC_OUT)));
}

static void test_arp_merge_only_existing(void)
{
	static const uint8_t moved[6] = { 0x02, 0, 0, 0, 0, 0x22 };
	uint8_t f[64];
	size_t n;

	/* Gratuitous ARP (not addressed to us) refreshes what we hold... */
	n = arp_frame(f, tc_bcast, moved, 1, "10.10.0.2", zero_mac, "10.10.0.2");
	tc_inject(f, n, TC_OUT, DP_PUNT_ARP);
	CU_ASSERT(neigh_is(TC_OUT, "10.10.0.2", moved));
	/* ...but creates nothing. */
	n = arp_frame(f, tc_bcast, moved, 1, "10.10.0.50", zero_mac, "10.10.0.50");
	tc_inject(f, n, TC_OUT, DP_PUNT_ARP);
	CU_ASSERT(neigh_absent(TC_OUT, "10.10.0.50"));
	CU_ASSERT_EQUAL(tc_flush(), 0);
}

static void test_arp_static(void)
{
	uint8_t f[64];
	size_t n;

	CU_ASSERT(neigh_is(TC_OUT, "10.10.0.254", tc_gw254_mac));
	n = arp_frame(f, tc_port_mac(TC_OUT), tc_peer_mac, 2, "10.10.0.254",
		      tc_port_mac(TC_OUT), "10.10.0.1");
	tc_inject(f, n, TC_OUT, DP_PUNT_ARP);
	CU_ASSERT(neigh_is(TC_OUT, "10.10.0.254", tc_gw254_mac));
	/* Static entries never age. */
	cp_neigh_tick(now_ms + (uint64_t)CP_NEIGH_REACHABLE_S * 1000 * 10);
	CU_ASSERT(neigh_is(TC_OUT, "10.10.0.254", tc_gw254_mac));
	tc_flush();	/* refresh requests of the aged dynamic entries */
}

/* The workers' table is full when a mapping is learnt: the CP keeps it and
 * publishes it on the next confirmation once there is room again. */
static void test_arp_publish_retry(void)
{
	static const uint8_t m41[6] = { 0x02, 0, 0, 0, 0, 0x41 };
	struct rte_ether_addr filler = { .addr_bytes = { 0x02, 0, 0, 0, 0, 0x99 } };
	struct gw_addr a = { .family = AF_INET };
	unsigned n = 0;
	uint8_t f[64];
	size_t len;

	while (n < DP_NEIGH_MAX) {
		a.v4 = rte_cpu_to_be_32(0x0ac80000 + n);	/* 10.200.x.y on iface 1 */
		if (dp_neigh_set(TC_IN, &a, &filler) != 0)
			break;
		n++;
	}
	CU_ASSERT_FATAL(n > 0 && n < DP_NEIGH_MAX);
	len = arp_frame(f, tc_port_mac(TC_OUT), m41, 2, "10.10.0.41", tc_port_mac(TC_OUT),
			"10.10.0.1");
	tc_inject(f, len, TC_OUT, DP_PUNT_ARP);
	CU_ASSERT(neigh_absent(TC_OUT, "10.10.0.41"));
	a.v4 = rte_cpu_to_be_32(0x0ac80000);
	CU_ASSERT_EQUAL(dp_neigh_del(TC_IN, &a), 0);
	dp_reclaim();
	tc_inject(f, len, TC_OUT, DP_PUNT_ARP);		/* the same reply again */
	CU_ASSERT(neigh_is(TC_OUT, "10.10.0.41", m41));
	for (unsigned i = 1; i < n; i++) {
		a.v4 = rte_cpu_to_be_32(0x0ac80000 + i);
		dp_neigh_del(TC_IN, &a);
	}
	dp_reclaim();
	CU_ASSERT_EQUAL(dp_neigh_deferred(), 0);
	CU_ASSERT_EQUAL(tc_flush(), 0);
}

/* ---- neighbour discovery ---- */

/* Ethernet + IPv6 + NS/NA with an optional link-layer option. */
static size_t nd_frame(uint8_t *f, const uint8_t eth_dst[6], const uint8_t eth_src[6],
		       const char *src, const char *dst, uint8_t type, uint8_t flags,
		       const char *target, const uint8_t *lladdr, uint8_t hops)
{
	size_t ml = 24 + (lladdr != NULL ? 8 : 0);
	size_t n = tc_eth(f, eth_dst, eth_src, 0x86dd);
	uint8_t *ip = f + n;
	struct gw_addr t = tc_addr(target);

	n += tc_ip6(ip, src, dst, 58, (uint16_t)ml, hops);
	memset(f + n, 0, ml);
	f[n] = type;
	f[n + 4] = flags;
	memcpy(f + n + 8, t.v6, 16);
	if (lladdr != NULL) {
		f[n + 24] = type == 135 ? 1 : 2;
		f[n + 25] = 1;
		memcpy(f + n + 26, lladdr, 6);
	}
	tc_l4_fix(ip, 58);
	return n + ml;
}

static void ll6_of(unsigned iface, char *buf, size_t len)
{
	gw_addr_fmt(&dp_iface_get(iface)->ll6, buf, len);
}

/* Check an NA we sent: addresses, flags, target, our MAC, checksum. */
static void check_na(const uint8_t *f, unsigned iface, const uint8_t eth_dst[6], const char *src,
		     const char *dst, uint8_t flags, const char *target)
{
	const uint8_t *ip = f + 14;

	CU_ASSERT(memcmp(f, eth_dst, 6) == 0);
	CU_ASSERT(memcmp(f + 6, tc_port_mac(iface), 6) == 0);
	CU_ASSERT_EQUAL(tc_get16(f + 12), 0x86dd);
	CU_ASSERT_EQUAL(ip[0] >> 4, 6);
	CU_ASSERT_EQUAL(tc_get16(ip + 4), 32);
	CU_ASSERT_EQUAL(ip[6], 58);
	CU_ASSERT_EQUAL(ip[7], 255);
	CU_ASSERT(tc_addr_at(ip + 8, src));
	CU_ASSERT(tc_addr_at(ip + 24, dst));
	CU_ASSERT_EQUAL(ip[40], 136);
	CU_ASSERT_EQUAL(ip[41], 0);
	CU_ASSERT_EQUAL(ip[44], flags);
	CU_ASSERT(tc_addr_at(ip + 48, target));
	CU_ASSERT_EQUAL(ip[64], 2);
	CU_ASSERT_EQUAL(ip[65], 1);
	CU_ASSERT(memcmp(ip + 66, tc_port_mac(iface), 6) == 0);
	CU_ASSERT(tc_l4_ok(ip, 58));
}

static void test_nd_ns_global(void)
{
	static const uint8_t snm_mac[6] = { 0x33, 0x33, 0xff, 0x00, 0x00, 0x01 };
	uint8_t f[128];
	size_t n = nd_frame(f, snm_mac, tc_peer_mac, "2001:db8:10::2", "ff02::1:ff00:1", 135, 0,
			    "2001:db8:10::1", tc_peer_mac, 255);
	struct rte_mbuf *m;

	tc_inject(f, n, TC_OUT, DP_PUNT_ND);
	m = tc_one(TC_OUT);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 14 + 40 + 32);
	check_na(tc_data(m), TC_OUT, tc_peer_mac, "2001:db8:10::1", "2001:db8:10::2", 0xe0,
		 "2001:db8:10::1");
	rte_pktmbuf_free(m);
	CU_ASSERT(neigh_is(TC_OUT, "2001:db8:10::2", tc_peer_mac));
}

static void test_nd_ns_link_local(void)
{
	char ll[GW_ADDR_STRLEN];
	uint8_t f[128];
	size_t n;
	struct rte_mbuf *m;

	ll6_of(TC_OUT, ll, sizeof(ll));
	/* Unicast NS without a source link-layer option: answer to the frame's source. */
	n = nd_frame(f, tc_port_mac(TC_OUT), tc_peer_mac, "fe80::2", ll, 135, 0, ll, NULL, 255);
	tc_inject(f, n, TC_OUT, DP_PUNT_ND);
	m = tc_one(TC_OUT);
	CU_ASSERT_FATAL(m != NULL);
	check_na(tc_data(m), TC_OUT, tc_peer_mac, ll, "fe80::2", 0xe0, ll);
	rte_pktmbuf_free(m);
	CU_ASSERT(neigh_absent(TC_OUT, "fe80::2"));	/* nothing to learn from */
}

static void test_nd_bad_and_ignored(void)
{
	uint64_t bad = tc_counter(CP_C_nd_bad), ign = tc_counter(CP_C_nd_ignored);
	uint8_t f[128];
	size_t n;

	n = nd_frame(f, tc_port_mac(TC_OUT), tc_peer_mac, "2001:db8:10::2", "2001:db8:10::1",
		     135, 0, "2001:db8:10::1", tc_peer_mac, 64);
	tc_inject(f, n, TC_OUT, DP_PUNT_ND);		/* hop limit not 255 */
	n = nd_frame(f, tc_port_mac(TC_OUT), tc_peer_mac, "2001:db8:10::2", "2001:db8:10::1",
		     135, 0, "2001:db8:10::1", tc_peer_mac, 255);
	f[n - 1] ^= 1;
	tc_inject(f, n, TC_OUT, DP_PUNT_ND);		/* checksum */
	n = nd_frame(f, tc_port_mac(TC_OUT), tc_peer_mac, "2001:db8:10::2", "2001:db8:10::1",
		     135, 0, "2001:db8:10::1", tc_peer_mac, 255);
	f[n - 7] = 0;					/* option length 0 */
	tc_l4_fix(f + 14, 58);
	tc_inject(f, n, TC_OUT, DP_PUNT_ND);
	CU_ASSERT_EQUAL(tc_counter(CP_C_nd_bad), bad + 3);
	n = nd_frame(f, tc_port_mac(TC_OUT), tc_peer_mac, "2001:db8:10::2", "2001:db8:10::1",
		     135, 0, "2001:db8:10::99", tc_peer_mac, 255);
	tc_inject(f, n, TC_OUT, DP_PUNT_ND);		/* not our target */
	/* Router solicitation: 8 bytes + source link-layer option, to ff02::2. */
	n = tc_eth(f, tc_port_mac(TC_OUT), tc_peer_mac, 0x86dd);
	n += tc_ip6(f + n, "fe80::2", "ff02::2", 58, 16, 255);
	memset(f + n, 0, 16);
	f[n] = 133;
	f[n + 8] = 1;
	f[n + 9] = 1;
	memcpy(f + n + 10, tc_peer_mac, 6);
	tc_l4_fix(f + 14, 58);
	tc_inject(f, n + 16, TC_OUT, DP_PUNT_ND);
	CU_ASSERT_EQUAL(tc_counter(CP_C_nd_ignored), ign + 2);
	/* An NA too short for its target is bad. */
	n = nd_frame(f, tc_port_mac(TC_OUT), tc_peer_mac, "2001:db8:10::2", "2001:db8:10::1",
		     136, 0, "2001:db8:10::2", NULL, 255);
	f[14 + 5] = 16;					/* IPv6 payload length */
	tc_l4_fix(f + 14, 58);
	tc_inject(f, 14 + 40 + 16, TC_OUT, DP_PUNT_ND);
	CU_ASSERT_EQUAL(tc_counter(CP_C_nd_bad), bad + 4);
	CU_ASSERT_EQUAL(tc_flush(), 0);
}

static void test_nd_dad(void)
{
	static const uint8_t snm_mac[6] = { 0x33, 0x33, 0xff, 0x00, 0x00, 0x01 };
	static const uint8_t all_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	uint8_t f[128];
	size_t n = nd_frame(f, snm_mac, tc_peer_mac, "::", "ff02::1:ff00:1", 135, 0,
			    "2001:db8:10::1", NULL, 255);
	struct rte_mbuf *m;

	tc_inject(f, n, TC_OUT, DP_PUNT_ND);
	m = tc_one(TC_OUT);
	CU_ASSERT_FATAL(m != NULL);
	check_na(tc_data(m), TC_OUT, all_mac, "2001:db8:10::1", "ff02::1", 0xa0, "2001:db8:10::1");
	rte_pktmbuf_free(m);
}

static void test_nd_resolution(void)
{
	static const uint8_t snm_mac[6] = { 0x33, 0x33, 0xff, 0x00, 0x00, 0x07 };
	uint8_t orig[128], f[128];
	size_t len, n;
	struct rte_mbuf *m = udp_packet("2001:db8:10::1", "2001:db8:10::7", orig, &len);
	const uint8_t *ip;

	CU_ASSERT_EQUAL(cp_tx_ip(m), 0);
	m = tc_one(TC_OUT);
	CU_ASSERT_FATAL(m != NULL);
	ip = tc_data(m) + 14;
	CU_ASSERT(memcmp(tc_data(m), snm_mac, 6) == 0);
	CU_ASSERT(tc_addr_at(ip + 8, "2001:db8:10::1"));
	CU_ASSERT(tc_addr_at(ip + 24, "ff02::1:ff00:7"));
	CU_ASSERT_EQUAL(ip[7], 255);
	CU_ASSERT_EQUAL(ip[40], 135);
	CU_ASSERT(tc_addr_at(ip + 48, "2001:db8:10::7"));
	CU_ASSERT_EQUAL(ip[64], 1);			/* source link-layer option */
	CU_ASSERT(memcmp(ip + 66, tc_port_mac(TC_OUT), 6) == 0);
	CU_ASSERT(tc_l4_ok(ip, 58));
	rte_pktmbuf_free(m);

	n = nd_frame(f, tc_port_mac(TC_OUT), mac7, "2001:db8:10::7", "2001:db8:10::1", 136, 0x60,
		     "2001:db8:10::7", mac7, 255);
	tc_inject(f, n, TC_OUT, DP_PUNT_ND);
	m = tc_one(TC_OUT);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT(memcmp(tc_data(m), mac7, 6) == 0);
	CU_ASSERT_EQUAL(tc_get16(tc_data(m) + 12), 0x86dd);
	CU_ASSERT(memcmp(tc_data(m) + 14, orig, len) == 0);
	rte_pktmbuf_free(m);
	CU_ASSERT(neigh_is(TC_OUT, "2001:db8:10::7", mac7));
}

static void test_nd_unsolicited_unknown(void)
{
	static const uint8_t all_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	uint8_t f[128];
	size_t n = nd_frame(f, all_mac, mac7, "2001:db8:10::70", "ff02::1", 136, 0x20,
			    "2001:db8:10::70", mac7, 255);

	tc_inject(f, n, TC_OUT, DP_PUNT_ND);
	CU_ASSERT(neigh_absent(TC_OUT, "2001:db8:10::70"));
	CU_ASSERT_EQUAL(tc_flush(), 0);
}

/* ---- the event loop ---- */

/* Thread-directed, so that EAL's threads (which do not block these
 * signals in a test) cannot take them; the CP's signalfd reads signals
 * pending for its own thread. */
static void *signaller(void *arg)
{
	pthread_t cp = *(pthread_t *)arg;

	usleep(100 * 1000);
	pthread_kill(cp, SIGHUP);	/* logged, the loop goes on */
	usleep(200 * 1000);
	pthread_kill(cp, SIGTERM);
	return NULL;
}

static double thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_loop_blocks_and_stops(void)
{
	struct timespec t0, t1;
	sigset_t sigs;
	pthread_t th, self = pthread_self();
	double cpu0, wall;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);	/* as main does, for this thread */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cpu0 = thread_cpu_s();
	CU_ASSERT_FATAL(pthread_create(&th, NULL, signaller, &self) == 0);
	CU_ASSERT_EQUAL(cp_run(), 0);
	pthread_join(th, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	wall = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	/* SIGHUP did not stop it; SIGTERM did. */
	CU_ASSERT(wall >= 0.29);
	CU_ASSERT(wall < 5.0);
	/* Idle, it sleeps in epoll: far less CPU than wall time. */
	CU_ASSERT(thread_cpu_s() - cpu0 < wall / 4);
	tc_flush();
}

int main(void)
{
	CU_pSuite s;

	if (tc_setup("cp_arp") != 0) {
		fprintf(stderr, "set-up failed\n");
		return 1;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("init", NULL, NULL);
	CU_add_test(s, "gratuitous ARP and unsolicited NA at start", test_init_announce);
	s = CU_add_suite("arp", NULL, NULL);
	CU_add_test(s, "request for our address is answered", test_arp_reply);
	CU_add_test(s, "requests not for us are ignored", test_arp_not_for_us);
	CU_add_test(s, "a reply to us is learnt", test_arp_reply_learns);
	CU_add_test(s, "a queued packet leaves with the learnt MAC", test_arp_queue_flush);
	CU_add_test(s, "retries, then the queue is dropped", test_arp_retries_then_drop);
	CU_add_test(s, "malformed ARP is counted and dropped", test_arp_bad);
	CU_add_test(s, "a sender claiming our address", test_arp_conflict);
	CU_add_test(s, "a peer with our own MAC (net_tap)", test_arp_same_mac_peer);
	CU_add_test(s, "gratuitous ARP updates existing entries only", test_arp_merge_only_existing);
	CU_add_test(s, "static neighbours", test_arp_static);
	CU_add_test(s, "publishing retried after the table was full", test_arp_publish_retry);
	s = CU_add_suite("nd", NULL, NULL);
	CU_add_test(s, "NS for a global address", test_nd_ns_global);
	CU_add_test(s, "NS for the link-local address", test_nd_ns_link_local);
	CU_add_test(s, "bad and foreign ND", test_nd_bad_and_ignored);
	CU_add_test(s, "duplicate address detection probe", test_nd_dad);
	CU_add_test(s, "resolution through NS/NA flushes the queue", test_nd_resolution);
	CU_add_test(s, "unsolicited NA creates nothing", test_nd_unsolicited_unknown);
	s = CU_add_suite("loop", NULL, NULL);
	CU_add_test(s, "cp_run sleeps when idle, ignores SIGHUP, stops on SIGTERM",
		    test_loop_blocks_and_stops);
	return tc_run_and_teardown();
}
