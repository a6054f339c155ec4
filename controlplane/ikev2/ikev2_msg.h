/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_IKEV2_MSG_H
#define GW_IKEV2_MSG_H

/*
 * The exchange files' common layer (internal to controlplane/ikev2/).
 *
 * Receiving: ikev2_msg_input() parses a datagram (ike_msg_parse), finds the
 * IKE SA (a new responder SA for an IKE_SA_INIT request), checks the
 * message ID (a retransmitted request gets the cached response; an old one
 * is dropped), verifies and decrypts SK, reassembles SKF fragments
 * (RFC 7383), parses the inner payloads, then dispatches: a request to the
 * handler of its exchange type, a response to the callback the request
 * was sent with.
 *
 * Sending: an exchange builds its inner payload chain into a struct
 * ike_build obtained from ikev2_msg_request_begin() /
 * ikev2_msg_response_begin() and hands it back to ikev2_msg_request_send()
 * / ikev2_msg_response_send(), which wrap it in SK (or SKF fragments when
 * the peer supports them and the message exceeds the path's room),
 * encrypt, send through cp_ike_send() (non-ESP marker on 4500), and keep
 * the bytes for retransmission (requests: exponential back-off, give up
 * after IKE_RETX_MAX and kill the SA) or for answering a retransmitted
 * request (responses).  IKE_SA_INIT messages are sent in the clear with
 * ikev2_msg_send_plain().  Window size 1: a second request waits in a
 * small per-SA queue until the first is answered.
 */

#include <stdbool.h>
#include <stdint.h>

#include "controlplane/cp_ike_xport.h"
#include "controlplane/ike/ike_msg.h"
#include "controlplane/ike/ike_sa.h"
#include "controlplane/ikev2/ikev2.h"

/* A response to our request arrived (resp), or the request timed out
 * (resp NULL, sa about to be killed). */
typedef void (*ikev2_resp_fn)(struct ike_sa *sa, const struct ike_msg *resp, void *arg);
/* A request of one exchange type arrived on an established (or, for
 * IKE_AUTH, INIT_DONE) SA.  The handler must answer it, now or later
 * (IKE_AUTH waits for the PKI), with ikev2_msg_response_*. */
typedef void (*ikev2_req_fn)(struct ike_sa *sa, const struct ike_msg *req);

/* Register the request handler of an exchange type (IKE_AUTH,
 * CREATE_CHILD_SA, INFORMATIONAL).  IKE_SA_INIT is ikev2_init.c's own. */
void ikev2_msg_set_handler(uint8_t exch, ikev2_req_fn fn);

/* From the IKE transport (cp_ike_set_handler, version byte 2.x). */
void ikev2_msg_input(const struct ike_dgram *d);

/* Start an encrypted request of exchange type exch on sa: returns the
 * builder positioned for the first inner payload, or NULL (no room in the
 * window queue, SA dying).  Then add payloads and call _send. */
struct ike_build *ikev2_msg_request_begin(struct ike_sa *sa, uint8_t exch);
int ikev2_msg_request_send(struct ike_sa *sa, ikev2_resp_fn fn, void *arg);

/* Start the encrypted response to req (same exchange type and message
 * ID).  Then add payloads and call _send. */
struct ike_build *ikev2_msg_response_begin(struct ike_sa *sa, const struct ike_msg *req);
int ikev2_msg_response_send(struct ike_sa *sa);

/* Answer req with one notify of type (and its data) as the whole
 * encrypted response: errors such as TS_UNACCEPTABLE, INVALID_SYNTAX. */
void ikev2_msg_answer_notify(struct ike_sa *sa, const struct ike_msg *req, uint16_t type,
			     const void *data, size_t len);

/* IKE_SA_INIT and unauthenticated error replies: a complete message in
 * the clear from sa's addresses; kept for retransmission when it is a
 * request (fn called with the response). */
int ikev2_msg_send_plain(struct ike_sa *sa, const uint8_t *msg, size_t len, bool request,
			 ikev2_resp_fn fn, void *arg);

/* Timers of one SA (retransmission). */
void ikev2_msg_tick(struct ike_sa *sa, uint64_t now_ms);

/* ikev2_frag.c: RFC 7383 reassembly (bounds at the top of that file). */
enum {
	IKEV2_FRAG_SA_MAX = IKE_MSG_MAX,	/* decrypted octets per reassembly */
	IKEV2_FRAG_SLOTS = 128,			/* reassemblies at once, all SAs */
	IKEV2_FRAG_IDLE_MS = 30000,		/* freed after this long without a fragment */
};
/* Keep the decrypted fragment of m (plain, len octets: already in the
 * window and authenticated).  When it completes the message: the inner
 * chain in out (cap octets), *first its first payload type, returns its
 * length; 0 while fragments are missing (or for a duplicate); -errno to
 * drop (counted). */
long ikev2_frag_add(struct ike_sa *sa, const struct ike_msg *m, const uint8_t *plain, size_t len,
		    uint8_t *out, size_t cap, uint8_t *first);
/* Free sa's reassembly, if any. */
void ikev2_frag_reset(struct ike_sa *sa);
/* Free the reassemblies of dead SAs and idle ones (tick); all (fini). */
void ikev2_frag_tick(uint64_t now_ms);
void ikev2_frag_fini(void);
/* Octets held and slots in use over all SAs (telemetry, tests). */
size_t ikev2_frag_held(void);
unsigned ikev2_frag_busy(void);

/* Milliseconds of the CP clock (monotonic). */
uint64_t ikev2_now_ms(void);
/* Count (ikev2.h counters). */
void ikev2_count(enum ikev2_counter c, uint64_t n);

#endif /* GW_IKEV2_MSG_H */
