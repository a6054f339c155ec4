/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit suite for dataplane/esp_crypto.c: known-answer vectors (GCM,
 * AES-CBC, HMAC), round trips for every algorithm, ICV rejection, a
 * mixed batch larger than one IMB burst, CBC IV derivation, and a
 * cross-check against OpenSSL EVP/HMAC (the test may use OpenSSL; the
 * fast path may not).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <rte_memory.h>

#include "dataplane/esp_crypto.h"
#include "test/unit/esp_vectors.h"
#include "test/unit/test_eal.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define BUF_MAX 2048

static struct esp_crypto_wk *wk;
static unsigned int rnd_state = 12345;

static unsigned int rnd(unsigned int n)
{
	return (unsigned int)rand_r(&rnd_state) % n;
}

static void rnd_bytes(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rnd(256);
}

/* Hex to bytes; returns the length. */
static size_t unhex(const char *h, uint8_t *out)
{
	size_t n = strlen(h) / 2;

	for (size_t i = 0; i < n; i++)
		CU_ASSERT_EQUAL(sscanf(h + 2 * i, "%2hhx", &out[i]), 1);
	return n;
}

/* A vector key: ASCII, or "bb*N" for N bytes 0xbb. */
static size_t kat_key(const char *s, uint8_t *out)
{
	unsigned int b, n;

	if (sscanf(s, "%2x*%u", &b, &n) == 2 && strchr(s, '*') != NULL) {
		memset(out, (int)b, n);
		return n;
	}
	memcpy(out, s, strlen(s));
	return strlen(s);
}

/* Run one op and return its status. */
static int run1(struct esp_crypto_op *op)
{
	struct esp_crypto_done d = { .status = 1 };

	op->user_data = op;
	CU_ASSERT_EQUAL_FATAL(esp_crypto_run(wk, op, 1, &d), 1);
	CU_ASSERT_PTR_EQUAL(d.user_data, op);
	return d.status;
}

static void test_gcm_kat(void)
{
	static const enum esp_alg by_len[] = { [16] = ESP_ALG_AES128GCM16,
		[24] = ESP_ALG_AES192GCM16, [32] = ESP_ALG_AES256GCM16 };

	for (size_t v = 0; v < ARRAY_LEN(esp_kat_gcm); v++) {
		const struct esp_kat_gcm *t = &esp_kat_gcm[v];
		uint8_t key[36], iv[12], aad[32], pt[64], ct[64], tag[16], buf[64], icv[16];
		size_t kl = unhex(t->key, key), al = unhex(t->aad, aad), pl = unhex(t->pt, pt);
		struct esp_keys k;
		struct esp_crypto_op op = { .keys = &k, .buf = buf, .iv = iv + 4, .aad = aad,
					    .aad_len = (uint16_t)al, .icv = icv, .cipher_len = (uint32_t)pl };

		unhex(t->iv, iv);
		unhex(t->ct, ct);
		unhex(t->tag, tag);
		memcpy(key + kl, iv, 4);	/* salt */
		CU_ASSERT_EQUAL_FATAL(esp_keys_init(&k, esp_crypto_wk_mgr(wk), by_len[kl], key, kl + 4,
						    NULL, 0), 0);
		memcpy(buf, pt, pl);
		op.dir = ESP_DIR_OUT;
		CU_ASSERT_EQUAL(run1(&op), 0);
		CU_ASSERT_EQUAL(memcmp(buf, ct, pl), 0);
		CU_ASSERT_EQUAL(memcmp(icv, tag, 16), 0);
		op.dir = ESP_DIR_IN;
		memcpy(icv, tag, 16);
		CU_ASSERT_EQUAL(run1(&op), 0);
		CU_ASSERT_EQUAL(memcmp(buf, pt, pl), 0);
		if (memcmp(buf, pt, pl) != 0)
			fprintf(stderr, "\n  failed: %s\n", t->src);
		esp_keys_wipe(&k);
	}
}

static void test_cbc_kat(void)
{
	static const uint8_t akey[32] = { 1, 2, 3 };

	for (size_t v = 0; v < ARRAY_LEN(esp_kat_cbc); v++) {
		const struct esp_kat_cbc *t = &esp_kat_cbc[v];
		uint8_t key[32], iv[16], pt[64], ct[64], buf[64], icv[16];
		size_t kl = unhex(t->key, key), pl = unhex(t->pt, pt);
		struct esp_keys k;
		struct esp_crypto_op op = { .keys = &k, .buf = buf, .iv = iv, .icv = icv,
					    .cipher_len = (uint32_t)pl, .auth_len = (uint32_t)pl };

		unhex(t->iv, iv);
		unhex(t->ct, ct);
		CU_ASSERT_EQUAL_FATAL(esp_keys_init(&k, esp_crypto_wk_mgr(wk),
						    kl == 16 ? ESP_ALG_AES128_SHA256 : ESP_ALG_AES256_SHA256,
						    key, kl, akey, sizeof(akey)), 0);
		memcpy(buf, pt, pl);
		op.dir = ESP_DIR_OUT;
		CU_ASSERT_EQUAL(run1(&op), 0);
		CU_ASSERT_EQUAL(memcmp(buf, ct, pl), 0);
		op.dir = ESP_DIR_IN;
		CU_ASSERT_EQUAL(run1(&op), 0);
		CU_ASSERT_EQUAL(memcmp(buf, pt, pl), 0);
		if (memcmp(buf, pt, pl) != 0)
			fprintf(stderr, "\n  failed: %s\n", t->src);
		esp_keys_wipe(&k);
	}
}

static void test_hmac_kat(void)
{
	static const enum esp_alg by_integ[] = { [ESP_INTEG_SHA1] = ESP_ALG_NULL_SHA1,
		[ESP_INTEG_SHA256] = ESP_ALG_NULL_SHA256, [ESP_INTEG_SHA384] = ESP_ALG_NULL_SHA384,
		[ESP_INTEG_SHA512] = ESP_ALG_NULL_SHA512 };

	for (size_t v = 0; v < ARRAY_LEN(esp_kat_hmac); v++) {
		const struct esp_kat_hmac *t = &esp_kat_hmac[v];
		uint8_t key[256], mac[64], buf[128], icv[ESP_ICV_MAX];
		size_t kl = kat_key(t->key, key), dl = strlen(t->data);
		struct esp_keys k;
		struct esp_crypto_op op = { .keys = &k, .buf = buf, .icv = icv, .auth_len = (uint32_t)dl };
		uint8_t len;

		unhex(t->mac, mac);
		CU_ASSERT_EQUAL_FATAL(esp_keys_init(&k, esp_crypto_wk_mgr(wk), by_integ[t->integ], NULL,
						    0, key, kl), 0);
		len = k.info->icv_len;
		memcpy(buf, t->data, dl);
		op.dir = ESP_DIR_OUT;
		CU_ASSERT_EQUAL(run1(&op), 0);
		CU_ASSERT_EQUAL(memcmp(icv, mac, len), 0);	/* truncated, RFC 4868 */
		if (memcmp(icv, mac, len) != 0)
			fprintf(stderr, "\n  failed: %s (%s)\n", t->src, k.info->name);
		op.dir = ESP_DIR_IN;
		memcpy(icv, mac, len);
		CU_ASSERT_EQUAL(run1(&op), 0);
		icv[len - 1] ^= 1;
		CU_ASSERT_EQUAL(run1(&op), -EBADMSG);
		esp_keys_wipe(&k);
	}
}

/*
 * A packet in a contiguous buffer: ESP header (8), IV, payload, then
 * (with ESN) seq_hi, where the ICV also goes.
 */
struct pkt {
	struct esp_keys *k;
	uint8_t buf[BUF_MAX];
	uint8_t orig[BUF_MAX];
	uint8_t aad[12];
	uint8_t icv[ESP_ICV_MAX];
	uint32_t len;	/* payload */
	bool esn;
};

static void pkt_make(struct pkt *p, struct esp_keys *k, uint64_t seq, bool esn)
{
	const struct esp_alg_info *in = k->info;
	uint32_t lo = (uint32_t)seq, hi = (uint32_t)(seq >> 32);

	p->k = k;
	p->esn = esn;
	p->len = (1 + rnd(1400 / in->pad_align)) * in->pad_align;
	rnd_bytes(p->buf, 4);
	memcpy(p->buf + 4, &lo, 4);
	esp_crypto_iv(wk, k, seq, p->buf + 8);
	rnd_bytes(p->buf + 8 + in->iv_len, p->len);
	memcpy(p->aad, p->buf, 4);
	memcpy(p->aad + 4, esn ? (const void *)&hi : (const void *)&lo, 4);
	memcpy(p->aad + 8, &lo, 4);
	memcpy(p->buf + 8 + in->iv_len + p->len, &hi, 4);	/* ESN high bits */
	memcpy(p->orig, p->buf, sizeof(p->buf));
}

static struct esp_crypto_op pkt_op(struct pkt *p, enum esp_dir dir)
{
	const struct esp_alg_info *in = p->k->info;

	return (struct esp_crypto_op){
		.keys = p->k, .buf = p->buf, .iv = p->buf + 8, .aad = p->aad,
		.aad_len = p->esn ? 12 : 8, .icv = p->icv, .user_data = p, .dir = (uint8_t)dir,
		.cipher_off = 8u + in->iv_len, .cipher_len = p->len,
		.auth_off = 0, .auth_len = 8u + in->iv_len + p->len + (p->esn ? 4u : 0u),
	};
}

static void keys_random(struct esp_keys *k, enum esp_alg alg)
{
	const struct esp_alg_info *in = esp_alg_info(alg);
	uint8_t ek[36], ak[64];
	/* RFC 4868 key sizes: twice the ICV; HMAC-SHA1-96: 20 bytes */
	size_t al = in->integ == ESP_INTEG_GMAC ? 0 : in->integ == ESP_INTEG_SHA1 ? 20 : 2u * in->icv_len;

	rnd_bytes(ek, sizeof(ek));
	rnd_bytes(ak, sizeof(ak));
	CU_ASSERT_EQUAL_FATAL(esp_keys_init(k, esp_crypto_wk_mgr(wk), alg, ek, in->enc_key_len, ak, al),
			      0);
}

/* Run ops, checking every user_data comes back exactly once. */
static void run_all(struct esp_crypto_op *ops, unsigned int n, struct pkt *pk, int want)
{
	static struct esp_crypto_done done[1024];
	static uint8_t seen[1024];

	memset(seen, 0, n);
	CU_ASSERT_EQUAL_FATAL(esp_crypto_run(wk, ops, n, done), n);
	for (unsigned int i = 0; i < n; i++) {
		size_t idx = (size_t)((struct pkt *)done[i].user_data - pk);

		CU_ASSERT_FATAL(idx < n);
		seen[idx]++;
		CU_ASSERT_EQUAL(done[i].status, want);
		if (done[i].status != want)
			fprintf(stderr, "\n  %s: status %d\n", pk[idx].k->info->name, done[i].status);
	}
	for (unsigned int i = 0; i < n; i++)
		CU_ASSERT_EQUAL(seen[i], 1);
}

static void test_round_trip(void)
{
	enum { N = 16 };
	static struct pkt pk[N];
	static struct esp_keys k;
	struct esp_crypto_op ops[N];

	for (int a = 0; a < ESP_ALG_COUNT; a++) {
		keys_random(&k, (enum esp_alg)a);
		for (unsigned int i = 0; i < N; i++) {
			pkt_make(&pk[i], &k, ((uint64_t)rnd(4) << 32) + rnd(1u << 30), i % 2);
			ops[i] = pkt_op(&pk[i], ESP_DIR_OUT);
		}
		run_all(ops, N, pk, 0);
		for (unsigned int i = 0; i < N; i++) {
			struct pkt *p = &pk[i];
			uint32_t off = 8u + k.info->iv_len;

			/* NULL leaves the payload, ciphers change it */
			CU_ASSERT_EQUAL(memcmp(p->buf + off, p->orig + off, p->len) == 0,
					k.info->cipher == ESP_CIPHER_NULL);
			ops[i] = pkt_op(p, ESP_DIR_IN);
		}
		run_all(ops, N, pk, 0);
		for (unsigned int i = 0; i < N; i++)
			CU_ASSERT_EQUAL(memcmp(pk[i].buf, pk[i].orig, BUF_MAX), 0);
		esp_keys_wipe(&k);
	}
}

static void test_bad_icv(void)
{
	static struct pkt p, q;
	static struct esp_keys k;
	struct esp_crypto_op op;

	for (int a = 0; a < ESP_ALG_COUNT; a++) {
		keys_random(&k, (enum esp_alg)a);
		pkt_make(&p, &k, 7, a % 2);
		op = pkt_op(&p, ESP_DIR_OUT);
		CU_ASSERT_EQUAL(run1(&op), 0);
		q = p;
		q.icv[rnd(k.info->icv_len)] ^= (uint8_t)(1u << rnd(8));	/* one bit of the ICV */
		op = pkt_op(&q, ESP_DIR_IN);
		CU_ASSERT_EQUAL(run1(&op), -EBADMSG);
		q = p;
		q.buf[8 + k.info->iv_len + rnd(q.len)] ^= (uint8_t)(1u << rnd(8));	/* of the payload */
		op = pkt_op(&q, ESP_DIR_IN);
		CU_ASSERT_EQUAL(run1(&op), -EBADMSG);
		q = p;
		q.aad[4] ^= 0x80;	/* sequence number (GCM AAD) or */
		q.buf[4] ^= 0x80;	/* in the HMAC'd header */
		op = pkt_op(&q, ESP_DIR_IN);
		CU_ASSERT_EQUAL(run1(&op), -EBADMSG);
		op = pkt_op(&p, ESP_DIR_IN);
		CU_ASSERT_EQUAL(run1(&op), 0);
		CU_ASSERT_EQUAL(memcmp(p.buf, p.orig, BUF_MAX), 0);
		esp_keys_wipe(&k);
	}
}

static void test_mixed_batch(void)
{
	enum { N = 300 };
	static struct pkt pk[N];
	static struct esp_keys k[ESP_ALG_COUNT];
	static struct esp_crypto_op ops[N];

	for (int a = 0; a < ESP_ALG_COUNT; a++)
		keys_random(&k[a], (enum esp_alg)a);
	for (unsigned int i = 0; i < N; i++) {
		pkt_make(&pk[i], &k[rnd(ESP_ALG_COUNT)], i + 1, rnd(2));
		ops[i] = pkt_op(&pk[i], ESP_DIR_OUT);
	}
	run_all(ops, N, pk, 0);
	for (unsigned int i = 0; i < N; i++)
		ops[i] = pkt_op(&pk[i], ESP_DIR_IN);
	run_all(ops, N, pk, 0);
	for (unsigned int i = 0; i < N; i++)
		CU_ASSERT_EQUAL(memcmp(pk[i].buf, pk[i].orig, BUF_MAX), 0);
	/* A batch with a refused op: it completes once with -EINVAL. */
	for (unsigned int i = 0; i < N; i++)
		ops[i] = pkt_op(&pk[i], ESP_DIR_OUT);
	for (unsigned int i = 0; i < N; i++)
		if (pk[i].k->info->cipher == ESP_CIPHER_CBC)
			ops[i].cipher_len -= 1;
	{
		static struct esp_crypto_done done[N];
		unsigned int bad = 0;

		CU_ASSERT_EQUAL_FATAL(esp_crypto_run(wk, ops, N, done), N);
		for (unsigned int i = 0; i < N; i++) {
			struct pkt *p = done[i].user_data;

			CU_ASSERT_EQUAL(done[i].status,
					p->k->info->cipher == ESP_CIPHER_CBC ? -EINVAL : 0);
			bad += done[i].status == -EINVAL;
		}
		CU_ASSERT(bad > 0 && bad < N);
	}
	for (int a = 0; a < ESP_ALG_COUNT; a++)
		esp_keys_wipe(&k[a]);
}

static void test_iv_and_keys(void)
{
	static struct esp_keys k1, k2, z;
	static const uint8_t key[16] = { 9 }, akey[32] = { 7 };
	uint8_t a[16], b[16], c[16], prev[16] = { 0 };

	CU_ASSERT_EQUAL_FATAL(esp_keys_init(&k1, esp_crypto_wk_mgr(wk), ESP_ALG_AES128_SHA256, key, 16,
					    akey, 32), 0);
	CU_ASSERT_EQUAL_FATAL(esp_keys_init(&k2, esp_crypto_wk_mgr(wk), ESP_ALG_AES128_SHA256, key, 16,
					    akey, 32), 0);
	for (uint64_t seq = 1; seq < 2000; seq++) {
		uint64_t be = __builtin_bswap64(seq);

		esp_crypto_iv(wk, &k1, seq, a);
		esp_crypto_iv(wk, &k1, seq, b);
		esp_crypto_iv(wk, &k2, seq, c);
		CU_ASSERT_EQUAL(memcmp(a, b, 16), 0);		/* deterministic per SA */
		CU_ASSERT_NOT_EQUAL(memcmp(a, c, 16), 0);	/* secret differs per SA */
		CU_ASSERT_NOT_EQUAL(memcmp(a, prev, 16), 0);
		CU_ASSERT_NOT_EQUAL(memcmp(a + 8, &be, 8), 0);
		memcpy(prev, a, 16);
	}
	esp_keys_wipe(&k1);
	CU_ASSERT_EQUAL(memcmp(&k1, &z, sizeof(z)), 0);
	/* GCM: the explicit IV is the sequence number */
	CU_ASSERT_EQUAL_FATAL(esp_keys_init(&k1, esp_crypto_wk_mgr(wk), ESP_ALG_AES128GCM16,
					    (const uint8_t *)"0123456789abcdefSALT", 20, NULL, 0), 0);
	esp_crypto_iv(wk, &k1, 0x0102030405060708ull, a);
	CU_ASSERT_EQUAL(memcmp(a, "\x01\x02\x03\x04\x05\x06\x07\x08", 8), 0);
	CU_ASSERT_EQUAL(memcmp(k1.salt, "SALT", 4), 0);
	/* refusals leave the schedule wiped */
	CU_ASSERT_EQUAL(esp_keys_init(&k1, esp_crypto_wk_mgr(wk), ESP_ALG_AES128GCM16, key, 16,
				      NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(memcmp(&k1, &z, sizeof(z)), 0);
	CU_ASSERT_EQUAL(esp_keys_init(&k1, esp_crypto_wk_mgr(wk), ESP_ALG_AES128GCM16, akey, 20,
				      akey, 16), -EINVAL);
	CU_ASSERT_EQUAL(esp_keys_init(&k1, esp_crypto_wk_mgr(wk), ESP_ALG_AES256_SHA1, key, 16,
				      akey, 20), -EINVAL);
	CU_ASSERT_EQUAL(esp_keys_init(&k1, esp_crypto_wk_mgr(wk), ESP_ALG_NULL_SHA1, NULL, 0,
				      NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(esp_keys_init(&k1, esp_crypto_wk_mgr(wk), ESP_ALG_COUNT, NULL, 0, NULL, 0),
			-EINVAL);
	CU_ASSERT_EQUAL(memcmp(&k1, &z, sizeof(z)), 0);
	/* names */
	for (int i = 0; i < ESP_ALG_COUNT; i++)
		CU_ASSERT_EQUAL(gw_esp_alg_from_name(esp_alg_info((enum esp_alg)i)->name), i);
	CU_ASSERT_EQUAL(gw_esp_alg_from_name("aes128gcm8"), -EINVAL);
	CU_ASSERT_PTR_NULL(esp_alg_info(ESP_ALG_COUNT));
	esp_keys_wipe(&k2);
}

/* OpenSSL's view of an outbound packet p (from p->orig): ciphertext and ICV. */
static void openssl_encrypt(const struct pkt *p, const uint8_t *ek, const uint8_t *ak, size_t akl,
			    uint8_t *out, uint8_t *icv)
{
	const struct esp_alg_info *in = p->k->info;
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint32_t off = 8u + in->iv_len;
	uint8_t iv[12];
	int l1 = 0, l2 = 0;
	unsigned int ml = 0;
	uint8_t mac[64];

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	memcpy(out, p->orig, BUF_MAX);
	if (in->cipher == ESP_CIPHER_GCM) {
		memcpy(iv, ek + 16, 4);
		memcpy(iv + 4, p->orig + 8, 8);
		CU_ASSERT_EQUAL(EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, ek, iv), 1);
		CU_ASSERT_EQUAL(EVP_EncryptUpdate(c, NULL, &l1, p->aad, p->esn ? 12 : 8), 1);
		CU_ASSERT_EQUAL(EVP_EncryptUpdate(c, out + off, &l1, p->orig + off, (int)p->len), 1);
		CU_ASSERT_EQUAL(EVP_EncryptFinal_ex(c, out + off + l1, &l2), 1);
		CU_ASSERT_EQUAL(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, icv), 1);
	} else {
		CU_ASSERT_EQUAL(EVP_EncryptInit_ex(c, EVP_aes_128_cbc(), NULL, ek, p->orig + 8), 1);
		EVP_CIPHER_CTX_set_padding(c, 0);
		CU_ASSERT_EQUAL(EVP_EncryptUpdate(c, out + off, &l1, p->orig + off, (int)p->len), 1);
		CU_ASSERT_EQUAL(EVP_EncryptFinal_ex(c, out + off + l1, &l2), 1);
		CU_ASSERT_PTR_NOT_NULL(HMAC(EVP_sha256(), ak, (int)akl, out,
					    off + p->len + (p->esn ? 4u : 0u), mac, &ml));
		CU_ASSERT_EQUAL(ml, 32);
		memcpy(icv, mac, 16);
	}
	EVP_CIPHER_CTX_free(c);
}

static void test_openssl_cross(void)
{
	static const enum esp_alg algs[] = { ESP_ALG_AES128GCM16, ESP_ALG_AES128_SHA256 };
	static struct pkt p;
	static uint8_t ref[BUF_MAX];
	static struct esp_keys k;

	for (size_t a = 0; a < ARRAY_LEN(algs); a++) {
		for (int esn = 0; esn < 2; esn++) {
			const struct esp_alg_info *in = esp_alg_info(algs[a]);
			uint8_t ek[20], ak[32], icv[16];
			struct esp_crypto_op op;

			rnd_bytes(ek, sizeof(ek));
			rnd_bytes(ak, sizeof(ak));
			CU_ASSERT_EQUAL_FATAL(esp_keys_init(&k, esp_crypto_wk_mgr(wk), algs[a], ek,
							    in->enc_key_len, ak, in->cipher == ESP_CIPHER_GCM ? 0 : 32), 0);
			pkt_make(&p, &k, 0x100000005ull, esn);
			op = pkt_op(&p, ESP_DIR_OUT);
			CU_ASSERT_EQUAL(run1(&op), 0);
			openssl_encrypt(&p, ek, ak, sizeof(ak), ref, icv);
			CU_ASSERT_EQUAL(memcmp(p.buf, ref, 8u + in->iv_len + p.len), 0);
			CU_ASSERT_EQUAL(memcmp(p.icv, icv, 16), 0);
			esp_keys_wipe(&k);
		}
	}
}

/* The fast path calls no OpenSSL: esp_crypto.c includes none of it. */
static void test_no_openssl(void)
{
	static char src[65536];
	FILE *f = fopen(test_srcpath("dataplane/esp_crypto.c"), "r");
	size_t n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	n = fread(src, 1, sizeof(src) - 1, f);
	fclose(f);
	src[n] = 0;
	CU_ASSERT(n > 1000);
	CU_ASSERT_PTR_NOT_NULL(strstr(src, "#include \"dataplane/esp_crypto.h\""));
	CU_ASSERT_PTR_NULL(strstr(src, "openssl/"));
	CU_ASSERT_PTR_NULL(strstr(src, "CRYPTO_memcmp"));
}

static int suite_init(void)
{
	if (test_eal_init("esp_crypto", 0, NULL) != 0)
		return -1;
	wk = esp_crypto_wk_create(SOCKET_ID_ANY);
	return wk == NULL ? -1 : 0;
}

static int suite_fini(void)
{
	esp_crypto_wk_free(wk);
	wk = NULL;
	return 0;
}

int main(void)
{
	static const struct test_case tests[] = {
		{ "GCM known answers (McGrew-Viega)", test_gcm_kat },
		{ "AES-CBC known answers (RFC 3602, SP 800-38A)", test_cbc_kat },
		{ "HMAC known answers (RFC 2202, 4231, 4868)", test_hmac_kat },
		{ "round trip, every algorithm", test_round_trip },
		{ "bad ICV rejected", test_bad_icv },
		{ "mixed batch of 300", test_mixed_batch },
		{ "CBC IV derivation and key checks", test_iv_and_keys },
		{ "cross-check with OpenSSL", test_openssl_cross },
		{ "no OpenSSL in the fast path", test_no_openssl },
	};
	if (test_suite("esp_crypto", suite_init, suite_fini, tests, ARRAY_LEN(tests)) != 0)
		return 1;
	return test_run();
}
