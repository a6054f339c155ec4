/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The show commands of ipsecgw-cli (see cli_show.h).  Every reply is
 * {"<command>": {...}}; an error reply is {"error": "..."} inside, and a
 * command the application does not know (or whose callback failed) is
 * {"<command>": null}.
 */

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "controlplane/cli/cli_render.h"
#include "controlplane/cli/cli_show.h"

enum {
	CLI_MAX_IDS = 1 << 20,
};

struct cli_ids {
	uint64_t *v;
	size_t n, cap;
};

int cli_call(struct cli_ctx *x, const char *cmd, struct cj_doc *doc,
		    const struct cj_value **body)
{
	char name[CLI_CMD_MAX];
	const char *raw, *msg;
	const struct cj_value *b;

	if (cli_request(&x->conn, cmd, doc, &raw, x->err, sizeof(x->err)) != 0)
		return -1;
	if (x->json)
		fprintf(x->out, "%s%s", x->json_n++ == 0 ? "[\n" : ",\n", raw);
	snprintf(name, sizeof(name), "%.*s", (int)strcspn(cmd, ","), cmd);
	b = cj_member(doc, cj_root(doc), name);
	if (b == NULL || b->type != CJ_OBJECT) {
		snprintf(x->err, sizeof(x->err), "%s: %s", cmd, b != NULL && b->type == CJ_NULL ?
			 "unknown command or command failed" : "unexpected reply");
		goto fail;
	}
	msg = cj_get_str(doc, b, "error", NULL);
	if (msg != NULL) {
		snprintf(x->err, sizeof(x->err), "%s: %s", cmd, msg);
		goto fail;
	}
	if (cj_get_u64(doc, b, "truncated", 0) != 0)
		fprintf(stderr, "warning: the reply to %s was truncated\n", cmd);
	*body = b;
	return 0;
fail:
	cj_free(doc);
	return -1;
}

static int cli_ids_add(struct cli_ctx *x, struct cli_ids *ids, uint64_t id)
{
	if (ids->n == ids->cap) {
		size_t cap = ids->cap != 0 ? ids->cap * 2 : 64;
		uint64_t *nv = cap <= CLI_MAX_IDS ? realloc(ids->v, cap * sizeof(*nv)) : NULL;

		if (nv == NULL) {
			snprintf(x->err, sizeof(x->err), "too many ids");
			return -1;
		}
		ids->v = nv;
		ids->cap = cap;
	}
	ids->v[ids->n++] = id;
	return 0;
}

/* One page of "list,START" into ids; *next as the reply says. */
static int cli_list_page(struct cli_ctx *x, const char *list, uint64_t start,
			 struct cli_ids *ids, uint64_t *next)
{
	char cmd[CLI_CMD_MAX];
	struct cj_doc doc;
	const struct cj_value *body, *arr;
	int ret = -1;

	snprintf(cmd, sizeof(cmd), "%s,%" PRIu64, list, start);
	if (cli_call(x, cmd, &doc, &body) != 0)
		return -1;
	arr = cj_member(&doc, body, "ids");
	if (arr == NULL || arr->type != CJ_ARRAY) {
		snprintf(x->err, sizeof(x->err), "%s: no ids[] in the reply", cmd);
		goto out;
	}
	for (const struct cj_value *e = cj_first(&doc, arr); e != NULL; e = cj_next(&doc, e)) {
		if (e->type != CJ_NUMBER || !e->is_uint) {
			snprintf(x->err, sizeof(x->err), "%s: bad id in the reply", cmd);
			goto out;
		}
		if (cli_ids_add(x, ids, e->u) != 0)
			goto out;
	}
	*next = cj_get_u64(&doc, body, "next", 0);
	ret = 0;
out:
	cj_free(&doc);
	return ret;
}

/* Every id of a list command, following next until it is 0. */
static int cli_list(struct cli_ctx *x, const char *list, struct cli_ids *ids)
{
	uint64_t start = 0, next;

	for (;;) {
		if (cli_list_page(x, list, start, ids, &next) != 0)
			return -1;
		if (next == 0)
			return 0;
		if (next <= start) {
			snprintf(x->err, sizeof(x->err), "%s: paging went backwards", list);
			return -1;
		}
		start = next;
	}
}

int cli_walk(struct cli_ctx *x, const char *list, const char *detail,
		    cli_row_fn row, void *arg)
{
	struct cli_ids ids = { 0 };
	char cmd[CLI_CMD_MAX];
	int ret = cli_list(x, list, &ids);

	for (size_t i = 0; ret == 0 && i < ids.n; i++) {
		struct cj_doc doc;
		const struct cj_value *body;

		snprintf(cmd, sizeof(cmd), "%s,%" PRIu64, detail, ids.v[i]);
		ret = cli_call(x, cmd, &doc, &body);
		if (ret != 0)
			break;
		ret = row(x, &doc, body, arg);
		cj_free(&doc);
	}
	free(ids.v);
	return ret;
}

int cli_add(struct cli_ctx *x, struct cli_table *t, const char *const *cells)
{
	if (cli_table_add(t, cells) == 0)
		return 0;
	snprintf(x->err, sizeof(x->err), "out of memory");
	return -1;
}

int cli_finish(struct cli_ctx *x, struct cli_table *t, int ret, const char *none)
{
	if (ret == 0 && !x->json) {
		if (cli_table_rows(t) > 0)
			cli_table_print(t, x->out);
		else
			fprintf(x->out, "%s\n", none);
	}
	cli_table_free(t);
	return ret;
}

int cli_show_version(struct cli_ctx *x)
{
	struct cj_doc doc;
	const struct cj_value *b;
	char up[32];

	if (cli_call(x, "/ipsecgw/version", &doc, &b) != 0)
		return -1;
	if (!x->json) {
		fprintf(x->out, "ipsecgw %s, %s, pid %" PRIu64 "\n",
			cj_get_str(&doc, b, "version", "?"), cj_get_str(&doc, b, "dpdk", "?"),
			cj_get_u64(&doc, b, "pid", 0));
		fprintf(x->out, "uptime %s, %" PRIu64 " workers, %" PRIu64 " interfaces\n",
			cli_duration(cj_get_u64(&doc, b, "uptime_s", 0), up, sizeof(up)),
			cj_get_u64(&doc, b, "workers", 0), cj_get_u64(&doc, b, "interfaces", 0));
	}
	cj_free(&doc);
	return 0;
}

struct cli_if_tables {
	struct cli_table *addr, *ctr;
};

/* One address per line under the interface's first line, then ll6. */
static int cli_if_addrs(struct cli_ctx *x, const struct cj_doc *doc, const struct cj_value *o,
			struct cli_table *t, const char *name)
{
	const struct cj_value *addrs = cj_member(doc, o, "addresses");
	const struct cj_value *a = cj_first(doc, addrs);
	uint64_t vid = cj_get_u64(doc, o, "vlan", 0);
	char mtu[24], vlan[24], ll6[80];
	const char *cells[7] = {
		name, cj_get_str(doc, o, "port", "?"),
		vid != 0 ? cli_u64(vid, vlan, sizeof(vlan)) : "-",
		cj_get_u64(doc, o, "link_up", 0) ? "up" : "down",
		cj_get_str(doc, o, "mac", "?"),
		cli_u64(cj_get_u64(doc, o, "mtu", 0), mtu, sizeof(mtu)), NULL,
	};
	snprintf(ll6, sizeof(ll6), "%s (link-local)", cj_get_str(doc, o, "ll6", "?"));
	for (; a != NULL; a = cj_next(doc, a)) {
		cells[6] = a->type == CJ_STRING ? a->str : "?";
		if (cli_add(x, t, cells) != 0)
			return -1;
		memset(cells, 0, 6 * sizeof(cells[0]));	/* continuation lines */
	}
	cells[6] = ll6;
	return cli_add(x, t, cells);
}

static int cli_if_row(struct cli_ctx *x, const struct cj_doc *doc,
		      const struct cj_value *o, void *arg)
{
	static const char *const keys[] = {
		"iface_rx_packets", "iface_tx_packets",
		"rx_packets", "rx_bytes", "tx_packets", "tx_bytes",
		"rx_errors", "rx_missed", "rx_nombuf", "tx_errors",
	};
	struct cli_if_tables *t = arg;
	const char *name = cj_get_str(doc, o, "name", "?");
	char nums[10][24];
	const char *cells[11] = { name };

	if (cli_if_addrs(x, doc, o, t->addr, name) != 0)
		return -1;
	for (int i = 0; i < 10; i++)
		cells[i + 1] = cli_u64(cj_get_u64(doc, o, keys[i], 0), nums[i], sizeof(nums[i]));
	return cli_add(x, t->ctr, cells);
}

int cli_show_interfaces(struct cli_ctx *x)
{
	static const char *const h1[] = {
		"Interface", "Port", "VLAN", "Link", "MAC", "MTU", "Addresses",
	};
	/* the interface's own frames, then its port's counters */
	static const char *const h2[] = {
		"Interface", "Frames in", "Frames out", "Port RX packets", "RX bytes",
		"TX packets", "TX bytes", "RX errors", "RX missed", "RX nombuf", "TX errors",
	};
	struct cli_if_tables t = {
		cli_table_new(7, h1, "llrllrl"), cli_table_new(11, h2, "lrrrrrrrrrr"),
	};
	int ret = -1;

	if (t.addr == NULL || t.ctr == NULL)
		snprintf(x->err, sizeof(x->err), "out of memory");
	else
		ret = cli_walk(x, "/ipsecgw/interfaces", "/ipsecgw/interface", cli_if_row, &t);
	if (ret == 0 && !x->json && cli_table_rows(t.addr) > 0) {
		cli_table_print(t.addr, x->out);
		fputc('\n', x->out);
	}
	cli_table_free(t.addr);
	return cli_finish(x, t.ctr, ret, "no interfaces");
}

struct cli_family_table {
	struct cli_table *t;
	uint64_t family;		/* 4 or 6 */
};

static int cli_neigh_row(struct cli_ctx *x, const struct cj_doc *doc,
			 const struct cj_value *o, void *arg)
{
	struct cli_family_table *ft = arg;
	const char *state = cj_get_str(doc, o, "state", "?");
	char age[24], queued[24];
	const char *cells[] = {
		cj_get_str(doc, o, "address", "?"),
		strcmp(state, "static") == 0 ? "-" : cli_u64(cj_get_u64(doc, o, "age_s", 0), age, sizeof(age)),
		strcmp(state, "incomplete") == 0 ? "(incomplete)" : cj_get_str(doc, o, "mac", "?"),
		state, cj_get_str(doc, o, "interface", "?"),
		cli_u64(cj_get_u64(doc, o, "queued", 0), queued, sizeof(queued)),
	};

	if (cj_get_u64(doc, o, "family", 0) != ft->family)
		return 0;
	return cli_add(x, ft->t, cells);
}

static int cli_show_neighbors(struct cli_ctx *x, uint64_t family)
{
	static const char *const h[] = { "Address", "Age (s)", "MAC", "State", "Interface", "Queued" };
	struct cli_family_table ft = { cli_table_new(6, h, "lrlllr"), family };
	int ret = -1;

	if (ft.t == NULL)
		snprintf(x->err, sizeof(x->err), "out of memory");
	else
		ret = cli_walk(x, "/ipsecgw/neighbors", "/ipsecgw/neighbor", cli_neigh_row, &ft);
	return cli_finish(x, ft.t, ret, family == 4 ? "no IPv4 neighbors" : "no IPv6 neighbors");
}

int cli_show_arp(struct cli_ctx *x)
{
	return cli_show_neighbors(x, 4);
}

int cli_show_ipv6_neighbors(struct cli_ctx *x)
{
	return cli_show_neighbors(x, 6);
}

static int cli_route_row(struct cli_ctx *x, const struct cj_doc *doc,
			 const struct cj_value *o, void *arg)
{
	struct cli_family_table *ft = arg;
	const char *via = cj_get_str(doc, o, "via", "");
	const char *cells[] = {
		cj_get_str(doc, o, "type", "?"), cj_get_str(doc, o, "prefix", "?"),
		*via != '\0' ? via : "-", cj_get_str(doc, o, "interface", "?"),
	};

	if (cj_get_u64(doc, o, "family", 0) != ft->family)
		return 0;
	return cli_add(x, ft->t, cells);
}

static int cli_show_routes(struct cli_ctx *x, uint64_t family)
{
	static const char *const h[] = { "Type", "Prefix", "Via", "Interface" };
	struct cli_family_table ft = { cli_table_new(4, h, "llll"), family };
	int ret = -1;

	if (ft.t == NULL)
		snprintf(x->err, sizeof(x->err), "out of memory");
	else
		ret = cli_walk(x, "/ipsecgw/routes", "/ipsecgw/route", cli_route_row, &ft);
	return cli_finish(x, ft.t, ret, family == 4 ? "no IPv4 routes" : "no IPv6 routes");
}

int cli_show_ip_route(struct cli_ctx *x)
{
	return cli_show_routes(x, 4);
}

int cli_show_ipv6_route(struct cli_ctx *x)
{
	return cli_show_routes(x, 6);
}

/* Scalars, one per line, in reply order; arrays joined by spaces. */
static int cli_stats_scalars(struct cli_ctx *x, const struct cj_doc *doc,
			     const struct cj_value *b, struct cli_table *t)
{
	for (const struct cj_value *c = cj_first(doc, b); c != NULL; c = cj_next(doc, c)) {
		char num[24];
		const char *cells[2] = { c->key, "?" };

		if (c->type == CJ_ARRAY && strncmp(c->key, "worker_", 7) == 0)
			continue;
		if (c->type == CJ_NUMBER && c->is_uint)
			cells[1] = cli_u64(c->u, num, sizeof(num));
		else if (c->type == CJ_STRING)
			cells[1] = c->str;
		if (cli_add(x, t, cells) != 0)
			return -1;
	}
	return 0;
}

/* The "worker_<counter>" arrays as one table, a row per worker. */
static int cli_stats_workers(struct cli_ctx *x, const struct cj_doc *doc,
			     const struct cj_value *b)
{
	const struct cj_value *cols[CLI_TABLE_MAX_COLS];
	const char *hdr[CLI_TABLE_MAX_COLS];
	char align[CLI_TABLE_MAX_COLS + 1], nums[CLI_TABLE_MAX_COLS][24];
	unsigned nc = 0, rows = 0;
	struct cli_table *t;
	int ret = 0;

	for (const struct cj_value *c = cj_first(doc, b); c != NULL && nc < CLI_TABLE_MAX_COLS;
	     c = cj_next(doc, c)) {
		if (c->type != CJ_ARRAY || strncmp(c->key, "worker_", 7) != 0)
			continue;
		cols[nc] = c;
		hdr[nc] = c->key + 7;
		align[nc++] = 'r';
		rows = c->n > rows ? c->n : rows;
	}
	align[nc] = '\0';
	if (nc == 0 || rows == 0)
		return 0;
	t = cli_table_new(nc, hdr, align);
	for (unsigned r = 0; t != NULL && ret == 0 && r < rows; r++) {
		const char *cells[CLI_TABLE_MAX_COLS];

		for (unsigned c = 0; c < nc; c++) {
			const struct cj_value *e = cj_at(doc, cols[c], r);

			cells[c] = e != NULL && e->is_uint ? cli_u64(e->u, nums[c], sizeof(nums[c])) : "-";
		}
		ret = cli_add(x, t, cells);
	}
	if (t == NULL) {
		snprintf(x->err, sizeof(x->err), "out of memory");
		ret = -1;
	}
	if (ret == 0) {
		fprintf(x->out, "\nper worker:\n");
		cli_table_print(t, x->out);
	}
	cli_table_free(t);
	return ret;
}

int cli_show_stats(struct cli_ctx *x)
{
	static const char *const h[] = { "Counter", "Value" };
	struct cli_table *t = cli_table_new(2, h, "lr");
	struct cj_doc doc;
	const struct cj_value *b;
	int ret = -1;

	if (t == NULL) {
		snprintf(x->err, sizeof(x->err), "out of memory");
		return -1;
	}
	if (cli_call(x, "/ipsecgw/stats", &doc, &b) != 0)
		goto out;
	ret = x->json ? 0 : cli_stats_scalars(x, &doc, b, t);
	if (ret == 0 && !x->json) {
		cli_table_print(t, x->out);
		ret = cli_stats_workers(x, &doc, b);
	}
	cj_free(&doc);
out:
	cli_table_free(t);
	return ret;
}

void cli_json_end(struct cli_ctx *x)
{
	if (x->json && x->json_n > 0)
		fprintf(x->out, "\n]\n");
}

int cli_raw(struct cli_ctx *x, const char *cmd)
{
	char name[CLI_CMD_MAX];
	struct cj_doc doc;
	const struct cj_value *v;
	const char *raw, *msg = NULL;

	if (cli_request(&x->conn, cmd, &doc, &raw, x->err, sizeof(x->err)) != 0)
		return -1;
	fprintf(x->out, "%s\n", raw);
	snprintf(name, sizeof(name), "%.*s", (int)strcspn(cmd, ","), cmd);
	v = cj_member(&doc, cj_root(&doc), name);
	if (v == NULL || v->type == CJ_NULL)
		msg = "unknown command or command failed";
	else
		msg = cj_get_str(&doc, v, "error", NULL);
	if (msg != NULL)
		snprintf(x->err, sizeof(x->err), "%s: %s", cmd, msg);
	cj_free(&doc);
	return msg != NULL ? -1 : 0;
}
