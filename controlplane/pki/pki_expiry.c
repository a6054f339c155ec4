/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Certificate lifecycle: the list of certificates we hold (our identities,
 * the trustpoints' CAs) with their expiry, and the expiry warnings.
 *
 * A certificate (ours or a CA's) is "expiring" within expiry_warning_days
 * of its notAfter; a complete CRL held is "near" within crl_warning_hours
 * of its nextUpdate.  Counts are computed when asked (telemetry); the log
 * gets one warning per such object at start and then once a day, never per
 * tick.  Times are pki_crl_now() (wall clock, pinned by tests).  CP thread
 * only.
 */
#include <errno.h>
#include <string.h>

#include <openssl/evp.h>

#include "common/gw_log.h"
#include "controlplane/pki/pki_internal.h"

enum {
	PKI_EXPIRY_DAY_S = 86400,
	PKI_EXPIRY_HOUR_S = 3600,
};

static struct {
	const struct cfg_pki *cfg;	/* owned by the caller of pki_init */
	uint64_t warnings_logged;
	time_t last_scan, next_scan;
} pki_expiry;

long pki_expiry_days_left(time_t t, time_t now)
{
	long long d = (long long)t - (long long)now;

	/* floor division: one second past notAfter is day -1 */
	return (long)(d >= 0 ? d / PKI_EXPIRY_DAY_S : -((-d + PKI_EXPIRY_DAY_S - 1) /
							PKI_EXPIRY_DAY_S));
}

static time_t pki_expiry_asn1(const ASN1_TIME *a)
{
	struct tm tm;

	if (a == NULL || ASN1_TIME_to_tm(a, &tm) != 1)
		return 0;
	return timegm(&tm);
}

time_t pki_expiry_not_after(const X509 *x)
{
	return pki_expiry_asn1(X509_get0_notAfter(x));
}

time_t pki_expiry_not_before(const X509 *x)
{
	return pki_expiry_asn1(X509_get0_notBefore(x));
}

/* ---- the list ---- */

static unsigned pki_expiry_n_cas(void)
{
	unsigned n = 0;

	for (unsigned t = 0; t < pki_tp_count(); t++)
		n += (unsigned)sk_X509_num(pki_tp_get(t)->cas);
	return n;
}

unsigned pki_cert_count(void)
{
	return pki_identity_count() + pki_expiry_n_cas();
}

/* The trustpoint holding the CA that issued x, "" if none. */
static void pki_expiry_issuer_tp(X509 *x, char *buf, size_t len)
{
	buf[0] = '\0';
	for (unsigned t = 0; t < pki_tp_count(); t++) {
		const struct pki_tp *tp = pki_tp_get(t);

		if (pki_tp_find_issuer(tp, X509_get_issuer_name(x),
				       X509_get0_authority_key_id(x)) != NULL) {
			snprintf(buf, len, "%s", tp->name);
			return;
		}
	}
}

static void pki_expiry_key_type(X509 *x, char *buf, size_t len)
{
	EVP_PKEY *k = X509_get0_pubkey(x);
	char group[32] = "";
	size_t glen = 0;

	if (k == NULL) {
		snprintf(buf, len, "?");
		return;
	}
	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_RSA:
		snprintf(buf, len, "RSA-%d", EVP_PKEY_get_bits(k));
		break;
	case EVP_PKEY_EC:
		if (EVP_PKEY_get_group_name(k, group, sizeof(group), &glen) != 1)
			snprintf(group, sizeof(group), "%d", EVP_PKEY_get_bits(k));
		snprintf(buf, len, "EC-%s", group);
		break;
	default:
		snprintf(buf, len, "%s", OBJ_nid2sn(EVP_PKEY_get_base_id(k)));
	}
}

static void pki_expiry_fill(X509 *x, struct pki_cert_info *out)
{
	struct pki_serial s;
	uint32_t days = pki_expiry.cfg != NULL ? pki_expiry.cfg->expiry_warning_days : 0;

	pki_issuer_str(X509_get_subject_name(x), out->subject, sizeof(out->subject));
	pki_issuer_str(X509_get_issuer_name(x), out->issuer, sizeof(out->issuer));
	if (pki_serial_from_asn1(X509_get0_serialNumber(x), &s) == 0)
		pki_serial_hex(&s, out->serial, sizeof(out->serial));
	else
		snprintf(out->serial, sizeof(out->serial), "?");
	pki_expiry_key_type(x, out->key_type, sizeof(out->key_type));
	out->not_before = pki_expiry_not_before(x);
	out->not_after = pki_expiry_not_after(x);
	out->days_left = pki_expiry_days_left(out->not_after, pki_crl_now());
	out->expiring = days > 0 && out->days_left < (long)days;
}

int pki_cert_get(unsigned id, struct pki_cert_info *out)
{
	unsigned idx = id - 1, n_ids = pki_identity_count();

	if (id == 0 || idx >= pki_cert_count())
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	out->id = id;
	if (idx < n_ids) {
		const struct pki_identity *ident = pki_identity_get(idx);

		snprintf(out->owner, sizeof(out->owner), "identity %u", idx + 1);
		if (pki_expiry.cfg != NULL && idx < pki_expiry.cfg->n_identities)
			snprintf(out->file, sizeof(out->file), "%s",
				 pki_expiry.cfg->identities[idx].cert);
		pki_expiry_issuer_tp(ident->cert, out->trustpoint, sizeof(out->trustpoint));
		pki_expiry_fill(ident->cert, out);
		return 0;
	}
	idx -= n_ids;
	for (unsigned t = 0; t < pki_tp_count(); t++) {
		const struct pki_tp *tp = pki_tp_get(t);
		unsigned n = (unsigned)sk_X509_num(tp->cas);

		if (idx >= n) {
			idx -= n;
			continue;
		}
		out->ca = true;
		snprintf(out->owner, sizeof(out->owner), "%s", tp->name);
		snprintf(out->trustpoint, sizeof(out->trustpoint), "%s", tp->name);
		snprintf(out->file, sizeof(out->file), "%s", tp->cfg->ca);
		pki_expiry_fill(sk_X509_value(tp->cas, (int)idx), out);
		return 0;
	}
	return -ENOENT;
}

/* ---- counts and warnings ---- */

/* For each object: count it, and log it when log is set. */
static void pki_expiry_certs(struct pki_expiry_counts *c, bool log)
{
	struct pki_cert_info ci;

	for (unsigned id = 1; pki_cert_get(id, &ci) == 0; id++) {
		unsigned *expired = ci.ca ? &c->cas_expired : &c->certs_expired;
		unsigned *expiring = ci.ca ? &c->cas_expiring : &c->certs_expiring;

		if (!ci.expiring)
			continue;
		(*expiring)++;
		if (ci.days_left < 0)
			(*expired)++;
		if (!log)
			continue;
		if (ci.days_left < 0)
			GW_LOG(pki, WARNING, "certificate expiry: %s%s certificate %s (serial %s) "
			       "HAS EXPIRED, %ld day(s) ago", ci.owner, ci.ca ? " CA" : "",
			       ci.subject, ci.serial, -ci.days_left);
		else
			GW_LOG(pki, WARNING, "certificate expiry: %s%s certificate %s (serial %s) "
			       "expires in %ld day(s)", ci.owner, ci.ca ? " CA" : "", ci.subject,
			       ci.serial, ci.days_left);
		pki_expiry.warnings_logged++;
	}
}

static void pki_expiry_crls(struct pki_expiry_counts *c, time_t now, bool log)
{
	time_t window = (time_t)c->crl_warning_hours * PKI_EXPIRY_HOUR_S;
	struct pki_crl_info ci;

	for (unsigned id = 1; c->crl_warning_hours > 0 && pki_crl_get(id, &ci) == 0; id++) {
		long hours = (long)((ci.next_update - now) / PKI_EXPIRY_HOUR_S);

		if (ci.next_update == 0 || ci.next_update - now >= window)
			continue;	/* no CRL yet (a URL), or not near */
		c->crls_next_update_near++;
		if (ci.next_update <= now)
			c->crls_stale++;
		if (!log)
			continue;
		if (ci.next_update <= now)
			GW_LOG(pki, WARNING, "CRL expiry: trustpoint %s: CRL of %s is STALE, "
			       "nextUpdate passed %ld hour(s) ago and no newer CRL came",
			       ci.trustpoint, ci.issuer, -hours);
		else
			GW_LOG(pki, WARNING, "CRL expiry: trustpoint %s: CRL of %s reaches its "
			       "nextUpdate in %ld hour(s) and no newer CRL came yet",
			       ci.trustpoint, ci.issuer, hours);
		pki_expiry.warnings_logged++;
	}
}

static void pki_expiry_collect(struct pki_expiry_counts *out, time_t now, bool log)
{
	memset(out, 0, sizeof(*out));
	if (pki_expiry.cfg != NULL) {
		out->warning_days = pki_expiry.cfg->expiry_warning_days;
		out->crl_warning_hours = pki_expiry.cfg->crl_warning_hours;
	}
	pki_expiry_certs(out, log);
	pki_expiry_crls(out, now, log);
	out->warnings_logged = pki_expiry.warnings_logged;
	out->last_scan = pki_expiry.last_scan;
	out->next_scan = pki_expiry.next_scan;
}

void pki_expiry_counts(struct pki_expiry_counts *out)
{
	pki_expiry_collect(out, pki_crl_now(), false);
}

unsigned pki_expiry_scan(time_t now)
{
	struct pki_expiry_counts c;
	uint64_t before = pki_expiry.warnings_logged;

	pki_expiry.last_scan = now;
	pki_expiry.next_scan = now + PKI_EXPIRY_DAY_S;
	pki_expiry_collect(&c, now, true);
	return (unsigned)(pki_expiry.warnings_logged - before);
}

void pki_expiry_tick(time_t now)
{
	if (pki_expiry.next_scan != 0 && now >= pki_expiry.next_scan)
		pki_expiry_scan(now);
}

void pki_expiry_init(const struct cfg_pki *cfg)
{
	memset(&pki_expiry, 0, sizeof(pki_expiry));
	pki_expiry.cfg = cfg;
}

void pki_expiry_retarget(const struct cfg_pki *cfg)
{
	pki_expiry.cfg = cfg;
}

void pki_expiry_fini(void)
{
	memset(&pki_expiry, 0, sizeof(pki_expiry));
}
