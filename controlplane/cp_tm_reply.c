/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The private snapshot a telemetry handler fills (struct tm_reply), kept
 * within DPDK 22.11's limits by construction, and its two renderings:
 * rte_tel_data (for the socket) and JSON text (tests, fuzzing).
 *
 * The builder tracks the exact length of the JSON that DPDK will produce
 * for the dict (strings are sanitised, so no escaping can change it) and
 * always keeps room for the final "truncated": 1 entry.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>

#include "controlplane/cp_tm.h"

enum tm_kind {
	TM_K_U64,
	TM_K_I64,
	TM_K_STR,
	TM_K_ARR_U64,
	TM_K_ARR_STR,
};

enum {
	/* Every element costs at least one byte and a comma (see tm_elem_cost). */
	TM_MAX_VALS = TM_MAX_BYTES / 2 + TM_MAX_ENTRIES,
	/* Every string costs its length + 2 quotes in JSON, + 1 NUL here. */
	TM_ARENA = TM_MAX_BYTES,
};

static const char tm_trunc_key[] = "truncated";
/* ,"truncated":1 */
#define TM_TRUNC_COST (sizeof(tm_trunc_key) - 1 + 5)

struct tm_entry {
	char key[TM_MAX_KEY + 1];
	uint8_t kind;			/* enum tm_kind */
	union {
		uint64_t u;
		int64_t i;
		uint32_t str;		/* offset in arena */
		struct {
			uint32_t first;	/* index in vals */
			uint32_t n;
		} arr;
	};
};

struct tm_reply {
	unsigned n_ent;
	bool truncated;
	bool error;
	bool array_open;		/* the last entry takes elements */
	size_t json;			/* exact length of the rendered dict */
	unsigned n_vals;
	uint32_t arena_used;
	struct tm_entry ent[TM_MAX_ENTRIES];
	uint64_t vals[TM_MAX_VALS];	/* u64 elements, or arena offsets */
	char arena[TM_ARENA];
};

struct tm_reply *tm_reply_new(void)
{
	struct tm_reply *r = malloc(sizeof(*r));

	if (r == NULL)
		return NULL;
	r->n_ent = 0;
	r->truncated = false;
	r->error = false;
	r->array_open = false;
	r->json = 2;	/* {} */
	r->n_vals = 0;
	r->arena_used = 0;
	return r;
}

void tm_reply_free(struct tm_reply *r)
{
	free(r);
}

bool tm_reply_is_error(const struct tm_reply *r)
{
	return r->error;
}

bool tm_reply_truncated(const struct tm_reply *r)
{
	return r->truncated;
}

/* A failed addition: mark the reply (visibly) truncated. */
static int tm_fail(struct tm_reply *r, int err)
{
	r->truncated = true;
	r->array_open = false;
	return err;
}

static bool tm_key_valid(const char *key)
{
	size_t n = 0;

	for (const char *p = key; *p != '\0'; p++, n++) {
		char c = *p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return n >= 1 && n <= TM_MAX_KEY && strcmp(key, tm_trunc_key) != 0;
}

static bool tm_room(const struct tm_reply *r, size_t bytes, unsigned entries)
{
	return r->json + bytes + TM_TRUNC_COST <= TM_MAX_BYTES &&
	       r->n_ent + entries <= TM_MAX_ENTRIES - 1;
}

static size_t tm_u64_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

static size_t tm_i64_len(int64_t v)
{
	return v < 0 ? 1 + tm_u64_len((uint64_t)-(v + 1) + 1) : tm_u64_len((uint64_t)v);
}

/* Length the string will have once stored. */
static size_t tm_str_len(const char *s)
{
	size_t n = strnlen(s, TM_MAX_STR + 1);

	return n > TM_MAX_STR ? TM_MAX_STR : n;
}

/* Store s sanitised and cut (see cp_tm.h); returns its arena offset. */
static uint32_t tm_str_store(struct tm_reply *r, const char *s)
{
	uint32_t off = r->arena_used;
	size_t n = strnlen(s, TM_MAX_STR + 1);
	bool cut = n > TM_MAX_STR;
	char *dst = r->arena + off;

	if (cut)
		n = TM_MAX_STR - 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		dst[i] = (c < 0x20 || c > 0x7e || c == '"' || c == '\\') ? '?' : (char)c;
	}
	if (cut)
		dst[n++] = '~';
	dst[n] = '\0';
	r->arena_used += (uint32_t)n + 1;
	return off;
}

/* Check and reserve a new entry costing val_len bytes after "key":. */
static struct tm_entry *tm_entry_add(struct tm_reply *r, const char *key,
				     enum tm_kind kind, size_t val_len, int *err)
{
	size_t cost = (r->n_ent > 0 ? 1 : 0) + strlen(key) + 3 + val_len;
	struct tm_entry *e;

	*err = 0;
	if (r->error || r->truncated) {
		*err = -ENOSPC;
		return NULL;
	}
	r->array_open = false;
	if (!tm_key_valid(key)) {
		*err = tm_fail(r, -EINVAL);
		return NULL;
	}
	for (unsigned i = 0; i < r->n_ent; i++) {
		if (strcmp(r->ent[i].key, key) == 0) {
			*err = tm_fail(r, -EEXIST);
			return NULL;
		}
	}
	if (!tm_room(r, cost, 1)) {
		*err = tm_fail(r, -ENOSPC);
		return NULL;
	}
	e = &r->ent[r->n_ent++];
	snprintf(e->key, sizeof(e->key), "%s", key);
	e->kind = (uint8_t)kind;
	r->json += cost;
	return e;
}

int tm_add_u64(struct tm_reply *r, const char *key, uint64_t v)
{
	int err;
	struct tm_entry *e = tm_entry_add(r, key, TM_K_U64, tm_u64_len(v), &err);

	if (e != NULL)
		e->u = v;
	return err;
}

int tm_add_i64(struct tm_reply *r, const char *key, int64_t v)
{
	struct tm_entry *e;
	int err;

	if (v > INT32_MAX)
		return tm_add_u64(r, key, (uint64_t)v);
	if (v < INT32_MIN) {
		if (r->error || r->truncated)
			return -ENOSPC;
		return tm_fail(r, -ERANGE);
	}
	e = tm_entry_add(r, key, TM_K_I64, tm_i64_len(v), &err);
	if (e != NULL)
		e->i = v;
	return err;
}

int tm_add_str(struct tm_reply *r, const char *key, const char *v)
{
	int err;
	struct tm_entry *e = tm_entry_add(r, key, TM_K_STR, tm_str_len(v) + 2, &err);

	if (e != NULL)
		e->str = tm_str_store(r, v);
	return err;
}

static int tm_array(struct tm_reply *r, const char *key, enum tm_kind kind)
{
	int err;
	struct tm_entry *e = tm_entry_add(r, key, kind, 2, &err);	/* [] */

	if (e == NULL)
		return err;
	e->arr.first = r->n_vals;
	e->arr.n = 0;
	r->array_open = true;
	return 0;
}

int tm_array_u64(struct tm_reply *r, const char *key)
{
	return tm_array(r, key, TM_K_ARR_U64);
}

int tm_array_str(struct tm_reply *r, const char *key)
{
	return tm_array(r, key, TM_K_ARR_STR);
}

/* Check and reserve one element of the open array. */
static struct tm_entry *tm_elem_add(struct tm_reply *r, enum tm_kind kind, size_t len, int *err)
{
	struct tm_entry *e;
	size_t cost;

	*err = 0;
	if (r->error || r->truncated) {
		*err = -ENOSPC;
		return NULL;
	}
	e = r->n_ent > 0 ? &r->ent[r->n_ent - 1] : NULL;
	if (!r->array_open || e == NULL || e->kind != kind) {
		*err = tm_fail(r, -EINVAL);
		return NULL;
	}
	cost = (e->arr.n > 0 ? 1 : 0) + len;
	if (e->arr.n >= TM_MAX_ARRAY || r->n_vals >= TM_MAX_VALS || !tm_room(r, cost, 0)) {
		*err = tm_fail(r, -ENOSPC);
		return NULL;
	}
	e->arr.n++;
	r->json += cost;
	return e;
}

int tm_elem_u64(struct tm_reply *r, uint64_t v)
{
	int err;

	if (tm_elem_add(r, TM_K_ARR_U64, tm_u64_len(v), &err) != NULL)
		r->vals[r->n_vals++] = v;
	return err;
}

int tm_elem_str(struct tm_reply *r, const char *v)
{
	int err;

	if (tm_elem_add(r, TM_K_ARR_STR, tm_str_len(v) + 2, &err) != NULL)
		r->vals[r->n_vals++] = tm_str_store(r, v);
	return err;
}

void tm_error(struct tm_reply *r, const char *fmt, ...)
{
	char msg[TM_MAX_STR + 2];	/* one more than fits: cut visibly */
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->n_ent = 0;
	r->truncated = false;
	r->error = false;
	r->array_open = false;
	r->json = 2;
	r->n_vals = 0;
	r->arena_used = 0;
	tm_add_str(r, "error", msg);
	r->error = true;
}

size_t tm_reply_json_len(const struct tm_reply *r)
{
	return r->json + (r->truncated ? TM_TRUNC_COST - (r->n_ent == 0 ? 1 : 0) : 0);
}

/* Append printf output at *pos, bounded by len (always NUL-terminated). */
static void tm_put(char *buf, size_t len, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void tm_put(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos = *pos + (size_t)n < len ? *pos + (size_t)n : len - 1;
}

static void tm_json_entry(const struct tm_reply *r, const struct tm_entry *e,
			  char *buf, size_t len, size_t *pos)
{
	switch ((enum tm_kind)e->kind) {
	case TM_K_U64:
		tm_put(buf, len, pos, "%" PRIu64, e->u);
		break;
	case TM_K_I64:
		tm_put(buf, len, pos, "%" PRId64, e->i);
		break;
	case TM_K_STR:
		tm_put(buf, len, pos, "\"%s\"", r->arena + e->str);
		break;
	case TM_K_ARR_U64:
	case TM_K_ARR_STR:
		tm_put(buf, len, pos, "[");
		for (uint32_t j = 0; j < e->arr.n; j++) {
			uint64_t v = r->vals[e->arr.first + j];
			const char *sep = j > 0 ? "," : "";

			if (e->kind == TM_K_ARR_U64)
				tm_put(buf, len, pos, "%s%" PRIu64, sep, v);
			else
				tm_put(buf, len, pos, "%s\"%s\"", sep, r->arena + v);
		}
		tm_put(buf, len, pos, "]");
		break;
	}
}

int tm_reply_json(const struct tm_reply *r, char *buf, size_t len)
{
	size_t need = tm_reply_json_len(r), pos = 0;

	if (len < need + 1)
		return -ENOSPC;
	tm_put(buf, len, &pos, "{");
	for (unsigned i = 0; i < r->n_ent; i++) {
		tm_put(buf, len, &pos, "%s\"%s\":", i > 0 ? "," : "", r->ent[i].key);
		tm_json_entry(r, &r->ent[i], buf, len, &pos);
	}
	if (r->truncated)
		tm_put(buf, len, &pos, "%s\"%s\":1", r->n_ent > 0 ? "," : "", tm_trunc_key);
	tm_put(buf, len, &pos, "}");
	return (int)pos;
}

/* One array entry as an rte_tel_data container, owned by d on success. */
static int tm_tel_array(const struct tm_reply *r, const struct tm_entry *e, struct rte_tel_data *d)
{
	bool is_u64 = e->kind == TM_K_ARR_U64;
	struct rte_tel_data *a = rte_tel_data_alloc();
	int ret;

	if (a == NULL)
		return -ENOMEM;
	rte_tel_data_start_array(a, is_u64 ? RTE_TEL_U64_VAL : RTE_TEL_STRING_VAL);
	for (uint32_t j = 0; j < e->arr.n; j++) {
		uint64_t v = r->vals[e->arr.first + j];

		ret = is_u64 ? rte_tel_data_add_array_u64(a, v)
			     : rte_tel_data_add_array_string(a, r->arena + v);
		if (ret != 0)
			goto out;
	}
	ret = rte_tel_data_add_dict_container(d, e->key, a, 0);
out:
	if (ret != 0)
		rte_tel_data_free(a);
	return ret;
}

int tm_reply_to_tel(const struct tm_reply *r, struct rte_tel_data *d)
{
	int ret = 0;

	rte_tel_data_start_dict(d);
	for (unsigned i = 0; i < r->n_ent && ret == 0; i++) {
		const struct tm_entry *e = &r->ent[i];

		switch ((enum tm_kind)e->kind) {
		case TM_K_U64:
			ret = rte_tel_data_add_dict_u64(d, e->key, e->u);
			break;
		case TM_K_I64:
			ret = rte_tel_data_add_dict_int(d, e->key, (int)e->i);
			break;
		case TM_K_STR:
			ret = rte_tel_data_add_dict_string(d, e->key, r->arena + e->str);
			break;
		case TM_K_ARR_U64:
		case TM_K_ARR_STR:
			ret = tm_tel_array(r, e, d);
			break;
		}
	}
	if (ret == 0 && r->truncated)
		ret = rte_tel_data_add_dict_u64(d, tm_trunc_key, 1);
	return ret < 0 ? ret : (ret > 0 ? -ret : 0);
}

int tm_run_to_json(tm_handler_fn fn, const char *params, char *buf, size_t len)
{
	struct tm_reply *r = tm_reply_new();
	int ret;

	if (r == NULL)
		return -ENOMEM;
	if (fn(params, r) != 0 && !r->error)
		tm_error(r, "command failed");
	ret = tm_reply_json(r, buf, len);
	tm_reply_free(r);
	return ret;
}
