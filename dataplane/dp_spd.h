/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_DP_SPD_H
#define GW_DP_SPD_H

/*
 * The security policy database of the data plane.  It comes from the
 * configuration (protect policies from the selectors of peers and
 * manual_sas, bypass/discard from `policies`) and does not depend on
 * whether SAs exist: a protect policy with no SA drops (drop_protect_no_sa)
 * instead of letting the traffic leave in the clear.
 *
 * One rule, seen from this gateway: local is our side's prefix, remote the
 * far side's.  A transit packet matches a rule
 *   OUT  when src is in local and dst in remote: the rule's action applies
 *        (PROTECT: encrypt on the tunnel's current outbound SA);
 *   IN   when src is in remote and dst in local, for PROTECT rules only:
 *        cleartext that should have arrived encrypted (dropped,
 *        drop_cleartext_protected).  Decrypted packets are not looked up
 *        again: their SA's selectors were checked.
 * Among the rules that match, the one with the longest destination prefix
 * wins, then the longest source prefix, then the first configured; an OUT
 * match beats an IN match.  No match: bypass (routed in the clear).
 *
 * Lookup structure: a destination-keyed LPM (IPv4: rte_lpm with RCU
 * reclamation of tbl8 groups; IPv6: a small table of sorted prefixes per
 * length, rebuilt aside and swapped by pointer, as rte_lpm6's fixed 64 MB
 * tbl24 is too big to build twice) whose next hop names an immutable group: the rules whose
 * destination prefix contains that LPM prefix, best first; the source is
 * checked by a short scan of the group.  dp_spd_set() publishes a new
 * policy set without pausing the workers; what it replaces is freed after
 * the grace period.
 *
 * Threads: dp_spd_set/create/destroy/reclaim are CP; dp_spd_lookup4/6 are
 * for any thread (lock-free), the result valid until its next quiescent
 * state.
 */

#include <stdbool.h>
#include <stdint.h>

#include "common/gw_addr.h"

enum {
	DP_SPD_MAX_RULES = 1u << 18,	/* enough for 100k tunnels, both directions */
};

enum dp_spd_action {
	DP_SPD_BYPASS,
	DP_SPD_DISCARD,
	DP_SPD_PROTECT,
};

enum dp_spd_dir {
	DP_SPD_OUT,			/* src in local, dst in remote */
	DP_SPD_IN,			/* src in remote, dst in local (PROTECT only) */
};

struct dp_spd_rule {
	struct gw_prefix local;		/* host bits clear */
	struct gw_prefix remote;	/* same family as local */
	uint8_t action;			/* enum dp_spd_action */
	bool on_demand;			/* PROTECT: no SA raises an acquire */
	uint32_t tunnel;		/* PROTECT: tunnel id (< DP_TUNNEL_MAX) */
};

/* What a lookup found. */
struct dp_spd_match {
	uint8_t action;			/* enum dp_spd_action */
	uint8_t dir;			/* enum dp_spd_dir */
	bool on_demand;
	uint32_t tunnel;
};

/* CP: create the (empty) tables at dp_init; 0 or -ENOMEM.  destroy: with
 * the workers stopped. */
int dp_spd_create(void);
void dp_spd_destroy(void);
/* CP: free what the grace period allows (called by dp_reclaim()). */
void dp_spd_reclaim(void);

/*
 * CP: replace the policy set with rules[0..n).  Validated first (families,
 * host bits, action, tunnel); on any error nothing changes.  0, -EINVAL,
 * -ENOSPC (too many rules or LPM full), -ENOMEM.
 */
int dp_spd_set(const struct dp_spd_rule *rules, unsigned n);

/* Any thread: look up a transit packet.  true with *m filled when a rule
 * matches, false when none does (bypass). */
bool dp_spd_lookup4(uint32_t src_be, uint32_t dst_be, struct dp_spd_match *m);
bool dp_spd_lookup6(const uint8_t *src, const uint8_t *dst, struct dp_spd_match *m);
/* Any thread: dp_spd_lookup4() of n packets (any n), hit[i] its result
 * and m[i] filled when hit[i]; staged over the burst so that the cache
 * misses of its packets overlap (many policies). */
void dp_spd_lookup4_bulk(const uint32_t *src_be, const uint32_t *dst_be, unsigned n,
			 struct dp_spd_match *m, bool *hit);
/* Any thread: is the IPv4 set large enough (its tables beyond a core's L2)
 * for dp_spd_lookup4_bulk() to beat one dp_spd_lookup4() per packet?  With
 * a few policies everything is cached and the staging only costs (~13
 * cycles per packet). */
bool dp_spd_staged4(void);

/* CP, telemetry: the rule count of the current set. */
unsigned dp_spd_count(void);

#endif /* GW_DP_SPD_H */
