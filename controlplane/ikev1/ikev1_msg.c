/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKEv1 message parser (RFC 2408 3, RFC 2407 4.5/4.6, RFC 2409 App. A,
 * RFC 3947, strongSwan/Cisco fragments).  Each payload has an
 * ikev1_msg_validate_* that checks bounds only (every length against its
 * parent) and an ikev1_msg_parse_* that interprets the validated bytes into
 * views of struct ikev1_msg.
 */
#include <string.h>

#include "controlplane/ikev1/ikev1_msg.h"

enum {
	IKEV1_PROP_HDR_LEN = 8,		/* generic header, num, proto, spi size, #T */
	IKEV1_XFORM_HDR_LEN = 8,	/* generic header, num, id, reserved2 */
	IKEV1_ATTR_AF_TV = 0x8000,
	IKEV1_SA_FIXED = 8,		/* DOI, Situation */
	IKEV1_ID_FIXED = 4,		/* type, protocol, port */
	IKEV1_N_FIXED = 8,		/* DOI, proto, SPI size, type */
	IKEV1_D_FIXED = 8,		/* DOI, proto, SPI size, #SPIs */
	IKEV1_FRAG_FIXED = 4,		/* id, number, flags */
};

#define IKEV1_MSG_ERR_TEXT_(id, n, text) [IKEV1_MSG_##id] = text,
static const char *const ikev1_msg_err_texts[IKEV1_MSG_ERR_COUNT] = {
	IKEV1_MSG_ERR_LIST(IKEV1_MSG_ERR_TEXT_)
};
#undef IKEV1_MSG_ERR_TEXT_

#define IKEV1_MSG_ERR_N_(id, n, text) [IKEV1_MSG_##id] = n,
static const uint16_t ikev1_msg_err_notifies[IKEV1_MSG_ERR_COUNT] = {
	IKEV1_MSG_ERR_LIST(IKEV1_MSG_ERR_N_)
};
#undef IKEV1_MSG_ERR_N_

static inline uint16_t ikev1_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t ikev1_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline struct ike_view ikev1_view(const uint8_t *p, size_t len)
{
	return (struct ike_view){ .p = p, .len = len };
}

/* ---- header ---- */

static enum ikev1_msg_err ikev1_msg_parse_hdr(const uint8_t *d, size_t len, struct ikev1_hdr *h)
{
	static const uint8_t zero[IKEV1_COOKIE_LEN];

	if (len < IKEV1_HDR_LEN)
		return IKEV1_MSG_HDR_SHORT;
	memcpy(h->icookie, d, IKEV1_COOKIE_LEN);
	memcpy(h->rcookie, d + 8, IKEV1_COOKIE_LEN);
	h->next = d[16];
	h->version = d[17];
	h->exchange = d[18];
	h->flags = d[19];
	h->msg_id = ikev1_get32(d + 20);
	h->length = ikev1_get32(d + 24);
	if (h->version >> 4 != IKEV1_VERSION >> 4)
		return IKEV1_MSG_HDR_VERSION;
	if (h->length != len)
		return IKEV1_MSG_HDR_LENGTH;
	if (memcmp(h->icookie, zero, sizeof(zero)) == 0)
		return IKEV1_MSG_HDR_COOKIE_ZERO;
	return IKEV1_MSG_OK;
}

/* ---- SA: proposals -> transforms -> attributes ---- */

static enum ikev1_msg_err ikev1_msg_validate_attrs(const uint8_t *p, size_t len)
{
	size_t off = 0;

	while (off < len) {
		size_t alen = 4;

		if (len - off < 4)
			return IKEV1_MSG_SA_ATTR_LENGTH;
		if (!(ikev1_get16(p + off) & IKEV1_ATTR_AF_TV))
			alen += ikev1_get16(p + off + 2);
		if (alen > len - off)
			return IKEV1_MSG_SA_ATTR_LENGTH;
		off += alen;
	}
	return IKEV1_MSG_OK;
}

static enum ikev1_msg_err ikev1_msg_validate_xforms(const uint8_t *p, size_t len, unsigned count)
{
	size_t off = 0;
	unsigned n = 0;
	enum ikev1_msg_err err;

	while (off < len) {
		size_t tlen;

		if (len - off < IKEV1_XFORM_HDR_LEN)
			return IKEV1_MSG_SA_XFORM_LENGTH;
		tlen = ikev1_get16(p + off + 2);
		if (tlen < IKEV1_XFORM_HDR_LEN || tlen > len - off)
			return IKEV1_MSG_SA_XFORM_LENGTH;
		if (p[off] != (off + tlen == len ? IKEV1_PL_NONE : IKEV1_PL_T))
			return IKEV1_MSG_SA_XFORM_NEXT;
		err = ikev1_msg_validate_attrs(p + off + IKEV1_XFORM_HDR_LEN,
					       tlen - IKEV1_XFORM_HDR_LEN);
		if (err != IKEV1_MSG_OK)
			return err;
		off += tlen;
		n++;
	}
	return n == count ? IKEV1_MSG_OK : IKEV1_MSG_SA_XFORM_COUNT;
}

/* The proposals after DOI and Situation. */
static enum ikev1_msg_err ikev1_msg_validate_props(const uint8_t *p, size_t len)
{
	size_t off = 0;
	enum ikev1_msg_err err;

	if (len == 0)
		return IKEV1_MSG_SA_EMPTY;
	while (off < len) {
		size_t plen, spi;

		if (len - off < IKEV1_PROP_HDR_LEN)
			return IKEV1_MSG_SA_PROP_LENGTH;
		plen = ikev1_get16(p + off + 2);
		spi = p[off + 6];
		if (plen < IKEV1_PROP_HDR_LEN + spi || plen > len - off)
			return IKEV1_MSG_SA_PROP_LENGTH;
		if (p[off] != (off + plen == len ? IKEV1_PL_NONE : IKEV1_PL_P))
			return IKEV1_MSG_SA_PROP_NEXT;
		err = ikev1_msg_validate_xforms(p + off + IKEV1_PROP_HDR_LEN + spi,
						plen - IKEV1_PROP_HDR_LEN - spi, p[off + 7]);
		if (err != IKEV1_MSG_OK)
			return err;
		off += plen;
	}
	return IKEV1_MSG_OK;
}

/* Value of a validated attribute at p: TV, or TLV of up to 4 octets (more:
 * UINT32_MAX if any of the leading octets is non-zero). */
static uint32_t ikev1_attr_value(const uint8_t *p, size_t *alen)
{
	uint16_t type = ikev1_get16(p);
	size_t vlen, i;
	uint32_t v = 0;

	if (type & IKEV1_ATTR_AF_TV) {
		*alen = 4;
		return ikev1_get16(p + 2);
	}
	vlen = ikev1_get16(p + 2);
	*alen = 4 + vlen;
	for (i = 0; i < vlen; i++) {
		if (v > 0xffffff)
			return UINT32_MAX;
		v = v << 8 | p[4 + i];
	}
	return v;
}

/* Set *field once; a repeat or a value above 16 bits marks x unknown. */
static void ikev1_attr_set16(struct ikev1_xform *x, uint16_t *field, uint32_t v)
{
	if (*field != 0 || v == 0 || v > UINT16_MAX)
		x->unknown = 1;
	else
		*field = (uint16_t)v;
}

static void ikev1_attr_life(struct ikev1_xform *x, unsigned life_type, uint32_t v)
{
	uint32_t *f = life_type == IKEV1_LIFE_SECONDS ? &x->life_secs :
		      life_type == IKEV1_LIFE_KILOBYTES ? &x->life_kb : NULL;

	if (f == NULL || *f != 0 || v == 0)
		x->unknown = 1;		/* duration without (known) type, or twice */
	else
		*f = v;
}

static void ikev1_attr_p1(struct ikev1_xform *x, uint16_t type, uint32_t v, unsigned *life_type)
{
	switch (type) {
	case IKEV1_A1_ENCR: ikev1_attr_set16(x, &x->encr, v); break;
	case IKEV1_A1_HASH: ikev1_attr_set16(x, &x->hash, v); break;
	case IKEV1_A1_AUTH: ikev1_attr_set16(x, &x->auth, v); break;
	case IKEV1_A1_GROUP: ikev1_attr_set16(x, &x->group, v); break;
	case IKEV1_A1_KEY_LENGTH: ikev1_attr_set16(x, &x->key_len, v); break;
	case IKEV1_A1_LIFE_TYPE: *life_type = v; break;
	case IKEV1_A1_LIFE_DURATION: ikev1_attr_life(x, *life_type, v); break;
	default: x->unknown = 1; break;
	}
}

static void ikev1_attr_p2(struct ikev1_xform *x, uint16_t type, uint32_t v, unsigned *life_type)
{
	switch (type) {
	case IKEV1_A2_LIFE_TYPE: *life_type = v; break;
	case IKEV1_A2_LIFE_DURATION: ikev1_attr_life(x, *life_type, v); break;
	case IKEV1_A2_GROUP: ikev1_attr_set16(x, &x->group, v); break;
	case IKEV1_A2_ENCAP: ikev1_attr_set16(x, &x->encap, v); break;
	case IKEV1_A2_AUTH: ikev1_attr_set16(x, &x->auth, v); break;
	case IKEV1_A2_KEY_LENGTH: ikev1_attr_set16(x, &x->key_len, v); break;
	case IKEV1_A2_ESN:
		if (x->esn || v != 1)
			x->unknown = 1;
		x->esn = 1;
		break;
	default: x->unknown = 1; break;
	}
}

static void ikev1_msg_parse_attrs(struct ikev1_xform *x, uint8_t proto, const uint8_t *p,
				  size_t len)
{
	unsigned life_type = 0;
	size_t off = 0;

	x->attrs = ikev1_view(p, len);
	while (off < len) {
		uint16_t type = ikev1_get16(p + off) & (uint16_t)~IKEV1_ATTR_AF_TV;
		size_t alen;
		uint32_t v = ikev1_attr_value(p + off, &alen);

		if (proto == IKEV1_PROTO_ISAKMP)
			ikev1_attr_p1(x, type, v, &life_type);
		else if (proto == IKEV1_PROTO_ESP)
			ikev1_attr_p2(x, type, v, &life_type);
		else
			x->unknown = 1;
		off += alen;
	}
}

static enum ikev1_msg_err ikev1_msg_parse_xforms(struct ikev1_sa_pl *sa, uint8_t proto,
						 const uint8_t *p, size_t len)
{
	size_t off = 0;

	while (off < len) {
		size_t tlen = ikev1_get16(p + off + 2);
		struct ikev1_xform *x;

		if (sa->n_xforms == IKEV1_MSG_MAX_TRANSFORMS)
			return IKEV1_MSG_SA_XFORM_TOO_MANY;
		x = &sa->xforms[sa->n_xforms++];
		x->num = p[off + 4];
		x->id = p[off + 5];
		ikev1_msg_parse_attrs(x, proto, p + off + IKEV1_XFORM_HDR_LEN,
				      tlen - IKEV1_XFORM_HDR_LEN);
		off += tlen;
	}
	return IKEV1_MSG_OK;
}

static enum ikev1_msg_err ikev1_msg_parse_sa(struct ikev1_sa_pl *sa, const uint8_t *p, size_t len)
{
	size_t off = IKEV1_SA_FIXED;
	enum ikev1_msg_err err;

	if (len < IKEV1_SA_FIXED)
		return IKEV1_MSG_PL_LENGTH;
	sa->body = ikev1_view(p, len);
	sa->doi = ikev1_get32(p);
	sa->situation = ikev1_get32(p + 4);
	if (sa->doi != IKEV1_DOI_IPSEC)
		return IKEV1_MSG_SA_DOI;
	if (sa->situation != IKEV1_SIT_IDENTITY_ONLY)
		return IKEV1_MSG_SA_SITUATION;
	err = ikev1_msg_validate_props(p + off, len - off);
	if (err != IKEV1_MSG_OK)
		return err;
	while (off < len) {
		size_t plen = ikev1_get16(p + off + 2);
		struct ikev1_prop *pr;

		if (sa->n_props == IKEV1_MSG_MAX_PROPOSALS)
			return IKEV1_MSG_SA_PROP_TOO_MANY;
		pr = &sa->props[sa->n_props++];
		pr->num = p[off + 4];
		pr->proto = p[off + 5];
		pr->spi_size = p[off + 6];
		pr->n_xforms = p[off + 7];
		pr->spi = p + off + IKEV1_PROP_HDR_LEN;
		pr->first_xform = sa->n_xforms;
		err = ikev1_msg_parse_xforms(sa, pr->proto,
					     p + off + IKEV1_PROP_HDR_LEN + pr->spi_size,
					     plen - IKEV1_PROP_HDR_LEN - pr->spi_size);
		if (err != IKEV1_MSG_OK)
			return err;
		off += plen;
	}
	return IKEV1_MSG_OK;
}

/* ---- the other payloads (bodies, after the generic header) ---- */

static enum ikev1_msg_err ikev1_msg_parse_id(struct ikev1_msg *m, const uint8_t *p, size_t len)
{
	struct ikev1_id_pl *id;

	if (len < IKEV1_ID_FIXED)
		return IKEV1_MSG_ID_LENGTH;
	if (m->n_id == IKEV1_MSG_MAX_ID)
		return IKEV1_MSG_PL_TOO_MANY;
	id = &m->id[m->n_id++];
	id->type = p[0];
	id->proto = p[1];
	id->port = ikev1_get16(p + 2);
	id->data = ikev1_view(p + IKEV1_ID_FIXED, len - IKEV1_ID_FIXED);
	id->body = ikev1_view(p, len);
	return IKEV1_MSG_OK;
}

static enum ikev1_msg_err ikev1_msg_parse_cert(struct ikev1_cert_pl *arr, uint8_t *n,
					       unsigned max, const uint8_t *p, size_t len)
{
	if (len < 1)
		return IKEV1_MSG_PL_LENGTH;
	if (*n == max)
		return IKEV1_MSG_PL_TOO_MANY;
	arr[*n].enc = p[0];
	arr[*n].data = ikev1_view(p + 1, len - 1);
	(*n)++;
	return IKEV1_MSG_OK;
}

static enum ikev1_msg_err ikev1_msg_parse_notify(struct ikev1_msg *m, const uint8_t *p,
						 size_t len)
{
	struct ikev1_notify_pl *n;
	size_t spi;

	if (len < IKEV1_N_FIXED)
		return IKEV1_MSG_PL_LENGTH;
	spi = p[5];
	if (spi > len - IKEV1_N_FIXED)
		return IKEV1_MSG_N_LENGTH;
	if (m->n_n == IKEV1_MSG_MAX_N)
		return IKEV1_MSG_PL_TOO_MANY;
	n = &m->n[m->n_n++];
	n->doi = ikev1_get32(p);
	n->proto = p[4];
	n->type = ikev1_get16(p + 6);
	n->spi = ikev1_view(p + IKEV1_N_FIXED, spi);
	n->data = ikev1_view(p + IKEV1_N_FIXED + spi, len - IKEV1_N_FIXED - spi);
	return IKEV1_MSG_OK;
}

static enum ikev1_msg_err ikev1_msg_parse_delete(struct ikev1_msg *m, const uint8_t *p,
						 size_t len)
{
	struct ikev1_delete_pl *d;
	size_t spi_size, n_spi;

	if (len < IKEV1_D_FIXED)
		return IKEV1_MSG_PL_LENGTH;
	spi_size = p[5];
	n_spi = ikev1_get16(p + 6);
	if (n_spi == 0 || spi_size == 0 || spi_size * n_spi != len - IKEV1_D_FIXED)
		return IKEV1_MSG_D_LENGTH;
	if (m->n_d == IKEV1_MSG_MAX_D)
		return IKEV1_MSG_PL_TOO_MANY;
	d = &m->d[m->n_d++];
	d->doi = ikev1_get32(p);
	d->proto = p[4];
	d->spi_size = (uint8_t)spi_size;
	d->n_spi = (uint16_t)n_spi;
	d->spis = p + IKEV1_D_FIXED;
	return IKEV1_MSG_OK;
}

static enum ikev1_msg_err ikev1_msg_parse_frag(struct ikev1_msg *m, const uint8_t *p, size_t len)
{
	if (len < IKEV1_FRAG_FIXED)
		return IKEV1_MSG_PL_LENGTH;
	if (m->n_frag == 1)
		return IKEV1_MSG_PL_TOO_MANY;
	if (p[2] == 0)
		return IKEV1_MSG_FRAG_NUMBER;
	m->n_frag = 1;
	m->frag.id = ikev1_get16(p);
	m->frag.num = p[2];
	m->frag.last = (p[3] & IKEV1_FRAG_F_LAST) != 0;
	m->frag.data = ikev1_view(p + IKEV1_FRAG_FIXED, len - IKEV1_FRAG_FIXED);
	return IKEV1_MSG_OK;
}

/* A singleton payload's body view; a second one is PL_TOO_MANY. */
static enum ikev1_msg_err ikev1_msg_one(uint8_t *n, struct ike_view *v, const uint8_t *p,
					size_t len, size_t min)
{
	if (len < min)
		return IKEV1_MSG_PL_LENGTH;
	if (*n == 1)
		return IKEV1_MSG_PL_TOO_MANY;
	*n = 1;
	*v = ikev1_view(p, len);
	return IKEV1_MSG_OK;
}

static enum ikev1_msg_err ikev1_msg_list(uint8_t *n, struct ike_view *arr, unsigned max,
					 const uint8_t *p, size_t len)
{
	if (*n == max)
		return IKEV1_MSG_PL_TOO_MANY;
	arr[(*n)++] = ikev1_view(p, len);
	return IKEV1_MSG_OK;
}

static enum ikev1_msg_err ikev1_msg_parse_pl(struct ikev1_msg *m, uint8_t type, size_t off,
					     const uint8_t *p, size_t len)
{
	enum ikev1_msg_err err;

	switch (type) {
	case IKEV1_PL_SA:
		if (m->n_sa == 1)
			return IKEV1_MSG_PL_TOO_MANY;
		m->n_sa = 1;
		return ikev1_msg_parse_sa(&m->sa, p, len);
	case IKEV1_PL_P:
	case IKEV1_PL_T:
		return IKEV1_MSG_PL_RESERVED;
	case IKEV1_PL_KE:
		return ikev1_msg_one(&m->n_ke, &m->ke, p, len, 1);
	case IKEV1_PL_ID:
		return ikev1_msg_parse_id(m, p, len);
	case IKEV1_PL_CERT:
		return ikev1_msg_parse_cert(m->cert, &m->n_cert, IKEV1_MSG_MAX_CERT, p, len);
	case IKEV1_PL_CR:
		return ikev1_msg_parse_cert(m->cr, &m->n_cr, IKEV1_MSG_MAX_CR, p, len);
	case IKEV1_PL_HASH:
		err = ikev1_msg_one(&m->n_hash, &m->hash, p, len, 1);
		if (err == IKEV1_MSG_OK)
			m->hash_off = (uint16_t)off;
		return err;
	case IKEV1_PL_SIG:
		return ikev1_msg_one(&m->n_sig, &m->sig, p, len, 1);
	case IKEV1_PL_NONCE:
		if (len < IKEV1_NONCE_MIN || len > IKEV1_NONCE_MAX)
			return IKEV1_MSG_NONCE_LENGTH;
		return ikev1_msg_one(&m->n_nonce, &m->nonce, p, len, 0);
	case IKEV1_PL_N:
		return ikev1_msg_parse_notify(m, p, len);
	case IKEV1_PL_D:
		return ikev1_msg_parse_delete(m, p, len);
	case IKEV1_PL_VID:
		return ikev1_msg_list(&m->n_vid, m->vid, IKEV1_MSG_MAX_VID, p, len);
	case IKEV1_PL_NATD:
	case IKEV1_PL_NATD_DRAFT:
		return ikev1_msg_list(&m->n_natd, m->natd, IKEV1_MSG_MAX_NATD, p, len);
	case IKEV1_PL_NATOA:
	case IKEV1_PL_NATOA_DRAFT:
		return ikev1_msg_list(&m->n_natoa, m->natoa, IKEV1_MSG_MAX_NATOA, p, len);
	case IKEV1_PL_FRAG:
		return ikev1_msg_parse_frag(m, p, len);
	default:
		m->n_unknown++;		/* no critical bit in IKEv1: skip */
		return IKEV1_MSG_OK;
	}
}

/* The payload chain from the header's Next Payload. */
static enum ikev1_msg_err ikev1_msg_parse_chain(struct ikev1_msg *m, bool padded)
{
	const uint8_t *d = m->data;
	size_t off = IKEV1_HDR_LEN;
	uint8_t type = m->hdr.next;
	enum ikev1_msg_err err;

	while (type != IKEV1_PL_NONE) {
		size_t plen;

		m->err_pl = type;
		m->err_off = off;
		if (m->len - off < IKEV1_PL_HDR_LEN)
			return IKEV1_MSG_PL_TRUNCATED;
		plen = ikev1_get16(d + off + 2);
		if (plen < IKEV1_PL_HDR_LEN)
			return IKEV1_MSG_PL_LENGTH;
		if (plen > m->len - off)
			return IKEV1_MSG_PL_TRUNCATED;
		if (m->n_pl == IKEV1_MSG_MAX_PL)
			return IKEV1_MSG_PL_TOO_MANY;
		m->pl[m->n_pl++] = (struct ikev1_pl){ .type = type, .off = (uint16_t)off,
						      .len = (uint16_t)plen };
		err = ikev1_msg_parse_pl(m, type, off, d + off + IKEV1_PL_HDR_LEN,
					 plen - IKEV1_PL_HDR_LEN);
		if (err != IKEV1_MSG_OK)
			return err;
		type = d[off];
		off += plen;
	}
	m->end = off;
	m->err_pl = 0;
	m->err_off = 0;
	if (!padded && off != m->len) {
		m->err_off = off;
		return IKEV1_MSG_PL_TRAILING;
	}
	return IKEV1_MSG_OK;
}

static enum ikev1_msg_err ikev1_msg_parse_any(const uint8_t *data, size_t len,
					      struct ikev1_msg *msg, bool decrypted)
{
	enum ikev1_msg_err err;

	memset(msg, 0, sizeof(*msg));
	msg->data = data;
	msg->len = len;
	err = ikev1_msg_parse_hdr(data, len, &msg->hdr);
	if (err != IKEV1_MSG_OK)
		return err;
	msg->body = ikev1_view(data + IKEV1_HDR_LEN, len - IKEV1_HDR_LEN);
	msg->end = IKEV1_HDR_LEN;
	if ((msg->hdr.flags & IKEV1_F_ENC) && !decrypted) {
		msg->encrypted = true;
		if (msg->body.len == 0 || msg->body.len % IKEV1_BLOCK_MAX != 0)
			return IKEV1_MSG_HDR_ENC_ALIGN;
		return IKEV1_MSG_OK;
	}
	return ikev1_msg_parse_chain(msg, decrypted);
}

enum ikev1_msg_err ikev1_msg_parse(const uint8_t *data, size_t len, struct ikev1_msg *msg)
{
	return ikev1_msg_parse_any(data, len, msg, false);
}

enum ikev1_msg_err ikev1_msg_parse_plain(const uint8_t *data, size_t len, struct ikev1_msg *msg)
{
	return ikev1_msg_parse_any(data, len, msg, true);
}

/* ---- lookups ---- */

const char *ikev1_msg_err_str(enum ikev1_msg_err err)
{
	return (unsigned)err < IKEV1_MSG_ERR_COUNT ? ikev1_msg_err_texts[err] : "?";
}

uint16_t ikev1_msg_err_notify(enum ikev1_msg_err err)
{
	return (unsigned)err < IKEV1_MSG_ERR_COUNT ? ikev1_msg_err_notifies[err] : 0;
}

const char *ikev1_pl_name(uint8_t type)
{
	switch (type) {
#define IKEV1_PL_NAME_(id, v, name) case v: return name;
	IKEV1_PL_LIST(IKEV1_PL_NAME_)
#undef IKEV1_PL_NAME_
	default:
		return "?";
	}
}

const char *ikev1_notify_name(uint16_t type)
{
	switch (type) {
#define IKEV1_N_NAME_(id, v) case v: return #id;
	IKEV1_NOTIFY_LIST(IKEV1_N_NAME_)
#undef IKEV1_N_NAME_
	default:
		return "?";
	}
}

const struct ikev1_notify_pl *ikev1_msg_notify_find(const struct ikev1_msg *msg, uint16_t type)
{
	unsigned i;

	for (i = 0; i < msg->n_n; i++)
		if (msg->n[i].type == type)
			return &msg->n[i];
	return NULL;
}

int ikev1_msg_find(const struct ikev1_msg *msg, uint8_t type)
{
	unsigned i;

	for (i = 0; i < msg->n_pl; i++)
		if (msg->pl[i].type == type)
			return (int)i;
	return -1;
}

struct ike_view ikev1_msg_after(const struct ikev1_msg *msg, int idx)
{
	size_t from;

	if (idx < 0 || idx >= msg->n_pl)
		return ikev1_view(NULL, 0);
	from = (size_t)msg->pl[idx].off + msg->pl[idx].len;
	return ikev1_view(msg->data + from, msg->end - from);
}

struct ike_view ikev1_msg_payload(const struct ikev1_msg *msg, int idx)
{
	if (idx < 0 || idx >= msg->n_pl)
		return ikev1_view(NULL, 0);
	return ikev1_view(msg->data + msg->pl[idx].off, msg->pl[idx].len);
}
