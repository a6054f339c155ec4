/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKEv1 under attack (issue 8): replays and fragment floods against an
 * established ISAKMP SA.  The harness is test_ikev1_xchg.c's: the test
 * plays the peer with its copy of the SA's keys and phase-1 IV, builds and
 * encrypts the peer's messages into ikev1_rx_dgram() and decrypts what the
 * gateway sends (ikev1_set_tx).  Every case checks that the datagram was
 * dropped (the counter that says why), that nothing of the SA changed
 * (state, Main Mode step, keys and IV, children and fast-path SAs, half-
 * open count, reassembly memory), and that the SA then still answers a
 * fresh R-U-THERE, whole and in fragments.
 *   - replays (RFC 2409 has no message-ID window): Main Mode message 1
 *     and later Main Mode messages after the SA is up, a Quick Mode's
 *     messages 1 and 3 while its slot is kept and message 1 once the slot
 *     is freed (it used to start a second Quick Mode and install another
 *     inbound SA), an informational (R-U-THERE) replayed;
 *   - oversized: an informational over IKEV1_MSG_MAX_PL payloads with a
 *     good HASH(1), a datagram over 65535 octets, length fields that lie;
 *   - fragments (payload 132, not authenticated): slices past 64 KiB per
 *     SA (2 MiB used to be held), duplicates, numbers 0 and above 32 and
 *     above the last, a thousand fragment IDs, garbage reassembled, a
 *     fragment of a fragment, 100 SAs against the 4 MiB global bound.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_common.h>

#include "cfg/cfg.h"
#include "common/gw_log.h"
#include "controlplane/ike/ike_half_open.h"
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
};

/* ---- the peer: the initiator of the ISAKMP SA (test_ike_fixture.h) ---- */

/* An established SA whose peer announced IKE fragmentation. */
static struct ike_sa *new_sa(unsigned tag)
{
	struct ike_sa *sa = tif_v1_sa(tag);

	sa->v1->peer_frag = true;
	return sa;
}

/* ---- what must not change ---- */

struct snap {
	enum ike_sa_state state;
	enum ikev1_mm_step mm;
	struct ikev1_keys keys;
	struct ikev1_iv iv;
	unsigned children, half_open, sas;
	size_t frag_held;
	uint32_t dpd_seq;
};

static void snap_take(const struct ike_sa *sa, struct snap *s)
{
	memset(s, 0, sizeof(*s));
	s->state = sa->state;
	s->mm = sa->v1->mm;
	s->keys = sa->v1->keys;
	s->iv = sa->v1->iv;
	s->children = ike_sa_child_count(sa);
	s->half_open = ike_sa_half_open();
	s->sas = ike_sa_count();
	s->frag_held = ikev1_frag_held();
	s->dpd_seq = sa->v1->peer_dpd_seq;
}

static void snap_check(const struct ike_sa *sa, const struct snap *s)
{
	struct snap now;

	snap_take(sa, &now);
	CU_ASSERT_EQUAL(now.state, s->state);
	CU_ASSERT_EQUAL(now.mm, s->mm);
	CU_ASSERT(memcmp(&now.keys, &s->keys, sizeof(now.keys)) == 0);
	CU_ASSERT(memcmp(&now.iv, &s->iv, sizeof(now.iv)) == 0);
	CU_ASSERT_EQUAL(now.children, s->children);
	CU_ASSERT_EQUAL(now.half_open, s->half_open);
	CU_ASSERT_EQUAL(now.sas, s->sas);
	CU_ASSERT_EQUAL(now.frag_held, s->frag_held);
	CU_ASSERT_EQUAL(now.dpd_seq, s->dpd_seq);
}

/* R-U-THERE as the peer (its datagram left in tif_v1.buf, length returned). */
static size_t peer_dpd(const struct ike_sa *sa, uint32_t mid, uint32_t seq)
{
	struct ikev1_iv iv;
	uint8_t spi[16], s[4];

	memcpy(spi, sa->spi_i, 8);
	memcpy(spi + 8, sa->spi_r, 8);
	tif_put32(s, seq);
	CU_ASSERT_FATAL(ikev1_iv_phase2(IKEV1_HASH_SHA2_256, &tif_v1.p1iv, mid, &iv) == 0);
	tif_v1_begin(sa, IKEV1_EXCH_INFO, mid);
	ikev1_add_notify(&tif_v1.b, IKEV1_PROTO_ISAKMP, spi, 16, IKEV1_N_R_U_THERE, s, 4);
	return tif_v1_end(sa, mid, NULL, &iv, false);
}

/* Deliver whole[0..len) as fragments of per octets, frag ID id, in
 * order; the last flagged. */
static void peer_frags(const struct ike_sa *sa, const uint8_t *whole, size_t len, size_t per,
		       uint16_t id)
{
	static uint8_t f[IKEV1_MSG_BUF];
	unsigned n = (unsigned)((len + per - 1) / per);

	for (unsigned k = 0; k < n; k++) {
		size_t off = k * per, chunk = len - off < per ? len - off : per;
		long fl = ikev1_frag_make(whole, len, off, chunk, (uint8_t)(k + 1), k + 1 == n, f,
					  sizeof(f));

		CU_ASSERT_FATAL(fl > 0);
		f[32] = (uint8_t)(id >> 8);
		f[33] = (uint8_t)id;
		tif_v1_deliver(sa, f, (size_t)fl);
	}
}

/* One fragment: num, last, chunk octets of filler under sa's cookies. */
static void peer_frag1(const struct ike_sa *sa, uint8_t num, bool last, size_t chunk, uint16_t id)
{
	static uint8_t whole[IKEV1_MSG_BUF], f[IKEV1_MSG_BUF];
	long fl;

	memcpy(whole, sa->spi_i, 8);
	memcpy(whole + 8, sa->spi_r, 8);
	memset(whole + 16, 0x77, chunk);
	fl = ikev1_frag_make(whole, 16 + chunk, 16, chunk, num == 0 ? 1 : num, last, f, sizeof(f));
	CU_ASSERT_FATAL(fl > 0);
	f[32] = (uint8_t)(id >> 8);
	f[33] = (uint8_t)id;
	f[34] = num;
	tif_v1_deliver(sa, f, (size_t)fl);
}

/* The SA still answers R-U-THERE (new message ID and sequence), whole
 * and in 3 fragments. */
static uint32_t dpd_mid = 0x70000000, dpd_seq = 0x100;

static void still_works(struct ike_sa *sa)
{
	static uint8_t whole[BUF];
	unsigned before = tif_tx.n;
	struct ikev1_msg *m;
	size_t len;

	peer_dpd(sa, dpd_mid++, dpd_seq++);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, before + 1);
	m = tif_v1_sent_info(before);
	CU_ASSERT_EQUAL_FATAL(m->n_n, 1);
	CU_ASSERT_EQUAL(m->n[0].type, IKEV1_N_R_U_THERE_ACK);
	tif_v1.hold = true;
	len = peer_dpd(sa, dpd_mid++, dpd_seq++);
	tif_v1.hold = false;
	memcpy(whole, tif_v1.buf, len);
	peer_frags(sa, whole, len, (len + 2) / 3, 0x4242);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, before + 2);
	m = tif_v1_sent_info(before + 1);
	CU_ASSERT_EQUAL_FATAL(m->n_n, 1);
	CU_ASSERT_EQUAL(m->n[0].type, IKEV1_N_R_U_THERE_ACK);
	CU_ASSERT_EQUAL(sa->state, IKE_SA_ESTABLISHED);
}

static void done(struct ike_sa *sa)
{
	ikev1_kill(sa, "test done");
	ike_sa_reap();
}

/* ---- replays ---- */

/* Main Mode message 1 (and a later one) replayed after the SA is up. */
static void test_mm_replay(void)
{
	struct ike_sa *sa = new_sa(1);
	uint64_t replay = ikev1_counter(IKEV1_C_isakmp_drop_replay), state = ikev1_counter(IKEV1_C_isakmp_drop_state);
	static const uint8_t zero[8], vid[16] = { 1 };
	uint8_t m1[256], m5[256];
	struct ikev1_build b;
	long l1, l5;
	struct snap s;

	ikev1_build_init(&b, m1, sizeof(m1), sa->spi_i, zero, IKEV1_EXCH_MAIN, 0, 0);
	ikev1_add_raw(&b, IKEV1_PL_VID, vid, sizeof(vid));
	l1 = ikev1_build_end(&b);
	CU_ASSERT_FATAL(l1 > 0);
	/* message 5: encrypted, any 32 octets */
	ikev1_build_init(&b, m5, sizeof(m5), sa->spi_i, sa->spi_r, IKEV1_EXCH_MAIN, 0, 0);
	l5 = ikev1_build_end(&b);
	CU_ASSERT_FATAL(l5 == IKEV1_HDR_LEN);
	memset(m5 + IKEV1_HDR_LEN, 0x33, 32);
	m5[19] = IKEV1_F_ENC;
	tif_put32(m5 + 24, IKEV1_HDR_LEN + 32);
	snap_take(sa, &s);
	for (unsigned i = 0; i < 100; i++) {
		tif_v1_deliver(sa, m1, (size_t)l1);
		tif_v1_deliver(sa, m5, IKEV1_HDR_LEN + 32);
	}
	CU_ASSERT_EQUAL(tif_tx.n, 0);
	CU_ASSERT_EQUAL(ikev1_counter(IKEV1_C_isakmp_drop_replay), replay + 100);
	CU_ASSERT_EQUAL(ikev1_counter(IKEV1_C_isakmp_drop_state), state + 100);
	snap_check(sa, &s);
	/* message 1 from port 500 (the SA floated to 4500): still a replay */
	{
		struct ike_dgram d = tif_dgram(sa, m1, (size_t)l1);

		d.sport = d.dport = 500;
		ikev1_rx_dgram(&d);
	}
	CU_ASSERT_EQUAL(tif_tx.n, 0);
	CU_ASSERT_EQUAL(ikev1_counter(IKEV1_C_isakmp_drop_replay), replay + 101);
	snap_check(sa, &s);
	still_works(sa);
	done(sa);
}

/* ---- Main Mode 1 under attack: unknown addresses, caps, NAT ports ---- */

/* A Main Mode message 1 with our transforms and initiator cookie ic. */
static size_t mm1(uint8_t *buf, size_t cap_, uint64_t ic)
{
	static const uint16_t auth[] = { IKEV1_AUTH_RSA_SIG };
	struct gw_ike_proposal props[2];
	struct ikev1_xform xf[IKEV1_P1_XFORMS];
	static const uint8_t zero[8];
	uint8_t c[8];
	struct ikev1_build b;
	int n;
	long len;

	for (unsigned i = 0; i < 8; i++)
		c[i] = (uint8_t)(ic >> (56 - 8 * i));
	n = ike_proposals_from_cfg(&tif_peer, IKE_SA_PROTO_IKE, props, 2);
	CU_ASSERT_FATAL(n > 0);
	n = ikev1_p1_from_proposals(props, (unsigned)n, auth, 1, 86400, xf, IKEV1_P1_XFORMS);
	CU_ASSERT_FATAL(n > 0);
	ikev1_build_init(&b, buf, cap_, c, zero, IKEV1_EXCH_MAIN, 0, 0);
	CU_ASSERT_FATAL(ikev1_add_sa_p1(&b, xf, (unsigned)n) >= 0);
	len = ikev1_build_end(&b);
	CU_ASSERT_FATAL(len > 0);
	return (size_t)len;
}

static void mm1_from(const char *src, uint16_t sport, const uint8_t *m, size_t len)
{
	struct ike_dgram d;

	memset(&d, 0, sizeof(d));
	gw_addr_parse(src, &d.src);
	gw_addr_parse("10.10.0.1", &d.dst);
	d.sport = sport;
	d.dport = 500;
	d.data = m;
	d.len = len;
	ikev1_rx_dgram(&d);
}

/* Main Mode 1 from an address with no IKEv1 peer: counted exactly, a
 * bounded number of log lines (it used to be one line per datagram). */
static void test_mm1_unknown_flood(void)
{
	uint64_t nosa = ikev1_counter(IKEV1_C_isakmp_drop_no_sa);
	unsigned sas = ike_sa_count(), lines;
	uint8_t m[512];
	size_t len = mm1(m, sizeof(m), 0x1111);

	tif_log_begin();
	tif_tx.n = 0;
	for (unsigned i = 0; i < 2000; i++)
		mm1_from(i & 1 ? "10.99.0.7" : "10.99.1.9", 500, m, len);
	lines = tif_log_end("ike:", NULL);
	CU_ASSERT_EQUAL(ikev1_counter(IKEV1_C_isakmp_drop_no_sa), nosa + 2000);
	CU_ASSERT(lines >= 1);
	CU_ASSERT(lines <= GW_LOG_RL_BURST + 1);
	CU_ASSERT_EQUAL(tif_tx.n, 0);
	CU_ASSERT_EQUAL(ike_sa_count(), sas);
}

/* A half-open Main Mode responder SA from 10.10.0.2:500, as message 1
 * leaves it (recorded for the per-address cap).  The unit tests have no
 * certificate, so the gateway itself would refuse our proposals. */
static struct ike_sa *mm_half_open(uint64_t ic)
{
	struct ike_sa *sa = ikev1_sa_new(IKE_RESPONDER, 0);

	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	for (unsigned i = 0; i < 8; i++)
		sa->spi_i[i] = (uint8_t)(ic >> (56 - 8 * i));
	gw_addr_parse("10.10.0.1", &sa->local);
	gw_addr_parse("10.10.0.2", &sa->remote);
	sa->local_port = sa->remote_port = 500;
	sa->last_rx_ms = ikev1_now_ms();
	CU_ASSERT_EQUAL(ike_ho_add(&sa->remote, sa->id, true), 0);
	return sa;
}

/* The half-open caps apply to Main Mode responders (one SA table), before
 * proposals are looked at; a replayed message 1 from a port a NAT
 * changed is still the SA's own. */
static void test_mm1_caps_and_nat_port(void)
{
	struct cfg_ikev2 *c = &tif_cfg.crypto.ikev2;
	uint64_t peer_ho = ikev1_counter(IKEV1_C_isakmp_drop_peer_half_open);
	uint64_t glob_ho = ikev1_counter(IKEV1_C_isakmp_drop_half_open);
	uint64_t replay = ikev1_counter(IKEV1_C_isakmp_drop_replay);
	uint64_t noprop = ikev1_counter(IKEV1_C_isakmp_no_proposal);
	unsigned sas, half = ike_sa_half_open();
	uint8_t m[512];
	size_t len;
	struct ike_sa *sa;

	(void)mm_half_open(0x2000);
	(void)mm_half_open(0x2001);
	sas = ike_sa_count();
	tif_tx.n = 0;
	/* message 1 of the first again, from the NAT's new port: a replay */
	len = mm1(m, sizeof(m), 0x2000);
	mm1_from("10.10.0.2", 31005, m, len);
	CU_ASSERT_EQUAL(ikev1_counter(IKEV1_C_isakmp_drop_replay), replay + 1);
	CU_ASSERT_EQUAL(ikev1_counter(IKEV1_C_isakmp_no_proposal), noprop);
	CU_ASSERT_EQUAL(ike_sa_count(), sas);
	/* below the cap a new one reaches proposal selection (refused here:
	 * no certificate); at the cap it is refused before */
	c->max_half_open_per_peer = 3;
	len = mm1(m, sizeof(m), 0x2100);
	mm1_from("10.10.0.2", 500, m, len);
	CU_ASSERT_EQUAL(ikev1_counter(IKEV1_C_isakmp_no_proposal), noprop + 1);
	c->max_half_open_per_peer = 2;
	for (unsigned i = 0; i < 100; i++) {
		len = mm1(m, sizeof(m), 0x2200 + i);
		mm1_from("10.10.0.2", 500, m, len);
	}
	CU_ASSERT_EQUAL(ikev1_counter(IKEV1_C_isakmp_drop_peer_half_open), peer_ho + 100);
	CU_ASSERT_EQUAL(ikev1_counter(IKEV1_C_isakmp_no_proposal), noprop + 1);
	CU_ASSERT_EQUAL(ike_sa_count(), sas);
	CU_ASSERT_EQUAL(tif_tx.n, 1);				/* the NO-PROPOSAL-CHOSEN */
	/* the global cap comes first */
	c->max_half_open = ike_sa_half_open();
	len = mm1(m, sizeof(m), 0x2300);
	mm1_from("10.10.0.2", 500, m, len);
	CU_ASSERT_EQUAL(ikev1_counter(IKEV1_C_isakmp_drop_half_open), glob_ho + 1);
	CU_ASSERT_EQUAL(ikev1_counter(IKEV1_C_isakmp_drop_peer_half_open), peer_ho + 100);
	c->max_half_open = 0;
	/* an established SA does not count */
	for (uint64_t id = 0; (sa = ike_sa_next(id)) != NULL; id = sa->id)
		if (sa->state < IKE_SA_ESTABLISHED) {
			ike_sa_state(sa, IKE_SA_ESTABLISHED, "test: up");
			break;
		}
	len = mm1(m, sizeof(m), 0x2400);
	mm1_from("10.10.0.2", 500, m, len);
	CU_ASSERT_EQUAL(ikev1_counter(IKEV1_C_isakmp_no_proposal), noprop + 2);
	c->max_half_open_per_peer = 0;
	for (uint64_t id = 0; (sa = ike_sa_next(id)) != NULL; id = sa->id)
		if (sa->remote_port == 500 && sa->state != IKE_SA_DEAD)
			ikev1_kill(sa, "test done");
	ike_sa_reap();
	CU_ASSERT_EQUAL(ike_sa_half_open(), half);
}

/* QM message 1 of the peer for the configured traffic. */
static size_t peer_qm1(const struct ike_sa *sa, uint32_t mid, uint32_t spi)
{
	return tif_v1_qm1(sa, mid, spi, "172.16.1.0/24", "192.168.10.0/24", false);
}

/* A Quick Mode completed, then its messages replayed: while its slot is
 * kept (message 1: drop_state; message 3: the duplicate rule), and once
 * the slot is freed (message 1 must not start a second Quick Mode). */
static void test_qm_replay(void)
{
	static uint8_t q1[BUF], q3[BUF];
	struct ike_sa *sa = new_sa(2);
	uint64_t replay = ikev1_counter(IKEV1_C_isakmp_drop_replay), state = ikev1_counter(IKEV1_C_isakmp_drop_state);
	uint8_t h[IKEV1_HASH_MAX];
	size_t hl = 0, l1, l3;
	struct ikev1_iv iv2;
	struct ikev1_msg *m;
	struct snap s;

	l1 = peer_qm1(sa, 0x2222, 0x2000);
	memcpy(q1, tif_v1.buf, l1);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 1);
	iv2 = tif_v1.qiv;
	m = tif_v1_sent(0, &iv2);
	CU_ASSERT_FATAL(ikev1_hash3(&tif_v1.keys, 0x2222, (struct ike_chunk){ tif_v1.ni, 32 },
				    (struct ike_chunk){ m->nonce.p, m->nonce.len }, h, &hl) == 0);
	tif_v1_begin(sa, IKEV1_EXCH_QUICK, 0x2222);
	l3 = tif_v1_end(sa, 0x2222, h, &iv2, false);
	memcpy(q3, tif_v1.buf, l3);
	CU_ASSERT_EQUAL_FATAL(ike_sa_child_count(sa), 1);
	CU_ASSERT_EQUAL(tif_tx.n, 1);
	snap_take(sa, &s);
	tif_v1_deliver(sa, q1, l1);			/* its slot is there, done */
	CU_ASSERT_EQUAL(ikev1_counter(IKEV1_C_isakmp_drop_state), state + 1);
	tif_v1_deliver(sa, q3, l3);			/* the duplicate rule */
	CU_ASSERT_EQUAL(tif_tx.n, 1);
	snap_check(sa, &s);
	/* the slot freed (IKEV1_QM_KEEP_MS later): message 1 again */
	ikev1_qm_tick(sa, ikev1_now_ms() + IKEV1_QM_KEEP_MS + 1000);
	CU_ASSERT_PTR_NULL(ikev1_qm_find(sa, 0x2222));
	for (unsigned i = 0; i < 20; i++)
		tif_v1_deliver(sa, q1, l1);
	tif_v1_deliver(sa, q3, l3);
	CU_ASSERT_EQUAL(tif_tx.n, 1);
	CU_ASSERT_EQUAL(ikev1_counter(IKEV1_C_isakmp_drop_replay), replay + 21);
	CU_ASSERT_PTR_NULL(ikev1_qm_find(sa, 0x2222));
	snap_check(sa, &s);
	/* a fresh Quick Mode still works */
	peer_qm1(sa, 0x3333, 0x2001);
	CU_ASSERT_EQUAL(tif_tx.n, 2);
	CU_ASSERT_EQUAL(ike_sa_child_count(sa), 2);
	still_works(sa);
	done(sa);
}

/* An informational (R-U-THERE) replayed: not answered again. */
static void test_info_replay(void)
{
	static uint8_t d[BUF];
	struct ike_sa *sa = new_sa(3);
	uint64_t replay = ikev1_counter(IKEV1_C_isakmp_drop_replay);
	size_t len;
	struct snap s;

	len = peer_dpd(sa, 0x6162, 0x01020305);
	memcpy(d, tif_v1.buf, len);
	CU_ASSERT_EQUAL_FATAL(tif_tx.n, 1);
	snap_take(sa, &s);
	for (unsigned i = 0; i < 50; i++)
		tif_v1_deliver(sa, d, len);
	CU_ASSERT_EQUAL(tif_tx.n, 1);
	CU_ASSERT_EQUAL(ikev1_counter(IKEV1_C_isakmp_drop_replay), replay + 50);
	snap_check(sa, &s);
	still_works(sa);
	done(sa);
}

/* ---- oversized ---- */

/* An informational over IKEV1_MSG_MAX_PL payloads (its HASH(1) right), a
 * datagram over 65535 octets, length fields that lie: dropped, nothing
 * answered or changed. */
static void test_oversized(void)
{
	static uint8_t big[IKEV1_MSG_BUF + 2];
	struct ike_sa *sa = new_sa(5);
	uint64_t parse = ikev1_counter(IKEV1_C_isakmp_drop_parse);
	static const uint8_t vid[4] = { 9 };
	struct ikev1_iv iv;
	size_t len;
	struct snap s;

	snap_take(sa, &s);
	CU_ASSERT_FATAL(ikev1_iv_phase2(IKEV1_HASH_SHA2_256, &tif_v1.p1iv, 0x5555, &iv) == 0);
	tif_v1_begin(sa, IKEV1_EXCH_INFO, 0x5555);
	for (unsigned i = 0; i < IKEV1_MSG_MAX_PL; i++)
		ikev1_add_raw(&tif_v1.b, IKEV1_PL_VID, vid, sizeof(vid));
	len = tif_v1_end(sa, 0x5555, NULL, &iv, false);
	CU_ASSERT_EQUAL(ikev1_counter(IKEV1_C_isakmp_drop_parse), parse + 1);
	CU_ASSERT_FALSE(ikev1_mid_seen(sa, 0x5555));
	memcpy(big, tif_v1.buf, len);
	tif_v1_deliver(sa, big, sizeof(big));
	tif_put32(big + 24, (uint32_t)len + 16);
	tif_v1_deliver(sa, big, len);
	tif_put32(big + 24, (uint32_t)len - 16);
	tif_v1_deliver(sa, big, len);
	tif_put32(big + 24, 0x7fffffff);
	tif_v1_deliver(sa, big, len);
	CU_ASSERT_EQUAL(ikev1_counter(IKEV1_C_isakmp_drop_parse), parse + 5);
	CU_ASSERT_EQUAL(tif_tx.n, 0);
	snap_check(sa, &s);
	still_works(sa);
	done(sa);
}

/* ---- fragments ---- */

static void test_frag_flood(void)
{
	static uint8_t whole[BUF], inner[BUF], f1[BUF];
	struct ike_sa *sa = new_sa(4);
	uint64_t fdrop = ikev1_counter(IKEV1_C_isakmp_drop_frag), dup = ikev1_counter(IKEV1_C_isakmp_frag_dup);
	uint64_t parse = ikev1_counter(IKEV1_C_isakmp_drop_parse);
	size_t held0 = ikev1_frag_held(), peak = 0, len;
	struct snap s;
	long fl;

	snap_take(sa, &s);
	/* large slices: the one past 64 KiB of the SA refused, all freed */
	for (uint8_t n = 1; n <= 32; n++) {
		peer_frag1(sa, n, false, 60000, 1);
		if (ikev1_frag_held() - held0 > peak)
			peak = ikev1_frag_held() - held0;
	}
	CU_ASSERT(peak <= IKEV1_MSG_BUF);
	CU_ASSERT(ikev1_counter(IKEV1_C_isakmp_drop_frag) >= fdrop + 1);
	/* 31 * 2100 held, then the 32nd refused */
	for (uint8_t n = 1; n <= 32; n++)
		peer_frag1(sa, n, false, 2100, 2);
	CU_ASSERT_EQUAL(ikev1_frag_held(), held0);
	fdrop = ikev1_counter(IKEV1_C_isakmp_drop_frag);
	/* duplicates; numbers 0, 33, 255; above the last */
	for (unsigned i = 0; i < 1000; i++)
		peer_frag1(sa, 1, false, 100, 3);
	CU_ASSERT_EQUAL(ikev1_counter(IKEV1_C_isakmp_frag_dup), dup + 999);
	CU_ASSERT_EQUAL(ikev1_frag_held() - held0, 100);
	peer_frag1(sa, 0, false, 100, 3);		/* the parser's */
	CU_ASSERT_EQUAL(ikev1_counter(IKEV1_C_isakmp_drop_parse), parse + 1);
	peer_frag1(sa, 33, false, 100, 3);
	peer_frag1(sa, 255, true, 100, 3);
	peer_frag1(sa, 3, true, 100, 3);		/* the last is 3 */
	peer_frag1(sa, 5, false, 100, 3);		/* above it */
	CU_ASSERT_EQUAL(ikev1_counter(IKEV1_C_isakmp_drop_frag), fdrop + 3);
	CU_ASSERT_EQUAL(ikev1_frag_held() - held0, 200);
	/* a thousand fragment IDs: each forgets the one before */
	for (unsigned i = 0; i < 1000; i++)
		peer_frag1(sa, 2, false, 500, (uint16_t)(100 + i));
	CU_ASSERT_EQUAL(ikev1_frag_held() - held0, 500);
	/* garbage reassembled: dropped by the receive path */
	parse = ikev1_counter(IKEV1_C_isakmp_drop_parse) + ikev1_counter(IKEV1_C_isakmp_drop_state);
	peer_frag1(sa, 1, true, 500, 2000);
	CU_ASSERT(ikev1_counter(IKEV1_C_isakmp_drop_parse) + ikev1_counter(IKEV1_C_isakmp_drop_state) > parse);
	CU_ASSERT_EQUAL(ikev1_frag_held(), held0);
	/* a fragment of a fragment: dropped, no second reassembly */
	fdrop = ikev1_counter(IKEV1_C_isakmp_drop_frag);
	tif_v1.hold = true;
	len = peer_dpd(sa, 0x7777, 0x42);
	tif_v1.hold = false;
	memcpy(inner, tif_v1.buf, len);
	fl = ikev1_frag_make(inner, len, 0, len, 1, true, f1, sizeof(f1));
	CU_ASSERT_FATAL(fl > 0);
	memcpy(whole, f1, (size_t)fl);
	peer_frags(sa, whole, (size_t)fl, (size_t)fl, 0x999);
	CU_ASSERT_EQUAL(ikev1_counter(IKEV1_C_isakmp_drop_frag), fdrop + 1);
	CU_ASSERT_EQUAL(tif_tx.n, 0);
	CU_ASSERT_EQUAL(ikev1_frag_held(), held0);
	snap_check(sa, &s);
	printf("\n    fragment flood: peak held %zu octets (bound %u per SA)\n", peak,
	       (unsigned)IKEV1_MSG_BUF);
	still_works(sa);
	done(sa);
	CU_ASSERT_EQUAL(ikev1_frag_held(), held0);
}

/* 100 SAs hold 60000 octets each: the global bound refuses the rest;
 * freeing the SAs gives it all back. */
static void test_frag_global(void)
{
	struct ike_sa *sas[100];
	uint64_t fdrop = ikev1_counter(IKEV1_C_isakmp_drop_frag);
	size_t held0 = ikev1_frag_held();
	unsigned kept = 0;

	for (unsigned i = 0; i < RTE_DIM(sas); i++) {
		sas[i] = new_sa(10 + i);
		peer_frag1(sas[i], 1, false, 60000, 7);
		kept += sas[i]->frag[0] != NULL;
	}
	CU_ASSERT(ikev1_frag_held() <= IKEV1_FRAG_ALL_MAX);
	CU_ASSERT_EQUAL(kept, (IKEV1_FRAG_ALL_MAX - held0) / 60000);
	CU_ASSERT_EQUAL(ikev1_counter(IKEV1_C_isakmp_drop_frag), fdrop + RTE_DIM(sas) - kept);
	printf("\n    100 SAs: %u hold a slice, %zu octets held (bound %u)\n", kept,
	       ikev1_frag_held(), (unsigned)IKEV1_FRAG_ALL_MAX);
	for (unsigned i = 0; i < RTE_DIM(sas); i++)
		ikev1_kill(sas[i], "test done");
	ike_sa_reap();
	CU_ASSERT_EQUAL(ikev1_frag_held(), 0);
}

/* ---- set-up ---- */

static int suite_init(void)
{
	tif_config("branch-v1", 1, "10.10.0.2", "aes128-sha256-ecp256", "192.168.10.0/24");
	return tif_dp_start();
}

int main(void)
{
	static const struct test_case tests[] = {
		{ "Main Mode messages replayed after the SA is up", test_mm_replay },
		{ "Quick Mode replayed, kept and after its slot is freed", test_qm_replay },
		{ "informational (R-U-THERE) replayed", test_info_replay },
		{ "oversized: payload count, datagram, lengths", test_oversized },
		{ "fragment flood on one SA", test_frag_flood },
		{ "fragments over the global bound (100 SAs)", test_frag_global },
		{ "Main Mode 1 from unknown addresses: counted, log bounded", test_mm1_unknown_flood },
		{ "Main Mode 1 half-open caps, replay via a NAT's port", test_mm1_caps_and_nat_port },
	};

	return tif_main("ikev1_abuse", suite_init, tests, RTE_DIM(tests));
}
