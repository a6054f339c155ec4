/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * INFORMATIONAL and CREATE_CHILD_SA (controlplane/ikev2/ikev2_info.c,
 * ikev2_child.c) without a real peer: the test plays the peer.  It holds
 * the peer's copies of an IKE SA's SK keys, encrypts the peer's requests
 * and responses into ikev2_msg_input(), and decrypts what the gateway sends
 * (captured with ikev2_msg_set_tx).  The data plane runs (dp_init with
 * null ports, workers not launched), so installs and retires are real.
 *   - DELETE payloads built and mapped (our spi_out -> our spi_in, unknown
 *     and repeated SPIs skipped, other protocols ignored);
 *   - the responder's DELETE answer lists our inbound SPIs of the same
 *     children (RFC 7296 1.4.1); an IKE SA DELETE gets an empty answer and
 *     kills the SA; an empty INFORMATIONAL gets an empty answer;
 *   - our DELETE: children retired before it is sent, SA killed on the
 *     answer and on timeout;
 *   - DPD: due-ness on a fake clock; a check sent, answered or not (dead);
 *   - CHILD rekey as responder, make-before-break: new inbound at once, the
 *     tunnel's outbound switched only by the old child's DELETE;
 *   - CHILD rekey as initiator: new pair on the response, then DELETE of
 *     the old one (outbound at once, inbound on the answer);
 *   - 2.8.1 simultaneous rekey: nonce decision table, lost and won;
 *   - REKEY_SA of an unknown SPI, a CHILD SA that is no rekey; rekey time.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_common.h>

#include "cfg/cfg.h"
#include "common/gw_esp.h"
#include "common/gw_ike.h"
#include "controlplane/cp_sa.h"
#include "controlplane/ike/ike_dh.h"
#include "controlplane/ike/ike_msg.h"
#include "controlplane/ike/ike_prf.h"
#include "controlplane/ike/ike_proposal.h"
#include "controlplane/ike/ike_sa.h"
#include "controlplane/ike/ike_sk.h"
#include "controlplane/ikev2/ikev2.h"
#include "controlplane/ikev2/ikev2_int.h"
#include "controlplane/ikev2/ikev2_msg.h"
#include "dataplane/dp_sa.h"
#include "test/unit/test_dp.h"
#include "test/unit/test_ike_fixture.h"

enum {
	TUNNEL = 3,
};

/* ---- the peer ---- */

static struct ike_sa *new_sa(void)
{
	struct ike_sa *sa = tif_v2_sa(0);

	sa->tunnel = TUNNEL;
	return sa;
}

/* A child of sa: in the fast path when install. */
static struct ike_child *add_child(struct ike_sa *sa, uint32_t spi_in, uint32_t spi_out,
				   bool install)
{
	struct ike_child *c = ike_sa_child_new(sa);
	struct gw_sa_desc in, out;

	CU_ASSERT_FATAL(c != NULL);
	c->spi_in = spi_in;
	c->spi_out = spi_out;
	c->esp_alg = ESP_ALG_AES128GCM16;
	c->local_ts[0] = tif_peer.local_ts[0];
	c->remote_ts[0] = tif_peer.remote_ts[0];
	c->n_local_ts = c->n_remote_ts = 1;
	c->created_ms = ikev2_now_ms();
	if (!install)
		return c;
	memset(&in, 0, sizeof(in));
	snprintf(in.name, sizeof(in.name), "test");
	in.session_id = sa->id;
	in.tunnel = TUNNEL;
	in.alg = ESP_ALG_AES128GCM16;
	in.encap = true;
	in.encap_sport = in.encap_dport = 4500;
	in.local = sa->local;
	in.remote = sa->remote;
	in.enc_key_len = (uint8_t)gw_esp_enc_key_len(ESP_ALG_AES128GCM16);
	memset(in.enc_key, 0x11, in.enc_key_len);
	in.local_ts[0] = c->local_ts[0];
	in.remote_ts[0] = c->remote_ts[0];
	in.n_local_ts = in.n_remote_ts = 1;
	out = in;
	in.dir = GW_SA_IN;
	in.spi = spi_in;
	out.dir = GW_SA_OUT;
	out.spi = spi_out;
	CU_ASSERT_FATAL(cp_sa_install_ike_pair(&in, &out, &c->h_in, &c->h_out) == 0);
	c->installed = true;
	return c;
}

/* Encrypt b's len octets as the peer and deliver them. */
static void peer_send(const struct ike_sa *sa, uint8_t exch, bool response, uint32_t msg_id,
		      const struct ike_build *b, long len)
{
	CU_ASSERT_FATAL(len >= 0);
	tif_v2_send(sa, exch, response, msg_id, b->first, b->buf, (size_t)len, 0, 0, false);
}

static void peer_request(const struct ike_sa *sa, uint8_t exch, const struct ike_build *ib,
			 long len)
{
	peer_send(sa, exch, false, tif_v2.mid++, ib, len);
}

static uint32_t d_spi(const struct ike_delete_pl *d, unsigned i)
{
	uint32_t v;

	memcpy(&v, d->spis + 4 * i, 4);
	return ntohl(v);
}

static void peer_delete_esp(const struct ike_sa *sa, const uint32_t *spi, unsigned n)
{
	tif_v2_inner_begin();
	CU_ASSERT_FATAL(ikev2_info_add_child_delete(&tif_v2.ib, spi, n) == 0);
	peer_request(sa, IKE_EXCH_INFORMATIONAL, &tif_v2.ib, tif_v2_inner_end());
}

/* ---- payloads ---- */

static void test_delete_payload(void)
{
	uint32_t spis[IKE_CHILD_MAX + 1] = { 0x01020304, 0xc0000001, 256 };
	struct ike_msg m;
	long len;

	tif_v2_inner_begin();
	CU_ASSERT_EQUAL(ikev2_info_add_child_delete(&tif_v2.ib, spis, 0), 0);
	CU_ASSERT_EQUAL(tif_v2.ib.len, 0);
	CU_ASSERT_EQUAL(ikev2_info_add_child_delete(&tif_v2.ib, spis, IKE_CHILD_MAX + 1), -EINVAL);
	CU_ASSERT_EQUAL(ikev2_info_add_child_delete(&tif_v2.ib, spis, 3), 0);
	len = ike_msg_build_end(&tif_v2.ib);
	CU_ASSERT_EQUAL_FATAL(len, 4 + 4 + 12);
	memset(&m, 0, sizeof(m));
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse_inner(&m, tif_v2.ib.first, tif_v2.ibuf, (size_t)len), IKE_MSG_OK);
	CU_ASSERT_EQUAL_FATAL(m.n_d, 1);
	CU_ASSERT_EQUAL(m.d[0].proto, IKE_PROTO_ESP);
	CU_ASSERT_EQUAL(m.d[0].spi_size, 4);
	CU_ASSERT_EQUAL_FATAL(m.d[0].n_spi, 3);
	CU_ASSERT_EQUAL(memcmp(m.d[0].spis, "\x01\x02\x03\x04\xc0\x00\x00\x01\x00\x00\x01\x00", 12), 0);
}

static void test_delete_map(void)
{
	struct ike_sa *sa = new_sa();
	struct ike_child *a = add_child(sa, 0x1000, 0x2000, false);
	struct ike_child *b = add_child(sa, 0x1001, 0x2001, false);
	uint8_t spis[16] = { 0, 0, 0x20, 0x01, 0, 0, 0x99, 0x99, 0, 0, 0x20, 0x00, 0, 0, 0x20, 0x01 };
	struct ike_delete_pl d = { IKE_PROTO_ESP, 4, 4, spis };
	struct ike_child *out[IKE_CHILD_MAX];

	CU_ASSERT_EQUAL_FATAL(ikev2_info_map_child_delete(sa, &d, out, IKE_CHILD_MAX), 2);
	CU_ASSERT_PTR_EQUAL(out[0], b);
	CU_ASSERT_PTR_EQUAL(out[1], a);
	CU_ASSERT_EQUAL(ikev2_info_map_child_delete(sa, &d, out, 1), 1);	/* room for one */
	d.proto = IKE_PROTO_AH;
	CU_ASSERT_EQUAL(ikev2_info_map_child_delete(sa, &d, out, IKE_CHILD_MAX), 0);
	d.proto = IKE_PROTO_ESP;
	d.spi_size = 8;
	d.n_spi = 2;
	CU_ASSERT_EQUAL(ikev2_info_map_child_delete(sa, &d, out, IKE_CHILD_MAX), 0);
	ike_sa_kill(sa, "test done");
}

/* ---- INFORMATIONAL responder ---- */

static void test_peer_deletes_child(void)
{
	struct ike_sa *sa = new_sa();
	uint32_t del[2] = { 0x2001, 0xdead };
	struct ike_msg *m;

	add_child(sa, 0x1000, 0x2000, true);
	add_child(sa, 0x1001, 0x2001, true);
	peer_delete_esp(sa, del, 2);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 1);
	m = tif_v2_sent(0);
	CU_ASSERT_EQUAL(m->hdr.exchange, IKE_EXCH_INFORMATIONAL);
	CU_ASSERT(m->hdr.flags & IKE_HDR_F_R);
	CU_ASSERT_EQUAL(m->hdr.msg_id, 0);
	CU_ASSERT_EQUAL_FATAL(m->n_d, 1);
	CU_ASSERT_EQUAL(m->d[0].proto, IKE_PROTO_ESP);
	CU_ASSERT_EQUAL_FATAL(m->d[0].n_spi, 1);
	CU_ASSERT_EQUAL(d_spi(&m->d[0], 0), 0x1001);		/* our inbound SPI */
	CU_ASSERT_PTR_NULL(ike_sa_child_by_spi_in(sa, 0x1001));
	CU_ASSERT_PTR_NOT_NULL(ike_sa_child_by_spi_in(sa, 0x1000));
	CU_ASSERT_EQUAL(dp_sa_find_in(0x1001), DP_SA_INVALID);
	CU_ASSERT_NOT_EQUAL(dp_sa_find_in(0x1000), DP_SA_INVALID);
	/* only unknown SPIs: an empty answer, nothing removed */
	del[0] = 0x7777;
	peer_delete_esp(sa, del, 1);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 2);
	m = tif_v2_sent(1);
	CU_ASSERT_EQUAL(m->n_d, 0);
	CU_ASSERT_EQUAL(ike_sa_child_count(sa), 1);
	ike_sa_kill(sa, "test done");
}

static void test_empty_informational(void)
{
	struct ike_sa *sa = new_sa();
	struct ike_msg *m;

	sa->last_rx_ms = 1;
	tif_v2_inner_begin();
	peer_request(sa, IKE_EXCH_INFORMATIONAL, &tif_v2.ib, tif_v2_inner_end());
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 1);
	m = tif_v2_sent(0);
	CU_ASSERT(m->hdr.flags & IKE_HDR_F_R);
	CU_ASSERT_EQUAL(m->n_d + m->n_n + m->n_sa, 0);
	CU_ASSERT(sa->last_rx_ms > 1);
	CU_ASSERT_EQUAL(sa->state, IKE_SA_ESTABLISHED);
	ike_sa_kill(sa, "test done");
}

static void test_peer_deletes_ike_sa(void)
{
	struct ike_sa *sa = new_sa();
	uint64_t deleted = ikev2_counter(IKEV2_C_ikev2_deleted);
	struct ike_msg *m;

	add_child(sa, 0x1100, 0x2100, true);
	tif_v2_inner_begin();
	ike_msg_add_delete(&tif_v2.ib, IKE_PROTO_IKE, 0, 0, NULL);
	peer_request(sa, IKE_EXCH_INFORMATIONAL, &tif_v2.ib, tif_v2_inner_end());
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 1);
	m = tif_v2_sent(0);
	CU_ASSERT(m->hdr.flags & IKE_HDR_F_R);
	CU_ASSERT_EQUAL(m->n_d, 0);
	CU_ASSERT_EQUAL(sa->state, IKE_SA_DEAD);
	CU_ASSERT_EQUAL(dp_sa_find_in(0x1100), DP_SA_INVALID);
	CU_ASSERT_EQUAL(dp_tunnel_out_sa(TUNNEL), DP_SA_INVALID);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_deleted), deleted + 1);
}

/* ---- our DELETE ---- */

static void test_we_delete_ike_sa(void)
{
	struct ike_sa *sa = new_sa();
	struct ike_msg *m;

	add_child(sa, 0x1200, 0x2200, true);
	CU_ASSERT_EQUAL(ikev2_info_send_delete(sa), 0);
	CU_ASSERT_EQUAL(sa->state, IKE_SA_DELETING);
	CU_ASSERT_EQUAL(ike_sa_child_count(sa), 0);		/* traffic stops now */
	CU_ASSERT_EQUAL(dp_sa_find_in(0x1200), DP_SA_INVALID);
	CU_ASSERT_EQUAL(dp_tunnel_out_sa(TUNNEL), DP_SA_INVALID);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 1);
	m = tif_v2_sent(0);
	CU_ASSERT_FALSE(m->hdr.flags & IKE_HDR_F_R);
	CU_ASSERT_EQUAL_FATAL(m->n_d, 1);
	CU_ASSERT_EQUAL(m->d[0].proto, IKE_PROTO_IKE);
	CU_ASSERT_EQUAL(m->d[0].n_spi, 0);
	tif_v2_inner_begin();
	peer_send(sa, IKE_EXCH_INFORMATIONAL, true, m->hdr.msg_id, &tif_v2.ib, tif_v2_inner_end());
	CU_ASSERT_EQUAL(sa->state, IKE_SA_DEAD);
}

static void test_we_delete_timeout(void)
{
	struct ike_sa *sa = new_sa();
	uint64_t now = ikev2_now_ms();

	CU_ASSERT_EQUAL(ikev2_info_send_delete(sa), 0);
	for (unsigned i = 0; i < 20 && sa->state != IKE_SA_DEAD; i++) {
		now += IKE_RETX_CAP_MS;
		ikev2_msg_tick(sa, now);
	}
	CU_ASSERT_EQUAL(sa->state, IKE_SA_DEAD);
	CU_ASSERT_EQUAL(tif_tx.n, 1 + IKE_RETX_MAX);
}

/* Shutdown (ike_sa_drain): established SAs get a DELETE and stay until it
 * is answered, half-open ones go silently, nothing new is accepted. */
static void test_drain(void)
{
	struct ike_sa *sa = new_sa(), *half = ike_sa_new(IKE_INITIATOR, 0);
	uint64_t answered = ikev2_counter(IKEV2_C_ikev2_delete_answered);
	struct ike_msg *m;

	CU_ASSERT_PTR_NOT_NULL_FATAL(half);
	add_child(sa, 0x1300, 0x2300, true);
	CU_ASSERT_EQUAL(ike_sa_drain("test shutdown"), 1u);
	CU_ASSERT(ike_sa_draining());
	CU_ASSERT_EQUAL(half->state, IKE_SA_DEAD);
	CU_ASSERT_EQUAL(sa->state, IKE_SA_DELETING);
	CU_ASSERT_EQUAL(dp_sa_find_in(0x1300), DP_SA_INVALID);
	CU_ASSERT_EQUAL(ike_sa_live(), 1u);
	CU_ASSERT_PTR_NULL(ike_sa_new(IKE_RESPONDER, 0));
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 1);			/* the half-open one: nothing */
	m = tif_v2_sent(0);
	CU_ASSERT_EQUAL_FATAL(m->n_d, 1);
	CU_ASSERT_EQUAL(m->d[0].proto, IKE_PROTO_IKE);
	tif_v2_inner_begin();
	peer_send(sa, IKE_EXCH_INFORMATIONAL, true, m->hdr.msg_id, &tif_v2.ib, tif_v2_inner_end());
	CU_ASSERT_EQUAL(sa->state, IKE_SA_DEAD);
	CU_ASSERT_EQUAL(ike_sa_live(), 0u);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_delete_answered), answered + 1);
	ike_sa_reap();
	tif_stop();
	CU_ASSERT_EQUAL_FATAL(tif_start(), 0);
	CU_ASSERT_FALSE(ike_sa_draining());
}

/* ---- liveness ---- */

static void test_dpd_due(void)
{
	struct ike_sa sa;

	memset(&sa, 0, sizeof(sa));
	sa.state = IKE_SA_ESTABLISHED;
	sa.last_rx_ms = 100000;
	CU_ASSERT_FALSE(ikev2_info_dpd_due(&sa, 0, 1000000));		/* off */
	CU_ASSERT_FALSE(ikev2_info_dpd_due(&sa, 30, 129999));		/* heard lately */
	CU_ASSERT_TRUE(ikev2_info_dpd_due(&sa, 30, 130000));
	sa.dpd_at_ms = 140000;						/* one per interval */
	CU_ASSERT_FALSE(ikev2_info_dpd_due(&sa, 30, 139999));
	CU_ASSERT_TRUE(ikev2_info_dpd_due(&sa, 30, 140000));
	sa.mid.req = (uint8_t *)&sa;					/* an exchange runs */
	CU_ASSERT_FALSE(ikev2_info_dpd_due(&sa, 30, 200000));
	sa.mid.req = NULL;
	sa.state = IKE_SA_DELETING;
	CU_ASSERT_FALSE(ikev2_info_dpd_due(&sa, 30, 200000));
}

static void test_dpd_alive_and_dead(void)
{
	struct ike_sa *sa = new_sa();
	uint64_t now = ikev2_now_ms(), dead = ikev2_counter(IKEV2_C_ikev2_dpd_dead);
	struct ike_msg *m;

	sa->last_rx_ms = now - 4000;
	ikev2_info_tick(sa, now);				/* interval 5 s: not yet */
	CU_ASSERT_EQUAL(tif_tx.n, 0);
	ikev2_info_tick(sa, now + 1000);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 1);
	m = tif_v2_sent(0);
	CU_ASSERT_EQUAL(m->hdr.exchange, IKE_EXCH_INFORMATIONAL);
	CU_ASSERT_FALSE(m->hdr.flags & IKE_HDR_F_R);
	CU_ASSERT_EQUAL(m->n_d + m->n_n, 0);
	ikev2_info_tick(sa, now + 1001);			/* one outstanding */
	CU_ASSERT_EQUAL(tif_tx.n, 1);
	tif_v2_inner_begin();
	peer_send(sa, IKE_EXCH_INFORMATIONAL, true, m->hdr.msg_id, &tif_v2.ib, tif_v2_inner_end());
	CU_ASSERT_EQUAL(sa->state, IKE_SA_ESTABLISHED);
	CU_ASSERT_PTR_NULL(sa->mid.req);
	ikev2_info_tick(sa, now + 2000);			/* just heard from it */
	CU_ASSERT_EQUAL(tif_tx.n, 1);
	/* now the peer vanishes */
	now = sa->last_rx_ms + 7000;
	ikev2_info_tick(sa, now);
	CU_ASSERT_EQUAL(tif_tx.n, 2);
	for (unsigned i = 0; i < 20 && sa->state != IKE_SA_DEAD; i++) {
		now += IKE_RETX_CAP_MS;
		ikev2_msg_tick(sa, now);
	}
	CU_ASSERT_EQUAL(sa->state, IKE_SA_DEAD);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_dpd_dead), dead + 1);
}

/* ---- CREATE_CHILD_SA ---- */

static void test_rekey_nonce_rule(void)
{
	static const uint8_t lo[4] = { 0, 0, 0, 1 }, mid[4] = { 0x50, 0, 0, 0 },
			     hi[4] = { 0xff, 0, 0, 0 }, lo3[3] = { 0, 0, 0 };

	/* the exchange holding the lowest nonce loses */
	CU_ASSERT_FALSE(ikev2_rekey_we_win(lo, 4, hi, 4, mid, 4, hi, 4));
	CU_ASSERT_FALSE(ikev2_rekey_we_win(hi, 4, lo, 4, mid, 4, hi, 4));
	CU_ASSERT_TRUE(ikev2_rekey_we_win(mid, 4, hi, 4, hi, 4, lo, 4));
	CU_ASSERT_TRUE(ikev2_rekey_we_win(hi, 4, mid, 4, lo, 4, hi, 4));
	/* same octets: the shorter is lower */
	CU_ASSERT_TRUE(ikev2_rekey_we_win(lo, 4, hi, 4, lo3, 3, hi, 4));
}

static void test_rekey_time(void)
{
	uint64_t lo = 1000 + 3600ull * 900 - 3600ull * 50, hi = 1000 + 3600ull * 900;

	CU_ASSERT_EQUAL(ikev2_rekey_time(1000, 3600, 0), hi);
	CU_ASSERT_EQUAL(ikev2_rekey_time(1000, 3600, 3600 * 50), lo);
	for (uint32_t r = 1; r < 4000000000u; r += 123456789) {
		uint64_t t = ikev2_rekey_time(1000, 3600, r);

		CU_ASSERT(t >= lo && t <= hi);
	}
	CU_ASSERT_EQUAL(ikev2_rekey_time(5, 0, 77), 5);
}

/* The peer's rekey request of the child whose spi_out is old_out. */
static void peer_rekey(const struct ike_sa *sa, uint32_t old_out, uint32_t new_spi,
		       uint8_t nonce_fill)
{
	struct gw_ike_proposal props[IKE_SA_MAX_PROPOSALS];
	uint8_t body[1024], nonce[32];
	uint32_t o = htonl(old_out), n = htonl(new_spi);
	int np = ike_proposals_from_cfg(&tif_peer, IKE_SA_PROTO_ESP, props, IKE_SA_MAX_PROPOSALS);
	int len = ike_sa_encode(body, sizeof(body), props, (unsigned)np, (const uint8_t *)&n, 4);

	CU_ASSERT_FATAL(np > 0 && len > 0);
	memset(nonce, nonce_fill, sizeof(nonce));
	tif_v2_inner_begin();
	ike_msg_add_notify(&tif_v2.ib, IKE_PROTO_ESP, &o, 4, IKE_N_REKEY_SA, NULL, 0);
	ike_msg_add_raw(&tif_v2.ib, IKE_PL_SA, false, body, (size_t)len);
	ike_msg_add_nonce(&tif_v2.ib, nonce, sizeof(nonce));
	peer_request(sa, IKE_EXCH_CREATE_CHILD_SA, &tif_v2.ib, tif_v2_inner_end());
}

/* The peer's answer to our rekey request m: proposal 1, its SPI. */
static void peer_rekey_answer(const struct ike_sa *sa, const struct ike_msg *m,
			      uint32_t spi, uint8_t nonce_fill)
{
	struct gw_ike_proposal props[IKE_SA_MAX_PROPOSALS];
	uint8_t body[1024], nonce[32];
	uint32_t n = htonl(spi);
	int np = ike_proposals_from_cfg(&tif_peer, IKE_SA_PROTO_ESP, props, IKE_SA_MAX_PROPOSALS);
	int len = ike_sa_encode_one(body, sizeof(body), &props[0], 1, (const uint8_t *)&n, 4);

	CU_ASSERT_FATAL(np > 0 && len > 0);
	memset(nonce, nonce_fill, sizeof(nonce));
	tif_v2_inner_begin();
	ike_msg_add_raw(&tif_v2.ib, IKE_PL_SA, false, body, (size_t)len);
	ike_msg_add_nonce(&tif_v2.ib, nonce, sizeof(nonce));
	peer_send(sa, IKE_EXCH_CREATE_CHILD_SA, true, m->hdr.msg_id, &tif_v2.ib, tif_v2_inner_end());
}

static void test_child_rekey_responder(void)
{
	struct ike_sa *sa = new_sa();
	struct ike_child *old = add_child(sa, 0x1300, 0x2300, true), *c;
	uint32_t old_h_out = old->h_out, del = 0x2300;
	struct ike_msg *m;

	peer_rekey(sa, 0x2300, 0x3300, 0x55);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 1);
	m = tif_v2_sent(0);
	CU_ASSERT(m->hdr.flags & IKE_HDR_F_R);
	CU_ASSERT_EQUAL_FATAL(m->n_sa, 1);
	CU_ASSERT_EQUAL(m->n_nonce, 1);
	CU_ASSERT_EQUAL(m->n_tsi + m->n_tsr, 2);
	CU_ASSERT_EQUAL_FATAL(m->sa.n_props, 1);
	CU_ASSERT_EQUAL_FATAL(m->sa.props[0].spi_size, 4);
	c = ike_sa_child_by_spi_out(sa, 0x3300);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->spi_in, ntohl(*(const uint32_t *)(const void *)m->sa.props[0].spi));
	/* new inbound at once; outbound still the old one */
	CU_ASSERT_NOT_EQUAL(dp_sa_find_in(c->spi_in), DP_SA_INVALID);
	CU_ASSERT_EQUAL(c->h_out, DP_SA_INVALID);
	CU_ASSERT_EQUAL(dp_tunnel_out_sa(TUNNEL), old_h_out);
	CU_ASSERT_EQUAL(old->rekeyed_by, c->spi_in);
	/* a second rekey of the replaced child: TEMPORARY_FAILURE (2.25) */
	peer_rekey(sa, 0x2300, 0x3301, 0x56);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 2);
	m = tif_v2_sent(1);
	CU_ASSERT_PTR_NOT_NULL(ike_msg_notify_find(m, IKE_N_TEMPORARY_FAILURE));
	/* the initiator deletes the old child: the outbound switches */
	peer_delete_esp(sa, &del, 1);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 3);
	m = tif_v2_sent(2);
	CU_ASSERT_EQUAL_FATAL(m->n_d, 1);
	CU_ASSERT_EQUAL(d_spi(&m->d[0], 0), 0x1300);
	CU_ASSERT_NOT_EQUAL(c->h_out, DP_SA_INVALID);
	CU_ASSERT_EQUAL(dp_tunnel_out_sa(TUNNEL), c->h_out);
	CU_ASSERT_EQUAL(dp_sa_find_in(0x1300), DP_SA_INVALID);
	CU_ASSERT_PTR_NULL(ike_sa_child_by_spi_in(sa, 0x1300));
	ike_sa_kill(sa, "test done");
}

static void test_child_rekey_refusals(void)
{
	struct ike_sa *sa = new_sa();
	struct gw_ike_proposal props[IKE_SA_MAX_PROPOSALS];
	uint8_t body[1024], nonce[32] = { 1 };
	uint32_t n = htonl(0x3400);
	int np, len;
	const struct ike_notify_pl *nf;
	struct ike_msg *m;

	add_child(sa, 0x1400, 0x2400, true);
	peer_rekey(sa, 0x9999, 0x3400, 0x55);			/* unknown child */
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 1);
	m = tif_v2_sent(0);
	nf = ike_msg_notify_find(m, IKE_N_CHILD_SA_NOT_FOUND);
	CU_ASSERT_PTR_NOT_NULL_FATAL(nf);
	CU_ASSERT_EQUAL(nf->proto, IKE_PROTO_ESP);
	CU_ASSERT_EQUAL(nf->spi.len, 4);
	/* a new CHILD SA that is no rekey */
	np = ike_proposals_from_cfg(&tif_peer, IKE_SA_PROTO_ESP, props, IKE_SA_MAX_PROPOSALS);
	len = ike_sa_encode(body, sizeof(body), props, (unsigned)np, (const uint8_t *)&n, 4);
	tif_v2_inner_begin();
	ike_msg_add_raw(&tif_v2.ib, IKE_PL_SA, false, body, (size_t)len);
	ike_msg_add_nonce(&tif_v2.ib, nonce, sizeof(nonce));
	peer_request(sa, IKE_EXCH_CREATE_CHILD_SA, &tif_v2.ib, tif_v2_inner_end());
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 2);
	CU_ASSERT_PTR_NOT_NULL(ike_msg_notify_find(tif_v2_sent(1), IKE_N_NO_ADDITIONAL_SAS));
	CU_ASSERT_EQUAL(ike_sa_child_count(sa), 1);
	ike_sa_kill(sa, "test done");
}

/* A new CHILD SA (no REKEY_SA) on an IKE SA without one: strongSwan's
 * re-creation after a hard expiry.  Selectors narrowed to the peer's
 * configuration; none inside it: TS_UNACCEPTABLE. */
static void peer_new_child(const struct ike_sa *sa, uint32_t spi, const char *tsi,
			   const char *tsr)
{
	struct gw_ike_proposal props[IKE_SA_MAX_PROPOSALS];
	struct gw_prefix pi = test_prefix(tsi), pr = test_prefix(tsr);
	uint8_t body[1024], nonce[32];
	uint32_t n = htonl(spi);
	int np = ike_proposals_from_cfg(&tif_peer, IKE_SA_PROTO_ESP, props, IKE_SA_MAX_PROPOSALS);
	int len = ike_sa_encode(body, sizeof(body), props, (unsigned)np, (const uint8_t *)&n, 4);

	memset(nonce, 0x21, sizeof(nonce));
	tif_v2_inner_begin();
	ike_msg_add_raw(&tif_v2.ib, IKE_PL_SA, false, body, (size_t)len);
	ike_msg_add_nonce(&tif_v2.ib, nonce, sizeof(nonce));
	ikev2_ts_add(&tif_v2.ib, IKE_PL_TSI, &pi, 1);
	ikev2_ts_add(&tif_v2.ib, IKE_PL_TSR, &pr, 1);
	peer_request(sa, IKE_EXCH_CREATE_CHILD_SA, &tif_v2.ib, tif_v2_inner_end());
}

static void test_child_new(void)
{
	struct ike_sa *sa = new_sa();
	struct ike_child *c;
	struct ike_msg *m;

	peer_new_child(sa, 0x3900, "10.99.0.0/16", "192.168.10.0/24");	/* not theirs */
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 1);
	CU_ASSERT_PTR_NOT_NULL(ike_msg_notify_find(tif_v2_sent(0), IKE_N_TS_UNACCEPTABLE));
	CU_ASSERT_EQUAL(ike_sa_child_count(sa), 0);
	peer_new_child(sa, 0x3900, "172.16.0.0/12", "192.168.10.0/24");
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 2);
	m = tif_v2_sent(1);
	CU_ASSERT_EQUAL_FATAL(m->n_sa, 1);
	CU_ASSERT_EQUAL(m->n_tsi + m->n_tsr, 2);
	CU_ASSERT_EQUAL_FATAL(m->tsi.n, 1);
	CU_ASSERT_EQUAL(memcmp(m->tsi.ts[0].start, "\xac\x10\x01\x00", 4), 0);	/* narrowed */
	c = ike_sa_child_by_spi_out(sa, 0x3900);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->n_remote_ts, 1);
	CU_ASSERT_EQUAL(c->remote_ts[0].len, 24);
	CU_ASSERT_NOT_EQUAL(dp_sa_find_in(c->spi_in), DP_SA_INVALID);
	CU_ASSERT_EQUAL(dp_tunnel_out_sa(TUNNEL), c->h_out);
	/* one is enough */
	peer_new_child(sa, 0x3901, "172.16.1.0/24", "192.168.10.0/24");
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 3);
	CU_ASSERT_PTR_NOT_NULL(ike_msg_notify_find(tif_v2_sent(2), IKE_N_NO_ADDITIONAL_SAS));
	ike_sa_kill(sa, "test done");
}

/* Start our rekey of child old by its timer; returns our request. */
static struct ike_msg *start_rekey(struct ike_sa *sa, struct ike_child *old, unsigned idx)
{
	struct ike_msg *m;
	const struct ike_notify_pl *nf;

	old->rekey_at_ms = 1;
	sa->rekey_at_ms = UINT64_MAX;			/* not the IKE SA */
	ikev2_child_tick(sa, ikev2_now_ms());
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, idx + 1);
	m = tif_v2_sent(idx);
	CU_ASSERT_EQUAL(m->hdr.exchange, IKE_EXCH_CREATE_CHILD_SA);
	CU_ASSERT_FALSE(m->hdr.flags & IKE_HDR_F_R);
	nf = ike_msg_notify_find(m, IKE_N_REKEY_SA);
	CU_ASSERT_PTR_NOT_NULL_FATAL(nf);
	CU_ASSERT_EQUAL(nf->proto, IKE_PROTO_ESP);
	CU_ASSERT_EQUAL(ntohl(*(const uint32_t *)(const void *)nf->spi.p), old->spi_in);
	CU_ASSERT_EQUAL(m->n_sa + m->n_nonce + m->n_tsi + m->n_tsr, 4);
	CU_ASSERT_EQUAL(m->n_ke, 0);				/* no PFS configured */
	return m;
}

static void test_child_rekey_initiator(void)
{
	struct ike_sa *sa = new_sa();
	struct ike_child *old = add_child(sa, 0x1500, 0x2500, true), *c;
	uint32_t del = 0x2500;
	struct ike_msg *m = start_rekey(sa, old, 0);

	peer_rekey_answer(sa, m, 0x3500, 0x77);
	c = ike_sa_child_by_spi_out(sa, 0x3500);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_NOT_EQUAL(c->h_in, DP_SA_INVALID);
	CU_ASSERT_EQUAL(dp_tunnel_out_sa(TUNNEL), c->h_out);	/* new pair */
	/* then the old one's DELETE: outbound gone, inbound until answered */
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 2);
	m = tif_v2_sent(1);
	CU_ASSERT_EQUAL(m->hdr.exchange, IKE_EXCH_INFORMATIONAL);
	CU_ASSERT_EQUAL_FATAL(m->n_d, 1);
	CU_ASSERT_EQUAL(d_spi(&m->d[0], 0), 0x1500);
	CU_ASSERT_EQUAL(old->h_out, DP_SA_INVALID);
	CU_ASSERT_NOT_EQUAL(dp_sa_find_in(0x1500), DP_SA_INVALID);
	tif_v2_inner_begin();
	ikev2_info_add_child_delete(&tif_v2.ib, &del, 1);
	peer_send(sa, IKE_EXCH_INFORMATIONAL, true, m->hdr.msg_id, &tif_v2.ib, tif_v2_inner_end());
	CU_ASSERT_EQUAL(dp_sa_find_in(0x1500), DP_SA_INVALID);
	CU_ASSERT_PTR_NULL(ike_sa_child_by_spi_in(sa, 0x1500));
	CU_ASSERT_EQUAL(dp_tunnel_out_sa(TUNNEL), c->h_out);
	ike_sa_kill(sa, "test done");
}

/* A fast-path lifetime event (cp_sa_tick's hook) rekeys the child whose
 * handle it names; a handle of no child is ignored. */
static void test_child_expire(void)
{
	struct ike_sa *sa = new_sa();
	struct ike_child *c = add_child(sa, 0x1a00, 0x2a00, true);
	const struct ike_notify_pl *nf;
	struct ike_msg *m;

	sa->rekey_at_ms = UINT64_MAX;
	ikev2_child_expire(c->h_out + 1000, false);
	CU_ASSERT_EQUAL(tif_tx.n, 0);
	ikev2_child_expire(c->h_out, false);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 1);
	m = tif_v2_sent(0);
	CU_ASSERT_EQUAL(m->hdr.exchange, IKE_EXCH_CREATE_CHILD_SA);
	nf = ike_msg_notify_find(m, IKE_N_REKEY_SA);
	CU_ASSERT_PTR_NOT_NULL_FATAL(nf);
	CU_ASSERT_EQUAL(ntohl(*(const uint32_t *)(const void *)nf->spi.p), 0x1a00);
	ike_sa_kill(sa, "test done");
}

/* 2.8.1, we lose: our exchange holds the lowest nonce (the peer's Nr). */
static void test_child_rekey_collision_lost(void)
{
	struct ike_sa *sa = new_sa();
	struct ike_child *old = add_child(sa, 0x1600, 0x2600, true), *theirs;
	uint32_t old_h_out = old->h_out, del = 0x2600;
	struct ike_msg *m = start_rekey(sa, old, 0);
	uint32_t our_new = ntohl(*(const uint32_t *)(const void *)m->sa.props[0].spi);
	uint32_t our_mid = m->hdr.msg_id;

	peer_rekey(sa, 0x2600, 0x3601, 0xff);			/* theirs meanwhile */
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 2);
	theirs = ike_sa_child_by_spi_out(sa, 0x3601);
	CU_ASSERT_PTR_NOT_NULL_FATAL(theirs);
	/* m: still our request, capture 0 (start_rekey) */
	m->hdr.msg_id = our_mid;
	peer_rekey_answer(sa, m, 0x3600, 0x00);			/* lowest nonce: ours loses */
	CU_ASSERT_EQUAL(dp_sa_find_in(our_new), DP_SA_INVALID);	/* never installed */
	CU_ASSERT_EQUAL(dp_tunnel_out_sa(TUNNEL), old_h_out);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 3);
	m = tif_v2_sent(2);						/* DELETE of ours */
	CU_ASSERT_EQUAL_FATAL(m->n_d, 1);
	CU_ASSERT_EQUAL(d_spi(&m->d[0], 0), our_new);
	/* the winner deletes the old child: its successor takes the traffic */
	peer_delete_esp(sa, &del, 1);
	CU_ASSERT_NOT_EQUAL(theirs->h_out, DP_SA_INVALID);
	CU_ASSERT_EQUAL(dp_tunnel_out_sa(TUNNEL), theirs->h_out);
	CU_ASSERT_PTR_NULL(ike_sa_child_by_spi_in(sa, 0x1600));
	ike_sa_kill(sa, "test done");
}

/* 2.8.1, we win: the peer's exchange holds the lowest nonce (its Ni). */
static void test_child_rekey_collision_won(void)
{
	struct ike_sa *sa = new_sa();
	struct ike_child *old = add_child(sa, 0x1700, 0x2700, true), *ours, *theirs;
	struct ike_msg *m = start_rekey(sa, old, 0);
	uint32_t our_mid = m->hdr.msg_id, del;

	peer_rekey(sa, 0x2700, 0x3701, 0x00);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 2);
	theirs = ike_sa_child_by_spi_out(sa, 0x3701);
	CU_ASSERT_PTR_NOT_NULL_FATAL(theirs);
	m->hdr.msg_id = our_mid;
	peer_rekey_answer(sa, m, 0x3700, 0xff);
	ours = ike_sa_child_by_spi_out(sa, 0x3700);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ours);
	CU_ASSERT_EQUAL(dp_tunnel_out_sa(TUNNEL), ours->h_out);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 3);
	m = tif_v2_sent(2);						/* DELETE of the old one */
	CU_ASSERT_EQUAL_FATAL(m->n_d, 1);
	CU_ASSERT_EQUAL(d_spi(&m->d[0], 0), 0x1700);
	/* the loser deletes its child: ours keeps the traffic */
	del = 0x3701;
	peer_delete_esp(sa, &del, 1);
	CU_ASSERT_PTR_NULL(ike_sa_child_by_spi_out(sa, 0x3701));
	CU_ASSERT_EQUAL(dp_tunnel_out_sa(TUNNEL), ours->h_out);
	ikev2_child_tick(sa, ikev2_now_ms() + 60000);		/* nothing pending revives */
	CU_ASSERT_EQUAL(dp_tunnel_out_sa(TUNNEL), ours->h_out);
	ike_sa_kill(sa, "test done");
}

/* KEYMAT's first SA is the exchange initiator's outbound (2.17), whatever
 * the IKE SA's role: an IKE SA responder that sent the CREATE_CHILD_SA
 * request sends with i2r. */
static void test_child_keys_direction(void)
{
	struct ike_sa *sa = new_sa();			/* the IKE SA's responder */
	struct ike_child *c = add_child(sa, 0x1c00, 0x2c00, false);
	struct gw_sa_desc i2r, r2i, in, out;
	uint8_t ni[32], nr[32];
	struct ike_chunk none = { NULL, 0 }, cni = { ni, 32 }, cnr = { nr, 32 };
	size_t kl = gw_esp_enc_key_len(ESP_ALG_AES128GCM16);

	for (unsigned i = 0; i < 32; i++) {
		ni[i] = (uint8_t)(0x10 + i);
		nr[i] = (uint8_t)(0x90 + i);
	}
	memset(&i2r, 0, sizeof(i2r));
	memset(&r2i, 0, sizeof(r2i));
	CU_ASSERT_FATAL(ike_child_keymat(sa->keys.prf,
					 (struct ike_chunk){ sa->keys.sk_d, sa->keys.prf_len },
					 ESP_ALG_AES128GCM16, none, cni, cnr, &i2r, &r2i) == 0);
	CU_ASSERT_FATAL(memcmp(i2r.enc_key, r2i.enc_key, kl) != 0);
	/* we sent the request */
	CU_ASSERT_FATAL(ikev2_child_keys(sa, c, true, none, cni, cnr, &in, &out) == 0);
	CU_ASSERT_EQUAL(memcmp(out.enc_key, i2r.enc_key, kl), 0);
	CU_ASSERT_EQUAL(memcmp(in.enc_key, r2i.enc_key, kl), 0);
	CU_ASSERT_EQUAL(in.spi, 0x1c00);
	CU_ASSERT_EQUAL(out.spi, 0x2c00);
	CU_ASSERT_EQUAL(in.dir, GW_SA_IN);
	CU_ASSERT_EQUAL(out.dir, GW_SA_OUT);
	CU_ASSERT(out.encap && out.encap_sport == 4500 && out.tunnel == TUNNEL);
	CU_ASSERT_EQUAL(out.n_local_ts, 1);
	gw_sa_desc_wipe(&in);
	gw_sa_desc_wipe(&out);
	/* we answered it */
	CU_ASSERT_FATAL(ikev2_child_keys(sa, c, false, none, cni, cnr, &in, &out) == 0);
	CU_ASSERT_EQUAL(memcmp(out.enc_key, r2i.enc_key, kl), 0);
	CU_ASSERT_EQUAL(memcmp(in.enc_key, i2r.enc_key, kl), 0);
	gw_sa_desc_wipe(&in);
	gw_sa_desc_wipe(&out);
	gw_sa_desc_wipe(&i2r);
	gw_sa_desc_wipe(&r2i);
	/* IKE_AUTH's child: installed both ways, the tunnel's outbound */
	memcpy(sa->ni, ni, 32);
	memcpy(sa->nr, nr, 32);
	sa->ni_len = sa->nr_len = 32;
	CU_ASSERT_EQUAL_FATAL(ikev2_child_install_first(sa, c), 0);
	CU_ASSERT(c->installed);
	CU_ASSERT_NOT_EQUAL(dp_sa_find_in(0x1c00), DP_SA_INVALID);
	CU_ASSERT_EQUAL(dp_tunnel_out_sa(TUNNEL), c->h_out);
	ike_sa_kill(sa, "test done");
}

/* ikev2_child_fini() drops a rekey responder's pending outbound (its keys
 * wiped): the old child's DELETE then switches nothing. */
static void test_child_fini(void)
{
	struct ike_sa *sa = new_sa();
	struct ike_child *old = add_child(sa, 0x1d00, 0x2d00, true), *c;

	peer_rekey(sa, 0x2d00, 0x3d00, 0x55);
	c = ike_sa_child_by_spi_out(sa, 0x3d00);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->h_out, DP_SA_INVALID);		/* waits for the DELETE */
	CU_ASSERT_EQUAL(old->rekeyed_by, c->spi_in);
	ikev2_child_fini();
	ikev2_child_deleted(sa, old);
	CU_ASSERT_EQUAL(c->h_out, DP_SA_INVALID);		/* nothing was left */
	ikev2_child_fini();					/* idempotent */
	ike_sa_kill(sa, "test done");
}

/* IKE SA rekey as initiator (2.18): the peer answers with its own KE; the
 * new SA's keys are checked against an independent derivation, the
 * children move, the old SA is deleted, and the new SA carries traffic. */
static void test_ike_rekey_initiator(void)
{
	struct ike_sa *sa = new_sa(), *nsa = NULL;
	struct gw_ike_proposal props[IKE_SA_MAX_PROPOSALS];
	struct ike_sa_keys want;
	struct ike_suite suite;
	struct ike_dh *dh = ike_dh_new(IKE_DH_ECP256);
	uint8_t body[1024], nr[32], gir[64], seed[IKE_PRF_MAX], spi_r[8] = { 9, 8, 7, 6, 5, 4, 3, 2 };
	const uint8_t *pub;
	size_t pub_len;
	uint16_t group;
	uint64_t rekeyed = ikev2_counter(IKEV2_C_ikev2_ike_rekeyed);
	struct ike_msg *m;
	int np, len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dh);
	add_child(sa, 0x1800, 0x2800, true);
	sa->rekey_at_ms = 1;
	ikev2_child_tick(sa, ikev2_now_ms());
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 1);
	m = tif_v2_sent(0);
	CU_ASSERT_EQUAL(m->hdr.exchange, IKE_EXCH_CREATE_CHILD_SA);
	CU_ASSERT_PTR_NULL(ike_msg_notify_find(m, IKE_N_REKEY_SA));
	CU_ASSERT_EQUAL_FATAL(m->n_sa + m->n_nonce + m->n_ke, 3);
	CU_ASSERT_EQUAL(m->ke.group, IKE_DH_ECP256);
	CU_ASSERT_EQUAL_FATAL(m->sa.props[0].proto, IKE_PROTO_IKE);
	CU_ASSERT_EQUAL_FATAL(m->sa.props[0].spi_size, 8);
	/* the peer: choose, derive, answer */
	np = ike_proposals_from_cfg(&tif_peer, IKE_SA_PROTO_IKE, props, IKE_SA_MAX_PROPOSALS);
	CU_ASSERT_FATAL(np > 0);
	CU_ASSERT_EQUAL_FATAL(ike_proposal_ike_suite(&props[0], &suite, &group), 0);
	len = ike_sa_encode_one(body, sizeof(body), &props[0], 1, spi_r, 8);
	CU_ASSERT_FATAL(len > 0);
	memset(nr, 0x3c, sizeof(nr));
	CU_ASSERT_EQUAL_FATAL(ike_dh_derive(dh, m->ke.data.p, m->ke.data.len, gir,
					    ike_dh_secret_len(IKE_DH_ECP256)), 0);
	CU_ASSERT_EQUAL_FATAL(ike_skeyseed_rekey(sa->keys.prf,
						 (struct ike_chunk){ sa->keys.sk_d, sa->keys.prf_len },
						 (struct ike_chunk){ gir, 32 },
						 (struct ike_chunk){ m->nonce.p, m->nonce.len },
						 (struct ike_chunk){ nr, 32 }, seed), 0);
	memset(&want, 0, sizeof(want));
	CU_ASSERT_EQUAL_FATAL(ike_sa_keys_derive(&suite, (struct ike_chunk){ seed, 32 },
						 (struct ike_chunk){ m->nonce.p, m->nonce.len },
						 (struct ike_chunk){ nr, 32 }, m->sa.props[0].spi, spi_r,
						 &want), 0);
	pub = ike_dh_public(dh, &pub_len);
	tif_v2_inner_begin();
	ike_msg_add_raw(&tif_v2.ib, IKE_PL_SA, false, body, (size_t)len);
	ike_msg_add_nonce(&tif_v2.ib, nr, sizeof(nr));
	ike_msg_add_ke(&tif_v2.ib, IKE_DH_ECP256, pub, pub_len);
	peer_send(sa, IKE_EXCH_CREATE_CHILD_SA, true, m->hdr.msg_id, &tif_v2.ib, tif_v2_inner_end());
	for (struct ike_sa *x = ike_sa_next(0); x != NULL; x = ike_sa_next(x->id))
		if (x != sa && x->state == IKE_SA_ESTABLISHED)
			nsa = x;
	CU_ASSERT_PTR_NOT_NULL_FATAL(nsa);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_ike_rekeyed), rekeyed + 1);
	CU_ASSERT_EQUAL(nsa->role, IKE_INITIATOR);
	CU_ASSERT_EQUAL(memcmp(nsa->spi_i, m->sa.props[0].spi, 8), 0);
	CU_ASSERT_EQUAL(memcmp(nsa->spi_r, spi_r, 8), 0);
	CU_ASSERT_EQUAL(memcmp(nsa->keys.sk_d, want.sk_d, want.prf_len), 0);
	CU_ASSERT_EQUAL(memcmp(nsa->keys.sk_pi, want.sk_pi, want.prf_len), 0);
	CU_ASSERT_EQUAL(memcmp(nsa->sk_out.ekey, want.ski.ekey, want.ski.ekey_len), 0);
	CU_ASSERT_EQUAL(memcmp(nsa->sk_in.ekey, want.skr.ekey, want.skr.ekey_len), 0);
	/* the child moved, still in the fast path; the old SA goes */
	CU_ASSERT_PTR_NOT_NULL(ike_sa_child_by_spi_in(nsa, 0x1800));
	CU_ASSERT_EQUAL(ike_sa_child_count(sa), 0);
	CU_ASSERT_NOT_EQUAL(dp_sa_find_in(0x1800), DP_SA_INVALID);
	CU_ASSERT_EQUAL(sa->state, IKE_SA_DELETING);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 2);
	m = tif_v2_sent(1);
	CU_ASSERT_EQUAL_FATAL(m->n_d, 1);
	CU_ASSERT_EQUAL(m->d[0].proto, IKE_PROTO_IKE);
	/* the new SA answers the peer (now its responder) with the new keys */
	tif_v2.out = want.skr;
	tif_v2.in = want.ski;
	tif_v2.is_init = false;
	tif_v2_inner_begin();
	peer_send(nsa, IKE_EXCH_INFORMATIONAL, false, 0, &tif_v2.ib, tif_v2_inner_end());
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 3);
	m = tif_v2_sent(2);
	CU_ASSERT(m->hdr.flags & IKE_HDR_F_R);
	CU_ASSERT(m->hdr.flags & IKE_HDR_F_I);
	ike_dh_free(dh);
	ike_sa_keys_wipe(&want);
	ike_sa_kill(nsa, "test done");
	ike_sa_kill(sa, "test done");
}

/* ---- set-up ---- */

static int suite_init(void)
{
	tif_config("branch-a", 2, "10.10.0.2", "aes128gcm16-prfsha256-ecp256", "192.168.10.0/24");
	tif_peer_esp("aes256-sha256");
	tif_cfg.crypto.ikev2.dpd_interval = 5;
	return tif_dp_start();
}

int main(void)
{
	static const struct test_case tests[] = {
		{ "DELETE payload of ESP SPIs", test_delete_payload },
		{ "DELETE SPIs mapped to children", test_delete_map },
		{ "peer deletes a CHILD SA: our inbound SPI answers", test_peer_deletes_child },
		{ "empty INFORMATIONAL answered empty", test_empty_informational },
		{ "peer deletes the IKE SA", test_peer_deletes_ike_sa },
		{ "our DELETE: children first, killed on the answer", test_we_delete_ike_sa },
		{ "our DELETE unanswered: killed after retransmissions", test_we_delete_timeout },
		{ "shutdown drain: DELETE, answer awaited, half-open dropped", test_drain },
		{ "DPD due on a fake clock", test_dpd_due },
		{ "DPD: answered keeps, silence kills", test_dpd_alive_and_dead },
		{ "2.8.1 nonce rule", test_rekey_nonce_rule },
		{ "rekey time 90 % minus jitter", test_rekey_time },
		{ "CHILD rekey responder: make-before-break", test_child_rekey_responder },
		{ "CHILD rekey refusals", test_child_rekey_refusals },
		{ "new CHILD SA when none is left", test_child_new },
		{ "CHILD rekey initiator", test_child_rekey_initiator },
		{ "fast-path expiry event rekeys", test_child_expire },
		{ "simultaneous CHILD rekey lost", test_child_rekey_collision_lost },
		{ "simultaneous CHILD rekey won", test_child_rekey_collision_won },
		{ "child keys: direction by the exchange's initiator", test_child_keys_direction },
		{ "ikev2_child_fini drops pending outbounds", test_child_fini },
		{ "IKE SA rekey initiator", test_ike_rekey_initiator },
	};

	return tif_main("ikev2_xchg", suite_init, tests, RTE_DIM(tests));
}
