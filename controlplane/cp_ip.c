/* SPDX-License-Identifier: BSD-3-Clause */
/* IP header validation and construction for the control plane. */
#include <errno.h>
#include <string.h>

#include <rte_ip.h>

#include "common/gw_proto.h"
#include "controlplane/cp_ip.h"
#include "dataplane/dp.h"

static uint16_t cp_ip_id4;
static uint32_t cp_ip_id6;

uint16_t cp_ip_next_id4(void)
{
	return ++cp_ip_id4;
}

uint32_t cp_ip_next_id6(void)
{
	return ++cp_ip_id6;
}

void cp_ip4_addr(struct gw_addr *a, uint32_t be)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->v4 = be;
}

void cp_ip6_addr(struct gw_addr *a, const uint8_t v6[16])
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET6;
	memcpy(a->v6, v6, 16);
}

static int cp_ip_parse4(struct rte_mbuf *m, struct cp_ip *ip)
{
	const struct rte_ipv4_hdr *h = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	uint16_t fo;

	if (rte_pktmbuf_data_len(m) < sizeof(*h))
		return -EINVAL;
	ip->l3_len = (uint16_t)rte_ipv4_hdr_len(h);
	ip->len = rte_be_to_cpu_16(h->total_length);
	if (ip->l3_len < sizeof(*h) || ip->l3_len > rte_pktmbuf_data_len(m) ||
	    ip->len < ip->l3_len || ip->len > rte_pktmbuf_pkt_len(m))
		return -EINVAL;
	cp_ip4_addr(&ip->src, h->src_addr);
	cp_ip4_addr(&ip->dst, h->dst_addr);
	ip->proto = h->next_proto_id;
	ip->ttl = h->time_to_live;
	fo = rte_be_to_cpu_16(h->fragment_offset);
	ip->frag_id = rte_be_to_cpu_16(h->packet_id);
	ip->frag_off = (uint32_t)(fo & RTE_IPV4_HDR_OFFSET_MASK) * RTE_IPV4_HDR_OFFSET_UNITS;
	ip->more_frags = (fo & RTE_IPV4_HDR_MF_FLAG) != 0;
	ip->df = (fo & RTE_IPV4_HDR_DF_FLAG) != 0;
	ip->is_frag = ip->more_frags || ip->frag_off != 0;
	ip->has_fh = false;
	return 0;
}

static int cp_ip_parse6(struct rte_mbuf *m, struct cp_ip *ip)
{
	const struct rte_ipv6_hdr *h = rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *);
	const struct rte_ipv6_fragment_ext *fh;
	uint16_t fd;

	if (rte_pktmbuf_data_len(m) < sizeof(*h))
		return -EINVAL;
	ip->len = (uint32_t)sizeof(*h) + rte_be_to_cpu_16(h->payload_len);
	if (ip->len > rte_pktmbuf_pkt_len(m))
		return -EINVAL;
	cp_ip6_addr(&ip->src, h->src_addr);
	cp_ip6_addr(&ip->dst, h->dst_addr);
	ip->ttl = h->hop_limits;
	ip->proto = h->proto;
	ip->l3_len = sizeof(*h);
	ip->df = false;
	ip->is_frag = ip->more_frags = ip->has_fh = false;
	ip->frag_off = ip->frag_id = 0;
	if (h->proto != IPPROTO_FRAGMENT)
		return 0;
	if (ip->len < sizeof(*h) + sizeof(*fh) ||
	    rte_pktmbuf_data_len(m) < sizeof(*h) + sizeof(*fh))
		return -EINVAL;
	fh = (const struct rte_ipv6_fragment_ext *)(h + 1);
	fd = rte_be_to_cpu_16(fh->frag_data);
	ip->has_fh = true;
	ip->l3_len += sizeof(*fh);
	ip->proto = fh->next_header;
	ip->frag_id = rte_be_to_cpu_32(fh->id);
	ip->frag_off = (uint32_t)(fd & ~7u);	/* 13 bits in units of 8 */
	ip->more_frags = (fd & 1) != 0;
	ip->is_frag = ip->more_frags || ip->frag_off != 0;
	return 0;
}

int cp_ip_parse(struct rte_mbuf *m, struct cp_ip *ip)
{
	uint32_t excess;
	uint8_t ver;
	int ret;

	if (rte_pktmbuf_data_len(m) < 1)
		return -EINVAL;
	ver = *rte_pktmbuf_mtod(m, const uint8_t *) >> 4;
	if (ver == 4)
		ret = cp_ip_parse4(m, ip);
	else if (ver == 6)
		ret = cp_ip_parse6(m, ip);
	else
		return -EINVAL;
	if (ret < 0)
		return ret;
	/* Link padding: all of it in the last segment, within trim's 16 bits. */
	excess = rte_pktmbuf_pkt_len(m) - ip->len;
	if (excess > UINT16_MAX || (excess > 0 && rte_pktmbuf_trim(m, (uint16_t)excess) != 0))
		return -EINVAL;
	return 0;
}

int cp_ip_prepend(struct rte_mbuf *m, const struct gw_addr *src, const struct gw_addr *dst,
		  uint8_t proto, uint8_t ttl)
{
	uint32_t plen = rte_pktmbuf_pkt_len(m);

	if (src->family == AF_INET) {
		struct rte_ipv4_hdr *h;

		if (plen + sizeof(*h) > GW_IP_MAXPACKET)
			return -EMSGSIZE;
		h = (struct rte_ipv4_hdr *)rte_pktmbuf_prepend(m, sizeof(*h));
		if (h == NULL)
			return -ENOBUFS;
		memset(h, 0, sizeof(*h));
		h->version_ihl = RTE_IPV4_VHL_DEF;
		h->total_length = rte_cpu_to_be_16((uint16_t)(plen + sizeof(*h)));
		h->packet_id = rte_cpu_to_be_16(cp_ip_next_id4());
		h->time_to_live = ttl;
		h->next_proto_id = proto;
		h->src_addr = src->v4;
		h->dst_addr = dst->v4;
		h->hdr_checksum = rte_ipv4_cksum(h);
		return 0;
	}
	if (src->family == AF_INET6) {
		struct rte_ipv6_hdr *h;

		if (plen > GW_IP_MAXPACKET)
			return -EMSGSIZE;
		h = (struct rte_ipv6_hdr *)rte_pktmbuf_prepend(m, sizeof(*h));
		if (h == NULL)
			return -ENOBUFS;
		h->vtc_flow = rte_cpu_to_be_32(6u << 28);
		h->payload_len = rte_cpu_to_be_16((uint16_t)plen);
		h->proto = proto;
		h->hop_limits = ttl;
		memcpy(h->src_addr, src->v6, 16);
		memcpy(h->dst_addr, dst->v6, 16);
		return 0;
	}
	return -EINVAL;
}

bool cp_ip_is_v6_ll(const struct gw_addr *a)
{
	return a->family == AF_INET6 && a->v6[0] == 0xfe && (a->v6[1] & 0xc0) == 0x80;
}

bool cp_ip_is_ours_on(unsigned iface, const struct gw_addr *a)
{
	const struct dp_iface *ifp = dp_iface_get(iface);

	if (ifp == NULL)
		return false;
	if (gw_addr_eq(&ifp->ll6, a) && a->family == AF_INET6)
		return true;
	for (unsigned i = 0; i < ifp->n_addrs; i++)
		if (gw_addr_eq(&ifp->addrs[i].addr, a))
			return true;
	return false;
}

int cp_ip_owner(const struct gw_addr *a)
{
	for (unsigned i = 0; i < dp_nb_ifaces(); i++)
		if (cp_ip_is_ours_on(i, a))
			return (int)i;
	return -1;
}

/* The directed broadcast of a subnet of any of our interfaces. */
static bool cp_ip_is_directed_bcast(const struct gw_addr *a)
{
	for (unsigned i = 0; i < dp_nb_ifaces(); i++)
		if (dp_iface_bcast4(dp_iface_get(i), a->v4))
			return true;
	return false;
}

bool cp_ip_is_bcast_mcast(const struct gw_addr *a)
{
	if (a->family == AF_INET6)
		return a->v6[0] == 0xff;
	if (a->family != AF_INET)
		return false;
	if (a->v4 == UINT32_MAX || (rte_be_to_cpu_32(a->v4) >> 28) == 0xe)
		return true;
	return cp_ip_is_directed_bcast(a);
}

bool cp_ip_is_bad_src(const struct gw_addr *a)
{
	static const uint8_t unspec[16], loop[16] = { [15] = 1 };
	uint32_t h;

	if (a->family == AF_INET6)
		return a->v6[0] == 0xff || memcmp(a->v6, unspec, 16) == 0 ||
		       memcmp(a->v6, loop, 16) == 0;
	if (a->family != AF_INET)
		return true;
	h = rte_be_to_cpu_32(a->v4);
	return (h >> 24) == 0 || (h >> 24) == 127 || (h >> 28) >= 0xe ||
	       cp_ip_is_directed_bcast(a);
}
