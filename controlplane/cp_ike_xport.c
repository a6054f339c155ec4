/* SPDX-License-Identifier: BSD-3-Clause */
/* The IKE transport: UDP 500 / 4500 to and from the gateway (RFC 7296, RFC 3948). */
#include <errno.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_udp.h>

#include "common/gw_log.h"
#include "common/gw_proto.h"
#include "controlplane/cp_csum.h"
#include "controlplane/cp_ike_xport.h"
#include "controlplane/cp_ip.h"
#include "controlplane/cp_stats.h"
#include "controlplane/cp_tx.h"

enum {
	CP_IKE_BUF_LEN = GW_IP_MAXPACKET + 1,	/* 64 KB: any datagram, linearised */
	CP_UDP_HDR_LEN = sizeof(struct rte_udp_hdr),
	CP_NATT_KEEPALIVE = 0xff,
};

enum { CP_IKE_VERSION_OFF = 17 };	/* the header's version octet: major << 4 */

/* [0]: IKEv2 (and anything not IKEv1), [1]: IKEv1 */
static cp_ike_rx_fn cp_ike_fn[2];
static void *cp_ike_arg[2];
static uint8_t cp_ike_buf[CP_IKE_BUF_LEN];

void cp_ike_set_handler(cp_ike_rx_fn fn, void *arg)
{
	cp_ike_fn[0] = fn;
	cp_ike_arg[0] = arg;
}

void cp_ike_set_handler_v1(cp_ike_rx_fn fn, void *arg)
{
	cp_ike_fn[1] = fn;
	cp_ike_arg[1] = arg;
}

static uint32_t cp_ike_pseudo(const struct gw_addr *src, const struct gw_addr *dst, uint32_t len)
{
	if (src->family == AF_INET6)
		return cp_csum_pseudo6(src->v6, dst->v6, IPPROTO_UDP, len);
	return cp_csum_pseudo4(src->v4, dst->v4, IPPROTO_UDP, (uint16_t)len);
}

/* RFC 768: zero means "none" over IPv4; RFC 8200 8.1: mandatory over IPv6. */
static int cp_ike_verify_cksum(const struct rte_mbuf *m, const struct cp_ip *ip,
			       const struct rte_udp_hdr *uh, uint32_t ulen)
{
	uint16_t raw;

	if (uh->dgram_cksum == 0)
		return ip->src.family == AF_INET6 ? -EINVAL : 0;
	if (rte_raw_cksum_mbuf(m, ip->l3_len, ulen, &raw) != 0)
		return -EINVAL;
	return cp_csum_fold(raw + cp_ike_pseudo(&ip->src, &ip->dst, ulen)) == 0xffff ? 0 : -EINVAL;
}

/*
 * Validate the IP/UDP framing of m and locate the IKE payload: *off and
 * *len (the non-ESP marker already skipped on 4500).  0, 1 for a NAT-T
 * keepalive, or -EINVAL.
 */
static int cp_ike_locate(struct rte_mbuf *m, const struct cp_ip *ip, struct rte_udp_hdr *uh,
			 uint32_t *off, uint32_t *len)
{
	uint8_t b[GW_NON_ESP_MARKER_LEN];
	const void *hp;
	const uint8_t *p;
	uint32_t ulen;

	if (ip->is_frag || ip->proto != IPPROTO_UDP || ip->len - ip->l3_len < CP_UDP_HDR_LEN)
		return -EINVAL;
	hp = rte_pktmbuf_read(m, ip->l3_len, sizeof(*uh), uh);
	if (hp == NULL)
		return -EINVAL;
	if (hp != uh)
		memcpy(uh, hp, sizeof(*uh));
	ulen = rte_be_to_cpu_16(uh->dgram_len);
	if (ulen < CP_UDP_HDR_LEN || ulen > ip->len - ip->l3_len)
		return -EINVAL;
	*off = ip->l3_len + CP_UDP_HDR_LEN;
	*len = ulen - CP_UDP_HDR_LEN;
	if (rte_be_to_cpu_16(uh->dst_port) != GW_IKE_NATT_PORT)
		return rte_be_to_cpu_16(uh->dst_port) == GW_IKE_PORT ? 0 : -EINVAL;
	p = rte_pktmbuf_read(m, *off, RTE_MIN(*len, (uint32_t)sizeof(b)), b);
	if (*len == GW_NATT_KEEPALIVE_LEN && p != NULL && p[0] == CP_NATT_KEEPALIVE)
		return 1;
	if (*len < GW_NON_ESP_MARKER_LEN || p == NULL ||
	    (p[0] | p[1] | p[2] | p[3]) != 0)
		return -EINVAL;	/* ESP-in-UDP is the data plane's */
	*off += GW_NON_ESP_MARKER_LEN;
	*len -= GW_NON_ESP_MARKER_LEN;
	return 0;
}

void cp_ike_input(struct rte_mbuf *m, unsigned iface)
{
	struct rte_udp_hdr uh;
	struct ike_dgram d;
	struct cp_ip ip;
	uint32_t off, len;
	bool v1;
	int ret;

	if (cp_ip_parse(m, &ip) != 0 || cp_ip_owner(&ip.dst) < 0) {
		cp_count(CP_C_ike_drop);
		goto out;
	}
	ret = cp_ike_locate(m, &ip, &uh, &off, &len);
	if (ret == 1) {
		cp_count(CP_C_ike_keepalive);
		goto out;
	}
	if (ret < 0 || len == 0) {
		cp_count(CP_C_ike_drop);
		goto out;
	}
	if (cp_ike_verify_cksum(m, &ip, &uh, rte_be_to_cpu_16(uh.dgram_len)) != 0) {
		cp_count(CP_C_ike_bad_cksum);
		goto out;
	}
	d.data = rte_pktmbuf_read(m, off, len, cp_ike_buf);
	if (d.data == NULL) {
		cp_count(CP_C_ike_drop);
		goto out;
	}
	d.src = ip.src;
	d.dst = ip.dst;
	d.sport = rte_be_to_cpu_16(uh.src_port);
	d.dport = rte_be_to_cpu_16(uh.dst_port);
	d.iface = iface;
	d.len = len;
	cp_count(CP_C_ike_rx);
	v1 = len > CP_IKE_VERSION_OFF && d.data[CP_IKE_VERSION_OFF] >> 4 == 1;
	if (cp_ike_fn[v1] == NULL)
		cp_count(CP_C_ike_drop);
	else
		cp_ike_fn[v1](&d, cp_ike_arg[v1]);
out:
	rte_pktmbuf_free(m);
}

/* UDP header (+ marker) + data into m, checksummed.  0 or -errno. */
static int cp_ike_build(struct rte_mbuf *m, const struct gw_addr *src, const struct gw_addr *dst,
			uint16_t sport, uint16_t dport, const void *data, size_t len)
{
	static const uint8_t marker[GW_NON_ESP_MARKER_LEN];
	bool natt = sport == GW_IKE_NATT_PORT || dport == GW_IKE_NATT_PORT;
	uint32_t ulen = CP_UDP_HDR_LEN + (natt ? GW_NON_ESP_MARKER_LEN : 0) + (uint32_t)len;
	struct rte_udp_hdr *uh;
	uint16_t raw, ck;
	int ret;

	uh = (struct rte_udp_hdr *)rte_pktmbuf_append(m, CP_UDP_HDR_LEN);
	if (uh == NULL)
		return -ENOBUFS;
	uh->src_port = rte_cpu_to_be_16(sport);
	uh->dst_port = rte_cpu_to_be_16(dport);
	uh->dgram_len = rte_cpu_to_be_16((uint16_t)ulen);
	uh->dgram_cksum = 0;
	ret = natt ? cp_tx_append(m, marker, sizeof(marker)) : 0;
	if (ret == 0)
		ret = cp_tx_append(m, data, len);
	if (ret != 0)
		return ret;
	if (rte_raw_cksum_mbuf(m, 0, ulen, &raw) != 0)
		return -EINVAL;
	ck = cp_csum_final(raw + cp_ike_pseudo(src, dst, ulen));
	uh->dgram_cksum = ck == 0 ? 0xffff : ck;
	return 0;
}

int cp_ike_send(const struct gw_addr *src, const struct gw_addr *dst,
		uint16_t sport, uint16_t dport, const void *data, size_t len)
{
	size_t hdrs = CP_UDP_HDR_LEN + GW_NON_ESP_MARKER_LEN +
		      (dst->family == AF_INET6 ? CP_IP6_HDR_LEN : CP_IP4_HDR_LEN);
	struct rte_mbuf *m = NULL;
	struct gw_addr s;
	int ret;

	if ((dst->family != AF_INET && dst->family != AF_INET6) || data == NULL || len == 0)
		return -EINVAL;
	if (len > GW_IP_MAXPACKET - hdrs)
		return -EMSGSIZE;
	if (src == NULL || src->family == 0) {
		ret = cp_tx_pick_src(dst, &s, NULL);
		if (ret != 0)
			goto fail;
	} else if (src->family != dst->family || cp_ip_owner(src) < 0) {
		ret = -EADDRNOTAVAIL;
		goto fail;
	} else {
		s = *src;
	}
	ret = -ENOMEM;
	m = cp_tx_alloc();
	if (m == NULL)
		goto fail;
	ret = cp_ike_build(m, &s, dst, sport, dport, data, len);
	if (ret == 0)
		ret = cp_ip_prepend(m, &s, dst, IPPROTO_UDP, CP_IP_TTL);
	if (ret != 0)
		goto fail;
	ret = cp_tx_ip(m);
	if (ret == 0)
		cp_count(CP_C_ike_tx);
	return ret;
fail:
	rte_pktmbuf_free(m);
	cp_count(CP_C_tx_fail);
	return ret;
}
