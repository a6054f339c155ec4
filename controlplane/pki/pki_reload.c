/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PKI's part of a configuration reload (pki.h, controlplane/
 * cp_reload.c).  The check loads every CA file and identity of the new
 * configuration aside, as pki_init would (a file that does not load
 * refuses the reload with its configuration line), and compares
 * fingerprints (pki_tp.c) and settings with what runs:
 *
 *   trustpoints equal (names, order, settings, CA certificates) and
 *   identities equal: nothing but the configuration's address changes
 *   (RETARGET);
 *   trustpoints equal, identities not (a certificate or key rotated, one
 *   added or removed): the identities are swapped; new IKE SAs
 *   authenticate with them, established ones are not touched (IDENTITIES);
 *   trustpoints differ (a CA file's content, a URL, revocation_check,
 *   hold_is_revoked, an interval, one added, removed or moved), or the PKI
 *   comes or goes: pki_fini + pki_init (RESTART; controlplane/cp_loop.c),
 *   which re-reads the CRLs from each trustpoint's crl_cache_dir and
 *   prefetches again.  Established sessions stay; a verification pending
 *   at that moment fails ("PKI shutting down") and its peer retries.
 *
 * The text of the last load error is kept here for the check's message.
 * CP thread only.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg/cfg_diff.h"
#include "common/gw_log.h"
#include "controlplane/pki/pki_internal.h"
#include "controlplane/pki/pki_vcache.h"

static char pki_load_err[CFG_ERR_MAX];

void pki_load_error_set(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(pki_load_err, sizeof(pki_load_err), fmt, ap);
	va_end(ap);
}

const char *pki_load_error(void)
{
	return pki_load_err;
}

void pki_load_error_clear(void)
{
	pki_load_err[0] = '\0';
}

/* What a reload check loaded aside (freed before it returns). */
struct pki_reload_set {
	struct pki_tp tps[CFG_MAX_TRUSTPOINTS];
	unsigned n_tps;
	struct pki_identity ids[CFG_MAX_IDENTITIES];
	unsigned n_ids;
};

static int pki_reload_fail(char *err, size_t len, const char *file, int line, const char *what)
{
	const char *why = pki_load_error();

	snprintf(err, len, "%s:%d: %s does not load (%s)", file, line, what,
		 why[0] != '\0' ? why : "out of memory");
	return -EINVAL;
}

/* Load cfg's files into s one entry at a time, so that a failure names
 * its entry.  0 or -EINVAL with err set. */
static int pki_reload_load(const struct cfg_pki *cfg, struct pki_reload_set *s, const char *file,
			   char *err, size_t len)
{
	char what[CFG_NAME_MAX + 16];

	for (unsigned i = 0; i < cfg->n_trustpoints; i++) {
		pki_load_error_clear();
		s->n_tps = i + 1;	/* freed even when partial */
		if (pki_tp_load_one(&s->tps[i], &cfg->trustpoints[i]) != 0) {
			snprintf(what, sizeof(what), "trustpoint %s", cfg->trustpoints[i].name);
			return pki_reload_fail(err, len, file, cfg->trustpoints[i].line, what);
		}
	}
	for (unsigned i = 0; i < cfg->n_identities; i++) {
		pki_load_error_clear();
		if (pki_tp_load_identity(&cfg->identities[i], &s->ids[i], s->ids, i) != 0)
			return pki_reload_fail(err, len, file, cfg->identities[i].line, "identity");
		s->n_ids = i + 1;
	}
	return 0;
}

static bool pki_reload_tps_same(const struct cfg_pki *cfg, const struct pki_reload_set *s,
				unsigned *cas_changed)
{
	bool same = pki_tp_count() == s->n_tps;

	*cas_changed = 0;
	for (unsigned i = 0; i < s->n_tps; i++) {
		int k = pki_tp_find(s->tps[i].name);
		const struct pki_tp *t = k >= 0 ? pki_tp_get((unsigned)k) : NULL;

		if (t != NULL && memcmp(t->fp, s->tps[i].fp, PKI_FP_LEN) != 0)
			(*cas_changed)++;
		if (t == NULL || (unsigned)k != i || memcmp(t->fp, s->tps[i].fp, PKI_FP_LEN) != 0 ||
		    !cfg_trustpoint_same(t->cfg, &cfg->trustpoints[i]))
			same = false;
	}
	return same;
}

static unsigned pki_reload_ids_changed(const struct pki_reload_set *s)
{
	unsigned n_run = pki_identity_count(), changed = 0;

	for (unsigned i = 0; i < s->n_ids || i < n_run; i++) {
		const struct pki_identity *run = pki_identity_get(i);

		changed += i >= s->n_ids || run == NULL ||
			   memcmp(run->fp, s->ids[i].fp, PKI_FP_LEN) != 0;
	}
	return changed;
}

int pki_reload_check(const struct cfg_pki *cfg, const char *file, struct pki_reload_plan *plan,
		     char *err, size_t len)
{
	struct pki_reload_set *s = calloc(1, sizeof(*s));
	bool tps_same;
	int ret;

	memset(plan, 0, sizeof(*plan));
	if (s == NULL) {
		snprintf(err, len, "%s:1: out of memory checking the PKI files", file);
		return -ENOMEM;
	}
	plan->on_before = pki_is_running();
	plan->on_after = cfg->n_trustpoints > 0 || cfg->n_identities > 0;
	ret = pki_reload_load(cfg, s, file, err, len);
	if (ret != 0)
		goto out;
	tps_same = pki_reload_tps_same(cfg, s, &plan->cas_changed);
	plan->ids_changed = pki_reload_ids_changed(s);
	if (plan->on_before != plan->on_after || (plan->on_after && !tps_same))
		plan->action = PKI_RELOAD_RESTART;
	else if (plan->ids_changed > 0)
		plan->action = PKI_RELOAD_IDENTITIES;
	else
		plan->action = PKI_RELOAD_RETARGET;
out:
	pki_tp_unload_set(s->tps, &s->n_tps, s->ids, &s->n_ids);
	free(s);
	return ret;
}

int pki_reload_apply(const struct cfg_pki *cfg, const struct pki_reload_plan *plan)
{
	int ret;

	if (!pki_is_running() || plan->action == PKI_RELOAD_RESTART)
		return 0;
	if (plan->action == PKI_RELOAD_IDENTITIES) {
		ret = pki_tp_identities_swap(cfg);
		if (ret != 0)
			return ret;
		GW_LOG(pki, NOTICE, "reload: %u identity(ies) replaced; established sessions "
		       "keep theirs", plan->ids_changed);
	}
	pki_tp_retarget(cfg);
	pki_expiry_retarget(cfg);
	/* entries name the trustpoint by its configuration's address */
	pki_vcache_flush();
	if (plan->action == PKI_RELOAD_IDENTITIES)
		pki_expiry_scan(pki_crl_now());
	return 0;
}
