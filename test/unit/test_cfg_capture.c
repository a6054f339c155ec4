/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * capture = { dir; max_bytes; mbufs; } (cfg/cfg_capture.c): the defaults
 * with and without the group, every key set, and each mistake as one
 * "FILE:LINE: what is wrong (the value)" line.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "cfg/cfg.h"
#include "cfg/cfg_internal.h"
#include "test/unit/test_eal.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Lines 1-2; the capture group starts on line 3. */
#define BASE "eal = [ \"--no-huge\" ];\n" \
	"interfaces = ( { name = \"outside\"; port = \"p0\"; address = \"10.0.0.1/24\"; } );\n"

static int load(const char *text, struct gw_cfg *cfg, char *err, size_t len)
{
	return cfg_load_string(text, "c.conf", cfg, err, len);
}

static void test_defaults(void)
{
	char err[CFG_ERR_MAX];
	struct gw_cfg cfg;

	CU_ASSERT_EQUAL_FATAL(load(BASE, &cfg, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(cfg.capture.dir, "/var/lib/ipsecgw/capture");
	CU_ASSERT_EQUAL(cfg.capture.max_bytes, 1u << 30);
	CU_ASSERT_EQUAL(cfg.capture.mbufs, 4096);
	cfg_free(&cfg);
	CU_ASSERT_EQUAL_FATAL(load(BASE "capture = { };\n", &cfg, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(cfg.capture.dir, CFG_CAPTURE_DIR_DEFAULT);
	CU_ASSERT_EQUAL(cfg.capture.max_bytes, CFG_CAPTURE_MAX_BYTES_DEFAULT);
	CU_ASSERT_EQUAL(cfg.capture.mbufs, CFG_CAPTURE_MBUFS_DEFAULT);
	cfg_free(&cfg);
}

static void test_every_key(void)
{
	char err[CFG_ERR_MAX];
	struct gw_cfg cfg;

	CU_ASSERT_EQUAL_FATAL(load(BASE "capture = { dir = \"/srv/cap//\"; max_bytes = 4096;"
				   " mbufs = 32; };\n", &cfg, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(cfg.capture.dir, "/srv/cap");	/* trailing '/' dropped */
	CU_ASSERT_EQUAL(cfg.capture.max_bytes, 4096);
	CU_ASSERT_EQUAL(cfg.capture.mbufs, 32);
	cfg_free(&cfg);
	CU_ASSERT_EQUAL_FATAL(load(BASE "capture = { max_bytes = 4294967295; mbufs = 0; };\n",
				   &cfg, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.capture.max_bytes, UINT32_MAX);
	CU_ASSERT_EQUAL(cfg.capture.mbufs, 0);		/* no capture pool */
	cfg_free(&cfg);
	CU_ASSERT_EQUAL_FATAL(load(BASE "capture = { mbufs = 1048576; dir = \"/a/.b/c..d\"; };\n",
				   &cfg, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.capture.mbufs, 1u << 20);
	CU_ASSERT_STRING_EQUAL(cfg.capture.dir, "/a/.b/c..d");
	cfg_free(&cfg);
}

struct err_case {
	const char *text;
	const char *err;
};

static const struct err_case err_cases[] = {
	{ BASE "capture = { dir = \"cap\"; };\n",
	  "c.conf:3: capture dir must be an absolute path (\"cap\")" },
	{ BASE "capture = { dir = \"/\"; };\n",
	  "c.conf:3: capture dir must not be the root directory (\"/\")" },
	{ BASE "capture = { dir = \"/var/lib/../../etc\"; };\n",
	  "c.conf:3: capture dir must not have \".\" or \"..\" components (\"/var/lib/../../etc\")" },
	{ BASE "capture = { dir = \"/var/./cap\"; };\n",
	  "c.conf:3: capture dir must not have \".\" or \"..\" components (\"/var/./cap\")" },
	{ BASE "capture = { dir = \"/var/cap/..\"; };\n",
	  "c.conf:3: capture dir must not have \".\" or \"..\" components (\"/var/cap/..\")" },
	{ BASE "capture = { dir = \"/var/c\\tap\"; };\n",
	  "c.conf:3: capture dir must not contain control characters (\"/var/c?ap\")" },
	{ BASE "capture = { dir = 5; };\n", "c.conf:3: dir must be a string (5)" },
	{ BASE "capture = {\n max_bytes = 4095; };\n",
	  "c.conf:4: max_bytes must be between 4096 and 4294967295 (4095)" },
	{ BASE "capture = { max_bytes = 4294967296; };\n",
	  "c.conf:3: max_bytes does not fit in 32 bits (4294967296)" },
	{ BASE "capture = { mbufs = 31; };\n",
	  "c.conf:3: capture mbufs must be 0 (no capture) or 32..1048576 (31)" },
	{ BASE "capture = { mbufs = 1048577; };\n",
	  "c.conf:3: mbufs must be between 0 and 1048576 (1048577)" },
	{ BASE "capture = { mbufs = -1; };\n",
	  "c.conf:3: mbufs must not be negative (-1)" },
	{ BASE "capture = { snaplen = 100; };\n", "c.conf:3: unknown key (snaplen)" },
	{ BASE "capture = ( );\n", "c.conf:3: capture must be a group { ... } (( ... ))" },
};

static void test_errors(void)
{
	for (size_t i = 0; i < ARRAY_LEN(err_cases); i++) {
		const struct err_case *c = &err_cases[i];
		char err[CFG_ERR_MAX] = "";
		struct gw_cfg cfg;
		int rc = load(c->text, &cfg, err, sizeof(err));

		CU_ASSERT_EQUAL(rc, -1);
		CU_ASSERT_STRING_EQUAL(err, c->err);
		if (rc != -1 || strcmp(err, c->err) != 0)
			fprintf(stderr, "\n  case %zu:\n%s  want: %s\n  got:  %s (rc %d)\n", i,
				c->text, c->err, err, rc);
		if (rc == 0)
			cfg_free(&cfg);
	}
}

/* The long-path limit: 255 characters fit, 256 do not. */
static void test_dir_length(void)
{
	char text[1024], dir[300], err[CFG_ERR_MAX];
	struct gw_cfg cfg;

	memset(dir, 'a', sizeof(dir));
	dir[0] = '/';
	dir[CFG_PATH_MAX - 1] = '\0';
	snprintf(text, sizeof(text), BASE "capture = { dir = \"%s\"; };\n", dir);
	CU_ASSERT_EQUAL_FATAL(load(text, &cfg, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(strlen(cfg.capture.dir), CFG_PATH_MAX - 1);
	cfg_free(&cfg);
	dir[CFG_PATH_MAX - 1] = 'a';
	dir[CFG_PATH_MAX] = '\0';
	snprintf(text, sizeof(text), BASE "capture = { dir = \"%s\"; };\n", dir);
	CU_ASSERT_EQUAL(load(text, &cfg, err, sizeof(err)), -1);
	CU_ASSERT_NSTRING_EQUAL(err, "c.conf:3: capture dir is too long (\"/aaa", 36);
}

/* The example configuration's capture group, if any, loads. */
static void test_example(void)
{
	char err[CFG_ERR_MAX];
	struct gw_cfg cfg;

	CU_ASSERT_EQUAL_FATAL(cfg_load(test_srcpath("cfg/ipsecgw.conf"), &cfg, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg_validate_capture_dir(cfg.capture.dir), NULL);
	CU_ASSERT(cfg.capture.max_bytes >= CFG_CAPTURE_MIN_BYTES);
	cfg_free(&cfg);
}

int main(void)
{
	static const struct test_case tests[] = {
		{ "defaults", test_defaults },
		{ "every key set", test_every_key },
		{ "error lines", test_errors },
		{ "dir length", test_dir_length },
		{ "example file", test_example },
	};

	if (test_suite("cfg_capture", NULL, NULL, tests, ARRAY_LEN(tests)) != 0)
		return 1;
	return test_run();
}
