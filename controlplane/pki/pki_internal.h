/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_PKI_INTERNAL_H
#define GW_PKI_INTERNAL_H

/*
 * The seams between the PKI's parts.  CP thread only unless stated.
 *
 *   pki_tp.c      trustpoints: CA certs, identities (pki_tp_*)
 *   pki_key.c     our private keys, plain or encrypted (pki_key_*)
 *   pki_expiry.c  the certificate list, expiry warnings (pki_expiry_*,
 *                 pki_cert_*)
 *   pki_id.c      issuer ids and serials from OpenSSL objects (pki_id_*)
 *   pki_crl*.c    CRL ingest, verification, index, store, events (pki_crl_*)
 *   pki_cache.c   the on-disk CRL cache (pki_cache_*)
 *   pki_fetch.c   fetcher threads + OpenSSL HTTP client (pki_fetch_*)
 *   pki_sched.c   when to download: prefetch, refresh, coalescing, retry,
 *                 on-demand, operator requests (pki_sched_*)
 *   pki_verify.c  peer chain validation and pending verifications
 *   pki_tm.c      telemetry commands /ipsecgw/pki/...
 */

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/gw_log.h"
#include "controlplane/pki/pki.h"

/* ---- load errors (pki_reload.c) ---- */

/*
 * An error loading a certificate, key or CA file: logged, and its text
 * kept as the last load error, which a configuration reload's check
 * (pki_reload_check) reports after the configuration line of the entry.
 */
void pki_load_error_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *pki_load_error(void);	/* "" after pki_load_error_clear() */
void pki_load_error_clear(void);
#define PKI_LOAD_ERR(fmt, ...) \
	do { \
		pki_load_error_set(fmt, ##__VA_ARGS__); \
		GW_LOG(pki, ERR, fmt, ##__VA_ARGS__); \
	} while (0)

/* ---- trustpoints (pki_tp.c) ---- */

enum { PKI_FP_LEN = 32 };		/* SHA-256 */

struct pki_tp {
	char name[CFG_NAME_MAX];
	const struct cfg_trustpoint *cfg;	/* owned by the caller of pki_init */
	STACK_OF(X509) *cas;			/* root(s) and intermediates from cfg->ca */
	uint8_t fp[PKI_FP_LEN];			/* SHA-256 over the DER of cas, in order */
	/* CDPs learnt from peer certificates (persisted with the cache). */
	char learnt_urls[CFG_MAX_CRL_URLS][CFG_URL_MAX];
	unsigned n_learnt_urls;
};

unsigned pki_tp_count(void);
struct pki_tp *pki_tp_get(unsigned idx);
int pki_tp_find(const char *name);		/* index or -1 */
/* The CA certificate of tp whose subject matches the CRL/cert issuer name
 * and (when present) whose SKID matches akid; NULL if none. */
X509 *pki_tp_find_issuer(const struct pki_tp *tp, const X509_NAME *name,
			 const ASN1_OCTET_STRING *akid);
int pki_tp_load(const struct cfg_pki *cfg);
/* Add URLs not yet known to tp (configured or learnt) to its learnt list
 * and persist it (pki_cache_save_urls); the scheduler picks them up.
 * what says where they came from, for the log.  Count added or -ENOENT. */
int pki_tp_learn_urls(unsigned tp, char urls[][CFG_URL_MAX], unsigned n, const char *what);
void pki_tp_unload(void);

/* Our own certificate and key, one per key type (IKE AUTH, CERT payloads);
 * loaded by pki_tp_load, the key checked against the certificate. */
struct pki_identity {
	X509 *cert;
	EVP_PKEY *key;
	STACK_OF(X509) *chain;			/* to send after cert; never NULL, may be empty */
	int key_type;				/* EVP_PKEY_RSA or EVP_PKEY_EC */
	uint8_t fp[PKI_FP_LEN];			/* SHA-256 over cert, chain, public key (DER) */
};

/*
 * Load cfg's trustpoints into tps[0..*n_tps) and its identities into
 * ids[0..*n_ids) as pki_tp_load does, but into the caller's arrays (of
 * CFG_MAX_TRUSTPOINTS / CFG_MAX_IDENTITIES): the running tables are not
 * touched.  tps or ids NULL: that part is skipped.  0, or -errno after a
 * PKI_LOAD_ERR line (nothing left loaded).  pki_tp_unload_set frees.
 */
int pki_tp_load_set(const struct cfg_pki *cfg, struct pki_tp *tps, unsigned *n_tps,
		    struct pki_identity *ids, unsigned *n_ids);
/* Its parts: one trustpoint (free tp->cas with sk_X509_pop_free, even on
 * error), one identity checked against prev[0..n_prev) (one per key type;
 * nothing left on error; pki_tp_identity_free). */
int pki_tp_load_one(struct pki_tp *tp, const struct cfg_trustpoint *c);
int pki_tp_load_identity(const struct cfg_identity *c, struct pki_identity *id,
			 const struct pki_identity *prev, unsigned n_prev);
void pki_tp_identity_free(struct pki_identity *id);
void pki_tp_unload_set(struct pki_tp *tps, unsigned *n_tps, struct pki_identity *ids,
		       unsigned *n_ids);
/* Reload: replace the running identities with cfg's (loaded aside first:
 * on error the running ones stay).  0 or -errno. */
int pki_tp_identities_swap(const struct cfg_pki *cfg);
/* Reload: point the running trustpoints at cfg's entries of the same
 * index (the caller checked they are equal). */
void pki_tp_retarget(const struct cfg_pki *cfg);
unsigned pki_identity_count(void);
const struct pki_identity *pki_identity_get(unsigned idx);	/* NULL past the end */
/* The identity whose key is of key_type (EVP_PKEY_RSA, EVP_PKEY_EC), or NULL. */
const struct pki_identity *pki_identity_for_keytype(int key_type);

/* pki_key.c: the private key of c (key, key_passphrase_file), see there;
 * NULL after a log line saying why. */
EVP_PKEY *pki_key_read(const struct cfg_identity *c);

/* ---- expiry warnings and the certificate list (pki_expiry.c) ---- */

/* Whole days from now until t, rounded down (negative: past). */
long pki_expiry_days_left(time_t t, time_t now);
/* notAfter / notBefore of x as time_t; 0 when unreadable. */
time_t pki_expiry_not_after(const X509 *x);
time_t pki_expiry_not_before(const X509 *x);

/* One certificate we hold: identities first (in configuration order),
 * then the CAs of each trustpoint (in file order).  ids from 1. */
struct pki_cert_info {
	unsigned id;
	bool ca;				/* a trustpoint's CA, else our identity */
	char owner[CFG_NAME_MAX];		/* trustpoint name, or "identity N" */
	char trustpoint[CFG_NAME_MAX];		/* identity: the trustpoint whose CA issued it, "" */
	char subject[PKI_ISSUER_STR];
	char issuer[PKI_ISSUER_STR];
	char serial[2 * PKI_SERIAL_MAX + 1];	/* hex */
	char key_type[16];			/* "RSA-2048", "EC-prime256v1" */
	char file[CFG_PATH_MAX];
	time_t not_before, not_after;
	long days_left;
	bool expiring;				/* within expiry_warning_days */
};
unsigned pki_cert_count(void);
int pki_cert_get(unsigned id, struct pki_cert_info *out);	/* 0 or -ENOENT */

struct pki_expiry_counts {
	uint32_t warning_days, crl_warning_hours;
	unsigned certs_expiring, certs_expired;		/* our identities */
	unsigned cas_expiring, cas_expired;
	unsigned crls_next_update_near, crls_stale;	/* complete CRLs held */
	uint64_t warnings_logged;			/* since start */
	time_t last_scan, next_scan;
};
/* The counts as of now (pki_crl_now()); warnings_logged and the scan times
 * are those of the last pki_expiry_scan. */
void pki_expiry_counts(struct pki_expiry_counts *out);
/* Log one warning per object expiring within the configured window and
 * count it; pki_expiry_tick calls it at start and then once a day. */
unsigned pki_expiry_scan(time_t now);
void pki_expiry_tick(time_t now);
/* Configure (pki_init, pki_check) and forget (pki_fini). */
void pki_expiry_init(const struct cfg_pki *cfg);
void pki_expiry_fini(void);
/* Reload: read the windows and identity paths from cfg from now on. */
void pki_expiry_retarget(const struct cfg_pki *cfg);

/* ---- identifiers (pki_id.c) ---- */

/* Issuer id of a certificate (its issuer name + its AKID) or of a CRL. */
int pki_id_of_cert_issuer(X509 *cert, struct pki_issuer_id *id);
int pki_id_of_crl_issuer(X509_CRL *crl, struct pki_issuer_id *id);
/* Issuer id under which certificates issued BY ca are known: ca's subject
 * + ca's SKID. */
int pki_id_of_ca_subject(X509 *ca, struct pki_issuer_id *id);
int pki_serial_from_asn1(const ASN1_INTEGER *a, struct pki_serial *s);
void pki_issuer_str(const X509_NAME *name, char *buf, size_t len);

/* ---- the CRL store (pki_crl*.c) ---- */

#define PKI_CRL_VERDICTS(X) \
	X(NEW, "accepted: new content") \
	X(UNCHANGED, "accepted: unchanged") \
	X(PARSE, "rejected: not a CRL (DER or PEM)") \
	X(ISSUER_UNKNOWN, "rejected: issuer is not a CA of the trustpoint") \
	X(NOT_CRLSIGN, "rejected: issuer lacks cRLSign") \
	X(SIGNATURE, "rejected: bad signature") \
	X(CRITICAL_EXT, "rejected: unknown critical extension") \
	X(IDP_SCOPE, "rejected: issuing distribution point scope does not fit") \
	X(NO_NUMBER, "rejected: no CRL number") \
	X(NUMBER_LOWER, "rejected: lower CRL number (rollback)") \
	X(NUMBER_REUSED, "rejected: same CRL number, different content") \
	X(EXPIRED, "rejected: nextUpdate passed") \
	X(NO_NEXT_UPDATE, "rejected: no nextUpdate") \
	X(FUTURE, "rejected: thisUpdate too far in the future") \
	X(DELTA_BASE, "rejected: delta CRL without a matching complete CRL") \
	X(TOO_BIG, "rejected: larger than crl_max_size") \
	X(DOWNLOAD, "download failed")

enum pki_crl_verdict {
#define X(n, d) PKI_CRL_##n,
	PKI_CRL_VERDICTS(X)
#undef X
	PKI_CRL_VERDICT_MAX
};
const char *pki_crl_verdict_str(enum pki_crl_verdict v);

/*
 * Take a body fetched from source (URL, or "cache:PATH") for trustpoint tp:
 * parse (DER or PEM), verify, apply the numbering rules, index, write the
 * cache (unless from_cache), raise "CRL updated" on NEW, update the
 * per-issuer counters.  A rejection changes nothing but counters and log.
 * *issuer is filled when the CRL parsed far enough to name its issuer.
 */
enum pki_crl_verdict pki_crl_ingest(unsigned tp, const uint8_t *body, size_t len,
				    const char *source, bool from_cache,
				    struct pki_issuer_id *issuer);
/* A download of source for tp failed (HTTP status, timeout, size...). */
void pki_crl_download_failed(unsigned tp, const char *source, const char *why);

/* Totals per verdict since start, including what no issuer could be
 * charged with (garbage, failed downloads before any CRL). */
void pki_crl_counts(uint64_t out[PKI_CRL_VERDICT_MAX]);

/*
 * The scope of a CRL, from its Issuing Distribution Point (RFC 5280
 * 5.2.5): every certificate of the issuer, or only end-entity / only CA
 * certificates.  Each scope of an issuer has its own complete and delta
 * CRL and numbering.  Attribute-certificate, indirect and onlySomeReasons
 * CRLs are rejected (IDP_SCOPE).
 */
#define PKI_CRL_SCOPES(X) \
	X(ALL, "all") \
	X(USER, "user") \
	X(CA, "ca")

enum pki_crl_scope {
#define X(n, d) PKI_CRL_SCOPE_##n,
	PKI_CRL_SCOPES(X)
#undef X
	PKI_CRL_SCOPE_MAX
};
const char *pki_crl_scope_str(enum pki_crl_scope s);
/* The CRL of issuer, scope and kind held now came from url (a cached one,
 * after a restart): downloads of url are charged to issuer. */
void pki_crl_set_origin(const struct pki_issuer_id *issuer, enum pki_crl_scope scope, bool delta,
			const char *url);

enum pki_rev_status {
	PKI_REV_GOOD,
	PKI_REV_REVOKED,
	PKI_REV_NO_CRL,		/* none held for this issuer */
	PKI_REV_STALE,		/* held, but nextUpdate passed */
};
/* Revocation status of (issuer, serial) under the held CRLs. */
enum pki_rev_status pki_crl_status(const struct pki_issuer_id *issuer,
				   const struct pki_serial *serial, uint8_t *reason);
/* pki_crl_status answers for a certificate of either kind: from a CRL of
 * scope "all", or from both the "user" and the "ca" CRL.  When the kind is
 * known (is_ca: basicConstraints CA:TRUE), the CRL of that partition
 * suffices.  reason is set for REVOKED.  A serial listed by any CRL held
 * of the issuer is REVOKED; see pki_crl_status.c for the rules. */
enum pki_rev_status pki_crl_status_cert(const struct pki_issuer_id *issuer,
					const struct pki_serial *serial, bool is_ca,
					uint8_t *reason);
/*
 * The status of cert, issued by issuer (the next certificate of a verified
 * chain), for a verification under trustpoint tp (its hold_is_revoked
 * applies).  Unlike the two above, a CRL whose issuingDistributionPoint
 * names a distribution point covers cert when cert's CDPs name it, and
 * only CRLs signed by issuer's own key count.  Fails closed: NO_CRL when
 * anything cannot be worked out.
 */
enum pki_rev_status pki_crl_status_x509(unsigned tp, X509 *cert, X509 *issuer, uint8_t *reason);

enum { PKI_CRL_RESULT_MAX = 128 };	/* last_result: one telemetry string (<= 127) */

/* Enumeration for telemetry: one entry per issuer (and one per URL that
 * has brought no CRL yet: issuer "(no CRL yet)"), ids from 1. */
struct pki_crl_info {
	unsigned id;
	char trustpoint[CFG_NAME_MAX];
	char issuer[PKI_ISSUER_STR];
	char crl_number[2 * PKI_SERIAL_MAX + 1];	/* hex */
	time_t this_update, next_update;
	uint64_t entries;
	char delta_number[2 * PKI_SERIAL_MAX + 1];	/* "" if none */
	char source[CFG_URL_MAX];
	char last_result[PKI_CRL_RESULT_MAX];
	time_t last_download;
	uint64_t downloads, unchanged, rejected, failed;
};
unsigned pki_crl_count(void);
int pki_crl_get(unsigned id, struct pki_crl_info *out);	/* 0 or -ENOENT */
/* Next update time of the complete CRL of issuer under tp, or 0. */
time_t pki_crl_next_update(unsigned tp, const struct pki_issuer_id *issuer);
int pki_crl_init(void);
void pki_crl_fini(void);
/* The wall clock the CRL service judges thisUpdate/nextUpdate by.  Tests
 * may pin it (pki_crl_set_now(t)); 0 returns to time(NULL). */
time_t pki_crl_now(void);
void pki_crl_set_now(time_t t);

/* ---- cache on disk (pki_cache.c) ---- */

/* Write atomically: tmp file, fsync, rename, fsync dir.  0 or -errno. */
int pki_cache_write(const char *dir, const struct pki_issuer_id *issuer, bool delta,
		    const uint8_t *der, size_t len);
/* The same for a CRL of a given scope (pki_cache_write is scope "all"). */
int pki_cache_write_scope(const char *dir, const struct pki_issuer_id *issuer,
			  enum pki_crl_scope scope, bool delta, const uint8_t *der, size_t len);
/* Remove a cached CRL (a delta superseded by a complete CRL).  0 or -errno
 * (-ENOENT is not an error for callers). */
int pki_cache_remove(const char *dir, const struct pki_issuer_id *issuer,
		     enum pki_crl_scope scope, bool delta);
/* Persist tp->learnt_urls as "<trustpoint>.urls" (one URL a line) in the
 * trustpoint's crl_cache_dir, atomically; pki_cache_load reads it back.
 * Call after adding to learnt_urls.  0 or -errno. */
int pki_cache_save_urls(unsigned tp);
/* Re-ingest every cached CRL of tp (from_cache = true), and tell the store
 * the URL each came from (pki_crl_set_origin). */
int pki_cache_load(unsigned tp);
/* Record next to a cached CRL the URL it was downloaded from ("<file>.src",
 * written atomically like the CRL), so that after a restart the failures
 * of that URL are charged to its issuer.  0 or -errno. */
int pki_cache_write_origin(const char *dir, const struct pki_issuer_id *issuer,
			   enum pki_crl_scope scope, bool delta, const char *url);

/* ---- fetching (pki_fetch.c, pki_sched.c) ---- */

/* Start a download of url for tp on a fetcher thread; the result comes
 * back to the CP loop, which calls pki_crl_ingest / pki_crl_download_failed
 * and then pki_sched_done().  0, -EALREADY (same url in flight) or -errno. */
int pki_fetch_start(unsigned tp, const char *url, uint32_t timeout_s, uint32_t max_size);
/* The eventfd the CP loop watches for fetch results, and its handler. */
int pki_fetch_fd(void);
void pki_fetch_service(void);
int pki_fetch_init(void);
void pki_fetch_fini(void);

/* Someone needs a CRL for tp now (verification or operator).  Coalesced
 * with a download in flight; inside crl_min_download_interval it joins the
 * last result unless forced (operator). */
int pki_sched_want(unsigned tp, bool forced);
void pki_sched_done(unsigned tp, const char *url, enum pki_crl_verdict v);
void pki_sched_tick(time_t now);
int pki_sched_init(void);

/*
 * Additions (pki_fetch.c, pki_sched.c).  pki_sched_want returns 0 when a
 * download for tp was started, joined or coalesced with one finished
 * inside the interval; -ENOENT (no such tp), -EINVAL (no URL known) or
 * pki_fetch_start's error when nothing could start.  The scheduler's
 * clock is pki_crl_now(); pki_sched_tick's now should be too.
 */
/* Downloads queued or running on the fetcher threads (any thread). */
unsigned pki_fetch_pending(void);
/* pki_fetch_service: the issuer the CRL from url named, before
 * pki_sched_done, so that refreshes follow that CRL's nextUpdate. */
void pki_sched_issuer(unsigned tp, const char *url, const struct pki_issuer_id *issuer);
/* A download of tp is in flight: pki_verify_crl_result(tp) will follow. */
bool pki_sched_in_flight(unsigned tp);

struct pki_sched_info {
	unsigned n_urls;		/* configured + learnt, complete + delta */
	unsigned in_flight;		/* URLs being downloaded */
	time_t next_due;		/* earliest background download, 0 = none */
	uint32_t backoff_s;		/* largest retry backoff now, 0 = none */
	uint64_t started;		/* downloads started */
	uint64_t coalesced;		/* requests served by another download */
	uint64_t forced;		/* operator requests */
	uint64_t retries;		/* downloads started by the retry backoff */
};
/* 0 or -ENOENT. */
int pki_sched_get(unsigned tp, struct pki_sched_info *out);

/* ---- verification (pki_verify.c) ---- */

/* A download for tp finished (any outcome): re-run pending verifications. */
void pki_verify_crl_result(unsigned tp);
void pki_verify_tick(uint64_t now_ms);
/* Finish every pending verification with PKI_VERIFY_INTERNAL ("PKI shutting
 * down"): call from pki_fini before pki_tp_unload. */
void pki_verify_fini(void);
/* Counters: verifications finished with error e, and those waiting now. */
uint64_t pki_verify_count(enum pki_verify_error e);
unsigned pki_verify_pending(void);

/* pki_verify_chain.c: the synchronous checks.  reason gets one line. */
/* ee (+ extra as untrusted helpers) against tp; on OK *chain = EE..anchor
 * (free with sk_X509_pop_free(chain, X509_free)). */
enum pki_verify_error pki_verify_chain(const struct pki_tp *tp, X509 *ee,
				       STACK_OF(X509) *extra, STACK_OF(X509) **chain,
				       char *reason, size_t len);
/* keyUsage, when present, allows signing (digitalSignature or nonRepudiation). */
enum pki_verify_error pki_verify_ee_usage(X509 *ee, char *reason, size_t len);
enum pki_verify_error pki_verify_id_match(X509 *ee, const struct pki_peer_id *id,
					  char *reason, size_t len);
/* The http:// URIs of cert's crlDistributionPoints, at most max; count. */
int pki_verify_cdp_urls(X509 *cert, char urls[][CFG_URL_MAX], unsigned max);
/* Each http:// fullName URI of a CRLDistributionPoints-syntax list (a
 * certificate's CDP or a CRL's freshestCRL), at most max.  Count. */
int pki_dp_urls(const STACK_OF(DIST_POINT) *dps, char urls[][CFG_URL_MAX], unsigned max);

/* ---- events (pki_event.c) ---- */
/* Call every subscriber (pki_subscribe), in subscription order. */
void pki_event_crl_updated(const struct pki_crl_event *ev);

/* ---- telemetry (pki_tm.c) ---- */
/* Register the /ipsecgw/pki/... commands (once per process: DPDK telemetry
 * has no unregister).  0 or -errno. */
int pki_tm_register(void);
/* The lifecycle handlers, for tests (tm_run_to_json). */
struct tm_reply;
int pki_tm_certificates(const char *params, struct tm_reply *r);
int pki_tm_certificate(const char *params, struct tm_reply *r);
int pki_tm_expiry(const char *params, struct tm_reply *r);

#endif /* GW_PKI_INTERNAL_H */
