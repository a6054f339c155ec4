/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IKEV1_MSG_H
#define IKEV1_MSG_H

/*
 * IKEv1 messages: ISAKMP (RFC 2408) header and payloads, the IPsec DOI
 * (RFC 2407) SA attributes, RFC 2409 phase-1 attributes, NAT-T (RFC 3947:
 * NAT-D 20 / NAT-OA 21, draft types 130 / 131 accepted too), and the
 * strongSwan/Cisco fragment payload (132).  Parse, build, and the CBC
 * encryption of message bodies with the RFC 2409 Appendix B IV chaining.
 *
 * Parse: ikev1_msg_parse() takes one datagram (ISAKMP header onwards,
 * non-ESP marker stripped) and fills a struct ikev1_msg of views into it:
 * nothing copied, nothing allocated.  When the header's E flag is set the
 * payloads are ciphertext: the parse stops after the header with
 * msg->encrypted set and msg->body the ciphertext.  The caller copies the
 * datagram into a writable buffer, decrypts the body in place
 * (ikev1_msg_decrypt) and parses the copy with ikev1_msg_parse_plain(),
 * which ignores what follows the last payload (the zero padding; strongSwan
 * pads with 1..16 zero octets, others end with a pad-length octet: both
 * are accepted, the trailer is never interpreted).
 *
 * Every payload is checked against its parent's bounds; unknown payload
 * types (there is no critical bit in IKEv1) are skipped and counted in
 * n_unknown.  Payload lists are also recorded in order (msg->pl[]), with
 * offsets from the start of the datagram, for the hashes that cover whole
 * payloads (Quick Mode HASH(1)/(2), informational HASH(1)).
 *
 * Build: a builder appends payloads, chaining Next Payload and setting each
 * payload's length; each adder returns the payload's offset in the message
 * (its generic header; the body is at offset + 4) or a negative errno, and
 * errors are sticky (-ENOSPC buffer full, -EMSGSIZE above 65535 octets,
 * -EINVAL misuse), so checking the end call alone is enough.
 * ikev1_build_end_encrypted() zero-pads the body to the cipher block
 * (strongSwan's way: 1..block octets), sets the E flag and the length; the
 * caller then hashes/patches what it must and encrypts the body in place.
 *
 * Thread-safety: pure functions over caller-owned objects.
 *
 * Conventions for A2 (the engine):
 *  - cookies are byte arrays, as in struct ike_sa (spi_i/spi_r);
 *  - "body" of a payload = after its 4-octet generic header: SAi_b, IDii_b,
 *    Ni_b of RFC 2409 are bodies;
 *  - Quick Mode / informational HASH(1) covers every payload after the
 *    HASH payload, generic headers included, padding excluded:
 *    ikev1_msg_after() / ikev1_build_after().
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/gw_esp.h"
#include "common/gw_ike_proposal.h"
#include "controlplane/ike/ike_msg.h"	/* struct ike_view */

/* ---- protocol constants ---- */

enum {
	IKEV1_HDR_LEN = 28,		/* RFC 2408 3.1 */
	IKEV1_PL_HDR_LEN = 4,		/* generic payload header 3.2 */
	IKEV1_COOKIE_LEN = 8,
	IKEV1_VERSION = 0x10,		/* major 1, minor 0 */
	IKEV1_DOI_IPSEC = 1,		/* RFC 2407 4.2 */
	IKEV1_SIT_IDENTITY_ONLY = 1,	/* RFC 2407 4.2 */
	IKEV1_BLOCK_MAX = 16,		/* AES block: CBC IV and padding */
	IKEV1_NONCE_MIN = 8,		/* RFC 2409 5 */
	IKEV1_NONCE_MAX = 256,
	IKEV1_ESP_SPI_LEN = 4,
	IKEV1_FRAG_HDR_LEN = 8,		/* generic header + id(2) num(1) flags(1) */
	IKEV1_FRAG_F_LAST = 0x01,
	IKEV1_FRAG_ID = 1,		/* strongSwan always uses fragment ID 1 */
	IKEV1_ESP_KEY_ATTR_ID = 1,	/* phase-1 transform ID KEY_IKE */
};

/* Header flags (3.1). */
enum {
	IKEV1_F_ENC = 0x01,
	IKEV1_F_COMMIT = 0x02,
	IKEV1_F_AUTH_ONLY = 0x04,
};

/* Exchange types (RFC 2408 3.1, RFC 2409 5/5.5). */
enum ikev1_exch {
	IKEV1_EXCH_BASE = 1,
	IKEV1_EXCH_MAIN = 2,		/* Identity Protection */
	IKEV1_EXCH_AUTH_ONLY = 3,
	IKEV1_EXCH_AGGRESSIVE = 4,
	IKEV1_EXCH_INFO = 5,
	IKEV1_EXCH_TRANSACTION = 6,	/* Mode Config */
	IKEV1_EXCH_QUICK = 32,
};

/* X(id, value, name): payload types (RFC 2408 3.1, RFC 3947, draft-ietf-
 * ipsec-nat-t-ike-02 for 130/131, strongSwan/Cisco fragments 132). */
#define IKEV1_PL_LIST(X) \
	X(NONE, 0, "NONE") \
	X(SA, 1, "SA") \
	X(P, 2, "P") \
	X(T, 3, "T") \
	X(KE, 4, "KE") \
	X(ID, 5, "ID") \
	X(CERT, 6, "CERT") \
	X(CR, 7, "CR") \
	X(HASH, 8, "HASH") \
	X(SIG, 9, "SIG") \
	X(NONCE, 10, "NONCE") \
	X(N, 11, "N") \
	X(D, 12, "D") \
	X(VID, 13, "VID") \
	X(ATTR, 14, "ATTR") \
	X(NATD, 20, "NAT-D") \
	X(NATOA, 21, "NAT-OA") \
	X(NATD_DRAFT, 130, "NAT-D(draft)") \
	X(NATOA_DRAFT, 131, "NAT-OA(draft)") \
	X(FRAG, 132, "FRAG")

#define IKEV1_PL_ENUM_(id, v, name) IKEV1_PL_##id = v,
enum ikev1_pl_type { IKEV1_PL_LIST(IKEV1_PL_ENUM_) };
#undef IKEV1_PL_ENUM_

/* Proposal protocol IDs (RFC 2407 4.4.1). */
enum ikev1_proto {
	IKEV1_PROTO_ISAKMP = 1,
	IKEV1_PROTO_AH = 2,
	IKEV1_PROTO_ESP = 3,
};

/* Phase-1 SA attributes (RFC 2409 App. A) and the values we use. */
enum ikev1_p1_attr {
	IKEV1_A1_ENCR = 1,
	IKEV1_A1_HASH = 2,
	IKEV1_A1_AUTH = 3,
	IKEV1_A1_GROUP = 4,
	IKEV1_A1_LIFE_TYPE = 11,
	IKEV1_A1_LIFE_DURATION = 12,	/* variable (TLV) or basic */
	IKEV1_A1_KEY_LENGTH = 14,
};
enum {
	IKEV1_ENCR_AES_CBC = 7,
	IKEV1_HASH_SHA2_256 = 4,
	IKEV1_HASH_SHA2_384 = 5,
	IKEV1_HASH_SHA2_512 = 6,
	IKEV1_AUTH_PSK = 1,
	IKEV1_AUTH_RSA_SIG = 3,
	IKEV1_AUTH_ECDSA_256 = 9,	/* RFC 4754: P-256 / SHA-256 */
	IKEV1_AUTH_ECDSA_384 = 10,	/* P-384 / SHA-384 */
	IKEV1_AUTH_ECDSA_521 = 11,	/* P-521 / SHA-512 */
	IKEV1_LIFE_SECONDS = 1,
	IKEV1_LIFE_KILOBYTES = 2,
};

/* IPsec DOI SA attributes (RFC 2407 4.5, RFC 4304 ESN) and values. */
enum ikev1_p2_attr {
	IKEV1_A2_LIFE_TYPE = 1,
	IKEV1_A2_LIFE_DURATION = 2,
	IKEV1_A2_GROUP = 3,
	IKEV1_A2_ENCAP = 4,
	IKEV1_A2_AUTH = 5,
	IKEV1_A2_KEY_LENGTH = 6,
	IKEV1_A2_ESN = 11,
};
enum {
	IKEV1_ESP_AES_CBC = 12,		/* ESP transform IDs (IPsec DOI) */
	IKEV1_ESP_AES_GCM_16 = 20,
	IKEV1_AALG_HMAC_SHA1 = 2,	/* Authentication Algorithm (attr 5) */
	IKEV1_AALG_HMAC_SHA2_256 = 5,
	IKEV1_AALG_HMAC_SHA2_384 = 6,
	IKEV1_AALG_HMAC_SHA2_512 = 7,
	IKEV1_ENCAP_TUNNEL = 1,		/* Encapsulation Mode (attr 4) */
	IKEV1_ENCAP_TRANSPORT = 2,
	IKEV1_ENCAP_UDP_TUNNEL = 3,	/* RFC 3947 */
	IKEV1_ENCAP_UDP_TRANSPORT = 4,
	IKEV1_ENCAP_UDP_TUNNEL_DRAFT = 61443,	/* draft-ietf-ipsec-nat-t-ike */
	IKEV1_ENCAP_UDP_TRANSPORT_DRAFT = 61444,
};

/* Identification types (RFC 2407 4.6.2.1). */
enum ikev1_id_type {
	IKEV1_ID_IPV4_ADDR = 1,
	IKEV1_ID_FQDN = 2,
	IKEV1_ID_USER_FQDN = 3,
	IKEV1_ID_IPV4_ADDR_SUBNET = 4,
	IKEV1_ID_IPV6_ADDR = 5,
	IKEV1_ID_IPV6_ADDR_SUBNET = 6,
	IKEV1_ID_IPV4_ADDR_RANGE = 7,
	IKEV1_ID_IPV6_ADDR_RANGE = 8,
	IKEV1_ID_DER_ASN1_DN = 9,
	IKEV1_ID_DER_ASN1_GN = 10,
	IKEV1_ID_KEY_ID = 11,
};

/* Certificate encodings (RFC 2408 3.9). */
enum {
	IKEV1_CERT_X509_SIG = 4,
	IKEV1_CERT_CRL = 7,
};

/* X(id, value): notify message types (RFC 2408 3.14.1, RFC 2407 4.6.3,
 * RFC 3706 DPD). */
#define IKEV1_NOTIFY_LIST(X) \
	X(INVALID_PAYLOAD_TYPE, 1) \
	X(DOI_NOT_SUPPORTED, 2) \
	X(SITUATION_NOT_SUPPORTED, 3) \
	X(INVALID_COOKIE, 4) \
	X(INVALID_MAJOR_VERSION, 5) \
	X(INVALID_MINOR_VERSION, 6) \
	X(INVALID_EXCHANGE_TYPE, 7) \
	X(INVALID_FLAGS, 8) \
	X(INVALID_MESSAGE_ID, 9) \
	X(INVALID_PROTOCOL_ID, 10) \
	X(INVALID_SPI, 11) \
	X(INVALID_TRANSFORM_ID, 12) \
	X(ATTRIBUTES_NOT_SUPPORTED, 13) \
	X(NO_PROPOSAL_CHOSEN, 14) \
	X(BAD_PROPOSAL_SYNTAX, 15) \
	X(PAYLOAD_MALFORMED, 16) \
	X(INVALID_KEY_INFORMATION, 17) \
	X(INVALID_ID_INFORMATION, 18) \
	X(INVALID_CERT_ENCODING, 19) \
	X(INVALID_CERTIFICATE, 20) \
	X(CERT_TYPE_UNSUPPORTED, 21) \
	X(INVALID_CERT_AUTHORITY, 22) \
	X(INVALID_HASH_INFORMATION, 23) \
	X(AUTHENTICATION_FAILED, 24) \
	X(INVALID_SIGNATURE, 25) \
	X(ADDRESS_NOTIFICATION, 26) \
	X(NOTIFY_SA_LIFETIME, 27) \
	X(CERTIFICATE_UNAVAILABLE, 28) \
	X(UNSUPPORTED_EXCHANGE_TYPE, 29) \
	X(UNEQUAL_PAYLOAD_LENGTHS, 30) \
	X(CONNECTED, 16384) \
	X(RESPONDER_LIFETIME, 24576) \
	X(REPLAY_STATUS, 24577) \
	X(INITIAL_CONTACT, 24578) \
	X(R_U_THERE, 36136) \
	X(R_U_THERE_ACK, 36137)

#define IKEV1_NOTIFY_ENUM_(id, v) IKEV1_N_##id = v,
enum ikev1_notify { IKEV1_NOTIFY_LIST(IKEV1_NOTIFY_ENUM_) };
#undef IKEV1_NOTIFY_ENUM_

/* ---- parse ---- */

/* X(id, notify to answer with (0: drop silently), text).  Header errors
 * are never answered; a malformed payload in an unauthenticated message
 * is dropped too (the engine decides, from ikev1_msg_err_notify()). */
#define IKEV1_MSG_ERR_LIST(X) \
	X(OK, 0, "ok") \
	X(HDR_SHORT, 0, "shorter than the ISAKMP header") \
	X(HDR_LENGTH, 0, "header length differs from the datagram length") \
	X(HDR_VERSION, IKEV1_N_INVALID_MAJOR_VERSION, "major version is not 1") \
	X(HDR_COOKIE_ZERO, 0, "initiator cookie is zero") \
	X(HDR_ENC_ALIGN, 0, "encrypted body empty or not a multiple of the block") \
	X(PL_TRUNCATED, IKEV1_N_PAYLOAD_MALFORMED, "payload runs past the end of its message") \
	X(PL_LENGTH, IKEV1_N_PAYLOAD_MALFORMED, "payload length below the minimum of its type") \
	X(PL_TRAILING, IKEV1_N_PAYLOAD_MALFORMED, "bytes after the last payload") \
	X(PL_TOO_MANY, IKEV1_N_PAYLOAD_MALFORMED, "more payloads of one type than supported") \
	X(PL_RESERVED, IKEV1_N_PAYLOAD_MALFORMED, "P or T payload outside an SA payload") \
	X(SA_DOI, IKEV1_N_DOI_NOT_SUPPORTED, "SA DOI is not IPsec") \
	X(SA_SITUATION, IKEV1_N_SITUATION_NOT_SUPPORTED, "SA situation is not identity only") \
	X(SA_EMPTY, IKEV1_N_BAD_PROPOSAL_SYNTAX, "SA payload without proposals") \
	X(SA_PROP_LENGTH, IKEV1_N_BAD_PROPOSAL_SYNTAX, "proposal length outside its SA payload") \
	X(SA_PROP_NEXT, IKEV1_N_BAD_PROPOSAL_SYNTAX, "proposal next payload neither P nor NONE") \
	X(SA_PROP_TOO_MANY, IKEV1_N_BAD_PROPOSAL_SYNTAX, "more proposals than supported") \
	X(SA_XFORM_LENGTH, IKEV1_N_BAD_PROPOSAL_SYNTAX, "transform length outside its proposal") \
	X(SA_XFORM_NEXT, IKEV1_N_BAD_PROPOSAL_SYNTAX, "transform next payload neither T nor NONE") \
	X(SA_XFORM_COUNT, IKEV1_N_BAD_PROPOSAL_SYNTAX, "transform count differs from the proposal's") \
	X(SA_XFORM_TOO_MANY, IKEV1_N_BAD_PROPOSAL_SYNTAX, "more transforms than supported") \
	X(SA_ATTR_LENGTH, IKEV1_N_BAD_PROPOSAL_SYNTAX, "attribute length outside its transform") \
	X(ID_LENGTH, IKEV1_N_PAYLOAD_MALFORMED, "ID payload shorter than its fixed part") \
	X(NONCE_LENGTH, IKEV1_N_PAYLOAD_MALFORMED, "nonce not 8..256 octets") \
	X(N_LENGTH, IKEV1_N_PAYLOAD_MALFORMED, "notify SPI size exceeds the payload") \
	X(D_LENGTH, IKEV1_N_PAYLOAD_MALFORMED, "delete SPI count and size disagree with length") \
	X(FRAG_NUMBER, 0, "fragment number zero")

#define IKEV1_MSG_ERR_ENUM_(id, n, text) IKEV1_MSG_##id,
enum ikev1_msg_err { IKEV1_MSG_ERR_LIST(IKEV1_MSG_ERR_ENUM_) IKEV1_MSG_ERR_COUNT };
#undef IKEV1_MSG_ERR_ENUM_

/* Fixed maxima per message; one more is IKEV1_MSG_PL_TOO_MANY (or the SA
 * variants).  SA, KE, HASH, SIG, NONCE and FRAG may appear once; ID twice
 * (Quick Mode IDci, IDcr). */
enum {
	IKEV1_MSG_MAX_PL = 48,		/* all payloads, in order */
	IKEV1_MSG_MAX_ID = 2,
	IKEV1_MSG_MAX_CERT = 8,		/* a chain */
	IKEV1_MSG_MAX_CR = 8,
	IKEV1_MSG_MAX_N = 16,
	IKEV1_MSG_MAX_D = 8,
	IKEV1_MSG_MAX_VID = 16,
	IKEV1_MSG_MAX_NATD = 8,
	IKEV1_MSG_MAX_NATOA = 2,
	IKEV1_MSG_MAX_PROPOSALS = 16,
	IKEV1_MSG_MAX_TRANSFORMS = 128,	/* over all proposals of the SA */
};

struct ikev1_hdr {
	uint8_t icookie[IKEV1_COOKIE_LEN];
	uint8_t rcookie[IKEV1_COOKIE_LEN];
	uint8_t next;			/* first payload */
	uint8_t version;		/* raw octet: major << 4 | minor */
	uint8_t exchange;		/* enum ikev1_exch */
	uint8_t flags;			/* IKEV1_F_* */
	uint32_t msg_id;		/* host order */
	uint32_t length;
};

/* One payload as it appears in the message. */
struct ikev1_pl {
	uint8_t type;			/* enum ikev1_pl_type (or unknown) */
	uint16_t off;			/* generic header, from the datagram start */
	uint16_t len;			/* Payload Length: header + body */
};

/*
 * One transform, attributes decoded.  Which fields apply depends on the
 * proposal's protocol (phase 1: ISAKMP, phase 2: ESP); absent attributes
 * are 0.  unknown is set when the transform carries an attribute this
 * gateway does not know, a value it cannot represent (a variable-length
 * life above 32 bits is clamped to UINT32_MAX instead), or a repeated
 * attribute: such a transform must never be chosen.
 */
struct ikev1_xform {
	uint8_t num;			/* Transform # */
	uint8_t id;			/* phase 1: KEY_IKE (1); ESP: IKEV1_ESP_* */
	uint8_t unknown;
	uint8_t esn;			/* ESP: attr 11 = 1 */
	uint16_t encr;			/* phase 1: attr 1 (IKEV1_ENCR_AES_CBC) */
	uint16_t hash;			/* phase 1: attr 2 (IKEV1_HASH_*) */
	uint16_t auth;			/* phase 1: attr 3 auth method (IKEV1_AUTH_*);
					   ESP: attr 5 (IKEV1_AALG_*) */
	uint16_t group;			/* phase 1: attr 4; ESP: attr 3 (PFS); 0 none */
	uint16_t encap;			/* ESP: attr 4 (IKEV1_ENCAP_*) */
	uint16_t key_len;		/* bits: phase 1 attr 14; ESP attr 6 */
	uint32_t life_secs;		/* life type seconds + duration; 0 = none */
	uint32_t life_kb;		/* life type kilobytes + duration; 0 = none */
	struct ike_view attrs;		/* raw attributes (parsed only) */
};

struct ikev1_prop {
	uint8_t num;			/* Proposal #: equal numbers are an AND bundle */
	uint8_t proto;			/* enum ikev1_proto */
	uint8_t spi_size;
	uint8_t n_xforms;
	const uint8_t *spi;		/* spi_size octets */
	uint16_t first_xform;		/* index into ikev1_sa_pl.xforms */
};

struct ikev1_sa_pl {
	uint32_t doi;			/* IKEV1_DOI_IPSEC (checked) */
	uint32_t situation;		/* IKEV1_SIT_IDENTITY_ONLY (checked) */
	struct ike_view body;		/* SAi_b: DOI .. last proposal (RFC 2409 5) */
	uint8_t n_props;
	uint16_t n_xforms;
	struct ikev1_prop props[IKEV1_MSG_MAX_PROPOSALS];
	struct ikev1_xform xforms[IKEV1_MSG_MAX_TRANSFORMS];
};

struct ikev1_id_pl {
	uint8_t type;			/* enum ikev1_id_type */
	uint8_t proto;			/* IP protocol (DOI-specific), 0 = any */
	uint16_t port;			/* 0 = any */
	struct ike_view data;		/* identification data */
	struct ike_view body;		/* IDii_b: type .. data (what HASH_I covers) */
};

struct ikev1_cert_pl {			/* CERT and CR */
	uint8_t enc;			/* IKEV1_CERT_* */
	struct ike_view data;		/* CR: a DER CA name, may be empty */
};

struct ikev1_notify_pl {
	uint32_t doi;
	uint8_t proto;
	uint16_t type;			/* enum ikev1_notify */
	struct ike_view spi;		/* R-U-THERE: the two cookies (16 octets) */
	struct ike_view data;		/* R-U-THERE: 4-octet sequence number */
};

struct ikev1_delete_pl {
	uint32_t doi;
	uint8_t proto;			/* ISAKMP: one 16-octet "SPI" = both cookies */
	uint8_t spi_size;
	uint16_t n_spi;
	const uint8_t *spis;		/* n_spi * spi_size octets */
};

struct ikev1_frag_pl {
	uint16_t id;
	uint8_t num;			/* 1.. */
	uint8_t last;			/* IKEV1_FRAG_F_LAST set */
	struct ike_view data;		/* a slice of the whole original datagram */
};

struct ikev1_msg {
	const uint8_t *data;		/* the datagram (or its decrypted copy) */
	size_t len;
	struct ikev1_hdr hdr;
	bool encrypted;			/* E flag: payloads not parsed yet */
	struct ike_view body;		/* after the header: ciphertext when encrypted */
	size_t end;			/* offset just past the last payload */
	/* Every payload in order (unknown ones included). */
	uint8_t n_pl;
	struct ikev1_pl pl[IKEV1_MSG_MAX_PL];
	/* How many of each; the singleton views are valid when n_* == 1. */
	uint8_t n_sa, n_ke, n_hash, n_sig, n_nonce, n_frag;
	uint8_t n_id, n_cert, n_cr, n_n, n_d, n_vid, n_natd, n_natoa;
	uint8_t n_unknown;		/* unknown payloads skipped */
	uint8_t err_pl;			/* payload type being parsed at the error */
	size_t err_off;			/* its offset at the error */
	struct ikev1_sa_pl sa;
	struct ike_view ke;		/* public value (RFC 2409: no group field) */
	struct ike_view hash;		/* HASH payload body */
	uint16_t hash_off;		/* HASH payload offset (generic header) */
	struct ike_view sig;
	struct ike_view nonce;		/* Ni_b / Nr_b */
	struct ikev1_id_pl id[IKEV1_MSG_MAX_ID];	/* MM: [0]; QM: IDci, IDcr */
	struct ikev1_cert_pl cert[IKEV1_MSG_MAX_CERT];
	struct ikev1_cert_pl cr[IKEV1_MSG_MAX_CR];
	struct ikev1_notify_pl n[IKEV1_MSG_MAX_N];
	struct ikev1_delete_pl d[IKEV1_MSG_MAX_D];
	struct ike_view vid[IKEV1_MSG_MAX_VID];
	struct ike_view natd[IKEV1_MSG_MAX_NATD];	/* hashes, in order */
	struct ike_view natoa[IKEV1_MSG_MAX_NATOA];	/* raw bodies */
	struct ikev1_frag_pl frag;
};

/*
 * Parse one datagram of len octets into *msg (fully overwritten).  With
 * the E flag set only the header is parsed (msg->encrypted, msg->body =
 * the ciphertext, which must be a non-empty multiple of 16 octets, else
 * IKEV1_MSG_HDR_ENC_ALIGN).  Otherwise all payloads, and octets after the
 * last one are IKEV1_MSG_PL_TRAILING.  Returns IKEV1_MSG_OK or the first
 * error; msg->hdr is valid for every error but HDR_SHORT.  Never reads
 * outside data[0..len).  This is the fuzzing entry point.
 */
enum ikev1_msg_err ikev1_msg_parse(const uint8_t *data, size_t len, struct ikev1_msg *msg);

/*
 * Parse a datagram whose body was decrypted in place (the header still has
 * the E flag): like ikev1_msg_parse() without the E-flag stop, and octets
 * after the last payload are padding, ignored.
 */
enum ikev1_msg_err ikev1_msg_parse_plain(const uint8_t *data, size_t len, struct ikev1_msg *msg);

/* Text, and the notify that answers err (0: drop silently). */
const char *ikev1_msg_err_str(enum ikev1_msg_err err);
uint16_t ikev1_msg_err_notify(enum ikev1_msg_err err);
/* Name of a payload type ("?" when unknown) and of a notify type. */
const char *ikev1_pl_name(uint8_t type);
const char *ikev1_notify_name(uint16_t type);

/* The first notify of this type, or NULL. */
const struct ikev1_notify_pl *ikev1_msg_notify_find(const struct ikev1_msg *msg, uint16_t type);
/* Index in msg->pl of the first payload of type, or -1. */
int ikev1_msg_find(const struct ikev1_msg *msg, uint8_t type);
/* The octets from the end of the payload at msg->pl[idx] to the end of
 * the last payload (padding excluded): what QM/informational HASH(1),
 * HASH(2) cover after the HASH payload.  Empty view on a bad idx. */
struct ike_view ikev1_msg_after(const struct ikev1_msg *msg, int idx);
/* The whole payload (generic header included) at msg->pl[idx]. */
struct ike_view ikev1_msg_payload(const struct ikev1_msg *msg, int idx);

/* ---- build ---- */

struct ikev1_build {
	uint8_t *buf;
	size_t cap;
	size_t len;
	int err;
	size_t next_off;		/* Next Payload octet to patch */
	size_t pl_end;			/* end of the last payload (before padding) */
	bool done;
};

/* Start a message: the header with Length 0 (set by the end call). */
void ikev1_build_init(struct ikev1_build *b, void *buf, size_t cap,
		      const uint8_t icookie[IKEV1_COOKIE_LEN],
		      const uint8_t rcookie[IKEV1_COOKIE_LEN], uint8_t exchange, uint8_t flags,
		      uint32_t msg_id);
/* Close a plaintext message (patch the header length).  Length or -errno. */
long ikev1_build_end(struct ikev1_build *b);
/*
 * Close a message to be encrypted: append 1..block zero octets so that
 * the body (after the header) is a multiple of block (16 for AES), set
 * the E flag and the header length.  Length or -errno.  Patch HASH
 * payloads before this call or after it (the padding is not hashed), then
 * ikev1_msg_encrypt() the body: buf + IKEV1_HDR_LEN, length - IKEV1_HDR_LEN.
 */
long ikev1_build_end_encrypted(struct ikev1_build *b, size_t block);

/*
 * Payload adders: each returns the offset of the payload's generic header
 * (its body at + IKEV1_PL_HDR_LEN) or the sticky -errno.
 */
/* SA, phase 1: DOI IPsec, SIT_IDENTITY_ONLY, one proposal (#1, ISAKMP,
 * no SPI) with x[0..n) as transforms numbered 1..n, transform ID KEY_IKE,
 * attributes: encr, key_len (when nonzero), hash, auth, group, life
 * (seconds and/or kilobytes, when nonzero).  The responder's reply is the
 * chosen transform alone (n = 1, x->num kept when nonzero). */
long ikev1_add_sa_p1(struct ikev1_build *b, const struct ikev1_xform *x, unsigned n);
/* SA, phase 2: one proposal (#1, ESP, spi) with x[0..n) (transform ID
 * x->id; attributes life, group when nonzero, encap, auth when nonzero,
 * key_len when nonzero, esn when set). */
long ikev1_add_sa_p2(struct ikev1_build *b, const uint8_t spi[IKEV1_ESP_SPI_LEN],
		     const struct ikev1_xform *x, unsigned n);
long ikev1_add_ke(struct ikev1_build *b, const void *data, size_t len);
long ikev1_add_nonce(struct ikev1_build *b, const void *data, size_t len);
/* ID: type, protocol, port (host order), data. */
long ikev1_add_id(struct ikev1_build *b, uint8_t type, uint8_t proto, uint16_t port,
		  const void *data, size_t len);
long ikev1_add_cert(struct ikev1_build *b, uint8_t enc, const void *data, size_t len);
long ikev1_add_cr(struct ikev1_build *b, uint8_t enc, const void *data, size_t len);
/* HASH with len zero octets, to be filled at offset + IKEV1_PL_HDR_LEN
 * once the rest is built (ikev1_build_after). */
long ikev1_add_hash(struct ikev1_build *b, size_t len);
long ikev1_add_sig(struct ikev1_build *b, const void *data, size_t len);
/* N with DOI IPsec. */
long ikev1_add_notify(struct ikev1_build *b, uint8_t proto, const void *spi, uint8_t spi_size,
		      uint16_t type, const void *data, size_t len);
/* D with DOI IPsec; ISAKMP: spi_size 16, spis = icookie | rcookie. */
long ikev1_add_delete(struct ikev1_build *b, uint8_t proto, uint8_t spi_size, uint16_t n_spi,
		      const void *spis);
long ikev1_add_vid(struct ikev1_build *b, const void *data, size_t len);
/* NAT-D (type IKEV1_PL_NATD or _NATD_DRAFT) with a hash. */
long ikev1_add_natd(struct ikev1_build *b, uint8_t pl_type, const void *hash, size_t len);
/* Any payload with a ready body (tests, NAT-OA, unknown types). */
long ikev1_add_raw(struct ikev1_build *b, uint8_t pl_type, const void *body, size_t len);

/* Body (after the generic header) of the payload built at off, and the
 * octets from the end of that payload to the current end of the message
 * (call before ikev1_build_end_encrypted, or it includes no padding
 * anyway: it stops at the end of the last payload if called after). */
struct ike_view ikev1_build_body(const struct ikev1_build *b, long off);
struct ike_view ikev1_build_after(const struct ikev1_build *b, long off);

/*
 * Fragments (strongSwan/Cisco, payload 132).  ikev1_frag_make writes one
 * fragment datagram into out[0..cap): header = the original's cookies,
 * exchange IKEV1_EXCH_MAIN, flags 0, Message ID 0 (strongSwan's way), one
 * FRAG payload (ID IKEV1_FRAG_ID, number num, last flag) carrying
 * msg[off..off+chunk) of the whole original datagram.  Returns the
 * fragment's length or -ENOSPC / -EINVAL.  ikev1_frag_count: how many
 * fragments of at most max_dgram octets (each fragment datagram, ISAKMP
 * header included) len octets need; 0 when max_dgram is too small.
 */
long ikev1_frag_make(const uint8_t *msg, size_t len, size_t off, size_t chunk, uint8_t num,
		     bool last, uint8_t *out, size_t cap);
unsigned ikev1_frag_count(size_t len, size_t max_dgram);

/* ---- encryption (RFC 2409 App. B: AES-CBC, IV chained) ---- */

/* A CBC IV state: the IV of the next message in one exchange. */
struct ikev1_iv {
	uint8_t iv[IKEV1_BLOCK_MAX];
	uint8_t len;			/* 16 (AES) */
};

/*
 * Encrypt (decrypt) len octets of body in place with AES-CBC under key
 * (16/24/32 octets) and iv; len must be a non-zero multiple of 16.  *next
 * gets the last ciphertext block: the IV of the following message (App.
 * B), which the caller commits only when the message is accepted (a
 * decrypted message whose HASH fails must not advance the IV).  next may
 * be the same object as iv.  0, -EINVAL or -EIO.
 */
int ikev1_msg_encrypt(const uint8_t *key, size_t key_len, const struct ikev1_iv *iv,
		      uint8_t *body, size_t len, struct ikev1_iv *next);
int ikev1_msg_decrypt(const uint8_t *key, size_t key_len, const struct ikev1_iv *iv,
		      uint8_t *body, size_t len, struct ikev1_iv *next);

/* ---- proposals: strongSwan strings <-> IKEv1 transforms ---- */

/*
 * Phase 1: expand configured IKE proposals (gw_ike_proposal, proto IKE)
 * into IKEv1 transforms, the cross product per proposal of encryption
 * (AES-CBC only: AES-GCM proposals are skipped, IKEv1 has no AEAD for
 * ISAKMP) x hash (from the PRF transforms: prfsha256 -> SHA2-256; the
 * integrity words feed the PRF as in IKEv2) x DH group x auth[0..n_auth),
 * in order of preference, with life_secs set on each.  Returns how many
 * were written to out[0..max), or -ENOSPC / -ENOENT (nothing IKEv1 can
 * use).  Groups are passed through (14, 19, 20, 21, 31: charon 5.9.8
 * accepts 31 in IKEv1 phase 1 and as Quick Mode PFS group, tested).
 */
int ikev1_p1_from_proposals(const struct gw_ike_proposal *props, unsigned n_props,
			    const uint16_t *auth, unsigned n_auth, uint32_t life_secs,
			    struct ikev1_xform *out, unsigned max);

/*
 * Phase 2: expand configured ESP proposals into ESP transforms: AES-CBC
 * (IKEV1_ESP_AES_CBC, key_len) x integrity (attr 5) or AES-GCM-16
 * (IKEV1_ESP_AES_GCM_16, key_len, no attr 5), x DH group (PFS; a proposal
 * without DH: group 0), encap as given (1 tunnel, or 3 / 61443 when UDP
 * encapsulated), life_secs (0: none).  ESN transforms are not offered
 * (kernel-libipsec refuses them).  Returns the count, -ENOSPC or -ENOENT.
 */
int ikev1_p2_from_proposals(const struct gw_ike_proposal *props, unsigned n_props,
			    uint16_t encap, uint32_t life_secs, struct ikev1_xform *out,
			    unsigned max);

/*
 * Does a received transform match one of ours?  Phase 1: encr, key_len,
 * hash, auth, group equal (life ignored).  ESP: id, key_len, auth, group,
 * esn equal; encap: both in {tunnel} or both UDP-tunnel (3 == 61443).
 * A transform with x->unknown never matches.
 */
bool ikev1_xform_match(uint8_t proto, const struct ikev1_xform *x, const struct ikev1_xform *ours);

/*
 * Responder: the first transform of the first acceptable proposal, trying
 * the peer's order, that matches one of ours[0..n).  Proposals of another
 * protocol, with an SPI of another size (phase 1: 0 or 16 accepted; ESP:
 * 4), or bundled (two proposals with one number) are skipped.  0 with
 * *prop (index into sa->props) and *xform (index into sa->xforms), or
 * -ENOENT (NO_PROPOSAL_CHOSEN).
 */
int ikev1_sa_select(const struct ikev1_sa_pl *sa, uint8_t proto, const struct ikev1_xform *ours,
		    unsigned n, unsigned *prop, unsigned *xform);

/* Initiator: the reply must hold one proposal of proto with exactly one
 * transform that matches one of ours.  0 with *xform, -ENOENT. */
int ikev1_sa_check_reply(const struct ikev1_sa_pl *sa, uint8_t proto,
			 const struct ikev1_xform *ours, unsigned n, unsigned *xform);

/* Data-plane algorithm of a chosen ESP transform, or -ENOTSUP. */
int ikev1_esp_alg(const struct ikev1_xform *x);
/* OpenSSL digest name of a phase-1 hash ("SHA2-256"...), NULL if none. */
const char *ikev1_hash_digest(uint16_t hash);
/* Output octets of a phase-1 hash; 0 if unsupported. */
size_t ikev1_hash_len(uint16_t hash);
/* Is the encapsulation mode one of the UDP tunnel values (3, 61443)? */
bool ikev1_encap_is_udp(uint16_t encap);

#endif /* IKEV1_MSG_H */
