/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CP_RELOAD_H
#define GW_CP_RELOAD_H

/*
 * Live reconfiguration: SIGHUP (systemctl reload) and /ipsecgw/reload
 * re-read the file the gateway started with, validate it whole (cfg_load,
 * then every key, certificate and CA file as --check loads them), and
 * apply only the difference (cfg/cfg_diff.h): peers added, removed and
 * changed, trustpoints, identities, policies, the crypto switches,
 * log_level and events.  Anything invalid, or a change that needs a
 * restart, rejects the whole reload with "FILE:LINE: ..." lines and
 * changes nothing.  The steps and what each touches: cp_reload.c.
 *
 * Telemetry: /ipsecgw/reload (audited) runs one and answers with its
 * report; /ipsecgw/reload/status is the last report and the totals.
 * Every reload is logged, counted and raised as an event (event=reload,
 * see cp_reload_tm.c).
 *
 * CP thread only.
 */

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "cfg/cfg.h"

enum cp_reload_trigger {
	CP_RELOAD_SIGHUP,
	CP_RELOAD_TELEMETRY,
};

#define CP_RELOAD_RESULTS(X) \
	X(APPLIED, "applied") \
	X(UNCHANGED, "unchanged") \
	X(REJECTED, "rejected")

enum cp_reload_result {
#define X(n, s) CP_RELOAD_##n,
	CP_RELOAD_RESULTS(X)
#undef X
	CP_RELOAD_RESULT_MAX
};

enum { CP_RELOAD_ERRORS = 8 };		/* error lines kept in a report */

/* What one reload did. */
struct cp_reload_report {
	uint64_t id;				/* from 1 */
	enum cp_reload_trigger trigger;
	enum cp_reload_result result;
	time_t when;				/* wall clock at the start */
	uint64_t duration_us;			/* file read to the last step */
	unsigned peers_kept, peers_added, peers_removed, peers_changed;
	unsigned sessions_deleted;		/* of removed and changed peers */
	unsigned sessions_kept;			/* remapped onto the new configuration */
	unsigned peers_initiated;		/* added / changed with initiate = "start" */
	unsigned trustpoints_added, trustpoints_removed, trustpoints_changed;
	unsigned cas_changed;			/* trustpoints whose CA certificates changed */
	unsigned identities_changed;		/* certificate, chain or key */
	const char *pki;			/* "none", "unchanged", "identities", "restarted",
						 * "stopped" (the PKI removed) */
	bool policies_changed, crypto_changed, log_level_changed, events_changed;
	bool ikev2_drp_changed, isakmp_drp_changed;	/* disconnect_revoked_peers */
	unsigned n_errors;			/* all of them; the first CP_RELOAD_ERRORS kept */
	char errors[CP_RELOAD_ERRORS][CFG_ERR_MAX];
};

/* At cp_init: the configuration the gateway started with (the caller's;
 * never freed here).  0 or -errno (telemetry registration). */
int cp_reload_init(const struct gw_cfg *cfg);
/* At cp_fini, after every module that reads the configuration: free what
 * reloads loaded. */
void cp_reload_fini(void);
/* The configuration in force (NULL before cp_reload_init). */
const struct gw_cfg *cp_reload_cfg(void);

/* Reload now; *out (may be NULL) gets the report.  Returns its result. */
enum cp_reload_result cp_reload_run(enum cp_reload_trigger trigger, struct cp_reload_report *out);

/* The last report (0), or -ENOENT before the first reload. */
int cp_reload_last(struct cp_reload_report *out);
/* Reloads so far by result (enum cp_reload_result). */
uint64_t cp_reload_count(enum cp_reload_result r);
const char *cp_reload_result_str(enum cp_reload_result r);
const char *cp_reload_trigger_str(enum cp_reload_trigger t);

/* cp_reload_tm.c: /ipsecgw/reload and /ipsecgw/reload/status (0 or
 * -errno), and the report's log lines and event. */
int cp_reload_tm_register(void);
void cp_reload_announce(const struct cp_reload_report *r);

#endif /* GW_CP_RELOAD_H */
