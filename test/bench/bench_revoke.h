/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_BENCH_REVOKE_H
#define GW_BENCH_REVOKE_H

/*
 * The revocation benchmark (issue 6, "Benchmark (scale)"), shared by its
 * files:
 *   bench_revoke.c          options, EAL, set-up, the measurement, report
 *   bench_revoke_inject.c   the sessions (session table + fast path +
 *                           revocation index, no IKE exchange) and the CRLs
 *   bench_revoke_measure.c  the revocation timed, the reclaim, the checks
 *   bench_revoke_traffic.c  inbound ESP on a sample of surviving SAs, on a
 *                           worker lcore
 *
 * Session i: IKE SA (responder, ESTABLISHED, trustpoint 0, peer 0), its
 * own tunnel, peer 10.64.0.0 + i, one CHILD SA pair AES-128-GCM (inbound
 * SPI BR_SPI_IN + i, outbound BR_SPI_OUT + i), selectors 192.168.10.0/24
 * <-> 172.16.0.0 + i/32, and a peer certificate of the bench CA with a
 * 16-octet serial derived from i.  Revoked: every stride-th session.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg/cfg.h"
#include "controlplane/ike/ike_rev.h"
#include "controlplane/ike/ike_sa.h"
#include "controlplane/pki/pki.h"

enum {
	BR_SERIAL_LEN = 16,
	BR_SPI_IN = 0x01000000,		/* + session index */
	BR_SPI_OUT = 0x02000000,
	BR_PEER_BASE = 0x0a400000,	/* 10.64.0.0, host order */
	BR_REMOTE_BASE = 0xac100000,	/* 172.16.0.0 */
	BR_SAMPLE_MAX = 1024,
	BR_BURST = 32,
};

#define BR_GW_OUTER "10.10.0.1"
#define BR_LAN "192.168.10.0/24"
#define BR_LAN_HOST "192.168.10.10"

struct br_opts {
	unsigned sessions;		/* injected */
	unsigned revoke;		/* listed by the CRL */
	unsigned sample;		/* surviving SAs with traffic */
	unsigned frame_len;		/* plain frame inside the ESP packets */
	double window_s;		/* rate windows before and after */
	unsigned tick_ms;		/* dp_reclaim() period (the CP tick) */
	bool kill;			/* deleter: ike_sa_kill, not ikev2_delete */
	bool smoke;			/* sanity checks only (CI) */
	bool log;			/* keep NOTICE logs (one line per deletion) */
	unsigned mem;			/* EAL -m */
};

/* The bench's CA and the issuer facts every session records. */
struct br_ca {
	struct evp_pkey_st *key;	/* EVP_PKEY (OpenSSL stays out of this header:
					 * intel-ipsec-mb's names clash with it) */
	struct x509_st *cert;		/* X509 */
	struct pki_issuer_id issuer;
	char issuer_str[PKI_ISSUER_STR];
};

/* One injected session, as the bench keeps it. */
struct br_sess {
	uint64_t id;			/* IKE SA id */
	uint32_t h_in, h_out;		/* its CHILD SA pair */
	bool revoked;
};

/* What the run found, for the report (times in s from just before
 * pki_crl_ingest, rates in packets/s). */
struct br_result {
	double t_acc;			/* pki_crl_ingest returned */
	double t_accepted;		/* the PKI's acceptance stamp */
	double t_first_del, t_run;	/* first deleter call; ike_rev_run returned */
	double t_grace, t_tick, t_reclaim;	/* grace over; reclaiming tick; all freed */
	uint64_t unreclaimed;		/* retired SAs not reclaimed by the deadline */
	double check_s, wipe_s;		/* parts timed again afterwards */
	struct ike_rev_event ev;
	uint64_t retired, reclaimed_inline, ticks, first_tick_after_grace;
	double rate_busy, rate_before, rate_ingest, rate_during, rate_after;
	uint64_t sample_drops, misses, wdrops;
	uint64_t deletes_sent, revoked_live, survivors_dead;
};

/* The run's state, shared with the deleter and transport hooks
 * (bench_revoke.c). */
struct br_run {
	const struct br_opts *o;
	struct br_sess *sess;		/* o->sessions */
	double t_first_del;		/* br_now() at the first deleter call */
	double verify_s;		/* our check inside that call */
	uint64_t revoked_live;		/* revoked SPIs still found at that call */
	uint64_t tx_msgs, tx_info;	/* datagrams handed to the IKE transport */
	ike_sa_delete_fn next;		/* the deleter under test */
	uint64_t accepted_ns;		/* the last "CRL updated" seen */
};
extern struct br_run br;

/* ---- bench_revoke_inject.c ---- */
/* Is session i listed by the CRL (every stride-th, revoke of them)? */
bool br_is_revoked(const struct br_opts *o, unsigned i);
/* Serial of session i's certificate. */
void br_serial(unsigned i, struct pki_serial *s);
/* The CA (RSA-2048), written as PEM to ca_path.  0 or -1. */
int br_ca_make(struct br_ca *ca, const char *ca_path);
void br_ca_free(struct br_ca *ca);
/* CRL number `number` of ca, listing the revoked sessions' serials (none
 * when empty), DER in a malloc'd *der.  0 or -1. */
int br_crl(const struct br_opts *o, const struct br_ca *ca, uint64_t number, bool empty,
	   uint8_t **der, size_t *len);
/* Session i through the IKE install path.  0 or -errno (printed). */
int br_inject(const struct br_opts *o, const struct br_ca *ca, unsigned i, struct br_sess *s);

/* ---- bench_revoke_traffic.c ---- */
struct br_traffic;
/* Frames for the sample sessions idx[0..n) (each encrypted as its peer
 * would), then one check round on this thread.  NULL on failure (printed). */
struct br_traffic *br_traffic_create(const struct br_opts *o, const unsigned *idx, unsigned n);
/* Start the worker loop on lcore (RCU thread 0: dp_init's one worker). */
int br_traffic_start(struct br_traffic *t, unsigned lcore);
/* Packets decrypted so far (any thread). */
uint64_t br_traffic_pkts(const struct br_traffic *t);
/* Stop the worker and wait for it. */
void br_traffic_stop(struct br_traffic *t);
/* Packets the worker could not decrypt: no SA found, or a drop. */
uint64_t br_traffic_misses(const struct br_traffic *t);
uint64_t br_traffic_drops(const struct br_traffic *t);
void br_traffic_free(struct br_traffic *t);
/* Seconds esp_sa_rt_wipe() takes for n records (one record, hot in the
 * cache: a lower bound of what reclamation spends wiping). */
double br_wipe_time(unsigned n);

double br_now(void);		/* CLOCK_MONOTONIC, seconds */

/* ---- bench_revoke_measure.c ---- */
/* Rate windows, the CRL through pki_crl_ingest + ike_rev_run, the grace
 * period and the CP tick's reclamation.  0 or -1 (printed). */
int br_revoke(const struct br_opts *o, const struct br_ca *ca, const uint8_t *der, size_t len,
	      struct br_traffic *t, struct br_result *r);
/* After the traffic stopped: revoked sessions' SAs gone, survivors' live,
 * the sample's drops (idx[0..n)), and the check's parts timed alone. */
void br_verify(const struct br_opts *o, const struct br_ca *ca, const unsigned *idx,
	       unsigned n, const struct br_traffic *t, struct br_result *r);
void br_report(const struct br_opts *o, const struct br_result *r);
/* What exits 1: wrong results; with --smoke, a generous 5 s. */
bool br_ok(const struct br_opts *o, const struct br_result *r);

#endif /* GW_BENCH_REVOKE_H */
