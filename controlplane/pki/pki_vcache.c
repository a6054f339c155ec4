/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The verified-chain cache (pki_vcache.h): entries in a chained hash table
 * indexed by the first octets of their SHA-256 key, and on an LRU list; the
 * least recently used one goes when PKI_VCACHE_MAX are held.  CP thread
 * only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <openssl/evp.h>

#include "controlplane/pki/pki_internal.h"
#include "controlplane/pki/pki_vcache.h"

#define PKI_VCACHE_BUCKETS 2048u	/* power of two, > PKI_VCACHE_MAX */

struct pki_vcache_entry {
	LIST_ENTRY(pki_vcache_entry) hnext;
	TAILQ_ENTRY(pki_vcache_entry) lru;	/* most recently used first */
	uint8_t key[PKI_VCACHE_KEY];
	unsigned tp;
	const struct cfg_trustpoint *tp_cfg;	/* the trustpoint it verified under */
	STACK_OF(X509) *tp_cas;
	X509 *ee;
	STACK_OF(X509) *chain;			/* EE..anchor */
	time_t not_before;			/* latest notBefore of the chain */
	time_t not_after;			/* earliest notAfter of the chain */
};

LIST_HEAD(pki_vcache_bucket, pki_vcache_entry);
TAILQ_HEAD(pki_vcache_lru, pki_vcache_entry);

static struct pki_vcache_bucket pki_vc_tab[PKI_VCACHE_BUCKETS];
static struct pki_vcache_lru pki_vc_lru = TAILQ_HEAD_INITIALIZER(pki_vc_lru);
static struct pki_vcache_stats pki_vc_st;

_Static_assert((PKI_VCACHE_BUCKETS & (PKI_VCACHE_BUCKETS - 1)) == 0, "power of two");

static struct pki_vcache_bucket *pki_vc_bucket(const uint8_t *key)
{
	uint32_t h;

	memcpy(&h, key, sizeof(h));
	return &pki_vc_tab[h & (PKI_VCACHE_BUCKETS - 1)];
}

int pki_vcache_key(const uint8_t *const *der, const size_t *len, unsigned n,
		   uint8_t key[PKI_VCACHE_KEY])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t pfx[8];
	unsigned int out = 0;
	int ok;

	for (unsigned i = 0; i < n; i++)
		if (der[i] == NULL) {
			EVP_MD_CTX_free(md);
			return -EINVAL;
		}
	if (md == NULL)
		return -ENOMEM;
	ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	for (unsigned b = 0; b < 4; b++)
		pfx[b] = (uint8_t)(n >> (24 - 8 * b));
	ok = ok && EVP_DigestUpdate(md, pfx, 4);
	for (unsigned i = 0; ok && i < n; i++) {
		uint64_t l = len[i];

		for (unsigned b = 0; b < 8; b++)
			pfx[b] = (uint8_t)(l >> (56 - 8 * b));
		ok = EVP_DigestUpdate(md, pfx, sizeof(pfx)) &&
		     (len[i] == 0 || EVP_DigestUpdate(md, der[i], len[i]));
	}
	ok = ok && EVP_DigestFinal_ex(md, key, &out) && out == PKI_VCACHE_KEY;
	EVP_MD_CTX_free(md);
	return ok ? 0 : -ENOMEM;
}

static void pki_vc_free(struct pki_vcache_entry *e)
{
	LIST_REMOVE(e, hnext);
	TAILQ_REMOVE(&pki_vc_lru, e, lru);
	pki_vc_st.entries--;
	X509_free(e->ee);
	sk_X509_pop_free(e->chain, X509_free);
	free(e);
}

static struct pki_vcache_entry *pki_vc_find(const uint8_t *key)
{
	struct pki_vcache_entry *e;

	LIST_FOREACH(e, pki_vc_bucket(key), hnext)
		if (memcmp(e->key, key, PKI_VCACHE_KEY) == 0)
			return e;
	return NULL;
}

/* now inside [not_before, not_after], as X509_verify_cert judges it. */
static bool pki_vc_in_window(const struct pki_vcache_entry *e, time_t now)
{
	return now >= e->not_before && now <= e->not_after;
}

static bool pki_vc_usable(const struct pki_vcache_entry *e)
{
	const struct pki_tp *t;

	if (!pki_vc_in_window(e, time(NULL)) || !pki_vc_in_window(e, pki_crl_now()))
		return false;
	if (e->tp >= pki_tp_count())
		return false;
	t = pki_tp_get(e->tp);
	return t->cfg == e->tp_cfg && t->cas == e->tp_cas;
}

int pki_vcache_get(const uint8_t key[PKI_VCACHE_KEY], unsigned *tp, X509 **ee,
		   STACK_OF(X509) **chain)
{
	struct pki_vcache_entry *e = pki_vc_find(key);

	if (e != NULL && !pki_vc_usable(e)) {
		pki_vc_st.expired++;
		pki_vc_free(e);
		e = NULL;
	}
	if (e == NULL) {
		pki_vc_st.misses++;
		return -ENOENT;
	}
	*chain = X509_chain_up_ref(e->chain);
	if (*chain == NULL)
		return -ENOMEM;
	if (X509_up_ref(e->ee) != 1) {
		sk_X509_pop_free(*chain, X509_free);
		*chain = NULL;
		return -ENOMEM;
	}
	*ee = e->ee;
	*tp = e->tp;
	TAILQ_REMOVE(&pki_vc_lru, e, lru);
	TAILQ_INSERT_HEAD(&pki_vc_lru, e, lru);
	pki_vc_st.hits++;
	return 0;
}

static int pki_vc_time(const ASN1_TIME *a, time_t *t)
{
	struct tm tm;

	if (a == NULL || ASN1_TIME_to_tm(a, &tm) != 1)
		return -EINVAL;
	*t = timegm(&tm);
	return 0;
}

/* The window in which every certificate of chain is valid. */
static int pki_vc_window(STACK_OF(X509) *chain, time_t *nb, time_t *na)
{
	bool first = true;

	for (int i = 0; i < sk_X509_num(chain); i++) {
		X509 *x = sk_X509_value(chain, i);
		time_t b, a;

		if (pki_vc_time(X509_get0_notBefore(x), &b) != 0 ||
		    pki_vc_time(X509_get0_notAfter(x), &a) != 0)
			return -EINVAL;
		if (first || b > *nb)
			*nb = b;
		if (first || a < *na)
			*na = a;
		first = false;
	}
	return first ? -EINVAL : 0;
}

int pki_vcache_put(const uint8_t key[PKI_VCACHE_KEY], unsigned tp, X509 *ee,
		   STACK_OF(X509) *chain)
{
	struct pki_vcache_entry *e;
	int ret = -ENOMEM;

	if (tp >= pki_tp_count() || pki_vc_find(key) != NULL)
		return -EEXIST;
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return -ENOMEM;
	if (pki_vc_window(chain, &e->not_before, &e->not_after) != 0) {
		ret = -EINVAL;
		goto fail;
	}
	e->chain = X509_chain_up_ref(chain);
	if (e->chain == NULL || X509_up_ref(ee) != 1)
		goto fail;
	e->ee = ee;
	memcpy(e->key, key, PKI_VCACHE_KEY);
	e->tp = tp;
	e->tp_cfg = pki_tp_get(tp)->cfg;
	e->tp_cas = pki_tp_get(tp)->cas;
	if (pki_vc_st.entries >= PKI_VCACHE_MAX) {
		pki_vc_free(TAILQ_LAST(&pki_vc_lru, pki_vcache_lru));
		pki_vc_st.evictions++;
	}
	LIST_INSERT_HEAD(pki_vc_bucket(key), e, hnext);
	TAILQ_INSERT_HEAD(&pki_vc_lru, e, lru);
	pki_vc_st.entries++;
	pki_vc_st.inserts++;
	return 0;
fail:
	sk_X509_pop_free(e->chain, X509_free);
	free(e);
	return ret;
}

void pki_vcache_flush(void)
{
	struct pki_vcache_entry *e;

	while ((e = TAILQ_FIRST(&pki_vc_lru)) != NULL)
		pki_vc_free(e);
}

void pki_vcache_stats(struct pki_vcache_stats *out)
{
	*out = pki_vc_st;
}
