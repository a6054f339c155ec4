/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-lcore counters and the names of counters, punt reasons and punt
 * classes, all taken from the X-macro lists in dp_stats.h, dp.h and cfg.h
 * so that no name is written twice.
 */
#include <string.h>

#include "dataplane/dp.h"
#include "dataplane/dp_stats.h"

struct dp_lcore_stats dp_stats[RTE_MAX_LCORE];

static const char *const counter_names[DP_C_MAX] = {
#define X(n, d) [DP_C_##n] = #n,
	DP_COUNTERS(X)
#undef X
};

static const char *const punt_names[DP_PUNT_MAX] = {
#define X(n, d) [DP_PUNT_##n] = #n,
	DP_PUNT_REASONS(X)
#undef X
};

static const char *const punt_ctr_names[DP_PUNT_C_MAX] = {
#define X(n, d) [DP_PUNT_C_##n] = #n,
	DP_PUNT_CTRS(X)
#undef X
};

static const char *const punt_class_names[DP_PUNT_CLASS_MAX] = {
#define X(U, l, d) [DP_PUNT_CLASS_##U] = #l,
	CFG_PUNT_CLASSES(X)
#undef X
};

const char *dp_punt_ctr_name(enum dp_punt_ctr k)
{
	return (unsigned)k < DP_PUNT_C_MAX ? punt_ctr_names[k] : "unknown";
}

const char *dp_punt_class_name(enum dp_punt_class c)
{
	return (unsigned)c < DP_PUNT_CLASS_MAX ? punt_class_names[c] : "unknown";
}

const char *dp_counter_name(enum dp_counter c)
{
	return (unsigned)c < DP_C_MAX ? counter_names[c] : "unknown";
}

const char *dp_punt_reason_name(enum dp_punt_reason r)
{
	return (unsigned)r < DP_PUNT_MAX ? punt_names[r] : "unknown";
}

void dp_stats_sum(struct dp_lcore_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned l = 0; l < RTE_MAX_LCORE; l++) {
		for (unsigned c = 0; c < DP_C_MAX; c++)
			out->c[c] += __atomic_load_n(&dp_stats[l].c[c], __ATOMIC_RELAXED);
		for (unsigned c = 0; c < DP_PUNT_CLASS_MAX; c++)
			for (unsigned k = 0; k < DP_PUNT_C_MAX; k++)
				out->punt[c][k] += __atomic_load_n(&dp_stats[l].punt[c][k],
								   __ATOMIC_RELAXED);
	}
}
