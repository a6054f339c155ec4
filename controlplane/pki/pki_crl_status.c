/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Revocation answers from the CRL store (pki_crl_store.c).  Fail closed:
 *
 *   - a serial listed by any CRL held of its issuer is revoked, whether
 *     that CRL is stale, of another scope or another distribution point
 *     (serials are unique per issuer);
 *   - "good" needs a current CRL whose scope covers the certificate: of
 *     scope "all" or of the certificate's partition ("user" or "ca", both
 *     when the kind is not known), and, when its issuingDistributionPoint
 *     names a distribution point, one the certificate's CDPs name (RFC
 *     5280 6.3.3 b.2.i; without the certificate at hand, never);
 *   - otherwise the answer is STALE (only CRLs past nextUpdate cover it)
 *     or NO_CRL, never "good".
 *
 * CP thread only.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/x509v3.h>

#include "controlplane/pki/pki_crl.h"

struct pki_crl_query {
	const struct pki_serial *serial;
	X509 *cert;			/* for distribution points; NULL = unknown */
	int is_ca;			/* 1, 0, or -1 when unknown */
	bool hold_revoked;
	time_t now;
};

static bool pki_crl_stale(const struct pki_crl_held *h, time_t now)
{
	return h->ix != NULL && now > h->next_update;
}

static bool pki_crl_revoking(uint8_t reason, bool hold_revoked)
{
	return reason != PKI_REASON_REMOVE && (reason != PKI_REASON_HOLD || hold_revoked);
}

/* Does a name of a equal a name of b? */
static bool pki_crl_names_meet(const GENERAL_NAMES *a, const GENERAL_NAMES *b)
{
	for (int i = 0; i < sk_GENERAL_NAME_num(a); i++)
		for (int j = 0; j < sk_GENERAL_NAME_num(b); j++)
			if (GENERAL_NAME_cmp(sk_GENERAL_NAME_value(a, i),
					     sk_GENERAL_NAME_value(b, j)) == 0)
				return true;
	return false;
}

/* Is cert in the scope of a CRL whose IDP names the distribution point
 * idp: does one of cert's CDPs name it, by its fullName or, without one,
 * its cRLIssuer?  Any certificate is when idp is NULL; none is unknown. */
static bool pki_crl_dp_covers(const GENERAL_NAMES *idp, X509 *cert)
{
	STACK_OF(DIST_POINT) *dps;
	bool hit = false;

	if (idp == NULL)
		return true;
	if (cert == NULL)
		return false;
	dps = X509_get_ext_d2i(cert, NID_crl_distribution_points, NULL, NULL);
	for (int i = 0; !hit && i < sk_DIST_POINT_num(dps); i++) {
		const DIST_POINT *dp = sk_DIST_POINT_value(dps, i);

		if (dp->distpoint != NULL)
			hit = dp->distpoint->type == 0 &&
			      pki_crl_names_meet(idp, dp->distpoint->name.fullname);
		else
			hit = pki_crl_names_meet(idp, dp->CRLissuer);
	}
	CRL_DIST_POINTS_free(dps);
	return hit;
}

/* One scope: its complete CRL and delta.  The delta's entry is the newer
 * and wins (removeFromCRL releases a hold of the complete CRL). */
static enum pki_rev_status pki_crl_scope_status(const struct pki_crl_entry *e,
						enum pki_crl_scope sc,
						const struct pki_crl_query *q, uint8_t *reason)
{
	const struct pki_crl_held *c = &e->held[sc][PKI_HELD_COMPLETE];
	const struct pki_crl_held *d = &e->held[sc][PKI_HELD_DELTA];
	uint8_t r = 0;

	if (c->ix == NULL)
		return PKI_REV_NO_CRL;
	if ((pki_crl_index_find(d->ix, q->serial, &r) || pki_crl_index_find(c->ix, q->serial, &r)) &&
	    pki_crl_revoking(r, q->hold_revoked)) {
		*reason = r;
		return PKI_REV_REVOKED;	/* stale or out of scope, it stands */
	}
	if (!pki_crl_dp_covers(c->idp_names, q->cert))
		return PKI_REV_NO_CRL;
	return pki_crl_stale(c, q->now) || pki_crl_stale(d, q->now) ? PKI_REV_STALE : PKI_REV_GOOD;
}

static bool pki_crl_scope_applies(enum pki_crl_scope sc, int is_ca)
{
	return sc == PKI_CRL_SCOPE_ALL || is_ca < 0 || (sc == PKI_CRL_SCOPE_CA) == (is_ca > 0);
}

static enum pki_rev_status pki_crl_entry_status(const struct pki_crl_entry *e,
						const struct pki_crl_query *q, uint8_t *reason)
{
	enum pki_rev_status st[PKI_CRL_SCOPE_MAX];
	bool stale = false, good;
	uint8_t r = 0;

	for (unsigned sc = 0; sc < PKI_CRL_SCOPE_MAX; sc++) {
		st[sc] = pki_crl_scope_applies(sc, q->is_ca) ?
			 pki_crl_scope_status(e, sc, q, &r) : PKI_REV_NO_CRL;
		if (st[sc] == PKI_REV_REVOKED) {
			if (reason != NULL)
				*reason = r;
			return PKI_REV_REVOKED;
		}
		stale |= st[sc] == PKI_REV_STALE;
	}
	if (q->is_ca < 0)
		good = st[PKI_CRL_SCOPE_USER] == PKI_REV_GOOD && st[PKI_CRL_SCOPE_CA] == PKI_REV_GOOD;
	else
		good = st[q->is_ca ? PKI_CRL_SCOPE_CA : PKI_CRL_SCOPE_USER] == PKI_REV_GOOD;
	if (good || st[PKI_CRL_SCOPE_ALL] == PKI_REV_GOOD)
		return PKI_REV_GOOD;
	return stale ? PKI_REV_STALE : PKI_REV_NO_CRL;
}

enum pki_rev_status pki_crl_status(const struct pki_issuer_id *issuer,
				   const struct pki_serial *serial, uint8_t *reason)
{
	const struct pki_crl_entry *e = pki_crl_find(issuer);
	struct pki_crl_query q = { .serial = serial, .is_ca = -1, .now = pki_crl_now() };

	if (e == NULL)
		return PKI_REV_NO_CRL;
	q.hold_revoked = e->hold_any;
	return pki_crl_entry_status(e, &q, reason);
}

enum pki_rev_status pki_crl_status_cert(const struct pki_issuer_id *issuer,
					const struct pki_serial *serial, bool is_ca,
					uint8_t *reason)
{
	const struct pki_crl_entry *e = pki_crl_find(issuer);
	struct pki_crl_query q = { .serial = serial, .is_ca = is_ca, .now = pki_crl_now() };

	if (e == NULL)
		return PKI_REV_NO_CRL;
	q.hold_revoked = e->hold_any;
	return pki_crl_entry_status(e, &q, reason);
}

enum pki_rev_status pki_crl_status_x509(unsigned tp, X509 *cert, X509 *issuer, uint8_t *reason)
{
	const struct pki_tp *t = pki_tp_get(tp);
	const struct pki_crl_entry *e;
	struct pki_crl_query q = { .cert = cert, .now = pki_crl_now() };
	struct pki_issuer_id id;
	struct pki_serial serial;
	uint8_t key[32];

	if (pki_id_of_ca_subject(issuer, &id) != 0 || pki_crl_ca_key(issuer, key) != 0 ||
	    pki_serial_from_asn1(X509_get0_serialNumber(cert), &serial) != 0)
		return PKI_REV_NO_CRL;
	e = pki_crl_find(&id);
	/* CRLs signed by another key than that of cert's issuer say nothing. */
	if (e == NULL || CRYPTO_memcmp(e->ca_key, key, sizeof(key)) != 0)
		return PKI_REV_NO_CRL;
	q.serial = &serial;
	q.is_ca = (X509_get_extension_flags(cert) & EXFLAG_CA) != 0;
	q.hold_revoked = t != NULL ? t->cfg->hold_is_revoked : e->hold_any;
	return pki_crl_entry_status(e, &q, reason);
}

/* IKE's serials: end-entity certificates (scope "all" or "user") and,
 * where is_ca[i] says so, the intermediates of its peers' chains (scope
 * "all" or "ca"). */
int pki_check_serials_kind(const struct pki_issuer_id *issuer, const struct pki_serial *serials,
			   const bool *is_ca, unsigned n, struct pki_revoked *out)
{
	const struct pki_crl_entry *e = pki_crl_find(issuer);
	struct pki_crl_query q = { .now = pki_crl_now() };
	bool all, ee, ca, want_ee = n == 0, want_ca = false;
	unsigned i, k = 0;
	uint8_t reason;

	if (e == NULL)
		return -ENOENT;
	all = e->held[PKI_CRL_SCOPE_ALL][PKI_HELD_COMPLETE].ix != NULL;
	ee = all || e->held[PKI_CRL_SCOPE_USER][PKI_HELD_COMPLETE].ix != NULL;
	ca = all || e->held[PKI_CRL_SCOPE_CA][PKI_HELD_COMPLETE].ix != NULL;
	for (i = 0; i < n; i++) {
		want_ca |= is_ca != NULL && is_ca[i];
		want_ee |= is_ca == NULL || !is_ca[i];
	}
	if (!(want_ee && ee) && !(want_ca && ca))
		return -ENOENT;
	q.hold_revoked = e->hold_any;
	for (i = 0; i < n; i++) {
		reason = 0;
		q.serial = &serials[i];
		q.is_ca = is_ca != NULL && is_ca[i];
		if (pki_crl_entry_status(e, &q, &reason) != PKI_REV_REVOKED)
			continue;
		out[k].idx = i;
		out[k].reason = reason;
		k++;
	}
	return (int)k;
}

int pki_check_serials(const struct pki_issuer_id *issuer, const struct pki_serial *serials,
		      unsigned n, struct pki_revoked *out)
{
	return pki_check_serials_kind(issuer, serials, NULL, n, out);
}
