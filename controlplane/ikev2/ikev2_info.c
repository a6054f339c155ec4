/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * INFORMATIONAL (RFC 7296 1.4, 1.5, 2.4): DELETE of the IKE SA and of
 * CHILD SAs in both directions, liveness checks (DPD) and notifies.
 *
 * Deleting, as issue 5 asks: the fast-path SAs go when the DELETE is sent
 * (traffic stops now), not after its retransmissions; a DELETE that queues
 * behind an outstanding request (window 1) keeps nothing flowing.
 *
 * A CHILD SA the peer deletes is answered with our inbound SPIs of the same
 * children (1.4.1); an SPI we do not know is ignored.  A child that a
 * rekey replaced is handed to ikev2_child_deleted(), which switches the
 * tunnel's outbound SA to its successor first (make-before-break).
 *
 * CP thread only.
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_byteorder.h>

#include "common/gw_ike.h"
#include "common/gw_log.h"
#include "controlplane/cp_sa.h"
#include "controlplane/ikev2/ikev2_int.h"
#include "controlplane/ikev2/ikev2_msg.h"
#include "dataplane/dp_sa.h"

/* ---- DELETE payloads (pure: unit-tested) ---- */

int ikev2_info_add_child_delete(struct ike_build *b, const uint32_t *spi_in, unsigned n)
{
	uint32_t be[IKE_CHILD_MAX];

	if (n == 0)
		return b->err;
	if (n > IKE_CHILD_MAX)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++)
		be[i] = rte_cpu_to_be_32(spi_in[i]);
	return ike_msg_add_delete(b, IKE_PROTO_ESP, 4, (uint16_t)n, be);
}

unsigned ikev2_info_map_child_delete(struct ike_sa *sa, const struct ike_delete_pl *d,
				     struct ike_child **out, unsigned max)
{
	unsigned n = 0;

	if (d->proto != IKE_PROTO_ESP || d->spi_size != 4)
		return 0;
	for (unsigned i = 0; i < d->n_spi && n < max; i++) {
		const uint8_t *p = d->spis + 4 * (size_t)i;
		uint32_t spi = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
			       (uint32_t)p[2] << 8 | p[3];
		struct ike_child *c = ike_sa_child_by_spi_out(sa, spi);
		bool dup = false;

		if (c == NULL) {
			GW_LOG(ike, INFO, "session %" PRIu64 ": DELETE of unknown ESP SPI 0x%08" PRIx32
			       " ignored", sa->id, spi);
			continue;
		}
		for (unsigned k = 0; k < n; k++)
			dup |= out[k] == c;
		if (!dup)
			out[n++] = c;
	}
	return n;
}

/* ---- liveness ---- */

bool ikev2_info_dpd_due(const struct ike_sa *sa, uint32_t interval_s, uint64_t now_ms)
{
	uint64_t iv = (uint64_t)interval_s * 1000;

	if (iv == 0 || sa->state != IKE_SA_ESTABLISHED || sa->mid.req != NULL)
		return false;
	if (now_ms < sa->last_rx_ms + iv)
		return false;
	return now_ms >= sa->dpd_at_ms;
}

static void ikev2_info_dpd_answer(struct ike_sa *sa, const struct ike_msg *resp, void *arg)
{
	(void)arg;
	if (resp != NULL)
		return;		/* alive: the layer noted the time */
	ikev2_count(IKEV2_C_ikev2_dpd_dead, 1);
	GW_LOG(ike, NOTICE, "session %" PRIu64 ": peer dead (no answer to liveness checks)",
	       sa->id);
	snprintf(sa->reason, sizeof(sa->reason), "peer dead (DPD)");
}

void ikev2_info_tick(struct ike_sa *sa, uint64_t now_ms)
{
	const struct gw_cfg *cfg = ikev2_cfg();
	uint32_t iv = cfg != NULL ? cfg->crypto.ikev2.dpd_interval : 0;

	if (!ikev2_info_dpd_due(sa, iv, now_ms))
		return;
	/* one check per interval; its retransmissions decide */
	sa->dpd_at_ms = now_ms + (uint64_t)iv * 1000;
	if (ikev2_msg_request_begin(sa, IKE_EXCH_INFORMATIONAL) == NULL)
		return;
	if (ikev2_msg_request_send(sa, ikev2_info_dpd_answer, NULL) < 0)
		GW_LOG(ike, WARNING, "session %" PRIu64 ": cannot send a liveness check", sa->id);
}

/* ---- sending DELETE ---- */

static void ikev2_info_delete_answer(struct ike_sa *sa, const struct ike_msg *resp, void *arg)
{
	(void)arg;
	ikev2_count(IKEV2_C_ikev2_deleted, 1);
	if (resp != NULL)
		ikev2_count(IKEV2_C_ikev2_delete_answered, 1);
	ike_sa_kill(sa, resp != NULL ? "DELETE answered" : "DELETE not answered");
}

int ikev2_info_send_delete(struct ike_sa *sa)
{
	struct ike_build *b;
	int ret;

	for (unsigned i = 0; i < IKE_CHILD_MAX; i++)
		if (sa->child[i].used)
			ike_sa_child_remove(sa, &sa->child[i]);
	if (sa->state == IKE_SA_DELETING || sa->state == IKE_SA_DEAD)
		return 0;
	ike_sa_state(sa, IKE_SA_DELETING, sa->reason[0] != '\0' ? sa->reason : "deleting");
	b = ikev2_msg_request_begin(sa, IKE_EXCH_INFORMATIONAL);
	if (b == NULL) {
		ret = -ENOBUFS;
		goto fail;
	}
	ret = ike_msg_add_delete(b, IKE_PROTO_IKE, 0, 0, NULL);
	if (ret == 0)
		ret = ikev2_msg_request_send(sa, ikev2_info_delete_answer, NULL);
	if (ret == 0)
		return 0;
fail:
	ikev2_count(IKEV2_C_ikev2_deleted, 1);
	ike_sa_kill(sa, "cannot send DELETE");
	return ret;
}

static void ikev2_info_child_delete_answer(struct ike_sa *sa, const struct ike_msg *resp,
					   void *arg)
{
	uint32_t spi_in = (uint32_t)(uintptr_t)arg;
	struct ike_child *c;

	if (resp == NULL)
		return;		/* the SA is being killed: children go with it */
	c = ike_sa_child_by_spi_in(sa, spi_in);
	if (c != NULL) {
		GW_LOG(ike, INFO, "session %" PRIu64 ": CHILD SA in 0x%08" PRIx32 " out 0x%08"
		       PRIx32 " deleted", sa->id, c->spi_in, c->spi_out);
		ike_sa_child_remove(sa, c);
	}
}

int ikev2_info_send_child_delete(struct ike_sa *sa, struct ike_child *c)
{
	struct ike_build *b;
	int ret;

	/* our outbound stops now (a rekey has already made its successor the
	 * tunnel's current one); the inbound lives until the peer answers */
	if (c->h_out != DP_SA_INVALID) {
		cp_sa_retire_pair(DP_SA_INVALID, c->h_out);
		c->h_out = DP_SA_INVALID;
	}
	c->rekey_at_ms = 0;
	b = ikev2_msg_request_begin(sa, IKE_EXCH_INFORMATIONAL);
	if (b == NULL)
		return -ENOBUFS;
	ret = ikev2_info_add_child_delete(b, &c->spi_in, 1);
	if (ret == 0)
		ret = ikev2_msg_request_send(sa, ikev2_info_child_delete_answer,
					     (void *)(uintptr_t)c->spi_in);
	return ret;
}

/* ---- receiving ---- */

static void ikev2_info_notifies(const struct ike_sa *sa, const struct ike_msg *m)
{
	for (unsigned i = 0; i < m->n_n; i++) {
		uint16_t t = m->n[i].type;

		if (ike_notify_is_error(t))
			GW_LOG(ike, NOTICE, "session %" PRIu64 ": peer reports error %s (%u)",
			       sa->id, ike_notify_name(t), t);
		else if (strcmp(ike_notify_name(t), "?") != 0)
			GW_LOG(ike, DEBUG, "session %" PRIu64 ": INFORMATIONAL notify %s",
			       sa->id, ike_notify_name(t));
		/* unknown status notifies are ignored (MOBIKE and the like) */
	}
}

static void ikev2_info_request(struct ike_sa *sa, const struct ike_msg *req)
{
	struct ike_child *gone[IKE_CHILD_MAX];
	uint32_t spis[IKE_CHILD_MAX];
	unsigned n = 0;
	bool ike_delete = false;
	struct ike_build *b;

	ikev2_info_notifies(sa, req);
	for (unsigned i = 0; i < req->n_d; i++) {
		if (req->d[i].proto == IKE_PROTO_IKE)
			ike_delete = true;
		else
			n += ikev2_info_map_child_delete(sa, &req->d[i], gone + n,
							 IKE_CHILD_MAX - n);
	}
	if (ike_delete) {
		/* 1.4.1: an empty INFORMATIONAL answers the IKE SA's DELETE */
		for (unsigned i = 0; i < IKE_CHILD_MAX; i++)
			if (sa->child[i].used)
				ike_sa_child_remove(sa, &sa->child[i]);
		b = ikev2_msg_response_begin(sa, req);
		if (b != NULL)
			ikev2_msg_response_send(sa);
		ikev2_count(IKEV2_C_ikev2_deleted, 1);
		snprintf(sa->reason, sizeof(sa->reason), "deleted by the peer");
		ike_sa_kill(sa, "deleted by the peer");
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		spis[i] = gone[i]->spi_in;
		GW_LOG(ike, INFO, "session %" PRIu64 ": peer deletes CHILD SA in 0x%08" PRIx32
		       " out 0x%08" PRIx32, sa->id, gone[i]->spi_in, gone[i]->spi_out);
		ikev2_child_deleted(sa, gone[i]);
	}
	b = ikev2_msg_response_begin(sa, req);
	if (b == NULL)
		return;
	if (ikev2_info_add_child_delete(b, spis, n) == 0)
		ikev2_msg_response_send(sa);
}

void ikev2_info_register(void)
{
	ikev2_msg_set_handler(IKE_EXCH_INFORMATIONAL, ikev2_info_request);
}
