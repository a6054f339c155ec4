/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The revocation benchmark's measurement (bench_revoke.h): the worker's
 * rate in windows around the revocation, the CRL through the PKI's
 * acceptance path and ike_rev_run(), the grace period, the CP tick's
 * reclamation, what survived, and the report.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_rcu_qsbr.h>

#include "controlplane/ike/ike_rev.h"
#include "controlplane/ike/ike_sa.h"
#include "controlplane/pki/pki_internal.h"
#include "dataplane/dp.h"
#include "dataplane/dp_sa.h"
#include "test/bench/bench_revoke.h"

enum { BR_DEADLINE_S = 10, BR_SMOKE_LIMIT_MS = 5000 };

static double br_rate(const struct br_traffic *t, double secs, uint64_t *p_end, double *t_end)
{
	uint64_t p0 = br_traffic_pkts(t);
	double t0 = br_now();

	usleep((useconds_t)(secs * 1e6));
	*p_end = br_traffic_pkts(t);
	*t_end = br_now();
	return (double)(*p_end - p0) / (*t_end - t0);
}

/*
 * The control window: the worker's rate while the CP is busy with work
 * that touches no SA state (pki_check_serials over every session's serial,
 * again and again) for secs.  On this VM the worker's rate also depends on
 * whether the other vCPU is busy at all; this separates that from the
 * removal's own effect.
 */
static double br_busy_rate(const struct br_opts *o, const struct br_ca *ca,
			   const struct br_traffic *t, double secs)
{
	struct pki_serial *ser = calloc(o->sessions, sizeof(*ser));
	struct pki_revoked *rv = calloc(o->sessions, sizeof(*rv));
	uint64_t p0 = br_traffic_pkts(t);
	double t0 = br_now(), t1 = t0;

	for (unsigned i = 0; ser != NULL && i < o->sessions; i++)
		br_serial(i, &ser[i]);
	while (ser != NULL && rv != NULL && (t1 = br_now()) < t0 + secs)
		(void)pki_check_serials(&ca->issuer, ser, o->sessions, rv);
	free(ser);
	free(rv);
	return t1 > t0 ? (double)(br_traffic_pkts(t) - p0) / (t1 - t0) : 0;
}

/*
 * The CP tick's dp_reclaim() until every retired SA is freed.  Worst
 * phase: a tick ran just before the last unpublish, so the next is due a
 * whole tick after it (and cannot run before ike_rev_run, part of the same
 * CP iteration, has returned).  Meanwhile the grace period: an RCU token
 * taken when ike_rev_run returned, polled until every worker has reported
 * a quiescent state (how long a grace period lasts; the unpublish came
 * earlier still).
 */
static int br_reclaim(const struct br_opts *o, double t0, const struct dp_sa_stats *st0,
		      struct br_result *r)
{
	uint64_t tok = rte_rcu_qsbr_start(dp_rcu());
	double tick = o->tick_ms / 1e3, end = br_now() + BR_DEADLINE_S;
	double next = t0 + RTE_MAX(r->t_first_del + tick, r->t_run);
	struct dp_sa_stats st;
	bool graced = false;

	for (;;) {
		if (!graced && rte_rcu_qsbr_check(dp_rcu(), tok, false) == 1) {
			graced = true;
			r->t_grace = br_now() - t0;
		}
		if (br_now() < next) {
			if (graced)
				usleep(200);
			continue;
		}
		r->t_tick = br_now() - t0;
		dp_reclaim();
		ike_sa_reap();
		r->ticks++;
		if (graced && r->first_tick_after_grace == 0)
			r->first_tick_after_grace = r->ticks;
		dp_sa_stats(&st);
		if (st.reclaimed - st0->reclaimed >= r->retired || br_now() > end)
			break;
		next += tick;
	}
	r->t_reclaim = br_now() - t0;
	r->unreclaimed = r->retired - RTE_MIN(r->retired, st.reclaimed - st0->reclaimed);
	return r->unreclaimed == 0 ? 0 : -1;
}

/* The CRL arrives: ingest, then ike_rev_run() as the CP loop does. */
int br_revoke(const struct br_opts *o, const struct br_ca *ca, const uint8_t *der, size_t len,
	      struct br_traffic *t, struct br_result *r)
{
	struct dp_sa_stats st0, st;
	enum pki_crl_verdict v;
	uint64_t p0, pa, p1, p2;
	double t0, ta, t1, tb;

	r->rate_busy = br_busy_rate(o, ca, t, o->window_s);
	r->rate_before = br_rate(t, o->window_s, &p0, &tb);
	dp_sa_stats(&st0);
	t0 = br_now();
	p0 = br_traffic_pkts(t);
	v = pki_crl_ingest(0, der, len, "bench:crl2", false, NULL);
	ta = br_now();
	pa = br_traffic_pkts(t);
	ike_rev_run();
	t1 = br_now();
	p1 = br_traffic_pkts(t);
	r->t_acc = ta - t0;
	r->t_accepted = (double)br.accepted_ns / 1e9 - t0;
	r->t_run = t1 - t0;
	r->rate_ingest = (double)(pa - p0) / (ta - t0);
	r->rate_during = (double)(p1 - pa) / (t1 - ta);
	if (v != PKI_CRL_NEW) {
		fprintf(stderr, "bench_revoke: CRL 2: %s\n", pki_crl_verdict_str(v));
		return -1;
	}
	dp_sa_stats(&st);
	r->retired = st.retired - st0.retired;
	r->reclaimed_inline = st.reclaimed - st0.reclaimed;
	r->t_first_del = br.t_first_del > 0 ? br.t_first_del - t0 : -1;
	if (br_reclaim(o, t0, &st0, r) != 0)
		fprintf(stderr, "bench_revoke: %" PRIu64 " retired SAs not reclaimed in %d s\n",
			r->unreclaimed, BR_DEADLINE_S);
	r->rate_after = br_rate(t, o->window_s, &p2, &tb);
	return ike_rev_event_get(ike_rev_event_last(), &r->ev);
}

/* Parts of the check timed again on their own, after the run. */
static void br_parts(const struct br_opts *o, const struct br_ca *ca, struct br_result *r)
{
	struct pki_serial *ser = calloc(o->sessions, sizeof(*ser));
	struct pki_revoked *rv = calloc(o->sessions, sizeof(*rv));
	double t;

	r->check_s = -1;
	if (ser != NULL && rv != NULL) {
		for (unsigned i = 0; i < o->sessions; i++)
			br_serial(i, &ser[i]);
		t = br_now();
		if (pki_check_serials(&ca->issuer, ser, o->sessions, rv) == (int)o->revoke)
			r->check_s = br_now() - t;
	}
	free(ser);
	free(rv);
	r->wipe_s = br_wipe_time(2 * o->revoke);
}

/* Revoked sessions: SAs gone; survivors: SAs live; the sample's drops. */
void br_verify(const struct br_opts *o, const struct br_ca *ca, const unsigned *idx,
	       unsigned n, const struct br_traffic *t, struct br_result *r)
{
	struct dp_sa_info info;

	for (unsigned i = 0; i < o->sessions; i++) {
		const struct br_sess *s = &br.sess[i];
		bool in = dp_sa_info(s->h_in, &info) == 0, out = dp_sa_info(s->h_out, &info) == 0;

		if (s->revoked && (in || out || dp_sa_find_in(BR_SPI_IN + i) != DP_SA_INVALID))
			r->revoked_live++;
		if (!s->revoked && (!in || !out))
			r->survivors_dead++;
	}
	for (unsigned k = 0; k < n; k++) {
		if (dp_sa_info(br.sess[idx[k]].h_in, &info) != 0)
			continue;
		for (unsigned d = 0; d < DP_DROP_MAX; d++)
			r->sample_drops += info.drops[d];
	}
	r->misses = br_traffic_misses(t);
	r->wdrops = br_traffic_drops(t);
	r->deletes_sent = br.tx_info;
	br_parts(o, ca, r);
}

static const char *br_met(bool ok)
{
	return ok ? "met" : "MISSED";
}

static void br_report_unpublish(const struct br_opts *o, const struct br_result *r)
{
	double unpub_ms = (double)r->ev.unpublish_us / 1e3;

	printf("unpublish (CRL accepted -> last of the %" PRIu64 " SAs unpublished)\n", r->retired);
	printf("  ike_rev event:  %.2f ms (target < 50 ms: %s)\n", unpub_ms, br_met(unpub_ms < 50));
	printf("  from outside:   %.2f ms from before pki_crl_ingest to the first deleter call;"
	       " ike_rev_run returned at %.2f ms\n", r->t_first_del * 1e3, r->t_run * 1e3);
	printf("  where it went:  pki_crl_ingest %.2f ms, the acceptance stamped at %.2f ms, then"
	       " %.2f ms more of it\n", r->t_acc * 1e3, r->t_accepted * 1e3,
	       (r->t_acc - r->t_accepted) * 1e3);
	printf("                  (freeing the parsed CRL); ike_rev_run -> first deleter %.2f ms:"
	       " pki_check_serials\n", (r->t_first_del - r->t_acc) * 1e3);
	printf("                  of %u serials %.2f ms (timed alone), the retire batch the rest;"
	       " it reclaimed\n", o->sessions, r->check_s * 1e3);
	printf("                  %" PRIu64 " SAs inline (esp_sa_rt_wipe alone >= %.2f ms for %"
	       PRIu64 ")\n", r->reclaimed_inline, r->wipe_s * 1e3, r->retired);
	printf("  ike_rev_run:    check_us %" PRIu64 " (deleters included; our check of the"
	       " unpublish at the first deleter call %.2f ms)\n", r->ev.check_us, br.verify_s * 1e3);
}

static void br_report_reclaim(const struct br_opts *o, const struct br_result *r)
{
	printf("reclaim\n");
	printf("  grace period:   every worker quiescent %.3f ms after ike_rev_run returned\n",
	       (r->t_grace - r->t_run) * 1e3);
	printf("  reclaimed:      all %" PRIu64 " SAs %.1f ms after the last unpublish: CP tick %" PRIu64
	       " (every %u ms; worst phase,\n", r->retired - r->unreclaimed,
	       (r->t_reclaim - r->t_first_del) * 1e3, r->ticks, o->tick_ms);
	printf("                  due one tick after the unpublish) at +%.1f ms, then %.2f ms of"
	       " dp_reclaim + ike_sa_reap\n", (r->t_tick - r->t_first_del) * 1e3,
	       (r->t_reclaim - r->t_tick) * 1e3);
	printf("                  (target: grace + one tick = %.1f ms, i.e. freed by the first tick"
	       " after the grace period: %s)\n", (r->t_grace - r->t_run) * 1e3 + o->tick_ms,
	       br_met(r->unreclaimed == 0 && r->first_tick_after_grace != 0 &&
		      r->ticks <= r->first_tick_after_grace));
}

void br_report(const struct br_opts *o, const struct br_result *r)
{
	double ratio = r->rate_before > 0 ? r->rate_during / r->rate_before : 0;

	printf("CRL 2 accepted: %u index entries checked, %u revoked, %u sessions deleted, %u"
	       " skipped\n", r->ev.checked, r->ev.revoked, r->ev.deleted, r->ev.skipped);
	if (o->kill)
		printf("  deleter: ike_sa_kill (local state only, no DELETE)\n");
	else
		printf("  deleter: ikev2_delete, %" PRIu64 " INFORMATIONAL DELETEs built and protected,"
		       " handed to a counting\n  transport (ikev2_msg_set_tx): the fake peers never"
		       " answer\n", r->deletes_sent);
	br_report_unpublish(o, r);
	br_report_reclaim(o, r);
	printf("worker (inbound ESP on %u surviving SAs)\n", o->sample);
	printf("  before %.3f Mpps (CP idle), during the removal (ike_rev_run) %.3f, after %.3f\n",
	       r->rate_before / 1e6, r->rate_during / 1e6, r->rate_after / 1e6);
	printf("  during / before = %.3f (target >= 0.9: %s)\n", ratio, br_met(ratio >= 0.9));
	printf("  controls: CP busy with work touching no SA %.3f Mpps (during / that = %.3f);\n"
	       "            during the CRL's ingest %.3f Mpps (%.3f of before)\n",
	       r->rate_busy / 1e6, r->rate_busy > 0 ? r->rate_during / r->rate_busy : 0,
	       r->rate_ingest / 1e6, r->rate_before > 0 ? r->rate_ingest / r->rate_before : 0);
	printf("survivors: %" PRIu64 " drops on the sample SAs, %" PRIu64 " packets with no SA, %"
	       PRIu64 " decrypt failures (target 0: %s)\n", r->sample_drops, r->misses, r->wdrops,
	       br_met(r->sample_drops + r->misses + r->wdrops == 0));
	printf("  %" PRIu64 " survivors lost an SA; %" PRIu64 " revoked sessions kept one (%" PRIu64
	       " at the first deleter call)\n", r->survivors_dead, r->revoked_live, br.revoked_live);
	fflush(stdout);
}

bool br_ok(const struct br_opts *o, const struct br_result *r)
{
	bool ok = r->sample_drops + r->misses + r->wdrops == 0 && r->survivors_dead == 0 &&
		  r->revoked_live == 0 && br.revoked_live == 0 && r->ev.deleted == o->revoke &&
		  r->retired == 2ull * o->revoke && r->unreclaimed == 0;

	if (o->smoke)
		ok = ok && r->ev.unpublish_us < BR_SMOKE_LIMIT_MS * 1000ull &&
		     r->t_reclaim * 1e3 < BR_SMOKE_LIMIT_MS;
	return ok;
}
