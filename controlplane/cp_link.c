/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Link state of the ports and the route withdrawal that follows it (see
 * cp_link.h).  The state is per interface, though it changes per port: an
 * interface's routes and neighbours are its own, and so are its events.
 *
 * Withdrawn routes wait in one list, newest withdrawal last; an interface
 * withdraws its routes from the end of the route table backwards, so its
 * entries read backwards are in the table's original order, which is the
 * order they are put back in.
 */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_ethdev.h>

#include "common/gw_event.h"
#include "common/gw_log.h"
#include "controlplane/cp_arp.h"
#include "controlplane/cp_link.h"
#include "controlplane/cp_loop.h"
#include "controlplane/cp_nd.h"
#include "controlplane/cp_neigh.h"
#include "controlplane/cp_stats.h"
#include "controlplane/cp_tm.h"
#include "dataplane/dp.h"
#include "dataplane/dp_route.h"

struct cp_link_if {
	bool down;			/* zero = up: the state before any poll */
	uint64_t changes;
	uint64_t changed_ms;		/* 0 = never changed */
};

struct cp_link_saved {
	struct gw_prefix pfx;
	struct dp_nexthop nh;
};

static struct {
	struct cp_link_if ifs[DP_MAX_IFACES];
	struct cp_link_saved saved[DP_ROUTE_MAX];
	unsigned n_saved;
	uint64_t next_poll_ms;
	int fd;				/* for SIOCGIFFLAGS, when have_fd */
	bool have_fd;
	char kname[RTE_MAX_ETHPORTS][IF_NAMESIZE];	/* kernel interface, first seen */
	cp_link_probe_fn probe;		/* NULL = cp_link_probe_real */
} cl;

/*
 * The kernel's view of port's interface ifindex: administratively up with
 * carrier.  -ENODEV when the index no longer names the interface first
 * seen (moved to another namespace, or gone, its index maybe reused).
 */
static int cp_link_kernel(uint16_t port, unsigned ifindex, bool *up)
{
	char *kname = cl.kname[port];
	struct ifreq ifr;

	if (!cl.have_fd) {
		cl.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (cl.fd < 0)
			return -errno;
		cl.have_fd = true;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_ifindex = (int)ifindex;
	if (ioctl(cl.fd, SIOCGIFNAME, &ifr) != 0)
		return -errno;
	if (kname[0] == '\0')
		memcpy(kname, ifr.ifr_name, IF_NAMESIZE);
	else if (strncmp(kname, ifr.ifr_name, IF_NAMESIZE) != 0)
		return -ENODEV;
	if (ioctl(cl.fd, SIOCGIFFLAGS, &ifr) != 0)
		return -errno;
	*up = (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
	return 0;
}

static int cp_link_probe_real(uint16_t port_id, bool *up)
{
	struct rte_eth_dev_info info;
	struct rte_eth_link link;
	int ret;

	memset(&link, 0, sizeof(link));
	ret = rte_eth_link_get_nowait(port_id, &link);
	if (ret < 0)
		return ret;
	*up = link.link_status == RTE_ETH_LINK_UP;
	if (port_id >= RTE_MAX_ETHPORTS || rte_eth_dev_info_get(port_id, &info) != 0 ||
	    info.driver_name == NULL || info.if_index == 0 ||
	    (strcmp(info.driver_name, "net_af_packet") != 0 &&
	     strcmp(info.driver_name, "net_tap") != 0))
		return 0;
	/*
	 * A kernel interface behind the port: its flags are the truth.  The
	 * af_packet PMD reports its link up from start to stop; the tap PMD
	 * asks the kernel by name and reads "down" once the tap has moved to
	 * another namespace.  An interface we cannot see any more: unknown,
	 * the state is kept.
	 */
	return cp_link_kernel(port_id, info.if_index, up);
}

void cp_link_set_probe(cp_link_probe_fn fn)
{
	cl.probe = fn;
}

void cp_link_reset(void)
{
	int fd = cl.fd;
	bool have_fd = cl.have_fd;
	cp_link_probe_fn probe = cl.probe;

	memset(&cl, 0, sizeof(cl));
	cl.fd = fd;
	cl.have_fd = have_fd;
	cl.probe = probe;
}

/* Take every route through iface but the LOCAL ones out of the table,
 * into the saved list.  Returns how many. */
static unsigned cp_link_withdraw(unsigned iface)
{
	char buf[GW_PREFIX_STRLEN];
	unsigned n = 0;

	for (unsigned i = dp_route_count(); i-- > 0;) {
		struct cp_link_saved s;
		int ret;

		if (dp_route_get(i, &s.pfx, &s.nh) != 0 || s.nh.iface != iface ||
		    s.nh.type == DP_NH_LOCAL || cl.n_saved == RTE_DIM(cl.saved))
			continue;
		ret = dp_route_del(&s.pfx);
		if (ret != 0) {
			GW_LOG(port, ERR, "interface %s: cannot withdraw route %s: %s",
			       dp_iface_get(iface)->name, gw_prefix_fmt(&s.pfx, buf, sizeof(buf)),
			       strerror(-ret));
			continue;
		}
		cl.saved[cl.n_saved++] = s;
		n++;
	}
	return n;
}

/* Put iface's withdrawn routes back, in their original order. */
static unsigned cp_link_restore(unsigned iface)
{
	char buf[GW_PREFIX_STRLEN];
	unsigned n = 0;

	for (unsigned i = cl.n_saved; i-- > 0;) {
		const struct cp_link_saved *s = &cl.saved[i];
		int ret;

		if (s->nh.iface != iface)
			continue;
		ret = dp_route_add(&s->pfx, &s->nh);
		if (ret == 0)
			n++;
		else if (ret != -EEXIST)	/* -EEXIST: put there meanwhile */
			GW_LOG(port, ERR, "interface %s: cannot restore route %s: %s",
			       dp_iface_get(iface)->name, gw_prefix_fmt(&s->pfx, buf, sizeof(buf)),
			       strerror(-ret));
		memmove(&cl.saved[i], &cl.saved[i + 1], (cl.n_saved - i - 1) * sizeof(cl.saved[0]));
		cl.n_saved--;
	}
	return n;
}

static void cp_link_event(unsigned iface, bool up, unsigned routes, unsigned neigh)
{
	const struct dp_iface *ifc = dp_iface_get(iface);
	char vlan[8], nr[16], nn[16], where[CFG_PORT_MAX + 16];

	snprintf(vlan, sizeof(vlan), "%u", ifc->vlan);
	snprintf(nr, sizeof(nr), "%u", routes);
	snprintf(nn, sizeof(nn), "%u", neigh);
	if (ifc->vlan != 0)
		snprintf(where, sizeof(where), "%s VLAN %u", ifc->port_name, ifc->vlan);
	else
		snprintf(where, sizeof(where), "%s", ifc->port_name);
	if (up) {
		GW_LOG(port, NOTICE, "interface %s (%s): link up; %u routes restored",
		       ifc->name, where, routes);
		gw_event(GW_EV_LINK_UP, 0, "iface", ifc->name, "port", ifc->port_name, "vlan", vlan,
			 "routes_restored", nr, (const char *)NULL);
	} else {
		GW_LOG(port, WARNING, "interface %s (%s): link down; %u routes withdrawn, "
		       "%u neighbours flushed", ifc->name, where, routes, neigh);
		gw_event(GW_EV_LINK_DOWN, 0, "iface", ifc->name, "port", ifc->port_name,
			 "vlan", vlan, "routes_withdrawn", nr, "neighbors_flushed", nn,
			 (const char *)NULL);
	}
}

static void cp_link_change(unsigned iface, bool up)
{
	unsigned routes, neigh = 0;

	if (up) {
		routes = cp_link_restore(iface);
		cp_count(CP_C_link_up);
		cp_count_n(CP_C_link_routes_restored, routes);
		cp_link_event(iface, true, routes, 0);
		cp_arp_announce(iface);		/* peers may have flushed us too */
		cp_nd_announce(iface);
		return;
	}
	routes = cp_link_withdraw(iface);
	neigh = cp_neigh_flush_iface(iface);
	cp_count(CP_C_link_down);
	cp_count_n(CP_C_link_routes_withdrawn, routes);
	cp_count_n(CP_C_link_neigh_flushed, neigh);
	cp_link_event(iface, false, routes, neigh);
}

unsigned cp_link_apply(uint16_t port_id, bool up, uint64_t now_ms)
{
	unsigned changed = 0;

	for (unsigned i = 0; i < dp_nb_ifaces() && i < DP_MAX_IFACES; i++) {
		struct cp_link_if *s = &cl.ifs[i];

		if (dp_iface_get(i)->port_id != port_id || s->down == !up)
			continue;
		s->down = !up;
		s->changes++;
		s->changed_ms = now_ms;
		cp_link_change(i, up);
		changed++;
	}
	return changed;
}

/* Does an interface before i use i's port? */
static bool cp_link_port_seen(unsigned i)
{
	for (unsigned j = 0; j < i; j++)
		if (dp_iface_get(j)->port_id == dp_iface_get(i)->port_id)
			return true;
	return false;
}

void cp_link_tick(uint64_t now_ms)
{
	cp_link_probe_fn probe = cl.probe != NULL ? cl.probe : cp_link_probe_real;

	if (now_ms < cl.next_poll_ms)
		return;
	cl.next_poll_ms = now_ms + CP_LINK_POLL_MS;
	for (unsigned i = 0; i < dp_nb_ifaces(); i++) {
		uint16_t port = dp_iface_get(i)->port_id;
		bool up;

		if (cp_link_port_seen(i))
			continue;	/* one probe per port */
		if (probe(port, &up) == 0)
			cp_link_apply(port, up, now_ms);
	}
}

bool cp_link_iface_up(unsigned iface)
{
	return iface >= DP_MAX_IFACES || !cl.ifs[iface].down;
}

unsigned cp_link_withdrawn(unsigned iface)
{
	unsigned n = 0;

	for (unsigned i = 0; i < cl.n_saved; i++)
		n += cl.saved[i].nh.iface == iface;
	return n;
}

int cp_link_route_forget(const struct gw_prefix *pfx)
{
	struct gw_prefix p = *pfx;

	gw_prefix_mask(&p);
	for (unsigned i = 0; i < cl.n_saved; i++) {
		if (cl.saved[i].pfx.len != p.len || !gw_addr_eq(&cl.saved[i].pfx.addr, &p.addr))
			continue;
		memmove(&cl.saved[i], &cl.saved[i + 1], (cl.n_saved - i - 1) * sizeof(cl.saved[0]));
		cl.n_saved--;
		return 0;
	}
	return -ENOENT;
}

void cp_link_tm_add(struct tm_reply *r, unsigned iface)
{
	const struct cp_link_if *s = iface < DP_MAX_IFACES ? &cl.ifs[iface] : NULL;
	uint64_t now = cp_loop_now_ms();

	if (s == NULL)
		return;
	tm_add_str(r, "link", s->down ? "down" : "up");
	tm_add_u64(r, "link_changes", s->changes);
	tm_add_u64(r, "link_change_age_s",
		   s->changed_ms != 0 && now >= s->changed_ms ? (now - s->changed_ms) / 1000 : 0);
	tm_add_u64(r, "routes_withdrawn", cp_link_withdrawn(iface));
}
