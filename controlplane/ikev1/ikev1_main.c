/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKEv1's interface to the control plane (ikev1.h): start-up, the tick
 * that drives every ISAKMP SA's timers, deletes, counters, and the
 * dispatch of ISAKMP datagrams by exchange type and cookies.  CP thread
 * only.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/gw_log.h"
#include "controlplane/cp_loop.h"
#include "controlplane/cp_sa.h"
#include "controlplane/ike/ike_dh.h"
#include "controlplane/ikev1/ikev1_int.h"

static const struct gw_cfg *ikev1_config;
static uint64_t ikev1_counters[IKEV1_C_MAX];

static const char *const ikev1_counter_names[IKEV1_C_MAX] = {
#define X(n, d) #n,
	IKEV1_COUNTERS(X)
#undef X
};

static const char *const ikev1_counter_helps[IKEV1_C_MAX] = {
#define X(n, d) d,
	IKEV1_COUNTERS(X)
#undef X
};

const char *ikev1_counter_name(enum ikev1_counter c)
{
	return (unsigned)c < IKEV1_C_MAX ? ikev1_counter_names[c] : "?";
}

const char *ikev1_counter_help(enum ikev1_counter c)
{
	return (unsigned)c < IKEV1_C_MAX ? ikev1_counter_helps[c] : "?";
}

uint64_t ikev1_counter(enum ikev1_counter c)
{
	return (unsigned)c < IKEV1_C_MAX ? ikev1_counters[c] : 0;
}

void ikev1_count(enum ikev1_counter c, uint64_t n)
{
	if ((unsigned)c < IKEV1_C_MAX)
		ikev1_counters[c] += n;
}

const struct gw_cfg *ikev1_cfg(void)
{
	return ikev1_config;
}

void ikev1_set_cfg(const struct gw_cfg *cfg)
{
	if (ikev1_config != NULL)
		ikev1_config = cfg;
}

uint64_t ikev1_now_ms(void)
{
	return cp_loop_now_ms();
}

int ikev1_peer_by_addr(const struct gw_addr *src)
{
	const struct gw_cfg *cfg = ikev1_config;
	int any = -1;

	for (unsigned i = 0; i < cfg->n_peers; i++) {
		if (cfg->peers[i].ike_version != 1)
			continue;
		if (!cfg->peers[i].remote_any && gw_addr_eq(&cfg->peers[i].remote, src))
			return (int)i;
		if (cfg->peers[i].remote_any && any < 0)
			any = (int)i;
	}
	return any;
}

int ikev1_local_addr(const struct gw_addr *remote, struct gw_addr *out)
{
	const struct gw_cfg *cfg = ikev1_config;
	int found = -ENOENT;

	for (unsigned i = 0; i < cfg->n_ifaces; i++) {
		for (unsigned k = 0; k < cfg->ifaces[i].n_addrs; k++) {
			const struct gw_prefix *p = &cfg->ifaces[i].addrs[k];

			if (p->addr.family != remote->family)
				continue;
			if (gw_prefix_contains(p, remote)) {
				*out = p->addr;
				return 0;
			}
			if (found < 0) {
				*out = p->addr;
				found = 0;
			}
		}
	}
	return found;
}

/* The session table's hook: free sa->v1 with its secrets. */
static void ikev1_v1_free(struct ike_sa *sa)
{
	struct ikev1_sa *v = sa->v1;

	if (v == NULL)
		return;
	ikev1_mm_auth_free(sa);
	ikev1_qm_free_all(sa);
	ikev1_frag_clear(sa);		/* before the table frees the slots: the global count */
	ikev1_xchg_clear(&v->mmx);
	free(v->sai_b);
	ikev1_keys_wipe(&v->keys);
	OPENSSL_cleanse(v, sizeof(*v));
	free(v);
	sa->v1 = NULL;
}

struct ike_sa *ikev1_sa_new(enum ike_role role, int peer)
{
	struct ike_sa *sa = ike_sa_new(role, peer);

	if (sa == NULL)
		return NULL;
	sa->ike_version = 1;
	sa->v1 = calloc(1, sizeof(*sa->v1));
	if (sa->v1 == NULL) {
		ike_sa_kill(sa, "no memory");
		return NULL;
	}
	sa->created_ms = ikev1_now_ms();
	sa->expire_at_ms = sa->created_ms + IKEV1_HALF_OPEN_MS;
	if (peer >= 0)
		sa->tunnel = cp_sa_peer_tunnel((unsigned)peer);
	return sa;
}

void ikev1_kill(struct ike_sa *sa, const char *why)
{
	if (sa->state == IKE_SA_DEAD)
		return;
	snprintf(sa->reason, sizeof(sa->reason), "%s", why);
	ike_sa_kill(sa, why);
}

void ikev1_spi_live(struct ike_sa *sa, uint32_t spi_in, bool live)
{
	uint32_t *s = sa->v1->spi_live;

	for (unsigned i = 0; i < IKE_CHILD_MAX; i++) {
		if (live && s[i] == 0) {
			s[i] = spi_in;
			return;
		}
		if (!live && s[i] == spi_in)
			s[i] = 0;
	}
}

void ikev1_mid_seen_add(struct ike_sa *sa, uint32_t msg_id)
{
	struct ikev1_sa *v = sa->v1;

	if (msg_id == 0 || ikev1_mid_seen(sa, msg_id))
		return;
	v->mid_seen[v->mid_seen_next] = msg_id;
	v->mid_seen_next = (uint8_t)((v->mid_seen_next + 1) % IKEV1_MID_SEEN);
}

bool ikev1_mid_seen(const struct ike_sa *sa, uint32_t msg_id)
{
	for (unsigned i = 0; i < IKEV1_MID_SEEN; i++)
		if (sa->v1->mid_seen[i] == msg_id && msg_id != 0)
			return true;
	return false;
}

/* ---- receive ---- */

static bool ikev1_cookie_zero(const uint8_t c[8])
{
	static const uint8_t z[8];

	return memcmp(c, z, 8) == 0;
}

/* The SA of a message's cookies: ours is the responder cookie when we
 * responded, the initiator cookie when we initiated (the responder
 * cookie still unknown before Main Mode message 2). */
static struct ike_sa *ikev1_find(const struct ikev1_hdr *h)
{
	struct ike_sa *sa = ike_sa_find_local_spi(h->rcookie);

	if (sa != NULL && sa->ike_version == 1 && sa->role == IKE_RESPONDER &&
	    memcmp(sa->spi_i, h->icookie, 8) == 0)
		return sa;
	sa = ike_sa_find_local_spi(h->icookie);
	if (sa != NULL && sa->ike_version == 1 && sa->role == IKE_INITIATOR &&
	    (memcmp(sa->spi_r, h->rcookie, 8) == 0 || ikev1_cookie_zero(sa->spi_r)))
		return sa;
	return NULL;
}

static void ikev1_refuse_aggressive(const struct ike_dgram *d)
{
	char a[64];

	ikev1_count(IKEV1_C_isakmp_aggressive_refused, 1);
	GW_LOG_RL(ike, NOTICE, "IKEv1 Aggressive Mode from %s:%u refused: not supported "
		  "(identities in the clear); use Main Mode", gw_addr_fmt(&d->src, a, sizeof(a)),
		  d->sport);
}

void ikev1_rx_dgram(const struct ike_dgram *d)
{
	struct ikev1_msg *m;
	enum ikev1_msg_err err;
	struct ike_sa *sa;

	m = malloc(sizeof(*m));
	if (m == NULL)
		return;
	err = ikev1_msg_parse(d->data, d->len, m);
	if (err != IKEV1_MSG_OK || (m->hdr.version >> 4) != 1) {
		ikev1_count(IKEV1_C_isakmp_drop_parse, 1);
		GW_LOG_RL(ike, DEBUG, "IKEv1: dropped datagram: %s", ikev1_msg_err_str(err));
		goto done;
	}
	if (m->hdr.exchange == IKEV1_EXCH_AGGRESSIVE) {
		ikev1_refuse_aggressive(d);
		goto done;
	}
	if (m->hdr.exchange == IKEV1_EXCH_MAIN && ikev1_cookie_zero(m->hdr.rcookie)) {
		ikev1_mm_input_first(d, m);
		goto done;
	}
	sa = ikev1_find(&m->hdr);
	if (sa == NULL || sa->state == IKE_SA_DEAD) {
		ikev1_count(IKEV1_C_isakmp_drop_no_sa, 1);
		goto done;
	}
	if (ikev1_frag_input(sa, d, m))
		goto done;
	switch (m->hdr.exchange) {
	case IKEV1_EXCH_MAIN:
		ikev1_mm_input(sa, d, m);
		break;
	case IKEV1_EXCH_QUICK:
		ikev1_qm_input(sa, d, m);
		break;
	case IKEV1_EXCH_INFO:
		ikev1_info_input(sa, d, m);
		break;
	default:
		ikev1_count(IKEV1_C_isakmp_drop_state, 1);
		GW_LOG_RL(ike, INFO, "session %" PRIu64 ": IKEv1 exchange type %u not supported, "
			  "dropped", sa->id, m->hdr.exchange);
		break;
	}
done:
	free(m);
}

static void ikev1_rx(const struct ike_dgram *d, void *arg)
{
	(void)arg;
	if (ikev1_config == NULL)
		return;
	ikev1_count(IKEV1_C_isakmp_rx, 1);
	ikev1_rx_dgram(d);
}

/* ---- interface ---- */

int ikev1_init(const struct gw_cfg *cfg)
{
	unsigned n = 0;

	ikev1_config = cfg;
	memset(ikev1_counters, 0, sizeof(ikev1_counters));
	cp_ike_set_handler_v1(ikev1_rx, NULL);
	ike_sa_set_deleter(1, ikev1_delete);
	ike_sa_set_v1_free(ikev1_v1_free);
	(void)ikev1_tm_register();
	for (unsigned i = 0; i < cfg->n_peers; i++) {
		if (cfg->peers[i].ike_version != 1)
			continue;
		n++;
		if (cfg->peers[i].initiate == CFG_INITIATE_START && !cfg->peers[i].remote_any)
			ikev1_initiate(i);
	}
	GW_LOG(ike, INFO, "IKEv1 ready: %u peers", n);
	return 0;
}

void ikev1_fini(void)
{
	uint64_t id = 0;
	struct ike_sa *sa;

	if (ikev1_config == NULL)
		return;
	cp_ike_set_handler_v1(NULL, NULL);
	ike_sa_set_deleter(1, NULL);
	/* the v1 state goes with the table (ike_sa_table_fini in ikev2_fini);
	 * cancel what would call back into us meanwhile */
	while ((sa = ike_sa_next(id)) != NULL) {
		id = sa->id;
		if (sa->ike_version == 1)
			ikev1_mm_auth_free(sa);
	}
	ikev1_config = NULL;
}

/* Main Mode retransmission, half-open and ISAKMP SA lifetimes. */
static void ikev1_sa_tick(struct ike_sa *sa, uint64_t now_ms)
{
	struct ikev1_xchg *x = &sa->v1->mmx;

	if (x->retx_at_ms != 0 && now_ms >= x->retx_at_ms) {
		if (x->retx >= IKE_RETX_MAX) {
			GW_LOG(ike, NOTICE, "session %" PRIu64 ": Main Mode: no answer after %u "
			       "retransmissions", sa->id, x->retx);
			ikev1_kill(sa, "Main Mode timed out");
			return;
		}
		ikev1_count(IKEV1_C_isakmp_retx, 1);
		ikev1_resend(sa, x);
	}
	if (sa->state == IKE_SA_ESTABLISHED && sa->rekey_at_ms != 0 && now_ms >= sa->rekey_at_ms) {
		/* reauthenticate: a new Main Mode; the new session adopts this
		 * one's IPsec SAs and deletes it (make before break) */
		sa->rekey_at_ms = 0;
		GW_LOG(ike, NOTICE, "session %" PRIu64 ": ISAKMP SA lifetime ending: new Main Mode",
		       sa->id);
		if (ikev1_mm_start((unsigned)sa->peer) < 0)
			GW_LOG(ike, ERR, "session %" PRIu64 ": cannot reauthenticate", sa->id);
	}
	if (sa->expire_at_ms == 0 || now_ms < sa->expire_at_ms)
		return;
	if (sa->state < IKE_SA_ESTABLISHED) {
		ikev1_kill(sa, "Main Mode did not finish in time");
		return;
	}
	if (sa->v1->replaced) {
		ikev1_delete(sa->id, "replaced by a reauthentication");
		return;
	}
	ikev1_delete(sa->id, "ISAKMP SA lifetime expired");
	/* no reauthentication happened in time: an `initiate = "start"` peer
	 * of ours gets a new Main Mode (break before make) */
	if (sa->role == IKE_INITIATOR && sa->peer >= 0 &&
	    ikev1_config->peers[sa->peer].initiate == CFG_INITIATE_START)
		(void)ikev1_initiate((unsigned)sa->peer);
}

void ikev1_tick(uint64_t now_ms)
{
	uint64_t id = 0;
	struct ike_sa *sa;

	if (ikev1_config == NULL)
		return;
	while ((sa = ike_sa_next(id)) != NULL) {
		id = sa->id;
		if (sa->state == IKE_SA_DEAD || sa->ike_version != 1 || sa->v1 == NULL)
			continue;
		ikev1_sa_tick(sa, now_ms);
		if (sa->state == IKE_SA_DEAD)
			continue;
		if (sa->state == IKE_SA_ESTABLISHED) {
			ikev1_qm_tick(sa, now_ms);
			if (sa->state != IKE_SA_DEAD)
				ikev1_info_tick(sa, now_ms);
		}
	}
}

int ikev1_initiate(unsigned peer)
{
	uint64_t id = 0;
	struct ike_sa *sa;
	int ret;

	if (ikev1_config == NULL || peer >= ikev1_config->n_peers ||
	    ikev1_config->peers[peer].remote_any || ikev1_config->peers[peer].ike_version != 1)
		return -EINVAL;
	while ((sa = ike_sa_next(id)) != NULL) {
		id = sa->id;
		if (sa->peer == (int)peer && sa->ike_version == 1 && sa->state != IKE_SA_DEAD &&
		    sa->state != IKE_SA_DELETING)
			return -EALREADY;
	}
	ret = ikev1_mm_start(peer);
	if (ret < 0)
		GW_LOG(ike, ERR, "peer %s: cannot initiate IKEv1: %s",
		       ikev1_config->peers[peer].name, strerror(-ret));
	return ret;
}

int ikev1_delete(uint64_t session_id, const char *why)
{
	struct ike_sa *sa = ike_sa_find_id(session_id);
	uint32_t spis[IKE_CHILD_MAX];
	unsigned n = 0;

	if (sa == NULL || sa->state == IKE_SA_DEAD || sa->ike_version != 1)
		return -ENOENT;
	GW_LOG(ike, NOTICE, "session %" PRIu64 ": deleting (%s)", sa->id, why);
	snprintf(sa->reason, sizeof(sa->reason), "%s", why);
	ikev1_count(IKEV1_C_isakmp_deleted, 1);
	if (sa->state < IKE_SA_ESTABLISHED || sa->state == IKE_SA_DELETING) {
		ike_sa_kill(sa, why);
		return 0;
	}
	/* traffic stops now, then the peer hears of each IPsec SA (the batch
	 * retire of the revocation path may have freed the slots already),
	 * then of the ISAKMP SA */
	for (unsigned i = 0; i < IKE_CHILD_MAX; i++) {
		if (sa->child[i].used)
			ike_sa_child_remove(sa, &sa->child[i]);
		if (sa->v1->spi_live[i] != 0)
			spis[n++] = sa->v1->spi_live[i];
	}
	ike_sa_state(sa, IKE_SA_DELETING, why);
	if (n > 0)
		(void)ikev1_info_delete_esp(sa, spis, n);
	(void)ikev1_info_delete_isakmp(sa);
	ike_sa_kill(sa, why);
	return 0;
}
