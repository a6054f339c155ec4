/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CREATE_CHILD_SA (RFC 7296 1.3, 2.8, 2.17) for CHILD SAs: rekey, as
 * initiator and responder, with optional PFS and the simultaneous-rekey
 * rule of 2.8.1 (the exchange holding the lowest of the four nonces loses;
 * its initiator deletes what it created), and the exchange's request
 * handler (an IKE SA rekey goes to ikev2_rekey_ike.c; records and timers
 * are in ikev2_rekey.c).
 *
 * Make-before-break, as issue 5's "Rekey timing" asks:
 *   initiator  on the response, install the new pair (its outbound becomes
 *              the tunnel's current one), then DELETE the old child: its
 *              outbound is retired at once, its inbound when the peer
 *              answers;
 *   responder  install the new inbound SA when sending the response; the
 *              outbound waits (its descriptor kept here, keys wiped once
 *              used) until the initiator deletes the old child, whose
 *              inbound stays until that DELETE.
 *
 * A new CHILD SA that is not a rekey is accepted only when the IKE SA has
 * no child left (strongSwan re-creates one after a hard expiry); otherwise
 * NO_ADDITIONAL_SAS: every peer has one CHILD SA, negotiated in IKE_AUTH.
 *
 * CP thread only.  Secrets (DH values, g^ir, KEYMAT) are wiped at each
 * function's exit label.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "common/gw_ike.h"
#include "common/gw_log.h"
#include "controlplane/cp_sa.h"
#include "controlplane/ike/ike_dh.h"
#include "controlplane/ike/ike_proposal.h"
#include "controlplane/ikev2/ikev2_int.h"
#include "controlplane/ikev2/ikev2_msg.h"
#include "controlplane/ikev2/ikev2_rekey.h"
#include "dataplane/dp_sa.h"

static const struct ike_child ikev2_child_none;	/* no selectors */

/* ---- selectors ---- */

/* The TSi/TSr of a child as the exchange's initiator writes them. */
static int ikev2_add_child_ts(struct ike_build *b, const struct ike_child *c, bool initiator)
{
	int ret;

	ret = ikev2_ts_add(b, IKE_PL_TSI, initiator ? c->local_ts : c->remote_ts,
			   initiator ? c->n_local_ts : c->n_remote_ts);
	if (ret == 0)
		ret = ikev2_ts_add(b, IKE_PL_TSR, initiator ? c->remote_ts : c->local_ts,
				   initiator ? c->n_remote_ts : c->n_local_ts);
	return ret;
}

/* A successor of old (same selectors), not installed yet. */
static struct ike_child *ikev2_child_successor(struct ike_sa *sa, const struct ike_child *old,
					       uint32_t spi_in, uint32_t spi_out, int alg,
					       bool esn, uint16_t dh, uint64_t now)
{
	struct ike_child *c = ike_sa_child_new(sa);

	if (c == NULL)
		return NULL;
	c->spi_in = spi_in;
	c->spi_out = spi_out;
	c->esp_alg = (uint8_t)alg;
	c->esn = esn;
	c->dh = dh;
	memcpy(c->local_ts, old->local_ts, sizeof(c->local_ts));
	memcpy(c->remote_ts, old->remote_ts, sizeof(c->remote_ts));
	c->n_local_ts = old->n_local_ts;
	c->n_remote_ts = old->n_remote_ts;
	c->created_ms = now;
	return c;
}

/* ---- CHILD SA rekey: initiator ---- */

static void ikev2_child_rekey_answer(struct ike_sa *sa, const struct ike_msg *resp, void *arg);

/* The DH group of our first ESP proposal that has one, 0 = no PFS. */
static uint16_t ikev2_pfs_group(const struct gw_ike_proposal *props, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		const struct gw_ike_xform *x = ike_proposal_get(&props[i], IKE_XFORM_DH);

		if (x != NULL && x->id != IKE_DH_NONE)
			return x->id;
	}
	return 0;
}

static int ikev2_child_rekey_send(struct ike_sa *sa, struct ikev2_rekey *r, struct ike_child *old)
{
	uint8_t body[IKEV2_SA_BODY_MAX];
	uint32_t spi_be = htonl(r->new_spi_in), old_be = htonl(old->spi_in);
	struct ike_build *b;
	int len, ret;

	len = ike_sa_encode(body, sizeof(body), r->props, r->n_props, (const uint8_t *)&spi_be, 4);
	if (len < 0)
		return len;
	b = ikev2_msg_request_begin(sa, IKE_EXCH_CREATE_CHILD_SA);
	if (b == NULL)
		return -ENOBUFS;
	ike_msg_add_notify(b, IKE_PROTO_ESP, &old_be, 4, IKE_N_REKEY_SA, NULL, 0);
	ike_msg_add_raw(b, IKE_PL_SA, false, body, (size_t)len);
	ike_msg_add_nonce(b, r->ni, sizeof(r->ni));
	if (r->dh != NULL) {
		size_t kl;
		const uint8_t *k = ike_dh_public(r->dh, &kl);

		ike_msg_add_ke(b, ike_dh_group(r->dh), k, kl);
	}
	ikev2_add_child_ts(b, old, true);
	ret = ikev2_msg_request_send(sa, ikev2_child_rekey_answer, NULL);
	return ret;
}

int ikev2_child_rekey_start(struct ike_sa *sa, struct ike_child *old)
{
	const struct cfg_peer *peer = ikev2_rekey_peer(sa);
	struct ikev2_rekey *r;
	uint16_t group;
	int n, ret;

	if (peer == NULL || ikev2_rekey_find(sa->id) != NULL)
		return -EBUSY;
	r = ikev2_rekey_new(sa->id, IKEV2_REKEY_CHILD);
	if (r == NULL)
		return -ENOMEM;
	r->old_spi_in = old->spi_in;
	r->new_spi_in = ike_sa_child_spi_alloc();
	n = ike_proposals_from_cfg(peer, IKE_SA_PROTO_ESP, r->props, IKE_SA_MAX_PROPOSALS);
	ret = n < 0 ? n : -EIO;
	if (n < 0 || r->new_spi_in == 0 || RAND_bytes(r->ni, sizeof(r->ni)) != 1)
		goto fail;
	r->n_props = (unsigned)n;
	group = ikev2_pfs_group(r->props, r->n_props);
	if (group != 0 && (r->dh = ike_dh_new(group)) == NULL)
		goto fail;
	ikev2_rekey_add(r);
	ret = ikev2_child_rekey_send(sa, r, old);
	if (ret < 0) {
		ikev2_rekey_free(r);
		return ret;
	}
	GW_LOG(ike, INFO, "session %" PRIu64 ": rekeying CHILD SA in 0x%08" PRIx32 " (new in 0x%08"
	       PRIx32 "%s)", sa->id, old->spi_in, r->new_spi_in, group != 0 ? ", PFS" : "");
	return 0;
fail:
	ikev2_rekey_free(r);	/* not listed: wiped and freed */
	return ret;
}

/* g^ir of an exchange, when it has a KE: 0 (gir_len 0 without PFS), or
 * the notify to answer / error. */
/* 2.8.1 after our response arrived: false when our exchange lost. */
static bool ikev2_child_collision_won(const struct ikev2_rekey *r, const struct ike_msg *resp)
{
	if (!r->collided)
		return true;
	return ikev2_rekey_we_win(r->ni, sizeof(r->ni), resp->nonce.p, resp->nonce.len,
				  r->coll_ni, r->coll_ni_len, r->coll_nr, sizeof(r->coll_nr));
}

/* The response's error notify (0 = none) and what to do about it. */

static void ikev2_child_rekey_failed(struct ike_sa *sa, struct ikev2_rekey *r, const char *why)
{
	struct ike_child *old = ike_sa_child_by_spi_in(sa, r->old_spi_in);

	GW_LOG(ike, NOTICE, "session %" PRIu64 ": CHILD SA rekey of 0x%08" PRIx32 " failed: %s",
	       sa->id, r->old_spi_in, why);
	if (old != NULL && old->rekeyed_by == 0 && old->h_out != DP_SA_INVALID)
		old->rekey_at_ms = ikev2_now_ms() + IKEV2_REKEY_RETRY_MS;
	ikev2_rekey_free(r);
}

/* INVALID_KE_PAYLOAD (1.3): retry once with the group asked for. */
static bool ikev2_child_ke_retry(struct ike_sa *sa, struct ikev2_rekey *r,
				 const struct ike_msg *resp)
{
	const struct ike_notify_pl *n = ike_msg_notify_find(resp, IKE_N_INVALID_KE_PAYLOAD);
	struct ike_child *old = ike_sa_child_by_spi_in(sa, r->old_spi_in);
	struct ike_dh *dh;
	uint16_t group;

	if (n == NULL || n->data.len != 2 || r->ke_retried || old == NULL)
		return false;
	group = (uint16_t)(n->data.p[0] << 8 | n->data.p[1]);
	dh = ike_dh_new(group);
	if (dh == NULL)
		return false;
	ike_dh_free(r->dh);
	r->dh = dh;
	r->ke_retried = true;
	return ikev2_child_rekey_send(sa, r, old) == 0;
}

static void ikev2_child_rekey_answer(struct ike_sa *sa, const struct ike_msg *resp, void *arg)
{
	struct ikev2_rekey *r = ikev2_rekey_find(sa->id);
	struct ike_sa_choice ch;
	struct ike_child *old, *c;
	uint8_t gir[IKE_DH_SECRET_MAX];
	size_t gir_len = 0;
	uint16_t err;
	int alg;

	(void)arg;
	if (r == NULL || r->kind != IKEV2_REKEY_CHILD)
		return;
	err = resp != NULL ? ikev2_resp_error(resp) : 0;
	if (resp == NULL || (err == IKE_N_INVALID_KE_PAYLOAD && ikev2_child_ke_retry(sa, r, resp))) {
		if (resp == NULL)
			ikev2_rekey_free(r);	/* the SA is being killed */
		return;
	}
	if (err != 0) {
		ikev2_child_rekey_failed(sa, r, ike_notify_name(err));
		return;
	}
	if (resp->n_sa != 1 || resp->n_nonce != 1 ||
	    ike_sa_check_reply(resp->sa.body.p, resp->sa.body.len, IKE_SA_PROTO_ESP, 4, r->props,
			       r->n_props, r->dh == NULL ? IKE_SA_SKIP_DH : 0, &ch) < 0 ||
	    (alg = ike_proposal_esp_alg(&ch.prop)) < 0 || ikev2_gir(r->dh, resp, gir, &gir_len) < 0) {
		ikev2_child_rekey_failed(sa, r, "unacceptable response");
		goto out;
	}
	old = ike_sa_child_by_spi_in(sa, r->old_spi_in);
	c = ikev2_child_successor(sa, old != NULL ? old : &ikev2_child_none, r->new_spi_in,
				  ntohl(*(const uint32_t *)(const void *)ch.spi), alg,
				  ike_proposal_esn(&ch.prop), r->dh != NULL ? ike_dh_group(r->dh) : 0,
				  ikev2_now_ms());
	if (c == NULL) {
		ikev2_child_rekey_failed(sa, r, "no free CHILD SA slot");
		goto out;
	}
	if (old == NULL || !ikev2_child_collision_won(r, resp)) {
		/* 2.8.1: ours holds the lowest nonce, or (2.25.1) the peer deleted
		 * the child meanwhile: delete what we created, never installed */
		GW_LOG(ike, INFO, "session %" PRIu64 ": rekey of 0x%08" PRIx32 " %s; deleting our new"
		       " 0x%08" PRIx32, sa->id, r->old_spi_in, old == NULL ? "overtaken by its DELETE" :
		       "lost a simultaneous rekey", c->spi_in);
		ikev2_rekey_free(r);
		ikev2_info_send_child_delete(sa, c);
		goto out;
	}
	if (r->collided) {
		/* we won: the peer deletes the child its exchange made, which
		 * must never become our outbound SA */
		struct ikev2_pend_out *p = ikev2_pend_find(sa->id, r->coll_spi_in);

		if (p != NULL)
			ikev2_pend_free(p);
	}
	if (ikev2_child_install(sa, c, true, (struct ike_chunk){ gir, gir_len },
				(struct ike_chunk){ r->ni, sizeof(r->ni) },
				(struct ike_chunk){ resp->nonce.p, resp->nonce.len }) < 0) {
		ike_sa_child_remove(sa, c);
		ikev2_child_rekey_failed(sa, r, "cannot install the new CHILD SA");
		goto out;
	}
	ikev2_count(IKEV2_C_ikev2_child_rekeyed, 1);
	GW_LOG(ike, NOTICE, "session %" PRIu64 ": CHILD SA rekeyed: in 0x%08" PRIx32 " out 0x%08"
	       PRIx32 " replace 0x%08" PRIx32 "%s", sa->id, c->spi_in, c->spi_out, r->old_spi_in,
	       r->collided ? " (simultaneous rekey won)" : "");
	ikev2_rekey_free(r);
	old->rekeyed_by = c->spi_in;
	ikev2_info_send_child_delete(sa, old);
out:
	OPENSSL_cleanse(gir, sizeof(gir));
}


/* Choose, check the KE, make our DH: 0 or the notify to answer. */
static uint16_t ikev2_child_choose(struct ike_sa *sa, const struct ike_msg *req,
				   struct ike_sa_choice *ch, int *alg, struct ike_dh **dh,
				   uint8_t ke_want[2])
{
	const struct cfg_peer *peer = ikev2_rekey_peer(sa);
	struct gw_ike_proposal props[IKE_SA_MAX_PROPOSALS];
	const struct gw_ike_xform *x;
	int n;

	*dh = NULL;
	if (peer == NULL || req->n_sa != 1 || req->n_nonce != 1)
		return IKE_N_INVALID_SYNTAX;
	n = ike_proposals_from_cfg(peer, IKE_SA_PROTO_ESP, props, IKE_SA_MAX_PROPOSALS);
	if (n < 0)
		return IKE_N_NO_PROPOSAL_CHOSEN;
	n = ike_sa_select(req->sa.body.p, req->sa.body.len, IKE_SA_PROTO_ESP, 4, props,
			  (unsigned)n, req->n_ke == 1 ? 0 : IKE_SA_SKIP_DH, ch);
	if (n == -EBADMSG)
		return IKE_N_INVALID_SYNTAX;
	if (n < 0 || (*alg = ike_proposal_esp_alg(&ch->prop)) < 0)
		return IKE_N_NO_PROPOSAL_CHOSEN;
	x = ike_proposal_get(&ch->prop, IKE_XFORM_DH);
	if (x == NULL || x->id == IKE_DH_NONE)
		return 0;
	if (req->n_ke != 1 || req->ke.group != x->id) {
		ke_want[0] = (uint8_t)(x->id >> 8);
		ke_want[1] = (uint8_t)x->id;
		return IKE_N_INVALID_KE_PAYLOAD;
	}
	*dh = ike_dh_new(x->id);
	return *dh != NULL ? 0 : IKE_N_NO_PROPOSAL_CHOSEN;
}

/* 2.8.1: the peer rekeys a child we are rekeying too: remember its
 * exchange's nonces for the decision when our response arrives. */
static void ikev2_child_note_collision(struct ike_sa *sa, const struct ike_child *old,
				       const struct ike_child *c, const struct ike_msg *req,
				       const uint8_t *nr)
{
	struct ikev2_rekey *r = ikev2_rekey_find(sa->id);

	if (r == NULL || r->kind != IKEV2_REKEY_CHILD || r->old_spi_in != old->spi_in)
		return;
	r->collided = true;
	r->coll_spi_in = c->spi_in;
	memcpy(r->coll_ni, req->nonce.p, req->nonce.len);
	r->coll_ni_len = (uint16_t)req->nonce.len;
	memcpy(r->coll_nr, nr, IKE_NONCE_LEN);
	GW_LOG(ike, INFO, "session %" PRIu64 ": simultaneous rekey of CHILD SA 0x%08" PRIx32,
	       sa->id, old->spi_in);
}

/* A rekey's new child as its responder: KEYMAT (we answer the exchange),
 * the inbound SA installed now, the outbound kept for the old one's
 * DELETE. */
static int ikev2_child_install_in(struct ike_sa *sa, struct ike_child *c, struct ike_chunk gir,
				  struct ike_chunk ni, struct ike_chunk nr)
{
	struct gw_sa_desc in, out;
	int ret;

	ret = ikev2_child_keys(sa, c, false, gir, ni, nr, &in, &out);
	if (ret < 0)
		return ret;
	ret = ikev2_pend_add(sa->id, c->spi_in, &out);
	if (ret < 0)
		goto out;
	ret = cp_sa_install_ike_one(&in, &c->h_in);
	if (ret < 0) {
		c->h_in = DP_SA_INVALID;
		ikev2_pend_free(ikev2_pend_find(sa->id, c->spi_in));
		goto out;
	}
	c->installed = true;
out:
	gw_sa_desc_wipe(&in);
	gw_sa_desc_wipe(&out);
	return ret;
}

/* The pending outbound of c becomes the tunnel's current one. */
void ikev2_child_switch_out(struct ike_sa *sa, struct ike_child *c)
{
	struct ikev2_pend_out *p = ikev2_pend_find(sa->id, c->spi_in);
	int ret;

	if (p == NULL)
		return;
	p->out.session_id = sa->id;
	ret = cp_sa_install_ike_one(&p->out, &c->h_out);
	if (ret < 0) {
		c->h_out = DP_SA_INVALID;
		GW_LOG(ike, ERR, "session %" PRIu64 ": cannot install outbound SA 0x%08" PRIx32
		       ": %s", sa->id, c->spi_out, strerror(-ret));
	} else {
		ikev2_count(IKEV2_C_ikev2_child_installed, 1);
		c->rekey_at_ms = 0;	/* scheduled from now on */
		GW_LOG(ike, INFO, "session %" PRIu64 ": outbound switched to 0x%08" PRIx32,
		       sa->id, c->spi_out);
	}
	ikev2_pend_free(p);
}

/* The response: SA (the chosen proposal, our SPI), Nr, [KE], TSi, TSr. */
static int ikev2_child_answer(struct ike_sa *sa, const struct ike_msg *req,
			      const struct ike_sa_choice *ch, const struct ike_child *c,
			      struct ike_dh *dh, const uint8_t *nr)
{
	uint8_t body[IKEV2_SA_BODY_MAX];
	uint32_t spi_be = htonl(c->spi_in);
	struct ike_build *b;
	int len;

	len = ike_sa_encode_one(body, sizeof(body), &ch->prop, ch->num, (const uint8_t *)&spi_be, 4);
	b = ikev2_msg_response_begin(sa, req);
	if (b == NULL || len < 0)
		return -ENOBUFS;
	ike_msg_add_raw(b, IKE_PL_SA, false, body, (size_t)len);
	ike_msg_add_nonce(b, nr, IKE_NONCE_LEN);
	if (dh != NULL) {
		size_t kl;
		const uint8_t *k = ike_dh_public(dh, &kl);

		ike_msg_add_ke(b, ike_dh_group(dh), k, kl);
	}
	ikev2_add_child_ts(b, c, false);
	return ikev2_msg_response_send(sa);
}

/*
 * Responder of a CHILD SA with tmpl's selectors: a rekey of old (new
 * inbound now, outbound at old's DELETE) or, old NULL, a new child (both
 * now).  0 or -errno (answered with an error notify).
 */
static int ikev2_child_respond(struct ike_sa *sa, const struct ike_msg *req,
			       const struct ike_child *tmpl, struct ike_child *old)
{
	struct ike_sa_choice ch;
	struct ike_child *c = NULL;
	struct ike_dh *dh = NULL;
	uint8_t gir[IKE_DH_SECRET_MAX], nr[IKE_NONCE_LEN], want[2];
	size_t gir_len = 0;
	uint16_t err;
	int alg = 0, ret;

	err = ikev2_child_choose(sa, req, &ch, &alg, &dh, want);
	if (err == 0 && (ikev2_gir(dh, req, gir, &gir_len) < 0 || RAND_bytes(nr, sizeof(nr)) != 1))
		err = IKE_N_NO_PROPOSAL_CHOSEN;
	if (err == 0) {
		c = ikev2_child_successor(sa, tmpl, ike_sa_child_spi_alloc(),
					  ntohl(*(const uint32_t *)(const void *)ch.spi), alg,
					  ike_proposal_esn(&ch.prop), dh != NULL ? ike_dh_group(dh) : 0,
					  ikev2_now_ms());
		err = c == NULL || c->spi_in == 0 ? IKE_N_NO_ADDITIONAL_SAS : 0;
	}
	if (err == 0) {
		struct ike_chunk g = { gir, gir_len }, n_i = { req->nonce.p, req->nonce.len };
		struct ike_chunk n_r = { nr, sizeof(nr) };

		if ((old != NULL ? ikev2_child_install_in(sa, c, g, n_i, n_r) :
				   ikev2_child_install(sa, c, false, g, n_i, n_r)) < 0)
			err = IKE_N_NO_PROPOSAL_CHOSEN;
	}
	if (err != 0) {
		if (c != NULL)
			ike_sa_child_remove(sa, c);
		ikev2_msg_answer_notify(sa, req, err, want, err == IKE_N_INVALID_KE_PAYLOAD ? 2 : 0);
		ret = -EPROTO;
		goto out;
	}
	ret = ikev2_child_answer(sa, req, &ch, c, dh, nr);
	if (old == NULL) {
		GW_LOG(ike, NOTICE, "session %" PRIu64 ": new CHILD SA in 0x%08" PRIx32 " out 0x%08"
		       PRIx32 " (CREATE_CHILD_SA)", sa->id, c->spi_in, c->spi_out);
		goto out;
	}
	old->rekeyed_by = c->spi_in;
	ikev2_child_note_collision(sa, old, c, req, nr);
	ikev2_count(IKEV2_C_ikev2_child_rekeyed, 1);
	GW_LOG(ike, NOTICE, "session %" PRIu64 ": CHILD SA 0x%08" PRIx32 " rekeyed by the peer: in 0x%08"
	       PRIx32 " installed, out 0x%08" PRIx32 " waits for the old one's DELETE", sa->id,
	       old->spi_in, c->spi_in, c->spi_out);
out:
	ike_dh_free(dh);
	OPENSSL_cleanse(gir, sizeof(gir));
	return ret;
}

/* A CHILD SA that is no rekey: accepted when the IKE SA has none left (a
 * peer re-creating it after a hard expiry), selectors narrowed to the
 * peer's configuration as in IKE_AUTH. */
static void ikev2_child_new(struct ike_sa *sa, const struct ike_msg *req)
{
	const struct cfg_peer *peer = ikev2_rekey_peer(sa);
	struct ikev2_ts ts[IKE_MSG_MAX_TS];
	struct ike_child tmpl;
	uint8_t n = 0;

	if (ike_sa_child_count(sa) > 0 || peer == NULL) {
		ikev2_msg_answer_notify(sa, req, IKE_N_NO_ADDITIONAL_SAS, NULL, 0);
		return;
	}
	if (req->n_tsi != 1 || req->n_tsr != 1) {
		ikev2_msg_answer_notify(sa, req, IKE_N_INVALID_SYNTAX, NULL, 0);
		return;
	}
	memset(&tmpl, 0, sizeof(tmpl));
	ikev2_ts_copy(&req->tsi, ts, &n);
	tmpl.n_remote_ts = (uint8_t)ikev2_ts_narrow(ts, n, peer->remote_ts, peer->n_remote_ts,
						    tmpl.remote_ts, GW_SA_MAX_TS);
	ikev2_ts_copy(&req->tsr, ts, &n);
	tmpl.n_local_ts = (uint8_t)ikev2_ts_narrow(ts, n, peer->local_ts, peer->n_local_ts,
						   tmpl.local_ts, GW_SA_MAX_TS);
	if (tmpl.n_remote_ts == 0 || tmpl.n_local_ts == 0) {
		ikev2_count(IKEV2_C_ikev2_ts_unacceptable, 1);
		ikev2_msg_answer_notify(sa, req, IKE_N_TS_UNACCEPTABLE, NULL, 0);
		return;
	}
	ikev2_child_respond(sa, req, &tmpl, NULL);
}

void ikev2_child_deleted(struct ike_sa *sa, struct ike_child *c)
{
	struct ikev2_pend_out *p;

	if (c->rekeyed_by != 0) {
		struct ike_child *succ = ike_sa_child_by_spi_in(sa, c->rekeyed_by);

		if (succ != NULL && succ->h_out == DP_SA_INVALID)
			ikev2_child_switch_out(sa, succ);
	}
	p = ikev2_pend_find(sa->id, c->spi_in);
	if (p != NULL)
		ikev2_pend_free(p);	/* a child that never got its outbound */
	ike_sa_child_remove(sa, c);
}

/* ---- the request handler ---- */

static void ikev2_child_request(struct ike_sa *sa, const struct ike_msg *req)
{
	const struct ike_notify_pl *n = ike_msg_notify_find(req, IKE_N_REKEY_SA);
	struct ike_child *old;
	uint32_t spi;

	if (n == NULL) {
		if (req->n_sa == 1 && req->sa.n_props > 0 && req->sa.props[0].proto == IKE_PROTO_IKE) {
			ikev2_ike_rekey_respond(sa, req);
			return;
		}
		ikev2_child_new(sa, req);
		return;
	}
	if (n->proto != IKE_PROTO_ESP || n->spi.len != 4) {
		ikev2_msg_answer_notify(sa, req, IKE_N_INVALID_SYNTAX, NULL, 0);
		return;
	}
	spi = (uint32_t)n->spi.p[0] << 24 | (uint32_t)n->spi.p[1] << 16 |
	      (uint32_t)n->spi.p[2] << 8 | n->spi.p[3];
	old = ike_sa_child_by_spi_out(sa, spi);
	if (old == NULL) {
		struct ike_build *b = ikev2_msg_response_begin(sa, req);

		if (b != NULL) {
			ike_msg_add_notify(b, IKE_PROTO_ESP, n->spi.p, 4, IKE_N_CHILD_SA_NOT_FOUND,
					   NULL, 0);
			ikev2_msg_response_send(sa);
		}
		return;
	}
	if (old->rekeyed_by != 0 || old->h_out == DP_SA_INVALID || sa->state != IKE_SA_ESTABLISHED) {
		/* 2.25: already replaced or being deleted */
		ikev2_msg_answer_notify(sa, req, IKE_N_TEMPORARY_FAILURE, NULL, 0);
		return;
	}
	ikev2_child_respond(sa, req, old, old);
}

void ikev2_child_register(void)
{
	ikev2_msg_set_handler(IKE_EXCH_CREATE_CHILD_SA, ikev2_child_request);
}
