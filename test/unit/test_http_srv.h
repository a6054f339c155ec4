/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_TEST_HTTP_SRV_H
#define GW_TEST_HTTP_SRV_H

/*
 * A tiny HTTP/1.0 server for the CRL download tests, on 127.0.0.1 only,
 * plain sockets, one thread per connection so that a hanging route does
 * not hold up the others.  Responses are programmed per path (srv_route);
 * unknown paths get 404; each route counts its requests.
 *
 * Header-only (every function static inline), for one test binary, which
 * defines _GNU_SOURCE (accept4) before its first include.
 */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CUnit/Basic.h>

enum srv_kind {
	SRV_OK,			/* 200 with Content-Length */
	SRV_NO_LENGTH,		/* 200, no Content-Length, body to EOF */
	SRV_STATUS,		/* status only, empty body */
	SRV_REDIRECT,		/* 302 Location: location */
	SRV_HANG,		/* accept, read the request, never answer */
	SRV_TRUNCATE,		/* Content-Length 2 * len, len bytes, close */
	SRV_GARBAGE,		/* the body bytes as the whole response */
	SRV_TRICKLE,		/* 200, header and body one byte every ms */
};

enum { SRV_MAX_ROUTES = 64, SRV_MAX_CONNS = 512, SRV_PATH = 128 };

struct srv_route {
	char path[SRV_PATH];
	enum srv_kind kind;
	int status;
	char location[256];
	uint8_t *body;
	size_t len;
	unsigned delay_ms;		/* before answering */
	atomic_uint hits;
};

static struct {
	int lfd, stop_efd;
	uint16_t port;
	pthread_t acceptor;
	pthread_mutex_t lock;
	struct srv_route routes[SRV_MAX_ROUTES];
	unsigned n_routes;
	pthread_t conns[SRV_MAX_CONNS];
	unsigned n_conns;
	atomic_uint requests;
} srv = { .lfd = -1, .stop_efd = -1, .lock = PTHREAD_MUTEX_INITIALIZER };

/* Program path (replacing a route of the same path); body is copied. */
static inline void srv_route(const char *path, enum srv_kind kind, int status, const char *location,
		      const void *body, size_t len, unsigned delay_ms)
{
	struct srv_route *r = NULL;

	pthread_mutex_lock(&srv.lock);
	for (unsigned i = 0; i < srv.n_routes && r == NULL; i++)
		if (strcmp(srv.routes[i].path, path) == 0)
			r = &srv.routes[i];
	if (r == NULL && srv.n_routes < SRV_MAX_ROUTES)
		r = &srv.routes[srv.n_routes++];
	if (r != NULL) {
		free(r->body);
		snprintf(r->path, sizeof(r->path), "%s", path);
		r->kind = kind;
		r->status = status;
		snprintf(r->location, sizeof(r->location), "%s", location != NULL ? location : "");
		r->body = malloc(len != 0 ? len : 1);
		if (r->body != NULL && len != 0)
			memcpy(r->body, body, len);
		r->len = r->body != NULL ? len : 0;
		r->delay_ms = delay_ms;
		atomic_store(&r->hits, 0);
	}
	pthread_mutex_unlock(&srv.lock);
	CU_ASSERT_FATAL(r != NULL);
}

static inline unsigned srv_hits(const char *path)
{
	unsigned n = 0;

	pthread_mutex_lock(&srv.lock);
	for (unsigned i = 0; i < srv.n_routes; i++)
		if (strcmp(srv.routes[i].path, path) == 0)
			n = atomic_load(&srv.routes[i].hits);
	pthread_mutex_unlock(&srv.lock);
	return n;
}

/* "http://127.0.0.1:PORT" + path into buf. */
static inline const char *srv_url(char *buf, size_t len, const char *path)
{
	snprintf(buf, len, "http://127.0.0.1:%u%s", srv.port, path);
	return buf;
}

/* Wait until fd is readable or the server stops; ms < 0 = no limit.  1, 0 (timeout), -1 (stop). */
static inline int srv_wait(int fd, int ms)
{
	struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = srv.stop_efd, .events = POLLIN } };
	int n = poll(p, 2, ms);

	if (n > 0 && (p[1].revents & POLLIN) != 0)
		return -1;
	return n > 0 ? 1 : 0;
}

static inline bool srv_send(int fd, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* Read the request head; the path into path.  0 or -1. */
static inline int srv_read_request(int fd, char *path, size_t len)
{
	char buf[2048];
	size_t got = 0;

	while (got < sizeof(buf) - 1) {
		ssize_t n;

		if (srv_wait(fd, 5000) != 1)
			return -1;
		n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);
		if (n <= 0)
			return -1;
		got += (size_t)n;
		buf[got] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL)
			break;
	}
	if (sscanf(buf, "GET %127s HTTP/1.", path) != 1 || len < SRV_PATH)
		return -1;
	return 0;
}

/* Copy the route for path (body malloc'd), counting the hit.  false = none. */
static inline bool srv_lookup(const char *path, struct srv_route *out)
{
	bool found = false;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&srv.lock);
	for (unsigned i = 0; i < srv.n_routes && !found; i++) {
		struct srv_route *r = &srv.routes[i];

		if (strcmp(r->path, path) != 0)
			continue;
		atomic_fetch_add(&r->hits, 1);
		memcpy(out->path, r->path, sizeof(out->path));
		out->kind = r->kind;
		out->status = r->status;
		memcpy(out->location, r->location, sizeof(out->location));
		out->len = r->len;
		out->delay_ms = r->delay_ms;
		out->body = malloc(r->len != 0 ? r->len : 1);
		if (out->body != NULL)
			memcpy(out->body, r->body, r->len);
		found = out->body != NULL;
	}
	pthread_mutex_unlock(&srv.lock);
	return found;
}

static inline void srv_trickle(int fd, const char *head, const uint8_t *body, size_t len)
{
	size_t hl = strlen(head);

	for (size_t i = 0; i < hl + len; i++) {
		if (!srv_send(fd, i < hl ? (const uint8_t *)head + i : body + (i - hl), 1) ||
		    srv_wait(fd, 1) < 0)
			return;
	}
}

static inline void srv_answer(int fd, const struct srv_route *r)
{
	char head[512];

	switch (r->kind) {
	case SRV_OK:
	case SRV_TRUNCATE:
	case SRV_TRICKLE:
		snprintf(head, sizeof(head), "HTTP/1.0 200 OK\r\nContent-Type: application/pkix-crl\r\n"
			 "Content-Length: %zu\r\n\r\n", r->kind == SRV_TRUNCATE ? 2 * r->len : r->len);
		if (r->kind == SRV_TRICKLE) {
			srv_trickle(fd, head, r->body, r->len);
		} else if (srv_send(fd, head, strlen(head))) {
			srv_send(fd, r->body, r->len);
		}
		break;
	case SRV_NO_LENGTH:
		snprintf(head, sizeof(head), "HTTP/1.0 200 OK\r\n\r\n");
		if (srv_send(fd, head, strlen(head)))
			srv_send(fd, r->body, r->len);
		break;
	case SRV_STATUS:
		snprintf(head, sizeof(head), "HTTP/1.0 %d %s\r\nContent-Length: 0\r\n\r\n", r->status,
			 r->status == 404 ? "Not Found" : r->status == 500 ? "Internal Server Error" : "Other");
		srv_send(fd, head, strlen(head));
		break;
	case SRV_REDIRECT:
		snprintf(head, sizeof(head), "HTTP/1.0 302 Found\r\nLocation: %s\r\nContent-Length: 0\r\n\r\n",
			 r->location);
		srv_send(fd, head, strlen(head));
		break;
	case SRV_HANG:
		/* Until the client gives up (EOF) or the server stops. */
		while (srv_wait(fd, -1) == 1 && recv(fd, head, sizeof(head), 0) > 0)
			;
		break;
	case SRV_GARBAGE:
		srv_send(fd, r->body, r->len);
		break;
	}
}

static inline void *srv_conn(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char path[SRV_PATH], head[128];
	struct srv_route r;

	if (srv_read_request(fd, path, sizeof(path)) == 0) {
		atomic_fetch_add(&srv.requests, 1);
		if (!srv_lookup(path, &r)) {
			snprintf(head, sizeof(head), "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n");
			srv_send(fd, head, strlen(head));
		} else {
			if (r.delay_ms == 0 || srv_wait(srv.stop_efd, (int)r.delay_ms) == 0)
				srv_answer(fd, &r);
			free(r.body);
		}
	}
	close(fd);
	return NULL;
}

static inline void *srv_accept(void *arg)
{
	(void)arg;
	while (srv_wait(srv.lfd, -1) == 1) {
		int fd = accept4(srv.lfd, NULL, NULL, SOCK_CLOEXEC);
		bool ok;

		if (fd < 0)
			continue;
		pthread_mutex_lock(&srv.lock);
		ok = srv.n_conns < SRV_MAX_CONNS &&
		     pthread_create(&srv.conns[srv.n_conns], NULL, srv_conn, (void *)(intptr_t)fd) == 0;
		if (ok)
			srv.n_conns++;
		pthread_mutex_unlock(&srv.lock);
		if (!ok)
			close(fd);
	}
	return NULL;
}

static inline int srv_start(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);

	srv.lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	srv.stop_efd = eventfd(0, EFD_CLOEXEC);
	if (srv.lfd < 0 || srv.stop_efd < 0 ||
	    bind(srv.lfd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(srv.lfd, 64) != 0 ||
	    getsockname(srv.lfd, (struct sockaddr *)&a, &alen) != 0)
		return -1;
	srv.port = ntohs(a.sin_port);
	return pthread_create(&srv.acceptor, NULL, srv_accept, NULL) == 0 ? 0 : -1;
}

static inline void srv_stop(void)
{
	uint64_t one = 1;

	if (write(srv.stop_efd, &one, sizeof(one)) != sizeof(one))
		perror("eventfd");
	pthread_join(srv.acceptor, NULL);
	for (unsigned i = 0; i < srv.n_conns; i++)
		pthread_join(srv.conns[i], NULL);
	close(srv.lfd);
	close(srv.stop_efd);
	for (unsigned i = 0; i < srv.n_routes; i++)
		free(srv.routes[i].body);
}

#endif /* GW_TEST_HTTP_SRV_H */
