/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CLI_SA_H
#define GW_CLI_SA_H

/*
 * The ESP SA words of ipsecgw-cli, over /ipsecgw/sas, /ipsecgw/sa,
 * /ipsecgw/dp/drops and /ipsecgw/sa_clear (see cli_show.h for the
 * conventions).  Single-threaded.  Each returns 0, or -1 with a message
 * in x->err.
 */

#include "controlplane/cli/cli_show.h"

/* show crypto ipsec sa: one line per SA (name, dir, SPI, alg, peer, counters, state). */
int cli_show_ipsec_sa(struct cli_ctx *x);
/* show crypto ipsec sa detail HANDLE (x->arg): every field of one SA. */
int cli_show_ipsec_sa_detail(struct cli_ctx *x);
/* show ipsecgw drops: the data plane's drop reasons, totals. */
int cli_show_drops(struct cli_ctx *x);
/* clear crypto sa NAME (x->arg): retire a manual SA pair. */
int cli_clear_sa(struct cli_ctx *x);

#endif /* GW_CLI_SA_H */
