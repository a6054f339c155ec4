/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * From file to libconfig tree.  libconfig 1.5 stores an integer literal
 * without an `L` suffix in a 32-bit int and silently truncates: 0x1C0000000
 * and 0xC0000000 both become -1073741824, 4294967297 becomes 1.  So before
 * parsing, every such literal gets an `L` and is stored exactly as INT64;
 * cfg_get_u32() then range-checks the true value.  Literals past 64 bits
 * (which libconfig saturates) and @include (whose file we would not see)
 * are refused here.
 *
 * Known libconfig 1.5 bug (upstream issue #142, fixed in 1.7): a syntax error
 * right at a string token leaks that string (64 bytes).  A failed load ends
 * the process, so it is not worked around here.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg/cfg_internal.h"
#include "common/gw_ct.h"

struct cfg_scan {
	const char *p;		/* input position */
	char *out;		/* output position */
	int line;
};

static void cfg_scan_copy(struct cfg_scan *sc, size_t n)
{
	for (size_t i = 0; i < n && sc->p[0] != '\0'; i++) {
		if (sc->p[0] == '\n')
			sc->line++;
		*sc->out++ = *sc->p++;
	}
}

/* A "..." string with \ escapes: copied untouched. */
static void cfg_scan_string(struct cfg_scan *sc)
{
	cfg_scan_copy(sc, 1);
	while (sc->p[0] != '\0' && sc->p[0] != '"')
		cfg_scan_copy(sc, sc->p[0] == '\\' && sc->p[1] != '\0' ? 2 : 1);
	cfg_scan_copy(sc, 1);
}

/* Past blanks and comments from q. */
static const char *cfg_skip_gap(const char *q)
{
	for (;;) {
		if (isspace((unsigned char)q[0])) {
			q++;
		} else if (q[0] == '#' || (q[0] == '/' && q[1] == '/')) {
			q += strcspn(q, "\n");
		} else if (q[0] == '/' && q[1] == '*') {
			const char *end = strstr(q + 2, "*/");

			if (end == NULL)
				return q;
			q = end + 2;
		} else {
			return q;
		}
	}
}

/*
 * libconfig looks ahead after a string (for "a" "b" concatenation) and dates
 * a string list element by the token after it: in ( "a",\n "b"\n ) the "b"
 * would be on the line of the ")".  Pull a following , ; ) ] } up beside the
 * string; every other token keeps its line.
 */
static void cfg_scan_pull_punct(struct cfg_scan *sc)
{
	const char *q = cfg_skip_gap(sc->p);

	if (q == sc->p || q[0] == '\0' || strchr(",;)]}", q[0]) == NULL)
		return;
	*sc->out++ = q[0];
	cfg_scan_copy(sc, (size_t)(q - sc->p));
	sc->p++;
}

/* A # or // comment to the end of its line, or a C block comment: copied untouched. */
static void cfg_scan_comment(struct cfg_scan *sc)
{
	if (sc->p[0] == '/' && sc->p[1] == '*') {
		cfg_scan_copy(sc, 2);
		while (sc->p[0] != '\0' && !(sc->p[0] == '*' && sc->p[1] == '/'))
			cfg_scan_copy(sc, 1);
		cfg_scan_copy(sc, 2);
		return;
	}
	while (sc->p[0] != '\0' && sc->p[0] != '\n')
		cfg_scan_copy(sc, 1);
}

static bool cfg_is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '*';
}

/* Float tail after the integer digits: [.digits][e[+-]digits]. */
static size_t cfg_float_len(const char *q)
{
	size_t n = 0;

	if (q[n] == '.')
		for (n++; isdigit((unsigned char)q[n]); n++)
			;
	if ((q[n] == 'e' || q[n] == 'E') &&
	    (isdigit((unsigned char)q[n + 1]) ||
	     ((q[n + 1] == '+' || q[n + 1] == '-') && isdigit((unsigned char)q[n + 2]))))
		for (n += 2; isdigit((unsigned char)q[n]); n++)
			;
	return n;
}

/* Magnitude of the digits at q in base 10 or 16; false on 64-bit overflow. */
static bool cfg_digits(const char *q, size_t n, unsigned base, uint64_t *mag)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned d = isdigit((unsigned char)q[i]) ? (unsigned)(q[i] - '0') :
			(unsigned)(tolower((unsigned char)q[i]) - 'a' + 10);

		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*mag = v;
	return true;
}

/* One numeric token at sc->p; copy it, widened when it needs 64 bits. */
static int cfg_scan_number(struct cfg_ctx *ctx, struct cfg_scan *sc)
{
	const char *q = sc->p;
	bool neg = false, hex, fits64, fits32;
	size_t sign = 0, ndig, suffix = 0, len;
	uint64_t mag = 0;

	if (q[0] == '-' || q[0] == '+') {
		neg = q[0] == '-';
		sign = 1;
	}
	hex = sign == 0 && q[0] == '0' && (q[1] == 'x' || q[1] == 'X') &&
	      isxdigit((unsigned char)q[2]);
	q += hex ? 2 : sign;
	for (ndig = 0; hex ? isxdigit((unsigned char)q[ndig]) : isdigit((unsigned char)q[ndig]); ndig++)
		;
	if (!hex && cfg_float_len(q + ndig) > 0) {
		cfg_scan_copy(sc, (size_t)(q - sc->p) + ndig + cfg_float_len(q + ndig));
		return 0;
	}
	while (suffix < 2 && q[ndig + suffix] == 'L')
		suffix++;
	len = (size_t)(q - sc->p) + ndig + suffix;
	fits64 = cfg_digits(q, ndig, hex ? 16 : 10, &mag) &&
		 (hex || mag <= (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX));
	if (!fits64)
		return cfg_err_line(ctx, sc->line, "integer does not fit in 64 bits (%.*s)",
				    (int)(len < CFG_VALUE_SHOW ? len : CFG_VALUE_SHOW), sc->p);
	fits32 = mag <= (hex ? UINT32_MAX : neg ? (uint64_t)INT32_MAX + 1 : (uint64_t)INT32_MAX);
	cfg_scan_copy(sc, len);
	if (!fits32 && suffix == 0)
		*sc->out++ = 'L';
	return 0;
}

static bool cfg_starts_number(const char *p)
{
	if (p[0] == '-' || p[0] == '+')
		p++;
	return isdigit((unsigned char)p[0]) || (p[0] == '.' && isdigit((unsigned char)p[1]));
}

/* Copy text into out (room for 2 * strlen + 1), widening 64-bit literals. */
static int cfg_text_widen(struct cfg_ctx *ctx, const char *text, char *out)
{
	struct cfg_scan sc = { .p = text, .out = out, .line = 1 };

	while (sc.p[0] != '\0') {
		const char *p = sc.p;

		if (p[0] == '"') {
			cfg_scan_string(&sc);
			cfg_scan_pull_punct(&sc);
		} else if (p[0] == '#' || (p[0] == '/' && (p[1] == '/' || p[1] == '*'))) {
			cfg_scan_comment(&sc);
		} else if (strncmp(p, "@include", 8) == 0) {
			size_t n = strcspn(p, "\r\n");

			return cfg_err_line(ctx, sc.line, "@include is not supported (%.*s)",
					    (int)(n < CFG_VALUE_SHOW ? n : CFG_VALUE_SHOW), p);
		} else if (isalpha((unsigned char)p[0]) || p[0] == '*') {
			while (cfg_is_name_char(sc.p[0]))
				cfg_scan_copy(&sc, 1);
		} else if (cfg_starts_number(p)) {
			if (cfg_scan_number(ctx, &sc) != 0)
				return -1;
		} else {
			cfg_scan_copy(&sc, 1);
		}
	}
	*sc.out = '\0';
	return 0;
}

int cfg_text_parse(struct cfg_ctx *ctx, config_t *cf, const char *text)
{
	size_t cap = 2 * strlen(text) + 1;
	char *wide = malloc(cap);
	int ret = -1;

	config_init(cf);
	if (wide == NULL) {
		cfg_err_line(ctx, 1, "out of memory (%zu bytes)", 2 * strlen(text) + 1);
		goto out;
	}
	if (cfg_text_widen(ctx, text, wide) != 0)
		goto out;
	if (config_read_string(cf, wide) != CONFIG_TRUE) {
		cfg_err_line(ctx, config_error_line(cf), "syntax error (%s)",
			     config_error_text(cf));
		goto out;
	}
	ret = 0;
out:
	if (ret != 0)
		config_destroy(cf);
	if (wide != NULL)
		gw_wipe(wide, cap);		/* it may hold manual SA keys */
	free(wide);
	return ret;
}

/* Line of the first NUL in buf[0..n), for the message. */
static int cfg_nul_line(const char *buf, size_t n)
{
	int line = 1;

	for (size_t i = 0; i < n && buf[i] != '\0'; i++)
		if (buf[i] == '\n')
			line++;
	return line;
}

char *cfg_text_read(struct cfg_ctx *ctx, const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t n = 0;

	if (f == NULL) {
		cfg_err_line(ctx, 1, "cannot open file (%s)", strerror(errno));
		goto out;
	}
	buf = malloc(CFG_FILE_MAX + 1);
	if (buf == NULL) {
		cfg_err_line(ctx, 1, "out of memory (%d bytes)", CFG_FILE_MAX + 1);
		goto out;
	}
	n = fread(buf, 1, CFG_FILE_MAX + 1, f);
	if (ferror(f)) {
		cfg_err_line(ctx, 1, "cannot read file (%s)", strerror(errno));
	} else if (n > CFG_FILE_MAX) {
		cfg_err_line(ctx, 1, "file is larger than %d bytes (%s)", CFG_FILE_MAX, path);
	} else if (memchr(buf, '\0', n) != NULL) {
		cfg_err_line(ctx, cfg_nul_line(buf, n), "file contains a NUL byte (%s)", path);
	} else {
		buf[n] = '\0';
		fclose(f);
		return buf;
	}
out:
	free(buf);
	if (f != NULL)
		fclose(f);
	return NULL;
}
