/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_LOG_H
#define GW_LOG_H

/*
 * One DPDK dynamic log type per module, all under "ipsecgw.": set them
 * together with rte_log_set_level_pattern("ipsecgw.*", level) or one by one
 * with EAL's --log-level=ipsecgw.arp:debug.  Never log per packet on the
 * fast path: count instead.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_log.h>

#define GW_LOG_MODULES(X) \
	X(main, "ipsecgw.main") \
	X(cfg, "ipsecgw.cfg") \
	X(dp, "ipsecgw.dp") \
	X(port, "ipsecgw.port") \
	X(route, "ipsecgw.route") \
	X(neigh, "ipsecgw.neigh") \
	X(cp, "ipsecgw.cp") \
	X(arp, "ipsecgw.arp") \
	X(nd, "ipsecgw.nd") \
	X(icmp, "ipsecgw.icmp") \
	X(frag, "ipsecgw.frag") \
	X(ike, "ipsecgw.ike") \
	X(tm, "ipsecgw.telemetry") \
	X(pki, "ipsecgw.pki") \
	X(crl, "ipsecgw.crl") \
	X(ipsec, "ipsecgw.ipsec") \
	X(event, "ipsecgw.event")

#define GW_LOG_DECLARE(mod, name) extern int gw_logtype_##mod;
GW_LOG_MODULES(GW_LOG_DECLARE)
#undef GW_LOG_DECLARE

/* GW_LOG(arp, INFO, "reply to %s", ip) */
#define GW_LOG(mod, level, fmt, ...) \
	rte_log(RTE_LOG_##level, gw_logtype_##mod, "%s: " fmt "\n", #mod, ##__VA_ARGS__)

/*
 * Rate-limited logging for lines that an unauthenticated datagram can
 * trigger (refused IKE_SA_INIT, Main Mode from an unknown address, ...):
 * each call site has its own token bucket of GW_LOG_RL_BURST lines,
 * refilled by one line every GW_LOG_RL_PERIOD_MS.  When a line passes after
 * some were dropped, "N similar messages suppressed" is logged first.
 * Lines dropped at the end of a burst are reported only when the site logs
 * again.  Counters stay exact: count before logging.  Not thread-safe (the
 * bucket is a plain static): use it on one thread only (the CP thread).
 */
enum {
	GW_LOG_RL_BURST = 10,
	GW_LOG_RL_PERIOD_MS = 1000,
};

struct gw_log_rl {
	uint64_t last_ms;		/* time of the last refill, 0 = never used */
	uint32_t tokens;
	uint32_t suppressed;		/* lines dropped since the last one logged */
};

/* true when this line may be logged; *suppressed = lines dropped before
 * it (then reset).  Monotonic clock, milliseconds. */
bool gw_log_rl_take(struct gw_log_rl *rl, uint32_t *suppressed);

/* GW_LOG_RL(ike, NOTICE, "IKE_SA_INIT from %s refused", a) */
#define GW_LOG_RL(mod, level, fmt, ...) \
	do { \
		static struct gw_log_rl gw_log_rl_; \
		uint32_t gw_log_rl_n_; \
		if (gw_log_rl_take(&gw_log_rl_, &gw_log_rl_n_)) { \
			if (gw_log_rl_n_ > 0) \
				GW_LOG(mod, level, "%u similar messages suppressed", \
				       (unsigned)gw_log_rl_n_); \
			GW_LOG(mod, level, fmt, ##__VA_ARGS__); \
		} \
	} while (0)

#endif /* GW_LOG_H */
