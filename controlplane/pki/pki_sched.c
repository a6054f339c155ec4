/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * When to download CRLs, per trustpoint and URL (the configured complete
 * and delta URLs, then the CDPs learnt from peer certificates):
 *
 *   prefetch   with crl_prefetch, every URL at the first tick, then
 *   refresh    every crl_refresh_interval, and earlier ahead of the CRL's
 *              nextUpdate: at nextUpdate minus a tenth of what was left of
 *              its lifetime when it was fetched; never sooner than
 *              crl_min_download_interval from now;
 *   on demand  pki_sched_want(): a verification needs a CRL.  Requests
 *              inside crl_min_download_interval of the last download of a
 *              URL share it: they join the one in flight, or take the
 *              result of the one that finished (coalesced, not refused);
 *   operator   pki_sched_want(forced): skips the interval, still joins a
 *              download in flight;
 *   retry      a failed or rejected download of a prefetched URL is tried
 *              again after PKI_SCHED_BACKOFF_MIN_S, doubling up to the
 *              refresh interval.  The held CRL stays in force meanwhile:
 *              nothing here touches the store.
 *
 * Times are pki_crl_now() seconds (wall clock, as nextUpdate is).  A due
 * time further ahead than the refresh interval means the clock stepped
 * back: it is pulled in.  CP thread only.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/gw_log.h"
#include "controlplane/pki/pki_internal.h"

enum {
	PKI_SCHED_BACKOFF_MIN_S = 5,
	PKI_SCHED_MAX_URLS = 3 * CFG_MAX_CRL_URLS,	/* complete, delta, learnt */
	PKI_SCHED_AHEAD_DIV = 10,	/* refresh at nextUpdate - remaining / 10 */
};

struct pki_sched_url {
	char url[CFG_URL_MAX];
	bool delta;
	bool in_flight;
	bool has_issuer;
	struct pki_issuer_id issuer;	/* named by the last CRL from here */
	time_t started;			/* last download started, 0 = never */
	time_t due;			/* next background download, 0 = none */
	uint32_t backoff_s;		/* after a failure, 0 = none */
};

struct pki_sched_tp {
	struct pki_sched_url u[PKI_SCHED_MAX_URLS];
	unsigned n;
	uint64_t started, coalesced, forced, retries;
};

static struct pki_sched_tp pki_sched_tps[CFG_MAX_TRUSTPOINTS];
static unsigned pki_sched_ntp;

static const struct cfg_trustpoint *pki_sched_cfg(unsigned tp)
{
	return pki_tp_get(tp)->cfg;
}

static struct pki_sched_url *pki_sched_find(unsigned tp, const char *url)
{
	struct pki_sched_tp *s = &pki_sched_tps[tp];

	for (unsigned i = 0; i < s->n; i++)
		if (strcmp(s->u[i].url, url) == 0)
			return &s->u[i];
	return NULL;
}

static void pki_sched_add(unsigned tp, const char *url, bool delta, time_t now)
{
	struct pki_sched_tp *s = &pki_sched_tps[tp];
	struct pki_sched_url *u;

	if (url[0] == '\0' || pki_sched_find(tp, url) != NULL || s->n >= PKI_SCHED_MAX_URLS)
		return;
	u = &s->u[s->n++];
	memset(u, 0, sizeof(*u));
	snprintf(u->url, sizeof(u->url), "%s", url);
	u->delta = delta;
	u->due = pki_sched_cfg(tp)->crl_prefetch ? now : 0;
}

/* Pick up CDPs learnt since the last look (pki_verify.c adds them). */
static void pki_sched_sync(unsigned tp, time_t now)
{
	const struct pki_tp *t = pki_tp_get(tp);

	for (unsigned i = 0; i < t->n_learnt_urls && i < CFG_MAX_CRL_URLS; i++)
		pki_sched_add(tp, t->learnt_urls[i], false, now);
}

int pki_sched_init(void)
{
	time_t now = pki_crl_now();

	memset(pki_sched_tps, 0, sizeof(pki_sched_tps));
	pki_sched_ntp = pki_tp_count() < CFG_MAX_TRUSTPOINTS ? pki_tp_count() : CFG_MAX_TRUSTPOINTS;
	for (unsigned tp = 0; tp < pki_sched_ntp; tp++) {
		const struct cfg_trustpoint *c = pki_sched_cfg(tp);

		for (unsigned i = 0; i < c->n_crl_urls && i < CFG_MAX_CRL_URLS; i++)
			pki_sched_add(tp, c->crl_urls[i], false, now);
		for (unsigned i = 0; i < c->n_crl_delta_urls && i < CFG_MAX_CRL_URLS; i++)
			pki_sched_add(tp, c->crl_delta_urls[i], true, now);
		pki_sched_sync(tp, now);
	}
	return 0;
}

static int pki_sched_start(unsigned tp, struct pki_sched_url *u, time_t now, const char *why)
{
	const struct cfg_trustpoint *c = pki_sched_cfg(tp);
	int ret = pki_fetch_start(tp, u->url, c->crl_download_timeout, c->crl_max_size);

	if (ret != 0 && ret != -EALREADY) {
		GW_LOG(pki, WARNING, "trustpoint %s: cannot start the download of %s: %s",
		       c->name, u->url, strerror(-ret));
		return ret;
	}
	u->in_flight = true;
	u->started = now;
	u->due = 0;
	if (ret == 0) {
		pki_sched_tps[tp].started++;
		GW_LOG(pki, INFO, "trustpoint %s: downloading %s (%s)", c->name, u->url, why);
	}
	return 0;
}

int pki_sched_want(unsigned tp, bool forced)
{
	struct pki_sched_tp *s;
	time_t now = pki_crl_now();
	unsigned served = 0;
	int err = 0;

	if (tp >= pki_sched_ntp || pki_tp_get(tp) == NULL)
		return -ENOENT;
	s = &pki_sched_tps[tp];
	pki_sched_sync(tp, now);
	if (s->n == 0)
		return -EINVAL;
	if (forced)
		s->forced++;
	for (unsigned i = 0; i < s->n; i++) {
		struct pki_sched_url *u = &s->u[i];
		uint32_t gap = pki_sched_cfg(tp)->crl_min_download_interval;
		int ret;

		if (u->in_flight ||
		    (!forced && u->started != 0 && now >= u->started && now - u->started < gap)) {
			s->coalesced++;		/* joined, or the last result stands */
			served++;
			continue;
		}
		ret = pki_sched_start(tp, u, now, forced ? "operator request" : "needed now");
		if (ret == 0)
			served++;
		else
			err = ret;
	}
	return served > 0 ? 0 : err;
}

/* pki.h: the operator's "crypto pki crl request TRUSTPOINT". */
int pki_crl_request(const char *trustpoint)
{
	int tp = trustpoint != NULL ? pki_tp_find(trustpoint) : -1;

	if (tp < 0)
		return -ENOENT;
	return pki_sched_want((unsigned)tp, true);
}

void pki_sched_issuer(unsigned tp, const char *url, const struct pki_issuer_id *issuer)
{
	struct pki_sched_url *u = tp < pki_sched_ntp ? pki_sched_find(tp, url) : NULL;

	if (u != NULL) {
		u->issuer = *issuer;
		u->has_issuer = true;
	}
}

/* After an accepted CRL: the next refresh of u. */
static time_t pki_sched_refresh_at(unsigned tp, const struct pki_sched_url *u, time_t now)
{
	const struct cfg_trustpoint *c = pki_sched_cfg(tp);
	time_t due = now + (time_t)c->crl_refresh_interval;
	time_t soonest = now + (time_t)(c->crl_min_download_interval > 0 ?
					c->crl_min_download_interval : 1);
	time_t next = u->has_issuer && !u->delta ? pki_crl_next_update(tp, &u->issuer) : 0;

	if (next > now) {
		time_t ahead = next - (next - now) / PKI_SCHED_AHEAD_DIV;

		if (ahead < due)
			due = ahead;
	}
	return due > soonest ? due : soonest;
}

void pki_sched_done(unsigned tp, const char *url, enum pki_crl_verdict v)
{
	struct pki_sched_url *u = tp < pki_sched_ntp ? pki_sched_find(tp, url) : NULL;
	const struct cfg_trustpoint *c;
	time_t now = pki_crl_now();

	if (u == NULL)
		return;
	c = pki_sched_cfg(tp);
	u->in_flight = false;
	if (v == PKI_CRL_NEW || v == PKI_CRL_UNCHANGED) {
		u->backoff_s = 0;
		u->due = c->crl_prefetch ? pki_sched_refresh_at(tp, u, now) : 0;
		return;
	}
	u->backoff_s = u->backoff_s == 0 ? PKI_SCHED_BACKOFF_MIN_S : u->backoff_s * 2;
	if (u->backoff_s > c->crl_refresh_interval && c->crl_refresh_interval > 0)
		u->backoff_s = c->crl_refresh_interval;
	if (c->crl_prefetch) {
		u->due = now + (time_t)u->backoff_s;
		GW_LOG(pki, NOTICE, "trustpoint %s: %s: %s; the held CRL stays in force, retry in %u s",
		       c->name, url, pki_crl_verdict_str(v), u->backoff_s);
	}
}

bool pki_sched_in_flight(unsigned tp)
{
	const struct pki_sched_tp *s = tp < pki_sched_ntp ? &pki_sched_tps[tp] : NULL;

	for (unsigned i = 0; s != NULL && i < s->n; i++)
		if (s->u[i].in_flight)
			return true;
	return false;
}

static void pki_sched_tick_tp(unsigned tp, time_t now)
{
	const struct cfg_trustpoint *c = pki_sched_cfg(tp);
	struct pki_sched_tp *s = &pki_sched_tps[tp];

	pki_sched_sync(tp, now);
	for (unsigned i = 0; i < s->n; i++) {
		struct pki_sched_url *u = &s->u[i];
		bool retry = u->backoff_s != 0;

		if (u->in_flight || u->due == 0)
			continue;
		if (c->crl_refresh_interval > 0 && u->due - now > (time_t)c->crl_refresh_interval)
			u->due = now + (time_t)c->crl_refresh_interval;	/* clock stepped back */
		if (now < u->due)
			continue;
		if (pki_sched_start(tp, u, now, retry ? "retry" : u->started == 0 ? "prefetch"
				    : "refresh") == 0) {
			s->retries += retry;
		} else {
			u->due = now + PKI_SCHED_BACKOFF_MIN_S;
		}
	}
}

void pki_sched_tick(time_t now)
{
	for (unsigned tp = 0; tp < pki_sched_ntp; tp++)
		if (pki_tp_get(tp) != NULL && pki_sched_cfg(tp)->crl_prefetch)
			pki_sched_tick_tp(tp, now);
}

int pki_sched_get(unsigned tp, struct pki_sched_info *out)
{
	const struct pki_sched_tp *s;

	if (tp >= pki_sched_ntp)
		return -ENOENT;
	s = &pki_sched_tps[tp];
	memset(out, 0, sizeof(*out));
	out->n_urls = s->n;
	out->started = s->started;
	out->coalesced = s->coalesced;
	out->forced = s->forced;
	out->retries = s->retries;
	for (unsigned i = 0; i < s->n; i++) {
		const struct pki_sched_url *u = &s->u[i];

		out->in_flight += u->in_flight;
		if (u->due != 0 && !u->in_flight && (out->next_due == 0 || u->due < out->next_due))
			out->next_due = u->due;
		if (u->backoff_s > out->backoff_s)
			out->backoff_s = u->backoff_s;
	}
	return 0;
}
