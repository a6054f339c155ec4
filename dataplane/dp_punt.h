/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_DP_PUNT_H
#define GW_DP_PUNT_H

/*
 * The punt path inside the data plane (dp_punt.c): the class of a punted
 * packet, the per-worker token-bucket policers, the class rings and the
 * set of our IKE SPIs.  The control plane sees only dp.h.
 *
 * Threads: dp_punt_class() and dp_policer_admit() run on a worker (any
 * thread in tests), lock-free; the rest is main lcore.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "cfg/cfg.h"
#include "dataplane/dp.h"

enum {
	DP_IKE_HDR_LEN = 28,		/* RFC 7296 3.1 (ISAKMP header, RFC 2408 3.1, too) */
	DP_IKE_VER_OFF = 17,		/* major version in the high nibble */
	DP_IKE_FLAGS_OFF = 19,
	DP_IKE_FLAG_I = 0x08,		/* IKEv2: sent by the original initiator */
	DP_IKE_SPI_DQ = 8192,		/* removed SPIs waiting for a grace period */
	DP_POLICER_BURST_MS = 50,	/* a bucket holds this much of its rate ... */
	DP_POLICER_BURST_MIN = DP_BURST,	/* ... and never less than a burst */
};

/*
 * A token bucket in exact integer arithmetic: credit grows by rate (the
 * class's pps for the whole gateway) per TSC cycle and one packet costs
 * cost (TSC Hz times the number of workers), so each worker admits
 * pps / workers packets a second on average, up to burst at once.
 * Written by its worker only.
 */
struct dp_policer {
	uint64_t credit;
	uint64_t last;			/* TSC of the last refill */
	uint64_t rate;			/* credit per cycle */
	uint64_t cost;			/* credit per packet */
	uint64_t depth;			/* credit cap: burst * cost */
	uint64_t max_gap;		/* cycles that fill an empty bucket */
};

/*
 * Set p for pps packets a second shared by nb_workers workers (pps >= 1),
 * a burst of burst packets (>= 1), on a TSC of hz; full at TSC now.
 */
static inline void dp_policer_init(struct dp_policer *p, uint64_t pps, unsigned nb_workers,
				   uint64_t burst, uint64_t hz, uint64_t now)
{
	p->rate = pps != 0 ? pps : 1;
	p->cost = hz * (nb_workers != 0 ? nb_workers : 1);
	p->depth = (burst != 0 ? burst : 1) * p->cost;
	p->max_gap = p->depth / p->rate + 1;
	p->credit = p->depth;
	p->last = now;
}

/* The burst of a class of pps shared by nb_workers, its ring holding ring. */
static inline uint64_t dp_policer_burst(uint64_t pps, unsigned nb_workers, unsigned ring)
{
	uint64_t b = pps / (nb_workers != 0 ? nb_workers : 1) * DP_POLICER_BURST_MS / 1000;

	if (b < DP_POLICER_BURST_MIN)
		b = DP_POLICER_BURST_MIN;
	return b < ring ? b : ring;
}

/* How many of n packets p admits at TSC now (the first ones). */
static inline unsigned dp_policer_admit(struct dp_policer *p, uint64_t now, unsigned n)
{
	uint64_t gap = now - p->last, k;

	if (now < p->last)
		gap = 0;		/* never expected of one core's TSC */
	gap = RTE_MIN(gap, p->max_gap);
	p->credit = RTE_MIN(p->credit + gap * p->rate, p->depth);
	p->last = now;
	k = RTE_MIN(p->credit / p->cost, (uint64_t)n);
	p->credit -= k * p->cost;
	return (unsigned)k;
}

/*
 * The class of a punted frame (data at the Ethernet header, reason in
 * m->hash.usr; headers in the first segment, as classification left
 * them).  Reads the SPI set lock-free.  Pure otherwise.
 */
enum dp_punt_class dp_punt_class(const struct rte_mbuf *m);

/* Is spi (8 octets) one of ours?  Any thread, lock-free; false for 0. */
bool dp_punt_spi_known(const uint8_t spi[8]);

/* dp_init: rings (sized DP_PUNT_RING_*), rates and the SPI set.  0 or
 * -ENOMEM (logged).  dp_fini: frees them and the packets left. */
int dp_punt_init(const struct gw_cfg *cfg);
void dp_punt_fini(void);
/* The policers of worker w, full, from dp_g's rates (dp_worker_setup). */
void dp_punt_worker_setup(unsigned w);
/* CP tick (dp_reclaim): free removed SPIs' positions past a grace period. */
void dp_punt_reclaim(void);

#endif /* GW_DP_PUNT_H */
