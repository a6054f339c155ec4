/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A capture's life on the control plane (cp_capture.h): the file opened
 * safely in the capture directory, its pcapng header, the filter armed in
 * the data plane, the copies written on each tick with their real time,
 * the limits, the stop.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_pcapng.h>

#include "common/gw_log.h"
#include "controlplane/cp_capture.h"
#include "dataplane/dp.h"
#include "dataplane/dp_capture.h"

enum {
	CP_CAPTURE_EPB = 6,		/* pcapng Enhanced Packet Block type */
	CP_CAPTURE_COMMENT_MAX = 512,
	CP_CAPTURE_NS = 1000000000,
};

/* The head of an Enhanced Packet Block, as rte_pcapng_copy() lays it out
 * at the start of a copy (host byte order, like the whole file). */
struct cp_capture_epb {
	uint32_t block_type;
	uint32_t block_length;
	uint32_t interface_id;
	uint32_t ts_hi;
	uint32_t ts_lo;
	uint32_t caplen;
	uint32_t origlen;
};

static struct {
	char dir[CFG_PATH_MAX];
	uint64_t max_bytes_cap;
	bool running;
	bool full;			/* max_bytes reached: the rest is dropped */
	bool limit_seen;		/* the workers took max_packets (one tick ago) */
	uint32_t gen;
	unsigned seq;			/* captures started, for generated names */
	rte_pcapng_t *pcapng;
	struct cp_capture_status st;
	struct dp_capture_stats st0;	/* the data plane's totals at the start */
	uint64_t drop_bytes;		/* dropped by the control plane: max_bytes */
	uint64_t tsc0, ns0, hz, start_ms;
} cpc = { .dir = CFG_CAPTURE_DIR_DEFAULT, .max_bytes_cap = CFG_CAPTURE_MAX_BYTES_DEFAULT };

static uint64_t cp_capture_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- pure helpers ---------------------------------------------------- */

uint64_t cp_capture_tsc_ns(uint64_t tsc, uint64_t tsc0, uint64_t ns0, uint64_t hz)
{
	uint64_t d, secs;

	if (hz == 0 || tsc <= tsc0)
		return ns0;	/* a TSC read before the base (another core): the base */
	d = tsc - tsc0;
	secs = d / hz;
	/* (d % hz) * 1e9 fits: hz < 18 GHz */
	return ns0 + secs * CP_CAPTURE_NS + (d % hz) * CP_CAPTURE_NS / hz;
}

static bool cp_capture_name_ok(const char *s)
{
	size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");

	return n > 0 && s[n] == '\0' && n <= CP_CAPTURE_NAME_MAX && s[0] != '.';
}

const char *cp_capture_file_name(const char *file, const char *dir, const char **why)
{
	size_t n = strlen(dir);

	if (file[0] == '/') {
		if (strncmp(file, dir, n) != 0 || file[n] != '/') {
			*why = "an absolute path must be in the capture directory";
			return NULL;
		}
		file += n + 1;
	}
	if (strchr(file, '/') != NULL) {
		*why = "a file name without '/' (no subdirectory)";
		return NULL;
	}
	if (!cp_capture_name_ok(file)) {
		*why = "1 to 128 characters of A-Z a-z 0-9 . _ -, not starting with '.'";
		return NULL;
	}
	return file;
}

/* ---- the file -------------------------------------------------------- */

/* A name for a capture started without file=: UTC time and a counter. */
static void cp_capture_gen_name(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;
	char t[32];

	gmtime_r(&now, &tm);
	strftime(t, sizeof(t), "%Y%m%d-%H%M%S", &tm);
	snprintf(buf, len, "capture-%s-%u.pcapng", t, cpc.seq);
}

/* Create name in the capture directory: 0600, a new file, no symlink
 * followed (neither the file nor the directory itself, which must be ours
 * and writable by no one else).  The fd, or -errno with err set; *dfd the
 * directory's fd. */
static int cp_capture_create_file(const char *name, int *dfd, char *err, size_t errlen)
{
	struct stat sb;
	int fd;

	if (mkdir(cpc.dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "capture directory %s: %s", cpc.dir, strerror(errno));
		return -errno;
	}
	*dfd = open(cpc.dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*dfd < 0) {
		int e = errno;		/* a symlink: ENOTDIR (ELOOP without O_DIRECTORY) */

		snprintf(err, errlen, "capture directory %s: %s", cpc.dir, strerror(e));
		return -e;
	}
	if (fstat(*dfd, &sb) != 0 || sb.st_uid != geteuid() ||
	    (sb.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		snprintf(err, errlen, "capture directory %s: not ours, or writable by others",
			 cpc.dir);
		close(*dfd);
		*dfd = -1;
		return -EPERM;
	}
	fd = openat(*dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		int e = errno;

		if (e == EEXIST)
			snprintf(err, errlen, "%s/%s exists: a capture never overwrites a file",
				 cpc.dir, name);
		else
			snprintf(err, errlen, "cannot create %s/%s: %s", cpc.dir, name, strerror(e));
		close(*dfd);
		*dfd = -1;
		return -e;
	}
	if (fchmod(fd, 0600) != 0)
		GW_LOG(cp, WARNING, "capture %s/%s: fchmod 0600: %s", cpc.dir, name, strerror(errno));
	return fd;
}

/* Index of port in the file: rte_pcapng_fdopen() numbers every port in
 * RTE_ETH_FOREACH_DEV order. */
static int cp_capture_port_index(uint16_t port)
{
	uint16_t p;
	int idx = 0;

	RTE_ETH_FOREACH_DEV(p) {
		if (p == port)
			return idx;
		idx++;
	}
	return -1;
}

/* The section comment: the filter, and our interface names. */
static void cp_capture_comment(char *buf, size_t len, const struct cp_capture_status *st)
{
	size_t off;

	off = (size_t)snprintf(buf, len, "ipsecgw capture: iface=%s dir=%s snaplen=%u; interfaces:",
			       st->iface, cp_capture_dir_name(st->dir), st->snaplen);
	for (unsigned i = 0; i < dp_nb_ifaces() && off < len; i++) {
		const struct dp_iface *ifc = dp_iface_get(i);

		off += (size_t)snprintf(buf + off, len - off, " %d=%s (%s)",
					cp_capture_port_index(ifc->port_id), ifc->name,
					ifc->port_name);
	}
}

/* Open the file and write its header (st->bytes: its size).  0 or -errno
 * with err set. */
static int cp_capture_open(const char *name, struct cp_capture_status *st, char *err,
			   size_t errlen)
{
	char comment[CP_CAPTURE_COMMENT_MAX], os[2 * sizeof(((struct utsname *)0)->release)];
	struct utsname u;
	int dfd = -1, fd;
	off_t size;

	fd = cp_capture_create_file(name, &dfd, err, errlen);
	if (fd < 0)
		return fd;
	snprintf(os, sizeof(os), "%s", "Linux");
	if (uname(&u) == 0)
		snprintf(os, sizeof(os), "%s %s", u.sysname, u.release);
	cp_capture_comment(comment, sizeof(comment), st);
	cpc.pcapng = rte_pcapng_fdopen(fd, os, NULL, "ipsecgw " GW_VERSION, comment);
	size = lseek(fd, 0, SEEK_CUR);
	if (cpc.pcapng == NULL || size <= 0 || (uint64_t)size > st->max_bytes) {
		snprintf(err, errlen, "cannot write the pcapng header of %s/%s: %s", cpc.dir, name,
			 cpc.pcapng == NULL ? rte_strerror(rte_errno) : "max_bytes is too small");
		if (cpc.pcapng != NULL)
			rte_pcapng_close(cpc.pcapng);	/* closes fd */
		else
			close(fd);
		cpc.pcapng = NULL;
		unlinkat(dfd, name, 0);
		close(dfd);
		return -EIO;
	}
	close(dfd);
	st->bytes = (uint64_t)size;
	return 0;
}

/* ---- start ----------------------------------------------------------- */

/* The interface mask of name ("" = all).  0 when unknown. */
static uint64_t cp_capture_ifaces(const char *name)
{
	if (name[0] == '\0')
		return dp_capture_all_ifaces();
	for (unsigned i = 0; i < dp_nb_ifaces() && i < 64; i++)
		if (strcmp(dp_iface_get(i)->name, name) == 0)
			return UINT64_C(1) << i;
	return 0;
}

/* Sizes and interface of req into f and a new status st.  0 or -EINVAL. */
static int cp_capture_settle(const struct cp_capture_req *req, struct dp_capture_filter *f,
			     struct cp_capture_status *st, char *err, size_t errlen)
{
	uint64_t max_bytes = req->max_bytes != 0 ? req->max_bytes
				: RTE_MIN(CP_CAPTURE_BYTES_DEFAULT, cpc.max_bytes_cap);

	f->ifaces = cp_capture_ifaces(req->iface);
	if (f->ifaces == 0) {
		snprintf(err, errlen, "no interface named '%s'", req->iface);
		return -EINVAL;
	}
	if (max_bytes > cpc.max_bytes_cap) {
		snprintf(err, errlen, "max_bytes %" PRIu64 " is above the configured limit "
			 "(capture.max_bytes = %" PRIu64 ")", max_bytes, cpc.max_bytes_cap);
		return -EINVAL;
	}
	f->dir = req->dir != 0 ? req->dir : DP_CAPTURE_BOTH;
	f->snaplen = req->snaplen != 0 ? RTE_MIN(req->snaplen, dp_capture_snaplen_max())
				       : dp_capture_snaplen_max();
	f->max_packets = req->max_packets;
	memset(st, 0, sizeof(*st));
	st->available = true;
	snprintf(st->iface, sizeof(st->iface), "%s", req->iface[0] != '\0' ? req->iface : "any");
	st->dir = f->dir;
	st->snaplen = f->snaplen;
	st->max_packets = f->max_packets;
	st->max_bytes = max_bytes;
	return 0;
}

int cp_capture_start(const struct cp_capture_req *req, char *err, size_t errlen)
{
	struct dp_capture_filter f;
	struct cp_capture_status st;
	char gen_name[CP_CAPTURE_NAME_MAX + 1];
	const char *name, *why = NULL;
	struct timespec ts;
	int ret;

	if (!dp_capture_available()) {
		snprintf(err, errlen, "capture unavailable: %s", dp_capture_why());
		return -ENODEV;
	}
	if (cpc.running) {
		snprintf(err, errlen, "a capture is already running (%s): stop it first", cpc.st.file);
		return -EBUSY;
	}
	cpc.seq++;
	cp_capture_gen_name(gen_name, sizeof(gen_name));
	name = req->file[0] != '\0' ? cp_capture_file_name(req->file, cpc.dir, &why) : gen_name;
	if (name == NULL) {
		snprintf(err, errlen, "bad file '%.64s': %s", req->file, why);
		return -EINVAL;
	}
	ret = cp_capture_settle(req, &f, &st, err, errlen);
	if (ret != 0)
		return ret;
	snprintf(st.file, sizeof(st.file), "%s/%s", cpc.dir, name);
	ret = cp_capture_open(name, &st, err, errlen);
	if (ret != 0)
		return ret;
	clock_gettime(CLOCK_REALTIME, &ts);
	cpc.tsc0 = rte_get_tsc_cycles();
	cpc.ns0 = (uint64_t)ts.tv_sec * CP_CAPTURE_NS + (uint64_t)ts.tv_nsec;
	cpc.hz = rte_get_tsc_hz();
	dp_capture_stats(&cpc.st0);
	ret = dp_capture_arm(&f, &cpc.gen);
	if (ret != 0) {
		snprintf(err, errlen, "the data plane refused the capture: %s", strerror(-ret));
		rte_pcapng_close(cpc.pcapng);
		cpc.pcapng = NULL;
		unlink(st.file);
		return ret;
	}
	cpc.st = st;
	cpc.running = cpc.st.running = cpc.st.started = true;
	cpc.full = cpc.limit_seen = false;
	cpc.drop_bytes = 0;
	cpc.start_ms = cp_capture_now_ms();
	GW_LOG(cp, NOTICE, "capture started: %s, iface %s, dir %s, snaplen %u, max_packets %" PRIu64
	       ", max_bytes %" PRIu64, cpc.st.file, cpc.st.iface, cp_capture_dir_name(cpc.st.dir),
	       cpc.st.snaplen, cpc.st.max_packets, cpc.st.max_bytes);
	return 0;
}

/* ---- writing --------------------------------------------------------- */

/* Write the real time of the copy's burst into its block. */
static void cp_capture_stamp(struct rte_mbuf *m, uint64_t tsc)
{
	struct cp_capture_epb *epb = rte_pktmbuf_mtod(m, struct cp_capture_epb *);
	uint64_t ns = cp_capture_tsc_ns(tsc, cpc.tsc0, cpc.ns0, cpc.hz);

	if (rte_pktmbuf_data_len(m) < sizeof(*epb) || epb->block_type != CP_CAPTURE_EPB)
		return;
	epb->ts_hi = (uint32_t)(ns >> 32);
	epb->ts_lo = (uint32_t)ns;
}

/* Write m[0..n) (freed).  0, or -1 after a write error (the capture is
 * to stop: st.stop_reason set). */
static int cp_capture_write(struct rte_mbuf **m, unsigned n, uint64_t len)
{
	ssize_t w = rte_pcapng_write_packets(cpc.pcapng, m, (uint16_t)n);

	rte_pktmbuf_free_bulk(m, n);
	if (w < 0 || (uint64_t)w != len) {
		snprintf(cpc.st.stop_reason, sizeof(cpc.st.stop_reason), "write error: %s",
			 w < 0 ? rte_strerror(rte_errno) : "short write");
		if (w > 0)
			cpc.st.bytes += (uint64_t)w;
		return -1;
	}
	cpc.st.bytes += len;
	cpc.st.packets += n;
	return 0;
}

/*
 * Copies of this capture from m[0..n) that still fit max_bytes, stamped,
 * into out; the rest (older captures' copies, or beyond max_bytes) freed.
 * *len: the bytes kept.  The count kept.
 */
static unsigned cp_capture_sort(struct rte_mbuf **m, unsigned n, struct rte_mbuf **out,
				uint64_t *len)
{
	unsigned k = 0;

	*len = 0;
	for (unsigned i = 0; i < n; i++) {
		const struct dp_capture_meta *meta = dp_capture_meta(m[i]);
		uint32_t l = rte_pktmbuf_pkt_len(m[i]);

		if (meta->gen != cpc.gen || !cpc.running) {
			rte_pktmbuf_free(m[i]);
			continue;
		}
		if (cpc.full || cpc.st.bytes + *len + l > cpc.st.max_bytes) {
			cpc.full = true;
			cpc.drop_bytes++;
			rte_pktmbuf_free(m[i]);
			continue;
		}
		cp_capture_stamp(m[i], meta->tsc);
		out[k++] = m[i];
		*len += l;
	}
	return k;
}

/* Write up to budget copies from the ring; -1 on a write error. */
static int cp_capture_drain(unsigned budget)
{
	struct rte_mbuf *m[CP_CAPTURE_BURST], *out[CP_CAPTURE_BURST];

	while (budget > 0) {
		unsigned n = dp_capture_dequeue(m, RTE_MIN(budget, (unsigned)CP_CAPTURE_BURST)), k;
		uint64_t len;

		if (n == 0)
			break;
		budget -= n;
		k = cp_capture_sort(m, n, out, &len);
		if (k > 0 && cp_capture_write(out, k, len) != 0) {
			/* the copies left in the ring: the next tick frees them */
			return -1;
		}
	}
	return 0;
}

/* ---- stop ------------------------------------------------------------ */

static void cp_capture_counts(void)
{
	struct dp_capture_stats now;

	dp_capture_stats(&now);
	cpc.st.dropped_ring_full = now.ring_full - cpc.st0.ring_full;
	cpc.st.dropped_no_mbuf = now.no_mbuf - cpc.st0.no_mbuf;
	cpc.st.dropped_limit = now.limit - cpc.st0.limit + cpc.drop_bytes;
	cpc.st.duration_ms = cp_capture_now_ms() - cpc.start_ms;
}

/* Disarm, write what the ring still holds (unless a write failed), close. */
static void cp_capture_end(const char *reason, bool drain)
{
	dp_capture_disarm();
	if (drain && !cpc.full)
		(void)cp_capture_drain(dp_capture_ring_size());
	cp_capture_counts();
	if (cpc.st.stop_reason[0] == '\0')
		snprintf(cpc.st.stop_reason, sizeof(cpc.st.stop_reason), "%s", reason);
	rte_pcapng_close(cpc.pcapng);
	cpc.pcapng = NULL;
	cpc.running = cpc.st.running = false;
	GW_LOG(cp, NOTICE, "capture stopped (%s): %s, %" PRIu64 " packets, %" PRIu64 " bytes, "
	       "dropped %" PRIu64 " ring full, %" PRIu64 " no mbuf, %" PRIu64 " over a limit",
	       cpc.st.stop_reason, cpc.st.file, cpc.st.packets, cpc.st.bytes,
	       cpc.st.dropped_ring_full, cpc.st.dropped_no_mbuf, cpc.st.dropped_limit);
}

int cp_capture_stop(const char *reason)
{
	if (!cpc.running)
		return -ENOENT;
	cp_capture_end(reason, true);
	return 0;
}

/* Copies of a capture already stopped (a worker's last burst): freed. */
static void cp_capture_discard(void)
{
	struct rte_mbuf *m[CP_CAPTURE_BURST];
	unsigned n;

	while ((n = dp_capture_dequeue(m, CP_CAPTURE_BURST)) > 0)
		rte_pktmbuf_free_bulk(m, n);
}

/* max_packets: every copy written, or the workers took them all and the
 * ring was drained a tick later (some were dropped on the way). */
static bool cp_capture_packets_done(void)
{
	uint64_t max = cpc.st.max_packets;

	if (max == 0)
		return false;
	if (cpc.st.packets >= max)
		return true;
	if (dp_capture_taken() < max)
		return false;
	if (cpc.limit_seen)
		return true;
	cpc.limit_seen = true;
	return false;
}

void cp_capture_tick(uint64_t now_ms)
{
	(void)now_ms;
	if (!cpc.running) {
		cp_capture_discard();
		return;
	}
	if (cp_capture_drain(dp_capture_ring_size()) != 0)
		cp_capture_end("write error", false);
	else if (cpc.full)
		cp_capture_end("max_bytes reached", false);
	else if (cp_capture_packets_done())
		cp_capture_end("max_packets reached", true);
}

void cp_capture_status(struct cp_capture_status *st)
{
	if (cpc.running)
		cp_capture_counts();
	*st = cpc.st;
	st->available = dp_capture_available();
}

const char *cp_capture_dir(void)
{
	return cpc.dir;
}

uint64_t cp_capture_max_bytes_limit(void)
{
	return cpc.max_bytes_cap;
}

int cp_capture_init(const struct gw_cfg *cfg)
{
	snprintf(cpc.dir, sizeof(cpc.dir), "%s", cfg->capture.dir);
	cpc.max_bytes_cap = cfg->capture.max_bytes;
	if (cpc.dir[0] == '\0')		/* a configuration built in code */
		snprintf(cpc.dir, sizeof(cpc.dir), "%s", CFG_CAPTURE_DIR_DEFAULT);
	if (cpc.max_bytes_cap == 0)
		cpc.max_bytes_cap = CFG_CAPTURE_MAX_BYTES_DEFAULT;
	return cp_capture_tm_register();
}

void cp_capture_fini(void)
{
	if (cpc.running)
		cp_capture_end("gateway shutting down", true);
	cp_capture_discard();
}
