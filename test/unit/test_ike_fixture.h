/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_TEST_IKE_FIXTURE_H
#define GW_TEST_IKE_FIXTURE_H

/*
 * Shared by the IKE engine suites (test_ikev2, test_ikev2_xchg,
 * test_ikev2_abuse, test_ikev1_xchg, test_ikev1_abuse): the gateway's one
 * peer and its configuration, the engines brought up with a TX hook that
 * keeps what they send, the main() of a suite over the data plane
 * (dp_init on test_dp_cfg's null ports, workers not launched), the log
 * captured; and the peer the test plays against an established SA, in
 * IKEv1 (tif_v1_*) and IKEv2 (tif_v2_*): its copy of the keys, its
 * messages built, encrypted and delivered, ours decrypted.  Binaries that
 * use it link the control and data planes.  CP thread only.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <CUnit/CUnit.h>

#include "cfg/cfg.h"
#include "common/gw_addr.h"
#include "common/gw_ike.h"
#include "controlplane/ike/ike_dh.h"
#include "controlplane/ike/ike_msg.h"
#include "controlplane/ike/ike_sa.h"
#include "controlplane/ike/ike_sk.h"
#include "controlplane/ikev1/ikev1_keys.h"
#include "controlplane/ikev1/ikev1_msg.h"
#include "test/unit/test_eal.h"

enum { TIF_CAP_MAX = 16 };

/* What the engine sent since tif_tx.n was last set to 0: the first
 * TIF_CAP_MAX datagrams are kept, n counts every one. */
struct tif_wire {
	uint8_t buf[TIF_CAP_MAX][IKE_MSG_MAX];
	size_t len[TIF_CAP_MAX];
	unsigned n;
};

extern struct tif_wire tif_tx;
extern struct cfg_peer tif_peer;	/* the one peer of tif_cfg */
extern struct gw_cfg tif_cfg;

/* The engines' TX hook (ikev2_msg_set_tx, ikev1_set_tx): into tif_tx. */
int tif_capture(const struct gw_addr *src, const struct gw_addr *dst, uint16_t sport,
		uint16_t dport, const void *data, size_t len);

/*
 * Reset tif_cfg to a configuration of tif_peer alone, and tif_peer to:
 * name, IKE version (1 or 2), remote address, one IKE proposal, ESP
 * aes128gcm16, local_ts <-> 172.16.1.0/24, lifetimes 86400 s (IKE) and
 * 3600 s (CHILD).  The caller may change both before tif_start().
 */
void tif_config(const char *name, uint8_t ike_version, const char *remote,
		const char *ike_proposal, const char *local_ts);
/* One more ESP proposal for tif_peer. */
void tif_peer_esp(const char *proposal);

/* ikev2_init (and ikev1_init for an IKEv1 peer) on tif_cfg, the TX hook of
 * tif_peer's version set to tif_capture, tif_tx emptied.  0 or -1. */
int tif_start(void);
/* The reverse of tif_start(). */
void tif_stop(void);

/* A suite's set-up after tif_config(): dp_init, then tif_start().  0 or
 * -1.  tif_dp_stop() is the matching tear-down. */
int tif_dp_start(void);
int tif_dp_stop(void);

/*
 * main() of a suite over the data plane: EAL with TEST_DP_NULL_PORTS, one
 * CUnit suite name of n tests with set-up init (tif_config, tweaks,
 * tif_dp_start) and tear-down tif_dp_stop, run.  The exit status.
 */
int tif_main(const char *name, CU_InitializeFunc init, const struct test_case *tests, size_t n);

/* The gateway's log (rte_openlog_stream) captured from tif_log_begin();
 * tif_log_end() puts the default stream back and returns the number of
 * lines holding what (*total, when not NULL: of every line). */
void tif_log_begin(void);
unsigned tif_log_end(const char *what, unsigned *total);

/* A datagram from sa's peer to us, both ports 4500 (NAT-T). */
struct ike_dgram tif_dgram(const struct ike_sa *sa, const uint8_t *m, size_t len);

/* v big-endian at p[0..3]. */
void tif_put32(uint8_t *p, uint32_t v);

/*
 * IKEv1: the test plays the initiator of an ISAKMP SA.  It holds the
 * peer's copy of the SA's keys and last phase-1 block, builds its
 * messages in buf (header, then a HASH placeholder at offset hash, then
 * what the case adds to b) and encrypts them into ikev1_rx_dgram();
 * hold: build only, deliver nothing.  Messages are SHA2-256 HASHes.
 */
enum { TIF_V1_HASH_LEN = 32, TIF_V1_BUF = 4096 };

struct tif_v1_peer {
	struct ikev1_keys keys;
	struct ikev1_iv p1iv;
	bool hold;
	uint8_t buf[TIF_V1_BUF];
	struct ikev1_build b;
	long hash;
	uint8_t ni[32];			/* its Quick Mode nonce */
	struct ikev1_iv qiv;		/* its Quick Mode IV chain */
};

extern struct tif_v1_peer tif_v1;

/* An established responder ISAKMP SA (tunnel 3, NAT-T on 4500, DPD,
 * AES-128/SHA2-256/RSA/group 19) whose keys come from tag; tif_v1 keeps
 * the peer's copy, tif_tx is emptied. */
struct ike_sa *tif_v1_sa(unsigned tag);
/* Deliver m as the peer (unless tif_v1.hold). */
void tif_v1_deliver(const struct ike_sa *sa, const uint8_t *m, size_t len);
/* Start a message of exchange exch: header and HASH placeholder. */
void tif_v1_begin(const struct ike_sa *sa, uint8_t exch, uint32_t msg_id);
/* Fill the HASH (h, or HASH(1) over the rest when h is NULL; corrupt:
 * one bit flipped), encrypt with iv (*iv becomes the last block),
 * deliver; the length (the datagram stays in tif_v1.buf). */
size_t tif_v1_end(const struct ike_sa *sa, uint32_t msg_id, const uint8_t *h, struct ikev1_iv *iv,
		  bool corrupt);
/* Capture idx decrypted with *iv (moved on) and parsed; its first
 * payload is a HASH.  Kept until capture idx is parsed again. */
struct ikev1_msg *tif_v1_sent(unsigned idx, struct ikev1_iv *iv);
/* An informational of ours: its own IV, HASH(1) checked. */
struct ikev1_msg *tif_v1_sent_info(unsigned idx);
/* Quick Mode message 1 of the peer: SA (aes128gcm16, UDP tunnel, SPI
 * spi), Ni (tif_v1.ni), IDci and IDcr (prefixes); tif_v1.qiv its chain. */
size_t tif_v1_qm1(const struct ike_sa *sa, uint32_t mid, uint32_t spi, const char *idci,
		  const char *idcr, bool corrupt);

/*
 * IKEv2: the test plays the peer of an IKE SA with its copies of the SK
 * keys, encrypts its messages into ikev2_msg_input() and decrypts what the
 * gateway sends.  Inner payloads are built in ib (tif_v2_inner_begin/end).
 */
struct tif_v2_peer {
	struct ike_sk_key out, in;	/* its SK_ei (sends), SK_er (reads) */
	uint32_t mid;			/* its next request ID */
	bool is_init;			/* it is the SA's original initiator */
	bool hold;			/* build the datagram, do not deliver it */
	uint8_t dg[IKE_MSG_MAX];	/* the last datagram it built (replays) */
	size_t dg_len;
	struct ike_build ib;
	uint8_t ibuf[IKE_MSG_MAX];
};

extern struct tif_v2_peer tif_v2;

/* An established responder IKE SA (AES-GCM-16-128, PRF SHA2-256, ECP-256,
 * NAT-T on 4500) whose keys come from tag; tif_v2 reset to its peer,
 * tif_tx emptied. */
struct ike_sa *tif_v2_sa(unsigned tag);
/* Deliver m as the peer. */
void tif_v2_deliver(const struct ike_sa *sa, const uint8_t *m, size_t len);
/*
 * Encrypt inner[0..len) (first payload type first) as the peer into one
 * SK message (frag_total 0) or SKF fragment frag_num/frag_total; corrupt:
 * flip an ICV bit.  Kept in tif_v2.dg, then delivered unless tif_v2.hold.
 */
void tif_v2_send(const struct ike_sa *sa, uint8_t exch, bool response, uint32_t msg_id,
		 uint8_t first, const uint8_t *inner, size_t len, uint16_t frag_num,
		 uint16_t frag_total, bool corrupt);
void tif_v2_inner_begin(void);
/* The length of what was built since tif_v2_inner_begin() (0: nothing). */
long tif_v2_inner_end(void);
/* An IKE_SA_INIT request offering tif_peer's IKE proposal: a COOKIE
 * first when cookie is set, SA, KE (group, ke), Ni (32 octets of ni),
 * NAT-D both ways, IKEV2_FRAGMENTATION_SUPPORTED when frag, then n_extra
 * empty status notifies (40001). */
struct tif_init_req {
	uint64_t spi_i;
	uint16_t group;
	const uint8_t *ke;
	size_t ke_len;
	const uint8_t *cookie;
	size_t cookie_len;
	uint8_t ni;
	bool frag;
	unsigned n_extra;
};

/* r built into buf[0..cap); its length. */
size_t tif_v2_init_req(uint8_t *buf, size_t cap, const struct tif_init_req *r);
/* The same with KE from a new key pair of r->group (*dh, for the caller
 * to ike_dh_free). */
size_t tif_v2_init_req_dh(uint8_t *buf, size_t cap, struct tif_init_req *r, struct ike_dh **dh);
/* Capture idx (SK only) decrypted and parsed as the peer.  Kept until
 * capture idx is parsed again. */
struct ike_msg *tif_v2_sent(unsigned idx);

#endif /* GW_TEST_IKE_FIXTURE_H */
