/* SPDX-License-Identifier: BSD-3-Clause */
/* SK / SKF payload protection, in place (see ike_sk.h). */
#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "controlplane/ike/ike_sk.h"

enum {
	IKE_SK_CBC_BLOCK = 16,
	IKE_SK_GCM_IV = 8,		/* RFC 5282 3.1 */
	IKE_SK_GCM_ICV = 16,		/* AES-GCM-16 */
	IKE_SK_GCM_NONCE = IKE_GCM_SALT_LEN + IKE_SK_GCM_IV,
};

/* Where things are in one message's SK/SKF payload. */
struct ike_sk_layout {
	size_t iv_off;		/* IV */
	size_t data_off;	/* encrypted data: inner payloads, padding, pad length */
	size_t data_len;
	size_t icv_off;		/* ICV, to msg_len */
};

/* 0 when k is a usable key. */
static int ike_sk_key_ok(const struct ike_sk_key *k)
{
	if (k == NULL)
		return -EINVAL;
	if (k->encr == IKE_ENCR_AES_GCM_16)
		return k->integ == IKE_INTEG_NONE && k->akey_len == 0 &&
		       (k->ekey_len == 20 || k->ekey_len == 28 || k->ekey_len == 36) ? 0 : -EINVAL;
	if (k->encr != IKE_ENCR_AES_CBC ||
	    (k->ekey_len != 16 && k->ekey_len != 24 && k->ekey_len != 32))
		return -EINVAL;
	return ike_integ_key_len(k->integ) != 0 &&
	       k->akey_len == ike_integ_key_len(k->integ) ? 0 : -EINVAL;
}

size_t ike_sk_iv_len(const struct ike_sk_key *k)
{
	if (ike_sk_key_ok(k) != 0)
		return 0;
	return k->encr == IKE_ENCR_AES_GCM_16 ? IKE_SK_GCM_IV : IKE_SK_CBC_BLOCK;
}

size_t ike_sk_icv_len(const struct ike_sk_key *k)
{
	if (ike_sk_key_ok(k) != 0)
		return 0;
	return k->encr == IKE_ENCR_AES_GCM_16 ? IKE_SK_GCM_ICV : ike_integ_icv_len(k->integ);
}

size_t ike_sk_block_len(const struct ike_sk_key *k)
{
	if (ike_sk_key_ok(k) != 0)
		return 0;
	return k->encr == IKE_ENCR_AES_GCM_16 ? 1 : IKE_SK_CBC_BLOCK;
}

/* Encrypted data octets (inner payloads + padding + pad length) for
 * plain_len octets: CBC pads to the block, GCM needs no padding. */
static size_t ike_sk_data_len(const struct ike_sk_key *k, size_t plain_len)
{
	size_t n = plain_len + 1;

	if (k->encr == IKE_ENCR_AES_GCM_16)
		return n;
	return (n + IKE_SK_CBC_BLOCK - 1) / IKE_SK_CBC_BLOCK * IKE_SK_CBC_BLOCK;
}

static int ike_sk_hdr_ok(size_t hdr_len)
{
	return hdr_len == IKE_SK_HDR_LEN || hdr_len == IKE_SKF_HDR_LEN;
}

size_t ike_sk_payload_len(const struct ike_sk_key *k, size_t hdr_len, size_t plain_len)
{
	if (ike_sk_key_ok(k) != 0 || !ike_sk_hdr_ok(hdr_len) || plain_len > 65535)
		return 0;
	return hdr_len + ike_sk_iv_len(k) + ike_sk_data_len(k, plain_len) + ike_sk_icv_len(k);
}

size_t ike_sk_plain_max(const struct ike_sk_key *k, size_t hdr_len, size_t payload_len)
{
	size_t fixed, room;

	if (ike_sk_key_ok(k) != 0 || !ike_sk_hdr_ok(hdr_len))
		return 0;
	fixed = hdr_len + ike_sk_iv_len(k) + ike_sk_icv_len(k);
	if (payload_len < fixed + 1)
		return 0;
	room = payload_len - fixed;	/* encrypted data octets */
	if (k->encr == IKE_ENCR_AES_CBC)
		room -= room % IKE_SK_CBC_BLOCK;
	return room == 0 ? 0 : room - 1;
}

static uint32_t ike_sk_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * Check the message against k and find the parts of its SK/SKF payload:
 * the IKE header's length is msg_len, the payload runs to the end, and the
 * encrypted data has a length the cipher accepts.
 */
static int ike_sk_locate(const struct ike_sk_key *k, const uint8_t *msg, size_t msg_len,
			 size_t sk_off, size_t hdr_len, struct ike_sk_layout *l)
{
	size_t iv_len, icv_len, body;

	if (ike_sk_key_ok(k) != 0 || msg == NULL || !ike_sk_hdr_ok(hdr_len) ||
	    msg_len < IKE_HDR_LEN || sk_off < IKE_HDR_LEN || sk_off > msg_len ||
	    msg_len - sk_off > 65535 || msg_len - sk_off < hdr_len)
		return -EINVAL;
	if (ike_sk_rd32(msg + 24) != msg_len ||
	    (size_t)(msg[sk_off + 2] << 8 | msg[sk_off + 3]) != msg_len - sk_off)
		return -EINVAL;
	iv_len = ike_sk_iv_len(k);
	icv_len = ike_sk_icv_len(k);
	body = msg_len - sk_off - hdr_len;
	if (body < iv_len + icv_len + 1)
		return -EINVAL;
	l->iv_off = sk_off + hdr_len;
	l->data_off = l->iv_off + iv_len;
	l->data_len = body - iv_len - icv_len;
	l->icv_off = l->data_off + l->data_len;
	if (k->encr == IKE_ENCR_AES_CBC && l->data_len % IKE_SK_CBC_BLOCK != 0)
		return -EINVAL;
	return 0;
}

static const EVP_CIPHER *ike_sk_cipher(const struct ike_sk_key *k)
{
	if (k->encr == IKE_ENCR_AES_GCM_16)
		switch (k->ekey_len - IKE_GCM_SALT_LEN) {
		case 16: return EVP_aes_128_gcm();
		case 24: return EVP_aes_192_gcm();
		default: return EVP_aes_256_gcm();
		}
	switch (k->ekey_len) {
	case 16: return EVP_aes_128_cbc();
	case 24: return EVP_aes_192_cbc();
	default: return EVP_aes_256_cbc();
	}
}

/* CBC ICV: HMAC over the message up to the ICV, truncated. */
static int ike_sk_cbc_icv(const struct ike_sk_key *k, const uint8_t *msg, size_t icv_off,
			  uint8_t icv[IKE_INTEG_ICV_MAX])
{
	uint8_t mac[EVP_MAX_MD_SIZE];
	struct ike_chunk c = { msg, icv_off };
	int rc;

	rc = ike_hmac(ike_integ_digest(k->integ), k->akey, k->akey_len, &c, 1, mac, NULL);
	if (rc == 0)
		memcpy(icv, mac, ike_integ_icv_len(k->integ));
	OPENSSL_cleanse(mac, sizeof(mac));
	return rc;
}

/* Run AES-CBC (no padding) or AES-GCM over the data in place. */
static int ike_sk_cipher_run(const struct ike_sk_key *k, int enc, uint8_t *msg,
			     const struct ike_sk_layout *l, size_t aad_len)
{
	uint8_t nonce[IKE_SK_GCM_NONCE];
	const uint8_t *iv = msg + l->iv_off;
	int gcm = k->encr == IKE_ENCR_AES_GCM_16;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	OSSL_PARAM tag[2];
	int outl, rc = -EIO;

	if (ctx == NULL)
		return -ENOMEM;
	if (gcm) {	/* RFC 5282 4: nonce = salt | IV */
		memcpy(nonce, k->ekey + k->ekey_len - IKE_GCM_SALT_LEN, IKE_GCM_SALT_LEN);
		memcpy(nonce + IKE_GCM_SALT_LEN, iv, IKE_SK_GCM_IV);
		iv = nonce;
	}
	if (!EVP_CipherInit_ex2(ctx, ike_sk_cipher(k), k->ekey, iv, enc, NULL) ||
	    !EVP_CIPHER_CTX_set_padding(ctx, 0))
		goto out;
	if (gcm && !EVP_CipherUpdate(ctx, NULL, &outl, msg, (int)aad_len))
		goto out;
	if (!EVP_CipherUpdate(ctx, msg + l->data_off, &outl, msg + l->data_off,
			      (int)l->data_len))
		goto out;
	tag[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG,
						   msg + l->icv_off, IKE_SK_GCM_ICV);
	tag[1] = OSSL_PARAM_construct_end();
	if (gcm && !enc && !EVP_CIPHER_CTX_set_params(ctx, tag))
		goto out;
	if (!EVP_CipherFinal_ex(ctx, msg + l->data_off + outl, &outl)) {
		rc = gcm && !enc ? -EBADMSG : -EIO;
		goto out;
	}
	if (gcm && enc && !EVP_CIPHER_CTX_get_params(ctx, tag))
		goto out;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);	/* cleanses the key schedule */
	OPENSSL_cleanse(nonce, sizeof(nonce));
	return rc;
}

int ike_sk_encrypt(struct ike_sk_key *k, uint8_t *msg, size_t msg_len, size_t sk_off,
		   size_t hdr_len, size_t plain_len)
{
	struct ike_sk_layout l;
	size_t pad;
	int rc;

	rc = ike_sk_locate(k, msg, msg_len, sk_off, hdr_len, &l);
	if (rc != 0)
		return rc;
	if (msg_len - sk_off != ike_sk_payload_len(k, hdr_len, plain_len))
		return -EINVAL;
	pad = l.data_len - plain_len - 1;
	memset(msg + l.data_off + plain_len, 0, pad);
	msg[l.data_off + plain_len + pad] = (uint8_t)pad;
	if (k->encr == IKE_ENCR_AES_GCM_16) {
		if (k->iv_seq == UINT64_MAX)
			return -EOVERFLOW;
		k->iv_seq++;
		for (int i = 0; i < IKE_SK_GCM_IV; i++)
			msg[l.iv_off + i] = (uint8_t)(k->iv_seq >> (56 - 8 * i));
		return ike_sk_cipher_run(k, 1, msg, &l, l.iv_off);
	}
	if (RAND_bytes(msg + l.iv_off, IKE_SK_CBC_BLOCK) != 1)
		return -EIO;
	rc = ike_sk_cipher_run(k, 1, msg, &l, 0);
	if (rc == 0)
		rc = ike_sk_cbc_icv(k, msg, l.icv_off, msg + l.icv_off);
	return rc;
}

int ike_sk_decrypt(const struct ike_sk_key *k, uint8_t *msg, size_t msg_len, size_t sk_off,
		   size_t hdr_len, size_t *plain_off, size_t *plain_len)
{
	uint8_t icv[IKE_INTEG_ICV_MAX];
	struct ike_sk_layout l;
	size_t pad;
	int rc;

	if (plain_off == NULL || plain_len == NULL)
		return -EINVAL;
	rc = ike_sk_locate(k, msg, msg_len, sk_off, hdr_len, &l);
	if (rc != 0)
		return rc;
	if (k->encr == IKE_ENCR_AES_CBC) {	/* verify before decrypting */
		rc = ike_sk_cbc_icv(k, msg, l.icv_off, icv);
		if (rc != 0)
			goto out;
		if (CRYPTO_memcmp(icv, msg + l.icv_off, ike_integ_icv_len(k->integ)) != 0) {
			rc = -EBADMSG;
			goto out;
		}
	}
	rc = ike_sk_cipher_run(k, 0, msg, &l, l.iv_off);
	if (rc == -EBADMSG)	/* GCM: never leave unauthenticated plaintext */
		OPENSSL_cleanse(msg + l.data_off, l.data_len);
	if (rc != 0)
		goto out;
	pad = msg[l.data_off + l.data_len - 1];
	if (pad + 1 > l.data_len) {
		rc = -EINVAL;
		goto out;
	}
	*plain_off = l.data_off;
	*plain_len = l.data_len - pad - 1;
out:
	OPENSSL_cleanse(icv, sizeof(icv));
	return rc;
}

void ike_sk_key_wipe(struct ike_sk_key *k)
{
	if (k != NULL)
		OPENSSL_cleanse(k, sizeof(*k));
}
