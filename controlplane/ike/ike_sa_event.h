/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_IKE_SA_EVENT_H
#define GW_IKE_SA_EVENT_H

/*
 * Session events (common/gw_event.h) from IKE SA state changes, IKEv2 and
 * IKEv1 alike: session_up when an SA first reaches ESTABLISHED, and
 * session_down with its reason when an SA that was up turns DEAD.  A
 * session here is one IKE SA (its id is /ipsecgw/ikev2/session's ID); an
 * IKE SA rekey brings the new SA up and the old one down ("rekeyed").
 */

#include "controlplane/ike/ike_sa.h"

struct gw_cfg;

/* The configuration whose peer names the events carry (NULL: none). */
void ike_sa_event_cfg(const struct gw_cfg *cfg);
/* Called by ike_sa_state() before sa moves to st.  The reason of a
 * session_down is the first one given when the SA left ESTABLISHED or
 * REKEYING (DELETING: "cleared by the operator"), else why. */
void ike_sa_event(struct ike_sa *sa, enum ike_sa_state st, const char *why);
/* sa's peer name from the configuration, "?" when unknown. */
const char *ike_sa_event_peer(const struct ike_sa *sa);

#endif /* GW_IKE_SA_EVENT_H */
