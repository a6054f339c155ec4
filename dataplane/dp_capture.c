/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet capture on the workers: the capture pool and ring, the filter the
 * control plane arms, and the copy of a burst (see dp_capture.h).
 *
 * The filter lives in one of two slots, slot[gen & 1], written by the
 * control plane before it publishes gen (release) and read by a worker
 * after it saw gen (acquire).  A worker that read an old gen and is
 * descheduled across two further captures could read a slot being
 * rewritten: each field is an atomic of its own, so the worst is one
 * burst copied under a mixed filter, stamped with the old generation,
 * which the control plane then throws away.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_mempool.h>
#include <rte_pcapng.h>
#include <rte_ring.h>

#include "common/gw_log.h"
#include "dataplane/dp_capture.h"
#include "dataplane/dp_internal.h"
#include "dataplane/dp_mempool.h"
#include "dataplane/dp_route.h"

enum {
	DP_CAPTURE_CACHE = 32,		/* per-lcore cache of the pool, from 512 mbufs */
	DP_CAPTURE_WARM_LEN = 64,
};

struct dp_capture_slot {
	struct dp_capture_filter f;	/* each field read and written atomically */
	uint64_t taken;			/* copies reserved against f.max_packets */
};

/* One worker's counters: written by that worker only. */
struct dp_capture_wstats {
	uint64_t c[4];			/* in the order of struct dp_capture_stats */
} __rte_cache_aligned;

enum { DPC_COPIED, DPC_RING_FULL, DPC_NO_MBUF, DPC_LIMIT };

uint32_t dp_capture_gen __rte_cache_aligned;

static struct {
	bool made;
	struct rte_mempool *pool;
	struct rte_ring *ring;
	int meta_off;			/* of struct dp_capture_meta in each copy */
	uint32_t snaplen_max;
	uint64_t lib_tsc;		/* the timestamp handed to rte_pcapng_copy() */
	uint32_t last_gen;
	char why[320];
	struct dp_capture_slot slot[2];
	struct dp_capture_wstats ws[DP_MAX_WORKERS];
} dpc = { .why = "the data plane is not running" };

static const struct rte_mbuf_dynfield dp_capture_meta_desc = {
	.name = "ipsecgw_capture_meta",
	.size = sizeof(struct dp_capture_meta),
	.align = __alignof__(struct dp_capture_meta),
};

/* ---- set-up ---------------------------------------------------------- */

/* Does a pool of n mbufs of data_room bytes fit, the mbuf pool's reserve
 * kept free after it?  0, or -ENOMEM with the figures in msg. */
static int dp_capture_fit(unsigned n, unsigned data_room, char *msg, size_t len)
{
	struct rte_malloc_socket_stats st;
	struct rte_mempool_objsz sz;
	size_t obj, overhead;

	if (rte_eal_has_hugepages() ||
	    rte_malloc_get_socket_stats((int)rte_socket_id(), &st) != 0)
		return 0;	/* the heap can grow, or nothing to go by */
	obj = rte_mempool_calc_obj_size(sizeof(struct rte_mbuf) + data_room, 0, &sz);
	overhead = sizeof(struct rte_mempool) + RTE_MAX_LCORE * sizeof(struct rte_mempool_cache) +
		   2 * (size_t)rte_ring_get_memsize(rte_align32pow2(n + 1));
	return dp_mempool_fit(n, obj, overhead, DP_MEM_MARGIN + dp_route_lpm6_bytes(),
			      st.heap_freesz_bytes, st.heap_totalsz_bytes, msg, len);
}

/*
 * rte_pcapng_copy() starts its time base at its first call: make that
 * call here, then one with lib_tsc, which leaves the base within a
 * second of lib_tsc, so that later calls with lib_tsc never move it.
 */
static int dp_capture_warm(void)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dpc.pool), *c;
	uint16_t port = dp_g.ifaces[0].port_id;
	char *p;

	if (m == NULL)
		return -ENOMEM;
	p = rte_pktmbuf_append(m, DP_CAPTURE_WARM_LEN);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return -ENOMEM;
	}
	memset(p, 0, DP_CAPTURE_WARM_LEN);
	c = rte_pcapng_copy(port, 0, m, dpc.pool, DP_CAPTURE_WARM_LEN, rte_get_tsc_cycles(),
			    RTE_PCAPNG_DIRECTION_IN);
	rte_pktmbuf_free(c);
	dpc.lib_tsc = rte_get_tsc_cycles();
	c = rte_pcapng_copy(port, 0, m, dpc.pool, DP_CAPTURE_WARM_LEN, dpc.lib_tsc,
			    RTE_PCAPNG_DIRECTION_IN);
	rte_pktmbuf_free(m);
	if (c == NULL)
		return -ENOMEM;
	rte_pktmbuf_free(c);
	return 0;
}

/* The pool, the ring, the meta field.  0, or -errno with dpc.why set. */
static int dp_capture_make(unsigned n, unsigned frame_max)
{
	unsigned data_room = RTE_PKTMBUF_HEADROOM + frame_max + DP_CAPTURE_TRAILER;
	int socket = (int)rte_socket_id();
	char msg[256];

	if (dp_capture_fit(n, data_room, msg, sizeof(msg)) != 0) {
		snprintf(dpc.why, sizeof(dpc.why), "no room for the capture pool (capture.mbufs): %s",
			 msg);
		return -ENOMEM;
	}
	dpc.meta_off = rte_mbuf_dynfield_register(&dp_capture_meta_desc);
	if (dpc.meta_off < 0) {
		snprintf(dpc.why, sizeof(dpc.why), "cannot register the capture mbuf field: %s",
			 rte_strerror(rte_errno));
		return -rte_errno;
	}
	dpc.pool = rte_pktmbuf_pool_create("dp_capture", n, n >= 512 ? DP_CAPTURE_CACHE : 0, 0,
					   (uint16_t)data_room, socket);
	dpc.ring = rte_ring_create("dp_capture", n / 2, socket, RING_F_SC_DEQ | RING_F_EXACT_SZ);
	if (dpc.pool == NULL || dpc.ring == NULL) {
		snprintf(dpc.why, sizeof(dpc.why), "cannot create the capture pool of %u mbufs "
			 "of %u B or its ring: %s", n, data_room, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	if (dp_capture_warm() != 0) {
		snprintf(dpc.why, sizeof(dpc.why), "the capture pool cannot copy a packet");
		return -ENOMEM;
	}
	return 0;
}

int dp_capture_create(const struct gw_cfg *cfg)
{
	unsigned n = cfg->capture.mbufs;
	unsigned frame_max = dp_mempool_data_room(cfg->mbuf_data_size) - RTE_PKTMBUF_HEADROOM;
	int ret;

	if (dpc.made)
		return -EALREADY;
	memset(&dpc, 0, sizeof(dpc));
	dpc.made = true;
	__atomic_store_n(&dp_capture_gen, 0, __ATOMIC_RELEASE);
	if (n == 0) {
		snprintf(dpc.why, sizeof(dpc.why), "capture is off (capture.mbufs = 0)");
		GW_LOG(dp, INFO, "packet capture: %s", dpc.why);
		return 0;
	}
	if (frame_max + RTE_PKTMBUF_HEADROOM + DP_CAPTURE_TRAILER > UINT16_MAX)
		frame_max = UINT16_MAX - RTE_PKTMBUF_HEADROOM - DP_CAPTURE_TRAILER;
	ret = dp_capture_make(n, frame_max);
	if (ret != 0) {
		GW_LOG(dp, WARNING, "packet capture unavailable: %s", dpc.why);
		rte_ring_free(dpc.ring);
		rte_mempool_free(dpc.pool);
		dpc.ring = NULL;
		dpc.pool = NULL;
		return 0;
	}
	dpc.snaplen_max = frame_max;
	dpc.why[0] = '\0';
	GW_LOG(dp, INFO, "packet capture: pool of %u copies of up to %u B, ring of %u",
	       n, frame_max, n / 2);
	return 0;
}

void dp_capture_free(void)
{
	struct rte_mbuf *m;

	__atomic_store_n(&dp_capture_gen, 0, __ATOMIC_RELEASE);
	if (dpc.ring != NULL)
		while (rte_ring_dequeue(dpc.ring, (void **)&m) == 0)
			rte_pktmbuf_free(m);
	rte_ring_free(dpc.ring);
	rte_mempool_free(dpc.pool);
	memset(&dpc, 0, sizeof(dpc));
	snprintf(dpc.why, sizeof(dpc.why), "the data plane is not running");
}

/* ---- control plane --------------------------------------------------- */

bool dp_capture_available(void)
{
	return dpc.pool != NULL;
}

const char *dp_capture_why(void)
{
	return dpc.why;
}

uint32_t dp_capture_snaplen_max(void)
{
	return dpc.snaplen_max;
}

unsigned dp_capture_ring_size(void)
{
	return dpc.ring != NULL ? rte_ring_get_capacity(dpc.ring) : 0;
}

unsigned dp_capture_pool_size(void)
{
	return dpc.pool != NULL ? dpc.pool->size : 0;
}

unsigned dp_capture_pool_in_use(void)
{
	return dpc.pool != NULL ? rte_mempool_in_use_count(dpc.pool) : 0;
}

uint64_t dp_capture_all_ifaces(void)
{
	return dp_g.nb_ifaces >= 64 ? UINT64_MAX : (UINT64_C(1) << dp_g.nb_ifaces) - 1;
}

int dp_capture_arm(const struct dp_capture_filter *f, uint32_t *gen)
{
	struct dp_capture_slot *s;
	uint32_t g;

	if (dpc.pool == NULL)
		return -ENODEV;
	if (__atomic_load_n(&dp_capture_gen, __ATOMIC_RELAXED) != 0)
		return -EBUSY;
	if ((f->ifaces & dp_capture_all_ifaces()) == 0 || (f->dir & DP_CAPTURE_BOTH) == 0 ||
	    f->snaplen == 0 || f->snaplen > dpc.snaplen_max)
		return -EINVAL;
	g = dpc.last_gen + 1;
	if (g == 0)
		g = 1;
	s = &dpc.slot[g & 1];
	__atomic_store_n(&s->f.ifaces, f->ifaces, __ATOMIC_RELAXED);
	__atomic_store_n(&s->f.dir, f->dir, __ATOMIC_RELAXED);
	__atomic_store_n(&s->f.snaplen, f->snaplen, __ATOMIC_RELAXED);
	__atomic_store_n(&s->f.max_packets, f->max_packets, __ATOMIC_RELAXED);
	__atomic_store_n(&s->taken, 0, __ATOMIC_RELAXED);
	dpc.last_gen = g;
	__atomic_store_n(&dp_capture_gen, g, __ATOMIC_RELEASE);
	*gen = g;
	return 0;
}

void dp_capture_disarm(void)
{
	__atomic_store_n(&dp_capture_gen, 0, __ATOMIC_RELEASE);
}

uint64_t dp_capture_taken(void)
{
	return __atomic_load_n(&dpc.slot[dpc.last_gen & 1].taken, __ATOMIC_RELAXED);
}

unsigned dp_capture_dequeue(struct rte_mbuf **m, unsigned n)
{
	if (dpc.ring == NULL)
		return 0;
	return rte_ring_sc_dequeue_burst(dpc.ring, (void **)m, n, NULL);
}

struct dp_capture_meta *dp_capture_meta(struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, dpc.meta_off, struct dp_capture_meta *);
}

void dp_capture_stats(struct dp_capture_stats *st)
{
	uint64_t sum[4] = { 0 };

	for (unsigned w = 0; w < DP_MAX_WORKERS; w++)
		for (unsigned i = 0; i < 4; i++)
			sum[i] += __atomic_load_n(&dpc.ws[w].c[i], __ATOMIC_RELAXED);
	st->copied = sum[DPC_COPIED];
	st->ring_full = sum[DPC_RING_FULL];
	st->no_mbuf = sum[DPC_NO_MBUF];
	st->limit = sum[DPC_LIMIT];
}

/* ---- the worker ------------------------------------------------------ */

static inline void dpc_count(struct dp_capture_wstats *ws, unsigned i, uint64_t n)
{
	if (n != 0)
		__atomic_store_n(&ws->c[i], __atomic_load_n(&ws->c[i], __ATOMIC_RELAXED) + n,
				 __ATOMIC_RELAXED);
}

/* How many of n packets the slot's max_packets still allows. */
static unsigned dpc_reserve(struct dp_capture_slot *s, unsigned n)
{
	uint64_t max = __atomic_load_n(&s->f.max_packets, __ATOMIC_RELAXED), old;

	if (max == 0)
		return n;
	old = __atomic_fetch_add(&s->taken, n, __ATOMIC_RELAXED);
	return old >= max ? 0 : (unsigned)RTE_MIN((uint64_t)n, max - old);
}

/* Copy m[0..n), n <= DP_BURST, of the capture gen into the ring. */
static void dpc_copy(struct dp_capture_wstats *ws, unsigned w, unsigned iface, uint32_t gen,
		     struct dp_capture_slot *s, struct rte_mbuf *const *m, unsigned n,
		     enum dp_capture_dir dir)
{
	enum rte_pcapng_direction pd = dir == DP_CAPTURE_RX ? RTE_PCAPNG_DIRECTION_IN
							    : RTE_PCAPNG_DIRECTION_OUT;
	uint32_t snaplen = __atomic_load_n(&s->f.snaplen, __ATOMIC_RELAXED);
	uint16_t port = dp_g.ifaces[iface].port_id;
	unsigned take = dpc_reserve(s, n), k = 0, q;
	struct rte_mbuf *c[DP_BURST];
	uint64_t tsc = rte_rdtsc();

	dpc_count(ws, DPC_LIMIT, n - take);
	for (unsigned i = 0; i < take; i++) {
		struct rte_mbuf *x = rte_pcapng_copy(port, w, m[i], dpc.pool, snaplen,
						     dpc.lib_tsc, pd);
		struct dp_capture_meta *meta;

		if (unlikely(x == NULL))
			continue;
		meta = dp_capture_meta(x);
		meta->tsc = tsc;
		meta->gen = gen;
		meta->iface = (uint16_t)iface;
		meta->dir = (uint8_t)dir;
		c[k++] = x;
	}
	q = rte_ring_mp_enqueue_burst(dpc.ring, (void **)c, k, NULL);
	for (unsigned i = q; i < k; i++)
		rte_pktmbuf_free(c[i]);
	dpc_count(ws, DPC_COPIED, q);
	dpc_count(ws, DPC_RING_FULL, k - q);
	dpc_count(ws, DPC_NO_MBUF, take - k);
}

void dp_capture_burst(unsigned w, unsigned iface, struct rte_mbuf *const *m, unsigned n,
		      enum dp_capture_dir dir)
{
	uint32_t gen = __atomic_load_n(&dp_capture_gen, __ATOMIC_ACQUIRE);
	struct dp_capture_slot *s;

	if (gen == 0 || w >= DP_MAX_WORKERS || iface >= 64)
		return;
	s = &dpc.slot[gen & 1];
	if ((__atomic_load_n(&s->f.dir, __ATOMIC_RELAXED) & dir) == 0 ||
	    (__atomic_load_n(&s->f.ifaces, __ATOMIC_RELAXED) & (UINT64_C(1) << iface)) == 0)
		return;
	while (n > 0) {
		unsigned k = RTE_MIN(n, (unsigned)DP_BURST);

		dpc_copy(&dpc.ws[w], w, iface, gen, s, m, k, dir);
		m += k;
		n -= k;
	}
}
