/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKE_SA_INIT (RFC 7296 1.2), both roles: proposals, key exchange with the
 * INVALID_KE_PAYLOAD retry, nonces, NAT detection (2.23) with the move to
 * port 4500, COOKIE challenges (2.6) once half-open SAs pass the threshold,
 * SIGNATURE_HASH_ALGORITHMS (RFC 7427), IKEV2_FRAGMENTATION_SUPPORTED
 * (RFC 7383) and CERTREQ.  Keys are derived here (2.14); IKE_AUTH follows
 * in ikev2_auth.c.  CP thread only.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common/gw_log.h"
#include "controlplane/ike/ike_dh.h"
#include "controlplane/ike/ike_half_open.h"
#include "controlplane/ike/ike_proposal.h"
#include "controlplane/ikev2/ikev2_int.h"
#include "controlplane/ikev2/ikev2_msg.h"
#include "controlplane/pki/pki.h"

enum {
	IKEV2_HALF_OPEN_MS = 30000,	/* a half-open SA's lifetime */
	IKEV2_COOKIE_ROTATE_MS = 300000,
	IKEV2_INIT_RETRIES = 4,		/* INVALID_KE / COOKIE restarts */
	IKEV2_CERTREQ_MAX = 16,
};

static struct {
	uint8_t secret[2][32];		/* [version & 1] */
	uint8_t version;
	uint64_t rotated_ms;
	bool ready;
} ikev2_ck;

/* ---- NAT detection (2.23) ---- */

void ikev2_natd_hash(const uint8_t spi_i[8], const uint8_t spi_r[8], const struct gw_addr *a,
		     uint16_t port, uint8_t out[IKE_NAT_D_LEN])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	uint8_t p[2] = { (uint8_t)(port >> 8), (uint8_t)port };
	unsigned len = 0;

	memset(out, 0, IKE_NAT_D_LEN);
	if (c == NULL)
		return;
	if (EVP_DigestInit_ex(c, EVP_sha1(), NULL) != 1 || EVP_DigestUpdate(c, spi_i, 8) != 1 ||
	    EVP_DigestUpdate(c, spi_r, 8) != 1 ||
	    EVP_DigestUpdate(c, a->family == AF_INET6 ? a->v6 : (const uint8_t *)&a->v4,
			     a->family == AF_INET6 ? 16 : 4) != 1 ||
	    EVP_DigestUpdate(c, p, 2) != 1 || EVP_DigestFinal_ex(c, out, &len) != 1)
		memset(out, 0, IKE_NAT_D_LEN);
	EVP_MD_CTX_free(c);
}

/* Do any of the peer's notifies of type carry hash h? (absent: true) */
static bool ikev2_natd_match(const struct ike_msg *m, uint16_t type, const uint8_t h[20],
			     bool *present)
{
	bool seen = false;

	for (unsigned i = 0; i < m->n_n; i++) {
		if (m->n[i].type != type)
			continue;
		seen = true;
		if (m->n[i].data.len == IKE_NAT_D_LEN &&
		    memcmp(m->n[i].data.p, h, IKE_NAT_D_LEN) == 0) {
			*present = true;
			return true;
		}
	}
	*present = seen;
	return !seen;
}

/* From the peer's NAT-D notifies of message m (SPIs as in m's header):
 * sets nat_local / nat_remote, and encap when either is found or the
 * peer is configured with encap. */
static void ikev2_natd_check(struct ike_sa *sa, const struct ike_msg *m, const uint8_t *spi_r,
			     const struct gw_addr *src, uint16_t sport, const struct gw_addr *dst,
			     uint16_t dport)
{
	const struct gw_cfg *cfg = ikev2_cfg();
	uint8_t h[IKE_NAT_D_LEN];
	bool p1 = false, p2 = false;

	ikev2_natd_hash(sa->spi_i, spi_r, src, sport, h);
	sa->nat_remote = !ikev2_natd_match(m, IKE_N_NAT_DETECTION_SOURCE_IP, h, &p1);
	ikev2_natd_hash(sa->spi_i, spi_r, dst, dport, h);
	sa->nat_local = !ikev2_natd_match(m, IKE_N_NAT_DETECTION_DESTINATION_IP, h, &p2);
	sa->encap = (p1 && p2 && (sa->nat_local || sa->nat_remote)) ||
		    (sa->peer >= 0 && cfg->peers[sa->peer].encap);
}

/* Our NAT-D notifies; a fake source hash when encap is forced (2.23). */
static void ikev2_natd_add(struct ike_build *b, const struct ike_sa *sa, bool forced)
{
	uint8_t h[IKE_NAT_D_LEN];

	ikev2_natd_hash(sa->spi_i, sa->spi_r, &sa->local, sa->local_port, h);
	if (forced && RAND_bytes(h, sizeof(h)) != 1)
		h[0] ^= 0xff;
	ike_msg_add_notify(b, IKE_PROTO_NONE, NULL, 0, IKE_N_NAT_DETECTION_SOURCE_IP, h, sizeof(h));
	ikev2_natd_hash(sa->spi_i, sa->spi_r, &sa->remote, sa->remote_port, h);
	ike_msg_add_notify(b, IKE_PROTO_NONE, NULL, 0, IKE_N_NAT_DETECTION_DESTINATION_IP, h,
			   sizeof(h));
}

/* ---- COOKIE (2.6): version | SHA-256(Ni | IPi | SPIi | secret) ---- */

static int ikev2_cookie_calc(uint8_t version, const uint8_t *ni, size_t ni_len,
			     const struct gw_addr *ip, const uint8_t spi_i[8],
			     uint8_t out[IKEV2_COOKIE_LEN])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned len = 0;
	int ok;

	if (c == NULL)
		return -ENOMEM;
	out[0] = version;
	ok = EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
	     EVP_DigestUpdate(c, ni, ni_len) == 1 &&
	     EVP_DigestUpdate(c, ip->family == AF_INET6 ? ip->v6 : (const uint8_t *)&ip->v4,
			      ip->family == AF_INET6 ? 16 : 4) == 1 &&
	     EVP_DigestUpdate(c, spi_i, 8) == 1 &&
	     EVP_DigestUpdate(c, ikev2_ck.secret[version & 1], 32) == 1 &&
	     EVP_DigestFinal_ex(c, out + 1, &len) == 1;
	EVP_MD_CTX_free(c);
	return ok ? 0 : -EIO;
}

void ikev2_cookie_rotate(uint64_t now_ms)
{
	uint8_t v = (uint8_t)(ikev2_ck.version + (ikev2_ck.ready ? 1 : 0));

	if (RAND_bytes(ikev2_ck.secret[v & 1], 32) != 1)
		return;
	if (!ikev2_ck.ready)
		memcpy(ikev2_ck.secret[(v + 1) & 1], ikev2_ck.secret[v & 1], 32);
	ikev2_ck.version = v;
	ikev2_ck.rotated_ms = now_ms;
	ikev2_ck.ready = true;
}

void ikev2_cookie_tick(uint64_t now_ms)
{
	if (!ikev2_ck.ready || now_ms - ikev2_ck.rotated_ms >= IKEV2_COOKIE_ROTATE_MS)
		ikev2_cookie_rotate(now_ms);
}

int ikev2_cookie_make(const uint8_t *ni, size_t ni_len, const struct gw_addr *ip,
		      const uint8_t spi_i[8], uint8_t out[IKEV2_COOKIE_LEN])
{
	if (!ikev2_ck.ready)
		ikev2_cookie_rotate(ikev2_now_ms());
	return ikev2_cookie_calc(ikev2_ck.version, ni, ni_len, ip, spi_i, out);
}

/* The current secret or the one before it. */
bool ikev2_cookie_check(const uint8_t *ck, size_t len, const uint8_t *ni, size_t ni_len,
			const struct gw_addr *ip, const uint8_t spi_i[8])
{
	uint8_t want[IKEV2_COOKIE_LEN];
	bool ok;

	if (!ikev2_ck.ready || len != IKEV2_COOKIE_LEN ||
	    (ck[0] != ikev2_ck.version && ck[0] != (uint8_t)(ikev2_ck.version - 1)))
		return false;
	if (ikev2_cookie_calc(ck[0], ni, ni_len, ip, spi_i, want) < 0)
		return false;
	ok = CRYPTO_memcmp(want, ck, IKEV2_COOKIE_LEN) == 0;
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

/* ---- shared ---- */

static void ikev2_spi_bytes(uint64_t v, uint8_t out[8])
{
	for (unsigned i = 0; i < 8; i++)
		out[i] = (uint8_t)(v >> (56 - 8 * i));
}

/* The notifies both roles add: fragmentation, RFC 7427 hashes. */
static void ikev2_init_caps(struct ike_build *b)
{
	static const uint8_t hashes[] = { 0, IKE_HASH_SHA2_256, 0, IKE_HASH_SHA2_384,
					  0, IKE_HASH_SHA2_512 };

	ike_msg_add_notify(b, IKE_PROTO_NONE, NULL, 0, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED,
			   NULL, 0);
	ike_msg_add_notify(b, IKE_PROTO_NONE, NULL, 0, IKE_N_SIGNATURE_HASH_ALGORITHMS, hashes,
			   sizeof(hashes));
}

static void ikev2_init_peer_caps(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_notify_pl *n;

	sa->frag_ok = ike_msg_notify_find(m, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED) != NULL;
	sa->sig_hashes = 0;
	n = ike_msg_notify_find(m, IKE_N_SIGNATURE_HASH_ALGORITHMS);
	for (size_t i = 0; n != NULL && i + 1 < n->data.len; i += 2) {
		unsigned h = (unsigned)n->data.p[i] << 8 | n->data.p[i + 1];

		if (h < 16)
			sa->sig_hashes |= (uint16_t)(1u << h);
	}
}

void ikev2_certreq_add(struct ike_build *b)
{
	uint8_t ids[IKEV2_CERTREQ_MAX][20];
	unsigned n = pki_ca_keyids(ids, IKEV2_CERTREQ_MAX);

	if (n > 0)
		ike_msg_add_cert(b, IKE_PL_CERTREQ, IKE_CERT_X509_SIG, ids, n * 20u);
}

/* Keys from the DH result (2.14); sets sk_in / sk_out by role. */
static int ikev2_init_keys(struct ike_sa *sa, const struct ike_view *peer_ke)
{
	uint8_t gir[IKE_DH_SECRET_MAX], skeyseed[IKE_PRF_MAX];
	size_t glen = ike_dh_secret_len(sa->dh_group);
	int ret;

	ret = ike_dh_derive(sa->dh, peer_ke->p, peer_ke->len, gir, glen);
	if (ret < 0)
		goto out;
	ret = ike_skeyseed(sa->suite.prf, (struct ike_chunk){ sa->ni, sa->ni_len },
			   (struct ike_chunk){ sa->nr, sa->nr_len }, (struct ike_chunk){ gir, glen },
			   skeyseed);
	if (ret < 0)
		goto out;
	ret = ike_sa_keys_derive(&sa->suite, (struct ike_chunk){ skeyseed, ike_prf_len(sa->suite.prf) },
				 (struct ike_chunk){ sa->ni, sa->ni_len },
				 (struct ike_chunk){ sa->nr, sa->nr_len }, sa->spi_i, sa->spi_r,
				 &sa->keys);
	if (ret < 0)
		goto out;
	sa->sk_out = sa->role == IKE_INITIATOR ? sa->keys.ski : sa->keys.skr;
	sa->sk_in = sa->role == IKE_INITIATOR ? sa->keys.skr : sa->keys.ski;
	ike_dh_free(sa->dh);
	sa->dh = NULL;
out:
	OPENSSL_cleanse(gir, sizeof(gir));
	OPENSSL_cleanse(skeyseed, sizeof(skeyseed));
	return ret;
}

static uint8_t *ikev2_dup(const uint8_t *p, size_t len)
{
	uint8_t *d = malloc(len > 0 ? len : 1);

	if (d != NULL)
		memcpy(d, p, len);
	return d;
}

/* ---- responder ---- */

/* An unprotected reply with one notify, no state kept (errors, COOKIE). */
static void ikev2_init_reply_notify(const struct ike_dgram *d, const struct ike_msg *m,
				    uint16_t type, const void *data, size_t len)
{
	uint8_t buf[256];
	struct ike_build b;
	long n;

	ike_msg_build_init(&b, buf, sizeof(buf), m->hdr.spi_i, 0, IKE_EXCH_IKE_SA_INIT,
			   IKE_HDR_F_R, m->hdr.msg_id);
	ike_msg_add_notify(&b, IKE_PROTO_NONE, NULL, 0, type, data, len);
	n = ike_msg_build_end(&b);
	if (n > 0)
		ikev2_msg_tx(&d->dst, &d->src, d->dport, d->sport, buf, (size_t)n);
}

/* The peer configured for a datagram from src: by address, else the
 * first `remote = "any"` peer (refined by IDi in IKE_AUTH). */
int ikev2_peer_by_addr(const struct gw_addr *src, bool *any)
{
	const struct gw_cfg *cfg = ikev2_cfg();
	int found_any = -1;

	*any = false;
	for (unsigned i = 0; cfg != NULL && i < cfg->n_peers; i++) {
		const struct cfg_peer *p = &cfg->peers[i];

		if (p->ike_version != 2)
			continue;
		if (!p->remote_any && gw_addr_eq(&p->remote, src))
			return (int)i;
		if (p->remote_any && found_any < 0)
			found_any = (int)i;
	}
	*any = found_any >= 0;
	return found_any;
}

/*
 * A first request is checked in order of cost, and nothing is kept and
 * nothing logged (but rate-limited) until every check passed: the global
 * and per-address half-open caps, the COOKIE once half-open SAs reach
 * cookie_threshold (2.6), the proposal, the KE group (1.2) and the public
 * value (RFC 6989: range, point on the curve).  The nonce length (2.10)
 * and payload counts were checked by the parser.  Only then an SA and a
 * key pair are made.  Refusals cost a counter, and the stateless notify
 * the RFC has for them: COOKIE, NO_PROPOSAL_CHOSEN, INVALID_KE_PAYLOAD.
 * A bad public value gets no answer: INVALID_SYNTAX belongs in
 * authenticated messages only (3.10.1).
 */

/* COOKIE required: does the request carry a valid one?  If not, sends a
 * new one (2.6). */
static bool ikev2_init_cookie_ok(const struct ike_dgram *d, const struct ike_msg *m)
{
	const struct ike_notify_pl *ck;
	uint8_t spi_i[8], cookie[IKEV2_COOKIE_LEN];

	ikev2_spi_bytes(m->hdr.spi_i, spi_i);
	ck = m->n_n > 0 && m->n[0].type == IKE_N_COOKIE ? &m->n[0] : NULL;
	if (ck != NULL && ikev2_cookie_check(ck->data.p, ck->data.len, m->nonce.p, m->nonce.len,
					     &d->src, spi_i))
		return true;
	if (ikev2_cookie_make(m->nonce.p, m->nonce.len, &d->src, spi_i, cookie) == 0) {
		ikev2_init_reply_notify(d, m, IKE_N_COOKIE, cookie, sizeof(cookie));
		ikev2_count(IKEV2_C_ikev2_cookie_sent, 1);
	}
	return false;
}

/* Half-open limits and COOKIEs; false when the request must not create
 * state.  A spoofed flood stops at the COOKIE; the per-address cap stops
 * one host that answers COOKIEs from filling max_half_open.  At that cap
 * a request whose address answered a COOKIE takes the place of an SA made
 * in the address's name without one (a spoofer's); *proven: the request
 * carried a valid COOKIE. */
static bool ikev2_init_admit(const struct ike_dgram *d, const struct ike_msg *m, bool *proven)
{
	const struct cfg_ikev2 *c = &ikev2_cfg()->crypto.ikev2;
	unsigned half = ike_sa_half_open(), from;
	uint64_t evictable;
	char a[64];

	*proven = false;
	if (c->max_half_open != 0 && half >= c->max_half_open) {
		ikev2_count(IKEV2_C_ikev2_drop_half_open, 1);
		GW_LOG_RL(ike, NOTICE, "IKE_SA_INIT from %s refused: %u half-open SAs "
			  "(max_half_open)", gw_addr_fmt(&d->src, a, sizeof(a)), half);
		return false;
	}
	if (half >= c->cookie_threshold) {
		if (!ikev2_init_cookie_ok(d, m))
			return false;
		*proven = true;
	}
	if (c->max_half_open_per_peer == 0)
		return true;
	from = ike_ho_count(&d->src, &evictable);
	if (from < c->max_half_open_per_peer)
		return true;
	if (evictable != 0 && (*proven || ikev2_init_cookie_ok(d, m))) {
		*proven = true;
		ikev2_count(IKEV2_C_ikev2_half_open_replaced, 1);
		ike_sa_kill(ike_sa_find_id(evictable), "half-open without COOKIE, its address "
			    "answered one");
		return true;
	}
	ikev2_count(IKEV2_C_ikev2_drop_peer_half_open, 1);
	GW_LOG_RL(ike, NOTICE, "IKE_SA_INIT from %s refused: %u half-open SAs from it "
		  "(max_half_open_per_peer)%s", gw_addr_fmt(&d->src, a, sizeof(a)), from,
		  evictable != 0 ? ", COOKIE sent" : "");
	return false;
}

/* The proposal and the KE payload, before any state: 0, or < 0 when the
 * request is refused (answered NO_PROPOSAL_CHOSEN / INVALID_KE_PAYLOAD,
 * or dropped: malformed SA payload, bad public value). */
static int ikev2_init_choose(const struct ike_dgram *d, const struct ike_msg *m,
			     const struct cfg_peer *peer, struct ike_sa_choice *ch,
			     struct ike_suite *suite, uint16_t *dh)
{
	struct gw_ike_proposal ours[IKE_SA_MAX_PROPOSALS];
	int n, ret;

	n = ike_proposals_from_cfg(peer, IKE_SA_PROTO_IKE, ours, IKE_SA_MAX_PROPOSALS);
	if (n <= 0)
		return -EINVAL;
	ret = ike_sa_select(m->sa.body.p, m->sa.body.len, IKE_SA_PROTO_IKE, 0, ours, (unsigned)n,
			    0, ch);
	if (ret == -ENOENT) {
		ikev2_count(IKEV2_C_ikev2_no_proposal, 1);
		ikev2_init_reply_notify(d, m, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return ret;
	}
	if (ret == 0)
		ret = ike_proposal_ike_suite(&ch->prop, suite, dh);
	if (ret < 0) {
		ikev2_count(IKEV2_C_ikev2_drop_parse, 1);
		return ret;
	}
	if (m->ke.group != *dh) {
		uint8_t g[2] = { (uint8_t)(*dh >> 8), (uint8_t)*dh };

		ikev2_count(IKEV2_C_ikev2_invalid_ke_sent, 1);
		ikev2_init_reply_notify(d, m, IKE_N_INVALID_KE_PAYLOAD, g, sizeof(g));
		return -EAGAIN;
	}
	if (ike_dh_check_public(*dh, m->ke.data.p, m->ke.data.len) < 0) {
		ikev2_count(IKEV2_C_ikev2_drop_ke, 1);
		return -EINVAL;
	}
	return 0;
}

static long ikev2_init_build_resp(struct ike_sa *sa, const struct gw_ike_proposal *chosen,
				  uint8_t num, uint8_t *buf, size_t cap)
{
	const struct gw_cfg *cfg = ikev2_cfg();
	uint8_t sa_body[512];
	struct ike_build b;
	const uint8_t *pub;
	size_t pub_len = 0;
	int sl;

	sl = ike_sa_encode_one(sa_body, sizeof(sa_body), chosen, num, NULL, 0);
	if (sl < 0)
		return sl;
	pub = ike_dh_public(sa->dh, &pub_len);
	ike_msg_build_init(&b, buf, cap, 0, 0, IKE_EXCH_IKE_SA_INIT, IKE_HDR_F_R, 0);
	ike_msg_add_raw(&b, IKE_PL_SA, false, sa_body, (size_t)sl);
	ike_msg_add_ke(&b, sa->dh_group, pub, pub_len);
	ike_msg_add_nonce(&b, sa->nr, sa->nr_len);
	ikev2_natd_add(&b, sa, sa->peer >= 0 && cfg->peers[sa->peer].encap);
	ikev2_certreq_add(&b);
	ikev2_init_caps(&b);
	if (b.err == 0)
		ikev2_hdr_put(buf, sa, buf[16], IKE_EXCH_IKE_SA_INIT, IKE_HDR_F_R, 0, 0);
	return ike_msg_build_end(&b);
}

/* The responder's SA, from a request that passed every check: nonce, our
 * key pair, keys, response. */
static int ikev2_init_respond(struct ike_sa *sa, const struct ike_dgram *d,
			      const struct ike_msg *m, const struct ike_sa_choice *ch)
{
	static uint8_t buf[IKE_MSG_MAX];
	long len;
	int ret;

	sa->ni_len = (uint16_t)m->nonce.len;
	memcpy(sa->ni, m->nonce.p, m->nonce.len);
	sa->nr_len = IKE_NONCE_LEN;
	if (RAND_bytes(sa->nr, IKE_NONCE_LEN) != 1)
		return -EIO;
	sa->dh = ike_dh_new(sa->dh_group);
	if (sa->dh == NULL)
		return -EIO;
	ikev2_natd_check(sa, m, (const uint8_t[8]){ 0 }, &d->src, d->sport, &d->dst, d->dport);
	ikev2_init_peer_caps(sa, m);
	len = ikev2_init_build_resp(sa, &ch->prop, ch->num, buf, sizeof(buf));
	if (len < 0)
		return (int)len;
	ret = ikev2_init_keys(sa, &m->ke.data);
	if (ret < 0)
		return ret;
	sa->init_req = ikev2_dup(d->data, d->len);
	sa->init_resp = ikev2_dup(buf, (size_t)len);
	if (sa->init_req == NULL || sa->init_resp == NULL)
		return -ENOMEM;
	sa->init_req_len = d->len;
	sa->init_resp_len = (size_t)len;
	return ikev2_msg_send_plain(sa, buf, (size_t)len, false, NULL, NULL);
}

/* A request of an SA we already answered: the same SPIi from the same
 * address, from the same port (a retransmission) or another one (the SA
 * moved to 4500, 2.23, or a NAT maps the peer's 4500 elsewhere). */
static bool ikev2_init_known(const uint8_t spi_i[8], const struct ike_dgram *d)
{
	struct ike_sa *sa = ike_sa_find_init(spi_i, &d->src, d->sport);

	if (sa == NULL)
		sa = ike_sa_find_init(spi_i, &d->src, 0);
	if (sa == NULL)
		return false;
	/* a retransmission while our response is the last one sent is
	 * answered again; later (IKE_AUTH answered, SA up), a replay:
	 * dropped, nothing of the SA touched */
	if (sa->mid.resp_valid && sa->mid.resp_id == 0) {
		ikev2_count(IKEV2_C_ikev2_resp_resent, 1);
		ikev2_msg_send_plain(sa, sa->init_resp, sa->init_resp_len, false, NULL, NULL);
	} else {
		ikev2_count(IKEV2_C_ikev2_drop_msgid, 1);
	}
	return true;
}

void ikev2_init_input(const struct ike_dgram *d, const struct ike_msg *m)
{
	uint8_t spi_i[8];
	struct ike_sa_choice ch;
	struct ike_suite suite;
	struct ike_sa *sa;
	uint16_t dh;
	bool any, proven;
	int peer, ret;

	ikev2_spi_bytes(m->hdr.spi_i, spi_i);
	if (ikev2_init_known(spi_i, d))
		return;
	if (m->hdr.spi_r != 0 || m->hdr.msg_id != 0 || m->n_sa != 1 || m->n_ke != 1 ||
	    m->n_nonce != 1) {
		ikev2_count(IKEV2_C_ikev2_drop_parse, 1);
		return;
	}
	peer = ikev2_peer_by_addr(&d->src, &any);
	if (peer < 0) {
		ikev2_count(IKEV2_C_ikev2_drop_no_sa, 1);
		return;
	}
	if (!ikev2_init_admit(d, m, &proven))
		return;
	if (ikev2_init_choose(d, m, &ikev2_cfg()->peers[peer], &ch, &suite, &dh) < 0)
		return;
	/* a `remote = "any"` peer is chosen again by IDi in IKE_AUTH */
	sa = ike_sa_new(IKE_RESPONDER, peer);
	if (sa == NULL)
		return;
	memcpy(sa->spi_i, spi_i, 8);
	sa->local = d->dst;
	sa->remote = d->src;
	sa->local_port = d->dport;
	sa->remote_port = d->sport;
	sa->created_ms = ikev2_now_ms();
	sa->expire_at_ms = sa->created_ms + IKEV2_HALF_OPEN_MS;
	sa->suite = suite;
	sa->dh_group = dh;
	(void)ike_ho_add(&d->src, sa->id, proven);	/* no memory: only the global cap */
	ret = ikev2_init_respond(sa, d, m, &ch);
	if (ret < 0) {
		GW_LOG_RL(ike, NOTICE, "session %" PRIu64 ": IKE_SA_INIT from peer %s failed: %s",
			  sa->id, ikev2_cfg()->peers[peer].name, strerror(-ret));
		ike_sa_kill(sa, "IKE_SA_INIT failed");
		return;
	}
	GW_LOG_RL(ike, INFO, "session %" PRIu64 ": IKE_SA_INIT answered (peer %s, DH %u%s)", sa->id,
		  ikev2_cfg()->peers[peer].name, sa->dh_group, sa->encap ? ", NAT-T" : "");
}

/* ---- initiator ---- */

/* Our address toward remote: an interface address whose prefix holds it,
 * else the first of its family. */
static int ikev2_local_addr(const struct gw_addr *remote, struct gw_addr *out)
{
	const struct gw_cfg *cfg = ikev2_cfg();
	int found = -ENOENT;

	for (unsigned i = 0; i < cfg->n_ifaces; i++) {
		for (unsigned k = 0; k < cfg->ifaces[i].n_addrs; k++) {
			const struct gw_prefix *p = &cfg->ifaces[i].addrs[k];

			if (p->addr.family != remote->family)
				continue;
			if (gw_prefix_contains(p, remote)) {
				*out = p->addr;
				return 0;
			}
			if (found < 0) {
				*out = p->addr;
				found = 0;
			}
		}
	}
	return found;
}

static void ikev2_init_resp(struct ike_sa *sa, const struct ike_msg *resp, void *arg);

static int ikev2_init_send(struct ike_sa *sa)
{
	const struct gw_cfg *cfg = ikev2_cfg();
	const struct cfg_peer *peer = &cfg->peers[sa->peer];
	struct gw_ike_proposal ours[IKE_SA_MAX_PROPOSALS];
	static uint8_t buf[IKE_MSG_MAX];
	uint8_t sa_body[2048];
	struct ike_build b;
	const uint8_t *pub;
	size_t pub_len = 0;
	int n, sl;
	long len;

	n = ike_proposals_from_cfg(peer, IKE_SA_PROTO_IKE, ours, IKE_SA_MAX_PROPOSALS);
	if (n <= 0)
		return -EINVAL;
	sl = ike_sa_encode(sa_body, sizeof(sa_body), ours, (unsigned)n, NULL, 0);
	if (sl < 0)
		return sl;
	ike_dh_free(sa->dh);
	sa->dh = ike_dh_new(sa->dh_group);
	if (sa->dh == NULL)
		return -EIO;
	pub = ike_dh_public(sa->dh, &pub_len);
	ike_msg_build_init(&b, buf, sizeof(buf), 0, 0, IKE_EXCH_IKE_SA_INIT, IKE_HDR_F_I, 0);
	if (sa->cookie_len > 0)
		ike_msg_add_notify(&b, IKE_PROTO_NONE, NULL, 0, IKE_N_COOKIE, sa->cookie,
				   sa->cookie_len);
	ike_msg_add_raw(&b, IKE_PL_SA, false, sa_body, (size_t)sl);
	ike_msg_add_ke(&b, sa->dh_group, pub, pub_len);
	ike_msg_add_nonce(&b, sa->ni, sa->ni_len);
	ikev2_natd_add(&b, sa, peer->encap);
	ikev2_init_caps(&b);
	len = ike_msg_build_end(&b);
	if (len < 0)
		return (int)len;
	ikev2_hdr_put(buf, sa, buf[16], IKE_EXCH_IKE_SA_INIT, IKE_HDR_F_I, 0, (uint32_t)len);
	free(sa->init_req);
	sa->init_req = ikev2_dup(buf, (size_t)len);
	if (sa->init_req == NULL)
		return -ENOMEM;
	sa->init_req_len = (size_t)len;
	return ikev2_msg_send_plain(sa, buf, (size_t)len, true, ikev2_init_resp, NULL);
}

/* The first DH group of our first proposal. */
static uint16_t ikev2_first_group(const struct cfg_peer *peer)
{
	struct gw_ike_proposal ours[IKE_SA_MAX_PROPOSALS];
	int n = ike_proposals_from_cfg(peer, IKE_SA_PROTO_IKE, ours, IKE_SA_MAX_PROPOSALS);
	const struct gw_ike_xform *x = n > 0 ? ike_proposal_get(&ours[0], IKE_XFORM_DH) : NULL;

	return x != NULL ? x->id : 0;
}

/* Is group one of our proposals' DH groups? */
static bool ikev2_group_offered(const struct cfg_peer *peer, uint16_t group)
{
	struct gw_ike_proposal ours[IKE_SA_MAX_PROPOSALS];
	int n = ike_proposals_from_cfg(peer, IKE_SA_PROTO_IKE, ours, IKE_SA_MAX_PROPOSALS);

	for (int i = 0; i < n; i++)
		for (unsigned k = 0; k < ours[i].n_xforms; k++)
			if (ours[i].xforms[k].type == IKE_XFORM_DH && ours[i].xforms[k].id == group)
				return true;
	return false;
}

int ikev2_init_start(unsigned peer)
{
	const struct gw_cfg *cfg = ikev2_cfg();
	struct ike_sa *sa;
	int ret;

	sa = ike_sa_new(IKE_INITIATOR, (int)peer);
	if (sa == NULL)
		return -ENOSPC;
	sa->remote = cfg->peers[peer].remote;
	sa->remote_port = 500;
	sa->local_port = 500;
	sa->created_ms = ikev2_now_ms();
	sa->expire_at_ms = sa->created_ms + IKEV2_HALF_OPEN_MS;
	sa->dh_group = ikev2_first_group(&cfg->peers[peer]);
	sa->ni_len = IKE_NONCE_LEN;
	ret = ikev2_local_addr(&sa->remote, &sa->local);
	if (ret == 0 && RAND_bytes(sa->ni, IKE_NONCE_LEN) != 1)
		ret = -EIO;
	if (ret == 0)
		ret = ikev2_init_send(sa);
	if (ret < 0) {
		ike_sa_kill(sa, "cannot start IKE_SA_INIT");
		return ret;
	}
	GW_LOG(ike, INFO, "session %" PRIu64 ": IKE_SA_INIT to peer %s (DH %u)", sa->id,
	       cfg->peers[peer].name, sa->dh_group);
	return 0;
}

/* COOKIE or INVALID_KE_PAYLOAD: restart (2.6, 1.2).  true if handled. */
static bool ikev2_init_restart(struct ike_sa *sa, const struct ike_msg *resp)
{
	const struct cfg_peer *peer = &ikev2_cfg()->peers[sa->peer];
	const struct ike_notify_pl *n;

	n = ike_msg_notify_find(resp, IKE_N_COOKIE);
	if (n != NULL && n->data.len > 0 && n->data.len <= IKE_COOKIE_LEN_MAX) {
		memcpy(sa->cookie, n->data.p, n->data.len);
		sa->cookie_len = (uint8_t)n->data.len;
	} else {
		n = ike_msg_notify_find(resp, IKE_N_INVALID_KE_PAYLOAD);
		if (n == NULL)
			return false;
		if (n->data.len != 2 ||
		    !ikev2_group_offered(peer, (uint16_t)(n->data.p[0] << 8 | n->data.p[1]))) {
			ike_sa_kill(sa, "INVALID_KE_PAYLOAD with a group we did not offer");
			return true;
		}
		sa->dh_group = (uint16_t)(n->data.p[0] << 8 | n->data.p[1]);
	}
	if (++sa->init_retries > IKEV2_INIT_RETRIES || ikev2_init_send(sa) < 0)
		ike_sa_kill(sa, "IKE_SA_INIT restarts exhausted");
	return true;
}

static int ikev2_init_complete(struct ike_sa *sa, const struct ike_msg *resp)
{
	struct gw_ike_proposal ours[IKE_SA_MAX_PROPOSALS];
	const struct cfg_peer *peer = &ikev2_cfg()->peers[sa->peer];
	struct ike_sa_choice ch;
	uint16_t dh;
	int n, ret;

	if (resp->n_sa != 1 || resp->n_ke != 1 || resp->n_nonce != 1 || resp->hdr.spi_r == 0)
		return -EBADMSG;
	n = ike_proposals_from_cfg(peer, IKE_SA_PROTO_IKE, ours, IKE_SA_MAX_PROPOSALS);
	ret = n <= 0 ? -EINVAL : ike_sa_check_reply(resp->sa.body.p, resp->sa.body.len,
						    IKE_SA_PROTO_IKE, 0, ours, (unsigned)n, 0, &ch);
	if (ret < 0)
		return ret;
	ret = ike_proposal_ike_suite(&ch.prop, &sa->suite, &dh);
	if (ret < 0)
		return ret;
	if (dh != sa->dh_group || resp->ke.group != dh)
		return -EBADMSG;
	ikev2_spi_bytes(resp->hdr.spi_r, sa->spi_r);
	sa->nr_len = (uint16_t)resp->nonce.len;
	memcpy(sa->nr, resp->nonce.p, resp->nonce.len);
	ikev2_natd_check(sa, resp, sa->spi_r, &sa->remote, sa->remote_port, &sa->local,
			 sa->local_port);
	ikev2_init_peer_caps(sa, resp);
	ret = ikev2_init_keys(sa, &resp->ke.data);
	if (ret < 0)
		return ret;
	free(sa->init_resp);
	sa->init_resp = ikev2_dup(resp->data, resp->len);
	if (sa->init_resp == NULL)
		return -ENOMEM;
	sa->init_resp_len = resp->len;
	if (sa->encap) {
		sa->local_port = GW_NATT_PORT;
		sa->remote_port = GW_NATT_PORT;
	}
	return 0;
}

static void ikev2_init_resp(struct ike_sa *sa, const struct ike_msg *resp, void *arg)
{
	int ret;

	(void)arg;
	if (resp == NULL)
		return;				/* timed out: the SA is being killed */
	if (ikev2_init_restart(sa, resp))
		return;
	if (ike_msg_notify_find(resp, IKE_N_NO_PROPOSAL_CHOSEN) != NULL) {
		ikev2_count(IKEV2_C_ikev2_no_proposal, 1);
		ike_sa_kill(sa, "peer: NO_PROPOSAL_CHOSEN");
		return;
	}
	ret = ikev2_init_complete(sa, resp);
	if (ret < 0) {
		GW_LOG_RL(ike, NOTICE, "session %" PRIu64 ": bad IKE_SA_INIT response: %s", sa->id,
			  strerror(-ret));
		ike_sa_kill(sa, "bad IKE_SA_INIT response");
		return;
	}
	ike_sa_state(sa, IKE_SA_INIT_DONE, "IKE_SA_INIT response, keys derived");
	if (ikev2_auth_start(sa) < 0)
		ike_sa_kill(sa, "cannot send IKE_AUTH");
}
