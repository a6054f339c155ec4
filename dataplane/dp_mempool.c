/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The mbuf pool: the sizing rule (see dp_mempool.h), the check against free
 * EAL memory, and the pool itself.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "common/gw_log.h"
#include "dataplane/dp_internal.h"
#include "dataplane/dp_mempool.h"
#include "dataplane/dp_route.h"

#define MIB ((size_t)1 << 20)

unsigned dp_mempool_nb_mbufs(const struct dp_pool_sizing *s)
{
	unsigned n = 0;

	for (unsigned p = 0; p < s->nb_ports && p < DP_MAX_IFACES; p++)
		n += s->nb_workers * ((unsigned)s->rxd[p] + s->txd[p]) + DP_CPTX_RING_SIZE;
	n += DP_PUNT_RING_MBUFS + DP_FRAG_MBUFS + DP_NEIGH_QUEUE_MBUFS +
	     DP_CRYPTO_INFLIGHT_MBUFS;
	n += s->nb_lcores * DP_MEMPOOL_CACHE * 3 / 2;
	n += s->nb_workers * (s->nb_ports + 1) * DP_BURST;
	n += s->nb_workers * (2 * (s->nb_ports + 1) * DP_BURST + 2 * DP_FRAG_OUT_MAX);
	if (s->nb_workers > 1)
		n += s->nb_workers * DP_HANDOFF_RING_SIZE;
	return n;
}

unsigned dp_mempool_data_room(unsigned mbuf_data_size)
{
	return RTE_PKTMBUF_HEADROOM +
	       (mbuf_data_size != 0 ? mbuf_data_size : DP_MBUF_DATA_DEFAULT);
}

static size_t mib_up(size_t bytes)
{
	return (bytes + MIB - 1) / MIB;
}

int dp_mempool_fit(unsigned n, size_t obj_bytes, size_t overhead, size_t reserve,
		   size_t free_bytes, size_t total_bytes, char *msg, size_t len)
{
	size_t pool = (size_t)n * obj_bytes + overhead;

	if (pool + reserve <= free_bytes)
		return 0;
	snprintf(msg, len, "mbuf pool needs %u mbufs of %zu B = %zu MB "
		 "(+ %zu MB kept free for route-table rebuilds and queues) "
		 "but only %zu MB of EAL memory is free; raise -m to at least %zu",
		 n, obj_bytes, mib_up(pool), mib_up(reserve), free_bytes / MIB,
		 mib_up(total_bytes - free_bytes + pool + reserve));
	return -ENOMEM;
}

/* Object size as the mempool lays it out, and the pool's own overhead. */
static void pool_bytes(unsigned n, unsigned data_room, size_t *obj, size_t *overhead)
{
	struct rte_mempool_objsz sz;

	*obj = rte_mempool_calc_obj_size(sizeof(struct rte_mbuf) + data_room, 0, &sz);
	*overhead = sizeof(struct rte_mempool) +
		    RTE_MAX_LCORE * sizeof(struct rte_mempool_cache) +
		    (size_t)rte_ring_get_memsize(rte_align32pow2(n + 1));
}

/*
 * Without hugepages EAL memory is fixed at -m, so a pool that does not fit
 * is refused up front with the figure to use.  With hugepages the heap can
 * grow, so only a failed creation is reported, with the same figures.
 */
static int pool_check(unsigned n, unsigned data_room, int socket, bool after_failure,
		      char *msg, size_t len)
{
	struct rte_malloc_socket_stats st;
	size_t obj, overhead, reserve;

	pool_bytes(n, data_room, &obj, &overhead);
	reserve = DP_MEM_MARGIN + dp_route_lpm6_bytes();
	if (rte_malloc_get_socket_stats(socket, &st) != 0)
		return 0;
	if (rte_eal_has_hugepages() && !after_failure)
		return 0;
	return dp_mempool_fit(n, obj, overhead, reserve, st.heap_freesz_bytes,
			      st.heap_totalsz_bytes, msg, len);
}

int dp_mempool_create(const struct gw_cfg *cfg)
{
	struct dp_pool_sizing s = {
		.nb_ports = dp_g.nb_ifaces,
		.nb_workers = dp_g.nb_workers,
		.nb_lcores = rte_lcore_count(),
	};
	unsigned data_room = dp_mempool_data_room(cfg->mbuf_data_size);
	int socket = (int)rte_socket_id();
	char msg[256] = "";
	unsigned n;

	if (data_room > UINT16_MAX) {
		GW_LOG(dp, ERR, "mbuf_data_size %u is too large (data room max %u)",
		       cfg->mbuf_data_size, UINT16_MAX - RTE_PKTMBUF_HEADROOM);
		return -EINVAL;
	}
	for (unsigned p = 0; p < dp_g.nb_ifaces; p++) {
		s.rxd[p] = dp_g.rxd[p];
		s.txd[p] = dp_g.txd[p];
	}
	n = dp_mempool_nb_mbufs(&s);
	if (pool_check(n, data_room, socket, false, msg, sizeof(msg)) != 0) {
		GW_LOG(dp, ERR, "%s", msg);
		return -ENOMEM;
	}
	dp_g.pool = rte_pktmbuf_pool_create("dp_mbuf", n, DP_MEMPOOL_CACHE, 0,
					    (uint16_t)data_room, socket);
	if (dp_g.pool == NULL) {
		int err = rte_errno;

		/* With hugepages the up-front check was skipped: explain now. */
		if (err == ENOMEM && pool_check(n, data_room, socket, true, msg, sizeof(msg)) != 0)
			GW_LOG(dp, ERR, "%s", msg);
		GW_LOG(dp, ERR, "cannot create mbuf pool of %u mbufs of %u B data room: %s",
		       n, data_room, rte_strerror(err));
		return -(err != 0 ? err : ENOMEM);
	}
	GW_LOG(dp, INFO, "mbuf pool: %u mbufs, %u B data room, cache %u per lcore",
	       n, data_room, DP_MEMPOOL_CACHE);
	return 0;
}

void dp_mempool_free(void)
{
	rte_mempool_free(dp_g.pool);
	dp_g.pool = NULL;
}
