/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IKEv2 message codec (controlplane/ike/ike_msg.h): an IKE_SA_INIT
 * request written out by hand from the figures of RFC 7296 (3.1-3.10,
 * RFC 7427 4, RFC 7383 2.3) is built byte for byte and parsed field by
 * field; every payload kind round-trips inside an SK payload and across
 * SKF fragments; a table of malformed inputs gets the documented reason;
 * every truncation and every byte overwrite of valid messages ends in a
 * drop or an INVALID_SYNTAX, never a crash or a view outside the input.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "common/gw_ike.h"
#include "common/gw_ike_xform.h"
#include "controlplane/ike/ike_msg.h"
#include "test/unit/test_eal.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/*
 * IKE_SA_INIT request: HDR, SA(1 proposal: AES-CBC-128, PRF-HMAC-SHA2-256,
 * HMAC-SHA2-256-128, ECP-256), KE(19), Ni(32), N(NAT_DETECTION_SOURCE_IP),
 * N(NAT_DETECTION_DESTINATION_IP), N(IKEV2_FRAGMENTATION_SUPPORTED),
 * N(SIGNATURE_HASH_ALGORITHMS: SHA2-256, SHA2-384, SHA2-512).  262 octets.
 */
static const uint8_t init_req[] = {
	/* 0: header (3.1) */
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,	/* SPIi */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* SPIr */
	33, 0x20, 34, 0x08,				/* SA, 2.0, IKE_SA_INIT, I */
	0x00, 0x00, 0x00, 0x00,				/* message ID */
	0x00, 0x00, 0x01, 0x06,				/* length 262 */
	/* 28: SA (3.3) */
	34, 0x00, 0x00, 48,
	/* 32: proposal 1, IKE, no SPI, 4 transforms */
	0x00, 0x00, 0x00, 44, 1, 1, 0, 4,
	/* 40: ENCR AES-CBC, Key Length 128 (TV) */
	0x03, 0x00, 0x00, 12, 1, 0x00, 0x00, 12, 0x80, 0x0e, 0x00, 0x80,
	/* 52: PRF HMAC-SHA2-256 */
	0x03, 0x00, 0x00, 8, 2, 0x00, 0x00, 5,
	/* 60: INTEG HMAC-SHA2-256-128 */
	0x03, 0x00, 0x00, 8, 3, 0x00, 0x00, 12,
	/* 68: DH ECP-256 (last) */
	0x00, 0x00, 0x00, 8, 4, 0x00, 0x00, 19,
	/* 76: KE (3.4): group 19, 64 octets */
	40, 0x00, 0x00, 72, 0x00, 19, 0x00, 0x00,
	0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
	0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
	0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
	0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
	/* 148: Ni (3.9), 32 octets */
	41, 0x00, 0x00, 36,
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	/* 184: N (3.10) NAT_DETECTION_SOURCE_IP 16388 */
	41, 0x00, 0x00, 28, 0, 0, 0x40, 0x04,
	0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
	0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
	/* 212: N NAT_DETECTION_DESTINATION_IP 16389 */
	41, 0x00, 0x00, 28, 0, 0, 0x40, 0x05,
	0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33,
	0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33,
	/* 240: N IKEV2_FRAGMENTATION_SUPPORTED 16430 */
	41, 0x00, 0x00, 8, 0, 0, 0x40, 0x2e,
	/* 248: N SIGNATURE_HASH_ALGORITHMS 16431 (last) */
	0, 0x00, 0x00, 14, 0, 0, 0x40, 0x2f, 0x00, 0x02, 0x00, 0x03, 0x00, 0x04,
};

static uint8_t ke_data[64], ni_data[32], natd_src[20], natd_dst[20];
static const uint8_t sig_hash[] = { 0x00, 0x02, 0x00, 0x03, 0x00, 0x04 };
static const uint64_t SPI_I = 0x0102030405060708ull;

static void fixtures(void)
{
	memset(ke_data, 0xaa, sizeof(ke_data));
	memset(ni_data, 0x11, sizeof(ni_data));
	memset(natd_src, 0x22, sizeof(natd_src));
	memset(natd_dst, 0x33, sizeof(natd_dst));
}

static long build_init_req(uint8_t *buf, size_t cap)
{
	struct ike_build b;

	ike_msg_build_init(&b, buf, cap, SPI_I, 0, IKE_EXCH_IKE_SA_INIT, IKE_HDR_F_I, 0);
	ike_msg_add_sa_begin(&b);
	ike_msg_add_proposal(&b, 1, IKE_PROTO_IKE, NULL, 0);
	ike_msg_add_transform(&b, IKE_XFORM_ENCR, IKE_ENCR_AES_CBC, 128);
	ike_msg_add_transform(&b, IKE_XFORM_PRF, IKE_PRF_HMAC_SHA2_256, 0);
	ike_msg_add_transform(&b, IKE_XFORM_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0);
	ike_msg_add_transform(&b, IKE_XFORM_DH, IKE_DH_ECP256, 0);
	ike_msg_add_sa_end(&b);
	ike_msg_add_ke(&b, IKE_DH_ECP256, ke_data, sizeof(ke_data));
	ike_msg_add_nonce(&b, ni_data, sizeof(ni_data));
	ike_msg_add_notify(&b, 0, NULL, 0, IKE_N_NAT_DETECTION_SOURCE_IP, natd_src, 20);
	ike_msg_add_notify(&b, 0, NULL, 0, IKE_N_NAT_DETECTION_DESTINATION_IP, natd_dst, 20);
	ike_msg_add_notify(&b, 0, NULL, 0, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	ike_msg_add_notify(&b, 0, NULL, 0, IKE_N_SIGNATURE_HASH_ALGORITHMS, sig_hash,
			   sizeof(sig_hash));
	return ike_msg_build_end(&b);
}

static bool view_in(const void *p, size_t len, const uint8_t *base, size_t blen)
{
	const uint8_t *q = p;

	if (len == 0)
		return true;
	return q != NULL && q >= base && q <= base + blen && len <= (size_t)(base + blen - q);
}

/* Every view of msg lies in [base, base + blen). */
static bool msg_in(const struct ike_msg *m, const uint8_t *base, size_t blen)
{
	bool ok = view_in(m->sa.body.p, m->sa.body.len, base, blen) &&
		  view_in(m->ke.data.p, m->ke.data.len, base, blen) &&
		  view_in(m->idi.body.p, m->idi.body.len, base, blen) &&
		  view_in(m->idr.body.p, m->idr.body.len, base, blen) &&
		  view_in(m->auth.data.p, m->auth.data.len, base, blen) &&
		  view_in(m->nonce.p, m->nonce.len, base, blen) &&
		  view_in(m->sk.body.p, m->sk.body.len, base, blen) &&
		  view_in(m->cp.p, m->cp.len, base, blen);

	for (unsigned i = 0; i < m->sa.n_props; i++)
		ok &= view_in(m->sa.props[i].spi, m->sa.props[i].spi_size, base, blen);
	for (unsigned i = 0; i < m->n_cert; i++)
		ok &= view_in(m->cert[i].data.p, m->cert[i].data.len, base, blen);
	for (unsigned i = 0; i < m->n_certreq; i++)
		ok &= view_in(m->certreq[i].data.p, m->certreq[i].data.len, base, blen);
	for (unsigned i = 0; i < m->n_n; i++)
		ok &= view_in(m->n[i].spi.p, m->n[i].spi.len, base, blen) &&
		      view_in(m->n[i].data.p, m->n[i].data.len, base, blen);
	for (unsigned i = 0; i < m->n_d; i++)
		ok &= view_in(m->d[i].spis, (size_t)m->d[i].n_spi * m->d[i].spi_size, base, blen);
	for (unsigned i = 0; i < m->n_v; i++)
		ok &= view_in(m->v[i].p, m->v[i].len, base, blen);
	for (unsigned i = 0; i < m->tsi.n; i++)
		ok &= view_in(m->tsi.ts[i].start, m->tsi.ts[i].addr_len, base, blen) &&
		      view_in(m->tsi.ts[i].end, m->tsi.ts[i].addr_len, base, blen);
	for (unsigned i = 0; i < m->tsr.n; i++)
		ok &= view_in(m->tsr.ts[i].start, m->tsr.ts[i].addr_len, base, blen) &&
		      view_in(m->tsr.ts[i].end, m->tsr.ts[i].addr_len, base, blen);
	return ok;
}

static void test_init_req_exact_bytes(void)
{
	uint8_t buf[512];
	long n;

	fixtures();
	CU_ASSERT_EQUAL_FATAL(sizeof(init_req), 262);
	n = build_init_req(buf, sizeof(buf));
	CU_ASSERT_EQUAL_FATAL(n, (long)sizeof(init_req));
	for (size_t i = 0; i < sizeof(init_req); i++)
		if (buf[i] != init_req[i]) {
			fprintf(stderr, "\n  octet %zu: built %02x, want %02x\n", i, buf[i],
				init_req[i]);
			CU_FAIL("built bytes differ");
			break;
		}
}

static void test_init_req_parse(void)
{
	static struct ike_msg m;
	const struct ike_notify_pl *n;
	const struct ike_transform *t;

	fixtures();
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(init_req, sizeof(init_req), &m), IKE_MSG_OK);
	CU_ASSERT_EQUAL(m.hdr.spi_i, SPI_I);
	CU_ASSERT_EQUAL(m.hdr.spi_r, 0);
	CU_ASSERT_EQUAL(m.hdr.next, IKE_PL_SA);
	CU_ASSERT_EQUAL(m.hdr.version, 0x20);
	CU_ASSERT_EQUAL(m.hdr.exchange, IKE_EXCH_IKE_SA_INIT);
	CU_ASSERT_EQUAL(m.hdr.flags, IKE_HDR_F_I);
	CU_ASSERT_EQUAL(m.hdr.msg_id, 0);
	CU_ASSERT_EQUAL(m.hdr.length, 262);
	CU_ASSERT_EQUAL_FATAL(m.n_sa, 1);
	CU_ASSERT_EQUAL(m.sa.body.p, init_req + 32);
	CU_ASSERT_EQUAL(m.sa.body.len, 44);
	CU_ASSERT_EQUAL_FATAL(m.sa.n_props, 1);
	CU_ASSERT_EQUAL(m.sa.props[0].num, 1);
	CU_ASSERT_EQUAL(m.sa.props[0].proto, IKE_PROTO_IKE);
	CU_ASSERT_EQUAL(m.sa.props[0].spi_size, 0);
	CU_ASSERT_EQUAL(m.sa.props[0].n_xforms, 4);
	CU_ASSERT_EQUAL(m.sa.props[0].first_xform, 0);
	CU_ASSERT_EQUAL_FATAL(m.sa.n_xforms, 4);
	t = m.sa.xforms;
	CU_ASSERT(t[0].type == IKE_XFORM_ENCR && t[0].id == IKE_ENCR_AES_CBC &&
		  t[0].key_len == 128 && !t[0].unknown_attr);
	CU_ASSERT(t[1].type == IKE_XFORM_PRF && t[1].id == IKE_PRF_HMAC_SHA2_256 && !t[1].key_len);
	CU_ASSERT(t[2].type == IKE_XFORM_INTEG && t[2].id == IKE_INTEG_HMAC_SHA2_256_128);
	CU_ASSERT(t[3].type == IKE_XFORM_DH && t[3].id == IKE_DH_ECP256);
	CU_ASSERT_EQUAL_FATAL(m.n_ke, 1);
	CU_ASSERT_EQUAL(m.ke.group, 19);
	CU_ASSERT(m.ke.data.p == init_req + 84 && m.ke.data.len == 64);
	CU_ASSERT(m.n_nonce == 1 && m.nonce.p == init_req + 152 && m.nonce.len == 32);
	CU_ASSERT_EQUAL_FATAL(m.n_n, 4);
	CU_ASSERT_EQUAL(m.n[0].type, IKE_N_NAT_DETECTION_SOURCE_IP);
	CU_ASSERT(m.n[0].data.len == 20 && memcmp(m.n[0].data.p, natd_src, 20) == 0);
	CU_ASSERT(m.n[0].proto == 0 && m.n[0].spi.len == 0);
	CU_ASSERT_EQUAL(m.n[1].type, IKE_N_NAT_DETECTION_DESTINATION_IP);
	CU_ASSERT(m.n[2].type == IKE_N_IKEV2_FRAGMENTATION_SUPPORTED && m.n[2].data.len == 0);
	n = ike_msg_notify_find(&m, IKE_N_SIGNATURE_HASH_ALGORITHMS);
	CU_ASSERT_FATAL(n != NULL);
	CU_ASSERT(n->data.len == 6 && memcmp(n->data.p, sig_hash, 6) == 0);
	CU_ASSERT_PTR_NULL(ike_msg_notify_find(&m, IKE_N_COOKIE));
	CU_ASSERT(m.n_idi == 0 && m.n_auth == 0 && m.n_sk == 0 && m.n_unknown == 0);
	CU_ASSERT(msg_in(&m, init_req, sizeof(init_req)));
}

/* ---- every payload kind ---- */

static uint8_t cert1[300], cert2[700], certreq_hashes[40], auth_sig[80], vid[16], cp_body[8];
static const uint8_t v4a[4] = { 192, 168, 10, 0 }, v4b[4] = { 192, 168, 10, 255 };
static const uint8_t v6a[16] = { 0x20, 0x01, 0x0d, 0xb8 }, v6b[16] = {
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t esp_spi[4] = { 0xc0, 0x01, 0xd0, 0x0d };
static const uint8_t del_spis[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };

static void all_fixtures(void)
{
	fixtures();
	for (size_t i = 0; i < sizeof(cert1); i++)
		cert1[i] = (uint8_t)(i * 7);
	for (size_t i = 0; i < sizeof(cert2); i++)
		cert2[i] = (uint8_t)(i * 13 + 1);
	memset(certreq_hashes, 0x5c, sizeof(certreq_hashes));
	memset(auth_sig, 0xa5, sizeof(auth_sig));
	memset(vid, 0x76, sizeof(vid));
	memset(cp_body, 0x01, sizeof(cp_body));
}

/* The inner payloads of an IKE_AUTH-like message with every kind. */
static int add_all(struct ike_build *b)
{
	static const uint8_t unknown[3] = { 1, 2, 3 };
	const struct ike_ts tsi[2] = {
		{ .type = IKE_TS_IPV4_ADDR_RANGE, .proto = 0, .sport = 0, .eport = 65535,
		  .start = v4a, .end = v4b },
		{ .type = IKE_TS_IPV6_ADDR_RANGE, .proto = 17, .sport = 500, .eport = 500,
		  .start = v6a, .end = v6b },
	};
	const struct ike_ts tsr = { .type = IKE_TS_IPV4_ADDR_RANGE, .proto = 6, .sport = 80,
				    .eport = 443, .start = v4a, .end = v4b };

	ike_msg_add_id(b, IKE_PL_IDI, IKE_ID_FQDN, "gw.lab", 6);
	ike_msg_add_cert(b, IKE_PL_CERT, IKE_CERT_X509_SIG, cert1, sizeof(cert1));
	ike_msg_add_cert(b, IKE_PL_CERT, IKE_CERT_X509_SIG, cert2, sizeof(cert2));
	ike_msg_add_cert(b, IKE_PL_CERTREQ, IKE_CERT_X509_SIG, certreq_hashes, 40);
	ike_msg_add_cert(b, IKE_PL_CERTREQ, IKE_CERT_X509_SIG, NULL, 0);
	ike_msg_add_notify(b, 0, NULL, 0, IKE_N_INITIAL_CONTACT, NULL, 0);
	ike_msg_add_id(b, IKE_PL_IDR, IKE_ID_DER_ASN1_DN, "\x30\x03\x31\x01\x00", 5);
	ike_msg_add_auth(b, IKE_AUTH_DIGITAL_SIGNATURE, auth_sig, sizeof(auth_sig));
	ike_msg_add_sa_begin(b);
	ike_msg_add_proposal(b, 1, IKE_PROTO_ESP, esp_spi, 4);
	ike_msg_add_transform(b, IKE_XFORM_ENCR, IKE_ENCR_AES_GCM_16, 256);
	ike_msg_add_transform(b, IKE_XFORM_ESN, IKE_ESN_NO, 0);
	ike_msg_add_proposal(b, 2, IKE_PROTO_ESP, esp_spi, 4);
	ike_msg_add_transform(b, IKE_XFORM_ENCR, IKE_ENCR_AES_CBC, 128);
	ike_msg_add_transform(b, IKE_XFORM_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0);
	ike_msg_add_transform(b, IKE_XFORM_ESN, IKE_ESN_NO, 0);
	ike_msg_add_sa_end(b);
	ike_msg_add_ts(b, IKE_PL_TSI, tsi, 2);
	ike_msg_add_ts(b, IKE_PL_TSR, &tsr, 1);
	ike_msg_add_notify(b, IKE_PROTO_ESP, esp_spi, 4, IKE_N_REKEY_SA, NULL, 0);
	ike_msg_add_delete(b, IKE_PROTO_ESP, 4, 3, del_spis);
	ike_msg_add_delete(b, IKE_PROTO_IKE, 0, 0, NULL);
	ike_msg_add_vendor(b, vid, sizeof(vid));
	ike_msg_add_ke(b, IKE_DH_CURVE25519, ke_data, 32);
	ike_msg_add_nonce(b, ni_data, sizeof(ni_data));
	ike_msg_add_raw(b, IKE_PL_CP, false, cp_body, sizeof(cp_body));
	ike_msg_add_raw(b, 200, false, unknown, sizeof(unknown));	/* skipped */
	return b->err;
}

static void check_all(const struct ike_msg *m)
{
	const struct ike_sa_pl *sa = &m->sa;

	CU_ASSERT(m->n_idi == 1 && m->idi.type == IKE_ID_FQDN && m->idi.data.len == 6 &&
		  memcmp(m->idi.data.p, "gw.lab", 6) == 0);
	CU_ASSERT(m->idi.body.len == 10 && m->idi.body.p + 4 == m->idi.data.p &&
		  m->idi.body.p[0] == IKE_ID_FQDN);
	CU_ASSERT(m->n_idr == 1 && m->idr.type == IKE_ID_DER_ASN1_DN && m->idr.data.len == 5);
	CU_ASSERT_EQUAL_FATAL(m->n_cert, 2);
	CU_ASSERT(m->cert[0].enc == IKE_CERT_X509_SIG && m->cert[0].data.len == sizeof(cert1) &&
		  memcmp(m->cert[0].data.p, cert1, sizeof(cert1)) == 0);
	CU_ASSERT(m->cert[1].data.len == sizeof(cert2) &&
		  memcmp(m->cert[1].data.p, cert2, sizeof(cert2)) == 0);
	CU_ASSERT_EQUAL_FATAL(m->n_certreq, 2);
	CU_ASSERT(m->certreq[0].data.len == 40 && m->certreq[1].data.len == 0);
	CU_ASSERT(m->n_auth == 1 && m->auth.method == IKE_AUTH_DIGITAL_SIGNATURE &&
		  m->auth.data.len == 80 && memcmp(m->auth.data.p, auth_sig, 80) == 0);
	CU_ASSERT_EQUAL_FATAL(m->n_sa, 1);
	CU_ASSERT_EQUAL_FATAL(sa->n_props, 2);
	CU_ASSERT_EQUAL_FATAL(sa->n_xforms, 5);
	CU_ASSERT(sa->props[0].num == 1 && sa->props[0].proto == IKE_PROTO_ESP &&
		  sa->props[0].spi_size == 4 && memcmp(sa->props[0].spi, esp_spi, 4) == 0 &&
		  sa->props[0].n_xforms == 2 && sa->props[0].first_xform == 0);
	CU_ASSERT(sa->props[1].num == 2 && sa->props[1].n_xforms == 3 &&
		  sa->props[1].first_xform == 2);
	CU_ASSERT(sa->xforms[0].id == IKE_ENCR_AES_GCM_16 && sa->xforms[0].key_len == 256);
	CU_ASSERT(sa->xforms[1].type == IKE_XFORM_ESN && sa->xforms[1].id == IKE_ESN_NO);
	CU_ASSERT(sa->xforms[3].type == IKE_XFORM_INTEG && sa->xforms[4].type == IKE_XFORM_ESN);
	CU_ASSERT_EQUAL_FATAL(m->n_tsi, 1);
	CU_ASSERT_EQUAL_FATAL(m->tsi.n, 2);
	CU_ASSERT(m->tsi.ts[0].type == IKE_TS_IPV4_ADDR_RANGE && m->tsi.ts[0].addr_len == 4 &&
		  m->tsi.ts[0].sport == 0 && m->tsi.ts[0].eport == 65535 &&
		  memcmp(m->tsi.ts[0].start, v4a, 4) == 0 && memcmp(m->tsi.ts[0].end, v4b, 4) == 0);
	CU_ASSERT(m->tsi.ts[1].type == IKE_TS_IPV6_ADDR_RANGE && m->tsi.ts[1].addr_len == 16 &&
		  m->tsi.ts[1].proto == 17 && m->tsi.ts[1].sport == 500 &&
		  memcmp(m->tsi.ts[1].start, v6a, 16) == 0 && memcmp(m->tsi.ts[1].end, v6b, 16) == 0);
	CU_ASSERT(m->n_tsr == 1 && m->tsr.n == 1 && m->tsr.ts[0].proto == 6 &&
		  m->tsr.ts[0].sport == 80 && m->tsr.ts[0].eport == 443);
	CU_ASSERT_EQUAL_FATAL(m->n_n, 2);
	CU_ASSERT(m->n[0].type == IKE_N_INITIAL_CONTACT);
	CU_ASSERT(m->n[1].type == IKE_N_REKEY_SA && m->n[1].proto == IKE_PROTO_ESP &&
		  m->n[1].spi.len == 4 && memcmp(m->n[1].spi.p, esp_spi, 4) == 0 &&
		  m->n[1].data.len == 0);
	CU_ASSERT_EQUAL_FATAL(m->n_d, 2);
	CU_ASSERT(m->d[0].proto == IKE_PROTO_ESP && m->d[0].spi_size == 4 && m->d[0].n_spi == 3 &&
		  memcmp(m->d[0].spis, del_spis, 12) == 0);
	CU_ASSERT(m->d[1].proto == IKE_PROTO_IKE && m->d[1].spi_size == 0 && m->d[1].n_spi == 0);
	CU_ASSERT(m->n_v == 1 && m->v[0].len == 16 && memcmp(m->v[0].p, vid, 16) == 0);
	CU_ASSERT(m->n_ke == 1 && m->ke.group == IKE_DH_CURVE25519 && m->ke.data.len == 32);
	CU_ASSERT(m->n_nonce == 1 && m->nonce.len == 32);
	CU_ASSERT(m->n_cp == 1 && m->cp.len == sizeof(cp_body));
	CU_ASSERT_EQUAL(m->n_unknown, 1);
}

enum { IV = 16, ICV = 16, BLOCK = 16 };

/* An IKE_AUTH request whose SK holds every payload kind (plaintext left
 * in place: encryption is not this module's). */
static long build_auth(uint8_t *buf, size_t cap, struct ike_sk_seam *seam)
{
	struct ike_build b;

	ike_msg_build_init(&b, buf, cap, SPI_I, 0x1112131415161718ull, IKE_EXCH_IKE_AUTH,
			   IKE_HDR_F_I, 1);
	ike_msg_sk_begin(&b, IV);
	add_all(&b);
	if (ike_msg_sk_end(&b, BLOCK, ICV, seam) != 0)
		return b.err;
	return ike_msg_build_end(&b);
}

static void test_sk_round_trip(void)
{
	static uint8_t buf[4096];
	static struct ike_msg m;
	struct ike_sk_seam s;
	struct ike_sk_parts parts;
	size_t inner_len;
	long n;

	all_fixtures();
	n = build_auth(buf, sizeof(buf), &s);
	CU_ASSERT_FATAL(n > 0);
	/* seam: SK right after the header, IV, padded plaintext, ICV at the end */
	CU_ASSERT_EQUAL(s.sk_off, IKE_HDR_LEN);
	CU_ASSERT_EQUAL(s.iv_off, IKE_HDR_LEN + 4);
	CU_ASSERT_EQUAL(s.iv_len, IV);
	CU_ASSERT_EQUAL(s.plain_off, IKE_HDR_LEN + 4 + IV);
	CU_ASSERT_EQUAL(s.plain_len % BLOCK, 0);
	CU_ASSERT_EQUAL(s.icv_off, s.plain_off + s.plain_len);
	CU_ASSERT_EQUAL(s.icv_off + ICV, (size_t)n);
	CU_ASSERT_EQUAL(s.msg_len, (size_t)n);
	/* header and SK header bytes */
	CU_ASSERT_EQUAL(buf[16], IKE_PL_SK);
	CU_ASSERT_EQUAL(buf[17], 0x20);
	CU_ASSERT_EQUAL(buf[18], IKE_EXCH_IKE_AUTH);
	CU_ASSERT_EQUAL(buf[23], 1);				/* message ID */
	CU_ASSERT_EQUAL((size_t)(buf[26] << 8 | buf[27]), (size_t)n);
	CU_ASSERT_EQUAL(buf[28], IKE_PL_IDI);			/* first inner payload */
	CU_ASSERT_EQUAL((size_t)(buf[30] << 8 | buf[31]), (size_t)n - IKE_HDR_LEN);
	CU_ASSERT_EQUAL(buf[s.icv_off - 1], buf[s.icv_off - 1] % BLOCK);	/* pad length */

	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(buf, (size_t)n, &m), IKE_MSG_OK);
	CU_ASSERT_EQUAL_FATAL(m.n_sk, 1);
	CU_ASSERT_EQUAL(m.sk.frag, 0);
	CU_ASSERT_EQUAL(m.sk.inner_next, IKE_PL_IDI);
	CU_ASSERT_EQUAL(m.sk.aad_len, s.iv_off);
	CU_ASSERT(m.sk.body.p == buf + s.iv_off && m.sk.body.len == (size_t)n - s.iv_off);
	CU_ASSERT_EQUAL(m.n_idi, 0);			/* nothing parsed inside yet */
	CU_ASSERT_EQUAL_FATAL(ike_msg_sk_split(&m, IV, ICV, BLOCK, &parts), IKE_MSG_OK);
	CU_ASSERT(parts.iv == buf + s.iv_off && parts.ct == buf + s.plain_off);
	CU_ASSERT(parts.ct_len == s.plain_len && parts.icv == buf + s.icv_off);
	CU_ASSERT(parts.integ_len == s.icv_off && parts.aad_len == s.iv_off);
	CU_ASSERT_EQUAL(ike_msg_sk_split(&m, IV, ICV, parts.ct_len + 1, &parts), IKE_MSG_SK_SPLIT);
	CU_ASSERT_EQUAL(ike_msg_sk_split(&m, IV, m.sk.body.len - IV, 1, &parts), IKE_MSG_SK_SPLIT);
	CU_ASSERT_EQUAL(ike_msg_sk_split(&m, IV, ICV, 0, &parts), IKE_MSG_SK_SPLIT);
	CU_ASSERT_EQUAL_FATAL(ike_msg_sk_split(&m, IV, ICV, BLOCK, &parts), IKE_MSG_OK);
	CU_ASSERT_EQUAL_FATAL(ike_msg_sk_unpad(parts.ct, parts.ct_len, &inner_len), IKE_MSG_OK);
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse_inner(&m, m.sk.inner_next, parts.ct, inner_len),
			      IKE_MSG_OK);
	check_all(&m);
	CU_ASSERT(msg_in(&m, buf, (size_t)n));
}

/* GCM-style: no alignment (block 1), 8-octet IV. */
static void test_sk_aead_seam(void)
{
	uint8_t buf[256];
	struct ike_build b;
	struct ike_sk_seam s;
	static struct ike_msg m;
	struct ike_sk_parts parts;
	size_t inner_len;

	all_fixtures();
	ike_msg_build_init(&b, buf, sizeof(buf), SPI_I, 9, IKE_EXCH_INFORMATIONAL,
			   IKE_HDR_F_R, 7);
	ike_msg_sk_begin(&b, 8);
	ike_msg_add_delete(&b, IKE_PROTO_IKE, 0, 0, NULL);
	CU_ASSERT_EQUAL_FATAL(ike_msg_sk_end(&b, 1, 16, &s), 0);
	CU_ASSERT_EQUAL(ike_msg_build_end(&b), IKE_HDR_LEN + 4 + 8 + 8 + 1 + 16);
	CU_ASSERT_EQUAL(s.plain_len, 9);		/* D (8) + pad length, no padding */
	CU_ASSERT_EQUAL(buf[s.plain_off + 8], 0);
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(buf, s.msg_len, &m), IKE_MSG_OK);
	CU_ASSERT(m.hdr.flags == IKE_HDR_F_R && m.hdr.msg_id == 7 && m.hdr.spi_r == 9);
	CU_ASSERT_EQUAL(m.sk.inner_next, IKE_PL_D);
	CU_ASSERT_EQUAL_FATAL(ike_msg_sk_split(&m, 8, 16, 1, &parts), IKE_MSG_OK);
	CU_ASSERT_EQUAL_FATAL(ike_msg_sk_unpad(parts.ct, parts.ct_len, &inner_len), IKE_MSG_OK);
	CU_ASSERT_EQUAL(inner_len, 8);
	CU_ASSERT_EQUAL(ike_msg_parse_inner(&m, m.sk.inner_next, parts.ct, inner_len), IKE_MSG_OK);
	CU_ASSERT(m.n_d == 1 && m.d[0].proto == IKE_PROTO_IKE);
	/* an empty SK (no inner payload) is legal: INFORMATIONAL liveness check */
	ike_msg_build_init(&b, buf, sizeof(buf), SPI_I, 9, IKE_EXCH_INFORMATIONAL, 0, 8);
	ike_msg_sk_begin(&b, 8);
	CU_ASSERT_EQUAL_FATAL(ike_msg_sk_end(&b, 16, 12, &s), 0);
	CU_ASSERT_EQUAL(s.plain_len, 16);
	CU_ASSERT_EQUAL(buf[s.icv_off - 1], 15);
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(buf, s.msg_len, &m), IKE_MSG_OK);
	CU_ASSERT_EQUAL(m.sk.inner_next, IKE_PL_NONE);
	CU_ASSERT_EQUAL_FATAL(ike_msg_sk_split(&m, 8, 12, 16, &parts), IKE_MSG_OK);
	CU_ASSERT_EQUAL_FATAL(ike_msg_sk_unpad(parts.ct, parts.ct_len, &inner_len), IKE_MSG_OK);
	CU_ASSERT_EQUAL(inner_len, 0);
	CU_ASSERT_EQUAL(ike_msg_parse_inner(&m, m.sk.inner_next, parts.ct, 0), IKE_MSG_OK);
	/* a pad length past the plaintext */
	CU_ASSERT_EQUAL(ike_msg_sk_unpad((const uint8_t *)"\x00\x05", 2, &inner_len),
			IKE_MSG_SK_PAD);
	CU_ASSERT_EQUAL(ike_msg_sk_unpad((const uint8_t *)"\x01\x01", 2, &inner_len), IKE_MSG_OK);
	CU_ASSERT_EQUAL(inner_len, 0);
	CU_ASSERT_EQUAL(ike_msg_sk_unpad(buf, 0, &inner_len), IKE_MSG_SK_PAD);
}

/* RFC 7383: the inner chain built header-less, cut into three SKF
 * messages, each parsed, the slices rejoined and parsed. */
static void test_skf_round_trip(void)
{
	static uint8_t inner[4096], frag[3][1024], joined[4096];
	static struct ike_msg m;
	struct ike_build b;
	struct ike_sk_seam s;
	struct ike_sk_parts parts;
	size_t joined_len = 0, slice, inner_len;
	long n;

	all_fixtures();
	ike_msg_build_init_inner(&b, inner, sizeof(inner));
	CU_ASSERT_EQUAL_FATAL(add_all(&b), 0);
	n = ike_msg_build_end(&b);
	CU_ASSERT_FATAL(n > 600);
	CU_ASSERT_EQUAL(b.first, IKE_PL_IDI);
	slice = ((size_t)n + 2) / 3;
	for (unsigned i = 0; i < 3; i++) {
		size_t off = i * slice, len = i < 2 ? slice : (size_t)n - off;
		struct ike_build f;
		long fl;

		ike_msg_build_init(&f, frag[i], sizeof(frag[i]), SPI_I, 1, IKE_EXCH_IKE_AUTH,
				   IKE_HDR_F_I, 1);
		ike_msg_skf_begin(&f, (uint16_t)(i + 1), 3, b.first, IV);
		ike_msg_add_bytes(&f, inner + off, len);
		CU_ASSERT_EQUAL_FATAL(ike_msg_sk_end(&f, BLOCK, ICV, &s), 0);
		fl = ike_msg_build_end(&f);
		CU_ASSERT_FATAL(fl > 0);
		CU_ASSERT_EQUAL(s.iv_off, IKE_HDR_LEN + IKE_SKF_HDR_LEN);
		CU_ASSERT_EQUAL(frag[i][16], IKE_PL_SKF);
		CU_ASSERT_EQUAL(frag[i][28], i == 0 ? IKE_PL_IDI : 0);
		CU_ASSERT_EQUAL((unsigned)(frag[i][32] << 8 | frag[i][33]), i + 1);
		CU_ASSERT_EQUAL(frag[i][34] << 8 | frag[i][35], 3);

		CU_ASSERT_EQUAL_FATAL(ike_msg_parse(frag[i], (size_t)fl, &m), IKE_MSG_OK);
		CU_ASSERT(m.n_sk == 1 && m.sk.frag == 1 && m.sk.frag_num == i + 1 &&
			  m.sk.frag_total == 3);
		CU_ASSERT_EQUAL(m.sk.inner_next, i == 0 ? IKE_PL_IDI : 0);
		CU_ASSERT_EQUAL(m.sk.aad_len, s.iv_off);	/* RFC 7383 2.5.3: with the SKF fields */
		CU_ASSERT_EQUAL_FATAL(ike_msg_sk_split(&m, IV, ICV, BLOCK, &parts), IKE_MSG_OK);
		CU_ASSERT_EQUAL_FATAL(ike_msg_sk_unpad(parts.ct, parts.ct_len, &inner_len),
				      IKE_MSG_OK);
		CU_ASSERT_EQUAL_FATAL(inner_len, len);
		memcpy(joined + joined_len, parts.ct, inner_len);
		joined_len += inner_len;
	}
	CU_ASSERT_EQUAL_FATAL(joined_len, (size_t)n);
	memset(&m, 0, sizeof(m));
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse_inner(&m, IKE_PL_IDI, joined, joined_len), IKE_MSG_OK);
	check_all(&m);
	/* the SK message carries the same inner bytes */
	{
		static uint8_t buf[4096];

		CU_ASSERT_FATAL(build_auth(buf, sizeof(buf), &s) > 0);
		CU_ASSERT_EQUAL(memcmp(buf + s.plain_off, inner, (size_t)n), 0);
	}
}

/* ---- malformed: byte patches of init_req ---- */

struct patch_case {
	const char *name;
	size_t off;
	unsigned width;		/* 1, 2 or 4 octets; 0: truncate to off (length kept) */
	uint32_t val;
	enum ike_msg_err want;
};

static const struct patch_case patch_cases[] = {
	{ "27 octets", 27, 0, 0, IKE_MSG_HDR_SHORT },
	{ "empty datagram", 0, 0, 0, IKE_MSG_HDR_SHORT },
	{ "header length one more", 24, 4, 263, IKE_MSG_HDR_LENGTH },
	{ "header length one less", 24, 4, 261, IKE_MSG_HDR_LENGTH },
	{ "header length 0", 24, 4, 0, IKE_MSG_HDR_LENGTH },
	{ "truncated, length kept", 200, 0, 0, IKE_MSG_HDR_LENGTH },
	{ "version 1.0 (IKEv1)", 17, 1, 0x10, IKE_MSG_HDR_NOT_V2 },
	{ "version 3.0", 17, 1, 0x30, IKE_MSG_HDR_MAJOR_VERSION },
	{ "version 2.1: minor ignored", 17, 1, 0x21, IKE_MSG_OK },
	{ "flags: X bits ignored", 19, 1, 0xc7 | IKE_HDR_F_I, IKE_MSG_OK },
	{ "initiator SPI zero", 0, 4, 0, IKE_MSG_OK },		/* half zero is fine */
	{ "first payload NONE", 16, 1, 0, IKE_MSG_PL_TRAILING },
	{ "SA payload length 0", 30, 2, 0, IKE_MSG_PL_LENGTH },
	{ "SA payload length 3", 30, 2, 3, IKE_MSG_PL_LENGTH },
	{ "SA payload length 4 (empty SA)", 30, 2, 4, IKE_MSG_SA_EMPTY },
	{ "SA payload length 65535", 30, 2, 65535, IKE_MSG_PL_TRUNCATED },
	{ "SA payload length 44: proposal exceeds it", 30, 2, 44, IKE_MSG_SA_PROP_LENGTH },
	{ "SA payload critical bit: ignored", 29, 1, 0x80, IKE_MSG_OK },
	{ "proposal length 45 (past the SA)", 34, 2, 45, IKE_MSG_SA_PROP_LENGTH },
	{ "proposal length 7", 34, 2, 7, IKE_MSG_SA_PROP_LENGTH },
	{ "proposal length 43", 34, 2, 43, IKE_MSG_SA_PROP_LAST },
	{ "proposal SPI size past the proposal", 38, 1, 40, IKE_MSG_SA_PROP_LENGTH },
	{ "proposal says more, none follows", 32, 1, IKE_PROP_MORE, IKE_MSG_SA_PROP_LAST },
	{ "5 transforms announced, 4 present", 39, 1, 5, IKE_MSG_SA_XFORM_COUNT },
	{ "3 transforms announced, 4 present", 39, 1, 3, IKE_MSG_SA_XFORM_COUNT },
	{ "transform says last, one follows", 40, 1, IKE_XFORM_LAST, IKE_MSG_SA_XFORM_LAST },
	{ "last transform says more", 68, 1, IKE_XFORM_MORE, IKE_MSG_SA_XFORM_LAST },
	{ "transform length 7", 42, 2, 7, IKE_MSG_SA_XFORM_LENGTH },
	{ "last transform exceeds its proposal", 70, 2, 12, IKE_MSG_SA_XFORM_LENGTH },
	{ "transform length 10: attribute cut", 42, 2, 10, IKE_MSG_SA_ATTR_LENGTH },
	{ "TLV attribute longer than its transform", 48, 2, 0x000e, IKE_MSG_SA_ATTR_LENGTH },
	{ "KE payload length 8: no data", 78, 2, 8, IKE_MSG_PL_LENGTH },
	{ "KE payload length past the message", 78, 2, 200, IKE_MSG_PL_TRUNCATED },
	{ "nonce of 15 octets", 150, 2, 19, IKE_MSG_NONCE_LENGTH },
	{ "notify SPI size past the payload", 189, 1, 25, IKE_MSG_N_SPI },
	{ "notify payload length 3", 186, 2, 3, IKE_MSG_PL_LENGTH },
	{ "last payload chains to N: truncated", 248, 1, IKE_PL_N, IKE_MSG_PL_TRUNCATED },
	{ "last payload one octet short", 250, 2, 13, IKE_MSG_PL_TRAILING },
	{ "last payload one octet long", 250, 2, 15, IKE_MSG_PL_TRUNCATED },
	{ "KE chains to KE: two KE", 76, 1, IKE_PL_KE, IKE_MSG_PL_TOO_MANY },
	{ "nonce becomes an unknown payload: skipped", 76, 1, 150, IKE_MSG_OK },
};

static void patch(uint8_t *buf, const struct patch_case *c, size_t *len)
{
	*len = sizeof(init_req);
	memcpy(buf, init_req, sizeof(init_req));
	switch (c->width) {
	case 0:
		*len = c->off;
		break;
	case 1:
		buf[c->off] = (uint8_t)c->val;
		break;
	case 2:
		buf[c->off] = (uint8_t)(c->val >> 8);
		buf[c->off + 1] = (uint8_t)c->val;
		break;
	default:
		for (unsigned i = 0; i < 4; i++)
			buf[c->off + i] = (uint8_t)(c->val >> (24 - 8 * i));
	}
}

static void test_malformed_patches(void)
{
	static uint8_t buf[sizeof(init_req)];
	static struct ike_msg m;

	for (size_t i = 0; i < ARRAY_LEN(patch_cases); i++) {
		const struct patch_case *c = &patch_cases[i];
		enum ike_msg_err got;
		size_t len;

		patch(buf, c, &len);
		got = ike_msg_parse(buf, len, &m);
		CU_ASSERT_EQUAL(got, c->want);
		if (got != c->want)
			fprintf(stderr, "\n  %s: got %s, want %s\n", c->name, ike_msg_err_str(got),
				ike_msg_err_str(c->want));
		CU_ASSERT(msg_in(&m, buf, len));
	}
	/* the unknown payload (type 150, non-critical) is skipped: the
	 * nonce's 36 octets disappear without complaint */
	patch(buf, &patch_cases[ARRAY_LEN(patch_cases) - 1], &(size_t){ 0 });
	CU_ASSERT_EQUAL(ike_msg_parse(buf, sizeof(buf), &m), IKE_MSG_OK);
	CU_ASSERT(m.n_unknown == 1 && m.n_nonce == 0 && m.n_n == 4);
	buf[149] = IKE_PL_F_CRITICAL;
	CU_ASSERT_EQUAL(ike_msg_parse(buf, sizeof(buf), &m), IKE_MSG_PL_CRITICAL);
	CU_ASSERT_EQUAL(m.crit_type, 150);
	CU_ASSERT_EQUAL(m.err_pl, 150);
	CU_ASSERT_EQUAL(m.err_off, 148);
	CU_ASSERT_EQUAL(m.hdr.spi_i, SPI_I);		/* for the response */
	CU_ASSERT_EQUAL(ike_msg_err_notify(IKE_MSG_PL_CRITICAL, false),
			IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD);
	/* the header is there for an INVALID_MAJOR_VERSION answer */
	memcpy(buf, init_req, sizeof(buf));
	buf[17] = 0x30;
	buf[23] = 0x2a;
	CU_ASSERT_EQUAL(ike_msg_parse(buf, sizeof(buf), &m), IKE_MSG_HDR_MAJOR_VERSION);
	CU_ASSERT(m.hdr.spi_i == SPI_I && m.hdr.msg_id == 0x2a && m.hdr.version == 0x30);
	CU_ASSERT_EQUAL(ike_msg_err_notify(IKE_MSG_HDR_MAJOR_VERSION, false),
			IKE_N_INVALID_MAJOR_VERSION);
	/* the zero initiator SPI */
	memcpy(buf, init_req, sizeof(buf));
	memset(buf, 0, 8);
	CU_ASSERT_EQUAL(ike_msg_parse(buf, sizeof(buf), &m), IKE_MSG_HDR_SPI_ZERO);
	/* where the error was */
	memcpy(buf, init_req, sizeof(buf));
	buf[189] = 25;
	CU_ASSERT_EQUAL(ike_msg_parse(buf, sizeof(buf), &m), IKE_MSG_N_SPI);
	CU_ASSERT(m.err_pl == IKE_PL_N && m.err_off == 184);
}

/* ---- malformed: messages built with odd contents ---- */

typedef void (*mal_fn)(struct ike_build *b);

static void mal_two_ke(struct ike_build *b)
{
	ike_msg_add_ke(b, 19, ke_data, 64);
	ike_msg_add_ke(b, 19, ke_data, 64);
}

static void mal_many_n(struct ike_build *b)
{
	for (unsigned i = 0; i <= IKE_MSG_MAX_N; i++)
		ike_msg_add_notify(b, 0, NULL, 0, (uint16_t)(40000 + i), NULL, 0);
}

static void mal_max_n(struct ike_build *b)
{
	for (unsigned i = 0; i < IKE_MSG_MAX_N; i++)
		ike_msg_add_notify(b, 0, NULL, 0, (uint16_t)(40000 + i), NULL, 0);
}

static void mal_many_cert(struct ike_build *b)
{
	for (unsigned i = 0; i <= IKE_MSG_MAX_CERT; i++)
		ike_msg_add_cert(b, IKE_PL_CERT, IKE_CERT_X509_SIG, cert1, 10);
}

static void mal_many_v(struct ike_build *b)
{
	for (unsigned i = 0; i <= IKE_MSG_MAX_V; i++)
		ike_msg_add_vendor(b, vid, 4);
}

static void mal_many_props(struct ike_build *b)
{
	ike_msg_add_sa_begin(b);
	for (unsigned i = 1; i <= IKE_MSG_MAX_PROPOSALS + 1; i++) {
		ike_msg_add_proposal(b, (uint8_t)i, IKE_PROTO_ESP, esp_spi, 4);
		ike_msg_add_transform(b, IKE_XFORM_ENCR, IKE_ENCR_AES_GCM_16, 128);
	}
	ike_msg_add_sa_end(b);
}

static void mal_many_xforms(struct ike_build *b)
{
	ike_msg_add_sa_begin(b);
	for (unsigned p = 1; p <= 2; p++) {
		ike_msg_add_proposal(b, (uint8_t)p, IKE_PROTO_IKE, NULL, 0);
		for (unsigned i = 0; i < (IKE_MSG_MAX_TRANSFORMS + 2) / 2; i++)
			ike_msg_add_transform(b, IKE_XFORM_DH, (uint16_t)i, 0);
	}
	ike_msg_add_sa_end(b);
}

static void mal_prop_numbers(struct ike_build *b)
{
	ike_msg_add_sa_begin(b);
	ike_msg_add_proposal(b, 1, IKE_PROTO_IKE, NULL, 0);
	ike_msg_add_transform(b, IKE_XFORM_DH, 19, 0);
	ike_msg_add_proposal(b, 3, IKE_PROTO_IKE, NULL, 0);
	ike_msg_add_transform(b, IKE_XFORM_DH, 19, 0);
	ike_msg_add_sa_end(b);
}

static void mal_unknown_attr(struct ike_build *b)
{
	/* one proposal, one transform with a TLV attribute (type 99, 2 octets) */
	static const uint8_t body[] = {
		0, 0, 0, 22, 1, 1, 0, 1,
		0, 0, 0, 14, 1, 0, 0, 12, 0x00, 99, 0x00, 0x02, 0xab, 0xcd,
	};

	ike_msg_add_raw(b, IKE_PL_SA, false, body, sizeof(body));
}

static void mal_many_ts(struct ike_build *b)
{
	struct ike_ts ts[IKE_MSG_MAX_TS + 1];

	for (unsigned i = 0; i < ARRAY_LEN(ts); i++)
		ts[i] = (struct ike_ts){ .type = IKE_TS_IPV4_ADDR_RANGE, .start = v4a, .end = v4b };
	ike_msg_add_ts(b, IKE_PL_TSI, ts, ARRAY_LEN(ts));
}

static void mal_ts_zero(struct ike_build *b)
{
	ike_msg_add_raw(b, IKE_PL_TSI, false, "\0\0\0", 4);
}

static void mal_ts_v4_len40(struct ike_build *b)
{
	uint8_t body[4 + 40] = { 1, 0, 0, 0, IKE_TS_IPV4_ADDR_RANGE, 0, 0, 40 };

	ike_msg_add_raw(b, IKE_PL_TSR, false, body, sizeof(body));
}

static void mal_ts_count_short(struct ike_build *b)
{
	uint8_t body[4 + 16] = { 2, 0, 0, 0, IKE_TS_IPV4_ADDR_RANGE, 0, 0, 16 };

	ike_msg_add_raw(b, IKE_PL_TSR, false, body, sizeof(body));
}

static void mal_ts_unknown_type(struct ike_build *b)
{
	uint8_t body[4 + 12] = { 1, 0, 0, 0, 9, 0, 0, 12 };

	ike_msg_add_raw(b, IKE_PL_TSR, false, body, sizeof(body));
}

static void mal_delete_count(struct ike_build *b)
{
	static const uint8_t body[] = { IKE_PROTO_ESP, 4, 0, 2, 1, 2, 3, 4 };

	ike_msg_add_raw(b, IKE_PL_D, false, body, sizeof(body));
}

static void mal_nonce_257(struct ike_build *b)
{
	static uint8_t big[257];

	ike_msg_add_nonce(b, big, sizeof(big));
}

static void mal_nonce_256(struct ike_build *b)
{
	static uint8_t big[256];

	ike_msg_add_nonce(b, big, sizeof(big));
}

static void mal_id_empty(struct ike_build *b)
{
	ike_msg_add_id(b, IKE_PL_IDI, IKE_ID_FQDN, NULL, 0);
}

static void mal_cert_empty(struct ike_build *b)
{
	ike_msg_add_cert(b, IKE_PL_CERT, IKE_CERT_X509_SIG, NULL, 0);
}

static void mal_auth_empty(struct ike_build *b)
{
	ike_msg_add_auth(b, IKE_AUTH_RSA_SIG, NULL, 0);
}

static void mal_critical(struct ike_build *b)
{
	ike_msg_add_raw(b, 222, true, "x", 1);
}

static void mal_noncritical(struct ike_build *b)
{
	ike_msg_add_raw(b, 222, false, "x", 1);
}

static void mal_zero_len_v(struct ike_build *b)
{
	ike_msg_add_vendor(b, NULL, 0);		/* a 4-octet payload is well formed */
}

static void mal_sk_not_last(struct ike_build *b)
{
	ike_msg_add_raw(b, IKE_PL_SK, false, ke_data, 48);
	ike_msg_add_vendor(b, vid, 4);
}

static void mal_sk_empty(struct ike_build *b)
{
	ike_msg_add_raw(b, IKE_PL_SK, false, NULL, 0);
}

static void mal_skf_zero(struct ike_build *b)
{
	static const uint8_t body[] = { 0, 0, 0, 2, 1, 2, 3, 4 };

	ike_msg_add_raw(b, IKE_PL_SKF, false, body, sizeof(body));
}

static void mal_skf_above(struct ike_build *b)
{
	static const uint8_t body[] = { 0, 3, 0, 2, 1, 2, 3, 4 };

	ike_msg_add_raw(b, IKE_PL_SKF, false, body, sizeof(body));
}

static void mal_skf_no_body(struct ike_build *b)
{
	static const uint8_t body[] = { 0, 1, 0, 2 };

	ike_msg_add_raw(b, IKE_PL_SKF, false, body, sizeof(body));
}

static void mal_skf_next_in_second(struct ike_build *b)
{
	static const uint8_t body[] = { 0, 2, 0, 2, 1, 2, 3, 4 };

	ike_msg_add_raw(b, IKE_PL_SKF, false, body, sizeof(body));
	b->buf[b->len - sizeof(body) - 4] = IKE_PL_IDI;		/* its Next Payload */
}

static void mal_two_sk(struct ike_build *b)
{
	ike_msg_add_raw(b, IKE_PL_SK, false, ke_data, 20);
	ike_msg_add_raw(b, IKE_PL_SKF, false, "\0\1\0\1abcd", 8);
}

static const struct {
	const char *name;
	mal_fn fn;
	enum ike_msg_err want;
} built_cases[] = {
	{ "two KE", mal_two_ke, IKE_MSG_PL_TOO_MANY },
	{ "25 notifies", mal_many_n, IKE_MSG_PL_TOO_MANY },
	{ "24 notifies", mal_max_n, IKE_MSG_OK },
	{ "9 certificates", mal_many_cert, IKE_MSG_PL_TOO_MANY },
	{ "13 vendor IDs", mal_many_v, IKE_MSG_PL_TOO_MANY },
	{ "33 proposals", mal_many_props, IKE_MSG_SA_PROP_TOO_MANY },
	{ "194 transforms", mal_many_xforms, IKE_MSG_SA_XFORM_TOO_MANY },
	{ "proposals 1, 3", mal_prop_numbers, IKE_MSG_SA_PROP_NUM },
	{ "unknown attribute kept", mal_unknown_attr, IKE_MSG_OK },
	{ "17 selectors", mal_many_ts, IKE_MSG_TS_TOO_MANY },
	{ "zero selectors", mal_ts_zero, IKE_MSG_TS_COUNT },
	{ "IPv4 selector of 40 octets", mal_ts_v4_len40, IKE_MSG_TS_LENGTH },
	{ "two selectors announced, one present", mal_ts_count_short, IKE_MSG_TS_COUNT },
	{ "unknown selector type kept", mal_ts_unknown_type, IKE_MSG_OK },
	{ "delete: 2 SPIs announced, 1 present", mal_delete_count, IKE_MSG_D_LENGTH },
	{ "nonce of 257 octets", mal_nonce_257, IKE_MSG_NONCE_LENGTH },
	{ "nonce of 256 octets", mal_nonce_256, IKE_MSG_OK },
	{ "ID without data", mal_id_empty, IKE_MSG_PL_LENGTH },
	{ "CERT without data", mal_cert_empty, IKE_MSG_PL_LENGTH },
	{ "AUTH without data", mal_auth_empty, IKE_MSG_PL_LENGTH },
	{ "unknown critical payload", mal_critical, IKE_MSG_PL_CRITICAL },
	{ "unknown payload skipped", mal_noncritical, IKE_MSG_OK },
	{ "empty vendor ID", mal_zero_len_v, IKE_MSG_OK },
	{ "SK not last", mal_sk_not_last, IKE_MSG_PL_NOT_LAST },
	{ "SK without ciphertext", mal_sk_empty, IKE_MSG_SK_EMPTY },
	{ "SKF number 0", mal_skf_zero, IKE_MSG_SKF_NUMBER },
	{ "SKF number above total", mal_skf_above, IKE_MSG_SKF_NUMBER },
	{ "SKF without ciphertext", mal_skf_no_body, IKE_MSG_SK_EMPTY },
	{ "SKF 2 with a next payload", mal_skf_next_in_second, IKE_MSG_SKF_NUMBER },
	{ "SK then SKF", mal_two_sk, IKE_MSG_PL_NOT_LAST },
};

static void test_malformed_built(void)
{
	static uint8_t buf[8192];
	static struct ike_msg m;

	all_fixtures();
	for (size_t i = 0; i < ARRAY_LEN(built_cases); i++) {
		struct ike_build b;
		enum ike_msg_err got;
		long n;

		ike_msg_build_init(&b, buf, sizeof(buf), SPI_I, 0, IKE_EXCH_IKE_SA_INIT,
				   IKE_HDR_F_I, 0);
		built_cases[i].fn(&b);
		n = ike_msg_build_end(&b);
		CU_ASSERT_FATAL(n > 0);
		got = ike_msg_parse(buf, (size_t)n, &m);
		CU_ASSERT_EQUAL(got, built_cases[i].want);
		if (got != built_cases[i].want)
			fprintf(stderr, "\n  %s: got %s, want %s\n", built_cases[i].name,
				ike_msg_err_str(got), ike_msg_err_str(built_cases[i].want));
		CU_ASSERT(msg_in(&m, buf, (size_t)n));
		if (built_cases[i].fn == mal_unknown_attr)
			CU_ASSERT(m.sa.n_xforms == 1 && m.sa.xforms[0].unknown_attr &&
				  m.sa.xforms[0].key_len == 0);
		if (built_cases[i].fn == mal_ts_unknown_type)
			CU_ASSERT(m.tsr.n == 1 && m.tsr.ts[0].type == 9 && m.tsr.ts[0].start == NULL);
	}
}

/* Malformed inner payloads: answered with INVALID_SYNTAX once
 * authenticated; SK inside SK refused. */
static void test_malformed_inner(void)
{
	static uint8_t buf[8192];
	static struct ike_msg m;
	struct ike_build b;
	long n;

	all_fixtures();
	ike_msg_build_init_inner(&b, buf, sizeof(buf));
	mal_delete_count(&b);
	n = ike_msg_build_end(&b);
	CU_ASSERT_FATAL(n > 0);
	memset(&m, 0, sizeof(m));
	CU_ASSERT_EQUAL(ike_msg_parse_inner(&m, b.first, buf, (size_t)n), IKE_MSG_D_LENGTH);
	CU_ASSERT_EQUAL(ike_msg_err_notify(IKE_MSG_D_LENGTH, true), IKE_N_INVALID_SYNTAX);
	CU_ASSERT_EQUAL(ike_msg_err_notify(IKE_MSG_D_LENGTH, false), 0);

	ike_msg_build_init_inner(&b, buf, sizeof(buf));
	ike_msg_add_raw(&b, IKE_PL_SK, false, ke_data, 32);
	n = ike_msg_build_end(&b);
	memset(&m, 0, sizeof(m));
	CU_ASSERT_EQUAL(ike_msg_parse_inner(&m, b.first, buf, (size_t)n), IKE_MSG_PL_NESTED);
	CU_ASSERT_EQUAL(ike_msg_parse_inner(&m, IKE_PL_SKF, buf, (size_t)n), IKE_MSG_PL_NESTED);
	/* an inner chain that names a first payload but is empty */
	CU_ASSERT_EQUAL(ike_msg_parse_inner(&m, IKE_PL_N, buf, 0), IKE_MSG_PL_TRUNCATED);
	CU_ASSERT_EQUAL(ike_msg_parse_inner(&m, IKE_PL_NONE, buf, 0), IKE_MSG_OK);
	CU_ASSERT_EQUAL(ike_msg_parse_inner(&m, IKE_PL_NONE, buf, 4), IKE_MSG_PL_TRAILING);
}

/* ---- truncation and overwrite loops ---- */

static bool drop_or_syntax(enum ike_msg_err e)
{
	uint16_t n = ike_msg_err_notify(e, true);

	return e != IKE_MSG_OK && (n == 0 || n == IKE_N_INVALID_SYNTAX);
}

static void truncate_all(const uint8_t *msg, size_t len)
{
	static uint8_t buf[4096];
	static struct ike_msg m;
	unsigned bad = 0;

	for (size_t cut = 0; cut < len; cut++) {
		enum ike_msg_err raw, fixed;

		memcpy(buf, msg, cut);
		/* as received: the header length no longer matches */
		raw = ike_msg_parse(buf, cut, &m);
		if (ike_msg_err_class(raw) != IKE_MSG_CLASS_DROP)
			bad++;
		/* and with the header length patched to reach the payloads */
		if (cut >= IKE_HDR_LEN) {
			buf[24] = buf[25] = 0;
			buf[26] = (uint8_t)(cut >> 8);
			buf[27] = (uint8_t)cut;
			fixed = ike_msg_parse(buf, cut, &m);
			if (!drop_or_syntax(fixed) || !msg_in(&m, buf, cut))
				bad++;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static void test_truncate_every_offset(void)
{
	static uint8_t auth[4096], inner[4096];
	static struct ike_msg m;
	struct ike_sk_seam s;
	struct ike_build b;
	unsigned bad = 0;
	long n;

	all_fixtures();
	truncate_all(init_req, sizeof(init_req));
	n = build_auth(auth, sizeof(auth), &s);
	CU_ASSERT_FATAL(n > 0);
	truncate_all(auth, (size_t)n);
	/* the inner chain, cut anywhere: INVALID_SYNTAX, never OK */
	ike_msg_build_init_inner(&b, inner, sizeof(inner));
	add_all(&b);
	n = ike_msg_build_end(&b);
	CU_ASSERT_FATAL(n > 0);
	for (size_t cut = 0; cut < (size_t)n; cut++) {
		enum ike_msg_err e;

		memset(&m, 0, sizeof(m));
		e = ike_msg_parse_inner(&m, b.first, inner, cut);
		if (ike_msg_err_notify(e, true) != IKE_N_INVALID_SYNTAX || !msg_in(&m, inner, cut))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* Every octet of the messages overwritten with a few values: the parser
 * returns (whatever it says) and every view stays inside the input. */
static void overwrite_all(const uint8_t *msg, size_t len, bool inner, uint8_t first)
{
	static const uint8_t vals[] = { 0x00, 0x01, 0x03, 0x07, 0x80, 0xfe, 0xff };
	static uint8_t buf[4096];
	static struct ike_msg m;
	unsigned bad = 0;

	for (size_t i = 0; i < len; i++)
		for (size_t v = 0; v < ARRAY_LEN(vals) + 2; v++) {
			enum ike_msg_err e;

			memcpy(buf, msg, len);
			buf[i] = v < ARRAY_LEN(vals) ? vals[v] : (uint8_t)(msg[i] + (v & 1 ? 1 : -1));
			memset(&m, 0, sizeof(m));
			e = inner ? ike_msg_parse_inner(&m, first, buf, len) :
				    ike_msg_parse(buf, len, &m);
			if ((unsigned)e >= IKE_MSG_ERR_COUNT || !msg_in(&m, buf, len))
				bad++;
		}
	CU_ASSERT_EQUAL(bad, 0);
}

static void test_overwrite_every_octet(void)
{
	static uint8_t auth[4096], inner[4096];
	struct ike_sk_seam s;
	struct ike_build b;
	long n;

	all_fixtures();
	overwrite_all(init_req, sizeof(init_req), false, 0);
	n = build_auth(auth, sizeof(auth), &s);
	CU_ASSERT_FATAL(n > 0);
	overwrite_all(auth, (size_t)n, false, 0);
	ike_msg_build_init_inner(&b, inner, sizeof(inner));
	add_all(&b);
	n = ike_msg_build_end(&b);
	CU_ASSERT_FATAL(n > 0);
	overwrite_all(inner, (size_t)n, true, b.first);
}

/* ---- builder errors ---- */

static void test_build_errors(void)
{
	static uint8_t buf[70000 + 64], big[70000];
	uint8_t small[600];
	struct ike_build b;
	struct ike_sk_seam s;
	long full;

	fixtures();
	/* every buffer size short of the message: -ENOSPC, nothing written past it */
	full = build_init_req(buf, sizeof(buf));
	CU_ASSERT_FATAL(full == 262);
	for (size_t cap = 0; cap < (size_t)full; cap++) {
		memset(small, 0xee, sizeof(small));
		CU_ASSERT_EQUAL(build_init_req(small, cap), -ENOSPC);
		for (size_t i = cap; i < sizeof(small); i++)
			if (small[i] != 0xee) {
				CU_FAIL("write past the buffer");
				break;
			}
	}
	/* 65535 octets fit one message, 65536 do not */
	ike_msg_build_init(&b, buf, sizeof(buf), SPI_I, 0, IKE_EXCH_IKE_AUTH, 0, 1);
	CU_ASSERT_EQUAL(ike_msg_add_cert(&b, IKE_PL_CERT, IKE_CERT_X509_SIG, big,
					 IKE_MSG_MAX - IKE_HDR_LEN - 5), 0);
	CU_ASSERT_EQUAL(ike_msg_build_end(&b), IKE_MSG_MAX);
	ike_msg_build_init(&b, buf, sizeof(buf), SPI_I, 0, IKE_EXCH_IKE_AUTH, 0, 1);
	CU_ASSERT_EQUAL(ike_msg_add_cert(&b, IKE_PL_CERT, IKE_CERT_X509_SIG, big,
					 IKE_MSG_MAX - IKE_HDR_LEN - 4), -EMSGSIZE);
	CU_ASSERT_EQUAL(ike_msg_build_end(&b), -EMSGSIZE);
	ike_msg_build_init_inner(&b, buf, sizeof(buf));
	CU_ASSERT_EQUAL(ike_msg_add_cert(&b, IKE_PL_CERT, IKE_CERT_X509_SIG, big, 65535 - 4),
			-EMSGSIZE);
	/* misuse */
	ike_msg_build_init(&b, buf, sizeof(buf), SPI_I, 0, IKE_EXCH_IKE_AUTH, 0, 1);
	CU_ASSERT_EQUAL(ike_msg_add_transform(&b, 1, 12, 128), -EINVAL);	/* no SA */
	ike_msg_build_init(&b, buf, sizeof(buf), SPI_I, 0, IKE_EXCH_IKE_AUTH, 0, 1);
	ike_msg_add_sa_begin(&b);
	CU_ASSERT_EQUAL(ike_msg_add_transform(&b, 1, 12, 128), -EINVAL);	/* no proposal */
	ike_msg_build_init(&b, buf, sizeof(buf), SPI_I, 0, IKE_EXCH_IKE_AUTH, 0, 1);
	ike_msg_add_sa_begin(&b);
	CU_ASSERT_EQUAL(ike_msg_add_sa_end(&b), -EINVAL);			/* empty SA */
	ike_msg_build_init(&b, buf, sizeof(buf), SPI_I, 0, IKE_EXCH_IKE_AUTH, 0, 1);
	ike_msg_add_sa_begin(&b);
	ike_msg_add_proposal(&b, 1, 1, NULL, 0);
	CU_ASSERT_EQUAL(ike_msg_add_nonce(&b, ni_data, 32), -EINVAL);		/* SA open */
	CU_ASSERT_EQUAL(ike_msg_build_end(&b), -EINVAL);
	ike_msg_build_init(&b, buf, sizeof(buf), SPI_I, 0, IKE_EXCH_IKE_AUTH, 0, 1);
	ike_msg_add_sa_begin(&b);
	ike_msg_add_proposal(&b, 1, 1, NULL, 0);
	CU_ASSERT_EQUAL(ike_msg_build_end(&b), -EINVAL);			/* SA never ended */
	ike_msg_build_init(&b, buf, sizeof(buf), SPI_I, 0, IKE_EXCH_IKE_AUTH, 0, 1);
	CU_ASSERT_EQUAL(ike_msg_sk_end(&b, 16, 16, &s), -EINVAL);		/* no SK */
	ike_msg_build_init(&b, buf, sizeof(buf), SPI_I, 0, IKE_EXCH_IKE_AUTH, 0, 1);
	ike_msg_sk_begin(&b, 16);
	CU_ASSERT_EQUAL(ike_msg_build_end(&b), -EINVAL);			/* SK not closed */
	ike_msg_build_init(&b, buf, sizeof(buf), SPI_I, 0, IKE_EXCH_IKE_AUTH, 0, 1);
	ike_msg_sk_begin(&b, 16);
	CU_ASSERT_EQUAL(ike_msg_sk_end(&b, 16, 16, &s), 0);
	CU_ASSERT_EQUAL(ike_msg_build_end(&b), (long)s.msg_len);
	CU_ASSERT_EQUAL(ike_msg_add_nonce(&b, ni_data, 32), -EINVAL);		/* after the end */
	ike_msg_build_init(&b, buf, sizeof(buf), SPI_I, 0, IKE_EXCH_IKE_AUTH, 0, 1);
	ike_msg_skf_begin(&b, 1, 2, IKE_PL_IDI, 16);
	CU_ASSERT_EQUAL(ike_msg_add_nonce(&b, ni_data, 32), -EINVAL);		/* SKF: bytes only */
	ike_msg_build_init(&b, buf, sizeof(buf), SPI_I, 0, IKE_EXCH_IKE_AUTH, 0, 1);
	CU_ASSERT_EQUAL(ike_msg_add_bytes(&b, ni_data, 4), -EINVAL);		/* outside SKF */
	ike_msg_build_init(&b, buf, sizeof(buf), SPI_I, 0, IKE_EXCH_IKE_AUTH, 0, 1);
	CU_ASSERT_EQUAL(ike_msg_skf_begin(&b, 3, 2, 0, 16), -EINVAL);		/* 3 of 2 */
	ike_msg_build_init(&b, buf, sizeof(buf), SPI_I, 0, IKE_EXCH_IKE_AUTH, 0, 1);
	CU_ASSERT_EQUAL(ike_msg_add_id(&b, IKE_PL_AUTH, 1, "a", 1), -EINVAL);
	ike_msg_build_init_inner(&b, buf, sizeof(buf));
	CU_ASSERT_EQUAL(ike_msg_sk_begin(&b, 16), -EINVAL);			/* no header */
	ike_msg_build_init(&b, buf, sizeof(buf), SPI_I, 0, IKE_EXCH_IKE_AUTH, 0, 1);
	CU_ASSERT_EQUAL(ike_msg_add_ts(&b, IKE_PL_TSI,
				       &(struct ike_ts){ .type = 9, .start = v4a, .end = v4b }, 1),
			-EINVAL);
	/* a sticky error survives later good calls */
	CU_ASSERT_EQUAL(ike_msg_add_nonce(&b, ni_data, 32), -EINVAL);
}

/* ---- names and the error rule ---- */

static void test_names_and_rule(void)
{
	CU_ASSERT_STRING_EQUAL(ike_exchange_name(IKE_EXCH_IKE_SA_INIT), "IKE_SA_INIT");
	CU_ASSERT_STRING_EQUAL(ike_exchange_name(37), "INFORMATIONAL");
	CU_ASSERT_STRING_EQUAL(ike_exchange_name(33), "?");
	CU_ASSERT_STRING_EQUAL(ike_payload_name(IKE_PL_SKF), "SKF");
	CU_ASSERT_STRING_EQUAL(ike_payload_name(IKE_PL_IDI), "IDi");
	CU_ASSERT_STRING_EQUAL(ike_payload_name(99), "?");
	CU_ASSERT_STRING_EQUAL(ike_notify_name(7), "INVALID_SYNTAX");
	CU_ASSERT_STRING_EQUAL(ike_notify_name(17), "INVALID_KE_PAYLOAD");
	CU_ASSERT_STRING_EQUAL(ike_notify_name(16430), "IKEV2_FRAGMENTATION_SUPPORTED");
	CU_ASSERT_STRING_EQUAL(ike_notify_name(16431), "SIGNATURE_HASH_ALGORITHMS");
	CU_ASSERT_STRING_EQUAL(ike_notify_name(16391), "USE_TRANSPORT_MODE");
	CU_ASSERT_STRING_EQUAL(ike_notify_name(12345), "?");
	CU_ASSERT_STRING_EQUAL(ike_id_type_name(IKE_ID_DER_ASN1_DN), "DER_ASN1_DN");
	CU_ASSERT_STRING_EQUAL(ike_auth_method_name(14), "DIGITAL_SIGNATURE");
	CU_ASSERT_STRING_EQUAL(ike_auth_method_name(13), "NULL_AUTH");
	CU_ASSERT_STRING_EQUAL(ike_cert_enc_name(4), "X509_SIG");
	CU_ASSERT_STRING_EQUAL(ike_hash_alg_name(2), "SHA2_256");
	CU_ASSERT(ike_notify_is_error(IKE_N_TS_UNACCEPTABLE));
	CU_ASSERT(!ike_notify_is_error(IKE_N_COOKIE));
	CU_ASSERT(!ike_notify_is_error(0));

	for (int e = 0; e < IKE_MSG_ERR_COUNT; e++) {
		enum ike_msg_err_class c = ike_msg_err_class((enum ike_msg_err)e);

		CU_ASSERT(strlen(ike_msg_err_str((enum ike_msg_err)e)) > 1);
		CU_ASSERT_EQUAL(c == IKE_MSG_CLASS_NONE, e == IKE_MSG_OK);
		/* unauthenticated: never INVALID_SYNTAX (3.10.1) */
		CU_ASSERT(ike_msg_err_notify((enum ike_msg_err)e, false) != IKE_N_INVALID_SYNTAX);
		if (c == IKE_MSG_CLASS_DROP || c == IKE_MSG_CLASS_NONE)
			CU_ASSERT_EQUAL(ike_msg_err_notify((enum ike_msg_err)e, true), 0);
		if (c == IKE_MSG_CLASS_SYNTAX)
			CU_ASSERT_EQUAL(ike_msg_err_notify((enum ike_msg_err)e, true),
					IKE_N_INVALID_SYNTAX);
	}
	CU_ASSERT_EQUAL(ike_msg_err_notify(IKE_MSG_HDR_MAJOR_VERSION, false),
			IKE_N_INVALID_MAJOR_VERSION);
	CU_ASSERT_EQUAL(ike_msg_err_notify(IKE_MSG_HDR_LENGTH, true), 0);
	CU_ASSERT_EQUAL(ike_msg_err_notify(IKE_MSG_SKF_NUMBER, true), 0);
	CU_ASSERT_EQUAL(ike_msg_err_class((enum ike_msg_err)1000), IKE_MSG_CLASS_DROP);
	CU_ASSERT_STRING_EQUAL(ike_msg_err_str((enum ike_msg_err)1000), "?");
}

int main(void)
{
	static const struct test_case tests[] = {
		{ "IKE_SA_INIT built byte for byte (RFC 7296 figures)", test_init_req_exact_bytes },
		{ "IKE_SA_INIT parsed field by field", test_init_req_parse },
		{ "every payload kind through SK: build, split, unpad, parse", test_sk_round_trip },
		{ "AEAD seam and empty SK", test_sk_aead_seam },
		{ "RFC 7383 SKF fragments and reassembled inner chain", test_skf_round_trip },
		{ "malformed: byte patches", test_malformed_patches },
		{ "malformed: built messages, limits", test_malformed_built },
		{ "malformed inner payloads", test_malformed_inner },
		{ "truncated at every offset", test_truncate_every_offset },
		{ "every octet overwritten", test_overwrite_every_octet },
		{ "builder errors", test_build_errors },
		{ "names and the error rule", test_names_and_rule },
	};

	if (test_suite("ike_msg", NULL, NULL, tests, ARRAY_LEN(tests)) != 0)
		return 1;
	return test_run();
}
