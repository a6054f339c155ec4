/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SA table (dp_sa.h for the control plane, esp_sa.h for the workers).
 *
 * Two halves, as VPP keeps them:
 *   esp_sa_tbl  what workers read, lock-free: the inbound SPI hash
 *               (rte_hash, RW_CONCURRENCY_LF, so no free on delete), the
 *               slot array of runtime-record pointers, the tunnels'
 *               current outbound handles and the events ring;
 *   sat         the control plane's own: one cold record per slot (state,
 *               generation, name, session id, the record pointer, which
 *               stays set while the SA retires), the free-slot queue, the
 *               defer queue, an IMB_MGR for key schedules, statistics.
 *
 * Handles are (generation << DP_SA_IDX_BITS) | slot.  Free slots are
 * reused first in, first out, so a slot comes back as late as possible;
 * with the generation bumped at each reuse, a stale handle would name
 * another SA only after 2^15 reuses of one slot.
 *
 * Publication order (release stores): record pointer into the slot, then
 * the hash key (IN) or the tunnel's outbound handle (OUT).  Retirement is
 * WireGuard's two phases: unpublish (hash key deleted, keeping its
 * position; outbound handle cleared if it was this SA; slot pointer
 * cleared), queue {slot, generation} on the RCU defer queue; after the
 * grace period the callback frees the key position, wipes and poisons the
 * record, frees it, and only then counts it reclaimed.  Records come from
 * posix_memalign(), not rte_malloc(), so that an ASan build catches a
 * reader that kept one past its quiescent state.
 *
 * Threads: every dp_sa_* function is the control plane's (single writer,
 * main lcore), except dp_tunnel_out_sa().  esp_sa_lookup_in_bulk(),
 * esp_sa_event() and esp_sa_acquire() are the workers'.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "common/gw_log.h"
#include "common/gw_proto.h"
#include "dataplane/dp_internal.h"
#include "dataplane/esp_sa.h"

enum {
	SA_GEN_MASK = (1u << (32 - DP_SA_IDX_BITS)) - 1,
	SA_EVENTS_SIZE = 4096,
	SA_ACQUIRE_GAP_MS = 100,
};

#define SA_DQ_NAME "dp_sa_dq"

/* The control plane's record of one slot. */
struct sa_cold {
	struct esp_sa_rt *rt;		/* live or retiring; NULL when free */
	uint64_t session_id;
	uint64_t unpub_tsc;		/* when it was unpublished */
	int32_t pos;			/* IN: hash key position while retiring */
	uint32_t gen;			/* generation of the slot's current handle */
	uint32_t replay_window;
	uint16_t encap_sport;
	uint8_t state;			/* enum dp_sa_state */
	uint8_t alg;
	char name[GW_SA_NAME_MAX];
};

/* What the defer queue holds for one retired SA. */
struct sa_dq_elem {
	uint32_t slot;
	uint32_t gen;
};

struct esp_sa_table esp_sa_tbl;

static struct {
	bool created;
	bool no_replay;			/* benchmarks: later installs skip replay */
	unsigned nb_workers;
	unsigned next_owner;		/* round robin */
	struct sa_cold *cold;		/* DP_SA_MAX */
	uint32_t *free_q;		/* DP_SA_MAX free slots, FIFO */
	uint32_t free_head, free_n;
	struct rte_rcu_qsbr_dq *dq;
	struct esp_crypto_wk *cw;	/* the CP's IMB_MGR for key schedules */
	struct dp_sa_stats st;
} sat;

static const char *const sa_state_names[] = {
	[DP_SA_FREE] = "FREE", [DP_SA_LIVE] = "LIVE", [DP_SA_RETIRING] = "RETIRING",
};

static uint32_t sa_handle(uint32_t slot)
{
	return (sat.cold[slot].gen << DP_SA_IDX_BITS) | slot;
}

/* The cold record of h if its state is in mask (bits of dp_sa_state). */
static struct sa_cold *sa_cold_of(uint32_t h, unsigned mask)
{
	struct sa_cold *c;

	if (!sat.created || h == DP_SA_INVALID)
		return NULL;
	c = &sat.cold[h & (DP_SA_MAX - 1)];
	if ((mask & (1u << c->state)) == 0 || sa_handle(h & (DP_SA_MAX - 1)) != h)
		return NULL;
	return c;
}

/* Every state change passes here (iked's sa_state()). */
static void sa_state(struct sa_cold *c, uint32_t slot, enum dp_sa_state s)
{
	GW_LOG(dp, DEBUG, "SA %s handle %#x: %s -> %s", c->name, sa_handle(slot),
	       sa_state_names[c->state], sa_state_names[s]);
	c->state = (uint8_t)s;
}

static int sa_slot_get(uint32_t *slot)
{
	if (sat.free_n == 0)
		return -ENOSPC;
	*slot = sat.free_q[sat.free_head];
	sat.free_head = (sat.free_head + 1) & (DP_SA_MAX - 1);
	sat.free_n--;
	return 0;
}

static void sa_slot_put(uint32_t slot)
{
	sat.free_q[(sat.free_head + sat.free_n) & (DP_SA_MAX - 1)] = slot;
	sat.free_n++;
}

/* Next generation of slot, skipping the one value that makes the handle
 * DP_SA_INVALID. */
static void sa_gen_bump(uint32_t slot)
{
	struct sa_cold *c = &sat.cold[slot];

	c->gen = (c->gen + 1) & SA_GEN_MASK;
	if (sa_handle(slot) == DP_SA_INVALID)
		c->gen = 0;
}

static uint64_t sa_tsc_to_ns(uint64_t cycles)
{
	uint64_t hz = rte_get_tsc_hz();

	return cycles / hz * NS_PER_S + cycles % hz * NS_PER_S / hz;
}

/* --- reclamation ------------------------------------------------------- */

static void sa_reclaim_one(const struct sa_dq_elem *e)
{
	struct sa_cold *c = &sat.cold[e->slot];
	uint64_t ns;

	if (c->state != DP_SA_RETIRING || c->gen != e->gen) {
		GW_LOG(dp, ERR, "SA slot %u: reclaim of generation %u, not retiring", e->slot,
		       e->gen);
		return;
	}
	ns = sa_tsc_to_ns(rte_rdtsc() - c->unpub_tsc);
	if (c->pos >= 0)
		rte_hash_free_key_with_position(esp_sa_tbl.in, c->pos);
	esp_sa_rt_wipe(c->rt);
	free(c->rt);
	c->rt = NULL;
	c->pos = -1;
	sa_state(c, e->slot, DP_SA_FREE);
	sa_gen_bump(e->slot);
	sa_slot_put(e->slot);
	sat.st.retiring--;
	sat.st.grace_ns_last = ns;
	sat.st.grace_ns_sum += ns;
	if (ns > sat.st.grace_ns_max)
		sat.st.grace_ns_max = ns;
	sat.st.reclaimed++;		/* after the wipe */
}

/* Defer-queue callback: n elements whose grace period is over. */
static void sa_free_deferred(void *p, void *e, unsigned n)
{
	const struct sa_dq_elem *el = e;

	RTE_SET_USED(p);
	for (unsigned i = 0; i < n; i++)
		sa_reclaim_one(&el[i]);
}

void dp_sa_reclaim(void)
{
	if (sat.created)
		dp_rcu_reclaim(sat.dq);
}

/* --- install ----------------------------------------------------------- */

static void sa_unprepare(uint32_t slot)
{
	struct sa_cold *c = &sat.cold[slot];

	esp_sa_rt_wipe(c->rt);
	free(c->rt);
	c->rt = NULL;
	sa_slot_put(slot);
}

/* Build an SA into a free slot without publishing it.  0 or -errno. */
static int sa_prepare(const struct gw_sa_desc *d, uint16_t owner, uint32_t *slot)
{
	uint32_t spi_be = rte_cpu_to_be_32(d->spi);
	struct esp_sa_rt *rt = NULL;
	struct sa_cold *c;
	int ret;

	if (d->dir == GW_SA_IN && d->spi >= GW_ESP_SPI_MIN &&
	    rte_hash_lookup(esp_sa_tbl.in, &spi_be) >= 0) {
		GW_LOG(dp, ERR, "SA %.*s: inbound SPI %#x already installed", GW_SA_NAME_MAX,
		       d->name, d->spi);
		return -EEXIST;
	}
	ret = sa_slot_get(slot);
	if (ret != 0) {
		GW_LOG(dp, ERR, "SA %.*s: table full (%u SAs)", GW_SA_NAME_MAX, d->name,
		       DP_SA_MAX);
		return ret;
	}
	c = &sat.cold[*slot];
	if (posix_memalign((void **)&rt, RTE_CACHE_LINE_SIZE, sizeof(*rt)) != 0) {
		sa_slot_put(*slot);
		return -ENOMEM;
	}
	memset(rt, 0, sizeof(*rt));
	c->rt = rt;
	ret = esp_sa_rt_init(rt, d, esp_crypto_wk_mgr(sat.cw));
	if (ret != 0) {
		sa_unprepare(*slot);
		return ret;
	}
	rt->handle = sa_handle(*slot);
	rt->owner = owner;
	if (sat.no_replay)
		rt->flags |= ESP_SA_F_NO_REPLAY;
	c->session_id = d->session_id;
	c->pos = -1;
	c->replay_window = rt->replay.size;
	c->encap_sport = d->encap ? (d->encap_sport != 0 ? d->encap_sport : GW_NATT_PORT) : 0;
	c->alg = d->alg;
	snprintf(c->name, sizeof(c->name), "%.*s", GW_SA_NAME_MAX - 1, d->name);
	return 0;
}

/* Publish a prepared SA.  0, or -ENOSPC (hash full; nothing published). */
static int sa_publish(uint32_t slot)
{
	struct sa_cold *c = &sat.cold[slot];
	struct esp_sa_rt *rt = c->rt;
	uint32_t h = rt->handle;

	__atomic_store_n(&esp_sa_tbl.slot[slot], rt, __ATOMIC_RELEASE);
	if (rt->dir == GW_SA_IN) {
		if (rte_hash_add_key_data(esp_sa_tbl.in, &rt->spi_be,
					  (void *)(uintptr_t)h) != 0) {
			__atomic_store_n(&esp_sa_tbl.slot[slot], NULL, __ATOMIC_RELEASE);
			return -ENOSPC;
		}
	} else {
		__atomic_store_n(&esp_sa_tbl.tunnel_out[rt->tunnel], h, __ATOMIC_RELEASE);
	}
	sa_state(c, slot, DP_SA_LIVE);
	sat.st.live++;
	sat.st.installed++;
	return 0;
}

static uint16_t sa_owner_next(void)
{
	uint16_t o = (uint16_t)sat.next_owner;

	if (sat.nb_workers > 1)
		sat.next_owner = (sat.next_owner + 1) % sat.nb_workers;
	return o;
}

int dp_sa_install(const struct gw_sa_desc *d, uint32_t *handle)
{
	uint32_t slot;
	int ret;

	if (!sat.created)
		return -EINVAL;
	ret = sa_prepare(d, sa_owner_next(), &slot);
	if (ret == 0) {
		ret = sa_publish(slot);
		if (ret != 0)
			sa_unprepare(slot);
	}
	if (ret != 0) {
		sat.st.install_fail++;
		return ret;
	}
	*handle = sa_handle(slot);
	return 0;
}

int dp_sa_install_pair(const struct gw_sa_desc *in, const struct gw_sa_desc *out,
		       uint32_t *h_in, uint32_t *h_out)
{
	uint32_t s_in, s_out;
	uint16_t owner;
	int ret = -EINVAL;

	if (!sat.created || in->dir != GW_SA_IN || out->dir != GW_SA_OUT)
		goto fail;
	owner = sa_owner_next();
	ret = sa_prepare(in, owner, &s_in);
	if (ret != 0)
		goto fail;
	ret = sa_prepare(out, owner, &s_out);
	if (ret != 0) {
		sa_unprepare(s_in);
		goto fail;
	}
	ret = sa_publish(s_in);		/* the only step that can fail */
	if (ret != 0) {
		sa_unprepare(s_out);
		sa_unprepare(s_in);
		goto fail;
	}
	sa_publish(s_out);
	*h_in = sa_handle(s_in);
	*h_out = sa_handle(s_out);
	return 0;
fail:
	sat.st.install_fail++;
	return ret;
}

/* --- retire ------------------------------------------------------------ */

int dp_sa_retire(uint32_t handle)
{
	struct sa_cold *c = sa_cold_of(handle, 1u << DP_SA_LIVE);
	uint32_t slot = handle & (DP_SA_MAX - 1);
	struct sa_dq_elem e;
	struct esp_sa_rt *rt;

	if (c == NULL)
		return -ENOENT;
	rt = c->rt;
	if (rt->dir == GW_SA_IN) {
		c->pos = rte_hash_del_key(esp_sa_tbl.in, &rt->spi_be);
		if (c->pos < 0)
			GW_LOG(dp, ERR, "SA %s: SPI %#x not in the hash", c->name,
			       rte_be_to_cpu_32(rt->spi_be));
	} else if (__atomic_load_n(&esp_sa_tbl.tunnel_out[rt->tunnel], __ATOMIC_RELAXED) ==
		   handle) {
		__atomic_store_n(&esp_sa_tbl.tunnel_out[rt->tunnel], DP_SA_INVALID,
				 __ATOMIC_RELEASE);
	}
	__atomic_store_n(&esp_sa_tbl.slot[slot], NULL, __ATOMIC_RELEASE);
	c->unpub_tsc = rte_rdtsc();
	sa_state(c, slot, DP_SA_RETIRING);
	sat.st.live--;
	sat.st.retiring++;
	sat.st.retired++;
	e.slot = slot;
	e.gen = c->gen;
	dp_rcu_defer(sat.dq, &e, sa_free_deferred);
	return 0;
}

unsigned dp_sa_retire_batch(const uint32_t *handles, unsigned n)
{
	unsigned done = 0;

	for (unsigned i = 0; i < n; i++)
		if (dp_sa_retire(handles[i]) == 0)
			done++;
	return done;
}

/* --- reading ------------------------------------------------------------ */

static void sa_info_counters(const struct esp_sa_rt *rt, struct dp_sa_info *info)
{
	info->pkts = __atomic_load_n(&rt->st.pkts, __ATOMIC_RELAXED);
	info->bytes = __atomic_load_n(&rt->st.bytes, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < DP_DROP_MAX; i++)
		info->drops[i] = __atomic_load_n(&rt->st.drops[i], __ATOMIC_RELAXED);
	if (rt->dir == GW_SA_OUT)
		info->seq = __atomic_load_n(&rt->seq, __ATOMIC_RELAXED);
	else
		info->seq = __atomic_load_n(&rt->replay.top, __ATOMIC_RELAXED);
}

int dp_sa_info(uint32_t handle, struct dp_sa_info *info)
{
	const struct sa_cold *c = sa_cold_of(handle, 1u << DP_SA_LIVE | 1u << DP_SA_RETIRING);
	const struct esp_sa_rt *rt;
	uint32_t flags;

	if (c == NULL)
		return -ENOENT;
	rt = c->rt;
	flags = __atomic_load_n(&rt->flags, __ATOMIC_RELAXED);
	memset(info, 0, sizeof(*info));
	memcpy(info->name, c->name, sizeof(info->name));
	info->session_id = c->session_id;
	info->handle = handle;
	info->tunnel = rt->tunnel;
	info->spi = rte_be_to_cpu_32(rt->spi_be);
	info->dir = rt->dir;
	info->alg = c->alg;
	info->state = c->state;
	info->esn = (flags & ESP_SA_F_ESN) != 0;
	info->encap = (flags & ESP_SA_F_ENCAP) != 0;
	info->stopped = (flags & ESP_SA_F_STOPPED) != 0;
	info->encap_sport = c->encap_sport;
	if (info->encap)
		info->encap_dport =
			rte_be_to_cpu_16(__atomic_load_n(&rt->encap_dport_be, __ATOMIC_RELAXED));
	info->owner = rt->owner;
	info->replay_window = c->replay_window;
	info->local = rt->local;
	info->remote = rt->remote;
	sa_info_counters(rt, info);
	return 0;
}

uint32_t dp_sa_next(uint32_t after)
{
	uint32_t s = after == DP_SA_INVALID ? 0 : (after & (DP_SA_MAX - 1)) + 1;

	if (!sat.created)
		return DP_SA_INVALID;
	for (; s < DP_SA_MAX; s++)
		if (sat.cold[s].state != DP_SA_FREE)
			return sa_handle(s);
	return DP_SA_INVALID;
}

uint32_t dp_sa_find_in(uint32_t spi)
{
	uint32_t spi_be = rte_cpu_to_be_32(spi);
	void *data;

	if (!sat.created || rte_hash_lookup_data(esp_sa_tbl.in, &spi_be, &data) < 0)
		return DP_SA_INVALID;
	return sa_cold_of((uint32_t)(uintptr_t)data, 1u << DP_SA_LIVE) != NULL ?
		       (uint32_t)(uintptr_t)data : DP_SA_INVALID;
}

uint32_t dp_tunnel_out_sa(uint32_t tunnel)
{
	if (tunnel >= DP_TUNNEL_MAX || esp_sa_tbl.tunnel_out == NULL)
		return DP_SA_INVALID;
	return __atomic_load_n(&esp_sa_tbl.tunnel_out[tunnel], __ATOMIC_ACQUIRE);
}

int dp_sa_set_encap_dport(uint32_t handle, uint16_t port)
{
	const struct sa_cold *c = sa_cold_of(handle, 1u << DP_SA_LIVE);

	if (c == NULL)
		return -ENOENT;
	if ((__atomic_load_n(&c->rt->flags, __ATOMIC_RELAXED) & ESP_SA_F_ENCAP) == 0 || port == 0)
		return -EINVAL;
	__atomic_store_n(&c->rt->encap_dport_be, rte_cpu_to_be_16(port), __ATOMIC_RELAXED);
	return 0;
}

void dp_sa_stats(struct dp_sa_stats *st)
{
	*st = sat.st;
}

void dp_sa_bench_no_replay(bool on)
{
	if (on)
		GW_LOG(dp, WARNING, "BENCHMARK MODE: SAs installed from now on skip the "
		       "anti-replay check; never run a gateway like this");
	sat.no_replay = on;
}

/* --- workers ------------------------------------------------------------ */

void esp_sa_lookup_in_bulk(const uint32_t *spi_be, unsigned n, uint32_t *handles)
{
	const void *keys[RTE_HASH_LOOKUP_BULK_MAX];
	void *data[RTE_HASH_LOOKUP_BULK_MAX];

	for (unsigned off = 0; off < n; off += RTE_HASH_LOOKUP_BULK_MAX) {
		unsigned k = RTE_MIN(n - off, (unsigned)RTE_HASH_LOOKUP_BULK_MAX);
		uint64_t hits = 0;

		for (unsigned i = 0; i < k; i++)
			keys[i] = &spi_be[off + i];
		rte_hash_lookup_bulk_data(esp_sa_tbl.in, keys, k, &hits, data);
		for (unsigned i = 0; i < k; i++) {
			uint32_t h = DP_SA_INVALID;
			const struct esp_sa_rt *rt;

			if (hits & (1ULL << i)) {
				h = (uint32_t)(uintptr_t)data[i];
				rt = esp_sa_get(h);
				if (rt == NULL || rt->spi_be != spi_be[off + i])
					h = DP_SA_INVALID;	/* retired meanwhile */
			}
			handles[off + i] = h;
		}
	}
}

/* Post one event; a full ring counts it lost.  true if it was queued. */
static bool sa_event_post(enum dp_sa_event_type type, uint32_t handle, uint32_t tunnel)
{
	struct dp_sa_event ev = { .type = type, .handle = handle, .tunnel = tunnel };

	if (rte_ring_mp_enqueue_elem(esp_sa_tbl.events, &ev, sizeof(ev)) == 0)
		return true;
	__atomic_fetch_add(&esp_sa_tbl.events_lost, 1, __ATOMIC_RELAXED);
	return false;
}

void esp_sa_event(enum dp_sa_event_type type, uint32_t handle, uint32_t tunnel)
{
	sa_event_post(type, handle, tunnel);
}

bool esp_sa_acquire(uint32_t tunnel)
{
	uint64_t now = rte_rdtsc(), last;

	if (unlikely(tunnel >= DP_TUNNEL_MAX))
		return false;
	last = __atomic_load_n(&esp_sa_tbl.tunnel_acquire_tsc[tunnel], __ATOMIC_RELAXED);
	if (last != 0 && now - last < esp_sa_tbl.acquire_gap_tsc)
		return false;
	__atomic_store_n(&esp_sa_tbl.tunnel_acquire_tsc[tunnel], now, __ATOMIC_RELAXED);
	return sa_event_post(DP_SA_EV_ACQUIRE, DP_SA_INVALID, tunnel);
}

const char *dp_sa_event_name(enum dp_sa_event_type t)
{
	static const char *const names[] = {
#define X(n, d) [DP_SA_EV_##n] = #n,
		DP_SA_EVENTS(X)
#undef X
	};

	return (unsigned)t < DP_SA_EV_MAX ? names[t] : "?";
}

unsigned dp_sa_events_dequeue(struct dp_sa_event *ev, unsigned n)
{
	if (!sat.created)
		return 0;
	return rte_ring_sc_dequeue_burst_elem(esp_sa_tbl.events, ev, sizeof(*ev), n, NULL);
}

uint64_t dp_sa_events_lost(void)
{
	return __atomic_load_n(&esp_sa_tbl.events_lost, __ATOMIC_RELAXED);
}

/* --- create / destroy ---------------------------------------------------- */

static int sa_tbl_create(void)
{
	struct rte_hash_parameters hp = {
		.name = "dp_sa_in",
		.entries = DP_SA_MAX + DP_SA_RETIRE_BATCH_MAX,
		.key_len = sizeof(uint32_t),
		.hash_func = rte_hash_crc,
		.socket_id = (int)rte_socket_id(),
		/* LF implies no free on delete: reclaim frees positions. */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct esp_sa_table *t = &esp_sa_tbl;

	memset(t, 0, sizeof(*t));
	t->in = rte_hash_create(&hp);
	t->slot = rte_zmalloc("dp_sa_slot", DP_SA_MAX * sizeof(t->slot[0]), RTE_CACHE_LINE_SIZE);
	t->tunnel_out = rte_malloc("dp_sa_tun", DP_TUNNEL_MAX * sizeof(t->tunnel_out[0]),
				   RTE_CACHE_LINE_SIZE);
	t->tunnel_acquire_tsc = rte_zmalloc("dp_sa_acq", DP_TUNNEL_MAX * sizeof(uint64_t),
					    RTE_CACHE_LINE_SIZE);
	t->events = rte_ring_create_elem("dp_sa_events", sizeof(struct dp_sa_event),
					 SA_EVENTS_SIZE, (int)rte_socket_id(), RING_F_SC_DEQ);
	if (t->in == NULL || t->slot == NULL || t->tunnel_out == NULL ||
	    t->tunnel_acquire_tsc == NULL || t->events == NULL) {
		GW_LOG(dp, ERR, "cannot create the SA table: %s", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < DP_TUNNEL_MAX; i++)
		t->tunnel_out[i] = DP_SA_INVALID;
	t->acquire_gap_tsc = rte_get_tsc_hz() / 1000 * SA_ACQUIRE_GAP_MS;
	return 0;
}

int dp_sa_table_create(unsigned nb_workers)
{
	int ret = -ENOMEM;

	if (sat.created)
		return -EALREADY;
	memset(&sat, 0, sizeof(sat));
	sat.nb_workers = nb_workers;
	sat.created = true;		/* from here destroy unwinds */
	if (sa_tbl_create() != 0)
		goto out;
	sat.cold = calloc(DP_SA_MAX, sizeof(sat.cold[0]));
	sat.free_q = malloc(DP_SA_MAX * sizeof(sat.free_q[0]));
	sat.cw = esp_crypto_wk_create(SOCKET_ID_ANY);
	sat.dq = dp_rcu_dq_create(SA_DQ_NAME, DP_SA_MAX, sizeof(struct sa_dq_elem),
				  sa_free_deferred, DP_RCU_TICK_ONLY);
	if (sat.cold == NULL || sat.free_q == NULL || sat.cw == NULL || sat.dq == NULL)
		goto out;
	for (uint32_t i = 0; i < DP_SA_MAX; i++) {
		sat.cold[i].pos = -1;
		sa_slot_put(i);
	}
	ret = 0;
out:
	if (ret != 0)
		dp_sa_table_destroy();
	return ret;
}

void dp_sa_table_destroy(void)
{
	struct esp_sa_table *t = &esp_sa_tbl;

	if (!sat.created)
		return;
	for (uint32_t s = 0; sat.cold != NULL && s < DP_SA_MAX; s++)
		if (sat.cold[s].state == DP_SA_LIVE)
			dp_sa_retire(sa_handle(s));
	dp_rcu_dq_destroy(&sat.dq, SA_DQ_NAME);	/* synchronize, reclaim all */
	if (sat.st.retiring != 0)
		GW_LOG(dp, ERR, "SA table: %u SAs not reclaimed at exit", sat.st.retiring);
	esp_crypto_wk_free(sat.cw);
	free(sat.free_q);
	free(sat.cold);
	rte_ring_free(t->events);
	rte_free(t->tunnel_acquire_tsc);
	rte_free(t->tunnel_out);
	rte_free(t->slot);
	rte_hash_free(t->in);
	memset(t, 0, sizeof(*t));
	memset(&sat, 0, sizeof(sat));
}
