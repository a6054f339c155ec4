/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Disconnect revoked peers on CRL download: the flow of ike_rev.h.  The
 * PKI's event queues the issuer; ike_rev_run() checks each queued issuer
 * once; a check reads the index, asks the PKI which serials are revoked,
 * unpublishes the CHILD SAs of every session to delete in one batch, and
 * only then hands each session to its IKE version's deleter (which sends
 * the DELETE).  CP thread only.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/gw_addr.h"
#include "common/gw_event.h"
#include "common/gw_log.h"
#include "controlplane/ike/ike_rev.h"
#include "controlplane/ike/ike_sa.h"
#include "controlplane/ike/ike_sa_event.h"

enum {
	IKE_REV_VERSIONS = 3,		/* indexed by IKE version: 1, 2 */
	IKE_REV_REASON_HOLD = 6,	/* RFC 5280 5.3.1 certificateHold */
};

struct ike_rev_pending {
	struct pki_issuer_id issuer;
	char issuer_str[PKI_ISSUER_STR];
	char trustpoint[CFG_NAME_MAX];
	char crl_number[2 * PKI_SERIAL_MAX + 1];
	uint64_t since_ns;		/* the first acceptance coalesced here */
};

/* One session picked by a check: what its log line needs. */
struct ike_rev_pick {
	struct ike_sa *sa;
	struct pki_serial serial;
	uint8_t link;
	uint8_t reason;
};

static struct {
	const struct gw_cfg *cfg;
	bool subscribed;
	bool on[IKE_REV_VERSIONS];
	struct ike_rev_pending pend[IKE_REV_PENDING];
	unsigned npend;
	bool pend_all;			/* the queue overflowed: check every issuer */
	uint64_t pend_all_ns;
	uint64_t c[IKE_REV_C_MAX];
	struct ike_rev_event ev[IKE_REV_EVENTS];
	uint64_t next_ev;		/* id of the next event, from 1 */
	/* scratch of a check, grown as needed */
	struct pki_serial *ser;
	bool *ca;			/* ser[i] is an intermediate's (link > 0) */
	struct pki_revoked *rev;
	struct ike_rev_pick *pick;
	struct ike_sa **sas;
	unsigned cap;
} rev = { .next_ev = 1 };

static const char *const ike_rev_cause_names[IKE_REV_CAUSE_MAX] = {
#define X(n, s) s,
	IKE_REV_CAUSES(X)
#undef X
};

static const char *const ike_rev_counter_names[IKE_REV_C_MAX] = {
#define X(n, d) #n,
	IKE_REV_COUNTERS(X)
#undef X
};

const char *ike_rev_cause_str(enum ike_rev_cause c)
{
	return (unsigned)c < IKE_REV_CAUSE_MAX ? ike_rev_cause_names[c] : "?";
}

const char *ike_rev_counter_name(enum ike_rev_counter c)
{
	return (unsigned)c < IKE_REV_C_MAX ? ike_rev_counter_names[c] : "?";
}

uint64_t ike_rev_counter(enum ike_rev_counter c)
{
	return (unsigned)c < IKE_REV_C_MAX ? rev.c[c] : 0;
}

uint64_t ike_rev_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* RFC 5280 5.3.1 CRLReason names. */
static const char *ike_rev_reason_str(uint8_t r)
{
	static const char *const names[] = {
		"unspecified", "keyCompromise", "cACompromise", "affiliationChanged",
		"superseded", "cessationOfOperation", "certificateHold", "7",
		"removeFromCRL", "privilegeWithdrawn", "aACompromise",
	};

	return r < sizeof(names) / sizeof(names[0]) ? names[r] : "?";
}

/* ---- switches ---- */

bool ike_rev_enabled(uint8_t v)
{
	return v < IKE_REV_VERSIONS && rev.on[v];
}

bool ike_rev_covers(const struct ike_sa *sa, bool *no_check)
{
	const struct cfg_trustpoint *tp = ike_sa_cfg_trustpoint(rev.cfg, sa);
	bool none = tp != NULL && tp->revocation_check == CFG_REVOCATION_NONE;

	if (no_check != NULL)
		*no_check = none;
	/* nothing to check without a peer certificate (PSK, half-open) */
	return !none && sa->peer_cert.serial.len > 0 && ike_rev_enabled(sa->ike_version);
}

static void ike_rev_check_all(enum ike_rev_cause cause, uint64_t since_ns);

void ike_rev_set_enabled(uint8_t v, bool on)
{
	bool was;

	if (v == 0 || v >= IKE_REV_VERSIONS)
		return;
	was = rev.on[v];
	rev.on[v] = on;
	if (was == on)
		return;
	GW_LOG(ike, NOTICE, "%s disconnect-revoked-peers %s", v == 1 ? "isakmp" : "ikev2",
	       on ? "enabled: checking live sessions against the CRLs in force" : "disabled");
	if (on)
		ike_rev_check_all(IKE_REV_CAUSE_ENABLED, ike_rev_now_ns());
}

/* ---- events ---- */

uint64_t ike_rev_event_last(void)
{
	return rev.next_ev - 1;
}

uint64_t ike_rev_event_first(void)
{
	if (rev.next_ev == 1)
		return 0;
	return rev.next_ev > IKE_REV_EVENTS ? rev.next_ev - IKE_REV_EVENTS : 1;
}

int ike_rev_event_get(uint64_t id, struct ike_rev_event *out)
{
	uint64_t first = ike_rev_event_first();

	if (first == 0 || id < first || id >= rev.next_ev)
		return -ENOENT;
	*out = rev.ev[(id - 1) % IKE_REV_EVENTS];
	return 0;
}

static struct ike_rev_event *ike_rev_event_new(void)
{
	struct ike_rev_event *e = &rev.ev[(rev.next_ev - 1) % IKE_REV_EVENTS];

	memset(e, 0, sizeof(*e));
	e->id = rev.next_ev++;
	e->when = time(NULL);
	return e;
}

/* ---- the check ---- */

static int ike_rev_scratch(unsigned n)
{
	struct pki_serial *ser;
	bool *ca;
	struct pki_revoked *rv;
	struct ike_rev_pick *pick;
	struct ike_sa **sas;
	unsigned cap = rev.cap ? rev.cap : 64;

	if (n <= rev.cap)
		return 0;
	while (cap < n)
		cap *= 2;
	ser = realloc(rev.ser, cap * sizeof(*ser));
	if (ser != NULL)
		rev.ser = ser;
	ca = realloc(rev.ca, cap * sizeof(*ca));
	if (ca != NULL)
		rev.ca = ca;
	rv = realloc(rev.rev, cap * sizeof(*rv));
	if (rv != NULL)
		rev.rev = rv;
	pick = realloc(rev.pick, cap * sizeof(*pick));
	if (pick != NULL)
		rev.pick = pick;
	sas = realloc(rev.sas, cap * sizeof(*sas));
	if (sas != NULL)
		rev.sas = sas;
	if (ser == NULL || ca == NULL || rv == NULL || pick == NULL || sas == NULL)
		return -ENOMEM;
	rev.cap = cap;
	return 0;
}

static const char *ike_rev_peer_name(const struct ike_sa *sa)
{
	const struct cfg_peer *p = ike_sa_cfg_peer(rev.cfg, sa);

	return p != NULL ? p->name : "?";
}

/* certificateHold revokes under sa's trustpoint (the PKI reports a hold
 * when any trustpoint of the CA counts it). */
static bool ike_rev_hold_revokes(const struct ike_sa *sa)
{
	const struct cfg_trustpoint *tp = ike_sa_cfg_trustpoint(rev.cfg, sa);

	return tp == NULL || tp->hold_is_revoked;
}

/* Pick, from the revoked entries, the sessions to delete now.  Returns
 * how many; counts the skipped ones in ev. */
static unsigned ike_rev_pick(const struct ike_rev_entry *ents, int nrev, struct ike_rev_event *ev)
{
	unsigned np = 0;

	for (int k = 0; k < nrev; k++) {
		const struct ike_rev_entry *e = &ents[rev.rev[k].idx];
		struct ike_sa *sa = e->sa;

		if (rev.rev[k].reason == IKE_REV_REASON_HOLD && !ike_rev_hold_revokes(sa)) {
			ev->revoked--;	/* a hold is no revocation under its trustpoint */
			continue;
		}
		if (sa->rev_mark || sa->state == IKE_SA_DEAD || sa->state == IKE_SA_DELETING)
			continue;	/* picked already, or going anyway */
		if (!ike_rev_covers(sa, NULL)) {
			ev->skipped++;
			continue;
		}
		sa->rev_mark = true;
		rev.pick[np] = (struct ike_rev_pick){
			.sa = sa, .serial = e->serial, .link = e->link, .reason = rev.rev[k].reason,
		};
		rev.sas[np++] = sa;
	}
	return np;
}

/* Hand each picked session to its version's deleter, one log line each. */
static unsigned ike_rev_delete(unsigned np, const struct ike_rev_event *ev)
{
	char why[96], serial[2 * PKI_SERIAL_MAX + 1], addr[64];
	unsigned deleted = 0;

	snprintf(why, sizeof(why), "peer certificate revoked (CRL %s)",
		 ev->crl_number[0] ? ev->crl_number : "?");
	for (unsigned i = 0; i < np; i++) {
		const struct ike_rev_pick *p = &rev.pick[i];
		struct ike_sa *sa = p->sa;

		sa->rev_mark = false;
		pki_serial_hex(&p->serial, serial, sizeof(serial));
		GW_LOG(ike, NOTICE, "revocation: deleting session %" PRIu64 " peer %s (%s): issuer \"%s\""
		       " serial %s%s, CRL number %s, reason %s", sa->id, ike_rev_peer_name(sa),
		       gw_addr_fmt(&sa->remote, addr, sizeof(addr)), ev->issuer, serial,
		       p->link ? " (an intermediate CA of its chain)" : "",
		       ev->crl_number[0] ? ev->crl_number : "?", ike_rev_reason_str(p->reason));
		gw_event(GW_EV_REVOKED, sa->id, "peer", ike_rev_peer_name(sa), "remote", addr,
			 "issuer", ev->issuer, "serial", serial, "crl_number", ev->crl_number,
			 "reason", ike_rev_reason_str(p->reason), (const char *)NULL);
		if (!ike_sa_has_deleter(sa->ike_version)) {
			ike_sa_kill(sa, why);	/* no deleter: local state only */
			deleted++;
		} else if (ike_sa_delete(sa->id, why) == 0) {
			deleted++;
		}
	}
	return deleted;
}

void ike_rev_check(const struct pki_issuer_id *issuer, const char *issuer_str,
		   const char *trustpoint, const char *crl_number, uint64_t since_ns,
		   enum ike_rev_cause cause)
{
	const struct ike_rev_entry *ents;
	struct ike_rev_event *ev = ike_rev_event_new();
	uint64_t t0 = ike_rev_now_ns();
	unsigned n = ike_rev_index_get(issuer, &ents), np;
	int nrev;

	ev->cause = cause;
	snprintf(ev->issuer, sizeof(ev->issuer), "%s", issuer_str != NULL ? issuer_str : "?");
	snprintf(ev->trustpoint, sizeof(ev->trustpoint), "%s", trustpoint != NULL ? trustpoint : "");
	snprintf(ev->crl_number, sizeof(ev->crl_number), "%s", crl_number != NULL ? crl_number : "");
	ev->checked = n;
	rev.c[IKE_REV_C_checks]++;
	rev.c[IKE_REV_C_sessions_checked] += n;
	if (n == 0)
		goto done;
	if (ike_rev_scratch(n) < 0) {
		GW_LOG(ike, ERR, "revocation: no memory to check %u sessions of %s", n, ev->issuer);
		goto done;
	}
	for (unsigned i = 0; i < n; i++) {
		rev.ser[i] = ents[i].serial;
		rev.ca[i] = ents[i].link > 0;
	}
	nrev = pki_check_serials_kind(issuer, rev.ser, rev.ca, n, rev.rev);
	if (nrev < 0) {
		rev.c[IKE_REV_C_no_crl]++;
		GW_LOG(ike, WARNING, "revocation: no CRL of %s held: %u sessions not checked",
		       ev->issuer, n);
		goto done;
	}
	ev->revoked = (uint32_t)nrev;
	np = ike_rev_pick(ents, nrev, ev);
	/* every CHILD SA of the batch leaves the fast path before any DELETE */
	if (np > 0) {
		ike_sa_retire_children_batch(rev.sas, np);
		ev->unpublish_us = (ike_rev_now_ns() - since_ns) / 1000;
		ev->deleted = ike_rev_delete(np, ev);
	}
done:
	rev.c[IKE_REV_C_revoked_found] += ev->revoked;
	rev.c[IKE_REV_C_sessions_deleted] += ev->deleted;
	rev.c[IKE_REV_C_sessions_skipped] += ev->skipped;
	ev->check_us = (ike_rev_now_ns() - t0) / 1000;
	if (ev->revoked > 0 || ev->deleted > 0)
		GW_LOG(ike, NOTICE, "revocation: %s CRL %s of %s: %u checked, %u revoked, %u deleted,"
		       " %u left up (feature off or revocation_check none), unpublished in %" PRIu64
		       " us", ike_rev_cause_str(cause), ev->crl_number[0] ? ev->crl_number : "?",
		       ev->issuer, ev->checked, ev->revoked, ev->deleted, ev->skipped,
		       ev->unpublish_us);
}

/* The issuer's display name: the CRL store's, else a session's EE one. */
static void ike_rev_issuer_facts(const struct pki_issuer_id *id, struct pki_crl_current *cur)
{
	const struct ike_rev_entry *ents;
	unsigned n;

	if (pki_crl_current(id, cur) == 0)
		return;
	n = ike_rev_index_get(id, &ents);
	for (unsigned i = 0; i < n; i++)
		if (ents[i].link == 0) {
			snprintf(cur->issuer, sizeof(cur->issuer), "%s", ents[i].sa->peer_cert.issuer_str);
			return;
		}
	snprintf(cur->issuer, sizeof(cur->issuer), "(issuer of an intermediate CA)");
}

static void ike_rev_check_all(enum ike_rev_cause cause, uint64_t since_ns)
{
	const struct pki_issuer_id *id;
	struct pki_issuer_id *ids = NULL;
	unsigned n = 0, cap = 0;

	/* the deleters change the index: take the issuers first */
	for (; (id = ike_rev_index_issuer(n)) != NULL; n++) {
		if (n == cap) {
			struct pki_issuer_id *p = realloc(ids, (cap ? 2 * cap : 16) * sizeof(*p));

			if (p == NULL)
				break;
			ids = p;
			cap = cap ? 2 * cap : 16;
		}
		ids[n] = *id;
	}
	for (unsigned i = 0; i < n && i < cap; i++) {
		struct pki_crl_current cur;

		ike_rev_issuer_facts(&ids[i], &cur);
		ike_rev_check(&ids[i], cur.issuer, cur.trustpoint, cur.crl_number, since_ns, cause);
	}
	free(ids);
}

/* ---- the PKI's event and the queue ---- */

static void ike_rev_on_crl(void *arg, const struct pki_crl_event *e)
{
	struct ike_rev_pending *p = NULL;

	(void)arg;
	rev.c[IKE_REV_C_crl_events]++;
	for (unsigned i = 0; i < rev.npend; i++)
		if (memcmp(rev.pend[i].issuer.h, e->issuer.h, sizeof(e->issuer.h)) == 0)
			p = &rev.pend[i];
	if (p == NULL && rev.npend == IKE_REV_PENDING) {
		if (!rev.pend_all || e->accepted_ns < rev.pend_all_ns)
			rev.pend_all_ns = e->accepted_ns;
		rev.pend_all = true;
		return;
	}
	if (p == NULL) {
		p = &rev.pend[rev.npend++];
		p->issuer = e->issuer;
		p->since_ns = e->accepted_ns;
	}
	/* a later CRL of the same issuer in this iteration: one check, the
	 * latency still counted from the first */
	snprintf(p->issuer_str, sizeof(p->issuer_str), "%s", e->issuer_str);
	snprintf(p->trustpoint, sizeof(p->trustpoint), "%s", e->trustpoint);
	snprintf(p->crl_number, sizeof(p->crl_number), "%s", e->crl_number);
}

void ike_rev_run(void)
{
	if (rev.pend_all) {
		/* the queue overflowed: every issuer once, the queued ones too */
		rev.pend_all = false;
		rev.npend = 0;
		ike_rev_check_all(IKE_REV_CAUSE_CRL, rev.pend_all_ns);
		return;
	}
	while (rev.npend > 0) {
		struct ike_rev_pending p = rev.pend[--rev.npend];

		ike_rev_check(&p.issuer, p.issuer_str, p.trustpoint, p.crl_number, p.since_ns,
			      IKE_REV_CAUSE_CRL);
	}
}

/* ---- life ---- */

int ike_rev_init(const struct gw_cfg *cfg)
{
	int ret;

	rev.cfg = cfg;
	ike_sa_event_cfg(cfg);
	/* the runtime switch's path: a later reload that turns one on checks */
	ike_rev_set_enabled(1, cfg->crypto.isakmp.disconnect_revoked_peers);
	ike_rev_set_enabled(2, cfg->crypto.ikev2.disconnect_revoked_peers);
	if (!rev.subscribed) {
		ret = pki_subscribe(ike_rev_on_crl, NULL);
		if (ret < 0)
			return ret;
		rev.subscribed = true;
	}
	return ike_rev_tm_register();
}

void ike_rev_set_cfg(const struct gw_cfg *cfg)
{
	rev.cfg = cfg;
	ike_sa_event_cfg(cfg);
}

void ike_rev_fini(void)
{
	if (rev.subscribed)
		(void)pki_unsubscribe(ike_rev_on_crl, NULL);
	free(rev.ser);
	free(rev.ca);
	free(rev.rev);
	free(rev.pick);
	free(rev.sas);
	ike_rev_index_fini();
	memset(&rev, 0, sizeof(rev));
	rev.next_ev = 1;
}
