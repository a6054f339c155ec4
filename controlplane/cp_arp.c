/* SPDX-License-Identifier: BSD-3-Clause */
/* ARP responder, learning, resolver and gratuitous ARP (RFC 826, RFC 5227). */
#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "common/gw_log.h"
#include "controlplane/cp_arp.h"
#include "controlplane/cp_ip.h"
#include "controlplane/cp_neigh.h"
#include "controlplane/cp_stats.h"
#include "controlplane/cp_tx.h"
#include "dataplane/dp.h"

enum { CP_ARP_FRAME_LEN = RTE_ETHER_HDR_LEN + sizeof(struct rte_arp_hdr) };

/* Build and send one ARP packet from iface's MAC.  0 or -errno. */
static int cp_arp_send(unsigned iface, uint16_t op, const struct rte_ether_addr *eth_dst,
		       const struct rte_ether_addr *tha, uint32_t sip, uint32_t tip)
{
	const struct dp_iface *ifp = dp_iface_get(iface);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;
	struct rte_mbuf *m;

	if (ifp == NULL)
		return -EINVAL;
	m = cp_tx_alloc();
	if (m == NULL) {
		cp_count(CP_C_tx_fail);
		return -ENOMEM;
	}
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, CP_ARP_FRAME_LEN);
	if (eth == NULL) {
		rte_pktmbuf_free(m);
		cp_count(CP_C_tx_fail);
		return -ENOBUFS;
	}
	arp = (struct rte_arp_hdr *)(eth + 1);
	rte_ether_addr_copy(eth_dst, &eth->dst_addr);
	rte_ether_addr_copy(&ifp->mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = sizeof(uint32_t);
	arp->arp_opcode = rte_cpu_to_be_16(op);
	rte_ether_addr_copy(&ifp->mac, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = sip;
	rte_ether_addr_copy(tha, &arp->arp_data.arp_tha);
	arp->arp_data.arp_tip = tip;
	return cp_tx_l2(iface, m);
}

int cp_arp_request(unsigned iface, const struct gw_addr *target, const struct rte_ether_addr *dst)
{
	static const struct rte_ether_addr zero, bcast = { .addr_bytes = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	struct gw_addr src;
	int ret;

	if (target->family != AF_INET || cp_tx_src_on(iface, target, &src) != 0 ||
	    src.family != AF_INET)
		return -EADDRNOTAVAIL;
	ret = cp_arp_send(iface, RTE_ARP_OP_REQUEST, dst != NULL ? dst : &bcast,
			  dst != NULL ? dst : &zero, src.v4, target->v4);
	if (ret == 0)
		cp_count(CP_C_arp_req_tx);
	return ret;
}

int cp_arp_announce(unsigned iface)
{
	static const struct rte_ether_addr zero, bcast = { .addr_bytes = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	const struct dp_iface *ifp = dp_iface_get(iface);
	int sent = 0;

	if (ifp == NULL)
		return -EINVAL;
	for (unsigned i = 0; i < ifp->n_addrs; i++) {
		uint32_t a = ifp->addrs[i].addr.v4;

		if (ifp->addrs[i].addr.family != AF_INET)
			continue;
		if (cp_arp_send(iface, RTE_ARP_OP_REQUEST, &bcast, &zero, a, a) == 0) {
			cp_count(CP_C_arp_garp_tx);
			sent++;
		}
	}
	return sent;
}

/*
 * Types, lengths, opcode and a unicast sender MAC.  0 or -EINVAL.  A sender
 * MAC equal to ours is allowed: DPDK's net_tap gives the kernel side of the
 * tap the port's own MAC.
 */
static int cp_arp_validate(const struct rte_arp_hdr *arp)
{
	uint16_t op = rte_be_to_cpu_16(arp->arp_opcode);

	if (rte_be_to_cpu_16(arp->arp_hardware) != RTE_ARP_HRD_ETHER ||
	    rte_be_to_cpu_16(arp->arp_protocol) != RTE_ETHER_TYPE_IPV4 ||
	    arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != sizeof(uint32_t))
		return -EINVAL;
	if (op != RTE_ARP_OP_REQUEST && op != RTE_ARP_OP_REPLY)
		return -EINVAL;
	if (!rte_is_valid_assigned_ether_addr(&arp->arp_data.arp_sha))
		return -EINVAL;
	return 0;
}

/* The sender's address lies in one of iface's IPv4 subnets. */
static bool cp_arp_on_link(const struct dp_iface *ifp, const struct gw_addr *a)
{
	for (unsigned i = 0; i < ifp->n_addrs; i++)
		if (gw_prefix_contains(&ifp->addrs[i], a))
			return true;
	return false;
}

static void cp_arp_conflict(unsigned iface, const struct gw_addr *spa,
			    const struct rte_ether_addr *sha)
{
	char a[GW_ADDR_STRLEN], mac[RTE_ETHER_ADDR_FMT_SIZE];

	rte_ether_format_addr(mac, sizeof(mac), sha);
	cp_count(CP_C_arp_conflict);
	GW_LOG(arp, WARNING, "%s on iface %u claims our address %s",
	       mac, iface, gw_addr_fmt(spa, a, sizeof(a)));
}

void cp_arp_input(struct rte_mbuf *m, unsigned iface)
{
	const struct dp_iface *ifp = dp_iface_get(iface);
	struct rte_arp_hdr arp_buf;
	const struct rte_arp_hdr *arp;
	struct gw_addr spa, tpa;
	struct rte_ether_addr sha;

	cp_count(CP_C_arp_rx);
	arp = rte_pktmbuf_read(m, RTE_ETHER_HDR_LEN, sizeof(arp_buf), &arp_buf);
	if (ifp == NULL || arp == NULL || cp_arp_validate(arp) != 0) {
		cp_count(CP_C_arp_bad);
		goto out;
	}
	rte_ether_addr_copy(&arp->arp_data.arp_sha, &sha);
	cp_ip4_addr(&spa, arp->arp_data.arp_sip);
	cp_ip4_addr(&tpa, arp->arp_data.arp_tip);
	if (spa.v4 != 0 && cp_ip_owner(&spa) >= 0) {
		if (rte_is_same_ether_addr(&sha, &ifp->mac))
			cp_count(CP_C_arp_ignored);	/* our own, looped back */
		else
			cp_arp_conflict(iface, &spa, &sha);
		goto out;
	}
	if (!cp_ip_is_ours_on(iface, &tpa)) {
		/* Not for us: only refresh a mapping we already hold. */
		if (spa.v4 != 0)
			cp_neigh_update(iface, &spa, &sha);
		cp_count(CP_C_arp_ignored);
		goto out;
	}
	if (spa.v4 != 0 && cp_arp_on_link(ifp, &spa))
		cp_neigh_learn(iface, &spa, &sha);
	if (rte_be_to_cpu_16(arp->arp_opcode) == RTE_ARP_OP_REQUEST) {
		cp_count(CP_C_arp_req_rx);
		if (cp_arp_send(iface, RTE_ARP_OP_REPLY, &sha, &sha, tpa.v4, spa.v4) == 0)
			cp_count(CP_C_arp_reply_tx);
	} else {
		cp_count(CP_C_arp_reply_rx);
	}
out:
	rte_pktmbuf_free(m);
}
