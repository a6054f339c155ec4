/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKE SA rekey (RFC 7296 1.3.2, 2.18) with CREATE_CHILD_SA, as initiator
 * and responder: a new IKE SA keyed from the old one's SK_d and a fresh DH,
 * inheriting its endpoints, identities, authentication facts and children;
 * the initiator then deletes the old SA, the responder waits for that
 * DELETE (a while: then the old SA's expiry deletes it).
 *
 * CP thread only.  g^ir and SKEYSEED are wiped at each function's exit.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "common/gw_ike.h"
#include "common/gw_log.h"
#include "controlplane/ike/ike_dh.h"
#include "controlplane/ike/ike_proposal.h"
#include "controlplane/ike/ike_rev.h"
#include "controlplane/ikev2/ikev2_int.h"
#include "controlplane/ikev2/ikev2_msg.h"
#include "controlplane/ikev2/ikev2_rekey.h"
#include "dataplane/dp_sa.h"

/* Everything the new IKE SA takes over from the old one but its keys. */
static void ikev2_ike_inherit(struct ike_sa *nsa, const struct ike_sa *old, uint64_t now)
{
	const struct cfg_peer *peer = ikev2_rekey_peer(old);

	nsa->tunnel = old->tunnel;
	nsa->local = old->local;
	nsa->remote = old->remote;
	nsa->local_port = old->local_port;
	nsa->remote_port = old->remote_port;
	nsa->nat_local = old->nat_local;
	nsa->nat_remote = old->nat_remote;
	nsa->encap = old->encap;
	nsa->frag_ok = old->frag_ok;
	nsa->sig_hashes = old->sig_hashes;
	nsa->local_id_type = old->local_id_type;
	nsa->remote_id_type = old->remote_id_type;
	memcpy(nsa->local_id, old->local_id, sizeof(nsa->local_id));
	memcpy(nsa->remote_id, old->remote_id, sizeof(nsa->remote_id));
	nsa->local_id_len = old->local_id_len;
	nsa->remote_id_len = old->remote_id_len;
	ike_sa_copy_peer_chain(nsa, old);
	nsa->local_auth_method = old->local_auth_method;
	nsa->remote_auth_method = old->remote_auth_method;
	nsa->local_auth_kind = old->local_auth_kind;
	nsa->remote_auth_kind = old->remote_auth_kind;
	nsa->created_ms = now;
	nsa->established_ms = now;
	nsa->last_rx_ms = now;
	if (peer != NULL) {
		nsa->rekey_at_ms = ikev2_rekey_time(now, peer->ike_lifetime, ikev2_rand32());
		nsa->expire_at_ms = now + (uint64_t)peer->ike_lifetime * 1000;
	}
}

/* SKEYSEED (2.18) and the new SA's keys; keys of each direction by role. */
static int ikev2_ike_keys(struct ike_sa *nsa, const struct ike_sa *old, const struct ike_suite *s,
			  const uint8_t *gir, size_t gir_len)
{
	uint8_t skeyseed[IKE_PRF_MAX];
	struct ike_chunk ni = { nsa->ni, nsa->ni_len }, nr = { nsa->nr, nsa->nr_len };
	int ret;

	ret = ike_skeyseed_rekey(old->keys.prf, (struct ike_chunk){ old->keys.sk_d, old->keys.prf_len },
				 (struct ike_chunk){ gir, gir_len }, ni, nr, skeyseed);
	if (ret == 0)
		ret = ike_sa_keys_derive(s, (struct ike_chunk){ skeyseed, ike_prf_len(old->keys.prf) },
					 ni, nr, nsa->spi_i, nsa->spi_r, &nsa->keys);
	OPENSSL_cleanse(skeyseed, sizeof(skeyseed));
	if (ret < 0)
		return ret;
	nsa->suite = *s;
	nsa->sk_out = nsa->role == IKE_INITIATOR ? nsa->keys.ski : nsa->keys.skr;
	nsa->sk_in = nsa->role == IKE_INITIATOR ? nsa->keys.skr : nsa->keys.ski;
	return 0;
}

/* The children (and their pending outbounds) move to the new IKE SA. */
static void ikev2_ike_move_children(struct ike_sa *nsa, struct ike_sa *old)
{
	for (unsigned i = 0; i < IKE_CHILD_MAX; i++) {
		nsa->child[i] = old->child[i];
		memset(&old->child[i], 0, sizeof(old->child[i]));
		old->child[i].h_in = old->child[i].h_out = DP_SA_INVALID;
	}
	ikev2_pend_move(old->id, nsa->id);
}

static void ikev2_ike_rekey_answer(struct ike_sa *sa, const struct ike_msg *resp, void *arg);

static int ikev2_ike_rekey_send(struct ike_sa *sa, struct ikev2_rekey *r, const uint8_t *spi)
{
	uint8_t body[IKEV2_SA_BODY_MAX];
	struct ike_build *b;
	size_t kl;
	const uint8_t *k = ike_dh_public(r->dh, &kl);
	int len;

	len = ike_sa_encode(body, sizeof(body), r->props, r->n_props, spi, 8);
	if (len < 0)
		return len;
	b = ikev2_msg_request_begin(sa, IKE_EXCH_CREATE_CHILD_SA);
	if (b == NULL)
		return -ENOBUFS;
	ike_msg_add_raw(b, IKE_PL_SA, false, body, (size_t)len);
	ike_msg_add_nonce(b, r->ni, sizeof(r->ni));
	ike_msg_add_ke(b, ike_dh_group(r->dh), k, kl);
	return ikev2_msg_request_send(sa, ikev2_ike_rekey_answer, NULL);
}

int ikev2_ike_rekey_start(struct ike_sa *sa)
{
	const struct cfg_peer *peer = ikev2_rekey_peer(sa);
	struct ike_sa *nsa = NULL;
	struct ikev2_rekey *r;
	int n, ret = -EIO;

	if (peer == NULL || ikev2_rekey_find(sa->id) != NULL)
		return -EBUSY;
	r = ikev2_rekey_new(sa->id, IKEV2_REKEY_IKE);
	if (r == NULL)
		return -ENOMEM;
	n = ike_proposals_from_cfg(peer, IKE_SA_PROTO_IKE, r->props, IKE_SA_MAX_PROPOSALS);
	if (n < 0 || RAND_bytes(r->ni, sizeof(r->ni)) != 1 ||
	    (r->dh = ike_dh_new(sa->dh_group)) == NULL ||
	    (nsa = ike_sa_new(IKE_INITIATOR, sa->peer)) == NULL)
		goto fail;
	r->n_props = (unsigned)n;
	r->new_sa_id = nsa->id;
	nsa->expire_at_ms = ikev2_now_ms() + IKEV2_OLD_IKE_SA_MS;	/* half-open until answered */
	ikev2_rekey_add(r);
	ret = ikev2_ike_rekey_send(sa, r, nsa->spi_i);
	if (ret < 0) {
		ike_sa_kill(nsa, "IKE SA rekey not sent");
		ikev2_rekey_free(r);
		return ret;
	}
	GW_LOG(ike, INFO, "session %" PRIu64 ": rekeying the IKE SA (new session %" PRIu64 ")",
	       sa->id, nsa->id);
	return 0;
fail:
	if (nsa != NULL)
		ike_sa_kill(nsa, "IKE SA rekey not started");
	ikev2_rekey_free(r);	/* not listed: wiped and freed */
	return ret;
}

static void ikev2_ike_rekey_answer(struct ike_sa *sa, const struct ike_msg *resp, void *arg)
{
	struct ikev2_rekey *r = ikev2_rekey_find(sa->id);
	struct ike_sa *nsa = r != NULL ? ike_sa_find_id(r->new_sa_id) : NULL;
	struct ike_sa_choice ch;
	struct ike_suite suite;
	uint8_t gir[IKE_DH_SECRET_MAX];
	size_t gir_len = 0;
	uint16_t dh = 0, err;
	const char *why = NULL;

	(void)arg;
	if (r == NULL || r->kind != IKEV2_REKEY_IKE)
		return;
	if (resp == NULL || nsa == NULL || nsa->state == IKE_SA_DEAD) {
		why = "no answer";
		goto fail;
	}
	err = ikev2_resp_error(resp);
	if (err != 0) {
		why = ike_notify_name(err);
		goto fail;
	}
	if (resp->n_sa != 1 || resp->n_nonce != 1 || resp->nonce.len > sizeof(nsa->nr) ||
	    ike_sa_check_reply(resp->sa.body.p, resp->sa.body.len, IKE_SA_PROTO_IKE, 8, r->props,
			       r->n_props, 0, &ch) < 0 ||
	    ike_proposal_ike_suite(&ch.prop, &suite, &dh) < 0 || dh != ike_dh_group(r->dh) ||
	    ikev2_gir(r->dh, resp, gir, &gir_len) < 0) {
		why = "unacceptable response";
		goto fail;
	}
	memcpy(nsa->spi_r, ch.spi, 8);
	memcpy(nsa->ni, r->ni, sizeof(r->ni));
	nsa->ni_len = sizeof(r->ni);
	memcpy(nsa->nr, resp->nonce.p, resp->nonce.len);
	nsa->nr_len = (uint16_t)resp->nonce.len;
	nsa->dh_group = dh;
	if (ikev2_ike_keys(nsa, sa, &suite, gir, gir_len) < 0) {
		why = "key derivation failed";
		goto fail;
	}
	ikev2_ike_inherit(nsa, sa, ikev2_now_ms());
	ike_sa_state(nsa, IKE_SA_ESTABLISHED, "rekeyed IKE SA");
	(void)ike_rev_index_add(nsa);
	ikev2_ike_move_children(nsa, sa);
	ikev2_count(IKEV2_C_ikev2_ike_rekeyed, 1);
	GW_LOG(ike, NOTICE, "session %" PRIu64 ": IKE SA rekeyed into session %" PRIu64, sa->id,
	       nsa->id);
	ikev2_rekey_free(r);
	snprintf(sa->reason, sizeof(sa->reason), "rekeyed into session %" PRIu64, nsa->id);
	ikev2_info_send_delete(sa);
	goto out;
fail:
	GW_LOG(ike, NOTICE, "session %" PRIu64 ": IKE SA rekey failed: %s", sa->id, why);
	if (nsa != NULL)
		ike_sa_kill(nsa, "IKE SA rekey failed");
	if (resp != NULL)
		sa->rekey_at_ms = ikev2_now_ms() + IKEV2_REKEY_RETRY_MS;
	ikev2_rekey_free(r);
out:
	OPENSSL_cleanse(gir, sizeof(gir));
}

static uint16_t ikev2_ike_choose(struct ike_sa *sa, const struct ike_msg *req,
				 struct ike_sa_choice *ch, struct ike_suite *suite, uint16_t *dh,
				 uint8_t want[2])
{
	const struct cfg_peer *peer = ikev2_rekey_peer(sa);
	struct gw_ike_proposal props[IKE_SA_MAX_PROPOSALS];
	int n;

	if (peer == NULL || req->n_nonce != 1 || req->n_ke != 1 ||
	    req->nonce.len > sizeof(sa->ni))
		return IKE_N_INVALID_SYNTAX;
	n = ike_proposals_from_cfg(peer, IKE_SA_PROTO_IKE, props, IKE_SA_MAX_PROPOSALS);
	if (n < 0)
		return IKE_N_NO_PROPOSAL_CHOSEN;
	n = ike_sa_select(req->sa.body.p, req->sa.body.len, IKE_SA_PROTO_IKE, 8, props,
			  (unsigned)n, 0, ch);
	if (n == -EBADMSG)
		return IKE_N_INVALID_SYNTAX;
	if (n < 0 || ike_proposal_ike_suite(&ch->prop, suite, dh) < 0)
		return IKE_N_NO_PROPOSAL_CHOSEN;
	if (req->ke.group != *dh) {
		want[0] = (uint8_t)(*dh >> 8);
		want[1] = (uint8_t)*dh;
		return IKE_N_INVALID_KE_PAYLOAD;
	}
	return 0;
}

void ikev2_ike_rekey_respond(struct ike_sa *sa, const struct ike_msg *req)
{
	struct ike_sa_choice ch;
	struct ike_suite suite;
	struct ike_sa *nsa = NULL;
	struct ike_dh *dh = NULL;
	struct ike_build *b = NULL;
	uint8_t gir[IKE_DH_SECRET_MAX], body[IKEV2_SA_BODY_MAX], want[2];
	size_t gir_len = 0, kl;
	const uint8_t *k;
	uint16_t group = 0, err;
	int len = -1;

	err = ikev2_ike_choose(sa, req, &ch, &suite, &group, want);
	if (err == 0 && ikev2_rekey_find(sa->id) != NULL)
		err = IKE_N_TEMPORARY_FAILURE;	/* ours is under way (minimal 2.25) */
	if (err == 0 && ((dh = ike_dh_new(group)) == NULL ||
			 (nsa = ike_sa_new(IKE_RESPONDER, sa->peer)) == NULL))
		err = IKE_N_NO_PROPOSAL_CHOSEN;
	if (err == 0) {
		memcpy(nsa->spi_i, ch.spi, 8);
		memcpy(nsa->ni, req->nonce.p, req->nonce.len);
		nsa->ni_len = (uint16_t)req->nonce.len;
		nsa->nr_len = IKE_NONCE_LEN;
		nsa->dh_group = group;
		if (RAND_bytes(nsa->nr, IKE_NONCE_LEN) != 1 || ikev2_gir(dh, req, gir, &gir_len) < 0 ||
		    ikev2_ike_keys(nsa, sa, &suite, gir, gir_len) < 0)
			err = IKE_N_NO_PROPOSAL_CHOSEN;
		else
			len = ike_sa_encode_one(body, sizeof(body), &ch.prop, ch.num, nsa->spi_r, 8);
	}
	if (err == 0 && (len < 0 || (b = ikev2_msg_response_begin(sa, req)) == NULL))
		err = IKE_N_NO_PROPOSAL_CHOSEN;
	if (err != 0) {
		if (nsa != NULL)
			ike_sa_kill(nsa, "IKE SA rekey refused");
		ikev2_msg_answer_notify(sa, req, err, want, err == IKE_N_INVALID_KE_PAYLOAD ? 2 : 0);
		goto out;
	}
	k = ike_dh_public(dh, &kl);
	ike_msg_add_raw(b, IKE_PL_SA, false, body, (size_t)len);
	ike_msg_add_nonce(b, nsa->nr, nsa->nr_len);
	ike_msg_add_ke(b, group, k, kl);
	if (ikev2_msg_response_send(sa) < 0) {
		ike_sa_kill(nsa, "IKE SA rekey response not sent");
		goto out;
	}
	ikev2_ike_inherit(nsa, sa, ikev2_now_ms());
	ike_sa_state(nsa, IKE_SA_ESTABLISHED, "rekeyed IKE SA (responder)");
	(void)ike_rev_index_add(nsa);
	ikev2_ike_move_children(nsa, sa);
	ikev2_count(IKEV2_C_ikev2_ike_rekeyed, 1);
	/* the old one waits for the peer's DELETE, a while (then ikev2_main's
	 * expiry deletes it) */
	sa->expire_at_ms = ikev2_now_ms() + IKEV2_OLD_IKE_SA_MS;
	ike_sa_state(sa, IKE_SA_REKEYING, "rekeyed by the peer, waiting for its DELETE");
	GW_LOG(ike, NOTICE, "session %" PRIu64 ": IKE SA rekeyed by the peer into session %"
	       PRIu64, sa->id, nsa->id);
out:
	ike_dh_free(dh);
	OPENSSL_cleanse(gir, sizeof(gir));
}
