/* SPDX-License-Identifier: BSD-3-Clause */
#include "controlplane/cp_stats.h"

uint64_t cp_stats[CP_C_MAX];

static const char *const cp_counter_names[CP_C_MAX] = {
#define X(n, d) [CP_C_##n] = #n,
	CP_COUNTERS(X)
#undef X
};

const char *cp_counter_name(enum cp_counter c)
{
	return (unsigned)c < CP_C_MAX ? cp_counter_names[c] : "?";
}
