/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CP_SA_H
#define GW_CP_SA_H

/*
 * The control plane's one seam to the data plane's SA table and policy
 * database (dataplane/dp_sa.h, dataplane/dp_spd.h), as iked's ipsec.c sits
 * in front of pfkey.c.  At start-up it
 *   - gives manual SA i tunnel id i, IKE peer i tunnel id n_manual + i (a
 *     reload keeps a kept peer's id and gives added peers fresh ones from
 *     cp_sa_tunnel_alloc(): cp_sa_peers_publish),
 *   - publishes the policy set: PROTECT for every local_ts x remote_ts pair
 *     of one family of every manual SA (its tunnel), BYPASS / DISCARD for
 *     those of `policies`, protect rules first,
 *   - installs every manual SA as an inbound/outbound pair and wipes the
 *     descriptors it built.
 * On every CP tick it drains the data plane's SA events and logs them (a
 * manual SA has no IKE to rekey it: its lifetime events are only logged);
 * an ACQUIRE for an IKE peer's tunnel starts ikev2_initiate() to it, and
 * the lifetime events of an IKE child go to ikev2_child_expire() (rekey).
 * Retiring an SA pair leaves its policy in place: protected traffic is then
 * dropped (drop_protect_no_sa), never sent in the clear.
 *
 * Threads: CP (the main lcore) only; the data plane's workers may be
 * running.  Returns 0 or -errno unless stated.
 */

#include <stdbool.h>
#include <stdint.h>

#include "cfg/cfg.h"

/* One manual SA pair as telemetry and `clear` see it. */
struct cp_sa_manual {
	char name[CFG_NAME_MAX];
	uint32_t tunnel;
	uint32_t spi_in, spi_out;	/* host order */
	uint32_t h_in, h_out;		/* dp_sa handles; DP_SA_INVALID once cleared */
	uint64_t life_soft_bytes, life_hard_bytes;	/* 0 = none; soft = 90 % of hard */
	uint64_t life_soft_pkts, life_hard_pkts;
	bool cleared;
};

/*
 * After dp_init(): tunnels, policies and manual SAs from cfg.  Errors are
 * logged as "FILE:LINE: manual SA NAME: what" and undone: -EADDRNOTAVAIL
 * (a manual SA's local is not one of our interface addresses), -EINVAL,
 * -EEXIST, -ENOSPC, -ENOMEM (from dp_spd_set / dp_sa_install_pair).
 */
int cp_sa_init(const struct gw_cfg *cfg);
/* Retire the manual SAs still installed and forget them (before dp_fini). */
void cp_sa_fini(void);

/* CP tick: drain and log the data plane's SA events. */
void cp_sa_tick(void);

/* A fresh tunnel id for an IKE peer, after the manual SAs' ids, or
 * DP_SA_INVALID when every id up to DP_TUNNEL_MAX is taken. */
uint32_t cp_sa_tunnel_alloc(void);

/* The tunnel id of IKE peer peer (cfg->peers index): its PROTECT rules
 * (local_ts x remote_ts, on demand for initiate = "trap") are published
 * by cp_sa_init with the manual SAs'; DP_SA_INVALID for no such peer. */
uint32_t cp_sa_peer_tunnel(unsigned peer);
/* The IKE peer (cfg->peers index) whose tunnel is tunnel, or -1. */
int cp_sa_tunnel_peer(uint32_t tunnel);
/*
 * Configuration reload: publish cfg's whole policy set (one dp_spd_set:
 * the workers never see a partial one) with IKE peer i on tunnel
 * peer_tunnel[i] (cfg->n_peers entries; the manual SAs must be those of
 * cp_sa_init), and use that mapping from now on.  0, or dp_spd_set()'s
 * -errno with the policies and the mapping as they were.
 */
int cp_sa_peers_publish(const struct gw_cfg *cfg, const uint32_t *peer_tunnel);
/*
 * IKE: install an inbound/outbound pair built from two descriptors, then
 * wipe both (whatever the result).  *h_in / *h_out get the handles
 * (DP_SA_INVALID on failure).  0 or dp_sa_install_pair()'s -errno.
 */
struct gw_sa_desc;
int cp_sa_install_ike_pair(struct gw_sa_desc *in, struct gw_sa_desc *out, uint32_t *h_in,
			   uint32_t *h_out);
/* IKE: install one SA (a rekey responder's new inbound SA, later its
 * outbound one), then wipe d.  0 or dp_sa_install()'s -errno. */
int cp_sa_install_ike_one(struct gw_sa_desc *d, uint32_t *h);
/*
 * The retire path shared by `clear` and (later) IKE: retire an SA pair
 * (either handle may be DP_SA_INVALID).  Returns how many were retired.
 */
unsigned cp_sa_retire_pair(uint32_t h_in, uint32_t h_out);
/* Retire n SAs at once (every one unpublished before this returns): the
 * revocation path's batch.  Returns how many were retired. */
unsigned cp_sa_retire_batch(const uint32_t *h, unsigned n);

/*
 * Operator `clear crypto sa NAME`: retire manual SA NAME's pair; *out (may
 * be NULL) gets its state from before.  0, -ENOENT (no manual SA of that
 * name), -EALREADY (already cleared).
 */
int cp_sa_clear(const char *name, struct cp_sa_manual *out);

/* The manual SAs, in configuration order. */
unsigned cp_sa_manual_count(void);
/* 0 or -ENOENT. */
int cp_sa_manual_get(unsigned idx, struct cp_sa_manual *out);

/* Events drained and logged since start. */
uint64_t cp_sa_events_seen(void);

#endif /* GW_CP_SA_H */
