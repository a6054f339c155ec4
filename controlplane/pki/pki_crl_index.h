/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_PKI_CRL_INDEX_H
#define GW_PKI_CRL_INDEX_H

/*
 * The revoked serials of one CRL: an open-addressing hash set (linear
 * probing, load factor at most 3/4) of fixed 24-byte slots holding the
 * serial (up to 20 octets), its CRLReason and a hash tag.  Sized once for
 * the number of entries of the CRL, so memory is 32 bytes per entry plus
 * a small header; lookups are O(1).  Built on the CP thread, then
 * read-only; not thread-safe while being built.
 */

#include <stddef.h>
#include <stdint.h>

#include "controlplane/pki/pki.h"

struct pki_crl_index;

/* CRLReason codes we act on (RFC 5280 5.3.1). */
enum {
	PKI_REASON_UNSPECIFIED = 0,
	PKI_REASON_HOLD = 6,		/* certificateHold */
	PKI_REASON_REMOVE = 8,		/* removeFromCRL (delta CRLs) */
	PKI_REASON_MAX = 10,		/* aACompromise */
};

/* An empty index with room for n entries; NULL on allocation failure. */
struct pki_crl_index *pki_crl_index_new(size_t n);
void pki_crl_index_free(struct pki_crl_index *ix);

/*
 * Add serial s with CRLReason reason.  A CRL lists each serial once; when
 * one lists a serial twice, the entry that revokes most stands (fail
 * closed): any revocation over certificateHold over removeFromCRL.
 * 0, or -ENOSPC when the index already holds the n it was sized for.
 */
int pki_crl_index_add(struct pki_crl_index *ix, const struct pki_serial *s, uint8_t reason);

/* 1 and *reason set when s is present, else 0.  ix may be NULL (empty). */
int pki_crl_index_find(const struct pki_crl_index *ix, const struct pki_serial *s,
		       uint8_t *reason);

/* Entries held, and the bytes the index occupies (header + slots). */
size_t pki_crl_index_count(const struct pki_crl_index *ix);
size_t pki_crl_index_bytes(const struct pki_crl_index *ix);

#endif /* GW_PKI_CRL_INDEX_H */
