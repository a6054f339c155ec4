/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit suite for trustpoints (pki_tp.c) and peer verification
 * (pki_verify.c, pki_verify_chain.c).  The PKI is built in set-up with
 * test_pki_gen (RSA and ECDSA roots, intermediates, end entities with SANs
 * and CDPs, CRLs).  CRL URLs point at 127.0.0.1:9, where nothing listens:
 * a download fails at once and never leaves the machine.  No EAL needed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "controlplane/cp_loop.h"
#include "controlplane/pki/pki.h"
#include "controlplane/pki/pki_internal.h"
#include "controlplane/pki/pki_vcache.h"
#include "test/unit/test_pki_gen.h"
#include "test/unit/test_eal.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define DEAD_URL "http://127.0.0.1:9/"

enum { EE_ROOT_SERIAL = 100, EE_INTER_SERIAL = 101 };

/* One key type's PKI: root, intermediate, an EE under each. */
struct fx_pki {
	struct tpg_pki p;
	EVP_PKEY *ee_key;
	X509 *ee_root, *ee_inter;
	char root_pem[256], both_pem[256];	/* CA files: root; root + inter */
};

static struct {
	char *dir;
	struct fx_pki rsa, ec;
	struct tpg_pki other;		/* a CA nobody trusts */
	X509 *other_ee, *expired, *ee_by_ee, *ku_bad, *ee_ku_none;
	unsigned cache_seq;
} fx;

static const char ee_san[] =
	"DNS:gw.example,IP:192.0.2.1,IP:2001:db8::1,email:gw@example.org";

static X509 *fx_ee(const char *cn, uint64_t serial, const char *cdp, EVP_PKEY *key,
		   X509 *issuer, EVP_PKEY *issuer_key)
{
	char subj[128];
	struct tpg_cert_spec s = {
		.subject = subj, .serial = serial, .san = ee_san, .cdp = cdp,
		.not_before = -3600,
	};

	snprintf(subj, sizeof(subj), "/O=ipsecgw test/CN=%s", cn);
	return tpg_cert(&s, key, issuer, issuer_key);
}

static int fx_pki_make(struct fx_pki *f, enum tpg_key_type type, const char *tag)
{
	char url[128], name[64];
	X509 *both[2];

	snprintf(url, sizeof(url), DEAD_URL "%s-root.crl", tag);
	if (tpg_pki_make(&f->p, type, tag, url) != 0)
		return -1;
	f->ee_key = tpg_key(type);
	if (f->ee_key == NULL)
		return -1;
	f->ee_root = fx_ee("gw.example", EE_ROOT_SERIAL, url, f->ee_key, f->p.root,
			   f->p.root_key);
	snprintf(url, sizeof(url), DEAD_URL "%s-inter.crl", tag);
	f->ee_inter = fx_ee("gw.example", EE_INTER_SERIAL, url, f->ee_key, f->p.inter,
			    f->p.inter_key);
	both[0] = f->p.root;
	both[1] = f->p.inter;
	snprintf(name, sizeof(name), "%s-root.pem", tag);
	tpg_path(f->root_pem, sizeof(f->root_pem), fx.dir, name);
	snprintf(name, sizeof(name), "%s-both.pem", tag);
	tpg_path(f->both_pem, sizeof(f->both_pem), fx.dir, name);
	if (f->ee_root == NULL || f->ee_inter == NULL ||
	    tpg_write_certs(f->root_pem, both, 1) != 0 ||
	    tpg_write_certs(f->both_pem, both, 2) != 0)
		return -1;
	return 0;
}

static void fx_pki_free(struct fx_pki *f)
{
	tpg_pki_free(&f->p);
	EVP_PKEY_free(f->ee_key);
	X509_free(f->ee_root);
	X509_free(f->ee_inter);
}

static int fx_odd_certs(void)
{
	struct tpg_cert_spec s = {
		.subject = "/O=ipsecgw test/CN=old.example", .serial = 7, .san = ee_san,
		.not_before = -7200, .not_after = -3600,
	};

	fx.expired = tpg_cert(&s, fx.rsa.ee_key, fx.rsa.p.root, fx.rsa.p.root_key);
	/* signed by an end entity (CA:FALSE, digitalSignature only) */
	s = (struct tpg_cert_spec){ .subject = "/O=ipsecgw test/CN=sub.example", .serial = 8,
				    .san = ee_san, .not_before = -3600 };
	fx.ee_by_ee = tpg_cert(&s, fx.ec.ee_key, fx.rsa.ee_root, fx.rsa.ee_key);
	s = (struct tpg_cert_spec){ .subject = "/O=ipsecgw test/CN=enc.example", .serial = 9,
				    .san = ee_san, .key_usage = "critical,keyEncipherment",
				    .not_before = -3600 };
	fx.ku_bad = tpg_cert(&s, fx.rsa.ee_key, fx.rsa.p.root, fx.rsa.p.root_key);
	s.key_usage = "";
	s.serial = 10;
	fx.ee_ku_none = tpg_cert(&s, fx.rsa.ee_key, fx.rsa.p.root, fx.rsa.p.root_key);
	fx.other_ee = fx_ee("gw.example", 11, NULL, fx.ec.ee_key, fx.other.root,
			    fx.other.root_key);
	return fx.expired && fx.ee_by_ee && fx.ku_bad && fx.ee_ku_none && fx.other_ee ? 0 : -1;
}

static int suite_init(void)
{
	fx.dir = tpg_tmpdir("pki-verify");
	if (fx.dir == NULL || fx_pki_make(&fx.rsa, TPG_RSA2048, "RSA") != 0 ||
	    fx_pki_make(&fx.ec, TPG_EC_P256, "EC") != 0 ||
	    tpg_pki_make(&fx.other, TPG_EC_P256, "Other", NULL) != 0)
		return -1;
	return fx_odd_certs();
}

static int suite_clean(void)
{
	char sub[300];

	for (unsigned i = 1; i <= fx.cache_seq; i++) {
		snprintf(sub, sizeof(sub), "%s/cache%u", fx.dir, i);
		tpg_rmdir(sub);
	}
	fx_pki_free(&fx.rsa);
	fx_pki_free(&fx.ec);
	tpg_pki_free(&fx.other);
	X509_free(fx.other_ee);
	X509_free(fx.expired);
	X509_free(fx.ee_by_ee);
	X509_free(fx.ku_bad);
	X509_free(fx.ee_ku_none);
	if (fx.dir != NULL)
		tpg_rmdir(fx.dir);
	free(fx.dir);
	return 0;
}

/* ---- helpers ---- */

/* A trustpoint with defaults as the cfg parser sets them, prefetch off and
 * a fresh cache directory (CRLs from earlier tests must not come back). */
static void fx_tp(struct cfg_trustpoint *tp, const char *name, const char *ca,
		  enum cfg_revocation mode, const char *url)
{
	char dir[CFG_PATH_MAX - 16];

	memset(tp, 0, sizeof(*tp));
	snprintf(tp->name, sizeof(tp->name), "%s", name);
	snprintf(tp->ca, sizeof(tp->ca), "%s", ca);
	tp->revocation_check = mode;
	if (url != NULL)
		snprintf(tp->crl_urls[tp->n_crl_urls++], CFG_URL_MAX, "%s", url);
	tp->crl_refresh_interval = 3600;
	tp->crl_min_download_interval = 0;
	tp->crl_download_timeout = 1;
	tp->crl_max_size = 1 << 20;
	tp->hold_is_revoked = true;
	snprintf(dir, sizeof(dir), "%s/cache%u", fx.dir, ++fx.cache_seq);
	if (mkdir(dir, 0700) != 0)
		fprintf(stderr, "mkdir %s: %s\n", dir, strerror(errno));
	snprintf(tp->crl_cache_dir, sizeof(tp->crl_cache_dir), "%s", dir);
}

struct rec {
	int calls;
	struct pki_verify_result res;
};

static void rec_cb(void *arg, const struct pki_verify_result *res)
{
	struct rec *r = arg;

	r->calls++;
	if (r->calls == 1)
		r->res = *res;
	else
		pki_pubkey_free(res->ee_pubkey);	/* never expected: counted */
}

static void rec_done(struct rec *r)
{
	pki_pubkey_free(r->res.ee_pubkey);
	memset(r, 0, sizeof(*r));
}

/* Verify certs[0..n) (EE first) as a peer would send them. */
static int fx_verify(X509 *const *certs, unsigned n, const struct pki_peer_id *id,
		     struct rec *r, uint64_t *handle)
{
	static const struct pki_peer_id none = { .type = PKI_ID_NONE };
	uint8_t *der[PKI_MAX_CHAIN + 2] = { 0 };
	size_t len[PKI_MAX_CHAIN + 2];
	uint64_t h = 0;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	for (unsigned i = 0; i < n && ret == 0; i++)
		ret = tpg_cert_der(certs[i], &der[i], &len[i]);
	if (ret == 0)
		ret = pki_verify_peer((const uint8_t *const *)der, len, n, id ? id : &none, rec_cb,
				      r, &h);
	for (unsigned i = 0; i < n; i++)
		free(der[i]);
	if (handle != NULL)
		*handle = h;
	return ret;
}

/* Verify and expect a result at once. */
static enum pki_verify_error fx_verify_now(X509 *const *certs, unsigned n,
					   const struct pki_peer_id *id, struct rec *r)
{
	CU_ASSERT_EQUAL_FATAL(fx_verify(certs, n, id, r, NULL), 0);
	CU_ASSERT_EQUAL(r->calls, 1);
	if (r->calls != 1)
		return PKI_VERIFY_INTERNAL;
	if (r->res.error != PKI_VERIFY_OK)
		CU_ASSERT_PTR_NULL(r->res.ee_pubkey);
	return r->res.error;
}

static bool fx_id_is(const struct pki_issuer_id *id, X509 *ca)
{
	struct pki_issuer_id want;

	return pki_id_of_ca_subject(ca, &want) == 0 && memcmp(id, &want, sizeof(want)) == 0;
}

static void fx_crl(X509 *issuer, EVP_PKEY *key, uint64_t number, long next_update,
		   const struct tpg_revoked *revoked, size_t n, unsigned tp)
{
	struct tpg_crl_spec s = {
		.issuer = issuer, .issuer_key = key, .number = number, .this_update = -60,
		.next_update = next_update, .revoked = revoked, .n_revoked = n,
	};
	struct pki_issuer_id id;
	uint8_t *der = NULL;
	size_t len = 0;

	CU_ASSERT_EQUAL_FATAL(tpg_crl_bytes(&s, false, &der, &len), 0);
	CU_ASSERT_EQUAL(pki_crl_ingest(tp, der, len, "test", false, &id), PKI_CRL_NEW);
	CU_ASSERT_TRUE(fx_id_is(&id, issuer));
	free(der);
}

/* ---- trustpoints and identities (pki_tp.c) ---- */

static int fx_load_one_tp(const char *ca)
{
	static struct cfg_pki cfg;

	memset(&cfg, 0, sizeof(cfg));
	fx_tp(&cfg.trustpoints[0], "T", ca, CFG_REVOCATION_NONE, NULL);
	cfg.n_trustpoints = 1;
	return pki_tp_load(&cfg);
}

static void test_tp_refusals(void)
{
	char path[300], pem[4096];
	FILE *f;
	size_t n;

	tpg_path(path, sizeof(path), fx.dir, "empty.pem");
	CU_ASSERT_EQUAL_FATAL(tpg_write_file(path, "no certificate here\n", 20), 0);
	CU_ASSERT_EQUAL(fx_load_one_tp(path), -EINVAL);
	CU_ASSERT_EQUAL(pki_tp_count(), 0);
	CU_ASSERT_EQUAL(fx_load_one_tp("/nonexistent/ca.pem"), -EINVAL);
	CU_ASSERT_EQUAL(fx_load_one_tp(fx.dir), -EINVAL);	/* a directory */
	tpg_path(path, sizeof(path), fx.dir, "ee.pem");
	CU_ASSERT_EQUAL_FATAL(tpg_write_certs(path, &fx.rsa.ee_root, 1), 0);
	CU_ASSERT_EQUAL(fx_load_one_tp(path), -EINVAL);		/* not a CA */
	/* root, then a broken second certificate */
	f = fopen(fx.rsa.root_pem, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	n = fread(pem, 1, sizeof(pem), f);
	fclose(f);
	memcpy(pem + n, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", 58);
	tpg_path(path, sizeof(path), fx.dir, "broken.pem");
	CU_ASSERT_EQUAL_FATAL(tpg_write_file(path, pem, n + 58), 0);
	CU_ASSERT_EQUAL(fx_load_one_tp(path), -EINVAL);
	CU_ASSERT_EQUAL(pki_tp_count(), 0);
	/* the good one */
	CU_ASSERT_EQUAL(fx_load_one_tp(fx.rsa.both_pem), 0);
	CU_ASSERT_EQUAL(pki_tp_count(), 1);
	CU_ASSERT_EQUAL(sk_X509_num(pki_tp_get(0)->cas), 2);
	CU_ASSERT_PTR_NULL(pki_tp_get(1));
	CU_ASSERT_EQUAL(pki_tp_find("T"), 0);
	CU_ASSERT_EQUAL(pki_tp_find("U"), -1);
	pki_tp_unload();
	CU_ASSERT_EQUAL(pki_tp_count(), 0);
}

static void test_tp_find_issuer(void)
{
	const struct pki_tp *tp;
	const ASN1_OCTET_STRING *inter_skid, *root_skid;

	CU_ASSERT_EQUAL_FATAL(fx_load_one_tp(fx.rsa.both_pem), 0);
	tp = pki_tp_get(0);
	inter_skid = X509_get0_subject_key_id(fx.rsa.p.inter);
	root_skid = X509_get0_subject_key_id(fx.rsa.p.root);
	CU_ASSERT_EQUAL(X509_cmp(pki_tp_find_issuer(tp, X509_get_subject_name(fx.rsa.p.inter),
						    inter_skid), fx.rsa.p.inter), 0);
	CU_ASSERT_EQUAL(X509_cmp(pki_tp_find_issuer(tp, X509_get_subject_name(fx.rsa.p.inter),
						    NULL), fx.rsa.p.inter), 0);
	CU_ASSERT_EQUAL(X509_cmp(pki_tp_find_issuer(tp, X509_get_subject_name(fx.rsa.p.root),
						    root_skid), fx.rsa.p.root), 0);
	/* same name, another key (a rollover): not this CA */
	CU_ASSERT_PTR_NULL(pki_tp_find_issuer(tp, X509_get_subject_name(fx.rsa.p.inter),
					      root_skid));
	CU_ASSERT_PTR_NULL(pki_tp_find_issuer(tp, X509_get_subject_name(fx.ec.p.root), NULL));
	pki_tp_unload();
}

static void fx_identity(struct cfg_identity *id, const char *tag, X509 *cert, EVP_PKEY *key,
			X509 *chain)
{
	char name[64];

	memset(id, 0, sizeof(*id));
	snprintf(name, sizeof(name), "%s.crt", tag);
	tpg_path(id->cert, sizeof(id->cert), fx.dir, name);
	CU_ASSERT_EQUAL(tpg_write_certs(id->cert, &cert, 1), 0);
	snprintf(name, sizeof(name), "%s.key", tag);
	tpg_path(id->key, sizeof(id->key), fx.dir, name);
	CU_ASSERT_EQUAL(tpg_write_key(id->key, key), 0);
	if (chain != NULL) {
		snprintf(name, sizeof(name), "%s-chain.crt", tag);
		tpg_path(id->chain, sizeof(id->chain), fx.dir, name);
		CU_ASSERT_EQUAL(tpg_write_certs(id->chain, &chain, 1), 0);
	}
}

static void test_identities(void)
{
	static struct cfg_pki cfg;
	const struct pki_identity *rsa, *ec;

	memset(&cfg, 0, sizeof(cfg));
	fx_identity(&cfg.identities[0], "id-rsa", fx.rsa.ee_inter, fx.rsa.ee_key, fx.rsa.p.inter);
	fx_identity(&cfg.identities[1], "id-ec", fx.ec.ee_root, fx.ec.ee_key, NULL);
	cfg.n_identities = 2;
	CU_ASSERT_EQUAL_FATAL(pki_tp_load(&cfg), 0);
	CU_ASSERT_EQUAL(pki_identity_count(), 2);
	rsa = pki_identity_for_keytype(EVP_PKEY_RSA);
	ec = pki_identity_for_keytype(EVP_PKEY_EC);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rsa);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ec);
	CU_ASSERT_EQUAL(X509_cmp(rsa->cert, fx.rsa.ee_inter), 0);
	CU_ASSERT_EQUAL(sk_X509_num(rsa->chain), 1);
	CU_ASSERT_EQUAL(X509_cmp(sk_X509_value(rsa->chain, 0), fx.rsa.p.inter), 0);
	CU_ASSERT_EQUAL(EVP_PKEY_eq(rsa->key, fx.rsa.ee_key), 1);
	CU_ASSERT_EQUAL(sk_X509_num(ec->chain), 0);
	CU_ASSERT_EQUAL(ec->key_type, EVP_PKEY_EC);
	CU_ASSERT_PTR_EQUAL(pki_identity_get(0), rsa);
	CU_ASSERT_PTR_NULL(pki_identity_get(2));
	pki_tp_unload();
	CU_ASSERT_EQUAL(pki_identity_count(), 0);
	CU_ASSERT_PTR_NULL(pki_identity_for_keytype(EVP_PKEY_RSA));

	/* a key that is not the certificate's */
	fx_identity(&cfg.identities[1], "id-bad", fx.ec.ee_root, fx.rsa.p.root_key, NULL);
	CU_ASSERT_EQUAL(pki_tp_load(&cfg), -EINVAL);
	CU_ASSERT_EQUAL(pki_identity_count(), 0);
	/* two RSA identities */
	fx_identity(&cfg.identities[1], "id-rsa2", fx.rsa.ee_root, fx.rsa.ee_key, NULL);
	CU_ASSERT_EQUAL(pki_tp_load(&cfg), -EINVAL);
	/* a missing key file */
	fx_identity(&cfg.identities[1], "id-ec", fx.ec.ee_root, fx.ec.ee_key, NULL);
	snprintf(cfg.identities[1].key, sizeof(cfg.identities[1].key), "%s/none.key", fx.dir);
	CU_ASSERT_EQUAL(pki_tp_load(&cfg), -EINVAL);
	/* a certificate file holding two certificates */
	CU_ASSERT_EQUAL(tpg_write_certs(cfg.identities[0].cert,
					(X509 *[]){ fx.rsa.ee_inter, fx.rsa.p.inter }, 2), 0);
	cfg.n_identities = 1;
	CU_ASSERT_EQUAL(pki_tp_load(&cfg), -EINVAL);
	CU_ASSERT_EQUAL(pki_tp_count(), 0);
}

/* ---- revocation "none" ---- */

static void fx_init_none(void)
{
	static struct cfg_pki cfg;

	memset(&cfg, 0, sizeof(cfg));
	fx_tp(&cfg.trustpoints[0], "RSA", fx.rsa.root_pem, CFG_REVOCATION_NONE, NULL);
	fx_tp(&cfg.trustpoints[1], "EC", fx.ec.root_pem, CFG_REVOCATION_NONE, NULL);
	fx_tp(&cfg.trustpoints[2], "EC-BOTH", fx.ec.both_pem, CFG_REVOCATION_NONE, NULL);
	cfg.n_trustpoints = 3;
	CU_ASSERT_EQUAL_FATAL(pki_init(&cfg), 0);
}

static void test_chains_ok(void)
{
	struct rec r;

	fx_init_none();
	/* RSA root -> EE */
	CU_ASSERT_EQUAL(fx_verify_now(&fx.rsa.ee_root, 1, NULL, &r), PKI_VERIFY_OK);
	CU_ASSERT_EQUAL(r.res.trustpoint, 0);
	CU_ASSERT_EQUAL(r.res.n_chain, 0);
	CU_ASSERT_EQUAL(r.res.ee.serial.len, 1);
	CU_ASSERT_EQUAL(r.res.ee.serial.b[0], EE_ROOT_SERIAL);
	CU_ASSERT_TRUE(fx_id_is(&r.res.ee.issuer, fx.rsa.p.root));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.res.ee.issuer_str, "RSA Root CA"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.res.ee_pubkey);
	CU_ASSERT_EQUAL(EVP_PKEY_eq(r.res.ee_pubkey, fx.rsa.ee_key), 1);
	rec_done(&r);
	/* RSA root -> intermediate -> EE, the peer sending the intermediate */
	CU_ASSERT_EQUAL(fx_verify_now((X509 *[]){ fx.rsa.ee_inter, fx.rsa.p.inter }, 2, NULL, &r),
			PKI_VERIFY_OK);
	CU_ASSERT_EQUAL(r.res.trustpoint, 0);
	CU_ASSERT_EQUAL_FATAL(r.res.n_chain, 1);
	CU_ASSERT_EQUAL(r.res.ee.serial.b[0], EE_INTER_SERIAL);
	CU_ASSERT_TRUE(fx_id_is(&r.res.ee.issuer, fx.rsa.p.inter));
	CU_ASSERT_EQUAL(r.res.chain[0].serial.len, 1);
	CU_ASSERT_EQUAL(r.res.chain[0].serial.b[0], 2);
	CU_ASSERT_TRUE(fx_id_is(&r.res.chain[0].issuer, fx.rsa.p.root));
	rec_done(&r);
	/* ECDSA, both shapes; the root itself sent along is harmless */
	CU_ASSERT_EQUAL(fx_verify_now(&fx.ec.ee_root, 1, NULL, &r), PKI_VERIFY_OK);
	CU_ASSERT_EQUAL(r.res.trustpoint, 1);
	CU_ASSERT_EQUAL(EVP_PKEY_eq(r.res.ee_pubkey, fx.ec.ee_key), 1);
	rec_done(&r);
	CU_ASSERT_EQUAL(fx_verify_now((X509 *[]){ fx.ec.ee_inter, fx.ec.p.inter, fx.ec.p.root }, 3,
				      NULL, &r), PKI_VERIFY_OK);
	CU_ASSERT_EQUAL(r.res.trustpoint, 1);
	CU_ASSERT_EQUAL(r.res.n_chain, 1);
	rec_done(&r);
	/* the intermediate not sent: only EC-BOTH, which holds it, anchors */
	CU_ASSERT_EQUAL(fx_verify_now(&fx.ec.ee_inter, 1, NULL, &r), PKI_VERIFY_OK);
	CU_ASSERT_EQUAL(r.res.trustpoint, 2);
	CU_ASSERT_EQUAL(r.res.n_chain, 1);
	rec_done(&r);
	/* no keyUsage at all is allowed */
	CU_ASSERT_EQUAL(fx_verify_now(&fx.ee_ku_none, 1, NULL, &r), PKI_VERIFY_OK);
	rec_done(&r);
	CU_ASSERT_EQUAL(pki_verify_pending(), 0);
	pki_fini();
}

static void test_chains_refused(void)
{
	uint8_t junk[] = { 0x30, 0x03, 0x02, 0x01, 0x01 };
	const uint8_t *der[10];
	size_t len[10];
	uint64_t h;
	struct rec r;

	fx_init_none();
	CU_ASSERT_EQUAL(fx_verify_now(&fx.expired, 1, NULL, &r), PKI_VERIFY_EXPIRED);
	CU_ASSERT_EQUAL(r.res.trustpoint, -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.res.reason, "expired"));
	CU_ASSERT_EQUAL(fx_verify_now(&fx.other_ee, 1, NULL, &r), PKI_VERIFY_UNTRUSTED);
	/* RSA intermediate neither sent nor in the RSA trustpoint */
	CU_ASSERT_EQUAL(fx_verify_now(&fx.rsa.ee_inter, 1, NULL, &r), PKI_VERIFY_UNTRUSTED);
	/* an end entity used as a CA */
	CU_ASSERT_EQUAL(fx_verify_now((X509 *[]){ fx.ee_by_ee, fx.rsa.ee_root }, 2, NULL, &r),
			PKI_VERIFY_KEY_USAGE);
	CU_ASSERT_EQUAL(fx_verify_now(&fx.ku_bad, 1, NULL, &r), PKI_VERIFY_KEY_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.res.reason, "digitalSignature"));
	/* bytes that are no certificate */
	der[0] = junk;
	len[0] = sizeof(junk);
	memset(&r, 0, sizeof(r));
	CU_ASSERT_EQUAL(pki_verify_peer(der, len, 1, &(struct pki_peer_id){ .type = PKI_ID_NONE },
					rec_cb, &r, &h), 0);
	CU_ASSERT_EQUAL(r.calls, 1);
	CU_ASSERT_EQUAL(r.res.error, PKI_VERIFY_PARSE);
	/* too many certificates */
	for (unsigned i = 0; i < 10; i++) {
		der[i] = junk;
		len[i] = sizeof(junk);
	}
	memset(&r, 0, sizeof(r));
	CU_ASSERT_EQUAL(pki_verify_peer(der, len, 10, &(struct pki_peer_id){ .type = PKI_ID_NONE },
					rec_cb, &r, &h), 0);
	CU_ASSERT_EQUAL(r.res.error, PKI_VERIFY_PARSE);
	/* bad arguments: -EINVAL and no callback */
	memset(&r, 0, sizeof(r));
	CU_ASSERT_EQUAL(pki_verify_peer(der, len, 0, &(struct pki_peer_id){ .type = PKI_ID_NONE },
					rec_cb, &r, &h), -EINVAL);
	CU_ASSERT_EQUAL(pki_verify_peer(der, len, 1, NULL, rec_cb, &r, &h), -EINVAL);
	CU_ASSERT_EQUAL(pki_verify_peer(der, len, 1, &(struct pki_peer_id){ .type = PKI_ID_NONE },
					NULL, &r, &h), -EINVAL);
	CU_ASSERT_EQUAL(r.calls, 0);
	CU_ASSERT_TRUE(pki_verify_count(PKI_VERIFY_PARSE) >= 2);
	pki_fini();
}

/* A certificate with trailing bytes after its DER is refused. */
static void test_trailing_bytes(void)
{
	uint8_t *der = NULL, *longer;
	size_t len = 0;
	uint64_t h;
	struct rec r = { 0 };

	fx_init_none();
	CU_ASSERT_EQUAL_FATAL(tpg_cert_der(fx.rsa.ee_root, &der, &len), 0);
	longer = malloc(len + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(longer);
	memcpy(longer, der, len);
	longer[len] = 0;
	len++;
	CU_ASSERT_EQUAL(pki_verify_peer((const uint8_t *const *)&longer, &len, 1,
					&(struct pki_peer_id){ .type = PKI_ID_NONE }, rec_cb,
					&r, &h), 0);
	CU_ASSERT_EQUAL(r.res.error, PKI_VERIFY_PARSE);
	free(der);
	free(longer);
	pki_fini();
}

static void test_identity_match(void)
{
	static const uint8_t v4[4] = { 192, 0, 2, 1 }, v4_bad[4] = { 192, 0, 2, 2 };
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t v6_bad[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	uint8_t *dn = NULL, *dn_bad = NULL;
	int dn_len = i2d_X509_NAME(X509_get_subject_name(fx.rsa.ee_root), &dn);
	int dn_bad_len = i2d_X509_NAME(X509_get_subject_name(fx.rsa.p.root), &dn_bad);
	const struct {
		enum pki_id_type type;
		const void *data;
		size_t len;
		enum pki_verify_error want;
	} cases[] = {
		{ PKI_ID_DN, dn, (size_t)dn_len, PKI_VERIFY_OK },
		{ PKI_ID_DN, dn_bad, (size_t)dn_bad_len, PKI_VERIFY_ID_MISMATCH },
		{ PKI_ID_DN, dn, (size_t)dn_len - 1, PKI_VERIFY_ID_MISMATCH },
		{ PKI_ID_FQDN, "gw.example", 10, PKI_VERIFY_OK },
		{ PKI_ID_FQDN, "GW.Example", 10, PKI_VERIFY_OK },
		{ PKI_ID_FQDN, "gw.example.org", 14, PKI_VERIFY_ID_MISMATCH },
		{ PKI_ID_FQDN, "gw.exampl", 9, PKI_VERIFY_ID_MISMATCH },
		{ PKI_ID_FQDN, "gw@example.org", 14, PKI_VERIFY_ID_MISMATCH },
		{ PKI_ID_RFC822, "gw@example.org", 14, PKI_VERIFY_OK },
		{ PKI_ID_RFC822, "GW@EXAMPLE.org", 14, PKI_VERIFY_OK },
		{ PKI_ID_RFC822, "gw.example", 10, PKI_VERIFY_ID_MISMATCH },
		{ PKI_ID_RFC822, "gw@example.org\0x", 16, PKI_VERIFY_ID_MISMATCH },
		{ PKI_ID_IPV4, v4, 4, PKI_VERIFY_OK },
		{ PKI_ID_IPV4, v4_bad, 4, PKI_VERIFY_ID_MISMATCH },
		{ PKI_ID_IPV4, v6, 16, PKI_VERIFY_ID_MISMATCH },
		{ PKI_ID_IPV6, v6, 16, PKI_VERIFY_OK },
		{ PKI_ID_IPV6, v6_bad, 16, PKI_VERIFY_ID_MISMATCH },
		{ PKI_ID_IPV6, v4, 4, PKI_VERIFY_ID_MISMATCH },
		{ PKI_ID_NONE, NULL, 0, PKI_VERIFY_OK },
		{ (enum pki_id_type)42, "x", 1, PKI_VERIFY_ID_MISMATCH },
	};
	struct rec r;

	CU_ASSERT_TRUE_FATAL(dn_len > 0 && dn_bad_len > 0);
	fx_init_none();
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct pki_peer_id id = { .type = cases[i].type, .data = cases[i].data,
					  .len = cases[i].len };
		enum pki_verify_error e = fx_verify_now(&fx.rsa.ee_root, 1, &id, &r);

		CU_ASSERT_EQUAL(e, cases[i].want);
		if (e != cases[i].want)
			fprintf(stderr, "\n  case %zu: want %s got %s (%s)\n", i,
				pki_verify_error_str(cases[i].want), pki_verify_error_str(e),
				r.res.reason);
		rec_done(&r);
	}
	pki_fini();
	OPENSSL_free(dn);
	OPENSSL_free(dn_bad);
}

static void test_error_names(void)
{
	CU_ASSERT_STRING_EQUAL(pki_verify_error_str(PKI_VERIFY_OK), "ok");
	CU_ASSERT_STRING_EQUAL(pki_verify_error_str(PKI_VERIFY_REVOKED), "certificate revoked");
	CU_ASSERT_STRING_EQUAL(pki_verify_error_str(PKI_VERIFY_NO_CRL),
			       "no valid, current CRL for an issuer in the chain");
	CU_ASSERT_STRING_EQUAL(pki_verify_error_str((enum pki_verify_error)99), "unknown error");
}

/* ---- revocation "crl" ---- */

/* tp 0: RSA root + intermediate; tp 1: EC root + intermediate.  Both "crl",
 * URLs where nothing answers. */
static void fx_init_crl(void)
{
	static struct cfg_pki cfg;

	memset(&cfg, 0, sizeof(cfg));
	fx_tp(&cfg.trustpoints[0], "RSA-CRL", fx.rsa.both_pem, CFG_REVOCATION_CRL,
	      DEAD_URL "RSA-root.crl");
	fx_tp(&cfg.trustpoints[1], "EC-CRL", fx.ec.both_pem, CFG_REVOCATION_CRL,
	      DEAD_URL "EC-root.crl");
	cfg.n_trustpoints = 2;
	CU_ASSERT_EQUAL_FATAL(pki_init(&cfg), 0);
}

static void test_crl_good_and_revoked(void)
{
	X509 *chain[2] = { fx.rsa.ee_inter, fx.rsa.p.inter };
	const struct tpg_revoked ee = { EE_INTER_SERIAL, 1 }, inter = { 2, 2 };
	struct rec r;

	fx_init_crl();
	fx_crl(fx.rsa.p.root, fx.rsa.p.root_key, 1, 3600, NULL, 0, 0);
	fx_crl(fx.rsa.p.inter, fx.rsa.p.inter_key, 1, 3600, NULL, 0, 0);
	/* CRLs held that do not list them */
	CU_ASSERT_EQUAL(fx_verify_now(chain, 2, NULL, &r), PKI_VERIFY_OK);
	CU_ASSERT_EQUAL(r.res.trustpoint, 0);
	rec_done(&r);
	CU_ASSERT_EQUAL(fx_verify_now(&fx.rsa.ee_root, 1, NULL, &r), PKI_VERIFY_OK);
	rec_done(&r);
	/* the intermediate's CRL lists the EE */
	fx_crl(fx.rsa.p.inter, fx.rsa.p.inter_key, 2, 3600, &ee, 1, 0);
	CU_ASSERT_EQUAL(fx_verify_now(chain, 2, NULL, &r), PKI_VERIFY_REVOKED);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.res.reason, "65"));	/* serial 101 */
	CU_ASSERT_EQUAL(r.res.trustpoint, 0);
	CU_ASSERT_EQUAL(r.res.ee.serial.b[0], EE_INTER_SERIAL);
	CU_ASSERT_EQUAL(fx_verify_now(&fx.rsa.ee_root, 1, NULL, &r), PKI_VERIFY_OK);
	rec_done(&r);
	/* the root's CRL revokes the intermediate */
	fx_crl(fx.rsa.p.inter, fx.rsa.p.inter_key, 3, 3600, NULL, 0, 0);
	CU_ASSERT_EQUAL(fx_verify_now(chain, 2, NULL, &r), PKI_VERIFY_OK);
	rec_done(&r);
	fx_crl(fx.rsa.p.root, fx.rsa.p.root_key, 2, 3600, &inter, 1, 0);
	CU_ASSERT_EQUAL(fx_verify_now(chain, 2, NULL, &r), PKI_VERIFY_REVOKED);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.res.reason, "RSA Root CA"));
	CU_ASSERT_EQUAL(fx_verify_now(&fx.rsa.ee_root, 1, NULL, &r), PKI_VERIFY_OK);
	rec_done(&r);
	/* identity is checked before revocation, the chain before both */
	CU_ASSERT_EQUAL(fx_verify_now(&fx.other_ee, 1, NULL, &r), PKI_VERIFY_UNTRUSTED);
	CU_ASSERT_EQUAL(pki_verify_pending(), 0);
	pki_fini();
}

/* Poll until the fetchers have posted every result (they fail at once). */
static void fx_fetch_settle(void)
{
	for (int i = 0; i < 500 && pki_fetch_pending() > 0; i++)
		usleep(10 * 1000);
	CU_ASSERT_EQUAL(pki_fetch_pending(), 0);
}

static void test_crl_missing(void)
{
	struct timespec t0, t1;
	struct rec r, r2;
	uint64_t h, h2;

	fx_init_crl();
	/* no CRL at all: waits, never blocks, never assumes "not revoked" */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CU_ASSERT_EQUAL_FATAL(fx_verify(&fx.ec.ee_root, 1, NULL, &r, &h), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CU_ASSERT_TRUE(t1.tv_sec - t0.tv_sec < 2);
	CU_ASSERT_EQUAL(r.calls, 0);
	CU_ASSERT_EQUAL(pki_verify_pending(), 1);
	pki_verify_crl_result(0);			/* another trustpoint: no effect */
	pki_verify_tick(cp_loop_now_ms());		/* before the deadline: no effect */
	CU_ASSERT_EQUAL(r.calls, 0);
	pki_verify_tick(cp_loop_now_ms() + PKI_VERIFY_WAIT_MS + 1);
	CU_ASSERT_EQUAL(r.calls, 1);
	CU_ASSERT_EQUAL(r.res.error, PKI_VERIFY_NO_CRL);
	CU_ASSERT_EQUAL(r.res.trustpoint, 1);
	CU_ASSERT_PTR_NULL(r.res.ee_pubkey);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.res.reason, "EC Root CA"));
	CU_ASSERT_EQUAL(pki_verify_pending(), 0);
	pki_verify_tick(cp_loop_now_ms() + 10 * PKI_VERIFY_WAIT_MS);
	CU_ASSERT_EQUAL(r.calls, 1);			/* exactly once */
	/* the EE's CDP is the configured URL: nothing to learn */
	CU_ASSERT_EQUAL(pki_tp_get(1)->n_learnt_urls, 0);

	/* failed downloads delivered: nothing more can come, NO_CRL at once */
	fx_fetch_settle();
	pki_fetch_service();
	CU_ASSERT_EQUAL_FATAL(fx_verify((X509 *[]){ fx.ec.ee_inter, fx.ec.p.inter }, 2, NULL, &r,
					&h), 0);
	CU_ASSERT_EQUAL(r.calls, 0);
	fx_fetch_settle();
	pki_fetch_service();
	CU_ASSERT_EQUAL(r.calls, 1);
	CU_ASSERT_EQUAL(r.res.error, PKI_VERIFY_NO_CRL);
	CU_ASSERT_EQUAL(r.res.n_chain, 1);
	/* this EE's CDP (the intermediate's CRL) was learnt, once */
	CU_ASSERT_EQUAL_FATAL(pki_tp_get(1)->n_learnt_urls, 1);
	CU_ASSERT_STRING_EQUAL(pki_tp_get(1)->learnt_urls[0], DEAD_URL "EC-inter.crl");

	/* a CRL arriving while waiting completes the verification */
	CU_ASSERT_EQUAL_FATAL(fx_verify(&fx.ec.ee_root, 1, NULL, &r, &h), 0);
	CU_ASSERT_EQUAL_FATAL(fx_verify(&fx.ec.ee_root, 1, NULL, &r2, &h2), 0);
	CU_ASSERT_NOT_EQUAL(h, h2);
	CU_ASSERT_EQUAL(pki_verify_pending(), 2);
	pki_verify_cancel(h2);				/* r2 never called back */
	CU_ASSERT_EQUAL(pki_verify_pending(), 1);
	fx_crl(fx.ec.p.root, fx.ec.p.root_key, 1, 3600, NULL, 0, 1);
	CU_ASSERT_EQUAL(r.calls, 0);			/* only on a result for tp 1 */
	pki_verify_crl_result(1);
	CU_ASSERT_EQUAL(r.calls, 1);
	CU_ASSERT_EQUAL(r.res.error, PKI_VERIFY_OK);
	CU_ASSERT_EQUAL(r2.calls, 0);
	rec_done(&r);
	fx_fetch_settle();
	pki_fetch_service();
	CU_ASSERT_EQUAL(r2.calls, 0);
	CU_ASSERT_EQUAL(pki_verify_pending(), 0);
	pki_fini();
}

static void test_crl_stale_and_shutdown(void)
{
	struct rec r;
	uint64_t h;

	fx_init_crl();
	fx_crl(fx.ec.p.root, fx.ec.p.root_key, 1, 3600, NULL, 0, 1);
	/* the root's CRL is held, the intermediate's is not */
	CU_ASSERT_EQUAL_FATAL(fx_verify(&fx.ec.ee_inter, 1, NULL, &r, &h), 0);
	CU_ASSERT_EQUAL(r.calls, 0);
	pki_verify_tick(cp_loop_now_ms() + PKI_VERIFY_WAIT_MS + 1);
	CU_ASSERT_EQUAL(r.res.error, PKI_VERIFY_NO_CRL);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.res.reason, "EC Inter CA"));
	fx_fetch_settle();
	pki_fetch_service();

	/* a held CRL past its nextUpdate is stale: not trusted */
	fx_crl(fx.ec.p.inter, fx.ec.p.inter_key, 1, 3600, NULL, 0, 1);
	CU_ASSERT_EQUAL(fx_verify_now(&fx.ec.ee_inter, 1, NULL, &r), PKI_VERIFY_OK);
	rec_done(&r);
	pki_crl_set_now(time(NULL) + 7200);
	CU_ASSERT_EQUAL_FATAL(fx_verify(&fx.ec.ee_inter, 1, NULL, &r, &h), 0);
	CU_ASSERT_EQUAL(r.calls, 0);
	pki_verify_tick(cp_loop_now_ms() + PKI_VERIFY_WAIT_MS + 1);
	CU_ASSERT_EQUAL(r.res.error, PKI_VERIFY_NO_CRL);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.res.reason, "stale"));
	pki_crl_set_now(0);
	fx_fetch_settle();
	pki_fetch_service();

	/* shutting down finishes what still waits, once */
	pki_crl_set_now(time(NULL) + 7200);
	CU_ASSERT_EQUAL_FATAL(fx_verify(&fx.ec.ee_inter, 1, NULL, &r, &h), 0);
	CU_ASSERT_EQUAL(r.calls, 0);
	pki_fini();
	pki_crl_set_now(0);
	CU_ASSERT_EQUAL(r.calls, 1);
	CU_ASSERT_EQUAL(r.res.error, PKI_VERIFY_INTERNAL);
	CU_ASSERT_EQUAL(pki_verify_pending(), 0);
}

/* ---- the verified-chain cache (pki_vcache.c) ---- */

static struct pki_vcache_stats fx_vc(void)
{
	struct pki_vcache_stats st;

	pki_vcache_stats(&st);
	return st;
}

static time_t fx_not_after(X509 *x)
{
	struct tm tm;

	CU_ASSERT_EQUAL_FATAL(ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm), 1);
	return timegm(&tm);
}

/* Verify and expect a result at once, counting the cache's hits. */
static enum pki_verify_error fx_verify_vc(X509 *const *certs, unsigned n,
					  const struct pki_peer_id *id, struct rec *r,
					  uint64_t *hit)
{
	uint64_t before = fx_vc().hits;
	enum pki_verify_error e = fx_verify_now(certs, n, id, r);

	*hit = fx_vc().hits - before;
	return e;
}

static void test_vcache_hit_and_identity(void)
{
	X509 *chain[2] = { fx.ec.ee_inter, fx.ec.p.inter };
	static const uint8_t fqdn[] = "gw.example", other[] = "other.example";
	const struct pki_peer_id good = { PKI_ID_FQDN, fqdn, sizeof(fqdn) - 1 };
	const struct pki_peer_id bad = { PKI_ID_FQDN, other, sizeof(other) - 1 };
	struct pki_vcache_stats s0;
	struct rec r1, r2;
	uint64_t hit;

	fx_init_none();
	CU_ASSERT_EQUAL(fx_vc().entries, 0);
	s0 = fx_vc();
	/* a failed verification is never cached: untrusted, then wrong identity */
	CU_ASSERT_EQUAL(fx_verify_vc(&fx.other_ee, 1, NULL, &r1, &hit), PKI_VERIFY_UNTRUSTED);
	CU_ASSERT_EQUAL(fx_verify_vc(&fx.other_ee, 1, NULL, &r1, &hit), PKI_VERIFY_UNTRUSTED);
	CU_ASSERT_EQUAL(hit, 0);
	CU_ASSERT_EQUAL(fx_verify_vc(chain, 2, &bad, &r1, &hit), PKI_VERIFY_ID_MISMATCH);
	CU_ASSERT_EQUAL(fx_vc().inserts, s0.inserts);
	CU_ASSERT_EQUAL(fx_vc().entries, 0);

	/* first: a miss, remembered; second: a hit with the same result */
	CU_ASSERT_EQUAL(fx_verify_vc(chain, 2, &good, &r1, &hit), PKI_VERIFY_OK);
	CU_ASSERT_EQUAL(hit, 0);
	CU_ASSERT_EQUAL(fx_vc().inserts, s0.inserts + 1);
	CU_ASSERT_EQUAL(fx_verify_vc(chain, 2, &good, &r2, &hit), PKI_VERIFY_OK);
	CU_ASSERT_EQUAL(hit, 1);
	CU_ASSERT_EQUAL(r2.res.trustpoint, r1.res.trustpoint);
	CU_ASSERT_EQUAL(r2.res.n_chain, r1.res.n_chain);
	CU_ASSERT_EQUAL(memcmp(&r2.res.ee, &r1.res.ee, sizeof(r1.res.ee)), 0);
	CU_ASSERT_EQUAL(memcmp(&r2.res.chain[0], &r1.res.chain[0], sizeof(r1.res.chain[0])), 0);
	CU_ASSERT_STRING_EQUAL(r2.res.reason, r1.res.reason);
	CU_ASSERT_EQUAL(EVP_PKEY_eq(r1.res.ee_pubkey, r2.res.ee_pubkey), 1);
	rec_done(&r1);
	rec_done(&r2);
	/* the identity is checked on a hit too */
	CU_ASSERT_EQUAL(fx_verify_vc(chain, 2, &bad, &r1, &hit), PKI_VERIFY_ID_MISMATCH);
	CU_ASSERT_EQUAL(hit, 1);
	/* another chain (the EE alone, or in another order) is another entry */
	CU_ASSERT_EQUAL(fx_verify_vc(&fx.ec.ee_inter, 1, NULL, &r1, &hit), PKI_VERIFY_OK);
	CU_ASSERT_EQUAL(hit, 0);
	rec_done(&r1);
	CU_ASSERT_EQUAL(fx_vc().entries, 2);

	/* past the chain's earliest notAfter (by the CRL clock): not used */
	pki_crl_set_now(fx_not_after(fx.ec.ee_inter) + 60);
	s0 = fx_vc();
	CU_ASSERT_EQUAL(fx_verify_vc(chain, 2, &good, &r1, &hit), PKI_VERIFY_OK);
	pki_crl_set_now(0);
	CU_ASSERT_EQUAL(hit, 0);
	CU_ASSERT_EQUAL(fx_vc().expired, s0.expired + 1);
	rec_done(&r1);
	/* before its latest notBefore: not used either */
	pki_crl_set_now(time(NULL) - 2 * 3600);
	s0 = fx_vc();
	CU_ASSERT_EQUAL(fx_verify_vc(chain, 2, &good, &r1, &hit), PKI_VERIFY_OK);
	pki_crl_set_now(0);
	CU_ASSERT_EQUAL(hit, 0);
	CU_ASSERT_EQUAL(fx_vc().expired, s0.expired + 1);
	rec_done(&r1);
	CU_ASSERT_EQUAL(fx_verify_vc(chain, 2, &good, &r1, &hit), PKI_VERIFY_OK);
	CU_ASSERT_EQUAL(hit, 1);
	rec_done(&r1);

	/* new trustpoints: the cache starts empty */
	pki_fini();
	CU_ASSERT_EQUAL(fx_vc().entries, 0);
	fx_init_none();
	CU_ASSERT_EQUAL(fx_verify_vc(chain, 2, &good, &r1, &hit), PKI_VERIFY_OK);
	CU_ASSERT_EQUAL(hit, 0);
	rec_done(&r1);
	pki_fini();
}

/* Revocation published after a chain was cached is still seen; a CRL gone
 * stale fails closed on a hit as on a miss. */
static void test_vcache_revocation(void)
{
	X509 *chain[2] = { fx.ec.ee_inter, fx.ec.p.inter };
	const struct tpg_revoked ee = { EE_INTER_SERIAL, 1 }, inter = { 2, 2 };
	struct rec r;
	uint64_t hit, h;

	fx_init_crl();
	fx_crl(fx.ec.p.root, fx.ec.p.root_key, 1, 3600, NULL, 0, 1);
	fx_crl(fx.ec.p.inter, fx.ec.p.inter_key, 1, 3600, NULL, 0, 1);
	CU_ASSERT_EQUAL(fx_verify_vc(chain, 2, NULL, &r, &hit), PKI_VERIFY_OK);
	CU_ASSERT_EQUAL(hit, 0);
	rec_done(&r);
	CU_ASSERT_EQUAL(fx_verify_vc(chain, 2, NULL, &r, &hit), PKI_VERIFY_OK);
	CU_ASSERT_EQUAL(hit, 1);
	rec_done(&r);
	/* the EE revoked after it was cached */
	fx_crl(fx.ec.p.inter, fx.ec.p.inter_key, 2, 3600, &ee, 1, 1);
	CU_ASSERT_EQUAL(fx_verify_vc(chain, 2, NULL, &r, &hit), PKI_VERIFY_REVOKED);
	CU_ASSERT_EQUAL(hit, 1);
	CU_ASSERT_EQUAL(r.res.ee.serial.b[0], EE_INTER_SERIAL);
	/* lifted, then the intermediate revoked by the root */
	fx_crl(fx.ec.p.inter, fx.ec.p.inter_key, 3, 3600, NULL, 0, 1);
	CU_ASSERT_EQUAL(fx_verify_vc(chain, 2, NULL, &r, &hit), PKI_VERIFY_OK);
	CU_ASSERT_EQUAL(hit, 1);
	rec_done(&r);
	fx_crl(fx.ec.p.root, fx.ec.p.root_key, 2, 3600, &inter, 1, 1);
	CU_ASSERT_EQUAL(fx_verify_vc(chain, 2, NULL, &r, &hit), PKI_VERIFY_REVOKED);
	CU_ASSERT_EQUAL(hit, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.res.reason, "EC Root CA"));
	fx_crl(fx.ec.p.root, fx.ec.p.root_key, 3, 3600, NULL, 0, 1);
	CU_ASSERT_EQUAL(fx_verify_vc(chain, 2, NULL, &r, &hit), PKI_VERIFY_OK);
	CU_ASSERT_EQUAL(hit, 1);
	rec_done(&r);
	/* the CRLs gone stale (certificates still valid): waits, then NO_CRL */
	pki_crl_set_now(time(NULL) + 7200);
	hit = fx_vc().hits;
	CU_ASSERT_EQUAL_FATAL(fx_verify(chain, 2, NULL, &r, &h), 0);
	CU_ASSERT_EQUAL(fx_vc().hits, hit + 1);
	CU_ASSERT_EQUAL(r.calls, 0);
	pki_verify_tick(cp_loop_now_ms() + PKI_VERIFY_WAIT_MS + 1);
	CU_ASSERT_EQUAL(r.calls, 1);
	CU_ASSERT_EQUAL(r.res.error, PKI_VERIFY_NO_CRL);
	CU_ASSERT_PTR_NULL(r.res.ee_pubkey);
	pki_crl_set_now(0);
	fx_fetch_settle();
	pki_fetch_service();
	CU_ASSERT_EQUAL(pki_verify_pending(), 0);
	pki_fini();
}

/* A callback that cancels another pending verification and starts a new
 * one while pki_verify_crl_result walks the list. */
struct reentry {
	struct rec r;
	uint64_t cancel;
	struct rec *inner;
};

static void reentry_cb(void *arg, const struct pki_verify_result *res)
{
	struct reentry *x = arg;

	rec_cb(&x->r, res);
	pki_verify_cancel(x->cancel);
	if (x->inner != NULL)
		CU_ASSERT_EQUAL(fx_verify(&fx.ec.ee_root, 1, NULL, x->inner, NULL), 0);
}

static void test_crl_reentry(void)
{
	static const struct pki_peer_id none = { .type = PKI_ID_NONE };
	struct reentry x = { 0 };
	struct rec victim, inner;
	uint8_t *der = NULL;
	size_t len = 0;
	uint64_t h;

	fx_init_crl();
	CU_ASSERT_EQUAL_FATAL(tpg_cert_der(fx.ec.ee_root, &der, &len), 0);
	CU_ASSERT_EQUAL_FATAL(pki_verify_peer((const uint8_t *const *)&der, &len, 1, &none,
					      reentry_cb, &x, &h), 0);
	CU_ASSERT_EQUAL_FATAL(fx_verify(&fx.ec.ee_root, 1, NULL, &victim, &x.cancel), 0);
	x.inner = &inner;
	CU_ASSERT_EQUAL(pki_verify_pending(), 2);
	fx_crl(fx.ec.p.root, fx.ec.p.root_key, 1, 3600, NULL, 0, 1);
	pki_verify_crl_result(1);
	CU_ASSERT_EQUAL(x.r.calls, 1);
	CU_ASSERT_EQUAL(x.r.res.error, PKI_VERIFY_OK);
	CU_ASSERT_EQUAL(victim.calls, 0);		/* cancelled from the callback */
	CU_ASSERT_EQUAL(inner.calls, 1);		/* the CRL is held now */
	CU_ASSERT_EQUAL(inner.res.error, PKI_VERIFY_OK);
	CU_ASSERT_EQUAL(pki_verify_pending(), 0);
	rec_done(&x.r);
	rec_done(&inner);
	free(der);
	fx_fetch_settle();
	pki_fetch_service();
	pki_fini();
}

int main(void)
{
	static const struct test_case tests[] = {
		{ "trustpoint files refused", test_tp_refusals },
		{ "find issuer by name and key id", test_tp_find_issuer },
		{ "identities, one per key type", test_identities },
		{ "RSA and ECDSA chains accepted", test_chains_ok },
		{ "expired, wrong CA, missing intermediate, EE as CA", test_chains_refused },
		{ "trailing bytes after a certificate", test_trailing_bytes },
		{ "identity per ID type", test_identity_match },
		{ "error names", test_error_names },
		{ "crl: good, EE revoked, intermediate revoked", test_crl_good_and_revoked },
		{ "crl: missing, waiting, cancelled", test_crl_missing },
		{ "crl: intermediate's missing, stale, shutdown", test_crl_stale_and_shutdown },
		{ "crl: callbacks re-entering", test_crl_reentry },
		{ "chain cache: hit, identity, validity, flush", test_vcache_hit_and_identity },
		{ "chain cache: revocation still checked", test_vcache_revocation },
	};
	if (test_suite("pki_verify", suite_init, suite_clean, tests, ARRAY_LEN(tests)) != 0)
		return 1;
	return test_run();
}
