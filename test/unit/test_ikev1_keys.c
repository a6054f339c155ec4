/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit suite for the IKEv1 key schedule and message encryption
 * (controlplane/ikev1/ikev1_keys.c, ikev1_crypt.c): SKEYID*, Ka, phase-1
 * and phase-2 IVs, HASH_I/R (RSA and the ECDSA methods' HMAC), QM HASH(1),
 * (2), (3), KEYMAT with and without PFS into struct gw_sa_desc, NAT-D, and
 * AES-CBC with App. B chaining, all against ikev1_vectors.h, which
 * test/unit/ikev1_vectors.py computes with Python's hmac/hashlib and
 * cryptography; four strongSwan 5.9.8 exchanges (ikev1_swan_capture.h:
 * RSA and ECDSA Main Mode with fragments, Quick Mode with and without PFS,
 * groups 14, 19, 20, 31) replayed through the codec and the key schedule
 * against what charon logged, the SIG payloads verified; argument checks.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <CUnit/Basic.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "controlplane/ikev1/ikev1_keys.h"
#include "controlplane/ikev1/ikev1_msg.h"
#include "test/unit/ikev1_swan_capture.h"
#include "test/unit/ikev1_vectors.h"
#include "test/unit/test_eal.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The vector script's inputs: octet i = (i * 7 + seed * 13 + 1) & 0xff. */
static struct ike_chunk pattern(uint8_t *buf, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(i * 7 + seed * 13 + 1);
	return (struct ike_chunk){ buf, n };
}

static size_t unhex(const char *h, uint8_t *out)
{
	size_t n = strlen(h) / 2;

	for (size_t i = 0; i < n; i++)
		CU_ASSERT_EQUAL(sscanf(h + 2 * i, "%2hhx", &out[i]), 1);
	return n;
}

static int eq_hex(const uint8_t *p, size_t len, const char *h)
{
	uint8_t b[512];

	return strlen(h) == 2 * len && unhex(h, b) == len && memcmp(p, b, len) == 0;
}

struct inputs {
	uint8_t ni[16], nr[32], gxy[256], gxi[64], gxr[64], ci[8], cr[8];
	uint8_t sai[52], idi[20], idr[24], after[90], qm_gxy[32], p1_last[16];
	struct ike_chunk c_ni, c_nr, c_gxy, c_gxi, c_gxr, c_sai, c_idi, c_idr, c_after, c_qm;
};

static void inputs_make(struct inputs *in)
{
	in->c_ni = pattern(in->ni, sizeof(in->ni), 1);
	in->c_nr = pattern(in->nr, sizeof(in->nr), 2);
	in->c_gxy = pattern(in->gxy, sizeof(in->gxy), 3);
	in->c_gxi = pattern(in->gxi, sizeof(in->gxi), 4);
	in->c_gxr = pattern(in->gxr, sizeof(in->gxr), 5);
	pattern(in->ci, 8, 6);
	pattern(in->cr, 8, 7);
	in->c_sai = pattern(in->sai, sizeof(in->sai), 8);
	in->c_idi = pattern(in->idi, sizeof(in->idi), 9);
	in->c_idr = pattern(in->idr, sizeof(in->idr), 10);
	in->c_after = pattern(in->after, sizeof(in->after), 11);
	in->c_qm = pattern(in->qm_gxy, sizeof(in->qm_gxy), 12);
	pattern(in->p1_last, sizeof(in->p1_last), 13);
}

static void test_phase1_keys(void)
{
	struct inputs in;

	inputs_make(&in);
	for (size_t i = 0; i < ARRAY_LEN(ikev1_kat); i++) {
		const struct ikev1_kat *v = &ikev1_kat[i];
		struct ikev1_keys k;
		struct ikev1_iv iv;
		uint8_t o[IKEV1_HASH_MAX];
		size_t ol = 0, hl;

		CU_ASSERT_EQUAL_FATAL(ikev1_keys_derive(v->hash, v->auth, v->key_bits, in.c_ni,
							in.c_nr, in.c_gxy, in.c_gxi, in.c_gxr,
							in.ci, in.cr, &k, &iv), 0);
		hl = ikev1_hash_len(v->hash);
		CU_ASSERT_EQUAL(k.hash_len, hl);
		CU_ASSERT(eq_hex(k.skeyid, hl, v->skeyid));
		CU_ASSERT(eq_hex(k.skeyid_d, hl, v->skeyid_d));
		CU_ASSERT(eq_hex(k.skeyid_a, hl, v->skeyid_a));
		CU_ASSERT(eq_hex(k.skeyid_e, hl, v->skeyid_e));
		CU_ASSERT_EQUAL(k.enc_key_len, v->key_bits / 8);
		CU_ASSERT(eq_hex(k.enc_key, k.enc_key_len, v->ka));
		CU_ASSERT_EQUAL(iv.len, 16);
		CU_ASSERT(eq_hex(iv.iv, 16, v->iv1));

		CU_ASSERT_EQUAL(ikev1_hash_auth(&k, true, in.c_gxi, in.c_gxr, in.ci, in.cr,
						in.c_sai, in.c_idi, o, &ol), 0);
		CU_ASSERT(eq_hex(o, ol, v->hash_i));
		CU_ASSERT_EQUAL(ikev1_hash_auth(&k, false, in.c_gxi, in.c_gxr, in.ci, in.cr,
						in.c_sai, in.c_idr, o, &ol), 0);
		CU_ASSERT(eq_hex(o, ol, v->hash_r));
		/* the received HASH compared in constant time */
		CU_ASSERT_EQUAL(ikev1_hash_check(o, ol, (struct ike_view){ o, ol }), 0);
		CU_ASSERT_EQUAL(ikev1_hash_check(o, ol, (struct ike_view){ o, ol - 1 }), -EBADMSG);
		CU_ASSERT_EQUAL(ikev1_hash_check(o, ol, (struct ike_view){ NULL, 0 }), -EBADMSG);
		ikev1_keys_wipe(&k);
		CU_ASSERT_EQUAL(k.hash_len, 0);
	}
}

static void test_phase2_hashes(void)
{
	struct inputs in;

	inputs_make(&in);
	for (size_t i = 0; i < ARRAY_LEN(ikev1_kat); i++) {
		const struct ikev1_kat *v = &ikev1_kat[i];
		struct ikev1_iv iv, p1 = { .len = 16 };
		struct ikev1_keys k;
		uint8_t o[IKEV1_HASH_MAX];
		size_t ol = 0;

		CU_ASSERT_EQUAL_FATAL(ikev1_keys_derive(v->hash, v->auth, v->key_bits, in.c_ni,
							in.c_nr, in.c_gxy, in.c_gxi, in.c_gxr,
							in.ci, in.cr, &k, &iv), 0);
		memcpy(p1.iv, in.p1_last, 16);
		CU_ASSERT_EQUAL(ikev1_iv_phase2(v->hash, &p1, IKEV1_V_MSG_ID, &iv), 0);
		CU_ASSERT(eq_hex(iv.iv, 16, v->iv2));
		CU_ASSERT_EQUAL(ikev1_hash1(&k, IKEV1_V_MSG_ID, in.c_after, o, &ol), 0);
		CU_ASSERT(eq_hex(o, ol, v->hash1));
		CU_ASSERT_EQUAL(ikev1_hash2(&k, IKEV1_V_MSG_ID, in.c_ni, in.c_after, o, &ol), 0);
		CU_ASSERT(eq_hex(o, ol, v->hash2));
		CU_ASSERT_EQUAL(ikev1_hash3(&k, IKEV1_V_MSG_ID, in.c_ni, in.c_nr, o, &ol), 0);
		CU_ASSERT(eq_hex(o, ol, v->hash3));
		ikev1_keys_wipe(&k);
	}
}

static void check_keymat(const struct gw_sa_desc *i2r, const struct gw_sa_desc *r2i,
			 const struct ikev1_kat_esp *e, const char *hex)
{
	uint8_t want[2 * 100];
	size_t n = unhex(hex, want), one = e->enc + e->auth;

	CU_ASSERT_EQUAL_FATAL(n, 2 * one);
	CU_ASSERT_EQUAL(i2r->enc_key_len, e->enc);
	CU_ASSERT_EQUAL(i2r->auth_key_len, e->auth);
	CU_ASSERT_EQUAL(r2i->enc_key_len, e->enc);
	CU_ASSERT_EQUAL(r2i->auth_key_len, e->auth);
	CU_ASSERT(memcmp(i2r->enc_key, want, e->enc) == 0);
	CU_ASSERT(memcmp(i2r->auth_key, want + e->enc, e->auth) == 0);
	CU_ASSERT(memcmp(r2i->enc_key, want + one, e->enc) == 0);
	CU_ASSERT(memcmp(r2i->auth_key, want + one + e->enc, e->auth) == 0);
	CU_ASSERT_EQUAL(i2r->spi, IKEV1_V_SPI_R);
	CU_ASSERT_EQUAL(r2i->spi, IKEV1_V_SPI_I);
}

static void test_keymat(void)
{
	struct inputs in;

	inputs_make(&in);
	for (size_t i = 0; i < ARRAY_LEN(ikev1_kat); i++) {
		const struct ikev1_kat *v = &ikev1_kat[i];
		struct ikev1_keys k;
		struct ikev1_iv iv;

		CU_ASSERT_EQUAL_FATAL(ikev1_keys_derive(v->hash, v->auth, v->key_bits, in.c_ni,
							in.c_nr, in.c_gxy, in.c_gxi, in.c_gxr,
							in.ci, in.cr, &k, &iv), 0);
		for (size_t a = 0; a < ARRAY_LEN(ikev1_kat_esp); a++) {
			const struct ikev1_kat_esp *e = &ikev1_kat_esp[a];
			struct gw_sa_desc i2r, r2i;
			struct ike_chunk none = { NULL, 0 };

			memset(&i2r, 0xee, sizeof(i2r));
			memset(&r2i, 0xee, sizeof(r2i));
			i2r.dir = r2i.dir = 7;
			CU_ASSERT_EQUAL(ikev1_child_keymat(&k, (enum esp_alg)e->alg, none, in.c_ni,
							   in.c_nr, IKEV1_V_SPI_I, IKEV1_V_SPI_R,
							   &i2r, &r2i), 0);
			check_keymat(&i2r, &r2i, e, v->keymat[a]);
			CU_ASSERT_EQUAL(i2r.dir, 7);	/* other fields left alone */
			CU_ASSERT_EQUAL(ikev1_child_keymat(&k, (enum esp_alg)e->alg, in.c_qm,
							   in.c_ni, in.c_nr, IKEV1_V_SPI_I,
							   IKEV1_V_SPI_R, &i2r, &r2i), 0);
			check_keymat(&i2r, &r2i, e, v->keymat_pfs[a]);
			gw_sa_desc_wipe(&i2r);
			gw_sa_desc_wipe(&r2i);
		}
		ikev1_keys_wipe(&k);
	}
}

static void test_natd(void)
{
	uint8_t ci[8], cr[8], o[IKEV1_HASH_MAX];
	struct gw_addr a4 = { .family = AF_INET }, a6 = { .family = AF_INET6 }, bad = { 0 };
	size_t ol = 0;

	pattern(ci, 8, 6);
	pattern(cr, 8, 7);
	CU_ASSERT_EQUAL(inet_pton(AF_INET, "192.0.2.1", &a4.v4), 1);
	CU_ASSERT_EQUAL(inet_pton(AF_INET6, "2001:db8::1", a6.v6), 1);
	for (size_t i = 0; i < ARRAY_LEN(ikev1_kat); i++) {
		const struct ikev1_kat *v = &ikev1_kat[i];

		CU_ASSERT_EQUAL(ikev1_natd_hash(v->hash, ci, cr, &a4, 4500, o, &ol), 0);
		CU_ASSERT(eq_hex(o, ol, v->natd4));
		CU_ASSERT_EQUAL(ikev1_natd_hash(v->hash, ci, cr, &a6, 500, o, &ol), 0);
		CU_ASSERT(eq_hex(o, ol, v->natd6));
	}
	CU_ASSERT_EQUAL(ikev1_natd_hash(IKEV1_HASH_SHA2_256, ci, cr, &bad, 500, o, &ol), -EINVAL);
	CU_ASSERT_EQUAL(ikev1_natd_hash(1, ci, cr, &a4, 500, o, &ol), -EINVAL);
}

static void test_enc_key_expand(void)
{
	static const char *const want[] = { ikev1_kat_ka_expand_4, ikev1_kat_ka_expand_5,
					    ikev1_kat_ka_expand_6 };
	uint8_t e[16], out[32], big[IKEV1_HASH_MAX];

	pattern(e, sizeof(e), 14);
	for (uint16_t h = IKEV1_HASH_SHA2_256; h <= IKEV1_HASH_SHA2_512; h++) {
		memset(out, 0, sizeof(out));
		CU_ASSERT_EQUAL(ikev1_enc_key(h, e, sizeof(e), 32, out), 0);
		CU_ASSERT(eq_hex(out, 32, want[h - IKEV1_HASH_SHA2_256]));
	}
	/* long enough: truncation */
	pattern(big, sizeof(big), 20);
	CU_ASSERT_EQUAL(ikev1_enc_key(IKEV1_HASH_SHA2_256, big, 32, 24, out), 0);
	CU_ASSERT(memcmp(out, big, 24) == 0);
	CU_ASSERT_EQUAL(ikev1_enc_key(IKEV1_HASH_SHA2_256, big, 32, 33, out), -EINVAL);
	CU_ASSERT_EQUAL(ikev1_enc_key(IKEV1_HASH_SHA2_256, big, 32, 0, out), -EINVAL);
	CU_ASSERT_EQUAL(ikev1_enc_key(2, big, 32, 16, out), -EINVAL);	/* SHA-1: no */
}

static void test_cbc_chaining(void)
{
	uint8_t key[32], key128[16], m1[48], m2[32], buf[48];
	struct ikev1_iv iv = { .len = 16 }, next, next2;

	pattern(key, 32, 15);
	pattern(key128, 16, 19);
	pattern(iv.iv, 16, 16);
	pattern(m1, 48, 17);
	pattern(m2, 32, 18);

	memcpy(buf, m1, 48);
	CU_ASSERT_EQUAL(ikev1_msg_encrypt(key, 32, &iv, buf, 48, &next), 0);
	CU_ASSERT(eq_hex(buf, 48, ikev1_kat_cbc_c1));
	CU_ASSERT(memcmp(next.iv, buf + 32, 16) == 0);
	/* the receiver: decrypt, and the same next IV */
	CU_ASSERT_EQUAL(ikev1_msg_decrypt(key, 32, &iv, buf, 48, &next2), 0);
	CU_ASSERT(memcmp(buf, m1, 48) == 0);
	CU_ASSERT(memcmp(next.iv, next2.iv, 16) == 0);
	/* message 2 under the chained IV, in place on the IV state itself */
	memcpy(buf, m2, 32);
	CU_ASSERT_EQUAL(ikev1_msg_encrypt(key, 32, &next, buf, 32, &next), 0);
	CU_ASSERT(eq_hex(buf, 32, ikev1_kat_cbc_c2));
	CU_ASSERT_EQUAL(ikev1_msg_decrypt(key, 32, &next2, buf, 32, &next2), 0);
	CU_ASSERT(memcmp(buf, m2, 32) == 0);
	CU_ASSERT(memcmp(next.iv, next2.iv, 16) == 0);

	memcpy(buf, m1, 48);
	CU_ASSERT_EQUAL(ikev1_msg_encrypt(key128, 16, &iv, buf, 48, &next), 0);
	CU_ASSERT(eq_hex(buf, 48, ikev1_kat_cbc128_c1));

	/* bad arguments leave the buffer alone */
	memcpy(buf, m1, 48);
	CU_ASSERT_EQUAL(ikev1_msg_encrypt(key, 32, &iv, buf, 47, &next), -EINVAL);
	CU_ASSERT_EQUAL(ikev1_msg_encrypt(key, 32, &iv, buf, 0, &next), -EINVAL);
	CU_ASSERT_EQUAL(ikev1_msg_encrypt(key, 20, &iv, buf, 48, &next), -EINVAL);
	iv.len = 8;
	CU_ASSERT_EQUAL(ikev1_msg_decrypt(key, 32, &iv, buf, 48, &next), -EINVAL);
	CU_ASSERT(memcmp(buf, m1, 48) == 0);
}

static void test_bad_args(void)
{
	struct inputs in;
	struct ikev1_keys k;
	struct ikev1_iv iv, p1 = { .len = 8 };
	struct ike_chunk empty = { NULL, 0 };
	struct gw_sa_desc a, b;
	uint8_t o[IKEV1_HASH_MAX];

	inputs_make(&in);
	memset(&k, 0x5a, sizeof(k));
	/* SHA-1 and MD5 phase 1 are not offered */
	CU_ASSERT_EQUAL(ikev1_keys_derive(2, 3, 128, in.c_ni, in.c_nr, in.c_gxy, in.c_gxi,
					  in.c_gxr, in.ci, in.cr, &k, &iv), -EINVAL);
	CU_ASSERT_EQUAL(ikev1_keys_derive(4, 3, 100, in.c_ni, in.c_nr, in.c_gxy, in.c_gxi,
					  in.c_gxr, in.ci, in.cr, &k, &iv), -EINVAL);
	CU_ASSERT_EQUAL(ikev1_keys_derive(4, 3, 128, empty, in.c_nr, in.c_gxy, in.c_gxi,
					  in.c_gxr, in.ci, in.cr, &k, &iv), -EINVAL);
	CU_ASSERT_EQUAL(ikev1_keys_derive(4, 3, 128, in.c_ni, in.c_nr, empty, in.c_gxi,
					  in.c_gxr, in.ci, in.cr, &k, &iv), -EINVAL);
	CU_ASSERT_EQUAL(k.skeyid[0], 0x5a);	/* nothing committed */
	CU_ASSERT_EQUAL(ikev1_iv_phase2(4, &p1, 1, &iv), -EINVAL);
	CU_ASSERT_EQUAL(ikev1_keys_derive(4, 3, 128, in.c_ni, in.c_nr, in.c_gxy, in.c_gxi,
					  in.c_gxr, in.ci, in.cr, &k, &iv), 0);
	CU_ASSERT_EQUAL(ikev1_keymat(&k, empty, 3, 1, in.c_ni, in.c_nr, o, 0, o, 0), -EINVAL);
	CU_ASSERT_EQUAL(ikev1_keymat(&k, empty, 3, 1, in.c_ni, in.c_nr, o, 64, o, 64), -EINVAL);
	CU_ASSERT_EQUAL(ikev1_child_keymat(&k, ESP_ALG_COUNT, empty, in.c_ni, in.c_nr, 1, 2,
					   &a, &b), -EINVAL);
	ikev1_keys_wipe(&k);
}

/* ---- strongSwan exchanges replayed ---- */

enum { SWAN_MSG_MAX = 16, SWAN_DGRAM_MAX = 8192 };

struct swan_msgs {
	uint8_t d[SWAN_MSG_MAX][SWAN_DGRAM_MAX];
	size_t len[SWAN_MSG_MAX];
	unsigned n, n_frags;
};

/* The capture's datagrams as messages, IKEv1 fragments joined. */
static void swan_messages(const struct ikev1_swan_capture *c, struct swan_msgs *out)
{
	static uint8_t dg[SWAN_DGRAM_MAX];
	static struct ikev1_msg m;
	size_t joined = 0;

	out->n = out->n_frags = 0;
	for (unsigned i = 0; i < c->n_dgrams && out->n < SWAN_MSG_MAX; i++) {
		size_t n = unhex(c->dgrams[i].hex, dg);

		CU_ASSERT_EQUAL_FATAL(ikev1_msg_parse(dg, n, &m), IKEV1_MSG_OK);
		if (m.n_frag == 0) {
			memcpy(out->d[out->n], dg, n);
			out->len[out->n++] = n;
			continue;
		}
		CU_ASSERT_EQUAL(m.frag.id, IKEV1_FRAG_ID);
		CU_ASSERT_EQUAL(m.hdr.msg_id, 0);
		CU_ASSERT_FATAL(joined + m.frag.data.len <= SWAN_DGRAM_MAX);
		memcpy(out->d[out->n] + joined, m.frag.data.p, m.frag.data.len);
		joined += m.frag.data.len;
		out->n_frags++;
		if (m.frag.last) {
			out->len[out->n++] = joined;
			joined = 0;
		}
	}
}

/* The public key of the first CERT payload. */
static EVP_PKEY *swan_cert_key(const struct ikev1_msg *m)
{
	const unsigned char *p;
	EVP_PKEY *k;
	X509 *x;

	if (m->n_cert == 0)
		return NULL;
	p = m->cert[0].data.p;
	x = d2i_X509(NULL, &p, (long)m->cert[0].data.len);
	k = x ? X509_get_pubkey(x) : NULL;
	X509_free(x);
	return k;
}

/* SIG over HASH_I/R: RSA PKCS#1 v1.5 without DigestInfo; ECDSA r | s over
 * the bare hash. */
static bool swan_sig_ok(const struct ikev1_msg *m, uint16_t auth, const uint8_t *h, size_t hl)
{
	EVP_PKEY *k = swan_cert_key(m);
	EVP_PKEY_CTX *ctx = k ? EVP_PKEY_CTX_new(k, NULL) : NULL;
	bool ok = false;

	if (ctx == NULL || m->n_sig != 1)
		goto out;
	if (auth == IKEV1_AUTH_RSA_SIG) {
		uint8_t rec[1024];
		size_t rl = sizeof(rec);

		ok = EVP_PKEY_verify_recover_init(ctx) == 1 &&
		     EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
		     EVP_PKEY_verify_recover(ctx, rec, &rl, m->sig.p, m->sig.len) == 1 &&
		     rl == hl && memcmp(rec, h, hl) == 0;
	} else {
		ECDSA_SIG *es = ECDSA_SIG_new();
		size_t half = m->sig.len / 2;
		unsigned char *der = NULL;
		int dl;

		ECDSA_SIG_set0(es, BN_bin2bn(m->sig.p, (int)half, NULL),
			       BN_bin2bn(m->sig.p + half, (int)half, NULL));
		dl = i2d_ECDSA_SIG(es, &der);
		ok = dl > 0 && EVP_PKEY_verify_init(ctx) == 1 &&
		     EVP_PKEY_verify(ctx, der, (size_t)dl, h, hl) == 1;
		OPENSSL_free(der);
		ECDSA_SIG_free(es);
	}
out:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(k);
	return ok;
}

static struct ike_chunk chunk_of(struct ike_view v)
{
	return (struct ike_chunk){ v.p, v.len };
}

struct swan_state {
	struct swan_msgs msgs;
	struct ikev1_msg m1, m2, m3, m4, m5, m6, qm[3];
	struct ikev1_keys k;
	struct ikev1_iv p1_last;
	uint8_t gxy[512];
	size_t gxy_len;
};

/* Main Mode: keys, IVs, HASH_I/R, signatures, NAT-D. */
static void swan_main_mode(const struct ikev1_swan_capture *c, struct swan_state *st)
{
	struct swan_msgs *ms = &st->msgs;
	const struct ikev1_xform *x;
	struct ikev1_iv iv, next;
	struct gw_addr resp = { .family = AF_INET };
	uint8_t h[IKEV1_HASH_MAX];
	size_t hl = 0;
	unsigned xf = 99;
	bool natd = false;

	CU_ASSERT_EQUAL_FATAL(ikev1_msg_parse(ms->d[0], ms->len[0], &st->m1), IKEV1_MSG_OK);
	CU_ASSERT_EQUAL_FATAL(ikev1_msg_parse(ms->d[1], ms->len[1], &st->m2), IKEV1_MSG_OK);
	CU_ASSERT_EQUAL_FATAL(ikev1_msg_parse(ms->d[2], ms->len[2], &st->m3), IKEV1_MSG_OK);
	CU_ASSERT_EQUAL_FATAL(ikev1_msg_parse(ms->d[3], ms->len[3], &st->m4), IKEV1_MSG_OK);
	CU_ASSERT_EQUAL_FATAL(ikev1_sa_check_reply(&st->m2.sa, IKEV1_PROTO_ISAKMP, st->m1.sa.xforms,
						   st->m1.sa.n_xforms, &xf), 0);
	x = &st->m2.sa.xforms[xf];
	CU_ASSERT_FATAL(st->m3.n_ke == 1 && st->m3.n_nonce == 1 && st->m4.n_ke == 1 &&
			st->m4.n_nonce == 1);
	/* NAT-D of the responder's address as the initiator sent it */
	CU_ASSERT_EQUAL(inet_pton(AF_INET, c->resp_ip, &resp.v4), 1);
	CU_ASSERT_EQUAL(ikev1_natd_hash(x->hash, st->m1.hdr.icookie, st->m2.hdr.rcookie, &resp,
					c->resp_port, h, &hl), 0);
	for (unsigned i = 0; i < st->m3.n_natd; i++)
		natd |= st->m3.natd[i].len == hl && memcmp(st->m3.natd[i].p, h, hl) == 0;
	CU_ASSERT(natd);

	st->gxy_len = unhex(c->gxy, st->gxy);
	CU_ASSERT_EQUAL_FATAL(ikev1_keys_derive(x->hash, x->auth, x->key_len,
						chunk_of(st->m3.nonce), chunk_of(st->m4.nonce),
						(struct ike_chunk){ st->gxy, st->gxy_len },
						chunk_of(st->m3.ke), chunk_of(st->m4.ke),
						st->m1.hdr.icookie, st->m2.hdr.rcookie, &st->k, &iv), 0);
	CU_ASSERT(eq_hex(st->k.skeyid, st->k.hash_len, c->skeyid));
	CU_ASSERT(eq_hex(st->k.skeyid_d, st->k.hash_len, c->skeyid_d));
	CU_ASSERT(eq_hex(st->k.skeyid_a, st->k.hash_len, c->skeyid_a));
	CU_ASSERT(eq_hex(st->k.skeyid_e, st->k.hash_len, c->skeyid_e));
	CU_ASSERT(eq_hex(st->k.enc_key, st->k.enc_key_len, c->ka));
	CU_ASSERT(eq_hex(iv.iv, 16, c->iv1));

	/* MM5: decrypted in place, parsed with its padding, HASH_I and SIG_I */
	CU_ASSERT_EQUAL_FATAL(ikev1_msg_decrypt(st->k.enc_key, st->k.enc_key_len, &iv,
						ms->d[4] + 28, ms->len[4] - 28, &next), 0);
	CU_ASSERT(eq_hex(next.iv, 16, c->iv_mm5));
	CU_ASSERT_EQUAL_FATAL(ikev1_msg_parse_plain(ms->d[4], ms->len[4], &st->m5), IKEV1_MSG_OK);
	CU_ASSERT_FATAL(st->m5.n_id == 1 && st->m5.n_sig == 1 && st->m5.n_cert >= 1);
	CU_ASSERT_EQUAL(ikev1_hash_auth(&st->k, true, chunk_of(st->m3.ke), chunk_of(st->m4.ke),
					st->m1.hdr.icookie, st->m2.hdr.rcookie,
					chunk_of(st->m1.sa.body), chunk_of(st->m5.id[0].body), h,
					&hl), 0);
	CU_ASSERT(eq_hex(h, hl, c->hash_i));
	CU_ASSERT(swan_sig_ok(&st->m5, x->auth, h, hl));
	/* MM6 under the chained IV */
	iv = next;
	CU_ASSERT_EQUAL_FATAL(ikev1_msg_decrypt(st->k.enc_key, st->k.enc_key_len, &iv,
						ms->d[5] + 28, ms->len[5] - 28, &next), 0);
	CU_ASSERT(eq_hex(next.iv, 16, c->iv_mm6));
	CU_ASSERT_EQUAL_FATAL(ikev1_msg_parse_plain(ms->d[5], ms->len[5], &st->m6), IKEV1_MSG_OK);
	CU_ASSERT_FATAL(st->m6.n_id == 1 && st->m6.n_sig == 1);
	CU_ASSERT_EQUAL(ikev1_hash_auth(&st->k, false, chunk_of(st->m3.ke), chunk_of(st->m4.ke),
					st->m1.hdr.icookie, st->m2.hdr.rcookie,
					chunk_of(st->m1.sa.body), chunk_of(st->m6.id[0].body), h,
					&hl), 0);
	CU_ASSERT(eq_hex(h, hl, c->hash_r));
	CU_ASSERT(swan_sig_ok(&st->m6, x->auth, h, hl));
	st->p1_last = next;
}

/* Quick Mode: IVs, HASH(1..3), KEYMAT. */
static void swan_quick_mode(const struct ikev1_swan_capture *c, struct swan_state *st)
{
	struct swan_msgs *ms = &st->msgs;
	struct ikev1_iv iv, next;
	struct gw_sa_desc i2r, r2i;
	uint8_t h[IKEV1_HASH_MAX], qm_gxy[512];
	const uint8_t *spi_i, *spi_r;
	size_t hl = 0, qn = unhex(c->qm_gxy, qm_gxy);
	uint32_t mid = 0;
	unsigned xf = 99;
	int alg;

	CU_ASSERT_FATAL(ms->n >= 9);
	for (unsigned q = 0; q < 3; q++) {
		uint8_t *d = ms->d[6 + q];
		size_t len = ms->len[6 + q];
		struct ike_chunk after;

		CU_ASSERT_EQUAL_FATAL(d[18], IKEV1_EXCH_QUICK);
		if (q == 0) {
			mid = (uint32_t)d[20] << 24 | (uint32_t)d[21] << 16 | (uint32_t)d[22] << 8 | d[23];
			CU_ASSERT_EQUAL(ikev1_iv_phase2(st->k.hash, &st->p1_last, mid, &iv), 0);
			CU_ASSERT(eq_hex(iv.iv, 16, c->iv_qm[0]));
		}
		CU_ASSERT_EQUAL_FATAL(ikev1_msg_decrypt(st->k.enc_key, st->k.enc_key_len, &iv,
							d + 28, len - 28, &next), 0);
		CU_ASSERT(eq_hex(next.iv, 16, c->iv_qm[q + 1]));
		iv = next;
		CU_ASSERT_EQUAL_FATAL(ikev1_msg_parse_plain(d, len, &st->qm[q]), IKEV1_MSG_OK);
		CU_ASSERT_FATAL(st->qm[q].n_hash == 1 && st->qm[q].pl[0].type == IKEV1_PL_HASH);
		after = chunk_of(ikev1_msg_after(&st->qm[q], 0));
		if (q == 0)
			ikev1_hash1(&st->k, mid, after, h, &hl);
		else if (q == 1)
			ikev1_hash2(&st->k, mid, chunk_of(st->qm[0].nonce), after, h, &hl);
		else
			ikev1_hash3(&st->k, mid, chunk_of(st->qm[0].nonce),
				    chunk_of(st->qm[1].nonce), h, &hl);
		CU_ASSERT(eq_hex(h, hl, c->hash_qm[q]));
		CU_ASSERT_EQUAL(ikev1_hash_check(h, hl, st->qm[q].hash), 0);
	}
	CU_ASSERT_EQUAL_FATAL(ikev1_sa_check_reply(&st->qm[1].sa, IKEV1_PROTO_ESP,
						   st->qm[0].sa.xforms, st->qm[0].sa.n_xforms,
						   &xf), 0);
	CU_ASSERT(ikev1_encap_is_udp(st->qm[1].sa.xforms[xf].encap));
	alg = ikev1_esp_alg(&st->qm[1].sa.xforms[xf]);
	CU_ASSERT_FATAL(alg >= 0);
	spi_i = st->qm[0].sa.props[0].spi;
	spi_r = st->qm[1].sa.props[0].spi;
	memset(&i2r, 0, sizeof(i2r));
	memset(&r2i, 0, sizeof(r2i));
	CU_ASSERT_EQUAL_FATAL(ikev1_child_keymat(&st->k, (enum esp_alg)alg,
						 (struct ike_chunk){ qm_gxy, qn },
						 chunk_of(st->qm[0].nonce), chunk_of(st->qm[1].nonce),
						 (uint32_t)spi_i[0] << 24 | (uint32_t)spi_i[1] << 16 |
						 (uint32_t)spi_i[2] << 8 | spi_i[3],
						 (uint32_t)spi_r[0] << 24 | (uint32_t)spi_r[1] << 16 |
						 (uint32_t)spi_r[2] << 8 | spi_r[3],
						 &i2r, &r2i), 0);
	CU_ASSERT(eq_hex(i2r.enc_key, i2r.enc_key_len, c->enc_i));
	CU_ASSERT(eq_hex(r2i.enc_key, r2i.enc_key_len, c->enc_r));
	CU_ASSERT(eq_hex(i2r.auth_key, i2r.auth_key_len, c->integ_i));
	CU_ASSERT(eq_hex(r2i.auth_key, r2i.auth_key_len, c->integ_r));
	gw_sa_desc_wipe(&i2r);
	gw_sa_desc_wipe(&r2i);
}

static void test_swan_replay(void)
{
	static struct swan_state st;
	unsigned frags = 0;

	for (size_t i = 0; i < ARRAY_LEN(ikev1_swan_captures); i++) {
		const struct ikev1_swan_capture *c = ikev1_swan_captures[i];

		memset(&st, 0, sizeof(st));
		swan_messages(c, &st.msgs);
		frags += st.msgs.n_frags;
		swan_main_mode(c, &st);
		swan_quick_mode(c, &st);
		ikev1_keys_wipe(&st.k);
	}
	CU_ASSERT(frags >= 2);		/* RSA MM5 came in IKEv1 fragments */
}

int main(void)
{
	static const struct test_case tests[] = {
		{ "phase 1: SKEYID*, Ka, IV, HASH_I/R (RSA, ECDSA)", test_phase1_keys },
		{ "phase 2: IV, HASH(1), HASH(2), HASH(3)", test_phase2_hashes },
		{ "KEYMAT with and without PFS into gw_sa_desc", test_keymat },
		{ "NAT-D hashes, IPv4 and IPv6", test_natd },
		{ "App. B encryption key expansion", test_enc_key_expand },
		{ "AES-CBC with App. B IV chaining", test_cbc_chaining },
		{ "argument checks, compute then commit", test_bad_args },
		{ "strongSwan 5.9.8 exchanges replayed (RSA, ECDSA, PFS, group 31)", test_swan_replay },
	};

	if (test_suite("ikev1_keys", NULL, NULL, tests, ARRAY_LEN(tests)) != 0)
		return 1;
	return test_run();
}
