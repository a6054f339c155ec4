/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pki_tool: the namespace lab's PKI, written to files with the unit tests'
 * generator (test/unit/test_pki_gen.c).  Not installed.
 *
 *   pki_tool init DIR [--ca-key rsa|ec] [--tag TAG]
 *                     [--root-crl-url URL] [--inter-crl-url URL]
 *       DIR/root.{crt,key}      "<TAG> Root CA", serial 1
 *       DIR/inter.{crt,key}     "<TAG> Inter CA", serial 2, CDP = root CRL URL
 *       DIR/ca.crt              root + intermediate (a trustpoint's "ca")
 *       DIR/gw.{crt,key}        RSA gateway identity, serial 0x100, by inter
 *       DIR/gw-ec.{crt,key}     ECDSA P-256 gateway identity, serial 0x101
 *       DIR/peer.{crt,key}      RSA peer, serial 0x1001
 *       DIR/peer-ec.{crt,key}   ECDSA P-256 peer, serial 0x1002
 *       DIR/other.{crt,key}     "OTHER Root CA": a CA the trustpoint does not know
 *       DIR/forged.{crt,key}    self-signed with the intermediate's subject and
 *                               another key: CRLs "from the intermediate" that
 *                               do not verify
 *     End-entity certificates carry the intermediate's CRL URL as CDP.
 *
 *   pki_tool ca DIR NAME --cn CN [--key rsa|ec] [--serial N] [--cdp URL]
 *                     [--days D]
 *       DIR/NAME.{crt,key}      one more intermediate CA of a PKI that "init"
 *                               wrote, signed by the root (DIR/root.{crt,key}):
 *                               subject "/O=ipsecgw test/CN=CN", a fresh key
 *                               (default RSA-2048), serial N (default 3), CDP
 *                               URL (where the root's CRL is; default none),
 *                               valid for D days (default 3650).  It can then
 *                               be the ISSUER of "ee" and "crl".
 *
 *   pki_tool ee DIR NAME --cn CN [--key rsa|ec] [--serial N] [--san SAN]
 *                     [--issuer NAME] [--cdp URL] [--days D]
 *       DIR/NAME.{crt,key}      one more end-entity certificate of a PKI that
 *                               "init" wrote: subject "/O=ipsecgw test/CN=CN",
 *                               a fresh RSA-2048 (default) or ECDSA P-256 key,
 *                               signed by DIR/ISSUER.{crt,key} (default inter;
 *                               root, or a CA that "ca" wrote),
 *                               serial N (default 0x2000), subjectAltName SAN
 *                               in OpenSSL's syntax ("DNS:a.example,IP:10.0.0.1,
 *                               email:a@example"), CDP URL (default none),
 *                               valid from an hour ago for D days (default 365).
 *
 *   pki_tool crl DIR ISSUER OUT [--number N] [--no-number]
 *                     [--revoke SERIAL[:REASON],...] [--this-update SECONDS]
 *                     [--next-update SECONDS] [--delta BASE] [--no-akid] [--pem]
 *       A CRL of ISSUER (root, inter, other, forged, or a CA that "ca"
 *       wrote: DIR/ISSUER.{crt,key}),
 *       DER unless --pem.  Times are offsets from now (default -60 and
 *       +86400).  Serials are decimal or 0x-hex; REASON a CRLReason code.
 *
 * Prints one line per file written.  Exit 0, 1 on failure, 2 on bad usage.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "test/unit/test_pki_gen.h"

enum {
	PKT_PATH = 1024,
	PKT_MAX_REVOKED = 256,
	PKT_SUBJECT = 160,
};

/* ---- small helpers ---- */

static void pkt_usage(FILE *f)
{
	fprintf(f, "usage: pki_tool init DIR [--ca-key rsa|ec] [--tag TAG]\n"
		"                     [--root-crl-url URL] [--inter-crl-url URL]\n"
		"       pki_tool crl DIR ISSUER OUT [--number N] [--no-number]\n"
		"                     [--revoke SERIAL[:REASON],...] [--this-update S]\n"
		"                     [--next-update S] [--delta BASE] [--no-akid] [--pem]\n"
		"       ISSUER: root, inter, other, forged or a CA written by \"ca\"\n"
		"       pki_tool ee DIR NAME --cn CN [--key rsa|ec] [--serial N] [--san SAN]\n"
		"                     [--issuer NAME] [--cdp URL] [--days D]\n"
		"       pki_tool ca DIR NAME --cn CN [--key rsa|ec] [--serial N] [--cdp URL]\n"
		"                     [--days D]\n");
}

/* An unsigned number, decimal or 0x-hex, the whole string.  0 or -EINVAL. */
static int pkt_u64(const char *s, uint64_t *v)
{
	char *end;

	if (s == NULL || *s == '\0' || *s == '-')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno != 0 || *end != '\0' ? -EINVAL : 0;
}

static int pkt_long(const char *s, long *v)
{
	char *end;

	if (s == NULL || *s == '\0')
		return -EINVAL;
	errno = 0;
	*v = strtol(s, &end, 10);
	return errno != 0 || *end != '\0' ? -EINVAL : 0;
}

static const char *pkt_path(char *buf, const char *dir, const char *name, const char *ext)
{
	snprintf(buf, PKT_PATH, "%s/%s%s", dir, name, ext);
	return buf;
}

/* NAME names files in DIR: not empty, no slash. */
static bool pkt_plain_name(const char *name)
{
	return name[0] != '\0' && strchr(name, '/') == NULL;
}

/* ---- init ---- */

struct pkt_init_opts {
	const char *dir;
	enum tpg_key_type ca_key;
	const char *tag;
	const char *root_crl_url;
	const char *inter_crl_url;
};

/* Write NAME.crt and NAME.key.  0 or -1. */
static int pkt_write_pair(const char *dir, const char *name, X509 *cert, EVP_PKEY *key)
{
	char crt[PKT_PATH], kpath[PKT_PATH], subj[PKT_SUBJECT];
	X509 *one[1] = { cert };
	char *serial;

	if (tpg_write_certs(pkt_path(crt, dir, name, ".crt"), one, 1) != 0 ||
	    tpg_write_key(pkt_path(kpath, dir, name, ".key"), key) != 0) {
		fprintf(stderr, "pki_tool: cannot write %s/%s.{crt,key}\n", dir, name);
		return -1;
	}
	X509_NAME_oneline(X509_get_subject_name(cert), subj, sizeof(subj));
	serial = i2s_ASN1_INTEGER(NULL, X509_get_serialNumber(cert));
	printf("%s  %s, serial %s, %s key\n", crt, subj, serial != NULL ? serial : "?",
	       EVP_PKEY_get_base_id(key) == EVP_PKEY_EC ? "ECDSA P-256" : "RSA-2048");
	OPENSSL_free(serial);
	return 0;
}

/* An end-entity certificate by the intermediate, written as NAME.{crt,key}. */
static int pkt_make_ee(const struct pkt_init_opts *o, const struct tpg_pki *p,
		       const char *name, enum tpg_key_type type, uint64_t serial,
		       const char *cn, const char *san)
{
	char subject[PKT_SUBJECT];
	struct tpg_cert_spec s = {
		.subject = subject, .serial = serial, .san = san, .cdp = o->inter_crl_url,
		.not_before = -3600, .not_after = 365L * 86400,
	};
	EVP_PKEY *key = tpg_key(type);
	X509 *cert = NULL;
	int rc = -1;

	snprintf(subject, sizeof(subject), "/O=ipsecgw test/CN=%s", cn);
	if (key == NULL)
		goto out;
	cert = tpg_cert(&s, key, p->inter, p->inter_key);
	if (cert == NULL)
		goto out;
	rc = pkt_write_pair(o->dir, name, cert, key);
out:
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

/* A self-signed CA certificate with the given subject and a fresh key. */
static int pkt_make_selfsigned(const char *dir, const char *name, const char *subject,
			       enum tpg_key_type type)
{
	struct tpg_cert_spec s = {
		.subject = subject, .serial = 1, .ca = true, .not_before = -86400,
		.not_after = 10L * 365 * 86400,
	};
	EVP_PKEY *key = tpg_key(type);
	X509 *cert = NULL;
	int rc = -1;

	if (key == NULL)
		goto out;
	cert = tpg_cert(&s, key, NULL, NULL);
	if (cert == NULL)
		goto out;
	rc = pkt_write_pair(dir, name, cert, key);
out:
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

static int pkt_init_cas(const struct pkt_init_opts *o, struct tpg_pki *p)
{
	char path[PKT_PATH], subject[PKT_SUBJECT];
	X509 *both[2];

	if (tpg_pki_make(p, o->ca_key, o->tag, o->root_crl_url) != 0)
		return -1;
	both[0] = p->root;
	both[1] = p->inter;
	if (pkt_write_pair(o->dir, "root", p->root, p->root_key) != 0 ||
	    pkt_write_pair(o->dir, "inter", p->inter, p->inter_key) != 0)
		return -1;
	if (tpg_write_certs(pkt_path(path, o->dir, "ca", ".crt"), both, 2) != 0) {
		fprintf(stderr, "pki_tool: cannot write %s\n", path);
		return -1;
	}
	printf("%s  root + intermediate\n", path);
	/* Same subject as the intermediate, another key. */
	snprintf(subject, sizeof(subject), "/O=ipsecgw test/CN=%s Inter CA", o->tag);
	if (pkt_make_selfsigned(o->dir, "forged", subject, o->ca_key) != 0)
		return -1;
	return pkt_make_selfsigned(o->dir, "other", "/O=ipsecgw test/CN=OTHER Root CA",
				   o->ca_key);
}

static int pkt_init(const struct pkt_init_opts *o)
{
	struct tpg_pki p;
	int rc = -1;

	memset(&p, 0, sizeof(p));
	if (pkt_init_cas(o, &p) != 0)
		goto out;
	if (pkt_make_ee(o, &p, "gw", TPG_RSA2048, 0x100, "gw.lab.example",
			"DNS:gw.lab.example,IP:10.10.0.1") != 0 ||
	    pkt_make_ee(o, &p, "gw-ec", TPG_EC_P256, 0x101, "gw-ec.lab.example",
			"DNS:gw-ec.lab.example,IP:10.10.0.1") != 0 ||
	    pkt_make_ee(o, &p, "peer", TPG_RSA2048, 0x1001, "peer.lab.example",
			"DNS:peer.lab.example,email:peer@lab.example") != 0 ||
	    pkt_make_ee(o, &p, "peer-ec", TPG_EC_P256, 0x1002, "peer-ec.lab.example",
			"DNS:peer-ec.lab.example") != 0)
		goto out;
	rc = 0;
out:
	tpg_pki_free(&p);
	return rc;
}

static int pkt_cmd_init(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ca-key", required_argument, NULL, 'k' },
		{ "tag", required_argument, NULL, 't' },
		{ "root-crl-url", required_argument, NULL, 'r' },
		{ "inter-crl-url", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	struct pkt_init_opts o = { .ca_key = TPG_RSA2048, .tag = "LAB" };
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'k' && (strcmp(optarg, "rsa") == 0 || strcmp(optarg, "ec") == 0))
			o.ca_key = strcmp(optarg, "ec") == 0 ? TPG_EC_P256 : TPG_RSA2048;
		else if (c == 't')
			o.tag = optarg;
		else if (c == 'r')
			o.root_crl_url = optarg;
		else if (c == 'i')
			o.inter_crl_url = optarg;
		else
			return 2;
	}
	if (optind + 1 != argc)
		return 2;
	o.dir = argv[optind];
	return pkt_init(&o) == 0 ? 0 : 1;
}

/* ---- crl ---- */

struct pkt_crl_opts {
	const char *dir, *issuer, *out;
	struct tpg_crl_spec spec;
	struct tpg_revoked revoked[PKT_MAX_REVOKED];
	bool pem;
};

/* "S[:R],S[:R],..." into o->revoked.  0 or -EINVAL. */
static int pkt_parse_revoked(struct pkt_crl_opts *o, const char *list)
{
	char buf[4096], *save = NULL, *tok;

	if (strlen(list) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		struct tpg_revoked *r = &o->revoked[o->spec.n_revoked];
		char *colon = strchr(tok, ':');
		uint64_t reason = 0;

		if (o->spec.n_revoked >= PKT_MAX_REVOKED)
			return -EINVAL;
		if (colon != NULL)
			*colon = '\0';
		if (pkt_u64(tok, &r->serial) != 0 ||
		    (colon != NULL && (pkt_u64(colon + 1, &reason) != 0 || reason > 10)))
			return -EINVAL;
		r->reason = colon != NULL ? (int)reason : -1;
		o->spec.n_revoked++;
	}
	o->spec.revoked = o->revoked;
	return 0;
}

/* DIR/ISSUER.{crt,key}: the certificate and key; 0 or -1 (both NULL). */
static int pkt_read_issuer(const char *dir, const char *issuer, X509 **cert, EVP_PKEY **key)
{
	char crt[PKT_PATH], kpath[PKT_PATH];
	BIO *b = BIO_new_file(pkt_path(crt, dir, issuer, ".crt"), "r");

	*cert = NULL;
	*key = NULL;
	if (b != NULL)
		*cert = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	b = BIO_new_file(pkt_path(kpath, dir, issuer, ".key"), "r");
	if (b != NULL)
		*key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	if (*cert == NULL || *key == NULL) {
		fprintf(stderr, "pki_tool: cannot read issuer %s (%s, %s)\n", issuer, crt, kpath);
		ERR_print_errors_fp(stderr);
		X509_free(*cert);
		EVP_PKEY_free(*key);
		*cert = NULL;
		*key = NULL;
		return -1;
	}
	return 0;
}

/* DIR/NAME.{crt,key} into spec.issuer and spec.issuer_key. */
static int pkt_load_issuer(struct pkt_crl_opts *o)
{
	return pkt_read_issuer(o->dir, o->issuer, &o->spec.issuer, &o->spec.issuer_key);
}

static int pkt_crl_write(struct pkt_crl_opts *o)
{
	uint8_t *bytes = NULL;
	size_t len = 0;
	int rc = -1;

	if (pkt_load_issuer(o) != 0)
		goto out;
	if (tpg_crl_bytes(&o->spec, o->pem, &bytes, &len) != 0)
		goto out;
	if (tpg_write_file(o->out, bytes, len) != 0) {
		fprintf(stderr, "pki_tool: cannot write %s: %s\n", o->out, strerror(errno));
		goto out;
	}
	printf("%s  CRL of %s, number %" PRIu64 "%s%s, %zu revoked, %zu bytes %s\n", o->out,
	       o->issuer, o->spec.number, o->spec.no_number ? " (omitted)" : "",
	       o->spec.delta ? " (delta)" : "", o->spec.n_revoked, len, o->pem ? "PEM" : "DER");
	rc = 0;
out:
	free(bytes);
	X509_free(o->spec.issuer);
	EVP_PKEY_free(o->spec.issuer_key);
	return rc;
}

/* One option of "crl"; 0 or -EINVAL. */
static int pkt_crl_opt(struct pkt_crl_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'n': return pkt_u64(arg, &o->spec.number);
	case 'N': o->spec.no_number = true; return 0;
	case 'r': return pkt_parse_revoked(o, arg);
	case 't': return pkt_long(arg, &o->spec.this_update);
	case 'u': return pkt_long(arg, &o->spec.next_update);
	case 'd': o->spec.delta = true; return pkt_u64(arg, &o->spec.base_number);
	case 'a': o->spec.no_akid = true; return 0;
	case 'p': o->pem = true; return 0;
	default: return -EINVAL;
	}
}

static int pkt_cmd_crl(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "number", required_argument, NULL, 'n' },
		{ "no-number", no_argument, NULL, 'N' },
		{ "revoke", required_argument, NULL, 'r' },
		{ "this-update", required_argument, NULL, 't' },
		{ "next-update", required_argument, NULL, 'u' },
		{ "delta", required_argument, NULL, 'd' },
		{ "no-akid", no_argument, NULL, 'a' },
		{ "pem", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	static struct pkt_crl_opts o;
	int c;

	memset(&o, 0, sizeof(o));
	o.spec.number = 1;
	o.spec.this_update = -60;
	o.spec.next_update = 86400;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		if (pkt_crl_opt(&o, c, optarg) != 0) {
			fprintf(stderr, "pki_tool crl: bad option or value (%s)\n",
				optarg != NULL ? optarg : "?");
			return 2;
		}
	if (optind + 3 != argc)
		return 2;
	o.dir = argv[optind];
	o.issuer = argv[optind + 1];
	o.out = argv[optind + 2];
	if (!pkt_plain_name(o.issuer)) {
		fprintf(stderr, "pki_tool crl: ISSUER must name DIR/ISSUER.{crt,key} (%s)\n",
			o.issuer);
		return 2;
	}
	return pkt_crl_write(&o) == 0 ? 0 : 1;
}

/* ---- ee ---- */

struct pkt_ee_opts {
	const char *dir, *name, *cn, *san, *cdp, *issuer;
	enum tpg_key_type key;
	uint64_t serial;
	long days;
};

static int pkt_ee_write(const struct pkt_ee_opts *o)
{
	char subject[PKT_SUBJECT];
	struct tpg_cert_spec s = {
		.subject = subject, .serial = o->serial, .san = o->san, .cdp = o->cdp,
		.not_before = -3600, .not_after = o->days * 86400,
	};
	EVP_PKEY *issuer_key = NULL, *key = NULL;
	X509 *issuer = NULL, *cert = NULL;
	int rc = -1;

	snprintf(subject, sizeof(subject), "/O=ipsecgw test/CN=%s", o->cn);
	if (pkt_read_issuer(o->dir, o->issuer, &issuer, &issuer_key) != 0)
		goto out;
	key = tpg_key(o->key);
	if (key == NULL)
		goto out;
	cert = tpg_cert(&s, key, issuer, issuer_key);
	if (cert == NULL)
		goto out;
	rc = pkt_write_pair(o->dir, o->name, cert, key);
out:
	X509_free(cert);
	EVP_PKEY_free(key);
	X509_free(issuer);
	EVP_PKEY_free(issuer_key);
	return rc;
}

/* One option of "ee"; 0 or -EINVAL. */
static int pkt_ee_opt(struct pkt_ee_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'c': o->cn = arg; return 0;
	case 's': o->san = arg; return 0;
	case 'd': o->cdp = arg; return 0;
	case 'n': return pkt_u64(arg, &o->serial) != 0 || o->serial == 0 ? -EINVAL : 0;
	case 'D': return pkt_long(arg, &o->days) != 0 || o->days <= 0 ? -EINVAL : 0;
	case 'k':
		if (strcmp(arg, "rsa") != 0 && strcmp(arg, "ec") != 0)
			return -EINVAL;
		o->key = strcmp(arg, "ec") == 0 ? TPG_EC_P256 : TPG_RSA2048;
		return 0;
	case 'i':
		if (!pkt_plain_name(arg))
			return -EINVAL;
		o->issuer = arg;
		return 0;
	default: return -EINVAL;
	}
}

static int pkt_cmd_ee(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cn", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "serial", required_argument, NULL, 'n' },
		{ "san", required_argument, NULL, 's' },
		{ "issuer", required_argument, NULL, 'i' },
		{ "cdp", required_argument, NULL, 'd' },
		{ "days", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	struct pkt_ee_opts o = {
		.key = TPG_RSA2048, .serial = 0x2000, .issuer = "inter", .days = 365,
	};
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		if (pkt_ee_opt(&o, c, optarg) != 0) {
			fprintf(stderr, "pki_tool ee: bad option or value (%s)\n",
				optarg != NULL ? optarg : "?");
			return 2;
		}
	if (optind + 2 != argc || o.cn == NULL)
		return 2;
	o.dir = argv[optind];
	o.name = argv[optind + 1];
	if (!pkt_plain_name(o.name)) {
		fprintf(stderr, "pki_tool ee: NAME must be a plain file name (%s)\n", o.name);
		return 2;
	}
	return pkt_ee_write(&o) == 0 ? 0 : 1;
}

/* ---- ca ---- */

/* Another intermediate CA, signed by DIR/root: "ee" options, CA flags. */
static int pkt_ca_write(const struct pkt_ee_opts *o)
{
	char subject[PKT_SUBJECT];
	struct tpg_cert_spec s = {
		.subject = subject, .serial = o->serial, .ca = true, .cdp = o->cdp,
		.not_before = -86400, .not_after = o->days * 86400,
	};
	EVP_PKEY *root_key = NULL, *key = NULL;
	X509 *root = NULL, *cert = NULL;
	int rc = -1;

	snprintf(subject, sizeof(subject), "/O=ipsecgw test/CN=%s", o->cn);
	if (pkt_read_issuer(o->dir, "root", &root, &root_key) != 0)
		goto out;
	key = tpg_key(o->key);
	if (key == NULL)
		goto out;
	cert = tpg_cert(&s, key, root, root_key);
	if (cert == NULL)
		goto out;
	rc = pkt_write_pair(o->dir, o->name, cert, key);
out:
	X509_free(cert);
	EVP_PKEY_free(key);
	X509_free(root);
	EVP_PKEY_free(root_key);
	return rc;
}

static int pkt_cmd_ca(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cn", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "serial", required_argument, NULL, 'n' },
		{ "cdp", required_argument, NULL, 'd' },
		{ "days", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	struct pkt_ee_opts o = {
		.key = TPG_RSA2048, .serial = 3, .issuer = "root", .days = 3650,
	};
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		if (pkt_ee_opt(&o, c, optarg) != 0) {
			fprintf(stderr, "pki_tool ca: bad option or value (%s)\n",
				optarg != NULL ? optarg : "?");
			return 2;
		}
	if (optind + 2 != argc || o.cn == NULL)
		return 2;
	o.dir = argv[optind];
	o.name = argv[optind + 1];
	if (!pkt_plain_name(o.name) || strcmp(o.name, "root") == 0) {
		fprintf(stderr, "pki_tool ca: NAME must be a plain file name, not root (%s)\n",
			o.name);
		return 2;
	}
	return pkt_ca_write(&o) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	int rc = 2;

	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		pkt_usage(stdout);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "init") == 0)
		rc = pkt_cmd_init(argc - 1, argv + 1);
	else if (argc >= 2 && strcmp(argv[1], "crl") == 0)
		rc = pkt_cmd_crl(argc - 1, argv + 1);
	else if (argc >= 2 && strcmp(argv[1], "ee") == 0)
		rc = pkt_cmd_ee(argc - 1, argv + 1);
	else if (argc >= 2 && strcmp(argv[1], "ca") == 0)
		rc = pkt_cmd_ca(argc - 1, argv + 1);
	if (rc == 2)
		pkt_usage(stderr);
	return rc;
}
