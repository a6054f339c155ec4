/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP / ICMPv6 errors the gateway originates (RFC 1812 4.3.2, RFC 4443 2.4),
 * behind one token bucket.
 */
#include <errno.h>
#include <string.h>

#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>

#include <rte_common.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "common/gw_proto.h"
#include "controlplane/cp_csum.h"
#include "controlplane/cp_icmp.h"
#include "controlplane/cp_ip.h"
#include "controlplane/cp_stats.h"
#include "controlplane/cp_tx.h"

enum {
	CP_ICMP_ERR_HDR_LEN = 8,
	CP_ICMP6_ERR_MAX_QUOTE = GW_ICMP6_ERR_MAX - CP_IP6_HDR_LEN - CP_ICMP_ERR_HDR_LEN,
	CP_MILLI = 1000,
};

static const struct {
	uint8_t t4, c4, t6, c6;
} cp_icmp_err_codes[CP_ICMP_ERR_MAX] = {
#define X(n, t4, c4, t6, c6, d) [CP_ICMP_ERR_##n] = { t4, c4, t6, c6 },
	CP_ICMP_ERRS(X)
#undef X
};

/* Token bucket in thousandths of a token; refilled by cp_icmp_tick(). */
static uint64_t cp_icmp_milli_tokens;
static uint64_t cp_icmp_last_ms;
static bool cp_icmp_clock_set;

void cp_icmp_init(void)
{
	cp_icmp_milli_tokens = (uint64_t)CP_ICMP_ERR_BURST * CP_MILLI;
	cp_icmp_clock_set = false;
}

void cp_icmp_tick(uint64_t now_ms)
{
	if (cp_icmp_clock_set && now_ms > cp_icmp_last_ms) {
		cp_icmp_milli_tokens += (now_ms - cp_icmp_last_ms) * CP_ICMP_ERR_RATE;
		cp_icmp_milli_tokens = RTE_MIN(cp_icmp_milli_tokens,
					       (uint64_t)CP_ICMP_ERR_BURST * CP_MILLI);
	}
	if (!cp_icmp_clock_set || now_ms > cp_icmp_last_ms)
		cp_icmp_last_ms = now_ms;
	cp_icmp_clock_set = true;
}

static bool cp_icmp_take_token(void)
{
	if (cp_icmp_milli_tokens < CP_MILLI)
		return false;
	cp_icmp_milli_tokens -= CP_MILLI;
	return true;
}

/* The offending packet is itself an ICMP error (or unreadable ICMP). */
static bool cp_icmp_is_error(const struct rte_mbuf *m, const struct cp_ip *ip)
{
	uint8_t type;
	const uint8_t *t;

	if (ip->proto != IPPROTO_ICMP && ip->proto != IPPROTO_ICMPV6)
		return false;
	t = rte_pktmbuf_read(m, ip->l3_len, 1, &type);
	if (t == NULL)
		return true;
	if (ip->src.family == AF_INET6)
		return ip->proto == IPPROTO_ICMPV6 && (*t & ICMP6_INFOMSG_MASK) == 0;
	return ip->proto == IPPROTO_ICMP &&
	       (*t == ICMP_DEST_UNREACH || *t == ICMP_SOURCE_QUENCH || *t == ICMP_REDIRECT ||
		*t == ICMP_TIME_EXCEEDED || *t == ICMP_PARAMETERPROB);
}

/* RFC 1812 4.3.2.7 / RFC 4443 2.4(e): may we send an error about this? */
static bool cp_icmp_err_allowed(const struct rte_mbuf *m, const struct cp_ip *ip)
{
	return ip->frag_off == 0 && !cp_ip_is_bcast_mcast(&ip->dst) &&
	       !cp_ip_is_bad_src(&ip->src) && cp_ip_owner(&ip->src) < 0 &&
	       !cp_icmp_is_error(m, ip);
}

/* ICMP header + quote of orig into a fresh mbuf.  NULL on failure. */
static struct rte_mbuf *cp_icmp_err_build(struct rte_mbuf *orig, const struct cp_ip *ip,
					  enum cp_icmp_err kind, uint32_t mtu,
					  const struct gw_addr *src)
{
	bool v6 = ip->src.family == AF_INET6;
	uint32_t quote = RTE_MIN(ip->len, v6 ? (uint32_t)CP_ICMP6_ERR_MAX_QUOTE :
					       (uint32_t)GW_ICMP_ERR_MAX_QUOTE);
	struct rte_mbuf *m = cp_tx_alloc();
	const void *q;
	uint8_t *h;
	uint16_t ck;
	uint32_t sum, word;

	if (m == NULL)
		return NULL;
	h = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(CP_ICMP_ERR_HDR_LEN + quote));
	if (h == NULL)
		goto fail;
	memset(h, 0, CP_ICMP_ERR_HDR_LEN);
	h[0] = v6 ? cp_icmp_err_codes[kind].t6 : cp_icmp_err_codes[kind].t4;
	h[1] = v6 ? cp_icmp_err_codes[kind].c6 : cp_icmp_err_codes[kind].c4;
	if (kind == CP_ICMP_ERR_TOO_BIG) {
		/* RFC 1191: next-hop MTU in the low 16 bits; RFC 4443 3.2: 32 bits. */
		word = rte_cpu_to_be_32(v6 ? mtu : (mtu & 0xffff));
		memcpy(&h[4], &word, sizeof(word));
	}
	q = rte_pktmbuf_read(orig, 0, quote, h + CP_ICMP_ERR_HDR_LEN);
	if (q == NULL)
		goto fail;
	if (q != h + CP_ICMP_ERR_HDR_LEN)
		memcpy(h + CP_ICMP_ERR_HDR_LEN, q, quote);
	sum = rte_raw_cksum(h, CP_ICMP_ERR_HDR_LEN + quote);
	if (v6)
		sum += cp_csum_pseudo6(src->v6, ip->src.v6, IPPROTO_ICMPV6,
				       CP_ICMP_ERR_HDR_LEN + quote);
	ck = cp_csum_final(sum);
	memcpy(&h[2], &ck, sizeof(ck));
	if (cp_ip_prepend(m, src, &ip->src, v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP, CP_IP_TTL) != 0)
		goto fail;
	return m;
fail:
	rte_pktmbuf_free(m);
	return NULL;
}

int cp_icmp_error(struct rte_mbuf *orig, enum cp_icmp_err kind, uint32_t mtu, int in_iface)
{
	struct rte_mbuf *m;
	struct gw_addr src;
	struct cp_ip ip;
	int ret;

	if ((unsigned)kind >= CP_ICMP_ERR_MAX || cp_ip_parse(orig, &ip) != 0 ||
	    !cp_icmp_err_allowed(orig, &ip)) {
		cp_count(CP_C_icmp_err_suppressed);
		return -EPERM;
	}
	if (cp_ip_is_v6_ll(&ip.src))
		ret = in_iface >= 0 ? cp_tx_src_on((unsigned)in_iface, &ip.src, &src) : -ENETUNREACH;
	else
		ret = cp_tx_pick_src(&ip.src, &src, NULL);
	if (ret != 0) {
		cp_count(CP_C_icmp_err_suppressed);
		return -ENETUNREACH;
	}
	if (!cp_icmp_take_token()) {
		cp_count(CP_C_icmp_err_ratelimited);
		return -EAGAIN;
	}
	m = cp_icmp_err_build(orig, &ip, kind, mtu, &src);
	if (m == NULL) {
		cp_count(CP_C_tx_fail);
		return -ENOMEM;
	}
	ret = cp_tx_ip_on(m, in_iface);
	if (ret == 0)
		cp_count(CP_C_icmp_err_tx);
	return ret;
}
