/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_ESP_PKT_H
#define GW_ESP_PKT_H

/*
 * Helpers shared by esp_out.c and esp_in.c (internal to them): SA state
 * changes of the owning worker (stop, lifetimes), GCM AAD, selector match.
 * Lifetimes count inner packets and their IP bytes (what the SA protects,
 * as Linux xfrm counts), in both directions.
 * Fast path: static inline, no locks, no syscalls.  Every function that
 * changes an SA must be called by its owner (rt->owner) only.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>

#include "common/gw_addr.h"
#include "dataplane/esp_sa.h"

enum {
	ESP_NH_IPV4 = 4,		/* IP-in-IP: inner IPv4 */
	ESP_NH_IPV6 = 41,		/* inner IPv6 */
	ESP_NH_NONE = 59,		/* RFC 4303 2.6: dummy packet */
	ESP_AAD_MAX = 12,		/* RFC 4106 5: SPI || seq_hi || seq_lo */
	ESP_ESN_HI_LEN = 4,
};

static inline uint32_t esp_flags(const struct esp_sa_rt *rt)
{
	return __atomic_load_n(&rt->flags, __ATOMIC_RELAXED);
}

/* Owner: set flag bits (one writer; readers see a whole word). */
static inline void esp_flags_set(struct esp_sa_rt *rt, uint32_t bits)
{
	__atomic_store_n(&rt->flags, esp_flags(rt) | bits, __ATOMIC_RELEASE);
}

/* Owner: stop the SA and tell the control plane, once. */
static inline void esp_sa_stop(struct esp_sa_rt *rt, enum dp_sa_event_type why)
{
	if (esp_flags(rt) & ESP_SA_F_STOPPED)
		return;
	esp_flags_set(rt, ESP_SA_F_STOPPED);
	esp_sa_event(why, rt->handle, rt->tunnel);
}

/*
 * Owner, before counting a packet of len bytes: would it pass the hard
 * lifetime?  Then the SA stops (event posted) and false is returned: the
 * hard limits are never exceeded.
 */
static inline bool esp_life_ok(struct esp_sa_rt *rt, uint32_t len)
{
	if ((rt->life_hard_pkts != 0 && rt->st.pkts >= rt->life_hard_pkts) ||
	    (rt->life_hard_bytes != 0 && rt->st.bytes + len > rt->life_hard_bytes)) {
		esp_sa_stop(rt, DP_SA_EV_HARD_LIFETIME);
		return false;
	}
	return true;
}

/*
 * Owner: count one packet of len bytes, post the soft-lifetime event once,
 * and stop the SA as soon as its hard packet limit is reached (so the
 * control plane hears of it without waiting for one more packet).
 */
static inline void esp_life_count(struct esp_sa_rt *rt, uint32_t len)
{
	esp_sa_count(rt, len);
	if (!(esp_flags(rt) & ESP_SA_F_SOFT_SENT) &&
	    ((rt->life_soft_pkts != 0 && rt->st.pkts >= rt->life_soft_pkts) ||
	     (rt->life_soft_bytes != 0 && rt->st.bytes >= rt->life_soft_bytes))) {
		esp_flags_set(rt, ESP_SA_F_SOFT_SENT);
		esp_sa_event(DP_SA_EV_SOFT_LIFETIME, rt->handle, rt->tunnel);
	}
	if (rt->life_hard_pkts != 0 && rt->st.pkts >= rt->life_hard_pkts)
		esp_sa_stop(rt, DP_SA_EV_HARD_LIFETIME);
}

/* GCM AAD (RFC 4106 5) into aad; returns its length, 8 or 12. */
static inline uint16_t esp_gcm_aad(uint8_t *aad, uint32_t spi_be, uint64_t seq, bool esn)
{
	uint32_t hi = rte_cpu_to_be_32((uint32_t)(seq >> 32));
	uint32_t lo = rte_cpu_to_be_32((uint32_t)seq);

	memcpy(aad, &spi_be, 4);
	if (esn) {
		memcpy(aad + 4, &hi, 4);
		memcpy(aad + 8, &lo, 4);
		return 12;
	}
	memcpy(aad + 4, &lo, 4);
	return 8;
}

/* Does the address a (4 or 16 bytes, network order, of family fam) lie in
 * one of the n prefixes?  n == 0 matches anything. */
static inline bool esp_ts_match(const struct gw_prefix *ts, unsigned n, uint8_t fam,
				const uint8_t *a)
{
	if (n == 0)
		return true;
	if (fam == AF_INET) {
		/* One masked word per prefix, not a memcmp() call. */
		uint32_t a4;

		memcpy(&a4, a, sizeof(a4));
		for (unsigned i = 0; i < n; i++) {
			uint32_t mask = ts[i].len == 0 ? 0 :
					rte_cpu_to_be_32(UINT32_MAX << (32 - RTE_MIN(ts[i].len, 32u)));

			if (ts[i].addr.family == AF_INET && ((a4 ^ ts[i].addr.v4) & mask) == 0)
				return true;
		}
		return false;
	}
	for (unsigned i = 0; i < n; i++) {
		const struct gw_prefix *p = &ts[i];
		const uint8_t *b = fam == AF_INET ? (const uint8_t *)&p->addr.v4 : p->addr.v6;
		unsigned full = p->len / 8, rest = p->len % 8;

		if (p->addr.family != fam || memcmp(a, b, full) != 0)
			continue;
		if (rest == 0 || ((a[full] ^ b[full]) & (uint8_t)(0xff00 >> rest)) == 0)
			return true;
	}
	return false;
}

#endif /* GW_ESP_PKT_H */
