/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Main Mode (RFC 2409 5.1, identity protection) with signatures, both
 * roles: messages 1-2 (SA), 3-4 (KE, nonce, CR, NAT-D: RFC 3947), keys,
 * the move to port 4500, and the end of the exchange once messages 5-6
 * (ikev1_mm_auth.c) authenticated the peer.  The auth method is part of
 * the proposal: we offer and accept the methods of the identities we hold
 * (RSA 3, ECDSA 9/10/11), and sign with the identity of the chosen one.
 * CP thread only.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "common/gw_log.h"
#include "controlplane/cp_sa.h"
#include "controlplane/ike/ike_dh.h"
#include "controlplane/ike/ike_half_open.h"
#include "controlplane/ike/ike_proposal.h"
#include "controlplane/ike/ike_rev.h"
#include "controlplane/ikev1/ikev1_int.h"
#include "controlplane/pki/pki_internal.h"

/* Vendor IDs (RFC 3947 2, RFC 3706 2). */
static const uint8_t ikev1_vid_natt[16] = {
	0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
	0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f,
};
static const uint8_t ikev1_vid_natt_draft2[16] = {	/* draft-ietf-ipsec-nat-t-ike-02\n */
	0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e,
	0x08, 0x63, 0x81, 0xb5, 0xec, 0x42, 0x7b, 0x1f,
};
static const uint8_t ikev1_vid_dpd[16] = {
	0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
	0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00,
};
static const uint8_t ikev1_vid_frag[20] = {	/* "FRAGMENTATION" (Cisco, strongSwan) */
	0x40, 0x48, 0xb7, 0xd5, 0x6e, 0xbc, 0xe8, 0x85,
	0x25, 0xe7, 0xde, 0x7f, 0x00, 0xd6, 0xc2, 0xd3,
	0x80, 0x00, 0x00, 0x00,
};

static void ikev1_mm_vids_in(struct ikev1_sa *v, const struct ikev1_msg *m)
{
	for (unsigned i = 0; i < m->n_vid; i++) {
		const struct ike_view *p = &m->vid[i];

		if (p->len == 16 && memcmp(p->p, ikev1_vid_natt, 16) == 0)
			v->peer_natt = true;
		else if (p->len == 16 && memcmp(p->p, ikev1_vid_natt_draft2, 16) == 0)
			v->peer_natt_draft = true;
		else if (p->len == 16 && memcmp(p->p, ikev1_vid_dpd, 16) == 0)
			v->peer_dpd = true;
		else if (p->len >= 16 && memcmp(p->p, ikev1_vid_frag, 16) == 0)
			v->peer_frag = true;
	}
}

static void ikev1_mm_vids_out(struct ikev1_build *b, const struct ikev1_sa *v, bool initiator)
{
	if (initiator || v->peer_natt)
		ikev1_add_vid(b, ikev1_vid_natt, sizeof(ikev1_vid_natt));
	ikev1_add_vid(b, ikev1_vid_dpd, sizeof(ikev1_vid_dpd));
	if (initiator || v->peer_frag)
		ikev1_add_vid(b, ikev1_vid_frag, sizeof(ikev1_vid_frag));
}

/* The auth methods of the identities we hold: RSA first. */
static unsigned ikev1_mm_auth_methods(uint16_t *out)
{
	const struct pki_identity *rsa = pki_identity_for_keytype(EVP_PKEY_RSA);
	const struct pki_identity *ec = pki_identity_for_keytype(EVP_PKEY_EC);
	unsigned n = 0;

	if (rsa != NULL)
		out[n++] = IKEV1_AUTH_RSA_SIG;
	if (ec != NULL && ikev1_sig_method(ec->key) != 0)
		out[n++] = ikev1_sig_method(ec->key);
	return n;
}

int ikev1_mm_our_xforms(const struct cfg_peer *peer, struct ikev1_xform *out, unsigned max)
{
	struct gw_ike_proposal props[IKE_SA_MAX_PROPOSALS];
	uint16_t auth[2];
	unsigned n_auth = ikev1_mm_auth_methods(auth);
	int n = ike_proposals_from_cfg(peer, IKE_SA_PROTO_IKE, props, IKE_SA_MAX_PROPOSALS);

	if (n <= 0 || n_auth == 0)
		return -ENOENT;
	return ikev1_p1_from_proposals(props, (unsigned)n, auth, n_auth, peer->ike_lifetime, out,
				       max);
}

const struct pki_identity *ikev1_identity(const struct ike_sa *sa, uint16_t auth)
{
	(void)sa;
	return pki_identity_for_keytype(auth == IKEV1_AUTH_RSA_SIG ? EVP_PKEY_RSA : EVP_PKEY_EC);
}

/* ---- NAT-D (RFC 3947 3.2) ---- */

static void ikev1_natd_add(struct ike_sa *sa, struct ikev1_build *b)
{
	struct ikev1_sa *v = sa->v1;
	uint8_t pl = v->peer_natt ? IKEV1_PL_NATD : IKEV1_PL_NATD_DRAFT;
	uint8_t h[IKEV1_HASH_MAX];
	size_t hl = 0;

	/* the other end first (the destination), then us */
	if (ikev1_natd_hash(v->p1.hash, sa->spi_i, sa->spi_r, &sa->remote, sa->remote_port, h,
			    &hl) == 0)
		ikev1_add_natd(b, pl, h, hl);
	if (ikev1_natd_hash(v->p1.hash, sa->spi_i, sa->spi_r, &sa->local, sa->local_port, h,
			    &hl) == 0)
		ikev1_add_natd(b, pl, h, hl);
}

/* The peer's NAT-D: sets nat_local, nat_remote and encap. */
static void ikev1_natd_check(struct ike_sa *sa, const struct ikev1_msg *m)
{
	const struct cfg_peer *peer = &ikev1_cfg()->peers[sa->peer];
	struct ikev1_sa *v = sa->v1;
	uint8_t h[IKEV1_HASH_MAX];
	size_t hl = 0;
	bool seen = false;

	sa->encap = peer->encap;
	if (!(v->peer_natt || v->peer_natt_draft) || m->n_natd < 2)
		return;
	if (ikev1_natd_hash(v->p1.hash, sa->spi_i, sa->spi_r, &sa->local, sa->local_port, h,
			    &hl) == 0)
		sa->nat_local = !(m->natd[0].len == hl && memcmp(m->natd[0].p, h, hl) == 0);
	if (ikev1_natd_hash(v->p1.hash, sa->spi_i, sa->spi_r, &sa->remote, sa->remote_port, h,
			    &hl) == 0)
		for (unsigned i = 1; i < m->n_natd; i++)
			seen |= m->natd[i].len == hl && memcmp(m->natd[i].p, h, hl) == 0;
	sa->nat_remote = !seen;
	sa->encap = sa->encap || sa->nat_local || sa->nat_remote;
}

/* ---- keys ---- */

/* Our DH value and nonce (messages 3 and 4). */
static int ikev1_mm_ke_make(struct ike_sa *sa)
{
	struct ikev1_sa *v = sa->v1;
	const uint8_t *pub;
	size_t len = 0;

	sa->dh_group = v->p1.group;
	sa->dh = ike_dh_new(v->p1.group);
	if (sa->dh == NULL)
		return -EINVAL;
	pub = ike_dh_public(sa->dh, &len);
	if (sa->role == IKE_INITIATOR) {
		memcpy(v->gxi, pub, len);
		v->gxi_len = (uint16_t)len;
	} else {
		memcpy(v->gxr, pub, len);
		v->gxr_len = (uint16_t)len;
	}
	if (sa->role == IKE_INITIATOR) {
		sa->ni_len = IKEV1_NONCE_LEN;
		return RAND_bytes(sa->ni, IKEV1_NONCE_LEN) == 1 ? 0 : -EIO;
	}
	sa->nr_len = IKEV1_NONCE_LEN;
	return RAND_bytes(sa->nr, IKEV1_NONCE_LEN) == 1 ? 0 : -EIO;
}

/* Take the peer's KE and nonce from m. */
static int ikev1_mm_ke_take(struct ike_sa *sa, const struct ikev1_msg *m)
{
	struct ikev1_sa *v = sa->v1;
	bool init = sa->role == IKE_INITIATOR;

	if (m->n_ke != 1 || m->n_nonce != 1 || m->ke.len != ike_dh_pub_len(v->p1.group) ||
	    m->nonce.len < IKEV1_NONCE_MIN || m->nonce.len > IKEV1_NONCE_MAX)
		return -EBADMSG;
	memcpy(init ? v->gxr : v->gxi, m->ke.p, m->ke.len);
	if (init) {
		v->gxr_len = (uint16_t)m->ke.len;
		memcpy(sa->nr, m->nonce.p, m->nonce.len);
		sa->nr_len = (uint16_t)m->nonce.len;
	} else {
		v->gxi_len = (uint16_t)m->ke.len;
		memcpy(sa->ni, m->nonce.p, m->nonce.len);
		sa->ni_len = (uint16_t)m->nonce.len;
	}
	return 0;
}

static int ikev1_mm_derive(struct ike_sa *sa)
{
	struct ikev1_sa *v = sa->v1;
	bool init = sa->role == IKE_INITIATOR;
	uint8_t gxy[IKE_DH_SECRET_MAX];
	size_t gl = ike_dh_secret_len(v->p1.group);
	int ret;

	ret = ike_dh_derive(sa->dh, init ? v->gxr : v->gxi, init ? v->gxr_len : v->gxi_len, gxy,
			    gl);
	if (ret == 0)
		ret = ikev1_keys_derive(v->p1.hash, v->p1.auth, v->p1.key_len,
					(struct ike_chunk){ sa->ni, sa->ni_len },
					(struct ike_chunk){ sa->nr, sa->nr_len },
					(struct ike_chunk){ gxy, gl },
					(struct ike_chunk){ v->gxi, v->gxi_len },
					(struct ike_chunk){ v->gxr, v->gxr_len }, sa->spi_i, sa->spi_r,
					&v->keys, &v->iv);
	OPENSSL_cleanse(gxy, sizeof(gxy));
	ike_dh_free(sa->dh);
	sa->dh = NULL;
	return ret;
}

/* ---- responder ---- */

static void ikev1_mm_r2(struct ike_sa *sa, const struct ike_dgram *d)
{
	struct ikev1_build b;
	long len;

	ikev1_build_init(&b, ikev1_buf(), IKEV1_MSG_BUF, sa->spi_i, sa->spi_r, IKEV1_EXCH_MAIN, 0,
			 0);
	ikev1_add_sa_p1(&b, &sa->v1->p1, 1);
	ikev1_mm_vids_out(&b, sa->v1, false);
	len = ikev1_build_end(&b);
	(void)d;
	if (len < 0 || ikev1_send(sa, &sa->v1->mmx, b.buf, (size_t)len, false) < 0) {
		ikev1_kill(sa, "cannot send Main Mode message 2");
		return;
	}
	sa->v1->mm = IKEV1_MM_R2;
}

/* The half-open caps that IKEv2 applies to IKE_SA_INIT (one SA table):
 * crypto.ikev2.max_half_open and max_half_open_per_peer.  IKEv1 has no
 * stateless COOKIE; Main Mode 1 costs an SA, no key pair (that comes with
 * message 3).  false (counted) when the message must not create state. */
static bool ikev1_mm_admit(const struct ike_dgram *d)
{
	const struct cfg_ikev2 *c = &ikev1_cfg()->crypto.ikev2;
	unsigned half = ike_sa_half_open();
	uint64_t evictable;
	char a[64];

	if (c->max_half_open != 0 && half >= c->max_half_open) {
		ikev1_count(IKEV1_C_isakmp_drop_half_open, 1);
		GW_LOG_RL(ike, NOTICE, "IKEv1 Main Mode from %s refused: %u half-open SAs "
			  "(max_half_open)", gw_addr_fmt(&d->src, a, sizeof(a)), half);
		return false;
	}
	if (c->max_half_open_per_peer == 0 ||
	    (half = ike_ho_count(&d->src, &evictable)) < c->max_half_open_per_peer)
		return true;
	ikev1_count(IKEV1_C_isakmp_drop_peer_half_open, 1);
	GW_LOG_RL(ike, NOTICE, "IKEv1 Main Mode from %s refused: %u half-open SAs from it "
		  "(max_half_open_per_peer)", gw_addr_fmt(&d->src, a, sizeof(a)), half);
	return false;
}

void ikev1_mm_input_first(const struct ike_dgram *d, const struct ikev1_msg *m)
{
	const struct gw_cfg *cfg = ikev1_cfg();
	struct ikev1_xform ours[IKEV1_P1_XFORMS];
	struct ike_sa *sa = ike_sa_find_init(m->hdr.icookie, &d->src, d->sport);
	unsigned pi = 0, xi = 0;
	char a[64];
	int n, peer;

	/* an SA that moved to 4500 (NAT-T), or whose 4500 a NAT maps to
	 * another port: message 1 from the same address on another port is
	 * still one of its own, replayed */
	if (sa == NULL)
		sa = ike_sa_find_init(m->hdr.icookie, &d->src, 0);

	if (sa != NULL && sa->ike_version == 1 && sa->v1 != NULL) {
		if (ikev1_xchg_dup(&sa->v1->mmx, d, false)) {
			ikev1_count(IKEV1_C_isakmp_resp_resent, 1);
			ikev1_resend(sa, &sa->v1->mmx);
		} else {
			ikev1_count(IKEV1_C_isakmp_drop_replay, 1);	/* an old message 1 */
		}
		return;
	}
	if (m->encrypted || m->n_sa != 1) {
		ikev1_count(IKEV1_C_isakmp_drop_parse, 1);
		return;
	}
	peer = ikev1_peer_by_addr(&d->src);
	if (peer < 0) {
		ikev1_count(IKEV1_C_isakmp_drop_no_sa, 1);
		GW_LOG_RL(ike, NOTICE, "IKEv1 Main Mode from %s: no IKEv1 peer configured for it",
			  gw_addr_fmt(&d->src, a, sizeof(a)));
		return;
	}
	if (!ikev1_mm_admit(d))
		return;
	n = ikev1_mm_our_xforms(&cfg->peers[peer], ours, IKEV1_P1_XFORMS);
	if (n <= 0 || ikev1_sa_select(&m->sa, IKEV1_PROTO_ISAKMP, ours, (unsigned)n, &pi, &xi) < 0) {
		GW_LOG_RL(ike, NOTICE, "IKEv1 Main Mode from %s (peer %s): no proposal chosen",
			  gw_addr_fmt(&d->src, a, sizeof(a)), cfg->peers[peer].name);
		ikev1_count(IKEV1_C_isakmp_no_proposal, 1);
		ikev1_info_plain_notify(d, m->hdr.icookie, m->hdr.rcookie,
					IKEV1_N_NO_PROPOSAL_CHOSEN);
		return;
	}
	sa = ikev1_sa_new(IKE_RESPONDER, peer);
	if (sa == NULL)
		return;
	memcpy(sa->spi_i, m->hdr.icookie, 8);
	sa->local = d->dst;
	sa->local_port = d->dport;
	sa->remote = d->src;
	sa->remote_port = d->sport;
	(void)ike_ho_add(&d->src, sa->id, true);	/* never replaced; no memory: global cap */
	sa->last_rx_ms = ikev1_now_ms();
	sa->v1->p1 = m->sa.xforms[xi];
	sa->v1->life_s = sa->v1->p1.life_secs != 0 && sa->v1->p1.life_secs < cfg->peers[peer].ike_lifetime ?
			 sa->v1->p1.life_secs : cfg->peers[peer].ike_lifetime;
	sa->v1->sai_b = malloc(m->sa.body.len);
	if (sa->v1->sai_b == NULL) {
		ikev1_kill(sa, "no memory");
		return;
	}
	memcpy(sa->v1->sai_b, m->sa.body.p, m->sa.body.len);
	sa->v1->sai_b_len = m->sa.body.len;
	ikev1_mm_vids_in(sa->v1, m);
	(void)ikev1_xchg_dup(&sa->v1->mmx, d, true);
	GW_LOG_RL(ike, INFO, "session %" PRIu64 ": IKEv1 Main Mode from %s (peer %s): AES-%u, "
		  "hash %u, auth %u, DH %u", sa->id, gw_addr_fmt(&d->src, a, sizeof(a)),
		  cfg->peers[peer].name, sa->v1->p1.key_len, sa->v1->p1.hash, sa->v1->p1.auth,
		  sa->v1->p1.group);
	ikev1_mm_r2(sa, d);
}

/* Message 3 in, message 4 out. */
static void ikev1_mm_r3(struct ike_sa *sa, const struct ikev1_msg *m)
{
	struct ikev1_sa *v = sa->v1;
	struct ikev1_build b;
	long len;

	if (ikev1_mm_ke_take(sa, m) < 0 || ikev1_mm_ke_make(sa) < 0 || ikev1_mm_derive(sa) < 0) {
		ikev1_count(IKEV1_C_isakmp_drop_parse, 1);
		ikev1_kill(sa, "bad Main Mode message 3");
		return;
	}
	ikev1_natd_check(sa, m);
	ikev1_build_init(&b, ikev1_buf(), IKEV1_MSG_BUF, sa->spi_i, sa->spi_r, IKEV1_EXCH_MAIN, 0,
			 0);
	ikev1_add_ke(&b, v->gxr, v->gxr_len);
	ikev1_add_nonce(&b, sa->nr, sa->nr_len);
	ikev1_add_cr(&b, IKEV1_CERT_X509_SIG, NULL, 0);
	if (v->peer_natt || v->peer_natt_draft)
		ikev1_natd_add(sa, &b);
	len = ikev1_build_end(&b);
	if (len < 0 || ikev1_send(sa, &v->mmx, b.buf, (size_t)len, false) < 0) {
		ikev1_kill(sa, "cannot send Main Mode message 4");
		return;
	}
	v->mm = IKEV1_MM_R4;
}

/* ---- initiator ---- */

int ikev1_mm_start(unsigned peer)
{
	const struct cfg_peer *p = &ikev1_cfg()->peers[peer];
	struct ikev1_xform ours[IKEV1_P1_XFORMS];
	struct ikev1_build b;
	struct ike_sa *sa;
	struct ikev1_sa *v;
	long off, len;
	int n = ikev1_mm_our_xforms(p, ours, IKEV1_P1_XFORMS);

	if (n <= 0)
		return n < 0 ? n : -ENOENT;
	sa = ikev1_sa_new(IKE_INITIATOR, (int)peer);
	if (sa == NULL)
		return -ENOMEM;
	v = sa->v1;
	sa->remote = p->remote;
	sa->remote_port = 500;
	sa->local_port = 500;
	if (ikev1_local_addr(&sa->remote, &sa->local) < 0) {
		ikev1_kill(sa, "no local address");
		return -EADDRNOTAVAIL;
	}
	ikev1_build_init(&b, ikev1_buf(), IKEV1_MSG_BUF, sa->spi_i, sa->spi_r, IKEV1_EXCH_MAIN, 0,
			 0);
	off = ikev1_add_sa_p1(&b, ours, (unsigned)n);
	ikev1_mm_vids_out(&b, v, true);
	if (off >= 0) {
		struct ike_view body = ikev1_build_body(&b, off);

		v->sai_b = malloc(body.len);
		if (v->sai_b != NULL) {
			memcpy(v->sai_b, body.p, body.len);
			v->sai_b_len = body.len;
		}
	}
	len = ikev1_build_end(&b);
	if (len < 0 || v->sai_b == NULL || ikev1_send(sa, &v->mmx, b.buf, (size_t)len, true) < 0) {
		ikev1_kill(sa, "cannot send Main Mode message 1");
		return len < 0 ? (int)len : -ENOMEM;
	}
	v->mm = IKEV1_MM_I1;
	GW_LOG(ike, INFO, "session %" PRIu64 ": IKEv1 Main Mode to peer %s (%d transforms)", sa->id,
	       p->name, n);
	return 0;
}

/* Message 2 in, message 3 out. */
static void ikev1_mm_i2(struct ike_sa *sa, const struct ikev1_msg *m)
{
	const struct cfg_peer *p = &ikev1_cfg()->peers[sa->peer];
	struct ikev1_xform ours[IKEV1_P1_XFORMS];
	struct ikev1_sa *v = sa->v1;
	struct ikev1_build b;
	unsigned xi = 0;
	long len;
	int n = ikev1_mm_our_xforms(p, ours, IKEV1_P1_XFORMS);

	if (m->n_sa != 1 || n <= 0 ||
	    ikev1_sa_check_reply(&m->sa, IKEV1_PROTO_ISAKMP, ours, (unsigned)n, &xi) < 0) {
		ikev1_count(IKEV1_C_isakmp_no_proposal, 1);
		ikev1_kill(sa, "Main Mode message 2: not a transform we offered");
		return;
	}
	memcpy(sa->spi_r, m->hdr.rcookie, 8);
	v->p1 = m->sa.xforms[xi];
	v->life_s = v->p1.life_secs != 0 && v->p1.life_secs < p->ike_lifetime ? v->p1.life_secs :
		    p->ike_lifetime;
	ikev1_mm_vids_in(v, m);
	if (ikev1_mm_ke_make(sa) < 0) {
		ikev1_kill(sa, "cannot make a DH value");
		return;
	}
	ikev1_build_init(&b, ikev1_buf(), IKEV1_MSG_BUF, sa->spi_i, sa->spi_r, IKEV1_EXCH_MAIN, 0,
			 0);
	ikev1_add_ke(&b, v->gxi, v->gxi_len);
	ikev1_add_nonce(&b, sa->ni, sa->ni_len);
	ikev1_add_cr(&b, IKEV1_CERT_X509_SIG, NULL, 0);
	if (v->peer_natt || v->peer_natt_draft)
		ikev1_natd_add(sa, &b);
	len = ikev1_build_end(&b);
	if (len < 0 || ikev1_send(sa, &v->mmx, b.buf, (size_t)len, true) < 0) {
		ikev1_kill(sa, "cannot send Main Mode message 3");
		return;
	}
	v->mm = IKEV1_MM_I3;
}

/* Message 4 in, message 5 out (on 4500 with NAT-T). */
static void ikev1_mm_i4(struct ike_sa *sa, const struct ikev1_msg *m)
{
	struct ikev1_sa *v = sa->v1;
	struct ikev1_build b;
	long len;

	if (ikev1_mm_ke_take(sa, m) < 0 || ikev1_mm_derive(sa) < 0) {
		ikev1_count(IKEV1_C_isakmp_drop_parse, 1);
		ikev1_kill(sa, "bad Main Mode message 4");
		return;
	}
	ikev1_natd_check(sa, m);
	if (sa->encap && (v->peer_natt || v->peer_natt_draft)) {
		sa->local_port = GW_NATT_PORT;
		sa->remote_port = GW_NATT_PORT;
	}
	ikev1_build_init(&b, ikev1_buf(), IKEV1_MSG_BUF, sa->spi_i, sa->spi_r, IKEV1_EXCH_MAIN, 0,
			 0);
	if (ikev1_mm_auth_add(sa, &b) < 0) {
		ikev1_kill(sa, "cannot build Main Mode message 5");
		return;
	}
	len = ikev1_seal(sa, &b, &v->iv);
	if (len < 0 || ikev1_send(sa, &v->mmx, b.buf, (size_t)len, true) < 0) {
		ikev1_kill(sa, "cannot send Main Mode message 5");
		return;
	}
	v->mm = IKEV1_MM_I5;
}

/* ---- both ---- */

static void ikev1_established(struct ike_sa *sa)
{
	const struct cfg_peer *peer = &ikev1_cfg()->peers[sa->peer];
	uint64_t now = ikev1_now_ms();

	sa->v1->mm = IKEV1_MM_DONE;
	sa->established_ms = now;
	sa->expire_at_ms = now + (uint64_t)sa->v1->life_s * 1000;
	sa->last_rx_ms = now;
	/* ours are reauthenticated at 85-90 % of the lifetime */
	if (sa->role == IKE_INITIATOR) {
		uint32_t rnd = 0;
		uint64_t life = (uint64_t)sa->v1->life_s * 1000;

		(void)RAND_bytes((uint8_t *)&rnd, sizeof(rnd));
		sa->rekey_at_ms = now + life * 85 / 100 + (life * 5 / 100) * (rnd % 1000) / 1000;
	}
	ike_sa_state(sa, IKE_SA_ESTABLISHED, "Main Mode done");
	if (ike_rev_index_add(sa) < 0)
		GW_LOG(ike, ERR, "session %" PRIu64 ": no memory for the revocation index: "
		       "a CRL update will not reach it", sa->id);
	ikev1_count(IKEV1_C_isakmp_sa_established, 1);
	GW_LOG(ike, NOTICE, "session %" PRIu64 ": IKEv1 peer %s established (%s, trustpoint %d)%s",
	       sa->id, peer->name, sa->peer_cert.issuer_str, sa->trustpoint,
	       sa->encap ? ", NAT-T" : "");
}

/* Responder: message 6 out. */
static int ikev1_mm_r6(struct ike_sa *sa)
{
	struct ikev1_build b;
	long len;

	ikev1_build_init(&b, ikev1_buf(), IKEV1_MSG_BUF, sa->spi_i, sa->spi_r, IKEV1_EXCH_MAIN, 0,
			 0);
	if (ikev1_mm_auth_add(sa, &b) < 0)
		return -EINVAL;
	len = ikev1_seal(sa, &b, &sa->v1->iv);
	if (len < 0)
		return (int)len;
	return ikev1_send(sa, &sa->v1->mmx, b.buf, (size_t)len, false);
}

void ikev1_mm_auth_done(struct ike_sa *sa, bool ok)
{
	if (!ok) {
		ikev1_count(IKEV1_C_isakmp_auth_failed, 1);
		if (sa->role == IKE_RESPONDER)
			(void)ikev1_info_notify(sa, IKEV1_N_AUTHENTICATION_FAILED, NULL, 0);
		ikev1_kill(sa, "peer not authenticated");
		return;
	}
	if (sa->role == IKE_RESPONDER && ikev1_mm_r6(sa) < 0) {
		ikev1_kill(sa, "cannot send Main Mode message 6");
		return;
	}
	ikev1_established(sa);
	if (sa->v1->initial_contact)
		ikev1_initial_contact(sa);	/* a restarted peer: the old SAs are stale */
	else if (ikev1_mm_adopt(sa) > 0)
		return;				/* reauthentication: the IPsec SAs moved */
	if (sa->role == IKE_INITIATOR && ikev1_qm_start(sa, 0) < 0)
		GW_LOG(ike, ERR, "session %" PRIu64 ": cannot start Quick Mode", sa->id);
}

/* Messages 5 (responder) and 6 (initiator): encrypted. */
static void ikev1_mm_auth_msg(struct ike_sa *sa, const struct ike_dgram *d,
			      const struct ikev1_msg *hm)
{
	struct ikev1_sa *v = sa->v1;
	struct ikev1_msg *m = malloc(sizeof(*m));
	struct ikev1_iv next;
	uint8_t *buf = malloc(d->len);

	if (m == NULL || buf == NULL || !hm->encrypted || ikev1_open(sa, d, &v->iv, buf, m, &next) < 0) {
		ikev1_count(IKEV1_C_isakmp_drop_parse, 1);
		goto done;
	}
	v->iv = next;
	if (sa->role == IKE_RESPONDER) {
		/* the initiator moved to 4500: follow it */
		sa->local = d->dst;
		sa->local_port = d->dport;
		sa->remote = d->src;
		sa->remote_port = d->sport;
	}
	v->initial_contact = ikev1_msg_notify_find(m, IKEV1_N_INITIAL_CONTACT) != NULL;
	ikev1_xchg_clear(&v->mmx);	/* absorb retransmissions while verifying */
	v->mm = IKEV1_MM_VERIFY;
	(void)ikev1_mm_auth_input(sa, m);
done:
	if (buf != NULL)
		OPENSSL_cleanse(buf, d->len);
	free(buf);
	free(m);
}

void ikev1_mm_input(struct ike_sa *sa, const struct ike_dgram *d, const struct ikev1_msg *m)
{
	struct ikev1_sa *v = sa->v1;

	if (ikev1_xchg_dup(&v->mmx, d, false)) {
		ikev1_count(IKEV1_C_isakmp_resp_resent, 1);
		ikev1_resend(sa, &v->mmx);	/* nothing while verifying (tx cleared) */
		return;
	}
	switch (v->mm) {
	case IKEV1_MM_R2:
		if (m->encrypted)
			break;
		(void)ikev1_xchg_dup(&v->mmx, d, true);
		ikev1_mm_r3(sa, m);
		return;
	case IKEV1_MM_R4:
	case IKEV1_MM_I5:
		if (!m->encrypted)
			break;
		(void)ikev1_xchg_dup(&v->mmx, d, true);
		ikev1_mm_auth_msg(sa, d, m);
		return;
	case IKEV1_MM_I1:
		if (m->encrypted)
			break;
		(void)ikev1_xchg_dup(&v->mmx, d, true);
		ikev1_mm_i2(sa, m);
		return;
	case IKEV1_MM_I3:
		if (m->encrypted)
			break;
		(void)ikev1_xchg_dup(&v->mmx, d, true);
		ikev1_mm_i4(sa, m);
		return;
	default:
		break;
	}
	ikev1_count(IKEV1_C_isakmp_drop_state, 1);
}
