/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The body of an SA payload (RFC 7296 3.3): Proposal substructures, each
 * with its Transform substructures and their attributes.  Encoded from our
 * proposals; read from untrusted bytes through a small walker that checks
 * every length against its parent (ike_sa_validate), then matched against
 * our proposals (ike_sa_select as responder, ike_sa_check_reply as
 * initiator).  See ike_proposal.h for the contract.
 */
#include <errno.h>
#include <string.h>

#include "common/gw_buf.h"
#include "controlplane/ike/ike_proposal.h"

enum {
	IKE_SA_PROP_HDR = 8,		/* last, reserved, length, num, proto, spi size, count */
	IKE_SA_XF_HDR = 8,		/* last, reserved, length, type, reserved, id */
	IKE_SA_ATTR_HDR = 4,
	IKE_SA_ATTR_TV_LEN = 4,
	IKE_SA_LAST = 0,
	IKE_SA_MORE_PROP = 2,		/* "Last Substruc" of a Proposal that is not the last */
	IKE_SA_MORE_XF = 3,		/* ... of a Transform that is not the last */
	IKE_SA_ATTR_TV = 0x8000,	/* AF bit: Type/Value, 2-byte value */
	IKE_SA_LEN_MAX = 0xffff,
};

/* One Proposal substructure as read. */
struct ike_sa_prop_v {
	uint8_t num, proto, spi_size, n_xf;
	const uint8_t *spi;
	const uint8_t *xf;		/* its transforms */
	size_t xf_len;
	bool more;			/* "Last Substruc" says another follows */
};

/* One Transform substructure as read. */
struct ike_sa_xf_v {
	uint8_t type;
	uint16_t id;
	const uint8_t *attr;
	size_t attr_len;
	bool more;
};

/* ---- walker ---- */

static int ike_sa_prop_read(struct gw_buf *b, struct ike_sa_prop_v *pv)
{
	uint8_t mark = gw_buf_u8(b);
	uint16_t plen;

	gw_buf_u8(b);
	plen = gw_buf_u16(b);
	pv->num = gw_buf_u8(b);
	pv->proto = gw_buf_u8(b);
	pv->spi_size = gw_buf_u8(b);
	pv->n_xf = gw_buf_u8(b);
	if (b->err || (mark != IKE_SA_LAST && mark != IKE_SA_MORE_PROP) ||
	    plen < IKE_SA_PROP_HDR + pv->spi_size ||
	    (size_t)plen - IKE_SA_PROP_HDR > gw_buf_left(b))
		return -EBADMSG;
	pv->more = mark == IKE_SA_MORE_PROP;
	pv->spi = gw_buf_take(b, pv->spi_size);
	pv->xf_len = (size_t)plen - IKE_SA_PROP_HDR - pv->spi_size;
	pv->xf = gw_buf_take(b, pv->xf_len);
	return b->err ? -EBADMSG : 0;
}

static int ike_sa_xf_read(struct gw_buf *b, struct ike_sa_xf_v *xv)
{
	uint8_t mark = gw_buf_u8(b);
	uint16_t xlen;

	gw_buf_u8(b);
	xlen = gw_buf_u16(b);
	xv->type = gw_buf_u8(b);
	gw_buf_u8(b);
	xv->id = gw_buf_u16(b);
	if (b->err || (mark != IKE_SA_LAST && mark != IKE_SA_MORE_XF) || xlen < IKE_SA_XF_HDR ||
	    (size_t)xlen - IKE_SA_XF_HDR > gw_buf_left(b))
		return -EBADMSG;
	xv->more = mark == IKE_SA_MORE_XF;
	xv->attr_len = (size_t)xlen - IKE_SA_XF_HDR;
	xv->attr = gw_buf_take(b, xv->attr_len);
	return b->err ? -EBADMSG : 0;
}

/*
 * The attributes of xv: 0 with the Key Length in *key_len (0 = none),
 * 1 when an attribute is unknown or repeated (the transform cannot be
 * accepted), -EBADMSG when they do not fill the transform exactly.
 */
static int ike_sa_attrs(const struct ike_sa_xf_v *xv, uint16_t *key_len)
{
	struct gw_buf b;
	int verdict = 0;
	bool seen = false;

	*key_len = 0;
	gw_buf_init(&b, xv->attr, xv->attr_len);
	while (gw_buf_left(&b) > 0) {
		uint16_t type = gw_buf_u16(&b), val = gw_buf_u16(&b);

		if (b.err)
			return -EBADMSG;
		if (!(type & IKE_SA_ATTR_TV)) {
			if (gw_buf_take(&b, val) == NULL)
				return -EBADMSG;
			verdict = 1;
		} else if ((type & ~IKE_SA_ATTR_TV) == IKE_ATTR_KEY_LENGTH && !seen) {
			seen = true;
			*key_len = val;
		} else {
			verdict = 1;
		}
	}
	return b.err ? -EBADMSG : verdict;
}

/* The transforms of pv: exactly n_xf, filling it, "last" on the last. */
static int ike_sa_prop_check(const struct ike_sa_prop_v *pv)
{
	struct ike_sa_xf_v xv = { .more = true };
	struct gw_buf b;
	unsigned n = 0;
	uint16_t kl;

	gw_buf_init(&b, pv->xf, pv->xf_len);
	while (gw_buf_left(&b) > 0) {
		if (!xv.more || ike_sa_xf_read(&b, &xv) != 0 || ike_sa_attrs(&xv, &kl) < 0)
			return -EBADMSG;
		n++;
	}
	if (n != pv->n_xf || (n > 0 && xv.more))
		return -EBADMSG;
	return 0;
}

int ike_sa_validate(const uint8_t *body, size_t len)
{
	struct ike_sa_prop_v pv = { .more = true };
	struct gw_buf b;

	if (body == NULL || len == 0)
		return -EBADMSG;
	gw_buf_init(&b, body, len);
	while (gw_buf_left(&b) > 0) {
		if (!pv.more || ike_sa_prop_read(&b, &pv) != 0 || ike_sa_prop_check(&pv) != 0)
			return -EBADMSG;
	}
	return pv.more ? -EBADMSG : 0;
}

/* ---- matching ---- */

/* May a proposal of proto carry transform type? (RFC 7296 3.3.3) */
static bool ike_sa_type_ok(uint8_t proto, uint8_t type)
{
	if (proto == IKE_SA_PROTO_IKE)
		return type >= IKE_XFORM_ENCR && type <= IKE_XFORM_DH;
	return type == IKE_XFORM_ENCR || type == IKE_XFORM_INTEG || type == IKE_XFORM_DH ||
	       type == IKE_XFORM_ESN;
}

/* Integrity NONE and DH NONE: "this type absent". */
static bool ike_sa_is_none(const struct ike_sa_xf_v *xv)
{
	return (xv->type == IKE_XFORM_INTEG || xv->type == IKE_XFORM_DH) && xv->id == 0;
}

/* Does o list the transform xv, attributes included?  Into *x when it does. */
static bool ike_sa_ours_has(const struct gw_ike_proposal *o, const struct ike_sa_xf_v *xv,
			    struct gw_ike_xform *x)
{
	uint16_t kl;

	if (ike_sa_attrs(xv, &kl) != 0)
		return false;
	for (unsigned i = 0; i < o->n_xforms; i++) {
		const struct gw_ike_xform *ox = &o->xforms[i];

		if (ox->type == xv->type && ox->id == xv->id && ox->key_len == kl) {
			*x = *ox;
			return true;
		}
	}
	return false;
}

/* Transform types the peer's proposal has (NONE aside), in *present, and
 * those it offers as NONE; false when one is unknown to proto. */
static bool ike_sa_prop_types(const struct ike_sa_prop_v *pv, uint8_t proto, unsigned flags,
			      bool present[IKE_XFORM_ESN + 1], bool none[IKE_XFORM_ESN + 1])
{
	struct ike_sa_xf_v xv;
	struct gw_buf b;

	memset(present, 0, (IKE_XFORM_ESN + 1) * sizeof(bool));
	memset(none, 0, (IKE_XFORM_ESN + 1) * sizeof(bool));
	gw_buf_init(&b, pv->xf, pv->xf_len);
	while (gw_buf_left(&b) > 0) {
		if (ike_sa_xf_read(&b, &xv) != 0 || !ike_sa_type_ok(proto, xv.type))
			return false;
		if (xv.type == IKE_XFORM_DH && (flags & IKE_SA_SKIP_DH))
			continue;
		if (ike_sa_is_none(&xv))
			none[xv.type] = true;
		else
			present[xv.type] = true;
	}
	return true;
}

/* The first of the peer's transforms of type that o lists, into *x. */
static bool ike_sa_pick(const struct ike_sa_prop_v *pv, const struct gw_ike_proposal *o,
			uint8_t type, struct gw_ike_xform *x)
{
	struct ike_sa_xf_v xv;
	struct gw_buf b;

	gw_buf_init(&b, pv->xf, pv->xf_len);
	while (gw_buf_left(&b) > 0) {
		if (ike_sa_xf_read(&b, &xv) != 0)
			return false;
		if (xv.type == type && !ike_sa_is_none(&xv) && ike_sa_ours_has(o, &xv, x))
			return true;
	}
	return false;
}

/* Does our o accept the peer's pv in full?  The chosen transforms into *c. */
static bool ike_sa_match(const struct ike_sa_prop_v *pv, uint8_t proto,
			 const struct gw_ike_proposal *o, unsigned flags, struct gw_ike_proposal *c)
{
	bool present[IKE_XFORM_ESN + 1], none[IKE_XFORM_ESN + 1];

	memset(c, 0, sizeof(*c));
	c->proto = proto;
	if (o->proto != proto || !ike_sa_prop_types(pv, proto, flags, present, none))
		return false;
	for (uint8_t t = IKE_XFORM_ENCR; t <= IKE_XFORM_ESN; t++) {
		bool ours = ike_proposal_get(o, t) != NULL &&
			    !(t == IKE_XFORM_DH && (flags & IKE_SA_SKIP_DH));

		if (!ours) {
			if (present[t] && !none[t])
				return false;
			continue;
		}
		if (c->n_xforms >= IKE_PROP_MAX_XFORMS ||
		    !ike_sa_pick(pv, o, t, &c->xforms[c->n_xforms]))
			return false;
		c->n_xforms++;
	}
	return true;
}

static void ike_sa_choice_set(struct ike_sa_choice *out, const struct ike_sa_prop_v *pv,
			      unsigned ours)
{
	out->num = pv->num;
	out->spi_size = pv->spi_size;
	memset(out->spi, 0, sizeof(out->spi));
	memcpy(out->spi, pv->spi, pv->spi_size);
	out->ours = ours;
}

int ike_sa_select(const uint8_t *body, size_t len, enum ike_sa_proto proto, uint8_t spi_size,
		  const struct gw_ike_proposal *ours, unsigned n_ours, unsigned flags,
		  struct ike_sa_choice *out)
{
	struct ike_sa_prop_v pv;
	struct gw_buf b;

	if (ike_sa_validate(body, len) != 0)
		return -EBADMSG;
	if (spi_size > IKE_SA_SPI_MAX)
		return -ENOENT;
	gw_buf_init(&b, body, len);
	while (gw_buf_left(&b) > 0) {
		if (ike_sa_prop_read(&b, &pv) != 0)
			return -EBADMSG;
		if (pv.proto != proto || pv.spi_size != spi_size)
			continue;
		for (unsigned i = 0; i < n_ours; i++) {
			if (ike_sa_match(&pv, (uint8_t)proto, &ours[i], flags, &out->prop)) {
				ike_sa_choice_set(out, &pv, i);
				return 0;
			}
		}
	}
	return -ENOENT;
}

/* At most one transform of each type (NONE included) in the reply. */
static bool ike_sa_one_per_type(const struct ike_sa_prop_v *pv)
{
	unsigned count[256] = { 0 };
	struct ike_sa_xf_v xv;
	struct gw_buf b;

	gw_buf_init(&b, pv->xf, pv->xf_len);
	while (gw_buf_left(&b) > 0) {
		if (ike_sa_xf_read(&b, &xv) != 0 || ++count[xv.type] > 1)
			return false;
	}
	return true;
}

int ike_sa_check_reply(const uint8_t *body, size_t len, enum ike_sa_proto proto,
		       uint8_t spi_size, const struct gw_ike_proposal *ours, unsigned n_ours,
		       unsigned flags, struct ike_sa_choice *out)
{
	struct ike_sa_prop_v pv;
	struct gw_buf b;

	if (ike_sa_validate(body, len) != 0)
		return -EBADMSG;
	gw_buf_init(&b, body, len);
	if (ike_sa_prop_read(&b, &pv) != 0 || pv.more || !ike_sa_one_per_type(&pv))
		return -EBADMSG;
	if (pv.proto != proto || pv.spi_size != spi_size || spi_size > IKE_SA_SPI_MAX ||
	    pv.num == 0 || pv.num > n_ours ||
	    !ike_sa_match(&pv, (uint8_t)proto, &ours[pv.num - 1], flags, &out->prop))
		return -ENOENT;
	ike_sa_choice_set(out, &pv, pv.num - 1u);
	return 0;
}

/* ---- encoding ---- */

static size_t ike_sa_prop_len(const struct gw_ike_proposal *p, uint8_t spi_size)
{
	size_t n = IKE_SA_PROP_HDR + spi_size;

	for (unsigned i = 0; i < p->n_xforms; i++)
		n += IKE_SA_XF_HDR + (p->xforms[i].key_len ? IKE_SA_ATTR_TV_LEN : 0);
	return n;
}

static void ike_sa_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* One Proposal at out (room checked by the caller). */
static void ike_sa_put_prop(uint8_t *out, const struct gw_ike_proposal *p, uint8_t num, bool last,
			    const uint8_t *spi, uint8_t spi_size)
{
	size_t off = IKE_SA_PROP_HDR + spi_size;

	out[0] = last ? IKE_SA_LAST : IKE_SA_MORE_PROP;
	out[1] = 0;
	ike_sa_put16(out + 2, (uint16_t)ike_sa_prop_len(p, spi_size));
	out[4] = num;
	out[5] = p->proto;
	out[6] = spi_size;
	out[7] = p->n_xforms;
	if (spi_size > 0)
		memcpy(out + IKE_SA_PROP_HDR, spi, spi_size);
	for (unsigned i = 0; i < p->n_xforms; i++) {
		const struct gw_ike_xform *x = &p->xforms[i];
		uint8_t *t = out + off;
		uint16_t xlen = IKE_SA_XF_HDR + (x->key_len ? IKE_SA_ATTR_TV_LEN : 0);

		t[0] = i + 1u == p->n_xforms ? IKE_SA_LAST : IKE_SA_MORE_XF;
		t[1] = 0;
		ike_sa_put16(t + 2, xlen);
		t[4] = x->type;
		t[5] = 0;
		ike_sa_put16(t + 6, x->id);
		if (x->key_len) {
			ike_sa_put16(t + 8, IKE_SA_ATTR_TV | IKE_ATTR_KEY_LENGTH);
			ike_sa_put16(t + 10, x->key_len);
		}
		off += xlen;
	}
}

static int ike_sa_encode_props(uint8_t *out, size_t cap, const struct gw_ike_proposal *props,
			       unsigned n, uint8_t first_num, const uint8_t *spi, uint8_t spi_size)
{
	size_t total = 0;

	if (n == 0 || n > UINT8_MAX || (unsigned)first_num + n - 1 > UINT8_MAX ||
	    spi_size > IKE_SA_SPI_MAX || (spi == NULL && spi_size > 0))
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		if (props[i].n_xforms == 0 || props[i].n_xforms > IKE_PROP_MAX_XFORMS)
			return -EINVAL;
		total += ike_sa_prop_len(&props[i], spi_size);
	}
	if (total > IKE_SA_LEN_MAX)
		return -EINVAL;
	if (total > cap)
		return -ENOSPC;
	total = 0;
	for (unsigned i = 0; i < n; i++) {
		ike_sa_put_prop(out + total, &props[i], (uint8_t)(first_num + i), i + 1 == n,
				spi, spi_size);
		total += ike_sa_prop_len(&props[i], spi_size);
	}
	return (int)total;
}

int ike_sa_encode(uint8_t *out, size_t cap, const struct gw_ike_proposal *props, unsigned n,
		  const uint8_t *spi, uint8_t spi_size)
{
	return ike_sa_encode_props(out, cap, props, n, 1, spi, spi_size);
}

int ike_sa_encode_one(uint8_t *out, size_t cap, const struct gw_ike_proposal *p, uint8_t num,
		      const uint8_t *spi, uint8_t spi_size)
{
	if (num == 0)
		return -EINVAL;
	return ike_sa_encode_props(out, cap, p, 1, num, spi, spi_size);
}
