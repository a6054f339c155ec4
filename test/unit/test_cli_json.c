/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ipsecgw-cli's JSON parser: valid documents and their values, a table of
 * malformed ones, every truncation of a reply, nesting at and past the
 * limit, and size bounds.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "controlplane/cli/cli_json.h"

static int parse(struct cj_doc *d, const char *text, char *err)
{
	return cj_parse(d, text, strlen(text), err, CJ_ERR_MAX);
}

static void test_reply(void)
{
	static const char txt[] =
		" {\"/ipsecgw/interface\":{\"name\":\"outside\",\"port_id\":0,\"mtu\":1500,"
		"\"addresses\":[\"10.10.0.1/24\",\"2001:db8::1/64\"],\"neg\":-7,"
		"\"empty\":[],\"obj\":{}}}\n";
	char err[CJ_ERR_MAX];
	struct cj_doc d;
	const struct cj_value *root, *b, *a;

	CU_ASSERT_FATAL(parse(&d, txt, err) == 0);
	root = cj_root(&d);
	CU_ASSERT_EQUAL(root->type, CJ_OBJECT);
	CU_ASSERT_EQUAL(root->n, 1);
	b = cj_member(&d, root, "/ipsecgw/interface");
	CU_ASSERT_FATAL(b != NULL && b->type == CJ_OBJECT);
	CU_ASSERT_EQUAL(b->n, 7);
	CU_ASSERT_STRING_EQUAL(cj_get_str(&d, b, "name", "?"), "outside");
	CU_ASSERT_EQUAL(cj_get_u64(&d, b, "mtu", 0), 1500);
	CU_ASSERT_EQUAL(cj_get_u64(&d, b, "port_id", 99), 0);
	/* A negative number or a missing key gives the default. */
	CU_ASSERT_EQUAL(cj_get_u64(&d, b, "neg", 42), 42);
	CU_ASSERT_EQUAL(cj_member(&d, b, "neg")->i, -7);
	CU_ASSERT_STRING_EQUAL(cj_get_str(&d, b, "nothing", "dflt"), "dflt");
	CU_ASSERT_STRING_EQUAL(cj_get_str(&d, b, "mtu", "not a string"), "not a string");
	a = cj_member(&d, b, "addresses");
	CU_ASSERT_FATAL(a != NULL && a->type == CJ_ARRAY && a->n == 2);
	CU_ASSERT_STRING_EQUAL(cj_at(&d, a, 0)->str, "10.10.0.1/24");
	CU_ASSERT_STRING_EQUAL(cj_at(&d, a, 1)->str, "2001:db8::1/64");
	CU_ASSERT_PTR_NULL(cj_at(&d, a, 2));
	CU_ASSERT_PTR_NULL(cj_first(&d, cj_member(&d, b, "empty")));
	CU_ASSERT_EQUAL(cj_member(&d, b, "obj")->type, CJ_OBJECT);
	CU_ASSERT_EQUAL(cj_member(&d, b, "obj")->n, 0);
	cj_free(&d);
}

static void test_siblings(void)
{
	char err[CJ_ERR_MAX];
	struct cj_doc d;
	const struct cj_value *root, *e;
	uint64_t want[] = { 1, 0, 4 };	/* 0: the nested array */
	int i = 0;

	CU_ASSERT_FATAL(parse(&d, "[1,[2,[3]],4]", err) == 0);
	root = cj_root(&d);
	CU_ASSERT_EQUAL(root->n, 3);
	for (e = cj_first(&d, root); e != NULL; e = cj_next(&d, e), i++) {
		if (want[i] == 0) {
			CU_ASSERT_EQUAL(e->type, CJ_ARRAY);
		} else {
			CU_ASSERT_EQUAL(e->u, want[i]);
		}
	}
	CU_ASSERT_EQUAL(i, 3);
	CU_ASSERT_EQUAL(cj_at(&d, cj_at(&d, cj_at(&d, root, 1), 1), 0)->u, 3);
	cj_free(&d);
}

static void test_literals_numbers(void)
{
	static const struct {
		const char *text;
		enum cj_type type;
		int is_uint, is_int;
		uint64_t u;
		int64_t i;
		double d;
	} cases[] = {
		{ "true", CJ_TRUE, 0, 0, 0, 0, 0 },
		{ "false", CJ_FALSE, 0, 0, 0, 0, 0 },
		{ "null", CJ_NULL, 0, 0, 0, 0, 0 },
		{ "0", CJ_NUMBER, 1, 1, 0, 0, 0 },
		{ "-0", CJ_NUMBER, 1, 1, 0, 0, 0 },
		{ "123", CJ_NUMBER, 1, 1, 123, 123, 123 },
		{ "-45", CJ_NUMBER, 0, 1, 0, -45, -45 },
		{ "1.5e3", CJ_NUMBER, 0, 0, 0, 0, 1500 },
		{ "2.25", CJ_NUMBER, 0, 0, 0, 0, 2.25 },
		{ "-1E-2", CJ_NUMBER, 0, 0, 0, 0, -0.01 },
		{ "18446744073709551615", CJ_NUMBER, 1, 0, UINT64_MAX, 0, 18446744073709551615.0 },
		{ "18446744073709551616", CJ_NUMBER, 0, 0, 0, 0, 18446744073709551616.0 },
		{ "9223372036854775807", CJ_NUMBER, 1, 1, INT64_MAX, INT64_MAX, 9223372036854775807.0 },
		{ "-9223372036854775808", CJ_NUMBER, 0, 1, 0, INT64_MIN, -9223372036854775808.0 },
		{ "-9223372036854775809", CJ_NUMBER, 0, 0, 0, 0, -9223372036854775809.0 },
	};
	char err[CJ_ERR_MAX];

	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct cj_doc d;
		const struct cj_value *v;

		CU_ASSERT_FATAL(parse(&d, cases[k].text, err) == 0);
		v = cj_root(&d);
		CU_ASSERT_EQUAL(v->type, cases[k].type);
		CU_ASSERT_EQUAL(v->is_uint, cases[k].is_uint);
		CU_ASSERT_EQUAL(v->is_int, cases[k].is_int);
		if (cases[k].is_uint) {
			CU_ASSERT_EQUAL(v->u, cases[k].u);
		}
		if (cases[k].is_int) {
			CU_ASSERT_EQUAL(v->i, cases[k].i);
		}
		if (v->type == CJ_NUMBER) {
			CU_ASSERT_DOUBLE_EQUAL(v->d, cases[k].d, 1e-9 * (1 + (cases[k].d < 0 ? -cases[k].d : cases[k].d)));
		}
		cj_free(&d);
	}
}

static void test_strings(void)
{
	static const struct {
		const char *text, *want;
		unsigned len;
	} cases[] = {
		{ "\"\"", "", 0 },
		{ "\"plain\"", "plain", 5 },
		{ "\"a\\\"b\\\\c\\/d\"", "a\"b\\c/d", 7 },
		{ "\"\\b\\f\\n\\r\\t\"", "\b\f\n\r\t", 5 },
		{ "\"\\u0041\\u00e9\\u20AC\"", "A\xc3\xa9\xe2\x82\xac", 6 },
		{ "\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4 },
		{ "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14 },
	};
	char err[CJ_ERR_MAX];

	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct cj_doc d;

		CU_ASSERT_FATAL(parse(&d, cases[k].text, err) == 0);
		CU_ASSERT_EQUAL(cj_root(&d)->type, CJ_STRING);
		CU_ASSERT_STRING_EQUAL(cj_root(&d)->str, cases[k].want);
		CU_ASSERT_EQUAL(cj_root(&d)->n, cases[k].len);
		cj_free(&d);
	}
}

static void test_malformed(void)
{
	static const struct {
		const char *text, *why;
	} cases[] = {
		{ "", "unexpected end" },
		{ "   ", "unexpected end" },
		{ "{", "unexpected end" },
		{ "[1,]", "unexpected character" },
		{ "[,1]", "unexpected character" },
		{ "{\"a\"}", "expected ':'" },
		{ "{\"a\":}", "unexpected character" },
		{ "{a:1}", "expected a member name" },
		{ "{\"a\":1,}", "expected a member name" },
		{ "{\"a\":1 \"b\":2}", "expected ',' or '}'" },
		{ "[1 2]", "expected ',' or ']'" },
		{ "[1}", "expected ',' or ']'" },
		{ "{\"a\":1]", "expected ',' or '}'" },
		{ "[]]", "trailing characters" },
		{ "{} x", "trailing characters" },
		{ "1 2", "trailing characters" },
		{ "01", "trailing characters" },
		{ "1.", "no digit after '.'" },
		{ ".5", "unexpected character" },
		{ "-", "bad number" },
		{ "-a", "bad number" },
		{ "1e", "no digit in exponent" },
		{ "1e+", "no digit in exponent" },
		{ "+1", "unexpected character" },
		{ "tru", "unexpected character" },
		{ "nul", "unexpected character" },
		{ "True", "unexpected character" },
		{ "NaN", "unexpected character" },
		{ "Infinity", "unexpected character" },
		{ "'a'", "unexpected character" },
		{ "\"abc", "unterminated string" },
		{ "\"abc\\", "unterminated string" },
		{ "\"\\x\"", "bad escape" },
		{ "\"\\u12\"  ", "bad hex digit" },
		{ "\"\\u12\"", "truncated \\u escape" },
		{ "\"\\u12", "truncated \\u escape" },
		{ "\"\\u12g4\"", "bad hex digit" },
		{ "\"\\ud800\"", "high surrogate without low" },
		{ "\"\\ud800\\u0041\"", "high surrogate without low" },
		{ "\"\\udc00\"", "lone low surrogate" },
		{ "\"\\u0000\"", "\\u0000 is not supported" },
		{ "\"a\x01\"", "control character" },
		{ "\"a\nb\"", "control character" },
		{ "\"\xff\"", "invalid UTF-8" },
		{ "\"\xc0\xaf\"", "invalid UTF-8" },		/* overlong '/' */
		{ "\"\xe0\x80\xaf\"", "invalid UTF-8" },	/* overlong */
		{ "\"\xed\xa0\x80\"", "invalid UTF-8" },	/* UTF-16 surrogate */
		{ "\"\xf4\x90\x80\x80\"", "invalid UTF-8" },	/* > U+10FFFF */
		{ "\"\xc3\"", "invalid UTF-8" },		/* cut sequence */
		{ "\"\xe2\x82\"", "invalid UTF-8" },
		{ "\"\x80\"", "invalid UTF-8" },		/* lone continuation */
	};
	char err[CJ_ERR_MAX];

	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct cj_doc d;

		err[0] = '\0';
		CU_ASSERT_EQUAL(parse(&d, cases[k].text, err), -1);
		if (strstr(err, cases[k].why) == NULL || strncmp(err, "offset ", 7) != 0) {
			fprintf(stderr, "\ncase %zu '%s': got '%s', want '%s'\n", k, cases[k].text,
				err, cases[k].why);
			CU_FAIL("wrong error message");
		}
		/* A failed parse leaves nothing to free, and cj_free is safe. */
		CU_ASSERT_PTR_NULL(d.v);
		cj_free(&d);
	}
	/* An embedded NUL is a character like any other: refused. */
	{
		struct cj_doc d;

		CU_ASSERT_EQUAL(cj_parse(&d, "[1,\0 2]", 7, err, sizeof(err)), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "offset 3"));
	}
}

/* Every proper prefix of a reply is an error, never a crash or a success. */
static void test_truncated(void)
{
	static const char txt[] =
		"{\"/ipsecgw/stats\":{\"rx_pkts\":12345,\"name\":\"a\\u00e9\\\"b\","
		"\"worker_rx_pkts\":[1,2,3],\"x\":-1.5e-3,\"t\":true,\"n\":null}}";
	char err[CJ_ERR_MAX];
	struct cj_doc d;
	size_t n = strlen(txt);

	CU_ASSERT_FATAL(cj_parse(&d, txt, n, err, sizeof(err)) == 0);
	cj_free(&d);
	for (size_t len = 0; len < n; len++) {
		/* A heap copy of exactly len bytes: ASan sees any over-read. */
		char *cut = malloc(len + 1);

		CU_ASSERT_FATAL(cut != NULL);
		memcpy(cut, txt, len);
		CU_ASSERT_EQUAL(cj_parse(&d, cut, len, err, sizeof(err)), -1);
		free(cut);
	}
}

static char *repeat_nest(unsigned depth)
{
	char *s = malloc(2 * (size_t)depth + 1);

	for (unsigned i = 0; i < depth; i++) {
		s[i] = '[';
		s[2 * (size_t)depth - 1 - i] = ']';
	}
	s[2 * (size_t)depth] = '\0';
	return s;
}

static void test_depth(void)
{
	char err[CJ_ERR_MAX];
	struct cj_doc d;
	char *s = repeat_nest(CJ_MAX_DEPTH);
	const struct cj_value *v;
	unsigned depth = 0;

	CU_ASSERT_FATAL(parse(&d, s, err) == 0);
	for (v = cj_root(&d); v != NULL; v = cj_first(&d, v))
		depth++;
	CU_ASSERT_EQUAL(depth, CJ_MAX_DEPTH);
	cj_free(&d);
	free(s);

	s = repeat_nest(CJ_MAX_DEPTH + 1);
	CU_ASSERT_EQUAL(parse(&d, s, err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "nested too deep"));
	free(s);

	/* A very deep input costs no stack: refused at the limit. */
	s = malloc(1000001);
	memset(s, '[', 1000000);
	s[1000000] = '\0';
	CU_ASSERT_EQUAL(parse(&d, s, err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "nested too deep"));
	free(s);

	/* Objects count too. */
	s = malloc(6 * (CJ_MAX_DEPTH + 1) + 8);
	s[0] = '\0';
	for (int i = 0; i <= CJ_MAX_DEPTH; i++)
		strcat(s, "{\"a\":");
	CU_ASSERT_EQUAL(parse(&d, s, err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "nested too deep"));
	free(s);
	CU_ASSERT_EQUAL(parse(&d, "{\"a\":[{\"b\":[{\"c\":[]}]}]}", err), 0);
	cj_free(&d);
}

static void test_bounds(void)
{
	enum { N = 200000 };
	char err[CJ_ERR_MAX];
	struct cj_doc d;
	char *s = malloc(2 * N + 2);
	size_t pos = 0;

	/* Many values: the tree grows, and every element is reachable. */
	s[pos++] = '[';
	for (int i = 0; i < N; i++) {
		s[pos++] = (char)('0' + i % 10);
		s[pos++] = i + 1 < N ? ',' : ']';
	}
	CU_ASSERT_FATAL(cj_parse(&d, s, pos, err, sizeof(err)) == 0);
	CU_ASSERT_EQUAL(cj_root(&d)->n, N);
	{
		unsigned k = 0, ok = 1;

		for (const struct cj_value *e = cj_first(&d, cj_root(&d)); e != NULL;
		     e = cj_next(&d, e), k++)
			ok &= e->u == k % 10;
		CU_ASSERT_EQUAL(k, N);
		CU_ASSERT(ok);
	}
	cj_free(&d);
	free(s);

	/* Longer than CJ_MAX_INPUT: refused before anything is allocated. */
	CU_ASSERT_EQUAL(cj_parse(&d, "[]", (size_t)CJ_MAX_INPUT + 1, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "input too long"));

	/* A number longer than the parser copies. */
	s = malloc(1002);
	memset(s, '1', 1001);
	s[1001] = '\0';
	CU_ASSERT_EQUAL(parse(&d, s, err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "number too long"));
	free(s);

	/* A tiny error buffer is not overrun. */
	{
		char small[8];

		memset(small, 'x', sizeof(small));
		CU_ASSERT_EQUAL(cj_parse(&d, "[1,", 3, small, 4), -1);
		CU_ASSERT_EQUAL(small[3], '\0');
		CU_ASSERT_EQUAL(small[4], 'x');
	}
}

static void test_duplicates(void)
{
	char err[CJ_ERR_MAX];
	struct cj_doc d;

	/* Duplicate keys are legal JSON; lookups see the first. */
	CU_ASSERT_FATAL(parse(&d, "{\"a\":1,\"a\":2}", err) == 0);
	CU_ASSERT_EQUAL(cj_get_u64(&d, cj_root(&d), "a", 0), 1);
	CU_ASSERT_EQUAL(cj_root(&d)->n, 2);
	/* Accessors are NULL-safe and type-checked. */
	CU_ASSERT_PTR_NULL(cj_member(&d, NULL, "a"));
	CU_ASSERT_PTR_NULL(cj_at(&d, cj_root(&d), 0));
	CU_ASSERT_PTR_NULL(cj_first(&d, cj_first(&d, cj_root(&d))));
	cj_free(&d);
}

int main(void)
{
	CU_pSuite s;
	unsigned failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("cli_json", NULL, NULL);
	CU_add_test(s, "telemetry reply", test_reply);
	CU_add_test(s, "sibling links", test_siblings);
	CU_add_test(s, "literals and numbers", test_literals_numbers);
	CU_add_test(s, "strings and escapes", test_strings);
	CU_add_test(s, "malformed input", test_malformed);
	CU_add_test(s, "every truncation fails", test_truncated);
	CU_add_test(s, "nesting depth", test_depth);
	CU_add_test(s, "size bounds", test_bounds);
	CU_add_test(s, "duplicate keys, accessors", test_duplicates);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed() +
		 CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return failed == 0 ? 0 : 1;
}
