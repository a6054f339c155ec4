/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The life cycle every data-plane table shares for what it unpublishes
 * (a next-hop slot, an old IPv6 table, a hash key position): hand it to a
 * defer queue on dp_g.rcu, free it once every worker has passed a
 * quiescent state, and at exit wait one grace period and free the rest.
 * Main lcore (the control plane) only; the queues are MT-unsafe.
 */
#include <stdint.h>

#include <rte_errno.h>
#include <rte_rcu_qsbr.h>

#include "common/gw_log.h"
#include "dataplane/dp_internal.h"

enum { DQ_RECLAIM_LIMIT = 64 };		/* enqueue reclaims past this many */

struct rte_rcu_qsbr_dq *dp_rcu_dq_create(const char *name, uint32_t size, uint32_t esize,
					 rte_rcu_qsbr_free_resource_t fn, enum dp_rcu_mode mode)
{
	struct rte_rcu_qsbr_dq_parameters dq = {
		.name = name,
		.flags = RTE_RCU_QSBR_DQ_MT_UNSAFE,
		.size = size,
		.esize = esize,
		.trigger_reclaim_limit = mode == DP_RCU_TICK_ONLY ? size : DQ_RECLAIM_LIMIT,
		.max_reclaim_size = DQ_RECLAIM_LIMIT,
		.free_fn = fn,
		.v = dp_g.rcu,
	};
	struct rte_rcu_qsbr_dq *q = rte_rcu_qsbr_dq_create(&dq);

	if (q == NULL)
		GW_LOG(dp, ERR, "cannot create defer queue %s: %s", name,
		       rte_strerror(rte_errno));
	return q;
}

void dp_rcu_defer(struct rte_rcu_qsbr_dq *dq, void *e, rte_rcu_qsbr_free_resource_t fn)
{
	if (rte_rcu_qsbr_dq_enqueue(dq, e) == 0)
		return;
	/* Full (not expected with queues sized for every object): wait. */
	rte_rcu_qsbr_synchronize(dp_g.rcu, RTE_QSBR_THRID_INVALID);
	fn(NULL, e, 1);
}

void dp_rcu_reclaim(struct rte_rcu_qsbr_dq *dq)
{
	unsigned freed, pending, avail;

	if (dq != NULL)
		rte_rcu_qsbr_dq_reclaim(dq, UINT32_MAX, &freed, &pending, &avail);
}

void dp_rcu_dq_destroy(struct rte_rcu_qsbr_dq **dq, const char *name)
{
	if (*dq == NULL)
		return;
	/* Workers are stopped: one grace period makes everything reclaimable. */
	rte_rcu_qsbr_synchronize(dp_g.rcu, RTE_QSBR_THRID_INVALID);
	if (rte_rcu_qsbr_dq_delete(*dq) != 0)
		GW_LOG(dp, ERR, "defer queue %s not empty at exit: %s", name,
		       rte_strerror(rte_errno));
	*dq = NULL;
}
