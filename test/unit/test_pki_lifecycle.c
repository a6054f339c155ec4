/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit suite for the certificate lifecycle: the configuration knobs
 * (pki.expiry_warning_days, pki.crl_warning_hours,
 * identities[].key_passphrase_file), encrypted private keys (pki_key.c),
 * the certificate list and the expiry warnings (pki_expiry.c) with their
 * telemetry, and pki_check (ipsecgw --check).  Certificates are made in
 * code (test_pki_gen.c) to expire in a few days; the clock is pinned with
 * pki_crl_set_now.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <rte_log.h>

#include "cfg/cfg.h"
#include "controlplane/cp_tm.h"
#include "controlplane/pki/pki_internal.h"
#include "test/unit/test_eal.h"
#include "test/unit/test_pki_gen.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

enum { DAY = 86400, HOUR = 3600 };

static struct {
	char *dir;
	struct tpg_pki rsa;		/* root: expires in 10 days */
	EVP_PKEY *ee_key, *other_key;
	X509 *ee;			/* ours: expires in 3 days (+1 hour) */
	X509 *ee_far;			/* ours: a year */
	char ca_pem[CFG_PATH_MAX];
} fx;

/* ---- log capture ---- */

static char *log_buf;
static size_t log_len;
static FILE *log_f;

static void log_start(void)
{
	free(log_buf);
	log_buf = NULL;
	log_f = open_memstream(&log_buf, &log_len);
	CU_ASSERT_FATAL(log_f != NULL);
	rte_log_set_level_pattern("ipsecgw.pki", RTE_LOG_INFO);
	rte_openlog_stream(log_f);
}

static void log_stop(void)
{
	rte_openlog_stream(NULL);
	fclose(log_f);
	printf("--- log ---\n%s-----------\n", log_buf != NULL ? log_buf : "");
}

static unsigned log_count(const char *needle)
{
	unsigned n = 0;

	for (const char *p = log_buf; p != NULL && (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* ---- fixture ---- */

static int suite_init(void)
{
	struct tpg_cert_spec s = {
		.subject = "/O=ipsecgw test/CN=gw.example", .serial = 0x1234,
		.not_before = -3600, .not_after = 3 * DAY + HOUR,
	};
	struct tpg_cert_spec root = {
		.subject = "/O=ipsecgw test/CN=Life Root CA", .serial = 1, .ca = true,
		.not_before = -3600, .not_after = 10 * DAY + HOUR,
	};

	fx.dir = tpg_tmpdir("pki-life");
	fx.rsa.root_key = tpg_key(TPG_RSA2048);
	fx.ee_key = tpg_key(TPG_RSA2048);
	fx.other_key = tpg_key(TPG_RSA2048);
	if (fx.dir == NULL || fx.rsa.root_key == NULL || fx.ee_key == NULL || fx.other_key == NULL)
		return -1;
	fx.rsa.root = tpg_cert(&root, fx.rsa.root_key, NULL, NULL);
	fx.ee = tpg_cert(&s, fx.ee_key, fx.rsa.root, fx.rsa.root_key);
	s.not_after = 365 * DAY;
	s.serial = 0x1235;
	fx.ee_far = tpg_cert(&s, fx.ee_key, fx.rsa.root, fx.rsa.root_key);
	tpg_path(fx.ca_pem, sizeof(fx.ca_pem), fx.dir, "ca.crt");
	if (fx.rsa.root == NULL || fx.ee == NULL || fx.ee_far == NULL ||
	    tpg_write_certs(fx.ca_pem, &fx.rsa.root, 1) != 0)
		return -1;
	return 0;
}

static int suite_clean(void)
{
	tpg_pki_free(&fx.rsa);
	EVP_PKEY_free(fx.ee_key);
	EVP_PKEY_free(fx.other_key);
	X509_free(fx.ee);
	X509_free(fx.ee_far);
	tpg_rmdir(fx.dir);
	free(fx.dir);
	free(log_buf);
	return 0;
}

/* Write key to name in the fixture dir, encrypted with pass when given. */
static void fx_key(char *path, size_t len, const char *name, EVP_PKEY *key, const char *pass,
		   mode_t mode)
{
	BIO *bio;

	tpg_path(path, len, fx.dir, name);
	unlink(path);
	if (pass == NULL) {
		CU_ASSERT_EQUAL(tpg_write_key(path, key), 0);
	} else {
		bio = BIO_new_file(path, "w");
		CU_ASSERT_FATAL(bio != NULL);
		CU_ASSERT_EQUAL(PEM_write_bio_PKCS8PrivateKey(bio, key, EVP_aes_256_cbc(), NULL, 0,
							      NULL, (void *)pass), 1);
		BIO_free(bio);
	}
	CU_ASSERT_EQUAL(chmod(path, mode), 0);
}

static void fx_pass(char *path, size_t len, const char *text, mode_t mode)
{
	tpg_path(path, len, fx.dir, "gw.pass");
	unlink(path);		/* it may be read-only (0400) */
	CU_ASSERT_EQUAL(tpg_write_file(path, text, strlen(text)), 0);
	CU_ASSERT_EQUAL(chmod(path, mode), 0);
}

/* One identity (cert: fx.ee unless given) with a plain key, one trustpoint. */
static void fx_cfg(struct cfg_pki *cfg, X509 *cert, EVP_PKEY *key)
{
	struct cfg_identity *id = &cfg->identities[0];
	struct cfg_trustpoint *tp = &cfg->trustpoints[0];

	memset(cfg, 0, sizeof(*cfg));
	cfg->expiry_warning_days = 30;
	cfg->crl_warning_hours = 12;
	tpg_path(id->cert, sizeof(id->cert), fx.dir, "gw.crt");
	CU_ASSERT_EQUAL(tpg_write_certs(id->cert, cert != NULL ? &cert : &fx.ee, 1), 0);
	fx_key(id->key, sizeof(id->key), "gw.key", key != NULL ? key : fx.ee_key, NULL, 0600);
	cfg->n_identities = 1;
	snprintf(tp->name, sizeof(tp->name), "LIFE");
	snprintf(tp->ca, sizeof(tp->ca), "%s", fx.ca_pem);
	tp->revocation_check = CFG_REVOCATION_CRL;
	tp->crl_refresh_interval = 3600;
	tp->crl_download_timeout = 5;
	tp->crl_max_size = 1 << 20;
	snprintf(tp->crl_cache_dir, sizeof(tp->crl_cache_dir), "%s", fx.dir);
	cfg->n_trustpoints = 1;
}

/* ---- tests ---- */

static void test_days_left(void)
{
	static const struct { long long d; long want; } t[] = {
		{ 0, 0 }, { 1, 0 }, { DAY - 1, 0 }, { DAY, 1 }, { 3 * DAY + HOUR, 3 },
		{ -1, -1 }, { -DAY, -1 }, { -DAY - 1, -2 }, { 400LL * DAY, 400 },
	};
	time_t now = 1800000000;

	for (size_t i = 0; i < ARRAY_LEN(t); i++)
		CU_ASSERT_EQUAL(pki_expiry_days_left(now + (time_t)t[i].d, now), t[i].want);
}

static void test_cfg_knobs(void)
{
	static struct gw_cfg cfg;
	char err[CFG_ERR_MAX];
	const char *base = "eal = [ \"--no-huge\" ]; interfaces = ( { name = \"o\"; "
			   "port = \"net_null0\"; address = \"10.0.0.1/24\"; } );\n";
	char text[1024];
	int rc;

	snprintf(text, sizeof(text), "%spki = { identities = ( { cert = \"/a.crt\"; key = \"/a.key\"; "
		 "key_passphrase_file = \"k.pass\"; } ); };\n", base);
	rc = cfg_load_string(text, "/etc/ipsecgw/t.conf", &cfg, err, sizeof(err));
	if (rc != 0)
		printf("said: %s\n", err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(cfg.pki.expiry_warning_days, 30);
	CU_ASSERT_EQUAL(cfg.pki.crl_warning_hours, 12);
	CU_ASSERT_STRING_EQUAL(cfg.pki.identities[0].key_passphrase_file, "/etc/ipsecgw/k.pass");
	cfg_free(&cfg);

	snprintf(text, sizeof(text), "%spki = {\n expiry_warning_days = 0;\n crl_warning_hours = 48; };\n",
		 base);
	CU_ASSERT_EQUAL_FATAL(cfg_load_string(text, "t.conf", &cfg, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.pki.expiry_warning_days, 0);
	CU_ASSERT_EQUAL(cfg.pki.crl_warning_hours, 48);
	cfg_free(&cfg);

	snprintf(text, sizeof(text), "%spki = {\n expiry_warning_days = 4000; };\n", base);
	CU_ASSERT_NOT_EQUAL(cfg_load_string(text, "t.conf", &cfg, err, sizeof(err)), 0);
	printf("said: %s\n", err);
	CU_ASSERT(strncmp(err, "t.conf:3: ", 10) == 0);
	CU_ASSERT(strstr(err, "4000") != NULL);
	snprintf(text, sizeof(text), "%spki = {\n crl_warning_hours = -1; };\n", base);
	CU_ASSERT_NOT_EQUAL(cfg_load_string(text, "t.conf", &cfg, err, sizeof(err)), 0);
	printf("said: %s\n", err);
	CU_ASSERT(strncmp(err, "t.conf:3: ", 10) == 0);
}

static void test_encrypted_key(void)
{
	static struct cfg_pki cfg;
	struct cfg_identity *id = &cfg.identities[0];
	const struct pki_identity *ours;

	fx_cfg(&cfg, NULL, NULL);
	fx_key(id->key, sizeof(id->key), "gw-enc.key", fx.ee_key, "correct horse", 0600);
	/* encrypted, no passphrase file */
	log_start();
	CU_ASSERT_EQUAL(pki_tp_load(&cfg), -EINVAL);
	log_stop();
	CU_ASSERT_EQUAL(log_count("encrypted, set key_passphrase_file"), 1);
	/* the right passphrase, with a newline */
	fx_pass(id->key_passphrase_file, sizeof(id->key_passphrase_file), "correct horse\n", 0600);
	CU_ASSERT_EQUAL_FATAL(pki_tp_load(&cfg), 0);
	ours = pki_identity_get(0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ours);
	CU_ASSERT_EQUAL(EVP_PKEY_eq(ours->key, fx.ee_key), 1);
	pki_tp_unload();
	/* CRLF and no newline at all */
	fx_pass(id->key_passphrase_file, sizeof(id->key_passphrase_file), "correct horse\r\nx", 0400);
	CU_ASSERT_EQUAL(pki_tp_load(&cfg), 0);
	pki_tp_unload();
	fx_pass(id->key_passphrase_file, sizeof(id->key_passphrase_file), "correct horse", 0600);
	CU_ASSERT_EQUAL(pki_tp_load(&cfg), 0);
	pki_tp_unload();
	/* a wrong one */
	fx_pass(id->key_passphrase_file, sizeof(id->key_passphrase_file), "battery staple\n", 0600);
	log_start();
	CU_ASSERT_EQUAL(pki_tp_load(&cfg), -EINVAL);
	log_stop();
	CU_ASSERT_EQUAL(log_count("wrong passphrase?"), 1);
	CU_ASSERT_EQUAL(pki_identity_count(), 0);
	/* the right one, readable by the group, then by others: refused */
	fx_pass(id->key_passphrase_file, sizeof(id->key_passphrase_file), "correct horse\n", 0640);
	log_start();
	CU_ASSERT_EQUAL(pki_tp_load(&cfg), -EINVAL);
	fx_pass(id->key_passphrase_file, sizeof(id->key_passphrase_file), "correct horse\n", 0604);
	CU_ASSERT_EQUAL(pki_tp_load(&cfg), -EINVAL);
	log_stop();
	CU_ASSERT_EQUAL(log_count("group or others have access (mode 0640)"), 1);
	CU_ASSERT_EQUAL(log_count("group or others have access (mode 0604)"), 1);
	/* empty first line; missing file */
	fx_pass(id->key_passphrase_file, sizeof(id->key_passphrase_file), "\ncorrect horse\n", 0600);
	CU_ASSERT_EQUAL(pki_tp_load(&cfg), -EINVAL);
	snprintf(id->key_passphrase_file, sizeof(id->key_passphrase_file), "%s/none.pass", fx.dir);
	CU_ASSERT_EQUAL(pki_tp_load(&cfg), -EINVAL);
	/* a passphrase file with a plain key: loads, with a warning */
	fx_pass(id->key_passphrase_file, sizeof(id->key_passphrase_file), "correct horse\n", 0600);
	fx_key(id->key, sizeof(id->key), "gw.key", fx.ee_key, NULL, 0600);
	log_start();
	CU_ASSERT_EQUAL(pki_tp_load(&cfg), 0);
	log_stop();
	CU_ASSERT_EQUAL(log_count("not encrypted, key_passphrase_file"), 1);
	pki_tp_unload();
}

static void test_check(void)
{
	static struct cfg_pki cfg;

	/* the right key, readable by others: a warning, not an error */
	fx_cfg(&cfg, NULL, NULL);
	CU_ASSERT_EQUAL(chmod(cfg.identities[0].key, 0644), 0);
	log_start();
	CU_ASSERT_EQUAL(pki_check(&cfg), 0);
	log_stop();
	CU_ASSERT_EQUAL(log_count("readable by others (mode 0644)"), 1);
	CU_ASSERT_EQUAL(log_count("expires in 3 day(s)"), 1);
	CU_ASSERT_EQUAL(log_count("expires in 10 day(s)"), 1);
	CU_ASSERT_EQUAL(pki_identity_count(), 0);	/* unloaded again */
	CU_ASSERT_EQUAL(pki_tp_count(), 0);
	/* group-readable is fine (a service group) */
	CU_ASSERT_EQUAL(chmod(cfg.identities[0].key, 0640), 0);
	log_start();
	CU_ASSERT_EQUAL(pki_check(&cfg), 0);
	log_stop();
	CU_ASSERT_EQUAL(log_count("readable by others"), 0);
	/* a key that is not the certificate's */
	fx_cfg(&cfg, NULL, fx.other_key);
	log_start();
	CU_ASSERT_EQUAL(pki_check(&cfg), -EINVAL);
	log_stop();
	CU_ASSERT_EQUAL(log_count("does not match certificate"), 1);
	/* a CA file that is missing */
	fx_cfg(&cfg, NULL, NULL);
	snprintf(cfg.trustpoints[0].ca, sizeof(cfg.trustpoints[0].ca), "%s/none.crt", fx.dir);
	CU_ASSERT_EQUAL(pki_check(&cfg), -EINVAL);
}

static char J[8192];

static const char *tm_json(tm_handler_fn fn, const char *params)
{
	int n = tm_run_to_json(fn, params, J, sizeof(J));

	CU_ASSERT(n > 0);
	printf("%s -> %s\n", params != NULL ? params : "", J);
	return J;
}

static bool has(const char *s)
{
	return strstr(J, s) != NULL;
}

static void test_list_and_warnings(void)
{
	static struct cfg_pki cfg;
	struct pki_expiry_counts c;
	struct pki_cert_info ci;
	time_t now = time(NULL);

	fx_cfg(&cfg, NULL, NULL);
	pki_crl_set_now(now);
	log_start();
	CU_ASSERT_EQUAL_FATAL(pki_init(&cfg), 0);
	log_stop();
	/* at start: one warning per object */
	CU_ASSERT_EQUAL(log_count("certificate expiry: identity 1 certificate O=ipsecgw test, "
				  "CN=gw.example (serial 1234) expires in 3 day(s)"), 1);
	CU_ASSERT_EQUAL(log_count("certificate expiry: LIFE CA certificate O=ipsecgw test, "
				  "CN=Life Root CA (serial 01) expires in 10 day(s)"), 1);
	/* the list: identity first, then the CA */
	CU_ASSERT_EQUAL(pki_cert_count(), 2);
	CU_ASSERT_EQUAL_FATAL(pki_cert_get(1, &ci), 0);
	CU_ASSERT_FALSE(ci.ca);
	CU_ASSERT_STRING_EQUAL(ci.owner, "identity 1");
	CU_ASSERT_STRING_EQUAL(ci.trustpoint, "LIFE");
	CU_ASSERT_STRING_EQUAL(ci.subject, "O=ipsecgw test, CN=gw.example");
	CU_ASSERT_STRING_EQUAL(ci.issuer, "O=ipsecgw test, CN=Life Root CA");
	CU_ASSERT_STRING_EQUAL(ci.serial, "1234");
	CU_ASSERT_STRING_EQUAL(ci.key_type, "RSA-2048");
	CU_ASSERT_STRING_EQUAL(ci.file, cfg.identities[0].cert);
	CU_ASSERT_EQUAL(ci.not_after, pki_expiry_not_after(fx.ee));
	CU_ASSERT(ci.not_after - now >= 3 * DAY && ci.not_after - now <= 3 * DAY + HOUR);
	CU_ASSERT_EQUAL(ci.days_left, 3);
	CU_ASSERT_TRUE(ci.expiring);
	CU_ASSERT_EQUAL_FATAL(pki_cert_get(2, &ci), 0);
	CU_ASSERT_TRUE(ci.ca);
	CU_ASSERT_STRING_EQUAL(ci.owner, "LIFE");
	CU_ASSERT_EQUAL(ci.days_left, 10);
	CU_ASSERT_EQUAL(pki_cert_get(3, &ci), -ENOENT);
	CU_ASSERT_EQUAL(pki_cert_get(0, &ci), -ENOENT);

	/* counters; no CRL held yet */
	pki_expiry_counts(&c);
	CU_ASSERT_EQUAL(c.certs_expiring, 1);
	CU_ASSERT_EQUAL(c.cas_expiring, 1);
	CU_ASSERT_EQUAL(c.certs_expired, 0);
	CU_ASSERT_EQUAL(c.crls_next_update_near, 0);
	CU_ASSERT_EQUAL(c.warnings_logged, 2);
	/* a CRL whose nextUpdate is 6 hours away */
	{
		struct tpg_crl_spec s = { .issuer = fx.rsa.root, .issuer_key = fx.rsa.root_key,
					  .number = 1, .this_update = -HOUR,
					  .next_update = 6 * HOUR };
		struct pki_issuer_id iss;
		uint8_t *der = NULL;
		size_t len = 0;

		CU_ASSERT_EQUAL_FATAL(tpg_crl_bytes(&s, false, &der, &len), 0);
		CU_ASSERT_EQUAL(pki_crl_ingest(0, der, len, "http://192.0.2.10/life.crl", false,
					       &iss), PKI_CRL_NEW);
		free(der);
	}
	pki_expiry_counts(&c);
	CU_ASSERT_EQUAL(c.crls_next_update_near, 1);
	CU_ASSERT_EQUAL(c.crls_stale, 0);
	cfg.crl_warning_hours = 5;
	pki_expiry_counts(&c);
	CU_ASSERT_EQUAL(c.crls_next_update_near, 0);
	cfg.crl_warning_hours = 12;

	/* ticks within the day: no new warning */
	log_start();
	pki_tick(1000);
	pki_crl_set_now(now + DAY - 60);
	pki_tick(2000);
	log_stop();
	CU_ASSERT_EQUAL(log_count("expiry"), 0);
	/* a day later: each object once more, the CRL now past nextUpdate */
	pki_crl_set_now(now + DAY + 60);
	log_start();
	pki_tick(3000);
	pki_tick(4000);
	log_stop();
	CU_ASSERT_EQUAL(log_count("certificate expiry: identity 1"), 1);
	CU_ASSERT_EQUAL(log_count("expires in 2 day(s)"), 1);
	CU_ASSERT_EQUAL(log_count("certificate expiry: LIFE CA"), 1);
	CU_ASSERT_EQUAL(log_count("CRL of O=ipsecgw test, CN=Life Root CA is STALE"), 1);
	pki_expiry_counts(&c);
	CU_ASSERT_EQUAL(c.warnings_logged, 5);
	CU_ASSERT_EQUAL(c.crls_stale, 1);

	/* telemetry, as ipsecgw-cli gets it */
	tm_json(pki_tm_certificates, NULL);
	CU_ASSERT(has("\"count\":2"));
	tm_json(pki_tm_certificate, "1");
	CU_ASSERT(has("\"role\":\"identity\""));
	CU_ASSERT(has("\"serial\":\"1234\""));
	CU_ASSERT(has("\"days_left\":2"));
	CU_ASSERT(has("\"expiring\":1"));
	CU_ASSERT(has("\"trustpoint\":\"LIFE\""));
	tm_json(pki_tm_certificate, "2");
	CU_ASSERT(has("\"role\":\"ca\""));
	CU_ASSERT(has("\"days_left\":9"));
	tm_json(pki_tm_certificate, "3");
	CU_ASSERT(has("\"error\""));
	tm_json(pki_tm_expiry, NULL);
	CU_ASSERT(has("\"certs_expiring\":1"));
	CU_ASSERT(has("\"cas_expiring\":1"));
	CU_ASSERT(has("\"crls_next_update_near\":1"));
	CU_ASSERT(has("\"crls_stale\":1"));
	CU_ASSERT(has("\"warnings_logged\":5"));
	tm_json(pki_tm_expiry, "x");
	CU_ASSERT(has("\"error\""));

	/* 11 days on: both certificates have expired */
	pki_crl_set_now(now + 11 * DAY);
	pki_expiry_counts(&c);
	CU_ASSERT_EQUAL(c.certs_expired, 1);
	CU_ASSERT_EQUAL(c.cas_expired, 1);
	/* warnings off: nothing counted */
	cfg.expiry_warning_days = 0;
	cfg.crl_warning_hours = 0;
	pki_expiry_counts(&c);
	CU_ASSERT_EQUAL(c.certs_expiring + c.cas_expiring + c.crls_next_update_near, 0);
	pki_fini();
	pki_crl_set_now(0);
	CU_ASSERT_EQUAL(pki_cert_count(), 0);
}

static void test_far_from_expiry(void)
{
	static struct cfg_pki cfg;
	struct pki_expiry_counts c;

	fx_cfg(&cfg, fx.ee_far, NULL);
	cfg.expiry_warning_days = 5;		/* the CA's 10 days are outside too */
	cfg.crl_warning_hours = 5;		/* the cached CRL's ~6 hours too */
	log_start();
	CU_ASSERT_EQUAL_FATAL(pki_init(&cfg), 0);
	log_stop();
	CU_ASSERT_EQUAL(log_count("expiry"), 0);
	pki_expiry_counts(&c);
	CU_ASSERT_EQUAL(c.certs_expiring + c.cas_expiring, 0);
	CU_ASSERT_EQUAL(c.warnings_logged, 0);
	pki_fini();
}

int main(void)
{
	static const struct test_case tests[] = {
		{ "days left: floor, negative once past", test_days_left },
		{ "config: expiry knobs and passphrase file", test_cfg_knobs },
		{ "encrypted key: passphrase right, wrong, file mode", test_encrypted_key },
		{ "pki_check (--check): mismatch, modes, warnings", test_check },
		{ "certificate list, expiry warnings, telemetry", test_list_and_warnings },
		{ "no warning far from expiry", test_far_from_expiry },
	};
	if (test_suite("pki_lifecycle", suite_init, suite_clean, tests, ARRAY_LEN(tests)) != 0)
		return 1;
	return test_run();
}
