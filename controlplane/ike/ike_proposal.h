/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IKE_PROPOSAL_H
#define IKE_PROPOSAL_H

/*
 * Proposals of an IKE peer: from its configured strongSwan strings
 * (common/gw_ike_proposal.h) to transform lists, to and from the body of an
 * SA payload (RFC 7296 3.3), and from a chosen ESP proposal to the data
 * plane's algorithm.  Pure functions over caller memory: thread-safe.
 *
 * The SA payload functions take the payload's body (after the 4-byte
 * generic payload header) as untrusted bytes and check every length:
 *   -EBADMSG   the body is malformed (answer INVALID_SYNTAX);
 *   -ENOENT    well formed, but no acceptable proposal (NO_PROPOSAL_CHOSEN).
 * A proposal is unacceptable, not the message, when it has a transform type
 * this gateway does not know or that its protocol does not use, an SPI of
 * another size than expected, or another protocol.  A transform whose ID
 * or attributes are unknown (or an AES transform without Key Length) only
 * never matches.  Transforms "NONE" (integrity 0, DH 0) stand for "this
 * type absent".
 */

#include <stddef.h>
#include <stdint.h>

#include "cfg/cfg.h"
#include "common/gw_esp.h"
#include "common/gw_ike_proposal.h"
#include "controlplane/ike/ike_crypto.h"

enum {
	IKE_SA_SPI_MAX = 8,		/* IKE SPI; ESP's is 4, IKE_SA_INIT's 0 */
	IKE_SA_MAX_PROPOSALS = CFG_MAX_PROPOSALS,
};

/* Flags of ike_sa_select() and ike_sa_check_reply(). */
enum {
	/* CHILD SA in IKE_AUTH: no KE is exchanged, so DH transforms are left
	 * out on both sides (our PFS groups apply to rekeys only). */
	IKE_SA_SKIP_DH = 1 << 0,
};

/* The negotiated proposal: one transform of each type it has. */
struct ike_sa_choice {
	struct gw_ike_proposal prop;	/* in type order */
	uint8_t num;			/* Proposal Num, for the reply */
	uint8_t spi_size;
	uint8_t spi[IKE_SA_SPI_MAX];	/* the peer's SPI */
	unsigned ours;			/* index into our list of what matched */
};

/*
 * peer->ike_proposals or ->esp_proposals (proto IKE or ESP), parsed into
 * out[0..max).  Returns how many, or -EINVAL (strings the configuration
 * did not validate) / -ENOSPC.
 */
int ike_proposals_from_cfg(const struct cfg_peer *peer, enum ike_sa_proto proto,
			   struct gw_ike_proposal *out, unsigned max);

/* The first transform of type in p, or NULL. */
const struct gw_ike_xform *ike_proposal_get(const struct gw_ike_proposal *p, uint8_t type);

/* The data plane's algorithm of a chosen ESP proposal (one ENCR, at most
 * one INTEG), or -ENOTSUP. */
int ike_proposal_esp_alg(const struct gw_ike_proposal *chosen);

/* The IKE SA's suite and DH group of a chosen IKE proposal (one ENCR,
 * PRF and DH, one INTEG unless AES-GCM).  0 or -ENOTSUP. */
int ike_proposal_ike_suite(const struct gw_ike_proposal *chosen, struct ike_suite *suite,
			   uint16_t *dh);

/* Does a chosen ESP proposal use 64-bit sequence numbers? */
bool ike_proposal_esn(const struct gw_ike_proposal *chosen);

/* ---- SA payload bodies (ike_sa_payload.c) ---- */

/* Our offer: props[0..n) as Proposals numbered 1..n, each with spi of
 * spi_size bytes (IKE_SA_INIT: 0; IKE rekey: 8; ESP: 4).  Returns the
 * length written into out[0..cap), -ENOSPC or -EINVAL. */
int ike_sa_encode(uint8_t *out, size_t cap, const struct gw_ike_proposal *props, unsigned n,
		  const uint8_t *spi, uint8_t spi_size);

/* The responder's reply: the one proposal chosen, numbered num, with our
 * spi.  Returns the length, -ENOSPC or -EINVAL. */
int ike_sa_encode_one(uint8_t *out, size_t cap, const struct gw_ike_proposal *p, uint8_t num,
		      const uint8_t *spi, uint8_t spi_size);

/* Structure only: every length, count and "last" mark.  0 or -EBADMSG. */
int ike_sa_validate(const uint8_t *body, size_t len);

/*
 * Responder: the first of the initiator's proposals that one of ours[]
 * accepts in full, trying ours in order for each.  Every transform type
 * present on one side must be on the other, and per type the first of the
 * initiator's transforms that our proposal lists is chosen.
 * 0 with *out, -EBADMSG or -ENOENT.
 */
int ike_sa_select(const uint8_t *body, size_t len, enum ike_sa_proto proto, uint8_t spi_size,
		  const struct gw_ike_proposal *ours, unsigned n_ours, unsigned flags,
		  struct ike_sa_choice *out);

/*
 * Initiator: the responder's reply must hold exactly one proposal, with
 * one transform per type, that is a choice out of our proposal of that
 * number (ours[num - 1], as ike_sa_encode() numbered them).
 * 0 with *out, -EBADMSG (malformed, or more than one proposal or transform
 * of a type) or -ENOENT (not something we offered).
 */
int ike_sa_check_reply(const uint8_t *body, size_t len, enum ike_sa_proto proto,
		       uint8_t spi_size, const struct gw_ike_proposal *ours, unsigned n_ours,
		       unsigned flags, struct ike_sa_choice *out);

#endif /* IKE_PROPOSAL_H */
