/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CFG_DIFF_H
#define GW_CFG_DIFF_H

/*
 * What a configuration reload would change: the running configuration
 * against a newly loaded one, both validated by cfg_load().  No I/O except
 * re-reading new->path for the line of a changed top-level setting.  Not
 * thread-safe (one diff at a time per caller's struct).
 *
 * Applied live (controlplane/cp_reload.c):
 *   peers       by name: kept (every setting equal but the line and the
 *               trustpoint's index), changed (= removed + added, as
 *               swanctl --load-conns replaces a changed connection), added,
 *               removed;
 *   pki         trustpoints by name (settings here; their CA files' and the
 *               identities' contents are the PKI's to compare), identities,
 *               expiry_warning_days, crl_warning_hours;
 *   policies, crypto.ikev2.*, crypto.isakmp.*, log_level, events.
 * Everything else needs a restart and must be equal: eal, workers,
 * worker_idle_backoff, mbuf_data_size, benchmark_no_replay_check,
 * interfaces, routes, neighbors, telemetry, punt, manual_sas.  Each
 * difference is one line
 *   "FILE:LINE: what cannot change without a restart (detail)"
 * with the line of the setting in the new file (1 when it is gone from it).
 */

#include <stdbool.h>
#include <stdint.h>

#include "cfg/cfg.h"

enum cfg_diff_fate {
	CFG_DIFF_KEPT,
	CFG_DIFF_CHANGED,			/* same name, other settings */
	CFG_DIFF_ADDED,
	CFG_DIFF_REMOVED,
};

enum {
	CFG_DIFF_ERRORS = 8,			/* error lines kept; more are counted */
	CFG_DIFF_IKE_VERSIONS = 3,		/* drp_changed[] by IKE version 1, 2 */
};

struct cfg_diff {
	/* peers, by name */
	uint8_t peer_old[CFG_MAX_PEERS];	/* fate of old peer i: KEPT, CHANGED, REMOVED */
	int peer_old_to_new[CFG_MAX_PEERS];	/* KEPT: its index in new, else -1 */
	uint8_t peer_new[CFG_MAX_PEERS];	/* fate of new peer i: KEPT, CHANGED, ADDED */
	int peer_new_to_old[CFG_MAX_PEERS];	/* KEPT: its index in old, else -1 */
	unsigned peers_kept, peers_changed, peers_added, peers_removed;
	/* trustpoints, by name */
	int tp_old_to_new[CFG_MAX_TRUSTPOINTS];	/* same name in new, or -1 */
	unsigned tps_changed, tps_added, tps_removed;	/* changed: settings or path */
	bool identities_changed;		/* their paths (contents: the PKI) */
	bool pki_windows_changed;		/* expiry_warning_days, crl_warning_hours */
	bool policies_changed;
	bool crypto_changed;			/* any crypto.ikev2 / crypto.isakmp value */
	bool drp_changed[CFG_DIFF_IKE_VERSIONS];	/* disconnect_revoked_peers */
	bool log_level_changed;
	bool events_changed;
	/* what needs a restart: the reload is refused */
	unsigned n_errors;			/* all of them, even past CFG_DIFF_ERRORS */
	char errors[CFG_DIFF_ERRORS][CFG_ERR_MAX];
};

/* Compare old and new into *d.  Returns d->n_errors: 0 when the whole
 * difference can be applied live. */
unsigned cfg_diff(const struct gw_cfg *old, const struct gw_cfg *new, struct cfg_diff *d);

/* Whether d holds any change at all (0 errors and false: nothing to do). */
bool cfg_diff_any(const struct cfg_diff *d);

/* The same settings, the line (and a peer's trustpoint index) aside. */
bool cfg_peer_same(const struct cfg_peer *a, const struct cfg_peer *b);
bool cfg_trustpoint_same(const struct cfg_trustpoint *a, const struct cfg_trustpoint *b);
bool cfg_identity_same(const struct cfg_identity *a, const struct cfg_identity *b);

#endif /* GW_CFG_DIFF_H */
