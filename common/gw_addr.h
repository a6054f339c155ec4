/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_ADDR_H
#define GW_ADDR_H

/*
 * IPv4/IPv6 addresses and prefixes as the whole gateway passes them around.
 * IPv4 is kept in network byte order, exactly as on the wire; convert with
 * rte_be_to_cpu_32() where a table (rte_lpm) wants host order.
 * Pure functions, thread-safe.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define GW_ADDR_STRLEN 46	/* INET6_ADDRSTRLEN */
#define GW_PREFIX_STRLEN (GW_ADDR_STRLEN + 4)
#define GW_MAC_STRLEN 18

struct gw_addr {
	uint8_t family;		/* AF_INET or AF_INET6; 0 = unset */
	uint8_t pad[3];
	union {
		uint32_t v4;	/* network byte order */
		uint8_t v6[16];
	};
};

struct gw_prefix {
	struct gw_addr addr;
	uint8_t len;		/* 0..32 or 0..128 */
};

struct gw_mac {
	uint8_t b[6];
};

/* Parse a literal address. 0 or -EINVAL. */
int gw_addr_parse(const char *s, struct gw_addr *a);
/* Parse "ADDR/LEN". host bits are kept as written. 0 or -EINVAL. */
int gw_prefix_parse(const char *s, struct gw_prefix *p);
/* "aa:bb:cc:dd:ee:ff". 0 or -EINVAL. */
int gw_mac_parse(const char *s, struct gw_mac *m);
/* The value of one hex digit (either case), or -1. */
int gw_hexval(char c);

/* Format into buf (at least GW_ADDR_STRLEN / GW_PREFIX_STRLEN / GW_MAC_STRLEN). */
const char *gw_addr_fmt(const struct gw_addr *a, char *buf, size_t len);
const char *gw_prefix_fmt(const struct gw_prefix *p, char *buf, size_t len);
const char *gw_mac_fmt(const struct gw_mac *m, char *buf, size_t len);

bool gw_addr_eq(const struct gw_addr *a, const struct gw_addr *b);
/* Clear the host bits of p in place. */
void gw_prefix_mask(struct gw_prefix *p);
/* True when p has host bits set beyond its length. */
bool gw_prefix_has_host_bits(const struct gw_prefix *p);
bool gw_prefix_contains(const struct gw_prefix *p, const struct gw_addr *a);
static inline unsigned gw_addr_maxlen(const struct gw_addr *a)
{
	return a->family == AF_INET6 ? 128 : 32;
}

#endif /* GW_ADDR_H */
