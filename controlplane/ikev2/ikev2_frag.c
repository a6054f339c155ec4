/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 7383 reassembly of the peer's SKF fragments (ikev2_msg.h).  Each
 * fragment reaching this file was in the message-ID window and its ICV
 * verified (ikev2_msg.c), so only a peer holding the SA's keys -- an
 * authenticated peer, or one that finished IKE_SA_INIT -- can fill it.
 *
 * Reassemblies live in a fixed pool, each tied to a session id (not to a
 * pointer: the SA table frees SAs on its own).  The bounds, every refusal
 * counted in ikev2_drop_frag:
 *   - IKE_FRAG_MAX (32) fragments of one message, numbered 1..Total;
 *   - one message in reassembly per SA: a fragment of another message ID
 *     or direction starts over; a Total Fragments below the one held is
 *     dropped, above it restarts the reassembly (RFC 7383 2.6.2: the
 *     sender fragmented again for a smaller path MTU);
 *   - IKEV2_FRAG_SA_MAX (65535) decrypted octets per reassembly, the most
 *     a reassembled message may carry, checked on every fragment;
 *   - IKEV2_FRAG_SLOTS (128) reassemblies at once over all SAs: at most
 *     128 * 64 KiB = 8 MiB held, however many half-open SAs there are;
 *     when all are busy a new one is refused (the peer retransmits);
 *   - a reassembly without a new fragment for IKEV2_FRAG_IDLE_MS (30 s,
 *     the half-open lifetime) or whose SA died is freed by the tick.
 * CP thread only.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "controlplane/ikev2/ikev2_msg.h"

struct ikev2_reass {
	uint64_t sa_id;			/* 0 = free slot */
	uint32_t msg_id;
	bool resp;
	uint8_t first;			/* fragment 1's first inner payload type */
	uint16_t total;
	size_t bytes;
	uint64_t last_ms;
	uint8_t *frag[IKE_FRAG_MAX];
	uint16_t len[IKE_FRAG_MAX];
	bool have[IKE_FRAG_MAX];
};

static struct ikev2_reass ikev2_reass_pool[IKEV2_FRAG_SLOTS];
static size_t ikev2_frag_all;		/* octets held over the pool */

size_t ikev2_frag_held(void)
{
	return ikev2_frag_all;
}

unsigned ikev2_frag_busy(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < IKEV2_FRAG_SLOTS; i++)
		n += ikev2_reass_pool[i].sa_id != 0;
	return n;
}

/* Empty r's fragments (wiped: decrypted payloads). */
static void ikev2_reass_clear(struct ikev2_reass *r)
{
	for (unsigned i = 0; i < IKE_FRAG_MAX; i++) {
		if (r->frag[i] != NULL)
			OPENSSL_cleanse(r->frag[i], r->len[i]);
		free(r->frag[i]);
		r->frag[i] = NULL;
		r->len[i] = 0;
		r->have[i] = false;
	}
	ikev2_frag_all -= r->bytes;
	r->bytes = 0;
	r->total = 0;
}

static void ikev2_reass_free(struct ikev2_reass *r)
{
	ikev2_reass_clear(r);
	r->sa_id = 0;
}

static struct ikev2_reass *ikev2_reass_of(uint64_t sa_id)
{
	for (unsigned i = 0; i < IKEV2_FRAG_SLOTS; i++)
		if (ikev2_reass_pool[i].sa_id == sa_id)
			return &ikev2_reass_pool[i];
	return NULL;
}

void ikev2_frag_reset(struct ike_sa *sa)
{
	struct ikev2_reass *r = ikev2_reass_of(sa->id);

	if (r != NULL)
		ikev2_reass_free(r);
}

void ikev2_frag_tick(uint64_t now_ms)
{
	for (unsigned i = 0; i < IKEV2_FRAG_SLOTS; i++) {
		struct ikev2_reass *r = &ikev2_reass_pool[i];
		struct ike_sa *sa;

		if (r->sa_id == 0)
			continue;
		sa = ike_sa_find_id(r->sa_id);
		if (sa == NULL || sa->state == IKE_SA_DEAD || now_ms - r->last_ms >= IKEV2_FRAG_IDLE_MS)
			ikev2_reass_free(r);
	}
}

void ikev2_frag_fini(void)
{
	for (unsigned i = 0; i < IKEV2_FRAG_SLOTS; i++)
		ikev2_reass_free(&ikev2_reass_pool[i]);
}

static long ikev2_frag_refuse(struct ikev2_reass *r)
{
	if (r != NULL)
		ikev2_reass_free(r);
	ikev2_count(IKEV2_C_ikev2_drop_frag, 1);
	return -EINVAL;
}

/* The reassembly m's fragment belongs to: sa's (started over for another
 * message or a larger Total Fragments), a new one, or NULL: refused (a
 * smaller Total Fragments, no free slot). */
static struct ikev2_reass *ikev2_reass_for(const struct ike_sa *sa, const struct ike_msg *m)
{
	bool resp = (m->hdr.flags & IKE_HDR_F_R) != 0;
	struct ikev2_reass *r = ikev2_reass_of(sa->id);

	if (r != NULL && r->msg_id == m->hdr.msg_id && r->resp == resp) {
		if (m->sk.frag_total < r->total)
			return NULL;
		if (m->sk.frag_total == r->total)
			return r;
	}
	if (r == NULL)
		r = ikev2_reass_of(0);
	if (r == NULL)
		return NULL;
	ikev2_reass_clear(r);
	r->sa_id = sa->id;
	r->msg_id = m->hdr.msg_id;
	r->resp = resp;
	r->total = m->sk.frag_total;
	return r;
}

long ikev2_frag_add(struct ike_sa *sa, const struct ike_msg *m, const uint8_t *plain, size_t len,
		    uint8_t *out, size_t cap, uint8_t *first)
{
	uint16_t num = m->sk.frag_num, total = m->sk.frag_total;
	struct ikev2_reass *r;
	size_t sum = 0;

	if (total > IKE_FRAG_MAX || num == 0 || num > total || len > IKEV2_FRAG_SA_MAX)
		return ikev2_frag_refuse(NULL);
	r = ikev2_reass_for(sa, m);
	if (r == NULL)
		return ikev2_frag_refuse(NULL);
	r->last_ms = ikev2_now_ms();
	if (r->have[num - 1]) {
		ikev2_count(IKEV2_C_ikev2_frag_dup, 1);
		return 0;
	}
	if (r->bytes + len > IKEV2_FRAG_SA_MAX || r->bytes + len > cap)
		return ikev2_frag_refuse(r);
	r->frag[num - 1] = malloc(len > 0 ? len : 1);
	if (r->frag[num - 1] == NULL)
		return -ENOMEM;
	memcpy(r->frag[num - 1], plain, len);
	r->len[num - 1] = (uint16_t)len;
	r->have[num - 1] = true;
	r->bytes += len;
	ikev2_frag_all += len;
	if (num == 1)
		r->first = m->sk.inner_next;
	for (unsigned i = 0; i < total; i++)
		if (!r->have[i])
			return 0;
	for (unsigned i = 0; i < total; i++) {
		memcpy(out + sum, r->frag[i], r->len[i]);
		sum += r->len[i];
	}
	*first = r->first;
	ikev2_reass_free(r);
	ikev2_count(IKEV2_C_ikev2_frag_reassembled, 1);
	return (long)sum;
}
