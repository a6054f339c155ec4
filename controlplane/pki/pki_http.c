/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The CRL fetcher's HTTP client (see pki_http.h).
 *
 * We connect the socket ourselves: non-blocking connect(2), then poll(2)
 * for what is left of the timeout, so that a refused connection fails at
 * once (OpenSSL 3.0's BIO_do_connect_retry, behind OSSL_HTTP_open without
 * a bio, retries ECONNREFUSED until the timeout) and a transfer can be
 * cancelled while it connects.  The connected socket goes to OSSL_HTTP_open
 * as bio (requests are written to it) with a BIO_f_buffer over it as rbio
 * (responses are read from that).  Given both, OpenSSL 3.0 sets up no
 * connection of its own, reads no proxy environment (proxy and no_proxy
 * must then be NULL), and takes server and port only for the Host header
 * and its error texts; the BIOs stay ours to free.  The buffer BIO is
 * needed because OpenSSL 3.0 reads header lines from a non-blocking BIO
 * with BIO_get_line(), one byte per read, and drops a partial line when
 * the rest has not arrived yet.
 *
 * Then OSSL_HTTP_set1_request and OSSL_HTTP_exchange are driven one hop at
 * a time, so that we bound redirects ourselves, and the body is read as a
 * stream under our own size and time limits.
 */

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/http.h>
#include <openssl/httperr.h>

#include "controlplane/pki/pki_http.h"

enum {
	PKI_HTTP_CHUNK = 64 * 1024,	/* first body buffer, grown as bytes arrive */
	PKI_HTTP_NAP_MS = 100,
	PKI_HTTP_HOP_REDIRECT = 1,	/* pki_http_hop(): Location in *loc */
};

/* One hop's connection: our socket and the two BIOs over it. */
struct pki_http_conn {
	const struct pki_http_req *req;
	int fd;				/* -1 = none */
	BIO *wbio;			/* socket BIO (BIO_NOCLOSE) */
	BIO *rbio;			/* buffer BIO over wbio; frees both */
};

/* What an OpenSSL error means to us; the earliest entry found wins. */
static const struct pki_http_err {
	int lib, reason, err;
	const char *text;
} pki_http_errs[] = {
	{ ERR_LIB_HTTP, HTTP_R_RECEIVED_ERROR, -EPROTO, "HTTP error status" },
	{ ERR_LIB_HTTP, HTTP_R_STATUS_CODE_UNSUPPORTED, -EPROTO, "unsupported HTTP status" },
	{ ERR_LIB_HTTP, HTTP_R_MAX_RESP_LEN_EXCEEDED, -EFBIG, "too big" },
	{ ERR_LIB_BIO, BIO_R_TRANSFER_TIMEOUT, -ETIMEDOUT, "timeout waiting for the answer" },
	{ ERR_LIB_HTTP, HTTP_R_RETRY_TIMEOUT, -ETIMEDOUT, "timeout" },
	{ ERR_LIB_HTTP, HTTP_R_HEADER_PARSE_ERROR, -EBADMSG, "not an HTTP response" },
	{ ERR_LIB_HTTP, HTTP_R_RESPONSE_LINE_TOO_LONG, -EBADMSG, "HTTP header line too long" },
	{ ERR_LIB_HTTP, HTTP_R_ERROR_PARSING_CONTENT_LENGTH, -EBADMSG, "bad Content-Length" },
	{ ERR_LIB_HTTP, HTTP_R_MISSING_REDIRECT_LOCATION, -EBADMSG, "redirect without Location" },
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

/*
 * The operator's words for a status or size error, from OpenSSL's error
 * data ("code=500, reason=Internal Server Error", "length=N, max=M"):
 * "HTTP 500 Internal Server Error", "too big: Content-Length N over
 * crl_max_size (M)".  Anything else keeps OpenSSL's text.
 */
static int pki_http_why_data(const struct pki_http_req *req, struct pki_http_result *res,
			     const struct pki_http_err *m, const char *data)
{
	unsigned long long len;
	int code, off = 0;

	if (m->err == -EPROTO && sscanf(data, "code=%d%n", &code, &off) == 1) {
		const char *reason = strstr(data + off, "reason=");

		if (m->reason == HTTP_R_STATUS_CODE_UNSUPPORTED)
			return pki_http_why(res, m->err, "HTTP %d, a status we do not handle", code);
		return pki_http_why(res, m->err, "HTTP %d%s%.80s", code, reason != NULL ? " " : "",
				    reason != NULL ? reason + 7 : "");
	}
	if (m->err == -EFBIG && sscanf(data, "length=%llu", &len) == 1)
		return pki_http_why(res, m->err, "too big: Content-Length %llu over crl_max_size (%zu)",
				    len, req->max_size);
	if (m->err == -EFBIG)
		return pki_http_why(res, m->err, "too big: over crl_max_size (%zu)", req->max_size);
	return pki_http_why(res, m->err, "%s%s%s%s", m->text, data[0] ? " (" : "", data,
			    data[0] ? ")" : "");
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
		return pki_http_why(res, best->err, "timeout after %u s%s", req->timeout_s,
				    best->lib == ERR_LIB_BIO && best->reason == BIO_R_TRANSFER_TIMEOUT ?
				    " waiting for the answer" : "");
	if (best->err == -EPROTO || best->err == -EFBIG)
		return pki_http_why_data(req, res, best, data);
	if (data[0] == '\0')
		return pki_http_why(res, best->err, "%s", best->text);
	return pki_http_why(res, best->err, "%s (%s)", best->text, data);
}

/* Milliseconds from now to deadline (wall-clock seconds, as OpenSSL's), >= 0. */
static int pki_http_ms_left(time_t deadline)
{
	struct timespec ts;
	long long left;

	clock_gettime(CLOCK_REALTIME, &ts);
	left = ((long long)deadline - ts.tv_sec) * 1000 - ts.tv_nsec / 1000000;
	return left <= 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
}

/* Report the socket (or -1 before it is closed) to whoever may cancel. */
static void pki_http_report(const struct pki_http_req *req, int fd)
{
	if (req->sock_fn != NULL)
		req->sock_fn(req->arg, fd);
}

static void pki_http_disconnect(struct pki_http_conn *c)
{
	if (c->rbio != NULL)
		BIO_free_all(c->rbio);		/* the buffer and the socket BIO */
	else
		BIO_free(c->wbio);
	c->rbio = c->wbio = NULL;
	if (c->fd >= 0) {
		pki_http_report(c->req, -1);
		close(c->fd);
		c->fd = -1;
	}
}

/* Wait for a non-blocking connect(2) on fd: 0 or -errno (-ETIMEDOUT past
 * the deadline, -ECANCELED).  Polls in naps so that a cancel is seen even
 * without a shutdown(2) of the socket. */
static int pki_http_connect_wait(const struct pki_http_req *req, int fd, time_t deadline)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	struct sockaddr_storage peer;
	socklen_t len = sizeof(int);
	int err = 0, ms, n;

	for (;;) {
		if (pki_http_cancelled(req))
			return -ECANCELED;
		ms = pki_http_ms_left(deadline);
		if (ms == 0)
			return -ETIMEDOUT;
		n = poll(&p, 1, ms < PKI_HTTP_NAP_MS ? ms : PKI_HTTP_NAP_MS);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0)
			break;
	}
	if (pki_http_cancelled(req))
		return -ECANCELED;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		return -errno;
	if (err != 0)
		return -err;
	len = sizeof(peer);
	return getpeername(fd, (struct sockaddr *)&peer, &len) == 0 ? 0 : -errno;
}

/* One address: a socket in c->fd, reported before connect(2) so that a
 * canceller can shut it down.  0 or -errno (c->fd closed again). */
static int pki_http_connect_one(struct pki_http_conn *c, const struct addrinfo *ai,
				time_t deadline)
{
	int ret = 0;

	c->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       ai->ai_protocol);
	if (c->fd < 0)
		return -errno;
	pki_http_report(c->req, c->fd);
	if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) != 0)
		ret = errno == EINPROGRESS ? pki_http_connect_wait(c->req, c->fd, deadline) : -errno;
	if (ret != 0)
		pki_http_disconnect(c);
	return ret;
}

/*
 * Connect to host:port, trying each address until one answers, within the
 * deadline.  0 with c->fd, or -errno with res->why: -ECONNREFUSED (refused
 * or unreachable, at once), -ETIMEDOUT, -EHOSTUNREACH (name does not
 * resolve), -ECANCELED.
 */
static int pki_http_connect(struct pki_http_conn *c, const char *host, const char *port,
			    time_t deadline, struct pki_http_result *res)
{
	const struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *ais = NULL, *ai;
	int ret = -ECONNREFUSED, gai;

	gai = getaddrinfo(host, port, &hints, &ais);
	if (gai != 0)
		return pki_http_why(res, -EHOSTUNREACH, "cannot resolve '%.100s': %s", host,
				    gai == EAI_SYSTEM ? strerror(errno) : gai_strerror(gai));
	for (ai = ais; ai != NULL; ai = ai->ai_next) {
		ret = pki_http_connect_one(c, ai, deadline);
		if (ret == 0 || ret == -ETIMEDOUT || ret == -ECANCELED)
			break;
	}
	freeaddrinfo(ais);
	if (ret == 0)
		return 0;
	if (ret == -ECANCELED)
		return pki_http_why(res, ret, "cancelled");
	if (ret == -ETIMEDOUT)
		return pki_http_why(res, ret, "timeout after %u s connecting to %.100s:%s",
				    c->req->timeout_s, host, port);
	if (ret == -ECONNREFUSED)
		return pki_http_why(res, ret, "connection refused by %.100s:%s", host, port);
	return pki_http_why(res, -ECONNREFUSED, "cannot connect to %.100s:%s: %s", host, port,
			    strerror(-ret));
}

/* The BIOs over the connected socket: wbio, and a buffer over it as rbio. */
static int pki_http_bios(struct pki_http_conn *c, struct pki_http_result *res)
{
	BIO *buf;

	c->wbio = BIO_new_socket(c->fd, BIO_NOCLOSE);
	buf = BIO_new(BIO_f_buffer());
	if (c->wbio == NULL || buf == NULL) {
		BIO_free(buf);
		ERR_clear_error();
		return pki_http_why(res, -ENOMEM, "out of memory for the connection");
	}
	c->rbio = BIO_push(buf, c->wbio);
	return 0;
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
	/* Grown as bytes arrive: a Content-Length alone does not get memory. */
	size_t cap = limit < PKI_HTTP_CHUNK ? limit : PKI_HTTP_CHUNK;
	uint8_t *buf = malloc(cap);
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
				ret = pki_http_why(res, -EFBIG, "too big: more than crl_max_size (%zu) "
						   "bytes sent", max);
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
 * The request for path (an absolute URI through a proxy) to server:port
 * (for the Host header) over the connected c, and its answer: 0 with the
 * body in res, PKI_HTTP_HOP_REDIRECT with the Location in *loc
 * (OPENSSL_free), or -errno with res->why.
 */
static int pki_http_exchange(struct pki_http_conn *c, const char *server, const char *port,
			     const char *path, time_t deadline, struct pki_http_result *res,
			     char **loc)
{
	const struct pki_http_req *req = c->req;
	int ms = pki_http_ms_left(deadline), ret;
	OSSL_HTTP_REQ_CTX *rctx;
	BIO *resp = NULL;

	if (ms == 0)
		return pki_http_why(res, -ETIMEDOUT, "timeout after %u s", req->timeout_s);
	ret = pki_http_bios(c, res);
	if (ret != 0)
		return ret;
	/* bio and rbio given: no proxy, no connect, no update callback. */
	rctx = OSSL_HTTP_open(server, port, NULL, NULL, 0, c->wbio, c->rbio, NULL, NULL, 0,
			      (ms + 999) / 1000);
	if (rctx == NULL)
		return pki_http_fail(req, res, "open");
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
	OSSL_HTTP_close(rctx, ret == 0);	/* leaves c's BIOs to us */
	return ret;
}

/*
 * One request to url, straight or through req->proxy.  0 with the body in
 * res, PKI_HTTP_HOP_REDIRECT with the Location in *loc (OPENSSL_free), or
 * -errno with res->why.
 */
static int pki_http_hop(const struct pki_http_req *req, const char *url, time_t deadline,
			struct pki_http_result *res, char **loc)
{
	struct pki_http_conn conn = { .req = req, .fd = -1 };
	bool proxied = req->proxy != NULL && req->proxy[0] != '\0';
	char *host = NULL, *port = NULL, *path = NULL, *phost = NULL, *pport = NULL;
	int ssl = 0, ret;

	if (!OSSL_HTTP_parse_url(url, &ssl, NULL, &host, &port, NULL, &path, NULL, NULL) ||
	    host[0] == '\0') {
		ret = pki_http_why(res, -EINVAL, "bad URL '%.100s'", url);
		goto out;
	}
	if (ssl) {
		ret = pki_http_why(res, -EINVAL, "https is not supported: '%.100s'", url);
		goto out;
	}
	if (proxied && (!OSSL_HTTP_parse_url(req->proxy, &ssl, NULL, &phost, &pport, NULL, NULL,
					     NULL, NULL) || ssl || phost[0] == '\0')) {
		ret = pki_http_why(res, -EINVAL, "bad proxy '%.100s' (http://host:port)", req->proxy);
		goto out;
	}
	ret = pki_http_connect(&conn, proxied ? phost : host, proxied ? pport : port, deadline, res);
	if (ret == 0)
		ret = pki_http_exchange(&conn, host, port, proxied ? url : path, deadline, res, loc);
out:
	ERR_clear_error();
	pki_http_disconnect(&conn);
	OPENSSL_free(host);
	OPENSSL_free(port);
	OPENSSL_free(path);
	OPENSSL_free(phost);
	OPENSSL_free(pport);
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
