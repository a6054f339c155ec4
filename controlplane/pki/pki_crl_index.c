/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Revoked-serial index: open addressing, linear probing, no deletion (a
 * CRL is replaced as a whole).  See pki_crl_index.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "controlplane/pki/pki_crl_index.h"

struct pki_crl_slot {
	uint16_t tag;			/* 0 = empty; else hash bits, low bit set */
	uint8_t len;
	uint8_t reason;
	uint8_t b[PKI_SERIAL_MAX];
};
_Static_assert(sizeof(struct pki_crl_slot) == 24, "slot is 24 bytes");

struct pki_crl_index {
	size_t cap;			/* slots; >= 4/3 of max entries */
	size_t max;			/* entries it was sized for */
	size_t count;
	struct pki_crl_slot *slot;
};

static inline uint64_t pki_crl_index_mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* Serials are often sequential, so mix every 8-octet word fully. */
static inline uint64_t pki_crl_index_hash(const struct pki_serial *s)
{
	uint8_t buf[24] = { 0 };
	uint64_t w, h = 0x9e3779b97f4a7c15ULL * (s->len + 1u);
	unsigned i;

	memcpy(buf, s->b, s->len);
	for (i = 0; i < s->len; i += 8) {
		memcpy(&w, buf + i, sizeof(w));
		h = pki_crl_index_mix(h ^ w);
	}
	return pki_crl_index_mix(h);
}

/* Map the hash's high half onto [0, cap) without a division. */
static inline size_t pki_crl_index_home(const struct pki_crl_index *ix, uint64_t h)
{
	return (size_t)(((h >> 32) * (uint64_t)ix->cap) >> 32);
}

struct pki_crl_index *pki_crl_index_new(size_t n)
{
	struct pki_crl_index *ix = calloc(1, sizeof(*ix));

	if (ix == NULL)
		return NULL;
	ix->max = n;
	ix->cap = n + n / 3 + 8;
	if (ix->cap >= (1ULL << 32)) {
		free(ix);
		return NULL;
	}
	/* calloc: zeroed pages come lazily from the kernel; tag 0 = empty. */
	ix->slot = calloc(ix->cap, sizeof(*ix->slot));
	if (ix->slot == NULL) {
		free(ix);
		return NULL;
	}
	return ix;
}

void pki_crl_index_free(struct pki_crl_index *ix)
{
	if (ix == NULL)
		return;
	free(ix->slot);
	free(ix);
}

/* The slot holding s, or the empty slot where it would go. */
static struct pki_crl_slot *pki_crl_index_probe(const struct pki_crl_index *ix,
						const struct pki_serial *s, uint16_t *tagp)
{
	uint64_t h = pki_crl_index_hash(s);
	uint16_t tag = (uint16_t)(h | 1);
	size_t i = pki_crl_index_home(ix, h);
	struct pki_crl_slot *sl;

	*tagp = tag;
	for (;;) {
		sl = &ix->slot[i];
		if (sl->tag == 0)
			return sl;
		if (sl->tag == tag && sl->len == s->len && !memcmp(sl->b, s->b, s->len))
			return sl;
		if (++i == ix->cap)
			i = 0;
	}
}

/* How much a reason revokes: removeFromCRL 0, certificateHold 1, else 2. */
static unsigned pki_crl_index_weight(uint8_t reason)
{
	return reason == PKI_REASON_REMOVE ? 0 : reason == PKI_REASON_HOLD ? 1 : 2;
}

int pki_crl_index_add(struct pki_crl_index *ix, const struct pki_serial *s, uint8_t reason)
{
	uint16_t tag;
	struct pki_crl_slot *sl = pki_crl_index_probe(ix, s, &tag);

	if (sl->tag != 0) {
		/* listed twice: the entry that revokes most stands */
		if (pki_crl_index_weight(reason) > pki_crl_index_weight(sl->reason))
			sl->reason = reason;
		return 0;
	}
	if (ix->count == ix->max)
		return -ENOSPC;
	sl->tag = tag;
	sl->len = s->len;
	sl->reason = reason;
	memcpy(sl->b, s->b, s->len);
	ix->count++;
	return 0;
}

int pki_crl_index_find(const struct pki_crl_index *ix, const struct pki_serial *s,
		       uint8_t *reason)
{
	uint16_t tag;
	const struct pki_crl_slot *sl;

	if (ix == NULL || ix->count == 0 || s->len > PKI_SERIAL_MAX)
		return 0;
	sl = pki_crl_index_probe(ix, s, &tag);
	if (sl->tag == 0)
		return 0;
	if (reason)
		*reason = sl->reason;
	return 1;
}

size_t pki_crl_index_count(const struct pki_crl_index *ix)
{
	return ix ? ix->count : 0;
}

size_t pki_crl_index_bytes(const struct pki_crl_index *ix)
{
	return ix ? sizeof(*ix) + ix->cap * sizeof(*ix->slot) : 0;
}
