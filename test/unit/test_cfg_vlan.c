/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * interfaces[].vlan (issue 9): 802.1Q sub-interfaces sharing a port.
 * Accepted: one untagged interface and VLANs on a port, only VLANs on a
 * port, the same VLAN id on two ports.  Refused, each at the exact line:
 * vlan outside 1..4094 or not an integer, a (port, vlan) pair twice, two
 * untagged interfaces on one port.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "cfg/cfg.h"
#include "test/unit/test_eal.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* body starts on line 3 */
#define IF(body) "eal = [];\ninterfaces = (\n" body "\n);\n"
#define A "{ name = \"a\"; port = \"p0\"; address = \"10.0.0.1/24\"; }"

static void test_accepted(void)
{
	static const char *const text = IF(
		A ",\n"
		"{ name = \"a100\"; port = \"p0\"; vlan = 100; address = \"10.1.0.1/24\"; },\n"
		"{ name = \"a4094\"; port = \"p0\"; vlan = 4094; address = \"10.2.0.1/24\"; mtu = 1400; },\n"
		"{ name = \"b1\"; port = \"p1\"; vlan = 1; address = \"10.3.0.1/24\"; },\n"
		"{ name = \"b100\"; port = \"p1\"; vlan = 100; address = \"10.4.0.1/24\"; }");
	char err[CFG_ERR_MAX] = "";
	struct gw_cfg cfg;

	CU_ASSERT_EQUAL_FATAL(cfg_load_string(text, "v.conf", &cfg, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_EQUAL(cfg.n_ifaces, 5);
	CU_ASSERT_EQUAL(cfg.ifaces[0].vlan, 0);
	CU_ASSERT_EQUAL(cfg.ifaces[1].vlan, 100);
	CU_ASSERT_EQUAL(cfg.ifaces[2].vlan, 4094);
	CU_ASSERT_EQUAL(cfg.ifaces[2].mtu, 1400);
	CU_ASSERT_EQUAL(cfg.ifaces[3].vlan, 1);
	CU_ASSERT_STRING_EQUAL(cfg.ifaces[3].port, "p1");
	CU_ASSERT_EQUAL(cfg.ifaces[4].vlan, 100);
	CU_ASSERT_EQUAL(cfg_iface_find(&cfg, "b100"), 4);
	cfg_free(&cfg);
}

/* A route and a neighbour name a VLAN interface like any other. */
static void test_routes_on_vlan(void)
{
	static const char *const text = IF(
		A ",\n{ name = \"dmz\"; port = \"p0\"; vlan = 7; address = \"10.7.0.1/24\"; }")
		"routes = ( { prefix = \"172.16.0.0/12\"; via = \"10.7.0.254\"; } );\n"
		"neighbors = ( { address = \"10.7.0.254\"; mac = \"02:00:00:00:00:07\"; "
		"interface = \"dmz\"; } );\n";
	char err[CFG_ERR_MAX] = "";
	struct gw_cfg cfg;

	CU_ASSERT_EQUAL_FATAL(cfg_load_string(text, "v.conf", &cfg, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.n_routes, 1);
	CU_ASSERT_EQUAL(cfg.n_neighbors, 1);
	CU_ASSERT_EQUAL(cfg.neighbors[0].iface, 1);
	cfg_free(&cfg);
}

struct err_case {
	const char *text;
	const char *err;
};

static const struct err_case err_cases[] = {
	{ IF("{ name = \"a\"; port = \"p0\"; vlan = 0; address = \"10.0.0.1/24\"; }"),
	  "v.conf:3: vlan must be between 1 and 4094 (0)" },
	{ IF("{ name = \"a\"; port = \"p0\"; vlan = 4095; address = \"10.0.0.1/24\"; }"),
	  "v.conf:3: vlan must be between 1 and 4094 (4095)" },
	{ IF("{ name = \"a\"; port = \"p0\"; vlan = -3; address = \"10.0.0.1/24\"; }"),
	  "v.conf:3: vlan must be between 1 and 4094 (-3)" },
	{ IF("{ name = \"a\"; port = \"p0\"; vlan = \"100\"; address = \"10.0.0.1/24\"; }"),
	  "v.conf:3: vlan must be an integer (\"100\")" },
	{ IF("{ name = \"a\"; port = \"p0\"; vlan = 1.5; address = \"10.0.0.1/24\"; }"),
	  "v.conf:3: vlan must be an integer (1.5)" },
	/* the same (port, vlan) twice: at the second one's vlan line */
	{ IF(A ",\n"
	     "{ name = \"b\"; port = \"p0\"; vlan = 10; address = \"10.1.0.1/24\"; },\n"
	     "{ name = \"c\"; port = \"p0\";\n"
	     "  vlan = 10; address = \"10.2.0.1/24\"; }"),
	  "v.conf:6: vlan is already used on port p0 by interface b (10)" },
	/* two untagged interfaces on one port: at the second one's port line */
	{ IF("{ name = \"b\"; port = \"p0\"; vlan = 10; address = \"10.1.0.1/24\"; },\n"
	     A ",\n"
	     "{ name = \"c\";\n"
	     "  port = \"p0\"; address = \"10.2.0.1/24\"; }"),
	  "v.conf:6: port is already used by interface a (p0)" },
	/* sub-interfaces are interfaces: names and subnets stay unique */
	{ IF(A ",\n{ name = \"a\"; port = \"p0\"; vlan = 2; address = \"10.1.0.1/24\"; }"),
	  "v.conf:4: duplicate interface name (a)" },
	{ IF(A ",\n{ name = \"b\"; port = \"p0\"; vlan = 2; address = \"10.0.0.2/24\"; }"),
	  "v.conf:4: address overlaps the subnet of interface a (10.0.0.2/24)" },
	{ IF("{ name = \"a\"; port = \"p0\"; vlan = 2; vlan = 3; address = \"10.0.0.1/24\"; }"),
	  "v.conf:3: syntax error (duplicate setting name)" },
};

static void test_errors(void)
{
	for (size_t i = 0; i < ARRAY_LEN(err_cases); i++) {
		const struct err_case *c = &err_cases[i];
		char err[CFG_ERR_MAX] = "";
		struct gw_cfg cfg;
		int rc = cfg_load_string(c->text, "v.conf", &cfg, err, sizeof(err));

		CU_ASSERT_EQUAL(rc, -1);
		CU_ASSERT_STRING_EQUAL(err, c->err);
		if (rc != -1 || strcmp(err, c->err) != 0)
			fprintf(stderr, "\n  case %zu:\n%s  want: %s\n  got:  %s (rc %d)\n", i, c->text,
				c->err, err, rc);
		if (rc == 0)
			cfg_free(&cfg);
	}
}

int main(void)
{
	static const struct test_case tests[] = {
		{ "untagged and VLAN interfaces share ports", test_accepted },
		{ "routes and neighbours on a VLAN interface", test_routes_on_vlan },
		{ "error lines", test_errors },
	};

	if (test_suite("cfg_vlan", NULL, NULL, tests, ARRAY_LEN(tests)) != 0)
		return 1;
	return test_run();
}
