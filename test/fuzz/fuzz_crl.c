/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: CRL ingest through the acceptance path
 * (controlplane/pki/pki_crl.c parse and checks, pki_crl_index.c,
 * pki_crl_store.c numbering, index and events: pki_crl_ingest), against
 * one trustpoint (an ECDSA root + intermediate made at start with the
 * unit tests' generator, test/unit/test_pki_gen.c).
 *
 * Input: octet 0 picks the mode, the rest is a CRL body (DER or PEM).
 *   bit 0 clear: the body is ingested as it is (parse, issuer lookup,
 *       signature: whatever the fuzzer makes of it).
 *   bit 0 set ("sealed", apart from signature verification): the body is
 *       parsed (pki_crl_parse), its issuer set to the intermediate CA's
 *       name, its authorityKeyIdentifier removed when bit 1 is set, and it
 *       is signed again with the intermediate's key; then re-encoded as
 *       DER (PEM when bit 2 is set) and ingested, so the fuzzer reaches
 *       the critical-extension, IDP scope, CRL number, delta, time and
 *       index code behind the signature.  A complete CRL (number 7) of the
 *       same issuer is ingested first when it is a delta, so that it has its
 *       base.
 * Every body is in an exact-size malloc buffer.  The store is emptied
 * before each input (pki_crl_fini/init) so that one input's CRL number
 * does not decide the next one's verdict; from_cache is set so that
 * nothing is written to disk.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cfg/cfg.h"
#include "controlplane/pki/pki_crl.h"
#include "controlplane/pki/pki_internal.h"
#include "test/unit/test_pki_gen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

enum { MAX_SIZE = 1 << 20 };

static struct tpg_pki pki;
static struct cfg_pki cfg;		/* pki_tp keeps pointers into it */
static char *tmpdir;
static uint8_t *base_der;		/* a complete CRL number 7 of the intermediate */
static size_t base_len;
static bool verbose;		/* FUZZ_VERBOSE set: each verdict on stderr */

static void die(const char *what)
{
	fprintf(stderr, "fuzz_crl: %s\n", what);
	abort();
}

static void cleanup(void)
{
	free(base_der);
	if (tmpdir != NULL)
		tpg_rmdir(tmpdir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct cfg_trustpoint *t = &cfg.trustpoints[0];
	struct tpg_crl_spec spec = { 0 };
	X509 *cas[2];

	(void)argc;
	(void)argv;
	tmpdir = tpg_tmpdir("fuzz-crl");
	if (tmpdir == NULL || tpg_pki_make(&pki, TPG_EC_P256, "FUZZ", NULL))
		die("PKI");
	atexit(cleanup);
	cas[0] = pki.root;
	cas[1] = pki.inter;
	snprintf(t->name, sizeof(t->name), "FUZZ");
	tpg_path(t->ca, sizeof(t->ca), tmpdir, "ca.crt");
	if (tpg_write_certs(t->ca, cas, 2))
		die("CA file");
	snprintf(t->crl_cache_dir, sizeof(t->crl_cache_dir), "%s/crl", tmpdir);
	t->revocation_check = CFG_REVOCATION_CRL;
	t->crl_max_size = MAX_SIZE;
	t->crl_refresh_interval = 3600;
	t->crl_min_download_interval = 60;
	t->crl_download_timeout = 10;
	t->hold_is_revoked = true;
	cfg.n_trustpoints = 1;
	if (pki_tp_load(&cfg) || pki_tp_count() != 1 || pki_crl_init())
		die("trustpoint");
	spec.issuer = pki.inter;
	spec.issuer_key = pki.inter_key;
	spec.number = 7;
	spec.this_update = -3600;
	spec.next_update = 30 * 86400;
	if (tpg_crl_bytes(&spec, false, &base_der, &base_len))
		die("base CRL");
	verbose = getenv("FUZZ_VERBOSE") != NULL;
	return 0;
}

/* with_base: a complete CRL is held first, so that deltas can apply. */
static void ingest(const uint8_t *body, size_t len, bool with_base)
{
	uint8_t *buf = malloc(len ? len : 1);
	struct pki_issuer_id issuer;
	struct pki_crl_info info;
	enum pki_crl_verdict v;

	if (buf == NULL)
		return;
	memcpy(buf, body, len);
	pki_crl_fini();
	if (pki_crl_init())
		die("pki_crl_init");
	if (with_base && pki_crl_ingest(0, base_der, base_len, "cache:base", true, NULL) !=
			 PKI_CRL_NEW)
		die("base CRL refused");
	v = pki_crl_ingest(0, buf, len, "cache:fuzz", true, &issuer);
	if (verbose)
		fprintf(stderr, "verdict %s\n", pki_crl_verdict_str(v));
	if (v == PKI_CRL_NEW) {
		for (unsigned id = 1; id <= pki_crl_count(); id++)
			(void)pki_crl_get(id, &info);
	}
	free(buf);
}

/* Re-encode crl; the encoding in a malloc'd buffer of exactly *len. */
static uint8_t *encode(X509_CRL *crl, bool pem, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	uint8_t *out = NULL;
	char *p;
	long n;

	if (bio == NULL)
		return NULL;
	if (pem ? PEM_write_bio_X509_CRL(bio, crl) : i2d_X509_CRL_bio(bio, crl)) {
		n = BIO_get_mem_data(bio, &p);
		if (n > 0 && (out = malloc((size_t)n)) != NULL) {
			memcpy(out, p, (size_t)n);
			*len = (size_t)n;
		}
	}
	BIO_free(bio);
	return out;
}

static void sealed(const uint8_t *data, size_t size, uint8_t mode)
{
	uint8_t *buf = malloc(size ? size : 1), *out;
	struct pki_crl_parsed p;
	size_t len;
	bool delta;
	int i;

	if (buf == NULL)
		return;
	memcpy(buf, data, size);
	if (pki_crl_parse(buf, size, MAX_SIZE, &p) != PKI_CRL_NEW)
		goto done;
	if (!X509_CRL_set_issuer_name(p.crl, X509_get_subject_name(pki.inter)))
		goto done;
	if (mode & 2)
		while ((i = X509_CRL_get_ext_by_NID(p.crl, NID_authority_key_identifier, -1)) >= 0)
			X509_EXTENSION_free(X509_CRL_delete_ext(p.crl, i));
	if (X509_CRL_sign(p.crl, pki.inter_key, EVP_sha256()) <= 0)
		goto done;
	delta = X509_CRL_get_ext_by_NID(p.crl, NID_delta_crl, -1) >= 0;
	out = encode(p.crl, mode & 4, &len);
	if (out != NULL) {
		ingest(out, len, delta);
		free(out);
	}
done:
	pki_crl_parsed_free(&p);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > MAX_SIZE)
		return 0;
	if (data[0] & 1)
		sealed(data + 1, size - 1, data[0]);
	else
		ingest(data + 1, size - 1, false);
	ERR_clear_error();
	return 0;
}
