/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * capture = { dir; max_bytes; mbufs; }: packet capture to pcapng files,
 * started and stopped through telemetry (controlplane/cp_capture.c).
 * Every key is optional; the defaults apply when the group is absent.
 *
 *   dir        where capture files go: an absolute path without "." or
 *              ".." components (a telemetry client names files only
 *              inside it); made 0700 at the first capture if missing
 *   max_bytes  the largest file one capture may ask for (bytes)
 *   mbufs      the capture pool and ring made at start-up; 0: no capture
 */
#include <stdio.h>
#include <string.h>

#include "cfg/cfg_internal.h"

void cfg_capture_defaults_set(struct cfg_capture *c)
{
	snprintf(c->dir, sizeof(c->dir), "%s", CFG_CAPTURE_DIR_DEFAULT);
	c->max_bytes = CFG_CAPTURE_MAX_BYTES_DEFAULT;
	c->mbufs = CFG_CAPTURE_MBUFS_DEFAULT;
}

/* NULL when dir is an absolute directory path we accept, else what is wrong. */
const char *cfg_validate_capture_dir(const char *dir)
{
	const char *p = dir;

	if (dir[0] != '/')
		return "must be an absolute path";
	if (strlen(dir) >= CFG_PATH_MAX)
		return "is too long";
	if (strcmp(dir, "/") == 0)
		return "must not be the root directory";
	for (const char *c = dir; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return "must not contain control characters";
	while (*p != '\0') {
		size_t n;

		p += strspn(p, "/");
		n = strcspn(p, "/");
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return "must not have \".\" or \"..\" components";
		p += n;
	}
	return NULL;
}

static int cfg_capture_dir(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_capture *c = obj;
	const char *v, *why;
	size_t n;

	if (cfg_get_string(ctx, s, &v) != 0)
		return -1;
	why = cfg_validate_capture_dir(v);
	if (why != NULL)
		return cfg_err(ctx, s, "capture dir %s (\"%.80s\")", why, v);
	n = strlen(v);
	while (n > 1 && v[n - 1] == '/')
		n--;
	snprintf(c->dir, sizeof(c->dir), "%.*s", (int)n, v);
	return 0;
}

static int cfg_capture_max_bytes(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_capture *c = obj;

	return cfg_get_u32(ctx, s, CFG_CAPTURE_MIN_BYTES, UINT32_MAX, &c->max_bytes);
}

static int cfg_capture_mbufs(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_capture *c = obj;
	uint32_t v;

	if (cfg_get_u32(ctx, s, 0, CFG_CAPTURE_MBUFS_MAX, &v) != 0)
		return -1;
	if (v != 0 && v < CFG_CAPTURE_MBUFS_MIN)
		return cfg_err(ctx, s, "capture mbufs must be 0 (no capture) or %u..%u (%u)",
			       (unsigned)CFG_CAPTURE_MBUFS_MIN, (unsigned)CFG_CAPTURE_MBUFS_MAX, v);
	c->mbufs = v;
	return 0;
}

static const struct cfg_key cfg_capture_keys[] = {
	{ "dir", false, cfg_capture_dir },
	{ "max_bytes", false, cfg_capture_max_bytes },
	{ "mbufs", false, cfg_capture_mbufs },
};

int cfg_parse_capture(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct gw_cfg *cfg = obj;

	return cfg_walk(ctx, s, cfg_capture_keys,
			sizeof(cfg_capture_keys) / sizeof(cfg_capture_keys[0]), &cfg->capture);
}
