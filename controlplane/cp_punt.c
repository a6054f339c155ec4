/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dispatch of punted packets by reason and input interface, and the
 * drain of the punt rings by class priority (cp_punt.h).
 */
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "controlplane/cp_arp.h"
#include "controlplane/cp_frag.h"
#include "controlplane/cp_fwd.h"
#include "controlplane/cp_icmp.h"
#include "controlplane/cp_ike_xport.h"
#include "controlplane/cp_ip.h"
#include "controlplane/cp_nd.h"
#include "controlplane/cp_punt.h"
#include "controlplane/cp_stats.h"
#include "dataplane/dp.h"

void cp_punt_local(struct rte_mbuf *m, unsigned iface)
{
	struct cp_ip ip;

	if (cp_ip_parse(m, &ip) != 0) {
		cp_count(CP_C_local_drop);
		rte_pktmbuf_free(m);
		return;
	}
	switch (ip.proto) {
	case IPPROTO_UDP:
		cp_ike_input(m, iface);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		cp_icmp_input(m, iface);
		break;
	default:
		cp_count(CP_C_local_drop);
		rte_pktmbuf_free(m);
		break;
	}
}

/* Punted for an error the sender should hear about: send it, drop m. */
static void cp_punt_error(struct rte_mbuf *m, unsigned iface, enum cp_icmp_err kind)
{
	cp_icmp_error(m, kind, 0, (int)iface);
	rte_pktmbuf_free(m);
}

void cp_punt_handle(struct rte_mbuf *m)
{
	int iface = dp_iface_of_rx(m);	/* port and VLAN */
	uint32_t reason = m->hash.usr;

	cp_count(CP_C_punt_rx);
	if (iface < 0 || reason >= DP_PUNT_MAX || rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN) {
		cp_count(CP_C_punt_bad);
		rte_pktmbuf_free(m);
		return;
	}
	if (reason == DP_PUNT_ARP) {
		cp_arp_input(m, (unsigned)iface);
		return;
	}
	if (reason == DP_PUNT_ND) {
		cp_nd_input(m, (unsigned)iface);
		return;
	}
	rte_pktmbuf_adj(m, RTE_ETHER_HDR_LEN);	/* IP from here on */
	switch ((enum dp_punt_reason)reason) {
	case DP_PUNT_ICMP_LOCAL:
	case DP_PUNT_ICMP6_LOCAL:
		cp_icmp_input(m, (unsigned)iface);
		break;
	case DP_PUNT_IKE:
	case DP_PUNT_IKE_NATT:
		cp_ike_input(m, (unsigned)iface);
		break;
	case DP_PUNT_FRAG:
		cp_frag_input(m, (unsigned)iface);
		break;
	case DP_PUNT_TTL_EXCEEDED:
		cp_punt_error(m, (unsigned)iface, CP_ICMP_ERR_TIME_EXCEEDED);
		break;
	case DP_PUNT_NO_ROUTE:
		cp_punt_error(m, (unsigned)iface, CP_ICMP_ERR_NET_UNREACH);
		break;
	case DP_PUNT_NEIGH_MISS:
	case DP_PUNT_TOO_BIG:
		cp_fwd_input(m, (unsigned)iface);
		break;
	default:
		cp_count(CP_C_punt_bad);
		rte_pktmbuf_free(m);
		break;
	}
}

/* Packets of each class handled here (tests and telemetry read them). */
static uint64_t cp_punt_handled_n[DP_PUNT_CLASS_MAX];

/* At most budget packets of class c, in bursts.  Returns how many. */
static unsigned cp_punt_class(enum dp_punt_class c, unsigned budget)
{
	struct rte_mbuf *pkts[DP_BURST];
	unsigned done = 0;

	while (done < budget) {
		unsigned n = dp_punt_dequeue_class(c, pkts, RTE_MIN(budget - done,
								   (unsigned)DP_BURST));

		for (unsigned i = 0; i < n; i++)
			cp_punt_handle(pkts[i]);
		cp_punt_handled_n[c] += n;
		done += n;
		if (n < DP_BURST)
			break;
	}
	return done;
}

unsigned cp_punt_poll(void)
{
	unsigned n = 0;

	for (unsigned c = 0; c < DP_PUNT_CLASS_MAX; c++)
		n += cp_punt_class((enum dp_punt_class)c,
				   c == DP_PUNT_CLASS_IKE_NEW ? CP_PUNT_IKE_NEW_BUDGET :
								CP_PUNT_BUDGET);
	return n;
}

uint64_t cp_punt_handled(enum dp_punt_class c)
{
	return (unsigned)c < DP_PUNT_CLASS_MAX ? cp_punt_handled_n[c] : 0;
}
