/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PKI's part of a configuration reload (pki_reload.c) against a
 * running PKI (pki_init): the same files are a retarget; a CA file or an
 * identity rewritten in place with other certificates (same paths) is a
 * change, found by fingerprint; a certificate written again with the same
 * content is not; a file that does not load refuses the reload with
 * "FILE:LINE: ... does not load (why)" and leaves the running PKI as it
 * was; the identities are swapped without touching the trustpoints.
 * Certificates are made in code (test_pki_gen.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "cfg/cfg.h"
#include "controlplane/pki/pki_internal.h"
#include "test/unit/test_eal.h"
#include "test/unit/test_pki_gen.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static struct {
	char *dir;
	EVP_PKEY *ca_a_key, *ca_b_key, *gw_key, *gw_key2;
	X509 *ca_a, *ca_b, *gw, *gw2;	/* gw by ca_a with gw_key, gw2 with gw_key2 */
	char ca[CFG_PATH_MAX], crt[CFG_PATH_MAX], key[CFG_PATH_MAX];
} fx;

/* A configuration of the fixture's files: trustpoint CA1 on line 7, the
 * identity on line 9 of "x.conf". */
static void fx_cfg(struct cfg_pki *c)
{
	memset(c, 0, sizeof(*c));
	c->n_trustpoints = 1;
	snprintf(c->trustpoints[0].name, CFG_NAME_MAX, "CA1");
	snprintf(c->trustpoints[0].ca, CFG_PATH_MAX, "%s", fx.ca);
	snprintf(c->trustpoints[0].crl_cache_dir, CFG_PATH_MAX, "%s", fx.dir);
	c->trustpoints[0].revocation_check = CFG_REVOCATION_NONE;
	c->trustpoints[0].crl_refresh_interval = 3600;
	c->trustpoints[0].line = 7;
	c->n_identities = 1;
	snprintf(c->identities[0].cert, CFG_PATH_MAX, "%s", fx.crt);
	snprintf(c->identities[0].key, CFG_PATH_MAX, "%s", fx.key);
	c->identities[0].line = 9;
}

static void fx_write(X509 *ca, X509 *gw, EVP_PKEY *key)
{
	CU_ASSERT_EQUAL_FATAL(tpg_write_certs(fx.ca, &ca, 1), 0);
	CU_ASSERT_EQUAL_FATAL(tpg_write_certs(fx.crt, &gw, 1), 0);
	CU_ASSERT_EQUAL_FATAL(tpg_write_key(fx.key, key), 0);
}

static X509 *fx_ca(const char *cn, EVP_PKEY *key)
{
	struct tpg_cert_spec s = { .subject = cn, .serial = 1, .ca = true, .not_before = -3600 };

	return tpg_cert(&s, key, NULL, NULL);
}

static int suite_init(void)
{
	struct tpg_cert_spec ee = {
		.subject = "/O=ipsecgw test/CN=gw.example", .serial = 0x77, .not_before = -3600,
		.san = "DNS:gw.example",
	};

	fx.dir = tpg_tmpdir("pki-reload");
	fx.ca_a_key = tpg_key(TPG_EC_P256);
	fx.ca_b_key = tpg_key(TPG_EC_P256);
	fx.gw_key = tpg_key(TPG_EC_P256);
	fx.gw_key2 = tpg_key(TPG_EC_P256);
	if (fx.dir == NULL || fx.ca_a_key == NULL || fx.ca_b_key == NULL || fx.gw_key == NULL ||
	    fx.gw_key2 == NULL)
		return -1;
	fx.ca_a = fx_ca("/O=ipsecgw test/CN=Reload CA", fx.ca_a_key);
	fx.ca_b = fx_ca("/O=ipsecgw test/CN=Reload CA", fx.ca_b_key);	/* rolled over */
	fx.gw = tpg_cert(&ee, fx.gw_key, fx.ca_a, fx.ca_a_key);
	ee.serial = 0x78;
	fx.gw2 = tpg_cert(&ee, fx.gw_key2, fx.ca_a, fx.ca_a_key);
	tpg_path(fx.ca, sizeof(fx.ca), fx.dir, "ca.pem");
	tpg_path(fx.crt, sizeof(fx.crt), fx.dir, "gw.crt");
	tpg_path(fx.key, sizeof(fx.key), fx.dir, "gw.key");
	return fx.ca_a == NULL || fx.ca_b == NULL || fx.gw == NULL || fx.gw2 == NULL ? -1 : 0;
}

static int suite_fini(void)
{
	pki_fini();
	X509_free(fx.ca_a);
	X509_free(fx.ca_b);
	X509_free(fx.gw);
	X509_free(fx.gw2);
	EVP_PKEY_free(fx.ca_a_key);
	EVP_PKEY_free(fx.ca_b_key);
	EVP_PKEY_free(fx.gw_key);
	EVP_PKEY_free(fx.gw_key2);
	tpg_rmdir(fx.dir);
	free(fx.dir);
	return 0;
}

/* ---- the tests ---- */

static struct cfg_pki run_cfg, new_cfg;

/* A PKI up from the fixture's files (ca_a, gw). */
static void fx_up(void)
{
	pki_fini();
	fx_write(fx.ca_a, fx.gw, fx.gw_key);
	fx_cfg(&run_cfg);
	CU_ASSERT_EQUAL_FATAL(pki_init(&run_cfg), 0);
	CU_ASSERT_TRUE(pki_is_running());
}

static void test_same_files(void)
{
	struct pki_reload_plan plan;
	char err[CFG_ERR_MAX] = "";

	fx_up();
	fx_cfg(&new_cfg);
	CU_ASSERT_EQUAL(pki_reload_check(&new_cfg, "x.conf", &plan, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(plan.action, PKI_RELOAD_RETARGET);
	CU_ASSERT_EQUAL(plan.cas_changed, 0);
	CU_ASSERT_EQUAL(plan.ids_changed, 0);
	CU_ASSERT_TRUE(plan.on_before);
	CU_ASSERT_TRUE(plan.on_after);
	/* the certificate written again, with text before it: same content */
	{
		FILE *f = fopen(fx.crt, "w");

		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		fputs("subject=/O=ipsecgw test/CN=gw.example\n", f);
		PEM_write_X509(f, fx.gw);
		fclose(f);
	}
	CU_ASSERT_EQUAL(pki_reload_check(&new_cfg, "x.conf", &plan, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(plan.action, PKI_RELOAD_RETARGET);
	/* applied: the running trustpoint reads the new configuration */
	CU_ASSERT_EQUAL(pki_reload_apply(&new_cfg, &plan), 0);
	CU_ASSERT_PTR_EQUAL(pki_tp_get(0)->cfg, &new_cfg.trustpoints[0]);
}

static void test_ca_rewritten(void)
{
	struct pki_reload_plan plan;
	char err[CFG_ERR_MAX] = "";

	fx_up();
	CU_ASSERT_EQUAL_FATAL(tpg_write_certs(fx.ca, &fx.ca_b, 1), 0);	/* same path */
	fx_cfg(&new_cfg);
	CU_ASSERT_EQUAL(pki_reload_check(&new_cfg, "x.conf", &plan, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(plan.action, PKI_RELOAD_RESTART);
	CU_ASSERT_EQUAL(plan.cas_changed, 1);
	CU_ASSERT_EQUAL(plan.ids_changed, 0);
	/* a setting of the trustpoint alone: a restart too, no CA file changed */
	CU_ASSERT_EQUAL_FATAL(tpg_write_certs(fx.ca, &fx.ca_a, 1), 0);
	new_cfg.trustpoints[0].hold_is_revoked = !run_cfg.trustpoints[0].hold_is_revoked;
	CU_ASSERT_EQUAL(pki_reload_check(&new_cfg, "x.conf", &plan, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(plan.action, PKI_RELOAD_RESTART);
	CU_ASSERT_EQUAL(plan.cas_changed, 0);
	/* its line alone: not a change */
	fx_cfg(&new_cfg);
	new_cfg.trustpoints[0].line = 70;
	CU_ASSERT_EQUAL(pki_reload_check(&new_cfg, "x.conf", &plan, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(plan.action, PKI_RELOAD_RETARGET);
}

static void test_identity_rotated(void)
{
	const X509 *before;
	struct pki_reload_plan plan;
	char err[CFG_ERR_MAX] = "";

	fx_up();
	before = pki_tp_get(0) != NULL ? sk_X509_value(pki_tp_get(0)->cas, 0) : NULL;
	CU_ASSERT_EQUAL_FATAL(tpg_write_certs(fx.crt, &fx.gw2, 1), 0);	/* same paths */
	CU_ASSERT_EQUAL_FATAL(tpg_write_key(fx.key, fx.gw_key2), 0);
	fx_cfg(&new_cfg);
	CU_ASSERT_EQUAL(pki_reload_check(&new_cfg, "x.conf", &plan, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(plan.action, PKI_RELOAD_IDENTITIES);
	CU_ASSERT_EQUAL(plan.ids_changed, 1);
	CU_ASSERT_EQUAL(plan.cas_changed, 0);
	/* nothing swapped by the check */
	CU_ASSERT_EQUAL(EVP_PKEY_eq(pki_identity_get(0)->key, fx.gw_key), 1);
	CU_ASSERT_EQUAL(pki_reload_apply(&new_cfg, &plan), 0);
	CU_ASSERT_EQUAL(pki_identity_count(), 1);
	CU_ASSERT_EQUAL(EVP_PKEY_eq(pki_identity_get(0)->key, fx.gw_key2), 1);
	CU_ASSERT_EQUAL(X509_cmp(pki_identity_get(0)->cert, fx.gw2), 0);
	/* the trustpoint's CAs are the very same objects */
	CU_ASSERT_PTR_EQUAL(sk_X509_value(pki_tp_get(0)->cas, 0), before);
	/* an identity removed is a change too */
	new_cfg.n_identities = 0;
	CU_ASSERT_EQUAL(pki_reload_check(&new_cfg, "x.conf", &plan, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(plan.action, PKI_RELOAD_IDENTITIES);
	CU_ASSERT_EQUAL(plan.ids_changed, 1);
}

/* Files that do not load: the reload's error line, the PKI untouched. */
static void test_refused(void)
{
	static const char junk[] = "not a certificate\n";
	const struct pki_tp *tp;
	uint8_t fp[PKI_FP_LEN];
	struct pki_reload_plan plan;
	char err[CFG_ERR_MAX] = "", want[2 * CFG_ERR_MAX];

	fx_up();
	tp = pki_tp_get(0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tp);
	memcpy(fp, tp->fp, sizeof(fp));
	CU_ASSERT_EQUAL_FATAL(tpg_write_file(fx.ca, junk, strlen(junk)), 0);
	fx_cfg(&new_cfg);
	CU_ASSERT_EQUAL(pki_reload_check(&new_cfg, "x.conf", &plan, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "x.conf:7: trustpoint CA1 does not load (trustpoint CA1: CA "
		 "file %s: no PEM certificate in the file)", fx.ca);
	CU_ASSERT_STRING_EQUAL(err, want);
	CU_ASSERT_EQUAL(pki_tp_count(), 1);
	CU_ASSERT_EQUAL(memcmp(pki_tp_get(0)->fp, fp, sizeof(fp)), 0);
	CU_ASSERT_EQUAL(pki_identity_count(), 1);

	/* a key that is not the certificate's */
	CU_ASSERT_EQUAL_FATAL(tpg_write_certs(fx.ca, &fx.ca_a, 1), 0);
	CU_ASSERT_EQUAL_FATAL(tpg_write_key(fx.key, fx.gw_key2), 0);
	CU_ASSERT_EQUAL(pki_reload_check(&new_cfg, "x.conf", &plan, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "x.conf:9: identity does not load (identity key %s does not "
		 "match certificate %s", fx.key, fx.crt);
	CU_ASSERT_EQUAL(strncmp(err, want, strlen(want)), 0);
	printf("\n  %s\n", err);
	CU_ASSERT_EQUAL(EVP_PKEY_eq(pki_identity_get(0)->key, fx.gw_key), 1);

	/* a missing CA file */
	snprintf(new_cfg.trustpoints[0].ca, CFG_PATH_MAX, "%s/none.pem", fx.dir);
	CU_ASSERT_EQUAL(pki_reload_check(&new_cfg, "x.conf", &plan, err, sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(strncmp(err, "x.conf:7: trustpoint CA1 does not load (", 40), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot read"));
}

/* The PKI comes or goes. */
static void test_on_off(void)
{
	struct pki_reload_plan plan;
	char err[CFG_ERR_MAX] = "";

	fx_up();
	memset(&new_cfg, 0, sizeof(new_cfg));
	CU_ASSERT_EQUAL(pki_reload_check(&new_cfg, "x.conf", &plan, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(plan.action, PKI_RELOAD_RESTART);
	CU_ASSERT_TRUE(plan.on_before);
	CU_ASSERT_FALSE(plan.on_after);
	pki_fini();
	CU_ASSERT_FALSE(pki_is_running());
	CU_ASSERT_EQUAL(pki_reload_check(&new_cfg, "x.conf", &plan, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(plan.action, PKI_RELOAD_RETARGET);
	CU_ASSERT_EQUAL(pki_reload_apply(&new_cfg, &plan), 0);	/* nothing runs: nothing */
	fx_write(fx.ca_a, fx.gw, fx.gw_key);
	fx_cfg(&new_cfg);
	CU_ASSERT_EQUAL(pki_reload_check(&new_cfg, "x.conf", &plan, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(plan.action, PKI_RELOAD_RESTART);
	CU_ASSERT_FALSE(plan.on_before);
	CU_ASSERT_TRUE(plan.on_after);
}

int main(void)
{
	static const struct test_case tests[] = {
		{ "same files: retarget only", test_same_files },
		{ "CA file rewritten in place, trustpoint settings", test_ca_rewritten },
		{ "identity rotated in place: swapped, CAs untouched", test_identity_rotated },
		{ "files that do not load: FILE:LINE, PKI untouched", test_refused },
		{ "PKI added or removed", test_on_off },
	};

	if (test_suite("pki_reload", suite_init, suite_fini, tests, ARRAY_LEN(tests)) != 0)
		return 1;
	return test_run();
}
