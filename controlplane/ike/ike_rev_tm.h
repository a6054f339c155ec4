/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_IKE_REV_TM_H
#define GW_IKE_REV_TM_H

/*
 * The revocation feature's telemetry handlers (ike_rev_tm.c, fields
 * there), registered by ike_rev_tm_register() and exposed for tests that
 * run them directly (tm_run_to_json).  CP thread only.
 *
 *   /ipsecgw/revocation                         counters and the last event
 *   /ipsecgw/revocation/events[,START]          {count, next, ids[]}
 *   /ipsecgw/revocation/event,ID                one check
 *   /ipsecgw/ikev2/disconnect_revoked_peers[,0|1]   {enabled}
 *   /ipsecgw/isakmp/disconnect_revoked_peers[,0|1]  {enabled}
 */

#include "controlplane/cp_tm.h"

int ike_rev_tm_summary(const char *params, struct tm_reply *r);
int ike_rev_tm_events(const char *params, struct tm_reply *r);
int ike_rev_tm_event(const char *params, struct tm_reply *r);
int ike_rev_tm_ikev2(const char *params, struct tm_reply *r);
int ike_rev_tm_isakmp(const char *params, struct tm_reply *r);

#endif /* GW_IKE_REV_TM_H */
