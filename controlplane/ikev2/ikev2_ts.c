/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Traffic selectors (RFC 7296 2.9) as the fast path knows them (address
 * prefixes, any protocol and port): copied out of a message, narrowed to
 * the configuration, written into TSi/TSr.  CP thread only.
 */

#include <string.h>

#include "common/gw_ike.h"
#include "controlplane/ikev2/ikev2_int.h"

void ikev2_ts_copy(const struct ike_ts_pl *pl, struct ikev2_ts *out, uint8_t *n)
{
	*n = 0;
	for (unsigned i = 0; i < pl->n && *n < IKE_MSG_MAX_TS; i++) {
		const struct ike_ts *t = &pl->ts[i];
		struct ikev2_ts *o = &out[*n];

		if (t->start == NULL || (t->addr_len != 4 && t->addr_len != 16))
			continue;
		memset(o, 0, sizeof(*o));
		o->proto = t->proto;
		o->addr_len = t->addr_len;
		o->sport = t->sport;
		o->eport = t->eport;
		memcpy(o->start, t->start, t->addr_len);
		memcpy(o->end, t->end, t->addr_len);
		(*n)++;
	}
}

/* A prefix as an address range (big-endian octets). */
static unsigned ikev2_prefix_range(const struct gw_prefix *p, uint8_t s[16], uint8_t e[16])
{
	unsigned n = p->addr.family == AF_INET6 ? 16 : 4;

	memcpy(s, n == 16 ? p->addr.v6 : (const uint8_t *)&p->addr.v4, n);
	for (unsigned i = 0; i < n; i++) {
		unsigned bits = p->len > i * 8 ? p->len - i * 8 : 0;
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));

		s[i] &= mask;
		e[i] = s[i] | (uint8_t)~mask;
	}
	return n;
}

/* The prefix that is exactly [s, e], if there is one. */
static bool ikev2_range_prefix(const uint8_t *s, const uint8_t *e, unsigned n,
			       struct gw_prefix *out)
{
	unsigned len = 0;
	bool host = false;

	for (unsigned i = 0; i < n * 8; i++) {
		unsigned sb = s[i / 8] >> (7 - i % 8) & 1, eb = e[i / 8] >> (7 - i % 8) & 1;

		if (!host && sb == eb) {
			len++;
			continue;
		}
		host = true;
		if (sb != 0 || eb != 1)
			return false;
	}
	memset(out, 0, sizeof(*out));
	out->addr.family = n == 16 ? AF_INET6 : AF_INET;
	memcpy(n == 16 ? out->addr.v6 : (uint8_t *)&out->addr.v4, s, n);
	out->len = (uint8_t)len;
	return true;
}

unsigned ikev2_ts_narrow(const struct ikev2_ts *ts, unsigned n, const struct gw_prefix *cfg,
			 unsigned nc, struct gw_prefix *out, unsigned max)
{
	unsigned k = 0;

	for (unsigned c = 0; c < nc; c++) {
		uint8_t ps[16], pe[16];
		unsigned al = ikev2_prefix_range(&cfg[c], ps, pe);

		for (unsigned i = 0; i < n && k < max; i++) {
			struct gw_prefix p;
			bool dup = false;

			/* the fast path matches addresses only: whole selectors */
			if (ts[i].addr_len != al || ts[i].proto != 0 || ts[i].sport != 0 ||
			    ts[i].eport != 65535)
				continue;
			if (memcmp(ts[i].start, ps, al) <= 0 && memcmp(pe, ts[i].end, al) <= 0)
				p = cfg[c];
			else if (memcmp(ps, ts[i].start, al) <= 0 && memcmp(ts[i].end, pe, al) <= 0 &&
				 memcmp(ts[i].start, ts[i].end, al) <= 0 &&
				 ikev2_range_prefix(ts[i].start, ts[i].end, al, &p))
				;
			else
				continue;
			for (unsigned j = 0; j < k && !dup; j++)
				dup = out[j].len == p.len && gw_addr_eq(&out[j].addr, &p.addr);
			if (!dup)
				out[k++] = p;
		}
	}
	return k;
}

int ikev2_ts_add(struct ike_build *b, uint8_t pl_type, const struct gw_prefix *p, unsigned n)
{
	struct ike_ts ts[GW_SA_MAX_TS];
	uint8_t s[GW_SA_MAX_TS][16], e[GW_SA_MAX_TS][16];

	for (unsigned i = 0; i < n && i < GW_SA_MAX_TS; i++) {
		unsigned al = ikev2_prefix_range(&p[i], s[i], e[i]);

		memset(&ts[i], 0, sizeof(ts[i]));
		ts[i].type = al == 16 ? IKE_TS_IPV6_ADDR_RANGE : IKE_TS_IPV4_ADDR_RANGE;
		ts[i].addr_len = (uint8_t)al;
		ts[i].sport = 0;
		ts[i].eport = 65535;
		ts[i].start = s[i];
		ts[i].end = e[i];
	}
	return ike_msg_add_ts(b, pl_type, ts, n < GW_SA_MAX_TS ? n : GW_SA_MAX_TS);
}
