/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A CHILD SA's way into the fast path, for every exchange that creates one
 * (IKE_AUTH's first child, CREATE_CHILD_SA's new and rekeyed children):
 * the descriptor of each direction, its KEYMAT (RFC 7296 2.17) and the
 * install through cp_sa.  CP thread only.
 *
 * The KEYMAT's first SA is the initiator-to-responder one of the exchange
 * that created the child, not of the IKE SA: a responder of the IKE SA
 * that sends a CREATE_CHILD_SA request takes i2r as its outbound.  Callers
 * say which side of the exchange they were.
 */

#include <stdio.h>
#include <string.h>

#include "common/gw_log.h"
#include "controlplane/cp_sa.h"
#include "controlplane/ikev2/ikev2_int.h"
#include "controlplane/ikev2/ikev2_msg.h"
#include "dataplane/dp_sa.h"

/* What both directions of child c of sa share (keys come from KEYMAT). */
static void ikev2_child_desc(const struct ike_sa *sa, const struct ike_child *c,
			     struct gw_sa_desc *d, enum gw_sa_dir dir)
{
	const struct gw_cfg *cfg = ikev2_cfg();
	bool known = cfg != NULL && sa->peer >= 0 && (unsigned)sa->peer < cfg->n_peers;

	snprintf(d->name, sizeof(d->name), "%s", known ? cfg->peers[sa->peer].name : "ike");
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
	memcpy(d->local_ts, c->local_ts, sizeof(d->local_ts));
	memcpy(d->remote_ts, c->remote_ts, sizeof(d->remote_ts));
	d->n_local_ts = c->n_local_ts;
	d->n_remote_ts = c->n_remote_ts;
	if (known)
		d->knobs = cfg->peers[sa->peer].knobs;	/* tunnel knobs (gw_sa.h) */
}

int ikev2_child_keys(const struct ike_sa *sa, const struct ike_child *c, bool we_initiated,
		     struct ike_chunk gir, struct ike_chunk ni, struct ike_chunk nr,
		     struct gw_sa_desc *in, struct gw_sa_desc *out)
{
	struct gw_sa_desc *i2r = we_initiated ? out : in, *r2i = we_initiated ? in : out;
	int ret;

	memset(in, 0, sizeof(*in));
	memset(out, 0, sizeof(*out));
	ret = ike_child_keymat(sa->keys.prf, (struct ike_chunk){ sa->keys.sk_d, sa->keys.prf_len },
			       (enum esp_alg)c->esp_alg, gir, ni, nr, i2r, r2i);
	if (ret < 0) {
		gw_sa_desc_wipe(in);
		gw_sa_desc_wipe(out);
		return ret;
	}
	ikev2_child_desc(sa, c, in, GW_SA_IN);
	ikev2_child_desc(sa, c, out, GW_SA_OUT);
	return 0;
}

int ikev2_child_install(struct ike_sa *sa, struct ike_child *c, bool we_initiated,
			struct ike_chunk gir, struct ike_chunk ni, struct ike_chunk nr)
{
	struct gw_sa_desc in, out;
	int ret;

	ret = ikev2_child_keys(sa, c, we_initiated, gir, ni, nr, &in, &out);
	if (ret < 0)
		return ret;
	ret = cp_sa_install_ike_pair(&in, &out, &c->h_in, &c->h_out);	/* wipes both */
	gw_sa_desc_wipe(&in);
	gw_sa_desc_wipe(&out);
	if (ret < 0) {
		c->h_in = c->h_out = DP_SA_INVALID;
		return ret;
	}
	c->installed = true;
	c->created_ms = ikev2_now_ms();
	ikev2_count(IKEV2_C_ikev2_child_installed, 1);
	return 0;
}

int ikev2_child_install_first(struct ike_sa *sa, struct ike_child *c)
{
	/* IKE_AUTH's initiator is the IKE SA's; no g^ir (2.17) */
	return ikev2_child_install(sa, c, sa->role == IKE_INITIATOR, (struct ike_chunk){ NULL, 0 },
				   (struct ike_chunk){ sa->ni, sa->ni_len },
				   (struct ike_chunk){ sa->nr, sa->nr_len });
}
