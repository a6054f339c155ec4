/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_DP_VLAN_H
#define GW_DP_VLAN_H

/*
 * Ports and their 802.1Q sub-interfaces (internal to dataplane/).
 *
 * A port is opened once however many interfaces use it.  The workers poll
 * each port once per loop and hand every received frame to the interface
 * of its VLAN id: a frame tagged inline (ethertype 0x8100) has its tag
 * removed here, one the PMD already stripped (RTE_MBUF_F_RX_VLAN_STRIPPED)
 * is taken as is; either way the frame then carries its VLAN id in
 * m->vlan_tci with RTE_MBUF_F_RX_VLAN_STRIPPED set, which is how the
 * control plane finds the interface of a punted frame (dp_iface_of_rx).
 * Untagged and priority-tagged (VLAN id 0) frames go to the port's
 * untagged interface.  Dropped and counted: a VLAN no interface has
 * (drop_vlan_unknown), an untagged frame on a port without an untagged
 * interface (drop_vlan_untagged).  On transmit the worker inserts the tag
 * of a VLAN interface into every frame (dp_vlan_tag; drop_vlan_tag when
 * there is no headroom or the mbuf is shared).
 *
 * The table is built by dp_init() (dp_vlan_build) and read-only while the
 * workers run.  Per-interface frame counters are per lcore, each block
 * written by its own lcore only.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "dataplane/dp.h"
#include "dataplane/dp_stats.h"

enum { DP_VLAN_DROPPED = 0xff };	/* dp_vlan_demux: no interface */

/* One DPDK port and the interfaces on it. */
struct dp_port {
	uint16_t port_id;
	int16_t untagged;			/* its untagged interface, or -1 */
	uint8_t n_if;				/* interfaces on the port */
	uint8_t ifs[DP_MAX_IFACES];		/* their indexes, in config order */
	uint8_t n_vlan;				/* tagged ones among them */
	uint16_t vid[DP_MAX_IFACES];		/* VLAN id of each tagged one */
	uint8_t vif[DP_MAX_IFACES];		/* ... and its interface */
};

struct dp_ports {
	unsigned n;
	struct dp_port port[DP_MAX_IFACES];
};

extern struct dp_ports dp_ports;

/* Frames per interface, per lcore (the VLAN demux and the TX flush). */
struct dp_if_stats {
	uint64_t rx[DP_MAX_IFACES];
	uint64_t tx[DP_MAX_IFACES];
} __rte_cache_aligned;

extern struct dp_if_stats dp_if_stats[RTE_MAX_LCORE];

/*
 * Build the port table from dp_g.ifaces (port ids and VLANs known).
 * 0, or -EINVAL (logged) when two interfaces have the same (port, VLAN).
 */
int dp_vlan_build(void);

/* Forget the table (dp_fini). */
void dp_vlan_clear(void);
/* The port table entry of port_id, or NULL. */
const struct dp_port *dp_vlan_port(uint16_t port_id);

static inline void dp_if_count(uint64_t *v, uint64_t n)
{
	__atomic_store_n(v, __atomic_load_n(v, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}

/* The interface of VLAN vid on pt, or -1. */
static inline int dp_vlan_find(const struct dp_port *pt, uint16_t vid)
{
	for (unsigned i = 0; i < pt->n_vlan; i++)
		if (pt->vid[i] == vid)
			return pt->vif[i];
	return -1;
}

/*
 * The interface of one frame received on pt (tag removed, VLAN id in
 * m->vlan_tci with RTE_MBUF_F_RX_VLAN_STRIPPED), or -1 with *why the drop
 * counter.  Any thread.
 */
static inline int dp_vlan_rx(const struct dp_port *pt, struct rte_mbuf *m, enum dp_counter *why)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	uint16_t vid;
	int ifx;

	if (m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) {
		vid = m->vlan_tci & RTE_VLAN_ID_MASK;
	} else if (rte_pktmbuf_data_len(m) >= RTE_ETHER_HDR_LEN + sizeof(struct rte_vlan_hdr) &&
		   eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
		rte_vlan_strip(m);	/* sets vlan_tci and RX_VLAN_STRIPPED */
		vid = m->vlan_tci & RTE_VLAN_ID_MASK;
	} else {
		vid = 0;
	}
	if (vid == 0) {
		/* untagged, or 802.1p priority-tagged: the native interface */
		m->ol_flags &= ~(RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED);
		if (unlikely(pt->untagged < 0)) {
			*why = DP_C_drop_vlan_untagged;
			return -1;
		}
		return pt->untagged;
	}
	ifx = dp_vlan_find(pt, vid);
	if (unlikely(ifx < 0))
		*why = DP_C_drop_vlan_unknown;
	return ifx;
}

/*
 * A burst received on pt: ifx[i] = the interface of pkts[i], or
 * DP_VLAN_DROPPED for a frame dropped (freed and counted on lcore).
 * Returns the one interface every frame went to when that is so (none
 * dropped), else -1.  Counts each interface's frames.
 */
static inline int dp_vlan_demux(const struct dp_port *pt, struct rte_mbuf **pkts, unsigned n,
				uint8_t *ifx, unsigned lcore)
{
	struct dp_if_stats *st = &dp_if_stats[lcore];
	enum dp_counter why = DP_C_drop_vlan_unknown;
	int one = -2;

	for (unsigned i = 0; i < n; i++) {
		int k = dp_vlan_rx(pt, pkts[i], &why);

		if (unlikely(k < 0)) {
			dp_count_lcore(lcore, why, 1);
			rte_pktmbuf_free(pkts[i]);
			ifx[i] = DP_VLAN_DROPPED;
			one = -1;
			continue;
		}
		ifx[i] = (uint8_t)k;
		dp_if_count(&st->rx[k], 1);
		if (one == -2)
			one = k;
		else if (one != k)
			one = -1;
	}
	return one < 0 ? -1 : one;
}

/*
 * Insert the 802.1Q tag of vid into m[0..n) (PCP 0), in place; a frame
 * that cannot take it (shared or indirect mbuf, no headroom) is dropped
 * and counted (drop_vlan_tag on lcore).  Returns how many are left, in
 * order, at the start of m.  Any thread; no allocation.
 */
unsigned dp_vlan_tag(struct rte_mbuf **m, unsigned n, uint16_t vid, unsigned lcore);

#endif /* GW_DP_VLAN_H */
