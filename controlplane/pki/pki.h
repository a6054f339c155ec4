/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_PKI_H
#define GW_PKI_H

/*
 * The PKI: trustpoints, peer certificate validation, and a CRL service that
 * downloads, verifies, caches and tells IKE what changed (seed steps 3-5).
 *
 * Threads: everything here runs on the control-plane thread, except the
 * fetcher threads inside pki_fetch.c, which only fetch bytes and post them
 * back.  Callbacks (verification results, "CRL updated") are called on the
 * CP thread.  Nothing here blocks on the network.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg/cfg.h"

enum {
	PKI_SERIAL_MAX = 20,		/* RFC 5280 4.1.2.2 */
	PKI_MAX_CHAIN = 8,		/* certificates below the anchor */
	PKI_ISSUER_STR = 128,		/* display form, cut visibly */
	PKI_CLOCK_SKEW_S = 300,		/* thisUpdate may be this far ahead */
};

/*
 * An issuer, identified by its canonical DER name plus Authority Key
 * Identifier (a CA key rollover keeps the DN): SHA-256 over
 * (i2d canonical name || AKID keyIdentifier).  Compare with memcmp.
 */
struct pki_issuer_id {
	uint8_t h[32];
};

/* A certificate serial: big-endian magnitude, no leading zero octets. */
struct pki_serial {
	uint8_t len;
	uint8_t b[PKI_SERIAL_MAX];
};

struct pki_cert_ref {
	struct pki_issuer_id issuer;
	struct pki_serial serial;
	char issuer_str[PKI_ISSUER_STR];	/* for logs and telemetry */
};

/* The IKE identity to match against the end-entity certificate. */
enum pki_id_type {
	PKI_ID_DN,		/* DER of a Name: matches the subject */
	PKI_ID_FQDN,		/* subjectAltName dNSName */
	PKI_ID_IPV4,		/* 4 octets: subjectAltName iPAddress */
	PKI_ID_IPV6,		/* 16 octets */
	PKI_ID_RFC822,		/* subjectAltName rfc822Name */
	PKI_ID_NONE,		/* no identity check (tests) */
};

struct pki_peer_id {
	enum pki_id_type type;
	const uint8_t *data;
	size_t len;
};

#define PKI_VERIFY_ERRORS(X) \
	X(OK, "ok") \
	X(PARSE, "certificate does not parse") \
	X(UNTRUSTED, "chain does not lead to a trustpoint") \
	X(EXPIRED, "certificate expired or not yet valid") \
	X(KEY_USAGE, "key usage or CA constraints violated") \
	X(ID_MISMATCH, "identity does not match the certificate") \
	X(REVOKED, "certificate revoked") \
	X(NO_CRL, "no valid, current CRL for an issuer in the chain") \
	X(INTERNAL, "internal error")

enum pki_verify_error {
#define X(n, d) PKI_VERIFY_##n,
	PKI_VERIFY_ERRORS(X)
#undef X
};
const char *pki_verify_error_str(enum pki_verify_error e);

struct pki_verify_result {
	enum pki_verify_error error;
	char reason[160];			/* OpenSSL's or ours, one line */
	int trustpoint;				/* index, -1 when none */
	struct pki_cert_ref ee;			/* end entity */
	struct pki_cert_ref chain[PKI_MAX_CHAIN];	/* intermediates, EE's issuer first */
	unsigned n_chain;
	void *ee_pubkey;			/* EVP_PKEY*, up-ref'd; caller frees with pki_pubkey_free */
};

typedef void (*pki_verify_fn)(void *arg, const struct pki_verify_result *res);

/*
 * Verify a peer's chain (DER certificates, end entity first) against the
 * trustpoints, the identity and the revocation mode.  If a needed CRL is
 * not cached, an on-demand download starts and the verification waits for
 * it, up to PKI_VERIFY_WAIT_MS, without blocking the loop.
 * Returns 0 with *handle set (fn is called exactly once, possibly before
 * this returns) or -errno (fn is never called).
 */
enum { PKI_VERIFY_WAIT_MS = 8000 };
int pki_verify_peer(const uint8_t *const *der, const size_t *len, unsigned n,
		    const struct pki_peer_id *id, pki_verify_fn fn, void *arg,
		    uint64_t *handle);
/* Forget a pending verification: fn will not be called. */
void pki_verify_cancel(uint64_t handle);
void pki_pubkey_free(void *pkey);

/* "CRL updated (issuer)": a CRL whose content changed was accepted. */
struct pki_crl_event {
	struct pki_issuer_id issuer;
	const char *issuer_str;
	const char *trustpoint;
	char crl_number[2 * PKI_SERIAL_MAX + 1];	/* hex, of the CRL accepted */
	bool delta;
	uint64_t accepted_ns;		/* CLOCK_MONOTONIC at acceptance */
};
typedef void (*pki_crl_event_fn)(void *arg, const struct pki_crl_event *ev);
int pki_subscribe(pki_crl_event_fn fn, void *arg);
/* Remove a subscription (same fn and arg); 0 or -ENOENT.  Subscriptions
 * outlive pki_fini/pki_init.  pki_subscribe: 0 or -ENOSPC (PKI_MAX_SUBSCRIBERS). */
enum { PKI_MAX_SUBSCRIBERS = 8 };
int pki_unsubscribe(pki_crl_event_fn fn, void *arg);

struct pki_revoked {
	unsigned idx;		/* index into the serials passed in */
	uint8_t reason;		/* CRLReason code (RFC 5280 5.3.1); 0 if absent */
};

/*
 * Which of serials[0..n) are revoked by the current CRLs of issuer (complete
 * + delta, certificateHold per hold_is_revoked).  Writes at most n entries
 * to out and returns how many, or -ENOENT when no CRL of that issuer is
 * held.  O(n).
 */
int pki_check_serials(const struct pki_issuer_id *issuer, const struct pki_serial *serials,
		      unsigned n, struct pki_revoked *out);
/* The same, where is_ca[i] (NULL: all false) says serials[i] is a CA
 * certificate's (an intermediate of a peer's chain): a CRL of scope "ca"
 * (onlyContainsCACerts, a root's ARL) then answers for it.  -ENOENT when
 * no complete CRL of issuer covers a kind asked for. */
int pki_check_serials_kind(const struct pki_issuer_id *issuer, const struct pki_serial *serials,
			   const bool *is_ca, unsigned n, struct pki_revoked *out);

/* What the CRL store knows of an issuer, for logs and events. */
struct pki_crl_current {
	char issuer[PKI_ISSUER_STR];
	char trustpoint[CFG_NAME_MAX];
	char crl_number[2 * PKI_SERIAL_MAX + 1];	/* complete CRL in force, hex; "" none */
};
/* 0, or -ENOENT when the store has never seen a CRL of issuer. */
int pki_crl_current(const struct pki_issuer_id *issuer, struct pki_crl_current *out);
/* Lower-case hex of s into buf (at least 2 * PKI_SERIAL_MAX + 1); "0" for
 * zero. */
void pki_serial_hex(const struct pki_serial *s, char *buf, size_t len);

/* Operator: download now (skips the min interval, joins one in flight).
 * 0 or -ENOENT (no such trustpoint) / -EINVAL (no URL known). */
int pki_crl_request(const char *trustpoint);

/* IKEv2 CERTREQ (RFC 7296 3.7): the SHA-1 hash of the SubjectPublicKeyInfo
 * of each CA certificate of every trustpoint, at most max, duplicates
 * removed.  Returns the count. */
unsigned pki_ca_keyids(uint8_t (*out)[20], unsigned max);
/* Lifecycle, CP thread.  pki_init loads identities, trustpoints and the
 * CRL cache (re-verified), starts fetchers and registers telemetry. */
int pki_init(const struct cfg_pki *cfg);
/* ipsecgw --check, before (without) EAL: load every identity (certificate,
 * key, with its passphrase file; key matched against the certificate) and
 * every trustpoint's CA file as pki_init would, log expiry warnings and
 * key files readable by others, unload.  0, or -errno after log lines
 * naming the file.  No CRL cache, no threads, no telemetry. */
int pki_check(const struct cfg_pki *cfg);
/* pki_init done and no pki_fini since. */
bool pki_is_running(void);

/*
 * Configuration reload (controlplane/cp_reload.c; pki_reload.c).
 * pki_reload_check loads every CA file and identity of cfg aside, as
 * pki_init would, without touching the running PKI, and compares them and
 * the trustpoints' settings with what runs: 0 with *plan filled, or
 * -EINVAL / -ENOMEM with "FILE:LINE: trustpoint NAME does not load (why)"
 * (or "identity") in err, FILE the configuration's path and LINE that of
 * the entry.  Then, with the PKI running, pki_reload_apply carries out
 * RETARGET and IDENTITIES (0, or -errno with the running identities kept);
 * RESTART is pki_fini + pki_init(cfg), by the caller (its event loop
 * watches the fetchers' eventfd).
 */
enum pki_reload_action {
	PKI_RELOAD_RETARGET,	/* same files and settings: point at cfg */
	PKI_RELOAD_IDENTITIES,	/* trustpoints equal, identities not: swap them */
	PKI_RELOAD_RESTART,	/* trustpoints differ, or the PKI comes or goes */
};
struct pki_reload_plan {
	enum pki_reload_action action;
	unsigned cas_changed;	/* trustpoints whose CA certificates changed (same name) */
	unsigned ids_changed;	/* identities whose certificate, chain or key changed,
				 * added or removed */
	bool on_before, on_after;	/* a PKI runs now / will run */
};
int pki_reload_check(const struct cfg_pki *cfg, const char *file, struct pki_reload_plan *plan,
		     char *err, size_t len);
int pki_reload_apply(const struct cfg_pki *cfg, const struct pki_reload_plan *plan);

/* Called from the CP's periodic tick: scheduling, timeouts, and the daily
 * expiry warnings. */
void pki_tick(uint64_t now_ms);
void pki_fini(void);

#endif /* GW_PKI_H */
