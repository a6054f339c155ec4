/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sending and protecting IKEv1 messages: the datagram kept per exchange
 * for retransmission and for answering duplicates, the CBC protection of
 * message bodies (RFC 2409 App. B, ikev1_msg.h does the cipher).  CP
 * thread only.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "common/gw_log.h"
#include "controlplane/ikev1/ikev1_int.h"

static ikev1_tx_fn ikev1_tx = cp_ike_send;
static uint8_t ikev1_scratch[IKEV1_MSG_BUF];

void ikev1_set_tx(ikev1_tx_fn fn)
{
	ikev1_tx = fn != NULL ? fn : cp_ike_send;
}

uint8_t *ikev1_buf(void)
{
	return ikev1_scratch;
}

int ikev1_tx_raw(struct ike_sa *sa, const uint8_t *data, size_t len)
{
	int ret = ikev1_tx(&sa->local, &sa->remote, sa->local_port, sa->remote_port, data, len);

	ikev1_count(IKEV1_C_isakmp_tx, 1);
	if (ret < 0)
		GW_LOG(ike, INFO, "session %" PRIu64 ": IKEv1 send failed: %s", sa->id, strerror(-ret));
	return ret;
}

/* A big Main Mode message goes in fragments when the peer supports them. */
static int ikev1_tx_one(struct ike_sa *sa, const uint8_t *data, size_t len)
{
	if (sa->v1 != NULL && sa->v1->peer_frag && len > IKEV1_FRAG_SIZE &&
	    data[18] == IKEV1_EXCH_MAIN)
		return ikev1_frag_send(sa, data, len);
	return ikev1_tx_raw(sa, data, len);
}

int ikev1_send_once(struct ike_sa *sa, const uint8_t *data, size_t len)
{
	return ikev1_tx_one(sa, data, len);
}

void ikev1_xchg_clear(struct ikev1_xchg *x)
{
	free(x->tx);
	x->tx = NULL;
	x->tx_len = 0;
	x->retx = 0;
	x->retx_at_ms = 0;
}

int ikev1_send(struct ike_sa *sa, struct ikev1_xchg *x, const uint8_t *data, size_t len,
	       bool timer)
{
	uint8_t *copy = malloc(len);

	if (copy == NULL)
		return -ENOMEM;
	memcpy(copy, data, len);
	ikev1_xchg_clear(x);
	x->tx = copy;
	x->tx_len = len;
	x->retx_at_ms = timer ? ikev1_now_ms() + IKE_RETX_BASE_MS : 0;
	(void)ikev1_tx_one(sa, data, len);
	return 0;
}

void ikev1_resend(struct ike_sa *sa, struct ikev1_xchg *x)
{
	uint64_t wait;

	if (x->tx == NULL)
		return;
	(void)ikev1_tx_one(sa, x->tx, x->tx_len);
	if (x->retx_at_ms == 0)
		return;
	x->retx++;
	wait = (uint64_t)IKE_RETX_BASE_MS << (x->retx < 5 ? x->retx : 5);
	x->retx_at_ms = ikev1_now_ms() + (wait < IKE_RETX_CAP_MS ? wait : IKE_RETX_CAP_MS);
}

static void ikev1_digest(const struct ike_dgram *d, uint8_t out[IKEV1_RX_DIGEST])
{
	unsigned int n = 0;

	if (EVP_Digest(d->data, d->len, out, &n, EVP_sha256(), NULL) != 1)
		memset(out, 0, IKEV1_RX_DIGEST);
}

bool ikev1_xchg_dup(struct ikev1_xchg *x, const struct ike_dgram *d, bool record)
{
	uint8_t h[IKEV1_RX_DIGEST];

	ikev1_digest(d, h);
	if (x->rx_valid && memcmp(h, x->rx_digest, sizeof(h)) == 0)
		return true;
	if (record) {
		memcpy(x->rx_digest, h, sizeof(h));
		x->rx_valid = true;
	}
	return false;
}

long ikev1_seal(struct ike_sa *sa, struct ikev1_build *b, struct ikev1_iv *iv)
{
	const struct ikev1_keys *k = &sa->v1->keys;
	long len = ikev1_build_end_encrypted(b, 16);
	int ret;

	if (len < 0)
		return len;
	ret = ikev1_msg_encrypt(k->enc_key, k->enc_key_len, iv, b->buf + IKEV1_HDR_LEN,
				(size_t)len - IKEV1_HDR_LEN, iv);
	return ret < 0 ? ret : len;
}

int ikev1_open(struct ike_sa *sa, const struct ike_dgram *d, const struct ikev1_iv *iv,
	       uint8_t *buf, struct ikev1_msg *m, struct ikev1_iv *next)
{
	const struct ikev1_keys *k = &sa->v1->keys;
	enum ikev1_msg_err err;
	int ret;

	if (d->len <= IKEV1_HDR_LEN || d->len > IKEV1_MSG_BUF || k->enc_key_len == 0)
		return -EBADMSG;
	memcpy(buf, d->data, d->len);
	ret = ikev1_msg_decrypt(k->enc_key, k->enc_key_len, iv, buf + IKEV1_HDR_LEN,
				d->len - IKEV1_HDR_LEN, next);
	if (ret < 0)
		return ret;
	err = ikev1_msg_parse_plain(buf, d->len, m);
	if (err != IKEV1_MSG_OK) {
		GW_LOG_RL(ike, INFO, "session %" PRIu64 ": IKEv1 message does not parse after "
			  "decryption: %s", sa->id, ikev1_msg_err_str(err));
		return -EBADMSG;
	}
	return 0;
}

int ikev1_send_to(const struct ike_dgram *d, const uint8_t *data, size_t len)
{
	ikev1_count(IKEV1_C_isakmp_tx, 1);
	return ikev1_tx(&d->dst, &d->src, d->dport, d->sport, data, len);
}
