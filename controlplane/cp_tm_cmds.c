/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The gateway's own telemetry commands.  Handlers run on the CP thread
 * (see cp_tm.c), so they may read control-plane state and call the
 * CP-only data-plane accessors.  Lists follow the convention in cp_tm.h;
 * an object's ID is its index in the table's stable enumeration order.
 *
 *   /ipsecgw/version
 *   /ipsecgw/interfaces[,START]   /ipsecgw/interface,ID
 *   /ipsecgw/neighbors[,START]    /ipsecgw/neighbor,ID
 *   /ipsecgw/routes[,START]       /ipsecgw/route,ID
 *   /ipsecgw/stats
 *   /ipsecgw/dp/drops, sas, sa, sa_stats, sa_clear (cp_tm_sa.c)
 *   /ipsecgw/ikev2/..., clear/crypto_session (controlplane/ikev2/ikev2_tm.c)
 *
 * They are registered at program start (RTE_INIT below).
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_version.h>

#include "common/gw_addr.h"
#include "common/gw_log.h"
#include "controlplane/cp_link.h"
#include "controlplane/cp_neigh.h"
#include "controlplane/cp_punt.h"
#include "controlplane/cp_stats.h"
#include "controlplane/cp_tm.h"
#include "controlplane/ikev2/ikev2_tm.h"
#include "dataplane/dp.h"
#include "dataplane/dp_route.h"
#include "dataplane/dp_stats.h"

static uint64_t tm_started_s;

static uint64_t tm_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

/* Parse the ID of one of count objects.  0, or -1 after tm_error(). */
static int tm_get_id(const char *params, unsigned count, const char *what,
		     struct tm_reply *r, unsigned *idx)
{
	uint64_t id;

	if (tm_parse_id(params, &id) != 0) {
		tm_error(r, "usage: /ipsecgw/%s,ID (ID an unsigned decimal, got '%.40s')",
			 what, params != NULL ? params : "");
		return -1;
	}
	if (id >= count) {
		tm_error(r, "no %s with ID %" PRIu64, what, id);
		return -1;
	}
	*idx = (unsigned)id;
	return 0;
}

static uint64_t tm_index_id(unsigned idx, void *arg)
{
	(void)arg;
	return idx;
}

static const char *tm_iface_name(unsigned iface)
{
	const struct dp_iface *ifc = iface < dp_nb_ifaces() ? dp_iface_get(iface) : NULL;

	return ifc != NULL ? ifc->name : "?";
}

static void tm_add_addr(struct tm_reply *r, const char *key, const struct gw_addr *a)
{
	char buf[GW_ADDR_STRLEN];

	tm_add_str(r, key, a->family != 0 ? gw_addr_fmt(a, buf, sizeof(buf)) : "");
}

static void tm_add_mac(struct tm_reply *r, const char *key, const struct rte_ether_addr *ea)
{
	char buf[GW_MAC_STRLEN];
	struct gw_mac m;

	memcpy(m.b, ea->addr_bytes, sizeof(m.b));
	tm_add_str(r, key, gw_mac_fmt(&m, buf, sizeof(buf)));
}

static int tm_version(const char *params, struct tm_reply *r)
{
	if (tm_no_params(r, "/ipsecgw/version (no parameters)", params) != 0)
		return -1;
	tm_add_str(r, "version", GW_VERSION);
	tm_add_str(r, "dpdk", rte_version());
	tm_add_u64(r, "pid", (uint64_t)getpid());
	tm_add_u64(r, "uptime_s", tm_now_s() - tm_started_s);
	tm_add_u64(r, "workers", dp_nb_workers());
	tm_add_u64(r, "interfaces", dp_nb_ifaces());
	return 0;
}

static int tm_interfaces(const char *params, struct tm_reply *r)
{
	return tm_list(r, params, dp_nb_ifaces(), tm_index_id, NULL);
}

/* The port's counters (shared by its VLAN interfaces), then the interface's
 * own frames. */
static void tm_iface_counters(struct tm_reply *r, unsigned idx)
{
	struct rte_eth_stats st;
	uint64_t rx = 0, tx = 0;

	if (dp_port_stats(idx, &st) != 0)
		memset(&st, 0, sizeof(st));
	dp_iface_counts(idx, &rx, &tx);
	tm_add_u64(r, "iface_rx_packets", rx);
	tm_add_u64(r, "iface_tx_packets", tx);
	tm_add_u64(r, "rx_packets", st.ipackets);
	tm_add_u64(r, "tx_packets", st.opackets);
	tm_add_u64(r, "rx_bytes", st.ibytes);
	tm_add_u64(r, "tx_bytes", st.obytes);
	tm_add_u64(r, "rx_errors", st.ierrors);
	tm_add_u64(r, "rx_missed", st.imissed);
	tm_add_u64(r, "rx_nombuf", st.rx_nombuf);
	tm_add_u64(r, "tx_errors", st.oerrors);
}

static int tm_interface(const char *params, struct tm_reply *r)
{
	const struct dp_iface *ifc;
	struct rte_eth_link link;
	char buf[GW_PREFIX_STRLEN];
	unsigned idx;

	if (tm_get_id(params, dp_nb_ifaces(), "interface", r, &idx) != 0)
		return -1;
	ifc = dp_iface_get(idx);
	memset(&link, 0, sizeof(link));
	rte_eth_link_get_nowait(ifc->port_id, &link);
	tm_add_str(r, "name", ifc->name);
	tm_add_str(r, "port", ifc->port_name);
	tm_add_u64(r, "port_id", ifc->port_id);
	tm_add_mac(r, "mac", &ifc->mac);
	tm_add_u64(r, "mtu", ifc->mtu);
	tm_add_u64(r, "vlan", ifc->vlan);
	/* the gateway's view (cp_link.h): the PMD's, and for af_packet the kernel's */
	tm_add_u64(r, "link_up", cp_link_iface_up(idx));
	tm_add_u64(r, "link_speed_mbps", link.link_speed);
	cp_link_tm_add(r, idx);
	tm_array_str(r, "addresses");
	for (unsigned i = 0; i < ifc->n_addrs; i++)
		tm_elem_str(r, gw_prefix_fmt(&ifc->addrs[i], buf, sizeof(buf)));
	tm_add_addr(r, "ll6", &ifc->ll6);
	tm_iface_counters(r, idx);
	return 0;
}

static int tm_neighbors(const char *params, struct tm_reply *r)
{
	return tm_list(r, params, cp_neigh_count(), tm_index_id, NULL);
}

static int tm_neighbor(const char *params, struct tm_reply *r)
{
	struct cp_neigh_info n;
	unsigned idx;

	if (tm_get_id(params, cp_neigh_count(), "neighbor", r, &idx) != 0)
		return -1;
	if (cp_neigh_get(idx, &n) != 0) {
		tm_error(r, "no neighbor with ID %u", idx);
		return -1;
	}
	tm_add_str(r, "interface", tm_iface_name(n.iface));
	tm_add_addr(r, "address", &n.addr);
	tm_add_u64(r, "family", n.addr.family == AF_INET6 ? 6 : 4);
	tm_add_mac(r, "mac", &n.mac);
	tm_add_str(r, "state", cp_neigh_state_name(n.state));
	tm_add_u64(r, "age_s", n.age_ms / 1000);
	tm_add_u64(r, "queued", n.queued);
	return 0;
}

static int tm_routes(const char *params, struct tm_reply *r)
{
	return tm_list(r, params, dp_route_count(), tm_index_id, NULL);
}

static int tm_route(const char *params, struct tm_reply *r)
{
	struct gw_prefix pfx;
	struct dp_nexthop nh;
	char buf[GW_PREFIX_STRLEN];
	unsigned idx;

	if (tm_get_id(params, dp_route_count(), "route", r, &idx) != 0)
		return -1;
	if (dp_route_get(idx, &pfx, &nh) != 0) {
		tm_error(r, "no route with ID %u", idx);
		return -1;
	}
	tm_add_str(r, "prefix", gw_prefix_fmt(&pfx, buf, sizeof(buf)));
	tm_add_u64(r, "family", pfx.addr.family == AF_INET6 ? 6 : 4);
	tm_add_str(r, "type", dp_nh_type_name((enum dp_nh_type)nh.type));
	if (nh.type == DP_NH_GATEWAY)
		tm_add_addr(r, "via", &nh.gw);
	else
		tm_add_str(r, "via", "");
	tm_add_str(r, "interface", tm_iface_name(nh.iface));
	return 0;
}

/* Per-worker arrays: "worker_<counter>" indexed like "worker_lcore". */
static void tm_stats_workers(struct tm_reply *r)
{
	static const enum dp_counter per_worker[] = {
		DP_C_rx_pkts, DP_C_tx_pkts, DP_C_fwd_pkts, DP_C_punt_pkts,
		DP_C_cptx_pkts, DP_C_idle_sleeps,
	};
	unsigned nw = dp_nb_workers();
	char key[TM_MAX_KEY + 1];

	tm_array_u64(r, "worker_lcore");
	for (unsigned w = 0; w < nw; w++)
		tm_elem_u64(r, dp_worker_lcore(w));
	for (size_t i = 0; i < RTE_DIM(per_worker); i++) {
		snprintf(key, sizeof(key), "worker_%s", dp_counter_name(per_worker[i]));
		tm_array_u64(r, key);
		for (unsigned w = 0; w < nw; w++)
			tm_elem_u64(r, __atomic_load_n(&dp_stats[dp_worker_lcore(w)].c[per_worker[i]],
						     __ATOMIC_RELAXED));
	}
}

/*
 * Every counter under its own name: data-plane and control-plane names are
 * disjoint (checked by unit_cp_icmp's counter-name test).
 */
static int tm_stats(const char *params, struct tm_reply *r)
{
	struct dp_lcore_stats sum;

	if (tm_no_params(r, "/ipsecgw/stats (no parameters)", params) != 0)
		return -1;
	dp_stats_sum(&sum);
	for (int i = 0; i < DP_C_MAX; i++)
		tm_add_u64(r, dp_counter_name(i), sum.c[i]);
	for (int i = 0; i < CP_C_MAX; i++)
		tm_add_u64(r, cp_counter_name(i), cp_stats[i]);
	ikev2_tm_add_counters(r);
	tm_add_u64(r, "neighbors", cp_neigh_count());
	tm_add_u64(r, "routes", dp_route_count());
	tm_stats_workers(r);
	return 0;
}

int cp_tm_cmds_register(void)
{
	static const struct cp_tm_cmd cmds[] = {
		{ "version", tm_version, "Gateway and DPDK versions, pid, uptime. No parameters", false },
		{ "interfaces", tm_interfaces, "Interface IDs: {count, next, ids[]}. Parameter: START", false },
		{ "interface", tm_interface, "One interface: addresses, VLAN, link, port and interface counters. Parameter: ID", false },
		{ "neighbors", tm_neighbors, "ARP/ND neighbour IDs: {count, next, ids[]}. Parameter: START", false },
		{ "neighbor", tm_neighbor, "One ARP/ND neighbour. Parameter: ID", false },
		{ "routes", tm_routes, "Route IDs: {count, next, ids[]}. Parameter: START", false },
		{ "route", tm_route, "One route: prefix, type, via, interface. Parameter: ID", false },
		{ "stats", tm_stats, "Data-plane and control-plane counters, per-worker arrays", false },
		{ "punt", cp_punt_tm, "Punt classes: rate, punted, policed, ring_full, handled, queued", false },
	};
	static bool registered;
	int ret;

	if (registered)
		return 0;
	tm_started_s = tm_now_s();
	ret = cp_tm_register_table(cmds, RTE_DIM(cmds));
	if (ret == 0)
		ret = cp_tm_sa_register();
	if (ret == 0)
		ret = cp_tm_port_register();
	if (ret == 0)
		ret = ikev2_tm_register();
	if (ret != 0)
		return ret;
	registered = true;
	return 0;
}

/*
 * At program start, as DPDK's own libraries do: the telemetry socket
 * exists from rte_eal_init(), and until the CP loop runs our commands
 * answer "control plane not running" instead of DPDK's bare null.
 */
RTE_INIT(tm_cmds_init)
{
	if (cp_tm_cmds_register() != 0)
		GW_LOG(tm, ERR, "cannot register the /ipsecgw/ telemetry commands");
}
