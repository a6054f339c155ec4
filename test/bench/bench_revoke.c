/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Revocation benchmark (issue 6, "Benchmark (scale)"): 100,000 sessions
 * injected through the session table and the fast-path install path IKE
 * uses (bench_revoke_inject.c), continuous inbound ESP on a sample of
 * surviving SAs on a worker lcore (bench_revoke_traffic.c), then a CRL
 * revoking 10,000 of them accepted through the PKI's real acceptance path
 * (pki_crl_ingest: parse, verify, index, cache write, "CRL updated") and
 * ike_rev_run(), as the CP loop runs it at the end of its iteration.
 *
 * Printed (bench_revoke_measure.c; targets printed, not asserted):
 *   - CRL acceptance -> last of the revoked sessions' SAs unpublished:
 *     ike_rev's own figure (event unpublish_us) and ours from outside
 *     (before pki_crl_ingest -> the first deleter call, which ike_rev
 *     makes only once the whole batch is unpublished), with where the
 *     time went; target 50 ms;
 *   - the grace period and the time until every retired SA is reclaimed
 *     with dp_reclaim() called every CP tick; target: grace + one tick;
 *   - the worker's decrypt rate on the sample before, during the removal
 *     and after, and two controls; target ratio >= 0.9;
 *   - the sample's drops: must be 0.
 * Asserted (exit 1): set-up, every revoked session's SAs gone and
 * reclaimed, every survivor's SAs live, zero survivor drops; with --smoke
 * also a generous 5 s for unpublish and reclaim.
 *
 * The deleter is ikev2_delete (real INFORMATIONAL DELETEs, built and
 * protected, handed to a counting transport: the fake peers never answer)
 * or, with --deleter kill, ike_sa_kill.  Either sits behind br_delete,
 * which ike_rev calls.
 *
 *   bench_revoke [--sessions N] [--revoke M] [--sample S] [--size BYTES]
 *                [--window S] [--tick-ms MS] [--deleter ikev2|kill]
 *                [--smoke] [--log] [--mem MB]
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_lcore.h>

#include "controlplane/cp_loop.h"
#include "controlplane/cp_sa.h"
#include "controlplane/ike/ike_rev.h"
#include "controlplane/ike/ike_sa.h"
#include "controlplane/ikev2/ikev2.h"
#include "controlplane/ikev2/ikev2_int.h"
#include "controlplane/pki/pki_internal.h"
#include "dataplane/dp.h"
#include "dataplane/dp_sa.h"
#include "test/bench/bench_revoke.h"
#include "test/unit/test_pki_gen.h"

struct br_run br;

static struct gw_cfg br_cfg;
static struct cfg_peer br_peer;

/* ---- deleters and the IKE transport ---- */

static int br_kill(uint64_t id, const char *why)
{
	struct ike_sa *sa = ike_sa_find_id(id);

	if (sa == NULL || sa->state == IKE_SA_DEAD)
		return -ENOENT;
	ike_sa_kill(sa, why);
	return 0;
}

/* ike_rev calls the deleter only after the whole batch is unpublished:
 * the first call is our outside view of "last SA unpublished". */
static int br_delete(uint64_t id, const char *why)
{
	if (br.t_first_del == 0) {
		double t = br_now();

		br.t_first_del = t;
		for (unsigned i = 0; i < br.o->sessions; i++)
			if (br.sess[i].revoked && dp_sa_find_in(BR_SPI_IN + i) != DP_SA_INVALID)
				br.revoked_live++;
		br.verify_s = br_now() - t;
	}
	return br.next(id, why);
}

/* The UDP send replaced: count what ikev2_delete hands the transport. */
static int br_tx(const struct gw_addr *src, const struct gw_addr *dst, uint16_t sport,
		 uint16_t dport, const void *data, size_t len)
{
	const uint8_t *h = data;

	(void)src, (void)dst, (void)sport, (void)dport;
	br.tx_msgs++;
	if (len > 18 && h[18] == 37)		/* INFORMATIONAL */
		br.tx_info++;
	return 0;
}

/* Subscribed after ike_rev: the acceptance time of the CRL. */
static void br_on_crl(void *arg, const struct pki_crl_event *ev)
{
	(void)arg;
	br.accepted_ns = ev->accepted_ns;
}

/* ---- set-up ---- */

static void br_iface(struct cfg_iface *i, const char *name, const char *port, const char *a)
{
	snprintf(i->name, sizeof(i->name), "%s", name);
	snprintf(i->port, sizeof(i->port), "%s", port);
	gw_prefix_parse(a, &i->addrs[i->n_addrs++]);
}

static void br_config(const char *dir)
{
	struct cfg_trustpoint *t = &br_cfg.pki.trustpoints[0];

	br_cfg.workers = 1;
	br_cfg.n_ifaces = 2;
	br_iface(&br_cfg.ifaces[0], "outside", "net_null0", BR_GW_OUTER "/24");
	br_iface(&br_cfg.ifaces[1], "inside", "net_null1", "192.168.10.1/24");
	snprintf(t->name, sizeof(t->name), "BENCH");
	tpg_path(t->ca, sizeof(t->ca), dir, "ca.pem");
	t->revocation_check = CFG_REVOCATION_CRL;
	t->crl_refresh_interval = 3600;
	t->crl_min_download_interval = 60;
	t->crl_download_timeout = 10;
	t->crl_max_size = UINT32_MAX;
	snprintf(t->crl_cache_dir, sizeof(t->crl_cache_dir), "%s", dir);
	t->hold_is_revoked = true;
	br_cfg.pki.n_trustpoints = 1;
	br_cfg.crypto.ikev2.disconnect_revoked_peers = true;
	br_cfg.crypto.ikev2.max_half_open = 8192;
	br_cfg.crypto.ikev2.cookie_threshold = 512;
	snprintf(br_peer.name, sizeof(br_peer.name), "bench-peers");
	br_peer.ike_version = 2;
	br_peer.remote_any = true;
	snprintf(br_peer.trustpoint, sizeof(br_peer.trustpoint), "BENCH");
	snprintf(br_peer.ike_proposals[br_peer.n_ike_proposals++], CFG_PROPOSAL_MAX,
		 "aes256gcm16-prfsha256-ecp256");
	snprintf(br_peer.esp_proposals[br_peer.n_esp_proposals++], CFG_PROPOSAL_MAX,
		 "aes128gcm16");
	gw_prefix_parse(BR_LAN, &br_peer.local_ts[br_peer.n_local_ts++]);
	gw_prefix_parse("172.16.0.0/12", &br_peer.remote_ts[br_peer.n_remote_ts++]);
	br_peer.ike_lifetime = 86400;
	br_peer.child_lifetime = 3600;
	br_cfg.peers = &br_peer;
	br_cfg.n_peers = 1;
}

static int br_eal(const struct br_opts *o)
{
	char mem[16], prefix[64];
	char *argv[] = { "bench_revoke", "--no-huge", "-m", mem, "--no-pci", "--no-shconf",
			 "--no-telemetry", o->log ? "--log-level=*:notice" : "--log-level=*:warning",
			 prefix, "--vdev=net_null0,no-rx=1", "--vdev=net_null1,no-rx=1",
			 sysconf(_SC_NPROCESSORS_ONLN) < 2 ? "--lcores=0@0,1@0" : "-l", "0,1",
			 NULL };
	int argc = (int)RTE_DIM(argv) - 1;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		argc--;			/* no "0,1" after --lcores=... */
	snprintf(mem, sizeof(mem), "%u", o->mem);
	snprintf(prefix, sizeof(prefix), "--file-prefix=bench_revoke_%d", (int)getpid());
	optind = 1;
	return rte_eal_init(argc, argv) < 0 ? -1 : 0;
}

/* CRL 1 (nothing revoked): the trustpoint holds a CRL before sessions come,
 * as one with revocation_check crl would. */
static int br_first_crl(const struct br_opts *o, const struct br_ca *ca)
{
	enum pki_crl_verdict v;
	uint8_t *der;
	size_t len;

	if (br_crl(o, ca, 1, true, &der, &len) != 0)
		return -1;
	v = pki_crl_ingest(0, der, len, "bench:crl1", false, NULL);
	free(der);
	ike_rev_run();
	if (v != PKI_CRL_NEW) {
		fprintf(stderr, "bench_revoke: CRL 1: %s\n", pki_crl_verdict_str(v));
		return -1;
	}
	return 0;
}

/* The sample: o->sample survivors spread over the table (not revoked). */
static unsigned br_pick_sample(const struct br_opts *o, unsigned *idx)
{
	unsigned n = 0, step = o->sessions / o->sample;

	for (unsigned k = 0; k < o->sample; k++) {
		unsigned i = k * step;

		while (i < o->sessions && br_is_revoked(o, i))
			i++;
		if (i < o->sessions && (n == 0 || idx[n - 1] != i))
			idx[n++] = i;
	}
	return n;
}

static bool br_in(const unsigned *idx, unsigned n, unsigned i)
{
	for (unsigned k = 0; k < n; k++)
		if (idx[k] == i)
			return true;
	return false;
}

/* Sample first (replay check off for them only), then everyone else. */
static int br_inject_all(const struct br_opts *o, const struct br_ca *ca, const unsigned *idx,
			 unsigned n)
{
	double t0 = br_now();
	int ret = 0;

	dp_sa_bench_no_replay(true);
	for (unsigned k = 0; k < n && ret == 0; k++)
		ret = br_inject(o, ca, idx[k], &br.sess[idx[k]]);
	dp_sa_bench_no_replay(false);
	for (unsigned i = 0; i < o->sessions && ret == 0; i++)
		if (!br_in(idx, n, i))
			ret = br_inject(o, ca, i, &br.sess[i]);
	if (ret != 0)
		return ret;
	printf("injected: %u sessions (%u fast-path SAs, %u index entries) in %.2f s\n",
	       ike_sa_count(), 2 * o->sessions, ike_rev_index_entries(), br_now() - t0);
	return ike_sa_count() == o->sessions && ike_rev_index_entries() == o->sessions ? 0 : -1;
}

/* ---- main ---- */

static int br_stack_up(const struct br_opts *o)
{
	if (dp_init(&br_cfg) != 0 || cp_sa_init(&br_cfg) != 0 || pki_init(&br_cfg.pki) != 0 ||
	    ikev2_init(&br_cfg) != 0 || ike_rev_init(&br_cfg) != 0) {
		fprintf(stderr, "bench_revoke: gateway set-up failed (-m %u too small?)\n", o->mem);
		return -1;
	}
	br.next = o->kill ? br_kill : ikev2_delete;
	ike_sa_set_deleter(2, br_delete);
	ikev2_msg_set_tx(br_tx);
	return pki_subscribe(br_on_crl, NULL);
}

static void br_stack_down(void)
{
	pki_unsubscribe(br_on_crl, NULL);
	ikev2_msg_set_tx(NULL);
	ikev2_fini();
	ike_rev_fini();
	pki_fini();
	cp_sa_fini();
	dp_fini();
}

static int br_measure(const struct br_opts *o, const struct br_ca *ca, struct br_result *r)
{
	unsigned idx[BR_SAMPLE_MAX], n = br_pick_sample(o, idx);
	struct br_traffic *t = NULL;
	uint8_t *der = NULL;
	size_t len = 0;
	double t0 = br_now();
	int ret = -1;

	if (br_first_crl(o, ca) != 0 || br_crl(o, ca, 2, false, &der, &len) != 0)
		goto out;
	printf("CRL 2: %u revoked serials, %zu bytes DER, generated in %.2f s\n", o->revoke, len,
	       br_now() - t0);
	if (br_inject_all(o, ca, idx, n) != 0 || (t = br_traffic_create(o, idx, n)) == NULL ||
	    br_traffic_start(t, rte_get_next_lcore(-1, 1, 0)) != 0)
		goto out;
	dp_reclaim();		/* what set-up deferred, as a running gateway's tick has */
	usleep(300000);		/* warm-up */
	ret = br_revoke(o, ca, der, len, t, r);
	br_traffic_stop(t);
	br_verify(o, ca, idx, n, t, r);
out:
	br_traffic_free(t);
	free(der);
	return ret;
}

static void br_header(const struct br_opts *o)
{
	printf("revocation benchmark: %u sessions, CRL revoking %u, traffic on %u surviving SAs"
	       " (%u-byte frames, AES-128-GCM inbound), 1 worker lcore + the CP on the main lcore\n",
	       o->sessions, o->revoke, o->sample, o->frame_len);
	printf("  sample SAs skip the replay check (their packets are replayed:"
	       " dp_sa_bench_no_replay); rate windows of %.2f s\n", o->window_s);
	fflush(stdout);
}

static int br_parse(int argc, char **argv, struct br_opts *o)
{
	static const struct option lo[] = {
		{ "sessions", required_argument, NULL, 'n' }, { "revoke", required_argument, NULL, 'r' },
		{ "sample", required_argument, NULL, 's' }, { "size", required_argument, NULL, 'z' },
		{ "window", required_argument, NULL, 'w' }, { "tick-ms", required_argument, NULL, 't' },
		{ "deleter", required_argument, NULL, 'd' }, { "smoke", no_argument, NULL, 'S' },
		{ "log", no_argument, NULL, 'l' }, { "mem", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct br_opts){ .sessions = 100000, .revoke = 10000, .sample = 64, .frame_len = 64,
			       .window_s = 1.0, .tick_ms = CP_TICK_MS, .mem = 2048 };
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'n': o->sessions = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'r': o->revoke = (unsigned)strtoul(optarg, NULL, 0); break;
		case 's': o->sample = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'z': o->frame_len = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'w': o->window_s = atof(optarg); break;
		case 't': o->tick_ms = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'd': o->kill = strcmp(optarg, "kill") == 0;
			  if (!o->kill && strcmp(optarg, "ikev2") != 0)
				  return -1;
			  break;
		case 'S': *o = (struct br_opts){ .sessions = 2000, .revoke = 200, .sample = 16,
						 .frame_len = 64, .window_s = 0.3,
						 .tick_ms = CP_TICK_MS, .mem = 1024, .smoke = true };
			  break;
		case 'l': o->log = true; break;
		case 'm': o->mem = (unsigned)strtoul(optarg, NULL, 0); break;
		default: return -1;
		}
	}
	if (optind != argc || o->revoke == 0 || o->revoke > o->sessions / 2 ||
	    o->sessions > IKE_SA_MAX || o->sample == 0 || o->sample > BR_SAMPLE_MAX ||
	    o->sample > o->sessions / 2 || o->frame_len < 64 || o->frame_len > 1500 ||
	    o->window_s <= 0 || o->tick_ms == 0 || o->mem < 256)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	static struct br_result r;
	struct br_opts o;
	struct br_ca ca = { 0 };
	char *dir = NULL, path[512], run_dir[512] = "";
	int ret = 1;

	if (br_parse(argc, argv, &o) != 0) {
		fprintf(stderr, "usage: bench_revoke [--sessions N] [--revoke M] [--sample S]"
			" [--size BYTES] [--window S] [--tick-ms MS] [--deleter ikev2|kill]"
			" [--smoke] [--log] [--mem MB]\n");
		return 1;
	}
	br.o = &o;
	br.sess = calloc(o.sessions, sizeof(*br.sess));
	dir = tpg_tmpdir("bench-revoke");
	if (br.sess == NULL || dir == NULL ||
	    br_ca_make(&ca, tpg_path(path, sizeof(path), dir, "ca.pem")) != 0)
		goto out;
	br_config(dir);
	if (br_eal(&o) != 0) {
		fprintf(stderr, "bench_revoke: EAL init failed\n");
		goto out;
	}
	snprintf(run_dir, sizeof(run_dir), "%s", rte_eal_get_runtime_dir());
	br_header(&o);
	if (br_stack_up(&o) == 0 && br_measure(&o, &ca, &r) == 0) {
		br_report(&o, &r);
		ret = br_ok(&o, &r) ? 0 : 1;
	}
	br_stack_down();
	rte_eal_cleanup();
	if (run_dir[0] != '\0')
		(void)rmdir(run_dir);	/* EAL leaves it behind, empty with --no-shconf */
out:
	br_ca_free(&ca);
	if (dir != NULL)
		tpg_rmdir(dir);
	free(dir);
	free(br.sess);
	return ret;
}
