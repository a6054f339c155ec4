/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit suite for the IKEv2 crypto (controlplane/ike/ike_{crypto,prf,dh,
 * sk,auth}.c): RFC 4231 HMAC vectors, prf+ / SKEYSEED / IKE SA and CHILD
 * SA keys against Python's hmac (ike_crypto_vectors.h), RFC 5903 and RFC
 * 7748 key exchange vectors, MODP-2048 agreement and range checks, SK and
 * SKF protection cross-checked against OpenSSL EVP directly, tampering,
 * and AUTH signatures (methods 1, 9/10, 14) verified independently with
 * OpenSSL over the documented octets, plus the RFC 7427 AlgorithmIdentifiers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "controlplane/ike/ike_auth.h"
#include "controlplane/ike/ike_dh.h"
#include "controlplane/ike/ike_prf.h"
#include "controlplane/ike/ike_sk.h"
#include "test/unit/ike_crypto_vectors.h"
#include "test/unit/test_eal.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MSG_MAX 2048

/* Hex to bytes; returns the length. */
static size_t unhex(const char *h, uint8_t *out)
{
	size_t n = strlen(h) / 2;

	for (size_t i = 0; i < n; i++)
		CU_ASSERT_EQUAL(sscanf(h + 2 * i, "%2hhx", &out[i]), 1);
	return n;
}

/* Does p[0..len) equal the hex string h? */
static int eq_hex(const uint8_t *p, size_t len, const char *h)
{
	uint8_t b[1024];

	return strlen(h) == 2 * len && unhex(h, b) == len && memcmp(p, b, len) == 0;
}

/* A vector key: ASCII, or "bb*N" for N bytes 0xbb. */
static size_t kat_key(const char *s, uint8_t *out)
{
	unsigned int b, n;

	if (strchr(s, '*') != NULL && sscanf(s, "%2x*%u", &b, &n) == 2) {
		memset(out, (int)b, n);
		return n;
	}
	memcpy(out, s, strlen(s));
	return strlen(s);
}

static struct ike_chunk ch(const void *p, size_t len)
{
	return (struct ike_chunk){ p, len };
}

/* ---- PRF and key derivation ---- */

static void test_hmac_kat(void)
{
	static const uint16_t prfs[3] = { IKE_PRF_HMAC_SHA2_256, IKE_PRF_HMAC_SHA2_384,
					  IKE_PRF_HMAC_SHA2_512 };
	uint8_t key[256], out[IKE_PRF_MAX];

	for (size_t v = 0; v < ARRAY_LEN(ike_kat_hmac); v++) {
		const struct ike_kat_hmac *t = &ike_kat_hmac[v];
		const char *want[3] = { t->sha256, t->sha384, t->sha512 };
		size_t klen = kat_key(t->key, key);
		/* the data split in two chunks: hashed as their concatenation */
		struct ike_chunk d[2] = { ch(t->data, 3), ch(t->data + 3, strlen(t->data) - 3) };

		for (int p = 0; p < 3; p++) {
			memset(out, 0, sizeof(out));
			CU_ASSERT_EQUAL(ike_prf(prfs[p], key, klen, d, 2, out), 0);
			CU_ASSERT(eq_hex(out, ike_prf_len(prfs[p]), want[p]));
		}
	}
	CU_ASSERT_EQUAL(ike_prf(IKE_PRF_HMAC_SHA2_256 + 10, key, 4, NULL, 0, out), -EINVAL);
}

static void test_prf_plus(void)
{
	static uint8_t big[255 * 32 + 1];
	uint8_t out[200], shorter[70];
	const char *s = "seed octets";
	struct ike_chunk seed[2] = { ch(s, 4), ch(s + 4, strlen(s) - 4) };

	CU_ASSERT_EQUAL(ike_prf_plus(IKE_PRF_HMAC_SHA2_512, (const uint8_t *)"prf+ key", 8,
				     seed, 2, out, sizeof(out)), 0);
	CU_ASSERT(eq_hex(out, sizeof(out), IKE_KAT_PRFPLUS512));
	/* a shorter output is a prefix */
	CU_ASSERT_EQUAL(ike_prf_plus(IKE_PRF_HMAC_SHA2_512, (const uint8_t *)"prf+ key", 8,
				     seed, 2, shorter, sizeof(shorter)), 0);
	CU_ASSERT_EQUAL(memcmp(shorter, out, sizeof(shorter)), 0);
	/* 255 rounds at most (2.13) */
	CU_ASSERT_EQUAL(ike_prf_plus(IKE_PRF_HMAC_SHA2_256, big, 32, seed, 2, big,
				     255 * 32), 0);
	CU_ASSERT_EQUAL(ike_prf_plus(IKE_PRF_HMAC_SHA2_256, big, 32, seed, 2, big,
				     255 * 32 + 1), -EINVAL);
}

/* The fixed inputs of the Python-generated vectors. */
struct kdf_in {
	uint8_t ni[32], nr[32], gir[256], spi_i[8], spi_r[8];
	uint8_t gir2[32], ni2[32], nr2[32];
};

static void kdf_in_make(struct kdf_in *in)
{
	for (int i = 0; i < 32; i++) {
		in->ni[i] = (uint8_t)i;
		in->nr[i] = (uint8_t)(0x80 + i);
		in->ni2[i] = (uint8_t)(31 - i);
		in->nr2[i] = (uint8_t)(0x80 + 31 - i);
	}
	for (int i = 0; i < 256; i++)
		in->gir[i] = (uint8_t)(i * 7 + 3);
	for (int i = 0; i < 32; i++)
		in->gir2[i] = in->gir[255 - i];
	for (int i = 0; i < 8; i++) {
		in->spi_i[i] = (uint8_t)(1 + i);
		in->spi_r[i] = (uint8_t)(0x11 + i);
	}
}

/* keys against KEYMAT: SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr */
static void check_sa_keys(const struct ike_sa_keys *k, const char *keymat, size_t p,
			  size_t a, size_t e)
{
	uint8_t km[512];
	size_t n = unhex(keymat, km), o = 0;

	CU_ASSERT_EQUAL_FATAL(n, 3 * p + 2 * a + 2 * e);
	CU_ASSERT_EQUAL(k->prf_len, p);
	CU_ASSERT_EQUAL(memcmp(k->sk_d, km + o, p), 0); o += p;
	CU_ASSERT_EQUAL(k->ski.akey_len, a);
	CU_ASSERT_EQUAL(memcmp(k->ski.akey, km + o, a), 0); o += a;
	CU_ASSERT_EQUAL(memcmp(k->skr.akey, km + o, a), 0); o += a;
	CU_ASSERT_EQUAL(k->ski.ekey_len, e);
	CU_ASSERT_EQUAL(k->skr.ekey_len, e);
	CU_ASSERT_EQUAL(memcmp(k->ski.ekey, km + o, e), 0); o += e;
	CU_ASSERT_EQUAL(memcmp(k->skr.ekey, km + o, e), 0); o += e;
	CU_ASSERT_EQUAL(memcmp(k->sk_pi, km + o, p), 0); o += p;
	CU_ASSERT_EQUAL(memcmp(k->sk_pr, km + o, p), 0);
}

static void test_ike_sa_keys(void)
{
	static const struct ike_suite cbc = { IKE_ENCR_AES_CBC, 128,
		IKE_INTEG_HMAC_SHA2_256_128, IKE_PRF_HMAC_SHA2_256 };
	static const struct ike_suite gcm = { IKE_ENCR_AES_GCM_16, 256,
		IKE_INTEG_NONE, IKE_PRF_HMAC_SHA2_384 };
	struct ike_suite bad = gcm;
	struct ike_sa_keys k;
	uint8_t seed[IKE_PRF_MAX];
	struct kdf_in in;

	kdf_in_make(&in);
	CU_ASSERT_EQUAL(ike_skeyseed(cbc.prf, ch(in.ni, 32), ch(in.nr, 32), ch(in.gir, 256),
				     seed), 0);
	CU_ASSERT(eq_hex(seed, 32, IKE_KAT_SKEYSEED1));
	CU_ASSERT_EQUAL(ike_sa_keys_derive(&cbc, ch(seed, 32), ch(in.ni, 32), ch(in.nr, 32),
					   in.spi_i, in.spi_r, &k), 0);
	check_sa_keys(&k, IKE_KAT_KEYMAT1, 32, 32, 16);
	CU_ASSERT_EQUAL(k.ski.encr, IKE_ENCR_AES_CBC);
	CU_ASSERT_EQUAL(k.skr.integ, IKE_INTEG_HMAC_SHA2_256_128);

	CU_ASSERT_EQUAL(ike_skeyseed(gcm.prf, ch(in.ni, 32), ch(in.nr, 32), ch(in.gir, 256),
				     seed), 0);
	CU_ASSERT(eq_hex(seed, 48, IKE_KAT_SKEYSEED2));
	CU_ASSERT_EQUAL(ike_sa_keys_derive(&gcm, ch(seed, 48), ch(in.ni, 32), ch(in.nr, 32),
					   in.spi_i, in.spi_r, &k), 0);
	check_sa_keys(&k, IKE_KAT_KEYMAT2, 48, 0, 36);	/* GCM: 32 + 4 salt, no SK_a */

	bad.integ = IKE_INTEG_HMAC_SHA2_256_128;	/* AEAD with an INTEG */
	CU_ASSERT_EQUAL(ike_sa_keys_derive(&bad, ch(seed, 48), ch(in.ni, 32), ch(in.nr, 32),
					   in.spi_i, in.spi_r, &k), -EINVAL);
	bad = cbc;
	bad.encr_bits = 100;
	CU_ASSERT_EQUAL(ike_suite_check(&bad), -EINVAL);
	ike_sa_keys_wipe(&k);
	for (size_t i = 0; i < sizeof(k); i++)
		CU_ASSERT_EQUAL_FATAL(((uint8_t *)&k)[i], 0);
}

static void test_rekey_and_child(void)
{
	static const struct ike_suite cbc = { IKE_ENCR_AES_CBC, 128,
		IKE_INTEG_HMAC_SHA2_256_128, IKE_PRF_HMAC_SHA2_256 };
	static const struct ike_suite gcm = { IKE_ENCR_AES_GCM_16, 256,
		IKE_INTEG_NONE, IKE_PRF_HMAC_SHA2_384 };
	struct gw_sa_desc i2r, r2i;
	struct ike_sa_keys k1, k2;
	uint8_t seed[IKE_PRF_MAX], km[256];
	struct kdf_in in;

	kdf_in_make(&in);
	CU_ASSERT_EQUAL(ike_skeyseed(cbc.prf, ch(in.ni, 32), ch(in.nr, 32), ch(in.gir, 256),
				     seed), 0);
	CU_ASSERT_EQUAL(ike_sa_keys_derive(&cbc, ch(seed, 32), ch(in.ni, 32), ch(in.nr, 32),
					   in.spi_i, in.spi_r, &k1), 0);
	CU_ASSERT_EQUAL(ike_skeyseed(gcm.prf, ch(in.ni, 32), ch(in.nr, 32), ch(in.gir, 256),
				     seed), 0);
	CU_ASSERT_EQUAL(ike_sa_keys_derive(&gcm, ch(seed, 48), ch(in.ni, 32), ch(in.nr, 32),
					   in.spi_i, in.spi_r, &k2), 0);

	/* 2.18: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), old prf */
	CU_ASSERT_EQUAL(ike_skeyseed_rekey(k1.prf, ch(k1.sk_d, k1.prf_len), ch(in.gir2, 32),
					   ch(in.ni2, 32), ch(in.nr2, 32), seed), 0);
	CU_ASSERT(eq_hex(seed, 32, IKE_KAT_REKEY));

	/* 2.17 with PFS, aes256-sha256: encr then integ, i->r first */
	memset(&i2r, 0xee, sizeof(i2r));
	memset(&r2i, 0xee, sizeof(r2i));
	CU_ASSERT_EQUAL(ike_child_keymat(k1.prf, ch(k1.sk_d, k1.prf_len), ESP_ALG_AES256_SHA256,
					 ch(in.gir2, 32), ch(in.ni, 32), ch(in.nr, 32),
					 &i2r, &r2i), 0);
	CU_ASSERT_EQUAL_FATAL(unhex(IKE_KAT_CHILD_PFS, km), 128);
	CU_ASSERT_EQUAL(i2r.enc_key_len, 32);
	CU_ASSERT_EQUAL(i2r.auth_key_len, 32);
	CU_ASSERT_EQUAL(memcmp(i2r.enc_key, km, 32), 0);
	CU_ASSERT_EQUAL(memcmp(i2r.auth_key, km + 32, 32), 0);
	CU_ASSERT_EQUAL(memcmp(r2i.enc_key, km + 64, 32), 0);
	CU_ASSERT_EQUAL(memcmp(r2i.auth_key, km + 96, 32), 0);
	CU_ASSERT_EQUAL(i2r.spi, 0xeeeeeeeeu);	/* other fields untouched */

	/* without PFS, aes128gcm16: key || salt, 20 octets each, no auth key */
	CU_ASSERT_EQUAL(ike_child_keymat(k2.prf, ch(k2.sk_d, k2.prf_len), ESP_ALG_AES128GCM16,
					 ch(NULL, 0), ch(in.ni, 32), ch(in.nr, 32),
					 &i2r, &r2i), 0);
	CU_ASSERT_EQUAL_FATAL(unhex(IKE_KAT_CHILD_GCM, km), 40);
	CU_ASSERT_EQUAL(i2r.enc_key_len, 20);
	CU_ASSERT_EQUAL(i2r.auth_key_len, 0);
	CU_ASSERT_EQUAL(r2i.enc_key_len, 20);
	CU_ASSERT_EQUAL(memcmp(i2r.enc_key, km, 20), 0);
	CU_ASSERT_EQUAL(memcmp(r2i.enc_key, km + 20, 20), 0);
	gw_sa_desc_wipe(&i2r);
	gw_sa_desc_wipe(&r2i);
	ike_sa_keys_wipe(&k1);
	ike_sa_keys_wipe(&k2);
}

/* ---- Key exchange ---- */

/* One side of a known-answer exchange: our private key priv, expect pub,
 * then with the peer's public value expect the shared secret. */
static void dh_kat_side(uint16_t group, const char *priv, const char *pub,
			const char *peer, const char *gir)
{
	uint8_t d[128], p[IKE_DH_PUB_MAX], s[IKE_DH_SECRET_MAX];
	size_t dlen = unhex(priv, d), plen = unhex(peer, p), our_len;
	struct ike_dh *dh = ike_dh_new_priv(group, d, dlen);
	const uint8_t *our;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dh);
	CU_ASSERT_EQUAL(ike_dh_group(dh), group);
	our = ike_dh_public(dh, &our_len);
	CU_ASSERT_EQUAL(our_len, ike_dh_pub_len(group));
	CU_ASSERT(eq_hex(our, our_len, pub));
	CU_ASSERT_EQUAL(ike_dh_derive(dh, p, plen, s, ike_dh_secret_len(group)), 0);
	CU_ASSERT(eq_hex(s, ike_dh_secret_len(group), gir));
	/* wrong lengths */
	CU_ASSERT_EQUAL(ike_dh_derive(dh, p, plen - 1, s, ike_dh_secret_len(group)), -EINVAL);
	CU_ASSERT_EQUAL(ike_dh_derive(dh, p, plen, s, ike_dh_secret_len(group) + 1), -EINVAL);
	ike_dh_free(dh);
}

static void test_dh_ecp_kat(void)
{
	uint8_t p[IKE_DH_PUB_MAX], s[IKE_DH_SECRET_MAX], d[128];

	for (size_t v = 0; v < ARRAY_LEN(ike_kat_ecp); v++) {
		const struct ike_kat_ecp *t = &ike_kat_ecp[v];
		size_t plen = unhex(t->gr, p), dlen = unhex(t->i, d);
		struct ike_dh *dh;

		dh_kat_side(t->group, t->i, t->gi, t->gr, t->gir);
		dh_kat_side(t->group, t->r, t->gr, t->gi, t->gir);
		dh = ike_dh_new_priv(t->group, d, dlen);
		CU_ASSERT_PTR_NOT_NULL_FATAL(dh);
		p[plen - 1] ^= 1;		/* y changed: not on the curve */
		CU_ASSERT_EQUAL(ike_dh_derive(dh, p, plen, s, ike_dh_secret_len(t->group)),
				-EINVAL);
		memset(p, 0, plen);		/* (0, 0) */
		CU_ASSERT_EQUAL(ike_dh_derive(dh, p, plen, s, ike_dh_secret_len(t->group)),
				-EINVAL);
		ike_dh_free(dh);
	}
}

static void test_dh_x25519(void)
{
	const struct ike_kat_ecp *t = &ike_kat_x25519;
	uint8_t zero[32] = { 0 }, d[32], s[32];
	struct ike_dh *dh;

	dh_kat_side(t->group, t->i, t->gi, t->gr, t->gir);
	dh_kat_side(t->group, t->r, t->gr, t->gi, t->gir);
	/* u = 0 is of small order: the all-zero result is refused (RFC 8031 2.3) */
	unhex(t->i, d);
	dh = ike_dh_new_priv(t->group, d, 32);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dh);
	CU_ASSERT_EQUAL(ike_dh_derive(dh, zero, 32, s, 32), -EINVAL);
	ike_dh_free(dh);
}

/* y as a 256-octet big-endian MODP public value. */
static void modp_value(const BIGNUM *y, uint8_t out[256])
{
	CU_ASSERT_EQUAL(BN_bn2binpad(y, out, 256), 256);
}

static void test_dh_modp(void)
{
	uint8_t sa[256], sb[256], y[256];
	const uint8_t *pa, *pb;
	size_t la, lb;
	struct ike_dh *a = ike_dh_new(IKE_DH_MODP2048), *b = ike_dh_new(IKE_DH_MODP2048);
	BIGNUM *p = BN_get_rfc3526_prime_2048(NULL), *v = BN_new();

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	pa = ike_dh_public(a, &la);
	pb = ike_dh_public(b, &lb);
	CU_ASSERT_EQUAL(la, 256);
	CU_ASSERT_EQUAL(lb, 256);
	CU_ASSERT_NOT_EQUAL(memcmp(pa, pb, 256), 0);
	CU_ASSERT_EQUAL(ike_dh_derive(a, pb, lb, sa, 256), 0);
	CU_ASSERT_EQUAL(ike_dh_derive(b, pa, la, sb, 256), 0);
	CU_ASSERT_EQUAL(memcmp(sa, sb, 256), 0);
	/* 1 < y < p-1: 0, 1, p-1, p and 2^2048-1 are refused */
	BN_zero(v);
	modp_value(v, y);
	CU_ASSERT_EQUAL(ike_dh_derive(a, y, 256, sa, 256), -EINVAL);
	BN_one(v);
	modp_value(v, y);
	CU_ASSERT_EQUAL(ike_dh_derive(a, y, 256, sa, 256), -EINVAL);
	BN_copy(v, p);
	modp_value(v, y);
	CU_ASSERT_EQUAL(ike_dh_derive(a, y, 256, sa, 256), -EINVAL);
	BN_sub_word(v, 1);
	modp_value(v, y);
	CU_ASSERT_EQUAL(ike_dh_derive(a, y, 256, sa, 256), -EINVAL);
	memset(y, 0xff, sizeof(y));
	CU_ASSERT_EQUAL(ike_dh_derive(a, y, 256, sa, 256), -EINVAL);
	CU_ASSERT_PTR_NULL(ike_dh_new_priv(IKE_DH_MODP2048, y, 32));
	BN_free(v);
	BN_free(p);
	ike_dh_free(a);
	ike_dh_free(b);
}

/* Fresh key pairs of every group agree; unsupported groups are refused. */
static void test_dh_all_groups(void)
{
	static const uint16_t groups[] = { IKE_DH_MODP2048, IKE_DH_ECP256, IKE_DH_ECP384,
					   IKE_DH_ECP521, IKE_DH_CURVE25519 };
	uint8_t sa[IKE_DH_SECRET_MAX], sb[IKE_DH_SECRET_MAX];

	for (size_t g = 0; g < ARRAY_LEN(groups); g++) {
		struct ike_dh *a = ike_dh_new(groups[g]), *b = ike_dh_new(groups[g]);
		size_t n = ike_dh_secret_len(groups[g]), la, lb;
		const uint8_t *pa, *pb;

		CU_ASSERT_PTR_NOT_NULL_FATAL(a);
		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
		pa = ike_dh_public(a, &la);
		pb = ike_dh_public(b, &lb);
		CU_ASSERT_EQUAL(la, ike_dh_pub_len(groups[g]));
		CU_ASSERT_EQUAL(ike_dh_derive(a, pb, lb, sa, n), 0);
		CU_ASSERT_EQUAL(ike_dh_derive(b, pa, la, sb, n), 0);
		CU_ASSERT_EQUAL(memcmp(sa, sb, n), 0);
		ike_dh_free(a);
		ike_dh_free(b);
	}
	errno = 0;
	CU_ASSERT_PTR_NULL(ike_dh_new(IKE_DH_NONE));
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_PTR_NULL(ike_dh_new(2));	/* MODP-1024: not offered */
	CU_ASSERT_EQUAL(ike_dh_pub_len(15), 0);
	ike_dh_free(NULL);
}

/* ---- SK / SKF payload ---- */

/* A test message: IKE header, one 12-octet clear payload, then SK or SKF
 * whose inner payloads are plain_len octets of pattern. */
struct test_msg {
	uint8_t b[MSG_MAX];
	size_t len, sk_off, hdr_len, plain_len;
};

static void msg_build(struct test_msg *m, const struct ike_sk_key *k, size_t hdr_len,
		      size_t plain_len)
{
	size_t sk_len = ike_sk_payload_len(k, hdr_len, plain_len);

	CU_ASSERT_FATAL(sk_len != 0);
	memset(m, 0, sizeof(*m));
	for (int i = 0; i < IKE_HDR_LEN; i++)
		m->b[i] = (uint8_t)(0x30 + i);
	m->sk_off = IKE_HDR_LEN + 12;
	m->hdr_len = hdr_len;
	m->plain_len = plain_len;
	m->len = m->sk_off + sk_len;
	CU_ASSERT_FATAL(m->len <= MSG_MAX);
	m->b[24] = (uint8_t)(m->len >> 24);
	m->b[25] = (uint8_t)(m->len >> 16);
	m->b[26] = (uint8_t)(m->len >> 8);
	m->b[27] = (uint8_t)m->len;
	memset(m->b + IKE_HDR_LEN, 0x5a, 12);		/* a clear payload */
	m->b[m->sk_off] = 35;				/* next payload: IDi */
	m->b[m->sk_off + 2] = (uint8_t)(sk_len >> 8);
	m->b[m->sk_off + 3] = (uint8_t)sk_len;
	if (hdr_len == IKE_SKF_HDR_LEN) {
		m->b[m->sk_off + 5] = 2;		/* Fragment Number 2 */
		m->b[m->sk_off + 7] = 3;		/* of 3 */
	}
	for (size_t i = 0; i < plain_len; i++)
		m->b[m->sk_off + hdr_len + ike_sk_iv_len(k) + i] = (uint8_t)(i * 13 + 1);
}

/* The reference: decrypt m's SK payload with EVP directly; out gets the
 * decrypted data (inner payloads, padding, pad length). */
static int ref_decrypt(const struct ike_sk_key *k, const struct test_msg *m, uint8_t *out,
		       size_t *out_len)
{
	size_t iv_off = m->sk_off + m->hdr_len, iv_len = ike_sk_iv_len(k);
	size_t icv_len = ike_sk_icv_len(k), data_off = iv_off + iv_len;
	size_t data_len = m->len - data_off - icv_len;
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int gcm = k->encr == IKE_ENCR_AES_GCM_16, l1 = 0, l2 = 0, ok;
	uint8_t nonce[12], mac[EVP_MAX_MD_SIZE];
	char cipher[32];
	size_t mlen = 0;

	snprintf(cipher, sizeof(cipher), "AES-%d-%s",
		 gcm ? (k->ekey_len - 4) * 8 : k->ekey_len * 8, gcm ? "GCM" : "CBC");
	if (gcm) {
		memcpy(nonce, k->ekey + k->ekey_len - 4, 4);
		memcpy(nonce + 4, m->b + iv_off, 8);
	} else {	/* ICV: HMAC over header .. encrypted data, truncated */
		CU_ASSERT_PTR_NOT_NULL(EVP_Q_mac(NULL, "HMAC", NULL, ike_integ_digest(k->integ),
						 NULL, k->akey, k->akey_len, m->b,
						 m->len - icv_len, mac, sizeof(mac), &mlen));
		if (memcmp(mac, m->b + m->len - icv_len, icv_len) != 0) {
			EVP_CIPHER_CTX_free(c);
			return -1;
		}
	}
	ok = EVP_DecryptInit_ex2(c, EVP_get_cipherbyname(cipher), k->ekey,
				 gcm ? nonce : m->b + iv_off, NULL) &&
	     EVP_CIPHER_CTX_set_padding(c, 0);
	if (gcm)
		ok = ok && EVP_DecryptUpdate(c, NULL, &l1, m->b, (int)iv_off) &&
		     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16,
					 (void *)(m->b + m->len - 16));
	ok = ok && EVP_DecryptUpdate(c, out, &l1, m->b + data_off, (int)data_len) &&
	     EVP_DecryptFinal_ex(c, out + l1, &l2);
	EVP_CIPHER_CTX_free(c);
	*out_len = (size_t)(l1 + l2);
	return ok ? 0 : -1;
}

/* Fill a key of the given algorithm with random key bytes. */
static void sk_key_make(struct ike_sk_key *k, uint16_t encr, size_t ekey_len, uint16_t integ)
{
	memset(k, 0, sizeof(*k));
	k->encr = encr;
	k->integ = integ;
	k->ekey_len = (uint8_t)ekey_len;
	k->akey_len = (uint8_t)ike_integ_key_len(integ);
	CU_ASSERT_EQUAL(RAND_bytes(k->ekey, sizeof(k->ekey)), 1);
	CU_ASSERT_EQUAL(RAND_bytes(k->akey, sizeof(k->akey)), 1);
}

static const struct { uint16_t encr; uint8_t ekey; uint16_t integ; } sk_algs[] = {
	{ IKE_ENCR_AES_GCM_16, 20, IKE_INTEG_NONE },
	{ IKE_ENCR_AES_GCM_16, 36, IKE_INTEG_NONE },
	{ IKE_ENCR_AES_CBC, 16, IKE_INTEG_HMAC_SHA2_256_128 },
	{ IKE_ENCR_AES_CBC, 24, IKE_INTEG_HMAC_SHA2_384_192 },
	{ IKE_ENCR_AES_CBC, 32, IKE_INTEG_HMAC_SHA2_512_256 },
};

/* Round trip through ike_sk_encrypt / the EVP reference / ike_sk_decrypt,
 * for every algorithm, SK and SKF, and several lengths. */
static void test_sk_round_trip(void)
{
	static const size_t lens[] = { 0, 1, 15, 16, 17, 100, 1000 };
	static struct test_msg m, orig;
	uint8_t ref[MSG_MAX];

	for (size_t a = 0; a < ARRAY_LEN(sk_algs); a++)
		for (size_t h = 0; h < 2; h++)
			for (size_t l = 0; l < ARRAY_LEN(lens); l++) {
				struct ike_sk_key k;
				size_t hdr = h ? IKE_SKF_HDR_LEN : IKE_SK_HDR_LEN;
				size_t po = 0, pl = 0, rl = 0;
				size_t data_off;

				sk_key_make(&k, sk_algs[a].encr, sk_algs[a].ekey, sk_algs[a].integ);
				msg_build(&m, &k, hdr, lens[l]);
				orig = m;
				data_off = m.sk_off + hdr + ike_sk_iv_len(&k);
				CU_ASSERT_EQUAL_FATAL(ike_sk_encrypt(&k, m.b, m.len, m.sk_off, hdr,
								     lens[l]), 0);
				/* header and clear payloads untouched, data changed */
				CU_ASSERT_EQUAL(memcmp(m.b, orig.b, m.sk_off + hdr), 0);
				if (lens[l] >= 16)
					CU_ASSERT_NOT_EQUAL(memcmp(m.b + data_off,
							    orig.b + data_off, 16), 0);
				CU_ASSERT_EQUAL(ref_decrypt(&k, &m, ref, &rl), 0);
				CU_ASSERT_EQUAL(memcmp(ref, orig.b + data_off, lens[l]), 0);
				CU_ASSERT_EQUAL(ref[rl - 1], rl - lens[l] - 1);	/* pad length */
				if (k.encr == IKE_ENCR_AES_GCM_16)
					CU_ASSERT_EQUAL(rl, lens[l] + 1);	/* no padding */
				CU_ASSERT_EQUAL(ike_sk_decrypt(&k, m.b, m.len, m.sk_off, hdr, &po,
							       &pl), 0);
				CU_ASSERT_EQUAL(po, data_off);
				CU_ASSERT_EQUAL(pl, lens[l]);
				CU_ASSERT_EQUAL(memcmp(m.b + po, orig.b + data_off, lens[l]), 0);
				ike_sk_key_wipe(&k);
			}
}

/* Any changed octet, from the IKE header to the ICV, fails the check;
 * SKF's Fragment Number is covered (RFC 7383 2.5.3). */
static void test_sk_tamper(void)
{
	static struct test_msg m, enc;

	for (size_t a = 0; a < ARRAY_LEN(sk_algs); a++)
		for (size_t h = 0; h < 2; h++) {
			size_t hdr = h ? IKE_SKF_HDR_LEN : IKE_SK_HDR_LEN, po, pl;
			struct ike_sk_key k;
			const size_t at[] = { 0, 17, IKE_HDR_LEN + 3, 0 /* sk_off */,
					      5 /* SKF frag no */, 0 /* IV */,
					      0 /* data */, 0 /* ICV */ };
			size_t where[ARRAY_LEN(at)];

			sk_key_make(&k, sk_algs[a].encr, sk_algs[a].ekey, sk_algs[a].integ);
			msg_build(&m, &k, hdr, 40);
			CU_ASSERT_EQUAL_FATAL(ike_sk_encrypt(&k, m.b, m.len, m.sk_off, hdr, 40), 0);
			enc = m;
			memcpy(where, at, sizeof(at));
			where[3] = m.sk_off;			/* SK next payload */
			where[4] = m.sk_off + (h ? 5 : 1);	/* fragment number / reserved */
			where[5] = m.sk_off + hdr;
			where[6] = m.sk_off + hdr + ike_sk_iv_len(&k) + 3;
			where[7] = m.len - 1;
			for (size_t w = 0; w < ARRAY_LEN(where); w++) {
				m = enc;
				m.b[where[w]] ^= 0x01;
				CU_ASSERT_EQUAL(ike_sk_decrypt(&k, m.b, m.len, m.sk_off, hdr,
							       &po, &pl), -EBADMSG);
			}
			/* the key of the other direction does not open it */
			m = enc;
			k.ekey[0] ^= 1;
			k.akey[0] ^= 1;
			CU_ASSERT_EQUAL(ike_sk_decrypt(&k, m.b, m.len, m.sk_off, hdr, &po, &pl),
					-EBADMSG);
			ike_sk_key_wipe(&k);
		}
}

/* Malformed layouts are refused before any crypto; GCM IVs never repeat. */
static void test_sk_layout(void)
{
	static struct test_msg m;
	struct ike_sk_key k;
	size_t po, pl;
	uint8_t iv1[8];

	sk_key_make(&k, IKE_ENCR_AES_CBC, 16, IKE_INTEG_HMAC_SHA2_256_128);
	msg_build(&m, &k, IKE_SK_HDR_LEN, 20);
	CU_ASSERT_EQUAL(ike_sk_payload_len(&k, IKE_SK_HDR_LEN, 20), 4 + 16 + 32 + 16);
	CU_ASSERT_EQUAL(ike_sk_block_len(&k), 16);
	/* 21 pads to the same 32 octets as 20; 40 does not fit */
	CU_ASSERT_EQUAL(ike_sk_payload_len(&k, IKE_SK_HDR_LEN, 21), m.len - m.sk_off);
	CU_ASSERT_EQUAL(ike_sk_encrypt(&k, m.b, m.len, m.sk_off, IKE_SK_HDR_LEN, 40), -EINVAL);
	CU_ASSERT_EQUAL(ike_sk_encrypt(&k, m.b, m.len, m.sk_off, 5, 20), -EINVAL);
	m.b[27]++;		/* IKE header length disagrees */
	CU_ASSERT_EQUAL(ike_sk_encrypt(&k, m.b, m.len, m.sk_off, IKE_SK_HDR_LEN, 20), -EINVAL);
	m.b[27]--;
	CU_ASSERT_EQUAL(ike_sk_encrypt(&k, m.b, m.len, m.sk_off, IKE_SK_HDR_LEN, 20), 0);
	/* one octet short: the CBC data is no longer whole blocks */
	m.b[27]--;
	m.b[m.sk_off + 3]--;
	CU_ASSERT_EQUAL(ike_sk_decrypt(&k, m.b, m.len - 1, m.sk_off, IKE_SK_HDR_LEN, &po, &pl),
			-EINVAL);
	CU_ASSERT_EQUAL(ike_sk_decrypt(&k, m.b, 20, 0, IKE_SK_HDR_LEN, &po, &pl), -EINVAL);
	/* the largest plain_len that fits a payload budget */
	for (size_t budget = 40; budget < 200; budget++) {
		size_t n = ike_sk_plain_max(&k, IKE_SK_HDR_LEN, budget);

		if (n == 0)
			continue;
		CU_ASSERT(ike_sk_payload_len(&k, IKE_SK_HDR_LEN, n) <= budget);
		CU_ASSERT(ike_sk_payload_len(&k, IKE_SK_HDR_LEN, n + 1) > budget);
	}
	ike_sk_key_wipe(&k);

	sk_key_make(&k, IKE_ENCR_AES_GCM_16, 20, IKE_INTEG_NONE);
	msg_build(&m, &k, IKE_SK_HDR_LEN, 10);
	CU_ASSERT_EQUAL(ike_sk_encrypt(&k, m.b, m.len, m.sk_off, IKE_SK_HDR_LEN, 10), 0);
	memcpy(iv1, m.b + m.sk_off + 4, 8);
	CU_ASSERT_EQUAL(ike_sk_encrypt(&k, m.b, m.len, m.sk_off, IKE_SK_HDR_LEN, 10), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(iv1, m.b + m.sk_off + 4, 8), 0);
	k.iv_seq = UINT64_MAX;
	CU_ASSERT_EQUAL(ike_sk_encrypt(&k, m.b, m.len, m.sk_off, IKE_SK_HDR_LEN, 10),
			-EOVERFLOW);
	for (size_t budget = 30; budget < 100; budget++) {
		size_t n = ike_sk_plain_max(&k, IKE_SKF_HDR_LEN, budget);

		if (n == 0)
			continue;
		CU_ASSERT_EQUAL(ike_sk_payload_len(&k, IKE_SKF_HDR_LEN, n), budget);
	}
	CU_ASSERT_EQUAL(ike_sk_block_len(&k), 1);
	k.integ = IKE_INTEG_HMAC_SHA2_256_128;	/* GCM with an INTEG: not a key */
	CU_ASSERT_EQUAL(ike_sk_iv_len(&k), 0);
	ike_sk_key_wipe(&k);
}

/* ---- AUTH ---- */

static EVP_PKEY *rsa1, *rsa2, *ec256, *ec384, *ec256b;

/* The AUTH input for the tests: random message, nonce, SK_p and ID. */
struct auth_fixture {
	uint8_t msg[300], nonce[32], skp[48], id[12];
	struct ike_auth_input in;
};

static void auth_fixture(struct auth_fixture *f, uint16_t prf)
{
	CU_ASSERT_EQUAL(RAND_bytes((uint8_t *)f, offsetof(struct auth_fixture, in)), 1);
	f->in.prf = prf;
	f->in.sk_p = ch(f->skp, ike_prf_len(prf));
	f->in.msg = ch(f->msg, sizeof(f->msg));
	f->in.nonce = ch(f->nonce, sizeof(f->nonce));
	f->in.id = ch(f->id, sizeof(f->id));
}

/* The signed octets computed without ike_auth: msg | nonce | HMAC(SK_p, ID'). */
static size_t ref_octets(const struct auth_fixture *f, const char *md, uint8_t *out)
{
	size_t n = 0;

	memcpy(out, f->msg, sizeof(f->msg));
	memcpy(out + sizeof(f->msg), f->nonce, sizeof(f->nonce));
	CU_ASSERT_PTR_NOT_NULL(EVP_Q_mac(NULL, "HMAC", NULL, md, NULL, f->in.sk_p.p,
					 f->in.sk_p.len, f->id, sizeof(f->id),
					 out + sizeof(f->msg) + sizeof(f->nonce), 64, &n));
	return sizeof(f->msg) + sizeof(f->nonce) + n;
}

/* Verify sig (DER for ECDSA) with OpenSSL directly over the octets. */
static int ref_verify(EVP_PKEY *pub, const char *md, int pss, const uint8_t *tbs,
		      size_t tbs_len, const uint8_t *sig, size_t sig_len)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pc = NULL;
	int ok = EVP_DigestVerifyInit_ex(c, &pc, md, NULL, NULL, pub, NULL);

	if (ok && pss)
		ok = EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) > 0 &&
		     EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, RSA_PSS_SALTLEN_DIGEST) > 0;
	ok = ok && EVP_DigestVerify(c, sig, sig_len, tbs, tbs_len) == 1;
	EVP_MD_CTX_free(c);
	return ok;
}

/* r | s -> DER, for ref_verify. */
static size_t rs_to_der(const uint8_t *rs, size_t n, uint8_t *der)
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	uint8_t *p = der;
	int l;

	ECDSA_SIG_set0(s, BN_bin2bn(rs, (int)n, NULL), BN_bin2bn(rs + n, (int)n, NULL));
	l = i2d_ECDSA_SIG(s, &p);
	ECDSA_SIG_free(s);
	return l > 0 ? (size_t)l : 0;
}

static void test_auth_octets(void)
{
	struct auth_fixture f;
	uint8_t a[512], b[512];
	size_t la = 0, lb;

	auth_fixture(&f, IKE_PRF_HMAC_SHA2_384);
	CU_ASSERT_EQUAL(ike_auth_octets(&f.in, a, sizeof(a), &la), 0);
	lb = ref_octets(&f, "SHA2-384", b);
	CU_ASSERT_EQUAL(la, 300 + 32 + 48);
	CU_ASSERT_EQUAL(la, lb);
	CU_ASSERT_EQUAL(memcmp(a, b, la), 0);
	CU_ASSERT_EQUAL(ike_auth_octets(&f.in, a, la - 1, &la), -ENOSPC);
}

/* Methods 1 and 9/10: sign, verify, independent verify, wrong key, tamper. */
static void test_auth_fixed(void)
{
	static const struct {
		EVP_PKEY **key, **other;
		uint8_t method;
		const char *md;
		size_t rs;
	} t[] = {
		{ &rsa1, &rsa2, IKE_AUTH_RSA_SIG, "SHA1", 0 },
		{ &ec256, &ec256b, IKE_AUTH_ECDSA_SHA256_P256, "SHA2-256", 32 },
		{ &ec384, &ec256b, IKE_AUTH_ECDSA_SHA384_P384, "SHA2-384", 48 },
	};
	uint8_t out[IKE_AUTH_DATA_MAX], tbs[512], der[160];
	struct auth_fixture f;

	auth_fixture(&f, IKE_PRF_HMAC_SHA2_256);
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		size_t n = 0, tl = ref_octets(&f, "SHA2-256", tbs), dl;

		CU_ASSERT_EQUAL_FATAL(ike_auth_sign(*t[i].key, t[i].method, 0, false, &f.in, out,
						    sizeof(out), &n), 0);
		CU_ASSERT_EQUAL(n, t[i].rs ? 2 * t[i].rs : 256);
		CU_ASSERT_EQUAL(ike_auth_verify(*t[i].key, t[i].method, &f.in, out, n, NULL), 0);
		dl = t[i].rs ? rs_to_der(out, t[i].rs, der) : n;
		CU_ASSERT(ref_verify(*t[i].key, t[i].md, 0, tbs, tl, t[i].rs ? der : out, dl));
		CU_ASSERT_NOT_EQUAL(ike_auth_verify(*t[i].other, t[i].method, &f.in, out, n,
						    NULL), 0);
		CU_ASSERT_EQUAL(ike_auth_verify(*t[i].key, t[i].method, &f.in, out, n - 1, NULL),
				t[i].rs ? -EINVAL : -EBADMSG);
		f.id[0] ^= 1;	/* another identity */
		CU_ASSERT_EQUAL(ike_auth_verify(*t[i].key, t[i].method, &f.in, out, n, NULL),
				-EBADMSG);
		f.id[0] ^= 1;
	}
	/* method and key must match */
	CU_ASSERT_EQUAL(ike_auth_sign(ec384, IKE_AUTH_ECDSA_SHA256_P256, 0, false, &f.in, out,
				      sizeof(out), &(size_t){ 0 }), -EINVAL);
	CU_ASSERT_EQUAL(ike_auth_sign(ec256, IKE_AUTH_RSA_SIG, 0, false, &f.in, out,
				      sizeof(out), &(size_t){ 0 }), -EINVAL);
	CU_ASSERT_EQUAL(ike_auth_sign(rsa1, IKE_AUTH_ECDSA_SHA512_P521, 0, false, &f.in, out,
				      sizeof(out), &(size_t){ 0 }), -EINVAL);
	CU_ASSERT_EQUAL(ike_auth_sign(rsa1, IKE_AUTH_RSA_SIG, 0, false, &f.in, out, 100,
				      &(size_t){ 0 }), -ENOSPC);
}

/* Method 14 for every scheme and hash. */
static void test_auth_digital_sig(void)
{
	static const struct {
		EVP_PKEY **key, **other;
		bool pss;
		uint8_t hash;
		const char *md;
	} t[] = {
		{ &rsa1, &rsa2, false, IKE_HASH_SHA2_256, "SHA2-256" },
		{ &rsa1, &rsa2, false, IKE_HASH_SHA2_384, "SHA2-384" },
		{ &rsa1, &rsa2, false, IKE_HASH_SHA2_512, "SHA2-512" },
		{ &rsa1, &rsa2, true, IKE_HASH_SHA2_256, "SHA2-256" },
		{ &rsa2, &rsa1, true, IKE_HASH_SHA2_512, "SHA2-512" },
		{ &ec256, &ec256b, false, IKE_HASH_SHA2_256, "SHA2-256" },
		{ &ec384, &ec256b, false, IKE_HASH_SHA2_384, "SHA2-384" },
		{ &ec384, &ec256, false, IKE_HASH_SHA2_512, "SHA2-512" },
	};
	uint8_t out[IKE_AUTH_DATA_MAX], tbs[512];
	struct auth_fixture f;

	auth_fixture(&f, IKE_PRF_HMAC_SHA2_512);
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		int ec = EVP_PKEY_is_a(*t[i].key, "EC");
		enum ike_sig_scheme sc = ec ? IKE_SIG_ECDSA :
					 t[i].pss ? IKE_SIG_RSA_PSS : IKE_SIG_RSA_PKCS1;
		size_t n = 0, al = 0, tl = ref_octets(&f, "SHA2-512", tbs);
		const uint8_t *algid = ike_auth_algid(sc, t[i].hash, &al);
		uint8_t hash = 0;

		CU_ASSERT_PTR_NOT_NULL_FATAL(algid);
		CU_ASSERT_EQUAL_FATAL(ike_auth_sign(*t[i].key, IKE_AUTH_DIGITAL_SIGNATURE, t[i].hash,
						    t[i].pss, &f.in, out, sizeof(out), &n), 0);
		/* length | AlgorithmIdentifier | signature (RFC 7427 3) */
		CU_ASSERT_EQUAL(out[0], al);
		CU_ASSERT_EQUAL(memcmp(out + 1, algid, al), 0);
		CU_ASSERT_EQUAL(ike_auth_verify(*t[i].key, IKE_AUTH_DIGITAL_SIGNATURE, &f.in, out, n,
						&hash), 0);
		CU_ASSERT_EQUAL(hash, t[i].hash);
		CU_ASSERT(ref_verify(*t[i].key, t[i].md, t[i].pss, tbs, tl, out + 1 + al,
				     n - 1 - al));
		CU_ASSERT_EQUAL(ike_auth_verify(*t[i].other, IKE_AUTH_DIGITAL_SIGNATURE, &f.in, out, n,
						NULL), -EBADMSG);
		out[n - 1] ^= 0x40;
		CU_ASSERT_NOT_EQUAL(ike_auth_verify(*t[i].key, IKE_AUTH_DIGITAL_SIGNATURE, &f.in, out,
						    n, NULL), 0);
		out[n - 1] ^= 0x40;
		out[3] ^= 0x01;		/* OID tag 0x06 -> 0x07: unknown AlgorithmIdentifier */
		CU_ASSERT_EQUAL(ike_auth_verify(*t[i].key, IKE_AUTH_DIGITAL_SIGNATURE, &f.in, out, n,
						NULL), -EINVAL);
	}
	/* an ECDSA AlgorithmIdentifier with an RSA key, SHA-1 in method 14 */
	CU_ASSERT_EQUAL(ike_auth_sign(ec256, IKE_AUTH_DIGITAL_SIGNATURE, IKE_HASH_SHA2_256, false,
				      &f.in, out, sizeof(out), &(size_t){ 0 }), 0);
	CU_ASSERT_EQUAL(ike_auth_verify(rsa1, IKE_AUTH_DIGITAL_SIGNATURE, &f.in, out, 80, NULL),
			-EINVAL);
	CU_ASSERT_EQUAL(ike_auth_sign(rsa1, IKE_AUTH_DIGITAL_SIGNATURE, IKE_HASH_SHA1, false, &f.in,
				      out, sizeof(out), &(size_t){ 0 }), -EINVAL);
	CU_ASSERT_EQUAL(ike_auth_verify(rsa1, IKE_AUTH_DIGITAL_SIGNATURE, &f.in, out, 0, NULL),
			-EINVAL);
}

/* OpenSSL's own DER AlgorithmIdentifier for md with key (PSS: salt = hash). */
static size_t openssl_algid(EVP_PKEY *key, const char *md, int pss, uint8_t *out, size_t cap)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pc = NULL;
	OSSL_PARAM p[2];
	size_t n = 0;

	p[0] = OSSL_PARAM_construct_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, out, cap);
	p[1] = OSSL_PARAM_construct_end();
	if (EVP_DigestSignInit_ex(c, &pc, md, NULL, NULL, key, NULL) &&
	    (!pss || (EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) > 0 &&
		      EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, RSA_PSS_SALTLEN_DIGEST) > 0)) &&
	    EVP_PKEY_CTX_get_params(pc, p) && OSSL_PARAM_modified(&p[0]))
		n = p[0].return_size;
	EVP_MD_CTX_free(c);
	return n;
}

static void test_auth_algid(void)
{
	static const struct {
		enum ike_sig_scheme sc;
		uint8_t hash;
		const char *rfc7427;	/* appendix A, or NULL: not there */
		const char *md;
	} t[] = {
		{ IKE_SIG_RSA_PKCS1, IKE_HASH_SHA2_256, IKE_KAT_ALGID_RSA256, "SHA2-256" },
		{ IKE_SIG_RSA_PKCS1, IKE_HASH_SHA2_384, IKE_KAT_ALGID_RSA384, "SHA2-384" },
		{ IKE_SIG_RSA_PKCS1, IKE_HASH_SHA2_512, IKE_KAT_ALGID_RSA512, "SHA2-512" },
		{ IKE_SIG_ECDSA, IKE_HASH_SHA2_256, IKE_KAT_ALGID_ECDSA256, "SHA2-256" },
		{ IKE_SIG_ECDSA, IKE_HASH_SHA2_384, IKE_KAT_ALGID_ECDSA384, "SHA2-384" },
		{ IKE_SIG_ECDSA, IKE_HASH_SHA2_512, IKE_KAT_ALGID_ECDSA512, "SHA2-512" },
		{ IKE_SIG_RSA_PSS, IKE_HASH_SHA2_256, IKE_KAT_ALGID_PSS256, "SHA2-256" },
		{ IKE_SIG_RSA_PSS, IKE_HASH_SHA2_384, NULL, "SHA2-384" },
		{ IKE_SIG_RSA_PSS, IKE_HASH_SHA2_512, NULL, "SHA2-512" },
	};
	uint8_t ossl[128];
	size_t n, on;

	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		const uint8_t *der = ike_auth_algid(t[i].sc, t[i].hash, &n);

		CU_ASSERT_PTR_NOT_NULL_FATAL(der);
		if (t[i].rfc7427 != NULL)
			CU_ASSERT(eq_hex(der, n, t[i].rfc7427));
		on = openssl_algid(t[i].sc == IKE_SIG_ECDSA ? ec256 : rsa1, t[i].md,
				   t[i].sc == IKE_SIG_RSA_PSS, ossl, sizeof(ossl));
		if (t[i].rfc7427 == NULL)	/* then OpenSSL must be able to tell */
			CU_ASSERT_FATAL(on != 0);
		if (on != 0) {
			CU_ASSERT_EQUAL(on, n);
			CU_ASSERT_EQUAL(memcmp(ossl, der, n), 0);
		}
	}
	CU_ASSERT_PTR_NULL(ike_auth_algid(IKE_SIG_ECDSA, IKE_HASH_SHA1, &n));
}

static int suite_init(void)
{
	rsa1 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	rsa2 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	ec256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ec256b = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ec384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	return rsa1 && rsa2 && ec256 && ec256b && ec384 ? 0 : -1;
}

static int suite_fini(void)
{
	EVP_PKEY_free(rsa1);
	EVP_PKEY_free(rsa2);
	EVP_PKEY_free(ec256);
	EVP_PKEY_free(ec256b);
	EVP_PKEY_free(ec384);
	return 0;
}

int main(void)
{
	static const struct test_case tests[] = {
		{ "HMAC-SHA2 known answers (RFC 4231)", test_hmac_kat },
		{ "prf+ (RFC 7296 2.13) vs Python", test_prf_plus },
		{ "SKEYSEED and IKE SA keys (2.14) vs Python", test_ike_sa_keys },
		{ "IKE SA rekey (2.18) and CHILD KEYMAT (2.17) vs Python", test_rekey_and_child },
		{ "ECP-256/384/521 known answers (RFC 5903 8)", test_dh_ecp_kat },
		{ "X25519 known answer (RFC 7748 6.1), zero refused", test_dh_x25519 },
		{ "MODP-2048 agreement and 1 < y < p-1", test_dh_modp },
		{ "every group agrees with itself", test_dh_all_groups },
		{ "SK/SKF round trip, EVP cross-check", test_sk_round_trip },
		{ "SK/SKF tampering detected", test_sk_tamper },
		{ "SK layout checks and GCM IVs", test_sk_layout },
		{ "AUTH signed octets (2.15)", test_auth_octets },
		{ "AUTH methods 1, 9, 10", test_auth_fixed },
		{ "AUTH method 14 (RFC 7427)", test_auth_digital_sig },
		{ "RFC 7427 AlgorithmIdentifiers", test_auth_algid },
	};
	if (test_suite("ike_crypto", suite_init, suite_fini, tests, ARRAY_LEN(tests)) != 0)
		return 1;
	return test_run();
}
