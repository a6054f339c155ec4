/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tunnel knobs (esp_knobs.h): their fast-path form, built by the control
 * plane, and the TCP MSS clamp, out of line as only SYNs reach it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>

#include "common/gw_log.h"
#include "dataplane/esp_knobs.h"

enum {
	TCP_PROTO = 6,
	TCP_HDR_MIN = 20,
	TCP_FLAGS = 13,			/* byte offset of the flags */
	TCP_SYN = 0x02,
	TCP_CKSUM = 16,
	TCP_OPT_EOL = 0,
	TCP_OPT_NOP = 1,
	TCP_OPT_MSS = 2,
	TCP_OPT_MSS_LEN = 4,
	IP6_HDR_LEN = 40,
};

int esp_knobs_validate(const struct gw_sa_desc *d)
{
	const struct gw_tunnel_knobs *t = &d->knobs;

	if (t->df > GW_DF_SET || t->ecn > GW_ECN_COMPAT ||
	    (t->dscp_fixed && t->dscp > ESP_KNOBS_DSCP_MAX)) {
		GW_LOG(dp, ERR, "SA %#x: bad tunnel knobs (df %u, ecn %u, dscp %u)", d->spi, t->df,
		       t->ecn, t->dscp);
		return -EINVAL;
	}
	return 0;
}

void esp_knobs_init(struct esp_knobs *k, const struct gw_tunnel_knobs *t)
{
	memset(k, 0, sizeof(*k));
	k->mss = t->tcp_mss;
	k->mtu = t->mtu;
	k->tos_keep = (uint8_t)((t->dscp_fixed ? 0 : 0xfc) | (t->ecn == GW_ECN_COMPAT ? 0 : 0x03));
	k->tos_set = (uint8_t)(t->dscp_fixed ? t->dscp << 2 : 0);
	k->df_keep = t->df == GW_DF_COPY ? RTE_BE16(RTE_IPV4_HDR_DF_FLAG) : 0;
	k->df_set = t->df == GW_DF_SET ? RTE_BE16(RTE_IPV4_HDR_DF_FLAG) : 0;
	k->ttl_keep = t->ttl_keep;
}

/* The TCP header of ip and its length (header + options), or NULL when ip
 * is not a TCP SYN whose header lies whole in len bytes. */
static uint8_t *knobs_tcp_syn(uint8_t *ip, uint32_t len, bool v6, unsigned *doff)
{
	unsigned hl;
	uint8_t *tcp;

	if (v6) {
		if (ip[6] != TCP_PROTO)
			return NULL;
		hl = IP6_HDR_LEN;
	} else {
		/* A later fragment has no TCP header. */
		if (ip[9] != TCP_PROTO || (ip[6] & 0x1f) != 0 || ip[7] != 0)
			return NULL;
		hl = (ip[0] & 0xfu) * 4u;
	}
	if (len < hl + TCP_HDR_MIN)
		return NULL;
	tcp = ip + hl;
	*doff = (tcp[12] >> 4) * 4u;
	if (!(tcp[TCP_FLAGS] & TCP_SYN) || *doff < TCP_HDR_MIN || hl + *doff > len)
		return NULL;
	return tcp;
}

bool esp_knobs_mss_clamp(uint8_t *ip, uint32_t len, bool v6, uint16_t mss)
{
	unsigned doff, i = TCP_HDR_MIN;
	uint8_t *tcp = knobs_tcp_syn(ip, len, v6, &doff);

	if (tcp == NULL)
		return false;
	while (i < doff && tcp[i] != TCP_OPT_EOL) {
		unsigned olen;

		if (tcp[i] == TCP_OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= doff)
			return false;
		olen = tcp[i + 1];
		if (olen < 2 || i + olen > doff)
			return false;		/* malformed: left alone */
		if (tcp[i] == TCP_OPT_MSS && olen == TCP_OPT_MSS_LEN) {
			uint16_t old, new, ck, want = rte_cpu_to_be_16(mss);

			memcpy(&old, tcp + i + 2, 2);
			if (rte_be_to_cpu_16(old) <= mss)
				return false;
			memcpy(tcp + i + 2, &want, 2);
			new = want;
			/* At an odd offset the two bytes straddle two checksum
			 * words: they count byte-swapped (RFC 1071 2(B)). */
			if ((i & 1u) != 0) {
				old = rte_bswap16(old);
				new = rte_bswap16(new);
			}
			memcpy(&ck, tcp + TCP_CKSUM, 2);
			ck = esp_csum_adjust(ck, old, new);
			memcpy(tcp + TCP_CKSUM, &ck, 2);
			dp_count(DP_C_tunnel_mss_clamped, 1);
			return true;
		}
		i += olen;
	}
	return false;
}
