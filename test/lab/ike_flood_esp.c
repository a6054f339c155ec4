/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ike_flood_esp: a fixed-rate ESP stream for the flood benchmark (the fast
 * path's throughput on an existing SA, with and without an IKE flood).  Not
 * installed.  Runs in a peer namespace and sends ESP in UDP (RFC 3948) from
 * a kernel UDP socket to the gateway, for one manual SA with AES-128-GCM
 * (RFC 4106, 16-byte ICV): each datagram carries an inner IPv4 ICMP echo
 * reply, which the receiving host's kernel drops without an answer (so the
 * delivered count is its interface's rx_packets, and nothing comes back).
 *
 *   ike_flood_esp --dst A.B.C.D --spi N --key HEX40 --inner-src A.B.C.D
 *                 --inner-dst A.B.C.D [--port 4500] [--src-port 4500]
 *                 [--rate PPS] [--duration S] [--size BYTES] [--seq N]
 *
 *   --key     AES-128 key and 4-byte salt, 40 hex digits (0x optional), as
 *             the gateway's enc_key_in
 *   --rate    datagrams a second (default 10000); --duration S (default 5)
 *   --size    the inner packet's length (default 64)
 *   --seq     the first ESP sequence number (default 1): a second run on
 *             the same SA starts past the first (the replay window)
 *
 * Prints "ESP sent=N elapsed=S pps=R errors=E last_seq=Q".
 */

#define _GNU_SOURCE		/* sendmmsg */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <sys/socket.h>

enum {
	ESP_BATCH = 32,
	ESP_HDR = 8, ESP_IV = 8, ESP_ICV = 16,
	INNER_MAX = 1400,
	DGRAM_MAX = ESP_HDR + ESP_IV + INNER_MAX + 4 + 2 + ESP_ICV,
};

struct esp_run {
	struct sockaddr_in dst;
	uint16_t sport;
	uint32_t spi, inner_src, inner_dst;
	uint8_t key[16], salt[4];
	double rate, duration;
	unsigned size;
	uint64_t seq;
	EVP_CIPHER_CTX *ctx;
	uint64_t sent, errors;
};

static volatile sig_atomic_t esp_stop;

static void esp_on_signal(int sig)
{
	(void)sig;
	esp_stop = 1;
}

static double esp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t esp_csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static int esp_hex(const char *s, uint8_t *out, size_t n)
{
	if (strncmp(s, "0x", 2) == 0)
		s += 2;
	if (strlen(s) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

/* The inner packet (ICMP echo reply) and ESP trailer into pt; its length. */
static size_t esp_plain(const struct esp_run *r, uint64_t seq, uint8_t *pt)
{
	size_t len = r->size, pad;

	memset(pt, 0, len);
	pt[0] = 0x45;
	put16(pt + 2, (uint16_t)len);
	put16(pt + 4, (uint16_t)seq);
	pt[8] = 64;
	pt[9] = 1;			/* ICMP */
	memcpy(pt + 12, &r->inner_src, 4);
	memcpy(pt + 16, &r->inner_dst, 4);
	put16(pt + 10, esp_csum(pt, 20));
	pt[20] = 0;			/* echo reply */
	put16(pt + 24, 0x4546);		/* id "EF" */
	put16(pt + 26, (uint16_t)seq);
	put16(pt + 22, esp_csum(pt + 20, len - 20));
	pad = (4 - (len + 2) % 4) % 4;	/* RFC 4303 2.4: 4-byte alignment */
	for (size_t i = 0; i < pad; i++)
		pt[len + i] = (uint8_t)(i + 1);
	pt[len + pad] = (uint8_t)pad;
	pt[len + pad + 1] = 4;		/* next header: IPv4 */
	return len + pad + 2;
}

/* One ESP datagram (RFC 4106: nonce = salt | IV, AAD = SPI | seq); its length. */
static int esp_build(struct esp_run *r, uint64_t seq, uint8_t *d)
{
	uint8_t pt[INNER_MAX + 8], nonce[12];
	size_t n = esp_plain(r, seq, pt);
	int l1 = 0, l2 = 0;

	put32(d, r->spi);
	put32(d + 4, (uint32_t)seq);
	memset(d + 8, 0, 4);
	put32(d + 12, (uint32_t)seq);	/* IV: the sequence number, unique per key */
	memcpy(nonce, r->salt, 4);
	memcpy(nonce + 4, d + 8, 8);
	if (EVP_EncryptInit_ex(r->ctx, NULL, NULL, NULL, nonce) != 1 ||
	    EVP_EncryptUpdate(r->ctx, NULL, &l1, d, ESP_HDR) != 1 ||
	    EVP_EncryptUpdate(r->ctx, d + ESP_HDR + ESP_IV, &l1, pt, (int)n) != 1 ||
	    EVP_EncryptFinal_ex(r->ctx, d + ESP_HDR + ESP_IV + l1, &l2) != 1 ||
	    EVP_CIPHER_CTX_ctrl(r->ctx, EVP_CTRL_GCM_GET_TAG, ESP_ICV,
				d + ESP_HDR + ESP_IV + n) != 1)
		return -1;
	return (int)(ESP_HDR + ESP_IV + n + ESP_ICV);
}

static void esp_usage(void)
{
	fprintf(stderr, "usage: ike_flood_esp --dst A.B.C.D --spi N --key HEX40 --inner-src A.B.C.D "
			"--inner-dst A.B.C.D\n       [--port 4500] [--src-port 4500] [--rate PPS] "
			"[--duration S] [--size BYTES] [--seq N]\n");
}

static int esp_options(struct esp_run *r, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dst", required_argument, NULL, 'd' }, { "spi", required_argument, NULL, 's' },
		{ "key", required_argument, NULL, 'k' }, { "inner-src", required_argument, NULL, 'a' },
		{ "inner-dst", required_argument, NULL, 'b' }, { "port", required_argument, NULL, 'p' },
		{ "src-port", required_argument, NULL, 'P' }, { "rate", required_argument, NULL, 'r' },
		{ "duration", required_argument, NULL, 't' }, { "size", required_argument, NULL, 'z' },
		{ "seq", required_argument, NULL, 'q' }, { NULL, 0, NULL, 0 },
	};
	uint8_t key[20];
	unsigned have = 0;
	int o, bad;

	r->dst.sin_family = AF_INET;
	r->dst.sin_port = htons(4500);
	r->sport = 4500;
	r->rate = 10000;
	r->duration = 5;
	r->size = 64;
	r->seq = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd': bad = inet_pton(AF_INET, optarg, &r->dst.sin_addr) != 1; have |= 1; break;
		case 's': r->spi = (uint32_t)strtoul(optarg, NULL, 0); bad = r->spi < 256; have |= 2; break;
		case 'k':
			bad = esp_hex(optarg, key, sizeof(key));
			memcpy(r->key, key, 16);
			memcpy(r->salt, key + 16, 4);
			have |= 4;
			break;
		case 'a': bad = inet_pton(AF_INET, optarg, &r->inner_src) != 1; have |= 8; break;
		case 'b': bad = inet_pton(AF_INET, optarg, &r->inner_dst) != 1; have |= 16; break;
		case 'p': r->dst.sin_port = htons((uint16_t)atoi(optarg)); bad = 0; break;
		case 'P': r->sport = (uint16_t)atoi(optarg); bad = 0; break;
		case 'r': r->rate = atof(optarg); bad = r->rate <= 0; break;
		case 't': r->duration = atof(optarg); bad = r->duration <= 0; break;
		case 'z': r->size = (unsigned)atoi(optarg); bad = r->size < 28 || r->size > INNER_MAX; break;
		case 'q': r->seq = strtoull(optarg, NULL, 0); bad = r->seq == 0; break;
		default: esp_usage(); return -1;
		}
		if (bad) {
			fprintf(stderr, "ike_flood_esp: bad value: %s\n", optarg);
			return -1;
		}
	}
	if (have != 31 || optind != argc) {
		esp_usage();
		return -1;
	}
	return 0;
}

static int esp_socket(const struct esp_run *r)
{
	struct sockaddr_in src = { .sin_family = AF_INET, .sin_port = htons(r->sport) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), sz = 1 << 22;

	if (fd < 0 || bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0 ||
	    connect(fd, (const struct sockaddr *)&r->dst, sizeof(r->dst)) < 0) {
		perror("ike_flood_esp: UDP socket");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	return fd;
}

static void esp_loop(struct esp_run *r, int fd, double t0)
{
	static uint8_t bufs[ESP_BATCH][DGRAM_MAX];
	struct mmsghdr msgs[ESP_BATCH];
	struct iovec iov[ESP_BATCH];

	while (!esp_stop) {
		double now = esp_now();
		uint64_t due = (uint64_t)((now - t0) * r->rate) + 1;
		unsigned n;
		int k;

		if (now - t0 >= r->duration)
			break;
		due = due > r->sent ? due - r->sent : 0;
		n = due > ESP_BATCH ? ESP_BATCH : (unsigned)due;
		if (n == 0) {
			usleep(200);
			continue;
		}
		memset(msgs, 0, sizeof(msgs));
		for (unsigned i = 0; i < n; i++) {
			int len = esp_build(r, r->seq + i, bufs[i]);

			if (len < 0) {
				fprintf(stderr, "ike_flood_esp: AES-GCM failed\n");
				esp_stop = 1;
				return;
			}
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = (size_t)len;
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		k = sendmmsg(fd, msgs, n, 0);
		if (k < 0) {
			r->errors += n;		/* lost: counted as sent, the seq moves on */
			k = (int)n;
		}
		r->sent += (unsigned)k;
		r->seq += (unsigned)k;
	}
}

int main(int argc, char **argv)
{
	static struct esp_run r;
	struct sigaction sa = { .sa_handler = esp_on_signal };
	double t0, el;
	int fd, rc = 1;

	if (esp_options(&r, argc, argv) < 0)
		return 2;
	fd = esp_socket(&r);
	if (fd < 0)
		return 1;
	r.ctx = EVP_CIPHER_CTX_new();
	if (r.ctx == NULL || EVP_EncryptInit_ex(r.ctx, EVP_aes_128_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(r.ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) != 1 ||
	    EVP_EncryptInit_ex(r.ctx, NULL, NULL, r.key, NULL) != 1) {
		fprintf(stderr, "ike_flood_esp: AES-128-GCM set-up failed\n");
		goto out;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	t0 = esp_now();
	esp_loop(&r, fd, t0);
	el = esp_now() - t0;
	printf("ESP sent=%" PRIu64 " elapsed=%.3f pps=%.0f errors=%" PRIu64 " last_seq=%" PRIu64 "\n",
	       r.sent, el, el > 0 ? (double)r.sent / el : 0.0, r.errors, r.seq - 1);
	rc = r.sent > 0 ? 0 : 1;
out:
	EVP_CIPHER_CTX_free(r.ctx);
	OPENSSL_cleanse(r.key, sizeof(r.key));
	close(fd);
	return rc;
}
