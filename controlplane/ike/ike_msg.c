/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKEv2 message parser (RFC 7296 section 3, RFC 7383 2.5).  Each payload
 * has an ike_msg_validate_* that checks bounds only (every length against
 * its parent) and an ike_msg_parse_* that interprets the validated bytes
 * into views of struct ike_msg.  The error rule is in ike_msg.h.
 */
#include <string.h>

#include "common/gw_buf.h"
#include "common/gw_ike_xform.h"
#include "controlplane/ike/ike_msg.h"

#define IKE_MSG_ERR_CLASS_(id, cls, text) [IKE_MSG_##id] = IKE_MSG_CLASS_##cls,
static const uint8_t ike_msg_err_classes[IKE_MSG_ERR_COUNT] = {
	IKE_MSG_ERR_LIST(IKE_MSG_ERR_CLASS_)
};
#undef IKE_MSG_ERR_CLASS_

#define IKE_MSG_ERR_TEXT_(id, cls, text) [IKE_MSG_##id] = text,
static const char *const ike_msg_err_texts[IKE_MSG_ERR_COUNT] = {
	IKE_MSG_ERR_LIST(IKE_MSG_ERR_TEXT_)
};
#undef IKE_MSG_ERR_TEXT_

static inline uint16_t ike_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t ike_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline struct ike_view ike_view_of(const uint8_t *p, size_t len)
{
	return (struct ike_view){ .p = p, .len = len };
}

/* ---- header ---- */

static enum ike_msg_err ike_msg_validate_hdr(const uint8_t *d, size_t len)
{
	unsigned major;

	if (len < IKE_HDR_LEN)
		return IKE_MSG_HDR_SHORT;
	major = d[17] >> 4;
	if (major < IKE_VERSION_MAJOR)
		return IKE_MSG_HDR_NOT_V2;
	if (major > IKE_VERSION_MAJOR)
		return IKE_MSG_HDR_MAJOR_VERSION;
	/* 3.1: the length of the total message; anything else is not one
	 * IKE message (and not worth an answer). */
	if (ike_get32(d + 24) != len)
		return IKE_MSG_HDR_LENGTH;
	return IKE_MSG_OK;
}

static void ike_msg_parse_hdr(const uint8_t *d, struct ike_hdr *h)
{
	struct gw_buf b;

	gw_buf_init(&b, d, IKE_HDR_LEN);
	h->spi_i = (uint64_t)gw_buf_u32(&b) << 32;
	h->spi_i |= gw_buf_u32(&b);
	h->spi_r = (uint64_t)gw_buf_u32(&b) << 32;
	h->spi_r |= gw_buf_u32(&b);
	h->next = gw_buf_u8(&b);
	h->version = gw_buf_u8(&b);
	h->exchange = gw_buf_u8(&b);
	h->flags = gw_buf_u8(&b);
	h->msg_id = gw_buf_u32(&b);
	h->length = gw_buf_u32(&b);
}

/* ---- SA: proposals -> transforms -> attributes (3.3) ---- */

static enum ike_msg_err ike_msg_validate_attrs(const uint8_t *p, size_t len)
{
	size_t off = 0;

	while (off < len) {
		size_t alen = 4;

		if (len - off < 4)
			return IKE_MSG_SA_ATTR_LENGTH;
		if (!(ike_get16(p + off) & IKE_ATTR_AF_TV))
			alen += ike_get16(p + off + 2);
		if (alen > len - off)
			return IKE_MSG_SA_ATTR_LENGTH;
		off += alen;
	}
	return IKE_MSG_OK;
}

static enum ike_msg_err ike_msg_validate_xforms(const uint8_t *p, size_t len, unsigned count)
{
	size_t off = 0;
	unsigned n = 0;
	enum ike_msg_err err;

	while (off < len) {
		size_t tlen;

		if (len - off < IKE_XFORM_HDR_LEN)
			return IKE_MSG_SA_XFORM_LENGTH;
		tlen = ike_get16(p + off + 2);
		if (tlen < IKE_XFORM_HDR_LEN || tlen > len - off)
			return IKE_MSG_SA_XFORM_LENGTH;
		if (p[off] != (off + tlen == len ? IKE_XFORM_LAST : IKE_XFORM_MORE))
			return IKE_MSG_SA_XFORM_LAST;
		err = ike_msg_validate_attrs(p + off + IKE_XFORM_HDR_LEN, tlen - IKE_XFORM_HDR_LEN);
		if (err != IKE_MSG_OK)
			return err;
		off += tlen;
		n++;
	}
	return n == count ? IKE_MSG_OK : IKE_MSG_SA_XFORM_COUNT;
}

static enum ike_msg_err ike_msg_validate_sa(const uint8_t *p, size_t len)
{
	size_t off = 0;
	unsigned prev_num = 0;
	enum ike_msg_err err;

	if (len == 0)
		return IKE_MSG_SA_EMPTY;
	while (off < len) {
		size_t plen, spi;

		if (len - off < IKE_PROP_HDR_LEN)
			return IKE_MSG_SA_PROP_LENGTH;
		plen = ike_get16(p + off + 2);
		spi = p[off + 6];
		if (plen < IKE_PROP_HDR_LEN + spi || plen > len - off)
			return IKE_MSG_SA_PROP_LENGTH;
		if (p[off] != (off + plen == len ? IKE_PROP_LAST : IKE_PROP_MORE))
			return IKE_MSG_SA_PROP_LAST;
		/* 3.3.1: each proposal is numbered one more than the one before */
		if (off > 0 && p[off + 4] != prev_num + 1)
			return IKE_MSG_SA_PROP_NUM;
		prev_num = p[off + 4];
		err = ike_msg_validate_xforms(p + off + IKE_PROP_HDR_LEN + spi,
					      plen - IKE_PROP_HDR_LEN - spi, p[off + 7]);
		if (err != IKE_MSG_OK)
			return err;
		off += plen;
	}
	return IKE_MSG_OK;
}

static void ike_msg_parse_attrs(struct ike_transform *t, const uint8_t *p, size_t len)
{
	size_t off = 0;

	while (off < len) {
		uint16_t type = ike_get16(p + off);

		if (type == (IKE_ATTR_AF_TV | IKE_ATTR_KEY_LENGTH) && t->key_len == 0) {
			t->key_len = ike_get16(p + off + 2);
			off += 4;
			continue;
		}
		t->unknown_attr = 1;	/* anything else, a TLV or a second Key Length */
		off += 4 + (type & IKE_ATTR_AF_TV ? 0 : ike_get16(p + off + 2));
	}
}

static enum ike_msg_err ike_msg_parse_xforms(struct ike_sa_pl *sa, const uint8_t *p, size_t len)
{
	size_t off = 0;

	while (off < len) {
		size_t tlen = ike_get16(p + off + 2);
		struct ike_transform *t;

		if (sa->n_xforms == IKE_MSG_MAX_TRANSFORMS)
			return IKE_MSG_SA_XFORM_TOO_MANY;
		t = &sa->xforms[sa->n_xforms++];
		t->type = p[off + 4];
		t->id = ike_get16(p + off + 6);
		ike_msg_parse_attrs(t, p + off + IKE_XFORM_HDR_LEN, tlen - IKE_XFORM_HDR_LEN);
		off += tlen;
	}
	return IKE_MSG_OK;
}

static enum ike_msg_err ike_msg_parse_sa(struct ike_sa_pl *sa, const uint8_t *p, size_t len)
{
	size_t off = 0;
	enum ike_msg_err err;

	sa->body = ike_view_of(p, len);
	while (off < len) {
		size_t plen = ike_get16(p + off + 2);
		struct ike_proposal *pr;

		if (sa->n_props == IKE_MSG_MAX_PROPOSALS)
			return IKE_MSG_SA_PROP_TOO_MANY;
		pr = &sa->props[sa->n_props++];
		pr->num = p[off + 4];
		pr->proto = p[off + 5];
		pr->spi_size = p[off + 6];
		pr->n_xforms = p[off + 7];
		pr->spi = p + off + IKE_PROP_HDR_LEN;
		pr->first_xform = sa->n_xforms;
		err = ike_msg_parse_xforms(sa, pr->spi + pr->spi_size,
					   plen - IKE_PROP_HDR_LEN - pr->spi_size);
		if (err != IKE_MSG_OK)
			return err;
		off += plen;
	}
	return IKE_MSG_OK;
}

/* ---- N, D, TS ---- */

static enum ike_msg_err ike_msg_validate_notify(const uint8_t *p, size_t len)
{
	if (len < 4)
		return IKE_MSG_PL_LENGTH;
	return 4u + p[1] <= len ? IKE_MSG_OK : IKE_MSG_N_SPI;
}

static void ike_msg_parse_notify(struct ike_notify_pl *n, const uint8_t *p, size_t len)
{
	n->proto = p[0];
	n->type = ike_get16(p + 2);
	n->spi = ike_view_of(p + 4, p[1]);
	n->data = ike_view_of(p + 4 + p[1], len - 4 - p[1]);
}

static enum ike_msg_err ike_msg_validate_delete(const uint8_t *p, size_t len)
{
	if (len < 4)
		return IKE_MSG_PL_LENGTH;
	return (size_t)p[1] * ike_get16(p + 2) == len - 4 ? IKE_MSG_OK : IKE_MSG_D_LENGTH;
}

static void ike_msg_parse_delete(struct ike_delete_pl *d, const uint8_t *p)
{
	d->proto = p[0];
	d->spi_size = p[1];
	d->n_spi = ike_get16(p + 2);
	d->spis = p + 4;
}

static size_t ike_ts_len(uint8_t type)
{
	return type == IKE_TS_IPV4_ADDR_RANGE ? IKE_TS_IPV4_LEN :
	       type == IKE_TS_IPV6_ADDR_RANGE ? IKE_TS_IPV6_LEN : 0;
}

static enum ike_msg_err ike_msg_validate_ts(const uint8_t *p, size_t len)
{
	size_t off = 4;
	unsigned n;

	if (len < 4)
		return IKE_MSG_PL_LENGTH;
	if (p[0] == 0)
		return IKE_MSG_TS_COUNT;
	for (n = 0; n < p[0]; n++) {
		size_t tlen, want;

		if (off == len)
			return IKE_MSG_TS_COUNT;
		if (len - off < IKE_TS_HDR_LEN)
			return IKE_MSG_TS_LENGTH;
		tlen = ike_get16(p + off + 2);
		want = ike_ts_len(p[off]);
		if (want ? tlen != want : tlen < IKE_TS_HDR_LEN)
			return IKE_MSG_TS_LENGTH;
		if (tlen > len - off)
			return IKE_MSG_TS_LENGTH;
		off += tlen;
	}
	return off == len ? IKE_MSG_OK : IKE_MSG_TS_COUNT;
}

static enum ike_msg_err ike_msg_parse_ts(struct ike_ts_pl *tp, const uint8_t *p)
{
	size_t off = 4;

	if (p[0] > IKE_MSG_MAX_TS)
		return IKE_MSG_TS_TOO_MANY;
	for (tp->n = 0; tp->n < p[0]; tp->n++) {
		struct ike_ts *ts = &tp->ts[tp->n];
		size_t alen = ike_ts_len(p[off]) ? (ike_ts_len(p[off]) - IKE_TS_HDR_LEN) / 2 : 0;

		ts->type = p[off];
		ts->proto = p[off + 1];
		ts->sport = ike_get16(p + off + 4);
		ts->eport = ike_get16(p + off + 6);
		ts->addr_len = (uint8_t)alen;
		ts->start = alen ? p + off + IKE_TS_HDR_LEN : NULL;
		ts->end = alen ? p + off + IKE_TS_HDR_LEN + alen : NULL;
		off += ike_get16(p + off + 2);
	}
	return IKE_MSG_OK;
}

/* ---- SK, SKF (3.14, RFC 7383 2.5) ---- */

static enum ike_msg_err ike_msg_validate_skf(const uint8_t *p, size_t len, uint8_t next)
{
	uint16_t num, total;

	if (len <= 4)
		return IKE_MSG_SK_EMPTY;
	num = ike_get16(p);
	total = ike_get16(p + 2);
	if (num == 0 || total == 0 || num > total || (num > 1 && next != IKE_PL_NONE))
		return IKE_MSG_SKF_NUMBER;
	return IKE_MSG_OK;
}

static enum ike_msg_err ike_msg_pl_sk(struct ike_msg *m, uint8_t type, uint8_t next,
				      const uint8_t *p, size_t len)
{
	enum ike_msg_err err;
	size_t hdr = 0;

	if (m->n_sk)
		return IKE_MSG_PL_TOO_MANY;
	if (type == IKE_PL_SKF) {
		err = ike_msg_validate_skf(p, len, next);
		if (err != IKE_MSG_OK)
			return err;
		m->sk.frag = 1;
		m->sk.frag_num = ike_get16(p);
		m->sk.frag_total = ike_get16(p + 2);
		hdr = 4;
	} else if (len == 0) {
		return IKE_MSG_SK_EMPTY;
	}
	m->sk.inner_next = next;
	m->sk.body = ike_view_of(p + hdr, len - hdr);
	m->sk.aad_len = (size_t)(p + hdr - m->data);
	m->n_sk = 1;
	return IKE_MSG_OK;
}

/* ---- one payload ---- */

static enum ike_msg_err ike_msg_pl_single(uint8_t *count, struct ike_view *v,
					  const uint8_t *p, size_t len, size_t min)
{
	if (*count)
		return IKE_MSG_PL_TOO_MANY;
	if (len < min)
		return IKE_MSG_PL_LENGTH;
	*v = ike_view_of(p, len);
	*count = 1;
	return IKE_MSG_OK;
}

static enum ike_msg_err ike_msg_pl_id(struct ike_msg *m, uint8_t type, const uint8_t *p,
				      size_t len)
{
	uint8_t *count = type == IKE_PL_IDI ? &m->n_idi : &m->n_idr;
	struct ike_id_pl *id = type == IKE_PL_IDI ? &m->idi : &m->idr;

	if (*count)
		return IKE_MSG_PL_TOO_MANY;
	if (len < 5)		/* type, 3 reserved, at least one octet of data */
		return IKE_MSG_PL_LENGTH;
	id->type = p[0];
	id->data = ike_view_of(p + 4, len - 4);
	id->body = ike_view_of(p, len);
	*count = 1;
	return IKE_MSG_OK;
}

static enum ike_msg_err ike_msg_pl_auth(struct ike_msg *m, const uint8_t *p, size_t len)
{
	if (m->n_auth)
		return IKE_MSG_PL_TOO_MANY;
	if (len < 5)		/* method, 3 reserved, at least one octet of data */
		return IKE_MSG_PL_LENGTH;
	m->auth.method = p[0];
	m->auth.data = ike_view_of(p + 4, len - 4);
	m->n_auth = 1;
	return IKE_MSG_OK;
}

static enum ike_msg_err ike_msg_pl_nonce(struct ike_msg *m, const uint8_t *p, size_t len)
{
	if (m->n_nonce)
		return IKE_MSG_PL_TOO_MANY;
	if (len < IKE_NONCE_MIN || len > IKE_NONCE_MAX)	/* 2.10 */
		return IKE_MSG_NONCE_LENGTH;
	m->nonce = ike_view_of(p, len);
	m->n_nonce = 1;
	return IKE_MSG_OK;
}

static enum ike_msg_err ike_msg_pl_cert(struct ike_msg *m, uint8_t type, const uint8_t *p,
					size_t len)
{
	struct ike_cert_pl *c;

	if (len < (type == IKE_PL_CERT ? 2u : 1u))	/* an empty CERTREQ: any CA */
		return IKE_MSG_PL_LENGTH;
	if (type == IKE_PL_CERT) {
		if (m->n_cert == IKE_MSG_MAX_CERT)
			return IKE_MSG_PL_TOO_MANY;
		c = &m->cert[m->n_cert++];
	} else {
		if (m->n_certreq == IKE_MSG_MAX_CERTREQ)
			return IKE_MSG_PL_TOO_MANY;
		c = &m->certreq[m->n_certreq++];
	}
	c->enc = p[0];
	c->data = ike_view_of(p + 1, len - 1);
	return IKE_MSG_OK;
}

static enum ike_msg_err ike_msg_pl_sa(struct ike_msg *m, const uint8_t *p, size_t len)
{
	enum ike_msg_err err;

	if (m->n_sa)
		return IKE_MSG_PL_TOO_MANY;
	err = ike_msg_validate_sa(p, len);
	if (err != IKE_MSG_OK)
		return err;
	m->n_sa = 1;
	return ike_msg_parse_sa(&m->sa, p, len);
}

static enum ike_msg_err ike_msg_pl_ke(struct ike_msg *m, const uint8_t *p, size_t len)
{
	if (m->n_ke)
		return IKE_MSG_PL_TOO_MANY;
	if (len < 5)		/* group, 2 reserved, at least one octet of data */
		return IKE_MSG_PL_LENGTH;
	m->ke.group = ike_get16(p);
	m->ke.data = ike_view_of(p + 4, len - 4);
	m->n_ke = 1;
	return IKE_MSG_OK;
}

static enum ike_msg_err ike_msg_pl_nd(struct ike_msg *m, uint8_t type, const uint8_t *p,
				      size_t len)
{
	enum ike_msg_err err;

	if (type == IKE_PL_N) {
		err = ike_msg_validate_notify(p, len);
		if (err == IKE_MSG_OK && m->n_n == IKE_MSG_MAX_N)
			err = IKE_MSG_PL_TOO_MANY;
		if (err == IKE_MSG_OK)
			ike_msg_parse_notify(&m->n[m->n_n++], p, len);
		return err;
	}
	err = ike_msg_validate_delete(p, len);
	if (err == IKE_MSG_OK && m->n_d == IKE_MSG_MAX_D)
		err = IKE_MSG_PL_TOO_MANY;
	if (err == IKE_MSG_OK)
		ike_msg_parse_delete(&m->d[m->n_d++], p);
	return err;
}

static enum ike_msg_err ike_msg_pl_ts(struct ike_msg *m, uint8_t type, const uint8_t *p,
				      size_t len)
{
	uint8_t *count = type == IKE_PL_TSI ? &m->n_tsi : &m->n_tsr;
	enum ike_msg_err err;

	if (*count)
		return IKE_MSG_PL_TOO_MANY;
	err = ike_msg_validate_ts(p, len);
	if (err != IKE_MSG_OK)
		return err;
	*count = 1;
	return ike_msg_parse_ts(type == IKE_PL_TSI ? &m->tsi : &m->tsr, p);
}

static enum ike_msg_err ike_msg_pl_v(struct ike_msg *m, const uint8_t *p, size_t len)
{
	if (m->n_v == IKE_MSG_MAX_V)
		return IKE_MSG_PL_TOO_MANY;
	m->v[m->n_v++] = ike_view_of(p, len);
	return IKE_MSG_OK;
}

/* A payload of a known type; IKE_MSG_PL_CRITICAL (unknown + critical) or
 * IKE_MSG_OK with the payload skipped for an unknown one. */
static enum ike_msg_err ike_msg_payload(struct ike_msg *m, uint8_t type, uint8_t flags,
					const uint8_t *p, size_t len)
{
	switch (type) {
	case IKE_PL_SA:
		return ike_msg_pl_sa(m, p, len);
	case IKE_PL_KE:
		return ike_msg_pl_ke(m, p, len);
	case IKE_PL_IDI:
	case IKE_PL_IDR:
		return ike_msg_pl_id(m, type, p, len);
	case IKE_PL_AUTH:
		return ike_msg_pl_auth(m, p, len);
	case IKE_PL_CERT:
	case IKE_PL_CERTREQ:
		return ike_msg_pl_cert(m, type, p, len);
	case IKE_PL_NONCE:
		return ike_msg_pl_nonce(m, p, len);
	case IKE_PL_N:
	case IKE_PL_D:
		return ike_msg_pl_nd(m, type, p, len);
	case IKE_PL_V:
		return ike_msg_pl_v(m, p, len);
	case IKE_PL_TSI:
	case IKE_PL_TSR:
		return ike_msg_pl_ts(m, type, p, len);
	case IKE_PL_CP:
		return ike_msg_pl_single(&m->n_cp, &m->cp, p, len, 4);
	case IKE_PL_EAP:
		return ike_msg_pl_single(&m->n_eap, &m->eap, p, len, 4);
	default:
		/* 2.5: skip an unknown payload unless it is critical; the
		 * critical bit of a known payload is ignored. */
		if (flags & IKE_PL_F_CRITICAL) {
			m->crit_type = type;
			return IKE_MSG_PL_CRITICAL;
		}
		if (m->n_unknown < UINT8_MAX)
			m->n_unknown++;
		return IKE_MSG_OK;
	}
}

/* ---- the chain ---- */

static enum ike_msg_err ike_msg_parse_chain(struct ike_msg *m, uint8_t type, const uint8_t *p,
					    size_t len, bool inner)
{
	size_t off = 0;
	enum ike_msg_err err = IKE_MSG_OK;

	while (type != IKE_PL_NONE) {
		size_t plen;
		uint8_t next;

		m->err_pl = type;
		m->err_off = off;
		if (len - off < IKE_PL_HDR_LEN)
			return IKE_MSG_PL_TRUNCATED;
		next = p[off];
		plen = ike_get16(p + off + 2);
		if (plen < IKE_PL_HDR_LEN)
			return IKE_MSG_PL_LENGTH;
		if (plen > len - off)
			return IKE_MSG_PL_TRUNCATED;
		if (m->n_pl == IKE_MSG_MAX_PAYLOADS)
			return IKE_MSG_PL_TOO_MANY;
		m->n_pl++;
		if (type == IKE_PL_SK || type == IKE_PL_SKF) {
			/* 3.14: the Encrypted payload is the last one; its
			 * Next Payload is the first inner payload. */
			if (inner)
				return IKE_MSG_PL_NESTED;
			if (off + plen != len)
				return IKE_MSG_PL_NOT_LAST;
			return ike_msg_pl_sk(m, type, next, p + off + IKE_PL_HDR_LEN,
					     plen - IKE_PL_HDR_LEN);
		}
		err = ike_msg_payload(m, type, p[off + 1], p + off + IKE_PL_HDR_LEN,
				      plen - IKE_PL_HDR_LEN);
		if (err != IKE_MSG_OK)
			return err;
		off += plen;
		type = next;
	}
	m->err_pl = IKE_PL_NONE;
	m->err_off = off;
	return off == len ? IKE_MSG_OK : IKE_MSG_PL_TRAILING;
}

enum ike_msg_err ike_msg_parse(const uint8_t *data, size_t len, struct ike_msg *msg)
{
	enum ike_msg_err err;

	memset(msg, 0, sizeof(*msg));
	msg->data = data;
	msg->len = len;
	err = ike_msg_validate_hdr(data, len);
	if (err == IKE_MSG_HDR_SHORT)
		return err;
	/* Filled even when refused: an INVALID_MAJOR_VERSION answer copies
	 * the SPIs and the Message ID (2.5, 2.21.1). */
	ike_msg_parse_hdr(data, &msg->hdr);
	if (err != IKE_MSG_OK)
		return err;
	/* 3.1: the initiator's SPI is never zero. */
	if (msg->hdr.spi_i == 0)
		return IKE_MSG_HDR_SPI_ZERO;
	err = ike_msg_parse_chain(msg, msg->hdr.next, data + IKE_HDR_LEN, len - IKE_HDR_LEN, false);
	msg->err_off += IKE_HDR_LEN;
	return err;
}

enum ike_msg_err ike_msg_parse_inner(struct ike_msg *msg, uint8_t first, const uint8_t *p,
				     size_t len)
{
	return ike_msg_parse_chain(msg, first, p, len, true);
}

enum ike_msg_err ike_msg_sk_split(const struct ike_msg *msg, size_t iv_len, size_t icv_len,
				  size_t block_len, struct ike_sk_parts *out)
{
	const struct ike_view *b = &msg->sk.body;
	size_t ct_len;

	if (msg->n_sk == 0 || block_len == 0 || b->len <= iv_len + icv_len)
		return IKE_MSG_SK_SPLIT;
	ct_len = b->len - iv_len - icv_len;
	if (ct_len % block_len != 0)
		return IKE_MSG_SK_SPLIT;
	out->iv = b->p;
	out->ct = b->p + iv_len;
	out->ct_len = ct_len;
	out->icv = out->ct + ct_len;
	out->integ_len = (size_t)(out->icv - msg->data);
	out->aad_len = msg->sk.aad_len;
	return IKE_MSG_OK;
}

enum ike_msg_err ike_msg_sk_unpad(const uint8_t *plain, size_t len, size_t *inner_len)
{
	/* 3.14: the pad length octet is last; the padding may hold any value */
	if (len == 0 || (size_t)plain[len - 1] + 1 > len)
		return IKE_MSG_SK_PAD;
	*inner_len = len - 1 - plain[len - 1];
	return IKE_MSG_OK;
}

const struct ike_notify_pl *ike_msg_notify_find(const struct ike_msg *msg, uint16_t type)
{
	for (unsigned i = 0; i < msg->n_n; i++)
		if (msg->n[i].type == type)
			return &msg->n[i];
	return NULL;
}

enum ike_msg_err_class ike_msg_err_class(enum ike_msg_err err)
{
	if ((unsigned)err >= IKE_MSG_ERR_COUNT)
		return IKE_MSG_CLASS_DROP;
	return (enum ike_msg_err_class)ike_msg_err_classes[err];
}

const char *ike_msg_err_str(enum ike_msg_err err)
{
	return (unsigned)err < IKE_MSG_ERR_COUNT ? ike_msg_err_texts[err] : "?";
}

uint16_t ike_msg_err_notify(enum ike_msg_err err, bool authenticated)
{
	switch (ike_msg_err_class(err)) {
	case IKE_MSG_CLASS_VERSION:
		return IKE_N_INVALID_MAJOR_VERSION;
	case IKE_MSG_CLASS_CRITICAL:
		return IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD;
	case IKE_MSG_CLASS_SYNTAX:
		return authenticated ? IKE_N_INVALID_SYNTAX : 0;
	default:
		return 0;
	}
}
