/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CRL benchmark: a CRL of 1,000,000 entries (16-octet random serials, a
 * reasonCode on each, RSA-2048 signature), built in code with
 * X509_CRL_add0_revoked in a loop (openssl ca -revoke is quadratic).
 * Prints the time to parse, verify and index it (target < 2 s), the
 * index's bytes per entry (target <= 64), the process's peak RSS, and the
 * lookup rate over 1,000,000 serials (half revoked, half not).
 *
 * The CRL is generated in a child process and handed over as a DER file,
 * so the peak RSS printed is the gateway's side only: OpenSSL's transient
 * X509_CRL (freed after indexing) plus our index.
 *
 *   meson test -C BUILD --benchmark crl_1m        (or run bench_crl [N])
 * Exit status: 0, or 1 when the index answers wrongly or the set-up fails.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "controlplane/pki/pki_crl.h"
#include "controlplane/pki/pki_internal.h"
#include "test/unit/test_pki_gen.h"

enum { SERIAL_LEN = 16, DEFAULT_N = 1000000 };

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Serial i: 16 pseudo-random octets, first octet in 0x01..0x7f (positive,
 * no leading zero), derived from i so the parent can rebuild them. */
static void bench_serial(uint64_t i, uint8_t out[SERIAL_LEN])
{
	uint64_t x = i * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL;
	int k;

	for (k = 0; k < SERIAL_LEN; k += 8) {
		x ^= x >> 31;
		x *= 0xbf58476d1ce4e5b9ULL;
		x ^= x >> 27;
		memcpy(out + k, &x, 8);
	}
	out[0] = (uint8_t)(1 + out[0] % 0x7f);
}

static int bench_add(X509_CRL *crl, uint64_t i, const ASN1_TIME *when)
{
	static const int reasons[] = { CRL_REASON_KEY_COMPROMISE, CRL_REASON_SUPERSEDED,
				       CRL_REASON_CESSATION_OF_OPERATION,
				       CRL_REASON_AFFILIATION_CHANGED };
	uint8_t sb[SERIAL_LEN];
	ASN1_INTEGER *serial = NULL;
	BIGNUM *bn;
	int rc = -1;

	bench_serial(i, sb);
	bn = BN_bin2bn(sb, SERIAL_LEN, NULL);
	if (bn != NULL)
		serial = BN_to_ASN1_INTEGER(bn, NULL);
	if (serial != NULL)
		rc = tpg_crl_add_entry(crl, serial, when, reasons[i % 4]);
	ASN1_INTEGER_free(serial);
	BN_free(bn);
	return rc;
}

/* In the child: build, sign and write the CRL as DER to path. */
static int bench_generate(const struct tpg_pki *p, size_t n, const char *path)
{
	struct tpg_crl_spec s = { .issuer = p->root, .issuer_key = p->root_key, .number = 1,
				  .this_update = -60, .next_update = 7 * 86400 };
	X509_CRL *crl = tpg_crl(&s);	/* extensions and dates; re-signed below */
	ASN1_TIME *when = ASN1_TIME_new();
	uint8_t *der = NULL;
	size_t len, i;
	int rc = -1;

	if (crl == NULL || when == NULL || !X509_gmtime_adj(when, -3600))
		goto out;
	for (i = 0; i < n; i++)
		if (bench_add(crl, i, when))
			goto out;
	if (!X509_CRL_sort(crl) || !X509_CRL_sign(crl, p->root_key, EVP_sha256()) ||
	    tpg_crl_encode(crl, false, &der, &len) || tpg_write_file(path, der, len))
		goto out;
	rc = 0;
out:
	free(der);
	ASN1_TIME_free(when);
	X509_CRL_free(crl);
	return rc;
}

static int bench_read(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long sz;
	int rc = -1;

	if (f == NULL)
		return -1;
	if (fseek(f, 0, SEEK_END) || (sz = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET))
		goto out;
	*out = malloc((size_t)sz);
	if (*out == NULL || fread(*out, 1, (size_t)sz, f) != (size_t)sz)
		goto out;
	*len = (size_t)sz;
	rc = 0;
out:
	fclose(f);
	return rc;
}

/* The whole ingest path (parse, verify, index; no cache write) timed. */
static int bench_ingest_once(const char *what, const uint8_t *der, size_t len, size_t n,
			     struct pki_issuer_id *issuer)
{
	enum pki_crl_verdict v;
	double t0, t;

	pki_crl_fini();
	pki_crl_init();
	t0 = now_s();
	v = pki_crl_ingest(0, der, len, "bench", true, issuer);
	t = now_s() - t0;
	if (v != PKI_CRL_NEW) {
		fprintf(stderr, "bench_crl: ingest: %s\n", pki_crl_verdict_str(v));
		return -1;
	}
	printf("parse + verify + index, %s: %.3f s for %zu entries (target < 2 s: %s)\n",
	       what, t, n, t < 2.0 ? "met" : "MISSED");
	return 0;
}

/* The stages one by one, for the breakdown. */
static int bench_stages(const uint8_t *der, size_t len)
{
	struct pki_crl_parsed p;
	struct pki_crl_index *ix = NULL;
	enum pki_crl_verdict v;
	double t0, t1, t2, t3;

	t0 = now_s();
	v = pki_crl_parse(der, len, len, &p);
	t1 = now_s();
	if (v == PKI_CRL_NEW)
		v = pki_crl_check(pki_tp_get(0), &p, time(NULL));
	t2 = now_s();
	if (v == PKI_CRL_NEW)
		ix = pki_crl_build_index(&p, &v);
	t3 = now_s();
	if (ix == NULL)
		fprintf(stderr, "bench_crl: %s: %s\n", pki_crl_verdict_str(v), p.why);
	else
		printf("stages:  parse %.3f s, verify %.3f s, index %.3f s (%zu entries)\n",
		       t1 - t0, t2 - t1, t3 - t2, pki_crl_index_count(ix));
	pki_crl_parsed_free(&p);
	pki_crl_index_free(ix);
	return ix ? 0 : -1;
}

/*
 * First on a fresh heap (a gateway loading its cache at start), then the
 * breakdown, then again on the heap the first runs left behind (a refresh
 * in a long-running gateway).
 */
static int bench_ingest(const uint8_t *der, size_t len, size_t n,
			struct pki_issuer_id *issuer)
{
	if (bench_ingest_once("fresh heap", der, len, n, issuer) || bench_stages(der, len))
		return -1;
	return bench_ingest_once("used heap", der, len, n, issuer);
}

/* 1,000,000 lookups: even i revoked (serial i/2 of the CRL), odd i not. */
static int bench_lookup(const struct pki_issuer_id *issuer, size_t n)
{
	enum { BATCH = 1000 };
	struct pki_serial s[BATCH];
	struct pki_revoked out[BATCH];
	size_t i, j, hits = 0, lookups = 1000000;
	double t0, t;
	int k;

	t0 = now_s();
	for (i = 0; i < lookups; i += BATCH) {
		for (j = 0; j < BATCH; j++) {
			size_t q = i + j;

			s[j].len = SERIAL_LEN;
			bench_serial(q % 2 ? n + q : (q / 2) % n, s[j].b);
		}
		k = pki_check_serials(issuer, s, BATCH, out);
		if (k < 0)
			return -1;
		hits += (size_t)k;
	}
	t = now_s() - t0;
	printf("lookups: %zu serials in %.3f s = %.1f Mlookups/s (pki_check_serials, "
	       "batches of %d), %zu revoked\n", lookups, t, (double)lookups / t / 1e6, BATCH,
	       hits);
	return hits == lookups / 2 ? 0 : -1;
}

static int bench_setup(struct tpg_pki *p, const char *dir, struct cfg_pki *cfg)
{
	struct cfg_trustpoint *t = &cfg->trustpoints[0];

	if (tpg_pki_make(p, TPG_RSA2048, "Bench", NULL))
		return -1;
	snprintf(t->name, sizeof(t->name), "BENCH");
	tpg_path(t->ca, sizeof(t->ca), dir, "ca.pem");
	t->crl_max_size = UINT32_MAX;
	t->hold_is_revoked = true;
	cfg->n_trustpoints = 1;
	if (tpg_write_certs(t->ca, &p->root, 1) || pki_tp_load(cfg) || pki_crl_init())
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	static struct cfg_pki cfg;
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : DEFAULT_N;
	struct pki_issuer_id issuer;
	struct tpg_pki p = { 0 };
	struct pki_crl_info info;
	struct rusage ru;
	char *dir = tpg_tmpdir("bench-crl"), path[512];
	uint8_t *der = NULL;
	size_t len = 0, bytes;
	double t0;
	pid_t pid;
	int st, rc = 1;

	if (dir == NULL || n == 0 || bench_setup(&p, dir, &cfg))
		goto out;
	tpg_path(path, sizeof(path), dir, "big.crl");
	t0 = now_s();
	pid = fork();
	if (pid == 0) {
		st = bench_generate(&p, n, path);
		pki_crl_fini();
		pki_tp_unload();
		tpg_pki_free(&p);
		free(dir);
		_exit(st ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0 ||
	    bench_read(path, &der, &len)) {
		fprintf(stderr, "bench_crl: generating the CRL failed\n");
		goto out;
	}
	printf("generated: %zu entries, %zu bytes DER, in %.1f s (child process)\n", n, len,
	       now_s() - t0);
	if (bench_ingest(der, len, n, &issuer))
		goto out;
	free(der);
	der = NULL;
	if (pki_crl_count() != 1 || pki_crl_get(1, &info) || info.entries != n)
		goto out;
	bytes = pki_crl_index_bytes_of(&issuer);
	printf("index:   %zu bytes = %.1f bytes/entry (target <= 64: %s)\n", bytes,
	       (double)bytes / (double)n, bytes <= 64 * n ? "met" : "MISSED");
	if (bench_lookup(&issuer, n)) {
		fprintf(stderr, "bench_crl: wrong lookup answers\n");
		goto out;
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("peak RSS: %.1f MB (getrusage; OpenSSL's X509_CRL while parsing, then our "
	       "index)\n", (double)ru.ru_maxrss / 1024.0);
	rc = bytes <= 64 * n ? 0 : 1;
out:
	free(der);
	pki_crl_fini();
	pki_tp_unload();
	tpg_pki_free(&p);
	if (dir != NULL) {
		tpg_rmdir(dir);
		free(dir);
	}
	return rc;
}
