/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_IKEV2_TM_H
#define GW_IKEV2_TM_H

/*
 * The IKEv2 sessions' telemetry (ikev2_tm.c): handlers registered by
 * ikev2_tm_register() (called from cp_tm_cmds_register()) and exposed for
 * tests that run them directly (tm_run_to_json).  CP thread only, like
 * every telemetry handler (see controlplane/cp_tm.h).
 *
 *   /ipsecgw/ikev2/sessions[,START]   {count, next, ids[]}: session ids
 *   /ipsecgw/ikev2/session,ID         one session, flat (see ikev2_tm.c)
 *   /ipsecgw/ikev2/sas[,START]        {count, next, ids[]} and one column
 *                                     per field of `show crypto ikev2 sa`,
 *                                     IKEV2_TM_SA_PAGE sessions a page
 *   /ipsecgw/ikev2/stats              the IKEV2_COUNTERS and table sizes
 *   /ipsecgw/clear/crypto_session[,remote=ADDR|id=N]   {cleared}
 *   /ipsecgw/ikev2/rekey,id=N|child=SPI   {session[, child_spi_in], started}:
 *                                     start a rekey of the IKE SA / the
 *                                     CHILD SA of that inbound SPI now
 *   /ipsecgw/isakmp/peers[,START]     {count, next, ids[]}: IKEv1 sessions
 *   /ipsecgw/isakmp/peer,ID           one, with the session fields above
 */

#include "controlplane/cp_tm.h"

enum {
	IKEV2_TM_SA_PAGE = 32,		/* ~300 bytes of columns per session */
};

int ikev2_tm_sessions(const char *params, struct tm_reply *r);
int ikev2_tm_session(const char *params, struct tm_reply *r);
int ikev2_tm_sas(const char *params, struct tm_reply *r);
int ikev2_tm_stats(const char *params, struct tm_reply *r);
int ikev2_tm_clear(const char *params, struct tm_reply *r);
int ikev2_tm_rekey(const char *params, struct tm_reply *r);
int ikev2_tm_isakmp_peers(const char *params, struct tm_reply *r);
int ikev2_tm_isakmp_peer(const char *params, struct tm_reply *r);

/* Add every IKEV2_COUNTERS counter under its name (for /ipsecgw/stats). */
void ikev2_tm_add_counters(struct tm_reply *r);

/* Register the commands above.  0 or -errno; later calls do nothing. */
int ikev2_tm_register(void);

#endif /* GW_IKEV2_TM_H */
