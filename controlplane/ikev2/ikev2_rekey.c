/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CREATE_CHILD_SA's bookkeeping and timers (RFC 7296 2.8): our outstanding
 * rekey per IKE SA, a rekey responder's outbound SAs waiting for the old
 * child's DELETE (make-before-break, see ikev2_child.c), when to rekey
 * (90 % of a lifetime minus a jitter), the 2.8.1 tie-break, and the helpers
 * both rekey files share.  CP thread only.  Records hold keys (DH values,
 * an outbound SA's keys): wiped when freed, at the latest by
 * ikev2_child_fini().
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "common/gw_ike.h"
#include "common/gw_log.h"
#include "controlplane/ike/ike_dh.h"
#include "controlplane/ikev2/ikev2_int.h"
#include "controlplane/ikev2/ikev2_msg.h"
#include "controlplane/ikev2/ikev2_rekey.h"
#include "dataplane/dp_sa.h"

enum {
	IKEV2_REKEY_PERMILLE = 900,		/* rekey at 90 % of the lifetime */
	IKEV2_REKEY_JITTER_PERMILLE = 50,	/* minus up to 5 % */
};

static struct ikev2_rekey *ikev2_rekeys;
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

uint32_t ikev2_rand32(void)
{
	uint32_t r = 0;

	if (RAND_bytes((uint8_t *)&r, sizeof(r)) != 1)
		r = 0;
	return r;
}

const struct cfg_peer *ikev2_rekey_peer(const struct ike_sa *sa)
{
	const struct gw_cfg *cfg = ikev2_cfg();

	if (cfg == NULL || sa->peer < 0 || (unsigned)sa->peer >= cfg->n_peers)
		return NULL;
	return &cfg->peers[sa->peer];
}

int ikev2_gir(struct ike_dh *dh, const struct ike_msg *m, uint8_t *gir, size_t *gir_len)
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

uint16_t ikev2_resp_error(const struct ike_msg *resp)
{
	for (unsigned i = 0; i < resp->n_n; i++)
		if (ike_notify_is_error(resp->n[i].type))
			return resp->n[i].type;
	return 0;
}

/* ---- records ---- */

struct ikev2_rekey *ikev2_rekey_find(uint64_t sa_id)
{
	for (struct ikev2_rekey *r = ikev2_rekeys; r != NULL; r = r->next)
		if (r->sa_id == sa_id)
			return r;
	return NULL;
}

struct ikev2_rekey *ikev2_rekey_new(uint64_t sa_id, enum ikev2_rekey_kind kind)
{
	struct ikev2_rekey *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->sa_id = sa_id;
	r->kind = kind;
	return r;
}

void ikev2_rekey_add(struct ikev2_rekey *r)
{
	r->next = ikev2_rekeys;
	ikev2_rekeys = r;
}

void ikev2_rekey_free(struct ikev2_rekey *r)
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

struct ikev2_pend_out *ikev2_pend_find(uint64_t sa_id, uint32_t spi_in)
{
	for (struct ikev2_pend_out *p = ikev2_pends; p != NULL; p = p->next)
		if (p->sa_id == sa_id && p->spi_in == spi_in)
			return p;
	return NULL;
}

int ikev2_pend_add(uint64_t sa_id, uint32_t spi_in, const struct gw_sa_desc *out)
{
	struct ikev2_pend_out *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return -ENOMEM;
	p->sa_id = sa_id;
	p->spi_in = spi_in;
	p->since_ms = ikev2_now_ms();
	p->out = *out;
	p->next = ikev2_pends;
	ikev2_pends = p;
	return 0;
}

void ikev2_pend_free(struct ikev2_pend_out *p)
{
	struct ikev2_pend_out **pp = &ikev2_pends;

	while (*pp != NULL && *pp != p)
		pp = &(*pp)->next;
	if (*pp == p)
		*pp = p->next;
	gw_sa_desc_wipe(&p->out);
	free(p);
}

void ikev2_pend_move(uint64_t from_id, uint64_t to_id)
{
	for (struct ikev2_pend_out *p = ikev2_pends; p != NULL; p = p->next)
		if (p->sa_id == from_id)
			p->sa_id = to_id;
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

void ikev2_child_fini(void)
{
	while (ikev2_rekeys != NULL)
		ikev2_rekey_free(ikev2_rekeys);
	while (ikev2_pends != NULL)
		ikev2_pend_free(ikev2_pends);
}

/* ---- timers and events ---- */

static bool ikev2_child_rekeyable(const struct ike_child *c)
{
	return c->used && c->installed && c->rekeyed_by == 0 && c->h_in != DP_SA_INVALID &&
	       c->h_out != DP_SA_INVALID;
}

/* A responder's pending outbound whose old child is gone or silent. */
static void ikev2_pend_tick(struct ike_sa *sa, uint64_t now)
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

/* Schedule what has no rekey time yet. */
static void ikev2_rekey_schedule(struct ike_sa *sa, const struct cfg_peer *peer, uint64_t now_ms)
{
	if (sa->rekey_at_ms == 0)
		sa->rekey_at_ms = ikev2_rekey_time(sa->established_ms != 0 ? sa->established_ms : now_ms,
						   peer->ike_lifetime, ikev2_rand32());
	for (unsigned i = 0; i < IKE_CHILD_MAX; i++) {
		struct ike_child *c = &sa->child[i];

		if (ikev2_child_rekeyable(c) && c->rekey_at_ms == 0)
			c->rekey_at_ms = ikev2_rekey_time(c->created_ms != 0 ? c->created_ms : now_ms,
							  peer->child_lifetime, ikev2_rand32());
	}
}

void ikev2_child_tick(struct ike_sa *sa, uint64_t now_ms)
{
	const struct cfg_peer *peer = ikev2_rekey_peer(sa);

	ikev2_child_gc();
	if (peer == NULL)
		return;
	if (sa->state != IKE_SA_ESTABLISHED)
		return;
	ikev2_pend_tick(sa, now_ms);
	ikev2_rekey_schedule(sa, peer, now_ms);
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
			if (sa->ike_version != 2) {
				if (c->rekeyed_by == 0)
					c->rekey_at_ms = now;	/* ikev1_tick starts the Quick Mode */
			} else if (ikev2_child_rekeyable(c)) {
				c->rekey_at_ms = now;
				ikev2_child_tick(sa, now);
			}
			return;
		}
	}
}
