/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IKE_PRF_H
#define IKE_PRF_H

/*
 * IKEv2 key derivation (RFC 7296 2.13, 2.14, 2.17, 2.18) with the
 * HMAC-SHA2 PRFs of RFC 4868.
 *
 * Compute, then commit: every function writes its outputs only on success
 * and wipes its intermediates; callers wipe outputs with
 * ike_sa_keys_wipe() / gw_sa_desc_wipe() / OPENSSL_cleanse().
 * Thread-safe (no shared state).  Returns 0, -EINVAL (unsupported
 * transform, bad length), -ENOMEM or -EIO (OpenSSL failure).
 */

#include <stddef.h>
#include <stdint.h>

#include "common/gw_esp.h"
#include "common/gw_sa.h"
#include "controlplane/ike/ike_crypto.h"
#include "controlplane/ike/ike_sk.h"

/* out (ike_prf_len(prf) octets) = prf(key, v[0] | ... | v[n-1]). */
int ike_prf(uint16_t prf, const uint8_t *key, size_t key_len,
	    const struct ike_chunk *v, size_t n, uint8_t *out);

/*
 * prf+ (2.13): out_len octets of T1 | T2 | ... with
 * T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n), S = s[0] | ... |
 * s[n-1].  out_len <= 255 * ike_prf_len(prf).
 */
int ike_prf_plus(uint16_t prf, const uint8_t *key, size_t key_len,
		 const struct ike_chunk *s, size_t n, uint8_t *out, size_t out_len);

/* SKEYSEED = prf(Ni | Nr, g^ir) (2.14); ike_prf_len(prf) octets. */
int ike_skeyseed(uint16_t prf, struct ike_chunk ni, struct ike_chunk nr,
		 struct ike_chunk gir, uint8_t *skeyseed);

/* Rekeyed IKE SA (2.18): SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr),
 * with the old IKE SA's prf; ike_prf_len(old_prf) octets. */
int ike_skeyseed_rekey(uint16_t old_prf, struct ike_chunk sk_d_old, struct ike_chunk gir,
		       struct ike_chunk ni, struct ike_chunk nr, uint8_t *skeyseed);

/* The keys of one IKE SA. */
struct ike_sa_keys {
	uint16_t prf;			/* enum ike_prf_id */
	uint8_t prf_len;		/* octets of SK_d, SK_pi, SK_pr */
	uint8_t sk_d[IKE_PRF_MAX];
	uint8_t sk_pi[IKE_PRF_MAX];
	uint8_t sk_pr[IKE_PRF_MAX];
	struct ike_sk_key ski;		/* SK_ei, SK_ai: messages the original initiator sends */
	struct ike_sk_key skr;		/* SK_er, SK_ar: messages the original responder sends */
};

/*
 * {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
 *   = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)  (2.14)
 * sized by suite: SK_d/SK_p* = prf output, SK_a* = HMAC key (none with
 * GCM), SK_e* = cipher key (GCM: key | 4-octet salt, RFC 5282 7.1).
 */
int ike_sa_keys_derive(const struct ike_suite *suite, struct ike_chunk skeyseed,
		       struct ike_chunk ni, struct ike_chunk nr,
		       const uint8_t spi_i[IKE_SPI_LEN], const uint8_t spi_r[IKE_SPI_LEN],
		       struct ike_sa_keys *keys);

/* Zero keys. */
void ike_sa_keys_wipe(struct ike_sa_keys *keys);

/*
 * CHILD SA KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr) (2.17; gir.len 0
 * without PFS), split encryption key then integrity key, the
 * initiator-to-responder SA first: fills enc_key/enc_key_len and
 * auth_key/auth_key_len of i2r and r2i for ESP algorithm alg (GCM:
 * key | salt, gw_sa.h's form).  Other fields are left alone.
 */
int ike_child_keymat(uint16_t prf, struct ike_chunk sk_d, enum esp_alg alg,
		     struct ike_chunk gir, struct ike_chunk ni, struct ike_chunk nr,
		     struct gw_sa_desc *i2r, struct gw_sa_desc *r2i);

#endif /* IKE_PRF_H */
