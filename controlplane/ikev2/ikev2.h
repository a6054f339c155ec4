/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_IKEV2_H
#define GW_IKEV2_H

/*
 * IKEv2 (RFC 7296) as initiator and responder: what the rest of the
 * control plane calls.  CP thread only; nothing here blocks.
 *
 * Files (one per exchange, as strongSwan's tasks): ikev2_main.c (this
 * interface, timers, dispatch), ikev2_msg.c (receive/send: parse, SK,
 * fragments, message IDs, retransmission, response cache; ikev2_msg.h),
 * ikev2_frag.c (RFC 7383 reassembly: a bounded pool, its limits),
 * ikev2_init.c (IKE_SA_INIT), ikev2_auth.c (IKE_AUTH and the first CHILD
 * SA), ikev2_child.c and ikev2_rekey_ike.c (CREATE_CHILD_SA: child and
 * IKE rekey; ikev2_rekey.c their records and timers, ikev2_child_sa.c a
 * child's keys and install), ikev2_info.c (INFORMATIONAL: DELETE,
 * liveness, notifies).
 */

#include <stdbool.h>
#include <stdint.h>

#include "cfg/cfg.h"

/* Register with the IKE transport, peers' tunnels and policies (through
 * cp_sa), start `initiate = "start"` peers.  0 or -errno (logged). */
int ikev2_init(const struct gw_cfg *cfg);
void ikev2_fini(void);
/* Configuration reload: read peers and settings from cfg from now on (the
 * caller remapped the sessions' peer indexes first: ike_sa_remap).  Does
 * nothing before ikev2_init. */
void ikev2_set_cfg(const struct gw_cfg *cfg);
/* Timers: retransmission, DPD, rekey, lifetimes, half-open expiry. */
void ikev2_tick(uint64_t now_ms);

/* Initiate to peer (index into cfg->peers).  0, -EALREADY (an IKE SA to
 * it is up or being set up), -EINVAL. */
int ikev2_initiate(unsigned peer);

/*
 * Delete an IKE SA and its children: the fast-path SAs are retired at once
 * (before the DELETE is even sent: traffic stops now), then an
 * INFORMATIONAL with DELETE goes to the peer (queued behind an outstanding
 * request if there is one).  why is logged.  0 or -ENOENT.
 */
int ikev2_delete(uint64_t session_id, const char *why);

/* cp_sa: a fast-path lifetime event (soft or hard lifetime, sequence
 * overflow) of SA handle: the IKE child it belongs to is rekeyed (hard:
 * now).  Handles of no IKE child are ignored. */
void ikev2_child_expire(uint32_t handle, bool hard);

/* Operator: clear sessions (all, or to a remote address).  Returns how
 * many were deleted. */
unsigned ikev2_clear_all(void);
unsigned ikev2_clear_remote(const struct gw_addr *remote);

/* Counters for telemetry (X(name, help)). */
#define IKEV2_COUNTERS(X) \
	X(ikev2_rx, "IKEv2 messages received") \
	X(ikev2_tx, "IKEv2 messages sent (retransmissions included)") \
	X(ikev2_retx, "retransmissions of our requests") \
	X(ikev2_resp_resent, "cached responses resent for a retransmitted request") \
	X(ikev2_drop_parse, "dropped: unparsable or unauthenticated") \
	X(ikev2_drop_no_sa, "dropped: no IKE SA for the SPIs") \
	X(ikev2_drop_msgid, "dropped: message ID outside the window (replays, reorders)") \
	X(ikev2_drop_icv, "dropped: SK integrity check failed") \
	X(ikev2_drop_oversize, "dropped: datagram longer than 65535 octets") \
	X(ikev2_drop_state, "dropped: request not acceptable in the SA's state") \
	X(ikev2_drop_inner, "dropped: decrypted payloads malformed or over a count limit") \
	X(ikev2_drop_frag, "dropped: SKF fragment out of range, total shrank, or over a bound") \
	X(ikev2_frag_dup, "SKF fragments received again (ignored)") \
	X(ikev2_frag_reassembled, "messages reassembled from SKF fragments") \
	X(ikev2_sa_established, "IKE SAs established") \
	X(ikev2_auth_failed, "IKE_AUTH refused (AUTHENTICATION_FAILED sent or received)") \
	X(ikev2_no_proposal, "NO_PROPOSAL_CHOSEN sent or received") \
	X(ikev2_ts_unacceptable, "TS_UNACCEPTABLE sent or received") \
	X(ikev2_cookie_sent, "COOKIE challenges sent") \
	X(ikev2_invalid_ke_sent, "INVALID_KE_PAYLOAD sent (IKE_SA_INIT with another DH group)") \
	X(ikev2_drop_ke, "dropped: IKE_SA_INIT KE public value invalid (length, range, curve)") \
	X(ikev2_drop_half_open, "IKE_SA_INIT refused: max_half_open reached") \
	X(ikev2_drop_peer_half_open, "IKE_SA_INIT refused: max_half_open_per_peer reached") \
	X(ikev2_half_open_replaced, "half-open SAs without COOKIE replaced at max_half_open_per_peer") \
	X(ikev2_child_installed, "CHILD SAs installed in the fast path") \
	X(ikev2_child_rekeyed, "CHILD SAs rekeyed") \
	X(ikev2_ike_rekeyed, "IKE SAs rekeyed") \
	X(ikev2_deleted, "IKE SAs deleted") \
	X(ikev2_delete_answered, "DELETEs of an IKE SA the peer answered") \
	X(ikev2_dpd_dead, "peers declared dead by liveness checks")

enum ikev2_counter {
#define X(n, d) IKEV2_C_##n,
	IKEV2_COUNTERS(X)
#undef X
	IKEV2_C_MAX
};
const char *ikev2_counter_name(enum ikev2_counter c);
uint64_t ikev2_counter(enum ikev2_counter c);

#endif /* GW_IKEV2_H */
