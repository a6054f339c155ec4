/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_LOG_H
#define GW_LOG_H

/*
 * One DPDK dynamic log type per module, all under "ipsecgw.": set them
 * together with rte_log_set_level_pattern("ipsecgw.*", level) or one by one
 * with EAL's --log-level=ipsecgw.arp:debug.  Never log per packet on the
 * fast path: count instead.
 */

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
	X(ipsec, "ipsecgw.ipsec")

#define GW_LOG_DECLARE(mod, name) extern int gw_logtype_##mod;
GW_LOG_MODULES(GW_LOG_DECLARE)
#undef GW_LOG_DECLARE

/* GW_LOG(arp, INFO, "reply to %s", ip) */
#define GW_LOG(mod, level, fmt, ...) \
	rte_log(RTE_LOG_##level, gw_logtype_##mod, "%s: " fmt "\n", #mod, ##__VA_ARGS__)

#endif /* GW_LOG_H */
