/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration reload, the parts without a running gateway: cfg_diff()
 * between two files written here (peers kept, changed, added, removed and
 * moved; trustpoints; the switches; every change that needs a restart
 * refused with its FILE:LINE), and the session table's side of a reload
 * (ike_sa_remap, the removed peers kept after the new ones), and
 * cp_reload_run() up to its check: a bad line and a change that needs a
 * restart rejected with their FILE:LINE and nothing changed, the same file
 * "unchanged", the counts and the last report.  The whole reload against
 * strongSwan is test/integration/reload_swan.sh.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "cfg/cfg.h"
#include "cfg/cfg_diff.h"
#include "controlplane/cp_reload.h"
#include "controlplane/ike/ike_sa.h"
#include "test/unit/test_eal.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static char dir[64];

/* ---- configurations ---- */

/* The lines every configuration starts with (the global keys on lines 1-5). */
#define HEAD(workers) \
	"eal = [ \"--no-huge\" ];\n"					/* 1 */ \
	"workers = " workers ";\n"					/* 2 */ \
	"interfaces = ( { name = \"out\"; port = \"p0\"; address = \"10.10.0.1/24\"; },\n" \
	"  { name = \"in\"; port = \"p1\"; address = \"192.168.10.1/24\"; } );\n" \
	"routes = ( { prefix = \"0.0.0.0/0\"; via = \"10.10.0.254\"; } );\n"	/* 5 */

#define PKI_2TP \
	"pki = { identities = ( { cert = \"/gw.crt\"; key = \"/gw.key\"; } );\n" \
	"  trustpoints = ( { name = \"CA1\"; ca = \"/ca1.pem\"; },\n" \
	"                  { name = \"CA2\"; ca = \"/ca2.pem\"; revocation_check = \"none\"; } ); };\n"

/* Peer N with remote_ts 172.16.N.0/24 under trustpoint TP. */
#define PEER(n, tp, extra) \
	"  { name = \"peer" #n "\"; remote = \"10.10.0.1" #n "\"; remote_id = \"peer" #n ".lab\";\n" \
	"    trustpoint = \"" tp "\"; ike_proposals = [ \"aes128-sha256-ecp256\" ];\n" \
	"    esp_proposals = [ \"aes128gcm16\" ]; local_ts = [ \"192.168.10.0/24\" ];\n" \
	"    remote_ts = [ \"172.16." #n ".0/24\" ];" extra " }"

static const char cfg_abc[] = HEAD("1") PKI_2TP
	"peers = (\n" PEER(1, "CA1", "") ",\n" PEER(2, "CA1", "") ",\n" PEER(3, "CA2", "") "\n);\n";

/* Write text to dir/name; the path in path. */
static void put(const char *name, const char *text, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", dir, name);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

/* Load text as the file dir/name into *cfg; fails the test on an error. */
static int load(const char *name, const char *text, struct gw_cfg *cfg)
{
	char path[128], err[CFG_ERR_MAX];
	int ret;

	put(name, text, path, sizeof(path));
	ret = cfg_load(path, cfg, err, sizeof(err));
	if (ret != 0)
		printf("\n%s\n", err);
	return ret;
}

/* cfg_diff of two texts; both loaded and freed here. */
static unsigned diff_of(const char *old_text, const char *new_text, struct cfg_diff *d)
{
	struct gw_cfg o, n;
	unsigned errs;

	CU_ASSERT_EQUAL_FATAL(load("old.conf", old_text, &o), 0);
	CU_ASSERT_EQUAL_FATAL(load("new.conf", new_text, &n), 0);
	errs = cfg_diff(&o, &n, d);
	for (unsigned i = 0; i < errs && i < CFG_DIFF_ERRORS; i++)
		printf("\n  %s", d->errors[i]);
	cfg_free(&o);
	cfg_free(&n);
	return errs;
}

/* The expected "FILE:LINE: WHAT cannot change ..." line, FILE new.conf. */
static bool has_error(const struct cfg_diff *d, int line, const char *what)
{
	char want[CFG_ERR_MAX];

	snprintf(want, sizeof(want), "%s/new.conf:%d: %s cannot change without a restart (",
		 dir, line, what);
	for (unsigned i = 0; i < d->n_errors && i < CFG_DIFF_ERRORS; i++)
		if (strncmp(d->errors[i], want, strlen(want)) == 0)
			return true;
	printf("\nno error line starting \"%s\"", want);
	return false;
}

/* ---- the tests ---- */

static void test_same(void)
{
	static struct cfg_diff d;

	CU_ASSERT_EQUAL(diff_of(cfg_abc, cfg_abc, &d), 0);
	CU_ASSERT_FALSE(cfg_diff_any(&d));
	CU_ASSERT_EQUAL(d.peers_kept, 3);
	CU_ASSERT_EQUAL(d.peers_added + d.peers_removed + d.peers_changed, 0);
	for (int i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(d.peer_old[i], CFG_DIFF_KEPT);
		CU_ASSERT_EQUAL(d.peer_old_to_new[i], i);
		CU_ASSERT_EQUAL(d.peer_new_to_old[i], i);
	}
	CU_ASSERT_EQUAL(d.tp_old_to_new[0], 0);
	CU_ASSERT_EQUAL(d.tp_old_to_new[1], 1);
	/* comments and blank lines move every line: still nothing to apply */
	CU_ASSERT_EQUAL(diff_of(cfg_abc, "# moved\n\n" HEAD("1") "\n" PKI_2TP "peers = (\n"
				PEER(1, "CA1", "") ",\n\n" PEER(2, "CA1", "") ",\n"
				PEER(3, "CA2", "") "\n);\n", &d), 0);
	CU_ASSERT_FALSE(cfg_diff_any(&d));
	CU_ASSERT_EQUAL(d.peers_kept, 3);
}

static void test_peers(void)
{
	static struct cfg_diff d;

	/* peer4 added first, peer2's remote_ts changed, peer1 moved to the
	 * end, peer3 removed */
	CU_ASSERT_EQUAL(diff_of(cfg_abc, HEAD("1") PKI_2TP "peers = (\n"
				PEER(4, "CA1", "") ",\n"
				"  { name = \"peer2\"; remote = \"10.10.0.12\"; remote_id = \"peer2.lab\";\n"
				"    trustpoint = \"CA1\"; ike_proposals = [ \"aes128-sha256-ecp256\" ];\n"
				"    esp_proposals = [ \"aes128gcm16\" ]; local_ts = [ \"192.168.10.0/24\" ];\n"
				"    remote_ts = [ \"172.16.22.0/24\" ]; },\n"
				PEER(1, "CA1", "") "\n);\n", &d), 0);
	CU_ASSERT_TRUE(cfg_diff_any(&d));
	CU_ASSERT_EQUAL(d.peers_kept, 1);
	CU_ASSERT_EQUAL(d.peers_changed, 1);
	CU_ASSERT_EQUAL(d.peers_added, 1);
	CU_ASSERT_EQUAL(d.peers_removed, 1);
	CU_ASSERT_EQUAL(d.peer_old[0], CFG_DIFF_KEPT);
	CU_ASSERT_EQUAL(d.peer_old_to_new[0], 2);
	CU_ASSERT_EQUAL(d.peer_old[1], CFG_DIFF_CHANGED);
	CU_ASSERT_EQUAL(d.peer_old_to_new[1], -1);
	CU_ASSERT_EQUAL(d.peer_old[2], CFG_DIFF_REMOVED);
	CU_ASSERT_EQUAL(d.peer_old_to_new[2], -1);
	CU_ASSERT_EQUAL(d.peer_new[0], CFG_DIFF_ADDED);
	CU_ASSERT_EQUAL(d.peer_new_to_old[0], -1);
	CU_ASSERT_EQUAL(d.peer_new[1], CFG_DIFF_CHANGED);
	CU_ASSERT_EQUAL(d.peer_new_to_old[1], -1);
	CU_ASSERT_EQUAL(d.peer_new[2], CFG_DIFF_KEPT);
	CU_ASSERT_EQUAL(d.peer_new_to_old[2], 0);
	CU_ASSERT_EQUAL(d.n_errors, 0);

	/* one setting each: every one is a change of the peer */
	static const char *const changes[] = {
		" initiate = \"start\";", " encap = true;", " child_lifetime = 1800;",
		" local_id = \"gw.lab\";", " ike_version = 1;",
	};
	for (unsigned i = 0; i < ARRAY_LEN(changes); i++) {
		char text[4096];

		snprintf(text, sizeof(text), "%s%speers = (\n%s,\n%s,\n%s%s }\n);\n",
			 HEAD("1"), PKI_2TP, PEER(1, "CA1", ""), PEER(2, "CA1", ""),
			 /* peer3 without its closing brace, then the setting */
			 "  { name = \"peer3\"; remote = \"10.10.0.13\"; remote_id = \"peer3.lab\";\n"
			 "    trustpoint = \"CA2\"; ike_proposals = [ \"aes128-sha256-ecp256\" ];\n"
			 "    esp_proposals = [ \"aes128gcm16\" ]; local_ts = [ \"192.168.10.0/24\" ];\n"
			 "    remote_ts = [ \"172.16.3.0/24\" ];", changes[i]);
		CU_ASSERT_EQUAL(diff_of(cfg_abc, text, &d), 0);
		CU_ASSERT_EQUAL(d.peers_changed, 1);
		CU_ASSERT_EQUAL(d.peer_old[2], CFG_DIFF_CHANGED);
		CU_ASSERT_EQUAL(d.peers_kept, 2);
	}
}

/* Trustpoints by name: a peer keeps when only the index of its
 * trustpoint moves; settings and paths are changes of the trustpoint. */
static void test_trustpoints(void)
{
	static struct cfg_diff d;

	CU_ASSERT_EQUAL(diff_of(cfg_abc, HEAD("1")
				"pki = { identities = ( { cert = \"/gw.crt\"; key = \"/gw.key\"; } );\n"
				"  trustpoints = ( { name = \"CA3\"; ca = \"/ca3.pem\"; },\n"
				"    { name = \"CA2\"; ca = \"/ca2.pem\"; revocation_check = \"none\"; },\n"
				"    { name = \"CA1\"; ca = \"/ca1.pem\"; hold_is_revoked = false; } ); };\n"
				"peers = (\n" PEER(1, "CA1", "") ",\n" PEER(2, "CA1", "") ",\n"
				PEER(3, "CA2", "") "\n);\n", &d), 0);
	CU_ASSERT_EQUAL(d.peers_kept, 3);	/* CA1 and CA2 moved: same names */
	CU_ASSERT_EQUAL(d.tp_old_to_new[0], 2);
	CU_ASSERT_EQUAL(d.tp_old_to_new[1], 1);
	CU_ASSERT_EQUAL(d.tps_added, 1);
	CU_ASSERT_EQUAL(d.tps_removed, 0);
	CU_ASSERT_EQUAL(d.tps_changed, 1);	/* CA1: hold_is_revoked */
	CU_ASSERT_FALSE(d.identities_changed);
	CU_ASSERT_TRUE(cfg_diff_any(&d));

	/* CA2 gone with its peer; the identity's key at another path; a
	 * warning window */
	CU_ASSERT_EQUAL(diff_of(cfg_abc, HEAD("1")
				"pki = { identities = ( { cert = \"/gw.crt\"; key = \"/gw2.key\"; } );\n"
				"  trustpoints = ( { name = \"CA1\"; ca = \"/ca1.pem\"; } );\n"
				"  expiry_warning_days = 10; };\n"
				"peers = (\n" PEER(1, "CA1", "") ",\n" PEER(2, "CA1", "") "\n);\n", &d), 0);
	CU_ASSERT_EQUAL(d.tps_removed, 1);
	CU_ASSERT_EQUAL(d.tp_old_to_new[1], -1);
	CU_ASSERT_EQUAL(d.tps_changed, 0);
	CU_ASSERT_TRUE(d.identities_changed);
	CU_ASSERT_TRUE(d.pki_windows_changed);
	CU_ASSERT_EQUAL(d.peers_removed, 1);
	CU_ASSERT_EQUAL(d.peers_kept, 2);

	/* the CA file's path is a setting of its trustpoint */
	CU_ASSERT_EQUAL(diff_of(cfg_abc, HEAD("1")
				"pki = { identities = ( { cert = \"/gw.crt\"; key = \"/gw.key\"; } );\n"
				"  trustpoints = ( { name = \"CA1\"; ca = \"/ca1-2026.pem\"; },\n"
				"    { name = \"CA2\"; ca = \"/ca2.pem\"; revocation_check = \"none\"; } ); };\n"
				"peers = (\n" PEER(1, "CA1", "") ",\n" PEER(2, "CA1", "") ",\n"
				PEER(3, "CA2", "") "\n);\n", &d), 0);
	CU_ASSERT_EQUAL(d.tps_changed, 1);
	CU_ASSERT_EQUAL(d.peers_kept, 3);
}

static void test_switches(void)
{
	static struct cfg_diff d;

	CU_ASSERT_EQUAL(diff_of(cfg_abc, HEAD("1") PKI_2TP
				"crypto = { ikev2 = { disconnect_revoked_peers = true; }; };\n"
				"log_level = \"debug\";\n"
				"events = { syslog = false; };\n"
				"policies = ( { local_ts = [ \"192.168.10.0/24\" ]; remote_ts = [ \"10.99.0.0/16\" ];"
				" action = \"bypass\"; } );\n"
				"peers = (\n" PEER(1, "CA1", "") ",\n" PEER(2, "CA1", "") ",\n"
				PEER(3, "CA2", "") "\n);\n", &d), 0);
	CU_ASSERT_TRUE(d.crypto_changed);
	CU_ASSERT_TRUE(d.drp_changed[2]);
	CU_ASSERT_FALSE(d.drp_changed[1]);
	CU_ASSERT_TRUE(d.log_level_changed);
	CU_ASSERT_TRUE(d.events_changed);
	CU_ASSERT_TRUE(d.policies_changed);
	CU_ASSERT_EQUAL(d.peers_kept, 3);

	/* a value other than the switch: crypto changed, the switches not */
	CU_ASSERT_EQUAL(diff_of(cfg_abc, HEAD("1") PKI_2TP
				"crypto = { isakmp = { dpd_interval = 10; }; ikev2 = { cookie_threshold = 5; }; };\n"
				"peers = (\n" PEER(1, "CA1", "") ",\n" PEER(2, "CA1", "") ",\n"
				PEER(3, "CA2", "") "\n);\n", &d), 0);
	CU_ASSERT_TRUE(d.crypto_changed);
	CU_ASSERT_FALSE(d.drp_changed[1]);
	CU_ASSERT_FALSE(d.drp_changed[2]);
	CU_ASSERT_FALSE(d.policies_changed);
}

#define MANUAL(key) \
	"manual_sas = ( { name = \"m1\"; local = \"10.10.0.1\"; remote = \"10.10.0.2\";\n" \
	"  local_ts = [ \"10.1.0.0/16\" ]; remote_ts = [ \"10.2.0.0/16\" ]; esp = \"null-sha1\";\n" \
	"  spi_in = 0x1000; spi_out = 0x1001;\n" \
	"  auth_key_in = \"000102030405060708090a0b0c0d0e0f10111213\";\n" \
	"  auth_key_out = \"" key "\"; } );\n"

/* Each change that needs a restart: refused at its line in the new file. */
static void test_restart_needed(void)
{
	static struct cfg_diff d;
	static const char old_m[] = HEAD("1") MANUAL("000102030405060708090a0b0c0d0e0f10111213");

	CU_ASSERT_EQUAL(diff_of(old_m, "\n" HEAD("2") MANUAL("000102030405060708090a0b0c0d0e0f10111213"),
				&d), 1);
	CU_ASSERT_TRUE(has_error(&d, 3, "workers"));
	CU_ASSERT_STRING_EQUAL(strstr(d.errors[0], "(") != NULL ? strstr(d.errors[0], "(") : "",
			       "(1 -> 2)");
	CU_ASSERT_TRUE(cfg_diff_any(&d));

	/* workers dropped from the file: back to the default, line 1 */
	CU_ASSERT_EQUAL(diff_of(HEAD("2"), "eal = [ \"--no-huge\" ];\n"
				"interfaces = ( { name = \"out\"; port = \"p0\"; address = \"10.10.0.1/24\"; },\n"
				"  { name = \"in\"; port = \"p1\"; address = \"192.168.10.1/24\"; } );\n"
				"routes = ( { prefix = \"0.0.0.0/0\"; via = \"10.10.0.254\"; } );\n", &d), 1);
	CU_ASSERT_TRUE(has_error(&d, 1, "workers"));

	/* a manual SA's key (line of its entry), an interface's address (its
	 * entry), a route, the telemetry socket, the punt rates, the EAL */
	CU_ASSERT_EQUAL(diff_of(old_m,
				"eal = [ \"--no-huge\", \"--no-pci\" ];\n"
				"workers = 1;\n"
				"interfaces = ( { name = \"out\"; port = \"p0\"; address = \"10.10.0.1/24\"; },\n"
				"  { name = \"in\"; port = \"p1\"; address = \"192.168.11.1/24\"; } );\n"
				"routes = ( { prefix = \"0.0.0.0/0\"; via = \"10.10.0.253\"; } );\n"
				"telemetry = { socket_mode = \"0600\"; };\n"
				"punt = { ike_pps = 1000; };\n"
				MANUAL("ffffffffffffffffffffffffffffffffffffffff"), &d), 6);
	CU_ASSERT_TRUE(has_error(&d, 1, "eal"));
	CU_ASSERT_TRUE(has_error(&d, 4, "interface in"));
	CU_ASSERT_TRUE(has_error(&d, 5, "routes"));
	CU_ASSERT_TRUE(has_error(&d, 6, "telemetry"));
	CU_ASSERT_TRUE(has_error(&d, 7, "punt"));
	CU_ASSERT_TRUE(has_error(&d, 8, "manual_sas"));
	/* the keys are compared, never printed */
	for (unsigned i = 0; i < d.n_errors; i++)
		CU_ASSERT_PTR_NULL(strstr(d.errors[i], "ffff"));

	/* the neighbours gone */
	CU_ASSERT_EQUAL(diff_of(HEAD("1") "neighbors = ( { address = \"10.10.0.254\";\n"
				"  mac = \"02:00:00:00:00:fe\"; } );\n", HEAD("1"), &d), 1);
	CU_ASSERT_TRUE(has_error(&d, 1, "neighbors"));
}

/* ---- the session table's side ---- */

static struct ike_sa *sa_with(int peer, int tp, enum ike_sa_state st)
{
	struct ike_sa *sa = ike_sa_new(IKE_RESPONDER, peer);

	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	sa->trustpoint = tp;
	ike_sa_state(sa, st, "test");
	return sa;
}

static void test_remap(void)
{
	static struct gw_cfg cfg;
	struct ike_sa *a, *b, *c, *dead, *none;
	/* old slots 0..2 (+ one removed earlier, slot 3) */
	static const int peer_map[] = { 2, 3, -1, -1 };
	static const int tp_map[] = { 1, -1 };

	CU_ASSERT_EQUAL_FATAL(ike_sa_table_init(), 0);
	CU_ASSERT_EQUAL(ike_sa_removed_peers(), 0);
	a = sa_with(0, 0, IKE_SA_ESTABLISHED);
	b = sa_with(1, 1, IKE_SA_DELETING);
	c = sa_with(2, 0, IKE_SA_ESTABLISHED);
	dead = sa_with(0, 0, IKE_SA_DEAD);
	none = sa_with(-1, -1, IKE_SA_INIT_DONE);
	CU_ASSERT_EQUAL(ike_sa_remap(peer_map, ARRAY_LEN(peer_map), tp_map, ARRAY_LEN(tp_map)), 4);
	CU_ASSERT_EQUAL(a->peer, 2);
	CU_ASSERT_EQUAL(a->trustpoint, 1);
	CU_ASSERT_EQUAL(b->peer, 3);
	CU_ASSERT_EQUAL(b->trustpoint, -1);
	CU_ASSERT_EQUAL(c->peer, -1);
	CU_ASSERT_EQUAL(dead->peer, 0);		/* DEAD: left alone (reaped next) */
	CU_ASSERT_EQUAL(none->peer, -1);
	CU_ASSERT_EQUAL(none->trustpoint, -1);

	/* three configured peers and one removed kept after them */
	cfg.peers = calloc(4, sizeof(*cfg.peers));
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg.peers);
	cfg.n_peers = 3;
	for (unsigned i = 0; i < 4; i++)
		snprintf(cfg.peers[i].name, sizeof(cfg.peers[i].name), "p%u", i);
	CU_ASSERT_PTR_EQUAL(ike_sa_cfg_peer(&cfg, a), &cfg.peers[2]);
	CU_ASSERT_PTR_NULL(ike_sa_cfg_peer(&cfg, b));	/* 3: not counted yet */
	ike_sa_set_removed_peers(1);
	CU_ASSERT_PTR_EQUAL(ike_sa_cfg_peer(&cfg, b), &cfg.peers[3]);
	CU_ASSERT_PTR_NULL(ike_sa_cfg_peer(&cfg, c));
	CU_ASSERT_PTR_NULL(ike_sa_cfg_peer(NULL, a));
	free(cfg.peers);
	ike_sa_table_fini();
	CU_ASSERT_EQUAL_FATAL(ike_sa_table_init(), 0);
	CU_ASSERT_EQUAL(ike_sa_removed_peers(), 0);	/* a new table: none */
	ike_sa_table_fini();
}

/* cp_reload_run against a configuration "in force" that is only loaded:
 * everything up to the apply step (which needs the data plane).  No PKI:
 * the check would load its files. */
static void test_run_check(void)
{
	static struct gw_cfg cur;
	static struct cp_reload_report r;
	static const char base[] = HEAD("1") "crypto = { ikev2 = { dpd_interval = 10; }; };\n";
	char path[128];
	uint64_t rej0 = cp_reload_count(CP_RELOAD_REJECTED);
	uint64_t unch0 = cp_reload_count(CP_RELOAD_UNCHANGED);

	CU_ASSERT_EQUAL_FATAL(load("run.conf", base, &cur), 0);
	CU_ASSERT_EQUAL_FATAL(cp_reload_init(&cur), 0);
	CU_ASSERT_PTR_EQUAL(cp_reload_cfg(), &cur);
	/* the same file */
	CU_ASSERT_EQUAL(cp_reload_run(CP_RELOAD_TELEMETRY, &r), CP_RELOAD_UNCHANGED);
	CU_ASSERT_EQUAL(r.n_errors, 0);
	CU_ASSERT_STRING_EQUAL(r.pki, "none");
	/* a bad line (7) */
	put("run.conf", HEAD("1") "crypto = { ikev2 = {\n dpd_interval = -10; }; };\n",
	    path, sizeof(path));
	CU_ASSERT_EQUAL(cp_reload_run(CP_RELOAD_SIGHUP, &r), CP_RELOAD_REJECTED);
	CU_ASSERT_EQUAL(r.n_errors, 1);
	printf("\n  %s\n", r.errors[0]);
	CU_ASSERT_EQUAL(strncmp(r.errors[0], path, strlen(path)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.errors[0], ":7: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.errors[0], "(-10)"));
	CU_ASSERT_EQUAL(r.trigger, CP_RELOAD_SIGHUP);
	/* a change that needs a restart next to one that would apply */
	put("run.conf", HEAD("2") "crypto = { ikev2 = { dpd_interval = 20; }; };\n",
	    path, sizeof(path));
	CU_ASSERT_EQUAL(cp_reload_run(CP_RELOAD_TELEMETRY, &r), CP_RELOAD_REJECTED);
	CU_ASSERT_EQUAL(r.n_errors, 1);
	printf("  %s\n", r.errors[0]);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.errors[0], ":2: workers cannot change without a restart (1 -> 2)"));
	/* nothing changed: the same configuration in force, counted */
	CU_ASSERT_PTR_EQUAL(cp_reload_cfg(), &cur);
	CU_ASSERT_EQUAL(cur.crypto.ikev2.dpd_interval, 10);
	CU_ASSERT_EQUAL(cp_reload_count(CP_RELOAD_REJECTED), rej0 + 2);
	CU_ASSERT_EQUAL(cp_reload_count(CP_RELOAD_UNCHANGED), unch0 + 1);
	memset(&r, 0, sizeof(r));
	CU_ASSERT_EQUAL(cp_reload_last(&r), 0);
	CU_ASSERT_EQUAL(r.result, CP_RELOAD_REJECTED);
	CU_ASSERT_EQUAL(r.id, 3);
	CU_ASSERT_STRING_EQUAL(cp_reload_result_str(r.result), "rejected");
	/* the file gone */
	unlink(path);
	CU_ASSERT_EQUAL(cp_reload_run(CP_RELOAD_SIGHUP, &r), CP_RELOAD_REJECTED);
	printf("  %s\n", r.errors[0]);
	CU_ASSERT_EQUAL(strncmp(r.errors[0], path, strlen(path)), 0);
	cp_reload_fini();
	CU_ASSERT_PTR_NULL(cp_reload_cfg());
	cfg_free(&cur);
}

static int suite_init(void)
{
	snprintf(dir, sizeof(dir), "/tmp/ipsecgw-reload-XXXXXX");
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static int suite_fini(void)
{
	static const char *const files[] = { "old.conf", "new.conf", "run.conf" };
	char path[128];

	for (unsigned i = 0; i < ARRAY_LEN(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	return rmdir(dir);
}

int main(void)
{
	static const struct test_case tests[] = {
		{ "same file, lines moved: nothing to apply", test_same },
		{ "peers kept, changed, added, removed, moved", test_peers },
		{ "trustpoints by name, identities, windows", test_trustpoints },
		{ "switches, policies, log level, events", test_switches },
		{ "changes that need a restart: FILE:LINE", test_restart_needed },
		{ "sessions remapped, removed peers kept", test_remap },
		{ "cp_reload_run: rejected with FILE:LINE, unchanged", test_run_check },
	};

	if (test_suite("reload_diff", suite_init, suite_fini, tests, ARRAY_LEN(tests)) != 0)
		return 1;
	return test_run();
}
