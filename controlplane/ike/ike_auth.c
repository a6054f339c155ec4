/* SPDX-License-Identifier: BSD-3-Clause */
/* AUTH payload signatures: methods 1, 9/10/11 and 14 (see ike_auth.h). */
#include <errno.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>

#include "controlplane/ike/ike_auth.h"
#include "controlplane/ike/ike_prf.h"

#define IKE_OID_PKCS1 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01
#define IKE_OID_SHA2(n) 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, n
/* SEQUENCE { OID shaNNNWithRSAEncryption, NULL } */
#define IKE_ALGID_RSA(n) 0x30, 0x0d, 0x06, 0x09, IKE_OID_PKCS1, n, 0x05, 0x00
/* SEQUENCE { OID ecdsa-with-SHANNN } */
#define IKE_ALGID_ECDSA(n) 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, n
/* SEQUENCE { OID id-RSASSA-PSS, RSASSA-PSS-params { [0] hash, [1] MGF1(hash),
 * [2] saltLength } }, the hash with NULL parameters */
#define IKE_ALGID_PSS(n, salt) 0x30, 0x41, 0x06, 0x09, IKE_OID_PKCS1, 0x0a, 0x30, 0x34, \
	0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, IKE_OID_SHA2(n), 0x05, 0x00, \
	0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, IKE_OID_PKCS1, 0x08, \
	0x30, 0x0d, 0x06, 0x09, IKE_OID_SHA2(n), 0x05, 0x00, \
	0xa2, 0x03, 0x02, 0x01, salt

static const uint8_t ike_algid_rsa256[] = { IKE_ALGID_RSA(0x0b) };
static const uint8_t ike_algid_rsa384[] = { IKE_ALGID_RSA(0x0c) };
static const uint8_t ike_algid_rsa512[] = { IKE_ALGID_RSA(0x0d) };
static const uint8_t ike_algid_pss256[] = { IKE_ALGID_PSS(0x01, 32) };
static const uint8_t ike_algid_pss384[] = { IKE_ALGID_PSS(0x02, 48) };
static const uint8_t ike_algid_pss512[] = { IKE_ALGID_PSS(0x03, 64) };
static const uint8_t ike_algid_ecdsa256[] = { IKE_ALGID_ECDSA(0x02) };
static const uint8_t ike_algid_ecdsa384[] = { IKE_ALGID_ECDSA(0x03) };
static const uint8_t ike_algid_ecdsa512[] = { IKE_ALGID_ECDSA(0x04) };

static const struct ike_sig_alg {
	uint8_t scheme;		/* enum ike_sig_scheme */
	uint8_t hash;		/* enum ike_hash_alg */
	const char *md;
	const uint8_t *der;
	size_t der_len;
} ike_sig_algs[] = {
#define X(s, h, md, der) { s, h, md, der, sizeof(der) }
	X(IKE_SIG_RSA_PKCS1, IKE_HASH_SHA2_256, "SHA2-256", ike_algid_rsa256),
	X(IKE_SIG_RSA_PKCS1, IKE_HASH_SHA2_384, "SHA2-384", ike_algid_rsa384),
	X(IKE_SIG_RSA_PKCS1, IKE_HASH_SHA2_512, "SHA2-512", ike_algid_rsa512),
	X(IKE_SIG_RSA_PSS, IKE_HASH_SHA2_256, "SHA2-256", ike_algid_pss256),
	X(IKE_SIG_RSA_PSS, IKE_HASH_SHA2_384, "SHA2-384", ike_algid_pss384),
	X(IKE_SIG_RSA_PSS, IKE_HASH_SHA2_512, "SHA2-512", ike_algid_pss512),
	X(IKE_SIG_ECDSA, IKE_HASH_SHA2_256, "SHA2-256", ike_algid_ecdsa256),
	X(IKE_SIG_ECDSA, IKE_HASH_SHA2_384, "SHA2-384", ike_algid_ecdsa384),
	X(IKE_SIG_ECDSA, IKE_HASH_SHA2_512, "SHA2-512", ike_algid_ecdsa512),
#undef X
};

/* How one signature is made: the algorithm, and for methods 9-11 the
 * fixed r | s encoding (rs_len octets per integer, 0 = DER). */
struct ike_sig_how {
	const struct ike_sig_alg *alg;
	size_t rs_len;
};

static const struct ike_sig_alg *ike_sig_alg_find(uint8_t scheme, uint8_t hash)
{
	for (size_t i = 0; i < sizeof(ike_sig_algs) / sizeof(ike_sig_algs[0]); i++)
		if (ike_sig_algs[i].scheme == scheme && ike_sig_algs[i].hash == hash)
			return &ike_sig_algs[i];
	return NULL;
}

const uint8_t *ike_auth_algid(enum ike_sig_scheme scheme, uint8_t hash, size_t *len)
{
	const struct ike_sig_alg *a = ike_sig_alg_find((uint8_t)scheme, hash);

	if (a == NULL)
		return NULL;
	*len = a->der_len;
	return a->der;
}

int ike_auth_octets(const struct ike_auth_input *in, uint8_t *out, size_t cap, size_t *len)
{
	size_t plen = in != NULL ? ike_prf_len(in->prf) : 0;
	size_t need;

	if (plen == 0 || out == NULL || len == NULL)
		return -EINVAL;
	need = in->msg.len + in->nonce.len + plen;
	if (cap < need)
		return -ENOSPC;
	memcpy(out, in->msg.p, in->msg.len);
	memcpy(out + in->msg.len, in->nonce.p, in->nonce.len);
	*len = need;
	return ike_prf(in->prf, in->sk_p.p, in->sk_p.len, &in->id, 1,
		       out + in->msg.len + in->nonce.len);
}

/* NID of an EC key's curve, NID_undef for other keys. */
static int ike_auth_curve(EVP_PKEY *key)
{
	char name[64];
	int nid;

	if (!EVP_PKEY_is_a(key, "EC") ||
	    !EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name,
					    sizeof(name), NULL))
		return NID_undef;
	nid = OBJ_sn2nid(name);
	return nid != NID_undef ? nid : EC_curve_nist2nid(name);
}

static int ike_auth_is_rsa(EVP_PKEY *key)
{
	return EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "RSA-PSS");
}

/* Methods 1 and 9-11: the algorithm is fixed by the method, and must fit key. */
static int ike_auth_fixed(EVP_PKEY *key, uint8_t method, struct ike_sig_how *how)
{
	static const struct ike_sig_alg sha1_rsa = { IKE_SIG_RSA_PKCS1, IKE_HASH_SHA1,
						     "SHA1", NULL, 0 };
	static const struct { uint8_t method; int nid; uint8_t hash; size_t rs; } ec[] = {
		{ IKE_AUTH_ECDSA_SHA256_P256, NID_X9_62_prime256v1, IKE_HASH_SHA2_256, 32 },
		{ IKE_AUTH_ECDSA_SHA384_P384, NID_secp384r1, IKE_HASH_SHA2_384, 48 },
		{ IKE_AUTH_ECDSA_SHA512_P521, NID_secp521r1, IKE_HASH_SHA2_512, 66 },
	};

	if (method == IKE_AUTH_RSA_SIG) {
		if (!ike_auth_is_rsa(key))
			return -EINVAL;
		how->alg = &sha1_rsa;
		how->rs_len = 0;
		return 0;
	}
	for (size_t i = 0; i < sizeof(ec) / sizeof(ec[0]); i++) {
		if (ec[i].method != method)
			continue;
		if (ike_auth_curve(key) != ec[i].nid)
			return -EINVAL;
		how->alg = ike_sig_alg_find(IKE_SIG_ECDSA, ec[i].hash);
		how->rs_len = ec[i].rs;
		return 0;
	}
	return -EINVAL;
}

/* Does key fit alg's scheme? */
static int ike_auth_key_fits(EVP_PKEY *key, const struct ike_sig_alg *alg)
{
	if (alg->scheme == IKE_SIG_ECDSA)
		return EVP_PKEY_is_a(key, "EC");
	return ike_auth_is_rsa(key);
}

/* A digest sign/verify context for how over key, fed the signed octets. */
static EVP_MD_CTX *ike_auth_start(EVP_PKEY *key, const struct ike_sig_how *how,
				  const struct ike_auth_input *in, int sign)
{
	uint8_t maced[IKE_PRF_MAX];
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int ok;

	if (md == NULL)
		return NULL;
	ok = sign ? EVP_DigestSignInit_ex(md, &pctx, how->alg->md, NULL, NULL, key, NULL)
		  : EVP_DigestVerifyInit_ex(md, &pctx, how->alg->md, NULL, NULL, key, NULL);
	if (ok && how->alg->scheme == IKE_SIG_RSA_PSS)	/* MGF1 = hash, salt = hash len */
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
		     EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, how->alg->md, NULL) > 0 &&
		     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) > 0;
	ok = ok && ike_prf(in->prf, in->sk_p.p, in->sk_p.len, &in->id, 1, maced) == 0 &&
	     EVP_DigestUpdate(md, in->msg.p, in->msg.len) &&
	     EVP_DigestUpdate(md, in->nonce.p, in->nonce.len) &&
	     EVP_DigestUpdate(md, maced, ike_prf_len(in->prf));
	OPENSSL_cleanse(maced, sizeof(maced));
	if (!ok) {
		EVP_MD_CTX_free(md);
		return NULL;
	}
	return md;
}

/* DER Ecdsa-Sig-Value -> r | s (n octets each) in place; new length or 0. */
static size_t ike_auth_der_to_rs(uint8_t *sig, size_t len, size_t n)
{
	const uint8_t *p = sig;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)len);
	const BIGNUM *r, *s;
	size_t out = 0;

	if (es == NULL || p != sig + len)
		goto out;
	ECDSA_SIG_get0(es, &r, &s);
	if (BN_bn2binpad(r, sig, (int)n) == (int)n && BN_bn2binpad(s, sig + n, (int)n) == (int)n)
		out = 2 * n;
out:
	ECDSA_SIG_free(es);
	return out;
}

/* r | s (2n octets) -> DER Ecdsa-Sig-Value, malloc'ed (*der_len); NULL if bad. */
static uint8_t *ike_auth_rs_to_der(const uint8_t *rs, size_t len, size_t n, size_t *der_len)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(rs, (int)n, NULL), *s = BN_bin2bn(rs + n, (int)n, NULL);
	uint8_t *der = NULL;
	int l;

	if (es == NULL || r == NULL || s == NULL || len != 2 * n || !ECDSA_SIG_set0(es, r, s)) {
		BN_free(r);
		BN_free(s);
		goto out;
	}
	l = i2d_ECDSA_SIG(es, &der);
	if (l <= 0) {
		der = NULL;
		goto out;
	}
	*der_len = (size_t)l;
out:
	ECDSA_SIG_free(es);
	return der;
}

/* Sign in->... into out (cap octets) as how says; *len octets. */
static int ike_auth_do_sign(EVP_PKEY *key, const struct ike_sig_how *how,
			    const struct ike_auth_input *in, uint8_t *out, size_t cap, size_t *len)
{
	EVP_MD_CTX *md = ike_auth_start(key, how, in, 1);
	size_t sig_len = 0;
	int rc = -EIO;

	if (md == NULL)
		return -EIO;
	if (!EVP_DigestSignFinal(md, NULL, &sig_len))
		goto out;
	if (sig_len > cap) {
		rc = -ENOSPC;
		goto out;
	}
	if (!EVP_DigestSignFinal(md, out, &sig_len))
		goto out;
	if (how->rs_len != 0) {
		sig_len = ike_auth_der_to_rs(out, sig_len, how->rs_len);
		if (sig_len == 0)
			goto out;
	}
	*len = sig_len;
	rc = 0;
out:
	EVP_MD_CTX_free(md);
	return rc;
}

int ike_auth_sign(EVP_PKEY *key, uint8_t method, uint8_t hash, bool pss,
		  const struct ike_auth_input *in, uint8_t *out, size_t cap, size_t *out_len)
{
	struct ike_sig_how how = { NULL, 0 };
	uint8_t scheme;
	size_t sig_len;
	int rc;

	if (key == NULL || in == NULL || out == NULL || out_len == NULL ||
	    ike_prf_len(in->prf) == 0)
		return -EINVAL;
	if (method != IKE_AUTH_DIGITAL_SIGNATURE) {
		rc = ike_auth_fixed(key, method, &how);
		if (rc != 0)
			return rc;
		/* r | s may be longer than DER for small integers: sign into room */
		return ike_auth_do_sign(key, &how, in, out, cap, out_len);
	}
	scheme = EVP_PKEY_is_a(key, "EC") ? IKE_SIG_ECDSA :
		 pss || EVP_PKEY_is_a(key, "RSA-PSS") ? IKE_SIG_RSA_PSS : IKE_SIG_RSA_PKCS1;
	how.alg = ike_sig_alg_find(scheme, hash);
	if (how.alg == NULL || !ike_auth_key_fits(key, how.alg))
		return -EINVAL;
	if (cap < 1 + how.alg->der_len)
		return -ENOSPC;
	out[0] = (uint8_t)how.alg->der_len;
	memcpy(out + 1, how.alg->der, how.alg->der_len);
	rc = ike_auth_do_sign(key, &how, in, out + 1 + how.alg->der_len,
			      cap - 1 - how.alg->der_len, &sig_len);
	if (rc == 0)
		*out_len = 1 + how.alg->der_len + sig_len;
	return rc;
}

/* Method 14: find the algorithm of the AlgorithmIdentifier that starts data. */
static int ike_auth_parse_algid(EVP_PKEY *pub, const uint8_t *data, size_t len,
				const struct ike_sig_alg **alg, size_t *sig_off)
{
	size_t l;

	if (len < 1)
		return -EINVAL;
	l = data[0];
	if (l == 0 || len < 1 + l + 1)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(ike_sig_algs) / sizeof(ike_sig_algs[0]); i++) {
		const struct ike_sig_alg *a = &ike_sig_algs[i];

		if (a->der_len == l && memcmp(a->der, data + 1, l) == 0) {
			if (!ike_auth_key_fits(pub, a))
				return -EINVAL;
			*alg = a;
			*sig_off = 1 + l;
			return 0;
		}
	}
	return -EINVAL;
}

int ike_auth_verify(EVP_PKEY *pub, uint8_t method, const struct ike_auth_input *in,
		    const uint8_t *data, size_t len, uint8_t *hash)
{
	struct ike_sig_how how = { NULL, 0 };
	const uint8_t *sig = data;
	uint8_t *der = NULL;
	EVP_MD_CTX *md = NULL;
	size_t sig_len = len, off = 0;
	int rc;

	if (pub == NULL || in == NULL || data == NULL || ike_prf_len(in->prf) == 0)
		return -EINVAL;
	if (method == IKE_AUTH_DIGITAL_SIGNATURE)
		rc = ike_auth_parse_algid(pub, data, len, &how.alg, &off);
	else
		rc = ike_auth_fixed(pub, method, &how);
	if (rc != 0)
		goto out;
	sig += off;
	sig_len -= off;
	if (how.rs_len != 0) {	/* RFC 4754: fixed r | s to DER for OpenSSL */
		der = ike_auth_rs_to_der(sig, sig_len, how.rs_len, &sig_len);
		if (der == NULL) {
			rc = -EINVAL;
			goto out;
		}
		sig = der;
	}
	md = ike_auth_start(pub, &how, in, 0);
	if (md == NULL) {
		rc = -EIO;
		goto out;
	}
	rc = EVP_DigestVerifyFinal(md, sig, sig_len) == 1 ? 0 : -EBADMSG;
	if (rc == 0 && hash != NULL)
		*hash = how.alg->hash;
out:
	EVP_MD_CTX_free(md);
	OPENSSL_free(der);
	return rc;
}
