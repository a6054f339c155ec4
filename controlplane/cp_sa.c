/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane's seam to the SA table and the policy database (see
 * cp_sa.h).  Compute, then commit: the whole policy set is built aside and
 * published by one dp_spd_set(); each manual SA pair is installed from two
 * descriptors on the stack that are wiped at the single exit label.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cfg/cfg.h"
#include "common/gw_addr.h"
#include "common/gw_log.h"
#include "common/gw_sa.h"
#include "controlplane/cp_sa.h"
#include "controlplane/ikev1/ikev1.h"
#include "controlplane/ikev2/ikev2.h"
#include "dataplane/dp_sa.h"
#include "dataplane/dp_spd.h"

enum {
	CP_SA_EV_BURST = 64,		/* events taken per dequeue */
	CP_SA_EV_PER_TICK = 4096,	/* then the next tick goes on */
	CP_SA_SOFT_PERMILLE = 900,	/* soft lifetime: 90 % of the hard one */
};

static struct {
	struct cp_sa_manual *manual;	/* cfg order; index = tunnel id */
	unsigned n_manual;
	uint32_t next_tunnel;		/* cp_sa_tunnel_alloc() */
	uint32_t *peer_tunnel;		/* IKE peer i's tunnel id (malloc'd) */
	unsigned n_peers;
	uint64_t events;
	uint64_t events_lost_seen;
} cp_sa;

/* ---- policies ---- */

static unsigned cp_sa_pairs(const struct gw_prefix *l, unsigned nl,
			    const struct gw_prefix *r, unsigned nr, uint8_t action,
			    uint32_t tunnel, bool on_demand, struct dp_spd_rule *out)
{
	unsigned n = 0;

	for (unsigned i = 0; i < nl; i++) {
		for (unsigned k = 0; k < nr; k++) {
			if (l[i].addr.family != r[k].addr.family)
				continue;
			if (out != NULL) {
				memset(&out[n], 0, sizeof(out[n]));
				out[n].local = l[i];
				out[n].remote = r[k];
				out[n].action = action;
				out[n].tunnel = tunnel;
				out[n].on_demand = on_demand;
			}
			n++;
		}
	}
	return n;
}

/* Every rule of cfg into rules (NULL: just count), IKE peer i on tunnel
 * peer_tunnel[i].  Protect rules first. */
static unsigned cp_sa_rules(const struct gw_cfg *cfg, const uint32_t *peer_tunnel,
			    struct dp_spd_rule *rules)
{
	unsigned n = 0;

	for (unsigned i = 0; i < cfg->n_manual_sas; i++) {
		const struct cfg_manual_sa *m = &cfg->manual_sas[i];

		n += cp_sa_pairs(m->local_ts, m->n_local_ts, m->remote_ts, m->n_remote_ts,
				 DP_SPD_PROTECT, i, false, rules != NULL ? rules + n : NULL);
	}
	/* IKE peers: protected (dropped until their SA exists, never leaked) */
	for (unsigned i = 0; i < cfg->n_peers; i++) {
		const struct cfg_peer *p = &cfg->peers[i];

		n += cp_sa_pairs(p->local_ts, p->n_local_ts, p->remote_ts, p->n_remote_ts,
				 DP_SPD_PROTECT, peer_tunnel[i],
				 p->initiate == CFG_INITIATE_TRAP, rules != NULL ? rules + n : NULL);
	}
	for (unsigned i = 0; i < cfg->n_policies; i++) {
		const struct cfg_policy *p = &cfg->policies[i];
		uint8_t action = p->action == CFG_POLICY_DISCARD ? DP_SPD_DISCARD : DP_SPD_BYPASS;

		n += cp_sa_pairs(p->local_ts, p->n_local_ts, p->remote_ts, p->n_remote_ts,
				 action, 0, false, rules != NULL ? rules + n : NULL);
	}
	return n;
}

static int cp_sa_policies(const struct gw_cfg *cfg, const uint32_t *peer_tunnel)
{
	unsigned n = cp_sa_rules(cfg, peer_tunnel, NULL);
	struct dp_spd_rule *rules = calloc(n > 0 ? n : 1, sizeof(*rules));
	int ret;

	if (rules == NULL)
		return -ENOMEM;
	if (n == 0 && dp_spd_count() == 0) {
		free(rules);
		return 0;		/* nothing to publish or replace */
	}
	cp_sa_rules(cfg, peer_tunnel, rules);
	ret = dp_spd_set(rules, n);
	if (ret < 0)
		GW_LOG(ipsec, ERR, "%s: cannot install %u policies: %s", cfg->path, n, strerror(-ret));
	else
		GW_LOG(ipsec, INFO, "%u policies installed (%u manual SAs, %u bypass/discard entries)",
		       n, cfg->n_manual_sas, cfg->n_policies);
	free(rules);
	return ret;
}

/* ---- manual SAs ---- */

static bool cp_sa_is_ours(const struct gw_cfg *cfg, const struct gw_addr *a)
{
	for (unsigned i = 0; i < cfg->n_ifaces; i++)
		for (unsigned k = 0; k < cfg->ifaces[i].n_addrs; k++)
			if (gw_addr_eq(&cfg->ifaces[i].addrs[k].addr, a))
				return true;
	return false;
}

static uint64_t cp_sa_soft(uint64_t hard)
{
	return hard / 1000 * CP_SA_SOFT_PERMILLE + hard % 1000 * CP_SA_SOFT_PERMILLE / 1000;
}

/* What both directions share. */
static void cp_sa_desc_common(const struct cfg_manual_sa *m, uint32_t tunnel,
			      struct gw_sa_desc *d)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", m->name);
	d->session_id = 0;
	d->tunnel = tunnel;
	d->alg = m->alg;
	d->esn = m->esn;
	d->encap = m->encap;
	if (m->encap) {
		d->encap_sport = GW_NATT_PORT;
		d->encap_dport = m->encap_port != 0 ? m->encap_port : GW_NATT_PORT;
	}
	d->replay_window = m->replay_window;
	d->local = m->local;
	d->remote = m->remote;
	d->life_hard_bytes = m->lifetime_bytes;
	d->life_soft_bytes = cp_sa_soft(m->lifetime_bytes);
	d->life_hard_pkts = m->lifetime_packets;
	d->life_soft_pkts = cp_sa_soft(m->lifetime_packets);
	memcpy(d->local_ts, m->local_ts, sizeof(m->local_ts[0]) * m->n_local_ts);
	d->n_local_ts = (uint8_t)m->n_local_ts;
	memcpy(d->remote_ts, m->remote_ts, sizeof(m->remote_ts[0]) * m->n_remote_ts);
	d->n_remote_ts = (uint8_t)m->n_remote_ts;
	d->enc_key_len = m->enc_key_len;
	d->auth_key_len = m->auth_key_len;
	d->knobs = m->knobs;
}

static int cp_sa_install_manual(const struct gw_cfg *cfg, unsigned idx)
{
	const struct cfg_manual_sa *m = &cfg->manual_sas[idx];
	struct cp_sa_manual *s = &cp_sa.manual[idx];
	struct gw_sa_desc in, out;
	char a[GW_ADDR_STRLEN];
	int ret;

	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", m->name);
	s->tunnel = idx;
	s->spi_in = m->spi_in;
	s->spi_out = m->spi_out;
	s->h_in = s->h_out = DP_SA_INVALID;
	s->cleared = true;
	s->life_hard_bytes = m->lifetime_bytes;
	s->life_soft_bytes = cp_sa_soft(m->lifetime_bytes);
	s->life_hard_pkts = m->lifetime_packets;
	s->life_soft_pkts = cp_sa_soft(m->lifetime_packets);
	if (!cp_sa_is_ours(cfg, &m->local)) {
		GW_LOG(ipsec, ERR, "%s:%d: manual SA %s: local %s is not an address of any interface",
		       cfg->path, m->line, m->name, gw_addr_fmt(&m->local, a, sizeof(a)));
		return -EADDRNOTAVAIL;
	}
	cp_sa_desc_common(m, idx, &in);
	cp_sa_desc_common(m, idx, &out);
	in.dir = GW_SA_IN;
	in.spi = m->spi_in;
	memcpy(in.enc_key, m->enc_key_in, m->enc_key_len);
	memcpy(in.auth_key, m->auth_key_in, m->auth_key_len);
	out.dir = GW_SA_OUT;
	out.spi = m->spi_out;
	memcpy(out.enc_key, m->enc_key_out, m->enc_key_len);
	memcpy(out.auth_key, m->auth_key_out, m->auth_key_len);
	ret = dp_sa_install_pair(&in, &out, &s->h_in, &s->h_out);
	if (ret < 0) {
		GW_LOG(ipsec, ERR, "%s:%d: manual SA %s: cannot install (%s)", cfg->path, m->line,
		       m->name, strerror(-ret));
		s->h_in = s->h_out = DP_SA_INVALID;
		goto out;
	}
	s->cleared = false;
	GW_LOG(ipsec, NOTICE, "manual SA %s: tunnel %u, %s, SPI in 0x%08" PRIx32 " (handle %" PRIu32
	       "), out 0x%08" PRIx32 " (handle %" PRIu32 ")%s", m->name, idx, gw_esp_alg_name(m->alg),
	       m->spi_in, s->h_in, m->spi_out, s->h_out, m->encap ? ", UDP-encapsulated" : "");
out:
	gw_sa_desc_wipe(&in);
	gw_sa_desc_wipe(&out);
	return ret;
}

int cp_sa_init(const struct gw_cfg *cfg)
{
	int ret = 0;

	cp_sa_fini();
	if (cfg->n_manual_sas > 0) {
		cp_sa.manual = calloc(cfg->n_manual_sas, sizeof(*cp_sa.manual));
		if (cp_sa.manual == NULL)
			return -ENOMEM;
	}
	cp_sa.peer_tunnel = calloc(cfg->n_peers > 0 ? cfg->n_peers : 1, sizeof(*cp_sa.peer_tunnel));
	if (cp_sa.peer_tunnel == NULL) {
		cp_sa_fini();
		return -ENOMEM;
	}
	for (unsigned i = 0; i < cfg->n_peers; i++)
		cp_sa.peer_tunnel[i] = cfg->n_manual_sas + i;
	cp_sa.n_peers = cfg->n_peers;
	cp_sa.next_tunnel = cfg->n_manual_sas + cfg->n_peers;
	ret = cp_sa_policies(cfg, cp_sa.peer_tunnel);
	for (unsigned i = 0; ret == 0 && i < cfg->n_manual_sas; i++) {
		ret = cp_sa_install_manual(cfg, i);
		cp_sa.n_manual = i + 1;
	}
	if (ret < 0)
		cp_sa_fini();
	return ret;
}

void cp_sa_fini(void)
{
	for (unsigned i = 0; i < cp_sa.n_manual; i++) {
		struct cp_sa_manual *s = &cp_sa.manual[i];

		if (!s->cleared)
			cp_sa_retire_pair(s->h_in, s->h_out);
	}
	free(cp_sa.manual);
	free(cp_sa.peer_tunnel);
	memset(&cp_sa, 0, sizeof(cp_sa));
}

uint32_t cp_sa_tunnel_alloc(void)
{
	if (cp_sa.next_tunnel >= DP_TUNNEL_MAX)
		return DP_SA_INVALID;
	return cp_sa.next_tunnel++;
}

uint32_t cp_sa_peer_tunnel(unsigned peer)
{
	return peer < cp_sa.n_peers ? cp_sa.peer_tunnel[peer] : DP_SA_INVALID;
}

int cp_sa_tunnel_peer(uint32_t tunnel)
{
	for (unsigned i = 0; i < cp_sa.n_peers; i++)
		if (cp_sa.peer_tunnel[i] == tunnel)
			return (int)i;
	return -1;
}

int cp_sa_peers_publish(const struct gw_cfg *cfg, const uint32_t *peer_tunnel)
{
	uint32_t *copy = calloc(cfg->n_peers > 0 ? cfg->n_peers : 1, sizeof(*copy));
	int ret;

	if (copy == NULL)
		return -ENOMEM;
	memcpy(copy, peer_tunnel, sizeof(*copy) * cfg->n_peers);
	ret = cp_sa_policies(cfg, copy);
	if (ret < 0) {
		free(copy);
		return ret;
	}
	free(cp_sa.peer_tunnel);
	cp_sa.peer_tunnel = copy;
	cp_sa.n_peers = cfg->n_peers;
	return 0;
}

int cp_sa_install_ike_pair(struct gw_sa_desc *in, struct gw_sa_desc *out, uint32_t *h_in,
			   uint32_t *h_out)
{
	int ret = dp_sa_install_pair(in, out, h_in, h_out);

	if (ret < 0) {
		GW_LOG(ipsec, ERR, "%s: cannot install SPI in 0x%08" PRIx32 " out 0x%08" PRIx32 ": %s",
		       in->name, in->spi, out->spi, strerror(-ret));
		*h_in = *h_out = DP_SA_INVALID;
	} else {
		GW_LOG(ipsec, NOTICE, "%s: tunnel %" PRIu32 ", %s, SPI in 0x%08" PRIx32 " (handle %"
		       PRIu32 "), out 0x%08" PRIx32 " (handle %" PRIu32 ")%s", in->name, in->tunnel,
		       gw_esp_alg_name(in->alg), in->spi, *h_in, out->spi, *h_out,
		       in->encap ? ", UDP-encapsulated" : "");
	}
	gw_sa_desc_wipe(in);
	gw_sa_desc_wipe(out);
	return ret;
}

int cp_sa_install_ike_one(struct gw_sa_desc *d, uint32_t *h)
{
	int ret = dp_sa_install(d, h);

	if (ret < 0) {
		GW_LOG(ipsec, ERR, "%s: cannot install SPI %s 0x%08" PRIx32 ": %s", d->name,
		       d->dir == GW_SA_IN ? "in" : "out", d->spi, strerror(-ret));
		*h = DP_SA_INVALID;
	} else {
		GW_LOG(ipsec, NOTICE, "%s: tunnel %" PRIu32 ", %s, SPI %s 0x%08" PRIx32 " (handle %"
		       PRIu32 ")", d->name, d->tunnel, gw_esp_alg_name(d->alg),
		       d->dir == GW_SA_IN ? "in" : "out", d->spi, *h);
	}
	gw_sa_desc_wipe(d);
	return ret;
}

/* ---- retire ---- */

unsigned cp_sa_retire_pair(uint32_t h_in, uint32_t h_out)
{
	uint32_t h[2];
	unsigned n = 0, done;

	if (h_in != DP_SA_INVALID)
		h[n++] = h_in;
	if (h_out != DP_SA_INVALID)
		h[n++] = h_out;
	if (n == 0)
		return 0;
	done = dp_sa_retire_batch(h, n);
	GW_LOG(ipsec, INFO, "retired %u of %u SAs (handles %" PRIu32 ", %" PRIu32 ")",
	       done, n, h_in, h_out);
	return done;
}

unsigned cp_sa_retire_batch(const uint32_t *h, unsigned n)
{
	unsigned done;

	if (n == 0)
		return 0;
	done = dp_sa_retire_batch(h, n);
	GW_LOG(ipsec, INFO, "retired %u of %u SAs in one batch", done, n);
	return done;
}

static struct cp_sa_manual *cp_sa_find(const char *name)
{
	for (unsigned i = 0; i < cp_sa.n_manual; i++)
		if (strcmp(cp_sa.manual[i].name, name) == 0)
			return &cp_sa.manual[i];
	return NULL;
}

int cp_sa_clear(const char *name, struct cp_sa_manual *out)
{
	struct cp_sa_manual *s = name != NULL ? cp_sa_find(name) : NULL;
	unsigned n;

	if (s == NULL)
		return -ENOENT;
	if (out != NULL)
		*out = *s;
	if (s->cleared)
		return -EALREADY;
	n = cp_sa_retire_pair(s->h_in, s->h_out);
	GW_LOG(ipsec, NOTICE, "manual SA %s cleared by the operator: %u SAs retired; "
	       "its policy stays (traffic dropped, not sent in the clear)", s->name, n);
	s->h_in = s->h_out = DP_SA_INVALID;
	s->cleared = true;
	return 0;
}

unsigned cp_sa_manual_count(void)
{
	return cp_sa.n_manual;
}

int cp_sa_manual_get(unsigned idx, struct cp_sa_manual *out)
{
	if (idx >= cp_sa.n_manual)
		return -ENOENT;
	*out = cp_sa.manual[idx];
	return 0;
}

/* ---- events ---- */

static bool cp_sa_is_manual_handle(uint32_t h)
{
	for (unsigned i = 0; i < cp_sa.n_manual; i++)
		if (!cp_sa.manual[i].cleared && (cp_sa.manual[i].h_in == h || cp_sa.manual[i].h_out == h))
			return true;
	return false;
}

/* What an event means, from the one list in dp_sa.h. */
static const char *cp_sa_event_desc(uint32_t type)
{
	static const char *const desc[DP_SA_EV_MAX] = {
#define X(n, d) d,
		DP_SA_EVENTS(X)
#undef X
	};

	return type < DP_SA_EV_MAX ? desc[type] : "unknown event";
}

static void cp_sa_event_log(const struct dp_sa_event *ev)
{
	struct dp_sa_info info;
	const char *what = cp_sa_event_desc(ev->type);

	if (ev->type == DP_SA_EV_ACQUIRE || dp_sa_info(ev->handle, &info) != 0) {
		GW_LOG(ipsec, NOTICE, "tunnel %" PRIu32 ", SA handle %" PRIu32 ": %s",
		       ev->tunnel, ev->handle, what);
		return;
	}
	GW_LOG(ipsec, NOTICE, "SA %s %s SPI 0x%08" PRIx32 " (handle %" PRIu32 ", tunnel %" PRIu32
	       "): %s%s", info.name, info.dir == GW_SA_IN ? "in" : "out", info.spi, ev->handle,
	       ev->tunnel, what, cp_sa_is_manual_handle(ev->handle) ?
	       " (manual SA: no rekey, clear or restart to replace it)" : "");
}

void cp_sa_tick(void)
{
	struct dp_sa_event ev[CP_SA_EV_BURST];
	unsigned n, total = 0;
	uint64_t lost;

	do {
		n = dp_sa_events_dequeue(ev, CP_SA_EV_BURST);
		for (unsigned i = 0; i < n; i++) {
			int peer = ev[i].type == DP_SA_EV_ACQUIRE ? cp_sa_tunnel_peer(ev[i].tunnel) : -1;

			cp_sa_event_log(&ev[i]);
			if (peer >= 0) {
				if (ikev2_initiate((unsigned)peer) == -EINVAL)
					(void)ikev1_initiate((unsigned)peer);
			} else if (ev[i].type != DP_SA_EV_ACQUIRE && !cp_sa_is_manual_handle(ev[i].handle))
				ikev2_child_expire(ev[i].handle, ev[i].type != DP_SA_EV_SOFT_LIFETIME);
		}
		total += n;
	} while (n == CP_SA_EV_BURST && total < CP_SA_EV_PER_TICK);
	cp_sa.events += total;
	lost = dp_sa_events_lost();
	if (lost != cp_sa.events_lost_seen) {
		GW_LOG(ipsec, WARNING, "%" PRIu64 " SA events lost (event ring full)",
		       lost - cp_sa.events_lost_seen);
		cp_sa.events_lost_seen = lost;
	}
}

uint64_t cp_sa_events_seen(void)
{
	return cp_sa.events;
}
