/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_DP_SA_H
#define GW_DP_SA_H

/*
 * The one seam through which the control plane installs and retires ESP
 * SAs in the data plane (as iked's ipsec.c sits in front of pfkey.c).
 * The control plane includes this header and dp_spd.h, never esp_sa.h.
 *
 * Threads: every function here is CP (the main lcore, the single writer),
 * except where marked.  Workers read the SA table lock-free and report an
 * RCU quiescent state once per loop.
 *
 * Handles: a 32-bit value, (generation << DP_SA_IDX_BITS) | slot.  A slot
 * is reused only after reclamation, with the next generation, so a stale
 * handle never names another SA.
 *
 * Life of an SA:
 *   install   key schedules computed, runtime record built, then published:
 *             IN  into the SPI hash (rte_hash, lock-free readers),
 *             OUT as its tunnel's current outbound SA (one atomic store;
 *                 a rekey replaces the previous one the same way, and the
 *                 previous one stays installed until retired).
 *   retire    unpublished before the call returns (hash key deleted, or
 *             the tunnel's outbound pointer cleared when it was this SA),
 *             then queued on the SA table's RCU defer queue.  Its counters
 *             stay readable (DP_SA_RETIRING) until reclamation.
 *   reclaim   dp_sa_reclaim() (from dp_reclaim(), every CP tick) frees
 *             what every worker has passed a quiescent state since: keys
 *             zeroed, hash key position freed, record poisoned and freed.
 *             Unpublish-to-reclaim latency is kept as a statistic.
 */

#include <stdbool.h>
#include <stdint.h>

#include "common/gw_sa.h"
#include "dataplane/dp_stats.h"

enum {
	DP_SA_IDX_BITS = 18,
	DP_SA_MAX = 1u << DP_SA_IDX_BITS,	/* slots: live + retiring SAs */
	DP_SA_RETIRE_BATCH_MAX = 4096,		/* hash headroom for one batch */
	DP_TUNNEL_MAX = 1u << 17,		/* tunnel ids 0 .. DP_TUNNEL_MAX-1 */
};

#define DP_SA_INVALID UINT32_MAX

enum dp_sa_state {
	DP_SA_FREE,
	DP_SA_LIVE,
	DP_SA_RETIRING,		/* unpublished, waiting for the grace period */
};

/* What telemetry shows of one SA. */
struct dp_sa_info {
	char name[GW_SA_NAME_MAX];
	uint64_t session_id;
	uint32_t handle;
	uint32_t tunnel;
	uint32_t spi;			/* host order */
	uint8_t dir;			/* enum gw_sa_dir */
	uint8_t alg;			/* enum esp_alg */
	uint8_t state;			/* enum dp_sa_state */
	bool esn;
	bool encap;
	bool stopped;			/* hard lifetime or sequence exhausted */
	uint16_t encap_sport, encap_dport;
	uint16_t owner;			/* owning worker index */
	uint32_t replay_window;
	struct gw_addr local, remote;
	uint64_t pkts, bytes;		/* processed (IN: verified) */
	uint64_t seq;			/* OUT: last sent; IN: window top */
	uint64_t drops[DP_DROP_MAX];	/* per reason, this SA */
};

/* SA table statistics. */
struct dp_sa_stats {
	uint32_t live;
	uint32_t retiring;
	uint64_t installed;		/* total since start */
	uint64_t retired;
	uint64_t reclaimed;		/* counted in the free callback, after the wipe */
	uint64_t grace_ns_last;		/* unpublish -> reclaim */
	uint64_t grace_ns_max;
	uint64_t grace_ns_sum;		/* / reclaimed = mean */
	uint64_t install_fail;
};

/*
 * Install one SA.  d is validated (SPI >= 256, algorithm and key lengths,
 * endpoints of one family, replay window, tunnel < DP_TUNNEL_MAX, an IN
 * SPI not already installed).  Returns 0 with *handle set, or
 * -EINVAL (bad descriptor), -EEXIST (IN SPI in use), -ENOSPC (table full),
 * -ENOMEM, -EIO (getrandom failed).  d is not modified (the caller wipes it).
 */
int dp_sa_install(const struct gw_sa_desc *d, uint32_t *handle);

/*
 * Install an inbound and an outbound SA together: both or neither.  The
 * outbound one becomes its tunnel's current outbound SA.  Same returns.
 */
int dp_sa_install_pair(const struct gw_sa_desc *in, const struct gw_sa_desc *out,
		       uint32_t *h_in, uint32_t *h_out);

/* Retire one SA (see above).  0, -ENOENT (unknown or already retired). */
int dp_sa_retire(uint32_t handle);

/* Retire n SAs; each unpublished before return.  Returns how many were
 * retired (unknown handles are skipped). */
unsigned dp_sa_retire_batch(const uint32_t *handles, unsigned n);

/* The SA's info and counters, live or retiring.  0 or -ENOENT. */
int dp_sa_info(uint32_t handle, struct dp_sa_info *info);

/*
 * Iterate SAs (live and retiring) in slot order: the first handle after
 * `after` (DP_SA_INVALID: from the start), or DP_SA_INVALID at the end.
 */
uint32_t dp_sa_next(uint32_t after);

/* The handle of the live IN SA with this SPI, or DP_SA_INVALID. */
uint32_t dp_sa_find_in(uint32_t spi);

/* The current outbound SA of tunnel, or DP_SA_INVALID.  Any thread. */
uint32_t dp_tunnel_out_sa(uint32_t tunnel);

/*
 * NAT rebinding (RFC 7296 2.23): the peer's UDP port changed; outbound
 * packets of this (encapsulating) SA go to port from now on.  0, -ENOENT,
 * -EINVAL (not an encapsulating SA).
 */
int dp_sa_set_encap_dport(uint32_t handle, uint16_t port);

void dp_sa_stats(struct dp_sa_stats *st);

/* Events workers post for the control plane (MP/SC ring; a full ring
 * drops the event and counts it in dp_sa_events_lost()). */
#define DP_SA_EVENTS(X) \
	X(SOFT_LIFETIME, "soft lifetime reached") \
	X(HARD_LIFETIME, "hard lifetime reached; SA stopped") \
	X(SEQ_OVERFLOW, "outbound sequence number exhausted; SA stopped") \
	X(ACQUIRE, "traffic for an on-demand tunnel with no SA")

enum dp_sa_event_type {
#define X(n, d) DP_SA_EV_##n,
	DP_SA_EVENTS(X)
#undef X
	DP_SA_EV_MAX
};

struct dp_sa_event {
	uint32_t type;			/* enum dp_sa_event_type */
	uint32_t handle;		/* ACQUIRE: DP_SA_INVALID */
	uint32_t tunnel;
	uint32_t pad;
};

const char *dp_sa_event_name(enum dp_sa_event_type t);
/* CP: take up to n events.  Returns the count. */
unsigned dp_sa_events_dequeue(struct dp_sa_event *ev, unsigned n);
uint64_t dp_sa_events_lost(void);

/*
 * Benchmarks only: SAs installed from now on skip the anti-replay check
 * (a replayed pcap repeats its sequence numbers).  Logged loudly.
 */
void dp_sa_bench_no_replay(bool on);

/* dp_init()/dp_fini() internals, also used by unit tests that run the
 * table without ports: create with nb_workers owners (the RCU variable
 * must exist); destroy with the workers stopped.  0 or -errno. */
int dp_sa_table_create(unsigned nb_workers);
void dp_sa_table_destroy(void);
/* CP: free what the grace period allows (called by dp_reclaim()). */
void dp_sa_reclaim(void);

#endif /* GW_DP_SA_H */
