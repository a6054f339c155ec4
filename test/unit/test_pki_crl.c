/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The CRL service core: parse, verification before acceptance, numbering,
 * change detection and events, our serial index, deltas and holds, scopes,
 * the answers for IKE and the verifier, the on-disk cache.
 *
 * The PKI is built in set-up with OpenSSL (test_pki_gen): an RSA and an
 * ECDSA hierarchy (root + intermediate), a foreign CA, a CA under the RSA
 * root's name but with another key, and a CA without cRLSign.  Trustpoints
 * are loaded through pki_tp_load from PEM files.  Every test starts from
 * an empty store and empty cache directories.  No EAL needed.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <openssl/x509v3.h>

#include "controlplane/pki/pki_crl.h"
#include "controlplane/pki/pki_crl_index.h"
#include "controlplane/pki/pki_internal.h"
#include "test/unit/test_pki_gen.h"
#include "test/unit/test_eal.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

enum { TP_RSA, TP_EC, TP_NOSIGN, N_TP };
enum { MAX_SIZE = 32768 };

static struct tpg_pki rsa, ec;
static EVP_PKEY *other_key, *nosign_key;
static X509 *other_ca, *twin_ca, *nosign_ca;	/* foreign, same-name-other-key, no cRLSign */
static char *tmpdir;
static char cache_dir[N_TP][256];
static struct cfg_pki cfg;			/* pki_tp keeps pointers into it */
static struct pki_issuer_id id_rsa_root, id_rsa_inter, id_ec_inter;

/* ---- events ---- */

static unsigned ev_count;
static struct pki_issuer_id ev_issuer;
static char ev_issuer_str[PKI_ISSUER_STR], ev_tp[CFG_NAME_MAX];

static void on_crl_updated(void *arg, const struct pki_crl_event *ev)
{
	CU_ASSERT_PTR_EQUAL(arg, &ev_count);
	CU_ASSERT_NOT_EQUAL(ev->accepted_ns, 0);
	CU_ASSERT_NOT_EQUAL(ev->crl_number[0], '\0');
	ev_count++;
	ev_issuer = ev->issuer;
	snprintf(ev_issuer_str, sizeof(ev_issuer_str), "%s", ev->issuer_str);
	snprintf(ev_tp, sizeof(ev_tp), "%s", ev->trustpoint);
}

/* ---- helpers ---- */

static struct pki_serial ser(uint64_t v)
{
	struct pki_serial s = { 0 };
	int i;

	for (i = 7; i >= 0; i--)
		if (s.len || (uint8_t)(v >> (8 * i)) || i == 0)
			s.b[s.len++] = (uint8_t)(v >> (8 * i));
	if (v == 0)
		s.len = 0;
	return s;
}

/* An empty store, no events, empty caches, the real clock. */
static void fresh(void)
{
	unsigned i;

	pki_crl_set_now(0);
	pki_crl_fini();
	CU_ASSERT_EQUAL(pki_crl_init(), 0);
	for (i = 0; i < N_TP; i++)
		CU_ASSERT_EQUAL(tpg_rmdir(cache_dir[i]), 0);
	ev_count = 0;
}

static struct tpg_crl_spec spec(struct tpg_pki *p, bool inter, uint64_t number,
				const struct tpg_revoked *rev, size_t n)
{
	return (struct tpg_crl_spec){
		.issuer = inter ? p->inter : p->root,
		.issuer_key = inter ? p->inter_key : p->root_key,
		.number = number, .this_update = -60, .next_update = 3600,
		.revoked = rev, .n_revoked = n,
	};
}

static enum pki_crl_verdict ingest_bytes(unsigned tp, const uint8_t *b, size_t n,
					 struct pki_issuer_id *issuer)
{
	return pki_crl_ingest(tp, b, n, "http://192.0.2.10/test.crl", false, issuer);
}

static enum pki_crl_verdict ingest(unsigned tp, const struct tpg_crl_spec *s, bool pem)
{
	enum pki_crl_verdict v;
	uint8_t *b;
	size_t n;

	if (tpg_crl_bytes(s, pem, &b, &n)) {
		CU_FAIL("CRL generation");
		return PKI_CRL_VERDICT_MAX;
	}
	v = ingest_bytes(tp, b, n, NULL);
	free(b);
	return v;
}

static enum pki_rev_status status(const struct pki_issuer_id *id, uint64_t serial,
				  uint8_t *reason)
{
	struct pki_serial s = ser(serial);

	return pki_crl_status(id, &s, reason);
}

static uint64_t total(enum pki_crl_verdict v)
{
	uint64_t t[PKI_CRL_VERDICT_MAX];

	pki_crl_counts(t);
	return t[v];
}

static bool file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static void cache_path(char *buf, size_t len, unsigned tp, const struct pki_issuer_id *id,
		       const char *sfx)
{
	int n = snprintf(buf, len, "%s/", cache_dir[tp]);

	for (size_t i = 0; i < sizeof(id->h); i++)
		n += snprintf(buf + n, len - (size_t)n, "%02x", id->h[i]);
	snprintf(buf + n, len - (size_t)n, "%s.crl", sfx);
}

/* ---- the index ---- */

static void test_index(void)
{
	enum { N = 100000 };
	struct pki_crl_index *ix = pki_crl_index_new(N);
	struct pki_serial s, big = { .len = PKI_SERIAL_MAX }, zero = { .len = 0 };
	uint8_t r = 0xee;
	size_t i, found = 0;

	CU_ASSERT_FATAL(ix != NULL);
	CU_ASSERT_EQUAL(pki_crl_index_find(ix, &zero, &r), 0);	/* empty */
	for (i = 0; i < PKI_SERIAL_MAX; i++)
		big.b[i] = (uint8_t)(0x80 + i);
	CU_ASSERT_EQUAL(pki_crl_index_add(ix, &big, 1), 0);
	CU_ASSERT_EQUAL(pki_crl_index_add(ix, &zero, 6), 0);
	CU_ASSERT_EQUAL(pki_crl_index_add(ix, &big, 9), 0);	/* duplicate: kept first */
	for (i = 1; i <= N - 2; i++) {
		s = ser(i);
		CU_ASSERT_EQUAL(pki_crl_index_add(ix, &s, (uint8_t)(i % 11)), 0);
	}
	CU_ASSERT_EQUAL(pki_crl_index_count(ix), N);
	s = ser(N + 5);
	CU_ASSERT_EQUAL(pki_crl_index_add(ix, &s, 0), -ENOSPC);
	CU_ASSERT_EQUAL(pki_crl_index_find(ix, &big, &r), 1);
	CU_ASSERT_EQUAL(r, 1);
	CU_ASSERT_EQUAL(pki_crl_index_find(ix, &zero, &r), 1);
	CU_ASSERT_EQUAL(r, 6);
	for (i = 1; i <= N - 2; i++) {
		s = ser(i);
		if (pki_crl_index_find(ix, &s, &r) && r == i % 11)
			found++;
	}
	CU_ASSERT_EQUAL(found, N - 2);
	for (i = N; i < 3 * N; i++) {		/* never added: never found */
		s = ser(i);
		CU_ASSERT_EQUAL_FATAL(pki_crl_index_find(ix, &s, NULL), 0);
	}
	big.b[PKI_SERIAL_MAX - 1] ^= 1;		/* differs in the last octet */
	CU_ASSERT_EQUAL(pki_crl_index_find(ix, &big, NULL), 0);
	big.len--;				/* a prefix is another serial */
	big.b[PKI_SERIAL_MAX - 1] ^= 1;
	CU_ASSERT_EQUAL(pki_crl_index_find(ix, &big, NULL), 0);
	CU_ASSERT(pki_crl_index_bytes(ix) <= 64u * N);
	CU_ASSERT(pki_crl_index_bytes(ix) >= 24u * N);
	pki_crl_index_free(ix);
	CU_ASSERT_EQUAL(pki_crl_index_find(NULL, &zero, NULL), 0);
}

/* ---- ids and serials ---- */

static X509 *ca_named(const char *subject, EVP_PKEY *key)
{
	struct tpg_cert_spec s = { .subject = subject, .serial = 9, .ca = true,
				   .not_before = -60 };

	return tpg_cert(&s, key, NULL, NULL);
}

static void test_ids(void)
{
	struct pki_issuer_id a, b, c;
	X509 *x1 = ca_named("/O=Example Org/CN=Some  CA", other_key);
	X509 *x2 = ca_named("/O=example org/CN= some ca ", other_key);
	X509 *x3 = ca_named("/O=Example Org/CN=Some CA", nosign_key);
	ASN1_INTEGER *ai = ASN1_INTEGER_new();
	struct pki_serial s;
	uint8_t big[21] = { 0x01 };
	char buf[PKI_ISSUER_STR];

	CU_ASSERT_FATAL(x1 && x2 && x3 && ai);
	/* Case and white space do not matter; the key does. */
	CU_ASSERT_EQUAL(pki_id_of_ca_subject(x1, &a), 0);
	CU_ASSERT_EQUAL(pki_id_of_ca_subject(x2, &b), 0);
	CU_ASSERT_EQUAL(pki_id_of_ca_subject(x3, &c), 0);
	CU_ASSERT_EQUAL(memcmp(&a, &b, sizeof(a)), 0);
	CU_ASSERT(memcmp(&a, &c, sizeof(a)) != 0);
	/* The intermediate is known under the root's id as a subject of it. */
	CU_ASSERT_EQUAL(pki_id_of_cert_issuer(rsa.inter, &a), 0);
	CU_ASSERT_EQUAL(memcmp(&a, &id_rsa_root, sizeof(a)), 0);
	CU_ASSERT(memcmp(&id_rsa_root, &id_rsa_inter, sizeof(a)) != 0);
	pki_issuer_str(X509_get_subject_name(rsa.inter), buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "O=ipsecgw test, CN=RSA Inter CA");
	pki_issuer_str(X509_get_subject_name(rsa.inter), buf, 12);
	CU_ASSERT_STRING_EQUAL(buf, "O=ipsecg...");

	/* Serials: leading zeros go, negative and over 20 octets do not fit. */
	CU_ASSERT_FATAL(ASN1_INTEGER_set_uint64(ai, 0x80));
	CU_ASSERT_EQUAL(pki_serial_from_asn1(ai, &s), 0);
	CU_ASSERT(s.len == 1 && s.b[0] == 0x80);
	CU_ASSERT_FATAL(ASN1_INTEGER_set_int64(ai, -5));
	CU_ASSERT_EQUAL(pki_serial_from_asn1(ai, &s), -ERANGE);
	CU_ASSERT_FATAL(ASN1_STRING_set(ai, big, sizeof(big)));
	ai->type = V_ASN1_INTEGER;
	CU_ASSERT_EQUAL(pki_serial_from_asn1(ai, &s), -ERANGE);
	CU_ASSERT_FATAL(ASN1_STRING_set(ai, big, 20));
	CU_ASSERT_EQUAL(pki_serial_from_asn1(ai, &s), 0);
	CU_ASSERT_EQUAL(s.len, 20);
	ASN1_INTEGER_free(ai);
	X509_free(x1);
	X509_free(x2);
	X509_free(x3);
}

/* ---- acceptance and change detection ---- */

static void test_good_crl(void)
{
	struct tpg_revoked rev[] = { { 100, CRL_REASON_KEY_COMPROMISE }, { 101, -1 } };
	struct tpg_crl_spec s = spec(&rsa, true, 1, rev, ARRAY_LEN(rev));
	struct pki_issuer_id got;
	struct pki_crl_info info;
	char path[512];
	uint8_t reason = 0xee, *der;
	size_t len;

	fresh();
	CU_ASSERT_EQUAL(status(&id_rsa_inter, 100, &reason), PKI_REV_NO_CRL);
	CU_ASSERT_FATAL(tpg_crl_bytes(&s, false, &der, &len) == 0);
	memset(&got, 0, sizeof(got));
	CU_ASSERT_EQUAL(ingest_bytes(TP_RSA, der, len, &got), PKI_CRL_NEW);
	CU_ASSERT_EQUAL(memcmp(&got, &id_rsa_inter, sizeof(got)), 0);
	CU_ASSERT_EQUAL(status(&id_rsa_inter, 100, &reason), PKI_REV_REVOKED);
	CU_ASSERT_EQUAL(reason, CRL_REASON_KEY_COMPROMISE);
	CU_ASSERT_EQUAL(status(&id_rsa_inter, 101, &reason), PKI_REV_REVOKED);
	CU_ASSERT_EQUAL(reason, 0);
	CU_ASSERT_EQUAL(status(&id_rsa_inter, 102, NULL), PKI_REV_GOOD);
	CU_ASSERT_EQUAL(status(&id_rsa_root, 100, NULL), PKI_REV_NO_CRL);
	/* One event naming the issuer and the trustpoint. */
	CU_ASSERT_EQUAL(ev_count, 1);
	CU_ASSERT_EQUAL(memcmp(&ev_issuer, &id_rsa_inter, sizeof(ev_issuer)), 0);
	CU_ASSERT_STRING_EQUAL(ev_issuer_str, "O=ipsecgw test, CN=RSA Inter CA");
	CU_ASSERT_STRING_EQUAL(ev_tp, "LAB-RSA");
	/* Enumeration and cache. */
	CU_ASSERT_EQUAL(pki_crl_count(), 1);
	CU_ASSERT_EQUAL(pki_crl_get(1, &info), 0);
	CU_ASSERT_EQUAL(info.id, 1);
	CU_ASSERT_STRING_EQUAL(info.trustpoint, "LAB-RSA");
	CU_ASSERT_STRING_EQUAL(info.crl_number, "01");
	CU_ASSERT_STRING_EQUAL(info.delta_number, "");
	CU_ASSERT_EQUAL(info.entries, 2);
	CU_ASSERT_EQUAL(info.downloads, 1);
	CU_ASSERT_STRING_EQUAL(info.source, "http://192.0.2.10/test.crl");
	CU_ASSERT_STRING_EQUAL(info.last_result, pki_crl_verdict_str(PKI_CRL_NEW));
	CU_ASSERT(info.next_update > info.this_update);
	CU_ASSERT(pki_crl_next_update(TP_RSA, &id_rsa_inter) == info.next_update);
	CU_ASSERT_EQUAL(pki_crl_get(0, &info), -ENOENT);
	CU_ASSERT_EQUAL(pki_crl_get(2, &info), -ENOENT);
	cache_path(path, sizeof(path), TP_RSA, &id_rsa_inter, "");
	CU_ASSERT(file_exists(path));
	free(der);
}

static void test_unchanged(void)
{
	struct tpg_revoked rev[] = { { 100, CRL_REASON_KEY_COMPROMISE } };
	struct tpg_crl_spec s = spec(&rsa, true, 1, rev, ARRAY_LEN(rev));
	X509_CRL *crl = tpg_crl(&s);
	struct pki_crl_info info;
	uint8_t *der, *pem;
	size_t dlen, plen;

	fresh();
	CU_ASSERT_FATAL(crl != NULL);
	CU_ASSERT_FATAL(tpg_crl_encode(crl, false, &der, &dlen) == 0);
	CU_ASSERT_FATAL(tpg_crl_encode(crl, true, &pem, &plen) == 0);
	CU_ASSERT_EQUAL(ingest_bytes(TP_RSA, pem, plen, NULL), PKI_CRL_NEW);	/* PEM */
	CU_ASSERT_EQUAL(ev_count, 1);
	CU_ASSERT_EQUAL(ingest_bytes(TP_RSA, der, dlen, NULL), PKI_CRL_UNCHANGED);
	CU_ASSERT_EQUAL(ingest_bytes(TP_RSA, pem, plen, NULL), PKI_CRL_UNCHANGED);
	CU_ASSERT_EQUAL(ev_count, 1);
	CU_ASSERT_EQUAL(pki_crl_get(1, &info), 0);
	CU_ASSERT_EQUAL(info.downloads, 3);
	CU_ASSERT_EQUAL(info.unchanged, 2);
	CU_ASSERT_EQUAL(info.rejected, 0);
	CU_ASSERT_STRING_EQUAL(info.last_result, pki_crl_verdict_str(PKI_CRL_UNCHANGED));
	X509_CRL_free(crl);
	free(der);
	free(pem);
}

/* A new CRL with two more serials: one event; IKE's live serials are
 * checked against the full revoked set. */
static void test_two_more(void)
{
	struct tpg_revoked r1[] = { { 100, CRL_REASON_KEY_COMPROMISE }, { 101, -1 } };
	struct tpg_revoked r2[] = { { 100, CRL_REASON_KEY_COMPROMISE }, { 101, -1 },
				    { 102, CRL_REASON_SUPERSEDED }, { 103, CRL_REASON_KEY_COMPROMISE } };
	struct tpg_crl_spec s1 = spec(&rsa, true, 1, r1, ARRAY_LEN(r1));
	struct tpg_crl_spec s2 = spec(&rsa, true, 2, r2, ARRAY_LEN(r2));
	struct pki_serial live[] = { ser(99), ser(102), ser(104), ser(103) };
	struct pki_serial all[] = { ser(100), ser(101), ser(102), ser(103), ser(104) };
	struct pki_revoked out[5];

	fresh();
	CU_ASSERT_EQUAL(pki_check_serials(&id_rsa_inter, live, 4, out), -ENOENT);
	CU_ASSERT_EQUAL(ingest(TP_RSA, &s1, false), PKI_CRL_NEW);
	CU_ASSERT_EQUAL(pki_check_serials(&id_rsa_inter, live, 4, out), 0);
	ev_count = 0;
	CU_ASSERT_EQUAL(ingest(TP_RSA, &s2, false), PKI_CRL_NEW);
	CU_ASSERT_EQUAL(ev_count, 1);
	CU_ASSERT_EQUAL(memcmp(&ev_issuer, &id_rsa_inter, sizeof(ev_issuer)), 0);
	CU_ASSERT_EQUAL_FATAL(pki_check_serials(&id_rsa_inter, live, 4, out), 2);
	CU_ASSERT(out[0].idx == 1 && out[0].reason == CRL_REASON_SUPERSEDED);
	CU_ASSERT(out[1].idx == 3 && out[1].reason == CRL_REASON_KEY_COMPROMISE);
	/* The full set, not only what is new in this CRL. */
	CU_ASSERT_EQUAL_FATAL(pki_check_serials(&id_rsa_inter, all, 5, out), 4);
	CU_ASSERT(out[0].idx == 0 && out[1].idx == 1 && out[2].idx == 2 && out[3].idx == 3);
	CU_ASSERT_EQUAL(pki_check_serials(&id_rsa_root, all, 5, out), -ENOENT);
}

/* ---- rejections: each with its own verdict, the old CRL kept ---- */

struct reject_case {
	const char *name;
	enum pki_crl_verdict want;
	unsigned tp;
	/* fills bytes; returns 0 */
	int (*make)(uint8_t **b, size_t *n);
};

static const struct tpg_revoked held_rev[] = { { 100, CRL_REASON_KEY_COMPROMISE },
					       { 101, -1 } };
static const struct tpg_revoked new_rev[] = { { 100, CRL_REASON_KEY_COMPROMISE },
					      { 101, -1 }, { 105, CRL_REASON_KEY_COMPROMISE } };

static int mk(struct tpg_crl_spec s, uint8_t **b, size_t *n)
{
	return tpg_crl_bytes(&s, false, b, n);
}

static struct tpg_crl_spec next3(void)
{
	return spec(&rsa, true, 3, new_rev, ARRAY_LEN(new_rev));
}

static int mk_bad_sig(uint8_t **b, size_t *n)
{
	int rc = mk(next3(), b, n);

	(*b)[*n - 5] ^= 0x40;		/* inside the signature value */
	return rc;
}

/* Serial 105 (INTEGER 02 01 69) becomes 106 under the old signature. */
static int mk_bad_tbs(uint8_t **b, size_t *n)
{
	int rc = mk(next3(), b, n);

	for (size_t i = 0; rc == 0 && i + 2 < *n; i++)
		if ((*b)[i] == 0x02 && (*b)[i + 1] == 0x01 && (*b)[i + 2] == 105) {
			(*b)[i + 2] = 106;
			return 0;
		}
	return -1;
}

static int mk_other_ca(uint8_t **b, size_t *n)
{
	struct tpg_crl_spec s = next3();

	s.issuer = other_ca;
	s.issuer_key = other_key;
	return mk(s, b, n);
}

/* The RSA inter's name and AKID, another key: only the signature tells. */
static int mk_other_key(uint8_t **b, size_t *n)
{
	struct tpg_crl_spec s = next3();

	s.issuer_key = other_key;
	return mk(s, b, n);
}

/* The twin CA: same name as the RSA root, other key and SKID. */
static int mk_twin(uint8_t **b, size_t *n)
{
	struct tpg_crl_spec s = next3();

	s.issuer = twin_ca;
	s.issuer_key = other_key;
	return mk(s, b, n);
}

static int mk_expired(uint8_t **b, size_t *n)
{
	struct tpg_crl_spec s = next3();

	s.this_update = -7200;
	s.next_update = -60;
	return mk(s, b, n);
}

static int mk_future(uint8_t **b, size_t *n)
{
	struct tpg_crl_spec s = next3();

	s.this_update = PKI_CLOCK_SKEW_S + 60;
	s.next_update = 7200;
	return mk(s, b, n);
}

static int mk_lower(uint8_t **b, size_t *n)
{
	return mk(spec(&rsa, true, 1, held_rev, ARRAY_LEN(held_rev)), b, n);
}

static int mk_reused(uint8_t **b, size_t *n)
{
	return mk(spec(&rsa, true, 2, new_rev, ARRAY_LEN(new_rev)), b, n);
}

static int mk_no_number(uint8_t **b, size_t *n)
{
	struct tpg_crl_spec s = next3();

	s.no_number = true;
	return mk(s, b, n);
}

static int mk_truncated(uint8_t **b, size_t *n)
{
	int rc = mk(next3(), b, n);

	*n /= 2;
	return rc;
}

static int mk_trailing(uint8_t **b, size_t *n)
{
	int rc = mk(next3(), b, n);
	uint8_t *g = realloc(*b, *n + 4);

	if (g == NULL)
		return -1;
	memcpy(g + *n, "\x05\x00\x05\x00", 4);
	*b = g;
	*n += 4;
	return rc;
}

static int mk_garbage(uint8_t **b, size_t *n)
{
	static const char junk[] = "<html><body>404 Not Found</body></html>\n";

	*b = malloc(sizeof(junk));
	memcpy(*b, junk, sizeof(junk));
	*n = sizeof(junk) - 1;
	return 0;
}

static int mk_garbage_seq(uint8_t **b, size_t *n)
{
	static const uint8_t junk[] = { 0x30, 0x82, 0x01, 0x00, 0x02, 0x01, 0x00, 0x31, 0x00 };

	*b = malloc(sizeof(junk));
	memcpy(*b, junk, sizeof(junk));
	*n = sizeof(junk);
	return 0;
}

static int mk_empty(uint8_t **b, size_t *n)
{
	*b = malloc(1);
	*n = 0;
	return 0;
}

static int mk_critical(uint8_t **b, size_t *n)
{
	struct tpg_crl_spec s = next3();

	s.unknown_critical = true;
	return mk(s, b, n);
}

static int mk_too_big(uint8_t **b, size_t *n)
{
	enum { N = 2000 };
	struct tpg_revoked *r = calloc(N, sizeof(*r));
	struct tpg_crl_spec s = next3();
	int rc;

	for (size_t i = 0; i < N; i++)
		r[i] = (struct tpg_revoked){ 1000 + i, CRL_REASON_KEY_COMPROMISE };
	s.revoked = r;
	s.n_revoked = N;
	rc = mk(s, b, n);
	free(r);
	return rc;
}

static int mk_idp(enum tpg_idp idp, uint8_t **b, size_t *n)
{
	struct tpg_crl_spec s = next3();

	s.idp = idp;
	s.idp_url = "http://192.0.2.10/inter.crl";
	return mk(s, b, n);
}

static int mk_idp_attr(uint8_t **b, size_t *n) { return mk_idp(TPG_IDP_ATTR_CERTS, b, n); }
static int mk_idp_indirect(uint8_t **b, size_t *n) { return mk_idp(TPG_IDP_INDIRECT, b, n); }
static int mk_idp_reasons(uint8_t **b, size_t *n) { return mk_idp(TPG_IDP_SOME_REASONS, b, n); }

static int mk_delta_no_base(uint8_t **b, size_t *n)
{
	struct tpg_crl_spec s = next3();

	s.number = 9;
	s.delta = true;
	s.base_number = 5;		/* we hold 2 */
	return mk(s, b, n);
}

/* The CA of that trustpoint lacks cRLSign. */
static int mk_nosign(uint8_t **b, size_t *n)
{
	struct tpg_crl_spec s = next3();

	s.issuer = nosign_ca;
	s.issuer_key = nosign_key;
	return mk(s, b, n);
}

static void test_rejections(void)
{
	static const struct reject_case cases[] = {
		{ "bad signature", PKI_CRL_SIGNATURE, TP_RSA, mk_bad_sig },
		{ "signed content altered", PKI_CRL_SIGNATURE, TP_RSA, mk_bad_tbs },
		{ "another CA", PKI_CRL_ISSUER_UNKNOWN, TP_RSA, mk_other_ca },
		{ "right name, other key", PKI_CRL_SIGNATURE, TP_RSA, mk_other_key },
		{ "root's name, other key id", PKI_CRL_ISSUER_UNKNOWN, TP_RSA, mk_twin },
		{ "another trustpoint's CA", PKI_CRL_ISSUER_UNKNOWN, TP_EC, mk_lower },
		{ "expired", PKI_CRL_EXPIRED, TP_RSA, mk_expired },
		{ "thisUpdate too far ahead", PKI_CRL_FUTURE, TP_RSA, mk_future },
		{ "lower number", PKI_CRL_NUMBER_LOWER, TP_RSA, mk_lower },
		{ "same number, other bytes", PKI_CRL_NUMBER_REUSED, TP_RSA, mk_reused },
		{ "no number", PKI_CRL_NO_NUMBER, TP_RSA, mk_no_number },
		{ "truncated body", PKI_CRL_PARSE, TP_RSA, mk_truncated },
		{ "trailing bytes", PKI_CRL_PARSE, TP_RSA, mk_trailing },
		{ "garbage", PKI_CRL_PARSE, TP_RSA, mk_garbage },
		{ "garbage SEQUENCE", PKI_CRL_PARSE, TP_RSA, mk_garbage_seq },
		{ "empty", PKI_CRL_PARSE, TP_RSA, mk_empty },
		{ "unknown critical extension", PKI_CRL_CRITICAL_EXT, TP_RSA, mk_critical },
		{ "over crl_max_size", PKI_CRL_TOO_BIG, TP_RSA, mk_too_big },
		{ "IDP attribute certs", PKI_CRL_IDP_SCOPE, TP_RSA, mk_idp_attr },
		{ "IDP indirect", PKI_CRL_IDP_SCOPE, TP_RSA, mk_idp_indirect },
		{ "IDP some reasons", PKI_CRL_IDP_SCOPE, TP_RSA, mk_idp_reasons },
		{ "delta without its base", PKI_CRL_DELTA_BASE, TP_RSA, mk_delta_no_base },
		{ "CA without cRLSign", PKI_CRL_NOT_CRLSIGN, TP_NOSIGN, mk_nosign },
	};
	struct tpg_crl_spec held = spec(&rsa, true, 2, held_rev, ARRAY_LEN(held_rev));
	struct pki_crl_info info;
	uint64_t before;
	uint8_t *b, reason;
	size_t n, i;

	fresh();
	CU_ASSERT_EQUAL_FATAL(ingest(TP_RSA, &held, false), PKI_CRL_NEW);
	ev_count = 0;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		const struct reject_case *c = &cases[i];
		enum pki_crl_verdict v;

		before = total(c->want);
		CU_ASSERT_FATAL(c->make(&b, &n) == 0);
		v = ingest_bytes(c->tp, b, n, NULL);
		free(b);
		if (v != c->want)
			fprintf(stderr, "\n  case \"%s\": got \"%s\", want \"%s\"\n", c->name,
				pki_crl_verdict_str(v), pki_crl_verdict_str(c->want));
		CU_ASSERT_EQUAL(v, c->want);
		CU_ASSERT_EQUAL(total(c->want), before + 1);
		/* Nothing changed: number 2 in force, 105 not revoked, no event. */
		CU_ASSERT_EQUAL(pki_crl_get(1, &info), 0);
		CU_ASSERT_STRING_EQUAL(info.crl_number, "02");
		CU_ASSERT_EQUAL(status(&id_rsa_inter, 100, &reason), PKI_REV_REVOKED);
		CU_ASSERT_EQUAL(status(&id_rsa_inter, 105, NULL), PKI_REV_GOOD);
		CU_ASSERT_EQUAL(ev_count, 0);
	}
	/* Foreign issuers get no entry; the CA without cRLSign is ours; the
	 * EC trustpoint's URL, which brought it no CRL, has an anonymous one. */
	CU_ASSERT_EQUAL(pki_crl_count(), 3);
	CU_ASSERT_EQUAL(pki_crl_get(1, &info), 0);
	/* Charged by source URL when the body names no issuer of ours; the
	 * EC trustpoint's and the NOSIGN case are not this issuer's. */
	CU_ASSERT_EQUAL(info.rejected, ARRAY_LEN(cases) - 2);
	CU_ASSERT_EQUAL(pki_crl_get(2, &info), 0);
	CU_ASSERT_STRING_EQUAL(info.trustpoint, "LAB-EC");
	CU_ASSERT_STRING_EQUAL(info.issuer, "(no CRL yet)");
	CU_ASSERT_STRING_EQUAL(info.crl_number, "");
	CU_ASSERT_EQUAL(info.rejected, 1);
	CU_ASSERT_EQUAL(pki_crl_get(3, &info), 0);
	CU_ASSERT_STRING_EQUAL(info.trustpoint, "NOSIGN");
	CU_ASSERT_STRING_EQUAL(info.crl_number, "");
	CU_ASSERT_EQUAL(info.rejected, 1);
	CU_ASSERT_STRING_EQUAL(info.last_result, pki_crl_verdict_str(PKI_CRL_NOT_CRLSIGN));
	/* And the next good one is taken. */
	held = next3();
	CU_ASSERT_EQUAL(ingest(TP_RSA, &held, false), PKI_CRL_NEW);
	CU_ASSERT_EQUAL(status(&id_rsa_inter, 105, NULL), PKI_REV_REVOKED);
}

/* thisUpdate a little ahead is clock skew, accepted. */
static void test_skew_accepted(void)
{
	struct tpg_crl_spec s = spec(&rsa, true, 1, held_rev, ARRAY_LEN(held_rev));

	fresh();
	s.this_update = PKI_CLOCK_SKEW_S - 60;
	CU_ASSERT_EQUAL(ingest(TP_RSA, &s, false), PKI_CRL_NEW);
	/* No nextUpdate (RFC 5280 5.1.2.5: issuers MUST give it): such a CRL
	 * would never go stale, so it is refused and nothing is held. */
	s = spec(&rsa, false, 1, NULL, 0);
	s.no_next_update = true;
	CU_ASSERT_EQUAL(ingest(TP_RSA, &s, false), PKI_CRL_NO_NEXT_UPDATE);
	CU_ASSERT_EQUAL(status(&id_rsa_root, 7, NULL), PKI_REV_NO_CRL);
	/* nextUpdate before thisUpdate is no validity period. */
	s = spec(&rsa, false, 1, NULL, 0);
	s.this_update = -60;
	s.next_update = -120;
	CU_ASSERT_EQUAL(ingest(TP_RSA, &s, false), PKI_CRL_EXPIRED);
}

/* Past nextUpdate the held CRL is stale; revocations still stand. */
static void test_stale(void)
{
	struct tpg_crl_spec s = spec(&rsa, true, 1, held_rev, ARRAY_LEN(held_rev));
	struct pki_serial live[] = { ser(100), ser(200) };
	struct pki_revoked out[2];

	fresh();
	CU_ASSERT_EQUAL(ingest(TP_RSA, &s, false), PKI_CRL_NEW);
	CU_ASSERT_EQUAL(status(&id_rsa_inter, 200, NULL), PKI_REV_GOOD);
	pki_crl_set_now(time(NULL) + 3700);
	CU_ASSERT_EQUAL(status(&id_rsa_inter, 200, NULL), PKI_REV_STALE);
	CU_ASSERT_EQUAL(status(&id_rsa_inter, 100, NULL), PKI_REV_REVOKED);
	CU_ASSERT_EQUAL(pki_check_serials(&id_rsa_inter, live, 2, out), 1);
	/* The same CRL downloaded again is now expired, not "unchanged". */
	CU_ASSERT_EQUAL(ingest(TP_RSA, &s, false), PKI_CRL_EXPIRED);
	pki_crl_set_now(0);
}

/* ---- deltas, holds ---- */

static void test_delta(void)
{
	struct tpg_revoked base_rev[] = { { 200, CRL_REASON_KEY_COMPROMISE },
					  { 201, CRL_REASON_CERTIFICATE_HOLD } };
	struct tpg_revoked d_rev[] = { { 201, CRL_REASON_REMOVE_FROM_CRL },
				       { 202, CRL_REASON_KEY_COMPROMISE },
				       { 203, CRL_REASON_CERTIFICATE_HOLD } };
	struct tpg_revoked c12_rev[] = { { 200, CRL_REASON_KEY_COMPROMISE },
					 { 202, CRL_REASON_KEY_COMPROMISE },
					 { 203, CRL_REASON_CERTIFICATE_HOLD } };
	struct tpg_crl_spec c10 = spec(&rsa, true, 10, base_rev, ARRAY_LEN(base_rev));
	struct tpg_crl_spec d11 = spec(&rsa, true, 11, d_rev, ARRAY_LEN(d_rev));
	struct tpg_crl_spec c12 = spec(&rsa, true, 12, c12_rev, ARRAY_LEN(c12_rev));
	struct pki_serial live[] = { ser(200), ser(201), ser(202), ser(203), ser(204) };
	struct pki_revoked out[5];
	struct pki_crl_info info;
	char dpath[520];
	uint8_t reason;
	X509_CRL *d11crl;
	uint8_t *d11der = NULL;
	size_t d11len = 0;

	fresh();
	d11.delta = true;
	d11.base_number = 10;
	d11.freshest_url = "http://192.0.2.10/inter-delta.crl";
	CU_ASSERT_EQUAL(ingest(TP_RSA, &d11, false), PKI_CRL_DELTA_BASE);	/* no base yet */
	CU_ASSERT_EQUAL(ingest(TP_RSA, &c10, false), PKI_CRL_NEW);
	CU_ASSERT_EQUAL(status(&id_rsa_inter, 201, &reason), PKI_REV_REVOKED);	/* held */
	CU_ASSERT_EQUAL(reason, CRL_REASON_CERTIFICATE_HOLD);
	ev_count = 0;
	d11crl = tpg_crl(&d11);
	CU_ASSERT_FATAL(d11crl != NULL && tpg_crl_encode(d11crl, false, &d11der, &d11len) == 0);
	CU_ASSERT_EQUAL(ingest_bytes(TP_RSA, d11der, d11len, NULL), PKI_CRL_NEW);
	CU_ASSERT_EQUAL(ev_count, 1);
	CU_ASSERT_EQUAL(status(&id_rsa_inter, 200, NULL), PKI_REV_REVOKED);	/* from base */
	CU_ASSERT_EQUAL(status(&id_rsa_inter, 201, NULL), PKI_REV_GOOD);	/* released */
	CU_ASSERT_EQUAL(status(&id_rsa_inter, 202, &reason), PKI_REV_REVOKED);	/* new */
	CU_ASSERT_EQUAL(status(&id_rsa_inter, 203, &reason), PKI_REV_REVOKED);	/* held */
	CU_ASSERT_EQUAL(reason, CRL_REASON_CERTIFICATE_HOLD);
	CU_ASSERT_EQUAL_FATAL(pki_check_serials(&id_rsa_inter, live, 5, out), 3);
	CU_ASSERT(out[0].idx == 0 && out[1].idx == 2 && out[2].idx == 3);
	CU_ASSERT_EQUAL(pki_crl_get(1, &info), 0);
	CU_ASSERT_STRING_EQUAL(info.crl_number, "0a");
	CU_ASSERT_STRING_EQUAL(info.delta_number, "0b");
	cache_path(dpath, sizeof(dpath), TP_RSA, &id_rsa_inter, "-delta");
	CU_ASSERT(file_exists(dpath));
	/* Deltas have their own numbering rules. */
	CU_ASSERT_EQUAL(ingest_bytes(TP_RSA, d11der, d11len, NULL), PKI_CRL_UNCHANGED);
	d11.n_revoked = 1;
	CU_ASSERT_EQUAL(ingest(TP_RSA, &d11, false), PKI_CRL_NUMBER_REUSED);
	d11.number = 9;
	d11.base_number = 8;
	CU_ASSERT_EQUAL(ingest(TP_RSA, &d11, false), PKI_CRL_NUMBER_LOWER);
	CU_ASSERT_EQUAL(ev_count, 1);
	/* A complete CRL numbered above the delta supersedes it. */
	CU_ASSERT_EQUAL(ingest(TP_RSA, &c12, false), PKI_CRL_NEW);
	CU_ASSERT_EQUAL(ev_count, 2);
	CU_ASSERT_EQUAL(pki_crl_get(1, &info), 0);
	CU_ASSERT_STRING_EQUAL(info.delta_number, "");
	CU_ASSERT(!file_exists(dpath));
	strcat(dpath, ".src");				/* its origin went with it */
	CU_ASSERT(!file_exists(dpath));
	CU_ASSERT_EQUAL(status(&id_rsa_inter, 201, NULL), PKI_REV_GOOD);
	CU_ASSERT_EQUAL(status(&id_rsa_inter, 202, NULL), PKI_REV_REVOKED);
	CU_ASSERT_EQUAL(ingest_bytes(TP_RSA, d11der, d11len, NULL), PKI_CRL_NUMBER_LOWER);
	/* A delta issued with the complete CRL (same number) adds nothing. */
	d11.number = 12;
	d11.base_number = 10;
	CU_ASSERT_EQUAL(ingest(TP_RSA, &d11, false), PKI_CRL_UNCHANGED);
	X509_CRL_free(d11crl);
	free(d11der);
}

/* A complete CRL's freshestCRL URL is learnt (deltas come from there);
 * a delta's own freshestCRL is not, and nothing is learnt twice. */
static bool tp_knows(unsigned tp, const char *url)
{
	const struct pki_tp *t = pki_tp_get(tp);

	for (unsigned i = 0; i < t->n_learnt_urls; i++)
		if (strcmp(t->learnt_urls[i], url) == 0)
			return true;
	return false;
}

static void test_freshest_learnt(void)
{
	static const char url[] = "http://192.0.2.10/fresh-delta.crl";
	static const char durl[] = "http://192.0.2.10/delta-of-delta.crl";
	struct tpg_revoked rev[] = { { 300, CRL_REASON_KEY_COMPROMISE } };
	struct tpg_crl_spec c20 = spec(&rsa, true, 20, rev, ARRAY_LEN(rev));
	struct tpg_crl_spec d21 = spec(&rsa, true, 21, rev, ARRAY_LEN(rev));
	unsigned before;

	fresh();
	before = pki_tp_get(TP_RSA)->n_learnt_urls;
	CU_ASSERT_FALSE(tp_knows(TP_RSA, url));
	c20.freshest_url = url;
	CU_ASSERT_EQUAL(ingest(TP_RSA, &c20, false), PKI_CRL_NEW);
	CU_ASSERT_TRUE(tp_knows(TP_RSA, url));
	CU_ASSERT_EQUAL(pki_tp_get(TP_RSA)->n_learnt_urls, before + 1);
	CU_ASSERT_EQUAL(ingest(TP_RSA, &c20, true), PKI_CRL_UNCHANGED);	/* PEM, same */
	CU_ASSERT_EQUAL(pki_tp_get(TP_RSA)->n_learnt_urls, before + 1);	/* not twice */
	d21.delta = true;
	d21.base_number = 20;
	d21.freshest_url = durl;
	CU_ASSERT_EQUAL(ingest(TP_RSA, &d21, false), PKI_CRL_NEW);
	CU_ASSERT_FALSE(tp_knows(TP_RSA, durl));
}

/* ECDSA-signed CRLs; hold_is_revoked = false on this trustpoint. */
static void test_ecdsa_hold(void)
{
	struct tpg_revoked r[] = { { 300, CRL_REASON_CERTIFICATE_HOLD },
				   { 301, CRL_REASON_KEY_COMPROMISE } };
	struct tpg_crl_spec s = spec(&ec, true, 1, r, ARRAY_LEN(r));
	struct pki_serial live[] = { ser(300), ser(301) };
	struct pki_revoked out[2];
	struct pki_issuer_id got;
	uint8_t *der;
	size_t len;

	fresh();
	CU_ASSERT_FATAL(tpg_crl_bytes(&s, true, &der, &len) == 0);
	CU_ASSERT_EQUAL(ingest_bytes(TP_EC, der, len, &got), PKI_CRL_NEW);
	CU_ASSERT_EQUAL(memcmp(&got, &id_ec_inter, sizeof(got)), 0);
	CU_ASSERT_STRING_EQUAL(ev_tp, "LAB-EC");
	CU_ASSERT_EQUAL(status(&id_ec_inter, 300, NULL), PKI_REV_GOOD);
	CU_ASSERT_EQUAL(status(&id_ec_inter, 301, NULL), PKI_REV_REVOKED);
	CU_ASSERT_EQUAL_FATAL(pki_check_serials(&id_ec_inter, live, 2, out), 1);
	CU_ASSERT_EQUAL(out[0].idx, 1);
	der[len / 2] ^= 0x20;		/* inside the base64 of a PEM: bad signature or parse */
	CU_ASSERT(ingest_bytes(TP_EC, der, len, NULL) != PKI_CRL_NEW);
	CU_ASSERT_EQUAL(ev_count, 1);
	free(der);
}

/* ---- chain: the intermediate's CRL vs the root's CRL ---- */

static void test_intermediate(void)
{
	struct tpg_cert_spec es = { .subject = "/O=ipsecgw test/CN=peer.example", .serial = 77,
				    .san = "DNS:peer.example", .not_before = -60 };
	struct tpg_revoked root_rev[] = { { 2, CRL_REASON_CA_COMPROMISE } };	/* the inter */
	struct tpg_revoked inter_rev[] = { { 77, CRL_REASON_KEY_COMPROMISE } };
	struct tpg_crl_spec rs = spec(&rsa, false, 1, root_rev, ARRAY_LEN(root_rev));
	struct tpg_crl_spec is = spec(&rsa, true, 1, inter_rev, ARRAY_LEN(inter_rev));
	EVP_PKEY *k = tpg_key(TPG_EC_P256);
	X509 *ee = tpg_cert(&es, k, rsa.inter, rsa.inter_key);
	struct pki_issuer_id ee_issuer, inter_issuer;
	struct pki_serial ee_serial, inter_serial;
	uint8_t reason;

	fresh();
	CU_ASSERT_FATAL(k && ee);
	CU_ASSERT_EQUAL(pki_id_of_cert_issuer(ee, &ee_issuer), 0);
	CU_ASSERT_EQUAL(memcmp(&ee_issuer, &id_rsa_inter, sizeof(ee_issuer)), 0);
	CU_ASSERT_EQUAL(pki_id_of_cert_issuer(rsa.inter, &inter_issuer), 0);
	CU_ASSERT_EQUAL(memcmp(&inter_issuer, &id_rsa_root, sizeof(inter_issuer)), 0);
	CU_ASSERT_EQUAL(pki_serial_from_asn1(X509_get0_serialNumber(ee), &ee_serial), 0);
	CU_ASSERT_EQUAL(pki_serial_from_asn1(X509_get0_serialNumber(rsa.inter), &inter_serial), 0);

	CU_ASSERT_EQUAL(ingest(TP_RSA, &is, false), PKI_CRL_NEW);
	CU_ASSERT_EQUAL(pki_crl_status(&ee_issuer, &ee_serial, &reason), PKI_REV_REVOKED);
	/* The intermediate needs the root's CRL: none yet. */
	CU_ASSERT_EQUAL(pki_crl_status(&inter_issuer, &inter_serial, NULL), PKI_REV_NO_CRL);
	CU_ASSERT_EQUAL(ingest(TP_RSA, &rs, false), PKI_CRL_NEW);
	CU_ASSERT_EQUAL(memcmp(&ev_issuer, &id_rsa_root, sizeof(ev_issuer)), 0);
	CU_ASSERT_EQUAL(pki_crl_status(&inter_issuer, &inter_serial, &reason), PKI_REV_REVOKED);
	CU_ASSERT_EQUAL(reason, CRL_REASON_CA_COMPROMISE);
	/* Serial 77 under the root is another certificate: not revoked there. */
	CU_ASSERT_EQUAL(pki_crl_status(&id_rsa_root, &ee_serial, NULL), PKI_REV_GOOD);
	CU_ASSERT_EQUAL(pki_crl_count(), 2);
	X509_free(ee);
	EVP_PKEY_free(k);
}

/* ---- scopes ---- */

static void test_scopes(void)
{
	struct tpg_revoked ur[] = { { 400, CRL_REASON_KEY_COMPROMISE } };
	struct tpg_revoked cr[] = { { 2, CRL_REASON_CA_COMPROMISE } };
	struct tpg_crl_spec us = spec(&ec, false, 5, ur, ARRAY_LEN(ur));
	struct tpg_crl_spec cs = spec(&ec, false, 3, cr, ARRAY_LEN(cr));
	struct pki_issuer_id root;
	struct pki_serial s400 = ser(400), s401 = ser(401), s2 = ser(2), live[] = { ser(400) };
	struct pki_revoked out[1];
	char path[512];

	fresh();
	CU_ASSERT_EQUAL(pki_id_of_ca_subject(ec.root, &root), 0);
	us.idp = TPG_IDP_USER_CERTS;
	cs.idp = TPG_IDP_CA_CERTS;
	CU_ASSERT_EQUAL(ingest(TP_EC, &us, false), PKI_CRL_NEW);
	cache_path(path, sizeof(path), TP_EC, &root, "-user");
	CU_ASSERT(file_exists(path));
	/* End-entity certificates are covered; a certificate of unknown kind
	 * not, unless the user CRL lists it: serials are unique per issuer. */
	CU_ASSERT_EQUAL(pki_crl_status_cert(&root, &s400, false, NULL), PKI_REV_REVOKED);
	CU_ASSERT_EQUAL(pki_crl_status_cert(&root, &s401, false, NULL), PKI_REV_GOOD);
	CU_ASSERT_EQUAL(pki_crl_status_cert(&root, &s2, true, NULL), PKI_REV_NO_CRL);
	CU_ASSERT_EQUAL(pki_crl_status(&root, &s400, NULL), PKI_REV_REVOKED);
	CU_ASSERT_EQUAL(pki_crl_status(&root, &s401, NULL), PKI_REV_NO_CRL);
	CU_ASSERT_EQUAL(pki_check_serials(&root, live, 1, out), 1);
	/* Separate numbering: the CA-only CRL numbered lower is fine. */
	CU_ASSERT_EQUAL(ingest(TP_EC, &cs, false), PKI_CRL_NEW);
	CU_ASSERT_EQUAL(pki_crl_status_cert(&root, &s2, true, NULL), PKI_REV_REVOKED);
	CU_ASSERT_EQUAL(pki_crl_status(&root, &s2, NULL), PKI_REV_REVOKED);
	CU_ASSERT_EQUAL(pki_crl_status(&root, &s400, NULL), PKI_REV_REVOKED);
	CU_ASSERT_EQUAL(pki_crl_count(), 1);
	us.number = 4;
	CU_ASSERT_EQUAL(ingest(TP_EC, &us, false), PKI_CRL_NUMBER_LOWER);
}

/* Every scope that speaks for a certificate is heard: a revocation in the
 * "user" CRL stands even while a complete "all" CRL is held too. */
static void test_scopes_combined(void)
{
	struct tpg_revoked ur[] = { { 500, CRL_REASON_KEY_COMPROMISE } };
	struct tpg_crl_spec all = spec(&ec, false, 5, NULL, 0);
	struct tpg_crl_spec us = spec(&ec, false, 6, ur, ARRAY_LEN(ur));
	struct pki_issuer_id root;
	struct pki_serial s500 = ser(500), s501 = ser(501), live[] = { ser(500) };
	struct pki_crl_index *ix = pki_crl_index_new(4);
	struct pki_revoked out[1];
	uint8_t r = 0;

	fresh();
	CU_ASSERT_FATAL(ix != NULL);
	CU_ASSERT_EQUAL(pki_id_of_ca_subject(ec.root, &root), 0);
	us.idp = TPG_IDP_USER_CERTS;
	CU_ASSERT_EQUAL(ingest(TP_EC, &all, false), PKI_CRL_NEW);
	CU_ASSERT_EQUAL(ingest(TP_EC, &us, false), PKI_CRL_NEW);
	CU_ASSERT_EQUAL(pki_crl_status_cert(&root, &s500, false, NULL), PKI_REV_REVOKED);
	CU_ASSERT_EQUAL(pki_crl_status(&root, &s500, NULL), PKI_REV_REVOKED);
	CU_ASSERT_EQUAL(pki_check_serials(&root, live, 1, out), 1);
	CU_ASSERT_EQUAL(pki_crl_status_cert(&root, &s501, false, NULL), PKI_REV_GOOD);
	/* The "all" CRL gone stale: the current "user" CRL still covers user
	 * certificates, nothing covers CA certificates. */
	pki_crl_set_now(time(NULL) + 3700);
	CU_ASSERT_EQUAL(pki_crl_status_cert(&root, &s501, true, NULL), PKI_REV_STALE);
	pki_crl_set_now(0);

	/* A serial listed twice: the entry that revokes most stands. */
	CU_ASSERT_EQUAL(pki_crl_index_add(ix, &s500, PKI_REASON_REMOVE), 0);
	CU_ASSERT_EQUAL(pki_crl_index_add(ix, &s500, PKI_REASON_HOLD), 0);
	CU_ASSERT(pki_crl_index_find(ix, &s500, &r) == 1 && r == PKI_REASON_HOLD);
	CU_ASSERT_EQUAL(pki_crl_index_add(ix, &s500, CRL_REASON_KEY_COMPROMISE), 0);
	CU_ASSERT_EQUAL(pki_crl_index_add(ix, &s500, PKI_REASON_REMOVE), 0);
	CU_ASSERT(pki_crl_index_find(ix, &s500, &r) == 1 && r == CRL_REASON_KEY_COMPROMISE);
	CU_ASSERT_EQUAL(pki_crl_index_count(ix), 1);
	pki_crl_index_free(ix);
}

static X509 *ee_of_inter(uint64_t serial, const char *cdp, EVP_PKEY *k)
{
	struct tpg_cert_spec es = { .subject = "/O=ipsecgw test/CN=dp.example", .serial = serial,
				    .cdp = cdp, .not_before = -60 };

	return tpg_cert(&es, k, rsa.inter, rsa.inter_key);
}

/* A CRL whose IDP names a distribution point covers only the certificates
 * whose CDP names it (RFC 5280 6.3.3 b.2.i); its revocations stand for all. */
static void test_idp_distribution_point(void)
{
	static const char dp_a[] = "http://192.0.2.10/shard-a.crl";
	struct tpg_revoked rev[] = { { 601, CRL_REASON_KEY_COMPROMISE } };
	struct tpg_crl_spec c = spec(&rsa, true, 20, rev, ARRAY_LEN(rev));
	struct tpg_crl_spec d = spec(&rsa, true, 21, NULL, 0);
	EVP_PKEY *k = tpg_key(TPG_EC_P256);
	X509 *in_a = ee_of_inter(600, dp_a, k), *in_b = ee_of_inter(602, "http://192.0.2.10/b.crl", k);
	X509 *no_cdp = ee_of_inter(603, NULL, k), *revoked_b = ee_of_inter(601, "http://x/b.crl", k);
	uint8_t reason = 0;

	fresh();
	CU_ASSERT_FATAL(k && in_a && in_b && no_cdp && revoked_b);
	c.idp = TPG_IDP_URL;
	c.idp_url = dp_a;
	CU_ASSERT_EQUAL(ingest(TP_RSA, &c, false), PKI_CRL_NEW);
	CU_ASSERT_EQUAL(pki_crl_status_x509(TP_RSA, in_a, rsa.inter, NULL), PKI_REV_GOOD);
	CU_ASSERT_EQUAL(pki_crl_status_x509(TP_RSA, in_b, rsa.inter, NULL), PKI_REV_NO_CRL);
	CU_ASSERT_EQUAL(pki_crl_status_x509(TP_RSA, no_cdp, rsa.inter, NULL), PKI_REV_NO_CRL);
	CU_ASSERT_EQUAL(pki_crl_status_x509(TP_RSA, revoked_b, rsa.inter, &reason), PKI_REV_REVOKED);
	CU_ASSERT_EQUAL(reason, CRL_REASON_KEY_COMPROMISE);
	/* Without the certificate, such a CRL vouches for nobody. */
	CU_ASSERT_EQUAL(status(&id_rsa_inter, 600, NULL), PKI_REV_NO_CRL);
	/* A delta must have the scope of its complete CRL. */
	d.delta = true;
	d.base_number = 20;
	CU_ASSERT_EQUAL(ingest(TP_RSA, &d, false), PKI_CRL_DELTA_BASE);
	d.idp = TPG_IDP_URL;
	d.idp_url = "http://192.0.2.10/shard-b.crl";
	CU_ASSERT_EQUAL(ingest(TP_RSA, &d, false), PKI_CRL_DELTA_BASE);
	d.idp_url = dp_a;
	CU_ASSERT_EQUAL(ingest(TP_RSA, &d, false), PKI_CRL_NEW);
	/* Stale is stale, in scope or not. */
	pki_crl_set_now(time(NULL) + 3700);
	CU_ASSERT_EQUAL(pki_crl_status_x509(TP_RSA, in_a, rsa.inter, NULL), PKI_REV_STALE);
	pki_crl_set_now(0);
	/* The next complete CRL without IDP covers everybody again. */
	c.number = 22;
	c.idp = TPG_IDP_NONE;
	CU_ASSERT_EQUAL(ingest(TP_RSA, &c, false), PKI_CRL_NEW);
	CU_ASSERT_EQUAL(pki_crl_status_x509(TP_RSA, no_cdp, rsa.inter, NULL), PKI_REV_GOOD);
	X509_free(in_a);
	X509_free(in_b);
	X509_free(no_cdp);
	X509_free(revoked_b);
	EVP_PKEY_free(k);
}

/* A copy of ca with another key (same name, extensions and so key ids),
 * self-signed with that key. */
static X509 *key_twin(X509 *ca, EVP_PKEY *key)
{
	X509 *t = X509_dup(ca);

	if (t == NULL || !X509_set_pubkey(t, key) ||
	    !X509_set_issuer_name(t, X509_get_subject_name(ca)) ||
	    !X509_sign(t, key, EVP_sha256())) {
		X509_free(t);
		return NULL;
	}
	return t;
}

/*
 * Two trustpoints share the RSA CAs; a third holds a twin of the RSA
 * intermediate (same name and key id, another key).  The twin's CRLs
 * cannot replace the intermediate's, and certificates the twin issued get
 * no answer from them.  certificateHold follows the trustpoint asked for,
 * and, when none is named, any trustpoint of the CA that counts it.
 */
static void test_twin_key_and_hold(void)
{
	struct tpg_revoked rev[] = { { 700, CRL_REASON_CERTIFICATE_HOLD } };
	struct tpg_crl_spec c = spec(&rsa, true, 30, rev, ARRAY_LEN(rev));
	struct tpg_crl_spec tw = spec(&rsa, true, 31, NULL, 0);
	struct tpg_cert_spec es = { .subject = "/O=ipsecgw test/CN=held.example", .serial = 700,
				    .not_before = -60 };
	struct cfg_pki cfg2 = cfg;
	X509 *twin = key_twin(rsa.inter, other_key);
	EVP_PKEY *k = tpg_key(TPG_EC_P256);
	X509 *held = tpg_cert(&es, k, rsa.inter, rsa.inter_key);
	X509 *by_twin = tpg_cert(&es, k, twin, other_key);
	uint64_t unknown;

	fresh();
	CU_ASSERT_FATAL(twin && k && held && by_twin);
	/* 0: the RSA CAs, hold revoked; 1: the same CAs, hold not; 2: the twin. */
	cfg2.trustpoints[1] = cfg.trustpoints[TP_RSA];
	snprintf(cfg2.trustpoints[1].name, CFG_NAME_MAX, "RSA-NOHOLD");
	cfg2.trustpoints[1].hold_is_revoked = false;
	cfg2.trustpoints[2] = cfg.trustpoints[TP_RSA];
	snprintf(cfg2.trustpoints[2].name, CFG_NAME_MAX, "TWIN");
	tpg_path(cfg2.trustpoints[2].ca, CFG_PATH_MAX, tmpdir, "twin.pem");
	CU_ASSERT_FATAL(tpg_write_certs(cfg2.trustpoints[2].ca, &twin, 1) == 0);
	CU_ASSERT_FATAL(pki_tp_load(&cfg2) == 0);

	/* The twin's CRL first: it cannot pin the issuer to its key either. */
	tw.issuer = twin;
	tw.issuer_key = other_key;
	CU_ASSERT_EQUAL(ingest(2, &tw, false), PKI_CRL_ISSUER_UNKNOWN);
	CU_ASSERT_EQUAL(ingest(TP_RSA, &c, false), PKI_CRL_NEW);
	CU_ASSERT_EQUAL(pki_crl_status_x509(0, held, rsa.inter, NULL), PKI_REV_REVOKED);
	CU_ASSERT_EQUAL(pki_crl_status_x509(1, held, rsa.inter, NULL), PKI_REV_GOOD);
	CU_ASSERT_EQUAL(status(&id_rsa_inter, 700, NULL), PKI_REV_REVOKED);
	/* Installed by the other trustpoint, the answers stay the same. */
	c.number = 32;
	CU_ASSERT_EQUAL(ingest(1, &c, false), PKI_CRL_NEW);
	CU_ASSERT_EQUAL(pki_crl_status_x509(0, held, rsa.inter, NULL), PKI_REV_REVOKED);
	CU_ASSERT_EQUAL(status(&id_rsa_inter, 700, NULL), PKI_REV_REVOKED);
	/* The twin's empty CRL, numbered higher and validly signed by the
	 * twin's key, does not unrevoke anything. */
	unknown = total(PKI_CRL_ISSUER_UNKNOWN);
	CU_ASSERT_EQUAL(ingest(2, &tw, false), PKI_CRL_ISSUER_UNKNOWN);
	CU_ASSERT_EQUAL(total(PKI_CRL_ISSUER_UNKNOWN), unknown + 1);
	CU_ASSERT_EQUAL(status(&id_rsa_inter, 700, NULL), PKI_REV_REVOKED);
	CU_ASSERT_EQUAL(pki_crl_status_x509(2, by_twin, twin, NULL), PKI_REV_NO_CRL);
	CU_ASSERT_EQUAL(ev_count, 2);

	CU_ASSERT_EQUAL_FATAL(pki_tp_load(&cfg), 0);	/* back to the suite's trustpoints */
	X509_free(twin);
	X509_free(held);
	X509_free(by_twin);
	EVP_PKEY_free(k);
}

/* ---- cache ---- */

static void restart(void)
{
	unsigned tp;

	pki_crl_fini();
	CU_ASSERT_EQUAL(pki_crl_init(), 0);
	for (tp = 0; tp < N_TP; tp++)
		CU_ASSERT_EQUAL(pki_cache_load(tp), 0);
}

static void test_cache_restart(void)
{
	struct tpg_revoked rr[] = { { 2, CRL_REASON_CA_COMPROMISE } };
	struct tpg_revoked d_rev[] = { { 102, CRL_REASON_CERTIFICATE_HOLD } };
	struct tpg_crl_spec rs = spec(&rsa, false, 4, rr, ARRAY_LEN(rr));
	struct tpg_crl_spec c1 = spec(&rsa, true, 1, held_rev, ARRAY_LEN(held_rev));
	struct tpg_crl_spec c2 = spec(&rsa, true, 2, new_rev, ARRAY_LEN(new_rev));
	struct tpg_crl_spec d3 = spec(&rsa, true, 3, d_rev, ARRAY_LEN(d_rev));
	struct pki_crl_info info;
	char path[512];
	uint8_t *old, *file;
	size_t oldlen, flen;
	uint64_t sig_before, lower_before;

	fresh();
	d3.delta = true;
	d3.base_number = 2;
	CU_ASSERT_FATAL(tpg_crl_bytes(&c1, false, &old, &oldlen) == 0);
	CU_ASSERT_EQUAL(ingest(TP_RSA, &rs, false), PKI_CRL_NEW);
	CU_ASSERT_EQUAL(ingest(TP_RSA, &c2, true), PKI_CRL_NEW);
	CU_ASSERT_EQUAL(ingest(TP_RSA, &d3, false), PKI_CRL_NEW);
	ev_count = 0;
	restart();
	CU_ASSERT_EQUAL(pki_crl_count(), 2);
	CU_ASSERT_EQUAL(status(&id_rsa_inter, 105, NULL), PKI_REV_REVOKED);
	CU_ASSERT_EQUAL(status(&id_rsa_inter, 102, NULL), PKI_REV_REVOKED);	/* the delta */
	CU_ASSERT_EQUAL(status(&id_rsa_inter, 104, NULL), PKI_REV_GOOD);
	CU_ASSERT_EQUAL(status(&id_rsa_root, 2, NULL), PKI_REV_REVOKED);
	CU_ASSERT_EQUAL(pki_crl_get(2, &info), 0);
	CU_ASSERT_STRING_EQUAL(info.crl_number, "02");
	CU_ASSERT_STRING_EQUAL(info.delta_number, "03");
	CU_ASSERT_EQUAL(info.downloads, 0);
	CU_ASSERT(strncmp(info.source, "cache:", 6) == 0);

	/* A rolled-back file (older, validly signed) is refused while we hold newer. */
	cache_path(path, sizeof(path), TP_RSA, &id_rsa_inter, "");
	lower_before = total(PKI_CRL_NUMBER_LOWER);
	CU_ASSERT_EQUAL(tpg_write_file(path, old, oldlen), 0);
	CU_ASSERT_EQUAL(pki_cache_load(TP_RSA), 0);
	CU_ASSERT_EQUAL(total(PKI_CRL_NUMBER_LOWER), lower_before + 1);
	CU_ASSERT_EQUAL(status(&id_rsa_inter, 105, NULL), PKI_REV_REVOKED);

	/* A tampered file is not trusted after a restart; the others still are. */
	CU_ASSERT_FATAL(tpg_crl_bytes(&c2, false, &file, &flen) == 0);
	file[flen - 5] ^= 0x40;		/* in the signature */
	CU_ASSERT_EQUAL(tpg_write_file(path, file, flen), 0);
	sig_before = total(PKI_CRL_SIGNATURE);
	ev_count = 0;
	restart();
	CU_ASSERT_EQUAL(total(PKI_CRL_SIGNATURE), sig_before + 1);
	CU_ASSERT_EQUAL(status(&id_rsa_inter, 105, NULL), PKI_REV_NO_CRL);
	CU_ASSERT_EQUAL(status(&id_rsa_root, 2, NULL), PKI_REV_REVOKED);
	/* The orphaned delta finds no base. */
	CU_ASSERT_EQUAL(total(PKI_CRL_DELTA_BASE) >= 1, 1);
	CU_ASSERT_EQUAL(ev_count, 1);	/* the root's CRL, reloaded */
	free(old);
	free(file);
}

/* After a restart, a failed download of the URL a cached CRL came from is
 * charged to its issuer ("<file>.src" keeps the URL). */
static void test_cache_origin(void)
{
	static const char url[] = "http://192.0.2.10/inter-origin.crl";
	struct tpg_crl_spec c = spec(&rsa, true, 2, new_rev, ARRAY_LEN(new_rev));
	struct pki_crl_info info;
	char path[512], src[520];
	uint8_t *der;
	size_t len;

	fresh();
	CU_ASSERT_FATAL(tpg_crl_bytes(&c, false, &der, &len) == 0);
	CU_ASSERT_EQUAL(pki_crl_ingest(TP_RSA, der, len, url, false, NULL), PKI_CRL_NEW);
	cache_path(path, sizeof(path), TP_RSA, &id_rsa_inter, "");
	snprintf(src, sizeof(src), "%s.src", path);
	CU_ASSERT(file_exists(src));
	restart();
	pki_crl_download_failed(TP_RSA, url, "connection refused");
	CU_ASSERT_EQUAL_FATAL(pki_crl_get(1, &info), 0);
	CU_ASSERT_EQUAL(info.failed, 1);
	CU_ASSERT_STRING_EQUAL(info.last_result, "download failed: connection refused");
	CU_ASSERT(strncmp(info.source, "cache:", 6) == 0);
	/* A junk origin is ignored: nothing to charge. */
	CU_ASSERT_EQUAL(tpg_write_file(src, "ftp://x\n", 7), 0);
	restart();
	pki_crl_download_failed(TP_RSA, url, "connection refused");
	CU_ASSERT_EQUAL(pki_crl_get(1, &info), 0);
	CU_ASSERT_EQUAL(info.failed, 0);
	free(der);
}

/* The whole PKI down and up again: the CRLs come back from the cache. */
static void test_pki_restart(void)
{
	struct tpg_crl_spec c2 = spec(&rsa, true, 2, new_rev, ARRAY_LEN(new_rev));
	struct pki_crl_info info;
	int i;

	fresh();
	CU_ASSERT_EQUAL(ingest(TP_RSA, &c2, false), PKI_CRL_NEW);
	for (i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL_FATAL(pki_init(&cfg), 0);
		CU_ASSERT_EQUAL(pki_init(&cfg), -EALREADY);
		CU_ASSERT_EQUAL(pki_tp_count(), N_TP);
		CU_ASSERT_EQUAL(status(&id_rsa_inter, 105, NULL), PKI_REV_REVOKED);
		CU_ASSERT_EQUAL(status(&id_rsa_inter, 104, NULL), PKI_REV_GOOD);
		CU_ASSERT_EQUAL(pki_crl_get(1, &info), 0);
		CU_ASSERT(strncmp(info.source, "cache:", 6) == 0);
		CU_ASSERT_STRING_EQUAL(info.crl_number, "02");
		pki_tick(1000);
		pki_fini();
		CU_ASSERT_EQUAL(pki_tp_count(), 0);
		CU_ASSERT_EQUAL(status(&id_rsa_inter, 105, NULL), PKI_REV_NO_CRL);
	}
	/* Back to the state the other tests expect. */
	CU_ASSERT_EQUAL_FATAL(pki_tp_load(&cfg), 0);
	CU_ASSERT_EQUAL(pki_crl_init(), 0);
}

/* What another user could leave in the cache directory is neither
 * followed nor waited on, and a directory others may write is refused. */
static void test_cache_hostile_files(void)
{
	struct pki_issuer_id id = { { 4, 5, 6 } };
	char path[512], tmp[520], victim[300], urls[300];
	uint8_t buf[16];
	FILE *f;

	/* FIFOs where a CRL and the URL list should be: open would block. */
	cache_path(path, sizeof(path), TP_RSA, &id_rsa_inter, "");
	snprintf(urls, sizeof(urls), "%s/LAB-RSA.urls", cache_dir[TP_RSA]);
	unlink(urls);
	CU_ASSERT_EQUAL(mkfifo(path, 0600), 0);
	CU_ASSERT_EQUAL(mkfifo(urls, 0600), 0);
	CU_ASSERT_EQUAL(pki_cache_load(TP_RSA), 0);
	CU_ASSERT_EQUAL(pki_crl_count(), 0);
	CU_ASSERT_EQUAL(pki_tp_get(TP_RSA)->n_learnt_urls, 0);
	unlink(path);
	unlink(urls);
	/* A link in place of the temporary file is replaced, not followed. */
	tpg_path(victim, sizeof(victim), tmpdir, "victim");
	CU_ASSERT_EQUAL(tpg_write_file(victim, "victim", 6), 0);
	cache_path(path, sizeof(path), TP_RSA, &id, "");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	CU_ASSERT_EQUAL(symlink(victim, tmp), 0);
	CU_ASSERT_EQUAL(pki_cache_write(cache_dir[TP_RSA], &id, false, (const uint8_t *)"new", 3), 0);
	f = fopen(victim, "r");
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT(fread(buf, 1, sizeof(buf), f) == 6 && memcmp(buf, "victim", 6) == 0);
	fclose(f);
	CU_ASSERT(!file_exists(tmp));
	/* A cache directory others may write to is not written. */
	CU_ASSERT_EQUAL(chmod(cache_dir[TP_RSA], 0777), 0);
	CU_ASSERT_EQUAL(pki_cache_write(cache_dir[TP_RSA], &id, false, (const uint8_t *)"x", 1),
			-EPERM);
	CU_ASSERT_EQUAL(chmod(cache_dir[TP_RSA], 0700), 0);
	CU_ASSERT_EQUAL(pki_cache_remove(cache_dir[TP_RSA], &id, PKI_CRL_SCOPE_ALL, false), 0);
	unlink(victim);
}

static void test_cache_atomic_and_urls(void)
{
	struct pki_tp *t = pki_tp_get(TP_RSA);
	struct pki_issuer_id id = { { 1, 2, 3 } };
	char path[512], tmp[520];
	const uint8_t data[] = "abc";

	fresh();
	CU_ASSERT_EQUAL(pki_cache_write(cache_dir[TP_RSA], &id, false, data, 3), 0);
	cache_path(path, sizeof(path), TP_RSA, &id, "");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	CU_ASSERT(file_exists(path));
	CU_ASSERT(!file_exists(tmp));
	CU_ASSERT_EQUAL(pki_cache_remove(cache_dir[TP_RSA], &id, PKI_CRL_SCOPE_ALL, false), 0);
	CU_ASSERT_EQUAL(pki_cache_remove(cache_dir[TP_RSA], &id, PKI_CRL_SCOPE_ALL, false),
			-ENOENT);
	/* Learnt CDPs survive a restart; known and junk lines are skipped. */
	snprintf(t->learnt_urls[0], CFG_URL_MAX, "http://192.0.2.10/learnt.crl");
	snprintf(t->learnt_urls[1], CFG_URL_MAX, "ftp://not-ours/x.crl");
	t->n_learnt_urls = 2;
	CU_ASSERT_EQUAL(pki_cache_save_urls(TP_RSA), 0);
	memset(t->learnt_urls, 0, sizeof(t->learnt_urls));
	t->n_learnt_urls = 0;
	CU_ASSERT_EQUAL(pki_cache_load(TP_RSA), 0);
	CU_ASSERT_EQUAL(t->n_learnt_urls, 1);
	CU_ASSERT_STRING_EQUAL(t->learnt_urls[0], "http://192.0.2.10/learnt.crl");
	CU_ASSERT_EQUAL(pki_cache_load(TP_RSA), 0);	/* no duplicates */
	CU_ASSERT_EQUAL(t->n_learnt_urls, 1);
	t->n_learnt_urls = 0;
	test_cache_hostile_files();
}

static void test_download_failed(void)
{
	struct tpg_crl_spec s = spec(&rsa, true, 1, held_rev, ARRAY_LEN(held_rev));
	struct pki_crl_info info;
	uint64_t before;
	uint8_t *b;
	size_t n;

	fresh();
	before = total(PKI_CRL_DOWNLOAD);
	pki_crl_download_failed(TP_RSA, "http://192.0.2.10/nothing-yet.crl", "HTTP 404");
	CU_ASSERT_EQUAL(total(PKI_CRL_DOWNLOAD), before + 1);
	/* A URL that brought no CRL: an anonymous entry tells why. */
	CU_ASSERT_EQUAL(pki_crl_count(), 1);
	CU_ASSERT_EQUAL(pki_crl_get(1, &info), 0);
	CU_ASSERT_STRING_EQUAL(info.issuer, "(no CRL yet)");
	CU_ASSERT_STRING_EQUAL(info.source, "http://192.0.2.10/nothing-yet.crl");
	CU_ASSERT_STRING_EQUAL(info.last_result, "download failed: HTTP 404");
	CU_ASSERT_STRING_EQUAL(info.crl_number, "");
	CU_ASSERT_EQUAL(info.failed, 1);
	CU_ASSERT_EQUAL(status(&id_rsa_inter, 100, NULL), PKI_REV_NO_CRL);
	/* Garbage from it is charged to it; the first CRL from it turns it
	 * into its issuer's entry, counters kept. */
	CU_ASSERT_EQUAL(pki_crl_ingest(TP_RSA, (const uint8_t *)"junk", 4,
				       "http://192.0.2.10/nothing-yet.crl", false, NULL), PKI_CRL_PARSE);
	CU_ASSERT_EQUAL(pki_crl_get(1, &info), 0);
	CU_ASSERT_EQUAL(info.rejected, 1);
	CU_ASSERT_FATAL(mk(s, &b, &n) == 0);
	CU_ASSERT_EQUAL(pki_crl_ingest(TP_RSA, b, n, "http://192.0.2.10/nothing-yet.crl", false, NULL),
			PKI_CRL_NEW);
	free(b);
	CU_ASSERT_EQUAL(pki_crl_count(), 1);
	CU_ASSERT_EQUAL(pki_crl_get(1, &info), 0);
	CU_ASSERT(strstr(info.issuer, "RSA Inter CA") != NULL);
	CU_ASSERT_EQUAL(info.rejected, 1);
	CU_ASSERT_EQUAL(ingest(TP_RSA, &s, false), PKI_CRL_UNCHANGED);	/* from another URL */
	pki_crl_download_failed(TP_RSA, "http://192.0.2.10/test.crl", "timeout after 10 s");
	CU_ASSERT_EQUAL(pki_crl_get(1, &info), 0);
	CU_ASSERT_EQUAL(info.failed, 2);	/* the 404 of its anonymous days, and this */
	CU_ASSERT_STRING_EQUAL(info.last_result, "download failed: timeout after 10 s");
	CU_ASSERT_STRING_EQUAL(info.crl_number, "01");	/* still in force */
	CU_ASSERT_EQUAL(status(&id_rsa_inter, 100, NULL), PKI_REV_REVOKED);
	CU_ASSERT_EQUAL(pki_crl_ingest(N_TP + 3, (const uint8_t *)"x", 1, "x", false, NULL),
			PKI_CRL_ISSUER_UNKNOWN);
}

static void test_verdict_names(void)
{
	unsigned v;

	for (v = 0; v < PKI_CRL_VERDICT_MAX; v++)
		CU_ASSERT(strlen(pki_crl_verdict_str(v)) > 5);
	CU_ASSERT_STRING_EQUAL(pki_crl_verdict_str(PKI_CRL_VERDICT_MAX), "?");
	CU_ASSERT_STRING_EQUAL(pki_crl_scope_str(PKI_CRL_SCOPE_USER), "user");
}

/* ---- set-up ---- */

static int write_tp(unsigned i, const char *name, X509 *const *cas, unsigned n, bool hold)
{
	struct cfg_trustpoint *t = &cfg.trustpoints[i];

	snprintf(t->name, sizeof(t->name), "%s", name);
	tpg_path(t->ca, sizeof(t->ca), tmpdir, name);
	if (tpg_write_certs(t->ca, cas, n))
		return -1;
	snprintf(cache_dir[i], sizeof(cache_dir[i]), "%s/cache-%s/crl", tmpdir, name);
	snprintf(t->crl_cache_dir, sizeof(t->crl_cache_dir), "%s", cache_dir[i]);
	t->revocation_check = CFG_REVOCATION_CRL;
	t->crl_max_size = MAX_SIZE;
	t->crl_refresh_interval = 3600;
	t->crl_min_download_interval = 60;
	t->crl_download_timeout = 10;
	t->hold_is_revoked = hold;
	return 0;
}

static int make_cas(void)
{
	struct tpg_cert_spec os = { .subject = "/O=elsewhere/CN=Other CA", .serial = 5,
				    .ca = true, .not_before = -60 };
	struct tpg_cert_spec ts = { .subject = "/O=ipsecgw test/CN=RSA Inter CA", .serial = 6,
				    .ca = true, .not_before = -60 };
	struct tpg_cert_spec ns = { .subject = "/O=ipsecgw test/CN=No CRL Signer", .serial = 7,
				    .ca = true, .key_usage = "critical,keyCertSign",
				    .not_before = -60 };

	if (tpg_pki_make(&rsa, TPG_RSA2048, "RSA", "http://192.0.2.10/root.crl") ||
	    tpg_pki_make(&ec, TPG_EC_P256, "EC", NULL))
		return -1;
	other_key = tpg_key(TPG_RSA2048);
	nosign_key = tpg_key(TPG_EC_P256);
	if (other_key == NULL || nosign_key == NULL)
		return -1;
	other_ca = tpg_cert(&os, other_key, NULL, NULL);
	twin_ca = tpg_cert(&ts, other_key, NULL, NULL);	/* the RSA inter's name, self-signed */
	nosign_ca = tpg_cert(&ns, nosign_key, NULL, NULL);
	return other_ca && twin_ca && nosign_ca ? 0 : -1;
}

static int suite_init(void)
{
	X509 *rsa_cas[2], *ec_cas[2];

	tmpdir = tpg_tmpdir("pki-crl");
	if (tmpdir == NULL || make_cas())
		return -1;
	rsa_cas[0] = rsa.root;
	rsa_cas[1] = rsa.inter;
	ec_cas[0] = ec.root;
	ec_cas[1] = ec.inter;
	if (write_tp(TP_RSA, "LAB-RSA", rsa_cas, 2, true) ||
	    write_tp(TP_EC, "LAB-EC", ec_cas, 2, false) ||
	    write_tp(TP_NOSIGN, "NOSIGN", &nosign_ca, 1, true))
		return -1;
	cfg.n_trustpoints = N_TP;
	if (pki_tp_load(&cfg) || pki_tp_count() != N_TP)
		return -1;
	if (pki_id_of_ca_subject(rsa.root, &id_rsa_root) ||
	    pki_id_of_ca_subject(rsa.inter, &id_rsa_inter) ||
	    pki_id_of_ca_subject(ec.inter, &id_ec_inter))
		return -1;
	return pki_subscribe(on_crl_updated, &ev_count);
}

static int suite_fini(void)
{
	char cmd[300];
	int rc;

	if (pki_unsubscribe(on_crl_updated, &ev_count) != 0 ||
	    pki_unsubscribe(on_crl_updated, &ev_count) != -ENOENT)
		return -1;
	pki_crl_fini();
	pki_tp_unload();
	tpg_pki_free(&rsa);
	tpg_pki_free(&ec);
	X509_free(other_ca);
	X509_free(twin_ca);
	X509_free(nosign_ca);
	EVP_PKEY_free(other_key);
	EVP_PKEY_free(nosign_key);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	rc = system(cmd);
	free(tmpdir);
	return rc == 0 ? 0 : -1;
}

int main(void)
{
	static const struct test_case tests[] = {
		{ "index: add, find, duplicates, sizes", test_index },
		{ "issuer ids and serials", test_ids },
		{ "good CRL accepted, indexed, cached, one event", test_good_crl },
		{ "same CRL again (DER, PEM): unchanged, no event", test_unchanged },
		{ "two more serials: one event, full revoked set", test_two_more },
		{ "rejections keep the old CRL", test_rejections },
		{ "clock skew accepted, no nextUpdate", test_skew_accepted },
		{ "stale after nextUpdate", test_stale },
		{ "delta CRL, hold then removeFromCRL", test_delta },
		{ "freshestCRL URL of a complete CRL is learnt", test_freshest_learnt },
		{ "ECDSA CRL, hold not revoked", test_ecdsa_hold },
		{ "intermediate's CRL vs root's CRL", test_intermediate },
		{ "IDP scopes user / CA", test_scopes },
		{ "scopes combined, a serial listed twice", test_scopes_combined },
		{ "IDP distribution point vs the certificate's CDP", test_idp_distribution_point },
		{ "twin CA key cannot replace CRLs; hold per trustpoint", test_twin_key_and_hold },
		{ "cache survives restart, tampered rejected", test_cache_restart },
		{ "pki_fini + pki_init: CRLs back from the cache", test_pki_restart },
		{ "cached CRL's URL: failures charged after a restart", test_cache_origin },
		{ "cache atomic write, learnt URLs", test_cache_atomic_and_urls },
		{ "download failures counted, CRL kept", test_download_failed },
		{ "verdict names", test_verdict_names },
	};
	if (test_suite("pki_crl", suite_init, suite_fini, tests, ARRAY_LEN(tests)) != 0)
		return 1;
	return test_run();
}
