/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the IKEv2 message and payload parser
 * (controlplane/ike/ike_msg.c), the SA payload selection behind it
 * (ike_sa_payload.c) and the payloads of a decrypted SK/SKF payload.
 *
 * Input: octet 0 picks the mode, the rest is the data.
 *   mode & 3 == 0, 1: the data is one datagram (IKE header onwards):
 *       ike_msg_parse, then what the receive path does next (SK split for
 *       each suite, proposal selection on the SA payload, notify lookup).
 *   mode & 3 == 2: the data is an inner payload chain, octet 1 its first
 *       payload type.  The harness builds IKE_AUTH | SK(data), seals it
 *       with a fixed test key (ike_sk_encrypt, suite from mode bits 2-3),
 *       and the receive path opens it: ike_msg_parse, ike_sk_decrypt,
 *       ike_msg_parse_inner.  Coverage gets past the ICV.
 *   mode & 3 == 3: the same in an SKF payload (RFC 7383), fragment 1 of 1.
 * Every datagram sits in an exact-size malloc buffer: ASan sees one
 * octet of over-read.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/gw_ike.h"
#include "common/gw_ike_proposal.h"
#include "common/gw_ike_xform.h"
#include "controlplane/ike/ike_msg.h"
#include "controlplane/ike/ike_proposal.h"
#include "controlplane/ike/ike_sk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

enum { NOURS = 3 };

static struct ike_msg msg;		/* 20 KB: not on the stack */
static struct gw_ike_proposal ours_ike[NOURS], ours_esp[NOURS];
static unsigned n_ike, n_esp;

static const struct { uint16_t encr; uint8_t ekey; uint16_t integ; } suites[] = {
	{ IKE_ENCR_AES_GCM_16, 20, IKE_INTEG_NONE },
	{ IKE_ENCR_AES_GCM_16, 36, IKE_INTEG_NONE },
	{ IKE_ENCR_AES_CBC, 16, IKE_INTEG_HMAC_SHA2_256_128 },
	{ IKE_ENCR_AES_CBC, 32, IKE_INTEG_HMAC_SHA2_512_256 },
};

static void key_make(struct ike_sk_key *k, unsigned s)
{
	memset(k, 0, sizeof(*k));
	k->encr = suites[s].encr;
	k->integ = suites[s].integ;
	k->ekey_len = suites[s].ekey;
	k->akey_len = (uint8_t)ike_integ_key_len(suites[s].integ);
	for (unsigned i = 0; i < sizeof(k->ekey); i++)
		k->ekey[i] = (uint8_t)(0x40 + i);
	for (unsigned i = 0; i < sizeof(k->akey); i++)
		k->akey[i] = (uint8_t)(0x80 + i);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const ike[NOURS] = {
		"aes256gcm16-prfsha256-ecp256", "aes128-sha256-modp2048",
		"aes256-sha512-prfsha512-curve25519",
	};
	static const char *const esp[NOURS] = {
		"aes256gcm16-esn-noesn", "aes128-sha256", "aes256-sha384-modp3072",
	};
	char why[IKE_PROP_WHY_MAX];

	(void)argc;
	(void)argv;
	for (unsigned i = 0; i < NOURS; i++) {
		if (gw_ike_proposal_parse(ike[i], IKE_SA_PROTO_IKE, &ours_ike[n_ike], why,
					  sizeof(why)) == 0)
			n_ike++;
		if (gw_ike_proposal_parse(esp[i], IKE_SA_PROTO_ESP, &ours_esp[n_esp], why,
					  sizeof(why)) == 0)
			n_esp++;
	}
	if (n_ike == 0 || n_esp == 0)
		abort();		/* the harness itself is wrong */
	return 0;
}

/* What the exchanges do with a parsed message's payloads. */
static void use_payloads(void)
{
	struct ike_sa_choice ch;

	(void)ike_msg_err_notify(IKE_MSG_OK, false);
	(void)ike_msg_notify_find(&msg, IKE_N_NAT_DETECTION_SOURCE_IP);
	if (msg.n_sa != 1)
		return;
	(void)ike_sa_validate(msg.sa.body.p, msg.sa.body.len);
	if (ike_sa_select(msg.sa.body.p, msg.sa.body.len, IKE_SA_PROTO_IKE, 0, ours_ike, n_ike,
			  0, &ch) == 0)
		(void)ike_proposal_ike_suite(&ch.prop, &(struct ike_suite){ 0 }, &(uint16_t){ 0 });
	if (ike_sa_select(msg.sa.body.p, msg.sa.body.len, IKE_SA_PROTO_ESP, 4, ours_esp, n_esp,
			  IKE_SA_SKIP_DH, &ch) == 0) {
		(void)ike_proposal_esp_alg(&ch.prop);
		(void)ike_proposal_esn(&ch.prop);
	}
	(void)ike_sa_check_reply(msg.sa.body.p, msg.sa.body.len, IKE_SA_PROTO_IKE, 0, ours_ike,
				 n_ike, 0, &ch);
	(void)ike_sa_check_reply(msg.sa.body.p, msg.sa.body.len, IKE_SA_PROTO_ESP, 4, ours_esp,
				 n_esp, 0, &ch);
}

static void plain_datagram(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	enum ike_msg_err err;

	if (buf == NULL)
		return;
	memcpy(buf, data, size);
	err = ike_msg_parse(buf, size, &msg);
	(void)ike_msg_err_str(err);
	(void)ike_msg_err_notify(err, false);
	if (err == IKE_MSG_OK) {
		use_payloads();
		if (msg.n_sk == 1) {
			struct ike_sk_parts parts;

			(void)ike_msg_sk_split(&msg, 8, 16, 1, &parts);
			(void)ike_msg_sk_split(&msg, 16, 16, 16, &parts);
			if (ike_msg_sk_split(&msg, 16, 32, 16, &parts) == IKE_MSG_OK) {
				size_t inner;

				(void)ike_msg_sk_unpad(parts.ct, parts.ct_len, &inner);
			}
		}
	}
	free(buf);
}

/* Header | SK or SKF header | IV | plain | pad | ICV, sealed, then opened
 * and parsed as the receive path does. */
static void sealed(const uint8_t *data, size_t size, bool skf, unsigned suite)
{
	size_t hdr = skf ? IKE_SKF_HDR_LEN : IKE_SK_HDR_LEN, sk_off = IKE_HDR_LEN;
	size_t iv_len, pl_len, len, plain_off, plain_len;
	struct ike_sk_key k;
	uint8_t first, *buf;
	uint32_t v32;
	uint16_t v16;
	int rc;

	if (size < 1)
		return;
	first = data[0];
	data++;
	size--;
	key_make(&k, suite);
	iv_len = ike_sk_iv_len(&k);
	pl_len = ike_sk_payload_len(&k, hdr, size);
	len = sk_off + pl_len;
	if (pl_len == 0 || len > 65535)
		return;
	buf = calloc(1, len);
	if (buf == NULL)
		return;
	memset(buf, 0x11, 8);				/* SPIi */
	memset(buf + 8, 0x22, 8);			/* SPIr */
	buf[16] = skf ? IKE_PL_SKF : IKE_PL_SK;
	buf[17] = IKE_VERSION;
	buf[18] = IKE_EXCH_IKE_AUTH;
	buf[19] = IKE_HDR_F_I;
	v32 = htonl(1);
	memcpy(buf + 20, &v32, 4);
	v32 = htonl((uint32_t)len);
	memcpy(buf + 24, &v32, 4);
	buf[sk_off] = first;
	v16 = htons((uint16_t)pl_len);
	memcpy(buf + sk_off + 2, &v16, 2);
	if (skf) {
		v16 = htons(1);
		memcpy(buf + sk_off + 4, &v16, 2);	/* fragment 1 */
		memcpy(buf + sk_off + 6, &v16, 2);	/* of 1 */
	}
	memcpy(buf + sk_off + hdr + iv_len, data, size);
	rc = ike_sk_encrypt(&k, buf, len, sk_off, hdr, size);
	if (rc != 0)
		abort();			/* the harness's layout is wrong */

	/* The receive path. */
	if (ike_msg_parse(buf, len, &msg) != IKE_MSG_OK || msg.n_sk != 1)
		abort();			/* a well-formed SK payload must parse */
	rc = ike_sk_decrypt(&k, buf, len, sk_off, hdr, &plain_off, &plain_len);
	if (rc != 0)
		abort();			/* it was sealed with this key */
	if (ike_msg_parse_inner(&msg, msg.sk.inner_next, buf + plain_off, plain_len) ==
	    IKE_MSG_OK)
		use_payloads();
	ike_sk_key_wipe(&k);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t mode;

	if (size < 1)
		return 0;
	mode = data[0];
	data++;
	size--;
	switch (mode & 3) {
	case 0:
	case 1:
		plain_datagram(data, size);
		break;
	default:
		sealed(data, size, (mode & 3) == 3, (mode >> 2) % (sizeof(suites) / sizeof(suites[0])));
		break;
	}
	return 0;
}
