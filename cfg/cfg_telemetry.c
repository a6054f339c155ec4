/* SPDX-License-Identifier: BSD-3-Clause */
/* telemetry = { socket_group; socket_mode; }: who may use the telemetry socket. */
#include <string.h>

#include "cfg/cfg_internal.h"

static int cfg_tm_group(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_telemetry *t = obj;
	const char *group, *why;

	if (cfg_get_string(ctx, s, &group) != 0)
		return -1;
	why = cfg_validate_group_name(group);
	if (why != NULL)
		return cfg_err(ctx, s, "socket_group %s (%s)", why, group);
	strcpy(t->socket_group, group);
	return 0;
}

/* A string read in base 8: libconfig has no octal literal. */
static int cfg_tm_mode(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_telemetry *t = obj;
	char val[CFG_VALUE_SHOW + 8];
	const char *text, *why;

	if (config_setting_type(s) == CONFIG_TYPE_INT || config_setting_type(s) == CONFIG_TYPE_INT64)
		return cfg_err(ctx, s, "socket_mode must be a string like \"0660\": libconfig has "
			       "no octal, so a bare 0660 is read as decimal 660 (%s)",
			       cfg_value_fmt(s, val, sizeof(val)));
	if (cfg_get_string(ctx, s, &text) != 0)
		return -1;
	why = cfg_validate_octal_mode(text, &t->socket_mode);
	if (why != NULL)
		return cfg_err(ctx, s, "socket_mode %s (%s)", why, text);
	t->has_mode = true;
	return 0;
}

static const struct cfg_key cfg_tm_keys[] = {
	{ "socket_group", false, cfg_tm_group },
	{ "socket_mode", false, cfg_tm_mode },
};

int cfg_parse_telemetry(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct gw_cfg *cfg = obj;

	return cfg_walk(ctx, s, cfg_tm_keys, sizeof(cfg_tm_keys) / sizeof(cfg_tm_keys[0]),
			&cfg->telemetry);
}
