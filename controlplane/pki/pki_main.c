/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PKI's lifecycle: bring the parts up in order (trustpoints, CRL
 * store, cache, fetchers, scheduler, telemetry), tick them, and take them
 * down in reverse.  CP thread only.
 */
#include <errno.h>
#include <string.h>

#include "common/gw_log.h"
#include "controlplane/pki/pki_internal.h"

static bool pki_running;
static bool pki_tm_registered;	/* DPDK telemetry commands cannot be removed */

/* Reload every trustpoint's cached CRLs, verified again: a restart needs
 * no download before sessions can be checked. */
static void pki_main_load_caches(void)
{
	unsigned tp;
	int rc;

	for (tp = 0; tp < pki_tp_count(); tp++) {
		rc = pki_cache_load(tp);
		if (rc)
			GW_LOG(pki, WARNING, "trustpoint %s: CRL cache not loaded: %s",
			       pki_tp_get(tp)->name, strerror(-rc));
	}
}

int pki_init(const struct cfg_pki *cfg)
{
	int rc;

	if (pki_running)
		return -EALREADY;
	pki_expiry_init(cfg);
	rc = pki_tp_load(cfg);
	if (rc)
		goto out;
	rc = pki_crl_init();
	if (rc)
		goto unload_tp;
	pki_main_load_caches();
	rc = pki_fetch_init();
	if (rc)
		goto crl_fini;
	rc = pki_sched_init();
	if (rc)
		goto fetch_fini;
	if (!pki_tm_registered) {
		rc = pki_tm_register();
		if (rc)
			goto fetch_fini;
		pki_tm_registered = true;
	}
	pki_running = true;
	GW_LOG(pki, INFO, "PKI up: %u trustpoint(s), %u CRL issuer(s) from the cache",
	       pki_tp_count(), pki_crl_count());
	pki_expiry_scan(pki_crl_now());		/* then once a day from pki_tick */
	return 0;
fetch_fini:
	pki_fetch_fini();
crl_fini:
	pki_crl_fini();
unload_tp:
	pki_tp_unload();
out:
	pki_expiry_fini();
	GW_LOG(pki, ERR, "PKI start failed: %s", strerror(-rc));
	return rc;
}

bool pki_is_running(void)
{
	return pki_running;
}

void pki_tick(uint64_t now_ms)
{
	if (!pki_running)
		return;
	pki_sched_tick(pki_crl_now());	/* CRL times are wall-clock */
	pki_verify_tick(now_ms);
	pki_expiry_tick(pki_crl_now());
}

void pki_fini(void)
{
	if (!pki_running)
		return;
	pki_running = false;
	pki_verify_fini();
	pki_fetch_fini();
	pki_crl_fini();
	pki_tp_unload();
	pki_expiry_fini();
}

int pki_check(const struct cfg_pki *cfg)
{
	int rc;

	if (pki_running)
		return -EALREADY;
	if (cfg->n_identities == 0 && cfg->n_trustpoints == 0)
		return 0;
	pki_expiry_init(cfg);
	rc = pki_tp_load(cfg);
	if (rc == 0) {
		GW_LOG(pki, INFO, "PKI files load: %u identity(ies), %u trustpoint(s), "
		       "%u certificate(s)", pki_identity_count(), pki_tp_count(), pki_cert_count());
		pki_expiry_scan(pki_crl_now());
	}
	pki_tp_unload();
	pki_expiry_fini();
	return rc;
}
