/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test PKI generator: keys, certificates and CRLs built with OpenSSL 3, and
 * PEM files in a temporary directory.  See test_pki_gen.h.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "test/unit/test_pki_gen.h"

static void tpg_fail(const char *what)
{
	fprintf(stderr, "test_pki_gen: %s failed\n", what);
	ERR_print_errors_fp(stderr);
}

EVP_PKEY *tpg_key(enum tpg_key_type type)
{
	EVP_PKEY *k;

	if (type == TPG_EC_P256)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	else
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	if (k == NULL)
		tpg_fail("key generation");
	return k;
}

/* "/O=x/CN=y" into a new X509_NAME. */
static X509_NAME *tpg_name(const char *s)
{
	X509_NAME *n = X509_NAME_new();
	char buf[512], *save = NULL, *rdn;

	if (n == NULL || strlen(s) >= sizeof(buf))
		goto fail;
	strcpy(buf, s);
	for (rdn = strtok_r(buf, "/", &save); rdn; rdn = strtok_r(NULL, "/", &save)) {
		char *eq = strchr(rdn, '=');

		if (eq == NULL)
			goto fail;
		*eq = '\0';
		if (!X509_NAME_add_entry_by_txt(n, rdn, MBSTRING_UTF8,
						(const unsigned char *)(eq + 1), -1, -1, 0))
			goto fail;
	}
	return n;
fail:
	tpg_fail("subject name");
	X509_NAME_free(n);
	return NULL;
}

/* Add an extension given in OpenSSL's config syntax. */
static int tpg_add_ext(X509 *cert, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	int ok;

	if (ext == NULL) {
		tpg_fail(OBJ_nid2sn(nid));
		return -1;
	}
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

static int tpg_set_serial(X509 *cert, const struct tpg_cert_spec *s)
{
	ASN1_INTEGER *a = X509_get_serialNumber(cert);
	BIGNUM *bn;
	int rc = -1;

	if (s->serial_bin_len == 0)
		return ASN1_INTEGER_set_uint64(a, s->serial ? s->serial : 1) ? 0 : -1;
	bn = BN_bin2bn(s->serial_bin, (int)s->serial_bin_len, NULL);
	if (bn != NULL && BN_to_ASN1_INTEGER(bn, a) != NULL)
		rc = 0;
	BN_free(bn);
	return rc;
}

static int tpg_cert_exts(X509 *cert, const struct tpg_cert_spec *s, X509 *issuer)
{
	X509V3_CTX ctx;
	const char *ku = s->key_usage;
	char cdp[600];

	X509V3_set_ctx(&ctx, issuer ? issuer : cert, cert, NULL, NULL, 0);
	if (tpg_add_ext(cert, &ctx, NID_basic_constraints,
			s->ca ? "critical,CA:TRUE" : "critical,CA:FALSE"))
		return -1;
	if (ku == NULL)
		ku = s->ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature";
	if (ku[0] && tpg_add_ext(cert, &ctx, NID_key_usage, ku))
		return -1;
	if (tpg_add_ext(cert, &ctx, NID_subject_key_identifier, "hash"))
		return -1;
	if ((issuer == NULL || X509_get0_subject_key_id(issuer) != NULL) &&
	    tpg_add_ext(cert, &ctx, NID_authority_key_identifier, "keyid:always"))
		return -1;
	if (s->san && tpg_add_ext(cert, &ctx, NID_subject_alt_name, s->san))
		return -1;
	if (s->cdp) {
		snprintf(cdp, sizeof(cdp), "URI:%s", s->cdp);
		if (tpg_add_ext(cert, &ctx, NID_crl_distribution_points, cdp))
			return -1;
	}
	return 0;
}

X509 *tpg_cert(const struct tpg_cert_spec *s, EVP_PKEY *key, X509 *issuer,
	       EVP_PKEY *issuer_key)
{
	X509 *cert = X509_new();
	X509_NAME *subj = tpg_name(s->subject);

	if (cert == NULL || subj == NULL)
		goto fail;
	if (!X509_set_version(cert, X509_VERSION_3) || tpg_set_serial(cert, s) ||
	    !X509_set_subject_name(cert, subj) ||
	    !X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : subj) ||
	    !X509_gmtime_adj(X509_getm_notBefore(cert), s->not_before) ||
	    !X509_gmtime_adj(X509_getm_notAfter(cert),
			     s->not_after ? s->not_after : 365L * 86400) ||
	    !X509_set_pubkey(cert, key))
		goto fail;
	if (tpg_cert_exts(cert, s, issuer))
		goto fail;
	if (!X509_sign(cert, issuer_key ? issuer_key : key, EVP_sha256()))
		goto fail;
	X509_NAME_free(subj);
	return cert;
fail:
	tpg_fail("certificate");
	X509_NAME_free(subj);
	X509_free(cert);
	return NULL;
}

int tpg_pki_make(struct tpg_pki *p, enum tpg_key_type type, const char *tag,
		 const char *root_cdp)
{
	char root_subj[128], inter_subj[128];
	struct tpg_cert_spec rs = {
		.subject = root_subj, .serial = 1, .ca = true, .not_before = -86400,
		.not_after = 10L * 365 * 86400,
	};
	struct tpg_cert_spec is = {
		.subject = inter_subj, .serial = 2, .ca = true, .cdp = root_cdp,
		.not_before = -86400, .not_after = 5L * 365 * 86400,
	};

	memset(p, 0, sizeof(*p));
	snprintf(root_subj, sizeof(root_subj), "/O=ipsecgw test/CN=%s Root CA", tag);
	snprintf(inter_subj, sizeof(inter_subj), "/O=ipsecgw test/CN=%s Inter CA", tag);
	p->root_key = tpg_key(type);
	p->inter_key = tpg_key(type);
	if (p->root_key == NULL || p->inter_key == NULL)
		goto fail;
	p->root = tpg_cert(&rs, p->root_key, NULL, NULL);
	if (p->root == NULL)
		goto fail;
	p->inter = tpg_cert(&is, p->inter_key, p->root, p->root_key);
	if (p->inter == NULL)
		goto fail;
	return 0;
fail:
	tpg_pki_free(p);
	return -1;
}

void tpg_pki_free(struct tpg_pki *p)
{
	X509_free(p->root);
	X509_free(p->inter);
	EVP_PKEY_free(p->root_key);
	EVP_PKEY_free(p->inter_key);
	memset(p, 0, sizeof(*p));
}

/* ---- CRLs ---- */

int tpg_crl_add_entry(X509_CRL *crl, const ASN1_INTEGER *serial, const ASN1_TIME *when,
		      int reason)
{
	X509_REVOKED *rev = X509_REVOKED_new();
	ASN1_ENUMERATED *r = NULL;
	int rc = -1;

	if (rev == NULL || !X509_REVOKED_set_serialNumber(rev, (ASN1_INTEGER *)serial) ||
	    !X509_REVOKED_set_revocationDate(rev, (ASN1_TIME *)when))
		goto out;
	if (reason >= 0) {
		r = ASN1_ENUMERATED_new();
		if (r == NULL || !ASN1_ENUMERATED_set(r, reason) ||
		    !X509_REVOKED_add1_ext_i2d(rev, NID_crl_reason, r, 0, 0))
			goto out;
	}
	if (!X509_CRL_add0_revoked(crl, rev))
		goto out;
	rev = NULL;
	rc = 0;
out:
	X509_REVOKED_free(rev);
	ASN1_ENUMERATED_free(r);
	return rc;
}

static int tpg_add_revoked(X509_CRL *crl, const struct tpg_revoked *r, const ASN1_TIME *when)
{
	ASN1_INTEGER *serial = ASN1_INTEGER_new();
	int rc = serial != NULL && ASN1_INTEGER_set_uint64(serial, r->serial) ?
		 tpg_crl_add_entry(crl, serial, when, r->reason) : -1;

	ASN1_INTEGER_free(serial);
	return rc;
}

static int tpg_add_int_ext(X509_CRL *crl, int nid, uint64_t v, int crit)
{
	ASN1_INTEGER *a = ASN1_INTEGER_new();
	int ok = a != NULL && ASN1_INTEGER_set_uint64(a, v) &&
		 X509_CRL_add1_ext_i2d(crl, nid, a, crit, 0);

	ASN1_INTEGER_free(a);
	return ok ? 0 : -1;
}

static int tpg_add_idp(X509_CRL *crl, const struct tpg_crl_spec *s)
{
	ISSUING_DIST_POINT *idp = ISSUING_DIST_POINT_new();
	GENERAL_NAME *gn = NULL;
	int rc = -1;

	if (idp == NULL)
		goto out;
	if (s->idp_url) {
		idp->distpoint = DIST_POINT_NAME_new();
		gn = GENERAL_NAME_new();
		if (idp->distpoint == NULL || gn == NULL)
			goto out;
		idp->distpoint->type = 0;
		idp->distpoint->name.fullname = sk_GENERAL_NAME_new_null();
		gn->type = GEN_URI;
		gn->d.uniformResourceIdentifier = ASN1_IA5STRING_new();
		if (idp->distpoint->name.fullname == NULL || gn->d.uniformResourceIdentifier == NULL ||
		    !ASN1_STRING_set(gn->d.uniformResourceIdentifier, s->idp_url, -1) ||
		    !sk_GENERAL_NAME_push(idp->distpoint->name.fullname, gn))
			goto out;
		gn = NULL;
	}
	switch (s->idp) {
	case TPG_IDP_USER_CERTS: idp->onlyuser = 0xff; break;
	case TPG_IDP_CA_CERTS: idp->onlyCA = 0xff; break;
	case TPG_IDP_ATTR_CERTS: idp->onlyattr = 0xff; break;
	case TPG_IDP_INDIRECT: idp->indirectCRL = 0xff; break;
	case TPG_IDP_SOME_REASONS:
		idp->onlysomereasons = ASN1_BIT_STRING_new();
		if (idp->onlysomereasons == NULL ||
		    !ASN1_BIT_STRING_set_bit(idp->onlysomereasons, 1, 1))
			goto out;
		break;
	default: break;
	}
	rc = X509_CRL_add1_ext_i2d(crl, NID_issuing_distribution_point, idp, 1, 0) ? 0 : -1;
out:
	GENERAL_NAME_free(gn);
	ISSUING_DIST_POINT_free(idp);
	return rc;
}

/* A critical extension under a private OID nobody knows: DER NULL inside. */
static int tpg_add_unknown_critical(X509_CRL *crl)
{
	static const unsigned char null_der[] = { 0x05, 0x00 };
	ASN1_OBJECT *obj = OBJ_txt2obj("1.3.6.1.4.1.55555.1.1", 1);
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	X509_EXTENSION *ext = NULL;
	int rc = -1;

	if (obj == NULL || os == NULL || !ASN1_OCTET_STRING_set(os, null_der, sizeof(null_der)))
		goto out;
	ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 1, os);
	if (ext != NULL && X509_CRL_add_ext(crl, ext, -1))
		rc = 0;
out:
	X509_EXTENSION_free(ext);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(obj);
	return rc;
}

static int tpg_crl_exts(X509_CRL *crl, const struct tpg_crl_spec *s)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	char url[600];

	X509V3_set_ctx(&ctx, s->issuer, NULL, NULL, crl, 0);
	if (!s->no_akid && X509_get0_subject_key_id(s->issuer) != NULL) {
		ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_authority_key_identifier, "keyid:always");
		if (ext == NULL || !X509_CRL_add_ext(crl, ext, -1)) {
			X509_EXTENSION_free(ext);
			return -1;
		}
		X509_EXTENSION_free(ext);
	}
	if (!s->no_number && tpg_add_int_ext(crl, NID_crl_number, s->number, 0))
		return -1;
	if (s->delta && tpg_add_int_ext(crl, NID_delta_crl, s->base_number, 1))
		return -1;
	if (s->idp != TPG_IDP_NONE && tpg_add_idp(crl, s))
		return -1;
	if (s->freshest_url) {
		snprintf(url, sizeof(url), "URI:%s", s->freshest_url);
		ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_freshest_crl, url);
		if (ext == NULL || !X509_CRL_add_ext(crl, ext, -1)) {
			X509_EXTENSION_free(ext);
			return -1;
		}
		X509_EXTENSION_free(ext);
	}
	if (s->unknown_critical && tpg_add_unknown_critical(crl))
		return -1;
	return 0;
}

X509_CRL *tpg_crl(const struct tpg_crl_spec *s)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *tu = ASN1_TIME_new(), *nu = ASN1_TIME_new();
	size_t i;

	if (crl == NULL || tu == NULL || nu == NULL)
		goto fail;
	if (!X509_CRL_set_version(crl, X509_CRL_VERSION_2) ||
	    !X509_CRL_set_issuer_name(crl, X509_get_subject_name(s->issuer)) ||
	    !X509_gmtime_adj(tu, s->this_update) || !X509_CRL_set1_lastUpdate(crl, tu))
		goto fail;
	if (!s->no_next_update &&
	    (!X509_gmtime_adj(nu, s->next_update) || !X509_CRL_set1_nextUpdate(crl, nu)))
		goto fail;
	for (i = 0; i < s->n_revoked; i++)
		if (tpg_add_revoked(crl, &s->revoked[i], tu))
			goto fail;
	if (tpg_crl_exts(crl, s) || !X509_CRL_sort(crl) ||
	    !X509_CRL_sign(crl, s->issuer_key, EVP_sha256()))
		goto fail;
	ASN1_TIME_free(tu);
	ASN1_TIME_free(nu);
	return crl;
fail:
	tpg_fail("CRL");
	ASN1_TIME_free(tu);
	ASN1_TIME_free(nu);
	X509_CRL_free(crl);
	return NULL;
}

/* Copy a memory BIO's contents into a malloc'd buffer. */
static int tpg_bio_take(BIO *bio, uint8_t **out, size_t *len)
{
	char *data;
	long n = BIO_get_mem_data(bio, &data);

	if (n <= 0)
		return -1;
	*out = malloc((size_t)n);
	if (*out == NULL)
		return -1;
	memcpy(*out, data, (size_t)n);
	*len = (size_t)n;
	return 0;
}

int tpg_crl_encode(X509_CRL *crl, bool pem, uint8_t **out, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	int rc = -1;

	if (bio == NULL)
		goto out;
	if (pem ? !PEM_write_bio_X509_CRL(bio, crl) : !i2d_X509_CRL_bio(bio, crl))
		goto out;
	rc = tpg_bio_take(bio, out, len);
out:
	if (rc)
		tpg_fail("CRL encoding");
	BIO_free(bio);
	return rc;
}

int tpg_crl_bytes(const struct tpg_crl_spec *spec, bool pem, uint8_t **out, size_t *len)
{
	X509_CRL *crl = tpg_crl(spec);
	int rc;

	if (crl == NULL)
		return -1;
	rc = tpg_crl_encode(crl, pem, out, len);
	X509_CRL_free(crl);
	return rc;
}

int tpg_cert_der(X509 *cert, uint8_t **out, size_t *len)
{
	unsigned char *der = NULL;
	int n = i2d_X509(cert, &der);

	if (n <= 0)
		return -1;
	*out = malloc((size_t)n);
	if (*out != NULL)
		memcpy(*out, der, (size_t)n);
	OPENSSL_free(der);
	*len = (size_t)n;
	return *out ? 0 : -1;
}

/* ---- files ---- */

char *tpg_tmpdir(const char *tag)
{
	char buf[256];
	char *d;

	snprintf(buf, sizeof(buf), "/tmp/ipsecgw-%s-XXXXXX", tag);
	if (mkdtemp(buf) == NULL) {
		perror("mkdtemp");
		return NULL;
	}
	d = strdup(buf);
	return d;
}

int tpg_rmdir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];
	int rc = 0;

	if (d == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (unlink(tpg_path(path, sizeof(path), dir, e->d_name)))
			rc = -1;
	}
	closedir(d);
	if (rmdir(dir))
		rc = -1;
	return rc;
}

const char *tpg_path(char *buf, size_t len, const char *dir, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
	return buf;
}

static BIO *tpg_open(const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	BIO *bio;

	if (fd < 0) {
		fprintf(stderr, "test_pki_gen: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	bio = BIO_new_fd(fd, BIO_CLOSE);
	if (bio == NULL)
		close(fd);
	return bio;
}

int tpg_write_certs(const char *path, X509 *const *certs, unsigned n)
{
	BIO *bio = tpg_open(path, 0644);
	unsigned i;
	int rc = -1;

	if (bio == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (!PEM_write_bio_X509(bio, certs[i]))
			goto out;
	rc = 0;
out:
	BIO_free(bio);
	return rc;
}

int tpg_write_key(const char *path, EVP_PKEY *key)
{
	BIO *bio = tpg_open(path, 0600);
	int rc;

	if (bio == NULL)
		return -1;
	rc = PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) ? 0 : -1;
	BIO_free(bio);
	return rc;
}

int tpg_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int rc;

	if (f == NULL)
		return -1;
	rc = fwrite(data, 1, len, f) == len ? 0 : -1;
	if (fclose(f))
		rc = -1;
	return rc;
}
