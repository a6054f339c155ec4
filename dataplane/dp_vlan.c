/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The port table (see dp_vlan.h): which interfaces share each port, and
 * the tag insertion on transmit.
 */
#include <errno.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "common/gw_log.h"
#include "dataplane/dp_internal.h"
#include "dataplane/dp_vlan.h"

struct dp_ports dp_ports;
struct dp_if_stats dp_if_stats[RTE_MAX_LCORE];

static struct dp_port *vlan_port_get(uint16_t port_id)
{
	for (unsigned p = 0; p < dp_ports.n; p++)
		if (dp_ports.port[p].port_id == port_id)
			return &dp_ports.port[p];
	return NULL;
}

const struct dp_port *dp_vlan_port(uint16_t port_id)
{
	return vlan_port_get(port_id);
}

/* Interface i into its port's entry (made on first use).  0 or -EINVAL. */
static int vlan_port_add(unsigned i)
{
	const struct dp_iface *ifc = &dp_g.ifaces[i];
	struct dp_port *pt = vlan_port_get(ifc->port_id);
	int other;

	if (pt == NULL) {
		pt = &dp_ports.port[dp_ports.n++];
		memset(pt, 0, sizeof(*pt));
		pt->port_id = ifc->port_id;
		pt->untagged = -1;
	}
	other = ifc->vlan == 0 ? pt->untagged : dp_vlan_find(pt, ifc->vlan);
	if (other >= 0) {
		GW_LOG(dp, ERR, "interfaces %s and %s are both %s%u on port %s",
		       dp_g.ifaces[other].name, ifc->name, ifc->vlan == 0 ? "untagged" : "VLAN ",
		       ifc->vlan, ifc->port_name);
		return -EINVAL;
	}
	pt->ifs[pt->n_if++] = (uint8_t)i;
	if (ifc->vlan == 0) {
		pt->untagged = (int16_t)i;
	} else {
		pt->vid[pt->n_vlan] = ifc->vlan;
		pt->vif[pt->n_vlan++] = (uint8_t)i;
	}
	return 0;
}

int dp_vlan_build(void)
{
	RTE_BUILD_BUG_ON((unsigned)DP_MAX_IFACES >= (unsigned)DP_VLAN_DROPPED);
	dp_vlan_clear();
	memset(dp_if_stats, 0, sizeof(dp_if_stats));
	for (unsigned i = 0; i < dp_g.nb_ifaces; i++)
		if (vlan_port_add(i) != 0)
			return -EINVAL;
	return 0;
}

void dp_vlan_clear(void)
{
	memset(&dp_ports, 0, sizeof(dp_ports));
}

unsigned dp_vlan_tag(struct rte_mbuf **m, unsigned n, uint16_t vid, unsigned lcore)
{
	unsigned k = 0;

	for (unsigned i = 0; i < n; i++) {
		struct rte_mbuf *x = m[i];

		x->vlan_tci = vid;
		/* rte_vlan_insert refuses shared and indirect mbufs, whose
		 * data another reference still reads */
		if (unlikely(rte_vlan_insert(&x) != 0)) {
			dp_count_lcore(lcore, DP_C_drop_vlan_tag, 1);
			rte_pktmbuf_free(m[i]);
			continue;
		}
		m[k++] = x;
	}
	return k;
}

int dp_iface_by_port_vlan(uint16_t port_id, uint16_t vlan)
{
	const struct dp_port *pt = vlan_port_get(port_id);

	if (pt == NULL)
		return -1;
	return vlan == 0 ? pt->untagged : dp_vlan_find(pt, vlan);
}

int dp_iface_by_port(uint16_t port_id)
{
	return dp_iface_by_port_vlan(port_id, 0);
}

int dp_iface_counts(unsigned iface, uint64_t *rx, uint64_t *tx)
{
	unsigned lcore;

	if (iface >= dp_g.nb_ifaces)
		return -EINVAL;
	*rx = *tx = 0;
	RTE_LCORE_FOREACH(lcore) {
		*rx += __atomic_load_n(&dp_if_stats[lcore].rx[iface], __ATOMIC_RELAXED);
		*tx += __atomic_load_n(&dp_if_stats[lcore].tx[iface], __ATOMIC_RELAXED);
	}
	return 0;
}
