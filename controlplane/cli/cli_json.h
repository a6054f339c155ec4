/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CLI_JSON_H
#define GW_CLI_JSON_H

/*
 * A small, strict JSON parser (RFC 8259) for the replies of the telemetry
 * socket.  It builds a tree of values in one growing array, without
 * recursion.  Errors: nesting deeper than CJ_MAX_DEPTH, input longer than
 * CJ_MAX_INPUT or with more than CJ_MAX_VALUES values, trailing bytes,
 * bad escapes, lone surrogates, "\u0000", control characters and invalid
 * UTF-8.  Strings are decoded and NUL-terminated.  A document is not
 * thread-safe; separate documents are independent.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	CJ_MAX_DEPTH = 64,
	CJ_MAX_INPUT = 1 << 22,		/* bytes */
	CJ_MAX_VALUES = 1 << 20,
	CJ_ERR_MAX = 128,
};

enum cj_type {
	CJ_NULL,
	CJ_FALSE,
	CJ_TRUE,
	CJ_NUMBER,
	CJ_STRING,
	CJ_ARRAY,
	CJ_OBJECT,
};

struct cj_value {
	uint8_t type;			/* enum cj_type */
	bool is_uint;			/* NUMBER: an integer in [0, UINT64_MAX] */
	bool is_int;			/* NUMBER: an integer in int64_t */
	uint32_t n;			/* ARRAY/OBJECT: children; STRING: bytes */
	uint32_t first;			/* ARRAY/OBJECT: first child, 0 = none */
	uint32_t next;			/* next sibling, 0 = none */
	const char *key;		/* member name in an object, else NULL */
	const char *str;		/* STRING: decoded, NUL-terminated */
	uint64_t u;
	int64_t i;
	double d;			/* NUMBER, always */
};

struct cj_doc {
	struct cj_value *v;		/* v[0] is the root */
	uint32_t n, cap;
	char *strings;			/* decoded strings and keys */
	size_t str_used;
};

/* Parse len bytes of text.  0, or -1 with "offset N: what" in err. */
int cj_parse(struct cj_doc *doc, const char *text, size_t len, char *err, size_t errlen);
/* Free what cj_parse() allocated (safe on a zeroed or failed doc). */
void cj_free(struct cj_doc *doc);

const struct cj_value *cj_root(const struct cj_doc *doc);
/* First child / next sibling, or NULL. */
const struct cj_value *cj_first(const struct cj_doc *doc, const struct cj_value *v);
const struct cj_value *cj_next(const struct cj_doc *doc, const struct cj_value *v);
/* Member key of object obj (first match), or NULL. */
const struct cj_value *cj_member(const struct cj_doc *doc, const struct cj_value *obj,
				 const char *key);
/* Element idx of an array, or NULL. */
const struct cj_value *cj_at(const struct cj_doc *doc, const struct cj_value *arr, uint32_t idx);

/* Conveniences for flat telemetry dicts: the member's value or dflt. */
const char *cj_get_str(const struct cj_doc *doc, const struct cj_value *obj,
		       const char *key, const char *dflt);
uint64_t cj_get_u64(const struct cj_doc *doc, const struct cj_value *obj,
		    const char *key, uint64_t dflt);

#endif /* GW_CLI_JSON_H */
