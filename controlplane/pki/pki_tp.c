/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Trustpoints (their CA certificates) and our identities (certificate, key,
 * chain), loaded from the configuration: at start, and again by a reload
 * (pki_reload.c), which loads a whole set aside first (pki_tp_load_set) and
 * compares fingerprints: SHA-256 over the DER of a trustpoint's CA
 * certificates, or of an identity's certificate, chain and public key, so
 * that a file rewritten in place with new content counts as a change and a
 * file re-encoded with the same certificates does not.  CP thread only.
 */
#include <errno.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "common/gw_log.h"
#include "controlplane/pki/pki_internal.h"

/* Never prompt on a terminal for a passphrase (certificates have none). */
static int pki_tp_no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* The last OpenSSL error as text, for one log line. */
static const char *pki_tp_ssl_err(char *buf, size_t len)
{
	unsigned long e = ERR_peek_last_error();

	if (e == 0)
		snprintf(buf, len, "no detail");
	else
		ERR_error_string_n(e, buf, len);
	ERR_clear_error();
	return buf;
}

/*
 * Append every PEM certificate of path to sk.  0, -EINVAL (unreadable,
 * malformed, or no certificate at all) or -ENOMEM.  what names the file's
 * role in the log line.
 */
static int pki_tp_read_certs(const char *what, const char *path, STACK_OF(X509) *sk)
{
	char why[256];
	int before = sk_X509_num(sk), ret = 0;
	unsigned long e;
	BIO *bio;
	X509 *x;

	ERR_clear_error();
	bio = BIO_new_file(path, "r");
	if (bio == NULL) {
		PKI_LOAD_ERR("%s %s: cannot read (%s)", what, path, strerror(errno));
		ERR_clear_error();
		return -EINVAL;
	}
	while ((x = PEM_read_bio_X509(bio, NULL, pki_tp_no_passphrase, NULL)) != NULL) {
		if (sk_X509_push(sk, x) == 0) {
			X509_free(x);
			ret = -ENOMEM;
			goto out;
		}
	}
	e = ERR_peek_last_error();
	if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
		ERR_clear_error();	/* the normal end of the file */
		if (sk_X509_num(sk) == before) {
			PKI_LOAD_ERR("%s %s: no PEM certificate in the file", what, path);
			ret = -EINVAL;
		}
		goto out;
	}
	PKI_LOAD_ERR("%s %s: malformed PEM certificate after %d good ones (%s)", what,
		     path, sk_X509_num(sk) - before, pki_tp_ssl_err(why, sizeof(why)));
	ret = -EINVAL;
out:
	BIO_free(bio);
	return ret;
}

static void pki_tp_subject(const X509 *x, char *buf, size_t len)
{
	pki_issuer_str(X509_get_subject_name(x), buf, len);
}

/* basicConstraints CA:TRUE, well-formed extensions. */
static int pki_tp_check_ca(const struct pki_tp *tp, X509 *x)
{
	uint32_t flags = X509_get_extension_flags(x);
	char subj[PKI_ISSUER_STR];

	pki_tp_subject(x, subj, sizeof(subj));
	if (flags & EXFLAG_INVALID) {
		PKI_LOAD_ERR("trustpoint %s: CA file %s: invalid extensions (%s)",
			     tp->name, tp->cfg->ca, subj);
		return -EINVAL;
	}
	if (!(flags & EXFLAG_CA)) {
		PKI_LOAD_ERR("trustpoint %s: CA file %s: not a CA certificate, "
			     "basicConstraints CA:TRUE is missing (%s)", tp->name, tp->cfg->ca,
			     subj);
		return -EINVAL;
	}
	if (X509_cmp_current_time(X509_get0_notAfter(x)) < 0)
		GW_LOG(pki, WARNING, "trustpoint %s: CA certificate has expired (%s)",
		       tp->name, subj);
	return 0;
}

/* ---- fingerprints ---- */

/* Hash the DER of x (a certificate when cert, else key's public half). */
static int pki_tp_fp_der(EVP_MD_CTX *md, X509 *cert, EVP_PKEY *key)
{
	unsigned char *der = NULL;
	int len = cert != NULL ? i2d_X509(cert, &der) : i2d_PUBKEY(key, &der);
	int ok = len > 0 && EVP_DigestUpdate(md, der, (size_t)len);

	OPENSSL_free(der);
	return ok ? 0 : -ENOMEM;
}

/* SHA-256 over the DER of one (may be NULL), of each of certs (may be
 * NULL), then of key's public half (may be NULL) into fp.  0 or -ENOMEM. */
static int pki_tp_fp(X509 *one, STACK_OF(X509) *certs, EVP_PKEY *key, uint8_t fp[PKI_FP_LEN])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int n = 0;
	int ret = -ENOMEM;

	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		goto out;
	if (one != NULL && pki_tp_fp_der(md, one, NULL) != 0)
		goto out;
	for (int i = 0; certs != NULL && i < sk_X509_num(certs); i++)
		if (pki_tp_fp_der(md, sk_X509_value(certs, i), NULL) != 0)
			goto out;
	if (key != NULL && pki_tp_fp_der(md, NULL, key) != 0)
		goto out;
	if (EVP_DigestFinal_ex(md, fp, &n) == 1 && n == PKI_FP_LEN)
		ret = 0;
out:
	EVP_MD_CTX_free(md);
	return ret;
}

/* ---- trustpoints ---- */

int pki_tp_load_one(struct pki_tp *tp, const struct cfg_trustpoint *c)
{
	char what[CFG_NAME_MAX + 32];
	int ret;

	memset(tp, 0, sizeof(*tp));
	snprintf(tp->name, sizeof(tp->name), "%s", c->name);
	tp->cfg = c;
	tp->cas = sk_X509_new_null();
	if (tp->cas == NULL)
		return -ENOMEM;
	snprintf(what, sizeof(what), "trustpoint %s: CA file", c->name);
	ret = pki_tp_read_certs(what, c->ca, tp->cas);
	if (ret != 0)
		return ret;
	for (int i = 0; i < sk_X509_num(tp->cas); i++) {
		ret = pki_tp_check_ca(tp, sk_X509_value(tp->cas, i));
		if (ret != 0)
			return ret;
	}
	ret = pki_tp_fp(NULL, tp->cas, NULL, tp->fp);
	if (ret != 0)
		return ret;
	GW_LOG(pki, INFO, "trustpoint %s: %d CA certificate(s) from %s, revocation %s",
	       tp->name, sk_X509_num(tp->cas), c->ca,
	       c->revocation_check == CFG_REVOCATION_CRL ? "crl" : "none");
	return 0;
}

/* ---- identities ---- */

static const char *pki_tp_keytype_name(int type)
{
	return type == EVP_PKEY_RSA ? "RSA" : type == EVP_PKEY_EC ? "EC" : "other";
}

/* The key must be RSA or EC, match the certificate, and be the first of
 * its type among prev[0..n_prev). */
static int pki_tp_check_identity(const struct cfg_identity *c, struct pki_identity *id,
				 const struct pki_identity *prev, unsigned n_prev)
{
	char why[256];

	id->key_type = EVP_PKEY_get_base_id(id->key);
	if (id->key_type != EVP_PKEY_RSA && id->key_type != EVP_PKEY_EC) {
		PKI_LOAD_ERR("identity key %s: key type must be RSA or EC (%s)", c->key,
			     OBJ_nid2sn(id->key_type));
		return -EINVAL;
	}
	for (unsigned i = 0; i < n_prev; i++) {
		if (prev[i].key_type != id->key_type)
			continue;
		PKI_LOAD_ERR("identity %s: a second %s identity, one per key type is allowed",
			     c->cert, pki_tp_keytype_name(id->key_type));
		return -EINVAL;
	}
	if (X509_check_private_key(id->cert, id->key) != 1) {
		PKI_LOAD_ERR("identity key %s does not match certificate %s (%s)", c->key,
			     c->cert, pki_tp_ssl_err(why, sizeof(why)));
		return -EINVAL;
	}
	if (X509_cmp_current_time(X509_get0_notAfter(id->cert)) < 0)
		GW_LOG(pki, WARNING, "identity certificate %s has expired", c->cert);
	return 0;
}

void pki_tp_identity_free(struct pki_identity *id)
{
	X509_free(id->cert);
	EVP_PKEY_free(id->key);
	sk_X509_pop_free(id->chain, X509_free);
	memset(id, 0, sizeof(*id));
}

int pki_tp_load_identity(const struct cfg_identity *c, struct pki_identity *id,
			 const struct pki_identity *prev, unsigned n_prev)
{
	STACK_OF(X509) *certs = sk_X509_new_null();
	int ret;

	memset(id, 0, sizeof(*id));
	id->chain = sk_X509_new_null();
	if (certs == NULL || id->chain == NULL) {
		ret = -ENOMEM;
		goto out;
	}
	ret = pki_tp_read_certs("identity certificate", c->cert, certs);
	if (ret != 0)
		goto out;
	if (sk_X509_num(certs) != 1) {
		PKI_LOAD_ERR("identity certificate %s: holds %d certificates, put the "
			     "others in chain", c->cert, sk_X509_num(certs));
		ret = -EINVAL;
		goto out;
	}
	id->cert = sk_X509_shift(certs);
	if (c->chain[0] != '\0') {
		ret = pki_tp_read_certs("identity chain", c->chain, id->chain);
		if (ret != 0)
			goto out;
	}
	id->key = pki_key_read(c);
	ret = id->key == NULL ? -EINVAL : pki_tp_check_identity(c, id, prev, n_prev);
	if (ret == 0)
		ret = pki_tp_fp(id->cert, id->chain, id->key, id->fp);
out:
	sk_X509_pop_free(certs, X509_free);
	if (ret != 0)
		pki_tp_identity_free(id);
	return ret;
}

/* ---- the tables ---- */

static struct pki_tp pki_tps[CFG_MAX_TRUSTPOINTS];
static unsigned pki_n_tps;
static struct pki_identity pki_ids[CFG_MAX_IDENTITIES];
static unsigned pki_n_ids;

int pki_tp_load_set(const struct cfg_pki *cfg, struct pki_tp *tps, unsigned *n_tps,
		    struct pki_identity *ids, unsigned *n_ids)
{
	int ret = 0;

	if (tps != NULL)
		*n_tps = 0;
	if (ids != NULL)
		*n_ids = 0;
	for (unsigned i = 0; tps != NULL && i < cfg->n_trustpoints; i++) {
		ret = pki_tp_load_one(&tps[i], &cfg->trustpoints[i]);
		*n_tps = i + 1;		/* so that the unload frees a partial one */
		if (ret != 0)
			goto out;
	}
	for (unsigned i = 0; ids != NULL && i < cfg->n_identities; i++) {
		ret = pki_tp_load_identity(&cfg->identities[i], &ids[i], ids, i);
		if (ret != 0)
			goto out;
		*n_ids = i + 1;
		GW_LOG(pki, INFO, "identity %s (%s key)", cfg->identities[i].cert,
		       pki_tp_keytype_name(ids[i].key_type));
	}
out:
	if (ret != 0)
		pki_tp_unload_set(tps, n_tps, ids, n_ids);
	return ret;
}

void pki_tp_unload_set(struct pki_tp *tps, unsigned *n_tps, struct pki_identity *ids,
		       unsigned *n_ids)
{
	for (unsigned i = 0; tps != NULL && i < *n_tps; i++) {
		sk_X509_pop_free(tps[i].cas, X509_free);
		memset(&tps[i], 0, sizeof(tps[i]));
	}
	if (tps != NULL)
		*n_tps = 0;
	for (unsigned i = 0; ids != NULL && i < *n_ids; i++)
		pki_tp_identity_free(&ids[i]);
	if (ids != NULL)
		*n_ids = 0;
}

int pki_tp_load(const struct cfg_pki *cfg)
{
	pki_tp_unload();
	return pki_tp_load_set(cfg, pki_tps, &pki_n_tps, pki_ids, &pki_n_ids);
}

void pki_tp_unload(void)
{
	pki_tp_unload_set(pki_tps, &pki_n_tps, pki_ids, &pki_n_ids);
}

int pki_tp_identities_swap(const struct cfg_pki *cfg)
{
	struct pki_identity ids[CFG_MAX_IDENTITIES];
	unsigned n = 0;
	int ret = pki_tp_load_set(cfg, NULL, NULL, ids, &n);

	if (ret != 0)
		return ret;
	for (unsigned i = 0; i < pki_n_ids; i++)
		pki_tp_identity_free(&pki_ids[i]);
	memcpy(pki_ids, ids, sizeof(ids[0]) * n);
	pki_n_ids = n;
	return 0;
}

void pki_tp_retarget(const struct cfg_pki *cfg)
{
	for (unsigned i = 0; i < pki_n_tps && i < cfg->n_trustpoints; i++)
		pki_tps[i].cfg = &cfg->trustpoints[i];
}

unsigned pki_tp_count(void)
{
	return pki_n_tps;
}

struct pki_tp *pki_tp_get(unsigned idx)
{
	return idx < pki_n_tps ? &pki_tps[idx] : NULL;
}

int pki_tp_find(const char *name)
{
	for (unsigned i = 0; i < pki_n_tps; i++)
		if (strcmp(pki_tps[i].name, name) == 0)
			return (int)i;
	return -1;
}

X509 *pki_tp_find_issuer(const struct pki_tp *tp, const X509_NAME *name,
			 const ASN1_OCTET_STRING *akid)
{
	for (int i = 0; i < sk_X509_num(tp->cas); i++) {
		X509 *ca = sk_X509_value(tp->cas, i);
		const ASN1_OCTET_STRING *skid;

		if (X509_NAME_cmp(X509_get_subject_name(ca), name) != 0)
			continue;
		if (akid != NULL) {
			skid = X509_get0_subject_key_id(ca);
			if (skid == NULL || ASN1_OCTET_STRING_cmp(skid, akid) != 0)
				continue;
		}
		return ca;
	}
	return NULL;
}

unsigned pki_identity_count(void)
{
	return pki_n_ids;
}

const struct pki_identity *pki_identity_get(unsigned idx)
{
	return idx < pki_n_ids ? &pki_ids[idx] : NULL;
}

const struct pki_identity *pki_identity_for_keytype(int key_type)
{
	for (unsigned i = 0; i < pki_n_ids; i++)
		if (pki_ids[i].key_type == key_type)
			return &pki_ids[i];
	return NULL;
}

static bool pki_tp_knows_url(const struct pki_tp *t, const char *url)
{
	for (unsigned j = 0; j < t->cfg->n_crl_urls; j++)
		if (strcmp(t->cfg->crl_urls[j], url) == 0)
			return true;
	for (unsigned j = 0; j < t->cfg->n_crl_delta_urls; j++)
		if (strcmp(t->cfg->crl_delta_urls[j], url) == 0)
			return true;
	for (unsigned j = 0; j < t->n_learnt_urls; j++)
		if (strcmp(t->learnt_urls[j], url) == 0)
			return true;
	return false;
}

int pki_tp_learn_urls(unsigned idx, char urls[][CFG_URL_MAX], unsigned n, const char *what)
{
	struct pki_tp *t = pki_tp_get(idx);
	int added = 0, ret;

	if (t == NULL)
		return -ENOENT;
	for (unsigned i = 0; i < n; i++) {
		if (pki_tp_knows_url(t, urls[i]))
			continue;
		if (t->n_learnt_urls >= CFG_MAX_CRL_URLS) {
			GW_LOG(pki, WARNING, "trustpoint %s: no room to learn CRL URL %s (%u kept)",
			       t->name, urls[i], t->n_learnt_urls);
			continue;
		}
		snprintf(t->learnt_urls[t->n_learnt_urls++], CFG_URL_MAX, "%s", urls[i]);
		GW_LOG(pki, INFO, "trustpoint %s: learnt CRL URL %s (%s)", t->name, urls[i], what);
		added++;
	}
	ret = added > 0 ? pki_cache_save_urls(idx) : 0;
	if (ret != 0)
		GW_LOG(pki, WARNING, "trustpoint %s: learnt CRL URLs not saved: %s", t->name,
		       strerror(-ret));
	return added;
}

unsigned pki_ca_keyids(uint8_t (*out)[20], unsigned max)
{
	unsigned n = 0;

	for (unsigned t = 0; t < pki_tp_count(); t++) {
		STACK_OF(X509) *cas = pki_tps[t].cas;

		for (int i = 0; cas != NULL && i < sk_X509_num(cas) && n < max; i++) {
			X509_PUBKEY *pk = X509_get_X509_PUBKEY(sk_X509_value(cas, i));
			unsigned char *der = NULL;
			int len = i2d_X509_PUBKEY(pk, &der);
			bool dup = false;

			if (len <= 0)
				continue;
			SHA1(der, (size_t)len, out[n]);
			OPENSSL_free(der);
			for (unsigned k = 0; k < n && !dup; k++)
				dup = memcmp(out[k], out[n], 20) == 0;
			if (!dup)
				n++;
		}
	}
	return n;
}
