/* SPDX-License-Identifier: BSD-3-Clause */
/* CUnit suite for common/gw_addr.c: parse, format, mask, contains. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "common/gw_addr.h"
#include "test/unit/test_eal.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

static void test_addr_parse(void)
{
	static const char *const bad[] = {
		"", "10.1.2", "10.1.2.3.4", "256.1.1.1", " 10.0.0.1", "10.0.0.1 ", "10.0.0.1/24",
		"0x0a.0.0.1", "10.0.0.-1", "::g", "2001:db8::1%eth0", "2001:db8:::1",
		"1:2:3:4:5:6:7:8:9", "fe80::1/64", "localhost", "[::1]", "010.0.0.1",
	};
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 };
	struct gw_addr a;

	CU_ASSERT_EQUAL_FATAL(gw_addr_parse("10.1.2.3", &a), 0);
	CU_ASSERT_EQUAL(a.family, AF_INET);
	CU_ASSERT_EQUAL(memcmp(&a.v4, "\x0a\x01\x02\x03", 4), 0);	/* network order */
	CU_ASSERT_EQUAL(a.v4, htonl(0x0a010203));
	CU_ASSERT_EQUAL_FATAL(gw_addr_parse("2001:DB8::1", &a), 0);
	CU_ASSERT_EQUAL(a.family, AF_INET6);
	CU_ASSERT_EQUAL(memcmp(a.v6, v6, 16), 0);
	CU_ASSERT_EQUAL(gw_addr_parse("::", &a), 0);
	CU_ASSERT_EQUAL(a.family, AF_INET6);
	CU_ASSERT_TRUE(all_zero(a.v6, 16));
	CU_ASSERT_EQUAL(gw_addr_parse("::ffff:10.0.0.1", &a), 0);
	CU_ASSERT_EQUAL(a.family, AF_INET6);
	CU_ASSERT_EQUAL(gw_addr_parse("0.0.0.0", &a), 0);
	CU_ASSERT_EQUAL(a.family, AF_INET);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		memset(&a, 0xa5, sizeof(a));
		CU_ASSERT_EQUAL(gw_addr_parse(bad[i], &a), -EINVAL);
		CU_ASSERT_TRUE(all_zero(&a, sizeof(a)));
		if (a.family != 0)
			fprintf(stderr, "\n  not refused and cleared: \"%s\"\n", bad[i]);
	}
}

static void test_prefix_parse(void)
{
	static const struct {
		const char *s;
		uint8_t family, len;
	} ok[] = {
		{ "10.0.0.1/24", AF_INET, 24 }, { "0.0.0.0/0", AF_INET, 0 },
		{ "10.0.0.1/32", AF_INET, 32 }, { "10.0.0.1/08", AF_INET, 8 },
		{ "::/0", AF_INET6, 0 }, { "2001:db8::1/64", AF_INET6, 64 },
		{ "2001:db8::1/128", AF_INET6, 128 },
	};
	static const char *const bad[] = {
		"10.0.0.1", "/24", "10.0.0.1/", "10.0.0.1/33", "2001:db8::/129", "10.0.0.1/-1",
		"10.0.0.1/+1", "10.0.0.1/ 1", "10.0.0.1/24x", "10.0.0.1/24/1", "10.0.0.1//24",
		"10.0.0.1/99999999999999999999", "10.0.0/8", "x/8", " 10.0.0.1/8", "",
		"1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa/64",
	};
	struct gw_prefix p;

	for (size_t i = 0; i < ARRAY_LEN(ok); i++) {
		memset(&p, 0xa5, sizeof(p));
		CU_ASSERT_EQUAL(gw_prefix_parse(ok[i].s, &p), 0);
		CU_ASSERT_EQUAL(p.addr.family, ok[i].family);
		CU_ASSERT_EQUAL(p.len, ok[i].len);
	}
	/* host bits are kept as written */
	CU_ASSERT_EQUAL_FATAL(gw_prefix_parse("10.1.2.3/8", &p), 0);
	CU_ASSERT_EQUAL(p.addr.v4, htonl(0x0a010203));
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		memset(&p, 0xa5, sizeof(p));
		CU_ASSERT_EQUAL(gw_prefix_parse(bad[i], &p), -EINVAL);
		CU_ASSERT_TRUE(all_zero(&p, sizeof(p)));
		if (p.addr.family != 0)
			fprintf(stderr, "\n  not refused and cleared: \"%s\"\n", bad[i]);
	}
}

static void test_mac(void)
{
	static const char *const bad[] = {
		"", "02:00:00:00:00", "02:00:00:00:00:fe:", "02-00-00-00-00-fe", "02:0:00:00:00:fe0",
		"02: 0:00:00:00:fe", "02:+1:00:00:00:fe", "02:-1:00:00:00:fe", "g2:00:00:00:00:fe",
		"02:00:00:00:00:fe ", "0200.0000.00fe", "02:00:00:00:00:0x",
	};
	static const struct gw_mac want = { { 0x02, 0xab, 0xcd, 0xef, 0x00, 0xfe } };
	struct gw_mac m;
	char buf[GW_MAC_STRLEN];

	CU_ASSERT_EQUAL_FATAL(gw_mac_parse("02:ab:CD:eF:00:fe", &m), 0);
	CU_ASSERT_EQUAL(memcmp(&m, &want, sizeof(m)), 0);
	CU_ASSERT_STRING_EQUAL(gw_mac_fmt(&m, buf, sizeof(buf)), "02:ab:cd:ef:00:fe");
	CU_ASSERT_EQUAL(gw_mac_parse("ff:ff:ff:ff:ff:ff", &m), 0);
	CU_ASSERT_STRING_EQUAL(gw_mac_fmt(&m, buf, sizeof(buf)), "ff:ff:ff:ff:ff:ff");
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		m = want;
		CU_ASSERT_EQUAL(gw_mac_parse(bad[i], &m), -EINVAL);
		CU_ASSERT_EQUAL(memcmp(&m, &want, sizeof(m)), 0);	/* untouched */
	}
}

static void test_fmt(void)
{
	static const char *const round[] = {
		"10.0.0.1", "255.255.255.255", "0.0.0.0", "2001:db8::1", "::", "fe80::1:2",
		"2001:db8:0:1:1:1:1:1", "::ffff:10.0.0.1",
	};
	struct gw_addr a = { 0 };
	struct gw_prefix p;
	char buf[GW_PREFIX_STRLEN], small[4];

	for (size_t i = 0; i < ARRAY_LEN(round); i++) {
		CU_ASSERT_EQUAL_FATAL(gw_addr_parse(round[i], &a), 0);
		CU_ASSERT_STRING_EQUAL(gw_addr_fmt(&a, buf, sizeof(buf)), round[i]);
	}
	CU_ASSERT_EQUAL_FATAL(gw_addr_parse("2001:0DB8:0000::0001", &a), 0);
	CU_ASSERT_STRING_EQUAL(gw_addr_fmt(&a, buf, sizeof(buf)), "2001:db8::1");
	memset(&a, 0, sizeof(a));
	CU_ASSERT_STRING_EQUAL(gw_addr_fmt(&a, buf, sizeof(buf)), "-");
	CU_ASSERT_EQUAL_FATAL(gw_addr_parse("10.0.0.1", &a), 0);
	CU_ASSERT_STRING_EQUAL(gw_addr_fmt(&a, small, sizeof(small)), "-");
	CU_ASSERT_EQUAL_FATAL(gw_prefix_parse("10.1.2.3/8", &p), 0);
	CU_ASSERT_STRING_EQUAL(gw_prefix_fmt(&p, buf, sizeof(buf)), "10.1.2.3/8");
	CU_ASSERT_EQUAL_FATAL(gw_prefix_parse("2001:db8::/32", &p), 0);
	CU_ASSERT_STRING_EQUAL(gw_prefix_fmt(&p, buf, sizeof(buf)), "2001:db8::/32");
	CU_ASSERT_STRING_EQUAL(gw_prefix_fmt(&p, small, sizeof(small)), "200");
	CU_ASSERT_EQUAL(gw_addr_maxlen(&p.addr), 128);
	CU_ASSERT_EQUAL_FATAL(gw_prefix_parse("1.2.3.4/5", &p), 0);
	CU_ASSERT_EQUAL(gw_addr_maxlen(&p.addr), 32);
}

static void test_eq(void)
{
	struct gw_addr a, b, none1 = { 0 }, none2 = { 0 };

	CU_ASSERT_EQUAL_FATAL(gw_addr_parse("10.0.0.1", &a), 0);
	CU_ASSERT_EQUAL_FATAL(gw_addr_parse("10.0.0.1", &b), 0);
	CU_ASSERT_TRUE(gw_addr_eq(&a, &b));
	CU_ASSERT_EQUAL_FATAL(gw_addr_parse("10.0.0.2", &b), 0);
	CU_ASSERT_FALSE(gw_addr_eq(&a, &b));
	CU_ASSERT_EQUAL_FATAL(gw_addr_parse("::ffff:10.0.0.1", &b), 0);
	CU_ASSERT_FALSE(gw_addr_eq(&a, &b));		/* family differs */
	CU_ASSERT_EQUAL_FATAL(gw_addr_parse("2001:db8::1", &a), 0);
	CU_ASSERT_EQUAL_FATAL(gw_addr_parse("2001:db8::1", &b), 0);
	CU_ASSERT_TRUE(gw_addr_eq(&a, &b));
	b.v6[15] ^= 0x80;
	CU_ASSERT_FALSE(gw_addr_eq(&a, &b));
	CU_ASSERT_TRUE(gw_addr_eq(&none1, &none2));
	CU_ASSERT_FALSE(gw_addr_eq(&none1, &a));
}

/* prefix as written -> after gw_prefix_mask, and whether it had host bits */
static const struct {
	const char *in, *masked;
	bool host_bits;
} mask_cases[] = {
	{ "10.1.2.3/8", "10.0.0.0/8", true },
	{ "10.0.0.0/8", "10.0.0.0/8", false },
	{ "10.1.2.3/0", "0.0.0.0/0", true },
	{ "0.0.0.0/0", "0.0.0.0/0", false },
	{ "10.1.2.3/32", "10.1.2.3/32", false },
	{ "10.1.2.3/31", "10.1.2.2/31", true },
	{ "10.1.3.255/23", "10.1.2.0/23", true },
	{ "10.1.2.0/23", "10.1.2.0/23", false },
	{ "192.168.255.255/17", "192.168.128.0/17", true },
	{ "255.255.255.255/1", "128.0.0.0/1", true },
	{ "2001:db8::1/64", "2001:db8::/64", true },
	{ "2001:db8:0:0:8000::/64", "2001:db8::/64", true },
	{ "2001:db8:0:0:8000::/65", "2001:db8:0:0:8000::/65", false },
	{ "2001:db8::3/127", "2001:db8::2/127", true },
	{ "2001:db8::3/128", "2001:db8::3/128", false },
	{ "ffff::1/0", "::/0", true },
	{ "2001:db8:ffff::/33", "2001:db8:8000::/33", true },
};

static void test_mask(void)
{
	char buf[GW_PREFIX_STRLEN];
	struct gw_prefix p;

	for (size_t i = 0; i < ARRAY_LEN(mask_cases); i++) {
		CU_ASSERT_EQUAL_FATAL(gw_prefix_parse(mask_cases[i].in, &p), 0);
		CU_ASSERT_EQUAL(gw_prefix_has_host_bits(&p), mask_cases[i].host_bits);
		gw_prefix_mask(&p);
		CU_ASSERT_STRING_EQUAL(gw_prefix_fmt(&p, buf, sizeof(buf)), mask_cases[i].masked);
		CU_ASSERT_FALSE(gw_prefix_has_host_bits(&p));
		if (strcmp(buf, mask_cases[i].masked) != 0)
			fprintf(stderr, "\n  %s: want %s got %s\n", mask_cases[i].in,
				mask_cases[i].masked, buf);
	}
}

static const struct {
	const char *prefix, *addr;
	bool in;
} contains_cases[] = {
	{ "10.0.0.0/8", "10.255.255.255", true },
	{ "10.0.0.0/8", "11.0.0.0", false },
	{ "10.0.0.0/8", "9.255.255.255", false },
	{ "10.1.2.3/24", "10.1.2.200", true },		/* host bits of the prefix ignored */
	{ "10.1.2.0/23", "10.1.3.1", true },
	{ "10.1.2.0/23", "10.1.4.1", false },
	{ "10.1.2.0/23", "10.1.1.255", false },
	{ "0.0.0.0/0", "1.2.3.4", true },
	{ "0.0.0.0/0", "::1", false },			/* family differs */
	{ "10.0.0.1/32", "10.0.0.1", true },
	{ "10.0.0.1/32", "10.0.0.2", false },
	{ "2001:db8::/32", "2001:db8:ffff::1", true },
	{ "2001:db8::/32", "2001:db9::1", false },
	{ "2001:db8::/33", "2001:db8:7fff::1", true },
	{ "2001:db8::/33", "2001:db8:8000::1", false },
	{ "::/0", "fe80::1", true },
	{ "::/0", "10.0.0.1", false },
	{ "::ffff:0:0/96", "10.0.0.1", false },		/* v4-mapped is not v4 */
	{ "2001:db8::1/128", "2001:db8::1", true },
	{ "2001:db8::1/128", "2001:db8::2", false },
};

static void test_contains(void)
{
	struct gw_prefix p, before;
	struct gw_addr a;

	for (size_t i = 0; i < ARRAY_LEN(contains_cases); i++) {
		CU_ASSERT_EQUAL_FATAL(gw_prefix_parse(contains_cases[i].prefix, &p), 0);
		CU_ASSERT_EQUAL_FATAL(gw_addr_parse(contains_cases[i].addr, &a), 0);
		before = p;
		CU_ASSERT_EQUAL(gw_prefix_contains(&p, &a), contains_cases[i].in);
		CU_ASSERT_EQUAL(memcmp(&p, &before, sizeof(p)), 0);	/* p is const */
		if (gw_prefix_contains(&p, &a) != contains_cases[i].in)
			fprintf(stderr, "\n  %s contains %s: want %d\n", contains_cases[i].prefix,
				contains_cases[i].addr, contains_cases[i].in);
	}
}

int main(void)
{
	static const struct test_case tests[] = {
		{ "address parse", test_addr_parse },
		{ "prefix parse", test_prefix_parse },
		{ "mac parse and format", test_mac },
		{ "format", test_fmt },
		{ "equality", test_eq },
		{ "mask and host bits", test_mask },
		{ "contains", test_contains },
	};
	if (test_suite("addr", NULL, NULL, tests, ARRAY_LEN(tests)) != 0)
		return 1;
	return test_run();
}
