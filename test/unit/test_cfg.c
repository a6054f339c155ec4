/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit suite for cfg/: the 32-bit integer reader and the literal widening
 * in front of libconfig, every validator, every error path with its exact
 * "FILE:LINE: what (value)" line, and the example file.  No EAL needed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <rte_log.h>

#include "cfg/cfg.h"
#include "cfg/cfg_internal.h"
#include "test/unit/test_eal.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static bool cfg_is_zero(const struct gw_cfg *cfg)
{
	static const struct gw_cfg zero;

	return memcmp(cfg, &zero, sizeof(zero)) == 0;
}

/* ---- cfg_get_u32 through cfg_text_parse -------------------------------- */

struct u32_case {
	const char *text;	/* defines v */
	uint32_t min, max;
	const char *err;	/* NULL = accepted with value want */
	uint32_t want;
};

static const struct u32_case u32_cases[] = {
	{ "v = 1;", 0, UINT32_MAX, NULL, 1 },
	{ "v = 0;", 0, UINT32_MAX, NULL, 0 },
	/* libconfig keeps these hex literals as negative 32-bit ints */
	{ "v = 0xC0000000;", 0, UINT32_MAX, NULL, 0xC0000000u },
	{ "v = 0x80000000;", 0, UINT32_MAX, NULL, 0x80000000u },
	{ "v = 0xFFFFFFFF;", 0, UINT32_MAX, NULL, 0xFFFFFFFFu },
	{ "v = 0X7fffffff;", 0, UINT32_MAX, NULL, 0x7FFFFFFFu },
	/* libconfig alone would truncate these to -1073741824 and 0, 1 */
	{ "v = 0x1C0000000;", 0, UINT32_MAX, "t.conf:1: v does not fit in 32 bits (0x1C0000000)", 0 },
	{ "v = 0x100000000;", 0, UINT32_MAX, "t.conf:1: v does not fit in 32 bits (0x100000000)", 0 },
	{ "v = 4294967296;", 0, UINT32_MAX, "t.conf:1: v does not fit in 32 bits (4294967296)", 0 },
	{ "v = 4294967297;", 1, 16, "t.conf:1: v must be between 1 and 16 (4294967297)", 0 },
	/* decimal past INT32_MAX but within 32 bits reads exactly */
	{ "v = 3221225472;", 0, UINT32_MAX, NULL, 0xC0000000u },
	{ "v = 4294967295;", 0, UINT32_MAX, NULL, 0xFFFFFFFFu },
	{ "v = 2147483648;", 0, UINT32_MAX, NULL, 0x80000000u },
	/* negative decimal refused */
	{ "v = -1;", 0, UINT32_MAX, "t.conf:1: v must not be negative (-1)", 0 },
	{ "v = -2147483648;", 0, UINT32_MAX, "t.conf:1: v must not be negative (-2147483648)", 0 },
	{ "v = -3000000000;", 0, UINT32_MAX, "t.conf:1: v must not be negative (-3000000000)", 0 },
	{ "v = -1;", 1, 16, "t.conf:1: v must be between 1 and 16 (-1)", 0 },
	/* L suffix: INT64, accepted when it fits */
	{ "v = 0xC0000000L;", 0, UINT32_MAX, NULL, 0xC0000000u },
	{ "v = 4294967295L;", 0, UINT32_MAX, NULL, 0xFFFFFFFFu },
	{ "v = 16LL;", 1, 16, NULL, 16 },
	{ "v = 4294967296L;", 0, UINT32_MAX, "t.conf:1: v does not fit in 32 bits (4294967296)", 0 },
	{ "v = 0x1C0000000L;", 0, UINT32_MAX, "t.conf:1: v does not fit in 32 bits (0x1C0000000)", 0 },
	{ "v = 0x8000000000000000L;", 0, UINT32_MAX,
	  "t.conf:1: v does not fit in 32 bits (0x8000000000000000)", 0 },
	{ "v = 0xFFFFFFFFFFFFFFFF;", 1, 16, "t.conf:1: v must be between 1 and 16 (0xFFFFFFFFFFFFFFFF)", 0 },
	{ "v = -5L;", 0, UINT32_MAX, "t.conf:1: v must not be negative (-5)", 0 },
	/* past 64 bits: refused before libconfig saturates it */
	{ "v = 99999999999999999999;", 0, UINT32_MAX,
	  "t.conf:1: integer does not fit in 64 bits (99999999999999999999)", 0 },
	{ "v = 99999999999999999999L;", 0, UINT32_MAX,
	  "t.conf:1: integer does not fit in 64 bits (99999999999999999999L)", 0 },
	{ "v = 0x1FFFFFFFFFFFFFFFF;", 0, UINT32_MAX,
	  "t.conf:1: integer does not fit in 64 bits (0x1FFFFFFFFFFFFFFFF)", 0 },
	{ "v = -9223372036854775809L;", 0, UINT32_MAX,
	  "t.conf:1: integer does not fit in 64 bits (-9223372036854775809L)", 0 },
	/* range */
	{ "v = 7;", 10, 20, "t.conf:1: v must be between 10 and 20 (7)", 0 },
	{ "v = 21;", 10, 20, "t.conf:1: v must be between 10 and 20 (21)", 0 },
	{ "v = 0x14;", 10, 20, NULL, 20 },
	/* wrong types */
	{ "v = 1.5;", 0, UINT32_MAX, "t.conf:1: v must be an integer (1.5)", 0 },
	{ "v = 2.0;", 0, UINT32_MAX, "t.conf:1: v must be an integer (2.0)", 0 },
	{ "v = \"5\";", 0, UINT32_MAX, "t.conf:1: v must be an integer (\"5\")", 0 },
	{ "v = true;", 0, UINT32_MAX, "t.conf:1: v must be an integer (true)", 0 },
	{ "v = [ 1 ];", 0, UINT32_MAX, "t.conf:1: v must be an integer ([ ... ])", 0 },
	/* the widening leaves strings, comments, names and floats alone */
	{ "s = \"99999999999999999999\"; # 99999999999999999999\nv = 2;", 0, 9, NULL, 2 },
	{ "/* 0x1C0000000\n 99999999999999999999 */ v = 3;", 0, 9, NULL, 3 },
	{ "// 99999999999999999999\nv = 4;", 0, 9, NULL, 4 },
	{ "a99999999999 = 1; b-4294967296 = 2; v = 5;", 0, 9, NULL, 5 },
	{ "f = 12345678901.5; g = -4294967296e3; h = .4294967296; v = 6;", 0, 9, NULL, 6 },
	{ "s = \"a\\\"99999999999999999999\"; v = 7;", 0, 9, NULL, 7 },
	/* lines are kept */
	{ "\n\n# x\nv = 0x1C0000000;", 0, UINT32_MAX, "t.conf:4: v does not fit in 32 bits (0x1C0000000)", 0 },
	{ "/*\n\n*/\nv = 99999999999999999999;", 0, UINT32_MAX,
	  "t.conf:4: integer does not fit in 64 bits (99999999999999999999)", 0 },
	{ "s = \"\";\n\nv = 1; w = 99999999999999999999;", 0, 9,
	  "t.conf:3: integer does not fit in 64 bits (99999999999999999999)", 0 },
};

static void test_u32(void)
{
	for (size_t i = 0; i < ARRAY_LEN(u32_cases); i++) {
		const struct u32_case *c = &u32_cases[i];
		char err[CFG_ERR_MAX] = "";
		struct cfg_ctx ctx = { .file = "t.conf", .err = err, .errlen = sizeof(err) };
		uint32_t v = 0xdeadbeef;
		config_t cf;
		int rc = cfg_text_parse(&ctx, &cf, c->text);

		if (rc == 0) {
			const config_setting_t *s = config_lookup(&cf, "v");

			CU_ASSERT_PTR_NOT_NULL_FATAL(s);
			rc = cfg_get_u32(&ctx, s, c->min, c->max, &v);
			config_destroy(&cf);
		}
		if (c->err == NULL) {
			CU_ASSERT_EQUAL(rc, 0);
			CU_ASSERT_EQUAL(v, c->want);
			if (rc != 0 || v != c->want)
				fprintf(stderr, "\n  case %zu [%s]: rc %d v %#x err %s\n", i, c->text,
					rc, v, err);
		} else {
			CU_ASSERT_EQUAL(rc, -1);
			CU_ASSERT_STRING_EQUAL(err, c->err);
			CU_ASSERT_EQUAL(v, 0xdeadbeef);
			if (strcmp(err, c->err) != 0)
				fprintf(stderr, "\n  case %zu [%s]\n  want: %s\n  got:  %s\n", i,
					c->text, c->err, err);
		}
	}
}

/* The widened text keeps every other value exactly as libconfig reads it. */
static void test_widen_values(void)
{
	char err[CFG_ERR_MAX] = "";
	struct cfg_ctx ctx = { .file = "t.conf", .err = err, .errlen = sizeof(err) };
	const char *s = NULL;
	double f = 0;
	long long i64 = 0;
	int i32 = 0;
	config_t cf;

	CU_ASSERT_EQUAL_FATAL(cfg_text_parse(&ctx, &cf,
		"s = \"99999999999 # x\"; f = 12345678901.5; a = 5000000000; b = -7;"), 0);
	CU_ASSERT_TRUE(config_lookup_string(&cf, "s", &s));
	CU_ASSERT_STRING_EQUAL(s, "99999999999 # x");
	CU_ASSERT_TRUE(config_lookup_float(&cf, "f", &f));
	CU_ASSERT_DOUBLE_EQUAL(f, 12345678901.5, 1e-6);
	CU_ASSERT_EQUAL(config_setting_type(config_lookup(&cf, "a")), CONFIG_TYPE_INT64);
	CU_ASSERT_TRUE(config_lookup_int64(&cf, "a", &i64));
	CU_ASSERT_EQUAL(i64, 5000000000LL);
	CU_ASSERT_EQUAL(config_setting_type(config_lookup(&cf, "b")), CONFIG_TYPE_INT);
	CU_ASSERT_TRUE(config_lookup_int(&cf, "b", &i32));
	CU_ASSERT_EQUAL(i32, -7);
	config_destroy(&cf);
}

static void test_other_getters(void)
{
	char err[CFG_ERR_MAX] = "";
	struct cfg_ctx ctx = { .file = "t.conf", .err = err, .errlen = sizeof(err) };
	const char *str = NULL;
	bool b = false;
	config_t cf;

	CU_ASSERT_EQUAL_FATAL(cfg_text_parse(&ctx, &cf,
		"b = true; s = \"x\"; n = 1;\nl = ( 1, 2, 3 ); a = [ 1, 2 ]; g = { };"), 0);
	CU_ASSERT_EQUAL(cfg_get_bool(&ctx, config_lookup(&cf, "b"), &b), 0);
	CU_ASSERT_TRUE(b);
	CU_ASSERT_EQUAL(cfg_get_string(&ctx, config_lookup(&cf, "s"), &str), 0);
	CU_ASSERT_STRING_EQUAL(str, "x");
	CU_ASSERT_EQUAL(cfg_get_list(&ctx, config_lookup(&cf, "l"), false, 3), 0);
	CU_ASSERT_EQUAL(cfg_get_list(&ctx, config_lookup(&cf, "a"), true, 3), 0);
	CU_ASSERT_STRING_EQUAL(err, "");

	CU_ASSERT_EQUAL(cfg_get_bool(&ctx, config_lookup(&cf, "n"), &b), -1);
	CU_ASSERT_STRING_EQUAL(err, "t.conf:1: n must be true or false (1)");
	ctx.failed = false;
	CU_ASSERT_EQUAL(cfg_get_string(&ctx, config_lookup(&cf, "b"), &str), -1);
	CU_ASSERT_STRING_EQUAL(err, "t.conf:1: b must be a string (true)");
	ctx.failed = false;
	CU_ASSERT_EQUAL(cfg_get_list(&ctx, config_lookup(&cf, "l"), false, 2), -1);
	CU_ASSERT_STRING_EQUAL(err, "t.conf:2: l has more than 2 entries (3)");
	ctx.failed = false;
	CU_ASSERT_EQUAL(cfg_get_list(&ctx, config_lookup(&cf, "a"), false, 3), -1);
	CU_ASSERT_STRING_EQUAL(err, "t.conf:2: a must be a list ( ... ) ([ ... ])");
	ctx.failed = false;
	CU_ASSERT_EQUAL(cfg_get_list(&ctx, config_lookup(&cf, "g"), true, 3), -1);
	CU_ASSERT_STRING_EQUAL(err, "t.conf:2: g must be a list [ ... ] ({ ... })");
	/* the first error wins */
	CU_ASSERT_EQUAL(cfg_get_bool(&ctx, config_lookup(&cf, "s"), &b), -1);
	CU_ASSERT_STRING_EQUAL(err, "t.conf:2: g must be a list [ ... ] ({ ... })");
	config_destroy(&cf);
}

/* ---- pure validators ---------------------------------------------------- */

static void test_validate_names(void)
{
	CU_ASSERT_PTR_NULL(cfg_validate_name("outside"));
	CU_ASSERT_PTR_NULL(cfg_validate_name("A_b-9"));
	CU_ASSERT_PTR_NULL(cfg_validate_name("0123456789012345678901234567890"));	/* 31 */
	CU_ASSERT_PTR_NOT_NULL(cfg_validate_name("01234567890123456789012345678901"));	/* 32 */
	CU_ASSERT_PTR_NOT_NULL(cfg_validate_name(""));
	CU_ASSERT_PTR_NOT_NULL(cfg_validate_name("in side"));
	CU_ASSERT_PTR_NOT_NULL(cfg_validate_name("a.b"));
	CU_ASSERT_PTR_NOT_NULL(cfg_validate_name("a/b"));
	CU_ASSERT_PTR_NOT_NULL(cfg_validate_name("caf\xc3\xa9"));

	CU_ASSERT_PTR_NULL(cfg_validate_port("net_af_packet0"));
	CU_ASSERT_PTR_NULL(cfg_validate_port("net_tap-1"));
	CU_ASSERT_PTR_NULL(cfg_validate_port("0000:00:08.0"));
	CU_ASSERT_PTR_NULL(cfg_validate_port("00:1f.7"));
	CU_ASSERT_PTR_NULL(cfg_validate_port("ABCD:ef:01.2"));
	CU_ASSERT_PTR_NOT_NULL(cfg_validate_port("0000:00:08.8"));
	CU_ASSERT_PTR_NOT_NULL(cfg_validate_port("0000:00:08"));
	CU_ASSERT_PTR_NOT_NULL(cfg_validate_port("0000:00:08.0x"));
	CU_ASSERT_PTR_NOT_NULL(cfg_validate_port("0000:0g:08.0"));
	CU_ASSERT_PTR_NOT_NULL(cfg_validate_port(""));
	CU_ASSERT_PTR_NOT_NULL(cfg_validate_port("net af"));
	CU_ASSERT_PTR_NOT_NULL(cfg_validate_port("0net"));
	CU_ASSERT_PTR_NOT_NULL(cfg_validate_port("net_af_packet0,iface=x"));
	CU_ASSERT_PTR_NULL(cfg_validate_port(
		"a12345678901234567890123456789012345678901234567890123456789012"));	/* 63 */
	CU_ASSERT_PTR_NOT_NULL(cfg_validate_port(
		"a123456789012345678901234567890123456789012345678901234567890123"));	/* 64 */

	CU_ASSERT_PTR_NULL(cfg_validate_group_name("ipsecgw"));
	CU_ASSERT_PTR_NULL(cfg_validate_group_name("net.admin_2-x"));
	CU_ASSERT_PTR_NOT_NULL(cfg_validate_group_name(""));
	CU_ASSERT_PTR_NOT_NULL(cfg_validate_group_name("-wheel"));
	CU_ASSERT_PTR_NOT_NULL(cfg_validate_group_name("a b"));
	CU_ASSERT_PTR_NOT_NULL(cfg_validate_group_name("a:b"));
	CU_ASSERT_PTR_NOT_NULL(cfg_validate_group_name("01234567890123456789012345678901"));
}

static void test_validate_log_level(void)
{
	static const struct {
		const char *name;
		int level;
	} ok[] = {
		{ "emerg", RTE_LOG_EMERG }, { "alert", RTE_LOG_ALERT }, { "crit", RTE_LOG_CRIT },
		{ "err", RTE_LOG_ERR }, { "warning", RTE_LOG_WARNING },
		{ "notice", RTE_LOG_NOTICE }, { "info", RTE_LOG_INFO }, { "debug", RTE_LOG_DEBUG },
	};
	int level;

	for (size_t i = 0; i < ARRAY_LEN(ok); i++) {
		level = -1;
		CU_ASSERT_PTR_NULL(cfg_validate_log_level(ok[i].name, &level));
		CU_ASSERT_EQUAL(level, ok[i].level);
	}
	level = -1;
	CU_ASSERT_STRING_EQUAL(cfg_validate_log_level("INFO", &level),
			       "must be one of emerg alert crit err warning notice info debug");
	CU_ASSERT_PTR_NOT_NULL(cfg_validate_log_level("", &level));
	CU_ASSERT_PTR_NOT_NULL(cfg_validate_log_level("warn", &level));
	CU_ASSERT_PTR_NOT_NULL(cfg_validate_log_level("info ", &level));
	CU_ASSERT_EQUAL(level, -1);
}

static void test_validate_octal(void)
{
	static const struct {
		const char *s;
		unsigned want;
	} ok[] = {
		{ "0660", 0660 }, { "660", 0660 }, { "0", 0 }, { "0777", 0777 },
		{ "0000600", 0600 }, { "7", 07 },
	};
	static const char *const bad[] = { "", "0668", "8", "0o660", "-1", "+660", " 660",
					   "660 ", "0x1ff", "1000", "07777", "99999999999" };
	unsigned mode;

	for (size_t i = 0; i < ARRAY_LEN(ok); i++) {
		mode = 1234;
		CU_ASSERT_PTR_NULL(cfg_validate_octal_mode(ok[i].s, &mode));
		CU_ASSERT_EQUAL(mode, ok[i].want);
	}
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		mode = 1234;
		CU_ASSERT_PTR_NOT_NULL(cfg_validate_octal_mode(bad[i], &mode));
		CU_ASSERT_EQUAL(mode, 1234);
	}
	CU_ASSERT_STRING_EQUAL(cfg_validate_octal_mode("1000", &mode), "must be at most \"0777\"");
	CU_ASSERT_STRING_EQUAL(cfg_validate_octal_mode("068", &mode),
			       "must be a string of octal digits like \"0660\"");
}

static bool addr_ok(const char *s)
{
	struct gw_addr a;

	CU_ASSERT_EQUAL_FATAL(gw_addr_parse(s, &a), 0);
	return cfg_validate_unicast(&a) == NULL;
}

static bool iface_addr_ok(const char *s)
{
	struct gw_prefix p;

	CU_ASSERT_EQUAL_FATAL(gw_prefix_parse(s, &p), 0);
	return cfg_validate_iface_addr(&p) == NULL;
}

static void test_validate_addrs(void)
{
	struct gw_addr none = { 0 };

	CU_ASSERT_TRUE(addr_ok("10.0.0.1"));
	CU_ASSERT_TRUE(addr_ok("2001:db8::1"));
	CU_ASSERT_TRUE(addr_ok("fe80::1"));
	CU_ASSERT_FALSE(addr_ok("0.0.0.0"));
	CU_ASSERT_FALSE(addr_ok("255.255.255.255"));
	CU_ASSERT_FALSE(addr_ok("127.0.0.1"));
	CU_ASSERT_FALSE(addr_ok("224.0.0.5"));
	CU_ASSERT_FALSE(addr_ok("239.255.255.255"));
	CU_ASSERT_TRUE(addr_ok("223.255.255.255"));
	CU_ASSERT_TRUE(addr_ok("240.0.0.1"));
	CU_ASSERT_FALSE(addr_ok("::"));
	CU_ASSERT_FALSE(addr_ok("::1"));
	CU_ASSERT_FALSE(addr_ok("ff02::1"));
	CU_ASSERT_PTR_NOT_NULL(cfg_validate_unicast(&none));

	CU_ASSERT_TRUE(iface_addr_ok("10.10.0.1/24"));
	CU_ASSERT_TRUE(iface_addr_ok("10.10.0.254/24"));
	CU_ASSERT_FALSE(iface_addr_ok("10.10.0.0/24"));
	CU_ASSERT_FALSE(iface_addr_ok("10.10.0.255/24"));
	CU_ASSERT_FALSE(iface_addr_ok("10.10.0.4/30"));
	CU_ASSERT_TRUE(iface_addr_ok("10.10.0.5/30"));
	CU_ASSERT_FALSE(iface_addr_ok("10.10.0.7/30"));
	CU_ASSERT_TRUE(iface_addr_ok("10.10.0.0/31"));		/* RFC 3021 */
	CU_ASSERT_TRUE(iface_addr_ok("10.10.0.1/31"));
	CU_ASSERT_TRUE(iface_addr_ok("10.10.0.0/32"));
	CU_ASSERT_FALSE(iface_addr_ok("10.0.0.0/8"));
	CU_ASSERT_TRUE(iface_addr_ok("10.0.1.0/8"));
	CU_ASSERT_FALSE(iface_addr_ok("10.0.0.1/0"));
	CU_ASSERT_FALSE(iface_addr_ok("224.0.0.1/24"));
	CU_ASSERT_FALSE(iface_addr_ok("127.0.0.1/8"));
	CU_ASSERT_TRUE(iface_addr_ok("2001:db8::1/64"));
	CU_ASSERT_TRUE(iface_addr_ok("2001:db8::/64"));		/* rule is IPv4 only */
	CU_ASSERT_FALSE(iface_addr_ok("2001:db8::1/0"));
	CU_ASSERT_FALSE(iface_addr_ok("ff02::1/64"));
}

static void test_validate_mac_mtu(void)
{
	struct gw_mac m;

	CU_ASSERT_EQUAL_FATAL(gw_mac_parse("02:00:00:00:00:fe", &m), 0);
	CU_ASSERT_PTR_NULL(cfg_validate_mac(&m));
	CU_ASSERT_EQUAL_FATAL(gw_mac_parse("00:00:00:00:00:00", &m), 0);
	CU_ASSERT_STRING_EQUAL(cfg_validate_mac(&m), "must not be all zeros");
	CU_ASSERT_EQUAL_FATAL(gw_mac_parse("01:00:5e:00:00:01", &m), 0);
	CU_ASSERT_STRING_EQUAL(cfg_validate_mac(&m), "must be a unicast MAC address");
	CU_ASSERT_EQUAL_FATAL(gw_mac_parse("ff:ff:ff:ff:ff:ff", &m), 0);
	CU_ASSERT_PTR_NOT_NULL(cfg_validate_mac(&m));

	CU_ASSERT_PTR_NULL(cfg_validate_mtu(576, false));
	CU_ASSERT_PTR_NULL(cfg_validate_mtu(9000, true));
	CU_ASSERT_PTR_NULL(cfg_validate_mtu(1280, true));
	CU_ASSERT_PTR_NULL(cfg_validate_mtu(1279, false));
	CU_ASSERT_PTR_NOT_NULL(cfg_validate_mtu(1279, true));
	CU_ASSERT_PTR_NOT_NULL(cfg_validate_mtu(575, false));
	CU_ASSERT_PTR_NOT_NULL(cfg_validate_mtu(9001, false));
	CU_ASSERT_PTR_NOT_NULL(cfg_validate_mtu(0, false));
}

static void test_validate_framesz(void)
{
	char *none[] = { (char *)"--no-huge", (char *)"--vdev=net_tap0,framesz=99" };
	char *dflt[] = { (char *)"--vdev=net_af_packet0,iface=gw-out" };
	char *big[] = { (char *)"--vdev=net_af_packet0,iface=a,framesz=4096,blocksz=8192",
			(char *)"--vdev", (char *)"eth_af_packet1,framesz=8192,iface=b",
			(char *)"--vdev=net_af_packet2,framesz=1024" };
	char *bad[] = { (char *)"-m", (char *)"512", (char *)"--vdev",
			(char *)"net_af_packet0,framesz=4k" };
	char *empty[] = { (char *)"--vdev=net_af_packet0,framesz=" };
	unsigned fs = 1;
	int idx = 7;

	CU_ASSERT_PTR_NULL(cfg_validate_framesz(0, NULL, &fs, &idx));
	CU_ASSERT_EQUAL(fs, 0);
	CU_ASSERT_PTR_NULL(cfg_validate_framesz(2, none, &fs, &idx));
	CU_ASSERT_EQUAL(fs, 0);
	CU_ASSERT_PTR_NULL(cfg_validate_framesz(1, dflt, &fs, &idx));
	CU_ASSERT_EQUAL(fs, 2048);
	CU_ASSERT_PTR_NULL(cfg_validate_framesz(4, big, &fs, &idx));
	CU_ASSERT_EQUAL(fs, 8192);
	CU_ASSERT_EQUAL(idx, -1);
	CU_ASSERT_PTR_NOT_NULL(cfg_validate_framesz(4, bad, &fs, &idx));
	CU_ASSERT_EQUAL(idx, 3);
	CU_ASSERT_PTR_NOT_NULL(cfg_validate_framesz(1, empty, &fs, &idx));
	CU_ASSERT_EQUAL(idx, 0);
}

/* ---- whole configurations: accepted ------------------------------------- */

static void test_example_file(void)
{
	const char *path = test_srcpath("cfg/ipsecgw.conf");
	char err[CFG_ERR_MAX] = "";
	struct gw_cfg cfg;
	char buf[GW_PREFIX_STRLEN];

	CU_ASSERT_EQUAL_FATAL(cfg_load(path, &cfg, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_STRING_EQUAL(cfg.path, path);
	CU_ASSERT_EQUAL(cfg.eal_argc, 6);
	CU_ASSERT_STRING_EQUAL(cfg.eal_argv[0], "--no-huge");
	CU_ASSERT_STRING_EQUAL(cfg.eal_argv[5], "--vdev=net_af_packet1,iface=gw-in");
	CU_ASSERT_EQUAL(cfg.workers, 1);
	CU_ASSERT_EQUAL(cfg.log_level, RTE_LOG_INFO);
	CU_ASSERT_FALSE(cfg.worker_idle_backoff);
	CU_ASSERT_EQUAL(cfg.mbuf_data_size, 2048);
	CU_ASSERT_EQUAL_FATAL(cfg.n_ifaces, 2);
	CU_ASSERT_STRING_EQUAL(cfg.ifaces[0].name, "outside");
	CU_ASSERT_STRING_EQUAL(cfg.ifaces[0].port, "net_af_packet0");
	CU_ASSERT_EQUAL_FATAL(cfg.ifaces[0].n_addrs, 2);
	CU_ASSERT_STRING_EQUAL(gw_prefix_fmt(&cfg.ifaces[0].addrs[0], buf, sizeof(buf)),
			       "10.10.0.1/24");
	CU_ASSERT_STRING_EQUAL(gw_prefix_fmt(&cfg.ifaces[0].addrs[1], buf, sizeof(buf)),
			       "2001:db8:10::1/64");
	CU_ASSERT_EQUAL(cfg.ifaces[0].mtu, 0);
	CU_ASSERT_STRING_EQUAL(cfg.ifaces[1].name, "inside");
	CU_ASSERT_EQUAL_FATAL(cfg.ifaces[1].n_addrs, 1);
	CU_ASSERT_STRING_EQUAL(gw_prefix_fmt(&cfg.ifaces[1].addrs[0], buf, sizeof(buf)),
			       "192.168.10.1/24");
	CU_ASSERT_EQUAL_FATAL(cfg.n_routes, 1);
	CU_ASSERT_STRING_EQUAL(gw_prefix_fmt(&cfg.routes[0].prefix, buf, sizeof(buf)), "0.0.0.0/0");
	CU_ASSERT_STRING_EQUAL(gw_addr_fmt(&cfg.routes[0].via, buf, sizeof(buf)), "10.10.0.254");
	CU_ASSERT_EQUAL(cfg.routes[0].iface, 0);
	CU_ASSERT_EQUAL_FATAL(cfg.n_neighbors, 1);
	CU_ASSERT_STRING_EQUAL(gw_addr_fmt(&cfg.neighbors[0].addr, buf, sizeof(buf)), "10.10.0.254");
	CU_ASSERT_STRING_EQUAL(gw_mac_fmt(&cfg.neighbors[0].mac, buf, sizeof(buf)),
			       "02:00:00:00:00:fe");
	CU_ASSERT_EQUAL(cfg.neighbors[0].iface, 0);
	CU_ASSERT_TRUE(cfg.telemetry.has_mode);
	CU_ASSERT_EQUAL(cfg.telemetry.socket_mode, 0660);
	CU_ASSERT_STRING_EQUAL(cfg.telemetry.socket_group, "");
	CU_ASSERT_EQUAL(cfg_iface_find(&cfg, "inside"), 1);
	CU_ASSERT_EQUAL(cfg_iface_find(&cfg, "outside"), 0);
	CU_ASSERT_EQUAL(cfg_iface_find(&cfg, "nope"), -1);
	CU_ASSERT_EQUAL(cfg.pki.n_identities, 2);
	CU_ASSERT_EQUAL_FATAL(cfg.pki.n_trustpoints, 1);
	CU_ASSERT_STRING_EQUAL(cfg.pki.trustpoints[0].name, "LAB-CA");
	CU_ASSERT_STRING_EQUAL(cfg.pki.trustpoints[0].ca, test_srcpath("cfg/pki/ca.crt"));
	CU_ASSERT_EQUAL(cfg.pki.trustpoints[0].revocation_check, CFG_REVOCATION_CRL);
	CU_ASSERT_EQUAL(cfg.pki.trustpoints[0].n_crl_urls, 1);
	CU_ASSERT_TRUE(cfg.pki.trustpoints[0].crl_prefetch);
	CU_ASSERT_EQUAL(cfg.n_manual_sas, 0);
	CU_ASSERT_EQUAL_FATAL(cfg.n_policies, 1);
	CU_ASSERT_EQUAL(cfg.policies[0].action, CFG_POLICY_BYPASS);
	CU_ASSERT_FALSE(cfg.bench_no_replay_check);
	CU_ASSERT_EQUAL(cfg.crypto.ikev2.cookie_threshold, 512);
	CU_ASSERT_EQUAL_FATAL(cfg.n_peers, 1);
	CU_ASSERT_STRING_EQUAL(cfg.peers[0].name, "branch-a");
	CU_ASSERT_EQUAL(cfg.peers[0].remote_id.type, CFG_ID_DN);
	CU_ASSERT_EQUAL(cfg.peers[0].n_ike_proposals, 3);
	CU_ASSERT_EQUAL(cfg.peers[0].n_esp_proposals, 2);
	CU_ASSERT_EQUAL(cfg_peer_find(&cfg, "branch-a"), 0);
	cfg_free(&cfg);
	CU_ASSERT_TRUE(cfg_is_zero(&cfg));
	cfg_free(&cfg);		/* twice is harmless */
}

static const char full_text[] =
	"eal = ( \"--no-huge\", \"--vdev\", \"net_af_packet0,iface=x,framesz=4096\" );\n"
	"workers = 16L;\n"
	"log_level = \"debug\";\n"
	"worker_idle_backoff = true;\n"
	"mbuf_data_size = 0x1000;\n"
	"interfaces = (\n"
	"  { name = \"wan-1\"; port = \"0000:00:08.0\"; mtu = 1500;\n"
	"    address = ( \"10.0.0.1/24\", \"2001:db8:1::1/64\", \"10.0.1.0/31\" ); },\n"
	"  { name = \"lan_2\"; port = \"net_af_packet0\"; address = [ \"192.168.1.1/24\" ];\n"
	"    mtu = 1000; }\n"
	");\n"
	"routes = (\n"
	"  { prefix = \"::/0\"; via = \"2001:db8:1::fe\"; },\n"
	"  { prefix = \"172.16.0.0/12\"; interface = \"lan_2\"; },\n"
	"  { prefix = \"10.8.0.0/16\"; via = \"192.168.1.7\"; interface = \"lan_2\"; },\n"
	"  { prefix = \"0.0.0.0/0\"; via = \"10.0.0.254\"; }\n"
	");\n"
	"neighbors = (\n"
	"  { address = \"2001:db8:1::fe\"; mac = \"02:AA:bb:cc:dd:ee\"; },\n"
	"  { address = \"172.16.0.9\"; mac = \"02:00:00:00:00:09\"; interface = \"lan_2\"; },\n"
	"  { address = \"10.0.0.254\"; mac = \"02:00:00:00:00:fe\"; interface = \"lan_2\"; },\n"
	"  { address = \"10.0.0.254\"; mac = \"02:00:00:00:00:fe\"; }\n"
	");\n"
	"telemetry = { socket_group = \"adm\"; socket_mode = \"0640\"; };\n";

static void test_full_config(void)
{
	char err[CFG_ERR_MAX] = "";
	char buf[GW_PREFIX_STRLEN];
	struct gw_cfg cfg;

	CU_ASSERT_EQUAL_FATAL(cfg_load_string(full_text, "full.conf", &cfg, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(cfg.path, "full.conf");
	CU_ASSERT_EQUAL(cfg.eal_argc, 3);
	CU_ASSERT_EQUAL(cfg.workers, 16);
	CU_ASSERT_EQUAL(cfg.log_level, RTE_LOG_DEBUG);
	CU_ASSERT_TRUE(cfg.worker_idle_backoff);
	CU_ASSERT_EQUAL(cfg.mbuf_data_size, 4096);
	CU_ASSERT_EQUAL_FATAL(cfg.n_ifaces, 2);
	CU_ASSERT_EQUAL(cfg.ifaces[0].line, 7);
	CU_ASSERT_EQUAL(cfg.ifaces[0].n_addrs, 3);
	CU_ASSERT_EQUAL(cfg.ifaces[0].mtu, 1500);
	CU_ASSERT_EQUAL(cfg.ifaces[1].mtu, 1000);
	CU_ASSERT_STRING_EQUAL(cfg.ifaces[1].port, "net_af_packet0");
	CU_ASSERT_EQUAL_FATAL(cfg.n_routes, 4);
	CU_ASSERT_EQUAL(cfg.routes[0].iface, 0);
	CU_ASSERT_EQUAL(cfg.routes[0].line, 13);
	CU_ASSERT_EQUAL(cfg.routes[0].prefix.addr.family, AF_INET6);
	CU_ASSERT_EQUAL(cfg.routes[1].iface, 1);
	CU_ASSERT_EQUAL(cfg.routes[1].via.family, 0);
	CU_ASSERT_EQUAL(cfg.routes[2].iface, 1);
	CU_ASSERT_STRING_EQUAL(gw_addr_fmt(&cfg.routes[2].via, buf, sizeof(buf)), "192.168.1.7");
	CU_ASSERT_EQUAL(cfg.routes[3].iface, 0);
	CU_ASSERT_EQUAL_FATAL(cfg.n_neighbors, 4);
	CU_ASSERT_EQUAL(cfg.neighbors[0].iface, 0);
	CU_ASSERT_STRING_EQUAL(gw_mac_fmt(&cfg.neighbors[0].mac, buf, sizeof(buf)),
			       "02:aa:bb:cc:dd:ee");
	CU_ASSERT_EQUAL(cfg.neighbors[1].iface, 1);
	CU_ASSERT_EQUAL(cfg.neighbors[2].iface, 1);
	CU_ASSERT_EQUAL(cfg.neighbors[3].iface, 0);
	CU_ASSERT_EQUAL(cfg.neighbors[3].line, 22);
	CU_ASSERT_STRING_EQUAL(cfg.telemetry.socket_group, "adm");
	CU_ASSERT_EQUAL(cfg.telemetry.socket_mode, 0640);
	CU_ASSERT_TRUE(cfg.telemetry.has_mode);
	cfg_free(&cfg);
}

static void test_defaults(void)
{
	char err[CFG_ERR_MAX] = "";
	struct gw_cfg cfg;

	CU_ASSERT_EQUAL_FATAL(cfg_load_string(
		"eal = [];\ninterfaces = ( { name = \"a\"; port = \"p\"; address = \"10.0.0.1/24\"; } );\n"
		"routes = ();\nneighbors = ();\ntelemetry = {};\n",
		"d.conf", &cfg, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.eal_argc, 0);
	CU_ASSERT_EQUAL(cfg.workers, 1);
	CU_ASSERT_EQUAL(cfg.log_level, RTE_LOG_INFO);
	CU_ASSERT_FALSE(cfg.worker_idle_backoff);
	CU_ASSERT_EQUAL(cfg.mbuf_data_size, 2048);
	CU_ASSERT_EQUAL(cfg.n_ifaces, 1);
	CU_ASSERT_EQUAL(cfg.ifaces[0].line, 2);
	CU_ASSERT_EQUAL(cfg.ifaces[0].mtu, 0);
	CU_ASSERT_EQUAL(cfg.n_routes, 0);
	CU_ASSERT_PTR_NULL(cfg.routes);
	CU_ASSERT_EQUAL(cfg.n_neighbors, 0);
	CU_ASSERT_PTR_NULL(cfg.neighbors);
	CU_ASSERT_FALSE(cfg.telemetry.has_mode);
	CU_ASSERT_STRING_EQUAL(cfg.telemetry.socket_group, "");
	cfg_free(&cfg);
}

/* The most that the limits allow still loads. */
static void test_limits(void)
{
	size_t cap = 400000, n = 0;
	char *text = malloc(cap);
	char err[CFG_ERR_MAX] = "";
	struct gw_cfg cfg;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	n += (size_t)snprintf(text + n, cap - n, "eal = [");
	for (int i = 0; i < CFG_MAX_EAL_ARGS; i++)
		n += (size_t)snprintf(text + n, cap - n, "%s\"-a%d\"", i ? ", " : "", i);
	n += (size_t)snprintf(text + n, cap - n, "];\ninterfaces = (");
	for (int i = 0; i < CFG_MAX_IFACES; i++)
		n += (size_t)snprintf(text + n, cap - n,
			"%s{ name = \"i%d\"; port = \"p%d\"; address = [ \"10.%d.0.1/16\", "
			"\"10.%d.1.1/24\", \"10.%d.2.1/24\", \"2001:db8:%d::1/64\" ]; }",
			i ? ", " : "", i, i, i, i + 100, i + 100, i);
	n += (size_t)snprintf(text + n, cap - n, ");\nroutes = (");
	for (int i = 0; i < CFG_MAX_ROUTES; i++)
		n += (size_t)snprintf(text + n, cap - n,
			"%s{ prefix = \"172.%d.%d.0/24\"; via = \"10.0.0.%d\"; }",
			i ? ", " : "", 16 + i / 256, i % 256, 2 + i % 200);
	n += (size_t)snprintf(text + n, cap - n, ");\nneighbors = (");
	for (int i = 0; i < CFG_MAX_NEIGHBORS; i++)
		n += (size_t)snprintf(text + n, cap - n,
			"%s{ address = \"10.1.%d.%d\"; mac = \"02:00:00:00:%02x:%02x\"; }",
			i ? ", " : "", i / 250, 2 + i % 250, i / 256, i % 256);
	snprintf(text + n, cap - n, ");\n");
	CU_ASSERT_TRUE_FATAL(n < cap - 8);
	CU_ASSERT_EQUAL(cfg_load_string(text, "big.conf", &cfg, err, sizeof(err)), 0);
	if (err[0] != '\0')
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_EQUAL(cfg.eal_argc, CFG_MAX_EAL_ARGS);
	CU_ASSERT_EQUAL(cfg.n_ifaces, CFG_MAX_IFACES);
	CU_ASSERT_EQUAL(cfg.n_routes, CFG_MAX_ROUTES);
	CU_ASSERT_EQUAL(cfg.n_neighbors, CFG_MAX_NEIGHBORS);
	CU_ASSERT_EQUAL(cfg.neighbors[CFG_MAX_NEIGHBORS - 1].iface, 1);
	cfg_free(&cfg);
	free(text);
}

/* ---- whole configurations: refused, with the exact line ------------------ */

struct err_case {
	const char *text;
	const char *err;
};

#define EAL "eal = [];\n"
#define IF_A "interfaces = ( { name = \"a\"; port = \"p0\"; address = \"10.0.0.1/24\"; } );\n"
#define IF_AB \
	"interfaces = ( { name = \"a\"; port = \"p0\"; address = \"10.0.0.1/24\"; },\n" \
	"  { name = \"b\"; port = \"p1\"; address = [ \"192.168.1.1/24\", \"2001:db8:1::1/64\" ]; } );\n"
#define BASE EAL IF_A		/* next line is 3 */
#define BASE2 EAL IF_AB		/* next line is 4 */
#define IF(body) EAL "interfaces = (\n" body "\n);\n"	/* body starts on line 3 */

static const struct err_case err_cases[] = {
	/* top level */
	{ "", "x.conf:1: missing required key (eal)" },
	{ "# nothing\n\n", "x.conf:1: missing required key (eal)" },
	{ EAL, "x.conf:1: missing required key (interfaces)" },
	{ IF_A, "x.conf:1: missing required key (eal)" },
	{ BASE "intrefaces = 1;\n", "x.conf:3: unknown key (intrefaces)" },
	{ BASE "\n\nWorkers = 2;\n", "x.conf:5: unknown key (Workers)" },
	{ BASE "workers = 0;\n", "x.conf:3: workers must be between 1 and 16 (0)" },
	{ BASE "workers = 17;\n", "x.conf:3: workers must be between 1 and 16 (17)" },
	{ BASE "workers = -1;\n", "x.conf:3: workers must be between 1 and 16 (-1)" },
	{ BASE "workers = 0x1C0000000;\n", "x.conf:3: workers must be between 1 and 16 (0x1C0000000)" },
	{ BASE "workers = 4294967297;\n", "x.conf:3: workers must be between 1 and 16 (4294967297)" },
	{ BASE "workers = \"2\";\n", "x.conf:3: workers must be an integer (\"2\")" },
	{ BASE "workers = 2.0;\n", "x.conf:3: workers must be an integer (2.0)" },
	{ BASE "log_level = \"verbose\";\n",
	  "x.conf:3: log_level must be one of emerg alert crit err warning notice info debug (verbose)" },
	{ BASE "log_level = 7;\n", "x.conf:3: log_level must be a string (7)" },
	{ BASE "worker_idle_backoff = 1;\n", "x.conf:3: worker_idle_backoff must be true or false (1)" },
	{ BASE "worker_idle_backoff = \"yes\";\n",
	  "x.conf:3: worker_idle_backoff must be true or false (\"yes\")" },
	{ BASE "mbuf_data_size = 1024;\n", "x.conf:3: mbuf_data_size must be between 2048 and 16384 (1024)" },
	{ BASE "mbuf_data_size = 16385;\n",
	  "x.conf:3: mbuf_data_size must be between 2048 and 16384 (16385)" },
	{ "eal = [ \"--vdev=net_af_packet0,iface=x,framesz=4096\" ];\n" IF_A,
	  "x.conf:1: mbuf_data_size must be at least the af_packet framesz 4096 (2048)" },
	{ "eal = [ \"--vdev=net_af_packet0,iface=x,framesz=4096\" ];\n" IF_A "mbuf_data_size = 3000;\n",
	  "x.conf:3: mbuf_data_size must be at least the af_packet framesz 4096 (3000)" },
	{ "eal = (\n \"-m\",\n \"--vdev=net_af_packet0,framesz=abc\"\n);\n" IF_A,
	  "x.conf:3: eal argument has an af_packet framesz that is not a number "
	  "(--vdev=net_af_packet0,framesz=abc)" },
	{ "eal = \"--no-huge\";\n" IF_A, "x.conf:1: eal must be a list [ ... ] (\"--no-huge\")" },
	{ "eal = { a = 1; };\n" IF_A, "x.conf:1: eal must be a list [ ... ] ({ ... })" },
	{ "eal = [ 1 ];\n" IF_A, "x.conf:1: eal entry must be a string (1)" },
	{ "eal = ( \"a\",\n ( \"b\" ) );\n" IF_A, "x.conf:2: eal entry must be a string (( ... ))" },
	{ "eal = [ \"a\", \"\" ];\n" IF_A, "x.conf:1: eal argument must not be empty (\"\")" },
	/* interfaces */
	{ EAL "interfaces = ();\n", "x.conf:2: interfaces must list at least one interface (0 entries)" },
	{ EAL "interfaces = { name = \"a\"; };\n", "x.conf:2: interfaces must be a list ( ... ) ({ ... })" },
	{ EAL "interfaces = [ \"a\" ];\n", "x.conf:2: interfaces must be a list ( ... ) ([ ... ])" },
	{ EAL "interfaces = ( \"a\" );\n", "x.conf:2: interfaces entry must be a group { ... } (\"a\")" },
	{ IF("{ port = \"p0\"; address = \"10.0.0.1/24\"; }"), "x.conf:3: missing required key (name)" },
	{ IF("{ name = \"a\";\n address = \"10.0.0.1/24\"; }"), "x.conf:3: missing required key (port)" },
	{ IF("{ name = \"a\"; port = \"p0\"; }"), "x.conf:3: missing required key (address)" },
	{ IF("{ name = \"a\"; port = \"p0\";\n  adress = \"10.0.0.1/24\"; }"), "x.conf:4: unknown key (adress)" },
	{ IF("{ name = \"in side\"; port = \"p0\"; address = \"10.0.0.1/24\"; }"),
	  "x.conf:3: interface name must be 1 to 31 characters from A-Z a-z 0-9 _ - (in side)" },
	{ IF("{ name = \"01234567890123456789012345678901\"; port = \"p0\"; address = \"10.0.0.1/24\"; }"),
	  "x.conf:3: interface name must be 1 to 31 characters from A-Z a-z 0-9 _ - "
	  "(01234567890123456789012345678901)" },
	{ IF("{ name = \"a\\nb\"; port = \"p0\"; address = \"10.0.0.1/24\"; }"),
	  "x.conf:3: interface name must be 1 to 31 characters from A-Z a-z 0-9 _ - (a?b)" },
	{ IF("{ name = 5; port = \"p0\"; address = \"10.0.0.1/24\"; }"),
	  "x.conf:3: name must be a string (5)" },
	{ IF("{ name = \"a\"; port = \"p0\"; address = \"10.0.0.1/24\"; },\n"
	     "{ name = \"a\"; port = \"p1\"; address = \"10.1.0.1/24\"; }"),
	  "x.conf:4: duplicate interface name (a)" },
	{ IF("{ name = \"a\"; port = \"net af\"; address = \"10.0.0.1/24\"; }"),
	  "x.conf:3: interface port must be a DPDK device name like net_af_packet0 or a PCI address "
	  "(net af)" },
	{ IF("{ name = \"a\"; port = \"0000:00:08\"; address = \"10.0.0.1/24\"; }"),
	  "x.conf:3: interface port must be a PCI address like 0000:00:08.0 or a DPDK device name "
	  "(0000:00:08)" },
	{ IF("{ name = \"a\"; port = \"p0\"; address = \"10.0.0.1/24\"; },\n"
	     "{ name = \"b\";\n port = \"p0\"; address = \"10.1.0.1/24\"; }"),
	  "x.conf:5: port is already used by interface a (p0)" },
	{ IF("{ name = \"a\"; port = \"p0\"; address = \"10.0.0.1\"; }"),
	  "x.conf:3: interface address must be a prefix like 10.0.0.1/24 (10.0.0.1)" },
	{ IF("{ name = \"a\"; port = \"p0\"; address = \"10.0.0.1/33\"; }"),
	  "x.conf:3: interface address must be a prefix like 10.0.0.1/24 (10.0.0.1/33)" },
	{ IF("{ name = \"a\"; port = \"p0\"; address = \"10.0.0.0/24\"; }"),
	  "x.conf:3: interface address must not be the subnet's own address (host part all zero) "
	  "(10.0.0.0/24)" },
	{ IF("{ name = \"a\"; port = \"p0\"; address = \"10.0.0.255/24\"; }"),
	  "x.conf:3: interface address must not be the subnet's broadcast address (10.0.0.255/24)" },
	{ IF("{ name = \"a\"; port = \"p0\"; address = \"224.0.0.1/24\"; }"),
	  "x.conf:3: interface address must be a unicast address (224.0.0.1/24)" },
	{ IF("{ name = \"a\"; port = \"p0\"; address = \"10.0.0.1/0\"; }"),
	  "x.conf:3: interface address must have a prefix length above 0 (10.0.0.1/0)" },
	{ IF("{ name = \"a\"; port = \"p0\"; address = 5; }"),
	  "x.conf:3: interface address must be a prefix string or a list of them (5)" },
	{ IF("{ name = \"a\"; port = \"p0\"; address = []; }"),
	  "x.conf:3: interface address list is empty (0 entries)" },
	{ IF("{ name = \"a\"; port = \"p0\";\n address = [ \"10.0.0.1/24\", \"10.0.1.1/24\", "
	     "\"10.0.2.1/24\", \"10.0.3.1/24\", \"10.0.4.1/24\" ]; }"),
	  "x.conf:4: address has more than 4 entries (5)" },
	{ IF("{ name = \"a\"; port = \"p0\"; address = ( \"10.0.0.1/24\",\n \"10.0.0.1/16\" ); }"),
	  "x.conf:4: duplicate interface address (10.0.0.1/16)" },
	{ IF("{ name = \"a\"; port = \"p0\"; address = ( \"10.0.0.1/24\",\n 7 ); }"),
	  "x.conf:4: address entry must be a string (7)" },
	{ IF("{ name = \"a\"; port = \"p0\"; address = \"10.0.0.1/24\"; },\n"
	     "{ name = \"b\"; port = \"p1\"; address = [ \"192.168.0.1/24\", \"10.0.0.2/16\" ]; }"),
	  "x.conf:4: address overlaps the subnet of interface a (10.0.0.2/16)" },
	{ IF("{ name = \"a\"; port = \"p0\"; address = \"10.0.0.1/24\"; },\n"
	     "{ name = \"b\"; port = \"p1\"; address = \"10.0.0.129/25\"; }"),
	  "x.conf:4: address overlaps the subnet of interface a (10.0.0.129/25)" },
	{ IF("{ name = \"a\"; port = \"p0\"; address = \"10.0.0.1/24\"; mtu = 100; }"),
	  "x.conf:3: mtu must be between 576 and 9000 (100)" },
	{ IF("{ name = \"a\"; port = \"p0\"; address = \"10.0.0.1/24\"; mtu = 9001; }"),
	  "x.conf:3: mtu must be between 576 and 9000 (9001)" },
	{ IF("{ name = \"a\"; port = \"p0\";\n address = [ \"10.0.0.1/24\", \"2001:db8::1/64\" ];\n"
	     " mtu = 1000; }"),
	  "x.conf:5: mtu must be at least 1280 on an interface with an IPv6 address (1000)" },
	{ IF("{ name = \"a\"; port = \"p0\"; address = \"10.0.0.1/24\"; },\n"
	     "{ name = \"b\"; port = \"p1\"; address = \"10.1.0.1/24\"; },\n"
	     "{ name = \"c\"; port = \"p2\"; address = \"10.2.0.1/24\"; },\n"
	     "{ name = \"d\"; port = \"p3\"; address = \"10.3.0.1/24\"; },\n"
	     "{ name = \"e\"; port = \"p4\"; address = \"10.4.0.1/24\"; },\n"
	     "{ name = \"f\"; port = \"p5\"; address = \"10.5.0.1/24\"; },\n"
	     "{ name = \"g\"; port = \"p6\"; address = \"10.6.0.1/24\"; },\n"
	     "{ name = \"h\"; port = \"p7\"; address = \"10.7.0.1/24\"; },\n"
	     "{ name = \"i\"; port = \"p8\"; address = \"10.8.0.1/24\"; }"),
	  "x.conf:2: interfaces has more than 8 entries (9)" },
	/* routes */
	{ BASE "routes = { prefix = \"0.0.0.0/0\"; };\n", "x.conf:3: routes must be a list ( ... ) ({ ... })" },
	{ BASE "routes = ( 1 );\n", "x.conf:3: routes entry must be a group { ... } (1)" },
	{ BASE "routes = (\n { via = \"10.0.0.254\"; } );\n", "x.conf:4: missing required key (prefix)" },
	{ BASE "routes = ( { prefix = \"0.0.0.0/0\";\n gateway = \"10.0.0.254\"; } );\n",
	  "x.conf:4: unknown key (gateway)" },
	{ BASE "routes = ( { prefix = \"10.0.0.1/8\"; via = \"10.0.0.254\"; } );\n",
	  "x.conf:3: route prefix has host bits set (10.0.0.1/8)" },
	{ BASE "routes = ( { prefix = \"2001:db8::1/32\"; interface = \"a\"; } );\n",
	  "x.conf:3: route prefix has host bits set (2001:db8::1/32)" },
	{ BASE "routes = ( { prefix = \"10.0.0.0\"; via = \"10.0.0.254\"; } );\n",
	  "x.conf:3: route prefix must be a prefix like 10.0.0.0/8 (10.0.0.0)" },
	{ BASE "routes = ( { prefix = \"0.0.0.0/0\"; via = \"10.0.0.300\"; } );\n",
	  "x.conf:3: route via must be an IP address (10.0.0.300)" },
	{ BASE "routes = ( { prefix = \"0.0.0.0/0\"; via = \"10.0.0.254/24\"; } );\n",
	  "x.conf:3: route via must be an IP address (10.0.0.254/24)" },
	{ BASE "routes = ( { prefix = \"0.0.0.0/0\"; via = \"224.0.0.5\"; } );\n",
	  "x.conf:3: route via must be a unicast address (224.0.0.5)" },
	{ BASE2 "routes = ( { prefix = \"0.0.0.0/0\";\n via = \"2001:db8:1::fe\"; } );\n",
	  "x.conf:5: route via is not of the prefix's address family (2001:db8:1::fe)" },
	{ BASE "routes = ( { prefix = \"0.0.0.0/0\"; via = \"10.9.9.9\"; } );\n",
	  "x.conf:3: route via is not in a connected subnet (10.9.9.9)" },
	{ BASE "routes = ( { prefix = \"0.0.0.0/0\"; via = \"10.0.0.1\"; } );\n",
	  "x.conf:3: route via is one of the gateway's own addresses (10.0.0.1)" },
	{ BASE "routes = ( { prefix = \"0.0.0.0/0\"; interface = \"nope\"; } );\n",
	  "x.conf:3: route interface is not a configured interface (nope)" },
	{ BASE "routes = (\n { prefix = \"10.1.0.0/16\"; } );\n",
	  "x.conf:4: route without via needs an interface (10.1.0.0/16)" },
	{ BASE2 "routes = ( { prefix = \"10.8.0.0/16\";\n via = \"10.0.0.254\";\n interface = \"b\"; } );\n",
	  "x.conf:5: route via is not in a connected subnet of interface b (10.0.0.254)" },
	{ BASE "routes = ( { prefix = \"0.0.0.0/0\"; via = \"10.0.0.254\"; },\n"
	  " { prefix = \"0.0.0.0/0\"; via = \"10.0.0.253\"; } );\n",
	  "x.conf:4: duplicate route, first at line 3 (0.0.0.0/0)" },
	{ BASE "routes = ( { prefix = 0; via = \"10.0.0.254\"; } );\n", "x.conf:3: prefix must be a string (0)" },
	/* neighbors */
	{ BASE "neighbors = ( { address = \"10.0.0.9\";\n } );\n", "x.conf:3: missing required key (mac)" },
	{ BASE "neighbors = (\n { mac = \"02:00:00:00:00:09\"; } );\n", "x.conf:4: missing required key (address)" },
	{ BASE "neighbors = ( { address = \"10.0.0.9\"; mac = \"02:00:00:00:00:09\";\n lladdr = 1; } );\n",
	  "x.conf:4: unknown key (lladdr)" },
	{ BASE "neighbors = ( { address = \"10.0.0.9\"; mac = \"02:00:00:00:00\"; } );\n",
	  "x.conf:3: neighbor mac must be a MAC address like 02:00:00:00:00:fe (02:00:00:00:00)" },
	{ BASE "neighbors = ( { address = \"10.0.0.9\"; mac = \"02-00-00-00-00-09\"; } );\n",
	  "x.conf:3: neighbor mac must be a MAC address like 02:00:00:00:00:fe (02-00-00-00-00-09)" },
	{ BASE "neighbors = ( { address = \"10.0.0.9\"; mac = \"01:00:5e:00:00:01\"; } );\n",
	  "x.conf:3: neighbor mac must be a unicast MAC address (01:00:5e:00:00:01)" },
	{ BASE "neighbors = ( { address = \"10.0.0.9\"; mac = \"00:00:00:00:00:00\"; } );\n",
	  "x.conf:3: neighbor mac must not be all zeros (00:00:00:00:00:00)" },
	{ BASE "neighbors = ( { address = \"10.0.0.9/24\"; mac = \"02:00:00:00:00:09\"; } );\n",
	  "x.conf:3: neighbor address must be an IP address (10.0.0.9/24)" },
	{ BASE "neighbors = ( { address = \"10.0.0.255\"; mac = \"02:00:00:00:00:09\"; },\n"
	  "{ address = \"255.255.255.255\"; mac = \"02:00:00:00:00:09\"; } );\n",
	  "x.conf:4: neighbor address must be a unicast address (255.255.255.255)" },
	{ BASE "neighbors = ( { mac = \"02:00:00:00:00:09\";\n address = \"10.9.9.9\"; } );\n",
	  "x.conf:4: neighbor address is not in a connected subnet (10.9.9.9)" },
	{ BASE "neighbors = ( { address = \"10.0.0.1\"; mac = \"02:00:00:00:00:09\"; } );\n",
	  "x.conf:3: neighbor address is one of the gateway's own addresses (10.0.0.1)" },
	{ BASE "neighbors = ( { address = \"10.0.0.9\"; mac = \"02:00:00:00:00:09\"; interface = \"x\"; } );\n",
	  "x.conf:3: neighbor interface is not a configured interface (x)" },
	{ BASE "neighbors = ( { address = \"10.0.0.9\"; mac = \"02:00:00:00:00:09\"; },\n"
	  "  { address = \"10.0.0.9\"; mac = \"02:00:00:00:00:0a\"; interface = \"a\"; } );\n",
	  "x.conf:4: duplicate neighbor, first at line 3 (10.0.0.9)" },
	{ BASE "neighbors = [ \"10.0.0.9\" ];\n", "x.conf:3: neighbors must be a list ( ... ) ([ ... ])" },
	/* telemetry */
	{ BASE "telemetry = 1;\n", "x.conf:3: telemetry must be a group { ... } (1)" },
	{ BASE "telemetry = ( { socket_mode = \"0660\"; } );\n",
	  "x.conf:3: telemetry must be a group { ... } (( ... ))" },
	{ BASE "telemetry = {\n socket_owner = \"root\"; };\n", "x.conf:4: unknown key (socket_owner)" },
	{ BASE "telemetry = { socket_mode = 0660; };\n",
	  "x.conf:3: socket_mode must be a string like \"0660\": libconfig has no octal, so a bare "
	  "0660 is read as decimal 660 (660)" },
	{ BASE "telemetry = { socket_mode = 0x1B0; };\n",
	  "x.conf:3: socket_mode must be a string like \"0660\": libconfig has no octal, so a bare "
	  "0660 is read as decimal 660 (0x1B0)" },
	{ BASE "telemetry = { socket_mode = 432L; };\n",
	  "x.conf:3: socket_mode must be a string like \"0660\": libconfig has no octal, so a bare "
	  "0660 is read as decimal 660 (432)" },
	{ BASE "telemetry = { socket_mode = \"0668\"; };\n",
	  "x.conf:3: socket_mode must be a string of octal digits like \"0660\" (0668)" },
	{ BASE "telemetry = { socket_mode = \"\"; };\n",
	  "x.conf:3: socket_mode must be a string of octal digits like \"0660\" ()" },
	{ BASE "telemetry = { socket_mode = \"1777\"; };\n",
	  "x.conf:3: socket_mode must be at most \"0777\" (1777)" },
	{ BASE "telemetry = { socket_mode = true; };\n", "x.conf:3: socket_mode must be a string (true)" },
	{ BASE "telemetry = { socket_group = \"bad group\"; };\n",
	  "x.conf:3: socket_group must be a group name of 1 to 31 characters from A-Z a-z 0-9 _ . - "
	  "(bad group)" },
	{ BASE "telemetry = { socket_group = 5; };\n", "x.conf:3: socket_group must be a string (5)" },
	/* syntax, as libconfig reports it */
	{ "workers = ;\n", "x.conf:1: syntax error (syntax error)" },
	{ BASE "workers = 1;\nlog_level = = \"info\";\n", "x.conf:4: syntax error (syntax error)" },
	{ BASE "workers = 1;\nworkers = 2;\n", "x.conf:4: syntax error (duplicate setting name)" },
	{ EAL "interfaces = ( { name = \"a\"; port = \"p0\";\n name = \"b\"; } );\n",
	  "x.conf:3: syntax error (duplicate setting name)" },
	{ BASE "telemetry = { socket_mode = \"0660\";\n  socket_mode = \"0600\"; };\n",
	  "x.conf:4: syntax error (duplicate setting name)" },
	{ "eal = [ \"a\", 1 ];\n", "x.conf:1: syntax error (mismatched element type in array)" },
	/* a 64-bit literal is INT64, so it cannot share an array with 32-bit ones */
	{ "a = [ 1,\n 4294967296 ];\n", "x.conf:2: syntax error (mismatched element type in array)" },
	/* string list elements keep their own line (see cfg_scan_pull_punct) */
	{ IF("{ name = \"a\"; port = \"p0\"; address = [\n \"10.0.0.1/24\",\n \"10.0.0.0/24\" # net )\n\n ]; }"),
	  "x.conf:5: interface address must not be the subnet's own address (host part all zero) "
	  "(10.0.0.0/24)" },
	{ "eal = (\n \"-m\" /* ] */\n ,\n \"\"\n\n);\n" IF_A,
	  "x.conf:4: eal argument must not be empty (\"\")" },
	{ IF("{ name = \"o\"\n \"ut side\"; port = \"p0\"; address = \"10.0.0.1/24\"; }"),
	  "x.conf:3: interface name must be 1 to 31 characters from A-Z a-z 0-9 _ - (out side)" },
	/* libconfig reports an unterminated string where the input ends */
	{ "eal = [ \"unterminated ];\n", "x.conf:2: syntax error (syntax error)" },
	{ BASE "@include \"/etc/passwd\"\n", "x.conf:3: @include is not supported (@include \"/etc/passwd\")" },
	{ BASE "\nworkers = 99999999999999999999;\n",
	  "x.conf:4: integer does not fit in 64 bits (99999999999999999999)" },
};

static void test_errors(void)
{
	for (size_t i = 0; i < ARRAY_LEN(err_cases); i++) {
		const struct err_case *c = &err_cases[i];
		char err[CFG_ERR_MAX] = "";
		struct gw_cfg cfg;
		int rc = cfg_load_string(c->text, "x.conf", &cfg, err, sizeof(err));

		CU_ASSERT_EQUAL(rc, -1);
		CU_ASSERT_STRING_EQUAL(err, c->err);
		CU_ASSERT_PTR_NULL(strchr(err, '\n'));
		CU_ASSERT_TRUE(cfg_is_zero(&cfg));
		if (rc != -1 || strcmp(err, c->err) != 0)
			fprintf(stderr, "\n  case %zu:\n%s  want: %s\n  got:  %s (rc %d)\n", i, c->text,
				c->err, err, rc);
	}
}

/* Too many entries: generated, since the texts are long. */
static void test_too_many(void)
{
	char *text = malloc(4096);
	char err[CFG_ERR_MAX] = "";
	struct gw_cfg cfg;
	size_t n = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	n += (size_t)snprintf(text + n, 4096 - n, "eal = [");
	for (int i = 0; i <= CFG_MAX_EAL_ARGS; i++)
		n += (size_t)snprintf(text + n, 4096 - n, "%s\"-x\"", i ? ", " : "");
	snprintf(text + n, 4096 - n, "];\n" IF_A);
	CU_ASSERT_EQUAL(cfg_load_string(text, "x.conf", &cfg, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "x.conf:1: eal has more than 64 entries (65)");
	CU_ASSERT_TRUE(cfg_is_zero(&cfg));
	free(text);
}

/* Errors after partial success (strdup'd eal, allocated routes) leak nothing:
 * run under valgrind --leak-check=full to see it. */
static void test_error_after_allocation(void)
{
	char err[CFG_ERR_MAX] = "";
	struct gw_cfg cfg;

	CU_ASSERT_EQUAL(cfg_load_string(
		"eal = [ \"a\", \"b\" ];\n" IF_A
		"routes = ( { prefix = \"0.0.0.0/0\"; via = \"10.0.0.254\"; } );\n"
		"neighbors = ( { address = \"10.0.0.254\"; mac = \"02:00:00:00:00:fe\"; } );\n"
		"telemetry = { socket_mode = 660; };\n", "x.conf", &cfg, err, sizeof(err)), -1);
	CU_ASSERT_NSTRING_EQUAL(err, "x.conf:5: socket_mode must be a string", 38);
	CU_ASSERT_TRUE(cfg_is_zero(&cfg));
}

static char *write_temp(const char *body, size_t len)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/test_cfg_XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	if (write(fd, body, len) != (ssize_t)len) {
		close(fd);
		unlink(path);
		return NULL;
	}
	close(fd);
	return path;
}

static void test_file_errors(void)
{
	static const char nul_body[] = "eal = [];\n\n# a\0b\n";
	char err[CFG_ERR_MAX], want[CFG_ERR_MAX + 64];
	struct gw_cfg cfg;
	char longname[300];
	char *path;

	CU_ASSERT_EQUAL(cfg_load("/nonexistent/ipsecgw.conf", &cfg, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "/nonexistent/ipsecgw.conf:1: cannot open file "
			       "(No such file or directory)");
	CU_ASSERT_TRUE(cfg_is_zero(&cfg));
	CU_ASSERT_EQUAL(cfg_load("/tmp", &cfg, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "/tmp:1: cannot read file (Is a directory)");

	path = write_temp(nul_body, sizeof(nul_body) - 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(path);
	CU_ASSERT_EQUAL(cfg_load(path, &cfg, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:3: file contains a NUL byte (%s)", path, path);
	CU_ASSERT_STRING_EQUAL(err, want);
	unlink(path);

	path = write_temp("eal = [];\nworkers = 0;\n", 22);
	CU_ASSERT_PTR_NOT_NULL_FATAL(path);
	CU_ASSERT_EQUAL(cfg_load(path, &cfg, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2: workers must be between 1 and 16 (0)", path);
	CU_ASSERT_STRING_EQUAL(err, want);
	unlink(path);

	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CU_ASSERT_EQUAL(cfg_load_string(BASE, longname, &cfg, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, ":1: file name is longer than 255 characters (299)"));

	/* a short err buffer is truncated, never overrun */
	memset(err, 'Z', sizeof(err));
	CU_ASSERT_EQUAL(cfg_load_string(BASE "workers = 0;\n", "x.conf", &cfg, err, 12), -1);
	CU_ASSERT_STRING_EQUAL(err, "x.conf:3: w");
	CU_ASSERT_EQUAL(err[12], 'Z');
}

/* ---- pki ------------------------------------------------------------------ */

static const char pki_text[] = BASE
	"pki = {\n"
	"  identities = ( { cert = \"pki/gw.crt\"; key = \"/etc/k.key\"; chain = \"./pki/ch.crt\"; },\n"
	"                 { cert = \"gw-ec.crt\"; key = \"gw-ec.key\"; } );\n"
	"  trustpoints = (\n"
	"    { name = \"LAB-CA\"; ca = \"pki/ca.crt\"; revocation_check = \"crl\";\n"
	"      crl_urls = [ \"http://192.0.2.10:8080/ca.crl\", \"HTTP://[2001:db8::1]/x.crl\" ];\n"
	"      crl_delta_urls = [ \"http://crl.example/delta.crl\" ];\n"
	"      crl_prefetch = false; crl_refresh_interval = 60; crl_min_download_interval = 0;\n"
	"      crl_download_timeout = 300; crl_max_size = 1073741824;\n"
	"      crl_cache_dir = \"cache\"; hold_is_revoked = false; },\n"
	"    { name = \"none_1\"; ca = \"/abs/ca.pem\"; revocation_check = \"none\"; },\n"
	"    { name = \"defaults\"; ca = \"/abs/ca2.pem\"; crl_urls = [ \"http://h/c.crl\" ]; }\n"
	"  );\n"
	"};\n";

static void test_pki_full(void)
{
	char err[CFG_ERR_MAX] = "";
	const struct cfg_trustpoint *tp;
	struct gw_cfg cfg;

	CU_ASSERT_EQUAL_FATAL(cfg_load_string(pki_text, "/etc/ipsecgw/gw.conf", &cfg, err,
					      sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(cfg.pki.n_identities, 2);
	CU_ASSERT_STRING_EQUAL(cfg.pki.identities[0].cert, "/etc/ipsecgw/pki/gw.crt");
	CU_ASSERT_STRING_EQUAL(cfg.pki.identities[0].key, "/etc/k.key");
	CU_ASSERT_STRING_EQUAL(cfg.pki.identities[0].chain, "/etc/ipsecgw/pki/ch.crt");
	CU_ASSERT_EQUAL(cfg.pki.identities[0].line, 4);
	CU_ASSERT_STRING_EQUAL(cfg.pki.identities[1].cert, "/etc/ipsecgw/gw-ec.crt");
	CU_ASSERT_STRING_EQUAL(cfg.pki.identities[1].key, "/etc/ipsecgw/gw-ec.key");
	CU_ASSERT_STRING_EQUAL(cfg.pki.identities[1].chain, "");
	CU_ASSERT_EQUAL_FATAL(cfg.pki.n_trustpoints, 3);
	tp = &cfg.pki.trustpoints[0];
	CU_ASSERT_STRING_EQUAL(tp->name, "LAB-CA");
	CU_ASSERT_EQUAL(tp->line, 7);
	CU_ASSERT_STRING_EQUAL(tp->ca, "/etc/ipsecgw/pki/ca.crt");
	CU_ASSERT_EQUAL(tp->revocation_check, CFG_REVOCATION_CRL);
	CU_ASSERT_EQUAL_FATAL(tp->n_crl_urls, 2);
	CU_ASSERT_STRING_EQUAL(tp->crl_urls[0], "http://192.0.2.10:8080/ca.crl");
	CU_ASSERT_STRING_EQUAL(tp->crl_urls[1], "HTTP://[2001:db8::1]/x.crl");
	CU_ASSERT_EQUAL_FATAL(tp->n_crl_delta_urls, 1);
	CU_ASSERT_STRING_EQUAL(tp->crl_delta_urls[0], "http://crl.example/delta.crl");
	CU_ASSERT_FALSE(tp->crl_prefetch);
	CU_ASSERT_EQUAL(tp->crl_refresh_interval, 60);
	CU_ASSERT_EQUAL(tp->crl_min_download_interval, 0);
	CU_ASSERT_EQUAL(tp->crl_download_timeout, 300);
	CU_ASSERT_EQUAL(tp->crl_max_size, 1073741824u);
	CU_ASSERT_STRING_EQUAL(tp->crl_cache_dir, "/etc/ipsecgw/cache");
	CU_ASSERT_FALSE(tp->hold_is_revoked);
	tp = &cfg.pki.trustpoints[1];
	CU_ASSERT_STRING_EQUAL(tp->name, "none_1");
	CU_ASSERT_EQUAL(tp->revocation_check, CFG_REVOCATION_NONE);
	CU_ASSERT_EQUAL(tp->n_crl_urls, 0);
	CU_ASSERT_FALSE(tp->crl_prefetch);		/* no crl_urls */
	tp = &cfg.pki.trustpoints[2];
	CU_ASSERT_EQUAL(tp->revocation_check, CFG_REVOCATION_CRL);
	CU_ASSERT_TRUE(tp->crl_prefetch);		/* crl_urls given */
	CU_ASSERT_EQUAL(tp->crl_refresh_interval, 3600);
	CU_ASSERT_EQUAL(tp->crl_min_download_interval, 60);
	CU_ASSERT_EQUAL(tp->crl_download_timeout, 10);
	CU_ASSERT_EQUAL(tp->crl_max_size, 67108864u);
	CU_ASSERT_STRING_EQUAL(tp->crl_cache_dir, "/var/lib/ipsecgw/crl");
	CU_ASSERT_TRUE(tp->hold_is_revoked);
	CU_ASSERT_EQUAL(tp->n_crl_delta_urls, 0);
	cfg_free(&cfg);
	CU_ASSERT_TRUE(cfg_is_zero(&cfg));
}

/* Relative paths join the configuration file's directory, made absolute
 * against the working directory when the file name is relative. */
static void test_pki_paths(void)
{
	static const struct {
		const char *file, *rel;
		bool cwd;
		const char *want;
	} cases[] = {
		{ "/etc/gw.conf", "ca.crt", false, "/etc/ca.crt" },
		{ "/gw.conf", "./././ca.crt", false, "/ca.crt" },
		{ "/etc/gw.conf", "/x/ca.crt", false, "/x/ca.crt" },
		{ "gw.conf", "pki/ca.crt", true, "/pki/ca.crt" },
		{ "./gw.conf", "ca.crt", true, "/ca.crt" },
		{ "conf/gw.conf", "ca.crt", true, "/conf/ca.crt" },
		{ "conf/gw.conf", "/abs.crt", false, "/abs.crt" },
	};
	char cwd[256], text[512], want[600], err[CFG_ERR_MAX];
	struct gw_cfg cfg;

	CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof(cwd)));
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		snprintf(text, sizeof(text), BASE "pki = { trustpoints = ( { name = \"t\"; "
			 "ca = \"%s\"; } ); };\n", cases[i].rel);
		snprintf(want, sizeof(want), "%s%s", cases[i].cwd && strcmp(cwd, "/") != 0 ? cwd : "",
			 cases[i].want);
		CU_ASSERT_EQUAL_FATAL(cfg_load_string(text, cases[i].file, &cfg, err, sizeof(err)), 0);
		CU_ASSERT_STRING_EQUAL(cfg.pki.trustpoints[0].ca, want);
		if (strcmp(cfg.pki.trustpoints[0].ca, want) != 0)
			fprintf(stderr, "\n  case %zu: want %s got %s\n", i, want,
				cfg.pki.trustpoints[0].ca);
		cfg_free(&cfg);
	}
}

#define TP(body) BASE "pki = { trustpoints = (\n" body "\n); };\n"	/* body on line 4 */
#define TPN(keys) TP("{ name = \"t\"; ca = \"/ca.crt\";\n" keys " }")	/* keys on line 5 */
#define ID(body) BASE "pki = { identities = (\n" body "\n); };\n"	/* body on line 4 */

static const struct err_case pki_err_cases[] = {
	{ BASE "pki = ( );\n", "x.conf:3: pki must be a group { ... } (( ... ))" },
	{ BASE "pki = { trustpoint = (); };\n", "x.conf:3: unknown key (trustpoint)" },
	{ BASE "pki = { identities = { }; };\n",
	  "x.conf:3: identities must be a list ( ... ) ({ ... })" },
	{ BASE "pki = { trustpoints = [ ]; };\n",
	  "x.conf:3: trustpoints must be a list ( ... ) ([ ... ])" },
	/* identities */
	{ ID("{ key = \"k\"; }"), "x.conf:4: missing required key (cert)" },
	{ ID("{ cert = \"c\"; }"), "x.conf:4: missing required key (key)" },
	{ ID("{ cert = \"c\"; key = \"k\"; chian = \"x\"; }"), "x.conf:4: unknown key (chian)" },
	{ ID("{ cert = \"\"; key = \"k\"; }"), "x.conf:4: cert must not be empty (\"\")" },
	{ ID("{ cert = 5; key = \"k\"; }"), "x.conf:4: cert must be a string (5)" },
	{ ID("{ cert = \"c\"; key = \"k\"; chain = true; }"), "x.conf:4: chain must be a string (true)" },
	{ ID("{ cert = \"/c\"; key = \"k\"; },\n{ cert = \"/c\"; key = \"k2\"; }"),
	  "x.conf:5: duplicate identity certificate (/c)" },
	/* trustpoints */
	{ TP("{ ca = \"c\"; }"), "x.conf:4: missing required key (name)" },
	{ TP("{ name = \"t\"; }"), "x.conf:4: missing required key (ca)" },
	{ TP("{ name = \"t\"; ca = \"c\"; crl_url = [ ]; }"), "x.conf:4: unknown key (crl_url)" },
	{ TP("{ name = \"a b\"; ca = \"c\"; }"),
	  "x.conf:4: trustpoint name must be 1 to 31 characters from A-Z a-z 0-9 _ - (a b)" },
	{ TP("{ name = \"t\"; ca = \"c\"; },\n{ name = \"t\"; ca = \"d\"; }"),
	  "x.conf:5: duplicate trustpoint name (t)" },
	{ TP("{ name = \"t\"; ca = \"\"; }"), "x.conf:4: ca must not be empty (\"\")" },
	{ TPN("revocation_check = \"ocsp\";"),
	  "x.conf:5: revocation_check must be \"crl\" or \"none\" (ocsp)" },
	{ TPN("revocation_check = true;"), "x.conf:5: revocation_check must be a string (true)" },
	{ TPN("crl_urls = \"http://h/c.crl\";"),
	  "x.conf:5: crl_urls must be a list [ ... ] (\"http://h/c.crl\")" },
	{ TPN("crl_urls = [ \"https://h/c.crl\" ];"),
	  "x.conf:5: crl_urls entry must be an http:// URL: https is not supported yet "
	  "(https://h/c.crl)" },
	{ TPN("crl_urls = [ \"ftp://h/c.crl\" ];"),
	  "x.conf:5: crl_urls entry must be an http:// URL (ftp://h/c.crl)" },
	{ TPN("crl_delta_urls = [ \"ldap://h/c.crl\" ];"),
	  "x.conf:5: crl_delta_urls entry must be an http:// URL (ldap://h/c.crl)" },
	{ TPN("crl_urls = [ \"http:///c.crl\" ];"),
	  "x.conf:5: crl_urls entry must name a host (http:///c.crl)" },
	{ TPN("crl_urls = [ \"http://h:0/c.crl\" ];"),
	  "x.conf:5: crl_urls entry has a bad port (1..65535) (http://h:0/c.crl)" },
	{ TPN("crl_urls = [ \"http://h:65536/\" ];"),
	  "x.conf:5: crl_urls entry has a bad port (1..65535) (http://h:65536/)" },
	{ TPN("crl_urls = [ \"http://u@h/c.crl\" ];"),
	  "x.conf:5: crl_urls entry must be http://HOST[:PORT]/PATH, without user info "
	  "(http://u@h/c.crl)" },
	{ TPN("crl_urls = [ \"http://[]/c.crl\" ];"),
	  "x.conf:5: crl_urls entry has a malformed [IPv6] host (http://[]/c.crl)" },
	{ TPN("crl_urls = [ \"http://h/a b.crl\" ];"),
	  "x.conf:5: crl_urls entry must not contain spaces or control characters (http://h/a b.crl)" },
	{ TPN("crl_urls = [ \"http://h/c.crl\",\n \"http://h/c.crl\" ];"),
	  "x.conf:6: duplicate URL in crl_urls (http://h/c.crl)" },
	{ TPN("crl_urls = [ \"http://h/1\", \"http://h/2\", \"http://h/3\", \"http://h/4\", "
	      "\"http://h/5\" ];"), "x.conf:5: crl_urls has more than 4 entries (5)" },
	{ TPN("crl_urls = [ 1 ];"), "x.conf:5: crl_urls entry must be a string (1)" },
	{ TPN("crl_prefetch = true;"), "x.conf:5: crl_prefetch needs crl_urls (true)" },
	{ TPN("crl_urls = [];\n crl_prefetch = true;"), "x.conf:6: crl_prefetch needs crl_urls (true)" },
	{ TPN("crl_delta_urls = [ \"http://h/d\" ]; crl_prefetch = true;"),
	  "x.conf:5: crl_prefetch needs crl_urls (true)" },
	{ TPN("crl_prefetch = 1;"), "x.conf:5: crl_prefetch must be true or false (1)" },
	{ TPN("crl_refresh_interval = 59;"),
	  "x.conf:5: crl_refresh_interval must be between 60 and 604800 (59)" },
	{ TPN("crl_refresh_interval = 604801;"),
	  "x.conf:5: crl_refresh_interval must be between 60 and 604800 (604801)" },
	{ TPN("crl_min_download_interval = 86401;"),
	  "x.conf:5: crl_min_download_interval must be between 0 and 86400 (86401)" },
	{ TPN("crl_min_download_interval = -1;"),
	  "x.conf:5: crl_min_download_interval must not be negative (-1)" },
	{ TPN("crl_download_timeout = 0;"),
	  "x.conf:5: crl_download_timeout must be between 1 and 300 (0)" },
	{ TPN("crl_download_timeout = 301;"),
	  "x.conf:5: crl_download_timeout must be between 1 and 300 (301)" },
	{ TPN("crl_max_size = 1023;"),
	  "x.conf:5: crl_max_size must be between 1024 and 1073741824 (1023)" },
	{ TPN("crl_max_size = 1073741825;"),
	  "x.conf:5: crl_max_size must be between 1024 and 1073741824 (1073741825)" },
	{ TPN("crl_max_size = 4294967296;"),
	  "x.conf:5: crl_max_size must be between 1024 and 1073741824 (4294967296)" },
	{ TPN("crl_cache_dir = \"\";"), "x.conf:5: crl_cache_dir must not be empty (\"\")" },
	{ TPN("hold_is_revoked = \"yes\";"),
	  "x.conf:5: hold_is_revoked must be true or false (\"yes\")" },
};

static void test_pki_errors(void)
{
	for (size_t i = 0; i < ARRAY_LEN(pki_err_cases); i++) {
		const struct err_case *c = &pki_err_cases[i];
		char err[CFG_ERR_MAX] = "";
		struct gw_cfg cfg;
		int rc = cfg_load_string(c->text, "x.conf", &cfg, err, sizeof(err));

		CU_ASSERT_EQUAL(rc, -1);
		CU_ASSERT_STRING_EQUAL(err, c->err);
		CU_ASSERT_TRUE(cfg_is_zero(&cfg));
		if (rc != -1 || strcmp(err, c->err) != 0)
			fprintf(stderr, "\n  case %zu:\n%s  want: %s\n  got:  %s (rc %d)\n", i, c->text,
				c->err, err, rc);
	}
}

/* At most CFG_MAX_* entries; a path too long once made absolute. */
static void test_pki_limits(void)
{
	char text[8192], err[CFG_ERR_MAX], path[300];
	struct gw_cfg cfg;
	size_t n;

	static const struct {
		unsigned tps, ids;
		const char *err;
	} cases[] = {
		{ CFG_MAX_TRUSTPOINTS, CFG_MAX_IDENTITIES, NULL },
		{ CFG_MAX_TRUSTPOINTS + 1, 1, "x.conf:3: trustpoints has more than 16 entries (17)" },
		{ 1, CFG_MAX_IDENTITIES + 1, "x.conf:3: identities has more than 4 entries (5)" },
	};

	for (size_t c = 0; c < ARRAY_LEN(cases); c++) {
		n = (size_t)snprintf(text, sizeof(text), BASE "pki = { trustpoints = (");
		for (unsigned i = 0; i < cases[c].tps; i++)
			n += (size_t)snprintf(text + n, sizeof(text) - n,
					      "%s{ name = \"t%u\"; ca = \"/c\"; }", i ? ", " : "", i);
		n += (size_t)snprintf(text + n, sizeof(text) - n, "); identities = (");
		for (unsigned i = 0; i < cases[c].ids; i++)
			n += (size_t)snprintf(text + n, sizeof(text) - n,
					      "%s{ cert = \"/c%u\"; key = \"/k\"; }", i ? ", " : "", i);
		snprintf(text + n, sizeof(text) - n, "); };\n");
		if (cases[c].err == NULL) {
			CU_ASSERT_EQUAL_FATAL(cfg_load_string(text, "x.conf", &cfg, err, sizeof(err)), 0);
			CU_ASSERT_EQUAL(cfg.pki.n_trustpoints, CFG_MAX_TRUSTPOINTS);
			CU_ASSERT_EQUAL(cfg.pki.n_identities, CFG_MAX_IDENTITIES);
			cfg_free(&cfg);
		} else {
			CU_ASSERT_EQUAL(cfg_load_string(text, "x.conf", &cfg, err, sizeof(err)), -1);
			CU_ASSERT_STRING_EQUAL(err, cases[c].err);
		}
	}
	memset(path, 'p', sizeof(path));
	path[0] = '/';
	path[255] = '\0';
	snprintf(text, sizeof(text), BASE "pki = { identities = ( { cert = \"%s\"; key = \"%s\"; } ); };\n",
		 path, path + 1);
	CU_ASSERT_EQUAL(cfg_load_string(text, "/etc/x.conf", &cfg, err, sizeof(err)), -1);
	CU_ASSERT_NSTRING_EQUAL(err, "/etc/x.conf:3: key is longer than 255 characters once made "
				"absolute (ppp", 70);
	path[256] = '\0';
	path[255] = 'p';
	snprintf(text, sizeof(text), BASE "pki = { identities = ( { cert = \"%s\"; key = \"/k\"; } ); };\n",
		 path);
	CU_ASSERT_EQUAL(cfg_load_string(text, "/etc/x.conf", &cfg, err, sizeof(err)), -1);
	CU_ASSERT_NSTRING_EQUAL(err, "/etc/x.conf:3: cert is longer than 255 characters", 49);
}

/* ---- manual_sas, policies ------------------------------------------------- */

#define H16 "000102030405060708090a0b0c0d0e0f"
#define H20 H16 "10111213"
#define H32 H16 "101112131415161718191a1b1c1d1e1f"
#define H64 H32 "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"

static const char sa_text[] = BASE
	"manual_sas = (\n"
	"  { name = \"gcm6\"; local = \"2001:db8:10::1\"; remote = \"2001:db8:10::2\";\n"
	"    local_ts = [ \"2001:db8:20::/48\", \"2001:db8:21::/48\" ];\n"
	"    remote_ts = [ \"::/0\" ];\n"
	"    esp = \"aes128gcm16\"; spi_in = 0xFFFFFFFF; spi_out = 256;\n"
	"    enc_key_in = \"0x" H20 "\"; enc_key_out = \"" H20 "\";\n"
	"    encap = true; encap_port = 4501; esn = true; replay_window = 4096;\n"
	"    lifetime_bytes = 0x1000000000; lifetime_packets = 5000000000;\n"
	"    allow_unsafe_manual_gcm = true; },\n"
	"  { name = \"cbc\"; local = \"10.10.0.1\"; remote = \"10.10.0.2\";\n"
	"    local_ts = [ \"192.168.10.0/24\" ]; remote_ts = [ \"172.16.1.0/24\", \"0.0.0.0/0\" ];\n"
	"    esp = \"aes256-sha512\"; spi_in = 0x1001; spi_out = 0x1001;\n"
	"    enc_key_in = \"0X" H32 "\"; enc_key_out = \"" H32 "\";\n"
	"    auth_key_in = \"" H64 "\"; auth_key_out = \"0x" H64 "\"; },\n"
	"  { name = \"null\"; local = \"10.10.0.1\"; remote = \"10.10.0.3\";\n"
	"    local_ts = [ \"10.1.0.0/16\" ]; remote_ts = [ \"10.2.0.0/16\" ];\n"
	"    esp = \"null-sha1\"; spi_in = 0x1002; spi_out = 0x3000; replay_window = 32;\n"
	"    auth_key_in = \"" H20 "\"; auth_key_out = \"" H20 "\"; }\n"
	");\n"
	"policies = (\n"
	"  { local_ts = [ \"192.168.10.0/24\" ]; remote_ts = [ \"0.0.0.0/0\" ]; action = \"bypass\"; },\n"
	"  { local_ts = [ \"10.0.0.0/8\", \"2001:db8::/32\" ]; remote_ts = [ \"::/0\" ];\n"
	"    action = \"discard\"; }\n"
	");\n"
	"benchmark_no_replay_check = true;\n";

static bool key_is(const uint8_t *key, unsigned len)
{
	for (unsigned i = 0; i < len; i++)
		if (key[i] != i)
			return false;
	return true;
}

static void test_manual_sas(void)
{
	char err[CFG_ERR_MAX] = "", buf[GW_PREFIX_STRLEN];
	const struct cfg_manual_sa *sa;
	struct gw_cfg cfg;

	CU_ASSERT_EQUAL_FATAL(cfg_load_string(sa_text, "sa.conf", &cfg, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(cfg.bench_no_replay_check);
	CU_ASSERT_EQUAL_FATAL(cfg.n_manual_sas, 3);
	sa = &cfg.manual_sas[0];
	CU_ASSERT_STRING_EQUAL(sa->name, "gcm6");
	CU_ASSERT_EQUAL(sa->line, 4);
	CU_ASSERT_STRING_EQUAL(gw_addr_fmt(&sa->local, buf, sizeof(buf)), "2001:db8:10::1");
	CU_ASSERT_STRING_EQUAL(gw_addr_fmt(&sa->remote, buf, sizeof(buf)), "2001:db8:10::2");
	CU_ASSERT_EQUAL_FATAL(sa->n_local_ts, 2);
	CU_ASSERT_STRING_EQUAL(gw_prefix_fmt(&sa->local_ts[1], buf, sizeof(buf)), "2001:db8:21::/48");
	CU_ASSERT_EQUAL_FATAL(sa->n_remote_ts, 1);
	CU_ASSERT_STRING_EQUAL(gw_prefix_fmt(&sa->remote_ts[0], buf, sizeof(buf)), "::/0");
	CU_ASSERT_EQUAL(sa->alg, ESP_ALG_AES128GCM16);
	CU_ASSERT_EQUAL(sa->spi_in, 0xFFFFFFFFu);
	CU_ASSERT_EQUAL(sa->spi_out, 256);
	CU_ASSERT_EQUAL(sa->enc_key_len, 20);
	CU_ASSERT_TRUE(key_is(sa->enc_key_in, 20) && key_is(sa->enc_key_out, 20));
	CU_ASSERT_EQUAL(sa->auth_key_len, 0);
	CU_ASSERT_TRUE(sa->encap);
	CU_ASSERT_EQUAL(sa->encap_port, 4501);
	CU_ASSERT_TRUE(sa->esn);
	CU_ASSERT_EQUAL(sa->replay_window, 4096);
	CU_ASSERT_EQUAL(sa->lifetime_bytes, UINT64_C(0x1000000000));
	CU_ASSERT_EQUAL(sa->lifetime_packets, UINT64_C(5000000000));
	CU_ASSERT_TRUE(sa->allow_unsafe_manual_gcm);
	sa = &cfg.manual_sas[1];
	CU_ASSERT_STRING_EQUAL(sa->name, "cbc");
	CU_ASSERT_EQUAL(sa->alg, ESP_ALG_AES256_SHA512);
	CU_ASSERT_EQUAL(sa->spi_in, 0x1001);
	CU_ASSERT_EQUAL(sa->spi_out, 0x1001);	/* the peer's choice: not unique */
	CU_ASSERT_EQUAL(sa->enc_key_len, 32);
	CU_ASSERT_EQUAL(sa->auth_key_len, 64);
	CU_ASSERT_TRUE(key_is(sa->enc_key_in, 32) && key_is(sa->enc_key_out, 32));
	CU_ASSERT_TRUE(key_is(sa->auth_key_in, 64) && key_is(sa->auth_key_out, 64));
	CU_ASSERT_EQUAL(sa->n_remote_ts, 2);
	/* defaults */
	CU_ASSERT_FALSE(sa->encap);
	CU_ASSERT_EQUAL(sa->encap_port, 4500);
	CU_ASSERT_FALSE(sa->esn);
	CU_ASSERT_EQUAL(sa->replay_window, 64);
	CU_ASSERT_EQUAL(sa->lifetime_bytes, 0);
	CU_ASSERT_EQUAL(sa->lifetime_packets, 0);
	CU_ASSERT_FALSE(sa->allow_unsafe_manual_gcm);
	sa = &cfg.manual_sas[2];
	CU_ASSERT_EQUAL(sa->alg, ESP_ALG_NULL_SHA1);
	CU_ASSERT_EQUAL(sa->enc_key_len, 0);
	CU_ASSERT_EQUAL(sa->auth_key_len, 20);
	CU_ASSERT_TRUE(key_is(sa->auth_key_in, 20));
	CU_ASSERT_EQUAL(sa->replay_window, 32);

	CU_ASSERT_EQUAL_FATAL(cfg.n_policies, 2);
	CU_ASSERT_EQUAL(cfg.policies[0].action, CFG_POLICY_BYPASS);
	CU_ASSERT_EQUAL(cfg.policies[0].line, 23);
	CU_ASSERT_EQUAL(cfg.policies[0].n_local_ts, 1);
	CU_ASSERT_STRING_EQUAL(gw_prefix_fmt(&cfg.policies[0].remote_ts[0], buf, sizeof(buf)),
			       "0.0.0.0/0");
	CU_ASSERT_EQUAL(cfg.policies[1].action, CFG_POLICY_DISCARD);
	CU_ASSERT_EQUAL(cfg.policies[1].n_local_ts, 2);	/* families may mix */
	CU_ASSERT_EQUAL(cfg.policies[1].local_ts[1].addr.family, AF_INET6);
	cfg_free(&cfg);
	CU_ASSERT_TRUE(cfg_is_zero(&cfg));

	/* absent: nothing allocated, replay check on */
	CU_ASSERT_EQUAL_FATAL(cfg_load_string(BASE "manual_sas = ();\npolicies = ();\n", "e.conf",
					      &cfg, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NULL(cfg.manual_sas);
	CU_ASSERT_PTR_NULL(cfg.policies);
	CU_ASSERT_FALSE(cfg.bench_no_replay_check);
	cfg_free(&cfg);
}

/* One manual SA: its head on line 4, selectors on 5, line6 on 6, body from 7. */
#define SA_L6(line6, body) BASE "manual_sas = (\n" \
	"{ name = \"lab1\"; local = \"10.10.0.1\"; remote = \"10.10.0.2\";\n" \
	"  local_ts = [ \"192.168.10.0/24\" ]; remote_ts = [ \"172.16.1.0/24\" ];\n" \
	line6 "\n" body " }\n);\n"
#define SA(esp, body) SA_L6("  esp = \"" esp "\"; spi_in = 0x1001; spi_out = 0x2001;", body)
#define CBC_KEYS "  enc_key_in = \"" H16 "\"; enc_key_out = \"" H16 "\";\n" \
	"  auth_key_in = \"" H32 "\"; auth_key_out = \"" H32 "\";"	/* lines 7, 8 */
#define CBC(body) SA("aes128-sha256", CBC_KEYS "\n" body)		/* body on line 9 */
#define GCM_KEYS "  enc_key_in = \"" H20 "\"; enc_key_out = \"" H20 "\";"
#define SA_TS(ts) BASE "manual_sas = (\n" \
	"{ name = \"lab1\"; local = \"10.10.0.1\"; remote = \"10.10.0.2\";\n" \
	ts "\n  esp = \"aes128-sha256\"; spi_in = 0x1001; spi_out = 0x2001;\n" CBC_KEYS " }\n);\n"
#define SA2(second) BASE "manual_sas = (\n" \
	"{ name = \"lab1\"; local = \"10.10.0.1\"; remote = \"10.10.0.2\";\n" \
	"  local_ts = [ \"192.168.10.0/24\" ]; remote_ts = [ \"172.16.1.0/24\" ];\n" \
	"  esp = \"aes128-sha256\"; spi_in = 0x1001; spi_out = 0x2001;\n" CBC_KEYS " },\n" \
	second "\n);\n"						/* second on line 9 */
#define POL(body) BASE "policies = (\n" body "\n);\n"			/* body on line 4 */

static const struct err_case sa_err_cases[] = {
	{ BASE "manual_sas = { };\n", "x.conf:3: manual_sas must be a list ( ... ) ({ ... })" },
	{ SA("aes128gcm16", GCM_KEYS),
	  "x.conf:6: manual SA \"lab1\": AES-GCM with manual keys reuses nonces after a restart; "
	  "set allow_unsafe_manual_gcm = true to accept (aes128gcm16)" },
	{ SA("aes256gcm16", GCM_KEYS " allow_unsafe_manual_gcm = true;"),
	  "x.conf:7: enc_key_in must be 72 hex digits for aes256gcm16, the key then its 4-byte "
	  "salt (40 digits)" },
	{ SA("aes128gcm16", GCM_KEYS "\n auth_key_in = \"" H16 "\"; allow_unsafe_manual_gcm = true;"),
	  "x.conf:8: auth_key_in is not used with AES-GCM, whose key also authenticates "
	  "(aes128gcm16)" },
	{ SA("aes128gcm16", GCM_KEYS " allow_unsafe_manual_gcm = 1;"),
	  "x.conf:7: allow_unsafe_manual_gcm must be true or false (1)" },
	{ SA("aes128", CBC_KEYS),
	  "x.conf:6: esp must be one of aes128gcm16 aes192gcm16 aes256gcm16 aes128-sha1 "
	  "aes128-sha256 aes128-sha384 aes128-sha512 aes256-sha1 aes256-sha256 aes256-sha384 "
	  "aes256-sha512 null-sha1 null-sha256 null-sha384 null-sha512 (aes128)" },
	{ SA("aes128-sha256", "  enc_key_in = \"0x" H16 "\"; enc_key_out = \"00" H16 "\";"),
	  "x.conf:7: enc_key_out must be 32 hex digits for aes128-sha256 (34 digits)" },
	{ SA("aes128-sha256", "  enc_key_in = \"0x0001g2" H16 "\";"),
	  "x.conf:7: enc_key_in must be hex digits, 0x optional (not a hex digit at position 7)" },
	{ SA("aes128-sha256", "  enc_key_in = 0x1234;"), "x.conf:7: enc_key_in must be a string (0x1234)" },
	{ SA("aes128-sha256", "  enc_key_in = \"" H16 "\"; enc_key_out = \"" H16 "\";"),
	  "x.conf:4: manual SA \"lab1\": missing required key for aes128-sha256 (auth_key_in)" },
	{ SA("aes128-sha256", "  enc_key_in = \"" H16 "\"; auth_key_in = \"" H32 "\";"),
	  "x.conf:4: manual SA \"lab1\": missing required key for aes128-sha256 (enc_key_out)" },
	{ SA("null-sha256", "  auth_key_in = \"" H32 "\"; auth_key_out = \"" H32 "\";\n"
	     "  enc_key_in = \"\";"),
	  "x.conf:8: enc_key_in is not used with NULL encryption (null-sha256)" },
	{ SA("null-sha256", "  auth_key_in = \"" H32 "\"; auth_key_out = \"" H16 "\";"),
	  "x.conf:7: auth_key_out must be 64 hex digits for null-sha256 (32 digits)" },
	{ SA_L6("  esp = \"aes128-sha256\"; spi_in = 255; spi_out = 0x2001;", CBC_KEYS),
	  "x.conf:6: spi_in must be between 256 and 4294967295 (255)" },
	{ SA_L6("  esp = \"aes128-sha256\"; spi_in = 256; spi_out = 0x100000000;", CBC_KEYS),
	  "x.conf:6: spi_out does not fit in 32 bits (0x100000000)" },
	{ SA_L6("  esp = \"aes128-sha256\"; spi_out = 0x2001;", CBC_KEYS),
	  "x.conf:4: missing required key (spi_in)" },
	{ CBC("  spi = 5;"), "x.conf:9: unknown key (spi)" },
	{ CBC("  replay_window = 100;"),
	  "x.conf:9: replay_window must be 32 or a multiple of 64 up to 4096 (100)" },
	{ CBC("  replay_window = 16;"), "x.conf:9: replay_window must be between 32 and 4096 (16)" },
	{ CBC("  replay_window = 8192;"), "x.conf:9: replay_window must be between 32 and 4096 (8192)" },
	{ CBC("  encap_port = 4501;"), "x.conf:9: encap_port needs encap = true (4501)" },
	{ CBC("  encap = true; encap_port = 0;"), "x.conf:9: encap_port must be between 1 and 65535 (0)" },
	{ CBC("  lifetime_bytes = -1;"), "x.conf:9: lifetime_bytes must not be negative (-1)" },
	{ CBC("  lifetime_packets = \"1M\";"),
	  "x.conf:9: lifetime_packets must be an integer (\"1M\")" },
	{ CBC("  esn = \"no\";"), "x.conf:9: esn must be true or false (\"no\")" },
	/* endpoints and selectors */
	{ BASE "manual_sas = (\n{ name = \"lab1\"; local = \"10.10.0.1\"; remote = \"2001:db8::2\";\n"
	  "  local_ts = [ \"192.168.10.0/24\" ]; remote_ts = [ \"172.16.1.0/24\" ];\n"
	  "  esp = \"aes128-sha256\"; spi_in = 0x1001; spi_out = 0x2001;\n" CBC_KEYS " }\n);\n",
	  "x.conf:4: manual SA \"lab1\": remote is not of local's address family (2001:db8::2)" },
	{ BASE "manual_sas = (\n{ name = \"lab1\"; local = \"224.0.0.1\"; remote = \"10.0.0.2\"; }\n);\n",
	  "x.conf:4: local must be a unicast address (224.0.0.1)" },
	{ BASE "manual_sas = (\n{ name = \"lab1\"; local = \"10.0.0.1\"; remote = \"host\"; }\n);\n",
	  "x.conf:4: remote must be an IP address (host)" },
	{ BASE "manual_sas = (\n{ name = \"lab 1\"; }\n);\n",
	  "x.conf:4: manual SA name must be 1 to 31 characters from A-Z a-z 0-9 _ - (lab 1)" },
	{ SA_TS("  local_ts = [ \"192.168.10.1/24\" ]; remote_ts = [ \"172.16.1.0/24\" ];"),
	  "x.conf:5: local_ts entry has host bits set (192.168.10.1/24)" },
	{ SA_TS("  local_ts = [ \"192.168.10.0/24\",\n \"2001:db8::/32\" ]; remote_ts = [ \"::/0\" ];"),
	  "x.conf:6: local_ts mixes IPv4 and IPv6 (2001:db8::/32)" },
	{ SA_TS("  local_ts = [ ]; remote_ts = [ \"172.16.1.0/24\" ];"),
	  "x.conf:5: local_ts must list 1 to 4 prefixes (none)" },
	{ SA_TS("  local_ts = [ \"10.0.0.0/8\" ]; remote_ts = [ \"10.1.0.0/16\", \"10.2.0.0/16\", "
		"\"10.3.0.0/16\", \"10.4.0.0/16\", \"10.5.0.0/16\" ];"),
	  "x.conf:5: remote_ts has more than 4 entries (5)" },
	{ SA_TS("  local_ts = [ \"10.0.0.0/8\" ]; remote_ts = [ \"10.1.0.0/16\", \"10.1.0.0/16\" ];"),
	  "x.conf:5: duplicate prefix in remote_ts (10.1.0.0/16)" },
	{ SA_TS("  local_ts = [ \"10.0.0.0/8\" ]; remote_ts = [ \"172.16.1.0\" ];"),
	  "x.conf:5: remote_ts entry must be a prefix like 10.0.0.0/8 (172.16.1.0)" },
	{ SA_TS("  local_ts = [ \"10.0.0.0/8\" ]; remote_ts = ( \"::/0\" );"),
	  "x.conf:5: manual SA \"lab1\": remote_ts is not of local_ts's address family (::/0)" },
	{ SA_TS("  local_ts = [ \"10.0.0.0/8\" ];"), "x.conf:4: missing required key (remote_ts)" },
	/* across manual SAs */
	{ SA2("{ name = \"lab1\"; }"), "x.conf:9: duplicate manual SA name, first at line 4 (lab1)" },
	{ SA2("{ name = \"lab2\"; local = \"10.10.0.1\"; remote = \"10.10.0.3\";\n"
	      "  local_ts = [ \"10.0.0.0/8\" ]; remote_ts = [ \"10.9.0.0/16\" ];\n"
	      "  esp = \"null-sha1\"; spi_out = 0x2001; spi_in = 4097; }"),
	  "x.conf:11: spi_in is already used by manual SA \"lab1\" (4097)" },
	/* policies */
	{ POL("{ local_ts = [ \"10.0.0.0/8\" ]; remote_ts = [ \"0.0.0.0/0\" ]; action = \"protect\"; }"),
	  "x.conf:4: action must be \"bypass\" or \"discard\" (protect)" },
	{ POL("{ local_ts = [ \"10.0.0.0/8\" ]; remote_ts = [ \"0.0.0.0/0\" ]; }"),
	  "x.conf:4: missing required key (action)" },
	{ POL("{ local_ts = [ \"10.0.0.0/8\" ]; remote_ts = [ \"0.0.0.0/0\" ]; action = \"bypass\";\n"
	      "  name = \"x\"; }"), "x.conf:5: unknown key (name)" },
	{ POL("{ local_ts = [ \"10.0.0.0/8\", \"192.168.0.0/16\" ];\n"
	      "  remote_ts = [ \"::/0\", \"2001:db8::/32\" ]; action = \"discard\"; }"),
	  "x.conf:5: policy pairs no local_ts with a remote_ts of its address family "
	  "(local IPv4, remote IPv6)" },
	{ POL("{ local_ts = [ \"10.0.0.1/8\" ]; remote_ts = [ \"0.0.0.0/0\" ]; action = \"bypass\"; }"),
	  "x.conf:4: local_ts entry has host bits set (10.0.0.1/8)" },
	{ POL("{ local_ts = [ \"10.0.0.0/8\" ]; remote_ts = [ ]; action = \"bypass\"; }"),
	  "x.conf:4: remote_ts must list 1 to 4 prefixes (none)" },
	{ POL("{ local_ts = [ \"10.0.0.0/8\" ]; remote_ts = [ \"0.0.0.0/0\" ]; action = \"bypass\"; },\n"
	      "{ local_ts = \"10.0.0.0/8\"; remote_ts = [ \"0.0.0.0/0\" ]; action = \"bypass\"; }"),
	  "x.conf:5: local_ts must be a list [ ... ] (\"10.0.0.0/8\")" },
	{ BASE "benchmark_no_replay_check = 1;\n",
	  "x.conf:3: benchmark_no_replay_check must be true or false (1)" },
};

static void test_manual_sa_errors(void)
{
	for (size_t i = 0; i < ARRAY_LEN(sa_err_cases); i++) {
		const struct err_case *c = &sa_err_cases[i];
		char err[CFG_ERR_MAX] = "";
		struct gw_cfg cfg;
		int rc = cfg_load_string(c->text, "x.conf", &cfg, err, sizeof(err));

		CU_ASSERT_EQUAL(rc, -1);
		CU_ASSERT_STRING_EQUAL(err, c->err);
		CU_ASSERT_TRUE(cfg_is_zero(&cfg));
		if (rc != -1 || strcmp(err, c->err) != 0)
			fprintf(stderr, "\n  case %zu:\n%s  want: %s\n  got:  %s (rc %d)\n", i, c->text,
				c->err, err, rc);
	}
}

/* CFG_MAX_MANUAL_SAS and CFG_MAX_POLICIES load; one more is refused. */
static void test_manual_sa_limits(void)
{
	size_t cap = 1 << 20, n;
	char *text = malloc(cap);
	char err[CFG_ERR_MAX] = "";
	struct gw_cfg cfg;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	for (int extra = 0; extra < 2; extra++) {
		n = (size_t)snprintf(text, cap, BASE "manual_sas = (");
		for (int i = 0; i < CFG_MAX_MANUAL_SAS + extra; i++)
			n += (size_t)snprintf(text + n, cap - n,
				"%s{ name = \"s%d\"; local = \"10.0.0.1\"; remote = \"10.1.%d.%d\";\n"
				"  local_ts = [ \"192.168.0.0/16\" ]; remote_ts = [ \"172.%d.%d.0/24\" ];\n"
				"  esp = \"null-sha1\"; spi_in = %d; spi_out = %d;\n"
				"  auth_key_in = \"" H20 "\"; auth_key_out = \"" H20 "\"; }",
				i ? ", " : "", i, i / 250, 1 + i % 250, 16 + i / 256, i % 256,
				256 + i, 256 + i);
		n += (size_t)snprintf(text + n, cap - n, ");\npolicies = (");
		for (int i = 0; i < CFG_MAX_POLICIES + extra; i++)
			n += (size_t)snprintf(text + n, cap - n,
				"%s{ local_ts = [ \"10.%d.%d.0/24\" ]; remote_ts = [ \"0.0.0.0/0\" ];"
				" action = \"discard\"; }", i ? ",\n" : "", i / 256, i % 256);
		snprintf(text + n, cap - n, ");\n");
		CU_ASSERT_TRUE_FATAL(n < cap - 8);
		if (extra == 0) {
			CU_ASSERT_EQUAL(cfg_load_string(text, "big.conf", &cfg, err, sizeof(err)), 0);
			CU_ASSERT_EQUAL(cfg.n_manual_sas, CFG_MAX_MANUAL_SAS);
			CU_ASSERT_EQUAL(cfg.n_policies, CFG_MAX_POLICIES);
			cfg_free(&cfg);
		} else {
			CU_ASSERT_EQUAL(cfg_load_string(text, "big.conf", &cfg, err, sizeof(err)), -1);
			CU_ASSERT_STRING_EQUAL(err, "big.conf:3: manual_sas has more than 256 entries (257)");
		}
	}
	free(text);
}

/* ---- crypto, peers -------------------------------------------------------- */

struct id_case {
	const char *text;
	const char *err;		/* NULL = accepted as type / value */
	enum cfg_id_type type;
	const char *value;
};

static const struct id_case id_cases[] = {
	{ "CN=peer1.lab", NULL, CFG_ID_DN, "CN=peer1.lab" },
	{ "C=CH, O=strongSwan, CN=peer", NULL, CFG_ID_DN, "C=CH, O=strongSwan, CN=peer" },
	{ "CN=a=b", NULL, CFG_ID_DN, "CN=a=b" },
	{ "10.10.0.2", NULL, CFG_ID_IPV4, "10.10.0.2" },
	{ "2001:db8::1", NULL, CFG_ID_IPV6, "2001:db8::1" },
	{ "user@example.com", NULL, CFG_ID_RFC822, "user@example.com" },
	{ "gw.lab", NULL, CFG_ID_FQDN, "gw.lab" },
	{ "@gw.lab", NULL, CFG_ID_FQDN, "gw.lab" },
	{ "fqdn:10.0.0.1", NULL, CFG_ID_FQDN, "10.0.0.1" },
	{ "FQDN:host_1", NULL, CFG_ID_FQDN, "host_1" },
	{ "email:a@b.c", NULL, CFG_ID_RFC822, "a@b.c" },
	{ "rfc822:first.last@b", NULL, CFG_ID_RFC822, "first.last@b" },
	{ "ipv4:10.0.0.1", NULL, CFG_ID_IPV4, "10.0.0.1" },
	{ "ipv6:::1", NULL, CFG_ID_IPV6, "::1" },
	{ "", "must not be empty", 0, NULL },
	{ "@", "must not be empty", 0, NULL },
	{ "fqdn:", "must not be empty", 0, NULL },
	{ "ipv4:2001:db8::1", "must be an IPv4 address after ipv4:", 0, NULL },
	{ "ipv6:10.0.0.1", "must be an IPv6 address after ipv6:", 0, NULL },
	{ "host name", "must be a host name of letters, digits and . - _ (an FQDN identity)", 0,
	  NULL },
	{ ".lab", "must be a host name of letters, digits and . - _ (an FQDN identity)", 0, NULL },
	{ "@user@example.com",
	  "must be a host name of letters, digits and . - _ (an FQDN identity)", 0, NULL },
	{ "fqdn:user@example.com",
	  "must be a host name of letters, digits and . - _ (an FQDN identity)", 0, NULL },
	{ "user@", "must be an email address like user@example.com", 0, NULL },
	{ "a@b@c", "must be an email address like user@example.com", 0, NULL },
	{ "email:nohost", "must be an email address like user@example.com", 0, NULL },
	{ "a b@c", "must be an email address like user@example.com", 0, NULL },
	{ "CN=", "must be a DN of KEY=value parts separated by commas, like \"CN=gw, O=Lab\"", 0,
	  NULL },
	{ "CN=a,,O=b", "must be a DN of KEY=value parts separated by commas, like \"CN=gw, O=Lab\"",
	  0, NULL },
	{ "CN=a,", "must be a DN of KEY=value parts separated by commas, like \"CN=gw, O=Lab\"", 0,
	  NULL },
	{ "=a", "must be a DN of KEY=value parts separated by commas, like \"CN=gw, O=Lab\"", 0,
	  NULL },
	{ "C N=a", "must be a DN of KEY=value parts separated by commas, like \"CN=gw, O=Lab\"", 0,
	  NULL },
	{ "CN=  , O=x", "must be a DN of KEY=value parts separated by commas, like \"CN=gw, O=Lab\"",
	  0, NULL },
	{ "a\tb", "must not contain control characters", 0, NULL },
};

static void test_validate_id(void)
{
	char longid[CFG_ID_MAX + 1];
	struct cfg_id id;

	for (size_t i = 0; i < ARRAY_LEN(id_cases); i++) {
		const struct id_case *c = &id_cases[i];
		const char *why = cfg_validate_id(c->text, &id);
		bool ok = c->err == NULL ? why == NULL && id.type == c->type &&
			strcmp(id.value, c->value) == 0 : why != NULL && strcmp(why, c->err) == 0;

		CU_ASSERT_TRUE(ok);
		if (!ok)
			fprintf(stderr, "\n  case %zu \"%s\": got %s / type %d \"%s\"\n", i, c->text,
				why ? why : "(accepted)", id.type, id.value);
	}
	CU_ASSERT_PTR_NULL(cfg_validate_id("10.10.0.2", &id));
	CU_ASSERT_EQUAL(id.addr.family, AF_INET);
	CU_ASSERT_PTR_NULL(cfg_validate_id("ipv6:2001:db8::2", &id));
	CU_ASSERT_EQUAL(id.addr.family, AF_INET6);
	memset(longid, 'a', sizeof(longid) - 2);
	longid[sizeof(longid) - 2] = '\0';		/* 255 characters */
	CU_ASSERT_PTR_NULL(cfg_validate_id(longid, &id));
	longid[sizeof(longid) - 2] = 'a';
	longid[sizeof(longid) - 1] = '\0';		/* 256 */
	CU_ASSERT_STRING_EQUAL(cfg_validate_id(longid, &id), "must be at most 255 characters");
	CU_ASSERT_STRING_EQUAL(cfg_id_type_name(CFG_ID_DN), "dn");
	CU_ASSERT_STRING_EQUAL(cfg_id_type_name(CFG_ID_RFC822), "email");
	CU_ASSERT_STRING_EQUAL(cfg_id_type_name(CFG_ID_NONE), "none");
}

#define PEER_TP "pki = { trustpoints = ( { name = \"LAB-CA\"; ca = \"/ca.pem\"; }, " \
	"{ name = \"T2\"; ca = \"/ca2.pem\"; revocation_check = \"none\"; } ); };\n" /* line 3 */

static const char peer_text[] = BASE PEER_TP
	"manual_sas = ( { name = \"lab1\"; local = \"10.0.0.1\"; remote = \"10.0.0.2\";\n"
	"  local_ts = [ \"10.1.0.0/16\" ]; remote_ts = [ \"10.2.0.0/16\" ]; esp = \"null-sha1\";\n"
	"  spi_in = 0x1000; spi_out = 0x1000;\n"
	"  auth_key_in = \"000102030405060708090a0b0c0d0e0f10111213\";\n"
	"  auth_key_out = \"000102030405060708090a0b0c0d0e0f10111213\"; } );\n"
	"crypto = { ikev2 = { disconnect_revoked_peers = true; cookie_threshold = 100;"
	" max_half_open_per_peer = 7;\n"
	"  max_half_open = 100; dpd_interval = 0; }; isakmp = { disconnect_revoked_peers = true; }; };\n"
	"peers = (\n"
	"  { name = \"branch-a\"; ike_version = 2; remote = \"10.10.0.2\";\n"		/* 12 */
	"    remote_id = \"CN=peer1.lab, O=Lab\"; local_id = \"gw.lab\"; trustpoint = \"T2\";\n"
	"    ike_proposals = [ \"aes128-sha256-modp2048\", \"aes256gcm16-prfsha384-ecp384\",\n"
	"                      \"aes128-sha256-x25519\" ];\n"
	"    esp_proposals = ( \"aes128gcm16\", \"aes256-sha256\", \"aes128-sha1-esn-noesn\" );\n"
	"    local_ts = [ \"192.168.10.0/24\", \"192.168.11.0/24\" ]; remote_ts = [ \"172.16.1.0/24\" ];\n"
	"    initiate = \"start\"; ike_lifetime = 604800; child_lifetime = 86400; encap = true; },\n"
	"  { name = \"rw\"; ike_version = 1; remote = \"any\"; remote_id = \"user@example.com\";\n"
	"    trustpoint = \"LAB-CA\"; ike_proposals = [ \"aes256-sha384-ecp384\" ];\n"
	"    esp_proposals = [ \"aes256gcm16-modp2048\" ];\n"
	"    local_ts = [ \"2001:db8:20::/48\" ]; remote_ts = [ \"::/0\" ]; },\n"
	"  { name = \"trap6\"; remote = \"2001:db8::2\"; remote_id = \"2001:db8::2\";\n"
	"    local_id = \"@gw.example\"; trustpoint = \"LAB-CA\";\n"
	"    ike_proposals = [ \"aes128gcm16-prfsha256-curve25519\" ];\n"
	"    esp_proposals = [ \"aes128gcm16\" ]; initiate = \"trap\";\n"
	"    local_ts = [ \"10.5.0.0/16\" ]; remote_ts = [ \"10.6.0.0/16\" ];\n"
	"    ike_lifetime = 300; child_lifetime = 299; }\n"
	");\n";

static void test_peers(void)
{
	char err[CFG_ERR_MAX] = "", buf[GW_PREFIX_STRLEN];
	const struct cfg_peer *p;
	struct gw_cfg cfg;

	CU_ASSERT_EQUAL_FATAL(cfg_load_string(peer_text, "p.conf", &cfg, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(cfg.crypto.ikev2.disconnect_revoked_peers);
	CU_ASSERT_EQUAL(cfg.crypto.ikev2.cookie_threshold, 100);
	CU_ASSERT_EQUAL(cfg.crypto.ikev2.max_half_open, 100);
	CU_ASSERT_EQUAL(cfg.crypto.ikev2.max_half_open_per_peer, 7);
	CU_ASSERT_EQUAL(cfg.crypto.ikev2.dpd_interval, 0);
	CU_ASSERT_TRUE(cfg.crypto.isakmp.disconnect_revoked_peers);
	CU_ASSERT_EQUAL(cfg.crypto.isakmp.dpd_interval, 30);
	CU_ASSERT_EQUAL_FATAL(cfg.n_peers, 3);
	p = &cfg.peers[0];
	CU_ASSERT_STRING_EQUAL(p->name, "branch-a");
	CU_ASSERT_EQUAL(p->line, 12);
	CU_ASSERT_EQUAL(p->ike_version, 2);
	CU_ASSERT_FALSE(p->remote_any);
	CU_ASSERT_STRING_EQUAL(gw_addr_fmt(&p->remote, buf, sizeof(buf)), "10.10.0.2");
	CU_ASSERT_EQUAL(p->remote_id.type, CFG_ID_DN);
	CU_ASSERT_STRING_EQUAL(p->remote_id.value, "CN=peer1.lab, O=Lab");
	CU_ASSERT_EQUAL(p->local_id.type, CFG_ID_FQDN);
	CU_ASSERT_STRING_EQUAL(p->local_id.value, "gw.lab");
	CU_ASSERT_STRING_EQUAL(p->trustpoint, "T2");
	CU_ASSERT_EQUAL(p->trustpoint_idx, 1);
	CU_ASSERT_EQUAL_FATAL(p->n_ike_proposals, 3);
	CU_ASSERT_STRING_EQUAL(p->ike_proposals[2], "aes128-sha256-x25519");
	CU_ASSERT_EQUAL_FATAL(p->n_esp_proposals, 3);
	CU_ASSERT_STRING_EQUAL(p->esp_proposals[2], "aes128-sha1-esn-noesn");
	CU_ASSERT_EQUAL(p->n_local_ts, 2);
	CU_ASSERT_EQUAL(p->n_remote_ts, 1);
	CU_ASSERT_EQUAL(p->initiate, CFG_INITIATE_START);
	CU_ASSERT_EQUAL(p->ike_lifetime, 604800);
	CU_ASSERT_EQUAL(p->child_lifetime, 86400);
	CU_ASSERT_TRUE(p->encap);
	p = &cfg.peers[1];
	CU_ASSERT_EQUAL(p->ike_version, 1);
	CU_ASSERT_TRUE(p->remote_any);
	CU_ASSERT_EQUAL(p->remote.family, 0);
	CU_ASSERT_EQUAL(p->remote_id.type, CFG_ID_RFC822);
	CU_ASSERT_EQUAL(p->local_id.type, CFG_ID_NONE);	/* our certificate's DN */
	CU_ASSERT_EQUAL(p->trustpoint_idx, 0);
	CU_ASSERT_EQUAL(p->local_ts[0].addr.family, AF_INET6);
	/* defaults */
	CU_ASSERT_EQUAL(p->initiate, CFG_INITIATE_NONE);
	CU_ASSERT_EQUAL(p->ike_lifetime, 86400);
	CU_ASSERT_EQUAL(p->child_lifetime, 3600);
	CU_ASSERT_FALSE(p->encap);
	p = &cfg.peers[2];
	CU_ASSERT_EQUAL(p->remote_id.type, CFG_ID_IPV6);
	CU_ASSERT_EQUAL(p->local_id.type, CFG_ID_FQDN);
	CU_ASSERT_STRING_EQUAL(p->local_id.value, "gw.example");
	CU_ASSERT_EQUAL(p->initiate, CFG_INITIATE_TRAP);
	CU_ASSERT_EQUAL(p->child_lifetime, 299);
	CU_ASSERT_EQUAL(cfg_peer_find(&cfg, "trap6"), 2);
	CU_ASSERT_EQUAL(cfg_peer_find(&cfg, "lab1"), -1);
	cfg_free(&cfg);
	CU_ASSERT_TRUE(cfg_is_zero(&cfg));

	/* absent or empty: the crypto defaults, no peers */
	CU_ASSERT_EQUAL_FATAL(cfg_load_string(BASE "peers = ();\ncrypto = { ikev2 = { }; };\n",
					      "e.conf", &cfg, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NULL(cfg.peers);
	CU_ASSERT_FALSE(cfg.crypto.ikev2.disconnect_revoked_peers);
	CU_ASSERT_FALSE(cfg.crypto.isakmp.disconnect_revoked_peers);
	CU_ASSERT_EQUAL(cfg.crypto.ikev2.cookie_threshold, 512);
	CU_ASSERT_EQUAL(cfg.crypto.ikev2.max_half_open, 8192);
	CU_ASSERT_EQUAL(cfg.crypto.ikev2.dpd_interval, 30);
	cfg_free(&cfg);
	CU_ASSERT_EQUAL_FATAL(cfg_load_string(BASE, "e.conf", &cfg, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.crypto.ikev2.max_half_open, 8192);
	CU_ASSERT_EQUAL(cfg.crypto.ikev2.max_half_open_per_peer, 5);
	CU_ASSERT_EQUAL(cfg.crypto.ikev2.dpd_interval, 30);
	cfg_free(&cfg);
	/* the default per-address cap shrinks to a smaller max_half_open */
	CU_ASSERT_EQUAL_FATAL(cfg_load_string(BASE "crypto = { ikev2 = { max_half_open = 3;\n"
					      "  cookie_threshold = 2; }; };\n", "e.conf", &cfg, err,
					      sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.crypto.ikev2.max_half_open_per_peer, 3);
	cfg_free(&cfg);
	CU_ASSERT_EQUAL_FATAL(cfg_load_string(BASE "crypto = { ikev2 = { max_half_open = 3;\n"
					      "  cookie_threshold = 2; max_half_open_per_peer = 1; }; };\n",
					      "e.conf", &cfg, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.crypto.ikev2.max_half_open_per_peer, 1);
	cfg_free(&cfg);
}

/* One peer: head on line 5; line 6, 7 as below; body on line 8. */
#define PEER_L5(line5, body) BASE PEER_TP "peers = (\n" line5 "\n" \
	"  ike_proposals = [ \"aes128-sha256-modp2048\" ]; esp_proposals = [ \"aes128gcm16\" ];\n" \
	"  local_ts = [ \"192.168.10.0/24\" ]; remote_ts = [ \"172.16.1.0/24\" ];\n" body " }\n);\n"
#define PEER(body) PEER_L5("{ name = \"b1\"; remote = \"10.10.0.2\"; trustpoint = \"LAB-CA\";", body)
#define PEER_PROPS(props) BASE PEER_TP "peers = (\n" \
	"{ name = \"b1\"; remote = \"10.10.0.2\"; trustpoint = \"LAB-CA\";\n" props "\n" \
	"  local_ts = [ \"192.168.10.0/24\" ]; remote_ts = [ \"172.16.1.0/24\" ]; }\n);\n"
#define CRYPTO(body) BASE "crypto = {\n ikev2 = {\n" body "\n };\n};\n"	/* body on line 5 */
#define MANUAL_SA "manual_sas = ( { name = \"lab1\"; local = \"10.0.0.1\"; remote = \"10.0.0.2\";\n" \
	"  local_ts = [ \"10.1.0.0/16\" ]; remote_ts = [ \"10.2.0.0/16\" ]; esp = \"null-sha1\";\n" \
	"  spi_in = 0x1000; spi_out = 0x1000;\n" \
	"  auth_key_in = \"000102030405060708090a0b0c0d0e0f10111213\";\n" \
	"  auth_key_out = \"000102030405060708090a0b0c0d0e0f10111213\"; } );\n"	/* lines 4-8 */

static const struct err_case peer_err_cases[] = {
	/* crypto */
	{ BASE "crypto = ( );\n", "x.conf:3: crypto must be a group { ... } (( ... ))" },
	{ BASE "crypto = { ikev1 = { }; };\n", "x.conf:3: unknown key (ikev1)" },
	{ CRYPTO("  dpd = 30;"), "x.conf:5: unknown key (dpd)" },
	{ BASE "crypto = { isakmp = {\n disconnect_revoked_peers = \"yes\"; }; };\n",
	  "x.conf:4: disconnect_revoked_peers must be true or false (\"yes\")" },
	{ BASE "crypto = { isakmp = {\n dpd_interval = 90000; }; };\n",
	  "x.conf:4: dpd_interval must be between 0 and 86400 (90000)" },
	{ BASE "crypto = { isakmp = {\n cookie_threshold = 5; }; };\n", "x.conf:4: unknown key (cookie_threshold)" },
	{ CRYPTO("  disconnect_revoked_peers = 1;"),
	  "x.conf:5: disconnect_revoked_peers must be true or false (1)" },
	{ CRYPTO("  cookie_threshold = 0;"),
	  "x.conf:5: cookie_threshold must be between 1 and 1048576 (0)" },
	{ CRYPTO("  max_half_open = 1048577;"),
	  "x.conf:5: max_half_open must be between 1 and 1048576 (1048577)" },
	{ CRYPTO("  dpd_interval = 86401;"), "x.conf:5: dpd_interval must be between 0 and 86400 (86401)" },
	{ CRYPTO("  dpd_interval = -1;"), "x.conf:5: dpd_interval must not be negative (-1)" },
	{ CRYPTO("  max_half_open = 100;\n  cookie_threshold = 101;"),
	  "x.conf:6: cookie_threshold must be at most max_half_open 100 (101)" },
	{ CRYPTO("  max_half_open = 511;"),
	  "x.conf:4: cookie_threshold must be at most max_half_open 511 (512)" },
	{ CRYPTO("  max_half_open_per_peer = 0;"),
	  "x.conf:5: max_half_open_per_peer must be between 1 and 1048576 (0)" },
	{ CRYPTO("  max_half_open_per_peer = \"5\";"),
	  "x.conf:5: max_half_open_per_peer must be an integer (\"5\")" },
	{ CRYPTO("  max_half_open = 100;\n  cookie_threshold = 10;\n  max_half_open_per_peer = 101;"),
	  "x.conf:7: max_half_open_per_peer must be at most max_half_open 100 (101)" },
	/* the list and its entries */
	{ BASE "peers = { };\n", "x.conf:3: peers must be a list ( ... ) ({ ... })" },
	{ BASE "peers = ( 1 );\n", "x.conf:3: peers entry must be a group { ... } (1)" },
	{ PEER("  name2 = 1;"), "x.conf:8: unknown key (name2)" },
	{ PEER_L5("{ remote = \"10.10.0.2\"; trustpoint = \"LAB-CA\";", ""),
	  "x.conf:5: missing required key (name)" },
	{ PEER_L5("{ name = \"b1\"; remote = \"10.10.0.2\";", ""),
	  "x.conf:5: missing required key (trustpoint)" },
	{ PEER_PROPS("  ike_proposals = [ \"aes128-sha256-modp2048\" ];"),
	  "x.conf:5: missing required key (esp_proposals)" },
	/* name */
	{ PEER_L5("{ name = \"branch a\"; remote = \"10.10.0.2\"; trustpoint = \"LAB-CA\";", ""),
	  "x.conf:5: peer name must be 1 to 31 characters from A-Z a-z 0-9 _ - (branch a)" },
	{ PEER("}, { name = \"b1\";"), "x.conf:8: duplicate peer name, first at line 5 (b1)" },
	{ BASE PEER_TP MANUAL_SA "peers = (\n"
	  "{ name = \"lab1\"; remote = \"10.10.0.2\"; trustpoint = \"LAB-CA\"; }\n);\n",
	  "x.conf:10: peer name is a manual SA's name, at line 4 (lab1)" },
	/* ike_version, remote, ids, trustpoint */
	{ PEER("  ike_version = 3;"), "x.conf:8: ike_version must be between 1 and 2 (3)" },
	{ PEER("  ike_version = \"2\";"), "x.conf:8: ike_version must be an integer (\"2\")" },
	{ PEER_L5("{ name = \"b1\"; remote = \"peer.lab\"; trustpoint = \"LAB-CA\";", ""),
	  "x.conf:5: remote must be an IP address or \"any\" (peer.lab)" },
	{ PEER_L5("{ name = \"b1\"; remote = \"ANY\"; trustpoint = \"LAB-CA\";", ""),
	  "x.conf:5: remote must be an IP address or \"any\" (ANY)" },
	{ PEER_L5("{ name = \"b1\"; remote = \"224.0.0.5\"; trustpoint = \"LAB-CA\";", ""),
	  "x.conf:5: remote must be a unicast address (224.0.0.5)" },
	{ PEER_L5("{ name = \"b1\"; remote = \"any\"; trustpoint = \"LAB-CA\";", ""),
	  "x.conf:5: peer \"b1\": remote = \"any\" needs remote_id, or any certificate of the "
	  "trustpoint could claim its selectors (any)" },
	{ PEER_L5("{ name = \"b1\"; remote = \"any\"; trustpoint = \"LAB-CA\";",
		  "  remote_id = \"CN=x\";\n  initiate = \"start\";"),
	  "x.conf:9: peer \"b1\": initiate needs a remote address, not \"any\" (start)" },
	{ PEER("  remote_id = \"CN=\";"),
	  "x.conf:8: remote_id must be a DN of KEY=value parts separated by commas, like "
	  "\"CN=gw, O=Lab\" (CN=)" },
	{ PEER("  local_id = \"ipv4:gw\";"),
	  "x.conf:8: local_id must be an IPv4 address after ipv4: (ipv4:gw)" },
	{ PEER("  local_id = [ \"gw\" ];"), "x.conf:8: local_id must be a string ([ ... ])" },
	{ PEER_L5("{ name = \"b1\"; remote = \"10.10.0.2\"; trustpoint = \"lab-ca\";", ""),
	  "x.conf:5: trustpoint names no pki trustpoint (lab-ca)" },
	{ EAL IF_A "peers = (\n"
	  "{ name = \"b1\"; remote = \"10.10.0.2\"; trustpoint = \"LAB-CA\"; } );\n",
	  "x.conf:4: trustpoint names no pki trustpoint (LAB-CA)" },
	/* proposals */
	{ PEER_PROPS("  ike_proposals = [ \"aes129-sha256-modp2048\" ]; esp_proposals = [ \"aes128gcm16\" ];"),
	  "x.conf:6: ike_proposals entry has an unknown word aes129 (aes129-sha256-modp2048)" },
	{ PEER_PROPS("  ike_proposals = [ \"aes128-sha256-modp2048\",\n"
		     "    \"aes128gcm16-ecp384\" ]; esp_proposals = [ \"aes128gcm16\" ];"),
	  "x.conf:7: ike_proposals entry has no PRF: add prfsha256, prfsha384 or prfsha512 "
	  "(aes128gcm16-ecp384)" },
	{ PEER_PROPS("  ike_proposals = [ \"aes128-sha1-modp2048\" ]; esp_proposals = [ \"aes128gcm16\" ];"),
	  "x.conf:6: ike_proposals entry has sha1, which is for ESP proposals only "
	  "(aes128-sha1-modp2048)" },
	{ PEER_PROPS("  ike_proposals = [ \"aes128-sha256\" ]; esp_proposals = [ \"aes128gcm16\" ];"),
	  "x.conf:6: ike_proposals entry has no DH group, which IKE needs (aes128-sha256)" },
	{ PEER_PROPS("  ike_proposals = [ \"aes128-sha256-modp2048\" ]; esp_proposals = [ \"aes128gcm16-esn\" ];"),
	  "x.conf:6: esp_proposals entry offers ESN only, which kernel-libipsec peers refuse: "
	  "write esn-noesn (aes128gcm16-esn)" },
	{ PEER_PROPS("  ike_proposals = [ \"aes128-sha256-modp2048\" ]; esp_proposals = [ \"aes128-sha256-prfsha256\" ];"),
	  "x.conf:6: esp_proposals entry has prfsha256, which is for IKE proposals only "
	  "(aes128-sha256-prfsha256)" },
	{ PEER_PROPS("  ike_proposals = [ \"aes128-sha256-modp2048\" ]; esp_proposals = [ \"aes128\" ];"),
	  "x.conf:6: esp_proposals entry has no integrity algorithm, which AES-CBC needs (aes128)" },
	{ PEER_PROPS("  ike_proposals = [ ]; esp_proposals = [ \"aes128gcm16\" ];"),
	  "x.conf:6: ike_proposals must list 1 to 8 proposals (none)" },
	{ PEER_PROPS("  ike_proposals = \"aes128-sha256-modp2048\"; esp_proposals = [ \"aes128gcm16\" ];"),
	  "x.conf:6: ike_proposals must be a list [ ... ] (\"aes128-sha256-modp2048\")" },
	{ PEER_PROPS("  ike_proposals = [ \"aes128-sha256-modp2048\" ];\n"
		     "  esp_proposals = [ \"aes128gcm16\", \"aes256gcm16\", \"aes128gcm16\" ];"),
	  "x.conf:7: duplicate proposal in esp_proposals (aes128gcm16)" },
	{ PEER_PROPS("  ike_proposals = [ \"aes128-sha256-modp2048\" ];\n  esp_proposals = [ "
		     "\"aes128gcm16\", \"aes256gcm16\", \"aes128-sha1\", \"aes128-sha256\", "
		     "\"aes128-sha384\", \"aes128-sha512\", \"aes256-sha1\", \"aes256-sha256\", "
		     "\"aes256-sha384\" ];"),
	  "x.conf:7: esp_proposals has more than 8 entries (9)" },
	{ PEER_PROPS("  ike_proposals = [ \"aes128-sha256-modp2048-aes256-sha384-sha512-ecp256-ecp384-"
		     "ecp521-x25519-aes128gcm16-prfsha256-prfsha384-prfsha512-sha2_256-aes256gcm16\" ];"),
	  "x.conf:6: ike_proposals entry must be at most 127 characters (\"aes128-sha256-modp2048-"
	  "aes256-sha384-sha512-ecp256-ecp384-ecp521-x25519-aes128gc...\")" },
	/* selectors */
	{ BASE PEER_TP "peers = (\n{ name = \"b1\"; remote = \"10.10.0.2\"; trustpoint = \"LAB-CA\";\n"
	  "  ike_proposals = [ \"aes128-sha256-modp2048\" ]; esp_proposals = [ \"aes128gcm16\" ];\n"
	  "  local_ts = [ \"192.168.10.1/24\" ]; remote_ts = [ \"172.16.1.0/24\" ]; }\n);\n",
	  "x.conf:7: local_ts entry has host bits set (192.168.10.1/24)" },
	{ BASE PEER_TP "peers = (\n{ name = \"b1\"; remote = \"10.10.0.2\"; trustpoint = \"LAB-CA\";\n"
	  "  ike_proposals = [ \"aes128-sha256-modp2048\" ]; esp_proposals = [ \"aes128gcm16\" ];\n"
	  "  local_ts = [ \"192.168.10.0/24\" ];\n  remote_ts = [ ]; }\n);\n",
	  "x.conf:8: remote_ts must list 1 to 4 prefixes (none)" },
	/* initiate, lifetimes, encap */
	{ PEER("  initiate = \"always\";"),
	  "x.conf:8: initiate must be \"none\", \"start\" or \"trap\" (always)" },
	{ PEER("  ike_lifetime = 299;"), "x.conf:8: ike_lifetime must be between 300 and 604800 (299)" },
	{ PEER("  ike_lifetime = 604801;"),
	  "x.conf:8: ike_lifetime must be between 300 and 604800 (604801)" },
	{ PEER("  child_lifetime = 119;"), "x.conf:8: child_lifetime must be between 120 and 86400 (119)" },
	{ PEER("  child_lifetime = 86401;"),
	  "x.conf:8: child_lifetime must be between 120 and 86400 (86401)" },
	{ PEER("  ike_lifetime = 3600;"),
	  "x.conf:8: peer \"b1\": child_lifetime must be below ike_lifetime 3600 (3600)" },
	{ PEER("  ike_lifetime = 600;\n  child_lifetime = 600;"),
	  "x.conf:9: peer \"b1\": child_lifetime must be below ike_lifetime 600 (600)" },
	{ PEER("  encap = \"yes\";"), "x.conf:8: encap must be true or false (\"yes\")" },
};

/* punt = { ... }: the rates, defaults and errors. */
static const struct err_case punt_err_cases[] = {
	{ BASE "punt = 5;\n", "x.conf:3: punt must be a group { ... } (5)" },
	{ BASE "punt = { arp_pps = 5; };\n", "x.conf:3: unknown key (arp_pps)" },
	{ BASE "punt = {\n neigh_pps = 0; };\n",
	  "x.conf:4: neigh_pps must be between 1 and 100000000 (0)" },
	{ BASE "punt = {\n ike_pps = 100000001; };\n",
	  "x.conf:4: ike_pps must be between 1 and 100000000 (100000001)" },
	{ BASE "punt = {\n ike_new_pps = -1; };\n",
	  "x.conf:4: ike_new_pps must be between 1 and 100000000 (-1)" },
	{ BASE "punt = {\n other_pps = \"10000\"; };\n",
	  "x.conf:4: other_pps must be an integer (\"10000\")" },
	{ BASE "punt = {\n other_pps = 1.5; };\n", "x.conf:4: other_pps must be an integer (1.5)" },
	{ BASE "punt = {\n ike_pps = 5000000000; };\n",
	  "x.conf:4: ike_pps must be between 1 and 100000000 (5000000000)" },
	{ BASE "punt = { ike_pps = 10; ike_pps = 20; };\n", NULL },	/* libconfig's own error */
};

/* events = { syslog; syslog_socket; }: defaults, every key, error lines. */
static void test_events(void)
{
	static const struct err_case cases[] = {
		{ BASE "events = { syslog = 1; };\n", NULL },
		{ BASE "events = { syslog_socket = \"dev/log\"; };\n",
		  "x.conf:3: syslog_socket must be an absolute path shorter than 108 characters"
		  " (\"dev/log\")" },
		{ BASE "events = { journal = true; };\n", NULL },
	};
	char err[CFG_ERR_MAX] = "";
	struct gw_cfg cfg;

	CU_ASSERT_EQUAL_FATAL(cfg_load_string(BASE, "e.conf", &cfg, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(cfg.events.syslog);
	CU_ASSERT_STRING_EQUAL(cfg.events.syslog_socket, "/dev/log");
	cfg_free(&cfg);
	CU_ASSERT_EQUAL_FATAL(cfg_load_string(BASE "events = { syslog = false;\n"
					      "  syslog_socket = \"/run/x.sock\"; };\n", "e.conf",
					      &cfg, err, sizeof(err)), 0);
	CU_ASSERT_FALSE(cfg.events.syslog);
	CU_ASSERT_STRING_EQUAL(cfg.events.syslog_socket, "/run/x.sock");
	cfg_free(&cfg);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		int rc = cfg_load_string(cases[i].text, "x.conf", &cfg, err, sizeof(err));

		CU_ASSERT_EQUAL(rc, -1);
		CU_ASSERT_TRUE(cfg_is_zero(&cfg));
		CU_ASSERT(strncmp(err, "x.conf:3: ", 10) == 0);
		if (cases[i].err != NULL)
			CU_ASSERT_STRING_EQUAL(err, cases[i].err);
		if (rc != -1 || (cases[i].err != NULL && strcmp(err, cases[i].err) != 0))
			fprintf(stderr, "\n  case %zu: got %s\n", i, err);
	}
}

static void test_punt(void)
{
	char err[CFG_ERR_MAX] = "";
	struct gw_cfg cfg;

	/* absent: the defaults */
	CU_ASSERT_EQUAL_FATAL(cfg_load_string(BASE, "p.conf", &cfg, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.punt.pps[CFG_PUNT_NEIGH], 5000);
	CU_ASSERT_EQUAL(cfg.punt.pps[CFG_PUNT_IKE], 20000);
	CU_ASSERT_EQUAL(cfg.punt.pps[CFG_PUNT_IKE_NEW], 10000);
	CU_ASSERT_EQUAL(cfg.punt.pps[CFG_PUNT_OTHER], 10000);
	cfg_free(&cfg);
	/* every key, and one alone with the others' defaults */
	CU_ASSERT_EQUAL_FATAL(cfg_load_string(BASE "punt = { neigh_pps = 1; ike_pps = 100000000;\n"
					      "  ike_new_pps = 77; other_pps = 0x10; };\n", "p.conf",
					      &cfg, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.punt.pps[CFG_PUNT_NEIGH], 1);
	CU_ASSERT_EQUAL(cfg.punt.pps[CFG_PUNT_IKE], 100000000);
	CU_ASSERT_EQUAL(cfg.punt.pps[CFG_PUNT_IKE_NEW], 77);
	CU_ASSERT_EQUAL(cfg.punt.pps[CFG_PUNT_OTHER], 16);
	cfg_free(&cfg);
	CU_ASSERT_EQUAL_FATAL(cfg_load_string(BASE "punt = { ike_new_pps = 500; };\n", "p.conf",
					      &cfg, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.punt.pps[CFG_PUNT_IKE_NEW], 500);
	CU_ASSERT_EQUAL(cfg.punt.pps[CFG_PUNT_IKE], 20000);
	cfg_free(&cfg);
	CU_ASSERT_STRING_EQUAL(cfg_punt_class_name(CFG_PUNT_IKE_NEW), "ike_new");
	CU_ASSERT_STRING_EQUAL(cfg_punt_class_name(CFG_PUNT_MAX), "?");
	CU_ASSERT_EQUAL(cfg_punt_default_pps(CFG_PUNT_MAX), 0);

	for (size_t i = 0; i < ARRAY_LEN(punt_err_cases); i++) {
		const struct err_case *c = &punt_err_cases[i];
		int rc = cfg_load_string(c->text, "x.conf", &cfg, err, sizeof(err));

		CU_ASSERT_EQUAL(rc, -1);
		CU_ASSERT_TRUE(cfg_is_zero(&cfg));
		if (c->err != NULL)
			CU_ASSERT_STRING_EQUAL(err, c->err);
		if (rc != -1 || (c->err != NULL && strcmp(err, c->err) != 0))
			fprintf(stderr, "\n  case %zu:\n%s  want: %s\n  got:  %s (rc %d)\n", i,
				c->text, c->err, err, rc);
	}
}

static void test_peer_errors(void)
{
	for (size_t i = 0; i < ARRAY_LEN(peer_err_cases); i++) {
		const struct err_case *c = &peer_err_cases[i];
		char err[CFG_ERR_MAX] = "";
		struct gw_cfg cfg;
		int rc = cfg_load_string(c->text, "x.conf", &cfg, err, sizeof(err));

		CU_ASSERT_EQUAL(rc, -1);
		CU_ASSERT_STRING_EQUAL(err, c->err);
		CU_ASSERT_TRUE(cfg_is_zero(&cfg));
		if (rc != -1 || strcmp(err, c->err) != 0)
			fprintf(stderr, "\n  case %zu:\n%s  want: %s\n  got:  %s (rc %d)\n", i, c->text,
				c->err, err, rc);
	}
}

/* A peer's selectors of two families, and the ts family rule. */
static void test_peer_ts_family(void)
{
	char err[CFG_ERR_MAX] = "";
	struct gw_cfg cfg;

	CU_ASSERT_EQUAL(cfg_load_string(BASE PEER_TP "peers = (\n"
		"{ name = \"b1\"; remote = \"10.10.0.2\"; trustpoint = \"LAB-CA\";\n"
		"  ike_proposals = [ \"aes128-sha256-modp2048\" ]; esp_proposals = [ \"aes128gcm16\" ];\n"
		"  local_ts = [ \"192.168.10.0/24\" ];\n  remote_ts = [ \"::/0\" ]; }\n);\n",
		"x.conf", &cfg, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "x.conf:8: peer \"b1\": remote_ts is not of local_ts's address "
			       "family (::/0)");
	CU_ASSERT_EQUAL(cfg_load_string(BASE PEER_TP "peers = (\n"
		"{ name = \"b1\"; remote = \"10.10.0.2\"; trustpoint = \"LAB-CA\";\n"
		"  ike_proposals = [ \"aes128-sha256-modp2048\" ]; esp_proposals = [ \"aes128gcm16\" ];\n"
		"  local_ts = [ \"192.168.10.0/24\",\n \"2001:db8::/32\" ];\n  remote_ts = [ \"::/0\" ]; }\n);\n",
		"x.conf", &cfg, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "x.conf:8: local_ts mixes IPv4 and IPv6 (2001:db8::/32)");
}

/* CFG_MAX_PEERS load; one more is refused. */
static void test_peer_limits(void)
{
	size_t cap = 1 << 20, n;
	char *text = malloc(cap);
	char err[CFG_ERR_MAX] = "";
	struct gw_cfg cfg;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	for (int extra = 0; extra < 2; extra++) {
		n = (size_t)snprintf(text, cap, BASE PEER_TP "peers = (");
		for (int i = 0; i < CFG_MAX_PEERS + extra; i++)
			n += (size_t)snprintf(text + n, cap - n,
				"%s{ name = \"p%d\"; remote = \"any\"; remote_id = \"CN=p%d\";\n"
				"  trustpoint = \"LAB-CA\"; ike_proposals = [ \"aes256gcm16-prfsha384-ecp384\","
				" \"aes128-sha256-modp2048\", \"aes128-sha256-x25519\", \"aes256-sha384-ecp384\","
				" \"aes128gcm16-prfsha256-curve25519\", \"aes256-sha512-ecp521\","
				" \"aes128-sha512-ecp256\", \"aes256-sha256-modp2048\" ];\n"
				"  esp_proposals = [ \"aes128gcm16\", \"aes256gcm16\", \"aes128-sha1\","
				" \"aes128-sha256\", \"aes128-sha384\", \"aes128-sha512\", \"aes256-sha1\","
				" \"aes256-sha256-esn-noesn\" ];\n"
				"  local_ts = [ \"10.0.0.0/8\", \"192.168.0.0/16\", \"172.16.0.0/12\","
				" \"100.64.0.0/10\" ];\n"
				"  remote_ts = [ \"10.%d.%d.0/24\" ]; }", i ? ", " : "", i, i, i / 256, i % 256);
		snprintf(text + n, cap - n, ");\n");
		CU_ASSERT_TRUE_FATAL(n < cap - 8);
		if (extra == 0) {
			CU_ASSERT_EQUAL(cfg_load_string(text, "big.conf", &cfg, err, sizeof(err)), 0);
			CU_ASSERT_EQUAL(cfg.n_peers, CFG_MAX_PEERS);
			CU_ASSERT_EQUAL(cfg.peers[CFG_MAX_PEERS - 1].n_ike_proposals, CFG_MAX_PROPOSALS);
			CU_ASSERT_EQUAL(cfg.peers[CFG_MAX_PEERS - 1].n_esp_proposals, CFG_MAX_PROPOSALS);
			cfg_free(&cfg);
		} else {
			CU_ASSERT_EQUAL(cfg_load_string(text, "big.conf", &cfg, err, sizeof(err)), -1);
			CU_ASSERT_STRING_EQUAL(err, "big.conf:4: peers has more than 256 entries (257)");
		}
	}
	free(text);
}

int main(void)
{
	static const struct test_case tests[] = {
		{ "u32 reader and 64-bit widening", test_u32 },
		{ "widening keeps other values", test_widen_values },
		{ "bool/string/list readers", test_other_getters },
		{ "validate names, ports, groups", test_validate_names },
		{ "validate log_level", test_validate_log_level },
		{ "validate octal socket_mode", test_validate_octal },
		{ "validate addresses", test_validate_addrs },
		{ "validate mac and mtu", test_validate_mac_mtu },
		{ "validate af_packet framesz", test_validate_framesz },
		{ "example file cfg/ipsecgw.conf", test_example_file },
		{ "every key set", test_full_config },
		{ "defaults", test_defaults },
		{ "limits reached", test_limits },
		{ "error lines", test_errors },
		{ "too many entries", test_too_many },
		{ "error after allocation", test_error_after_allocation },
		{ "file errors", test_file_errors },
		{ "pki: every key set, defaults", test_pki_full },
		{ "pki: relative paths", test_pki_paths },
		{ "pki: error lines", test_pki_errors },
		{ "pki: limits", test_pki_limits },
		{ "manual_sas, policies: every key set", test_manual_sas },
		{ "manual_sas, policies: error lines", test_manual_sa_errors },
		{ "manual_sas, policies: limits", test_manual_sa_limits },
		{ "peers: identities", test_validate_id },
		{ "crypto, peers: every key set, defaults", test_peers },
		{ "crypto, peers: error lines", test_peer_errors },
		{ "peers: selector families", test_peer_ts_family },
		{ "peers: limits", test_peer_limits },
		{ "punt: rates, defaults, error lines", test_punt },
		{ "events: syslog, socket, defaults, error lines", test_events },
	};
	if (test_suite("cfg", NULL, NULL, tests, ARRAY_LEN(tests)) != 0)
		return 1;
	return test_run();
}
