/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * punt = { neigh_pps; ike_pps; ike_new_pps; other_pps; }: the rate of each
 * punt class (CFG_PUNT_CLASSES in cfg.h), packets per second for the whole
 * gateway.  Defaults apply when the group or a key is absent.
 */
#include <string.h>

#include "cfg/cfg_internal.h"

static const char *const cfg_punt_names[CFG_PUNT_MAX] = {
#define X(U, l, d) #l,
	CFG_PUNT_CLASSES(X)
#undef X
};

static const uint32_t cfg_punt_defaults[CFG_PUNT_MAX] = {
#define X(U, l, d) d,
	CFG_PUNT_CLASSES(X)
#undef X
};

uint32_t cfg_punt_default_pps(unsigned c)
{
	return c < CFG_PUNT_MAX ? cfg_punt_defaults[c] : 0;
}

const char *cfg_punt_class_name(unsigned c)
{
	return c < CFG_PUNT_MAX ? cfg_punt_names[c] : "?";
}

void cfg_punt_defaults_set(struct cfg_punt *p)
{
	for (unsigned c = 0; c < CFG_PUNT_MAX; c++)
		p->pps[c] = cfg_punt_defaults[c];
}

/* One "<class>_pps" key: which class comes from the key's name. */
static int cfg_punt_pps(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_punt *p = obj;
	const char *key = config_setting_name(s);

	for (unsigned c = 0; c < CFG_PUNT_MAX; c++) {
		size_t n = strlen(cfg_punt_names[c]);

		if (strncmp(key, cfg_punt_names[c], n) == 0 && strcmp(key + n, "_pps") == 0)
			return cfg_get_u32(ctx, s, 1, CFG_PUNT_PPS_MAX, &p->pps[c]);
	}
	return cfg_err(ctx, s, "unknown key (%s)", key);	/* not reached: cfg_walk */
}

static const struct cfg_key cfg_punt_keys[] = {
#define X(U, l, d) { #l "_pps", false, cfg_punt_pps },
	CFG_PUNT_CLASSES(X)
#undef X
};

int cfg_parse_punt(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct gw_cfg *cfg = obj;

	return cfg_walk(ctx, s, cfg_punt_keys, sizeof(cfg_punt_keys) / sizeof(cfg_punt_keys[0]),
			&cfg->punt);
}
