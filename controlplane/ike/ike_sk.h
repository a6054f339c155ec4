/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IKE_SK_H
#define IKE_SK_H

/*
 * Protection of the Encrypted payload SK (RFC 7296 3.14) and of the
 * Encrypted Fragment payload SKF (RFC 7383 2.5), in place in a complete
 * message buffer.  Independent of the message codec: the caller gives the
 * message (from the first octet of the IKE header, no non-ESP marker), its
 * length and the offset of the SK/SKF payload, which is the last payload.
 *
 * Layout from sk_off:
 *   generic header (4 octets; SKF: 8, with Fragment Number and Total
 *   Fragments) | IV | inner payloads | padding | pad length (1) | ICV
 *
 *   AES-CBC + HMAC-SHA2: IV 16 random octets, padding to 16 octets, ICV =
 *     HMAC truncated, over the message from the IKE header to the end of
 *     the encrypted data.
 *   AES-GCM-16 (RFC 5282): IV 8 octets (a per-key counter, never reused),
 *     nonce = salt | IV, no padding, AAD = the IKE header through the last
 *     octet of the SK (SKF: incl. Fragment Number and Total Fragments)
 *     generic header, ICV 16.
 *
 * Not thread-safe per key (the GCM IV counter); keys are wiped with
 * ike_sk_key_wipe().
 */

#include <stddef.h>
#include <stdint.h>

#include "controlplane/ike/ike_crypto.h"

enum {
	IKE_SK_HDR_LEN = IKE_PL_HDR_LEN,	/* SK generic payload header; SKF: IKE_SKF_HDR_LEN */
	IKE_SK_IV_MAX = 16,
};

/* The keys protecting the messages one side sends: SK_ei/SK_ai (sent by
 * the original initiator) or SK_er/SK_ar. */
struct ike_sk_key {
	uint16_t encr;			/* enum ike_encr_id */
	uint16_t integ;			/* enum ike_integ_id; NONE with GCM */
	uint8_t ekey_len;		/* GCM: key + 4-octet salt */
	uint8_t akey_len;		/* 0 with GCM */
	uint8_t ekey[IKE_ENCR_KEY_MAX];
	uint8_t akey[IKE_INTEG_KEY_MAX];
	uint64_t iv_seq;		/* GCM: last IV sent with this key */
};

/* Sizes for a key: IV octets, ICV octets, and the SK/SKF payload length
 * (header included) that carries plain_len octets of inner payloads
 * (hdr_len = IKE_SK_HDR_LEN or IKE_SKF_HDR_LEN).  0 for a bad key. */
size_t ike_sk_iv_len(const struct ike_sk_key *k);
size_t ike_sk_icv_len(const struct ike_sk_key *k);
/* Alignment of the encrypted data (inner | padding | pad length): 16 for
 * CBC, 1 for GCM; ike_sk_encrypt pads minimally to it.  0 for a bad key. */
size_t ike_sk_block_len(const struct ike_sk_key *k);
size_t ike_sk_payload_len(const struct ike_sk_key *k, size_t hdr_len, size_t plain_len);
/* The most inner-payload octets an SK/SKF payload of at most payload_len
 * octets (header included) can carry; 0 if none. */
size_t ike_sk_plain_max(const struct ike_sk_key *k, size_t hdr_len, size_t payload_len);

/*
 * Encrypt in place.  The caller has written the whole message: every
 * header and length field final (the IKE header's length == msg_len, the
 * SK/SKF payload length == msg_len - sk_off), the inner payloads at
 * sk_off + hdr_len + IV length, plain_len octets, and
 * msg_len == sk_off + ike_sk_payload_len(k, hdr_len, plain_len).  Writes
 * the IV, padding, pad length, ciphertext and ICV.
 * 0, -EINVAL (layout or key inconsistent), -EOVERFLOW (GCM IV counter
 * exhausted: rekey), -EIO (OpenSSL failure).
 */
int ike_sk_encrypt(struct ike_sk_key *k, uint8_t *msg, size_t msg_len, size_t sk_off,
		   size_t hdr_len, size_t plain_len);

/*
 * Verify and decrypt in place.  On success the inner payloads are at
 * *plain_off, *plain_len octets (padding and ICV excluded).
 * 0, -EINVAL (malformed: lengths, bad padding), -EBADMSG (ICV mismatch:
 * drop the message; CBC leaves it untouched, GCM zeroes the encrypted
 * data rather than leave unauthenticated plaintext), -EIO (OpenSSL).
 */
int ike_sk_decrypt(const struct ike_sk_key *k, uint8_t *msg, size_t msg_len, size_t sk_off,
		   size_t hdr_len, size_t *plain_off, size_t *plain_len);

/* Zero k. */
void ike_sk_key_wipe(struct ike_sk_key *k);

#endif /* IKE_SK_H */
