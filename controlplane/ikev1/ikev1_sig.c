/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Main Mode signatures (RFC 2409 5.1, RFC 4754): SIG_I / SIG_R are
 * signatures over HASH_I / HASH_R, themselves the hash being signed:
 *   3 (RSA)     PKCS#1 v1.5 type 1 padding of the bare hash, no
 *               DigestInfo (what strongSwan calls EMSA_PKCS1_NULL);
 *   9/10/11     ECDSA over the bare hash (no second hashing), the
 *               signature r | s, each the size of the group order.
 * CP thread; pure over OpenSSL keys (read-only here).
 */

#include <errno.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "controlplane/ikev1/ikev1_int.h"

uint16_t ikev1_sig_method(const EVP_PKEY *key)
{
	int bits;

	if (key == NULL)
		return 0;
	if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA)
		return IKEV1_AUTH_RSA_SIG;
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC)
		return 0;
	bits = EVP_PKEY_get_bits(key);
	return bits > 384 ? IKEV1_AUTH_ECDSA_521 : bits > 256 ? IKEV1_AUTH_ECDSA_384 :
	       IKEV1_AUTH_ECDSA_256;
}

/* Octets of r and of s for an EC key. */
static size_t ikev1_sig_ec_half(const EVP_PKEY *key)
{
	return ((size_t)EVP_PKEY_get_bits(key) + 7) / 8;
}

static int ikev1_sig_der_to_rs(const EVP_PKEY *key, const uint8_t *der, size_t der_len,
			       uint8_t *out, size_t cap, size_t *out_len)
{
	const unsigned char *p = der;
	ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
	size_t half = ikev1_sig_ec_half(key);
	const BIGNUM *r, *sv;
	int ret = -EIO;

	if (s == NULL)
		return -EIO;
	if (2 * half > cap) {
		ret = -ENOSPC;
		goto done;
	}
	ECDSA_SIG_get0(s, &r, &sv);
	if (BN_bn2binpad(r, out, (int)half) < 0 || BN_bn2binpad(sv, out + half, (int)half) < 0)
		goto done;
	*out_len = 2 * half;
	ret = 0;
done:
	ECDSA_SIG_free(s);
	return ret;
}

int ikev1_sig_sign(EVP_PKEY *key, uint16_t method, const uint8_t *hash, size_t hash_len,
		   uint8_t *out, size_t cap, size_t *out_len)
{
	EVP_PKEY_CTX *ctx;
	uint8_t der[160];
	size_t len;
	bool ec = method != IKEV1_AUTH_RSA_SIG;
	int ret = -EIO;

	if (key == NULL || ikev1_sig_method(key) != method)
		return -EINVAL;
	ctx = EVP_PKEY_CTX_new(key, NULL);
	if (ctx == NULL)
		return -ENOMEM;
	if (EVP_PKEY_sign_init(ctx) <= 0 ||
	    (!ec && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0))
		goto done;
	if (!ec) {
		len = cap;
		if (EVP_PKEY_sign(ctx, NULL, &len, hash, hash_len) <= 0 || len > cap) {
			ret = -ENOSPC;
			goto done;
		}
		if (EVP_PKEY_sign(ctx, out, &len, hash, hash_len) <= 0)
			goto done;
		*out_len = len;
		ret = 0;
		goto done;
	}
	len = sizeof(der);
	if (EVP_PKEY_sign(ctx, der, &len, hash, hash_len) <= 0)
		goto done;
	ret = ikev1_sig_der_to_rs(key, der, len, out, cap, out_len);
done:
	EVP_PKEY_CTX_free(ctx);
	return ret;
}

/* r | s to DER for OpenSSL's verify. */
static int ikev1_sig_rs_to_der(const uint8_t *sig, size_t len, uint8_t *der, size_t cap,
			       size_t *der_len)
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	BIGNUM *r, *sv;
	unsigned char *p = der;
	int n, ret = -EBADMSG;

	if (s == NULL)
		return -ENOMEM;
	r = BN_bin2bn(sig, (int)(len / 2), NULL);
	sv = BN_bin2bn(sig + len / 2, (int)(len / 2), NULL);
	if (r == NULL || sv == NULL || ECDSA_SIG_set0(s, r, sv) != 1) {
		BN_free(r);
		BN_free(sv);
		goto done;
	}
	n = i2d_ECDSA_SIG(s, NULL);
	if (n <= 0 || (size_t)n > cap)
		goto done;
	n = i2d_ECDSA_SIG(s, &p);
	*der_len = (size_t)n;
	ret = 0;
done:
	ECDSA_SIG_free(s);
	return ret;
}

int ikev1_sig_verify(EVP_PKEY *pub, uint16_t method, const uint8_t *hash, size_t hash_len,
		     const uint8_t *sig, size_t sig_len)
{
	EVP_PKEY_CTX *ctx;
	uint8_t der[160];
	size_t der_len = 0;
	bool ec = method != IKEV1_AUTH_RSA_SIG;
	int ret;

	if (pub == NULL || ikev1_sig_method(pub) != method)
		return -EINVAL;
	if (ec) {
		if (sig_len != 2 * ikev1_sig_ec_half(pub))
			return -EBADMSG;
		ret = ikev1_sig_rs_to_der(sig, sig_len, der, sizeof(der), &der_len);
		if (ret < 0)
			return ret;
		sig = der;
		sig_len = der_len;
	}
	ctx = EVP_PKEY_CTX_new(pub, NULL);
	if (ctx == NULL)
		return -ENOMEM;
	ret = -EIO;
	if (EVP_PKEY_verify_init(ctx) <= 0 ||
	    (!ec && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0))
		goto done;
	ret = EVP_PKEY_verify(ctx, sig, sig_len, hash, hash_len) == 1 ? 0 : -EBADMSG;
done:
	EVP_PKEY_CTX_free(ctx);
	return ret;
}
