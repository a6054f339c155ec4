/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_DP_CAPTURE_H
#define GW_DP_CAPTURE_H

/*
 * Packet capture on the workers (the control plane writes the file:
 * controlplane/cp_capture.c).  dpdk-pdump needs a secondary process,
 * which --no-huge rules out, so the gateway copies packets itself:
 *
 *   RX  each interface's burst as received, before classification
 *       looks at it (dp_capture_rx() at the top of the worker's
 *       rx_handle()); a VLAN tag stripped into m->vlan_tci (flag
 *       RTE_MBUF_F_RX_VLAN_STRIPPED) is put back in the copy by
 *       rte_pcapng_copy();
 *   TX  each burst as handed to rte_eth_tx_burst(), after encryption and
 *       the Ethernet header, frames of the control plane included
 *       (dp_capture_tx()); what the PMD then refuses is in the capture
 *       too (and counted drop_tx_full).
 *
 * Off, a hook costs one relaxed load of dp_capture_gen per burst.  On,
 * the worker copies the packets its filter (interface, direction) takes
 * with rte_pcapng_copy() into the capture pool, made by dp_init() before
 * the lcores launch, and enqueues the copies to one MP/SC ring; a full
 * ring, an empty pool or the capture's packet limit drops the copy,
 * counted, never the packet, and never waits.  No syscall, lock or
 * allocation outside the capture pool on the worker.
 *
 * The control plane arms a capture (a filter published under a new
 * generation number), dequeues the copies on its tick and disarms it.
 * Each copy carries its generation, the TSC at the burst and the
 * interface (struct dp_capture_meta in an mbuf dynamic field): a copy a
 * worker made just before a disarm is told apart from the next capture's.
 *
 * rte_pcapng_copy() converts the timestamp it is given with state of its
 * own that it updates, unlocked, when a second has passed since its base:
 * the workers always pass it the one TSC value dp_capture_create() used
 * once on the main lcore, so the library never writes that state from a
 * worker, and the control plane writes the real time (from meta->tsc)
 * into each block.
 *
 * Threads: create/free on the main lcore with no worker running (dp_init,
 * dp_fini); arm, disarm, dequeue, stats and the getters on the control
 * plane; dp_capture_rx/tx (and dp_capture_burst) on the worker whose index
 * is w.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_mbuf.h>

#include "cfg/cfg.h"

enum dp_capture_dir {
	DP_CAPTURE_RX = 1,
	DP_CAPTURE_TX = 2,
	DP_CAPTURE_BOTH = DP_CAPTURE_RX | DP_CAPTURE_TX,
};

enum {
	/* What rte_pcapng_copy() appends to the copied bytes: up to 3 of
	 * padding, the flags and queue options (8 + 8), an RSS hash option
	 * (12) where the library writes one, the block length (4): 35, rounded
	 * up. */
	DP_CAPTURE_TRAILER = 36,
};

/* What a capture takes; published by dp_capture_arm(). */
struct dp_capture_filter {
	uint64_t ifaces;		/* bit i: interface i */
	uint8_t dir;			/* enum dp_capture_dir */
	uint32_t snaplen;		/* 1..dp_capture_snaplen_max() */
	uint64_t max_packets;		/* copies the workers make in all; 0 = no limit */
};

/* What every copy carries besides its pcapng block. */
struct dp_capture_meta {
	uint64_t tsc;			/* rte_rdtsc() at the burst */
	uint32_t gen;			/* the capture it belongs to */
	uint16_t iface;
	uint8_t dir;			/* DP_CAPTURE_RX or DP_CAPTURE_TX */
};

/* Totals over the workers since start-up (subtract a snapshot). */
struct dp_capture_stats {
	uint64_t copied;		/* copies in the ring */
	uint64_t ring_full;		/* copies dropped: the ring was full */
	uint64_t no_mbuf;		/* not copied: the capture pool was empty */
	uint64_t limit;			/* not copied: max_packets reached */
};

/* The generation of the capture running, 0 when none (workers read it). */
extern uint32_t dp_capture_gen;

/*
 * dp_init, before launch: register the meta field, make the pool of
 * cfg->capture.mbufs copies of up to cfg->mbuf_data_size bytes and the
 * ring (half as many).  Capture is optional: when mbufs is 0 or EAL
 * memory cannot hold the pool (the same check and reserve as the mbuf
 * pool), it is unavailable, with the reason logged and kept for
 * dp_capture_why(), and 0 is returned all the same.  -EALREADY if made.
 */
int dp_capture_create(const struct gw_cfg *cfg);
/* dp_fini, workers stopped: free the ring (with its copies) and the pool. */
void dp_capture_free(void);

/* CP: whether a capture can run; if not, why (one line). */
bool dp_capture_available(void);
const char *dp_capture_why(void);
/* CP: the largest snaplen (the data plane's mbuf data size). */
uint32_t dp_capture_snaplen_max(void);
/* CP: copies the ring holds at most; the pool's size; mbufs in use. */
unsigned dp_capture_ring_size(void);
unsigned dp_capture_pool_size(void);
unsigned dp_capture_pool_in_use(void);

/* CP: the interface mask of every interface. */
uint64_t dp_capture_all_ifaces(void);
/*
 * CP: start copying what f takes, under a new generation (returned, > 0).
 * -ENODEV when unavailable, -EBUSY when armed, -EINVAL for a filter
 * with no interface, no direction or a snaplen out of range.
 */
int dp_capture_arm(const struct dp_capture_filter *f, uint32_t *gen);
/* CP: stop copying (a worker in the middle of a burst may still enqueue
 * copies of the old generation). */
void dp_capture_disarm(void);
/* CP: copies the workers reserved under the armed filter's max_packets
 * so far (made, or dropped ring_full / no_mbuf). */
uint64_t dp_capture_taken(void);
/* CP: up to n copies from the ring.  The count. */
unsigned dp_capture_dequeue(struct rte_mbuf **m, unsigned n);
/* CP: the meta field of a copy. */
struct dp_capture_meta *dp_capture_meta(struct rte_mbuf *m);
/* CP: the totals over the workers. */
void dp_capture_stats(struct dp_capture_stats *st);

/* Worker w: copy what the armed filter takes of m[0..n) on iface. */
void dp_capture_burst(unsigned w, unsigned iface, struct rte_mbuf *const *m, unsigned n,
		      enum dp_capture_dir dir);

static inline void dp_capture_rx(unsigned w, unsigned iface, struct rte_mbuf *const *m,
				 unsigned n)
{
	if (likely(__atomic_load_n(&dp_capture_gen, __ATOMIC_RELAXED) == 0))
		return;
	dp_capture_burst(w, iface, m, n, DP_CAPTURE_RX);
}

static inline void dp_capture_tx(unsigned w, unsigned iface, struct rte_mbuf *const *m,
				 unsigned n)
{
	if (likely(__atomic_load_n(&dp_capture_gen, __ATOMIC_RELAXED) == 0))
		return;
	dp_capture_burst(w, iface, m, n, DP_CAPTURE_TX);
}

#endif /* GW_DP_CAPTURE_H */
