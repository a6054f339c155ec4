/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_TEST_EAL_H
#define GW_TEST_EAL_H

#include <stddef.h>

#include <CUnit/CUnit.h>

/*
 * Bring up EAL once for a unit-test binary: --no-huge -m 512 --no-pci
 * (dp_init needs ~280 MB: the 64 MB IPv4 and 73 MB IPv6 LPM tables, room
 * for one IPv6 rebuild kept free, and an mbuf pool of ~19k mbufs; see
 * dataplane/dp_mempool.h),
 * a unique --file-prefix (name + pid), RUNTIME_DIRECTORY honoured, main
 * lcore only unless the caller asks for more, plus any extra args
 * (e.g. "--vdev=net_ring0").  Returns 0 or -1.  Idempotent.
 */
int test_eal_init(const char *name, int extra_argc, const char *const *extra_argv);

/* One CUnit test of a table. */
struct test_case {
	const char *name;
	CU_TestFunc fn;
};

/* Add a suite of cases, initialising the CUnit registry on first use.
 * 0 or -1. */
int test_suite(const char *name, CU_InitializeFunc init, CU_CleanupFunc fini,
	       const struct test_case *cases, size_t n);
/* Run every suite (verbose), clean the registry up and return main()'s
 * exit code: non-zero on any failed assert or test, a suite whose set-up
 * failed, or a CUnit error. */
int test_run(void);

/* Path of a file in the source tree (GW_SRCDIR), for fixtures. */
const char *test_srcpath(const char *rel);

#endif /* GW_TEST_EAL_H */
