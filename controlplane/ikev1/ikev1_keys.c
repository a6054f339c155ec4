/* SPDX-License-Identifier: BSD-3-Clause */
/* IKEv1 key derivation and hashes (see ikev1_keys.h for the formulas). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "common/gw_ct.h"
#include "controlplane/ikev1/ikev1_keys.h"

enum {
	IKEV1_KEYMAT_MAX = 100,		/* 36 (GCM-256 + salt) .. 32 + 64 (SHA-512) */
	IKEV1_KEYMAT_SEED_MAX = 8,	/* chunks of the KEYMAT prf input */
};

static inline void ikev1_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline struct ike_chunk ikev1_chunk(const void *p, size_t len)
{
	return (struct ike_chunk){ .p = p, .len = len };
}

/* out (ikev1_hash_len(hash) octets) = prf(key, v[0] | ... | v[n-1]). */
static int ikev1_prf(uint16_t hash, const uint8_t *key, size_t key_len,
		     const struct ike_chunk *v, size_t n, uint8_t *out)
{
	const char *md = ikev1_hash_digest(hash);

	if (md == NULL)
		return -EINVAL;
	return ike_hmac(md, key, key_len, v, n, out, NULL);
}

/* out = hash(v[0] | ... | v[n-1]), the full digest. */
static int ikev1_digest(uint16_t hash, const struct ike_chunk *v, size_t n, uint8_t *out)
{
	const char *name = ikev1_hash_digest(hash);
	EVP_MD_CTX *ctx;
	EVP_MD *md;
	int rc = -EIO;
	size_t i;

	if (name == NULL)
		return -EINVAL;
	md = EVP_MD_fetch(NULL, name, NULL);
	ctx = EVP_MD_CTX_new();
	if (md == NULL || ctx == NULL)
		goto out;
	if (EVP_DigestInit_ex(ctx, md, NULL) != 1)
		goto out;
	for (i = 0; i < n; i++)
		if (v[i].len && EVP_DigestUpdate(ctx, v[i].p, v[i].len) != 1)
			goto out;
	if (EVP_DigestFinal_ex(ctx, out, NULL) != 1)
		goto out;
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md);
	return rc;
}

/* The prf of HASH_I/HASH_R: the ECDSA method's hash (strongSwan), else
 * the proposal's. */
static uint16_t ikev1_auth_hash(const struct ikev1_keys *k)
{
	switch (k->auth) {
	case IKEV1_AUTH_ECDSA_256: return IKEV1_HASH_SHA2_256;
	case IKEV1_AUTH_ECDSA_384: return IKEV1_HASH_SHA2_384;
	case IKEV1_AUTH_ECDSA_521: return IKEV1_HASH_SHA2_512;
	default: return k->hash;
	}
}

void ikev1_keys_wipe(struct ikev1_keys *keys)
{
	gw_wipe(keys, sizeof(*keys));
}

int ikev1_enc_key(uint16_t hash, const uint8_t *skeyid_e, size_t skeyid_e_len, size_t key_len,
		  uint8_t *out)
{
	size_t hl = ikev1_hash_len(hash), off = 0;
	uint8_t ka[IKEV1_ENC_KEY_MAX + IKEV1_HASH_MAX];
	const uint8_t zero = 0;
	int rc = 0;

	if (hl == 0 || key_len == 0 || key_len > IKEV1_ENC_KEY_MAX || skeyid_e_len == 0)
		return -EINVAL;
	if (skeyid_e_len >= key_len) {
		memcpy(out, skeyid_e, key_len);
		return 0;
	}
	/* K1 = prf(SKEYID_e, 0), Kn = prf(SKEYID_e, Kn-1) */
	while (off < key_len && rc == 0) {
		struct ike_chunk seed = off ? ikev1_chunk(ka + off - hl, hl) :
					      ikev1_chunk(&zero, 1);

		rc = ikev1_prf(hash, skeyid_e, skeyid_e_len, &seed, 1, ka + off);
		off += hl;
	}
	if (rc == 0)
		memcpy(out, ka, key_len);
	OPENSSL_cleanse(ka, sizeof(ka));
	return rc;
}

int ikev1_iv_phase1(uint16_t hash, struct ike_chunk gxi, struct ike_chunk gxr,
		    struct ikev1_iv *iv)
{
	uint8_t d[IKEV1_HASH_MAX];
	struct ike_chunk v[2] = { gxi, gxr };
	int rc = ikev1_digest(hash, v, 2, d);

	if (rc == 0) {
		memcpy(iv->iv, d, IKEV1_BLOCK_MAX);
		iv->len = IKEV1_BLOCK_MAX;
	}
	OPENSSL_cleanse(d, sizeof(d));
	return rc;
}

int ikev1_iv_phase2(uint16_t hash, const struct ikev1_iv *p1_last, uint32_t msg_id,
		    struct ikev1_iv *iv)
{
	uint8_t d[IKEV1_HASH_MAX], mid[4];
	struct ike_chunk v[2];
	int rc;

	if (p1_last->len != IKEV1_BLOCK_MAX)
		return -EINVAL;
	ikev1_be32(mid, msg_id);
	v[0] = ikev1_chunk(p1_last->iv, p1_last->len);
	v[1] = ikev1_chunk(mid, sizeof(mid));
	rc = ikev1_digest(hash, v, 2, d);
	if (rc == 0) {
		memcpy(iv->iv, d, IKEV1_BLOCK_MAX);
		iv->len = IKEV1_BLOCK_MAX;
	}
	OPENSSL_cleanse(d, sizeof(d));
	return rc;
}

/* SKEYID_d/a/e from SKEYID into k (k->skeyid, hash, hash_len set). */
static int ikev1_skeyid_dae(struct ikev1_keys *k, struct ike_chunk gxy,
			    const uint8_t icookie[IKEV1_COOKIE_LEN],
			    const uint8_t rcookie[IKEV1_COOKIE_LEN])
{
	static const uint8_t octet[3] = { 0, 1, 2 };
	struct ike_chunk v[5];
	int rc;

	/* SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0) */
	v[0] = gxy;
	v[1] = ikev1_chunk(icookie, IKEV1_COOKIE_LEN);
	v[2] = ikev1_chunk(rcookie, IKEV1_COOKIE_LEN);
	v[3] = ikev1_chunk(&octet[0], 1);
	rc = ikev1_prf(k->hash, k->skeyid, k->hash_len, v, 4, k->skeyid_d);
	if (rc)
		return rc;
	/* SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1) */
	v[0] = ikev1_chunk(k->skeyid_d, k->hash_len);
	v[1] = gxy;
	v[2] = ikev1_chunk(icookie, IKEV1_COOKIE_LEN);
	v[3] = ikev1_chunk(rcookie, IKEV1_COOKIE_LEN);
	v[4] = ikev1_chunk(&octet[1], 1);
	rc = ikev1_prf(k->hash, k->skeyid, k->hash_len, v, 5, k->skeyid_a);
	if (rc)
		return rc;
	/* SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2) */
	v[0] = ikev1_chunk(k->skeyid_a, k->hash_len);
	v[4] = ikev1_chunk(&octet[2], 1);
	return ikev1_prf(k->hash, k->skeyid, k->hash_len, v, 5, k->skeyid_e);
}

int ikev1_keys_derive(uint16_t hash, uint16_t auth, uint16_t key_bits, struct ike_chunk ni,
		      struct ike_chunk nr, struct ike_chunk gxy, struct ike_chunk gxi,
		      struct ike_chunk gxr, const uint8_t icookie[IKEV1_COOKIE_LEN],
		      const uint8_t rcookie[IKEV1_COOKIE_LEN], struct ikev1_keys *keys,
		      struct ikev1_iv *iv)
{
	struct ikev1_keys k = { .hash = hash, .auth = auth };
	struct ikev1_iv v;
	uint8_t nonces[2 * IKEV1_NONCE_MAX];
	struct ike_chunk g = gxy;
	int rc = -EINVAL;

	k.hash_len = (uint8_t)ikev1_hash_len(hash);
	k.enc_key_len = (uint8_t)(key_bits / 8);
	if (k.hash_len == 0 || (key_bits != 128 && key_bits != 192 && key_bits != 256) ||
	    ni.len == 0 || nr.len == 0 || ni.len > IKEV1_NONCE_MAX || nr.len > IKEV1_NONCE_MAX ||
	    gxy.len == 0)
		goto out;
	/* SKEYID = prf(Ni_b | Nr_b, g^xy) */
	memcpy(nonces, ni.p, ni.len);
	memcpy(nonces + ni.len, nr.p, nr.len);
	rc = ikev1_prf(hash, nonces, ni.len + nr.len, &g, 1, k.skeyid);
	if (rc == 0)
		rc = ikev1_skeyid_dae(&k, gxy, icookie, rcookie);
	if (rc == 0)
		rc = ikev1_enc_key(hash, k.skeyid_e, k.hash_len, k.enc_key_len, k.enc_key);
	if (rc == 0)
		rc = ikev1_iv_phase1(hash, gxi, gxr, &v);
	if (rc == 0) {
		*keys = k;
		*iv = v;
	}
out:
	OPENSSL_cleanse(nonces, sizeof(nonces));
	ikev1_keys_wipe(&k);
	return rc;
}

int ikev1_hash_auth(const struct ikev1_keys *keys, bool initiator, struct ike_chunk gxi,
		    struct ike_chunk gxr, const uint8_t icookie[IKEV1_COOKIE_LEN],
		    const uint8_t rcookie[IKEV1_COOKIE_LEN], struct ike_chunk sai_b,
		    struct ike_chunk id_b, uint8_t *out, size_t *out_len)
{
	uint16_t h = ikev1_auth_hash(keys);
	struct ike_chunk v[6];
	uint8_t o[IKEV1_HASH_MAX];
	int rc;

	v[0] = initiator ? gxi : gxr;
	v[1] = initiator ? gxr : gxi;
	v[2] = ikev1_chunk(initiator ? icookie : rcookie, IKEV1_COOKIE_LEN);
	v[3] = ikev1_chunk(initiator ? rcookie : icookie, IKEV1_COOKIE_LEN);
	v[4] = sai_b;
	v[5] = id_b;
	rc = ikev1_prf(h, keys->skeyid, keys->hash_len, v, 6, o);
	if (rc == 0) {
		*out_len = ikev1_hash_len(h);
		memcpy(out, o, *out_len);
	}
	OPENSSL_cleanse(o, sizeof(o));
	return rc;
}

/* prf(SKEYID_a, v...) into out. */
static int ikev1_hash_a(const struct ikev1_keys *keys, const struct ike_chunk *v, size_t n,
			uint8_t *out, size_t *out_len)
{
	uint8_t o[IKEV1_HASH_MAX];
	int rc = ikev1_prf(keys->hash, keys->skeyid_a, keys->hash_len, v, n, o);

	if (rc == 0) {
		memcpy(out, o, keys->hash_len);
		*out_len = keys->hash_len;
	}
	OPENSSL_cleanse(o, sizeof(o));
	return rc;
}

int ikev1_hash1(const struct ikev1_keys *keys, uint32_t msg_id, struct ike_chunk after,
		uint8_t *out, size_t *out_len)
{
	uint8_t mid[4];
	struct ike_chunk v[2] = { ikev1_chunk(mid, 4), after };

	ikev1_be32(mid, msg_id);
	return ikev1_hash_a(keys, v, 2, out, out_len);
}

int ikev1_hash2(const struct ikev1_keys *keys, uint32_t msg_id, struct ike_chunk ni,
		struct ike_chunk after, uint8_t *out, size_t *out_len)
{
	uint8_t mid[4];
	struct ike_chunk v[3] = { ikev1_chunk(mid, 4), ni, after };

	ikev1_be32(mid, msg_id);
	return ikev1_hash_a(keys, v, 3, out, out_len);
}

int ikev1_hash3(const struct ikev1_keys *keys, uint32_t msg_id, struct ike_chunk ni,
		struct ike_chunk nr, uint8_t *out, size_t *out_len)
{
	static const uint8_t zero;
	uint8_t mid[4];
	struct ike_chunk v[4] = { ikev1_chunk(&zero, 1), ikev1_chunk(mid, 4), ni, nr };

	ikev1_be32(mid, msg_id);
	return ikev1_hash_a(keys, v, 4, out, out_len);
}

int ikev1_hash_check(const uint8_t *computed, size_t computed_len, struct ike_view received)
{
	if (received.p == NULL || received.len != computed_len || computed_len == 0)
		return -EBADMSG;
	return CRYPTO_memcmp(computed, received.p, computed_len) == 0 ? 0 : -EBADMSG;
}

int ikev1_keymat(const struct ikev1_keys *keys, struct ike_chunk gxy, uint8_t proto,
		 uint32_t spi, struct ike_chunk ni, struct ike_chunk nr, uint8_t *enc,
		 size_t enc_len, uint8_t *auth, size_t auth_len)
{
	uint8_t km[IKEV1_KEYMAT_MAX + IKEV1_HASH_MAX], spi_b[4];
	struct ike_chunk v[IKEV1_KEYMAT_SEED_MAX];
	size_t hl = keys->hash_len, off = 0, need = enc_len + auth_len, n;
	int rc = 0;

	if (hl == 0 || need == 0 || need > IKEV1_KEYMAT_MAX)
		return -EINVAL;
	ikev1_be32(spi_b, spi);
	/* Kn = prf(SKEYID_d, [Kn-1 |] [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b) */
	while (off < need && rc == 0) {
		n = 0;
		if (off)
			v[n++] = ikev1_chunk(km + off - hl, hl);
		if (gxy.len)
			v[n++] = gxy;
		v[n++] = ikev1_chunk(&proto, 1);
		v[n++] = ikev1_chunk(spi_b, 4);
		v[n++] = ni;
		v[n++] = nr;
		rc = ikev1_prf(keys->hash, keys->skeyid_d, hl, v, n, km + off);
		off += hl;
	}
	if (rc == 0) {
		memcpy(enc, km, enc_len);
		if (auth_len)
			memcpy(auth, km + enc_len, auth_len);
	}
	OPENSSL_cleanse(km, sizeof(km));
	return rc;
}

int ikev1_child_keymat(const struct ikev1_keys *keys, enum esp_alg alg, struct ike_chunk gxy,
		       struct ike_chunk ni, struct ike_chunk nr, uint32_t spi_i, uint32_t spi_r,
		       struct gw_sa_desc *i2r, struct gw_sa_desc *r2i)
{
	size_t el = gw_esp_enc_key_len(alg), al = gw_esp_auth_key_len(alg);
	uint8_t e[2][GW_ESP_ENC_KEY_MAX], a[2][GW_ESP_AUTH_KEY_MAX];
	int rc;

	if ((unsigned)alg >= ESP_ALG_COUNT || el + al == 0 || el > GW_ESP_ENC_KEY_MAX ||
	    al > GW_ESP_AUTH_KEY_MAX)
		return -EINVAL;
	rc = ikev1_keymat(keys, gxy, IKEV1_PROTO_ESP, spi_r, ni, nr, e[0], el, a[0], al);
	if (rc == 0)
		rc = ikev1_keymat(keys, gxy, IKEV1_PROTO_ESP, spi_i, ni, nr, e[1], el, a[1], al);
	if (rc == 0) {
		memcpy(i2r->enc_key, e[0], el);
		memcpy(i2r->auth_key, a[0], al);
		memcpy(r2i->enc_key, e[1], el);
		memcpy(r2i->auth_key, a[1], al);
		i2r->enc_key_len = r2i->enc_key_len = (uint8_t)el;
		i2r->auth_key_len = r2i->auth_key_len = (uint8_t)al;
		i2r->spi = spi_r;
		r2i->spi = spi_i;
	}
	OPENSSL_cleanse(e, sizeof(e));
	OPENSSL_cleanse(a, sizeof(a));
	return rc;
}

int ikev1_natd_hash(uint16_t hash, const uint8_t icookie[IKEV1_COOKIE_LEN],
		    const uint8_t rcookie[IKEV1_COOKIE_LEN], const struct gw_addr *addr,
		    uint16_t port, uint8_t *out, size_t *out_len)
{
	uint8_t pb[2] = { (uint8_t)(port >> 8), (uint8_t)port };
	struct ike_chunk v[4];
	int rc;

	v[0] = ikev1_chunk(icookie, IKEV1_COOKIE_LEN);
	v[1] = ikev1_chunk(rcookie, IKEV1_COOKIE_LEN);
	if (addr->family == AF_INET)
		v[2] = ikev1_chunk(&addr->v4, 4);
	else if (addr->family == AF_INET6)
		v[2] = ikev1_chunk(addr->v6, 16);
	else
		return -EINVAL;
	v[3] = ikev1_chunk(pb, 2);
	rc = ikev1_digest(hash, v, 4, out);
	if (rc == 0)
		*out_len = ikev1_hash_len(hash);
	return rc;
}
