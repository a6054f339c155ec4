/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IKE SA table (ike_sa.h).  SAs are kept in an array of pointers in id
 * order (ids only grow, so a new SA is appended); lookups by SPI go through
 * a small open-addressing index keyed by our SPI.  Responders are also
 * indexed by the initiator's SPI (for ike_sa_find_init, once per
 * IKE_SA_INIT): lazily, since the exchange code sets spi_i after
 * ike_sa_new() -- every lookup first indexes the responders created since
 * the last one (spi_i is set by then: the CP thread sets it in the same
 * call that creates the SA).  That index is keyed with a random secret,
 * the peers choosing the SPIs.  The number of half-open
 * SAs (state before ESTABLISHED) is kept as a count, updated where states
 * change (ike_sa_new, ike_sa_state), not counted per IKE_SA_INIT.  Our
 * SPI of every SA in the table (IKEv1 ISAKMP SAs too) is published in the
 * data plane's set of IKE SPIs from ike_sa_new() to ike_sa_free(), for the
 * workers' punt classes (dp.h).  CP thread only.
 */

#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "common/gw_log.h"
#include "controlplane/cp_sa.h"
#include "controlplane/ike/ike_dh.h"
#include "controlplane/ike/ike_rev.h"
#include "controlplane/ike/ike_sa.h"
#include "controlplane/ike/ike_sa_event.h"
#include "dataplane/dp.h"
#include "dataplane/dp_sa.h"

/* Every IKE SA's SPI fits the data plane's set. */
_Static_assert((unsigned)IKE_SA_MAX <= (unsigned)DP_IKE_SPI_MAX,
	       "IKE_SA_MAX above DP_IKE_SPI_MAX");

enum {
	IKE_SA_IDX_SLOTS = 2 * IKE_SA_MAX,	/* power of two, load <= 1/2 */
};

static void (*ike_sa_v1_free)(struct ike_sa *sa);
static unsigned ike_sa_n_removed;	/* ike_sa_set_removed_peers() */
static ike_sa_delete_fn ike_sa_deleters[3];	/* by IKE version: 1, 2 */

static struct {
	struct ike_sa **sa;		/* id order */
	unsigned n;
	struct ike_sa **idx;		/* by our SPI, linear probing */
	struct ike_sa **iidx;		/* responders by spi_i, linear probing */
	uint64_t iidx_upto;		/* responders with id <= this are in iidx */
	uint64_t iidx_key;
	uint64_t next_id;
	unsigned half_open;		/* SAs in a state < ESTABLISHED */
	bool draining;			/* shutting down: no new SA (ike_sa_drain) */
} ike_tab;

static const char *const ike_sa_state_names[IKE_SA_STATE_MAX] = {
#define X(n, d) #n,
	IKE_SA_STATES(X)
#undef X
};

const char *ike_sa_state_name(enum ike_sa_state s)
{
	return (unsigned)s < IKE_SA_STATE_MAX ? ike_sa_state_names[s] : "?";
}

static const uint8_t *ike_sa_local_spi(const struct ike_sa *sa)
{
	return sa->role == IKE_INITIATOR ? sa->spi_i : sa->spi_r;
}

/* An SPI as the logs print it. */
static uint64_t ike_sa_spi_u64(const uint8_t spi[8])
{
	uint64_t v;

	memcpy(&v, spi, sizeof(v));
	return be64toh(v);
}

/*
 * Our SPI in the data plane's set (dp.h), so that the workers punt this
 * session's IKE into the trusted class: from ike_sa_new() to
 * ike_sa_free().  Without a data plane (unit tests) there is no set.
 */
static void ike_sa_spi_publish(const uint8_t spi[8])
{
	int ret = dp_punt_spi_add(spi);

	if (ret != 0 && ret != -ENODEV)
		GW_LOG(ike, ERR, "IKE SPI %016" PRIx64 " not published (%s): its IKE "
		       "is punted as new", ike_sa_spi_u64(spi), strerror(-ret));
}

static void ike_sa_spi_unpublish(const uint8_t spi[8])
{
	int ret = dp_punt_spi_del(spi);

	if (ret != 0 && ret != -ENODEV && ret != -ENOENT)
		GW_LOG(ike, ERR, "IKE SPI %016" PRIx64 " not unpublished (%s)",
		       ike_sa_spi_u64(spi), strerror(-ret));
}

static unsigned ike_sa_mix(uint64_t v)
{
	v ^= v >> 29;
	v *= 0xbf58476d1ce4e5b9ULL;
	v ^= v >> 32;
	return (unsigned)v & (IKE_SA_IDX_SLOTS - 1);
}

static unsigned ike_sa_spi_hash(const uint8_t spi[8])
{
	uint64_t v;

	memcpy(&v, spi, sizeof(v));
	return ike_sa_mix(v);
}

static unsigned ike_sa_home_local(const struct ike_sa *sa)
{
	return ike_sa_spi_hash(ike_sa_local_spi(sa));
}

static unsigned ike_sa_spi_i_hash(const uint8_t spi_i[8])
{
	uint64_t v;

	memcpy(&v, spi_i, sizeof(v));
	return ike_sa_mix(v ^ ike_tab.iidx_key);
}

static unsigned ike_sa_home_spi_i(const struct ike_sa *sa)
{
	return ike_sa_spi_i_hash(sa->spi_i);
}

static void ike_sa_idx_add(struct ike_sa **idx, unsigned h, struct ike_sa *sa)
{
	while (idx[h] != NULL)
		h = (h + 1) & (IKE_SA_IDX_SLOTS - 1);
	idx[h] = sa;
}

/*
 * Remove sa from idx (home: its slot's hash) with backward-shift deletion
 * (linear probing).  If sa is not on its home's probe chain (its key
 * changed after it was indexed: the exchange code does not do that), the
 * whole index is searched, so that no pointer to a freed SA survives.
 */
static void ike_sa_idx_del(struct ike_sa **idx, unsigned (*home)(const struct ike_sa *),
			   const struct ike_sa *sa)
{
	unsigned h = home(sa), j;

	while (idx[h] != sa) {
		if (idx[h] == NULL) {
			for (h = 0; h < IKE_SA_IDX_SLOTS && idx[h] != sa; h++)
				;
			if (h == IKE_SA_IDX_SLOTS)
				return;
			break;
		}
		h = (h + 1) & (IKE_SA_IDX_SLOTS - 1);
	}
	idx[h] = NULL;
	j = h;
	for (;;) {
		unsigned k;

		j = (j + 1) & (IKE_SA_IDX_SLOTS - 1);
		if (idx[j] == NULL)
			return;
		k = home(idx[j]);
		/* move idx[j] to h unless its home k lies cyclically in (h, j] */
		if ((h < j) ? (h < k && k <= j) : (h < k || k <= j))
			continue;
		idx[h] = idx[j];
		idx[j] = NULL;
		h = j;
	}
}

int ike_sa_table_init(void)
{
	ike_sa_table_fini();
	ike_tab.sa = calloc(IKE_SA_MAX, sizeof(*ike_tab.sa));
	ike_tab.idx = calloc(IKE_SA_IDX_SLOTS, sizeof(*ike_tab.idx));
	ike_tab.iidx = calloc(IKE_SA_IDX_SLOTS, sizeof(*ike_tab.iidx));
	if (ike_tab.sa == NULL || ike_tab.idx == NULL || ike_tab.iidx == NULL) {
		ike_sa_table_fini();
		return -ENOMEM;
	}
	if (RAND_bytes((uint8_t *)&ike_tab.iidx_key, sizeof(ike_tab.iidx_key)) != 1) {
		ike_sa_table_fini();
		return -EIO;
	}
	ike_tab.next_id = 1;
	ike_sa_n_removed = 0;
	return 0;
}

void ike_sa_set_v1_free(void (*fn)(struct ike_sa *sa))
{
	ike_sa_v1_free = fn;
}

void ike_sa_set_deleter(uint8_t v, ike_sa_delete_fn fn)
{
	if (v < sizeof(ike_sa_deleters) / sizeof(ike_sa_deleters[0]))
		ike_sa_deleters[v] = fn;
}

bool ike_sa_has_deleter(uint8_t v)
{
	return v < sizeof(ike_sa_deleters) / sizeof(ike_sa_deleters[0]) && ike_sa_deleters[v] != NULL;
}

int ike_sa_delete(uint64_t session_id, const char *why)
{
	struct ike_sa *sa = ike_sa_find_id(session_id);

	if (sa == NULL || sa->state == IKE_SA_DEAD)
		return -ENOENT;
	if (!ike_sa_has_deleter(sa->ike_version))
		return -ENOTSUP;
	return ike_sa_deleters[sa->ike_version](session_id, why);
}

static void ike_sa_free(struct ike_sa *sa)
{
	ike_sa_spi_unpublish(ike_sa_local_spi(sa));
	ike_rev_index_del(sa);
	if (sa->v1 != NULL && ike_sa_v1_free != NULL)
		ike_sa_v1_free(sa);
	if (sa->pki_handle != 0)
		pki_verify_cancel(sa->pki_handle);
	ike_dh_free(sa->dh);
	free(sa->init_req);
	free(sa->init_resp);
	free(sa->mid.req);
	free(sa->mid.resp);
	for (unsigned i = 0; i < IKE_REQ_QUEUE; i++) {
		if (sa->mid.queue[i].inner != NULL)
			OPENSSL_cleanse(sa->mid.queue[i].inner, sa->mid.queue[i].len);
		free(sa->mid.queue[i].inner);
	}
	for (unsigned i = 0; i < IKE_FRAG_MAX; i++) {
		if (sa->frag[i] != NULL)
			OPENSSL_cleanse(sa->frag[i], sa->frag_len[i]);
		free(sa->frag[i]);
	}
	ike_sa_keys_wipe(&sa->keys);
	OPENSSL_cleanse(sa, sizeof(*sa));
	free(sa);
}

static void ike_sa_retire_children(struct ike_sa *sa)
{
	for (unsigned i = 0; i < IKE_CHILD_MAX; i++)
		if (sa->child[i].used)
			ike_sa_child_remove(sa, &sa->child[i]);
}

void ike_sa_table_fini(void)
{
	for (unsigned i = 0; i < ike_tab.n; i++) {
		ike_sa_retire_children(ike_tab.sa[i]);
		ike_sa_free(ike_tab.sa[i]);
	}
	free(ike_tab.sa);
	free(ike_tab.idx);
	free(ike_tab.iidx);
	memset(&ike_tab, 0, sizeof(ike_tab));
}

struct ike_sa *ike_sa_find_local_spi(const uint8_t spi[8])
{
	unsigned h;

	if (ike_tab.idx == NULL)
		return NULL;
	h = ike_sa_spi_hash(spi);
	while (ike_tab.idx[h] != NULL) {
		if (memcmp(ike_sa_local_spi(ike_tab.idx[h]), spi, 8) == 0)
			return ike_tab.idx[h];
		h = (h + 1) & (IKE_SA_IDX_SLOTS - 1);
	}
	return NULL;
}

struct ike_sa *ike_sa_new(enum ike_role role, int peer)
{
	struct ike_sa *sa;
	uint8_t spi[8];

	if (ike_tab.sa == NULL || ike_tab.n >= IKE_SA_MAX) {
		errno = ENOSPC;
		return NULL;
	}
	if (ike_tab.draining) {
		errno = ESHUTDOWN;
		return NULL;
	}
	sa = calloc(1, sizeof(*sa));
	if (sa == NULL)
		return NULL;
	do {
		if (RAND_bytes(spi, sizeof(spi)) != 1) {
			free(sa);
			errno = EIO;
			return NULL;
		}
	} while (memcmp(spi, "\0\0\0\0\0\0\0\0", 8) == 0 || ike_sa_find_local_spi(spi) != NULL);
	sa->id = ike_tab.next_id++;
	sa->role = role;
	sa->peer = peer;
	sa->tunnel = DP_SA_INVALID;
	sa->ike_version = 2;
	sa->trustpoint = -1;
	memcpy(role == IKE_INITIATOR ? sa->spi_i : sa->spi_r, spi, 8);
	sa->state = role == IKE_INITIATOR ? IKE_SA_INIT_SENT : IKE_SA_INIT_DONE;
	for (unsigned i = 0; i < IKE_CHILD_MAX; i++)
		sa->child[i].h_in = sa->child[i].h_out = DP_SA_INVALID;
	ike_tab.sa[ike_tab.n++] = sa;
	ike_sa_idx_add(ike_tab.idx, ike_sa_spi_hash(spi), sa);
	ike_sa_spi_publish(spi);
	ike_tab.half_open++;		/* INIT_SENT and INIT_DONE are half-open */
	return sa;
}

static unsigned ike_sa_pos(uint64_t after);

/* Index the responders created since the last call (see the top). */
static void ike_sa_iidx_catch_up(void)
{
	for (unsigned i = ike_sa_pos(ike_tab.iidx_upto); i < ike_tab.n; i++)
		if (ike_tab.sa[i]->role == IKE_RESPONDER)
			ike_sa_idx_add(ike_tab.iidx, ike_sa_home_spi_i(ike_tab.sa[i]), ike_tab.sa[i]);
	ike_tab.iidx_upto = ike_tab.next_id - 1;
}

/* The newest match, as a scan from the newest SA would find. */
struct ike_sa *ike_sa_find_init(const uint8_t spi_i[8], const struct gw_addr *remote,
				uint16_t remote_port)
{
	struct ike_sa *best = NULL;
	unsigned h;

	if (ike_tab.iidx == NULL)
		return NULL;
	ike_sa_iidx_catch_up();
	h = ike_sa_spi_i_hash(spi_i);
	for (; ike_tab.iidx[h] != NULL; h = (h + 1) & (IKE_SA_IDX_SLOTS - 1)) {
		struct ike_sa *sa = ike_tab.iidx[h];

		if (sa->state != IKE_SA_DEAD && memcmp(sa->spi_i, spi_i, 8) == 0 &&
		    gw_addr_eq(&sa->remote, remote) &&
		    (remote_port == 0 || sa->remote_port == remote_port) &&
		    (best == NULL || sa->id > best->id))
			best = sa;
	}
	return best;
}

/* Index of the first SA with id > after (binary search: ids ascend). */
static unsigned ike_sa_pos(uint64_t after)
{
	unsigned lo = 0, hi = ike_tab.n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (ike_tab.sa[mid]->id <= after)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct ike_sa *ike_sa_find_id(uint64_t id)
{
	unsigned i;

	if (id == 0)
		return NULL;
	i = ike_sa_pos(id - 1);
	return i < ike_tab.n && ike_tab.sa[i]->id == id ? ike_tab.sa[i] : NULL;
}

struct ike_sa *ike_sa_next(uint64_t after)
{
	unsigned i = ike_sa_pos(after);

	return i < ike_tab.n ? ike_tab.sa[i] : NULL;
}

unsigned ike_sa_count(void)
{
	return ike_tab.n;
}

unsigned ike_sa_half_open(void)
{
	return ike_tab.half_open;
}

void ike_sa_state(struct ike_sa *sa, enum ike_sa_state st, const char *why)
{
	if (sa->state == st)
		return;
	/* a half-open SA dying is what a flood of cookie-answering strangers
	 * causes by the thousand: rate-limited, the rest logged as always */
	if (st == IKE_SA_DEAD && sa->state <= IKE_SA_INIT_DONE)
		GW_LOG_RL(ike, INFO, "session %" PRIu64 ": %s -> %s (%s)", sa->id,
			  ike_sa_state_name(sa->state), ike_sa_state_name(st), why != NULL ? why : "");
	else
		GW_LOG(ike, INFO, "session %" PRIu64 ": %s -> %s (%s)", sa->id,
		       ike_sa_state_name(sa->state), ike_sa_state_name(st), why != NULL ? why : "");
	if ((sa->state < IKE_SA_ESTABLISHED) != (st < IKE_SA_ESTABLISHED)) {
		if (st < IKE_SA_ESTABLISHED)
			ike_tab.half_open++;
		else
			ike_tab.half_open--;
	}
	ike_sa_event(sa, st, why);
	sa->state = st;
}

bool ike_sa_first_contact(const struct ike_sa *sa)
{
	uint64_t id = 0;
	struct ike_sa *o;

	if (sa->peer < 0)
		return false;
	while ((o = ike_sa_next(id)) != NULL) {
		id = o->id;
		if (o != sa && o->peer == sa->peer &&
		    (o->state == IKE_SA_ESTABLISHED || o->state == IKE_SA_REKEYING))
			return false;
	}
	return true;
}

/* ---- shutdown ---- */

unsigned ike_sa_drain(const char *why)
{
	uint64_t id = 0;
	unsigned n = 0;
	struct ike_sa *sa;

	ike_tab.draining = true;
	while ((sa = ike_sa_next(id)) != NULL) {
		bool up = sa->state == IKE_SA_ESTABLISHED || sa->state == IKE_SA_REKEYING;

		id = sa->id;
		if (sa->state == IKE_SA_DEAD || sa->state == IKE_SA_DELETING)
			continue;
		/* the deleters drop a half-open SA silently and send DELETEs
		 * for an established one */
		if (ike_sa_delete(sa->id, why) == 0 && up)
			n++;
		else if (sa->state != IKE_SA_DEAD)
			ike_sa_kill(sa, why);
	}
	return n;
}

bool ike_sa_draining(void)
{
	return ike_tab.draining;
}

unsigned ike_sa_live(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < ike_tab.n; i++)
		n += ike_tab.sa[i]->state != IKE_SA_DEAD;
	return n;
}

struct ike_child *ike_sa_child_new(struct ike_sa *sa)
{
	for (unsigned i = 0; i < IKE_CHILD_MAX; i++) {
		struct ike_child *c = &sa->child[i];

		if (!c->used) {
			memset(c, 0, sizeof(*c));
			c->used = true;
			c->h_in = c->h_out = DP_SA_INVALID;
			return c;
		}
	}
	return NULL;
}

struct ike_child *ike_sa_child_by_spi_in(struct ike_sa *sa, uint32_t spi_in)
{
	for (unsigned i = 0; i < IKE_CHILD_MAX; i++)
		if (sa->child[i].used && sa->child[i].spi_in == spi_in)
			return &sa->child[i];
	return NULL;
}

struct ike_child *ike_sa_child_by_spi_out(struct ike_sa *sa, uint32_t spi_out)
{
	for (unsigned i = 0; i < IKE_CHILD_MAX; i++)
		if (sa->child[i].used && sa->child[i].spi_out == spi_out)
			return &sa->child[i];
	return NULL;
}

void ike_sa_child_remove(struct ike_sa *sa, struct ike_child *c)
{
	(void)sa;
	if (!c->used)
		return;
	if (c->installed)
		cp_sa_retire_pair(c->h_in, c->h_out);
	memset(c, 0, sizeof(*c));
	c->h_in = c->h_out = DP_SA_INVALID;
}

unsigned ike_sa_child_count(const struct ike_sa *sa)
{
	unsigned n = 0;

	for (unsigned i = 0; i < IKE_CHILD_MAX; i++)
		n += sa->child[i].used;
	return n;
}

void ike_sa_kill(struct ike_sa *sa, const char *why)
{
	if (sa->state == IKE_SA_DEAD)
		return;
	ike_rev_index_del(sa);
	ike_sa_retire_children(sa);
	if (sa->pki_handle != 0) {
		pki_verify_cancel(sa->pki_handle);
		sa->pki_handle = 0;
	}
	if (why != NULL)
		snprintf(sa->reason, sizeof(sa->reason), "%s", why);
	ike_sa_state(sa, IKE_SA_DEAD, why);
}

/* Collect the fast-path handles of sa's children into h and free the
 * slots.  Returns how many handles were written (at most 2 * IKE_CHILD_MAX). */
static unsigned ike_sa_take_children(struct ike_sa *sa, uint32_t *h)
{
	unsigned k = 0;

	for (unsigned c = 0; c < IKE_CHILD_MAX; c++) {
		struct ike_child *ch = &sa->child[c];

		if (!ch->used)
			continue;
		if (ch->installed && ch->h_in != DP_SA_INVALID)
			h[k++] = ch->h_in;
		if (ch->installed && ch->h_out != DP_SA_INVALID)
			h[k++] = ch->h_out;
		memset(ch, 0, sizeof(*ch));
		ch->h_in = ch->h_out = DP_SA_INVALID;
	}
	return k;
}

unsigned ike_sa_retire_children_batch(struct ike_sa *const *sas, unsigned n)
{
	uint32_t one[2 * IKE_CHILD_MAX];
	uint32_t *h = malloc((size_t)n * 2 * IKE_CHILD_MAX * sizeof(*h) + 1);
	unsigned k = 0, done = 0;

	if (h == NULL) {
		/* no memory for one batch: SA by SA, still before any DELETE */
		for (unsigned i = 0; i < n; i++)
			done += cp_sa_retire_batch(one, ike_sa_take_children(sas[i], one));
		return done;
	}
	for (unsigned i = 0; i < n; i++)
		k += ike_sa_take_children(sas[i], h + k);
	done = cp_sa_retire_batch(h, k);
	free(h);
	return done;
}

void ike_sa_set_peer_chain(struct ike_sa *sa, const struct pki_verify_result *res)
{
	unsigned n = res->n_chain < PKI_MAX_CHAIN ? res->n_chain : PKI_MAX_CHAIN;

	sa->peer_cert = res->ee;
	sa->trustpoint = res->trustpoint;
	for (unsigned i = 0; i < n; i++) {
		sa->chain[i].issuer = res->chain[i].issuer;
		sa->chain[i].serial = res->chain[i].serial;
	}
	sa->n_chain = (uint8_t)n;
}

void ike_sa_copy_peer_chain(struct ike_sa *sa, const struct ike_sa *old)
{
	sa->peer_cert = old->peer_cert;
	sa->trustpoint = old->trustpoint;
	memcpy(sa->chain, old->chain, sizeof(sa->chain));
	sa->n_chain = old->n_chain;
}

void ike_sa_reap(void)
{
	unsigned k = 0;

	for (unsigned i = 0; i < ike_tab.n; i++) {
		struct ike_sa *sa = ike_tab.sa[i];

		if (sa->state == IKE_SA_DEAD) {
			ike_sa_idx_del(ike_tab.idx, ike_sa_home_local, sa);
			if (sa->role == IKE_RESPONDER && sa->id <= ike_tab.iidx_upto)
				ike_sa_idx_del(ike_tab.iidx, ike_sa_home_spi_i, sa);
			ike_sa_free(sa);
		} else {
			ike_tab.sa[k++] = sa;
		}
	}
	for (unsigned i = k; i < ike_tab.n; i++)
		ike_tab.sa[i] = NULL;
	ike_tab.n = k;
}

static bool ike_sa_spi_in_used(uint32_t spi)
{
	for (unsigned i = 0; i < ike_tab.n; i++)
		for (unsigned c = 0; c < IKE_CHILD_MAX; c++)
			if (ike_tab.sa[i]->child[c].used && ike_tab.sa[i]->child[c].spi_in == spi)
				return true;
	return false;
}

uint32_t ike_sa_child_spi_alloc(void)
{
	uint32_t spi;

	do {
		if (RAND_bytes((uint8_t *)&spi, sizeof(spi)) != 1)
			return 0;
	} while (spi < 256 || ike_sa_spi_in_used(spi));
	return spi;
}

/* ---- configuration reload ---- */

const struct cfg_peer *ike_sa_cfg_peer(const struct gw_cfg *cfg, const struct ike_sa *sa)
{
	if (cfg == NULL || sa->peer < 0 || (unsigned)sa->peer >= cfg->n_peers + ike_sa_n_removed)
		return NULL;
	return &cfg->peers[sa->peer];
}

const struct cfg_trustpoint *ike_sa_cfg_trustpoint(const struct gw_cfg *cfg,
						   const struct ike_sa *sa)
{
	if (cfg == NULL || sa->trustpoint < 0 || (unsigned)sa->trustpoint >= cfg->pki.n_trustpoints)
		return NULL;
	return &cfg->pki.trustpoints[sa->trustpoint];
}

void ike_sa_set_removed_peers(unsigned n)
{
	ike_sa_n_removed = n;
}

unsigned ike_sa_removed_peers(void)
{
	return ike_sa_n_removed;
}

static int ike_sa_map(const int *map, unsigned n, int idx)
{
	return idx >= 0 && (unsigned)idx < n ? map[idx] : -1;
}

unsigned ike_sa_remap(const int *peer_map, unsigned n_peer, const int *tp_map, unsigned n_tp)
{
	unsigned n = 0;

	for (unsigned i = 0; i < ike_tab.n; i++) {
		struct ike_sa *sa = ike_tab.sa[i];

		if (sa->state == IKE_SA_DEAD)
			continue;
		if (sa->peer >= 0)
			sa->peer = ike_sa_map(peer_map, n_peer, sa->peer);
		if (sa->trustpoint >= 0)
			sa->trustpoint = ike_sa_map(tp_map, n_tp, sa->trustpoint);
		n++;
	}
	return n;
}
