/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * session_up / session_down events (ike_sa_event.h).  CP thread.
 */

#include <arpa/inet.h>
#include <stdio.h>

#include <openssl/x509.h>

#include "cfg/cfg.h"
#include "common/gw_addr.h"
#include "common/gw_event.h"
#include "common/gw_ike.h"
#include "controlplane/ike/ike_sa_event.h"

static const struct gw_cfg *ike_ev_cfg;

void ike_sa_event_cfg(const struct gw_cfg *cfg)
{
	ike_ev_cfg = cfg;
}

const char *ike_sa_event_peer(const struct ike_sa *sa)
{
	const struct cfg_peer *p = ike_sa_cfg_peer(ike_ev_cfg, sa);

	return p != NULL ? p->name : "?";
}

/* An ID payload's data as text: address, FQDN, e-mail, /DN, else "hex". */
static const char *ike_ev_id(uint8_t type, const uint8_t *b, size_t n, char *buf, size_t len)
{
	const unsigned char *p = b;
	X509_NAME *dn;

	buf[0] = '\0';
	if (type == IKE_ID_IPV4_ADDR && n == 4)
		inet_ntop(AF_INET, b, buf, (socklen_t)len);
	else if (type == IKE_ID_IPV6_ADDR && n == 16)
		inet_ntop(AF_INET6, b, buf, (socklen_t)len);
	else if (type == IKE_ID_FQDN || type == IKE_ID_RFC822_ADDR)
		snprintf(buf, len, "%.*s", (int)n, (const char *)b);
	else if (type == IKE_ID_DER_ASN1_DN &&
		 (dn = d2i_X509_NAME(NULL, &p, (long)n)) != NULL) {
		X509_NAME_oneline(dn, buf, (int)len);
		X509_NAME_free(dn);
	} else if (n > 0)
		snprintf(buf, len, "hex");
	return buf;
}

void ike_sa_event(struct ike_sa *sa, enum ike_sa_state st, const char *why)
{
	char ver[4], remote[GW_ADDR_STRLEN], local[GW_ADDR_STRLEN];
	char lid[GW_EVENT_VAL_MAX * 2], rid[GW_EVENT_VAL_MAX * 2];
	bool was_up = sa->state == IKE_SA_ESTABLISHED || sa->state == IKE_SA_REKEYING;
	bool up = st == IKE_SA_ESTABLISHED && sa->state < IKE_SA_ESTABLISHED;
	bool down = st == IKE_SA_DEAD && (was_up || sa->down_reason[0] != '\0');

	/* an up SA going DELETING: its first reason is the cause */
	if (st == IKE_SA_DELETING && was_up && sa->down_reason[0] == '\0')
		snprintf(sa->down_reason, sizeof(sa->down_reason), "%s",
			 why != NULL && why[0] != '\0' ? why : "deleting");
	if (!up && !down)
		return;
	snprintf(ver, sizeof(ver), "%u", (unsigned)sa->ike_version);
	gw_addr_fmt(&sa->remote, remote, sizeof(remote));
	gw_addr_fmt(&sa->local, local, sizeof(local));
	if (up) {
		gw_event(GW_EV_SESSION_UP, sa->id, "version", ver, "peer", ike_sa_event_peer(sa),
			 "remote", remote, "local", local,
			 "local_id", ike_ev_id(sa->local_id_type, sa->local_id, sa->local_id_len,
					       lid, sizeof(lid)),
			 "remote_id", ike_ev_id(sa->remote_id_type, sa->remote_id,
						sa->remote_id_len, rid, sizeof(rid)),
			 (const char *)NULL);
		return;
	}
	gw_event(GW_EV_SESSION_DOWN, sa->id, "version", ver, "peer", ike_sa_event_peer(sa),
		 "remote", remote, "reason", sa->down_reason[0] != '\0' ? sa->down_reason :
		 why != NULL && why[0] != '\0' ? why : "unknown",
		 (const char *)NULL);
}
