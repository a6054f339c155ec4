/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_PKI_CRL_H
#define GW_PKI_CRL_H

/*
 * Inside the CRL service: what pki_crl.c (parse and verify before
 * acceptance) hands to pki_crl_store.c (numbering, index, events,
 * counters).  CP thread only.
 */

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#include "controlplane/pki/pki_crl_index.h"
#include "controlplane/pki/pki_internal.h"

/* CRLReason codes we act on (RFC 5280 5.3.1). */
enum {
	PKI_REASON_UNSPECIFIED = 0,
	PKI_REASON_HOLD = 6,		/* certificateHold */
	PKI_REASON_REMOVE = 8,		/* removeFromCRL (delta CRLs) */
};

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
	struct pki_serial number;
	bool delta;
	struct pki_serial base;		/* BaseCRLNumber of a delta */
	enum pki_crl_scope scope;
	time_t this_update, next_update;	/* next_update 0 = absent */
	size_t skipped;			/* entries whose serial is not ours to match */
	char why[256];			/* detail of a rejection, one line */
};

/* Parse DER or PEM (len <= max).  NEW on success (p->crl set), else
 * TOO_BIG or PARSE with p->why.  p is zeroed first. */
enum pki_crl_verdict pki_crl_parse(const uint8_t *body, size_t len, size_t max,
				   struct pki_crl_parsed *p);

/* Verification before acceptance: issuer among tp's CAs, cRLSign,
 * signature, critical extensions, IDP scope, CRL number, delta base,
 * thisUpdate/nextUpdate against now.  NEW or the rejection verdict. */
enum pki_crl_verdict pki_crl_check(const struct pki_tp *tp, struct pki_crl_parsed *p,
				   time_t now);

/* The revoked entries of a checked CRL as a new index; NULL with p->why
 * and *v set (CRITICAL_EXT, or PARSE when memory ran out). */
struct pki_crl_index *pki_crl_build_index(struct pki_crl_parsed *p, enum pki_crl_verdict *v);

void pki_crl_parsed_free(struct pki_crl_parsed *p);

/* Bytes of the serial indexes held for issuer (every scope, complete and
 * delta); 0 when none. */
size_t pki_crl_index_bytes_of(const struct pki_issuer_id *issuer);

/* -1, 0, 1 as a <, =, > b (numbers without leading zero octets). */
int pki_serial_cmp(const struct pki_serial *a, const struct pki_serial *b);
/* Lower-case hex of s into buf (at least 2 * PKI_SERIAL_MAX + 1); "0" for
 * zero. */
void pki_serial_hex(const struct pki_serial *s, char *buf, size_t len);

#endif /* GW_PKI_CRL_H */
