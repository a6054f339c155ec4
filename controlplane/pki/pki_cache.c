/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The on-disk CRL cache: one DER file per issuer, scope and kind, named
 * from the issuer id in hex ("<id>.crl", "<id>-user.crl", "<id>-delta.crl",
 * ...), each with "<file>.src" holding the URL it came from, written
 * atomically (tmp file, fsync, rename, fsync of the directory), and
 * "<trustpoint>.urls" with the CDPs learnt from peers.
 * At start every file is verified again like a download: a corrupted,
 * expired or foreign file is rejected, logged and counted, never trusted.
 * CP thread only.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/gw_log.h"
#include "controlplane/pki/pki_crl.h"

enum { PKI_CACHE_PATH = CFG_PATH_MAX + 96 };

static const char *const pki_cache_scope_sfx[PKI_CRL_SCOPE_MAX] = {
	[PKI_CRL_SCOPE_ALL] = "", [PKI_CRL_SCOPE_USER] = "-user", [PKI_CRL_SCOPE_CA] = "-ca",
};

static int pki_cache_name(char *buf, size_t len, const char *dir,
			  const struct pki_issuer_id *id, enum pki_crl_scope scope, bool delta)
{
	char hex[2 * sizeof(id->h) + 1];
	size_t i;
	int n;

	if ((unsigned)scope >= PKI_CRL_SCOPE_MAX)
		return -EINVAL;
	for (i = 0; i < sizeof(id->h); i++)
		snprintf(hex + 2 * i, 3, "%02x", id->h[i]);
	n = snprintf(buf, len, "%s/%s%s%s.crl", dir, hex, pki_cache_scope_sfx[scope],
		     delta ? "-delta" : "");
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* mkdir -p dir (mode 0700 for what we create). */
static int pki_cache_mkdir(const char *dir)
{
	char path[CFG_PATH_MAX];
	size_t i, n = strlen(dir);

	if (n == 0 || n >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0700) && errno != EEXIST)
			return -errno;
		path[i] = i < n ? '/' : '\0';
	}
	return 0;
}

static int pki_cache_write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The cache directory must be ours alone: a directory owned by us that
 * nobody else may write (else another user could swap files under us). */
static int pki_cache_dir_ok(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) != 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		GW_LOG(crl, ERR, "CRL cache %s: owned by uid %u, mode %03o: must be ours and "
		       "writable by nobody else (chmod go-w); not written", dir,
		       (unsigned)st.st_uid, (unsigned)(st.st_mode & 0777));
		return -EPERM;
	}
	return 0;
}

static int pki_cache_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd))
		rc = -errno;
	close(fd);
	return rc;
}

/* Replace path (inside dir) by data: readers see the old or the new file. */
static int pki_cache_replace(const char *dir, const char *path, const uint8_t *data, size_t len)
{
	char tmp[PKI_CACHE_PATH + 8];
	int fd, rc;

	rc = pki_cache_mkdir(dir);
	if (rc == 0)
		rc = pki_cache_dir_ok(dir);
	if (rc)
		return rc;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	/* A fresh file of ours: never through a link left in its place. */
	if (unlink(tmp) != 0 && errno != ENOENT)
		return -errno;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	rc = pki_cache_write_all(fd, data, len);
	if (rc == 0 && fsync(fd))
		rc = -errno;
	if (close(fd) && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path))
		rc = -errno;
	if (rc) {
		unlink(tmp);
		return rc;
	}
	return pki_cache_fsync_dir(dir);
}

int pki_cache_write_scope(const char *dir, const struct pki_issuer_id *issuer,
			  enum pki_crl_scope scope, bool delta, const uint8_t *der, size_t len)
{
	char path[PKI_CACHE_PATH];
	int rc = pki_cache_name(path, sizeof(path), dir, issuer, scope, delta);

	return rc ? rc : pki_cache_replace(dir, path, der, len);
}

int pki_cache_write(const char *dir, const struct pki_issuer_id *issuer, bool delta,
		    const uint8_t *der, size_t len)
{
	return pki_cache_write_scope(dir, issuer, PKI_CRL_SCOPE_ALL, delta, der, len);
}

/* "<CRL file>.src": the URL a cached CRL was downloaded from. */
static int pki_cache_origin_name(char *buf, size_t len, const char *crl_path)
{
	int n = snprintf(buf, len, "%s.src", crl_path);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int pki_cache_write_origin(const char *dir, const struct pki_issuer_id *issuer,
			   enum pki_crl_scope scope, bool delta, const char *url)
{
	char path[PKI_CACHE_PATH], src[PKI_CACHE_PATH + 8], line[CFG_URL_MAX + 1];
	int rc = pki_cache_name(path, sizeof(path), dir, issuer, scope, delta), n;

	if (rc == 0)
		rc = pki_cache_origin_name(src, sizeof(src), path);
	if (rc)
		return rc;
	n = snprintf(line, sizeof(line), "%s\n", url);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -ENAMETOOLONG;
	return pki_cache_replace(dir, src, (const uint8_t *)line, (size_t)n);
}

int pki_cache_remove(const char *dir, const struct pki_issuer_id *issuer,
		     enum pki_crl_scope scope, bool delta)
{
	char path[PKI_CACHE_PATH], src[PKI_CACHE_PATH + 8];
	int rc = pki_cache_name(path, sizeof(path), dir, issuer, scope, delta);

	if (rc == 0)
		rc = pki_cache_origin_name(src, sizeof(src), path);
	if (rc)
		return rc;
	if (unlink(src) != 0 && errno != ENOENT)
		return -errno;
	if (unlink(path))
		return -errno;
	return pki_cache_fsync_dir(dir);
}

/* Open a regular file of the cache for reading, never blocking the CP
 * thread (a FIFO in its place would) nor following a link.  fd or -errno. */
static int pki_cache_open(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

/* ---- learnt CDP URLs ---- */

static int pki_cache_urls_name(char *buf, size_t len, const struct pki_tp *t)
{
	char name[CFG_NAME_MAX];
	size_t i;
	int n;

	/* The trustpoint's name, made safe as a file name. */
	for (i = 0; t->name[i] && i + 1 < sizeof(name); i++) {
		char c = t->name[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '-' || c == '_';

		name[i] = ok ? c : '_';
	}
	name[i] = '\0';
	n = snprintf(buf, len, "%s/%s.urls", t->cfg->crl_cache_dir, name);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int pki_cache_save_urls(unsigned tp)
{
	struct pki_tp *t = pki_tp_get(tp);
	char path[PKI_CACHE_PATH], text[CFG_MAX_CRL_URLS * (CFG_URL_MAX + 1)];
	size_t off = 0;
	unsigned i;
	int rc;

	if (t == NULL)
		return -ENOENT;
	if (t->cfg->crl_cache_dir[0] == '\0')
		return 0;
	rc = pki_cache_urls_name(path, sizeof(path), t);
	if (rc)
		return rc;
	for (i = 0; i < t->n_learnt_urls && i < CFG_MAX_CRL_URLS; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "%s\n", t->learnt_urls[i]);
	return pki_cache_replace(t->cfg->crl_cache_dir, path, (const uint8_t *)text, off);
}

static bool pki_cache_url_known(const struct pki_tp *t, const char *url)
{
	unsigned i;

	for (i = 0; i < t->cfg->n_crl_urls; i++)
		if (!strcmp(t->cfg->crl_urls[i], url))
			return true;
	for (i = 0; i < t->n_learnt_urls; i++)
		if (!strcmp(t->learnt_urls[i], url))
			return true;
	return false;
}

static void pki_cache_load_urls(struct pki_tp *t)
{
	char path[PKI_CACHE_PATH], line[CFG_URL_MAX + 2];
	struct stat st;
	FILE *f;
	int fd;

	if (pki_cache_urls_name(path, sizeof(path), t))
		return;
	fd = pki_cache_open(path, &st);
	if (fd < 0)
		return;
	f = fdopen(fd, "r");
	if (f == NULL) {
		close(fd);
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL && t->n_learnt_urls < CFG_MAX_CRL_URLS) {
		size_t n = strcspn(line, "\r\n");

		if (line[n] == '\0' && n >= CFG_URL_MAX) {	/* longer than a URL may be */
			GW_LOG(crl, WARNING, "%s: over-long line ignored", path);
			break;
		}
		line[n] = '\0';
		if (n >= CFG_URL_MAX || strncmp(line, "http://", 7) != 0 ||
		    pki_cache_url_known(t, line))
			continue;
		memcpy(t->learnt_urls[t->n_learnt_urls++], line, n + 1);
	}
	fclose(f);
}

/* ---- reload ---- */

/* Read at most max + 1 bytes of path (more means too big anyway). */
static int pki_cache_read(const char *path, size_t max, uint8_t **out, size_t *len)
{
	size_t cap = max + 1, n = 0;
	struct stat st;
	uint8_t *buf = NULL;
	int fd = pki_cache_open(path, &st), rc = 0;

	if (fd < 0)
		return fd;
	if ((size_t)st.st_size < cap)
		cap = (size_t)st.st_size + 1;
	buf = malloc(cap);
	if (buf == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	while (n < cap) {
		ssize_t r = read(fd, buf + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*out = buf;
	*len = n;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return rc;
}

/* The URL recorded next to the cached CRL path (pki_cache_write_origin)
 * into url: one printable http:// line, else "". */
static void pki_cache_read_origin(const char *path, char *url, size_t len)
{
	char src[PKI_CACHE_PATH + 8];
	uint8_t *body = NULL;
	size_t n = 0;

	url[0] = '\0';
	if (pki_cache_origin_name(src, sizeof(src), path) != 0 ||
	    pki_cache_read(src, CFG_URL_MAX, &body, &n) != 0)
		return;
	if (n > 0 && body[n - 1] == '\n')
		n--;
	if (n > 7 && n < len && strncmp((const char *)body, "http://", 7) == 0) {
		size_t i;

		for (i = 0; i < n && isgraph(body[i]); i++)
			;
		if (i == n) {
			memcpy(url, body, n);
			url[n] = '\0';
		}
	}
	free(body);
}

static void pki_cache_load_one(unsigned tp, const struct pki_tp *t, const char *path,
			       enum pki_crl_scope scope, bool delta)
{
	char source[PKI_CACHE_PATH + 8], url[CFG_URL_MAX];
	struct pki_issuer_id issuer;
	enum pki_crl_verdict v;
	uint8_t *body = NULL;
	size_t len = 0;
	int rc = pki_cache_read(path, t->cfg->crl_max_size, &body, &len);

	if (rc == -ENOENT)
		return;
	if (rc) {
		GW_LOG(crl, ERR, "trustpoint %s: cannot read cached CRL %s: %s", t->name, path,
		       strerror(-rc));
		return;
	}
	snprintf(source, sizeof(source), "cache:%s", path);
	v = pki_crl_ingest(tp, body, len, source, true, &issuer);
	free(body);
	if (v != PKI_CRL_NEW)
		return;
	pki_cache_read_origin(path, url, sizeof(url));
	if (url[0] != '\0')
		pki_crl_set_origin(&issuer, scope, delta, url);
}

int pki_cache_load(unsigned tp)
{
	struct pki_tp *t = pki_tp_get(tp);
	struct pki_issuer_id id;
	char path[PKI_CACHE_PATH];
	unsigned s;
	int i, d;

	if (t == NULL)
		return -ENOENT;
	if (t->cfg->crl_cache_dir[0] == '\0')
		return 0;
	pki_cache_load_urls(t);
	/* Only files named after this trustpoint's CAs; complete before delta. */
	for (i = 0; i < sk_X509_num(t->cas); i++) {
		if (pki_id_of_ca_subject(sk_X509_value(t->cas, i), &id))
			continue;
		for (s = 0; s < PKI_CRL_SCOPE_MAX; s++)
			for (d = 0; d < 2; d++)
				if (pki_cache_name(path, sizeof(path), t->cfg->crl_cache_dir, &id,
						   s, d) == 0)
					pki_cache_load_one(tp, t, path, s, d);
	}
	return 0;
}
