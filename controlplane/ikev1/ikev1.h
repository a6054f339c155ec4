/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_IKEV1_H
#define GW_IKEV1_H

/*
 * IKEv1 (ISAKMP, RFC 2408/2409) with certificates, as initiator and
 * responder: what the rest of the control plane calls.  CP thread only;
 * nothing here blocks.
 *
 * Sessions live in the shared session table (controlplane/ike/ike_sa.h)
 * with ike_version 1; everything IKEv1-specific hangs off sa->v1.
 *
 * Files (one per exchange): ikev1_main.c (this interface, rx dispatch,
 * retransmission timers, lifetimes), ikev1_xmit.c (sending, duplicates,
 * protection of message bodies), ikev1_frag.c (IKEv1 fragments),
 * ikev1_mm.c / ikev1_mm_auth.c (Main Mode, both roles), ikev1_mm_adopt.c
 * (reauthentication: a new ISAKMP SA adopts the IPsec SAs), ikev1_sig.c
 * (signatures over HASH_I/HASH_R), ikev1_qm.c / ikev1_qm_sa.c (Quick
 * Mode, both roles, rekey), ikev1_info.c (informational: DELETE, DPD,
 * notifies), ikev1_tm.c (/ipsecgw/isakmp/stats).
 * The ISAKMP codec and the key schedule are ikev1_msg.h and ikev1_keys.h.
 */

#include <stdint.h>

#include "cfg/cfg.h"

/* After ikev2_init (which creates the shared session table): register
 * with the IKE transport (cp_ike_set_handler_v1), the session table's
 * IKEv1 deleter and v1 free function, start `initiate = "start"` peers of
 * ike_version 1.  0 or -errno (logged). */
int ikev1_init(const struct gw_cfg *cfg);
/* Before ikev2_fini: unregister; the SAs go with the session table. */
void ikev1_fini(void);
/* Configuration reload: as ikev2_set_cfg. */
void ikev1_set_cfg(const struct gw_cfg *cfg);
/* Every CP tick (100 ms): retransmissions, DPD, QM rekeys, lifetimes. */
void ikev1_tick(uint64_t now_ms);

/* Initiate Main Mode (then Quick Mode) to peer (index into cfg->peers).
 * 0, -EALREADY (an ISAKMP SA to it is up or being set up), -EINVAL. */
int ikev1_initiate(unsigned peer);

/*
 * Delete an ISAKMP SA and its IPsec SAs: the IPsec SAs are retired from
 * the fast path first (traffic stops now), then DELETE notifications go
 * to the peer (each IPsec SA, then the ISAKMP SA), then the SA is killed.
 * why is logged.  0 or -ENOENT.
 */
int ikev1_delete(uint64_t session_id, const char *why);

/* Counters for telemetry (X(name, help)). */
#define IKEV1_COUNTERS(X) \
	X(isakmp_rx, "IKEv1 messages received") \
	X(isakmp_tx, "IKEv1 messages sent (retransmissions included)") \
	X(isakmp_retx, "retransmissions of our messages on a timer") \
	X(isakmp_resp_resent, "our last message resent for a retransmitted one of the peer") \
	X(isakmp_drop_parse, "dropped: unparsable, undecryptable or failing its HASH") \
	X(isakmp_drop_no_sa, "dropped: no ISAKMP SA for the cookies") \
	X(isakmp_drop_state, "dropped: unexpected in the SA's state") \
	X(isakmp_drop_replay, "dropped: replay of a finished exchange (message ID, DPD sequence)") \
	X(isakmp_drop_frag, "dropped: fragment out of range, nested, or over a reassembly bound") \
	X(isakmp_frag_dup, "fragments received again (ignored)") \
	X(isakmp_frag_reassembled, "messages reassembled from fragments") \
	X(isakmp_aggressive_refused, "Aggressive Mode requests refused") \
	X(isakmp_drop_half_open, "Main Mode 1 refused: crypto.ikev2.max_half_open reached") \
	X(isakmp_drop_peer_half_open, "Main Mode 1 refused: max_half_open_per_peer reached") \
	X(isakmp_sa_established, "ISAKMP SAs established (Main Mode done)") \
	X(isakmp_auth_failed, "Main Mode authentication refused") \
	X(isakmp_no_proposal, "NO-PROPOSAL-CHOSEN sent or received") \
	X(isakmp_qm_done, "Quick Modes completed") \
	X(isakmp_child_installed, "IPsec SA pairs installed in the fast path") \
	X(isakmp_child_rekeyed, "IPsec SA pairs rekeyed (Quick Mode before expiry)") \
	X(isakmp_delete_sent, "DELETE notifications sent") \
	X(isakmp_delete_rcvd, "DELETE notifications honoured") \
	X(isakmp_dpd_sent, "DPD R-U-THERE sent") \
	X(isakmp_dpd_acked, "DPD R-U-THERE-ACK received") \
	X(isakmp_dpd_answered, "DPD R-U-THERE of the peer answered") \
	X(isakmp_dpd_dead, "peers declared dead by DPD") \
	X(isakmp_deleted, "ISAKMP SAs deleted")

enum ikev1_counter {
#define X(n, d) IKEV1_C_##n,
	IKEV1_COUNTERS(X)
#undef X
	IKEV1_C_MAX
};
const char *ikev1_counter_name(enum ikev1_counter c);
const char *ikev1_counter_help(enum ikev1_counter c);
uint64_t ikev1_counter(enum ikev1_counter c);

#endif /* GW_IKEV1_H */
