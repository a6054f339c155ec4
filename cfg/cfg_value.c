/* SPDX-License-Identifier: BSD-3-Clause */
/* Typed reads of one setting, and the walk over a group's keys. */
#include <string.h>

#include "cfg/cfg_internal.h"

enum { CFG_SHOW_MAX = CFG_VALUE_SHOW + 8 };

static int cfg_err_between(struct cfg_ctx *ctx, const config_setting_t *s,
			   uint32_t min, uint32_t max)
{
	char name[64], val[CFG_SHOW_MAX];

	return cfg_err(ctx, s, "%s must be between %u and %u (%s)",
		       cfg_key_name(s, name, sizeof(name)), min, max,
		       cfg_value_fmt(s, val, sizeof(val)));
}

int cfg_get_u32(struct cfg_ctx *ctx, const config_setting_t *s, uint32_t min,
		uint32_t max, uint32_t *out)
{
	char name[64], val[CFG_SHOW_MAX];
	bool hex = config_setting_get_format(s) == CONFIG_FORMAT_HEX;
	long long raw;
	uint64_t v;

	cfg_key_name(s, name, sizeof(name));
	cfg_value_fmt(s, val, sizeof(val));
	if (config_setting_type(s) == CONFIG_TYPE_INT) {
		raw = config_setting_get_int(s);
		/* 0x80000000..0xFFFFFFFF: kept by libconfig as a negative int */
		if (hex)
			raw = (long long)(uint32_t)raw;
	} else if (config_setting_type(s) == CONFIG_TYPE_INT64) {
		raw = config_setting_get_int64(s);
		/* 0x8000000000000000L and up: a negative long long */
		if (hex && raw < 0)
			return max == UINT32_MAX ?
				cfg_err(ctx, s, "%s does not fit in 32 bits (%s)", name, val) :
				cfg_err_between(ctx, s, min, max);
	} else {
		return cfg_err(ctx, s, "%s must be an integer (%s)", name, val);
	}
	if (raw < 0)
		return min == 0 ? cfg_err(ctx, s, "%s must not be negative (%s)", name, val) :
			cfg_err_between(ctx, s, min, max);
	v = (uint64_t)raw;
	if (v > UINT32_MAX && max == UINT32_MAX)
		return cfg_err(ctx, s, "%s does not fit in 32 bits (%s)", name, val);
	if (v < min || v > max)
		return cfg_err_between(ctx, s, min, max);
	*out = (uint32_t)v;
	return 0;
}

int cfg_get_bool(struct cfg_ctx *ctx, const config_setting_t *s, bool *out)
{
	char name[64], val[CFG_SHOW_MAX];

	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return cfg_err(ctx, s, "%s must be true or false (%s)",
			       cfg_key_name(s, name, sizeof(name)),
			       cfg_value_fmt(s, val, sizeof(val)));
	*out = config_setting_get_bool(s) != 0;
	return 0;
}

int cfg_get_string(struct cfg_ctx *ctx, const config_setting_t *s, const char **out)
{
	char name[64], val[CFG_SHOW_MAX];

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return cfg_err(ctx, s, "%s must be a string (%s)",
			       cfg_key_name(s, name, sizeof(name)),
			       cfg_value_fmt(s, val, sizeof(val)));
	*out = config_setting_get_string(s);
	return 0;
}

int cfg_get_list(struct cfg_ctx *ctx, const config_setting_t *s, bool arrays_ok,
		 unsigned max)
{
	char name[64], val[CFG_SHOW_MAX];

	cfg_key_name(s, name, sizeof(name));
	if (!config_setting_is_list(s) && !(arrays_ok && config_setting_is_array(s)))
		return cfg_err(ctx, s, "%s must be a list %s (%s)", name,
			       arrays_ok ? "[ ... ]" : "( ... )",
			       cfg_value_fmt(s, val, sizeof(val)));
	if ((unsigned)config_setting_length(s) > max)
		return cfg_err(ctx, s, "%s has more than %u entries (%d)", name, max,
			       config_setting_length(s));
	return 0;
}

static const struct cfg_key *cfg_key_find(const struct cfg_key *keys, size_t nkeys,
					  const char *name)
{
	for (size_t i = 0; i < nkeys; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

int cfg_walk(struct cfg_ctx *ctx, const config_setting_t *group,
	     const struct cfg_key *keys, size_t nkeys, void *obj)
{
	char name[64], val[CFG_SHOW_MAX];
	int n = config_setting_length(group);

	if (!config_setting_is_group(group))
		return cfg_err(ctx, group, "%s must be a group { ... } (%s)",
			       cfg_key_name(group, name, sizeof(name)),
			       cfg_value_fmt(group, val, sizeof(val)));
	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(group, (unsigned)i);

		if (cfg_key_find(keys, nkeys, config_setting_name(s)) == NULL)
			return cfg_err(ctx, s, "unknown key (%s)", config_setting_name(s));
	}
	for (size_t k = 0; k < nkeys; k++) {
		const config_setting_t *s = config_setting_get_member(group, keys[k].name);

		if (s == NULL && keys[k].required)
			return cfg_err(ctx, group, "missing required key (%s)", keys[k].name);
		if (s != NULL && keys[k].parse(ctx, s, obj) != 0)
			return -1;
	}
	return 0;
}
