/* SPDX-License-Identifier: BSD-3-Clause */
/* prf, prf+ and the IKEv2 key derivations (see ike_prf.h). */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "controlplane/ike/ike_prf.h"

enum {
	IKE_PRF_PLUS_MAX_ROUNDS = 255,	/* the counter is one octet */
	/* the most prf+ output one IKE SA needs: 3 * 64 + 2 * 64 + 2 * 36 */
	IKE_SA_KEYMAT_MAX = 3 * IKE_PRF_MAX + 2 * IKE_INTEG_KEY_MAX + 2 * IKE_ENCR_KEY_MAX,
	IKE_CHILD_KEYMAT_MAX = 2 * (GW_ESP_ENC_KEY_MAX + GW_ESP_AUTH_KEY_MAX),
	IKE_PRF_SEED_MAX = 8,		/* chunks of S passed to prf+ */
};

int ike_prf(uint16_t prf, const uint8_t *key, size_t key_len,
	    const struct ike_chunk *v, size_t n, uint8_t *out)
{
	uint8_t mac[EVP_MAX_MD_SIZE];
	int rc;

	if (ike_prf_len(prf) == 0)
		return -EINVAL;
	rc = ike_hmac(ike_prf_digest(prf), key, key_len, v, n, mac, NULL);
	if (rc == 0)
		memcpy(out, mac, ike_prf_len(prf));
	OPENSSL_cleanse(mac, sizeof(mac));
	return rc;
}

int ike_prf_plus(uint16_t prf, const uint8_t *key, size_t key_len,
		 const struct ike_chunk *s, size_t n, uint8_t *out, size_t out_len)
{
	struct ike_chunk v[IKE_PRF_SEED_MAX + 2];
	uint8_t t[IKE_PRF_MAX];
	size_t hlen = ike_prf_len(prf), done = 0;
	uint8_t ctr;
	int rc = 0;

	if (hlen == 0 || n > IKE_PRF_SEED_MAX || out == NULL ||
	    out_len > IKE_PRF_PLUS_MAX_ROUNDS * hlen)
		return -EINVAL;
	/* v = [Tn-1] | S | n; T0 is empty */
	v[0] = (struct ike_chunk){ t, 0 };
	for (size_t i = 0; i < n; i++)
		v[i + 1] = s[i];
	v[n + 1] = (struct ike_chunk){ &ctr, 1 };
	for (ctr = 1; done < out_len; ctr++) {
		size_t take = out_len - done < hlen ? out_len - done : hlen;

		rc = ike_prf(prf, key, key_len, v, n + 2, t);
		if (rc != 0)
			goto out;
		memcpy(out + done, t, take);
		done += take;
		v[0].len = hlen;
	}
out:
	OPENSSL_cleanse(t, sizeof(t));
	if (rc != 0)
		OPENSSL_cleanse(out, out_len);
	return rc;
}

int ike_skeyseed(uint16_t prf, struct ike_chunk ni, struct ike_chunk nr,
		 struct ike_chunk gir, uint8_t *skeyseed)
{
	uint8_t key[2 * 256];	/* nonces are 16..256 octets (3.9) */
	int rc;

	if (ni.len + nr.len > sizeof(key) || gir.len == 0)
		return -EINVAL;
	memcpy(key, ni.p, ni.len);
	memcpy(key + ni.len, nr.p, nr.len);
	rc = ike_prf(prf, key, ni.len + nr.len, &gir, 1, skeyseed);
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

int ike_skeyseed_rekey(uint16_t old_prf, struct ike_chunk sk_d_old, struct ike_chunk gir,
		       struct ike_chunk ni, struct ike_chunk nr, uint8_t *skeyseed)
{
	const struct ike_chunk v[3] = { gir, ni, nr };

	if (sk_d_old.len == 0 || gir.len == 0)
		return -EINVAL;
	return ike_prf(old_prf, sk_d_old.p, sk_d_old.len, v, 3, skeyseed);
}

/* Take the next len octets of a KEYMAT cursor. */
static void ike_keymat_take(const uint8_t **cur, uint8_t *dst, size_t len)
{
	memcpy(dst, *cur, len);
	*cur += len;
}

static void ike_sk_key_init(struct ike_sk_key *k, const struct ike_suite *s,
			    size_t ekey_len, size_t akey_len)
{
	memset(k, 0, sizeof(*k));
	k->encr = s->encr;
	k->integ = s->integ;
	k->ekey_len = (uint8_t)ekey_len;
	k->akey_len = (uint8_t)akey_len;
}

int ike_sa_keys_derive(const struct ike_suite *suite, struct ike_chunk skeyseed,
		       struct ike_chunk ni, struct ike_chunk nr,
		       const uint8_t spi_i[IKE_SPI_LEN], const uint8_t spi_r[IKE_SPI_LEN],
		       struct ike_sa_keys *keys)
{
	uint8_t km[IKE_SA_KEYMAT_MAX];
	struct ike_sa_keys k;
	const struct ike_chunk s[4] = { ni, nr, { spi_i, IKE_SPI_LEN }, { spi_r, IKE_SPI_LEN } };
	const uint8_t *cur = km;
	size_t plen, alen, elen;
	int rc;

	if (ike_suite_check(suite) != 0 || skeyseed.len == 0 || keys == NULL)
		return -EINVAL;
	plen = ike_prf_len(suite->prf);
	alen = ike_integ_key_len(suite->integ);
	elen = ike_encr_key_len(suite->encr, suite->encr_bits);
	memset(&k, 0, sizeof(k));
	rc = ike_prf_plus(suite->prf, skeyseed.p, skeyseed.len, s, 4, km,
			  3 * plen + 2 * alen + 2 * elen);
	if (rc != 0)
		goto out;
	k.prf = suite->prf;
	k.prf_len = (uint8_t)plen;
	ike_sk_key_init(&k.ski, suite, elen, alen);
	ike_sk_key_init(&k.skr, suite, elen, alen);
	ike_keymat_take(&cur, k.sk_d, plen);
	ike_keymat_take(&cur, k.ski.akey, alen);
	ike_keymat_take(&cur, k.skr.akey, alen);
	ike_keymat_take(&cur, k.ski.ekey, elen);
	ike_keymat_take(&cur, k.skr.ekey, elen);
	ike_keymat_take(&cur, k.sk_pi, plen);
	ike_keymat_take(&cur, k.sk_pr, plen);
	*keys = k;
out:
	OPENSSL_cleanse(km, sizeof(km));
	OPENSSL_cleanse(&k, sizeof(k));
	return rc;
}

void ike_sa_keys_wipe(struct ike_sa_keys *keys)
{
	if (keys != NULL)
		OPENSSL_cleanse(keys, sizeof(*keys));
}

int ike_child_keymat(uint16_t prf, struct ike_chunk sk_d, enum esp_alg alg,
		     struct ike_chunk gir, struct ike_chunk ni, struct ike_chunk nr,
		     struct gw_sa_desc *i2r, struct gw_sa_desc *r2i)
{
	uint8_t km[IKE_CHILD_KEYMAT_MAX];
	const struct ike_chunk s[3] = { gir, ni, nr };
	size_t elen = gw_esp_enc_key_len(alg), alen = gw_esp_auth_key_len(alg);
	const uint8_t *cur = km;
	int rc;

	if (elen + alen == 0 || sk_d.len == 0 || i2r == NULL || r2i == NULL)
		return -EINVAL;
	rc = ike_prf_plus(prf, sk_d.p, sk_d.len, s, 3, km, 2 * (elen + alen));
	if (rc != 0)
		goto out;
	ike_keymat_take(&cur, i2r->enc_key, elen);
	ike_keymat_take(&cur, i2r->auth_key, alen);
	ike_keymat_take(&cur, r2i->enc_key, elen);
	ike_keymat_take(&cur, r2i->auth_key, alen);
	i2r->enc_key_len = r2i->enc_key_len = (uint8_t)elen;
	i2r->auth_key_len = r2i->auth_key_len = (uint8_t)alen;
out:
	OPENSSL_cleanse(km, sizeof(km));
	return rc;
}
