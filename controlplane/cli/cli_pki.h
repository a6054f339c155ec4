/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CLI_PKI_H
#define GW_CLI_PKI_H

/*
 * The PKI words of ipsecgw-cli, over /ipsecgw/pki/... (see cli_show.h for
 * the conventions).  Single-threaded.  Each returns 0, or -1 with a
 * message in x->err.
 */

#include "controlplane/cli/cli_show.h"

/* show crypto pki trustpoints: CAs, CRL URLs, download schedule. */
int cli_show_pki_trustpoints(struct cli_ctx *x);
/* show crypto pki crls: per issuer, numbers, times, source, counters. */
int cli_show_pki_crls(struct cli_ctx *x);
/* show crypto pki certificates: our identities and every trustpoint's CAs,
 * one block each with validity and days left, then the expiry counters. */
int cli_show_pki_certificates(struct cli_ctx *x);
/* crypto pki crl request TRUSTPOINT (x->arg): download now. */
int cli_pki_crl_request(struct cli_ctx *x);

#endif /* GW_CLI_PKI_H */
