/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_IKE_H
#define GW_IKE_H

/*
 * IKEv2 protocol constants (RFC 7296 section 3, IANA "IKEv2 Parameters",
 * RFC 7383 fragmentation, RFC 7427 signature authentication), named once.
 * Transform types and IDs are in common/gw_ike_xform.h.  Lists whose
 * names are printed (logs, `show crypto ikev2`) are X-macros, and their
 * name functions below return "?" for a value not in the list.  Pure,
 * thread-safe.
 */

#include <stdint.h>

/* X(id, value): exchange types (3.1). */
#define IKE_EXCH_LIST(X) \
	X(IKE_SA_INIT, 34) \
	X(IKE_AUTH, 35) \
	X(CREATE_CHILD_SA, 36) \
	X(INFORMATIONAL, 37)

/* X(id, value, name): payload types (3.2; SKF is RFC 7383).  Ni and Nr
 * share the Nonce type; IDi/IDr and TSi/TSr do not. */
#define IKE_PL_LIST(X) \
	X(NONE, 0, "NONE") \
	X(SA, 33, "SA") \
	X(KE, 34, "KE") \
	X(IDI, 35, "IDi") \
	X(IDR, 36, "IDr") \
	X(CERT, 37, "CERT") \
	X(CERTREQ, 38, "CERTREQ") \
	X(AUTH, 39, "AUTH") \
	X(NONCE, 40, "No") \
	X(N, 41, "N") \
	X(D, 42, "D") \
	X(V, 43, "V") \
	X(TSI, 44, "TSi") \
	X(TSR, 45, "TSr") \
	X(SK, 46, "SK") \
	X(CP, 47, "CP") \
	X(EAP, 48, "EAP") \
	X(SKF, 53, "SKF")

/* X(id, value): Notify message types.  Errors are < 16384 (3.10.1);
 * a status type not listed here is ignored by its receiver. */
#define IKE_NOTIFY_LIST(X) \
	X(UNSUPPORTED_CRITICAL_PAYLOAD, 1) \
	X(INVALID_IKE_SPI, 4) \
	X(INVALID_MAJOR_VERSION, 5) \
	X(INVALID_SYNTAX, 7) \
	X(INVALID_MESSAGE_ID, 9) \
	X(INVALID_SPI, 11) \
	X(NO_PROPOSAL_CHOSEN, 14) \
	X(INVALID_KE_PAYLOAD, 17) \
	X(AUTHENTICATION_FAILED, 24) \
	X(SINGLE_PAIR_REQUIRED, 34) \
	X(NO_ADDITIONAL_SAS, 35) \
	X(INTERNAL_ADDRESS_FAILURE, 36) \
	X(FAILED_CP_REQUIRED, 37) \
	X(TS_UNACCEPTABLE, 38) \
	X(INVALID_SELECTORS, 39) \
	X(TEMPORARY_FAILURE, 43) \
	X(CHILD_SA_NOT_FOUND, 44) \
	X(INITIAL_CONTACT, 16384) \
	X(SET_WINDOW_SIZE, 16385) \
	X(ADDITIONAL_TS_POSSIBLE, 16386) \
	X(IPCOMP_SUPPORTED, 16387) \
	X(NAT_DETECTION_SOURCE_IP, 16388) \
	X(NAT_DETECTION_DESTINATION_IP, 16389) \
	X(COOKIE, 16390) \
	X(USE_TRANSPORT_MODE, 16391) \
	X(HTTP_CERT_LOOKUP_SUPPORTED, 16392) \
	X(REKEY_SA, 16393) \
	X(ESP_TFC_PADDING_NOT_SUPPORTED, 16394) \
	X(NON_FIRST_FRAGMENTS_ALSO, 16395) \
	X(MOBIKE_SUPPORTED, 16396) \
	X(MULTIPLE_AUTH_SUPPORTED, 16404) \
	X(ANOTHER_AUTH_FOLLOWS, 16405) \
	X(REDIRECT_SUPPORTED, 16406) \
	X(CHILDLESS_IKEV2_SUPPORTED, 16418) \
	X(IKEV2_FRAGMENTATION_SUPPORTED, 16430) \
	X(SIGNATURE_HASH_ALGORITHMS, 16431)

/* X(id, value): identification types (3.5). */
#define IKE_ID_LIST(X) \
	X(IPV4_ADDR, 1) \
	X(FQDN, 2) \
	X(RFC822_ADDR, 3) \
	X(IPV6_ADDR, 5) \
	X(DER_ASN1_DN, 9) \
	X(DER_ASN1_GN, 10) \
	X(KEY_ID, 11)

/* X(id, value): certificate encodings (3.6). */
#define IKE_CERT_LIST(X) \
	X(PKCS7_X509, 1) \
	X(PGP, 2) \
	X(DNS_SIGNED_KEY, 3) \
	X(X509_SIG, 4) \
	X(KERBEROS, 6) \
	X(CRL, 7) \
	X(ARL, 8) \
	X(SPKI, 9) \
	X(X509_ATTR, 10) \
	X(RAW_RSA, 11) \
	X(HASH_URL_X509, 12) \
	X(HASH_URL_BUNDLE, 13)

/* X(id, value): authentication methods (3.8; 9-11 RFC 4754; 14 RFC 7427). */
#define IKE_AUTH_LIST(X) \
	X(RSA_SIG, 1) \
	X(SHARED_KEY_MIC, 2) \
	X(DSS_SIG, 3) \
	X(ECDSA_SHA256_P256, 9) \
	X(ECDSA_SHA384_P384, 10) \
	X(ECDSA_SHA512_P521, 11) \
	X(NULL_AUTH, 13) \
	X(DIGITAL_SIGNATURE, 14)

/* X(id, value): RFC 7427 hash algorithms (SIGNATURE_HASH_ALGORITHMS data,
 * two octets each). */
#define IKE_HASH_LIST(X) \
	X(SHA1, 1) \
	X(SHA2_256, 2) \
	X(SHA2_384, 3) \
	X(SHA2_512, 4) \
	X(IDENTITY, 5)

#define IKE_ENUM_(id, v) IKE_EXCH_##id = v,
enum ike_exchange { IKE_EXCH_LIST(IKE_ENUM_) };
#undef IKE_ENUM_
#define IKE_ENUM_(id, v, name) IKE_PL_##id = v,
enum ike_payload { IKE_PL_LIST(IKE_ENUM_) };
#undef IKE_ENUM_
#define IKE_ENUM_(id, v) IKE_N_##id = v,
enum ike_notify { IKE_NOTIFY_LIST(IKE_ENUM_) };
#undef IKE_ENUM_
#define IKE_ENUM_(id, v) IKE_ID_##id = v,
enum ike_id_type { IKE_ID_LIST(IKE_ENUM_) };
#undef IKE_ENUM_
#define IKE_ENUM_(id, v) IKE_CERT_##id = v,
enum ike_cert_enc { IKE_CERT_LIST(IKE_ENUM_) };
#undef IKE_ENUM_
#define IKE_ENUM_(id, v) IKE_AUTH_##id = v,
enum ike_auth_method { IKE_AUTH_LIST(IKE_ENUM_) };
#undef IKE_ENUM_
#define IKE_ENUM_(id, v) IKE_HASH_##id = v,
enum ike_hash_alg { IKE_HASH_LIST(IKE_ENUM_) };
#undef IKE_ENUM_

/* Traffic selector types (3.13.1). */
enum ike_ts_type {
	IKE_TS_IPV4_ADDR_RANGE = 7,
	IKE_TS_IPV6_ADDR_RANGE = 8,
};

/* Security protocol IDs (3.3.1, also in N and D payloads). */
enum ike_proto {
	IKE_PROTO_NONE = 0,		/* N payloads about no SA */
	IKE_PROTO_IKE = 1,
	IKE_PROTO_AH = 2,
	IKE_PROTO_ESP = 3,
};

/* Header flags (3.1); the other bits are sent zero, ignored on receipt. */
enum ike_hdr_flag {
	IKE_HDR_F_I = 0x08,		/* sent by the original initiator */
	IKE_HDR_F_V = 0x10,		/* a higher version is possible (never set) */
	IKE_HDR_F_R = 0x20,		/* this message is a response */
};

/* Wire sizes and limits. */
enum {
	IKE_VERSION = 0x20,		/* major 2, minor 0 (3.1) */
	IKE_VERSION_MAJOR = 2,
	IKE_SPI_LEN = 8,
	IKE_HDR_LEN = 28,
	IKE_PL_HDR_LEN = 4,		/* generic payload header (3.2) */
	IKE_PL_F_CRITICAL = 0x80,
	IKE_PROP_HDR_LEN = 8,		/* without the SPI (3.3.1) */
	IKE_PROP_LAST = 0,
	IKE_PROP_MORE = 2,
	IKE_XFORM_HDR_LEN = 8,		/* without attributes (3.3.2) */
	IKE_XFORM_LAST = 0,
	IKE_XFORM_MORE = 3,
	IKE_ATTR_AF_TV = 0x8000,	/* attribute format: TV, else TLV (3.3.5) */
	IKE_NONCE_MIN = 16,		/* 2.10 */
	IKE_NONCE_MAX = 256,
	IKE_TS_HDR_LEN = 8,		/* type, proto, length, ports (3.13.1) */
	IKE_TS_IPV4_LEN = 16,
	IKE_TS_IPV6_LEN = 40,
	IKE_SKF_HDR_LEN = 8,		/* generic + number + total (RFC 7383 2.5) */
	IKE_NAT_D_LEN = 20,		/* SHA-1 (2.23) */
	IKE_COOKIE_MAX = 64,		/* 2.6: 1..64 octets */
	IKE_MSG_MAX = 65535,		/* one UDP datagram */
	IKE_MSG_MIN_MTU = 1280,		/* 2: every implementation accepts this */
};

#define IKE_NAME_CASE_(id, v) case v: return #id;
static inline const char *ike_exchange_name(unsigned v)
{
	switch (v) { IKE_EXCH_LIST(IKE_NAME_CASE_) default: return "?"; }
}

static inline const char *ike_notify_name(unsigned v)
{
	switch (v) { IKE_NOTIFY_LIST(IKE_NAME_CASE_) default: return "?"; }
}

static inline const char *ike_id_type_name(unsigned v)
{
	switch (v) { IKE_ID_LIST(IKE_NAME_CASE_) default: return "?"; }
}

static inline const char *ike_cert_enc_name(unsigned v)
{
	switch (v) { IKE_CERT_LIST(IKE_NAME_CASE_) default: return "?"; }
}

static inline const char *ike_auth_method_name(unsigned v)
{
	switch (v) { IKE_AUTH_LIST(IKE_NAME_CASE_) default: return "?"; }
}

static inline const char *ike_hash_alg_name(unsigned v)
{
	switch (v) { IKE_HASH_LIST(IKE_NAME_CASE_) default: return "?"; }
}
#undef IKE_NAME_CASE_

#define IKE_NAME_CASE_(id, v, name) case v: return name;
static inline const char *ike_payload_name(unsigned v)
{
	switch (v) { IKE_PL_LIST(IKE_NAME_CASE_) default: return "?"; }
}
#undef IKE_NAME_CASE_

/* Is v a notify error type (3.10.1: 0..16383)? */
static inline int ike_notify_is_error(unsigned v)
{
	return v > 0 && v < 16384;
}

#endif /* GW_IKE_H */
