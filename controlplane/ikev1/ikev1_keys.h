/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IKEV1_KEYS_H
#define IKEV1_KEYS_H

/*
 * CHANGED (A1): only the comment on ECDSA signatures below (charon signs
 * HASH_I/R as the digest itself, ECDSA_WITH_NULL; ikev1_sig.c does so).
 * Everything here is checked against captured strongSwan 5.9.8 exchanges
 * (test/unit/ikev1_swan_capture.h, test_ikev1_keys.c).
 */

/*
 * IKEv1 key derivation and hashes (RFC 2409 5, 5.5, 5.7, App. B; RFC 4754
 * for ECDSA; RFC 3947 NAT-D), as strongSwan's keymat_v1.c computes them.
 * prf = HMAC with the phase-1 hash (attr 2); "hash" = the plain digest.
 *
 *   SKEYID   = prf(Ni_b | Nr_b, g^xy)                  (signatures)
 *   SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0)
 *   SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1)
 *   SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2)
 *   Ka       = SKEYID_e truncated, or K1 | K2 ... with K1 = prf(SKEYID_e,
 *              0), Kn = prf(SKEYID_e, Kn-1) when SKEYID_e is too short
 *   IV (phase 1)   = hash(g^xi | g^xr), first 16 octets
 *   IV (phase 2/N) = hash(last phase-1 CBC block | M-ID), first 16 octets
 *   HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b)
 *   HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b)
 *     With an ECDSA auth method (9/10/11) strongSwan computes HASH_I/R
 *     with HMAC-SHA-256/384/512 of the method, not the proposal's hash:
 *     so do we (the auth argument).  The signature (SIG payload) is then
 *     RSA PKCS#1 v1.5 without DigestInfo over HASH_I/R (RSA-SIG, 3), or
 *     ECDSA over HASH_I/R itself as the digest, no second hashing
 *     (charon logs it as ECDSA_WITH_NULL), r | s.
 *   QM HASH(1) = prf(SKEYID_a, M-ID | message after HASH)
 *   QM HASH(2) = prf(SKEYID_a, M-ID | Ni_b | message after HASH)
 *   QM HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b)
 *   Informational HASH(1) = prf(SKEYID_a, M-ID | message after HASH)
 *   KEYMAT = K1 | K2 ..., K1 = prf(SKEYID_d, [g(qm)^xy |] proto | SPI |
 *            Ni_b | Nr_b), Kn = prf(SKEYID_d, Kn-1 | [g(qm)^xy |] proto |
 *            SPI | Ni_b | Nr_b); encryption key (GCM: key | 4-octet salt)
 *            then HMAC key.  SPI = the receiver's SPI of that SA: the
 *            initiator-to-responder SA uses the responder's SPI.
 *   NAT-D = hash(CKY-I | CKY-R | IP | Port)
 * M-ID, SPI and Port are in network order; "message after HASH" is what
 * ikev1_msg_after() / ikev1_build_after() return.
 *
 * Compute, then commit: outputs are written only on success and every
 * intermediate is wiped.  Thread-safe (no shared state).  Returns 0,
 * -EINVAL (unsupported hash/algorithm, bad length) or -EIO (OpenSSL).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/gw_addr.h"
#include "common/gw_esp.h"
#include "common/gw_sa.h"
#include "controlplane/ike/ike_crypto.h"	/* struct ike_chunk */
#include "controlplane/ikev1/ikev1_msg.h"

enum {
	IKEV1_HASH_MAX = 64,		/* SHA2-512 */
	IKEV1_ENC_KEY_MAX = 32,		/* AES-256 */
};

/* Phase-1 keying material of one ISAKMP SA. */
struct ikev1_keys {
	uint16_t hash;			/* IKEV1_HASH_* (attr 2) */
	uint16_t auth;			/* IKEV1_AUTH_* (attr 3): selects HASH_I/R's prf */
	uint8_t hash_len;		/* octets of SKEYID* */
	uint8_t enc_key_len;		/* octets of enc_key (attr 14 / 8) */
	uint8_t skeyid[IKEV1_HASH_MAX];
	uint8_t skeyid_d[IKEV1_HASH_MAX];
	uint8_t skeyid_a[IKEV1_HASH_MAX];
	uint8_t skeyid_e[IKEV1_HASH_MAX];
	uint8_t enc_key[IKEV1_ENC_KEY_MAX];	/* Ka */
};

/*
 * Derive everything of phase 1 (signature authentication): SKEYID,
 * SKEYID_d/a/e, Ka for an AES key of key_bits (128/192/256), and the
 * phase-1 IV = hash(g^xi | g^xr).  gxy = the DH shared secret, gxi/gxr =
 * the initiator's/responder's public values as sent in KE, ni/nr = the
 * nonce bodies.  auth (attr 3) is kept in *keys for ikev1_hash_auth().
 */
int ikev1_keys_derive(uint16_t hash, uint16_t auth, uint16_t key_bits, struct ike_chunk ni,
		      struct ike_chunk nr, struct ike_chunk gxy, struct ike_chunk gxi,
		      struct ike_chunk gxr, const uint8_t icookie[IKEV1_COOKIE_LEN],
		      const uint8_t rcookie[IKEV1_COOKIE_LEN], struct ikev1_keys *keys,
		      struct ikev1_iv *iv);

/* Zero keys. */
void ikev1_keys_wipe(struct ikev1_keys *keys);

/* Ka from SKEYID_e (App. B): key_len octets (<= IKEV1_ENC_KEY_MAX). */
int ikev1_enc_key(uint16_t hash, const uint8_t *skeyid_e, size_t skeyid_e_len, size_t key_len,
		  uint8_t *out);

/* Phase-1 IV = hash(g^xi | g^xr), 16 octets. */
int ikev1_iv_phase1(uint16_t hash, struct ike_chunk gxi, struct ike_chunk gxr,
		    struct ikev1_iv *iv);

/* Phase-2 (Quick Mode) and informational IV = hash(p1_last | M-ID), 16
 * octets: p1_last = the IV state after the last phase-1 message (its last
 * CBC block), msg_id host order. */
int ikev1_iv_phase2(uint16_t hash, const struct ikev1_iv *p1_last, uint32_t msg_id,
		    struct ikev1_iv *iv);

/*
 * HASH_I (initiator true) or HASH_R: out gets *out_len octets (the prf
 * output: keys->hash's, or the ECDSA method's; <= IKEV1_HASH_MAX).
 * gxi/gxr: public values of initiator/responder; sai_b: the initiator's
 * SA payload body (the one in Main Mode message 1, on both sides); id_b:
 * the ID payload body of the side whose hash it is (IDii_b / IDir_b).
 */
int ikev1_hash_auth(const struct ikev1_keys *keys, bool initiator, struct ike_chunk gxi,
		    struct ike_chunk gxr, const uint8_t icookie[IKEV1_COOKIE_LEN],
		    const uint8_t rcookie[IKEV1_COOKIE_LEN], struct ike_chunk sai_b,
		    struct ike_chunk id_b, uint8_t *out, size_t *out_len);

/* QM HASH(1) and informational HASH(1): prf(SKEYID_a, M-ID | after). */
int ikev1_hash1(const struct ikev1_keys *keys, uint32_t msg_id, struct ike_chunk after,
		uint8_t *out, size_t *out_len);
/* QM HASH(2): prf(SKEYID_a, M-ID | Ni_b | after). */
int ikev1_hash2(const struct ikev1_keys *keys, uint32_t msg_id, struct ike_chunk ni,
		struct ike_chunk after, uint8_t *out, size_t *out_len);
/* QM HASH(3): prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b). */
int ikev1_hash3(const struct ikev1_keys *keys, uint32_t msg_id, struct ike_chunk ni,
		struct ike_chunk nr, uint8_t *out, size_t *out_len);

/* Constant-time check of a received HASH payload body against a computed
 * hash: 0 when equal (lengths too), -EBADMSG otherwise. */
int ikev1_hash_check(const uint8_t *computed, size_t computed_len, struct ike_view received);

/*
 * KEYMAT of one SA: enc_len octets then auth_len octets of prf(SKEYID_d,
 * ...) expansion for protocol proto (IKEV1_PROTO_ESP) and spi (host
 * order).  gxy.len == 0 without PFS.  enc_len + auth_len <= 100.
 */
int ikev1_keymat(const struct ikev1_keys *keys, struct ike_chunk gxy, uint8_t proto,
		 uint32_t spi, struct ike_chunk ni, struct ike_chunk nr, uint8_t *enc,
		 size_t enc_len, uint8_t *auth, size_t auth_len);

/*
 * Both SAs of a Quick Mode for ESP algorithm alg: i2r (initiator to
 * responder, keyed with spi_r, the responder's inbound SPI) and r2i (keyed
 * with spi_i, the initiator's inbound SPI).  Fills enc_key/enc_key_len
 * (GCM: key | salt, gw_sa.h's form) and auth_key/auth_key_len of each,
 * and spi (i2r->spi = spi_r, r2i->spi = spi_i); other fields are left
 * alone.  Which one is GW_SA_IN depends on our role: the caller sets dir.
 */
int ikev1_child_keymat(const struct ikev1_keys *keys, enum esp_alg alg, struct ike_chunk gxy,
		       struct ike_chunk ni, struct ike_chunk nr, uint32_t spi_i, uint32_t spi_r,
		       struct gw_sa_desc *i2r, struct gw_sa_desc *r2i);

/* NAT-D = hash(CKY-I | CKY-R | IP | Port): addr AF_INET or AF_INET6, port
 * host order; out gets ikev1_hash_len(hash) octets. */
int ikev1_natd_hash(uint16_t hash, const uint8_t icookie[IKEV1_COOKIE_LEN],
		    const uint8_t rcookie[IKEV1_COOKIE_LEN], const struct gw_addr *addr,
		    uint16_t port, uint8_t *out, size_t *out_len);

#endif /* IKEV1_KEYS_H */
