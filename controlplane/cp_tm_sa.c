/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry of the ESP SAs and the drop reasons (handlers run on the CP
 * thread, see cp_tm.c):
 *
 *   /ipsecgw/dp/drops          {<every DP_DROPS name>: total over lcores}
 *   /ipsecgw/sas[,START]       {count, next, ids[] = SA handles, ascending,
 *                               and one array per column, element i for
 *                               ids[i]: name, dir, spi, alg, state, tunnel,
 *                               local, remote, encap, esn, pkts, bytes};
 *                               CP_TM_SA_PAGE SAs a page (the columns must
 *                               fit one reply), next = 0 when done
 *   /ipsecgw/sa,HANDLE         one SA in full; its drops under their names
 *   /ipsecgw/sa_stats          the SA table's counters, grace latency in us
 *   /ipsecgw/sa_clear,NAME     retire manual SA NAME's pair (its policy stays)
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rte_common.h>

#include "common/gw_addr.h"
#include "common/gw_esp.h"
#include "common/gw_log.h"
#include "controlplane/cp_sa.h"
#include "controlplane/cp_tm.h"
#include "controlplane/cp_tm_sa.h"
#include "dataplane/dp_sa.h"
#include "dataplane/dp_spd.h"
#include "dataplane/dp_stats.h"

enum {
	CP_TM_SPI_STRLEN = 11,		/* "0x00001001" */
};

static const char *const tm_sa_drop_names[DP_DROP_MAX] = {
#define X(n, d) #n,
	DP_DROPS(X)
#undef X
};

static const char *tm_sa_dir(uint8_t dir)
{
	return dir == GW_SA_IN ? "in" : "out";
}

static const char *tm_sa_state(const struct dp_sa_info *i)
{
	if (i->state == DP_SA_RETIRING)
		return "retiring";
	if (i->state != DP_SA_LIVE)
		return "free";
	return i->stopped ? "stopped" : "live";
}

static const char *tm_sa_spi(uint32_t spi, char *buf, size_t len)
{
	snprintf(buf, len, "0x%08" PRIx32, spi);
	return buf;
}

static const char *tm_sa_addr(const struct gw_addr *a, char *buf, size_t len)
{
	return a->family != 0 ? gw_addr_fmt(a, buf, len) : "";
}

/* ---- /ipsecgw/dp/drops ---- */

int cp_tm_sa_drops(const char *params, struct tm_reply *r)
{
	struct dp_lcore_stats sum;

	if (tm_no_params(r, "/ipsecgw/dp/drops (no parameters)", params) != 0)
		return -1;
	dp_stats_sum(&sum);
	for (int i = 0; i < DP_DROP_MAX; i++)
		tm_add_u64(r, tm_sa_drop_names[i], sum.c[i]);
	return 0;
}

/* ---- /ipsecgw/sas ---- */

static int tm_sa_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Every handle, ascending, into a malloc'd array.  Count or -ENOMEM. */
static int tm_sa_handles(uint32_t **out)
{
	unsigned n = 0, cap = 64;
	uint32_t *v = malloc(cap * sizeof(*v)), *nv;

	if (v == NULL)
		return -ENOMEM;
	for (uint32_t h = dp_sa_next(DP_SA_INVALID); h != DP_SA_INVALID; h = dp_sa_next(h)) {
		if (n == cap) {
			cap *= 2;
			nv = cap <= 2 * DP_SA_MAX ? realloc(v, cap * sizeof(*v)) : NULL;
			if (nv == NULL) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
		}
		v[n++] = h;
	}
	qsort(v, n, sizeof(*v), tm_sa_cmp);
	*out = v;
	return (int)n;
}

static void tm_sas_columns(struct tm_reply *r, const struct dp_sa_info *s, unsigned n)
{
	char buf[GW_ADDR_STRLEN];
	unsigned i;

	tm_array_str(r, "name");
	for (i = 0; i < n; i++)
		tm_elem_str(r, s[i].name);
	tm_array_str(r, "dir");
	for (i = 0; i < n; i++)
		tm_elem_str(r, tm_sa_dir(s[i].dir));
	tm_array_str(r, "spi");
	for (i = 0; i < n; i++)
		tm_elem_str(r, tm_sa_spi(s[i].spi, buf, sizeof(buf)));
	tm_array_str(r, "alg");
	for (i = 0; i < n; i++)
		tm_elem_str(r, gw_esp_alg_name(s[i].alg));
	tm_array_str(r, "state");
	for (i = 0; i < n; i++)
		tm_elem_str(r, tm_sa_state(&s[i]));
	tm_array_u64(r, "tunnel");
	for (i = 0; i < n; i++)
		tm_elem_u64(r, s[i].tunnel);
	tm_array_str(r, "local");
	for (i = 0; i < n; i++)
		tm_elem_str(r, tm_sa_addr(&s[i].local, buf, sizeof(buf)));
	tm_array_str(r, "remote");
	for (i = 0; i < n; i++)
		tm_elem_str(r, tm_sa_addr(&s[i].remote, buf, sizeof(buf)));
	tm_array_u64(r, "encap");
	for (i = 0; i < n; i++)
		tm_elem_u64(r, s[i].encap);
	tm_array_u64(r, "esn");
	for (i = 0; i < n; i++)
		tm_elem_u64(r, s[i].esn);
	tm_array_u64(r, "pkts");
	for (i = 0; i < n; i++)
		tm_elem_u64(r, s[i].pkts);
	tm_array_u64(r, "bytes");
	for (i = 0; i < n; i++)
		tm_elem_u64(r, s[i].bytes);
}

int cp_tm_sa_list(const char *params, struct tm_reply *r)
{
	struct dp_sa_info *page = NULL;
	uint32_t *h = NULL;
	uint64_t start;
	unsigned first = 0, n = 0;
	int count, ret = -1;

	if (tm_parse_start(params, &start) != 0) {
		tm_error(r, "bad START '%.40s': expected an unsigned decimal", params);
		return -1;
	}
	count = tm_sa_handles(&h);
	page = calloc(CP_TM_SA_PAGE, sizeof(*page));
	if (count < 0 || page == NULL) {
		tm_error(r, "out of memory");
		goto out;
	}
	while (first < (unsigned)count && h[first] < start)
		first++;
	for (unsigned i = first; i < (unsigned)count && n < CP_TM_SA_PAGE; i++) {
		/* The CP is the only writer: an SA listed above still exists. */
		if (dp_sa_info(h[i], &page[n]) != 0)
			memset(&page[n], 0, sizeof(page[n]));
		page[n++].handle = h[i];
	}
	tm_add_u64(r, "count", (uint64_t)count);
	tm_add_u64(r, "next", first + n < (unsigned)count ? h[first + n] : 0);
	tm_array_u64(r, "ids");
	for (unsigned i = 0; i < n; i++)
		tm_elem_u64(r, page[i].handle);
	tm_sas_columns(r, page, n);
	if (tm_reply_truncated(r)) {
		tm_error(r, "SA page does not fit in one reply");
		goto out;
	}
	ret = 0;
out:
	free(page);
	if (count >= 0)
		free(h);
	return ret;
}

/* ---- /ipsecgw/sa,HANDLE ---- */

/* The manual SA that owns handle, or false. */
static bool tm_sa_manual_of(uint32_t handle, struct cp_sa_manual *m)
{
	for (unsigned i = 0; cp_sa_manual_get(i, m) == 0; i++)
		if (m->h_in == handle || m->h_out == handle)
			return true;
	return false;
}

static void tm_sa_detail(struct tm_reply *r, const struct dp_sa_info *s)
{
	char buf[GW_ADDR_STRLEN];
	struct cp_sa_manual m;
	bool manual = tm_sa_manual_of(s->handle, &m);

	tm_add_u64(r, "handle", s->handle);
	tm_add_str(r, "name", s->name);
	tm_add_str(r, "kind", manual ? "manual" : "ike");
	tm_add_u64(r, "session_id", s->session_id);
	tm_add_str(r, "dir", tm_sa_dir(s->dir));
	tm_add_str(r, "spi", tm_sa_spi(s->spi, buf, sizeof(buf)));
	tm_add_str(r, "alg", gw_esp_alg_name(s->alg));
	tm_add_str(r, "state", tm_sa_state(s));
	tm_add_u64(r, "stopped", s->stopped);
	tm_add_u64(r, "tunnel", s->tunnel);
	tm_add_u64(r, "owner", s->owner);
	tm_add_str(r, "local", tm_sa_addr(&s->local, buf, sizeof(buf)));
	tm_add_str(r, "remote", tm_sa_addr(&s->remote, buf, sizeof(buf)));
	tm_add_u64(r, "encap", s->encap);
	tm_add_u64(r, "encap_sport", s->encap_sport);
	tm_add_u64(r, "encap_dport", s->encap_dport);
	tm_add_u64(r, "esn", s->esn);
	tm_add_u64(r, "replay_window", s->replay_window);
	tm_add_u64(r, "seq", s->seq);
	tm_add_u64(r, "pkts", s->pkts);
	tm_add_u64(r, "bytes", s->bytes);
	if (manual) {
		tm_add_u64(r, "life_soft_bytes", m.life_soft_bytes);
		tm_add_u64(r, "life_hard_bytes", m.life_hard_bytes);
		tm_add_u64(r, "life_soft_pkts", m.life_soft_pkts);
		tm_add_u64(r, "life_hard_pkts", m.life_hard_pkts);
	}
	for (int i = 0; i < DP_DROP_MAX; i++)
		tm_add_u64(r, tm_sa_drop_names[i], s->drops[i]);
}

int cp_tm_sa_one(const char *params, struct tm_reply *r)
{
	struct dp_sa_info info;
	uint64_t id;

	if (tm_parse_id(params, &id) != 0) {
		tm_error(r, "usage: /ipsecgw/sa,HANDLE (HANDLE an unsigned decimal, got '%.40s')",
			 params != NULL ? params : "");
		return -1;
	}
	if (id >= DP_SA_INVALID || dp_sa_info((uint32_t)id, &info) != 0) {
		tm_error(r, "no SA with handle %" PRIu64, id);
		return -1;
	}
	info.handle = (uint32_t)id;
	tm_sa_detail(r, &info);
	return 0;
}

/* ---- /ipsecgw/sa_stats ---- */

int cp_tm_sa_stats(const char *params, struct tm_reply *r)
{
	struct dp_sa_stats st;

	if (tm_no_params(r, "/ipsecgw/sa_stats (no parameters)", params) != 0)
		return -1;
	memset(&st, 0, sizeof(st));
	dp_sa_stats(&st);
	tm_add_u64(r, "live", st.live);
	tm_add_u64(r, "retiring", st.retiring);
	tm_add_u64(r, "installed", st.installed);
	tm_add_u64(r, "retired", st.retired);
	tm_add_u64(r, "reclaimed", st.reclaimed);
	tm_add_u64(r, "install_fail", st.install_fail);
	tm_add_u64(r, "grace_us_last", st.grace_ns_last / 1000);
	tm_add_u64(r, "grace_us_max", st.grace_ns_max / 1000);
	tm_add_u64(r, "grace_us_mean", st.reclaimed != 0 ? st.grace_ns_sum / st.reclaimed / 1000 : 0);
	tm_add_u64(r, "events_lost", dp_sa_events_lost());
	tm_add_u64(r, "events_seen", cp_sa_events_seen());
	tm_add_u64(r, "policies", dp_spd_count());
	tm_add_u64(r, "manual_sas", cp_sa_manual_count());
	return 0;
}

/* ---- /ipsecgw/sa_clear,NAME ---- */

int cp_tm_sa_clear(const char *params, struct tm_reply *r)
{
	struct cp_sa_manual m;
	char buf[CP_TM_SPI_STRLEN + 1];
	unsigned retired;
	int ret;

	if (tm_parse_name(params) != 0)
		return tm_usage(r, "/ipsecgw/sa_clear,NAME (a manual SA's name)", params);
	ret = cp_sa_clear(params, &m);
	if (ret == -ENOENT) {
		tm_error(r, "no manual SA named '%s'", params);
		return -1;
	}
	if (ret == -EALREADY) {
		tm_error(r, "manual SA '%s' is already cleared", params);
		return -1;
	}
	retired = (m.h_in != DP_SA_INVALID) + (m.h_out != DP_SA_INVALID);
	tm_add_str(r, "name", m.name);
	tm_add_u64(r, "tunnel", m.tunnel);
	tm_add_u64(r, "retired", retired);
	tm_add_u64(r, "handle_in", m.h_in);
	tm_add_u64(r, "handle_out", m.h_out);
	tm_add_str(r, "spi_in", tm_sa_spi(m.spi_in, buf, sizeof(buf)));
	tm_add_str(r, "spi_out", tm_sa_spi(m.spi_out, buf, sizeof(buf)));
	tm_add_str(r, "policy", "kept: protected traffic is dropped until an SA is installed");
	return 0;
}

int cp_tm_sa_register(void)
{
	static const struct cp_tm_cmd cmds[] = {
		{ "dp/drops", cp_tm_sa_drops, "Data-plane drop reasons, totals over lcores. No parameters", false },
		{ "sas", cp_tm_sa_list, "ESP SAs: {count, next, ids[] (handles)} and per-SA columns. "
		  "Parameter: START", false },
		{ "sa", cp_tm_sa_one, "One ESP SA: endpoints, counters, lifetimes, drops. Parameter: HANDLE", false },
		{ "sa_stats", cp_tm_sa_stats, "SA table: live, retired, reclaimed, grace latency (us)", false },
		{ "sa_clear", cp_tm_sa_clear, "Retire a manual SA pair (its policy stays). Parameter: NAME", true },
	};

	return cp_tm_register_table(cmds, RTE_DIM(cmds));
}
