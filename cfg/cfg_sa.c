/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * manual_sas = ( { name; local; remote; local_ts; remote_ts; esp; spi_in;
 *   spi_out; enc_key_in/out; auth_key_in/out; encap; encap_port; esn;
 *   replay_window; lifetime_bytes; lifetime_packets;
 *   allow_unsafe_manual_gcm; tcp_mss; mtu; df; dscp; ecn; ttl_decrement; }, ... )
 * The entry being parsed is cfg->manual_sas[cfg->n_manual_sas], counted once
 * complete; an entry that fails is wiped here, counted ones by cfg_free().
 * `esp` is parsed before the keys, whose lengths it gives.  Keys are never
 * quoted in a message: their length or the offending position is.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cfg/cfg_internal.h"
#include "common/gw_ct.h"

enum {
	CFG_SPI_MIN = 256,		/* RFC 4303 2.1: 1..255 reserved */
	CFG_ENCAP_PORT = 4500,		/* RFC 3948 */
	CFG_REPLAY_DEFAULT = 64,
	CFG_REPLAY_MAX = 4096,
};

enum { CFG_SHOW = CFG_VALUE_SHOW + 8 };

static struct cfg_manual_sa *cfg_sa_cur(void *obj)
{
	struct gw_cfg *cfg = obj;

	return &cfg->manual_sas[cfg->n_manual_sas];
}

/* 32, or a multiple of 64 from 64 to 4096 (esp_replay_size_valid()). */
static bool cfg_sa_replay_ok(uint32_t w)
{
	return w == 32 || (w >= 64 && w <= CFG_REPLAY_MAX && w % 64 == 0);
}

/* A non-negative integer of up to 64 bits (a hex literal as its bit pattern). */
static int cfg_sa_u64(struct cfg_ctx *ctx, const config_setting_t *s, uint64_t *out)
{
	char name[64], val[CFG_SHOW];
	bool hex = config_setting_get_format(s) == CONFIG_FORMAT_HEX;
	long long v;

	cfg_key_name(s, name, sizeof(name));
	cfg_value_fmt(s, val, sizeof(val));
	if (config_setting_type(s) == CONFIG_TYPE_INT) {
		v = config_setting_get_int(s);
		if (hex)
			v = (long long)(uint32_t)v;
	} else if (config_setting_type(s) == CONFIG_TYPE_INT64) {
		v = config_setting_get_int64(s);
		if (hex) {
			*out = (uint64_t)v;
			return 0;
		}
	} else {
		return cfg_err(ctx, s, "%s must be an integer (%s)", name, val);
	}
	if (v < 0)
		return cfg_err(ctx, s, "%s must not be negative (%s)", name, val);
	*out = (uint64_t)v;
	return 0;
}

/* ---- keys ---- */

static int cfg_sa_name(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	const struct gw_cfg *cfg = obj;
	const char *name, *why;

	if (cfg_get_string(ctx, s, &name) != 0)
		return -1;
	why = cfg_validate_name(name);
	if (why != NULL)
		return cfg_err(ctx, s, "manual SA name %s (%s)", why, name);
	for (unsigned i = 0; i < cfg->n_manual_sas; i++)
		if (strcmp(cfg->manual_sas[i].name, name) == 0)
			return cfg_err(ctx, s, "duplicate manual SA name, first at line %d (%s)",
				       cfg->manual_sas[i].line, name);
	strcpy(cfg_sa_cur(obj)->name, name);
	return 0;
}

static int cfg_sa_addr(struct cfg_ctx *ctx, const config_setting_t *s, struct gw_addr *a)
{
	const char *text, *why;

	if (cfg_get_string(ctx, s, &text) != 0)
		return -1;
	if (gw_addr_parse(text, a) != 0)
		return cfg_err(ctx, s, "%s must be an IP address (%s)", config_setting_name(s), text);
	why = cfg_validate_unicast(a);
	if (why != NULL)
		return cfg_err(ctx, s, "%s %s (%s)", config_setting_name(s), why, text);
	return 0;
}

static int cfg_sa_local(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	return cfg_sa_addr(ctx, s, &cfg_sa_cur(obj)->local);
}

static int cfg_sa_remote(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	return cfg_sa_addr(ctx, s, &cfg_sa_cur(obj)->remote);
}

static int cfg_sa_local_ts(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_manual_sa *sa = cfg_sa_cur(obj);

	return cfg_get_ts_list(ctx, s, true, sa->local_ts, &sa->n_local_ts);
}

static int cfg_sa_remote_ts(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_manual_sa *sa = cfg_sa_cur(obj);

	return cfg_get_ts_list(ctx, s, true, sa->remote_ts, &sa->n_remote_ts);
}

static int cfg_sa_esp(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	char names[CFG_ERR_MAX / 2];
	const char *text;
	size_t n = 0;
	int alg;

	if (cfg_get_string(ctx, s, &text) != 0)
		return -1;
	alg = gw_esp_alg_from_name(text);
	if (alg >= 0) {
		cfg_sa_cur(obj)->alg = (uint8_t)alg;
		return 0;
	}
	names[0] = '\0';
	for (int i = 0; i < ESP_ALG_COUNT && n < sizeof(names); i++)
		n += (size_t)snprintf(names + n, sizeof(names) - n, " %s",
				      gw_esp_alg_name((enum esp_alg)i));
	return cfg_err(ctx, s, "esp must be one of%s (%s)", names, text);
}

static int cfg_sa_spi_in(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	const struct gw_cfg *cfg = obj;
	char val[CFG_SHOW];
	uint32_t spi;

	if (cfg_get_u32(ctx, s, CFG_SPI_MIN, UINT32_MAX, &spi) != 0)
		return -1;
	for (unsigned i = 0; i < cfg->n_manual_sas; i++)
		if (cfg->manual_sas[i].spi_in == spi)
			return cfg_err(ctx, s, "spi_in is already used by manual SA \"%s\" (%s)",
				       cfg->manual_sas[i].name, cfg_value_fmt(s, val, sizeof(val)));
	cfg_sa_cur(obj)->spi_in = spi;
	return 0;
}

static int cfg_sa_spi_out(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	return cfg_get_u32(ctx, s, CFG_SPI_MIN, UINT32_MAX, &cfg_sa_cur(obj)->spi_out);
}

/* want bytes of hex ("0x" optional) from s into key; want 0: the key is refused. */
static int cfg_sa_hex(struct cfg_ctx *ctx, const config_setting_t *s, const char *why_none,
		      enum esp_alg esp, unsigned want, const char *extra, uint8_t *key)
{
	const char *name = config_setting_name(s), *alg = gw_esp_alg_name(esp), *text, *hex;
	size_t len;

	if (want == 0)
		return cfg_err(ctx, s, "%s is not used with %s (%s)", name, why_none, alg);
	if (cfg_get_string(ctx, s, &text) != 0)
		return -1;
	hex = text;
	if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
		hex += 2;
	len = strlen(hex);
	for (size_t i = 0; i < len; i++)
		if (!isxdigit((unsigned char)hex[i]))
			return cfg_err(ctx, s, "%s must be hex digits, 0x optional "
				       "(not a hex digit at position %zu)", name,
				       (size_t)(hex - text) + i + 1);
	if (len != 2 * (size_t)want)
		return cfg_err(ctx, s, "%s must be %u hex digits for %s%s (%zu digits)", name,
			       2 * want, alg, extra, len);
	for (unsigned i = 0; i < want; i++) {
		char byte[3] = { hex[2 * i], hex[2 * i + 1], '\0' };

		key[i] = (uint8_t)strtoul(byte, NULL, 16);
		gw_wipe(byte, sizeof(byte));
	}
	return 0;
}

static int cfg_sa_enc_key(struct cfg_ctx *ctx, const config_setting_t *s,
			  struct cfg_manual_sa *sa, uint8_t *key)
{
	unsigned want = gw_esp_enc_key_len(sa->alg);

	sa->enc_key_len = (uint8_t)want;
	return cfg_sa_hex(ctx, s, "NULL encryption", sa->alg, want,
			  gw_esp_alg_is_aead(sa->alg) ? ", the key then its 4-byte salt" : "", key);
}

static int cfg_sa_enc_key_in(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_manual_sa *sa = cfg_sa_cur(obj);

	return cfg_sa_enc_key(ctx, s, sa, sa->enc_key_in);
}

static int cfg_sa_enc_key_out(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_manual_sa *sa = cfg_sa_cur(obj);

	return cfg_sa_enc_key(ctx, s, sa, sa->enc_key_out);
}

static int cfg_sa_auth_key(struct cfg_ctx *ctx, const config_setting_t *s,
			   struct cfg_manual_sa *sa, uint8_t *key)
{
	unsigned want = gw_esp_auth_key_len(sa->alg);

	sa->auth_key_len = (uint8_t)want;
	return cfg_sa_hex(ctx, s, "AES-GCM, whose key also authenticates", sa->alg, want, "",
			  key);
}

static int cfg_sa_auth_key_in(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_manual_sa *sa = cfg_sa_cur(obj);

	return cfg_sa_auth_key(ctx, s, sa, sa->auth_key_in);
}

static int cfg_sa_auth_key_out(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct cfg_manual_sa *sa = cfg_sa_cur(obj);

	return cfg_sa_auth_key(ctx, s, sa, sa->auth_key_out);
}

static int cfg_sa_encap(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	return cfg_get_bool(ctx, s, &cfg_sa_cur(obj)->encap);
}

static int cfg_sa_encap_port(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	uint32_t v;

	if (cfg_get_u32(ctx, s, 1, UINT16_MAX, &v) != 0)
		return -1;
	cfg_sa_cur(obj)->encap_port = (uint16_t)v;
	return 0;
}

static int cfg_sa_esn(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	return cfg_get_bool(ctx, s, &cfg_sa_cur(obj)->esn);
}

static int cfg_sa_replay(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	char val[CFG_SHOW];
	uint32_t w;

	if (cfg_get_u32(ctx, s, 32, CFG_REPLAY_MAX, &w) != 0)
		return -1;
	if (!cfg_sa_replay_ok(w))
		return cfg_err(ctx, s, "replay_window must be 32 or a multiple of 64 up to 4096 (%s)",
			       cfg_value_fmt(s, val, sizeof(val)));
	cfg_sa_cur(obj)->replay_window = w;
	return 0;
}

static int cfg_sa_life_bytes(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	return cfg_sa_u64(ctx, s, &cfg_sa_cur(obj)->lifetime_bytes);
}

static int cfg_sa_life_packets(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	return cfg_sa_u64(ctx, s, &cfg_sa_cur(obj)->lifetime_packets);
}

static int cfg_sa_unsafe_gcm(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	return cfg_get_bool(ctx, s, &cfg_sa_cur(obj)->allow_unsafe_manual_gcm);
}

static int cfg_sa_knob(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	return cfg_knob_parse(ctx, s, &cfg_sa_cur(obj)->knobs);
}

/* esp before the keys: it gives their lengths. */
static const struct cfg_key cfg_sa_keys[] = {
	{ "name", true, cfg_sa_name },
	{ "local", true, cfg_sa_local },
	{ "remote", true, cfg_sa_remote },
	{ "local_ts", true, cfg_sa_local_ts },
	{ "remote_ts", true, cfg_sa_remote_ts },
	{ "esp", true, cfg_sa_esp },
	{ "spi_in", true, cfg_sa_spi_in },
	{ "spi_out", true, cfg_sa_spi_out },
	{ "enc_key_in", false, cfg_sa_enc_key_in },
	{ "enc_key_out", false, cfg_sa_enc_key_out },
	{ "auth_key_in", false, cfg_sa_auth_key_in },
	{ "auth_key_out", false, cfg_sa_auth_key_out },
	{ "encap", false, cfg_sa_encap },
	{ "encap_port", false, cfg_sa_encap_port },
	{ "esn", false, cfg_sa_esn },
	{ "replay_window", false, cfg_sa_replay },
	{ "lifetime_bytes", false, cfg_sa_life_bytes },
	{ "lifetime_packets", false, cfg_sa_life_packets },
	{ "allow_unsafe_manual_gcm", false, cfg_sa_unsafe_gcm },
	CFG_KNOB_KEYS(cfg_sa_knob),
};

/* ---- the whole entry ---- */

/* The keys the algorithm needs are all there. */
static int cfg_sa_check_keys(struct cfg_ctx *ctx, const config_setting_t *e,
			     const struct cfg_manual_sa *sa)
{
	static const char *const enc[] = { "enc_key_in", "enc_key_out" };
	static const char *const auth[] = { "auth_key_in", "auth_key_out" };
	const char *alg = gw_esp_alg_name(sa->alg);

	for (unsigned i = 0; i < 2; i++) {
		if (gw_esp_enc_key_len(sa->alg) > 0 && config_setting_get_member(e, enc[i]) == NULL)
			return cfg_err(ctx, e, "manual SA \"%s\": missing required key for %s (%s)",
				       sa->name, alg, enc[i]);
		if (gw_esp_auth_key_len(sa->alg) > 0 && config_setting_get_member(e, auth[i]) == NULL)
			return cfg_err(ctx, e, "manual SA \"%s\": missing required key for %s (%s)",
				       sa->name, alg, auth[i]);
	}
	return 0;
}

/* Checks across keys, once every key is read. */
static int cfg_sa_finish(struct cfg_ctx *ctx, const config_setting_t *e, struct cfg_manual_sa *sa)
{
	const config_setting_t *port = config_setting_get_member(e, "encap_port");
	char buf[GW_PREFIX_STRLEN], who[CFG_NAME_MAX + 16];

	if (sa->remote.family != sa->local.family)
		return cfg_err(ctx, config_setting_get_member(e, "remote"),
			       "manual SA \"%s\": remote is not of local's address family (%s)",
			       sa->name, gw_addr_fmt(&sa->remote, buf, sizeof(buf)));
	if (sa->remote_ts[0].addr.family != sa->local_ts[0].addr.family)
		return cfg_err(ctx, config_setting_get_member(e, "remote_ts"),
			       "manual SA \"%s\": remote_ts is not of local_ts's address family (%s)",
			       sa->name, gw_prefix_fmt(&sa->remote_ts[0], buf, sizeof(buf)));
	if (cfg_sa_check_keys(ctx, e, sa) != 0)
		return -1;
	if (port != NULL && !sa->encap)
		return cfg_err(ctx, port, "encap_port needs encap = true (%u)", sa->encap_port);
	if (gw_esp_alg_is_aead(sa->alg) && !sa->allow_unsafe_manual_gcm)
		return cfg_err(ctx, config_setting_get_member(e, "esp"),
			       "manual SA \"%s\": AES-GCM with manual keys reuses nonces after a "
			       "restart; set allow_unsafe_manual_gcm = true to accept (%s)",
			       sa->name, gw_esp_alg_name(sa->alg));
	snprintf(who, sizeof(who), "manual SA \"%s\"", sa->name);
	return cfg_knobs_check(ctx, e, &sa->knobs, sa->local_ts[0].addr.family == AF_INET6, who);
}

static int cfg_sa_one(struct cfg_ctx *ctx, const config_setting_t *e, struct gw_cfg *cfg)
{
	struct cfg_manual_sa *sa = cfg_sa_cur(cfg);

	memset(sa, 0, sizeof(*sa));
	sa->line = cfg_line(e);
	sa->encap_port = CFG_ENCAP_PORT;
	sa->replay_window = CFG_REPLAY_DEFAULT;
	if (cfg_walk(ctx, e, cfg_sa_keys, sizeof(cfg_sa_keys) / sizeof(cfg_sa_keys[0]), cfg) != 0 ||
	    cfg_sa_finish(ctx, e, sa) != 0) {
		gw_wipe(sa, sizeof(*sa));
		return -1;
	}
	cfg->n_manual_sas++;
	return 0;
}

int cfg_parse_manual_sas(struct cfg_ctx *ctx, const config_setting_t *s, void *obj)
{
	struct gw_cfg *cfg = obj;
	int n;

	if (cfg_get_list(ctx, s, false, CFG_MAX_MANUAL_SAS) != 0)
		return -1;
	n = config_setting_length(s);
	if (n == 0)
		return 0;
	cfg->manual_sas = calloc((size_t)n, sizeof(*cfg->manual_sas));
	if (cfg->manual_sas == NULL)
		return cfg_err(ctx, s, "out of memory (%d manual SAs)", n);
	for (int i = 0; i < n; i++)
		if (cfg_sa_one(ctx, config_setting_get_elem(s, (unsigned)i), cfg) != 0)
			return -1;
	return 0;
}
