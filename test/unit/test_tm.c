/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry: the reply builder and its limits, exact JSON rendering, the
 * list convention over more than one page, the request bridge between
 * DPDK's telemetry threads and the CP loop (timeouts, shutdown,
 * concurrency), the socket's mode and group, and the gateway's commands
 * on a real data plane, through the real telemetry socket.
 *
 * The test's main thread plays the CP loop: it services the eventfd that
 * cp_tm_init() returns while client threads query the socket.
 */

#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <rte_eal.h>

#include "controlplane/cp_neigh.h"
#include "controlplane/cp_stats.h"
#include "controlplane/ikev2/ikev2.h"
#include "controlplane/cp_tm.h"
#include "controlplane/tm_socket.h"
#include "dataplane/dp.h"
#include "dataplane/dp_route.h"
#include "dataplane/dp_stats.h"
#include "test/unit/test_dp.h"
#include "test/unit/test_eal.h"

enum { JSON_MAX = 32768 };

static char J[JSON_MAX];

/* Render r into J; the length must be exactly what the builder predicted. */
static const char *render(const struct tm_reply *r)
{
	int n = tm_reply_json(r, J, sizeof(J));

	CU_ASSERT_FATAL(n >= 0);
	CU_ASSERT_EQUAL((size_t)n, strlen(J));
	CU_ASSERT_EQUAL((size_t)n, tm_reply_json_len(r));
	CU_ASSERT((size_t)n <= TM_MAX_BYTES);
	return J;
}

static unsigned count_char(const char *s, char c)
{
	unsigned n = 0;

	for (; *s != '\0'; s++)
		n += *s == c;
	return n;
}

/* ---------------------------------------------------------------- builder */

static void test_json_exact(void)
{
	struct tm_reply *r = tm_reply_new();

	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_STRING_EQUAL(render(r), "{}");
	CU_ASSERT_EQUAL(tm_add_u64(r, "a", 0), 0);
	CU_ASSERT_EQUAL(tm_add_u64(r, "big", UINT64_MAX), 0);
	CU_ASSERT_EQUAL(tm_add_i64(r, "neg", -5), 0);
	CU_ASSERT_EQUAL(tm_add_i64(r, "min", INT32_MIN), 0);
	CU_ASSERT_EQUAL(tm_add_i64(r, "large", 5000000000LL), 0);
	CU_ASSERT_EQUAL(tm_add_str(r, "s", "hi there"), 0);
	CU_ASSERT_EQUAL(tm_add_str(r, "e", ""), 0);
	CU_ASSERT_EQUAL(tm_array_u64(r, "u"), 0);
	for (uint64_t i = 1; i <= 3; i++)
		CU_ASSERT_EQUAL(tm_elem_u64(r, i), 0);
	CU_ASSERT_EQUAL(tm_array_str(r, "v"), 0);
	CU_ASSERT_EQUAL(tm_elem_str(r, "x"), 0);
	CU_ASSERT_EQUAL(tm_elem_str(r, "y z"), 0);
	CU_ASSERT_EQUAL(tm_array_u64(r, "Empty_9"), 0);
	CU_ASSERT_STRING_EQUAL(render(r),
		"{\"a\":0,\"big\":18446744073709551615,\"neg\":-5,\"min\":-2147483648,"
		"\"large\":5000000000,\"s\":\"hi there\",\"e\":\"\",\"u\":[1,2,3],"
		"\"v\":[\"x\",\"y z\"],\"Empty_9\":[]}");
	CU_ASSERT_FALSE(tm_reply_truncated(r));
	CU_ASSERT_FALSE(tm_reply_is_error(r));
	/* A buffer one byte short is refused, not overrun. */
	CU_ASSERT_EQUAL(tm_reply_json(r, J, tm_reply_json_len(r)), -ENOSPC);
	tm_reply_free(r);
}

static void test_strings(void)
{
	char a127[TM_MAX_STR + 1], a128[TM_MAX_STR + 2], b1000[1001];
	char want[2 * TM_MAX_STR + 64];
	struct tm_reply *r = tm_reply_new();

	memset(a127, 'a', TM_MAX_STR);
	a127[TM_MAX_STR] = '\0';
	snprintf(a128, sizeof(a128), "%sZ", a127);
	memset(b1000, 'b', 1000);
	b1000[1000] = '\0';

	/* 127 characters fit as they are. */
	tm_add_str(r, "fits", a127);
	snprintf(want, sizeof(want), "{\"fits\":\"%s\"}", a127);
	CU_ASSERT_STRING_EQUAL(render(r), want);
	tm_reply_free(r);

	/* One more, or many more: 126 characters and "~", visibly cut. */
	r = tm_reply_new();
	tm_add_str(r, "cut", a128);
	tm_array_str(r, "arr");
	tm_elem_str(r, b1000);
	snprintf(want, sizeof(want), "{\"cut\":\"%.*s~\",\"arr\":[\"%.*s~\"]}",
		 TM_MAX_STR - 1, a127, TM_MAX_STR - 1, b1000);
	CU_ASSERT_STRING_EQUAL(render(r), want);
	CU_ASSERT_FALSE(tm_reply_truncated(r));	/* a cut string is not a cut reply */
	tm_reply_free(r);

	/* Characters JSON would need to escape, controls and non-ASCII: '?'. */
	r = tm_reply_new();
	tm_add_str(r, "s", "a\"b\\c\nd\te\x7f" "f\xc3\xa9g");
	CU_ASSERT_STRING_EQUAL(render(r), "{\"s\":\"a?b?c?d?e?f??g\"}");
	tm_reply_free(r);
}

static void test_entry_cap(void)
{
	struct tm_reply *r = tm_reply_new();
	char key[16];
	int ok = 0, nospc = 0, ret;

	for (int i = 0; i < 300; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		ret = tm_add_u64(r, key, (uint64_t)i);
		ok += ret == 0;
		nospc += ret == -ENOSPC;
	}
	/* 255 entries and the "truncated" marker: 256, DPDK's limit. */
	CU_ASSERT_EQUAL(ok, TM_MAX_ENTRIES - 1);
	CU_ASSERT_EQUAL(nospc, 300 - (TM_MAX_ENTRIES - 1));
	CU_ASSERT(tm_reply_truncated(r));
	render(r);
	CU_ASSERT_EQUAL(count_char(J, ':'), TM_MAX_ENTRIES);
	CU_ASSERT_PTR_NOT_NULL(strstr(J, "\"k254\":254,\"truncated\":1}"));
	CU_ASSERT_PTR_NULL(strstr(J, "\"k255\""));
	tm_reply_free(r);
}

static void test_array_cap(void)
{
	struct tm_reply *r = tm_reply_new();
	int ok = 0;

	tm_add_str(r, "before", "x");
	tm_array_u64(r, "a");
	for (int i = 0; i < 600; i++)
		ok += tm_elem_u64(r, (uint64_t)i % 10) == 0;
	CU_ASSERT_EQUAL(ok, TM_MAX_ARRAY);
	CU_ASSERT(tm_reply_truncated(r));
	/* Everything after the first refusal is ignored. */
	CU_ASSERT_EQUAL(tm_add_u64(r, "after", 1), -ENOSPC);
	render(r);
	CU_ASSERT_EQUAL(count_char(J, ','), 1 + (TM_MAX_ARRAY - 1) + 1);
	CU_ASSERT_PTR_NULL(strstr(J, "after"));
	CU_ASSERT_PTR_NOT_NULL(strstr(J, "],\"truncated\":1}"));
	tm_reply_free(r);
}

static void test_size_cap(void)
{
	struct tm_reply *r = tm_reply_new();
	char big[TM_MAX_STR + 1], key[16];
	int i, ret = 0;

	memset(big, 'x', TM_MAX_STR);
	big[TM_MAX_STR] = '\0';
	for (i = 0; i < 200 && ret == 0; i++) {
		snprintf(key, sizeof(key), "s%d", i);
		ret = tm_add_str(r, key, big);
	}
	CU_ASSERT_EQUAL(ret, -ENOSPC);
	CU_ASSERT(i < TM_MAX_ENTRIES);		/* the byte cap, not the entry cap */
	CU_ASSERT(tm_reply_truncated(r));
	render(r);
	/* Full up to less than one more entry. */
	CU_ASSERT(strlen(J) > TM_MAX_BYTES - (TM_MAX_STR + 16));
	CU_ASSERT(strlen(J) <= TM_MAX_BYTES);
	tm_reply_free(r);
}

static void test_bad_use(void)
{
	static const char *const bad_keys[] = {
		"", "a-b", "a b", "a/b", "a.b", "\xc3\xa9", "truncated",
		"k234567890123456789012345678901234567890123456789012345678901234",
	};
	char key63[TM_MAX_KEY + 1];
	struct tm_reply *r;

	for (size_t i = 0; i < RTE_DIM(bad_keys); i++) {
		r = tm_reply_new();
		CU_ASSERT_EQUAL(tm_add_u64(r, bad_keys[i], 1), -EINVAL);
		CU_ASSERT(tm_reply_truncated(r));
		CU_ASSERT_STRING_EQUAL(render(r), "{\"truncated\":1}");
		tm_reply_free(r);
	}
	memset(key63, 'k', TM_MAX_KEY);
	key63[TM_MAX_KEY] = '\0';
	r = tm_reply_new();
	CU_ASSERT_EQUAL(tm_add_u64(r, key63, 1), 0);
	CU_ASSERT_EQUAL(tm_add_u64(r, key63, 2), -EEXIST);
	CU_ASSERT(tm_reply_truncated(r));
	tm_reply_free(r);

	r = tm_reply_new();
	CU_ASSERT_EQUAL(tm_elem_u64(r, 1), -EINVAL);		/* no array open */
	tm_reply_free(r);
	r = tm_reply_new();
	tm_array_u64(r, "a");
	CU_ASSERT_EQUAL(tm_elem_str(r, "x"), -EINVAL);		/* wrong type */
	tm_reply_free(r);
	r = tm_reply_new();
	tm_array_str(r, "a");
	tm_add_u64(r, "b", 1);
	CU_ASSERT_EQUAL(tm_elem_str(r, "x"), -EINVAL);		/* array closed */
	tm_reply_free(r);
	r = tm_reply_new();
	CU_ASSERT_EQUAL(tm_add_i64(r, "n", (int64_t)INT32_MIN - 1), -ERANGE);
	CU_ASSERT(tm_reply_truncated(r));
	tm_reply_free(r);
}

static void test_error_reply(void)
{
	struct tm_reply *r = tm_reply_new();
	char longmsg[400], want[TM_MAX_STR + 32];

	tm_add_u64(r, "a", 1);
	tm_array_u64(r, "b");
	tm_elem_u64(r, 2);
	tm_error(r, "no %s with ID %d", "thing", 7);
	CU_ASSERT(tm_reply_is_error(r));
	CU_ASSERT_STRING_EQUAL(render(r), "{\"error\":\"no thing with ID 7\"}");
	CU_ASSERT_EQUAL(tm_add_u64(r, "c", 3), -ENOSPC);
	CU_ASSERT_STRING_EQUAL(render(r), "{\"error\":\"no thing with ID 7\"}");
	tm_reply_free(r);

	r = tm_reply_new();
	memset(longmsg, 'm', sizeof(longmsg) - 1);
	longmsg[sizeof(longmsg) - 1] = '\0';
	tm_error(r, "%s", longmsg);
	snprintf(want, sizeof(want), "{\"error\":\"%.*s~\"}", TM_MAX_STR - 1, longmsg);
	CU_ASSERT_STRING_EQUAL(render(r), want);
	tm_reply_free(r);
}

/* Random builder calls: the predicted length always matches, always fits. */
static void test_len_random(void)
{
	char key[16], str[300];
	unsigned seed = 12345;

	for (int round = 0; round < 200; round++) {
		struct tm_reply *r = tm_reply_new();
		int ops = rand_r(&seed) % 600;

		for (int i = 0; i < ops; i++) {
			int op = rand_r(&seed) % 7, len = rand_r(&seed) % 200;

			memset(str, 'a' + rand_r(&seed) % 26, (size_t)len);
			str[len] = '\0';
			snprintf(key, sizeof(key), "k%d", i);
			switch (op) {
			case 0: tm_add_u64(r, key, (uint64_t)rand_r(&seed) << 33); break;
			case 1: tm_add_i64(r, key, -(int64_t)rand_r(&seed) % 100000); break;
			case 2: tm_add_str(r, key, str); break;
			case 3: tm_array_u64(r, key); break;
			case 4: tm_array_str(r, key); break;
			case 5: tm_elem_u64(r, (uint64_t)rand_r(&seed)); break;
			default: tm_elem_str(r, str); break;
			}
		}
		render(r);
		tm_reply_free(r);
	}
}

/* ---------------------------------------------------------------- paging */

static unsigned fake_n;

static uint64_t fake_id(unsigned idx, void *arg)
{
	(void)arg;
	return 3ULL * idx + 7;		/* sparse, ascending */
}

static int fake_list(const char *params, struct tm_reply *r)
{
	return tm_list(r, params, fake_n, fake_id, NULL);
}

/* A number after "key": in J. */
static uint64_t json_u64(const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(J, pat);
	CU_ASSERT_FATAL(p != NULL);
	return strtoull(p + strlen(pat), NULL, 10);
}

/* The "ids" array of J into ids; their number. */
static unsigned json_ids(uint64_t *ids, unsigned max)
{
	const char *p = strstr(J, "\"ids\":[");
	unsigned n = 0;
	char *end;

	CU_ASSERT_FATAL(p != NULL);
	p += 7;
	while (*p != ']' && n < max) {
		ids[n++] = strtoull(p, &end, 10);
		CU_ASSERT_FATAL(end != p);
		p = *end == ',' ? end + 1 : end;
	}
	return n;
}

static int list_page(const char *params)
{
	return tm_run_to_json(fake_list, params, J, sizeof(J));
}

static void test_paging(void)
{
	uint64_t ids[2 * TM_PAGE], all[400];
	unsigned n, total = 0;
	char start[32];

	fake_n = 300;
	CU_ASSERT_FATAL(list_page(NULL) > 0);
	CU_ASSERT_EQUAL(json_u64("count"), 300);
	n = json_ids(ids, RTE_DIM(ids));
	CU_ASSERT_EQUAL(n, TM_PAGE);
	CU_ASSERT_EQUAL(json_u64("next"), fake_id(TM_PAGE, NULL));
	memcpy(all, ids, n * sizeof(ids[0]));
	total = n;

	snprintf(start, sizeof(start), "%" PRIu64, json_u64("next"));
	CU_ASSERT_FATAL(list_page(start) > 0);
	CU_ASSERT_EQUAL(json_u64("count"), 300);
	CU_ASSERT_EQUAL(json_u64("next"), 0);
	n = json_ids(ids, RTE_DIM(ids));
	CU_ASSERT_EQUAL(n, 300 - TM_PAGE);
	memcpy(all + total, ids, n * sizeof(ids[0]));
	total += n;
	/* Nothing dropped, nothing twice, in order. */
	CU_ASSERT_EQUAL(total, 300);
	for (unsigned i = 0; i < total; i++)
		CU_ASSERT_EQUAL(all[i], fake_id(i, NULL));

	/* START between two ids, explicit 0, past the end. */
	CU_ASSERT_FATAL(list_page("776") > 0);		/* ids 775, 778 */
	CU_ASSERT(json_ids(ids, RTE_DIM(ids)) == 300 - 257 && ids[0] == 778);
	CU_ASSERT_FATAL(list_page("0") > 0);
	CU_ASSERT(json_ids(ids, RTE_DIM(ids)) == TM_PAGE && ids[0] == 7);
	CU_ASSERT_FATAL(list_page("100000") > 0);
	CU_ASSERT_STRING_EQUAL(J, "{\"count\":300,\"next\":0,\"ids\":[]}");
}

static void test_paging_edges(void)
{
	static const char *const bad[] = {
		"abc", "-1", "+1", " 1", "1 ", "1,2", "0x10", "18446744073709551616",
	};
	uint64_t ids[2 * TM_PAGE];

	fake_n = 0;
	CU_ASSERT_FATAL(list_page(NULL) > 0);
	CU_ASSERT_STRING_EQUAL(J, "{\"count\":0,\"next\":0,\"ids\":[]}");
	fake_n = TM_PAGE;				/* exactly one page */
	CU_ASSERT_FATAL(list_page("") > 0);
	CU_ASSERT_EQUAL(json_ids(ids, RTE_DIM(ids)), TM_PAGE);
	CU_ASSERT_EQUAL(json_u64("next"), 0);
	fake_n = TM_PAGE + 1;				/* one more */
	CU_ASSERT_FATAL(list_page(NULL) > 0);
	CU_ASSERT_EQUAL(json_u64("next"), fake_id(TM_PAGE, NULL));
	for (size_t i = 0; i < RTE_DIM(bad); i++) {
		CU_ASSERT_FATAL(list_page(bad[i]) > 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(J, "{\"error\":\"bad START"));
	}
}

static void test_parse_id(void)
{
	uint64_t v;

	CU_ASSERT(tm_parse_id("0", &v) == 0 && v == 0);
	CU_ASSERT(tm_parse_id("18446744073709551615", &v) == 0 && v == UINT64_MAX);
	CU_ASSERT_EQUAL(tm_parse_id("18446744073709551616", &v), -ERANGE);
	CU_ASSERT_EQUAL(tm_parse_id(NULL, &v), -EINVAL);
	CU_ASSERT_EQUAL(tm_parse_id("", &v), -EINVAL);
	CU_ASSERT_EQUAL(tm_parse_id("1a", &v), -EINVAL);
	CU_ASSERT(tm_parse_start(NULL, &v) == 0 && v == 0);
	CU_ASSERT(tm_parse_start("", &v) == 0 && v == 0);
	CU_ASSERT(tm_parse_start("42", &v) == 0 && v == 42);
}

/* The strict parser (cp_tm.h), table-driven: every malformed form the
 * socket may send, refused with the right code, *out untouched. */
static void test_parse_u64_table(void)
{
	static const struct {
		const char *s;
		uint64_t max;
		int ret;
		uint64_t v;
	} t[] = {
		{ "0", UINT64_MAX, 0, 0 },
		{ "007", UINT64_MAX, 0, 7 },
		{ "18446744073709551615", UINT64_MAX, 0, UINT64_MAX },
		{ "00000000000000000001", UINT64_MAX, 0, 1 },		/* 20 digits */
		{ "000000000000000000001", UINT64_MAX, -ERANGE, 0 },	/* 21 */
		{ "18446744073709551616", UINT64_MAX, -ERANGE, 0 },
		{ "99999999999999999999", UINT64_MAX, -ERANGE, 0 },
		{ "99999999999999999999999999999999", UINT64_MAX, -ERANGE, 0 },
		{ "4294967295", UINT32_MAX, 0, UINT32_MAX },
		{ "4294967296", UINT32_MAX, -ERANGE, 0 },
		{ "2", 1, -ERANGE, 0 },
		{ "", UINT64_MAX, -EINVAL, 0 },
		{ "-1", UINT64_MAX, -EINVAL, 0 },
		{ "+1", UINT64_MAX, -EINVAL, 0 },
		{ "-0", UINT64_MAX, -EINVAL, 0 },
		{ "1x", UINT64_MAX, -EINVAL, 0 },
		{ "0x10", UINT64_MAX, -EINVAL, 0 },
		{ " 1", UINT64_MAX, -EINVAL, 0 },
		{ "1 ", UINT64_MAX, -EINVAL, 0 },
		{ "\t1", UINT64_MAX, -EINVAL, 0 },
		{ "1,2", UINT64_MAX, -EINVAL, 0 },
		{ ",", UINT64_MAX, -EINVAL, 0 },
		{ "1e3", UINT64_MAX, -EINVAL, 0 },
		{ "1.0", UINT64_MAX, -EINVAL, 0 },
		{ "\xd9\xa1", UINT64_MAX, -EINVAL, 0 },		/* Arabic-Indic one */
		{ "99999999999999999999x", UINT64_MAX, -EINVAL, 0 },	/* junk beats size */
	};
	uint64_t v;

	for (size_t i = 0; i < RTE_DIM(t); i++) {
		int ret;

		v = 12345;
		ret = tm_parse_u64(t[i].s, t[i].max, &v);
		if (ret != t[i].ret || v != (ret == 0 ? t[i].v : 12345))
			fprintf(stderr, "\n  tm_parse_u64('%s'): %d, %" PRIu64 "\n", t[i].s, ret, v);
		CU_ASSERT_EQUAL(ret, t[i].ret);
		CU_ASSERT_EQUAL(v, ret == 0 ? t[i].v : 12345);
	}
	CU_ASSERT_EQUAL(tm_parse_u64(NULL, UINT64_MAX, &v), -EINVAL);
}

static void test_parse_spi_bool_name(void)
{
	static const struct {
		const char *s;
		int ret;
		uint32_t v;
	} spi[] = {
		{ "0x1", 0, 1 }, { "0X1", 0, 1 }, { "0xdeadBEEF", 0, 0xdeadbeef },
		{ "0x00000001", 0, 1 }, { "4294967295", 0, UINT32_MAX }, { "4097", 0, 4097 },
		{ "0", -ERANGE, 0 }, { "0x0", -ERANGE, 0 }, { "0x00000000", -ERANGE, 0 },
		{ "0x100000000", -ERANGE, 0 }, { "0x000000001", -ERANGE, 0 },
		{ "4294967296", -ERANGE, 0 }, { "99999999999999999999", -ERANGE, 0 },
		{ "0x", -EINVAL, 0 }, { "0x0x10", -EINVAL, 0 }, { "0x1g", -EINVAL, 0 },
		{ "-1", -EINVAL, 0 }, { " 1", -EINVAL, 0 }, { "1 ", -EINVAL, 0 },
		{ "0x 1", -EINVAL, 0 }, { "0x-1", -EINVAL, 0 }, { "x10", -EINVAL, 0 }, { "", -EINVAL, 0 },
	};
	static const char *const names_ok[] = {
		"a", "LAB-CA", "lab_4", "-", "0123456789012345678901234567890",	/* 31 */
	};
	static const char *const names_bad[] = {
		"", "a b", "a,b", "a/b", "a.b", "a\"b", "a\\b", "a\nb", "\xc3\xa9", "*", "a=b", "a;b",
	};
	uint32_t u;
	bool b;

	for (size_t i = 0; i < RTE_DIM(spi); i++) {
		int ret;

		u = 777;
		ret = tm_parse_spi(spi[i].s, &u);
		if (ret != spi[i].ret)
			fprintf(stderr, "\n  tm_parse_spi('%s'): %d\n", spi[i].s, ret);
		CU_ASSERT_EQUAL(ret, spi[i].ret);
		CU_ASSERT_EQUAL(u, ret == 0 ? spi[i].v : 777);
	}
	CU_ASSERT_EQUAL(tm_parse_spi(NULL, &u), -EINVAL);
	CU_ASSERT(tm_parse_bool("0", &b) == 0 && !b);
	CU_ASSERT(tm_parse_bool("1", &b) == 0 && b);
	for (const char *const *x = (const char *const[]){ "", "2", "01", "00", "-0", "1 ", "on",
							    "true", "0x1", "1,1", NULL };
	     *x != NULL; x++)
		CU_ASSERT_EQUAL(tm_parse_bool(*x, &b), -EINVAL);
	CU_ASSERT_EQUAL(tm_parse_bool(NULL, &b), -EINVAL);
	for (size_t i = 0; i < RTE_DIM(names_ok); i++)
		CU_ASSERT_EQUAL(tm_parse_name(names_ok[i]), 0);
	for (size_t i = 0; i < RTE_DIM(names_bad); i++)
		CU_ASSERT_EQUAL(tm_parse_name(names_bad[i]), -EINVAL);
	CU_ASSERT_EQUAL(tm_parse_name("01234567890123456789012345678901"), -ERANGE);	/* 32 */
	CU_ASSERT_EQUAL(tm_parse_name(NULL), -EINVAL);
}

static void test_parse_kv_addr_usage(void)
{
	struct gw_addr a;
	const char *v = NULL;
	char json[512];
	struct tm_reply *r;

	CU_ASSERT(tm_parse_kv("id=7", "id", &v) == 0 && strcmp(v, "7") == 0);
	CU_ASSERT(tm_parse_kv("id=", "id", &v) == 0 && *v == '\0');
	CU_ASSERT_EQUAL(tm_parse_kv("idx=7", "id", &v), -ENOENT);
	CU_ASSERT_EQUAL(tm_parse_kv("ID=7", "id", &v), -ENOENT);
	CU_ASSERT_EQUAL(tm_parse_kv("id", "id", &v), -ENOENT);
	CU_ASSERT_EQUAL(tm_parse_kv(" id=7", "id", &v), -ENOENT);
	CU_ASSERT_EQUAL(tm_parse_kv(NULL, "id", &v), -ENOENT);
	CU_ASSERT(tm_parse_addr("10.10.0.2", &a) == 0 && a.family == AF_INET);
	CU_ASSERT(tm_parse_addr("2001:db8::1", &a) == 0 && a.family == AF_INET6);
	for (const char *const *x = (const char *const[]){ "", "10.10.0.256", " 10.10.0.2",
			"10.10.0.2 ", "10.10.0.2/32", "10.10.0.2,", "0x0a0a0002", "10.10.2", "::1%lo",
			"2001:db8::1::2", "[::1]", NULL };
	     *x != NULL; x++)
		CU_ASSERT_EQUAL(tm_parse_addr(*x, &a), -EINVAL);
	CU_ASSERT_EQUAL(tm_parse_addr(NULL, &a), -EINVAL);
	/* the one error reply: usage, the echo cut to 40 and made printable */
	r = tm_reply_new();
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(tm_usage(r, "/ipsecgw/x,N", "1\"2\\3\x01\xff" "456789012345678901234567890123456789XYZ"), -1);
	CU_ASSERT(tm_reply_is_error(r));
	CU_ASSERT(tm_reply_json(r, json, sizeof(json)) > 0);
	CU_ASSERT_STRING_EQUAL(json, "{\"error\":\"usage: /ipsecgw/x,N (got '1?2?3??"
			       "456789012345678901234567890123456')\"}");
	tm_reply_free(r);
	r = tm_reply_new();
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(tm_no_params(r, "/ipsecgw/x (no parameters)", NULL), 0);
	CU_ASSERT_EQUAL(tm_no_params(r, "/ipsecgw/x (no parameters)", ""), 0);
	CU_ASSERT(!tm_reply_is_error(r));
	CU_ASSERT_EQUAL(tm_no_params(r, "/ipsecgw/x (no parameters)", "1"), -1);
	CU_ASSERT(tm_reply_json(r, json, sizeof(json)) > 0);
	CU_ASSERT_STRING_EQUAL(json, "{\"error\":\"usage: /ipsecgw/x (no parameters) (got '1')\"}");
	tm_reply_free(r);
}

/* ---------------------------------------------------------------- the bridge */

static atomic_int h_calls;
static atomic_int h_sleep_ms;

static int h_fixed(const char *params, struct tm_reply *r)
{
	(void)params;
	atomic_fetch_add(&h_calls, 1);
	tm_add_u64(r, "u", UINT64_MAX);
	tm_add_i64(r, "i", -42);
	tm_add_str(r, "s", "with \"quotes\" and \\ backslash");
	tm_array_u64(r, "au");
	for (int i = 0; i < 5; i++)
		tm_elem_u64(r, (uint64_t)i * 1000000007ULL);
	tm_array_str(r, "as");
	tm_elem_str(r, "one");
	tm_elem_str(r, "two");
	tm_array_str(r, "empty");
	return 0;
}

/* Echoes its parameter: proves replies are never crossed. */
static int h_echo(const char *params, struct tm_reply *r)
{
	atomic_fetch_add(&h_calls, 1);
	tm_add_str(r, "echo", params != NULL ? params : "(none)");
	return 0;
}

static int h_slow(const char *params, struct tm_reply *r)
{
	(void)params;
	atomic_fetch_add(&h_calls, 1);
	usleep((useconds_t)atomic_load(&h_sleep_ms) * 1000);
	tm_add_u64(r, "slept", 1);
	return 0;
}

static int h_fails(const char *params, struct tm_reply *r)
{
	(void)params;
	(void)r;
	return -1;
}

static int h_big(const char *params, struct tm_reply *r)
{
	char key[16], val[TM_MAX_STR + 1];

	(void)params;
	memset(val, 'v', TM_MAX_STR);
	val[TM_MAX_STR] = '\0';
	for (int i = 0; i < TM_MAX_ENTRIES; i++) {
		snprintf(key, sizeof(key), "key_%d", i);
		tm_add_str(r, key, val);
	}
	return 0;
}

static int tm_efd = -1;

/* A client of the telemetry socket, as ipsecgw-cli or dpdk-telemetry.py. */
static int tc_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char greet[1024];
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

	if (fd < 0 || tm_socket_path(sa.sun_path, sizeof(sa.sun_path)) != 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    recv(fd, greet, sizeof(greet), 0) <= 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int tc_query(int fd, const char *cmd, char *out, size_t len)
{
	ssize_t n;

	if (send(fd, cmd, strlen(cmd), 0) < 0)
		return -1;
	n = recv(fd, out, len - 1, 0);
	if (n <= 0)
		return -1;
	out[n] = '\0';
	return (int)n;
}

struct client {
	pthread_t th;
	const char *cmd;		/* sent as "cmd" or "cmd,<i>" */
	int repeat;
	bool with_index;
	int mismatches;
	int failures;
	char last[16384];
	atomic_int done;
};

/* Replies are checked by the thread itself when with_index: echo of i. */
static void *client_main(void *arg)
{
	struct client *c = arg;
	char cmd[256], want[300];
	int fd = tc_connect();

	if (fd < 0) {
		c->failures = c->repeat;
		goto out;
	}
	for (int i = 0; i < c->repeat; i++) {
		if (c->with_index)
			snprintf(cmd, sizeof(cmd), "%s,%d", c->cmd, i);
		else
			snprintf(cmd, sizeof(cmd), "%s", c->cmd);
		if (tc_query(fd, cmd, c->last, sizeof(c->last)) < 0) {
			c->failures++;
			continue;
		}
		if (c->with_index) {
			snprintf(want, sizeof(want), "{\"%s\":{\"echo\":\"%d\"}}", c->cmd, i);
			c->mismatches += strcmp(c->last, want) != 0;
		}
	}
	close(fd);
out:
	atomic_store(&c->done, 1);
	return NULL;
}

static void client_start(struct client *c, const char *cmd, int repeat, bool with_index)
{
	memset(c, 0, sizeof(*c));
	c->cmd = cmd;
	c->repeat = repeat;
	c->with_index = with_index;
	CU_ASSERT_FATAL(pthread_create(&c->th, NULL, client_main, c) == 0);
}

/* Play the CP loop: service the eventfd until every client is done. */
static void cp_loop_until_done(struct client *cs, int n)
{
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN };
	bool all;

	CU_ASSERT_FATAL(ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, tm_efd, &ev) == 0);
	do {
		if (epoll_wait(ep, &ev, 1, 20) > 0)
			cp_tm_service();
		all = true;
		for (int i = 0; i < n; i++)
			all &= atomic_load(&cs[i].done) != 0;
	} while (!all);
	close(ep);
	for (int i = 0; i < n; i++)
		pthread_join(cs[i].th, NULL);
}

/* Wait (without servicing) until the eventfd says a request is queued. */
static void wait_queued(void)
{
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN };

	CU_ASSERT_FATAL(ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, tm_efd, &ev) == 0);
	CU_ASSERT_EQUAL(epoll_wait(ep, &ev, 1, 5000), 1);
	close(ep);
}

static int bridge_setup(void)
{
	static const struct {
		const char *name;
		tm_handler_fn fn;
	} cmds[] = {
		{ "t_fixed", h_fixed }, { "t_echo", h_echo }, { "t_slow", h_slow },
		{ "t_fails", h_fails }, { "t_big", h_big },
	};

	for (size_t i = 0; i < RTE_DIM(cmds); i++)
		if (cp_tm_register(cmds[i].name, cmds[i].fn, "test command") != 0)
			return -1;
	return 0;
}

static void test_register(void)
{
	char longname[64];

	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CU_ASSERT_EQUAL(cp_tm_register("t_fixed", h_fixed, "again"), -EEXIST);
	CU_ASSERT_EQUAL(cp_tm_register("Upper", h_fixed, "x"), -EINVAL);
	CU_ASSERT_EQUAL(cp_tm_register("a-b", h_fixed, "x"), -EINVAL);
	/* One '/' between two words is a namespace ("pki/crls"); no other use. */
	CU_ASSERT_EQUAL(cp_tm_register("/ab", h_fixed, "x"), -EINVAL);
	CU_ASSERT_EQUAL(cp_tm_register("ab/", h_fixed, "x"), -EINVAL);
	CU_ASSERT_EQUAL(cp_tm_register("a//b", h_fixed, "x"), -EINVAL);
	CU_ASSERT_EQUAL(cp_tm_register("a/b/c", h_fixed, "x"), -EINVAL);
	CU_ASSERT_EQUAL(cp_tm_register("a/B", h_fixed, "x"), -EINVAL);
	CU_ASSERT_EQUAL(cp_tm_register("/", h_fixed, "x"), -EINVAL);
	CU_ASSERT_EQUAL(cp_tm_register("t_ns/fixed", h_fixed, "a namespaced command"), 0);
	CU_ASSERT_EQUAL(cp_tm_register("t_ns/fixed", h_fixed, "again"), -EEXIST);
	CU_ASSERT_EQUAL(cp_tm_register("", h_fixed, "x"), -EINVAL);
	CU_ASSERT_EQUAL(cp_tm_register(longname, h_fixed, "x"), -EINVAL);
	CU_ASSERT_EQUAL(cp_tm_register("t_null", NULL, "x"), -EINVAL);
	longname[TM_MAX_NAME] = '\0';
	CU_ASSERT_EQUAL(cp_tm_register(longname, h_echo, "the longest name"), 0);
}

/* Before cp_tm_init() nothing is queued: an immediate error, no hang. */
static void test_not_running(void)
{
	char buf[1024];
	int fd = tc_connect();

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT(tc_query(fd, "/ipsecgw/t_fixed", buf, sizeof(buf)) > 0);
	CU_ASSERT_STRING_EQUAL(buf, "{\"/ipsecgw/t_fixed\":{\"error\":\"control plane not running\"}}");
	/* The gateway's own commands exist from program start (a constructor). */
	CU_ASSERT(tc_query(fd, "/ipsecgw/routes,0", buf, sizeof(buf)) > 0);
	CU_ASSERT_STRING_EQUAL(buf, "{\"/ipsecgw/routes\":{\"error\":\"control plane not running\"}}");
	close(fd);
	tm_efd = cp_tm_init();
	CU_ASSERT_FATAL(tm_efd >= 0);
	CU_ASSERT_EQUAL(cp_tm_init(), tm_efd);		/* idempotent */
}

/* DPDK's JSON for our reply is byte for byte what tm_reply_json() says. */
static void test_roundtrip_exact(void)
{
	struct client c;
	char want[JSON_MAX + 64];
	uint64_t served = cp_stats[CP_C_tm_requests];
	int n = tm_run_to_json(h_fixed, NULL, J, sizeof(J));

	CU_ASSERT_FATAL(n > 0);
	snprintf(want, sizeof(want), "{\"/ipsecgw/t_fixed\":%s}", J);
	client_start(&c, "/ipsecgw/t_fixed", 1, false);
	cp_loop_until_done(&c, 1);
	CU_ASSERT_EQUAL(c.failures, 0);
	CU_ASSERT_STRING_EQUAL(c.last, want);
	CU_ASSERT_EQUAL(cp_stats[CP_C_tm_requests], served + 1);

	/* A namespaced name goes through DPDK and our lookup alike. */
	snprintf(want, sizeof(want), "{\"/ipsecgw/t_ns/fixed\":%s}", J);
	client_start(&c, "/ipsecgw/t_ns/fixed", 1, false);
	cp_loop_until_done(&c, 1);
	CU_ASSERT_EQUAL(c.failures, 0);
	CU_ASSERT_STRING_EQUAL(c.last, want);

	/* The largest reply we can build still arrives whole, marker last. */
	n = tm_run_to_json(h_big, NULL, J, sizeof(J));
	CU_ASSERT_FATAL(n > 0);
	snprintf(want, sizeof(want), "{\"/ipsecgw/t_big\":%s}", J);
	client_start(&c, "/ipsecgw/t_big", 1, false);
	cp_loop_until_done(&c, 1);
	CU_ASSERT_STRING_EQUAL(c.last, want);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.last, ",\"truncated\":1}}"));

	/* A handler that fails without tm_error() still answers. */
	client_start(&c, "/ipsecgw/t_fails", 1, false);
	cp_loop_until_done(&c, 1);
	CU_ASSERT_STRING_EQUAL(c.last, "{\"/ipsecgw/t_fails\":{\"error\":\"command failed\"}}");
}

static void test_concurrent(void)
{
	enum { NCLIENTS = 4, REPEAT = 100 };
	struct client cs[NCLIENTS];
	uint64_t served = cp_stats[CP_C_tm_requests];
	int calls = atomic_load(&h_calls);

	for (int i = 0; i < NCLIENTS; i++)
		client_start(&cs[i], "/ipsecgw/t_echo", REPEAT, true);
	cp_loop_until_done(cs, NCLIENTS);
	for (int i = 0; i < NCLIENTS; i++) {
		CU_ASSERT_EQUAL(cs[i].failures, 0);
		CU_ASSERT_EQUAL(cs[i].mismatches, 0);
	}
	CU_ASSERT_EQUAL(atomic_load(&h_calls) - calls, NCLIENTS * REPEAT);
	CU_ASSERT_EQUAL(cp_stats[CP_C_tm_requests] - served, NCLIENTS * REPEAT);
}

static const char tm_timeout_reply[] =
	"{\"error\":\"timed out waiting for the control plane\"}}";

/* Serviced only after the caller gave up: never run, freed, counted. */
static void test_timeout_queued(void)
{
	struct client c;
	uint64_t timeouts = cp_stats[CP_C_tm_timeouts];
	int calls = atomic_load(&h_calls);

	client_start(&c, "/ipsecgw/t_echo", 1, false);
	wait_queued();
	pthread_join(c.th, NULL);		/* gets its answer without us */
	CU_ASSERT_PTR_NOT_NULL(strstr(c.last, tm_timeout_reply));
	CU_ASSERT_EQUAL(cp_stats[CP_C_tm_timeouts], timeouts);	/* not yet seen */
	cp_tm_service();
	CU_ASSERT_EQUAL(cp_stats[CP_C_tm_timeouts], timeouts + 1);
	CU_ASSERT_EQUAL(atomic_load(&h_calls), calls);		/* never run */
}

/* A handler slower than the timeout: the caller gets an error, the CP
 * finishes the handler later and frees the request. */
static void test_timeout_running(void)
{
	struct client c;
	uint64_t timeouts = cp_stats[CP_C_tm_timeouts];

	atomic_store(&h_sleep_ms, TM_TIMEOUT_MS + 300);
	client_start(&c, "/ipsecgw/t_slow", 1, false);
	wait_queued();
	cp_tm_service();			/* blocks in the handler */
	pthread_join(c.th, NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.last, tm_timeout_reply));
	CU_ASSERT_EQUAL(cp_stats[CP_C_tm_timeouts], timeouts + 1);

	/* And the bridge still works. */
	atomic_store(&h_sleep_ms, 0);
	client_start(&c, "/ipsecgw/t_slow", 1, false);
	cp_loop_until_done(&c, 1);
	CU_ASSERT_STRING_EQUAL(c.last, "{\"/ipsecgw/t_slow\":{\"slept\":1}}");
}

/* cp_tm_fini() answers what is queued; afterwards nothing waits. */
static void test_fini(void)
{
	struct client c;
	char buf[1024];
	int fd;

	client_start(&c, "/ipsecgw/t_echo", 1, false);
	wait_queued();
	cp_tm_fini();
	pthread_join(c.th, NULL);
	CU_ASSERT_STRING_EQUAL(c.last,
		"{\"/ipsecgw/t_echo\":{\"error\":\"control plane shutting down\"}}");
	fd = tc_connect();
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT(tc_query(fd, "/ipsecgw/t_echo,1", buf, sizeof(buf)) > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "control plane not running"));
	close(fd);
	tm_efd = cp_tm_init();			/* and it comes back */
	CU_ASSERT_FATAL(tm_efd >= 0);
	client_start(&c, "/ipsecgw/t_echo", 3, true);
	cp_loop_until_done(&c, 1);
	CU_ASSERT_EQUAL(c.mismatches + c.failures, 0);
}

/* ---------------------------------------------------------------- socket */

static void test_socket(void)
{
	char path[512], want[512], dir[512];
	struct cfg_telemetry t = { .socket_mode = 0660, .has_mode = true };
	struct cfg_telemetry none = { .has_mode = false };
	const char *run = getenv("RUNTIME_DIRECTORY");
	struct group *g = getgrnam("nogroup");
	struct stat st;
	mode_t before;

	CU_ASSERT_FATAL(tm_socket_path(path, sizeof(path)) == 0);
	snprintf(want, sizeof(want), "%s/dpdk_telemetry.v2", rte_eal_get_runtime_dir());
	CU_ASSERT_STRING_EQUAL(path, want);
	if (run != NULL && *run != '\0') {
		CU_ASSERT_EQUAL(strncmp(path, run, strlen(run)), 0);
	}
	CU_ASSERT_EQUAL(tm_socket_path(path, 10), -ENAMETOOLONG);
	CU_ASSERT_FATAL(tm_socket_path(path, sizeof(path)) == 0);

	/* Nothing configured: nothing changes. */
	CU_ASSERT_FATAL(stat(path, &st) == 0);
	before = st.st_mode & 07777;
	CU_ASSERT_EQUAL(tm_socket_apply(&none), 0);
	CU_ASSERT_FATAL(stat(path, &st) == 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, before);

	if (g == NULL)
		g = getgrnam("daemon");
	CU_ASSERT_FATAL(g != NULL);
	snprintf(t.socket_group, sizeof(t.socket_group), "%s", g->gr_name);
	CU_ASSERT_EQUAL(tm_socket_apply(&t), 0);
	CU_ASSERT_FATAL(stat(path, &st) == 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0660);
	CU_ASSERT_EQUAL(st.st_gid, g->gr_gid);
	/* The group can reach it: search bit on the prefix directory, and on
	 * <run>/dpdk for "others" (it is not the group's). */
	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	CU_ASSERT_FATAL(stat(dir, &st) == 0);
	CU_ASSERT(st.st_mode & S_IXGRP);
	CU_ASSERT_FALSE(st.st_mode & (S_IRGRP | S_IROTH | S_IXOTH));
	CU_ASSERT_EQUAL(st.st_gid, g->gr_gid);
	*strrchr(dir, '/') = '\0';
	CU_ASSERT_FATAL(stat(dir, &st) == 0);
	CU_ASSERT(st.st_mode & S_IXOTH);
	CU_ASSERT_FALSE(st.st_mode & S_IROTH);

	/* An unknown group is refused, and the socket is left alone. */
	snprintf(t.socket_group, sizeof(t.socket_group), "no_such_group_%d", (int)getpid());
	t.socket_mode = 0600;
	CU_ASSERT_EQUAL(tm_socket_apply(&t), -ENOENT);
	CU_ASSERT_FATAL(stat(path, &st) == 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0660);

	/* Mode only. */
	t.socket_group[0] = '\0';
	CU_ASSERT_EQUAL(tm_socket_apply(&t), 0);
	CU_ASSERT_FATAL(stat(path, &st) == 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0600);
}

/* ---------------------------------------------------------------- gateway commands */

/*
 * Here a thread plays the CP loop and the test's main thread is the
 * client, so that each step can be checked as it happens.
 */
static atomic_int cp_thread_stop;
static pthread_t cp_thread;
static int gw_fd = -1;
static struct gw_cfg gw_cfg;
static char R[16384];

static void *cp_thread_main(void *arg)
{
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN };

	(void)arg;
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, tm_efd, &ev) != 0)
		return NULL;
	while (!atomic_load(&cp_thread_stop))
		if (epoll_wait(ep, &ev, 1, 20) > 0)
			cp_tm_service();
	close(ep);
	return NULL;
}

/* Query cmd into R; true when it answered. */
static bool q(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static bool q(const char *fmt, ...)
{
	char cmd[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return tc_query(gw_fd, cmd, R, sizeof(R)) > 0;
}

static bool has(const char *s)
{
	if (strstr(R, s) != NULL)
		return true;
	fprintf(stderr, "\nexpected %s in %s\n", s, R);
	return false;
}

static int cmds_init(void)
{
	struct rte_ether_addr mac = { { 0x02, 0, 0, 0, 0, 0xfe } };
	struct gw_addr a4, a6;
	struct dp_nexthop nh = { .type = DP_NH_GATEWAY, .iface = 0 };

	test_dp_cfg(&gw_cfg, "net_null0", "net_null1");
	if (dp_init(&gw_cfg) != 0 || cp_neigh_init() != 0)
		return -1;
	gw_addr_parse("10.10.0.254", &a4);
	gw_addr_parse("2001:db8:10::fe", &a6);
	nh.gw = a4;
	if (cp_neigh_add_static(0, &a4, &mac) != 0 || cp_neigh_add_static(0, &a6, &mac) != 0)
		return -1;
	/* 300 routes: the route list spans two pages. */
	for (int i = 0; i < 300; i++) {
		struct gw_prefix p = { .len = 24 };

		p.addr.family = AF_INET;
		p.addr.v4 = htonl((10u << 24) | ((100u + (unsigned)i / 256) << 16) |
				  ((unsigned)i % 256 << 8));
		if (dp_route_add(&p, &nh) != 0)
			return -1;
	}
	atomic_store(&cp_thread_stop, 0);
	if (pthread_create(&cp_thread, NULL, cp_thread_main, NULL) != 0)
		return -1;
	gw_fd = tc_connect();
	return gw_fd >= 0 ? 0 : -1;
}

static int cmds_fini(void)
{
	close(gw_fd);
	atomic_store(&cp_thread_stop, 1);
	pthread_join(cp_thread, NULL);
	cp_neigh_fini();
	dp_fini();
	return 0;
}

static void test_cmd_version(void)
{
	char want[64];

	CU_ASSERT_FATAL(q("/ipsecgw/version"));
	CU_ASSERT(has("{\"/ipsecgw/version\":{\"version\":\"" GW_VERSION "\",\"dpdk\":\"DPDK 22.11"));
	snprintf(want, sizeof(want), "\"pid\":%d,\"uptime_s\":", (int)getpid());
	CU_ASSERT(has(want));
	CU_ASSERT(has("\"workers\":1,\"interfaces\":2}}"));
}

static void test_cmd_interfaces(void)
{
	char mac[GW_MAC_STRLEN], want[128];
	struct gw_mac m;

	CU_ASSERT_FATAL(q("/ipsecgw/interfaces"));
	CU_ASSERT_STRING_EQUAL(R, "{\"/ipsecgw/interfaces\":{\"count\":2,\"next\":0,\"ids\":[0,1]}}");
	CU_ASSERT_FATAL(q("/ipsecgw/interface,1"));
	memcpy(m.b, dp_iface_get(1)->mac.addr_bytes, 6);
	snprintf(want, sizeof(want), "\"mac\":\"%s\"", gw_mac_fmt(&m, mac, sizeof(mac)));
	CU_ASSERT(has("{\"/ipsecgw/interface\":{\"name\":\"inside\",\"port\":\"net_null1\","));
	CU_ASSERT(has(want));
	CU_ASSERT(has("\"addresses\":[\"192.168.10.1/24\",\"2001:db8:20::1/64\"],\"ll6\":\"fe80::"));
	CU_ASSERT(has("\"link_up\":"));
	CU_ASSERT(has("\"rx_packets\":0,\"tx_packets\":0,"));
	CU_ASSERT(has("\"rx_errors\":0,\"rx_missed\":0,\"rx_nombuf\":0,\"tx_errors\":0}}"));
	CU_ASSERT_FATAL(q("/ipsecgw/interface,2"));
	CU_ASSERT_STRING_EQUAL(R, "{\"/ipsecgw/interface\":{\"error\":\"no interface with ID 2\"}}");
	CU_ASSERT_FATAL(q("/ipsecgw/interface"));
	CU_ASSERT(has("{\"/ipsecgw/interface\":{\"error\":\"usage: /ipsecgw/interface,ID"));
	CU_ASSERT_FATAL(q("/ipsecgw/interface,1x"));
	CU_ASSERT(has("{\"error\":\"usage: /ipsecgw/interface,ID"));
}

static void test_cmd_neighbors(void)
{
	CU_ASSERT_FATAL(q("/ipsecgw/neighbors"));
	CU_ASSERT_STRING_EQUAL(R, "{\"/ipsecgw/neighbors\":{\"count\":2,\"next\":0,\"ids\":[0,1]}}");
	CU_ASSERT_FATAL(q("/ipsecgw/neighbor,0"));
	CU_ASSERT_STRING_EQUAL(R, "{\"/ipsecgw/neighbor\":{\"interface\":\"outside\","
			       "\"address\":\"10.10.0.254\",\"family\":4,\"mac\":\"02:00:00:00:00:fe\","
			       "\"state\":\"static\",\"age_s\":0,\"queued\":0}}");
	CU_ASSERT_FATAL(q("/ipsecgw/neighbor,1"));
	CU_ASSERT(has("\"address\":\"2001:db8:10::fe\",\"family\":6,"));
	CU_ASSERT_FATAL(q("/ipsecgw/neighbor,2"));
	CU_ASSERT(has("{\"error\":\"no neighbor with ID 2\"}"));
}

/* Every route through the pages of the real command, each exactly once. */
static void test_cmd_routes(void)
{
	unsigned count = dp_route_count(), pages = 0, seen = 0, extra = 0;
	uint64_t start = 0, next;
	static uint64_t ids[DP_ROUTE_MAX];
	char want[64];

	CU_ASSERT_FATAL(count > 300 && count <= 2 * TM_PAGE);
	do {
		CU_ASSERT_FATAL(q("/ipsecgw/routes,%" PRIu64, start));
		memmove(R, R + strlen("{\"/ipsecgw/routes\":"), strlen(R) + 1);
		snprintf(J, sizeof(J), "%s", R);
		CU_ASSERT_EQUAL(json_u64("count"), count);
		next = json_u64("next");
		seen += json_ids(ids + seen, DP_ROUTE_MAX - seen);
		pages++;
		start = next;
	} while (next != 0 && pages < 10);
	CU_ASSERT_EQUAL(pages, 2);
	CU_ASSERT_EQUAL(seen, count);
	for (unsigned i = 0; i < seen; i++) {
		CU_ASSERT_EQUAL(ids[i], i);
		CU_ASSERT_FATAL(q("/ipsecgw/route,%" PRIu64, ids[i]));
		CU_ASSERT(strstr(R, "\"error\"") == NULL);
		extra += strstr(R, "\"type\":\"gateway\",\"via\":\"10.10.0.254\",\"interface\":\"outside\"") != NULL;
	}
	CU_ASSERT_EQUAL(extra, 300);
	/* The last of the 300 is there, with its prefix. */
	CU_ASSERT_FATAL(q("/ipsecgw/route,%u", count - 1));
	snprintf(want, sizeof(want), "\"prefix\":\"10.101.43.0/24\",\"family\":4");
	CU_ASSERT(has(want));
	CU_ASSERT_FATAL(q("/ipsecgw/route,%u", count));
	CU_ASSERT(has("{\"error\":\"no route with ID"));
	CU_ASSERT_FATAL(q("/ipsecgw/routes,abc"));
	CU_ASSERT(has("{\"error\":\"bad START 'abc'"));
}

static void test_cmd_stats(void)
{
	char want[128];
	unsigned entries;

	CU_ASSERT_FATAL(q("/ipsecgw/stats"));
	CU_ASSERT(strstr(R, "\"truncated\"") == NULL);
	CU_ASSERT(strstr(R, "\"error\"") == NULL);
	for (int i = 0; i < DP_C_MAX; i++) {
		snprintf(want, sizeof(want), "\"%s\":", dp_counter_name(i));
		CU_ASSERT(has(want));
	}
	/* CP counters too; one named like a DP counter as cp_<name>. */
	for (int i = 0; i < CP_C_MAX; i++) {
		const char *name = cp_counter_name(i);
		bool clash = false;

		for (int k = 0; k < DP_C_MAX; k++)
			clash |= strcmp(name, dp_counter_name(k)) == 0;
		snprintf(want, sizeof(want), ",\"%s%s\":", clash ? "cp_" : "", name);
		CU_ASSERT(has(want));
	}
	CU_ASSERT(has(",\"fwd_pkts\":0,") && has(",\"cp_fwd_pkts\":0,"));
	for (int i = 0; i < IKEV2_C_MAX; i++) {	/* the IKEv2 counters (ikev2_tm.c) */
		snprintf(want, sizeof(want), ",\"%s\":", ikev2_counter_name(i));
		CU_ASSERT(has(want));
	}
	snprintf(want, sizeof(want), "\"worker_lcore\":[%u],\"worker_rx_pkts\":[0],", dp_worker_lcore(0));
	CU_ASSERT(has(want));
	CU_ASSERT(has("\"worker_fwd_pkts\":[0],\"worker_punt_pkts\":[0],"));
	snprintf(want, sizeof(want), "\"neighbors\":2,\"routes\":%u,", dp_route_count());
	CU_ASSERT(has(want));
	entries = count_char(R, ':') - 1;	/* minus the command's own */
	CU_ASSERT(entries <= TM_MAX_ENTRIES);
}

int main(void)
{
	const char *run = getenv("RUNTIME_DIRECTORY");
	CU_pSuite s;
	unsigned failed;

	/* EAL creates <run>/dpdk/<prefix> but not <run> itself. */
	if (run != NULL && *run != '\0' && mkdir(run, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "mkdir %s: %s\n", run, strerror(errno));
		return 1;
	}
	if (test_eal_init("tm", 2, (const char *const[]){ "--vdev=net_null0",
							  "--vdev=net_null1" }) != 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	if (CU_initialize_registry() != CUE_SUCCESS || bridge_setup() != 0)
		return 1;
	s = CU_add_suite("tm_builder", NULL, NULL);
	CU_add_test(s, "exact JSON", test_json_exact);
	CU_add_test(s, "strings: cut with ~, sanitised", test_strings);
	CU_add_test(s, "256-entry cap", test_entry_cap);
	CU_add_test(s, "512-element cap", test_array_cap);
	CU_add_test(s, "byte cap", test_size_cap);
	CU_add_test(s, "bad keys, duplicates, misuse", test_bad_use);
	CU_add_test(s, "error replies", test_error_reply);
	CU_add_test(s, "predicted length, random replies", test_len_random);
	s = CU_add_suite("tm_paging", NULL, NULL);
	CU_add_test(s, "300 ids over two pages", test_paging);
	CU_add_test(s, "empty, exact page, bad START", test_paging_edges);
	CU_add_test(s, "parameter parsing", test_parse_id);
	CU_add_test(s, "strict decimal: sign, spaces, hex, overflow", test_parse_u64_table);
	CU_add_test(s, "strict SPI, switch, name", test_parse_spi_bool_name);
	CU_add_test(s, "key=value, address, the usage reply", test_parse_kv_addr_usage);
	s = CU_add_suite("tm_bridge", NULL, NULL);
	CU_add_test(s, "registration", test_register);
	CU_add_test(s, "not running", test_not_running);
	CU_add_test(s, "round trip, exact", test_roundtrip_exact);
	CU_add_test(s, "concurrent clients", test_concurrent);
	CU_add_test(s, "timeout while queued", test_timeout_queued);
	CU_add_test(s, "timeout while running", test_timeout_running);
	CU_add_test(s, "shutdown and restart", test_fini);
	s = CU_add_suite("tm_cmds", cmds_init, cmds_fini);
	CU_add_test(s, "/ipsecgw/version", test_cmd_version);
	CU_add_test(s, "/ipsecgw/interfaces, /ipsecgw/interface", test_cmd_interfaces);
	CU_add_test(s, "/ipsecgw/neighbors, /ipsecgw/neighbor", test_cmd_neighbors);
	CU_add_test(s, "/ipsecgw/routes over two pages, /ipsecgw/route", test_cmd_routes);
	CU_add_test(s, "/ipsecgw/stats", test_cmd_stats);
	s = CU_add_suite("tm_socket", NULL, NULL);
	CU_add_test(s, "path, mode and group", test_socket);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed() +
		 CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	cp_tm_fini();
	rte_eal_cleanup();
	return failed == 0 ? 0 : 1;
}
