/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_ESP_H_DP
#define GW_ESP_H_DP

/*
 * ESP tunnel mode (RFC 4303), with UDP encapsulation (RFC 3948), on one
 * worker: whole bursts, crypto through esp_crypto_run().  Pure packet
 * transforms: no routing, no TX, no freeing; the caller (dp_worker_esp.c)
 * acts on each result, and frees and counts a drop with esp_drop().
 *
 * Every SA passed here must be owned by the calling worker (rt->owner) and
 * have been read through esp_sa_get() since the last quiescent state.
 * Mbufs must be single-segment (a chained one is dropped: drop_malformed).
 *
 * Outbound, esp_out_burst():
 *   in:  m's data starts at the Ethernet header of a frame whose IPv4 or
 *        IPv6 packet (the inner packet, already validated by classification
 *        and with its TTL / hop limit already decremented) follows at 14;
 *   out: m's data starts at a 14-byte Ethernet header slot (contents
 *        undefined: the caller writes it after routing the outer packet),
 *        followed by the outer IPv4/IPv6 header (complete, checksum
 *        included), the optional UDP header, ESP header, IV, ciphertext,
 *        padding, pad length, next header and ICV.  m->l2_len = 14,
 *        m->l3_len = outer IP header length.
 *   Drops: drop_seq_overflow (SA stopped, event posted), drop_lifetime
 *        (hard limit reached: SA stopped, event posted), drop_malformed
 *        (no room in the mbuf).  Soft limits post an event once.
 *
 * Inbound, esp_in_burst():
 *   in:  m's data starts at the Ethernet header; the ESP header starts at
 *        esp_off[i] bytes (after the outer IP header and, with UDP
 *        encapsulation, the UDP header); the outer packet was validated by
 *        classification (lengths, checksum) and its Ethernet padding
 *        trimmed, so the ESP packet runs to the end of the mbuf.
 *   Order per packet: SA flags (stopped), length and alignment checks,
 *        anti-replay check (before decryption), decrypt and verify the ICV
 *        (constant time), replay window advanced (only now), padding
 *        (RFC 4303 2.4: 1, 2, 3, ...) and next header (4 or 41; 59 is a
 *        dummy packet, dropped and counted as drop_bad_padding),
 *        inner header sanity, inner selectors (drop_ts_mismatch),
 *        lifetimes.
 *   out: m's data starts at a 14-byte Ethernet header slot followed by the
 *        inner packet; res[i].inner_v6 says which family; m->l2_len = 14.
 *
 * ESN: the high 32 bits are never sent.  Out: for HMAC they are placed
 * after the ciphertext for the ICV computation only (then overwritten by
 * the ICV); for GCM they enter the 12-byte AAD (RFC 4106 5).  In: placed
 * temporarily after the ciphertext (the ICV is saved first), as
 * intel-ipsec-mb hashes one contiguous buffer.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "dataplane/dp_stats.h"
#include "dataplane/esp_crypto.h"
#include "dataplane/esp_sa.h"

enum {
	ESP_BURST_MAX = 64,		/* packets per esp_*_burst call */
	ESP_ETH_SLOT = 14,
};

/* Result of one packet: ok, or the drop reason (the mbuf untouched
 * beyond what was read or partly written; the caller drops it). */
struct esp_result {
	bool ok;
	bool inner_v6;			/* IN: the inner packet is IPv6 */
	uint8_t drop;			/* enum dp_drop when !ok */
};

/*
 * Encrypt n <= ESP_BURST_MAX packets, pkts[i] with sas[i] (owned by the
 * caller).  res[i] gets each one's fate.  Returns how many are ok.
 * No per-packet work outside this burst: the crypto of the whole burst
 * is one esp_crypto_run().
 */
unsigned esp_out_burst(struct esp_crypto_wk *cw, struct rte_mbuf **pkts,
		       struct esp_sa_rt **sas, unsigned n, struct esp_result *res);

/* Decrypt n <= ESP_BURST_MAX packets, pkts[i] with sas[i], the ESP header
 * at esp_off[i].  Returns how many are ok. */
unsigned esp_in_burst(struct esp_crypto_wk *cw, struct rte_mbuf **pkts,
		      struct esp_sa_rt **sas, const uint16_t *esp_off, unsigned n,
		      struct esp_result *res);

/* Worker: the one drop helper for ESP packets: count why per lcore and
 * per SA (rt may be NULL), free m. */
static inline void esp_drop(struct rte_mbuf *m, struct esp_sa_rt *rt, enum dp_drop why)
{
	esp_sa_count_drop(rt, why);
	dp_drop(m, (enum dp_counter)why);
}

/* Bytes the outbound transform adds in front of the inner packet, and the
 * most it adds after it, for MTU decisions: outer IP (+UDP) + ESP header
 * + IV, and padding + trailer + ICV. */
unsigned esp_out_overhead(const struct esp_sa_rt *rt, unsigned inner_len);

#endif /* GW_ESP_H_DP */
