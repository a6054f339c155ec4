/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /ipsecgw/port/xstats,ID: one interface's extended port counters
 * (rte_eth_xstats_*), as {interface, port, xstats (how many the driver
 * has), then one entry per counter under its driver name}.  A name that
 * is not [A-Za-z0-9_] has the other characters turned into '_'.  Within
 * the 256-entry limit of a reply: the reply ends in "truncated": 1 when
 * the driver has more.
 *
 * /ipsecgw/events: the structured events' syslog datagrams sent and not
 * sent (common/gw_event.h).
 */

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_ethdev.h>

#include "common/gw_event.h"
#include "controlplane/cp_tm.h"
#include "dataplane/dp.h"

/* An xstat name as a telemetry key. */
static void tm_xstat_key(const char *name, char *key, size_t len)
{
	size_t i;

	for (i = 0; name[i] != '\0' && i + 1 < len; i++) {
		char c = name[i];

		key[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') ? c : '_';
	}
	key[i] = '\0';
}

static int tm_port_xstats(const char *params, struct tm_reply *r)
{
	struct rte_eth_xstat_name *names = NULL;
	struct rte_eth_xstat *vals = NULL;
	const struct dp_iface *ifc;
	char key[TM_MAX_KEY + 1];
	uint64_t id;
	int n, ret = -1;

	if (tm_parse_id(params, &id) != 0)
		return tm_usage(r, "/ipsecgw/port/xstats,ID (an interface ID)", params);
	if (id >= dp_nb_ifaces()) {
		tm_error(r, "no interface with ID %" PRIu64, id);
		return -1;
	}
	n = dp_port_xstats((unsigned)id, NULL, NULL, 0);
	if (n > 0) {
		names = calloc((size_t)n, sizeof(*names));
		vals = calloc((size_t)n, sizeof(*vals));
		if (names == NULL || vals == NULL) {
			tm_error(r, "out of memory");
			goto out;
		}
		n = dp_port_xstats((unsigned)id, names, vals, (unsigned)n);
	}
	if (n < 0) {
		tm_error(r, "xstats of interface %u: %s", (unsigned)id, strerror(-n));
		goto out;
	}
	ifc = dp_iface_get((unsigned)id);
	tm_add_str(r, "interface", ifc->name);
	tm_add_str(r, "port", ifc->port_name);
	tm_add_u64(r, "xstats", (uint64_t)n);
	for (int i = 0; i < n; i++) {
		if (vals[i].id >= (uint64_t)n)
			continue;
		tm_xstat_key(names[vals[i].id].name, key, sizeof(key));
		tm_add_u64(r, key, vals[i].value);
	}
	ret = 0;
out:
	free(names);
	free(vals);
	return ret;
}

static int tm_events(const char *params, struct tm_reply *r)
{
	uint64_t sent, failed;

	if (tm_no_params(r, "/ipsecgw/events (no parameters)", params) != 0)
		return -1;
	gw_event_counters(&sent, &failed);
	tm_add_u64(r, "syslog_sent", sent);
	tm_add_u64(r, "syslog_failed", failed);
	return 0;
}

int cp_tm_port_register(void)
{
	static const struct cp_tm_cmd cmds[] = {
		{ "port/xstats", tm_port_xstats,
		  "One interface's extended port counters (driver names). Parameter: ID", false },
		{ "events", tm_events, "Structured events: syslog datagrams sent, failed", false },
	};

	return cp_tm_register_table(cmds, RTE_DIM(cmds));
}
