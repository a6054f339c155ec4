/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_IKEV1_INT_H
#define GW_IKEV1_INT_H

/*
 * Cross-file declarations internal to controlplane/ikev1/: the per-SA
 * IKEv1 state (struct ikev1_sa, hung off struct ike_sa.v1) and the calls
 * between the exchange files.  CP thread only.
 *
 * Retransmission and duplicates (RFC 2408 has no message-ID window): each
 * exchange (Main Mode; each Quick Mode by its Message ID) keeps our last
 * datagram and a digest of the peer's last one.  The side waiting for an
 * answer resends on a timer (1, 2, 4... s, IKE_RETX_MAX times); a datagram
 * equal to the peer's last one is answered with our last datagram again
 * (not processed twice: the CBC IV chain would move).  While the PKI
 * verifies a peer (Main Mode message 5 or 6) retransmissions are absorbed.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "cfg/cfg.h"
#include "controlplane/cp_ike_xport.h"
#include "controlplane/ike/ike_dh.h"
#include "controlplane/ike/ike_sa.h"
#include "controlplane/ikev1/ikev1.h"
#include "controlplane/ikev1/ikev1_keys.h"
#include "controlplane/ikev1/ikev1_msg.h"
#include "controlplane/pki/pki.h"

enum {
	IKEV1_QM_MAX = 4,		/* Quick Modes in flight or remembered per SA */
	IKEV1_NONCE_LEN = 32,		/* ours */
	IKEV1_HALF_OPEN_MS = 30000,	/* Main Mode must finish in this time */
	IKEV1_QM_KEEP_MS = 30000,	/* a finished QM answers duplicates this long */
	IKEV1_RX_DIGEST = 32,		/* SHA-256 of a datagram, duplicate detection */
	IKEV1_P1_XFORMS = 64,		/* our phase-1 transforms */
	IKEV1_P2_XFORMS = 32,		/* our ESP transforms */
	IKEV1_MSG_BUF = 65535,
	IKEV1_DPD_RETRY_MS = 2000,	/* R-U-THERE resent this often, IKE_RETX_MAX times */
	IKEV1_FRAG_SIZE = 1200,		/* fragment datagrams (ISAKMP header on), as strongSwan */
	IKEV1_FRAG_ALL_MAX = 4 << 20,	/* fragment octets held over all SAs (ikev1_frag.c) */
	IKEV1_OUT_DELAY_MS = 300,	/* rekey initiator: outbound switch after message 3 */
	IKEV1_ADOPT_DELETE_MS = 10000,	/* a replaced ISAKMP SA goes this much later */
	IKEV1_REKEY_RETRY_MS = 5000,	/* a Quick Mode rekey that did not finish: again */
	IKEV1_MID_SEEN = 64,		/* phase-2 message IDs remembered against replays */
};

/* Main Mode steps, both roles (the message last sent or expected). */
#define IKEV1_MM_STEPS(X) \
	X(NONE, "no Main Mode") \
	X(I1, "initiator: message 1 sent") \
	X(I3, "initiator: message 3 sent") \
	X(I5, "initiator: message 5 sent") \
	X(R2, "responder: message 2 sent") \
	X(R4, "responder: message 4 sent") \
	X(VERIFY, "peer certificate being verified") \
	X(DONE, "Main Mode done")

enum ikev1_mm_step {
#define X(n, d) IKEV1_MM_##n,
	IKEV1_MM_STEPS(X)
#undef X
};

/* One exchange's retransmission and duplicate state. */
struct ikev1_xchg {
	uint8_t *tx;			/* our last datagram (malloc'd), NULL = none */
	size_t tx_len;
	unsigned retx;
	uint64_t retx_at_ms;		/* 0 = no timer (we are not waiting) */
	uint8_t rx_digest[IKEV1_RX_DIGEST];	/* the peer's last datagram */
	bool rx_valid;
};

enum ikev1_qm_step {
	IKEV1_QM_FREE,
	IKEV1_QM_I1,			/* initiator: message 1 sent */
	IKEV1_QM_R2,			/* responder: message 2 sent */
	IKEV1_QM_DONE,			/* installed; kept for duplicates */
};

/* One Quick Mode. */
struct ikev1_qm {
	enum ikev1_qm_step step;
	bool initiator;
	uint32_t msg_id;
	struct ikev1_iv iv;		/* the exchange's CBC chain */
	uint8_t ni[IKEV1_NONCE_MAX], nr[IKEV1_NONCE_MAX];
	uint16_t ni_len, nr_len;
	struct ike_dh *dh;		/* ours, with PFS */
	uint8_t gxy[IKE_DH_SECRET_MAX];	/* PFS shared secret */
	uint16_t gxy_len;
	struct ikev1_xform chosen;	/* the ESP transform */
	uint32_t spi_in, spi_out;
	uint32_t life_s;
	struct gw_prefix local_ts, remote_ts;	/* one pair (IDci/IDcr) */
	uint32_t rekey_of;		/* spi_in of the child it replaces, 0 */
	uint64_t done_ms;
	struct ikev1_xchg x;
	/* make-before-break: the inbound SA goes in first, the outbound one
	 * (which moves the tunnel's traffic) when the peer has the pair too */
	struct gw_sa_desc out;		/* holds keys until installed; wiped */
	bool out_pending;
	uint64_t out_at_ms;
};

struct ikev1_verify;

/* IKEv1 state of one ISAKMP SA (sa->v1). */
struct ikev1_sa {
	enum ikev1_mm_step mm;
	/* phase 1 negotiated */
	struct ikev1_xform p1;		/* the chosen transform */
	uint32_t life_s;
	struct ikev1_keys keys;
	struct ikev1_iv iv;		/* Main Mode CBC chain; after MM: the last block */
	uint8_t *sai_b;			/* the initiator's SA body (malloc'd) */
	size_t sai_b_len;
	uint8_t gxi[IKE_DH_PUB_MAX], gxr[IKE_DH_PUB_MAX];
	uint16_t gxi_len, gxr_len;
	uint8_t id_b[4 + IKE_ID_MAX];	/* our ID body (IDii_b / IDir_b) */
	uint16_t id_b_len;
	struct ikev1_xchg mmx;		/* Main Mode's retransmission state */
	/* what the peer announced */
	bool peer_natt, peer_natt_draft, peer_dpd, peer_frag;
	bool initial_contact;
	bool replaced;			/* its IPsec SAs adopted by a newer SA */
	/* the pending certificate check (ikev1_mm_auth.c) */
	struct ikev1_verify *verify;
	/* Quick Modes */
	struct ikev1_qm qm[IKEV1_QM_MAX];
	/* DPD (RFC 3706) */
	uint32_t dpd_seq;		/* our last R-U-THERE's sequence number */
	bool dpd_pending;
	unsigned dpd_retx;
	uint64_t dpd_retx_at_ms;
	uint32_t peer_dpd_seq;
	/* RFC 2409 has no message-ID window: the message IDs of the last
	 * IKEV1_MID_SEEN Quick Modes and informationals of the peer (HASH
	 * verified) and of our Quick Modes.  A message of one of them whose
	 * exchange is over (the QM slot freed 30 s after it finished) is a
	 * replay and is dropped before decryption (isakmp_drop_replay). */
	uint32_t mid_seen[IKEV1_MID_SEEN];
	uint8_t mid_seen_next;
	/* inbound SPIs of the IPsec SAs installed and not yet deleted: the
	 * DELETE names them even after a batch retire freed the slots */
	uint32_t spi_live[IKE_CHILD_MAX];
	/* each child slot's negotiated lifetime (s), by index into sa->child */
	uint32_t child_life_s[IKE_CHILD_MAX];
};

/* A parser's view as the key schedule's chunk. */
static inline struct ike_chunk ikev1_chunk(struct ike_view v)
{
	return (struct ike_chunk){ v.p, v.len };
}

/* ---- ikev1_main.c ---- */
const struct gw_cfg *ikev1_cfg(void);
uint64_t ikev1_now_ms(void);
void ikev1_count(enum ikev1_counter c, uint64_t n);
/* The IKEv1 peer for a remote address, else the first `remote = "any"`
 * one; -1 if none. */
int ikev1_peer_by_addr(const struct gw_addr *src);
/* A new IKEv1 SA (sa->v1 allocated); NULL on failure. */
struct ike_sa *ikev1_sa_new(enum ike_role role, int peer);
/* Our local address towards remote (the interface's of its subnet, else
 * the first of its family).  0 or -ENOENT. */
int ikev1_local_addr(const struct gw_addr *remote, struct gw_addr *out);
/* Kill sa with a logged reason (children retired, no message). */
void ikev1_kill(struct ike_sa *sa, const char *why);

/* Phase-2 message IDs of sa seen (mid_seen): record one; is one there? */
void ikev1_mid_seen_add(struct ike_sa *sa, uint32_t msg_id);
bool ikev1_mid_seen(const struct ike_sa *sa, uint32_t msg_id);

/* Record / forget an installed IPsec SA's inbound SPI (spi_live). */
void ikev1_spi_live(struct ike_sa *sa, uint32_t spi_in, bool live);

/* The receive path of one datagram (the transport's handler, and the
 * whole message once its fragments are reassembled). */
void ikev1_rx_dgram(const struct ike_dgram *d);

/* ---- ikev1_frag.c: fragments (payload 132) ---- */
/* A fragment of sa's peer (m has a FRAG payload): kept, and the whole
 * message processed when complete.  False when m is no fragment. */
bool ikev1_frag_input(struct ike_sa *sa, const struct ike_dgram *d, const struct ikev1_msg *m);
/* Send data as fragments.  0 or -errno. */
int ikev1_frag_send(struct ike_sa *sa, const uint8_t *data, size_t len);
/* Free sa's slices (a new message, the SA freed). */
void ikev1_frag_clear(struct ike_sa *sa);
/* Octets held in reassembly over all SAs (bound: IKEV1_FRAG_ALL_MAX). */
size_t ikev1_frag_held(void);

/* ---- ikev1_xmit.c: sending ---- */
/* One datagram of sa, as is (counted). */
int ikev1_tx_raw(struct ike_sa *sa, const uint8_t *data, size_t len);
typedef int (*ikev1_tx_fn)(const struct gw_addr *src, const struct gw_addr *dst, uint16_t sport,
			   uint16_t dport, const void *data, size_t len);
void ikev1_set_tx(ikev1_tx_fn fn);	/* NULL: cp_ike_send (unit tests capture) */
/* A scratch buffer for building one message (CP thread). */
uint8_t *ikev1_buf(void);
/* Send datagram (len octets) of sa and keep it in x for retransmission
 * (timer: resend until answered) and for duplicates.  0 or -errno. */
int ikev1_send(struct ike_sa *sa, struct ikev1_xchg *x, const uint8_t *data, size_t len,
	       bool timer);
/* Answer d's sender without an SA (an unprotected notify). */
int ikev1_send_to(const struct ike_dgram *d, const uint8_t *data, size_t len);
/* Send without keeping (informational). */
int ikev1_send_once(struct ike_sa *sa, const uint8_t *data, size_t len);
/* Resend x's datagram (duplicate or timer).  */
void ikev1_resend(struct ike_sa *sa, struct ikev1_xchg *x);
/* Forget x's datagram and timer. */
void ikev1_xchg_clear(struct ikev1_xchg *x);
/* Is d the same datagram as the one last recorded in x?  Records it
 * otherwise (when record). */
bool ikev1_xchg_dup(struct ikev1_xchg *x, const struct ike_dgram *d, bool record);
/* Close b as an encrypted message: pad, encrypt the body with iv under
 * sa's Ka; *iv becomes the last ciphertext block.  Length or -errno. */
long ikev1_seal(struct ike_sa *sa, struct ikev1_build *b, struct ikev1_iv *iv);
/* Decrypt a copy of d (into buf) with iv and parse it into m; *next gets
 * the last ciphertext block (committed by the caller).  0 or -errno. */
int ikev1_open(struct ike_sa *sa, const struct ike_dgram *d, const struct ikev1_iv *iv,
	       uint8_t *buf, struct ikev1_msg *m, struct ikev1_iv *next);

/* ---- ikev1_mm.c / ikev1_mm_auth.c: Main Mode ---- */
/* The first message of a Main Mode (no SA yet): responder. */
void ikev1_mm_input_first(const struct ike_dgram *d, const struct ikev1_msg *m);
/* Later Main Mode messages of sa. */
void ikev1_mm_input(struct ike_sa *sa, const struct ike_dgram *d, const struct ikev1_msg *m);
/* Initiator: message 1 to peer.  0 or -errno. */
int ikev1_mm_start(unsigned peer);
/* ikev1_mm_adopt.c: a new ISAKMP SA of a peer that already has one
 * (reauthentication, either side): the older SA's IPsec SAs move to sa
 * (RFC 2409 does not tie them to the ISAKMP SA; strongSwan adopts them
 * the same way) and the older SA is deleted IKEV1_ADOPT_DELETE_MS later.
 * Returns how many IPsec SAs moved. */
unsigned ikev1_mm_adopt(struct ike_sa *sa);
/* The VIDs and our phase-1 transforms. */
int ikev1_mm_our_xforms(const struct cfg_peer *peer, struct ikev1_xform *out, unsigned max);
/* ikev1_mm_auth.c: messages 5/6 (ID, CERT, SIG), both roles.
 * Build ours (ID, CERT chain, [CR], SIG) into b. */
int ikev1_mm_auth_add(struct ike_sa *sa, struct ikev1_build *b);
/* The peer's message 5 (responder) or 6 (initiator), decrypted: start
 * the PKI check; the SA waits in AUTH_VERIFY.  0 or -errno (sa killed). */
int ikev1_mm_auth_input(struct ike_sa *sa, const struct ikev1_msg *m);
/* ikev1_mm.c: the check's outcome (ok: the SA authenticated the peer). */
void ikev1_mm_auth_done(struct ike_sa *sa, bool ok);
/* Free the pending check of sa (sa freed or killed). */
void ikev1_mm_auth_free(struct ike_sa *sa);
/* Our identity for sa by its auth method (key type); NULL if none. */
struct pki_identity;
const struct pki_identity *ikev1_identity(const struct ike_sa *sa, uint16_t auth);

/* ---- ikev1_sig.c ---- */
uint16_t ikev1_sig_method(const EVP_PKEY *key);
int ikev1_sig_sign(EVP_PKEY *key, uint16_t method, const uint8_t *hash, size_t hash_len,
		   uint8_t *out, size_t cap, size_t *out_len);
int ikev1_sig_verify(EVP_PKEY *pub, uint16_t method, const uint8_t *hash, size_t hash_len,
		     const uint8_t *sig, size_t sig_len);

/* ---- ikev1_qm.c: Quick Mode ---- */
/* Initiator: a QM for sa's peer (rekey_of: spi_in of the child replaced,
 * 0 for a new one).  0 or -errno. */
int ikev1_qm_start(struct ike_sa *sa, uint32_t rekey_of);
/* A Quick Mode message (still encrypted). */
void ikev1_qm_input(struct ike_sa *sa, const struct ike_dgram *d, const struct ikev1_msg *m);
/* Timers: retransmissions, finished QMs forgotten, child rekey/expiry. */
void ikev1_qm_tick(struct ike_sa *sa, uint64_t now_ms);
/* Free every QM of sa (keys, DH). */
void ikev1_qm_free_all(struct ike_sa *sa);
/* ikev1_qm.c: the QM slot with msg_id, or NULL. */
struct ikev1_qm *ikev1_qm_find(struct ike_sa *sa, uint32_t msg_id);

/* ---- ikev1_qm_sa.c: a Quick Mode's proxy IDs, proposals, install ---- */
/* ID payload of a prefix (ID_IPV4_ADDR_SUBNET / ID_IPV6_ADDR_SUBNET). */
long ikev1_qm_id_add(struct ikev1_build *b, const struct gw_prefix *p);
/* A received proxy ID as a prefix (subnet, single address, or a range
 * that is one prefix).  0 or -EINVAL. */
int ikev1_qm_id_parse(const struct ikev1_id_pl *id, struct gw_prefix *out);
/* Is p inside one of cfg[0..n)? */
bool ikev1_qm_ts_ok(const struct gw_prefix *p, const struct gw_prefix *cfg, unsigned n);
/* Our ESP transforms for sa (encapsulation mode by sa->encap).  Count or
 * -errno. */
int ikev1_qm_our_xforms(const struct ike_sa *sa, struct ikev1_xform *out, unsigned max);
/* Install qm's inbound SA as a new child of sa (keys from KEYMAT; the
 * outbound descriptor kept in qm->out).  0 or -errno. */
int ikev1_qm_install_in(struct ike_sa *sa, struct ikev1_qm *qm);
/* Then its outbound SA (the tunnel's traffic moves to it); a rekey's old
 * child is then deleted (we initiated) or left to the peer's DELETE.
 * 0 or -errno. */
int ikev1_qm_install_out(struct ike_sa *sa, struct ikev1_qm *qm);
/* Child rekey and hard expiry timers of sa (a rekey that never finishes
 * is started again IKEV1_REKEY_RETRY_MS later). */
void ikev1_qm_child_tick(struct ike_sa *sa, uint64_t now_ms);
/* Is a Quick Mode of sa replacing child spi_in running? */
bool ikev1_rekey_running(const struct ike_sa *sa, uint32_t spi_in);
/* Remove child c of sa: retire it and forget its SPI (no message). */
void ikev1_qm_child_remove(struct ike_sa *sa, struct ike_child *c);

/* ---- ikev1_info.c: informational ---- */
void ikev1_info_input(struct ike_sa *sa, const struct ike_dgram *d, const struct ikev1_msg *m);
/* Send a protected informational with one notify (proto ISAKMP, cookies
 * as SPI for DPD) or one delete.  0 or -errno. */
int ikev1_info_notify(struct ike_sa *sa, uint16_t type, const void *data, size_t len);
int ikev1_info_delete_esp(struct ike_sa *sa, const uint32_t *spi_in, unsigned n);
int ikev1_info_delete_isakmp(struct ike_sa *sa);
/* An unprotected notify answering a message of d (NO-PROPOSAL-CHOSEN
 * to Main Mode message 1...). */
void ikev1_info_plain_notify(const struct ike_dgram *d, const uint8_t icookie[8],
			     const uint8_t rcookie[8], uint16_t type);
/* INITIAL-CONTACT of sa's peer: its older ISAKMP SAs (same peer and
 * identity) are stale and go (no message). */
void ikev1_initial_contact(struct ike_sa *sa);
/* DPD timer. */
void ikev1_info_tick(struct ike_sa *sa, uint64_t now_ms);

/* ---- ikev1_tm.c ---- */
int ikev1_tm_register(void);

#endif /* GW_IKEV1_INT_H */
