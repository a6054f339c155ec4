/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKEv1 message encryption (RFC 2409 App. B): AES-CBC over the message
 * body in place, no cipher padding (the builder zero-pads to the block),
 * the IV of the next message being the last ciphertext block.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "controlplane/ikev1/ikev1_msg.h"

static const EVP_CIPHER *ikev1_cbc(size_t key_len)
{
	switch (key_len) {
	case 16: return EVP_aes_128_cbc();
	case 24: return EVP_aes_192_cbc();
	case 32: return EVP_aes_256_cbc();
	default: return NULL;
	}
}

static int ikev1_crypt(const uint8_t *key, size_t key_len, const struct ikev1_iv *iv,
		       uint8_t *body, size_t len, struct ikev1_iv *next, int enc)
{
	const EVP_CIPHER *c = ikev1_cbc(key_len);
	uint8_t last[IKEV1_BLOCK_MAX];
	EVP_CIPHER_CTX *ctx;
	int rc = -EIO, out = 0, fin = 0;

	if (c == NULL || iv->len != IKEV1_BLOCK_MAX || len == 0 || len % IKEV1_BLOCK_MAX ||
	    len > INT32_MAX)
		return -EINVAL;
	if (!enc)	/* the last ciphertext block, before it is overwritten */
		memcpy(last, body + len - IKEV1_BLOCK_MAX, IKEV1_BLOCK_MAX);
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		return -ENOMEM;
	if (EVP_CipherInit_ex(ctx, c, NULL, key, iv->iv, enc) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 ||
	    EVP_CipherUpdate(ctx, body, &out, body, (int)len) != 1 ||
	    EVP_CipherFinal_ex(ctx, body + out, &fin) != 1 || (size_t)(out + fin) != len)
		goto done;
	if (enc)
		memcpy(last, body + len - IKEV1_BLOCK_MAX, IKEV1_BLOCK_MAX);
	memcpy(next->iv, last, IKEV1_BLOCK_MAX);
	next->len = IKEV1_BLOCK_MAX;
	rc = 0;
done:
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_cleanse(last, sizeof(last));
	return rc;
}

int ikev1_msg_encrypt(const uint8_t *key, size_t key_len, const struct ikev1_iv *iv,
		      uint8_t *body, size_t len, struct ikev1_iv *next)
{
	return ikev1_crypt(key, key_len, iv, body, len, next, 1);
}

int ikev1_msg_decrypt(const uint8_t *key, size_t key_len, const struct ikev1_iv *iv,
		      uint8_t *body, size_t len, struct ikev1_iv *next)
{
	return ikev1_crypt(key, key_len, iv, body, len, next, 0);
}
