/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_DP_CLASSIFY_H
#define GW_DP_CLASSIFY_H

/*
 * Per-packet decision on a worker: forward, punt to the control plane, or
 * drop with a counted reason.  Pure with respect to the packet's fate: it
 * never frees or sends; the caller acts on the verdict.  Lock-free reads of
 * the route and neighbour tables only.
 *
 * FORWARD: the frame is already rewritten (TTL / hop limit decremented,
 *          IPv4 checksum updated, Ethernet src/dst set); send it on
 *          res->out_iface.
 * PUNT:    res->reason (also stored in m->hash.usr) says why.
 * DROP:    res->counter says which drop counter to bump.
 */

#include <stdint.h>

#include <rte_mbuf.h>

#include "dataplane/dp.h"
#include "dataplane/dp_stats.h"

enum dp_verdict {
	DP_V_FORWARD,
	DP_V_PUNT,
	DP_V_DROP,
};

struct dp_cls_result {
	enum dp_verdict verdict;
	unsigned out_iface;		/* FORWARD */
	enum dp_punt_reason reason;	/* PUNT */
	enum dp_counter counter;	/* DROP */
};

enum dp_verdict dp_classify(struct rte_mbuf *m, unsigned in_iface, struct dp_cls_result *res);
/* The same for n packets received on in_iface, the verdict of pkts[i] into
 * res[i] (the worker's loop: one call a burst, the next frame prefetched). */
void dp_classify_burst(struct rte_mbuf **pkts, unsigned n, unsigned in_iface,
		       struct dp_cls_result *res);

#endif /* GW_DP_CLASSIFY_H */
