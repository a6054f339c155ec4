/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_BENCH_ESP_H
#define GW_BENCH_ESP_H

/*
 * ESP benchmark (test/bench/bench_esp.c), shared by its files:
 *   bench_esp_ceil.c   the raw intel-ipsec-mb ceiling (no packets, no EAL)
 *   bench_esp_pipe.c   the in-process pipeline through esp_out/esp_in_burst
 *   bench_esp_pcap.c   pcap files for the full I/O benchmark (bench.sh)
 *
 * One cell of the matrix is a struct bench_spec.  Its size is the length
 * of the plain Ethernet frame (without FCS): what the gateway receives to
 * encrypt, and what it forwards after decrypting.  The inner IP packet is
 * 14 bytes shorter; Gbps figures count these plain frame bytes.
 *
 * Single-threaded: everything runs on the calling thread.
 */

#include <stdbool.h>
#include <stdint.h>

#include "common/gw_esp.h"

enum {
	BENCH_BURST = 64,		/* packets per round (ESP_BURST_MAX) */
	BENCH_FRAME_MIN = 64,		/* Ethernet + IPv4 + UDP + payload */
	BENCH_FRAME_MAX = 1500,
	BENCH_SAS_MAX = 100000,
	BENCH_PCAP_MAX = 8192,		/* net_pcap keeps one mbuf per packet */
};

/*
 * The lab's addresses, also written into test/bench/bench_esp.conf.in
 * (keep them equal): the gateway 10.30.0.1 on the outside, its ESP peer
 * 10.30.0.2; the protected LAN 192.168.10.0/24 with host .10 inside; the
 * far side's hosts 172.16.0.0 + i, one /32 per SA i.
 */
#define BENCH_GW_OUTER "10.30.0.1"
#define BENCH_PEER_OUTER "10.30.0.2"
#define BENCH_LAN "192.168.10.0/24"
#define BENCH_LAN_HOST "192.168.10.10"
#define BENCH_REMOTE_BASE 0xac100000u	/* 172.16.0.0, host order */

struct bench_spec {
	enum esp_alg alg;		/* ESP_ALG_AES128GCM16 or ESP_ALG_AES128_SHA256 */
	unsigned frame_len;		/* plain Ethernet frame, bytes */
	unsigned n_sas;			/* round-robin over this many SAs */
	bool decrypt;
};

/* What the crypto of one packet of spec covers (as esp_out_burst lays it
 * out for an inner IPv4 packet of frame_len - 14 bytes). */
struct bench_geom {
	unsigned inner_len;		/* IP packet */
	unsigned ct_len;		/* payload + padding + trailer */
	unsigned iv_len, icv_len;
	unsigned auth_len;		/* HMAC: ESP header + IV + ciphertext */
	unsigned esp_len;		/* ESP header .. ICV */
};

void bench_geom(const struct bench_spec *s, struct bench_geom *g);
/* "aes128gcm16" / "aes128-sha256" as the short words of the command line. */
const char *bench_alg_word(enum esp_alg alg);

/* One measurement: packets done in a wall-clock interval, and its TSC. */
struct bench_rate {
	uint64_t pkts;
	double secs;
	uint64_t tsc;
};

static inline double bench_mpps(const struct bench_rate *r)
{
	return r->secs > 0 ? (double)r->pkts / r->secs / 1e6 : 0;
}

static inline double bench_cycles(const struct bench_rate *r)
{
	return r->pkts != 0 ? (double)r->tsc / (double)r->pkts : 0;
}

double bench_now(void);		/* CLOCK_MONOTONIC, seconds */

/* --- the ceiling (bench_esp_ceil.c): no EAL needed --- */
struct bench_ceil;
/* NULL on failure (printed). */
struct bench_ceil *bench_ceil_create(const struct bench_spec *s, bool job_api);
/* Run bursts of BENCH_BURST for secs; 0, or -EIO when a job failed. */
int bench_ceil_run(struct bench_ceil *c, double secs, struct bench_rate *r);
void bench_ceil_free(struct bench_ceil *c);
/* The instruction set init_mb_mgr_auto() picked. */
const char *bench_ceil_arch(const struct bench_ceil *c);

/* --- the pipeline (bench_esp_pipe.c): after EAL and dp_init() --- */
struct bench_pipe;
/*
 * Install spec's SAs (and policies), build its packets, and check one
 * round end to end (bytes compared).  use_spd: find the tunnel of an
 * outbound packet with dp_spd_lookup4(), as the worker does.  NULL on
 * failure (printed).
 */
struct bench_pipe *bench_pipe_create(const struct bench_spec *s, bool use_spd);
/* Run rounds of BENCH_BURST for secs; 0, or -EIO when a packet was dropped. */
int bench_pipe_run(struct bench_pipe *p, double secs, struct bench_rate *r);
/* Did the SPD lookup run (false: dp_spd_set refused, tunnel from the table)? */
bool bench_pipe_spd(const struct bench_pipe *p);
/* Retire the SAs (waiting for their reclamation) and free everything. */
void bench_pipe_free(struct bench_pipe *p);

/* --- pcap files for bench.sh (bench_esp_pcap.c): after EAL --- */
struct bench_pcap_args {
	const char *path;
	struct bench_spec spec;		/* n_sas unused: one SA */
	unsigned count;			/* frames, <= BENCH_PCAP_MAX */
	uint8_t dst_mac[6];		/* the gateway port's MAC */
	uint32_t spi;			/* dec: the gateway's inbound SPI */
	uint8_t enc_key[GW_ESP_ENC_KEY_MAX];	/* dec: its enc_key_in */
	unsigned enc_key_len;
	uint8_t auth_key[GW_ESP_AUTH_KEY_MAX];	/* dec: its auth_key_in */
	unsigned auth_key_len;
};
/* enc: plain frames LAN host -> 172.16.0.0 + (i % flows), checksummed;
 * dec: those frames' mirror image, encrypted by esp_out_burst() as the
 * peer would.  0 or -1 (printed). */
int bench_pcap_write(const struct bench_pcap_args *a);

/* --- frame building, shared by the pipeline and the pcap writer --- */
/* A UDP-in-IPv4 frame of len bytes, src -> dst (network order), IPv4
 * header checksum set, UDP checksum 0, payload a byte pattern. */
void bench_frame(uint8_t *f, unsigned len, uint32_t src_be, uint32_t dst_be);

#endif /* GW_BENCH_ESP_H */
