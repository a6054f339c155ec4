/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_PKI_CRL_H
#define GW_PKI_CRL_H

/*
 * Inside the CRL service: what pki_crl.c (parse and verify before
 * acceptance) hands to pki_crl_store.c (numbering, index, events,
 * counters), and the store's entries that pki_crl_status.c answers from.
 * CP thread only.
 */

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "controlplane/pki/pki_crl_index.h"
#include "controlplane/pki/pki_internal.h"

/* One CRL, parsed and (after pki_crl_check) verified. */
struct pki_crl_parsed {
	X509_CRL *crl;			/* owned; freed by pki_crl_parsed_free */
	const uint8_t *der;		/* the exact DER: into the body or der_buf */
	size_t der_len;
	uint8_t *der_buf;		/* OPENSSL_malloc'd when the body was PEM */
	uint8_t digest[32];		/* SHA-256 of der */
	struct pki_issuer_id issuer;	/* from the CA once found, else the CRL */
	bool issuer_known;		/* issuer filled */
	char issuer_str[PKI_ISSUER_STR];
	X509 *ca;			/* borrowed from the trustpoint */
	uint8_t ca_key[32];		/* SHA-256 of ca's public key */
	GENERAL_NAMES *idp_names;	/* IDP distributionPoint fullName, NULL = none */
	struct pki_serial number;
	bool delta;
	struct pki_serial base;		/* BaseCRLNumber of a delta */
	enum pki_crl_scope scope;
	time_t this_update, next_update;	/* nextUpdate is required */
	size_t skipped;			/* entries whose serial is not ours to match */
	char why[256];			/* detail of a rejection, one line */
};

/* ---- the store (pki_crl_store.c), read by the answers (pki_crl_status.c) ---- */

/* One CRL held: its index and what the numbering rules compare. */
struct pki_crl_held {
	struct pki_crl_index *ix;		/* NULL = nothing held */
	struct pki_serial number;
	struct pki_serial base;			/* delta only */
	uint8_t digest[32];			/* SHA-256 of the DER */
	GENERAL_NAMES *idp_names;		/* IDP distributionPoint, NULL = none */
	time_t this_update, next_update;
	time_t accepted;
	char source[CFG_URL_MAX];		/* URL, or "cache:PATH" */
	char origin[CFG_URL_MAX];		/* the URL it was downloaded from, "" = unknown */
};

enum { PKI_HELD_COMPLETE, PKI_HELD_DELTA };

/*
 * One issuer: per scope the latest complete CRL and the latest delta.  An
 * "anonymous" entry stands for a URL of a trustpoint whose downloads have
 * brought no CRL yet (anon: no issuer, never found by pki_crl_find), so
 * that "show crypto pki crls" tells why nothing is held; the first CRL of
 * a known CA from that URL turns it into that CA's entry.
 */
struct pki_crl_entry {
	bool anon;
	struct pki_issuer_id issuer;
	char issuer_str[PKI_ISSUER_STR];
	uint8_t ca_key[32];			/* pki_crl_ca_key() of the issuing CA */
	bool hold_any;				/* a trustpoint of this CA: hold_is_revoked */
	unsigned tp;				/* the trustpoint that last installed one */
	struct pki_crl_held held[PKI_CRL_SCOPE_MAX][2];
	char last_source[CFG_URL_MAX];
	char last_result[PKI_CRL_RESULT_MAX];
	time_t last_download;
	uint64_t downloads, unchanged, rejected, failed;
};

/* The entry of issuer, or NULL. */
struct pki_crl_entry *pki_crl_find(const struct pki_issuer_id *issuer);

/* ---- parse and verify (pki_crl.c) ---- */

/* Parse DER or PEM (len <= max).  NEW on success (p->crl set), else
 * TOO_BIG or PARSE with p->why.  p is zeroed first. */
enum pki_crl_verdict pki_crl_parse(const uint8_t *body, size_t len, size_t max,
				   struct pki_crl_parsed *p);

/* Verification before acceptance: issuer among tp's CAs, cRLSign,
 * signature, critical extensions, IDP scope, CRL number, delta base,
 * thisUpdate/nextUpdate (which must be present) against now.  NEW or the
 * rejection verdict. */
enum pki_crl_verdict pki_crl_check(const struct pki_tp *tp, struct pki_crl_parsed *p,
				   time_t now);

/* The revoked entries of a checked CRL as a new index; NULL with p->why
 * and *v set (CRITICAL_EXT, or PARSE when memory ran out). */
struct pki_crl_index *pki_crl_build_index(struct pki_crl_parsed *p, enum pki_crl_verdict *v);

void pki_crl_parsed_free(struct pki_crl_parsed *p);

/* SHA-256 of ca's subjectPublicKey: which key an issuer's CRLs are
 * pinned to.  0 or -EIO. */
int pki_crl_ca_key(X509 *ca, uint8_t key[32]);

/* Bytes of the serial indexes held for issuer (every scope, complete and
 * delta); 0 when none. */
size_t pki_crl_index_bytes_of(const struct pki_issuer_id *issuer);

/* -1, 0, 1 as a <, =, > b (numbers without leading zero octets). */
int pki_serial_cmp(const struct pki_serial *a, const struct pki_serial *b);
/* pki_serial_hex() is in pki.h. */

#endif /* GW_PKI_CRL_H */
