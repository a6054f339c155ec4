/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CP_TM_H
#define GW_CP_TM_H

/*
 * Telemetry commands under /ipsecgw/.
 *
 * DPDK runs telemetry callbacks on its own threads.  Ours never touch
 * control-plane state: the callback posts a request to the CP loop
 * (eventfd), the CP runs the handler there and fills a private snapshot
 * (struct tm_reply), and the callback, on its own thread, copies the
 * snapshot into the rte_tel_data.  A request that is not answered within
 * TM_TIMEOUT_MS gets an error; the snapshot is freed by whichever side
 * finishes last.
 *
 * Replies stay within 22.11's limits by construction: a flat dict of
 * scalars and arrays of scalars, keys [A-Za-z0-9_], strings <= 127 chars
 * (longer ones are cut and end in "~"), <= 256 entries, <= 512 array
 * elements, and the exact JSON size tracked as entries are added and kept
 * under TM_MAX_BYTES (DPDK drops what exceeds 16 KiB).  Lists follow
 * one convention: "/ipsecgw/<things>[,START]" -> {count, next, ids[]} with
 * at most TM_PAGE ids at or after START and next = 0 when done;
 * "/ipsecgw/<thing>,ID" -> one flat dict, or an error for an unknown ID.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	TM_PAGE = 256,
	TM_MAX_ENTRIES = 256,
	TM_MAX_ARRAY = 512,
	TM_MAX_STR = 127,
	TM_MAX_BYTES = 15 * 1024,	/* margin under 16 KiB */
	TM_TIMEOUT_MS = 2000,
	TM_MAX_CMDS = 128,		/* ours; 22.11 grows its table by realloc */
	TM_MAX_KEY = 63,		/* key characters */
	TM_MAX_NAME = 46,		/* "/ipsecgw/" + name < 56 (22.11 MAX_CMD_LEN) */
	TM_MAX_PENDING = 32,		/* queued requests; more get "busy" */
	TM_MAX_PARAMS = 1024,		/* 22.11 requests are <= 1023 bytes */
};

struct tm_reply;

/*
 * Builder, used by handlers on the CP thread (a reply is private to the
 * request that owns it).  Each returns 0 or -ENOSPC when a limit would be
 * exceeded (the reply is then marked truncated and later additions are
 * ignored, so handlers may ignore the return value).  The last entry of a
 * truncated reply is "truncated": 1; room for it is always kept.  Other
 * errors, which also mark the reply truncated: -EINVAL (key not
 * [A-Za-z0-9_]{1,TM_MAX_KEY}, or an element of the wrong type or with no
 * array open), -EEXIST (duplicate key), -ERANGE (tm_add_i64 below
 * INT32_MIN: 22.11 has only 32-bit signed values).
 *
 * Strings keep printable ASCII; '"', '\\', control and non-ASCII bytes
 * become '?' (22.11 does not escape reliably).  A string longer than
 * TM_MAX_STR is cut to TM_MAX_STR - 1 characters plus "~".
 */
int tm_add_u64(struct tm_reply *r, const char *key, uint64_t v);
int tm_add_i64(struct tm_reply *r, const char *key, int64_t v);
int tm_add_str(struct tm_reply *r, const char *key, const char *v);
/* Start an array; then add elements of that one type until the next tm_add_* call. */
int tm_array_u64(struct tm_reply *r, const char *key);
int tm_array_str(struct tm_reply *r, const char *key);
int tm_elem_u64(struct tm_reply *r, uint64_t v);
int tm_elem_str(struct tm_reply *r, const char *v);
/* Turn the whole reply into an error: {"error": msg}. */
void tm_error(struct tm_reply *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * A handler runs on the CP thread.  params is the text after the comma
 * (may be NULL or empty).  Return 0, or -1 after tm_error().
 */
typedef int (*tm_handler_fn)(const char *params, struct tm_reply *r);

/*
 * Register "/ipsecgw/<name>" (name: [a-z0-9_]{1,TM_MAX_NAME}, or two such
 * words joined by one '/' as in "pki/crls"; help shorter
 * than 128 characters and never freed: DPDK keeps the pointer).  Before
 * or after cp_tm_init(), from the main/CP thread only.  0, -EINVAL,
 * -EEXIST, -ENOSPC or rte_telemetry's error.
 */
int cp_tm_register(const char *name, tm_handler_fn fn, const char *help);

/*
 * One command of a module's table.  audit marks a command that changes
 * state: every call of it, refused or not, is logged as an audit event
 * (common/gw_event.h: "event=audit cmd=/ipsecgw/NAME params=P
 * result=ok|error", params cleaned and cut to 64 characters).  DPDK
 * 22.11's telemetry callback does not tell which client called, so the
 * event cannot name it (the socket's mode and group say who may).
 */
struct cp_tm_cmd {
	const char *name;
	tm_handler_fn fn;
	const char *help;
	bool audit;
};

/* Register n commands; a name already registered counts as done, so a
 * module may call this more than once.  0 or the first other error. */
int cp_tm_register_table(const struct cp_tm_cmd *cmds, size_t n);
/* cp_tm_register() with the audit mark (see struct cp_tm_cmd). */
int cp_tm_register_audited(const char *name, tm_handler_fn fn, const char *help, bool audit);
/* Whether "/ipsecgw/<name>" (or the bare name) is registered with the
 * audit mark.  CP thread (tests). */
bool cp_tm_audited(const char *name);

/*
 * Register the gateway's commands (cp_tm_cmds_register()) and set up the
 * eventfd (non-blocking) that the CP loop watches; returns the fd or
 * -errno.  Until then, and after cp_tm_fini(), requests are answered
 * {"error": "control plane not running"}.  CP thread.
 */
int cp_tm_init(void);
/* CP loop: the eventfd fired; run queued requests.  CP thread only. */
void cp_tm_service(void);
/* Answer queued requests with an error, close the eventfd.  CP thread. */
void cp_tm_fini(void);

/* Register the gateway's commands (version, interfaces, neighbors, routes,
 * stats).  Done at program start by a constructor, so that they exist as
 * soon as the socket does; cp_tm_init() calls it again; later calls do
 * nothing.  0 or -errno. */
int cp_tm_cmds_register(void);
/* The ESP SA commands (cp_tm_sa.c: dp/drops, sas, sa, sa_stats, sa_clear),
 * registered by cp_tm_cmds_register().  0 or -errno. */
int cp_tm_sa_register(void);
/* /ipsecgw/port/xstats,ID and /ipsecgw/events (cp_tm_port.c), registered
 * by cp_tm_cmds_register().  0 or -errno. */
int cp_tm_port_register(void);

/*
 * Parameters are untrusted socket input (DPDK hands over the text after
 * the first comma, at most 1022 bytes, cut at the first NUL).  One strict
 * parser for every handler, state-changing ones above all: each function
 * returns 0, -EINVAL (malformed, or NULL) or -ERANGE (too large), and
 * writes *out only on success.  Nothing is skipped or guessed: no sign,
 * no spaces, no "0x" where a decimal is asked for, no trailing bytes,
 * no overflow.
 *
 *   tm_parse_u64    plain unsigned decimal <= max (1 to 20 digits)
 *   tm_parse_spi    an SPI: "0x" + 1 to 8 hex digits, or a decimal
 *                   <= UINT32_MAX; 0 is -ERANGE (no SA has SPI 0)
 *   tm_parse_bool   exactly "0" or "1"
 *   tm_parse_name   a configured object's name, the configuration's rule:
 *                   1 to TM_NAME_MAX characters of A-Z a-z 0-9 _ -
 *   tm_parse_addr   one IPv4 or IPv6 address (inet_pton, nothing around)
 *   tm_parse_kv     "KEY=VALUE" with this KEY: *val points at VALUE
 *                   (maybe empty, checked by the caller); -ENOENT when
 *                   params does not start with "KEY="
 *   tm_parse_start  START of a list: NULL or "" is 0, else tm_parse_u64
 *   tm_parse_id     an ID: tm_parse_u64, required
 */
enum { TM_NAME_MAX = 31 };	/* CFG_NAME_MAX - 1 */
struct gw_addr;
int tm_parse_u64(const char *s, uint64_t max, uint64_t *out);
int tm_parse_spi(const char *s, uint32_t *out);
int tm_parse_bool(const char *s, bool *out);
int tm_parse_name(const char *s);
int tm_parse_addr(const char *s, struct gw_addr *out);
int tm_parse_kv(const char *params, const char *key, const char **val);
int tm_parse_start(const char *params, uint64_t *start);
int tm_parse_id(const char *params, uint64_t *id);

/*
 * The one error reply for a parameter that does not parse, so that every
 * command refuses alike: {"error": "usage: USAGE (got 'PARAMS')"}, PARAMS
 * cut to 40 characters ("" for none; unprintable bytes shown as '?').
 * Returns -1, for "return tm_usage(...);".
 */
int tm_usage(struct tm_reply *r, const char *usage, const char *params);
/* No parameters expected: 0 for NULL or "", else tm_usage(r, usage, params). */
int tm_no_params(struct tm_reply *r, const char *usage, const char *params);

/*
 * The list convention in one place.  The caller's ids are strictly
 * ascending: id_at(i) for i < count.  Parses START from params and fills
 * {count (all of them), next, ids[]} with at most TM_PAGE ids >= START;
 * next is the first id not sent, or 0 when done.  0 or -1 after tm_error().
 */
typedef uint64_t (*tm_id_at_fn)(unsigned idx, void *arg);
int tm_list(struct tm_reply *r, const char *params, unsigned count,
	    tm_id_at_fn id_at, void *arg);

/* Reply objects, for the bridge and for tests.  NULL on ENOMEM. */
struct tm_reply *tm_reply_new(void);
void tm_reply_free(struct tm_reply *r);
bool tm_reply_is_error(const struct tm_reply *r);
bool tm_reply_truncated(const struct tm_reply *r);
/* Exact length of tm_reply_json()'s text, without the NUL. */
size_t tm_reply_json_len(const struct tm_reply *r);
/* Render the dict as DPDK 22.11 does: {"k":v,...}.  Length or -ENOSPC. */
int tm_reply_json(const struct tm_reply *r, char *buf, size_t len);
struct rte_tel_data;
/* Copy the reply into d (any thread; d is fresh).  0 or -errno. */
int tm_reply_to_tel(const struct tm_reply *r, struct rte_tel_data *d);

/* For tests and fuzzing: run a handler directly into a fresh reply and
 * render its dict as JSON text into buf (an error reply is a success:
 * {"error":"..."}).  Returns the JSON length, -ENOSPC or -ENOMEM. */
int tm_run_to_json(tm_handler_fn fn, const char *params, char *buf, size_t len);

#endif /* GW_CP_TM_H */
