/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CLI_SHOW_H
#define GW_CLI_SHOW_H

/*
 * The "show ..." words of ipsecgw-cli: each fetches what it needs over
 * the telemetry socket (following the list paging of cp_tm.h, then one
 * detail request per ID) and prints an aligned table, or with json set,
 * one JSON document: an array of the raw replies, one per line, in the
 * order they were requested (close it with cli_json_end()).
 * Single-threaded.
 */

#include <stdbool.h>
#include <stdio.h>

#include "controlplane/cli/cli_conn.h"
#include "controlplane/cli/cli_render.h"

enum { CLI_CMD_MAX = 128 };

struct cli_ctx {
	struct cli_conn conn;
	bool json;
	unsigned json_n;		/* replies printed so far */
	FILE *out;
	const char *arg;		/* the command's argument, if it takes one */
	char err[CLI_ERR_MAX];
};

/* Each returns 0, or -1 with a message in ctx->err. */
typedef int (*cli_show_fn)(struct cli_ctx *x);

int cli_show_version(struct cli_ctx *x);
int cli_show_interfaces(struct cli_ctx *x);
int cli_show_arp(struct cli_ctx *x);
int cli_show_ipv6_neighbors(struct cli_ctx *x);
int cli_show_ip_route(struct cli_ctx *x);
int cli_show_ipv6_route(struct cli_ctx *x);
int cli_show_stats(struct cli_ctx *x);
/* Extended port counters of every interface (cli_port.c). */
int cli_show_controllers(struct cli_ctx *x);

/* ---- building blocks for the show words (cli_show.c) ---- */

/* Run cmd; *body is the reply's dict (error replies are failures; with
 * json set the raw reply is printed).  0 (free doc with cj_free), or -1
 * with x->err set and doc freed. */
int cli_call(struct cli_ctx *x, const char *cmd, struct cj_doc *doc,
	     const struct cj_value **body);
/* A row filler: read one object's dict into table row(s).  0 or -1. */
typedef int (*cli_row_fn)(struct cli_ctx *x, const struct cj_doc *doc,
			  const struct cj_value *obj, void *arg);
/* Every ID of list (following the pages), then "<detail>,ID" for each,
 * handed to row.  0 or -1. */
int cli_walk(struct cli_ctx *x, const char *list, const char *detail,
	     cli_row_fn row, void *arg);
/* Add a row; 0, or -1 with "out of memory" in x->err. */
int cli_add(struct cli_ctx *x, struct cli_table *t, const char *const *cells);
/* Print t (unless json; none when it has no rows) and free it; ret. */
int cli_finish(struct cli_ctx *x, struct cli_table *t, int ret, const char *none);

/* Send one raw telemetry command and print the reply's JSON as it came. */
int cli_raw(struct cli_ctx *x, const char *cmd);
/* With json set: close the array (if any reply was printed). */
void cli_json_end(struct cli_ctx *x);

#endif /* GW_CLI_SHOW_H */
