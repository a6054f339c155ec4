/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A traffic-selector list [ "PREFIX", ... ] as manual_sas and policies
 * write it: 1 to CFG_MAX_TS prefixes with no host bits, no duplicates, and
 * where asked one address family.
 */
#include <string.h>

#include "cfg/cfg_internal.h"

_Static_assert(CFG_MAX_TS == 4, "update the messages");

/* The one prefix e of list name, into *p. */
static int cfg_ts_one(struct cfg_ctx *ctx, const config_setting_t *e, const char *name,
		      struct gw_prefix *p)
{
	const char *text;

	if (cfg_get_string(ctx, e, &text) != 0)
		return -1;
	if (gw_prefix_parse(text, p) != 0)
		return cfg_err(ctx, e, "%s entry must be a prefix like 10.0.0.0/8 (%s)", name, text);
	if (gw_prefix_has_host_bits(p))
		return cfg_err(ctx, e, "%s entry has host bits set (%s)", name, text);
	return 0;
}

int cfg_get_ts_list(struct cfg_ctx *ctx, const config_setting_t *s, bool one_family,
		    struct gw_prefix *out, unsigned *n)
{
	const char *name = config_setting_name(s);
	char buf[GW_PREFIX_STRLEN];
	int len;

	if (cfg_get_list(ctx, s, true, CFG_MAX_TS) != 0)
		return -1;
	len = config_setting_length(s);
	if (len == 0)
		return cfg_err(ctx, s, "%s must list 1 to 4 prefixes (none)", name);
	*n = 0;
	for (int i = 0; i < len; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		struct gw_prefix p;

		if (cfg_ts_one(ctx, e, name, &p) != 0)
			return -1;
		gw_prefix_fmt(&p, buf, sizeof(buf));
		if (one_family && i > 0 && p.addr.family != out[0].addr.family)
			return cfg_err(ctx, e, "%s mixes IPv4 and IPv6 (%s)", name, buf);
		for (unsigned j = 0; j < *n; j++)
			if (out[j].len == p.len && gw_addr_eq(&out[j].addr, &p.addr))
				return cfg_err(ctx, e, "duplicate prefix in %s (%s)", name, buf);
		out[(*n)++] = p;
	}
	return 0;
}
