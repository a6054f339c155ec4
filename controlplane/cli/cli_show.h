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

struct cli_ctx {
	struct cli_conn conn;
	bool json;
	unsigned json_n;		/* replies printed so far */
	FILE *out;
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
/* Send one raw telemetry command and print the reply's JSON as it came. */
int cli_raw(struct cli_ctx *x, const char *cmd);
/* With json set: close the array (if any reply was printed). */
void cli_json_end(struct cli_ctx *x);

#endif /* GW_CLI_SHOW_H */
