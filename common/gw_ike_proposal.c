/* SPDX-License-Identifier: BSD-3-Clause */
/* strongSwan proposal strings to transform lists and back (see gw_ike_proposal.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/gw_ike_proposal.h"

enum {
	GW_WORD_IKE = 1,		/* allowed in IKE proposals */
	GW_WORD_ESP = 2,		/* allowed in ESP proposals */
	GW_WORD_BOTH = GW_WORD_IKE | GW_WORD_ESP,
	GW_WORD_SHOW = 32,		/* longest word quoted in a message */
};

/* X(word, transform type, transform ID, key bits, where).  The first word
 * of a transform is the one gw_ike_proposal_fmt() writes. */
#define GW_IKE_WORDS(X) \
	X("aes128", ENCR, IKE_ENCR_AES_CBC, 128, BOTH) \
	X("aes256", ENCR, IKE_ENCR_AES_CBC, 256, BOTH) \
	X("aes128gcm16", ENCR, IKE_ENCR_AES_GCM_16, 128, BOTH) \
	X("aes256gcm16", ENCR, IKE_ENCR_AES_GCM_16, 256, BOTH) \
	X("sha1", INTEG, IKE_INTEG_HMAC_SHA1_96, 0, ESP) \
	X("sha", INTEG, IKE_INTEG_HMAC_SHA1_96, 0, ESP) \
	X("sha256", INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0, BOTH) \
	X("sha2_256", INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0, BOTH) \
	X("sha384", INTEG, IKE_INTEG_HMAC_SHA2_384_192, 0, BOTH) \
	X("sha2_384", INTEG, IKE_INTEG_HMAC_SHA2_384_192, 0, BOTH) \
	X("sha512", INTEG, IKE_INTEG_HMAC_SHA2_512_256, 0, BOTH) \
	X("sha2_512", INTEG, IKE_INTEG_HMAC_SHA2_512_256, 0, BOTH) \
	X("prfsha256", PRF, IKE_PRF_HMAC_SHA2_256, 0, IKE) \
	X("prfsha384", PRF, IKE_PRF_HMAC_SHA2_384, 0, IKE) \
	X("prfsha512", PRF, IKE_PRF_HMAC_SHA2_512, 0, IKE) \
	X("modp2048", DH, IKE_DH_MODP2048, 0, BOTH) \
	X("ecp256", DH, IKE_DH_ECP256, 0, BOTH) \
	X("ecp384", DH, IKE_DH_ECP384, 0, BOTH) \
	X("ecp521", DH, IKE_DH_ECP521, 0, BOTH) \
	X("curve25519", DH, IKE_DH_CURVE25519, 0, BOTH) \
	X("x25519", DH, IKE_DH_CURVE25519, 0, BOTH) \
	X("esn", ESN, IKE_ESN_YES, 0, ESP) \
	X("noesn", ESN, IKE_ESN_NO, 0, ESP)

static const struct gw_ike_word {
	const char *word;
	struct gw_ike_xform xf;
	unsigned where;
} gw_ike_words[] = {
#define GW_WORD_ENTRY(w, t, id, kl, where) \
	{ w, { IKE_XFORM_##t, id, kl }, GW_WORD_##where },
	GW_IKE_WORDS(GW_WORD_ENTRY)
#undef GW_WORD_ENTRY
};

#define GW_N_WORDS (sizeof(gw_ike_words) / sizeof(gw_ike_words[0]))

/* The PRF an IKE proposal without PRF words takes from an integrity word. */
static int gw_ike_prf_of_integ(uint16_t integ)
{
	switch (integ) {
	case IKE_INTEG_HMAC_SHA2_256_128:
		return IKE_PRF_HMAC_SHA2_256;
	case IKE_INTEG_HMAC_SHA2_384_192:
		return IKE_PRF_HMAC_SHA2_384;
	case IKE_INTEG_HMAC_SHA2_512_256:
		return IKE_PRF_HMAC_SHA2_512;
	default:
		return -1;
	}
}

static bool gw_ike_xform_eq(const struct gw_ike_xform *a, const struct gw_ike_xform *b)
{
	return a->type == b->type && a->id == b->id && a->key_len == b->key_len;
}

bool gw_ike_xform_is_aead(const struct gw_ike_xform *x)
{
	return x->type == IKE_XFORM_ENCR && x->id == IKE_ENCR_AES_GCM_16;
}

const char *gw_ike_xform_word(const struct gw_ike_xform *x)
{
	for (size_t i = 0; i < GW_N_WORDS; i++)
		if (gw_ike_xform_eq(&gw_ike_words[i].xf, x))
			return gw_ike_words[i].word;
	return NULL;
}

static const struct gw_ike_word *gw_ike_word_find(const char *w, size_t n)
{
	for (size_t i = 0; i < GW_N_WORDS; i++)
		if (strlen(gw_ike_words[i].word) == n && strncasecmp(gw_ike_words[i].word, w, n) == 0)
			return &gw_ike_words[i];
	return NULL;
}

/* The transforms as written, before the rules. */
struct gw_ike_raw {
	struct gw_ike_xform xf[IKE_PROP_MAX_XFORMS];
	unsigned n;
	unsigned n_type[IKE_XFORM_ESN + 1];
	bool aead, cbc;
};

static bool gw_ike_raw_has(const struct gw_ike_raw *r, const struct gw_ike_xform *x)
{
	for (unsigned i = 0; i < r->n; i++)
		if (gw_ike_xform_eq(&r->xf[i], x))
			return true;
	return false;
}

static int gw_ike_raw_add(struct gw_ike_raw *r, const struct gw_ike_xform *x)
{
	if (r->n >= IKE_PROP_MAX_XFORMS)
		return -1;
	r->xf[r->n++] = *x;
	r->n_type[x->type]++;
	if (x->type == IKE_XFORM_ENCR) {
		if (gw_ike_xform_is_aead(x))
			r->aead = true;
		else
			r->cbc = true;
	}
	return 0;
}

/* One word w[0..n) into r; why on error. */
static int gw_ike_word_add(struct gw_ike_raw *r, const char *w, size_t n,
			   enum ike_sa_proto proto, char *why, size_t whylen)
{
	const struct gw_ike_word *k = gw_ike_word_find(w, n);
	int show = (int)(n < GW_WORD_SHOW ? n : GW_WORD_SHOW);
	unsigned want = proto == IKE_SA_PROTO_IKE ? GW_WORD_IKE : GW_WORD_ESP;

	if (n == 0) {
		snprintf(why, whylen, "has an empty word");
		return -EINVAL;
	}
	if (k == NULL) {
		snprintf(why, whylen, "has an unknown word %.*s", show, w);
		return -EINVAL;
	}
	if (!(k->where & want)) {
		snprintf(why, whylen, "has %.*s, which is for %s proposals only", show, w,
			 proto == IKE_SA_PROTO_IKE ? "ESP" : "IKE");
		return -EINVAL;
	}
	if (gw_ike_raw_has(r, &k->xf)) {
		snprintf(why, whylen, "repeats %.*s", show, w);
		return -EINVAL;
	}
	if (gw_ike_raw_add(r, &k->xf) != 0) {
		snprintf(why, whylen, "has more than %d transforms", IKE_PROP_MAX_XFORMS);
		return -EINVAL;
	}
	return 0;
}

/* IKE without PRF words: the PRFs of the integrity words, in their order. */
static void gw_ike_derive_prf(struct gw_ike_raw *r)
{
	unsigned n = r->n;

	if (r->n_type[IKE_XFORM_PRF] > 0)
		return;
	for (unsigned i = 0; i < n; i++) {
		int prf = r->xf[i].type == IKE_XFORM_INTEG ? gw_ike_prf_of_integ(r->xf[i].id) : -1;
		struct gw_ike_xform x = { IKE_XFORM_PRF, (uint16_t)prf, 0 };

		if (prf >= 0 && !gw_ike_raw_has(r, &x))
			gw_ike_raw_add(r, &x);
	}
}

/* The rules of gw_ike_proposal.h over the words as written. */
static const char *gw_ike_rules(struct gw_ike_raw *r, enum ike_sa_proto proto)
{
	static const struct gw_ike_xform no_esn = { IKE_XFORM_ESN, IKE_ESN_NO, 0 };
	bool ike = proto == IKE_SA_PROTO_IKE;

	if (r->n_type[IKE_XFORM_ENCR] == 0)
		return "has no encryption algorithm";
	if (r->aead && r->cbc)
		return "mixes AES-GCM and AES-CBC";
	if (r->cbc && r->n_type[IKE_XFORM_INTEG] == 0)
		return "has no integrity algorithm, which AES-CBC needs";
	if (ike)
		gw_ike_derive_prf(r);
	if (ike && r->n_type[IKE_XFORM_PRF] == 0)
		return "has no PRF: add prfsha256, prfsha384 or prfsha512";
	if (ike && r->n_type[IKE_XFORM_DH] == 0)
		return "has no DH group, which IKE needs";
	if (!ike && r->n_type[IKE_XFORM_ESN] > 0 && !gw_ike_raw_has(r, &no_esn))
		return "offers ESN only, which kernel-libipsec peers refuse: write esn-noesn";
	if (!ike && r->n_type[IKE_XFORM_ESN] == 0)
		gw_ike_raw_add(r, &no_esn);
	return NULL;
}

int gw_ike_proposal_parse(const char *text, enum ike_sa_proto proto,
			  struct gw_ike_proposal *out, char *why, size_t whylen)
{
	struct gw_ike_raw r;
	const char *p = text, *rule;

	memset(&r, 0, sizeof(r));
	memset(out, 0, sizeof(*out));
	if (proto != IKE_SA_PROTO_IKE && proto != IKE_SA_PROTO_ESP) {
		snprintf(why, whylen, "is for an unknown protocol %d", (int)proto);
		return -EINVAL;
	}
	if (text[0] == '\0') {
		snprintf(why, whylen, "is empty");
		return -EINVAL;
	}
	for (;;) {
		size_t n = strcspn(p, "-");

		if (gw_ike_word_add(&r, p, n, proto, why, whylen) != 0)
			return -EINVAL;
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	rule = gw_ike_rules(&r, proto);
	if (rule != NULL) {
		snprintf(why, whylen, "%s", rule);
		return -EINVAL;
	}
	out->proto = (uint8_t)proto;
	for (unsigned t = IKE_XFORM_ENCR; t <= IKE_XFORM_ESN; t++)
		for (unsigned i = 0; i < r.n; i++)
			if (r.xf[i].type == t && !(t == IKE_XFORM_INTEG && r.aead))
				out->xforms[out->n_xforms++] = r.xf[i];
	return 0;
}

const char *gw_ike_proposal_fmt(const struct gw_ike_proposal *p, char *buf, size_t len)
{
	size_t n = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (unsigned i = 0; i < p->n_xforms && n < len; i++) {
		const char *w = gw_ike_xform_word(&p->xforms[i]);
		const char *sep = i > 0 ? "-" : "";
		int k;

		if (w != NULL)
			k = snprintf(buf + n, len - n, "%s%s", sep, w);
		else
			k = snprintf(buf + n, len - n, "%s%u:%u", sep, p->xforms[i].type,
				     p->xforms[i].id);
		if (k < 0)
			break;
		n += (size_t)k;
	}
	return buf;
}
