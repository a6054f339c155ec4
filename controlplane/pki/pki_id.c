/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Issuer ids and serials from OpenSSL objects.
 *
 * An issuer id is SHA-256 over a canonical form of the issuer's Name
 * followed by the key identifier (the CA's SKID, or the AKID of what it
 * issued).  The canonical form follows the matching rules of RFC 5280
 * 7.1 as OpenSSL's X509_NAME_cmp applies them: string values converted
 * to UTF-8, leading and trailing white space removed, inner runs of white
 * space folded to one space, ASCII folded to lower case; any other value
 * is taken as its DER.  Two encodings of the same name therefore give the
 * same id, and a CA key rollover under the same name gives a new one.
 * CP thread only (no state).
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "controlplane/pki/pki_internal.h"

/* Is t a character string type that RFC 5280 7.1 compares as text? */
static bool pki_id_is_text(int t)
{
	return t == V_ASN1_UTF8STRING || t == V_ASN1_PRINTABLESTRING ||
	       t == V_ASN1_T61STRING || t == V_ASN1_IA5STRING || t == V_ASN1_BMPSTRING ||
	       t == V_ASN1_UNIVERSALSTRING || t == V_ASN1_VISIBLESTRING;
}

/* Fold u[0..n) in place (trim, collapse white space, lower ASCII); new length. */
static size_t pki_id_fold(unsigned char *u, size_t n)
{
	size_t i, o = 0;
	bool space = false;

	for (i = 0; i < n; i++) {
		unsigned char c = u[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
			space = o > 0;
			continue;
		}
		if (space)
			u[o++] = ' ';
		space = false;
		u[o++] = (c < 0x80) ? (unsigned char)tolower(c) : c;
	}
	return o;
}

static int pki_id_feed(EVP_MD_CTX *md, const void *p, size_t n)
{
	uint8_t len[4] = { (uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n };

	return EVP_DigestUpdate(md, len, sizeof(len)) && EVP_DigestUpdate(md, p, n) ? 0 : -EIO;
}

/* One name entry: set index, OID, tag, canonical value. */
static int pki_id_feed_entry(EVP_MD_CTX *md, const X509_NAME_ENTRY *e)
{
	const ASN1_OBJECT *obj = X509_NAME_ENTRY_get_object(e);
	const ASN1_STRING *v = X509_NAME_ENTRY_get_data(e);
	int set = X509_NAME_ENTRY_set(e);
	uint8_t hdr[5] = { (uint8_t)(set >> 24), (uint8_t)(set >> 16), (uint8_t)(set >> 8),
			   (uint8_t)set, 0 };
	unsigned char *u = NULL;
	int n, rc;

	rc = pki_id_feed(md, OBJ_get0_data(obj), OBJ_length(obj));
	if (rc)
		return rc;
	if (pki_id_is_text(ASN1_STRING_type(v))) {
		n = ASN1_STRING_to_UTF8(&u, v);
		if (n < 0)
			return -EINVAL;
		hdr[4] = V_ASN1_UTF8STRING;
		n = (int)pki_id_fold(u, (size_t)n);
	} else {
		n = i2d_ASN1_TYPE(&(ASN1_TYPE){ .type = ASN1_STRING_type(v),
						.value.asn1_string = (ASN1_STRING *)v }, &u);
		if (n < 0)
			return -EINVAL;
	}
	rc = EVP_DigestUpdate(md, hdr, sizeof(hdr)) ? pki_id_feed(md, u, (size_t)n) : -EIO;
	OPENSSL_free(u);
	return rc;
}

static int pki_id_make(const X509_NAME *name, const ASN1_OCTET_STRING *keyid,
		       struct pki_issuer_id *id)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int dlen = 0;
	int i, rc = -EIO;

	if (md == NULL)
		return -ENOMEM;
	if (!EVP_DigestInit_ex(md, EVP_sha256(), NULL))
		goto out;
	for (i = 0; i < X509_NAME_entry_count(name); i++) {
		rc = pki_id_feed_entry(md, X509_NAME_get_entry(name, i));
		if (rc)
			goto out;
	}
	rc = -EIO;
	if (pki_id_feed(md, keyid ? ASN1_STRING_get0_data(keyid) : NULL,
			keyid ? (size_t)ASN1_STRING_length(keyid) : 0))
		goto out;
	if (!EVP_DigestFinal_ex(md, id->h, &dlen) || dlen != sizeof(id->h))
		goto out;
	rc = 0;
out:
	EVP_MD_CTX_free(md);
	return rc;
}

int pki_id_of_cert_issuer(X509 *cert, struct pki_issuer_id *id)
{
	return pki_id_make(X509_get_issuer_name(cert), X509_get0_authority_key_id(cert), id);
}

int pki_id_of_crl_issuer(X509_CRL *crl, struct pki_issuer_id *id)
{
	AUTHORITY_KEYID *akid = X509_CRL_get_ext_d2i(crl, NID_authority_key_identifier, NULL, NULL);
	int rc = pki_id_make(X509_CRL_get_issuer(crl), akid ? akid->keyid : NULL, id);

	AUTHORITY_KEYID_free(akid);
	return rc;
}

int pki_id_of_ca_subject(X509 *ca, struct pki_issuer_id *id)
{
	return pki_id_make(X509_get_subject_name(ca), X509_get0_subject_key_id(ca), id);
}

int pki_serial_from_asn1(const ASN1_INTEGER *a, struct pki_serial *s)
{
	const unsigned char *p = ASN1_STRING_get0_data(a);
	int n = ASN1_STRING_length(a);

	if (ASN1_STRING_type(a) != V_ASN1_INTEGER || n < 0)
		return -ERANGE;		/* negative serials are not ours */
	while (n > 0 && *p == 0) {
		p++;
		n--;
	}
	if (n > PKI_SERIAL_MAX)
		return -ERANGE;
	s->len = (uint8_t)n;
	memcpy(s->b, p, (size_t)n);
	return 0;
}

void pki_issuer_str(const X509_NAME *name, char *buf, size_t len)
{
	unsigned long flags = (XN_FLAG_ONELINE & ~(XN_FLAG_SPC_EQ | ASN1_STRFLGS_ESC_MSB)) |
			      ASN1_STRFLGS_UTF8_CONVERT;
	BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	long n;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (bio == NULL || X509_NAME_print_ex(bio, name, 0, flags) < 0) {
		snprintf(buf, len, "(unprintable name)");
		goto out;
	}
	n = BIO_get_mem_data(bio, &data);
	if (n < 0)
		n = 0;
	if ((size_t)n < len) {
		memcpy(buf, data, (size_t)n);
		buf[n] = '\0';
	} else if (len > 4) {
		memcpy(buf, data, len - 4);	/* cut visibly */
		memcpy(buf + len - 4, "...", 4);
	}
out:
	BIO_free(bio);
}
