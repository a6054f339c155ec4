/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ESP SA words of ipsecgw-cli (see cli_sa.h).  `show crypto ipsec sa`
 * reads the pages of /ipsecgw/sas, whose columns come with the handles,
 * so one request serves a page of SAs.
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "controlplane/cli/cli_sa.h"

enum {
	CLI_SA_NAME_MAX = 32,		/* the gateway's CFG_NAME_MAX */
	CLI_SA_COLS = 10,
	CLI_SA_MAX_PAGES = 1 << 16,
};

static const char *cli_sa_str(const struct cj_doc *doc, const struct cj_value *col, uint32_t i)
{
	const struct cj_value *v = cj_at(doc, col, i);

	return v != NULL && v->type == CJ_STRING ? v->str : "?";
}

static uint64_t cli_sa_u64(const struct cj_doc *doc, const struct cj_value *col, uint32_t i)
{
	const struct cj_value *v = cj_at(doc, col, i);

	return v != NULL && v->type == CJ_NUMBER && v->is_uint ? v->u : 0;
}

/* The rows of one page of /ipsecgw/sas.  0 or -1. */
static int cli_sa_rows(struct cli_ctx *x, const struct cj_doc *doc, const struct cj_value *b,
		       struct cli_table *t)
{
	static const char *const keys[] = {
		"ids", "name", "dir", "spi", "alg", "remote", "encap", "pkts", "bytes", "state",
	};
	const struct cj_value *col[10];
	uint32_t n;

	for (unsigned k = 0; k < 10; k++) {
		col[k] = cj_member(doc, b, keys[k]);
		if (col[k] == NULL || col[k]->type != CJ_ARRAY) {
			snprintf(x->err, sizeof(x->err), "/ipsecgw/sas: no %s[] in the reply", keys[k]);
			return -1;
		}
	}
	n = col[0]->n;
	for (uint32_t i = 0; i < n; i++) {
		char handle[24], pkts[24], bytes[24];
		const char *cells[CLI_SA_COLS] = {
			cli_sa_str(doc, col[1], i),
			cli_u64(cli_sa_u64(doc, col[0], i), handle, sizeof(handle)),
			cli_sa_str(doc, col[2], i), cli_sa_str(doc, col[3], i),
			cli_sa_str(doc, col[4], i), cli_sa_str(doc, col[5], i),
			cli_sa_u64(doc, col[6], i) ? "udp-4500" : "esp",
			cli_u64(cli_sa_u64(doc, col[7], i), pkts, sizeof(pkts)),
			cli_u64(cli_sa_u64(doc, col[8], i), bytes, sizeof(bytes)),
			cli_sa_str(doc, col[9], i),
		};

		if (cli_add(x, t, cells) != 0)
			return -1;
	}
	return 0;
}

int cli_show_ipsec_sa(struct cli_ctx *x)
{
	static const char *const h[] = {
		"Name", "Handle", "Dir", "SPI", "Alg", "Peer", "Encap", "Pkts", "Bytes", "State",
	};
	struct cli_table *t = cli_table_new(CLI_SA_COLS, h, "lrlllllrrl");
	char cmd[CLI_CMD_MAX];
	uint64_t start = 0, next;
	int ret = -1;

	if (t == NULL) {
		snprintf(x->err, sizeof(x->err), "out of memory");
		return -1;
	}
	for (unsigned page = 0; page < CLI_SA_MAX_PAGES; page++) {
		struct cj_doc doc;
		const struct cj_value *b;

		snprintf(cmd, sizeof(cmd), "/ipsecgw/sas,%" PRIu64, start);
		if (cli_call(x, cmd, &doc, &b) != 0)
			goto out;
		ret = x->json ? 0 : cli_sa_rows(x, &doc, b, t);
		next = cj_get_u64(&doc, b, "next", 0);
		cj_free(&doc);
		if (ret != 0 || next == 0)
			goto out;
		if (next <= start) {
			snprintf(x->err, sizeof(x->err), "/ipsecgw/sas: paging went backwards");
			ret = -1;
			goto out;
		}
		start = next;
		ret = -1;
	}
	snprintf(x->err, sizeof(x->err), "/ipsecgw/sas: too many pages");
out:
	return cli_finish(x, t, ret, "no SAs installed");
}

/* One "key  value" line per member of a flat reply. */
static void cli_sa_print_dict(struct cli_ctx *x, const struct cj_doc *doc, const struct cj_value *b)
{
	for (const struct cj_value *m = cj_first(doc, b); m != NULL; m = cj_next(doc, m)) {
		if (m->type == CJ_STRING)
			fprintf(x->out, "  %-24s %s\n", m->key, m->str);
		else if (m->type == CJ_NUMBER && m->is_uint)
			fprintf(x->out, "  %-24s %" PRIu64 "\n", m->key, m->u);
		else if (m->type == CJ_NUMBER && m->is_int)
			fprintf(x->out, "  %-24s %" PRId64 "\n", m->key, m->i);
	}
}

static bool cli_sa_decimal(const char *s)
{
	if (s == NULL || *s == '\0' || strlen(s) > 10)
		return false;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int cli_show_ipsec_sa_detail(struct cli_ctx *x)
{
	char cmd[CLI_CMD_MAX];
	struct cj_doc doc;
	const struct cj_value *b;

	if (!cli_sa_decimal(x->arg)) {
		snprintf(x->err, sizeof(x->err),
			 "show crypto ipsec sa detail: give an SA handle (from show crypto ipsec sa)");
		return -1;
	}
	snprintf(cmd, sizeof(cmd), "/ipsecgw/sa,%s", x->arg);
	if (cli_call(x, cmd, &doc, &b) != 0)
		return -1;
	if (!x->json) {
		fprintf(x->out, "SA %s (handle %s)\n", cj_get_str(&doc, b, "name", "?"), x->arg);
		cli_sa_print_dict(x, &doc, b);
	}
	cj_free(&doc);
	return 0;
}

int cli_show_drops(struct cli_ctx *x)
{
	static const char *const h[] = { "Drop reason", "Packets" };
	struct cli_table *t = cli_table_new(2, h, "lr");
	struct cj_doc doc;
	const struct cj_value *b;
	int ret = -1;

	if (t == NULL) {
		snprintf(x->err, sizeof(x->err), "out of memory");
		return -1;
	}
	if (cli_call(x, "/ipsecgw/dp/drops", &doc, &b) != 0)
		return cli_finish(x, t, -1, "");
	ret = 0;
	for (const struct cj_value *m = cj_first(&doc, b); ret == 0 && m != NULL; m = cj_next(&doc, m)) {
		char v[24];
		const char *cells[2] = { m->key, cli_u64(m->is_uint ? m->u : 0, v, sizeof(v)) };

		ret = cli_add(x, t, cells);
	}
	cj_free(&doc);
	return cli_finish(x, t, ret, "no drop counters");
}

int cli_clear_sa(struct cli_ctx *x)
{
	char cmd[CLI_CMD_MAX];
	struct cj_doc doc;
	const struct cj_value *b;

	if (x->arg == NULL || x->arg[0] == '\0' || strlen(x->arg) >= CLI_SA_NAME_MAX ||
	    strchr(x->arg, ',') != NULL) {
		snprintf(x->err, sizeof(x->err), "clear crypto sa: give a manual SA's name");
		return -1;
	}
	snprintf(cmd, sizeof(cmd), "/ipsecgw/sa_clear,%s", x->arg);
	if (cli_call(x, cmd, &doc, &b) != 0)
		return -1;
	if (!x->json)
		fprintf(x->out, "manual SA %s cleared: %" PRIu64 " SAs retired (SPI in %s, out %s); "
			"its policy stays: protected traffic is dropped, never sent in the clear\n",
			cj_get_str(&doc, b, "name", x->arg), cj_get_u64(&doc, b, "retired", 0),
			cj_get_str(&doc, b, "spi_in", "?"), cj_get_str(&doc, b, "spi_out", "?"));
	cj_free(&doc);
	return 0;
}
