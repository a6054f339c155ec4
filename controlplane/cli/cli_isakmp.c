/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ISAKMP (IKEv1) words of ipsecgw-cli (cli_isakmp.h), over
 * /ipsecgw/isakmp/peers and /ipsecgw/isakmp/peer,ID.
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "controlplane/cli/cli_ike.h"
#include "controlplane/cli/cli_isakmp.h"

/* ---- show crypto isakmp peers ---- */

int cli_isakmp_print_peer(FILE *f, const struct cj_doc *doc, const struct cj_value *s)
{
	fprintf(f, "Peer: %s Port: %" PRIu64 " Local: %s\n", cj_get_str(doc, s, "remote", "?"),
		cj_get_u64(doc, s, "remote_port", 0), cj_get_str(doc, s, "local", "?"));
	fprintf(f, " Phase1 id: %s\n", cj_get_str(doc, s, "peer_id", "?"));
	cli_ike_print_revoked(f, doc, s, " ");
	return 0;
}

static int cli_isakmp_row(struct cli_ctx *x, const struct cj_doc *doc, const struct cj_value *o,
			  void *arg)
{
	unsigned *n = arg;

	if (!x->json) {
		if (*n > 0)
			fputc('\n', x->out);
		cli_isakmp_print_peer(x->out, doc, o);
	}
	(*n)++;
	return 0;
}

int cli_show_isakmp_peers(struct cli_ctx *x)
{
	unsigned n = 0;
	int ret = cli_walk(x, "/ipsecgw/isakmp/peers", "/ipsecgw/isakmp/peer", cli_isakmp_row, &n);

	if (ret == 0 && n == 0 && !x->json)
		fprintf(x->out, "no ISAKMP (IKEv1) peers\n");
	return ret;
}

/* ---- show crypto isakmp sa ---- */

/* Cisco's ISAKMP SA state names from our session states. */
static const char *cli_isakmp_state(const char *st)
{
	static const struct { const char *ours, *cisco; } map[] = {
		{ "INIT_SENT", "MM_SA_SETUP" }, { "INIT_DONE", "MM_SA_SETUP" },
		{ "AUTH_SENT", "MM_KEY_EXCH" }, { "AUTH_VERIFY", "MM_KEY_EXCH" },
		{ "ESTABLISHED", "QM_IDLE" }, { "REKEYING", "QM_IDLE" },
		{ "DELETING", "MM_NO_STATE" }, { "DEAD", "MM_NO_STATE" },
	};

	for (unsigned i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(st, map[i].ours) == 0)
			return map[i].cisco;
	return st;
}

static int cli_isakmp_sa_row(struct cli_ctx *x, const struct cj_doc *doc, const struct cj_value *o,
			     void *arg)
{
	const char *st = cj_get_str(doc, o, "state", "?");
	char id[24];
	const char *cells[] = {
		cj_get_str(doc, o, "remote", "?"), cj_get_str(doc, o, "local", "?"),
		cli_isakmp_state(st), cli_u64(cj_get_u64(doc, o, "id", 0), id, sizeof(id)),
		strcmp(st, "DELETING") == 0 || strcmp(st, "DEAD") == 0 ? "DELETED" : "ACTIVE",
	};

	return cli_add(x, arg, cells);
}

int cli_show_isakmp_sa(struct cli_ctx *x)
{
	static const char *const h[] = { "dst", "src", "state", "conn-id", "status" };
	struct cli_table *t = cli_table_new(5, h, "lllrl");

	if (t == NULL) {
		snprintf(x->err, sizeof(x->err), "out of memory");
		return -1;
	}
	if (!x->json)
		fprintf(x->out, "IPv4/IPv6 Crypto ISAKMP SA\n");
	return cli_finish(x, t, cli_walk(x, "/ipsecgw/isakmp/peers", "/ipsecgw/isakmp/peer",
					 cli_isakmp_sa_row, t), "no ISAKMP SAs");
}
