/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CP_FRAG_H
#define GW_CP_FRAG_H

/*
 * IP fragments addressed to the gateway, reassembled with rte_ip_frag
 * (its tables are not thread-safe: CP thread only), and fragmentation of
 * what the CP sends.
 *
 * Reassembly: one table per family, at most CP_FRAG_MAX_ENTRIES datagrams
 * in progress each, CP_FRAG_TIMEOUT_MS to complete, at most
 * RTE_LIBRTE_IP_FRAG_MAX_FRAG (8 in Debian's build) fragments a datagram.
 * Exact duplicates of a fragment already held are dropped before they reach
 * rte_ip_frag (which would discard the whole datagram).  The result is a
 * chained mbuf handed to cp_punt_local().  Every fragment that does not end
 * up in a datagram is counted in frag_drop (or frag_dup).
 */

#include <stdint.h>

#include <rte_mbuf.h>

enum {
	CP_FRAG_MAX_ENTRIES = 256,	/* datagrams in progress, per family */
	CP_FRAG_BUCKET_ENTRIES = 8,	/* associativity (power of 2) */
	CP_FRAG_TIMEOUT_MS = 2000,
	CP_FRAG_OUT_MAX = 64,		/* fragments of one datagram we send */
};

/* Create the two reassembly tables.  0 or -ENOMEM (logged). */
int cp_frag_init(void);
/* Drop (and count) every fragment still held; destroy the tables. */
void cp_frag_fini(void);
/* A fragment to us (data at the IP header) from iface.  Consumes m. */
void cp_frag_input(struct rte_mbuf *m, unsigned iface);
/* Drop datagrams older than the timeout; now_tsc in rte_rdtsc() units. */
void cp_frag_expire(uint64_t now_tsc);

/*
 * Fragment m (data at the IP header, IPv4 without DF or IPv6) for an IP MTU
 * of mtu into out[] (single-segment IPv4 fragments, IPv6 fragments with a
 * fresh identification).  Consumes m.  Number of fragments or -errno.
 */
int cp_frag_fragment(struct rte_mbuf *m, uint16_t mtu, struct rte_mbuf **out, unsigned n);

#endif /* GW_CP_FRAG_H */
