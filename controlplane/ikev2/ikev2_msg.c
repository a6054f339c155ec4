/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKEv2 messages in and out (ikev2_msg.h): SA lookup, message IDs (window
 * 1), SK/SKF protection, RFC 7383 fragmentation and reassembly,
 * retransmission and the response cache.  CP thread only: the receive
 * buffer, the parsed message and the builder are single static objects.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/gw_log.h"
#include "controlplane/cp_loop.h"
#include "controlplane/ike/ike_sk.h"
#include "controlplane/ikev2/ikev2_int.h"
#include "controlplane/ikev2/ikev2_msg.h"

enum {
	IKEV2_FRAG_MSG_MAX = 1200,	/* one SKF message, IKE header included */
	IKEV2_REC_HDR = 2,		/* length prefix of a stored datagram */
};

static ikev2_req_fn ikev2_handlers[256];
static ikev2_tx_fn ikev2_tx = cp_ike_send;

/* The message being received (views point into rx or reass). */
static uint8_t ikev2_rx[IKE_MSG_MAX];
static uint8_t ikev2_reass[IKE_MSG_MAX];
static struct ike_msg ikev2_rxmsg;

/* The message being built (inner payloads). */
static struct {
	struct ike_build b;
	uint8_t buf[IKE_MSG_MAX];
	struct ike_sa *sa;
	bool active, response;
	uint8_t exch;
	uint32_t msg_id;
} ikev2_out;

void ikev2_msg_set_handler(uint8_t exch, ikev2_req_fn fn)
{
	ikev2_handlers[exch] = fn;
}

void ikev2_msg_set_tx(ikev2_tx_fn fn)
{
	ikev2_tx = fn != NULL ? fn : cp_ike_send;
}

int ikev2_msg_tx(const struct gw_addr *src, const struct gw_addr *dst, uint16_t sport,
		 uint16_t dport, const void *data, size_t len)
{
	ikev2_count(IKEV2_C_ikev2_tx, 1);
	return ikev2_tx(src, dst, sport, dport, data, len);
}

uint64_t ikev2_now_ms(void)
{
	return cp_loop_now_ms();
}

/* ---- stored datagrams: (2-octet length | datagram)* ---- */

static int ikev2_rec_append(uint8_t **buf, size_t *len, const uint8_t *d, size_t n)
{
	uint8_t *p = realloc(*buf, *len + IKEV2_REC_HDR + n);

	if (p == NULL)
		return -ENOMEM;
	p[*len] = (uint8_t)(n >> 8);
	p[*len + 1] = (uint8_t)n;
	memcpy(p + *len + IKEV2_REC_HDR, d, n);
	*buf = p;
	*len += IKEV2_REC_HDR + n;
	return 0;
}

static void ikev2_rec_send(struct ike_sa *sa, const uint8_t *buf, size_t len)
{
	size_t off = 0;

	while (off + IKEV2_REC_HDR <= len) {
		size_t n = (size_t)buf[off] << 8 | buf[off + 1];

		off += IKEV2_REC_HDR;
		if (off + n > len)
			break;
		ikev2_msg_tx(&sa->local, &sa->remote, sa->local_port, sa->remote_port, buf + off, n);
		off += n;
	}
}

static void ikev2_req_clear(struct ike_sa *sa)
{
	free(sa->mid.req);
	sa->mid.req = NULL;
	sa->mid.req_len = 0;
	sa->mid.retx = 0;
	sa->mid.retx_at_ms = 0;
	sa->mid.resp_fn = NULL;
	sa->mid.resp_arg = NULL;
}

/* ---- protection ---- */

void ikev2_hdr_put(uint8_t *p, const struct ike_sa *sa, uint8_t next, uint8_t exch,
		   uint8_t flags, uint32_t msg_id, uint32_t len)
{
	memcpy(p, sa->spi_i, 8);
	memcpy(p + 8, sa->spi_r, 8);
	p[16] = next;
	p[17] = IKE_VERSION;
	p[18] = exch;
	p[19] = flags;
	p[20] = (uint8_t)(msg_id >> 24);
	p[21] = (uint8_t)(msg_id >> 16);
	p[22] = (uint8_t)(msg_id >> 8);
	p[23] = (uint8_t)msg_id;
	p[24] = (uint8_t)(len >> 24);
	p[25] = (uint8_t)(len >> 16);
	p[26] = (uint8_t)(len >> 8);
	p[27] = (uint8_t)len;
}

/* One SK (frag_total 0) or SKF message carrying inner[0..len) into out. */
static long ikev2_protect_one(struct ike_sa *sa, uint8_t exch, uint8_t flags, uint32_t msg_id,
			      uint8_t first, uint16_t frag_num, uint16_t frag_total,
			      const uint8_t *inner, size_t len, uint8_t *out, size_t cap)
{
	size_t hdr_len = frag_total != 0 ? IKE_SKF_HDR_LEN : IKE_SK_HDR_LEN;
	size_t pl_len = ike_sk_payload_len(&sa->sk_out, hdr_len, len);
	size_t iv_len = ike_sk_iv_len(&sa->sk_out);
	size_t msg_len = IKE_HDR_LEN + pl_len;
	uint8_t *sk = out + IKE_HDR_LEN;
	int ret;

	if (pl_len == 0 || msg_len > cap || msg_len > IKE_MSG_MAX)
		return -EMSGSIZE;
	memset(out, 0, msg_len);
	ikev2_hdr_put(out, sa, frag_total != 0 ? IKE_PL_SKF : IKE_PL_SK, exch, flags, msg_id,
		      (uint32_t)msg_len);
	sk[0] = frag_total == 0 || frag_num == 1 ? first : IKE_PL_NONE;
	sk[2] = (uint8_t)(pl_len >> 8);
	sk[3] = (uint8_t)pl_len;
	if (frag_total != 0) {
		sk[4] = (uint8_t)(frag_num >> 8);
		sk[5] = (uint8_t)frag_num;
		sk[6] = (uint8_t)(frag_total >> 8);
		sk[7] = (uint8_t)frag_total;
	}
	memcpy(sk + hdr_len + iv_len, inner, len);
	ret = ike_sk_encrypt(&sa->sk_out, out, msg_len, IKE_HDR_LEN, hdr_len, len);
	if (ret < 0)
		return ret;
	return (long)msg_len;
}

/* The whole message (SK, or SKF fragments when the peer supports them and
 * it is too big) as stored records in *rec. */
static int ikev2_protect(struct ike_sa *sa, uint8_t exch, uint8_t flags, uint32_t msg_id,
			 uint8_t first, const uint8_t *inner, size_t len, uint8_t **rec,
			 size_t *rec_len)
{
	static uint8_t tmp[IKE_MSG_MAX];
	size_t whole = IKE_HDR_LEN + ike_sk_payload_len(&sa->sk_out, IKE_SK_HDR_LEN, len);
	size_t room, n;
	long m;
	int ret = 0;

	*rec = NULL;
	*rec_len = 0;
	if (!sa->frag_ok || whole <= IKEV2_FRAG_MSG_MAX) {
		m = ikev2_protect_one(sa, exch, flags, msg_id, first, 0, 0, inner, len, tmp,
				      sizeof(tmp));
		if (m < 0)
			return (int)m;
		return ikev2_rec_append(rec, rec_len, tmp, (size_t)m);
	}
	room = ike_sk_plain_max(&sa->sk_out, IKE_SKF_HDR_LEN, IKEV2_FRAG_MSG_MAX - IKE_HDR_LEN);
	if (room == 0)
		return -EMSGSIZE;
	n = (len + room - 1) / room;
	for (size_t i = 0; i < n && ret == 0; i++) {
		size_t chunk = i + 1 < n ? room : len - i * room;

		m = ikev2_protect_one(sa, exch, flags, msg_id, first, (uint16_t)(i + 1),
				      (uint16_t)n, inner + i * room, chunk, tmp, sizeof(tmp));
		ret = m < 0 ? (int)m : ikev2_rec_append(rec, rec_len, tmp, (size_t)m);
	}
	OPENSSL_cleanse(tmp, sizeof(tmp));
	if (ret < 0) {
		free(*rec);
		*rec = NULL;
		*rec_len = 0;
	}
	return ret;
}

static uint8_t ikev2_flags(const struct ike_sa *sa, bool response)
{
	return (uint8_t)((sa->role == IKE_INITIATOR ? IKE_HDR_F_I : 0) |
			 (response ? IKE_HDR_F_R : 0));
}

/* ---- sending ---- */

static struct ike_build *ikev2_out_begin(struct ike_sa *sa, uint8_t exch, bool response,
					 uint32_t msg_id)
{
	if (sa == NULL || sa->state == IKE_SA_DEAD || ikev2_out.active)
		return NULL;
	ike_msg_build_init_inner(&ikev2_out.b, ikev2_out.buf, sizeof(ikev2_out.buf));
	ikev2_out.sa = sa;
	ikev2_out.active = true;
	ikev2_out.response = response;
	ikev2_out.exch = exch;
	ikev2_out.msg_id = msg_id;
	return &ikev2_out.b;
}

/* Close the open build: its inner chain, or -errno. */
static long ikev2_out_end(struct ike_sa *sa, bool response)
{
	long len;

	if (!ikev2_out.active || ikev2_out.sa != sa || ikev2_out.response != response)
		return -EINVAL;
	ikev2_out.active = false;
	len = ike_msg_build_end(&ikev2_out.b);
	if (len < 0)
		OPENSSL_cleanse(ikev2_out.buf, ikev2_out.b.len);
	return len;
}

void ikev2_msg_abort(struct ike_sa *sa)
{
	if (ikev2_out.active && ikev2_out.sa == sa) {
		ikev2_out.active = false;
		OPENSSL_cleanse(ikev2_out.buf, ikev2_out.b.len);
	}
}

struct ike_build *ikev2_msg_request_begin(struct ike_sa *sa, uint8_t exch)
{
	return ikev2_out_begin(sa, exch, false, 0);
}

static int ikev2_request_emit(struct ike_sa *sa, uint8_t exch, uint8_t first,
			      const uint8_t *inner, size_t len, ikev2_resp_fn fn, void *arg)
{
	uint32_t id = sa->mid.next_send;
	int ret;

	ret = ikev2_protect(sa, exch, ikev2_flags(sa, false), id, first, inner, len,
			    &sa->mid.req, &sa->mid.req_len);
	if (ret < 0)
		return ret;
	sa->mid.next_send = id + 1;
	sa->mid.resp_fn = fn;
	sa->mid.resp_arg = arg;
	sa->mid.retx = 0;
	sa->mid.retx_at_ms = ikev2_now_ms() + IKE_RETX_BASE_MS;
	ikev2_rec_send(sa, sa->mid.req, sa->mid.req_len);
	return 0;
}

int ikev2_msg_request_send(struct ike_sa *sa, ikev2_resp_fn fn, void *arg)
{
	long len = ikev2_out_end(sa, false);
	struct ike_queued_req *q = NULL;
	int ret;

	if (len < 0)
		return (int)len;
	if (sa->mid.req == NULL) {
		ret = ikev2_request_emit(sa, ikev2_out.exch, ikev2_out.b.first, ikev2_out.buf,
					 (size_t)len, fn, arg);
		goto out;
	}
	for (unsigned i = 0; i < IKE_REQ_QUEUE && q == NULL; i++)
		if (sa->mid.queue[i].inner == NULL)
			q = &sa->mid.queue[i];
	ret = -ENOBUFS;
	if (q == NULL)
		goto out;
	q->inner = malloc((size_t)len > 0 ? (size_t)len : 1);
	ret = -ENOMEM;
	if (q->inner == NULL)
		goto out;
	memcpy(q->inner, ikev2_out.buf, (size_t)len);
	q->len = (size_t)len;
	q->first = ikev2_out.b.first;
	q->exch = ikev2_out.exch;
	q->fn = fn;
	q->arg = arg;
	ret = 0;
out:
	OPENSSL_cleanse(ikev2_out.buf, (size_t)len);
	return ret;
}

/* The outstanding request was answered: send the next queued one. */
static void ikev2_queue_run(struct ike_sa *sa)
{
	struct ike_queued_req q = sa->mid.queue[0];

	if (sa->state == IKE_SA_DEAD || sa->mid.req != NULL || q.inner == NULL)
		return;
	memmove(&sa->mid.queue[0], &sa->mid.queue[1],
		sizeof(sa->mid.queue[0]) * (IKE_REQ_QUEUE - 1));
	memset(&sa->mid.queue[IKE_REQ_QUEUE - 1], 0, sizeof(sa->mid.queue[0]));
	if (ikev2_request_emit(sa, q.exch, q.first, q.inner, q.len, q.fn, q.arg) < 0)
		GW_LOG(ike, WARNING, "session %" PRIu64 ": queued request lost", sa->id);
	OPENSSL_cleanse(q.inner, q.len);
	free(q.inner);
}

struct ike_build *ikev2_msg_response_begin(struct ike_sa *sa, const struct ike_msg *req)
{
	return ikev2_out_begin(sa, req->hdr.exchange, true, req->hdr.msg_id);
}

struct ike_build *ikev2_msg_response_begin_id(struct ike_sa *sa, uint8_t exch, uint32_t msg_id)
{
	return ikev2_out_begin(sa, exch, true, msg_id);
}

int ikev2_msg_response_send(struct ike_sa *sa)
{
	long len = ikev2_out_end(sa, true);
	uint8_t *rec = NULL;
	size_t rec_len = 0;
	int ret;

	if (len < 0)
		return (int)len;
	ret = ikev2_protect(sa, ikev2_out.exch, ikev2_flags(sa, true), ikev2_out.msg_id,
			    ikev2_out.b.first, ikev2_out.buf, (size_t)len, &rec, &rec_len);
	OPENSSL_cleanse(ikev2_out.buf, (size_t)len);
	if (ret < 0)
		return ret;
	free(sa->mid.resp);
	sa->mid.resp = rec;
	sa->mid.resp_len = rec_len;
	sa->mid.resp_id = ikev2_out.msg_id;
	sa->mid.resp_valid = true;
	sa->mid.next_recv = ikev2_out.msg_id + 1;
	ikev2_rec_send(sa, rec, rec_len);
	return 0;
}

int ikev2_msg_send_plain(struct ike_sa *sa, const uint8_t *msg, size_t len, bool request,
			 ikev2_resp_fn fn, void *arg)
{
	uint8_t *rec = NULL;
	size_t rec_len = 0;
	uint32_t id;
	int ret;

	if (len < IKE_HDR_LEN)
		return -EINVAL;
	id = (uint32_t)msg[20] << 24 | (uint32_t)msg[21] << 16 | (uint32_t)msg[22] << 8 | msg[23];
	ret = ikev2_rec_append(&rec, &rec_len, msg, len);
	if (ret < 0)
		return ret;
	if (request) {
		ikev2_req_clear(sa);
		sa->mid.req = rec;
		sa->mid.req_len = rec_len;
		sa->mid.next_send = id + 1;
		sa->mid.resp_fn = fn;
		sa->mid.resp_arg = arg;
		sa->mid.retx_at_ms = ikev2_now_ms() + IKE_RETX_BASE_MS;
	} else {
		free(sa->mid.resp);
		sa->mid.resp = rec;
		sa->mid.resp_len = rec_len;
		sa->mid.resp_id = id;
		sa->mid.resp_valid = true;
		sa->mid.next_recv = id + 1;
	}
	ikev2_msg_tx(&sa->local, &sa->remote, sa->local_port, sa->remote_port, msg, len);
	return 0;
}

void ikev2_msg_tick(struct ike_sa *sa, uint64_t now_ms)
{
	uint64_t delay;

	if (sa->state == IKE_SA_DEAD || sa->mid.req == NULL || now_ms < sa->mid.retx_at_ms)
		return;
	if (sa->mid.retx >= IKE_RETX_MAX) {
		ikev2_resp_fn fn = sa->mid.resp_fn;
		void *arg = sa->mid.resp_arg;

		ikev2_req_clear(sa);
		if (fn != NULL)
			fn(sa, NULL, arg);
		ike_sa_kill(sa, "peer not responding (retransmissions exhausted)");
		return;
	}
	sa->mid.retx++;
	delay = (uint64_t)IKE_RETX_BASE_MS << sa->mid.retx;
	sa->mid.retx_at_ms = now_ms + (delay < IKE_RETX_CAP_MS ? delay : IKE_RETX_CAP_MS);
	ikev2_count(IKEV2_C_ikev2_retx, 1);
	ikev2_rec_send(sa, sa->mid.req, sa->mid.req_len);
}

/* ---- receiving ---- */

void ikev2_msg_answer_notify(struct ike_sa *sa, const struct ike_msg *req, uint16_t type,
			     const void *data, size_t len)
{
	struct ike_build *b = ikev2_msg_response_begin(sa, req);

	if (b == NULL)
		return;
	ike_msg_add_notify(b, IKE_PROTO_NONE, NULL, 0, type, data, len);
	ikev2_msg_response_send(sa);
}

/* The SA of a message that is not an IKE_SA_INIT request, or NULL. */
static struct ike_sa *ikev2_msg_sa(const struct ike_msg *m)
{
	bool from_init = (m->hdr.flags & IKE_HDR_F_I) != 0;
	uint8_t spi[8], other[8];
	struct ike_sa *sa;

	for (unsigned i = 0; i < 8; i++) {
		uint64_t mine = from_init ? m->hdr.spi_r : m->hdr.spi_i;
		uint64_t theirs = from_init ? m->hdr.spi_i : m->hdr.spi_r;

		spi[i] = (uint8_t)(mine >> (56 - 8 * i));
		other[i] = (uint8_t)(theirs >> (56 - 8 * i));
	}
	sa = ike_sa_find_local_spi(spi);
	if (sa == NULL || sa->state == IKE_SA_DEAD)
		return NULL;
	if ((sa->role == IKE_RESPONDER) != from_init)
		return NULL;
	if (m->hdr.exchange == IKE_EXCH_IKE_SA_INIT)
		return sa;			/* the initiator learns SPIr from it */
	if (memcmp(from_init ? sa->spi_i : sa->spi_r, other, 8) != 0)
		return NULL;
	return sa;
}

/* Is a request of this exchange acceptable in sa's state? */
static bool ikev2_msg_state_ok(const struct ike_sa *sa, uint8_t exch)
{
	if (exch == IKE_EXCH_IKE_AUTH)
		return sa->role == IKE_RESPONDER && sa->state == IKE_SA_INIT_DONE;
	return sa->state == IKE_SA_ESTABLISHED || sa->state == IKE_SA_REKEYING ||
	       sa->state == IKE_SA_DELETING;
}

static void ikev2_msg_dispatch(struct ike_sa *sa, struct ike_msg *m)
{
	if (m->hdr.flags & IKE_HDR_F_R) {
		ikev2_resp_fn fn = sa->mid.resp_fn;
		void *arg = sa->mid.resp_arg;

		ikev2_req_clear(sa);
		if (fn != NULL)
			fn(sa, m, arg);
		ikev2_queue_run(sa);
		return;
	}
	if (!ikev2_msg_state_ok(sa, m->hdr.exchange) || ikev2_handlers[m->hdr.exchange] == NULL) {
		if (m->hdr.exchange == IKE_EXCH_INFORMATIONAL) {
			struct ike_build *b = ikev2_msg_response_begin(sa, m);

			if (b != NULL)
				ikev2_msg_response_send(sa);	/* empty: alive */
			return;
		}
		/* an IKE_AUTH on an established SA, an unknown exchange type:
		 * no answer, the message ID stays where it was */
		ikev2_count(IKEV2_C_ikev2_drop_state, 1);
		return;
	}
	ikev2_handlers[m->hdr.exchange](sa, m);
}

/* Follow the peer to port 4500 and through NAT rebindings. */
static void ikev2_msg_track(struct ike_sa *sa, const struct ike_dgram *d)
{
	sa->last_rx_ms = ikev2_now_ms();
	if (d->dport != sa->local_port || d->sport != sa->remote_port ||
	    !gw_addr_eq(&d->src, &sa->remote)) {
		sa->local = d->dst;
		sa->local_port = d->dport;
		sa->remote = d->src;
		sa->remote_port = d->sport;
	}
}

/* The message-ID check (RFC 7296 2.1-2.3, window 1), before decryption. */
enum ikev2_win { IKEV2_WIN_DROP, IKEV2_WIN_RESEND, IKEV2_WIN_OK };

static enum ikev2_win ikev2_msg_window(struct ike_sa *sa, const struct ike_msg *m)
{
	uint32_t id = m->hdr.msg_id;

	if (m->hdr.flags & IKE_HDR_F_R) {
		/* a response answers our outstanding request, or nothing */
		if (sa->mid.req == NULL || id != sa->mid.next_send - 1) {
			ikev2_count(IKEV2_C_ikev2_drop_msgid, 1);
			return IKEV2_WIN_DROP;
		}
		return IKEV2_WIN_OK;
	}
	/* the request we answered last: its retransmission (or a replay) */
	if (sa->mid.resp_valid && id == sa->mid.resp_id)
		return IKEV2_WIN_RESEND;
	/* older ones (replays, reordered) and ones beyond the window */
	if (id != sa->mid.next_recv) {
		ikev2_count(IKEV2_C_ikev2_drop_msgid, 1);
		return IKEV2_WIN_DROP;
	}
	/* an IKE_AUTH whose peer verification runs: absorbed, fragments too */
	return sa->state != IKE_SA_AUTH_VERIFY ? IKEV2_WIN_OK : IKEV2_WIN_DROP;
}

/* The last request again, its ICV verified (a forgery of its header
 * resends nothing): the cached response, once per message (on fragment
 * 1 of a fragmented one). */
static void ikev2_msg_resend(struct ike_sa *sa, const struct ike_msg *m)
{
	if (m->sk.frag && m->sk.frag_num != 1)
		return;
	ikev2_count(IKEV2_C_ikev2_resp_resent, 1);
	ikev2_rec_send(sa, sa->mid.resp, sa->mid.resp_len);
}

static void ikev2_msg_protected(struct ike_sa *sa, const struct ike_dgram *d, struct ike_msg *m)
{
	size_t hdr_len = m->sk.frag ? IKE_SKF_HDR_LEN : IKE_SK_HDR_LEN;
	size_t po = 0, pl = 0;
	const uint8_t *inner;
	uint8_t first;
	enum ikev2_win win;
	enum ike_msg_err err;
	int ret;

	if (m->n_sk != 1 || m->sk.aad_len < IKE_HDR_LEN + hdr_len) {
		ikev2_count(IKEV2_C_ikev2_drop_parse, 1);
		return;
	}
	win = ikev2_msg_window(sa, m);
	if (win == IKEV2_WIN_DROP)
		return;
	ret = ike_sk_decrypt(&sa->sk_in, ikev2_rx, m->len, m->sk.aad_len - hdr_len, hdr_len,
			     &po, &pl);
	if (ret < 0) {
		ikev2_count(ret == -EBADMSG ? IKEV2_C_ikev2_drop_icv : IKEV2_C_ikev2_drop_parse, 1);
		return;
	}
	if (win == IKEV2_WIN_RESEND) {
		ikev2_msg_resend(sa, m);
		return;
	}
	ikev2_msg_track(sa, d);
	inner = ikev2_rx + po;
	first = m->sk.inner_next;
	if (m->sk.frag) {
		long n = ikev2_frag_add(sa, m, ikev2_rx + po, pl, ikev2_reass, sizeof(ikev2_reass),
					&first);

		if (n <= 0)
			return;
		inner = ikev2_reass;
		pl = (size_t)n;
	}
	err = ike_msg_parse_inner(m, first, inner, pl);
	if (err != IKE_MSG_OK) {
		uint16_t n = ike_msg_err_notify(err, true);

		ikev2_count(IKEV2_C_ikev2_drop_inner, 1);
		GW_LOG(ike, NOTICE, "session %" PRIu64 ": %s", sa->id, ike_msg_err_str(err));
		if (!(m->hdr.flags & IKE_HDR_F_R) && n != 0)
			ikev2_msg_answer_notify(sa, m, n, n == IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD ?
					       &m->crit_type : NULL,
					       n == IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD ? 1 : 0);
		return;
	}
	ikev2_msg_dispatch(sa, m);
}

void ikev2_msg_input(const struct ike_dgram *d)
{
	struct ike_msg *m = &ikev2_rxmsg;
	enum ike_msg_err err;
	struct ike_sa *sa;

	ikev2_count(IKEV2_C_ikev2_rx, 1);
	if (d->len > sizeof(ikev2_rx)) {		/* IKE_MSG_MAX: one UDP datagram */
		ikev2_count(IKEV2_C_ikev2_drop_oversize, 1);
		return;
	}
	memcpy(ikev2_rx, d->data, d->len);
	err = ike_msg_parse(ikev2_rx, d->len, m);
	if (err != IKE_MSG_OK) {
		ikev2_count(IKEV2_C_ikev2_drop_parse, 1);
		return;
	}
	if (m->hdr.exchange == IKE_EXCH_IKE_SA_INIT && !(m->hdr.flags & IKE_HDR_F_R)) {
		ikev2_init_input(d, m);
		return;
	}
	sa = ikev2_msg_sa(m);
	if (sa == NULL) {
		ikev2_count(IKEV2_C_ikev2_drop_no_sa, 1);
		return;
	}
	if (m->hdr.exchange == IKE_EXCH_IKE_SA_INIT) {
		/* the response to our IKE_SA_INIT: in the clear */
		if (sa->state != IKE_SA_INIT_SENT || m->hdr.msg_id != 0 || sa->mid.req == NULL) {
			ikev2_count(IKEV2_C_ikev2_drop_msgid, 1);
			return;
		}
		ikev2_msg_dispatch(sa, m);
		return;
	}
	ikev2_msg_protected(sa, d, m);
}
