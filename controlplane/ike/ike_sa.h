/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_IKE_SA_H
#define GW_IKE_SA_H

/*
 * IKE SAs and their CHILD SAs: the control plane's session table.  One
 * table for IKEv2 (and, later, IKEv1), owned by the CP thread; no locking.
 *
 * Every IKE SA records, whatever any feature switch says, the issuer and
 * the serial of the peer certificate it authenticated with and the
 * trustpoint that accepted it: the revocation feature (issue 6) looks
 * sessions up by issuer and checks their serials.
 *
 * Every state change goes through ike_sa_state(), which logs "old -> new"
 * (OpenBSD iked's sa_state()).  Children are installed in and retired from
 * the fast path only through controlplane/cp_sa.h.
 *
 * Secrets (keys, DH private values, nonces' derived material) are wiped in
 * ike_sa_free().
 */

#include <stdbool.h>
#include <stdint.h>

#include "cfg/cfg.h"
#include "common/gw_addr.h"
#include "common/gw_sa.h"
#include "controlplane/ike/ike_crypto.h"
#include "controlplane/ike/ike_prf.h"
#include "controlplane/ike/ike_sk.h"
#include "controlplane/pki/pki.h"

struct ike_dh;
struct ike_msg;
struct ike_sa;
struct ikev1_sa;

/* A certificate as the revocation index keys it: issuer id + serial. */
struct ike_cert_key {
	struct pki_issuer_id issuer;
	struct pki_serial serial;
};

/* Where one of an SA's certificates sits in the revocation index. */
struct ike_rev_link {
	uint32_t issuer;		/* index of the issuer's bucket */
	uint32_t pos;			/* position in its entry array */
};

enum {
	IKE_SA_MAX = 131072,		/* IKE SAs, half-open included */
	IKE_CHILD_MAX = 8,		/* CHILD SAs per IKE SA (rekeys overlap) */
	IKE_NONCE_LEN = 32,		/* ours */
	IKE_MSG_BUF = 65535,
	IKE_ID_MAX = 256,		/* ID payload data we keep */
	IKE_RETX_MAX = 5,		/* retransmissions before giving up */
	IKE_RETX_BASE_MS = 1000,	/* then doubled, capped */
	IKE_RETX_CAP_MS = 16000,
	IKE_FRAG_MAX = 32,		/* RFC 7383 fragments per message we accept */
	IKE_REQ_QUEUE = 4,		/* requests waiting behind the outstanding one */
	IKE_COOKIE_LEN_MAX = 64,	/* RFC 7296 2.6 */
};

/* X(name, description): IKE SA states, in the order a session goes. */
#define IKE_SA_STATES(X) \
	X(INIT_SENT, "IKE_SA_INIT sent (initiator)") \
	X(INIT_DONE, "IKE_SA_INIT done, keys derived") \
	X(AUTH_SENT, "IKE_AUTH sent (initiator)") \
	X(AUTH_VERIFY, "peer certificate being verified (PKI, maybe a CRL download)") \
	X(ESTABLISHED, "authenticated, CHILD SA installed") \
	X(REKEYING, "IKE SA rekey in progress") \
	X(DELETING, "DELETE sent, waiting for the answer") \
	X(DEAD, "gone: freed at the next tick")

enum ike_sa_state {
#define X(n, d) IKE_SA_##n,
	IKE_SA_STATES(X)
#undef X
	IKE_SA_STATE_MAX
};
const char *ike_sa_state_name(enum ike_sa_state s);

enum ike_role { IKE_INITIATOR, IKE_RESPONDER };

/* The kind of key behind one side's AUTH (RFC 7296 3.8 method 14 names no
 * algorithm by itself): what `show crypto ikev2 sa detailed` calls "Auth
 * sign" (ours) and "Auth verify" (the peer's). */
enum ike_auth_kind { IKE_AUTH_KIND_NONE, IKE_AUTH_KIND_RSA, IKE_AUTH_KIND_ECDSA, IKE_AUTH_KIND_PSK };

/* One CHILD SA: an inbound/outbound pair in the fast path. */
struct ike_child {
	bool used;
	bool installed;			/* in the fast path (handles valid) */
	uint32_t spi_in, spi_out;	/* host order; spi_in ours */
	uint32_t h_in, h_out;		/* dp_sa.h handles, DP_SA_INVALID if none */
	uint8_t esp_alg;		/* enum esp_alg */
	bool esn;
	uint16_t dh;			/* PFS group used, 0 = none */
	struct gw_prefix local_ts[GW_SA_MAX_TS], remote_ts[GW_SA_MAX_TS];
	uint8_t n_local_ts, n_remote_ts;
	uint64_t created_ms;
	uint64_t rekey_at_ms;		/* 0 = never */
	uint32_t rekeyed_by;		/* spi_in of the child that replaced it, 0 */
};

/* A request waiting for the window (ikev2_msg.c): its inner payloads. */
struct ike_queued_req {
	uint8_t *inner;			/* malloc'd inner payload chain, NULL = free slot */
	size_t len;
	uint8_t first;			/* first inner payload type */
	uint8_t exch;
	void (*fn)(struct ike_sa *sa, const struct ike_msg *resp, void *arg);
	void *arg;
};

/* Message-ID state of one direction (RFC 7296 2.1-2.3, window 1).
 * req and resp hold one or more datagrams, each as a 2-octet big-endian
 * length followed by the datagram (several with RFC 7383 fragments). */
struct ike_msgid {
	uint32_t next_send;		/* our next request's ID */
	uint32_t next_recv;		/* the peer's next request ID we expect */
	/* our outstanding request, for retransmission */
	uint8_t *req;			/* malloc'd whole datagram(s), NULL = none */
	size_t req_len;
	unsigned retx;
	uint64_t retx_at_ms;
	/* our last response, resent when the peer retransmits its request */
	uint8_t *resp;
	size_t resp_len;
	uint32_t resp_id;
	bool resp_valid;
	/* the outstanding request's response callback and the queue behind it */
	void (*resp_fn)(struct ike_sa *sa, const struct ike_msg *resp, void *arg);
	void *resp_arg;
	struct ike_queued_req queue[IKE_REQ_QUEUE];
};

struct ike_sa {
	uint64_t id;			/* session id, >= 1, never reused */
	enum ike_sa_state state;
	enum ike_role role;
	int peer;			/* index into cfg->peers, -1 = not yet known */
	uint32_t tunnel;		/* the peer's tunnel id (dp_spd / cp_sa) */
	uint8_t ike_version;		/* 2 (1 later) */
	uint8_t spi_i[8], spi_r[8];
	/* addresses and ports: ours and the peer's as last seen (NAT-T moves
	 * both to 4500; a NAT rebinding updates the peer's) */
	struct gw_addr local, remote;
	uint16_t local_port, remote_port;
	bool nat_local, nat_remote;	/* NAT detected in front of us / them */
	bool encap;			/* ESP in UDP for the children */
	bool frag_ok;			/* peer sent IKEV2_FRAGMENTATION_SUPPORTED */
	uint16_t sig_hashes;		/* bit n: RFC 7427 hash n offered by the peer */
	/* negotiated */
	struct ike_suite suite;
	uint16_t dh_group;
	struct ike_dh *dh;		/* ours, until keys are derived */
	uint8_t ni[256], nr[256];
	uint16_t ni_len, nr_len;
	struct ike_sa_keys keys;	/* SK_d, SK_a*, SK_e*, SK_p* */
	struct ike_sk_key sk_out, sk_in;	/* SK protection, each direction */
	/* for AUTH: the first message each side sent (RFC 7296 2.15) */
	uint8_t *init_req, *init_resp;	/* malloc'd */
	size_t init_req_len, init_resp_len;
	/* identities */
	uint8_t local_id_type, remote_id_type;
	uint8_t local_id[IKE_ID_MAX], remote_id[IKE_ID_MAX];
	uint16_t local_id_len, remote_id_len;
	/* the session table's revocation facts: always recorded */
	struct pki_cert_ref peer_cert;	/* issuer id + serial of the EE used */
	struct ike_cert_key chain[PKI_MAX_CHAIN];	/* the intermediates, EE's issuer first */
	uint8_t n_chain;
	int trustpoint;			/* index, -1 until authenticated */
	/* the revocation index (ike_rev_index.c): rev_link[0] the EE, then
	 * the chain; rev_n links held, 0 = not indexed */
	struct ike_rev_link rev_link[1 + PKI_MAX_CHAIN];
	uint8_t rev_n;
	bool rev_mark;			/* ike_rev.c: picked in the current check */
	/* IKEv1's own state (controlplane/ikev1/), freed with the SA through
	 * the function ike_sa_set_v1_free() registered */
	struct ikev1_sa *v1;
	uint64_t pki_handle;		/* pending pki_verify_peer, 0 = none */
	/* how each side authenticated (ikev2_auth_record): the AUTH method
	 * (enum ike_auth_method, 0 = not yet) and enum ike_auth_kind */
	uint8_t local_auth_method, remote_auth_method;
	uint8_t local_auth_kind, remote_auth_kind;
	/* messages */
	struct ike_msgid mid;
	/* RFC 7383 reassembly of the peer's fragmented message */
	uint8_t *frag[IKE_FRAG_MAX];
	uint16_t frag_len[IKE_FRAG_MAX];
	uint16_t frag_total;
	uint8_t frag_next;		/* fragment 1's first inner payload type */
	bool frag_resp;			/* the message being reassembled is a response */
	uint32_t frag_msgid;
	/* IKE_SA_INIT (initiator): the responder's COOKIE, echoed; the retries */
	uint8_t cookie[IKE_COOKIE_LEN_MAX];
	uint8_t cookie_len;
	uint8_t init_retries;
	/* children */
	struct ike_child child[IKE_CHILD_MAX];
	/* timers (CP milliseconds, 0 = off) */
	uint64_t created_ms;
	uint64_t established_ms;
	uint64_t rekey_at_ms;
	uint64_t expire_at_ms;		/* hard: IKE lifetime, or half-open timeout */
	uint64_t dpd_at_ms;
	uint64_t last_rx_ms;
	char reason[96];		/* why it went DELETING/DEAD, for logs */
	char down_reason[96];		/* why an up SA first went down (ike_sa_event.c) */
};

/* CP: create the table.  0 or -ENOMEM. */
int ike_sa_table_init(void);
/* CP: free every SA (children retired from the fast path). */
void ike_sa_table_fini(void);

/*
 * A new IKE SA in state st (INIT_SENT for an initiator; a responder's first
 * state is INIT_DONE once its response is built).  Picks a random local SPI
 * (spi_i for an initiator, spi_r for a responder) unique in the table.
 * NULL when the table is full (-ENOSPC) or on allocation failure.
 */
struct ike_sa *ike_sa_new(enum ike_role role, int peer);
/* Lookup by our SPI (the one we chose); NULL if none. */
struct ike_sa *ike_sa_find_local_spi(const uint8_t spi[8]);
/* A responder's SA by the initiator's SPI, address and port (0: any port,
 * for a replay through a NAT that changed it); NULL if none. */
struct ike_sa *ike_sa_find_init(const uint8_t spi_i[8], const struct gw_addr *remote,
				uint16_t remote_port);
struct ike_sa *ike_sa_find_id(uint64_t id);
/* Iterate in id order: the first SA with id > after (0: from the start). */
struct ike_sa *ike_sa_next(uint64_t after);
unsigned ike_sa_count(void);
unsigned ike_sa_half_open(void);

/* The one place a state changes; logs "session N: old -> new (why)". */
void ike_sa_state(struct ike_sa *sa, enum ike_sa_state st, const char *why);

/* A free child slot, or NULL. */
struct ike_child *ike_sa_child_new(struct ike_sa *sa);
struct ike_child *ike_sa_child_by_spi_in(struct ike_sa *sa, uint32_t spi_in);
struct ike_child *ike_sa_child_by_spi_out(struct ike_sa *sa, uint32_t spi_out);
/* Retire child's fast-path pair (cp_sa_retire_pair) and free the slot. */
void ike_sa_child_remove(struct ike_sa *sa, struct ike_child *c);
unsigned ike_sa_child_count(const struct ike_sa *sa);

/*
 * Retire every child from the fast path now and mark sa DEAD (freed by
 * ike_sa_reap() on the next tick, so callers up the stack may still read
 * it).  Does not send anything: the exchange code sends DELETE first.
 */
void ike_sa_kill(struct ike_sa *sa, const char *why);
/*
 * Retire the children of n SAs from the fast path in one batch (every
 * one unpublished before this returns) and free the slots: the
 * revocation path, which sends the DELETEs afterwards.  Returns how many
 * fast-path SAs were retired.
 */
unsigned ike_sa_retire_children_batch(struct ike_sa *const *sas, unsigned n);
/* Record the peer's verified chain (EE + intermediates) in sa. */
void ike_sa_set_peer_chain(struct ike_sa *sa, const struct pki_verify_result *res);
/* Copy the peer's certificate facts from old (IKE SA rekey). */
void ike_sa_copy_peer_chain(struct ike_sa *sa, const struct ike_sa *old);

/* IKEv1: how to free sa->v1 (called from ike_sa_free when set). */
void ike_sa_set_v1_free(void (*fn)(struct ike_sa *sa));

/*
 * Each IKE version's delete path (IKEv2: ikev2_delete, IKEv1:
 * ikev1_delete): retire the children, tell the peer, free later.
 * ike_sa_delete() dispatches by the session's version: 0, -ENOENT (no
 * such live session), -ENOTSUP (no deleter for its version).
 */
typedef int (*ike_sa_delete_fn)(uint64_t session_id, const char *why);
void ike_sa_set_deleter(uint8_t ike_version, ike_sa_delete_fn fn);
int ike_sa_delete(uint64_t session_id, const char *why);
bool ike_sa_has_deleter(uint8_t ike_version);

/*
 * INITIAL_CONTACT (RFC 7296 2.4, RFC 2407 4.6.3.3): true when sa (ours,
 * being authenticated) will be the only IKE SA with its cfg peer: no other
 * is up now (ESTABLISHED or REKEYING).  So the first SA after a start
 * asserts it, and so does a re-establishment after the old SA died (DPD,
 * DELETE, expiry), which lets the peer drop state it may still hold; a
 * second SA next to a live one does not.
 */
bool ike_sa_first_contact(const struct ike_sa *sa);

/*
 * Shutdown: from now on ike_sa_new() refuses (errno ESHUTDOWN); every
 * established SA is deleted through its version's deleter (DELETEs to the
 * peer; IKEv2 SAs stay DELETING until answered), half-open SAs are dropped
 * silently.  Returns how many established SAs were deleted.
 */
unsigned ike_sa_drain(const char *why);
bool ike_sa_draining(void);
/* SAs not yet DEAD (an IKEv2 SA waiting for its DELETE's answer counts). */
unsigned ike_sa_live(void);

/* CP tick: free DEAD SAs (wiping keys). */
void ike_sa_reap(void);

/* A random SPI for an inbound CHILD SA (>= 256, not installed). */
uint32_t ike_sa_child_spi_alloc(void);

/*
 * Configuration reload (controlplane/cp_reload.c).  sa->peer indexes
 * cfg->peers: below cfg->n_peers a configured peer; from n_peers up to
 * n_peers + ike_sa_removed_peers(), a peer the last reload removed (or
 * changed), kept after the others in the same array for its sessions that
 * are still being deleted (their DELETE waits for its answer), so that
 * nothing reads a freed configuration.  ike_sa_cfg_peer() is that entry,
 * or NULL (no peer yet, or none).  The count is 0 after
 * ike_sa_table_init().
 */
const struct cfg_peer *ike_sa_cfg_peer(const struct gw_cfg *cfg, const struct ike_sa *sa);
/* cfg->pki.trustpoints[sa->trustpoint], or NULL (none yet, or no such one). */
const struct cfg_trustpoint *ike_sa_cfg_trustpoint(const struct gw_cfg *cfg,
						   const struct ike_sa *sa);
void ike_sa_set_removed_peers(unsigned n);
unsigned ike_sa_removed_peers(void);
/*
 * Point every session that is not DEAD at the new configuration:
 * sa->peer = peer_map[sa->peer] (n_peer entries; -1 for none), and
 * sa->trustpoint = tp_map[sa->trustpoint] (n_tp entries).  An index
 * outside a map becomes -1.  Returns how many sessions were visited.
 */
unsigned ike_sa_remap(const int *peer_map, unsigned n_peer, const int *tp_map, unsigned n_tp);

#endif /* GW_IKE_SA_H */
