/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the IKEv1 (ISAKMP) message parser
 * (controlplane/ikev1/ikev1_msg.c) and what the engine does next with a
 * parsed message: proposal selection (ikev1_prop.c), payload lookups, the
 * hash ranges of Quick Mode / informational HASH(1).
 *
 * Input: octet 0 picks the mode, the rest is the data.
 *   mode % 3 == 0: the data is one datagram: ikev1_msg_parse.
 *   mode % 3 == 1: the data is a datagram whose body was decrypted in
 *       place: ikev1_msg_parse_plain (trailing padding allowed).
 *   mode % 3 == 2: the data is a plaintext body; the harness prefixes a
 *       Main Mode header with the E flag, zero-pads the body to 16 octets
 *       (strongSwan's way), encrypts it with a fixed AES-256-CBC key and
 *       IV, and the receive path runs: ikev1_msg_parse (stops at the E
 *       flag), ikev1_msg_decrypt in place, ikev1_msg_parse_plain.
 * Every datagram sits in an exact-size malloc buffer.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/gw_ike_proposal.h"
#include "controlplane/ikev1/ikev1_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

enum { NX = 64, BODY_MAX = 65535 - IKEV1_HDR_LEN - 16 };

static struct ikev1_msg msg;		/* large: not on the stack */
static struct ikev1_xform p1[NX], p2[NX];
static int n_p1, n_p2;
static const uint8_t key[32] = { 0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87,
				 0x98, 0xa9, 0xba, 0xcb, 0xdc, 0xed, 0xfe, 0x0f,
				 0x01, 0x12, 0x23, 0x34, 0x45, 0x56, 0x67, 0x78,
				 0x89, 0x9a, 0xab, 0xbc, 0xcd, 0xde, 0xef, 0xf0 };

static int props(const char *const *s, unsigned n, enum ike_sa_proto proto,
		 struct gw_ike_proposal *out)
{
	char why[IKE_PROP_WHY_MAX];

	for (unsigned i = 0; i < n; i++)
		if (gw_ike_proposal_parse(s[i], proto, &out[i], why, sizeof(why)) != 0)
			return -1;
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const ike[] = { "aes256-sha256-modp2048",
					   "aes128-aes256-sha384-sha512-ecp256-ecp384" };
	static const char *const esp[] = { "aes256gcm16-modp2048", "aes128-sha256-noesn",
					   "aes256-sha512" };
	static const uint16_t auth[] = { IKEV1_AUTH_ECDSA_256, IKEV1_AUTH_RSA_SIG,
					 IKEV1_AUTH_PSK };
	struct gw_ike_proposal pi[2], pe[3];

	(void)argc;
	(void)argv;
	if (props(ike, 2, IKE_SA_PROTO_IKE, pi) || props(esp, 3, IKE_SA_PROTO_ESP, pe))
		abort();
	n_p1 = ikev1_p1_from_proposals(pi, 2, auth, 3, 28800, p1, NX);
	n_p2 = ikev1_p2_from_proposals(pe, 3, IKEV1_ENCAP_TUNNEL, 3600, p2, NX);
	if (n_p1 <= 0 || n_p2 <= 0)
		abort();
	return 0;
}

/* What the engine does with a parsed message. */
static void use_payloads(void)
{
	unsigned prop, xf;

	for (unsigned i = 0; i < msg.n_pl; i++) {
		struct ike_view v = ikev1_msg_payload(&msg, (int)i);
		struct ike_view a = ikev1_msg_after(&msg, (int)i);

		(void)v;
		(void)a;
		(void)ikev1_pl_name(msg.pl[i].type);
	}
	(void)ikev1_msg_find(&msg, IKEV1_PL_HASH);
	(void)ikev1_msg_notify_find(&msg, IKEV1_N_R_U_THERE);
	for (unsigned i = 0; i < msg.n_n && i < IKEV1_MSG_MAX_N; i++)
		(void)ikev1_notify_name(msg.n[i].type);
	if (msg.n_sa != 1)
		return;
	if (ikev1_sa_select(&msg.sa, IKEV1_PROTO_ISAKMP, p1, (unsigned)n_p1, &prop, &xf) == 0) {
		(void)ikev1_hash_digest(msg.sa.xforms[xf].hash);
		(void)ikev1_hash_len(msg.sa.xforms[xf].hash);
	}
	if (ikev1_sa_select(&msg.sa, IKEV1_PROTO_ESP, p2, (unsigned)n_p2, &prop, &xf) == 0) {
		(void)ikev1_esp_alg(&msg.sa.xforms[xf]);
		(void)ikev1_encap_is_udp(msg.sa.xforms[xf].encap);
	}
	(void)ikev1_sa_check_reply(&msg.sa, IKEV1_PROTO_ISAKMP, p1, (unsigned)n_p1, &xf);
	(void)ikev1_sa_check_reply(&msg.sa, IKEV1_PROTO_ESP, p2, (unsigned)n_p2, &xf);
}

static void datagram(const uint8_t *data, size_t size, bool plain)
{
	uint8_t *buf = malloc(size ? size : 1);
	enum ikev1_msg_err err;

	if (buf == NULL)
		return;
	memcpy(buf, data, size);
	err = plain ? ikev1_msg_parse_plain(buf, size, &msg) : ikev1_msg_parse(buf, size, &msg);
	(void)ikev1_msg_err_str(err);
	(void)ikev1_msg_err_notify(err);
	if (err == IKEV1_MSG_OK && !msg.encrypted)
		use_payloads();
	free(buf);
}

static void sealed(const uint8_t *data, size_t size)
{
	struct ikev1_iv iv = { .len = 16 }, next;
	size_t body, len;
	uint8_t *buf;
	uint32_t v32;

	if (size < 1 || size > BODY_MAX)
		return;
	body = (size + 16) & ~(size_t)15;	/* 1..16 zero octets of padding */
	len = IKEV1_HDR_LEN + body;
	for (unsigned i = 0; i < 16; i++)
		iv.iv[i] = (uint8_t)(0xa0 + i);
	buf = calloc(1, len);
	if (buf == NULL)
		return;
	memset(buf, 0x31, 8);
	memset(buf + 8, 0x42, 8);
	buf[16] = data[0];			/* first payload type */
	buf[17] = IKEV1_VERSION;
	buf[18] = IKEV1_EXCH_MAIN;
	buf[19] = IKEV1_F_ENC;
	v32 = htonl((uint32_t)len);
	memcpy(buf + 24, &v32, 4);
	memcpy(buf + IKEV1_HDR_LEN, data + 1, size - 1);
	if (ikev1_msg_encrypt(key, sizeof(key), &iv, buf + IKEV1_HDR_LEN, body, &next))
		abort();
	/* The receive path. */
	if (ikev1_msg_parse(buf, len, &msg) != IKEV1_MSG_OK || !msg.encrypted)
		abort();
	if (ikev1_msg_decrypt(key, sizeof(key), &iv, buf + IKEV1_HDR_LEN, body, &next))
		abort();
	if (ikev1_msg_parse_plain(buf, len, &msg) == IKEV1_MSG_OK)
		use_payloads();
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		datagram(data + 1, size - 1, false);
		break;
	case 1:
		datagram(data + 1, size - 1, true);
		break;
	default:
		sealed(data + 1, size - 1);
		break;
	}
	return 0;
}
