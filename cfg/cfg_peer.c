/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * peers = ( { name; ike_version; remote; remote_id; local_id; trustpoint;
 *   ike_proposals; esp_proposals; local_ts; remote_ts; initiate;
 *   ike_lifetime; child_lifetime; encap; tcp_mss; mtu; df; dscp; ecn;
 *   ttl_decrement; }, ... )
 * The entry being parsed is cfg->peers[cfg->n_peers], counted once
 * complete.  Parsed after pki and manual_sas, whose names it checks.
 * Proposals are validated with gw_ike_proposal_parse() and kept as written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cfg/cfg_internal.h"
#include "common/gw_ike_proposal.h"

enum {
	CFG_IKE_LIFE_DEFAULT = 86400,
	CFG_IKE_LIFE_MIN = 300,
	CFG_IKE_LIFE_MAX = 604800,		/* a week */
	CFG_CHILD_LIFE_DEFAULT = 3600,
	CFG_CHILD_LIFE_MIN = 120,
	CFG_CHILD_LIFE_MAX = 86400,
};

_Static_assert(CFG_MAX_PROPOSALS == 8 && CFG_PROPOSAL_MAX == 128, "update the messages");

static struct cfg_peer *cfg_peer_cur(void *obj)
{
	struct gw_cfg *cfg = obj;

	return &cfg->peers[cfg->n_peers];
}

int cfg_peer_find(const struct gw_cfg *cfg, const char *name)
{
	for (unsigned i = 0; i < cfg->n_peers; i++)
		if (strcmp(cfg->peers[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* ---- keys ---- */

static int cfg_peer_name(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	const struct gw_cfg *cfg = obj;
	const char *name, *why;
	int i;

	if (cfg_get_string(ctx, s, &name) != 0)
		return -1;
	why = cfg_validate_name(name);
	if (why != NULL)
		return cfg_err(ctx, s, "peer name %s (%s)", why, name);
	i = cfg_peer_find(cfg, name);
	if (i >= 0)
		return cfg_err(ctx, s, "duplicate peer name, first at line %d (%s)",
			       cfg->peers[i].line, name);
	for (unsigned j = 0; j < cfg->n_manual_sas; j++)
		if (strcmp(cfg->manual_sas[j].name, name) == 0)
			return cfg_err(ctx, s, "peer name is a manual SA's name, at line %d (%s)",
				       cfg->manual_sas[j].line, name);
	strcpy(cfg_peer_cur(obj)->name, name);
	return 0;
}

static int cfg_peer_version(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	uint32_t v;

	if (cfg_get_u32(ctx, s, 1, 2, &v) != 0)
		return -1;
	cfg_peer_cur(obj)->ike_version = (uint8_t)v;
	return 0;
}

static int cfg_peer_remote(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_peer *p = cfg_peer_cur(obj);
	const char *text, *why;

	if (cfg_get_string(ctx, s, &text) != 0)
		return -1;
	if (strcmp(text, "any") == 0) {
		p->remote_any = true;
		return 0;
	}
	if (gw_addr_parse(text, &p->remote) != 0)
		return cfg_err(ctx, s, "remote must be an IP address or \"any\" (%s)", text);
	why = cfg_validate_unicast(&p->remote);
	if (why != NULL)
		return cfg_err(ctx, s, "remote %s (%s)", why, text);
	return 0;
}

static int cfg_peer_id(struct cfg_ctx *ctx, const config_setting_t *s, struct cfg_id *id)
{
	const char *text, *why;

	if (cfg_get_string(ctx, s, &text) != 0)
		return -1;
	why = cfg_validate_id(text, id);
	if (why != NULL)
		return cfg_err(ctx, s, "%s %s (%s)", config_setting_name(s), why, text);
	return 0;
}

static int cfg_peer_remote_id(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	return cfg_peer_id(ctx, s, &cfg_peer_cur(obj)->remote_id);
}

static int cfg_peer_local_id(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	return cfg_peer_id(ctx, s, &cfg_peer_cur(obj)->local_id);
}

static int cfg_peer_trustpoint(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	const struct gw_cfg *cfg = obj;
	struct cfg_peer *p = cfg_peer_cur(obj);
	const char *name;

	if (cfg_get_string(ctx, s, &name) != 0)
		return -1;
	for (unsigned i = 0; i < cfg->pki.n_trustpoints; i++) {
		if (strcmp(cfg->pki.trustpoints[i].name, name) == 0) {
			strcpy(p->trustpoint, name);
			p->trustpoint_idx = i;
			return 0;
		}
	}
	return cfg_err(ctx, s, "trustpoint names no pki trustpoint (%s)", name);
}

/* A list of 1 to 8 distinct proposals of proto into texts[0..*n). */
static int cfg_peer_proposals(struct cfg_ctx *ctx, const config_setting_t *s,
			      enum ike_sa_proto proto, char texts[][CFG_PROPOSAL_MAX], unsigned *n)
{
	const char *list = config_setting_name(s);

	if (cfg_get_list(ctx, s, true, CFG_MAX_PROPOSALS) != 0)
		return -1;
	if (config_setting_length(s) == 0)
		return cfg_err(ctx, s, "%s must list 1 to 8 proposals (none)", list);
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		char why[IKE_PROP_WHY_MAX], val[CFG_VALUE_SHOW + 8];
		struct gw_ike_proposal prop;
		const char *text;

		if (cfg_get_string(ctx, e, &text) != 0)
			return -1;
		if (strlen(text) >= CFG_PROPOSAL_MAX)
			return cfg_err(ctx, e, "%s entry must be at most 127 characters (%s)", list,
				       cfg_value_fmt(e, val, sizeof(val)));
		if (gw_ike_proposal_parse(text, proto, &prop, why, sizeof(why)) != 0)
			return cfg_err(ctx, e, "%s entry %s (%s)", list, why, text);
		for (unsigned j = 0; j < *n; j++)
			if (strcmp(texts[j], text) == 0)
				return cfg_err(ctx, e, "duplicate proposal in %s (%s)", list, text);
		strcpy(texts[(*n)++], text);
	}
	return 0;
}

static int cfg_peer_ike_props(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_peer *p = cfg_peer_cur(obj);

	return cfg_peer_proposals(ctx, s, IKE_SA_PROTO_IKE, p->ike_proposals, &p->n_ike_proposals);
}

static int cfg_peer_esp_props(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_peer *p = cfg_peer_cur(obj);

	return cfg_peer_proposals(ctx, s, IKE_SA_PROTO_ESP, p->esp_proposals, &p->n_esp_proposals);
}

static int cfg_peer_local_ts(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_peer *p = cfg_peer_cur(obj);

	return cfg_get_ts_list(ctx, s, true, p->local_ts, &p->n_local_ts);
}

static int cfg_peer_remote_ts(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_peer *p = cfg_peer_cur(obj);

	return cfg_get_ts_list(ctx, s, true, p->remote_ts, &p->n_remote_ts);
}

static int cfg_peer_initiate(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_peer *p = cfg_peer_cur(obj);
	const char *text;

	if (cfg_get_string(ctx, s, &text) != 0)
		return -1;
	if (strcmp(text, "none") == 0)
		p->initiate = CFG_INITIATE_NONE;
	else if (strcmp(text, "start") == 0)
		p->initiate = CFG_INITIATE_START;
	else if (strcmp(text, "trap") == 0)
		p->initiate = CFG_INITIATE_TRAP;
	else
		return cfg_err(ctx, s, "initiate must be \"none\", \"start\" or \"trap\" (%s)", text);
	return 0;
}

static int cfg_peer_ike_life(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	return cfg_get_u32(ctx, s, CFG_IKE_LIFE_MIN, CFG_IKE_LIFE_MAX,
			   &cfg_peer_cur(obj)->ike_lifetime);
}

static int cfg_peer_child_life(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	return cfg_get_u32(ctx, s, CFG_CHILD_LIFE_MIN, CFG_CHILD_LIFE_MAX,
			   &cfg_peer_cur(obj)->child_lifetime);
}

static int cfg_peer_encap(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	return cfg_get_bool(ctx, s, &cfg_peer_cur(obj)->encap);
}

static int cfg_peer_knob(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	return cfg_knob_parse(ctx, s, &cfg_peer_cur(obj)->knobs);
}

static const struct cfg_key cfg_peer_keys[] = {
	{ "name", true, cfg_peer_name },
	{ "ike_version", false, cfg_peer_version },
	{ "remote", true, cfg_peer_remote },
	{ "remote_id", false, cfg_peer_remote_id },
	{ "local_id", false, cfg_peer_local_id },
	{ "trustpoint", true, cfg_peer_trustpoint },
	{ "ike_proposals", true, cfg_peer_ike_props },
	{ "esp_proposals", true, cfg_peer_esp_props },
	{ "local_ts", true, cfg_peer_local_ts },
	{ "remote_ts", true, cfg_peer_remote_ts },
	{ "initiate", false, cfg_peer_initiate },
	{ "ike_lifetime", false, cfg_peer_ike_life },
	{ "child_lifetime", false, cfg_peer_child_life },
	{ "encap", false, cfg_peer_encap },
	CFG_KNOB_KEYS(cfg_peer_knob),
};

/* ---- the whole entry ---- */

/* The setting of key in e, or e itself when the key is absent. */
static const config_setting_t *cfg_peer_at(const config_setting_t *e, const char *key)
{
	const config_setting_t *s = config_setting_get_member(e, key);

	return s != NULL ? s : e;
}

/* Checks across keys, once every key is read. */
static int cfg_peer_finish(struct cfg_ctx *ctx, const config_setting_t *e,
			   const struct cfg_peer *p)
{
	char buf[GW_PREFIX_STRLEN], who[CFG_NAME_MAX + 8];

	if (p->remote_any && p->remote_id.type == CFG_ID_NONE)
		return cfg_err(ctx, cfg_peer_at(e, "remote"),
			       "peer \"%s\": remote = \"any\" needs remote_id, or any certificate "
			       "of the trustpoint could claim its selectors (any)", p->name);
	if (p->remote_any && p->initiate != CFG_INITIATE_NONE)
		return cfg_err(ctx, cfg_peer_at(e, "initiate"),
			       "peer \"%s\": initiate needs a remote address, not \"any\" (%s)",
			       p->name, p->initiate == CFG_INITIATE_START ? "start" : "trap");
	if (p->remote_ts[0].addr.family != p->local_ts[0].addr.family)
		return cfg_err(ctx, cfg_peer_at(e, "remote_ts"),
			       "peer \"%s\": remote_ts is not of local_ts's address family (%s)",
			       p->name, gw_prefix_fmt(&p->remote_ts[0], buf, sizeof(buf)));
	if (p->child_lifetime >= p->ike_lifetime) {
		const config_setting_t *at = config_setting_get_member(e, "child_lifetime");

		return cfg_err(ctx, at != NULL ? at : cfg_peer_at(e, "ike_lifetime"),
			       "peer \"%s\": child_lifetime must be below ike_lifetime %u (%u)",
			       p->name, p->ike_lifetime, p->child_lifetime);
	}
	snprintf(who, sizeof(who), "peer \"%s\"", p->name);
	return cfg_knobs_check(ctx, e, &p->knobs, p->local_ts[0].addr.family == AF_INET6, who);
}

static int cfg_peer_one(struct cfg_ctx *ctx, const config_setting_t *e, struct gw_cfg *cfg)
{
	struct cfg_peer *p = cfg_peer_cur(cfg);

	memset(p, 0, sizeof(*p));
	p->line = cfg_line(e);
	p->ike_version = 2;
	p->initiate = CFG_INITIATE_NONE;
	p->ike_lifetime = CFG_IKE_LIFE_DEFAULT;
	p->child_lifetime = CFG_CHILD_LIFE_DEFAULT;
	if (cfg_walk(ctx, e, cfg_peer_keys, sizeof(cfg_peer_keys) / sizeof(cfg_peer_keys[0]),
		     cfg) != 0 || cfg_peer_finish(ctx, e, p) != 0)
		return -1;
	cfg->n_peers++;
	return 0;
}

int cfg_parse_peers(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct gw_cfg *cfg = obj;
	int n;

	if (cfg_get_list(ctx, s, false, CFG_MAX_PEERS) != 0)
		return -1;
	n = config_setting_length(s);
	if (n == 0)
		return 0;
	cfg->peers = calloc((size_t)n, sizeof(*cfg->peers));
	if (cfg->peers == NULL)
		return cfg_err(ctx, s, "out of memory (%d peers)", n);
	for (int i = 0; i < n; i++)
		if (cfg_peer_one(ctx, config_setting_get_elem(s, (unsigned)i), cfg) != 0)
			return -1;
	return 0;
}
