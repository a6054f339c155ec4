/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CP_CAPTURE_H
#define GW_CP_CAPTURE_H

/*
 * Packet capture to a pcapng file, started and stopped through telemetry
 * (cp_capture_tm.c): the control plane's half.  The workers copy packets
 * into a ring (dataplane/dp_capture.h); on every tick the control plane
 * dequeues the copies, stamps them with the wall-clock time of their burst
 * and writes them with rte_pcapng_write_packets().  It owns the file:
 *
 *   - one capture at a time;
 *   - only in the capture directory (capture.dir), named by a plain file
 *     name [A-Za-z0-9._-] not starting with '.' (or that directory's
 *     absolute path and such a name), created 0600 with O_EXCL and
 *     O_NOFOLLOW: never an existing file, never through a symlink; the
 *     directory itself opened with O_NOFOLLOW, and refused unless it is
 *     ours and writable by no one else;
 *   - the file never exceeds max_bytes (default CP_CAPTURE_BYTES_DEFAULT,
 *     at most capture.max_bytes): the capture stops by itself before the
 *     packet that would cross it, or once max_packets are written (or
 *     taken by the workers and the ring drained).
 *
 * The file's interfaces are DPDK's ports, as rte_pcapng_fdopen() of DPDK
 * 22.11 lists them (every port, named after its kernel interface or
 * "dpdk:N"); its section comment maps them to the gateway's interface
 * names ("interfaces: 0=outside (net_af_packet0) ...").
 *
 * CP thread only.  Functions return 0 or -errno; those with err fill it
 * with one line on failure.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg/cfg.h"

enum {
	CP_CAPTURE_NAME_MAX = 128,		/* characters of a file name */
	CP_CAPTURE_SNAPLEN_MAX = 65535,		/* asked for; clamped to the mbuf size */
	CP_CAPTURE_BURST = 64,			/* copies written per writev */
};

#define CP_CAPTURE_BYTES_DEFAULT ((uint64_t)64 << 20)

/* What a start asks for (cp_capture_parse()). */
struct cp_capture_req {
	char iface[CFG_NAME_MAX];		/* "" = every interface */
	uint8_t dir;				/* enum dp_capture_dir */
	char file[CFG_PATH_MAX];		/* as given; "" = a generated name */
	uint64_t max_packets;			/* 0 = no limit */
	uint64_t max_bytes;			/* 0 = the default */
	uint32_t snaplen;			/* 0 = whole packets */
};

/* The capture running, or the last one. */
struct cp_capture_status {
	bool available;				/* the data plane has a capture pool */
	bool running;
	bool started;				/* a capture ran since start-up */
	char file[CFG_PATH_MAX + CP_CAPTURE_NAME_MAX + 2];	/* full path */
	char iface[CFG_NAME_MAX];		/* "any" or a name */
	uint8_t dir;
	uint32_t snaplen;
	uint64_t max_packets, max_bytes;
	uint64_t packets;			/* packet blocks written */
	uint64_t bytes;				/* file size */
	uint64_t dropped_ring_full;		/* copies the ring could not take */
	uint64_t dropped_no_mbuf;		/* not copied: capture pool empty */
	uint64_t dropped_limit;			/* beyond max_packets or max_bytes */
	uint64_t duration_ms;
	char stop_reason[64];			/* "" while running */
};

/* Keep the configuration's capture.dir and max_bytes, register the
 * telemetry commands.  After dp_init(). */
int cp_capture_init(const struct gw_cfg *cfg);
/* Stop a running capture ("gateway shutting down"), with the workers
 * stopped: every copy they made is written. */
void cp_capture_fini(void);
/* Write what the workers copied; stop at a limit. */
void cp_capture_tick(uint64_t now_ms);

/* -EBUSY (running), -ENODEV (no capture pool), -EINVAL (iface, sizes),
 * -EEXIST (the file exists) or the file's errno. */
int cp_capture_start(const struct cp_capture_req *req, char *err, size_t errlen);
/* Stop the capture running: -ENOENT when none. */
int cp_capture_stop(const char *reason);
void cp_capture_status(struct cp_capture_status *st);
/* The capture directory (capture.dir) and the largest max_bytes
 * (capture.max_bytes). */
const char *cp_capture_dir(void);
uint64_t cp_capture_max_bytes_limit(void);

/*
 * Pure helpers, for the telemetry handler and tests:
 *   parse       "KEY=VALUE[,KEY=VALUE...]" (NULL or "" = defaults):
 *               iface=NAME|any dir=rx|tx|both file=NAME max_packets=N
 *               max_bytes=N snaplen=N, each at most once
 *   file_name   the file name in file (a plain name, or dir + "/" +
 *               name), or NULL with *why set
 *   tsc_ns      wall-clock ns of TSC tsc, given the pair (tsc0, ns0) read
 *               together and the TSC rate hz
 */
int cp_capture_parse(const char *params, struct cp_capture_req *req, char *err, size_t errlen);
const char *cp_capture_file_name(const char *file, const char *dir, const char **why);
uint64_t cp_capture_tsc_ns(uint64_t tsc, uint64_t tsc0, uint64_t ns0, uint64_t hz);
/* "rx", "tx", "both". */
const char *cp_capture_dir_name(uint8_t dir);

/* cp_capture_tm.c: /ipsecgw/capture, capture/start, capture/stop. */
int cp_capture_tm_register(void);
struct tm_reply;
int cp_capture_tm_status(const char *params, struct tm_reply *r);
int cp_capture_tm_start(const char *params, struct tm_reply *r);
int cp_capture_tm_stop(const char *params, struct tm_reply *r);

#endif /* GW_CP_CAPTURE_H */
