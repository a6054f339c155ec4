/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Our private keys: PEM (PKCS#8, PKCS#1 or SEC1), unencrypted or, with a
 * passphrase file, encrypted PKCS#8.  Never prompts on a terminal.  The
 * passphrase file must not be readable by group or others; its first line
 * is the passphrase, wiped from memory once the key is decrypted.  A key
 * file readable by others is loaded with a warning.  CP thread only (or
 * the main thread before anything starts, for --check).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "common/gw_log.h"
#include "controlplane/pki/pki_internal.h"

enum { PKI_KEY_PASS_MAX = 1024 };	/* one line, newline excluded */

struct pki_key_pass {
	char buf[PKI_KEY_PASS_MAX + 2];
	size_t len;
	bool given;		/* a passphrase file is configured */
	bool asked;		/* OpenSSL asked: the key is encrypted */
};

/* OpenSSL's pem_password_cb: the passphrase read from the file, or none. */
static int pki_key_pass_cb(char *buf, int size, int rwflag, void *u)
{
	struct pki_key_pass *p = u;

	(void)rwflag;
	p->asked = true;
	if (!p->given || size < 0 || p->len > (size_t)size)
		return -1;
	memcpy(buf, p->buf, p->len);
	return (int)p->len;
}

/* The first line of path into p: 0 or -EINVAL after a log line.  Refused
 * when group or others may read it, or when it is not a regular file. */
static int pki_key_pass_read(const char *path, struct pki_key_pass *p)
{
	struct stat st;
	ssize_t n;
	int fd, ret = -EINVAL;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		PKI_LOAD_ERR("key passphrase file %s: cannot read (%s)", path, strerror(errno));
		return -EINVAL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		PKI_LOAD_ERR("key passphrase file %s: not a regular file", path);
		goto out;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		PKI_LOAD_ERR("key passphrase file %s: group or others have access "
			     "(mode %04o), chmod 600 it", path, (unsigned)(st.st_mode & 07777));
		goto out;
	}
	n = read(fd, p->buf, sizeof(p->buf) - 1);
	if (n < 0) {
		PKI_LOAD_ERR("key passphrase file %s: cannot read (%s)", path, strerror(errno));
		goto out;
	}
	p->buf[n] = '\0';
	p->len = strcspn(p->buf, "\r\n");
	if (p->len > PKI_KEY_PASS_MAX) {
		PKI_LOAD_ERR("key passphrase file %s: first line longer than %d characters",
			     path, PKI_KEY_PASS_MAX);
		goto out;
	}
	if (p->len == 0) {
		PKI_LOAD_ERR("key passphrase file %s: the first line is empty", path);
		goto out;
	}
	p->given = true;
	ret = 0;
out:
	close(fd);
	return ret;
}

/* Warn when others may read the key file (the group may: a service group). */
static void pki_key_check_mode(const char *path, int fd)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && (st.st_mode & S_IROTH))
		GW_LOG(pki, WARNING, "identity key %s: readable by others (mode %04o), "
		       "chmod 600 or 640 it", path, (unsigned)(st.st_mode & 07777));
}

static void pki_key_log_failure(const struct cfg_identity *c, const struct pki_key_pass *p)
{
	unsigned long e = ERR_peek_last_error();
	char why[256] = "no detail";

	if (e != 0)
		ERR_error_string_n(e, why, sizeof(why));
	ERR_clear_error();
	if (p->asked && !p->given)
		PKI_LOAD_ERR("identity key %s: encrypted, set key_passphrase_file", c->key);
	else if (p->asked)
		PKI_LOAD_ERR("identity key %s: cannot decrypt with the passphrase of %s, "
			     "wrong passphrase? (%s)", c->key, c->key_passphrase_file, why);
	else
		PKI_LOAD_ERR("identity key %s: no usable PEM private key (%s)", c->key, why);
}

EVP_PKEY *pki_key_read(const struct cfg_identity *c)
{
	struct pki_key_pass pass;
	EVP_PKEY *key = NULL;
	BIO *bio = NULL;
	int fd;

	memset(&pass, 0, sizeof(pass));
	ERR_clear_error();
	if (c->key_passphrase_file[0] != '\0' &&
	    pki_key_pass_read(c->key_passphrase_file, &pass) != 0)
		goto out;
	fd = open(c->key, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		PKI_LOAD_ERR("identity key %s: cannot read (%s)", c->key, strerror(errno));
		goto out;
	}
	pki_key_check_mode(c->key, fd);
	bio = BIO_new_fd(fd, BIO_CLOSE);
	if (bio == NULL) {
		close(fd);
		goto out;
	}
	key = PEM_read_bio_PrivateKey(bio, NULL, pki_key_pass_cb, &pass);
	if (key == NULL)
		pki_key_log_failure(c, &pass);
	else if (pass.given && !pass.asked)
		GW_LOG(pki, WARNING, "identity key %s: not encrypted, key_passphrase_file %s "
		       "unused", c->key, c->key_passphrase_file);
out:
	BIO_free(bio);
	OPENSSL_cleanse(&pass, sizeof(pass));
	return key;
}
