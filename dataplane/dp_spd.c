/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The security policy database (see dp_spd.h for the model).
 *
 * A rule gives an OUT entry keyed by its remote prefix (source: its local
 * prefix) and, for PROTECT, an IN entry keyed by its local prefix (source:
 * its remote prefix).  Every distinct key prefix has one group: its own
 * entries, best first, and a pointer to the group of the longest other key
 * prefix that contains it.  The LPM (destination) finds the longest key
 * prefix holding the destination; its group, then its parent's, and so on,
 * hold every entry whose key contains the destination, longest key first,
 * so the first entry whose source matches is the answer.  Within a group,
 * entries whose source is a whole address (/32, /128) come first in the
 * order (longest source); they are kept sorted by address and found by a
 * binary search, the rest are scanned.  So 100k tunnels of one /32 each
 * sharing one local prefix cost a binary search, not a scan.
 *
 * A generation is every group of one policy set, in one immutable block,
 * published through slots of one half of the group-pointer array; the next
 * set uses the other half, which is free once the generation before the
 * current one has been reclaimed (a reader may still hold an old LPM next
 * hop, so a slot is never reused within a grace period).  Switching:
 *   1. build the new generation (and its IPv6 table) aside: on any error
 *      nothing has changed;
 *   2. publish its group pointers, then the IPv6 table (one pointer);
 *   3. IPv4: add or replace every new key prefix, longest first, then
 *      delete the stale ones, shortest first.  At every step a destination
 *      finds either its old or its new group, and either is a whole answer;
 *   4. defer the old generation (groups, IPv6 table) to the grace period.
 *
 * IPv6 has its own small table instead of rte_lpm6, whose fixed 64 MB tbl24
 * could not be built aside next to the live one within the memory budget:
 * per prefix length present, longest first, the key prefixes of that
 * length sorted by address with their group; a lookup binary-searches each
 * length until one holds the destination.  It belongs to the generation.
 *
 * Threads: see dp_spd.h.  CP state is main-lcore only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>
/* DPDK 22.11's rte_lpm.h has a VLA in a function we do not call. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wvla"
#include <rte_lpm.h>
#pragma GCC diagnostic pop

#include "common/gw_log.h"
#include "dataplane/dp_internal.h"
#include "dataplane/dp_sa.h"
#include "dataplane/dp_spd.h"

enum {
	SPD_KEYS_MAX = 2 * DP_SPD_MAX_RULES,	/* an OUT and an IN key per rule */
	SPD_LPM4_RULES = SPD_KEYS_MAX,		/* old and new keys while switching */
	SPD_LPM4_TBL8S = 4096,			/* one per /24 holding longer keys */
	SPD_DQ_SIZE = 4,			/* at most two generations wait */
	SPD_BULK = 64,				/* packets per staged bulk lookup */
	/* IPv4 key prefixes from which dp_spd_staged4() says yes: each key
	 * has ~4 lines of tables (LPM tbl8 entry, group slot, group, entry);
	 * 4096 keys are 1 MiB, about what stays in a core's L2. */
	SPD_STAGED_MIN = 4096,
	SPD_LPM_NH_MASK = 0x00ffffff,		/* rte_lpm_lookup_bulk: next hop bits */
};

/* A prefix as bytes in network order (IPv4 in a[0..3]), comparable by memcmp. */
struct spd_key {
	uint8_t a[16];
	uint8_t len;
	uint8_t v6;
};

/* One entry of a group, as workers read it. */
struct spd_ent {
	uint32_t src[4];		/* IPv4: [0] net, [1] mask, host order; IPv6: bytes */
	uint32_t len;			/* source prefix length */
	struct dp_spd_match m;
};

struct spd_grp {
	const struct spd_grp *parent;	/* the longest key prefix containing ours */
	const struct spd_ent *host;	/* whole-address sources, by address */
	const struct spd_ent *scan;	/* the others, best first */
	uint32_t n_host, n_scan;
};

/* The IPv6 table: key prefixes of one length, by address. */
struct spd6_key {
	uint8_t a[16];
	const struct spd_grp *g;
};

struct spd6_len {
	uint32_t len;
	uint32_t n;
	const struct spd6_key *keys;
};

struct spd6_tbl {
	uint32_t n_lens;
	struct spd6_len lens[];		/* longest first; then the keys */
};

/* One policy set's groups (CP bookkeeping around the worker-visible block). */
struct spd_gen {
	unsigned half;			/* which half of spd.grp its slots are in */
	unsigned n_grp, n_grp4;		/* groups [0, n_grp4) are IPv4 */
	struct spd_key *keys;		/* key prefix of each group, by (v6, len, a) */
	struct spd_grp *grp;		/* rte_malloc: groups, then entries */
	struct spd6_tbl *tbl6;		/* rte_malloc; NULL without IPv6 keys */
};

/* An entry while building. */
struct spd_tmp {
	struct spd_key key;		/* destination side */
	struct spd_key src;
	uint8_t dir;
	uint32_t rule;
};

struct spd_deferred {
	struct spd_gen *gen;
};

/* Read by workers. */
static struct {
	struct rte_lpm *lpm4;
	struct spd6_tbl *tbl6;		/* atomic; NULL = no IPv6 rule */
	uint32_t n4;			/* atomic: IPv4 key prefixes, 0 = skip */
	const struct spd_grp **grp;	/* 2 * SPD_KEYS_MAX atomic slots */
} spd __rte_cache_aligned;

/* CP only. */
static struct {
	struct dp_spd_rule *rules;
	unsigned n;
	struct spd_gen *cur;		/* NULL before the first set */
	unsigned cur_half;
	bool half_busy[2];
	struct rte_rcu_qsbr_dq *dq;
} spd_cp;

/* ---- lookup (any thread) ---- */

static inline const struct spd_ent *spd_host4(const struct spd_grp *g, uint32_t src)
{
	uint32_t lo = 0, hi = g->n_host;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (g->host[mid].src[0] < src)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < g->n_host && g->host[lo].src[0] == src ? &g->host[lo] : NULL;
}

static inline const struct spd_ent *spd_match4(const struct spd_grp *g, uint32_t src)
{
	const struct spd_ent *e = g->n_host != 0 ? spd_host4(g, src) : NULL;

	if (e != NULL)
		return e;
	for (uint32_t i = 0; i < g->n_scan; i++)
		if ((src & g->scan[i].src[1]) == g->scan[i].src[0])
			return &g->scan[i];
	return NULL;
}

/* The rule for source src (host order) in group g or its parents. */
static inline bool spd_walk4(const struct spd_grp *g, uint32_t src, struct dp_spd_match *m)
{
	for (; g != NULL; g = g->parent) {
		const struct spd_ent *e = spd_match4(g, src);

		if (e != NULL) {
			*m = e->m;
			return true;
		}
	}
	return false;
}

bool dp_spd_lookup4(uint32_t src_be, uint32_t dst_be, struct dp_spd_match *m)
{
	uint32_t nh;

	if (likely(__atomic_load_n(&spd.n4, __ATOMIC_ACQUIRE) == 0))
		return false;
	if (rte_lpm_lookup(spd.lpm4, rte_be_to_cpu_32(dst_be), &nh) != 0)
		return false;
	return spd_walk4(__atomic_load_n(&spd.grp[nh], __ATOMIC_ACQUIRE),
			 rte_be_to_cpu_32(src_be), m);
}

/* Up to SPD_BULK packets of dp_spd_lookup4_bulk(). */
static void spd_lookup4_chunk(const uint32_t *src_be, const uint32_t *dst_be, unsigned n,
			      struct dp_spd_match *m, bool *hit)
{
	uint32_t ip[SPD_BULK], nh[SPD_BULK];
	const struct spd_grp *g[SPD_BULK];

	for (unsigned i = 0; i < n; i++)
		ip[i] = rte_be_to_cpu_32(dst_be[i]);
	rte_lpm_lookup_bulk(spd.lpm4, ip, nh, n);
	for (unsigned i = 0; i < n; i++)
		if (nh[i] & RTE_LPM_LOOKUP_SUCCESS)
			rte_prefetch0(&spd.grp[nh[i] & SPD_LPM_NH_MASK]);
	for (unsigned i = 0; i < n; i++) {
		g[i] = NULL;
		if (nh[i] & RTE_LPM_LOOKUP_SUCCESS)
			g[i] = __atomic_load_n(&spd.grp[nh[i] & SPD_LPM_NH_MASK], __ATOMIC_ACQUIRE);
		if (g[i] != NULL)
			rte_prefetch0(g[i]);
	}
	/* The entries the match reads first: the middle of the host array
	 * (the first probe of the binary search), else the first scanned. */
	for (unsigned i = 0; i < n; i++) {
		if (g[i] == NULL)
			continue;
		if (g[i]->n_host != 0)
			rte_prefetch0(&g[i]->host[g[i]->n_host / 2]);
		else if (g[i]->n_scan != 0)
			rte_prefetch0(g[i]->scan);
	}
	for (unsigned i = 0; i < n; i++)
		hit[i] = g[i] != NULL && spd_walk4(g[i], rte_be_to_cpu_32(src_be[i]), &m[i]);
}

bool dp_spd_staged4(void)
{
	return __atomic_load_n(&spd.n4, __ATOMIC_RELAXED) >= SPD_STAGED_MIN;
}

/*
 * With many policies each step of a lookup (LPM tbl8 entry, group slot,
 * group, entries) is a cache miss depending on the previous one: here each
 * step is done for the whole burst, prefetching what the next step reads,
 * so that the misses of all packets overlap.
 */
void dp_spd_lookup4_bulk(const uint32_t *src_be, const uint32_t *dst_be, unsigned n,
			 struct dp_spd_match *m, bool *hit)
{
	if (likely(__atomic_load_n(&spd.n4, __ATOMIC_ACQUIRE) == 0)) {
		memset(hit, 0, n * sizeof(hit[0]));
		return;
	}
	for (unsigned off = 0; off < n; off += SPD_BULK)
		spd_lookup4_chunk(src_be + off, dst_be + off, RTE_MIN(n - off, (unsigned)SPD_BULK),
				  m + off, hit + off);
}

static inline bool spd_pfx6_match(const uint8_t *a, const uint8_t *net, unsigned len)
{
	unsigned bytes = len / 8, bits = len % 8;

	if (memcmp(a, net, bytes) != 0)
		return false;
	return bits == 0 || ((a[bytes] ^ net[bytes]) & (uint8_t)(0xff << (8 - bits))) == 0;
}

static inline const struct spd_ent *spd_match6(const struct spd_grp *g, const uint8_t *src)
{
	uint32_t lo = 0, hi = g->n_host;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (memcmp(g->host[mid].src, src, 16) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < g->n_host && memcmp(g->host[lo].src, src, 16) == 0)
		return &g->host[lo];
	for (uint32_t i = 0; i < g->n_scan; i++)
		if (spd_pfx6_match(src, (const uint8_t *)g->scan[i].src, g->scan[i].len))
			return &g->scan[i];
	return NULL;
}

/* The group of the longest key prefix of t holding dst, or NULL. */
static inline const struct spd_grp *spd_lpm6(const struct spd6_tbl *t, const uint8_t *dst)
{
	for (uint32_t l = 0; l < t->n_lens; l++) {
		const struct spd6_len *pl = &t->lens[l];
		unsigned bytes = pl->len / 8, bits = pl->len % 8;
		uint8_t k[16] = { 0 };
		uint32_t lo = 0, hi = pl->n;

		memcpy(k, dst, bytes);
		if (bits != 0)
			k[bytes] = dst[bytes] & (uint8_t)(0xff << (8 - bits));
		while (lo < hi) {
			uint32_t mid = (lo + hi) / 2;
			int c = memcmp(pl->keys[mid].a, k, 16);

			if (c == 0)
				return pl->keys[mid].g;
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	return NULL;
}

bool dp_spd_lookup6(const uint8_t *src, const uint8_t *dst, struct dp_spd_match *m)
{
	const struct spd6_tbl *t = __atomic_load_n(&spd.tbl6, __ATOMIC_ACQUIRE);
	const struct spd_grp *g;

	if (likely(t == NULL))
		return false;
	for (g = spd_lpm6(t, dst); g != NULL; g = g->parent) {
		const struct spd_ent *e = spd_match6(g, src);

		if (e != NULL) {
			*m = e->m;
			return true;
		}
	}
	return false;
}

unsigned dp_spd_count(void)
{
	return spd_cp.n;
}

/* ---- generations: free ---- */

static void spd_gen_free(struct spd_gen *gen)
{
	unsigned base = gen->half * SPD_KEYS_MAX;

	for (unsigned i = 0; i < gen->n_grp; i++)
		__atomic_store_n(&spd.grp[base + i], NULL, __ATOMIC_RELAXED);
	rte_free(gen->tbl6);
	rte_free(gen->grp);
	free(gen->keys);
	spd_cp.half_busy[gen->half] = false;
	free(gen);
}

static void spd_free_deferred(void *p, void *e, unsigned n)
{
	struct spd_deferred *d = e;

	RTE_SET_USED(p);
	for (unsigned i = 0; i < n; i++)
		spd_gen_free(d[i].gen);
}

void dp_spd_reclaim(void)
{
	dp_rcu_reclaim(spd_cp.dq);
}

/* ---- generations: build ---- */

static unsigned spd_key_max(const struct spd_key *k)
{
	return k->v6 ? 128 : 32;
}

static struct spd_key spd_key_of(const struct gw_prefix *p)
{
	struct spd_key k = { .len = p->len, .v6 = p->addr.family == AF_INET6 };

	if (k.v6)
		memcpy(k.a, p->addr.v6, 16);
	else
		memcpy(k.a, &p->addr.v4, 4);
	return k;
}

/* k cut to len bits. */
static struct spd_key spd_key_cut(const struct spd_key *k, unsigned len)
{
	struct spd_key c = { .len = (uint8_t)len, .v6 = k->v6 };
	unsigned bytes = len / 8, bits = len % 8;

	memcpy(c.a, k->a, bytes);
	if (bits != 0)
		c.a[bytes] = k->a[bytes] & (uint8_t)(0xff << (8 - bits));
	return c;
}

/* Keys by family, length, address: the order of gen->keys. */
static int spd_key_cmp(const struct spd_key *x, const struct spd_key *y)
{
	if (x->v6 != y->v6)
		return x->v6 < y->v6 ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->a, y->a, 16);
}

/* Entries by key, then best first: longest source, OUT, first configured. */
static int spd_tmp_cmp(const void *a, const void *b)
{
	const struct spd_tmp *x = a, *y = b;
	int c = spd_key_cmp(&x->key, &y->key);

	if (c != 0)
		return c;
	if (x->src.len != y->src.len)
		return x->src.len > y->src.len ? -1 : 1;
	if (x->dir != y->dir)
		return x->dir < y->dir ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/* Whole-address sources by address, then best first. */
static int spd_tmp_src_cmp(const void *a, const void *b)
{
	const struct spd_tmp *x = a, *y = b;
	int c = memcmp(x->src.a, y->src.a, 16);

	if (c != 0)
		return c;
	if (x->dir != y->dir)
		return x->dir < y->dir ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

static void spd_ent_fill(struct spd_ent *e, const struct spd_tmp *t, const struct dp_spd_rule *r)
{
	memset(e, 0, sizeof(*e));
	e->len = t->src.len;
	if (t->src.v6) {
		memcpy(e->src, t->src.a, 16);
	} else {
		uint32_t be;

		memcpy(&be, t->src.a, 4);
		e->src[0] = rte_be_to_cpu_32(be);
		e->src[1] = t->src.len == 0 ? 0 : UINT32_MAX << (32 - t->src.len);
	}
	e->m.action = r->action;
	e->m.dir = t->dir;
	if (r->action == DP_SPD_PROTECT) {
		e->m.on_demand = r->on_demand;
		e->m.tunnel = r->tunnel;
	}
}

/* The entries of every rule, sorted; *n_out of them. */
static struct spd_tmp *spd_tmp_make(const struct dp_spd_rule *rules, unsigned n, unsigned *n_out)
{
	struct spd_tmp *t = malloc((size_t)(2 * n + 1) * sizeof(*t));
	unsigned k = 0;

	if (t == NULL)
		return NULL;
	for (unsigned i = 0; i < n; i++) {
		const struct dp_spd_rule *r = &rules[i];

		t[k++] = (struct spd_tmp){ .key = spd_key_of(&r->remote), .src = spd_key_of(&r->local),
					   .dir = DP_SPD_OUT, .rule = i };
		if (r->action == DP_SPD_PROTECT)
			t[k++] = (struct spd_tmp){ .key = spd_key_of(&r->local),
						   .src = spd_key_of(&r->remote),
						   .dir = DP_SPD_IN, .rule = i };
	}
	qsort(t, k, sizeof(*t), spd_tmp_cmp);
	*n_out = k;
	return t;
}

/* Fill group g from the block t[0..n) of one key; ents receives its entries. */
static void spd_grp_fill(struct spd_grp *g, struct spd_tmp *t, unsigned n,
			 struct spd_ent *ents, const struct dp_spd_rule *rules)
{
	unsigned max = spd_key_max(&t[0].src), n_host = 0;

	while (n_host < n && t[n_host].src.len == max)
		n_host++;
	qsort(t, n_host, sizeof(*t), spd_tmp_src_cmp);
	for (unsigned i = 0; i < n; i++)
		spd_ent_fill(&ents[i], &t[i], &rules[t[i].rule]);
	g->host = ents;
	g->n_host = n_host;
	g->scan = ents + n_host;
	g->n_scan = n - n_host;
}

/* Each group's parent: the longest shorter key prefix of its family holding it. */
static void spd_gen_parents(struct spd_gen *gen)
{
	uint64_t lens[2][3] = { { 0 } };	/* key lengths present, per family */

	for (unsigned i = 0; i < gen->n_grp; i++)
		lens[gen->keys[i].v6][gen->keys[i].len / 64] |= UINT64_C(1) << (gen->keys[i].len % 64);
	for (unsigned i = 0; i < gen->n_grp; i++) {
		const struct spd_key *k = &gen->keys[i];

		for (int l = k->len - 1; l >= 0 && gen->grp[i].parent == NULL; l--) {
			struct spd_key c;
			unsigned lo = 0, hi = i;

			if (!(lens[k->v6][l / 64] & (UINT64_C(1) << (l % 64))))
				continue;
			c = spd_key_cut(k, (unsigned)l);
			while (lo < hi) {
				unsigned mid = (lo + hi) / 2;

				if (spd_key_cmp(&gen->keys[mid], &c) < 0)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (lo < i && spd_key_cmp(&gen->keys[lo], &c) == 0)
				gen->grp[i].parent = &gen->grp[lo];
		}
	}
}

/* Groups of the sorted entries t[0..n): count keys, allocate, fill. */
static int spd_gen_groups(struct spd_gen *gen, struct spd_tmp *t, unsigned n,
			  const struct dp_spd_rule *rules)
{
	struct spd_ent *ents;
	unsigned g = 0;

	for (unsigned i = 0; i < n; i++)
		if (i == 0 || spd_key_cmp(&t[i].key, &t[i - 1].key) != 0)
			gen->n_grp++;
	if (gen->n_grp == 0)
		return 0;
	gen->keys = malloc(gen->n_grp * sizeof(*gen->keys));
	gen->grp = rte_zmalloc("dp_spd_gen", gen->n_grp * sizeof(*gen->grp) +
			       n * sizeof(struct spd_ent), RTE_CACHE_LINE_SIZE);
	if (gen->keys == NULL || gen->grp == NULL)
		return -ENOMEM;
	ents = (struct spd_ent *)(gen->grp + gen->n_grp);
	for (unsigned i = 0, j; i < n; i = j, g++) {
		for (j = i + 1; j < n && spd_key_cmp(&t[j].key, &t[i].key) == 0; j++)
			;
		gen->keys[g] = t[i].key;
		if (!t[i].key.v6)
			gen->n_grp4++;
		spd_grp_fill(&gen->grp[g], &t[i], j - i, ents + i, rules);
	}
	spd_gen_parents(gen);
	return 0;
}

/* The IPv6 table of gen's IPv6 keys (sorted by length, then address).  0 or -ENOMEM. */
static int spd_tbl6_build(struct spd_gen *gen)
{
	unsigned n6 = gen->n_grp - gen->n_grp4, n_lens = 0, l = 0;
	struct spd6_key *keys;
	struct spd6_tbl *t;

	if (n6 == 0)
		return 0;
	for (unsigned i = gen->n_grp4; i < gen->n_grp; i++)
		n_lens += i == gen->n_grp4 || gen->keys[i].len != gen->keys[i - 1].len;
	t = rte_zmalloc("dp_spd6", sizeof(*t) + n_lens * sizeof(t->lens[0]) +
			n6 * sizeof(struct spd6_key), RTE_CACHE_LINE_SIZE);
	if (t == NULL)
		return -ENOMEM;
	keys = (struct spd6_key *)&t->lens[n_lens];
	t->n_lens = n_lens;
	/* keys run shortest first: fill the lengths from the back */
	for (unsigned i = gen->n_grp4; i < gen->n_grp; i++) {
		struct spd6_key *k = &keys[i - gen->n_grp4];

		if (i == gen->n_grp4 || gen->keys[i].len != gen->keys[i - 1].len) {
			l++;
			t->lens[n_lens - l].len = gen->keys[i].len;
			t->lens[n_lens - l].keys = k;
		}
		t->lens[n_lens - l].n++;
		memcpy(k->a, gen->keys[i].a, 16);
		k->g = &gen->grp[i];
	}
	gen->tbl6 = t;
	return 0;
}

static int spd_u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Distinct IPv4 keys of old and gen (both sorted), and the distinct /24s of
 * those longer than /24 (a tbl8 group each) into *tbl8s.  -1: no memory. */
static long spd_lpm4_need(const struct spd_gen *old, const struct spd_gen *gen, unsigned *tbl8s)
{
	unsigned n_old = old != NULL ? old->n_grp4 : 0, i = 0, j = 0, n = 0;
	uint32_t *s24 = malloc((size_t)(n_old + gen->n_grp4 + 1) * sizeof(*s24));
	long keys = 0;

	if (s24 == NULL)
		return -1;
	while (i < n_old || j < gen->n_grp4) {
		const struct spd_key *k;
		int c = i == n_old ? 1 : j == gen->n_grp4 ? -1 :
			spd_key_cmp(&old->keys[i], &gen->keys[j]);

		k = c <= 0 ? &old->keys[i] : &gen->keys[j];
		i += c <= 0;
		j += c >= 0;
		keys++;
		if (k->len > 24)
			s24[n++] = (uint32_t)k->a[0] << 16 | (uint32_t)k->a[1] << 8 | k->a[2];
	}
	qsort(s24, n, sizeof(*s24), spd_u32_cmp);
	*tbl8s = 0;
	for (unsigned x = 0; x < n; x++)
		*tbl8s += x == 0 || s24[x] != s24[x - 1];
	free(s24);
	return keys;
}

/* The IPv4 table can hold the old and the new keys at once.  0 or -errno. */
static int spd_lpm4_check(const struct spd_gen *old, const struct spd_gen *gen)
{
	unsigned tbl8s;
	long keys = spd_lpm4_need(old, gen, &tbl8s);

	if (keys < 0)
		return -ENOMEM;
	if (keys > SPD_LPM4_RULES || tbl8s > SPD_LPM4_TBL8S) {
		GW_LOG(ipsec, ERR, "IPv4 policy table too small: %ld prefixes (max %u), "
		       "%u /24s with longer ones (max %u)", keys, SPD_LPM4_RULES, tbl8s,
		       SPD_LPM4_TBL8S);
		return -ENOSPC;
	}
	return 0;
}

/* ---- switching sets ---- */

static bool spd_pfx_ok(const struct gw_prefix *p)
{
	return (p->addr.family == AF_INET || p->addr.family == AF_INET6) &&
	       p->len <= gw_addr_maxlen(&p->addr) && !gw_prefix_has_host_bits(p);
}

static int spd_validate(const struct dp_spd_rule *rules, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		const struct dp_spd_rule *r = &rules[i];

		if (!spd_pfx_ok(&r->local) || !spd_pfx_ok(&r->remote) ||
		    r->local.addr.family != r->remote.addr.family || r->action > DP_SPD_PROTECT ||
		    (r->action == DP_SPD_PROTECT && r->tunnel >= DP_TUNNEL_MAX)) {
			GW_LOG(ipsec, ERR, "policy rule %u of %u is invalid", i, n);
			return -EINVAL;
		}
	}
	return 0;
}

/* Make half h free: the generation that last used it past its grace period. */
static void spd_half_wait(unsigned h)
{
	dp_spd_reclaim();
	if (!spd_cp.half_busy[h])
		return;
	rte_rcu_qsbr_synchronize(dp_g.rcu, RTE_QSBR_THRID_INVALID);
	dp_spd_reclaim();
}

/* The new generation in half h, built aside.  NULL + *err. */
static struct spd_gen *spd_gen_build(const struct dp_spd_rule *rules, unsigned n, unsigned h,
				     int *err)
{
	struct spd_gen *gen = calloc(1, sizeof(*gen));
	struct spd_tmp *t = NULL;
	unsigned nt = 0;

	*err = -ENOMEM;
	if (gen == NULL)
		return NULL;
	gen->half = h;
	t = spd_tmp_make(rules, n, &nt);
	if (t != NULL)
		*err = spd_gen_groups(gen, t, nt, rules);
	free(t);
	if (*err == 0)
		*err = spd_lpm4_check(spd_cp.cur, gen);
	if (*err == 0)
		*err = spd_tbl6_build(gen);
	if (*err == 0)
		return gen;
	gen->n_grp = 0;		/* never published: no slot to clear */
	spd_gen_free(gen);
	return NULL;
}

static bool spd_gen_has4(const struct spd_gen *gen, const struct spd_key *k)
{
	unsigned lo = 0, hi = gen != NULL ? gen->n_grp4 : 0;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (spd_key_cmp(&gen->keys[mid], k) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return gen != NULL && lo < gen->n_grp4 && spd_key_cmp(&gen->keys[lo], k) == 0;
}

static uint32_t spd_key_ip4(const struct spd_key *k)
{
	return (uint32_t)k->a[0] << 24 | (uint32_t)k->a[1] << 16 | (uint32_t)k->a[2] << 8 | k->a[3];
}

/*
 * The IPv4 table from from's keys to to's: to's added or replaced longest
 * first, then from's stale ones deleted shortest first, so that a reader
 * always finds its old or its new group (see the top of the file).
 */
static int spd_lpm4_switch(const struct spd_gen *from, const struct spd_gen *to)
{
	unsigned base = to != NULL ? to->half * SPD_KEYS_MAX : 0;
	int ret = 0;

	if (to != NULL && to->n_grp4 > 0)
		__atomic_store_n(&spd.n4, to->n_grp4, __ATOMIC_RELEASE);
	for (unsigned i = to != NULL ? to->n_grp4 : 0; i-- > 0 && ret == 0;)
		ret = rte_lpm_add(spd.lpm4, spd_key_ip4(&to->keys[i]), to->keys[i].len, base + i);
	for (unsigned i = 0; from != NULL && i < from->n_grp4; i++)
		if (!spd_gen_has4(to, &from->keys[i]))
			rte_lpm_delete(spd.lpm4, spd_key_ip4(&from->keys[i]), from->keys[i].len);
	if (to == NULL || to->n_grp4 == 0)
		__atomic_store_n(&spd.n4, 0, __ATOMIC_RELEASE);
	return ret;
}

/* Publish gen: its groups, its IPv6 table, its IPv4 prefixes. */
static int spd_publish(struct spd_gen *gen)
{
	unsigned base = gen->half * SPD_KEYS_MAX;
	int ret;

	for (unsigned i = 0; i < gen->n_grp; i++)
		__atomic_store_n(&spd.grp[base + i], &gen->grp[i], __ATOMIC_RELEASE);
	__atomic_store_n(&spd.tbl6, gen->tbl6, __ATOMIC_RELEASE);
	ret = spd_lpm4_switch(spd_cp.cur, gen);
	if (ret == 0)
		return 0;
	/* Not expected (capacity was checked): back to the old set. */
	GW_LOG(ipsec, ERR, "cannot add to the IPv4 policy table: %s", strerror(-ret));
	__atomic_store_n(&spd.tbl6, spd_cp.cur != NULL ? spd_cp.cur->tbl6 : NULL,
			 __ATOMIC_RELEASE);
	if (spd_lpm4_switch(gen, spd_cp.cur) != 0)
		GW_LOG(ipsec, ERR, "cannot restore the IPv4 policy table");
	return ret;
}

/* Hand gen to the defer queue; it is freed after the grace period. */
static void spd_gen_retire(struct spd_gen *gen)
{
	struct spd_deferred d = { .gen = gen };

	if (gen != NULL)
		dp_rcu_defer(spd_cp.dq, &d, spd_free_deferred);
}

int dp_spd_set(const struct dp_spd_rule *rules, unsigned n)
{
	struct dp_spd_rule *copy = NULL;
	struct spd_gen *gen;
	unsigned h = spd_cp.cur_half ^ 1;
	int ret;

	if (spd.grp == NULL || (n > 0 && rules == NULL))
		return -EINVAL;
	if (n > DP_SPD_MAX_RULES)
		return -ENOSPC;
	ret = spd_validate(rules, n);
	if (ret != 0)
		return ret;
	if (n > 0) {
		copy = malloc(n * sizeof(*copy));
		if (copy == NULL)
			return -ENOMEM;
		memcpy(copy, rules, n * sizeof(*copy));
	}
	spd_half_wait(h);
	ret = -EBUSY;		/* not expected: the grace period is over */
	gen = spd_cp.half_busy[h] ? NULL : spd_gen_build(rules, n, h, &ret);
	if (gen == NULL)
		goto out;
	spd_cp.half_busy[h] = true;
	ret = spd_publish(gen);
	if (ret != 0) {
		spd_gen_retire(gen);	/* readers may have seen it */
		goto out;
	}
	spd_gen_retire(spd_cp.cur);
	spd_cp.cur = gen;
	spd_cp.cur_half = h;
	free(spd_cp.rules);
	spd_cp.rules = copy;
	spd_cp.n = n;
	copy = NULL;
	GW_LOG(ipsec, INFO, "policy set: %u rules, %u IPv4 and %u IPv6 prefixes", n,
	       gen->n_grp4, gen->n_grp - gen->n_grp4);
out:
	free(copy);
	return ret;
}

/* ---- life cycle ---- */

int dp_spd_create(void)
{
	struct rte_lpm_config c4 = { .max_rules = SPD_LPM4_RULES, .number_tbl8s = SPD_LPM4_TBL8S };
	struct rte_lpm_rcu_config rc = { .v = dp_g.rcu, .mode = RTE_LPM_QSBR_MODE_DQ };

	RTE_BUILD_BUG_ON(sizeof(struct spd_deferred) % 4 != 0);
	RTE_BUILD_BUG_ON(2 * SPD_KEYS_MAX > (1u << 24));	/* rte_lpm next hops */
	memset(&spd_cp, 0, sizeof(spd_cp));
	spd_cp.cur_half = 1;
	spd.grp = rte_zmalloc("dp_spd_slots", 2 * SPD_KEYS_MAX * sizeof(spd.grp[0]),
			      RTE_CACHE_LINE_SIZE);
	spd.lpm4 = rte_lpm_create("dp_spd4", (int)rte_socket_id(), &c4);
	if (spd.grp == NULL || spd.lpm4 == NULL) {
		GW_LOG(ipsec, ERR, "cannot create the policy tables: %s", rte_strerror(rte_errno));
		goto fail;
	}
	if (rte_lpm_rcu_qsbr_add(spd.lpm4, &rc) != 0) {
		GW_LOG(ipsec, ERR, "cannot attach RCU to the IPv4 policy table: %s",
		       rte_strerror(rte_errno));
		goto fail;
	}
	spd_cp.dq = dp_rcu_dq_create("dp_spd_dq", SPD_DQ_SIZE, sizeof(struct spd_deferred),
				     spd_free_deferred, DP_RCU_ON_ENQUEUE);
	if (spd_cp.dq == NULL)
		goto fail;
	return 0;
fail:
	dp_spd_destroy();
	return -ENOMEM;
}

void dp_spd_destroy(void)
{
	dp_rcu_dq_destroy(&spd_cp.dq, "dp_spd_dq");
	if (spd_cp.cur != NULL)
		spd_gen_free(spd_cp.cur);
	rte_lpm_free(spd.lpm4);
	rte_free(spd.grp);
	free(spd_cp.rules);
	memset(&spd, 0, sizeof(spd));
	memset(&spd_cp, 0, sizeof(spd_cp));
}
