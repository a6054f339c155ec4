/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CLI_RENDER_H
#define GW_CLI_RENDER_H

/*
 * Aligned text tables for people: columns as wide as their widest cell,
 * two spaces apart, numbers right-aligned.  Cells are copied.  Not
 * thread-safe (one table per caller).
 */

#include <stdint.h>
#include <stdio.h>

enum { CLI_TABLE_MAX_COLS = 16 };

struct cli_table;

/*
 * ncols headers; align is one character per column, 'l' or 'r'.
 * NULL on ENOMEM or a bad column count.
 */
struct cli_table *cli_table_new(unsigned ncols, const char *const *headers, const char *align);
/* Append a row of ncols cells (NULL prints empty).  0 or -ENOMEM. */
int cli_table_add(struct cli_table *t, const char *const *cells);
unsigned cli_table_rows(const struct cli_table *t);
void cli_table_print(const struct cli_table *t, FILE *f);
void cli_table_free(struct cli_table *t);

/* Decimal text of v in buf (>= 21 bytes). */
const char *cli_u64(uint64_t v, char *buf, size_t len);
/* "3d 04:05:06" or "04:05:06". */
const char *cli_duration(uint64_t seconds, char *buf, size_t len);

#endif /* GW_CLI_RENDER_H */
