/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A CRL from the network or the cache: parse (DER or PEM), verify before
 * acceptance, and turn its revoked entries into our own index.  OpenSSL
 * only checks a CRL's critical extensions inside X509_verify_cert, so we
 * check them here.  CP thread only; no state.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "controlplane/pki/pki_crl.h"

static const char *const pki_crl_verdict_names[] = {
#define X(n, d) [PKI_CRL_##n] = d,
	PKI_CRL_VERDICTS(X)
#undef X
};

const char *pki_crl_verdict_str(enum pki_crl_verdict v)
{
	return (unsigned)v < PKI_CRL_VERDICT_MAX ? pki_crl_verdict_names[v] : "?";
}

static const char *const pki_crl_scope_names[] = {
#define X(n, d) [PKI_CRL_SCOPE_##n] = d,
	PKI_CRL_SCOPES(X)
#undef X
};

const char *pki_crl_scope_str(enum pki_crl_scope s)
{
	return (unsigned)s < PKI_CRL_SCOPE_MAX ? pki_crl_scope_names[s] : "?";
}

int pki_serial_cmp(const struct pki_serial *a, const struct pki_serial *b)
{
	int c;

	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	c = memcmp(a->b, b->b, a->len);
	return (c > 0) - (c < 0);
}

void pki_serial_hex(const struct pki_serial *s, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	if (len == 0)
		return;
	if (s->len == 0 && len > 1)
		buf[o++] = '0';
	for (i = 0; i < s->len && o + 2 < len; i++) {
		buf[o++] = hex[s->b[i] >> 4];
		buf[o++] = hex[s->b[i] & 15];
	}
	buf[o] = '\0';
}

/* The oldest queued OpenSSL error as " (text)", or "". */
static void pki_crl_ssl_why(char *buf, size_t len, const char *what)
{
	unsigned long e = ERR_peek_error();
	char ssl[120];

	if (e == 0) {
		snprintf(buf, len, "%s", what);
	} else {
		ERR_error_string_n(e, ssl, sizeof(ssl));
		snprintf(buf, len, "%s (%s)", what, ssl);
	}
	ERR_clear_error();
}

static enum pki_crl_verdict pki_crl_parse_der(const uint8_t *body, size_t len,
					      struct pki_crl_parsed *p)
{
	const unsigned char *q = body;

	p->crl = d2i_X509_CRL(NULL, &q, (long)len);
	if (p->crl == NULL) {
		pki_crl_ssl_why(p->why, sizeof(p->why), "DER does not decode as a CRL");
		return PKI_CRL_PARSE;
	}
	if (q != body + len) {
		snprintf(p->why, sizeof(p->why), "%zu bytes after the DER CRL",
			 (size_t)(body + len - q));
		return PKI_CRL_PARSE;
	}
	p->der = body;
	p->der_len = len;
	return PKI_CRL_NEW;
}

static enum pki_crl_verdict pki_crl_parse_pem(const uint8_t *body, size_t len,
					      struct pki_crl_parsed *p)
{
	BIO *bio = BIO_new_mem_buf(body, (int)len);
	int n;

	if (bio == NULL) {
		snprintf(p->why, sizeof(p->why), "out of memory");
		return PKI_CRL_PARSE;
	}
	p->crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (p->crl == NULL) {
		pki_crl_ssl_why(p->why, sizeof(p->why), "neither DER nor a PEM X509 CRL");
		return PKI_CRL_PARSE;
	}
	n = i2d_X509_CRL(p->crl, &p->der_buf);
	if (n <= 0) {
		pki_crl_ssl_why(p->why, sizeof(p->why), "cannot re-encode the PEM CRL");
		return PKI_CRL_PARSE;
	}
	p->der = p->der_buf;
	p->der_len = (size_t)n;
	return PKI_CRL_NEW;
}

enum pki_crl_verdict pki_crl_parse(const uint8_t *body, size_t len, size_t max,
				   struct pki_crl_parsed *p)
{
	enum pki_crl_verdict v;

	memset(p, 0, sizeof(*p));
	ERR_clear_error();
	if (len > max || len > INT_MAX) {
		snprintf(p->why, sizeof(p->why), "%zu bytes, crl_max_size %zu", len, max);
		return PKI_CRL_TOO_BIG;
	}
	if (len == 0) {
		snprintf(p->why, sizeof(p->why), "empty body");
		return PKI_CRL_PARSE;
	}
	/* A DER CRL is a SEQUENCE; anything else may be PEM. */
	v = body[0] == 0x30 ? pki_crl_parse_der(body, len, p) : pki_crl_parse_pem(body, len, p);
	if (v != PKI_CRL_NEW)
		return v;
	SHA256(p->der, p->der_len, p->digest);
	return PKI_CRL_NEW;
}

void pki_crl_parsed_free(struct pki_crl_parsed *p)
{
	X509_CRL_free(p->crl);
	OPENSSL_free(p->der_buf);
	GENERAL_NAMES_free(p->idp_names);
	p->crl = NULL;
	p->der_buf = NULL;
	p->der = NULL;
	p->idp_names = NULL;
}

/* ---- verification before acceptance ---- */

int pki_crl_ca_key(X509 *ca, uint8_t key[32])
{
	unsigned int n = 0;

	return X509_pubkey_digest(ca, EVP_sha256(), key, &n) == 1 && n == 32 ? 0 : -EIO;
}

/* Find the issuing CA among tp's CAs (name + AKID) and check cRLSign. */
static enum pki_crl_verdict pki_crl_check_issuer(const struct pki_tp *tp,
						 struct pki_crl_parsed *p)
{
	const X509_NAME *name = X509_CRL_get_issuer(p->crl);
	AUTHORITY_KEYID *akid;
	int crit;

	pki_issuer_str(name, p->issuer_str, sizeof(p->issuer_str));
	if (pki_id_of_crl_issuer(p->crl, &p->issuer) == 0)
		p->issuer_known = true;
	akid = X509_CRL_get_ext_d2i(p->crl, NID_authority_key_identifier, &crit, NULL);
	if (akid == NULL && crit != -1) {
		snprintf(p->why, sizeof(p->why), "malformed or repeated authorityKeyIdentifier");
		return PKI_CRL_PARSE;
	}
	p->ca = pki_tp_find_issuer(tp, name, akid ? akid->keyid : NULL);
	AUTHORITY_KEYID_free(akid);
	if (p->ca == NULL) {
		snprintf(p->why, sizeof(p->why), "no CA of trustpoint %s is \"%s\" with that key id",
			 tp->name, p->issuer_str);
		return PKI_CRL_ISSUER_UNKNOWN;
	}
	/* Key the CRL by the CA's own id: a CRL without AKID still lands on it. */
	if (pki_id_of_ca_subject(p->ca, &p->issuer) || pki_crl_ca_key(p->ca, p->ca_key)) {
		p->ca = NULL;
		pki_crl_ssl_why(p->why, sizeof(p->why), "cannot hash the issuer name or key");
		return PKI_CRL_PARSE;
	}
	if (!(X509_get_extension_flags(p->ca) & EXFLAG_KUSAGE) ||
	    !(X509_get_key_usage(p->ca) & KU_CRL_SIGN)) {
		snprintf(p->why, sizeof(p->why), "CA certificate has no keyUsage cRLSign");
		return PKI_CRL_NOT_CRLSIGN;
	}
	if (X509_CRL_verify(p->crl, X509_get0_pubkey(p->ca)) != 1) {
		pki_crl_ssl_why(p->why, sizeof(p->why), "signature does not verify with the CA key");
		return PKI_CRL_SIGNATURE;
	}
	return PKI_CRL_NEW;
}

static bool pki_crl_ext_known(int nid)
{
	return nid == NID_crl_number || nid == NID_delta_crl ||
	       nid == NID_issuing_distribution_point || nid == NID_authority_key_identifier ||
	       nid == NID_freshest_crl;
}

static enum pki_crl_verdict pki_crl_check_critical(struct pki_crl_parsed *p)
{
	int i, n = X509_CRL_get_ext_count(p->crl);
	char oid[80];

	for (i = 0; i < n; i++) {
		X509_EXTENSION *ext = X509_CRL_get_ext(p->crl, i);
		const ASN1_OBJECT *obj = X509_EXTENSION_get_object(ext);

		if (!X509_EXTENSION_get_critical(ext) || pki_crl_ext_known(OBJ_obj2nid(obj)))
			continue;
		OBJ_obj2txt(oid, sizeof(oid), obj, 1);
		snprintf(p->why, sizeof(p->why), "critical extension %s", oid);
		return PKI_CRL_CRITICAL_EXT;
	}
	return PKI_CRL_NEW;
}

/* Keep the distribution point an IDP names in p->idp_names, to match
 * certificates' CDPs against (RFC 5280 6.3.3 b.2.i).  NULL, or what is
 * wrong with it. */
static const char *pki_crl_idp_names(const ISSUING_DIST_POINT *idp, struct pki_crl_parsed *p)
{
	const DIST_POINT_NAME *dp = idp->distpoint;

	if (dp == NULL)
		return NULL;
	if (dp->type != 0)
		return "distributionPoint nameRelativeToCRLIssuer (not supported)";
	if (sk_GENERAL_NAME_num(dp->name.fullname) <= 0)
		return "empty distributionPoint";
	p->idp_names = sk_GENERAL_NAME_deep_copy(dp->name.fullname, GENERAL_NAME_dup,
						 GENERAL_NAME_free);
	return p->idp_names == NULL ? "distributionPoint (out of memory)" : NULL;
}

/*
 * The IDP names the scope; we serve all, user-only and CA-only CRLs.  A
 * distribution point name in it narrows the CRL to the certificates whose
 * CDP names it: kept in p->idp_names, matched when answering.
 */
static enum pki_crl_verdict pki_crl_check_idp(struct pki_crl_parsed *p)
{
	ISSUING_DIST_POINT *idp;
	const char *bad = NULL;
	int crit;

	idp = X509_CRL_get_ext_d2i(p->crl, NID_issuing_distribution_point, &crit, NULL);
	p->scope = PKI_CRL_SCOPE_ALL;
	if (idp == NULL) {
		if (crit == -1)
			return PKI_CRL_NEW;
		snprintf(p->why, sizeof(p->why), "malformed or repeated issuingDistributionPoint");
		return PKI_CRL_IDP_SCOPE;
	}
	if (idp->onlyattr > 0)
		bad = "onlyContainsAttributeCerts";
	else if (idp->indirectCRL > 0)
		bad = "indirectCRL";
	else if (idp->onlysomereasons != NULL)
		bad = "onlySomeReasons";
	else if (idp->onlyuser > 0 && idp->onlyCA > 0)
		bad = "both onlyContainsUserCerts and onlyContainsCACerts";
	else if (idp->onlyuser > 0)
		p->scope = PKI_CRL_SCOPE_USER;
	else if (idp->onlyCA > 0)
		p->scope = PKI_CRL_SCOPE_CA;
	if (bad == NULL)
		bad = pki_crl_idp_names(idp, p);
	ISSUING_DIST_POINT_free(idp);
	if (bad == NULL)
		return PKI_CRL_NEW;
	snprintf(p->why, sizeof(p->why), "issuingDistributionPoint %s", bad);
	return PKI_CRL_IDP_SCOPE;
}

/* An INTEGER extension (cRLNumber, deltaCRLIndicator) into a serial. */
static int pki_crl_int_ext(X509_CRL *crl, int nid, struct pki_serial *out)
{
	ASN1_INTEGER *a;
	int crit, rc;

	a = X509_CRL_get_ext_d2i(crl, nid, &crit, NULL);
	if (a == NULL)
		return crit == -1 ? -ENOENT : -EINVAL;
	rc = pki_serial_from_asn1(a, out);
	ASN1_INTEGER_free(a);
	return rc;
}

static enum pki_crl_verdict pki_crl_check_numbers(struct pki_crl_parsed *p)
{
	int rc = pki_crl_int_ext(p->crl, NID_crl_number, &p->number);

	if (rc) {
		snprintf(p->why, sizeof(p->why), "%s", rc == -ENOENT ? "no cRLNumber extension" :
			 "cRLNumber malformed, repeated, negative or over 20 octets");
		return PKI_CRL_NO_NUMBER;
	}
	rc = pki_crl_int_ext(p->crl, NID_delta_crl, &p->base);
	if (rc == -ENOENT)
		return PKI_CRL_NEW;
	if (rc) {
		snprintf(p->why, sizeof(p->why), "deltaCRLIndicator malformed or repeated");
		return PKI_CRL_DELTA_BASE;
	}
	p->delta = true;
	if (pki_serial_cmp(&p->base, &p->number) >= 0) {
		snprintf(p->why, sizeof(p->why), "delta CRL number not above its BaseCRLNumber");
		return PKI_CRL_DELTA_BASE;
	}
	return PKI_CRL_NEW;
}

static int pki_crl_time(const ASN1_TIME *t, time_t *out)
{
	struct tm tm;

	if (t == NULL || !ASN1_TIME_to_tm(t, &tm))
		return -EINVAL;
	*out = timegm(&tm);
	return 0;
}

static enum pki_crl_verdict pki_crl_check_times(struct pki_crl_parsed *p, time_t now)
{
	const ASN1_TIME *nu = X509_CRL_get0_nextUpdate(p->crl);

	if (pki_crl_time(X509_CRL_get0_lastUpdate(p->crl), &p->this_update) ||
	    (nu != NULL && pki_crl_time(nu, &p->next_update))) {
		snprintf(p->why, sizeof(p->why), "thisUpdate or nextUpdate malformed");
		return PKI_CRL_PARSE;
	}
	if (p->this_update > now + PKI_CLOCK_SKEW_S) {
		snprintf(p->why, sizeof(p->why), "thisUpdate %lld s ahead of our clock (skew %d s)",
			 (long long)(p->this_update - now), PKI_CLOCK_SKEW_S);
		return PKI_CRL_FUTURE;
	}
	/* RFC 5280 5.1.2.5: issuers MUST give it.  Without it a CRL would
	 * never go stale, and blocked downloads would pass unnoticed. */
	if (nu == NULL) {
		snprintf(p->why, sizeof(p->why), "no nextUpdate: the CRL would never go stale");
		return PKI_CRL_NO_NEXT_UPDATE;
	}
	if (p->next_update < p->this_update) {
		snprintf(p->why, sizeof(p->why), "nextUpdate before thisUpdate");
		return PKI_CRL_EXPIRED;
	}
	if (p->next_update < now) {
		snprintf(p->why, sizeof(p->why), "nextUpdate %lld s ago",
			 (long long)(now - p->next_update));
		return PKI_CRL_EXPIRED;
	}
	return PKI_CRL_NEW;
}

enum pki_crl_verdict pki_crl_check(const struct pki_tp *tp, struct pki_crl_parsed *p,
				   time_t now)
{
	enum pki_crl_verdict v;

	ERR_clear_error();
	v = pki_crl_check_issuer(tp, p);
	if (v == PKI_CRL_NEW)
		v = pki_crl_check_critical(p);
	if (v == PKI_CRL_NEW)
		v = pki_crl_check_idp(p);
	if (v == PKI_CRL_NEW)
		v = pki_crl_check_numbers(p);
	if (v == PKI_CRL_NEW)
		v = pki_crl_check_times(p, now);
	return v;
}

/* ---- the index ---- */

/* reasonCode is ENUMERATED: almost always the three octets 0a 01 NN. */
static int pki_crl_reason(const X509_EXTENSION *ext, uint8_t *reason)
{
	const ASN1_OCTET_STRING *os = X509_EXTENSION_get_data((X509_EXTENSION *)ext);
	const unsigned char *d = ASN1_STRING_get0_data(os);
	ASN1_ENUMERATED *e;
	long v;

	if (ASN1_STRING_length(os) == 3 && d[0] == V_ASN1_ENUMERATED && d[1] == 1 &&
	    d[2] <= PKI_REASON_MAX) {
		*reason = d[2];
		return 0;
	}
	e = d2i_ASN1_ENUMERATED(NULL, &d, ASN1_STRING_length(os));
	v = e ? ASN1_ENUMERATED_get(e) : -1;
	ASN1_ENUMERATED_free(e);
	if (v < 0 || v > PKI_REASON_MAX)
		return -EINVAL;
	*reason = (uint8_t)v;
	return 0;
}

/* Entry extensions: the reason, and no critical one we do not know. */
static enum pki_crl_verdict pki_crl_entry_exts(X509_REVOKED *rev, const ASN1_OBJECT *reason_obj,
					       uint8_t *reason, char *why, size_t wlen)
{
	int i, n = X509_REVOKED_get_ext_count(rev), nid;
	char oid[80];

	for (i = 0; i < n; i++) {
		X509_EXTENSION *ext = X509_REVOKED_get_ext(rev, i);
		const ASN1_OBJECT *obj = X509_EXTENSION_get_object(ext);

		if (OBJ_cmp(obj, reason_obj) == 0) {
			if (pki_crl_reason(ext, reason) == 0)
				continue;
			snprintf(why, wlen, "malformed reasonCode in an entry");
			return PKI_CRL_PARSE;
		}
		if (!X509_EXTENSION_get_critical(ext))
			continue;
		nid = OBJ_obj2nid(obj);
		if (nid == NID_invalidity_date || nid == NID_hold_instruction_code)
			continue;
		OBJ_obj2txt(oid, sizeof(oid), obj, 1);
		snprintf(why, wlen, "critical entry extension %s%s", oid,
			 nid == NID_certificate_issuer ? " (indirect CRL)" : "");
		return PKI_CRL_CRITICAL_EXT;
	}
	return PKI_CRL_NEW;
}

struct pki_crl_index *pki_crl_build_index(struct pki_crl_parsed *p, enum pki_crl_verdict *v)
{
	STACK_OF(X509_REVOKED) *revs = X509_CRL_get_REVOKED(p->crl);
	const ASN1_OBJECT *reason_obj = OBJ_nid2obj(NID_crl_reason);
	int i, n = revs ? sk_X509_REVOKED_num(revs) : 0;
	struct pki_crl_index *ix = pki_crl_index_new((size_t)n);
	struct pki_serial s;

	*v = PKI_CRL_NEW;
	if (ix == NULL) {
		snprintf(p->why, sizeof(p->why), "out of memory for %d entries", n);
		*v = PKI_CRL_PARSE;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		X509_REVOKED *rev = sk_X509_REVOKED_value(revs, i);
		uint8_t reason = PKI_REASON_UNSPECIFIED;

		if (X509_REVOKED_get_ext_count(rev) > 0) {
			*v = pki_crl_entry_exts(rev, reason_obj, &reason, p->why, sizeof(p->why));
			if (*v != PKI_CRL_NEW)
				goto fail;
		}
		/* A negative or over-long serial names no certificate we accept. */
		if (pki_serial_from_asn1(X509_REVOKED_get0_serialNumber(rev), &s)) {
			p->skipped++;
			continue;
		}
		if (pki_crl_index_add(ix, &s, reason)) {
			snprintf(p->why, sizeof(p->why), "index overflow");
			*v = PKI_CRL_PARSE;
			goto fail;
		}
	}
	return ix;
fail:
	pki_crl_index_free(ix);
	return NULL;
}
