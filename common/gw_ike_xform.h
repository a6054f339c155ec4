/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_IKE_XFORM_H
#define GW_IKE_XFORM_H

/*
 * IKEv2 transform types and the transform IDs this gateway implements
 * (IANA "Internet Key Exchange Version 2 (IKEv2) Parameters", RFC 7296
 * 3.3.2, RFC 5282, RFC 5903, RFC 8031, RFC 4868).  Named once; the
 * proposal parser (strongSwan syntax), the SA payload code and the IKE
 * crypto all use these.
 */

enum ike_xform_type {
	IKE_XFORM_ENCR = 1,
	IKE_XFORM_PRF = 2,
	IKE_XFORM_INTEG = 3,
	IKE_XFORM_DH = 4,		/* "Key Exchange Method" since RFC 9370 */
	IKE_XFORM_ESN = 5,
};

enum ike_encr_id {
	IKE_ENCR_AES_CBC = 12,		/* with Key Length attribute 128/192/256 */
	IKE_ENCR_AES_GCM_16 = 20,	/* RFC 5282, 16-octet ICV */
};

enum ike_prf_id {
	IKE_PRF_HMAC_SHA2_256 = 5,	/* RFC 4868 */
	IKE_PRF_HMAC_SHA2_384 = 6,
	IKE_PRF_HMAC_SHA2_512 = 7,
};

enum ike_integ_id {
	IKE_INTEG_NONE = 0,		/* with AEAD */
	IKE_INTEG_HMAC_SHA1_96 = 2,	/* ESP only (aes*-sha1) */
	IKE_INTEG_HMAC_SHA2_256_128 = 12,
	IKE_INTEG_HMAC_SHA2_384_192 = 13,
	IKE_INTEG_HMAC_SHA2_512_256 = 14,
};

enum ike_dh_id {
	IKE_DH_NONE = 0,
	IKE_DH_MODP2048 = 14,		/* RFC 3526 */
	IKE_DH_ECP256 = 19,		/* RFC 5903 */
	IKE_DH_ECP384 = 20,
	IKE_DH_ECP521 = 21,
	IKE_DH_CURVE25519 = 31,		/* RFC 8031 */
};

enum ike_esn_id {
	IKE_ESN_NO = 0,
	IKE_ESN_YES = 1,
};

enum {
	IKE_ATTR_KEY_LENGTH = 14,	/* TV format (AF bit set): 0x800e */
};

#endif /* GW_IKE_XFORM_H */
