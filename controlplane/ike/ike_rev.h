/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_IKE_REV_H
#define GW_IKE_REV_H

/*
 * Disconnect revoked peers on CRL download (the seed, steps 6-9): the
 * PKI's "CRL updated (issuer)" event, the session table's issuer index,
 * and the fast path's RCU retire, joined.
 *
 *   1. The PKI accepts a changed CRL and calls us (pki_subscribe): the
 *      issuer is queued; ike_rev_run(), at the end of the CP loop's
 *      iteration, checks each queued issuer once (coalescing the complete
 *      and delta CRLs, or several downloads, accepted in one iteration).
 *   2. The index (ike_rev_index.c) gives every live session under that
 *      issuer, with the serial it holds there: the peer certificate's
 *      under its issuer, and each intermediate CA's of the peer's chain
 *      under that CA's issuer, so that a root CRL revoking an
 *      intermediate reaches every session chaining through it.
 *   3. pki_check_serials() says which are revoked now.
 *   4. Sessions covered by the feature (its switch for the session's IKE
 *      version is on, and the session's trustpoint checks revocation) are
 *      deleted: first every CHILD SA of the whole batch is unpublished
 *      from the fast path in one dp_sa_retire_batch(), then each session
 *      goes to its version's deleter (IKEv2: ikev2_delete, an
 *      INFORMATIONAL with a DELETE of the IKE SA; local state goes when
 *      answered or after the retransmissions).  One log line per session:
 *        revocation: deleting session N peer NAME (ADDR): issuer "I"
 *        serial S, CRL number C, reason R
 *   5. One event per check is kept (the last IKE_REV_EVENTS) for
 *      `show crypto pki revocation`.
 *
 * Switching the feature on (ike_rev_set_enabled, at runtime) checks every
 * issuer of the index at once against the CRLs in force.  Sessions are
 * indexed whatever the switches say.
 *
 * CP thread only.
 */

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "cfg/cfg.h"
#include "controlplane/pki/pki.h"

struct ike_sa;

enum {
	IKE_REV_EVENTS = 256,		/* events kept */
	IKE_REV_PENDING = 64,		/* issuers queued; beyond: check them all */
};

/* What started a check. */
#define IKE_REV_CAUSES(X) \
	X(CRL, "crl") \
	X(ENABLED, "enabled")

enum ike_rev_cause {
#define X(n, s) IKE_REV_CAUSE_##n,
	IKE_REV_CAUSES(X)
#undef X
	IKE_REV_CAUSE_MAX
};
const char *ike_rev_cause_str(enum ike_rev_cause c);

/* One check of one issuer. */
struct ike_rev_event {
	uint64_t id;			/* from 1 */
	time_t when;			/* wall clock of the check */
	enum ike_rev_cause cause;
	char issuer[PKI_ISSUER_STR];
	char trustpoint[CFG_NAME_MAX];
	char crl_number[2 * PKI_SERIAL_MAX + 1];	/* hex, "" unknown */
	uint32_t checked;		/* index entries (session, serial) under the issuer */
	uint32_t revoked;		/* of those, revoked by the CRLs in force */
	uint32_t deleted;		/* sessions deleted */
	uint32_t skipped;		/* revoked but not covered (switch off, revocation none) */
	uint64_t unpublish_us;		/* CRL accepted (or switch on) -> last SA unpublished */
	uint64_t check_us;		/* the whole check, deleters included */
};

/* Counters (X(name, help)); /ipsecgw/revocation shows them. */
#define IKE_REV_COUNTERS(X) \
	X(crl_events, "CRL updated events received") \
	X(checks, "issuer checks run (coalesced events count once)") \
	X(sessions_checked, "index entries checked against a CRL") \
	X(revoked_found, "entries found revoked") \
	X(sessions_deleted, "sessions deleted as revoked") \
	X(sessions_skipped, "revoked sessions left up: feature off or revocation_check none") \
	X(no_crl, "checks of an issuer with no CRL held")

enum ike_rev_counter {
#define X(n, d) IKE_REV_C_##n,
	IKE_REV_COUNTERS(X)
#undef X
	IKE_REV_C_MAX
};
const char *ike_rev_counter_name(enum ike_rev_counter c);
uint64_t ike_rev_counter(enum ike_rev_counter c);

/*
 * Subscribe to the PKI, take the switches from cfg->crypto (ikev2 and
 * isakmp disconnect_revoked_peers) and keep cfg for trustpoint modes and
 * peer names.  0 or -errno.  ike_rev_fini unsubscribes and forgets events.
 */
int ike_rev_init(const struct gw_cfg *cfg);
void ike_rev_fini(void);
/* Configuration reload: read trustpoint modes and peer names from cfg from
 * now on (the switches are the caller's: ike_rev_set_enabled). */
void ike_rev_set_cfg(const struct gw_cfg *cfg);

/* Sessions are deleted through ike_sa_delete() (each version registers its
 * delete path with ike_sa_set_deleter; ikev2_init registers ikev2_delete);
 * a version without one has its sessions killed locally. */

/* Run the queued checks.  Cheap when nothing is queued. */
void ike_rev_run(void);

/* The switch of an IKE version (1 or 2).  Turning it on checks every
 * indexed issuer now, before this returns. */
bool ike_rev_enabled(uint8_t ike_version);
void ike_rev_set_enabled(uint8_t ike_version, bool on);

/* Whether the feature would delete sa if revoked: its version's switch is
 * on and its trustpoint's revocation_check is not "none".  *no_check (may
 * be NULL) says the trustpoint checks nothing. */
bool ike_rev_covers(const struct ike_sa *sa, bool *no_check);

/* Check one issuer now (tests, benchmarks; the event path queues). */
void ike_rev_check(const struct pki_issuer_id *issuer, const char *issuer_str,
		   const char *trustpoint, const char *crl_number, uint64_t since_ns,
		   enum ike_rev_cause cause);

/* Events: the oldest kept id (0 when none) and one by id (0 or -ENOENT). */
uint64_t ike_rev_event_first(void);
uint64_t ike_rev_event_last(void);
int ike_rev_event_get(uint64_t id, struct ike_rev_event *out);

/* CLOCK_MONOTONIC in ns: the time base of since_ns and latencies. */
uint64_t ike_rev_now_ns(void);

/* ---- the session index (ike_rev_index.c) ---- */

/* One (session, serial) under an issuer. */
struct ike_rev_entry {
	struct pki_serial serial;
	struct ike_sa *sa;
	uint8_t link;			/* which of sa's certificates: 0 EE, 1.. chain */
};

/* Index sa under its peer certificate's issuer and its chain's issuers
 * (sa->peer_cert, sa->chain_keys).  Idempotent.  0 or -ENOMEM. */
int ike_rev_index_add(struct ike_sa *sa);
/* Remove sa from the index (ike_sa_kill / ike_sa_free call it). */
void ike_rev_index_del(struct ike_sa *sa);
/* The entries under issuer; valid until the index changes.  Count. */
unsigned ike_rev_index_get(const struct pki_issuer_id *issuer,
			   const struct ike_rev_entry **ents);
/* Issuers that have entries: the i-th (0 ..) or NULL past the end. */
const struct pki_issuer_id *ike_rev_index_issuer(unsigned i);
unsigned ike_rev_index_entries(void);	/* all entries */
void ike_rev_index_fini(void);

/* Telemetry (ike_rev_tm.c): /ipsecgw/revocation, /ipsecgw/revocation/events,
 * /ipsecgw/revocation/event, /ipsecgw/ikev2/disconnect_revoked_peers and
 * /ipsecgw/isakmp/disconnect_revoked_peers.  0 or -errno. */
int ike_rev_tm_register(void);

#endif /* GW_IKE_REV_H */
