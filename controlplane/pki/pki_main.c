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
	return 0;
fetch_fini:
	pki_fetch_fini();
crl_fini:
	pki_crl_fini();
unload_tp:
	pki_tp_unload();
out:
	GW_LOG(pki, ERR, "PKI start failed: %s", strerror(-rc));
	return rc;
}

void pki_tick(uint64_t now_ms)
{
	if (!pki_running)
		return;
	pki_sched_tick(pki_crl_now());	/* CRL times are wall-clock */
	pki_verify_tick(now_ms);
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
}
