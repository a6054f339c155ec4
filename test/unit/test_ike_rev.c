/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Disconnect revoked peers (controlplane/ike/ike_rev*.c, issue 6) on the
 * real PKI, session table and fast path:
 *   - the PKI is built in code (test_pki_gen: an ECDSA root + intermediate
 *     and a foreign key), loaded through pki_tp_load, and fed CRLs through
 *     pki_crl_ingest, whose "CRL updated" event reaches ike_rev through
 *     pki_subscribe as in the gateway;
 *   - sessions are IKE SAs of the ike_sa.h table with their verified chain
 *     recorded by ike_sa_set_peer_chain and one CHILD SA pair installed in
 *     a dp_init'd data plane through cp_sa_install_ike_pair;
 *   - the IKEv2 deleter is the test's: it records each session and checks,
 *     when it is called, that every CHILD SA of every session the check is
 *     expected to delete is already gone from the fast path (the whole
 *     batch unpublished before the first DELETE), then kills the session
 *     locally as ikev2_delete does once answered;
 *   - telemetry through the handlers of ike_rev_tm.c (tm_run_to_json).
 * Trustpoints, all of the same two CAs: 0 "LAB" (revocation_check crl,
 * hold_is_revoked, turned off by one test), 1 "NOCHECK" (revocation_check
 * none), 2 "NOHOLD" (crl, hold_is_revoked false).
 * Cases: the index under random add/remove; a changed CRL revoking 2 of 5
 * (one event, its telemetry and log lines); the same CRL again; a bad
 * signature; the switch off then on; revocation_check none; a root CRL and
 * a root ARL revoking the intermediate; certificateHold per trustpoint;
 * two CRLs coalesced into one check; the pending queue overflowing; the
 * telemetry commands.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/x509v3.h>

#include <rte_common.h>
#include <rte_log.h>

#include "cfg/cfg.h"
#include "common/gw_esp.h"
#include "common/gw_sa.h"
#include "controlplane/cp_sa.h"
#include "controlplane/cp_tm.h"
#include "controlplane/ike/ike_rev.h"
#include "controlplane/ike/ike_rev_tm.h"
#include "controlplane/ike/ike_sa.h"
#include "controlplane/pki/pki_internal.h"
#include "dataplane/dp.h"
#include "dataplane/dp_sa.h"
#include "test/unit/test_dp.h"
#include "test/unit/test_pki_gen.h"

enum { TP_LAB, TP_NOCHECK, TP_NOHOLD, N_TP };
enum {
	MAX_SESS = 64,		/* sessions of one CRL test */
	JSON_MAX = 32768,
	INTER_SERIAL = 2,	/* tpg_pki_make's intermediate */
};

static struct gw_cfg cfg;
static struct cfg_peer peers[1];
static struct tpg_pki pk;
static EVP_PKEY *other_key;
static char *tmpdir;
static struct pki_issuer_id id_root, id_inter;
static char str_root[PKI_ISSUER_STR], str_inter[PKI_ISSUER_STR];
static char J[JSON_MAX];

/* ---- sessions and the deleter ---- */

struct sess {
	struct ike_sa *sa;
	uint64_t id;
	uint32_t spi_in, tunnel, h_in, h_out;
	bool expect_del;
};

static struct sess S[MAX_SESS];
static unsigned nS;

static struct {
	uint64_t id[MAX_SESS];
	unsigned n;
	unsigned early;		/* called while an expected session's SA was still published */
	unsigned bad;		/* unknown session, children left, or not a revocation */
} del;

static struct pki_serial ser(uint64_t v)
{
	struct pki_serial s = { 0 };

	for (int i = 7; i >= 0; i--)
		if (s.len || (uint8_t)(v >> (8 * i)) || i == 0)
			s.b[s.len++] = (uint8_t)(v >> (8 * i));
	return s;
}

static bool gone(uint32_t h)
{
	struct dp_sa_info info;
	int ret = dp_sa_info(h, &info);

	return ret == -ENOENT || (ret == 0 && info.state == DP_SA_RETIRING);
}

/* Every fast-path trace of s's CHILD SA is unpublished. */
static bool unpublished(const struct sess *s)
{
	return gone(s->h_in) && gone(s->h_out) && dp_sa_find_in(s->spi_in) == DP_SA_INVALID &&
	       dp_tunnel_out_sa(s->tunnel) == DP_SA_INVALID;
}

/* Still up: IKE SA established, indexed, CHILD SA live and published. */
static bool live(const struct sess *s)
{
	struct dp_sa_info info;

	return ike_sa_find_id(s->id) == s->sa && s->sa->state == IKE_SA_ESTABLISHED &&
	       s->sa->rev_n > 0 && ike_sa_child_count(s->sa) == 1 &&
	       dp_sa_find_in(s->spi_in) == s->h_in && dp_tunnel_out_sa(s->tunnel) == s->h_out &&
	       dp_sa_info(s->h_in, &info) == 0 && info.state == DP_SA_LIVE;
}

static int test_deleter(uint64_t id, const char *why)
{
	struct ike_sa *sa = ike_sa_find_id(id);

	if (del.n < MAX_SESS)
		del.id[del.n++] = id;
	for (unsigned i = 0; i < nS; i++)
		if (S[i].expect_del && !unpublished(&S[i]))
			del.early++;
	if (sa == NULL || ike_sa_child_count(sa) != 0 || strstr(why, "revoked") == NULL) {
		del.bad++;
		return -ENOENT;
	}
	ike_sa_kill(sa, why);		/* what ikev2_delete ends in */
	return 0;
}

static unsigned times_deleted(uint64_t id)
{
	unsigned k = 0;

	for (unsigned i = 0; i < del.n; i++)
		k += del.id[i] == id;
	return k;
}

static void esp_desc(struct gw_sa_desc *d, const struct ike_sa *sa, uint8_t dir, uint32_t spi)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "rev%" PRIu64 "-%u", sa->id, dir);
	d->session_id = sa->id;
	d->tunnel = sa->tunnel;
	d->spi = spi;
	d->dir = dir;
	d->alg = ESP_ALG_AES128_SHA1;
	d->local = sa->local;
	d->remote = sa->remote;
	d->enc_key_len = (uint8_t)gw_esp_enc_key_len(ESP_ALG_AES128_SHA1);
	d->auth_key_len = (uint8_t)gw_esp_auth_key_len(ESP_ALG_AES128_SHA1);
	memset(d->enc_key, 0x11, d->enc_key_len);
	memset(d->auth_key, 0x22, d->auth_key_len);
	d->replay_window = 64;
	d->local_ts[d->n_local_ts++] = test_prefix("192.168.10.0/24");
	d->remote_ts[d->n_remote_ts++] = test_prefix("172.16.1.0/24");
}

/*
 * An established responder session whose peer certificate has serial
 * `serial`, issued by the intermediate (chain: the intermediate, serial 2
 * under the root) or, when !via_inter, by the root itself; accepted by
 * trustpoint tp; one CHILD SA pair installed; indexed.
 */
static struct sess *mk(uint64_t serial, int tp, bool via_inter, bool expect_del)
{
	struct pki_verify_result res;
	struct gw_sa_desc in, out;
	struct ike_child *c;
	struct sess *s;
	struct ike_sa *sa;
	char remote[32];

	CU_ASSERT_FATAL(nS < MAX_SESS);
	s = &S[nS];
	memset(&res, 0, sizeof(res));
	res.trustpoint = tp;
	res.ee.issuer = via_inter ? id_inter : id_root;
	res.ee.serial = ser(serial);
	snprintf(res.ee.issuer_str, sizeof(res.ee.issuer_str), "%s", via_inter ? str_inter : str_root);
	if (via_inter) {
		res.chain[0].issuer = id_root;
		res.chain[0].serial = ser(INTER_SERIAL);
		snprintf(res.chain[0].issuer_str, sizeof(res.chain[0].issuer_str), "%s", str_root);
		res.n_chain = 1;
	}
	sa = ike_sa_new(IKE_RESPONDER, 0);
	CU_ASSERT_FATAL(sa != NULL);
	snprintf(remote, sizeof(remote), "10.0.%u.%u", 1 + nS / 200, 2 + nS % 200);
	sa->local = test_addr("10.10.0.1");
	sa->remote = test_addr(remote);
	sa->local_port = sa->remote_port = 500;
	sa->tunnel = cp_sa_tunnel_alloc();
	CU_ASSERT_FATAL(sa->tunnel != DP_SA_INVALID);
	ike_sa_set_peer_chain(sa, &res);
	ike_sa_state(sa, IKE_SA_ESTABLISHED, "test");
	c = ike_sa_child_new(sa);
	CU_ASSERT_FATAL(c != NULL);
	c->spi_in = 0x100000u + (uint32_t)(sa->id << 4);
	c->spi_out = 0x200000u + (uint32_t)(sa->id << 4);
	c->esp_alg = ESP_ALG_AES128_SHA1;
	esp_desc(&in, sa, GW_SA_IN, c->spi_in);
	esp_desc(&out, sa, GW_SA_OUT, c->spi_out);
	CU_ASSERT_FATAL(cp_sa_install_ike_pair(&in, &out, &c->h_in, &c->h_out) == 0);
	c->installed = true;
	CU_ASSERT_FATAL(ike_rev_index_add(sa) == 0);
	*s = (struct sess){ .sa = sa, .id = sa->id, .spi_in = c->spi_in, .tunnel = sa->tunnel,
			    .h_in = c->h_in, .h_out = c->h_out, .expect_del = expect_del };
	nS++;
	return s;
}

/* Each session deleted exactly once if expected (its SAs gone, its IKE
 * SA dead), else untouched; no deleter call saw a published SA of the
 * batch.  Counts the failures. */
static unsigned outcome(void)
{
	unsigned bad = del.early + del.bad;

	for (unsigned i = 0; i < nS; i++) {
		const struct sess *s = &S[i];
		bool ok = s->expect_del ?
			  times_deleted(s->id) == 1 && unpublished(s) &&
			  ike_sa_find_id(s->id) != NULL && s->sa->state == IKE_SA_DEAD &&
			  s->sa->rev_n == 0 :
			  times_deleted(s->id) == 0 && live(s);

		if (!ok) {
			fprintf(stderr, "\n  session %" PRIu64 " (the test's #%u): expected %s\n",
				s->id, i, s->expect_del ? "deleted" : "up");
			bad++;
		}
	}
	if (del.early || del.bad)
		fprintf(stderr, "\n  deleter: %u calls before the batch was unpublished, %u bad\n",
			del.early, del.bad);
	return bad;
}

/* ---- CRLs ---- */

static void rmcaches(void)
{
	char dir[300];

	for (unsigned i = 0; i < N_TP; i++) {
		snprintf(dir, sizeof(dir), "%s", cfg.pki.trustpoints[i].crl_cache_dir);
		tpg_rmdir(dir);
	}
}

static struct tpg_crl_spec crl_spec(bool root, uint64_t number, const struct tpg_revoked *rev,
				    size_t n)
{
	return (struct tpg_crl_spec){
		.issuer = root ? pk.root : pk.inter,
		.issuer_key = root ? pk.root_key : pk.inter_key,
		.number = number, .this_update = -60, .next_update = 3600,
		.revoked = rev, .n_revoked = n,
	};
}

static enum pki_crl_verdict ingest(const struct tpg_crl_spec *s, bool pem)
{
	enum pki_crl_verdict v;
	uint8_t *b;
	size_t n;

	if (tpg_crl_bytes(s, pem, &b, &n) != 0) {
		CU_FAIL("CRL generation");
		return PKI_CRL_VERDICT_MAX;
	}
	v = pki_crl_ingest(TP_LAB, b, n, "http://192.0.2.10/rev.crl", false, NULL);
	free(b);
	return v;
}

/* ---- telemetry ---- */

static const char *run(tm_handler_fn fn, const char *params)
{
	int n = tm_run_to_json(fn, params, J, sizeof(J));

	CU_ASSERT_FATAL(n > 0);
	return J;
}

static bool has(const char *s)
{
	if (strstr(J, s) != NULL)
		return true;
	fprintf(stderr, "\n  expected %s in %s\n", s, J);
	return false;
}

/* The event as telemetry shows it. */
static const char *event_json(uint64_t id)
{
	char p[32];

	snprintf(p, sizeof(p), "%" PRIu64, id);
	return run(ike_rev_tm_event, p);
}

static uint64_t counters[IKE_REV_C_MAX];

static void counters_mark(void)
{
	for (unsigned c = 0; c < IKE_REV_C_MAX; c++)
		counters[c] = ike_rev_counter(c);
}

static uint64_t grown(enum ike_rev_counter c)
{
	return ike_rev_counter(c) - counters[c];
}

/* ---- per-test state ---- */

/* No session, empty index, empty CRL store, the feature on, nothing queued. */
static void fresh(void)
{
	struct ike_sa *sa;

	ike_rev_run();
	for (uint64_t after = 0; (sa = ike_sa_next(after)) != NULL; after = sa->id)
		ike_sa_kill(sa, "test reset");
	ike_sa_reap();
	CU_ASSERT_EQUAL(ike_sa_count(), 0);
	CU_ASSERT_EQUAL(ike_rev_index_entries(), 0);
	CU_ASSERT_PTR_NULL(ike_rev_index_issuer(0));
	ike_rev_set_enabled(1, false);
	ike_rev_set_enabled(2, true);
	cfg.pki.trustpoints[TP_LAB].hold_is_revoked = true;
	pki_crl_set_now(0);
	pki_crl_fini();
	CU_ASSERT_EQUAL(pki_crl_init(), 0);
	rmcaches();
	dp_reclaim();
	memset(&del, 0, sizeof(del));
	memset(S, 0, sizeof(S));
	nS = 0;
	counters_mark();
}

/* ---- 1. the index ---- */

enum { IX_SESS = 300, IX_ISSUERS = 7, IX_OPS = 3000 };

struct ix_model {
	struct ike_sa *sa[IX_SESS];
	bool in[IX_SESS];
	struct pki_issuer_id iss[IX_ISSUERS];
	uint64_t first_id;
};

static bool same_serial(const struct pki_serial *a, const struct pki_serial *b)
{
	return a->len == b->len && memcmp(a->b, b->b, a->len) == 0;
}

static const struct ike_cert_key *ix_link(const struct ike_sa *sa, unsigned link,
					  struct ike_cert_key *ee)
{
	if (link > 0)
		return &sa->chain[link - 1];
	ee->issuer = sa->peer_cert.issuer;
	ee->serial = sa->peer_cert.serial;
	return ee;
}

/* Every live (session, link) exactly once under its issuer, each entry's
 * recorded position right, the totals and the issuer list right.  Errors. */
static unsigned ix_verify(const struct ix_model *m)
{
	static uint8_t seen[IX_SESS][1 + PKI_MAX_CHAIN];
	unsigned bad = 0, total = 0, listed = 0, with = 0;
	const struct pki_issuer_id *id;

	memset(seen, 0, sizeof(seen));
	for (unsigned k = 0; k < IX_ISSUERS; k++) {
		const struct ike_rev_entry *ents;
		unsigned n = ike_rev_index_get(&m->iss[k], &ents);

		with += n > 0;
		for (unsigned i = 0; i < n; i++) {
			const struct ike_rev_entry *e = &ents[i];
			uint64_t j = e->sa->id - m->first_id;
			struct ike_cert_key ee;
			const struct ike_cert_key *l;

			if (j >= IX_SESS || m->sa[j] != e->sa || !m->in[j] ||
			    e->link > e->sa->n_chain) {
				bad++;
				continue;
			}
			l = ix_link(e->sa, e->link, &ee);
			bad += memcmp(&l->issuer, &m->iss[k], sizeof(l->issuer)) != 0;
			bad += !same_serial(&l->serial, &e->serial);
			bad += e->sa->rev_link[e->link].pos != i;
			seen[j][e->link]++;
		}
	}
	for (unsigned j = 0; j < IX_SESS; j++) {
		unsigned links = m->sa[j]->peer_cert.serial.len > 0 ? 1u + m->sa[j]->n_chain : 0;

		for (unsigned l = 0; l <= PKI_MAX_CHAIN; l++)
			bad += seen[j][l] != (m->in[j] && l < links);
		if (m->in[j])
			total += links;
	}
	bad += ike_rev_index_entries() != total;
	for (unsigned i = 0; (id = ike_rev_index_issuer(i)) != NULL; i++) {
		bool known = false;

		for (unsigned k = 0; k < IX_ISSUERS; k++)
			known |= memcmp(id, &m->iss[k], sizeof(*id)) == 0;
		bad += !known;
		listed++;
	}
	bad += listed != with;
	return bad;
}

static void test_index(void)
{
	static struct ix_model m;
	unsigned seed = 20261127, bad = 0, adds = 0, dels = 0, kills = 0;

	fresh();
	memset(&m, 0, sizeof(m));
	/* Issuer ids as the PKI makes them are uniform; two here share the
	 * octets the index hashes, so that they probe the same slots. */
	for (unsigned k = 0; k < IX_ISSUERS; k++)
		for (unsigned b = 0; b < sizeof(m.iss[k].h); b++)
			m.iss[k].h[b] = (uint8_t)rand_r(&seed);
	memcpy(m.iss[1].h, m.iss[0].h, 8);
	for (unsigned j = 0; j < IX_SESS; j++) {
		struct ike_sa *sa = ike_sa_new(IKE_RESPONDER, -1);

		CU_ASSERT_FATAL(sa != NULL);
		if (j == 0)
			m.first_id = sa->id;
		CU_ASSERT_FATAL(sa->id == m.first_id + j);
		m.sa[j] = sa;
		sa->peer_cert.issuer = m.iss[rand_r(&seed) % IX_ISSUERS];
		/* one in 10 has no certificate (PSK): never indexed */
		sa->peer_cert.serial.len = j % 10 == 9 ? 0 : (uint8_t)(1 + rand_r(&seed) % PKI_SERIAL_MAX);
		for (unsigned b = 0; b < sa->peer_cert.serial.len; b++)
			sa->peer_cert.serial.b[b] = (uint8_t)rand_r(&seed);
		sa->peer_cert.serial.b[0] |= 1;
		sa->n_chain = (uint8_t)(rand_r(&seed) % 4);
		for (unsigned l = 0; l < sa->n_chain; l++) {
			sa->chain[l].issuer = m.iss[rand_r(&seed) % IX_ISSUERS];
			sa->chain[l].serial = ser(1 + (uint64_t)rand_r(&seed) % 5);
		}
		sa->trustpoint = TP_LAB;
		ike_sa_state(sa, IKE_SA_ESTABLISHED, "test");
	}
	for (unsigned op = 0; op < IX_OPS; op++) {
		unsigned j = (unsigned)rand_r(&seed) % IX_SESS;

		if (!m.in[j]) {
			CU_ASSERT_EQUAL(ike_rev_index_add(m.sa[j]), 0);
			if (op % 3 == 0)	/* idempotent */
				CU_ASSERT_EQUAL(ike_rev_index_add(m.sa[j]), 0);
			m.in[j] = true;
			adds++;
		} else {
			ike_rev_index_del(m.sa[j]);
			if (op % 5 == 0)	/* twice: no-op */
				ike_rev_index_del(m.sa[j]);
			m.in[j] = false;
			dels++;
		}
		bad += ix_verify(&m);
	}
	/* The rest leave through ike_sa_kill, as sessions do. */
	for (unsigned j = 0; j < IX_SESS; j++) {
		if (m.in[j])
			kills++;
		ike_sa_kill(m.sa[j], "test");
		m.in[j] = false;
		bad += ix_verify(&m);
	}
	printf("\n    %u adds, %u removes, %u kills, %u errors ", adds, dels, kills, bad);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(ike_rev_index_entries(), 0);
	CU_ASSERT_PTR_NULL(ike_rev_index_issuer(0));
	ike_sa_reap();
	CU_ASSERT_EQUAL(ike_sa_count(), 0);
}

/* ---- 2. a changed CRL revoking 2 of 5 ---- */

static void test_two_of_five(void)
{
	const struct tpg_revoked none[] = { { 0x9999, -1 } };
	const struct tpg_revoked two[] = {
		{ 0x9999, -1 }, { 0x1002, CRL_REASON_KEY_COMPROMISE }, { 0x1004, -1 },
	};
	struct tpg_crl_spec c1 = crl_spec(false, 1, none, 1), c2 = crl_spec(false, 2, two, 3);
	struct ike_rev_event ev;
	char *log = NULL, want[256];
	size_t loglen = 0;
	FILE *f;
	uint64_t last;

	fresh();
	for (unsigned i = 0; i < 5; i++)
		mk(0x1001 + i, TP_LAB, true, i == 1 || i == 3);
	CU_ASSERT_EQUAL(ike_rev_index_entries(), 10);	/* 5 EE + 5 chain */
	/* The first CRL revokes nobody here: one event, nothing deleted. */
	CU_ASSERT_EQUAL(ingest(&c1, false), PKI_CRL_NEW);
	ike_rev_run();
	last = ike_rev_event_last();
	CU_ASSERT_EQUAL(ike_rev_event_get(last, &ev), 0);
	CU_ASSERT_EQUAL(ev.checked, 5);
	CU_ASSERT_EQUAL(ev.revoked, 0);
	CU_ASSERT_EQUAL(del.n, 0);
	/* The changed CRL: queued by the event, checked by ike_rev_run. */
	counters_mark();
	CU_ASSERT_EQUAL(ingest(&c2, false), PKI_CRL_NEW);
	CU_ASSERT_EQUAL(del.n, 0);
	CU_ASSERT_EQUAL(ike_rev_event_last(), last);
	for (unsigned i = 0; i < nS; i++)
		CU_ASSERT(live(&S[i]));
	f = open_memstream(&log, &loglen);
	CU_ASSERT_FATAL(f != NULL);
	rte_log_set_level_pattern("ipsecgw.ike", RTE_LOG_INFO);
	rte_openlog_stream(f);
	ike_rev_run();
	rte_openlog_stream(NULL);
	fclose(f);
	CU_ASSERT_EQUAL(ike_rev_event_last(), last + 1);
	CU_ASSERT_EQUAL(del.n, 2);
	CU_ASSERT_EQUAL(outcome(), 0);
	CU_ASSERT_EQUAL(grown(IKE_REV_C_crl_events), 1);
	CU_ASSERT_EQUAL(grown(IKE_REV_C_checks), 1);
	CU_ASSERT_EQUAL(grown(IKE_REV_C_sessions_checked), 5);
	CU_ASSERT_EQUAL(grown(IKE_REV_C_revoked_found), 2);
	CU_ASSERT_EQUAL(grown(IKE_REV_C_sessions_deleted), 2);
	CU_ASSERT_EQUAL(grown(IKE_REV_C_sessions_skipped), 0);
	/* The event, as `show crypto pki revocation` gets it. */
	CU_ASSERT_EQUAL(ike_rev_event_get(last + 1, &ev), 0);
	event_json(last + 1);
	CU_ASSERT(has("\"cause\":\"crl\""));
	CU_ASSERT(has("\"trustpoint\":\"LAB\""));
	CU_ASSERT(has("\"crl_number\":\"02\""));
	CU_ASSERT(has("\"checked\":5,\"revoked\":2,\"deleted\":2,\"skipped\":0,"));
	CU_ASSERT(has("REV Inter CA"));
	CU_ASSERT(ev.unpublish_us > 0 && ev.unpublish_us < 5000000);	/* issue 6's deadline */
	printf("\n    CRL accepted -> 2 sessions unpublished: %" PRIu64 " us, check %" PRIu64 " us ",
	       ev.unpublish_us, ev.check_us);
	run(ike_rev_tm_summary, NULL);
	CU_ASSERT(has("\"last_crl_number\":\"02\",\"last_revoked\":2,\"last_deleted\":2,"));
	/* One log line per deleted session, with every fact the issue names. */
	CU_ASSERT_FATAL(log != NULL);
	snprintf(want, sizeof(want), "revocation: deleting session %" PRIu64 " peer rev-peer (10.0.1.3):"
		 " issuer \"%s\" serial 1002, CRL number 02, reason keyCompromise", S[1].id, ev.issuer);
	CU_ASSERT(strstr(log, want) != NULL);
	snprintf(want, sizeof(want), "revocation: deleting session %" PRIu64 " peer rev-peer (10.0.1.5):"
		 " issuer \"%s\" serial 1004, CRL number 02, reason unspecified", S[3].id, ev.issuer);
	CU_ASSERT(strstr(log, want) != NULL);
	if (strstr(log, want) == NULL)
		fprintf(stderr, "\n  wanted: %s\n  log:\n%s\n", want, log);
	free(log);
}

/* ---- 3. the same CRL again ---- */

static enum pki_crl_verdict ingest_crl(X509_CRL *crl, bool pem)
{
	enum pki_crl_verdict v;
	uint8_t *b;
	size_t n;

	if (tpg_crl_encode(crl, pem, &b, &n) != 0) {
		CU_FAIL("CRL encoding");
		return PKI_CRL_VERDICT_MAX;
	}
	v = pki_crl_ingest(TP_LAB, b, n, "http://192.0.2.10/rev.crl", false, NULL);
	free(b);
	return v;
}

static void test_unchanged(void)
{
	const struct tpg_revoked one[] = { { 0x2001, -1 } };
	struct tpg_crl_spec c = crl_spec(false, 1, one, 1);
	X509_CRL *crl = tpg_crl(&c);
	uint64_t last;

	fresh();
	CU_ASSERT_FATAL(crl != NULL);
	mk(0x2001, TP_LAB, true, true);
	mk(0x2002, TP_LAB, true, false);
	CU_ASSERT_EQUAL(ingest_crl(crl, false), PKI_CRL_NEW);
	ike_rev_run();
	CU_ASSERT_EQUAL(outcome(), 0);
	/* A session with the revoked serial appears (say, up while the
	 * feature was off and re-indexed): a re-served CRL still does nothing. */
	mk(0x2001, TP_LAB, true, false);
	last = ike_rev_event_last();
	counters_mark();
	CU_ASSERT_EQUAL(ingest_crl(crl, false), PKI_CRL_UNCHANGED);
	CU_ASSERT_EQUAL(ingest_crl(crl, true), PKI_CRL_UNCHANGED);	/* PEM of the same */
	ike_rev_run();
	CU_ASSERT_EQUAL(ike_rev_event_last(), last);
	CU_ASSERT_EQUAL(grown(IKE_REV_C_crl_events), 0);
	CU_ASSERT_EQUAL(grown(IKE_REV_C_checks), 0);
	CU_ASSERT_EQUAL(del.n, 1);
	CU_ASSERT_EQUAL(outcome(), 0);
	X509_CRL_free(crl);
}

/* ---- 4. a bad signature ---- */

static void test_bad_signature(void)
{
	const struct tpg_revoked one[] = { { 0x3001, -1 } };
	struct tpg_crl_spec good = crl_spec(false, 1, NULL, 0), bad = crl_spec(false, 2, one, 1);
	uint64_t last;

	fresh();
	mk(0x3001, TP_LAB, true, false);
	mk(0x3002, TP_LAB, true, false);
	CU_ASSERT_EQUAL(ingest(&good, false), PKI_CRL_NEW);
	ike_rev_run();
	last = ike_rev_event_last();
	counters_mark();
	bad.issuer_key = other_key;		/* the intermediate's name, another key */
	CU_ASSERT_EQUAL(ingest(&bad, false), PKI_CRL_SIGNATURE);
	ike_rev_run();
	CU_ASSERT_EQUAL(ike_rev_event_last(), last);
	CU_ASSERT_EQUAL(grown(IKE_REV_C_crl_events), 0);
	CU_ASSERT_EQUAL(del.n, 0);
	CU_ASSERT_EQUAL(outcome(), 0);
	/* And the CRL in force is still the first one: switching the feature
	 * off and on (a full check) finds nobody revoked. */
	ike_rev_set_enabled(2, false);
	ike_rev_set_enabled(2, true);
	CU_ASSERT_EQUAL(del.n, 0);
	CU_ASSERT_EQUAL(grown(IKE_REV_C_revoked_found), 0);
}

/* ---- 5. feature off, then on ---- */

static void test_off_then_on(void)
{
	const struct tpg_revoked rv[] = { { 0x4001, -1 }, { 0x4003, -1 } };
	struct tpg_crl_spec c = crl_spec(false, 1, rv, 2);
	struct ike_rev_event ev;
	struct sess *a, *v1;
	uint64_t last;

	fresh();
	ike_rev_set_enabled(2, false);
	a = mk(0x4001, TP_LAB, true, false);
	mk(0x4002, TP_LAB, true, false);
	v1 = mk(0x4003, TP_LAB, true, false);
	v1->sa->ike_version = 1;		/* IKEv1: its own switch, off */
	CU_ASSERT_FALSE(ike_rev_covers(a->sa, NULL));
	CU_ASSERT_EQUAL(ingest(&c, false), PKI_CRL_NEW);
	ike_rev_run();
	last = ike_rev_event_last();
	CU_ASSERT_EQUAL(ike_rev_event_get(last, &ev), 0);
	CU_ASSERT_EQUAL(ev.checked, 3);
	CU_ASSERT_EQUAL(ev.revoked, 2);
	CU_ASSERT_EQUAL(ev.deleted, 0);
	CU_ASSERT_EQUAL(ev.skipped, 2);
	CU_ASSERT_EQUAL(grown(IKE_REV_C_sessions_skipped), 2);
	CU_ASSERT_EQUAL(outcome(), 0);
	/* On: the IKEv2 session goes before ike_rev_set_enabled returns. */
	a->expect_del = true;
	counters_mark();
	ike_rev_set_enabled(2, true);
	CU_ASSERT_TRUE(ike_rev_enabled(2));
	CU_ASSERT_EQUAL(del.n, 1);
	CU_ASSERT_EQUAL(outcome(), 0);
	CU_ASSERT(ike_rev_event_last() > last);
	for (uint64_t id = last + 1; id <= ike_rev_event_last(); id++) {
		CU_ASSERT_EQUAL(ike_rev_event_get(id, &ev), 0);
		CU_ASSERT_EQUAL(ev.cause, IKE_REV_CAUSE_ENABLED);
		if (ev.deleted == 0)
			continue;
		CU_ASSERT_EQUAL(ev.deleted, 1);
		CU_ASSERT_EQUAL(ev.skipped, 1);		/* the IKEv1 one */
		event_json(id);
		CU_ASSERT(has("\"cause\":\"enabled\""));
		CU_ASSERT(has("\"crl_number\":\"01\""));
		CU_ASSERT(has("\"trustpoint\":\"LAB\""));
	}
	CU_ASSERT_EQUAL(grown(IKE_REV_C_sessions_deleted), 1);
	/* IKEv1 on: no deleter registered for it, its local state goes. */
	v1->expect_del = true;
	ike_rev_set_enabled(1, true);
	CU_ASSERT_EQUAL(v1->sa->state, IKE_SA_DEAD);
	CU_ASSERT(unpublished(v1));
	CU_ASSERT_EQUAL(times_deleted(v1->id), 0);	/* not through the IKEv2 deleter */
	CU_ASSERT_EQUAL(grown(IKE_REV_C_sessions_deleted), 2);
	ike_rev_set_enabled(1, false);
}

/* ---- 6. revocation_check none ---- */

static void test_no_check(void)
{
	const struct tpg_revoked rv[] = { { 0x5001, -1 }, { 0x5002, -1 } };
	struct tpg_crl_spec c = crl_spec(false, 1, rv, 2);
	struct ike_rev_event ev;
	struct sess *nc, *lab;
	bool no_check = false;

	fresh();
	nc = mk(0x5001, TP_NOCHECK, true, false);
	lab = mk(0x5002, TP_LAB, true, true);
	CU_ASSERT_FALSE(ike_rev_covers(nc->sa, &no_check));
	CU_ASSERT_TRUE(no_check);
	CU_ASSERT_TRUE(ike_rev_covers(lab->sa, &no_check));
	CU_ASSERT_FALSE(no_check);
	CU_ASSERT_EQUAL(ingest(&c, false), PKI_CRL_NEW);
	ike_rev_run();
	CU_ASSERT_EQUAL(ike_rev_event_get(ike_rev_event_last(), &ev), 0);
	CU_ASSERT_EQUAL(ev.revoked, 2);
	CU_ASSERT_EQUAL(ev.deleted, 1);
	CU_ASSERT_EQUAL(ev.skipped, 1);
	CU_ASSERT_EQUAL(outcome(), 0);
	CU_ASSERT_FALSE(ike_rev_covers(nc->sa, &no_check));
	CU_ASSERT_TRUE(no_check);
}

/* ---- 7. a root CRL revoking the intermediate ---- */

static void root_revokes_inter(enum tpg_idp idp)
{
	const struct tpg_revoked rv[] = { { INTER_SERIAL, CRL_REASON_CA_COMPROMISE } };
	struct tpg_crl_spec c = crl_spec(true, 1, rv, 1);
	struct ike_rev_event ev;

	fresh();
	c.idp = idp;
	for (unsigned i = 0; i < 4; i++)
		mk(0x6001 + i, TP_LAB, true, true);
	mk(0x6101, TP_LAB, false, false);	/* issued by the root itself */
	/* the intermediate's own CRL is good */
	CU_ASSERT_EQUAL(ingest(&(struct tpg_crl_spec){ .issuer = pk.inter, .issuer_key = pk.inter_key,
						       .number = 1, .this_update = -60,
						       .next_update = 3600 }, false), PKI_CRL_NEW);
	ike_rev_run();
	CU_ASSERT_EQUAL(del.n, 0);
	CU_ASSERT_EQUAL(ingest(&c, false), PKI_CRL_NEW);
	ike_rev_run();
	CU_ASSERT_EQUAL(ike_rev_event_get(ike_rev_event_last(), &ev), 0);
	CU_ASSERT_EQUAL(ev.checked, 5);		/* 4 chain entries + 1 EE */
	CU_ASSERT_EQUAL(ev.revoked, 4);
	CU_ASSERT_EQUAL(ev.deleted, 4);
	CU_ASSERT_EQUAL(del.n, 4);
	CU_ASSERT_EQUAL(outcome(), 0);
	printf("\n    root CRL (scope %s) -> 4 sessions unpublished: %" PRIu64 " us ",
	       idp == TPG_IDP_CA_CERTS ? "CA" : "all", ev.unpublish_us);
}

static void test_root_crl(void)
{
	root_revokes_inter(TPG_IDP_NONE);
}

/* The root's CRL scoped to CA certificates (an ARL, IDP
 * onlyContainsCACerts): the usual way a root publishes. */
static void test_root_arl(void)
{
	root_revokes_inter(TPG_IDP_CA_CERTS);
}

/* ---- 8. certificateHold ---- */

static void test_hold(void)
{
	const struct tpg_revoked rv[] = { { 0x7001, CRL_REASON_CERTIFICATE_HOLD } };
	struct tpg_crl_spec c = crl_spec(false, 1, rv, 1);
	struct ike_rev_event ev;

	/* hold_is_revoked = true (LAB; NOCHECK, of the same CAs, says false) */
	fresh();
	mk(0x7001, TP_LAB, true, true);
	CU_ASSERT_EQUAL(ingest(&c, false), PKI_CRL_NEW);
	ike_rev_run();
	CU_ASSERT_EQUAL(outcome(), 0);
	/* hold_is_revoked = false on every trustpoint of the CA: a hold is not
	 * a revocation (the store takes the policy when it first sees the CA) */
	fresh();
	cfg.pki.trustpoints[TP_LAB].hold_is_revoked = false;
	pki_crl_fini();
	CU_ASSERT_EQUAL(pki_crl_init(), 0);
	mk(0x7001, TP_LAB, true, false);
	CU_ASSERT_EQUAL(ingest(&c, false), PKI_CRL_NEW);
	ike_rev_run();
	CU_ASSERT_EQUAL(ike_rev_event_get(ike_rev_event_last(), &ev), 0);
	CU_ASSERT_EQUAL(ev.checked, 1);
	CU_ASSERT_EQUAL(ev.revoked, 0);
	CU_ASSERT_EQUAL(outcome(), 0);
	cfg.pki.trustpoints[TP_LAB].hold_is_revoked = true;
}

/* Two trustpoints of one CA, hold revoked on one only: each session
 * follows its own trustpoint, as its verification would (issue 6:
 * "certificateHold follows the trustpoint's hold_is_revoked"). */
static void test_hold_per_trustpoint(void)
{
	const struct tpg_revoked rv[] = {
		{ 0x7101, CRL_REASON_CERTIFICATE_HOLD }, { 0x7102, CRL_REASON_CERTIFICATE_HOLD },
	};
	struct tpg_crl_spec c = crl_spec(false, 1, rv, 2);

	fresh();
	mk(0x7101, TP_LAB, true, true);
	mk(0x7102, TP_NOHOLD, true, false);
	CU_ASSERT_EQUAL(ingest(&c, false), PKI_CRL_NEW);
	ike_rev_run();
	CU_ASSERT_EQUAL(outcome(), 0);
}

/* ---- 9. coalescing ---- */

static void test_coalesce(void)
{
	const struct tpg_revoked r1[] = { { 0x8001, -1 } };
	const struct tpg_revoked r2[] = { { 0x8001, -1 }, { 0x8002, -1 } };
	struct tpg_crl_spec c1 = crl_spec(false, 1, r1, 1), c2 = crl_spec(false, 2, r2, 2);
	struct ike_rev_event ev;
	uint64_t last, t0, t1;

	fresh();
	mk(0x8001, TP_LAB, true, true);
	mk(0x8002, TP_LAB, true, true);
	mk(0x8003, TP_LAB, true, false);
	last = ike_rev_event_last();
	t0 = ike_rev_now_ns();
	CU_ASSERT_EQUAL(ingest(&c1, false), PKI_CRL_NEW);
	usleep(20000);
	CU_ASSERT_EQUAL(ingest(&c2, false), PKI_CRL_NEW);
	ike_rev_run();
	t1 = ike_rev_now_ns();
	CU_ASSERT_EQUAL(ike_rev_event_last(), last + 1);
	CU_ASSERT_EQUAL(grown(IKE_REV_C_crl_events), 2);
	CU_ASSERT_EQUAL(grown(IKE_REV_C_checks), 1);
	CU_ASSERT_EQUAL(grown(IKE_REV_C_sessions_checked), 3);
	CU_ASSERT_EQUAL(ike_rev_event_get(last + 1, &ev), 0);
	CU_ASSERT_STRING_EQUAL(ev.crl_number, "02");		/* the latest */
	CU_ASSERT_EQUAL(ev.deleted, 2);
	/* latency from the first acceptance of the two */
	CU_ASSERT(ev.unpublish_us >= 20000);
	CU_ASSERT(ev.unpublish_us <= (t1 - t0) / 1000);
	CU_ASSERT_EQUAL(outcome(), 0);
	ike_rev_run();					/* nothing left queued */
	CU_ASSERT_EQUAL(ike_rev_event_last(), last + 1);
}

/* More issuers queued than IKE_REV_PENDING in one iteration: every
 * indexed issuer is checked, the real CRL's revocation is not lost. */
static void test_queue_overflow(void)
{
	const struct tpg_revoked rv[] = { { 0x8101, -1 } };
	struct tpg_crl_spec c = crl_spec(false, 1, rv, 1);
	struct pki_crl_event fake = { .issuer_str = "CN=fake", .trustpoint = "LAB",
				      .crl_number = "01" };

	fresh();
	mk(0x8101, TP_LAB, true, true);
	mk(0x8102, TP_LAB, true, false);
	for (unsigned i = 0; i < IKE_REV_PENDING + 6; i++) {
		fake.issuer.h[0] = 0xfe;
		fake.issuer.h[1] = (uint8_t)i;
		fake.accepted_ns = ike_rev_now_ns();
		pki_event_crl_updated(&fake);
	}
	CU_ASSERT_EQUAL(ingest(&c, false), PKI_CRL_NEW);	/* beyond the queue */
	CU_ASSERT_EQUAL(del.n, 0);
	ike_rev_run();
	CU_ASSERT_EQUAL(grown(IKE_REV_C_crl_events), IKE_REV_PENDING + 7);
	CU_ASSERT_EQUAL(del.n, 1);
	CU_ASSERT_EQUAL(outcome(), 0);
}

/* ---- 10. telemetry ---- */

static void test_telemetry(void)
{
	char key[64];

	fresh();
	run(ike_rev_tm_summary, NULL);
	for (unsigned c = 0; c < IKE_REV_C_MAX; c++) {
		snprintf(key, sizeof(key), "\"%s\":%" PRIu64, ike_rev_counter_name(c),
			 ike_rev_counter(c));
		CU_ASSERT(has(key));
	}
	CU_ASSERT(has("\"last_issuer\":"));
	CU_ASSERT(has("\"last_crl_number\":"));
	CU_ASSERT(has("\"last_revoked\":"));
	CU_ASSERT(has("\"last_deleted\":"));
	CU_ASSERT(has("\"last_latency_us\":"));
	CU_ASSERT(has("\"ikev2_enabled\":1,\"isakmp_enabled\":0,"));
	CU_ASSERT(has("\"events\":"));
	run(ike_rev_tm_summary, "x");
	CU_ASSERT(has("{\"error\":"));
	/* the switches */
	run(ike_rev_tm_ikev2, NULL);
	CU_ASSERT(has("{\"enabled\":1}"));
	run(ike_rev_tm_ikev2, "0");
	CU_ASSERT(has("{\"enabled\":0}"));
	CU_ASSERT_FALSE(ike_rev_enabled(2));
	run(ike_rev_tm_ikev2, "");
	CU_ASSERT(has("{\"enabled\":0}"));
	run(ike_rev_tm_ikev2, "1");
	CU_ASSERT(has("{\"enabled\":1}"));
	CU_ASSERT_TRUE(ike_rev_enabled(2));
	run(ike_rev_tm_ikev2, "x");
	CU_ASSERT(has("{\"error\":\"usage: /ipsecgw/ikev2/disconnect_revoked_peers[,0|1]"));
	run(ike_rev_tm_ikev2, "10");
	CU_ASSERT(has("{\"error\":"));
	CU_ASSERT_TRUE(ike_rev_enabled(2));
	run(ike_rev_tm_isakmp, "1");
	CU_ASSERT(has("{\"enabled\":1}"));
	CU_ASSERT_TRUE(ike_rev_enabled(1));
	run(ike_rev_tm_isakmp, "0");
	CU_ASSERT(has("{\"enabled\":0}"));
	run(ike_rev_tm_isakmp, "yes");
	CU_ASSERT(has("{\"error\":\"usage: /ipsecgw/isakmp/disconnect_revoked_peers[,0|1]"));
	/* Registered with the gateway's commands by ike_rev_init. */
	CU_ASSERT_EQUAL(cp_tm_register("revocation", ike_rev_tm_summary, "x"), -EEXIST);
	CU_ASSERT_EQUAL(cp_tm_register("revocation/events", ike_rev_tm_events, "x"), -EEXIST);
	CU_ASSERT_EQUAL(cp_tm_register("revocation/event", ike_rev_tm_event, "x"), -EEXIST);
	CU_ASSERT_EQUAL(cp_tm_register("ikev2/disconnect_revoked_peers", ike_rev_tm_ikev2, "x"),
			-EEXIST);
	CU_ASSERT_EQUAL(cp_tm_register("isakmp/disconnect_revoked_peers", ike_rev_tm_isakmp, "x"),
			-EEXIST);
}

static void test_telemetry_events(void)
{
	struct pki_issuer_id nobody = { .h = { 0xee } };
	char key[64], p[32];
	uint64_t first, last;

	fresh();
	/* more events than are kept */
	for (unsigned i = 0; i < IKE_REV_EVENTS + 44; i++)
		ike_rev_check(&nobody, "CN=nobody", "LAB", "", ike_rev_now_ns(), IKE_REV_CAUSE_CRL);
	first = ike_rev_event_first();
	last = ike_rev_event_last();
	CU_ASSERT_EQUAL(last - first + 1, IKE_REV_EVENTS);
	run(ike_rev_tm_events, NULL);
	snprintf(key, sizeof(key), "{\"count\":%u,\"next\":0,\"ids\":[%" PRIu64 ",",
		 (unsigned)IKE_REV_EVENTS, first);
	CU_ASSERT(has(key));
	snprintf(key, sizeof(key), ",%" PRIu64 "]}", last);
	CU_ASSERT(has(key));
	snprintf(p, sizeof(p), "%" PRIu64, last - 1);
	run(ike_rev_tm_events, p);
	snprintf(key, sizeof(key), "\"ids\":[%" PRIu64 ",%" PRIu64 "]}", last - 1, last);
	CU_ASSERT(has(key));
	run(ike_rev_tm_events, "abc");
	CU_ASSERT(has("{\"error\":"));
	/* one event; the dropped and the unknown refused */
	event_json(last);
	snprintf(key, sizeof(key), "{\"id\":%" PRIu64 ",\"time\":", last);
	CU_ASSERT(has(key));
	CU_ASSERT(has("\"cause\":\"crl\",\"issuer\":\"CN=nobody\",\"trustpoint\":\"LAB\","
		      "\"crl_number\":\"\",\"checked\":0,\"revoked\":0,\"deleted\":0,\"skipped\":0,"
		      "\"unpublish_us\":0,\"check_us\":"));
	event_json(first - 1);
	CU_ASSERT(has("{\"error\":\"no revocation event"));
	event_json(last + 1);
	CU_ASSERT(has("{\"error\":\"no revocation event"));
	run(ike_rev_tm_event, NULL);
	CU_ASSERT(has("{\"error\":\"usage: /ipsecgw/revocation/event,ID"));
	run(ike_rev_tm_event, "12x");
	CU_ASSERT(has("{\"error\":"));
	run(ike_rev_tm_summary, NULL);
	snprintf(key, sizeof(key), "\"events\":%u,\"indexed\":0}", (unsigned)IKE_REV_EVENTS);
	CU_ASSERT(has(key));
}

/* ---- set-up ---- */

static int write_tp(unsigned i, const char *name, enum cfg_revocation mode, bool hold)
{
	struct cfg_trustpoint *t = &cfg.pki.trustpoints[i];
	X509 *cas[2] = { pk.root, pk.inter };

	snprintf(t->name, sizeof(t->name), "%s", name);
	tpg_path(t->ca, sizeof(t->ca), tmpdir, name);
	if (tpg_write_certs(t->ca, cas, 2) != 0)
		return -1;
	snprintf(t->crl_cache_dir, sizeof(t->crl_cache_dir), "%s/cache-%s", tmpdir, name);
	t->revocation_check = mode;
	t->crl_max_size = 65536;
	t->crl_refresh_interval = 3600;
	t->crl_min_download_interval = 60;
	t->crl_download_timeout = 10;
	t->hold_is_revoked = hold;
	return 0;
}

static void peer(struct cfg_peer *p, const char *name)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->ike_version = 2;
	gw_addr_parse("10.0.1.2", &p->remote);
	snprintf(p->trustpoint, sizeof(p->trustpoint), "LAB");
	snprintf(p->ike_proposals[p->n_ike_proposals++], CFG_PROPOSAL_MAX, "aes256-sha256-ecp256");
	snprintf(p->esp_proposals[p->n_esp_proposals++], CFG_PROPOSAL_MAX, "aes128-sha1");
	gw_prefix_parse("192.168.10.0/24", &p->local_ts[p->n_local_ts++]);
	gw_prefix_parse("172.16.1.0/24", &p->remote_ts[p->n_remote_ts++]);
	p->initiate = CFG_INITIATE_NONE;
	p->ike_lifetime = 86400;
	p->child_lifetime = 3600;
	p->line = 1;
}

static int suite_init(void)
{
	tmpdir = tpg_tmpdir("ike-rev");
	if (tmpdir == NULL || tpg_pki_make(&pk, TPG_EC_P256, "REV", NULL) != 0)
		return -1;
	other_key = tpg_key(TPG_EC_P256);
	test_dp_cfg(&cfg, "net_null0", "net_null1");
	snprintf(cfg.path, sizeof(cfg.path), "test.conf");
	if (other_key == NULL || write_tp(TP_LAB, "LAB", CFG_REVOCATION_CRL, true) != 0 ||
	    write_tp(TP_NOCHECK, "NOCHECK", CFG_REVOCATION_NONE, false) != 0 ||
	    write_tp(TP_NOHOLD, "NOHOLD", CFG_REVOCATION_CRL, false) != 0)
		return -1;
	cfg.pki.n_trustpoints = N_TP;
	cfg.crypto.ikev2.disconnect_revoked_peers = true;
	peer(&peers[0], "rev-peer");
	cfg.peers = peers;
	cfg.n_peers = 1;
	if (pki_id_of_ca_subject(pk.root, &id_root) != 0 ||
	    pki_id_of_ca_subject(pk.inter, &id_inter) != 0)
		return -1;
	pki_issuer_str(X509_get_subject_name(pk.root), str_root, sizeof(str_root));
	pki_issuer_str(X509_get_subject_name(pk.inter), str_inter, sizeof(str_inter));
	if (dp_init(&cfg) != 0 || cp_sa_init(&cfg) != 0 || ike_sa_table_init() != 0)
		return -1;
	if (pki_tp_load(&cfg.pki) != 0 || pki_tp_count() != N_TP || pki_crl_init() != 0)
		return -1;
	if (ike_rev_init(&cfg) != 0)
		return -1;
	ike_sa_set_deleter(2, test_deleter);
	return 0;
}

static int suite_fini(void)
{
	ike_sa_set_deleter(2, NULL);
	ike_sa_table_fini();
	ike_rev_fini();
	pki_crl_fini();
	pki_tp_unload();
	cp_sa_fini();
	dp_fini();
	tpg_pki_free(&pk);
	EVP_PKEY_free(other_key);
	rmcaches();
	tpg_rmdir(tmpdir);
	free(tmpdir);
	return 0;
}

int main(void)
{
	static const char *const eal[] = { "-l", "0-1", TEST_DP_NULL_PORTS };
	static const struct test_dp_case cases[] = {
		{ "index: random add/remove, swap-remove positions", test_index },
		{ "changed CRL revokes 2 of 5: one event, batch unpublished first", test_two_of_five },
		{ "same CRL again: no event, nothing deleted", test_unchanged },
		{ "bad CRL signature: rejected, nothing deleted", test_bad_signature },
		{ "feature off: skipped; on: deleted at once", test_off_then_on },
		{ "revocation_check none: left up", test_no_check },
		{ "root CRL revoking the intermediate", test_root_crl },
		{ "root ARL (onlyContainsCACerts) revoking the intermediate", test_root_arl },
		{ "certificateHold per hold_is_revoked", test_hold },
		{ "certificateHold per the session's trustpoint", test_hold_per_trustpoint },
		{ "two CRLs of one issuer in one iteration: one check", test_coalesce },
		{ "pending queue overflow: every issuer checked", test_queue_overflow },
		{ "telemetry: summary, switches", test_telemetry },
		{ "telemetry: events kept, listed, refused", test_telemetry_events },
	};

	if (test_dp_begin("ike_rev", RTE_DIM(eal), eal) != 0)
		return 1;
	test_dp_suite("ike_rev", suite_init, suite_fini, cases, RTE_DIM(cases));
	return test_dp_end();
}
