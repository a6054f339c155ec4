/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Neighbour resolution state owned by the control plane.  A dense array in
 * creation order (a few hundred entries at most on a gateway, searched
 * linearly); the workers see only what dp_neigh_set() publishes.
 */
#include <errno.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "common/gw_log.h"
#include "controlplane/cp_arp.h"
#include "controlplane/cp_icmp.h"
#include "controlplane/cp_nd.h"
#include "controlplane/cp_neigh.h"
#include "controlplane/cp_stats.h"
#include "controlplane/cp_tx.h"
#include "dataplane/dp.h"
#include "dataplane/dp_mempool.h"
#include "dataplane/dp_neigh.h"

struct cp_neigh {
	struct gw_addr addr;
	struct rte_ether_addr mac;
	uint16_t iface;
	uint8_t state;			/* enum cp_neigh_state */
	uint8_t tries;			/* requests sent in this round */
	bool published;			/* the workers hold this MAC */
	uint64_t confirmed_ms;		/* last confirmation (or creation) */
	uint64_t next_ms;		/* next request, INCOMPLETE / STALE */
	unsigned nq;
	struct rte_mbuf *q[CP_NEIGH_QUEUE_LEN];
};

static struct cp_neigh cp_neigh_tab[CP_NEIGH_MAX];
static unsigned cp_neigh_n;
static uint64_t cp_neigh_now;
static unsigned cp_neigh_held;		/* packets queued over all entries */

static const char *const cp_neigh_state_names[] = {
#define X(n, s) [CP_NEIGH_##n] = s,
	CP_NEIGH_STATES(X)
#undef X
};

const char *cp_neigh_state_name(enum cp_neigh_state s)
{
	return (unsigned)s < RTE_DIM(cp_neigh_state_names) ? cp_neigh_state_names[s] : "?";
}

int cp_neigh_init(void)
{
	memset(cp_neigh_tab, 0, sizeof(cp_neigh_tab));
	cp_neigh_n = 0;
	cp_neigh_now = 0;
	cp_neigh_held = 0;
	return 0;
}

static void cp_neigh_drop_queue(struct cp_neigh *e)
{
	for (unsigned i = 0; i < e->nq; i++)
		rte_pktmbuf_free(e->q[i]);
	cp_neigh_held -= e->nq;
	e->nq = 0;
}

void cp_neigh_fini(void)
{
	for (unsigned i = 0; i < cp_neigh_n; i++)
		cp_neigh_drop_queue(&cp_neigh_tab[i]);
	cp_neigh_n = 0;
}

static struct cp_neigh *cp_neigh_find(unsigned iface, const struct gw_addr *ip)
{
	for (unsigned i = 0; i < cp_neigh_n; i++) {
		struct cp_neigh *e = &cp_neigh_tab[i];

		if (e->iface == iface && gw_addr_eq(&e->addr, ip))
			return e;
	}
	return NULL;
}

static struct cp_neigh *cp_neigh_create(unsigned iface, const struct gw_addr *ip)
{
	struct cp_neigh *e;

	if (cp_neigh_n == CP_NEIGH_MAX || iface >= dp_nb_ifaces() ||
	    (ip->family != AF_INET && ip->family != AF_INET6))
		return NULL;
	e = &cp_neigh_tab[cp_neigh_n++];
	memset(e, 0, sizeof(*e));
	e->addr = *ip;
	e->iface = (uint16_t)iface;
	e->state = CP_NEIGH_INCOMPLETE;
	e->confirmed_ms = cp_neigh_now;
	return e;
}

/* Remove entry i, keeping the order of the others; its queue must be empty. */
static void cp_neigh_remove(unsigned i)
{
	memmove(&cp_neigh_tab[i], &cp_neigh_tab[i + 1],
		(cp_neigh_n - i - 1) * sizeof(cp_neigh_tab[0]));
	cp_neigh_n--;
}

/* Prepend Ethernet to an IP packet and send it to e. */
static int cp_neigh_xmit(const struct cp_neigh *e, struct rte_mbuf *m)
{
	const struct dp_iface *ifp = dp_iface_get(e->iface);
	uint8_t ver = *rte_pktmbuf_mtod(m, const uint8_t *) >> 4;
	struct rte_ether_hdr *eth;

	eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*eth));
	if (eth == NULL || ifp == NULL) {
		rte_pktmbuf_free(m);
		cp_count(CP_C_tx_fail);
		return -ENOBUFS;
	}
	rte_ether_addr_copy(&e->mac, &eth->dst_addr);
	rte_ether_addr_copy(&ifp->mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(ver == 6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
	return cp_tx_l2(e->iface, m);
}

static void cp_neigh_flush(struct cp_neigh *e)
{
	unsigned n = e->nq;

	cp_neigh_held -= n;
	e->nq = 0;
	for (unsigned i = 0; i < n; i++)
		cp_neigh_xmit(e, e->q[i]);
}

/* One ARP request / NS for e: broadcast/multicast, or unicast to its MAC. */
static void cp_neigh_solicit(struct cp_neigh *e, bool unicast)
{
	const struct rte_ether_addr *dst = unicast ? &e->mac : NULL;

	if (e->addr.family == AF_INET)
		cp_arp_request(e->iface, &e->addr, dst);
	else
		cp_nd_solicit(e->iface, &e->addr, dst);
	e->tries++;
	e->next_ms = cp_neigh_now + CP_NEIGH_RETRY_MS;
}

/*
 * Hand e's MAC to the workers.  The data-plane table can be full for a
 * while (deleted positions wait for a grace period); until a later
 * confirmation publishes it, the workers punt and the CP forwards.
 */
static void cp_neigh_publish(struct cp_neigh *e)
{
	char a[GW_ADDR_STRLEN];
	int ret = dp_neigh_set(e->iface, &e->addr, &e->mac);

	e->published = ret == 0;
	if (ret < 0)
		GW_LOG(neigh, WARNING, "publishing %s on iface %u failed: %s",
		       gw_addr_fmt(&e->addr, a, sizeof(a)), e->iface, strerror(-ret));
}

static void cp_neigh_confirm(struct cp_neigh *e, const struct rte_ether_addr *mac)
{
	bool changed = !e->published || !rte_is_same_ether_addr(&e->mac, mac);

	rte_ether_addr_copy(mac, &e->mac);
	e->state = CP_NEIGH_REACHABLE;
	e->confirmed_ms = cp_neigh_now;
	e->tries = 0;
	if (changed)
		cp_neigh_publish(e);
	cp_count(CP_C_neigh_learnt);
	cp_neigh_flush(e);
}

int cp_neigh_add_static(unsigned iface, const struct gw_addr *ip, const struct rte_ether_addr *mac)
{
	struct cp_neigh *e = cp_neigh_find(iface, ip);

	if (e == NULL)
		e = cp_neigh_create(iface, ip);
	if (e == NULL)
		return cp_neigh_n == CP_NEIGH_MAX ? -ENOSPC : -EINVAL;
	rte_ether_addr_copy(mac, &e->mac);
	e->state = CP_NEIGH_STATIC;
	e->confirmed_ms = cp_neigh_now;
	cp_neigh_publish(e);
	cp_neigh_flush(e);
	return 0;
}

int cp_neigh_update(unsigned iface, const struct gw_addr *ip, const struct rte_ether_addr *mac)
{
	struct cp_neigh *e = cp_neigh_find(iface, ip);

	if (e == NULL)
		return -ENOENT;
	if (e->state != CP_NEIGH_STATIC)
		cp_neigh_confirm(e, mac);
	return 0;
}

void cp_neigh_learn(unsigned iface, const struct gw_addr *ip, const struct rte_ether_addr *mac)
{
	struct cp_neigh *e = cp_neigh_find(iface, ip);

	if (e == NULL)
		e = cp_neigh_create(iface, ip);
	if (e == NULL) {
		cp_count(CP_C_neigh_table_full);
		return;
	}
	if (e->state != CP_NEIGH_STATIC)
		cp_neigh_confirm(e, mac);
}

int cp_neigh_output(unsigned iface, const struct gw_addr *ip, struct rte_mbuf *m)
{
	struct cp_neigh *e = cp_neigh_find(iface, ip);

	if (e != NULL && e->state != CP_NEIGH_INCOMPLETE)
		return cp_neigh_xmit(e, m);
	if (e == NULL) {
		e = cp_neigh_create(iface, ip);
		if (e == NULL) {
			rte_pktmbuf_free(m);
			cp_count(CP_C_neigh_table_full);
			return -ENOSPC;
		}
		cp_neigh_solicit(e, false);
	}
	if (e->nq == CP_NEIGH_QUEUE_LEN || cp_neigh_held >= DP_NEIGH_QUEUE_MBUFS) {
		rte_pktmbuf_free(m);
		cp_count(CP_C_neigh_queue_drop);
		return -ENOBUFS;
	}
	e->q[e->nq++] = m;
	cp_neigh_held++;
	cp_count(CP_C_neigh_queued);
	return 0;
}

/*
 * Timers of entry i.  Returns the first queued packet of an entry that
 * failed to resolve (the caller sends host unreachable for it), else NULL.
 * May remove entry i.
 */
static struct rte_mbuf *cp_neigh_timer(unsigned i, uint64_t now)
{
	struct cp_neigh *e = &cp_neigh_tab[i];
	struct rte_mbuf *first = NULL;

	switch (e->state) {
	case CP_NEIGH_REACHABLE:
		if (now - e->confirmed_ms >= (uint64_t)CP_NEIGH_REACHABLE_S * 1000) {
			e->state = CP_NEIGH_STALE;
			e->tries = 0;
			cp_neigh_solicit(e, true);
		}
		break;
	case CP_NEIGH_STALE:
	case CP_NEIGH_INCOMPLETE:
		if (now < e->next_ms)
			break;
		if (e->tries < CP_NEIGH_RETRIES) {
			cp_neigh_solicit(e, e->state == CP_NEIGH_STALE);
			break;
		}
		if (e->state == CP_NEIGH_STALE) {
			dp_neigh_del(e->iface, &e->addr);
			cp_count(CP_C_neigh_expired);
		}
		cp_count_n(CP_C_neigh_unresolved, e->nq);
		if (e->nq > 0) {
			first = e->q[0];
			e->q[0] = e->q[--e->nq];	/* the rest are freed below */
			cp_neigh_held--;
		}
		cp_neigh_drop_queue(e);
		cp_neigh_remove(i);
		break;
	default:
		break;
	}
	return first;
}

void cp_neigh_tick(uint64_t now_ms)
{
	struct rte_mbuf *unreach[CP_ICMP_ERR_BURST];
	unsigned n_unreach = 0;

	if (now_ms < cp_neigh_now)
		now_ms = cp_neigh_now;	/* never run the clock backwards */
	cp_neigh_now = now_ms;
	/* Backwards, so that removing entry i leaves the rest to visit in place. */
	for (unsigned i = cp_neigh_n; i-- > 0;) {
		struct rte_mbuf *m = cp_neigh_timer(i, now_ms);

		if (m == NULL)
			continue;
		if (n_unreach < RTE_DIM(unreach))
			unreach[n_unreach++] = m;
		else
			rte_pktmbuf_free(m);
	}
	/* Errors after the walk: sending may create entries. */
	for (unsigned i = 0; i < n_unreach; i++) {
		cp_icmp_error(unreach[i], CP_ICMP_ERR_HOST_UNREACH, 0, -1);
		rte_pktmbuf_free(unreach[i]);
	}
}

unsigned cp_neigh_flush_iface(unsigned iface)
{
	unsigned n = 0;

	for (unsigned i = cp_neigh_n; i-- > 0;) {
		struct cp_neigh *e = &cp_neigh_tab[i];

		if (e->iface != iface || e->state == CP_NEIGH_STATIC)
			continue;
		if (e->published)
			dp_neigh_del(e->iface, &e->addr);
		cp_count_n(CP_C_neigh_unresolved, e->nq);
		cp_neigh_drop_queue(e);
		cp_neigh_remove(i);
		n++;
	}
	return n;
}

unsigned cp_neigh_count(void)
{
	return cp_neigh_n;
}

int cp_neigh_get(unsigned idx, struct cp_neigh_info *out)
{
	const struct cp_neigh *e;

	if (idx >= cp_neigh_n)
		return -ENOENT;
	e = &cp_neigh_tab[idx];
	memset(out, 0, sizeof(*out));
	out->iface = e->iface;
	out->addr = e->addr;
	out->mac = e->mac;
	out->state = (enum cp_neigh_state)e->state;
	out->age_ms = cp_neigh_now - e->confirmed_ms;
	out->queued = e->nq;
	return 0;
}
