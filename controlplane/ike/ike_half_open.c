/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Half-open responder SAs by peer address (ike_half_open.h): records
 * (SA id, next) chained per bucket of a keyed hash of the address, in one
 * pool with a free list.  The key is random, so that peers choosing their
 * addresses cannot aim at one bucket.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "controlplane/ike/ike_half_open.h"
#include "controlplane/ike/ike_sa.h"

enum {
	IKE_HO_BUCKETS = 4096,		/* power of two */
	IKE_HO_POOL_MIN = 256,
	IKE_HO_NONE = UINT32_MAX,
};

struct ike_ho_rec {
	uint64_t sa_id;
	uint32_t next;			/* in the bucket or the free list */
	bool proven;
};

static struct {
	uint32_t head[IKE_HO_BUCKETS];
	struct ike_ho_rec *pool;
	uint32_t cap, free;		/* pool size, free list head */
	uint64_t key;
	bool ready;
} ike_ho;

static void ike_ho_start(void)
{
	for (unsigned i = 0; i < IKE_HO_BUCKETS; i++)
		ike_ho.head[i] = IKE_HO_NONE;
	ike_ho.free = IKE_HO_NONE;
	if (RAND_bytes((uint8_t *)&ike_ho.key, sizeof(ike_ho.key)) != 1)
		ike_ho.key = 0x9e3779b97f4a7c15ULL;
	ike_ho.ready = true;
}

static unsigned ike_ho_bucket(const struct gw_addr *a)
{
	const uint8_t *p = a->family == AF_INET6 ? a->v6 : (const uint8_t *)&a->v4;
	size_t n = a->family == AF_INET6 ? 16 : 4;
	uint64_t v = ike_ho.key ^ a->family;

	for (size_t i = 0; i < n; i++) {
		v ^= p[i];
		v *= 0x100000001b3ULL;		/* FNV-1a step over the key */
	}
	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdULL;
	v ^= v >> 33;
	return (unsigned)v & (IKE_HO_BUCKETS - 1);
}

/* The record's SA if it is still half-open, else NULL. */
static const struct ike_sa *ike_ho_live(const struct ike_ho_rec *r)
{
	const struct ike_sa *sa = ike_sa_find_id(r->sa_id);

	return sa != NULL && sa->state < IKE_SA_ESTABLISHED ? sa : NULL;
}

/* Could this record's SA give its place to a peer with a COOKIE? */
static bool ike_ho_evictable(const struct ike_ho_rec *r, const struct ike_sa *sa)
{
	return !r->proven && sa->ike_version == 2 && sa->role == IKE_RESPONDER &&
	       sa->state == IKE_SA_INIT_DONE && sa->mid.next_recv <= 1;
}

/* Walk bucket b, freeing stale records; count those of address a (NULL:
 * none) and find the oldest evictable one.  Returns that count. */
static unsigned ike_ho_walk(unsigned b, const struct gw_addr *a, uint64_t *evictable)
{
	uint32_t *link = &ike_ho.head[b];
	unsigned n = 0;

	while (*link != IKE_HO_NONE) {
		uint32_t i = *link;
		const struct ike_sa *sa = ike_ho_live(&ike_ho.pool[i]);

		if (sa == NULL) {
			*link = ike_ho.pool[i].next;
			ike_ho.pool[i].next = ike_ho.free;
			ike_ho.free = i;
			continue;
		}
		if (a != NULL && gw_addr_eq(&sa->remote, a)) {
			n++;
			if (ike_ho_evictable(&ike_ho.pool[i], sa) &&
			    (*evictable == 0 || sa->id < *evictable))
				*evictable = sa->id;
		}
		link = &ike_ho.pool[i].next;
	}
	return n;
}

unsigned ike_ho_count(const struct gw_addr *a, uint64_t *evictable)
{
	*evictable = 0;
	if (!ike_ho.ready)
		return 0;
	return ike_ho_walk(ike_ho_bucket(a), a, evictable);
}

/* The pool is full: free the stale records; grow it when that freed less
 * than half (amortised O(1) per record). */
static int ike_ho_make_room(void)
{
	uint32_t freed = 0, cap;
	struct ike_ho_rec *p;

	for (unsigned b = 0; b < IKE_HO_BUCKETS; b++)
		(void)ike_ho_walk(b, NULL, NULL);
	for (uint32_t i = ike_ho.free; i != IKE_HO_NONE; i = ike_ho.pool[i].next)
		freed++;
	if (ike_ho.pool != NULL && freed >= ike_ho.cap / 2)
		return 0;
	cap = ike_ho.cap == 0 ? IKE_HO_POOL_MIN : ike_ho.cap * 2;
	if (cap <= ike_ho.cap)
		return freed > 0 ? 0 : -ENOMEM;
	p = realloc(ike_ho.pool, (size_t)cap * sizeof(*p));
	if (p == NULL)
		return freed > 0 ? 0 : -ENOMEM;
	ike_ho.pool = p;
	for (uint32_t i = cap; i-- > ike_ho.cap;) {
		p[i].next = ike_ho.free;
		ike_ho.free = i;
	}
	ike_ho.cap = cap;
	return 0;
}

int ike_ho_add(const struct gw_addr *a, uint64_t sa_id, bool proven)
{
	unsigned b;
	uint32_t i;

	if (!ike_ho.ready)
		ike_ho_start();
	if (ike_ho.free == IKE_HO_NONE && ike_ho_make_room() < 0)
		return -ENOMEM;
	i = ike_ho.free;
	ike_ho.free = ike_ho.pool[i].next;
	b = ike_ho_bucket(a);
	ike_ho.pool[i].sa_id = sa_id;
	ike_ho.pool[i].proven = proven;
	ike_ho.pool[i].next = ike_ho.head[b];
	ike_ho.head[b] = i;
	return 0;
}

void ike_ho_reset(void)
{
	free(ike_ho.pool);
	memset(&ike_ho, 0, sizeof(ike_ho));
}
