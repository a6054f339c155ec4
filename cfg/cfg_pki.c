/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pki = { identities = ( { cert; key; chain; key_passphrase_file; }, ... );
 *         trustpoints = ( { name; ca; revocation_check; crl_*; hold_is_revoked; }, ... );
 *         expiry_warning_days; crl_warning_hours; }
 * The entry being parsed is pki->X[pki->n_X], counted once complete.  Paths
 * are stored absolute (relative = to the configuration file's directory);
 * the files are not opened here.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cfg/cfg_internal.h"

enum {
	CFG_CRL_REFRESH_DEFAULT = 3600,
	CFG_CRL_REFRESH_MIN = 60,
	CFG_CRL_REFRESH_MAX = 604800,		/* a week */
	CFG_CRL_MIN_INTERVAL_DEFAULT = 60,
	CFG_CRL_MIN_INTERVAL_MAX = 86400,
	CFG_CRL_TIMEOUT_DEFAULT = 10,
	CFG_CRL_TIMEOUT_MIN = 1,
	CFG_CRL_TIMEOUT_MAX = 300,
	CFG_CRL_SIZE_DEFAULT = 64 << 20,
	CFG_CRL_SIZE_MIN = 1024,
	CFG_CRL_SIZE_MAX = 1 << 30,
	CFG_EXPIRY_WARNING_DEFAULT = 30,	/* days */
	CFG_EXPIRY_WARNING_MAX = 3650,
	CFG_CRL_WARNING_DEFAULT = 12,		/* hours */
	CFG_CRL_WARNING_MAX = 8760,
};

#define CFG_CRL_CACHE_DIR_DEFAULT "/var/lib/ipsecgw/crl"

/* ---- values ---- */

/* The configuration file's directory, absolute, with a trailing '/'. */
static int cfg_pki_base_dir(const char *file, char *dir, size_t len)
{
	const char *slash = strrchr(file, '/');
	size_t n = slash != NULL ? (size_t)(slash - file) + 1 : 0;

	dir[0] = '\0';
	while (file[0] == '.' && file[1] == '/' && n >= 2) {
		file += 2;
		n -= 2;
	}
	if (file[0] != '/') {
		if (getcwd(dir, len) == NULL)
			return -1;
		if (strcmp(dir, "/") != 0 && strlen(dir) + 1 < len)
			strcat(dir, "/");
	}
	if (strlen(dir) + n >= len)
		return -1;
	strncat(dir, file, n);
	return 0;
}

/* A path, made absolute against the directory of the configuration file. */
static int cfg_pki_path(struct cfg_ctx *ctx, const config_setting_t *s, char *out)
{
	char name[64], dir[2 * CFG_PATH_MAX];
	const char *path;
	int n;

	if (cfg_get_string(ctx, s, &path) != 0)
		return -1;
	cfg_key_name(s, name, sizeof(name));
	if (path[0] == '\0')
		return cfg_err(ctx, s, "%s must not be empty (\"\")", name);
	for (const char *p = path; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return cfg_err(ctx, s, "%s must not contain control characters (%s)",
				       name, path);
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	dir[0] = '\0';
	if (path[0] != '/' && cfg_pki_base_dir(ctx->file, dir, sizeof(dir)) != 0)
		return cfg_err(ctx, s, "%s cannot be made absolute: the working directory is "
			       "unknown or too long (%s)", name, path);
	n = snprintf(out, CFG_PATH_MAX, "%s%s", dir, path);
	if (n < 0 || n >= CFG_PATH_MAX)
		return cfg_err(ctx, s, "%s is longer than %d characters once made absolute (%s)",
			       name, CFG_PATH_MAX - 1, path);
	return 0;
}

/* NULL when url is "http://HOST[:PORT][/...]", else what is wrong. */
static const char *cfg_pki_url_check(const char *url)
{
	const char *host = url + 7, *p;
	unsigned long port;
	char *end;

	if (strncasecmp(url, "https://", 8) == 0)
		return "must be an http:// URL: https is not supported yet";
	if (strncasecmp(url, "http://", 7) != 0)
		return "must be an http:// URL";
	if (strlen(url) >= CFG_URL_MAX)
		return "must be at most 255 characters";
	for (p = url; *p != '\0'; p++)
		if (!isgraph((unsigned char)*p))
			return "must not contain spaces or control characters";
	if (*host == '[') {
		p = strchr(host, ']');
		if (p == NULL || p == host + 1 || strspn(host + 1, "0123456789abcdefABCDEF:.") !=
		    (size_t)(p - host - 1))
			return "has a malformed [IPv6] host";
		p++;
	} else {
		p = host + strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "0123456789.-_");
		if (p == host)
			return "must name a host";
	}
	if (*p == ':') {
		port = strtoul(p + 1, &end, 10);
		if (!isdigit((unsigned char)p[1]) || port == 0 || port > 65535)
			return "has a bad port (1..65535)";
		p = end;
	}
	if (*p != '\0' && *p != '/')
		return "must be http://HOST[:PORT]/PATH, without user info";
	return NULL;
}

/* A list [ "http://...", ... ] into urls[]; duplicates refused. */
static int cfg_pki_urls(struct cfg_ctx *ctx, const config_setting_t *s,
			char urls[][CFG_URL_MAX], unsigned *n_urls)
{
	char name[64];

	if (cfg_get_list(ctx, s, true, CFG_MAX_CRL_URLS) != 0)
		return -1;
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *url, *why;

		if (cfg_get_string(ctx, e, &url) != 0)
			return -1;
		why = cfg_pki_url_check(url);
		if (why != NULL)
			return cfg_err(ctx, e, "%s %s (%s)", cfg_key_name(e, name, sizeof(name)),
				       why, url);
		for (unsigned j = 0; j < *n_urls; j++)
			if (strcmp(urls[j], url) == 0)
				return cfg_err(ctx, e, "duplicate URL in %s (%s)",
					       config_setting_name(s), url);
		strcpy(urls[(*n_urls)++], url);
	}
	return 0;
}

/* ---- identities ---- */

static struct cfg_identity *cfg_pki_id_cur(void *obj)
{
	struct cfg_pki *pki = obj;

	return &pki->identities[pki->n_identities];
}

static int cfg_pki_id_cert(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	return cfg_pki_path(ctx, s, cfg_pki_id_cur(obj)->cert);
}

static int cfg_pki_id_key(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	return cfg_pki_path(ctx, s, cfg_pki_id_cur(obj)->key);
}

static int cfg_pki_id_chain(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	return cfg_pki_path(ctx, s, cfg_pki_id_cur(obj)->chain);
}

static int cfg_pki_id_passphrase(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	return cfg_pki_path(ctx, s, cfg_pki_id_cur(obj)->key_passphrase_file);
}

static const struct cfg_key cfg_pki_id_keys[] = {
	{ "cert", true, cfg_pki_id_cert },
	{ "key", true, cfg_pki_id_key },
	{ "chain", false, cfg_pki_id_chain },
	{ "key_passphrase_file", false, cfg_pki_id_passphrase },
};

static int cfg_pki_identities(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_pki *pki = obj;

	if (cfg_get_list(ctx, s, false, CFG_MAX_IDENTITIES) != 0)
		return -1;
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		struct cfg_identity *id = cfg_pki_id_cur(pki);

		memset(id, 0, sizeof(*id));
		id->line = cfg_line(e);
		if (cfg_walk(ctx, e, cfg_pki_id_keys,
			     sizeof(cfg_pki_id_keys) / sizeof(cfg_pki_id_keys[0]), pki) != 0)
			return -1;
		for (unsigned j = 0; j < pki->n_identities; j++)
			if (strcmp(pki->identities[j].cert, id->cert) == 0)
				return cfg_err(ctx, config_setting_get_member(e, "cert"),
					       "duplicate identity certificate (%s)", id->cert);
		pki->n_identities++;
	}
	return 0;
}

/* ---- trustpoints ---- */

static struct cfg_trustpoint *cfg_pki_tp_cur(void *obj)
{
	struct cfg_pki *pki = obj;

	return &pki->trustpoints[pki->n_trustpoints];
}

static int cfg_pki_tp_name(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	const struct cfg_pki *pki = obj;
	const char *name, *why;

	if (cfg_get_string(ctx, s, &name) != 0)
		return -1;
	why = cfg_validate_name(name);
	if (why != NULL)
		return cfg_err(ctx, s, "trustpoint name %s (%s)", why, name);
	for (unsigned i = 0; i < pki->n_trustpoints; i++)
		if (strcmp(pki->trustpoints[i].name, name) == 0)
			return cfg_err(ctx, s, "duplicate trustpoint name (%s)", name);
	strcpy(cfg_pki_tp_cur(obj)->name, name);
	return 0;
}

static int cfg_pki_tp_ca(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	return cfg_pki_path(ctx, s, cfg_pki_tp_cur(obj)->ca);
}

static int cfg_pki_tp_revocation(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_trustpoint *tp = cfg_pki_tp_cur(obj);
	const char *mode;

	if (cfg_get_string(ctx, s, &mode) != 0)
		return -1;
	if (strcmp(mode, "crl") == 0)
		tp->revocation_check = CFG_REVOCATION_CRL;
	else if (strcmp(mode, "none") == 0)
		tp->revocation_check = CFG_REVOCATION_NONE;
	else
		return cfg_err(ctx, s, "revocation_check must be \"crl\" or \"none\" (%s)", mode);
	return 0;
}

static int cfg_pki_tp_urls(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_trustpoint *tp = cfg_pki_tp_cur(obj);

	return cfg_pki_urls(ctx, s, tp->crl_urls, &tp->n_crl_urls);
}

static int cfg_pki_tp_delta_urls(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_trustpoint *tp = cfg_pki_tp_cur(obj);

	return cfg_pki_urls(ctx, s, tp->crl_delta_urls, &tp->n_crl_delta_urls);
}

static int cfg_pki_tp_prefetch(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	return cfg_get_bool(ctx, s, &cfg_pki_tp_cur(obj)->crl_prefetch);
}

static int cfg_pki_tp_refresh(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	return cfg_get_u32(ctx, s, CFG_CRL_REFRESH_MIN, CFG_CRL_REFRESH_MAX,
			   &cfg_pki_tp_cur(obj)->crl_refresh_interval);
}

static int cfg_pki_tp_min_interval(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	return cfg_get_u32(ctx, s, 0, CFG_CRL_MIN_INTERVAL_MAX,
			   &cfg_pki_tp_cur(obj)->crl_min_download_interval);
}

static int cfg_pki_tp_timeout(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	return cfg_get_u32(ctx, s, CFG_CRL_TIMEOUT_MIN, CFG_CRL_TIMEOUT_MAX,
			   &cfg_pki_tp_cur(obj)->crl_download_timeout);
}

static int cfg_pki_tp_max_size(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	return cfg_get_u32(ctx, s, CFG_CRL_SIZE_MIN, CFG_CRL_SIZE_MAX,
			   &cfg_pki_tp_cur(obj)->crl_max_size);
}

static int cfg_pki_tp_cache_dir(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	return cfg_pki_path(ctx, s, cfg_pki_tp_cur(obj)->crl_cache_dir);
}

static int cfg_pki_tp_hold(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	return cfg_get_bool(ctx, s, &cfg_pki_tp_cur(obj)->hold_is_revoked);
}

static const struct cfg_key cfg_pki_tp_keys[] = {
	{ "name", true, cfg_pki_tp_name },
	{ "ca", true, cfg_pki_tp_ca },
	{ "revocation_check", false, cfg_pki_tp_revocation },
	{ "crl_urls", false, cfg_pki_tp_urls },
	{ "crl_delta_urls", false, cfg_pki_tp_delta_urls },
	{ "crl_prefetch", false, cfg_pki_tp_prefetch },
	{ "crl_refresh_interval", false, cfg_pki_tp_refresh },
	{ "crl_min_download_interval", false, cfg_pki_tp_min_interval },
	{ "crl_download_timeout", false, cfg_pki_tp_timeout },
	{ "crl_max_size", false, cfg_pki_tp_max_size },
	{ "crl_cache_dir", false, cfg_pki_tp_cache_dir },
	{ "hold_is_revoked", false, cfg_pki_tp_hold },
};

static void cfg_pki_tp_defaults(struct cfg_trustpoint *tp, const config_setting_t *e)
{
	memset(tp, 0, sizeof(*tp));
	tp->line = cfg_line(e);
	tp->revocation_check = CFG_REVOCATION_CRL;
	tp->crl_refresh_interval = CFG_CRL_REFRESH_DEFAULT;
	tp->crl_min_download_interval = CFG_CRL_MIN_INTERVAL_DEFAULT;
	tp->crl_download_timeout = CFG_CRL_TIMEOUT_DEFAULT;
	tp->crl_max_size = CFG_CRL_SIZE_DEFAULT;
	strcpy(tp->crl_cache_dir, CFG_CRL_CACHE_DIR_DEFAULT);
	tp->hold_is_revoked = true;
}

/* crl_prefetch defaults to "crl_urls given"; set true it needs them. */
static int cfg_pki_tp_finish(struct cfg_ctx *ctx, const config_setting_t *e,
			     struct cfg_trustpoint *tp)
{
	const config_setting_t *pf = config_setting_get_member(e, "crl_prefetch");

	if (pf == NULL)
		tp->crl_prefetch = tp->n_crl_urls > 0;
	else if (tp->crl_prefetch && tp->n_crl_urls == 0)
		return cfg_err(ctx, pf, "crl_prefetch needs crl_urls (true)");
	return 0;
}

static int cfg_pki_trustpoints(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_pki *pki = obj;

	if (cfg_get_list(ctx, s, false, CFG_MAX_TRUSTPOINTS) != 0)
		return -1;
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		struct cfg_trustpoint *tp = cfg_pki_tp_cur(pki);

		cfg_pki_tp_defaults(tp, e);
		if (cfg_walk(ctx, e, cfg_pki_tp_keys,
			     sizeof(cfg_pki_tp_keys) / sizeof(cfg_pki_tp_keys[0]), pki) != 0 ||
		    cfg_pki_tp_finish(ctx, e, tp) != 0)
			return -1;
		pki->n_trustpoints++;
	}
	return 0;
}

static int cfg_pki_expiry_days(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	return cfg_get_u32(ctx, s, 0, CFG_EXPIRY_WARNING_MAX,
			   &((struct cfg_pki *)obj)->expiry_warning_days);
}

static int cfg_pki_crl_hours(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	return cfg_get_u32(ctx, s, 0, CFG_CRL_WARNING_MAX,
			   &((struct cfg_pki *)obj)->crl_warning_hours);
}

static const struct cfg_key cfg_pki_keys[] = {
	{ "identities", false, cfg_pki_identities },
	{ "trustpoints", false, cfg_pki_trustpoints },
	{ "expiry_warning_days", false, cfg_pki_expiry_days },
	{ "crl_warning_hours", false, cfg_pki_crl_hours },
};

int cfg_parse_pki(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct gw_cfg *cfg = obj;

	cfg->pki.expiry_warning_days = CFG_EXPIRY_WARNING_DEFAULT;
	cfg->pki.crl_warning_hours = CFG_CRL_WARNING_DEFAULT;
	return cfg_walk(ctx, s, cfg_pki_keys, sizeof(cfg_pki_keys) / sizeof(cfg_pki_keys[0]),
			&cfg->pki);
}
