/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit suite for proposals: strongSwan proposal strings (common/
 * gw_ike_proposal.h) with every error, the ESP algorithm and IKE suite of a
 * chosen proposal, and SA payload bodies (controlplane/ike/ike_proposal.h):
 * encode -> select and -> check_reply round trips, the responder's order of
 * preference, unknown transforms and attributes, and malformed bodies
 * (every truncation, every byte changed, lengths past their parent) that
 * must be refused, never read out of bounds.  No EAL needed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "common/gw_ike_proposal.h"
#include "controlplane/ike/ike_proposal.h"
#include "test/unit/test_eal.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

enum { BODY_MAX = 2048 };

static struct gw_ike_proposal parse_ok(const char *text, enum ike_sa_proto proto)
{
	struct gw_ike_proposal p;
	char why[IKE_PROP_WHY_MAX] = "";

	if (gw_ike_proposal_parse(text, proto, &p, why, sizeof(why)) != 0) {
		fprintf(stderr, "\n  %s: %s\n", text, why);
		CU_FAIL("proposal refused");
	}
	return p;
}

static const char *fmt(const struct gw_ike_proposal *p)
{
	static char buf[IKE_PROP_STR_MAX];

	return gw_ike_proposal_fmt(p, buf, sizeof(buf));
}

/* Same transforms in the same order (field by field: padding aside). */
static bool prop_eq(const struct gw_ike_proposal *a, const struct gw_ike_proposal *b)
{
	if (a->proto != b->proto || a->n_xforms != b->n_xforms)
		return false;
	for (unsigned i = 0; i < a->n_xforms; i++)
		if (a->xforms[i].type != b->xforms[i].type || a->xforms[i].id != b->xforms[i].id ||
		    a->xforms[i].key_len != b->xforms[i].key_len)
			return false;
	return true;
}

/* ---- strings ------------------------------------------------------------- */

struct parse_case {
	const char *text;
	enum ike_sa_proto proto;
	const char *want;	/* gw_ike_proposal_fmt() of the result, or NULL */
	const char *why;	/* the error, or NULL */
};

#define IKE IKE_SA_PROTO_IKE
#define ESP IKE_SA_PROTO_ESP

static const struct parse_case parse_cases[] = {
	/* the examples of issue 5 */
	{ "aes128-sha256-modp2048", IKE, "aes128-prfsha256-sha256-modp2048", NULL },
	{ "aes256gcm16-prfsha384-ecp384", IKE, "aes256gcm16-prfsha384-ecp384", NULL },
	{ "aes128-sha256-x25519", IKE, "aes128-prfsha256-sha256-curve25519", NULL },
	{ "aes256-sha384-ecp384", IKE, "aes256-prfsha384-sha384-ecp384", NULL },
	{ "aes128gcm16-prfsha256-curve25519", IKE, "aes128gcm16-prfsha256-curve25519", NULL },
	{ "aes128gcm16", ESP, "aes128gcm16-noesn", NULL },
	{ "aes256-sha256", ESP, "aes256-sha256-noesn", NULL },
	{ "aes128-sha1", ESP, "aes128-sha1-noesn", NULL },
	{ "aes128gcm16-modp2048", ESP, "aes128gcm16-modp2048-noesn", NULL },
	/* strongSwan's rules */
	{ "aes256gcm16-sha256-ecp384", IKE, "aes256gcm16-prfsha256-ecp384", NULL },
	{ "aes128-sha256-prfsha384-ecp256", IKE, "aes128-prfsha384-sha256-ecp256", NULL },
	{ "ecp521-sha512-aes256", IKE, "aes256-prfsha512-sha512-ecp521", NULL },
	{ "aes128-aes256-sha256-sha512-modp2048-ecp521", IKE,
	  "aes128-aes256-prfsha256-prfsha512-sha256-sha512-modp2048-ecp521", NULL },
	{ "aes256-aes128-sha2_384-ecp256", IKE, "aes256-aes128-prfsha384-sha384-ecp256", NULL },
	{ "AES128-SHA256-MODP2048", IKE, "aes128-prfsha256-sha256-modp2048", NULL },
	{ "aes128gcm16-aes256gcm16-prfsha256-prfsha512-ecp256-ecp384-ecp521-modp2048-x25519", IKE,
	  "aes128gcm16-aes256gcm16-prfsha256-prfsha512-ecp256-ecp384-ecp521-modp2048-curve25519",
	  NULL },
	{ "aes256gcm16-sha256", ESP, "aes256gcm16-noesn", NULL },
	{ "aes128gcm16-esn-noesn", ESP, "aes128gcm16-esn-noesn", NULL },
	{ "aes128gcm16-noesn-esn", ESP, "aes128gcm16-noesn-esn", NULL },
	{ "noesn-aes256-sha512", ESP, "aes256-sha512-noesn", NULL },
	{ "aes128-aes256-sha1-sha384-ecp256", ESP, "aes128-aes256-sha1-sha384-ecp256-noesn", NULL },
	{ "aes128-sha", ESP, "aes128-sha1-noesn", NULL },
	/* errors name the word */
	{ "aes129-sha256-modp2048", IKE, NULL, "has an unknown word aes129" },
	{ "aes256gcm128-prfsha256-ecp256", IKE, NULL, "has an unknown word aes256gcm128" },
	{ "aes192-sha256-modp2048", IKE, NULL, "has an unknown word aes192" },
	{ "aes128-sha256-modp1024", IKE, NULL, "has an unknown word modp1024" },
	{ "aes128-sha256 -modp2048", IKE, NULL, "has an unknown word sha256 " },
	{ "aes128-sha1-modp2048", IKE, NULL, "has sha1, which is for ESP proposals only" },
	{ "aes128-sha256-modp2048-esn", IKE, NULL, "has esn, which is for ESP proposals only" },
	{ "aes128-sha256-prfsha256", ESP, NULL, "has prfsha256, which is for IKE proposals only" },
	{ "aes128-sha256-modp2048-modp2048", IKE, NULL, "repeats modp2048" },
	{ "aes128-sha256-x25519-curve25519", IKE, NULL, "repeats curve25519" },
	{ "aes128-sha256-sha2_256-ecp256", IKE, NULL, "repeats sha2_256" },
	{ "aes128--sha256", IKE, NULL, "has an empty word" },
	{ "-aes128gcm16", ESP, NULL, "has an empty word" },
	{ "aes128gcm16-", ESP, NULL, "has an empty word" },
	{ "", IKE, NULL, "is empty" },
	{ "sha256-modp2048", IKE, NULL, "has no encryption algorithm" },
	{ "esn-noesn", ESP, NULL, "has no encryption algorithm" },
	{ "aes128-aes128gcm16-sha256-modp2048", IKE, NULL, "mixes AES-GCM and AES-CBC" },
	{ "aes256gcm16-aes256-sha256", ESP, NULL, "mixes AES-GCM and AES-CBC" },
	{ "aes128-modp2048", IKE, NULL, "has no integrity algorithm, which AES-CBC needs" },
	{ "aes128", ESP, NULL, "has no integrity algorithm, which AES-CBC needs" },
	{ "aes128gcm16-ecp384", IKE, NULL, "has no PRF: add prfsha256, prfsha384 or prfsha512" },
	{ "aes128-sha256", IKE, NULL, "has no DH group, which IKE needs" },
	{ "aes128gcm16-prfsha256", IKE, NULL, "has no DH group, which IKE needs" },
	{ "aes128gcm16-esn", ESP, NULL,
	  "offers ESN only, which kernel-libipsec peers refuse: write esn-noesn" },
	{ "aes128-sha256-esn-ecp256", ESP, NULL,
	  "offers ESN only, which kernel-libipsec peers refuse: write esn-noesn" },
	{ "aes128-sha256-abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz", ESP, NULL,
	  "has an unknown word abcdefghijklmnopqrstuvwxyzabcdef" },
};

static void test_parse(void)
{
	for (size_t i = 0; i < ARRAY_LEN(parse_cases); i++) {
		const struct parse_case *c = &parse_cases[i];
		char why[IKE_PROP_WHY_MAX] = "";
		struct gw_ike_proposal p;
		int rc = gw_ike_proposal_parse(c->text, c->proto, &p, why, sizeof(why));
		bool ok = c->want != NULL ? rc == 0 && strcmp(fmt(&p), c->want) == 0 :
			rc == -EINVAL && strcmp(why, c->why) == 0;

		CU_ASSERT_TRUE(ok);
		if (!ok)
			fprintf(stderr, "\n  case %zu \"%s\": rc %d, got \"%s\" / \"%s\"\n", i,
				c->text, rc, rc == 0 ? fmt(&p) : "", why);
		/* what fmt writes parses back to the same proposal */
		if (rc == 0) {
			struct gw_ike_proposal again = parse_ok(fmt(&p), c->proto);

			CU_ASSERT_TRUE(prop_eq(&again, &p));
			CU_ASSERT_EQUAL(p.proto, c->proto);
		}
	}
}

/* The transforms themselves, for one of each kind. */
static void test_parse_xforms(void)
{
	struct gw_ike_proposal p = parse_ok("aes256gcm16-prfsha384-ecp384", IKE);
	char why[8];

	CU_ASSERT_EQUAL_FATAL(p.n_xforms, 3);
	CU_ASSERT_TRUE(p.xforms[0].type == IKE_XFORM_ENCR && p.xforms[0].id == IKE_ENCR_AES_GCM_16 &&
		       p.xforms[0].key_len == 256);
	CU_ASSERT_TRUE(p.xforms[1].type == IKE_XFORM_PRF && p.xforms[1].id == IKE_PRF_HMAC_SHA2_384 &&
		       p.xforms[1].key_len == 0);
	CU_ASSERT_TRUE(p.xforms[2].type == IKE_XFORM_DH && p.xforms[2].id == IKE_DH_ECP384);

	p = parse_ok("aes128-sha1-modp2048-esn-noesn", ESP);
	CU_ASSERT_EQUAL_FATAL(p.n_xforms, 5);
	CU_ASSERT_TRUE(p.xforms[0].id == IKE_ENCR_AES_CBC && p.xforms[0].key_len == 128);
	CU_ASSERT_TRUE(p.xforms[1].type == IKE_XFORM_INTEG &&
		       p.xforms[1].id == IKE_INTEG_HMAC_SHA1_96);
	CU_ASSERT_TRUE(p.xforms[2].type == IKE_XFORM_DH && p.xforms[2].id == IKE_DH_MODP2048);
	CU_ASSERT_TRUE(p.xforms[3].type == IKE_XFORM_ESN && p.xforms[3].id == IKE_ESN_YES);
	CU_ASSERT_TRUE(p.xforms[4].type == IKE_XFORM_ESN && p.xforms[4].id == IKE_ESN_NO);

	p = parse_ok("aes128-sha256-ecp256-ecp521-x25519", IKE);
	CU_ASSERT_EQUAL(ike_proposal_get(&p, IKE_XFORM_DH)->id, IKE_DH_ECP256);
	CU_ASSERT_PTR_NULL(ike_proposal_get(&p, IKE_XFORM_ESN));

	/* a short why buffer is truncated, never overrun; bad protocol refused */
	memset(why, 'Z', sizeof(why));
	CU_ASSERT_EQUAL(gw_ike_proposal_parse("x", IKE, &p, why, 4), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "has");
	CU_ASSERT_EQUAL(why[4], 'Z');
	CU_ASSERT_EQUAL(gw_ike_proposal_parse("aes128gcm16", (enum ike_sa_proto)2, &p, why,
					      sizeof(why)), -EINVAL);
	/* a transform without a word */
	p.n_xforms = 1;
	p.xforms[0] = (struct gw_ike_xform){ IKE_XFORM_ENCR, 3, 0 };
	CU_ASSERT_STRING_EQUAL(fmt(&p), "1:3");
}

/* ---- a chosen proposal --------------------------------------------------- */

static void test_esp_alg(void)
{
	static const char *const encs[] = { "aes128", "aes256" };
	static const char *const integs[] = { "sha1", "sha256", "sha384", "sha512" };
	static const char *const aeads[] = { "aes128gcm16", "aes256gcm16" };
	char name[64];

	for (size_t e = 0; e < ARRAY_LEN(encs); e++) {
		for (size_t i = 0; i < ARRAY_LEN(integs); i++) {
			snprintf(name, sizeof(name), "%s-%s", encs[e], integs[i]);
			struct gw_ike_proposal p = parse_ok(name, ESP);

			CU_ASSERT_EQUAL(ike_proposal_esp_alg(&p), gw_esp_alg_from_name(name));
			CU_ASSERT_TRUE(gw_esp_alg_from_name(name) >= 0);
			CU_ASSERT_FALSE(ike_proposal_esn(&p));
		}
	}
	for (size_t e = 0; e < ARRAY_LEN(aeads); e++) {
		struct gw_ike_proposal p = parse_ok(aeads[e], ESP);

		CU_ASSERT_EQUAL(ike_proposal_esp_alg(&p), gw_esp_alg_from_name(aeads[e]));
	}
	CU_ASSERT_EQUAL(ike_proposal_esp_alg(&(struct gw_ike_proposal){ 0 }), -ENOTSUP);
	{
		struct gw_ike_proposal p = parse_ok("aes128-sha256", ESP);

		CU_ASSERT_EQUAL(ike_proposal_esp_alg(&p), ESP_ALG_AES128_SHA256);
		p.proto = IKE;
		CU_ASSERT_EQUAL(ike_proposal_esp_alg(&p), -ENOTSUP);
		/* still two alternatives: not a choice */
		p = parse_ok("aes128-aes256-sha256", ESP);
		CU_ASSERT_EQUAL(ike_proposal_esp_alg(&p), -ENOTSUP);
		p = parse_ok("aes128-sha256-sha1", ESP);
		CU_ASSERT_EQUAL(ike_proposal_esp_alg(&p), -ENOTSUP);
		p = parse_ok("aes256gcm16", ESP);
		CU_ASSERT_EQUAL(ike_proposal_esp_alg(&p), ESP_ALG_AES256GCM16);
		p.xforms[p.n_xforms++] = (struct gw_ike_xform){ IKE_XFORM_INTEG, IKE_INTEG_NONE, 0 };
		CU_ASSERT_EQUAL(ike_proposal_esp_alg(&p), ESP_ALG_AES256GCM16);
		p.xforms[0].key_len = 192;	/* aes192gcm16: no word */
		CU_ASSERT_EQUAL(ike_proposal_esp_alg(&p), -ENOTSUP);
	}
}

static void test_ike_suite(void)
{
	struct gw_ike_proposal p = parse_ok("aes256gcm16-prfsha384-ecp384", IKE);
	struct ike_suite s;
	uint16_t dh = 0;

	CU_ASSERT_EQUAL_FATAL(ike_proposal_ike_suite(&p, &s, &dh), 0);
	CU_ASSERT_TRUE(s.encr == IKE_ENCR_AES_GCM_16 && s.encr_bits == 256 &&
		       s.integ == IKE_INTEG_NONE && s.prf == IKE_PRF_HMAC_SHA2_384);
	CU_ASSERT_EQUAL(dh, IKE_DH_ECP384);
	p = parse_ok("aes128-sha256-x25519", IKE);
	CU_ASSERT_EQUAL_FATAL(ike_proposal_ike_suite(&p, &s, &dh), 0);
	CU_ASSERT_TRUE(s.encr == IKE_ENCR_AES_CBC && s.encr_bits == 128 &&
		       s.integ == IKE_INTEG_HMAC_SHA2_256_128 && s.prf == IKE_PRF_HMAC_SHA2_256);
	CU_ASSERT_EQUAL(dh, IKE_DH_CURVE25519);
	p = parse_ok("aes128-sha256-x25519-ecp256", IKE);	/* not one choice */
	CU_ASSERT_EQUAL(ike_proposal_ike_suite(&p, &s, &dh), -ENOTSUP);
	p = parse_ok("aes128gcm16", ESP);
	CU_ASSERT_EQUAL(ike_proposal_ike_suite(&p, &s, &dh), -ENOTSUP);
}

static void test_from_cfg(void)
{
	static struct cfg_peer peer;
	struct gw_ike_proposal out[IKE_SA_MAX_PROPOSALS];

	strcpy(peer.ike_proposals[0], "aes128-sha256-modp2048");
	strcpy(peer.ike_proposals[1], "aes256gcm16-prfsha384-ecp384");
	peer.n_ike_proposals = 2;
	strcpy(peer.esp_proposals[0], "aes128gcm16");
	peer.n_esp_proposals = 1;
	CU_ASSERT_EQUAL_FATAL(ike_proposals_from_cfg(&peer, IKE, out, ARRAY_LEN(out)), 2);
	CU_ASSERT_STRING_EQUAL(fmt(&out[1]), "aes256gcm16-prfsha384-ecp384");
	CU_ASSERT_EQUAL_FATAL(ike_proposals_from_cfg(&peer, ESP, out, ARRAY_LEN(out)), 1);
	CU_ASSERT_STRING_EQUAL(fmt(&out[0]), "aes128gcm16-noesn");
	CU_ASSERT_EQUAL(ike_proposals_from_cfg(&peer, IKE, out, 1), -ENOSPC);
	strcpy(peer.esp_proposals[0], "aes128gcm16-prfsha256");
	CU_ASSERT_EQUAL(ike_proposals_from_cfg(&peer, ESP, out, ARRAY_LEN(out)), -EINVAL);
}

/* ---- SA payload bodies --------------------------------------------------- */

static const uint8_t spi4[4] = { 0xc0, 0x01, 0xd0, 0x0d };
static const uint8_t spi8[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

/* texts parsed into props[], encoded as an offer with spi of spi_size. */
static int offer(const char *const *texts, unsigned n, enum ike_sa_proto proto,
		 struct gw_ike_proposal *props, uint8_t *body, uint8_t spi_size)
{
	for (unsigned i = 0; i < n; i++)
		props[i] = parse_ok(texts[i], proto);
	return ike_sa_encode(body, BODY_MAX, props, n, spi_size == 8 ? spi8 : spi4, spi_size);
}

static const char *const ike_examples[] = {
	"aes128-sha256-modp2048", "aes256gcm16-prfsha384-ecp384", "aes128-sha256-x25519",
	"aes256-sha384-ecp384", "aes128gcm16-prfsha256-curve25519",
};
static const char *const esp_examples[] = {
	"aes128gcm16", "aes256-sha256", "aes128-sha1", "aes128gcm16-modp2048",
	"aes256gcm16-esn-noesn",
};

/* The wire form of one proposal, by hand (RFC 7296 3.3.1, 3.3.2). */
static void test_encode_bytes(void)
{
	static const uint8_t want[] = {
		0, 0, 0, 44, 1, 1, 0, 4,			/* last, len 44, #1 IKE, no SPI, 4 */
		3, 0, 0, 12, 1, 0, 0, 12, 0x80, 0x0e, 0, 128,	/* ENCR AES-CBC, key 128 */
		3, 0, 0, 8, 2, 0, 0, 5,				/* PRF HMAC-SHA2-256 */
		3, 0, 0, 8, 3, 0, 0, 12,			/* INTEG HMAC-SHA2-256-128 */
		0, 0, 0, 8, 4, 0, 0, 14,			/* DH 14, last */
	};
	struct gw_ike_proposal p = parse_ok("aes128-sha256-modp2048", IKE);
	uint8_t body[BODY_MAX];

	CU_ASSERT_EQUAL_FATAL(ike_sa_encode(body, sizeof(body), &p, 1, NULL, 0), (int)sizeof(want));
	CU_ASSERT_EQUAL(memcmp(body, want, sizeof(want)), 0);
	CU_ASSERT_EQUAL(ike_sa_validate(body, sizeof(want)), 0);
	/* the reply form: its number, our SPI */
	p = parse_ok("aes128gcm16", ESP);
	CU_ASSERT_EQUAL_FATAL(ike_sa_encode_one(body, sizeof(body), &p, 7, spi4, 4), 32);
	CU_ASSERT_EQUAL(body[0], 0);
	CU_ASSERT_EQUAL(body[3], 32);
	CU_ASSERT_EQUAL(body[4], 7);
	CU_ASSERT_EQUAL(body[5], IKE_SA_PROTO_ESP);
	CU_ASSERT_EQUAL(body[6], 4);
	CU_ASSERT_EQUAL(body[7], 2);
	CU_ASSERT_EQUAL(memcmp(body + 8, spi4, 4), 0);
	CU_ASSERT_EQUAL(body[12 + 12 + 4], IKE_XFORM_ESN);
}

static void test_encode_errors(void)
{
	struct gw_ike_proposal p[2] = { parse_ok("aes128gcm16", ESP), parse_ok("aes256-sha256", ESP) };
	uint8_t body[BODY_MAX];
	int len = ike_sa_encode(body, sizeof(body), p, 2, spi4, 4);

	CU_ASSERT_TRUE_FATAL(len > 0);
	for (int cap = 0; cap < len; cap++)
		CU_ASSERT_EQUAL(ike_sa_encode(body, (size_t)cap, p, 2, spi4, 4), -ENOSPC);
	CU_ASSERT_EQUAL(ike_sa_encode(body, sizeof(body), p, 0, spi4, 4), -EINVAL);
	CU_ASSERT_EQUAL(ike_sa_encode(body, sizeof(body), p, 256, spi4, 4), -EINVAL);
	CU_ASSERT_EQUAL(ike_sa_encode(body, sizeof(body), p, 2, spi8, 9), -EINVAL);
	CU_ASSERT_EQUAL(ike_sa_encode(body, sizeof(body), p, 2, NULL, 4), -EINVAL);
	CU_ASSERT_EQUAL(ike_sa_encode_one(body, sizeof(body), p, 0, spi4, 4), -EINVAL);
	p[1].n_xforms = 0;
	CU_ASSERT_EQUAL(ike_sa_encode(body, sizeof(body), p, 2, spi4, 4), -EINVAL);
}

/* Each example offered alone is chosen as itself (one alternative per
 * type), by the responder and then back at the initiator. */
static void test_round_trip(void)
{
	for (int k = 0; k < 2; k++) {
		const char *const *ex = k == 0 ? ike_examples : esp_examples;
		enum ike_sa_proto proto = k == 0 ? IKE : ESP;
		uint8_t spi_size = k == 0 ? 0 : 4;

		for (unsigned i = 0; i < 5; i++) {
			struct gw_ike_proposal ours, theirs;
			struct ike_sa_choice c, r;
			uint8_t body[BODY_MAX], reply[BODY_MAX];
			int len = offer(&ex[i], 1, proto, &theirs, body, spi_size);
			int rlen;

			ours = theirs;
			CU_ASSERT_TRUE_FATAL(len > 0);
			CU_ASSERT_EQUAL_FATAL(ike_sa_select(body, (size_t)len, proto, spi_size, &ours, 1,
							    0, &c), 0);
			CU_ASSERT_EQUAL(c.num, 1);
			CU_ASSERT_EQUAL(c.ours, 0);
			CU_ASSERT_EQUAL(c.spi_size, spi_size);
			if (spi_size) {
				CU_ASSERT_EQUAL(memcmp(c.spi, spi4, 4), 0);
			}
			if (k == 0 || i < 4) {
				CU_ASSERT_TRUE(prop_eq(&c.prop, &ours));
			} else {	/* esn-noesn: the initiator's first */
				CU_ASSERT_STRING_EQUAL(fmt(&c.prop), "aes256gcm16-esn");
			}
			rlen = ike_sa_encode_one(reply, sizeof(reply), &c.prop, c.num, spi4, spi_size);
			CU_ASSERT_TRUE_FATAL(rlen > 0);
			CU_ASSERT_EQUAL(ike_sa_check_reply(reply, (size_t)rlen, proto, spi_size, &ours, 1,
							   0, &r), 0);
			CU_ASSERT_TRUE(prop_eq(&r.prop, &c.prop));
			CU_ASSERT_EQUAL(r.ours, 0);
		}
	}
}

/* The initiator's order of proposals wins; ours are tried in order for each. */
static void test_precedence(void)
{
	static const char *const theirs_t[] = {
		"aes128-sha1-ecp256",				/* nothing of ours has sha1 */
		"aes256-sha512-ecp521", "aes128gcm16-ecp256",
	};
	static const char *const ours_t[] = { "aes128gcm16", "aes256-sha512-ecp521-noesn-esn" };
	struct gw_ike_proposal theirs[3], ours[2];
	struct ike_sa_choice c;
	uint8_t body[BODY_MAX];
	int len = offer(theirs_t, 3, ESP, theirs, body, 4);

	for (unsigned i = 0; i < 2; i++)
		ours[i] = parse_ok(ours_t[i], ESP);
	CU_ASSERT_EQUAL_FATAL(ike_sa_select(body, (size_t)len, ESP, 4, ours, 2, IKE_SA_SKIP_DH, &c), 0);
	CU_ASSERT_EQUAL(c.num, 2);
	CU_ASSERT_EQUAL(c.ours, 1);
	CU_ASSERT_STRING_EQUAL(fmt(&c.prop), "aes256-sha512-noesn");
	CU_ASSERT_EQUAL(ike_proposal_esp_alg(&c.prop), ESP_ALG_AES256_SHA512);
	/* without SKIP_DH, proposal 2 still matches: ecp521 is ours too */
	CU_ASSERT_EQUAL_FATAL(ike_sa_select(body, (size_t)len, ESP, 4, ours, 2, 0, &c), 0);
	CU_ASSERT_STRING_EQUAL(fmt(&c.prop), "aes256-sha512-ecp521-noesn");

	/* within a type, the initiator's order */
	{
		static const char *const t[] = { "aes256-aes128-sha384-sha256-ecp256-modp2048" };
		struct gw_ike_proposal o = parse_ok("aes128-aes256-sha256-sha384-modp2048-ecp256", IKE);
		struct gw_ike_proposal tp;

		len = offer(t, 1, IKE, &tp, body, 0);
		CU_ASSERT_EQUAL_FATAL(ike_sa_select(body, (size_t)len, IKE, 0, &o, 1, 0, &c), 0);
		CU_ASSERT_STRING_EQUAL(fmt(&c.prop), "aes256-prfsha384-sha384-ecp256");
	}
	/* ours in order, for one proposal of theirs that two of ours accept */
	{
		static const char *const t[] = { "aes128gcm16-aes256gcm16-prfsha256-ecp256-x25519" };
		struct gw_ike_proposal o[2] = { parse_ok("aes256gcm16-prfsha256-x25519", IKE),
						parse_ok("aes128gcm16-prfsha256-ecp256", IKE) };
		struct gw_ike_proposal tp;

		len = offer(t, 1, IKE, &tp, body, 0);
		CU_ASSERT_EQUAL_FATAL(ike_sa_select(body, (size_t)len, IKE, 0, o, 2, 0, &c), 0);
		CU_ASSERT_EQUAL(c.ours, 0);
		CU_ASSERT_STRING_EQUAL(fmt(&c.prop), "aes256gcm16-prfsha256-curve25519");
	}
}

/* Transform types present on one side only, and SPI sizes and protocols. */
static void test_no_match(void)
{
	struct gw_ike_proposal ours, theirs;
	struct ike_sa_choice c;
	uint8_t body[BODY_MAX];
	const char *t;
	int len;

	/* our PFS group, their none: only in IKE_AUTH (SKIP_DH) */
	ours = parse_ok("aes128gcm16-modp2048", ESP);
	t = "aes128gcm16";
	len = offer(&t, 1, ESP, &theirs, body, 4);
	CU_ASSERT_EQUAL(ike_sa_select(body, (size_t)len, ESP, 4, &ours, 1, 0, &c), -ENOENT);
	CU_ASSERT_EQUAL(ike_sa_select(body, (size_t)len, ESP, 4, &ours, 1, IKE_SA_SKIP_DH, &c), 0);
	CU_ASSERT_STRING_EQUAL(fmt(&c.prop), "aes128gcm16-noesn");
	/* their PFS group, ours none */
	ours = parse_ok("aes128gcm16", ESP);
	t = "aes128gcm16-ecp256";
	len = offer(&t, 1, ESP, &theirs, body, 4);
	CU_ASSERT_EQUAL(ike_sa_select(body, (size_t)len, ESP, 4, &ours, 1, 0, &c), -ENOENT);
	CU_ASSERT_EQUAL(ike_sa_select(body, (size_t)len, ESP, 4, &ours, 1, IKE_SA_SKIP_DH, &c), 0);
	/* ESN: they only offer what we do not */
	ours = parse_ok("aes128gcm16-noesn", ESP);
	t = "aes128gcm16-esn-noesn";
	len = offer(&t, 1, ESP, &theirs, body, 4);
	CU_ASSERT_EQUAL(ike_sa_select(body, (size_t)len, ESP, 4, &ours, 1, 0, &c), 0);
	theirs.n_xforms--;			/* drop their noesn: ESN only */
	len = ike_sa_encode(body, BODY_MAX, &theirs, 1, spi4, 4);
	CU_ASSERT_EQUAL(ike_sa_select(body, (size_t)len, ESP, 4, &ours, 1, 0, &c), -ENOENT);
	theirs.n_xforms--;			/* no ESN transform at all */
	len = ike_sa_encode(body, BODY_MAX, &theirs, 1, spi4, 4);
	CU_ASSERT_EQUAL(ike_sa_select(body, (size_t)len, ESP, 4, &ours, 1, 0, &c), -ENOENT);
	/* key length differs */
	ours = parse_ok("aes128-sha256-ecp256", IKE);
	t = "aes256-sha256-ecp256";
	len = offer(&t, 1, IKE, &theirs, body, 0);
	CU_ASSERT_EQUAL(ike_sa_select(body, (size_t)len, IKE, 0, &ours, 1, 0, &c), -ENOENT);
	/* SPI size other than asked, protocol other than asked, ours of the wrong protocol */
	t = "aes128-sha256-ecp256";
	len = offer(&t, 1, IKE, &theirs, body, 8);
	CU_ASSERT_EQUAL(ike_sa_select(body, (size_t)len, IKE, 0, &ours, 1, 0, &c), -ENOENT);
	CU_ASSERT_EQUAL(ike_sa_select(body, (size_t)len, IKE, 8, &ours, 1, 0, &c), 0);
	CU_ASSERT_EQUAL(memcmp(c.spi, spi8, 8), 0);
	CU_ASSERT_EQUAL(ike_sa_select(body, (size_t)len, ESP, 8, &ours, 1, 0, &c), -ENOENT);
	CU_ASSERT_EQUAL(ike_sa_select(body, (size_t)len, IKE, 8, &ours, 0, 0, &c), -ENOENT);
	ours.proto = ESP;
	CU_ASSERT_EQUAL(ike_sa_select(body, (size_t)len, IKE, 8, &ours, 1, 0, &c), -ENOENT);
}

/* Hand-made bodies: unknown transform types, IDs and attributes, NONE. */
#define XF(more, type, id) (more) ? 3 : 0, 0, 0, 8, type, 0, 0, id
#define XF_KL(more, type, id, kl) (more) ? 3 : 0, 0, 0, 12, type, 0, 0, id, 0x80, 0x0e, 0, kl

static void test_unknown(void)
{
	/* #1 has transform type 6 (unknown): unacceptable; #2 is chosen */
	static const uint8_t unknown_type[] = {
		2, 0, 0, 48, 1, 3, 4, 4, 0xc0, 0x01, 0xd0, 0x0d,
		XF_KL(1, 1, 20, 128), XF(1, 5, 0), XF(1, 6, 1), XF(0, 5, 1),
		0, 0, 0, 32, 2, 3, 4, 2, 0xc0, 0x01, 0xd0, 0x0e,
		XF_KL(1, 1, 20, 128), XF(0, 5, 0),
	};
	/* 3DES (unknown ID) before AES: only AES can be chosen */
	static const uint8_t unknown_id[] = {
		0, 0, 0, 40, 1, 3, 4, 3, 0xc0, 0x01, 0xd0, 0x0d,
		XF(1, 1, 3), XF_KL(1, 1, 20, 128), XF(0, 5, 0),
	};
	/* AES-GCM without Key Length, then with an unknown attribute (TV 15 and
	 * a TLV), then a good one: the good one is chosen */
	static const uint8_t bad_attrs[] = {
		0, 0, 0, 74, 1, 3, 4, 5, 0xc0, 0x01, 0xd0, 0x0d,
		XF(1, 1, 20),
		3, 0, 0, 16, 1, 0, 0, 20, 0x80, 0x0e, 0, 128, 0x80, 0x0f, 0, 1,
		3, 0, 0, 18, 1, 0, 0, 20, 0x80, 0x0e, 0, 128, 0x00, 0x10, 0, 2, 0xaa, 0xbb,
		XF_KL(1, 1, 20, 128), XF(0, 5, 0),
	};
	/* a repeated Key Length: not acceptable; nothing else offered */
	static const uint8_t dup_kl[] = {
		0, 0, 0, 36, 1, 3, 4, 2, 0xc0, 0x01, 0xd0, 0x0d,
		3, 0, 0, 16, 1, 0, 0, 20, 0x80, 0x0e, 0, 128, 0x80, 0x0e, 0, 128,
		XF(0, 5, 0),
	};
	/* integrity NONE and DH NONE stand for "absent" */
	static const uint8_t nones[] = {
		0, 0, 0, 48, 1, 3, 4, 4, 0xc0, 0x01, 0xd0, 0x0d,
		XF_KL(1, 1, 20, 128), XF(1, 3, 0), XF(1, 4, 0), XF(0, 5, 0),
	};
	/* DH NONE or ecp256: optional PFS */
	static const uint8_t pfs_optional[] = {
		0, 0, 0, 56, 1, 3, 4, 5, 0xc0, 0x01, 0xd0, 0x0d,
		XF_KL(1, 1, 20, 128), XF(1, 4, 0), XF(1, 4, 19), XF(1, 3, 0), XF(0, 5, 0),
	};
	/* a PRF in an ESP proposal: unacceptable */
	static const uint8_t esp_prf[] = {
		0, 0, 0, 40, 1, 3, 4, 3, 0xc0, 0x01, 0xd0, 0x0d,
		XF_KL(1, 1, 20, 128), XF(1, 2, 5), XF(0, 5, 0),
	};
	struct gw_ike_proposal gcm = parse_ok("aes128gcm16", ESP);
	struct gw_ike_proposal pfs = parse_ok("aes128gcm16-ecp256", ESP);
	struct ike_sa_choice c;

	CU_ASSERT_EQUAL_FATAL(ike_sa_select(unknown_type, sizeof(unknown_type), ESP, 4, &gcm, 1, 0,
					    &c), 0);
	CU_ASSERT_EQUAL(c.num, 2);
	CU_ASSERT_EQUAL(c.spi[3], 0x0e);
	CU_ASSERT_EQUAL(ike_sa_select(unknown_type, 48, ESP, 4, &gcm, 1, 0, &c), -EBADMSG);
	CU_ASSERT_EQUAL(ike_sa_select(unknown_id, sizeof(unknown_id), ESP, 4, &gcm, 1, 0, &c), 0);
	CU_ASSERT_STRING_EQUAL(fmt(&c.prop), "aes128gcm16-noesn");
	CU_ASSERT_EQUAL(ike_sa_select(bad_attrs, sizeof(bad_attrs), ESP, 4, &gcm, 1, 0, &c), 0);
	CU_ASSERT_EQUAL(ike_sa_select(bad_attrs, sizeof(bad_attrs) - 20, ESP, 4, &gcm, 1, 0, &c),
			-EBADMSG);
	CU_ASSERT_EQUAL(ike_sa_select(dup_kl, sizeof(dup_kl), ESP, 4, &gcm, 1, 0, &c), -ENOENT);
	CU_ASSERT_EQUAL(ike_sa_select(nones, sizeof(nones), ESP, 4, &gcm, 1, 0, &c), 0);
	CU_ASSERT_STRING_EQUAL(fmt(&c.prop), "aes128gcm16-noesn");
	CU_ASSERT_EQUAL(ike_sa_select(nones, sizeof(nones), ESP, 4, &pfs, 1, 0, &c), -ENOENT);
	CU_ASSERT_EQUAL(ike_sa_select(pfs_optional, sizeof(pfs_optional), ESP, 4, &gcm, 1, 0, &c), 0);
	CU_ASSERT_STRING_EQUAL(fmt(&c.prop), "aes128gcm16-noesn");
	CU_ASSERT_EQUAL(ike_sa_select(pfs_optional, sizeof(pfs_optional), ESP, 4, &pfs, 1, 0, &c), 0);
	CU_ASSERT_STRING_EQUAL(fmt(&c.prop), "aes128gcm16-ecp256-noesn");
	CU_ASSERT_EQUAL(ike_sa_select(esp_prf, sizeof(esp_prf), ESP, 4, &gcm, 1, 0, &c), -ENOENT);
	CU_ASSERT_EQUAL(ike_sa_validate(esp_prf, sizeof(esp_prf)), 0);
}

/* The initiator accepts only a single choice out of what it offered. */
static void test_check_reply(void)
{
	static const char *const ours_t[] = {
		"aes128-sha256-modp2048", "aes256gcm16-prfsha384-ecp384", "aes128-sha256-x25519",
	};
	struct gw_ike_proposal ours[3], p;
	struct ike_sa_choice r;
	uint8_t body[BODY_MAX];
	int len;

	offer(ours_t, 3, IKE, ours, body, 0);
	p = parse_ok("aes256gcm16-prfsha384-ecp384", IKE);
	len = ike_sa_encode_one(body, BODY_MAX, &p, 2, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(ike_sa_check_reply(body, (size_t)len, IKE, 0, ours, 3, 0, &r), 0);
	CU_ASSERT_EQUAL(r.ours, 1);
	CU_ASSERT_EQUAL(r.num, 2);
	/* numbered as another of ours, or none of ours */
	len = ike_sa_encode_one(body, BODY_MAX, &p, 1, NULL, 0);
	CU_ASSERT_EQUAL(ike_sa_check_reply(body, (size_t)len, IKE, 0, ours, 3, 0, &r), -ENOENT);
	len = ike_sa_encode_one(body, BODY_MAX, &p, 4, NULL, 0);
	CU_ASSERT_EQUAL(ike_sa_check_reply(body, (size_t)len, IKE, 0, ours, 3, 0, &r), -ENOENT);
	/* a group we did not offer in that proposal */
	p = parse_ok("aes128-sha256-ecp256", IKE);
	len = ike_sa_encode_one(body, BODY_MAX, &p, 1, NULL, 0);
	CU_ASSERT_EQUAL(ike_sa_check_reply(body, (size_t)len, IKE, 0, ours, 3, 0, &r), -ENOENT);
	/* two alternatives of a type: not a choice */
	p = parse_ok("aes128-sha256-modp2048-x25519", IKE);
	len = ike_sa_encode_one(body, BODY_MAX, &p, 1, NULL, 0);
	CU_ASSERT_EQUAL(ike_sa_check_reply(body, (size_t)len, IKE, 0, ours, 3, 0, &r), -EBADMSG);
	/* a type left out, the wrong protocol or SPI size, two proposals */
	p = parse_ok("aes128-sha256-modp2048", IKE);
	p.n_xforms--;
	len = ike_sa_encode_one(body, BODY_MAX, &p, 1, NULL, 0);
	CU_ASSERT_EQUAL(ike_sa_check_reply(body, (size_t)len, IKE, 0, ours, 3, 0, &r), -ENOENT);
	p.n_xforms++;
	len = ike_sa_encode_one(body, BODY_MAX, &p, 1, NULL, 0);
	CU_ASSERT_EQUAL(ike_sa_check_reply(body, (size_t)len, IKE, 0, ours, 3, 0, &r), 0);
	CU_ASSERT_EQUAL(ike_sa_check_reply(body, (size_t)len, ESP, 0, ours, 3, 0, &r), -ENOENT);
	CU_ASSERT_EQUAL(ike_sa_check_reply(body, (size_t)len, IKE, 8, ours, 3, 0, &r), -ENOENT);
	len = ike_sa_encode(body, BODY_MAX, ours, 2, NULL, 0);
	CU_ASSERT_EQUAL(ike_sa_check_reply(body, (size_t)len, IKE, 0, ours, 3, 0, &r), -EBADMSG);
	/* ESP in IKE_AUTH: our PFS group is not in the reply */
	ours[0] = parse_ok("aes256gcm16-ecp384-esn-noesn", ESP);
	p = parse_ok("aes256gcm16", ESP);
	len = ike_sa_encode_one(body, BODY_MAX, &p, 1, spi4, 4);
	CU_ASSERT_EQUAL(ike_sa_check_reply(body, (size_t)len, ESP, 4, ours, 1, 0, &r), -ENOENT);
	CU_ASSERT_EQUAL(ike_sa_check_reply(body, (size_t)len, ESP, 4, ours, 1, IKE_SA_SKIP_DH, &r),
			0);
	CU_ASSERT_FALSE(ike_proposal_esn(&r.prop));
	CU_ASSERT_EQUAL(memcmp(r.spi, spi4, 4), 0);
}

/* ---- malformed bodies ---------------------------------------------------- */

/* Run every reader on a private copy of exactly len bytes (so that ASan
 * sees any read past it); return ike_sa_validate()'s verdict. */
static int feed(const uint8_t *bytes, size_t len, const struct gw_ike_proposal *ours, unsigned n)
{
	uint8_t *copy = malloc(len ? len : 1);
	struct ike_sa_choice c;
	int v, s, r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	memcpy(copy, bytes, len);
	v = ike_sa_validate(copy, len);
	s = ike_sa_select(copy, len, ESP, 4, ours, n, 0, &c);
	r = ike_sa_check_reply(copy, len, ESP, 4, ours, n, 0, &c);
	free(copy);
	if (v != 0) {
		CU_ASSERT_EQUAL(s, -EBADMSG);
		CU_ASSERT_EQUAL(r, -EBADMSG);
	}
	return v;
}

static int good_body(uint8_t *body, struct gw_ike_proposal *props)
{
	static const char *const t[] = {
		"aes128gcm16-aes256gcm16-esn-noesn", "aes256-sha256-sha1-modp2048", "aes128-sha1",
	};

	return offer(t, 3, ESP, props, body, 4);
}

static void test_truncated(void)
{
	struct gw_ike_proposal props[3];
	uint8_t body[BODY_MAX];
	int len = good_body(body, props);

	CU_ASSERT_TRUE_FATAL(len > 0);
	CU_ASSERT_EQUAL(feed(body, (size_t)len, props, 3), 0);
	for (int cut = 0; cut < len; cut++)
		CU_ASSERT_EQUAL(feed(body, (size_t)cut, props, 3), -EBADMSG);
	CU_ASSERT_EQUAL(ike_sa_validate(NULL, 0), -EBADMSG);
	/* trailing bytes after the last proposal */
	body[len] = 0;
	CU_ASSERT_EQUAL(feed(body, (size_t)len + 1, props, 3), -EBADMSG);
}

static void test_mutated(void)
{
	static const int deltas[] = { 1, -1, 0x40, 0x80 };
	struct gw_ike_proposal props[3];
	uint8_t body[BODY_MAX], bad[BODY_MAX];
	int len = good_body(body, props);
	unsigned refused = 0;

	for (int off = 0; off < len; off++) {
		for (size_t d = 0; d < ARRAY_LEN(deltas) + 2; d++) {
			memcpy(bad, body, (size_t)len);
			bad[off] = d < ARRAY_LEN(deltas) ? (uint8_t)(bad[off] + deltas[d]) :
				d == ARRAY_LEN(deltas) ? 0 : 0xff;
			refused += feed(bad, (size_t)len, props, 3) != 0;
		}
	}
	CU_ASSERT_TRUE(refused > 0);
}

static void test_lengths(void)
{
	struct gw_ike_proposal props[3];
	uint8_t body[BODY_MAX], bad[BODY_MAX];
	int len = good_body(body, props);
	size_t p1 = (size_t)(body[2] << 8 | body[3]);

	/* proposal length past the payload, below its header + SPI, 0xffff */
	memcpy(bad, body, (size_t)len);
	bad[2] = (uint8_t)((len + 1) >> 8);
	bad[3] = (uint8_t)(len + 1);
	CU_ASSERT_EQUAL(feed(bad, (size_t)len, props, 3), -EBADMSG);
	bad[2] = 0;
	bad[3] = 11;
	CU_ASSERT_EQUAL(feed(bad, (size_t)len, props, 3), -EBADMSG);
	bad[2] = 0xff;
	bad[3] = 0xff;
	CU_ASSERT_EQUAL(feed(bad, (size_t)len, props, 3), -EBADMSG);
	/* SPI size past the proposal */
	memcpy(bad, body, (size_t)len);
	bad[6] = 0xff;
	CU_ASSERT_EQUAL(feed(bad, (size_t)len, props, 3), -EBADMSG);
	/* first transform's length past its proposal, and below its header */
	memcpy(bad, body, (size_t)len);
	bad[12 + 2] = (uint8_t)(p1 >> 8);
	bad[12 + 3] = (uint8_t)p1;
	CU_ASSERT_EQUAL(feed(bad, (size_t)len, props, 3), -EBADMSG);
	bad[12 + 2] = 0;
	bad[12 + 3] = 7;
	CU_ASSERT_EQUAL(feed(bad, (size_t)len, props, 3), -EBADMSG);
	/* Key Length written as a TLV whose length runs past the transform */
	memcpy(bad, body, (size_t)len);
	bad[12 + 8] = 0x00;
	bad[12 + 10] = 0x01;
	CU_ASSERT_EQUAL(feed(bad, (size_t)len, props, 3), -EBADMSG);
	/* transform count differs, both ways */
	memcpy(bad, body, (size_t)len);
	bad[7]++;
	CU_ASSERT_EQUAL(feed(bad, (size_t)len, props, 3), -EBADMSG);
	bad[7] -= 2;
	CU_ASSERT_EQUAL(feed(bad, (size_t)len, props, 3), -EBADMSG);
	/* "last" marks: proposal says last but more follow; other values */
	memcpy(bad, body, (size_t)len);
	bad[0] = 0;
	CU_ASSERT_EQUAL(feed(bad, (size_t)len, props, 3), -EBADMSG);
	bad[0] = 3;
	CU_ASSERT_EQUAL(feed(bad, (size_t)len, props, 3), -EBADMSG);
	memcpy(bad, body, (size_t)len);
	bad[12] = 0;				/* first transform says last */
	CU_ASSERT_EQUAL(feed(bad, (size_t)len, props, 3), -EBADMSG);
	bad[12] = 2;
	CU_ASSERT_EQUAL(feed(bad, (size_t)len, props, 3), -EBADMSG);
	/* the body we started from is fine */
	CU_ASSERT_EQUAL(feed(body, (size_t)len, props, 3), 0);
}

int main(void)
{
	static const struct test_case tests[] = {
		{ "strings: examples, rules, errors", test_parse },
		{ "strings: transforms", test_parse_xforms },
		{ "chosen ESP proposal to esp_alg", test_esp_alg },
		{ "chosen IKE proposal to suite", test_ike_suite },
		{ "proposals from a cfg_peer", test_from_cfg },
		{ "SA body: encoded bytes", test_encode_bytes },
		{ "SA body: encode errors", test_encode_errors },
		{ "SA body: encode -> select -> reply round trip", test_round_trip },
		{ "SA body: responder precedence", test_precedence },
		{ "SA body: no match", test_no_match },
		{ "SA body: unknown transforms and attributes", test_unknown },
		{ "SA body: initiator checks the reply", test_check_reply },
		{ "SA body: truncated at every offset", test_truncated },
		{ "SA body: every byte changed", test_mutated },
		{ "SA body: lengths past their parent", test_lengths },
	};
	if (test_suite("ike_proposal", NULL, NULL, tests, ARRAY_LEN(tests)) != 0)
		return 1;
	return test_run();
}
