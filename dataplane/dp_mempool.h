/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_DP_MEMPOOL_H
#define GW_DP_MEMPOOL_H

/*
 * The mbuf pool and the rule that sizes it.  Every mbuf that can be held
 * somewhere at the same time is counted once:
 *
 *   per port   nb_workers * (rx descriptors + tx descriptors)
 *   per port   DP_CPTX_RING_SIZE          (control-plane TX ring)
 *            + DP_PUNT_RING_MBUFS         (the punt rings, one per class)
 *            + DP_FRAG_MBUFS              (control-plane reassembly table)
 *            + DP_NEIGH_QUEUE_MBUFS       (packets waiting for ARP/ND)
 *            + DP_CRYPTO_INFLIGHT_MBUFS   (jobs inside a crypto engine)
 *   per lcore  DP_MEMPOOL_CACHE * 3 / 2   (a mempool cache fills up to
 *                                          1.5 x its size before flushing)
 *   per worker (nb_ports + 1) * DP_BURST  (one TX buffer per port and the
 *                                          burst in hand: RX, handoff or
 *                                          CP TX)
 *   per worker 2 * (nb_ports + 1) * DP_BURST + 2 * DP_FRAG_OUT_MAX
 *              (outer fragments of the ESP out stage: a fragment is a
 *              header mbuf and an indirect mbuf, and keeps its parent, so
 *              an entry of a TX buffer or of the stage's punt buffer may
 *              hold 3 mbufs, not 1; and the DP_FRAG_OUT_MAX fragments of
 *              the packet being fragmented, 2 mbufs each, before they
 *              reach a buffer)
 *   per worker DP_HANDOFF_RING_SIZE       (its handoff ring: packets of its
 *                                          SAs from other workers), only
 *                                          with 2 workers or more
 *
 * Not counted: the parents that fragments keep once they left the worker
 * (TX descriptors, the punt rings, the control plane's neighbour queues),
 * and the second mbuf of a fragment in those two queues, which count
 * packets.  Outer fragmentation is the exception (the path MTU is known
 * and announced); should the pool run dry, the ports drop what they
 * receive (rx_nombuf) until mbufs come back.
 *
 * Each mbuf carries RTE_PKTMBUF_HEADROOM + cfg->mbuf_data_size bytes of
 * data room.  Before the pool is made, its size in bytes is compared with
 * the EAL memory still free; if it does not fit, dp_init() fails with a
 * message that says how much -m is needed.
 *
 * The control plane sizes what it holds from the same constants: its
 * rte_ip_frag table has at most DP_FRAG_TABLE_ENTRIES flows of at most
 * DP_FRAG_MAX_FRAGS fragments, and its neighbour queues hold at most
 * DP_NEIGH_QUEUE_MBUFS packets in total.
 *
 * Pure functions here are thread-safe.
 */

#include <stddef.h>
#include <stdint.h>

#include <rte_config.h>

#include "dataplane/dp.h"

enum {
	DP_FRAG_TABLE_ENTRIES = 512,	/* IPv4 + IPv6 tables of 256 flows (cp_frag.h) */
	DP_FRAG_MAX_FRAGS = RTE_LIBRTE_IP_FRAG_MAX_FRAG,	/* 8 in Debian's build */
	DP_FRAG_MBUFS = DP_FRAG_TABLE_ENTRIES * DP_FRAG_MAX_FRAGS,
	DP_NEIGH_QUEUE_MBUFS = 4096,
	DP_CRYPTO_INFLIGHT_MBUFS = 0,	/* intel-ipsec-mb runs within the burst in hand */
	DP_MEMPOOL_CACHE = 256,
	DP_MBUF_DATA_DEFAULT = 2048,	/* when cfg->mbuf_data_size is 0 */
};

/* EAL memory kept free after the pool for queues and control-plane tables. */
#define DP_MEM_MARGIN ((size_t)16 << 20)

/* What the rule needs to know. */
struct dp_pool_sizing {
	unsigned nb_ports;
	unsigned nb_workers;
	unsigned nb_lcores;			/* lcores that may touch the pool */
	uint16_t rxd[DP_MAX_IFACES];		/* per port, after adjustment */
	uint16_t txd[DP_MAX_IFACES];
};

/* Number of mbufs the rule above gives. */
unsigned dp_mempool_nb_mbufs(const struct dp_pool_sizing *s);

/* Data room of one mbuf for a configured data size (0 = the default). */
unsigned dp_mempool_data_room(unsigned mbuf_data_size);

/*
 * Does a pool of n objects of obj_bytes each, plus overhead bytes (its
 * ring and header), plus reserve bytes that must stay free after it
 * (DP_MEM_MARGIN and one IPv6 route-table rebuild), fit in free_bytes?
 * total_bytes is all EAL memory (what -m gave).  Returns 0, or -ENOMEM
 * with one line in msg such as "mbuf pool needs 20480 mbufs of 2432 B =
 * 48 MB (+ 88 MB kept free for route-table rebuilds and queues) but only
 * 30 MB of EAL memory is free; raise -m to at least 362".
 * Sizes in the message are MiB, rounded up, as -m counts them.
 */
int dp_mempool_fit(unsigned n, size_t obj_bytes, size_t overhead, size_t reserve,
		   size_t free_bytes, size_t total_bytes, char *msg, size_t len);

#endif /* GW_DP_MEMPOOL_H */
