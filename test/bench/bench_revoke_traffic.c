/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The revocation benchmark's traffic (bench_revoke.h): inbound ESP for a
 * sample of surviving sessions, decrypted on a worker lcore by the
 * worker's inbound steps (as dp_worker_esp_in and bench_esp_pipe.c): SPI
 * read at the ESP offset, esp_sa_lookup_in_bulk() in the lock-free SPI
 * hash that the revocation is deleting keys from meanwhile, esp_sa_get(),
 * esp_in_burst(), one RCU quiescent state per loop.  No NIC: the frames
 * are copied into BR_BURST mbufs every round.
 *
 * Each sample SA has one frame, made by esp_out_burst() on a private
 * record mirroring the peer's outbound SA; the frames are replayed every
 * round, so the sample SAs are installed with the benchmark-only replay
 * check off (dp_sa_bench_no_replay).
 *
 * A packet whose SPI finds no SA (drop_no_sa_in) or whose decryption
 * fails (counted on its SA as the worker's esp_drop() does) is a miss or
 * a drop here: for surviving SAs both must stay 0.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_udp.h>

#include "common/gw_addr.h"
#include "dataplane/dp.h"
#include "dataplane/esp.h"
#include "dataplane/esp_sa.h"
#include "test/bench/bench_revoke.h"

enum { BR_STRIDE = 2048 };	/* bytes per stored frame */

struct br_counters {
	uint64_t pkts;			/* decrypted; atomic, worker writes */
	uint64_t misses;
	uint64_t drops;
} __rte_cache_aligned;

struct br_traffic {
	struct br_counters c;
	uint32_t stop;			/* atomic */
	unsigned lcore;
	bool running;
	unsigned n;			/* frames */
	unsigned cursor;
	uint8_t *frame;			/* n frames of BR_STRIDE */
	uint16_t *len;
	struct esp_crypto_wk *wk;
	struct rte_mbuf *m[BR_BURST];
};

double br_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const uint8_t br_mac_gw[6] = { 0x02, 0x70, 0x63, 0x61, 0x70, 0x00 };
static const uint8_t br_mac_peer[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };

/* A UDP-in-IPv4 frame of len bytes, src -> dst (network order). */
static void br_frame(uint8_t *f, unsigned len, uint32_t src_be, uint32_t dst_be)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)f;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	unsigned ip_len = len - RTE_ETHER_HDR_LEN;

	memset(f, 0, len);
	memcpy(eth->dst_addr.addr_bytes, br_mac_gw, 6);
	memcpy(eth->src_addr.addr_bytes, br_mac_peer, 6);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)ip_len);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = src_be;
	ip->dst_addr = dst_be;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = RTE_BE16(40000);
	udp->dst_port = RTE_BE16(9);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(ip_len - sizeof(*ip)));
}

static inline void br_reset(struct rte_mbuf *m, unsigned len)
{
	m->data_off = RTE_PKTMBUF_HEADROOM;
	m->data_len = (uint16_t)len;
	m->pkt_len = len;
}

/* The peer's outbound SA towards session i's inbound one. */
static void br_peer_desc(unsigned i, struct gw_sa_desc *d)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "peer%u", i);
	d->spi = BR_SPI_IN + i;
	d->dir = GW_SA_OUT;
	d->alg = ESP_ALG_AES128GCM16;
	d->local.family = d->remote.family = AF_INET;
	d->local.v4 = rte_cpu_to_be_32(BR_PEER_BASE + i);
	gw_addr_parse(BR_GW_OUTER, &d->remote);
	d->enc_key_len = (uint8_t)gw_esp_enc_key_len(ESP_ALG_AES128GCM16);
	for (unsigned b = 0; b < d->enc_key_len; b++)
		d->enc_key[b] = (uint8_t)(0x3c + 7 * b);
}

/* Frame k: session i's peer sends 172.16.0.0 + i -> the LAN host. */
static int br_encrypt_one(struct br_traffic *t, const struct br_opts *o, unsigned k, unsigned i)
{
	struct esp_sa_rt *rt = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(*rt));
	struct rte_mbuf *m = t->m[0];
	struct gw_sa_desc d;
	struct gw_addr lan;
	struct esp_result res;
	int ret = -EIO;

	if (rt == NULL)
		return -ENOMEM;
	memset(rt, 0, sizeof(*rt));
	br_peer_desc(i, &d);
	gw_addr_parse(BR_LAN_HOST, &lan);
	if (esp_sa_rt_init(rt, &d, esp_crypto_wk_mgr(t->wk)) != 0)
		goto out;
	br_reset(m, o->frame_len);
	br_frame(rte_pktmbuf_mtod(m, uint8_t *), o->frame_len,
		 rte_cpu_to_be_32(BR_REMOTE_BASE + i), lan.v4);
	if (esp_out_burst(t->wk, &m, &rt, 1, &res) != 1 || m->data_len > BR_STRIDE)
		goto out;
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), br_mac_gw, 6);
	memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, 6), br_mac_peer, 6);
	memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, 12), "\x08\x00", 2);
	memcpy(t->frame + (size_t)k * BR_STRIDE, rte_pktmbuf_mtod(m, uint8_t *), m->data_len);
	t->len[k] = m->data_len;
	ret = 0;
out:
	esp_sa_rt_wipe(rt);
	free(rt);
	gw_sa_desc_wipe(&d);
	return ret;
}

/* One burst through the inbound steps.  Returns the packets decrypted. */
static unsigned br_round(struct br_traffic *t)
{
	struct esp_sa_rt *sas[BR_BURST];
	struct rte_mbuf *pk[BR_BURST];
	struct esp_result res[BR_BURST];
	uint32_t spi[BR_BURST], h[BR_BURST];
	uint16_t off[BR_BURST], offk[BR_BURST];
	unsigned n = 0, ok;

	for (unsigned k = 0; k < BR_BURST; k++) {
		unsigned j = t->cursor;
		uint8_t *d;

		t->cursor = j + 1 == t->n ? 0 : j + 1;
		br_reset(t->m[k], t->len[j]);
		d = rte_pktmbuf_mtod(t->m[k], uint8_t *);
		memcpy(d, t->frame + (size_t)j * BR_STRIDE, t->len[j]);
		off[k] = (uint16_t)(RTE_ETHER_HDR_LEN + (d[RTE_ETHER_HDR_LEN] & 0xf) * 4);
		memcpy(&spi[k], d + off[k], 4);
	}
	esp_sa_lookup_in_bulk(spi, BR_BURST, h);
	for (unsigned k = 0; k < BR_BURST; k++)
		esp_sa_prefetch_slot(h[k]);
	for (unsigned k = 0; k < BR_BURST; k++)
		esp_sa_prefetch_handle(h[k], true);
	for (unsigned k = 0; k < BR_BURST; k++) {
		struct esp_sa_rt *rt = esp_sa_get(h[k]);

		if (rt == NULL) {
			t->c.misses++;		/* the worker's drop_no_sa_in */
			continue;
		}
		sas[n] = rt;
		pk[n] = t->m[k];
		offk[n++] = off[k];
	}
	ok = n ? esp_in_burst(t->wk, pk, sas, offk, n, res) : 0;
	if (ok != n)
		for (unsigned k = 0; k < n; k++)
			if (!res[k].ok) {
				esp_sa_count_drop(sas[k], (enum dp_drop)res[k].drop);
				t->c.drops++;
			}
	return ok;
}

static int br_worker(void *arg)
{
	struct br_traffic *t = arg;
	struct rte_rcu_qsbr *v = dp_rcu();
	uint64_t pkts = 0;

	rte_rcu_qsbr_thread_online(v, 0);
	while (!__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE)) {
		pkts += br_round(t);
		__atomic_store_n(&t->c.pkts, pkts, __ATOMIC_RELEASE);
		rte_rcu_qsbr_quiescent(v, 0);
	}
	rte_rcu_qsbr_thread_offline(v, 0);
	return 0;
}

struct br_traffic *br_traffic_create(const struct br_opts *o, const unsigned *idx, unsigned n)
{
	struct br_traffic *t = calloc(1, sizeof(*t));
	const char *what = "memory";
	unsigned k;

	if (t == NULL)
		goto fail;
	t->n = n;
	t->frame = malloc((size_t)n * BR_STRIDE);
	t->len = calloc(n, sizeof(*t->len));
	t->wk = esp_crypto_wk_create(SOCKET_ID_ANY);
	if (t->frame == NULL || t->len == NULL || t->wk == NULL ||
	    rte_pktmbuf_alloc_bulk(dp_mbuf_pool(), t->m, BR_BURST) != 0)
		goto fail;
	what = "ESP frames from the peers";
	for (k = 0; k < n; k++)
		if (br_encrypt_one(t, o, k, idx[k]) != 0)
			goto fail;
	what = "a check round (every sample SA decrypts)";
	for (k = 0; k < (n + BR_BURST - 1) / BR_BURST; k++)
		if (br_round(t) != BR_BURST || t->c.misses != 0 || t->c.drops != 0)
			goto fail;
	t->cursor = 0;
	return t;
fail:
	fprintf(stderr, "bench_revoke: traffic set-up failed: %s\n", what);
	br_traffic_free(t);
	return NULL;
}

int br_traffic_start(struct br_traffic *t, unsigned lcore)
{
	int ret;

	__atomic_store_n(&t->stop, 0, __ATOMIC_RELEASE);
	t->lcore = lcore;
	ret = rte_eal_remote_launch(br_worker, t, lcore);
	t->running = ret == 0;
	return ret;
}

uint64_t br_traffic_pkts(const struct br_traffic *t)
{
	return __atomic_load_n(&t->c.pkts, __ATOMIC_ACQUIRE);
}

void br_traffic_stop(struct br_traffic *t)
{
	if (t == NULL || !t->running)
		return;
	__atomic_store_n(&t->stop, 1, __ATOMIC_RELEASE);
	rte_eal_wait_lcore(t->lcore);
	t->running = false;
}

uint64_t br_traffic_misses(const struct br_traffic *t)
{
	return t->c.misses;
}

uint64_t br_traffic_drops(const struct br_traffic *t)
{
	return t->c.drops;
}

void br_traffic_free(struct br_traffic *t)
{
	if (t == NULL)
		return;
	br_traffic_stop(t);
	for (unsigned k = 0; k < BR_BURST; k++)
		rte_pktmbuf_free(t->m[k]);
	esp_crypto_wk_free(t->wk);
	free(t->frame);
	free(t->len);
	free(t);
}

double br_wipe_time(unsigned n)
{
	struct esp_sa_rt *rt = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(*rt));
	double t;

	if (rt == NULL)
		return -1;
	memset(rt, 0, sizeof(*rt));
	t = br_now();
	for (unsigned k = 0; k < n; k++)
		esp_sa_rt_wipe(rt);
	t = br_now() - t;
	free(rt);
	return t;
}
