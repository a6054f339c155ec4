/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ceiling: intel-ipsec-mb alone, on the same algorithm, direction and
 * byte counts as one ESP packet of the pipeline (bench_geom), with no
 * packet handling at all.  One IMB_MGR from init_mb_mgr_auto(); bursts of
 * BENCH_BURST jobs over BENCH_BURST buffers, each burst submitted with
 * IMB_SUBMIT_BURST and drained with IMB_FLUSH_BURST (or, with job_api, the
 * IMB_SUBMIT_JOB / IMB_FLUSH_JOB loop that dataplane/esp_crypto.c uses).
 * One key, as the lower bound of what any number of SAs can cost.
 */
#include <errno.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <intel-ipsec-mb.h>
#include <rte_cycles.h>

#include "test/bench/bench_esp.h"

enum { CEIL_SLOT = 2048 };	/* bytes per buffer: one ESP packet */

struct bench_ceil {
	IMB_MGR *mgr;
	IMB_ARCH arch;
	bool job_api;
	bool gcm;
	bool decrypt;
	struct bench_geom g;
	uint8_t *bufs;			/* BENCH_BURST * CEIL_SLOT */
	alignas(64) struct gcm_key_data gcm_key;
	alignas(16) uint8_t enc_keys[16 * 15];
	alignas(16) uint8_t dec_keys[16 * 15];
	alignas(16) uint8_t ipad[32];
	alignas(16) uint8_t opad[32];
	alignas(16) uint8_t iv[BENCH_BURST][16];
	alignas(16) uint8_t tag[BENCH_BURST][32];
	uint8_t aad[8];
};

const char *bench_ceil_arch(const struct bench_ceil *c)
{
	switch (c->arch) {
	case IMB_ARCH_SSE: return "SSE";
	case IMB_ARCH_AVX: return "AVX";
	case IMB_ARCH_AVX2: return "AVX2";
	case IMB_ARCH_AVX512: return "AVX512";
	default: return "?";
	}
}

static void ceil_keys(struct bench_ceil *c)
{
	uint8_t key[16], blk[64];

	for (unsigned i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(0x11 * i + 7);
	if (c->gcm) {
		IMB_AES128_GCM_PRE(c->mgr, key, &c->gcm_key);
		return;
	}
	IMB_AES_KEYEXP_128(c->mgr, key, c->enc_keys, c->dec_keys);
	for (unsigned i = 0; i < sizeof(blk); i++)
		blk[i] = (uint8_t)((i < 32 ? 0xa5 ^ i : 0) ^ 0x36);
	IMB_SHA256_ONE_BLOCK(c->mgr, blk, c->ipad);
	for (unsigned i = 0; i < sizeof(blk); i++)
		blk[i] = (uint8_t)((i < 32 ? 0xa5 ^ i : 0) ^ 0x5c);
	IMB_SHA256_ONE_BLOCK(c->mgr, blk, c->opad);
}

struct bench_ceil *bench_ceil_create(const struct bench_spec *s, bool job_api)
{
	struct bench_ceil *c = aligned_alloc(64, sizeof(*c));

	if (c == NULL)
		goto fail;
	memset(c, 0, sizeof(*c));
	c->job_api = job_api;
	c->gcm = gw_esp_alg_is_aead(s->alg);
	c->decrypt = s->decrypt;
	bench_geom(s, &c->g);
	c->bufs = aligned_alloc(64, (size_t)BENCH_BURST * CEIL_SLOT);
	c->mgr = alloc_mb_mgr(0);
	if (c->bufs == NULL || c->mgr == NULL)
		goto fail;
	init_mb_mgr_auto(c->mgr, &c->arch);
	if (imb_get_errno(c->mgr) != 0)
		goto fail;
	for (size_t i = 0; i < (size_t)BENCH_BURST * CEIL_SLOT; i++)
		c->bufs[i] = (uint8_t)(i * 31 + 5);
	for (unsigned i = 0; i < BENCH_BURST; i++)
		for (unsigned b = 0; b < 16; b++)
			c->iv[i][b] = (uint8_t)(i + b);
	ceil_keys(c);
	return c;
fail:
	fprintf(stderr, "bench_esp: cannot set up the intel-ipsec-mb ceiling\n");
	bench_ceil_free(c);
	return NULL;
}

void bench_ceil_free(struct bench_ceil *c)
{
	if (c == NULL)
		return;
	if (c->mgr != NULL)
		free_mb_mgr(c->mgr);
	free(c->bufs);
	free(c);
}

/* Job i: the ESP payload of buffer i laid out as the pipeline lays it:
 * ESP header (8) | IV | ciphertext (ct_len) | ICV, processed in place. */
static void ceil_job(struct bench_ceil *c, IMB_JOB *job, unsigned i)
{
	uint8_t *buf = c->bufs + (size_t)i * CEIL_SLOT;
	unsigned ct_off = 8 + c->g.iv_len;

	job->src = buf;
	job->dst = buf + ct_off;
	job->cipher_start_src_offset_in_bytes = ct_off;
	job->msg_len_to_cipher_in_bytes = c->g.ct_len;
	job->cipher_direction = c->decrypt ? IMB_DIR_DECRYPT : IMB_DIR_ENCRYPT;
	job->chain_order = c->decrypt ? IMB_ORDER_HASH_CIPHER : IMB_ORDER_CIPHER_HASH;
	job->auth_tag_output = c->tag[i];
	job->auth_tag_output_len_in_bytes = c->g.icv_len;
	job->key_len_in_bytes = 16;
	job->user_data = c;
	if (c->gcm) {
		job->cipher_mode = IMB_CIPHER_GCM;
		job->hash_alg = IMB_AUTH_AES_GMAC;
		job->enc_keys = &c->gcm_key;
		job->dec_keys = &c->gcm_key;
		job->iv = c->iv[i];
		job->iv_len_in_bytes = 12;
		job->u.GCM.aad = c->aad;
		job->u.GCM.aad_len_in_bytes = sizeof(c->aad);
		job->hash_start_src_offset_in_bytes = ct_off;
		job->msg_len_to_hash_in_bytes = c->g.ct_len;
	} else {
		job->cipher_mode = IMB_CIPHER_CBC;
		job->hash_alg = IMB_AUTH_HMAC_SHA_256;
		job->enc_keys = c->enc_keys;
		job->dec_keys = c->dec_keys;
		job->iv = c->iv[i];
		job->iv_len_in_bytes = 16;
		job->u.HMAC._hashed_auth_key_xor_ipad = c->ipad;
		job->u.HMAC._hashed_auth_key_xor_opad = c->opad;
		job->hash_start_src_offset_in_bytes = 0;
		job->msg_len_to_hash_in_bytes = c->g.auth_len;
	}
}

/* One burst through the burst API; returns the jobs completed or -EIO. */
static int ceil_burst(struct bench_ceil *c)
{
	IMB_JOB *jobs[BENCH_BURST];
	uint32_t n, done, got = 0;

	n = IMB_GET_NEXT_BURST(c->mgr, BENCH_BURST, jobs);
	for (uint32_t i = 0; i < n; i++)
		ceil_job(c, jobs[i], i);
	done = IMB_SUBMIT_BURST(c->mgr, n, jobs);
	if (done == 0 && imb_get_errno(c->mgr) != 0)
		return -EIO;
	for (uint32_t i = 0; i < done; i++)
		got += jobs[i]->status == IMB_STATUS_COMPLETED;
	if (done < n) {
		done = IMB_FLUSH_BURST(c->mgr, n - done, jobs);
		for (uint32_t i = 0; i < done; i++)
			got += jobs[i]->status == IMB_STATUS_COMPLETED;
	}
	return got == n ? (int)n : -EIO;
}

/* One burst through the job API, as esp_crypto_run() drives it. */
static int ceil_jobs(struct bench_ceil *c)
{
	IMB_JOB *job;
	unsigned got = 0;

	for (unsigned i = 0; i < BENCH_BURST; i++) {
		ceil_job(c, IMB_GET_NEXT_JOB(c->mgr), i);
		for (job = IMB_SUBMIT_JOB(c->mgr); job != NULL; job = IMB_GET_COMPLETED_JOB(c->mgr))
			got += job->status == IMB_STATUS_COMPLETED;
	}
	while ((job = IMB_FLUSH_JOB(c->mgr)) != NULL) {
		got += job->status == IMB_STATUS_COMPLETED;
		while ((job = IMB_GET_COMPLETED_JOB(c->mgr)) != NULL)
			got += job->status == IMB_STATUS_COMPLETED;
	}
	return got == BENCH_BURST ? BENCH_BURST : -EIO;
}

int bench_ceil_run(struct bench_ceil *c, double secs, struct bench_rate *r)
{
	double t0 = bench_now(), end = t0 + secs, t;
	uint64_t tsc0 = rte_rdtsc();
	int n;

	r->pkts = 0;
	do {
		n = c->job_api ? ceil_jobs(c) : ceil_burst(c);
		if (n < 0) {
			fprintf(stderr, "bench_esp: intel-ipsec-mb failed a job (%s)\n",
				imb_get_strerror(imb_get_errno(c->mgr)));
			return -EIO;
		}
		r->pkts += (uint64_t)n;
		t = bench_now();
	} while (t < end);
	r->tsc = rte_rdtsc() - tsc0;
	r->secs = t - t0;
	return 0;
}
