/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CLI_CAPTURE_H
#define GW_CLI_CAPTURE_H

/*
 * ipsecgw-cli's packet capture words (cli_capture.c), over
 * /ipsecgw/capture/start, /ipsecgw/capture/stop and /ipsecgw/capture:
 *
 *   capture start [OPTIONS]   OPTIONS as the telemetry command takes them:
 *                             iface=NAME|any,dir=rx|tx|both,file=NAME,
 *                             max_packets=N,max_bytes=N,snaplen=N
 *   capture stop
 *   show capture
 */

#include <stdbool.h>

#include "controlplane/cli/cli_show.h"

/* What OPTIONS may look like before it is sent (the gateway checks the rest). */
bool cli_capture_opts_ok(const char *s);

int cli_capture_start(struct cli_ctx *x);
int cli_capture_stop(struct cli_ctx *x);
int cli_show_capture(struct cli_ctx *x);

#endif /* GW_CLI_CAPTURE_H */
