/* SPDX-License-Identifier: BSD-3-Clause */
/* interfaces = ( { name; port; vlan; address; mtu; }, ... ): the one being
 * parsed is cfg->ifaces[cfg->n_ifaces], counted only once it is complete.
 * Interfaces share a port as 802.1Q sub-interfaces: each with its own vlan,
 * at most one of them untagged (no vlan). */
#include <string.h>

#include "cfg/cfg_internal.h"

static struct cfg_iface *cfg_iface_cur(void *obj)
{
	struct gw_cfg *cfg = obj;

	return &cfg->ifaces[cfg->n_ifaces];
}

static int cfg_iface_name(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	const char *name, *why;

	if (cfg_get_string(ctx, s, &name) != 0)
		return -1;
	why = cfg_validate_name(name);
	if (why != NULL)
		return cfg_err(ctx, s, "interface name %s (%s)", why, name);
	if (cfg_iface_find(obj, name) >= 0)
		return cfg_err(ctx, s, "duplicate interface name (%s)", name);
	strcpy(cfg_iface_cur(obj)->name, name);
	return 0;
}

/* Sharing a port is checked in cfg_iface_share(), once vlan is known. */
static int cfg_iface_port(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	const char *port, *why;

	if (cfg_get_string(ctx, s, &port) != 0)
		return -1;
	why = cfg_validate_port(port);
	if (why != NULL)
		return cfg_err(ctx, s, "interface port %s (%s)", why, port);
	strcpy(cfg_iface_cur(obj)->port, port);
	return 0;
}

/* vlan = 1..4094: an 802.1Q sub-interface of its port (0 and 4095 are
 * reserved by IEEE 802.1Q). */
static int cfg_iface_vlan(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	uint32_t v;

	if (cfg_get_u32(ctx, s, 1, CFG_VLAN_MAX, &v) != 0)
		return -1;
	cfg_iface_cur(obj)->vlan = (uint16_t)v;
	return 0;
}

/* Two connected subnets overlap when either holds the other's address. */
static bool cfg_prefix_overlap(const struct gw_prefix *a, const struct gw_prefix *b)
{
	return gw_prefix_contains(a, &b->addr) || gw_prefix_contains(b, &a->addr);
}

/* One "ADDR/LEN" string: our address on a connected subnet of this interface. */
static int cfg_iface_addr(struct cfg_ctx *ctx, const config_setting_t *e,
			  const struct gw_cfg *cfg, struct cfg_iface *ifc)
{
	struct gw_prefix p;
	const char *text, *why;

	if (cfg_get_string(ctx, e, &text) != 0)
		return -1;
	if (gw_prefix_parse(text, &p) != 0)
		return cfg_err(ctx, e, "interface address must be a prefix like 10.0.0.1/24 (%s)",
			       text);
	why = cfg_validate_iface_addr(&p);
	if (why != NULL)
		return cfg_err(ctx, e, "interface address %s (%s)", why, text);
	for (unsigned i = 0; i < ifc->n_addrs; i++)
		if (gw_addr_eq(&ifc->addrs[i].addr, &p.addr))
			return cfg_err(ctx, e, "duplicate interface address (%s)", text);
	for (unsigned i = 0; i < cfg->n_ifaces; i++)
		for (unsigned j = 0; j < cfg->ifaces[i].n_addrs; j++)
			if (cfg_prefix_overlap(&cfg->ifaces[i].addrs[j], &p))
				return cfg_err(ctx, e, "address overlaps the subnet of interface %s (%s)",
					       cfg->ifaces[i].name, text);
	ifc->addrs[ifc->n_addrs++] = p;
	return 0;
}

static int cfg_iface_address(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_iface *ifc = cfg_iface_cur(obj);
	char val[CFG_VALUE_SHOW + 8];
	int n;

	if (config_setting_type(s) == CONFIG_TYPE_STRING)
		return cfg_iface_addr(ctx, s, obj, ifc);
	if (!config_setting_is_list(s) && !config_setting_is_array(s))
		return cfg_err(ctx, s, "interface address must be a prefix string or a list of them (%s)",
			       cfg_value_fmt(s, val, sizeof(val)));
	if (cfg_get_list(ctx, s, true, CFG_MAX_IFACE_ADDRS) != 0)
		return -1;
	n = config_setting_length(s);
	if (n == 0)
		return cfg_err(ctx, s, "interface address list is empty (%d entries)", n);
	for (int i = 0; i < n; i++)
		if (cfg_iface_addr(ctx, config_setting_get_elem(s, (unsigned)i), obj, ifc) != 0)
			return -1;
	return 0;
}

static int cfg_iface_mtu(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	uint32_t v;

	if (cfg_get_u32(ctx, s, CFG_MTU_MIN, CFG_MTU_MAX, &v) != 0)
		return -1;
	cfg_iface_cur(obj)->mtu = (uint16_t)v;
	return 0;
}

static const struct cfg_key cfg_iface_keys[] = {
	{ "name", true, cfg_iface_name },
	{ "port", true, cfg_iface_port },
	{ "vlan", false, cfg_iface_vlan },
	{ "address", true, cfg_iface_address },
	{ "mtu", false, cfg_iface_mtu },
};

/*
 * The interfaces before ifc on the same port: none untagged when ifc is,
 * none with ifc's VLAN.  The error is at ifc's vlan (or port) line.
 */
static int cfg_iface_share(struct cfg_ctx *ctx, const config_setting_t *group,
			   const struct gw_cfg *cfg, const struct cfg_iface *ifc)
{
	for (unsigned i = 0; i < cfg->n_ifaces; i++) {
		const struct cfg_iface *o = &cfg->ifaces[i];

		if (strcmp(o->port, ifc->port) != 0 || o->vlan != ifc->vlan)
			continue;
		if (ifc->vlan == 0)
			return cfg_err(ctx, config_setting_get_member(group, "port"),
				       "port is already used by interface %s (%s)", o->name,
				       ifc->port);
		return cfg_err(ctx, config_setting_get_member(group, "vlan"),
			       "vlan is already used on port %s by interface %s (%u)",
			       ifc->port, o->name, ifc->vlan);
	}
	return 0;
}

/* Checks across the keys of one interface, once all of them are read. */
static int cfg_iface_finish(struct cfg_ctx *ctx, const config_setting_t *group,
			    const struct gw_cfg *cfg, const struct cfg_iface *ifc)
{
	bool has_v6 = false;
	const char *why;

	if (cfg_iface_share(ctx, group, cfg, ifc) != 0)
		return -1;
	for (unsigned i = 0; i < ifc->n_addrs; i++)
		has_v6 |= ifc->addrs[i].addr.family == AF_INET6;
	if (ifc->mtu == 0)
		return 0;
	why = cfg_validate_mtu(ifc->mtu, has_v6);
	if (why != NULL)
		return cfg_err(ctx, config_setting_get_member(group, "mtu"), "mtu %s (%u)",
			       why, ifc->mtu);
	return 0;
}

int cfg_parse_interfaces(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct gw_cfg *cfg = obj;
	int n;

	if (cfg_get_list(ctx, s, false, CFG_MAX_IFACES) != 0)
		return -1;
	n = config_setting_length(s);
	if (n == 0)
		return cfg_err(ctx, s, "interfaces must list at least one interface (%d entries)", n);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		struct cfg_iface *ifc = &cfg->ifaces[cfg->n_ifaces];

		memset(ifc, 0, sizeof(*ifc));
		ifc->line = cfg_line(e);
		if (cfg_walk(ctx, e, cfg_iface_keys,
			     sizeof(cfg_iface_keys) / sizeof(cfg_iface_keys[0]), cfg) != 0 ||
		    cfg_iface_finish(ctx, e, cfg, ifc) != 0)
			return -1;
		cfg->n_ifaces++;
	}
	return 0;
}

int cfg_iface_by_subnet(const struct gw_cfg *cfg, const struct gw_addr *a)
{
	for (unsigned i = 0; i < cfg->n_ifaces; i++)
		for (unsigned j = 0; j < cfg->ifaces[i].n_addrs; j++)
			if (gw_prefix_contains(&cfg->ifaces[i].addrs[j], a))
				return (int)i;
	return -1;
}

bool cfg_addr_is_local(const struct gw_cfg *cfg, const struct gw_addr *a)
{
	for (unsigned i = 0; i < cfg->n_ifaces; i++)
		for (unsigned j = 0; j < cfg->ifaces[i].n_addrs; j++)
			if (gw_addr_eq(&cfg->ifaces[i].addrs[j].addr, a))
				return true;
	return false;
}
