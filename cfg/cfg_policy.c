/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * policies = ( { local_ts = [...]; remote_ts = [...]; action = "bypass" |
 * "discard"; }, ... ): cleartext policies for every local_ts x remote_ts
 * pair of one address family (a list may mix IPv4 and IPv6; pairs across
 * families make no rule).  The entry being parsed is
 * cfg->policies[cfg->n_policies], counted once complete.
 */
#include <stdlib.h>
#include <string.h>

#include "cfg/cfg_internal.h"

static struct cfg_policy *cfg_policy_cur(void *obj)
{
	struct gw_cfg *cfg = obj;

	return &cfg->policies[cfg->n_policies];
}

static int cfg_policy_local_ts(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_policy *p = cfg_policy_cur(obj);

	return cfg_get_ts_list(ctx, s, false, p->local_ts, &p->n_local_ts);
}

static int cfg_policy_remote_ts(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_policy *p = cfg_policy_cur(obj);

	return cfg_get_ts_list(ctx, s, false, p->remote_ts, &p->n_remote_ts);
}

static int cfg_policy_action(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_policy *p = cfg_policy_cur(obj);
	const char *text;

	if (cfg_get_string(ctx, s, &text) != 0)
		return -1;
	if (strcmp(text, "bypass") == 0)
		p->action = CFG_POLICY_BYPASS;
	else if (strcmp(text, "discard") == 0)
		p->action = CFG_POLICY_DISCARD;
	else
		return cfg_err(ctx, s, "action must be \"bypass\" or \"discard\" (%s)", text);
	return 0;
}

static const struct cfg_key cfg_policy_keys[] = {
	{ "local_ts", true, cfg_policy_local_ts },
	{ "remote_ts", true, cfg_policy_remote_ts },
	{ "action", true, cfg_policy_action },
};

static bool cfg_policy_has_family(const struct gw_prefix *ts, unsigned n, uint8_t family)
{
	for (unsigned i = 0; i < n; i++)
		if (ts[i].addr.family == family)
			return true;
	return false;
}

/* At least one local_ts x remote_ts pair of one family makes a rule. */
static int cfg_policy_pairs(struct cfg_ctx *ctx, const config_setting_t *e,
			    const struct cfg_policy *p)
{
	for (unsigned i = 0; i < p->n_local_ts; i++)
		if (cfg_policy_has_family(p->remote_ts, p->n_remote_ts, p->local_ts[i].addr.family))
			return 0;
	return cfg_err(ctx, config_setting_get_member(e, "remote_ts"),
		       "policy pairs no local_ts with a remote_ts of its address family "
		       "(local %s, remote %s)",
		       p->local_ts[0].addr.family == AF_INET ? "IPv4" : "IPv6",
		       p->remote_ts[0].addr.family == AF_INET ? "IPv4" : "IPv6");
}

int cfg_parse_policies(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct gw_cfg *cfg = obj;
	int n;

	if (cfg_get_list(ctx, s, false, CFG_MAX_POLICIES) != 0)
		return -1;
	n = config_setting_length(s);
	if (n == 0)
		return 0;
	cfg->policies = calloc((size_t)n, sizeof(*cfg->policies));
	if (cfg->policies == NULL)
		return cfg_err(ctx, s, "out of memory (%d policies)", n);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		struct cfg_policy *p = cfg_policy_cur(cfg);

		p->line = cfg_line(e);
		if (cfg_walk(ctx, e, cfg_policy_keys,
			     sizeof(cfg_policy_keys) / sizeof(cfg_policy_keys[0]), cfg) != 0 ||
		    cfg_policy_pairs(ctx, e, p) != 0)
			return -1;
		cfg->n_policies++;
	}
	return 0;
}
