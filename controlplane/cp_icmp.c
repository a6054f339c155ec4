/* SPDX-License-Identifier: BSD-3-Clause */
/* ICMP / ICMPv6 addressed to the gateway: echo replies. */
#include <errno.h>
#include <string.h>

#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#include "common/gw_log.h"
#include "controlplane/cp_csum.h"
#include "controlplane/cp_icmp.h"
#include "controlplane/cp_ip.h"
#include "controlplane/cp_stats.h"
#include "controlplane/cp_tx.h"

enum { CP_ICMP_HDR_LEN = 8 };

/* Checksum over the ICMP message at offset off (pseudo header for v6). */
static int cp_icmp_verify(const struct rte_mbuf *m, const struct cp_ip *ip)
{
	uint32_t len = ip->len - ip->l3_len;
	uint16_t raw;
	uint32_t sum;

	if (rte_raw_cksum_mbuf(m, ip->l3_len, len, &raw) != 0)
		return -EINVAL;
	sum = raw;
	if (ip->src.family == AF_INET6)
		sum += cp_csum_pseudo6(ip->src.v6, ip->dst.v6, IPPROTO_ICMPV6, len);
	return cp_csum_fold(sum) == 0xffff ? 0 : -EINVAL;
}

/*
 * Turn the request in m into the reply in place: drop the IP header, set the
 * type, recompute the checksum, prepend a fresh header from the pinged
 * address back to the sender.  0 or -errno (m not consumed).
 */
static int cp_icmp_echo_rewrite(struct rte_mbuf *m, const struct cp_ip *ip)
{
	bool v6 = ip->src.family == AF_INET6;
	uint32_t len = ip->len - ip->l3_len;
	uint8_t *icmp;
	uint16_t raw;
	uint32_t sum;

	rte_pktmbuf_adj(m, ip->l3_len);
	if (rte_pktmbuf_data_len(m) < CP_ICMP_HDR_LEN)
		return -EINVAL;
	icmp = rte_pktmbuf_mtod(m, uint8_t *);
	icmp[0] = v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY;
	icmp[2] = icmp[3] = 0;
	if (rte_raw_cksum_mbuf(m, 0, len, &raw) != 0)
		return -EINVAL;
	sum = raw;
	if (v6)
		sum += cp_csum_pseudo6(ip->dst.v6, ip->src.v6, IPPROTO_ICMPV6, len);
	raw = cp_csum_final(sum);
	memcpy(&icmp[2], &raw, sizeof(raw));
	return cp_ip_prepend(m, &ip->dst, &ip->src, v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP, CP_IP_TTL);
}

void cp_icmp_input(struct rte_mbuf *m, unsigned iface)
{
	struct cp_ip ip;
	uint8_t type, echo;

	if (cp_ip_parse(m, &ip) != 0 || ip.is_frag ||
	    ip.proto != (ip.src.family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP) ||
	    ip.len - ip.l3_len < CP_ICMP_HDR_LEN || rte_pktmbuf_data_len(m) < ip.l3_len + 1u ||
	    cp_ip_owner(&ip.dst) < 0 || cp_icmp_verify(m, &ip) != 0) {
		cp_count(CP_C_icmp_bad);
		rte_pktmbuf_free(m);
		return;
	}
	type = *rte_pktmbuf_mtod_offset(m, const uint8_t *, ip.l3_len);
	echo = ip.src.family == AF_INET6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
	if (type != echo) {
		cp_count(CP_C_icmp_rx_other);
		rte_pktmbuf_free(m);
		return;
	}
	cp_count(CP_C_icmp_echo_rx);
	if (cp_icmp_echo_rewrite(m, &ip) != 0) {
		cp_count(CP_C_icmp_bad);
		rte_pktmbuf_free(m);
		return;
	}
	if (cp_tx_ip_on(m, (int)iface) == 0)
		cp_count(CP_C_icmp_echo_tx);
}
