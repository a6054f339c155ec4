/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inbound ESP, tunnel mode (RFC 4303), optionally from UDP (RFC 3948): the
 * contract is esp.h.  Three passes over a burst: admit every packet
 * (state, lengths, anti-replay check) and build its crypto op, one
 * esp_crypto_run() for the lot, then, in packet order, everything that
 * needs the plaintext: window advance, trailer, inner header, selectors,
 * the tunnel's knobs (esp_knobs.h: ECN per RFC 6040 4.2, MSS, TTL),
 * lifetimes, decapsulation.
 *
 * With ESN and HMAC the high 32 bits of the sequence number are written
 * over the first bytes of the received ICV, right after the ciphertext,
 * so that the hash runs over one contiguous buffer (RFC 4303 2.2.1); the
 * ICV is saved to per-packet scratch first and compared from there.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dataplane/esp.h"
#include "dataplane/esp_knobs.h"
#include "dataplane/esp_pkt.h"

/* Per-packet state from admission to the end of the burst. */
struct esp_in_pkt {
	uint8_t icv[ESP_ICV_MAX];	/* the received ICV, saved */
	uint8_t aad[ESP_AAD_MAX];
	uint64_t seq;			/* full (ESN-inferred) sequence number */
	uint32_t ct_len;		/* ciphertext: payload + padding + trailer */
	uint32_t inner_off;		/* from the mbuf's data start */
	int status;			/* crypto completion */
};

/* The full sequence number when the replay check is off (benchmarks):
 * the high half is the window top's. */
static inline uint64_t esp_in_seq_nocheck(const struct esp_sa_rt *rt, uint32_t lo, bool esn)
{
	return esn ? (rt->replay.top & ~(uint64_t)UINT32_MAX) | lo : lo;
}

/*
 * State, lengths and the anti-replay check (before decryption).
 * 0, or -1 with *why set.
 */
static int esp_in_admit(const struct rte_mbuf *m, struct esp_sa_rt *rt, uint16_t off,
			struct esp_in_pkt *pk, uint8_t *why)
{
	uint32_t flags = esp_flags(rt);
	unsigned fixed = ESP_HDR_LEN + rt->iv_len + rt->icv_len;
	const uint8_t *esp;
	uint32_t len, lo;

	*why = DP_DROP_drop_malformed;
	if (unlikely(m->nb_segs != 1))
		return -1;
	if (unlikely(flags & ESP_SA_F_STOPPED)) {
		*why = DP_DROP_drop_lifetime;
		return -1;
	}
	if (unlikely(off < RTE_ETHER_HDR_LEN || off > m->data_len))
		return -1;
	len = m->data_len - off;
	if (unlikely(len < fixed + rt->pad_align))
		return -1;
	pk->ct_len = len - fixed;
	if (unlikely((pk->ct_len & (rt->pad_align - 1u)) != 0))	/* 16 CBC, 4 GCM/NULL */
		return -1;
	esp = rte_pktmbuf_mtod_offset(m, const uint8_t *, off);
	memcpy(&lo, esp + 4, sizeof(lo));
	lo = rte_be_to_cpu_32(lo);
	if (flags & ESP_SA_F_NO_REPLAY) {
		pk->seq = esp_in_seq_nocheck(rt, lo, flags & ESP_SA_F_ESN);
	} else if (esp_replay_check(&rt->replay, lo, flags & ESP_SA_F_ESN, &pk->seq) != 0) {
		*why = DP_DROP_drop_replay;
		return -1;
	}
	pk->inner_off = off + ESP_HDR_LEN + rt->iv_len;
	return 0;
}

/* The crypto op of an admitted packet (the ICV saved first). */
static void esp_in_op(struct rte_mbuf *m, const struct esp_sa_rt *rt, uint16_t off,
		      struct esp_in_pkt *pk, struct esp_crypto_op *op)
{
	uint8_t *esp = rte_pktmbuf_mtod_offset(m, uint8_t *, off);
	uint8_t *icv = esp + ESP_HDR_LEN + rt->iv_len + pk->ct_len;
	bool esn = rt->flags & ESP_SA_F_ESN;

	memcpy(pk->icv, icv, rt->icv_len);
	memset(op, 0, sizeof(*op));
	op->keys = &rt->keys;
	op->buf = esp;
	op->iv = esp + ESP_HDR_LEN;
	op->icv = pk->icv;
	op->cipher_off = ESP_HDR_LEN + rt->iv_len;
	op->cipher_len = pk->ct_len;
	op->auth_off = 0;
	op->auth_len = ESP_HDR_LEN + rt->iv_len + pk->ct_len;
	op->dir = ESP_DIR_IN;
	if (rt->keys.info->cipher == ESP_CIPHER_GCM) {
		uint32_t spi_be;

		memcpy(&spi_be, esp, sizeof(spi_be));	/* as received: authenticated */
		op->aad = pk->aad;
		op->aad_len = esp_gcm_aad(pk->aad, spi_be, pk->seq, esn);
	} else if (esn) {
		uint32_t hi = rte_cpu_to_be_32((uint32_t)(pk->seq >> 32));

		memcpy(icv, &hi, ESP_ESN_HI_LEN);
		op->auth_len += ESP_ESN_HI_LEN;
	}
}

/* Padding (RFC 4303 2.4: 1, 2, 3, ...) and next header of the decrypted
 * payload; its length without them in *len.  0, or -1: drop_bad_padding. */
static int esp_in_trailer(const uint8_t *pt, uint32_t ct_len, uint32_t *len, bool *v6)
{
	uint8_t pad = pt[ct_len - 2], nh = pt[ct_len - 1];
	const uint8_t *pp;

	if (nh != ESP_NH_IPV4 && nh != ESP_NH_IPV6)	/* 59: a dummy packet */
		return -1;
	if ((uint32_t)pad + ESP_TRAILER_LEN > ct_len)
		return -1;
	*len = ct_len - ESP_TRAILER_LEN - pad;
	pp = pt + *len;
	for (unsigned i = 0; i < pad; i++)
		if (pp[i] != (uint8_t)(i + 1))
			return -1;
	*v6 = nh == ESP_NH_IPV6;
	return 0;
}

/*
 * The inner header: its version matches the next header and its length
 * fits the payload (TFC padding after it is allowed: *len shrinks to the
 * packet); the selectors hold.  0, or -1 with *why set.
 */
static int esp_in_inner(const struct esp_sa_rt *rt, const uint8_t *ip, bool v6, uint32_t *len,
			uint8_t *why)
{
	const uint8_t *src, *dst;
	uint8_t fam;

	*why = DP_DROP_drop_malformed;
	if (!v6) {
		const struct rte_ipv4_hdr *h = (const void *)ip;
		uint32_t tot;

		if (*len < sizeof(*h) || (ip[0] >> 4) != 4 || (ip[0] & 0xf) < 5)
			return -1;
		tot = rte_be_to_cpu_16(h->total_length);
		if (tot > *len || tot < (ip[0] & 0xfu) * 4)
			return -1;
		*len = tot;
		src = (const uint8_t *)&h->src_addr;
		dst = (const uint8_t *)&h->dst_addr;
		fam = AF_INET;
	} else {
		const struct rte_ipv6_hdr *h = (const void *)ip;
		uint32_t tot;

		if (*len < sizeof(*h) || (ip[0] >> 4) != 6)
			return -1;
		tot = sizeof(*h) + rte_be_to_cpu_16(h->payload_len);
		if (tot > *len)
			return -1;
		*len = tot;
		src = h->src_addr;
		dst = h->dst_addr;
		fam = AF_INET6;
	}
	*why = DP_DROP_drop_ts_mismatch;
	if (!esp_ts_match(rt->remote_ts, rt->n_remote_ts, fam, src) ||
	    !esp_ts_match(rt->local_ts, rt->n_local_ts, fam, dst))
		return -1;
	return 0;
}

/* Everything after decryption, for one packet.  0, or -1 with *why set. */
static int esp_in_finish(struct rte_mbuf *m, struct esp_sa_rt *rt, const struct esp_in_pkt *pk,
			 struct esp_result *r)
{
	uint8_t *pt = rte_pktmbuf_mtod_offset(m, uint8_t *, pk->inner_off);
	uint32_t len;
	bool v6;

	if (unlikely(pk->status != 0)) {
		r->drop = pk->status == -EBADMSG ? DP_DROP_drop_icv : DP_DROP_drop_malformed;
		return -1;
	}
	if (!(esp_flags(rt) & ESP_SA_F_NO_REPLAY) &&
	    unlikely(esp_replay_advance(&rt->replay, pk->seq) != 0)) {
		r->drop = DP_DROP_drop_replay;
		return -1;
	}
	if (unlikely(esp_in_trailer(pt, pk->ct_len, &len, &v6) != 0)) {
		r->drop = DP_DROP_drop_bad_padding;
		return -1;
	}
	if (unlikely(esp_in_inner(rt, pt, v6, &len, &r->drop) != 0))
		return -1;
	if (unlikely(esp_knobs_in(rt, m, pt, len, v6) != 0)) {
		r->drop = DP_DROP_drop_ecn;
		return -1;
	}
	if (unlikely(!esp_life_ok(rt, len))) {
		r->drop = DP_DROP_drop_lifetime;
		return -1;
	}
	esp_life_count(rt, len);
	rte_pktmbuf_adj(m, (uint16_t)(pk->inner_off - RTE_ETHER_HDR_LEN));
	rte_pktmbuf_trim(m, (uint16_t)(m->data_len - RTE_ETHER_HDR_LEN - len));
	/* One store (see esp_out.c): no other offload length applies. */
	m->tx_offload = rte_mbuf_tx_offload(RTE_ETHER_HDR_LEN,
					    v6 ? sizeof(struct rte_ipv6_hdr) : (pt[0] & 0xfu) * 4u,
					    0, 0, 0, 0, 0);
	r->inner_v6 = v6;
	r->ok = true;
	return 0;
}

unsigned esp_in_burst(struct esp_crypto_wk *cw, struct rte_mbuf **pkts,
		      struct esp_sa_rt **sas, const uint16_t *esp_off, unsigned n,
		      struct esp_result *res)
{
	struct esp_crypto_op ops[ESP_BURST_MAX];
	struct esp_crypto_done done[ESP_BURST_MAX];
	struct esp_in_pkt pk[ESP_BURST_MAX];
	bool run[ESP_BURST_MAX];
	unsigned nop = 0, ok = 0;

	n = RTE_MIN(n, (unsigned)ESP_BURST_MAX);
	/* The whole burst's SA lines in flight at once (cold with many SAs). */
	for (unsigned i = 0; i < n; i++)
		if (i == 0 || sas[i] != sas[i - 1])
			esp_sa_prefetch_rt(sas[i], true);
	for (unsigned i = 0; i < n; i++) {
		res[i] = (struct esp_result){ .ok = false };
		run[i] = esp_in_admit(pkts[i], sas[i], esp_off[i], &pk[i], &res[i].drop) == 0;
		if (!run[i])
			continue;
		pk[i].status = -EIO;	/* until its completion says otherwise */
		esp_in_op(pkts[i], sas[i], esp_off[i], &pk[i], &ops[nop]);
		ops[nop++].user_data = (void *)(uintptr_t)i;
	}
	if (nop == 0)
		return 0;
	nop = esp_crypto_run(cw, ops, nop, done);
	for (unsigned d = 0; d < nop; d++)
		pk[(uintptr_t)done[d].user_data].status = done[d].status;
	/* In packet order: the window and the counters see them as sent. */
	for (unsigned i = 0; i < n; i++)
		if (run[i] && esp_in_finish(pkts[i], sas[i], &pk[i], &res[i]) == 0)
			ok++;
	return ok;
}
