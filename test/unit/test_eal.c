/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <rte_eal.h>

#include "test/unit/test_eal.h"

/* EAL makes <RUNTIME_DIRECTORY>/dpdk but not RUNTIME_DIRECTORY itself. */
static void test_runtime_dir(void)
{
	const char *dir = getenv("RUNTIME_DIRECTORY");

	if (dir != NULL && dir[0] != '\0')
		mkdir(dir, 0700);	/* EEXIST is fine; EAL reports the rest */
}

int test_eal_init(const char *name, int extra_argc, const char *const *extra_argv)
{
	static int done;
	static char prefix[64];
	char *argv[32];
	int argc = 0;

	if (done)
		return 0;
	if (extra_argc > 20)
		return -1;
	snprintf(prefix, sizeof(prefix), "--file-prefix=ut_%s_%d", name, (int)getpid());
	argv[argc++] = (char *)"test";
	argv[argc++] = (char *)"--no-huge";
	argv[argc++] = (char *)"-m";
	argv[argc++] = (char *)"512";
	argv[argc++] = (char *)"--no-pci";
	argv[argc++] = (char *)"--log-level=lib.*:error";
	argv[argc++] = prefix;
	for (int i = 0; i < extra_argc; i++)
		argv[argc++] = (char *)extra_argv[i];
	test_runtime_dir();
	if (rte_eal_init(argc, argv) < 0)
		return -1;
	done = 1;
	return 0;
}

const char *test_srcpath(const char *rel)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s/%s", GW_SRCDIR, rel);
	return buf;
}

int test_suite(const char *name, CU_InitializeFunc init, CU_CleanupFunc fini,
	       const struct test_case *cases, size_t n)
{
	CU_pSuite s;

	if (CU_get_registry() == NULL && CU_initialize_registry() != CUE_SUCCESS)
		return -1;
	s = CU_add_suite(name, init, fini);
	if (s == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (CU_add_test(s, cases[i].name, cases[i].fn) == NULL)
			return -1;
	return 0;
}

int test_run(void)
{
	unsigned failures;

	if (CU_get_registry() == NULL)
		return 1;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed() +
		   CU_get_number_of_suites_failed();
	if (CU_get_error() != CUE_SUCCESS)
		failures++;
	CU_cleanup_registry();
	return failures != 0;
}
