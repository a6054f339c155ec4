/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports: one RX and one TX queue per worker on every port, never
 * shared between threads.  Interfaces that share a port (802.1Q
 * sub-interfaces, dp_vlan.h) share its configuration: the first of them
 * configures and starts the port, the others take its MAC and raise its
 * MTU to theirs when larger.  RSS spreads traffic over the RX queues where
 * the device supports it.  A device with fewer queues than workers is refused,
 * and so is an af_packet device with more (its qpairs=N opens N receive
 * sockets at probe, and a socket nobody polls loses its share of traffic).
 * Main lcore only, before the workers start.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_ether.h>

#include "common/gw_log.h"
#include "dataplane/dp_internal.h"
#include "dataplane/dp_mempool.h"

/* Ethernet header + FCS + one VLAN tag around an IP packet of MTU bytes. */
enum { FRAME_OVERHEAD = RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN + RTE_VLAN_HLEN };

void dp_port_ll6(const struct rte_ether_addr *mac, struct gw_addr *ll6)
{
	const uint8_t *m = mac->addr_bytes;

	memset(ll6, 0, sizeof(*ll6));
	ll6->family = AF_INET6;
	ll6->v6[0] = 0xfe;
	ll6->v6[1] = 0x80;
	ll6->v6[8] = m[0] ^ 0x02;	/* flip the universal/local bit */
	ll6->v6[9] = m[1];
	ll6->v6[10] = m[2];
	ll6->v6[11] = 0xff;
	ll6->v6[12] = 0xfe;
	ll6->v6[13] = m[3];
	ll6->v6[14] = m[4];
	ll6->v6[15] = m[5];
}

static int port_check_queues(const struct dp_iface *ifc, const struct rte_eth_dev_info *info,
			     unsigned nb_workers)
{
	bool af_packet = strcmp(info->driver_name, "net_af_packet") == 0;

	if (info->max_rx_queues < nb_workers || info->max_tx_queues < nb_workers) {
		GW_LOG(port, ERR, "interface %s (%s): the device has %u RX / %u TX queues "
		       "but %u workers need one each%s", ifc->name, ifc->port_name,
		       info->max_rx_queues, info->max_tx_queues, nb_workers,
		       af_packet ? "; give the vdev qpairs=<workers>" : "");
		return -EINVAL;
	}
	if (af_packet && info->max_rx_queues != nb_workers) {
		GW_LOG(port, ERR, "interface %s (%s): af_packet opened %u receive sockets "
		       "(qpairs) for %u workers; a socket nobody polls loses its share "
		       "of traffic: set qpairs=%u", ifc->name, ifc->port_name,
		       info->max_rx_queues, nb_workers, nb_workers);
		return -EINVAL;
	}
	return 0;
}

/* Port configuration: RSS over the workers' queues, scatter if needed. */
static int port_conf(const struct dp_iface *ifc, const struct rte_eth_dev_info *info,
		     unsigned nb_workers, unsigned mtu, unsigned data_size,
		     struct rte_eth_conf *conf)
{
	uint64_t rss = RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP | RTE_ETH_RSS_TCP;

	memset(conf, 0, sizeof(*conf));
	if (nb_workers > 1 && info->flow_type_rss_offloads != 0) {
		conf->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		rss &= info->flow_type_rss_offloads;
		conf->rx_adv_conf.rss_conf.rss_hf = rss != 0 ? rss : info->flow_type_rss_offloads;
	} else if (nb_workers > 1) {
		GW_LOG(port, NOTICE, "interface %s (%s): no RSS; the device alone decides "
		       "how traffic spreads over the %u RX queues", ifc->name,
		       ifc->port_name, nb_workers);
	}
	if (info->tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS)
		conf->txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	if (mtu + FRAME_OVERHEAD > data_size) {
		if (!(info->rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER)) {
			GW_LOG(port, ERR, "interface %s (%s): MTU %u needs frames of %u B but "
			       "mbufs hold %u B and the device cannot scatter; raise "
			       "mbuf_data_size", ifc->name, ifc->port_name, mtu,
			       mtu + FRAME_OVERHEAD, data_size);
			return -EINVAL;
		}
		conf->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
	}
	return 0;
}

static int port_set_mtu(struct dp_iface *ifc, unsigned mtu)
{
	uint16_t cur;
	int ret;

	if (mtu != 0) {
		ret = rte_eth_dev_set_mtu(ifc->port_id, (uint16_t)mtu);
		if (ret != 0) {
			GW_LOG(port, ERR, "interface %s (%s): cannot set MTU %u: %s",
			       ifc->name, ifc->port_name, mtu, strerror(-ret));
			return ret;
		}
	}
	if (rte_eth_dev_get_mtu(ifc->port_id, &cur) != 0)
		cur = RTE_ETHER_MTU;
	ifc->mtu = cur;
	return 0;
}

static void port_names(struct dp_iface *ifc, const struct cfg_iface *c)
{
	memset(ifc, 0, sizeof(*ifc));
	snprintf(ifc->name, sizeof(ifc->name), "%s", c->name);
	snprintf(ifc->port_name, sizeof(ifc->port_name), "%s", c->port);
	ifc->n_addrs = RTE_MIN(c->n_addrs, (unsigned)CFG_MAX_IFACE_ADDRS);
	memcpy(ifc->addrs, c->addrs, ifc->n_addrs * sizeof(ifc->addrs[0]));
	ifc->vlan = c->vlan;
}

/* The interface before idx that opened the same port, or -1. */
static int port_opener(unsigned idx)
{
	for (unsigned i = 0; i < idx; i++)
		if (strcmp(dp_g.ifaces[i].port_name, dp_g.ifaces[idx].port_name) == 0)
			return (int)i;
	return -1;
}

/*
 * Interface idx on the port that interface first configured: first's MAC;
 * its IP MTU is its own mtu, or first's; a larger one raises the port's
 * (frames must still fit an mbuf, or be scattered).
 */
static int port_share(unsigned idx, unsigned first, unsigned mtu, unsigned data_size)
{
	struct dp_iface *ifc = &dp_g.ifaces[idx];
	const struct dp_iface *f = &dp_g.ifaces[first];
	struct rte_eth_conf conf;
	uint16_t cur;
	int ret;

	ifc->port_id = f->port_id;
	ifc->mac = f->mac;
	ifc->ll6 = f->ll6;
	/* the port's descriptors are counted once, at first (dp_mempool.h) */
	dp_g.rxd[idx] = 0;
	dp_g.txd[idx] = 0;
	ifc->mtu = mtu != 0 ? (uint16_t)mtu : f->mtu;
	if (rte_eth_dev_get_mtu(ifc->port_id, &cur) != 0 || ifc->mtu <= cur)
		return 0;
	if ((unsigned)ifc->mtu + FRAME_OVERHEAD > data_size &&
	    (rte_eth_dev_conf_get(ifc->port_id, &conf) != 0 ||
	     !(conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_SCATTER))) {
		GW_LOG(port, ERR, "interface %s (%s): MTU %u needs frames of %u B but mbufs "
		       "hold %u B and interface %s configured the port without scatter; "
		       "raise mbuf_data_size or give %s the larger MTU", ifc->name,
		       ifc->port_name, ifc->mtu, ifc->mtu + FRAME_OVERHEAD, data_size, f->name,
		       f->name);
		return -EINVAL;
	}
	ret = rte_eth_dev_set_mtu(ifc->port_id, ifc->mtu);
	if (ret != 0)
		GW_LOG(port, ERR, "interface %s (%s): cannot raise the port's MTU to %u: %s",
		       ifc->name, ifc->port_name, ifc->mtu, strerror(-ret));
	return ret;
}

int dp_port_configure(unsigned idx, const struct cfg_iface *c, unsigned nb_workers)
{
	struct dp_iface *ifc = &dp_g.ifaces[idx];
	unsigned data_size = dp_mempool_data_room(dp_g.mbuf_data_size) - RTE_PKTMBUF_HEADROOM;
	unsigned mtu = c->mtu != 0 ? c->mtu : RTE_ETHER_MTU;
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	int ret;

	port_names(ifc, c);
	if (port_opener(idx) >= 0)
		return port_share(idx, (unsigned)port_opener(idx), c->mtu, data_size);
	if (rte_eth_dev_get_port_by_name(c->port, &ifc->port_id) != 0) {
		GW_LOG(port, ERR, "interface %s: no DPDK port named \"%s\" (is it in the "
		       "EAL --vdev or PCI allow list?)", c->name, c->port);
		return -ENODEV;
	}
	ret = rte_eth_dev_info_get(ifc->port_id, &info);
	if (ret != 0) {
		GW_LOG(port, ERR, "interface %s (%s): cannot read device info: %s",
		       c->name, c->port, strerror(-ret));
		return ret;
	}
	ret = port_check_queues(ifc, &info, nb_workers);
	if (ret == 0)
		ret = port_conf(ifc, &info, nb_workers, mtu, data_size, &conf);
	if (ret != 0)
		return ret;
	ret = rte_eth_dev_configure(ifc->port_id, (uint16_t)nb_workers, (uint16_t)nb_workers, &conf);
	if (ret != 0) {
		GW_LOG(port, ERR, "interface %s (%s): configure with %u queue pairs failed: %s",
		       c->name, c->port, nb_workers, strerror(-ret));
		return ret;
	}
	dp_g.rxd[idx] = DP_RX_DESC;
	dp_g.txd[idx] = DP_TX_DESC;
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(ifc->port_id, &dp_g.rxd[idx], &dp_g.txd[idx]);
	if (ret == 0)
		ret = port_set_mtu(ifc, c->mtu);
	if (ret == 0)
		ret = rte_eth_macaddr_get(ifc->port_id, &ifc->mac);
	if (ret != 0)
		return ret;
	dp_port_ll6(&ifc->mac, &ifc->ll6);
	return 0;
}

static int port_queues(const struct dp_iface *ifc, unsigned idx)
{
	int socket = rte_eth_dev_socket_id(ifc->port_id);
	int ret;

	for (unsigned q = 0; q < dp_g.nb_workers; q++) {
		ret = rte_eth_rx_queue_setup(ifc->port_id, (uint16_t)q, dp_g.rxd[idx],
					     (unsigned)socket, NULL, dp_g.pool);
		if (ret == 0)
			ret = rte_eth_tx_queue_setup(ifc->port_id, (uint16_t)q, dp_g.txd[idx],
						     (unsigned)socket, NULL);
		if (ret != 0) {
			GW_LOG(port, ERR, "interface %s (%s): queue %u setup failed: %s",
			       ifc->name, ifc->port_name, q, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

int dp_port_start(unsigned idx)
{
	const struct dp_iface *ifc = &dp_g.ifaces[idx];
	char mac[RTE_ETHER_ADDR_FMT_SIZE];
	int ret;

	if (port_opener(idx) >= 0) {
		GW_LOG(port, INFO, "interface %s: VLAN %u on port %s (port %u), MTU %u",
		       ifc->name, ifc->vlan, ifc->port_name, ifc->port_id, ifc->mtu);
		return 0;
	}
	ret = port_queues(ifc, idx);
	if (ret != 0)
		return ret;
	ret = rte_eth_dev_start(ifc->port_id);
	if (ret != 0) {
		GW_LOG(port, ERR, "interface %s (%s): start failed: %s",
		       ifc->name, ifc->port_name, strerror(-ret));
		return ret;
	}
	/* IPv6 solicited-node multicast must reach us; unicast for others need not. */
	ret = rte_eth_allmulticast_enable(ifc->port_id);
	if (ret != 0)
		GW_LOG(port, NOTICE, "interface %s (%s): all-multicast not available (%s); "
		       "relying on the device to pass IPv6 multicast", ifc->name,
		       ifc->port_name, strerror(-ret));
	ret = rte_eth_promiscuous_disable(ifc->port_id);
	if (ret != 0 && ret != -ENOTSUP)
		GW_LOG(port, NOTICE, "interface %s (%s): cannot leave promiscuous mode: %s",
		       ifc->name, ifc->port_name, strerror(-ret));
	rte_ether_format_addr(mac, sizeof(mac), &ifc->mac);
	GW_LOG(port, INFO, "interface %s (%s, port %u%s%.0u): %s, MTU %u, %u RX / %u TX "
	       "descriptors x %u queues", ifc->name, ifc->port_name, ifc->port_id,
	       ifc->vlan != 0 ? ", VLAN " : "", ifc->vlan, mac,
	       ifc->mtu, dp_g.rxd[idx], dp_g.txd[idx], dp_g.nb_workers);
	return 0;
}

void dp_port_stop(unsigned idx)
{
	int ret;

	if (port_opener(idx) >= 0)
		return;		/* the port's first interface stops it */
	ret = rte_eth_dev_stop(dp_g.ifaces[idx].port_id);
	if (ret != 0)
		GW_LOG(port, NOTICE, "interface %s: stop failed: %s",
		       dp_g.ifaces[idx].name, strerror(-ret));
}

int dp_port_stats(unsigned iface, struct rte_eth_stats *st)
{
	if (iface >= dp_g.nb_ifaces)
		return -EINVAL;
	return rte_eth_stats_get(dp_g.ifaces[iface].port_id, st);
}

int dp_port_xstats(unsigned iface, struct rte_eth_xstat_name *names, struct rte_eth_xstat *vals,
		   unsigned n)
{
	uint16_t port;
	int cnt, got;

	if (iface >= dp_g.nb_ifaces)
		return -EINVAL;
	port = dp_g.ifaces[iface].port_id;
	cnt = rte_eth_xstats_get_names(port, names, n);
	if (cnt < 0 || names == NULL || (unsigned)cnt > n)
		return cnt;
	got = rte_eth_xstats_get(port, vals, n);
	if (got < 0)
		return got;
	return got == cnt ? cnt : -EAGAIN;	/* the driver's list changed in between */
}
