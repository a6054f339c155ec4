/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crypto = { ikev2 = { disconnect_revoked_peers; cookie_threshold;
 *   max_half_open; max_half_open_per_peer; dpd_interval; }; isakmp = {
 *   disconnect_revoked_peers;
 *   dpd_interval; }; }: IKE settings shared by every peer of a version.
 * Defaults apply when the group or a key is absent.
 */
#include "cfg/cfg_internal.h"

enum {
	CFG_COOKIE_THRESHOLD_DEFAULT = 512,
	CFG_MAX_HALF_OPEN_DEFAULT = 8192,
	/* strongSwan's charon.block_threshold: a site peer needs 1-2 (a
	 * retry, a rekey), a few hosts behind one NAT a few more */
	CFG_HALF_OPEN_PER_PEER_DEFAULT = 5,
	CFG_HALF_OPEN_MAX = 1 << 20,
	CFG_DPD_DEFAULT = 30,
	CFG_DPD_MAX = 86400,
};

void cfg_crypto_defaults(struct cfg_crypto *c)
{
	c->ikev2.disconnect_revoked_peers = false;
	c->ikev2.cookie_threshold = CFG_COOKIE_THRESHOLD_DEFAULT;
	c->ikev2.max_half_open = CFG_MAX_HALF_OPEN_DEFAULT;
	c->ikev2.max_half_open_per_peer = CFG_HALF_OPEN_PER_PEER_DEFAULT;
	c->ikev2.dpd_interval = CFG_DPD_DEFAULT;
	c->isakmp.disconnect_revoked_peers = false;
	c->isakmp.dpd_interval = CFG_DPD_DEFAULT;
}

static int cfg_ikev2_revoked(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_ikev2 *v2 = obj;

	return cfg_get_bool(ctx, s, &v2->disconnect_revoked_peers);
}

static int cfg_ikev2_cookie(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_ikev2 *v2 = obj;

	return cfg_get_u32(ctx, s, 1, CFG_HALF_OPEN_MAX, &v2->cookie_threshold);
}

static int cfg_ikev2_half_open(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_ikev2 *v2 = obj;

	return cfg_get_u32(ctx, s, 1, CFG_HALF_OPEN_MAX, &v2->max_half_open);
}

static int cfg_ikev2_per_peer(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_ikev2 *v2 = obj;

	return cfg_get_u32(ctx, s, 1, CFG_HALF_OPEN_MAX, &v2->max_half_open_per_peer);
}

static int cfg_ikev2_dpd(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_ikev2 *v2 = obj;

	return cfg_get_u32(ctx, s, 0, CFG_DPD_MAX, &v2->dpd_interval);
}

static const struct cfg_key cfg_ikev2_keys[] = {
	{ "disconnect_revoked_peers", false, cfg_ikev2_revoked },
	{ "cookie_threshold", false, cfg_ikev2_cookie },
	{ "max_half_open", false, cfg_ikev2_half_open },
	{ "max_half_open_per_peer", false, cfg_ikev2_per_peer },
	{ "dpd_interval", false, cfg_ikev2_dpd },
};

/* COOKIEs start at or before the point where half-open SAs are refused;
 * one address's cap is at most the global one (the default shrinks to a
 * smaller max_half_open, a value set above it is an error). */
static int cfg_ikev2(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_crypto *c = obj;
	const config_setting_t *cookie, *per_peer;

	if (cfg_walk(ctx, s, cfg_ikev2_keys, sizeof(cfg_ikev2_keys) / sizeof(cfg_ikev2_keys[0]),
		     &c->ikev2) != 0)
		return -1;
	per_peer = config_setting_get_member(s, "max_half_open_per_peer");
	if (c->ikev2.max_half_open_per_peer > c->ikev2.max_half_open) {
		if (per_peer != NULL)
			return cfg_err(ctx, per_peer,
				       "max_half_open_per_peer must be at most max_half_open %u (%u)",
				       c->ikev2.max_half_open, c->ikev2.max_half_open_per_peer);
		c->ikev2.max_half_open_per_peer = c->ikev2.max_half_open;
	}
	if (c->ikev2.cookie_threshold <= c->ikev2.max_half_open)
		return 0;
	cookie = config_setting_get_member(s, "cookie_threshold");
	return cfg_err(ctx, cookie != NULL ? cookie : s,
		       "cookie_threshold must be at most max_half_open %u (%u)",
		       c->ikev2.max_half_open, c->ikev2.cookie_threshold);
}

static int cfg_isakmp_revoked(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_isakmp *v1 = obj;

	return cfg_get_bool(ctx, s, &v1->disconnect_revoked_peers);
}

static int cfg_isakmp_dpd(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_isakmp *v1 = obj;

	return cfg_get_u32(ctx, s, 0, CFG_DPD_MAX, &v1->dpd_interval);
}

static const struct cfg_key cfg_isakmp_keys[] = {
	{ "disconnect_revoked_peers", false, cfg_isakmp_revoked },
	{ "dpd_interval", false, cfg_isakmp_dpd },
};

static int cfg_isakmp(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_crypto *c = obj;

	return cfg_walk(ctx, s, cfg_isakmp_keys, sizeof(cfg_isakmp_keys) / sizeof(cfg_isakmp_keys[0]),
			&c->isakmp);
}

static const struct cfg_key cfg_crypto_keys[] = {
	{ "ikev2", false, cfg_ikev2 },
	{ "isakmp", false, cfg_isakmp },
};

int cfg_parse_crypto(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct gw_cfg *cfg = obj;

	return cfg_walk(ctx, s, cfg_crypto_keys,
			sizeof(cfg_crypto_keys) / sizeof(cfg_crypto_keys[0]), &cfg->crypto);
}
