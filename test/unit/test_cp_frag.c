/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reassembly of IP fragments addressed to the gateway: a UDP 500 datagram
 * cut into fragments by hand (in order, out of order, with duplicates;
 * IPv4 and IPv6) must reach the IKE handler byte for byte; too many
 * fragments and timeouts are dropped and counted.  Floods (issue 8): two
 * thousand datagrams that never complete hold at most CP_FRAG_MAX_ENTRIES
 * of them (one mbuf each here) and every fragment is counted and freed;
 * overlapping fragments never make a datagram; a normal one passes after.
 */
#include <rte_cycles.h>

#include "controlplane/cp_frag.h"
#include "controlplane/cp_ike_xport.h"
#include "test/unit/test_cp.h"

enum { PAYLOAD = 3000, DGRAM_MAX = 8 + PAYLOAD };

static struct {
	unsigned calls;
	struct ike_dgram last;
	uint8_t data[DGRAM_MAX];
} cap;

static uint8_t payload[PAYLOAD];
static uint16_t next_id = 100;

static void capture(const struct ike_dgram *d, void *arg)
{
	(void)arg;
	cap.calls++;
	cap.last = *d;
	cap.last.data = NULL;
	if (d->len <= sizeof(cap.data))
		memcpy(cap.data, d->data, d->len);
}

/* UDP header + payload with its checksum over the given pseudo header. */
static size_t udp_body(uint8_t *u, const char *src, const char *dst, size_t plen)
{
	struct gw_addr s = tc_addr(src), d = tc_addr(dst);
	bool v6 = s.family == AF_INET6;
	uint16_t ck;

	tc_put16(u, 500);
	tc_put16(u + 2, 500);
	tc_put16(u + 4, (uint16_t)(8 + plen));
	tc_put16(u + 6, 0);
	memcpy(u + 8, payload, plen);
	ck = (uint16_t)~tc_fold(tc_sum(u, 8 + plen, 0) +
				tc_pseudo(v6 ? s.v6 : (const uint8_t *)&s.v4,
					  v6 ? d.v6 : (const uint8_t *)&d.v4, v6 ? 16 : 4, 17,
					  (uint32_t)(8 + plen)));
	tc_put16(u + 6, ck == 0 ? 0xffff : ck);
	return 8 + plen;
}

/* One fragment of body (the IP payload) at off, len bytes. */
static void send_frag4(const uint8_t *body, size_t blen, size_t off, size_t len, uint16_t id)
{
	uint8_t f[TC_MAXFRAME];
	bool more = off + len < blen;
	size_t n = tc_eth(f, tc_port_mac(TC_OUT), tc_peer_mac, 0x0800);

	n += tc_ip4(f + n, "10.10.0.2", "10.10.0.1", 17, (uint16_t)len, id,
		    (uint16_t)((more ? 0x2000 : 0) | off / 8), 64);
	memcpy(f + n, body + off, len);
	tc_inject(f, n + len, TC_OUT, DP_PUNT_FRAG);
}

static void send_frag6(const uint8_t *body, size_t blen, size_t off, size_t len, uint32_t id)
{
	uint8_t f[TC_MAXFRAME];
	bool more = off + len < blen;
	size_t n = tc_eth(f, tc_port_mac(TC_OUT), tc_peer_mac, 0x86dd);

	n += tc_ip6(f + n, "2001:db8:10::2", "2001:db8:10::1", 44, (uint16_t)(8 + len), 64);
	f[n] = 17;
	f[n + 1] = 0;
	tc_put16(f + n + 2, (uint16_t)(off | (more ? 1 : 0)));
	tc_put16(f + n + 4, (uint16_t)(id >> 16));
	tc_put16(f + n + 6, (uint16_t)id);
	n += 8;
	memcpy(f + n, body + off, len);
	tc_inject(f, n + len, TC_OUT, DP_PUNT_FRAG);
}

/* Send the fragments of body (chunk bytes each) in the given order. */
static void send_frags(bool v6, const uint8_t *body, size_t blen, size_t chunk,
		       const unsigned *order, unsigned n_order, uint32_t id)
{
	for (unsigned i = 0; i < n_order; i++) {
		size_t off = order[i] * chunk;
		size_t len = RTE_MIN(chunk, blen - off);

		if (v6)
			send_frag6(body, blen, off, len, id);
		else
			send_frag4(body, blen, off, len, (uint16_t)id);
	}
}

static void expect_delivered(bool v6, unsigned calls_before, size_t plen)
{
	CU_ASSERT_EQUAL(cap.calls, calls_before + 1);
	CU_ASSERT_EQUAL(cap.last.len, plen);
	CU_ASSERT(memcmp(cap.data, payload, plen) == 0);
	CU_ASSERT_EQUAL(cap.last.sport, 500);
	CU_ASSERT_EQUAL(cap.last.dport, 500);
	CU_ASSERT_EQUAL(cap.last.iface, TC_OUT);
	CU_ASSERT(gw_addr_eq(&cap.last.src, &(struct gw_addr){ 0 }) == false);
	if (v6) {
		struct gw_addr s = tc_addr("2001:db8:10::2"), d = tc_addr("2001:db8:10::1");

		CU_ASSERT(gw_addr_eq(&cap.last.src, &s) && gw_addr_eq(&cap.last.dst, &d));
	} else {
		struct gw_addr s = tc_addr("10.10.0.2"), d = tc_addr("10.10.0.1");

		CU_ASSERT(gw_addr_eq(&cap.last.src, &s) && gw_addr_eq(&cap.last.dst, &d));
	}
}

static void run_case(bool v6, const unsigned *order, unsigned n, uint64_t dups)
{
	uint8_t body[DGRAM_MAX];
	size_t blen = udp_body(body, v6 ? "2001:db8:10::2" : "10.10.0.2",
			       v6 ? "2001:db8:10::1" : "10.10.0.1", PAYLOAD);
	unsigned calls = cap.calls;
	uint64_t dup = tc_counter(CP_C_frag_dup), re = tc_counter(CP_C_frag_reassembled);
	uint64_t drop = tc_counter(CP_C_frag_drop);

	send_frags(v6, body, blen, v6 ? 1232 : 1480, order, n, next_id++);
	expect_delivered(v6, calls, PAYLOAD);
	CU_ASSERT_EQUAL(tc_counter(CP_C_frag_dup), dup + dups);
	CU_ASSERT_EQUAL(tc_counter(CP_C_frag_reassembled), re + 1);
	CU_ASSERT_EQUAL(tc_counter(CP_C_frag_drop), drop);
	CU_ASSERT_EQUAL(tc_flush(), 0);
}

static void test_v4_in_order(void)
{
	static const unsigned o[] = { 0, 1, 2 };

	run_case(false, o, 3, 0);
}

static void test_v4_out_of_order(void)
{
	static const unsigned o1[] = { 2, 0, 1 }, o2[] = { 1, 2, 0 };

	run_case(false, o1, 3, 0);
	run_case(false, o2, 3, 0);
}

static void test_v4_duplicates(void)
{
	static const unsigned mid[] = { 0, 1, 1, 2 }, first[] = { 0, 0, 1, 2 },
			      last[] = { 2, 1, 2, 0 };

	run_case(false, mid, 4, 1);
	run_case(false, first, 4, 1);
	run_case(false, last, 4, 1);
}

static void test_v6(void)
{
	static const unsigned in[] = { 0, 1, 2 }, out[] = { 2, 1, 0 }, dup[] = { 0, 1, 1, 2 };

	run_case(true, in, 3, 0);
	run_case(true, out, 3, 0);
	run_case(true, dup, 4, 1);
}

static void test_same_id_again(void)
{
	static const unsigned o[] = { 0, 1, 2 };
	uint8_t body[DGRAM_MAX];
	size_t blen = udp_body(body, "10.10.0.2", "10.10.0.1", PAYLOAD);
	unsigned calls = cap.calls;

	/* A retransmission that reuses the IP id is not mistaken for duplicates. */
	send_frags(false, body, blen, 1480, o, 3, 4242);
	send_frags(false, body, blen, 1480, o, 3, 4242);
	CU_ASSERT_EQUAL(cap.calls, calls + 2);
	CU_ASSERT(memcmp(cap.data, payload, PAYLOAD) == 0);
}

static void test_max_fragments(void)
{
	static const unsigned o8[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	static const unsigned o9[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t body[128];
	size_t blen;
	unsigned calls = cap.calls;
	uint64_t drop = tc_counter(CP_C_frag_drop);

	/* RTE_LIBRTE_IP_FRAG_MAX_FRAG fragments: reassembled. */
	blen = udp_body(body, "10.10.0.2", "10.10.0.1", 8 * RTE_LIBRTE_IP_FRAG_MAX_FRAG - 8);
	send_frags(false, body, blen, 8, o8, RTE_LIBRTE_IP_FRAG_MAX_FRAG, next_id++);
	expect_delivered(false, calls, 8 * RTE_LIBRTE_IP_FRAG_MAX_FRAG - 8);
	/* One more: the whole datagram is dropped and counted. */
	blen = udp_body(body, "10.10.0.2", "10.10.0.1", 8 * (RTE_LIBRTE_IP_FRAG_MAX_FRAG + 1) - 8);
	send_frags(false, body, blen, 8, o9, RTE_LIBRTE_IP_FRAG_MAX_FRAG + 1, next_id++);
	CU_ASSERT_EQUAL(cap.calls, calls + 1);
	CU_ASSERT(tc_counter(CP_C_frag_drop) >= drop + RTE_LIBRTE_IP_FRAG_MAX_FRAG);
	/* The straggler left behind times out. */
	cp_frag_expire(rte_rdtsc() + rte_get_tsc_hz() / 1000 * (CP_FRAG_TIMEOUT_MS + 1000));
	CU_ASSERT_EQUAL(tc_counter(CP_C_frag_drop), drop + RTE_LIBRTE_IP_FRAG_MAX_FRAG + 1);
	CU_ASSERT_EQUAL(cap.calls, calls + 1);
}

static void test_timeout(void)
{
	static const unsigned two[] = { 0, 2 }, last[] = { 1 };
	uint64_t later = rte_get_tsc_hz() / 1000 * (CP_FRAG_TIMEOUT_MS + 1000);
	uint8_t body[DGRAM_MAX];
	size_t blen = udp_body(body, "10.10.0.2", "10.10.0.1", PAYLOAD);
	unsigned calls = cap.calls;
	uint64_t drop = tc_counter(CP_C_frag_drop);
	uint16_t id = next_id++;

	send_frags(false, body, blen, 1480, two, 2, id);
	cp_frag_expire(rte_rdtsc());			/* not yet */
	CU_ASSERT_EQUAL(tc_counter(CP_C_frag_drop), drop);
	cp_frag_expire(rte_rdtsc() + later);
	CU_ASSERT_EQUAL(tc_counter(CP_C_frag_drop), drop + 2);
	/* The missing piece arrives too late: it starts a new, hopeless entry. */
	send_frags(false, body, blen, 1480, last, 1, id);
	CU_ASSERT_EQUAL(cap.calls, calls);
	cp_frag_expire(rte_rdtsc() + later);
	CU_ASSERT_EQUAL(tc_counter(CP_C_frag_drop), drop + 3);
	CU_ASSERT_EQUAL(cap.calls, calls);
}

/* A 3000-byte ping in fragments: the reply is 3000 bytes in fragments too. */
static void test_big_ping(void)
{
	uint8_t body[DGRAM_MAX], got[DGRAM_MAX];
	static const unsigned o[] = { 0, 1, 2 };
	struct rte_mbuf *p[TC_DRAIN_MAX];
	size_t blen = 8 + PAYLOAD, off = 0;
	unsigned n;

	body[0] = 8;				/* echo request */
	body[1] = 0;
	tc_put16(body + 4, 0x4242);
	tc_put16(body + 6, 9);
	memcpy(body + 8, payload, PAYLOAD);
	tc_put16(body + 2, 0);
	tc_put16(body + 2, (uint16_t)~tc_fold(tc_sum(body, blen, 0)));
	for (unsigned i = 0; i < 3; i++) {
		uint8_t f[TC_MAXFRAME];
		size_t fo = o[i] * 1480, len = RTE_MIN((size_t)1480, blen - fo);
		size_t k = tc_eth(f, tc_port_mac(TC_OUT), tc_peer_mac, 0x0800);

		k += tc_ip4(f + k, "10.10.0.2", "10.10.0.1", 1, (uint16_t)len, 999,
			    (uint16_t)((fo + len < blen ? 0x2000 : 0) | fo / 8), 64);
		memcpy(f + k, body + fo, len);
		tc_inject(f, k + len, TC_OUT, DP_PUNT_FRAG);
	}
	n = tc_drain(TC_OUT, p, TC_DRAIN_MAX);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *ip = tc_data(p[i]) + 14;
		size_t plen = tc_get16(ip + 2) - 20u;

		CU_ASSERT(tc_ip4_hdr_ok(ip));
		CU_ASSERT(tc_addr_at(ip + 12, "10.10.0.1") && tc_addr_at(ip + 16, "10.10.0.2"));
		CU_ASSERT_EQUAL((tc_get16(ip + 6) & 0x1fff) * 8u, off);
		memcpy(got + off, ip + 20, plen);
		off += plen;
	}
	tc_free_all(p, n);
	CU_ASSERT_EQUAL_FATAL(off, blen);
	CU_ASSERT_EQUAL(got[0], 0);		/* echo reply */
	CU_ASSERT(memcmp(got + 4, body + 4, blen - 4) == 0);
	CU_ASSERT_EQUAL(tc_fold(tc_sum(got, blen, 0)), 0xffff);
}

/* A last fragment whose end makes the datagram longer than 65535 bytes
 * ("ping of death") is dropped at once; one that ends just inside waits. */
static void test_oversized(void)
{
	uint64_t later = rte_get_tsc_hz() / 1000 * (CP_FRAG_TIMEOUT_MS + 1000);
	uint64_t drop = tc_counter(CP_C_frag_drop);
	uint8_t f[256];
	size_t n;

	/* 20 + 65512 + 16 = 65548 */
	n = tc_eth(f, tc_port_mac(TC_OUT), tc_peer_mac, 0x0800);
	n += tc_ip4(f + n, "10.10.0.2", "10.10.0.1", 17, 16, next_id++, 65512 / 8, 64);
	memset(f + n, 0, 16);
	tc_inject(f, n + 16, TC_OUT, DP_PUNT_FRAG);
	CU_ASSERT_EQUAL(tc_counter(CP_C_frag_drop), drop + 1);
	/* 20 + 65496 + 16 = 65532: a plausible tail, held until it times out. */
	n = tc_eth(f, tc_port_mac(TC_OUT), tc_peer_mac, 0x0800);
	n += tc_ip4(f + n, "10.10.0.2", "10.10.0.1", 17, 16, next_id++, 65496 / 8, 64);
	tc_inject(f, n + 16, TC_OUT, DP_PUNT_FRAG);
	CU_ASSERT_EQUAL(tc_counter(CP_C_frag_drop), drop + 1);
	cp_frag_expire(rte_rdtsc() + later);
	CU_ASSERT_EQUAL(tc_counter(CP_C_frag_drop), drop + 2);
	/* IPv6: the fragmentable part alone is bounded: 65520 + 16 > 65535. */
	n = tc_eth(f, tc_port_mac(TC_OUT), tc_peer_mac, 0x86dd);
	n += tc_ip6(f + n, "2001:db8:10::2", "2001:db8:10::1", 44, 8 + 16, 64);
	f[n] = 17;
	f[n + 1] = 0;
	tc_put16(f + n + 2, 65520);
	tc_put16(f + n + 4, 0);
	tc_put16(f + n + 6, next_id++);
	memset(f + n + 8, 0, 16);
	tc_inject(f, n + 8 + 16, TC_OUT, DP_PUNT_FRAG);
	CU_ASSERT_EQUAL(tc_counter(CP_C_frag_drop), drop + 3);
}

/* mbufs of the pool in use now. */
static unsigned in_use(void)
{
	return rte_mempool_in_use_count(dp_mbuf_pool());
}

static void test_flood_incomplete(void)
{
	static const unsigned all[] = { 0, 1, 2 };
	uint64_t later = rte_get_tsc_hz() / 1000 * (CP_FRAG_TIMEOUT_MS + 1000);
	uint8_t body[DGRAM_MAX];
	size_t blen = udp_body(body, "10.10.0.2", "10.10.0.1", PAYLOAD);
	uint64_t drop = tc_counter(CP_C_frag_drop), rx = tc_counter(CP_C_frag_rx);
	unsigned base = in_use(), peak = 0, calls = cap.calls;
	uint64_t t0 = rte_rdtsc();
	enum { N = 2000 };

	/* the first fragment of N datagrams, never the rest */
	for (unsigned i = 0; i < N; i++) {
		send_frag4(body, blen, 0, 1480, (uint16_t)(20000 + i));
		if (in_use() - base > peak)
			peak = in_use() - base;
	}
	CU_ASSERT_EQUAL(tc_counter(CP_C_frag_rx), rx + N);
	CU_ASSERT(peak <= CP_FRAG_MAX_ENTRIES);
	/* what the table could not take is dropped at once, counted */
	CU_ASSERT_EQUAL(tc_counter(CP_C_frag_drop), drop + N - (in_use() - base));
	CU_ASSERT_EQUAL(cap.calls, calls);
	/* a complete datagram still passes while the table is full of them
	 * (when its bucket has room) or after the timeout */
	cp_frag_expire(rte_rdtsc() + later);
	CU_ASSERT_EQUAL(tc_counter(CP_C_frag_drop), drop + N);
	CU_ASSERT_EQUAL(in_use(), base);
	printf("\n    %u incomplete datagrams: at most %u mbufs held (table %u), %.1f us a "
	       "fragment\n", N, peak, (unsigned)CP_FRAG_MAX_ENTRIES,
	       (double)(rte_rdtsc() - t0) * 1e6 / (double)rte_get_tsc_hz() / N);
	send_frags(false, body, blen, 1480, all, 3, next_id++);
	expect_delivered(false, calls, PAYLOAD);
}

static void test_overlap(void)
{
	uint64_t later = rte_get_tsc_hz() / 1000 * (CP_FRAG_TIMEOUT_MS + 1000);
	uint8_t body[DGRAM_MAX];
	size_t blen = udp_body(body, "10.10.0.2", "10.10.0.1", PAYLOAD);
	uint64_t drop = tc_counter(CP_C_frag_drop);
	unsigned base = in_use(), calls = cap.calls;
	uint16_t id = next_id++;

	/* sizes adding up to the total, with an overlap and a hole */
	send_frag4(body, blen, 0, 1480, id);
	send_frag4(body, blen, 1472, 1480, id);
	send_frag4(body, blen, 2960, blen - 2960, id);
	/* sizes above the total (an overlap): never complete */
	id = next_id++;
	send_frag4(body, blen, 0, 1480, id);
	send_frag4(body, blen, 8, 1480, id);
	send_frag4(body, blen, 1480, blen - 1480, id);
	/* a fragment rewriting an earlier one at the same offset: a duplicate */
	id = next_id++;
	send_frag4(body, blen, 0, 1480, id);
	send_frag4(body, blen, 0, 1000, id);
	CU_ASSERT_EQUAL(cap.calls, calls);
	cp_frag_expire(rte_rdtsc() + later);
	CU_ASSERT_EQUAL(tc_counter(CP_C_frag_drop), drop + 7);
	CU_ASSERT_EQUAL(cap.calls, calls);
	CU_ASSERT_EQUAL(in_use(), base);
}

static void test_not_for_us(void)
{
	uint8_t f[256];
	uint64_t drop = tc_counter(CP_C_frag_drop);
	size_t n = tc_eth(f, tc_port_mac(TC_OUT), tc_peer_mac, 0x0800);

	n += tc_ip4(f + n, "10.10.0.2", "10.10.0.99", 17, 64, 7, 0x2000, 64);
	memset(f + n, 0, 64);
	tc_inject(f, n + 64, TC_OUT, DP_PUNT_FRAG);
	CU_ASSERT_EQUAL(tc_counter(CP_C_frag_drop), drop + 1);
}

int main(void)
{
	CU_pSuite s;

	for (unsigned i = 0; i < PAYLOAD; i++)
		payload[i] = (uint8_t)(i * 7 + 3);
	if (tc_setup("cp_frag") != 0) {
		fprintf(stderr, "set-up failed\n");
		return 1;
	}
	tc_flush();
	tc_learn(TC_OUT, "10.10.0.2", tc_peer_mac);
	cp_ike_set_handler(capture, NULL);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("reassembly", NULL, NULL);
	CU_add_test(s, "IPv4 in order", test_v4_in_order);
	CU_add_test(s, "IPv4 out of order", test_v4_out_of_order);
	CU_add_test(s, "IPv4 with duplicate fragments", test_v4_duplicates);
	CU_add_test(s, "IPv6 in order, reversed, duplicate", test_v6);
	CU_add_test(s, "the same IP id twice", test_same_id_again);
	CU_add_test(s, "fragment limit", test_max_fragments);
	CU_add_test(s, "timeout", test_timeout);
	CU_add_test(s, "fragments not for us", test_not_for_us);
	CU_add_test(s, "datagrams beyond 65535 bytes", test_oversized);
	CU_add_test(s, "a fragmented ping gets a fragmented reply", test_big_ping);
	CU_add_test(s, "flood of incomplete datagrams: bounded, counted, freed",
		    test_flood_incomplete);
	CU_add_test(s, "overlapping fragments never make a datagram", test_overlap);
	return tc_run_and_teardown();
}
