/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Handoff of ESP packets to the worker that owns their SA (esp_sa.h: one
 * writer per SA for its sequence number or replay window).  One ring per
 * worker, multi-producer (any worker hands packets to it) and
 * single-consumer (its owner drains it once per loop); none with a single
 * worker, which owns every SA (the loop drains rings only when there are
 * two workers or more, and the mbuf pool counts them likewise).  A packet in a ring
 * carries what the owner needs to go on where the sender stopped (see
 * dp_handoff_mark() in dp_internal.h); the owner looks the handle up again
 * (esp_sa_get) since the SA may have been retired meanwhile.
 *
 * Created by dp_init() before the workers launch, freed by dp_fini() after
 * they stopped, with whatever packets were left in them.
 */
#include <errno.h>
#include <stdio.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "common/gw_log.h"
#include "dataplane/dp_internal.h"

int dp_handoff_create(void)
{
	char name[RTE_RING_NAMESIZE];

	if (dp_g.nb_workers < 2)
		return 0;
	for (unsigned w = 0; w < dp_g.nb_workers; w++) {
		snprintf(name, sizeof(name), "dp_handoff%u", w);
		dp_g.handoff[w] = rte_ring_create(name, DP_HANDOFF_RING_SIZE,
						  (int)rte_socket_id(), RING_F_SC_DEQ);
		if (dp_g.handoff[w] == NULL) {
			GW_LOG(dp, ERR, "cannot create handoff ring %s: %s", name,
			       rte_strerror(rte_errno));
			return -ENOMEM;
		}
	}
	return 0;
}

void dp_handoff_free(void)
{
	struct rte_mbuf *m;

	for (unsigned w = 0; w < DP_MAX_WORKERS; w++) {
		if (dp_g.handoff[w] == NULL)
			continue;
		while (rte_ring_dequeue(dp_g.handoff[w], (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(dp_g.handoff[w]);
		dp_g.handoff[w] = NULL;
	}
}

unsigned dp_handoff_enqueue(unsigned owner, struct rte_mbuf **m, unsigned n)
{
	return rte_ring_mp_enqueue_burst(dp_g.handoff[owner], (void **)m, n, NULL);
}

unsigned dp_handoff_dequeue(unsigned w, struct rte_mbuf **m, unsigned n)
{
	return rte_ring_sc_dequeue_burst(dp_g.handoff[w], (void **)m, n, NULL);
}
