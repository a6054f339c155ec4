/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CLI_IKE_H
#define GW_CLI_IKE_H

/*
 * The IKEv2 words of ipsecgw-cli, over /ipsecgw/ikev2/sas,
 * /ipsecgw/ikev2/sessions, /ipsecgw/ikev2/session and
 * /ipsecgw/clear/crypto_session (see cli_show.h for the conventions), laid
 * out as Cisco IOS prints them.  Single-threaded.  The commands return 0,
 * or -1 with a message in x->err.
 */

#include <stdio.h>

#include "controlplane/cli/cli_json.h"
#include "controlplane/cli/cli_show.h"

/* show crypto ikev2 sa: a block per IKE SA, IPv4 first, then IPv6. */
int cli_show_ikev2_sa(struct cli_ctx *x);
/* show crypto ikev2 session detail: the seed's layout, per session. */
int cli_show_ikev2_session_detail(struct cli_ctx *x);
/* clear crypto session [remote ADDR | id N] (ADDR, N in x->arg). */
int cli_clear_crypto_session(struct cli_ctx *x);
int cli_clear_crypto_session_remote(struct cli_ctx *x);
int cli_clear_crypto_session_id(struct cli_ctx *x);
/* crypto ikev2 rekey id N / crypto ikev2 rekey child SPI (over
 * /ipsecgw/ikev2/rekey): start the rekey now (no Cisco equivalent). */
int cli_crypto_ikev2_rekey_id(struct cli_ctx *x);
int cli_crypto_ikev2_rekey_child(struct cli_ctx *x);

/* ---- the renderers, for tests: replies in, text out ---- */

/* One page of /ipsecgw/ikev2/sas: each SA's block to v4 or v6 by the
 * family of its local address.  0, or -1 when the page is malformed. */
int cli_ike_print_sas(FILE *v4, FILE *v6, const struct cj_doc *doc, const struct cj_value *page);
/* The column header of `show crypto ikev2 sa` for family 4 or 6. */
void cli_ike_print_sa_header(FILE *f, int family);
/* "Disconnect Revoked Peer: Enabled|Disabled" with indent, from session s. */
void cli_ike_print_revoked(FILE *f, const struct cj_doc *doc, const struct cj_value *s,
			   const char *indent);
/* One /ipsecgw/ikev2/session reply as `show crypto ikev2 session detail`
 * prints it.  0, or -1 when the reply lacks its child arrays. */
int cli_ike_print_session(FILE *f, const struct cj_doc *doc, const struct cj_value *s);

#endif /* GW_CLI_IKE_H */
