/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Quick Mode (RFC 2409 5.5), both roles:
 *   I -> R  HDR*, HASH(1), SA, Ni [, KE] , IDci, IDcr
 *   R -> I  HDR*, HASH(2), SA, Nr [, KE] , IDci, IDcr [, N(RESPONDER-LIFETIME)]
 *   I -> R  HDR*, HASH(3)
 * Each Quick Mode has its own CBC chain from hash(last phase-1 block |
 * M-ID).  The initiator installs its pair after message 2, the responder
 * after message 3; the responder resends message 2 until message 3
 * arrives, the initiator answers a repeated message 2 with message 3.
 * CP thread only.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "common/gw_log.h"
#include "controlplane/ike/ike_dh.h"
#include "controlplane/ikev1/ikev1_int.h"

struct ikev1_qm *ikev1_qm_find(struct ike_sa *sa, uint32_t msg_id)
{
	for (unsigned i = 0; i < IKEV1_QM_MAX; i++)
		if (sa->v1->qm[i].step != IKEV1_QM_FREE && sa->v1->qm[i].msg_id == msg_id)
			return &sa->v1->qm[i];
	return NULL;
}

static void ikev1_qm_free(struct ikev1_qm *qm)
{
	gw_sa_desc_wipe(&qm->out);
	ike_dh_free(qm->dh);
	ikev1_xchg_clear(&qm->x);
	OPENSSL_cleanse(qm, sizeof(*qm));
	qm->step = IKEV1_QM_FREE;
}

void ikev1_qm_free_all(struct ike_sa *sa)
{
	for (unsigned i = 0; i < IKEV1_QM_MAX; i++)
		ikev1_qm_free(&sa->v1->qm[i]);
}

/* A free slot, else the oldest finished one. */
static struct ikev1_qm *ikev1_qm_slot(struct ike_sa *sa)
{
	struct ikev1_qm *best = NULL;

	for (unsigned i = 0; i < IKEV1_QM_MAX; i++) {
		struct ikev1_qm *q = &sa->v1->qm[i];

		if (q->step == IKEV1_QM_FREE)
			return q;
		if (q->step == IKEV1_QM_DONE && !q->out_pending &&
		    (best == NULL || q->done_ms < best->done_ms))
			best = q;
	}
	if (best != NULL)
		ikev1_qm_free(best);
	return best;
}

static uint32_t ikev1_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void ikev1_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* PFS: g^xy of qm with the peer's KE (m), our DH made if not yet. */
static int ikev1_qm_pfs(struct ikev1_qm *qm, const struct ikev1_msg *m)
{
	uint16_t g = qm->chosen.group;

	if (g == 0)
		return m->n_ke == 0 ? 0 : -EBADMSG;
	if (m->n_ke != 1 || m->ke.len != ike_dh_pub_len(g))
		return -EBADMSG;
	if (qm->dh == NULL && (qm->dh = ike_dh_new(g)) == NULL)
		return -EINVAL;
	if (ike_dh_group(qm->dh) != g)
		return -EBADMSG;
	qm->gxy_len = (uint16_t)ike_dh_secret_len(g);
	return ike_dh_derive(qm->dh, m->ke.p, m->ke.len, qm->gxy, qm->gxy_len);
}

/* The message's HASH must be its first payload and cover the rest. */
static int ikev1_qm_hash_first(const struct ikev1_msg *m)
{
	return m->n_pl > 0 && m->pl[0].type == IKEV1_PL_HASH && m->n_hash == 1 ? 0 : -EBADMSG;
}

/* Open an encrypted QM message with qm->iv (committed by the caller). */
static struct ikev1_msg *ikev1_qm_open(struct ike_sa *sa, const struct ike_dgram *d,
				       const struct ikev1_iv *iv, uint8_t **buf,
				       struct ikev1_iv *next)
{
	struct ikev1_msg *m = malloc(sizeof(*m));

	*buf = malloc(d->len);
	if (m == NULL || *buf == NULL || ikev1_open(sa, d, iv, *buf, m, next) < 0 ||
	    ikev1_qm_hash_first(m) < 0) {
		free(m);
		return NULL;
	}
	return m;
}

static void ikev1_qm_close(struct ikev1_msg *m, uint8_t *buf, size_t len)
{
	if (buf != NULL)
		OPENSSL_cleanse(buf, len);
	free(buf);
	free(m);
}

/* Fill the HASH payload at off (body at off + 4) with h. */
static void ikev1_hash_put(struct ikev1_build *b, long off, const uint8_t *h, size_t len)
{
	memcpy(b->buf + off + IKEV1_PL_HDR_LEN, h, len);
}

/* ---- initiator ---- */

int ikev1_qm_start(struct ike_sa *sa, uint32_t rekey_of)
{
	const struct cfg_peer *peer = &ikev1_cfg()->peers[sa->peer];
	struct ikev1_xform ours[IKEV1_P2_XFORMS];
	struct ikev1_sa *v = sa->v1;
	struct ikev1_qm *qm = ikev1_qm_slot(sa);
	const struct ike_child *old = rekey_of ? ike_sa_child_by_spi_in(sa, rekey_of) : NULL;
	uint8_t spi[4], h[IKEV1_HASH_MAX];
	struct ikev1_build b;
	size_t hl = 0;
	long hoff, len;
	int n = ikev1_qm_our_xforms(sa, ours, IKEV1_P2_XFORMS);

	if (qm == NULL)
		return -EBUSY;
	if (n <= 0 || peer->n_local_ts == 0 || peer->n_remote_ts == 0)
		return -ENOENT;
	memset(qm, 0, sizeof(*qm));
	qm->initiator = true;
	qm->rekey_of = rekey_of;
	do {
		if (RAND_bytes((uint8_t *)&qm->msg_id, sizeof(qm->msg_id)) != 1)
			return -EIO;
	} while (qm->msg_id == 0 || ikev1_qm_find(sa, qm->msg_id) != NULL ||
		 ikev1_mid_seen(sa, qm->msg_id));
	ikev1_mid_seen_add(sa, qm->msg_id);
	qm->ni_len = IKEV1_NONCE_LEN;
	if (RAND_bytes(qm->ni, IKEV1_NONCE_LEN) != 1 ||
	    ikev1_iv_phase2(v->p1.hash, &v->iv, qm->msg_id, &qm->iv) < 0)
		return -EIO;
	if (ours[0].group != 0 && (qm->dh = ike_dh_new(ours[0].group)) == NULL)
		return -EINVAL;
	qm->spi_in = ike_sa_child_spi_alloc();
	qm->local_ts = old != NULL ? old->local_ts[0] : peer->local_ts[0];
	qm->remote_ts = old != NULL ? old->remote_ts[0] : peer->remote_ts[0];
	ikev1_put32(spi, qm->spi_in);
	ikev1_build_init(&b, ikev1_buf(), IKEV1_MSG_BUF, sa->spi_i, sa->spi_r, IKEV1_EXCH_QUICK, 0,
			 qm->msg_id);
	hoff = ikev1_add_hash(&b, ikev1_hash_len(v->p1.hash));
	ikev1_add_sa_p2(&b, spi, ours, (unsigned)n);
	ikev1_add_nonce(&b, qm->ni, qm->ni_len);
	if (qm->dh != NULL) {
		size_t pl = 0;
		const uint8_t *pub = ike_dh_public(qm->dh, &pl);

		ikev1_add_ke(&b, pub, pl);
	}
	ikev1_qm_id_add(&b, &qm->local_ts);
	ikev1_qm_id_add(&b, &qm->remote_ts);
	if (b.err < 0 || ikev1_hash1(&v->keys, qm->msg_id, ikev1_chunk(ikev1_build_after(&b, hoff)), h, &hl) < 0)
		goto fail;
	ikev1_hash_put(&b, hoff, h, hl);
	len = ikev1_seal(sa, &b, &qm->iv);
	if (len < 0 || ikev1_send(sa, &qm->x, b.buf, (size_t)len, true) < 0)
		goto fail;
	qm->step = IKEV1_QM_I1;
	GW_LOG(ike, INFO, "session %" PRIu64 ": Quick Mode %08" PRIx32 " started%s", sa->id,
	       qm->msg_id, rekey_of ? " (rekey)" : "");
	return 0;
fail:
	ikev1_qm_free(qm);
	return -EINVAL;
}

/* RESPONDER-LIFETIME (RFC 2407 4.6.3.1): life type / duration pairs. */
static void ikev1_qm_resp_lifetime(struct ikev1_qm *qm, const struct ikev1_msg *m)
{
	const struct ikev1_notify_pl *n = ikev1_msg_notify_find(m, IKEV1_N_RESPONDER_LIFETIME);
	const uint8_t *p;
	size_t left;
	uint16_t type = 0;

	if (n == NULL)
		return;
	p = n->data.p;
	left = n->data.len;
	while (left >= 4) {
		uint16_t t = (uint16_t)(p[0] << 8 | p[1]) & 0x7fff;
		bool tv = p[0] & 0x80;
		uint32_t val = 0;
		size_t vl = tv ? 0 : (size_t)(p[2] << 8 | p[3]);

		if (!tv && (vl > 4 || left < 4 + vl))
			break;
		if (tv)
			val = (uint32_t)(p[2] << 8 | p[3]);
		else
			for (size_t i = 0; i < vl; i++)
				val = val << 8 | p[4 + i];
		if (t == IKEV1_A2_LIFE_TYPE)
			type = (uint16_t)val;
		else if (t == IKEV1_A2_LIFE_DURATION && type == IKEV1_LIFE_SECONDS && val != 0 &&
			 val < qm->life_s)
			qm->life_s = val;
		p += 4 + vl;
		left -= 4 + vl;
	}
}

/* Message 2 in, message 3 out, install. */
static void ikev1_qm_i2(struct ike_sa *sa, struct ikev1_qm *qm, const struct ike_dgram *d)
{
	struct ikev1_xform ours[IKEV1_P2_XFORMS];
	struct ikev1_sa *v = sa->v1;
	struct ikev1_iv next;
	struct ikev1_msg *m;
	struct ikev1_build b;
	uint8_t *buf = NULL, h[IKEV1_HASH_MAX];
	size_t hl = 0;
	unsigned xi = 0;
	long hoff, len;
	int n = ikev1_qm_our_xforms(sa, ours, IKEV1_P2_XFORMS);

	m = ikev1_qm_open(sa, d, &qm->iv, &buf, &next);
	if (m == NULL || m->n_nonce != 1 ||
	    ikev1_hash2(&v->keys, qm->msg_id, (struct ike_chunk){ qm->ni, qm->ni_len },
			ikev1_chunk(ikev1_msg_after(m, 0)), h, &hl) < 0 ||
	    ikev1_hash_check(h, hl, m->hash) < 0) {
		ikev1_count(IKEV1_C_isakmp_drop_parse, 1);
		goto done;
	}
	qm->iv = next;
	(void)ikev1_xchg_dup(&qm->x, d, true);
	if (m->n_sa != 1 || n <= 0 ||
	    ikev1_sa_check_reply(&m->sa, IKEV1_PROTO_ESP, ours, (unsigned)n, &xi) < 0 ||
	    m->sa.props[0].spi_size != 4) {
		GW_LOG(ike, NOTICE, "session %" PRIu64 ": Quick Mode %08" PRIx32 ": reply is not a "
		       "transform we offered", sa->id, qm->msg_id);
		ikev1_count(IKEV1_C_isakmp_no_proposal, 1);
		ikev1_qm_free(qm);
		goto done;
	}
	qm->chosen = m->sa.xforms[xi];
	qm->spi_out = ikev1_be32(m->sa.props[0].spi);
	qm->life_s = ikev1_cfg()->peers[sa->peer].child_lifetime;
	if (qm->chosen.life_secs != 0 && qm->chosen.life_secs < qm->life_s)
		qm->life_s = qm->chosen.life_secs;
	ikev1_qm_resp_lifetime(qm, m);
	memcpy(qm->nr, m->nonce.p, m->nonce.len);
	qm->nr_len = (uint16_t)m->nonce.len;
	if (m->nonce.len < IKEV1_NONCE_MIN || ikev1_qm_pfs(qm, m) < 0) {
		ikev1_qm_free(qm);
		goto done;
	}
	ikev1_build_init(&b, ikev1_buf(), IKEV1_MSG_BUF, sa->spi_i, sa->spi_r, IKEV1_EXCH_QUICK, 0,
			 qm->msg_id);
	hoff = ikev1_add_hash(&b, hl);
	if (ikev1_hash3(&v->keys, qm->msg_id, (struct ike_chunk){ qm->ni, qm->ni_len },
			(struct ike_chunk){ qm->nr, qm->nr_len }, h, &hl) < 0) {
		ikev1_qm_free(qm);
		goto done;
	}
	ikev1_hash_put(&b, hoff, h, hl);
	len = ikev1_seal(sa, &b, &qm->iv);
	if (len < 0 || ikev1_send(sa, &qm->x, b.buf, (size_t)len, false) < 0) {
		ikev1_qm_free(qm);
		goto done;
	}
	qm->step = IKEV1_QM_DONE;
	qm->done_ms = ikev1_now_ms();
	ikev1_count(IKEV1_C_isakmp_qm_done, 1);
	/* a rekey moves the traffic once the responder had time to install
	 * the pair (message 3 on its way); a first pair at once */
	if (ikev1_qm_install_in(sa, qm) == 0) {
		qm->out_at_ms = qm->done_ms + (qm->rekey_of != 0 ? IKEV1_OUT_DELAY_MS : 0);
		if (qm->rekey_of == 0)
			(void)ikev1_qm_install_out(sa, qm);
	}
	OPENSSL_cleanse(qm->gxy, sizeof(qm->gxy));
done:
	ikev1_qm_close(m, buf, d->len);
}

/* ---- responder ---- */

/* Choose the ESP transform and the proxy IDs of message 1; the notify
 * that refuses it instead (0 on success). */
static uint16_t ikev1_qm_choose(struct ike_sa *sa, struct ikev1_qm *qm, const struct ikev1_msg *m)
{
	const struct cfg_peer *peer = &ikev1_cfg()->peers[sa->peer];
	struct ikev1_xform ours[IKEV1_P2_XFORMS];
	unsigned pi = 0, xi = 0;
	int n = ikev1_qm_our_xforms(sa, ours, IKEV1_P2_XFORMS);

	if (m->n_sa != 1 || m->n_nonce != 1 || m->nonce.len < IKEV1_NONCE_MIN || n <= 0 ||
	    ikev1_sa_select(&m->sa, IKEV1_PROTO_ESP, ours, (unsigned)n, &pi, &xi) < 0 ||
	    m->sa.props[pi].spi_size != 4) {
		ikev1_count(IKEV1_C_isakmp_no_proposal, 1);
		return IKEV1_N_NO_PROPOSAL_CHOSEN;
	}
	qm->chosen = m->sa.xforms[xi];
	qm->spi_out = ikev1_be32(m->sa.props[pi].spi);
	memcpy(qm->ni, m->nonce.p, m->nonce.len);
	qm->ni_len = (uint16_t)m->nonce.len;
	qm->life_s = peer->child_lifetime;
	if (qm->chosen.life_secs != 0 && qm->chosen.life_secs < qm->life_s)
		qm->life_s = qm->chosen.life_secs;
	if (m->n_id != 2 || ikev1_qm_id_parse(&m->id[0], &qm->remote_ts) < 0 ||
	    ikev1_qm_id_parse(&m->id[1], &qm->local_ts) < 0 ||
	    !ikev1_qm_ts_ok(&qm->remote_ts, peer->remote_ts, peer->n_remote_ts) ||
	    !ikev1_qm_ts_ok(&qm->local_ts, peer->local_ts, peer->n_local_ts)) {
		GW_LOG(ike, NOTICE, "session %" PRIu64 ": Quick Mode %08" PRIx32 ": proxy IDs outside "
		       "peer %s's local_ts/remote_ts", sa->id, qm->msg_id, peer->name);
		return IKEV1_N_INVALID_ID_INFORMATION;
	}
	if (ikev1_qm_pfs(qm, m) < 0)
		return IKEV1_N_INVALID_KEY_INFORMATION;
	return 0;
}

/* A peer's rekey: the child with the same selectors it replaces. */
static uint32_t ikev1_qm_replaces(struct ike_sa *sa, const struct ikev1_qm *qm)
{
	for (unsigned i = 0; i < IKE_CHILD_MAX; i++) {
		const struct ike_child *c = &sa->child[i];

		if (c->used && c->installed && c->rekeyed_by == 0 &&
		    memcmp(&c->local_ts[0], &qm->local_ts, sizeof(qm->local_ts)) == 0 &&
		    memcmp(&c->remote_ts[0], &qm->remote_ts, sizeof(qm->remote_ts)) == 0)
			return c->spi_in;
	}
	return 0;
}

/* Message 2: echoes the peer's IDs (m->id[0], [1]). */
static int ikev1_qm_r2_send(struct ike_sa *sa, struct ikev1_qm *qm, const struct ikev1_msg *m)
{
	struct ikev1_sa *v = sa->v1;
	struct ikev1_build b;
	uint8_t spi[4], h[IKEV1_HASH_MAX];
	size_t hl = 0;
	long hoff, len;

	ikev1_put32(spi, qm->spi_in);
	ikev1_build_init(&b, ikev1_buf(), IKEV1_MSG_BUF, sa->spi_i, sa->spi_r, IKEV1_EXCH_QUICK, 0,
			 qm->msg_id);
	hoff = ikev1_add_hash(&b, ikev1_hash_len(v->p1.hash));
	ikev1_add_sa_p2(&b, spi, &qm->chosen, 1);
	ikev1_add_nonce(&b, qm->nr, qm->nr_len);
	if (qm->dh != NULL) {
		size_t pl = 0;
		const uint8_t *pub = ike_dh_public(qm->dh, &pl);

		ikev1_add_ke(&b, pub, pl);
	}
	for (unsigned i = 0; i < 2; i++)
		ikev1_add_id(&b, m->id[i].type, m->id[i].proto, m->id[i].port, m->id[i].data.p,
			     m->id[i].data.len);
	if (qm->chosen.life_secs == 0 || qm->chosen.life_secs > qm->life_s) {
		uint8_t attr[8] = { 0x80, IKEV1_A2_LIFE_TYPE, 0, IKEV1_LIFE_SECONDS,
				    0x00, IKEV1_A2_LIFE_DURATION, 0, 4 };
		uint8_t data[12];

		memcpy(data, attr, 8);
		ikev1_put32(data + 8, qm->life_s);
		ikev1_add_notify(&b, IKEV1_PROTO_ESP, spi, 4, IKEV1_N_RESPONDER_LIFETIME, data,
				 sizeof(data));
	}
	if (b.err < 0 || ikev1_hash2(&v->keys, qm->msg_id, (struct ike_chunk){ qm->ni, qm->ni_len },
				     ikev1_chunk(ikev1_build_after(&b, hoff)), h, &hl) < 0)
		return -EINVAL;
	ikev1_hash_put(&b, hoff, h, hl);
	len = ikev1_seal(sa, &b, &qm->iv);
	if (len < 0)
		return (int)len;
	return ikev1_send(sa, &qm->x, b.buf, (size_t)len, true);
}

static void ikev1_qm_r1(struct ike_sa *sa, const struct ike_dgram *d, const struct ikev1_msg *hm)
{
	struct ikev1_sa *v = sa->v1;
	struct ikev1_qm *qm = ikev1_qm_slot(sa);
	struct ikev1_iv iv, next;
	struct ikev1_msg *m = NULL;
	uint8_t *buf = NULL, h[IKEV1_HASH_MAX];
	size_t hl = 0;
	uint16_t err;

	if (qm == NULL || ikev1_iv_phase2(v->p1.hash, &v->iv, hm->hdr.msg_id, &iv) < 0) {
		ikev1_count(IKEV1_C_isakmp_drop_state, 1);
		return;
	}
	m = ikev1_qm_open(sa, d, &iv, &buf, &next);
	if (m == NULL || ikev1_hash1(&v->keys, hm->hdr.msg_id, ikev1_chunk(ikev1_msg_after(m, 0)), h, &hl) < 0 ||
	    ikev1_hash_check(h, hl, m->hash) < 0) {
		ikev1_count(IKEV1_C_isakmp_drop_parse, 1);
		goto done;
	}
	memset(qm, 0, sizeof(*qm));
	qm->msg_id = hm->hdr.msg_id;
	ikev1_mid_seen_add(sa, qm->msg_id);
	qm->iv = next;
	qm->step = IKEV1_QM_R2;
	(void)ikev1_xchg_dup(&qm->x, d, true);
	qm->nr_len = IKEV1_NONCE_LEN;
	qm->spi_in = ike_sa_child_spi_alloc();
	err = RAND_bytes(qm->nr, IKEV1_NONCE_LEN) == 1 ? ikev1_qm_choose(sa, qm, m) :
	      IKEV1_N_INVALID_KEY_INFORMATION;
	if (err != 0) {
		GW_LOG(ike, NOTICE, "session %" PRIu64 ": Quick Mode %08" PRIx32 " refused: %s",
		       sa->id, qm->msg_id, ikev1_notify_name(err));
		ikev1_qm_free(qm);
		(void)ikev1_info_notify(sa, err, NULL, 0);
		goto done;
	}
	qm->rekey_of = ikev1_qm_replaces(sa, qm);
	if (ikev1_qm_r2_send(sa, qm, m) < 0) {
		ikev1_qm_free(qm);
		goto done;
	}
	/* the initiator may send on the new pair as soon as it has message 2 */
	if (ikev1_qm_install_in(sa, qm) < 0)
		qm->out_pending = false;
	OPENSSL_cleanse(qm->gxy, sizeof(qm->gxy));
done:
	ikev1_qm_close(m, buf, d->len);
}

/* Message 3 in: install. */
static void ikev1_qm_r3(struct ike_sa *sa, struct ikev1_qm *qm, const struct ike_dgram *d)
{
	struct ikev1_sa *v = sa->v1;
	struct ikev1_iv next;
	struct ikev1_msg *m;
	uint8_t *buf = NULL, h[IKEV1_HASH_MAX];
	size_t hl = 0;

	m = ikev1_qm_open(sa, d, &qm->iv, &buf, &next);
	if (m == NULL ||
	    ikev1_hash3(&v->keys, qm->msg_id, (struct ike_chunk){ qm->ni, qm->ni_len },
			(struct ike_chunk){ qm->nr, qm->nr_len }, h, &hl) < 0 ||
	    ikev1_hash_check(h, hl, m->hash) < 0) {
		ikev1_count(IKEV1_C_isakmp_drop_parse, 1);
		goto done;
	}
	qm->iv = next;
	(void)ikev1_xchg_dup(&qm->x, d, true);
	ikev1_xchg_clear(&qm->x);
	qm->step = IKEV1_QM_DONE;
	qm->done_ms = ikev1_now_ms();
	ikev1_count(IKEV1_C_isakmp_qm_done, 1);
	(void)ikev1_qm_install_out(sa, qm);
done:
	ikev1_qm_close(m, buf, d->len);
}

void ikev1_qm_input(struct ike_sa *sa, const struct ike_dgram *d, const struct ikev1_msg *m)
{
	struct ikev1_qm *qm;

	if (sa->state != IKE_SA_ESTABLISHED || !m->encrypted || m->hdr.msg_id == 0) {
		ikev1_count(IKEV1_C_isakmp_drop_state, 1);
		return;
	}
	sa->last_rx_ms = ikev1_now_ms();
	qm = ikev1_qm_find(sa, m->hdr.msg_id);
	if (qm == NULL && ikev1_mid_seen(sa, m->hdr.msg_id)) {
		ikev1_count(IKEV1_C_isakmp_drop_replay, 1);	/* its slot is gone: replay */
		return;
	}
	if (qm == NULL) {
		ikev1_qm_r1(sa, d, m);
		return;
	}
	if (ikev1_xchg_dup(&qm->x, d, false)) {
		ikev1_count(IKEV1_C_isakmp_resp_resent, 1);
		ikev1_resend(sa, &qm->x);
		return;
	}
	if (qm->step == IKEV1_QM_I1)
		ikev1_qm_i2(sa, qm, d);
	else if (qm->step == IKEV1_QM_R2)
		ikev1_qm_r3(sa, qm, d);
	else
		ikev1_count(IKEV1_C_isakmp_drop_state, 1);
}

void ikev1_qm_tick(struct ike_sa *sa, uint64_t now_ms)
{
	for (unsigned i = 0; i < IKEV1_QM_MAX; i++) {
		struct ikev1_qm *qm = &sa->v1->qm[i];

		if (qm->step == IKEV1_QM_FREE)
			continue;
		if (qm->step == IKEV1_QM_DONE) {
			if (qm->out_pending && now_ms >= qm->out_at_ms)
				(void)ikev1_qm_install_out(sa, qm);
			if (!qm->out_pending && now_ms >= qm->done_ms + IKEV1_QM_KEEP_MS)
				ikev1_qm_free(qm);
			continue;
		}
		if (qm->x.retx_at_ms == 0 || now_ms < qm->x.retx_at_ms)
			continue;
		if (qm->x.retx >= IKE_RETX_MAX) {
			struct ike_child *c = qm->out_pending ?
					      ike_sa_child_by_spi_in(sa, qm->spi_in) : NULL;

			GW_LOG(ike, NOTICE, "session %" PRIu64 ": Quick Mode %08" PRIx32 ": no answer",
			       sa->id, qm->msg_id);
			if (c != NULL)
				ikev1_qm_child_remove(sa, c);
			ikev1_qm_free(qm);
			continue;
		}
		ikev1_count(IKEV1_C_isakmp_retx, 1);
		ikev1_resend(sa, &qm->x);
	}
	ikev1_qm_child_tick(sa, now_ms);
}
