/* SPDX-License-Identifier: BSD-3-Clause */
/* neighbors = ( { address; mac; interface; }, ... ): static ARP/ND entries. */
#include <stdlib.h>
#include <string.h>

#include "cfg/cfg_internal.h"

struct cfg_neigh_obj {
	const struct gw_cfg *cfg;
	struct cfg_neighbor *nb;
};

static int cfg_neigh_addr(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_neigh_obj *o = obj;
	const char *text, *why;

	if (cfg_get_string(ctx, s, &text) != 0)
		return -1;
	if (gw_addr_parse(text, &o->nb->addr) != 0)
		return cfg_err(ctx, s, "neighbor address must be an IP address (%s)", text);
	why = cfg_validate_unicast(&o->nb->addr);
	if (why != NULL)
		return cfg_err(ctx, s, "neighbor address %s (%s)", why, text);
	if (cfg_addr_is_local(o->cfg, &o->nb->addr))
		return cfg_err(ctx, s, "neighbor address is one of the gateway's own addresses (%s)",
			       text);
	return 0;
}

static int cfg_neigh_mac(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_neigh_obj *o = obj;
	const char *text, *why;

	if (cfg_get_string(ctx, s, &text) != 0)
		return -1;
	if (gw_mac_parse(text, &o->nb->mac) != 0)
		return cfg_err(ctx, s, "neighbor mac must be a MAC address like 02:00:00:00:00:fe (%s)",
			       text);
	why = cfg_validate_mac(&o->nb->mac);
	if (why != NULL)
		return cfg_err(ctx, s, "neighbor mac %s (%s)", why, text);
	return 0;
}

static int cfg_neigh_iface(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_neigh_obj *o = obj;
	const char *name;

	if (cfg_get_string(ctx, s, &name) != 0)
		return -1;
	o->nb->iface = cfg_iface_find(o->cfg, name);
	if (o->nb->iface < 0)
		return cfg_err(ctx, s, "neighbor interface is not a configured interface (%s)", name);
	return 0;
}

static const struct cfg_key cfg_neigh_keys[] = {
	{ "address", true, cfg_neigh_addr },
	{ "mac", true, cfg_neigh_mac },
	{ "interface", false, cfg_neigh_iface },
};

/* Without an interface, the one whose connected subnet holds the address;
 * then no second entry for the same address on the same interface. */
static int cfg_neigh_finish(struct cfg_ctx *ctx, const config_setting_t *group,
			    const struct gw_cfg *cfg, struct cfg_neighbor *nb)
{
	const config_setting_t *addr = config_setting_get_member(group, "address");
	char buf[GW_ADDR_STRLEN];

	gw_addr_fmt(&nb->addr, buf, sizeof(buf));
	if (nb->iface < 0)
		nb->iface = cfg_iface_by_subnet(cfg, &nb->addr);
	if (nb->iface < 0)
		return cfg_err(ctx, addr, "neighbor address is not in a connected subnet (%s)", buf);
	for (unsigned i = 0; i < cfg->n_neighbors; i++)
		if (cfg->neighbors[i].iface == nb->iface &&
		    gw_addr_eq(&cfg->neighbors[i].addr, &nb->addr))
			return cfg_err(ctx, addr, "duplicate neighbor, first at line %d (%s)",
				       cfg->neighbors[i].line, buf);
	return 0;
}

int cfg_parse_neighbors(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct gw_cfg *cfg = obj;
	int n;

	if (cfg_get_list(ctx, s, false, CFG_MAX_NEIGHBORS) != 0)
		return -1;
	n = config_setting_length(s);
	if (n == 0)
		return 0;
	cfg->neighbors = calloc((size_t)n, sizeof(*cfg->neighbors));
	if (cfg->neighbors == NULL)
		return cfg_err(ctx, s, "out of memory (%d neighbors)", n);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		struct cfg_neighbor *nb = &cfg->neighbors[cfg->n_neighbors];
		struct cfg_neigh_obj o = { .cfg = cfg, .nb = nb };

		nb->iface = -1;
		nb->line = cfg_line(e);
		if (cfg_walk(ctx, e, cfg_neigh_keys,
			     sizeof(cfg_neigh_keys) / sizeof(cfg_neigh_keys[0]), &o) != 0 ||
		    cfg_neigh_finish(ctx, e, cfg, nb) != 0)
			return -1;
		cfg->n_neighbors++;
	}
	return 0;
}
