/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_common.h>
#include <rte_log.h>

#include "controlplane/ike/ike_dh.h"
#include "controlplane/ike/ike_msg.h"
#include "controlplane/ike/ike_proposal.h"
#include "controlplane/ike/ike_sk.h"
#include "controlplane/ikev1/ikev1.h"
#include "controlplane/ikev1/ikev1_int.h"
#include "controlplane/ikev1/ikev1_keys.h"
#include "controlplane/ikev1/ikev1_msg.h"
#include "controlplane/ikev2/ikev2.h"
#include "controlplane/ikev2/ikev2_int.h"
#include "controlplane/ikev2/ikev2_msg.h"
#include "test/unit/test_dp.h"
#include "test/unit/test_ike_fixture.h"

struct tif_wire tif_tx;
struct cfg_peer tif_peer;
struct gw_cfg tif_cfg;

int tif_capture(const struct gw_addr *src, const struct gw_addr *dst, uint16_t sport,
		uint16_t dport, const void *data, size_t len)
{
	(void)src, (void)dst, (void)sport, (void)dport;
	if (tif_tx.n < TIF_CAP_MAX && len <= sizeof(tif_tx.buf[0])) {
		memcpy(tif_tx.buf[tif_tx.n], data, len);
		tif_tx.len[tif_tx.n] = len;
	}
	tif_tx.n++;
	return 0;
}

void tif_config(const char *name, uint8_t ike_version, const char *remote,
		const char *ike_proposal, const char *local_ts)
{
	struct cfg_peer *p = &tif_peer;

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->ike_version = ike_version;
	gw_addr_parse(remote, &p->remote);
	snprintf(p->ike_proposals[0], CFG_PROPOSAL_MAX, "%s", ike_proposal);
	p->n_ike_proposals = 1;
	tif_peer_esp("aes128gcm16");
	gw_prefix_parse(local_ts, &p->local_ts[0]);
	gw_prefix_parse("172.16.1.0/24", &p->remote_ts[0]);
	p->n_local_ts = p->n_remote_ts = 1;
	p->ike_lifetime = 86400;
	p->child_lifetime = 3600;
	memset(&tif_cfg, 0, sizeof(tif_cfg));
	tif_cfg.peers = p;
	tif_cfg.n_peers = 1;
}

void tif_peer_esp(const char *proposal)
{
	snprintf(tif_peer.esp_proposals[tif_peer.n_esp_proposals++], CFG_PROPOSAL_MAX, "%s",
		 proposal);
}

int tif_start(void)
{
	if (ikev2_init(&tif_cfg) != 0)
		return -1;
	if (tif_peer.ike_version == 1) {
		if (ikev1_init(&tif_cfg) != 0) {
			ikev2_fini();
			return -1;
		}
		ikev1_set_tx(tif_capture);
	} else {
		ikev2_msg_set_tx(tif_capture);
	}
	tif_tx.n = 0;
	return 0;
}

void tif_stop(void)
{
	if (tif_peer.ike_version == 1) {
		ikev1_set_tx(NULL);
		ikev1_fini();
	} else {
		ikev2_msg_set_tx(NULL);
	}
	ikev2_fini();
}

int tif_dp_start(void)
{
	if (test_dp_suite_init() != 0)
		return -1;
	if (tif_start() != 0) {
		test_dp_suite_fini();
		return -1;
	}
	return 0;
}

int tif_dp_stop(void)
{
	tif_stop();
	return test_dp_suite_fini();
}

static FILE *tif_log_f;

void tif_log_begin(void)
{
	tif_log_f = tmpfile();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tif_log_f);
	rte_openlog_stream(tif_log_f);
}

unsigned tif_log_end(const char *what, unsigned *total)
{
	char line[512];
	unsigned n = 0, all = 0;

	rte_openlog_stream(NULL);
	rewind(tif_log_f);
	while (fgets(line, sizeof(line), tif_log_f) != NULL) {
		all++;
		if (strstr(line, what) != NULL)
			n++;
	}
	fclose(tif_log_f);
	tif_log_f = NULL;
	if (total != NULL)
		*total = all;
	return n;
}

struct ike_dgram tif_dgram(const struct ike_sa *sa, const uint8_t *m, size_t len)
{
	struct ike_dgram d;

	memset(&d, 0, sizeof(d));
	d.src = sa->remote;
	d.dst = sa->local;
	d.sport = d.dport = 4500;
	d.data = m;
	d.len = len;
	return d;
}

int tif_main(const char *name, CU_InitializeFunc init, const struct test_case *tests, size_t n)
{
	static const char *const eal_args[] = { TEST_DP_NULL_PORTS };

	if (test_eal_init(name, (int)RTE_DIM(eal_args), eal_args) != 0)
		return 1;
	if (test_suite(name, init, tif_dp_stop, tests, n) != 0)
		return 1;
	return test_run();
}

void tif_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* ---- IKEv1: the peer, initiator of the ISAKMP SA ---- */

struct tif_v1_peer tif_v1;

struct ike_sa *tif_v1_sa(unsigned tag)
{
	uint8_t ni[32], nr[32], gxy[32], gxi[64], gxr[64];
	struct ike_sa *sa = ikev1_sa_new(IKE_RESPONDER, 0);

	CU_ASSERT_FATAL(sa != NULL);
	for (unsigned i = 0; i < 32; i++) {
		ni[i] = (uint8_t)(0x40 + i);
		nr[i] = (uint8_t)(0x80 + i);
		gxy[i] = (uint8_t)(i + tag);
	}
	memset(gxi, 0x11, sizeof(gxi));
	memset(gxr, 0x22, sizeof(gxr));
	for (unsigned i = 0; i < 8; i++)
		sa->spi_i[i] = (uint8_t)(0xa0 + i + sa->id);
	CU_ASSERT_FATAL(ikev1_keys_derive(IKEV1_HASH_SHA2_256, IKEV1_AUTH_RSA_SIG, 128,
					  (struct ike_chunk){ ni, 32 }, (struct ike_chunk){ nr, 32 },
					  (struct ike_chunk){ gxy, 32 },
					  (struct ike_chunk){ gxi, 64 }, (struct ike_chunk){ gxr, 64 },
					  sa->spi_i, sa->spi_r, &sa->v1->keys, &sa->v1->iv) == 0);
	/* as if Main Mode had moved the chain on: any block will do */
	memset(sa->v1->iv.iv, 0x5a, sizeof(sa->v1->iv.iv));
	tif_v1.keys = sa->v1->keys;
	tif_v1.p1iv = sa->v1->iv;
	sa->v1->p1.hash = IKEV1_HASH_SHA2_256;
	sa->v1->p1.auth = IKEV1_AUTH_RSA_SIG;
	sa->v1->p1.key_len = 128;
	sa->v1->p1.group = 19;
	sa->v1->peer_natt = true;
	sa->v1->peer_dpd = true;
	sa->v1->mm = IKEV1_MM_DONE;
	sa->v1->life_s = 86400;
	gw_addr_parse("10.10.0.1", &sa->local);
	gw_addr_parse("10.10.0.2", &sa->remote);
	sa->local_port = sa->remote_port = 4500;
	sa->encap = true;
	sa->tunnel = 3;
	sa->last_rx_ms = ikev1_now_ms();
	sa->expire_at_ms = 0;
	ike_sa_state(sa, IKE_SA_ESTABLISHED, "test");
	tif_tx.n = 0;
	return sa;
}

void tif_v1_deliver(const struct ike_sa *sa, const uint8_t *m, size_t len)
{
	struct ike_dgram d = tif_dgram(sa, m, len);

	if (!tif_v1.hold)
		ikev1_rx_dgram(&d);
}

void tif_v1_begin(const struct ike_sa *sa, uint8_t exch, uint32_t msg_id)
{
	ikev1_build_init(&tif_v1.b, tif_v1.buf, sizeof(tif_v1.buf), sa->spi_i, sa->spi_r, exch, 0,
			 msg_id);
	tif_v1.hash = ikev1_add_hash(&tif_v1.b, TIF_V1_HASH_LEN);
}

size_t tif_v1_end(const struct ike_sa *sa, uint32_t msg_id, const uint8_t *h, struct ikev1_iv *iv,
		  bool corrupt)
{
	uint8_t hh[IKEV1_HASH_MAX], *buf = tif_v1.buf;
	size_t hl = 0;
	long len;

	if (h == NULL) {
		struct ike_view a = ikev1_build_after(&tif_v1.b, tif_v1.hash);

		CU_ASSERT_FATAL(ikev1_hash1(&tif_v1.keys, msg_id, (struct ike_chunk){ a.p, a.len }, hh,
					    &hl) == 0);
		h = hh;
	}
	memcpy(buf + tif_v1.hash + IKEV1_PL_HDR_LEN, h, TIF_V1_HASH_LEN);
	if (corrupt)
		buf[tif_v1.hash + IKEV1_PL_HDR_LEN] ^= 1;
	len = ikev1_build_end_encrypted(&tif_v1.b, 16);
	CU_ASSERT_FATAL(len > IKEV1_HDR_LEN);
	CU_ASSERT_FATAL(ikev1_msg_encrypt(tif_v1.keys.enc_key, tif_v1.keys.enc_key_len, iv,
					  buf + IKEV1_HDR_LEN, (size_t)len - IKEV1_HDR_LEN, iv) == 0);
	tif_v1_deliver(sa, buf, (size_t)len);
	return (size_t)len;
}

static uint8_t tif_v1_rx[TIF_CAP_MAX][IKE_MSG_MAX];
static struct ikev1_msg tif_v1_rxm[TIF_CAP_MAX];

struct ikev1_msg *tif_v1_sent(unsigned idx, struct ikev1_iv *iv)
{
	struct ikev1_msg *m;
	uint8_t *rx;
	size_t len;

	CU_ASSERT_FATAL(idx < tif_tx.n && idx < TIF_CAP_MAX);
	m = &tif_v1_rxm[idx];
	rx = tif_v1_rx[idx];
	len = tif_tx.len[idx];
	memcpy(rx, tif_tx.buf[idx], len);
	CU_ASSERT_FATAL(ikev1_msg_parse(rx, len, m) == IKEV1_MSG_OK);
	CU_ASSERT_FATAL(m->encrypted);
	CU_ASSERT_FATAL(ikev1_msg_decrypt(tif_v1.keys.enc_key, tif_v1.keys.enc_key_len, iv,
					  rx + IKEV1_HDR_LEN, len - IKEV1_HDR_LEN, iv) == 0);
	CU_ASSERT_FATAL(ikev1_msg_parse_plain(rx, len, m) == IKEV1_MSG_OK);
	CU_ASSERT_FATAL(m->n_pl > 0 && m->pl[0].type == IKEV1_PL_HASH);
	return m;
}

struct ikev1_msg *tif_v1_sent_info(unsigned idx)
{
	struct ikev1_iv iv;
	struct ikev1_msg *m;
	uint8_t h[IKEV1_HASH_MAX];
	size_t hl = 0;
	struct ike_view a;

	CU_ASSERT_FATAL(idx < tif_tx.n && idx < TIF_CAP_MAX);
	CU_ASSERT_EQUAL_FATAL(tif_tx.buf[idx][18], IKEV1_EXCH_INFO);
	CU_ASSERT_FATAL(ikev1_iv_phase2(IKEV1_HASH_SHA2_256, &tif_v1.p1iv,
					(uint32_t)tif_tx.buf[idx][20] << 24 |
					(uint32_t)tif_tx.buf[idx][21] << 16 |
					(uint32_t)tif_tx.buf[idx][22] << 8 | tif_tx.buf[idx][23],
					&iv) == 0);
	m = tif_v1_sent(idx, &iv);
	a = ikev1_msg_after(m, 0);
	CU_ASSERT_FATAL(ikev1_hash1(&tif_v1.keys, m->hdr.msg_id, (struct ike_chunk){ a.p, a.len },
				    h, &hl) == 0);
	CU_ASSERT_EQUAL(ikev1_hash_check(h, hl, m->hash), 0);
	return m;
}

size_t tif_v1_qm1(const struct ike_sa *sa, uint32_t mid, uint32_t spi, const char *idci,
		  const char *idcr, bool corrupt)
{
	struct ikev1_xform x;
	struct gw_prefix ci = test_prefix(idci), cr = test_prefix(idcr);
	uint8_t s[4];

	memset(&x, 0, sizeof(x));
	x.num = 1;
	x.id = IKEV1_ESP_AES_GCM_16;
	x.key_len = 128;
	x.encap = IKEV1_ENCAP_UDP_TUNNEL;
	x.life_secs = 1200;
	tif_put32(s, spi);
	for (unsigned i = 0; i < sizeof(tif_v1.ni); i++)
		tif_v1.ni[i] = (uint8_t)(0xc0 + i);
	CU_ASSERT_FATAL(ikev1_iv_phase2(IKEV1_HASH_SHA2_256, &tif_v1.p1iv, mid, &tif_v1.qiv) == 0);
	tif_v1_begin(sa, IKEV1_EXCH_QUICK, mid);
	ikev1_add_sa_p2(&tif_v1.b, s, &x, 1);
	ikev1_add_nonce(&tif_v1.b, tif_v1.ni, sizeof(tif_v1.ni));
	ikev1_qm_id_add(&tif_v1.b, &ci);
	ikev1_qm_id_add(&tif_v1.b, &cr);
	return tif_v1_end(sa, mid, NULL, &tif_v1.qiv, corrupt);
}

/* ---- IKEv2: the peer ---- */

struct tif_v2_peer tif_v2;

struct ike_sa *tif_v2_sa(unsigned tag)
{
	struct ike_suite s = { IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE, IKE_PRF_HMAC_SHA2_256 };
	uint8_t seed[32], ni[32], nr[32];
	struct ike_sa *sa = ike_sa_new(IKE_RESPONDER, 0);

	CU_ASSERT_FATAL(sa != NULL);
	for (unsigned i = 0; i < 32; i++) {
		seed[i] = (uint8_t)(i + tag);
		ni[i] = (uint8_t)(0x40 + i);
		nr[i] = (uint8_t)(0x80 + i);
	}
	for (unsigned i = 0; i < 8; i++)
		sa->spi_i[i] = (uint8_t)(0xa0 + i + sa->id);
	CU_ASSERT_FATAL(ike_sa_keys_derive(&s, (struct ike_chunk){ seed, 32 },
					   (struct ike_chunk){ ni, 32 }, (struct ike_chunk){ nr, 32 },
					   sa->spi_i, sa->spi_r, &sa->keys) == 0);
	sa->suite = s;
	sa->sk_in = sa->keys.ski;
	sa->sk_out = sa->keys.skr;
	tif_v2.out = sa->keys.ski;
	tif_v2.in = sa->keys.skr;
	tif_v2.mid = 0;
	tif_v2.is_init = true;
	sa->dh_group = IKE_DH_ECP256;
	gw_addr_parse("10.10.0.1", &sa->local);
	gw_addr_parse("10.10.0.2", &sa->remote);
	sa->local_port = sa->remote_port = 4500;
	sa->encap = true;
	sa->last_rx_ms = ikev2_now_ms();
	ike_sa_state(sa, IKE_SA_ESTABLISHED, "test");
	tif_tx.n = 0;
	return sa;
}

void tif_v2_deliver(const struct ike_sa *sa, const uint8_t *m, size_t len)
{
	struct ike_dgram d = tif_dgram(sa, m, len);

	ikev2_msg_input(&d);
}

void tif_v2_send(const struct ike_sa *sa, uint8_t exch, bool response, uint32_t msg_id,
		 uint8_t first, const uint8_t *inner, size_t len, uint16_t frag_num,
		 uint16_t frag_total, bool corrupt)
{
	size_t hl = frag_total ? IKE_SKF_HDR_LEN : IKE_SK_HDR_LEN;
	size_t pl = ike_sk_payload_len(&tif_v2.out, hl, len);
	size_t iv = ike_sk_iv_len(&tif_v2.out), ml = IKE_HDR_LEN + pl;
	uint8_t *m = tif_v2.dg;

	CU_ASSERT_FATAL(pl > 0 && ml <= sizeof(tif_v2.dg));
	memset(m, 0, ml);
	memcpy(m, sa->spi_i, 8);
	memcpy(m + 8, sa->spi_r, 8);
	m[16] = frag_total ? IKE_PL_SKF : IKE_PL_SK;
	m[17] = IKE_VERSION;
	m[18] = exch;
	m[19] = (uint8_t)((tif_v2.is_init ? IKE_HDR_F_I : 0) | (response ? IKE_HDR_F_R : 0));
	tif_put32(m + 20, msg_id);
	tif_put32(m + 24, (uint32_t)ml);
	m[IKE_HDR_LEN] = frag_num <= 1 && len > 0 ? first : IKE_PL_NONE;
	m[IKE_HDR_LEN + 2] = (uint8_t)(pl >> 8);
	m[IKE_HDR_LEN + 3] = (uint8_t)pl;
	if (frag_total) {
		m[IKE_HDR_LEN + 4] = (uint8_t)(frag_num >> 8);
		m[IKE_HDR_LEN + 5] = (uint8_t)frag_num;
		m[IKE_HDR_LEN + 6] = (uint8_t)(frag_total >> 8);
		m[IKE_HDR_LEN + 7] = (uint8_t)frag_total;
	}
	if (len > 0)
		memcpy(m + IKE_HDR_LEN + hl + iv, inner, len);
	CU_ASSERT_FATAL(ike_sk_encrypt(&tif_v2.out, m, ml, IKE_HDR_LEN, hl, len) == 0);
	if (corrupt)
		m[ml - 1] ^= 1;
	tif_v2.dg_len = ml;
	if (!tif_v2.hold)
		tif_v2_deliver(sa, m, ml);
}

void tif_v2_inner_begin(void)
{
	ike_msg_build_init_inner(&tif_v2.ib, tif_v2.ibuf, sizeof(tif_v2.ibuf));
}

long tif_v2_inner_end(void)
{
	return tif_v2.ib.len == 0 ? 0 : ike_msg_build_end(&tif_v2.ib);
}

size_t tif_v2_init_req(uint8_t *buf, size_t cap, const struct tif_init_req *r)
{
	struct gw_ike_proposal props[2];
	uint8_t sa_body[512], ni[32], h[20] = { 0 };
	struct ike_build b;
	int n, sl;
	long len;

	n = ike_proposals_from_cfg(&tif_peer, IKE_SA_PROTO_IKE, props, 2);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	sl = ike_sa_encode(sa_body, sizeof(sa_body), props, 1, NULL, 0);
	CU_ASSERT_FATAL(sl > 0);
	memset(ni, r->ni, sizeof(ni));
	ike_msg_build_init(&b, buf, cap, r->spi_i, 0, IKE_EXCH_IKE_SA_INIT, IKE_HDR_F_I, 0);
	if (r->cookie != NULL)
		ike_msg_add_notify(&b, 0, NULL, 0, IKE_N_COOKIE, r->cookie, r->cookie_len);
	ike_msg_add_raw(&b, IKE_PL_SA, false, sa_body, (size_t)sl);
	ike_msg_add_ke(&b, r->group, r->ke, r->ke_len);
	ike_msg_add_nonce(&b, ni, sizeof(ni));
	ike_msg_add_notify(&b, 0, NULL, 0, IKE_N_NAT_DETECTION_SOURCE_IP, h, sizeof(h));
	ike_msg_add_notify(&b, 0, NULL, 0, IKE_N_NAT_DETECTION_DESTINATION_IP, h, sizeof(h));
	if (r->frag)
		ike_msg_add_notify(&b, 0, NULL, 0, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	for (unsigned i = 0; i < r->n_extra; i++)
		ike_msg_add_notify(&b, 0, NULL, 0, 40001, NULL, 0);
	len = ike_msg_build_end(&b);
	CU_ASSERT_FATAL(len > 0);
	return (size_t)len;
}

size_t tif_v2_init_req_dh(uint8_t *buf, size_t cap, struct tif_init_req *r, struct ike_dh **dh)
{
	*dh = ike_dh_new(r->group);
	CU_ASSERT_PTR_NOT_NULL_FATAL(*dh);
	r->ke = ike_dh_public(*dh, &r->ke_len);
	return tif_v2_init_req(buf, cap, r);
}

static uint8_t tif_v2_rx[TIF_CAP_MAX][IKE_MSG_MAX];
static struct ike_msg tif_v2_rxm[TIF_CAP_MAX];

struct ike_msg *tif_v2_sent(unsigned idx)
{
	struct ike_msg *m;
	size_t po = 0, pl = 0, len;
	uint8_t *rx;

	CU_ASSERT_FATAL(idx < tif_tx.n && idx < TIF_CAP_MAX);
	m = &tif_v2_rxm[idx];
	rx = tif_v2_rx[idx];
	len = tif_tx.len[idx];
	memcpy(rx, tif_tx.buf[idx], len);
	CU_ASSERT_FATAL(ike_msg_parse(rx, len, m) == IKE_MSG_OK);
	CU_ASSERT_FATAL(m->n_sk == 1);
	CU_ASSERT_FATAL(ike_sk_decrypt(&tif_v2.in, rx, len, m->sk.aad_len - IKE_SK_HDR_LEN,
				       IKE_SK_HDR_LEN, &po, &pl) == 0);
	CU_ASSERT_FATAL(ike_msg_parse_inner(m, m->sk.inner_next, rx + po, pl) == IKE_MSG_OK);
	return m;
}
