/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_PKI_VCACHE_H
#define GW_PKI_VCACHE_H

/*
 * The verified-chain cache of pki_verify.c: what X509_verify_cert
 * established for a chain of DER certificates (the trustpoint, the parsed
 * certificates, the verified chain EE..anchor), so that a peer sending the
 * same chain again is neither re-parsed nor re-verified.  Only the chain is
 * cached: key usage, the identity and revocation (against the CRLs held
 * now) are checked by the caller on every verification.  An entry is used
 * only while every certificate of the chain is within its validity (by
 * time(NULL), which X509_verify_cert judges by, and by pki_crl_now()) and
 * its trustpoint is the one it was verified under; pki_vcache_flush drops
 * everything (pki_fini).  Bounded (PKI_VCACHE_MAX entries, LRU).  CP thread
 * only.
 */

#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#define PKI_VCACHE_MAX 1024u
#define PKI_VCACHE_KEY 32u		/* SHA-256 */

/* key = SHA-256 over n, then each certificate's length (8 octets, big
 * endian) and DER, in order.  0, -EINVAL (a NULL certificate) or -ENOMEM. */
int pki_vcache_key(const uint8_t *const *der, const size_t *len, unsigned n,
		   uint8_t key[PKI_VCACHE_KEY]);

/*
 * A usable entry for key: 0 with *tp, *ee (up-ref'd: X509_free) and *chain
 * (EE..anchor, each up-ref'd: sk_X509_pop_free(chain, X509_free)).
 * -ENOENT on a miss (an entry out of its validity window or whose
 * trustpoint changed is dropped), -ENOMEM.  Counts hits and misses.
 */
int pki_vcache_get(const uint8_t key[PKI_VCACHE_KEY], unsigned *tp, X509 **ee,
		   STACK_OF(X509) **chain);

/* Remember that chain (EE..anchor, as X509_verify_cert built it from ee)
 * verified under trustpoint tp; takes references of its own.  Call only
 * for a verification that succeeded.  0 or -errno (the cache is optional:
 * callers may ignore a failure). */
int pki_vcache_put(const uint8_t key[PKI_VCACHE_KEY], unsigned tp, X509 *ee,
		   STACK_OF(X509) *chain);

/* Drop every entry (trustpoints about to change, shutdown). */
void pki_vcache_flush(void);

struct pki_vcache_stats {
	uint64_t hits, misses, inserts, evictions, expired;
	unsigned entries;
};
void pki_vcache_stats(struct pki_vcache_stats *out);

#endif /* GW_PKI_VCACHE_H */
