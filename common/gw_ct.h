/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CT_H
#define GW_CT_H

/*
 * Constant-time comparison for the fast path, which calls no OpenSSL.
 * The control plane uses CRYPTO_memcmp().  Time depends on len only.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * Returns 0 when equal, non-zero otherwise.  Eight bytes at a time (an ICV
 * is 12 to 32 bytes: a byte loop cost a 64-byte ESP packet ~10 % of its
 * time); the accumulator is volatile so that no early exit can be derived
 * from its value.
 */
static inline int gw_ct_memcmp(const void *a, const void *b, size_t len)
{
	const uint8_t *x = a;
	const uint8_t *y = b;
	volatile uint64_t acc = 0;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t u, v;

		memcpy(&u, x + i, sizeof(u));
		memcpy(&v, y + i, sizeof(v));
		acc |= u ^ v;
	}
	for (; i < len; i++)
		acc |= (uint64_t)(x[i] ^ y[i]);
	return acc != 0;
}

/* Wipe memory in a way the compiler may not elide (glibc's
 * explicit_bzero: word-wide, not byte by byte; no system call). */
static inline void gw_wipe(void *p, size_t len)
{
	explicit_bzero(p, len);
}

#endif /* GW_CT_H */
