/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKEv1 proposals: configured strongSwan strings (gw_ike_proposal) to
 * IKEv1 transforms, each a complete suite (RFC 2409 5: one transform per
 * combination), the choice out of a peer's SA payload, and the data
 * plane's algorithm of a chosen ESP transform.
 */
#include <errno.h>

#include "common/gw_ike_xform.h"
#include "controlplane/ikev1/ikev1_msg.h"

const char *ikev1_hash_digest(uint16_t hash)
{
	switch (hash) {
	case IKEV1_HASH_SHA2_256: return "SHA2-256";
	case IKEV1_HASH_SHA2_384: return "SHA2-384";
	case IKEV1_HASH_SHA2_512: return "SHA2-512";
	default: return NULL;
	}
}

size_t ikev1_hash_len(uint16_t hash)
{
	switch (hash) {
	case IKEV1_HASH_SHA2_256: return 32;
	case IKEV1_HASH_SHA2_384: return 48;
	case IKEV1_HASH_SHA2_512: return 64;
	default: return 0;
	}
}

bool ikev1_encap_is_udp(uint16_t encap)
{
	return encap == IKEV1_ENCAP_UDP_TUNNEL || encap == IKEV1_ENCAP_UDP_TUNNEL_DRAFT;
}

/* Phase-1 hash of an IKEv2 integrity or PRF transform; 0 if none. */
static uint16_t ikev1_hash_of(const struct gw_ike_xform *x)
{
	if (x->type == IKE_XFORM_INTEG) {
		switch (x->id) {
		case IKE_INTEG_HMAC_SHA2_256_128: return IKEV1_HASH_SHA2_256;
		case IKE_INTEG_HMAC_SHA2_384_192: return IKEV1_HASH_SHA2_384;
		case IKE_INTEG_HMAC_SHA2_512_256: return IKEV1_HASH_SHA2_512;
		default: return 0;
		}
	}
	if (x->type == IKE_XFORM_PRF) {
		switch (x->id) {
		case IKE_PRF_HMAC_SHA2_256: return IKEV1_HASH_SHA2_256;
		case IKE_PRF_HMAC_SHA2_384: return IKEV1_HASH_SHA2_384;
		case IKE_PRF_HMAC_SHA2_512: return IKEV1_HASH_SHA2_512;
		default: return 0;
		}
	}
	return 0;
}

/* ESP Authentication Algorithm (attr 5) of an IKEv2 integrity ID. */
static uint16_t ikev1_aalg_of(uint16_t integ)
{
	switch (integ) {
	case IKE_INTEG_HMAC_SHA1_96: return IKEV1_AALG_HMAC_SHA1;
	case IKE_INTEG_HMAC_SHA2_256_128: return IKEV1_AALG_HMAC_SHA2_256;
	case IKE_INTEG_HMAC_SHA2_384_192: return IKEV1_AALG_HMAC_SHA2_384;
	case IKE_INTEG_HMAC_SHA2_512_256: return IKEV1_AALG_HMAC_SHA2_512;
	default: return 0;
	}
}

static unsigned ikev1_count(const struct gw_ike_proposal *p, uint8_t type)
{
	unsigned i, n = 0;

	for (i = 0; i < p->n_xforms; i++)
		n += p->xforms[i].type == type;
	return n;
}

/* The phase-1 hashes of p: its integrity words (strongSwan's IKEv1 way),
 * or its PRFs when it has none; duplicates dropped. */
static unsigned ikev1_p1_hashes(const struct gw_ike_proposal *p, uint16_t *h, unsigned max)
{
	uint8_t type = ikev1_count(p, IKE_XFORM_INTEG) ? IKE_XFORM_INTEG : IKE_XFORM_PRF;
	unsigned i, j, n = 0;

	for (i = 0; i < p->n_xforms && n < max; i++) {
		uint16_t v;

		if (p->xforms[i].type != type || (v = ikev1_hash_of(&p->xforms[i])) == 0)
			continue;
		for (j = 0; j < n && h[j] != v; j++)
			;
		if (j == n)
			h[n++] = v;
	}
	return n;
}

static int ikev1_push(struct ikev1_xform *out, unsigned max, unsigned *n,
		      const struct ikev1_xform *x)
{
	if (*n == max)
		return -ENOSPC;
	out[*n] = *x;
	out[*n].num = (uint8_t)(*n + 1 <= UINT8_MAX ? *n + 1 : 0);
	(*n)++;
	return 0;
}

/* All transforms of one IKE proposal: encr x hash x group x auth. */
static int ikev1_p1_one(const struct gw_ike_proposal *p, const uint16_t *auth, unsigned n_auth,
			uint32_t life_secs, struct ikev1_xform *out, unsigned max, unsigned *n)
{
	uint16_t hashes[8];
	unsigned nh = ikev1_p1_hashes(p, hashes, 8), e, h, g, a;

	for (e = 0; e < p->n_xforms; e++) {
		const struct gw_ike_xform *enc = &p->xforms[e];

		if (enc->type != IKE_XFORM_ENCR || enc->id != IKE_ENCR_AES_CBC)
			continue;
		for (h = 0; h < nh; h++)
			for (g = 0; g < p->n_xforms; g++) {
				if (p->xforms[g].type != IKE_XFORM_DH || p->xforms[g].id == 0)
					continue;
				for (a = 0; a < n_auth; a++) {
					struct ikev1_xform x = {
						.id = IKEV1_ESP_KEY_ATTR_ID,
						.encr = IKEV1_ENCR_AES_CBC,
						.key_len = enc->key_len,
						.hash = hashes[h],
						.auth = auth[a],
						.group = p->xforms[g].id,
						.life_secs = life_secs,
					};

					if (ikev1_push(out, max, n, &x))
						return -ENOSPC;
				}
			}
	}
	return 0;
}

int ikev1_p1_from_proposals(const struct gw_ike_proposal *props, unsigned n_props,
			    const uint16_t *auth, unsigned n_auth, uint32_t life_secs,
			    struct ikev1_xform *out, unsigned max)
{
	unsigned i, n = 0;

	for (i = 0; i < n_props; i++) {
		if (props[i].proto != IKE_SA_PROTO_IKE)
			continue;
		if (ikev1_p1_one(&props[i], auth, n_auth, life_secs, out, max, &n))
			return -ENOSPC;
	}
	return n ? (int)n : -ENOENT;
}

/* The ESP transform of one encryption (and integrity) transform; 0 when
 * IKEv1 cannot carry it. */
static int ikev1_p2_base(const struct gw_ike_xform *enc, const struct gw_ike_xform *integ,
			 struct ikev1_xform *x)
{
	if (enc->id == IKE_ENCR_AES_GCM_16) {
		x->id = IKEV1_ESP_AES_GCM_16;
		x->auth = 0;
	} else if (enc->id == IKE_ENCR_AES_CBC && integ != NULL &&
		   (x->auth = ikev1_aalg_of(integ->id)) != 0) {
		x->id = IKEV1_ESP_AES_CBC;
	} else {
		return -1;
	}
	x->key_len = enc->key_len;
	return 0;
}

/* One ESP transform per DH group (or one with group 0 without PFS). */
static int ikev1_p2_groups(const struct gw_ike_proposal *p, const struct ikev1_xform *base,
			   struct ikev1_xform *out, unsigned max, unsigned *n)
{
	struct ikev1_xform x = *base;
	unsigned g;

	if (ikev1_count(p, IKE_XFORM_DH) == 0)
		return ikev1_push(out, max, n, &x);
	for (g = 0; g < p->n_xforms; g++) {
		if (p->xforms[g].type != IKE_XFORM_DH)
			continue;
		x.group = p->xforms[g].id;
		if (ikev1_push(out, max, n, &x))
			return -ENOSPC;
	}
	return 0;
}

/* All transforms of one ESP proposal: encr x integ (CBC) x group. */
static int ikev1_p2_one(const struct gw_ike_proposal *p, uint16_t encap, uint32_t life_secs,
			struct ikev1_xform *out, unsigned max, unsigned *n)
{
	unsigned e, i;

	for (e = 0; e < p->n_xforms; e++) {
		const struct gw_ike_xform *enc = &p->xforms[e];
		struct ikev1_xform x = { .encap = encap, .life_secs = life_secs };

		if (enc->type != IKE_XFORM_ENCR)
			continue;
		if (gw_ike_xform_is_aead(enc)) {
			if (ikev1_p2_base(enc, NULL, &x) == 0 &&
			    ikev1_p2_groups(p, &x, out, max, n))
				return -ENOSPC;
			continue;
		}
		for (i = 0; i < p->n_xforms; i++) {
			if (p->xforms[i].type != IKE_XFORM_INTEG ||
			    ikev1_p2_base(enc, &p->xforms[i], &x))
				continue;
			if (ikev1_p2_groups(p, &x, out, max, n))
				return -ENOSPC;
		}
	}
	return 0;
}

int ikev1_p2_from_proposals(const struct gw_ike_proposal *props, unsigned n_props,
			    uint16_t encap, uint32_t life_secs, struct ikev1_xform *out,
			    unsigned max)
{
	unsigned i, n = 0;

	for (i = 0; i < n_props; i++) {
		if (props[i].proto != IKE_SA_PROTO_ESP)
			continue;
		if (ikev1_p2_one(&props[i], encap, life_secs, out, max, &n))
			return -ENOSPC;
	}
	return n ? (int)n : -ENOENT;
}

/* Both plain tunnel (1 or absent), or both UDP tunnel (3 == 61443). */
static bool ikev1_encap_match(uint16_t a, uint16_t b)
{
	if (ikev1_encap_is_udp(a) || ikev1_encap_is_udp(b))
		return ikev1_encap_is_udp(a) && ikev1_encap_is_udp(b);
	return (a == 0 || a == IKEV1_ENCAP_TUNNEL) && (b == 0 || b == IKEV1_ENCAP_TUNNEL);
}

bool ikev1_xform_match(uint8_t proto, const struct ikev1_xform *x, const struct ikev1_xform *ours)
{
	if (x->unknown)
		return false;
	if (proto == IKEV1_PROTO_ISAKMP)
		return x->id == IKEV1_ESP_KEY_ATTR_ID && x->encr == ours->encr &&
		       x->key_len == ours->key_len && x->hash == ours->hash &&
		       x->auth == ours->auth && x->group == ours->group;
	if (proto == IKEV1_PROTO_ESP)
		return x->id == ours->id && x->key_len == ours->key_len &&
		       x->auth == ours->auth && x->group == ours->group && x->esn == ours->esn &&
		       ikev1_encap_match(x->encap, ours->encap);
	return false;
}

static bool ikev1_prop_usable(const struct ikev1_sa_pl *sa, unsigned i, uint8_t proto)
{
	const struct ikev1_prop *p = &sa->props[i];
	unsigned j;

	if (p->proto != proto)
		return false;
	if (proto == IKEV1_PROTO_ISAKMP ? p->spi_size != 0 && p->spi_size != 16 :
					  p->spi_size != IKEV1_ESP_SPI_LEN)
		return false;
	for (j = 0; j < sa->n_props; j++)	/* an AND bundle (AH + ESP...) */
		if (j != i && sa->props[j].num == p->num)
			return false;
	return true;
}

int ikev1_sa_select(const struct ikev1_sa_pl *sa, uint8_t proto, const struct ikev1_xform *ours,
		    unsigned n, unsigned *prop, unsigned *xform)
{
	unsigned i, t, o;

	for (i = 0; i < sa->n_props; i++) {
		const struct ikev1_prop *p = &sa->props[i];

		if (!ikev1_prop_usable(sa, i, proto))
			continue;
		for (t = p->first_xform; t < (unsigned)p->first_xform + p->n_xforms; t++)
			for (o = 0; o < n; o++)
				if (ikev1_xform_match(proto, &sa->xforms[t], &ours[o])) {
					*prop = i;
					*xform = t;
					return 0;
				}
	}
	return -ENOENT;
}

int ikev1_sa_check_reply(const struct ikev1_sa_pl *sa, uint8_t proto,
			 const struct ikev1_xform *ours, unsigned n, unsigned *xform)
{
	const struct ikev1_prop *p = &sa->props[0];
	unsigned o;

	if (sa->n_props != 1 || p->n_xforms != 1 || !ikev1_prop_usable(sa, 0, proto))
		return -ENOENT;
	for (o = 0; o < n; o++)
		if (ikev1_xform_match(proto, &sa->xforms[p->first_xform], &ours[o])) {
			*xform = p->first_xform;
			return 0;
		}
	return -ENOENT;
}

int ikev1_esp_alg(const struct ikev1_xform *x)
{
	if (x->unknown)
		return -ENOTSUP;
	if (x->id == IKEV1_ESP_AES_GCM_16 && x->auth == 0) {
		switch (x->key_len) {
		case 128: return ESP_ALG_AES128GCM16;
		case 192: return ESP_ALG_AES192GCM16;
		case 256: return ESP_ALG_AES256GCM16;
		default: return -ENOTSUP;
		}
	}
	if (x->id != IKEV1_ESP_AES_CBC || (x->key_len != 128 && x->key_len != 256))
		return -ENOTSUP;
	switch (x->auth) {
	case IKEV1_AALG_HMAC_SHA1:
		return x->key_len == 128 ? ESP_ALG_AES128_SHA1 : ESP_ALG_AES256_SHA1;
	case IKEV1_AALG_HMAC_SHA2_256:
		return x->key_len == 128 ? ESP_ALG_AES128_SHA256 : ESP_ALG_AES256_SHA256;
	case IKEV1_AALG_HMAC_SHA2_384:
		return x->key_len == 128 ? ESP_ALG_AES128_SHA384 : ESP_ALG_AES256_SHA384;
	case IKEV1_AALG_HMAC_SHA2_512:
		return x->key_len == 128 ? ESP_ALG_AES128_SHA512 : ESP_ALG_AES256_SHA512;
	default:
		return -ENOTSUP;
	}
}
