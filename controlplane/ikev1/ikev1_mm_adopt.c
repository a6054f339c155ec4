/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reauthentication (a new Main Mode while an ISAKMP SA to the same peer
 * is up, started by either side: IKEv1 has no ISAKMP SA rekey).  IPsec SAs
 * are not tied to the ISAKMP SA that negotiated them (RFC 2409 5.5), and
 * strongSwan moves its CHILD_SAs to the new IKE_SA and deletes the old one
 * 10 s later: the gateway does the same, so that neither side loses a
 * packet and neither deletes the pairs the other kept.  The pairs stay in
 * the fast path untouched; only their control-plane slots move.  CP
 * thread only.
 */

#include <inttypes.h>
#include <string.h>

#include "common/gw_log.h"
#include "controlplane/ikev1/ikev1_int.h"
#include "dataplane/dp_sa.h"

/* Is o an older ISAKMP SA of the same peer, addresses and identity? */
static bool ikev1_adopt_from(const struct ike_sa *sa, const struct ike_sa *o)
{
	return o != sa && o->ike_version == 1 && o->v1 != NULL && o->state == IKE_SA_ESTABLISHED &&
	       o->id < sa->id && o->peer == sa->peer && gw_addr_eq(&o->local, &sa->local) &&
	       gw_addr_eq(&o->remote, &sa->remote) && o->remote_id_type == sa->remote_id_type &&
	       o->remote_id_len == sa->remote_id_len &&
	       memcmp(o->remote_id, sa->remote_id, sa->remote_id_len) == 0;
}

/* Move o's children to sa; how many moved. */
static unsigned ikev1_adopt_children(struct ike_sa *sa, struct ike_sa *o)
{
	unsigned n = 0;

	for (unsigned i = 0; i < IKE_CHILD_MAX; i++) {
		struct ike_child *c = &o->child[i], *nc;

		if (!c->used)
			continue;
		nc = ike_sa_child_new(sa);
		if (nc == NULL) {
			GW_LOG(ike, ERR, "session %" PRIu64 ": no slot to adopt IPsec SA 0x%08" PRIx32,
			       sa->id, c->spi_in);
			break;
		}
		*nc = *c;
		/* a rekey in flight on the old ISAKMP SA dies with it: again now */
		if (nc->rekeyed_by == 0 && ikev1_rekey_running(o, c->spi_in))
			nc->rekey_at_ms = ikev1_now_ms();
		sa->v1->child_life_s[nc - sa->child] = o->v1->child_life_s[i];
		ikev1_spi_live(o, c->spi_in, false);
		ikev1_spi_live(sa, c->spi_in, true);
		memset(c, 0, sizeof(*c));
		c->h_in = c->h_out = DP_SA_INVALID;
		n++;
	}
	return n;
}

unsigned ikev1_mm_adopt(struct ike_sa *sa)
{
	uint64_t id = 0, due = ikev1_now_ms() + IKEV1_ADOPT_DELETE_MS;
	struct ike_sa *o;
	unsigned n = 0;

	while ((o = ike_sa_next(id)) != NULL) {
		unsigned k;

		id = o->id;
		if (!ikev1_adopt_from(sa, o))
			continue;
		k = ikev1_adopt_children(sa, o);
		n += k;
		o->rekey_at_ms = 0;		/* no reauthentication of its own */
		o->v1->replaced = true;
		if (o->expire_at_ms == 0 || o->expire_at_ms > due)
			o->expire_at_ms = due;
		GW_LOG(ike, NOTICE, "session %" PRIu64 ": reauthentication of session %" PRIu64
		       ": %u IPsec SA(s) adopted, session %" PRIu64 " deleted in %u s", sa->id, o->id,
		       k, o->id, IKEV1_ADOPT_DELETE_MS / 1000);
	}
	return n;
}
