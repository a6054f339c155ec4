/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_PKI_HTTP_H
#define GW_PKI_HTTP_H

/*
 * One HTTP GET with OpenSSL 3's own client (OSSL_HTTP_open,
 * OSSL_HTTP_set1_request, OSSL_HTTP_exchange), for the fetcher threads of
 * pki_fetch.c.  It blocks the calling thread, never the CP loop.
 *
 *   - http:// only; redirects (301/302) are followed up to max_redirects,
 *     our bound (OSSL_HTTP_get would follow 50), each to http:// only.
 *   - proxy: NULL or "" means none; the environment's http_proxy is never
 *     read (OpenSSL would, given no connection of ours and a NULL proxy).
 *   - The body is read as a stream (expect_asn1 = 0: DER and PEM both
 *     pass) and limited to max_size bytes, by Content-Length when the
 *     server sends one and while reading otherwise.  A body shorter than
 *     its Content-Length (connection closed early) is a failure.
 *   - timeout_s bounds the whole transfer, connect and redirects
 *     included, but NOT name resolution: getaddrinfo() blocks as long as
 *     the resolver wants.  Use numeric hosts where that matters.  A refused
 *     connection fails at once, not at the timeout.
 *
 * Reentrant: any number of threads may call it at once.  OpenSSL's error
 * queue of the calling thread is cleared.
 */

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	PKI_HTTP_MAX_REDIRECTS = 3,	/* default bound */
	PKI_HTTP_WHY = 192,		/* failure text, one line */
	PKI_HTTP_URL_MAX = 1024,	/* a redirect's Location, too */
};

struct pki_http_req {
	const char *url;		/* http://host[:port]/path[?query] */
	const char *proxy;		/* NULL or "" = none; else http://host:port */
	uint32_t timeout_s;		/* > 0 */
	size_t max_size;		/* > 0: body bytes */
	unsigned max_redirects;
	/* Optional: called on the calling thread with each socket as soon as
	 * it exists (before connect(2)), and with -1 before that socket is
	 * closed, so that another thread may shutdown(2) it to cancel the
	 * transfer, connecting or not (set *cancel first). */
	void (*sock_fn)(void *arg, int fd);
	void *arg;
	const atomic_bool *cancel;	/* optional: true = give up (-ECANCELED) */
};

struct pki_http_result {
	uint8_t *body;			/* malloc'd on success; the caller frees */
	size_t len;
	unsigned redirects;		/* followed */
	char url[PKI_HTTP_URL_MAX];	/* the URL the body came from */
	char why[PKI_HTTP_WHY];		/* on failure: what went wrong */
};

/*
 * GET req->url into res.  Returns 0 with the body, or -errno with
 * res->why set and no body:
 *   -EINVAL       bad request (not an http:// URL, bad proxy, zero timeout or size)
 *   -ETIMEDOUT    connect or transfer took longer than timeout_s
 *   -ECONNREFUSED no connection (refused, unreachable): at once
 *   -EHOSTUNREACH the host name does not resolve
 *   -EPROTO       HTTP status other than 200 (why: code and reason)
 *   -EFBIG        body larger than max_size ("too big")
 *   -EPIPE        body shorter than its Content-Length ("truncated")
 *   -EBADMSG      not an HTTP response, bad header
 *   -ELOOP        more than max_redirects redirects
 *   -ECANCELED    *cancel became true
 *   -ENOMEM, -EIO other failures (why: OpenSSL's reason)
 * The why texts are for operators ("show crypto pki crls"): "HTTP 500
 * Internal Server Error", "timeout after 5 s reading the body (41 bytes so
 * far)", "too big: Content-Length N over crl_max_size (M)", "connection
 * refused by HOST:PORT", "connection closed before a complete response".
 */
int pki_http_get(const struct pki_http_req *req, struct pki_http_result *res);

#endif /* GW_PKI_HTTP_H */
