/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKEv2 under attack (issue 8): replayed, reordered, oversized and
 * fragmented messages against an established IKE SA.  The harness is
 * test_ikev2_xchg.c's: the test plays the peer with its copies of the SK
 * keys, encrypts into ikev2_msg_input() and decrypts what the gateway
 * sends (ikev2_msg_set_tx).  Every case checks that the datagram was
 * dropped (the counter that says why moved, nothing sent unless the RFC
 * says so), that nothing of the SA changed (state, message IDs, keys,
 * children, half-open count, reassembly memory), and that the SA then
 * still completes a normal exchange (an INFORMATIONAL both ways).
 *   - replays: requests older than the last (dropped), the last one
 *     (answered from the cache, once, only when its ICV verifies), an
 *     IKE_SA_INIT after the SA is up, responses with no request
 *     outstanding, an IKE_AUTH on an established SA; reorders: request IDs
 *     beyond the window, responses out of order;
 *   - oversized: a datagram over 65535 octets, header lengths that
 *     disagree with the datagram, one payload over each IKE_MSG_MAX_*
 *     inside SK (answered INVALID_SYNTAX: authenticated), thousands of
 *     4-octet payloads, proposal and transform counts;
 *   - RFC 7383 fragments: never-completed messages, Total Fragments
 *     shrinking and growing, duplicates, numbers out of range, many
 *     message IDs, bad ICVs, one SA over 64 KiB, 200 SAs for the 128
 *     reassembly slots, the idle timeout; then a fragmented exchange on
 *     the flooded SA.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_common.h>

#include "cfg/cfg.h"
#include "common/gw_log.h"
#include "common/gw_ike.h"
#include "controlplane/ike/ike_dh.h"
#include "controlplane/ike/ike_msg.h"
#include "controlplane/ike/ike_proposal.h"
#include "controlplane/ike/ike_sa.h"
#include "controlplane/ike/ike_sk.h"
#include "controlplane/ikev2/ikev2.h"
#include "controlplane/ikev2/ikev2_int.h"
#include "controlplane/ikev2/ikev2_msg.h"
#include "test/unit/test_dp.h"
#include "test/unit/test_ike_fixture.h"

enum {
	BUF = IKE_MSG_MAX,
};

/* ---- the peer ---- */

/* An established SA whose peer announced RFC 7383 fragmentation. */
static struct ike_sa *new_sa(unsigned tag)
{
	struct ike_sa *sa = tif_v2_sa(tag);

	sa->frag_ok = true;
	return sa;
}

/* A request of exch with the inner payloads built since tif_v2_inner_begin(). */
static void peer_request_id(const struct ike_sa *sa, uint8_t exch, uint32_t id)
{
	long len = tif_v2_inner_end();

	CU_ASSERT_FATAL(len >= 0);
	tif_v2_send(sa, exch, false, id, tif_v2.ib.first, tif_v2.ibuf, (size_t)len, 0, 0, false);
}

static void peer_request(const struct ike_sa *sa, uint8_t exch)
{
	peer_request_id(sa, exch, tif_v2.mid++);
}

/* What sent_plain() parses. */
static uint8_t rx[BUF];
static struct ike_msg rxm;

/* ---- what must not change ---- */

struct snap {
	enum ike_sa_state state;
	uint32_t next_send, next_recv, resp_id;
	bool resp_valid, req;
	struct ike_sk_key in, out;
	unsigned children, half_open, sas;
	size_t frag_held;
};

static void snap_take(const struct ike_sa *sa, struct snap *s)
{
	memset(s, 0, sizeof(*s));
	s->state = sa->state;
	s->next_send = sa->mid.next_send;
	s->next_recv = sa->mid.next_recv;
	s->resp_id = sa->mid.resp_id;
	s->resp_valid = sa->mid.resp_valid;
	s->req = sa->mid.req != NULL;
	s->in = sa->sk_in;
	s->out = sa->sk_out;
	s->children = ike_sa_child_count(sa);
	s->half_open = ike_sa_half_open();
	s->sas = ike_sa_count();
	s->frag_held = ikev2_frag_held();
}

/* sa unchanged since s; mid_moved: one request of the peer was answered
 * (its message ID consumed, as RFC 7296 wants for INVALID_SYNTAX). */
static void snap_check(const struct ike_sa *sa, const struct snap *s, bool mid_moved)
{
	struct snap now;

	snap_take(sa, &now);
	CU_ASSERT_EQUAL(now.state, s->state);
	CU_ASSERT_EQUAL(now.next_send, s->next_send);
	CU_ASSERT_EQUAL(now.next_recv, s->next_recv + (mid_moved ? 1 : 0));
	if (!mid_moved) {
		CU_ASSERT_EQUAL(now.resp_id, s->resp_id);
		CU_ASSERT_EQUAL(now.resp_valid, s->resp_valid);
	}
	CU_ASSERT_EQUAL(now.req, s->req);
	/* the keys; the GCM IV counter moves with what we send */
	CU_ASSERT(memcmp(&now.in, &s->in, sizeof(now.in)) == 0);
	CU_ASSERT(memcmp(now.out.ekey, s->out.ekey, sizeof(now.out.ekey)) == 0);
	CU_ASSERT_EQUAL(now.out.iv_seq, s->out.iv_seq + (mid_moved ? 1 : 0));
	CU_ASSERT_EQUAL(now.children, s->children);
	CU_ASSERT_EQUAL(now.half_open, s->half_open);
	CU_ASSERT_EQUAL(now.sas, s->sas);
	CU_ASSERT_EQUAL(now.frag_held, s->frag_held);
}

/* The SA still works: the peer's INFORMATIONAL is answered, and ours
 * (a liveness check) is answered by the peer and clears the request. */
static void still_works(struct ike_sa *sa)
{
	uint64_t now = ikev2_now_ms();
	unsigned before = tif_tx.n;
	struct ike_msg *m;

	tif_v2_inner_begin();
	peer_request(sa, IKE_EXCH_INFORMATIONAL);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, before + 1);
	m = tif_v2_sent(before);
	CU_ASSERT(m->hdr.flags & IKE_HDR_F_R);
	CU_ASSERT_EQUAL(m->hdr.msg_id, tif_v2.mid - 1);
	CU_ASSERT_EQUAL(sa->state, IKE_SA_ESTABLISHED);
	/* our DPD */
	sa->last_rx_ms = now - 10000;
	sa->dpd_at_ms = 0;
	ikev2_info_tick(sa, now);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, before + 2);
	m = tif_v2_sent(before + 1);
	CU_ASSERT_FALSE(m->hdr.flags & IKE_HDR_F_R);
	CU_ASSERT_PTR_NOT_NULL(sa->mid.req);
	tif_v2_send(sa, IKE_EXCH_INFORMATIONAL, true, m->hdr.msg_id, 0, NULL, 0, 0, 0, false);
	CU_ASSERT_PTR_NULL(sa->mid.req);
	CU_ASSERT_EQUAL(sa->state, IKE_SA_ESTABLISHED);
}

/* ---- replays and reorders ---- */

static void test_replayed_requests(void)
{
	static uint8_t req0[BUF], req1[BUF];
	size_t len0, len1;
	struct ike_sa *sa = new_sa(1);
	uint64_t msgid = ikev2_counter(IKEV2_C_ikev2_drop_msgid), resent = ikev2_counter(IKEV2_C_ikev2_resp_resent);
	uint64_t icv = ikev2_counter(IKEV2_C_ikev2_drop_icv), state = ikev2_counter(IKEV2_C_ikev2_drop_state);
	struct snap s;

	tif_v2_inner_begin();
	peer_request(sa, IKE_EXCH_INFORMATIONAL);
	memcpy(req0, tif_v2.dg, tif_v2.dg_len);
	len0 = tif_v2.dg_len;
	tif_v2_inner_begin();
	ike_msg_add_notify(&tif_v2.ib, 0, NULL, 0, 40000, "x", 1);	/* a private notify */
	peer_request(sa, IKE_EXCH_INFORMATIONAL);
	memcpy(req1, tif_v2.dg, tif_v2.dg_len);
	len1 = tif_v2.dg_len;
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 2);
	snap_take(sa, &s);
	/* an old request after a newer one: dropped, nothing sent */
	tif_v2_deliver(sa, req0, len0);
	CU_ASSERT_EQUAL(tif_tx.n, 2);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_drop_msgid), msgid + 1);
	snap_check(sa, &s, false);
	/* the last one: the cached response again, byte for byte */
	tif_v2_deliver(sa, req1, len1);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 3);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_resp_resent), resent + 1);
	CU_ASSERT_EQUAL(tif_tx.len[2], tif_tx.len[1]);
	CU_ASSERT(memcmp(tif_tx.buf[2], tif_tx.buf[1], tif_tx.len[1]) == 0);
	snap_check(sa, &s, false);
	/* the last one with a bad ICV (its header forged): nothing resent */
	req1[len1 - 1] ^= 0x80;
	tif_v2_deliver(sa, req1, len1);
	CU_ASSERT_EQUAL(tif_tx.n, 3);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_drop_icv), icv + 1);
	snap_check(sa, &s, false);
	/* reordered: IDs beyond the window (next + 1 .. next + 1000) */
	for (uint32_t i = 1; i <= 1000; i++) {
		tif_v2_inner_begin();
		peer_request_id(sa, IKE_EXCH_INFORMATIONAL, tif_v2.mid + i);
	}
	peer_request_id(sa, IKE_EXCH_INFORMATIONAL, tif_v2.mid - 3);	/* wrapped below */
	CU_ASSERT_EQUAL(tif_tx.n, 3);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_drop_msgid), msgid + 1002);
	snap_check(sa, &s, false);
	/* IKE_AUTH on an established SA: no answer, the ID not consumed */
	tif_v2_inner_begin();
	ike_msg_add_notify(&tif_v2.ib, 0, NULL, 0, 40000, "y", 1);
	peer_request_id(sa, IKE_EXCH_IKE_AUTH, tif_v2.mid);
	CU_ASSERT_EQUAL(tif_tx.n, 3);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_drop_state), state + 1);
	snap_check(sa, &s, false);
	still_works(sa);
	ike_sa_kill(sa, "test done");
}

/* A CREATE_CHILD_SA (refused: no SA payload) replayed after a newer
 * request: dropped; children untouched. */
static void test_replayed_create_child(void)
{
	static uint8_t cc[BUF];
	size_t cc_len;
	struct ike_sa *sa = new_sa(2);
	uint64_t msgid = ikev2_counter(IKEV2_C_ikev2_drop_msgid);
	uint8_t nonce[32] = { 1 };
	struct snap s;

	tif_v2_inner_begin();
	ike_msg_add_nonce(&tif_v2.ib, nonce, sizeof(nonce));
	peer_request(sa, IKE_EXCH_CREATE_CHILD_SA);
	memcpy(cc, tif_v2.dg, tif_v2.dg_len);
	cc_len = tif_v2.dg_len;
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 1);
	tif_v2_inner_begin();
	peer_request(sa, IKE_EXCH_INFORMATIONAL);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 2);
	snap_take(sa, &s);
	for (unsigned i = 0; i < 100; i++)
		tif_v2_deliver(sa, cc, cc_len);
	CU_ASSERT_EQUAL(tif_tx.n, 2);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_drop_msgid), msgid + 100);
	snap_check(sa, &s, false);
	still_works(sa);
	ike_sa_kill(sa, "test done");
}

static void test_replayed_responses(void)
{
	static uint8_t resp[BUF];
	size_t resp_len;
	struct ike_sa *sa = new_sa(3);
	uint64_t now = ikev2_now_ms(), msgid = ikev2_counter(IKEV2_C_ikev2_drop_msgid);
	struct ike_msg *m;
	uint32_t id;
	struct snap s;

	sa->last_rx_ms = now - 10000;
	sa->dpd_at_ms = 0;
	ikev2_info_tick(sa, now);				/* our DPD, ID 0 */
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 1);
	id = tif_v2_sent(0)->hdr.msg_id;
	/* responses out of order: IDs other than the outstanding one */
	tif_v2_send(sa, IKE_EXCH_INFORMATIONAL, true, id + 1, 0, NULL, 0, 0, 0, false);
	tif_v2_send(sa, IKE_EXCH_INFORMATIONAL, true, id + 7, 0, NULL, 0, 0, 0, false);
	tif_v2_send(sa, IKE_EXCH_INFORMATIONAL, true, id - 1, 0, NULL, 0, 0, 0, false);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_drop_msgid), msgid + 3);
	CU_ASSERT_PTR_NOT_NULL(sa->mid.req);
	/* the right one */
	tif_v2_send(sa, IKE_EXCH_INFORMATIONAL, true, id, 0, NULL, 0, 0, 0, false);
	memcpy(resp, tif_v2.dg, tif_v2.dg_len);
	resp_len = tif_v2.dg_len;
	CU_ASSERT_PTR_NULL(sa->mid.req);
	snap_take(sa, &s);
	/* replayed, and a response with no request outstanding */
	tif_v2_deliver(sa, resp, resp_len);
	tif_v2_send(sa, IKE_EXCH_CREATE_CHILD_SA, true, id + 1, 0, NULL, 0, 0, 0, false);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_drop_msgid), msgid + 5);
	CU_ASSERT_EQUAL(tif_tx.n, 1);
	snap_check(sa, &s, false);
	/* the next DPD, and the old response replayed while it waits */
	sa->last_rx_ms = now - 10000;
	sa->dpd_at_ms = 0;
	ikev2_info_tick(sa, now);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 2);
	m = tif_v2_sent(1);
	CU_ASSERT_EQUAL(m->hdr.msg_id, id + 1);
	tif_v2_deliver(sa, resp, resp_len);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_drop_msgid), msgid + 6);
	CU_ASSERT_PTR_NOT_NULL(sa->mid.req);
	tif_v2_send(sa, IKE_EXCH_INFORMATIONAL, true, id + 1, 0, NULL, 0, 0, 0, false);
	CU_ASSERT_PTR_NULL(sa->mid.req);
	still_works(sa);
	ike_sa_kill(sa, "test done");
}

/* A hand-made IKE_SA_INIT request from the peer's address (*dh: its
 * key pair). */
static size_t make_init_req(uint8_t *buf, size_t cap_, struct ike_dh **dh, unsigned extra_n)
{
	struct tif_init_req r = { .spi_i = 0x0102030405060708ULL, .group = IKE_DH_ECP256,
				  .ni = 0x11, .n_extra = extra_n };

	return tif_v2_init_req_dh(buf, cap_, &r, dh);
}

static void deliver_500(const uint8_t *msg, size_t len)
{
	struct ike_dgram d;

	memset(&d, 0, sizeof(d));
	gw_addr_parse("10.10.0.2", &d.src);
	gw_addr_parse("10.10.0.1", &d.dst);
	d.sport = d.dport = 500;
	d.data = msg;
	d.len = len;
	ikev2_msg_input(&d);
}

/* IKE_SA_INIT replayed once the SA is up (IKE_AUTH answered): no second
 * SA, no answer; before that, a retransmission gets the same response. */
static void test_replayed_init(void)
{
	static uint8_t req[4096];
	struct ike_dh *dh = NULL;
	size_t len = make_init_req(req, sizeof(req), &dh, 0);
	unsigned sas = ike_sa_count(), half = ike_sa_half_open();
	uint64_t msgid = ikev2_counter(IKEV2_C_ikev2_drop_msgid), resent = ikev2_counter(IKEV2_C_ikev2_resp_resent);
	struct ike_sa *sa;
	struct snap s;

	tif_tx.n = 0;
	deliver_500(req, len);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 1);
	CU_ASSERT_EQUAL(ike_sa_count(), sas + 1);
	CU_ASSERT_EQUAL(ike_sa_half_open(), half + 1);
	for (uint64_t id = 0; (sa = ike_sa_next(id)) != NULL; id = sa->id)
		if (sa->state == IKE_SA_INIT_DONE)
			break;
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	deliver_500(req, len);					/* retransmission */
	CU_ASSERT_EQUAL(tif_tx.n, 2);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_resp_resent), resent + 1);
	/* as if IKE_AUTH (ID 1) was answered */
	sa->mid.resp_id = 1;
	sa->mid.next_recv = 2;
	ike_sa_state(sa, IKE_SA_ESTABLISHED, "test: IKE_AUTH done");
	snap_take(sa, &s);
	for (unsigned i = 0; i < 50; i++)
		deliver_500(req, len);
	CU_ASSERT_EQUAL(tif_tx.n, 2);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_drop_msgid), msgid + 50);
	snap_check(sa, &s, false);
	/* the SA floated to 4500 (NAT-T): a replay from 500 is still its own */
	sa->local_port = sa->remote_port = 4500;
	deliver_500(req, len);
	CU_ASSERT_EQUAL(tif_tx.n, 2);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_drop_msgid), msgid + 51);
	snap_check(sa, &s, false);
	CU_ASSERT_EQUAL(ike_sa_count(), sas + 1);
	ike_sa_kill(sa, "test done");
	ike_dh_free(dh);
}

/* ---- oversized ---- */

static void test_oversized_datagrams(void)
{
	static uint8_t big[IKE_MSG_MAX + 2];
	struct ike_sa *sa = new_sa(4);
	uint64_t over = ikev2_counter(IKEV2_C_ikev2_drop_oversize), parse = ikev2_counter(IKEV2_C_ikev2_drop_parse);
	struct snap s;

	tif_v2_inner_begin();
	peer_request(sa, IKE_EXCH_INFORMATIONAL);
	snap_take(sa, &s);
	tif_tx.n = 0;
	/* a whole message, then padded past 65535 octets */
	memcpy(big, tif_v2.dg, tif_v2.dg_len);
	tif_v2_deliver(sa, big, sizeof(big));
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_drop_oversize), over + 1);
	/* the header's length above, below the datagram's */
	tif_v2_inner_begin();
	tif_v2.hold = true;
	peer_request_id(sa, IKE_EXCH_INFORMATIONAL, tif_v2.mid);
	tif_v2.hold = false;
	memcpy(big, tif_v2.dg, tif_v2.dg_len);
	big[27]++;
	tif_v2_deliver(sa, big, tif_v2.dg_len);
	big[27] -= 2;
	tif_v2_deliver(sa, big, tif_v2.dg_len);
	big[27]++;
	big[24] = 0x7f;					/* 2 GB */
	tif_v2_deliver(sa, big, tif_v2.dg_len);
	tif_v2_deliver(sa, big, IKE_HDR_LEN - 1);		/* not even a header */
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_drop_parse), parse + 4);
	CU_ASSERT_EQUAL(tif_tx.n, 0);
	snap_check(sa, &s, false);
	still_works(sa);
	ike_sa_kill(sa, "test done");
}

/* Inner payloads the test writes by hand: n generic payloads of type
 * (body blen octets of 0), a count over a limit. */
static size_t raw_chain(uint8_t *p, uint8_t type, unsigned n, size_t blen)
{
	size_t off = 0;

	for (unsigned i = 0; i < n; i++) {
		p[off] = i + 1 < n ? type : IKE_PL_NONE;
		p[off + 1] = 0;
		p[off + 2] = (uint8_t)((4 + blen) >> 8);
		p[off + 3] = (uint8_t)(4 + blen);
		memset(p + off + 4, 0, blen);
		off += 4 + blen;
	}
	return off;
}

/* An SA payload body of n_props proposals of n_x transforms each. */
static size_t raw_sa(uint8_t *p, unsigned n_props, unsigned n_x)
{
	size_t off = 0;

	for (unsigned i = 0; i < n_props; i++) {
		size_t plen = 8 + 8 * (size_t)n_x;

		p[off] = i + 1 < n_props ? 2 : 0;
		p[off + 1] = 0;
		p[off + 2] = (uint8_t)(plen >> 8);
		p[off + 3] = (uint8_t)plen;
		p[off + 4] = (uint8_t)(i + 1);
		p[off + 5] = IKE_PROTO_ESP;
		p[off + 6] = 0;
		p[off + 7] = (uint8_t)n_x;
		for (unsigned k = 0; k < n_x; k++) {
			uint8_t *t = p + off + 8 + 8 * k;

			t[0] = k + 1 < n_x ? 3 : 0;
			t[1] = 0;
			t[2] = 0;
			t[3] = 8;
			t[4] = IKE_XFORM_ENCR;
			t[5] = 0;
			t[6] = 0;
			t[7] = IKE_ENCR_AES_GCM_16;
		}
		off += plen;
	}
	return off;
}

/* A TS payload body of n selectors. */
static size_t raw_ts(uint8_t *p, unsigned n)
{
	p[0] = (uint8_t)n;
	p[1] = p[2] = p[3] = 0;
	for (unsigned i = 0; i < n; i++) {
		uint8_t *t = p + 4 + 16 * i;

		memset(t, 0, 16);
		t[0] = IKE_TS_IPV4_ADDR_RANGE;
		t[3] = 16;
		t[6] = t[7] = 0xff;
	}
	return 4 + 16 * (size_t)n;
}

/* The peer's request of inner[0..len) must be refused INVALID_SYNTAX. */
static void expect_syntax(struct ike_sa *sa, uint8_t exch, uint8_t first, const uint8_t *inner,
			  size_t len)
{
	uint64_t inner_c = ikev2_counter(IKEV2_C_ikev2_drop_inner);
	unsigned before = tif_tx.n;
	struct ike_msg *m;
	struct snap s;

	snap_take(sa, &s);
	tif_v2_send(sa, exch, false, tif_v2.mid++, first, inner, len, 0, 0, false);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_drop_inner), inner_c + 1);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, before + 1);
	m = tif_v2_sent(before);
	CU_ASSERT_EQUAL(m->n_n, 1);
	CU_ASSERT_EQUAL(m->n[0].type, IKE_N_INVALID_SYNTAX);
	snap_check(sa, &s, true);
}

static void test_payload_counts(void)
{
	static uint8_t in[BUF], sab[16384];
	struct ike_sa *sa = new_sa(5);
	static const struct { uint8_t type; unsigned n; size_t blen; } over[] = {
		{ IKE_PL_N, IKE_MSG_MAX_N + 1, 4 },
		{ IKE_PL_D, IKE_MSG_MAX_D + 1, 4 },
		{ IKE_PL_CERT, IKE_MSG_MAX_CERT + 1, 4 },
		{ IKE_PL_CERTREQ, IKE_MSG_MAX_CERTREQ + 1, 4 },
		{ IKE_PL_V, IKE_MSG_MAX_V + 1, 4 },
		{ 200, IKE_MSG_MAX_PAYLOADS + 1, 0 },	/* unknown, non-critical */
		{ 200, 12000, 0 },			/* thousands of 4-octet payloads */
	};
	size_t len;

	for (unsigned i = 0; i < RTE_DIM(over); i++) {
		len = raw_chain(in, over[i].type, over[i].n, over[i].blen);
		expect_syntax(sa, IKE_EXCH_INFORMATIONAL, over[i].type, in, len);
	}
	/* singletons twice */
	len = raw_chain(in, IKE_PL_NONCE, 2, 32);
	expect_syntax(sa, IKE_EXCH_CREATE_CHILD_SA, IKE_PL_NONCE, in, len);
	/* proposals, transforms, selectors */
	struct { unsigned props, xf; } sas[] = {
		{ IKE_MSG_MAX_PROPOSALS + 1, 1 },
		{ 1, IKE_MSG_MAX_TRANSFORMS + 1 },
		{ IKE_MSG_MAX_TRANSFORMS / 7 + 1, 7 },	/* over in all, not per proposal */
		{ 1, 255 },
	};
	for (unsigned i = 0; i < RTE_DIM(sas); i++) {
		size_t sl = raw_sa(sab, sas[i].props, sas[i].xf);

		tif_v2_inner_begin();
		ike_msg_add_raw(&tif_v2.ib, IKE_PL_SA, false, sab, sl);
		len = (size_t)tif_v2_inner_end();
		CU_ASSERT_FATAL(len > 0);
		expect_syntax(sa, IKE_EXCH_CREATE_CHILD_SA, tif_v2.ib.first, tif_v2.ibuf, len);
	}
	{
		size_t tl = raw_ts(sab, IKE_MSG_MAX_TS + 1);

		tif_v2_inner_begin();
		ike_msg_add_raw(&tif_v2.ib, IKE_PL_TSI, false, sab, tl);
		len = (size_t)tif_v2_inner_end();
		expect_syntax(sa, IKE_EXCH_CREATE_CHILD_SA, tif_v2.ib.first, tif_v2.ibuf, len);
	}
	/* a transform count that lies (255, one present) */
	{
		size_t sl = raw_sa(sab, 1, 1);

		sab[7] = 255;
		tif_v2_inner_begin();
		ike_msg_add_raw(&tif_v2.ib, IKE_PL_SA, false, sab, sl);
		len = (size_t)tif_v2_inner_end();
		expect_syntax(sa, IKE_EXCH_CREATE_CHILD_SA, tif_v2.ib.first, tif_v2.ibuf, len);
	}
	still_works(sa);
	ike_sa_kill(sa, "test done");
}

/* Unprotected: an IKE_SA_INIT over the notify limit makes no SA and is
 * not answered (INVALID_SYNTAX only inside SK). */
static void test_init_counts(void)
{
	static uint8_t req[8192];
	struct ike_dh *dh = NULL;
	size_t len = make_init_req(req, sizeof(req), &dh, IKE_MSG_MAX_N);
	unsigned sas = ike_sa_count(), half = ike_sa_half_open();
	uint64_t parse = ikev2_counter(IKEV2_C_ikev2_drop_parse);

	req[0] ^= 0x55;					/* another SPIi */
	tif_tx.n = 0;
	deliver_500(req, len);
	CU_ASSERT_EQUAL(tif_tx.n, 0);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_drop_parse), parse + 1);
	CU_ASSERT_EQUAL(ike_sa_count(), sas);
	CU_ASSERT_EQUAL(ike_sa_half_open(), half);
	ike_dh_free(dh);
}

/* ---- IKE_SA_INIT under attack: checks before state, caps, logs ---- */

/* An IKE_SA_INIT request like make_init_req's with its SPIi, KE (group,
 * data) and an optional COOKIE (first notify, 2.6). */
static size_t init_req(uint8_t *buf, size_t cap_, uint64_t spi_i, uint16_t group,
		       const uint8_t *ke, size_t ke_len, const uint8_t *cookie, size_t ck_len)
{
	struct tif_init_req r = { spi_i, group, ke, ke_len, cookie, ck_len, 0x22, false, 0 };

	return tif_v2_init_req(buf, cap_, &r);
}

static void deliver_from(const uint8_t *msg, size_t len, uint16_t sport)
{
	struct ike_dgram d;

	memset(&d, 0, sizeof(d));
	gw_addr_parse("10.10.0.2", &d.src);
	gw_addr_parse("10.10.0.1", &d.dst);
	d.sport = sport;
	d.dport = 500;
	d.data = msg;
	d.len = len;
	ikev2_msg_input(&d);
}

/* Parse capture idx, an unprotected message (IKE_SA_INIT replies). */
static struct ike_msg *sent_plain(unsigned idx)
{
	CU_ASSERT_FATAL(idx < tif_tx.n && idx < TIF_CAP_MAX);
	memcpy(rx, tif_tx.buf[idx], tif_tx.len[idx]);
	CU_ASSERT_FATAL(ike_msg_parse(rx, tif_tx.len[idx], &rxm) == IKE_MSG_OK);
	return &rxm;
}

/* Any SA whose SPIi is spi_i (newest first), else NULL. */
static struct ike_sa *sa_of_spi(uint64_t spi_i)
{
	struct ike_sa *sa, *found = NULL;
	uint8_t b[8];

	for (unsigned i = 0; i < 8; i++)
		b[i] = (uint8_t)(spi_i >> (56 - 8 * i));
	for (uint64_t id = 0; (sa = ike_sa_next(id)) != NULL; id = sa->id)
		if (sa->state != IKE_SA_DEAD && memcmp(sa->spi_i, b, 8) == 0)
			found = sa;
	return found;
}

static void kill_half_open(void)
{
	struct ike_sa *sa;

	for (uint64_t id = 0; (sa = ike_sa_next(id)) != NULL; id = sa->id)
		if (sa->state < IKE_SA_ESTABLISHED)
			ike_sa_kill(sa, "test done");
	ike_sa_reap();
}

/* KE values that fail the RFC 6989 checks make no SA, no key pair, no
 * answer, no log line: only ikev2_drop_ke.  Another group is answered
 * INVALID_KE_PAYLOAD without state. */
static void test_init_bad_ke(void)
{
	static uint8_t req[4096];
	uint8_t ke[64], ke_short[63];
	unsigned sas = ike_sa_count(), half = ike_sa_half_open(), lines;
	uint64_t bad = ikev2_counter(IKEV2_C_ikev2_drop_ke), inv = ikev2_counter(IKEV2_C_ikev2_invalid_ke_sent);
	struct ike_dh *dh = ike_dh_new(IKE_DH_ECP256);
	const uint8_t *pub;
	size_t pub_len = 0, len;
	struct ike_msg *r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dh);
	tif_tx.n = 0;
	tif_log_begin();
	for (unsigned i = 0; i < 1000; i++) {
		for (unsigned k = 0; k < sizeof(ke); k++)	/* x | y, almost never on P-256 */
			ke[k] = (uint8_t)(i * 131 + k * 7 + 1);
		len = init_req(req, sizeof(req), 0x5000 + i, IKE_DH_ECP256, ke, sizeof(ke), NULL, 0);
		deliver_from(req, len, 500);
	}
	/* a point off the curve by one: x of a real key, y + 1 */
	pub = ike_dh_public(dh, &pub_len);
	memcpy(ke, pub, sizeof(ke));
	ke[63] ^= 1;
	len = init_req(req, sizeof(req), 0x6001, IKE_DH_ECP256, ke, sizeof(ke), NULL, 0);
	deliver_from(req, len, 500);
	/* zero (the point at infinity has no x | y form), a short value */
	memset(ke, 0, sizeof(ke));
	len = init_req(req, sizeof(req), 0x6002, IKE_DH_ECP256, ke, sizeof(ke), NULL, 0);
	deliver_from(req, len, 500);
	memcpy(ke_short, pub, sizeof(ke_short));
	len = init_req(req, sizeof(req), 0x6003, IKE_DH_ECP256, ke_short, sizeof(ke_short), NULL, 0);
	deliver_from(req, len, 500);
	lines = tif_log_end("ike:", NULL);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_drop_ke), bad + 1003);
	CU_ASSERT_EQUAL(tif_tx.n, 0);
	CU_ASSERT_EQUAL(lines, 0);
	CU_ASSERT_EQUAL(ike_sa_count(), sas);
	CU_ASSERT_EQUAL(ike_sa_half_open(), half);
	/* another group: INVALID_KE_PAYLOAD naming ours, no SA */
	len = init_req(req, sizeof(req), 0x6004, IKE_DH_CURVE25519, pub, 32, NULL, 0);
	deliver_from(req, len, 500);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 1);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_invalid_ke_sent), inv + 1);
	{
		const struct ike_notify_pl *n;

		r = sent_plain(0);
		n = ike_msg_notify_find(r, IKE_N_INVALID_KE_PAYLOAD);
		CU_ASSERT_PTR_NOT_NULL_FATAL(n);
		CU_ASSERT_EQUAL(n->data.len, 2);
		CU_ASSERT_EQUAL(n->data.p[1], IKE_DH_ECP256);
	}
	CU_ASSERT_EQUAL(ike_sa_count(), sas);
	/* the real public value: one SA */
	len = init_req(req, sizeof(req), 0x6005, IKE_DH_ECP256, pub, pub_len, NULL, 0);
	deliver_from(req, len, 500);
	CU_ASSERT_EQUAL(tif_tx.n, 2);
	CU_ASSERT_EQUAL(ike_sa_count(), sas + 1);
	CU_ASSERT_EQUAL(ike_sa_half_open(), half + 1);
	kill_half_open();
	ike_dh_free(dh);
}

/* A NAT that maps the peer's 4500 to another port: a replayed
 * IKE_SA_INIT from that port is still the SA's own (no second SA). */
static void test_init_replay_nat_port(void)
{
	static uint8_t req[4096];
	struct ike_dh *dh = ike_dh_new(IKE_DH_ECP256);
	unsigned sas = ike_sa_count();
	uint64_t msgid = ikev2_counter(IKEV2_C_ikev2_drop_msgid), resent = ikev2_counter(IKEV2_C_ikev2_resp_resent);
	const uint8_t *pub;
	size_t pub_len = 0, len;
	struct ike_sa *sa;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dh);
	pub = ike_dh_public(dh, &pub_len);
	len = init_req(req, sizeof(req), 0x7001, IKE_DH_ECP256, pub, pub_len, NULL, 0);
	tif_tx.n = 0;
	deliver_from(req, len, 500);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 1);
	sa = sa_of_spi(0x7001);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	deliver_from(req, len, 31001);		/* retransmitted, the NAT's port changed */
	CU_ASSERT_EQUAL(tif_tx.n, 2);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_resp_resent), resent + 1);
	CU_ASSERT_EQUAL(ike_sa_count(), sas + 1);
	/* up, moved to 4500 which the NAT maps to 31002: replays from 31003 */
	sa->mid.resp_id = 1;
	sa->mid.next_recv = 2;
	sa->local_port = 4500;
	sa->remote_port = 31002;
	ike_sa_state(sa, IKE_SA_ESTABLISHED, "test: IKE_AUTH done");
	for (unsigned i = 0; i < 10; i++)
		deliver_from(req, len, 31003);
	CU_ASSERT_EQUAL(tif_tx.n, 2);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_drop_msgid), msgid + 10);
	CU_ASSERT_EQUAL(ike_sa_count(), sas + 1);
	ike_sa_kill(sa, "test done");
	ike_sa_reap();
	ike_dh_free(dh);
}

/* The COOKIE of the one datagram sent (tif_tx.buf[idx]). */
static size_t cookie_of(unsigned idx, uint8_t *out)
{
	const struct ike_notify_pl *n;
	struct ike_msg *r = sent_plain(idx);

	n = ike_msg_notify_find(r, IKE_N_COOKIE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_FATAL(n->data.len <= 64);
	memcpy(out, n->data.p, n->data.len);
	return n->data.len;
}

/* crypto.ikev2.max_half_open_per_peer: beyond it one address's new
 * IKE_SA_INITs are refused and counted; a request that answers a COOKIE
 * takes the place of a half-open SA made without one (a spoofer's in its
 * name); once its SAs all answered COOKIEs, it is refused outright.  The
 * refusals log a bounded number of lines. */
static void test_init_per_peer_cap(void)
{
	static uint8_t req[4096];
	struct cfg_ikev2 *c = &tif_cfg.crypto.ikev2;
	struct ike_dh *dh = ike_dh_new(IKE_DH_ECP256);
	uint64_t refused = ikev2_counter(IKEV2_C_ikev2_drop_peer_half_open);
	uint64_t replaced = ikev2_counter(IKEV2_C_ikev2_half_open_replaced);
	unsigned sas = ike_sa_count(), half = ike_sa_half_open(), lines;
	uint8_t ck[64];
	const uint8_t *pub;
	size_t pub_len = 0, len, ck_len;
	struct ike_sa *first;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dh);
	pub = ike_dh_public(dh, &pub_len);
	c->max_half_open_per_peer = 3;
	tif_tx.n = 0;
	for (unsigned i = 0; i < 3; i++) {			/* spoofed in the peer's name */
		len = init_req(req, sizeof(req), 0x8000 + i, IKE_DH_ECP256, pub, pub_len, NULL, 0);
		deliver_from(req, len, 500);
	}
	CU_ASSERT_EQUAL(tif_tx.n, 3);
	CU_ASSERT_EQUAL(ike_sa_half_open(), half + 3);
	first = sa_of_spi(0x8000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(first);
	/* the 4th: refused, a COOKIE to prove the address */
	len = init_req(req, sizeof(req), 0x8010, IKE_DH_ECP256, pub, pub_len, NULL, 0);
	deliver_from(req, len, 500);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_drop_peer_half_open), refused + 1);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 4);
	ck_len = cookie_of(3, ck);
	CU_ASSERT_EQUAL(ike_sa_count(), sas + 3);
	/* answered: takes the place of the oldest */
	len = init_req(req, sizeof(req), 0x8010, IKE_DH_ECP256, pub, pub_len, ck, ck_len);
	deliver_from(req, len, 500);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_half_open_replaced), replaced + 1);
	CU_ASSERT_EQUAL(first->state, IKE_SA_DEAD);
	CU_ASSERT_PTR_NOT_NULL(sa_of_spi(0x8010));
	CU_ASSERT_EQUAL(ike_sa_half_open(), half + 3);
	CU_ASSERT_EQUAL(tif_tx.n, 5);
	ike_sa_reap();
	/* an SA whose IKE_AUTH arrived is the peer's own: not replaced */
	sa_of_spi(0x8001)->mid.next_recv = 2;
	sa_of_spi(0x8002)->mid.next_recv = 2;
	len = init_req(req, sizeof(req), 0x8011, IKE_DH_ECP256, pub, pub_len, NULL, 0);
	deliver_from(req, len, 500);				/* no COOKIE: none would help */
	CU_ASSERT_EQUAL(tif_tx.n, 5);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_drop_peer_half_open), refused + 2);
	/* a flood from the capped address: counted exactly, logged a little */
	tif_log_begin();
	for (unsigned i = 0; i < 500; i++) {
		len = init_req(req, sizeof(req), 0x9000 + i, IKE_DH_ECP256, pub, pub_len, NULL, 0);
		deliver_from(req, len, 500);
	}
	lines = tif_log_end("ike:", NULL);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_drop_peer_half_open), refused + 502);
	CU_ASSERT(lines >= 1);
	CU_ASSERT(lines <= GW_LOG_RL_BURST + 1);
	CU_ASSERT_EQUAL(ike_sa_count(), sas + 3);
	CU_ASSERT_EQUAL(tif_tx.n, 5);
	/* established SAs do not count: room again */
	ike_sa_state(sa_of_spi(0x8001), IKE_SA_ESTABLISHED, "test: up");
	len = init_req(req, sizeof(req), 0x8012, IKE_DH_ECP256, pub, pub_len, NULL, 0);
	deliver_from(req, len, 500);
	CU_ASSERT_PTR_NOT_NULL(sa_of_spi(0x8012));
	CU_ASSERT_EQUAL(tif_tx.n, 6);
	c->max_half_open_per_peer = 0;
	for (uint64_t spi = 0x8000; spi < 0x8013; spi++)
		if (sa_of_spi(spi) != NULL)
			ike_sa_kill(sa_of_spi(spi), "test done");
	ike_sa_reap();
	CU_ASSERT_EQUAL(ike_sa_half_open(), half);
	ike_dh_free(dh);
}

/* GW_LOG_RL: GW_LOG_RL_BURST lines, then silence; after a refill the
 * next line comes with the number suppressed. */
static void rl_site(unsigned i)
{
	GW_LOG_RL(ike, NOTICE, "rl test line %u", i);
}

static void test_log_rl(void)
{
	unsigned n = 0, supp;

	tif_log_begin();
	for (unsigned i = 0; i < 100; i++)
		rl_site(i);
	CU_ASSERT_EQUAL(tif_log_end("rl test line", NULL), GW_LOG_RL_BURST);
	usleep((GW_LOG_RL_PERIOD_MS + 100) * 1000);
	tif_log_begin();
	rl_site(100);
	supp = tif_log_end("90 similar messages suppressed", &n);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL(supp, 1);
}

/* ---- RFC 7383 fragments ---- */

static void frag(const struct ike_sa *sa, uint32_t id, uint16_t num, uint16_t total, size_t len,
		 bool corrupt)
{
	static uint8_t junk[BUF];

	memset(junk, 0x5a, len);
	tif_v2_send(sa, IKE_EXCH_INFORMATIONAL, false, id, 200, junk, len, num, total, corrupt);
}

static void frag_exchange(struct ike_sa *sa);

static void test_frag_flood(void)
{
	struct ike_sa *sa = new_sa(6);
	uint64_t fdrop = ikev2_counter(IKEV2_C_ikev2_drop_frag), dup = ikev2_counter(IKEV2_C_ikev2_frag_dup);
	uint64_t msgid = ikev2_counter(IKEV2_C_ikev2_drop_msgid), icv = ikev2_counter(IKEV2_C_ikev2_drop_icv);
	uint64_t parse = ikev2_counter(IKEV2_C_ikev2_drop_parse);
	size_t held0 = ikev2_frag_held(), peak = 0;
	uint32_t id = tif_v2.mid;
	struct snap s;

	snap_take(sa, &s);
	/* 3000 fragments of a message that never completes: 31 of 32, over
	 * and over (duplicates) */
	for (unsigned i = 0; i < 3000; i++) {
		frag(sa, id, (uint16_t)(i % 31 + 1), 32, 1000, false);
		if (ikev2_frag_held() - held0 > peak)
			peak = ikev2_frag_held() - held0;
	}
	CU_ASSERT_EQUAL(ikev2_frag_held() - held0, 31 * 1000);
	CU_ASSERT(ikev2_counter(IKEV2_C_ikev2_frag_dup) >= dup + 3000 - 31);
	/* over 64 KiB of one message: the fragment that passes the bound is
	 * refused and the reassembly freed */
	ikev2_frag_reset(sa);
	for (uint16_t n = 1; n <= 31; n++)
		frag(sa, id, n, 32, 2100, false);
	CU_ASSERT_EQUAL(ikev2_frag_held() - held0, 31 * 2100);
	peak = ikev2_frag_held() - held0;
	frag(sa, id, 32, 32, 2100, false);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_drop_frag), fdrop + 1);
	CU_ASSERT_EQUAL(ikev2_frag_held(), held0);
	fdrop = ikev2_counter(IKEV2_C_ikev2_drop_frag);
	/* Total Fragments: 1/4, then 2/3 (smaller: dropped), 2/6 (larger:
	 * starts over with it alone) */
	frag(sa, id, 1, 4, 100, false);
	frag(sa, id, 2, 3, 100, false);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_drop_frag), fdrop + 1);
	frag(sa, id, 2, 6, 300, false);
	CU_ASSERT_EQUAL(ikev2_frag_held() - held0, 300);
	/* numbers out of range: 0, above the total (parser), total 33 */
	frag(sa, id, 7, 6, 10, false);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_drop_parse), parse + 1);
	frag(sa, id, 33, 33, 10, false);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_drop_frag), fdrop + 2);
	/* fragments of 1000 other message IDs; bad ICVs */
	for (uint32_t i = 1; i <= 1000; i++)
		frag(sa, id + i, 1, 2, 500, false);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_drop_msgid), msgid + 1000);
	for (unsigned i = 0; i < 1000; i++)
		frag(sa, id, (uint16_t)(i % 6 + 1), 6, 500, true);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_drop_icv), icv + 1000);
	CU_ASSERT_EQUAL(ikev2_frag_held() - held0, 300);
	CU_ASSERT(peak <= IKEV2_FRAG_SA_MAX);
	/* nothing answered, nothing changed but the held fragment */
	CU_ASSERT_EQUAL(tif_tx.n, 0);
	ikev2_frag_reset(sa);
	snap_check(sa, &s, false);
	/* idle: freed by the tick after IKEV2_FRAG_IDLE_MS */
	frag(sa, id, 1, 3, 100, false);
	CU_ASSERT_EQUAL(ikev2_frag_held() - held0, 100);
	ikev2_frag_tick(ikev2_now_ms() + IKEV2_FRAG_IDLE_MS - 1000);
	CU_ASSERT_EQUAL(ikev2_frag_held() - held0, 100);
	ikev2_frag_tick(ikev2_now_ms() + IKEV2_FRAG_IDLE_MS + 1);
	CU_ASSERT_EQUAL(ikev2_frag_held(), held0);
	printf("\n    fragment flood: peak held %zu octets (bound %u per SA)\n", peak,
	       (unsigned)IKEV2_FRAG_SA_MAX);
	frag_exchange(sa);
	still_works(sa);
	ike_sa_kill(sa, "test done");
}

/* A fragmented INFORMATIONAL (3 fragments, out of order, one twice) is
 * reassembled and answered; its retransmission gets the cached answer
 * once. */
static void frag_exchange(struct ike_sa *sa)
{
	static const uint8_t data[100];
	uint64_t reass = ikev2_counter(IKEV2_C_ikev2_frag_reassembled);
	unsigned before = tif_tx.n;
	size_t len, third;
	struct ike_msg *m;
	long l;

	tif_v2_inner_begin();
	for (unsigned i = 0; i < 10; i++)
		ike_msg_add_notify(&tif_v2.ib, 0, NULL, 0, 40000, data, sizeof(data));	/* private */
	l = ike_msg_build_end(&tif_v2.ib);
	CU_ASSERT_FATAL(l > 0);
	len = (size_t)l;
	third = len / 3;
	tif_v2_send(sa, IKE_EXCH_INFORMATIONAL, false, tif_v2.mid, tif_v2.ib.first, tif_v2.ibuf + 2 * third,
		    len - 2 * third, 3, 3, false);
	tif_v2_send(sa, IKE_EXCH_INFORMATIONAL, false, tif_v2.mid, tif_v2.ib.first, tif_v2.ibuf, third, 1, 3, false);
	tif_v2_send(sa, IKE_EXCH_INFORMATIONAL, false, tif_v2.mid, tif_v2.ib.first, tif_v2.ibuf, third, 1, 3, false);
	CU_ASSERT_EQUAL(tif_tx.n, before);
	tif_v2_send(sa, IKE_EXCH_INFORMATIONAL, false, tif_v2.mid, tif_v2.ib.first, tif_v2.ibuf + third, third, 2, 3,
		    false);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_frag_reassembled), reass + 1);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, before + 1);
	m = tif_v2_sent(before);
	CU_ASSERT(m->hdr.flags & IKE_HDR_F_R);
	CU_ASSERT_EQUAL(m->hdr.msg_id, tif_v2.mid);
	tif_v2.mid++;
	tif_v2_send(sa, IKE_EXCH_INFORMATIONAL, false, tif_v2.mid - 1, tif_v2.ib.first, tif_v2.ibuf, third, 1, 3,
		    false);
	tif_v2_send(sa, IKE_EXCH_INFORMATIONAL, false, tif_v2.mid - 1, tif_v2.ib.first, tif_v2.ibuf + third, third,
		    2, 3, false);
	CU_ASSERT_EQUAL(tif_tx.n, before + 2);
}

static void test_frag_exchange(void)
{
	struct ike_sa *sa = new_sa(7);

	frag_exchange(sa);
	still_works(sa);
	ike_sa_kill(sa, "test done");
}

/* 200 SAs each start a reassembly: 128 slots hold them, the others are
 * refused; the global bound holds; killed SAs give their slots back. */
static void test_frag_many_sas(void)
{
	struct ike_sa *sas[200];
	uint64_t fdrop = ikev2_counter(IKEV2_C_ikev2_drop_frag);
	size_t held0 = ikev2_frag_held();
	unsigned busy0 = ikev2_frag_busy();

	for (unsigned i = 0; i < RTE_DIM(sas); i++) {
		sas[i] = new_sa(100 + i);
		frag(sas[i], 0, 1, 32, 2000, false);
		frag(sas[i], 0, 2, 32, 2000, false);
	}
	CU_ASSERT_EQUAL(ikev2_frag_busy(), IKEV2_FRAG_SLOTS);
	CU_ASSERT_EQUAL(ikev2_counter(IKEV2_C_ikev2_drop_frag),
			fdrop + 2 * (RTE_DIM(sas) - (IKEV2_FRAG_SLOTS - busy0)));
	CU_ASSERT(ikev2_frag_held() <= (size_t)IKEV2_FRAG_SLOTS * IKEV2_FRAG_SA_MAX);
	printf("\n    200 SAs: %u reassemblies, %zu octets held (bound %u)\n", ikev2_frag_busy(),
	       ikev2_frag_held() - held0, (unsigned)IKEV2_FRAG_SLOTS * IKEV2_FRAG_SA_MAX);
	for (unsigned i = 0; i < RTE_DIM(sas); i++)
		ike_sa_kill(sas[i], "test done");
	ikev2_tick(ikev2_now_ms());
	CU_ASSERT_EQUAL(ikev2_frag_busy(), 0);
	CU_ASSERT_EQUAL(ikev2_frag_held(), 0);
}

/* ---- set-up ---- */

static int suite_init(void)
{
	tif_config("branch-a", 2, "10.10.0.2", "aes128gcm16-prfsha256-ecp256", "192.168.10.0/24");
	tif_cfg.crypto.ikev2.dpd_interval = 5;
	tif_cfg.crypto.ikev2.cookie_threshold = 1000;
	return tif_dp_start();
}

int main(void)
{
	static const struct test_case tests[] = {
		{ "replayed and reordered requests", test_replayed_requests },
		{ "replayed CREATE_CHILD_SA", test_replayed_create_child },
		{ "replayed and reordered responses", test_replayed_responses },
		{ "IKE_SA_INIT replayed after the SA is up", test_replayed_init },
		{ "oversized datagrams, lying length fields", test_oversized_datagrams },
		{ "payload counts over every limit inside SK", test_payload_counts },
		{ "IKE_SA_INIT over a count: no SA", test_init_counts },
		{ "IKE_SA_INIT with bad KE values: no SA, no key, no log", test_init_bad_ke },
		{ "IKE_SA_INIT replayed through a NAT's other port", test_init_replay_nat_port },
		{ "max_half_open_per_peer, COOKIE replaces, log bounded", test_init_per_peer_cap },
		{ "GW_LOG_RL: burst, silence, suppressed count", test_log_rl },
		{ "SKF fragment flood", test_frag_flood },
		{ "SKF exchange after the flood", test_frag_exchange },
		{ "SKF reassembly slots over 200 SAs", test_frag_many_sas },
	};

	return tif_main("ikev2_abuse", suite_init, tests, RTE_DIM(tests));
}
