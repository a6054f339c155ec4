/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_BUF_H
#define GW_BUF_H

/*
 * A bounds-checked cursor over untrusted bytes.  Every getter checks the
 * remaining length; the first short read sets ->err and every later read
 * returns zeros, so a parser can read a whole header and check err once.
 * Values are read big-endian (network order).  Not thread-safe per object.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct gw_buf {
	const uint8_t *p;
	size_t len;
	size_t off;
	bool err;
};

static inline void gw_buf_init(struct gw_buf *b, const void *p, size_t len)
{
	b->p = p;
	b->len = len;
	b->off = 0;
	b->err = false;
}

static inline size_t gw_buf_left(const struct gw_buf *b)
{
	return b->err ? 0 : b->len - b->off;
}

static inline const uint8_t *gw_buf_take(struct gw_buf *b, size_t n)
{
	const uint8_t *r;

	if (b->err || b->len - b->off < n) {
		b->err = true;
		return NULL;
	}
	r = b->p + b->off;
	b->off += n;
	return r;
}

static inline uint8_t gw_buf_u8(struct gw_buf *b)
{
	const uint8_t *q = gw_buf_take(b, 1);

	return q ? q[0] : 0;
}

static inline uint16_t gw_buf_u16(struct gw_buf *b)
{
	const uint8_t *q = gw_buf_take(b, 2);

	return q ? (uint16_t)(q[0] << 8 | q[1]) : 0;
}

static inline uint32_t gw_buf_u32(struct gw_buf *b)
{
	const uint8_t *q = gw_buf_take(b, 4);

	return q ? (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
		   (uint32_t)q[2] << 8 | q[3] : 0;
}

static inline int gw_buf_copy(struct gw_buf *b, void *dst, size_t n)
{
	const uint8_t *q = gw_buf_take(b, n);

	if (q == NULL)
		return -1;
	memcpy(dst, q, n);
	return 0;
}

#endif /* GW_BUF_H */
