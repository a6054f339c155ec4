/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The difference between two configurations (cfg_diff.h).  Entries are
 * compared as the bytes cfg_load() left in them, the line (and a peer's
 * trustpoint index) left out: every parser starts from a zeroed entry, so
 * the same text gives the same bytes, and a setting added to a struct
 * later is compared without anyone remembering to.  A difference in bytes
 * that the text does not make (none is known) could only refuse a reload
 * or replace a peer: never keep one that changed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg/cfg_diff.h"
#include "cfg/cfg_internal.h"
#include "common/gw_ct.h"

/* One diff: the new file, parsed on the first error that needs a line. */
struct cfg_diff_ctx {
	const struct gw_cfg *old, *new;
	struct cfg_diff *d;
	bool parsed, parse_ok;
	config_t cf;
};

/* ---- equality, line aside ---- */

/* One member left out of a comparison. */
struct cfg_diff_skip {
	size_t off, len;
};

#define CFG_DIFF_SKIP(type, member) { offsetof(type, member), sizeof(((type *)0)->member) }

/* Whether the size bytes at a and b are equal outside skip[0..n) (in
 * ascending offsets). */
static bool cfg_diff_same(const void *a, const void *b, size_t size,
			  const struct cfg_diff_skip *skip, unsigned n)
{
	const uint8_t *x = a, *y = b;
	size_t at = 0;

	for (unsigned i = 0; i <= n; i++) {
		size_t end = i < n ? skip[i].off : size;

		if (memcmp(x + at, y + at, end - at) != 0)
			return false;
		if (i < n)
			at = skip[i].off + skip[i].len;
	}
	return true;
}

#define CFG_DIFF_LINE_ONLY(type, a, b) \
	cfg_diff_same((a), (b), sizeof(type), \
		      (const struct cfg_diff_skip[]){ CFG_DIFF_SKIP(type, line) }, 1)

bool cfg_peer_same(const struct cfg_peer *a, const struct cfg_peer *b)
{
	/* in member order */
	static const struct cfg_diff_skip skip[] = {
		CFG_DIFF_SKIP(struct cfg_peer, trustpoint_idx),
		CFG_DIFF_SKIP(struct cfg_peer, line),
	};

	_Static_assert(offsetof(struct cfg_peer, trustpoint_idx) < offsetof(struct cfg_peer, line),
		       "skip[] in member order");
	return cfg_diff_same(a, b, sizeof(*a), skip, 2);
}

bool cfg_trustpoint_same(const struct cfg_trustpoint *a, const struct cfg_trustpoint *b)
{
	return CFG_DIFF_LINE_ONLY(struct cfg_trustpoint, a, b);
}

bool cfg_identity_same(const struct cfg_identity *a, const struct cfg_identity *b)
{
	return CFG_DIFF_LINE_ONLY(struct cfg_identity, a, b);
}

/* ---- errors ---- */

/* The line of key (a libconfig path, "workers", "interfaces") in the new
 * file; 1 when it is not there (removed: the default applies) or the file
 * does not read back. */
static int cfg_diff_line(struct cfg_diff_ctx *x, const char *key)
{
	struct cfg_ctx ctx = { .file = x->new->path };
	const config_setting_t *s;
	char *text;

	if (!x->parsed) {
		x->parsed = true;
		text = cfg_text_read(&ctx, x->new->path);
		if (text != NULL) {
			x->parse_ok = cfg_text_parse(&ctx, &x->cf, text) == 0;
			gw_wipe(text, strlen(text));	/* it may hold manual SA keys */
			free(text);
		}
	}
	if (!x->parse_ok || (s = config_lookup(&x->cf, key)) == NULL)
		return 1;
	return cfg_line(s);
}

static void cfg_diff_err(struct cfg_diff_ctx *x, int line, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "FILE:LINE: WHAT cannot change without a restart (DETAIL)". */
static void cfg_diff_err(struct cfg_diff_ctx *x, int line, const char *what, const char *fmt, ...)
{
	struct cfg_diff *d = x->d;
	char detail[CFG_ERR_MAX / 2];
	va_list ap;

	if (d->n_errors++ >= CFG_DIFF_ERRORS)
		return;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (snprintf(d->errors[d->n_errors - 1], CFG_ERR_MAX, "%s:%d: %s cannot change without "
		     "a restart (%s)", x->new->path, line, what, detail) >= CFG_ERR_MAX)
		strcpy(&d->errors[d->n_errors - 1][CFG_ERR_MAX - 2], "~");	/* cut visibly */
}

static const char *cfg_diff_bool(bool b)
{
	return b ? "true" : "false";
}

/* ---- what needs a restart ---- */

static void cfg_diff_global(struct cfg_diff_ctx *x)
{
	const struct gw_cfg *o = x->old, *n = x->new;
	bool eal = o->eal_argc == n->eal_argc;

	for (int i = 0; eal && i < o->eal_argc; i++)
		eal = strcmp(o->eal_argv[i], n->eal_argv[i]) == 0;
	if (!eal)
		cfg_diff_err(x, cfg_diff_line(x, "eal"), "eal", "the EAL arguments: %d -> %d, "
			     "or other ones", o->eal_argc, n->eal_argc);
	if (o->workers != n->workers)
		cfg_diff_err(x, cfg_diff_line(x, "workers"), "workers", "%u -> %u", o->workers,
			     n->workers);
	if (o->worker_idle_backoff != n->worker_idle_backoff)
		cfg_diff_err(x, cfg_diff_line(x, "worker_idle_backoff"), "worker_idle_backoff",
			     "%s -> %s", cfg_diff_bool(o->worker_idle_backoff),
			     cfg_diff_bool(n->worker_idle_backoff));
	if (o->mbuf_data_size != n->mbuf_data_size)
		cfg_diff_err(x, cfg_diff_line(x, "mbuf_data_size"), "mbuf_data_size", "%u -> %u",
			     o->mbuf_data_size, n->mbuf_data_size);
	if (o->bench_no_replay_check != n->bench_no_replay_check)
		cfg_diff_err(x, cfg_diff_line(x, "benchmark_no_replay_check"),
			     "benchmark_no_replay_check", "%s -> %s",
			     cfg_diff_bool(o->bench_no_replay_check),
			     cfg_diff_bool(n->bench_no_replay_check));
	if (memcmp(&o->telemetry, &n->telemetry, sizeof(o->telemetry)) != 0)
		cfg_diff_err(x, cfg_diff_line(x, "telemetry"), "telemetry",
			     "the socket's mode or group");
	if (memcmp(&o->punt, &n->punt, sizeof(o->punt)) != 0)
		cfg_diff_err(x, cfg_diff_line(x, "punt"), "punt", "the punt rates");
	if (memcmp(&o->capture, &n->capture, sizeof(o->capture)) != 0)
		cfg_diff_err(x, cfg_diff_line(x, "capture"), "capture",
			     "the capture directory, pool or limits");
}

static void cfg_diff_ifaces(struct cfg_diff_ctx *x)
{
	const struct gw_cfg *o = x->old, *n = x->new;

	if (o->n_ifaces != n->n_ifaces) {
		cfg_diff_err(x, cfg_diff_line(x, "interfaces"), "interfaces", "%u -> %u interfaces",
			     o->n_ifaces, n->n_ifaces);
		return;
	}
	for (unsigned i = 0; i < n->n_ifaces; i++) {
		char what[CFG_NAME_MAX + 16];

		if (CFG_DIFF_LINE_ONLY(struct cfg_iface, &o->ifaces[i], &n->ifaces[i]))
			continue;
		snprintf(what, sizeof(what), "interface %s", n->ifaces[i].name);
		if (strcmp(o->ifaces[i].name, n->ifaces[i].name) != 0)
			cfg_diff_err(x, n->ifaces[i].line, what, "was interface %s",
				     o->ifaces[i].name);
		else
			cfg_diff_err(x, n->ifaces[i].line, what, "its port, addresses or mtu");
	}
}

/* Routes and neighbours: installed at start, kept by the link code. */
static void cfg_diff_routes(struct cfg_diff_ctx *x)
{
	const struct gw_cfg *o = x->old, *n = x->new;
	char p[GW_PREFIX_STRLEN], a[GW_ADDR_STRLEN];

	if (o->n_routes != n->n_routes)
		cfg_diff_err(x, cfg_diff_line(x, "routes"), "routes", "%u -> %u routes",
			     o->n_routes, n->n_routes);
	for (unsigned i = 0; o->n_routes == n->n_routes && i < n->n_routes; i++)
		if (!CFG_DIFF_LINE_ONLY(struct cfg_route, &o->routes[i], &n->routes[i]))
			cfg_diff_err(x, n->routes[i].line, "routes", "route %s: its prefix, "
				     "next hop or interface",
				     gw_prefix_fmt(&n->routes[i].prefix, p, sizeof(p)));
	if (o->n_neighbors != n->n_neighbors)
		cfg_diff_err(x, cfg_diff_line(x, "neighbors"), "neighbors", "%u -> %u neighbors",
			     o->n_neighbors, n->n_neighbors);
	for (unsigned i = 0; o->n_neighbors == n->n_neighbors && i < n->n_neighbors; i++)
		if (!CFG_DIFF_LINE_ONLY(struct cfg_neighbor, &o->neighbors[i],
						&n->neighbors[i]))
			cfg_diff_err(x, n->neighbors[i].line, "neighbors", "neighbor %s: its "
				     "address, mac or interface",
				     gw_addr_fmt(&n->neighbors[i].addr, a, sizeof(a)));
}

/* Manual SA i is tunnel i and holds its keys from the file: kept as is. */
static void cfg_diff_manual(struct cfg_diff_ctx *x)
{
	const struct gw_cfg *o = x->old, *n = x->new;

	if (o->n_manual_sas != n->n_manual_sas) {
		cfg_diff_err(x, cfg_diff_line(x, "manual_sas"), "manual_sas", "%u -> %u manual SAs",
			     o->n_manual_sas, n->n_manual_sas);
		return;
	}
	for (unsigned i = 0; i < n->n_manual_sas; i++)
		if (!CFG_DIFF_LINE_ONLY(struct cfg_manual_sa, &o->manual_sas[i],
						&n->manual_sas[i]))
			cfg_diff_err(x, n->manual_sas[i].line, "manual_sas",
				     "manual SA %s: its keys, SPIs, selectors or settings",
				     n->manual_sas[i].name);
}

/* The members of struct gw_cfg this file compares or applies; a member
 * added later is not among them and is compared whole below. */
static void cfg_diff_known_clear(struct gw_cfg *c)
{
	memset(c->path, 0, sizeof(c->path));
	memset(c->eal_argv, 0, sizeof(c->eal_argv));
	c->eal_argc = 0;
	c->workers = 0;
	c->log_level = 0;
	c->worker_idle_backoff = false;
	c->mbuf_data_size = 0;
	memset(c->ifaces, 0, sizeof(c->ifaces));
	c->n_ifaces = 0;
	c->routes = NULL;
	c->n_routes = 0;
	c->neighbors = NULL;
	c->n_neighbors = 0;
	memset(&c->telemetry, 0, sizeof(c->telemetry));
	memset(&c->punt, 0, sizeof(c->punt));
	memset(&c->capture, 0, sizeof(c->capture));
	memset(&c->events, 0, sizeof(c->events));
	memset(&c->pki, 0, sizeof(c->pki));
	c->manual_sas = NULL;
	c->n_manual_sas = 0;
	c->policies = NULL;
	c->n_policies = 0;
	c->bench_no_replay_check = false;
	memset(&c->crypto, 0, sizeof(c->crypto));
	c->peers = NULL;
	c->n_peers = 0;
}

/* Any other setting (one a later version adds, before it is taught to the
 * reload): refused unless equal, so that it is never silently ignored. */
static void cfg_diff_unknown(struct cfg_diff_ctx *x)
{
	struct gw_cfg *c = malloc(2 * sizeof(*c));

	if (c == NULL) {
		cfg_diff_err(x, 1, "the configuration", "out of memory comparing it");
		return;
	}
	memcpy(&c[0], x->old, sizeof(*c));
	memcpy(&c[1], x->new, sizeof(*c));
	cfg_diff_known_clear(&c[0]);
	cfg_diff_known_clear(&c[1]);
	if (memcmp(&c[0], &c[1], sizeof(*c)) != 0)
		cfg_diff_err(x, 1, "a setting", "one this version applies only at start");
	free(c);
}

/* ---- what applies live ---- */

static void cfg_diff_peers(struct cfg_diff_ctx *x)
{
	const struct gw_cfg *o = x->old, *n = x->new;
	struct cfg_diff *d = x->d;

	for (unsigned i = 0; i < n->n_peers; i++) {
		d->peer_new[i] = CFG_DIFF_ADDED;
		d->peer_new_to_old[i] = -1;
	}
	for (unsigned i = 0; i < o->n_peers; i++) {
		int k = cfg_peer_find(n, o->peers[i].name);

		d->peer_old_to_new[i] = -1;
		if (k < 0) {
			d->peer_old[i] = CFG_DIFF_REMOVED;
			d->peers_removed++;
		} else if (!cfg_peer_same(&o->peers[i], &n->peers[k])) {
			d->peer_old[i] = d->peer_new[k] = CFG_DIFF_CHANGED;
			d->peers_changed++;
		} else {
			d->peer_old[i] = d->peer_new[k] = CFG_DIFF_KEPT;
			d->peer_old_to_new[i] = k;
			d->peer_new_to_old[k] = (int)i;
			d->peers_kept++;
		}
	}
	d->peers_added = n->n_peers - d->peers_kept - d->peers_changed;
}

static int cfg_diff_tp_find(const struct cfg_pki *p, const char *name)
{
	for (unsigned i = 0; i < p->n_trustpoints; i++)
		if (strcmp(p->trustpoints[i].name, name) == 0)
			return (int)i;
	return -1;
}

static void cfg_diff_pki(struct cfg_diff_ctx *x)
{
	const struct cfg_pki *o = &x->old->pki, *n = &x->new->pki;
	struct cfg_diff *d = x->d;
	unsigned found = 0;

	for (unsigned i = 0; i < o->n_trustpoints; i++) {
		int k = cfg_diff_tp_find(n, o->trustpoints[i].name);

		d->tp_old_to_new[i] = k;
		if (k < 0) {
			d->tps_removed++;
			continue;
		}
		found++;
		if (!cfg_trustpoint_same(&o->trustpoints[i], &n->trustpoints[k]))
			d->tps_changed++;
	}
	d->tps_added = n->n_trustpoints - found;
	d->identities_changed = o->n_identities != n->n_identities;
	for (unsigned i = 0; !d->identities_changed && i < n->n_identities; i++)
		d->identities_changed = !cfg_identity_same(&o->identities[i], &n->identities[i]);
	d->pki_windows_changed = o->expiry_warning_days != n->expiry_warning_days ||
				 o->crl_warning_hours != n->crl_warning_hours;
}

static void cfg_diff_switches(struct cfg_diff_ctx *x)
{
	const struct gw_cfg *o = x->old, *n = x->new;
	struct cfg_diff *d = x->d;

	d->policies_changed = o->n_policies != n->n_policies;
	for (unsigned i = 0; !d->policies_changed && i < n->n_policies; i++)
		d->policies_changed = !CFG_DIFF_LINE_ONLY(struct cfg_policy, &o->policies[i],
								   &n->policies[i]);
	d->crypto_changed = memcmp(&o->crypto, &n->crypto, sizeof(o->crypto)) != 0;
	d->drp_changed[1] = o->crypto.isakmp.disconnect_revoked_peers !=
			    n->crypto.isakmp.disconnect_revoked_peers;
	d->drp_changed[2] = o->crypto.ikev2.disconnect_revoked_peers !=
			    n->crypto.ikev2.disconnect_revoked_peers;
	d->log_level_changed = o->log_level != n->log_level;
	d->events_changed = memcmp(&o->events, &n->events, sizeof(o->events)) != 0;
}

unsigned cfg_diff(const struct gw_cfg *old, const struct gw_cfg *new, struct cfg_diff *d)
{
	struct cfg_diff_ctx x = { .old = old, .new = new, .d = d };

	memset(d, 0, sizeof(*d));
	cfg_diff_global(&x);
	cfg_diff_ifaces(&x);
	cfg_diff_routes(&x);
	cfg_diff_manual(&x);
	cfg_diff_unknown(&x);
	cfg_diff_peers(&x);
	cfg_diff_pki(&x);
	cfg_diff_switches(&x);
	if (x.parsed && x.parse_ok)
		config_destroy(&x.cf);
	return d->n_errors;
}

bool cfg_diff_any(const struct cfg_diff *d)
{
	return d->n_errors > 0 || d->peers_changed > 0 || d->peers_added > 0 ||
	       d->peers_removed > 0 || d->tps_changed > 0 || d->tps_added > 0 ||
	       d->tps_removed > 0 || d->identities_changed || d->pki_windows_changed ||
	       d->policies_changed || d->crypto_changed || d->log_level_changed ||
	       d->events_changed;
}
