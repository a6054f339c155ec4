/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The revocation words of ipsecgw-cli (cli_rev.h), over /ipsecgw/revocation
 * and the switches' commands.
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "controlplane/cli/cli_json.h"
#include "controlplane/cli/cli_rev.h"

/* ---- show crypto pki revocation ---- */

static const char *cli_rev_clock(uint64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0 || localtime_r(&tt, &tm) == NULL || strftime(buf, len, "%H:%M:%S", &tm) == 0)
		snprintf(buf, len, "-");
	return buf;
}

static const char *cli_rev_ms(uint64_t us, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRIu64 ".%03" PRIu64 " ms", us / 1000, us % 1000);
	return buf;
}

static int cli_rev_row(struct cli_ctx *x, const struct cj_doc *doc, const struct cj_value *o,
		       void *arg)
{
	static const char *const keys[] = { "checked", "revoked", "deleted", "skipped" };
	char id[24], when[16], n[4][24], unpub[32];
	const char *num = cj_get_str(doc, o, "crl_number", "");
	const char *cells[] = {
		cli_u64(cj_get_u64(doc, o, "id", 0), id, sizeof(id)),
		cli_rev_clock(cj_get_u64(doc, o, "time", 0), when, sizeof(when)),
		cj_get_str(doc, o, "cause", "?"), *num != '\0' ? num : "-",
		NULL, NULL, NULL, NULL,
		cj_get_u64(doc, o, "deleted", 0) > 0 ?
			cli_rev_ms(cj_get_u64(doc, o, "unpublish_us", 0), unpub, sizeof(unpub)) : "-",
		cj_get_str(doc, o, "issuer", "?"),
	};

	for (unsigned i = 0; i < 4; i++)
		cells[4 + i] = cli_u64(cj_get_u64(doc, o, keys[i], 0), n[i], sizeof(n[i]));
	return cli_add(x, arg, cells);
}

/* The switches and the totals, above the event table. */
static int cli_rev_summary(struct cli_ctx *x)
{
	struct cj_doc doc;
	const struct cj_value *b;

	if (cli_call(x, "/ipsecgw/revocation", &doc, &b) != 0)
		return -1;
	if (!x->json) {
		fprintf(x->out, "Disconnect Revoked Peer: IKEv2 %s, IKEv1 (isakmp) %s\n",
			cj_get_u64(&doc, b, "ikev2_enabled", 0) ? "Enabled" : "Disabled",
			cj_get_u64(&doc, b, "isakmp_enabled", 0) ? "Enabled" : "Disabled");
		fprintf(x->out, "CRL updates %" PRIu64 ", checks %" PRIu64 ", sessions checked %" PRIu64
			", revoked found %" PRIu64 ", deleted %" PRIu64 ", left up %" PRIu64
			", indexed certificates %" PRIu64 "\n\n",
			cj_get_u64(&doc, b, "crl_events", 0), cj_get_u64(&doc, b, "checks", 0),
			cj_get_u64(&doc, b, "sessions_checked", 0), cj_get_u64(&doc, b, "revoked_found", 0),
			cj_get_u64(&doc, b, "sessions_deleted", 0), cj_get_u64(&doc, b, "sessions_skipped", 0),
			cj_get_u64(&doc, b, "indexed", 0));
	}
	cj_free(&doc);
	return 0;
}

int cli_show_pki_revocation(struct cli_ctx *x)
{
	static const char *const h[] = {
		"Event", "Time", "Cause", "CRL", "Checked", "Revoked", "Deleted", "Left up",
		"CRL to SAs gone", "Issuer",
	};
	struct cli_table *t;
	int ret;

	if (cli_rev_summary(x) != 0)
		return -1;
	t = cli_table_new(10, h, "rllrrrrrrl");
	if (t == NULL) {
		snprintf(x->err, sizeof(x->err), "out of memory");
		return -1;
	}
	ret = cli_walk(x, "/ipsecgw/revocation/events", "/ipsecgw/revocation/event", cli_rev_row, t);
	return cli_finish(x, t, ret, "no revocation checks yet");
}

/* ---- [no] crypto ikev2|isakmp disconnect-revoked-peers ---- */

static int cli_rev_switch(struct cli_ctx *x, const char *version, int on)
{
	char cmd[CLI_CMD_MAX];
	struct cj_doc doc;
	const struct cj_value *b;

	snprintf(cmd, sizeof(cmd), "/ipsecgw/%s/disconnect_revoked_peers,%d", version, on);
	if (cli_call(x, cmd, &doc, &b) != 0)
		return -1;
	if (!x->json)
		fprintf(x->out, "crypto %s disconnect-revoked-peers: %s\n", version,
			cj_get_u64(&doc, b, "enabled", 0) ? "Enabled" : "Disabled");
	cj_free(&doc);
	return 0;
}

int cli_crypto_ikev2_drp(struct cli_ctx *x) { return cli_rev_switch(x, "ikev2", 1); }
int cli_no_crypto_ikev2_drp(struct cli_ctx *x) { return cli_rev_switch(x, "ikev2", 0); }
int cli_crypto_isakmp_drp(struct cli_ctx *x) { return cli_rev_switch(x, "isakmp", 1); }
int cli_no_crypto_isakmp_drp(struct cli_ctx *x) { return cli_rev_switch(x, "isakmp", 0); }
