/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the operator sees of a reload (cp_reload.h): /ipsecgw/reload runs
 * one and answers with its report, /ipsecgw/reload/status shows the last
 * one and the totals; every reload is logged (one NOTICE summary, each
 * error line at ERR) and raised as an event.  CP thread (cp_tm.c).
 *
 * A report as telemetry:
 *   {"id": 3, "trigger": "telemetry", "result": "applied",
 *    "peers_kept": 1, "peers_added": 1, "peers_removed": 1,
 *    "peers_changed": 0, "sessions_deleted": 1, "sessions_kept": 1,
 *    "peers_initiated": 0, "trustpoints_added": 0, ...,
 *    "pki": "restarted", "policies_changed": 0, ..., "duration_us": 5120,
 *    "errors": []}
 * A rejected one has result "rejected" and its "FILE:LINE: ..." lines in
 * errors; it is still a reply, not a telemetry error.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/gw_event.h"
#include "common/gw_log.h"
#include "controlplane/cp_reload.h"
#include "controlplane/cp_tm.h"

/* ---- the log and the event ---- */

/* The event kind "reload" once common/gw_event.h lists it; until then
 * the audit kind, whose "cmd" key then says reload. */
static enum gw_event_kind cp_reload_event_kind(void)
{
	for (unsigned k = 0; k < GW_EV_MAX; k++)
		if (strcmp(gw_event_name((enum gw_event_kind)k), "reload") == 0)
			return (enum gw_event_kind)k;
	return GW_EV_AUDIT;
}

void cp_reload_announce(const struct cp_reload_report *r)
{
	char added[12], removed[12], changed[12], kept[12], deleted[12], ms[24], first[CFG_ERR_MAX];
	const char *trig = cp_reload_trigger_str(r->trigger);
	const char *res = cp_reload_result_str(r->result);

	snprintf(added, sizeof(added), "%u", r->peers_added);
	snprintf(removed, sizeof(removed), "%u", r->peers_removed);
	snprintf(changed, sizeof(changed), "%u", r->peers_changed);
	snprintf(kept, sizeof(kept), "%u", r->peers_kept);
	snprintf(deleted, sizeof(deleted), "%u", r->sessions_deleted);
	snprintf(ms, sizeof(ms), "%" PRIu64 ".%03" PRIu64, r->duration_us / 1000,
		 r->duration_us % 1000);
	snprintf(first, sizeof(first), "%s", r->n_errors > 0 ? r->errors[0] : "");
	for (unsigned i = 0; i < r->n_errors && i < CP_RELOAD_ERRORS; i++)
		GW_LOG(cp, ERR, "reload %" PRIu64 " (%s): %s", r->id, trig, r->errors[i]);
	GW_LOG(cp, NOTICE, "reload %" PRIu64 " (%s): %s: peers %u kept, %u added, %u removed, "
	       "%u changed; sessions %u deleted, %u kept; trustpoints %u added, %u removed, "
	       "%u changed, %u CA files and %u identities with new content; PKI %s; "
	       "%u error(s); %s ms", r->id, trig, res, r->peers_kept, r->peers_added,
	       r->peers_removed, r->peers_changed, r->sessions_deleted, r->sessions_kept,
	       r->trustpoints_added, r->trustpoints_removed, r->trustpoints_changed,
	       r->cas_changed, r->identities_changed, r->pki, r->n_errors, ms);
	gw_event(cp_reload_event_kind(), r->id, "cmd", "reload", "trigger", trig, "result", res,
		 "peers_added", added, "peers_removed", removed, "peers_changed", changed,
		 "peers_kept", kept, "sessions_deleted", deleted, "pki", r->pki,
		 "duration_ms", ms, "error", first, (const char *)NULL);
}

/* ---- telemetry ---- */

static void cp_reload_tm_report(struct tm_reply *t, const struct cp_reload_report *r)
{
	tm_add_u64(t, "id", r->id);
	tm_add_str(t, "trigger", cp_reload_trigger_str(r->trigger));
	tm_add_str(t, "result", cp_reload_result_str(r->result));
	tm_add_u64(t, "time", (uint64_t)r->when);
	tm_add_u64(t, "duration_us", r->duration_us);
	tm_add_u64(t, "peers_kept", r->peers_kept);
	tm_add_u64(t, "peers_added", r->peers_added);
	tm_add_u64(t, "peers_removed", r->peers_removed);
	tm_add_u64(t, "peers_changed", r->peers_changed);
	tm_add_u64(t, "sessions_deleted", r->sessions_deleted);
	tm_add_u64(t, "sessions_kept", r->sessions_kept);
	tm_add_u64(t, "peers_initiated", r->peers_initiated);
	tm_add_u64(t, "trustpoints_added", r->trustpoints_added);
	tm_add_u64(t, "trustpoints_removed", r->trustpoints_removed);
	tm_add_u64(t, "trustpoints_changed", r->trustpoints_changed);
	tm_add_u64(t, "ca_files_changed", r->cas_changed);
	tm_add_u64(t, "identities_changed", r->identities_changed);
	tm_add_str(t, "pki", r->pki);
	tm_add_u64(t, "policies_changed", r->policies_changed);
	tm_add_u64(t, "crypto_changed", r->crypto_changed);
	tm_add_u64(t, "ikev2_disconnect_revoked_peers_changed", r->ikev2_drp_changed);
	tm_add_u64(t, "isakmp_disconnect_revoked_peers_changed", r->isakmp_drp_changed);
	tm_add_u64(t, "log_level_changed", r->log_level_changed);
	tm_add_u64(t, "events_changed", r->events_changed);
	tm_add_u64(t, "error_count", r->n_errors);
	tm_array_str(t, "errors");
	for (unsigned i = 0; i < r->n_errors && i < CP_RELOAD_ERRORS; i++)
		tm_elem_str(t, r->errors[i]);
}

static int cp_reload_tm_run(const char *params, struct tm_reply *t)
{
	struct cp_reload_report *r;

	if (tm_no_params(t, "/ipsecgw/reload (no parameters)", params) != 0)
		return -1;
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		tm_error(t, "out of memory");
		return -1;
	}
	cp_reload_run(CP_RELOAD_TELEMETRY, r);
	cp_reload_tm_report(t, r);
	free(r);
	return 0;
}

static int cp_reload_tm_status(const char *params, struct tm_reply *t)
{
	struct cp_reload_report *r;

	if (tm_no_params(t, "/ipsecgw/reload/status (no parameters)", params) != 0)
		return -1;
	tm_add_u64(t, "applied", cp_reload_count(CP_RELOAD_APPLIED));
	tm_add_u64(t, "unchanged", cp_reload_count(CP_RELOAD_UNCHANGED));
	tm_add_u64(t, "rejected", cp_reload_count(CP_RELOAD_REJECTED));
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		tm_error(t, "out of memory");
		return -1;
	}
	if (cp_reload_last(r) == 0)
		cp_reload_tm_report(t, r);
	else
		tm_add_str(t, "result", "none");
	free(r);
	return 0;
}

int cp_reload_tm_register(void)
{
	static const struct cp_tm_cmd cmds[] = {
		{ "reload", cp_reload_tm_run,
		  "Reload the configuration file: applied, unchanged or rejected (with the "
		  "FILE:LINE errors). No parameters.", true },
		{ "reload/status", cp_reload_tm_status,
		  "The last configuration reload's report and the totals. No parameters.", false },
	};

	return cp_tm_register_table(cmds, sizeof(cmds) / sizeof(cmds[0]));
}
