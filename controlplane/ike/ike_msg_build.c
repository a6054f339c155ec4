/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKEv2 message builder (RFC 7296 section 3, RFC 7383 2.5).  Payloads are
 * appended in order; opening one writes its type into the Next Payload
 * octet of the one before (or of the header), closing it patches its
 * Length.  Errors are sticky (see ike_msg.h).
 */
#include <errno.h>
#include <string.h>

#include "common/gw_ike_xform.h"
#include "controlplane/ike/ike_msg.h"

/* ike_build.next_off: write the next type into b->first / nowhere. */
#define IKE_BUILD_NEXT_FIRST SIZE_MAX
#define IKE_BUILD_NEXT_NONE (SIZE_MAX - 1)
#define IKE_BUILD_NONE SIZE_MAX

static inline void ike_put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void ike_put32(uint8_t *p, uint32_t v)
{
	ike_put16(p, v >> 16);
	ike_put16(p + 2, v & 0xffff);
}

static int ike_build_fail(struct ike_build *b, int err)
{
	if (b->err == 0)
		b->err = err;
	return b->err;
}

/* Append n zero octets; NULL (and the sticky error) when they do not fit. */
static uint8_t *ike_build_put(struct ike_build *b, size_t n)
{
	uint8_t *p;

	if (b->err)
		return NULL;
	if (b->done) {
		ike_build_fail(b, -EINVAL);
		return NULL;
	}
	if (n > IKE_MSG_MAX - b->len) {
		ike_build_fail(b, -EMSGSIZE);
		return NULL;
	}
	if (n > b->cap - b->len) {
		ike_build_fail(b, -ENOSPC);
		return NULL;
	}
	p = b->buf + b->len;
	memset(p, 0, n);
	b->len += n;
	return p;
}

static void ike_build_reset(struct ike_build *b, void *buf, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->buf = buf;
	b->cap = buf == NULL ? 0 : cap;
	b->pl_off = IKE_BUILD_NONE;
	b->sa_off = IKE_BUILD_NONE;
	b->prop_off = IKE_BUILD_NONE;
	b->xform_off = IKE_BUILD_NONE;
	b->sk_off = IKE_BUILD_NONE;
	b->sk_iv_off = IKE_BUILD_NONE;
	b->sk_plain_off = IKE_BUILD_NONE;
}

void ike_msg_build_init(struct ike_build *b, void *buf, size_t cap, uint64_t spi_i,
			uint64_t spi_r, uint8_t exchange, uint8_t flags, uint32_t msg_id)
{
	uint8_t *h;

	ike_build_reset(b, buf, cap);
	b->has_hdr = true;
	b->next_off = 16;
	h = ike_build_put(b, IKE_HDR_LEN);
	if (h == NULL)
		return;
	ike_put32(h, (uint32_t)(spi_i >> 32));
	ike_put32(h + 4, (uint32_t)spi_i);
	ike_put32(h + 8, (uint32_t)(spi_r >> 32));
	ike_put32(h + 12, (uint32_t)spi_r);
	h[17] = IKE_VERSION;
	h[18] = exchange;
	h[19] = flags;
	ike_put32(h + 20, msg_id);
}

void ike_msg_build_init_inner(struct ike_build *b, void *buf, size_t cap)
{
	ike_build_reset(b, buf, cap);
	b->next_off = IKE_BUILD_NEXT_FIRST;
}

/* Open a payload: chain it from the previous one, write its header. */
static int ike_build_open(struct ike_build *b, uint8_t type, bool critical)
{
	size_t off = b->len;
	uint8_t *p;

	if (b->pl_off != IKE_BUILD_NONE || b->next_off == IKE_BUILD_NEXT_NONE)
		return ike_build_fail(b, -EINVAL);
	p = ike_build_put(b, IKE_PL_HDR_LEN);
	if (p == NULL)
		return b->err;
	if (b->next_off == IKE_BUILD_NEXT_FIRST)
		b->first = type;
	else
		b->buf[b->next_off] = type;
	p[1] = critical ? IKE_PL_F_CRITICAL : 0;
	b->next_off = off;
	b->pl_off = off;
	return 0;
}

static int ike_build_close(struct ike_build *b)
{
	size_t n;

	if (b->err)
		return b->err;
	n = b->len - b->pl_off;
	if (n > UINT16_MAX)
		return ike_build_fail(b, -EMSGSIZE);
	ike_put16(b->buf + b->pl_off + 2, n);
	b->pl_off = IKE_BUILD_NONE;
	return 0;
}

static int ike_build_append(struct ike_build *b, const void *data, size_t len)
{
	uint8_t *p = ike_build_put(b, len);

	if (p == NULL)
		return b->err;
	if (len)
		memcpy(p, data, len);
	return 0;
}

/* A payload: fixed part (fix_len octets) then data. */
static int ike_build_simple(struct ike_build *b, uint8_t type, const uint8_t *fix,
			    size_t fix_len, const void *data, size_t len)
{
	if (ike_build_open(b, type, false) || ike_build_append(b, fix, fix_len) ||
	    ike_build_append(b, data, len))
		return b->err;
	return ike_build_close(b);
}

long ike_msg_build_end(struct ike_build *b)
{
	if (b->err)
		return b->err;
	if (b->done)
		return (long)b->len;
	if (b->pl_off != IKE_BUILD_NONE || b->sk_off != IKE_BUILD_NONE)
		return ike_build_fail(b, -EINVAL);	/* open SA, or SK without sk_end */
	if (b->has_hdr)
		ike_put32(b->buf + 24, (uint32_t)b->len);
	b->done = true;
	return (long)b->len;
}

/* ---- SA ---- */

int ike_msg_add_sa_begin(struct ike_build *b)
{
	if (ike_build_open(b, IKE_PL_SA, false))
		return b->err;
	b->sa_off = b->pl_off;
	return 0;
}

static void ike_build_prop_close(struct ike_build *b)
{
	if (b->prop_off != IKE_BUILD_NONE && b->err == 0)
		ike_put16(b->buf + b->prop_off + 2, b->len - b->prop_off);
}

int ike_msg_add_proposal(struct ike_build *b, uint8_t num, uint8_t proto, const void *spi,
			 uint8_t spi_size)
{
	size_t off = b->len;
	uint8_t *p;

	if (b->sa_off == IKE_BUILD_NONE)
		return ike_build_fail(b, -EINVAL);
	ike_build_prop_close(b);
	p = ike_build_put(b, IKE_PROP_HDR_LEN);
	if (p == NULL || ike_build_append(b, spi, spi_size))
		return b->err;
	if (b->prop_off != IKE_BUILD_NONE)
		b->buf[b->prop_off] = IKE_PROP_MORE;
	p[4] = num;
	p[5] = proto;
	p[6] = spi_size;
	b->prop_off = off;
	b->xform_off = IKE_BUILD_NONE;
	return 0;
}

int ike_msg_add_transform(struct ike_build *b, uint8_t type, uint16_t id, uint16_t key_len)
{
	size_t off = b->len, len = IKE_XFORM_HDR_LEN + (key_len ? 4 : 0);
	uint8_t *p;

	if (b->prop_off == IKE_BUILD_NONE || b->buf[b->prop_off + 7] == UINT8_MAX)
		return ike_build_fail(b, -EINVAL);
	p = ike_build_put(b, len);
	if (p == NULL)
		return b->err;
	if (b->xform_off != IKE_BUILD_NONE)
		b->buf[b->xform_off] = IKE_XFORM_MORE;
	ike_put16(p + 2, len);
	p[4] = type;
	ike_put16(p + 6, id);
	if (key_len) {
		ike_put16(p + 8, IKE_ATTR_AF_TV | IKE_ATTR_KEY_LENGTH);
		ike_put16(p + 10, key_len);
	}
	b->buf[b->prop_off + 7]++;
	b->xform_off = off;
	return 0;
}

int ike_msg_add_sa_end(struct ike_build *b)
{
	if (b->sa_off == IKE_BUILD_NONE || b->prop_off == IKE_BUILD_NONE)
		return ike_build_fail(b, -EINVAL);	/* no SA open, or no proposal */
	ike_build_prop_close(b);
	b->sa_off = b->prop_off = b->xform_off = IKE_BUILD_NONE;
	return ike_build_close(b);
}

/* ---- the other payloads ---- */

int ike_msg_add_ke(struct ike_build *b, uint16_t group, const void *data, size_t len)
{
	uint8_t fix[4] = { (uint8_t)(group >> 8), (uint8_t)group, 0, 0 };

	return ike_build_simple(b, IKE_PL_KE, fix, sizeof(fix), data, len);
}

int ike_msg_add_id(struct ike_build *b, uint8_t pl_type, uint8_t id_type, const void *data,
		   size_t len)
{
	uint8_t fix[4] = { id_type, 0, 0, 0 };

	if (pl_type != IKE_PL_IDI && pl_type != IKE_PL_IDR)
		return ike_build_fail(b, -EINVAL);
	return ike_build_simple(b, pl_type, fix, sizeof(fix), data, len);
}

int ike_msg_add_cert(struct ike_build *b, uint8_t pl_type, uint8_t enc, const void *data,
		     size_t len)
{
	if (pl_type != IKE_PL_CERT && pl_type != IKE_PL_CERTREQ)
		return ike_build_fail(b, -EINVAL);
	return ike_build_simple(b, pl_type, &enc, 1, data, len);
}

int ike_msg_add_auth(struct ike_build *b, uint8_t method, const void *data, size_t len)
{
	uint8_t fix[4] = { method, 0, 0, 0 };

	return ike_build_simple(b, IKE_PL_AUTH, fix, sizeof(fix), data, len);
}

int ike_msg_add_nonce(struct ike_build *b, const void *data, size_t len)
{
	return ike_build_simple(b, IKE_PL_NONCE, NULL, 0, data, len);
}

int ike_msg_add_notify(struct ike_build *b, uint8_t proto, const void *spi, uint8_t spi_size,
		       uint16_t type, const void *data, size_t len)
{
	uint8_t fix[4] = { proto, spi_size, (uint8_t)(type >> 8), (uint8_t)type };

	if (ike_build_open(b, IKE_PL_N, false) || ike_build_append(b, fix, sizeof(fix)) ||
	    ike_build_append(b, spi, spi_size) || ike_build_append(b, data, len))
		return b->err;
	return ike_build_close(b);
}

int ike_msg_add_delete(struct ike_build *b, uint8_t proto, uint8_t spi_size, uint16_t n_spi,
		       const void *spis)
{
	uint8_t fix[4] = { proto, spi_size, (uint8_t)(n_spi >> 8), (uint8_t)n_spi };

	return ike_build_simple(b, IKE_PL_D, fix, sizeof(fix), spis, (size_t)spi_size * n_spi);
}

int ike_msg_add_vendor(struct ike_build *b, const void *data, size_t len)
{
	return ike_build_simple(b, IKE_PL_V, NULL, 0, data, len);
}

int ike_msg_add_ts(struct ike_build *b, uint8_t pl_type, const struct ike_ts *ts, unsigned n)
{
	uint8_t fix[4] = { (uint8_t)n, 0, 0, 0 };

	if ((pl_type != IKE_PL_TSI && pl_type != IKE_PL_TSR) || n == 0 || n > UINT8_MAX)
		return ike_build_fail(b, -EINVAL);
	if (ike_build_open(b, pl_type, false) || ike_build_append(b, fix, sizeof(fix)))
		return b->err;
	for (unsigned i = 0; i < n; i++) {
		size_t alen = ts[i].type == IKE_TS_IPV4_ADDR_RANGE ? 4 :
			      ts[i].type == IKE_TS_IPV6_ADDR_RANGE ? 16 : 0;
		uint8_t *p;

		if (alen == 0)
			return ike_build_fail(b, -EINVAL);
		p = ike_build_put(b, IKE_TS_HDR_LEN);
		if (p == NULL || ike_build_append(b, ts[i].start, alen) ||
		    ike_build_append(b, ts[i].end, alen))
			return b->err;
		p[0] = ts[i].type;
		p[1] = ts[i].proto;
		ike_put16(p + 2, IKE_TS_HDR_LEN + 2 * alen);
		ike_put16(p + 4, ts[i].sport);
		ike_put16(p + 6, ts[i].eport);
	}
	return ike_build_close(b);
}

int ike_msg_add_raw(struct ike_build *b, uint8_t pl_type, bool critical, const void *body,
		    size_t len)
{
	if (ike_build_open(b, pl_type, critical) || ike_build_append(b, body, len))
		return b->err;
	return ike_build_close(b);
}

/* ---- SK and SKF ---- */

int ike_msg_sk_begin(struct ike_build *b, size_t iv_len)
{
	if (!b->has_hdr || b->sk_off != IKE_BUILD_NONE)
		return ike_build_fail(b, -EINVAL);
	if (ike_build_open(b, IKE_PL_SK, false))
		return b->err;
	b->sk_iv_off = b->len;
	if (ike_build_put(b, iv_len) == NULL)
		return b->err;
	/* Inner payloads chain from the SK's own Next Payload octet. */
	b->sk_off = b->pl_off;
	b->pl_off = IKE_BUILD_NONE;
	b->sk_plain_off = b->len;
	return 0;
}

int ike_msg_skf_begin(struct ike_build *b, uint16_t frag_num, uint16_t frag_total,
		      uint8_t inner_next, size_t iv_len)
{
	uint8_t *p;

	if (!b->has_hdr || b->sk_off != IKE_BUILD_NONE || frag_num == 0 || frag_num > frag_total)
		return ike_build_fail(b, -EINVAL);
	if (ike_build_open(b, IKE_PL_SKF, false))
		return b->err;
	p = ike_build_put(b, 4);
	b->sk_iv_off = b->len;
	if (p == NULL || ike_build_put(b, iv_len) == NULL)
		return b->err;
	ike_put16(p, frag_num);
	ike_put16(p + 2, frag_total);
	b->buf[b->pl_off] = frag_num == 1 ? inner_next : IKE_PL_NONE;	/* RFC 7383 2.5 */
	b->sk_off = b->pl_off;
	b->pl_off = IKE_BUILD_NONE;
	b->next_off = IKE_BUILD_NEXT_NONE;	/* raw bytes only */
	b->sk_plain_off = b->len;
	return 0;
}

int ike_msg_add_bytes(struct ike_build *b, const void *data, size_t len)
{
	if (b->sk_off == IKE_BUILD_NONE || b->next_off != IKE_BUILD_NEXT_NONE)
		return ike_build_fail(b, -EINVAL);
	return ike_build_append(b, data, len);
}

int ike_msg_sk_end(struct ike_build *b, size_t block_len, size_t icv_len,
		   struct ike_sk_seam *seam)
{
	size_t plain, pad, sk_len;
	uint8_t *p;

	if (b->sk_off == IKE_BUILD_NONE || b->pl_off != IKE_BUILD_NONE || block_len == 0 ||
	    block_len > UINT8_MAX + 1)
		return ike_build_fail(b, -EINVAL);
	/* 3.14: inner | padding | pad length, a multiple of the block */
	plain = b->len - b->sk_plain_off;
	pad = (block_len - (plain + 1) % block_len) % block_len;
	p = ike_build_put(b, pad + 1);
	if (p == NULL || ike_build_put(b, icv_len) == NULL)
		return b->err;
	p[pad] = (uint8_t)pad;
	sk_len = b->len - b->sk_off;
	if (sk_len > UINT16_MAX)
		return ike_build_fail(b, -EMSGSIZE);
	ike_put16(b->buf + b->sk_off + 2, sk_len);
	ike_put32(b->buf + 24, (uint32_t)b->len);
	seam->sk_off = b->sk_off;
	seam->plain_off = b->sk_plain_off;
	seam->plain_len = plain + pad + 1;
	seam->iv_off = b->sk_iv_off;
	seam->iv_len = b->sk_plain_off - b->sk_iv_off;
	seam->icv_off = b->len - icv_len;
	seam->icv_len = icv_len;
	seam->msg_len = b->len;
	b->sk_off = IKE_BUILD_NONE;
	b->done = true;
	return 0;
}
