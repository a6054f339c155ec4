/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CP_CSUM_H
#define GW_CP_CSUM_H

/*
 * Internet checksums (RFC 1071) for what the control plane builds and
 * verifies: partial sums are rte_raw_cksum() values (host-order words of
 * network-order bytes), added in 32 bits and folded at the end, so the
 * final value is stored into a header without byte swapping.
 * Pure functions, thread-safe.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>

static inline uint16_t cp_csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The value to store in a checksum field: complement of the folded sum. */
static inline uint16_t cp_csum_final(uint32_t sum)
{
	return (uint16_t)~cp_csum_fold(sum);
}

static inline uint32_t cp_csum_add(uint32_t sum, const void *p, size_t len)
{
	return sum + rte_raw_cksum(p, len);
}

/* IPv4 pseudo header (RFC 768 / RFC 793); addresses in network order. */
static inline uint32_t cp_csum_pseudo4(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
	struct {
		uint32_t src, dst;
		uint8_t zero, proto;
		uint16_t len;
	} __attribute__((packed)) ph = {
		.src = src, .dst = dst, .zero = 0, .proto = proto,
		.len = rte_cpu_to_be_16(len),
	};

	return rte_raw_cksum(&ph, sizeof(ph));
}

/* IPv6 pseudo header (RFC 8200 8.1). */
static inline uint32_t cp_csum_pseudo6(const uint8_t src[16], const uint8_t dst[16],
				       uint8_t proto, uint32_t len)
{
	struct {
		uint8_t src[16], dst[16];
		uint32_t len;
		uint8_t zero[3], nh;
	} __attribute__((packed)) ph;

	memcpy(ph.src, src, 16);
	memcpy(ph.dst, dst, 16);
	ph.len = rte_cpu_to_be_32(len);
	memset(ph.zero, 0, sizeof(ph.zero));
	ph.nh = proto;
	return rte_raw_cksum(&ph, sizeof(ph));
}

#endif /* GW_CP_CSUM_H */
