/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The tunnel knobs shared by peers[] and manual_sas[] entries (gw_sa.h's
 * struct gw_tunnel_knobs; dataplane/esp_knobs.h applies them):
 *   tcp_mss = 1360;         0 / absent = off, else 536..9000
 *   mtu = 1400;             0 / absent = off, else 576..9000 (1280.. with
 *                           IPv6 selectors, RFC 8200 5)
 *   df = "clear";           "clear" (default), "copy" or "set"
 *   dscp = "copy";          "copy" (default) or 0..63
 *   ecn = "normal";         "normal" (default, RFC 6040) or "compat"
 *   ttl_decrement = true;   default true
 */
#include <string.h>

#include "cfg/cfg_internal.h"

enum {
	CFG_MSS_MIN = 536,		/* RFC 879 / RFC 9293 3.7.1's default MSS */
	CFG_DSCP_MAX = 63,
};

/* 0 (off) or lo..hi into *out. */
static int cfg_knob_u16(struct cfg_ctx *ctx, const config_setting_t *s, uint32_t lo,
			uint32_t hi, uint16_t *out)
{
	char val[CFG_VALUE_SHOW + 8];
	uint32_t v;

	if (cfg_get_u32(ctx, s, 0, UINT32_MAX, &v) != 0)
		return -1;
	if (v != 0 && (v < lo || v > hi))
		return cfg_err(ctx, s, "%s must be 0 (off) or between %u and %u (%s)",
			       config_setting_name(s), lo, hi, cfg_value_fmt(s, val, sizeof(val)));
	*out = (uint16_t)v;
	return 0;
}

/* One of n words into *out (its index). */
static int cfg_knob_word(struct cfg_ctx *ctx, const config_setting_t *s,
			 const char *const *words, unsigned n, const char *expect, uint8_t *out)
{
	const char *text;

	if (cfg_get_string(ctx, s, &text) != 0)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		if (strcmp(text, words[i]) == 0) {
			*out = (uint8_t)i;
			return 0;
		}
	}
	return cfg_err(ctx, s, "%s must be %s (%s)", config_setting_name(s), expect, text);
}

static int cfg_knob_dscp(struct cfg_ctx *ctx, const config_setting_t *s,
			 struct gw_tunnel_knobs *k)
{
	char val[CFG_VALUE_SHOW + 8];
	int type = config_setting_type(s);
	uint32_t v;

	if (type == CONFIG_TYPE_STRING && strcmp(config_setting_get_string(s), "copy") == 0) {
		k->dscp_fixed = false;
		k->dscp = 0;
		return 0;
	}
	if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64)
		return cfg_err(ctx, s, "dscp must be \"copy\" or 0 to 63 (%s)",
			       type == CONFIG_TYPE_STRING ? config_setting_get_string(s) :
			       cfg_value_fmt(s, val, sizeof(val)));
	if (cfg_get_u32(ctx, s, 0, CFG_DSCP_MAX, &v) != 0)
		return -1;
	k->dscp_fixed = true;
	k->dscp = (uint8_t)v;
	return 0;
}

int cfg_knob_parse(struct cfg_ctx *ctx, const config_setting_t *s, struct gw_tunnel_knobs *k)
{
	/* Indexed by enum gw_df and enum gw_ecn. */
	static const char *const df[] = { "clear", "copy", "set" };
	static const char *const ecn[] = { "normal", "compat" };
	const char *name = config_setting_name(s);
	bool dec;

	if (strcmp(name, "tcp_mss") == 0)
		return cfg_knob_u16(ctx, s, CFG_MSS_MIN, CFG_MTU_MAX, &k->tcp_mss);
	if (strcmp(name, "mtu") == 0)
		return cfg_knob_u16(ctx, s, CFG_MTU_MIN, CFG_MTU_MAX, &k->mtu);
	if (strcmp(name, "df") == 0)
		return cfg_knob_word(ctx, s, df, 3, "\"clear\", \"copy\" or \"set\"", &k->df);
	if (strcmp(name, "ecn") == 0)
		return cfg_knob_word(ctx, s, ecn, 2, "\"normal\" or \"compat\"", &k->ecn);
	if (strcmp(name, "dscp") == 0)
		return cfg_knob_dscp(ctx, s, k);
	if (cfg_get_bool(ctx, s, &dec) != 0)	/* ttl_decrement */
		return -1;
	k->ttl_keep = !dec;
	return 0;
}

int cfg_knobs_check(struct cfg_ctx *ctx, const config_setting_t *e,
		    const struct gw_tunnel_knobs *k, bool v6, const char *who)
{
	if (v6 && k->mtu != 0 && k->mtu < CFG_MTU_MIN_V6)
		return cfg_err(ctx, config_setting_get_member(e, "mtu"),
			       "%s: mtu must be at least %d with IPv6 selectors (%u)", who,
			       CFG_MTU_MIN_V6, k->mtu);
	return 0;
}
