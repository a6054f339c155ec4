/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CT_H
#define GW_CT_H

/*
 * Constant-time comparison for the fast path, which calls no OpenSSL.
 * The control plane uses CRYPTO_memcmp().  Time depends on len only.
 */

#include <stddef.h>
#include <stdint.h>

/* Returns 0 when equal, non-zero otherwise. */
static inline int gw_ct_memcmp(const void *a, const void *b, size_t len)
{
	const volatile uint8_t *x = a;
	const volatile uint8_t *y = b;
	uint8_t acc = 0;

	for (size_t i = 0; i < len; i++)
		acc |= x[i] ^ y[i];
	return acc;
}

/* Wipe memory in a way the compiler may not elide. */
static inline void gw_wipe(void *p, size_t len)
{
	volatile uint8_t *v = p;

	while (len--)
		*v++ = 0;
}

#endif /* GW_CT_H */
