/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IKEv1 engine (controlplane/ikev1/) without a real peer: the test
 * plays the peer.  It holds the peer's copy of an ISAKMP SA's keys and
 * phase-1 IV, builds and encrypts the peer's Quick Mode and informational
 * messages with the codec (ikev1_msg.h, ikev1_keys.h) into
 * ikev1_rx_dgram(), and decrypts what the gateway sends (captured with
 * ikev1_set_tx).  The data plane runs (dp_init with null ports, workers
 * not launched), so installs and retires are real.
 *   - SIG_I/SIG_R: RSA (PKCS#1 v1.5 without DigestInfo, checked by
 *     OpenSSL's verify-recover) and ECDSA P-256 (r | s over the bare hash,
 *     checked by ECDSA_do_verify); tampering and method mismatches refused;
 *   - proxy IDs: subnets, addresses, ranges that are one prefix, the rest
 *     refused; ours round-trip;
 *   - Quick Mode as responder: HASH(2) and the chosen transform; the
 *     inbound SA installed with message 2, the outbound one (the tunnel's
 *     traffic) only with message 3; a repeated message 1 answered with the
 *     same message 2; a message 1 with a bad HASH(1) dropped; proxy IDs
 *     outside the configuration refused with INVALID-ID-INFORMATION;
 *   - Quick Mode rekey as initiator: HASH(1), our transforms, HASH(3);
 *     the new inbound SA at once, the tunnel's outbound switched only a
 *     moment after message 3, then the old pair retired and DELETEd;
 *   - informational: DELETE of an IPsec SA and of the ISAKMP SA honoured,
 *     R-U-THERE answered with the same sequence number, a bad HASH(1)
 *     ignored, the same R-U-THERE in fragments (reassembled out of order);
 *   - reauthentication: a newer ISAKMP SA of the same peer adopts the
 *     IPsec SAs (fast path untouched), the older one is deleted 10 s later
 *     with its ISAKMP DELETE alone;
 *   - ikev1_delete: the IPsec SAs' DELETE (also after a batch retire freed
 *     the slots), then the ISAKMP SA's, then the SA is dead.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <rte_common.h>

#include "cfg/cfg.h"
#include "common/gw_esp.h"
#include "controlplane/cp_sa.h"
#include "controlplane/ike/ike_proposal.h"
#include "controlplane/ike/ike_sa.h"
#include "controlplane/ikev1/ikev1.h"
#include "controlplane/ikev1/ikev1_int.h"
#include "controlplane/ikev1/ikev1_keys.h"
#include "controlplane/ikev1/ikev1_msg.h"
#include "controlplane/ikev2/ikev2.h"
#include "dataplane/dp_sa.h"
#include "test/unit/test_dp.h"
#include "test/unit/test_ike_fixture.h"

enum {
	BUF = 4096,
	TUNNEL = 3,
	HASH_LEN = 32,		/* SHA2-256 */
};

/* ---- the peer: the initiator of the ISAKMP SA (test_ike_fixture.h) ---- */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- signatures ---- */

static void sig_roundtrip(EVP_PKEY *key, uint16_t method)
{
	uint8_t hash[HASH_LEN], sig[1024], rec[1024];
	size_t sl = 0, rl = sizeof(rec);
	EVP_PKEY_CTX *ctx;

	for (unsigned i = 0; i < sizeof(hash); i++)
		hash[i] = (uint8_t)(3 * i + 1);
	CU_ASSERT_EQUAL(ikev1_sig_method(key), method);
	CU_ASSERT_EQUAL_FATAL(ikev1_sig_sign(key, method, hash, sizeof(hash), sig, sizeof(sig),
					     &sl), 0);
	CU_ASSERT_EQUAL(ikev1_sig_verify(key, method, hash, sizeof(hash), sig, sl), 0);
	ctx = EVP_PKEY_CTX_new(key, NULL);
	CU_ASSERT_FATAL(ctx != NULL);
	if (method == IKEV1_AUTH_RSA_SIG) {
		/* independent: the signature recovers the bare hash (no DigestInfo) */
		CU_ASSERT_EQUAL(sl, 256u);
		CU_ASSERT_FATAL(EVP_PKEY_verify_recover_init(ctx) == 1);
		CU_ASSERT_FATAL(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1);
		CU_ASSERT_FATAL(EVP_PKEY_verify_recover(ctx, rec, &rl, sig, sl) == 1);
		CU_ASSERT_EQUAL(rl, sizeof(hash));
		CU_ASSERT_EQUAL(memcmp(rec, hash, sizeof(hash)), 0);
	} else {
		/* independent: r | s over the bare hash */
		ECDSA_SIG *es = ECDSA_SIG_new();
		unsigned char *der = NULL;
		int dl;

		CU_ASSERT_EQUAL_FATAL(sl, 64u);
		CU_ASSERT_FATAL(ECDSA_SIG_set0(es, BN_bin2bn(sig, 32, NULL),
					       BN_bin2bn(sig + 32, 32, NULL)) == 1);
		dl = i2d_ECDSA_SIG(es, &der);
		CU_ASSERT_FATAL(dl > 0);
		CU_ASSERT_FATAL(EVP_PKEY_verify_init(ctx) == 1);
		CU_ASSERT_EQUAL(EVP_PKEY_verify(ctx, der, (size_t)dl, hash, sizeof(hash)), 1);
		OPENSSL_free(der);
		ECDSA_SIG_free(es);
	}
	EVP_PKEY_CTX_free(ctx);
	hash[0] ^= 1;
	CU_ASSERT_EQUAL(ikev1_sig_verify(key, method, hash, sizeof(hash), sig, sl), -EBADMSG);
	hash[0] ^= 1;
	sig[sl - 1] ^= 1;
	CU_ASSERT_EQUAL(ikev1_sig_verify(key, method, hash, sizeof(hash), sig, sl), -EBADMSG);
	CU_ASSERT_EQUAL(ikev1_sig_verify(key, method == IKEV1_AUTH_RSA_SIG ? IKEV1_AUTH_ECDSA_256 :
					 IKEV1_AUTH_RSA_SIG, hash, sizeof(hash), sig, sl), -EINVAL);
	CU_ASSERT_EQUAL(ikev1_sig_sign(key, IKEV1_AUTH_ECDSA_384, hash, sizeof(hash), sig,
				       sizeof(sig), &sl), -EINVAL);
}

static void test_sig(void)
{
	EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

	CU_ASSERT_FATAL(rsa != NULL && ec != NULL);
	sig_roundtrip(rsa, IKEV1_AUTH_RSA_SIG);
	sig_roundtrip(ec, IKEV1_AUTH_ECDSA_256);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ec);
}

/* ---- proxy IDs ---- */

static void test_proxy_ids(void)
{
	static const struct {
		uint8_t type;
		uint8_t data[8];
		uint8_t len;
		const char *want;		/* NULL: refused */
	} t[] = {
		{ IKEV1_ID_IPV4_ADDR_SUBNET, { 192, 168, 10, 0, 255, 255, 255, 0 }, 8, "192.168.10.0/24" },
		{ IKEV1_ID_IPV4_ADDR_SUBNET, { 192, 168, 10, 9, 255, 255, 255, 0 }, 8, "192.168.10.0/24" },
		{ IKEV1_ID_IPV4_ADDR_SUBNET, { 10, 0, 0, 0, 255, 0, 255, 0 }, 8, NULL },
		{ IKEV1_ID_IPV4_ADDR_SUBNET, { 10, 0, 0, 0, 255, 0, 0 }, 7, NULL },
		{ IKEV1_ID_IPV4_ADDR, { 10, 1, 2, 3 }, 4, "10.1.2.3/32" },
		{ IKEV1_ID_IPV4_ADDR_RANGE, { 172, 16, 0, 0, 172, 16, 0, 255 }, 8, "172.16.0.0/24" },
		{ IKEV1_ID_IPV4_ADDR_RANGE, { 172, 16, 0, 1, 172, 16, 0, 255 }, 8, NULL },
		{ IKEV1_ID_IPV4_ADDR_RANGE, { 172, 16, 0, 0, 172, 16, 0, 254 }, 8, NULL },
		{ IKEV1_ID_FQDN, { 'a', '.', 'b' }, 3, NULL },
	};
	struct gw_prefix p, want;
	char a[GW_PREFIX_STRLEN];

	for (unsigned i = 0; i < RTE_DIM(t); i++) {
		struct ikev1_id_pl id = { .type = t[i].type, .data = { t[i].data, t[i].len } };
		int ret = ikev1_qm_id_parse(&id, &p);

		if (t[i].want == NULL) {
			CU_ASSERT_EQUAL(ret, -EINVAL);
			continue;
		}
		CU_ASSERT_EQUAL_FATAL(ret, 0);
		want = test_prefix(t[i].want);
		if (p.len != want.len || !gw_addr_eq(&p.addr, &want.addr))
			printf("\n  case %u: %s\n", i, gw_prefix_fmt(&p, a, sizeof(a)));
		CU_ASSERT_EQUAL(p.len, want.len);
		CU_ASSERT(gw_addr_eq(&p.addr, &want.addr));
	}
	/* ours round-trip, v4 and v6 */
	for (unsigned i = 0; i < 2; i++) {
		uint8_t buf[256];
		struct ikev1_build b;
		struct ikev1_msg *m = malloc(sizeof(*m));
		long len;

		want = test_prefix(i == 0 ? "172.16.4.0/22" : "2001:db8:20::/56");
		ikev1_build_init(&b, buf, sizeof(buf), (const uint8_t *)"12345678",
				 (const uint8_t *)"87654321", IKEV1_EXCH_QUICK, 0, 1);
		CU_ASSERT(ikev1_qm_id_add(&b, &want) > 0);
		len = ikev1_build_end(&b);
		CU_ASSERT_FATAL(m != NULL && len > 0);
		CU_ASSERT_FATAL(ikev1_msg_parse(buf, (size_t)len, m) == IKEV1_MSG_OK);
		CU_ASSERT_EQUAL_FATAL(m->n_id, 1);
		CU_ASSERT_EQUAL(ikev1_qm_id_parse(&m->id[0], &p), 0);
		CU_ASSERT_EQUAL(p.len, want.len);
		CU_ASSERT(gw_addr_eq(&p.addr, &want.addr));
		free(m);
	}
	want = test_prefix("192.168.10.128/25");
	CU_ASSERT(ikev1_qm_ts_ok(&want, tif_peer.local_ts, tif_peer.n_local_ts));
	want = test_prefix("192.168.0.0/16");
	CU_ASSERT(!ikev1_qm_ts_ok(&want, tif_peer.local_ts, tif_peer.n_local_ts));
}

/* ---- Quick Mode, the peer initiating ---- */

static void test_qm_responder(void)
{
	struct ike_sa *sa = tif_v1_sa(0);
	uint8_t h[IKEV1_HASH_MAX];
	size_t hl = 0, q1len;
	struct ikev1_iv iv2;
	struct ikev1_msg *m;
	struct ike_child *c;
	struct ike_view a;
	uint32_t spi_in;
	uint64_t installed = ikev1_counter(IKEV1_C_isakmp_child_installed);

	/* a bad HASH(1): dropped, nothing answered */
	tif_v1_qm1(sa, 0x1111, 0x2000, "172.16.1.0/24", "192.168.10.0/24", true);
	CU_ASSERT_EQUAL(tif_tx.n, 0);
	CU_ASSERT_PTR_NULL(ikev1_qm_find(sa, 0x1111));

	q1len = tif_v1_qm1(sa, 0x2222, 0x2000, "172.16.1.0/24", "192.168.10.0/24", false);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 1);
	iv2 = tif_v1.qiv;
	m = tif_v1_sent(0, &iv2);
	CU_ASSERT_EQUAL(m->hdr.exchange, IKEV1_EXCH_QUICK);
	CU_ASSERT_EQUAL(m->hdr.msg_id, 0x2222u);
	a = ikev1_msg_after(m, 0);
	CU_ASSERT_FATAL(ikev1_hash2(&tif_v1.keys, 0x2222, (struct ike_chunk){ tif_v1.ni, 32 },
				    (struct ike_chunk){ a.p, a.len }, h, &hl) == 0);
	CU_ASSERT_EQUAL(ikev1_hash_check(h, hl, m->hash), 0);
	CU_ASSERT_EQUAL_FATAL(m->n_sa, 1);
	CU_ASSERT_EQUAL_FATAL(m->sa.n_props, 1);
	CU_ASSERT_EQUAL(m->sa.n_xforms, 1);
	CU_ASSERT_EQUAL(m->sa.xforms[0].id, IKEV1_ESP_AES_GCM_16);
	CU_ASSERT(ikev1_encap_is_udp(m->sa.xforms[0].encap));
	CU_ASSERT_EQUAL(m->n_id, 2);
	CU_ASSERT_EQUAL_FATAL(m->n_nonce, 1);
	spi_in = be32(m->sa.props[0].spi);
	/* make-before-break: inbound now, outbound with message 3 */
	c = ike_sa_child_by_spi_in(sa, spi_in);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->spi_out, 0x2000u);
	CU_ASSERT_NOT_EQUAL(dp_sa_find_in(spi_in), DP_SA_INVALID);
	CU_ASSERT_EQUAL(c->h_out, DP_SA_INVALID);
	CU_ASSERT_EQUAL(dp_tunnel_out_sa(TUNNEL), DP_SA_INVALID);
	/* the same message 1 again: the same message 2 */
	tif_v1_deliver(sa, tif_v1.buf, q1len);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 2);
	CU_ASSERT_EQUAL(tif_tx.len[1], tif_tx.len[0]);
	CU_ASSERT_EQUAL(memcmp(tif_tx.buf[1], tif_tx.buf[0], tif_tx.len[0]), 0);
	/* message 3: HASH(3), with the IV after message 2 */
	CU_ASSERT_FATAL(ikev1_hash3(&tif_v1.keys, 0x2222, (struct ike_chunk){ tif_v1.ni, 32 },
				    (struct ike_chunk){ m->nonce.p, m->nonce.len }, h, &hl) == 0);
	tif_v1_begin(sa, IKEV1_EXCH_QUICK, 0x2222);
	tif_v1_end(sa, 0x2222, h, &iv2, false);
	CU_ASSERT_NOT_EQUAL(c->h_out, DP_SA_INVALID);
	CU_ASSERT_EQUAL(dp_tunnel_out_sa(TUNNEL), c->h_out);
	CU_ASSERT_EQUAL(ikev1_counter(IKEV1_C_isakmp_child_installed), installed + 1);
	ikev1_kill(sa, "test done");
	ike_sa_reap();
}

static void test_qm_bad_ids(void)
{
	struct ike_sa *sa = tif_v1_sa(0);
	struct ikev1_msg *m;

	tif_v1_qm1(sa, 0x3333, 0x2100, "172.16.1.0/24", "10.0.0.0/8", false);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 1);
	m = tif_v1_sent_info(0);
	CU_ASSERT_EQUAL_FATAL(m->n_n, 1);
	CU_ASSERT_EQUAL(m->n[0].type, IKEV1_N_INVALID_ID_INFORMATION);
	CU_ASSERT_EQUAL(ike_sa_child_count(sa), 0);
	ikev1_kill(sa, "test done");
	ike_sa_reap();
}

/* ---- Quick Mode, we initiate (rekey) ---- */

static struct ike_child *add_child(struct ike_sa *sa, uint32_t spi_in, uint32_t spi_out);

static void test_qm_initiator_rekey(void)
{
	struct ike_sa *sa = tif_v1_sa(0);
	struct ike_child *old = add_child(sa, 0x3200, 0x4200), *c;
	uint32_t old_out = old->h_out, mid, spi_in;
	uint8_t h[IKEV1_HASH_MAX], nr[24], s[4];
	struct ikev1_iv iv;
	struct ikev1_msg *m;
	struct ike_view a;
	size_t hl = 0;
	uint64_t now;

	CU_ASSERT_EQUAL(dp_tunnel_out_sa(TUNNEL), old_out);
	CU_ASSERT_EQUAL_FATAL(ikev1_qm_start(sa, 0x3200), 0);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 1);
	CU_ASSERT_EQUAL(tif_tx.buf[0][18], IKEV1_EXCH_QUICK);
	mid = be32(tif_tx.buf[0] + 20);
	CU_ASSERT_FATAL(ikev1_iv_phase2(IKEV1_HASH_SHA2_256, &tif_v1.p1iv, mid, &iv) == 0);
	m = tif_v1_sent(0, &iv);
	a = ikev1_msg_after(m, 0);
	CU_ASSERT_FATAL(ikev1_hash1(&tif_v1.keys, mid, (struct ike_chunk){ a.p, a.len }, h, &hl) == 0);
	CU_ASSERT_EQUAL(ikev1_hash_check(h, hl, m->hash), 0);
	CU_ASSERT_EQUAL_FATAL(m->n_sa, 1);
	CU_ASSERT_EQUAL_FATAL(m->n_nonce, 1);
	CU_ASSERT_EQUAL(m->n_ke, 0);				/* no PFS configured */
	CU_ASSERT_EQUAL_FATAL(m->n_id, 2);
	CU_ASSERT_EQUAL_FATAL(m->sa.props[0].spi_size, 4);
	CU_ASSERT_EQUAL_FATAL(m->sa.n_xforms, 2);		/* aes128gcm16, aes256-sha256 */
	CU_ASSERT(ikev1_encap_is_udp(m->sa.xforms[0].encap));
	spi_in = be32(m->sa.props[0].spi);
	memcpy(tif_v1.ni, m->nonce.p, m->nonce.len < 32 ? m->nonce.len : 32);
	CU_ASSERT_EQUAL_FATAL(m->nonce.len, 32u);
	/* the peer answers: the second transform, its SPI 0x4300 */
	for (unsigned i = 0; i < sizeof(nr); i++)
		nr[i] = (uint8_t)(0x90 + i);
	tif_put32(s, 0x4300);
	tif_v1_begin(sa, IKEV1_EXCH_QUICK, mid);
	ikev1_add_sa_p2(&tif_v1.b, s, &m->sa.xforms[1], 1);
	ikev1_add_nonce(&tif_v1.b, nr, sizeof(nr));
	ikev1_add_id(&tif_v1.b, m->id[0].type, 0, 0, m->id[0].data.p, m->id[0].data.len);
	ikev1_add_id(&tif_v1.b, m->id[1].type, 0, 0, m->id[1].data.p, m->id[1].data.len);
	a = ikev1_build_after(&tif_v1.b, tif_v1.hash);
	CU_ASSERT_FATAL(ikev1_hash2(&tif_v1.keys, mid, (struct ike_chunk){ tif_v1.ni, 32 },
				    (struct ike_chunk){ a.p, a.len }, h, &hl) == 0);
	tif_v1_end(sa, mid, h, &iv, false);
	/* message 3 */
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 2);
	m = tif_v1_sent(1, &iv);
	CU_ASSERT_FATAL(ikev1_hash3(&tif_v1.keys, mid, (struct ike_chunk){ tif_v1.ni, 32 },
				    (struct ike_chunk){ nr, sizeof(nr) }, h, &hl) == 0);
	CU_ASSERT_EQUAL(ikev1_hash_check(h, hl, m->hash), 0);
	/* the new inbound at once; the tunnel still on the old outbound */
	c = ike_sa_child_by_spi_in(sa, spi_in);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->spi_out, 0x4300u);
	CU_ASSERT_EQUAL(c->esp_alg, ESP_ALG_AES256_SHA256);
	CU_ASSERT_NOT_EQUAL(dp_sa_find_in(spi_in), DP_SA_INVALID);
	CU_ASSERT_EQUAL(dp_tunnel_out_sa(TUNNEL), old_out);
	now = ikev1_now_ms();
	ikev1_qm_tick(sa, now + 10);
	CU_ASSERT_EQUAL(dp_tunnel_out_sa(TUNNEL), old_out);
	/* later: the new outbound, then the old pair deleted */
	ikev1_qm_tick(sa, now + 1000);
	CU_ASSERT_EQUAL(dp_tunnel_out_sa(TUNNEL), c->h_out);
	CU_ASSERT_PTR_NULL(ike_sa_child_by_spi_in(sa, 0x3200));
	CU_ASSERT_EQUAL(dp_sa_find_in(0x3200), DP_SA_INVALID);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 3);
	m = tif_v1_sent_info(2);
	CU_ASSERT_EQUAL_FATAL(m->n_d, 1);
	CU_ASSERT_EQUAL(m->d[0].proto, IKEV1_PROTO_ESP);
	CU_ASSERT_EQUAL(be32(m->d[0].spis), 0x3200u);
	ikev1_kill(sa, "test done");
	ike_sa_reap();
}

/* ---- informational ---- */

static void peer_info_delete_esp(const struct ike_sa *sa, uint32_t mid, uint32_t spi)
{
	struct ikev1_iv iv;
	uint8_t s[4];

	tif_put32(s, spi);
	CU_ASSERT_FATAL(ikev1_iv_phase2(IKEV1_HASH_SHA2_256, &tif_v1.p1iv, mid, &iv) == 0);
	tif_v1_begin(sa, IKEV1_EXCH_INFO, mid);
	ikev1_add_delete(&tif_v1.b, IKEV1_PROTO_ESP, 4, 1, s);
	tif_v1_end(sa, mid, NULL, &iv, false);
}

/* An installed child, without a Quick Mode. */
static struct ike_child *add_child(struct ike_sa *sa, uint32_t spi_in, uint32_t spi_out)
{
	struct ikev1_qm qm;

	memset(&qm, 0, sizeof(qm));
	qm.spi_in = spi_in;
	qm.spi_out = spi_out;
	qm.chosen.id = IKEV1_ESP_AES_GCM_16;
	qm.chosen.key_len = 128;
	qm.life_s = 600;
	qm.local_ts = tif_peer.local_ts[0];
	qm.remote_ts = tif_peer.remote_ts[0];
	qm.ni_len = qm.nr_len = 16;
	CU_ASSERT_FATAL(ikev1_qm_install_in(sa, &qm) == 0);
	CU_ASSERT_FATAL(ikev1_qm_install_out(sa, &qm) == 0);
	return ike_sa_child_by_spi_in(sa, spi_in);
}

static void test_peer_deletes(void)
{
	struct ike_sa *sa = tif_v1_sa(0);
	struct ikev1_iv iv;
	uint8_t spi[16];

	add_child(sa, 0x3000, 0x4000);
	add_child(sa, 0x3001, 0x4001);
	CU_ASSERT_EQUAL(ike_sa_child_count(sa), 2);
	peer_info_delete_esp(sa, 0x5151, 0x3000);	/* our inbound: not theirs */
	CU_ASSERT_EQUAL(ike_sa_child_count(sa), 2);
	peer_info_delete_esp(sa, 0x5152, 0x4000);
	CU_ASSERT_EQUAL(ike_sa_child_count(sa), 1);
	CU_ASSERT_EQUAL(dp_sa_find_in(0x3000), DP_SA_INVALID);
	CU_ASSERT_PTR_NOT_NULL(ike_sa_child_by_spi_in(sa, 0x3001));
	CU_ASSERT_EQUAL(tif_tx.n, 0);			/* nothing to answer */
	memcpy(spi, sa->spi_i, 8);
	memcpy(spi + 8, sa->spi_r, 8);
	CU_ASSERT_FATAL(ikev1_iv_phase2(IKEV1_HASH_SHA2_256, &tif_v1.p1iv, 0x5153, &iv) == 0);
	tif_v1_begin(sa, IKEV1_EXCH_INFO, 0x5153);
	ikev1_add_delete(&tif_v1.b, IKEV1_PROTO_ISAKMP, 16, 1, spi);
	tif_v1_end(sa, 0x5153, NULL, &iv, false);
	CU_ASSERT_EQUAL(sa->state, IKE_SA_DEAD);
	CU_ASSERT_EQUAL(dp_sa_find_in(0x3001), DP_SA_INVALID);
	ike_sa_reap();
}

/* R-U-THERE with sequence seq as the peer: whole, or in 3 fragments. */
static void peer_dpd(const struct ike_sa *sa, uint32_t mid, uint32_t seq, bool corrupt, bool frag)
{
	struct ikev1_iv iv;
	uint8_t spi[16], s[4], whole[BUF], f[BUF];
	size_t len;

	memcpy(spi, sa->spi_i, 8);
	memcpy(spi + 8, sa->spi_r, 8);
	tif_put32(s, seq);
	CU_ASSERT_FATAL(ikev1_iv_phase2(IKEV1_HASH_SHA2_256, &tif_v1.p1iv, mid, &iv) == 0);
	tif_v1_begin(sa, IKEV1_EXCH_INFO, mid);
	ikev1_add_notify(&tif_v1.b, IKEV1_PROTO_ISAKMP, spi, 16, IKEV1_N_R_U_THERE, s, 4);
	if (!frag) {
		tif_v1_end(sa, mid, NULL, &iv, corrupt);
		return;
	}
	/* HASH(1), padding and encryption as peer_end does, then fragments
	 * 3, 1, 2 of the whole datagram */
	{
		struct ikev1_build save = tif_v1.b;
		uint8_t hh[IKEV1_HASH_MAX];
		size_t hl = 0;
		struct ike_view a = ikev1_build_after(&tif_v1.b, tif_v1.hash);
		long l;
		size_t per;
		unsigned n0 = tif_tx.n;

		CU_ASSERT_FATAL(ikev1_hash1(&tif_v1.keys, mid, (struct ike_chunk){ a.p, a.len }, hh,
					    &hl) == 0);
		memcpy(tif_v1.buf + tif_v1.hash + IKEV1_PL_HDR_LEN, hh, hl);
		l = ikev1_build_end_encrypted(&save, 16);
		CU_ASSERT_FATAL(l > 0);
		CU_ASSERT_FATAL(ikev1_msg_encrypt(tif_v1.keys.enc_key, tif_v1.keys.enc_key_len, &iv,
						  tif_v1.buf + IKEV1_HDR_LEN, (size_t)l - IKEV1_HDR_LEN,
						  &iv) == 0);
		len = (size_t)l;
		memcpy(whole, tif_v1.buf, len);
		per = (len + 2) / 3;
		for (unsigned k = 0; k < 3; k++) {
			unsigned num = k == 0 ? 3 : k;	/* 3, 1, 2 */
			size_t off = (num - 1) * per;
			size_t chunk = num == 3 ? len - off : per;
			long fl = ikev1_frag_make(whole, len, off, chunk, (uint8_t)num, num == 3, f,
						  sizeof(f));

			CU_ASSERT_FATAL(fl > 0);
			tif_v1_deliver(sa, f, (size_t)fl);
			if (k < 2)
				CU_ASSERT_EQUAL(tif_tx.n, n0);	/* not whole yet */
		}
	}
}

static void test_dpd_answered(void)
{
	struct ike_sa *sa = tif_v1_sa(0);
	struct ikev1_msg *m;
	uint64_t answered = ikev1_counter(IKEV1_C_isakmp_dpd_answered);

	peer_dpd(sa, 0x6161, 0x01020304, true, false);		/* bad HASH(1): ignored */
	CU_ASSERT_EQUAL(tif_tx.n, 0);
	peer_dpd(sa, 0x6162, 0x01020305, false, false);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 1);
	m = tif_v1_sent_info(0);
	CU_ASSERT_EQUAL_FATAL(m->n_n, 1);
	CU_ASSERT_EQUAL(m->n[0].type, IKEV1_N_R_U_THERE_ACK);
	CU_ASSERT_EQUAL_FATAL(m->n[0].data.len, 4u);
	CU_ASSERT_EQUAL(be32(m->n[0].data.p), 0x01020305u);
	CU_ASSERT_EQUAL_FATAL(m->n[0].spi.len, 16u);
	CU_ASSERT_EQUAL(memcmp(m->n[0].spi.p, sa->spi_i, 8), 0);
	CU_ASSERT_EQUAL(ikev1_counter(IKEV1_C_isakmp_dpd_answered), answered + 1);
	/* in fragments, out of order */
	peer_dpd(sa, 0x6163, 0x01020306, false, true);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 2);
	m = tif_v1_sent_info(1);
	CU_ASSERT_EQUAL_FATAL(m->n_n, 1);
	CU_ASSERT_EQUAL(be32(m->n[0].data.p), 0x01020306u);
	ikev1_kill(sa, "test done");
	ike_sa_reap();
}

/* ---- reauthentication: the newer ISAKMP SA adopts the IPsec SAs ---- */

static void test_reauth_adopt(void)
{
	struct ike_sa *old = tif_v1_sa(0), *sa;
	struct ike_child *c = add_child(old, 0x3300, 0x4300);
	uint32_t h_in = c->h_in, h_out = c->h_out;
	struct ikev1_msg *m;
	uint64_t now;

	sa = tif_v1_sa(0);
	CU_ASSERT_EQUAL(ikev1_mm_adopt(sa), 1u);
	CU_ASSERT_EQUAL(ike_sa_child_count(old), 0);
	c = ike_sa_child_by_spi_in(sa, 0x3300);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->h_in, h_in);			/* the fast path untouched */
	CU_ASSERT_EQUAL(c->h_out, h_out);
	CU_ASSERT_EQUAL(dp_tunnel_out_sa(TUNNEL), h_out);
	CU_ASSERT(old->v1->replaced);
	CU_ASSERT_EQUAL(old->state, IKE_SA_ESTABLISHED);
	/* 10 s later the old one goes: its ISAKMP SA's DELETE alone */
	now = ikev1_now_ms();
	ikev1_tick(now + IKEV1_ADOPT_DELETE_MS + 100);
	CU_ASSERT_EQUAL(old->state, IKE_SA_DEAD);
	CU_ASSERT_EQUAL(sa->state, IKE_SA_ESTABLISHED);
	CU_ASSERT_NOT_EQUAL(dp_sa_find_in(0x3300), DP_SA_INVALID);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 1);
	tif_v1.keys = old->v1->keys;			/* the old SA's keys (reaped later) */
	tif_v1.p1iv = old->v1->iv;
	m = tif_v1_sent_info(0);
	CU_ASSERT_EQUAL_FATAL(m->n_d, 1);
	CU_ASSERT_EQUAL(m->d[0].proto, IKEV1_PROTO_ISAKMP);
	CU_ASSERT_EQUAL(memcmp(m->d[0].spis, old->spi_i, 8), 0);
	ikev1_kill(sa, "test done");
	ike_sa_reap();
}

/* ---- our delete ---- */

static void check_our_deletes(const struct ike_sa *sa, const uint32_t *spis, unsigned n)
{
	struct ikev1_msg *m;

	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 2);
	m = tif_v1_sent_info(0);
	CU_ASSERT_EQUAL_FATAL(m->n_d, 1);
	CU_ASSERT_EQUAL(m->d[0].proto, IKEV1_PROTO_ESP);
	CU_ASSERT_EQUAL_FATAL(m->d[0].n_spi, n);
	for (unsigned i = 0; i < n; i++)
		CU_ASSERT_EQUAL(be32(m->d[0].spis + 4 * i), spis[i]);
	m = tif_v1_sent_info(1);
	CU_ASSERT_EQUAL_FATAL(m->n_d, 1);
	CU_ASSERT_EQUAL(m->d[0].proto, IKEV1_PROTO_ISAKMP);
	CU_ASSERT_EQUAL_FATAL(m->d[0].spi_size, 16);
	CU_ASSERT_EQUAL(memcmp(m->d[0].spis, sa->spi_i, 8), 0);
	CU_ASSERT_EQUAL(memcmp(m->d[0].spis + 8, sa->spi_r, 8), 0);
	CU_ASSERT_EQUAL(sa->state, IKE_SA_DEAD);
}

static void test_we_delete(void)
{
	struct ike_sa *sa = tif_v1_sa(0);
	struct ike_sa *one[1];
	uint32_t spis[2] = { 0x3100, 0x3101 };

	add_child(sa, 0x3100, 0x4100);
	add_child(sa, 0x3101, 0x4101);
	CU_ASSERT_EQUAL(ikev1_delete(sa->id, "test"), 0);
	CU_ASSERT_EQUAL(dp_sa_find_in(0x3100), DP_SA_INVALID);
	CU_ASSERT_EQUAL(dp_sa_find_in(0x3101), DP_SA_INVALID);
	check_our_deletes(sa, spis, 2);
	CU_ASSERT_EQUAL(ikev1_delete(sa->id, "again"), -ENOENT);
	ike_sa_reap();
	/* the revocation path retires the children in a batch first */
	sa = tif_v1_sa(0);
	add_child(sa, 0x3100, 0x4100);
	add_child(sa, 0x3101, 0x4101);
	one[0] = sa;
	CU_ASSERT_EQUAL(ike_sa_retire_children_batch(one, 1), 4u);
	CU_ASSERT_EQUAL(ike_sa_child_count(sa), 0);
	CU_ASSERT_EQUAL(ike_sa_delete(sa->id, "revoked"), 0);
	check_our_deletes(sa, spis, 2);
	ike_sa_reap();
}

/* Shutdown (ike_sa_drain): the same DELETEs, no answer awaited; nothing
 * new accepted until the engines restart. */
static void test_drain(void)
{
	struct ike_sa *sa = tif_v1_sa(0);
	uint32_t spis[1] = { 0x3300 };

	add_child(sa, 0x3300, 0x4300);
	CU_ASSERT_EQUAL(ike_sa_drain("test shutdown"), 1u);
	CU_ASSERT_EQUAL(dp_sa_find_in(0x3300), DP_SA_INVALID);
	check_our_deletes(sa, spis, 1);
	CU_ASSERT_EQUAL(ike_sa_live(), 0u);
	CU_ASSERT_PTR_NULL(ike_sa_new(IKE_RESPONDER, 0));
	ike_sa_reap();
	tif_stop();
	CU_ASSERT_EQUAL_FATAL(tif_start(), 0);
	CU_ASSERT_FALSE(ike_sa_draining());
}

static int suite_init(void)
{
	tif_config("branch-v1", 1, "10.10.0.2", "aes128-sha256-ecp256", "192.168.10.0/24");
	tif_peer_esp("aes256-sha256");
	return tif_dp_start();
}

int main(void)
{
	static const struct test_case tests[] = {
		{ "SIG: RSA without DigestInfo, ECDSA r|s", test_sig },
		{ "proxy IDs to prefixes and back", test_proxy_ids },
		{ "Quick Mode responder: HASHes, make-before-break, duplicate", test_qm_responder },
		{ "Quick Mode responder: proxy IDs refused", test_qm_bad_ids },
		{ "Quick Mode rekey initiator: make-before-break, old deleted", test_qm_initiator_rekey },
		{ "peer DELETEs an IPsec SA, then the ISAKMP SA", test_peer_deletes },
		{ "R-U-THERE answered (whole, fragmented); bad HASH ignored", test_dpd_answered },
		{ "our delete: IPsec SAs then ISAKMP SA (batch retire too)", test_we_delete },
		{ "shutdown drain: IPsec SAs then ISAKMP SA DELETEd", test_drain },
		{ "reauthentication: IPsec SAs adopted, old SA deleted", test_reauth_adopt },
	};

	return tif_main("ikev1_xchg", suite_init, tests, RTE_DIM(tests));
}
