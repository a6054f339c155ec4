/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ike_flood (test/lab/ike_flood.c): the frames it sends.  ike_flood_msg.c
 * builds whole Ethernet frames holding an IKEv2 IKE_SA_INIT request (or an
 * IKEv1 Main Mode first message) from a spoofed IPv4 source, with a KE
 * payload from a pool of real public keys (or random bytes), and parses the
 * gateway's IKE_SA_INIT responses for a COOKIE.  Single-threaded.
 */

#ifndef IKE_FLOOD_H
#define IKE_FLOOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	FLOOD_FRAME_MAX = 1514,
	FLOOD_NONCE_LEN = 32,
	FLOOD_COOKIE_MAX = 64,		/* RFC 7296 2.6 */
	FLOOD_KE_POOL = 64,		/* real public keys, made at start */
	FLOOD_KE_MAX = 256,		/* MODP-2048 */
};

/* What every frame shares. */
struct flood_cfg {
	uint8_t dst_mac[6], src_mac[6];
	uint32_t dst_ip;		/* network order */
	uint32_t prefix, mask;		/* spoofed sources: host order */
	uint16_t sport, dport;		/* sport 0: random per frame */
	uint16_t group;			/* 19 (ECP-256) or 14 (MODP-2048) */
	bool ikev1;
	bool ke_random;			/* random KE bytes instead of real keys */
	uint64_t nonce_key;		/* Ni = f(SPIi, nonce_key): no state for cookies */
};

/* One request to build: the spoofed source, its SPI and, when answering a
 * COOKIE, the cookie to echo. */
struct flood_req {
	uint32_t src_ip;		/* network order */
	uint16_t sport;
	uint8_t spi[8];
	uint8_t cookie[FLOOD_COOKIE_MAX];
	uint8_t cookie_len;
};

/* A COOKIE the gateway sent to one of the spoofed sources. */
struct flood_resp {
	bool is_init_resp;		/* an IKE_SA_INIT response to us */
	bool has_cookie;
	struct flood_req req;		/* the request to send again (with cookie) */
};

/* Fill the KE pool for cfg->group: 0, or -1 with a message on stderr. */
int flood_ke_pool_init(const struct flood_cfg *cfg);

/* The KE payload's data length for cfg->group. */
size_t flood_ke_len(const struct flood_cfg *cfg);

/* A frame for req into buf (FLOOD_FRAME_MAX); its length. */
size_t flood_frame(const struct flood_cfg *cfg, const struct flood_req *req, uint64_t rnd,
		   uint8_t *buf);

/* Parse a received frame: an IKEv2 IKE_SA_INIT response from the gateway to
 * one of our spoofed sources, and its COOKIE notify if any. */
void flood_parse(const struct flood_cfg *cfg, const uint8_t *f, size_t len,
		 struct flood_resp *out);

#endif
