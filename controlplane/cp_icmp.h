/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CP_ICMP_H
#define GW_CP_ICMP_H

/*
 * ICMP and ICMPv6 that the gateway answers or originates.  CP thread only.
 *
 * Echo: requests to one of our addresses (checksums verified) are answered
 * from the address that was pinged.
 *
 * Errors (RFC 1812 4.3.2, RFC 4443 2.4): token-bucket rate limited
 * (CP_ICMP_ERR_RATE per second, bursts of CP_ICMP_ERR_BURST), never about
 * an ICMP error, a packet to a broadcast/multicast address, a non-first
 * fragment, a packet with no sane source, or a packet we sent; the quote
 * is as much of the offending packet as keeps the error within 576 bytes
 * (IPv4) / 1280 bytes (IPv6).
 */

#include <stdint.h>

#include <rte_mbuf.h>

enum {
	CP_ICMP_ERR_RATE = 100,		/* tokens per second */
	CP_ICMP_ERR_BURST = 50,		/* bucket depth */
};

/* Kind of error -> ICMPv4 type/code, ICMPv6 type/code. */
#define CP_ICMP_ERRS(X) \
	X(TIME_EXCEEDED, 11, 0, 3, 0, "time exceeded in transit") \
	X(NET_UNREACH, 3, 0, 1, 0, "no route to destination") \
	X(HOST_UNREACH, 3, 1, 1, 3, "host / address unreachable") \
	X(TOO_BIG, 3, 4, 2, 0, "fragmentation needed / packet too big")

enum cp_icmp_err {
#define X(n, t4, c4, t6, c6, d) CP_ICMP_ERR_##n,
	CP_ICMP_ERRS(X)
#undef X
	CP_ICMP_ERR_MAX
};

/* ICMP (v4) or ICMPv6 to one of our addresses, data at the IP header,
 * received on iface.  Answers echo requests.  Consumes m. */
void cp_icmp_input(struct rte_mbuf *m, unsigned iface);

/*
 * Send an error about orig (data at the IP header; not consumed, but link
 * padding may be trimmed).  mtu is
 * the next-hop MTU for TOO_BIG.  in_iface (or -1) is where orig came in,
 * used to reach a link-local source.  0 when sent, -EPERM when a rule
 * forbids it, -EAGAIN when rate limited, other -errno on failure.
 */
int cp_icmp_error(struct rte_mbuf *orig, enum cp_icmp_err kind, uint32_t mtu, int in_iface);
/* Refill the error bucket; now_ms monotonic. */
void cp_icmp_tick(uint64_t now_ms);
/* Reset the bucket to full (start, tests). */
void cp_icmp_init(void);

#endif /* GW_CP_ICMP_H */
