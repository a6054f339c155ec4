/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKEv1 message builder: the ISAKMP header, payloads chained through
 * their Next Payload octets, SA payloads with RFC 2409 / RFC 2407
 * attributes, strongSwan-style zero padding before encryption, and the
 * fragment datagrams of the strongSwan/Cisco fragmentation extension.
 */
#include <errno.h>
#include <string.h>

#include "controlplane/ikev1/ikev1_msg.h"

enum {
	IKEV1_MSG_MAX_LEN = 65535,
	IKEV1_ATTR_AF_TV = 0x8000,
};

static inline void ikev1_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void ikev1_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Room for n more octets, or the sticky error. */
static int ikev1_build_room(struct ikev1_build *b, size_t n)
{
	if (b->err)
		return b->err;
	if (b->done)
		return b->err = -EINVAL;
	if (n > b->cap - b->len)
		return b->err = -ENOSPC;
	if (b->len + n > IKEV1_MSG_MAX_LEN)
		return b->err = -EMSGSIZE;
	return 0;
}

static int ikev1_build_put(struct ikev1_build *b, const void *p, size_t n)
{
	int rc = ikev1_build_room(b, n);

	if (rc)
		return rc;
	if (n)
		memcpy(b->buf + b->len, p, n);
	b->len += n;
	return 0;
}

static int ikev1_build_u8(struct ikev1_build *b, uint8_t v)
{
	return ikev1_build_put(b, &v, 1);
}

static int ikev1_build_u16(struct ikev1_build *b, uint16_t v)
{
	uint8_t o[2];

	ikev1_put16(o, v);
	return ikev1_build_put(b, o, 2);
}

static int ikev1_build_u32(struct ikev1_build *b, uint32_t v)
{
	uint8_t o[4];

	ikev1_put32(o, v);
	return ikev1_build_put(b, o, 4);
}

/* A generic payload header (length patched by ikev1_pl_close), chained
 * from the previous payload (or the ISAKMP header). */
static long ikev1_pl_open(struct ikev1_build *b, uint8_t type)
{
	static const uint8_t hdr[IKEV1_PL_HDR_LEN];
	size_t off = b->len;
	int rc = ikev1_build_put(b, hdr, sizeof(hdr));

	if (rc)
		return rc;
	b->buf[b->next_off] = type;
	b->next_off = off;
	return (long)off;
}

static long ikev1_pl_close(struct ikev1_build *b, long off)
{
	if (b->err)
		return b->err;
	ikev1_put16(b->buf + off + 2, (uint16_t)(b->len - (size_t)off));
	b->pl_end = b->len;
	return off;
}

static long ikev1_pl_simple(struct ikev1_build *b, uint8_t type, const void *body, size_t len)
{
	long off = ikev1_pl_open(b, type);

	if (off < 0)
		return off;
	ikev1_build_put(b, body, len);
	return ikev1_pl_close(b, off);
}

void ikev1_build_init(struct ikev1_build *b, void *buf, size_t cap,
		      const uint8_t icookie[IKEV1_COOKIE_LEN],
		      const uint8_t rcookie[IKEV1_COOKIE_LEN], uint8_t exchange, uint8_t flags,
		      uint32_t msg_id)
{
	memset(b, 0, sizeof(*b));
	b->buf = buf;
	b->cap = cap;
	if (cap < IKEV1_HDR_LEN) {
		b->err = -ENOSPC;
		return;
	}
	memcpy(b->buf, icookie, IKEV1_COOKIE_LEN);
	memcpy(b->buf + 8, rcookie, IKEV1_COOKIE_LEN);
	b->buf[16] = IKEV1_PL_NONE;
	b->buf[17] = IKEV1_VERSION;
	b->buf[18] = exchange;
	b->buf[19] = flags;
	ikev1_put32(b->buf + 20, msg_id);
	ikev1_put32(b->buf + 24, 0);
	b->len = IKEV1_HDR_LEN;
	b->next_off = 16;
	b->pl_end = IKEV1_HDR_LEN;
}

long ikev1_build_end(struct ikev1_build *b)
{
	if (b->err)
		return b->err;
	if (b->done)
		return b->err = -EINVAL;
	ikev1_put32(b->buf + 24, (uint32_t)b->len);
	b->done = true;
	return (long)b->len;
}

long ikev1_build_end_encrypted(struct ikev1_build *b, size_t block)
{
	static const uint8_t zero[IKEV1_BLOCK_MAX];
	size_t pad;

	if (b->err)
		return b->err;
	if (block == 0 || block > IKEV1_BLOCK_MAX)
		return b->err = -EINVAL;
	pad = block - (b->len - IKEV1_HDR_LEN) % block;
	if (ikev1_build_put(b, zero, pad))
		return b->err;
	b->buf[19] |= IKEV1_F_ENC;
	return ikev1_build_end(b);
}

/* ---- SA ---- */

static int ikev1_attr_tv(struct ikev1_build *b, uint16_t type, uint16_t v)
{
	ikev1_build_u16(b, IKEV1_ATTR_AF_TV | type);
	return ikev1_build_u16(b, v);
}

/* Life duration: TV when it fits in 16 bits, else a 4-octet TLV. */
static int ikev1_attr_life(struct ikev1_build *b, uint16_t type_attr, uint16_t dur_attr,
			   uint16_t life_type, uint32_t v)
{
	ikev1_attr_tv(b, type_attr, life_type);
	if (v <= UINT16_MAX)
		return ikev1_attr_tv(b, dur_attr, (uint16_t)v);
	ikev1_build_u16(b, dur_attr);
	ikev1_build_u16(b, 4);
	return ikev1_build_u32(b, v);
}

static void ikev1_attrs_p1(struct ikev1_build *b, const struct ikev1_xform *x)
{
	ikev1_attr_tv(b, IKEV1_A1_ENCR, x->encr);
	if (x->key_len)
		ikev1_attr_tv(b, IKEV1_A1_KEY_LENGTH, x->key_len);
	ikev1_attr_tv(b, IKEV1_A1_HASH, x->hash);
	ikev1_attr_tv(b, IKEV1_A1_AUTH, x->auth);
	ikev1_attr_tv(b, IKEV1_A1_GROUP, x->group);
	if (x->life_secs)
		ikev1_attr_life(b, IKEV1_A1_LIFE_TYPE, IKEV1_A1_LIFE_DURATION,
				IKEV1_LIFE_SECONDS, x->life_secs);
	if (x->life_kb)
		ikev1_attr_life(b, IKEV1_A1_LIFE_TYPE, IKEV1_A1_LIFE_DURATION,
				IKEV1_LIFE_KILOBYTES, x->life_kb);
}

static void ikev1_attrs_p2(struct ikev1_build *b, const struct ikev1_xform *x)
{
	if (x->life_secs)
		ikev1_attr_life(b, IKEV1_A2_LIFE_TYPE, IKEV1_A2_LIFE_DURATION,
				IKEV1_LIFE_SECONDS, x->life_secs);
	if (x->life_kb)
		ikev1_attr_life(b, IKEV1_A2_LIFE_TYPE, IKEV1_A2_LIFE_DURATION,
				IKEV1_LIFE_KILOBYTES, x->life_kb);
	if (x->group)
		ikev1_attr_tv(b, IKEV1_A2_GROUP, x->group);
	if (x->encap)
		ikev1_attr_tv(b, IKEV1_A2_ENCAP, x->encap);
	if (x->auth)
		ikev1_attr_tv(b, IKEV1_A2_AUTH, x->auth);
	if (x->key_len)
		ikev1_attr_tv(b, IKEV1_A2_KEY_LENGTH, x->key_len);
	if (x->esn)
		ikev1_attr_tv(b, IKEV1_A2_ESN, 1);
}

static long ikev1_add_sa(struct ikev1_build *b, uint8_t proto, const uint8_t *spi,
			 uint8_t spi_size, const struct ikev1_xform *x, unsigned n)
{
	long off, prop;
	unsigned i;

	if (n == 0 || n > UINT8_MAX)
		return b->err ? b->err : (b->err = -EINVAL);
	off = ikev1_pl_open(b, IKEV1_PL_SA);
	if (off < 0)
		return off;
	ikev1_build_u32(b, IKEV1_DOI_IPSEC);
	ikev1_build_u32(b, IKEV1_SIT_IDENTITY_ONLY);
	prop = (long)b->len;
	ikev1_build_u32(b, 0);			/* next NONE, reserved, length */
	ikev1_build_u8(b, 1);			/* Proposal # */
	ikev1_build_u8(b, proto);
	ikev1_build_u8(b, spi_size);
	ikev1_build_u8(b, (uint8_t)n);
	ikev1_build_put(b, spi, spi_size);
	for (i = 0; i < n; i++) {
		size_t t = b->len;

		ikev1_build_u8(b, i + 1 < n ? IKEV1_PL_T : IKEV1_PL_NONE);
		ikev1_build_u8(b, 0);
		ikev1_build_u16(b, 0);
		ikev1_build_u8(b, x[i].num ? x[i].num : (uint8_t)(i + 1));
		ikev1_build_u8(b, proto == IKEV1_PROTO_ISAKMP ? IKEV1_ESP_KEY_ATTR_ID : x[i].id);
		ikev1_build_u16(b, 0);
		if (proto == IKEV1_PROTO_ISAKMP)
			ikev1_attrs_p1(b, &x[i]);
		else
			ikev1_attrs_p2(b, &x[i]);
		if (b->err)
			return b->err;
		ikev1_put16(b->buf + t + 2, (uint16_t)(b->len - t));
	}
	if (b->err)
		return b->err;
	ikev1_put16(b->buf + prop + 2, (uint16_t)(b->len - (size_t)prop));
	return ikev1_pl_close(b, off);
}

long ikev1_add_sa_p1(struct ikev1_build *b, const struct ikev1_xform *x, unsigned n)
{
	return ikev1_add_sa(b, IKEV1_PROTO_ISAKMP, NULL, 0, x, n);
}

long ikev1_add_sa_p2(struct ikev1_build *b, const uint8_t spi[IKEV1_ESP_SPI_LEN],
		     const struct ikev1_xform *x, unsigned n)
{
	return ikev1_add_sa(b, IKEV1_PROTO_ESP, spi, IKEV1_ESP_SPI_LEN, x, n);
}

/* ---- the other payloads ---- */

long ikev1_add_ke(struct ikev1_build *b, const void *data, size_t len)
{
	return ikev1_pl_simple(b, IKEV1_PL_KE, data, len);
}

long ikev1_add_nonce(struct ikev1_build *b, const void *data, size_t len)
{
	return ikev1_pl_simple(b, IKEV1_PL_NONCE, data, len);
}

long ikev1_add_id(struct ikev1_build *b, uint8_t type, uint8_t proto, uint16_t port,
		  const void *data, size_t len)
{
	long off = ikev1_pl_open(b, IKEV1_PL_ID);

	if (off < 0)
		return off;
	ikev1_build_u8(b, type);
	ikev1_build_u8(b, proto);
	ikev1_build_u16(b, port);
	ikev1_build_put(b, data, len);
	return ikev1_pl_close(b, off);
}

static long ikev1_add_certlike(struct ikev1_build *b, uint8_t type, uint8_t enc,
			       const void *data, size_t len)
{
	long off = ikev1_pl_open(b, type);

	if (off < 0)
		return off;
	ikev1_build_u8(b, enc);
	ikev1_build_put(b, data, len);
	return ikev1_pl_close(b, off);
}

long ikev1_add_cert(struct ikev1_build *b, uint8_t enc, const void *data, size_t len)
{
	return ikev1_add_certlike(b, IKEV1_PL_CERT, enc, data, len);
}

long ikev1_add_cr(struct ikev1_build *b, uint8_t enc, const void *data, size_t len)
{
	return ikev1_add_certlike(b, IKEV1_PL_CR, enc, data, len);
}

long ikev1_add_hash(struct ikev1_build *b, size_t len)
{
	long off = ikev1_pl_open(b, IKEV1_PL_HASH);

	if (off < 0)
		return off;
	if (ikev1_build_room(b, len) == 0) {
		memset(b->buf + b->len, 0, len);
		b->len += len;
	}
	return ikev1_pl_close(b, off);
}

long ikev1_add_sig(struct ikev1_build *b, const void *data, size_t len)
{
	return ikev1_pl_simple(b, IKEV1_PL_SIG, data, len);
}

long ikev1_add_notify(struct ikev1_build *b, uint8_t proto, const void *spi, uint8_t spi_size,
		      uint16_t type, const void *data, size_t len)
{
	long off = ikev1_pl_open(b, IKEV1_PL_N);

	if (off < 0)
		return off;
	ikev1_build_u32(b, IKEV1_DOI_IPSEC);
	ikev1_build_u8(b, proto);
	ikev1_build_u8(b, spi_size);
	ikev1_build_u16(b, type);
	ikev1_build_put(b, spi, spi_size);
	ikev1_build_put(b, data, len);
	return ikev1_pl_close(b, off);
}

long ikev1_add_delete(struct ikev1_build *b, uint8_t proto, uint8_t spi_size, uint16_t n_spi,
		      const void *spis)
{
	long off;

	if (n_spi == 0 || spi_size == 0)
		return b->err ? b->err : (b->err = -EINVAL);
	off = ikev1_pl_open(b, IKEV1_PL_D);
	if (off < 0)
		return off;
	ikev1_build_u32(b, IKEV1_DOI_IPSEC);
	ikev1_build_u8(b, proto);
	ikev1_build_u8(b, spi_size);
	ikev1_build_u16(b, n_spi);
	ikev1_build_put(b, spis, (size_t)spi_size * n_spi);
	return ikev1_pl_close(b, off);
}

long ikev1_add_vid(struct ikev1_build *b, const void *data, size_t len)
{
	return ikev1_pl_simple(b, IKEV1_PL_VID, data, len);
}

long ikev1_add_natd(struct ikev1_build *b, uint8_t pl_type, const void *hash, size_t len)
{
	if (pl_type != IKEV1_PL_NATD && pl_type != IKEV1_PL_NATD_DRAFT)
		return b->err ? b->err : (b->err = -EINVAL);
	return ikev1_pl_simple(b, pl_type, hash, len);
}

long ikev1_add_raw(struct ikev1_build *b, uint8_t pl_type, const void *body, size_t len)
{
	return ikev1_pl_simple(b, pl_type, body, len);
}

struct ike_view ikev1_build_body(const struct ikev1_build *b, long off)
{
	size_t len;

	if (off < IKEV1_HDR_LEN || (size_t)off + IKEV1_PL_HDR_LEN > b->pl_end)
		return (struct ike_view){ NULL, 0 };
	len = (size_t)(b->buf[off + 2] << 8 | b->buf[off + 3]);
	if (len < IKEV1_PL_HDR_LEN || (size_t)off + len > b->pl_end)
		return (struct ike_view){ NULL, 0 };
	return (struct ike_view){ b->buf + off + IKEV1_PL_HDR_LEN, len - IKEV1_PL_HDR_LEN };
}

struct ike_view ikev1_build_after(const struct ikev1_build *b, long off)
{
	struct ike_view body = ikev1_build_body(b, off);
	const uint8_t *from;

	if (body.p == NULL)
		return body;
	from = body.p + body.len;
	return (struct ike_view){ from, (size_t)(b->buf + b->pl_end - from) };
}

/* ---- fragments ---- */

long ikev1_frag_make(const uint8_t *msg, size_t len, size_t off, size_t chunk, uint8_t num,
		     bool last, uint8_t *out, size_t cap)
{
	size_t flen = IKEV1_HDR_LEN + IKEV1_FRAG_HDR_LEN + chunk;

	if (len < IKEV1_HDR_LEN || off > len || chunk > len - off || chunk == 0 || num == 0)
		return -EINVAL;
	if (flen > IKEV1_MSG_MAX_LEN)
		return -EMSGSIZE;
	if (flen > cap)
		return -ENOSPC;
	memcpy(out, msg, 2 * IKEV1_COOKIE_LEN);
	out[16] = IKEV1_PL_FRAG;
	out[17] = IKEV1_VERSION;
	out[18] = IKEV1_EXCH_MAIN;
	out[19] = 0;
	ikev1_put32(out + 20, 0);
	ikev1_put32(out + 24, (uint32_t)flen);
	out[28] = IKEV1_PL_NONE;
	out[29] = 0;
	ikev1_put16(out + 30, (uint16_t)(IKEV1_FRAG_HDR_LEN + chunk));
	ikev1_put16(out + 32, IKEV1_FRAG_ID);
	out[34] = num;
	out[35] = last ? IKEV1_FRAG_F_LAST : 0;
	memcpy(out + IKEV1_HDR_LEN + IKEV1_FRAG_HDR_LEN, msg + off, chunk);
	return (long)flen;
}

unsigned ikev1_frag_count(size_t len, size_t max_dgram)
{
	size_t per, n;

	if (max_dgram <= IKEV1_HDR_LEN + IKEV1_FRAG_HDR_LEN || len == 0)
		return 0;
	per = max_dgram - IKEV1_HDR_LEN - IKEV1_FRAG_HDR_LEN;
	n = (len + per - 1) / per;
	return n > UINT8_MAX ? 0 : (unsigned)n;
}
