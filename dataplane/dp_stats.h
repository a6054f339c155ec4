/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_DP_STATS_H
#define GW_DP_STATS_H

/*
 * Per-lcore data-plane counters, one cache-aligned block per lcore, written
 * only by their own lcore (relaxed atomic stores), summed by readers.  Every drop
 * goes through dp_drop(), which counts its reason and frees the mbuf.
 * The names come from this one X-macro list.
 */

#include <stdint.h>

#include <rte_common.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "dataplane/dp.h"

/*
 * The drop reasons an operator reads through /ipsecgw/dp/drops (a flat dict
 * of exactly these names) and per SA.  X(name, help).
 */
#define DP_DROPS(X) \
	X(drop_no_sa_in, "dropped: ESP with an unknown SPI") \
	X(drop_protect_no_sa, "dropped: outbound traffic of a protect policy with no SA") \
	X(drop_cleartext_protected, "dropped: inbound cleartext matching a protected selector") \
	X(drop_policy_discard, "dropped: a discard policy") \
	X(drop_replay, "dropped: ESP replayed or left of the window") \
	X(drop_icv, "dropped: ESP integrity check failed") \
	X(drop_bad_padding, "dropped: ESP padding or next header wrong") \
	X(drop_ts_mismatch, "dropped: decrypted packet outside the SA's selectors") \
	X(drop_lifetime, "dropped: SA past its hard lifetime") \
	X(drop_seq_overflow, "dropped: outbound sequence number exhausted") \
	X(drop_malformed, "dropped: malformed ESP packet") \
	X(drop_tx_full, "dropped: TX queue full") \
	X(drop_no_route, "dropped: no route for the outer packet") \
	X(drop_no_neighbor, "dropped: next hop of the outer packet not resolved") \
	X(drop_frag, "dropped: outer fragmentation failed") \
	X(drop_ecn, "dropped: outer CE over a Not-ECT inner packet (RFC 6040 4.2)")

/* Every per-lcore counter: the drops above first, then the rest. */
#define DP_COUNTERS(X) \
	DP_DROPS(X) \
	X(rx_pkts, "packets received") \
	X(tx_pkts, "packets sent") \
	X(fwd_pkts, "packets forwarded") \
	X(punt_pkts, "packets punted to the control plane (all classes)") \
	X(cptx_pkts, "control-plane packets sent") \
	X(esp_out_pkts, "packets encrypted") \
	X(esp_in_pkts, "packets decrypted") \
	X(esp_handoff_pkts, "packets handed to the SA's owning worker") \
	X(drop_handoff_full, "dropped: handoff ring to the owning worker full") \
	X(esp_acquire, "acquire events for on-demand tunnels") \
	X(tunnel_mss_clamped, "TCP SYNs whose MSS a tunnel's tcp_mss lowered") \
	X(tunnel_ce_marked, "decapsulated packets marked CE from the outer header (RFC 6040)") \
	X(tunnel_mtu_exceeded, "packets over a tunnel's mtu that may not be fragmented: ICMP") \
	X(idle_sleeps, "idle back-off sleeps") \
	X(prof_pkts, "packets received in profiled worker loops (1 in 64)") \
	X(prof_loop_cycles, "TSC cycles of those loops (receive to transmit)") \
	X(prof_cls_cycles, "TSC cycles classifying in those loops") \
	X(drop_runt, "dropped: runt Ethernet frame") \
	X(drop_ethertype, "dropped: unsupported ethertype") \
	X(drop_not_for_us, "dropped: destination MAC not ours") \
	X(drop_arp_truncated, "dropped: truncated ARP") \
	X(drop_ip_hdr, "dropped: bad IP header") \
	X(drop_ip_cksum, "dropped: bad IPv4 header checksum") \
	X(drop_ip_len, "dropped: IP length beyond frame") \
	X(drop_ip_martian, "dropped: martian address") \
	X(drop_local_proto, "dropped: unhandled protocol to the gateway") \
	X(drop_udp_hdr, "dropped: bad UDP header") \
	X(drop_natt_keepalive, "dropped: NAT-T keepalive (expected)") \
	X(drop_punt_ring_full, "dropped: punt ring full (all classes)") \
	X(drop_punt_policed, "dropped: over a punt class's rate (all classes)") \
	X(drop_cptx_ring_full, "dropped: control-plane TX ring full") \
	X(drop_vlan_unknown, "dropped: 802.1Q tag of a VLAN no interface of the port has") \
	X(drop_vlan_untagged, "dropped: untagged frame on a port with only VLAN interfaces") \
	X(drop_vlan_tag, "dropped: no room to insert the 802.1Q tag on transmit")

/* The drop reasons as their own small enum, for per-SA counters:
 * DP_DROP_x == DP_C_x for every x of DP_DROPS. */
enum dp_drop {
#define X(n, d) DP_DROP_##n,
	DP_DROPS(X)
#undef X
	DP_DROP_MAX
};

enum dp_counter {
#define X(n, d) DP_C_##n,
	DP_COUNTERS(X)
#undef X
	DP_C_MAX
};

/*
 * Per punt class (dp.h), beside the totals above: X(name, help).  An
 * originated NEIGH_MISS packet dropped on the punt path counts here and as
 * drop_no_neighbor; every other one as drop_punt_policed or
 * drop_punt_ring_full.
 */
#define DP_PUNT_CTRS(X) \
	X(punted, "enqueued for the control plane") \
	X(policed, "dropped: over the class's rate") \
	X(ring_full, "dropped: the class's ring full")

enum dp_punt_ctr {
#define X(n, d) DP_PUNT_C_##n,
	DP_PUNT_CTRS(X)
#undef X
	DP_PUNT_C_MAX
};

struct dp_lcore_stats {
	uint64_t c[DP_C_MAX];
	uint64_t punt[DP_PUNT_CLASS_MAX][DP_PUNT_C_MAX];
} __rte_cache_aligned;

extern struct dp_lcore_stats dp_stats[RTE_MAX_LCORE];

const char *dp_counter_name(enum dp_counter c);
const char *dp_punt_ctr_name(enum dp_punt_ctr k);
/* Sum over all lcores into out (racy but monotonic reads, by design). */
void dp_stats_sum(struct dp_lcore_stats *out);

/*
 * Add n to counter c of lcore's block.  One writer per block, so a relaxed
 * load and store suffice (no locked instruction); being atomic, they keep
 * a reader on another thread (dp_stats_sum) from ever seeing a torn value.
 */
static inline void dp_count_lcore(unsigned lcore, enum dp_counter c, uint64_t n)
{
	uint64_t *v = &dp_stats[lcore].c[c];

	__atomic_store_n(v, __atomic_load_n(v, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}

/* Add n to punt counter k of class c in lcore's block (same rule). */
static inline void dp_count_punt(unsigned lcore, enum dp_punt_class c, enum dp_punt_ctr k,
				 uint64_t n)
{
	uint64_t *v = &dp_stats[lcore].punt[c][k];

	__atomic_store_n(v, __atomic_load_n(v, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}

/* The calling lcore's counter (an EAL thread: a worker or the main lcore). */
static inline void dp_count(enum dp_counter c, uint64_t n)
{
	dp_count_lcore(rte_lcore_id(), c, n);
}

/* The one drop helper: count the reason, free the mbuf. */
static inline void dp_drop(struct rte_mbuf *m, enum dp_counter reason)
{
	dp_count(reason, 1);
	rte_pktmbuf_free(m);
}

#endif /* GW_DP_STATS_H */
