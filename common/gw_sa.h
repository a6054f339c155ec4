/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_SA_H
#define GW_SA_H

/*
 * The SA descriptor: everything the control plane (IKE, or the manual SAs
 * of the configuration) hands to the data plane to install one ESP SA in
 * tunnel mode.  A plain value; it holds keys, so whoever fills one wipes it
 * with gw_sa_desc_wipe() once installed.  See dataplane/dp_sa.h for the
 * interface that takes it.
 */

#include <stdbool.h>
#include <stdint.h>

#include "common/gw_addr.h"
#include "common/gw_ct.h"
#include "common/gw_esp.h"

enum {
	GW_SA_NAME_MAX = 32,		/* incl. NUL */
	GW_SA_MAX_TS = 4,		/* traffic selectors per side */
	GW_NATT_PORT = 4500,		/* RFC 3948 */
};

enum gw_sa_dir {
	GW_SA_IN,			/* we decrypt: remote -> local */
	GW_SA_OUT,			/* we encrypt: local -> remote */
};

/*
 * Per-tunnel data-plane knobs (config keys of peers[] and manual_sas[];
 * applied by dataplane/esp_knobs.h).  All zero = the defaults.
 */
enum gw_df {
	GW_DF_CLEAR,			/* outer IPv4 DF clear: it may be fragmented */
	GW_DF_COPY,			/* from the inner IPv4; set for inner IPv6 */
	GW_DF_SET,
};

enum gw_ecn {
	GW_ECN_NORMAL,			/* RFC 6040 4.1 normal mode: copy the ECN field */
	GW_ECN_COMPAT,			/* compatibility mode: outer Not-ECT */
};

struct gw_tunnel_knobs {
	uint16_t tcp_mss;		/* lower the MSS of TCP SYNs to this; 0 = off */
	uint16_t mtu;			/* larger inner packets that may not be
					 * fragmented get ICMP too big; 0 = off */
	uint8_t df;			/* enum gw_df */
	uint8_t ecn;			/* enum gw_ecn */
	bool dscp_fixed;		/* false: copy the inner DSCP */
	uint8_t dscp;			/* the outer DSCP when dscp_fixed, 0..63 */
	bool ttl_keep;			/* the tunnel is no hop: ttl_decrement = false */
};

struct gw_sa_desc {
	char name[GW_SA_NAME_MAX];	/* "lab1": the manual SA or IKE child's name */
	uint64_t session_id;		/* owning IKE SA; 0 = manual */
	uint32_t tunnel;		/* tunnel id (dp_spd.h) whose policies it serves */
	uint32_t spi;			/* host order, >= GW_ESP_SPI_MIN (256) */
	uint8_t dir;			/* enum gw_sa_dir */
	uint8_t alg;			/* enum esp_alg */
	bool esn;			/* 64-bit sequence numbers (RFC 4303 2.2.1) */
	bool encap;			/* ESP in UDP (RFC 3948) */
	uint16_t encap_sport;		/* host order; ours, normally 4500 */
	uint16_t encap_dport;		/* host order; the peer's observed IKE port */
	uint32_t replay_window;		/* IN: packets, esp_replay_size_valid(); 0 = 64 */
	/* Tunnel endpoints, same family: OUT: outer src = local, dst = remote;
	 * IN: outer dst = local, src = remote. */
	struct gw_addr local;
	struct gw_addr remote;
	/* Keys as IKE derives them / ip xfrm takes them: GCM key || 4-byte salt;
	 * CBC: the AES key; NULL: none.  auth_key: HMAC only. */
	uint8_t enc_key[GW_ESP_ENC_KEY_MAX];
	uint8_t enc_key_len;
	uint8_t auth_key[GW_ESP_AUTH_KEY_MAX];
	uint8_t auth_key_len;
	/* Lifetimes; 0 = none.  Soft raises an event once, hard stops the SA. */
	uint64_t life_soft_bytes, life_hard_bytes;
	uint64_t life_soft_pkts, life_hard_pkts;
	/* Inner traffic selectors (address prefixes; a full IKE TS's protocol
	 * and ports are narrowed to prefixes by the control plane).  local_ts
	 * is our side: OUT matches inner src in local_ts and dst in remote_ts;
	 * IN requires inner src in remote_ts and dst in local_ts. */
	struct gw_prefix local_ts[GW_SA_MAX_TS];
	uint8_t n_local_ts;
	struct gw_prefix remote_ts[GW_SA_MAX_TS];
	uint8_t n_remote_ts;
	struct gw_tunnel_knobs knobs;	/* both directions get the tunnel's */
};

/* Zero the keys of d (and the rest of it). */
static inline void gw_sa_desc_wipe(struct gw_sa_desc *d)
{
	gw_wipe(d, sizeof(*d));
}

#endif /* GW_SA_H */
