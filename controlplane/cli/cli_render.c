/* SPDX-License-Identifier: BSD-3-Clause */
/* Aligned text tables (see cli_render.h). */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "controlplane/cli/cli_render.h"

struct cli_table {
	unsigned ncols;
	char align[CLI_TABLE_MAX_COLS];
	size_t width[CLI_TABLE_MAX_COLS];
	char **cells;			/* (rows + 1) * ncols; line 0 = headers */
	unsigned rows;			/* data rows */
	unsigned cap;			/* lines allocated */
};

/* Copy cells into line r (0 = headers, 1.. = data), growing the table. */
static int cli_table_put(struct cli_table *t, unsigned r, const char *const *cells)
{
	char **row;

	if (r >= t->cap) {
		unsigned cap = t->cap * 2;
		char **nc = realloc(t->cells, (size_t)cap * t->ncols * sizeof(*nc));

		if (nc == NULL)
			return -ENOMEM;
		t->cells = nc;
		t->cap = cap;
	}
	row = t->cells + (size_t)r * t->ncols;
	for (unsigned c = 0; c < t->ncols; c++) {
		const char *s = cells[c] != NULL ? cells[c] : "";
		size_t n = strlen(s);

		row[c] = strdup(s);
		if (row[c] == NULL) {
			while (c-- > 0)
				free(row[c]);
			return -ENOMEM;
		}
		if (n > t->width[c])
			t->width[c] = n;
	}
	return 0;
}

struct cli_table *cli_table_new(unsigned ncols, const char *const *headers, const char *align)
{
	struct cli_table *t;

	if (ncols == 0 || ncols > CLI_TABLE_MAX_COLS || strlen(align) != ncols)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->ncols = ncols;
	memcpy(t->align, align, ncols);
	t->cap = 8;
	t->cells = malloc((size_t)t->cap * ncols * sizeof(*t->cells));
	if (t->cells == NULL)
		goto fail;
	if (cli_table_put(t, 0, headers) != 0)
		goto fail;
	return t;
fail:
	free(t->cells);
	free(t);
	return NULL;
}

int cli_table_add(struct cli_table *t, const char *const *cells)
{
	int ret = cli_table_put(t, t->rows + 1, cells);

	if (ret == 0)
		t->rows++;
	return ret;
}

unsigned cli_table_rows(const struct cli_table *t)
{
	return t->rows;
}

void cli_table_print(const struct cli_table *t, FILE *f)
{
	for (unsigned r = 0; r <= t->rows; r++) {
		char *const *row = t->cells + (size_t)r * t->ncols;
		unsigned last = t->ncols - 1;

		for (unsigned c = 0; c < t->ncols; c++) {
			int w = (int)t->width[c];
			const char *sep = c < last ? "  " : "";

			if (t->align[c] == 'r')
				fprintf(f, "%*s%s", w, row[c], sep);
			else if (c < last)
				fprintf(f, "%-*s%s", w, row[c], sep);
			else
				fputs(row[c], f);	/* no trailing blanks */
		}
		fputc('\n', f);
	}
}

void cli_table_free(struct cli_table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < (size_t)(t->rows + 1) * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

const char *cli_u64(uint64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRIu64, v);
	return buf;
}

const char *cli_duration(uint64_t s, char *buf, size_t len)
{
	uint64_t d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60, sec = s % 60;

	if (d > 0)
		snprintf(buf, len, "%" PRIu64 "d %02" PRIu64 ":%02" PRIu64 ":%02" PRIu64, d, h, m, sec);
	else
		snprintf(buf, len, "%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64, h, m, sec);
	return buf;
}
