/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Main Mode messages 5 and 6 (RFC 2409 5.1): ID, CERT, CR and SIG, both
 * roles.  Ours: the identity of the negotiated auth method's key type, its
 * certificate chain, SIG over HASH_I / HASH_R.  The peer's: its ID matched
 * against the peer's remote_id, its chain through pki_verify_peer()
 * (asynchronous: a CRL may be downloaded meanwhile; the SA waits in
 * AUTH_VERIFY and retransmissions are absorbed), then the SIG checked
 * with the certificate's key.  CP thread only.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "common/gw_log.h"
#include "controlplane/cp_sa.h"
#include "controlplane/ike/ike_id.h"
#include "controlplane/ikev1/ikev1_int.h"
#include "controlplane/pki/pki_internal.h"

enum {
	IKEV1_SIG_MAX = 1024,		/* RSA-8192 */
	IKEV1_CERT_TOTAL_MAX = 32768,	/* the peer's chain, all DER */
};

/* What the check needs after the PKI answered (the message is gone). */
struct ikev1_verify {
	uint64_t sa_id;
	bool in_call, done;
	uint8_t id_b[4 + IKE_ID_MAX];	/* the peer's ID body */
	uint16_t id_b_len;
	uint8_t sig[IKEV1_SIG_MAX];
	uint16_t sig_len;
	uint8_t *certs;			/* DER, back to back */
	size_t cert_len[IKEV1_MSG_MAX_CERT];
	unsigned n_cert;
};

static void ikev1_verify_free(struct ikev1_verify *c)
{
	free(c->certs);
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
}

void ikev1_mm_auth_free(struct ike_sa *sa)
{
	struct ikev1_verify *c = sa->v1 != NULL ? sa->v1->verify : NULL;

	if (c == NULL)
		return;
	if (sa->pki_handle != 0)
		pki_verify_cancel(sa->pki_handle);
	sa->pki_handle = 0;
	sa->v1->verify = NULL;
	if (c->in_call)
		c->sa_id = 0;		/* the callback frees it */
	else
		ikev1_verify_free(c);
}

/* ---- ours ---- */

static enum ike_auth_kind ikev1_auth_kind(uint16_t method)
{
	return method == IKEV1_AUTH_RSA_SIG ? IKE_AUTH_KIND_RSA : IKE_AUTH_KIND_ECDSA;
}

static void ikev1_add_certs(struct ikev1_build *b, const struct pki_identity *me)
{
	unsigned char *der = NULL;
	int len = i2d_X509(me->cert, &der);

	if (len > 0)
		ikev1_add_cert(b, IKEV1_CERT_X509_SIG, der, (size_t)len);
	OPENSSL_free(der);
	for (int i = 0; i < sk_X509_num(me->chain); i++) {
		der = NULL;
		len = i2d_X509(sk_X509_value(me->chain, i), &der);
		if (len > 0)
			ikev1_add_cert(b, IKEV1_CERT_X509_SIG, der, (size_t)len);
		OPENSSL_free(der);
	}
}

/*
 * Our ID body, CERTs, SIG.  The ID comes from the peer's local_id as in
 * IKEv2 (the ID types 1, 2, 3, 5, 9 have the same numbers in RFC 2407 and
 * RFC 7296), through the shared controlplane/ike/ike_id.c.
 */
int ikev1_mm_auth_add(struct ike_sa *sa, struct ikev1_build *b)
{
	const struct cfg_peer *peer = &ikev1_cfg()->peers[sa->peer];
	struct ikev1_sa *v = sa->v1;
	const struct pki_identity *me = ikev1_identity(sa, v->p1.auth);
	bool init = sa->role == IKE_INITIATOR;
	uint8_t hash[IKEV1_HASH_MAX], sig[IKEV1_SIG_MAX];
	size_t hl = 0, sl = 0;
	long off;
	int ret;

	if (me == NULL) {
		GW_LOG(ike, ERR, "session %" PRIu64 ": no identity for auth method %u", sa->id,
		       v->p1.auth);
		return -ENOENT;
	}
	ret = ike_id_local(&peer->local_id, me->cert, &sa->local_id_type, sa->local_id,
			     &sa->local_id_len);
	if (ret < 0)
		return ret;
	off = ikev1_add_id(b, sa->local_id_type, 0, 0, sa->local_id, sa->local_id_len);
	if (off < 0)
		return (int)off;
	{
		struct ike_view body = ikev1_build_body(b, off);

		if (body.len > sizeof(v->id_b))
			return -ENOSPC;
		memcpy(v->id_b, body.p, body.len);
		v->id_b_len = (uint16_t)body.len;
	}
	ikev1_add_certs(b, me);
	ret = ikev1_hash_auth(&v->keys, init, (struct ike_chunk){ v->gxi, v->gxi_len },
			      (struct ike_chunk){ v->gxr, v->gxr_len }, sa->spi_i, sa->spi_r,
			      (struct ike_chunk){ v->sai_b, v->sai_b_len },
			      (struct ike_chunk){ v->id_b, v->id_b_len }, hash, &hl);
	if (ret == 0)
		ret = ikev1_sig_sign(me->key, v->p1.auth, hash, hl, sig, sizeof(sig), &sl);
	OPENSSL_cleanse(hash, sizeof(hash));
	if (ret < 0) {
		GW_LOG(ike, ERR, "session %" PRIu64 ": cannot sign: %s", sa->id, strerror(-ret));
		return ret;
	}
	ikev1_add_sig(b, sig, sl);
	/* RFC 2407 4.6.3.3: only the first ISAKMP SA with this peer since
	 * start (the peer drops what it holds from our previous run) */
	if (init && ike_sa_first_contact(sa)) {
		uint8_t spi[16];

		memcpy(spi, sa->spi_i, 8);
		memcpy(spi + 8, sa->spi_r, 8);
		ikev1_add_notify(b, IKEV1_PROTO_ISAKMP, spi, 16, IKEV1_N_INITIAL_CONTACT, NULL, 0);
	}
	sa->local_auth_method = (uint8_t)v->p1.auth;
	sa->local_auth_kind = (uint8_t)ikev1_auth_kind(v->p1.auth);
	return b->err;
}

/* ---- the peer's ---- */

/* The peer's SIG over its HASH, with the verified certificate's key. */
static int ikev1_sig_check(struct ike_sa *sa, const struct ikev1_verify *c, void *pub)
{
	struct ikev1_sa *v = sa->v1;
	uint8_t hash[IKEV1_HASH_MAX];
	size_t hl = 0;
	int ret;

	ret = ikev1_hash_auth(&v->keys, sa->role != IKE_INITIATOR,
			      (struct ike_chunk){ v->gxi, v->gxi_len },
			      (struct ike_chunk){ v->gxr, v->gxr_len }, sa->spi_i, sa->spi_r,
			      (struct ike_chunk){ v->sai_b, v->sai_b_len },
			      (struct ike_chunk){ c->id_b, c->id_b_len }, hash, &hl);
	if (ret == 0)
		ret = ikev1_sig_verify(pub, v->p1.auth, hash, hl, c->sig, c->sig_len);
	OPENSSL_cleanse(hash, sizeof(hash));
	return ret;
}

static bool ikev1_peer_ok(struct ike_sa *sa, const struct ikev1_verify *c,
			  const struct pki_verify_result *res)
{
	const struct cfg_peer *peer = &ikev1_cfg()->peers[sa->peer];
	int ret;

	if (res->error != PKI_VERIFY_OK) {
		GW_LOG_RL(ike, NOTICE, "session %" PRIu64 ": IKEv1 peer %s: certificate refused: "
			  "%s (%s)", sa->id, peer->name, pki_verify_error_str(res->error),
			  res->reason);
		return false;
	}
	if (res->trustpoint != (int)peer->trustpoint_idx) {
		GW_LOG_RL(ike, NOTICE, "session %" PRIu64 ": IKEv1 peer %s: certificate from "
			  "trustpoint %d, not %s", sa->id, peer->name, res->trustpoint,
			  peer->trustpoint);
		return false;
	}
	ret = ikev1_sig_check(sa, c, res->ee_pubkey);
	if (ret < 0) {
		GW_LOG_RL(ike, NOTICE, "session %" PRIu64 ": IKEv1 peer %s: SIG does not verify "
			  "(%s)", sa->id, peer->name, strerror(-ret));
		return false;
	}
	sa->remote_id_type = c->id_b[0];
	sa->remote_id_len = (uint16_t)(c->id_b_len - 4);
	memcpy(sa->remote_id, c->id_b + 4, sa->remote_id_len);
	ike_sa_set_peer_chain(sa, res);
	sa->remote_auth_method = (uint8_t)sa->v1->p1.auth;
	sa->remote_auth_kind = (uint8_t)ikev1_auth_kind(sa->v1->p1.auth);
	return true;
}

static void ikev1_verified(void *arg, const struct pki_verify_result *res)
{
	struct ikev1_verify *c = arg;
	struct ike_sa *sa = c->sa_id != 0 ? ike_sa_find_id(c->sa_id) : NULL;

	if (sa != NULL && sa->v1 != NULL && sa->v1->verify == c) {
		/* the SA forgets c whatever its state: c is freed below */
		sa->pki_handle = 0;
		sa->v1->verify = NULL;
		c->sa_id = 0;
		if (sa->state == IKE_SA_AUTH_VERIFY)
			ikev1_mm_auth_done(sa, ikev1_peer_ok(sa, c, res));
	}
	pki_pubkey_free(res->ee_pubkey);
	c->done = true;
	if (!c->in_call)
		ikev1_verify_free(c);
}

/* A `remote = "any"` peer whose remote_id names the ID. */
static int ikev1_peer_any(const struct ikev1_id_pl *id)
{
	const struct gw_cfg *cfg = ikev1_cfg();

	for (unsigned i = 0; i < cfg->n_peers; i++)
		if (cfg->peers[i].remote_any && cfg->peers[i].ike_version == 1 &&
		    cfg->peers[i].remote_id.type != CFG_ID_NONE &&
		    ike_id_match(&cfg->peers[i].remote_id, id->type, id->data.p, id->data.len))
			return (int)i;
	return -1;
}

static struct ikev1_verify *ikev1_verify_new(struct ike_sa *sa, const struct ikev1_msg *m)
{
	struct ikev1_verify *c;
	size_t total = 0, off = 0;

	if (m->id[0].body.len > sizeof(c->id_b) || m->id[0].body.len < 4 ||
	    m->sig.len > IKEV1_SIG_MAX)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->sa_id = sa->id;
	memcpy(c->id_b, m->id[0].body.p, m->id[0].body.len);
	c->id_b_len = (uint16_t)m->id[0].body.len;
	memcpy(c->sig, m->sig.p, m->sig.len);
	c->sig_len = (uint16_t)m->sig.len;
	for (unsigned i = 0; i < m->n_cert; i++)
		if (m->cert[i].enc == IKEV1_CERT_X509_SIG)
			total += m->cert[i].data.len;
	c->certs = total > 0 && total <= IKEV1_CERT_TOTAL_MAX ? malloc(total) : NULL;
	if (c->certs == NULL) {
		ikev1_verify_free(c);
		return NULL;
	}
	for (unsigned i = 0; i < m->n_cert; i++) {
		if (m->cert[i].enc != IKEV1_CERT_X509_SIG)
			continue;
		memcpy(c->certs + off, m->cert[i].data.p, m->cert[i].data.len);
		c->cert_len[c->n_cert++] = m->cert[i].data.len;
		off += m->cert[i].data.len;
	}
	return c;
}

int ikev1_mm_auth_input(struct ike_sa *sa, const struct ikev1_msg *m)
{
	const struct gw_cfg *cfg = ikev1_cfg();
	const uint8_t *der[IKEV1_MSG_MAX_CERT];
	struct ikev1_verify *c;
	struct pki_peer_id pid;
	size_t off = 0;
	int peer = sa->peer, ret;

	if (m->n_id < 1 || m->n_sig != 1 || m->n_cert == 0) {
		GW_LOG_RL(ike, NOTICE, "session %" PRIu64 ": Main Mode message %u without %s",
			  sa->id, sa->role == IKE_RESPONDER ? 5 : 6,
			  m->n_id < 1 ? "ID" : m->n_sig != 1 ? "SIG" : "a certificate");
		ikev1_mm_auth_done(sa, false);
		return -EBADMSG;
	}
	if (sa->role == IKE_RESPONDER && cfg->peers[peer].remote_any)
		peer = ikev1_peer_any(&m->id[0]);
	if (peer < 0 || !ike_id_match(&cfg->peers[peer].remote_id, m->id[0].type,
					m->id[0].data.p, m->id[0].data.len)) {
		GW_LOG_RL(ike, NOTICE, "session %" PRIu64 ": IKEv1 ID matches no configured peer",
			  sa->id);
		ikev1_mm_auth_done(sa, false);
		return -EACCES;
	}
	if (peer != sa->peer) {
		sa->peer = peer;
		sa->tunnel = cp_sa_peer_tunnel((unsigned)peer);
	}
	c = ikev1_verify_new(sa, m);
	if (c == NULL || ike_id_pki(m->id[0].type, m->id[0].data.p, m->id[0].data.len, &pid) < 0) {
		if (c != NULL)
			ikev1_verify_free(c);
		ikev1_mm_auth_done(sa, false);
		return -EINVAL;
	}
	for (unsigned i = 0; i < c->n_cert; i++) {
		der[i] = c->certs + off;
		off += c->cert_len[i];
	}
	ike_sa_state(sa, IKE_SA_AUTH_VERIFY, "verifying the IKEv1 peer's certificate");
	sa->v1->verify = c;
	c->in_call = true;
	ret = pki_verify_peer(der, c->cert_len, c->n_cert, &pid, ikev1_verified, c,
			      &sa->pki_handle);
	c->in_call = false;
	if (ret < 0) {
		sa->pki_handle = 0;
		sa->v1->verify = NULL;
		ikev1_verify_free(c);
		ikev1_mm_auth_done(sa, false);
		return ret;
	}
	if (c->done)			/* answered within the call */
		ikev1_verify_free(c);
	return 0;
}
