/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The CRL store: per issuer and scope the latest complete CRL and the
 * latest delta, each as our own serial index, with the numbering rules,
 * change detection, "CRL updated" events and the counters behind "show
 * crypto pki crls" (the answers are in pki_crl_status.c).  CP thread only.
 *
 * Issuers are shared by the trustpoints: a CA listed in two trustpoints
 * has one entry, pinned to the CA's key (another CA certificate with the
 * same name and key id but another key cannot replace its CRLs), whose
 * cache directory is that of the trustpoint that last installed a CRL of
 * it.  certificateHold counts as revoked for it when any trustpoint of the
 * CA says hold_is_revoked, unless the question names the trustpoint.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/x509v3.h>

#include "common/gw_event.h"
#include "common/gw_log.h"
#include "controlplane/pki/pki_crl.h"

static struct pki_crl_entry **pki_crl_entries;	/* id = index + 1 */
static unsigned pki_crl_n, pki_crl_cap;
static uint64_t pki_crl_totals[PKI_CRL_VERDICT_MAX];
static time_t pki_crl_pinned;

time_t pki_crl_now(void)
{
	return pki_crl_pinned ? pki_crl_pinned : time(NULL);
}

void pki_crl_set_now(time_t t)
{
	pki_crl_pinned = t;
}

int pki_crl_init(void)
{
	pki_crl_fini();
	memset(pki_crl_totals, 0, sizeof(pki_crl_totals));
	return 0;
}

static void pki_crl_held_clear(struct pki_crl_held *h)
{
	pki_crl_index_free(h->ix);
	GENERAL_NAMES_free(h->idp_names);
	memset(h, 0, sizeof(*h));
}

void pki_crl_fini(void)
{
	unsigned i, s;

	for (i = 0; i < pki_crl_n; i++) {
		for (s = 0; s < PKI_CRL_SCOPE_MAX; s++) {
			pki_crl_held_clear(&pki_crl_entries[i]->held[s][PKI_HELD_COMPLETE]);
			pki_crl_held_clear(&pki_crl_entries[i]->held[s][PKI_HELD_DELTA]);
		}
		free(pki_crl_entries[i]);
	}
	free(pki_crl_entries);
	pki_crl_entries = NULL;
	pki_crl_n = pki_crl_cap = 0;
}

void pki_crl_counts(uint64_t out[PKI_CRL_VERDICT_MAX])
{
	memcpy(out, pki_crl_totals, sizeof(pki_crl_totals));
}

struct pki_crl_entry *pki_crl_find(const struct pki_issuer_id *issuer)
{
	unsigned i;

	for (i = 0; i < pki_crl_n; i++)
		if (!pki_crl_entries[i]->anon &&
		    !memcmp(&pki_crl_entries[i]->issuer, issuer, sizeof(*issuer)))
			return pki_crl_entries[i];
	return NULL;
}

/*
 * What the trustpoints say about the CA of a new entry: the key its CRLs
 * are pinned to, that of the first CA certificate with this id in
 * configuration order (so that a twin in a later trustpoint cannot pin
 * it first), else p's; and whether any of them counts certificateHold as
 * revoked (also when none is found: fail closed).
 */
static void pki_crl_entry_policy(struct pki_crl_entry *e, const struct pki_crl_parsed *p)
{
	struct pki_issuer_id id;
	bool pinned = false, found = false;

	e->hold_any = false;
	for (unsigned tp = 0; tp < pki_tp_count(); tp++) {
		const struct pki_tp *t = pki_tp_get(tp);

		for (int i = 0; i < sk_X509_num(t->cas); i++) {
			X509 *ca = sk_X509_value(t->cas, i);

			if (pki_id_of_ca_subject(ca, &id) != 0 ||
			    memcmp(&id, &e->issuer, sizeof(id)) != 0)
				continue;
			found = true;
			e->hold_any |= t->cfg->hold_is_revoked;
			if (!pinned)
				pinned = pki_crl_ca_key(ca, e->ca_key) == 0;
		}
	}
	if (!found)
		e->hold_any = true;
	if (!pinned)
		memcpy(e->ca_key, p->ca_key, sizeof(e->ca_key));
}

/* A new, zeroed entry at the end of the list, or NULL. */
static struct pki_crl_entry *pki_crl_entry_new(void)
{
	struct pki_crl_entry *e, **grown;

	if (pki_crl_n == pki_crl_cap) {
		unsigned cap = pki_crl_cap ? 2 * pki_crl_cap : 8;

		grown = realloc(pki_crl_entries, cap * sizeof(*grown));
		if (grown == NULL)
			return NULL;
		pki_crl_entries = grown;
		pki_crl_cap = cap;
	}
	e = calloc(1, sizeof(*e));
	if (e != NULL)
		pki_crl_entries[pki_crl_n++] = e;
	return e;
}

/* The anonymous entry of tp's URL source, or NULL. */
static struct pki_crl_entry *pki_crl_entry_anon_of(unsigned tp, const char *source)
{
	for (unsigned i = 0; i < pki_crl_n; i++) {
		struct pki_crl_entry *e = pki_crl_entries[i];

		if (e->anon && e->tp == tp && !strcmp(e->last_source, source))
			return e;
	}
	return NULL;
}

/* A CRL came from source after all: its anonymous entry, if any, goes
 * (the ids of the entries after it move down by one). */
static void pki_crl_entry_anon_drop(unsigned tp, const char *source)
{
	struct pki_crl_entry *e = pki_crl_entry_anon_of(tp, source);
	unsigned i;

	if (e == NULL)
		return;
	for (i = 0; pki_crl_entries[i] != e; i++)
		;
	memmove(&pki_crl_entries[i], &pki_crl_entries[i + 1],
		(pki_crl_n - i - 1) * sizeof(*pki_crl_entries));
	pki_crl_n--;
	free(e);
}

/* A URL of tp that has brought no CRL: its anonymous entry (created on
 * first sight), which carries its counters and last result.  NULL when
 * memory ran out. */
static struct pki_crl_entry *pki_crl_entry_anon(unsigned tp, const char *source)
{
	struct pki_crl_entry *e = pki_crl_entry_anon_of(tp, source);

	if (e != NULL)
		return e;
	e = pki_crl_entry_new();
	if (e == NULL)
		return NULL;
	e->anon = true;
	e->hold_any = true;
	e->tp = tp;
	snprintf(e->issuer_str, sizeof(e->issuer_str), "(no CRL yet)");
	snprintf(e->last_source, sizeof(e->last_source), "%s", source);
	return e;
}

/* The entry of a CRL's issuer (p->ca found), created on first sight: the
 * anonymous entry of the URL it came from, when there is one, becomes it. */
static struct pki_crl_entry *pki_crl_entry_get(unsigned tp, const struct pki_crl_parsed *p,
					       const char *source)
{
	struct pki_crl_entry *e = pki_crl_find(&p->issuer);

	if (e != NULL)
		return e;
	e = pki_crl_entry_anon_of(tp, source);
	if (e == NULL)
		e = pki_crl_entry_new();
	if (e == NULL)
		return NULL;
	e->anon = false;
	e->issuer = p->issuer;
	pki_crl_entry_policy(e, p);
	e->tp = tp;
	snprintf(e->issuer_str, sizeof(e->issuer_str), "%s", p->issuer_str);
	return e;
}

/* The entry a body from source was meant for, when it did not name one. */
static struct pki_crl_entry *pki_crl_entry_by_source(unsigned tp, const char *source)
{
	unsigned i, s;

	for (i = 0; i < pki_crl_n; i++) {
		struct pki_crl_entry *e = pki_crl_entries[i];

		if (e->tp != tp)
			continue;
		if (!strcmp(e->last_source, source))
			return e;
		for (s = 0; s < 2 * PKI_CRL_SCOPE_MAX; s++) {
			const struct pki_crl_held *h = &e->held[s / 2][s % 2];

			if (!strcmp(h->source, source) || !strcmp(h->origin, source))
				return e;
		}
	}
	return NULL;
}

void pki_crl_set_origin(const struct pki_issuer_id *issuer, enum pki_crl_scope scope, bool delta,
			const char *url)
{
	struct pki_crl_entry *e = pki_crl_find(issuer);
	struct pki_crl_held *h;

	if (e == NULL || (unsigned)scope >= PKI_CRL_SCOPE_MAX)
		return;
	h = &e->held[scope][delta ? PKI_HELD_DELTA : PKI_HELD_COMPLETE];
	if (h->ix != NULL)
		snprintf(h->origin, sizeof(h->origin), "%s", url);
}

/* ---- numbering (RFC 5280 5.2.3, 5.2.4) ---- */

/* Against the CRL of the same kind held now: new, unchanged or rejected. */
static enum pki_crl_verdict pki_crl_number_vs(const struct pki_crl_held *h,
					      struct pki_crl_parsed *p)
{
	char held[2 * PKI_SERIAL_MAX + 1], got[2 * PKI_SERIAL_MAX + 1];
	int c;

	if (h->ix == NULL)
		return PKI_CRL_NEW;
	c = pki_serial_cmp(&p->number, &h->number);
	if (c > 0)
		return PKI_CRL_NEW;
	pki_serial_hex(&h->number, held, sizeof(held));
	pki_serial_hex(&p->number, got, sizeof(got));
	if (c < 0) {
		snprintf(p->why, sizeof(p->why), "number %s below the held %s", got, held);
		return PKI_CRL_NUMBER_LOWER;
	}
	if (CRYPTO_memcmp(p->digest, h->digest, sizeof(h->digest)) == 0)
		return PKI_CRL_UNCHANGED;
	snprintf(p->why, sizeof(p->why), "number %s already held with other content", got);
	return PKI_CRL_NUMBER_REUSED;
}

/* The same distribution point names, in the same order (or none)? */
static bool pki_crl_names_equal(const GENERAL_NAMES *a, const GENERAL_NAMES *b)
{
	int n = sk_GENERAL_NAME_num(a);

	if (n != sk_GENERAL_NAME_num(b))
		return false;
	for (int i = 0; i < n; i++)
		if (GENERAL_NAME_cmp(sk_GENERAL_NAME_value(a, i), sk_GENERAL_NAME_value(b, i)) != 0)
			return false;
	return true;
}

/*
 * Complete and delta CRLs share one numbering.  A delta needs a complete
 * CRL of its scope numbered at least its BaseCRLNumber; one numbered like
 * the complete CRL was issued with it and says nothing more.
 */
static enum pki_crl_verdict pki_crl_number_check(const struct pki_crl_entry *e,
						 struct pki_crl_parsed *p)
{
	const struct pki_crl_held *c = &e->held[p->scope][PKI_HELD_COMPLETE];
	char base[2 * PKI_SERIAL_MAX + 1];
	int cmp;

	if (!p->delta)
		return pki_crl_number_vs(c, p);
	pki_serial_hex(&p->base, base, sizeof(base));
	if (c->ix == NULL || pki_serial_cmp(&c->number, &p->base) < 0) {
		snprintf(p->why, sizeof(p->why), "no complete %s CRL numbered %s or above held",
			 pki_crl_scope_str(p->scope), base);
		return PKI_CRL_DELTA_BASE;
	}
	if (!pki_crl_names_equal(c->idp_names, p->idp_names)) {
		snprintf(p->why, sizeof(p->why), "the delta's distribution point is not that of the "
			 "complete %s CRL held", pki_crl_scope_str(p->scope));
		return PKI_CRL_DELTA_BASE;
	}
	cmp = pki_serial_cmp(&p->number, &c->number);
	if (cmp < 0) {
		snprintf(p->why, sizeof(p->why), "delta older than the complete CRL held");
		return PKI_CRL_NUMBER_LOWER;
	}
	if (cmp == 0)
		return PKI_CRL_UNCHANGED;
	return pki_crl_number_vs(&e->held[p->scope][PKI_HELD_DELTA], p);
}

/* ---- commit ---- */

static void pki_crl_cache_store(const struct pki_tp *tp, const struct pki_crl_parsed *p,
				const char *source)
{
	const char *dir = tp->cfg->crl_cache_dir;
	int rc;

	if (dir[0] == '\0')
		return;
	rc = pki_cache_write_scope(dir, &p->issuer, p->scope, p->delta, p->der, p->der_len);
	if (rc == 0)
		rc = pki_cache_write_origin(dir, &p->issuer, p->scope, p->delta, source);
	if (rc)
		GW_LOG(crl, ERR, "trustpoint %s: cannot cache the CRL of %s in %s: %s", tp->name,
		       p->issuer_str, dir, strerror(-rc));
}

/* Install a checked CRL and its index (taken over). */
static void pki_crl_commit(struct pki_crl_entry *e, unsigned tp, struct pki_crl_parsed *p,
			   struct pki_crl_index *ix, const char *source, bool from_cache)
{
	struct pki_crl_held *h = &e->held[p->scope][p->delta ? PKI_HELD_DELTA : PKI_HELD_COMPLETE];
	struct pki_crl_held *d = &e->held[p->scope][PKI_HELD_DELTA];
	const struct pki_tp *t = pki_tp_get(tp);

	pki_crl_held_clear(h);
	h->ix = ix;
	h->idp_names = p->idp_names;		/* taken over */
	p->idp_names = NULL;
	h->number = p->number;
	h->base = p->base;
	memcpy(h->digest, p->digest, sizeof(h->digest));
	h->this_update = p->this_update;
	h->next_update = p->next_update;
	h->accepted = pki_crl_now();
	snprintf(h->source, sizeof(h->source), "%s", source);
	if (!from_cache)
		snprintf(h->origin, sizeof(h->origin), "%s", source);
	e->tp = tp;
	if (!from_cache)
		pki_crl_cache_store(t, p, source);
	/* A complete CRL numbered like the delta or above covers it; one of
	 * another distribution point leaves it without its base. */
	if (!p->delta && d->ix != NULL && (pki_serial_cmp(&d->number, &p->number) <= 0 ||
					   !pki_crl_names_equal(d->idp_names, h->idp_names))) {
		pki_crl_held_clear(d);
		if (t->cfg->crl_cache_dir[0])
			(void)pki_cache_remove(t->cfg->crl_cache_dir, &p->issuer, p->scope, true);
	}
}

static void pki_crl_log(unsigned tp, const struct pki_crl_parsed *p, const char *source,
			enum pki_crl_verdict v, const struct pki_crl_index *ix)
{
	const struct pki_tp *t = pki_tp_get(tp);
	char num[2 * PKI_SERIAL_MAX + 1];

	pki_serial_hex(&p->number, num, sizeof(num));
	if (v == PKI_CRL_NEW)
		GW_LOG(crl, INFO, "trustpoint %s: %s %s CRL %s of %s from %s: %zu entries%s",
		       t->name, pki_crl_verdict_str(v), p->delta ? "delta" : "complete", num,
		       p->issuer_str, source, pki_crl_index_count(ix),
		       p->skipped ? " (some serials not representable, skipped)" : "");
	else if (v == PKI_CRL_UNCHANGED)
		GW_LOG(crl, DEBUG, "trustpoint %s: CRL %s of %s from %s unchanged", t->name, num,
		       p->issuer_str, source);
	else
		GW_LOG(crl, WARNING, "trustpoint %s: CRL from %s (issuer %s) %s: %s", t->name,
		       source, p->issuer_str[0] ? p->issuer_str : "?", pki_crl_verdict_str(v),
		       p->why);
	if (v != PKI_CRL_UNCHANGED)	/* an accepted CRL has no "why": the list ends there */
		gw_event(v == PKI_CRL_NEW ? GW_EV_CRL_ACCEPTED : GW_EV_CRL_REJECTED, 0,
			 "trustpoint", t->name, "issuer", p->issuer_str, "number", num,
			 "delta", p->delta ? "1" : "0", "source", source,
			 "verdict", pki_crl_verdict_str(v), v == PKI_CRL_NEW ? NULL : "why", p->why,
			 (const char *)NULL);
}

static void pki_crl_account(struct pki_crl_entry *e, const char *source, bool from_cache,
			    enum pki_crl_verdict v)
{
	pki_crl_totals[v]++;
	if (e == NULL)
		return;
	if (!from_cache) {
		e->downloads++;
		e->last_download = pki_crl_now();
		snprintf(e->last_source, sizeof(e->last_source), "%s", source);
	}
	snprintf(e->last_result, sizeof(e->last_result), "%s", pki_crl_verdict_str(v));
	if (v == PKI_CRL_UNCHANGED)
		e->unchanged++;
	else if (v != PKI_CRL_NEW)
		e->rejected++;
}

/* Parse, verify, number-check and index: NEW with *ix, or the verdict. */
static enum pki_crl_verdict pki_crl_prepare(unsigned tp, const struct pki_tp *t,
					    const uint8_t *body, size_t len, const char *source,
					    struct pki_crl_parsed *p, struct pki_crl_entry **e,
					    struct pki_crl_index **ix)
{
	enum pki_crl_verdict v = pki_crl_parse(body, len, t->cfg->crl_max_size, p);

	if (v == PKI_CRL_NEW)
		v = pki_crl_check(t, p, pki_crl_now());
	if (p->ca != NULL) {
		*e = pki_crl_entry_get(tp, p, source);
		if (*e == NULL && v == PKI_CRL_NEW) {
			snprintf(p->why, sizeof(p->why), "out of memory");
			v = PKI_CRL_PARSE;
		}
	}
	/* The issuer's CRLs came from one key: a twin CA certificate (same
	 * name and key id, another key) of another trustpoint cannot replace
	 * them. */
	if (v == PKI_CRL_NEW && CRYPTO_memcmp((*e)->ca_key, p->ca_key, sizeof(p->ca_key)) != 0) {
		snprintf(p->why, sizeof(p->why), "CRLs of \"%s\" with that key id come from "
			 "another CA key (trustpoint %s)", p->issuer_str, pki_tp_get((*e)->tp)->name);
		v = PKI_CRL_ISSUER_UNKNOWN;
	}
	if (v == PKI_CRL_NEW)
		v = pki_crl_number_check(*e, p);
	if (v == PKI_CRL_NEW)
		*ix = pki_crl_build_index(p, &v);
	return v;
}

/* Deltas are fetched from a complete CRL's freshestCRL URLs (RFC 5280
 * 5.2.6) as well as from crl_delta_urls: learn them for tp. */
static void pki_crl_learn_freshest(unsigned tp, const struct pki_crl_parsed *p)
{
	char urls[CFG_MAX_CRL_URLS][CFG_URL_MAX];
	STACK_OF(DIST_POINT) *dps;
	int n;

	if (p->delta || p->crl == NULL)
		return;
	dps = X509_CRL_get_ext_d2i(p->crl, NID_freshest_crl, NULL, NULL);
	if (dps == NULL)
		return;
	n = pki_dp_urls(dps, urls, CFG_MAX_CRL_URLS);
	CRL_DIST_POINTS_free(dps);
	if (n > 0)
		pki_tp_learn_urls(tp, urls, (unsigned)n, "freshestCRL of an accepted CRL");
}

/* "CRL updated (issuer)", stamped with the acceptance time. */
static void pki_crl_announce(const struct pki_crl_entry *e, const struct pki_tp *t,
			     const struct pki_crl_parsed *p)
{
	struct pki_crl_event ev = {
		.issuer = e->issuer,
		.issuer_str = e->issuer_str,
		.trustpoint = t->name,
		.delta = p->delta,
	};
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ev.accepted_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	pki_serial_hex(&p->number, ev.crl_number, sizeof(ev.crl_number));
	pki_event_crl_updated(&ev);
}

enum pki_crl_verdict pki_crl_ingest(unsigned tp, const uint8_t *body, size_t len,
				    const char *source, bool from_cache,
				    struct pki_issuer_id *issuer)
{
	const struct pki_tp *t = pki_tp_get(tp);
	struct pki_crl_entry *e = NULL;
	struct pki_crl_index *ix = NULL;
	struct pki_crl_parsed p;
	enum pki_crl_verdict v;

	if (t == NULL) {
		GW_LOG(crl, ERR, "CRL from %s for trustpoint #%u: no such trustpoint", source, tp);
		pki_crl_totals[PKI_CRL_ISSUER_UNKNOWN]++;
		return PKI_CRL_ISSUER_UNKNOWN;
	}
	v = pki_crl_prepare(tp, t, body, len, source, &p, &e, &ix);
	if (issuer != NULL && p.issuer_known)
		*issuer = p.issuer;
	if (e == NULL)
		e = pki_crl_entry_by_source(tp, source);
	if (e == NULL && !from_cache)
		e = pki_crl_entry_anon(tp, source);
	pki_crl_log(tp, &p, source, v, ix);
	if (v == PKI_CRL_NEW)
		pki_crl_commit(e, tp, &p, ix, source, from_cache);
	pki_crl_account(e, source, from_cache, v);
	if (v == PKI_CRL_NEW || v == PKI_CRL_UNCHANGED) {
		pki_crl_learn_freshest(tp, &p);
		if (!from_cache)
			pki_crl_entry_anon_drop(tp, source);
	}
	/* the parsed CRL (a large one: tens of ms to free) goes before the
	 * acceptance time is stamped; the event needs only its number */
	pki_crl_parsed_free(&p);
	if (v == PKI_CRL_NEW)
		pki_crl_announce(e, t, &p);
	return v;
}

void pki_crl_download_failed(unsigned tp, const char *source, const char *why)
{
	const struct pki_tp *t = pki_tp_get(tp);
	struct pki_crl_entry *e = pki_crl_entry_by_source(tp, source);

	pki_crl_totals[PKI_CRL_DOWNLOAD]++;
	GW_LOG(crl, WARNING, "trustpoint %s: CRL download from %s failed: %s",
	       t ? t->name : "?", source, why);
	if (e == NULL && t != NULL)
		e = pki_crl_entry_anon(tp, source);
	if (e == NULL)
		return;
	e->failed++;
	e->last_download = pki_crl_now();
	snprintf(e->last_result, sizeof(e->last_result), "download failed: %s", why);
}

/* ---- enumeration ---- */

unsigned pki_crl_count(void)
{
	return pki_crl_n;
}

/* The scope shown: "all", else the first partition held. */
static const struct pki_crl_held *pki_crl_shown(const struct pki_crl_entry *e, unsigned delta)
{
	unsigned s;

	for (s = 0; s < PKI_CRL_SCOPE_MAX; s++)
		if (e->held[s][PKI_HELD_COMPLETE].ix != NULL)
			return &e->held[s][delta];
	return NULL;
}

int pki_crl_get(unsigned id, struct pki_crl_info *out)
{
	const struct pki_crl_entry *e;
	const struct pki_crl_held *c, *d;
	const struct pki_tp *t;

	if (id == 0 || id > pki_crl_n)
		return -ENOENT;
	e = pki_crl_entries[id - 1];
	t = pki_tp_get(e->tp);
	c = pki_crl_shown(e, PKI_HELD_COMPLETE);
	d = pki_crl_shown(e, PKI_HELD_DELTA);
	memset(out, 0, sizeof(*out));
	out->id = id;
	snprintf(out->trustpoint, sizeof(out->trustpoint), "%s", t ? t->name : "");
	snprintf(out->issuer, sizeof(out->issuer), "%s", e->issuer_str);
	if (c != NULL) {
		pki_serial_hex(&c->number, out->crl_number, sizeof(out->crl_number));
		out->this_update = c->this_update;
		out->next_update = c->next_update;
		out->entries = pki_crl_index_count(c->ix);
		snprintf(out->source, sizeof(out->source), "%s", c->source);
	} else {
		snprintf(out->source, sizeof(out->source), "%s", e->last_source);
	}
	if (d != NULL && d->ix != NULL)
		pki_serial_hex(&d->number, out->delta_number, sizeof(out->delta_number));
	snprintf(out->last_result, sizeof(out->last_result), "%s", e->last_result);
	out->last_download = e->last_download;
	out->downloads = e->downloads;
	out->unchanged = e->unchanged;
	out->rejected = e->rejected;
	out->failed = e->failed;
	return 0;
}

int pki_crl_current(const struct pki_issuer_id *issuer, struct pki_crl_current *out)
{
	const struct pki_crl_entry *e = pki_crl_find(issuer);
	const struct pki_crl_held *c;
	const struct pki_tp *t;

	memset(out, 0, sizeof(*out));
	if (e == NULL)
		return -ENOENT;
	t = pki_tp_get(e->tp);
	c = pki_crl_shown(e, PKI_HELD_COMPLETE);
	snprintf(out->issuer, sizeof(out->issuer), "%s", e->issuer_str);
	snprintf(out->trustpoint, sizeof(out->trustpoint), "%s", t != NULL ? t->name : "");
	if (c != NULL && c->ix != NULL)
		pki_serial_hex(&c->number, out->crl_number, sizeof(out->crl_number));
	return 0;
}

time_t pki_crl_next_update(unsigned tp, const struct pki_issuer_id *issuer)
{
	const struct pki_crl_entry *e = pki_crl_find(issuer);
	time_t next = 0;
	unsigned s;

	(void)tp;	/* issuers are shared by trustpoints */
	if (e == NULL)
		return 0;
	for (s = 0; s < PKI_CRL_SCOPE_MAX; s++) {
		const struct pki_crl_held *h = &e->held[s][PKI_HELD_COMPLETE];

		if (h->ix != NULL && h->next_update != 0 && (next == 0 || h->next_update < next))
			next = h->next_update;
	}
	return next;
}

size_t pki_crl_index_bytes_of(const struct pki_issuer_id *issuer)
{
	const struct pki_crl_entry *e = pki_crl_find(issuer);
	size_t bytes = 0;
	unsigned s;

	for (s = 0; e != NULL && s < PKI_CRL_SCOPE_MAX; s++)
		bytes += pki_crl_index_bytes(e->held[s][PKI_HELD_COMPLETE].ix) +
			 pki_crl_index_bytes(e->held[s][PKI_HELD_DELTA].ix);
	return bytes;
}
