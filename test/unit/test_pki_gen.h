/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_TEST_PKI_GEN_H
#define GW_TEST_PKI_GEN_H

/*
 * A test PKI built in code with OpenSSL 3: keys, CA and end-entity
 * certificates, CRLs (complete or delta, any extension the CRL service must
 * judge), and PEM files in a temporary directory.
 *
 * Every constructor returns a new object the caller frees with the usual
 * OpenSSL free function (EVP_PKEY_free, X509_free, X509_CRL_free), or NULL
 * on failure after printing why to stderr.  Byte buffers are malloc'd and
 * freed with free().  Times are offsets in seconds from now.  Not
 * thread-safe only in that nothing here is shared: each call is standalone.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

enum tpg_key_type {
	TPG_RSA2048,
	TPG_EC_P256,
};

/* A fresh key pair. */
EVP_PKEY *tpg_key(enum tpg_key_type type);

struct tpg_cert_spec {
	/* "/C=DE/O=ipsecgw test/CN=gw.example": slash-separated RDNs. */
	const char *subject;
	/* Serial: serial_bin[0..serial_bin_len) (big-endian, up to 20
	 * octets) when serial_bin_len > 0, else serial (0 = 1). */
	uint64_t serial;
	const uint8_t *serial_bin;
	size_t serial_bin_len;
	bool ca;			/* basicConstraints critical,CA:TRUE */
	/* keyUsage in OpenSSL's config syntax, e.g. "critical,keyCertSign";
	 * NULL = default (CA: keyCertSign,cRLSign; EE: digitalSignature),
	 * "" = no keyUsage extension. */
	const char *key_usage;
	/* subjectAltName in OpenSSL's config syntax, NULL = none:
	 * "DNS:gw.example,IP:192.0.2.1,IP:2001:db8::1,email:a@example.org" */
	const char *san;
	const char *cdp;		/* crlDistributionPoints URL, NULL = none */
	long not_before;		/* offset from now, e.g. -3600 */
	long not_after;			/* offset from now; 0 = +1 year */
};

/*
 * A certificate for key, signed by issuer_key with issuer as issuer (NULL
 * issuer and issuer_key = self-signed by key).  SHA-256; SKID always,
 * AKID (keyid) whenever the issuer has a SKID.
 */
X509 *tpg_cert(const struct tpg_cert_spec *spec, EVP_PKEY *key, X509 *issuer,
	       EVP_PKEY *issuer_key);

/* A root CA and an intermediate CA below it, same key type. */
struct tpg_pki {
	EVP_PKEY *root_key, *inter_key;
	X509 *root, *inter;
};
/*
 * Subjects "/O=ipsecgw test/CN=<tag> Root CA" and ".../CN=<tag> Inter CA",
 * serials 1 and 2.  root_cdp (NULL = none) goes into the intermediate's
 * certificate: it is where the root's CRL is published.  0 or -1.
 */
int tpg_pki_make(struct tpg_pki *p, enum tpg_key_type type, const char *tag,
		 const char *root_cdp);
void tpg_pki_free(struct tpg_pki *p);

/* One revoked entry.  reason: a CRL_REASON_* from <openssl/x509v3.h>
 * (CRL_REASON_CERTIFICATE_HOLD = 6, CRL_REASON_REMOVE_FROM_CRL = 8), or -1
 * for no reasonCode extension. */
struct tpg_revoked {
	uint64_t serial;
	int reason;
};

enum tpg_idp {
	TPG_IDP_NONE,			/* no issuingDistributionPoint */
	TPG_IDP_URL,			/* distributionPoint = idp_url only */
	TPG_IDP_USER_CERTS,		/* onlyContainsUserCerts */
	TPG_IDP_CA_CERTS,		/* onlyContainsCACerts */
	TPG_IDP_ATTR_CERTS,		/* onlyContainsAttributeCerts */
	TPG_IDP_INDIRECT,		/* indirectCRL */
	TPG_IDP_SOME_REASONS,		/* onlySomeReasons keyCompromise */
};

struct tpg_crl_spec {
	X509 *issuer;			/* its subject and SKID name the CRL */
	EVP_PKEY *issuer_key;		/* signs it (SHA-256) */
	uint64_t number;		/* cRLNumber */
	bool no_number;			/* omit cRLNumber */
	long this_update;		/* offset from now */
	long next_update;		/* offset from now */
	bool no_next_update;
	const struct tpg_revoked *revoked;
	size_t n_revoked;
	bool delta;			/* deltaCRLIndicator = base_number */
	uint64_t base_number;
	enum tpg_idp idp;
	const char *idp_url;		/* distributionPoint of the IDP, may be NULL */
	const char *freshest_url;	/* freshestCRL, NULL = none */
	bool unknown_critical;		/* add a critical private extension */
	bool no_akid;			/* omit authorityKeyIdentifier */
};

/* Append one revoked entry (serial and when are copied; reason -1 = no
 * reasonCode) to crl, e.g. in a loop for a large CRL.  0 or -1. */
int tpg_crl_add_entry(X509_CRL *crl, const ASN1_INTEGER *serial, const ASN1_TIME *when,
		      int reason);

/* The CRL as an object. */
X509_CRL *tpg_crl(const struct tpg_crl_spec *spec);
/* The CRL encoded as DER or PEM into a malloc'd buffer.  0 or -1. */
int tpg_crl_bytes(const struct tpg_crl_spec *spec, bool pem, uint8_t **out, size_t *len);
/* Encode an existing CRL.  0 or -1. */
int tpg_crl_encode(X509_CRL *crl, bool pem, uint8_t **out, size_t *len);
/* A certificate's DER into a malloc'd buffer.  0 or -1. */
int tpg_cert_der(X509 *cert, uint8_t **out, size_t *len);

/* ---- files ---- */

/* mkdtemp("/tmp/ipsecgw-<tag>-XXXXXX"); malloc'd path or NULL. */
char *tpg_tmpdir(const char *tag);
/* Remove dir and every file in it (one level); no dir is fine.  0 or -1. */
int tpg_rmdir(const char *dir);
/* dir + "/" + name into buf (size len); buf. */
const char *tpg_path(char *buf, size_t len, const char *dir, const char *name);
/* Write certs[0..n) as concatenated PEM to path.  0 or -1. */
int tpg_write_certs(const char *path, X509 *const *certs, unsigned n);
/* Write key as unencrypted PKCS#8 PEM (mode 0600).  0 or -1. */
int tpg_write_key(const char *path, EVP_PKEY *key);
/* Write len bytes to path.  0 or -1. */
int tpg_write_file(const char *path, const void *data, size_t len);

#endif /* GW_TEST_PKI_GEN_H */
