/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_IKEV2_REKEY_H
#define GW_IKEV2_REKEY_H

/*
 * What the CREATE_CHILD_SA files share (internal to controlplane/ikev2/):
 * ikev2_rekey.c (our outstanding rekeys, a rekey responder's pending
 * outbound SAs, timers), ikev2_child.c (CHILD SA rekey and new children,
 * both roles; the request handler), ikev2_rekey_ike.c (IKE SA rekey, both
 * roles).  CP thread only.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/gw_ike_proposal.h"
#include "common/gw_sa.h"
#include "controlplane/ike/ike_msg.h"
#include "controlplane/ike/ike_proposal.h"
#include "controlplane/ike/ike_sa.h"

enum {
	IKEV2_REKEY_RETRY_MS = 10000,		/* after a refused rekey */
	IKEV2_PEND_OUT_MAX_MS = 30000,		/* the old child's DELETE never came */
	IKEV2_OLD_IKE_SA_MS = 30000,		/* a rekeyed IKE SA the peer does not delete */
	IKEV2_SA_BODY_MAX = 2048,
};

enum ikev2_rekey_kind { IKEV2_REKEY_CHILD, IKEV2_REKEY_IKE };

/* Our outstanding rekey on one IKE SA (window 1: one at a time). */
struct ikev2_rekey {
	struct ikev2_rekey *next;
	uint64_t sa_id;
	enum ikev2_rekey_kind kind;
	uint32_t old_spi_in;		/* CHILD: the child being rekeyed */
	uint32_t new_spi_in;		/* CHILD: ours for its successor */
	uint64_t new_sa_id;		/* IKE: the new IKE SA (its spi_i ours) */
	struct ike_dh *dh;		/* NULL: no KE (CHILD without PFS) */
	uint8_t ni[IKE_NONCE_LEN];
	struct gw_ike_proposal props[IKE_SA_MAX_PROPOSALS];
	unsigned n_props;
	bool ke_retried;		/* INVALID_KE_PAYLOAD retried once */
	/* 2.8.1: the peer rekeyed the same child meanwhile */
	bool collided;
	uint32_t coll_spi_in;		/* the child its exchange created */
	uint8_t coll_ni[IKE_NONCE_MAX], coll_nr[IKE_NONCE_LEN];
	uint16_t coll_ni_len;
};

/* A responder's new child whose outbound waits for the old child's DELETE. */
struct ikev2_pend_out {
	struct ikev2_pend_out *next;
	uint64_t sa_id;
	uint32_t spi_in;		/* the new child */
	uint64_t since_ms;
	struct gw_sa_desc out;		/* with its keys */
};

/* ---- ikev2_rekey.c ---- */

/* Our rekey on IKE SA sa_id, NULL if none. */
struct ikev2_rekey *ikev2_rekey_find(uint64_t sa_id);
/* A new record (zeroed but sa_id and kind), not listed yet; NULL. */
struct ikev2_rekey *ikev2_rekey_new(uint64_t sa_id, enum ikev2_rekey_kind kind);
void ikev2_rekey_add(struct ikev2_rekey *r);
/* Unlist (if listed), free its DH, wipe and free r. */
void ikev2_rekey_free(struct ikev2_rekey *r);

struct ikev2_pend_out *ikev2_pend_find(uint64_t sa_id, uint32_t spi_in);
/* List a pending outbound of child spi_in of sa_id (out copied; the
 * caller wipes its own).  0 or -ENOMEM. */
int ikev2_pend_add(uint64_t sa_id, uint32_t spi_in, const struct gw_sa_desc *out);
void ikev2_pend_free(struct ikev2_pend_out *p);
/* IKE SA rekey: the pending outbounds of from_id belong to to_id now. */
void ikev2_pend_move(uint64_t from_id, uint64_t to_id);

/* The peer of sa in the configuration, NULL if none. */
const struct cfg_peer *ikev2_rekey_peer(const struct ike_sa *sa);
uint32_t ikev2_rand32(void);
/* g^ir of an exchange with KE: 0 (gir_len 0 without PFS: dh NULL) or
 * -EBADMSG (no KE, wrong group, bad value). */
int ikev2_gir(struct ike_dh *dh, const struct ike_msg *m, uint8_t *gir, size_t *gir_len);
/* The response's first error notify type, 0 = none. */
uint16_t ikev2_resp_error(const struct ike_msg *resp);

/* ---- ikev2_child.c ---- */

/* Start rekeying child old.  0 or -errno (-EBUSY: a rekey is under way). */
int ikev2_child_rekey_start(struct ike_sa *sa, struct ike_child *old);
/* The pending outbound of c becomes the tunnel's current one. */
void ikev2_child_switch_out(struct ike_sa *sa, struct ike_child *c);

/* ---- ikev2_rekey_ike.c ---- */

int ikev2_ike_rekey_start(struct ike_sa *sa);
/* A CREATE_CHILD_SA request whose SA payload proposes an IKE SA. */
void ikev2_ike_rekey_respond(struct ike_sa *sa, const struct ike_msg *req);

#endif /* GW_IKEV2_REKEY_H */
