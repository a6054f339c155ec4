/* SPDX-License-Identifier: BSD-3-Clause */
/* IP reassembly for datagrams to the gateway, fragmentation of what we send. */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_mbuf.h>

#include "common/gw_log.h"
#include "common/gw_proto.h"
#include "controlplane/cp_frag.h"
#include "controlplane/cp_ip.h"
#include "controlplane/cp_punt.h"
#include "controlplane/cp_stats.h"
#include "dataplane/dp.h"
#include "dataplane/dp_mempool.h"

enum { CP_FRAG_V4, CP_FRAG_V6, CP_FRAG_FAMILIES };

/* The mbuf pool reserves room for what the tables can hold (dp_mempool.h). */
_Static_assert(CP_FRAG_FAMILIES * CP_FRAG_MAX_ENTRIES <= DP_FRAG_TABLE_ENTRIES,
	       "reassembly tables exceed the mbufs the pool reserves for them");
_Static_assert(RTE_LIBRTE_IP_FRAG_MAX_FRAG == DP_FRAG_MAX_FRAGS,
	       "fragments per datagram disagree with the pool sizing");

/*
 * Offsets already held per datagram in progress, to drop exact duplicates:
 * rte_ip_frag discards the whole datagram on any repeated fragment.
 */
struct cp_frag_seen {
	bool used;
	uint8_t family;
	uint8_t n;
	uint8_t src[16];
	uint8_t dst[16];
	uint32_t id;
	uint64_t start;			/* tsc of the first fragment */
	uint32_t offs[RTE_LIBRTE_IP_FRAG_MAX_FRAG];
};

static struct rte_ip_frag_tbl *cp_frag_tbl[CP_FRAG_FAMILIES];
static struct rte_ip_frag_death_row cp_frag_dr;
static uint64_t cp_frag_max_cycles;
static struct cp_frag_seen cp_frag_seen[CP_FRAG_FAMILIES * CP_FRAG_MAX_ENTRIES];

int cp_frag_init(void)
{
	uint32_t buckets = CP_FRAG_MAX_ENTRIES / CP_FRAG_BUCKET_ENTRIES;

	memset(cp_frag_seen, 0, sizeof(cp_frag_seen));
	memset(&cp_frag_dr, 0, sizeof(cp_frag_dr));
	cp_frag_max_cycles = rte_get_tsc_hz() / 1000 * CP_FRAG_TIMEOUT_MS;
	for (int t = 0; t < CP_FRAG_FAMILIES; t++) {
		cp_frag_tbl[t] = rte_ip_frag_table_create(buckets, CP_FRAG_BUCKET_ENTRIES,
							  CP_FRAG_MAX_ENTRIES, cp_frag_max_cycles,
							  SOCKET_ID_ANY);
		if (cp_frag_tbl[t] == NULL) {
			GW_LOG(frag, ERR, "cannot create the reassembly table (%u entries)",
			       CP_FRAG_MAX_ENTRIES);
			cp_frag_fini();
			return -ENOMEM;
		}
	}
	return 0;
}

/* Free what rte_ip_frag gave up on, counting it. */
static void cp_frag_reap(void)
{
	cp_count_n(CP_C_frag_drop, cp_frag_dr.cnt);
	rte_ip_frag_free_death_row(&cp_frag_dr, 0);
}

void cp_frag_fini(void)
{
	cp_frag_expire(UINT64_MAX);	/* everything still held is dropped */
	for (int t = 0; t < CP_FRAG_FAMILIES; t++) {
		if (cp_frag_tbl[t] != NULL)
			rte_ip_frag_table_destroy(cp_frag_tbl[t]);
		cp_frag_tbl[t] = NULL;
	}
}

static bool cp_frag_seen_match(const struct cp_frag_seen *s, const struct cp_ip *ip)
{
	size_t alen = ip->src.family == AF_INET6 ? 16 : 4;
	const void *src = ip->src.family == AF_INET6 ? (const void *)ip->src.v6 : &ip->src.v4;
	const void *dst = ip->dst.family == AF_INET6 ? (const void *)ip->dst.v6 : &ip->dst.v4;

	return s->used && s->family == ip->src.family && s->id == ip->frag_id &&
	       memcmp(s->src, src, alen) == 0 && memcmp(s->dst, dst, alen) == 0;
}

static struct cp_frag_seen *cp_frag_seen_find(const struct cp_ip *ip, uint64_t now)
{
	for (unsigned i = 0; i < RTE_DIM(cp_frag_seen); i++) {
		struct cp_frag_seen *s = &cp_frag_seen[i];

		if (cp_frag_seen_match(s, ip) && s->start + cp_frag_max_cycles >= now)
			return s;
	}
	return NULL;
}

static struct cp_frag_seen *cp_frag_seen_new(const struct cp_ip *ip, uint64_t now)
{
	for (unsigned i = 0; i < RTE_DIM(cp_frag_seen); i++) {
		struct cp_frag_seen *s = &cp_frag_seen[i];

		if (s->used && s->start + cp_frag_max_cycles >= now)
			continue;
		memset(s, 0, sizeof(*s));
		s->used = true;
		s->family = ip->src.family;
		s->id = ip->frag_id;
		s->start = now;
		if (ip->src.family == AF_INET6) {
			memcpy(s->src, ip->src.v6, 16);
			memcpy(s->dst, ip->dst.v6, 16);
		} else {
			memcpy(s->src, &ip->src.v4, 4);
			memcpy(s->dst, &ip->dst.v4, 4);
		}
		return s;
	}
	return NULL;	/* full: let rte_ip_frag judge alone */
}

/* True when a fragment at this offset of this datagram is already held. */
static bool cp_frag_is_dup(const struct cp_ip *ip, uint64_t now)
{
	struct cp_frag_seen *s = cp_frag_seen_find(ip, now);

	if (s == NULL)
		s = cp_frag_seen_new(ip, now);
	if (s == NULL)
		return false;
	for (unsigned i = 0; i < s->n; i++)
		if (s->offs[i] == ip->frag_off)
			return true;
	if (s->n < RTE_DIM(s->offs))
		s->offs[s->n++] = ip->frag_off;
	return false;
}

static void cp_frag_seen_forget(const struct cp_ip *ip, uint64_t now)
{
	struct cp_frag_seen *s = cp_frag_seen_find(ip, now);

	if (s != NULL)
		s->used = false;
}

/* An IPv6 "atomic fragment" (RFC 6946): drop the fragment header. */
static void cp_frag_strip_fh(struct rte_mbuf *m)
{
	struct rte_ipv6_hdr *h = rte_pktmbuf_mtod(m, struct rte_ipv6_hdr *);
	const struct rte_ipv6_fragment_ext *fh = (const struct rte_ipv6_fragment_ext *)(h + 1);

	h->proto = fh->next_header;
	h->payload_len = rte_cpu_to_be_16(rte_be_to_cpu_16(h->payload_len) - CP_IP6_FRAG_HDR_LEN);
	memmove((uint8_t *)h + CP_IP6_FRAG_HDR_LEN, h, sizeof(*h));
	rte_pktmbuf_adj(m, CP_IP6_FRAG_HDR_LEN);
}

static struct rte_mbuf *cp_frag_reassemble(struct rte_mbuf *m, const struct cp_ip *ip,
					   uint64_t now)
{
	struct rte_mbuf *r;

	m->l2_len = 0;
	m->l3_len = ip->l3_len;
	if (ip->src.family == AF_INET) {
		struct rte_ipv4_hdr *h = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);

		r = rte_ipv4_frag_reassemble_packet(cp_frag_tbl[CP_FRAG_V4], &cp_frag_dr, m, now, h);
		if (r != NULL) {
			h = rte_pktmbuf_mtod(r, struct rte_ipv4_hdr *);
			h->hdr_checksum = 0;
			h->hdr_checksum = rte_ipv4_cksum(h);
		}
	} else {
		struct rte_ipv6_hdr *h = rte_pktmbuf_mtod(m, struct rte_ipv6_hdr *);

		r = rte_ipv6_frag_reassemble_packet(cp_frag_tbl[CP_FRAG_V6], &cp_frag_dr, m, now, h,
						    rte_ipv6_frag_get_ipv6_fragment_header(h));
	}
	cp_frag_reap();
	return r;
}

/*
 * The datagram this fragment belongs to would still fit its length field:
 * IPv4 total length (header included, RFC 791), IPv6 payload length (the
 * fragmentable part, RFC 8200 4.5).  An end beyond it is a "ping of death".
 */
static bool cp_frag_end_ok(const struct cp_ip *ip)
{
	uint32_t end = ip->frag_off + (ip->len - ip->l3_len);

	if (ip->src.family == AF_INET)
		end += ip->l3_len;
	return end <= GW_IP_MAXPACKET;
}

void cp_frag_input(struct rte_mbuf *m, unsigned iface)
{
	uint64_t now = rte_rdtsc();
	struct rte_mbuf *r;
	struct cp_ip ip;

	cp_count(CP_C_frag_rx);
	if (cp_ip_parse(m, &ip) != 0 || cp_ip_owner(&ip.dst) < 0 || ip.len == ip.l3_len ||
	    !cp_frag_end_ok(&ip)) {
		cp_count(CP_C_frag_drop);
		rte_pktmbuf_free(m);
		return;
	}
	if (!ip.is_frag) {
		if (ip.has_fh)
			cp_frag_strip_fh(m);
		cp_punt_local(m, iface);
		return;
	}
	if (cp_frag_is_dup(&ip, now)) {
		cp_count(CP_C_frag_dup);
		rte_pktmbuf_free(m);
		return;
	}
	r = cp_frag_reassemble(m, &ip, now);
	if (r == NULL)
		return;
	cp_frag_seen_forget(&ip, now);
	cp_count(CP_C_frag_reassembled);
	r->l2_len = 0;
	r->l3_len = 0;
	cp_punt_local(r, iface);
}

void cp_frag_expire(uint64_t now_tsc)
{
	for (int t = 0; t < CP_FRAG_FAMILIES; t++) {
		uint32_t n;

		if (cp_frag_tbl[t] == NULL)
			continue;
		/* The death row holds a bounded number of mbufs: repeat until dry. */
		do {
			rte_ip_frag_table_del_expired_entries(cp_frag_tbl[t], &cp_frag_dr, now_tsc);
			n = cp_frag_dr.cnt;
			cp_frag_reap();
		} while (n > 0);
	}
	for (unsigned i = 0; i < RTE_DIM(cp_frag_seen); i++)
		if (cp_frag_seen[i].used && cp_frag_seen[i].start + cp_frag_max_cycles < now_tsc)
			cp_frag_seen[i].used = false;
}

/* rte_ipv6_fragment_packet() leaves the identification at 0: set ours. */
static void cp_frag_set_id6(struct rte_mbuf **out, int n)
{
	uint32_t id = rte_cpu_to_be_32(cp_ip_next_id6());

	for (int i = 0; i < n; i++) {
		struct rte_ipv6_fragment_ext *fh = rte_pktmbuf_mtod_offset(
			out[i], struct rte_ipv6_fragment_ext *, sizeof(struct rte_ipv6_hdr));

		fh->id = id;
	}
}

int cp_frag_fragment(struct rte_mbuf *m, uint16_t mtu, struct rte_mbuf **out, unsigned n)
{
	struct rte_mempool *mp = dp_mbuf_pool();
	uint8_t ver = *rte_pktmbuf_mtod(m, const uint8_t *) >> 4;
	uint16_t nb = (uint16_t)RTE_MIN(n, (unsigned)UINT16_MAX);
	int ret;

	if (ver == 4) {
		/* Copies into single-segment fragments: nothing indirect reaches a PMD. */
		ret = rte_ipv4_fragment_copy_nonseg_packet(m, out, nb, mtu, mp);
		for (int i = 0; i < ret; i++) {
			struct rte_ipv4_hdr *h = rte_pktmbuf_mtod(out[i], struct rte_ipv4_hdr *);

			h->hdr_checksum = rte_ipv4_cksum(h);
		}
	} else if (ver == 6) {
		ret = rte_ipv6_fragment_packet(m, out, nb, mtu, mp, mp);
		if (ret > 0)
			cp_frag_set_id6(out, ret);
	} else {
		ret = -EINVAL;
	}
	rte_pktmbuf_free(m);
	if (ret < 0) {
		cp_count(CP_C_frag_tx_fail);
		return ret;
	}
	cp_count_n(CP_C_frag_tx, (uint64_t)ret);
	return ret;
}
