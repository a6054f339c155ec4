/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ESP crypto on intel-ipsec-mb: key schedules at install, bursts on the
 * fast path.  No OpenSSL here, and no syscall after esp_keys_init().
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/random.h>

#include <rte_byteorder.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>

#include "common/gw_ct.h"
#include "common/gw_log.h"
#include "dataplane/esp_crypto.h"

struct esp_crypto_wk {
	IMB_MGR *mgr;
	const struct esp_crypto_op *ops;	/* the chunk in flight */
	uint32_t n_done;
	uint8_t busy[ESP_CRYPTO_BURST_MAX];
	alignas(16) uint8_t icv[ESP_CRYPTO_BURST_MAX][ESP_ICV_MAX];
	alignas(16) uint8_t gcm_iv[ESP_CRYPTO_BURST_MAX][16];
	struct gcm_context_data gcm_ctx;	/* scratch of the direct GCM calls */
} __attribute__((aligned(64)));

#define ESP_ALG_INFO(id, nm, c, kl, a, icv) \
	[ESP_ALG_##id] = { .name = nm, .cipher = ESP_CIPHER_##c, .integ = ESP_INTEG_##a, \
			   .cipher_key_len = kl, \
			   .enc_key_len = kl + (ESP_CIPHER_##c == ESP_CIPHER_GCM ? ESP_GCM_SALT_LEN : 0), \
			   .icv_len = icv, \
			   .iv_len = ESP_CIPHER_##c == ESP_CIPHER_GCM ? ESP_GCM_IV_LEN : \
				     ESP_CIPHER_##c == ESP_CIPHER_CBC ? ESP_CBC_IV_LEN : 0, \
			   .pad_align = ESP_CIPHER_##c == ESP_CIPHER_CBC ? 16 : 4 },
static const struct esp_alg_info esp_algs[ESP_ALG_COUNT] = { ESP_ALG_LIST(ESP_ALG_INFO) };
#undef ESP_ALG_INFO

/* HMAC hash facts, indexed by enum esp_integ. */
static const struct {
	IMB_HASH_ALG imb;
	uint8_t block;
	uint8_t digest;
} esp_hmac[] = {
	[ESP_INTEG_SHA1] = { IMB_AUTH_HMAC_SHA_1, 64, 20 },
	[ESP_INTEG_SHA256] = { IMB_AUTH_HMAC_SHA_256, 64, 32 },
	[ESP_INTEG_SHA384] = { IMB_AUTH_HMAC_SHA_384, 128, 48 },
	[ESP_INTEG_SHA512] = { IMB_AUTH_HMAC_SHA_512, 128, 64 },
};

const struct esp_alg_info *esp_alg_info(enum esp_alg alg)
{
	if ((unsigned int)alg >= ESP_ALG_COUNT)
		return NULL;
	return &esp_algs[alg];
}

/* Full hash of a long HMAC key (RFC 2104: keys longer than a block). */
static void esp_hash(IMB_MGR *mgr, enum esp_integ integ, const uint8_t *in, size_t len,
		     uint8_t *out)
{
	switch (integ) {
	case ESP_INTEG_SHA1: IMB_SHA1(mgr, in, len, out); break;
	case ESP_INTEG_SHA256: IMB_SHA256(mgr, in, len, out); break;
	case ESP_INTEG_SHA384: IMB_SHA384(mgr, in, len, out); break;
	case ESP_INTEG_SHA512: IMB_SHA512(mgr, in, len, out); break;
	case ESP_INTEG_GMAC: break;
	}
}

/* One compression of a block from the initial state: the HMAC pad state. */
static void esp_one_block(IMB_MGR *mgr, enum esp_integ integ, const uint8_t *blk, uint8_t *out)
{
	switch (integ) {
	case ESP_INTEG_SHA1: IMB_SHA1_ONE_BLOCK(mgr, blk, out); break;
	case ESP_INTEG_SHA256: IMB_SHA256_ONE_BLOCK(mgr, blk, out); break;
	case ESP_INTEG_SHA384: IMB_SHA384_ONE_BLOCK(mgr, blk, out); break;
	case ESP_INTEG_SHA512: IMB_SHA512_ONE_BLOCK(mgr, blk, out); break;
	case ESP_INTEG_GMAC: break;
	}
}

/* ipad/opad states (1.3 has no helper). 0 or -EINVAL. */
static int esp_hmac_pads(struct esp_keys *k, IMB_MGR *mgr, const uint8_t *key, size_t len)
{
	enum esp_integ integ = k->info->integ;
	uint8_t kb[128] = { 0 }, blk[128];
	int ret = -EINVAL;

	if (key == NULL || len == 0 || len > ESP_AUTH_KEY_MAX)
		goto out;
	if (len > esp_hmac[integ].block) {
		esp_hash(mgr, integ, key, len, kb);
	} else {
		memcpy(kb, key, len);
	}
	for (size_t i = 0; i < esp_hmac[integ].block; i++)
		blk[i] = kb[i] ^ 0x36;
	esp_one_block(mgr, integ, blk, k->ipad);
	for (size_t i = 0; i < esp_hmac[integ].block; i++)
		blk[i] = kb[i] ^ 0x5c;
	esp_one_block(mgr, integ, blk, k->opad);
	ret = 0;
out:
	gw_wipe(kb, sizeof(kb));
	gw_wipe(blk, sizeof(blk));
	return ret;
}

/* Cipher key schedule. 0 or -EINVAL. */
static int esp_cipher_keys(struct esp_keys *k, IMB_MGR *mgr, const uint8_t *key, size_t len)
{
	const struct esp_alg_info *in = k->info;

	if (len != in->enc_key_len || (len != 0 && key == NULL))
		return -EINVAL;
	switch (in->cipher) {
	case ESP_CIPHER_GCM:
		memcpy(k->salt, key + in->cipher_key_len, ESP_GCM_SALT_LEN);
		if (in->cipher_key_len == 16)
			IMB_AES128_GCM_PRE(mgr, key, &k->c.gcm);
		else if (in->cipher_key_len == 24)
			IMB_AES192_GCM_PRE(mgr, key, &k->c.gcm);
		else
			IMB_AES256_GCM_PRE(mgr, key, &k->c.gcm);
		break;
	case ESP_CIPHER_CBC:
		if (in->cipher_key_len == 16)
			IMB_AES_KEYEXP_128(mgr, key, k->c.cbc.enc, k->c.cbc.dec);
		else
			IMB_AES_KEYEXP_256(mgr, key, k->c.cbc.enc, k->c.cbc.dec);
		break;
	case ESP_CIPHER_NULL:
		break;
	}
	return 0;
}

/* Per-SA IV generator secrets: Kiv schedule and seed. 0 or -EIO. */
static int esp_ivgen_keys(struct esp_keys *k, IMB_MGR *mgr)
{
	alignas(16) uint8_t dec[16 * 11];
	uint8_t rnd[16 + sizeof(k->iv_seed)];
	int ret = -EIO;

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		goto out;
	IMB_AES_KEYEXP_128(mgr, rnd, k->ivgen, dec);
	memcpy(k->iv_seed, rnd + 16, sizeof(k->iv_seed));
	ret = 0;
out:
	gw_wipe(dec, sizeof(dec));
	gw_wipe(rnd, sizeof(rnd));
	return ret;
}

int esp_keys_init(struct esp_keys *k, IMB_MGR *mgr, enum esp_alg alg, const uint8_t *enc_key,
		  size_t enc_len, const uint8_t *auth_key, size_t auth_len)
{
	int ret = -EINVAL;

	gw_wipe(k, sizeof(*k));
	if (mgr == NULL || esp_alg_info(alg) == NULL)
		goto out;
	k->alg = alg;
	k->info = &esp_algs[alg];
	ret = esp_cipher_keys(k, mgr, enc_key, enc_len);
	if (ret != 0)
		goto out;
	if (k->info->integ == ESP_INTEG_GMAC)
		ret = auth_len == 0 ? 0 : -EINVAL;
	else
		ret = esp_hmac_pads(k, mgr, auth_key, auth_len);
	if (ret != 0)
		goto out;
	if (k->info->cipher == ESP_CIPHER_CBC)
		ret = esp_ivgen_keys(k, mgr);
out:
	if (ret != 0) {
		GW_LOG(dp, ERR, "ESP key schedule refused (algorithm %d, key lengths %zu/%zu): %s",
		       (int)alg, enc_len, auth_len, strerror(-ret));
		gw_wipe(k, sizeof(*k));
	}
	return ret;
}

void esp_keys_wipe(struct esp_keys *k)
{
	if (k != NULL)
		gw_wipe(k, sizeof(*k));
}

struct esp_crypto_wk *esp_crypto_wk_create(int socket_id)
{
	struct esp_crypto_wk *wk = rte_zmalloc_socket("esp_crypto_wk", sizeof(*wk), 64, socket_id);

	if (wk == NULL)
		goto fail;
	wk->mgr = alloc_mb_mgr(0);
	if (wk->mgr == NULL)
		goto fail;
	init_mb_mgr_auto(wk->mgr, NULL);
	if (imb_get_errno(wk->mgr) != 0) {
		GW_LOG(dp, ERR, "intel-ipsec-mb init: %s", imb_get_strerror(imb_get_errno(wk->mgr)));
		goto fail;
	}
	return wk;
fail:
	GW_LOG(dp, ERR, "ESP crypto worker context: cannot allocate");
	esp_crypto_wk_free(wk);
	return NULL;
}

void esp_crypto_wk_free(struct esp_crypto_wk *wk)
{
	if (wk == NULL)
		return;
	if (wk->mgr != NULL)
		free_mb_mgr(wk->mgr);
	gw_wipe(wk, sizeof(*wk));
	rte_free(wk);
}

IMB_MGR *esp_crypto_wk_mgr(struct esp_crypto_wk *wk)
{
	return wk->mgr;
}

void esp_crypto_iv(struct esp_crypto_wk *wk, const struct esp_keys *k, uint64_t seq,
		   uint8_t *iv)
{
	alignas(16) uint8_t in[16];
	alignas(16) static const uint8_t zero[16];
	uint64_t be = rte_cpu_to_be_64(seq);

	switch (k->info->cipher) {
	case ESP_CIPHER_GCM:
		memcpy(iv, &be, sizeof(be));
		break;
	case ESP_CIPHER_CBC:
		/* CFB of one zero block is E(Kiv, in): one AES block, no job. */
		memcpy(in, k->iv_seed, 8);
		memcpy(in + 8, &be, 8);
		IMB_AES128_CFB_ONE(wk->mgr, iv, zero, in, k->ivgen, 16);
		break;
	case ESP_CIPHER_NULL:
		break;
	}
}

/* Validate op i of the chunk; 0 or -EINVAL.  Bounds are the caller's. */
static int esp_op_check(const struct esp_crypto_op *op)
{
	const struct esp_alg_info *in;

	if (op->keys == NULL || op->buf == NULL || op->icv == NULL || op->dir > ESP_DIR_IN)
		return -EINVAL;
	in = op->keys->info;
	switch (in->cipher) {
	case ESP_CIPHER_GCM:
		return op->iv == NULL || (op->aad == NULL && op->aad_len != 0) ? -EINVAL : 0;
	case ESP_CIPHER_CBC:
		return op->iv == NULL || op->cipher_len % 16 != 0 ? -EINVAL : 0;
	case ESP_CIPHER_NULL:
		return 0;
	}
	return -EINVAL;
}

static void esp_job_hmac(IMB_JOB *job, const struct esp_crypto_op *op)
{
	const struct esp_keys *k = op->keys;

	if (k->info->cipher == ESP_CIPHER_CBC) {
		job->cipher_mode = IMB_CIPHER_CBC;
		job->enc_keys = k->c.cbc.enc;
		job->dec_keys = k->c.cbc.dec;
		job->key_len_in_bytes = k->info->cipher_key_len;
		job->iv = op->iv;
		job->iv_len_in_bytes = ESP_CBC_IV_LEN;
	} else {
		job->cipher_mode = IMB_CIPHER_NULL;
		job->key_len_in_bytes = 0;
		job->iv_len_in_bytes = 0;
	}
	job->hash_alg = esp_hmac[k->info->integ].imb;
	job->u.HMAC._hashed_auth_key_xor_ipad = k->ipad;
	job->u.HMAC._hashed_auth_key_xor_opad = k->opad;
	job->hash_start_src_offset_in_bytes = op->auth_off;
	job->msg_len_to_hash_in_bytes = op->auth_len;
}

/* Record the completion of a returned job, exactly once per slot. */
static void esp_complete(struct esp_crypto_wk *wk, const IMB_JOB *job, struct esp_crypto_done *done)
{
	unsigned int i = (unsigned int)(uintptr_t)job->user_data2;
	const struct esp_crypto_op *op;
	struct esp_crypto_done *d;
	uint8_t len;

	if (i >= ESP_CRYPTO_BURST_MAX || !wk->busy[i] || job->user_data != wk)
		return;		/* not ours or already reported */
	wk->busy[i] = 0;
	op = &wk->ops[i];
	len = op->keys->info->icv_len;
	d = &done[wk->n_done++];
	d->user_data = op->user_data;
	if (job->status != IMB_STATUS_COMPLETED)
		d->status = -EIO;
	else if (op->dir == ESP_DIR_OUT)
		d->status = (memcpy(op->icv, wk->icv[i], len), 0);
	else
		d->status = gw_ct_memcmp(wk->icv[i], op->icv, len) != 0 ? -EBADMSG : 0;
}

/*
 * GCM op i, through the library's direct GCM API rather than a job: GCM
 * jobs are processed synchronously anyway, and the job manager's
 * validation, dispatch and completion queue cost ~35 cycles per packet
 * (40 % of a 64-byte GCM job).  Completes at once.  Parameters are the
 * ones esp_op_check() vouched for; wk->gcm_iv[i] was filled by
 * esp_gcm_ivs().
 */
static void esp_gcm_direct(struct esp_crypto_wk *wk, unsigned int i, struct esp_crypto_done *done)
{
	const struct esp_crypto_op *op = &wk->ops[i];
	const struct esp_keys *k = op->keys;
	uint8_t *data = op->buf + op->cipher_off;
	uint8_t len = k->info->icv_len;
	struct esp_crypto_done *d = &done[wk->n_done++];
	IMB_MGR *mgr = wk->mgr;
	aes_gcm_enc_dec_t fn;

	if (op->dir == ESP_DIR_OUT)
		fn = k->info->cipher_key_len == 16 ? mgr->gcm128_enc :
		     k->info->cipher_key_len == 24 ? mgr->gcm192_enc : mgr->gcm256_enc;
	else
		fn = k->info->cipher_key_len == 16 ? mgr->gcm128_dec :
		     k->info->cipher_key_len == 24 ? mgr->gcm192_dec : mgr->gcm256_dec;
	/* Out: the tag straight into the packet (for GCM the ICV's room is
	 * not part of what is read); in: to scratch, then compared. */
	fn(&k->c.gcm, &wk->gcm_ctx, data, data, op->cipher_len, wk->gcm_iv[i], op->aad,
	   op->aad_len, op->dir == ESP_DIR_OUT ? op->icv : wk->icv[i], len);
	d->user_data = op->user_data;
	if (op->dir == ESP_DIR_OUT)
		d->status = 0;
	else
		d->status = gw_ct_memcmp(wk->icv[i], op->icv, len) != 0 ? -EBADMSG : 0;
}

/*
 * The 12-byte GCM IVs (salt || explicit IV) of the chunk, all before the
 * first GCM call: the library reads its IV with a masked 16-byte load,
 * which cannot be forwarded from the two narrow stores that build it, and
 * would wait for them to reach L1 (~10 % of a 64-byte GCM call).
 */
static void esp_gcm_ivs(struct esp_crypto_wk *wk, const struct esp_crypto_op *ops, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		const struct esp_keys *k = ops[i].keys;

		if (k == NULL || k->info == NULL || k->info->cipher != ESP_CIPHER_GCM ||
		    ops[i].iv == NULL)
			continue;
		memcpy(wk->gcm_iv[i], k->salt, ESP_GCM_SALT_LEN);
		memcpy(wk->gcm_iv[i] + ESP_GCM_SALT_LEN, ops[i].iv, ESP_GCM_IV_LEN);
	}
}

/* Fill and submit the job for op i, draining whatever comes back. */
static void esp_submit(struct esp_crypto_wk *wk, unsigned int i, struct esp_crypto_done *done)
{
	const struct esp_crypto_op *op = &wk->ops[i];
	IMB_JOB *job = IMB_GET_NEXT_JOB(wk->mgr);
	bool out = op->dir == ESP_DIR_OUT;

	job->src = op->buf;
	job->dst = op->buf + op->cipher_off;	/* IMB writes at dst, reads at src + offset */
	job->cipher_start_src_offset_in_bytes = op->cipher_off;
	job->msg_len_to_cipher_in_bytes = op->cipher_len;
	job->cipher_direction = out ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
	job->chain_order = out ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
	job->auth_tag_output = wk->icv[i];
	job->auth_tag_output_len_in_bytes = op->keys->info->icv_len;
	job->user_data = wk;
	job->user_data2 = (void *)(uintptr_t)i;
	esp_job_hmac(job, op);
	wk->busy[i] = 1;
	job = IMB_SUBMIT_JOB(wk->mgr);
	while (job != NULL) {
		esp_complete(wk, job, done);
		job = IMB_GET_COMPLETED_JOB(wk->mgr);
	}
}

/*
 * Prefetch the key schedule lines op will read.  With many SAs each
 * packet's schedule is cold (100,000 SAs: 150 MB of schedules), and a GCM
 * op runs synchronously (esp_gcm_direct): fetching the next ops' lines
 * while the current one runs hides most of that latency.  Only lines the
 * algorithm reads (found by corrupting one line at a time): the AES round
 * keys, and for GCM the GHASH powers H^1..H^k stored at the end of
 * ghash_keys (k grows with the message: a 64-byte packet reads 2 of the 12
 * lines of powers, 1420 bytes all of them); for HMAC the ipad/opad states.
 * The tail line (alg info, salt) is prefetched with the SA record
 * (esp_sa_prefetch_rt) and is warm here.
 */
enum { ESP_KEYS_H_LINES = 4 };	/* H^1..H^16 */

static inline void esp_keys_prefetch(const struct esp_crypto_op *op)
{
	const struct esp_keys *k = op->keys;
	const uint8_t *b;
	size_t n;

	rte_prefetch0(&k->info);
	if (k->info == NULL)
		return;
	switch (k->info->cipher) {
	case ESP_CIPHER_GCM: {
		const uint8_t *end = (const uint8_t *)(&k->c.gcm + 1);

		/* The round keys: 10, 12 or 14 rounds + 1. */
		b = (const uint8_t *)&k->c.gcm;
		n = 16u * (k->info->cipher_key_len / 4u + 7u);
		for (size_t off = 0; off < n; off += RTE_CACHE_LINE_SIZE)
			rte_prefetch0(b + off);
		/* The H powers for the AAD, length and payload blocks (at most
		 * 48), but no more than ESP_KEYS_H_LINES: the rest of a long
		 * packet's are read in sequence, which the hardware prefetcher
		 * streams, and more software prefetches only compete with it
		 * for the fill buffers (measured: slower at 1420 bytes). */
		n = RTE_MIN((size_t)op->cipher_len / 16 + 3, sizeof(k->c.gcm.ghash_keys) / 16) * 16;
		n = RTE_MIN(n, (size_t)ESP_KEYS_H_LINES * RTE_CACHE_LINE_SIZE);
		for (const uint8_t *p = end - n; p < end; p += RTE_CACHE_LINE_SIZE)
			rte_prefetch0(p);
		rte_prefetch0(end - 1);
		return;
	}
	case ESP_CIPHER_CBC:
		b = op->dir == ESP_DIR_OUT ? k->c.cbc.enc : k->c.cbc.dec;
		for (size_t off = 0; off < sizeof(k->c.cbc.enc); off += RTE_CACHE_LINE_SIZE)
			rte_prefetch0(b + off);
		break;
	case ESP_CIPHER_NULL:
		break;
	}
	rte_prefetch0(k->ipad);
	rte_prefetch0(k->opad);
}

/* Prefetch for ops[i] unless ops[i - 1] had the same keys (runs of one
 * SA, the common case with few SAs: nothing to fetch). */
static inline void esp_keys_prefetch_new(const struct esp_crypto_op *ops, unsigned int i)
{
	if (ops[i].keys != NULL && (i == 0 || ops[i].keys != ops[i - 1].keys))
		esp_keys_prefetch(&ops[i]);
}

/* Ops whose keys are prefetched ahead of the one being submitted: a
 * 64-byte GCM job takes ~100 cycles, a DRAM miss ~300. */
enum { ESP_KEYS_AHEAD = 4 };

/* One IMB burst of n <= ESP_CRYPTO_BURST_MAX ops; returns completions. */
static unsigned int esp_run_chunk(struct esp_crypto_wk *wk, const struct esp_crypto_op *ops,
				  unsigned int n, struct esp_crypto_done *done)
{
	IMB_JOB *job;

	wk->ops = ops;
	wk->n_done = 0;
	for (unsigned int i = 0; i < RTE_MIN(n, (unsigned int)ESP_KEYS_AHEAD); i++)
		esp_keys_prefetch_new(ops, i);
	esp_gcm_ivs(wk, ops, n);
	for (unsigned int i = 0; i < n; i++) {
		if (i + ESP_KEYS_AHEAD < n)
			esp_keys_prefetch_new(ops, i + ESP_KEYS_AHEAD);
		if (esp_op_check(&ops[i]) == 0) {
			if (ops[i].keys->info->cipher == ESP_CIPHER_GCM)
				esp_gcm_direct(wk, i, done);
			else
				esp_submit(wk, i, done);
			continue;
		}
		done[wk->n_done].user_data = ops[i].user_data;
		done[wk->n_done++].status = -EINVAL;
	}
	while ((job = IMB_FLUSH_JOB(wk->mgr)) != NULL) {
		esp_complete(wk, job, done);
		while ((job = IMB_GET_COMPLETED_JOB(wk->mgr)) != NULL)
			esp_complete(wk, job, done);
	}
	/* The library returns every job; should one be missing, fail it. */
	for (unsigned int i = 0; i < n; i++) {
		if (!wk->busy[i])
			continue;
		wk->busy[i] = 0;
		done[wk->n_done].user_data = ops[i].user_data;
		done[wk->n_done++].status = -EIO;
	}
	return wk->n_done;
}

unsigned int esp_crypto_run(struct esp_crypto_wk *wk, const struct esp_crypto_op *ops,
			    unsigned int n, struct esp_crypto_done *done)
{
	unsigned int got = 0;

	for (unsigned int off = 0; off < n; off += ESP_CRYPTO_BURST_MAX) {
		unsigned int len = RTE_MIN(n - off, (unsigned int)ESP_CRYPTO_BURST_MAX);

		got += esp_run_chunk(wk, ops + off, len, done + got);
	}
	return got;
}
