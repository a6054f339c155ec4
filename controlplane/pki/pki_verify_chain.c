/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The synchronous half of peer verification: the chain against one
 * trustpoint (X509_verify_cert), the end entity's key usage, and the IKE
 * identity.  No revocation here (pki_verify.c).  CP thread only.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/x509v3.h>

#include "controlplane/pki/pki_internal.h"

/* OpenSSL's verification error -> ours. */
static enum pki_verify_error pki_vc_map(int err)
{
	switch (err) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return PKI_VERIFY_EXPIRED;
	case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
	case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
		return PKI_VERIFY_PARSE;
	case X509_V_ERR_INVALID_CA:
	case X509_V_ERR_INVALID_NON_CA:
	case X509_V_ERR_INVALID_PURPOSE:
	case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
	case X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE:
	case X509_V_ERR_PATH_LENGTH_EXCEEDED:
	case X509_V_ERR_PATHLEN_INVALID_FOR_NON_CA:
	case X509_V_ERR_PATHLEN_WITHOUT_KU_KEY_CERT_SIGN:
	case X509_V_ERR_KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA:
	case X509_V_ERR_CA_BCONS_NOT_CRITICAL:
	case X509_V_ERR_CA_CERT_MISSING_KEY_USAGE:
		return PKI_VERIFY_KEY_USAGE;
	case X509_V_ERR_OUT_OF_MEM:
		return PKI_VERIFY_INTERNAL;
	default:
		return PKI_VERIFY_UNTRUSTED;
	}
}

/*
 * The store for tp: self-signed CAs are the trust anchors, the others
 * (intermediates) join the untrusted helpers.  A trustpoint without any
 * self-signed CA anchors at its CAs themselves (partial chain).
 */
static X509_STORE *pki_vc_store(const struct pki_tp *tp, STACK_OF(X509) *untrusted,
				bool *partial)
{
	X509_STORE *store = X509_STORE_new();
	int roots = 0;

	if (store == NULL)
		return NULL;
	for (int i = 0; i < sk_X509_num(tp->cas); i++) {
		X509 *ca = sk_X509_value(tp->cas, i);

		if (X509_self_signed(ca, 0) == 1) {
			if (X509_STORE_add_cert(store, ca) != 1)
				goto fail;
			roots++;
		} else if (sk_X509_push(untrusted, ca) == 0) {
			goto fail;
		}
	}
	*partial = roots == 0;
	for (int i = 0; *partial && i < sk_X509_num(tp->cas); i++)
		if (X509_STORE_add_cert(store, sk_X509_value(tp->cas, i)) != 1)
			goto fail;
	return store;
fail:
	X509_STORE_free(store);
	return NULL;
}

static void pki_vc_reason(X509_STORE_CTX *ctx, char *reason, size_t len)
{
	X509 *cur = X509_STORE_CTX_get_current_cert(ctx);
	char subj[PKI_ISSUER_STR] = "?";

	if (cur != NULL)
		pki_issuer_str(X509_get_subject_name(cur), subj, sizeof(subj));
	snprintf(reason, len, "%s (depth %d: %s)",
		 X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)),
		 X509_STORE_CTX_get_error_depth(ctx), subj);
}

enum pki_verify_error pki_verify_chain(const struct pki_tp *tp, X509 *ee,
				       STACK_OF(X509) *extra, STACK_OF(X509) **chain,
				       char *reason, size_t len)
{
	enum pki_verify_error ret = PKI_VERIFY_INTERNAL;
	STACK_OF(X509) *untrusted = sk_X509_dup(extra);
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509_STORE *store = NULL;
	bool partial = false;

	*chain = NULL;
	snprintf(reason, len, "out of memory");
	if (untrusted == NULL || ctx == NULL)
		goto out;
	store = pki_vc_store(tp, untrusted, &partial);
	if (store == NULL || X509_STORE_CTX_init(ctx, store, ee, untrusted) != 1)
		goto out;
	X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_X509_STRICT |
				 (partial ? X509_V_FLAG_PARTIAL_CHAIN : 0));
	X509_STORE_CTX_set_depth(ctx, PKI_MAX_CHAIN - 1);	/* intermediates */
	if (X509_verify_cert(ctx) == 1) {
		*chain = X509_STORE_CTX_get1_chain(ctx);
		ret = *chain != NULL ? PKI_VERIFY_OK : PKI_VERIFY_INTERNAL;
		snprintf(reason, len, *chain != NULL ? "chain verified" : "out of memory");
		goto out;
	}
	ret = pki_vc_map(X509_STORE_CTX_get_error(ctx));
	pki_vc_reason(ctx, reason, len);
out:
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	sk_X509_free(untrusted);
	return ret;
}

/* An IKE signature key: digitalSignature or nonRepudiation (RFC 4945
 * 5.1.3.2) when keyUsage is present. */
enum pki_verify_error pki_verify_ee_usage(X509 *ee, char *reason, size_t len)
{
	uint32_t ku = X509_get_key_usage(ee);

	if (!(X509_get_extension_flags(ee) & EXFLAG_KUSAGE))
		return PKI_VERIFY_OK;
	if (ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION))
		return PKI_VERIFY_OK;
	snprintf(reason, len, "end-entity keyUsage lacks digitalSignature (0x%x)", (unsigned)ku);
	return PKI_VERIFY_KEY_USAGE;
}

/* A subjectAltName of type gtype equal to data (case-insensitive for the
 * IA5String types, exact octets for iPAddress). */
static bool pki_vc_san_match(X509 *ee, int gtype, const uint8_t *data, size_t len)
{
	GENERAL_NAMES *sans = X509_get_ext_d2i(ee, NID_subject_alt_name, NULL, NULL);
	bool found = false;

	for (int i = 0; !found && i < sk_GENERAL_NAME_num(sans); i++) {
		const GENERAL_NAME *gn = sk_GENERAL_NAME_value(sans, i);
		const ASN1_STRING *v;

		if (gn->type != gtype)
			continue;
		v = gtype == GEN_IPADD ? gn->d.iPAddress : gtype == GEN_DNS ? gn->d.dNSName :
			gn->d.rfc822Name;
		if ((size_t)ASN1_STRING_length(v) != len)
			continue;
		if (gtype == GEN_IPADD)
			found = memcmp(ASN1_STRING_get0_data(v), data, len) == 0;
		else
			found = len > 0 && memchr(data, '\0', len) == NULL &&
				strncasecmp((const char *)ASN1_STRING_get0_data(v),
					    (const char *)data, len) == 0;
	}
	GENERAL_NAMES_free(sans);
	return found;
}

static bool pki_vc_dn_match(X509 *ee, const uint8_t *data, size_t len)
{
	const unsigned char *p = data;
	X509_NAME *name = d2i_X509_NAME(NULL, &p, (long)len);
	bool ok = name != NULL && p == data + len &&
		  X509_NAME_cmp(name, X509_get_subject_name(ee)) == 0;

	X509_NAME_free(name);
	return ok;
}

static const char *pki_vc_id_type_str(enum pki_id_type t)
{
	static const char *const names[] = {
		[PKI_ID_DN] = "DN", [PKI_ID_FQDN] = "FQDN", [PKI_ID_IPV4] = "IPv4",
		[PKI_ID_IPV6] = "IPv6", [PKI_ID_RFC822] = "RFC822", [PKI_ID_NONE] = "none",
	};

	return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "unknown";
}

enum pki_verify_error pki_verify_id_match(X509 *ee, const struct pki_peer_id *id,
					  char *reason, size_t len)
{
	bool ok;

	switch (id->type) {
	case PKI_ID_NONE:
		return PKI_VERIFY_OK;
	case PKI_ID_DN:
		ok = pki_vc_dn_match(ee, id->data, id->len);
		break;
	case PKI_ID_FQDN:
		ok = pki_vc_san_match(ee, GEN_DNS, id->data, id->len);
		break;
	case PKI_ID_RFC822:
		ok = pki_vc_san_match(ee, GEN_EMAIL, id->data, id->len);
		break;
	case PKI_ID_IPV4:
		ok = id->len == 4 && pki_vc_san_match(ee, GEN_IPADD, id->data, 4);
		break;
	case PKI_ID_IPV6:
		ok = id->len == 16 && pki_vc_san_match(ee, GEN_IPADD, id->data, 16);
		break;
	default:
		ok = false;
		break;
	}
	if (!ok)
		snprintf(reason, len, "%s identity (%zu octets) not in the certificate's %s",
			 pki_vc_id_type_str(id->type), id->len,
			 id->type == PKI_ID_DN ? "subject" : "subjectAltName");
	return ok ? PKI_VERIFY_OK : PKI_VERIFY_ID_MISMATCH;
}

/* An http:// URL that fits, printable ASCII only (it came from a certificate). */
static bool pki_vc_url_ok(const unsigned char *u, size_t len)
{
	if (len <= 7 || len >= CFG_URL_MAX || strncasecmp((const char *)u, "http://", 7) != 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isgraph(u[i]))
			return false;
	return true;
}

/* Each http:// fullName URI of dps (CDP or freshestCRL syntax), in order. */
int pki_dp_urls(const STACK_OF(DIST_POINT) *dps, char urls[][CFG_URL_MAX], unsigned max)
{
	unsigned n = 0;

	for (int i = 0; i < sk_DIST_POINT_num(dps); i++) {
		const DIST_POINT *dp = sk_DIST_POINT_value(dps, i);
		const GENERAL_NAMES *full;

		if (dp->distpoint == NULL || dp->distpoint->type != 0)
			continue;
		full = dp->distpoint->name.fullname;
		for (int j = 0; j < sk_GENERAL_NAME_num(full); j++) {
			const GENERAL_NAME *gn = sk_GENERAL_NAME_value(full, j);
			const ASN1_STRING *u;
			size_t ulen;

			if (gn->type != GEN_URI || n >= max)
				continue;
			u = gn->d.uniformResourceIdentifier;
			ulen = (size_t)ASN1_STRING_length(u);
			if (!pki_vc_url_ok(ASN1_STRING_get0_data(u), ulen))
				continue;
			memcpy(urls[n], ASN1_STRING_get0_data(u), ulen);
			urls[n++][ulen] = '\0';
		}
	}
	return (int)n;
}

/* Each http:// crlDistributionPoints fullName URI of cert, in order. */
int pki_verify_cdp_urls(X509 *cert, char urls[][CFG_URL_MAX], unsigned max)
{
	STACK_OF(DIST_POINT) *dps = X509_get_ext_d2i(cert, NID_crl_distribution_points, NULL, NULL);
	int n = pki_dp_urls(dps, urls, max);

	CRL_DIST_POINTS_free(dps);
	return n;
}
