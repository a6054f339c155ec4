/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IKE transport: UDP 500/4500 to the gateway reaches the handler with
 * the RFC 3948 non-ESP marker stripped; keepalives, ESP-in-UDP and bad
 * checksums never do.  cp_ike_send builds IPv4/IPv6 + UDP (+ marker),
 * checksums, and fragments what exceeds the MTU; the fragments are fed back
 * through the receive path and must reassemble to the exact message.
 */
#include <errno.h>

#include "controlplane/cp_ike_xport.h"
#include "test/unit/test_cp.h"

enum { BIG = 3000 };

static struct {
	unsigned calls;
	struct ike_dgram last;
	uint8_t data[65536];
} cap;

static uint8_t msg[BIG];

static void capture(const struct ike_dgram *d, void *arg)
{
	(void)arg;
	cap.calls++;
	cap.last = *d;
	cap.last.data = NULL;
	memcpy(cap.data, d->data, d->len);
}

/* Ethernet + IP + UDP from the peer to us; marker on 4500 when asked. */
static size_t udp_frame(uint8_t *f, bool v6, uint16_t sport, uint16_t dport, bool marker,
			const uint8_t *data, size_t len)
{
	size_t n = tc_eth(f, tc_port_mac(TC_OUT), tc_peer_mac, v6 ? 0x86dd : 0x0800);
	uint8_t *ip = f + n;
	size_t ulen = 8 + (marker ? 4 : 0) + len;
	uint8_t *u;

	n += v6 ? tc_ip6(ip, "2001:db8:10::2", "2001:db8:10::1", 17, (uint16_t)ulen, 64) :
		  tc_ip4(ip, "10.10.0.2", "10.10.0.1", 17, (uint16_t)ulen, 1, 0, 64);
	u = f + n;
	tc_put16(u, sport);
	tc_put16(u + 2, dport);
	tc_put16(u + 4, (uint16_t)ulen);
	memset(u + 8, 0, 4);
	memcpy(u + 8 + (marker ? 4 : 0), data, len);
	tc_l4_fix(ip, 17);
	return n + ulen;
}

static void test_rx_500(void)
{
	uint8_t f[512];
	unsigned calls = cap.calls;
	struct gw_addr src = tc_addr("2001:db8:10::2");

	tc_inject(f, udp_frame(f, false, 500, 500, false, msg, 300), TC_OUT, DP_PUNT_IKE);
	CU_ASSERT_EQUAL(cap.calls, calls + 1);
	CU_ASSERT_EQUAL(cap.last.len, 300);
	CU_ASSERT(memcmp(cap.data, msg, 300) == 0);
	tc_inject(f, udp_frame(f, true, 500, 500, false, msg, 300), TC_OUT, DP_PUNT_IKE);
	CU_ASSERT_EQUAL(cap.calls, calls + 2);
	CU_ASSERT(gw_addr_eq(&cap.last.src, &src));
	CU_ASSERT(memcmp(cap.data, msg, 300) == 0);
}

static void test_rx_4500_marker(void)
{
	uint8_t f[512];
	unsigned calls = cap.calls;
	uint64_t drop = tc_counter(CP_C_ike_drop);

	tc_inject(f, udp_frame(f, false, 31000, 4500, true, msg, 120), TC_OUT, DP_PUNT_IKE_NATT);
	CU_ASSERT_EQUAL(cap.calls, calls + 1);
	CU_ASSERT_EQUAL(cap.last.len, 120);		/* marker stripped */
	CU_ASSERT(memcmp(cap.data, msg, 120) == 0);
	CU_ASSERT_EQUAL(cap.last.sport, 31000);
	CU_ASSERT_EQUAL(cap.last.dport, 4500);
	/* No marker: ESP-in-UDP, not IKE. */
	msg[0] = 0x11;
	tc_inject(f, udp_frame(f, false, 4500, 4500, false, msg, 120), TC_OUT, DP_PUNT_IKE_NATT);
	msg[0] = 3;
	CU_ASSERT_EQUAL(cap.calls, calls + 1);
	CU_ASSERT_EQUAL(tc_counter(CP_C_ike_drop), drop + 1);
}

static void test_rx_keepalive(void)
{
	static const uint8_t ka = 0xff;
	uint8_t f[128];
	unsigned calls = cap.calls;
	uint64_t k = tc_counter(CP_C_ike_keepalive);

	tc_inject(f, udp_frame(f, false, 4500, 4500, false, &ka, 1), TC_OUT, DP_PUNT_IKE_NATT);
	CU_ASSERT_EQUAL(cap.calls, calls);
	CU_ASSERT_EQUAL(tc_counter(CP_C_ike_keepalive), k + 1);
}

static void test_rx_checksums(void)
{
	uint8_t f[512];
	unsigned calls = cap.calls;
	uint64_t bad = tc_counter(CP_C_ike_bad_cksum);
	size_t n;

	n = udp_frame(f, false, 500, 500, false, msg, 200);
	f[14 + 20 + 8 + 50] ^= 0x40;			/* payload changed after the sum */
	tc_inject(f, n, TC_OUT, DP_PUNT_IKE);
	CU_ASSERT_EQUAL(cap.calls, calls);
	n = udp_frame(f, true, 500, 500, false, msg, 200);
	tc_put16(f + 14 + 40 + 6, 0);			/* IPv6: zero is not allowed */
	tc_inject(f, n, TC_OUT, DP_PUNT_IKE);
	CU_ASSERT_EQUAL(cap.calls, calls);
	CU_ASSERT_EQUAL(tc_counter(CP_C_ike_bad_cksum), bad + 2);
	n = udp_frame(f, false, 500, 500, false, msg, 200);
	tc_put16(f + 14 + 20 + 6, 0);			/* IPv4: zero means none */
	tc_inject(f, n, TC_OUT, DP_PUNT_IKE);
	CU_ASSERT_EQUAL(cap.calls, calls + 1);
}

static void test_rx_no_handler(void)
{
	uint8_t f[512];
	uint64_t rx = tc_counter(CP_C_ike_rx), drop = tc_counter(CP_C_ike_drop);

	cp_ike_set_handler(NULL, NULL);
	tc_inject(f, udp_frame(f, false, 500, 500, false, msg, 64), TC_OUT, DP_PUNT_IKE);
	cp_ike_set_handler(capture, NULL);
	CU_ASSERT_EQUAL(tc_counter(CP_C_ike_rx), rx + 1);
	CU_ASSERT_EQUAL(tc_counter(CP_C_ike_drop), drop + 1);
}

/* Check a single-frame IKE datagram we sent to the peer. */
static void check_sent4(const uint8_t *f, size_t flen, uint16_t sport, uint16_t dport,
			bool marker, size_t len)
{
	const uint8_t *ip = f + 14, *u = ip + 20;
	size_t ulen = 8 + (marker ? 4 : 0) + len;

	CU_ASSERT_EQUAL(flen, 14 + 20 + ulen);
	CU_ASSERT(memcmp(f, tc_peer_mac, 6) == 0);
	CU_ASSERT(memcmp(f + 6, tc_port_mac(TC_OUT), 6) == 0);
	CU_ASSERT_EQUAL(ip[0], 0x45);
	CU_ASSERT(tc_ip4_hdr_ok(ip));
	CU_ASSERT_EQUAL(tc_get16(ip + 6), 0);		/* DF clear, not a fragment */
	CU_ASSERT_EQUAL(ip[9], 17);
	CU_ASSERT(tc_addr_at(ip + 12, "10.10.0.1"));
	CU_ASSERT(tc_addr_at(ip + 16, "10.10.0.2"));
	CU_ASSERT_EQUAL(tc_get16(u), sport);
	CU_ASSERT_EQUAL(tc_get16(u + 2), dport);
	CU_ASSERT_EQUAL(tc_get16(u + 4), ulen);
	CU_ASSERT(tc_l4_ok(ip, 17));
	if (marker)
		CU_ASSERT(tc_get32(u + 8) == 0);
	CU_ASSERT(memcmp(u + 8 + (marker ? 4 : 0), msg, len) == 0);
}

static void test_send_small(void)
{
	struct gw_addr dst = tc_addr("10.10.0.2");
	uint64_t tx = tc_counter(CP_C_ike_tx);
	struct rte_mbuf *m;

	CU_ASSERT_EQUAL(cp_ike_send(NULL, &dst, 500, 500, msg, 200), 0);
	m = tc_one(TC_OUT);
	CU_ASSERT_FATAL(m != NULL);
	check_sent4(tc_data(m), rte_pktmbuf_pkt_len(m), 500, 500, false, 200);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(cp_ike_send(NULL, &dst, 4500, 4500, msg, 200), 0);
	m = tc_one(TC_OUT);
	CU_ASSERT_FATAL(m != NULL);
	check_sent4(tc_data(m), rte_pktmbuf_pkt_len(m), 4500, 4500, true, 200);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(tc_counter(CP_C_ike_tx), tx + 2);
}

/* Turn a frame we sent into one the peer sends back (swap the addresses). */
static size_t reflect(const struct rte_mbuf *m, uint8_t *f)
{
	size_t len = rte_pktmbuf_pkt_len(m);
	bool v6 = tc_get16(tc_data(m) + 12) == 0x86dd;
	size_t a = v6 ? 16 : 4, so = 14 + (v6 ? 8 : 12);
	uint8_t tmp[16];

	memcpy(f, tc_data(m), len);
	memcpy(f, tc_port_mac(TC_OUT), 6);
	memcpy(f + 6, tc_peer_mac, 6);
	memcpy(tmp, f + so, a);
	memmove(f + so, f + so + a, a);
	memcpy(f + so + a, tmp, a);
	return len;
}

/*
 * Feed the n fragments we sent back through the receive path as if the
 * peer had sent them (and free them): they must reassemble, pass the UDP
 * checksum (and marker) checks and deliver exactly the BIG-byte message.
 */
static void reflect_all(struct rte_mbuf **p, unsigned n, uint16_t dport)
{
	uint8_t f[TC_MAXFRAME];
	unsigned calls = cap.calls;

	for (unsigned i = 0; i < n; i++)
		tc_inject(f, reflect(p[i], f), TC_OUT, DP_PUNT_FRAG);
	tc_free_all(p, n);
	CU_ASSERT_EQUAL(cap.calls, calls + 1);
	CU_ASSERT_EQUAL(cap.last.len, BIG);
	CU_ASSERT(memcmp(cap.data, msg, BIG) == 0);
	CU_ASSERT_EQUAL(cap.last.dport, dport);
}

static void test_send_fragmented_v4(void)
{
	struct gw_addr dst = tc_addr("10.10.0.2");
	struct rte_mbuf *p[TC_DRAIN_MAX];
	size_t ulen = 8 + 4 + BIG, off = 0;
	unsigned n;

	CU_ASSERT_EQUAL(cp_ike_send(NULL, &dst, 4500, 4500, msg, BIG), 0);
	n = tc_drain(TC_OUT, p, TC_DRAIN_MAX);
	CU_ASSERT_EQUAL_FATAL(n, (ulen + 1479) / 1480);
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *ip = tc_data(p[i]) + 14;
		uint16_t fo = tc_get16(ip + 6);
		size_t plen = tc_get16(ip + 2) - 20u;

		CU_ASSERT(rte_pktmbuf_pkt_len(p[i]) <= 14 + 1500);
		CU_ASSERT(memcmp(tc_data(p[i]), tc_peer_mac, 6) == 0);
		CU_ASSERT(tc_ip4_hdr_ok(ip));
		CU_ASSERT_EQUAL(tc_get16(ip + 4), tc_get16(tc_data(p[0]) + 14 + 4));
		CU_ASSERT_EQUAL((fo & 0x1fff) * 8u, off);
		CU_ASSERT_EQUAL((fo & 0x2000) != 0, i + 1 < n);
		CU_ASSERT(i + 1 == n || plen % 8 == 0);
		off += plen;
	}
	CU_ASSERT_EQUAL(off, ulen);
	reflect_all(p, n, 4500);
}

static void test_send_fragmented_v6(void)
{
	struct gw_addr dst = tc_addr("2001:db8:10::2");
	struct rte_mbuf *p[TC_DRAIN_MAX];
	size_t ulen = 8 + BIG, off = 0;
	unsigned n;
	uint32_t id;

	CU_ASSERT_EQUAL(cp_ike_send(NULL, &dst, 500, 500, msg, BIG), 0);
	n = tc_drain(TC_OUT, p, TC_DRAIN_MAX);
	CU_ASSERT_FATAL(n == 3);
	id = tc_get32(tc_data(p[0]) + 14 + 40 + 4);
	CU_ASSERT(id != 0);
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *ip = tc_data(p[i]) + 14;
		size_t plen = tc_get16(ip + 4) - 8u;	/* after the fragment header */

		CU_ASSERT(rte_pktmbuf_pkt_len(p[i]) <= 14 + 1500);
		CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(p[i]), 14 + 40 + 8 + plen);
		CU_ASSERT_EQUAL(ip[6], 44);
		CU_ASSERT_EQUAL(ip[40], 17);			/* next header: UDP */
		CU_ASSERT_EQUAL(tc_get32(ip + 44), id);
		CU_ASSERT_EQUAL((tc_get16(ip + 42) & 1) != 0, i + 1 < n);
		CU_ASSERT_EQUAL(tc_get16(ip + 42) & ~7u, off);
		/* RFC 8200 4.5: every fragment but the last is a multiple of 8. */
		CU_ASSERT(i + 1 == n || plen % 8 == 0);
		off += plen;
	}
	CU_ASSERT_EQUAL(off, ulen);
	reflect_all(p, n, 500);
}

static void test_send_errors(void)
{
	struct gw_addr dst = tc_addr("10.10.0.2"), not_ours = tc_addr("10.10.0.77");
	struct gw_addr far6 = tc_addr("2001:db8:77::1"), other = tc_addr("192.168.10.1");
	struct rte_mbuf *m;

	CU_ASSERT_EQUAL(cp_ike_send(&not_ours, &dst, 500, 500, msg, 10), -EADDRNOTAVAIL);
	CU_ASSERT_EQUAL(cp_ike_send(NULL, &far6, 500, 500, msg, 10), -ENETUNREACH);
	CU_ASSERT_EQUAL(cp_ike_send(NULL, &dst, 500, 500, msg, 0), -EINVAL);
	CU_ASSERT_EQUAL(cp_ike_send(NULL, &dst, 500, 500, msg, 70000), -EMSGSIZE);
	CU_ASSERT_EQUAL(tc_flush(), 0);
	/* Any of our addresses may be the source. */
	CU_ASSERT_EQUAL(cp_ike_send(&other, &dst, 500, 500, msg, 10), 0);
	m = tc_one(TC_OUT);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT(tc_addr_at(tc_data(m) + 14 + 12, "192.168.10.1"));
	CU_ASSERT(tc_l4_ok(tc_data(m) + 14, 17));
	rte_pktmbuf_free(m);
}

int main(void)
{
	CU_pSuite s;

	for (unsigned i = 0; i < BIG; i++)
		msg[i] = (uint8_t)(i * 13 + 3);
	if (tc_setup("cp_ike") != 0) {
		fprintf(stderr, "set-up failed\n");
		return 1;
	}
	tc_flush();
	tc_learn(TC_OUT, "10.10.0.2", tc_peer_mac);
	tc_learn(TC_OUT, "2001:db8:10::2", tc_peer_mac);
	cp_ike_set_handler(capture, NULL);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("receive", NULL, NULL);
	CU_add_test(s, "UDP 500, IPv4 and IPv6", test_rx_500);
	CU_add_test(s, "UDP 4500: marker stripped, ESP refused", test_rx_4500_marker);
	CU_add_test(s, "NAT-T keepalive never reaches the handler", test_rx_keepalive);
	CU_add_test(s, "UDP checksums", test_rx_checksums);
	CU_add_test(s, "no handler registered", test_rx_no_handler);
	s = CU_add_suite("send", NULL, NULL);
	CU_add_test(s, "one datagram, marker on 4500", test_send_small);
	CU_add_test(s, "3000 bytes over IPv4: fragments that reassemble", test_send_fragmented_v4);
	CU_add_test(s, "3000 bytes over IPv6: fragments that reassemble", test_send_fragmented_v6);
	CU_add_test(s, "refused sends", test_send_errors);
	return tc_run_and_teardown();
}
