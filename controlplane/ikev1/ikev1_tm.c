/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKEv1 telemetry: /ipsecgw/isakmp/stats (counters, ISAKMP SAs by state).
 * The sessions themselves are listed by /ipsecgw/isakmp/peers and
 * /ipsecgw/isakmp/peer,ID (controlplane/ikev2/ikev2_tm.c: one session
 * table).  Handlers run on the CP thread (cp_tm.c).
 */

#include <rte_common.h>

#include "controlplane/cp_tm.h"
#include "controlplane/ikev1/ikev1_int.h"

static int ikev1_tm_stats(const char *params, struct tm_reply *r)
{
	uint64_t id = 0, n = 0, up = 0;
	struct ike_sa *sa;

	if (tm_no_params(r, "/ipsecgw/isakmp/stats (no parameters)", params) != 0)
		return -1;
	while ((sa = ike_sa_next(id)) != NULL) {
		id = sa->id;
		if (sa->ike_version != 1 || sa->state == IKE_SA_DEAD)
			continue;
		n++;
		up += sa->state == IKE_SA_ESTABLISHED;
	}
	tm_add_u64(r, "sessions", n);
	tm_add_u64(r, "established", up);
	for (int c = 0; c < IKEV1_C_MAX; c++)
		tm_add_u64(r, ikev1_counter_name(c), ikev1_counter(c));
	return 0;
}

int ikev1_tm_register(void)
{
	static const struct cp_tm_cmd cmds[] = {
		{ "isakmp/stats", ikev1_tm_stats,
		  "IKEv1 counters and ISAKMP SAs (sessions, established). No parameters", false },
	};

	return cp_tm_register_table(cmds, RTE_DIM(cmds));
}
