/* SPDX-License-Identifier: BSD-3-Clause */
/* The telemetry socket, client side (see cli_conn.h). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "controlplane/cli/cli_conn.h"

int cli_socket_path(const char *prefix, char *buf, size_t len)
{
	const char *run = getenv("RUNTIME_DIRECTORY");
	const char *sep;
	int n;

	if (*prefix == '\0' || strchr(prefix, '/') != NULL)
		return -EINVAL;
	if (run == NULL || *run == '\0') {
		if (getuid() == 0) {
			/* the systemd unit's RuntimeDirectory first, then
			 * DPDK's own default (dpdk-telemetry.py's too) */
			n = snprintf(buf, len, "%s/dpdk/%s/dpdk_telemetry.v2", CLI_UNIT_RUNDIR, prefix);
			run = n > 0 && (size_t)n < len && access(buf, F_OK) == 0 ? CLI_UNIT_RUNDIR
										  : "/var/run";
		} else {
			run = getenv("XDG_RUNTIME_DIR");
			if (run == NULL)
				run = "/tmp";
		}
	}
	/* os.path.join: no separator after "" or after a trailing '/'. */
	sep = (*run == '\0' || run[strlen(run) - 1] == '/') ? "" : "/";
	n = snprintf(buf, len, "%s%sdpdk/%s/dpdk_telemetry.v2", run, sep, prefix);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* One whole message into buf (cap bytes + NUL).  Its length, or -1. */
static ssize_t cli_recv(int fd, char *buf, size_t cap, char *err, size_t errlen)
{
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n = recvmsg(fd, &mh, 0);

	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			snprintf(err, errlen, "no reply within %d s", CLI_TIMEOUT_S);
		else
			snprintf(err, errlen, "receive: %s", strerror(errno));
		return -1;
	}
	if (n == 0) {
		snprintf(err, errlen, "connection closed by the application");
		return -1;
	}
	if (mh.msg_flags & MSG_TRUNC) {
		snprintf(err, errlen, "reply longer than %zu bytes", cap);
		return -1;
	}
	buf[n] = '\0';
	return n;
}

static int cli_greeting(struct cli_conn *c, char *err, size_t errlen)
{
	char buf[CLI_GREETING_MAX + 1], perr[CJ_ERR_MAX];
	struct cj_doc doc;
	const struct cj_value *root;
	uint64_t max;
	ssize_t n = cli_recv(c->fd, buf, CLI_GREETING_MAX, err, errlen);

	if (n < 0)
		return -1;
	if (cj_parse(&doc, buf, (size_t)n, perr, sizeof(perr)) != 0) {
		snprintf(err, errlen, "bad greeting: %s", perr);
		return -1;
	}
	root = cj_root(&doc);
	max = cj_get_u64(&doc, root, "max_output_len", 0);
	cj_free(&doc);
	if (max < 64 || max > CLI_MAX_OUTPUT) {
		snprintf(err, errlen, "bad greeting: max_output_len %llu", (unsigned long long)max);
		return -1;
	}
	c->max_output = (size_t)max;
	c->buf = malloc(c->max_output + 1);
	if (c->buf == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int cli_connect(struct cli_conn *c, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = CLI_TIMEOUT_S };

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0 ||
	    connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		snprintf(err, errlen, "cannot connect to %s: %s (is ipsecgw running with "
			 "this --file-prefix?)", path, strerror(errno));
		goto fail;
	}
	if (cli_greeting(c, err, errlen) != 0)
		goto fail;
	return 0;
fail:
	cli_close(c);
	return -1;
}

int cli_request(struct cli_conn *c, const char *cmd, struct cj_doc *doc,
		const char **raw, char *err, size_t errlen)
{
	char perr[CJ_ERR_MAX];
	size_t len = strlen(cmd);
	ssize_t n;

	if (len == 0 || len > CLI_MAX_REQUEST) {
		snprintf(err, errlen, "request must be 1 to %d bytes", CLI_MAX_REQUEST);
		return -1;
	}
	if (send(c->fd, cmd, len, MSG_NOSIGNAL) != (ssize_t)len) {
		snprintf(err, errlen, "send: %s", strerror(errno));
		return -1;
	}
	n = cli_recv(c->fd, c->buf, c->max_output, err, errlen);
	if (n < 0)
		return -1;
	*raw = c->buf;
	if (cj_parse(doc, c->buf, (size_t)n, perr, sizeof(perr)) != 0) {
		snprintf(err, errlen, "bad JSON in reply to %s: %s", cmd, perr);
		return -1;
	}
	return 0;
}

void cli_close(struct cli_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	c->fd = -1;
	c->buf = NULL;
}
