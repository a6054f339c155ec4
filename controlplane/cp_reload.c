/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Live reconfiguration (cp_reload.h).  One reload runs on the CP thread,
 * between two events of the loop, in these steps:
 *
 *   1. load   cfg_load() of the file the gateway started with, into a
 *             configuration of its own: syntax and every value.
 *   2. check  every key, certificate and CA file, loaded aside as pki_init
 *             would (pki_reload_check: what --check loads), and
 *             cfg_diff(): a change that needs a restart is an error.  Any
 *             error: "rejected", the new configuration freed, nothing
 *             changed.  No difference at all: "unchanged".
 *   3. apply, the steps that can fail first, undone if a later one fails:
 *      a. tunnels: a kept peer keeps its tunnel id, an added or changed one
 *         gets a fresh id (never one of a removed peer); the whole policy
 *         set is published with them in one dp_spd_set(), so a kept peer's
 *         rules never disappear, not even for one packet;
 *      b. the PKI: retargeted, identities swapped, or restarted
 *         (pki_reload.c; a restart reads the CRLs back from the cache);
 *      then the steps that cannot:
 *      c. the sessions of removed and changed peers are deleted with the
 *         old configuration still in force (IKEv2: their CHILD SAs retired
 *         at once, an INFORMATIONAL DELETE sent; IKEv1: DELETEs of the
 *         IPsec SAs and of the ISAKMP SA); the dead ones are reaped;
 *      d. a session still waiting for its DELETE's answer keeps its peer as
 *         a "removed" entry after the new configuration's peers (ike_sa.h),
 *         so that nothing reads the old configuration once it is freed;
 *         every other session is remapped onto the new configuration by
 *         peer name and trustpoint name: same peer, same tunnel id, same
 *         IKE and CHILD SAs (no rekey, no DELETE, no reinstall: its traffic
 *         does not notice);
 *      e. IKEv2, IKEv1, the revocation feature and the session events read
 *         the new configuration; the switches whose value changed in the
 *         file are applied (disconnect_revoked_peers turned on checks the
 *         live sessions at once; one left alone keeps a value set through
 *         telemetry), then log_level and events;
 *      f. added and changed peers with initiate = "start" are initiated
 *         ("trap" peers wait for their traffic);
 *      g. the configuration replaced is freed (never the one cp_init got).
 *
 * Live: peers, trustpoints, identities (a certificate or key rewritten in
 * place counts: the PKI compares fingerprints, not paths), the pki
 * warning windows, policies, crypto.ikev2.* and crypto.isakmp.* (their
 * values are read at each use), log_level, events.  Needs a restart:
 * eal, workers, worker_idle_backoff, mbuf_data_size, interfaces, routes,
 * neighbors, telemetry, punt, capture, manual_sas, benchmark_no_replay_check.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_log.h>

#include "cfg/cfg_diff.h"
#include "common/gw_event.h"
#include "common/gw_log.h"
#include "controlplane/cp_loop.h"
#include "controlplane/cp_reload.h"
#include "controlplane/cp_sa.h"
#include "controlplane/ike/ike_rev.h"
#include "controlplane/ike/ike_sa.h"
#include "controlplane/ikev1/ikev1.h"
#include "controlplane/ikev2/ikev2.h"
#include "controlplane/pki/pki.h"
#include "dataplane/dp_sa.h"

static struct {
	const struct gw_cfg *cur;	/* in force */
	struct gw_cfg *owned;		/* cur, when a reload loaded it */
	uint64_t next_id;
	uint64_t count[CP_RELOAD_RESULT_MAX];
	struct cp_reload_report last;
	bool has_last;
} rl = { .next_id = 1 };

/* One reload's working state. */
struct cp_reload_job {
	const struct gw_cfg *old;
	struct gw_cfg *new;		/* NULL once in force (or never loaded) */
	bool loaded;			/* new holds a configuration to free */
	struct cfg_diff diff;
	struct pki_reload_plan pki;
	uint32_t *tunnels;		/* new peer i's tunnel id */
	uint32_t *old_tunnels;		/* old peer i's, to publish back on failure */
	int *peer_map;			/* old peer slot -> new index (step d) */
	unsigned n_slots;		/* old peers + the removed ones kept after them */
};

static const char *const cp_reload_result_names[CP_RELOAD_RESULT_MAX] = {
#define X(n, s) s,
	CP_RELOAD_RESULTS(X)
#undef X
};

const char *cp_reload_result_str(enum cp_reload_result r)
{
	return (unsigned)r < CP_RELOAD_RESULT_MAX ? cp_reload_result_names[r] : "?";
}

const char *cp_reload_trigger_str(enum cp_reload_trigger t)
{
	return t == CP_RELOAD_SIGHUP ? "sighup" : t == CP_RELOAD_TELEMETRY ? "telemetry" : "?";
}

static void cp_reload_error(struct cp_reload_report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void cp_reload_error(struct cp_reload_report *r, const char *fmt, ...)
{
	va_list ap;

	r->result = CP_RELOAD_REJECTED;
	if (r->n_errors++ >= CP_RELOAD_ERRORS)
		return;
	va_start(ap, fmt);
	vsnprintf(r->errors[r->n_errors - 1], CFG_ERR_MAX, fmt, ap);
	va_end(ap);
}

static uint64_t cp_reload_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* ---- 1, 2: load and check ---- */

static void cp_reload_report_diff(const struct cp_reload_job *j, struct cp_reload_report *r)
{
	const struct cfg_diff *d = &j->diff;

	r->peers_kept = d->peers_kept;
	r->peers_added = d->peers_added;
	r->peers_removed = d->peers_removed;
	r->peers_changed = d->peers_changed;
	r->trustpoints_added = d->tps_added;
	r->trustpoints_removed = d->tps_removed;
	r->trustpoints_changed = d->tps_changed;
	r->cas_changed = j->pki.cas_changed;
	r->identities_changed = j->pki.ids_changed;
	r->policies_changed = d->policies_changed;
	r->crypto_changed = d->crypto_changed;
	r->log_level_changed = d->log_level_changed;
	r->events_changed = d->events_changed;
	r->ikev2_drp_changed = d->drp_changed[2];
	r->isakmp_drp_changed = d->drp_changed[1];
}

/* 0: something to apply; 1: nothing changed; -1: rejected (r's errors). */
static int cp_reload_check(struct cp_reload_job *j, struct cp_reload_report *r)
{
	char err[CFG_ERR_MAX];

	j->new = calloc(1, sizeof(*j->new));
	if (j->new == NULL) {
		cp_reload_error(r, "%s: out of memory", j->old->path);
		return -1;
	}
	if (cfg_load(j->old->path, j->new, err, sizeof(err)) != 0) {
		cp_reload_error(r, "%s", err);
		return -1;
	}
	j->loaded = true;
	if (pki_reload_check(&j->new->pki, j->new->path, &j->pki, err, sizeof(err)) != 0) {
		cp_reload_error(r, "%s", err);
		return -1;
	}
	cfg_diff(j->old, j->new, &j->diff);
	for (unsigned i = 0; i < j->diff.n_errors; i++)
		cp_reload_error(r, "%s", i < CFG_DIFF_ERRORS ? j->diff.errors[i] :
				"(more changes that need a restart)");
	if (j->diff.n_errors > 0)
		return -1;
	cp_reload_report_diff(j, r);
	return !cfg_diff_any(&j->diff) && j->pki.action == PKI_RELOAD_RETARGET ? 1 : 0;
}

/* ---- 3a: tunnels and policies ---- */

/* Everything a step may need, allocated before anything changes: the
 * tunnel ids and the room for the removed peers kept (step d). */
static int cp_reload_prepare(struct cp_reload_job *j, struct cp_reload_report *r)
{
	const struct gw_cfg *o = j->old;
	struct gw_cfg *n = j->new;
	unsigned spare = j->n_slots - j->diff.peers_kept;
	struct cfg_peer *peers;

	j->tunnels = calloc(n->n_peers + 1, sizeof(*j->tunnels));
	j->old_tunnels = calloc(o->n_peers + 1, sizeof(*j->old_tunnels));
	j->peer_map = calloc(j->n_slots + 1, sizeof(*j->peer_map));
	peers = realloc(n->peers, (n->n_peers + spare + 1) * sizeof(*peers));
	if (peers != NULL)
		n->peers = peers;
	if (j->tunnels == NULL || j->old_tunnels == NULL || j->peer_map == NULL || peers == NULL) {
		cp_reload_error(r, "%s: out of memory", n->path);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < o->n_peers; i++)
		j->old_tunnels[i] = cp_sa_peer_tunnel(i);
	for (unsigned i = 0; i < n->n_peers; i++) {
		int k = j->diff.peer_new_to_old[i];

		j->tunnels[i] = k >= 0 ? j->old_tunnels[k] : cp_sa_tunnel_alloc();
		if (j->tunnels[i] == DP_SA_INVALID) {
			cp_reload_error(r, "%s:%d: peer %s: no tunnel id left (a restart renumbers)",
					n->path, n->peers[i].line, n->peers[i].name);
			return -ENOSPC;
		}
	}
	return 0;
}

/* The policy set changes with the policies, or with any peer's tunnel. */
static bool cp_reload_spd_changes(const struct cp_reload_job *j)
{
	if (j->diff.policies_changed || j->old->n_peers != j->new->n_peers)
		return true;
	for (unsigned i = 0; i < j->new->n_peers; i++)
		if (j->tunnels[i] != j->old_tunnels[i])
			return true;
	return false;
}

/* ---- 3b: the PKI ---- */

static int cp_reload_pki(struct cp_reload_job *j, struct cp_reload_report *r)
{
	int ret;

	switch (j->pki.action) {
	case PKI_RELOAD_RESTART:
		ret = cp_loop_pki_restart(&j->new->pki);
		if (ret == 0) {
			r->pki = j->pki.on_after ? "restarted" : "stopped";
			return 0;
		}
		cp_reload_error(r, "%s: the PKI does not start (%s); the previous one is back",
				j->new->path, strerror(-ret));
		if (cp_loop_pki_restart(&j->old->pki) != 0)
			GW_LOG(cp, ERR, "reload: the previous PKI does not start again either");
		return ret;
	case PKI_RELOAD_IDENTITIES:
	case PKI_RELOAD_RETARGET:
		ret = pki_reload_apply(&j->new->pki, &j->pki);
		if (ret != 0) {
			cp_reload_error(r, "%s: the identities do not load again (%s)", j->new->path,
					strerror(-ret));
			return ret;
		}
		r->pki = !j->pki.on_after ? "none" : j->pki.action == PKI_RELOAD_IDENTITIES ?
			 "identities" : "unchanged";
		return 0;
	}
	return -EINVAL;
}

/* ---- 3c, 3d: sessions ---- */

static unsigned cp_reload_delete(struct cp_reload_job *j)
{
	uint64_t id = 0;
	unsigned n = 0;
	struct ike_sa *sa;

	while ((sa = ike_sa_next(id)) != NULL) {
		const char *why;
		uint8_t fate;

		id = sa->id;
		if (sa->state == IKE_SA_DEAD || sa->state == IKE_SA_DELETING || sa->peer < 0 ||
		    (unsigned)sa->peer >= j->old->n_peers)
			continue;	/* going anyway, no peer yet, or removed earlier */
		fate = j->diff.peer_old[sa->peer];
		if (fate == CFG_DIFF_KEPT)
			continue;
		why = fate == CFG_DIFF_REMOVED ? "peer removed by a configuration reload" :
		      "peer changed by a configuration reload";
		if (ike_sa_delete(sa->id, why) != 0 && sa->state != IKE_SA_DEAD)
			ike_sa_kill(sa, why);
		n++;
	}
	ike_sa_reap();		/* no DEAD session keeps an old peer index */
	return n;
}

/* Map every old peer slot onto the new configuration: kept peers to their
 * new index, slots with sessions still alive to a removed entry appended
 * to the new peers (room made by cp_reload_prepare), the rest to -1. */
static void cp_reload_remap(struct cp_reload_job *j, struct cp_reload_report *r)
{
	const struct gw_cfg *o = j->old;
	struct gw_cfg *n = j->new;
	int tp_map[CFG_MAX_TRUSTPOINTS];
	unsigned n_removed = 0;
	uint64_t id = 0;
	struct ike_sa *sa;

	for (unsigned i = 0; i < j->n_slots; i++)
		j->peer_map[i] = i < o->n_peers ? j->diff.peer_old_to_new[i] : -1;
	while ((sa = ike_sa_next(id)) != NULL) {
		int *m;

		id = sa->id;
		if (sa->state == IKE_SA_DEAD || sa->peer < 0 || (unsigned)sa->peer >= j->n_slots)
			continue;
		m = &j->peer_map[sa->peer];
		if (*m >= 0 && (unsigned)*m < n->n_peers) {
			r->sessions_kept++;
			continue;
		}
		if (*m < 0) {
			*m = (int)(n->n_peers + n_removed++);
			memcpy(&n->peers[*m], &o->peers[sa->peer], sizeof(n->peers[0]));
		}
	}
	for (unsigned i = 0; i < o->pki.n_trustpoints; i++)
		tp_map[i] = j->diff.tp_old_to_new[i];
	ike_sa_remap(j->peer_map, j->n_slots, tp_map, o->pki.n_trustpoints);
	ike_sa_set_removed_peers(n_removed);
	if (n_removed > 0)
		GW_LOG(cp, INFO, "reload: %u removed peer(s) kept until their sessions' DELETEs "
		       "are answered", n_removed);
}

/* ---- 3e, 3f: switches and new peers ---- */

static void cp_reload_switches(const struct cp_reload_job *j)
{
	const struct gw_cfg *n = j->new;
	int ret;

	ikev2_set_cfg(n);
	ikev1_set_cfg(n);
	ike_rev_set_cfg(n);
	if (j->diff.drp_changed[1])
		ike_rev_set_enabled(1, n->crypto.isakmp.disconnect_revoked_peers);
	if (j->diff.drp_changed[2])
		ike_rev_set_enabled(2, n->crypto.ikev2.disconnect_revoked_peers);
	if (j->diff.log_level_changed)
		rte_log_set_level_pattern("ipsecgw.*", (uint32_t)n->log_level);
	if (j->diff.events_changed) {
		gw_event_close();
		if (n->events.syslog && (ret = gw_event_open(n->events.syslog_socket)) != 0)
			GW_LOG(cp, WARNING, "reload: events: no syslog socket %s: %s",
			       n->events.syslog_socket, strerror(-ret));
	}
}

static unsigned cp_reload_initiate(const struct cp_reload_job *j)
{
	const struct gw_cfg *n = j->new;
	unsigned started = 0;

	for (unsigned i = 0; i < n->n_peers; i++) {
		const struct cfg_peer *p = &n->peers[i];

		if (j->diff.peer_new[i] == CFG_DIFF_KEPT || p->initiate != CFG_INITIATE_START ||
		    p->remote_any)
			continue;
		if ((p->ike_version == 1 ? ikev1_initiate(i) : ikev2_initiate(i)) == 0)
			started++;
	}
	return started;
}

/* ---- 3: apply ---- */

static int cp_reload_apply(struct cp_reload_job *j, struct cp_reload_report *r)
{
	bool spd;
	int ret;

	j->n_slots = j->old->n_peers + ike_sa_removed_peers();
	ret = cp_reload_prepare(j, r);
	if (ret != 0)
		return ret;
	spd = cp_reload_spd_changes(j);
	if (spd && (ret = cp_sa_peers_publish(j->new, j->tunnels)) != 0) {
		cp_reload_error(r, "%s: the policies cannot be published (%s)", j->new->path,
				strerror(-ret));
		return ret;
	}
	ret = cp_reload_pki(j, r);
	if (ret != 0) {
		if (spd && cp_sa_peers_publish(j->old, j->old_tunnels) != 0)
			GW_LOG(cp, ERR, "reload: the previous policies cannot be published again");
		return ret;
	}
	/* nothing below fails */
	r->sessions_deleted = cp_reload_delete(j);
	cp_reload_remap(j, r);
	cp_reload_switches(j);
	r->peers_initiated = cp_reload_initiate(j);
	return 0;
}

/* ---- the entry point ---- */

static void cp_reload_do(struct cp_reload_job *j, struct cp_reload_report *r)
{
	int ret;

	if (ike_sa_draining()) {
		cp_reload_error(r, "%s: the gateway is shutting down", j->old->path);
		return;
	}
	ret = cp_reload_check(j, r);
	if (ret != 0) {
		if (ret > 0)
			r->result = CP_RELOAD_UNCHANGED;
		return;
	}
	if (cp_reload_apply(j, r) != 0)
		return;
	r->result = CP_RELOAD_APPLIED;
	if (rl.owned != NULL) {
		cfg_free(rl.owned);
		free(rl.owned);
	}
	rl.cur = rl.owned = j->new;
	j->new = NULL;
}

enum cp_reload_result cp_reload_run(enum cp_reload_trigger trigger, struct cp_reload_report *out)
{
	struct cp_reload_job *j = calloc(1, sizeof(*j));
	struct cp_reload_report *r = calloc(1, sizeof(*r));
	uint64_t t0 = cp_reload_now_us();
	enum cp_reload_result res;

	if (r == NULL || j == NULL || rl.cur == NULL) {
		GW_LOG(cp, ERR, "reload (%s): %s", cp_reload_trigger_str(trigger),
		       rl.cur == NULL ? "no configuration" : "out of memory");
		rl.count[CP_RELOAD_REJECTED]++;
		free(j);
		free(r);
		return CP_RELOAD_REJECTED;
	}
	r->id = rl.next_id++;
	r->trigger = trigger;
	r->when = time(NULL);
	r->pki = pki_is_running() ? "unchanged" : "none";
	j->old = rl.cur;
	cp_reload_do(j, r);
	r->duration_us = cp_reload_now_us() - t0;
	rl.count[r->result]++;
	rl.last = *r;
	rl.has_last = true;
	cp_reload_announce(r);
	if (out != NULL)
		*out = *r;
	res = r->result;
	if (j->loaded && j->new != NULL)
		cfg_free(j->new);
	free(j->new);
	free(j->tunnels);
	free(j->old_tunnels);
	free(j->peer_map);
	free(j);
	free(r);
	return res;
}

/* ---- life ---- */

int cp_reload_init(const struct gw_cfg *cfg)
{
	cp_reload_fini();
	rl.cur = cfg;
	return cp_reload_tm_register();
}

void cp_reload_fini(void)
{
	if (rl.owned != NULL) {
		cfg_free(rl.owned);
		free(rl.owned);
	}
	rl.owned = NULL;
	rl.cur = NULL;
}

const struct gw_cfg *cp_reload_cfg(void)
{
	return rl.cur;
}

int cp_reload_last(struct cp_reload_report *out)
{
	if (!rl.has_last)
		return -ENOENT;
	*out = rl.last;
	return 0;
}

uint64_t cp_reload_count(enum cp_reload_result r)
{
	return (unsigned)r < CP_RELOAD_RESULT_MAX ? rl.count[r] : 0;
}
