/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CP_STATS_H
#define GW_CP_STATS_H

/*
 * Control-plane counters; written by the CP thread only (plain increments),
 * read by main at exit and by telemetry through a snapshot taken on the CP
 * thread.  Names and help texts come from this one X-macro list.  The
 * names share one namespace with dataplane/dp_stats.h (main prints both
 * lists at exit, telemetry returns both in one dict): never reuse a
 * data-plane counter's name here.
 */

#include <stdint.h>

#define CP_COUNTERS(X) \
	X(punt_rx, "punted packets handled") \
	X(punt_bad, "punted packets dropped: unknown port, reason or runt frame") \
	X(arp_rx, "ARP packets received") \
	X(arp_req_rx, "ARP requests for our addresses") \
	X(arp_reply_rx, "ARP replies addressed to us") \
	X(arp_reply_tx, "ARP replies sent") \
	X(arp_req_tx, "ARP requests sent") \
	X(arp_garp_tx, "gratuitous ARPs sent") \
	X(arp_ignored, "ARP packets ignored (not for us)") \
	X(arp_bad, "ARP packets dropped: bad types, lengths, opcode or sender") \
	X(arp_conflict, "ARP packets claiming one of our addresses") \
	X(nd_rx, "neighbour discovery packets received") \
	X(nd_ns_rx, "neighbour solicitations for our addresses") \
	X(nd_na_rx, "neighbour advertisements received") \
	X(nd_na_tx, "neighbour advertisements sent") \
	X(nd_ns_tx, "neighbour solicitations sent") \
	X(nd_ignored, "neighbour discovery packets ignored (not for us, RS/RA)") \
	X(nd_bad, "bad neighbour discovery packets") \
	X(nd_conflict, "neighbour advertisements claiming one of our addresses") \
	X(icmp_echo_rx, "ICMP/ICMPv6 echo requests to us") \
	X(icmp_echo_tx, "ICMP/ICMPv6 echo replies sent") \
	X(icmp_rx_other, "ICMP/ICMPv6 to us that needs no answer") \
	X(icmp_err_tx, "ICMP errors sent") \
	X(icmp_err_ratelimited, "ICMP errors suppressed by rate limit") \
	X(icmp_err_suppressed, "ICMP errors not sent by rule (error, broadcast, fragment)") \
	X(icmp_bad, "bad ICMP packets dropped") \
	X(cp_fwd_pkts, "transit packets forwarded by the control plane") \
	X(fwd_drop, "transit packets dropped by the control plane") \
	X(neigh_learnt, "neighbour mappings learnt or refreshed") \
	X(neigh_queued, "packets queued for resolution") \
	X(neigh_queue_drop, "packets dropped: resolution queue full") \
	X(neigh_unresolved, "packets dropped: next hop did not resolve") \
	X(neigh_table_full, "packets dropped: neighbour table full") \
	X(neigh_expired, "neighbour entries deleted after failed refresh") \
	X(frag_rx, "fragments to us received") \
	X(frag_reassembled, "datagrams reassembled") \
	X(frag_dup, "duplicate fragments dropped") \
	X(frag_drop, "fragments dropped (table full, timeout, too many, bad)") \
	X(frag_tx, "fragments sent") \
	X(frag_tx_fail, "datagrams that could not be fragmented") \
	X(ike_rx, "IKE datagrams delivered") \
	X(ike_tx, "IKE datagrams sent") \
	X(ike_drop, "IKE datagrams dropped (malformed or no handler)") \
	X(ike_bad_cksum, "IKE datagrams dropped: bad UDP checksum") \
	X(ike_keepalive, "NAT-T keepalives received") \
	X(local_drop, "reassembled datagrams to us with no handler") \
	X(tx_fail, "control-plane sends failed") \
	X(tm_requests, "telemetry requests served") \
	X(tm_timeouts, "telemetry requests timed out") \
	X(link_down, "interfaces whose port lost its link") \
	X(link_up, "interfaces whose port got its link back") \
	X(link_routes_withdrawn, "routes withdrawn because their interface's link went down") \
	X(link_routes_restored, "withdrawn routes put back when the link came up") \
	X(link_neigh_flushed, "neighbour entries flushed because their link went down")

enum cp_counter {
#define X(n, d) CP_C_##n,
	CP_COUNTERS(X)
#undef X
	CP_C_MAX
};

extern uint64_t cp_stats[CP_C_MAX];
/* Name of a counter; "?" when out of range. */
const char *cp_counter_name(enum cp_counter c);

static inline void cp_count(enum cp_counter c)
{
	cp_stats[c]++;
}

static inline void cp_count_n(enum cp_counter c, uint64_t n)
{
	cp_stats[c] += n;
}

#endif /* GW_CP_STATS_H */
