/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The session table's revocation index (ike_rev.h): issuer -> (serial,
 * session) entries.  One bucket per issuer (canonical name + AKID, the
 * PKI's pki_issuer_id), found through a small open-addressing table keyed
 * by the id's first octets (a SHA-256: uniform).  A bucket's entries are
 * an array; each session keeps, per certificate, where its entry sits
 * (ike_sa.rev_link), so that removal is a swap with the last entry: O(1)
 * add and remove, and a CRL's check reads one array.  Buckets stay when
 * they empty (issuers are few).  CP thread only.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "controlplane/ike/ike_rev.h"
#include "controlplane/ike/ike_sa.h"

struct ike_rev_bucket {
	struct pki_issuer_id id;
	struct ike_rev_entry *ent;
	uint32_t n, cap;
};

static struct {
	struct ike_rev_bucket *b;
	uint32_t nb, capb;
	uint32_t *slot;			/* bucket index + 1; 0 = empty */
	uint32_t nslot;			/* power of two, >= 2 * nb */
	unsigned entries;
} rix;

static uint32_t ike_rev_hash(const struct pki_issuer_id *id)
{
	uint32_t h;

	memcpy(&h, id->h, sizeof(h));
	return h;
}

static int ike_rev_find(const struct pki_issuer_id *id)
{
	uint32_t i;

	if (rix.nslot == 0)
		return -1;
	for (i = ike_rev_hash(id) & (rix.nslot - 1); rix.slot[i] != 0; i = (i + 1) & (rix.nslot - 1))
		if (memcmp(rix.b[rix.slot[i] - 1].id.h, id->h, sizeof(id->h)) == 0)
			return (int)(rix.slot[i] - 1);
	return -1;
}

static void ike_rev_slot_put(uint32_t *slot, uint32_t nslot, uint32_t bucket)
{
	uint32_t i = ike_rev_hash(&rix.b[bucket].id) & (nslot - 1);

	while (slot[i] != 0)
		i = (i + 1) & (nslot - 1);
	slot[i] = bucket + 1;
}

/* Room for one more bucket, in the array and the table. */
static int ike_rev_grow(void)
{
	if (rix.nb == rix.capb) {
		uint32_t cap = rix.capb ? 2 * rix.capb : 16;
		struct ike_rev_bucket *b = realloc(rix.b, cap * sizeof(*b));

		if (b == NULL)
			return -ENOMEM;
		rix.b = b;
		rix.capb = cap;
	}
	if (2 * (rix.nb + 1) > rix.nslot) {
		uint32_t n = rix.nslot ? 2 * rix.nslot : 32;
		uint32_t *slot = calloc(n, sizeof(*slot));

		if (slot == NULL)
			return -ENOMEM;
		for (uint32_t i = 0; i < rix.nb; i++)
			ike_rev_slot_put(slot, n, i);
		free(rix.slot);
		rix.slot = slot;
		rix.nslot = n;
	}
	return 0;
}

static int ike_rev_bucket(const struct pki_issuer_id *id)
{
	int i = ike_rev_find(id);

	if (i >= 0)
		return i;
	if (ike_rev_grow() < 0)
		return -ENOMEM;
	memset(&rix.b[rix.nb], 0, sizeof(rix.b[rix.nb]));
	rix.b[rix.nb].id = *id;
	ike_rev_slot_put(rix.slot, rix.nslot, rix.nb);
	return (int)rix.nb++;
}

static int ike_rev_put(struct ike_sa *sa, uint8_t link, const struct pki_issuer_id *issuer,
		       const struct pki_serial *serial)
{
	int bi = ike_rev_bucket(issuer);
	struct ike_rev_bucket *b;

	if (bi < 0)
		return bi;
	b = &rix.b[bi];
	if (b->n == b->cap) {
		uint32_t cap = b->cap ? 2 * b->cap : 8;
		struct ike_rev_entry *e = realloc(b->ent, cap * sizeof(*e));

		if (e == NULL)
			return -ENOMEM;
		b->ent = e;
		b->cap = cap;
	}
	b->ent[b->n] = (struct ike_rev_entry){ .serial = *serial, .sa = sa, .link = link };
	sa->rev_link[link] = (struct ike_rev_link){ .issuer = (uint32_t)bi, .pos = b->n };
	b->n++;
	rix.entries++;
	return 0;
}

int ike_rev_index_add(struct ike_sa *sa)
{
	int ret;

	if (sa->rev_n != 0 || sa->peer_cert.serial.len == 0)
		return 0;		/* indexed already, or no certificate */
	ret = ike_rev_put(sa, 0, &sa->peer_cert.issuer, &sa->peer_cert.serial);
	if (ret < 0)
		return ret;
	sa->rev_n = 1;
	for (unsigned i = 0; i < sa->n_chain && i < PKI_MAX_CHAIN; i++) {
		ret = ike_rev_put(sa, (uint8_t)(i + 1), &sa->chain[i].issuer, &sa->chain[i].serial);
		if (ret < 0) {
			ike_rev_index_del(sa);
			return ret;
		}
		sa->rev_n++;
	}
	return 0;
}

void ike_rev_index_del(struct ike_sa *sa)
{
	if (rix.b == NULL)
		sa->rev_n = 0;		/* the index is gone already (shutdown) */
	while (sa->rev_n > 0) {
		const struct ike_rev_link *l = &sa->rev_link[--sa->rev_n];
		struct ike_rev_bucket *b = &rix.b[l->issuer];
		uint32_t pos = l->pos, last = b->n - 1;

		if (pos != last) {
			b->ent[pos] = b->ent[last];
			b->ent[pos].sa->rev_link[b->ent[pos].link].pos = pos;
		}
		b->n--;
		rix.entries--;
	}
}

unsigned ike_rev_index_get(const struct pki_issuer_id *issuer, const struct ike_rev_entry **ents)
{
	int i = ike_rev_find(issuer);

	*ents = i >= 0 ? rix.b[i].ent : NULL;
	return i >= 0 ? rix.b[i].n : 0;
}

const struct pki_issuer_id *ike_rev_index_issuer(unsigned i)
{
	for (uint32_t k = 0; k < rix.nb; k++)
		if (rix.b[k].n > 0 && i-- == 0)
			return &rix.b[k].id;
	return NULL;
}

unsigned ike_rev_index_entries(void)
{
	return rix.entries;
}

void ike_rev_index_fini(void)
{
	for (uint32_t i = 0; i < rix.nb; i++)
		free(rix.b[i].ent);
	free(rix.b);
	free(rix.slot);
	memset(&rix, 0, sizeof(rix));
}
