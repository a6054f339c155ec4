/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The CRL fetcher's HTTP client (see pki_http.h): OpenSSL 3's
 * OSSL_HTTP_open / OSSL_HTTP_set1_request / OSSL_HTTP_exchange driven one
 * hop at a time, so that we bound redirects ourselves, and the body read
 * as a stream under our own size and time limits.
 *
 * A BIO_f_buffer goes on top of the connection, through the BIO update
 * callback: OpenSSL 3.0 reads header lines from a non-blocking connect BIO
 * with BIO_get_line(), one byte per read, and drops a partial line when
 * the rest has not arrived yet; the buffer BIO keeps it.  The same
 * callback reports the socket so that pki_fetch.c can cancel a transfer.
 */

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/http.h>
#include <openssl/httperr.h>

#include "controlplane/pki/pki_http.h"

enum {
	PKI_HTTP_CHUNK = 64 * 1024,	/* first body buffer without Content-Length */
	PKI_HTTP_NAP_MS = 100,
	PKI_HTTP_HOP_REDIRECT = 1,	/* pki_http_hop(): Location in *loc */
};

/* One hop's connection, shared with the BIO update callback. */
struct pki_http_conn {
	const struct pki_http_req *req;
	bool sock_reported;
};

/* What an OpenSSL error means to us; the earliest entry found wins. */
static const struct pki_http_err {
	int lib, reason, err;
	const char *text;
} pki_http_errs[] = {
	{ ERR_LIB_HTTP, HTTP_R_RECEIVED_ERROR, -EPROTO, "HTTP error status" },
	{ ERR_LIB_HTTP, HTTP_R_STATUS_CODE_UNSUPPORTED, -EPROTO, "unsupported HTTP status" },
	{ ERR_LIB_HTTP, HTTP_R_MAX_RESP_LEN_EXCEEDED, -EFBIG, "too big" },
	{ ERR_LIB_BIO, BIO_R_CONNECT_TIMEOUT, -ETIMEDOUT, "timeout: no connection (refused or unreachable)" },
	{ ERR_LIB_BIO, BIO_R_TRANSFER_TIMEOUT, -ETIMEDOUT, "timeout waiting for the server" },
	{ ERR_LIB_HTTP, HTTP_R_RETRY_TIMEOUT, -ETIMEDOUT, "timeout" },
	{ ERR_LIB_HTTP, HTTP_R_HEADER_PARSE_ERROR, -EBADMSG, "not an HTTP response" },
	{ ERR_LIB_HTTP, HTTP_R_RESPONSE_LINE_TOO_LONG, -EBADMSG, "HTTP header line too long" },
	{ ERR_LIB_HTTP, HTTP_R_ERROR_PARSING_CONTENT_LENGTH, -EBADMSG, "bad Content-Length" },
	{ ERR_LIB_HTTP, HTTP_R_MISSING_REDIRECT_LOCATION, -EBADMSG, "redirect without Location" },
	{ ERR_LIB_BIO, BIO_R_CONNECT_ERROR, -ECONNREFUSED, "cannot connect" },
	{ ERR_LIB_HTTP, HTTP_R_FAILED_READING_DATA, -EBADMSG, "connection closed before a complete response" },
	{ ERR_LIB_HTTP, HTTP_R_ERROR_RECEIVING, -EIO, "error receiving the response" },
	{ ERR_LIB_HTTP, HTTP_R_ERROR_SENDING, -EIO, "error sending the request" },
};

#define PKI_HTTP_NERRS (sizeof(pki_http_errs) / sizeof(pki_http_errs[0]))

static int pki_http_why(struct pki_http_result *res, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int pki_http_why(struct pki_http_result *res, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->why, sizeof(res->why), fmt, ap);
	va_end(ap);
	return err;
}

static bool pki_http_cancelled(const struct pki_http_req *req)
{
	return req->cancel != NULL && atomic_load(req->cancel);
}

/* Turn this thread's OpenSSL error queue into res->why; empties the queue. */
static int pki_http_fail(const struct pki_http_req *req, struct pki_http_result *res,
			 const char *stage)
{
	const struct pki_http_err *best = NULL;
	char data[96] = "", first[128] = "";
	const char *d;
	unsigned long e;
	int flags;

	while ((e = ERR_get_error_all(NULL, NULL, NULL, &d, &flags)) != 0) {
		d = (flags & ERR_TXT_STRING) != 0 && d != NULL ? d : "";
		if (first[0] == '\0') {
			const char *r = ERR_reason_error_string(e);

			snprintf(first, sizeof(first), "%s%s%.60s%s", r != NULL ? r : "unknown error",
				 *d != '\0' ? " (" : "", d, *d != '\0' ? ")" : "");
		}
		for (size_t i = 0; i < PKI_HTTP_NERRS; i++) {
			const struct pki_http_err *m = &pki_http_errs[i];

			if (ERR_GET_LIB(e) == m->lib && ERR_GET_REASON(e) == m->reason &&
			    (best == NULL || m < best)) {
				best = m;
				snprintf(data, sizeof(data), "%s", d);
			}
		}
	}
	if (pki_http_cancelled(req))
		return pki_http_why(res, -ECANCELED, "cancelled");
	if (best == NULL)
		return pki_http_why(res, -EIO, "%s failed: %s", stage,
				    first[0] != '\0' ? first : "no reason given");
	if (best->err == -ETIMEDOUT)
		return pki_http_why(res, best->err, "%s after %u s", best->text, req->timeout_s);
	if (data[0] == '\0')
		return pki_http_why(res, best->err, "%s", best->text);
	return pki_http_why(res, best->err, "%s (%s)", best->text, data);
}

/* BIO update callback: a buffer BIO on top; report the socket. */
static BIO *pki_http_bio_cb(BIO *bio, void *arg, int connect, int detail)
{
	struct pki_http_conn *c = arg;
	const struct pki_http_req *req = c->req;
	BIO *buf;

	(void)detail;
	if (!connect) {
		if (c->sock_reported && req->sock_fn != NULL)
			req->sock_fn(req->arg, -1);
		c->sock_reported = false;
		return bio;
	}
	buf = BIO_new(BIO_f_buffer());
	if (buf == NULL)
		return NULL;
	if (req->sock_fn != NULL) {
		req->sock_fn(req->arg, (int)BIO_get_fd(bio, NULL));
		c->sock_reported = true;
	}
	return BIO_push(buf, bio);
}

/* Grow *buf to hold more than *cap bytes, up to limit.  0 or -ENOMEM. */
static int pki_http_grow(uint8_t **buf, size_t *cap, size_t limit)
{
	size_t ncap = *cap < limit / 2 ? *cap * 2 : limit;
	uint8_t *nb = realloc(*buf, ncap);

	if (nb == NULL)
		return -ENOMEM;
	*buf = nb;
	*cap = ncap;
	return 0;
}

/*
 * Read the body from the response stream: exactly clen bytes when the
 * server sent a Content-Length (clen > 0), else to EOF, at most max_size.
 */
static int pki_http_body(const struct pki_http_req *req, BIO *bio, size_t clen,
			 time_t deadline, struct pki_http_result *res)
{
	size_t max = req->max_size, limit = clen != 0 ? clen : max + 1;
	size_t cap = clen != 0 ? clen : (max < PKI_HTTP_CHUNK ? max + 1 : PKI_HTTP_CHUNK);
	uint8_t *buf = malloc(cap != 0 ? cap : 1);
	size_t len = 0;
	int n = 0, ret = 0;

	if (buf == NULL)
		return pki_http_why(res, -ENOMEM, "out of memory for %zu bytes", cap);
	while (clen == 0 || len < clen) {
		if (len == cap && (ret = pki_http_grow(&buf, &cap, limit)) != 0) {
			pki_http_why(res, ret, "out of memory for %zu bytes", cap);
			goto out;
		}
		n = BIO_read(bio, buf + len, (int)(cap - len < INT_MAX ? cap - len : INT_MAX));
		if (n > 0) {
			len += (size_t)n;
			if (len > max) {
				ret = pki_http_why(res, -EFBIG, "too big: more than %zu bytes", max);
				goto out;
			}
			continue;
		}
		if (pki_http_cancelled(req) || !BIO_should_retry(bio))
			break;
		n = BIO_wait(bio, deadline, PKI_HTTP_NAP_MS);
		if (n <= 0) {
			ret = n == 0 ? pki_http_why(res, -ETIMEDOUT, "timeout after %u s reading the body "
						    "(%zu bytes so far)", req->timeout_s, len)
				     : pki_http_why(res, -EIO, "waiting for the body failed");
			goto out;
		}
	}
	if (pki_http_cancelled(req))
		ret = pki_http_why(res, -ECANCELED, "cancelled");
	else if (n < 0)
		ret = pki_http_why(res, -EIO, "read error after %zu bytes", len);
	else if (clen != 0 && len < clen)
		ret = pki_http_why(res, -EPIPE, "truncated: %zu of %zu bytes (Content-Length) before "
				   "the connection closed", len, clen);
out:
	if (ret != 0) {
		free(buf);
		return ret;
	}
	res->body = buf;
	res->len = len;
	return 0;
}

/*
 * One request to url.  0 with the body in res, PKI_HTTP_HOP_REDIRECT with
 * the Location in *loc (OPENSSL_free), or -errno with res->why.
 */
static int pki_http_hop(const struct pki_http_req *req, const char *url, time_t deadline,
			struct pki_http_result *res, char **loc)
{
	struct pki_http_conn conn = { .req = req };
	const char *proxy = req->proxy != NULL ? req->proxy : "";
	char *host = NULL, *port = NULL, *path = NULL;
	OSSL_HTTP_REQ_CTX *rctx = NULL;
	time_t left = deadline - time(NULL);
	BIO *resp = NULL;
	int ssl = 0, ret;

	if (!OSSL_HTTP_parse_url(url, &ssl, NULL, &host, &port, NULL, &path, NULL, NULL) ||
	    host[0] == '\0') {
		ERR_clear_error();
		ret = pki_http_why(res, -EINVAL, "bad URL '%.100s'", url);
		goto out;
	}
	if (ssl) {
		ret = pki_http_why(res, -EINVAL, "https is not supported: '%.100s'", url);
		goto out;
	}
	if (left <= 0) {
		ret = pki_http_why(res, -ETIMEDOUT, "timeout after %u s", req->timeout_s);
		goto out;
	}
	rctx = OSSL_HTTP_open(host, port, proxy, "", 0, NULL, NULL, pki_http_bio_cb, &conn,
			      0, left < INT_MAX ? (int)left : INT_MAX);
	if (rctx == NULL) {
		ret = pki_http_fail(req, res, "connect");
		goto out;
	}
	/* expect_asn1 0: PEM too; max_resp_len never 0 (OpenSSL's 100 KiB
	 * default); timeout -1: the deadline given to OSSL_HTTP_open. */
	if (!OSSL_HTTP_set1_request(rctx, path, NULL, NULL, NULL, NULL, 0, req->max_size, -1, 0)) {
		ret = pki_http_fail(req, res, "request");
		goto out;
	}
	resp = OSSL_HTTP_exchange(rctx, loc);
	if (resp == NULL) {
		ret = *loc != NULL ? PKI_HTTP_HOP_REDIRECT : pki_http_fail(req, res, "exchange");
		ERR_clear_error();
		goto out;
	}
	ret = pki_http_body(req, resp, OSSL_HTTP_REQ_CTX_get_resp_len(rctx), deadline, res);
out:
	BIO_free(resp);
	if (rctx != NULL)
		OSSL_HTTP_close(rctx, ret == 0);
	if (conn.sock_reported && req->sock_fn != NULL)
		req->sock_fn(req->arg, -1);	/* open failed after connecting */
	OPENSSL_free(host);
	OPENSSL_free(port);
	OPENSSL_free(path);
	return ret;
}

/* The URL a redirect from cur to loc leads to, into cur.  0 or -errno. */
static int pki_http_follow(char *cur, size_t len, const char *loc, struct pki_http_result *res)
{
	char next[PKI_HTTP_URL_MAX];
	const char *host, *end;
	int n;

	if (loc[0] == '/' && loc[1] != '/') {
		/* A path on the same server: keep "http://host:port". */
		host = strstr(cur, "://");
		end = host != NULL ? strchr(host + 3, '/') : NULL;
		n = snprintf(next, sizeof(next), "%.*s%s",
			     (int)(end != NULL ? (size_t)(end - cur) : strlen(cur)), cur, loc);
	} else if (strncasecmp(loc, "http://", 7) == 0) {
		n = snprintf(next, sizeof(next), "%s", loc);
	} else {
		return pki_http_why(res, -EINVAL, "redirect to a URL that is not http://: '%.100s'", loc);
	}
	if (n < 0 || (size_t)n >= sizeof(next) || (size_t)n >= len)
		return pki_http_why(res, -EINVAL, "redirect URL too long");
	memcpy(cur, next, (size_t)n + 1);
	return 0;
}

int pki_http_get(const struct pki_http_req *req, struct pki_http_result *res)
{
	char url[PKI_HTTP_URL_MAX];
	char *loc = NULL;
	time_t deadline;
	int ret;

	memset(res, 0, sizeof(*res));
	if (req->url == NULL || req->timeout_s == 0 || req->max_size == 0)
		return pki_http_why(res, -EINVAL, "no URL, timeout or size limit");
	if (strncasecmp(req->url, "http://", 7) != 0)
		return pki_http_why(res, -EINVAL, "not an http:// URL: '%.100s'", req->url);
	if (strlen(req->url) >= sizeof(url))
		return pki_http_why(res, -EINVAL, "URL too long");
	snprintf(url, sizeof(url), "%s", req->url);
	ERR_clear_error();
	deadline = time(NULL) + (time_t)req->timeout_s;
	for (;;) {
		ret = pki_http_hop(req, url, deadline, res, &loc);
		if (ret != PKI_HTTP_HOP_REDIRECT)
			break;
		if (res->redirects >= req->max_redirects) {
			ret = pki_http_why(res, -ELOOP, "more than %u redirects (the last to '%.80s')",
					   req->max_redirects, loc);
			break;
		}
		res->redirects++;
		ret = pki_http_follow(url, sizeof(url), loc, res);
		OPENSSL_free(loc);
		loc = NULL;
		if (ret != 0)
			break;
	}
	OPENSSL_free(loc);
	ERR_clear_error();
	if (ret == 0)
		snprintf(res->url, sizeof(res->url), "%s", url);
	return ret;
}
