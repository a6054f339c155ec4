/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PKI words of ipsecgw-cli (see cli_pki.h): tables built from
 * /ipsecgw/pki/trustpoint,ID and /ipsecgw/pki/crl,ID, the certificate
 * blocks from /ipsecgw/pki/certificate,ID and /ipsecgw/pki/expiry, and the
 * operator's download request.
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "controlplane/cli/cli_pki.h"

enum { CLI_PKI_NAME_MAX = 64 };

/* A time as sent (ISO 8601 UTC), or "-" for none. */
static const char *cli_pki_time(const struct cj_doc *doc, const struct cj_value *o, const char *key)
{
	const char *t = cj_get_str(doc, o, key, "");

	return *t != '\0' ? t : "-";
}

static const char *cli_pki_str(const char *s)
{
	return s != NULL && *s != '\0' ? s : "-";
}

/* ---- show crypto pki trustpoints ---- */

struct cli_tp_tables {
	struct cli_table *cas, *urls, *sched;
};

/* One row per CA: name and revocation mode on the first only. */
static int cli_tp_cas(struct cli_ctx *x, const struct cj_doc *doc, const struct cj_value *o,
		      struct cli_table *t, const char *name)
{
	const struct cj_value *subj = cj_first(doc, cj_member(doc, o, "ca_subjects"));
	const struct cj_value *exp = cj_first(doc, cj_member(doc, o, "ca_not_after"));
	const char *cells[4] = { name, cj_get_str(doc, o, "revocation_check", "?"), "-", "-" };

	if (subj == NULL)
		return cli_add(x, t, cells);
	for (; subj != NULL; subj = cj_next(doc, subj)) {
		cells[2] = subj->type == CJ_STRING ? subj->str : "?";
		cells[3] = exp != NULL && exp->type == CJ_STRING ? exp->str : "?";
		if (cli_add(x, t, cells) != 0)
			return -1;
		cells[0] = cells[1] = NULL;	/* continuation lines */
		exp = exp != NULL ? cj_next(doc, exp) : NULL;
	}
	return 0;
}

static int cli_tp_urls(struct cli_ctx *x, const struct cj_doc *doc, const struct cj_value *o,
		       struct cli_table *t, const char *name)
{
	static const char *const keys[][2] = {
		{ "crl_urls", "complete" }, { "crl_delta_urls", "delta" }, { "learnt_urls", "learnt" },
	};

	for (unsigned k = 0; k < 3; k++) {
		const struct cj_value *u = cj_first(doc, cj_member(doc, o, keys[k][0]));

		for (; u != NULL; u = cj_next(doc, u)) {
			const char *cells[3] = { name, keys[k][1], u->type == CJ_STRING ? u->str : "?" };

			if (cli_add(x, t, cells) != 0)
				return -1;
		}
	}
	return 0;
}

static int cli_tp_row(struct cli_ctx *x, const struct cj_doc *doc, const struct cj_value *o,
		      void *arg)
{
	static const char *const keys[] = {
		"refresh_interval", "min_download_interval", "download_timeout", "max_size",
		"downloads_started", "downloads_coalesced", "operator_requests", "retries", "in_flight",
	};
	struct cli_tp_tables *t = arg;
	const char *name = cj_get_str(doc, o, "name", "?");
	char nums[9][24];
	const char *cells[12] = { name, cj_get_u64(doc, o, "prefetch", 0) ? "yes" : "no" };

	if (cli_tp_cas(x, doc, o, t->cas, name) != 0 || cli_tp_urls(x, doc, o, t->urls, name) != 0)
		return -1;
	for (unsigned i = 0; i < 9; i++)
		cells[i + 2] = cli_u64(cj_get_u64(doc, o, keys[i], 0), nums[i], sizeof(nums[i]));
	cells[11] = cli_pki_time(doc, o, "next_download");
	return cli_add(x, t->sched, cells);
}

int cli_show_pki_trustpoints(struct cli_ctx *x)
{
	static const char *const h1[] = { "Trustpoint", "Revocation", "CA", "Expires" };
	static const char *const h2[] = { "Trustpoint", "CRL", "URL" };
	static const char *const h3[] = {
		"Trustpoint", "Prefetch", "Refresh (s)", "Min interval (s)", "Timeout (s)",
		"Max size", "Downloads", "Coalesced", "Requests", "Retries", "In flight",
		"Next download",
	};
	struct cli_tp_tables t = {
		cli_table_new(4, h1, "llll"), cli_table_new(3, h2, "lll"),
		cli_table_new(12, h3, "llrrrrrrrrrl"),
	};
	int ret = -1;

	if (t.cas == NULL || t.urls == NULL || t.sched == NULL)
		snprintf(x->err, sizeof(x->err), "out of memory");
	else
		ret = cli_walk(x, "/ipsecgw/pki/trustpoints", "/ipsecgw/pki/trustpoint", cli_tp_row, &t);
	if (ret == 0 && !x->json && cli_table_rows(t.cas) > 0) {
		cli_table_print(t.cas, x->out);
		fputc('\n', x->out);
		if (cli_table_rows(t.urls) > 0) {
			cli_table_print(t.urls, x->out);
			fputc('\n', x->out);
		}
	}
	cli_table_free(t.cas);
	cli_table_free(t.urls);
	return cli_finish(x, t.sched, ret, "no trustpoints");
}

/* ---- show crypto pki crls ---- */

struct cli_crl_tables {
	struct cli_table *crl, *dl;
};

static int cli_crl_row(struct cli_ctx *x, const struct cj_doc *doc, const struct cj_value *o,
		       void *arg)
{
	static const char *const keys[] = { "downloads", "unchanged", "rejected", "failed" };
	struct cli_crl_tables *t = arg;
	const char *issuer = cj_get_str(doc, o, "issuer", "?");
	char entries[24], nums[4][24];
	const char *c1[] = {
		cj_get_str(doc, o, "trustpoint", "?"), issuer,
		cli_pki_str(cj_get_str(doc, o, "crl_number", "")),
		cli_pki_str(cj_get_str(doc, o, "delta_number", "")),
		cli_pki_time(doc, o, "this_update"), cli_pki_time(doc, o, "next_update"),
		cli_u64(cj_get_u64(doc, o, "entries", 0), entries, sizeof(entries)),
	};
	const char *c2[8] = {
		issuer, cli_pki_str(cj_get_str(doc, o, "source", "")),
		cli_pki_time(doc, o, "last_download"),
		cli_pki_str(cj_get_str(doc, o, "last_result", "")),
	};

	for (unsigned i = 0; i < 4; i++)
		c2[i + 4] = cli_u64(cj_get_u64(doc, o, keys[i], 0), nums[i], sizeof(nums[i]));
	if (cli_add(x, t->crl, c1) != 0)
		return -1;
	return cli_add(x, t->dl, c2);
}

int cli_show_pki_crls(struct cli_ctx *x)
{
	static const char *const h1[] = {
		"Trustpoint", "Issuer", "CRL number", "Delta", "This update", "Next update", "Entries",
	};
	static const char *const h2[] = {
		"Issuer", "Source", "Last download", "Last result", "Downloads", "Unchanged",
		"Rejected", "Failed",
	};
	struct cli_crl_tables t = { cli_table_new(7, h1, "lllllll"), cli_table_new(8, h2, "llllrrrr") };
	int ret = -1;

	if (t.crl == NULL || t.dl == NULL)
		snprintf(x->err, sizeof(x->err), "out of memory");
	else
		ret = cli_walk(x, "/ipsecgw/pki/crls", "/ipsecgw/pki/crl", cli_crl_row, &t);
	if (ret == 0 && !x->json && cli_table_rows(t.crl) > 0) {
		cli_table_print(t.crl, x->out);
		fputc('\n', x->out);
	}
	cli_table_free(t.crl);
	return cli_finish(x, t.dl, ret, "no CRLs held");
}

/* ---- show crypto pki certificates ---- */

/* The member's signed integer (days_left), or dflt. */
static long cli_pki_i64(const struct cj_doc *doc, const struct cj_value *o, const char *key,
			long dflt)
{
	const struct cj_value *v = cj_member(doc, o, key);

	return v != NULL && v->type == CJ_NUMBER && v->is_int ? (long)v->i : dflt;
}

/* "Available", "EXPIRING in 4 days", "EXPIRED 2 days ago". */
static const char *cli_cert_status(long days, bool expiring, char *buf, size_t len)
{
	if (days < 0)
		snprintf(buf, len, "EXPIRED %ld day(s) ago", -days);
	else if (expiring)
		snprintf(buf, len, "EXPIRING in %ld day(s)", days);
	else
		snprintf(buf, len, "Available");
	return buf;
}

/* One Cisco-like block per certificate (printed as it comes: no table). */
static int cli_cert_block(struct cli_ctx *x, const struct cj_doc *doc, const struct cj_value *o,
			  void *arg)
{
	bool ca = strcmp(cj_get_str(doc, o, "role", ""), "ca") == 0;
	long days = cli_pki_i64(doc, o, "days_left", 0);
	char status[48];

	(void)arg;
	if (x->json)
		return 0;
	fprintf(x->out, "%s (%s)\n", ca ? "CA Certificate" : "Certificate",
		cj_get_str(doc, o, "owner", "?"));
	fprintf(x->out, "  Status: %s\n",
		cli_cert_status(days, cj_get_u64(doc, o, "expiring", 0) != 0, status,
				sizeof(status)));
	fprintf(x->out, "  Certificate Serial Number (hex): %s\n", cj_get_str(doc, o, "serial", "?"));
	fprintf(x->out, "  Key: %s\n", cj_get_str(doc, o, "key_type", "?"));
	fprintf(x->out, "  Subject: %s\n", cj_get_str(doc, o, "subject", "?"));
	fprintf(x->out, "  Issuer:  %s\n", cj_get_str(doc, o, "issuer", "?"));
	fprintf(x->out, "  Validity Date:\n    start date: %s\n    end   date: %s (%ld day(s) left)\n",
		cli_pki_time(doc, o, "not_before"), cli_pki_time(doc, o, "not_after"), days);
	fprintf(x->out, "  Associated Trustpoint: %s\n",
		cli_pki_str(cj_get_str(doc, o, "trustpoint", "")));
	fprintf(x->out, "  File: %s\n\n", cli_pki_str(cj_get_str(doc, o, "file", "")));
	return 0;
}

static int cli_cert_summary(struct cli_ctx *x)
{
	struct cj_doc doc;
	const struct cj_value *b;

	if (cli_call(x, "/ipsecgw/pki/expiry", &doc, &b) != 0)
		return -1;
	if (!x->json)
		fprintf(x->out, "Expiry warnings (certificates within %" PRIu64 " days, CRLs within "
			"%" PRIu64 " hours): %" PRIu64 " certificate(s), %" PRIu64 " CA(s), %" PRIu64
			" CRL(s) near nextUpdate\n", cj_get_u64(&doc, b, "expiry_warning_days", 0),
			cj_get_u64(&doc, b, "crl_warning_hours", 0),
			cj_get_u64(&doc, b, "certs_expiring", 0), cj_get_u64(&doc, b, "cas_expiring", 0),
			cj_get_u64(&doc, b, "crls_next_update_near", 0));
	cj_free(&doc);
	return 0;
}

int cli_show_pki_certificates(struct cli_ctx *x)
{
	if (cli_walk(x, "/ipsecgw/pki/certificates", "/ipsecgw/pki/certificate", cli_cert_block,
		     NULL) != 0)
		return -1;
	return cli_cert_summary(x);
}

/* ---- crypto pki crl request TRUSTPOINT ---- */

int cli_pki_crl_request(struct cli_ctx *x)
{
	char cmd[CLI_CMD_MAX];
	struct cj_doc doc;
	const struct cj_value *b;

	if (x->arg == NULL || x->arg[0] == '\0' || strlen(x->arg) >= CLI_PKI_NAME_MAX) {
		snprintf(x->err, sizeof(x->err), "crypto pki crl request: give a trustpoint name");
		return -1;
	}
	snprintf(cmd, sizeof(cmd), "/ipsecgw/pki/crl_request,%s", x->arg);
	if (cli_call(x, cmd, &doc, &b) != 0)
		return -1;
	if (!x->json)
		fprintf(x->out, "trustpoint %s: CRL download %s (%" PRIu64 " in flight)\n",
			cj_get_str(&doc, b, "trustpoint", x->arg), cj_get_str(&doc, b, "result", "?"),
			cj_get_u64(&doc, b, "in_flight", 0));
	cj_free(&doc);
	return 0;
}
