/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_ESP_SA_H
#define GW_ESP_SA_H

/*
 * The SA as the workers see it (internal to dataplane/; the control plane
 * uses dp_sa.h).  VPP's model: a small cache-aligned runtime record per SA
 * holds what a worker touches per packet (flags, SPI, salt and key
 * schedule, sequence, replay window, counters, the outer header template);
 * the name, session id and other cold facts stay in the control plane's
 * record (esp_sa.c).
 *
 * Readers (workers) are lock-free:
 *   IN:  rte_hash (RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF, no free on
 *        delete) keyed by the SPI in network order -> handle (as the key's
 *        data) -> esp_sa_get(handle);
 *   OUT: tunnel id -> dp_tunnel_out_sa() -> esp_sa_get(handle).
 * A record read through esp_sa_get() stays valid until the reader's next
 * RCU quiescent state.  esp_sa_get() returns NULL for a handle whose SA was
 * retired (even if the slot has been reused: the generation differs).
 *
 * Ownership: a record's mutable fields (seq, replay, stats, the STOPPED
 * and SOFT flags) have one writer, the worker whose index is rt->owner.
 * Packets for an SA that arrive on another worker are handed to the owner
 * (dp_worker_esp.c).  Stats are stored with relaxed atomics so that the CP's
 * reads are never torn.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_hash.h>
#include <rte_prefetch.h>

#include "common/gw_addr.h"
#include "common/gw_sa.h"
#include "dataplane/dp_sa.h"
#include "dataplane/dp_stats.h"
#include "dataplane/esp_crypto.h"
#include "dataplane/esp_replay.h"

enum {
	ESP_SA_MAGIC = 0x45535041,	/* "ESPA": live or retiring record */
	ESP_SA_POISON = 0xdeadbeef,	/* written over a reclaimed record */
	/* Outer header template: IPv6 (40) + UDP (8); IPv4 uses 20 (+8). */
	ESP_OUTER_MAX = 48,
	ESP_HDR_LEN = 8,		/* SPI + sequence number */
	ESP_TRAILER_LEN = 2,		/* pad length + next header */
};

enum esp_sa_flag {
	ESP_SA_F_ESN = 1u << 0,
	ESP_SA_F_ENCAP = 1u << 1,	/* ESP in UDP */
	ESP_SA_F_OUTER6 = 1u << 2,	/* outer header is IPv6 */
	ESP_SA_F_STOPPED = 1u << 3,	/* hard lifetime / sequence exhausted */
	ESP_SA_F_SOFT_SENT = 1u << 4,	/* soft lifetime event posted */
	ESP_SA_F_NO_REPLAY = 1u << 5,	/* benchmark only: skip the replay check */
};

/*
 * The tunnel's knobs (gw_sa.h) in the form the fast path applies them
 * (esp_knobs.h); set once by esp_sa_rt_init().
 */
struct esp_knobs {
	uint16_t mss;			/* clamp the MSS of TCP SYNs; 0 = off */
	uint16_t mtu;			/* OUT: inner packets that may not be
					 * fragmented, above it: ICMP; 0 = off */
	uint8_t tos_keep;		/* OUT: outer TOS / traffic class = */
	uint8_t tos_set;		/*   (inner & tos_keep) | tos_set */
	uint16_t df_keep;		/* OUT: outer IPv4 fragment word (network */
	uint16_t df_set;		/*   order) = (inner DF & df_keep) | df_set */
	bool ttl_keep;			/* undo the forwarding TTL step */
};

/* Per-SA counters, written by the owner only. */
struct esp_sa_stats {
	uint64_t pkts;
	uint64_t bytes;
	uint64_t drops[DP_DROP_MAX];
};

struct esp_sa_rt {
	/* --- first cache line: every packet --- */
	uint32_t magic;			/* ESP_SA_MAGIC; poisoned on reclaim */
	uint32_t handle;		/* this record's handle (generation | slot) */
	uint32_t flags;			/* enum esp_sa_flag; atomic (owner writes) */
	uint32_t spi_be;		/* network order, as on the wire */
	uint16_t owner;			/* owning worker index */
	uint8_t dir;			/* enum gw_sa_dir */
	uint8_t icv_len;
	uint8_t iv_len;
	uint8_t pad_align;		/* 4, or 16 for CBC: a power of two */
	uint8_t outer_len;		/* bytes of outer[] in use: 20/40 (+8 UDP) */
	uint8_t n_local_ts, n_remote_ts;
	uint16_t encap_dport_be;	/* atomic: NAT rebinding (CP writes) */
	uint32_t tunnel;
	uint32_t outer4_sum;		/* IPv4 template's 16-bit word sum, without
					 * TOS, length, ID and checksum (RFC 1071) */
	uint64_t seq;			/* OUT: last sent (esp_seq_next) */
	uint64_t life_soft_bytes, life_hard_bytes;	/* 0 = none */
	uint64_t life_soft_pkts, life_hard_pkts;
	/* second line, with the packet limits esp_life_ok() reads: */
	struct esp_knobs knobs;
	/* --- counters (own line) --- */
	struct esp_sa_stats st __rte_cache_aligned;
	/* --- outer header template: IPv4/IPv6 (+UDP) with the fixed fields set
	 *     (version, TTL, protocol, addresses, ports); lengths, ID and
	 *     checksums are filled per packet --- */
	uint8_t outer[ESP_OUTER_MAX] __rte_cache_aligned;
	struct gw_addr local, remote;	/* tunnel endpoints */
	/* IN: inner selectors checked after decryption (gw_sa.h) */
	struct gw_prefix local_ts[GW_SA_MAX_TS];
	struct gw_prefix remote_ts[GW_SA_MAX_TS];
	/* IN: anti-replay window */
	struct esp_replay replay __rte_cache_aligned;
	/* key schedules (cold per byte, but read by the crypto per packet) */
	struct esp_keys keys;
} __rte_cache_aligned;

_Static_assert(offsetof(struct esp_sa_rt, knobs) / RTE_CACHE_LINE_SIZE ==
	       offsetof(struct esp_sa_rt, life_hard_pkts) / RTE_CACHE_LINE_SIZE &&
	       (offsetof(struct esp_sa_rt, knobs) + sizeof(struct esp_knobs) - 1) /
	       RTE_CACHE_LINE_SIZE == offsetof(struct esp_sa_rt, life_hard_pkts) / RTE_CACHE_LINE_SIZE,
	       "the knobs share one line with the packet limits");

/*
 * Build rt from d (CP, before publication): key schedules with mgr (any
 * IMB_MGR of the calling thread), outer template, replay window, limits.
 * rt->handle and rt->owner are the caller's.  0, -EINVAL (bad descriptor:
 * the reason is logged), -EIO (getrandom).  On failure rt holds no keys.
 */
int esp_sa_rt_init(struct esp_sa_rt *rt, const struct gw_sa_desc *d, IMB_MGR *mgr);
/* Zero keys and state of rt and poison it (after the grace period). */
void esp_sa_rt_wipe(struct esp_sa_rt *rt);

/* The SA table as the workers read it (esp_sa.c owns it). */
struct esp_sa_table {
	struct rte_hash *in;			/* SPI (be32) -> handle */
	struct esp_sa_rt **slot;		/* DP_SA_MAX atomic pointers */
	uint32_t *tunnel_out;			/* DP_TUNNEL_MAX atomic handles */
	uint64_t *tunnel_acquire_tsc;		/* DP_TUNNEL_MAX, rate limit */
	struct rte_ring *events;		/* MP/SC, struct dp_sa_event */
	uint64_t events_lost;			/* atomic */
	uint64_t acquire_gap_tsc;		/* min TSC between two acquires */
} __rte_cache_aligned;

extern struct esp_sa_table esp_sa_tbl;

/* Any thread: the live SA of handle h, or NULL. */
static inline struct esp_sa_rt *esp_sa_get(uint32_t h)
{
	struct esp_sa_rt *rt;

	if (unlikely(h == DP_SA_INVALID))
		return NULL;
	rt = __atomic_load_n(&esp_sa_tbl.slot[h & (DP_SA_MAX - 1)], __ATOMIC_ACQUIRE);
	if (unlikely(rt == NULL || rt->handle != h))
		return NULL;
	return rt;
}

/*
 * Worker, prefetch helpers for burst-wise lookups (with 100,000 SAs every
 * step below is a cache miss, and each depends on the previous one: doing
 * one step for the whole burst before the next overlaps the misses of all
 * its packets instead of paying them one after the other).
 */
/* Step 1 (OUT): the tunnel's entry in tunnel_out[] (dp_tunnel_out_sa). */
static inline void esp_sa_prefetch_tunnel(uint32_t tunnel)
{
	if (likely(tunnel < DP_TUNNEL_MAX && esp_sa_tbl.tunnel_out != NULL))
		rte_prefetch0(&esp_sa_tbl.tunnel_out[tunnel]);
}

/* Step 2: the slot of handle h (esp_sa_get). */
static inline void esp_sa_prefetch_slot(uint32_t h)
{
	rte_prefetch0(&esp_sa_tbl.slot[h & (DP_SA_MAX - 1)]);
}

/* Step 3: the record's lines that esp_out_burst()/esp_in_burst() read and
 * write per packet before the crypto (they call this too): the first two
 * lines (state, limits, knobs), the counters, the outer template (OUT) or
 * the first selectors and the replay window (IN), and the key schedule's
 * tail (alg info, salt).  The schedule itself is prefetched by
 * esp_crypto_run(), op by op. */
static inline void esp_sa_prefetch_rt(const struct esp_sa_rt *rt, bool in)
{
	rte_prefetch0(rt);
	rte_prefetch0(&rt->knobs);		/* the packet limits' line */
	rte_prefetch0(&rt->st);
	rte_prefetch0(&rt->keys.info);
	if (!in) {
		rte_prefetch0(rt->outer);
		return;
	}
	rte_prefetch0(rt->local_ts);		/* the first selectors: the */
	rte_prefetch0(rt->remote_ts);		/* common one-prefix case */
	rte_prefetch0(&rt->replay);
}

/* Step 3 by handle: esp_sa_prefetch_rt() of its record (a stale slot
 * is harmless: a prefetch never faults, and esp_sa_get() checks). */
static inline void esp_sa_prefetch_handle(uint32_t h, bool in)
{
	const struct esp_sa_rt *rt;

	if (unlikely(h == DP_SA_INVALID))
		return;
	rt = __atomic_load_n(&esp_sa_tbl.slot[h & (DP_SA_MAX - 1)], __ATOMIC_RELAXED);
	if (rt != NULL)
		esp_sa_prefetch_rt(rt, in);
}

/*
 * Worker: look up n inbound SPIs (network order) in one bulk hash lookup;
 * handles[i] = the SA's handle or DP_SA_INVALID.  n <= RTE_HASH_LOOKUP_BULK_MAX.
 */
void esp_sa_lookup_in_bulk(const uint32_t *spi_be, unsigned n, uint32_t *handles);

/* Worker (owner): count one processed packet of len bytes. */
static inline void esp_sa_count(struct esp_sa_rt *rt, uint32_t len)
{
	__atomic_store_n(&rt->st.pkts, rt->st.pkts + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&rt->st.bytes, rt->st.bytes + len, __ATOMIC_RELAXED);
}

/* Worker (owner): count one drop of rt (rt may be NULL); dp_drop() frees
 * the mbuf and counts per lcore. */
static inline void esp_sa_count_drop(struct esp_sa_rt *rt, enum dp_drop why)
{
	if (rt != NULL)
		__atomic_store_n(&rt->st.drops[why], rt->st.drops[why] + 1, __ATOMIC_RELAXED);
}

/* Worker: post an event (never blocks; a full ring counts it lost). */
void esp_sa_event(enum dp_sa_event_type type, uint32_t handle, uint32_t tunnel);

/* Worker: an acquire for tunnel, at most one per acquire_gap_tsc per
 * tunnel (racy by design between workers: at worst two).  true when this
 * call posted the event; false when rate-limited, tunnel >= DP_TUNNEL_MAX,
 * or the events ring was full (counted in events_lost). */
bool esp_sa_acquire(uint32_t tunnel);

#endif /* GW_ESP_SA_H */
