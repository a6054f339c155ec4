/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv6 neighbour discovery: NS/NA for our addresses, resolution, announce. */
#include <errno.h>
#include <string.h>

#include <netinet/icmp6.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "common/gw_log.h"
#include "controlplane/cp_csum.h"
#include "controlplane/cp_ip.h"
#include "controlplane/cp_nd.h"
#include "controlplane/cp_neigh.h"
#include "controlplane/cp_stats.h"
#include "controlplane/cp_tx.h"
#include "dataplane/dp.h"

enum {
	CP_ND_HOPS = 255,		/* RFC 4861 7.1: hop limit on send and receive */
	CP_ICMP6_HDR_LEN = 8,		/* RS, the shortest ND message */
	CP_ND_MSG_LEN = 24,		/* NS / NA without options */
	CP_ND_OPT_LL_LEN = 8,		/* link-layer address option, Ethernet */
	CP_ND_MAX_LEN = 1280,		/* larger ND messages are not ours to read */
};

/* ICMPv6 NS/NA with one link-layer address option, as sent. */
struct cp_nd_msg {
	uint8_t type, code;
	uint16_t cksum;
	uint32_t flags;			/* NA: R/S/O, network order; NS: reserved */
	uint8_t target[16];
	uint8_t opt_type, opt_len;	/* len in units of 8 octets */
	struct rte_ether_addr opt_mac;
};
_Static_assert(sizeof(struct cp_nd_msg) == 32, "NS/NA + one option, no padding");

static const uint8_t cp_nd_all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };

/* Ethernet address of an IPv6 multicast group (RFC 2464 7). */
static void cp_nd_mcast_mac(const uint8_t grp[16], struct rte_ether_addr *mac)
{
	mac->addr_bytes[0] = 0x33;
	mac->addr_bytes[1] = 0x33;
	memcpy(&mac->addr_bytes[2], &grp[12], 4);
}

/* Solicited-node multicast address of target (RFC 4291 2.7.1). */
static void cp_nd_snm(const uint8_t target[16], uint8_t grp[16])
{
	static const uint8_t pfx[13] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff };

	memcpy(grp, pfx, sizeof(pfx));
	memcpy(&grp[13], &target[13], 3);
}

/* Build and send an NS or NA from src to dst.  0 or -errno. */
static int cp_nd_send(unsigned iface, uint8_t type, uint32_t flags, const struct gw_addr *src,
		      const uint8_t dst[16], const struct rte_ether_addr *eth_dst,
		      const uint8_t target[16])
{
	const struct dp_iface *ifp = dp_iface_get(iface);
	struct rte_ether_hdr *eth;
	struct cp_nd_msg *nd;
	struct gw_addr d;
	struct rte_mbuf *m;
	int ret = -ENOMEM;

	if (ifp == NULL)
		return -EINVAL;
	m = cp_tx_alloc();
	if (m == NULL)
		goto fail;
	nd = (struct cp_nd_msg *)rte_pktmbuf_append(m, sizeof(*nd));
	if (nd == NULL)
		goto fail;
	memset(nd, 0, sizeof(*nd));
	nd->type = type;
	nd->flags = flags;
	memcpy(nd->target, target, 16);
	nd->opt_type = type == ND_NEIGHBOR_SOLICIT ? ND_OPT_SOURCE_LINKADDR : ND_OPT_TARGET_LINKADDR;
	nd->opt_len = CP_ND_OPT_LL_LEN / 8;
	rte_ether_addr_copy(&ifp->mac, &nd->opt_mac);
	nd->cksum = cp_csum_final(cp_csum_pseudo6(src->v6, dst, IPPROTO_ICMPV6, sizeof(*nd)) +
				  rte_raw_cksum(nd, sizeof(*nd)));
	cp_ip6_addr(&d, dst);
	ret = cp_ip_prepend(m, src, &d, IPPROTO_ICMPV6, CP_ND_HOPS);
	if (ret < 0)
		goto fail;
	ret = -ENOBUFS;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*eth));
	if (eth == NULL)
		goto fail;
	rte_ether_addr_copy(eth_dst, &eth->dst_addr);
	rte_ether_addr_copy(&ifp->mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	return cp_tx_l2(iface, m);
fail:
	rte_pktmbuf_free(m);
	cp_count(CP_C_tx_fail);
	return ret;
}

int cp_nd_solicit(unsigned iface, const struct gw_addr *target, const struct rte_ether_addr *dst)
{
	struct rte_ether_addr mac;
	struct gw_addr src;
	uint8_t grp[16];
	int ret;

	if (target->family != AF_INET6 || cp_tx_src_on(iface, target, &src) != 0 ||
	    src.family != AF_INET6)
		return -EADDRNOTAVAIL;
	if (dst != NULL) {
		memcpy(grp, target->v6, 16);
		rte_ether_addr_copy(dst, &mac);
	} else {
		cp_nd_snm(target->v6, grp);
		cp_nd_mcast_mac(grp, &mac);
	}
	ret = cp_nd_send(iface, ND_NEIGHBOR_SOLICIT, 0, &src, grp, &mac, target->v6);
	if (ret == 0)
		cp_count(CP_C_nd_ns_tx);
	return ret;
}

static int cp_nd_advertise(unsigned iface, const struct gw_addr *target, const uint8_t dst[16],
			   const struct rte_ether_addr *eth_dst, bool solicited)
{
	uint32_t flags = ND_NA_FLAG_ROUTER | ND_NA_FLAG_OVERRIDE;
	int ret;

	if (solicited)
		flags |= ND_NA_FLAG_SOLICITED;
	ret = cp_nd_send(iface, ND_NEIGHBOR_ADVERT, flags, target, dst, eth_dst, target->v6);
	if (ret == 0)
		cp_count(CP_C_nd_na_tx);
	return ret;
}

int cp_nd_announce(unsigned iface)
{
	const struct dp_iface *ifp = dp_iface_get(iface);
	struct rte_ether_addr mac;
	int sent = 0;

	if (ifp == NULL)
		return -EINVAL;
	cp_nd_mcast_mac(cp_nd_all_nodes, &mac);
	if (ifp->ll6.family == AF_INET6 &&
	    cp_nd_advertise(iface, &ifp->ll6, cp_nd_all_nodes, &mac, false) == 0)
		sent++;
	for (unsigned i = 0; i < ifp->n_addrs; i++)
		if (ifp->addrs[i].addr.family == AF_INET6 &&
		    cp_nd_advertise(iface, &ifp->addrs[i].addr, cp_nd_all_nodes, &mac, false) == 0)
			sent++;
	return sent;
}

/*
 * Walk the options (RFC 4861 4.6): every length non-zero and inside the
 * message.  The Ethernet address of the first option of type want goes to
 * *mac.  1 found, 0 not found, -EINVAL malformed.
 */
static int cp_nd_opt_lladdr(const uint8_t *p, size_t len, uint8_t want, struct rte_ether_addr *mac)
{
	int found = 0;

	while (len > 0) {
		size_t olen;

		if (len < 2 || p[1] == 0 || (size_t)p[1] * 8 > len)
			return -EINVAL;
		olen = (size_t)p[1] * 8;
		if (p[0] == want && !found && olen >= 2 + RTE_ETHER_ADDR_LEN) {
			memcpy(mac->addr_bytes, p + 2, RTE_ETHER_ADDR_LEN);
			found = 1;
		}
		p += olen;
		len -= olen;
	}
	return found;
}

/* One received ND message, validated up to the ICMPv6 checksum. */
struct cp_nd_rx {
	unsigned iface;
	struct gw_addr src;
	struct gw_addr dst;
	struct rte_ether_addr eth_src;
	const uint8_t *msg;		/* ICMPv6 header onwards */
	size_t len;
};

static bool cp_nd_is_snm(const uint8_t a[16])
{
	uint8_t grp[16];

	cp_nd_snm(a, grp);
	return memcmp(a, grp, 13) == 0;
}

static void cp_nd_ns(const struct cp_nd_rx *rx)
{
	static const uint8_t unspec[16];
	struct rte_ether_addr slla, eth_dst;
	struct gw_addr target;
	bool dad = memcmp(rx->src.v6, unspec, 16) == 0;
	int has;

	cp_ip6_addr(&target, rx->msg + 8);
	has = cp_nd_opt_lladdr(rx->msg + CP_ND_MSG_LEN, rx->len - CP_ND_MSG_LEN,
			       ND_OPT_SOURCE_LINKADDR, &slla);
	if (has < 0 || target.v6[0] == 0xff ||
	    (dad && (has > 0 || !cp_nd_is_snm(rx->dst.v6)))) {
		cp_count(CP_C_nd_bad);
		return;
	}
	if (!cp_ip_is_ours_on(rx->iface, &target)) {
		cp_count(CP_C_nd_ignored);
		return;
	}
	cp_count(CP_C_nd_ns_rx);
	if (dad) {
		/* RFC 4861 7.2.4: answer a duplicate-address probe to all nodes. */
		cp_nd_mcast_mac(cp_nd_all_nodes, &eth_dst);
		cp_nd_advertise(rx->iface, &target, cp_nd_all_nodes, &eth_dst, false);
		return;
	}
	if (has > 0 && rte_is_valid_assigned_ether_addr(&slla) && cp_ip_owner(&rx->src) < 0)
		cp_neigh_learn(rx->iface, &rx->src, &slla);
	rte_ether_addr_copy(has > 0 ? &slla : &rx->eth_src, &eth_dst);
	cp_nd_advertise(rx->iface, &target, rx->src.v6, &eth_dst, true);
}

static void cp_nd_na(const struct cp_nd_rx *rx)
{
	struct rte_ether_addr tlla;
	struct gw_addr target;
	uint32_t flags;
	int has;

	memcpy(&flags, rx->msg + 4, sizeof(flags));
	cp_ip6_addr(&target, rx->msg + 8);
	has = cp_nd_opt_lladdr(rx->msg + CP_ND_MSG_LEN, rx->len - CP_ND_MSG_LEN,
			       ND_OPT_TARGET_LINKADDR, &tlla);
	if (has < 0 || target.v6[0] == 0xff ||
	    (rx->dst.v6[0] == 0xff && (flags & ND_NA_FLAG_SOLICITED) != 0)) {
		cp_count(CP_C_nd_bad);
		return;
	}
	cp_count(CP_C_nd_na_rx);
	if (cp_ip_owner(&target) >= 0) {
		char a[GW_ADDR_STRLEN];

		if (has > 0 && rte_is_same_ether_addr(&tlla, &dp_iface_get(rx->iface)->mac)) {
			cp_count(CP_C_nd_ignored);	/* our own, looped back */
			return;
		}

		cp_count(CP_C_nd_conflict);
		GW_LOG(nd, WARNING, "neighbour advertisement on iface %u claims our address %s",
		       rx->iface, gw_addr_fmt(&target, a, sizeof(a)));
		return;
	}
	/* Without a target link-layer option there is nothing to learn on
	 * Ethernet; an advertisement for an address we hold no entry for is
	 * not recorded (RFC 4861 7.2.5). */
	if (has == 0 || !rte_is_valid_assigned_ether_addr(&tlla) ||
	    cp_neigh_update(rx->iface, &target, &tlla) != 0)
		cp_count(CP_C_nd_ignored);
}

/* IPv6 + ICMPv6 checks common to every ND message.  0 or -EINVAL. */
static int cp_nd_parse(struct rte_mbuf *m, struct cp_nd_rx *rx, uint8_t *buf)
{
	struct cp_ip ip;
	uint32_t sum;

	if (cp_ip_parse(m, &ip) != 0 || ip.src.family != AF_INET6 || ip.has_fh ||
	    ip.proto != IPPROTO_ICMPV6 || ip.ttl != CP_ND_HOPS)
		return -EINVAL;
	rx->src = ip.src;
	rx->dst = ip.dst;
	rx->len = ip.len - ip.l3_len;
	if (rx->len < CP_ICMP6_HDR_LEN || rx->len > CP_ND_MAX_LEN)
		return -EINVAL;
	rx->msg = rte_pktmbuf_read(m, ip.l3_len, (uint32_t)rx->len, buf);
	if (rx->msg == NULL || rx->msg[1] != 0)
		return -EINVAL;
	sum = cp_csum_pseudo6(rx->src.v6, rx->dst.v6, IPPROTO_ICMPV6, (uint32_t)rx->len) +
	      rte_raw_cksum(rx->msg, rx->len);
	return cp_csum_fold(sum) == 0xffff ? 0 : -EINVAL;
}

void cp_nd_input(struct rte_mbuf *m, unsigned iface)
{
	uint8_t buf[CP_ND_MAX_LEN];
	struct cp_nd_rx rx = { .iface = iface };

	cp_count(CP_C_nd_rx);
	if (rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN || dp_iface_get(iface) == NULL) {
		cp_count(CP_C_nd_bad);
		goto out;
	}
	rte_ether_addr_copy(&rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->src_addr, &rx.eth_src);
	rte_pktmbuf_adj(m, RTE_ETHER_HDR_LEN);
	if (cp_nd_parse(m, &rx, buf) != 0) {
		cp_count(CP_C_nd_bad);
		goto out;
	}
	if ((rx.msg[0] == ND_NEIGHBOR_SOLICIT || rx.msg[0] == ND_NEIGHBOR_ADVERT) &&
	    rx.len < CP_ND_MSG_LEN) {
		cp_count(CP_C_nd_bad);
		goto out;
	}
	switch (rx.msg[0]) {
	case ND_NEIGHBOR_SOLICIT:
		cp_nd_ns(&rx);
		break;
	case ND_NEIGHBOR_ADVERT:
		cp_nd_na(&rx);
		break;
	default:
		cp_count(CP_C_nd_ignored);	/* RS, RA, redirect: not a host, not yet a router */
		break;
	}
out:
	rte_pktmbuf_free(m);
}
