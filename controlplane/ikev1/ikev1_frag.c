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
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/gw_log.h"
#include "controlplane/ikev1/ikev1_int.h"

static void ikev1_frag_clear(struct ike_sa *sa)
{
	for (unsigned i = 0; i < IKE_FRAG_MAX; i++) {
		if (sa->frag[i] != NULL)
			OPENSSL_cleanse(sa->frag[i], sa->frag_len[i]);
		free(sa->frag[i]);
		sa->frag[i] = NULL;
		sa->frag_len[i] = 0;
	}
	sa->frag_total = 0;
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

bool ikev1_frag_input(struct ike_sa *sa, const struct ike_dgram *d, const struct ikev1_msg *m)
{
	const struct ikev1_frag_pl *f = &m->frag;
	struct ike_dgram whole;
	uint8_t *buf;
	size_t len = 0;

	if (m->n_frag != 1)
		return false;
	if (f->num == 0 || f->num > IKE_FRAG_MAX || f->data.len == 0 ||
	    (sa->frag_total != 0 && f->num > sa->frag_total)) {
		ikev1_count(IKEV1_C_isakmp_drop_parse, 1);
		return true;
	}
	if (sa->frag_msgid != f->id) {		/* a new message: forget the old slices */
		ikev1_frag_clear(sa);
		sa->frag_msgid = f->id;
	}
	if (sa->frag[f->num - 1] == NULL) {
		sa->frag[f->num - 1] = malloc(f->data.len);
		if (sa->frag[f->num - 1] == NULL)
			return true;
		memcpy(sa->frag[f->num - 1], f->data.p, f->data.len);
		sa->frag_len[f->num - 1] = (uint16_t)f->data.len;
	}
	if (f->last)
		sa->frag_total = f->num;
	buf = ikev1_frag_whole(sa, &len);
	if (buf == NULL)
		return true;
	ikev1_frag_clear(sa);
	sa->frag_msgid = 0;
	whole = *d;
	whole.data = buf;
	whole.len = len;
	ikev1_rx_dgram(&whole);
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
