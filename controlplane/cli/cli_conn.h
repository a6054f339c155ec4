/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CLI_CONN_H
#define GW_CLI_CONN_H

/*
 * ipsecgw-cli's side of the DPDK telemetry socket (SOCK_SEQPACKET): the
 * path as dpdk-telemetry.py resolves it (as root, the systemd unit's
 * /run/ipsecgw first when its socket is there), the greeting, one request and
 * one reply at a time.  Plain POSIX, no DPDK.  Single-threaded.
 */

#include <stddef.h>
#include <stdint.h>

#include "controlplane/cli/cli_json.h"

enum {
	CLI_ERR_MAX = 512,
	CLI_GREETING_MAX = 1024,	/* what dpdk-telemetry.py reads too */
	CLI_MAX_OUTPUT = 1 << 22,	/* refuse a greeting asking for more */
	CLI_TIMEOUT_S = 5,		/* the gateway answers within 2 s */
	CLI_MAX_REQUEST = 1023,		/* DPDK 22.11 reads at most this */
};

/* The RuntimeDirectory of cfg/ipsecgw.service (RUNTIME_DIRECTORY there). */
#define CLI_UNIT_RUNDIR "/run/ipsecgw"

struct cli_conn {
	int fd;
	size_t max_output;		/* from the greeting */
	char *buf;			/* max_output + 1 */
};

/*
 * <runtime dir>/dpdk/<prefix>/dpdk_telemetry.v2, where the runtime dir is
 * $RUNTIME_DIRECTORY if set and not empty, else for root /run/ipsecgw if
 * the socket is there (the systemd unit's) or /var/run, else
 * $XDG_RUNTIME_DIR (if set) or /tmp.  0, -EINVAL (prefix with '/' or
 * empty) or -ENAMETOOLONG.
 */
int cli_socket_path(const char *prefix, char *buf, size_t len);

/* Connect and read the greeting.  0, or -1 with a message in err. */
int cli_connect(struct cli_conn *c, const char *path, char *err, size_t errlen);
/*
 * Send cmd, receive the whole reply into c->buf (NUL-terminated, valid
 * until the next request) and parse it into doc.  *raw points at the text.
 * 0, or -1 with a message in err (doc then needs no freeing).
 */
int cli_request(struct cli_conn *c, const char *cmd, struct cj_doc *doc,
		const char **raw, char *err, size_t errlen);
void cli_close(struct cli_conn *c);

#endif /* GW_CLI_CONN_H */
