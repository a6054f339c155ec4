/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The in-process pipeline: generated packets through the gateway's own ESP
 * transforms, with the SA table and policies installed through the
 * control plane's interface (dp_sa.h, dp_spd.h), no NIC.
 *
 * Per packet, what a worker does besides classification and TX:
 *   encrypt  the mbuf re-prepared (data offset and lengths reset, the 42
 *            bytes of Ethernet/IPv4/UDP header rewritten from a template
 *            with the SA's destination; the payload left as the previous
 *            round's ciphertext: its value does not change the cost),
 *            the SPD lookup (as dp_classify_burst: dp_spd_lookup4_bulk
 *            when dp_spd_staged4(), else dp_spd_lookup4) to the tunnel,
 *            its SA through dp_tunnel_out_sa() + esp_sa_get() (staged
 *            with prefetches, as dp_worker_esp_out), then esp_out_burst();
 *   decrypt  the whole ESP frame copied into the mbuf (decryption is in
 *            place and the ICV must verify), the SPI read at the ESP
 *            offset, esp_sa_lookup_in_bulk() + esp_sa_get(), then
 *            esp_in_burst().
 * Both counted in full.  The mbufs are BENCH_BURST pre-allocated ones,
 * re-prepared every round (no alloc/free per packet: a worker's RX and TX
 * are the full I/O benchmark's business).
 *
 * Decrypt input: for every SA a packet that its peer would send, made by
 * esp_out_burst() on a private record mirroring the SA (the SPI and the
 * keys of SA i; all SAs share key bytes, each has its own key schedule in
 * its own record, so the cache footprint is that of distinct keys).
 * Replayed every round, so those SAs are installed with the benchmark-only
 * replay check off (dp_sa_bench_no_replay).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "common/gw_addr.h"
#include "dataplane/dp.h"
#include "dataplane/dp_sa.h"
#include "dataplane/dp_spd.h"
#include "dataplane/esp.h"
#include "dataplane/esp_sa.h"
#include "test/bench/bench_esp.h"

enum {
	PIPE_HDR_LEN = RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr),
	PIPE_DST_OFF = RTE_ETHER_HDR_LEN + 16,	/* IPv4 destination */
	PIPE_SRC_OFF = RTE_ETHER_HDR_LEN + 12,
	PIPE_SPI_BASE = 0x10000,
	PIPE_STRIDE = 2048,			/* bytes per stored ESP frame */
	PIPE_RECLAIM_TRIES = 1000,
};

struct bench_pipe {
	struct bench_spec s;
	struct esp_crypto_wk *wk;
	bool use_spd;
	uint32_t *handles;		/* installed SAs, to retire */
	unsigned n_handles;
	uint32_t *far_be;		/* SA i's far-side host 172.16.0.0 + i */
	uint32_t lan_be;
	uint8_t tmpl[PIPE_HDR_LEN];	/* encrypt: the header template */
	uint8_t *esp;			/* decrypt: n_pkts frames of PIPE_STRIDE */
	uint16_t *esp_len;
	unsigned n_pkts;
	unsigned cursor;
	struct rte_mbuf *m[BENCH_BURST];
};

static const uint8_t pipe_mac_gw[6] = { 0x02, 0x70, 0x63, 0x61, 0x70, 0x00 };
static const uint8_t pipe_mac_peer[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };

void bench_frame(uint8_t *f, unsigned len, uint32_t src_be, uint32_t dst_be)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)f;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	unsigned ip_len = len - RTE_ETHER_HDR_LEN;

	memcpy(eth->dst_addr.addr_bytes, pipe_mac_gw, 6);
	memcpy(eth->src_addr.addr_bytes, pipe_mac_peer, 6);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)ip_len);
	ip->packet_id = RTE_BE16(1);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = src_be;
	ip->dst_addr = dst_be;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = RTE_BE16(40000);
	udp->dst_port = RTE_BE16(9);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(ip_len - sizeof(*ip)));
	udp->dgram_cksum = 0;
	for (unsigned i = PIPE_HDR_LEN; i < len; i++)
		f[i] = (uint8_t)i;
}

static uint32_t pipe_be(const char *s)
{
	struct gw_addr a;

	return gw_addr_parse(s, &a) == 0 ? a.v4 : 0;
}

/* The descriptor of SA i (keys shared, see above): OUT as we send on
 * tunnel i, IN as we receive from the peer; peer: the peer's OUT SA. */
static void pipe_desc(const struct bench_spec *s, unsigned i, enum gw_sa_dir dir, bool peer,
		      struct gw_sa_desc *d)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "bench%u", i);
	d->tunnel = i;
	d->spi = PIPE_SPI_BASE + i;
	d->dir = (uint8_t)dir;
	d->alg = (uint8_t)s->alg;
	gw_addr_parse(peer ? BENCH_PEER_OUTER : BENCH_GW_OUTER, &d->local);
	gw_addr_parse(peer ? BENCH_GW_OUTER : BENCH_PEER_OUTER, &d->remote);
	d->enc_key_len = (uint8_t)gw_esp_enc_key_len(s->alg);
	d->auth_key_len = (uint8_t)gw_esp_auth_key_len(s->alg);
	for (unsigned b = 0; b < d->enc_key_len; b++)
		d->enc_key[b] = (uint8_t)(0x3c + 7 * b);
	for (unsigned b = 0; b < d->auth_key_len; b++)
		d->auth_key[b] = (uint8_t)(0xa1 ^ (5 * b));
	if (peer)
		return;		/* selectors: not checked on the way out */
	gw_prefix_parse(BENCH_LAN, &d->local_ts[0]);
	d->remote_ts[0].addr.family = AF_INET;
	d->remote_ts[0].addr.v4 = rte_cpu_to_be_32(BENCH_REMOTE_BASE + i);
	d->remote_ts[0].len = 32;
	d->n_local_ts = d->n_remote_ts = 1;
}

/* A private record for SA i's mirror (peer: its OUT; else our IN, with
 * no selectors), not in the table.  NULL on failure. */
static struct esp_sa_rt *pipe_private_rt(struct bench_pipe *p, bool peer)
{
	struct esp_sa_rt *rt = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(*rt));
	struct gw_sa_desc d;

	if (rt == NULL)
		return NULL;
	memset(rt, 0, sizeof(*rt));
	pipe_desc(&p->s, 0, peer ? GW_SA_OUT : GW_SA_IN, peer, &d);
	d.n_local_ts = d.n_remote_ts = 0;
	if (esp_sa_rt_init(rt, &d, esp_crypto_wk_mgr(p->wk)) != 0) {
		free(rt);
		rt = NULL;
	} else if (!peer) {
		/* Packets of many SAs, each from sequence number 1. */
		rt->flags |= ESP_SA_F_NO_REPLAY;
	}
	gw_sa_desc_wipe(&d);
	return rt;
}

static void pipe_rt_free(struct esp_sa_rt *rt)
{
	if (rt != NULL)
		esp_sa_rt_wipe(rt);
	free(rt);
}

static int pipe_install(struct bench_pipe *p)
{
	struct gw_sa_desc d;
	int ret = 0;

	dp_sa_bench_no_replay(p->s.decrypt);
	for (unsigned i = 0; i < p->s.n_sas && ret == 0; i++) {
		pipe_desc(&p->s, i, p->s.decrypt ? GW_SA_IN : GW_SA_OUT, false, &d);
		ret = dp_sa_install(&d, &p->handles[i]);
		if (ret == 0)
			p->n_handles++;
	}
	gw_sa_desc_wipe(&d);
	dp_sa_bench_no_replay(false);
	if (ret != 0)
		fprintf(stderr, "bench_esp: dp_sa_install of SA %u: %s\n", p->n_handles,
			strerror(-ret));
	return ret;
}

/* Protect policies LAN -> 172.16.0.0 + i on tunnel i.  When the SPD
 * refuses them, the tunnel comes from the table (use_spd cleared). */
static int pipe_policies(struct bench_pipe *p)
{
	struct dp_spd_rule *r = calloc(p->s.n_sas, sizeof(*r));
	int ret;

	if (r == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < p->s.n_sas; i++) {
		gw_prefix_parse(BENCH_LAN, &r[i].local);
		r[i].remote.addr.family = AF_INET;
		r[i].remote.addr.v4 = p->far_be[i];
		r[i].remote.len = 32;
		r[i].action = DP_SPD_PROTECT;
		r[i].tunnel = i;
	}
	ret = dp_spd_set(r, p->s.n_sas);
	free(r);
	if (ret != 0) {
		fprintf(stderr, "bench_esp: dp_spd_set: %s: the tunnel comes from the table\n",
			strerror(-ret));
		p->use_spd = false;
	}
	return 0;
}

/* Encrypt: find the SAs of the burst in p->m and encrypt it.  0 or -EIO. */
static int pipe_enc_burst(struct bench_pipe *p, const unsigned *sa_idx)
{
	struct esp_sa_rt *sas[BENCH_BURST];
	struct esp_result res[BENCH_BURST];
	uint32_t tunnel[BENCH_BURST], hd[BENCH_BURST], src[BENCH_BURST], dst[BENCH_BURST];
	struct dp_spd_match mt[BENCH_BURST];
	bool hit[BENCH_BURST];

	for (unsigned k = 0; k < BENCH_BURST; k++) {
		const uint8_t *h = rte_pktmbuf_mtod(p->m[k], const uint8_t *);

		if (!p->use_spd)
			tunnel[k] = sa_idx[k];
		memcpy(&src[k], h + PIPE_SRC_OFF, 4);
		memcpy(&dst[k], h + PIPE_DST_OFF, 4);
	}
	if (p->use_spd) {
		/* As dp_classify_burst(): one staged lookup for the burst when
		 * the set is large, else one lookup per packet. */
		if (dp_spd_staged4())
			dp_spd_lookup4_bulk(src, dst, BENCH_BURST, mt, hit);
		else
			for (unsigned k = 0; k < BENCH_BURST; k++)
				hit[k] = dp_spd_lookup4(src[k], dst[k], &mt[k]);
		for (unsigned k = 0; k < BENCH_BURST; k++) {
			if (!hit[k] || mt[k].action != DP_SPD_PROTECT)
				return -EIO;
			tunnel[k] = mt[k].tunnel;
		}
	}
	/* As dp_worker_esp_out(): tunnel -> handle -> slot -> record, one
	 * step for the whole burst at a time, each prefetching the next. */
	for (unsigned k = 0; k < BENCH_BURST; k++)
		esp_sa_prefetch_tunnel(tunnel[k]);
	for (unsigned k = 0; k < BENCH_BURST; k++) {
		hd[k] = dp_tunnel_out_sa(tunnel[k]);
		esp_sa_prefetch_slot(hd[k]);
	}
	for (unsigned k = 0; k < BENCH_BURST; k++)
		if (k == 0 || hd[k] != hd[k - 1])
			esp_sa_prefetch_handle(hd[k], false);
	for (unsigned k = 0; k < BENCH_BURST; k++) {
		sas[k] = esp_sa_get(hd[k]);
		if (sas[k] == NULL)
			return -EIO;
	}
	return esp_out_burst(p->wk, p->m, sas, BENCH_BURST, res) == BENCH_BURST ? 0 : -EIO;
}

static inline unsigned pipe_next(struct bench_pipe *p, unsigned mod)
{
	unsigned j = p->cursor;

	p->cursor = j + 1 == mod ? 0 : j + 1;
	return j;
}

static inline void pipe_reset(struct rte_mbuf *m, unsigned len)
{
	m->data_off = RTE_PKTMBUF_HEADROOM;
	m->data_len = (uint16_t)len;
	m->pkt_len = len;
}

static int pipe_enc_round(struct bench_pipe *p)
{
	unsigned idx[BENCH_BURST];

	for (unsigned k = 0; k < BENCH_BURST; k++) {
		uint8_t *h;

		idx[k] = pipe_next(p, p->s.n_sas);
		pipe_reset(p->m[k], p->s.frame_len);
		h = rte_pktmbuf_mtod(p->m[k], uint8_t *);
		memcpy(h, p->tmpl, PIPE_HDR_LEN);
		memcpy(h + PIPE_DST_OFF, &p->far_be[idx[k]], 4);
	}
	return pipe_enc_burst(p, idx);
}

static int pipe_dec_round(struct bench_pipe *p)
{
	struct esp_sa_rt *sas[BENCH_BURST];
	struct esp_result res[BENCH_BURST];
	uint32_t spi[BENCH_BURST], h[BENCH_BURST];
	uint16_t off[BENCH_BURST];

	for (unsigned k = 0; k < BENCH_BURST; k++) {
		unsigned j = pipe_next(p, p->n_pkts);
		uint8_t *d;

		pipe_reset(p->m[k], p->esp_len[j]);
		d = rte_pktmbuf_mtod(p->m[k], uint8_t *);
		memcpy(d, p->esp + (size_t)j * PIPE_STRIDE, p->esp_len[j]);
		off[k] = (uint16_t)(RTE_ETHER_HDR_LEN + (d[RTE_ETHER_HDR_LEN] & 0xf) * 4);
		memcpy(&spi[k], d + off[k], 4);
	}
	esp_sa_lookup_in_bulk(spi, BENCH_BURST, h);
	/* As dp_worker_esp_in(): slot, then record, for the whole burst. */
	for (unsigned k = 0; k < BENCH_BURST; k++)
		esp_sa_prefetch_slot(h[k]);
	for (unsigned k = 0; k < BENCH_BURST; k++)
		if (k == 0 || h[k] != h[k - 1])
			esp_sa_prefetch_handle(h[k], true);
	for (unsigned k = 0; k < BENCH_BURST; k++) {
		sas[k] = esp_sa_get(h[k]);
		if (sas[k] == NULL)
			return -EIO;
	}
	return esp_in_burst(p->wk, p->m, sas, off, BENCH_BURST, res) == BENCH_BURST ? 0 : -EIO;
}

/* Decrypt input: packet j is SA (j % n_sas)'s, encrypted by its peer. */
static int pipe_dec_packets(struct bench_pipe *p)
{
	struct esp_sa_rt *peer = pipe_private_rt(p, true);
	struct rte_mbuf *m = p->m[0];
	struct esp_result res;
	int ret = -EIO;

	p->n_pkts = RTE_ALIGN_CEIL(p->s.n_sas, BENCH_BURST);
	p->esp = malloc((size_t)p->n_pkts * PIPE_STRIDE);
	p->esp_len = calloc(p->n_pkts, sizeof(p->esp_len[0]));
	if (peer == NULL || p->esp == NULL || p->esp_len == NULL)
		goto out;
	for (unsigned j = 0; j < p->n_pkts; j++) {
		unsigned i = j % p->s.n_sas;
		uint8_t *f;

		pipe_reset(m, p->s.frame_len);
		bench_frame(rte_pktmbuf_mtod(m, uint8_t *), p->s.frame_len, p->far_be[i], p->lan_be);
		peer->spi_be = rte_cpu_to_be_32(PIPE_SPI_BASE + i);
		if (esp_out_burst(p->wk, &m, &peer, 1, &res) != 1 || m->data_len > PIPE_STRIDE)
			goto out;
		f = rte_pktmbuf_mtod(m, uint8_t *);
		memcpy(f, pipe_mac_gw, 6);
		memcpy(f + 6, pipe_mac_peer, 6);
		f[12] = 0x08;
		f[13] = 0x00;
		memcpy(p->esp + (size_t)j * PIPE_STRIDE, f, m->data_len);
		p->esp_len[j] = m->data_len;
	}
	ret = 0;
out:
	pipe_rt_free(peer);
	return ret;
}

/* Does m hold (after its 14-byte Ethernet slot) the inner packet of
 * frame, byte for byte? */
static bool pipe_same_inner(const struct rte_mbuf *m, const uint8_t *frame, unsigned len)
{
	return m->data_len == len &&
	       memcmp(rte_pktmbuf_mtod_offset(m, const uint8_t *, RTE_ETHER_HDR_LEN),
		      frame + RTE_ETHER_HDR_LEN, len - RTE_ETHER_HDR_LEN) == 0;
}

/* Decrypt: one round, every output compared with the frame it came from. */
static int pipe_dec_check(struct bench_pipe *p)
{
	uint8_t frame[BENCH_FRAME_MAX];

	if (pipe_dec_round(p) != 0)
		return -EIO;
	for (unsigned k = 0; k < BENCH_BURST; k++) {
		bench_frame(frame, p->s.frame_len, p->far_be[k % p->s.n_sas], p->lan_be);
		if (!pipe_same_inner(p->m[k], frame, p->s.frame_len))
			return -EIO;
	}
	return 0;
}

/* Encrypt: one burst of whole frames, each decrypted again by a private
 * inbound record (SPI set per packet) and compared. */
static int pipe_enc_check(struct bench_pipe *p)
{
	struct esp_sa_rt *in = pipe_private_rt(p, false);
	uint8_t frame[BENCH_FRAME_MAX];
	unsigned idx[BENCH_BURST];
	struct esp_result res;
	int ret = -EIO;

	if (in == NULL)
		goto out;
	for (unsigned k = 0; k < BENCH_BURST; k++) {
		idx[k] = k % p->s.n_sas;
		pipe_reset(p->m[k], p->s.frame_len);
		bench_frame(rte_pktmbuf_mtod(p->m[k], uint8_t *), p->s.frame_len, p->lan_be,
			    p->far_be[idx[k]]);
	}
	if (pipe_enc_burst(p, idx) != 0)
		goto out;
	for (unsigned k = 0; k < BENCH_BURST; k++) {
		uint16_t off = RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr);

		in->spi_be = rte_cpu_to_be_32(PIPE_SPI_BASE + idx[k]);
		if (esp_in_burst(p->wk, &p->m[k], &in, &off, 1, &res) != 1)
			goto out;
		bench_frame(frame, p->s.frame_len, p->lan_be, p->far_be[idx[k]]);
		if (!pipe_same_inner(p->m[k], frame, p->s.frame_len))
			goto out;
	}
	ret = 0;
out:
	pipe_rt_free(in);
	return ret;
}

struct bench_pipe *bench_pipe_create(const struct bench_spec *s, bool use_spd)
{
	struct bench_pipe *p = calloc(1, sizeof(*p));
	uint8_t frame[BENCH_FRAME_MAX];
	const char *what = "memory";

	if (p == NULL)
		goto fail;
	p->s = *s;
	p->use_spd = use_spd && !s->decrypt;
	p->lan_be = pipe_be(BENCH_LAN_HOST);
	p->handles = calloc(s->n_sas, sizeof(p->handles[0]));
	p->far_be = calloc(s->n_sas, sizeof(p->far_be[0]));
	p->wk = esp_crypto_wk_create(SOCKET_ID_ANY);
	if (p->handles == NULL || p->far_be == NULL || p->wk == NULL ||
	    rte_pktmbuf_alloc_bulk(dp_mbuf_pool(), p->m, BENCH_BURST) != 0)
		goto fail;
	for (unsigned i = 0; i < s->n_sas; i++)
		p->far_be[i] = rte_cpu_to_be_32(BENCH_REMOTE_BASE + i);
	what = "SA install";
	if (pipe_install(p) != 0)
		goto fail;
	what = "policies";
	if (p->use_spd && pipe_policies(p) != 0)
		goto fail;
	if (s->decrypt) {
		what = "ESP packets from the peer";
		if (pipe_dec_packets(p) != 0)
			goto fail;
		what = "decrypt check (bytes compared)";
		if (pipe_dec_check(p) != 0)
			goto fail;
	} else {
		what = "encrypt check (decrypted again, bytes compared)";
		if (pipe_enc_check(p) != 0)
			goto fail;
		/* The template: the headers of a whole frame (the IPv4
		 * checksum is SA 0's: the transform does not check it). */
		bench_frame(frame, s->frame_len, p->lan_be, p->far_be[0]);
		memcpy(p->tmpl, frame, PIPE_HDR_LEN);
	}
	p->cursor = 0;
	return p;
fail:
	fprintf(stderr, "bench_esp: pipeline set-up failed: %s\n", what);
	bench_pipe_free(p);
	return NULL;
}

int bench_pipe_run(struct bench_pipe *p, double secs, struct bench_rate *r)
{
	double t0 = bench_now(), end = t0 + secs, t;
	uint64_t tsc0 = rte_rdtsc();
	int ret;

	r->pkts = 0;
	do {
		ret = p->s.decrypt ? pipe_dec_round(p) : pipe_enc_round(p);
		if (ret != 0) {
			fprintf(stderr, "bench_esp: the pipeline dropped a packet\n");
			return ret;
		}
		r->pkts += BENCH_BURST;
		t = bench_now();
	} while (t < end);
	r->tsc = rte_rdtsc() - tsc0;
	r->secs = t - t0;
	return 0;
}

bool bench_pipe_spd(const struct bench_pipe *p)
{
	return p->use_spd;
}

/* Retire every SA in batches and wait for their reclamation (no worker is
 * online, so every grace period is over at once). */
static void pipe_retire(struct bench_pipe *p)
{
	struct dp_sa_stats st;

	for (unsigned i = 0; i < p->n_handles; i += DP_SA_RETIRE_BATCH_MAX) {
		unsigned n = RTE_MIN(p->n_handles - i, (unsigned)DP_SA_RETIRE_BATCH_MAX);

		dp_sa_retire_batch(p->handles + i, n);
		dp_sa_reclaim();
	}
	for (unsigned t = 0; t < PIPE_RECLAIM_TRIES; t++) {
		dp_reclaim();
		dp_sa_stats(&st);
		if (st.retiring == 0)
			return;
	}
	fprintf(stderr, "bench_esp: %u SAs still retiring\n", st.retiring);
}

void bench_pipe_free(struct bench_pipe *p)
{
	if (p == NULL)
		return;
	pipe_retire(p);
	if (p->use_spd)
		dp_spd_set(NULL, 0);
	dp_reclaim();
	for (unsigned k = 0; k < BENCH_BURST; k++)
		rte_pktmbuf_free(p->m[k]);
	esp_crypto_wk_free(p->wk);
	free(p->handles);
	free(p->far_be);
	free(p->esp);
	free(p->esp_len);
	free(p);
}
