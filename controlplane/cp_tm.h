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
 * elements, and a running size estimate kept under 16 KiB.  Lists follow
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
	TM_MAX_CMDS = 64,
};

struct tm_reply;

/*
 * Builder, used by handlers on the CP thread.  Each returns 0 or -ENOSPC
 * when a limit would be exceeded (the reply is then marked truncated and
 * later additions are ignored, so handlers may ignore the return value).
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

/* Register "/ipsecgw/<name>".  Before or after cp_tm_init(). */
int cp_tm_register(const char *name, tm_handler_fn fn, const char *help);

/* Set up the eventfd that the CP loop watches; returns the fd or -errno. */
int cp_tm_init(void);
/* CP loop: the eventfd fired; run queued requests. */
void cp_tm_service(void);
void cp_tm_fini(void);

/* Paging helper for list commands: parse START from params (default 0).
 * 0 or -1 after tm_error(). */
int tm_parse_start(const char *params, uint64_t *start);
/* Parse a single unsigned ID from params. 0 or -1 after tm_error(). */
int tm_parse_id(const char *params, uint64_t *id);

/* For tests and fuzzing: run a handler directly into a fresh reply and
 * render it as JSON text into buf.  Returns the JSON length or -errno. */
int tm_run_to_json(tm_handler_fn fn, const char *params, char *buf, size_t len);

#endif /* GW_CP_TM_H */
