/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IKE_MSG_H
#define IKE_MSG_H

/*
 * IKEv2 messages (RFC 7296 section 3, RFC 7383 SKF): parse and build.
 *
 * Parse: ike_msg_parse() takes one datagram (IKE header onwards, non-ESP
 * marker already stripped) and fills a struct ike_msg of views: pointers
 * and lengths into the datagram, nothing copied, nothing allocated.  Each
 * payload is first validated (bounds only: every length checked against
 * its parent) and then parsed (interpreted).  An encrypted message stops
 * at its SK or SKF payload: the parser returns where the IV, ciphertext
 * and ICV start and what the integrity covers; once decrypted (another
 * module), ike_msg_parse_inner() parses the inner payloads into the same
 * struct.  The views live as long as the buffers they point into.
 *
 * Build: a builder appends the header, then payloads, chaining each
 * payload's Next Payload and patching lengths; ike_msg_sk_begin/end
 * reserve the IV, padding and ICV of an SK (or SKF) payload and return
 * the offsets the encryption fills in (struct ike_sk_seam).
 *
 * Error rule (RFC 7296 2.21, 3.10.1, 2.5).  A parse error is one of
 * enum ike_msg_err, of four classes:
 *   DROP     the header is unusable (short, length field != datagram
 *            length, IKEv1, zero initiator SPI, bad SK/SKF framing):
 *            never answered.
 *   VERSION  major version above 2: drop; a request MAY be answered with
 *            an unprotected INVALID_MAJOR_VERSION (2.5).
 *   CRITICAL an unknown payload with the critical bit: the response to a
 *            request carries UNSUPPORTED_CRITICAL_PAYLOAD with the payload
 *            type (msg->crit_type) as data (2.5).
 *   SYNTAX   a malformed payload.  INVALID_SYNTAX "may only be returned
 *            for and in an encrypted packet if the Message ID and
 *            cryptographic checksum were valid" (3.10.1): inside an
 *            authenticated SK payload (ike_msg_parse_inner after the ICV
 *            verified) the request is answered with INVALID_SYNTAX; in an
 *            unprotected message (IKE_SA_INIT) it is dropped.
 * ike_msg_err_notify() applies this rule.  Responses are never answered
 * (2.21): the caller checks IKE_HDR_F_R.  msg->hdr is filled whenever
 * the datagram holds a whole header (every error but HDR_SHORT), so a
 * response can copy the SPIs and Message ID.
 *
 * Thread-safety: pure functions over caller-owned objects.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/gw_ike.h"

/* X(id, class, text) */
#define IKE_MSG_ERR_LIST(X) \
	X(OK, NONE, "ok") \
	X(HDR_SHORT, DROP, "shorter than the IKE header") \
	X(HDR_LENGTH, DROP, "header length differs from the datagram length") \
	X(HDR_NOT_V2, DROP, "major version below 2 (IKEv1)") \
	X(HDR_MAJOR_VERSION, VERSION, "major version above 2") \
	X(HDR_SPI_ZERO, DROP, "initiator SPI is zero") \
	X(PL_TRUNCATED, SYNTAX, "payload runs past the end of its message") \
	X(PL_LENGTH, SYNTAX, "payload length below the minimum of its type") \
	X(PL_TRAILING, SYNTAX, "bytes after the last payload") \
	X(PL_TOO_MANY, SYNTAX, "more payloads (of one type, or in all) than supported") \
	X(PL_NOT_LAST, SYNTAX, "SK or SKF payload is not the last payload") \
	X(PL_NESTED, SYNTAX, "SK or SKF payload inside an encrypted payload") \
	X(PL_CRITICAL, CRITICAL, "unsupported critical payload") \
	X(SA_EMPTY, SYNTAX, "SA payload without proposals") \
	X(SA_PROP_LENGTH, SYNTAX, "proposal length outside its SA payload") \
	X(SA_PROP_LAST, SYNTAX, "proposal last/more flag wrong") \
	X(SA_PROP_NUM, SYNTAX, "proposal numbers not consecutive") \
	X(SA_PROP_TOO_MANY, SYNTAX, "more proposals than supported") \
	X(SA_XFORM_LENGTH, SYNTAX, "transform length outside its proposal") \
	X(SA_XFORM_LAST, SYNTAX, "transform last/more flag wrong") \
	X(SA_XFORM_COUNT, SYNTAX, "transform count differs from the proposal's") \
	X(SA_XFORM_TOO_MANY, SYNTAX, "more transforms than supported") \
	X(SA_ATTR_LENGTH, SYNTAX, "attribute length outside its transform") \
	X(NONCE_LENGTH, SYNTAX, "nonce not 16..256 octets") \
	X(N_SPI, SYNTAX, "notify SPI size exceeds the payload") \
	X(D_LENGTH, SYNTAX, "delete SPI count and size disagree with length") \
	X(TS_COUNT, SYNTAX, "selector count zero or disagrees with length") \
	X(TS_LENGTH, SYNTAX, "selector length wrong for its type") \
	X(TS_TOO_MANY, SYNTAX, "more selectors than supported") \
	X(SK_EMPTY, DROP, "SK or SKF payload without ciphertext") \
	X(SKF_NUMBER, DROP, "SKF fragment number zero, above total, or next set") \
	X(SK_SPLIT, DROP, "encrypted payload shorter than IV + ICV or misaligned") \
	X(SK_PAD, SYNTAX, "pad length exceeds the decrypted payload")

#define IKE_MSG_ERR_ENUM_(id, cls, text) IKE_MSG_##id,
enum ike_msg_err { IKE_MSG_ERR_LIST(IKE_MSG_ERR_ENUM_) IKE_MSG_ERR_COUNT };
#undef IKE_MSG_ERR_ENUM_

enum ike_msg_err_class {
	IKE_MSG_CLASS_NONE,
	IKE_MSG_CLASS_DROP,
	IKE_MSG_CLASS_VERSION,
	IKE_MSG_CLASS_CRITICAL,
	IKE_MSG_CLASS_SYNTAX,
};

/* Fixed maxima per message; one more is IKE_MSG_PL_TOO_MANY (or the
 * SA/TS variants).  Singletons (SA, KE, IDi, IDr, AUTH, Nonce, TSi, TSr,
 * SK/SKF, CP, EAP) may appear once.  IKE_MSG_MAX_PAYLOADS bounds every
 * payload of the message, outer and inner chains together, unknown ones
 * included: the per-type maxima and the singletons add up to 71, so a
 * message of thousands of tiny (4-octet) payloads stops at the 81st
 * instead of being walked to its end. */
enum {
	IKE_MSG_MAX_PAYLOADS = 80,
	IKE_MSG_MAX_CERT = 8,		/* a chain */
	IKE_MSG_MAX_CERTREQ = 8,
	IKE_MSG_MAX_N = 24,
	IKE_MSG_MAX_D = 8,
	IKE_MSG_MAX_V = 12,
	IKE_MSG_MAX_PROPOSALS = 32,
	IKE_MSG_MAX_TRANSFORMS = 192,	/* over all proposals of the SA */
	IKE_MSG_MAX_TS = 16,		/* per TS payload */
};

struct ike_view {
	const uint8_t *p;
	size_t len;
};

struct ike_hdr {
	uint64_t spi_i;			/* big-endian on the wire */
	uint64_t spi_r;
	uint8_t next;			/* first payload */
	uint8_t version;		/* raw octet: major << 4 | minor */
	uint8_t exchange;
	uint8_t flags;			/* IKE_HDR_F_* */
	uint32_t msg_id;
	uint32_t length;
};

/* One transform; unknown_attr: an attribute other than a TV Key Length
 * was present, so the transform must not be chosen (3.3.6). */
struct ike_transform {
	uint8_t type;			/* enum ike_xform_type */
	uint8_t unknown_attr;
	uint16_t id;
	uint16_t key_len;		/* Key Length attribute, 0 if absent */
};

struct ike_proposal {
	uint8_t num;
	uint8_t proto;			/* enum ike_proto */
	uint8_t spi_size;
	uint8_t n_xforms;
	const uint8_t *spi;		/* spi_size octets */
	uint16_t first_xform;		/* index into ike_sa_pl.xforms */
};

struct ike_sa_pl {
	struct ike_view body;		/* proposals, as received */
	uint8_t n_props;
	uint16_t n_xforms;
	struct ike_proposal props[IKE_MSG_MAX_PROPOSALS];
	struct ike_transform xforms[IKE_MSG_MAX_TRANSFORMS];
};

struct ike_ke_pl {
	uint16_t group;			/* enum ike_dh_id */
	struct ike_view data;
};

struct ike_id_pl {
	uint8_t type;			/* enum ike_id_type */
	struct ike_view data;
	struct ike_view body;		/* type..data: what AUTH covers (2.15) */
};

struct ike_cert_pl {			/* CERT and CERTREQ */
	uint8_t enc;			/* enum ike_cert_enc */
	struct ike_view data;
};

struct ike_auth_pl {
	uint8_t method;			/* enum ike_auth_method */
	struct ike_view data;
};

struct ike_notify_pl {
	uint8_t proto;
	uint16_t type;			/* enum ike_notify */
	struct ike_view spi;
	struct ike_view data;
};

struct ike_delete_pl {
	uint8_t proto;
	uint8_t spi_size;
	uint16_t n_spi;
	const uint8_t *spis;		/* n_spi * spi_size octets */
};

/* One selector; start/end point at addr_len octets (4 or 16), NULL for a
 * type this gateway does not know (kept so policy can refuse it). */
struct ike_ts {
	uint8_t type;			/* enum ike_ts_type */
	uint8_t proto;			/* IP protocol, 0 = any */
	uint8_t addr_len;
	uint16_t sport;
	uint16_t eport;
	const uint8_t *start;
	const uint8_t *end;
};

struct ike_ts_pl {
	uint8_t n;
	struct ike_ts ts[IKE_MSG_MAX_TS];
};

/* The SK (or SKF) payload, as received.  body = IV | ciphertext | ICV;
 * aad_len = octets of the message before body (header through the SK or
 * SKF header): the AEAD associated data (RFC 5282 5.1, RFC 7383 2.5);
 * with an HMAC, the ICV covers the whole message but the ICV. */
struct ike_sk_pl {
	uint8_t inner_next;		/* first inner payload (0 in SKF > 1) */
	uint8_t frag;			/* 1 for SKF */
	uint16_t frag_num;		/* SKF only */
	uint16_t frag_total;
	struct ike_view body;
	size_t aad_len;
};

/* The body of an SK payload split by ike_msg_sk_split(). */
struct ike_sk_parts {
	const uint8_t *iv;
	const uint8_t *ct;		/* ciphertext: inner | padding | pad length */
	size_t ct_len;
	const uint8_t *icv;
	size_t integ_len;		/* message octets the ICV covers (from 0) */
	size_t aad_len;
};

struct ike_msg {
	const uint8_t *data;		/* the datagram */
	size_t len;
	struct ike_hdr hdr;
	/* How many of each; the singleton views are valid when n_* == 1. */
	uint8_t n_sa, n_ke, n_idi, n_idr, n_auth, n_nonce, n_tsi, n_tsr, n_sk, n_cp, n_eap;
	uint8_t n_cert, n_certreq, n_n, n_d, n_v;
	uint8_t n_unknown;		/* unknown non-critical payloads skipped */
	uint8_t n_pl;			/* all payloads so far (IKE_MSG_MAX_PAYLOADS) */
	uint8_t crit_type;		/* IKE_MSG_PL_CRITICAL: the payload type */
	uint8_t err_pl;			/* payload type being parsed at the error */
	size_t err_off;			/* its offset in the buffer being parsed */
	struct ike_sa_pl sa;
	struct ike_ke_pl ke;
	struct ike_id_pl idi, idr;
	struct ike_auth_pl auth;
	struct ike_view nonce;
	struct ike_ts_pl tsi, tsr;
	struct ike_sk_pl sk;
	struct ike_view cp, eap;	/* recognised, not interpreted */
	struct ike_cert_pl cert[IKE_MSG_MAX_CERT];
	struct ike_cert_pl certreq[IKE_MSG_MAX_CERTREQ];
	struct ike_notify_pl n[IKE_MSG_MAX_N];
	struct ike_delete_pl d[IKE_MSG_MAX_D];
	struct ike_view v[IKE_MSG_MAX_V];
};

/*
 * Parse one datagram of len octets into *msg (fully overwritten).  Returns
 * IKE_MSG_OK or the first error found.  Never reads outside data[0..len).
 * This is the fuzzing entry point.
 */
enum ike_msg_err ike_msg_parse(const uint8_t *data, size_t len, struct ike_msg *msg);

/*
 * Parse the decrypted inner payloads of an SK payload (or of reassembled
 * SKF fragments): first = msg->sk.inner_next, p/len = the plaintext with
 * padding and pad length removed (ike_msg_sk_unpad).  Adds to *msg; SK and
 * SKF are refused inside (IKE_MSG_PL_NESTED).  Returns IKE_MSG_OK or the
 * first error (class SYNTAX or CRITICAL).
 */
enum ike_msg_err ike_msg_parse_inner(struct ike_msg *msg, uint8_t first, const uint8_t *p,
				     size_t len);

/*
 * Split msg->sk.body for a cipher of iv_len octets of IV, icv_len of ICV
 * and block_len alignment of the ciphertext (1 for AEAD).  IKE_MSG_OK or
 * IKE_MSG_SK_SPLIT (no ciphertext octet, or misaligned).
 */
enum ike_msg_err ike_msg_sk_split(const struct ike_msg *msg, size_t iv_len, size_t icv_len,
				  size_t block_len, struct ike_sk_parts *out);

/* Length of the inner payloads of a decrypted ciphertext (its last octet
 * is the pad length, 3.14): IKE_MSG_OK with *inner_len, or IKE_MSG_SK_PAD. */
enum ike_msg_err ike_msg_sk_unpad(const uint8_t *plain, size_t len, size_t *inner_len);

/* The first notify of this type, or NULL. */
const struct ike_notify_pl *ike_msg_notify_find(const struct ike_msg *msg, uint16_t type);

/* Class and text of err (a value out of range is DROP, "?"). */
enum ike_msg_err_class ike_msg_err_class(enum ike_msg_err err);
const char *ike_msg_err_str(enum ike_msg_err err);

/*
 * The notify type that answers a request that failed with err (0: drop
 * silently), per the rule above; authenticated: the error was found in a
 * message whose ICV verified.
 */
uint16_t ike_msg_err_notify(enum ike_msg_err err, bool authenticated);

/* ---- build ---- */

/*
 * A builder writes into a caller buffer.  Errors are sticky (-ENOSPC when
 * the buffer is full, -EMSGSIZE past 65535 octets or a payload past its
 * 16-bit length, -EINVAL on misuse): every adder returns 0 or the sticky
 * error, so checking ike_msg_build_end() alone is enough.
 */
struct ike_build {
	uint8_t *buf;
	size_t cap;
	size_t len;
	int err;
	bool has_hdr;			/* false: a header-less inner chain */
	bool done;
	uint8_t first;			/* first payload type of an inner chain */
	size_t next_off;		/* Next Payload octet to patch; SIZE_MAX: first */
	size_t pl_off;			/* open payload, SIZE_MAX when none */
	size_t sa_off, prop_off, xform_off;
	size_t sk_off, sk_iv_off, sk_plain_off;
};

/* The offsets (from the start of the message) an SK/SKF encryption fills:
 * IV at iv_off, plaintext at plain_off (inner | padding | pad length,
 * encrypted in place), ICV at icv_off.  aad_len = iv_off. */
struct ike_sk_seam {
	size_t sk_off;
	size_t iv_off;
	size_t iv_len;
	size_t plain_off;
	size_t plain_len;
	size_t icv_off;
	size_t icv_len;
	size_t msg_len;
};

/* Start a message: the header with Length 0 (set by ike_msg_build_end or
 * ike_msg_sk_end). */
void ike_msg_build_init(struct ike_build *b, void *buf, size_t cap, uint64_t spi_i,
			uint64_t spi_r, uint8_t exchange, uint8_t flags, uint32_t msg_id);
/* Start a header-less payload chain (the inner payloads to fragment);
 * ike_msg_build_end returns its length, b->first its first type. */
void ike_msg_build_init_inner(struct ike_build *b, void *buf, size_t cap);
/* Close the message (patch the header length).  Length or -errno. */
long ike_msg_build_end(struct ike_build *b);

int ike_msg_add_sa_begin(struct ike_build *b);
/* A proposal of the open SA; the previous one is closed. */
int ike_msg_add_proposal(struct ike_build *b, uint8_t num, uint8_t proto, const void *spi,
			 uint8_t spi_size);
/* A transform of the open proposal; key_len 0: no Key Length attribute. */
int ike_msg_add_transform(struct ike_build *b, uint8_t type, uint16_t id, uint16_t key_len);
int ike_msg_add_sa_end(struct ike_build *b);

int ike_msg_add_ke(struct ike_build *b, uint16_t group, const void *data, size_t len);
/* pl_type: IKE_PL_IDI or IKE_PL_IDR. */
int ike_msg_add_id(struct ike_build *b, uint8_t pl_type, uint8_t id_type, const void *data,
		   size_t len);
/* pl_type: IKE_PL_CERT or IKE_PL_CERTREQ. */
int ike_msg_add_cert(struct ike_build *b, uint8_t pl_type, uint8_t enc, const void *data,
		     size_t len);
int ike_msg_add_auth(struct ike_build *b, uint8_t method, const void *data, size_t len);
int ike_msg_add_nonce(struct ike_build *b, const void *data, size_t len);
int ike_msg_add_notify(struct ike_build *b, uint8_t proto, const void *spi, uint8_t spi_size,
		       uint16_t type, const void *data, size_t len);
int ike_msg_add_delete(struct ike_build *b, uint8_t proto, uint8_t spi_size, uint16_t n_spi,
		       const void *spis);
int ike_msg_add_vendor(struct ike_build *b, const void *data, size_t len);
/* pl_type: IKE_PL_TSI or IKE_PL_TSR; each selector's start/end addr_len
 * octets (4 for type 7, 16 for type 8). */
int ike_msg_add_ts(struct ike_build *b, uint8_t pl_type, const struct ike_ts *ts, unsigned n);
/* Any payload with a ready body (tests, CP, unknown types). */
int ike_msg_add_raw(struct ike_build *b, uint8_t pl_type, bool critical, const void *body,
		    size_t len);

/*
 * SK: ike_msg_sk_begin writes the SK header and reserves iv_len octets;
 * the payloads added next are the inner payloads (chained from the SK's
 * Next Payload).  ike_msg_sk_end pads the plaintext to block_len (1 for
 * AEAD) with the pad length octet, reserves icv_len zero octets, closes
 * the SK and the message, and fills *seam.  Nothing may be added after.
 *
 * SKF (RFC 7383): ike_msg_skf_begin writes the SKF header (Next Payload =
 * inner_next in fragment 1, 0 in the others) and reserves the IV; the
 * fragment's slice of the inner chain is appended with ike_msg_add_bytes;
 * ike_msg_sk_end closes it the same way.
 */
int ike_msg_sk_begin(struct ike_build *b, size_t iv_len);
int ike_msg_skf_begin(struct ike_build *b, uint16_t frag_num, uint16_t frag_total,
		      uint8_t inner_next, size_t iv_len);
int ike_msg_add_bytes(struct ike_build *b, const void *data, size_t len);
int ike_msg_sk_end(struct ike_build *b, size_t block_len, size_t icv_len,
		   struct ike_sk_seam *seam);

#endif /* IKE_MSG_H */
