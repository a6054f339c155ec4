/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CRL downloads: the HTTP client (pki_http.c) against a tiny HTTP server
 * in this test, the fetcher threads and their hand-over to the CP loop
 * (pki_fetch.c), the schedule (pki_sched.c: prefetch, refresh, coalescing,
 * operator requests, retry backoff) and the /ipsecgw/pki/... telemetry
 * commands and ipsecgw-cli words (pki_tm.c, cli_pki.c).
 *
 * The server is plain sockets on 127.0.0.1 only, one thread per connection,
 * with responses programmed per path: 200 with a body (DER, PEM, garbage),
 * 404, 500, redirects, a body over the limit, a truncated body, headers
 * trickled one byte at a time, and a server that never answers.
 *
 * The PKI is built in set-up (test_pki_gen) and brought up with pki_init;
 * the test's main thread plays the CP loop: it services the fetchers' and
 * the telemetry eventfds and calls the scheduler's tick with a clock it
 * pins (pki_crl_set_now).  Every download test starts from a fresh PKI
 * (pki_fini, empty caches, pki_init).
 */

#define _GNU_SOURCE		/* accept4 in test_http_srv.h */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <openssl/x509v3.h>

#include "controlplane/cp_tm.h"
#include "controlplane/pki/pki.h"
#include "controlplane/pki/pki_http.h"
#include "controlplane/pki/pki_internal.h"
#include "controlplane/tm_socket.h"
#include "test/unit/test_eal.h"
#include "test/unit/test_http_srv.h"
#include "test/unit/test_pki_gen.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

extern char **environ;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------ HTTP client */

enum { H_MAX = 256 * 1024 };

static uint8_t *pattern(size_t len, unsigned seed)
{
	uint8_t *b = malloc(len);

	CU_ASSERT_FATAL(b != NULL);
	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)(i * 131 + seed + (i >> 8));
	return b;
}

static int http_get(const char *path, uint32_t timeout, size_t max, struct pki_http_result *res)
{
	char url[256];
	struct pki_http_req req = {
		.url = srv_url(url, sizeof(url), path), .timeout_s = timeout, .max_size = max,
		.max_redirects = PKI_HTTP_MAX_REDIRECTS,
	};

	return pki_http_get(&req, res);
}

static bool has(const char *s, const char *sub)
{
	if (strstr(s, sub) != NULL)
		return true;
	fprintf(stderr, "\n    expected '%s' in '%s'\n", sub, s);
	return false;
}

static void test_http_ok(void)
{
	struct pki_http_result res;
	uint8_t *big = pattern(1 << 20, 1);
	const char pem[] = "-----BEGIN X509 CRL-----\nMIIB\n-----END X509 CRL-----\n";

	srv_route("/h/ok", SRV_OK, 200, NULL, big, 3000, 0);
	CU_ASSERT_EQUAL(http_get("/h/ok", 5, H_MAX, &res), 0);
	CU_ASSERT_EQUAL(res.len, 3000);
	CU_ASSERT(res.body != NULL && memcmp(res.body, big, 3000) == 0);
	CU_ASSERT_EQUAL(res.redirects, 0);
	free(res.body);
	/* 1 MiB with Content-Length, more than one read. */
	srv_route("/h/big", SRV_OK, 200, NULL, big, 1 << 20, 0);
	CU_ASSERT_EQUAL(http_get("/h/big", 5, 1 << 20, &res), 0);
	CU_ASSERT(res.len == 1 << 20 && memcmp(res.body, big, 1 << 20) == 0);
	free(res.body);
	/* No Content-Length: to EOF, across buffer growth. */
	srv_route("/h/nolen", SRV_NO_LENGTH, 200, NULL, big, 200000, 0);
	CU_ASSERT_EQUAL(http_get("/h/nolen", 5, H_MAX, &res), 0);
	CU_ASSERT(res.len == 200000 && memcmp(res.body, big, 200000) == 0);
	free(res.body);
	/* PEM is text, not ASN.1: it must pass (expect_asn1 = 0). */
	srv_route("/h/pem", SRV_OK, 200, NULL, pem, strlen(pem), 0);
	CU_ASSERT_EQUAL(http_get("/h/pem", 5, H_MAX, &res), 0);
	CU_ASSERT(res.len == strlen(pem) && memcmp(res.body, pem, res.len) == 0);
	free(res.body);
	/* An empty body is a body (the CRL service rejects it). */
	srv_route("/h/empty", SRV_OK, 200, NULL, "", 0, 0);
	CU_ASSERT_EQUAL(http_get("/h/empty", 5, H_MAX, &res), 0);
	CU_ASSERT_EQUAL(res.len, 0);
	free(res.body);
	free(big);
}

static void test_http_status(void)
{
	struct pki_http_result res;

	srv_route("/h/404", SRV_STATUS, 404, NULL, NULL, 0, 0);
	srv_route("/h/500", SRV_STATUS, 500, NULL, NULL, 0, 0);
	srv_route("/h/303", SRV_STATUS, 303, NULL, NULL, 0, 0);
	CU_ASSERT_EQUAL(http_get("/h/404", 5, H_MAX, &res), -EPROTO);
	CU_ASSERT(has(res.why, "HTTP 404"));
	CU_ASSERT_PTR_NULL(res.body);
	CU_ASSERT_EQUAL(http_get("/h/500", 5, H_MAX, &res), -EPROTO);
	CU_ASSERT(has(res.why, "HTTP 500"));
	CU_ASSERT_EQUAL(http_get("/h/303", 5, H_MAX, &res), -EPROTO);
	CU_ASSERT(has(res.why, "303"));
	CU_ASSERT_EQUAL(http_get("/h/no-such-path", 5, H_MAX, &res), -EPROTO);
	CU_ASSERT(has(res.why, "404"));
}

static void test_http_redirects(void)
{
	struct pki_http_result res;
	char abs[256];
	uint8_t *b = pattern(500, 2);

	srv_route("/h/target", SRV_OK, 200, NULL, b, 500, 0);
	srv_route("/h/r1", SRV_REDIRECT, 302, "/h/target", NULL, 0, 0);
	srv_route("/h/r2", SRV_REDIRECT, 302, "/h/r1", NULL, 0, 0);
	srv_route("/h/r3", SRV_REDIRECT, 302, srv_url(abs, sizeof(abs), "/h/r2"), NULL, 0, 0);
	srv_route("/h/r4", SRV_REDIRECT, 302, "/h/r3", NULL, 0, 0);
	srv_route("/h/loop", SRV_REDIRECT, 302, "/h/loop", NULL, 0, 0);
	srv_route("/h/tls", SRV_REDIRECT, 302, "https://127.0.0.1/x.crl", NULL, 0, 0);
	srv_route("/h/ftp", SRV_REDIRECT, 302, "ftp://127.0.0.1/x.crl", NULL, 0, 0);
	/* Up to our bound of 3, relative and absolute Locations. */
	CU_ASSERT_EQUAL(http_get("/h/r3", 5, H_MAX, &res), 0);
	CU_ASSERT_EQUAL(res.redirects, 3);
	CU_ASSERT(res.len == 500 && memcmp(res.body, b, 500) == 0);
	CU_ASSERT(has(res.url, "/h/target"));
	free(res.body);
	/* One more is refused, without a fourth request. */
	atomic_store(&srv.requests, 0);
	CU_ASSERT_EQUAL(http_get("/h/r4", 5, H_MAX, &res), -ELOOP);
	CU_ASSERT(has(res.why, "more than 3 redirects"));
	CU_ASSERT_EQUAL(atomic_load(&srv.requests), 4);
	CU_ASSERT_EQUAL(srv_hits("/h/target"), 1);
	CU_ASSERT_EQUAL(http_get("/h/loop", 5, H_MAX, &res), -ELOOP);
	CU_ASSERT_EQUAL(http_get("/h/tls", 5, H_MAX, &res), -EINVAL);
	CU_ASSERT(has(res.why, "https"));
	CU_ASSERT_EQUAL(http_get("/h/ftp", 5, H_MAX, &res), -EINVAL);
	free(b);
}

static void test_http_limits(void)
{
	struct pki_http_result res;
	uint8_t *b = pattern(H_MAX + 1, 3);

	/* Content-Length over the limit: refused before the body. */
	srv_route("/h/toobig", SRV_OK, 200, NULL, b, H_MAX + 1, 0);
	CU_ASSERT_EQUAL(http_get("/h/toobig", 5, H_MAX, &res), -EFBIG);
	CU_ASSERT(has(res.why, "too big"));
	CU_ASSERT_PTR_NULL(res.body);
	/* No Content-Length: stopped while reading. */
	srv_route("/h/toobig-nolen", SRV_NO_LENGTH, 200, NULL, b, H_MAX + 1, 0);
	CU_ASSERT_EQUAL(http_get("/h/toobig-nolen", 5, H_MAX, &res), -EFBIG);
	CU_ASSERT(has(res.why, "too big"));
	/* Exactly the limit passes, both ways. */
	CU_ASSERT_EQUAL(http_get("/h/toobig", 5, H_MAX + 1, &res), 0);
	CU_ASSERT_EQUAL(res.len, H_MAX + 1);
	free(res.body);
	CU_ASSERT_EQUAL(http_get("/h/toobig-nolen", 5, H_MAX + 1, &res), 0);
	CU_ASSERT_EQUAL(res.len, H_MAX + 1);
	free(res.body);
	/* A body that ends before its Content-Length. */
	srv_route("/h/trunc", SRV_TRUNCATE, 200, NULL, b, 1000, 0);
	CU_ASSERT_EQUAL(http_get("/h/trunc", 5, H_MAX, &res), -EPIPE);
	CU_ASSERT(has(res.why, "truncated: 1000 of 2000 bytes"));
	CU_ASSERT_PTR_NULL(res.body);
	free(b);
}

static void test_http_timeout(void)
{
	struct pki_http_result res;
	uint64_t t0;
	int ret;

	srv_route("/h/hang", SRV_HANG, 0, NULL, NULL, 0, 0);
	t0 = now_ms();
	ret = http_get("/h/hang", 2, H_MAX, &res);
	CU_ASSERT_EQUAL(ret, -ETIMEDOUT);
	CU_ASSERT(has(res.why, "timeout"));
	/* OpenSSL counts whole seconds: 2 s is between 1 and 3. */
	CU_ASSERT(now_ms() - t0 >= 1000 && now_ms() - t0 < 3500);
	/* A slow server within the timeout is fine. */
	srv_route("/h/slow", SRV_OK, 200, NULL, "x", 1, 1200);
	CU_ASSERT_EQUAL(http_get("/h/slow", 5, H_MAX, &res), 0);
	free(res.body);
}

static void test_http_bad_responses(void)
{
	static const char junk[] = "\x16\x03\x01garbage, not HTTP\r\n\r\n";
	struct pki_http_result res;
	uint8_t *b = pattern(5000, 4);

	srv_route("/h/garbage", SRV_GARBAGE, 0, NULL, junk, sizeof(junk) - 1, 0);
	CU_ASSERT_EQUAL(http_get("/h/garbage", 5, H_MAX, &res), -EBADMSG);
	CU_ASSERT(has(res.why, "not an HTTP response"));
	srv_route("/h/close", SRV_GARBAGE, 0, NULL, "", 0, 0);
	CU_ASSERT_EQUAL(http_get("/h/close", 5, H_MAX, &res), -EBADMSG);
	CU_ASSERT(has(res.why, "closed"));
	/* Headers and body one byte at a time: nothing lost between reads. */
	srv_route("/h/trickle", SRV_TRICKLE, 200, NULL, b, 300, 0);
	CU_ASSERT_EQUAL(http_get("/h/trickle", 10, H_MAX, &res), 0);
	CU_ASSERT(res.len == 300 && memcmp(res.body, b, 300) == 0);
	free(res.body);
	free(b);
}

static void test_http_bad_requests(void)
{
	struct pki_http_result res;
	struct pki_http_req req = { .timeout_s = 2, .max_size = 100, .max_redirects = 3 };
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	char url[128], proxy[64];
	uint64_t t0;
	int fd, ret;

	req.url = "https://127.0.0.1/x.crl";
	CU_ASSERT_EQUAL(pki_http_get(&req, &res), -EINVAL);
	req.url = "ftp://127.0.0.1/x.crl";
	CU_ASSERT_EQUAL(pki_http_get(&req, &res), -EINVAL);
	req.url = "http://";
	CU_ASSERT_EQUAL(pki_http_get(&req, &res), -EINVAL);
	req.url = NULL;
	CU_ASSERT_EQUAL(pki_http_get(&req, &res), -EINVAL);
	req.url = srv_url(url, sizeof(url), "/h/ok");
	req.timeout_s = 0;
	CU_ASSERT_EQUAL(pki_http_get(&req, &res), -EINVAL);
	req.timeout_s = 2;
	req.max_size = 0;
	CU_ASSERT_EQUAL(pki_http_get(&req, &res), -EINVAL);
	/* Nobody listening: refused at once, not retried until the timeout. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	CU_ASSERT_FATAL(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
			getsockname(fd, (struct sockaddr *)&a, &alen) == 0);
	close(fd);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/x.crl", ntohs(a.sin_port));
	req.max_size = 100;
	req.timeout_s = 10;
	t0 = now_ms();
	ret = pki_http_get(&req, &res);
	CU_ASSERT_EQUAL(ret, -ECONNREFUSED);
	CU_ASSERT(now_ms() - t0 < 500);
	CU_ASSERT(has(res.why, "connection refused by 127.0.0.1:"));
	CU_ASSERT_PTR_NULL(res.body);
	/* The same through a proxy that is not there. */
	req.url = srv_url(url, sizeof(url), "/h/ok");
	snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%u", ntohs(a.sin_port));
	req.proxy = proxy;
	t0 = now_ms();
	CU_ASSERT_EQUAL(pki_http_get(&req, &res), -ECONNREFUSED);
	CU_ASSERT(now_ms() - t0 < 500);
	req.proxy = "https://127.0.0.1:3128";
	CU_ASSERT_EQUAL(pki_http_get(&req, &res), -EINVAL);
	CU_ASSERT(has(res.why, "bad proxy"));
}

/* A NULL proxy would make OpenSSL read http_proxy: we never pass one. */
static void test_http_no_env_proxy(void)
{
	struct pki_http_result res;

	setenv("http_proxy", "http://127.0.0.1:1", 1);
	setenv("HTTP_PROXY", "http://127.0.0.1:1", 1);
	CU_ASSERT_EQUAL(http_get("/h/ok", 5, H_MAX, &res), 0);
	free(res.body);
	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");
}

/* A configured proxy gets the absolute URI; the origin is never contacted. */
static void test_http_proxy(void)
{
	struct pki_http_result res;
	char proxy[128];
	struct pki_http_req req = {
		.url = "http://127.0.0.1:1/via-proxy.crl", .timeout_s = 5, .max_size = 100,
		.proxy = srv_url(proxy, sizeof(proxy), ""),
	};

	srv_route("http://127.0.0.1:1/via-proxy.crl", SRV_OK, 200, NULL, "proxied", 7, 0);
	CU_ASSERT_EQUAL(pki_http_get(&req, &res), 0);
	CU_ASSERT(res.len == 7 && memcmp(res.body, "proxied", 7) == 0);
	free(res.body);
}

/* Cancellation as pki_fetch_fini does it: flag, then shutdown(2). */
struct cancel_ctx {
	atomic_int fd;
	atomic_bool cancel;
};

static void cancel_sock(void *arg, int fd)
{
	struct cancel_ctx *c = arg;

	atomic_store(&c->fd, fd);
}

static void *cancel_thread(void *arg)
{
	struct cancel_ctx *c = arg;

	while (atomic_load(&c->fd) < 0)
		usleep(1000);
	usleep(200 * 1000);
	atomic_store(&c->cancel, true);
	shutdown(atomic_load(&c->fd), SHUT_RDWR);
	return NULL;
}

static void test_http_cancel(void)
{
	struct cancel_ctx c = { .fd = -1 };
	struct pki_http_result res;
	char url[128];
	struct pki_http_req req = {
		.url = srv_url(url, sizeof(url), "/h/hang"), .timeout_s = 20, .max_size = 100,
		.sock_fn = cancel_sock, .arg = &c, .cancel = &c.cancel,
	};
	pthread_t th;
	uint64_t t0 = now_ms();

	CU_ASSERT_FATAL(pthread_create(&th, NULL, cancel_thread, &c) == 0);
	CU_ASSERT_EQUAL(pki_http_get(&req, &res), -ECANCELED);
	pthread_join(th, NULL);
	CU_ASSERT(now_ms() - t0 < 2000);
	CU_ASSERT_EQUAL(atomic_load(&c.fd), -1);	/* reported closed */
}

/*
 * A server whose accept queue is full: its kernel drops our SYN, so the
 * connect never completes.  The timeout covers the connect; a cancel cuts
 * it short.  Returns the listening socket (the caller closes it and *held)
 * and its URL.
 */
static int full_backlog(char *url, size_t len, int *held)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	CU_ASSERT_FATAL(lfd >= 0 && bind(lfd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
			listen(lfd, 0) == 0 && getsockname(lfd, (struct sockaddr *)&a, &alen) == 0);
	*held = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CU_ASSERT_FATAL(*held >= 0 && connect(*held, (struct sockaddr *)&a, sizeof(a)) == 0);
	snprintf(url, len, "http://127.0.0.1:%u/x.crl", ntohs(a.sin_port));
	return lfd;
}

static void test_http_connect_hangs(void)
{
	struct cancel_ctx c = { .fd = -1 };
	struct pki_http_result res;
	char url[128];
	struct pki_http_req req = { .url = url, .timeout_s = 2, .max_size = 100 };
	int held, lfd = full_backlog(url, sizeof(url), &held);
	pthread_t th;
	uint64_t t0 = now_ms();

	CU_ASSERT_EQUAL(pki_http_get(&req, &res), -ETIMEDOUT);
	CU_ASSERT(has(res.why, "connecting to 127.0.0.1:"));
	/* Whole seconds, as OpenSSL counts them: 2 s is more than 1, at most 2. */
	CU_ASSERT(now_ms() - t0 >= 900 && now_ms() - t0 < 2600);
	/* pki_fetch_fini's way: the flag, then shutdown(2) of the socket. */
	req.timeout_s = 20;
	req.sock_fn = cancel_sock;
	req.arg = &c;
	req.cancel = &c.cancel;
	t0 = now_ms();
	CU_ASSERT_FATAL(pthread_create(&th, NULL, cancel_thread, &c) == 0);
	CU_ASSERT_EQUAL(pki_http_get(&req, &res), -ECANCELED);
	pthread_join(th, NULL);
	CU_ASSERT(now_ms() - t0 < 2000);
	CU_ASSERT_EQUAL(atomic_load(&c.fd), -1);	/* reported closed */
	close(held);
	close(lfd);
}

/* ------------------------------------------------------------ the PKI */

enum { TP_A, TP_B, TP_P, TP_N, N_TP };
enum { TP_MAX_SIZE = 64 * 1024, SERIAL_REVOKED = 100 };

static struct tpg_pki pki_a, pki_b, pki_p;
static struct cfg_pki cfg;			/* pki_tp keeps pointers into it */
static char *tmpdir;
static int tm_efd = -1;

static const struct tpg_revoked rev_a[] = { { SERIAL_REVOKED, CRL_REASON_KEY_COMPROMISE } };

/* A CRL of p's intermediate (or root), valid from a minute ago for an hour. */
static uint8_t *crl_bytes(struct tpg_pki *p, bool inter, uint64_t number, bool pem, size_t *len)
{
	struct tpg_crl_spec s = {
		.issuer = inter ? p->inter : p->root, .issuer_key = inter ? p->inter_key : p->root_key,
		.number = number, .this_update = -60, .next_update = 3600,
		.revoked = rev_a, .n_revoked = 1,
	};
	uint8_t *b = NULL;

	CU_ASSERT_FATAL(tpg_crl_bytes(&s, pem, &b, len) == 0);
	return b;
}

/* Route path to a CRL; returns nothing, the server keeps a copy. */
static void serve_crl(const char *path, struct tpg_pki *p, bool inter, uint64_t number, bool pem,
		      unsigned delay_ms)
{
	size_t len;
	uint8_t *b = crl_bytes(p, inter, number, pem, &len);

	srv_route(path, SRV_OK, 200, NULL, b, len, delay_ms);
	free(b);
}

static bool settled(void *arg)
{
	(void)arg;
	for (unsigned tp = 0; tp < pki_tp_count(); tp++)
		if (pki_sched_in_flight(tp))
			return false;
	return pki_fetch_pending() == 0;
}

/* Play the CP loop for up to ms: service the fetch results (and telemetry
 * once it runs) until done(arg).  Whether done came true. */
static bool cp_until(bool (*done)(void *), void *arg, int ms)
{
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 0 };
	uint64_t end = now_ms() + (uint64_t)ms;
	bool ok;

	CU_ASSERT_FATAL(ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, pki_fetch_fd(), &ev) == 0);
	ev.data.u32 = 1;
	CU_ASSERT_FATAL(tm_efd < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, tm_efd, &ev) == 0);
	while (!(ok = done(arg)) && now_ms() < end) {
		struct epoll_event e[2];
		int n = epoll_wait(ep, e, 2, 20);

		for (int i = 0; i < n; i++) {
			if (e[i].data.u32 == 0)
				pki_fetch_service();
			else
				cp_tm_service();
		}
	}
	close(ep);
	return ok;
}

/* A fresh PKI: down, caches and learnt URLs gone, real clock, up. */
static void fresh(void)
{
	pki_fini();
	pki_crl_set_now(0);
	for (unsigned i = 0; i < N_TP; i++)
		CU_ASSERT_EQUAL(tpg_rmdir(cfg.trustpoints[i].crl_cache_dir), 0);
	CU_ASSERT_FATAL(pki_init(&cfg) == 0);
	CU_ASSERT_FATAL(pki_tp_count() == N_TP);
}

static uint64_t total(enum pki_crl_verdict v)
{
	uint64_t t[PKI_CRL_VERDICT_MAX];

	pki_crl_counts(t);
	return t[v];
}

/* The CRL entry of trustpoint tp's issuer named like CN, or -ENOENT. */
static int crl_find(const char *trustpoint, const char *cn, struct pki_crl_info *ci)
{
	for (unsigned id = 1; id <= pki_crl_count(); id++)
		if (pki_crl_get(id, ci) == 0 && strcmp(ci->trustpoint, trustpoint) == 0 &&
		    strstr(ci->issuer, cn) != NULL)
			return 0;
	return -ENOENT;
}

static enum pki_rev_status status_of(X509 *issuer, uint64_t serial)
{
	struct pki_issuer_id id;
	struct pki_serial s = { .len = 1, .b = { (uint8_t)serial } };
	uint8_t reason;

	CU_ASSERT_FATAL(serial < 256 && pki_id_of_ca_subject(issuer, &id) == 0);
	return pki_crl_status(&id, &s, &reason);
}

/* Run tp's download now (operator request) and wait for its result. */
static void request_and_wait(const char *trustpoint)
{
	CU_ASSERT_EQUAL(pki_crl_request(trustpoint), 0);
	CU_ASSERT(cp_until(settled, NULL, 10000));
}

static void test_fetch_good(void)
{
	struct tpg_crl_spec spec = {
		.issuer = pki_a.inter, .issuer_key = pki_a.inter_key, .number = 1,
		.this_update = -60, .next_update = 3600, .revoked = rev_a, .n_revoked = 1,
	};
	X509_CRL *crl = tpg_crl(&spec);
	struct pki_crl_info ci;
	uint64_t fresh_new;
	uint8_t *der = NULL, *pem = NULL;
	size_t len = 0;

	fresh();
	fresh_new = total(PKI_CRL_NEW);
	CU_ASSERT_FATAL(crl != NULL && tpg_crl_encode(crl, false, &der, &len) == 0);
	srv_route("/a.crl", SRV_OK, 200, NULL, der, len, 0);
	free(der);
	CU_ASSERT_EQUAL(status_of(pki_a.inter, SERIAL_REVOKED), PKI_REV_NO_CRL);
	CU_ASSERT_EQUAL(pki_sched_want(TP_A, false), 0);
	CU_ASSERT(pki_sched_in_flight(TP_A));
	CU_ASSERT(cp_until(settled, NULL, 10000));
	CU_ASSERT_EQUAL(total(PKI_CRL_NEW), fresh_new + 1);
	CU_ASSERT_EQUAL_FATAL(crl_find("FETCH-A", "A Inter CA", &ci), 0);
	CU_ASSERT_STRING_EQUAL(ci.crl_number, "01");
	CU_ASSERT(has(ci.source, "/a.crl"));
	CU_ASSERT_EQUAL(ci.entries, 1);
	CU_ASSERT_EQUAL(ci.downloads, 1);
	CU_ASSERT_EQUAL(status_of(pki_a.inter, SERIAL_REVOKED), PKI_REV_REVOKED);
	/* The same CRL in PEM, asked for by the operator: unchanged. */
	CU_ASSERT_FATAL(tpg_crl_encode(crl, true, &pem, &len) == 0);
	srv_route("/a.crl", SRV_OK, 200, NULL, pem, len, 0);
	free(pem);
	request_and_wait("FETCH-A");
	CU_ASSERT_EQUAL(total(PKI_CRL_UNCHANGED), 1);
	CU_ASSERT_EQUAL(crl_find("FETCH-A", "A Inter CA", &ci), 0);
	CU_ASSERT_EQUAL(ci.unchanged, 1);
	CU_ASSERT_EQUAL(ci.downloads, 2);
	/* Number 2, DER: new. */
	serve_crl("/a.crl", &pki_a, true, 2, false, 0);
	request_and_wait("FETCH-A");
	CU_ASSERT_EQUAL(crl_find("FETCH-A", "A Inter CA", &ci), 0);
	CU_ASSERT_STRING_EQUAL(ci.crl_number, "02");
	CU_ASSERT_EQUAL(total(PKI_CRL_NEW), fresh_new + 2);
	X509_CRL_free(crl);
}

/* Each bad download fails with its reason; the CRL held stays in force. */
static void test_fetch_failures(void)
{
	static const char junk[] = "\x16\x03\x01 no HTTP here\r\n\r\n";
	static const char not_crl[] = "this is not a CRL";
	uint8_t *big = pattern(TP_MAX_SIZE + 1, 5), *crl;
	size_t crl_len;
	const struct {
		enum srv_kind kind;
		int status;
		const void *body;
		size_t len;
		enum pki_crl_verdict verdict;
		const char *why;
	} cases[] = {
		{ SRV_STATUS, 404, NULL, 0, PKI_CRL_DOWNLOAD, "404" },
		{ SRV_STATUS, 500, NULL, 0, PKI_CRL_DOWNLOAD, "500" },
		{ SRV_TRUNCATE, 200, big, 1000, PKI_CRL_DOWNLOAD, "truncated" },
		{ SRV_GARBAGE, 0, junk, sizeof(junk) - 1, PKI_CRL_DOWNLOAD, "not an HTTP response" },
		{ SRV_OK, 200, big, TP_MAX_SIZE + 1, PKI_CRL_DOWNLOAD, "too big" },
		{ SRV_NO_LENGTH, 200, big, TP_MAX_SIZE + 1, PKI_CRL_DOWNLOAD, "too big" },
		{ SRV_HANG, 0, NULL, 0, PKI_CRL_DOWNLOAD, "timeout" },
		{ SRV_OK, 200, not_crl, sizeof(not_crl) - 1, PKI_CRL_PARSE, "not a CRL" },
	};
	struct pki_crl_info ci;

	fresh();
	crl = crl_bytes(&pki_a, true, 7, false, &crl_len);
	srv_route("/a.crl", SRV_OK, 200, NULL, crl, crl_len, 0);
	request_and_wait("FETCH-A");
	CU_ASSERT_EQUAL_FATAL(crl_find("FETCH-A", "A Inter CA", &ci), 0);
	CU_ASSERT_STRING_EQUAL(ci.crl_number, "07");
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		uint64_t before = total(cases[i].verdict);

		srv_route("/a.crl", cases[i].kind, cases[i].status, NULL, cases[i].body, cases[i].len, 0);
		request_and_wait("FETCH-A");
		CU_ASSERT_EQUAL(total(cases[i].verdict), before + 1);
		CU_ASSERT_EQUAL(crl_find("FETCH-A", "A Inter CA", &ci), 0);
		CU_ASSERT(has(ci.last_result, cases[i].why));
		CU_ASSERT_STRING_EQUAL(ci.crl_number, "07");
		CU_ASSERT_EQUAL(ci.entries, 1);
		CU_ASSERT_EQUAL(status_of(pki_a.inter, SERIAL_REVOKED), PKI_REV_REVOKED);
	}
	CU_ASSERT_EQUAL(ci.failed, 7);
	/* A redirect chain longer than our bound fails too. */
	srv_route("/a.crl", SRV_REDIRECT, 302, "/a1", NULL, 0, 0);
	srv_route("/a1", SRV_REDIRECT, 302, "/a2", NULL, 0, 0);
	srv_route("/a2", SRV_REDIRECT, 302, "/a3", NULL, 0, 0);
	srv_route("/a3", SRV_REDIRECT, 302, "/a4", NULL, 0, 0);
	srv_route("/a4", SRV_OK, 200, NULL, crl, crl_len, 0);
	request_and_wait("FETCH-A");
	CU_ASSERT_EQUAL(crl_find("FETCH-A", "A Inter CA", &ci), 0);
	CU_ASSERT(has(ci.last_result, "redirects"));
	CU_ASSERT_EQUAL(srv_hits("/a4"), 0);
	/* Within the bound it is the same CRL again. */
	srv_route("/a.crl", SRV_REDIRECT, 302, "/a2", NULL, 0, 0);
	request_and_wait("FETCH-A");
	CU_ASSERT_EQUAL(crl_find("FETCH-A", "A Inter CA", &ci), 0);
	CU_ASSERT(has(ci.last_result, "unchanged"));
	CU_ASSERT_EQUAL(srv_hits("/a4"), 1);
	free(crl);
	free(big);
}

static bool done_a(void *arg)
{
	struct pki_crl_info ci;

	(void)arg;
	return crl_find("FETCH-A", "A Inter CA", &ci) == 0 && !pki_sched_in_flight(TP_A);
}

/* The CP loop never waits: not for a hanging server, not for a slow
 * trustpoint while another downloads. */
static void test_fetch_never_blocks(void)
{
	uint64_t t0, failed;

	fresh();
	failed = total(PKI_CRL_DOWNLOAD);
	srv_route("/b.crl", SRV_HANG, 0, NULL, NULL, 0, 0);
	serve_crl("/a.crl", &pki_a, true, 1, false, 0);
	t0 = now_ms();
	CU_ASSERT_EQUAL(pki_sched_want(TP_B, false), 0);
	CU_ASSERT_EQUAL(pki_fetch_start(TP_B, "http://127.0.0.1:1/other", 2, 1000), 0);
	CU_ASSERT_EQUAL(pki_sched_want(TP_A, false), 0);
	CU_ASSERT(now_ms() - t0 < 100);
	/* A's CRL arrives while B's server still hangs. */
	CU_ASSERT(cp_until(done_a, NULL, 1500));
	CU_ASSERT(pki_sched_in_flight(TP_B));
	CU_ASSERT(now_ms() - t0 < 1500);
	/* B times out (2 s) and is reported as such. */
	CU_ASSERT(cp_until(settled, NULL, 6000));
	CU_ASSERT_EQUAL(total(PKI_CRL_DOWNLOAD), failed + 2);
	/* Argument checks, duplicates. */
	CU_ASSERT_EQUAL(pki_fetch_start(TP_A, "", 2, 1000), -EINVAL);
	CU_ASSERT_EQUAL(pki_fetch_start(TP_A, "http://127.0.0.1:1/x", 0, 1000), -EINVAL);
	CU_ASSERT_EQUAL(pki_fetch_start(TP_A, "http://127.0.0.1:1/x", 2, 0), -EINVAL);
	CU_ASSERT_EQUAL(pki_fetch_start(CFG_MAX_TRUSTPOINTS, "http://127.0.0.1:1/x", 2, 10), -EINVAL);
	CU_ASSERT_EQUAL(pki_fetch_start(TP_B, "http://127.0.0.1:1/x", 2, 10), 0);
	CU_ASSERT_EQUAL(pki_fetch_start(TP_B, "http://127.0.0.1:1/x", 2, 10), -EALREADY);
	CU_ASSERT(cp_until(settled, NULL, 6000));
}

/* Shutdown with a transfer hanging: cancelled, threads joined, quickly. */
static void test_fetch_fini(void)
{
	char url[128];
	uint64_t t0;

	fresh();
	srv_route("/b.crl", SRV_HANG, 0, NULL, NULL, 0, 0);
	CU_ASSERT_EQUAL(pki_sched_want(TP_B, false), 0);
	t0 = now_ms();
	while (srv_hits("/b.crl") == 0 && now_ms() - t0 < 2000)
		usleep(1000);
	CU_ASSERT_EQUAL(srv_hits("/b.crl"), 1);
	/* A second hanging download of B, and a third queued behind B's
	 * two slots, never run. */
	srv_route("/b2.crl", SRV_HANG, 0, NULL, NULL, 0, 0);
	srv_route("/b3.crl", SRV_OK, 200, NULL, "x", 1, 0);
	CU_ASSERT_EQUAL(pki_fetch_start(TP_B, srv_url(url, sizeof(url), "/b2.crl"), 10, 100), 0);
	CU_ASSERT_EQUAL(pki_fetch_start(TP_B, srv_url(url, sizeof(url), "/b3.crl"), 10, 100), 0);
	CU_ASSERT_EQUAL(pki_fetch_start(TP_B, srv_url(url, sizeof(url), "/b.crl"), 10, 100),
			-EALREADY);
	while (srv_hits("/b2.crl") == 0 && now_ms() - t0 < 2000)
		usleep(1000);
	usleep(100 * 1000);
	CU_ASSERT_EQUAL(pki_fetch_pending(), 3);
	CU_ASSERT_EQUAL(srv_hits("/b3.crl"), 0);
	t0 = now_ms();
	pki_fini();
	CU_ASSERT(now_ms() - t0 < 1000);
	CU_ASSERT_EQUAL(srv_hits("/b3.crl"), 0);
	CU_ASSERT_EQUAL(pki_fetch_fd(), -1);
	CU_ASSERT_EQUAL(pki_fetch_start(TP_B, "http://127.0.0.1:1/x", 2, 10), -ENOTCONN);
	fresh();
}

/* ------------------------------------------------------------ schedule */

static struct pki_sched_info sched_info(unsigned tp)
{
	struct pki_sched_info si;

	CU_ASSERT_FATAL(pki_sched_get(tp, &si) == 0);
	return si;
}

/* N requests inside the interval share one download. */
static void test_sched_coalesce(void)
{
	fresh();
	serve_crl("/a.crl", &pki_a, true, 1, false, 300);
	for (int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(pki_sched_want(TP_A, false), 0);
	CU_ASSERT(pki_sched_in_flight(TP_A));
	CU_ASSERT(cp_until(settled, NULL, 5000));
	CU_ASSERT_EQUAL(srv_hits("/a.crl"), 1);
	CU_ASSERT_EQUAL(sched_info(TP_A).started, 1);
	CU_ASSERT_EQUAL(sched_info(TP_A).coalesced, 4);
	/* After it finished, still inside the interval: its result stands. */
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(pki_sched_want(TP_A, false), 0);
	CU_ASSERT(!pki_sched_in_flight(TP_A));
	CU_ASSERT(cp_until(settled, NULL, 5000));
	CU_ASSERT_EQUAL(srv_hits("/a.crl"), 1);
	CU_ASSERT_EQUAL(sched_info(TP_A).coalesced, 7);
	/* Past the interval (60 s): a new download. */
	pki_crl_set_now(time(NULL) + 61);
	CU_ASSERT_EQUAL(pki_sched_want(TP_A, false), 0);
	CU_ASSERT(pki_sched_in_flight(TP_A));
	CU_ASSERT(cp_until(settled, NULL, 5000));
	CU_ASSERT_EQUAL(srv_hits("/a.crl"), 2);
	CU_ASSERT_EQUAL(sched_info(TP_A).started, 2);
}

/* The operator joins a download in flight but never waits for the interval. */
static void test_sched_forced(void)
{
	struct pki_crl_info ci;

	fresh();
	serve_crl("/a.crl", &pki_a, true, 1, false, 400);
	CU_ASSERT_EQUAL(pki_sched_want(TP_A, false), 0);
	CU_ASSERT_EQUAL(pki_crl_request("FETCH-A"), 0);
	CU_ASSERT(cp_until(settled, NULL, 5000));
	CU_ASSERT_EQUAL(srv_hits("/a.crl"), 1);
	CU_ASSERT_EQUAL(sched_info(TP_A).forced, 1);
	CU_ASSERT_EQUAL(sched_info(TP_A).coalesced, 1);
	/* Inside the interval: a new download for the operator only. */
	serve_crl("/a.crl", &pki_a, true, 2, false, 0);
	request_and_wait("FETCH-A");
	CU_ASSERT_EQUAL(srv_hits("/a.crl"), 1);		/* counts since serve_crl */
	CU_ASSERT_EQUAL(crl_find("FETCH-A", "A Inter CA", &ci), 0);
	CU_ASSERT_STRING_EQUAL(ci.crl_number, "02");	/* never the old CRL */
	CU_ASSERT_EQUAL(pki_sched_want(TP_A, false), 0);
	CU_ASSERT(!pki_sched_in_flight(TP_A));
	CU_ASSERT_EQUAL(sched_info(TP_A).started, 2);
}

/* Tick the schedule at t, then wait for what it started. */
static void tick_at(time_t t)
{
	pki_crl_set_now(t);
	pki_sched_tick(t);
	CU_ASSERT(cp_until(settled, NULL, 5000));
}

/* Prefetch, retry with backoff (5, 10, 20 s) while the held CRLs stay,
 * refresh ahead of nextUpdate, a clock stepped back. */
static void test_sched_prefetch_backoff(void)
{
	struct pki_crl_info ci;
	time_t t0, due;

	fresh();
	t0 = time(NULL);
	serve_crl("/p-root.crl", &pki_p, false, 1, false, 0);
	srv_route("/p-inter.crl", SRV_STATUS, 500, NULL, NULL, 0, 0);
	tick_at(t0);
	CU_ASSERT_EQUAL(srv_hits("/p-root.crl"), 1);
	CU_ASSERT_EQUAL(srv_hits("/p-inter.crl"), 1);
	CU_ASSERT_EQUAL(crl_find("PREFETCH", "P Root CA", &ci), 0);
	CU_ASSERT_EQUAL(sched_info(TP_P).backoff_s, 5);
	CU_ASSERT_EQUAL(sched_info(TP_P).next_due, t0 + 5);
	tick_at(t0 + 4);
	CU_ASSERT_EQUAL(srv_hits("/p-inter.crl"), 1);
	tick_at(t0 + 5);
	CU_ASSERT_EQUAL(srv_hits("/p-inter.crl"), 2);
	CU_ASSERT_EQUAL(sched_info(TP_P).backoff_s, 10);
	tick_at(t0 + 14);
	CU_ASSERT_EQUAL(srv_hits("/p-inter.crl"), 2);
	tick_at(t0 + 15);
	CU_ASSERT_EQUAL(srv_hits("/p-inter.crl"), 3);
	CU_ASSERT_EQUAL(sched_info(TP_P).backoff_s, 20);
	CU_ASSERT_EQUAL(status_of(pki_p.root, SERIAL_REVOKED), PKI_REV_REVOKED);
	/* The server recovers: the next retry succeeds and the backoff ends. */
	serve_crl("/p-inter.crl", &pki_p, true, 1, false, 0);
	tick_at(t0 + 34);
	CU_ASSERT_EQUAL(srv_hits("/p-inter.crl"), 0);
	tick_at(t0 + 35);
	CU_ASSERT_EQUAL(srv_hits("/p-inter.crl"), 1);
	CU_ASSERT_EQUAL(crl_find("PREFETCH", "P Inter CA", &ci), 0);
	CU_ASSERT_EQUAL(sched_info(TP_P).backoff_s, 0);
	CU_ASSERT_EQUAL(sched_info(TP_P).retries, 3);
	CU_ASSERT_EQUAL(sched_info(TP_P).started, 5);
	/* Refresh ahead of nextUpdate (an hour on): at nextUpdate minus a
	 * tenth of what was left, long before the 2-hour refresh interval. */
	due = sched_info(TP_P).next_due;
	CU_ASSERT(due >= t0 + 3600 - 360 - 10 && due <= t0 + 3600 - 360 + 10);
	tick_at(due - 1);
	CU_ASSERT_EQUAL(srv_hits("/p-root.crl"), 1);
	tick_at(due);
	CU_ASSERT_EQUAL(srv_hits("/p-root.crl"), 2);
	CU_ASSERT_EQUAL(crl_find("PREFETCH", "P Root CA", &ci), 0);
	CU_ASSERT(has(ci.last_result, "unchanged"));
	/* A clock stepped back a day: due times are pulled in, not kept. */
	tick_at(t0 - 86400);
	CU_ASSERT_EQUAL(sched_info(TP_P).next_due, t0 - 86400 + 7200);
	CU_ASSERT_EQUAL(srv_hits("/p-root.crl"), 2);
	pki_crl_set_now(0);
}

static void test_sched_urls(void)
{
	struct pki_tp *t;
	struct pki_crl_info ci;
	char url[128];

	fresh();
	CU_ASSERT_EQUAL(pki_sched_want(TP_N, false), -EINVAL);
	CU_ASSERT_EQUAL(pki_crl_request("NOURL"), -EINVAL);
	CU_ASSERT_EQUAL(pki_sched_want(N_TP, false), -ENOENT);
	CU_ASSERT_EQUAL(pki_crl_request("NOPE"), -ENOENT);
	CU_ASSERT_EQUAL(pki_crl_request(NULL), -ENOENT);
	CU_ASSERT_EQUAL(sched_info(TP_N).n_urls, 0);
	/* A CDP learnt from a peer certificate (as pki_verify.c adds it). */
	t = pki_tp_get(TP_N);
	CU_ASSERT_FATAL(t != NULL);
	snprintf(t->learnt_urls[t->n_learnt_urls++], CFG_URL_MAX, "%s",
		 srv_url(url, sizeof(url), "/n.crl"));
	serve_crl("/n.crl", &pki_b, true, 3, true, 0);
	CU_ASSERT_EQUAL(pki_sched_want(TP_N, false), 0);
	CU_ASSERT(cp_until(settled, NULL, 5000));
	CU_ASSERT_EQUAL(sched_info(TP_N).n_urls, 1);
	CU_ASSERT_EQUAL(crl_find("NOURL", "B Inter CA", &ci), 0);
	CU_ASSERT_STRING_EQUAL(ci.crl_number, "03");
	/* Without prefetch, the tick starts nothing for it (PREFETCH starts). */
	pki_sched_tick(time(NULL) + 100000);
	CU_ASSERT(!pki_sched_in_flight(TP_N));
	CU_ASSERT_EQUAL(sched_info(TP_N).started, 1);
	CU_ASSERT_EQUAL(sched_info(TP_P).started, 2);
	CU_ASSERT(cp_until(settled, NULL, 5000));
}

/* ------------------------------------------------------------ telemetry, CLI */

enum { TQ_OUT = 32768 };

/* One telemetry query, or one ipsecgw-cli run, on a thread of its own
 * while the main thread plays the CP loop. */
struct bg {
	const char *cmd;		/* telemetry command, or NULL */
	char *const *argv;		/* else: the CLI's arguments */
	char out[TQ_OUT];
	int status;			/* CLI exit status */
	atomic_bool done;
};

static int tc_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char greet[1024];
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (fd < 0 || tm_socket_path(sa.sun_path, sizeof(sa.sun_path)) != 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    recv(fd, greet, sizeof(greet), 0) <= 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void bg_query(struct bg *b)
{
	int fd = tc_connect();
	ssize_t n = -1;

	if (fd >= 0 && send(fd, b->cmd, strlen(b->cmd), 0) >= 0)
		n = recv(fd, b->out, sizeof(b->out) - 1, 0);
	b->out[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
}

/* The CLI next to this test binary: <build>/controlplane/ipsecgw-cli. */
static const char *cli_path(void)
{
	static char path[4096];
	char self[4000];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n <= 0)
		return NULL;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash != NULL)
		*slash = '\0';
	snprintf(path, sizeof(path), "%s/../controlplane/ipsecgw-cli", self);
	return path;
}

static void bg_cli(struct bg *b)
{
	posix_spawn_file_actions_t fa;
	int p[2], st = -1;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	b->status = -1;
	if (pipe(p) != 0)
		return;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_adddup2(&fa, p[1], 2);
	posix_spawn_file_actions_addclose(&fa, p[0]);
	if (posix_spawn(&pid, b->argv[0], &fa, NULL, b->argv, environ) == 0) {
		close(p[1]);
		while (got < sizeof(b->out) - 1 && (n = read(p[0], b->out + got, sizeof(b->out) - 1 - got)) > 0)
			got += (size_t)n;
		waitpid(pid, &st, 0);
		b->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	} else {
		close(p[1]);
	}
	b->out[got] = '\0';
	close(p[0]);
	posix_spawn_file_actions_destroy(&fa);
}

static void *bg_main(void *arg)
{
	struct bg *b = arg;

	if (b->cmd != NULL)
		bg_query(b);
	else
		bg_cli(b);
	atomic_store(&b->done, true);
	return NULL;
}

static bool bg_done(void *arg)
{
	return atomic_load(&((struct bg *)arg)->done);
}

static void bg_run(struct bg *b)
{
	pthread_t th;

	atomic_store(&b->done, false);
	CU_ASSERT_FATAL(pthread_create(&th, NULL, bg_main, b) == 0);
	CU_ASSERT(cp_until(bg_done, b, 10000));
	pthread_join(th, NULL);
}

/* The reply to cmd (static storage until the next call). */
static const char *tq(const char *cmd)
{
	static struct bg b;

	b.cmd = cmd;
	bg_run(&b);
	return b.out;
}

/* Run ipsecgw-cli --socket PATH words...; its output and exit status. */
static const char *cli(int *status, const char *const *words)
{
	static struct bg b;
	static char sock[256];
	char *argv[16];
	int n = 0;

	CU_ASSERT_FATAL(tm_socket_path(sock, sizeof(sock)) == 0);
	argv[n++] = (char *)cli_path();
	argv[n++] = (char *)"--socket";
	argv[n++] = sock;
	for (; *words != NULL && n < 15; words++)
		argv[n++] = (char *)*words;
	argv[n] = NULL;
	b.cmd = NULL;
	b.argv = argv;
	bg_run(&b);
	*status = b.status;
	return b.out;
}

static const char *iso(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static void test_tm_crls(void)
{
	struct pki_crl_info ci;
	char want[256], t[32];
	const char *r;

	fresh();
	tm_efd = cp_tm_init();
	CU_ASSERT_FATAL(tm_efd >= 0);
	CU_ASSERT_STRING_EQUAL(tq("/ipsecgw/pki/crls"), "{\"/ipsecgw/pki/crls\":{\"count\":0,\"next\":0,\"ids\":[]}}");
	serve_crl("/a.crl", &pki_a, true, 0x1234, false, 0);
	request_and_wait("FETCH-A");
	CU_ASSERT_FATAL(crl_find("FETCH-A", "A Inter CA", &ci) == 0);
	CU_ASSERT_STRING_EQUAL(tq("/ipsecgw/pki/crls"), "{\"/ipsecgw/pki/crls\":{\"count\":1,\"next\":0,\"ids\":[1]}}");
	CU_ASSERT_STRING_EQUAL(tq("/ipsecgw/pki/crls,2"), "{\"/ipsecgw/pki/crls\":{\"count\":1,\"next\":0,\"ids\":[]}}");
	r = tq("/ipsecgw/pki/crl,1");
	CU_ASSERT(has(r, "{\"/ipsecgw/pki/crl\":{\"id\":1,\"trustpoint\":\"FETCH-A\",\"issuer\":\""));
	CU_ASSERT(has(r, "A Inter CA"));
	CU_ASSERT(has(r, ",\"crl_number\":\"1234\",\"delta_number\":\"\","));
	snprintf(want, sizeof(want), "\"this_update\":\"%s\",", iso(ci.this_update, t, sizeof(t)));
	CU_ASSERT(has(r, want));
	snprintf(want, sizeof(want), "\"next_update\":\"%s\",", iso(ci.next_update, t, sizeof(t)));
	CU_ASSERT(has(r, want));
	snprintf(want, sizeof(want), ",\"entries\":1,\"source\":\"http://127.0.0.1:%u/a.crl\","
		 "\"last_result\":\"accepted: new content\",\"last_download\":\"%s\","
		 "\"downloads\":1,\"unchanged\":0,\"rejected\":0,\"failed\":0}}",
		 srv.port, iso(ci.last_download, t, sizeof(t)));
	CU_ASSERT(has(r, want));
	CU_ASSERT(has(tq("/ipsecgw/pki/crl,2"), "\"error\":\"no crl with ID 2\""));
	CU_ASSERT(has(tq("/ipsecgw/pki/crl,0"), "\"error\":\"no crl with ID 0\""));
	CU_ASSERT(has(tq("/ipsecgw/pki/crl,x"), "usage: /ipsecgw/pki/crl,ID"));
	CU_ASSERT(has(tq("/ipsecgw/pki/crl"), "usage: /ipsecgw/pki/crl,ID"));
}

static void test_tm_request_trustpoints(void)
{
	struct pki_crl_info ci;
	const char *r;

	/* A download queued from telemetry: the reply comes at once. */
	serve_crl("/a.crl", &pki_a, true, 0x1235, false, 300);
	CU_ASSERT_STRING_EQUAL(tq("/ipsecgw/pki/crl_request,FETCH-A"),
			       "{\"/ipsecgw/pki/crl_request\":{\"trustpoint\":\"FETCH-A\","
			       "\"result\":\"queued\",\"in_flight\":1}}");
	CU_ASSERT(cp_until(settled, NULL, 5000));
	CU_ASSERT_EQUAL(crl_find("FETCH-A", "A Inter CA", &ci), 0);
	CU_ASSERT_STRING_EQUAL(ci.crl_number, "1235");
	CU_ASSERT(has(tq("/ipsecgw/pki/crl_request,NOPE"), "\"error\":\"no trustpoint 'NOPE'\""));
	CU_ASSERT(has(tq("/ipsecgw/pki/crl_request,NOURL"), "knows no CRL URL"));
	CU_ASSERT(has(tq("/ipsecgw/pki/crl_request"), "usage: /ipsecgw/pki/crl_request,TRUSTPOINT"));
	CU_ASSERT(has(tq("/ipsecgw/pki/crl_request,A B"), "usage"));
	CU_ASSERT_STRING_EQUAL(tq("/ipsecgw/pki/trustpoints"),
			       "{\"/ipsecgw/pki/trustpoints\":{\"count\":4,\"next\":0,\"ids\":[1,2,3,4]}}");
	r = tq("/ipsecgw/pki/trustpoint,1");
	CU_ASSERT(has(r, "{\"/ipsecgw/pki/trustpoint\":{\"id\":1,\"name\":\"FETCH-A\",\"ca_subjects\":[\""));
	CU_ASSERT(has(r, "A Root CA"));
	CU_ASSERT(has(r, "A Inter CA"));
	CU_ASSERT(has(r, "\"ca_not_after\":[\"20"));
	CU_ASSERT(has(r, "\"revocation_check\":\"crl\",\"hold_is_revoked\":1,\"crl_urls\":[\"http://127.0.0.1:"));
	CU_ASSERT(has(r, "\"crl_delta_urls\":[],\"learnt_urls\":[],\"prefetch\":0,\"refresh_interval\":3600,"
		      "\"min_download_interval\":60,\"download_timeout\":2,\"max_size\":65536,"));
	CU_ASSERT(has(r, "\"downloads_started\":2,\"downloads_coalesced\":0,\"operator_requests\":2,"));
	CU_ASSERT(has(r, "\"next_download\":\"\"}}"));
	r = tq("/ipsecgw/pki/trustpoint,3");
	CU_ASSERT(has(r, "\"name\":\"PREFETCH\""));
	CU_ASSERT(has(r, "\"prefetch\":1"));
	CU_ASSERT(has(r, "\"next_download\":\"20"));	/* due at the first tick */
	CU_ASSERT(has(tq("/ipsecgw/pki/trustpoint,5"), "\"error\":\"no trustpoint with ID 5\""));
	CU_ASSERT(has(tq("/ipsecgw/pki/trustpoint,0"), "\"error\":\"no trustpoint with ID 0\""));
}

static void test_cli(void)
{
	int st;
	const char *out;

	if (access(cli_path(), X_OK) != 0)
		fprintf(stderr, "\n    %s missing: build ipsecgw-cli too\n", cli_path());
	CU_ASSERT_FATAL(access(cli_path(), X_OK) == 0);
	out = cli(&st, (const char *const[]){ "show", "crypto", "pki", "crls", NULL });
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT(has(out, "CRL number"));
	CU_ASSERT(has(out, "FETCH-A"));
	CU_ASSERT(has(out, "A Inter CA"));
	CU_ASSERT(has(out, "1235"));
	CU_ASSERT(has(out, "accepted: new content"));
	CU_ASSERT(has(out, "/a.crl"));
	out = cli(&st, (const char *const[]){ "sh", "cry", "pki", "tr", NULL });
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT(has(out, "Trustpoint"));
	CU_ASSERT(has(out, "A Root CA"));
	CU_ASSERT(has(out, "NOURL"));
	CU_ASSERT(has(out, "complete"));
	CU_ASSERT(has(out, "/p-inter.crl"));
	out = cli(&st, (const char *const[]){ "--json", "show", "crypto", "pki", "crls", NULL });
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT(has(out, "[\n{\"/ipsecgw/pki/crls\":"));
	CU_ASSERT(has(out, "{\"/ipsecgw/pki/crl\":{\"id\":1,"));
	out = cli(&st, (const char *const[]){ "crypto", "pki", "crl", "request", "FETCH-A", NULL });
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT(has(out, "trustpoint FETCH-A: CRL download queued"));
	CU_ASSERT(cp_until(settled, NULL, 5000));
	out = cli(&st, (const char *const[]){ "crypto", "pki", "crl", "request", "NOPE", NULL });
	CU_ASSERT_EQUAL(st, 1);
	CU_ASSERT(has(out, "no trustpoint 'NOPE'"));
	out = cli(&st, (const char *const[]){ "crypto", "pki", "crl", "request", NULL });
	CU_ASSERT_EQUAL(st, 2);
	cp_tm_fini();
	tm_efd = -1;
}

/* ------------------------------------------------------------ set-up */

static int write_tp(unsigned i, const char *name, struct tpg_pki *p, const char *const *paths,
		    unsigned n_paths, bool prefetch)
{
	struct cfg_trustpoint *t = &cfg.trustpoints[i];
	X509 *cas[2] = { p->root, p->inter };

	snprintf(t->name, sizeof(t->name), "%s", name);
	tpg_path(t->ca, sizeof(t->ca), tmpdir, name);
	if (tpg_write_certs(t->ca, cas, 2))
		return -1;
	snprintf(t->crl_cache_dir, sizeof(t->crl_cache_dir), "%s/cache-%s", tmpdir, name);
	for (unsigned k = 0; k < n_paths; k++)
		srv_url(t->crl_urls[k], sizeof(t->crl_urls[k]), paths[k]);
	t->n_crl_urls = n_paths;
	t->revocation_check = CFG_REVOCATION_CRL;
	t->crl_prefetch = prefetch;
	t->crl_refresh_interval = prefetch ? 7200 : 3600;
	t->crl_min_download_interval = 60;
	t->crl_download_timeout = 2;
	t->crl_max_size = TP_MAX_SIZE;
	t->hold_is_revoked = true;
	return 0;
}

static int suite_init(void)
{
	static const char *const a[] = { "/a.crl" }, *const b[] = { "/b.crl" };
	static const char *const p[] = { "/p-root.crl", "/p-inter.crl" };

	tmpdir = tpg_tmpdir("pki-fetch");
	if (tmpdir == NULL || tpg_pki_make(&pki_a, TPG_RSA2048, "A", NULL) ||
	    tpg_pki_make(&pki_b, TPG_EC_P256, "B", NULL) ||
	    tpg_pki_make(&pki_p, TPG_EC_P256, "P", NULL))
		return -1;
	if (write_tp(TP_A, "FETCH-A", &pki_a, a, 1, false) ||
	    write_tp(TP_B, "FETCH-B", &pki_b, b, 1, false) ||
	    write_tp(TP_P, "PREFETCH", &pki_p, p, 2, true) ||
	    write_tp(TP_N, "NOURL", &pki_b, NULL, 0, false))
		return -1;
	cfg.n_trustpoints = N_TP;
	return 0;
}

static int suite_fini(void)
{
	char cmd[300];
	int rc;

	pki_fini();
	tpg_pki_free(&pki_a);
	tpg_pki_free(&pki_b);
	tpg_pki_free(&pki_p);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	rc = system(cmd);
	free(tmpdir);
	return rc == 0 ? 0 : -1;
}

static const struct test_case http_tests[] = {
	{ "200: Content-Length, to EOF, PEM, empty", test_http_ok },
	{ "404, 500, 303 and unknown paths fail with the status", test_http_status },
	{ "redirects: up to 3 followed, a 4th refused, http:// only", test_http_redirects },
	{ "too big (Content-Length or not), exact limit, truncated", test_http_limits },
	{ "a server that never answers: timeout", test_http_timeout },
	{ "garbage, early close, trickled headers", test_http_bad_responses },
	{ "bad URLs and limits, nobody listening", test_http_bad_requests },
	{ "a connect that never completes: timeout, cancel", test_http_connect_hangs },
	{ "http_proxy from the environment is ignored", test_http_no_env_proxy },
	{ "a configured proxy", test_http_proxy },
	{ "cancelled by shutdown of the socket", test_http_cancel },
};

static const struct test_case fetch_tests[] = {
	{ "a good CRL (DER, PEM) reaches the store", test_fetch_good },
	{ "each failure has its reason, the CRL stays in force", test_fetch_failures },
	{ "the CP loop never blocks, a slow trustpoint delays no other", test_fetch_never_blocks },
	{ "fini cancels hanging downloads and joins", test_fetch_fini },
	{ "requests inside the interval share one download", test_sched_coalesce },
	{ "operator request joins in flight, skips the interval", test_sched_forced },
	{ "prefetch, backoff 5/10/20 s, refresh ahead of nextUpdate", test_sched_prefetch_backoff },
	{ "no URL, unknown trustpoint, learnt CDP", test_sched_urls },
	{ "/ipsecgw/pki/crls and /ipsecgw/pki/crl,ID", test_tm_crls },
	{ "/ipsecgw/pki/crl_request, /ipsecgw/pki/trustpoint(s)", test_tm_request_trustpoints },
	{ "ipsecgw-cli crypto pki words", test_cli },
};

int main(void)
{
	int rc = 1;

	/* EAL for the telemetry socket; the fetchers need none. */
	if (test_eal_init("pki_fetch", 0, NULL) != 0 || srv_start() != 0) {
		fprintf(stderr, "set-up failed\n");
		return 1;
	}
	if (test_suite("http", NULL, NULL, http_tests, ARRAY_LEN(http_tests)) == 0 &&
	    test_suite("fetch", suite_init, suite_fini, fetch_tests, ARRAY_LEN(fetch_tests)) == 0)
		rc = test_run();
	else if (CU_get_registry() != NULL)
		CU_cleanup_registry();
	srv_stop();
	return rc;
}
