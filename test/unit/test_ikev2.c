/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKEv2 core without a peer: the IKE SA table, message IDs and
 * retransmission against a fake clock, COOKIEs (RFC 7296 2.6), NAT-D
 * hashes (2.23) against an independent SHA-1, and a responder's
 * IKE_SA_INIT built from a hand-made request (its response parsed back,
 * INVALID_KE_PAYLOAD and COOKIE answers).  Datagrams are captured through
 * ikev2_msg_set_tx().
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <openssl/sha.h>

#include "cfg/cfg.h"
#include "controlplane/ike/ike_dh.h"
#include "controlplane/ike/ike_proposal.h"
#include "controlplane/ike/ike_sa.h"
#include "controlplane/ikev2/ikev2.h"
#include "controlplane/ikev2/ikev2_int.h"
#include "controlplane/ikev2/ikev2_msg.h"
#include "dataplane/dp_sa.h"
#include "test/unit/test_eal.h"
#include "test/unit/test_ike_fixture.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static void cfg_setup(uint32_t cookie_threshold)
{
	tif_config("p", 2, "10.0.0.2", "aes128-sha256-ecp256", "192.168.1.0/24");
	tif_cfg.crypto.ikev2.cookie_threshold = cookie_threshold;
	tif_cfg.crypto.ikev2.max_half_open = 100;
	CU_ASSERT_EQUAL_FATAL(tif_start(), 0);
}

/* ---- the table ---- */

static void test_table(void)
{
	struct ike_sa *sa[64], *s;
	unsigned n = 0;
	uint64_t id = 0;

	CU_ASSERT_EQUAL_FATAL(ike_sa_table_init(), 0);
	for (unsigned i = 0; i < ARRAY_LEN(sa); i++) {
		sa[i] = ike_sa_new(i % 2 ? IKE_RESPONDER : IKE_INITIATOR, 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(sa[i]);
		CU_ASSERT_EQUAL(sa[i]->id, i + 1);
		CU_ASSERT_EQUAL(sa[i]->tunnel, DP_SA_INVALID);
	}
	CU_ASSERT_EQUAL(ike_sa_count(), ARRAY_LEN(sa));
	CU_ASSERT_EQUAL(ike_sa_half_open(), ARRAY_LEN(sa));
	for (unsigned i = 0; i < ARRAY_LEN(sa); i++) {
		const uint8_t *spi = i % 2 ? sa[i]->spi_r : sa[i]->spi_i;

		CU_ASSERT_PTR_EQUAL(ike_sa_find_local_spi(spi), sa[i]);
		CU_ASSERT_PTR_EQUAL(ike_sa_find_id(sa[i]->id), sa[i]);
		for (unsigned k = 0; k < i; k++)
			CU_ASSERT(memcmp(spi, k % 2 ? sa[k]->spi_r : sa[k]->spi_i, 8) != 0);
	}
	ike_sa_state(sa[3], IKE_SA_ESTABLISHED, "test");
	CU_ASSERT_EQUAL(sa[3]->state, IKE_SA_ESTABLISHED);
	CU_ASSERT_EQUAL(ike_sa_half_open(), ARRAY_LEN(sa) - 1);
	CU_ASSERT_STRING_EQUAL(ike_sa_state_name(IKE_SA_AUTH_VERIFY), "AUTH_VERIFY");
	/* kill: DEAD until the reap, then gone from every index */
	for (unsigned i = 0; i < ARRAY_LEN(sa); i += 3)
		ike_sa_kill(sa[i], "test");
	CU_ASSERT_EQUAL(sa[0]->state, IKE_SA_DEAD);
	CU_ASSERT_EQUAL(ike_sa_count(), ARRAY_LEN(sa));
	ike_sa_reap();
	CU_ASSERT_EQUAL(ike_sa_count(), ARRAY_LEN(sa) - (ARRAY_LEN(sa) + 2) / 3);
	CU_ASSERT_PTR_NULL(ike_sa_find_id(1));
	for (unsigned i = 1; i < ARRAY_LEN(sa); i++) {
		if (i % 3 == 0)
			continue;
		CU_ASSERT_PTR_EQUAL(ike_sa_find_local_spi(i % 2 ? sa[i]->spi_r : sa[i]->spi_i),
				    sa[i]);
	}
	while ((s = ike_sa_next(id)) != NULL) {
		CU_ASSERT(s->id > id);
		CU_ASSERT(s->id % 3 != 1);
		id = s->id;
		n++;
	}
	CU_ASSERT_EQUAL(n, ike_sa_count());
	/* children: slots, SPIs */
	{
		struct ike_child *c = ike_sa_child_new(sa[1]);
		uint32_t spi = ike_sa_child_spi_alloc();

		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		CU_ASSERT(spi >= 256);
		c->spi_in = spi;
		c->spi_out = 0x1234;
		CU_ASSERT_PTR_EQUAL(ike_sa_child_by_spi_in(sa[1], spi), c);
		CU_ASSERT_PTR_EQUAL(ike_sa_child_by_spi_out(sa[1], 0x1234), c);
		CU_ASSERT_EQUAL(ike_sa_child_count(sa[1]), 1);
		ike_sa_child_remove(sa[1], c);
		CU_ASSERT_EQUAL(ike_sa_child_count(sa[1]), 0);
	}
	ike_sa_table_fini();
	CU_ASSERT_EQUAL(ike_sa_count(), 0);
}

/* ---- NAT-D (2.23) ---- */

static void test_natd(void)
{
	uint8_t spi_i[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, spi_r[8] = { 9, 10, 11, 12, 13, 14, 15, 16 };
	uint8_t buf[8 + 8 + 16 + 2], want[20], got[20];
	struct gw_addr a4, a6;

	gw_addr_parse("192.0.2.1", &a4);
	gw_addr_parse("2001:db8::1", &a6);
	memcpy(buf, spi_i, 8);
	memcpy(buf + 8, spi_r, 8);
	memcpy(buf + 16, &a4.v4, 4);
	buf[20] = 4500 >> 8;
	buf[21] = 4500 & 0xff;
	SHA1(buf, 22, want);
	ikev2_natd_hash(spi_i, spi_r, &a4, 4500, got);
	CU_ASSERT_EQUAL(memcmp(want, got, 20), 0);
	memcpy(buf + 16, a6.v6, 16);
	buf[32] = 500 >> 8;
	buf[33] = 500 & 0xff;
	SHA1(buf, 34, want);
	ikev2_natd_hash(spi_i, spi_r, &a6, 500, got);
	CU_ASSERT_EQUAL(memcmp(want, got, 20), 0);
	ikev2_natd_hash(spi_i, spi_r, &a6, 501, got);
	CU_ASSERT(memcmp(want, got, 20) != 0);
}

/* ---- COOKIE (2.6) ---- */

static void test_cookie(void)
{
	uint8_t ni[32], spi[8] = { 8, 7, 6, 5, 4, 3, 2, 1 }, ck[IKEV2_COOKIE_LEN];
	struct gw_addr ip, other;

	memset(ni, 0x5a, sizeof(ni));
	gw_addr_parse("198.51.100.7", &ip);
	gw_addr_parse("198.51.100.8", &other);
	ikev2_cookie_rotate(0);
	CU_ASSERT_EQUAL_FATAL(ikev2_cookie_make(ni, sizeof(ni), &ip, spi, ck), 0);
	CU_ASSERT(ikev2_cookie_check(ck, sizeof(ck), ni, sizeof(ni), &ip, spi));
	CU_ASSERT(!ikev2_cookie_check(ck, sizeof(ck), ni, sizeof(ni), &other, spi));
	CU_ASSERT(!ikev2_cookie_check(ck, sizeof(ck) - 1, ni, sizeof(ni), &ip, spi));
	CU_ASSERT(!ikev2_cookie_check(ck, sizeof(ck), ni, sizeof(ni) - 1, &ip, spi));
	spi[0] ^= 1;
	CU_ASSERT(!ikev2_cookie_check(ck, sizeof(ck), ni, sizeof(ni), &ip, spi));
	spi[0] ^= 1;
	ck[10] ^= 0x40;
	CU_ASSERT(!ikev2_cookie_check(ck, sizeof(ck), ni, sizeof(ni), &ip, spi));
	ck[10] ^= 0x40;
	/* the previous secret stays good for one rotation */
	ikev2_cookie_rotate(1);
	CU_ASSERT(ikev2_cookie_check(ck, sizeof(ck), ni, sizeof(ni), &ip, spi));
	ikev2_cookie_rotate(2);
	CU_ASSERT(!ikev2_cookie_check(ck, sizeof(ck), ni, sizeof(ni), &ip, spi));
}

/* ---- message IDs and retransmission ---- */

static unsigned timeouts;

static void on_resp(struct ike_sa *sa, const struct ike_msg *resp, void *arg)
{
	(void)sa;
	(void)arg;
	if (resp == NULL)
		timeouts++;
}

static void test_retransmit(void)
{
	uint8_t msg[IKE_HDR_LEN] = { 0 };
	struct ike_sa *sa;
	uint64_t t;
	unsigned expect = 1;

	cfg_setup(100);
	sa = ike_sa_new(IKE_INITIATOR, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	msg[23] = 0;				/* message ID 0 */
	timeouts = 0;
	CU_ASSERT_EQUAL(ikev2_msg_send_plain(sa, msg, sizeof(msg), true, on_resp, NULL), 0);
	CU_ASSERT_EQUAL(tif_tx.n, 1);
	CU_ASSERT_EQUAL(sa->mid.next_send, 1);
	t = sa->mid.retx_at_ms;
	ikev2_msg_tick(sa, t - 1);
	CU_ASSERT_EQUAL(tif_tx.n, 1);		/* not yet */
	for (unsigned i = 1; i <= IKE_RETX_MAX; i++) {
		uint64_t delay = (uint64_t)IKE_RETX_BASE_MS << i;

		ikev2_msg_tick(sa, t);
		CU_ASSERT_EQUAL(tif_tx.n, ++expect);
		CU_ASSERT_EQUAL(memcmp(tif_tx.buf[1], msg, sizeof(msg)), 0);
		CU_ASSERT_EQUAL(sa->mid.retx, i);
		CU_ASSERT_EQUAL(sa->mid.retx_at_ms, t + (delay < IKE_RETX_CAP_MS ? delay : IKE_RETX_CAP_MS));
		t = sa->mid.retx_at_ms;
	}
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_retx), IKE_RETX_MAX);
	ikev2_msg_tick(sa, t);			/* exhausted */
	CU_ASSERT_EQUAL(tif_tx.n, expect);
	CU_ASSERT_EQUAL(timeouts, 1);
	CU_ASSERT_EQUAL(sa->state, IKE_SA_DEAD);
	CU_ASSERT_PTR_NULL(sa->mid.req);
	tif_stop();
}

/* ---- a responder's IKE_SA_INIT ---- */

static struct ike_dh *req_dh;

/* A hand-made IKE_SA_INIT request offering our peer's proposal with KE
 * of group ke_group (a cookie first when given). */
static size_t make_init_req(uint8_t *buf, size_t cap, uint16_t ke_group, const uint8_t *cookie,
			    size_t cookie_len)
{
	struct tif_init_req r = { .spi_i = 0x0102030405060708ULL, .group = ke_group,
				  .cookie = cookie, .cookie_len = cookie_len, .ni = 0x11,
				  .frag = true };

	ike_dh_free(req_dh);
	return tif_v2_init_req_dh(buf, cap, &r, &req_dh);
}

static void deliver(const uint8_t *msg, size_t len)
{
	struct ike_dgram d;

	memset(&d, 0, sizeof(d));
	gw_addr_parse("10.0.0.2", &d.src);
	gw_addr_parse("10.0.0.1", &d.dst);
	d.sport = 500;
	d.dport = 500;
	d.data = msg;
	d.len = len;
	ikev2_msg_input(&d);
}

static void test_responder_init(void)
{
	static uint8_t req[2048];
	static struct ike_msg m;
	size_t len;
	struct ike_sa *sa;
	const struct ike_notify_pl *n;

	cfg_setup(100);
	len = make_init_req(req, sizeof(req), IKE_DH_ECP256, NULL, 0);
	deliver(req, len);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 1);
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(tif_tx.buf[0], tif_tx.len[0], &m), IKE_MSG_OK);
	CU_ASSERT_EQUAL(m.hdr.exchange, IKE_EXCH_IKE_SA_INIT);
	CU_ASSERT_EQUAL(m.hdr.flags, IKE_HDR_F_R);
	CU_ASSERT_EQUAL(m.hdr.spi_i, 0x0102030405060708ULL);
	CU_ASSERT(m.hdr.spi_r != 0);
	CU_ASSERT_EQUAL(m.n_sa, 1);
	CU_ASSERT_EQUAL(m.sa.n_props, 1);
	CU_ASSERT_EQUAL(m.n_ke, 1);
	CU_ASSERT_EQUAL(m.ke.group, IKE_DH_ECP256);
	CU_ASSERT_EQUAL(m.ke.data.len, 64);
	CU_ASSERT_EQUAL(m.n_nonce, 1);
	CU_ASSERT_EQUAL(m.nonce.len, IKE_NONCE_LEN);
	CU_ASSERT_PTR_NOT_NULL(ike_msg_notify_find(&m, IKE_N_NAT_DETECTION_SOURCE_IP));
	CU_ASSERT_PTR_NOT_NULL(ike_msg_notify_find(&m, IKE_N_NAT_DETECTION_DESTINATION_IP));
	CU_ASSERT_PTR_NOT_NULL(ike_msg_notify_find(&m, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED));
	n = ike_msg_notify_find(&m, IKE_N_SIGNATURE_HASH_ALGORITHMS);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_EQUAL(n->data.len, 6);
	/* the SA: half-open, keys derived, NAT found (the request's zero
	 * NAT-D hashes), frag_ok from the request */
	CU_ASSERT_EQUAL(ike_sa_count(), 1);
	CU_ASSERT_EQUAL(ike_sa_half_open(), 1);
	sa = ike_sa_next(0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	CU_ASSERT_EQUAL(sa->state, IKE_SA_INIT_DONE);
	CU_ASSERT_EQUAL(sa->role, IKE_RESPONDER);
	CU_ASSERT(sa->encap && sa->nat_remote && sa->nat_local);
	CU_ASSERT(sa->frag_ok);
	CU_ASSERT_EQUAL(sa->dh_group, IKE_DH_ECP256);
	CU_ASSERT(sa->keys.prf_len == 32);
	CU_ASSERT_EQUAL(sa->mid.next_recv, 1);
	/* a retransmitted request gets the same response, no second SA */
	deliver(req, len);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 2);
	CU_ASSERT_EQUAL(tif_tx.len[1], tif_tx.len[0]);
	CU_ASSERT_EQUAL(memcmp(tif_tx.buf[1], tif_tx.buf[0], tif_tx.len[0]), 0);
	CU_ASSERT_EQUAL(ike_sa_count(), 1);
	tif_stop();
	ike_dh_free(req_dh);
	req_dh = NULL;
}

static void test_responder_invalid_ke(void)
{
	static uint8_t req[2048];
	static struct ike_msg m;
	const struct ike_notify_pl *n;
	size_t len;

	cfg_setup(100);
	len = make_init_req(req, sizeof(req), IKE_DH_CURVE25519, NULL, 0);
	deliver(req, len);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 1);
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(tif_tx.buf[0], tif_tx.len[0], &m), IKE_MSG_OK);
	n = ike_msg_notify_find(&m, IKE_N_INVALID_KE_PAYLOAD);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_EQUAL(n->data.len, 2);
	CU_ASSERT_EQUAL(n->data.p[0] << 8 | n->data.p[1], IKE_DH_ECP256);
	CU_ASSERT_EQUAL(m.hdr.spi_r, 0);
	CU_ASSERT_EQUAL(ike_sa_count(), 0);	/* stateless */
	tif_stop();
	ike_dh_free(req_dh);
	req_dh = NULL;
}

static void test_responder_cookie(void)
{
	static uint8_t req[2048], ck[IKE_COOKIE_MAX];
	static struct ike_msg m;
	const struct ike_notify_pl *n;
	size_t len, ck_len;

	cfg_setup(0);				/* every request is challenged */
	len = make_init_req(req, sizeof(req), IKE_DH_ECP256, NULL, 0);
	deliver(req, len);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 1);
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(tif_tx.buf[0], tif_tx.len[0], &m), IKE_MSG_OK);
	n = ike_msg_notify_find(&m, IKE_N_COOKIE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_EQUAL(ike_sa_count(), 0);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_cookie_sent), 1);
	ck_len = n->data.len;
	memcpy(ck, n->data.p, ck_len);
	/* a wrong cookie: challenged again */
	ck[5] ^= 1;
	len = make_init_req(req, sizeof(req), IKE_DH_ECP256, ck, ck_len);
	deliver(req, len);
	CU_ASSERT_EQUAL(ike_sa_count(), 0);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_cookie_sent), 2);
	/* the right one (same Ni, SPIi, address): an SA */
	ck[5] ^= 1;
	len = make_init_req(req, sizeof(req), IKE_DH_ECP256, ck, ck_len);
	deliver(req, len);
	CU_ASSERT_EQUAL(ike_sa_count(), 1);
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(tif_tx.buf[2], tif_tx.len[2], &m), IKE_MSG_OK);
	CU_ASSERT_EQUAL(m.n_ke, 1);
	tif_stop();
	ike_dh_free(req_dh);
	req_dh = NULL;
}

int main(void)
{
	static const struct test_case tests[] = {
		{ "IKE SA table: new, find, state, kill, reap, SPIs", test_table },
		{ "NAT-D hash (RFC 7296 2.23) against SHA-1", test_natd },
		{ "COOKIE: make, check, rotation (2.6)", test_cookie },
		{ "retransmission with back-off, then give up", test_retransmit },
		{ "responder IKE_SA_INIT from a hand-made request", test_responder_init },
		{ "responder: INVALID_KE_PAYLOAD, stateless", test_responder_invalid_ke },
		{ "responder: COOKIE challenge above the threshold", test_responder_cookie },
	};

	if (test_suite("ikev2", NULL, NULL, tests, ARRAY_LEN(tests)) != 0)
		return 1;
	return test_run();
}
