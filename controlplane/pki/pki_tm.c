/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry commands of the PKI (conventions in controlplane/cp_tm.h; the
 * names are fixed, tooling relies on them).  IDs start at 1.
 *
 *   /ipsecgw/pki/crls[,START]          {count, next, ids[]}: one per issuer
 *   /ipsecgw/pki/crl,ID                one issuer's CRL: numbers, times
 *                                      (ISO 8601 UTC), source, counters
 *   /ipsecgw/pki/crl_request,TP        download TP's CRLs now
 *   /ipsecgw/pki/trustpoints[,START]   {count, next, ids[]}
 *   /ipsecgw/pki/trustpoint,ID         configuration, CAs, URLs, scheduling
 *   /ipsecgw/pki/certificates[,START]  {count, next, ids[]}: identities, then CAs
 *   /ipsecgw/pki/certificate,ID        subject, issuer, serial, key, validity,
 *                                      days_left, expiring
 *   /ipsecgw/pki/expiry                expiry warning counters
 *
 * Handlers run on the CP thread (cp_tm.c), so they read PKI state directly.
 * Before pki_init and after pki_fini the lists are empty.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/x509.h>
#include <rte_common.h>

#include "controlplane/cp_tm.h"
#include "controlplane/pki/pki_internal.h"

enum { PKI_TM_TIME = 24 };	/* "2026-11-27T06:19:47Z" */

/* ISO 8601 UTC, or "" for 0 (never / none). */
static const char *pki_tm_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	buf[0] = '\0';
	if (t != 0 && gmtime_r(&t, &tm) != NULL)
		strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static void pki_tm_add_time(struct tm_reply *r, const char *key, time_t t)
{
	char buf[PKI_TM_TIME];

	tm_add_str(r, key, pki_tm_time(t, buf, sizeof(buf)));
}

static uint64_t pki_tm_id(unsigned idx, void *arg)
{
	(void)arg;
	return (uint64_t)idx + 1;
}

/* ID in 1..count, or -1 after tm_error(). */
static int pki_tm_get_id(const char *params, unsigned count, const char *what,
			 struct tm_reply *r, unsigned *id)
{
	uint64_t v;

	if (tm_parse_id(params, &v) != 0) {
		tm_error(r, "usage: /ipsecgw/pki/%s,ID (ID an unsigned decimal from 1, got '%.40s')",
			 what, params != NULL ? params : "");
		return -1;
	}
	if (v == 0 || v > count) {
		tm_error(r, "no %s with ID %" PRIu64, what, v);
		return -1;
	}
	*id = (unsigned)v;
	return 0;
}

static int pki_tm_crls(const char *params, struct tm_reply *r)
{
	return tm_list(r, params, pki_crl_count(), pki_tm_id, NULL);
}

static int pki_tm_crl(const char *params, struct tm_reply *r)
{
	struct pki_crl_info ci;
	unsigned id;

	if (pki_tm_get_id(params, pki_crl_count(), "crl", r, &id) != 0)
		return -1;
	if (pki_crl_get(id, &ci) != 0) {
		tm_error(r, "no crl with ID %u", id);
		return -1;
	}
	tm_add_u64(r, "id", ci.id);
	tm_add_str(r, "trustpoint", ci.trustpoint);
	tm_add_str(r, "issuer", ci.issuer);
	tm_add_str(r, "crl_number", ci.crl_number);
	tm_add_str(r, "delta_number", ci.delta_number);
	pki_tm_add_time(r, "this_update", ci.this_update);
	pki_tm_add_time(r, "next_update", ci.next_update);
	tm_add_u64(r, "entries", ci.entries);
	tm_add_str(r, "source", ci.source);
	tm_add_str(r, "last_result", ci.last_result);
	pki_tm_add_time(r, "last_download", ci.last_download);
	tm_add_u64(r, "downloads", ci.downloads);
	tm_add_u64(r, "unchanged", ci.unchanged);
	tm_add_u64(r, "rejected", ci.rejected);
	tm_add_u64(r, "failed", ci.failed);
	return 0;
}

static int pki_tm_crl_request(const char *params, struct tm_reply *r)
{
	struct pki_sched_info si;
	int ret;

	if (tm_parse_name(params) != 0)
		return tm_usage(r, "/ipsecgw/pki/crl_request,TRUSTPOINT (a configured name)", params);
	ret = pki_crl_request(params);
	if (ret == -ENOENT) {
		tm_error(r, "no trustpoint '%s'", params);
		return -1;
	}
	if (ret == -EINVAL) {
		tm_error(r, "trustpoint '%s' knows no CRL URL (crl_urls, or a CDP learnt from a peer)",
			 params);
		return -1;
	}
	if (ret < 0) {
		tm_error(r, "trustpoint '%s': download not started: %s", params, strerror(-ret));
		return -1;
	}
	tm_add_str(r, "trustpoint", params);
	tm_add_str(r, "result", "queued");
	if (pki_sched_get((unsigned)pki_tp_find(params), &si) == 0)
		tm_add_u64(r, "in_flight", si.in_flight);
	return 0;
}

static int pki_tm_trustpoints(const char *params, struct tm_reply *r)
{
	return tm_list(r, params, pki_tp_count(), pki_tm_id, NULL);
}

static void pki_tm_urls(struct tm_reply *r, const char *key, const char (*urls)[CFG_URL_MAX],
			unsigned n)
{
	tm_array_str(r, key);
	for (unsigned i = 0; i < n && i < CFG_MAX_CRL_URLS; i++)
		tm_elem_str(r, urls[i]);
}

/* ca_subjects[] and ca_not_after[] (ISO 8601), in the file's order. */
static void pki_tm_cas(struct tm_reply *r, const struct pki_tp *t)
{
	int n = t->cas != NULL ? sk_X509_num(t->cas) : 0;
	char buf[PKI_ISSUER_STR];

	tm_array_str(r, "ca_subjects");
	for (int i = 0; i < n; i++) {
		pki_issuer_str(X509_get_subject_name(sk_X509_value(t->cas, i)), buf, sizeof(buf));
		tm_elem_str(r, buf);
	}
	tm_array_str(r, "ca_not_after");
	for (int i = 0; i < n; i++) {
		const ASN1_TIME *na = X509_get0_notAfter(sk_X509_value(t->cas, i));
		struct tm tm;
		char tbuf[PKI_TM_TIME] = "";

		if (na != NULL && ASN1_TIME_to_tm(na, &tm) == 1)
			strftime(tbuf, sizeof(tbuf), "%Y-%m-%dT%H:%M:%SZ", &tm);
		tm_elem_str(r, tbuf);
	}
}

static void pki_tm_sched(struct tm_reply *r, unsigned idx)
{
	struct pki_sched_info si;

	if (pki_sched_get(idx, &si) != 0)
		memset(&si, 0, sizeof(si));
	tm_add_u64(r, "downloads_started", si.started);
	tm_add_u64(r, "downloads_coalesced", si.coalesced);
	tm_add_u64(r, "operator_requests", si.forced);
	tm_add_u64(r, "retries", si.retries);
	tm_add_u64(r, "in_flight", si.in_flight);
	tm_add_u64(r, "retry_backoff_s", si.backoff_s);
	pki_tm_add_time(r, "next_download", si.next_due);
}

static int pki_tm_trustpoint(const char *params, struct tm_reply *r)
{
	const struct pki_tp *t;
	const struct cfg_trustpoint *c;
	unsigned id;

	if (pki_tm_get_id(params, pki_tp_count(), "trustpoint", r, &id) != 0)
		return -1;
	t = pki_tp_get(id - 1);
	c = t->cfg;
	tm_add_u64(r, "id", id);
	tm_add_str(r, "name", t->name);
	pki_tm_cas(r, t);
	tm_add_str(r, "revocation_check", c->revocation_check == CFG_REVOCATION_CRL ? "crl" : "none");
	tm_add_u64(r, "hold_is_revoked", c->hold_is_revoked);
	pki_tm_urls(r, "crl_urls", c->crl_urls, c->n_crl_urls);
	pki_tm_urls(r, "crl_delta_urls", c->crl_delta_urls, c->n_crl_delta_urls);
	pki_tm_urls(r, "learnt_urls", t->learnt_urls, t->n_learnt_urls);
	tm_add_u64(r, "prefetch", c->crl_prefetch);
	tm_add_u64(r, "refresh_interval", c->crl_refresh_interval);
	tm_add_u64(r, "min_download_interval", c->crl_min_download_interval);
	tm_add_u64(r, "download_timeout", c->crl_download_timeout);
	tm_add_u64(r, "max_size", c->crl_max_size);
	tm_add_str(r, "cache_dir", c->crl_cache_dir);
	pki_tm_sched(r, id - 1);
	return 0;
}

int pki_tm_certificates(const char *params, struct tm_reply *r)
{
	return tm_list(r, params, pki_cert_count(), pki_tm_id, NULL);
}

int pki_tm_certificate(const char *params, struct tm_reply *r)
{
	struct pki_cert_info ci;
	unsigned id;

	if (pki_tm_get_id(params, pki_cert_count(), "certificate", r, &id) != 0)
		return -1;
	if (pki_cert_get(id, &ci) != 0) {
		tm_error(r, "no certificate with ID %u", id);
		return -1;
	}
	tm_add_u64(r, "id", ci.id);
	tm_add_str(r, "role", ci.ca ? "ca" : "identity");
	tm_add_str(r, "owner", ci.owner);
	tm_add_str(r, "trustpoint", ci.trustpoint);
	tm_add_str(r, "subject", ci.subject);
	tm_add_str(r, "issuer", ci.issuer);
	tm_add_str(r, "serial", ci.serial);
	tm_add_str(r, "key_type", ci.key_type);
	tm_add_str(r, "file", ci.file);
	pki_tm_add_time(r, "not_before", ci.not_before);
	pki_tm_add_time(r, "not_after", ci.not_after);
	tm_add_i64(r, "days_left", ci.days_left);
	tm_add_u64(r, "expiring", ci.expiring);
	return 0;
}

int pki_tm_expiry(const char *params, struct tm_reply *r)
{
	struct pki_expiry_counts c;

	if (tm_no_params(r, "/ipsecgw/pki/expiry (no parameters)", params) != 0)
		return -1;
	pki_expiry_counts(&c);
	tm_add_u64(r, "expiry_warning_days", c.warning_days);
	tm_add_u64(r, "crl_warning_hours", c.crl_warning_hours);
	tm_add_u64(r, "certs_expiring", c.certs_expiring);
	tm_add_u64(r, "certs_expired", c.certs_expired);
	tm_add_u64(r, "cas_expiring", c.cas_expiring);
	tm_add_u64(r, "cas_expired", c.cas_expired);
	tm_add_u64(r, "crls_next_update_near", c.crls_next_update_near);
	tm_add_u64(r, "crls_stale", c.crls_stale);
	tm_add_u64(r, "warnings_logged", c.warnings_logged);
	pki_tm_add_time(r, "last_scan", c.last_scan);
	pki_tm_add_time(r, "next_scan", c.next_scan);
	return 0;
}

int pki_tm_register(void)
{
	static const struct cp_tm_cmd cmds[] = {
		{ "pki/crls", pki_tm_crls, "CRLs held, one per issuer. Parameters: [START]", false },
		{ "pki/crl", pki_tm_crl, "One issuer's CRL: numbers, times, source, counters. "
					 "Parameters: ID", false },
		{ "pki/crl_request", pki_tm_crl_request, "Download a trustpoint's CRLs now. "
							 "Parameters: TRUSTPOINT", true },
		{ "pki/trustpoints", pki_tm_trustpoints, "Trustpoints. Parameters: [START]", false },
		{ "pki/trustpoint", pki_tm_trustpoint, "One trustpoint: CAs, CRL URLs, schedule. "
						       "Parameters: ID", false },
		{ "pki/certificates", pki_tm_certificates, "Our certificates, then the CAs. "
							   "Parameters: [START]", false },
		{ "pki/certificate", pki_tm_certificate, "One certificate: subject, issuer, serial, "
							 "validity, days left. Parameters: ID", false },
		{ "pki/expiry", pki_tm_expiry, "Certificates and CRLs near expiry: counters", false },
	};

	return cp_tm_register_table(cmds, RTE_DIM(cmds));
}
