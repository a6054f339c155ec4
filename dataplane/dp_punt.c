/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The punt path (dp.h, dp_punt.h): a worker sorts the packets it punts
 * into classes, lets each class through its own token bucket and enqueues
 * what passed into the class's MP/SC ring; the control plane drains the
 * rings by priority (cp_punt.c).
 *
 * The class of IKE depends on the set of our own IKE SPIs: an rte_hash
 * with RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF (lock-free lookups on the
 * workers, the control plane the one writer) and EXT_TABLE (an add never
 * fails while a key position is free).  A removed SPI keeps its position
 * until rte_hash_free_key_with_position(), which a defer queue on the
 * data plane's RCU variable calls once every worker has passed a
 * quiescent state, as for neighbours and SAs.  The table has room for
 * DP_IKE_SPI_MAX published SPIs plus DP_IKE_SPI_DQ waiting ones, and the
 * queue holds DP_IKE_SPI_DQ: when it is full, dp_rcu_defer() waits for a
 * grace period and frees at once, so an add never finds the table full.
 * (rte_hash_rcu_qsbr_add's own queue logs and leaks a position when it
 * is full, hence this queue.)
 *
 * Which octets of an IKE header are ours: IKEv2 with the I flag (the
 * sender is the original initiator, so we are the responder) SPI_r, else
 * SPI_i; IKEv1 (no such flag) either cookie.  A zero SPI is never ours.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "common/gw_log.h"
#include "common/gw_proto.h"
#include "dataplane/dp_internal.h"
#include "dataplane/dp_punt.h"
#include "dataplane/dp_stats.h"
#include "dataplane/dp_worker.h"

#define SPI_DQ_NAME "dp_ike_spi_dq"

static const unsigned punt_ring_size[DP_PUNT_CLASS_MAX] = {
	[DP_PUNT_CLASS_NEIGH] = DP_PUNT_RING_NEIGH,
	[DP_PUNT_CLASS_IKE] = DP_PUNT_RING_IKE,
	[DP_PUNT_CLASS_OTHER] = DP_PUNT_RING_OTHER,
	[DP_PUNT_CLASS_IKE_NEW] = DP_PUNT_RING_IKE_NEW,
};

static struct {
	struct rte_hash *h;		/* our IKE SPIs, NULL without a data plane */
	struct rte_rcu_qsbr_dq *dq;
	unsigned live;			/* atomic: SPIs published */
	unsigned deferred;		/* CP: positions waiting */
} spis;

/* ---- the SPI set --------------------------------------------------------- */

/* The key as rte_hash reads it: 8 aligned octets (rte_hash_crc loads
 * them as one 64-bit word; an SPI in a packet has no such alignment). */
static inline uint64_t spi_key(const uint8_t spi[8])
{
	uint64_t v;

	memcpy(&v, spi, sizeof(v));
	return v;
}

bool dp_punt_spi_known(const uint8_t spi[8])
{
	struct rte_hash *h = spis.h;
	uint64_t k = spi_key(spi);

	return h != NULL && k != 0 && rte_hash_lookup(h, &k) >= 0;
}

static void spi_free_deferred(void *p, void *e, unsigned n)
{
	const uint32_t *pos = e;

	RTE_SET_USED(p);
	for (unsigned i = 0; i < n; i++) {
		rte_hash_free_key_with_position(spis.h, (int32_t)pos[i]);
		spis.deferred--;
	}
}

int dp_punt_spi_add(const uint8_t spi[8])
{
	uint64_t k = spi_key(spi);
	int32_t pos;

	if (spis.h == NULL)
		return -ENODEV;
	if (rte_hash_lookup(spis.h, &k) >= 0)
		return -EEXIST;
	pos = rte_hash_add_key(spis.h, &k);
	if (pos == -ENOSPC) {			/* not expected: see the top */
		dp_rcu_reclaim(spis.dq);
		pos = rte_hash_add_key(spis.h, &k);
	}
	if (pos < 0) {
		GW_LOG(dp, ERR, "IKE SPI set: add failed (%d, %u published, %u waiting)",
		       (int)pos, dp_punt_spi_count(), spis.deferred);
		return pos;
	}
	__atomic_fetch_add(&spis.live, 1, __ATOMIC_RELAXED);
	return 0;
}

int dp_punt_spi_del(const uint8_t spi[8])
{
	uint64_t k = spi_key(spi);
	int32_t pos;
	uint32_t e;

	if (spis.h == NULL)
		return -ENODEV;
	pos = rte_hash_del_key(spis.h, &k);
	if (pos < 0)
		return -ENOENT;
	__atomic_fetch_sub(&spis.live, 1, __ATOMIC_RELAXED);
	e = (uint32_t)pos;
	spis.deferred++;
	dp_rcu_defer(spis.dq, &e, spi_free_deferred);
	return 0;
}

unsigned dp_punt_spi_count(void)
{
	return __atomic_load_n(&spis.live, __ATOMIC_RELAXED);
}

void dp_punt_reclaim(void)
{
	dp_rcu_reclaim(spis.dq);
}

/* ---- classes -------------------------------------------------------------- */

/* The class of an IKE datagram (natt: after a non-ESP marker). */
static enum dp_punt_class punt_ike_class(const struct rte_mbuf *m, bool natt)
{
	const uint8_t *b = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m), off = RTE_ETHER_HDR_LEN, ulen;
	const uint8_t *h;

	if (len < RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv6_hdr))
		return DP_PUNT_CLASS_IKE_NEW;
	switch (((const struct rte_ether_hdr *)b)->ether_type) {
	case RTE_BE16(RTE_ETHER_TYPE_IPV4):
		off += (b[off] & RTE_IPV4_HDR_IHL_MASK) * RTE_IPV4_IHL_MULTIPLIER;
		break;
	case RTE_BE16(RTE_ETHER_TYPE_IPV6):
		off += sizeof(struct rte_ipv6_hdr);	/* classification: UDP next */
		break;
	default:
		return DP_PUNT_CLASS_IKE_NEW;
	}
	if (len < off + sizeof(struct rte_udp_hdr))
		return DP_PUNT_CLASS_IKE_NEW;
	ulen = (uint32_t)b[off + 4] << 8 | b[off + 5];	/* dgram_len */
	off += sizeof(struct rte_udp_hdr);
	if (natt)
		off += GW_NON_ESP_MARKER_LEN;
	if (ulen < sizeof(struct rte_udp_hdr) + (natt ? GW_NON_ESP_MARKER_LEN : 0u) +
		   DP_IKE_HDR_LEN || len < off + DP_IKE_HDR_LEN)
		return DP_PUNT_CLASS_IKE_NEW;
	h = b + off;
	switch (h[DP_IKE_VER_OFF] >> 4) {
	case 2:
		return dp_punt_spi_known((h[DP_IKE_FLAGS_OFF] & DP_IKE_FLAG_I) ? h + 8 : h) ?
		       DP_PUNT_CLASS_IKE : DP_PUNT_CLASS_IKE_NEW;
	case 1:
		return dp_punt_spi_known(h) || dp_punt_spi_known(h + 8) ?
		       DP_PUNT_CLASS_IKE : DP_PUNT_CLASS_IKE_NEW;
	default:
		return DP_PUNT_CLASS_IKE_NEW;
	}
}

enum dp_punt_class dp_punt_class(const struct rte_mbuf *m)
{
	switch (m->hash.usr) {
	case DP_PUNT_ARP:
	case DP_PUNT_ND:
		return DP_PUNT_CLASS_NEIGH;
	case DP_PUNT_IKE:
		return punt_ike_class(m, false);
	case DP_PUNT_IKE_NATT:
		return punt_ike_class(m, true);
	default:
		return DP_PUNT_CLASS_OTHER;
	}
}

/* ---- the worker's side ------------------------------------------------------ */

/* An encrypted packet that was to wait in the ring for its next hop. */
static inline bool punt_originated(const struct rte_mbuf *m)
{
	return m->hash.usr == DP_PUNT_NEIGH_MISS && m->hash.fdir.hi == DP_PUNT_ORIGINATED;
}

/* Drop m[0..n) of class c, counted as k (policed or ring_full); an
 * originated packet as drop_no_neighbor (the control plane counts the
 * losses of its own neighbour queue). */
static void punt_drop(struct dp_worker *wk, enum dp_punt_class c, enum dp_punt_ctr k,
		      struct rte_mbuf **m, unsigned n)
{
	enum dp_counter why = k == DP_PUNT_C_policed ? DP_C_drop_punt_policed :
						       DP_C_drop_punt_ring_full;

	if (n == 0)
		return;
	dp_count_punt(wk->lcore, c, k, n);
	for (unsigned i = 0; i < n; i++)
		dp_drop(m[i], punt_originated(m[i]) ? DP_C_drop_no_neighbor : why);
}

/* m[0..n) of class c: through the policer, then into the ring. */
static void punt_class_burst(struct dp_worker *wk, enum dp_punt_class c, uint64_t now,
			     struct rte_mbuf **m, unsigned n)
{
	unsigned ok = dp_policer_admit(&wk->pol[c], now, n), q;

	q = rte_ring_mp_enqueue_burst(dp_g.punt[c], (void **)m, ok, NULL);
	if (q != 0) {
		dp_count_punt(wk->lcore, c, DP_PUNT_C_punted, q);
		dp_count_lcore(wk->lcore, DP_C_punt_pkts, q);
	}
	punt_drop(wk, c, DP_PUNT_C_ring_full, m + q, ok - q);
	punt_drop(wk, c, DP_PUNT_C_policed, m + ok, n - ok);
}

/*
 * Punt m[0..n) (reason in m->hash.usr, m->port set), each to its class in
 * the order given; one TSC read and one enqueue per class present.
 */
void dp_worker_punt(struct dp_worker *wk, struct rte_mbuf **m, unsigned n)
{
	struct rte_mbuf *byc[DP_PUNT_CLASS_MAX][DP_BURST];
	unsigned nc[DP_PUNT_CLASS_MAX] = { 0 };
	uint64_t now;

	if (n == 0)
		return;
	now = rte_rdtsc();
	while (n > 0) {
		unsigned k = RTE_MIN(n, (unsigned)DP_BURST);

		for (unsigned i = 0; i < k; i++) {
			enum dp_punt_class c = dp_punt_class(m[i]);

			byc[c][nc[c]++] = m[i];
		}
		for (unsigned c = 0; c < DP_PUNT_CLASS_MAX; c++) {
			punt_class_burst(wk, (enum dp_punt_class)c, now, byc[c], nc[c]);
			nc[c] = 0;
		}
		m += k;
		n -= k;
	}
}

void dp_punt_worker_setup(unsigned w)
{
	struct dp_worker *wk = &dp_g.workers[w];
	uint64_t hz = rte_get_tsc_hz(), now = rte_rdtsc();

	for (unsigned c = 0; c < DP_PUNT_CLASS_MAX; c++)
		dp_policer_init(&wk->pol[c], dp_g.punt_pps[c], dp_g.nb_workers,
				dp_policer_burst(dp_g.punt_pps[c], dp_g.nb_workers,
						 punt_ring_size[c]), hz, now);
}

/* ---- the control plane's side ------------------------------------------------ */

unsigned dp_punt_dequeue_class(enum dp_punt_class c, struct rte_mbuf **pkts, unsigned n)
{
	if ((unsigned)c >= DP_PUNT_CLASS_MAX || dp_g.punt[c] == NULL)
		return 0;
	return rte_ring_sc_dequeue_burst(dp_g.punt[c], (void **)pkts, n, NULL);
}

unsigned dp_punt_dequeue(struct rte_mbuf **pkts, unsigned n)
{
	unsigned got = 0;

	for (unsigned c = 0; c < DP_PUNT_CLASS_MAX && got < n; c++)
		got += dp_punt_dequeue_class((enum dp_punt_class)c, pkts + got, n - got);
	return got;
}

unsigned dp_punt_queued(enum dp_punt_class c)
{
	if ((unsigned)c >= DP_PUNT_CLASS_MAX || dp_g.punt[c] == NULL)
		return 0;
	return rte_ring_count(dp_g.punt[c]);
}

uint32_t dp_punt_pps(enum dp_punt_class c)
{
	return (unsigned)c < DP_PUNT_CLASS_MAX ? dp_g.punt_pps[c] : 0;
}

/* ---- life cycle -------------------------------------------------------------- */

static int punt_rings_create(void)
{
	char name[RTE_RING_NAMESIZE];

	for (unsigned c = 0; c < DP_PUNT_CLASS_MAX; c++) {
		snprintf(name, sizeof(name), "dp_punt_%s", dp_punt_class_name(c));
		dp_g.punt[c] = rte_ring_create(name, punt_ring_size[c], (int)rte_socket_id(),
					       RING_F_SC_DEQ);
		if (dp_g.punt[c] == NULL) {
			GW_LOG(dp, ERR, "cannot create ring %s: %s", name,
			       rte_strerror(rte_errno));
			return -ENOMEM;
		}
	}
	return 0;
}

static int punt_spis_create(void)
{
	struct rte_hash_parameters hp = {
		.name = "dp_ike_spi",
		.entries = DP_IKE_SPI_MAX + DP_IKE_SPI_DQ,
		.key_len = sizeof(uint64_t),	/* the SPI's 8 octets as they are */
		.hash_func = rte_hash_crc,
		.socket_id = (int)rte_socket_id(),
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};

	spis.live = spis.deferred = 0;
	spis.h = rte_hash_create(&hp);
	if (spis.h == NULL) {
		GW_LOG(dp, ERR, "cannot create the IKE SPI set: %s", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	spis.dq = dp_rcu_dq_create(SPI_DQ_NAME, DP_IKE_SPI_DQ, sizeof(uint32_t),
				   spi_free_deferred, DP_RCU_ON_ENQUEUE);
	return spis.dq != NULL ? 0 : -ENOMEM;
}

int dp_punt_init(const struct gw_cfg *cfg)
{
	int ret;

	for (unsigned c = 0; c < DP_PUNT_CLASS_MAX; c++)
		dp_g.punt_pps[c] = cfg->punt.pps[c] != 0 ? cfg->punt.pps[c] :
							   cfg_punt_default_pps(c);
	ret = punt_rings_create();
	if (ret == 0)
		ret = punt_spis_create();
	return ret;
}

void dp_punt_fini(void)
{
	for (unsigned c = 0; c < DP_PUNT_CLASS_MAX; c++) {
		struct rte_mbuf *m;

		if (dp_g.punt[c] == NULL)
			continue;
		while (rte_ring_dequeue(dp_g.punt[c], (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(dp_g.punt[c]);
		dp_g.punt[c] = NULL;
	}
	dp_rcu_dq_destroy(&spis.dq, SPI_DQ_NAME);
	rte_hash_free(spis.h);
	memset(&spis, 0, sizeof(spis));
}
