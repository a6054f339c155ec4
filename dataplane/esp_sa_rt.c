/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One runtime SA record (esp_sa.h) built from a descriptor (gw_sa.h), and
 * wiped after its grace period.
 *
 * esp_sa_rt_init() is validate-then-build, iked's *_validate_* before
 * *_parse_*: rt_validate() only checks bounds and logs the first reason a
 * descriptor is refused; the build steps below it cannot fail except for
 * the key schedule (getrandom()).  Control plane only, on a record that is
 * not yet published: no atomics needed here.
 *
 * The outer header template holds the fixed fields of the tunnel header as
 * it appears on the wire: for OUT src = local, dst = remote, UDP ports
 * ours -> the peer's; for IN (unused by the fast path, kept for telemetry
 * and symmetry) the mirror image, src = remote, dst = local.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "common/gw_ct.h"
#include "common/gw_log.h"
#include "common/gw_proto.h"
#include "dataplane/esp_knobs.h"
#include "dataplane/esp_sa.h"

enum {
	RT_OUTER_TTL = 64,
	RT_IPV4_VHL = 0x45,		/* version 4, 5 words */
	RT_IPV6_VTC = 6u << 28,		/* version 6, class 0, flow 0 */
	RT_IPPROTO_UDP = 17,
};

/* Address families present in a selector list as a bit set, or -1 when
 * one of them is malformed. */
static int rt_ts_families(const struct gw_prefix *ts, unsigned n)
{
	int fams = 0;

	for (unsigned i = 0; i < n; i++) {
		if (ts[i].addr.family == AF_INET)
			fams |= 1;
		else if (ts[i].addr.family == AF_INET6)
			fams |= 2;
		else
			return -1;
		if (ts[i].len > gw_addr_maxlen(&ts[i].addr))
			return -1;
	}
	return fams;
}

static int rt_validate_ts(const struct gw_sa_desc *d)
{
	int lf, rf;

	if (d->n_local_ts > GW_SA_MAX_TS || d->n_remote_ts > GW_SA_MAX_TS) {
		GW_LOG(dp, ERR, "SA %#x: too many traffic selectors (%u/%u, max %d)", d->spi,
		       d->n_local_ts, d->n_remote_ts, GW_SA_MAX_TS);
		return -EINVAL;
	}
	lf = rt_ts_families(d->local_ts, d->n_local_ts);
	rf = rt_ts_families(d->remote_ts, d->n_remote_ts);
	if (lf < 0 || rf < 0) {
		GW_LOG(dp, ERR, "SA %#x: malformed traffic selector", d->spi);
		return -EINVAL;
	}
	/* Each family on one side must appear on the other, or its
	 * selectors could never match a packet. */
	if (d->n_local_ts != 0 && d->n_remote_ts != 0 && lf != rf) {
		GW_LOG(dp, ERR, "SA %#x: local and remote selectors of different families", d->spi);
		return -EINVAL;
	}
	return 0;
}

static int rt_validate_keys(const struct gw_sa_desc *d)
{
	if (d->alg >= ESP_ALG_COUNT) {
		GW_LOG(dp, ERR, "SA %#x: unknown algorithm %u", d->spi, d->alg);
		return -EINVAL;
	}
	if (d->enc_key_len != gw_esp_enc_key_len(d->alg) ||
	    d->auth_key_len != gw_esp_auth_key_len(d->alg)) {
		GW_LOG(dp, ERR, "SA %#x: %s wants keys of %u/%u bytes, not %u/%u", d->spi,
		       gw_esp_alg_name(d->alg), gw_esp_enc_key_len(d->alg),
		       gw_esp_auth_key_len(d->alg), d->enc_key_len, d->auth_key_len);
		return -EINVAL;
	}
	return 0;
}

/* Bounds only; the first reason is logged.  0 or -EINVAL. */
static int rt_validate(const struct gw_sa_desc *d)
{
	uint32_t win = d->replay_window != 0 ? d->replay_window : ESP_REPLAY_WIN_DEFAULT;

	if (d->spi < GW_ESP_SPI_MIN) {
		GW_LOG(dp, ERR, "SA %#x: SPI below %d is reserved (RFC 4303 2.1)", d->spi,
		       GW_ESP_SPI_MIN);
		return -EINVAL;
	}
	if (d->dir != GW_SA_IN && d->dir != GW_SA_OUT) {
		GW_LOG(dp, ERR, "SA %#x: bad direction %u", d->spi, d->dir);
		return -EINVAL;
	}
	if (d->tunnel >= DP_TUNNEL_MAX) {
		GW_LOG(dp, ERR, "SA %#x: tunnel %u out of range", d->spi, d->tunnel);
		return -EINVAL;
	}
	if ((d->local.family != AF_INET && d->local.family != AF_INET6) ||
	    d->local.family != d->remote.family) {
		GW_LOG(dp, ERR, "SA %#x: endpoints must be of one family (%u/%u)", d->spi,
		       d->local.family, d->remote.family);
		return -EINVAL;
	}
	if (!esp_replay_size_valid(win)) {
		GW_LOG(dp, ERR, "SA %#x: replay window %u invalid (32, or 64..%d by 64)", d->spi,
		       d->replay_window, ESP_REPLAY_WIN_MAX);
		return -EINVAL;
	}
	if (rt_validate_keys(d) != 0 || esp_knobs_validate(d) != 0)
		return -EINVAL;
	return rt_validate_ts(d);
}

/* The UDP header of the template, after an IP header of ip_len bytes. */
static void rt_outer_udp(struct esp_sa_rt *rt, const struct gw_sa_desc *d, unsigned ip_len)
{
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)(rt->outer + ip_len);
	uint16_t ours = d->encap_sport != 0 ? d->encap_sport : GW_NATT_PORT;
	uint16_t peer = d->encap_dport != 0 ? d->encap_dport : GW_NATT_PORT;

	u->src_port = rte_cpu_to_be_16(d->dir == GW_SA_OUT ? ours : peer);
	u->dst_port = rte_cpu_to_be_16(d->dir == GW_SA_OUT ? peer : ours);
	u->dgram_len = 0;
	u->dgram_cksum = 0;
	rt->encap_dport_be = rte_cpu_to_be_16(peer);
}

static void rt_outer(struct esp_sa_rt *rt, const struct gw_sa_desc *d)
{
	const struct gw_addr *src = d->dir == GW_SA_OUT ? &d->local : &d->remote;
	const struct gw_addr *dst = d->dir == GW_SA_OUT ? &d->remote : &d->local;
	uint8_t proto = d->encap ? RT_IPPROTO_UDP : GW_IPPROTO_ESP;
	unsigned ip_len;

	memset(rt->outer, 0, sizeof(rt->outer));
	if (d->local.family == AF_INET) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)rt->outer;

		ip->version_ihl = RT_IPV4_VHL;
		ip->time_to_live = RT_OUTER_TTL;
		ip->next_proto_id = proto;
		ip->src_addr = src->v4;
		ip->dst_addr = dst->v4;
		ip_len = sizeof(*ip);
		/* Per packet only TOS, length and ID change: add them to this. */
		rt->outer4_sum = __rte_raw_cksum(ip, sizeof(*ip), 0);
	} else {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)rt->outer;

		ip6->vtc_flow = rte_cpu_to_be_32(RT_IPV6_VTC);
		ip6->proto = proto;
		ip6->hop_limits = RT_OUTER_TTL;
		memcpy(ip6->src_addr, src->v6, 16);
		memcpy(ip6->dst_addr, dst->v6, 16);
		ip_len = sizeof(*ip6);
		rt->flags |= ESP_SA_F_OUTER6;
	}
	if (d->encap) {
		rt_outer_udp(rt, d, ip_len);
		ip_len += sizeof(struct rte_udp_hdr);
		rt->flags |= ESP_SA_F_ENCAP;
	}
	rt->outer_len = (uint8_t)ip_len;
}

/* Everything but the outer template and the keys. */
static void rt_fill(struct esp_sa_rt *rt, const struct gw_sa_desc *d)
{
	const struct esp_alg_info *ai = esp_alg_info(d->alg);

	rt->flags = d->esn ? ESP_SA_F_ESN : 0;
	rt->spi_be = rte_cpu_to_be_32(d->spi);
	rt->dir = d->dir;
	rt->icv_len = ai->icv_len;
	rt->iv_len = ai->iv_len;
	rt->pad_align = ai->pad_align;
	rt->tunnel = d->tunnel;
	rt->seq = 0;
	rt->life_soft_bytes = d->life_soft_bytes;
	rt->life_hard_bytes = d->life_hard_bytes;
	rt->life_soft_pkts = d->life_soft_pkts;
	rt->life_hard_pkts = d->life_hard_pkts;
	esp_knobs_init(&rt->knobs, &d->knobs);
	memset(&rt->st, 0, sizeof(rt->st));
	rt->local = d->local;
	rt->remote = d->remote;
	memset(rt->local_ts, 0, sizeof(rt->local_ts));
	memset(rt->remote_ts, 0, sizeof(rt->remote_ts));
	memcpy(rt->local_ts, d->local_ts, d->n_local_ts * sizeof(d->local_ts[0]));
	memcpy(rt->remote_ts, d->remote_ts, d->n_remote_ts * sizeof(d->remote_ts[0]));
	rt->n_local_ts = d->n_local_ts;
	rt->n_remote_ts = d->n_remote_ts;
}

int esp_sa_rt_init(struct esp_sa_rt *rt, const struct gw_sa_desc *d, IMB_MGR *mgr)
{
	uint32_t win = d->replay_window != 0 ? d->replay_window : ESP_REPLAY_WIN_DEFAULT;
	int ret;

	ret = rt_validate(d);
	if (ret != 0)
		goto out;
	rt_fill(rt, d);
	rt_outer(rt, d);
	ret = esp_replay_init(&rt->replay, win);
	if (ret != 0)
		goto out;
	ret = esp_keys_init(&rt->keys, mgr, (enum esp_alg)d->alg, d->enc_key, d->enc_key_len,
			    d->auth_key, d->auth_key_len);
	if (ret != 0)
		goto out;
	rt->magic = ESP_SA_MAGIC;
out:
	if (ret != 0)
		esp_sa_rt_wipe(rt);
	return ret;
}

void esp_sa_rt_wipe(struct esp_sa_rt *rt)
{
	if (rt == NULL)
		return;
	esp_keys_wipe(&rt->keys);
	gw_wipe(rt, sizeof(*rt));
	rt->magic = ESP_SA_POISON;
	rt->handle = DP_SA_INVALID;
}
