/* SPDX-License-Identifier: BSD-3-Clause */
/* The top level: its key table and the scalar keys (eal, workers, logging, mbufs). */
#include <stdlib.h>
#include <string.h>

#include <rte_log.h>

#include "cfg/cfg_internal.h"

static int cfg_parse_eal(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct gw_cfg *cfg = obj;

	if (cfg_get_list(ctx, s, true, CFG_MAX_EAL_ARGS) != 0)
		return -1;
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *arg;

		if (cfg_get_string(ctx, e, &arg) != 0)
			return -1;
		if (arg[0] == '\0')
			return cfg_err(ctx, e, "eal argument must not be empty (\"\")");
		cfg->eal_argv[i] = strdup(arg);
		if (cfg->eal_argv[i] == NULL)
			return cfg_err(ctx, e, "out of memory (%s)", arg);
		cfg->eal_argc = i + 1;
	}
	return 0;
}

static int cfg_parse_workers(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct gw_cfg *cfg = obj;
	uint32_t v;

	if (cfg_get_u32(ctx, s, 1, CFG_MAX_WORKERS, &v) != 0)
		return -1;
	cfg->workers = v;
	return 0;
}

static int cfg_parse_log_level(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct gw_cfg *cfg = obj;
	const char *name, *why;

	if (cfg_get_string(ctx, s, &name) != 0)
		return -1;
	why = cfg_validate_log_level(name, &cfg->log_level);
	if (why != NULL)
		return cfg_err(ctx, s, "log_level %s (%s)", why, name);
	return 0;
}

static int cfg_parse_backoff(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct gw_cfg *cfg = obj;

	return cfg_get_bool(ctx, s, &cfg->worker_idle_backoff);
}

static int cfg_parse_mbuf(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct gw_cfg *cfg = obj;
	uint32_t v;

	if (cfg_get_u32(ctx, s, CFG_MBUF_MIN, CFG_MBUF_MAX, &v) != 0)
		return -1;
	cfg->mbuf_data_size = v;
	return 0;
}

/* An af_packet frame is copied into one mbuf: it must fit. */
static int cfg_check_mbuf(struct cfg_ctx *ctx, const config_setting_t *root,
			  const struct gw_cfg *cfg)
{
	const config_setting_t *mbuf = config_setting_get_member(root, "mbuf_data_size");
	const config_setting_t *eal = config_setting_get_member(root, "eal");
	unsigned framesz;
	int bad;
	const char *why = cfg_validate_framesz(cfg->eal_argc, cfg->eal_argv, &framesz, &bad);

	if (why != NULL)
		return cfg_err(ctx, config_setting_get_elem(eal, (unsigned)bad),
			       "eal argument %s (%s)", why, cfg->eal_argv[bad]);
	if (cfg->mbuf_data_size < framesz)
		return cfg_err(ctx, mbuf != NULL ? mbuf : eal,
			       "mbuf_data_size must be at least the af_packet framesz %u (%u)",
			       framesz, cfg->mbuf_data_size);
	return 0;
}

static int cfg_parse_no_replay(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct gw_cfg *cfg = obj;

	return cfg_get_bool(ctx, s, &cfg->bench_no_replay_check);
}

static const struct cfg_key cfg_root_keys[] = {
	{ "eal", true, cfg_parse_eal },
	{ "workers", false, cfg_parse_workers },
	{ "log_level", false, cfg_parse_log_level },
	{ "worker_idle_backoff", false, cfg_parse_backoff },
	{ "mbuf_data_size", false, cfg_parse_mbuf },
	{ "interfaces", true, cfg_parse_interfaces },
	{ "routes", false, cfg_parse_routes },
	{ "neighbors", false, cfg_parse_neighbors },
	{ "telemetry", false, cfg_parse_telemetry },
	{ "punt", false, cfg_parse_punt },
	{ "events", false, cfg_parse_events },
	{ "capture", false, cfg_parse_capture },
	{ "pki", false, cfg_parse_pki },
	{ "manual_sas", false, cfg_parse_manual_sas },
	{ "policies", false, cfg_parse_policies },
	{ "crypto", false, cfg_parse_crypto },
	{ "peers", false, cfg_parse_peers },		/* after pki and manual_sas */
	{ "benchmark_no_replay_check", false, cfg_parse_no_replay },
};

int cfg_parse_root(struct cfg_ctx *ctx, const config_setting_t *root, struct gw_cfg *cfg)
{
	cfg->workers = 1;
	cfg->log_level = RTE_LOG_INFO;
	cfg->worker_idle_backoff = false;
	cfg->mbuf_data_size = CFG_MBUF_DEFAULT;
	cfg_crypto_defaults(&cfg->crypto);
	cfg_punt_defaults_set(&cfg->punt);
	cfg_events_defaults_set(&cfg->events);
	cfg_capture_defaults_set(&cfg->capture);
	if (cfg_walk(ctx, root, cfg_root_keys,
		     sizeof(cfg_root_keys) / sizeof(cfg_root_keys[0]), cfg) != 0)
		return -1;
	return cfg_check_mbuf(ctx, root, cfg);
}
