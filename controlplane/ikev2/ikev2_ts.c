/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Traffic selectors (RFC 7296 2.9) as the fast path knows them (address
 * prefixes, any protocol and port), and the install of a CHILD SA pair
 * from its KEYMAT (2.17) through cp_sa.  CP thread only.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/gw_log.h"
#include "controlplane/cp_sa.h"
#include "controlplane/ike/ike_proposal.h"
#include "controlplane/ikev2/ikev2_int.h"
#include "controlplane/ikev2/ikev2_msg.h"

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

static void ikev2_desc_fill(const struct ike_sa *sa, const struct ike_child *c,
			    struct gw_sa_desc *d, enum gw_sa_dir dir)
{
	const struct cfg_peer *peer = &ikev2_cfg()->peers[sa->peer];

	snprintf(d->name, sizeof(d->name), "%s", peer->name);
	d->session_id = sa->id;
	d->tunnel = sa->tunnel;
	d->dir = (uint8_t)dir;
	d->spi = dir == GW_SA_IN ? c->spi_in : c->spi_out;
	d->alg = c->esp_alg;
	d->esn = c->esn;
	d->encap = sa->encap;
	if (sa->encap) {
		d->encap_sport = sa->local_port;
		d->encap_dport = sa->remote_port;
	}
	d->local = sa->local;
	d->remote = sa->remote;
	memcpy(d->local_ts, c->local_ts, sizeof(c->local_ts[0]) * c->n_local_ts);
	d->n_local_ts = c->n_local_ts;
	memcpy(d->remote_ts, c->remote_ts, sizeof(c->remote_ts[0]) * c->n_remote_ts);
	d->n_remote_ts = c->n_remote_ts;
}

int ikev2_child_install(struct ike_sa *sa, struct ike_child *c, const uint8_t *gir,
			size_t gir_len, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
			size_t nr_len)
{
	struct gw_sa_desc i2r, r2i;
	struct gw_sa_desc *in = sa->role == IKE_INITIATOR ? &r2i : &i2r;
	struct gw_sa_desc *out = sa->role == IKE_INITIATOR ? &i2r : &r2i;
	int ret;

	memset(&i2r, 0, sizeof(i2r));
	memset(&r2i, 0, sizeof(r2i));
	ret = ike_child_keymat(sa->keys.prf, (struct ike_chunk){ sa->keys.sk_d, sa->keys.prf_len },
			       (enum esp_alg)c->esp_alg, (struct ike_chunk){ gir, gir_len },
			       (struct ike_chunk){ ni, ni_len }, (struct ike_chunk){ nr, nr_len },
			       &i2r, &r2i);
	if (ret < 0)
		goto out;
	ikev2_desc_fill(sa, c, in, GW_SA_IN);
	ikev2_desc_fill(sa, c, out, GW_SA_OUT);
	ret = cp_sa_install_ike_pair(in, out, &c->h_in, &c->h_out);
	if (ret == 0) {
		c->installed = true;
		c->created_ms = ikev2_now_ms();
		ikev2_count(IKEV2_C_ikev2_child_installed, 1);
	}
out:
	gw_sa_desc_wipe(&i2r);
	gw_sa_desc_wipe(&r2i);
	return ret;
}
