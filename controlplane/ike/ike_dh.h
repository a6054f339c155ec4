/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IKE_DH_H
#define IKE_DH_H

/*
 * IKEv2 key exchange: one ephemeral key pair per exchange.
 *   14  MODP-2048 (RFC 3526): public value and g^ir 256 octets, big-endian,
 *       zero-padded; the peer's y must satisfy 1 < y < p-1.
 *   19/20/21  ECP-256/384/521 (RFC 5903 7): public value x | y (no 0x04
 *       prefix), 64/96/132 octets; the point must be on the curve;
 *       g^ir = the x coordinate, 32/48/66 octets.
 *   31  Curve25519 (RFC 8031): 32-octet public value and g^ir; an
 *       all-zero g^ir is refused.
 * The private key lives in OpenSSL (freed with wipe); nothing is shared
 * between objects, so objects may be used on different threads, one
 * thread per object.
 */

#include <stddef.h>
#include <stdint.h>

#include "common/gw_ike_xform.h"

enum {
	IKE_DH_PUB_MAX = 256,		/* MODP-2048 */
	IKE_DH_SECRET_MAX = 256,
};

struct ike_dh;

/* Octets of the public value and of the shared secret of group; 0 when
 * the group is not supported. */
size_t ike_dh_pub_len(uint16_t group);
size_t ike_dh_secret_len(uint16_t group);

/* A fresh key pair of group, or NULL (unsupported group: errno EINVAL;
 * OpenSSL failure: EIO). */
struct ike_dh *ike_dh_new(uint16_t group);

/* For known-answer tests: the key pair of the given private key (ECP: the
 * scalar, big-endian, field size; Curve25519: 32 octets).  MODP is not
 * supported (NULL, EINVAL). */
struct ike_dh *ike_dh_new_priv(uint16_t group, const uint8_t *priv, size_t len);

/* Group of dh; our public value (the KE payload's data), *len octets,
 * valid while dh lives. */
uint16_t ike_dh_group(const struct ike_dh *dh);
const uint8_t *ike_dh_public(const struct ike_dh *dh, size_t *len);

/*
 * Is peer a valid public value of group, as ike_dh_derive() checks it
 * (length, MODP range, ECP point on the curve), without a key pair of
 * ours?  For a responder, before it keeps state.  0 or -EINVAL.
 */
int ike_dh_check_public(uint16_t group, const uint8_t *peer, size_t peer_len);

/*
 * The shared secret g^ir with the peer's public value (exactly
 * ike_dh_pub_len() octets) into secret (exactly ike_dh_secret_len()).
 * 0, -EINVAL (wrong length, value out of range, point not on the curve,
 * all-zero X25519 result), -EIO (OpenSSL failure).  The caller wipes
 * secret (OPENSSL_cleanse) when done.
 */
int ike_dh_derive(struct ike_dh *dh, const uint8_t *peer, size_t peer_len,
		  uint8_t *secret, size_t secret_len);

/* Free dh and wipe its private key.  NULL is a no-op. */
void ike_dh_free(struct ike_dh *dh);

#endif /* IKE_DH_H */
