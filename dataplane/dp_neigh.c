/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The published neighbour table (see dp_neigh.h).
 *
 * rte_hash with RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF maps a key to its
 * position (its "slot"); the slot indexes an array of 64-bit words
 * (dp_fib.neigh), each holding a MAC and a valid bit, written with one
 * atomic store so that a reader sees either the old or the new MAC, never
 * half of each.  With the LF flag a deleted key keeps its position until
 * rte_hash_free_key_with_position(), which the defer queue calls once
 * every worker has passed a quiescent state, so a worker that found the
 * position a moment before the delete never reads a slot that was given
 * to another key.  GATEWAY next hops cache their gateway's slot; a new
 * key binds them and a delete unbinds them before deferring (dp_fib.h).
 *
 * The key is 32 bytes, a length rte_hash compares with vector code (for
 * 20 bytes it would call memcmp, which was most of a worker's time).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "common/gw_log.h"
#include "dataplane/dp_fib.h"
#include "dataplane/dp_internal.h"
#include "dataplane/dp_neigh.h"

struct neigh_key {
	uint8_t addr[16];	/* IPv4 in the first four bytes */
	uint16_t iface;
	uint8_t family;
	uint8_t pad[13];	/* zero: the key is hashed and compared whole */
};

static struct {
	struct rte_hash *h;
	uint64_t *ent;			/* DP_NEIGH_MAX, cache-aligned; = dp_fib.neigh */
	struct rte_rcu_qsbr_dq *dq;
	unsigned live;			/* atomic: keys published */
	unsigned deferred;		/* CP: positions waiting */
} nt;

static int neigh_key(unsigned iface, const struct gw_addr *ip, struct neigh_key *k)
{
	memset(k, 0, sizeof(*k));
	if (iface >= dp_g.nb_ifaces)
		return -EINVAL;
	k->iface = (uint16_t)iface;
	k->family = ip->family;
	if (ip->family == AF_INET)
		memcpy(k->addr, &ip->v4, 4);
	else if (ip->family == AF_INET6)
		memcpy(k->addr, ip->v6, 16);
	else
		return -EINVAL;
	return 0;
}

static uint64_t neigh_pack(const struct rte_ether_addr *mac)
{
	uint64_t v = DP_NEIGH_VALID;

	for (int i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		v |= (uint64_t)mac->addr_bytes[i] << (8 * i);
	return v;
}

/* The MAC slot word v holds into *mac: true, or false (*mac untouched). */
static bool neigh_unpack(uint64_t v, struct rte_ether_addr *mac)
{
	if ((v & DP_NEIGH_VALID) == 0)
		return false;
	for (int i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		mac->addr_bytes[i] = (uint8_t)(v >> (8 * i));
	return true;
}

static void neigh_free_deferred(void *p, void *e, unsigned n)
{
	const uint32_t *pos = e;

	RTE_SET_USED(p);
	for (unsigned i = 0; i < n; i++) {
		rte_hash_free_key_with_position(nt.h, (int32_t)pos[i]);
		nt.deferred--;
	}
}

unsigned dp_neigh_reclaim(void)
{
	dp_rcu_reclaim(nt.dq);
	return nt.deferred;
}

unsigned dp_neigh_deferred(void)
{
	return nt.deferred;
}

int dp_neigh_set(unsigned iface, const struct gw_addr *ip, const struct rte_ether_addr *mac)
{
	struct neigh_key k;
	int32_t pos;

	if (nt.h == NULL || neigh_key(iface, ip, &k) != 0)
		return -EINVAL;
	pos = rte_hash_lookup(nt.h, &k);
	if (pos < 0) {
		pos = rte_hash_add_key(nt.h, &k);
		if (pos == -ENOSPC) {
			dp_neigh_reclaim();
			pos = rte_hash_add_key(nt.h, &k);
		}
		if (pos < 0)
			return pos == -ENOSPC ? -ENOSPC : -EINVAL;
		RTE_ASSERT(pos < DP_NEIGH_MAX);
		__atomic_store_n(&nt.ent[pos], neigh_pack(mac), __ATOMIC_RELEASE);
		__atomic_fetch_add(&nt.live, 1, __ATOMIC_RELAXED);
		dp_route_neigh_bind(iface, ip, (uint32_t)pos);	/* after the MAC */
		return 0;
	}
	__atomic_store_n(&nt.ent[pos], neigh_pack(mac), __ATOMIC_RELEASE);
	return 0;
}

int dp_neigh_del(unsigned iface, const struct gw_addr *ip)
{
	struct neigh_key k;
	int32_t pos;
	uint32_t e;

	if (nt.h == NULL || neigh_key(iface, ip, &k) != 0)
		return -ENOENT;
	pos = rte_hash_del_key(nt.h, &k);
	if (pos < 0)
		return -ENOENT;
	__atomic_store_n(&nt.ent[pos], 0, __ATOMIC_RELEASE);
	__atomic_fetch_sub(&nt.live, 1, __ATOMIC_RELAXED);
	e = (uint32_t)pos;
	dp_route_neigh_unbind(e);	/* before the grace period starts */
	nt.deferred++;
	dp_rcu_defer(nt.dq, &e, neigh_free_deferred);
	return 0;
}

uint64_t dp_neigh_word(unsigned iface, const struct gw_addr *ip)
{
	struct neigh_key k;
	int32_t pos;

	if (nt.h == NULL || neigh_key(iface, ip, &k) != 0)
		return 0;
	pos = rte_hash_lookup(nt.h, &k);
	if (pos < 0)
		return 0;
	return __atomic_load_n(&nt.ent[pos], __ATOMIC_ACQUIRE);
}

int dp_neigh_lookup(unsigned iface, const struct gw_addr *ip, struct rte_ether_addr *mac)
{
	return neigh_unpack(dp_neigh_word(iface, ip), mac) ? 0 : -ENOENT;
}

uint32_t dp_neigh_slot(unsigned iface, const struct gw_addr *ip)
{
	struct neigh_key k;
	int32_t pos;

	if (nt.h == NULL || neigh_key(iface, ip, &k) != 0)
		return DP_NEIGH_NONE;
	pos = rte_hash_lookup(nt.h, &k);
	return pos < 0 ? DP_NEIGH_NONE : (uint32_t)pos;
}

unsigned dp_neigh_count(void)
{
	return __atomic_load_n(&nt.live, __ATOMIC_RELAXED);
}

int dp_neigh_init(void)
{
	struct rte_hash_parameters hp = {
		.name = "dp_neigh",
		.entries = DP_NEIGH_MAX,
		.key_len = sizeof(struct neigh_key),
		.hash_func = rte_hash_crc,
		.socket_id = (int)rte_socket_id(),
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	int ret = -ENOMEM;

	RTE_BUILD_BUG_ON(sizeof(struct neigh_key) != 32);
	nt.live = nt.deferred = 0;
	nt.h = rte_hash_create(&hp);
	if (nt.h == NULL) {
		GW_LOG(neigh, ERR, "cannot create neighbour hash: %s", rte_strerror(rte_errno));
		goto out;
	}
	nt.ent = rte_zmalloc("dp_neigh_ent", DP_NEIGH_MAX * sizeof(nt.ent[0]),
			     RTE_CACHE_LINE_SIZE);
	if (nt.ent == NULL)
		goto out;
	dp_fib.neigh = nt.ent;
	/* As large as the table: every position can wait at once. */
	nt.dq = dp_rcu_dq_create("dp_neigh_dq", DP_NEIGH_MAX, sizeof(uint32_t),
				 neigh_free_deferred, DP_RCU_ON_ENQUEUE);
	if (nt.dq == NULL)
		goto out;
	ret = 0;
out:
	if (ret != 0)
		dp_neigh_fini();
	return ret;
}

void dp_neigh_fini(void)
{
	dp_rcu_dq_destroy(&nt.dq, "dp_neigh_dq");
	rte_hash_free(nt.h);
	rte_free(nt.ent);
	dp_fib.neigh = NULL;
	nt.h = NULL;
	nt.ent = NULL;
	nt.live = nt.deferred = 0;
}
