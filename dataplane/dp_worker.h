/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_DP_WORKER_H
#define GW_DP_WORKER_H

/*
 * What the two halves of the worker share, and nothing else includes:
 *   dp_worker.c      the loop, RX, TX buffers, the CP TX rings,
 *                    idle back-off, profiling;
 *   dp_punt.c        the punts: class, policer, ring;
 *   dp_worker_esp.c  the ESP stages (in, out with its MTU check and outer
 *                    fragmentation), the handoff drain, the crypto
 *                    contexts.
 *
 * Threads: every function here runs on the worker that owns wk, in its
 * loop; nothing is shared between workers but the rings they feed.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "dataplane/dp_internal.h"

enum {
	DP_FRAG6_ID_BITS = 24,		/* IPv6 fragment ids: worker index above them */
};

/* What the ESP stages of one burst (RX, handoff drain, CP TX) work on. */
struct dp_esp_batch {
	unsigned n;
	struct rte_mbuf *m[DP_BURST];
	uint32_t key[DP_BURST];		/* in: SPI (be) or handle; out: tunnel or handle */
	uint16_t off[DP_BURST];		/* in: ESP header offset */
	bool on_demand[DP_BURST];	/* out: the policy raises acquires */
};

/* dp_worker.c: send iface's TX buffer; free and count (drop_tx_full) what
 * the PMD did not take. */
void dp_worker_tx_flush(struct dp_worker *wk, unsigned iface);

/* Queue m[0..n) for TX on iface, sending each time the buffer fills. */
static inline void dp_worker_tx_queue(struct dp_worker *wk, unsigned iface,
				      struct rte_mbuf **m, unsigned n)
{
	struct dp_txbuf *b = &wk->tx[iface];

	while (n > 0) {
		unsigned k = RTE_MIN(n, (unsigned)DP_BURST - b->n);

		memcpy(&b->m[b->n], m, k * sizeof(m[0]));
		b->n = (uint16_t)(b->n + k);
		m += k;
		n -= k;
		if (b->n == DP_BURST)
			dp_worker_tx_flush(wk, iface);
	}
}

/* dp_punt.c: punt m[0..n) (reason in m->hash.usr, m->port set), each
 * to its class's ring through this worker's policer of the class; what
 * the policer refuses (policed) or the ring cannot take (ring_full) is
 * freed and counted (an originated NEIGH_MISS packet as drop_no_neighbor). */
void dp_worker_punt(struct dp_worker *wk, struct rte_mbuf **m, unsigned n);

/*
 * dp_worker_esp.c: the ESP stages of a batch; every mbuf of b is consumed
 * (sent, punted, handed to its SA's owner, or dropped and counted).
 *   esp_in:  b->key[i] the SPI (by_spi, from classification) or the SA
 *            handle (from the handoff ring), b->off[i] the ESP header's
 *            offset;
 *   esp_out: b->key[i] the tunnel (by_tunnel) or the SA handle; each
 *            b->m[i] is an inner packet after a 14-byte Ethernet slot,
 *            its TTL / hop limit already dealt with, m->port the port it
 *            came in by, or for a frame of the control plane the port it
 *            was queued for (the punts carry it).
 */
void dp_worker_esp_in(struct dp_worker *wk, const struct dp_esp_batch *b, bool by_spi);
void dp_worker_esp_out(struct dp_worker *wk, const struct dp_esp_batch *b, bool by_tunnel);

/* dp_worker_esp.c: one burst of this worker's handoff ring through the
 * ESP stages; returns how many packets it took (0: the ring was empty). */
unsigned dp_worker_handoff_drain(struct dp_worker *wk);

#endif /* GW_DP_WORKER_H */
