/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IKE_CRYPTO_H
#define IKE_CRYPTO_H

/*
 * What the IKEv2 crypto modules share: the negotiated suite, the key and
 * output sizes each transform implies, and HMAC over scattered octets.
 * ike_dh.h (key exchange), ike_prf.h (prf, prf+, key derivation), ike_sk.h
 * (SK/SKF payload protection) and ike_auth.h (AUTH payload) build on it.
 *
 * Everything here is pure or uses OpenSSL 3 EVP only; thread-safe.
 * Control plane only: the fast path calls no OpenSSL.
 */

#include <stddef.h>
#include <stdint.h>

#include "common/gw_ike.h"
#include "common/gw_ike_xform.h"

enum {
	IKE_PRF_MAX = 64,		/* HMAC-SHA2-512 output = preferred key */
	IKE_INTEG_KEY_MAX = 64,		/* HMAC-SHA2-512 key */
	IKE_INTEG_ICV_MAX = 32,		/* HMAC-SHA2-512-256 */
	IKE_ENCR_KEY_MAX = 36,		/* AES-256 + 4-octet GCM salt */
	IKE_GCM_SALT_LEN = 4,		/* RFC 5282 7.1 */
};

/* Some octets, not owned.  Lists of chunks are hashed as their
 * concatenation. */
struct ike_chunk {
	const uint8_t *p;
	size_t len;
};

/* The IKE SA's negotiated transforms (the proposal code fills it). */
struct ike_suite {
	uint16_t encr;			/* enum ike_encr_id */
	uint16_t encr_bits;		/* Key Length attribute: 128, 192, 256 */
	uint16_t integ;			/* enum ike_integ_id; NONE with GCM */
	uint16_t prf;			/* enum ike_prf_id */
};

/* Output length of prf, which is also its preferred key length (RFC 4868
 * 2.1.2); 0 for an unsupported prf. */
size_t ike_prf_len(uint16_t prf);
/* Key octets of encr with a key of bits bits; GCM includes its 4-octet
 * salt (RFC 5282 7.1).  0 when unsupported. */
size_t ike_encr_key_len(uint16_t encr, uint16_t bits);
/* Is encr an AEAD (GCM)? */
int ike_encr_is_aead(uint16_t encr);
/* HMAC key octets (= hash output, RFC 4868 2.1.1) and truncated ICV
 * octets of integ; 0 for NONE and unsupported. */
size_t ike_integ_key_len(uint16_t integ);
size_t ike_integ_icv_len(uint16_t integ);
/* 0 when s names a supported, consistent suite (AEAD with INTEG NONE,
 * CBC with an HMAC); -EINVAL otherwise. */
int ike_suite_check(const struct ike_suite *s);

/* OpenSSL digest name ("SHA2-256"...) of a prf or integ; NULL if none. */
const char *ike_prf_digest(uint16_t prf);
const char *ike_integ_digest(uint16_t integ);

/*
 * out = HMAC-<digest>(key, v[0] | v[1] | ... | v[n-1]), the full digest
 * (out must hold EVP_MAX_MD_SIZE, or at least the digest size).  *out_len
 * gets its length when non-NULL.  0, -EINVAL (bad digest or arguments),
 * -ENOMEM or -EIO (OpenSSL failure).
 */
int ike_hmac(const char *digest, const uint8_t *key, size_t key_len,
	     const struct ike_chunk *v, size_t n, uint8_t *out, size_t *out_len);

#endif /* IKE_CRYPTO_H */
