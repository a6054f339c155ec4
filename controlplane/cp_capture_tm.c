/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet capture through telemetry (cp_capture.h):
 *
 *   /ipsecgw/capture/start[,KEY=VALUE,...]   audited
 *       iface=NAME|any  dir=rx|tx|both  file=NAME  max_packets=N
 *       max_bytes=N  snaplen=N  (each at most once, any order; defaults:
 *       any, both, capture-<UTC time>-<n>.pcapng, no packet limit,
 *       min(64 MiB, capture.max_bytes), whole packets)
 *   /ipsecgw/capture/stop                     audited
 *   /ipsecgw/capture                          the capture running, or the last
 *
 * Each replies with the capture's status: available, running, file,
 * iface, dir, snaplen, max_packets, max_bytes, packets, bytes,
 * dropped_ring_full, dropped_no_mbuf, dropped_limit, duration_ms,
 * stop_reason, and the configuration's capture_dir, max_bytes_limit,
 * snaplen_max, pool_mbufs, ring_size.  Parameters are parsed strictly,
 * whole, before anything is touched.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>

#include "controlplane/cp_capture.h"
#include "controlplane/cp_tm.h"
#include "dataplane/dp_capture.h"

enum { CP_CAPTURE_ERR = 120 };

const char *cp_capture_dir_name(uint8_t dir)
{
	switch (dir) {
	case DP_CAPTURE_RX:
		return "rx";
	case DP_CAPTURE_TX:
		return "tx";
	default:
		return "both";
	}
}

/* ---- parameters ------------------------------------------------------ */

enum cp_capture_key { K_IFACE, K_DIR, K_FILE, K_MAX_PACKETS, K_MAX_BYTES, K_SNAPLEN, K_MAX };

static const char *const cp_capture_keys[K_MAX] = {
	"iface", "dir", "file", "max_packets", "max_bytes", "snaplen",
};

/* One value v of key k into req.  NULL, or what is wrong. */
static const char *cp_capture_value(enum cp_capture_key k, const char *v,
				    struct cp_capture_req *req)
{
	uint64_t n;

	switch (k) {
	case K_IFACE:
		if (strcmp(v, "any") == 0)
			req->iface[0] = '\0';
		else if (tm_parse_name(v) == 0)
			snprintf(req->iface, sizeof(req->iface), "%s", v);
		else
			return "iface must be an interface name or any";
		return NULL;
	case K_DIR:
		if (strcmp(v, "rx") == 0)
			req->dir = DP_CAPTURE_RX;
		else if (strcmp(v, "tx") == 0)
			req->dir = DP_CAPTURE_TX;
		else if (strcmp(v, "both") == 0)
			req->dir = DP_CAPTURE_BOTH;
		else
			return "dir must be rx, tx or both";
		return NULL;
	case K_FILE:
		if (v[0] == '\0' || strlen(v) >= sizeof(req->file))
			return "file must be a file name";
		snprintf(req->file, sizeof(req->file), "%s", v);
		return NULL;
	case K_MAX_PACKETS:
		if (tm_parse_u64(v, UINT64_MAX, &n) != 0 || n == 0)
			return "max_packets must be a decimal of at least 1";
		req->max_packets = n;
		return NULL;
	case K_MAX_BYTES:
		if (tm_parse_u64(v, UINT64_MAX, &n) != 0 || n < CFG_CAPTURE_MIN_BYTES)
			return "max_bytes must be a decimal of at least 4096";
		req->max_bytes = n;
		return NULL;
	case K_SNAPLEN:
		if (tm_parse_u64(v, CP_CAPTURE_SNAPLEN_MAX, &n) != 0 || n == 0)
			return "snaplen must be a decimal from 1 to 65535";
		req->snaplen = (uint32_t)n;
		return NULL;
	default:
		return "unknown key";
	}
}

/* One "KEY=VALUE" (NUL-terminated) into req; seen: keys given so far. */
static int cp_capture_pair(char *tok, struct cp_capture_req *req, unsigned *seen,
			   char *err, size_t errlen)
{
	const char *v, *why;

	for (unsigned k = 0; k < K_MAX; k++) {
		if (tm_parse_kv(tok, cp_capture_keys[k], &v) != 0)
			continue;
		if (*seen & (1u << k)) {
			snprintf(err, errlen, "%s given twice", cp_capture_keys[k]);
			return -EINVAL;
		}
		*seen |= 1u << k;
		why = cp_capture_value((enum cp_capture_key)k, v, req);
		if (why != NULL) {
			snprintf(err, errlen, "%s", why);
			return -EINVAL;
		}
		return 0;
	}
	snprintf(err, errlen, "not KEY=VALUE with KEY iface, dir, file, max_packets, max_bytes "
		 "or snaplen");
	return -EINVAL;
}

int cp_capture_parse(const char *params, struct cp_capture_req *req, char *err, size_t errlen)
{
	char buf[TM_MAX_PARAMS + 1];
	unsigned seen = 0;
	char *tok, *end;

	memset(req, 0, sizeof(*req));
	if (params == NULL || params[0] == '\0')
		return 0;
	if (strlen(params) >= sizeof(buf)) {
		snprintf(err, errlen, "parameters too long");
		return -EINVAL;
	}
	strcpy(buf, params);
	for (tok = buf;; tok = end + 1) {
		int ret;

		end = strchr(tok, ',');
		if (end != NULL)
			*end = '\0';
		ret = cp_capture_pair(tok, req, &seen, err, errlen);
		if (ret != 0)
			return ret;
		if (end == NULL)
			return 0;
	}
}

/* ---- replies --------------------------------------------------------- */

static void cp_capture_reply(struct tm_reply *r)
{
	struct cp_capture_status st;

	cp_capture_status(&st);
	tm_add_u64(r, "available", st.available);
	if (!st.available)
		tm_add_str(r, "why", dp_capture_why());
	tm_add_u64(r, "running", st.running);
	tm_add_str(r, "file", st.file);
	tm_add_str(r, "iface", st.started ? st.iface : "");
	tm_add_str(r, "dir", st.started ? cp_capture_dir_name(st.dir) : "");
	tm_add_u64(r, "snaplen", st.snaplen);
	tm_add_u64(r, "max_packets", st.max_packets);
	tm_add_u64(r, "max_bytes", st.max_bytes);
	tm_add_u64(r, "packets", st.packets);
	tm_add_u64(r, "bytes", st.bytes);
	tm_add_u64(r, "dropped_ring_full", st.dropped_ring_full);
	tm_add_u64(r, "dropped_no_mbuf", st.dropped_no_mbuf);
	tm_add_u64(r, "dropped_limit", st.dropped_limit);
	tm_add_u64(r, "duration_ms", st.duration_ms);
	tm_add_str(r, "stop_reason", st.stop_reason);
	tm_add_str(r, "capture_dir", cp_capture_dir());
	tm_add_u64(r, "max_bytes_limit", cp_capture_max_bytes_limit());
	tm_add_u64(r, "snaplen_max", dp_capture_snaplen_max());
	tm_add_u64(r, "pool_mbufs", dp_capture_pool_size());
	tm_add_u64(r, "ring_size", dp_capture_ring_size());
}

int cp_capture_tm_status(const char *params, struct tm_reply *r)
{
	if (tm_no_params(r, "/ipsecgw/capture (no parameters)", params) != 0)
		return -1;
	cp_capture_reply(r);
	return 0;
}

int cp_capture_tm_start(const char *params, struct tm_reply *r)
{
	struct cp_capture_req req;
	char err[CP_CAPTURE_ERR];

	if (cp_capture_parse(params, &req, err, sizeof(err)) != 0) {
		tm_error(r, "%s (got '%.40s')", err, params);
		return -1;
	}
	if (cp_capture_start(&req, err, sizeof(err)) != 0) {
		tm_error(r, "%s", err);
		return -1;
	}
	cp_capture_reply(r);
	return 0;
}

int cp_capture_tm_stop(const char *params, struct tm_reply *r)
{
	struct cp_capture_status st;

	if (tm_no_params(r, "/ipsecgw/capture/stop (no parameters)", params) != 0)
		return -1;
	if (cp_capture_stop("stopped by the operator") != 0) {
		cp_capture_status(&st);
		if (st.started)
			tm_error(r, "no capture running (the last one: %.60s)", st.stop_reason);
		else
			tm_error(r, "no capture running");
		return -1;
	}
	cp_capture_reply(r);
	return 0;
}

int cp_capture_tm_register(void)
{
	static const struct cp_tm_cmd cmds[] = {
		{ "capture", cp_capture_tm_status,
		  "Packet capture: running, file, packets, bytes, drops. No parameters", false },
		{ "capture/start", cp_capture_tm_start,
		  "Start a pcapng capture. Params: iface=NAME|any,dir=rx|tx|both,file=NAME,"
		  "max_packets=N,max_bytes=N,snaplen=N", true },
		{ "capture/stop", cp_capture_tm_stop, "Stop the packet capture. No parameters", true },
	};

	return cp_tm_register_table(cmds, RTE_DIM(cmds));
}
