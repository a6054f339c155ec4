/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What an IKE SA records of how each side authenticated: the AUTH method
 * and the kind of key behind it (RFC 7427's method 14 is RSA or ECDSA
 * depending on the key), for telemetry's auth_sign / auth_verify.
 * CP thread only.
 */

#include <openssl/evp.h>

#include "common/gw_ike.h"
#include "controlplane/ikev2/ikev2_int.h"

static enum ike_auth_kind ikev2_auth_kind(uint8_t method, const EVP_PKEY *key)
{
	switch (method) {
	case IKE_AUTH_RSA_SIG:
		return IKE_AUTH_KIND_RSA;
	case IKE_AUTH_SHARED_KEY_MIC:
		return IKE_AUTH_KIND_PSK;
	case IKE_AUTH_ECDSA_SHA256_P256:
	case IKE_AUTH_ECDSA_SHA384_P384:
	case IKE_AUTH_ECDSA_SHA512_P521:
		return IKE_AUTH_KIND_ECDSA;
	case IKE_AUTH_DIGITAL_SIGNATURE:
		if (key == NULL)
			return IKE_AUTH_KIND_NONE;
		switch (EVP_PKEY_get_base_id(key)) {
		case EVP_PKEY_RSA:
		case EVP_PKEY_RSA_PSS:
			return IKE_AUTH_KIND_RSA;
		case EVP_PKEY_EC:
			return IKE_AUTH_KIND_ECDSA;
		default:
			return IKE_AUTH_KIND_NONE;
		}
	default:
		return IKE_AUTH_KIND_NONE;
	}
}

void ikev2_auth_record(struct ike_sa *sa, bool local, uint8_t method, const struct evp_pkey_st *key)
{
	uint8_t kind = (uint8_t)ikev2_auth_kind(method, key);

	if (local) {
		sa->local_auth_method = method;
		sa->local_auth_kind = kind;
	} else {
		sa->remote_auth_method = method;
		sa->remote_auth_kind = kind;
	}
}

const char *ikev2_auth_kind_name(uint8_t kind)
{
	switch (kind) {
	case IKE_AUTH_KIND_RSA:
		return "RSA";
	case IKE_AUTH_KIND_ECDSA:
		return "ECDSA";
	case IKE_AUTH_KIND_PSK:
		return "PSK";
	default:
		return "none";
	}
}
