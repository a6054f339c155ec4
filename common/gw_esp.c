/* SPDX-License-Identifier: BSD-3-Clause */
/* ESP algorithm names and key sizes (see gw_esp.h). */
#include <errno.h>
#include <string.h>

#include "common/gw_esp.h"

/* HMAC keys are as long as the hash output (RFC 2404, RFC 4868 2.1.1). */
#define GW_ESP_AUTH_LEN_GMAC 0
#define GW_ESP_AUTH_LEN_SHA1 20
#define GW_ESP_AUTH_LEN_SHA256 32
#define GW_ESP_AUTH_LEN_SHA384 48
#define GW_ESP_AUTH_LEN_SHA512 64
#define GW_ESP_IS_GCM_GCM 1
#define GW_ESP_IS_GCM_CBC 0
#define GW_ESP_IS_GCM_NULL 0

static const struct {
	const char *name;
	unsigned char enc_len;
	unsigned char auth_len;
	unsigned char aead;
} gw_esp_algs[ESP_ALG_COUNT] = {
#define X(id, nm, c, kl, a, icv) \
	[ESP_ALG_##id] = { nm, kl + (GW_ESP_IS_GCM_##c ? GW_ESP_SALT_LEN : 0), \
			   GW_ESP_AUTH_LEN_##a, GW_ESP_IS_GCM_##c },
	ESP_ALG_LIST(X)
#undef X
};

int gw_esp_alg_from_name(const char *name)
{
	for (int i = 0; name != NULL && i < ESP_ALG_COUNT; i++)
		if (strcmp(name, gw_esp_algs[i].name) == 0)
			return i;
	return -EINVAL;
}

const char *gw_esp_alg_name(enum esp_alg alg)
{
	return (unsigned)alg < ESP_ALG_COUNT ? gw_esp_algs[alg].name : "?";
}

unsigned gw_esp_enc_key_len(enum esp_alg alg)
{
	return (unsigned)alg < ESP_ALG_COUNT ? gw_esp_algs[alg].enc_len : 0;
}

unsigned gw_esp_auth_key_len(enum esp_alg alg)
{
	return (unsigned)alg < ESP_ALG_COUNT ? gw_esp_algs[alg].auth_len : 0;
}

int gw_esp_alg_is_aead(enum esp_alg alg)
{
	return (unsigned)alg < ESP_ALG_COUNT && gw_esp_algs[alg].aead;
}
