/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Data-plane life cycle (dp_init, dp_launch, dp_stop, dp_fini) and the
 * small interfaces the control plane uses: CP TX rings, getters (the punt
 * rings are dp_punt.c's).
 *
 * dp_init order, undone in reverse by dp_fini (which also cleans up after
 * a dp_init that failed half-way):
 *   RCU variable -> route and neighbour tables -> policy (SPD) and SA
 *   tables -> punt rings, rates and IKE SPI set (dp_punt.c) -> ports
 *   configured (each once, whatever number of VLAN interfaces share it)
 *   -> port table (dp_vlan.c) -> mbuf pool (sized from the adjusted descriptors) ->
 *   ports started -> CP TX rings -> capture pool and ring (optional:
 *   dp_capture.h) -> local and connected routes ->
 *   workers (with their crypto contexts, handoff rings and policers).
 * Ports are stopped, not closed, by dp_fini (EAL cleanup closes them), so
 * dp_init may run again in the same process.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "common/gw_log.h"
#include "dataplane/dp_capture.h"
#include "dataplane/dp_internal.h"
#include "dataplane/dp_mempool.h"
#include "dataplane/dp_neigh.h"
#include "dataplane/dp_punt.h"
#include "dataplane/dp_route.h"
#include "dataplane/dp_sa.h"
#include "dataplane/dp_spd.h"
#include "dataplane/dp_stats.h"
#include "dataplane/dp_vlan.h"

struct dp_state dp_g;

static int init_check(const struct gw_cfg *cfg)
{
	if (cfg->n_ifaces == 0 || cfg->n_ifaces > DP_MAX_IFACES) {
		GW_LOG(dp, ERR, "%u interfaces configured; 1 to %u are supported",
		       cfg->n_ifaces, (unsigned)DP_MAX_IFACES);
		return -EINVAL;
	}
	if (cfg->workers == 0 || cfg->workers > DP_MAX_WORKERS) {
		GW_LOG(dp, ERR, "%u workers configured; 1 to %u are supported",
		       cfg->workers, (unsigned)DP_MAX_WORKERS);
		return -EINVAL;
	}
	return 0;
}

static int rcu_create(void)
{
	size_t sz = rte_rcu_qsbr_get_memsize(dp_g.nb_workers);

	dp_g.rcu = rte_zmalloc("dp_rcu", sz, RTE_CACHE_LINE_SIZE);
	if (dp_g.rcu == NULL || rte_rcu_qsbr_init(dp_g.rcu, dp_g.nb_workers) != 0)
		return -ENOMEM;
	/* Registered now, online only while a worker runs: an offline
	 * thread never holds up a grace period. */
	for (unsigned w = 0; w < dp_g.nb_workers; w++)
		rte_rcu_qsbr_thread_register(dp_g.rcu, w);
	return 0;
}

static int rings_create(void)
{
	char name[RTE_RING_NAMESIZE];

	for (unsigned i = 0; i < dp_g.nb_ifaces; i++) {
		snprintf(name, sizeof(name), "dp_cptx%u", i);
		dp_g.cptx[i] = rte_ring_create(name, DP_CPTX_RING_SIZE, (int)rte_socket_id(),
					       RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (dp_g.cptx[i] == NULL)
			goto fail;
	}
	return 0;
fail:
	GW_LOG(dp, ERR, "cannot create rings: %s", rte_strerror(rte_errno));
	return -ENOMEM;
}

static void ring_free_all(struct rte_ring *r)
{
	struct rte_mbuf *m;

	if (r == NULL)
		return;
	while (rte_ring_dequeue(r, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(r);
}

static int route_add_logged(const struct gw_prefix *p, enum dp_nh_type type, unsigned iface)
{
	struct dp_nexthop nh = { .type = (uint8_t)type, .iface = (uint16_t)iface };
	char buf[GW_PREFIX_STRLEN];
	int ret = dp_route_add(p, &nh);

	if (ret != 0)
		GW_LOG(dp, ERR, "interface %s: cannot install %s route %s: %s",
		       dp_g.ifaces[iface].name, dp_nh_type_name(type),
		       gw_prefix_fmt(p, buf, sizeof(buf)), strerror(-ret));
	return ret;
}

/* Our addresses as /32 and /128 LOCAL routes, their subnets as CONNECTED;
 * the link-local address once per port (its VLAN interfaces share it). */
static int local_routes(void)
{
	for (unsigned i = 0; i < dp_g.nb_ifaces; i++) {
		const struct dp_iface *ifc = &dp_g.ifaces[i];
		struct gw_prefix ll = { .addr = ifc->ll6, .len = 128 };
		int ret = 0;

		if (dp_vlan_port(ifc->port_id)->ifs[0] == i)
			ret = route_add_logged(&ll, DP_NH_LOCAL, i);

		for (unsigned a = 0; a < ifc->n_addrs && ret == 0; a++) {
			struct gw_prefix host = { .addr = ifc->addrs[a].addr };
			struct gw_prefix net = ifc->addrs[a];

			host.len = (uint8_t)gw_addr_maxlen(&host.addr);
			ret = route_add_logged(&host, DP_NH_LOCAL, i);
			if (ret == 0 && net.len < host.len) {
				gw_prefix_mask(&net);
				ret = route_add_logged(&net, DP_NH_CONNECTED, i);
			}
		}
		if (ret != 0)
			return ret;
	}
	return 0;
}

static int ports_setup(const struct gw_cfg *cfg)
{
	int ret = 0;

	for (unsigned i = 0; i < cfg->n_ifaces && ret == 0; i++) {
		ret = dp_port_configure(i, &cfg->ifaces[i], dp_g.nb_workers);
		if (ret == 0)
			dp_g.nb_ifaces = i + 1;
	}
	if (ret == 0)
		ret = dp_vlan_build();	/* one (port, VLAN) per interface */
	if (ret == 0)
		ret = dp_mempool_create(cfg);
	for (unsigned i = 0; i < dp_g.nb_ifaces && ret == 0; i++) {
		ret = dp_port_start(i);
		if (ret == 0)
			dp_g.nb_started = i + 1;
	}
	return ret;
}

static void workers_setup(void)
{
	unsigned w = 0, lcore;

	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (w == dp_g.nb_workers)
			break;
		dp_worker_setup(w++, lcore);
	}
	/* Too few lcores: dp_launch() refuses; counters land on main's. */
	while (w < dp_g.nb_workers)
		dp_worker_setup(w++, rte_get_main_lcore());
}

int dp_init(const struct gw_cfg *cfg)
{
	int ret;

	if (dp_g.inited)
		return -EALREADY;
	ret = init_check(cfg);
	if (ret != 0)
		return ret;
	memset(&dp_g, 0, sizeof(dp_g));
	dp_g.nb_workers = cfg->workers;
	dp_g.idle_backoff = cfg->worker_idle_backoff;
	dp_g.mbuf_data_size = cfg->mbuf_data_size;
	ret = rcu_create();
	if (ret == 0)
		ret = dp_route_init();
	if (ret == 0)
		ret = dp_neigh_init();
	if (ret == 0)
		ret = dp_spd_create();
	if (ret == 0)
		ret = dp_sa_table_create(dp_g.nb_workers);
	if (ret == 0)
		ret = dp_punt_init(cfg);
	if (ret == 0)
		ret = ports_setup(cfg);
	if (ret == 0)
		ret = rings_create();
	if (ret == 0)
		ret = dp_capture_create(cfg);
	if (ret == 0)
		ret = local_routes();
	if (ret != 0)
		goto out;
	workers_setup();
	ret = dp_worker_esp_create();
	if (ret == 0)
		ret = dp_handoff_create();
	if (ret != 0)
		goto out;
	dp_sa_bench_no_replay(cfg->bench_no_replay_check);
	dp_g.inited = true;
	GW_LOG(dp, INFO, "data plane ready: %u interfaces, %u workers",
	       dp_g.nb_ifaces, dp_g.nb_workers);
out:
	if (ret != 0)
		dp_fini();
	return ret;
}

int dp_launch(void)
{
	unsigned avail = rte_lcore_count() - 1;
	int ret = 0;

	if (!dp_g.inited)
		return -EINVAL;
	if (dp_g.launched)
		return -EALREADY;
	if (avail < dp_g.nb_workers) {
		GW_LOG(dp, ERR, "%u workers need %u worker lcores but EAL has %u "
		       "(use -l 0-%u)", dp_g.nb_workers, dp_g.nb_workers, avail,
		       dp_g.nb_workers);
		return -EINVAL;
	}
	__atomic_store_n(&dp_g.quit, 0, __ATOMIC_RELEASE);
	for (unsigned w = 0; w < dp_g.nb_workers && ret == 0; w++)
		ret = rte_eal_remote_launch(dp_worker_main, &dp_g.workers[w],
					    dp_g.workers[w].lcore);
	dp_g.launched = true;
	if (ret != 0) {
		GW_LOG(dp, ERR, "cannot launch workers: %s", strerror(-ret));
		dp_stop();
	}
	return ret;
}

void dp_stop(void)
{
	if (!dp_g.launched)
		return;
	__atomic_store_n(&dp_g.quit, 1, __ATOMIC_RELEASE);
	rte_eal_mp_wait_lcore();
	dp_g.launched = false;
}

void dp_fini(void)
{
	dp_stop();
	for (unsigned i = 0; i < DP_MAX_IFACES; i++)
		ring_free_all(dp_g.cptx[i]);
	dp_punt_fini();
	dp_handoff_free();
	dp_capture_free();
	dp_worker_esp_free();
	for (unsigned i = 0; i < dp_g.nb_started; i++)
		dp_port_stop(i);
	dp_mempool_free();
	dp_sa_table_destroy();
	dp_spd_destroy();
	dp_neigh_fini();
	dp_route_fini();
	rte_free(dp_g.rcu);
	dp_vlan_clear();
	memset(&dp_g, 0, sizeof(dp_g));
}

unsigned dp_nb_ifaces(void)
{
	return dp_g.nb_ifaces;
}

unsigned dp_nb_workers(void)
{
	return dp_g.nb_workers;
}

const struct dp_iface *dp_iface_get(unsigned idx)
{
	return idx < dp_g.nb_ifaces ? &dp_g.ifaces[idx] : NULL;
}

struct rte_mempool *dp_mbuf_pool(void)
{
	return dp_g.pool;
}

struct rte_rcu_qsbr *dp_rcu(void)
{
	return dp_g.rcu;
}

unsigned dp_worker_lcore(unsigned w)
{
	return w < dp_g.nb_workers ? dp_g.workers[w].lcore : rte_get_main_lcore();
}

int dp_cp_tx(unsigned iface, struct rte_mbuf *m)
{
	unsigned lcore = rte_lcore_id();

	if (iface >= dp_g.nb_ifaces || dp_g.cptx[iface] == NULL) {
		rte_pktmbuf_free(m);
		return -EINVAL;
	}
	if (rte_ring_sp_enqueue(dp_g.cptx[iface], m) == 0)
		return 0;
	if (lcore >= RTE_MAX_LCORE)
		lcore = rte_get_main_lcore();
	dp_count_lcore(lcore, DP_C_drop_cptx_ring_full, 1);
	rte_pktmbuf_free(m);
	return -ENOBUFS;
}

unsigned dp_cptx_drain(unsigned iface, struct rte_mbuf **pkts, unsigned n)
{
	if (iface >= dp_g.nb_ifaces || dp_g.cptx[iface] == NULL)
		return 0;
	return rte_ring_sc_dequeue_burst(dp_g.cptx[iface], (void **)pkts, n, NULL);
}

void dp_reclaim(void)
{
	dp_route_reclaim();
	dp_neigh_reclaim();
	dp_sa_reclaim();
	dp_spd_reclaim();
	dp_punt_reclaim();
}
