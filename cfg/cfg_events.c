/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * events = { syslog = true; syslog_socket = "/dev/log"; }: where the
 * structured events (common/gw_event.h) go besides the DPDK log.  Both
 * keys are optional; the defaults apply when the group is absent.
 */
#include <stdio.h>
#include <string.h>

#include "cfg/cfg_internal.h"

void cfg_events_defaults_set(struct cfg_events *e)
{
	e->syslog = true;
	snprintf(e->syslog_socket, sizeof(e->syslog_socket), "%s", CFG_EVENTS_SOCKET_DEFAULT);
}

static int cfg_events_syslog(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_events *e = obj;

	return cfg_get_bool(ctx, s, &e->syslog);
}

static int cfg_events_socket(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_events *e = obj;
	const char *v;

	if (cfg_get_string(ctx, s, &v) != 0)
		return -1;
	if (v[0] != '/' || strlen(v) >= sizeof(e->syslog_socket))
		return cfg_err(ctx, s, "syslog_socket must be an absolute path shorter than %zu"
			       " characters (\"%.40s\")", sizeof(e->syslog_socket), v);
	snprintf(e->syslog_socket, sizeof(e->syslog_socket), "%s", v);
	return 0;
}

static const struct cfg_key cfg_events_keys[] = {
	{ "syslog", false, cfg_events_syslog },
	{ "syslog_socket", false, cfg_events_socket },
};

int cfg_parse_events(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct gw_cfg *cfg = obj;

	return cfg_walk(ctx, s, cfg_events_keys, sizeof(cfg_events_keys) / sizeof(cfg_events_keys[0]),
			&cfg->events);
}
