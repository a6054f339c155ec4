/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_IKE_PROPOSAL_H
#define GW_IKE_PROPOSAL_H

/*
 * IKE and ESP proposals written in strongSwan's syntax ("aes128-sha256-
 * modp2048", "aes256gcm16-prfsha384-ecp384", "aes128gcm16-esn-noesn"), as
 * lists of transforms (IDs from gw_ike_xform.h).  Pure and thread-safe: the
 * configuration validates with it, the IKE code (controlplane/ike/
 * ike_proposal.h) builds its SA payloads from it.
 *
 * Words (joined by '-'; each names one transform; several of one type are
 * alternatives in order of preference):
 *   encryption  aes128 aes256 (AES-CBC), aes128gcm16 aes256gcm16 (AES-GCM,
 *               16-octet ICV)
 *   integrity   sha1 (ESP only), sha256 sha384 sha512 (also sha2_256 ...):
 *               HMAC-SHA1-96, HMAC-SHA2-256-128, -384-192, -512-256
 *   PRF         prfsha256 prfsha384 prfsha512 (IKE only)
 *   DH          modp2048 ecp256 ecp384 ecp521 x25519 curve25519 (ESP: PFS)
 *   ESN         esn noesn (ESP only)
 * Rules, as strongSwan's proposal parser applies them:
 *   - an IKE proposal without a PRF word takes the PRFs of its integrity
 *     words (sha256 -> prfsha256); it must end up with a PRF and a DH group;
 *   - AES-GCM and AES-CBC do not mix in one proposal; with AES-GCM the
 *     integrity words only feed the PRF (IKE) and are then dropped;
 *   - AES-CBC needs an integrity word;
 *   - an ESP proposal without esn/noesn offers noesn.  "esn" alone is
 *     refused: ESN-only proposals are never offered, since peers on
 *     strongSwan's kernel-libipsec refuse ESN (write "esn-noesn").
 *   Unknown, misplaced and repeated words are errors that name the word.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/gw_ike_xform.h"

/* Protocol IDs of a Proposal substructure (RFC 7296 3.3.1). */
enum ike_sa_proto {
	IKE_SA_PROTO_IKE = 1,
	IKE_SA_PROTO_ESP = 3,
};

enum {
	IKE_PROP_MAX_XFORMS = 24,	/* more than every word allowed at once */
	IKE_PROP_WHY_MAX = 96,		/* room for an error phrase */
	IKE_PROP_STR_MAX = 192,		/* room for gw_ike_proposal_fmt() */
};

struct gw_ike_xform {
	uint8_t type;			/* enum ike_xform_type */
	uint16_t id;			/* enum ike_encr_id, ike_prf_id, ... */
	uint16_t key_len;		/* bits (Key Length attribute); 0 = none */
};

/* Transforms in type order (ENCR, PRF, INTEG, DH, ESN), each type in the
 * order of preference. */
struct gw_ike_proposal {
	uint8_t proto;			/* enum ike_sa_proto */
	uint8_t n_xforms;
	struct gw_ike_xform xforms[IKE_PROP_MAX_XFORMS];
};

/*
 * Parse text as a proposal of proto into *out.  Returns 0, or -EINVAL with
 * what is wrong in why (e.g. "has an unknown word aes129"), meant to follow
 * the name of the list it came from.
 */
int gw_ike_proposal_parse(const char *text, enum ike_sa_proto proto,
			  struct gw_ike_proposal *out, char *why, size_t whylen);

/* strongSwan words of p, joined by '-' ("aes128-sha256-prfsha256-modp2048").
 * A transform without a word is written "TYPE:ID".  Returns buf. */
const char *gw_ike_proposal_fmt(const struct gw_ike_proposal *p, char *buf, size_t len);

/* The word of one transform, or NULL when it has none. */
const char *gw_ike_xform_word(const struct gw_ike_xform *x);

/* True when x is AES-GCM (combined mode: no separate integrity). */
bool gw_ike_xform_is_aead(const struct gw_ike_xform *x);

#endif /* GW_IKE_PROPOSAL_H */
