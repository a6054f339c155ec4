/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_DP_H
#define GW_DP_H

/*
 * The data plane's interface to main and to the control plane.
 *
 * Threads: dp_init(), dp_launch(), dp_stop(), dp_fini() run on the main
 * lcore.  The control plane (main lcore) is the single writer of every
 * table (routes, neighbours); workers only read, lock-free, and report an
 * RCU quiescent state once per loop.  Functions marked "CP" must be called
 * from the control-plane thread only.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "cfg/cfg.h"
#include "common/gw_addr.h"

enum {
	DP_MAX_IFACES = CFG_MAX_IFACES,
	DP_BURST = 32,
	/* workers -> CP, one MP/SC ring per punt class (see below) */
	DP_PUNT_RING_NEIGH = 1024,
	DP_PUNT_RING_IKE = 2048,
	DP_PUNT_RING_OTHER = 2048,
	DP_PUNT_RING_IKE_NEW = 1024,
	DP_PUNT_RING_MBUFS = DP_PUNT_RING_NEIGH + DP_PUNT_RING_IKE + DP_PUNT_RING_OTHER +
			     DP_PUNT_RING_IKE_NEW,
	DP_IKE_SPI_MAX = 131072,	/* our IKE SPIs published (IKE_SA_MAX) */
	DP_CPTX_RING_SIZE = 1024,	/* CP -> one worker per port, SP/SC */
};

/*
 * Why a packet went to the control plane.  Stored in m->hash.usr by the
 * worker; the input port is m->port.
 */
#define DP_PUNT_REASONS(X) \
	X(ARP, "arp") \
	X(ND, "icmp6 neighbour discovery") \
	X(ICMP_LOCAL, "icmp to the gateway") \
	X(ICMP6_LOCAL, "icmp6 to the gateway") \
	X(IKE, "udp 500 to the gateway") \
	X(IKE_NATT, "udp 4500 with non-esp marker to the gateway") \
	X(FRAG, "ip fragment to the gateway") \
	X(TTL_EXCEEDED, "ttl / hop limit expired in transit") \
	X(NO_ROUTE, "no route to destination") \
	X(NEIGH_MISS, "next hop not resolved") \
	X(TOO_BIG, "larger than the outgoing MTU")

enum dp_punt_reason {
#define X(n, d) DP_PUNT_##n,
	DP_PUNT_REASONS(X)
#undef X
	DP_PUNT_MAX
};
const char *dp_punt_reason_name(enum dp_punt_reason r);

/*
 * Punt classes, decided on the worker per packet (dp_punt.c), each with
 * its own ring and, per worker, its own token-bucket policer (the class's
 * configured pps / number of workers).  The list and the defaults are
 * CFG_PUNT_CLASSES (cfg.h), in the order the control plane serves them:
 *   NEIGH    ARP, ND;
 *   IKE      IKE (UDP 500, or 4500 with the non-ESP marker) whose SPI on
 *            our side is in the set of the gateway's own IKE SPIs
 *            (dp_punt_spi_add), IKEv1 by either cookie;
 *   OTHER    every other reason (ICMP, fragments, TTL, no route,
 *            neighbour miss, too big);
 *   IKE_NEW  every other IKE datagram: IKE_SA_INIT (responder SPI 0),
 *            IKEv1 first messages, unknown SPIs, too short for a header.
 *            Never dropped for being unknown: only served last.
 */
enum dp_punt_class {
#define X(U, l, d) DP_PUNT_CLASS_##U = CFG_PUNT_##U,
	CFG_PUNT_CLASSES(X)
#undef X
	DP_PUNT_CLASS_MAX
};
const char *dp_punt_class_name(enum dp_punt_class c);

/*
 * What else a punted packet carries, in m->hash.fdir.hi (0 otherwise):
 *   TOO_BIG of a packet that was to be encrypted: the MTU its sender must
 *     use (the outer route's MTU less the ESP overhead); the packet (IPv4
 *     with DF, or IPv6) must never be forwarded in the clear;
 *   NEIGH_MISS: DP_PUNT_ORIGINATED for a packet the gateway made (an
 *     encrypted outer packet that fits the MTU): send it as it is, with
 *     no TTL step.
 */
enum { DP_PUNT_ORIGINATED = 1 };

/*
 * One interface as the data plane runs it; read-only after dp_init().
 * Interfaces may share a port as 802.1Q sub-interfaces (vlan != 0; at
 * most one untagged interface per port): they share its MAC and its
 * link-local address, the port is opened once, and the workers demux
 * received frames by VLAN id and tag what they send (dataplane/dp_vlan.h).
 */
struct dp_iface {
	char name[CFG_NAME_MAX];
	char port_name[CFG_PORT_MAX];
	uint16_t port_id;
	uint16_t vlan;					/* 802.1Q VLAN id, 0 = untagged */
	uint16_t mtu;					/* IP MTU of this interface */
	struct rte_ether_addr mac;
	struct gw_prefix addrs[CFG_MAX_IFACE_ADDRS];	/* configured */
	unsigned n_addrs;
	struct gw_addr ll6;				/* fe80::/64 EUI-64 */
};

/*
 * Is be (IPv4, network order) the directed broadcast of one of ifc's
 * subnets (all host bits set; /31 and /32 have none)?  Pure, thread-safe.
 */
static inline bool dp_iface_bcast4(const struct dp_iface *ifc, uint32_t be)
{
	uint32_t a = rte_be_to_cpu_32(be);

	for (unsigned i = 0; i < ifc->n_addrs; i++) {
		const struct gw_prefix *p = &ifc->addrs[i];
		uint32_t host;

		if (p->addr.family != AF_INET || p->len == 0 || p->len > 30)
			continue;
		host = UINT32_MAX >> p->len;
		if ((a & ~host) == (rte_be_to_cpu_32(p->addr.v4) & ~host) && (a & host) == host)
			return true;
	}
	return false;
}

/* Set up mempool, ports, rings, tables and RCU.  0 or -errno (logged). */
int dp_init(const struct gw_cfg *cfg);
/* Start one worker per configured worker lcore.  0 or -errno. */
int dp_launch(void);
/* Ask workers to stop and wait for them. */
void dp_stop(void);
void dp_fini(void);

unsigned dp_nb_ifaces(void);
unsigned dp_nb_workers(void);
const struct dp_iface *dp_iface_get(unsigned idx);
/* Interface index of a DPDK port id: its untagged interface, or -1. */
int dp_iface_by_port(uint16_t port_id);
/* Interface index of (port, VLAN id; 0 = untagged), or -1. */
int dp_iface_by_port_vlan(uint16_t port_id, uint16_t vlan);

/*
 * The interface a frame came in by: its port (m->port) and, for a tagged
 * frame, its VLAN id (m->vlan_tci with RTE_MBUF_F_RX_VLAN_STRIPPED, as the
 * workers' demux leaves a punted frame, tag removed); -1 if none.
 */
static inline int dp_iface_of_rx(const struct rte_mbuf *m)
{
	uint16_t vlan = (m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) ?
			(uint16_t)(m->vlan_tci & RTE_VLAN_ID_MASK) : 0;

	return dp_iface_by_port_vlan(m->port, vlan);
}

/* CP: frames the workers received on iface (after the VLAN demux) and
 * sent on it, summed over the workers; 0 or -EINVAL. */
int dp_iface_counts(unsigned iface, uint64_t *rx, uint64_t *tx);
struct rte_mempool *dp_mbuf_pool(void);
struct rte_rcu_qsbr *dp_rcu(void);

/* CP: dequeue up to n punted packets of class c.  Returns the count. */
unsigned dp_punt_dequeue_class(enum dp_punt_class c, struct rte_mbuf **pkts, unsigned n);
/* CP (tests): up to n punted packets, the classes in priority order. */
unsigned dp_punt_dequeue(struct rte_mbuf **pkts, unsigned n);
/* CP: packets waiting in class c's ring now. */
unsigned dp_punt_queued(enum dp_punt_class c);
/* CP: class c's configured rate for the whole gateway (pps). */
uint32_t dp_punt_pps(enum dp_punt_class c);

/*
 * CP: the set of the gateway's own IKE SPIs (8 octets, ours: the one we
 * chose), which the workers read lock-free to tell live sessions' IKE
 * from new IKE.  Holds DP_IKE_SPI_MAX SPIs: an add never fails for lack
 * of room while at most that many are published (removed ones wait for
 * an RCU grace period in a queue of their own).  add: 0, -EEXIST, or
 * -ENODEV without a data plane (unit tests of the IKE code);
 * del: 0, -ENOENT, -ENODEV.  count: SPIs published.
 */
int dp_punt_spi_add(const uint8_t spi[8]);
int dp_punt_spi_del(const uint8_t spi[8]);
unsigned dp_punt_spi_count(void);
/*
 * CP: queue a complete Ethernet frame for transmission on iface; a worker
 * drains the ring and sends it.  Takes ownership of m in every case:
 * on a full ring m is freed, counted (cptx_ring_full) and -ENOBUFS returned.
 */
int dp_cp_tx(unsigned iface, struct rte_mbuf *m);

/* Tests only, with no workers running: take frames the CP queued for iface. */
unsigned dp_cptx_drain(unsigned iface, struct rte_mbuf **pkts, unsigned n);
/* CP: port counters (rte_eth_stats_get) for telemetry.  0 or -errno. */
int dp_port_stats(unsigned iface, struct rte_eth_stats *st);
/* CP: the port's extended counters (rte_eth_xstats_get_names/_get).
 * With names NULL (or n too small), only the count; else fills n names
 * and values (vals[i].id indexes names).  The count, or -errno. */
struct rte_eth_xstat_name;
struct rte_eth_xstat;
int dp_port_xstats(unsigned iface, struct rte_eth_xstat_name *names, struct rte_eth_xstat *vals,
		   unsigned n);
/* lcore id of worker w (w < dp_nb_workers()), for per-worker counters. */
unsigned dp_worker_lcore(unsigned w);

/* CP: reclaim whatever the RCU defer queues allow.  Call on every tick. */
void dp_reclaim(void);

#endif /* GW_DP_H */
