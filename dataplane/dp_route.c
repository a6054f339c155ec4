/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The forwarding table (see dp_route.h for the model).
 *
 * CP-side state: the route list in insertion order (the source of truth,
 * from which every IPv6 table is rebuilt), the next-hop slot states and the
 * list of GATEWAY next hops that are not FREE (whose neighbour slot cache
 * dp_route_neigh_bind/unbind keep right, see dp_fib.h).
 * Worker-side state (dp_fib): rte_lpm, the current rte_lpm6 pointer, the
 * two default next-hop indexes and the next-hop array, all read lock-free.
 *
 * Life of a next-hop slot: FREE -> USED (written before the LPM points at
 * it) -> DEFERRED (unpublished, in the defer queue) -> FREE once every
 * worker has passed a quiescent state.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "common/gw_log.h"
#include "dataplane/dp_fib.h"
#include "dataplane/dp_internal.h"
#include "dataplane/dp_route.h"

enum {
	LPM4_TBL8S = 2048,		/* one per prefix longer than /24 */
	LPM6_TBL8S = 8192,		/* a /128 takes up to 13 */
};

enum nh_state { NH_FREE, NH_USED, NH_DEFERRED };
enum deferred_kind { DEFER_NH, DEFER_LPM6 };

/* One element of the defer queue (a multiple of 4 bytes, as it must be). */
struct deferred {
	uint32_t kind;
	uint32_t idx;			/* DEFER_NH */
	struct rte_lpm6 *lpm6;		/* DEFER_LPM6 */
};

struct route_ent {
	struct gw_prefix pfx;
	uint32_t nh;
};

struct dp_fib dp_fib = { .def4 = DP_FIB_NH_NONE, .def6 = DP_FIB_NH_NONE };

/* CP only. */
static struct {
	uint8_t nh_state[DP_NH_MAX];
	uint32_t gw_nh[DP_NH_MAX];	/* GATEWAY next hops not FREE */
	unsigned n_gw;
	uint32_t nh_cursor;
	struct route_ent *list;
	unsigned n;
	struct rte_rcu_qsbr_dq *dq;
	unsigned deferred;
	bool lpm6_waiting;		/* an old table is in the defer queue */
	unsigned gen;
	char lpm6_name[RTE_LPM6_NAMESIZE];
	size_t lpm6_bytes;
} rt;

static const char *const nh_type_names[] = {
#define X(n, v, s) [DP_NH_##n] = s,
	DP_NH_TYPES(X)
#undef X
};

const char *dp_nh_type_name(enum dp_nh_type t)
{
	return (unsigned)t < RTE_DIM(nh_type_names) && nh_type_names[t] != NULL ?
	       nh_type_names[t] : "?";
}

/* Next hop idx goes back to FREE (unpublished, or its grace period over). */
static void nh_free(uint32_t idx)
{
	rt.nh_state[idx] = NH_FREE;
	if (dp_fib.nh[idx].nh.type != DP_NH_GATEWAY)
		return;
	for (unsigned i = 0; i < rt.n_gw; i++) {
		if (rt.gw_nh[i] == idx) {
			rt.gw_nh[i] = rt.gw_nh[--rt.n_gw];
			return;
		}
	}
}

static void route_free_deferred(void *p, void *e, unsigned n)
{
	struct deferred *d = e;

	RTE_SET_USED(p);
	for (unsigned i = 0; i < n; i++) {
		if (d[i].kind == DEFER_NH) {
			nh_free(d[i].idx);
		} else {
			rte_lpm6_free(d[i].lpm6);
			rt.lpm6_waiting = false;
		}
		rt.deferred--;
	}
}

/* Hand d to the defer queue (copied there). */
static void route_defer(struct deferred *d)
{
	rt.deferred++;
	if (d->kind == DEFER_LPM6)
		rt.lpm6_waiting = true;
	dp_rcu_defer(rt.dq, d, route_free_deferred);
}

unsigned dp_route_reclaim(void)
{
	dp_rcu_reclaim(rt.dq);
	return rt.deferred;
}

unsigned dp_route_deferred(void)
{
	return rt.deferred;
}

size_t dp_route_lpm6_bytes(void)
{
	return rt.lpm6_bytes;
}

const char *dp_route_lpm6_name(void)
{
	return rt.lpm6_name;
}

/* A FREE slot with nh (and its gateway's neighbour slot) in it, USED. */
static int nh_alloc(const struct dp_nexthop *nh, uint32_t *idx)
{
	for (unsigned i = 0; i < DP_NH_MAX; i++) {
		uint32_t c = (rt.nh_cursor + i) % DP_NH_MAX;
		struct dp_fib_nh *e = &dp_fib.nh[c];

		if (rt.nh_state[c] != NH_FREE)
			continue;
		rt.nh_state[c] = NH_USED;
		e->nh = *nh;
		e->neigh = DP_NEIGH_NONE;
		if (nh->type == DP_NH_GATEWAY) {
			e->neigh = dp_neigh_slot(nh->iface, &nh->gw);
			rt.gw_nh[rt.n_gw++] = c;
		}
		rt.nh_cursor = (c + 1) % DP_NH_MAX;
		*idx = c;
		return 0;
	}
	return -ENOSPC;
}

void dp_route_neigh_bind(unsigned iface, const struct gw_addr *ip, uint32_t slot)
{
	for (unsigned i = 0; i < rt.n_gw; i++) {
		struct dp_fib_nh *e = &dp_fib.nh[rt.gw_nh[i]];

		if (e->nh.iface == iface && gw_addr_eq(&e->nh.gw, ip))
			__atomic_store_n(&e->neigh, slot, __ATOMIC_RELEASE);
	}
}

void dp_route_neigh_unbind(uint32_t slot)
{
	for (unsigned i = 0; i < rt.n_gw; i++) {
		struct dp_fib_nh *e = &dp_fib.nh[rt.gw_nh[i]];

		if (e->neigh == slot)
			__atomic_store_n(&e->neigh, DP_NEIGH_NONE, __ATOMIC_RELEASE);
	}
}

static void nh_release(uint32_t idx)
{
	struct deferred d = { .kind = DEFER_NH, .idx = idx };

	rt.nh_state[idx] = NH_DEFERRED;
	route_defer(&d);
}

static struct rte_lpm6 *lpm6_create(void)
{
	struct rte_lpm6_config c = { .max_rules = DP_ROUTE_MAX, .number_tbl8s = LPM6_TBL8S };
	char name[RTE_LPM6_NAMESIZE];
	struct rte_lpm6 *t;

	snprintf(name, sizeof(name), "dp_lpm6_%u", rt.gen);
	t = rte_lpm6_create(name, (int)rte_socket_id(), &c);
	if (t == NULL) {
		GW_LOG(route, ERR, "cannot create IPv6 table %s: %s", name,
		       rte_strerror(rte_errno));
		return NULL;
	}
	rt.gen++;
	return t;
}

/* Build a new IPv6 table from the list, publish it, defer the old one. */
static int lpm6_rebuild(void)
{
	struct deferred d = { .kind = DEFER_LPM6 };
	struct rte_lpm6 *t;

	dp_route_reclaim();
	if (rt.lpm6_waiting) {
		rte_rcu_qsbr_synchronize(dp_g.rcu, RTE_QSBR_THRID_INVALID);
		dp_route_reclaim();
	}
	t = lpm6_create();
	if (t == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < rt.n; i++) {
		const struct route_ent *r = &rt.list[i];

		if (r->pfx.addr.family != AF_INET6 || r->pfx.len == 0)
			continue;
		if (rte_lpm6_add(t, r->pfx.addr.v6, r->pfx.len, r->nh) != 0) {
			GW_LOG(route, ERR, "IPv6 table full (%u groups)", LPM6_TBL8S);
			rte_lpm6_free(t);
			return -ENOSPC;
		}
	}
	d.lpm6 = dp_fib.lpm6;
	snprintf(rt.lpm6_name, sizeof(rt.lpm6_name), "dp_lpm6_%u", rt.gen - 1);
	__atomic_store_n(&dp_fib.lpm6, t, __ATOMIC_RELEASE);
	route_defer(&d);
	return 0;
}

static int route_find(const struct gw_prefix *pfx)
{
	for (unsigned i = 0; i < rt.n; i++)
		if (rt.list[i].pfx.len == pfx->len && gw_addr_eq(&rt.list[i].pfx.addr, &pfx->addr))
			return (int)i;
	return -1;
}

static bool route_valid(const struct gw_prefix *pfx, const struct dp_nexthop *nh)
{
	if (pfx->addr.family != AF_INET && pfx->addr.family != AF_INET6)
		return false;
	if (pfx->len > gw_addr_maxlen(&pfx->addr) || nh->iface >= dp_g.nb_ifaces)
		return false;
	if (nh->type == DP_NH_GATEWAY)
		return nh->gw.family == pfx->addr.family;
	return nh->type == DP_NH_LOCAL || nh->type == DP_NH_CONNECTED;
}

/* Publish route i in the worker-visible tables.  0 or -errno. */
static int route_publish(unsigned i)
{
	const struct route_ent *r = &rt.list[i];
	bool v4 = r->pfx.addr.family == AF_INET;

	if (r->pfx.len == 0) {
		__atomic_store_n(v4 ? &dp_fib.def4 : &dp_fib.def6, r->nh, __ATOMIC_RELEASE);
		return 0;
	}
	if (!v4)
		return lpm6_rebuild();
	if (rte_lpm_add(dp_fib.lpm4, rte_be_to_cpu_32(r->pfx.addr.v4), r->pfx.len, r->nh) != 0)
		return -ENOSPC;
	return 0;
}

int dp_route_add(const struct gw_prefix *pfx, const struct dp_nexthop *nh)
{
	struct gw_prefix p = *pfx;
	uint32_t idx;
	int ret;

	if (rt.list == NULL || !route_valid(pfx, nh))
		return -EINVAL;
	gw_prefix_mask(&p);
	if (route_find(&p) >= 0)
		return -EEXIST;
	if (rt.n == DP_ROUTE_MAX)
		return -ENOSPC;
	ret = nh_alloc(nh, &idx);
	if (ret != 0) {
		dp_route_reclaim();
		ret = nh_alloc(nh, &idx);
	}
	if (ret != 0)
		return ret;
	rt.list[rt.n].pfx = p;
	rt.list[rt.n].nh = idx;
	rt.n++;
	ret = route_publish(rt.n - 1);
	if (ret != 0) {
		rt.n--;
		nh_free(idx);	/* never published */
	}
	return ret;
}

/* Unpublish r, already taken off the list.  0 or -errno. */
static int route_unpublish(const struct route_ent *r)
{
	bool v4 = r->pfx.addr.family == AF_INET;

	if (r->pfx.len == 0) {
		__atomic_store_n(v4 ? &dp_fib.def4 : &dp_fib.def6, DP_FIB_NH_NONE,
				 __ATOMIC_RELEASE);
		return 0;
	}
	if (!v4)
		return lpm6_rebuild();
	return rte_lpm_delete(dp_fib.lpm4, rte_be_to_cpu_32(r->pfx.addr.v4), r->pfx.len);
}

int dp_route_del(const struct gw_prefix *pfx)
{
	struct gw_prefix p = *pfx;
	struct route_ent gone;
	int i, ret;

	if (rt.list == NULL || (p.addr.family != AF_INET && p.addr.family != AF_INET6) ||
	    p.len > gw_addr_maxlen(&p.addr))
		return -ENOENT;
	gw_prefix_mask(&p);
	i = route_find(&p);
	if (i < 0)
		return -ENOENT;
	gone = rt.list[i];
	memmove(&rt.list[i], &rt.list[i + 1], (rt.n - (unsigned)i - 1) * sizeof(rt.list[0]));
	rt.n--;
	ret = route_unpublish(&gone);
	if (ret != 0) {
		/* Still in the live table: keep it listed. */
		memmove(&rt.list[i + 1], &rt.list[i], (rt.n - (unsigned)i) * sizeof(rt.list[0]));
		rt.list[i] = gone;
		rt.n++;
		GW_LOG(route, ERR, "cannot remove a route from the table: %s", strerror(-ret));
		return ret;
	}
	nh_release(gone.nh);
	return 0;
}

int dp_route_lookup(const struct gw_addr *dst, struct dp_nexthop *nh)
{
	const struct dp_fib_nh *e;

	if (dst->family == AF_INET && dp_fib.lpm4 != NULL)
		e = dp_fib_lookup4(dst->v4);
	else if (dst->family == AF_INET6 && dp_fib.lpm6 != NULL)
		e = dp_fib_lookup6(dst->v6);
	else
		return -ENOENT;
	if (e == NULL)
		return -ENOENT;
	*nh = e->nh;
	return 0;
}

unsigned dp_route_count(void)
{
	return rt.n;
}

int dp_route_get(unsigned idx, struct gw_prefix *pfx, struct dp_nexthop *nh)
{
	if (idx >= rt.n)
		return -ENOENT;
	*pfx = rt.list[idx].pfx;
	*nh = dp_fib.nh[rt.list[idx].nh].nh;
	return 0;
}

static size_t heap_used(void)
{
	struct rte_malloc_socket_stats st;

	if (rte_malloc_get_socket_stats((int)rte_socket_id(), &st) != 0)
		return 0;
	return st.heap_allocsz_bytes;
}

static int route_tables_create(void)
{
	struct rte_lpm_config c4 = { .max_rules = DP_ROUTE_MAX, .number_tbl8s = LPM4_TBL8S };
	struct rte_lpm_rcu_config rc = { .v = dp_g.rcu, .mode = RTE_LPM_QSBR_MODE_DQ };
	size_t before;

	dp_fib.lpm4 = rte_lpm_create("dp_lpm4", (int)rte_socket_id(), &c4);
	if (dp_fib.lpm4 == NULL) {
		GW_LOG(route, ERR, "cannot create IPv4 table: %s", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	if (rte_lpm_rcu_qsbr_add(dp_fib.lpm4, &rc) != 0) {
		GW_LOG(route, ERR, "cannot attach RCU to the IPv4 table: %s",
		       rte_strerror(rte_errno));
		return -ENOMEM;
	}
	before = heap_used();
	dp_fib.lpm6 = lpm6_create();
	if (dp_fib.lpm6 == NULL)
		return -ENOMEM;
	rt.lpm6_bytes = heap_used() - before;
	snprintf(rt.lpm6_name, sizeof(rt.lpm6_name), "dp_lpm6_%u", rt.gen - 1);
	return 0;
}

int dp_route_init(void)
{
	int ret = -ENOMEM;

	RTE_BUILD_BUG_ON(sizeof(struct deferred) % 4 != 0);
	RTE_BUILD_BUG_ON(sizeof(struct dp_fib_nh) != 32);
	dp_fib.def4 = dp_fib.def6 = DP_FIB_NH_NONE;
	rt.n = rt.deferred = rt.nh_cursor = rt.n_gw = 0;
	rt.lpm6_waiting = false;
	memset(rt.nh_state, NH_FREE, sizeof(rt.nh_state));
	rt.list = calloc(DP_ROUTE_MAX, sizeof(rt.list[0]));
	dp_fib.nh = rte_zmalloc("dp_nexthops", DP_NH_MAX * sizeof(dp_fib.nh[0]),
				RTE_CACHE_LINE_SIZE);
	if (rt.list == NULL || dp_fib.nh == NULL)
		goto out;
	/* Room for every next-hop slot and two tables. */
	rt.dq = dp_rcu_dq_create("dp_route_dq", DP_NH_MAX + 2, sizeof(struct deferred),
				 route_free_deferred, DP_RCU_ON_ENQUEUE);
	if (rt.dq == NULL)
		goto out;
	ret = route_tables_create();
out:
	if (ret != 0)
		dp_route_fini();
	return ret;
}

void dp_route_fini(void)
{
	dp_rcu_dq_destroy(&rt.dq, "dp_route_dq");
	rte_lpm6_free(dp_fib.lpm6);
	rte_lpm_free(dp_fib.lpm4);
	rte_free(dp_fib.nh);
	free(rt.list);
	dp_fib.lpm6 = NULL;
	dp_fib.lpm4 = NULL;
	dp_fib.nh = NULL;
	rt.list = NULL;
	rt.n = rt.n_gw = 0;
	dp_fib.def4 = dp_fib.def6 = DP_FIB_NH_NONE;
	rt.lpm6_name[0] = '\0';
}
