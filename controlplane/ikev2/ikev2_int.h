/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_IKEV2_INT_H
#define GW_IKEV2_INT_H

/*
 * Cross-file declarations internal to controlplane/ikev2/ (one exchange per
 * file; these are the calls between them).  CP thread only.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg/cfg.h"
#include "common/gw_addr.h"
#include "controlplane/cp_ike_xport.h"
#include "controlplane/ike/ike_msg.h"
#include "controlplane/ike/ike_sa.h"
#include "controlplane/pki/pki.h"

/* ikev2_msg.c: how datagrams leave (cp_ike_send; unit tests capture). */
typedef int (*ikev2_tx_fn)(const struct gw_addr *src, const struct gw_addr *dst, uint16_t sport,
			   uint16_t dport, const void *data, size_t len);
void ikev2_msg_set_tx(ikev2_tx_fn fn);		/* NULL: back to cp_ike_send */
/* Send one datagram (counted). */
int ikev2_msg_tx(const struct gw_addr *src, const struct gw_addr *dst, uint16_t sport,
		 uint16_t dport, const void *data, size_t len);
/* ikev2_msg_response_begin() for a request no longer at hand (answered
 * after an asynchronous step): its exchange type and message ID. */
struct ike_build *ikev2_msg_response_begin_id(struct ike_sa *sa, uint8_t exch, uint32_t msg_id);
/* Drop the message being built for sa (an error while adding payloads). */
void ikev2_msg_abort(struct ike_sa *sa);
/* Write an IKE header of sa's SPIs at p. */
void ikev2_hdr_put(uint8_t *p, const struct ike_sa *sa, uint8_t next, uint8_t exch,
		   uint8_t flags, uint32_t msg_id, uint32_t len);

/* ikev2_main.c: the configuration ikev2_init() was given (NULL before). */
const struct gw_cfg *ikev2_cfg(void);

/* ikev2_init.c: an IKE_SA_INIT request (responder; no SA yet, or a
 * retransmission of one), already parsed from datagram d. */
void ikev2_init_input(const struct ike_dgram *d, const struct ike_msg *m);
/* ikev2_init.c: start an IKE_SA_INIT as initiator to peer. 0 or -errno. */
int ikev2_init_start(unsigned peer);

/* ikev2_init.c: NAT_DETECTION_*_IP hash (RFC 7296 2.23):
 * SHA-1(SPIi | SPIr | IP | port), port in host order. */
void ikev2_natd_hash(const uint8_t spi_i[8], const uint8_t spi_r[8], const struct gw_addr *a,
		     uint16_t port, uint8_t out[20]);
/* ikev2_init.c: stateless COOKIE (2.6) = version | SHA-256(Ni | IPi | SPIi |
 * secret); the secret rotates every 5 minutes, the previous one stays good. */
enum { IKEV2_COOKIE_LEN = 33 };
int ikev2_cookie_make(const uint8_t *ni, size_t ni_len, const struct gw_addr *ip,
		      const uint8_t spi_i[8], uint8_t out[IKEV2_COOKIE_LEN]);
bool ikev2_cookie_check(const uint8_t *ck, size_t len, const uint8_t *ni, size_t ni_len,
			const struct gw_addr *ip, const uint8_t spi_i[8]);
void ikev2_cookie_rotate(uint64_t now_ms);
void ikev2_cookie_tick(uint64_t now_ms);
/* ikev2_init.c: a CERTREQ of our trustpoints' CA keys (none if no CA). */
void ikev2_certreq_add(struct ike_build *b);
/* ikev2_init.c: the IKEv2 peer for a remote address, else the first
 * `remote = "any"` one (*any set); -1 if none. */
int ikev2_peer_by_addr(const struct gw_addr *src, bool *any);

/* ikev2_ts.c: a selector copied out of a message. */
struct ikev2_ts {
	uint8_t proto, addr_len;
	uint16_t sport, eport;
	uint8_t start[16], end[16];
};
void ikev2_ts_copy(const struct ike_ts_pl *pl, struct ikev2_ts *out, uint8_t *n);
/* Narrow: the configured prefixes cfg[] intersected with the peer's
 * whole-protocol selectors ts[] (a configured prefix inside a selector,
 * or a selector that is a prefix inside a configured one).  Count. */
unsigned ikev2_ts_narrow(const struct ikev2_ts *ts, unsigned n, const struct gw_prefix *cfg,
			 unsigned nc, struct gw_prefix *out, unsigned max);
/* A TSi/TSr payload of prefixes (any protocol and port). */
int ikev2_ts_add(struct ike_build *b, uint8_t pl_type, const struct gw_prefix *p, unsigned n);

/* ikev2_child_sa.c: child c's descriptors (c: spi_in/out, esp_alg, esn,
 * selectors set), keys from KEYMAT (2.17: SK_d, g^ir (len 0 without PFS),
 * the exchange's Ni and Nr).  we_initiated: we sent the request of the
 * exchange creating c (IKE_AUTH: we are the IKE SA's initiator;
 * CREATE_CHILD_SA: whoever sent it), so our outbound is the
 * initiator-to-responder SA.  in/out hold keys: the caller wipes them.
 * 0 or -errno (both wiped). */
struct gw_sa_desc;
int ikev2_child_keys(const struct ike_sa *sa, const struct ike_child *c, bool we_initiated,
		     struct ike_chunk gir, struct ike_chunk ni, struct ike_chunk nr,
		     struct gw_sa_desc *in, struct gw_sa_desc *out);
/* ikev2_child_sa.c: ikev2_child_keys(), then both directions installed in
 * sa's tunnel (c->installed, created_ms set; handles DP_SA_INVALID on
 * failure).  0 or -errno. */
int ikev2_child_install(struct ike_sa *sa, struct ike_child *c, bool we_initiated,
			struct ike_chunk gir, struct ike_chunk ni, struct ike_chunk nr);
/* ikev2_child_sa.c: ikev2_child_install() of IKE_AUTH's child: KEYMAT
 * from the IKE SA's Ni and Nr, no g^ir; the IKE SA's initiator is
 * IKE_AUTH's. */
int ikev2_child_install_first(struct ike_sa *sa, struct ike_child *c);

/* ikev2_auth_rec.c: record how one side (local: we) authenticated, AUTH
 * method and key (the key's kind tells method 14's algorithm; NULL: not
 * known); the name of an enum ike_auth_kind ("RSA", "ECDSA", "PSK",
 * "none"). */
struct evp_pkey_st;
void ikev2_auth_record(struct ike_sa *sa, bool local, uint8_t method, const struct evp_pkey_st *key);
const char *ikev2_auth_kind_name(uint8_t kind);

/* ikev2_auth.c: the initiator's IKE_AUTH, right after IKE_SA_INIT
 * (sa in INIT_DONE, keys derived).  0 or -errno (sa killed). */
int ikev2_auth_start(struct ike_sa *sa);
/* ikev2_auth.c: register the IKE_AUTH request handler; free the contexts
 * of verifications whose SA died (tick). */
void ikev2_auth_register(void);
void ikev2_auth_gc(void);

/* ikev2_info.c: send an INFORMATIONAL with DELETE of the IKE SA (children
 * already retired) and mark sa DELETING; the SA is killed when the answer
 * arrives or the request times out.  0 or -errno (sa killed at once). */
int ikev2_info_send_delete(struct ike_sa *sa);
/* ikev2_info.c: liveness (DPD) timer of one SA. */
void ikev2_info_tick(struct ike_sa *sa, uint64_t now_ms);
/* ikev2_info.c / ikev2_child.c: register their request handlers. */
void ikev2_info_register(void);
void ikev2_child_register(void);

/* ikev2_rekey.c: CHILD SA / IKE SA rekey timers of one SA. */
void ikev2_child_tick(struct ike_sa *sa, uint64_t now_ms);
/* ikev2_rekey.c: at shutdown, free the pending rekey state (our rekeys'
 * DH values and nonces, a rekey responder's outbound SAs waiting for the
 * old child's DELETE), keys wiped. */
void ikev2_child_fini(void);

/* ikev2_info.c (K2): DELETE of one CHILD SA (our inbound SPI); its outbound
 * is retired now, the inbound and the slot when the peer answers.  0 or
 * -errno. */
int ikev2_info_send_child_delete(struct ike_sa *sa, struct ike_child *c);
/* ikev2_info.c: a D payload of ESP SPIs (host order; 0 < n <= IKE_CHILD_MAX). */
int ikev2_info_add_child_delete(struct ike_build *b, const uint32_t *spi_in, unsigned n);
/* ikev2_info.c: the children a peer's D payload names (by our spi_out),
 * without duplicates; unknown SPIs are skipped.  Returns how many. */
unsigned ikev2_info_map_child_delete(struct ike_sa *sa, const struct ike_delete_pl *d,
				     struct ike_child **out, unsigned max);
/* ikev2_info.c: is a liveness check due (interval_s 0 = off)? */
bool ikev2_info_dpd_due(const struct ike_sa *sa, uint32_t interval_s, uint64_t now_ms);

/* ikev2_child.c: the peer deleted child c: a rekey responder's successor
 * gets its outbound SA first (make-before-break), then c is removed. */
void ikev2_child_deleted(struct ike_sa *sa, struct ike_child *c);
/* ikev2_rekey.c: when to rekey something of lifetime_s seconds started at
 * start_ms: at 90 % minus a jitter of up to 5 % taken from rnd. */
uint64_t ikev2_rekey_time(uint64_t start_ms, uint32_t lifetime_s, uint32_t rnd);
/* ikev2_rekey.c: 2.8.1: does our exchange (nonces ni/nr) win a simultaneous
 * rekey against theirs?  The exchange holding the lowest nonce loses. */
bool ikev2_rekey_we_win(const uint8_t *our_ni, size_t our_ni_len, const uint8_t *our_nr,
			size_t our_nr_len, const uint8_t *their_ni, size_t their_ni_len,
			const uint8_t *their_nr, size_t their_nr_len);

#endif /* GW_IKEV2_INT_H */
