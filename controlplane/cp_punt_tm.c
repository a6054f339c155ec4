/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /ipsecgw/punt: the punt classes' rates and counters (see cp_punt.h),
 * the data plane's per-lcore counters summed.  CP thread (cp_tm.c).
 */
#include <stdio.h>

#include "controlplane/cp_punt.h"
#include "controlplane/cp_tm.h"
#include "dataplane/dp.h"
#include "dataplane/dp_stats.h"

static void cp_punt_tm_add(struct tm_reply *r, const char *cls, const char *what, uint64_t v)
{
	char key[TM_MAX_KEY + 1];

	snprintf(key, sizeof(key), "%s_%s", cls, what);
	tm_add_u64(r, key, v);
}

int cp_punt_tm(const char *params, struct tm_reply *r)
{
	struct dp_lcore_stats sum;

	if (tm_no_params(r, "/ipsecgw/punt (no parameters)", params) != 0)
		return -1;
	dp_stats_sum(&sum);
	for (unsigned c = 0; c < DP_PUNT_CLASS_MAX; c++) {
		const char *cls = dp_punt_class_name((enum dp_punt_class)c);

		cp_punt_tm_add(r, cls, "pps", dp_punt_pps((enum dp_punt_class)c));
		for (unsigned k = 0; k < DP_PUNT_C_MAX; k++)
			cp_punt_tm_add(r, cls, dp_punt_ctr_name((enum dp_punt_ctr)k),
				       sum.punt[c][k]);
		cp_punt_tm_add(r, cls, "handled", cp_punt_handled((enum dp_punt_class)c));
		cp_punt_tm_add(r, cls, "queued", dp_punt_queued((enum dp_punt_class)c));
	}
	tm_add_u64(r, "ike_spis", dp_punt_spi_count());
	return 0;
}
