/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Informational exchanges (RFC 2408 4.8, RFC 2409 5.7): one message each,
 * protected with HASH(1) = prf(SKEYID_a, M-ID | N/D) and its own CBC chain
 * from hash(last phase-1 block | M-ID).  DELETE of IPsec SAs and of the
 * ISAKMP SA (3.15), sent and honoured; DPD (RFC 3706: R-U-THERE and its
 * ACK with a sequence number, the two cookies as SPI); INITIAL-CONTACT;
 * other notifies logged (and the end of a half-open SA when the peer
 * refuses Main Mode).  CP thread only.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "common/gw_log.h"
#include "controlplane/ikev1/ikev1_int.h"

static uint32_t ikev1_info_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- sending ---- */

/* Begin a protected informational: header, HASH placeholder. */
static long ikev1_info_begin(struct ike_sa *sa, struct ikev1_build *b, uint32_t *msg_id)
{
	do {
		if (RAND_bytes((uint8_t *)msg_id, sizeof(*msg_id)) != 1)
			return -EIO;
	} while (*msg_id == 0);
	ikev1_build_init(b, ikev1_buf(), IKEV1_MSG_BUF, sa->spi_i, sa->spi_r, IKEV1_EXCH_INFO, 0,
			 *msg_id);
	return ikev1_add_hash(b, ikev1_hash_len(sa->v1->p1.hash));
}

/* Fill HASH(1), encrypt with the message's own IV, send once. */
static int ikev1_info_finish(struct ike_sa *sa, struct ikev1_build *b, long hoff, uint32_t msg_id)
{
	struct ikev1_sa *v = sa->v1;
	struct ikev1_iv iv;
	uint8_t h[IKEV1_HASH_MAX];
	size_t hl = 0;
	long len;

	if (hoff < 0 || b->err < 0 || v->keys.enc_key_len == 0)
		return -EINVAL;
	if (ikev1_hash1(&v->keys, msg_id, ikev1_chunk(ikev1_build_after(b, hoff)), h, &hl) < 0 ||
	    ikev1_iv_phase2(v->p1.hash, &v->iv, msg_id, &iv) < 0)
		return -EIO;
	memcpy(b->buf + hoff + IKEV1_PL_HDR_LEN, h, hl);
	len = ikev1_seal(sa, b, &iv);
	if (len < 0)
		return (int)len;
	return ikev1_send_once(sa, b->buf, (size_t)len);
}

int ikev1_info_notify(struct ike_sa *sa, uint16_t type, const void *data, size_t len)
{
	struct ikev1_build b;
	uint8_t spi[16];
	uint32_t msg_id = 0;
	long hoff = ikev1_info_begin(sa, &b, &msg_id);

	memcpy(spi, sa->spi_i, 8);
	memcpy(spi + 8, sa->spi_r, 8);
	ikev1_add_notify(&b, IKEV1_PROTO_ISAKMP, spi, 16, type, data, len);
	return ikev1_info_finish(sa, &b, hoff, msg_id);
}

int ikev1_info_delete_esp(struct ike_sa *sa, const uint32_t *spi_in, unsigned n)
{
	struct ikev1_build b;
	uint8_t spis[4 * IKE_CHILD_MAX];
	uint32_t msg_id = 0;
	long hoff;
	int ret;

	if (n == 0 || n > IKE_CHILD_MAX)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		spis[4 * i] = (uint8_t)(spi_in[i] >> 24);
		spis[4 * i + 1] = (uint8_t)(spi_in[i] >> 16);
		spis[4 * i + 2] = (uint8_t)(spi_in[i] >> 8);
		spis[4 * i + 3] = (uint8_t)spi_in[i];
	}
	hoff = ikev1_info_begin(sa, &b, &msg_id);
	ikev1_add_delete(&b, IKEV1_PROTO_ESP, 4, (uint16_t)n, spis);
	ret = ikev1_info_finish(sa, &b, hoff, msg_id);
	if (ret == 0) {
		ikev1_count(IKEV1_C_isakmp_delete_sent, 1);
		for (unsigned i = 0; i < n; i++)
			ikev1_spi_live(sa, spi_in[i], false);
	}
	return ret;
}

int ikev1_info_delete_isakmp(struct ike_sa *sa)
{
	struct ikev1_build b;
	uint8_t spi[16];
	uint32_t msg_id = 0;
	long hoff = ikev1_info_begin(sa, &b, &msg_id);
	int ret;

	memcpy(spi, sa->spi_i, 8);
	memcpy(spi + 8, sa->spi_r, 8);
	ikev1_add_delete(&b, IKEV1_PROTO_ISAKMP, 16, 1, spi);
	ret = ikev1_info_finish(sa, &b, hoff, msg_id);
	if (ret == 0)
		ikev1_count(IKEV1_C_isakmp_delete_sent, 1);
	return ret;
}

void ikev1_info_plain_notify(const struct ike_dgram *d, const uint8_t icookie[8],
			     const uint8_t rcookie[8], uint16_t type)
{
	struct ikev1_build b;
	long len;

	ikev1_build_init(&b, ikev1_buf(), IKEV1_MSG_BUF, icookie, rcookie, IKEV1_EXCH_INFO, 0, 0);
	ikev1_add_notify(&b, IKEV1_PROTO_ISAKMP, NULL, 0, type, NULL, 0);
	len = ikev1_build_end(&b);
	if (len > 0)
		(void)ikev1_send_to(d, b.buf, (size_t)len);
}

/* ---- receiving ---- */

static void ikev1_info_delete(struct ike_sa *sa, const struct ikev1_delete_pl *dl)
{
	if (dl->proto == IKEV1_PROTO_ISAKMP) {
		GW_LOG(ike, NOTICE, "session %" PRIu64 ": peer deleted the ISAKMP SA", sa->id);
		ikev1_count(IKEV1_C_isakmp_delete_rcvd, 1);
		ikev1_count(IKEV1_C_isakmp_deleted, 1);
		for (unsigned i = 0; i < IKE_CHILD_MAX; i++)
			if (sa->child[i].used)
				ikev1_qm_child_remove(sa, &sa->child[i]);
		ikev1_kill(sa, "deleted by the peer");
		return;
	}
	if (dl->proto != IKEV1_PROTO_ESP || dl->spi_size != 4)
		return;
	for (unsigned i = 0; i < dl->n_spi; i++) {
		uint32_t spi = ikev1_info_be32(dl->spis + 4 * (size_t)i);
		struct ike_child *c = ike_sa_child_by_spi_out(sa, spi);

		if (c == NULL) {
			GW_LOG(ike, INFO, "session %" PRIu64 ": DELETE of unknown ESP SPI 0x%08" PRIx32
			       " ignored", sa->id, spi);
			continue;
		}
		GW_LOG(ike, NOTICE, "session %" PRIu64 ": peer deleted IPsec SA 0x%08" PRIx32
		       " (ours 0x%08" PRIx32 ")", sa->id, spi, c->spi_in);
		ikev1_count(IKEV1_C_isakmp_delete_rcvd, 1);
		ikev1_qm_child_remove(sa, c);
	}
}

void ikev1_initial_contact(struct ike_sa *sa)
{
	uint64_t id = 0;
	struct ike_sa *o;

	while ((o = ike_sa_next(id)) != NULL) {
		id = o->id;
		if (o != sa && o->ike_version == 1 && o->state >= IKE_SA_ESTABLISHED &&
		    o->state != IKE_SA_DEAD && o->peer == sa->peer &&
		    o->remote_id_type == sa->remote_id_type && o->remote_id_len == sa->remote_id_len &&
		    memcmp(o->remote_id, sa->remote_id, sa->remote_id_len) == 0 &&
		    o->id < sa->id)
			ike_sa_kill(o, "replaced (INITIAL-CONTACT)");
	}
}

static void ikev1_info_notify_in(struct ike_sa *sa, const struct ikev1_notify_pl *n)
{
	struct ikev1_sa *v = sa->v1;
	uint32_t seq;

	switch (n->type) {
	case IKEV1_N_R_U_THERE:
		if (n->data.len != 4)
			return;
		seq = ikev1_info_be32(n->data.p);
		v->peer_dpd_seq = seq;
		ikev1_count(IKEV1_C_isakmp_dpd_answered, 1);
		(void)ikev1_info_notify(sa, IKEV1_N_R_U_THERE_ACK, n->data.p, 4);
		return;
	case IKEV1_N_R_U_THERE_ACK:
		if (n->data.len == 4 && v->dpd_pending && ikev1_info_be32(n->data.p) == v->dpd_seq) {
			v->dpd_pending = false;
			ikev1_count(IKEV1_C_isakmp_dpd_acked, 1);
		}
		return;
	case IKEV1_N_INITIAL_CONTACT:
		ikev1_initial_contact(sa);
		return;
	default:
		GW_LOG(ike, NOTICE, "session %" PRIu64 ": peer notifies %s (%u)", sa->id,
		       ikev1_notify_name(n->type), n->type);
		if (n->type < 16384 && sa->state < IKE_SA_ESTABLISHED)
			ikev1_kill(sa, "refused by the peer");
		if (n->type == IKEV1_N_NO_PROPOSAL_CHOSEN)
			ikev1_count(IKEV1_C_isakmp_no_proposal, 1);
		return;
	}
}

/* Unprotected: only a refusal of a half-open SA is believed. */
static void ikev1_info_plain(struct ike_sa *sa, const struct ikev1_msg *m)
{
	if (sa->state >= IKE_SA_ESTABLISHED || m->n_n == 0) {
		ikev1_count(IKEV1_C_isakmp_drop_state, 1);
		return;
	}
	GW_LOG_RL(ike, NOTICE, "session %" PRIu64 ": peer refuses Main Mode: %s (unprotected)",
		  sa->id, ikev1_notify_name(m->n[0].type));
	if (m->n[0].type == IKEV1_N_NO_PROPOSAL_CHOSEN)
		ikev1_count(IKEV1_C_isakmp_no_proposal, 1);
	if (m->n[0].type < 16384)
		ikev1_kill(sa, "refused by the peer");
}

void ikev1_info_input(struct ike_sa *sa, const struct ike_dgram *d, const struct ikev1_msg *hm)
{
	struct ikev1_sa *v = sa->v1;
	struct ikev1_msg *m = NULL;
	struct ikev1_iv iv, next;
	uint8_t *buf = NULL, h[IKEV1_HASH_MAX];
	size_t hl = 0;

	if (!hm->encrypted) {
		ikev1_info_plain(sa, hm);
		return;
	}
	if (ikev1_mid_seen(sa, hm->hdr.msg_id)) {
		ikev1_count(IKEV1_C_isakmp_drop_replay, 1);
		return;
	}
	m = malloc(sizeof(*m));
	buf = malloc(d->len);
	if (m == NULL || buf == NULL || v->keys.enc_key_len == 0 ||
	    ikev1_iv_phase2(v->p1.hash, &v->iv, hm->hdr.msg_id, &iv) < 0 ||
	    ikev1_open(sa, d, &iv, buf, m, &next) < 0 || m->n_pl == 0 ||
	    m->pl[0].type != IKEV1_PL_HASH || m->n_hash != 1 ||
	    ikev1_hash1(&v->keys, hm->hdr.msg_id, ikev1_chunk(ikev1_msg_after(m, 0)), h, &hl) < 0 ||
	    ikev1_hash_check(h, hl, m->hash) < 0) {
		ikev1_count(IKEV1_C_isakmp_drop_parse, 1);
		goto done;
	}
	sa->last_rx_ms = ikev1_now_ms();
	ikev1_mid_seen_add(sa, hm->hdr.msg_id);
	for (unsigned i = 0; i < m->n_n && sa->state != IKE_SA_DEAD; i++)
		ikev1_info_notify_in(sa, &m->n[i]);
	for (unsigned i = 0; i < m->n_d && sa->state != IKE_SA_DEAD; i++)
		ikev1_info_delete(sa, &m->d[i]);
done:
	if (buf != NULL)
		OPENSSL_cleanse(buf, d->len);
	free(buf);
	free(m);
}

/* ---- DPD (RFC 3706) ---- */

static void ikev1_dpd_send(struct ike_sa *sa)
{
	uint8_t seq[4];
	uint32_t s = sa->v1->dpd_seq;

	seq[0] = (uint8_t)(s >> 24);
	seq[1] = (uint8_t)(s >> 16);
	seq[2] = (uint8_t)(s >> 8);
	seq[3] = (uint8_t)s;
	ikev1_count(IKEV1_C_isakmp_dpd_sent, 1);
	(void)ikev1_info_notify(sa, IKEV1_N_R_U_THERE, seq, sizeof(seq));
}

void ikev1_info_tick(struct ike_sa *sa, uint64_t now_ms)
{
	struct ikev1_sa *v = sa->v1;
	uint64_t iv = (uint64_t)ikev1_cfg()->crypto.isakmp.dpd_interval * 1000;

	if (iv == 0 || !v->peer_dpd)
		return;
	if (v->dpd_pending) {
		if (now_ms < v->dpd_retx_at_ms)
			return;
		if (v->dpd_retx >= IKE_RETX_MAX) {
			GW_LOG(ike, NOTICE, "session %" PRIu64 ": DPD: peer dead (no R-U-THERE-ACK "
			       "after %u tries)", sa->id, v->dpd_retx + 1);
			ikev1_count(IKEV1_C_isakmp_dpd_dead, 1);
			ikev1_delete(sa->id, "DPD: peer dead");
			return;
		}
		v->dpd_retx++;
		v->dpd_retx_at_ms = now_ms + IKEV1_DPD_RETRY_MS;
		ikev1_dpd_send(sa);
		return;
	}
	if (now_ms < sa->last_rx_ms + iv)
		return;
	if (v->dpd_seq == 0 && RAND_bytes((uint8_t *)&v->dpd_seq, sizeof(v->dpd_seq)) != 1)
		return;
	v->dpd_seq = (v->dpd_seq & 0x7fffffff) + 1;
	v->dpd_pending = true;
	v->dpd_retx = 0;
	v->dpd_retx_at_ms = now_ms + IKEV1_DPD_RETRY_MS;
	sa->last_rx_ms = now_ms;
	ikev1_dpd_send(sa);
}
