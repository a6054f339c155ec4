/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKEv2's interface to the control plane (ikev2.h): start-up, the tick
 * that drives every SA's timers, operator deletes, counters, and the
 * dispatch of IKE datagrams by the header's major version.  CP thread only.
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "common/gw_log.h"
#include "controlplane/cp_sa.h"
#include "controlplane/ike/ike_half_open.h"
#include "controlplane/ike/ike_rev.h"
#include "controlplane/ikev2/ikev2.h"
#include "controlplane/ikev2/ikev2_int.h"
#include "controlplane/ikev2/ikev2_msg.h"

static const struct gw_cfg *ikev2_config;
static uint64_t ikev2_counters[IKEV2_C_MAX];

static const char *const ikev2_counter_names[IKEV2_C_MAX] = {
#define X(n, d) #n,
	IKEV2_COUNTERS(X)
#undef X
};

const char *ikev2_counter_name(enum ikev2_counter c)
{
	return (unsigned)c < IKEV2_C_MAX ? ikev2_counter_names[c] : "?";
}

uint64_t ikev2_counter(enum ikev2_counter c)
{
	return (unsigned)c < IKEV2_C_MAX ? ikev2_counters[c] : 0;
}

void ikev2_count(enum ikev2_counter c, uint64_t n)
{
	if ((unsigned)c < IKEV2_C_MAX)
		ikev2_counters[c] += n;
}

const struct gw_cfg *ikev2_cfg(void)
{
	return ikev2_config;
}

void ikev2_set_cfg(const struct gw_cfg *cfg)
{
	if (ikev2_config != NULL)
		ikev2_config = cfg;
}

/* The transport's handler: IKEv2 by the major version (IKEv1 later). */
static void ikev2_rx(const struct ike_dgram *d, void *arg)
{
	(void)arg;
	if (d->len < IKE_HDR_LEN || (d->data[17] >> 4) != IKE_VERSION_MAJOR)
		return;
	ikev2_msg_input(d);
}

int ikev2_init(const struct gw_cfg *cfg)
{
	int ret;

	ikev2_config = cfg;
	memset(ikev2_counters, 0, sizeof(ikev2_counters));
	ike_ho_reset();
	ret = ike_sa_table_init();
	if (ret < 0) {
		GW_LOG(ike, ERR, "IKE SA table: %s", strerror(-ret));
		ikev2_config = NULL;
		return ret;
	}
	ikev2_cookie_rotate(ikev2_now_ms());
	ikev2_auth_register();
	ikev2_info_register();
	ikev2_child_register();
	cp_ike_set_handler(ikev2_rx, NULL);
	ike_sa_set_deleter(2, ikev2_delete);
	for (unsigned i = 0; i < cfg->n_peers; i++)
		if (cfg->peers[i].ike_version == 2 && cfg->peers[i].initiate == CFG_INITIATE_START &&
		    !cfg->peers[i].remote_any)
			ikev2_initiate(i);
	GW_LOG(ike, INFO, "IKEv2 ready: %u peers", cfg->n_peers);
	return 0;
}

void ikev2_fini(void)
{
	if (ikev2_config == NULL)
		return;
	cp_ike_set_handler(NULL, NULL);
	ike_sa_set_deleter(2, NULL);
	ikev2_child_fini();
	ike_sa_table_fini();
	ike_ho_reset();
	ikev2_frag_fini();
	ikev2_config = NULL;
}

/* Half-open and hard lifetimes. */
static void ikev2_expire(struct ike_sa *sa, uint64_t now_ms)
{
	if (sa->expire_at_ms == 0 || now_ms < sa->expire_at_ms)
		return;
	if (sa->state < IKE_SA_ESTABLISHED) {
		ike_sa_kill(sa, "half-open SA timed out");
		return;
	}
	ikev2_delete(sa->id, "IKE SA lifetime expired");
}

void ikev2_tick(uint64_t now_ms)
{
	uint64_t id = 0;
	struct ike_sa *sa;

	if (ikev2_config == NULL)
		return;
	ikev2_cookie_tick(now_ms);
	ikev2_auth_gc();
	ikev2_frag_tick(now_ms);
	ike_sa_reap();
	while ((sa = ike_sa_next(id)) != NULL) {
		id = sa->id;
		if (sa->state == IKE_SA_DEAD || sa->ike_version != 2)
			continue;
		ikev2_msg_tick(sa, now_ms);
		if (sa->state == IKE_SA_DEAD)
			continue;
		ikev2_expire(sa, now_ms);
		if (sa->state == IKE_SA_ESTABLISHED || sa->state == IKE_SA_REKEYING) {
			ikev2_child_tick(sa, now_ms);
			if (sa->state != IKE_SA_DEAD)
				ikev2_info_tick(sa, now_ms);
		}
	}
}

int ikev2_initiate(unsigned peer)
{
	uint64_t id = 0;
	struct ike_sa *sa;
	int ret;

	if (ikev2_config == NULL || peer >= ikev2_config->n_peers ||
	    ikev2_config->peers[peer].remote_any || ikev2_config->peers[peer].ike_version != 2)
		return -EINVAL;
	while ((sa = ike_sa_next(id)) != NULL) {
		id = sa->id;
		if (sa->peer == (int)peer && sa->ike_version == 2 && sa->state != IKE_SA_DEAD &&
		    sa->state != IKE_SA_DELETING)
			return -EALREADY;
	}
	ret = ikev2_init_start(peer);
	if (ret < 0)
		GW_LOG(ike, ERR, "peer %s: cannot initiate: %s", ikev2_config->peers[peer].name,
		       strerror(-ret));
	return ret;
}

int ikev2_delete(uint64_t session_id, const char *why)
{
	struct ike_sa *sa = ike_sa_find_id(session_id);

	if (sa == NULL || sa->state == IKE_SA_DEAD)
		return -ENOENT;
	GW_LOG(ike, NOTICE, "session %" PRIu64 ": deleting (%s)", sa->id, why);
	snprintf(sa->reason, sizeof(sa->reason), "%s", why);
	if (sa->state < IKE_SA_ESTABLISHED || sa->state == IKE_SA_DELETING) {
		ikev2_count(IKEV2_C_ikev2_deleted, 1);
		ike_sa_kill(sa, why);
		return 0;
	}
	/* traffic stops now, before the DELETE is even sent; the DELETE's
	 * answer (or its failure) counts the deletion and frees the SA */
	for (unsigned i = 0; i < IKE_CHILD_MAX; i++)
		if (sa->child[i].used)
			ike_sa_child_remove(sa, &sa->child[i]);
	(void)ikev2_info_send_delete(sa);
	return 0;
}

unsigned ikev2_clear_all(void)
{
	uint64_t id = 0;
	unsigned n = 0;
	struct ike_sa *sa;

	while ((sa = ike_sa_next(id)) != NULL) {
		id = sa->id;
		if (sa->state != IKE_SA_DEAD && ike_sa_delete(sa->id, "cleared by the operator") == 0)
			n++;
	}
	return n;
}

unsigned ikev2_clear_remote(const struct gw_addr *remote)
{
	uint64_t id = 0;
	unsigned n = 0;
	struct ike_sa *sa;

	while ((sa = ike_sa_next(id)) != NULL) {
		id = sa->id;
		if (sa->state != IKE_SA_DEAD && gw_addr_eq(&sa->remote, remote) &&
		    ike_sa_delete(sa->id, "cleared by the operator") == 0)
			n++;
	}
	return n;
}
