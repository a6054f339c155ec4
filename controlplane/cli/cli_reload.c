/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The reload words of ipsecgw-cli (cli_reload.h):
 *
 *   Reload 3 (telemetry): applied in 4.210 ms
 *     Peers: 2 kept, 1 added, 1 removed, 0 changed
 *     Sessions: 1 deleted, 2 kept, 0 initiated
 *     Trustpoints: 0 added, 0 removed, 0 changed; CA files with new
 *       content 1, identities with new content 0; PKI restarted
 *     Changed: policies, ikev2 disconnect-revoked-peers
 *
 * or, refused, "rejected" and one line per error (FILE:LINE: ...).
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "controlplane/cli/cli_json.h"
#include "controlplane/cli/cli_reload.h"

/* The switches a report says changed, as one list. */
static void cli_reload_changed(struct cli_ctx *x, const struct cj_doc *doc,
			       const struct cj_value *b)
{
	static const struct {
		const char *key, *text;
	} sw[] = {
		{ "policies_changed", "policies" },
		{ "crypto_changed", "crypto settings" },
		{ "ikev2_disconnect_revoked_peers_changed", "ikev2 disconnect-revoked-peers" },
		{ "isakmp_disconnect_revoked_peers_changed", "isakmp disconnect-revoked-peers" },
		{ "log_level_changed", "log_level" },
		{ "events_changed", "events" },
	};
	unsigned n = 0;

	for (size_t i = 0; i < sizeof(sw) / sizeof(sw[0]); i++) {
		if (cj_get_u64(doc, b, sw[i].key, 0) == 0)
			continue;
		fprintf(x->out, "%s%s", n++ == 0 ? "  Changed: " : ", ", sw[i].text);
	}
	if (n > 0)
		fprintf(x->out, "\n");
}

/* One report; returns whether it was rejected. */
static bool cli_reload_print(struct cli_ctx *x, const struct cj_doc *doc, const struct cj_value *b)
{
	const char *res = cj_get_str(doc, b, "result", "?");
	const struct cj_value *errs = cj_member(doc, b, "errors");
	uint64_t us = cj_get_u64(doc, b, "duration_us", 0);
	unsigned shown = 0;

	fprintf(x->out, "Reload %" PRIu64 " (%s): %s in %" PRIu64 ".%03" PRIu64 " ms\n",
		cj_get_u64(doc, b, "id", 0), cj_get_str(doc, b, "trigger", "?"), res,
		us / 1000, us % 1000);
	if (strcmp(res, "rejected") != 0) {
		fprintf(x->out, "  Peers: %" PRIu64 " kept, %" PRIu64 " added, %" PRIu64
			" removed, %" PRIu64 " changed\n", cj_get_u64(doc, b, "peers_kept", 0),
			cj_get_u64(doc, b, "peers_added", 0), cj_get_u64(doc, b, "peers_removed", 0),
			cj_get_u64(doc, b, "peers_changed", 0));
		fprintf(x->out, "  Sessions: %" PRIu64 " deleted, %" PRIu64 " kept, %" PRIu64
			" initiated\n", cj_get_u64(doc, b, "sessions_deleted", 0),
			cj_get_u64(doc, b, "sessions_kept", 0),
			cj_get_u64(doc, b, "peers_initiated", 0));
		fprintf(x->out, "  Trustpoints: %" PRIu64 " added, %" PRIu64 " removed, %" PRIu64
			" changed; CA files with new content %" PRIu64 ", identities with new "
			"content %" PRIu64 "; PKI %s\n", cj_get_u64(doc, b, "trustpoints_added", 0),
			cj_get_u64(doc, b, "trustpoints_removed", 0),
			cj_get_u64(doc, b, "trustpoints_changed", 0),
			cj_get_u64(doc, b, "ca_files_changed", 0),
			cj_get_u64(doc, b, "identities_changed", 0), cj_get_str(doc, b, "pki", "?"));
		cli_reload_changed(x, doc, b);
	}
	for (const struct cj_value *e = errs != NULL && errs->type == CJ_ARRAY ?
	     cj_first(doc, errs) : NULL; e != NULL; e = cj_next(doc, e)) {
		if (e->type == CJ_STRING)
			fprintf(x->out, "  %s\n", e->str);
		shown++;
	}
	if (cj_get_u64(doc, b, "error_count", 0) > shown)
		fprintf(x->out, "  (%" PRIu64 " more not shown)\n",
			cj_get_u64(doc, b, "error_count", 0) - shown);
	return strcmp(res, "rejected") == 0;
}

int cli_reload(struct cli_ctx *x)
{
	struct cj_doc doc;
	const struct cj_value *b;
	bool rejected;

	if (cli_call(x, "/ipsecgw/reload", &doc, &b) != 0)
		return -1;
	rejected = strcmp(cj_get_str(&doc, b, "result", "?"), "rejected") == 0;
	if (!x->json)
		cli_reload_print(x, &doc, b);
	cj_free(&doc);
	if (rejected)
		snprintf(x->err, sizeof(x->err), "reload rejected: the configuration in force is "
			 "unchanged");
	return rejected ? -1 : 0;
}

int cli_show_reload(struct cli_ctx *x)
{
	struct cj_doc doc;
	const struct cj_value *b;

	if (cli_call(x, "/ipsecgw/reload/status", &doc, &b) != 0)
		return -1;
	if (!x->json) {
		fprintf(x->out, "Reloads: %" PRIu64 " applied, %" PRIu64 " unchanged, %" PRIu64
			" rejected\n", cj_get_u64(&doc, b, "applied", 0),
			cj_get_u64(&doc, b, "unchanged", 0), cj_get_u64(&doc, b, "rejected", 0));
		if (strcmp(cj_get_str(&doc, b, "result", "none"), "none") != 0) {
			time_t t = (time_t)cj_get_u64(&doc, b, "time", 0);
			char when[32] = "-";
			struct tm tm;

			if (localtime_r(&t, &tm) != NULL)
				strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
			fprintf(x->out, "Last, at %s:\n", when);
			cli_reload_print(x, &doc, b);
		}
	}
	cj_free(&doc);
	return 0;
}
