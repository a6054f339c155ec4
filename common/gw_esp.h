/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_ESP_H
#define GW_ESP_H

/*
 * The ESP algorithms, named once for the whole gateway (configuration,
 * IKE proposals, data plane).  Pure, thread-safe.
 *
 * X(id, proposal name, cipher, cipher key bytes (without the GCM salt),
 * integrity, ICV bytes).  Names are strongSwan/IKE proposal words.
 * dataplane/esp_crypto.h maps the cipher and integrity tokens onto
 * intel-ipsec-mb.
 */

#define ESP_ALG_LIST(X) \
	X(AES128GCM16, "aes128gcm16", GCM, 16, GMAC, 16) \
	X(AES192GCM16, "aes192gcm16", GCM, 24, GMAC, 16) \
	X(AES256GCM16, "aes256gcm16", GCM, 32, GMAC, 16) \
	X(AES128_SHA1, "aes128-sha1", CBC, 16, SHA1, 12) \
	X(AES128_SHA256, "aes128-sha256", CBC, 16, SHA256, 16) \
	X(AES128_SHA384, "aes128-sha384", CBC, 16, SHA384, 24) \
	X(AES128_SHA512, "aes128-sha512", CBC, 16, SHA512, 32) \
	X(AES256_SHA1, "aes256-sha1", CBC, 32, SHA1, 12) \
	X(AES256_SHA256, "aes256-sha256", CBC, 32, SHA256, 16) \
	X(AES256_SHA384, "aes256-sha384", CBC, 32, SHA384, 24) \
	X(AES256_SHA512, "aes256-sha512", CBC, 32, SHA512, 32) \
	X(NULL_SHA1, "null-sha1", NULL, 0, SHA1, 12) \
	X(NULL_SHA256, "null-sha256", NULL, 0, SHA256, 16) \
	X(NULL_SHA384, "null-sha384", NULL, 0, SHA384, 24) \
	X(NULL_SHA512, "null-sha512", NULL, 0, SHA512, 32)

#define ESP_ALG_ENUM(id, name, c, kl, a, icv) ESP_ALG_##id,
enum esp_alg {
	ESP_ALG_LIST(ESP_ALG_ENUM)
	ESP_ALG_COUNT
};
#undef ESP_ALG_ENUM

enum {
	GW_ESP_SALT_LEN = 4,		/* RFC 4106 4: last 4 bytes of the GCM key */
	GW_ESP_ENC_KEY_MAX = 36,	/* AES-256 + salt */
	GW_ESP_AUTH_KEY_MAX = 64,	/* HMAC-SHA-512: its output size */
};

/* Algorithm of a proposal word, or -EINVAL. */
int gw_esp_alg_from_name(const char *name);
/* Proposal word of alg, or "?" when out of range. */
const char *gw_esp_alg_name(enum esp_alg alg);
/* Bytes of the configured encryption key (GCM: with its salt) and of the
 * HMAC key (0 for GCM) that alg expects; 0 and 0 when out of range. */
unsigned gw_esp_enc_key_len(enum esp_alg alg);
unsigned gw_esp_auth_key_len(enum esp_alg alg);
/* Is alg an AEAD (GCM)? */
int gw_esp_alg_is_aead(enum esp_alg alg);

#endif /* GW_ESP_H */
