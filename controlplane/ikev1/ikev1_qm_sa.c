/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a Quick Mode (RFC 2409 5.5) builds on: proxy identities <-> the
 * peer's traffic selectors (tunnel mode, one prefix pair per IPsec SA),
 * our ESP transforms (UDP-encapsulated tunnel: 3 with RFC 3947 peers,
 * 61443 with draft ones; both accepted), the install of an IPsec SA pair
 * through cp_sa with KEYMAT, and the rekey / expiry timers of the
 * children (make-before-break: the new pair is installed, becomes the
 * tunnel's outbound SA, then the old one is deleted).  CP thread only.
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <openssl/rand.h>

#include "common/gw_log.h"
#include "controlplane/cp_sa.h"
#include "controlplane/ike/ike_proposal.h"
#include "controlplane/ikev1/ikev1_int.h"
#include "dataplane/dp_sa.h"

long ikev1_qm_id_add(struct ikev1_build *b, const struct gw_prefix *p)
{
	uint8_t data[32];
	unsigned alen = p->addr.family == AF_INET6 ? 16 : 4;

	memset(data, 0, sizeof(data));
	memcpy(data, p->addr.family == AF_INET6 ? p->addr.v6 : (const uint8_t *)&p->addr.v4, alen);
	for (unsigned i = 0; i < p->len; i++)
		data[alen + i / 8] |= (uint8_t)(0x80 >> (i % 8));
	return ikev1_add_id(b, p->addr.family == AF_INET6 ? IKEV1_ID_IPV6_ADDR_SUBNET :
			    IKEV1_ID_IPV4_ADDR_SUBNET, 0, 0, data, 2 * alen);
}

/* Prefix length of a contiguous mask, or -1. */
static int ikev1_mask_len(const uint8_t *m, unsigned alen)
{
	unsigned n = 0, i = 0;

	for (; i < alen * 8 && (m[i / 8] & (0x80 >> (i % 8))); i++)
		n++;
	for (; i < alen * 8; i++)
		if (m[i / 8] & (0x80 >> (i % 8)))
			return -1;
	return (int)n;
}

int ikev1_qm_id_parse(const struct ikev1_id_pl *id, struct gw_prefix *out)
{
	const uint8_t *d = id->data.p;
	bool v6 = id->type == IKEV1_ID_IPV6_ADDR || id->type == IKEV1_ID_IPV6_ADDR_SUBNET ||
		  id->type == IKEV1_ID_IPV6_ADDR_RANGE;
	unsigned alen = v6 ? 16 : 4;
	uint8_t mask[16];
	int len;

	memset(out, 0, sizeof(*out));
	out->addr.family = v6 ? AF_INET6 : AF_INET;
	switch (id->type) {
	case IKEV1_ID_IPV4_ADDR:
	case IKEV1_ID_IPV6_ADDR:
		if (id->data.len != alen)
			return -EINVAL;
		len = (int)alen * 8;
		break;
	case IKEV1_ID_IPV4_ADDR_SUBNET:
	case IKEV1_ID_IPV6_ADDR_SUBNET:
		if (id->data.len != 2 * alen)
			return -EINVAL;
		len = ikev1_mask_len(d + alen, alen);
		break;
	case IKEV1_ID_IPV4_ADDR_RANGE:
	case IKEV1_ID_IPV6_ADDR_RANGE:
		/* a range that is exactly one prefix: start ^ end is 0...01...1 */
		if (id->data.len != 2 * alen)
			return -EINVAL;
		for (unsigned i = 0; i < alen; i++)
			mask[i] = (uint8_t)~(d[i] ^ d[alen + i]);
		len = ikev1_mask_len(mask, alen);
		for (unsigned i = 0; len >= 0 && i < alen; i++)
			if ((d[i] & ~mask[i]) != 0 || (d[alen + i] | mask[i]) != 0xff)
				len = -1;
		break;
	default:
		return -EINVAL;
	}
	if (len < 0)
		return -EINVAL;
	memcpy(v6 ? out->addr.v6 : (uint8_t *)&out->addr.v4, d, alen);
	out->len = (uint8_t)len;
	gw_prefix_mask(out);
	return 0;
}

bool ikev1_qm_ts_ok(const struct gw_prefix *p, const struct gw_prefix *cfg, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (cfg[i].addr.family == p->addr.family && p->len >= cfg[i].len &&
		    gw_prefix_contains(&cfg[i], &p->addr))
			return true;
	return false;
}

int ikev1_qm_our_xforms(const struct ike_sa *sa, struct ikev1_xform *out, unsigned max)
{
	const struct cfg_peer *peer = &ikev1_cfg()->peers[sa->peer];
	struct gw_ike_proposal props[IKE_SA_MAX_PROPOSALS];
	uint16_t encap = !sa->encap ? IKEV1_ENCAP_TUNNEL :
			 sa->v1->peer_natt || !sa->v1->peer_natt_draft ? IKEV1_ENCAP_UDP_TUNNEL :
			 IKEV1_ENCAP_UDP_TUNNEL_DRAFT;
	int n = ike_proposals_from_cfg(peer, IKE_SA_PROTO_ESP, props, IKE_SA_MAX_PROPOSALS);

	if (n <= 0)
		return -ENOENT;
	return ikev1_p2_from_proposals(props, (unsigned)n, encap, peer->child_lifetime, out, max);
}

/* What both directions of child c share (keys come from KEYMAT). */
static void ikev1_child_desc(const struct ike_sa *sa, const struct ike_child *c,
			     struct gw_sa_desc *d, enum gw_sa_dir dir)
{
	const struct gw_cfg *cfg = ikev1_cfg();

	snprintf(d->name, sizeof(d->name), "%s", cfg->peers[sa->peer].name);
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
	d->knobs = cfg->peers[sa->peer].knobs;		/* tunnel knobs (gw_sa.h) */
}

/* When to rekey a child of life_s seconds: the QM initiator at 85-90 %,
 * the responder at 93-97 %, so that one side normally starts alone. */
static uint64_t ikev1_rekey_time(uint64_t start_ms, uint32_t life_s, bool initiator)
{
	uint32_t rnd = 0;
	uint64_t life = (uint64_t)life_s * 1000;

	(void)RAND_bytes((uint8_t *)&rnd, sizeof(rnd));
	if (initiator)
		return start_ms + life * 85 / 100 + (life * 5 / 100) * (rnd % 1000) / 1000;
	return start_ms + life * 93 / 100 + (life * 4 / 100) * (rnd % 1000) / 1000;
}

void ikev1_qm_child_remove(struct ike_sa *sa, struct ike_child *c)
{
	ikev1_spi_live(sa, c->spi_in, false);
	ike_sa_child_remove(sa, c);
}

static void ikev1_rekey_finish(struct ike_sa *sa, struct ikev1_qm *qm, struct ike_child *c)
{
	struct ike_child *old = ike_sa_child_by_spi_in(sa, qm->rekey_of);

	if (old == NULL)
		return;
	old->rekeyed_by = c->spi_in;
	old->rekey_at_ms = 0;
	ikev1_count(IKEV1_C_isakmp_child_rekeyed, 1);
	GW_LOG(ike, INFO, "session %" PRIu64 ": IPsec SA 0x%08" PRIx32 " rekeyed by 0x%08" PRIx32,
	       sa->id, old->spi_in, c->spi_in);
	if (qm->initiator) {
		uint32_t spi = old->spi_in;

		ikev1_qm_child_remove(sa, old);
		(void)ikev1_info_delete_esp(sa, &spi, 1);
	}
}

int ikev1_qm_install_in(struct ike_sa *sa, struct ikev1_qm *qm)
{
	struct ike_child *c = ike_sa_child_new(sa);
	struct gw_sa_desc in;
	int alg = ikev1_esp_alg(&qm->chosen), ret;
	uint32_t spi_i = qm->initiator ? qm->spi_in : qm->spi_out;
	uint32_t spi_r = qm->initiator ? qm->spi_out : qm->spi_in;

	if (c == NULL)
		return -ENOSPC;
	if (alg < 0) {
		ike_sa_child_remove(sa, c);
		return alg;
	}
	c->spi_in = qm->spi_in;
	c->spi_out = qm->spi_out;
	c->esp_alg = (uint8_t)alg;
	c->esn = qm->chosen.esn != 0;
	c->dh = qm->chosen.group;
	c->local_ts[0] = qm->local_ts;
	c->remote_ts[0] = qm->remote_ts;
	c->n_local_ts = c->n_remote_ts = 1;
	memset(&in, 0, sizeof(in));
	gw_sa_desc_wipe(&qm->out);
	ret = ikev1_child_keymat(&sa->v1->keys, (enum esp_alg)alg,
				 (struct ike_chunk){ qm->gxy, qm->gxy_len },
				 (struct ike_chunk){ qm->ni, qm->ni_len },
				 (struct ike_chunk){ qm->nr, qm->nr_len }, spi_i, spi_r,
				 qm->initiator ? &qm->out : &in, qm->initiator ? &in : &qm->out);
	if (ret == 0) {
		ikev1_child_desc(sa, c, &in, GW_SA_IN);
		ikev1_child_desc(sa, c, &qm->out, GW_SA_OUT);
		ret = cp_sa_install_ike_one(&in, &c->h_in);	/* wipes in */
	}
	gw_sa_desc_wipe(&in);
	if (ret < 0) {
		gw_sa_desc_wipe(&qm->out);
		c->h_in = c->h_out = DP_SA_INVALID;
		ike_sa_child_remove(sa, c);
		GW_LOG(ike, ERR, "session %" PRIu64 ": cannot install IPsec SA 0x%08" PRIx32 ": %s",
		       sa->id, qm->spi_in, strerror(-ret));
		return ret;
	}
	c->installed = true;
	c->created_ms = ikev1_now_ms();
	c->rekey_at_ms = ikev1_rekey_time(c->created_ms, qm->life_s, qm->initiator);
	sa->v1->child_life_s[c - sa->child] = qm->life_s;
	ikev1_spi_live(sa, c->spi_in, true);
	qm->out_pending = true;
	return 0;
}

int ikev1_qm_install_out(struct ike_sa *sa, struct ikev1_qm *qm)
{
	struct ike_child *c = ike_sa_child_by_spi_in(sa, qm->spi_in);
	int ret;

	if (!qm->out_pending)
		return 0;
	qm->out_pending = false;
	if (c == NULL) {			/* deleted meanwhile */
		gw_sa_desc_wipe(&qm->out);
		return -ENOENT;
	}
	ret = cp_sa_install_ike_one(&qm->out, &c->h_out);	/* wipes qm->out */
	gw_sa_desc_wipe(&qm->out);
	if (ret < 0) {
		GW_LOG(ike, ERR, "session %" PRIu64 ": cannot install IPsec SA out 0x%08" PRIx32
		       ": %s", sa->id, c->spi_out, strerror(-ret));
		ikev1_qm_child_remove(sa, c);
		return ret;
	}
	ikev1_count(IKEV1_C_isakmp_child_installed, 1);
	GW_LOG(ike, NOTICE, "session %" PRIu64 ": IPsec SA pair in 0x%08" PRIx32 " out 0x%08" PRIx32
	       " installed (%s%s%s, life %u s)", sa->id, c->spi_in, c->spi_out,
	       gw_esp_alg_name(c->esp_alg), qm->chosen.group ? ", PFS" : "",
	       sa->encap ? ", UDP-encapsulated" : "", qm->life_s);
	if (qm->rekey_of != 0)
		ikev1_rekey_finish(sa, qm, c);
	return 0;
}

bool ikev1_rekey_running(const struct ike_sa *sa, uint32_t spi_in)
{
	for (unsigned i = 0; i < IKEV1_QM_MAX; i++)
		if (sa->v1->qm[i].step != IKEV1_QM_FREE && sa->v1->qm[i].step != IKEV1_QM_DONE &&
		    sa->v1->qm[i].rekey_of == spi_in)
			return true;
	return false;
}

void ikev1_qm_child_tick(struct ike_sa *sa, uint64_t now_ms)
{
	for (unsigned i = 0; i < IKE_CHILD_MAX && sa->state == IKE_SA_ESTABLISHED; i++) {
		struct ike_child *c = &sa->child[i];
		uint64_t life = (uint64_t)sa->v1->child_life_s[i] * 1000;

		if (!c->used || !c->installed)
			continue;
		if (life != 0 && now_ms >= c->created_ms + life) {
			uint32_t spi = c->spi_in;

			GW_LOG(ike, INFO, "session %" PRIu64 ": IPsec SA 0x%08" PRIx32 " expired",
			       sa->id, spi);
			ikev1_qm_child_remove(sa, c);
			(void)ikev1_info_delete_esp(sa, &spi, 1);
			continue;
		}
		if (c->rekey_at_ms != 0 && now_ms >= c->rekey_at_ms && c->rekeyed_by == 0 &&
		    !ikev1_rekey_running(sa, c->spi_in)) {
			/* again later if this Quick Mode never finishes (lost,
			 * or its ISAKMP SA replaced under it) */
			c->rekey_at_ms = now_ms + IKEV1_REKEY_RETRY_MS;
			if (ikev1_qm_start(sa, c->spi_in) < 0)
				GW_LOG(ike, ERR, "session %" PRIu64 ": cannot rekey IPsec SA 0x%08"
				       PRIx32, sa->id, c->spi_in);
		}
	}
}
