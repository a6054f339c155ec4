/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP in the control plane: echo replies (IPv4, IPv6, link-local) byte by
 * byte; errors for punted transit packets (time exceeded, no route, too
 * big, unresolved next hop) with the RFC 1812 / RFC 4443 quote; the rules
 * that forbid an error; the token bucket; and forwarding of packets that
 * waited for ARP or had to be fragmented.
 */
#include "controlplane/cp_icmp.h"
#include "controlplane/cp_neigh.h"
#include "dataplane/dp_stats.h"
#include "test/unit/test_cp.h"

static const uint8_t host_mac[6] = { 0x02, 0, 0, 0, 0, 0x55 };
static const uint8_t mac9[6] = { 0x02, 0, 0, 0, 0, 0x09 };
static uint64_t now_ms = 1000;		/* neighbour clock */
static uint64_t icmp_ms = 1000;		/* token-bucket clock, runs far ahead */

static void refill(void)
{
	icmp_ms += 60000;
	cp_icmp_tick(icmp_ms);
}

/* Ethernet + IP (+ L4 of l4len bytes: UDP, or ICMP with type) from src to dst. */
static size_t ip_frame(uint8_t *f, unsigned iface, const char *src, const char *dst,
		       uint8_t proto, uint8_t type, size_t l4len, uint8_t ttl, uint16_t frag)
{
	bool v6 = strchr(dst, ':') != NULL;
	size_t n = tc_eth(f, tc_port_mac(iface), iface == TC_IN ? host_mac : tc_peer_mac,
			  v6 ? 0x86dd : 0x0800);
	uint8_t *ip = f + n;

	n += v6 ? tc_ip6(ip, src, dst, proto, (uint16_t)l4len, ttl) :
		  tc_ip4(ip, src, dst, proto, (uint16_t)l4len, 77, frag, ttl);
	for (size_t i = 0; i < l4len; i++)
		f[n + i] = (uint8_t)(i * 5 + 1);
	if (proto == 17) {
		tc_put16(f + n + 4, (uint16_t)l4len);
	} else {
		f[n] = type;
		f[n + 1] = 0;
	}
	if ((frag & 0x1fff) == 0)
		tc_l4_fix(ip, proto);
	return n + l4len;
}

/* ---- echo ---- */

static void check_echo_reply(const struct rte_mbuf *m, const uint8_t *req_ip, size_t req_len,
			     const uint8_t eth_dst[6], unsigned iface)
{
	const uint8_t *f = tc_data(m), *ip = f + 14;
	bool v6 = (req_ip[0] >> 4) == 6;
	size_t hl = v6 ? 40 : 20, al = v6 ? 16 : 4, so = v6 ? 8 : 12;

	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 14 + req_len);
	CU_ASSERT(memcmp(f, eth_dst, 6) == 0);
	CU_ASSERT(memcmp(f + 6, tc_port_mac(iface), 6) == 0);
	/* From the address that was pinged, back to the sender. */
	CU_ASSERT(memcmp(ip + so, req_ip + so + al, al) == 0);
	CU_ASSERT(memcmp(ip + so + al, req_ip + so, al) == 0);
	CU_ASSERT_EQUAL(v6 ? ip[7] : ip[8], 64);
	if (!v6)
		CU_ASSERT(tc_ip4_hdr_ok(ip));
	CU_ASSERT_EQUAL(ip[hl], v6 ? 129 : 0);
	CU_ASSERT_EQUAL(ip[hl + 1], 0);
	/* Identifier, sequence and data unchanged; checksum valid. */
	CU_ASSERT(memcmp(ip + hl + 4, req_ip + hl + 4, req_len - hl - 4) == 0);
	CU_ASSERT(tc_l4_ok(ip, v6 ? 58 : 1));
}

static void echo_case(unsigned iface, const char *src, const char *dst, const uint8_t eth_dst[6])
{
	bool v6 = strchr(dst, ':') != NULL;
	uint8_t f[256];
	size_t n = ip_frame(f, iface, src, dst, v6 ? 58 : 1, v6 ? 128 : 8, 64, 64, 0);
	uint64_t tx = tc_counter(CP_C_icmp_echo_tx);
	struct rte_mbuf *m;

	tc_inject(f, n, iface, v6 ? DP_PUNT_ICMP6_LOCAL : DP_PUNT_ICMP_LOCAL);
	m = tc_one(iface);
	CU_ASSERT_FATAL(m != NULL);
	check_echo_reply(m, f + 14, n - 14, eth_dst, iface);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(tc_counter(CP_C_icmp_echo_tx), tx + 1);
}

static void test_echo_v4(void)
{
	echo_case(TC_OUT, "10.10.0.2", "10.10.0.1", tc_peer_mac);
	/* Our address of the other interface, pinged from outside. */
	echo_case(TC_OUT, "10.10.0.2", "192.168.10.1", tc_peer_mac);
	/* Beyond the default gateway. */
	echo_case(TC_OUT, "172.16.0.9", "10.10.0.1", tc_gw254_mac);
}

static void test_echo_v6(void)
{
	char ll[GW_ADDR_STRLEN];

	echo_case(TC_OUT, "2001:db8:10::2", "2001:db8:10::1", tc_peer_mac);
	gw_addr_fmt(&dp_iface_get(TC_OUT)->ll6, ll, sizeof(ll));
	echo_case(TC_OUT, "fe80::2", ll, tc_peer_mac);
}

static void test_echo_bad(void)
{
	uint64_t bad = tc_counter(CP_C_icmp_bad), other = tc_counter(CP_C_icmp_rx_other);
	uint8_t f[256];
	size_t n;

	n = ip_frame(f, TC_OUT, "10.10.0.2", "10.10.0.1", 1, 8, 64, 64, 0);
	f[n - 1] ^= 1;
	tc_inject(f, n, TC_OUT, DP_PUNT_ICMP_LOCAL);
	n = ip_frame(f, TC_OUT, "2001:db8:10::2", "2001:db8:10::1", 58, 128, 64, 64, 0);
	f[n - 1] ^= 1;
	tc_inject(f, n, TC_OUT, DP_PUNT_ICMP6_LOCAL);
	CU_ASSERT_EQUAL(tc_counter(CP_C_icmp_bad), bad + 2);
	n = ip_frame(f, TC_OUT, "10.10.0.2", "10.10.0.1", 1, 0, 64, 64, 0);
	tc_inject(f, n, TC_OUT, DP_PUNT_ICMP_LOCAL);	/* an echo reply */
	CU_ASSERT_EQUAL(tc_counter(CP_C_icmp_rx_other), other + 1);
	CU_ASSERT_EQUAL(tc_flush(), 0);
}

/* ---- errors ---- */

/* Check an error we sent to the host on iface 1, quoting orig_ip. */
static void check_error(const struct rte_mbuf *m, const uint8_t *orig_ip, size_t orig_len,
			uint8_t type, uint8_t code, uint32_t word)
{
	const uint8_t *f = tc_data(m), *ip = f + 14;
	bool v6 = (orig_ip[0] >> 4) == 6;
	size_t hl = v6 ? 40 : 20;
	size_t quote = RTE_MIN(orig_len, v6 ? (size_t)(1280 - 48) : (size_t)548);

	CU_ASSERT(memcmp(f, host_mac, 6) == 0);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 14 + hl + 8 + quote);
	CU_ASSERT(tc_addr_at(ip + (v6 ? 8 : 12), v6 ? "2001:db8:20::1" : "192.168.10.1"));
	CU_ASSERT(memcmp(ip + (v6 ? 24 : 16), orig_ip + (v6 ? 8 : 12), v6 ? 16 : 4) == 0);
	if (!v6)
		CU_ASSERT(tc_ip4_hdr_ok(ip));
	CU_ASSERT_EQUAL(ip[hl], type);
	CU_ASSERT_EQUAL(ip[hl + 1], code);
	CU_ASSERT_EQUAL(tc_get32(ip + hl + 4), word);
	CU_ASSERT(memcmp(ip + hl + 8, orig_ip, quote) == 0);
	CU_ASSERT(tc_l4_ok(ip, v6 ? 58 : 1));
}

static void error_case(const char *dst, uint8_t proto, uint8_t type, size_t l4len, uint8_t ttl,
		       enum dp_punt_reason why, uint8_t etype, uint8_t ecode, uint32_t word)
{
	bool v6 = strchr(dst, ':') != NULL;
	uint8_t f[TC_MAXFRAME];
	size_t n = ip_frame(f, TC_IN, v6 ? "2001:db8:20::5" : "192.168.10.5", dst, proto, type,
			    l4len, ttl, why == DP_PUNT_TOO_BIG && !v6 ? 0x4000 : 0);
	uint64_t tx = tc_counter(CP_C_icmp_err_tx);
	struct rte_mbuf *m;

	tc_inject(f, n, TC_IN, why);
	m = tc_one(TC_IN);
	CU_ASSERT_FATAL(m != NULL);
	check_error(m, f + 14, n - 14, etype, ecode, word);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(tc_counter(CP_C_icmp_err_tx), tx + 1);
	CU_ASSERT_EQUAL(tc_flush(), 0);
}

static void test_time_exceeded(void)
{
	refill();
	error_case("10.20.0.1", 17, 0, 108, 1, DP_PUNT_TTL_EXCEEDED, 11, 0, 0);
	error_case("10.20.0.1", 17, 0, 1380, 1, DP_PUNT_TTL_EXCEEDED, 11, 0, 0);	/* 548 quoted */
	error_case("10.20.0.1", 1, 8, 64, 1, DP_PUNT_TTL_EXCEEDED, 11, 0, 0);	/* echo: info */
	error_case("2001:db8:99::1", 17, 0, 100, 1, DP_PUNT_TTL_EXCEEDED, 3, 0, 0);
	error_case("2001:db8:99::1", 17, 0, 1400, 1, DP_PUNT_TTL_EXCEEDED, 3, 0, 0);
}

static void test_unreachable_and_too_big(void)
{
	refill();
	error_case("2001:db8:55::1", 17, 0, 100, 64, DP_PUNT_NO_ROUTE, 1, 0, 0);
	error_case("10.20.0.1", 17, 0, 1580, 64, DP_PUNT_TOO_BIG, 3, 4, 1500);	/* DF set */
	error_case("2001:db8:99::1", 17, 0, 1560, 64, DP_PUNT_TOO_BIG, 2, 0, 1500);
}

static void test_error_rules(void)
{
	uint64_t supp = tc_counter(CP_C_icmp_err_suppressed);
	uint8_t f[512];

	refill();
	/* Never about an ICMP error. */
	tc_inject(f, ip_frame(f, TC_IN, "192.168.10.5", "10.20.0.1", 1, 3, 64, 1, 0), TC_IN,
		  DP_PUNT_TTL_EXCEEDED);
	tc_inject(f, ip_frame(f, TC_IN, "2001:db8:20::5", "2001:db8:99::1", 58, 1, 64, 1, 0),
		  TC_IN, DP_PUNT_TTL_EXCEEDED);
	/* Never about a fragment other than the first. */
	tc_inject(f, ip_frame(f, TC_IN, "192.168.10.5", "10.20.0.1", 17, 0, 64, 1, 0x2000 | 185),
		  TC_IN, DP_PUNT_TTL_EXCEEDED);
	/* Never about a broadcast or multicast destination, or from a bogus source. */
	tc_inject(f, ip_frame(f, TC_IN, "192.168.10.5", "255.255.255.255", 17, 0, 64, 1, 0),
		  TC_IN, DP_PUNT_TTL_EXCEEDED);
	tc_inject(f, ip_frame(f, TC_IN, "192.168.10.5", "192.168.10.255", 17, 0, 64, 1, 0),
		  TC_IN, DP_PUNT_TTL_EXCEEDED);
	tc_inject(f, ip_frame(f, TC_IN, "0.0.0.0", "10.20.0.1", 17, 0, 64, 1, 0),
		  TC_IN, DP_PUNT_TTL_EXCEEDED);
	/* Never to ourselves. */
	tc_inject(f, ip_frame(f, TC_IN, "192.168.10.1", "10.20.0.1", 17, 0, 64, 1, 0),
		  TC_IN, DP_PUNT_TTL_EXCEEDED);
	CU_ASSERT_EQUAL(tc_flush(), 0);
	CU_ASSERT_EQUAL(tc_counter(CP_C_icmp_err_suppressed), supp + 7);
}

static unsigned burst_of_errors(unsigned n)
{
	uint8_t f[256];
	size_t len = ip_frame(f, TC_IN, "192.168.10.5", "10.20.0.1", 17, 0, 64, 1, 0);
	struct rte_mbuf *p[TC_DRAIN_MAX];
	unsigned got;

	for (unsigned i = 0; i < n; i++)
		tc_inject(f, len, TC_IN, DP_PUNT_TTL_EXCEEDED);
	got = tc_drain(TC_IN, p, TC_DRAIN_MAX);
	tc_free_all(p, got);
	return got;
}

static void test_rate_limit(void)
{
	uint64_t limited = tc_counter(CP_C_icmp_err_ratelimited);

	refill();
	CU_ASSERT_EQUAL(burst_of_errors(CP_ICMP_ERR_BURST + 10), CP_ICMP_ERR_BURST);
	CU_ASSERT_EQUAL(tc_counter(CP_C_icmp_err_ratelimited), limited + 10);
	/* 100 ms later: CP_ICMP_ERR_RATE / 10 new tokens. */
	icmp_ms += 100;
	cp_icmp_tick(icmp_ms);
	CU_ASSERT_EQUAL(burst_of_errors(CP_ICMP_ERR_RATE / 10 + 2), CP_ICMP_ERR_RATE / 10);
	CU_ASSERT_EQUAL(tc_counter(CP_C_icmp_err_ratelimited), limited + 12);
	refill();
}

/* ---- transit packets the CP finishes ---- */

static void test_too_big_fragmented(void)
{
	uint8_t f[TC_MAXFRAME], data[1600] = { 0 };
	size_t n = ip_frame(f, TC_IN, "192.168.10.5", "10.20.0.1", 17, 0, 1580, 64, 0);
	struct rte_mbuf *p[TC_DRAIN_MAX];
	size_t off = 0;
	unsigned got;

	tc_inject(f, n, TC_IN, DP_PUNT_TOO_BIG);	/* DF clear: fragment it */
	got = tc_drain(TC_OUT, p, TC_DRAIN_MAX);
	CU_ASSERT_EQUAL_FATAL(got, 2);
	for (unsigned i = 0; i < got; i++) {
		const uint8_t *ip = tc_data(p[i]) + 14;
		size_t plen = tc_get16(ip + 2) - 20u;

		CU_ASSERT(memcmp(tc_data(p[i]), tc_gw254_mac, 6) == 0);
		CU_ASSERT_EQUAL(ip[8], 63);			/* TTL decremented */
		CU_ASSERT(tc_ip4_hdr_ok(ip));
		CU_ASSERT_EQUAL((tc_get16(ip + 6) & 0x1fff) * 8u, off);
		CU_ASSERT_EQUAL((tc_get16(ip + 6) & 0x2000) != 0, i == 0);
		CU_ASSERT(rte_pktmbuf_pkt_len(p[i]) <= 14 + 1500);
		memcpy(data + off, ip + 20, plen);
		off += plen;
	}
	CU_ASSERT_EQUAL(off, 1580);
	CU_ASSERT(memcmp(data, f + 14 + 20, 1580) == 0);
	tc_free_all(p, got);
	CU_ASSERT_EQUAL(tc_flush(), 0);
}

static void test_neigh_miss_forwarded(void)
{
	uint8_t f[256], a[64];
	size_t n = ip_frame(f, TC_IN, "192.168.10.5", "10.10.0.9", 17, 0, 100, 64, 0);
	struct gw_addr spa = tc_addr("10.10.0.9"), tpa = tc_addr("10.10.0.1");
	uint64_t fwd = tc_counter(CP_C_cp_fwd_pkts);
	struct rte_mbuf *m;
	const uint8_t *ip;
	size_t k;

	tc_inject(f, n, TC_IN, DP_PUNT_NEIGH_MISS);
	m = tc_one(TC_OUT);				/* ARP request for 10.10.0.9 */
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(tc_get16(tc_data(m) + 12), 0x0806);
	CU_ASSERT(tc_addr_at(tc_data(m) + 38, "10.10.0.9"));
	rte_pktmbuf_free(m);
	k = tc_eth(a, tc_port_mac(TC_OUT), mac9, 0x0806);
	tc_put16(a + k, 1);
	tc_put16(a + k + 2, 0x0800);
	a[k + 4] = 6;
	a[k + 5] = 4;
	tc_put16(a + k + 6, 2);
	memcpy(a + k + 8, mac9, 6);
	memcpy(a + k + 14, &spa.v4, 4);
	memcpy(a + k + 18, tc_port_mac(TC_OUT), 6);
	memcpy(a + k + 24, &tpa.v4, 4);
	tc_inject(a, k + 28, TC_OUT, DP_PUNT_ARP);
	m = tc_one(TC_OUT);
	CU_ASSERT_FATAL(m != NULL);
	ip = tc_data(m) + 14;
	CU_ASSERT(memcmp(tc_data(m), mac9, 6) == 0);
	CU_ASSERT(memcmp(tc_data(m) + 6, tc_port_mac(TC_OUT), 6) == 0);
	CU_ASSERT_EQUAL(ip[8], 63);
	CU_ASSERT(tc_ip4_hdr_ok(ip));
	CU_ASSERT(memcmp(ip + 20, f + 14 + 20, 100) == 0);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(tc_counter(CP_C_cp_fwd_pkts), fwd + 1);
}

static void unresolved_case(const char *dst, uint8_t etype, uint8_t ecode)
{
	bool v6 = strchr(dst, ':') != NULL;
	uint8_t f[256];
	size_t n = ip_frame(f, TC_IN, v6 ? "2001:db8:20::5" : "192.168.10.5", dst, 17, 0, 100,
			    64, 0);
	struct rte_mbuf *m;

	refill();
	tc_inject(f, n, TC_IN, DP_PUNT_NEIGH_MISS);
	for (unsigned i = 0; i < CP_NEIGH_RETRIES; i++) {
		CU_ASSERT_EQUAL(tc_drain(TC_OUT, &m, 1), 1);	/* ARP request / NS */
		rte_pktmbuf_free(m);
		now_ms += CP_NEIGH_RETRY_MS;
		cp_neigh_tick(now_ms);
	}
	m = tc_one(TC_IN);
	CU_ASSERT_FATAL(m != NULL);
	/* The quote is the packet as it waited: TTL already decremented. */
	f[14 + (v6 ? 7 : 8)]--;
	if (!v6) {
		tc_put16(f + 14 + 10, 0);
		tc_put16(f + 14 + 10, (uint16_t)~tc_fold(tc_sum(f + 14, 20, 0)));
	}
	check_error(m, f + 14, n - 14, etype, ecode, 0);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(tc_flush(), 0);
}

static void test_neigh_never_resolved(void)
{
	unresolved_case("10.10.0.10", 3, 1);
	unresolved_case("2001:db8:99::1", 1, 3);	/* next hop 2001:db8:10::fe */
}

/* main prints both lists and telemetry returns them in one dict: a name
 * used twice would be printed twice or lose one value. */
static void test_counter_names_unique(void)
{
	unsigned dups = 0;

	for (int i = 0; i < CP_C_MAX; i++) {
		for (int j = 0; j < DP_C_MAX; j++)
			dups += strcmp(cp_counter_name(i), dp_counter_name(j)) == 0;
		for (int j = 0; j < i; j++)
			dups += strcmp(cp_counter_name(i), cp_counter_name(j)) == 0;
	}
	for (int i = 0; i < DP_C_MAX; i++)
		for (int j = 0; j < i; j++)
			dups += strcmp(dp_counter_name(i), dp_counter_name(j)) == 0;
	CU_ASSERT_EQUAL(dups, 0);
	CU_ASSERT_STRING_EQUAL(cp_counter_name(CP_C_cp_fwd_pkts), "cp_fwd_pkts");
}

int main(void)
{
	CU_pSuite s;

	if (tc_setup("cp_icmp") != 0) {
		fprintf(stderr, "set-up failed\n");
		return 1;
	}
	tc_flush();
	tc_learn(TC_OUT, "10.10.0.2", tc_peer_mac);
	tc_learn(TC_OUT, "2001:db8:10::2", tc_peer_mac);
	tc_learn(TC_OUT, "fe80::2", tc_peer_mac);
	tc_learn(TC_IN, "192.168.10.5", host_mac);
	tc_learn(TC_IN, "2001:db8:20::5", host_mac);
	cp_icmp_tick(icmp_ms);
	cp_neigh_tick(now_ms);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("echo", NULL, NULL);
	CU_add_test(s, "IPv4 echo reply", test_echo_v4);
	CU_add_test(s, "IPv6 echo reply, global and link-local", test_echo_v6);
	CU_add_test(s, "bad checksums, replies", test_echo_bad);
	s = CU_add_suite("errors", NULL, NULL);
	CU_add_test(s, "time exceeded quotes the packet", test_time_exceeded);
	CU_add_test(s, "no route and too big", test_unreachable_and_too_big);
	CU_add_test(s, "no error about errors, fragments, broadcasts", test_error_rules);
	CU_add_test(s, "token bucket", test_rate_limit);
	s = CU_add_suite("transit", NULL, NULL);
	CU_add_test(s, "too big without DF is fragmented", test_too_big_fragmented);
	CU_add_test(s, "next hop resolved, packet forwarded", test_neigh_miss_forwarded);
	CU_add_test(s, "next hop never resolves: unreachable", test_neigh_never_resolved);
	s = CU_add_suite("counters", NULL, NULL);
	CU_add_test(s, "data- and control-plane counter names are unique",
		    test_counter_names_unique);
	return tc_run_and_teardown();
}
