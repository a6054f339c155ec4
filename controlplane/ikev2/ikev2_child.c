/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CREATE_CHILD_SA (RFC 7296 1.3, 2.8, 2.17, 2.18): CHILD SA rekey and IKE
 * SA rekey, as initiator and responder, with optional PFS and the
 * simultaneous-rekey rule of 2.8.1 (the exchange holding the lowest of the
 * four nonces loses; its initiator deletes what it created).
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
 * CP thread only.  Secrets (DH values, g^ir, KEYMAT, SKEYSEED) are wiped at
 * each function's exit label.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
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
#include "dataplane/dp_sa.h"

enum {
	IKEV2_REKEY_PERMILLE = 900,		/* rekey at 90 % of the lifetime */
	IKEV2_REKEY_JITTER_PERMILLE = 50,	/* minus up to 5 % */
	IKEV2_REKEY_RETRY_MS = 10000,		/* after a refused rekey */
	IKEV2_PEND_OUT_MAX_MS = 30000,		/* the old child's DELETE never came */
	IKEV2_OLD_IKE_SA_MS = 30000,		/* a rekeyed IKE SA the peer does not delete */
	IKEV2_SA_BODY_MAX = 2048,
};

enum ikev2_rekey_kind { IKEV2_REKEY_CHILD, IKEV2_REKEY_IKE };

/* Our outstanding rekey on one IKE SA (window 1: one at a time). */
struct ikev2_rekey {
	struct ikev2_rekey *next;
	uint64_t sa_id;
	enum ikev2_rekey_kind kind;
	uint32_t old_spi_in;		/* CHILD: the child being rekeyed */
	uint32_t new_spi_in;		/* CHILD: ours for its successor */
	uint64_t new_sa_id;		/* IKE: the new IKE SA (its spi_i ours) */
	struct ike_dh *dh;		/* NULL: no KE (CHILD without PFS) */
	uint8_t ni[IKE_NONCE_LEN];
	struct gw_ike_proposal props[IKE_SA_MAX_PROPOSALS];
	unsigned n_props;
	bool ke_retried;		/* INVALID_KE_PAYLOAD retried once */
	/* 2.8.1: the peer rekeyed the same child meanwhile */
	bool collided;
	uint32_t coll_spi_in;		/* the child its exchange created */
	uint8_t coll_ni[IKE_NONCE_MAX], coll_nr[IKE_NONCE_LEN];
	uint16_t coll_ni_len;
};

/* A responder's new child whose outbound waits for the old child's DELETE. */
struct ikev2_pend_out {
	struct ikev2_pend_out *next;
	uint64_t sa_id;
	uint32_t spi_in;		/* the new child */
	uint64_t since_ms;
	struct gw_sa_desc out;
};

static struct ikev2_rekey *ikev2_rekeys;
static const struct ike_child ikev2_child_none;	/* no selectors */
static struct ikev2_pend_out *ikev2_pends;

/* ---- pure helpers ---- */

uint64_t ikev2_rekey_time(uint64_t start_ms, uint32_t lifetime_s, uint32_t rnd)
{
	uint64_t at = (uint64_t)lifetime_s * IKEV2_REKEY_PERMILLE;
	uint64_t jitter = (uint64_t)lifetime_s * IKEV2_REKEY_JITTER_PERMILLE;

	return start_ms + at - (jitter > 0 ? rnd % (jitter + 1) : 0);
}

/* strongSwan's chunk_compare: octets first, then the shorter is lower. */
static int ikev2_nonce_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	int r = memcmp(a, b, al < bl ? al : bl);

	if (r != 0)
		return r;
	return al < bl ? -1 : al > bl ? 1 : 0;
}

bool ikev2_rekey_we_win(const uint8_t *our_ni, size_t our_ni_len, const uint8_t *our_nr,
			size_t our_nr_len, const uint8_t *their_ni, size_t their_ni_len,
			const uint8_t *their_nr, size_t their_nr_len)
{
	const uint8_t *om = our_ni, *tm = their_ni;
	size_t oml = our_ni_len, tml = their_ni_len;

	if (ikev2_nonce_cmp(our_nr, our_nr_len, om, oml) < 0) {
		om = our_nr;
		oml = our_nr_len;
	}
	if (ikev2_nonce_cmp(their_nr, their_nr_len, tm, tml) < 0) {
		tm = their_nr;
		tml = their_nr_len;
	}
	return ikev2_nonce_cmp(om, oml, tm, tml) > 0;
}

static uint32_t ikev2_rand32(void)
{
	uint32_t r = 0;

	if (RAND_bytes((uint8_t *)&r, sizeof(r)) != 1)
		r = 0;
	return r;
}

static const struct cfg_peer *ikev2_child_peer(const struct ike_sa *sa)
{
	const struct gw_cfg *cfg = ikev2_cfg();

	if (cfg == NULL || sa->peer < 0 || (unsigned)sa->peer >= cfg->n_peers)
		return NULL;
	return &cfg->peers[sa->peer];
}

/* ---- records ---- */

static struct ikev2_rekey *ikev2_rekey_find(uint64_t sa_id)
{
	for (struct ikev2_rekey *r = ikev2_rekeys; r != NULL; r = r->next)
		if (r->sa_id == sa_id)
			return r;
	return NULL;
}

static void ikev2_rekey_free(struct ikev2_rekey *r)
{
	struct ikev2_rekey **pp = &ikev2_rekeys;

	while (*pp != NULL && *pp != r)
		pp = &(*pp)->next;
	if (*pp == r)
		*pp = r->next;
	ike_dh_free(r->dh);
	OPENSSL_cleanse(r, sizeof(*r));
	free(r);
}

static struct ikev2_pend_out *ikev2_pend_find(uint64_t sa_id, uint32_t spi_in)
{
	for (struct ikev2_pend_out *p = ikev2_pends; p != NULL; p = p->next)
		if (p->sa_id == sa_id && p->spi_in == spi_in)
			return p;
	return NULL;
}

static void ikev2_pend_free(struct ikev2_pend_out *p)
{
	struct ikev2_pend_out **pp = &ikev2_pends;

	while (*pp != NULL && *pp != p)
		pp = &(*pp)->next;
	if (*pp == p)
		*pp = p->next;
	gw_sa_desc_wipe(&p->out);
	free(p);
}

/* Records of IKE SAs that are gone. */
static void ikev2_child_gc(void)
{
	struct ikev2_rekey *r = ikev2_rekeys, *rn;
	struct ikev2_pend_out *p = ikev2_pends, *pn;

	for (; r != NULL; r = rn) {
		struct ike_sa *sa = ike_sa_find_id(r->sa_id);

		rn = r->next;
		if (sa == NULL || sa->state == IKE_SA_DEAD)
			ikev2_rekey_free(r);
	}
	for (; p != NULL; p = pn) {
		struct ike_sa *sa = ike_sa_find_id(p->sa_id);

		pn = p->next;
		if (sa == NULL || sa->state == IKE_SA_DEAD)
			ikev2_pend_free(p);
	}
}

/* ---- selectors and descriptors ---- */

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

/* What both directions of child c of sa share (keys are filled by KEYMAT). */
static void ikev2_child_desc(const struct ike_sa *sa, const struct ike_child *c,
			     struct gw_sa_desc *d, uint8_t dir)
{
	const struct cfg_peer *peer = ikev2_child_peer(sa);

	d->dir = dir;
	snprintf(d->name, sizeof(d->name), "%s", peer != NULL ? peer->name : "ike");
	d->session_id = sa->id;
	d->tunnel = sa->tunnel;
	d->spi = dir == GW_SA_IN ? c->spi_in : c->spi_out;
	d->alg = c->esp_alg;
	d->esn = c->esn;
	d->encap = sa->encap;
	if (sa->encap) {
		d->encap_sport = sa->local_port;
		d->encap_dport = sa->remote_port;
	}
	d->local = sa->local;
	d->remote = sa->remote;
	memcpy(d->local_ts, c->local_ts, sizeof(d->local_ts));
	memcpy(d->remote_ts, c->remote_ts, sizeof(d->remote_ts));
	d->n_local_ts = c->n_local_ts;
	d->n_remote_ts = c->n_remote_ts;
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

static int ikev2_child_rekey_start(struct ike_sa *sa, struct ike_child *old)
{
	const struct cfg_peer *peer = ikev2_child_peer(sa);
	struct ikev2_rekey *r;
	uint16_t group;
	int n, ret;

	if (peer == NULL || ikev2_rekey_find(sa->id) != NULL)
		return -EBUSY;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return -ENOMEM;
	r->sa_id = sa->id;
	r->kind = IKEV2_REKEY_CHILD;
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
	r->next = ikev2_rekeys;
	ikev2_rekeys = r;
	ret = ikev2_child_rekey_send(sa, r, old);
	if (ret < 0) {
		ikev2_rekey_free(r);
		return ret;
	}
	GW_LOG(ike, INFO, "session %" PRIu64 ": rekeying CHILD SA in 0x%08" PRIx32 " (new in 0x%08"
	       PRIx32 "%s)", sa->id, old->spi_in, r->new_spi_in, group != 0 ? ", PFS" : "");
	return 0;
fail:
	ike_dh_free(r->dh);
	OPENSSL_cleanse(r, sizeof(*r));
	free(r);
	return ret;
}

/* g^ir of an exchange, when it has a KE: 0 (gir_len 0 without PFS), or
 * the notify to answer / error. */
static int ikev2_gir(struct ike_dh *dh, const struct ike_msg *m, uint8_t *gir, size_t *gir_len)
{
	size_t sl;

	*gir_len = 0;
	if (dh == NULL)
		return 0;
	if (m->n_ke != 1 || m->ke.group != ike_dh_group(dh))
		return -EBADMSG;
	sl = ike_dh_secret_len(ike_dh_group(dh));
	if (ike_dh_derive(dh, m->ke.data.p, m->ke.data.len, gir, sl) < 0)
		return -EBADMSG;
	*gir_len = sl;
	return 0;
}

/* Install both directions of new child c (i2r/r2i KEYMAT filled). */
static int ikev2_child_install_pair(struct ike_sa *sa, struct ike_child *c,
				    struct gw_sa_desc *in, struct gw_sa_desc *out)
{
	int ret;

	ikev2_child_desc(sa, c, in, GW_SA_IN);
	ikev2_child_desc(sa, c, out, GW_SA_OUT);
	ret = cp_sa_install_ike_pair(in, out, &c->h_in, &c->h_out);
	if (ret < 0) {
		c->h_in = c->h_out = DP_SA_INVALID;
		return ret;
	}
	c->installed = true;
	ikev2_count(IKEV2_C_ikev2_child_installed, 1);
	return 0;
}

/* 2.8.1 after our response arrived: false when our exchange lost. */
static bool ikev2_child_collision_won(const struct ikev2_rekey *r, const struct ike_msg *resp)
{
	if (!r->collided)
		return true;
	return ikev2_rekey_we_win(r->ni, sizeof(r->ni), resp->nonce.p, resp->nonce.len,
				  r->coll_ni, r->coll_ni_len, r->coll_nr, sizeof(r->coll_nr));
}

/* The response's error notify (0 = none) and what to do about it. */
static uint16_t ikev2_resp_error(const struct ike_msg *resp)
{
	for (unsigned i = 0; i < resp->n_n; i++)
		if (ike_notify_is_error(resp->n[i].type))
			return resp->n[i].type;
	return 0;
}

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

/* KEYMAT of our rekey (we are the exchange's initiator: in = r2i) and the
 * new pair installed. */
static int ikev2_child_rekey_keys(struct ike_sa *sa, const struct ikev2_rekey *r,
				  struct ike_child *c, const uint8_t *gir, size_t gir_len,
				  const struct ike_msg *resp)
{
	struct gw_sa_desc i2r, r2i;
	int ret;

	memset(&i2r, 0, sizeof(i2r));
	memset(&r2i, 0, sizeof(r2i));
	ret = ike_child_keymat(sa->keys.prf, (struct ike_chunk){ sa->keys.sk_d, sa->keys.prf_len },
			       (enum esp_alg)c->esp_alg, (struct ike_chunk){ gir, gir_len },
			       (struct ike_chunk){ r->ni, sizeof(r->ni) },
			       (struct ike_chunk){ resp->nonce.p, resp->nonce.len }, &i2r, &r2i);
	if (ret == 0)
		ret = ikev2_child_install_pair(sa, c, &r2i, &i2r);
	gw_sa_desc_wipe(&i2r);
	gw_sa_desc_wipe(&r2i);
	return ret;
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
	if (ikev2_child_rekey_keys(sa, r, c, gir, gir_len, resp) < 0) {
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

/* ---- CHILD SA rekey: responder ---- */

static void ikev2_answer_notify(struct ike_sa *sa, const struct ike_msg *req, uint16_t type,
				const void *data, size_t len)
{
	struct ike_build *b = ikev2_msg_response_begin(sa, req);

	if (b == NULL)
		return;
	ike_msg_add_notify(b, IKE_PROTO_NONE, NULL, 0, type, data, len);
	ikev2_msg_response_send(sa);
}

/* Choose, check the KE, make our DH: 0 or the notify to answer. */
static uint16_t ikev2_child_choose(struct ike_sa *sa, const struct ike_msg *req,
				   struct ike_sa_choice *ch, int *alg, struct ike_dh **dh,
				   uint8_t ke_want[2])
{
	const struct cfg_peer *peer = ikev2_child_peer(sa);
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

/* Install the new inbound SA, keep the outbound for the old one's DELETE. */
static int ikev2_child_install_in(struct ike_sa *sa, struct ike_child *c, struct gw_sa_desc *in,
				  struct gw_sa_desc *out)
{
	struct ikev2_pend_out *p = calloc(1, sizeof(*p));
	int ret;

	if (p == NULL)
		return -ENOMEM;
	ikev2_child_desc(sa, c, in, GW_SA_IN);
	ikev2_child_desc(sa, c, out, GW_SA_OUT);
	p->out = *out;
	ret = cp_sa_install_ike_one(in, &c->h_in);
	if (ret < 0) {
		c->h_in = DP_SA_INVALID;
		free(p);
		return ret;
	}
	c->installed = true;
	p->sa_id = sa->id;
	p->spi_in = c->spi_in;
	p->since_ms = ikev2_now_ms();
	p->next = ikev2_pends;
	ikev2_pends = p;
	return 0;
}

/* The pending outbound of c becomes the tunnel's current one. */
static void ikev2_child_switch_out(struct ike_sa *sa, struct ike_child *c)
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
	struct gw_sa_desc i2r, r2i;
	struct ike_sa_choice ch;
	struct ike_child *c = NULL;
	struct ike_dh *dh = NULL;
	uint8_t gir[IKE_DH_SECRET_MAX], nr[IKE_NONCE_LEN], want[2];
	size_t gir_len = 0;
	uint16_t err;
	int alg = 0, ret;

	memset(&i2r, 0, sizeof(i2r));
	memset(&r2i, 0, sizeof(r2i));
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
	if (err == 0 &&
	    (ike_child_keymat(sa->keys.prf, (struct ike_chunk){ sa->keys.sk_d, sa->keys.prf_len },
			      (enum esp_alg)alg, (struct ike_chunk){ gir, gir_len },
			      (struct ike_chunk){ req->nonce.p, req->nonce.len },
			      (struct ike_chunk){ nr, sizeof(nr) }, &i2r, &r2i) < 0 ||
	     (old != NULL ? ikev2_child_install_in(sa, c, &i2r, &r2i) :
			    ikev2_child_install_pair(sa, c, &i2r, &r2i)) < 0))
		err = IKE_N_NO_PROPOSAL_CHOSEN;
	if (err != 0) {
		if (c != NULL)
			ike_sa_child_remove(sa, c);
		ikev2_answer_notify(sa, req, err, want, err == IKE_N_INVALID_KE_PAYLOAD ? 2 : 0);
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
	gw_sa_desc_wipe(&i2r);
	gw_sa_desc_wipe(&r2i);
	OPENSSL_cleanse(gir, sizeof(gir));
	return ret;
}

/* A CHILD SA that is no rekey: accepted when the IKE SA has none left (a
 * peer re-creating it after a hard expiry), selectors narrowed to the
 * peer's configuration as in IKE_AUTH. */
static void ikev2_child_new(struct ike_sa *sa, const struct ike_msg *req)
{
	const struct cfg_peer *peer = ikev2_child_peer(sa);
	struct ikev2_ts ts[IKE_MSG_MAX_TS];
	struct ike_child tmpl;
	uint8_t n = 0;

	if (ike_sa_child_count(sa) > 0 || peer == NULL) {
		ikev2_answer_notify(sa, req, IKE_N_NO_ADDITIONAL_SAS, NULL, 0);
		return;
	}
	if (req->n_tsi != 1 || req->n_tsr != 1) {
		ikev2_answer_notify(sa, req, IKE_N_INVALID_SYNTAX, NULL, 0);
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
		ikev2_answer_notify(sa, req, IKE_N_TS_UNACCEPTABLE, NULL, 0);
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

/* ---- IKE SA rekey ---- */

/* Everything the new IKE SA takes over from the old one but its keys. */
static void ikev2_ike_inherit(struct ike_sa *nsa, const struct ike_sa *old, uint64_t now)
{
	const struct cfg_peer *peer = ikev2_child_peer(old);

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
	nsa->peer_cert = old->peer_cert;
	nsa->trustpoint = old->trustpoint;
	nsa->disconnect_revoked = old->disconnect_revoked;
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
	for (struct ikev2_pend_out *p = ikev2_pends; p != NULL; p = p->next)
		if (p->sa_id == old->id)
			p->sa_id = nsa->id;
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

static int ikev2_ike_rekey_start(struct ike_sa *sa)
{
	const struct cfg_peer *peer = ikev2_child_peer(sa);
	struct ike_sa *nsa = NULL;
	struct ikev2_rekey *r;
	int n, ret = -EIO;

	if (peer == NULL || ikev2_rekey_find(sa->id) != NULL)
		return -EBUSY;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return -ENOMEM;
	r->sa_id = sa->id;
	r->kind = IKEV2_REKEY_IKE;
	n = ike_proposals_from_cfg(peer, IKE_SA_PROTO_IKE, r->props, IKE_SA_MAX_PROPOSALS);
	if (n < 0 || RAND_bytes(r->ni, sizeof(r->ni)) != 1 ||
	    (r->dh = ike_dh_new(sa->dh_group)) == NULL ||
	    (nsa = ike_sa_new(IKE_INITIATOR, sa->peer)) == NULL)
		goto fail;
	r->n_props = (unsigned)n;
	r->new_sa_id = nsa->id;
	nsa->expire_at_ms = ikev2_now_ms() + IKEV2_OLD_IKE_SA_MS;	/* half-open until answered */
	r->next = ikev2_rekeys;
	ikev2_rekeys = r;
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
	ike_dh_free(r->dh);
	OPENSSL_cleanse(r, sizeof(*r));
	free(r);
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
	const struct cfg_peer *peer = ikev2_child_peer(sa);
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

static void ikev2_ike_rekey_respond(struct ike_sa *sa, const struct ike_msg *req)
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
		ikev2_answer_notify(sa, req, err, want, err == IKE_N_INVALID_KE_PAYLOAD ? 2 : 0);
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
		ikev2_answer_notify(sa, req, IKE_N_INVALID_SYNTAX, NULL, 0);
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
		ikev2_answer_notify(sa, req, IKE_N_TEMPORARY_FAILURE, NULL, 0);
		return;
	}
	ikev2_child_respond(sa, req, old, old);
}

/* ---- timers and events ---- */

static bool ikev2_child_rekeyable(const struct ike_child *c)
{
	return c->used && c->installed && c->rekeyed_by == 0 && c->h_in != DP_SA_INVALID &&
	       c->h_out != DP_SA_INVALID;
}

/* A responder's pending outbound whose old child is gone or silent. */
static void ikev2_child_pend_tick(struct ike_sa *sa, uint64_t now)
{
	struct ikev2_pend_out *p = ikev2_pends, *pn;

	for (; p != NULL; p = pn) {
		struct ike_child *c;
		bool waited = false;

		pn = p->next;
		if (p->sa_id != sa->id)
			continue;
		c = ike_sa_child_by_spi_in(sa, p->spi_in);
		if (c == NULL) {
			ikev2_pend_free(p);
			continue;
		}
		for (unsigned i = 0; i < IKE_CHILD_MAX; i++)
			waited |= sa->child[i].used && sa->child[i].rekeyed_by == p->spi_in;
		if (!waited || now >= p->since_ms + IKEV2_PEND_OUT_MAX_MS)
			ikev2_child_switch_out(sa, c);
	}
}

void ikev2_child_tick(struct ike_sa *sa, uint64_t now_ms)
{
	const struct cfg_peer *peer = ikev2_child_peer(sa);

	ikev2_child_gc();
	if (peer == NULL)
		return;
	if (sa->state != IKE_SA_ESTABLISHED)
		return;
	ikev2_child_pend_tick(sa, now_ms);
	if (sa->rekey_at_ms == 0)
		sa->rekey_at_ms = ikev2_rekey_time(sa->established_ms != 0 ? sa->established_ms : now_ms,
						   peer->ike_lifetime, ikev2_rand32());
	for (unsigned i = 0; i < IKE_CHILD_MAX; i++) {
		struct ike_child *c = &sa->child[i];

		if (ikev2_child_rekeyable(c) && c->rekey_at_ms == 0)
			c->rekey_at_ms = ikev2_rekey_time(c->created_ms != 0 ? c->created_ms : now_ms,
							  peer->child_lifetime, ikev2_rand32());
	}
	if (ikev2_rekey_find(sa->id) != NULL)
		return;		/* one rekey at a time */
	if (now_ms >= sa->rekey_at_ms) {
		sa->rekey_at_ms = now_ms + IKEV2_REKEY_RETRY_MS;
		ikev2_ike_rekey_start(sa);
		return;
	}
	for (unsigned i = 0; i < IKE_CHILD_MAX; i++) {
		struct ike_child *c = &sa->child[i];

		if (ikev2_child_rekeyable(c) && now_ms >= c->rekey_at_ms) {
			c->rekey_at_ms = now_ms + IKEV2_REKEY_RETRY_MS;
			ikev2_child_rekey_start(sa, c);
			return;
		}
	}
}

void ikev2_child_expire(uint32_t handle, bool hard)
{
	uint64_t now = ikev2_now_ms();

	for (struct ike_sa *sa = ike_sa_next(0); sa != NULL; sa = ike_sa_next(sa->id)) {
		for (unsigned i = 0; i < IKE_CHILD_MAX; i++) {
			struct ike_child *c = &sa->child[i];

			if (!c->used || (c->h_in != handle && c->h_out != handle))
				continue;
			GW_LOG(ike, NOTICE, "session %" PRIu64 ": CHILD SA 0x%08" PRIx32 ": %s lifetime"
			       " reached in the fast path, rekeying", sa->id, c->spi_in,
			       hard ? "hard" : "soft");
			if (ikev2_child_rekeyable(c)) {
				c->rekey_at_ms = now;
				ikev2_child_tick(sa, now);
			}
			return;
		}
	}
}

void ikev2_child_register(void)
{
	ikev2_msg_set_handler(IKE_EXCH_CREATE_CHILD_SA, ikev2_child_request);
}
