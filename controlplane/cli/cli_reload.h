/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CLI_RELOAD_H
#define GW_CLI_RELOAD_H

/*
 * The configuration reload words of ipsecgw-cli (see cli_show.h for the
 * conventions), over /ipsecgw/reload and /ipsecgw/reload/status.
 * Single-threaded.  Each returns 0, or -1 with a message in x->err.
 */

#include "controlplane/cli/cli_show.h"

/* reload: reload the configuration file now; its report.  -1 ("reload
 * rejected") when the gateway refused it, after printing why. */
int cli_reload(struct cli_ctx *x);
/* show ipsecgw reload: the totals and the last reload's report. */
int cli_show_reload(struct cli_ctx *x);

#endif /* GW_CLI_RELOAD_H */
