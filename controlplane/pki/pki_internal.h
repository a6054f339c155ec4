/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_PKI_INTERNAL_H
#define GW_PKI_INTERNAL_H

/*
 * The seams between the PKI's parts.  CP thread only unless stated.
 *
 *   pki_tp.c      trustpoints: CA certs, identities (pki_tp_*)
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

#include "controlplane/pki/pki.h"

/* ---- trustpoints (pki_tp.c) ---- */

struct pki_tp {
	char name[CFG_NAME_MAX];
	const struct cfg_trustpoint *cfg;	/* owned by the caller of pki_init */
	STACK_OF(X509) *cas;			/* root(s) and intermediates from cfg->ca */
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
void pki_tp_unload(void);

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

enum pki_rev_status {
	PKI_REV_GOOD,
	PKI_REV_REVOKED,
	PKI_REV_NO_CRL,		/* none held for this issuer */
	PKI_REV_STALE,		/* held, but nextUpdate passed */
};
/* Revocation status of (issuer, serial) under the held CRLs. */
enum pki_rev_status pki_crl_status(const struct pki_issuer_id *issuer,
				   const struct pki_serial *serial, uint8_t *reason);

/* Enumeration for telemetry: one entry per issuer, ids from 1. */
struct pki_crl_info {
	unsigned id;
	char trustpoint[CFG_NAME_MAX];
	char issuer[PKI_ISSUER_STR];
	char crl_number[2 * PKI_SERIAL_MAX + 1];	/* hex */
	time_t this_update, next_update;
	uint64_t entries;
	char delta_number[2 * PKI_SERIAL_MAX + 1];	/* "" if none */
	char source[CFG_URL_MAX];
	char last_result[64];
	time_t last_download;
	uint64_t downloads, unchanged, rejected, failed;
};
unsigned pki_crl_count(void);
int pki_crl_get(unsigned id, struct pki_crl_info *out);	/* 0 or -ENOENT */
/* Next update time of the complete CRL of issuer under tp, or 0. */
time_t pki_crl_next_update(unsigned tp, const struct pki_issuer_id *issuer);
int pki_crl_init(void);
void pki_crl_fini(void);

/* ---- cache on disk (pki_cache.c) ---- */

/* Write atomically: tmp file, fsync, rename, fsync dir.  0 or -errno. */
int pki_cache_write(const char *dir, const struct pki_issuer_id *issuer, bool delta,
		    const uint8_t *der, size_t len);
/* Re-ingest every cached CRL of tp (from_cache = true). */
int pki_cache_load(unsigned tp);

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

/* ---- verification (pki_verify.c) ---- */

/* A download for tp finished (any outcome): re-run pending verifications. */
void pki_verify_crl_result(unsigned tp);
void pki_verify_tick(uint64_t now_ms);

/* ---- events ---- */
void pki_event_crl_updated(const struct pki_issuer_id *issuer, const char *issuer_str,
			   const char *trustpoint);

#endif /* GW_PKI_INTERNAL_H */
