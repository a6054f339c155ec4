/* SPDX-License-Identifier: BSD-3-Clause */
/* Control-plane transmit: route, MTU, next hop, Ethernet, CP TX ring. */
#include <errno.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "common/gw_log.h"
#include "controlplane/cp_frag.h"
#include "controlplane/cp_ip.h"
#include "controlplane/cp_neigh.h"
#include "controlplane/cp_stats.h"
#include "controlplane/cp_tx.h"
#include "dataplane/dp.h"
#include "dataplane/dp_route.h"

enum { CP_TX_DEFAULT_MTU = 1500 };

struct rte_mbuf *cp_tx_alloc(void)
{
	struct rte_mempool *mp = dp_mbuf_pool();
	struct rte_mbuf *m;

	if (mp == NULL)
		return NULL;
	m = rte_pktmbuf_alloc(mp);
	if (m != NULL && rte_pktmbuf_headroom(m) < RTE_ETHER_HDR_LEN) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	return m;
}

int cp_tx_append(struct rte_mbuf *m, const void *data, size_t len)
{
	struct rte_mbuf *last = rte_pktmbuf_lastseg(m);
	const uint8_t *p = data;

	while (len > 0) {
		uint16_t room = rte_pktmbuf_tailroom(last);
		uint16_t n;

		if (room == 0) {
			struct rte_mbuf *seg = rte_pktmbuf_alloc(dp_mbuf_pool());

			if (seg == NULL)
				return -ENOMEM;
			seg->data_off = 0;	/* only the first segment needs headroom */
			if (rte_pktmbuf_chain(m, seg) != 0) {
				rte_pktmbuf_free(seg);
				return -EMSGSIZE;
			}
			last = seg;
			continue;
		}
		n = (uint16_t)RTE_MIN((size_t)room, len);
		memcpy(rte_pktmbuf_mtod_offset(last, uint8_t *, last->data_len), p, n);
		last->data_len = (uint16_t)(last->data_len + n);
		m->pkt_len += n;
		p += n;
		len -= n;
	}
	return 0;
}

uint16_t cp_tx_mtu(unsigned iface)
{
	const struct dp_iface *ifp = dp_iface_get(iface);

	return ifp != NULL && ifp->mtu != 0 ? ifp->mtu : CP_TX_DEFAULT_MTU;
}

/* Copy a chained frame into one segment; consumes m.  NULL on failure. */
static struct rte_mbuf *cp_tx_flatten(struct rte_mbuf *m)
{
	struct rte_mbuf *f = cp_tx_alloc();
	uint32_t len = rte_pktmbuf_pkt_len(m);
	const void *p;
	char *dst;

	if (f == NULL || len > rte_pktmbuf_tailroom(f))
		goto fail;
	dst = rte_pktmbuf_append(f, (uint16_t)len);
	p = rte_pktmbuf_read(m, 0, len, dst);
	if (dst == NULL || p == NULL)
		goto fail;
	if (p != dst)
		memcpy(dst, p, len);
	f->port = m->port;
	rte_pktmbuf_free(m);
	return f;
fail:
	rte_pktmbuf_free(f);
	rte_pktmbuf_free(m);
	return NULL;
}

int cp_tx_l2(unsigned iface, struct rte_mbuf *m)
{
	int ret;

	if (iface >= dp_nb_ifaces()) {
		rte_pktmbuf_free(m);
		cp_count(CP_C_tx_fail);
		return -EINVAL;
	}
	if (m->nb_segs > 1) {
		m = cp_tx_flatten(m);
		if (m == NULL) {
			cp_count(CP_C_tx_fail);
			return -ENOBUFS;
		}
	}
	ret = dp_cp_tx(iface, m);
	if (ret < 0)
		cp_count(CP_C_tx_fail);
	return ret;
}

/* Interface and next-hop address for dst.  0 or -errno. */
static int cp_tx_nexthop(const struct gw_addr *dst, int ll_iface, unsigned *iface,
			 struct gw_addr *nexthop)
{
	struct dp_nexthop nh;

	if (cp_ip_is_v6_ll(dst)) {
		if (ll_iface < 0 || (unsigned)ll_iface >= dp_nb_ifaces())
			return -ENETUNREACH;
		*iface = (unsigned)ll_iface;
		*nexthop = *dst;
		return 0;
	}
	if (dp_route_lookup(dst, &nh) != 0)
		return -ENETUNREACH;
	if (nh.type == DP_NH_LOCAL)
		return -EINVAL;
	*iface = nh.iface;
	*nexthop = nh.type == DP_NH_GATEWAY ? nh.gw : *dst;
	return 0;
}

int cp_tx_ip_on(struct rte_mbuf *m, int ll_iface)
{
	struct rte_mbuf *frags[CP_FRAG_OUT_MAX];
	struct gw_addr nexthop;
	struct cp_ip ip;
	unsigned iface;
	int n, ret;

	ret = cp_ip_parse(m, &ip);
	if (ret < 0)
		goto fail;
	ret = cp_tx_nexthop(&ip.dst, ll_iface, &iface, &nexthop);
	if (ret < 0)
		goto fail;
	if (ip.len <= cp_tx_mtu(iface))
		return cp_neigh_output(iface, &nexthop, m);
	if (ip.df) {
		ret = -EMSGSIZE;
		goto fail;
	}
	n = cp_frag_fragment(m, cp_tx_mtu(iface), frags, RTE_DIM(frags));
	if (n < 0) {
		cp_count(CP_C_tx_fail);
		return n;
	}
	for (int i = 0; i < n; i++)
		cp_neigh_output(iface, &nexthop, frags[i]);
	return 0;
fail:
	rte_pktmbuf_free(m);
	cp_count(CP_C_tx_fail);
	return ret;
}

int cp_tx_ip(struct rte_mbuf *m)
{
	return cp_tx_ip_on(m, -1);
}

int cp_tx_src_on(unsigned iface, const struct gw_addr *nexthop, struct gw_addr *src)
{
	const struct dp_iface *ifp = dp_iface_get(iface);
	const struct gw_addr *first = NULL;

	if (ifp == NULL)
		return -EADDRNOTAVAIL;
	if (cp_ip_is_v6_ll(nexthop) && ifp->ll6.family == AF_INET6) {
		*src = ifp->ll6;
		return 0;
	}
	for (unsigned i = 0; i < ifp->n_addrs; i++) {
		const struct gw_prefix *p = &ifp->addrs[i];

		if (p->addr.family != nexthop->family)
			continue;
		if (gw_prefix_contains(p, nexthop)) {
			*src = p->addr;
			return 0;
		}
		if (first == NULL)
			first = &p->addr;
	}
	if (first != NULL) {
		*src = *first;
		return 0;
	}
	if (nexthop->family == AF_INET6 && ifp->ll6.family == AF_INET6) {
		*src = ifp->ll6;
		return 0;
	}
	return -EADDRNOTAVAIL;
}

int cp_tx_pick_src(const struct gw_addr *dst, struct gw_addr *src, unsigned *iface)
{
	struct gw_addr nexthop;
	unsigned ifx;

	if (cp_tx_nexthop(dst, -1, &ifx, &nexthop) != 0 ||
	    cp_tx_src_on(ifx, &nexthop, src) != 0)
		return -ENETUNREACH;
	if (iface != NULL)
		*iface = ifx;
	return 0;
}
