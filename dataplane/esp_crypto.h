/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_ESP_CRYPTO_H
#define GW_ESP_CRYPTO_H

/*
 * ESP crypto layer on intel-ipsec-mb: per-SA key schedules made once at
 * install, one IMB_MGR per worker, and a burst API (GCM through the
 * library's direct GCM functions, the others through its job manager).
 *
 * Thread-safety: esp_keys_init()/esp_keys_wipe() and
 * esp_crypto_wk_create()/esp_crypto_wk_free() run on the control plane
 * before launch (or, for keys, before the SA is published); they may
 * allocate and call getrandom().  esp_crypto_iv() and esp_crypto_run() are
 * fast-path calls: no locks, syscalls, malloc or OpenSSL; each struct
 * esp_crypto_wk is used by exactly one lcore.  An esp_keys is read-only
 * once initialised and may be shared by any number of workers.
 *
 * CBC IVs (RFC 3602 wants them unpredictable) are derived per packet, as
 * Linux's seqiv/echainiv do: IV = AES-128-Encrypt(Kiv, seed || seq64),
 * where Kiv (16 bytes) and seed (8 bytes) are per-SA secrets drawn with
 * getrandom() at install.  seq64 (the 64-bit, ESN-extended sequence
 * number, big-endian) never repeats within an SA, so the IVs are outputs
 * of a secret permutation on distinct inputs: unpredictable to anyone
 * without Kiv, with no random generator on the fast path.
 * GCM's explicit IV is the 64-bit sequence number (RFC 4106 3.1).
 */

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>

#include <intel-ipsec-mb.h>

#include "common/gw_esp.h"


enum esp_cipher { ESP_CIPHER_NULL, ESP_CIPHER_CBC, ESP_CIPHER_GCM };
enum esp_integ { ESP_INTEG_GMAC, ESP_INTEG_SHA1, ESP_INTEG_SHA256, ESP_INTEG_SHA384,
		 ESP_INTEG_SHA512 };

enum {
	ESP_CRYPTO_BURST_MAX = 128,	/* jobs per IMB burst (esp_crypto_run chunks) */
	ESP_ICV_MAX = 32,
	ESP_GCM_SALT_LEN = GW_ESP_SALT_LEN,
	ESP_GCM_IV_LEN = 8,		/* explicit IV on the wire */
	ESP_CBC_IV_LEN = 16,
	ESP_AUTH_KEY_MAX = 256,		/* longer than a block: hashed first (RFC 2104) */
	ESP_HMAC_STATE_MAX = 64,	/* SHA-512 chaining state */
};

/* Static facts about one algorithm. */
struct esp_alg_info {
	const char *name;
	enum esp_cipher cipher;
	enum esp_integ integ;
	uint8_t cipher_key_len;	/* without salt */
	uint8_t enc_key_len;	/* as configured: GCM key || 4-byte salt */
	uint8_t icv_len;
	uint8_t iv_len;		/* explicit IV on the wire: 8 GCM, 16 CBC, 0 NULL */
	uint8_t pad_align;	/* payload alignment: 16 CBC, 4 otherwise */
};

/* Info for alg, or NULL when alg is out of range. */
const struct esp_alg_info *esp_alg_info(enum esp_alg alg);

/*
 * Per-SA key schedule, made once at install.  About 1.5 KiB; cache-line
 * aligned.  Never copied on the fast path.
 */
struct esp_keys {
	union {
		struct gcm_key_data gcm;
		struct {
			alignas(16) uint8_t enc[16 * 15];
			alignas(16) uint8_t dec[16 * 15];
		} cbc;
	} c;
	alignas(16) uint8_t ipad[ESP_HMAC_STATE_MAX];	/* H state after K ^ ipad */
	alignas(16) uint8_t opad[ESP_HMAC_STATE_MAX];	/* H state after K ^ opad */
	alignas(16) uint8_t ivgen[16 * 11];		/* AES-128 schedule of Kiv */
	uint8_t iv_seed[8];
	uint8_t salt[ESP_GCM_SALT_LEN];
	const struct esp_alg_info *info;
	enum esp_alg alg;
} __attribute__((aligned(64)));

/*
 * Compute k for alg from enc_key (GCM: key || 4-byte salt; CBC: the AES
 * key; NULL: enc_len 0) and auth_key (HMAC algorithms only, 1 to
 * ESP_AUTH_KEY_MAX bytes; GCM: auth_len 0).  mgr is any initialised
 * IMB_MGR of the calling thread.  Draws Kiv and the IV seed with
 * getrandom().  Returns 0, -EINVAL (bad algorithm or key length; k is
 * left wiped) or -EIO (getrandom failed).
 */
int esp_keys_init(struct esp_keys *k, IMB_MGR *mgr, enum esp_alg alg, const uint8_t *enc_key,
		  size_t enc_len, const uint8_t *auth_key, size_t auth_len);
/* Zero every secret in k (before free, after the RCU grace period). */
void esp_keys_wipe(struct esp_keys *k);

/* One worker's crypto context: its IMB_MGR and per-burst scratch. */
struct esp_crypto_wk;

/* Allocate on socket_id (SOCKET_ID_ANY allowed) and init_mb_mgr_auto().
 * Before launch.  NULL on allocation failure. */
struct esp_crypto_wk *esp_crypto_wk_create(int socket_id);
/* Free (NULL allowed); wipes the scratch (it held ICVs). */
void esp_crypto_wk_free(struct esp_crypto_wk *wk);
/* The worker's manager (for esp_keys_init on that thread, or tests). */
IMB_MGR *esp_crypto_wk_mgr(struct esp_crypto_wk *wk);

/*
 * Write the outbound explicit IV for sequence number seq (64-bit, ESN
 * high bits included) into iv (k->info->iv_len bytes): GCM the big-endian
 * seq, CBC AES(Kiv, seed || seq) as described above, NULL nothing.
 */
void esp_crypto_iv(struct esp_crypto_wk *wk, const struct esp_keys *k, uint64_t seq,
		   uint8_t *iv);

enum esp_dir { ESP_DIR_OUT, ESP_DIR_IN };

/*
 * One packet.  buf is contiguous and processed in place.
 * - cipher region [cipher_off, cipher_off + cipher_len): the ESP payload
 *   (GCM: any length; CBC: a multiple of 16; NULL: ignored).
 * - auth region [auth_off, auth_off + auth_len), HMAC only: ESP header,
 *   IV and ciphertext, plus the ESN high 32 bits placed right after the
 *   ciphertext when ESN is on (RFC 4303 2.2.1).
 * - iv: GCM the 8-byte explicit IV (the salt comes from keys); CBC 16 bytes.
 * - aad, aad_len: GCM only: SPI || seq (8) or SPI || seq_hi || seq_lo (12).
 * - icv: out: where the ICV is written at completion; in: the received
 *   ICV.  It may overlap the ESN bytes inside the auth region: the ICV is
 *   computed to scratch and copied/compared only after the job completed
 *   (GCM out, which has no such overlap: written in place by the library,
 *   after the payload).
 */
struct esp_crypto_op {
	const struct esp_keys *keys;
	uint8_t *buf;
	const uint8_t *iv;
	const uint8_t *aad;
	uint8_t *icv;
	void *user_data;
	uint32_t cipher_off;
	uint32_t cipher_len;
	uint32_t auth_off;
	uint32_t auth_len;
	uint16_t aad_len;
	uint8_t dir;		/* enum esp_dir */
};

/*
 * A completion: status 0 (out: encrypted, ICV written; in: ICV verified
 * in constant time and payload decrypted), -EBADMSG (in: ICV mismatch;
 * the payload must be dropped, it may have been decrypted in place),
 * -EINVAL (op refused before submission: no keys, bad CBC length, bad
 * direction) or -EIO (the library failed the job).
 */
struct esp_crypto_done {
	void *user_data;
	int status;
};

/*
 * Run n ops (any n; in chunks of ESP_CRYPTO_BURST_MAX: GCM ops through the
 * library's direct GCM API, the others as IMB jobs flushed at the end of
 * each chunk; the key schedules of the next ops prefetched).  Writes
 * exactly one completion per op to done[]
 * (in completion order, not op order) and returns the number written,
 * which is always n.  Fast path.
 */
unsigned int esp_crypto_run(struct esp_crypto_wk *wk, const struct esp_crypto_op *ops,
			    unsigned int n, struct esp_crypto_done *done);

#endif /* GW_ESP_CRYPTO_H */
