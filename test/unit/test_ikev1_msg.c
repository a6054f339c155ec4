/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit suite for the IKEv1 codec (controlplane/ikev1/ikev1_msg.c,
 * ikev1_msg_build.c, ikev1_prop.c, ikev1_crypt.c): a Main Mode message 1
 * built byte for byte as RFC 2408 3 / RFC 2409 App. A lay it out, every
 * payload kind built and parsed back (plain, encrypted with strongSwan's
 * zero padding, Quick Mode and informational HASH coverage), fragments,
 * each parse error produced by a targeted mutation, every truncation and
 * every overwritten octet (no read outside the datagram), attribute
 * decoding edge cases, proposals from strongSwan strings through an SA
 * payload to the choice and the data-plane algorithm, and builder limits.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "common/gw_ike_proposal.h"
#include "controlplane/ikev1/ikev1_keys.h"
#include "controlplane/ikev1/ikev1_msg.h"
#include "test/unit/test_eal.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define BUF_MAX 4096

static const uint8_t ci[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t cr[8] = { 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8 };
static const uint8_t zero8[8];
/* RFC 3947 vendor ID: MD5("RFC 3947") */
static const uint8_t vid_rfc3947[16] = { 0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
					 0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f };

static struct ikev1_msg m;	/* large: static */

/* Every view of m lies inside data[0..len). */
static bool in_range(const uint8_t *data, size_t len, const void *p, size_t n)
{
	const uint8_t *q = p;

	if (q == NULL)
		return n == 0;
	return q >= data && n <= len && (size_t)(q - data) <= len - n;
}

static bool msg_in(const struct ikev1_msg *x, const uint8_t *d, size_t len)
{
	bool ok = true;
	unsigned i;

	ok &= in_range(d, len, x->body.p, x->body.len);
	ok &= x->end <= len;
	for (i = 0; i < x->n_pl; i++)
		ok &= (size_t)x->pl[i].off + x->pl[i].len <= len;
	ok &= in_range(d, len, x->sa.body.p, x->sa.body.len);
	for (i = 0; i < x->sa.n_props; i++)
		ok &= in_range(d, len, x->sa.props[i].spi, x->sa.props[i].spi_size);
	for (i = 0; i < x->sa.n_xforms; i++)
		ok &= in_range(d, len, x->sa.xforms[i].attrs.p, x->sa.xforms[i].attrs.len);
	ok &= in_range(d, len, x->ke.p, x->ke.len);
	ok &= in_range(d, len, x->hash.p, x->hash.len);
	ok &= in_range(d, len, x->sig.p, x->sig.len);
	ok &= in_range(d, len, x->nonce.p, x->nonce.len);
	for (i = 0; i < x->n_id; i++)
		ok &= in_range(d, len, x->id[i].body.p, x->id[i].body.len) &&
		      in_range(d, len, x->id[i].data.p, x->id[i].data.len);
	for (i = 0; i < x->n_cert; i++)
		ok &= in_range(d, len, x->cert[i].data.p, x->cert[i].data.len);
	for (i = 0; i < x->n_cr; i++)
		ok &= in_range(d, len, x->cr[i].data.p, x->cr[i].data.len);
	for (i = 0; i < x->n_n; i++)
		ok &= in_range(d, len, x->n[i].spi.p, x->n[i].spi.len) &&
		      in_range(d, len, x->n[i].data.p, x->n[i].data.len);
	for (i = 0; i < x->n_d; i++)
		ok &= in_range(d, len, x->d[i].spis, (size_t)x->d[i].spi_size * x->d[i].n_spi);
	for (i = 0; i < x->n_vid; i++)
		ok &= in_range(d, len, x->vid[i].p, x->vid[i].len);
	for (i = 0; i < x->n_natd; i++)
		ok &= in_range(d, len, x->natd[i].p, x->natd[i].len);
	for (i = 0; i < x->n_natoa; i++)
		ok &= in_range(d, len, x->natoa[i].p, x->natoa[i].len);
	ok &= in_range(d, len, x->frag.data.p, x->frag.data.len);
	return ok;
}

/* ---- Main Mode message 1, byte for byte ---- */

static const uint8_t mm1_bytes[] = {
	/* ISAKMP header: cookies, next SA, version 1.0, Main Mode, flags 0,
	 * M-ID 0, length 108 */
	1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0,
	0x01, 0x10, 0x02, 0x00, 0, 0, 0, 0, 0, 0, 0, 108,
	/* SA: next VID, length 60, DOI IPsec, SIT_IDENTITY_ONLY */
	0x0d, 0, 0, 60, 0, 0, 0, 1, 0, 0, 0, 1,
	/* P: last, length 48, #1, PROTO_ISAKMP, SPI size 0, 1 transform */
	0, 0, 0, 48, 1, 1, 0, 1,
	/* T: last, length 40, #1, KEY_IKE */
	0, 0, 0, 40, 1, 1, 0, 0,
	0x80, 0x01, 0x00, 0x07,		/* encryption AES-CBC */
	0x80, 0x0e, 0x01, 0x00,		/* key length 256 */
	0x80, 0x02, 0x00, 0x04,		/* hash SHA2-256 */
	0x80, 0x03, 0x00, 0x03,		/* auth RSA signatures */
	0x80, 0x04, 0x00, 0x0e,		/* group 14 */
	0x80, 0x0b, 0x00, 0x01,		/* life type seconds */
	0x00, 0x0c, 0x00, 0x04, 0x00, 0x01, 0x51, 0x80,	/* life 86400 (TLV) */
	/* VID: last, length 20 */
	0, 0, 0, 20,
	0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
	0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f,
};

static const struct ikev1_xform p1_xform = {
	.encr = IKEV1_ENCR_AES_CBC, .key_len = 256, .hash = IKEV1_HASH_SHA2_256,
	.auth = IKEV1_AUTH_RSA_SIG, .group = 14, .life_secs = 86400,
};

static long build_mm1(uint8_t *buf, size_t cap)
{
	struct ikev1_build b;

	ikev1_build_init(&b, buf, cap, ci, zero8, IKEV1_EXCH_MAIN, 0, 0);
	ikev1_add_sa_p1(&b, &p1_xform, 1);
	ikev1_add_vid(&b, vid_rfc3947, sizeof(vid_rfc3947));
	return ikev1_build_end(&b);
}

static void test_mm1_exact_bytes(void)
{
	static uint8_t buf[BUF_MAX];
	long n = build_mm1(buf, sizeof(buf));
	const struct ikev1_xform *x;

	CU_ASSERT_EQUAL_FATAL(n, (long)sizeof(mm1_bytes));
	CU_ASSERT(memcmp(buf, mm1_bytes, sizeof(mm1_bytes)) == 0);
	CU_ASSERT_EQUAL_FATAL(ikev1_msg_parse(mm1_bytes, sizeof(mm1_bytes), &m), IKEV1_MSG_OK);
	CU_ASSERT(memcmp(m.hdr.icookie, ci, 8) == 0);
	CU_ASSERT(memcmp(m.hdr.rcookie, zero8, 8) == 0);
	CU_ASSERT_EQUAL(m.hdr.exchange, IKEV1_EXCH_MAIN);
	CU_ASSERT_EQUAL(m.hdr.version, 0x10);
	CU_ASSERT_EQUAL(m.hdr.length, 108);
	CU_ASSERT(!m.encrypted);
	CU_ASSERT_EQUAL(m.n_pl, 2);
	CU_ASSERT_EQUAL(m.pl[0].type, IKEV1_PL_SA);
	CU_ASSERT_EQUAL(m.pl[0].off, 28);
	CU_ASSERT_EQUAL(m.pl[0].len, 60);
	CU_ASSERT_EQUAL(m.pl[1].type, IKEV1_PL_VID);
	CU_ASSERT_EQUAL(m.end, 108);
	CU_ASSERT_EQUAL(m.n_sa, 1);
	CU_ASSERT_EQUAL(m.sa.doi, 1);
	CU_ASSERT_EQUAL(m.sa.situation, 1);
	CU_ASSERT(m.sa.body.p == mm1_bytes + 32 && m.sa.body.len == 56);	/* SAi_b */
	CU_ASSERT_EQUAL(m.sa.n_props, 1);
	CU_ASSERT_EQUAL(m.sa.props[0].proto, IKEV1_PROTO_ISAKMP);
	CU_ASSERT_EQUAL(m.sa.props[0].n_xforms, 1);
	CU_ASSERT_EQUAL(m.sa.n_xforms, 1);
	x = &m.sa.xforms[0];
	CU_ASSERT_EQUAL(x->num, 1);
	CU_ASSERT_EQUAL(x->id, 1);
	CU_ASSERT_EQUAL(x->encr, 7);
	CU_ASSERT_EQUAL(x->key_len, 256);
	CU_ASSERT_EQUAL(x->hash, 4);
	CU_ASSERT_EQUAL(x->auth, 3);
	CU_ASSERT_EQUAL(x->group, 14);
	CU_ASSERT_EQUAL(x->life_secs, 86400);
	CU_ASSERT_EQUAL(x->life_kb, 0);
	CU_ASSERT_EQUAL(x->unknown, 0);
	CU_ASSERT_EQUAL(m.n_vid, 1);
	CU_ASSERT(m.vid[0].len == 16 && memcmp(m.vid[0].p, vid_rfc3947, 16) == 0);
	CU_ASSERT(msg_in(&m, mm1_bytes, sizeof(mm1_bytes)));
}

/* ---- every payload kind ---- */

static const uint8_t cert_der[300] = { 0x30, 0x82, 0x01, 0x28 };
static const uint8_t ca_dn[40] = { 0x30, 0x26 };
static const uint8_t sig[256] = { 0x55 };
static const uint8_t nonce[32] = { 0x11, 0x22 };
static const uint8_t ke[64] = { 0x77 };
static const uint8_t natd[32] = { 0xd1 };
static const uint8_t id_dn[50] = { 0x30, 0x30 };

/* The Main Mode message 5 payloads: ID, CERT, CR x2, SIG, N. */
static long build_mm5(uint8_t *buf, size_t cap, bool encrypted, long *id_off)
{
	struct ikev1_build b;
	long off;

	ikev1_build_init(&b, buf, cap, ci, cr, IKEV1_EXCH_MAIN, 0, 0);
	off = ikev1_add_id(&b, IKEV1_ID_DER_ASN1_DN, 17, 500, id_dn, sizeof(id_dn));
	if (id_off)
		*id_off = off;
	ikev1_add_cert(&b, IKEV1_CERT_X509_SIG, cert_der, sizeof(cert_der));
	ikev1_add_cr(&b, IKEV1_CERT_X509_SIG, ca_dn, sizeof(ca_dn));
	ikev1_add_cr(&b, IKEV1_CERT_X509_SIG, NULL, 0);
	ikev1_add_sig(&b, sig, sizeof(sig));
	ikev1_add_notify(&b, IKEV1_PROTO_ISAKMP, NULL, 0, IKEV1_N_INITIAL_CONTACT, NULL, 0);
	return encrypted ? ikev1_build_end_encrypted(&b, 16) : ikev1_build_end(&b);
}

static void check_mm5(const uint8_t *d, size_t len)
{
	CU_ASSERT(msg_in(&m, d, len));
	CU_ASSERT_EQUAL(m.n_pl, 6);
	CU_ASSERT_EQUAL(m.n_id, 1);
	CU_ASSERT_EQUAL(m.id[0].type, IKEV1_ID_DER_ASN1_DN);
	CU_ASSERT_EQUAL(m.id[0].proto, 17);
	CU_ASSERT_EQUAL(m.id[0].port, 500);
	CU_ASSERT(m.id[0].data.len == sizeof(id_dn) && memcmp(m.id[0].data.p, id_dn, 50) == 0);
	CU_ASSERT(m.id[0].body.len == 4 + sizeof(id_dn) && m.id[0].body.p == d + 32);
	CU_ASSERT_EQUAL(m.n_cert, 1);
	CU_ASSERT_EQUAL(m.cert[0].enc, 4);
	CU_ASSERT(m.cert[0].data.len == 300 && memcmp(m.cert[0].data.p, cert_der, 300) == 0);
	CU_ASSERT_EQUAL(m.n_cr, 2);
	CU_ASSERT_EQUAL(m.cr[0].data.len, 40);
	CU_ASSERT_EQUAL(m.cr[1].data.len, 0);
	CU_ASSERT_EQUAL(m.n_sig, 1);
	CU_ASSERT(m.sig.len == 256 && m.sig.p[0] == 0x55);
	CU_ASSERT_EQUAL(m.n_n, 1);
	CU_ASSERT_EQUAL(m.n[0].doi, 1);
	CU_ASSERT_EQUAL(m.n[0].type, IKEV1_N_INITIAL_CONTACT);
	CU_ASSERT_EQUAL(m.n[0].spi.len, 0);
	CU_ASSERT(ikev1_msg_notify_find(&m, IKEV1_N_INITIAL_CONTACT) == &m.n[0]);
	CU_ASSERT(ikev1_msg_notify_find(&m, IKEV1_N_R_U_THERE) == NULL);
}

static void test_mm5_plain_and_encrypted(void)
{
	static uint8_t buf[BUF_MAX], copy[BUF_MAX];
	uint8_t key[32] = { 9 };
	struct ikev1_iv iv = { .len = 16 }, next, rnext;
	long plain, n, id_off = 0;

	plain = build_mm5(buf, sizeof(buf), false, &id_off);
	CU_ASSERT_FATAL(plain > 0);
	CU_ASSERT_EQUAL(id_off, 28);
	CU_ASSERT_EQUAL_FATAL(ikev1_msg_parse(buf, (size_t)plain, &m), IKEV1_MSG_OK);
	check_mm5(buf, (size_t)plain);
	CU_ASSERT_EQUAL((long)m.end, plain);

	/* encrypted: 1..16 zero octets to the block, E flag, length */
	n = build_mm5(buf, sizeof(buf), true, NULL);
	CU_ASSERT_FATAL(n > plain);
	CU_ASSERT_EQUAL((n - IKEV1_HDR_LEN) % 16, 0);
	CU_ASSERT(n - plain >= 1 && n - plain <= 16);
	for (long i = plain; i < n; i++)
		CU_ASSERT_EQUAL(buf[i], 0);
	CU_ASSERT_EQUAL(buf[19], IKEV1_F_ENC);
	CU_ASSERT_EQUAL(ikev1_msg_encrypt(key, 32, &iv, buf + 28, (size_t)n - 28, &next), 0);

	/* receive: header only, then decrypt a copy and parse it */
	CU_ASSERT_EQUAL_FATAL(ikev1_msg_parse(buf, (size_t)n, &m), IKEV1_MSG_OK);
	CU_ASSERT(m.encrypted);
	CU_ASSERT_EQUAL(m.n_pl, 0);
	CU_ASSERT(m.body.p == buf + 28 && m.body.len == (size_t)n - 28);
	memcpy(copy, buf, (size_t)n);
	CU_ASSERT_EQUAL(ikev1_msg_decrypt(key, 32, &iv, copy + 28, (size_t)n - 28, &rnext), 0);
	CU_ASSERT(memcmp(next.iv, rnext.iv, 16) == 0);
	CU_ASSERT_EQUAL_FATAL(ikev1_msg_parse_plain(copy, (size_t)n, &m), IKEV1_MSG_OK);
	check_mm5(copy, (size_t)n);
	CU_ASSERT_EQUAL((long)m.end, plain);
	/* a pad-length style trailer (Cisco) is ignored too */
	copy[n - 1] = 7;
	CU_ASSERT_EQUAL(ikev1_msg_parse_plain(copy, (size_t)n, &m), IKEV1_MSG_OK);
	/* the same octets as a plain message: trailing bytes */
	copy[19] = 0;
	CU_ASSERT_EQUAL(ikev1_msg_parse(copy, (size_t)n, &m), IKEV1_MSG_PL_TRAILING);
	CU_ASSERT_EQUAL((long)m.err_off, plain);
	/* encrypted body not a multiple of 16 */
	buf[27] = (uint8_t)(n - 1);
	CU_ASSERT_EQUAL(ikev1_msg_parse(buf, (size_t)n - 1, &m), IKEV1_MSG_HDR_ENC_ALIGN);
	buf[27] = IKEV1_HDR_LEN;
	buf[26] = 0;
	CU_ASSERT_EQUAL(ikev1_msg_parse(buf, IKEV1_HDR_LEN, &m), IKEV1_MSG_HDR_ENC_ALIGN);
}

/* Quick Mode message 1: HASH(1), SA, Ni, KE, IDci, IDcr. */
static const struct ikev1_xform qm_xforms[] = {
	{ .id = IKEV1_ESP_AES_GCM_16, .key_len = 256, .group = 19,
	  .encap = IKEV1_ENCAP_UDP_TUNNEL, .life_secs = 3600, .life_kb = 100000 },
	{ .id = IKEV1_ESP_AES_CBC, .key_len = 128, .auth = IKEV1_AALG_HMAC_SHA2_256,
	  .group = 19, .encap = IKEV1_ENCAP_UDP_TUNNEL, .life_secs = 3600 },
};
static const uint8_t qm_spi[4] = { 0xc1, 0xc2, 0xc3, 0xc4 };
static const uint8_t net_a[8] = { 10, 1, 0, 0, 255, 255, 0, 0 };
static const uint8_t net_b[8] = { 10, 2, 0, 0, 255, 255, 255, 0 };

static long build_qm1(uint8_t *buf, size_t cap, struct ikev1_build *b, long *hash_off,
		      long *sa_off)
{
	ikev1_build_init(b, buf, cap, ci, cr, IKEV1_EXCH_QUICK, 0, 0x01020304);
	*hash_off = ikev1_add_hash(b, 32);
	*sa_off = ikev1_add_sa_p2(b, qm_spi, qm_xforms, ARRAY_LEN(qm_xforms));
	ikev1_add_nonce(b, nonce, sizeof(nonce));
	ikev1_add_ke(b, ke, sizeof(ke));
	ikev1_add_id(b, IKEV1_ID_IPV4_ADDR_SUBNET, 0, 0, net_a, sizeof(net_a));
	ikev1_add_id(b, IKEV1_ID_IPV4_ADDR_SUBNET, 0, 0, net_b, sizeof(net_b));
	return b->err;
}

static void test_quick_mode_hash_coverage(void)
{
	static uint8_t buf[BUF_MAX];
	struct ikev1_build b;
	struct ikev1_keys k = { .hash = IKEV1_HASH_SHA2_256, .hash_len = 32 };
	struct ike_view after, sa_body;
	uint8_t h[IKEV1_HASH_MAX], h2[IKEV1_HASH_MAX];
	size_t hl = 0, hl2 = 0;
	long hash_off, sa_off, n;
	const struct ikev1_xform *x;

	memset(k.skeyid_a, 0x42, sizeof(k.skeyid_a));
	CU_ASSERT_EQUAL_FATAL(build_qm1(buf, sizeof(buf), &b, &hash_off, &sa_off), 0);
	CU_ASSERT_EQUAL(hash_off, 28);
	CU_ASSERT_EQUAL(sa_off, 28 + 4 + 32);
	after = ikev1_build_after(&b, hash_off);
	sa_body = ikev1_build_body(&b, sa_off);
	CU_ASSERT(after.p == buf + sa_off && after.len == b.len - (size_t)sa_off);
	/* HASH(1) patched in after the rest was built */
	CU_ASSERT_EQUAL(ikev1_hash1(&k, 0x01020304, (struct ike_chunk){ after.p, after.len }, h,
				    &hl), 0);
	CU_ASSERT_EQUAL_FATAL(hl, 32);
	memcpy(buf + hash_off + 4, h, hl);
	n = ikev1_build_end_encrypted(&b, 16);
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL(ikev1_build_after(&b, hash_off).len, after.len);	/* no padding */

	CU_ASSERT_EQUAL_FATAL(ikev1_msg_parse_plain(buf, (size_t)n, &m), IKEV1_MSG_OK);
	CU_ASSERT(msg_in(&m, buf, (size_t)n));
	CU_ASSERT_EQUAL(m.hdr.msg_id, 0x01020304);
	CU_ASSERT_EQUAL(m.hash_off, hash_off);
	CU_ASSERT_EQUAL(ikev1_msg_find(&m, IKEV1_PL_HASH), 0);
	CU_ASSERT_EQUAL(ikev1_msg_find(&m, IKEV1_PL_SIG), -1);
	after = ikev1_msg_after(&m, 0);
	CU_ASSERT(after.p == buf + sa_off);
	CU_ASSERT_EQUAL(ikev1_hash1(&k, m.hdr.msg_id, (struct ike_chunk){ after.p, after.len },
				    h2, &hl2), 0);
	CU_ASSERT_EQUAL(ikev1_hash_check(h2, hl2, m.hash), 0);
	CU_ASSERT(m.sa.body.p == sa_body.p && m.sa.body.len == sa_body.len);
	CU_ASSERT_EQUAL(ikev1_msg_payload(&m, 1).len, sa_body.len + 4);
	CU_ASSERT_EQUAL(ikev1_msg_after(&m, 99).len, 0);
	CU_ASSERT_EQUAL(ikev1_msg_payload(&m, -1).len, 0);
	/* SA: ESP proposal with SPI and both transforms decoded */
	CU_ASSERT_EQUAL_FATAL(m.sa.n_props, 1);
	CU_ASSERT_EQUAL(m.sa.props[0].proto, IKEV1_PROTO_ESP);
	CU_ASSERT_EQUAL(m.sa.props[0].spi_size, 4);
	CU_ASSERT(memcmp(m.sa.props[0].spi, qm_spi, 4) == 0);
	CU_ASSERT_EQUAL_FATAL(m.sa.n_xforms, 2);
	x = &m.sa.xforms[0];
	CU_ASSERT(x->num == 1 && x->id == IKEV1_ESP_AES_GCM_16 && x->key_len == 256 &&
		  x->group == 19 && x->encap == 3 && x->life_secs == 3600 &&
		  x->life_kb == 100000 && x->auth == 0 && !x->unknown);
	x = &m.sa.xforms[1];
	CU_ASSERT(x->num == 2 && x->id == IKEV1_ESP_AES_CBC && x->key_len == 128 &&
		  x->auth == 5 && x->life_kb == 0 && !x->unknown);
	CU_ASSERT(m.nonce.len == 32 && m.ke.len == 64);
	CU_ASSERT_EQUAL_FATAL(m.n_id, 2);
	CU_ASSERT(m.id[0].type == 4 && m.id[0].data.len == 8 &&
		  memcmp(m.id[0].data.p, net_a, 8) == 0);
	CU_ASSERT(memcmp(m.id[1].data.p, net_b, 8) == 0);
}

/* Informational: HASH(1), N R-U-THERE, D (ISAKMP and ESP). */
static void test_informational(void)
{
	static uint8_t buf[BUF_MAX];
	uint8_t cookies[16], seq[4] = { 0, 0, 0, 9 }, spis[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct ikev1_build b;
	long h, n;

	memcpy(cookies, ci, 8);
	memcpy(cookies + 8, cr, 8);
	ikev1_build_init(&b, buf, sizeof(buf), ci, cr, IKEV1_EXCH_INFO, 0, 0xdeadbeef);
	h = ikev1_add_hash(&b, 48);
	ikev1_add_notify(&b, IKEV1_PROTO_ISAKMP, cookies, 16, IKEV1_N_R_U_THERE, seq, 4);
	ikev1_add_delete(&b, IKEV1_PROTO_ISAKMP, 16, 1, cookies);
	ikev1_add_delete(&b, IKEV1_PROTO_ESP, 4, 2, spis);
	n = ikev1_build_end(&b);
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL(ikev1_build_body(&b, h).len, 48);
	CU_ASSERT_EQUAL_FATAL(ikev1_msg_parse(buf, (size_t)n, &m), IKEV1_MSG_OK);
	CU_ASSERT(msg_in(&m, buf, (size_t)n));
	CU_ASSERT_EQUAL(m.hash.len, 48);
	CU_ASSERT_EQUAL_FATAL(m.n_n, 1);
	CU_ASSERT(m.n[0].type == IKEV1_N_R_U_THERE && m.n[0].proto == 1 &&
		  m.n[0].spi.len == 16 && memcmp(m.n[0].spi.p, cookies, 16) == 0 &&
		  m.n[0].data.len == 4 && m.n[0].data.p[3] == 9);
	CU_ASSERT_EQUAL_FATAL(m.n_d, 2);
	CU_ASSERT(m.d[0].proto == 1 && m.d[0].spi_size == 16 && m.d[0].n_spi == 1 &&
		  memcmp(m.d[0].spis, cookies, 16) == 0);
	CU_ASSERT(m.d[1].proto == 3 && m.d[1].spi_size == 4 && m.d[1].n_spi == 2 &&
		  memcmp(m.d[1].spis, spis, 8) == 0);
	CU_ASSERT(ikev1_msg_after(&m, 0).p == buf + h + 52);
}

/* NAT-D (RFC and draft), NAT-OA, an unknown payload, fragments. */
static void test_natd_unknown_fragments(void)
{
	static uint8_t buf[BUF_MAX], frag[BUF_MAX], joined[BUF_MAX];
	static const uint8_t oa[8] = { 1, 0, 0, 0, 192, 0, 2, 9 };
	struct ikev1_build b;
	size_t got = 0;
	long n, f;
	unsigned count;

	ikev1_build_init(&b, buf, sizeof(buf), ci, cr, IKEV1_EXCH_MAIN, 0, 0);
	ikev1_add_ke(&b, ke, sizeof(ke));
	ikev1_add_nonce(&b, nonce, sizeof(nonce));
	ikev1_add_natd(&b, IKEV1_PL_NATD, natd, sizeof(natd));
	ikev1_add_natd(&b, IKEV1_PL_NATD_DRAFT, natd, sizeof(natd));
	ikev1_add_raw(&b, IKEV1_PL_NATOA, oa, sizeof(oa));
	ikev1_add_raw(&b, 200, oa, 3);		/* private use: skipped */
	ikev1_add_cert(&b, IKEV1_CERT_X509_SIG, cert_der, sizeof(cert_der));
	n = ikev1_build_end(&b);
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL_FATAL(ikev1_msg_parse(buf, (size_t)n, &m), IKEV1_MSG_OK);
	CU_ASSERT_EQUAL(m.n_natd, 2);
	CU_ASSERT_EQUAL(m.n_natoa, 1);
	CU_ASSERT_EQUAL(m.n_unknown, 1);
	CU_ASSERT_EQUAL(m.pl[5].type, 200);
	CU_ASSERT_EQUAL(m.n_cert, 1);

	/* fragments of at most 150 octets, parsed and joined */
	count = ikev1_frag_count((size_t)n, 150);
	CU_ASSERT_EQUAL(count, ((size_t)n + 113) / 114);
	for (unsigned i = 1; i <= count; i++) {
		size_t chunk = (size_t)n - got < 114 ? (size_t)n - got : 114;

		f = ikev1_frag_make(buf, (size_t)n, got, chunk, (uint8_t)i, i == count, frag,
				    sizeof(frag));
		CU_ASSERT_FATAL(f > 0 && f <= 150);
		CU_ASSERT_EQUAL_FATAL(ikev1_msg_parse(frag, (size_t)f, &m), IKEV1_MSG_OK);
		CU_ASSERT(memcmp(m.hdr.icookie, ci, 8) == 0 && memcmp(m.hdr.rcookie, cr, 8) == 0);
		CU_ASSERT(m.hdr.exchange == IKEV1_EXCH_MAIN && m.hdr.msg_id == 0 &&
			  m.hdr.flags == 0 && m.hdr.next == IKEV1_PL_FRAG);
		CU_ASSERT(m.n_frag == 1 && m.frag.id == 1 && m.frag.num == i &&
			  m.frag.last == (i == count));
		memcpy(joined + got, m.frag.data.p, m.frag.data.len);
		got += m.frag.data.len;
	}
	CU_ASSERT(got == (size_t)n && memcmp(joined, buf, got) == 0);
	CU_ASSERT_EQUAL(ikev1_frag_count(100, 36), 0);
	CU_ASSERT_EQUAL(ikev1_frag_count(0, 576), 0);
	CU_ASSERT_EQUAL(ikev1_frag_count(100000, 100), 0);	/* > 255 fragments */
	CU_ASSERT_EQUAL(ikev1_frag_make(buf, (size_t)n, 0, 0, 1, true, frag, sizeof(frag)),
			-EINVAL);
	CU_ASSERT_EQUAL(ikev1_frag_make(buf, (size_t)n, 0, 10, 0, true, frag, sizeof(frag)),
			-EINVAL);
	CU_ASSERT_EQUAL(ikev1_frag_make(buf, (size_t)n, (size_t)n - 5, 10, 1, true, frag,
					sizeof(frag)), -EINVAL);
	CU_ASSERT_EQUAL(ikev1_frag_make(buf, (size_t)n, 0, 10, 1, true, frag, 45), -ENOSPC);
	/* fragment number 0 */
	f = ikev1_frag_make(buf, (size_t)n, 0, 10, 1, true, frag, sizeof(frag));
	frag[34] = 0;
	CU_ASSERT_EQUAL(ikev1_msg_parse(frag, (size_t)f, &m), IKEV1_MSG_FRAG_NUMBER);
}

/* ---- targeted mutations: one per error ---- */

static enum ikev1_msg_err parse_patched(const uint8_t *base, size_t len, size_t off, uint8_t v)
{
	static uint8_t buf[BUF_MAX];

	memcpy(buf, base, len);
	buf[off] = v;
	return ikev1_msg_parse(buf, len, &m);
}

/* A message of the given body payloads, built raw; returns its length. */
static size_t raw_msg(uint8_t *buf, uint8_t first, const uint8_t *body, size_t len)
{
	memcpy(buf, mm1_bytes, 28);
	buf[16] = first;
	if (len)
		memcpy(buf + 28, body, len);
	buf[24] = (uint8_t)((28 + len) >> 24);
	buf[25] = (uint8_t)((28 + len) >> 16);
	buf[26] = (uint8_t)((28 + len) >> 8);
	buf[27] = (uint8_t)(28 + len);
	return 28 + len;
}

static enum ikev1_msg_err parse_raw(uint8_t first, const uint8_t *body, size_t len)
{
	static uint8_t buf[BUF_MAX];
	size_t n = raw_msg(buf, first, body, len);

	return ikev1_msg_parse(buf, n, &m);
}

static void test_mutations_header_sa(void)
{
	const uint8_t *b = mm1_bytes;
	size_t n = sizeof(mm1_bytes);
	uint8_t buf[BUF_MAX];

	CU_ASSERT_EQUAL(ikev1_msg_parse(b, 27, &m), IKEV1_MSG_HDR_SHORT);
	CU_ASSERT_EQUAL(ikev1_msg_parse(b, n - 1, &m), IKEV1_MSG_HDR_LENGTH);
	CU_ASSERT_EQUAL(parse_patched(b, n, 17, 0x20), IKEV1_MSG_HDR_VERSION);
	CU_ASSERT_EQUAL(m.hdr.version, 0x20);	/* header kept for a reply */
	CU_ASSERT_EQUAL(parse_patched(b, n, 17, 0x11), IKEV1_MSG_OK);	/* minor ignored */
	memcpy(buf, b, n);
	memset(buf, 0, 8);
	CU_ASSERT_EQUAL(ikev1_msg_parse(buf, n, &m), IKEV1_MSG_HDR_COOKIE_ZERO);
	/* SA */
	CU_ASSERT_EQUAL(parse_patched(b, n, 35, 2), IKEV1_MSG_SA_DOI);
	CU_ASSERT_EQUAL(m.err_pl, IKEV1_PL_SA);
	CU_ASSERT_EQUAL(m.err_off, 28);
	CU_ASSERT_EQUAL(parse_patched(b, n, 39, 2), IKEV1_MSG_SA_SITUATION);
	CU_ASSERT_EQUAL(parse_patched(b, n, 40, IKEV1_PL_P), IKEV1_MSG_SA_PROP_NEXT);
	CU_ASSERT_EQUAL(parse_patched(b, n, 43, 49), IKEV1_MSG_SA_PROP_LENGTH);
	CU_ASSERT_EQUAL(parse_patched(b, n, 43, 7), IKEV1_MSG_SA_PROP_LENGTH);
	CU_ASSERT_EQUAL(parse_patched(b, n, 46, 41), IKEV1_MSG_SA_PROP_LENGTH);	/* SPI size */
	CU_ASSERT_EQUAL(parse_patched(b, n, 47, 2), IKEV1_MSG_SA_XFORM_COUNT);
	CU_ASSERT_EQUAL(parse_patched(b, n, 48, IKEV1_PL_T), IKEV1_MSG_SA_XFORM_NEXT);
	CU_ASSERT_EQUAL(parse_patched(b, n, 51, 41), IKEV1_MSG_SA_XFORM_LENGTH);
	CU_ASSERT_EQUAL(parse_patched(b, n, 51, 7), IKEV1_MSG_SA_XFORM_LENGTH);
	CU_ASSERT_EQUAL(parse_patched(b, n, 83, 5), IKEV1_MSG_SA_ATTR_LENGTH);	/* TLV len */
	CU_ASSERT_EQUAL(parse_patched(b, n, 31, 12), IKEV1_MSG_SA_EMPTY);	/* SA len 12 */
	CU_ASSERT_EQUAL(parse_patched(b, n, 31, 11), IKEV1_MSG_PL_LENGTH);	/* < DOI+SIT */
	CU_ASSERT_EQUAL(parse_patched(b, n, 31, 3), IKEV1_MSG_PL_LENGTH);
	CU_ASSERT_EQUAL(parse_patched(b, n, 31, 200), IKEV1_MSG_PL_TRUNCATED);
	CU_ASSERT_EQUAL(parse_patched(b, n, 16, IKEV1_PL_P), IKEV1_MSG_PL_RESERVED);
	CU_ASSERT_EQUAL(parse_patched(b, n, 16, IKEV1_PL_T), IKEV1_MSG_PL_RESERVED);
	/* the VID's next: SA again -> two SA payloads */
	memcpy(buf, b, n);
	buf[88] = IKEV1_PL_SA;
	memcpy(buf + n, b + 28, 60);
	buf[n] = 0;
	buf[27] = (uint8_t)(n + 60);
	CU_ASSERT_EQUAL(ikev1_msg_parse(buf, n + 60, &m), IKEV1_MSG_PL_TOO_MANY);
	buf[88] = 0;
	CU_ASSERT_EQUAL(ikev1_msg_parse(buf, n + 60, &m), IKEV1_MSG_PL_TRAILING);
	/* payload chain runs past the end */
	CU_ASSERT_EQUAL(parse_patched(b, n, 88, IKEV1_PL_VID), IKEV1_MSG_PL_TRUNCATED);
}

static void test_mutations_payloads(void)
{
	static const uint8_t id_short[] = { 0, 0, 0, 7, 1, 0, 0 };
	static const uint8_t nonce7[] = { 0, 0, 0, 11, 1, 2, 3, 4, 5, 6, 7 };
	static const uint8_t n_bad[] = { 0, 0, 0, 13, 0, 0, 0, 1, 1, 2, 0, 1, 9 };
	static const uint8_t n_short[] = { 0, 0, 0, 11, 0, 0, 0, 1, 1, 0, 0 };
	static const uint8_t d_bad[] = { 0, 0, 0, 16, 0, 0, 0, 1, 3, 4, 0, 2, 1, 2, 3, 4 };
	static const uint8_t d_zero[] = { 0, 0, 0, 12, 0, 0, 0, 1, 3, 4, 0, 0 };
	static const uint8_t frag_short[] = { 0, 0, 0, 7, 0, 1, 1 };
	static const uint8_t ke_empty[] = { 0, 0, 0, 4 };
	static const uint8_t cert_empty[] = { 0, 0, 0, 4 };
	static const uint8_t two_hash[] = { 8, 0, 0, 6, 1, 2, 0, 0, 0, 6, 1, 2 };
	uint8_t ids[3 * 8], many[(IKEV1_MSG_MAX_PL + 1) * 4], nonce257[4 + 257] = { 0 };

	CU_ASSERT_EQUAL(parse_raw(IKEV1_PL_ID, id_short, sizeof(id_short)), IKEV1_MSG_ID_LENGTH);
	CU_ASSERT_EQUAL(parse_raw(IKEV1_PL_NONCE, nonce7, sizeof(nonce7)),
			IKEV1_MSG_NONCE_LENGTH);
	nonce257[2] = (uint8_t)(261 >> 8);
	nonce257[3] = (uint8_t)261;
	CU_ASSERT_EQUAL(parse_raw(IKEV1_PL_NONCE, nonce257, sizeof(nonce257)),
			IKEV1_MSG_NONCE_LENGTH);
	nonce257[3] = (uint8_t)260;
	CU_ASSERT_EQUAL(parse_raw(IKEV1_PL_NONCE, nonce257, 260), IKEV1_MSG_OK);
	CU_ASSERT_EQUAL(parse_raw(IKEV1_PL_N, n_bad, sizeof(n_bad)), IKEV1_MSG_N_LENGTH);
	CU_ASSERT_EQUAL(parse_raw(IKEV1_PL_N, n_short, sizeof(n_short)), IKEV1_MSG_PL_LENGTH);
	CU_ASSERT_EQUAL(parse_raw(IKEV1_PL_D, d_bad, sizeof(d_bad)), IKEV1_MSG_D_LENGTH);
	CU_ASSERT_EQUAL(parse_raw(IKEV1_PL_D, d_zero, sizeof(d_zero)), IKEV1_MSG_D_LENGTH);
	CU_ASSERT_EQUAL(parse_raw(IKEV1_PL_FRAG, frag_short, sizeof(frag_short)),
			IKEV1_MSG_PL_LENGTH);
	CU_ASSERT_EQUAL(parse_raw(IKEV1_PL_KE, ke_empty, sizeof(ke_empty)), IKEV1_MSG_PL_LENGTH);
	CU_ASSERT_EQUAL(parse_raw(IKEV1_PL_CERT, cert_empty, sizeof(cert_empty)),
			IKEV1_MSG_PL_LENGTH);
	CU_ASSERT_EQUAL(parse_raw(IKEV1_PL_HASH, two_hash, sizeof(two_hash)),
			IKEV1_MSG_PL_TOO_MANY);
	/* a third ID */
	for (int i = 0; i < 3; i++) {
		uint8_t *p = ids + 8 * i;

		p[0] = i < 2 ? IKEV1_PL_ID : 0;
		p[1] = 0;
		p[2] = 0;
		p[3] = 8;
		memset(p + 4, 1, 4);
	}
	CU_ASSERT_EQUAL(parse_raw(IKEV1_PL_ID, ids, 16 + 0), IKEV1_MSG_PL_TRUNCATED);
	ids[8] = 0;
	CU_ASSERT_EQUAL(parse_raw(IKEV1_PL_ID, ids, 16), IKEV1_MSG_OK);
	ids[8] = IKEV1_PL_ID;
	CU_ASSERT_EQUAL(parse_raw(IKEV1_PL_ID, ids, sizeof(ids)), IKEV1_MSG_PL_TOO_MANY);
	/* more payloads than IKEV1_MSG_MAX_PL (empty private payloads) */
	for (unsigned i = 0; i <= IKEV1_MSG_MAX_PL; i++) {
		many[4 * i] = i < IKEV1_MSG_MAX_PL ? 200 : 0;
		many[4 * i + 1] = 0;
		many[4 * i + 2] = 0;
		many[4 * i + 3] = 4;
	}
	CU_ASSERT_EQUAL(parse_raw(200, many, 4 * IKEV1_MSG_MAX_PL), IKEV1_MSG_PL_TRUNCATED);
	many[4 * (IKEV1_MSG_MAX_PL - 1)] = 0;
	CU_ASSERT_EQUAL(parse_raw(200, many, 4 * IKEV1_MSG_MAX_PL), IKEV1_MSG_OK);
	CU_ASSERT_EQUAL(m.n_unknown, IKEV1_MSG_MAX_PL);
	many[4 * (IKEV1_MSG_MAX_PL - 1)] = 200;
	CU_ASSERT_EQUAL(parse_raw(200, many, sizeof(many)), IKEV1_MSG_PL_TOO_MANY);
	/* a header alone, a header with a short generic header */
	CU_ASSERT_EQUAL(parse_raw(0, NULL, 0), IKEV1_MSG_OK);
	CU_ASSERT_EQUAL(parse_raw(IKEV1_PL_VID, ke_empty, 3), IKEV1_MSG_PL_TRUNCATED);
}

/* SA payloads of many proposals / transforms. */
static void test_sa_limits(void)
{
	static uint8_t buf[65536];
	struct ikev1_xform x[IKEV1_MSG_MAX_TRANSFORMS + 1];
	struct ikev1_build b;
	long n;

	for (unsigned i = 0; i < ARRAY_LEN(x); i++)
		x[i] = p1_xform;
	ikev1_build_init(&b, buf, sizeof(buf), ci, zero8, IKEV1_EXCH_MAIN, 0, 0);
	ikev1_add_sa_p1(&b, x, IKEV1_MSG_MAX_TRANSFORMS);
	n = ikev1_build_end(&b);
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL(ikev1_msg_parse(buf, (size_t)n, &m), IKEV1_MSG_OK);
	CU_ASSERT_EQUAL(m.sa.n_xforms, IKEV1_MSG_MAX_TRANSFORMS);
	CU_ASSERT_EQUAL(m.sa.xforms[IKEV1_MSG_MAX_TRANSFORMS - 1].num, IKEV1_MSG_MAX_TRANSFORMS);
	ikev1_build_init(&b, buf, sizeof(buf), ci, zero8, IKEV1_EXCH_MAIN, 0, 0);
	ikev1_add_sa_p1(&b, x, IKEV1_MSG_MAX_TRANSFORMS + 1);
	n = ikev1_build_end(&b);
	CU_ASSERT_EQUAL(ikev1_msg_parse(buf, (size_t)n, &m), IKEV1_MSG_SA_XFORM_TOO_MANY);
	/* IKEV1_MSG_MAX_PROPOSALS + 1 proposals: copy the proposal n times */
	{
		size_t plen = 48, n_props = IKEV1_MSG_MAX_PROPOSALS + 1;
		size_t sa_len = 12 + plen * n_props, total = 28 + sa_len;

		memcpy(buf, mm1_bytes, 28);
		buf[16] = IKEV1_PL_SA;
		buf[26] = (uint8_t)(total >> 8);
		buf[27] = (uint8_t)total;
		memcpy(buf + 28, mm1_bytes + 28, 12);
		buf[28] = 0;
		buf[30] = (uint8_t)(sa_len >> 8);
		buf[31] = (uint8_t)sa_len;
		for (size_t i = 0; i < n_props; i++) {
			uint8_t *p = buf + 40 + plen * i;

			memcpy(p, mm1_bytes + 40, plen);
			p[0] = i + 1 < n_props ? IKEV1_PL_P : 0;
			p[4] = (uint8_t)(i + 1);
		}
		CU_ASSERT_EQUAL(ikev1_msg_parse(buf, total, &m), IKEV1_MSG_SA_PROP_TOO_MANY);
		buf[31] = (uint8_t)(sa_len - plen);
		buf[27] = (uint8_t)(total - plen);
		buf[40 + plen * (n_props - 2)] = 0;
		CU_ASSERT_EQUAL(ikev1_msg_parse(buf, total - plen, &m), IKEV1_MSG_OK);
		CU_ASSERT_EQUAL(m.sa.n_props, IKEV1_MSG_MAX_PROPOSALS);
	}
}

/* ---- attributes ---- */

/* Parse a phase-1 (proto 1) or ESP (3) transform of the given attributes. */
static const struct ikev1_xform *xform_of(uint8_t proto, const uint8_t *attrs, size_t len)
{
	static uint8_t body[512];
	size_t tl = 8 + len, pl = 8 + (proto == 3 ? 4 : 0) + tl, sl = 4 + 8 + pl;
	uint8_t *p = body;

	memset(body, 0, sizeof(body));
	p[2] = (uint8_t)(sl >> 8);
	p[3] = (uint8_t)sl;
	p[7] = 1;
	p[11] = 1;
	p += 12;
	p[2] = (uint8_t)(pl >> 8);
	p[3] = (uint8_t)pl;
	p[4] = 1;
	p[5] = proto;
	p[6] = proto == 3 ? 4 : 0;
	p[7] = 1;
	p += 8 + (proto == 3 ? 4 : 0);
	p[3] = (uint8_t)tl;
	p[4] = 1;
	p[5] = proto == 3 ? IKEV1_ESP_AES_CBC : 1;
	memcpy(p + 8, attrs, len);
	if (parse_raw(IKEV1_PL_SA, body, sl) != IKEV1_MSG_OK || m.sa.n_xforms != 1)
		return NULL;
	return &m.sa.xforms[0];
}

static void test_attributes(void)
{
	static const uint8_t unknown[] = { 0x80, 0x63, 0, 1 };
	static const uint8_t repeat[] = { 0x80, 1, 0, 7, 0x80, 1, 0, 7 };
	static const uint8_t dur_no_type[] = { 0x80, 12, 0, 60 };
	static const uint8_t life_both[] = { 0x80, 11, 0, 1, 0x80, 12, 0x0e, 0x10,
					     0x80, 11, 0, 2, 0, 12, 0, 3, 0x01, 0x86, 0xa0 };
	static const uint8_t life_long[] = { 0x80, 11, 0, 1, 0, 12, 0, 8,
					     0, 0, 0, 0, 0, 0, 0x10, 0 };
	static const uint8_t life_huge[] = { 0x80, 11, 0, 1, 0, 12, 0, 5, 1, 0, 0, 0, 0 };
	static const uint8_t life_twice[] = { 0x80, 11, 0, 1, 0x80, 12, 0, 1,
					      0x80, 12, 0, 2 };
	static const uint8_t tlv_group[] = { 0, 4, 0, 2, 0, 14 };
	static const uint8_t tlv_big[] = { 0, 4, 0, 3, 1, 0, 0 };
	static const uint8_t zero_val[] = { 0x80, 14, 0, 0 };
	static const uint8_t esn[] = { 0x80, 11, 0, 1, 0x80, 4, 0, 3 };
	static const uint8_t esn_bad[] = { 0x80, 11, 0, 2 };
	static const uint8_t p2[] = { 0x80, 1, 0, 1, 0x80, 2, 0x0e, 0x10, 0x80, 3, 0, 20,
				      0x80, 4, 0xf0, 0x03, 0x80, 5, 0, 7, 0x80, 6, 1, 0 };
	const struct ikev1_xform *x;

	CU_ASSERT((x = xform_of(1, unknown, sizeof(unknown))) != NULL && x->unknown);
	CU_ASSERT((x = xform_of(1, repeat, sizeof(repeat))) != NULL && x->unknown);
	CU_ASSERT((x = xform_of(1, dur_no_type, 4)) != NULL && x->unknown);
	x = xform_of(1, life_both, sizeof(life_both));
	CU_ASSERT(x != NULL && !x->unknown && x->life_secs == 3600 && x->life_kb == 100000);
	x = xform_of(1, life_long, sizeof(life_long));
	CU_ASSERT(x != NULL && !x->unknown && x->life_secs == 4096);
	x = xform_of(1, life_huge, sizeof(life_huge));
	CU_ASSERT(x != NULL && !x->unknown && x->life_secs == UINT32_MAX);
	CU_ASSERT((x = xform_of(1, life_twice, sizeof(life_twice))) != NULL && x->unknown);
	x = xform_of(1, tlv_group, sizeof(tlv_group));
	CU_ASSERT(x != NULL && !x->unknown && x->group == 14);
	CU_ASSERT((x = xform_of(1, tlv_big, sizeof(tlv_big))) != NULL && x->unknown);
	CU_ASSERT((x = xform_of(1, zero_val, sizeof(zero_val))) != NULL && x->unknown);
	x = xform_of(3, esn, sizeof(esn));
	CU_ASSERT(x != NULL && !x->unknown && x->esn && x->encap == 3);
	CU_ASSERT((x = xform_of(3, esn_bad, sizeof(esn_bad))) != NULL && x->unknown);
	x = xform_of(3, p2, sizeof(p2));
	CU_ASSERT(x != NULL && !x->unknown && x->life_secs == 3600 && x->group == 20 &&
		  x->encap == IKEV1_ENCAP_UDP_TUNNEL_DRAFT && x->auth == 7 && x->key_len == 256);
	/* ESP attributes in a phase-1 transform are other attributes */
	CU_ASSERT((x = xform_of(1, p2, sizeof(p2))) != NULL && x->unknown);
	/* AH (2): not decoded */
	CU_ASSERT((x = xform_of(2, tlv_group, sizeof(tlv_group))) != NULL && x->unknown);
}

/* ---- proposals ---- */

static void parse_props(const char *const *s, unsigned n, enum ike_sa_proto proto,
			struct gw_ike_proposal *out)
{
	char why[IKE_PROP_WHY_MAX];

	for (unsigned i = 0; i < n; i++)
		CU_ASSERT_EQUAL_FATAL(gw_ike_proposal_parse(s[i], proto, &out[i], why,
							    sizeof(why)), 0);
}

static void test_proposals_phase1(void)
{
	static const char *const ike[] = { "aes256-sha256-modp2048",
					   "aes128-aes256-sha384-sha512-ecp256-ecp384",
					   "aes256gcm16-prfsha256-ecp256" };
	static const uint16_t auth[] = { IKEV1_AUTH_ECDSA_256, IKEV1_AUTH_RSA_SIG };
	static uint8_t buf[BUF_MAX];
	struct gw_ike_proposal props[3];
	struct ikev1_xform x[64], peer[64];
	struct ikev1_build b;
	unsigned prop = 9, xf = 9;
	int n;
	long len;

	parse_props(ike, 3, IKE_SA_PROTO_IKE, props);
	n = ikev1_p1_from_proposals(props, 3, auth, 2, 28800, x, ARRAY_LEN(x));
	/* 1 x 1 x 1 x 2 + 2 x 2 x 2 x 2; GCM skipped */
	CU_ASSERT_EQUAL_FATAL(n, 2 + 16);
	CU_ASSERT(x[0].encr == 7 && x[0].key_len == 256 && x[0].hash == 4 && x[0].group == 14 &&
		  x[0].auth == 9 && x[0].life_secs == 28800 && x[0].num == 1);
	CU_ASSERT(x[1].auth == 3 && x[1].num == 2);
	CU_ASSERT(x[2].key_len == 128 && x[2].hash == 5 && x[2].group == 19);
	CU_ASSERT(x[17].key_len == 256 && x[17].hash == 6 && x[17].group == 20 &&
		  x[17].auth == 3);
	CU_ASSERT_EQUAL(ikev1_p1_from_proposals(props + 2, 1, auth, 2, 0, x, 64), -ENOENT);
	CU_ASSERT_EQUAL(ikev1_p1_from_proposals(props, 3, auth, 2, 0, x, 5), -ENOSPC);
	CU_ASSERT_EQUAL(ikev1_p1_from_proposals(props, 3, auth, 0, 0, x, 5), -ENOENT);

	/* initiator offers all; responder holds only RSA with aes128-sha512-ecp384 */
	ikev1_build_init(&b, buf, sizeof(buf), ci, zero8, IKEV1_EXCH_MAIN, 0, 0);
	ikev1_add_sa_p1(&b, x, (unsigned)n);
	len = ikev1_build_end(&b);
	CU_ASSERT_FATAL(len > 0);
	CU_ASSERT_EQUAL_FATAL(ikev1_msg_parse(buf, (size_t)len, &m), IKEV1_MSG_OK);
	peer[0] = (struct ikev1_xform){ .encr = 7, .key_len = 128, .hash = 6, .auth = 3,
					.group = 20 };
	peer[1] = p1_xform;
	CU_ASSERT_EQUAL(ikev1_sa_select(&m.sa, IKEV1_PROTO_ISAKMP, peer, 2, &prop, &xf), 0);
	CU_ASSERT_EQUAL(prop, 0);
	CU_ASSERT_EQUAL(xf, 1);		/* the initiator's order: aes256-sha256-modp2048 RSA */
	CU_ASSERT_EQUAL(ikev1_sa_select(&m.sa, IKEV1_PROTO_ISAKMP, peer, 1, &prop, &xf), 0);
	CU_ASSERT_EQUAL(xf, 9);		/* 2 + aes128 (0) + sha512 (4) + ecp384 (2) + RSA (1) */
	CU_ASSERT_EQUAL(ikev1_sa_select(&m.sa, IKEV1_PROTO_ESP, peer, 2, &prop, &xf), -ENOENT);
	peer[0].group = 31;
	CU_ASSERT_EQUAL(ikev1_sa_select(&m.sa, IKEV1_PROTO_ISAKMP, peer, 1, &prop, &xf), -ENOENT);

	/* the reply: the chosen transform alone, its number kept */
	ikev1_build_init(&b, buf, sizeof(buf), ci, cr, IKEV1_EXCH_MAIN, 0, 0);
	ikev1_add_sa_p1(&b, &m.sa.xforms[9], 1);
	len = ikev1_build_end(&b);
	CU_ASSERT_EQUAL_FATAL(ikev1_msg_parse(buf, (size_t)len, &m), IKEV1_MSG_OK);
	CU_ASSERT_EQUAL(m.sa.xforms[0].num, 10);
	CU_ASSERT_EQUAL(ikev1_sa_check_reply(&m.sa, IKEV1_PROTO_ISAKMP, x, (unsigned)n, &xf), 0);
	CU_ASSERT_EQUAL(xf, 0);
	CU_ASSERT_EQUAL(ikev1_sa_check_reply(&m.sa, IKEV1_PROTO_ISAKMP, x, 2, &xf), -ENOENT);
	/* two transforms in a reply */
	ikev1_build_init(&b, buf, sizeof(buf), ci, cr, IKEV1_EXCH_MAIN, 0, 0);
	ikev1_add_sa_p1(&b, x, 2);
	len = ikev1_build_end(&b);
	CU_ASSERT_EQUAL_FATAL(ikev1_msg_parse(buf, (size_t)len, &m), IKEV1_MSG_OK);
	CU_ASSERT_EQUAL(ikev1_sa_check_reply(&m.sa, IKEV1_PROTO_ISAKMP, x, (unsigned)n, &xf),
			-ENOENT);
	CU_ASSERT_STRING_EQUAL(ikev1_hash_digest(IKEV1_HASH_SHA2_384), "SHA2-384");
	CU_ASSERT(ikev1_hash_digest(1) == NULL);
	CU_ASSERT_EQUAL(ikev1_hash_len(IKEV1_HASH_SHA2_512), 64);
	CU_ASSERT_EQUAL(ikev1_hash_len(2), 0);
}

static void test_proposals_phase2(void)
{
	static const char *const esp[] = { "aes128-sha256-sha512", "aes256gcm16-ecp256",
					   "aes256-sha1-modp2048-ecp384" };
	static uint8_t buf[BUF_MAX];
	struct gw_ike_proposal props[3];
	struct ikev1_xform x[32], ours[4];
	struct ikev1_build b;
	unsigned prop = 9, xf = 9;
	int n;
	long len;

	parse_props(esp, 3, IKE_SA_PROTO_ESP, props);
	n = ikev1_p2_from_proposals(props, 3, IKEV1_ENCAP_UDP_TUNNEL, 3600, x, ARRAY_LEN(x));
	CU_ASSERT_EQUAL_FATAL(n, 2 + 1 + 2);
	CU_ASSERT(x[0].id == 12 && x[0].key_len == 128 && x[0].auth == 5 && x[0].group == 0 &&
		  x[0].encap == 3 && x[0].life_secs == 3600);
	CU_ASSERT(x[1].auth == 7);
	CU_ASSERT(x[2].id == 20 && x[2].key_len == 256 && x[2].auth == 0 && x[2].group == 19);
	CU_ASSERT(x[3].id == 12 && x[3].key_len == 256 && x[3].auth == 2 && x[3].group == 14);
	CU_ASSERT(x[4].group == 20);
	CU_ASSERT_EQUAL(ikev1_esp_alg(&x[0]), ESP_ALG_AES128_SHA256);
	CU_ASSERT_EQUAL(ikev1_esp_alg(&x[1]), ESP_ALG_AES128_SHA512);
	CU_ASSERT_EQUAL(ikev1_esp_alg(&x[2]), ESP_ALG_AES256GCM16);
	CU_ASSERT_EQUAL(ikev1_esp_alg(&x[3]), ESP_ALG_AES256_SHA1);
	CU_ASSERT_EQUAL(ikev1_p2_from_proposals(props, 3, 1, 0, x, 3), -ENOSPC);
	CU_ASSERT_EQUAL(ikev1_p2_from_proposals(props, 0, 1, 0, x, 3), -ENOENT);

	/* the peer (61443, the draft value) against ours (3): same thing */
	for (int i = 0; i < n; i++)
		x[i].encap = IKEV1_ENCAP_UDP_TUNNEL_DRAFT;
	ikev1_build_init(&b, buf, sizeof(buf), ci, cr, IKEV1_EXCH_QUICK, 0, 7);
	ikev1_add_hash(&b, 32);
	ikev1_add_sa_p2(&b, qm_spi, x, (unsigned)n);
	len = ikev1_build_end(&b);
	CU_ASSERT_EQUAL_FATAL(ikev1_msg_parse(buf, (size_t)len, &m), IKEV1_MSG_OK);
	ours[0] = (struct ikev1_xform){ .id = 20, .key_len = 256, .group = 19, .encap = 3 };
	CU_ASSERT_EQUAL(ikev1_sa_select(&m.sa, IKEV1_PROTO_ESP, ours, 1, &prop, &xf), 0);
	CU_ASSERT_EQUAL(xf, 2);
	ours[0].encap = IKEV1_ENCAP_TUNNEL;	/* not behind NAT: no match */
	CU_ASSERT_EQUAL(ikev1_sa_select(&m.sa, IKEV1_PROTO_ESP, ours, 1, &prop, &xf), -ENOENT);
	ours[0].encap = 3;
	ours[0].group = 0;			/* PFS must agree */
	CU_ASSERT_EQUAL(ikev1_sa_select(&m.sa, IKEV1_PROTO_ESP, ours, 1, &prop, &xf), -ENOENT);

	/* a bundle (two proposals #1) is skipped; another number is fine */
	ikev1_build_init(&b, buf, sizeof(buf), ci, cr, IKEV1_EXCH_QUICK, 0, 7);
	ikev1_add_sa_p2(&b, qm_spi, x, 1);
	len = ikev1_build_end(&b);
	CU_ASSERT_EQUAL_FATAL(ikev1_msg_parse(buf, (size_t)len, &m), IKEV1_MSG_OK);
	m.sa.props[1] = m.sa.props[0];
	m.sa.n_props = 2;
	ours[0] = x[0];
	ours[0].encap = 3;
	CU_ASSERT_EQUAL(ikev1_sa_select(&m.sa, IKEV1_PROTO_ESP, ours, 1, &prop, &xf), -ENOENT);
	m.sa.props[1].num = 2;
	CU_ASSERT_EQUAL(ikev1_sa_select(&m.sa, IKEV1_PROTO_ESP, ours, 1, &prop, &xf), 0);
	m.sa.props[0].spi_size = 8;
	CU_ASSERT_EQUAL(ikev1_sa_select(&m.sa, IKEV1_PROTO_ESP, ours, 1, &prop, &xf), 0);
	CU_ASSERT_EQUAL(prop, 1);

}

/* Chosen ESP transforms to the data plane's algorithms. */
static void test_esp_alg(void)
{
	struct ikev1_xform t = { .id = 12, .key_len = 192, .auth = 5 };

	CU_ASSERT_EQUAL(ikev1_esp_alg(&t), -ENOTSUP);
	t.key_len = 256;
	t.auth = 6;
	CU_ASSERT_EQUAL(ikev1_esp_alg(&t), ESP_ALG_AES256_SHA384);
	t.auth = 1;	/* HMAC-MD5 */
	CU_ASSERT_EQUAL(ikev1_esp_alg(&t), -ENOTSUP);
	t = (struct ikev1_xform){ .id = 20, .key_len = 192 };
	CU_ASSERT_EQUAL(ikev1_esp_alg(&t), ESP_ALG_AES192GCM16);
	t.auth = 5;	/* GCM with an integrity algorithm */
	CU_ASSERT_EQUAL(ikev1_esp_alg(&t), -ENOTSUP);
	t = (struct ikev1_xform){ .id = 12, .auth = 5 };	/* no key length */
	CU_ASSERT_EQUAL(ikev1_esp_alg(&t), -ENOTSUP);
	t = (struct ikev1_xform){ .id = 3, .key_len = 128, .auth = 5 };	/* 3DES */
	CU_ASSERT_EQUAL(ikev1_esp_alg(&t), -ENOTSUP);
	t = (struct ikev1_xform){ .id = 20, .key_len = 128, .unknown = 1 };
	CU_ASSERT_EQUAL(ikev1_esp_alg(&t), -ENOTSUP);
	CU_ASSERT(ikev1_encap_is_udp(3) && ikev1_encap_is_udp(61443) && !ikev1_encap_is_udp(1));
}

/* ---- robustness ---- */

static void truncate_all(const uint8_t *msg, size_t len, bool plain)
{
	static uint8_t buf[BUF_MAX];
	unsigned bad = 0;

	for (size_t cut = 0; cut < len; cut++) {
		enum ikev1_msg_err e;

		/* as received (length field now wrong) */
		e = ikev1_msg_parse(msg, cut, &m);
		if (e == IKEV1_MSG_OK)
			bad++;
		/* with the length field agreeing: every payload bound */
		memcpy(buf, msg, cut);
		if (cut >= 28) {
			buf[24] = (uint8_t)(cut >> 24);
			buf[25] = (uint8_t)(cut >> 16);
			buf[26] = (uint8_t)(cut >> 8);
			buf[27] = (uint8_t)cut;
		}
		e = plain ? ikev1_msg_parse_plain(buf, cut, &m) : ikev1_msg_parse(buf, cut, &m);
		if (!msg_in(&m, buf, cut))
			bad++;
		if (e == IKEV1_MSG_OK && cut > 28 && !plain)
			bad++;	/* a cut plain message is never whole */
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static void overwrite_all(const uint8_t *msg, size_t len, bool plain)
{
	static const uint8_t vals[] = { 0x00, 0x01, 0x03, 0x04, 0x07, 0x80, 0xfe, 0xff };
	static uint8_t buf[BUF_MAX];
	unsigned bad = 0;

	for (size_t i = 0; i < len; i++)
		for (size_t v = 0; v < ARRAY_LEN(vals) + 1; v++) {
			memcpy(buf, msg, len);
			buf[i] = v < ARRAY_LEN(vals) ? vals[v] : (uint8_t)(msg[i] + 1);
			if (plain)
				ikev1_msg_parse_plain(buf, len, &m);
			else
				ikev1_msg_parse(buf, len, &m);
			if (!msg_in(&m, buf, len))
				bad++;
		}
	CU_ASSERT_EQUAL(bad, 0);
}

static long build_all(uint8_t *buf, size_t cap)
{
	static const uint8_t frag_body[12] = { 0, 1, 2, IKEV1_FRAG_F_LAST, 0xf0 };
	struct ikev1_build b;
	long h, s;

	if (build_qm1(buf, cap, &b, &h, &s))
		return b.err;
	ikev1_add_cert(&b, IKEV1_CERT_X509_SIG, cert_der, 40);
	ikev1_add_cr(&b, IKEV1_CERT_X509_SIG, ca_dn, 10);
	ikev1_add_sig(&b, sig, 20);
	ikev1_add_notify(&b, IKEV1_PROTO_ESP, qm_spi, 4, IKEV1_N_RESPONDER_LIFETIME, ke, 8);
	ikev1_add_delete(&b, IKEV1_PROTO_ESP, 4, 1, qm_spi);
	ikev1_add_vid(&b, vid_rfc3947, 16);
	ikev1_add_natd(&b, IKEV1_PL_NATD, natd, 32);
	ikev1_add_raw(&b, IKEV1_PL_NATOA, natd, 8);
	ikev1_add_raw(&b, IKEV1_PL_FRAG, frag_body, sizeof(frag_body));
	return ikev1_build_end_encrypted(&b, 16);
}

static void test_truncate_and_overwrite(void)
{
	static uint8_t all[BUF_MAX];
	long n = build_all(all, sizeof(all));

	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL_FATAL(ikev1_msg_parse_plain(all, (size_t)n, &m), IKEV1_MSG_OK);
	CU_ASSERT_EQUAL(m.n_pl, 15);
	truncate_all(mm1_bytes, sizeof(mm1_bytes), false);
	truncate_all(all, (size_t)n, true);
	overwrite_all(mm1_bytes, sizeof(mm1_bytes), false);
	overwrite_all(all, (size_t)n, true);
}

/* ---- builder limits ---- */

static void test_build_errors(void)
{
	static uint8_t buf[70000], small[BUF_MAX];
	static const uint8_t big[70000];
	struct ikev1_build b;
	long full = build_all(buf, sizeof(buf));

	CU_ASSERT_FATAL(full > 0);
	for (size_t cap = 0; cap < (size_t)full; cap++) {
		memset(small, 0xee, sizeof(small));
		CU_ASSERT_EQUAL(build_all(small, cap), -ENOSPC);
		for (size_t i = cap; i < sizeof(small); i++)
			if (small[i] != 0xee) {
				CU_FAIL("write past the buffer");
				break;
			}
	}
	/* above 65535 octets */
	ikev1_build_init(&b, buf, sizeof(buf), ci, cr, IKEV1_EXCH_MAIN, 0, 0);
	CU_ASSERT_EQUAL(ikev1_add_cert(&b, 4, big, 65535 - 28 - 5), 28);
	CU_ASSERT_EQUAL(ikev1_build_end(&b), 65535);
	ikev1_build_init(&b, buf, sizeof(buf), ci, cr, IKEV1_EXCH_MAIN, 0, 0);
	CU_ASSERT_EQUAL(ikev1_add_cert(&b, 4, big, 65535 - 28 - 4), -EMSGSIZE);
	CU_ASSERT_EQUAL(ikev1_add_vid(&b, big, 1), -EMSGSIZE);	/* sticky */
	CU_ASSERT_EQUAL(ikev1_build_end(&b), -EMSGSIZE);
	ikev1_build_init(&b, buf, sizeof(buf), ci, cr, IKEV1_EXCH_MAIN, 0, 0);
	ikev1_add_cert(&b, 4, big, 65535 - 28 - 5);
	CU_ASSERT_EQUAL(ikev1_build_end_encrypted(&b, 16), -EMSGSIZE);	/* padding */
	/* misuse */
	ikev1_build_init(&b, buf, sizeof(buf), ci, cr, IKEV1_EXCH_MAIN, 0, 0);
	CU_ASSERT_EQUAL(ikev1_add_sa_p1(&b, &p1_xform, 0), -EINVAL);
	ikev1_build_init(&b, buf, sizeof(buf), ci, cr, IKEV1_EXCH_MAIN, 0, 0);
	CU_ASSERT_EQUAL(ikev1_add_delete(&b, 3, 4, 0, NULL), -EINVAL);
	ikev1_build_init(&b, buf, sizeof(buf), ci, cr, IKEV1_EXCH_MAIN, 0, 0);
	CU_ASSERT_EQUAL(ikev1_add_natd(&b, IKEV1_PL_VID, natd, 4), -EINVAL);
	ikev1_build_init(&b, buf, sizeof(buf), ci, cr, IKEV1_EXCH_MAIN, 0, 0);
	CU_ASSERT_EQUAL(ikev1_build_end_encrypted(&b, 17), -EINVAL);
	ikev1_build_init(&b, buf, sizeof(buf), ci, cr, IKEV1_EXCH_MAIN, 0, 0);
	CU_ASSERT_EQUAL(ikev1_build_end(&b), 28);
	CU_ASSERT_EQUAL(ikev1_add_vid(&b, big, 1), -EINVAL);	/* after the end */
	CU_ASSERT_EQUAL(ikev1_build_end(&b), -EINVAL);
	CU_ASSERT_EQUAL(ikev1_build_body(&b, 5).len, 0);
	CU_ASSERT_EQUAL(ikev1_build_after(&b, 28).len, 0);
}

static void test_names(void)
{
	for (int e = 0; e < IKEV1_MSG_ERR_COUNT; e++)
		CU_ASSERT(strlen(ikev1_msg_err_str((enum ikev1_msg_err)e)) > 1);
	CU_ASSERT_STRING_EQUAL(ikev1_msg_err_str((enum ikev1_msg_err)1000), "?");
	CU_ASSERT_EQUAL(ikev1_msg_err_notify(IKEV1_MSG_OK), 0);
	CU_ASSERT_EQUAL(ikev1_msg_err_notify(IKEV1_MSG_HDR_LENGTH), 0);
	CU_ASSERT_EQUAL(ikev1_msg_err_notify(IKEV1_MSG_PL_TRUNCATED), IKEV1_N_PAYLOAD_MALFORMED);
	CU_ASSERT_EQUAL(ikev1_msg_err_notify(IKEV1_MSG_SA_XFORM_COUNT),
			IKEV1_N_BAD_PROPOSAL_SYNTAX);
	CU_ASSERT_EQUAL(ikev1_msg_err_notify((enum ikev1_msg_err)1000), 0);
	CU_ASSERT_STRING_EQUAL(ikev1_pl_name(IKEV1_PL_NATD), "NAT-D");
	CU_ASSERT_STRING_EQUAL(ikev1_pl_name(IKEV1_PL_FRAG), "FRAG");
	CU_ASSERT_STRING_EQUAL(ikev1_pl_name(99), "?");
	CU_ASSERT_STRING_EQUAL(ikev1_notify_name(IKEV1_N_R_U_THERE_ACK), "R_U_THERE_ACK");
	CU_ASSERT_STRING_EQUAL(ikev1_notify_name(IKEV1_N_NO_PROPOSAL_CHOSEN),
			       "NO_PROPOSAL_CHOSEN");
	CU_ASSERT_STRING_EQUAL(ikev1_notify_name(1234), "?");
}

int main(void)
{
	static const struct test_case tests[] = {
		{ "Main Mode message 1 built byte for byte", test_mm1_exact_bytes },
		{ "MM5 payloads plain and encrypted (zero padding)", test_mm5_plain_and_encrypted },
		{ "Quick Mode: HASH(1) coverage, SA p2, IDs", test_quick_mode_hash_coverage },
		{ "informational: R-U-THERE, DELETE", test_informational },
		{ "NAT-D, NAT-OA, unknown payload, fragments", test_natd_unknown_fragments },
		{ "mutations: header and SA", test_mutations_header_sa },
		{ "mutations: other payloads, limits", test_mutations_payloads },
		{ "SA payload limits", test_sa_limits },
		{ "attribute decoding", test_attributes },
		{ "phase-1 proposals: strings, select, reply", test_proposals_phase1 },
		{ "phase-2 proposals: strings, select, reply", test_proposals_phase2 },
		{ "ESP transform to the data-plane algorithm", test_esp_alg },
		{ "truncated at every offset, every octet overwritten", test_truncate_and_overwrite },
		{ "builder errors", test_build_errors },
		{ "names and notify mapping", test_names },
	};

	if (test_suite("ikev1_msg", NULL, NULL, tests, ARRAY_LEN(tests)) != 0)
		return 1;
	return test_run();
}
