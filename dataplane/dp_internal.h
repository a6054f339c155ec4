/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_DP_INTERNAL_H
#define GW_DP_INTERNAL_H

/*
 * Data-plane state shared by the files of dataplane/ and by nothing else
 * (the control plane includes dp.h, dp_route.h, dp_neigh.h, dp_stats.h and
 * dp_mempool.h only).
 *
 * Everything here is written by the main lcore in dp_init()/dp_fini() and
 * read-only while workers run, except each worker's own struct dp_worker
 * (written by that worker only) and dp_g.quit (written by dp_stop()).
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "cfg/cfg.h"
#include "dataplane/dp.h"
#include "dataplane/dp_punt.h"

enum {
	DP_MAX_WORKERS = CFG_MAX_WORKERS,
	DP_RX_DESC = 1024,		/* asked for; the PMD may adjust */
	DP_TX_DESC = 1024,
	DP_IDLE_LOOPS = 100,		/* empty loops before an idle sleep */
	DP_IDLE_SLEEP_US = 200,
	DP_PROF_EVERY = 64,		/* one worker loop in this many is timed */
	DP_HANDOFF_RING_SIZE = 1024,	/* per worker: ESP packets of its SAs */
	DP_FRAG_OUT_MAX = 16,		/* fragments of one outer ESP packet */
};

struct esp_crypto_wk;

/* Frames waiting for one TX burst on one port. */
struct dp_txbuf {
	uint16_t n;
	struct rte_mbuf *m[DP_BURST];
};

/* One worker lcore: its queues are queue id == idx on every port. */
struct dp_worker {
	unsigned idx;				/* worker index == RCU thread id */
	unsigned lcore;
	unsigned nb_cptx;			/* CP TX rings this worker drains */
	uint8_t cptx_iface[DP_MAX_IFACES];
	unsigned idle_loops;
	uint32_t loops;				/* mod DP_PROF_EVERY */
	bool prof;				/* this loop is timed */
	uint64_t prof_cls;			/* its classification cycles so far */
	struct dp_txbuf tx[DP_MAX_IFACES];	/* indexed by out interface */
	struct esp_crypto_wk *cw;		/* its crypto context (dp_init) */
	uint32_t frag6_id;			/* next IPv6 fragment id (low 24 bits) */
	struct dp_policer pol[DP_PUNT_CLASS_MAX]; /* its share of each punt class */
} __rte_cache_aligned;

struct dp_state {
	bool inited;
	bool launched;
	bool idle_backoff;
	unsigned nb_ifaces;
	unsigned nb_workers;
	unsigned nb_started;			/* ports started, for unwinding */
	unsigned mbuf_data_size;		/* from the configuration, 0 = default */
	struct dp_iface ifaces[DP_MAX_IFACES];
	uint16_t rxd[DP_MAX_IFACES];		/* descriptors after adjustment */
	uint16_t txd[DP_MAX_IFACES];
	struct rte_mempool *pool;
	struct rte_rcu_qsbr *rcu;
	struct rte_ring *punt[DP_PUNT_CLASS_MAX]; /* workers -> CP, MP/SC, per class */
	uint32_t punt_pps[DP_PUNT_CLASS_MAX];	/* configured, whole gateway */
	struct rte_ring *cptx[DP_MAX_IFACES];	/* CP -> one worker, SP/SC */
	struct rte_ring *handoff[DP_MAX_WORKERS]; /* any worker -> owner, MP/SC */
	struct dp_worker workers[DP_MAX_WORKERS];
	uint32_t quit;				/* atomic; set by dp_stop() */
};

extern struct dp_state dp_g;

/* dp_port.c: look the port up, check and configure it (no queues yet). */
int dp_port_configure(unsigned idx, const struct cfg_iface *c, unsigned nb_workers);
/* dp_port.c: queues from the pool, start, all-multicast.  0 or -errno. */
int dp_port_start(unsigned idx);
void dp_port_stop(unsigned idx);
/* dp_port.c: EUI-64 link-local address (RFC 4291 2.5.1, appendix A). */
void dp_port_ll6(const struct rte_ether_addr *mac, struct gw_addr *ll6);

/* dp_mempool.c: size and create the mbuf pool from dp_g.  0 or -errno. */
int dp_mempool_create(const struct gw_cfg *cfg);
void dp_mempool_free(void);

/*
 * dp_rcu.c: defer queues on dp_g.rcu (main lcore only).  create: a queue
 * of size elements of esize bytes (a multiple of 4) that fn frees once
 * every worker has passed a quiescent state; NULL (logged) on failure.
 * With DP_RCU_TICK_ONLY, enqueueing never reclaims: only the CP tick does,
 * so that retiring a large batch (the revocation path) only unpublishes.
 * defer: hand e over; should the queue be full, wait for a grace period
 * and free e at once.  reclaim: free what is due (dq may be NULL).
 * destroy: with the workers stopped, free everything and delete *dq.
 */
enum dp_rcu_mode { DP_RCU_ON_ENQUEUE, DP_RCU_TICK_ONLY };
struct rte_rcu_qsbr_dq *dp_rcu_dq_create(const char *name, uint32_t size, uint32_t esize,
					 rte_rcu_qsbr_free_resource_t fn, enum dp_rcu_mode mode);
void dp_rcu_defer(struct rte_rcu_qsbr_dq *dq, void *e, rte_rcu_qsbr_free_resource_t fn);
void dp_rcu_reclaim(struct rte_rcu_qsbr_dq *dq);
void dp_rcu_dq_destroy(struct rte_rcu_qsbr_dq **dq, const char *name);

/* dp_worker.c: prepare worker w's queue and ring assignment. */
void dp_worker_setup(unsigned w, unsigned lcore);
/* dp_worker.c: the loop, run by rte_eal_remote_launch(); arg is a dp_worker. */
int dp_worker_main(void *arg);
/* dp_worker_esp.c: each worker's crypto context, after dp_worker_setup()
 * and before launch (0 or -ENOMEM); free them, the workers stopped. */
int dp_worker_esp_create(void);
void dp_worker_esp_free(void);

/*
 * dp_handoff.c: ESP packets for an SA another worker owns go to the
 * owner's ring.  create (before launch: one MP/SC ring per worker, none
 * with a single worker; 0 or -ENOMEM) and free (workers stopped; frees
 * the packets left) are CP.  enqueue (any worker: returns how many of
 * m[0..n) the ring took; the caller drops the rest, drop_handoff_full)
 * and dequeue (the owner only) are fast path.
 *
 * A handed-off packet carries, set by dp_handoff_mark():
 *   m->hash.fdir.hi  the SA handle (dp_sa.h), looked up again by the owner;
 *   m->hash.usr      (which << 16) | esp_off: which = DP_HANDOFF_IN (an ESP
 *                    packet, its ESP header at esp_off from the frame
 *                    start) or DP_HANDOFF_OUT (a packet to encrypt,
 *                    esp_off 0), as classification left them.
 * m->port stays the input port (for the punts of the owner's stages).
 */
enum { DP_HANDOFF_IN = 1, DP_HANDOFF_OUT = 2 };

static inline void dp_handoff_mark(struct rte_mbuf *m, uint32_t handle, unsigned which,
				   uint16_t esp_off)
{
	m->hash.usr = (uint32_t)which << 16 | esp_off;
	m->hash.fdir.hi = handle;
}

int dp_handoff_create(void);
void dp_handoff_free(void);
unsigned dp_handoff_enqueue(unsigned owner, struct rte_mbuf **m, unsigned n);
unsigned dp_handoff_dequeue(unsigned w, struct rte_mbuf **m, unsigned n);

#endif /* GW_DP_INTERNAL_H */
