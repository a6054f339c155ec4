/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Strict JSON for ipsecgw-cli (see cli_json.h).  One loop with an explicit
 * stack of open containers: the input decides how deep it nests, never
 * how deep the C stack grows.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controlplane/cli/cli_json.h"

enum cj_state {
	CJ_ST_VALUE,		/* a value must come */
	CJ_ST_VALUE_OR_END,	/* after '[' */
	CJ_ST_KEY,		/* after ',' in an object */
	CJ_ST_KEY_OR_END,	/* after '{' */
	CJ_ST_AFTER,		/* after a value: ',' or a closing bracket */
};

enum { CJ_NUM_MAX = 512 };

struct cj_parser {
	struct cj_doc *doc;
	const char *start, *p, *end;
	char *err;
	size_t errlen;
	const char *key;		/* pending member name */
	uint32_t open[CJ_MAX_DEPTH];	/* open containers */
	uint32_t last[CJ_MAX_DEPTH];	/* their last child */
	unsigned depth;
};

static int cj_fail(struct cj_parser *ps, const char *what)
{
	if (ps->errlen > 0)
		snprintf(ps->err, ps->errlen, "offset %zu: %s", (size_t)(ps->p - ps->start), what);
	return -1;
}

static void cj_skip_ws(struct cj_parser *ps)
{
	while (ps->p < ps->end &&
	       (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

/* A new value, linked into the open container.  Its index, or -1. */
static int64_t cj_new(struct cj_parser *ps, enum cj_type type)
{
	struct cj_doc *d = ps->doc;
	struct cj_value *v;
	uint32_t idx;

	if (d->n >= CJ_MAX_VALUES)
		return cj_fail(ps, "too many values");
	if (d->n == d->cap) {
		uint32_t cap = d->cap * 2;
		struct cj_value *nv = realloc(d->v, (size_t)cap * sizeof(*nv));

		if (nv == NULL)
			return cj_fail(ps, "out of memory");
		d->v = nv;
		d->cap = cap;
	}
	idx = d->n++;
	v = &d->v[idx];
	memset(v, 0, sizeof(*v));
	v->type = (uint8_t)type;
	v->key = ps->key;
	ps->key = NULL;
	if (ps->depth > 0) {
		struct cj_value *parent = &d->v[ps->open[ps->depth - 1]];

		if (parent->n == 0)
			parent->first = idx;
		else
			d->v[ps->last[ps->depth - 1]].next = idx;
		ps->last[ps->depth - 1] = idx;
		parent->n++;
	}
	return idx;
}

static int cj_hex4(struct cj_parser *ps, unsigned *out)
{
	unsigned v = 0;

	if (ps->end - ps->p < 4)
		return cj_fail(ps, "truncated \\u escape");
	for (int i = 0; i < 4; i++) {
		char c = *ps->p++;

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return cj_fail(ps, "bad hex digit in \\u escape");
	}
	*out = v;
	return 0;
}

static size_t cj_utf8_put(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* \uXXXX (ps->p after the 'u'), surrogate pairs joined.  Bytes written or -1. */
static int cj_unicode(struct cj_parser *ps, char *o)
{
	unsigned cp, lo;

	if (cj_hex4(ps, &cp) != 0)
		return -1;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return cj_fail(ps, "lone low surrogate");
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u')
			return cj_fail(ps, "high surrogate without low surrogate");
		ps->p += 2;
		if (cj_hex4(ps, &lo) != 0)
			return -1;
		if (lo < 0xdc00 || lo > 0xdfff)
			return cj_fail(ps, "high surrogate without low surrogate");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (cp == 0)
		return cj_fail(ps, "\\u0000 is not supported");
	return (int)cj_utf8_put(o, cp);
}

/* Length of the valid UTF-8 sequence at p (first byte >= 0x80), or 0. */
static size_t cj_utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t n;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;		/* overlong */
	else if (c == 0xed)
		hi = 0x9f;		/* surrogates */
	else if (c == 0xf0)
		lo = 0x90;		/* overlong */
	else if (c == 0xf4)
		hi = 0x8f;		/* > U+10FFFF */
	if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

static int cj_escape(struct cj_parser *ps, char *o)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *hit;

	if (ps->p >= ps->end)
		return cj_fail(ps, "unterminated string");
	if (*ps->p == 'u') {
		ps->p++;
		return cj_unicode(ps, o);
	}
	hit = memchr(from, *ps->p, sizeof(from) - 1);
	if (hit == NULL)
		return cj_fail(ps, "bad escape");
	ps->p++;
	*o = to[hit - from];
	return 1;
}

/* A string at ps->p (the opening quote), decoded into doc->strings. */
static const char *cj_string(struct cj_parser *ps, uint32_t *len)
{
	struct cj_doc *d = ps->doc;
	char *out = d->strings + d->str_used, *o = out;

	ps->p++;
	for (;;) {
		unsigned char c;
		int n;

		if (ps->p >= ps->end) {
			cj_fail(ps, "unterminated string");
			return NULL;
		}
		c = (unsigned char)*ps->p;
		if (c == '"')
			break;
		if (c < 0x20) {
			cj_fail(ps, "control character in string");
			return NULL;
		}
		if (c == '\\') {
			ps->p++;
			n = cj_escape(ps, o);
			if (n < 0)
				return NULL;
			o += n;
			continue;
		}
		n = c < 0x80 ? 1 : (int)cj_utf8_len((const unsigned char *)ps->p,
						   (const unsigned char *)ps->end);
		if (n == 0) {
			cj_fail(ps, "invalid UTF-8");
			return NULL;
		}
		memcpy(o, ps->p, (size_t)n);
		o += n;
		ps->p += n;
	}
	ps->p++;
	*o++ = '\0';
	/* Decoded text never outgrows its quoted form, so strings fits it. */
	d->str_used += (size_t)(o - out);
	*len = (uint32_t)(o - out - 1);
	return out;
}

static void cj_skip_digits(struct cj_parser *ps)
{
	while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
		ps->p++;
}

static bool cj_digit_here(const struct cj_parser *ps)
{
	return ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9';
}

/* The integer value of the digits [s, e), into v (with sign). */
static void cj_integer(struct cj_value *v, const char *s, const char *e, bool neg)
{
	uint64_t m = 0;

	for (const char *q = s; q < e; q++) {
		unsigned dg = (unsigned)(*q - '0');

		if (m > (UINT64_MAX - dg) / 10)
			return;		/* too big: a double only */
		m = m * 10 + dg;
	}
	if (!neg) {
		v->is_uint = true;
		v->u = m;
		v->is_int = m <= (uint64_t)INT64_MAX;
		v->i = (int64_t)m;
	} else if (m <= (uint64_t)INT64_MAX + 1) {
		v->is_int = true;
		v->i = m == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)m;
		v->is_uint = m == 0;
	}
}

static int cj_number(struct cj_parser *ps)
{
	const char *s = ps->p, *int_s, *int_e;
	bool neg = false, integral = true;
	char copy[CJ_NUM_MAX + 1];
	int64_t idx;

	if (*ps->p == '-') {
		neg = true;
		ps->p++;
	}
	int_s = ps->p;
	if (ps->p < ps->end && *ps->p == '0')
		ps->p++;
	else if (cj_digit_here(ps))
		cj_skip_digits(ps);
	else
		return cj_fail(ps, "bad number");
	int_e = ps->p;

	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		integral = false;
		if (!cj_digit_here(ps))
			return cj_fail(ps, "bad number: no digit after '.'");
		cj_skip_digits(ps);
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		integral = false;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (!cj_digit_here(ps))
			return cj_fail(ps, "bad number: no digit in exponent");
		cj_skip_digits(ps);
	}
	if (ps->p - s > CJ_NUM_MAX)
		return cj_fail(ps, "number too long");
	idx = cj_new(ps, CJ_NUMBER);
	if (idx < 0)
		return -1;
	memcpy(copy, s, (size_t)(ps->p - s));
	copy[ps->p - s] = '\0';
	ps->doc->v[idx].d = strtod(copy, NULL);
	if (integral)
		cj_integer(&ps->doc->v[idx], int_s, int_e, neg);
	return 0;
}

static int cj_literal(struct cj_parser *ps)
{
	static const struct {
		const char *word;
		enum cj_type type;
	} lits[] = { { "true", CJ_TRUE }, { "false", CJ_FALSE }, { "null", CJ_NULL } };

	for (size_t i = 0; i < sizeof(lits) / sizeof(lits[0]); i++) {
		size_t n = strlen(lits[i].word);

		if ((size_t)(ps->end - ps->p) >= n && memcmp(ps->p, lits[i].word, n) == 0) {
			ps->p += n;
			return cj_new(ps, lits[i].type) < 0 ? -1 : 0;
		}
	}
	return cj_fail(ps, "unexpected character");
}

static int cj_open(struct cj_parser *ps, enum cj_type type)
{
	int64_t idx;

	if (ps->depth >= CJ_MAX_DEPTH)
		return cj_fail(ps, "nested too deep");
	idx = cj_new(ps, type);
	if (idx < 0)
		return -1;
	ps->p++;
	ps->open[ps->depth] = (uint32_t)idx;
	ps->last[ps->depth] = 0;
	ps->depth++;
	return 0;
}

/* One value; *st is where the grammar goes next. */
static int cj_value(struct cj_parser *ps, enum cj_state *st)
{
	uint32_t len;
	const char *s;
	int64_t idx;

	*st = CJ_ST_AFTER;
	switch (*ps->p) {
	case '{':
		*st = CJ_ST_KEY_OR_END;
		return cj_open(ps, CJ_OBJECT);
	case '[':
		*st = CJ_ST_VALUE_OR_END;
		return cj_open(ps, CJ_ARRAY);
	case '"':
		s = cj_string(ps, &len);
		if (s == NULL || (idx = cj_new(ps, CJ_STRING)) < 0)
			return -1;
		ps->doc->v[idx].str = s;
		ps->doc->v[idx].n = len;
		return 0;
	default:
		if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
			return cj_number(ps);
		return cj_literal(ps);
	}
}

/* "key" : */
static int cj_key(struct cj_parser *ps)
{
	uint32_t len;

	if (*ps->p != '"')
		return cj_fail(ps, "expected a member name");
	ps->key = cj_string(ps, &len);
	if (ps->key == NULL)
		return -1;
	cj_skip_ws(ps);
	if (ps->p >= ps->end || *ps->p != ':')
		return cj_fail(ps, "expected ':'");
	ps->p++;
	return 0;
}

/* After a value: ',' or the closing bracket of the open container. */
static int cj_after(struct cj_parser *ps, enum cj_state *st)
{
	bool in_obj = ps->doc->v[ps->open[ps->depth - 1]].type == CJ_OBJECT;

	if (*ps->p == ',') {
		ps->p++;
		*st = in_obj ? CJ_ST_KEY : CJ_ST_VALUE;
		return 0;
	}
	if (*ps->p != (in_obj ? '}' : ']'))
		return cj_fail(ps, in_obj ? "expected ',' or '}'" : "expected ',' or ']'");
	ps->p++;
	ps->depth--;
	return 0;
}

static int cj_run(struct cj_parser *ps)
{
	enum cj_state st = CJ_ST_VALUE;

	for (;;) {
		cj_skip_ws(ps);
		if (st == CJ_ST_AFTER && ps->depth == 0)
			return ps->p == ps->end ? 0 : cj_fail(ps, "trailing characters");
		if (ps->p >= ps->end)
			return cj_fail(ps, "unexpected end of input");
		switch (st) {
		case CJ_ST_VALUE_OR_END:
		case CJ_ST_KEY_OR_END:
			if (*ps->p == (st == CJ_ST_KEY_OR_END ? '}' : ']')) {
				ps->p++;
				ps->depth--;
				st = CJ_ST_AFTER;
				break;
			}
			st = st == CJ_ST_KEY_OR_END ? CJ_ST_KEY : CJ_ST_VALUE;
			break;
		case CJ_ST_KEY:
			if (cj_key(ps) != 0)
				return -1;
			st = CJ_ST_VALUE;
			break;
		case CJ_ST_VALUE:
			if (cj_value(ps, &st) != 0)
				return -1;
			break;
		case CJ_ST_AFTER:
			if (cj_after(ps, &st) != 0)
				return -1;
			break;
		}
	}
}

int cj_parse(struct cj_doc *doc, const char *text, size_t len, char *err, size_t errlen)
{
	struct cj_parser ps = {
		.doc = doc, .start = text, .p = text, .end = text + len,
		.err = err, .errlen = errlen,
	};

	memset(doc, 0, sizeof(*doc));
	if (len > CJ_MAX_INPUT)
		return cj_fail(&ps, "input too long");
	doc->cap = 16;
	doc->v = malloc(doc->cap * sizeof(*doc->v));
	doc->strings = malloc(len + 1);
	if (doc->v == NULL || doc->strings == NULL) {
		cj_free(doc);
		return cj_fail(&ps, "out of memory");
	}
	if (cj_run(&ps) != 0) {
		cj_free(doc);
		return -1;
	}
	return 0;
}

void cj_free(struct cj_doc *doc)
{
	free(doc->v);
	free(doc->strings);
	memset(doc, 0, sizeof(*doc));
}

const struct cj_value *cj_root(const struct cj_doc *doc)
{
	return doc->n > 0 ? &doc->v[0] : NULL;
}

const struct cj_value *cj_first(const struct cj_doc *doc, const struct cj_value *v)
{
	if (v == NULL || (v->type != CJ_ARRAY && v->type != CJ_OBJECT) || v->n == 0)
		return NULL;
	return &doc->v[v->first];
}

const struct cj_value *cj_next(const struct cj_doc *doc, const struct cj_value *v)
{
	return v != NULL && v->next != 0 ? &doc->v[v->next] : NULL;
}

const struct cj_value *cj_member(const struct cj_doc *doc, const struct cj_value *obj,
				 const char *key)
{
	if (obj == NULL || obj->type != CJ_OBJECT)
		return NULL;
	for (const struct cj_value *c = cj_first(doc, obj); c != NULL; c = cj_next(doc, c))
		if (strcmp(c->key, key) == 0)
			return c;
	return NULL;
}

const struct cj_value *cj_at(const struct cj_doc *doc, const struct cj_value *arr, uint32_t idx)
{
	const struct cj_value *c;

	if (arr == NULL || arr->type != CJ_ARRAY || idx >= arr->n)
		return NULL;
	for (c = cj_first(doc, arr); idx > 0; idx--)
		c = cj_next(doc, c);
	return c;
}

const char *cj_get_str(const struct cj_doc *doc, const struct cj_value *obj,
		       const char *key, const char *dflt)
{
	const struct cj_value *v = cj_member(doc, obj, key);

	return v != NULL && v->type == CJ_STRING ? v->str : dflt;
}

uint64_t cj_get_u64(const struct cj_doc *doc, const struct cj_value *obj,
		    const char *key, uint64_t dflt)
{
	const struct cj_value *v = cj_member(doc, obj, key);

	return v != NULL && v->type == CJ_NUMBER && v->is_uint ? v->u : dflt;
}
