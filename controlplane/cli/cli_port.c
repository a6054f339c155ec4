/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * show controllers: every interface's extended port counters
 * (/ipsecgw/port/xstats,ID), one row per counter, as Cisco's
 * "show controllers" shows a NIC's own counters.
 */

#include <stdio.h>
#include <string.h>

#include "controlplane/cli/cli_json.h"
#include "controlplane/cli/cli_render.h"
#include "controlplane/cli/cli_show.h"

static int cli_xstats_rows(struct cli_ctx *x, const struct cj_doc *doc,
			   const struct cj_value *o, void *arg)
{
	struct cli_table *t = arg;
	const char *name = cj_get_str(doc, o, "interface", "?");
	char num[24];
	const char *cells[3] = { name, NULL, NULL };

	for (const struct cj_value *m = cj_first(doc, o); m != NULL; m = cj_next(doc, m)) {
		if (m->key == NULL || !m->is_uint || strcmp(m->key, "xstats") == 0)
			continue;
		cells[1] = m->key;
		cells[2] = cli_u64(m->u, num, sizeof(num));
		if (cli_add(x, t, cells) != 0)
			return -1;
		cells[0] = "";
	}
	return 0;
}

int cli_show_controllers(struct cli_ctx *x)
{
	static const char *const h[] = { "Interface", "Counter", "Value" };
	struct cli_table *t = cli_table_new(3, h, "llr");
	int ret = -1;

	if (t == NULL)
		snprintf(x->err, sizeof(x->err), "out of memory");
	else
		ret = cli_walk(x, "/ipsecgw/interfaces", "/ipsecgw/port/xstats", cli_xstats_rows, t);
	return cli_finish(x, t, ret, "no interfaces");
}
