/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CP_STATS_H
#define GW_CP_STATS_H

/* Control-plane counters; written by the CP thread only, read via snapshot. */

#include <stdint.h>

#define CP_COUNTERS(X) \
	X(punt_rx, "punted packets handled") \
	X(arp_rx, "ARP packets received") \
	X(arp_req_rx, "ARP requests for our addresses") \
	X(arp_reply_tx, "ARP replies sent") \
	X(arp_req_tx, "ARP requests sent") \
	X(arp_garp_tx, "gratuitous ARPs sent") \
	X(arp_ignored, "ARP packets ignored (not for us)") \
	X(nd_rx, "neighbour discovery packets received") \
	X(nd_na_tx, "neighbour advertisements sent") \
	X(nd_ns_tx, "neighbour solicitations sent") \
	X(nd_bad, "bad neighbour discovery packets") \
	X(icmp_echo_rx, "ICMP/ICMPv6 echo requests to us") \
	X(icmp_echo_tx, "ICMP/ICMPv6 echo replies sent") \
	X(icmp_err_tx, "ICMP errors sent") \
	X(icmp_err_ratelimited, "ICMP errors suppressed by rate limit") \
	X(icmp_bad, "bad ICMP packets dropped") \
	X(neigh_queued, "packets queued for resolution") \
	X(neigh_queue_drop, "packets dropped: resolution queue full") \
	X(neigh_unresolved, "packets dropped: next hop did not resolve") \
	X(frag_rx, "fragments to us received") \
	X(frag_reassembled, "datagrams reassembled") \
	X(frag_drop, "fragments dropped (table full, timeout, bad)") \
	X(ike_rx, "IKE datagrams delivered") \
	X(ike_tx, "IKE datagrams sent") \
	X(ike_drop, "IKE datagrams dropped (malformed or no handler)") \
	X(tx_fail, "control-plane sends failed") \
	X(tm_requests, "telemetry requests served") \
	X(tm_timeouts, "telemetry requests timed out")

enum cp_counter {
#define X(n, d) CP_C_##n,
	CP_COUNTERS(X)
#undef X
	CP_C_MAX
};

extern uint64_t cp_stats[CP_C_MAX];
const char *cp_counter_name(enum cp_counter c);

static inline void cp_count(enum cp_counter c)
{
	cp_stats[c]++;
}

#endif /* GW_CP_STATS_H */
