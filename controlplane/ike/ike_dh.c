/* SPDX-License-Identifier: BSD-3-Clause */
/* IKEv2 key exchange: MODP-2048, ECP-256/384/521, Curve25519 (see ike_dh.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "controlplane/ike/ike_dh.h"

struct ike_dh {
	uint16_t group;
	uint16_t pub_len;
	EVP_PKEY *key;
	uint8_t pub[IKE_DH_PUB_MAX];
};

enum ike_dh_kind { IKE_DH_MODP, IKE_DH_ECP, IKE_DH_X25519 };

static const struct ike_dh_info {
	uint16_t id;
	uint8_t kind;		/* enum ike_dh_kind */
	const char *type;	/* OpenSSL key type */
	const char *name;	/* OpenSSL group name */
	uint16_t pub_len, secret_len;
} ike_dh_groups[] = {
	{ IKE_DH_MODP2048, IKE_DH_MODP, "DH", "modp_2048", 256, 256 },
	{ IKE_DH_ECP256, IKE_DH_ECP, "EC", "P-256", 64, 32 },
	{ IKE_DH_ECP384, IKE_DH_ECP, "EC", "P-384", 96, 48 },
	{ IKE_DH_ECP521, IKE_DH_ECP, "EC", "P-521", 132, 66 },
	{ IKE_DH_CURVE25519, IKE_DH_X25519, "X25519", NULL, 32, 32 },
};

static const struct ike_dh_info *ike_dh_info(uint16_t group)
{
	for (size_t i = 0; i < sizeof(ike_dh_groups) / sizeof(ike_dh_groups[0]); i++)
		if (ike_dh_groups[i].id == group)
			return &ike_dh_groups[i];
	return NULL;
}

size_t ike_dh_pub_len(uint16_t group)
{
	const struct ike_dh_info *g = ike_dh_info(group);

	return g != NULL ? g->pub_len : 0;
}

size_t ike_dh_secret_len(uint16_t group)
{
	const struct ike_dh_info *g = ike_dh_info(group);

	return g != NULL ? g->secret_len : 0;
}

/* Our public value in IKE form from the key: MODP y padded; ECP x | y;
 * X25519 raw. */
static int ike_dh_export(struct ike_dh *dh, const struct ike_dh_info *g)
{
	uint8_t oct[1 + IKE_DH_PUB_MAX];
	BIGNUM *y = NULL;
	size_t len = 0;
	int rc = -EIO;

	if (g->kind == IKE_DH_MODP) {
		if (!EVP_PKEY_get_bn_param(dh->key, OSSL_PKEY_PARAM_PUB_KEY, &y) ||
		    BN_bn2binpad(y, dh->pub, g->pub_len) != g->pub_len)
			goto out;
	} else {
		if (!EVP_PKEY_get_octet_string_param(dh->key, OSSL_PKEY_PARAM_PUB_KEY, oct,
						     sizeof(oct), &len))
			goto out;
		if (g->kind == IKE_DH_ECP) {	/* uncompressed point: 0x04 | x | y */
			if (len != 1u + g->pub_len || oct[0] != 0x04)
				goto out;
			memcpy(dh->pub, oct + 1, g->pub_len);
		} else {
			if (len != g->pub_len)
				goto out;
			memcpy(dh->pub, oct, len);
		}
	}
	dh->pub_len = g->pub_len;
	rc = 0;
out:
	BN_free(y);
	return rc;
}

static struct ike_dh *ike_dh_wrap(const struct ike_dh_info *g, EVP_PKEY *key)
{
	struct ike_dh *dh = calloc(1, sizeof(*dh));

	if (dh == NULL) {
		EVP_PKEY_free(key);
		errno = ENOMEM;
		return NULL;
	}
	dh->group = g->id;
	dh->key = key;
	if (ike_dh_export(dh, g) != 0) {
		ike_dh_free(dh);
		errno = EIO;
		return NULL;
	}
	return dh;
}

struct ike_dh *ike_dh_new(uint16_t group)
{
	const struct ike_dh_info *g = ike_dh_info(group);
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *key = NULL;
	OSSL_PARAM params[2];

	if (g == NULL) {
		errno = EINVAL;
		return NULL;
	}
	params[0] = OSSL_PARAM_construct_end();
	if (g->name != NULL) {
		params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
							     (char *)g->name, 0);
		params[1] = OSSL_PARAM_construct_end();
	}
	ctx = EVP_PKEY_CTX_new_from_name(NULL, g->type, NULL);
	if (ctx == NULL || EVP_PKEY_keygen_init(ctx) <= 0 ||
	    !EVP_PKEY_CTX_set_params(ctx, params) || EVP_PKEY_generate(ctx, &key) <= 0) {
		EVP_PKEY_CTX_free(ctx);
		errno = EIO;
		return NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	return ike_dh_wrap(g, key);
}

/* An EVP_PKEY of g from OSSL params (fromdata), or NULL. */
static EVP_PKEY *ike_dh_fromdata(const struct ike_dh_info *g, OSSL_PARAM_BLD *bld,
				 int selection)
{
	EVP_PKEY_CTX *ctx = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY *key = NULL;

	if (g->name != NULL &&
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, g->name, 0))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, g->type, NULL);
	if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &key, selection, params) <= 0)
		key = NULL;
out:
	OSSL_PARAM_free(params);	/* a secure BN went to the cleared secure block */
	EVP_PKEY_CTX_free(ctx);
	return key;
}

/* ECP key pair from its scalar: OpenSSL 3.0's fromdata does not compute
 * the public point, so do it here. */
static EVP_PKEY *ike_dh_ec_from_priv(const struct ike_dh_info *g, const uint8_t *priv,
				     size_t len)
{
	uint8_t oct[1 + IKE_DH_PUB_MAX];
	EC_GROUP *grp = EC_GROUP_new_by_curve_name(EC_curve_nist2nid(g->name));
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *d = BN_secure_new();
	EC_POINT *pt = NULL;
	EVP_PKEY *key = NULL;
	size_t olen;

	if (grp == NULL || bld == NULL || d == NULL || len != g->secret_len ||
	    BN_bin2bn(priv, (int)len, d) == NULL)
		goto out;
	pt = EC_POINT_new(grp);
	if (pt == NULL || !EC_POINT_mul(grp, pt, d, NULL, NULL, NULL))
		goto out;
	olen = EC_POINT_point2oct(grp, pt, POINT_CONVERSION_UNCOMPRESSED, oct, sizeof(oct), NULL);
	if (olen != 1u + g->pub_len ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, oct, olen))
		goto out;
	key = ike_dh_fromdata(g, bld, EVP_PKEY_KEYPAIR);
out:
	EC_POINT_free(pt);
	EC_GROUP_free(grp);
	BN_clear_free(d);
	OSSL_PARAM_BLD_free(bld);
	return key;
}

struct ike_dh *ike_dh_new_priv(uint16_t group, const uint8_t *priv, size_t len)
{
	const struct ike_dh_info *g = ike_dh_info(group);
	EVP_PKEY *key = NULL;

	if (g == NULL || priv == NULL || g->kind == IKE_DH_MODP) {
		errno = EINVAL;
		return NULL;
	}
	if (g->kind == IKE_DH_X25519)
		key = len == g->secret_len ?
		      EVP_PKEY_new_raw_private_key_ex(NULL, g->type, NULL, priv, len) : NULL;
	else
		key = ike_dh_ec_from_priv(g, priv, len);
	if (key == NULL) {
		errno = EINVAL;
		return NULL;
	}
	return ike_dh_wrap(g, key);
}

uint16_t ike_dh_group(const struct ike_dh *dh)
{
	return dh->group;
}

const uint8_t *ike_dh_public(const struct ike_dh *dh, size_t *len)
{
	*len = dh->pub_len;
	return dh->pub;
}

/* MODP: 1 < y < p-1 (NIST SP 800-56A 5.6.2.3.1, RFC 7296 5). */
static int ike_dh_modp_range_ok(const BIGNUM *y)
{
	BIGNUM *pm1 = BN_get_rfc3526_prime_2048(NULL);
	int ok;

	ok = pm1 != NULL && BN_sub_word(pm1, 1) && BN_cmp(y, BN_value_one()) > 0 &&
	     BN_cmp(y, pm1) < 0;
	BN_free(pm1);
	return ok;
}

/* The peer's public value as an EVP_PKEY of our group, checked; NULL if
 * it is not a valid public value. */
static EVP_PKEY *ike_dh_peer(const struct ike_dh_info *g, const uint8_t *peer)
{
	uint8_t oct[1 + IKE_DH_PUB_MAX];
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY_CTX *chk = NULL;
	EVP_PKEY *key = NULL;
	BIGNUM *y = NULL;
	int ok = 0;

	if (bld == NULL)
		goto out;
	if (g->kind == IKE_DH_MODP) {
		y = BN_bin2bn(peer, g->pub_len, NULL);
		ok = y != NULL && ike_dh_modp_range_ok(y) &&
		     OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y);
	} else if (g->kind == IKE_DH_ECP) {
		oct[0] = 0x04;
		memcpy(oct + 1, peer, g->pub_len);
		ok = OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, oct,
						      1u + g->pub_len);
	} else {
		ok = OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, peer,
						      g->pub_len);
	}
	if (!ok)
		goto out;
	key = ike_dh_fromdata(g, bld, EVP_PKEY_PUBLIC_KEY);
	if (key == NULL || g->kind != IKE_DH_ECP)
		goto out;
	/* on the curve, not at infinity, coordinates below p (SP 800-56A
	 * 5.6.2.3.4 partial validation): enough for the NIST curves, whose
	 * cofactor is 1, and no scalar multiplication (RFC 6989 2.3) */
	chk = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	if (chk == NULL || EVP_PKEY_public_check_quick(chk) != 1) {
		EVP_PKEY_free(key);
		key = NULL;
	}
out:
	EVP_PKEY_CTX_free(chk);
	BN_free(y);
	OSSL_PARAM_BLD_free(bld);
	return key;
}

int ike_dh_check_public(uint16_t group, const uint8_t *peer, size_t peer_len)
{
	const struct ike_dh_info *g = ike_dh_info(group);
	EVP_PKEY *pkey;

	if (g == NULL || peer == NULL || peer_len != g->pub_len)
		return -EINVAL;
	pkey = ike_dh_peer(g, peer);
	if (pkey == NULL)
		return -EINVAL;
	EVP_PKEY_free(pkey);
	return 0;
}

int ike_dh_derive(struct ike_dh *dh, const uint8_t *peer, size_t peer_len,
		  uint8_t *secret, size_t secret_len)
{
	const struct ike_dh_info *g = dh != NULL ? ike_dh_info(dh->group) : NULL;
	uint8_t tmp[IKE_DH_SECRET_MAX];
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	OSSL_PARAM pad[2];
	unsigned int pad_on = 1, acc = 0;
	size_t len = sizeof(tmp);
	int rc = -EINVAL;

	if (g == NULL || peer == NULL || secret == NULL || peer_len != g->pub_len ||
	    secret_len != g->secret_len)
		return -EINVAL;
	pkey = ike_dh_peer(g, peer);
	if (pkey == NULL)
		goto out;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->key, NULL);
	if (ctx == NULL || EVP_PKEY_derive_init(ctx) <= 0) {
		rc = -EIO;
		goto out;
	}
	/* MODP: keep leading zeros, g^ir is always 256 octets (RFC 7296 2.14) */
	pad[0] = OSSL_PARAM_construct_uint(OSSL_EXCHANGE_PARAM_PAD, &pad_on);
	pad[1] = OSSL_PARAM_construct_end();
	if ((g->kind == IKE_DH_MODP && !EVP_PKEY_CTX_set_params(ctx, pad)) ||
	    EVP_PKEY_derive_set_peer(ctx, pkey) <= 0 ||
	    EVP_PKEY_derive(ctx, tmp, &len) <= 0 || len != g->secret_len)
		goto out;
	for (size_t i = 0; i < len; i++)	/* RFC 8031 2.3: refuse all zero */
		acc |= tmp[i];
	if (g->kind == IKE_DH_X25519 && acc == 0)
		goto out;
	memcpy(secret, tmp, len);
	rc = 0;
out:
	OPENSSL_cleanse(tmp, sizeof(tmp));
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return rc;
}

void ike_dh_free(struct ike_dh *dh)
{
	if (dh == NULL)
		return;
	EVP_PKEY_free(dh->key);		/* OpenSSL clears private key material */
	OPENSSL_cleanse(dh, sizeof(*dh));
	free(dh);
}
