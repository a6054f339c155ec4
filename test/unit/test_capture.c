/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet capture (dataplane/dp_capture.c, controlplane/cp_capture*.c).
 *
 * The pure parts, table-driven: the start parameters, the file names a
 * client may give, the TSC-to-wall-clock conversion.
 *
 * Then the REAL worker loop (dp_launch(), one worker) on two ports made
 * with rte_eth_from_rings() (outside: peer 10.10.0.2, inside: host
 * 192.168.10.50), with a capture pool of POOL copies (ring POOL / 2), a
 * capture started through the telemetry handler and written by
 * cp_capture_tick() as the control plane's loop would.  Each file is read
 * back by the small pcapng reader below (block framing, interfaces,
 * enhanced packet blocks): the packets of the filter, their direction and
 * interface, their bytes, snaplen, timestamps between start and stop; the
 * limits (max_packets exactly, max_bytes never crossed), a full ring
 * counted copy by copy, the refusals (a second start, an existing file, a
 * symlink, bad names, a capture directory that is a symlink or writable by
 * others), and not one capture mbuf left in use.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "controlplane/cp_capture.h"
#include "controlplane/cp_tm.h"
#include "dataplane/dp.h"
#include "dataplane/dp_capture.h"
#include "dataplane/dp_neigh.h"
#include "test/unit/test_dp.h"
#include "test/unit/test_eal.h"

enum {
	NPORT = 2,
	PO = 0, PI = 1,			/* outside, inside */
	RING = 4096,
	POOL = 64,			/* capture copies; the ring holds POOL / 2 */
	ETH = 14, V4 = 20,
	ILEN = 120,
	FLEN = ETH + ILEN,		/* every frame */
	WAIT_MS = 20000,		/* a slow, shared machine */
	MAX_PKTS = 256,
};

static struct rte_ring *rxr[NPORT], *txr[NPORT];
static struct rte_mempool *pool;
static char capdir[256];
static unsigned sent_total;		/* frames the worker forwarded so far */

static const struct rte_ether_addr peer_mac = { { 0x02, 0, 0, 0, 0x10, 0x02 } };
static const struct rte_ether_addr host_mac = { { 0x02, 0, 0, 0, 0x20, 0x50 } };

/* ---- the pure parts ---------------------------------------------------- */

struct parse_case {
	const char *params;
	const char *err;		/* NULL: accepted */
	const char *iface;
	uint8_t dir;
	uint64_t max_packets, max_bytes;
	uint32_t snaplen;
};

/* A refused case: params, a part of the message. */
#define BAD(p, e) { .params = (p), .err = (e) }

static const struct parse_case parse_cases[] = {
	{ NULL, NULL, "", 0, 0, 0, 0 },
	{ "", NULL, "", 0, 0, 0, 0 },
	{ "iface=inside", NULL, "inside", 0, 0, 0, 0 },
	{ "iface=any,dir=rx", NULL, "", DP_CAPTURE_RX, 0, 0, 0 },
	{ "dir=tx,max_packets=1,max_bytes=4096,snaplen=65535", NULL, "", DP_CAPTURE_TX, 1, 4096,
	  65535 },
	{ "snaplen=1,dir=both,iface=a-b_C9,file=x.pcapng", NULL, "a-b_C9", DP_CAPTURE_BOTH, 0, 0, 1 },
	{ "max_packets=18446744073709551615", NULL, "", 0, UINT64_MAX, 0, 0 },
	BAD("dir=rx,dir=rx", "dir given twice"),
	BAD("dir=RX", "dir must be rx, tx or both"),
	BAD("dir=", "dir must be rx, tx or both"),
	BAD("iface=", "iface must be"),
	BAD("iface=in side", "iface must be"),
	BAD("iface=0123456789012345678901234567890123", "iface must be"),
	BAD("max_packets=0", "max_packets must be"),
	BAD("max_packets=-1", "max_packets must be"),
	BAD("max_packets=18446744073709551616", "max_packets must be"),
	BAD("max_bytes=4095", "max_bytes must be a decimal of at least 4096"),
	BAD("max_bytes=0x1000", "max_bytes must be"),
	BAD("snaplen=0", "snaplen must be"),
	BAD("snaplen=65536", "snaplen must be"),
	BAD("snaplen= 5", "snaplen must be"),
	BAD("file=", "file must be"),
	BAD("dir=rx,", "not KEY=VALUE"),
	BAD(",dir=rx", "not KEY=VALUE"),
	BAD("dir=rx,,iface=any", "not KEY=VALUE"),
	BAD("bpf=icmp", "not KEY=VALUE"),
	BAD("iface", "not KEY=VALUE"),
	BAD("Dir=rx", "not KEY=VALUE"),
	BAD(" dir=rx", "not KEY=VALUE"),
};

static void test_parse(void)
{
	for (size_t i = 0; i < RTE_DIM(parse_cases); i++) {
		const struct parse_case *c = &parse_cases[i];
		struct cp_capture_req req;
		char err[128] = "";
		int rc = cp_capture_parse(c->params, &req, err, sizeof(err));
		bool ok = c->err == NULL ? rc == 0 && strcmp(req.iface, c->iface) == 0 &&
					   req.dir == c->dir && req.max_packets == c->max_packets &&
					   req.max_bytes == c->max_bytes && req.snaplen == c->snaplen
					 : rc == -EINVAL && strstr(err, c->err) != NULL;

		CU_ASSERT(ok);
		if (!ok)
			fprintf(stderr, "\n  case %zu '%s': rc %d err '%s'\n", i,
				c->params != NULL ? c->params : "(null)", rc, err);
	}
}

struct name_case {
	const char *file;
	const char *name;		/* NULL: refused */
};

static const struct name_case name_cases[] = {
	{ "a.pcapng", "a.pcapng" },
	{ "A-b_9.x", "A-b_9.x" },
	{ "/cap/dir/x.pcapng", "x.pcapng" },
	{ "..", NULL },
	{ "../x", NULL },
	{ ".hidden", NULL },
	{ "./x", NULL },
	{ "sub/x", NULL },
	{ "/cap/dir/../x", NULL },
	{ "/cap/dir/sub/x", NULL },
	{ "/cap/dirx/y", NULL },
	{ "/cap/x", NULL },
	{ "/etc/passwd", NULL },
	{ "/cap/dir/", NULL },
	{ "/cap/dir", NULL },
	{ "a b", NULL },
	{ "a\\b", NULL },
	{ "a:b", NULL },
	{ "a\nb", NULL },
};

static void test_file_names(void)
{
	char long_name[CP_CAPTURE_NAME_MAX + 2];
	const char *why = NULL;

	for (size_t i = 0; i < RTE_DIM(name_cases); i++) {
		const struct name_case *c = &name_cases[i];
		const char *got = cp_capture_file_name(c->file, "/cap/dir", &why);
		bool ok = c->name == NULL ? got == NULL : got != NULL && strcmp(got, c->name) == 0;

		CU_ASSERT(ok);
		if (!ok)
			fprintf(stderr, "\n  case %zu '%s': got '%s'\n", i, c->file,
				got != NULL ? got : "(refused)");
	}
	memset(long_name, 'a', sizeof(long_name));
	long_name[CP_CAPTURE_NAME_MAX] = '\0';
	CU_ASSERT_PTR_NOT_NULL(cp_capture_file_name(long_name, "/d", &why));
	long_name[CP_CAPTURE_NAME_MAX] = 'a';
	long_name[CP_CAPTURE_NAME_MAX + 1] = '\0';
	CU_ASSERT_PTR_NULL(cp_capture_file_name(long_name, "/d", &why));
}

static void test_tsc_ns(void)
{
	const uint64_t hz = 2600000000ull, ns0 = 1795000000ull * 1000000000ull, t0 = 123456789;
	const uint64_t year = 365ull * 86400;

	CU_ASSERT_EQUAL(cp_capture_tsc_ns(t0, t0, ns0, hz), ns0);
	CU_ASSERT_EQUAL(cp_capture_tsc_ns(t0 - 5, t0, ns0, hz), ns0);	/* before the base */
	CU_ASSERT_EQUAL(cp_capture_tsc_ns(t0 + 26, t0, ns0, hz), ns0 + 10);
	CU_ASSERT_EQUAL(cp_capture_tsc_ns(t0 + hz / 2, t0, ns0, hz), ns0 + 500000000);
	CU_ASSERT_EQUAL(cp_capture_tsc_ns(t0 + 3 * hz + 26, t0, ns0, hz), ns0 + 3000000010ull);
	/* a year of TSC: no overflow in the product */
	CU_ASSERT_EQUAL(cp_capture_tsc_ns(t0 + year * hz, t0, ns0, hz), ns0 + year * 1000000000ull);
	CU_ASSERT_EQUAL(cp_capture_tsc_ns(t0 + 1, t0, ns0, 3000000000ull), ns0);
	CU_ASSERT_EQUAL(cp_capture_tsc_ns(t0 + 7, t0, ns0, 0), ns0);
}

/* ---- a pcapng reader ------------------------------------------------- */

struct pkt {
	uint32_t ifid, flags, caplen, origlen;
	uint64_t ns;
	const uint8_t *data;
};

struct pfile {
	uint8_t *buf;
	size_t len;
	unsigned nif, n;
	struct pkt p[MAX_PKTS];
};

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* EPB options at o..end: the flags option's value (0 if absent). */
static uint32_t epb_flags(const uint8_t *o, const uint8_t *end)
{
	while (o + 4 <= end) {
		uint16_t code, len;

		memcpy(&code, o, 2);
		memcpy(&len, o + 2, 2);
		if (code == 0)
			break;
		if (code == 2 && len == 4 && o + 8 <= end)
			return rd32(o + 4);
		o += 4 + ((len + 3u) & ~3u);
	}
	return 0;
}

/* Read and check a whole file; false (said) if it does not hold together. */
static bool pfile_read(const char *path, struct pfile *f)
{
	FILE *fp = fopen(path, "rb");
	size_t off = 0;

	memset(f, 0, sizeof(*f));
	if (fp == NULL)
		return false;
	f->buf = malloc(1 << 22);
	f->len = f->buf != NULL ? fread(f->buf, 1, 1 << 22, fp) : 0;
	fclose(fp);
	if (f->len < 28 || rd32(f->buf) != 0x0A0D0D0A || rd32(f->buf + 8) != 0x1A2B3C4D) {
		fprintf(stderr, "\n  %s: no section header\n", path);
		return false;
	}
	while (off < f->len) {
		const uint8_t *b = f->buf + off;
		uint32_t type = rd32(b), blen = off + 12 <= f->len ? rd32(b + 4) : 0;

		if (blen < 12 || blen % 4 != 0 || off + blen > f->len || rd32(b + blen - 4) != blen) {
			fprintf(stderr, "\n  %s: bad block at %zu\n", path, off);
			return false;
		}
		if (type == 1) {
			f->nif++;
		} else if (type == 6 && f->n < MAX_PKTS) {
			struct pkt *p = &f->p[f->n++];

			p->ifid = rd32(b + 8);
			p->ns = (uint64_t)rd32(b + 12) << 32 | rd32(b + 16);
			p->caplen = rd32(b + 20);
			p->origlen = rd32(b + 24);
			p->data = b + 28;
			if (28 + p->caplen + 4 > blen || p->ifid >= f->nif) {
				fprintf(stderr, "\n  %s: bad packet block at %zu\n", path, off);
				return false;
			}
			p->flags = epb_flags(b + 28 + ((p->caplen + 3) & ~3u), b + blen - 4);
		}
		off += blen;
	}
	return true;
}

/* The file's interface index of a port: DPDK numbers every port in order. */
static uint32_t file_ifid(unsigned iface)
{
	uint16_t port = dp_iface_get(iface)->port_id, p;
	uint32_t idx = 0;

	RTE_ETH_FOREACH_DEV(p) {
		if (p == port)
			return idx;
		idx++;
	}
	return UINT32_MAX;
}

/* ---- the lab --------------------------------------------------------- */

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The frame inside host -> 10.10.0.2 with IP id id, as it arrives. */
static void frame_bytes(uint8_t *b, uint16_t id)
{
	struct rte_ether_hdr *e = (struct rte_ether_hdr *)b;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(b + ETH);

	e->dst_addr = dp_iface_get(PI)->mac;
	e->src_addr = host_mac;
	e->ether_type = htons(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, V4);
	ip->version_ihl = 0x45;
	ip->total_length = htons(ILEN);
	ip->packet_id = htons(id);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	inet_pton(AF_INET, "192.168.10.50", &ip->src_addr);
	inet_pton(AF_INET, "10.10.0.2", &ip->dst_addr);
	for (unsigned i = ETH + V4; i < FLEN; i++)
		b[i] = (uint8_t)(i * 7 + id);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/* n frames (ids id0..) into the inside port; wait until the worker has
 * forwarded them all to the outside port's TX ring, which is emptied. */
static bool inject(unsigned n, uint16_t id0)
{
	uint64_t t0 = test_dp_now_ms();
	struct rte_mbuf *m;
	unsigned got = 0;

	for (unsigned i = 0; i < n; i++) {
		m = rte_pktmbuf_alloc(pool);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		frame_bytes((uint8_t *)rte_pktmbuf_append(m, FLEN), (uint16_t)(id0 + i));
		while (rte_ring_enqueue(rxr[PI], m) != 0)
			rte_delay_us_sleep(1000);
	}
	while (got < n && test_dp_now_ms() - t0 <= WAIT_MS) {
		if (rte_ring_dequeue(txr[PO], (void **)&m) == 0) {
			rte_pktmbuf_free(m);
			got++;
		} else {
			rte_delay_us_sleep(1000);
		}
	}
	sent_total += got;
	if (got != n)
		fprintf(stderr, "\n  %u of %u frames forwarded after %d ms\n", got, n, WAIT_MS);
	return got == n;
}

/* Run a telemetry handler; true when its reply is not an error. */
static bool tm(tm_handler_fn fn, const char *params, char *json, size_t len)
{
	int n = tm_run_to_json(fn, params, json, len);

	return n > 0 && strstr(json, "\"error\"") == NULL;
}

static bool start(const char *params)
{
	char json[4096];
	bool ok = tm(cp_capture_tm_start, params, json, sizeof(json));

	if (!ok)
		fprintf(stderr, "\n  start %s: %s\n", params, json);
	return ok;
}

/* Tick (as the CP loop does) until n packets are written or it stopped. */
static struct cp_capture_status tick_until(uint64_t n)
{
	uint64_t t0 = test_dp_now_ms();
	struct cp_capture_status st;

	for (;;) {
		cp_capture_tick(test_dp_now_ms());
		cp_capture_status(&st);
		if (st.packets >= n || !st.running || test_dp_now_ms() - t0 > WAIT_MS)
			return st;
		rte_delay_us_sleep(1000);
	}
}

/* Tick for ms milliseconds (a filter that takes nothing: nothing comes). */
static void tick_for(uint64_t ms)
{
	uint64_t t0 = test_dp_now_ms();

	while (test_dp_now_ms() - t0 < ms) {
		cp_capture_tick(test_dp_now_ms());
		rte_delay_us_sleep(10 * 1000);
	}
}

static struct cp_capture_status stop(void)
{
	struct cp_capture_status st;
	char json[4096];

	CU_ASSERT(tm(cp_capture_tm_stop, NULL, json, sizeof(json)));
	cp_capture_status(&st);
	CU_ASSERT_FALSE(st.running);
	return st;
}

static void path_of(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", capdir, name);
}

/* ---- cases ----------------------------------------------------------- */

/* iface=inside,dir=rx: the frames as they came in, byte for byte. */
static void test_rx(void)
{
	struct cp_capture_status st;
	char path[512];
	struct pfile f;
	struct stat sb;
	uint64_t t0 = wall_ns(), t1;
	uint8_t want[FLEN];

	CU_ASSERT_FATAL(start("iface=inside,dir=rx,file=rx.pcapng"));
	CU_ASSERT_FATAL(inject(10, 100));
	st = tick_until(10);
	t1 = wall_ns();
	st = stop();
	CU_ASSERT_EQUAL(st.packets, 10);
	CU_ASSERT_STRING_EQUAL(st.stop_reason, "stopped by the operator");
	path_of(path, sizeof(path), "rx.pcapng");
	CU_ASSERT_FATAL(stat(path, &sb) == 0);
	CU_ASSERT_EQUAL(sb.st_mode & 07777, 0600);
	CU_ASSERT_EQUAL((uint64_t)sb.st_size, st.bytes);
	CU_ASSERT_FATAL(pfile_read(path, &f));
	CU_ASSERT_EQUAL(f.nif, rte_eth_dev_count_avail());
	CU_ASSERT_EQUAL(f.n, 10);
	for (unsigned i = 0; i < f.n; i++) {
		const struct pkt *p = &f.p[i];

		frame_bytes(want, (uint16_t)(100 + i));
		CU_ASSERT_EQUAL(p->ifid, file_ifid(PI));
		CU_ASSERT_EQUAL(p->flags & 3, 1);		/* inbound */
		CU_ASSERT_EQUAL(p->caplen, FLEN);
		CU_ASSERT_EQUAL(p->origlen, FLEN);
		CU_ASSERT(p->caplen == FLEN && memcmp(p->data, want, FLEN) == 0);
		CU_ASSERT(p->ns >= t0 && p->ns <= t1);
		CU_ASSERT(i == 0 || p->ns >= f.p[i - 1].ns);
	}
	printf("[%u packets, %" PRIu64 " bytes, %.3f ms from start to the last] ", f.n, st.bytes,
	       f.n > 0 ? (double)(f.p[f.n - 1].ns - t0) / 1e6 : 0.0);
	free(f.buf);
}

/* iface=outside,dir=tx: the frames as handed to the PMD, TTL one less. */
static void test_tx(void)
{
	struct cp_capture_status st;
	char path[512];
	struct pfile f;

	CU_ASSERT_FATAL(start("iface=outside,dir=tx,file=tx.pcapng"));
	CU_ASSERT_FATAL(inject(10, 200));
	st = tick_until(10);
	st = stop();
	CU_ASSERT_EQUAL(st.packets, 10);
	path_of(path, sizeof(path), "tx.pcapng");
	CU_ASSERT_FATAL(pfile_read(path, &f));
	CU_ASSERT_EQUAL(f.n, 10);
	for (unsigned i = 0; i < f.n; i++) {
		const struct pkt *p = &f.p[i];
		const struct rte_ether_hdr *e = (const struct rte_ether_hdr *)p->data;
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(p->data + ETH);

		CU_ASSERT_EQUAL(p->ifid, file_ifid(PO));
		CU_ASSERT_EQUAL(p->flags & 3, 2);		/* outbound */
		CU_ASSERT_EQUAL_FATAL(p->caplen, FLEN);
		CU_ASSERT(rte_is_same_ether_addr(&e->dst_addr, &peer_mac));
		CU_ASSERT_EQUAL(ip->time_to_live, 63);
		CU_ASSERT_EQUAL(ntohs(ip->packet_id), 200 + i);
	}
	free(f.buf);
}

/* A filter that takes none of the traffic: an empty file, nothing copied. */
static void test_filter_excludes(void)
{
	struct dp_capture_stats a, b;
	struct cp_capture_status st;
	char path[512];
	struct pfile f;

	dp_capture_stats(&a);
	CU_ASSERT_FATAL(start("iface=outside,dir=rx,file=none.pcapng"));
	CU_ASSERT_FATAL(inject(10, 300));
	CU_ASSERT_FATAL(start("iface=inside,dir=tx,file=none2.pcapng") == false);	/* busy */
	tick_for(200);
	st = stop();
	dp_capture_stats(&b);
	CU_ASSERT_EQUAL(st.packets, 0);
	CU_ASSERT_EQUAL(b.copied - a.copied, 0);
	path_of(path, sizeof(path), "none.pcapng");
	CU_ASSERT_FATAL(pfile_read(path, &f));
	CU_ASSERT_EQUAL(f.n, 0);
	CU_ASSERT_EQUAL(f.nif, rte_eth_dev_count_avail());
	free(f.buf);
	/* the other pair, in a capture of its own */
	CU_ASSERT_FATAL(start("iface=inside,dir=tx,file=none2.pcapng"));
	CU_ASSERT_FATAL(inject(5, 350));
	tick_for(200);
	st = stop();
	CU_ASSERT_EQUAL(st.packets, 0);
}

/* snaplen: the first bytes, the length on the wire kept. */
static void test_snaplen(void)
{
	char path[512];
	struct pfile f;
	uint8_t want[FLEN];

	CU_ASSERT_FATAL(start("snaplen=60,dir=rx,iface=inside,file=snap.pcapng"));
	CU_ASSERT_FATAL(inject(3, 400));
	tick_until(3);
	stop();
	path_of(path, sizeof(path), "snap.pcapng");
	CU_ASSERT_FATAL(pfile_read(path, &f));
	CU_ASSERT_EQUAL_FATAL(f.n, 3);
	frame_bytes(want, 400);
	CU_ASSERT_EQUAL(f.p[0].caplen, 60);
	CU_ASSERT_EQUAL(f.p[0].origlen, FLEN);
	CU_ASSERT(memcmp(f.p[0].data, want, 60) == 0);
	free(f.buf);
}

/* max_packets=3 of 10: exactly 3 written, 7 counted, stopped by itself. */
static void test_max_packets(void)
{
	struct cp_capture_status st;
	char path[512];
	struct pfile f;

	CU_ASSERT_FATAL(start("max_packets=3,dir=rx,file=three.pcapng"));
	CU_ASSERT_FATAL(inject(10, 500));
	st = tick_until(UINT64_MAX);
	CU_ASSERT_FALSE(st.running);
	CU_ASSERT_STRING_EQUAL(st.stop_reason, "max_packets reached");
	CU_ASSERT_EQUAL(st.packets, 3);
	CU_ASSERT_EQUAL(st.dropped_limit, 7);
	path_of(path, sizeof(path), "three.pcapng");
	CU_ASSERT_FATAL(pfile_read(path, &f));
	CU_ASSERT_EQUAL(f.n, 3);
	free(f.buf);
}

/* max_bytes=4096: the file stops short of the bound by less than a block. */
static void test_max_bytes(void)
{
	struct cp_capture_status st;
	char path[512];
	struct stat sb;
	struct pfile f;
	const unsigned n = POOL / 2 - 2;	/* all fit the ring: none dropped there */
	const unsigned block = 28 + FLEN + 2 + 20;	/* EPB + padding + options + length */

	CU_ASSERT_FATAL(start("max_bytes=4096,dir=rx,file=bytes.pcapng"));
	CU_ASSERT_FATAL(inject(n, 600));
	st = tick_until(UINT64_MAX);
	CU_ASSERT_FALSE(st.running);
	CU_ASSERT_STRING_EQUAL(st.stop_reason, "max_bytes reached");
	path_of(path, sizeof(path), "bytes.pcapng");
	CU_ASSERT_FATAL(stat(path, &sb) == 0);
	CU_ASSERT((uint64_t)sb.st_size <= 4096 && (uint64_t)sb.st_size > 4096 - block);
	CU_ASSERT_EQUAL((uint64_t)sb.st_size, st.bytes);
	CU_ASSERT_EQUAL(st.packets + st.dropped_limit, n);
	CU_ASSERT_EQUAL(st.dropped_ring_full + st.dropped_no_mbuf, 0);
	CU_ASSERT_FATAL(pfile_read(path, &f));
	CU_ASSERT_EQUAL(f.n, st.packets);
	printf("[%" PRIu64 " bytes, %" PRIu64 " packets, %" PRIu64 " over] ", st.bytes,
	       st.packets, st.dropped_limit);
	free(f.buf);
}

/* The control plane away: the ring fills, every further copy is counted. */
static void test_ring_full(void)
{
	struct dp_capture_stats a, b;
	struct cp_capture_status st;
	const unsigned n = 100, cap = dp_capture_ring_size();

	CU_ASSERT_EQUAL(cap, POOL / 2);
	dp_capture_stats(&a);
	CU_ASSERT_FATAL(start("dir=rx,iface=inside,file=full.pcapng"));
	CU_ASSERT_FATAL(inject(n, 700));		/* no tick meanwhile */
	dp_capture_stats(&b);
	CU_ASSERT_EQUAL(b.copied - a.copied, cap);
	CU_ASSERT_EQUAL(b.ring_full - a.ring_full + b.no_mbuf - a.no_mbuf, n - cap);
	CU_ASSERT(b.ring_full - a.ring_full > 0);
	st = tick_until(cap);
	st = stop();
	CU_ASSERT_EQUAL(st.packets, cap);
	CU_ASSERT_EQUAL(st.dropped_ring_full + st.dropped_no_mbuf, n - cap);
	printf("[ring %u: %" PRIu64 " written, %" PRIu64 " ring full, %" PRIu64 " no mbuf] ", cap,
	       st.packets, st.dropped_ring_full, st.dropped_no_mbuf);
}

/* What a client may not do, each refused with nothing created. */
static void test_refused(void)
{
	char json[4096], path[512], target[512];
	struct stat sb;
	FILE *fp;

	CU_ASSERT_FALSE(tm(cp_capture_tm_stop, NULL, json, sizeof(json)));
	CU_ASSERT_PTR_NOT_NULL(strstr(json, "no capture running"));
	CU_ASSERT_FALSE(tm(cp_capture_tm_start, "file=rx.pcapng", json, sizeof(json)));
	CU_ASSERT_PTR_NOT_NULL(strstr(json, "exists"));
	snprintf(target, sizeof(target), "%s.target", capdir);
	fp = fopen(target, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	fclose(fp);
	path_of(path, sizeof(path), "link.pcapng");
	CU_ASSERT_EQUAL_FATAL(symlink(target, path), 0);
	CU_ASSERT_FALSE(tm(cp_capture_tm_start, "file=link.pcapng", json, sizeof(json)));
	CU_ASSERT_PTR_NOT_NULL(strstr(json, "exists"));
	CU_ASSERT(stat(target, &sb) == 0 && sb.st_size == 0);
	unlink(target);
	CU_ASSERT_FALSE(tm(cp_capture_tm_start, "file=../x.pcapng", json, sizeof(json)));
	CU_ASSERT_PTR_NOT_NULL(strstr(json, "bad file"));
	CU_ASSERT_FALSE(tm(cp_capture_tm_start, "file=/tmp/x.pcapng", json, sizeof(json)));
	CU_ASSERT_FALSE(tm(cp_capture_tm_start, "iface=nosuch", json, sizeof(json)));
	CU_ASSERT_PTR_NOT_NULL(strstr(json, "no interface named"));
	CU_ASSERT_FALSE(tm(cp_capture_tm_start, "max_bytes=1073741825", json, sizeof(json)));
	CU_ASSERT_PTR_NOT_NULL(strstr(json, "configured limit"));
	/* The directory itself a symlink, or writable by others. */
	snprintf(target, sizeof(target), "%s.real", capdir);
	CU_ASSERT_EQUAL_FATAL(stat(capdir, &sb), 0);
	CU_ASSERT_EQUAL_FATAL(rename(capdir, target), 0);
	CU_ASSERT_EQUAL_FATAL(symlink(target, capdir), 0);
	CU_ASSERT_FALSE(tm(cp_capture_tm_start, "file=dirlink.pcapng", json, sizeof(json)));
	CU_ASSERT_PTR_NOT_NULL(strstr(json, "Not a directory"));
	CU_ASSERT_EQUAL(unlink(capdir), 0);
	CU_ASSERT_EQUAL_FATAL(rename(target, capdir), 0);
	path_of(path, sizeof(path), "dirlink.pcapng");
	CU_ASSERT(access(path, F_OK) != 0);
	CU_ASSERT_EQUAL_FATAL(chmod(capdir, 0777), 0);
	CU_ASSERT_FALSE(tm(cp_capture_tm_start, "file=open.pcapng", json, sizeof(json)));
	CU_ASSERT_PTR_NOT_NULL(strstr(json, "writable by others"));
	CU_ASSERT_EQUAL(chmod(capdir, sb.st_mode & 07777), 0);
	path_of(path, sizeof(path), "open.pcapng");
	CU_ASSERT(access(path, F_OK) != 0);
	CU_ASSERT_FALSE(tm(cp_capture_tm_status, "x", json, sizeof(json)));
	CU_ASSERT(tm(cp_capture_tm_status, NULL, json, sizeof(json)));
	CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"running\":0"));
	CU_ASSERT_PTR_NOT_NULL(strstr(json, "full.pcapng"));	/* the last one's */
	CU_ASSERT(cp_tm_audited("capture/start"));
	CU_ASSERT(cp_tm_audited("capture/stop"));
	CU_ASSERT_FALSE(cp_tm_audited("capture"));
}

/* A generated name; then every copy back in the pool. */
static void test_no_leak(void)
{
	struct cp_capture_status st;
	struct stat sb;

	CU_ASSERT_FATAL(start(NULL));
	cp_capture_status(&st);
	CU_ASSERT(strncmp(st.file + strlen(capdir), "/capture-", 9) == 0);
	CU_ASSERT_STRING_EQUAL(st.iface, "any");
	CU_ASSERT_EQUAL(st.snaplen, dp_capture_snaplen_max());
	CU_ASSERT_FATAL(inject(12, 800));	/* 24 copies: the ring holds 32 */
	st = tick_until(24);		/* in on inside, out on outside */
	st = stop();
	CU_ASSERT_EQUAL(st.packets, 24);
	CU_ASSERT(stat(st.file, &sb) == 0);
	cp_capture_tick(test_dp_now_ms());
	printf("[capture pool: %u of %u in use] ", dp_capture_pool_in_use(),
	       dp_capture_pool_size());
	CU_ASSERT_EQUAL(dp_capture_pool_in_use(), 0);
}

/*
 * What the hooks cost, timed with the TSC on this lcore as an unused
 * worker index (a micro-benchmark: figures printed, none asserted, since
 * the machine's speed swings): a 32-packet burst of 134-byte frames
 * through dp_capture_rx() with no capture, with a capture whose filter
 * takes nothing, and copying every packet (ring full: copied and freed;
 * ring drained each burst: copied and enqueued, then dequeued and freed
 * here).  The copies are counted exactly all the same.
 */
static void test_cost(void)
{
	enum { BURSTS_OFF = 1000000, BURSTS_COPY = 20000 };
	const unsigned w = CFG_MAX_WORKERS - 1;	/* DP_MAX_WORKERS - 1: no worker of ours */
	struct rte_mbuf *m[DP_BURST], *c[DP_BURST];
	struct dp_capture_stats a, b;
	double off, filt, full, drained;
	uint64_t t0;
	unsigned n;

	for (unsigned i = 0; i < DP_BURST; i++) {
		m[i] = rte_pktmbuf_alloc(pool);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m[i]);
		frame_bytes((uint8_t *)rte_pktmbuf_append(m[i], FLEN), (uint16_t)i);
	}
	t0 = rte_rdtsc();
	for (unsigned i = 0; i < BURSTS_OFF; i++)
		dp_capture_rx(w, PI, m, DP_BURST);
	off = (double)(rte_rdtsc() - t0) / BURSTS_OFF;
	CU_ASSERT_FATAL(start("iface=outside,dir=rx,file=cost1.pcapng"));
	t0 = rte_rdtsc();
	for (unsigned i = 0; i < BURSTS_OFF; i++)
		dp_capture_rx(w, PI, m, DP_BURST);
	filt = (double)(rte_rdtsc() - t0) / BURSTS_OFF;
	stop();
	CU_ASSERT_FATAL(start("iface=inside,dir=rx,file=cost2.pcapng,max_bytes=4096"));
	dp_capture_stats(&a);
	t0 = rte_rdtsc();
	for (unsigned i = 0; i < BURSTS_COPY; i++)
		dp_capture_rx(w, PI, m, DP_BURST);
	full = (double)(rte_rdtsc() - t0) / BURSTS_COPY / DP_BURST;
	while ((n = dp_capture_dequeue(c, DP_BURST)) > 0)
		rte_pktmbuf_free_bulk(c, n);
	t0 = rte_rdtsc();
	for (unsigned i = 0; i < BURSTS_COPY; i++) {
		dp_capture_rx(w, PI, m, DP_BURST);
		n = dp_capture_dequeue(c, DP_BURST);
		rte_pktmbuf_free_bulk(c, n);
	}
	drained = (double)(rte_rdtsc() - t0) / BURSTS_COPY / DP_BURST;
	dp_capture_stats(&b);
	CU_ASSERT_EQUAL(b.copied - a.copied + b.ring_full - a.ring_full + b.no_mbuf - a.no_mbuf,
			2ull * BURSTS_COPY * DP_BURST);
	stop();
	rte_pktmbuf_free_bulk(m, DP_BURST);
	printf("[TSC %.2f GHz; off %.2f cycles per burst, filtered %.2f per burst; copying "
	       "%.0f per packet (ring full), %.0f (copied, enqueued, dequeued, freed)] ",
	       (double)rte_get_tsc_hz() / 1e9, off, filt, full, drained);
}

/* ---- set-up ---------------------------------------------------------- */

static int ports_create(void)
{
	static const char *const names[NPORT] = { "o", "i" };
	char rn[32];

	for (unsigned p = 0; p < NPORT; p++) {
		snprintf(rn, sizeof(rn), "cap_rx%u", p);
		rxr[p] = rte_ring_create(rn, RING, 0, 0);
		snprintf(rn, sizeof(rn), "cap_tx%u", p);
		txr[p] = rte_ring_create(rn, RING, 0, 0);
		if (rxr[p] == NULL || txr[p] == NULL)
			return -1;
		if (test_dp_ring_port(names[p], &rxr[p], &txr[p], 1, (uint8_t)(p + 1)) != 0)
			return -1;
	}
	return 0;
}

static int suite_init(void)
{
	struct gw_cfg cfg;
	struct gw_addr a;

	snprintf(capdir, sizeof(capdir), "/tmp/ut_capture.%d", (int)getpid());
	if (ports_create() != 0)
		return -1;
	test_dp_cfg(&cfg, "net_ring_o", "net_ring_i");
	cfg.workers = 1;
	cfg.worker_idle_backoff = true;		/* a small, shared machine */
	cfg.capture.mbufs = POOL;
	cfg.capture.max_bytes = 1u << 30;
	snprintf(cfg.capture.dir, sizeof(cfg.capture.dir), "%s", capdir);
	if (dp_init(&cfg) != 0 || !dp_capture_available() || cp_capture_init(&cfg) != 0)
		return -1;
	pool = dp_mbuf_pool();
	gw_addr_parse("10.10.0.2", &a);
	if (dp_neigh_set(PO, &a, &peer_mac) != 0)
		return -1;
	gw_addr_parse("192.168.10.50", &a);
	if (dp_neigh_set(PI, &a, &host_mac) != 0)
		return -1;
	return dp_launch() == 0 ? 0 : -1;
}

static int suite_fini(void)
{
	char cmd[600];

	dp_stop();
	cp_capture_fini();
	dp_fini();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", capdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", capdir);
	return 0;
}

int main(void)
{
	static const char *const eal[] = { "--lcores=(0-1)@(0-1)" };	/* 2 CPUs here */
	static const struct test_dp_case pure[] = {
		{ "start parameters", test_parse },
		{ "file names", test_file_names },
		{ "TSC to wall clock", test_tsc_ns },
	};
	static const struct test_dp_case live[] = {
		{ "iface=inside,dir=rx: the frames as received", test_rx },
		{ "iface=outside,dir=tx: the frames as sent", test_tx },
		{ "a filter that takes nothing, a second start refused", test_filter_excludes },
		{ "snaplen", test_snaplen },
		{ "max_packets", test_max_packets },
		{ "max_bytes", test_max_bytes },
		{ "ring full, counted", test_ring_full },
		{ "refusals", test_refused },
		{ "cost of the hooks (micro-benchmark)", test_cost },
		{ "a generated name, no mbuf left", test_no_leak },
	};

	if (test_dp_begin("capture", 1, eal) != 0)
		return 1;
	test_dp_suite("capture_pure", NULL, NULL, pure, RTE_DIM(pure));
	test_dp_suite("capture_live", suite_init, suite_fini, live, RTE_DIM(live));
	return test_dp_end();
}
