/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry of the revocation feature (ike_rev.h).  Field names are an
 * interface (issue 6):
 *
 * /ipsecgw/revocation, flat: every IKE_REV_COUNTERS name, then
 *   last_issuer, last_crl_number, last_revoked, last_deleted,
 *   last_latency_us (the last event that deleted something, else the last
 *   event: CRL accepted -> last SA unpublished), ikev2_enabled,
 *   isakmp_enabled, events (how many are kept), indexed (entries).
 * /ipsecgw/revocation/events[,START]: {count, next, ids[]}.
 * /ipsecgw/revocation/event,ID: id, time, cause, issuer, trustpoint,
 *   crl_number, checked, revoked, deleted, skipped, unpublish_us, check_us.
 * /ipsecgw/ikev2/disconnect_revoked_peers[,0|1] and
 * /ipsecgw/isakmp/disconnect_revoked_peers[,0|1]: read or set, {enabled}.
 */

#include <inttypes.h>
#include <string.h>

#include <rte_common.h>

#include "controlplane/cp_tm.h"
#include "controlplane/ike/ike_rev.h"
#include "controlplane/ike/ike_rev_tm.h"

/* The event the summary's last_* fields describe. */
static bool ike_rev_tm_last(struct ike_rev_event *ev)
{
	uint64_t first = ike_rev_event_first(), last = ike_rev_event_last();

	if (first == 0)
		return false;
	for (uint64_t id = last; id >= first && id > 0; id--)
		if (ike_rev_event_get(id, ev) == 0 && ev->deleted > 0)
			return true;
	return ike_rev_event_get(last, ev) == 0;
}

int ike_rev_tm_summary(const char *params, struct tm_reply *r)
{
	struct ike_rev_event ev;
	bool have;

	if (tm_no_params(r, "/ipsecgw/revocation (no parameters)", params) != 0)
		return -1;
	for (unsigned c = 0; c < IKE_REV_C_MAX; c++)
		tm_add_u64(r, ike_rev_counter_name(c), ike_rev_counter(c));
	have = ike_rev_tm_last(&ev);
	if (!have)
		memset(&ev, 0, sizeof(ev));
	tm_add_str(r, "last_issuer", ev.issuer);
	tm_add_str(r, "last_crl_number", ev.crl_number);
	tm_add_u64(r, "last_revoked", ev.revoked);
	tm_add_u64(r, "last_deleted", ev.deleted);
	tm_add_u64(r, "last_latency_us", ev.unpublish_us);
	tm_add_u64(r, "ikev2_enabled", ike_rev_enabled(2));
	tm_add_u64(r, "isakmp_enabled", ike_rev_enabled(1));
	tm_add_u64(r, "events", ike_rev_event_first() == 0 ? 0 :
		   ike_rev_event_last() - ike_rev_event_first() + 1);
	tm_add_u64(r, "indexed", ike_rev_index_entries());
	return 0;
}

static uint64_t ike_rev_tm_id_at(unsigned idx, void *arg)
{
	(void)arg;
	return ike_rev_event_first() + idx;
}

int ike_rev_tm_events(const char *params, struct tm_reply *r)
{
	uint64_t first = ike_rev_event_first();
	unsigned n = first == 0 ? 0 : (unsigned)(ike_rev_event_last() - first + 1);

	return tm_list(r, params, n, ike_rev_tm_id_at, NULL);
}

int ike_rev_tm_event(const char *params, struct tm_reply *r)
{
	struct ike_rev_event ev;
	uint64_t id;

	if (tm_parse_id(params, &id) != 0) {
		tm_error(r, "usage: /ipsecgw/revocation/event,ID (got '%.40s')",
			 params != NULL ? params : "");
		return -1;
	}
	if (ike_rev_event_get(id, &ev) != 0) {
		tm_error(r, "no revocation event %" PRIu64 " (kept: the last %u)", id,
			 (unsigned)IKE_REV_EVENTS);
		return -1;
	}
	tm_add_u64(r, "id", ev.id);
	tm_add_u64(r, "time", (uint64_t)ev.when);
	tm_add_str(r, "cause", ike_rev_cause_str(ev.cause));
	tm_add_str(r, "issuer", ev.issuer);
	tm_add_str(r, "trustpoint", ev.trustpoint);
	tm_add_str(r, "crl_number", ev.crl_number);
	tm_add_u64(r, "checked", ev.checked);
	tm_add_u64(r, "revoked", ev.revoked);
	tm_add_u64(r, "deleted", ev.deleted);
	tm_add_u64(r, "skipped", ev.skipped);
	tm_add_u64(r, "unpublish_us", ev.unpublish_us);
	tm_add_u64(r, "check_us", ev.check_us);
	return 0;
}

/* Read, or set with "0" / "1" (nothing else). */
static int ike_rev_tm_switch(uint8_t version, const char *usage, const char *params,
			     struct tm_reply *r)
{
	bool on;

	if (params != NULL && *params != '\0') {
		if (tm_parse_bool(params, &on) != 0)
			return tm_usage(r, usage, params);
		ike_rev_set_enabled(version, on);
	}
	tm_add_u64(r, "enabled", ike_rev_enabled(version));
	return 0;
}

int ike_rev_tm_ikev2(const char *params, struct tm_reply *r)
{
	return ike_rev_tm_switch(2, "/ipsecgw/ikev2/disconnect_revoked_peers[,0|1]", params, r);
}

int ike_rev_tm_isakmp(const char *params, struct tm_reply *r)
{
	return ike_rev_tm_switch(1, "/ipsecgw/isakmp/disconnect_revoked_peers[,0|1]", params, r);
}

int ike_rev_tm_register(void)
{
	static const struct cp_tm_cmd cmds[] = {
		{ "revocation", ike_rev_tm_summary,
		  "Disconnect-revoked-peers counters and the last event. No parameters", false },
		{ "revocation/events", ike_rev_tm_events,
		  "Revocation check event ids: {count, next, ids[]}. Parameter: START", false },
		{ "revocation/event", ike_rev_tm_event,
		  "One revocation check: issuer, CRL number, checked, revoked, deleted, latency. Parameter: ID", false },
		{ "ikev2/disconnect_revoked_peers", ike_rev_tm_ikev2,
		  "IKEv2 disconnect-revoked-peers switch: {enabled}. Parameter: 0 or 1 to set", true },
		{ "isakmp/disconnect_revoked_peers", ike_rev_tm_isakmp,
		  "IKEv1 disconnect-revoked-peers switch: {enabled}. Parameter: 0 or 1 to set", true },
	};

	return cp_tm_register_table(cmds, RTE_DIM(cmds));
}
