/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transit packets the workers punted: unresolved next hop, too big.  Two
 * kinds come from the ESP stages, told apart by m->hash.fdir.hi (dp.h):
 * a packet too big to encrypt (the MTU to announce; never forwarded, it
 * would leave in the clear) and an encrypted outer packet whose next hop
 * is not resolved (ours: sent as it is, no TTL step).
 */
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "controlplane/cp_fwd.h"
#include "controlplane/cp_icmp.h"
#include "controlplane/cp_ip.h"
#include "controlplane/cp_stats.h"
#include "controlplane/cp_tx.h"
#include "dataplane/dp.h"
#include "dataplane/dp_route.h"

static void cp_fwd_drop(struct rte_mbuf *m)
{
	cp_count(CP_C_fwd_drop);
	rte_pktmbuf_free(m);
}

static void cp_fwd_ttl_dec(struct rte_mbuf *m, const struct cp_ip *ip)
{
	if (ip->src.family == AF_INET6) {
		rte_pktmbuf_mtod(m, struct rte_ipv6_hdr *)->hop_limits--;
	} else {
		struct rte_ipv4_hdr *h = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);

		h->time_to_live--;
		h->hdr_checksum = 0;
		h->hdr_checksum = rte_ipv4_cksum(h);
	}
}

/* A packet the worker would have encrypted, too big for the tunnel: only
 * the ICMP error, with the MTU left once the ESP overhead is paid. */
static void cp_fwd_too_big_esp(struct rte_mbuf *m, const struct cp_ip *ip, uint32_t mtu,
			       unsigned iface)
{
	if (ip->src.family == AF_INET6 || ip->df)
		cp_icmp_error(m, CP_ICMP_ERR_TOO_BIG, mtu, (int)iface);
	cp_fwd_drop(m);
}

void cp_fwd_input(struct rte_mbuf *m, unsigned iface)
{
	uint32_t reason = m->hash.usr, info = m->hash.fdir.hi;
	bool ours = reason == DP_PUNT_NEIGH_MISS && info == DP_PUNT_ORIGINATED;
	struct dp_nexthop nh;
	struct cp_ip ip;
	uint16_t mtu;

	if (cp_ip_parse(m, &ip) != 0) {
		cp_fwd_drop(m);
		return;
	}
	if (reason == DP_PUNT_TOO_BIG && info != 0) {
		cp_fwd_too_big_esp(m, &ip, info, iface);
		return;
	}
	if (dp_route_lookup(&ip.dst, &nh) != 0 || nh.type == DP_NH_LOCAL) {
		cp_icmp_error(m, CP_ICMP_ERR_NET_UNREACH, 0, (int)iface);
		cp_fwd_drop(m);
		return;
	}
	mtu = cp_tx_mtu(nh.iface);
	if (ip.len > mtu && (ip.src.family == AF_INET6 || ip.df)) {
		cp_icmp_error(m, CP_ICMP_ERR_TOO_BIG, mtu, (int)iface);
		cp_fwd_drop(m);
		return;
	}
	/* The worker punted before its TTL step (dp_classify.c): do it here,
	 * unless the packet is our own. */
	if (ours) {
		if (cp_tx_ip(m) == 0)
			cp_count(CP_C_cp_fwd_pkts);
		else
			cp_count(CP_C_fwd_drop);
		return;
	}
	if (ip.ttl <= 1) {
		cp_icmp_error(m, CP_ICMP_ERR_TIME_EXCEEDED, 0, (int)iface);
		cp_fwd_drop(m);
		return;
	}
	cp_fwd_ttl_dec(m, &ip);
	/* Fits, or IPv4 without DF, which cp_tx_ip() fragments. */
	if (cp_tx_ip(m) == 0)
		cp_count(CP_C_cp_fwd_pkts);
	else
		cp_count(CP_C_fwd_drop);
}
