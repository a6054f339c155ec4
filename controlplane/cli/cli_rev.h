/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CLI_REV_H
#define GW_CLI_REV_H

/*
 * The disconnect-revoked-peers words of ipsecgw-cli (see cli_show.h for
 * the conventions).  Single-threaded.  Each returns 0, or -1 with a
 * message in x->err.
 */

#include "controlplane/cli/cli_show.h"

/* show crypto pki revocation: the switches, totals, and one row per check. */
int cli_show_pki_revocation(struct cli_ctx *x);
/* [no] crypto ikev2|isakmp disconnect-revoked-peers. */
int cli_crypto_ikev2_drp(struct cli_ctx *x);
int cli_no_crypto_ikev2_drp(struct cli_ctx *x);
int cli_crypto_isakmp_drp(struct cli_ctx *x);
int cli_no_crypto_isakmp_drp(struct cli_ctx *x);

#endif /* GW_CLI_REV_H */
