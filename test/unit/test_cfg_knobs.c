/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit suite for cfg/cfg_knobs.c: the tunnel knobs of manual_sas[] and
 * peers[] (tcp_mss, mtu, df, dscp, ecn, ttl_decrement): every value read,
 * the defaults (all zero), and each error with its exact
 * "FILE:LINE: what is wrong (the value)" line.  No EAL needed.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "cfg/cfg.h"
#include "test/unit/test_eal.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define BASE "eal = [];\n" \
	"interfaces = ( { name = \"a\"; port = \"p0\"; address = \"10.0.0.1/24\"; } );\n" \
	"pki = { trustpoints = ( { name = \"CA\"; ca = \"/ca.pem\"; } ); };\n"	/* next: 4 */

/* A manual SA (lines 4-8) with KNOBS on line 8, IPv4 or IPv6 selectors. */
#define SA(ts, knobs) SA_(ts, knobs)
#define SA_(ts_l, ts_r, knobs) "manual_sas = (\n" \
	"  { name = \"m\"; local = \"10.0.0.1\"; remote = \"10.0.0.2\"; esp = \"null-sha1\";\n" \
	"    local_ts = [ \"" ts_l "\" ]; remote_ts = [ \"" ts_r "\" ]; spi_in = 0x1000; " \
	"spi_out = 0x1000; auth_key_in = \"000102030405060708090a0b0c0d0e0f10111213\";\n" \
	"    auth_key_out = \"000102030405060708090a0b0c0d0e0f10111213\";\n" \
	"    " knobs " } );\n"

/* A peer (lines 4-8) with KNOBS on line 8. */
#define PEER(ts, knobs) PEER_(ts, knobs)
#define PEER_(ts_l, ts_r, knobs) "peers = (\n" \
	"  { name = \"p\"; remote = \"10.0.0.2\"; trustpoint = \"CA\";\n" \
	"    ike_proposals = [ \"aes128-sha256-modp2048\" ]; esp_proposals = [ \"aes128gcm16\" ];\n" \
	"    local_ts = [ \"" ts_l "\" ]; remote_ts = [ \"" ts_r "\" ];\n" \
	"    " knobs " } );\n"

#define TS4 "192.168.10.0/24", "172.16.1.0/24"
#define TS6 "2001:db8:20::/64", "2001:db8:40::/64"

static void load_ok(const char *text, struct gw_cfg *cfg)
{
	char err[CFG_ERR_MAX] = "";

	if (cfg_load_string(text, "k.conf", cfg, err, sizeof(err)) != 0)
		fprintf(stderr, "\n  unexpected error: %s\n", err);
	CU_ASSERT_STRING_EQUAL_FATAL(err, "");
}

static void test_every_value(void)
{
	static const struct gw_tunnel_knobs all = {
		.tcp_mss = 1360, .mtu = 1400, .df = GW_DF_COPY, .ecn = GW_ECN_COMPAT,
		.dscp_fixed = true, .dscp = 46, .ttl_keep = true,
	};
	const char *knobs = "tcp_mss = 1360; mtu = 1400; df = \"copy\"; dscp = 46; "
			    "ecn = \"compat\"; ttl_decrement = false;";
	char text[2048];
	struct gw_cfg cfg;

	snprintf(text, sizeof(text), BASE SA(TS4, "%s"), knobs);
	load_ok(text, &cfg);
	CU_ASSERT_EQUAL_FATAL(cfg.n_manual_sas, 1);
	CU_ASSERT_EQUAL(memcmp(&cfg.manual_sas[0].knobs, &all, sizeof(all)), 0);
	cfg_free(&cfg);

	snprintf(text, sizeof(text), BASE PEER(TS4, "%s"), knobs);
	load_ok(text, &cfg);
	CU_ASSERT_EQUAL_FATAL(cfg.n_peers, 1);
	CU_ASSERT_EQUAL(memcmp(&cfg.peers[0].knobs, &all, sizeof(all)), 0);
	cfg_free(&cfg);

	/* The other words, the limits, and explicit defaults. */
	load_ok(BASE SA(TS6, "tcp_mss = 536; mtu = 1280; df = \"set\"; dscp = 0; ecn = \"normal\";"),
		&cfg);
	CU_ASSERT_EQUAL(cfg.manual_sas[0].knobs.tcp_mss, 536);
	CU_ASSERT_EQUAL(cfg.manual_sas[0].knobs.mtu, 1280);
	CU_ASSERT_EQUAL(cfg.manual_sas[0].knobs.df, GW_DF_SET);
	CU_ASSERT_TRUE(cfg.manual_sas[0].knobs.dscp_fixed);
	CU_ASSERT_EQUAL(cfg.manual_sas[0].knobs.dscp, 0);
	CU_ASSERT_EQUAL(cfg.manual_sas[0].knobs.ecn, GW_ECN_NORMAL);
	cfg_free(&cfg);
	load_ok(BASE PEER(TS4, "tcp_mss = 9000; mtu = 9000; df = \"clear\"; dscp = 63;"), &cfg);
	CU_ASSERT_EQUAL(cfg.peers[0].knobs.tcp_mss, 9000);
	CU_ASSERT_EQUAL(cfg.peers[0].knobs.mtu, 9000);
	CU_ASSERT_EQUAL(cfg.peers[0].knobs.dscp, 63);
	cfg_free(&cfg);
	load_ok(BASE PEER(TS4, "tcp_mss = 0; mtu = 576;"), &cfg);
	CU_ASSERT_EQUAL(cfg.peers[0].knobs.mtu, 576);
	cfg_free(&cfg);
}

/* Absent, "copy" and ttl_decrement = true are all zero: the defaults. */
static void test_defaults(void)
{
	static const struct gw_tunnel_knobs zero;
	struct gw_cfg cfg;

	load_ok(BASE SA(TS4, ""), &cfg);
	CU_ASSERT_EQUAL(memcmp(&cfg.manual_sas[0].knobs, &zero, sizeof(zero)), 0);
	cfg_free(&cfg);
	load_ok(BASE PEER(TS6, "dscp = \"copy\"; ttl_decrement = true; df = \"clear\";"), &cfg);
	CU_ASSERT_EQUAL(memcmp(&cfg.peers[0].knobs, &zero, sizeof(zero)), 0);
	cfg_free(&cfg);
}

struct err_case {
	const char *knobs;
	const char *want;		/* after "k.conf:" */
};

static void errors(const char *fmt_ts6, const char *fmt_ts4, const char *who)
{
	static const struct err_case cases[] = {
		{ "tcp_mss = 100;", "8: tcp_mss must be 0 (off) or between 536 and 9000 (100)" },
		{ "tcp_mss = 9001;", "8: tcp_mss must be 0 (off) or between 536 and 9000 (9001)" },
		{ "tcp_mss = -1;", "8: tcp_mss must not be negative (-1)" },
		{ "tcp_mss = \"1360\";", "8: tcp_mss must be an integer (\"1360\")" },
		{ "mtu = 575;", "8: mtu must be 0 (off) or between 576 and 9000 (575)" },
		{ "mtu = 65536;", "8: mtu must be 0 (off) or between 576 and 9000 (65536)" },
		{ "df = \"on\";", "8: df must be \"clear\", \"copy\" or \"set\" (on)" },
		{ "df = true;", "8: df must be a string (true)" },
		{ "dscp = 64;", "8: dscp must be between 0 and 63 (64)" },
		{ "dscp = \"cpy\";", "8: dscp must be \"copy\" or 0 to 63 (cpy)" },
		{ "dscp = 4.5;", "8: dscp must be \"copy\" or 0 to 63 (4.5)" },
		{ "ecn = \"rfc3168\";", "8: ecn must be \"normal\" or \"compat\" (rfc3168)" },
		{ "ttl_decrement = 1;", "8: ttl_decrement must be true or false (1)" },
		{ "mss = 1360;", "8: unknown key (mss)" },
	};
	char text[2048], err[CFG_ERR_MAX], want[CFG_ERR_MAX];
	struct gw_cfg cfg;

	for (unsigned i = 0; i < ARRAY_LEN(cases); i++) {
		snprintf(text, sizeof(text), fmt_ts4, cases[i].knobs);
		snprintf(want, sizeof(want), "k.conf:%s", cases[i].want);
		err[0] = '\0';
		CU_ASSERT_EQUAL(cfg_load_string(text, "k.conf", &cfg, err, sizeof(err)), -1);
		if (strcmp(err, want) != 0)
			fprintf(stderr, "\n  got  %s\n  want %s\n", err, want);
		CU_ASSERT_STRING_EQUAL(err, want);
	}
	/* An IPv6 tunnel's mtu: RFC 8200's minimum link MTU. */
	snprintf(text, sizeof(text), fmt_ts6, "mtu = 1279;");
	snprintf(want, sizeof(want),
		 "k.conf:8: %s: mtu must be at least 1280 with IPv6 selectors (1279)", who);
	CU_ASSERT_EQUAL(cfg_load_string(text, "k.conf", &cfg, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, want);
}

static void test_errors(void)
{
	errors(BASE SA(TS6, "%s"), BASE SA(TS4, "%s"), "manual SA \"m\"");
	errors(BASE PEER(TS6, "%s"), BASE PEER(TS4, "%s"), "peer \"p\"");
}

int main(void)
{
	static const struct test_case tests[] = {
		{ "every value, manual SA and peer", test_every_value },
		{ "defaults are zero", test_defaults },
		{ "error lines", test_errors },
	};

	if (test_suite("cfg_knobs", NULL, NULL, tests, ARRAY_LEN(tests)) != 0)
		return 1;
	return test_run();
}
