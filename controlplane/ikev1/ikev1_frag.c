/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKEv1 fragmentation (the Cisco / strongSwan extension, payload 132,
 * announced with the "FRAGMENTATION" vendor ID): a big message (Main Mode
 * 5 and 6 with certificates) travels as several datagrams, each an ISAKMP
 * header and one FRAG payload carrying a slice of the whole message.
 * Receive: the slices are kept in the SA (sa->frag[], the session table's
 * reassembly slots, which IKEv1 sessions do not otherwise use) until every
 * number up to the one flagged last is there, then the whole message goes
 * through the receive path again.  Send: messages above IKEV1_FRAG_SIZE go
 * as fragments once the peer announced the extension.  CP thread only.
 *
 * Fragments are not authenticated (the whole message is, once decrypted):
 * anyone who saw the cookies can send them.  Bounds, each refusal counted
 * in isakmp_drop_frag:
 *   - fragment numbers 1..IKE_FRAG_MAX (32), none above the last one;
 *   - one message in reassembly per SA (a new fragment ID starts over);
 *   - IKEV1_MSG_BUF (65535) octets held per SA, checked on every slice
 *     (before, 32 slices of 64 KiB each could be held: 2 MiB per SA);
 *   - IKEV1_FRAG_ALL_MAX (4 MiB) held over all SAs, so that many
 *     half-open Main Modes cannot hold 64 KiB each;
 *   - a reassembled message that is itself a fragment is dropped (each
 *     level would strip a few octets and allocate the rest again);
 * released with the message, a new fragment ID, or the SA (ikev1_v1_free). */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/gw_log.h"
#include "controlplane/ikev1/ikev1_int.h"

static size_t ikev1_frag_all;		/* octets held over every SA */
static bool ikev1_frag_inside;		/* a reassembled message is being processed */

size_t ikev1_frag_held(void)
{
	return ikev1_frag_all;
}

void ikev1_frag_clear(struct ike_sa *sa)
{
	for (unsigned i = 0; i < IKE_FRAG_MAX; i++) {
		if (sa->frag[i] != NULL) {
			ikev1_frag_all -= sa->frag_len[i];
			OPENSSL_cleanse(sa->frag[i], sa->frag_len[i]);
		}
		free(sa->frag[i]);
		sa->frag[i] = NULL;
		sa->frag_len[i] = 0;
	}
	sa->frag_total = 0;
}

static size_t ikev1_frag_sa_bytes(const struct ike_sa *sa)
{
	size_t n = 0;

	for (unsigned i = 0; i < IKE_FRAG_MAX; i++)
		n += sa->frag[i] != NULL ? sa->frag_len[i] : 0;
	return n;
}

/* The whole message, when every fragment is there: malloc'd, *len. */
static uint8_t *ikev1_frag_whole(struct ike_sa *sa, size_t *len)
{
	size_t total = 0, off = 0;
	uint8_t *buf;

	if (sa->frag_total == 0)
		return NULL;
	for (unsigned i = 0; i < sa->frag_total; i++) {
		if (sa->frag[i] == NULL)
			return NULL;
		total += sa->frag_len[i];
	}
	if (total < IKEV1_HDR_LEN || total > IKEV1_MSG_BUF || (buf = malloc(total)) == NULL)
		return NULL;
	for (unsigned i = 0; i < sa->frag_total; i++) {
		memcpy(buf + off, sa->frag[i], sa->frag_len[i]);
		off += sa->frag_len[i];
	}
	*len = total;
	return buf;
}

static bool ikev1_frag_refuse(struct ike_sa *sa, bool clear)
{
	if (clear)
		ikev1_frag_clear(sa);
	ikev1_count(IKEV1_C_isakmp_drop_frag, 1);
	return true;
}

/* Keep f's slice; false: refused. */
static bool ikev1_frag_keep(struct ike_sa *sa, const struct ikev1_frag_pl *f)
{
	size_t held = ikev1_frag_sa_bytes(sa);

	if (held + f->data.len > IKEV1_MSG_BUF) {
		ikev1_frag_refuse(sa, true);
		return false;
	}
	if (ikev1_frag_all + f->data.len > IKEV1_FRAG_ALL_MAX) {
		ikev1_frag_refuse(sa, false);
		return false;
	}
	sa->frag[f->num - 1] = malloc(f->data.len);
	if (sa->frag[f->num - 1] == NULL)
		return false;
	memcpy(sa->frag[f->num - 1], f->data.p, f->data.len);
	sa->frag_len[f->num - 1] = (uint16_t)f->data.len;
	ikev1_frag_all += f->data.len;
	return true;
}

bool ikev1_frag_input(struct ike_sa *sa, const struct ike_dgram *d, const struct ikev1_msg *m)
{
	const struct ikev1_frag_pl *f = &m->frag;
	struct ike_dgram whole;
	uint8_t *buf;
	size_t len = 0;

	if (m->n_frag != 1)
		return false;
	if (ikev1_frag_inside || f->num == 0 || f->num > IKE_FRAG_MAX || f->data.len == 0)
		return ikev1_frag_refuse(sa, false);
	if (sa->frag_msgid != f->id) {		/* a new message: forget the old slices */
		ikev1_frag_clear(sa);
		sa->frag_msgid = f->id;
	}
	if (sa->frag_total != 0 && f->num > sa->frag_total)
		return ikev1_frag_refuse(sa, false);	/* beyond the one flagged last */
	if (sa->frag[f->num - 1] != NULL)
		ikev1_count(IKEV1_C_isakmp_frag_dup, 1);
	else if (!ikev1_frag_keep(sa, f))
		return true;
	if (f->last)
		sa->frag_total = f->num;
	buf = ikev1_frag_whole(sa, &len);
	if (buf == NULL)
		return true;
	ikev1_frag_clear(sa);
	sa->frag_msgid = 0;
	ikev1_count(IKEV1_C_isakmp_frag_reassembled, 1);
	whole = *d;
	whole.data = buf;
	whole.len = len;
	ikev1_frag_inside = true;
	ikev1_rx_dgram(&whole);
	ikev1_frag_inside = false;
	OPENSSL_cleanse(buf, len);
	free(buf);
	return true;
}

int ikev1_frag_send(struct ike_sa *sa, const uint8_t *data, size_t len)
{
	size_t per = IKEV1_FRAG_SIZE - IKEV1_HDR_LEN - IKEV1_FRAG_HDR_LEN;
	unsigned n = ikev1_frag_count(len, IKEV1_FRAG_SIZE);
	uint8_t out[IKEV1_FRAG_SIZE];
	int ret = 0;

	if (n == 0)
		return -EMSGSIZE;
	for (unsigned i = 0; i < n; i++) {
		size_t off = (size_t)i * per;
		size_t chunk = len - off < per ? len - off : per;
		long fl = ikev1_frag_make(data, len, off, chunk, (uint8_t)(i + 1), i + 1 == n, out,
					  sizeof(out));

		if (fl < 0)
			return (int)fl;
		ret = ikev1_tx_raw(sa, out, (size_t)fl);
		if (ret < 0)
			return ret;
	}
	return ret;
}
