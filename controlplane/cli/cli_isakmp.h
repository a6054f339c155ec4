/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CLI_ISAKMP_H
#define GW_CLI_ISAKMP_H

/*
 * The ISAKMP (IKEv1) words of ipsecgw-cli (see cli_show.h for the
 * conventions).  Single-threaded.  Each returns 0, or -1 with a message
 * in x->err.
 */

#include <stdio.h>

#include "controlplane/cli/cli_json.h"
#include "controlplane/cli/cli_show.h"

/* show crypto isakmp peers, in the seed's layout. */
int cli_show_isakmp_peers(struct cli_ctx *x);
/* One /ipsecgw/isakmp/peer reply as `show crypto isakmp peers` prints it. */
int cli_isakmp_print_peer(FILE *f, const struct cj_doc *doc, const struct cj_value *s);
/* show crypto isakmp sa: dst, src, state (Cisco's names), conn-id, status. */
int cli_show_isakmp_sa(struct cli_ctx *x);

#endif /* GW_CLI_ISAKMP_H */
