/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IKE_AUTH_H
#define IKE_AUTH_H

/*
 * The AUTH payload's signature (RFC 7296 2.15, RFC 4754, RFC 7427).
 *
 * The signed octets are RealMessageX | NonceY | prf(SK_px, IDx'):
 *   the initiator signs its IKE_SA_INIT request | Nr | prf(SK_pi, IDi'),
 *   the responder its IKE_SA_INIT response | Ni | prf(SK_pr, IDr'),
 * where IDx' is the ID payload without its generic header (from the ID
 * Type octet).  Sign and verify stream these octets into OpenSSL; they
 * are never concatenated except by ike_auth_octets() (tests, PSK).
 *
 * Methods:
 *   1   RSA PKCS#1 v1.5 with SHA-1.
 *   9/10/11  ECDSA with SHA-256/P-256, SHA-384/P-384, SHA-512/P-521; the
 *       signature is r | s, each the size of the group order (RFC 4754 7).
 *   14  Digital Signature (RFC 7427 3): Authentication Data = length of the
 *       AlgorithmIdentifier (1 octet) | AlgorithmIdentifier (DER) |
 *       signature.  RSA PKCS#1 v1.5 and RSASSA-PSS (MGF1 with the same hash,
 *       salt = hash length) with SHA2-256/384/512; ECDSA with
 *       SHA2-256/384/512 (DER Ecdsa-Sig-Value).  AlgorithmIdentifiers are
 *       matched exactly against the RFC 7427 appendix A encodings.
 *
 * Keys are EVP_PKEYs: our private key, the peer certificate's public key.
 * Thread-safe (no shared state; OpenSSL keys are read-only here).
 * Returns: 0, -EINVAL (bad arguments, method and key do not match,
 * malformed Authentication Data, unsupported algorithm), -ENOSPC (out too
 * small), -EBADMSG (signature does not verify), -ENOMEM, -EIO (OpenSSL).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "controlplane/ike/ike_crypto.h"

/* Methods (enum ike_auth_method) and SIGNATURE_HASH_ALGORITHMS values
 * (enum ike_hash_alg) are in common/gw_ike.h. */

/* Signature schemes of method 14. */
enum ike_sig_scheme {
	IKE_SIG_RSA_PKCS1,		/* shaNNNWithRSAEncryption */
	IKE_SIG_RSA_PSS,		/* id-RSASSA-PSS */
	IKE_SIG_ECDSA,			/* ecdsa-with-SHANNN */
};

enum {
	IKE_AUTH_DATA_MAX = 1 + 80 + 1024,	/* AlgorithmIdentifier + RSA-8192 */
};

/* What one AUTH payload covers (see above). */
struct ike_auth_input {
	uint16_t prf;			/* the IKE SA's enum ike_prf_id */
	struct ike_chunk sk_p;		/* SK_pi or SK_pr */
	struct ike_chunk msg;		/* the signer's IKE_SA_INIT message */
	struct ike_chunk nonce;		/* the other side's nonce data */
	struct ike_chunk id;		/* the signer's ID payload body */
};

/* The octets to sign, concatenated: *len = msg.len + nonce.len +
 * ike_prf_len(prf); -ENOSPC if cap is smaller. */
int ike_auth_octets(const struct ike_auth_input *in, uint8_t *out, size_t cap, size_t *len);

/* The DER AlgorithmIdentifier of scheme with hash (IKE_HASH_SHA2_*), as
 * sent in method 14, or NULL when unsupported. */
const uint8_t *ike_auth_algid(enum ike_sig_scheme scheme, uint8_t hash, size_t *len);

/*
 * Sign with key for method; method 14 uses hash (IKE_HASH_SHA2_*, one the
 * peer announced) and, for RSA keys, PSS when pss is set (ignored for EC).
 * Writes the Authentication Data (what follows the Auth Method and
 * reserved octets) to out, *out_len octets.
 */
int ike_auth_sign(EVP_PKEY *key, uint8_t method, uint8_t hash, bool pss,
		  const struct ike_auth_input *in, uint8_t *out, size_t cap, size_t *out_len);

/*
 * Verify the peer's Authentication Data data (len octets) for method with
 * its public key.  For method 14 *hash (if not NULL) gets the hash the
 * peer used, so the caller can refuse one it did not announce.
 */
int ike_auth_verify(EVP_PKEY *pub, uint8_t method, const struct ike_auth_input *in,
		    const uint8_t *data, size_t len, uint8_t *hash);

#endif /* IKE_AUTH_H */
