/* SPDX-License-Identifier: BSD-3-Clause */
/* routes = ( { prefix; via; interface; }, ... ), read after the interfaces. */
#include <stdlib.h>
#include <string.h>

#include "cfg/cfg_internal.h"

struct cfg_route_obj {
	const struct gw_cfg *cfg;
	struct cfg_route *r;
};

static int cfg_route_prefix(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_route *r = ((struct cfg_route_obj *)obj)->r;
	const char *text;

	if (cfg_get_string(ctx, s, &text) != 0)
		return -1;
	if (gw_prefix_parse(text, &r->prefix) != 0)
		return cfg_err(ctx, s, "route prefix must be a prefix like 10.0.0.0/8 (%s)", text);
	if (gw_prefix_has_host_bits(&r->prefix))
		return cfg_err(ctx, s, "route prefix has host bits set (%s)", text);
	return 0;
}

static int cfg_route_via(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_route *r = ((struct cfg_route_obj *)obj)->r;
	const char *text, *why;

	if (cfg_get_string(ctx, s, &text) != 0)
		return -1;
	if (gw_addr_parse(text, &r->via) != 0)
		return cfg_err(ctx, s, "route via must be an IP address (%s)", text);
	why = cfg_validate_unicast(&r->via);
	if (why != NULL)
		return cfg_err(ctx, s, "route via %s (%s)", why, text);
	return 0;
}

static int cfg_route_iface(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_route_obj *o = obj;
	const char *name;

	if (cfg_get_string(ctx, s, &name) != 0)
		return -1;
	o->r->iface = cfg_iface_find(o->cfg, name);
	if (o->r->iface < 0)
		return cfg_err(ctx, s, "route interface is not a configured interface (%s)", name);
	return 0;
}

static const struct cfg_key cfg_route_keys[] = {
	{ "prefix", true, cfg_route_prefix },
	{ "via", false, cfg_route_via },
	{ "interface", false, cfg_route_iface },
};

/* The next hop gives the interface: the one whose connected subnet holds it. */
static int cfg_route_resolve(struct cfg_ctx *ctx, const config_setting_t *group,
			     const struct gw_cfg *cfg, struct cfg_route *r)
{
	const config_setting_t *via = config_setting_get_member(group, "via");
	char buf[GW_PREFIX_STRLEN];
	int idx;

	if (r->via.family == 0) {
		if (r->iface < 0)
			return cfg_err(ctx, group, "route without via needs an interface (%s)",
				       gw_prefix_fmt(&r->prefix, buf, sizeof(buf)));
		return 0;
	}
	gw_addr_fmt(&r->via, buf, sizeof(buf));
	if (r->via.family != r->prefix.addr.family)
		return cfg_err(ctx, via, "route via is not of the prefix's address family (%s)", buf);
	if (cfg_addr_is_local(cfg, &r->via))
		return cfg_err(ctx, via, "route via is one of the gateway's own addresses (%s)", buf);
	idx = cfg_iface_by_subnet(cfg, &r->via);
	if (idx < 0)
		return cfg_err(ctx, via, "route via is not in a connected subnet (%s)", buf);
	if (r->iface >= 0 && r->iface != idx)
		return cfg_err(ctx, via, "route via is not in a connected subnet of interface %s (%s)",
			       cfg->ifaces[r->iface].name, buf);
	r->iface = idx;
	return 0;
}

static int cfg_route_unique(struct cfg_ctx *ctx, const config_setting_t *group,
			    const struct gw_cfg *cfg, const struct cfg_route *r)
{
	char buf[GW_PREFIX_STRLEN];

	for (unsigned i = 0; i < cfg->n_routes; i++)
		if (cfg->routes[i].prefix.len == r->prefix.len &&
		    gw_addr_eq(&cfg->routes[i].prefix.addr, &r->prefix.addr))
			return cfg_err(ctx, group, "duplicate route, first at line %d (%s)",
				       cfg->routes[i].line,
				       gw_prefix_fmt(&r->prefix, buf, sizeof(buf)));
	return 0;
}

int cfg_parse_routes(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct gw_cfg *cfg = obj;
	int n;

	if (cfg_get_list(ctx, s, false, CFG_MAX_ROUTES) != 0)
		return -1;
	n = config_setting_length(s);
	if (n == 0)
		return 0;
	cfg->routes = calloc((size_t)n, sizeof(*cfg->routes));
	if (cfg->routes == NULL)
		return cfg_err(ctx, s, "out of memory (%d routes)", n);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		struct cfg_route *r = &cfg->routes[cfg->n_routes];
		struct cfg_route_obj o = { .cfg = cfg, .r = r };

		r->iface = -1;
		r->line = cfg_line(e);
		if (cfg_walk(ctx, e, cfg_route_keys,
			     sizeof(cfg_route_keys) / sizeof(cfg_route_keys[0]), &o) != 0 ||
		    cfg_route_resolve(ctx, e, cfg, r) != 0 ||
		    cfg_route_unique(ctx, e, cfg, r) != 0)
			return -1;
		cfg->n_routes++;
	}
	return 0;
}
