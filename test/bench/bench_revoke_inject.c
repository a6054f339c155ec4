/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The revocation benchmark's sessions and CRLs (bench_revoke.h).
 *
 * A session goes in through the path IKE_AUTH takes once it has verified
 * the peer, minus the exchange: ike_sa_new(), the revocation facts the
 * verification would record (issuer id + serial of the peer certificate,
 * trustpoint), ike_sa_state(ESTABLISHED), a CHILD SA pair installed with
 * cp_sa_install_ike_pair() into a tunnel from cp_sa_tunnel_alloc(), and
 * ike_rev_index_add().  The IKE SA gets SK keys (AES-256-GCM), so that
 * ikev2_delete() can build and protect a real INFORMATIONAL DELETE.
 *
 * The CRLs come from the unit tests' generator (test/unit/test_pki_gen.c),
 * signed by the bench CA that trustpoint 0 trusts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/bn.h>
#include <openssl/x509v3.h>

#include <rte_byteorder.h>

#include "common/gw_ike.h"
#include "common/gw_ike_xform.h"
#include "common/gw_sa.h"
#include "controlplane/cp_sa.h"
#include "controlplane/ike/ike_rev.h"
#include "controlplane/ike/ike_sa.h"
#include "controlplane/ikev2/ikev2_msg.h"
#include "controlplane/pki/pki_internal.h"
#include "dataplane/dp_sa.h"
#include "test/bench/bench_revoke.h"
#include "test/unit/test_pki_gen.h"

bool br_is_revoked(const struct br_opts *o, unsigned i)
{
	unsigned stride = o->sessions / o->revoke;

	return i % stride == stride / 2 && i / stride < o->revoke;
}

/* 16 pseudo-random octets from i, the first in 0x01..0x7f (positive, no
 * leading zero: the form pki_serial_from_asn1 gives). */
void br_serial(unsigned i, struct pki_serial *s)
{
	uint64_t x = (uint64_t)i * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL;

	s->len = BR_SERIAL_LEN;
	for (unsigned k = 0; k < BR_SERIAL_LEN; k += 8) {
		x ^= x >> 31;
		x *= 0xbf58476d1ce4e5b9ULL;
		x ^= x >> 27;
		memcpy(s->b + k, &x, 8);
	}
	s->b[0] = (uint8_t)(1 + s->b[0] % 0x7f);
}

int br_ca_make(struct br_ca *ca, const char *ca_path)
{
	struct tpg_cert_spec spec = { .subject = "/O=ipsecgw bench/CN=Revocation Bench CA",
				      .serial = 1, .ca = true, .not_before = -3600 };

	memset(ca, 0, sizeof(*ca));
	ca->key = tpg_key(TPG_RSA2048);
	if (ca->key != NULL)
		ca->cert = tpg_cert(&spec, ca->key, NULL, NULL);
	if (ca->cert == NULL || pki_id_of_ca_subject(ca->cert, &ca->issuer) != 0 ||
	    tpg_write_certs(ca_path, &ca->cert, 1) != 0) {
		fprintf(stderr, "bench_revoke: cannot make the CA\n");
		return -1;
	}
	pki_issuer_str(X509_get_subject_name(ca->cert), ca->issuer_str, sizeof(ca->issuer_str));
	return 0;
}

void br_ca_free(struct br_ca *ca)
{
	X509_free(ca->cert);
	EVP_PKEY_free(ca->key);
	memset(ca, 0, sizeof(*ca));
}

static int br_crl_add(X509_CRL *crl, unsigned i, const ASN1_TIME *when)
{
	struct pki_serial s;
	ASN1_INTEGER *a = NULL;
	BIGNUM *bn;
	int rc = -1;

	br_serial(i, &s);
	bn = BN_bin2bn(s.b, s.len, NULL);
	if (bn != NULL)
		a = BN_to_ASN1_INTEGER(bn, NULL);
	if (a != NULL)
		rc = tpg_crl_add_entry(crl, a, when, CRL_REASON_KEY_COMPROMISE);
	ASN1_INTEGER_free(a);
	BN_free(bn);
	return rc;
}

int br_crl(const struct br_opts *o, const struct br_ca *ca, uint64_t number, bool empty,
	   uint8_t **der, size_t *len)
{
	struct tpg_crl_spec s = { .issuer = ca->cert, .issuer_key = ca->key, .number = number,
				  .this_update = -60, .next_update = 7 * 86400 };
	X509_CRL *crl = tpg_crl(&s);
	ASN1_TIME *when = ASN1_TIME_new();
	int rc = -1;

	*der = NULL;
	if (crl == NULL || when == NULL || !X509_gmtime_adj(when, -30))
		goto out;
	for (unsigned i = 0; i < o->sessions && !empty; i++)
		if (br_is_revoked(o, i) && br_crl_add(crl, i, when) != 0)
			goto out;
	if (!X509_CRL_sort(crl) || !X509_CRL_sign(crl, ca->key, EVP_sha256()) ||
	    tpg_crl_encode(crl, false, der, len) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "bench_revoke: cannot make CRL %llu\n", (unsigned long long)number);
	ASN1_TIME_free(when);
	X509_CRL_free(crl);
	return rc;
}

static struct gw_addr br_v4(uint32_t host_order)
{
	struct gw_addr a = { .family = AF_INET };

	a.v4 = rte_cpu_to_be_32(host_order);
	return a;
}

/* The CHILD SA descriptor of session i in direction dir (keys shared by
 * every session; each SA still gets its own key schedule). */
static void br_esp_desc(const struct ike_sa *sa, unsigned i, uint8_t dir, struct gw_sa_desc *d)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "rev%u-%s", i, dir == GW_SA_IN ? "in" : "out");
	d->session_id = sa->id;
	d->tunnel = sa->tunnel;
	d->spi = (dir == GW_SA_IN ? BR_SPI_IN : BR_SPI_OUT) + i;
	d->dir = dir;
	d->alg = ESP_ALG_AES128GCM16;
	d->local = sa->local;
	d->remote = sa->remote;
	d->enc_key_len = (uint8_t)gw_esp_enc_key_len(ESP_ALG_AES128GCM16);
	for (unsigned b = 0; b < d->enc_key_len; b++)
		d->enc_key[b] = (uint8_t)(0x3c + 7 * b);
	d->replay_window = 64;
	gw_prefix_parse(BR_LAN, &d->local_ts[d->n_local_ts++]);
	d->remote_ts[0].addr = br_v4(BR_REMOTE_BASE + i);
	d->remote_ts[0].len = 32;
	d->n_remote_ts = 1;
}

/* What IKE_SA_INIT and IKE_AUTH would have left in sa. */
static void br_ike_facts(const struct br_ca *ca, unsigned i, struct ike_sa *sa)
{
	static const char id[] = "peer.bench";

	sa->spi_i[0] = 0xb0;
	memcpy(sa->spi_i + 4, &i, sizeof(i));
	sa->local = br_v4(0x0a0a0001);		/* BR_GW_OUTER */
	sa->remote = br_v4(BR_PEER_BASE + i);
	sa->local_port = sa->remote_port = 500;
	sa->suite = (struct ike_suite){ IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE,
					IKE_PRF_HMAC_SHA2_256 };
	sa->dh_group = IKE_DH_ECP256;
	sa->sk_out.encr = sa->sk_in.encr = IKE_ENCR_AES_GCM_16;
	sa->sk_out.integ = sa->sk_in.integ = IKE_INTEG_NONE;
	sa->sk_out.ekey_len = sa->sk_in.ekey_len = IKE_ENCR_KEY_MAX;
	memset(sa->sk_out.ekey, 0x5b, IKE_ENCR_KEY_MAX);
	memset(sa->sk_in.ekey, 0xb5, IKE_ENCR_KEY_MAX);
	sa->remote_id_type = IKE_ID_FQDN;
	memcpy(sa->remote_id, id, sizeof(id) - 1);
	sa->remote_id_len = sizeof(id) - 1;
	sa->peer_cert.issuer = ca->issuer;
	br_serial(i, &sa->peer_cert.serial);
	snprintf(sa->peer_cert.issuer_str, sizeof(sa->peer_cert.issuer_str), "%s", ca->issuer_str);
	sa->trustpoint = 0;
	sa->mid.next_recv = 2;			/* IKE_SA_INIT and IKE_AUTH seen */
	sa->established_ms = ikev2_now_ms();
}

int br_inject(const struct br_opts *o, const struct br_ca *ca, unsigned i, struct br_sess *s)
{
	struct ike_sa *sa = ike_sa_new(IKE_RESPONDER, 0);
	struct gw_sa_desc in, out;
	struct ike_child *c;
	const char *what = "ike_sa_new";
	int ret = -ENOSPC;

	if (sa == NULL)
		goto fail;
	s->id = sa->id;
	s->revoked = br_is_revoked(o, i);
	s->h_in = s->h_out = DP_SA_INVALID;
	what = "cp_sa_tunnel_alloc";
	sa->tunnel = cp_sa_tunnel_alloc();
	if (sa->tunnel == DP_SA_INVALID)
		goto fail;
	br_ike_facts(ca, i, sa);
	ike_sa_state(sa, IKE_SA_ESTABLISHED, "bench: injected");
	c = ike_sa_child_new(sa);
	what = "ike_sa_child_new";
	if (c == NULL)
		goto fail;
	c->spi_in = BR_SPI_IN + i;
	c->spi_out = BR_SPI_OUT + i;
	c->esp_alg = ESP_ALG_AES128GCM16;
	c->created_ms = sa->established_ms;
	br_esp_desc(sa, i, GW_SA_IN, &in);
	br_esp_desc(sa, i, GW_SA_OUT, &out);
	c->local_ts[c->n_local_ts++] = in.local_ts[0];
	c->remote_ts[c->n_remote_ts++] = in.remote_ts[0];
	what = "cp_sa_install_ike_pair";
	ret = cp_sa_install_ike_pair(&in, &out, &c->h_in, &c->h_out);	/* wipes both */
	if (ret != 0)
		goto fail;
	c->installed = true;
	s->h_in = c->h_in;
	s->h_out = c->h_out;
	what = "ike_rev_index_add";
	ret = ike_rev_index_add(sa);
	if (ret == 0)
		return 0;
fail:
	fprintf(stderr, "bench_revoke: session %u: %s: %s\n", i, what, strerror(ret < 0 ? -ret : ret));
	if (sa != NULL)
		ike_sa_kill(sa, "bench: injection failed");
	return ret < 0 ? ret : -ret;
}
