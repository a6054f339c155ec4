/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CFG_INTERNAL_H
#define GW_CFG_INTERNAL_H

/*
 * Shared by the cfg_*.c files and test_cfg.c; not part of the public API.
 *
 * Every error goes through cfg_err*(), which writes the one line
 * "FILE:LINE: what is wrong (the value)" into ctx->err; the first error wins
 * and every caller then returns -1 up the stack.  Not thread-safe: one ctx per
 * load.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libconfig.h>

#include "cfg/cfg.h"

enum {
	CFG_FILE_MAX = 1 << 20,		/* refuse configuration files past 1 MiB */
	CFG_VALUE_SHOW = 80,		/* longest value quoted in an error */
	CFG_MBUF_MIN = 2048,
	CFG_MBUF_MAX = 16384,
	CFG_MBUF_DEFAULT = 2048,
	CFG_AFP_FRAMESZ_DEFAULT = 2048,	/* DPDK af_packet PMD default framesz */
	CFG_MTU_MIN = 576,
	CFG_MTU_MAX = 9000,
	CFG_MTU_MIN_V6 = 1280,		/* RFC 8200 section 5 */
	CFG_MODE_MAX = 0777,
};

struct cfg_ctx {
	const char *file;		/* FILE in every message */
	char *err;
	size_t errlen;
	bool failed;			/* err holds the first error */
};

/* One key of a group: parse() reads, validates and stores setting s into obj. */
struct cfg_key {
	const char *name;
	bool required;
	int (*parse)(struct cfg_ctx *ctx, const config_setting_t *s, void *obj);
};

/* cfg_error.c: report.  Return -1 so callers can "return cfg_err(...)". */
int cfg_err(struct cfg_ctx *ctx, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int cfg_err_line(struct cfg_ctx *ctx, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Line of s for messages: libconfig's line, 1 for the root group. */
int cfg_line(const config_setting_t *s);
/* Render s as it would be written ("abc" quoted, 0x... for hex, {...}). */
const char *cfg_value_fmt(const config_setting_t *s, char *buf, size_t len);
/* Name of s for messages: its key, or "<parent> entry" for list elements. */
const char *cfg_key_name(const config_setting_t *s, char *buf, size_t len);

/*
 * cfg_text.c: parse text (a whole file's contents) into cf.  Before libconfig
 * sees it, every integer literal that libconfig 1.5 would silently truncate to
 * 32 bits (decimal outside int32, hex above 0xFFFFFFFF) gets an `L` suffix so
 * it is stored exactly as a 64-bit integer; literals beyond 64 bits and
 * @include are refused.  A , ; ) ] } after a string is moved up beside it so
 * that libconfig gives a string list element its own line.  Syntax errors
 * become "FILE:LINE: syntax error (libconfig's text)".
 * On success cf must be config_destroy()ed by the caller; on failure cf holds
 * nothing.  Returns 0 or -1.
 */
int cfg_text_parse(struct cfg_ctx *ctx, config_t *cf, const char *text);
/* Read path whole into a malloc'd NUL-terminated string; NULL + error. */
char *cfg_text_read(struct cfg_ctx *ctx, const char *path);

/*
 * cfg_value.c: typed reads; each reports "KEY must be ... (VALUE)".
 * cfg_get_u32 is THE integer reader: a hex literal libconfig keeps as a
 * negative int (0xC0000000) reads as its 32-bit pattern, an `L` (INT64)
 * value is accepted when it fits, negative and > 32-bit values are refused,
 * then min..max is enforced.  s must come from cfg_text_parse().
 */
int cfg_get_u32(struct cfg_ctx *ctx, const config_setting_t *s, uint32_t min,
		uint32_t max, uint32_t *out);
int cfg_get_bool(struct cfg_ctx *ctx, const config_setting_t *s, bool *out);
int cfg_get_string(struct cfg_ctx *ctx, const config_setting_t *s, const char **out);
/* Check s is a list (or, if arrays_ok, an array); 0 or -1. */
int cfg_get_list(struct cfg_ctx *ctx, const config_setting_t *s, bool arrays_ok,
		 unsigned max);

/*
 * Walk group: every member must be one of keys[] ("unknown key (NAME)" at
 * its line), then each present key is parsed in table order, then each
 * missing required key is "missing required key (NAME)" at the group's line.
 */
int cfg_walk(struct cfg_ctx *ctx, const config_setting_t *group,
	     const struct cfg_key *keys, size_t nkeys, void *obj);

/*
 * cfg_validate.c: pure checks of one value, shared by the key parsers.
 * Each returns NULL when value is acceptable, else what is wrong (without
 * the value, which the caller appends).
 */
const char *cfg_validate_port(const char *port);
const char *cfg_validate_group_name(const char *group);
const char *cfg_validate_log_level(const char *s, int *level);
const char *cfg_validate_octal_mode(const char *s, unsigned *mode);
const char *cfg_validate_unicast(const struct gw_addr *a);
const char *cfg_validate_iface_addr(const struct gw_prefix *p);
const char *cfg_validate_mac(const struct gw_mac *m);
const char *cfg_validate_mtu(unsigned mtu, bool has_v6);
/* The largest af_packet framesz the eal args ask for (the PMD's default
 * where a net_af_packet vdev names none), 0 without af_packet; on error
 * *bad is the index of the offending argument. */
const char *cfg_validate_framesz(int argc, char *const *argv, unsigned *framesz, int *bad);

/* cfg_id.c: text into *id typed as struct cfg_id says; NULL or what is wrong. */
const char *cfg_validate_id(const char *text, struct cfg_id *id);

/* Top level and one parser file per section. */
int cfg_parse_root(struct cfg_ctx *ctx, const config_setting_t *root, struct gw_cfg *cfg);
int cfg_parse_interfaces(struct cfg_ctx *ctx, const config_setting_t *s, void *obj);
int cfg_parse_routes(struct cfg_ctx *ctx, const config_setting_t *s, void *obj);
int cfg_parse_neighbors(struct cfg_ctx *ctx, const config_setting_t *s, void *obj);
int cfg_parse_telemetry(struct cfg_ctx *ctx, const config_setting_t *s, void *obj);
int cfg_parse_pki(struct cfg_ctx *ctx, const config_setting_t *s, void *obj);
int cfg_parse_manual_sas(struct cfg_ctx *ctx, const config_setting_t *s, void *obj);
int cfg_parse_policies(struct cfg_ctx *ctx, const config_setting_t *s, void *obj);
int cfg_parse_crypto(struct cfg_ctx *ctx, const config_setting_t *s, void *obj);
int cfg_parse_peers(struct cfg_ctx *ctx, const config_setting_t *s, void *obj);
int cfg_parse_punt(struct cfg_ctx *ctx, const config_setting_t *s, void *obj);
/* The punt rates used when the group or a key is absent. */
void cfg_punt_defaults_set(struct cfg_punt *p);
/* events = { ... } (cfg_events.c) and its defaults (syslog to /dev/log). */
int cfg_parse_events(struct cfg_ctx *ctx, const config_setting_t *s, void *obj);
void cfg_events_defaults_set(struct cfg_events *e);
/* capture = { ... } (cfg_capture.c), its defaults, and the check of its dir. */
int cfg_parse_capture(struct cfg_ctx *ctx, const config_setting_t *s, void *obj);
void cfg_capture_defaults_set(struct cfg_capture *c);
const char *cfg_validate_capture_dir(const char *dir);
/* The crypto settings used when the group or a key is absent. */
void cfg_crypto_defaults(struct cfg_crypto *c);

/*
 * cfg_ts.c: a traffic-selector list [ "PREFIX", ... ] into out[0..*n):
 * 1 to CFG_MAX_TS prefixes, host bits clear, no duplicates, and with
 * one_family all of the first one's family.  0 or -1.
 */
int cfg_get_ts_list(struct cfg_ctx *ctx, const config_setting_t *s, bool one_family,
		    struct gw_prefix *out, unsigned *n);

/*
 * cfg_knobs.c: the tunnel knobs of peers[] and manual_sas[] entries (keys
 * tcp_mss, mtu, df, dscp, ecn, ttl_decrement; zero = the defaults).
 * CFG_KNOB_KEYS(fn) are their rows of a group's key table, fn a parser
 * that hands the entry's knobs to cfg_knob_parse(), which reads one of
 * them.  cfg_knobs_check() checks them against the tunnel once the entry
 * is read (v6: its selectors are IPv6; who: "peer \"x\"" for messages).
 */
#define CFG_KNOB_KEYS(fn) \
	{ "tcp_mss", false, fn }, { "mtu", false, fn }, { "df", false, fn }, \
	{ "dscp", false, fn }, { "ecn", false, fn }, { "ttl_decrement", false, fn }
int cfg_knob_parse(struct cfg_ctx *ctx, const config_setting_t *s, struct gw_tunnel_knobs *k);
int cfg_knobs_check(struct cfg_ctx *ctx, const config_setting_t *e,
		    const struct gw_tunnel_knobs *k, bool v6, const char *who);

/* Index of the interface whose connected subnet holds a, or -1. */
int cfg_iface_by_subnet(const struct gw_cfg *cfg, const struct gw_addr *a);
/* True when a is one of the interfaces' own addresses. */
bool cfg_addr_is_local(const struct gw_cfg *cfg, const struct gw_addr *a);

#endif /* GW_CFG_INTERNAL_H */
