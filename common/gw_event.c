/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Structured events (gw_event.h): format one key=value line, send it as a
 * syslog datagram without blocking, copy it into the DPDK log.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "common/gw_event.h"
#include "common/gw_log.h"

static const char *const gw_event_names[GW_EV_MAX] = {
#define X(U, l, p) #l,
	GW_EVENT_KINDS(X)
#undef X
};

static const int gw_event_prios[GW_EV_MAX] = {
#define X(U, l, p) p,
	GW_EVENT_KINDS(X)
#undef X
};

static struct {
	int fd;
	struct sockaddr_un addr;
	_Atomic uint64_t sent, failed;
} gw_ev = { .fd = -1 };

const char *gw_event_name(enum gw_event_kind kind)
{
	return (unsigned)kind < GW_EV_MAX ? gw_event_names[kind] : "?";
}

int gw_event_priority(enum gw_event_kind kind)
{
	return (unsigned)kind < GW_EV_MAX ? gw_event_prios[kind] : LOG_NOTICE;
}

int gw_event_open(const char *path)
{
	int fd;

	gw_event_close();
	if (path == NULL || path[0] == '\0')
		return 0;
	if (strlen(path) >= sizeof(gw_ev.addr.sun_path))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	memset(&gw_ev.addr, 0, sizeof(gw_ev.addr));
	gw_ev.addr.sun_family = AF_UNIX;
	snprintf(gw_ev.addr.sun_path, sizeof(gw_ev.addr.sun_path), "%s", path);
	gw_ev.fd = fd;
	return 0;
}

void gw_event_close(void)
{
	if (gw_ev.fd >= 0)
		close(gw_ev.fd);
	gw_ev.fd = -1;
}

void gw_event_counters(uint64_t *sent, uint64_t *failed)
{
	*sent = atomic_load(&gw_ev.sent);
	*failed = atomic_load(&gw_ev.failed);
}

/* Append c if there is room (always count it in *n). */
static void gw_ev_put(char *buf, size_t len, size_t *n, char c)
{
	if (*n + 1 < len)
		buf[*n] = c;
	(*n)++;
}

static void gw_ev_puts(char *buf, size_t len, size_t *n, const char *s)
{
	for (; *s != '\0'; s++)
		gw_ev_put(buf, len, n, *s);
}

static bool gw_ev_needs_quotes(const char *v)
{
	return v[0] == '\0' || strpbrk(v, " \"=") != NULL;
}

/* " key=value", the value cleaned, cut and maybe quoted (gw_event.h). */
static void gw_ev_pair(char *buf, size_t len, size_t *n, const char *key, const char *v)
{
	bool q;
	size_t i;

	if (v == NULL)
		v = "";
	q = gw_ev_needs_quotes(v);
	gw_ev_put(buf, len, n, ' ');
	gw_ev_puts(buf, len, n, key);
	gw_ev_put(buf, len, n, '=');
	if (q)
		gw_ev_put(buf, len, n, '"');
	for (i = 0; v[i] != '\0' && i < GW_EVENT_VAL_MAX; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c < 0x20 || c > 0x7e)
			c = '?';
		else if (c == '"')
			c = '\'';
		if (i == GW_EVENT_VAL_MAX - 1 && v[i + 1] != '\0')
			c = '~';
		gw_ev_put(buf, len, n, (char)c);
	}
	if (q)
		gw_ev_put(buf, len, n, '"');
}

static size_t gw_ev_vformat(char *buf, size_t len, enum gw_event_kind kind, uint64_t id,
			    va_list ap)
{
	const char *key;
	char num[24];
	size_t n = 0;

	gw_ev_puts(buf, len, &n, "event=");
	gw_ev_puts(buf, len, &n, gw_event_name(kind));
	if (id != 0) {
		snprintf(num, sizeof(num), "%" PRIu64, id);
		gw_ev_pair(buf, len, &n, "id", num);
	}
	while ((key = va_arg(ap, const char *)) != NULL)
		gw_ev_pair(buf, len, &n, key, va_arg(ap, const char *));
	if (len > 0)
		buf[n < len ? n : len - 1] = '\0';
	return n;
}

size_t gw_event_format(char *buf, size_t len, enum gw_event_kind kind, uint64_t id, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, id);
	n = gw_ev_vformat(buf, len, kind, id, ap);
	va_end(ap);
	return n;
}

static void gw_ev_syslog(enum gw_event_kind kind, const char *line)
{
	char msg[GW_EVENT_LINE_MAX + 64], stamp[32];
	struct tm tm;
	time_t now = time(NULL);
	int n;

	if (gw_ev.fd < 0)
		return;
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
	n = snprintf(msg, sizeof(msg), "<%d>%s ipsecgw[%d]: %s", LOG_DAEMON | gw_event_priority(kind),
		     stamp, (int)getpid(), line);
	if (n < 0)
		return;
	if (sendto(gw_ev.fd, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1,
		   MSG_DONTWAIT | MSG_NOSIGNAL, (const struct sockaddr *)&gw_ev.addr,
		   sizeof(gw_ev.addr)) < 0)
		atomic_fetch_add(&gw_ev.failed, 1);
	else
		atomic_fetch_add(&gw_ev.sent, 1);
}

void gw_event(enum gw_event_kind kind, uint64_t id, ...)
{
	char line[GW_EVENT_LINE_MAX];
	va_list ap;

	va_start(ap, id);
	gw_ev_vformat(line, sizeof(line), kind, id, ap);
	va_end(ap);
	gw_ev_syslog(kind, line);
	GW_LOG(event, NOTICE, "%s", line);
}
