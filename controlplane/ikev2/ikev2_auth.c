/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKE_AUTH (RFC 7296 1.2, 2.15) with certificates, both roles, and the
 * first CHILD SA (1.3 rules, tunnel mode only).  The peer's chain goes to
 * pki_verify_peer() (asynchronous: a CRL may be downloaded meanwhile; the
 * SA waits in AUTH_VERIFY and retransmissions are absorbed by
 * ikev2_msg.c); then the AUTH payload is checked with the certificate's
 * key.  Any failure is AUTHENTICATION_FAILED.  CP thread only.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "common/gw_log.h"
#include "controlplane/cp_sa.h"
#include "controlplane/ike/ike_auth.h"
#include "controlplane/ike/ike_id.h"
#include "controlplane/ike/ike_proposal.h"
#include "controlplane/ike/ike_rev.h"
#include "controlplane/ikev2/ikev2_int.h"
#include "controlplane/ikev2/ikev2_msg.h"
#include "controlplane/pki/pki_internal.h"

enum {
	IKEV2_ID_BODY_MAX = 4 + IKE_ID_MAX,
	IKEV2_SA_BODY_MAX = 4096,
};

/* What IKE_AUTH needs after the PKI answered (the message is gone). */
struct ikev2_auth_ctx {
	struct ikev2_auth_ctx *next;
	uint64_t sa_id;
	bool in_call, done;
	uint32_t msg_id;			/* responder: the request's */
	uint8_t auth_method;
	uint16_t auth_len, id_len;
	size_t sa_len;
	bool initial_contact;
	uint8_t n_tsi, n_tsr;
	uint8_t auth[IKE_AUTH_DATA_MAX];
	uint8_t id_body[IKEV2_ID_BODY_MAX];	/* the peer's ID payload body */
	uint8_t sa_body[IKEV2_SA_BODY_MAX];
	struct ikev2_ts tsi[IKE_MSG_MAX_TS], tsr[IKE_MSG_MAX_TS];
};

static struct ikev2_auth_ctx *ikev2_pending;

static void ikev2_ctx_free(struct ikev2_auth_ctx *c)
{
	for (struct ikev2_auth_ctx **pp = &ikev2_pending; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
}

/* Contexts of SAs killed while verifying (the PKI never calls back). */
void ikev2_auth_gc(void)
{
	struct ikev2_auth_ctx *c = ikev2_pending, *next;

	for (; c != NULL; c = next) {
		struct ike_sa *sa = ike_sa_find_id(c->sa_id);

		next = c->next;
		if (!c->in_call && (sa == NULL || sa->state == IKE_SA_DEAD))
			ikev2_ctx_free(c);
	}
}

/* Copy what the verification needs out of m (request or response). */
static struct ikev2_auth_ctx *ikev2_ctx_new(struct ike_sa *sa, const struct ike_msg *m,
					    const struct ike_id_pl *id)
{
	struct ikev2_auth_ctx *c;

	if (m->n_auth != 1 || m->auth.data.len > IKE_AUTH_DATA_MAX ||
	    id->body.len > IKEV2_ID_BODY_MAX || (m->n_sa == 1 && m->sa.body.len > IKEV2_SA_BODY_MAX))
		return NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->sa_id = sa->id;
	c->msg_id = m->hdr.msg_id;
	c->auth_method = m->auth.method;
	c->auth_len = (uint16_t)m->auth.data.len;
	memcpy(c->auth, m->auth.data.p, m->auth.data.len);
	c->id_len = (uint16_t)id->body.len;
	memcpy(c->id_body, id->body.p, id->body.len);
	if (m->n_sa == 1) {
		c->sa_len = m->sa.body.len;
		memcpy(c->sa_body, m->sa.body.p, m->sa.body.len);
	}
	if (m->n_tsi == 1)
		ikev2_ts_copy(&m->tsi, c->tsi, &c->n_tsi);
	if (m->n_tsr == 1)
		ikev2_ts_copy(&m->tsr, c->tsr, &c->n_tsr);
	c->initial_contact = ike_msg_notify_find(m, IKE_N_INITIAL_CONTACT) != NULL;
	c->next = ikev2_pending;
	ikev2_pending = c;
	return c;
}

/* ---- our side: identity, certificates, AUTH ---- */

/* Our identity for sa: the one whose certificate carries the peer's
 * configured local_id (an RSA and an EC identity may name different IDs),
 * else the first configured. */
static const struct pki_identity *ikev2_identity(const struct ike_sa *sa)
{
	const struct cfg_id *want = &ikev2_cfg()->peers[sa->peer].local_id;
	const struct pki_identity *me;
	uint8_t type, data[IKE_ID_MAX];
	uint16_t len;
	struct pki_peer_id pid;
	char why[128];

	for (unsigned i = 0; want->type != CFG_ID_NONE && (me = pki_identity_get(i)) != NULL;
	     i++) {
		if (ike_id_local(want, me->cert, &type, data, &len) == 0 &&
		    ike_id_pki(type, data, len, &pid) == 0 &&
		    pki_verify_id_match(me->cert, &pid, why, sizeof(why)) == PKI_VERIFY_OK)
			return me;
	}
	return pki_identity_get(0);
}

/* Our ID payload body (type | 3 reserved | data) into sa->local_id*. */
static int ikev2_local_id(struct ike_sa *sa, const struct pki_identity *me)
{
	const struct cfg_peer *peer = &ikev2_cfg()->peers[sa->peer];

	return ike_id_local(&peer->local_id, me->cert, &sa->local_id_type, sa->local_id,
			      &sa->local_id_len);
}

static int ikev2_add_cert(struct ike_build *b, X509 *x)
{
	unsigned char *der = NULL;
	int len = i2d_X509(x, &der);

	if (len <= 0)
		return -EINVAL;
	ike_msg_add_cert(b, IKE_PL_CERT, IKE_CERT_X509_SIG, der, (size_t)len);
	OPENSSL_free(der);
	return 0;
}

static void ikev2_add_certs(struct ike_build *b, const struct pki_identity *me)
{
	ikev2_add_cert(b, me->cert);
	for (int i = 0; i < sk_X509_num(me->chain); i++)
		ikev2_add_cert(b, sk_X509_value(me->chain, i));
}

/* Method 14 with SHA2-256 when the peer announced it (RFC 7427), else the
 * classic method of the key. */
static uint8_t ikev2_auth_method(const struct ike_sa *sa, const struct pki_identity *me)
{
	int bits;

	if (sa->sig_hashes & (1u << IKE_HASH_SHA2_256))
		return IKE_AUTH_DIGITAL_SIGNATURE;
	if (me->key_type != EVP_PKEY_EC)
		return IKE_AUTH_RSA_SIG;
	bits = EVP_PKEY_get_bits(me->key);
	return bits > 384 ? IKE_AUTH_ECDSA_SHA512_P521 : bits > 256 ? IKE_AUTH_ECDSA_SHA384_P384 :
	       IKE_AUTH_ECDSA_SHA256_P256;
}

/* Our AUTH payload: signs our IKE_SA_INIT message | the peer's nonce |
 * prf(SK_px, our ID body). */
static int ikev2_add_auth(struct ike_build *b, struct ike_sa *sa, const struct pki_identity *me)
{
	bool init = sa->role == IKE_INITIATOR;
	uint8_t body[IKEV2_ID_BODY_MAX], sig[IKE_AUTH_DATA_MAX];
	uint8_t method = ikev2_auth_method(sa, me);
	size_t sig_len = 0;
	struct ike_auth_input in;
	int ret;

	body[0] = sa->local_id_type;
	body[1] = body[2] = body[3] = 0;
	memcpy(body + 4, sa->local_id, sa->local_id_len);
	in.prf = sa->suite.prf;
	in.sk_p = (struct ike_chunk){ init ? sa->keys.sk_pi : sa->keys.sk_pr, sa->keys.prf_len };
	in.msg = (struct ike_chunk){ init ? sa->init_req : sa->init_resp,
				     init ? sa->init_req_len : sa->init_resp_len };
	in.nonce = (struct ike_chunk){ init ? sa->nr : sa->ni, init ? sa->nr_len : sa->ni_len };
	in.id = (struct ike_chunk){ body, 4u + sa->local_id_len };
	ret = ike_auth_sign(me->key, method, IKE_HASH_SHA2_256, false, &in, sig, sizeof(sig),
			    &sig_len);
	if (ret == 0)
		ret = ike_msg_add_auth(b, method, sig, sig_len);
	if (ret == 0)
		ikev2_auth_record(sa, true, method, me->key);
	return ret;
}

/* The peer's AUTH, with the certificate's key. */
static int ikev2_check_auth(const struct ike_sa *sa, const struct ikev2_auth_ctx *c, void *pub)
{
	bool init = sa->role == IKE_INITIATOR;
	struct ike_auth_input in;
	uint8_t hash = 0;
	int ret;

	in.prf = sa->suite.prf;
	in.sk_p = (struct ike_chunk){ init ? sa->keys.sk_pr : sa->keys.sk_pi, sa->keys.prf_len };
	in.msg = (struct ike_chunk){ init ? sa->init_resp : sa->init_req,
				     init ? sa->init_resp_len : sa->init_req_len };
	in.nonce = (struct ike_chunk){ init ? sa->ni : sa->nr, init ? sa->ni_len : sa->nr_len };
	in.id = (struct ike_chunk){ c->id_body, c->id_len };
	ret = ike_auth_verify(pub, c->auth_method, &in, c->auth, c->auth_len, &hash);
	if (ret == 0 && c->auth_method == IKE_AUTH_DIGITAL_SIGNATURE && hash < IKE_HASH_SHA2_256)
		ret = -EBADMSG;			/* SHA-1 is not one we announced */
	return ret;
}

/* ---- the peer's side ---- */

/* Start the chain check of m's certificates for identity id. */
static int ikev2_verify_start(struct ike_sa *sa, const struct ike_msg *m,
			      const struct ike_id_pl *id, pki_verify_fn fn,
			      struct ikev2_auth_ctx *c)
{
	const uint8_t *der[IKE_MSG_MAX_CERT];
	size_t len[IKE_MSG_MAX_CERT];
	struct pki_peer_id pid;
	unsigned n = 0;
	int ret;

	for (unsigned i = 0; i < m->n_cert; i++) {
		if (m->cert[i].enc != IKE_CERT_X509_SIG)
			continue;
		der[n] = m->cert[i].data.p;
		len[n++] = m->cert[i].data.len;
	}
	if (n == 0 || ike_id_pki(id->type, id->data.p, id->data.len, &pid) < 0)
		return -EACCES;
	ike_sa_state(sa, IKE_SA_AUTH_VERIFY, "verifying the peer's certificate");
	c->in_call = true;
	ret = pki_verify_peer(der, len, n, &pid, fn, c, &sa->pki_handle);
	c->in_call = false;
	if (ret < 0 || c->done) {
		sa->pki_handle = 0;
		ikev2_ctx_free(c);
	}
	return ret;
}

/* Record the peer's identity and certificate facts. */
static void ikev2_peer_record(struct ike_sa *sa, const struct ikev2_auth_ctx *c,
			      const struct pki_verify_result *res)
{
	sa->remote_id_type = c->id_body[0];
	sa->remote_id_len = (uint16_t)(c->id_len - 4);
	memcpy(sa->remote_id, c->id_body + 4, sa->remote_id_len);
	ike_sa_set_peer_chain(sa, res);
}

/* Common checks of the PKI result and the AUTH payload; logs why. */
static bool ikev2_peer_ok(struct ike_sa *sa, const struct ikev2_auth_ctx *c,
			  const struct pki_verify_result *res)
{
	const struct cfg_peer *peer = &ikev2_cfg()->peers[sa->peer];
	int ret;

	sa->pki_handle = 0;
	if (res->error != PKI_VERIFY_OK) {
		GW_LOG_RL(ike, NOTICE, "session %" PRIu64 ": peer %s: certificate refused: %s (%s)",
			  sa->id, peer->name, pki_verify_error_str(res->error), res->reason);
		return false;
	}
	if (res->trustpoint != (int)peer->trustpoint_idx) {
		GW_LOG_RL(ike, NOTICE, "session %" PRIu64 ": peer %s: certificate from trustpoint "
			  "%d, not %s", sa->id, peer->name, res->trustpoint, peer->trustpoint);
		return false;
	}
	ret = ikev2_check_auth(sa, c, res->ee_pubkey);
	if (ret < 0) {
		GW_LOG_RL(ike, NOTICE, "session %" PRIu64 ": peer %s: AUTH payload does not verify "
			  "(%s)", sa->id, peer->name, strerror(-ret));
		return false;
	}
	ikev2_peer_record(sa, c, res);
	ikev2_auth_record(sa, false, c->auth_method, res->ee_pubkey);
	return true;
}

/* INITIAL_CONTACT (2.4): older IKE SAs of this identity are stale. */
static void ikev2_initial_contact(const struct ike_sa *sa)
{
	uint64_t id = 0;
	struct ike_sa *o;

	while ((o = ike_sa_next(id)) != NULL) {
		id = o->id;
		if (o != sa && o->state != IKE_SA_DEAD && o->peer == sa->peer &&
		    o->remote_id_type == sa->remote_id_type && o->remote_id_len == sa->remote_id_len &&
		    memcmp(o->remote_id, sa->remote_id, sa->remote_id_len) == 0 &&
		    o->state >= IKE_SA_ESTABLISHED)
			ike_sa_kill(o, "replaced (INITIAL_CONTACT)");
	}
}

static void ikev2_established(struct ike_sa *sa)
{
	const struct gw_cfg *cfg = ikev2_cfg();
	const struct cfg_peer *peer = &cfg->peers[sa->peer];
	uint64_t now = ikev2_now_ms();

	sa->established_ms = now;
	sa->expire_at_ms = now + (uint64_t)peer->ike_lifetime * 1000;
	ike_sa_state(sa, IKE_SA_ESTABLISHED, "IKE_AUTH done");
	if (ike_rev_index_add(sa) < 0)
		GW_LOG(ike, ERR, "session %" PRIu64 ": no memory for the revocation index: "
		       "a CRL update will not reach it", sa->id);
	ikev2_count(IKEV2_C_ikev2_sa_established, 1);
	GW_LOG(ike, NOTICE, "session %" PRIu64 ": peer %s established (%s, trustpoint %d)%s",
	       sa->id, peer->name, sa->peer_cert.issuer_str, sa->trustpoint,
	       sa->encap ? ", NAT-T" : "");
}

/* ---- the first CHILD SA ---- */

/* Responder: choose the ESP proposal and selectors of the request; the
 * notify to send instead when it fails (0 on success). */
static uint16_t ikev2_child_choose(struct ike_sa *sa, const struct ikev2_auth_ctx *c,
				   struct ike_child *ch, struct ike_sa_choice *choice)
{
	const struct cfg_peer *peer = &ikev2_cfg()->peers[sa->peer];
	struct gw_ike_proposal ours[IKE_SA_MAX_PROPOSALS];
	int n, ret, alg;

	n = ike_proposals_from_cfg(peer, IKE_SA_PROTO_ESP, ours, IKE_SA_MAX_PROPOSALS);
	ret = n <= 0 ? -ENOENT : ike_sa_select(c->sa_body, c->sa_len, IKE_SA_PROTO_ESP, 4, ours,
					       (unsigned)n, IKE_SA_SKIP_DH, choice);
	alg = ret == 0 ? ike_proposal_esp_alg(&choice->prop) : -ENOTSUP;
	if (ret < 0 || alg < 0) {
		ikev2_count(IKEV2_C_ikev2_no_proposal, 1);
		return IKE_N_NO_PROPOSAL_CHOSEN;
	}
	ch->esp_alg = (uint8_t)alg;
	ch->esn = ike_proposal_esn(&choice->prop);
	ch->spi_out = (uint32_t)choice->spi[0] << 24 | (uint32_t)choice->spi[1] << 16 |
		      (uint32_t)choice->spi[2] << 8 | choice->spi[3];
	/* TSi: the initiator's side (our remote), TSr: ours */
	ch->n_remote_ts = (uint8_t)ikev2_ts_narrow(c->tsi, c->n_tsi, peer->remote_ts,
						   peer->n_remote_ts, ch->remote_ts, GW_SA_MAX_TS);
	ch->n_local_ts = (uint8_t)ikev2_ts_narrow(c->tsr, c->n_tsr, peer->local_ts,
						  peer->n_local_ts, ch->local_ts, GW_SA_MAX_TS);
	if (ch->n_remote_ts == 0 || ch->n_local_ts == 0) {
		ikev2_count(IKEV2_C_ikev2_ts_unacceptable, 1);
		return IKE_N_TS_UNACCEPTABLE;
	}
	return 0;
}

/* ---- responder ---- */

static void ikev2_auth_fail_resp(struct ike_sa *sa, uint32_t msg_id)
{
	struct ike_build *b = ikev2_msg_response_begin_id(sa, IKE_EXCH_IKE_AUTH, msg_id);

	ikev2_count(IKEV2_C_ikev2_auth_failed, 1);
	if (b != NULL) {
		ike_msg_add_notify(b, IKE_PROTO_NONE, NULL, 0, IKE_N_AUTHENTICATION_FAILED, NULL, 0);
		ikev2_msg_response_send(sa);
	}
	ike_sa_kill(sa, "AUTHENTICATION_FAILED");
}

static int ikev2_auth_respond(struct ike_sa *sa, const struct ikev2_auth_ctx *c)
{
	const struct pki_identity *me = ikev2_identity(sa);
	struct ike_sa_choice choice;
	struct ike_child *ch = ike_sa_child_new(sa);
	struct ike_build *b;
	uint16_t err = IKE_N_NO_ADDITIONAL_SAS;
	uint8_t sa_body[512];
	int sl = -1, ret;

	if (me == NULL || ikev2_local_id(sa, me) < 0)
		return -ENOENT;
	if (ch != NULL) {
		err = ikev2_child_choose(sa, c, ch, &choice);
		ch->spi_in = ike_sa_child_spi_alloc();
		if (err == 0) {
			uint8_t spi[4] = { (uint8_t)(ch->spi_in >> 24), (uint8_t)(ch->spi_in >> 16),
					   (uint8_t)(ch->spi_in >> 8), (uint8_t)ch->spi_in };

			sl = ike_sa_encode_one(sa_body, sizeof(sa_body), &choice.prop, choice.num, spi,
					       4);
			if (sl < 0)
				err = IKE_N_NO_PROPOSAL_CHOSEN;
		}
		if (err == 0 && ikev2_child_install_first(sa, ch) < 0)
			err = IKE_N_TEMPORARY_FAILURE;
		if (err != 0)
			ike_sa_child_remove(sa, ch);
	}
	b = ikev2_msg_response_begin_id(sa, IKE_EXCH_IKE_AUTH, c->msg_id);
	if (b == NULL)
		return -EINVAL;
	ike_msg_add_id(b, IKE_PL_IDR, sa->local_id_type, sa->local_id, sa->local_id_len);
	ikev2_add_certs(b, me);
	ret = ikev2_add_auth(b, sa, me);
	if (err == 0) {
		ike_msg_add_raw(b, IKE_PL_SA, false, sa_body, (size_t)sl);
		ikev2_ts_add(b, IKE_PL_TSI, ch->remote_ts, ch->n_remote_ts);
		ikev2_ts_add(b, IKE_PL_TSR, ch->local_ts, ch->n_local_ts);
	} else {
		ike_msg_add_notify(b, IKE_PROTO_NONE, NULL, 0, err, NULL, 0);
	}
	if (ret < 0) {
		ikev2_msg_abort(sa);
		return ret;
	}
	return ikev2_msg_response_send(sa);
}

static void ikev2_auth_verified_r(void *arg, const struct pki_verify_result *res)
{
	struct ikev2_auth_ctx *c = arg;
	struct ike_sa *sa = ike_sa_find_id(c->sa_id);
	int ret;

	if (sa != NULL && sa->state == IKE_SA_AUTH_VERIFY) {
		if (!ikev2_peer_ok(sa, c, res)) {
			ikev2_auth_fail_resp(sa, c->msg_id);
		} else {
			ret = ikev2_auth_respond(sa, c);
			if (ret < 0) {
				GW_LOG(ike, ERR, "session %" PRIu64 ": cannot answer IKE_AUTH: %s",
				       sa->id, strerror(-ret));
				ike_sa_kill(sa, "IKE_AUTH response failed");
			} else {
				ikev2_established(sa);
				if (c->initial_contact)
					ikev2_initial_contact(sa);
			}
		}
	}
	pki_pubkey_free(res->ee_pubkey);
	c->done = true;
	if (!c->in_call)
		ikev2_ctx_free(c);
}

/* A `remote = "any"` SA: the peer whose remote_id names IDi. */
static int ikev2_auth_peer_any(const struct ike_id_pl *id)
{
	const struct gw_cfg *cfg = ikev2_cfg();

	for (unsigned i = 0; i < cfg->n_peers; i++)
		if (cfg->peers[i].remote_any && cfg->peers[i].ike_version == 2 &&
		    cfg->peers[i].remote_id.type != CFG_ID_NONE &&
		    ike_id_match(&cfg->peers[i].remote_id, id->type, id->data.p, id->data.len))
			return (int)i;
	return -1;
}

static void ikev2_auth_request(struct ike_sa *sa, const struct ike_msg *req)
{
	const struct gw_cfg *cfg = ikev2_cfg();
	struct ikev2_auth_ctx *c;
	int peer = sa->peer;

	if (req->n_idi != 1 || req->n_auth != 1) {
		ikev2_auth_fail_resp(sa, req->hdr.msg_id);
		return;
	}
	if (cfg->peers[peer].remote_any)
		peer = ikev2_auth_peer_any(&req->idi);
	if (peer < 0 || !ike_id_match(&cfg->peers[peer].remote_id, req->idi.type,
					req->idi.data.p, req->idi.data.len)) {
		GW_LOG_RL(ike, NOTICE, "session %" PRIu64 ": IDi matches no configured peer",
			  sa->id);
		ikev2_auth_fail_resp(sa, req->hdr.msg_id);
		return;
	}
	sa->peer = peer;
	sa->tunnel = cp_sa_peer_tunnel((unsigned)peer);
	c = ikev2_ctx_new(sa, req, &req->idi);
	if (c == NULL || ikev2_verify_start(sa, req, &req->idi, ikev2_auth_verified_r, c) < 0) {
		if (sa->state != IKE_SA_DEAD)
			ikev2_auth_fail_resp(sa, req->hdr.msg_id);
	}
}

void ikev2_auth_register(void)
{
	ikev2_msg_set_handler(IKE_EXCH_IKE_AUTH, ikev2_auth_request);
}

/* ---- initiator ---- */

/* The first CHILD SA from the IKE_AUTH response (c). */
static void ikev2_auth_child_i(struct ike_sa *sa, const struct ikev2_auth_ctx *c)
{
	const struct cfg_peer *peer = &ikev2_cfg()->peers[sa->peer];
	struct gw_ike_proposal ours[IKE_SA_MAX_PROPOSALS];
	struct ike_sa_choice choice;
	struct ike_child *ch = NULL;
	int n, ret, alg = -1;

	for (unsigned i = 0; i < IKE_CHILD_MAX && ch == NULL; i++)
		if (sa->child[i].used && !sa->child[i].installed)
			ch = &sa->child[i];
	if (ch == NULL)
		return;
	n = ike_proposals_from_cfg(peer, IKE_SA_PROTO_ESP, ours, IKE_SA_MAX_PROPOSALS);
	ret = n <= 0 || c->sa_len == 0 ? -ENOENT :
	      ike_sa_check_reply(c->sa_body, c->sa_len, IKE_SA_PROTO_ESP, 4, ours, (unsigned)n,
				 IKE_SA_SKIP_DH, &choice);
	if (ret == 0)
		alg = ike_proposal_esp_alg(&choice.prop);
	if (ret < 0 || alg < 0) {
		GW_LOG(ike, NOTICE, "session %" PRIu64 ": no CHILD SA in the IKE_AUTH response",
		       sa->id);
		ikev2_count(IKEV2_C_ikev2_no_proposal, 1);
		ike_sa_child_remove(sa, ch);
		return;
	}
	ch->esp_alg = (uint8_t)alg;
	ch->esn = ike_proposal_esn(&choice.prop);
	ch->spi_out = (uint32_t)choice.spi[0] << 24 | (uint32_t)choice.spi[1] << 16 |
		      (uint32_t)choice.spi[2] << 8 | choice.spi[3];
	ch->n_local_ts = (uint8_t)ikev2_ts_narrow(c->tsi, c->n_tsi, peer->local_ts,
						  peer->n_local_ts, ch->local_ts, GW_SA_MAX_TS);
	ch->n_remote_ts = (uint8_t)ikev2_ts_narrow(c->tsr, c->n_tsr, peer->remote_ts,
						   peer->n_remote_ts, ch->remote_ts, GW_SA_MAX_TS);
	if (ch->n_local_ts == 0 || ch->n_remote_ts == 0) {
		ikev2_count(IKEV2_C_ikev2_ts_unacceptable, 1);
		ike_sa_child_remove(sa, ch);
		return;
	}
	if (ikev2_child_install_first(sa, ch) < 0)
		ike_sa_child_remove(sa, ch);
}

static void ikev2_auth_verified_i(void *arg, const struct pki_verify_result *res)
{
	struct ikev2_auth_ctx *c = arg;
	struct ike_sa *sa = ike_sa_find_id(c->sa_id);

	if (sa != NULL && sa->state == IKE_SA_AUTH_VERIFY) {
		if (!ikev2_peer_ok(sa, c, res)) {
			ikev2_count(IKEV2_C_ikev2_auth_failed, 1);
			ike_sa_kill(sa, "responder not authenticated");
		} else {
			ikev2_auth_child_i(sa, c);
			ikev2_established(sa);
		}
	}
	pki_pubkey_free(res->ee_pubkey);
	c->done = true;
	if (!c->in_call)
		ikev2_ctx_free(c);
}

static void ikev2_auth_resp(struct ike_sa *sa, const struct ike_msg *resp, void *arg)
{
	const struct cfg_peer *peer = &ikev2_cfg()->peers[sa->peer];
	struct ikev2_auth_ctx *c;

	(void)arg;
	if (resp == NULL)
		return;
	if (ike_msg_notify_find(resp, IKE_N_AUTHENTICATION_FAILED) != NULL || resp->n_idr != 1 ||
	    resp->n_auth != 1) {
		ikev2_count(IKEV2_C_ikev2_auth_failed, 1);
		ike_sa_kill(sa, "peer refused IKE_AUTH");
		return;
	}
	if (!ike_id_match(&peer->remote_id, resp->idr.type, resp->idr.data.p,
			    resp->idr.data.len)) {
		GW_LOG(ike, NOTICE, "session %" PRIu64 ": IDr is not peer %s's remote_id", sa->id,
		       peer->name);
		ike_sa_kill(sa, "IDr mismatch");
		return;
	}
	c = ikev2_ctx_new(sa, resp, &resp->idr);
	if (c == NULL || ikev2_verify_start(sa, resp, &resp->idr, ikev2_auth_verified_i, c) < 0) {
		if (c != NULL && sa->state != IKE_SA_DEAD)
			ike_sa_kill(sa, "cannot verify the responder");
		else if (c == NULL)
			ike_sa_kill(sa, "malformed IKE_AUTH response");
	}
}

int ikev2_auth_start(struct ike_sa *sa)
{
	const struct cfg_peer *peer = &ikev2_cfg()->peers[sa->peer];
	const struct pki_identity *me = ikev2_identity(sa);
	struct gw_ike_proposal ours[IKE_SA_MAX_PROPOSALS];
	struct ike_child *ch;
	struct ike_build *b;
	uint8_t sa_body[2048], spi[4], rid[IKE_ID_MAX];
	uint8_t rid_type;
	uint16_t rid_len = 0;
	int n, sl, ret;

	sa->tunnel = cp_sa_peer_tunnel((unsigned)sa->peer);
	if (me == NULL || ikev2_local_id(sa, me) < 0)
		return -ENOENT;
	ch = ike_sa_child_new(sa);
	if (ch == NULL)
		return -ENOSPC;
	ch->spi_in = ike_sa_child_spi_alloc();
	spi[0] = (uint8_t)(ch->spi_in >> 24);
	spi[1] = (uint8_t)(ch->spi_in >> 16);
	spi[2] = (uint8_t)(ch->spi_in >> 8);
	spi[3] = (uint8_t)ch->spi_in;
	n = ike_proposals_from_cfg(peer, IKE_SA_PROTO_ESP, ours, IKE_SA_MAX_PROPOSALS);
	sl = n <= 0 ? -EINVAL : ike_sa_encode(sa_body, sizeof(sa_body), ours, (unsigned)n, spi, 4);
	if (sl < 0)
		return sl;
	b = ikev2_msg_request_begin(sa, IKE_EXCH_IKE_AUTH);
	if (b == NULL)
		return -EBUSY;
	ike_msg_add_id(b, IKE_PL_IDI, sa->local_id_type, sa->local_id, sa->local_id_len);
	ikev2_add_certs(b, me);
	ikev2_certreq_add(b);
	/* 2.4: the first IKE SA with this peer since start says so (the
	 * peer drops what it still holds from our previous run) */
	if (ike_sa_first_contact(sa))
		ike_msg_add_notify(b, IKE_PROTO_NONE, NULL, 0, IKE_N_INITIAL_CONTACT, NULL, 0);
	if (peer->remote_id.type != CFG_ID_NONE && peer->remote_id.type != CFG_ID_DN &&
	    ike_id_local(&peer->remote_id, me->cert, &rid_type, rid, &rid_len) == 0)
		ike_msg_add_id(b, IKE_PL_IDR, rid_type, rid, rid_len);
	ret = ikev2_add_auth(b, sa, me);
	ike_msg_add_raw(b, IKE_PL_SA, false, sa_body, (size_t)sl);
	ikev2_ts_add(b, IKE_PL_TSI, peer->local_ts, peer->n_local_ts);
	ikev2_ts_add(b, IKE_PL_TSR, peer->remote_ts, peer->n_remote_ts);
	if (ret < 0) {
		ikev2_msg_abort(sa);
		return ret;
	}
	ret = ikev2_msg_request_send(sa, ikev2_auth_resp, NULL);
	if (ret == 0)
		ike_sa_state(sa, IKE_SA_AUTH_SENT, "IKE_AUTH sent");
	return ret;
}
