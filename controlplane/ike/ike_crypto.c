/* SPDX-License-Identifier: BSD-3-Clause */
/* IKEv2 transform sizes and HMAC over chunks (see ike_crypto.h). */
#include <errno.h>
#include <pthread.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "controlplane/ike/ike_crypto.h"

size_t ike_prf_len(uint16_t prf)
{
	switch (prf) {
	case IKE_PRF_HMAC_SHA2_256:
		return 32;
	case IKE_PRF_HMAC_SHA2_384:
		return 48;
	case IKE_PRF_HMAC_SHA2_512:
		return 64;
	default:
		return 0;
	}
}

const char *ike_prf_digest(uint16_t prf)
{
	switch (prf) {
	case IKE_PRF_HMAC_SHA2_256:
		return "SHA2-256";
	case IKE_PRF_HMAC_SHA2_384:
		return "SHA2-384";
	case IKE_PRF_HMAC_SHA2_512:
		return "SHA2-512";
	default:
		return NULL;
	}
}

size_t ike_encr_key_len(uint16_t encr, uint16_t bits)
{
	if (bits != 128 && bits != 192 && bits != 256)
		return 0;
	switch (encr) {
	case IKE_ENCR_AES_CBC:
		return bits / 8u;
	case IKE_ENCR_AES_GCM_16:
		return bits / 8u + IKE_GCM_SALT_LEN;
	default:
		return 0;
	}
}

int ike_encr_is_aead(uint16_t encr)
{
	return encr == IKE_ENCR_AES_GCM_16;
}

size_t ike_integ_key_len(uint16_t integ)
{
	switch (integ) {
	case IKE_INTEG_HMAC_SHA2_256_128:
		return 32;
	case IKE_INTEG_HMAC_SHA2_384_192:
		return 48;
	case IKE_INTEG_HMAC_SHA2_512_256:
		return 64;
	default:
		return 0;
	}
}

size_t ike_integ_icv_len(uint16_t integ)
{
	return ike_integ_key_len(integ) / 2;	/* RFC 4868 2.3: half the output */
}

const char *ike_integ_digest(uint16_t integ)
{
	switch (integ) {
	case IKE_INTEG_HMAC_SHA2_256_128:
		return "SHA2-256";
	case IKE_INTEG_HMAC_SHA2_384_192:
		return "SHA2-384";
	case IKE_INTEG_HMAC_SHA2_512_256:
		return "SHA2-512";
	default:
		return NULL;
	}
}

int ike_suite_check(const struct ike_suite *s)
{
	if (s == NULL || ike_prf_len(s->prf) == 0 ||
	    ike_encr_key_len(s->encr, s->encr_bits) == 0)
		return -EINVAL;
	if (ike_encr_is_aead(s->encr))
		return s->integ == IKE_INTEG_NONE ? 0 : -EINVAL;
	return ike_integ_key_len(s->integ) != 0 ? 0 : -EINVAL;
}

/* The HMAC implementation, fetched once (EVP_MAC_fetch takes a lock). */
static EVP_MAC *ike_hmac_impl;
static pthread_once_t ike_hmac_once = PTHREAD_ONCE_INIT;

static void ike_hmac_fetch(void)
{
	ike_hmac_impl = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
}

int ike_hmac(const char *digest, const uint8_t *key, size_t key_len,
	     const struct ike_chunk *v, size_t n, uint8_t *out, size_t *out_len)
{
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx = NULL;
	size_t len = 0;
	int rc = -EIO;

	if (digest == NULL || key == NULL || out == NULL || (v == NULL && n != 0))
		return -EINVAL;
	pthread_once(&ike_hmac_once, ike_hmac_fetch);
	if (ike_hmac_impl == NULL)
		return -EIO;
	ctx = EVP_MAC_CTX_new(ike_hmac_impl);
	if (ctx == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(ctx, key, key_len, params))
		goto out;
	for (size_t i = 0; i < n; i++)
		if (v[i].len != 0 && !EVP_MAC_update(ctx, v[i].p, v[i].len))
			goto out;
	if (!EVP_MAC_final(ctx, out, &len, EVP_MAX_MD_SIZE))
		goto out;
	if (out_len != NULL)
		*out_len = len;
	rc = 0;
out:
	EVP_MAC_CTX_free(ctx);	/* cleanses the key schedule */
	return rc;
}
