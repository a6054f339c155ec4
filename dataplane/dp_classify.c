/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-packet classification on a worker (see dp_classify.h).
 *
 * Stages, each of which may end the packet's walk with a verdict:
 *   Ethernet:  length, destination MAC (ours, broadcast or multicast),
 *              ethertype (ARP is punted, IPv4 and IPv6 go on).
 *   IP:        version, header and total lengths (Ethernet padding is
 *              trimmed), IPv4 checksum, martian addresses.
 *   Local:     destinations with a LOCAL route: ARP/ND/ICMP, fragments and
 *              IKE (UDP 500, 4500 with the non-ESP marker) are punted;
 *              ESP (protocol 50, or in UDP 4500) is ESP_IN for the worker's
 *              ESP stage; NAT-T keepalives and everything else are dropped.
 *   Policy:    while the SPD has rules, a transit packet is looked up:
 *              outbound PROTECT is ESP_OUT (after the TTL step), DISCARD
 *              and inbound PROTECT are drops, BYPASS goes on.
 *   Transit:   TTL, route, neighbour and MTU; a miss is punted so that the
 *              control plane can answer (ICMP, ARP/ND); otherwise the TTL
 *              is decremented and the Ethernet header rewritten.
 *
 * The worker's ESP stages use two more entries: dp_classify_inner() runs
 * the IP, local and transit stages on a decrypted packet (no policy, no
 * MAC check), dp_classify_outer() routes an encrypted one.
 *
 * Headers must lie in the first segment.  Reads the route and neighbour
 * tables lock-free (dp_fib.h: a gateway's MAC comes from the neighbour
 * slot its next hop caches); writes only the packet.  The IPv4 forwarding
 * path is inlined whole into the burst loop; the header checksum is
 * summed in 32-bit words.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_udp.h>

#include "common/gw_proto.h"
#include "dataplane/dp_classify.h"
#include "dataplane/dp_fib.h"
#include "dataplane/dp_internal.h"
#include "dataplane/dp_spd.h"

enum {
	ARP_LEN = 28,			/* Ethernet/IPv4 ARP, RFC 826 */
	ICMP6_ND_FIRST = 133,		/* router solicitation, RFC 4861 */
	ICMP6_ND_LAST = 137,		/* redirect */
	IPPROTO_V6FRAG = 44,
	IPPROTO_V6ICMP = 58,
	ESP_HDR_MIN = 8,		/* SPI + sequence number */
	CLS_SPD_BULK = 64,		/* frames per staged SPD lookup (dp_classify_burst) */
};

/* What the stages share about one packet. */
struct cls {
	struct rte_mbuf *m;
	const struct dp_iface *ifc;	/* input interface */
	bool l2_unicast;		/* sent to our MAC, not broadcast/multicast */
	bool ip4_cksum_unset;		/* PMD: header verified, checksum field not */
	bool inner;			/* a decrypted packet (dp_classify_inner) */
	bool spd4_hit;			/* with spd4: the lookup's result */
	const struct dp_spd_match *spd4; /* IPv4 SPD answer looked up for the
					 * whole burst (dp_classify_burst), or
					 * NULL: look it up here */
	struct dp_cls_result *res;
};

/* The IPv4 policy of ip: the burst's answer when there is one. */
static inline bool cls_spd4(const struct cls *c, const struct rte_ipv4_hdr *ip,
			    struct dp_spd_match *sm)
{
	if (c->spd4 == NULL)
		return dp_spd_lookup4(ip->src_addr, ip->dst_addr, sm);
	if (c->spd4_hit)
		*sm = *c->spd4;
	return c->spd4_hit;
}

static inline enum dp_verdict drop(struct cls *c, enum dp_counter counter)
{
	c->res->verdict = DP_V_DROP;
	c->res->counter = counter;
	return DP_V_DROP;
}

static inline enum dp_verdict punt(struct cls *c, enum dp_punt_reason reason)
{
	c->res->verdict = DP_V_PUNT;
	c->res->reason = reason;
	c->m->hash.usr = reason;
	c->m->hash.fdir.hi = 0;		/* a PMD's flow director may have set it */
	return DP_V_PUNT;
}

/*
 * Drop Ethernet padding beyond the IP datagram (frame_len <= pkt_len).
 * 0, or -1 when the excess is not all in the last segment (or does not
 * fit rte_pktmbuf_trim()'s 16 bits, which a cast would silently wrap).
 */
static inline int trim_to(struct rte_mbuf *m, uint32_t frame_len)
{
	uint32_t excess = rte_pktmbuf_pkt_len(m) - frame_len;

	if (excess == 0)
		return 0;
	if (excess > UINT16_MAX)
		return -1;
	return rte_pktmbuf_trim(m, (uint16_t)excess);
}

/*
 * ESP to the gateway: esp at the ESP header, len bytes of it (to the end of
 * the IP datagram).
 */
static enum dp_verdict cls_esp_in(struct cls *c, const uint8_t *esp, uint32_t len)
{
	const uint8_t *base = rte_pktmbuf_mtod(c->m, const uint8_t *);
	uint32_t off = (uint32_t)(esp - base);
	uint32_t spi_be;

	if (len < ESP_HDR_MIN || rte_pktmbuf_data_len(c->m) < off + ESP_HDR_MIN)
		return drop(c, DP_C_drop_malformed);
	memcpy(&spi_be, esp, sizeof(spi_be));
	if (rte_be_to_cpu_32(spi_be) < GW_ESP_SPI_MIN)
		return drop(c, DP_C_drop_malformed);	/* RFC 4303 2.1: reserved */
	c->res->verdict = DP_V_ESP_IN;
	c->res->esp = spi_be;
	c->res->esp_off = (uint16_t)off;
	return DP_V_ESP_IN;
}

/* UDP to the gateway: l4 at the UDP header, l4len bytes of IP payload. */
static enum dp_verdict cls_udp_local(struct cls *c, const uint8_t *l4, uint32_t l4len)
{
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)l4;
	uint32_t avail = rte_pktmbuf_data_len(c->m) - (uint32_t)(l4 - rte_pktmbuf_mtod(c->m, uint8_t *));
	const uint8_t *p = l4 + sizeof(*udp);
	uint16_t ulen, payload;

	if (l4len < sizeof(*udp) || avail < sizeof(*udp))
		return drop(c, DP_C_drop_udp_hdr);
	ulen = rte_be_to_cpu_16(udp->dgram_len);
	if (ulen < sizeof(*udp) || ulen > l4len)
		return drop(c, DP_C_drop_udp_hdr);
	payload = (uint16_t)(ulen - sizeof(*udp));
	switch (rte_be_to_cpu_16(udp->dst_port)) {
	case GW_IKE_PORT:
		return punt(c, DP_PUNT_IKE);
	case GW_IKE_NATT_PORT:
		if (avail < sizeof(*udp) + RTE_MIN(payload, (uint16_t)GW_NON_ESP_MARKER_LEN))
			return drop(c, DP_C_drop_udp_hdr);
		if (payload == GW_NATT_KEEPALIVE_LEN && p[0] == 0xff)
			return drop(c, DP_C_drop_natt_keepalive);
		if (payload >= GW_NON_ESP_MARKER_LEN && (p[0] | p[1] | p[2] | p[3]) == 0)
			return punt(c, DP_PUNT_IKE_NATT);
		return cls_esp_in(c, p, payload);	/* ESP in UDP, RFC 3948 */
	default:
		return drop(c, DP_C_drop_local_proto);
	}
}

/* IPv4 to one of our addresses. */
static enum dp_verdict cls_ipv4_local(struct cls *c, const struct rte_ipv4_hdr *ip,
				      unsigned hlen, unsigned tot)
{
	uint16_t frag = rte_be_to_cpu_16(ip->fragment_offset);

	if (frag & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))
		return punt(c, DP_PUNT_FRAG);
	switch (ip->next_proto_id) {
	case IPPROTO_ICMP:
		return punt(c, DP_PUNT_ICMP_LOCAL);
	case IPPROTO_UDP:
		return cls_udp_local(c, (const uint8_t *)ip + hlen, tot - hlen);
	case GW_IPPROTO_ESP:
		return cls_esp_in(c, (const uint8_t *)ip + hlen, tot - hlen);
	default:
		return drop(c, DP_C_drop_local_proto);
	}
}

/*
 * The common transit checks: TTL, route, neighbour, MTU.  On FORWARD the
 * Ethernet header is rewritten; the caller decrements the TTL / hop limit.
 */
static __rte_always_inline enum dp_verdict
cls_transit(struct cls *c, const struct dp_fib_nh *e, const struct gw_addr *dst, unsigned ttl,
	    unsigned l3len)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(c->m, struct rte_ether_hdr *);
	const struct dp_iface *out;
	uint64_t mac;

	if (unlikely(!c->l2_unicast))
		return drop(c, DP_C_drop_not_for_us);	/* RFC 1812 5.3.4 */
	if (unlikely(ttl <= 1))
		return punt(c, DP_PUNT_TTL_EXCEEDED);
	if (unlikely(e == NULL))
		return punt(c, DP_PUNT_NO_ROUTE);
	mac = dp_fib_resolve(e, dst);
	if (unlikely((mac & DP_NEIGH_VALID) == 0))
		return punt(c, DP_PUNT_NEIGH_MISS);
	out = &dp_g.ifaces[e->nh.iface];
	if (unlikely(l3len > out->mtu))
		return punt(c, DP_PUNT_TOO_BIG);
	dp_fib_mac_store(mac, &eth->dst_addr);
	rte_ether_addr_copy(&out->mac, &eth->src_addr);
	c->res->verdict = DP_V_FORWARD;
	c->res->out_iface = e->nh.iface;
	return DP_V_FORWARD;
}

/* TTL - 1 with the checksum updated incrementally (RFC 1624, eqn. 3). */
static inline void ipv4_ttl_dec(struct rte_ipv4_hdr *ip)
{
	uint16_t old = (uint16_t)(ip->time_to_live << 8 | ip->next_proto_id);
	uint16_t new = (uint16_t)(old - 0x0100);
	uint32_t sum = (uint16_t)~rte_be_to_cpu_16(ip->hdr_checksum);

	sum += (uint16_t)~old;
	sum += new;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ip->time_to_live--;
	ip->hdr_checksum = rte_cpu_to_be_16((uint16_t)~sum);
}

/* The TTL step of a forwarded IPv4 packet. */
static __rte_always_inline void ipv4_fwd_ttl(const struct cls *c, struct rte_ipv4_hdr *ip)
{
	if (likely(!c->ip4_cksum_unset)) {
		ipv4_ttl_dec(ip);
	} else {
		/* An incremental update of a field that was never right stays
		 * wrong (RTE_MBUF_F_RX_IP_CKSUM_NONE): compute it whole. */
		ip->time_to_live--;
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
}

/*
 * A transit packet the SPD matched (not BYPASS): inbound cleartext of a
 * protected selector and DISCARD are dropped; outbound PROTECT goes to the
 * ESP stage once the forwarding checks that apply (MAC, TTL) pass; the
 * caller then takes the TTL step.
 */
static enum dp_verdict cls_policy(struct cls *c, const struct dp_spd_match *sm, unsigned ttl)
{
	if (unlikely(!c->l2_unicast))
		return drop(c, DP_C_drop_not_for_us);	/* RFC 1812 5.3.4 */
	if (sm->dir == DP_SPD_IN)
		return drop(c, DP_C_drop_cleartext_protected);
	if (sm->action == DP_SPD_DISCARD)
		return drop(c, DP_C_drop_policy_discard);
	if (unlikely(ttl <= 1))
		return punt(c, DP_PUNT_TTL_EXCEEDED);
	c->res->verdict = DP_V_ESP_OUT;
	c->res->esp = sm->tunnel;
	c->res->on_demand = sm->on_demand;
	return DP_V_ESP_OUT;
}

/*
 * A martian as source or destination (RFC 1812 5.3.7): 0.0.0.0, 127/8,
 * multicast 224/4, and 240/4 with the limited broadcast.  The gateway
 * neither forwards nor answers multicast and broadcast.
 */
static inline bool ipv4_martian(uint32_t be)
{
	uint32_t a = rte_be_to_cpu_32(be);

	return a == 0 || (a >> 24) == 127 || (a >> 28) >= 0xe;
}

/*
 * Is the header checksum right?  The ones' complement sum of the header
 * (hlen bytes, a multiple of 4) must be 0xffff.  Summing 32-bit words into
 * 64 bits and folding gives the same sum as rte_ipv4_cksum()'s 16-bit
 * loop (both are the sum mod 0xffff, in 1..0xffff when not all zero), in
 * a quarter of the additions.
 */
static inline bool ipv4_cksum_ok(const struct rte_ipv4_hdr *ip, unsigned hlen)
{
	const uint8_t *p = (const uint8_t *)ip;
	uint64_t sum = 0;

	for (unsigned i = 0; i < hlen; i += 4) {
		uint32_t w;

		memcpy(&w, p + i, 4);
		sum += w;
	}
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* Version, lengths, checksum.  Sets *hlen and *tot; DP_V_FORWARD = fine. */
static __rte_always_inline enum dp_verdict
ipv4_check(struct cls *c, struct rte_ipv4_hdr *ip, unsigned *hlen, unsigned *tot)
{
	uint32_t l3avail = rte_pktmbuf_pkt_len(c->m) - RTE_ETHER_HDR_LEN;
	/* The PMD's verdict is about the outer header of a decrypted packet. */
	uint64_t ck = c->inner ? RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN :
				 c->m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;

	if (rte_pktmbuf_data_len(c->m) < RTE_ETHER_HDR_LEN + sizeof(*ip) ||
	    (ip->version_ihl >> 4) != 4)
		return drop(c, DP_C_drop_ip_hdr);
	*hlen = (ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) * RTE_IPV4_IHL_MULTIPLIER;
	*tot = rte_be_to_cpu_16(ip->total_length);
	if (*hlen < sizeof(*ip) || rte_pktmbuf_data_len(c->m) < RTE_ETHER_HDR_LEN + *hlen ||
	    *tot < *hlen)
		return drop(c, DP_C_drop_ip_hdr);
	if (*tot > l3avail)
		return drop(c, DP_C_drop_ip_len);
	if (ck == RTE_MBUF_F_RX_IP_CKSUM_BAD ||
	    (ck == RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN && !ipv4_cksum_ok(ip, *hlen)))
		return drop(c, DP_C_drop_ip_cksum);
	c->ip4_cksum_unset = ck == RTE_MBUF_F_RX_IP_CKSUM_NONE;
	if (trim_to(c->m, RTE_ETHER_HDR_LEN + *tot) != 0)
		return drop(c, DP_C_drop_ip_len);
	return DP_V_FORWARD;
}

static __rte_always_inline enum dp_verdict cls_ipv4(struct cls *c)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(c->m, struct rte_ipv4_hdr *,
							  RTE_ETHER_HDR_LEN);
	struct gw_addr dst = { .family = AF_INET };
	const struct dp_fib_nh *e;
	struct dp_spd_match sm;
	unsigned hlen, tot;

	if (ipv4_check(c, ip, &hlen, &tot) != DP_V_FORWARD)
		return c->res->verdict;
	if (ipv4_martian(ip->src_addr) || ipv4_martian(ip->dst_addr))
		return drop(c, DP_C_drop_ip_martian);
	dst.v4 = ip->dst_addr;
	e = dp_fib_lookup4(dst.v4);
	if (e != NULL && e->nh.type == DP_NH_LOCAL) {
		/* Decrypted traffic to us: our answers would leave unencrypted. */
		if (c->inner)
			return drop(c, DP_C_drop_local_proto);
		return cls_ipv4_local(c, ip, hlen, tot);
	}
	if (e != NULL && e->nh.type == DP_NH_CONNECTED &&
	    dp_iface_bcast4(&dp_g.ifaces[e->nh.iface], ip->dst_addr))
		return drop(c, DP_C_drop_ip_martian);
	if (!c->inner && cls_spd4(c, ip, &sm) &&
	    sm.action != DP_SPD_BYPASS) {
		if (cls_policy(c, &sm, ip->time_to_live) == DP_V_ESP_OUT)
			ipv4_fwd_ttl(c, ip);
		return c->res->verdict;
	}
	if (cls_transit(c, e, &dst, ip->time_to_live, tot) != DP_V_FORWARD)
		return c->res->verdict;
	ipv4_fwd_ttl(c, ip);
	return DP_V_FORWARD;
}

static inline bool ipv6_is_unspec(const uint8_t *a)
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) == 0;
}

static inline bool ipv6_is_loopback(const uint8_t *a)
{
	static const uint8_t lo[16] = { [15] = 1 };

	return memcmp(a, lo, 16) == 0;
}

static inline bool ipv6_is_linklocal(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

/* ff02::1, ff02::2, or the solicited-node group of one of our addresses. */
static bool ipv6_mcast_ours(const struct dp_iface *ifc, const uint8_t *d)
{
	static const uint8_t sn[13] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff };
	static const uint8_t all[15] = { 0xff, 0x02 };

	if (memcmp(d, all, 15) == 0 && (d[15] == 1 || d[15] == 2))
		return true;
	if (memcmp(d, sn, 13) != 0)
		return false;
	if (memcmp(d + 13, ifc->ll6.v6 + 13, 3) == 0)
		return true;
	for (unsigned i = 0; i < ifc->n_addrs; i++)
		if (ifc->addrs[i].addr.family == AF_INET6 &&
		    memcmp(d + 13, ifc->addrs[i].addr.v6 + 13, 3) == 0)
			return true;
	return false;
}

/* IPv6 to us (unicast or one of our groups): l4 at the first next header. */
static enum dp_verdict cls_ipv6_local(struct cls *c, const struct rte_ipv6_hdr *ip,
				      bool mcast, unsigned plen)
{
	const uint8_t *l4 = (const uint8_t *)(ip + 1);
	bool have_type = plen >= 1 &&
		rte_pktmbuf_data_len(c->m) > RTE_ETHER_HDR_LEN + sizeof(*ip);
	bool nd = ip->proto == IPPROTO_V6ICMP && have_type &&
		  l4[0] >= ICMP6_ND_FIRST && l4[0] <= ICMP6_ND_LAST;

	if (nd && (!mcast || ipv6_mcast_ours(c->ifc, ip->dst_addr)))
		return punt(c, DP_PUNT_ND);
	if (mcast)
		return drop(c, DP_C_drop_local_proto);	/* MLD and other groups */
	if (ipv6_is_unspec(ip->src_addr))
		return drop(c, DP_C_drop_ip_martian);	/* only DAD may use :: */
	switch (ip->proto) {
	case IPPROTO_V6ICMP:
		return punt(c, DP_PUNT_ICMP6_LOCAL);
	case IPPROTO_V6FRAG:
		return punt(c, DP_PUNT_FRAG);
	case IPPROTO_UDP:
		return cls_udp_local(c, l4, plen);
	case GW_IPPROTO_ESP:
		return cls_esp_in(c, l4, plen);
	default:
		return drop(c, DP_C_drop_local_proto);
	}
}

static enum dp_verdict cls_ipv6(struct cls *c)
{
	struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(c->m, struct rte_ipv6_hdr *,
							  RTE_ETHER_HDR_LEN);
	uint32_t l3avail = rte_pktmbuf_pkt_len(c->m) - RTE_ETHER_HDR_LEN;
	struct gw_addr dst = { .family = AF_INET6 };
	const struct dp_fib_nh *e;
	struct dp_spd_match sm;
	unsigned plen;

	if (rte_pktmbuf_data_len(c->m) < RTE_ETHER_HDR_LEN + sizeof(*ip) ||
	    (rte_be_to_cpu_32(ip->vtc_flow) >> 28) != 6)
		return drop(c, DP_C_drop_ip_hdr);
	plen = rte_be_to_cpu_16(ip->payload_len);
	if (sizeof(*ip) + plen > l3avail)
		return drop(c, DP_C_drop_ip_len);
	if (trim_to(c->m, RTE_ETHER_HDR_LEN + (uint32_t)sizeof(*ip) + plen) != 0)
		return drop(c, DP_C_drop_ip_len);
	if (ip->src_addr[0] == 0xff || ipv6_is_loopback(ip->src_addr) ||
	    ipv6_is_unspec(ip->dst_addr) || ipv6_is_loopback(ip->dst_addr))
		return drop(c, DP_C_drop_ip_martian);
	if (ip->dst_addr[0] == 0xff) {
		if (c->inner)
			return drop(c, DP_C_drop_ip_martian);	/* not forwarded */
		return cls_ipv6_local(c, ip, true, plen);
	}
	memcpy(dst.v6, ip->dst_addr, 16);
	e = dp_fib_lookup6(dst.v6);
	if (e != NULL && e->nh.type == DP_NH_LOCAL) {
		if (c->inner)
			return drop(c, DP_C_drop_local_proto);	/* as IPv4 */
		return cls_ipv6_local(c, ip, false, plen);
	}
	if (ipv6_is_linklocal(ip->src_addr) || ipv6_is_linklocal(ip->dst_addr) ||
	    ipv6_is_unspec(ip->src_addr))
		return drop(c, DP_C_drop_ip_martian);	/* never forwarded */
	if (!c->inner && dp_spd_lookup6(ip->src_addr, ip->dst_addr, &sm) &&
	    sm.action != DP_SPD_BYPASS) {
		if (cls_policy(c, &sm, ip->hop_limits) == DP_V_ESP_OUT)
			ip->hop_limits--;
		return c->res->verdict;
	}
	if (cls_transit(c, e, &dst, ip->hop_limits,
			(unsigned)sizeof(*ip) + plen) == DP_V_FORWARD)
		ip->hop_limits--;
	return c->res->verdict;
}

static __rte_always_inline enum dp_verdict
cls_one(struct rte_mbuf *m, const struct dp_iface *ifc, struct dp_cls_result *res,
	const struct dp_spd_match *spd4, bool spd4_hit)
{
	struct cls c = { .m = m, .ifc = ifc, .res = res, .spd4 = spd4, .spd4_hit = spd4_hit };
	const struct rte_ether_hdr *eth;

	if (rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN)
		return drop(&c, DP_C_drop_runt);
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	c.l2_unicast = !rte_is_multicast_ether_addr(&eth->dst_addr);
	if (c.l2_unicast && !rte_is_same_ether_addr(&eth->dst_addr, &c.ifc->mac))
		return drop(&c, DP_C_drop_not_for_us);
	switch (eth->ether_type) {
	case RTE_BE16(RTE_ETHER_TYPE_ARP):
		if (rte_pktmbuf_pkt_len(m) < RTE_ETHER_HDR_LEN + ARP_LEN)
			return drop(&c, DP_C_drop_arp_truncated);
		return punt(&c, DP_PUNT_ARP);
	case RTE_BE16(RTE_ETHER_TYPE_IPV4):
		return cls_ipv4(&c);
	case RTE_BE16(RTE_ETHER_TYPE_IPV6):
		return cls_ipv6(&c);
	default:
		return drop(&c, DP_C_drop_ethertype);
	}
}

enum dp_verdict dp_classify(struct rte_mbuf *m, unsigned in_iface, struct dp_cls_result *res)
{
	return cls_one(m, &dp_g.ifaces[in_iface], res, NULL, false);
}

/*
 * The IPv4 policies of up to CLS_SPD_BULK frames, in one staged lookup
 * (dp_spd_lookup4_bulk: with many policies its cache misses overlap
 * instead of costing one after the other in cls_ipv4; used when
 * dp_spd_staged4() says the set is that large).  Only frames that
 * may reach the lookup are included: IPv4 long enough for a header, not
 * ESP (inbound ESP is for us; transit ESP is looked up by cls_ipv4).
 * idx[i] = the slot of pkts[i] in sm/hit, or -1.
 */
static void cls_spd4_burst(struct rte_mbuf **pkts, unsigned n, int *idx,
			   struct dp_spd_match *sm, bool *hit)
{
	uint32_t src[CLS_SPD_BULK], dst[CLS_SPD_BULK];
	unsigned k = 0;

	for (unsigned i = 0; i < n; i++) {
		const uint8_t *f = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(f + RTE_ETHER_HDR_LEN);
		const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)f;

		idx[i] = -1;
		if (rte_pktmbuf_data_len(pkts[i]) < RTE_ETHER_HDR_LEN + sizeof(*ip) ||
		    eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
		    ip->next_proto_id == IPPROTO_ESP)
			continue;
		src[k] = ip->src_addr;
		dst[k] = ip->dst_addr;
		idx[i] = (int)k++;
	}
	if (k != 0)
		dp_spd_lookup4_bulk(src, dst, k, sm, hit);
}

void dp_classify_burst(struct rte_mbuf **pkts, unsigned n, unsigned in_iface,
		       struct dp_cls_result *res)
{
	const struct dp_iface *ifc = &dp_g.ifaces[in_iface];
	struct dp_spd_match sm[CLS_SPD_BULK];
	bool hit[CLS_SPD_BULK];
	int idx[CLS_SPD_BULK];

	bool staged = dp_spd_staged4();

	for (unsigned off = 0; off < n; off += CLS_SPD_BULK) {
		unsigned k = RTE_MIN(n - off, (unsigned)CLS_SPD_BULK);

		if (staged)
			cls_spd4_burst(pkts + off, k, idx, sm, hit);
		else
			memset(idx, 0xff, k * sizeof(idx[0]));	/* -1: cls_ipv4 looks up */
		for (unsigned i = 0; i < k; i++) {
			unsigned j = off + i;

			if (j + 1 < n)
				rte_prefetch0(rte_pktmbuf_mtod(pkts[j + 1], void *));
			cls_one(pkts[j], ifc, &res[j], idx[i] < 0 ? NULL : &sm[idx[i]],
				idx[i] < 0 ? false : hit[idx[i]]);
		}
	}
}

enum dp_verdict dp_classify_inner(struct rte_mbuf *m, bool v6, struct dp_cls_result *res)
{
	struct cls c = { .m = m, .res = res, .l2_unicast = true, .inner = true };
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	if (rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN)
		return drop(&c, DP_C_drop_runt);
	eth->ether_type = v6 ? RTE_BE16(RTE_ETHER_TYPE_IPV6) : RTE_BE16(RTE_ETHER_TYPE_IPV4);
	return v6 ? cls_ipv6(&c) : cls_ipv4(&c);
}

static inline const struct dp_fib_nh *cls_route(const struct gw_addr *dst)
{
	const struct dp_fib_nh *e = dst->family == AF_INET6 ? dp_fib_lookup6(dst->v6) :
							      dp_fib_lookup4(dst->v4);

	return e == NULL || e->nh.type == DP_NH_LOCAL ? NULL : e;
}

unsigned dp_classify_route_mtu(const struct gw_addr *dst)
{
	const struct dp_fib_nh *e = cls_route(dst);

	return e == NULL ? 0 : dp_g.ifaces[e->nh.iface].mtu;
}

enum dp_verdict dp_classify_outer(struct rte_mbuf *m, const struct gw_addr *dst,
				  struct dp_cls_result *res)
{
	struct cls c = { .m = m, .res = res };
	const struct dp_fib_nh *e = cls_route(dst);
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	const struct dp_iface *out;
	uint64_t mac;

	if (e == NULL)
		return drop(&c, DP_C_drop_no_route);
	out = &dp_g.ifaces[e->nh.iface];
	if (rte_pktmbuf_pkt_len(m) - RTE_ETHER_HDR_LEN > out->mtu) {
		res->verdict = DP_V_FRAG;
		res->out_iface = e->nh.iface;
		return DP_V_FRAG;
	}
	eth->ether_type = dst->family == AF_INET6 ? RTE_BE16(RTE_ETHER_TYPE_IPV6) :
						    RTE_BE16(RTE_ETHER_TYPE_IPV4);
	mac = dp_fib_resolve(e, dst);
	if (unlikely((mac & DP_NEIGH_VALID) == 0)) {
		punt(&c, DP_PUNT_NEIGH_MISS);
		m->hash.fdir.hi = DP_PUNT_ORIGINATED;
		return DP_V_PUNT;
	}
	dp_fib_mac_store(mac, &eth->dst_addr);
	rte_ether_addr_copy(&out->mac, &eth->src_addr);
	res->verdict = DP_V_FORWARD;
	res->out_iface = e->nh.iface;
	return DP_V_FORWARD;
}
