/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry of the IKEv2 sessions (handlers run on the CP thread, see
 * controlplane/cp_tm.c; the commands are listed in ikev2_tm.h).  Field
 * names are an interface: tooling relies on them (issue 5).
 *
 * /ipsecgw/ikev2/session,ID, flat:
 *   id, status (UP-ACTIVE | UP-IDLE | DOWN-NEGOTIATING | DOWN), sa_status
 *   (READY | IN-NEG | DELETE), state (ike_sa_state_name), status_desc, role,
 *   local, remote, local_port, remote_port, ike_version, peer, tunnel,
 *   peer_id, local_id, cert_issuer, cert_serial (hex), trustpoint,
 *   disconnect_revoked_peer (0/1: the feature would delete this session;
 *   ike_rev_covers), revocation_check (crl | none: its trustpoint's), encr, encr_keysize, integ, prf,
 *   dh_group, auth_sign, auth_verify (the key kind behind our AUTH and the
 *   peer's: RSA | ECDSA | PSK | none), lifetime, remaining, active (s),
 *   local_spi, remote_spi
 *   (16 hex digits), msgid_next_send, msgid_next_recv, msgid_req_out,
 *   msgid_req_in (requests in progress, 0 = none), window, dpd_interval,
 *   nat_local, nat_remote, encap, ike_count, child_count,
 *   and per CHILD SA (parallel arrays, element i for child i):
 *   child_spi_in, child_spi_out ("0x%08x"), child_local_ts, child_remote_ts
 *   (prefixes joined by ","), child_packets_in, child_packets_out,
 *   child_bytes_in, child_bytes_out (from the fast path's counters),
 *   child_encr, child_keysize, child_esp_hmac, child_mode ("tunnel"),
 *   child_esn, child_pfs_dh, child_installed.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/x509.h>
#include <rte_common.h>

#include "common/gw_addr.h"
#include "common/gw_esp.h"
#include "common/gw_ike.h"
#include "common/gw_ike_xform.h"
#include "controlplane/cp_tm.h"
#include "controlplane/ike/ike_rev.h"
#include "controlplane/ike/ike_sa.h"
#include "controlplane/ikev2/ikev2.h"
#include "controlplane/ikev2/ikev2_int.h"
#include "controlplane/ikev2/ikev2_msg.h"
#include "controlplane/ikev2/ikev2_rekey.h"
#include "controlplane/ikev2/ikev2_tm.h"
#include "dataplane/dp_sa.h"

enum {
	IKEV2_TM_ID_STR = 256,		/* an identity as text (cut visibly) */
	IKEV2_TM_TS_STR = TM_MAX_STR + 2,	/* prefixes joined; tm_add cuts at 127 */
	IKEV2_TM_SPI_STR = 17,		/* 16 hex digits */
};

/* ---- names, as `show crypto ikev2` prints them ---- */

/* The session's status, Cisco's words. */
static const char *ikev2_tm_status(const struct ike_sa *sa)
{
	switch (sa->state) {
	case IKE_SA_ESTABLISHED:
	case IKE_SA_REKEYING:
		for (unsigned i = 0; i < IKE_CHILD_MAX; i++)
			if (sa->child[i].used && sa->child[i].installed)
				return "UP-ACTIVE";
		return "UP-IDLE";
	case IKE_SA_DELETING:
	case IKE_SA_DEAD:
		return "DOWN";
	default:
		return "DOWN-NEGOTIATING";
	}
}

/* The IKE SA's status column, and its "Status Description". */
static const char *ikev2_tm_sa_status(enum ike_sa_state st, bool desc)
{
	if (st == IKE_SA_ESTABLISHED || st == IKE_SA_REKEYING)
		return desc ? "Negotiation done" : "READY";
	if (st == IKE_SA_DELETING || st == IKE_SA_DEAD)
		return desc ? "Deleting" : "DELETE";
	return desc ? "Negotiation in progress" : "IN-NEG";
}

static const char *ikev2_tm_encr(uint16_t encr)
{
	switch (encr) {
	case IKE_ENCR_AES_CBC:
		return "AES-CBC";
	case IKE_ENCR_AES_GCM_16:
		return "AES-GCM";
	default:
		return "none";
	}
}

/* An integrity or prf transform's hash, as Cisco names it. */
static const char *ikev2_tm_hash(uint16_t integ)
{
	switch (integ) {
	case IKE_INTEG_HMAC_SHA1_96:
		return "SHA96";
	case IKE_INTEG_HMAC_SHA2_256_128:
		return "SHA256";
	case IKE_INTEG_HMAC_SHA2_384_192:
		return "SHA384";
	case IKE_INTEG_HMAC_SHA2_512_256:
		return "SHA512";
	default:
		return "None";
	}
}

static const char *ikev2_tm_prf(uint16_t prf)
{
	switch (prf) {
	case IKE_PRF_HMAC_SHA2_256:
		return "SHA256";
	case IKE_PRF_HMAC_SHA2_384:
		return "SHA384";
	case IKE_PRF_HMAC_SHA2_512:
		return "SHA512";
	default:
		return "None";
	}
}

/* An ESP algorithm split as a CHILD SA line shows it. */
static const struct {
	const char *cipher;		/* "GCM", "CBC", "NULL" */
	unsigned key;			/* bytes, GCM salt excluded */
	const char *integ;		/* "GMAC", "SHA1", "SHA256"... */
} ikev2_tm_esp[ESP_ALG_COUNT] = {
#define X(id, name, c, kl, a, icv) [ESP_ALG_##id] = { #c, kl, #a },
	ESP_ALG_LIST(X)
#undef X
};

static const char *ikev2_tm_esp_encr(uint8_t alg)
{
	if (alg >= ESP_ALG_COUNT)
		return "?";
	if (strcmp(ikev2_tm_esp[alg].cipher, "GCM") == 0)
		return "AES-GCM";
	return strcmp(ikev2_tm_esp[alg].cipher, "CBC") == 0 ? "AES-CBC" : "NULL";
}

static const char *ikev2_tm_esp_hmac(uint8_t alg)
{
	if (alg >= ESP_ALG_COUNT)
		return "?";
	if (strcmp(ikev2_tm_esp[alg].integ, "GMAC") == 0)
		return "None";		/* AEAD: no separate HMAC */
	if (strcmp(ikev2_tm_esp[alg].integ, "SHA1") == 0)
		return "SHA96";
	return ikev2_tm_esp[alg].integ;
}

/* ---- formatting ---- */

static const char *ikev2_tm_addr(const struct gw_addr *a, char *buf, size_t len)
{
	return a->family != 0 ? gw_addr_fmt(a, buf, len) : "";
}

static const char *ikev2_tm_spi64(const uint8_t spi[8], char *buf, size_t len)
{
	snprintf(buf, len, "%02X%02X%02X%02X%02X%02X%02X%02X",
		 spi[0], spi[1], spi[2], spi[3], spi[4], spi[5], spi[6], spi[7]);
	return buf;
}

static const char *ikev2_tm_hex(const uint8_t *b, size_t n, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && o + 3 <= len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%02X", b[i]);
	return buf;
}

/* A DER Name as "CN=x, O=y" (pki's issuer form); false if unparsable. */
static bool ikev2_tm_dn(const uint8_t *der, size_t n, char *buf, size_t len)
{
	unsigned long flags = (XN_FLAG_ONELINE & ~(XN_FLAG_SPC_EQ | ASN1_STRFLGS_ESC_MSB)) |
			      ASN1_STRFLGS_UTF8_CONVERT;
	const unsigned char *p = der;
	X509_NAME *name = d2i_X509_NAME(NULL, &p, (long)n);
	BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	long got;
	bool ok = false;

	if (name == NULL || bio == NULL || X509_NAME_print_ex(bio, name, 0, flags) < 0)
		goto out;
	got = BIO_get_mem_data(bio, &data);
	snprintf(buf, len, "%.*s", got > 0 ? (int)got : 0, data);
	ok = true;
out:
	BIO_free(bio);
	X509_NAME_free(name);
	return ok;
}

/* An IKE ID payload's data (type, bytes) as text. */
static const char *ikev2_tm_id(uint8_t type, const uint8_t *b, size_t n, char *buf, size_t len)
{
	int af = type == IKE_ID_IPV4_ADDR ? AF_INET : type == IKE_ID_IPV6_ADDR ? AF_INET6 : 0;

	buf[0] = '\0';
	if (n == 0)
		return buf;
	if (af != 0 && n == (af == AF_INET ? 4u : 16u)) {
		inet_ntop(af, b, buf, (socklen_t)len);
	} else if (type == IKE_ID_FQDN || type == IKE_ID_RFC822_ADDR) {
		snprintf(buf, len, "%.*s", (int)n, (const char *)b);	/* tm_add_str sanitizes */
	} else if (type != IKE_ID_DER_ASN1_DN || !ikev2_tm_dn(b, n, buf, len)) {
		ikev2_tm_hex(b, n, buf, len);
	}
	return buf;
}

/* A child's selectors, "a/n,b/m". */
static const char *ikev2_tm_ts(const struct gw_prefix *ts, unsigned n, char *buf, size_t len)
{
	char p[GW_PREFIX_STRLEN];
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i > 0 ? "," : "",
				      gw_prefix_fmt(&ts[i], p, sizeof(p)));
	return buf;
}

static const struct cfg_peer *ikev2_tm_peer(const struct ike_sa *sa)
{
	return ike_sa_cfg_peer(ikev2_cfg(), sa);
}

static uint64_t ikev2_tm_lifetime(const struct ike_sa *sa)
{
	const struct cfg_peer *p = ikev2_tm_peer(sa);

	return p != NULL ? p->ike_lifetime : 0;
}

static uint64_t ikev2_tm_remaining(const struct ike_sa *sa, uint64_t now)
{
	return sa->expire_at_ms > now ? (sa->expire_at_ms - now) / 1000 : 0;
}

static uint64_t ikev2_tm_active(const struct ike_sa *sa, uint64_t now)
{
	return sa->established_ms != 0 && now > sa->established_ms ?
	       (now - sa->established_ms) / 1000 : 0;
}

/* ---- /ipsecgw/ikev2/sessions ---- */

/* Sessions of IKE version v in the table (IKEv1 and IKEv2 share it). */
static unsigned ikev2_tm_count(uint8_t v)
{
	unsigned n = 0;

	for (const struct ike_sa *sa = ike_sa_next(0); sa != NULL; sa = ike_sa_next(sa->id))
		n += sa->ike_version == v;
	return n;
}

/*
 * Up to max ids >= start of version-v sessions into ids; *next = the
 * first such id not taken, or 0.  Ids come from ike_sa_next(), ascending.
 */
static unsigned ikev2_tm_page(uint8_t v, uint64_t start, uint64_t *ids, unsigned max,
			      uint64_t *next)
{
	const struct ike_sa *sa = ike_sa_next(start > 0 ? start - 1 : 0);
	unsigned n = 0;

	for (; sa != NULL; sa = ike_sa_next(sa->id)) {
		if (sa->ike_version != v)
			continue;
		if (n == max)
			break;
		ids[n++] = sa->id;
	}
	*next = sa != NULL ? sa->id : 0;
	return n;
}

/* The list convention over the version-v sessions. */
static int ikev2_tm_list(uint8_t v, const char *params, struct tm_reply *r)
{
	uint64_t ids[TM_PAGE];
	uint64_t start, next;
	unsigned n;

	if (tm_parse_start(params, &start) != 0) {
		tm_error(r, "bad START '%.40s': expected an unsigned decimal", params);
		return -1;
	}
	n = ikev2_tm_page(v, start, ids, TM_PAGE, &next);
	tm_add_u64(r, "count", ikev2_tm_count(v));
	tm_add_u64(r, "next", next);
	tm_array_u64(r, "ids");
	for (unsigned i = 0; i < n; i++)
		tm_elem_u64(r, ids[i]);
	if (tm_reply_truncated(r)) {
		tm_error(r, "list page does not fit in one reply");
		return -1;
	}
	return 0;
}

int ikev2_tm_sessions(const char *params, struct tm_reply *r)
{
	return ikev2_tm_list(2, params, r);
}

/* ---- /ipsecgw/ikev2/session,ID ---- */

static void ikev2_tm_session_head(struct tm_reply *r, const struct ike_sa *sa)
{
	const struct cfg_peer *p = ikev2_tm_peer(sa);
	char buf[IKEV2_TM_ID_STR];

	tm_add_u64(r, "id", sa->id);
	tm_add_str(r, "status", ikev2_tm_status(sa));
	tm_add_str(r, "sa_status", ikev2_tm_sa_status(sa->state, false));
	tm_add_str(r, "state", ike_sa_state_name(sa->state));
	tm_add_str(r, "status_desc", ikev2_tm_sa_status(sa->state, true));
	tm_add_str(r, "role", sa->role == IKE_INITIATOR ? "initiator" : "responder");
	tm_add_str(r, "local", ikev2_tm_addr(&sa->local, buf, sizeof(buf)));
	tm_add_str(r, "remote", ikev2_tm_addr(&sa->remote, buf, sizeof(buf)));
	tm_add_u64(r, "local_port", sa->local_port);
	tm_add_u64(r, "remote_port", sa->remote_port);
	tm_add_u64(r, "ike_version", sa->ike_version);
	tm_add_str(r, "peer", p != NULL ? p->name : "");
	tm_add_u64(r, "tunnel", sa->tunnel);
	tm_add_str(r, "peer_id", ikev2_tm_id(sa->remote_id_type, sa->remote_id, sa->remote_id_len,
					     buf, sizeof(buf)));
	tm_add_str(r, "local_id", ikev2_tm_id(sa->local_id_type, sa->local_id, sa->local_id_len,
					      buf, sizeof(buf)));
}

static void ikev2_tm_session_cert(struct tm_reply *r, const struct ike_sa *sa)
{
	const struct cfg_trustpoint *tp = ike_sa_cfg_trustpoint(ikev2_cfg(), sa);
	char buf[2 * PKI_SERIAL_MAX + 1];
	bool no_check;

	tm_add_str(r, "cert_issuer", sa->peer_cert.issuer_str);
	tm_add_str(r, "cert_serial", ikev2_tm_hex(sa->peer_cert.serial.b, sa->peer_cert.serial.len,
						  buf, sizeof(buf)));
	tm_add_str(r, "trustpoint", tp != NULL ? tp->name : "");
	tm_add_u64(r, "disconnect_revoked_peer", ike_rev_covers(sa, &no_check));
	tm_add_str(r, "revocation_check", no_check ? "none" : "crl");
}

static void ikev2_tm_session_ike(struct tm_reply *r, const struct ike_sa *sa)
{
	const struct gw_cfg *cfg = ikev2_cfg();
	uint64_t now = ikev2_now_ms();
	char buf[IKEV2_TM_SPI_STR];
	bool init = sa->role == IKE_INITIATOR;

	tm_add_str(r, "encr", ikev2_tm_encr(sa->suite.encr));
	tm_add_u64(r, "encr_keysize", sa->suite.encr_bits);
	tm_add_str(r, "integ", ikev2_tm_hash(sa->suite.integ));
	tm_add_str(r, "prf", ikev2_tm_prf(sa->suite.prf));
	tm_add_u64(r, "dh_group", sa->dh_group);
	tm_add_str(r, "auth_sign", ikev2_auth_kind_name(sa->local_auth_kind));
	tm_add_str(r, "auth_verify", ikev2_auth_kind_name(sa->remote_auth_kind));
	tm_add_u64(r, "lifetime", ikev2_tm_lifetime(sa));
	tm_add_u64(r, "remaining", ikev2_tm_remaining(sa, now));
	tm_add_u64(r, "active", ikev2_tm_active(sa, now));
	tm_add_str(r, "local_spi", ikev2_tm_spi64(init ? sa->spi_i : sa->spi_r, buf, sizeof(buf)));
	tm_add_str(r, "remote_spi", ikev2_tm_spi64(init ? sa->spi_r : sa->spi_i, buf, sizeof(buf)));
	tm_add_u64(r, "msgid_next_send", sa->mid.next_send);
	tm_add_u64(r, "msgid_next_recv", sa->mid.next_recv);
	/* Requests in progress (IOS's "req mess id"): ours awaiting its
	 * response; the peer's while we have not answered it, which with
	 * window 1 only happens to its IKE_AUTH (ID 1) during the PKI check. */
	tm_add_u64(r, "msgid_req_out", sa->mid.req != NULL && sa->mid.next_send > 0 ?
		   sa->mid.next_send - 1 : 0);
	tm_add_u64(r, "msgid_req_in", sa->state == IKE_SA_AUTH_VERIFY && sa->role == IKE_RESPONDER);
	tm_add_u64(r, "window", 1);
	tm_add_u64(r, "dpd_interval", cfg != NULL ? cfg->crypto.ikev2.dpd_interval : 0);
	tm_add_u64(r, "nat_local", sa->nat_local);
	tm_add_u64(r, "nat_remote", sa->nat_remote);
	tm_add_u64(r, "encap", sa->encap);
	tm_add_u64(r, "ike_count", 1);
	tm_add_u64(r, "child_count", ike_sa_child_count(sa));
}

/* The fast path's view of a child's pair (zeros when not installed). */
static void ikev2_tm_child_info(const struct ike_child *c, struct dp_sa_info *in,
				struct dp_sa_info *out)
{
	memset(in, 0, sizeof(*in));
	memset(out, 0, sizeof(*out));
	if (!c->installed)
		return;
	if (c->h_in == DP_SA_INVALID || dp_sa_info(c->h_in, in) != 0)
		memset(in, 0, sizeof(*in));
	if (c->h_out == DP_SA_INVALID || dp_sa_info(c->h_out, out) != 0)
		memset(out, 0, sizeof(*out));
}

/*
 * The tunnel's totals over its current CHILD SAs (a rekeyed-away child's
 * counts leave with it): packets, bytes, drops in and out, and each drop
 * reason the fast path counted on them (drop_*, in + out, nonzero only).
 */
static void ikev2_tm_session_totals(struct tm_reply *r, const struct dp_sa_info *in,
				    const struct dp_sa_info *out, unsigned n)
{
	static const char *const names[DP_DROP_MAX] = {
#define X(nm, d) #nm,
		DP_DROPS(X)
#undef X
	};
	uint64_t t[6] = { 0 }, by[DP_DROP_MAX] = { 0 };

	for (unsigned i = 0; i < n; i++) {
		t[0] += in[i].pkts;
		t[1] += out[i].pkts;
		t[2] += in[i].bytes;
		t[3] += out[i].bytes;
		for (unsigned d = 0; d < DP_DROP_MAX; d++) {
			t[4] += in[i].drops[d];
			t[5] += out[i].drops[d];
			by[d] += in[i].drops[d] + out[i].drops[d];
		}
	}
	tm_add_u64(r, "packets_in", t[0]);
	tm_add_u64(r, "packets_out", t[1]);
	tm_add_u64(r, "bytes_in", t[2]);
	tm_add_u64(r, "bytes_out", t[3]);
	tm_add_u64(r, "drops_in", t[4]);
	tm_add_u64(r, "drops_out", t[5]);
	for (unsigned d = 0; d < DP_DROP_MAX; d++)
		if (by[d] != 0)
			tm_add_u64(r, names[d], by[d]);
}

static void ikev2_tm_session_children(struct tm_reply *r, const struct ike_sa *sa)
{
	struct dp_sa_info in[IKE_CHILD_MAX], out[IKE_CHILD_MAX];
	const struct ike_child *c[IKE_CHILD_MAX];
	char buf[IKEV2_TM_TS_STR];
	unsigned n = 0, i;

	for (i = 0; i < IKE_CHILD_MAX; i++)
		if (sa->child[i].used) {
			c[n] = &sa->child[i];
			ikev2_tm_child_info(c[n], &in[n], &out[n]);
			n++;
		}
	tm_array_str(r, "child_spi_in");
	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "0x%08" PRIx32, c[i]->spi_in);
		tm_elem_str(r, buf);
	}
	tm_array_str(r, "child_spi_out");
	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "0x%08" PRIx32, c[i]->spi_out);
		tm_elem_str(r, buf);
	}
	tm_array_str(r, "child_local_ts");
	for (i = 0; i < n; i++)
		tm_elem_str(r, ikev2_tm_ts(c[i]->local_ts, c[i]->n_local_ts, buf, sizeof(buf)));
	tm_array_str(r, "child_remote_ts");
	for (i = 0; i < n; i++)
		tm_elem_str(r, ikev2_tm_ts(c[i]->remote_ts, c[i]->n_remote_ts, buf, sizeof(buf)));
	tm_array_u64(r, "child_packets_in");
	for (i = 0; i < n; i++)
		tm_elem_u64(r, in[i].pkts);
	tm_array_u64(r, "child_packets_out");
	for (i = 0; i < n; i++)
		tm_elem_u64(r, out[i].pkts);
	tm_array_u64(r, "child_bytes_in");
	for (i = 0; i < n; i++)
		tm_elem_u64(r, in[i].bytes);
	tm_array_u64(r, "child_bytes_out");
	for (i = 0; i < n; i++)
		tm_elem_u64(r, out[i].bytes);
	tm_array_str(r, "child_encr");
	for (i = 0; i < n; i++)
		tm_elem_str(r, ikev2_tm_esp_encr(c[i]->esp_alg));
	tm_array_u64(r, "child_keysize");
	for (i = 0; i < n; i++)
		tm_elem_u64(r, c[i]->esp_alg < ESP_ALG_COUNT ? ikev2_tm_esp[c[i]->esp_alg].key * 8 : 0);
	tm_array_str(r, "child_esp_hmac");
	for (i = 0; i < n; i++)
		tm_elem_str(r, ikev2_tm_esp_hmac(c[i]->esp_alg));
	tm_array_str(r, "child_mode");
	for (i = 0; i < n; i++)
		tm_elem_str(r, "tunnel");	/* the only mode we negotiate */
	tm_array_u64(r, "child_esn");
	for (i = 0; i < n; i++)
		tm_elem_u64(r, c[i]->esn);
	tm_array_u64(r, "child_pfs_dh");
	for (i = 0; i < n; i++)
		tm_elem_u64(r, c[i]->dh);
	tm_array_u64(r, "child_installed");
	for (i = 0; i < n; i++)
		tm_elem_u64(r, c[i]->installed);
	ikev2_tm_session_totals(r, in, out, n);
}

/* The session dict of /ipsecgw/ikev2/session and /ipsecgw/isakmp/peer. */
static int ikev2_tm_session_of(uint8_t v, const char *what, const char *params,
			       struct tm_reply *r)
{
	const struct ike_sa *sa;
	uint64_t id;

	if (tm_parse_id(params, &id) != 0) {
		tm_error(r, "usage: /ipsecgw/%s,ID (ID an unsigned decimal, got '%.40s')", what,
			 params != NULL ? params : "");
		return -1;
	}
	sa = ike_sa_find_id(id);
	if (sa == NULL || sa->ike_version != v) {
		tm_error(r, "no %s session with ID %" PRIu64, v == 1 ? "IKEv1" : "IKEv2", id);
		return -1;
	}
	ikev2_tm_session_head(r, sa);
	ikev2_tm_session_cert(r, sa);
	ikev2_tm_session_ike(r, sa);
	ikev2_tm_session_children(r, sa);
	return 0;
}

int ikev2_tm_session(const char *params, struct tm_reply *r)
{
	return ikev2_tm_session_of(2, "ikev2/session", params, r);
}

/* ---- /ipsecgw/isakmp/peers and /ipsecgw/isakmp/peer,ID ---- */

/* The IKEv1 sessions of the table, with the IKEv2 sessions' fields. */
int ikev2_tm_isakmp_peers(const char *params, struct tm_reply *r)
{
	return ikev2_tm_list(1, params, r);
}

int ikev2_tm_isakmp_peer(const char *params, struct tm_reply *r)
{
	return ikev2_tm_session_of(1, "isakmp/peer", params, r);
}

/* ---- /ipsecgw/ikev2/sas ---- */

static void ikev2_tm_sas_columns(struct tm_reply *r, const struct ike_sa *const *s, unsigned n)
{
	uint64_t now = ikev2_now_ms();
	char buf[GW_ADDR_STRLEN];
	unsigned i;

	tm_array_u64(r, "tunnel");
	for (i = 0; i < n; i++)
		tm_elem_u64(r, s[i]->tunnel);
	tm_array_str(r, "local");
	for (i = 0; i < n; i++)
		tm_elem_str(r, ikev2_tm_addr(&s[i]->local, buf, sizeof(buf)));
	tm_array_u64(r, "local_port");
	for (i = 0; i < n; i++)
		tm_elem_u64(r, s[i]->local_port);
	tm_array_str(r, "remote");
	for (i = 0; i < n; i++)
		tm_elem_str(r, ikev2_tm_addr(&s[i]->remote, buf, sizeof(buf)));
	tm_array_u64(r, "remote_port");
	for (i = 0; i < n; i++)
		tm_elem_u64(r, s[i]->remote_port);
	tm_array_str(r, "sa_status");
	for (i = 0; i < n; i++)
		tm_elem_str(r, ikev2_tm_sa_status(s[i]->state, false));
	tm_array_str(r, "encr");
	for (i = 0; i < n; i++)
		tm_elem_str(r, ikev2_tm_encr(s[i]->suite.encr));
	tm_array_u64(r, "encr_keysize");
	for (i = 0; i < n; i++)
		tm_elem_u64(r, s[i]->suite.encr_bits);
	tm_array_str(r, "prf");
	for (i = 0; i < n; i++)
		tm_elem_str(r, ikev2_tm_prf(s[i]->suite.prf));
	tm_array_str(r, "integ");
	for (i = 0; i < n; i++)
		tm_elem_str(r, ikev2_tm_hash(s[i]->suite.integ));
	tm_array_u64(r, "dh_group");
	for (i = 0; i < n; i++)
		tm_elem_u64(r, s[i]->dh_group);
	tm_array_u64(r, "lifetime");
	for (i = 0; i < n; i++)
		tm_elem_u64(r, ikev2_tm_lifetime(s[i]));
	tm_array_u64(r, "active");
	for (i = 0; i < n; i++)
		tm_elem_u64(r, ikev2_tm_active(s[i], now));
	tm_array_str(r, "auth_sign");
	for (i = 0; i < n; i++)
		tm_elem_str(r, ikev2_auth_kind_name(s[i]->local_auth_kind));
	tm_array_str(r, "auth_verify");
	for (i = 0; i < n; i++)
		tm_elem_str(r, ikev2_auth_kind_name(s[i]->remote_auth_kind));
}

int ikev2_tm_sas(const char *params, struct tm_reply *r)
{
	uint64_t ids[IKEV2_TM_SA_PAGE], start, next;
	const struct ike_sa *s[IKEV2_TM_SA_PAGE];
	unsigned n;

	if (tm_parse_start(params, &start) != 0) {
		tm_error(r, "bad START '%.40s': expected an unsigned decimal", params);
		return -1;
	}
	n = ikev2_tm_page(2, start, ids, IKEV2_TM_SA_PAGE, &next);
	for (unsigned i = 0; i < n; i++)
		s[i] = ike_sa_find_id(ids[i]);	/* the CP is the only writer */
	tm_add_u64(r, "count", ikev2_tm_count(2));
	tm_add_u64(r, "next", next);
	tm_array_u64(r, "ids");
	for (unsigned i = 0; i < n; i++)
		tm_elem_u64(r, ids[i]);
	ikev2_tm_sas_columns(r, s, n);
	if (tm_reply_truncated(r)) {
		tm_error(r, "IKE SA page does not fit in one reply");
		return -1;
	}
	return 0;
}

/* ---- /ipsecgw/ikev2/stats ---- */

void ikev2_tm_add_counters(struct tm_reply *r)
{
	for (int c = 0; c < IKEV2_C_MAX; c++)
		tm_add_u64(r, ikev2_counter_name(c), ikev2_counter(c));
}

int ikev2_tm_stats(const char *params, struct tm_reply *r)
{
	if (tm_no_params(r, "/ipsecgw/ikev2/stats (no parameters)", params) != 0)
		return -1;
	tm_add_u64(r, "sessions", ikev2_tm_count(2));
	tm_add_u64(r, "half_open", ike_sa_half_open());
	ikev2_tm_add_counters(r);
	return 0;
}

/* ---- /ipsecgw/clear/crypto_session[,remote=ADDR|id=N] ---- */

int ikev2_tm_clear(const char *params, struct tm_reply *r)
{
	static const char usage[] = "/ipsecgw/clear/crypto_session[,remote=ADDR|id=N]";
	const char *v;
	struct gw_addr a;
	uint64_t id;
	unsigned n;

	if (params == NULL || *params == '\0') {
		n = ikev2_clear_all();
	} else if (tm_parse_kv(params, "remote", &v) == 0) {
		if (tm_parse_addr(v, &a) != 0)
			return tm_usage(r, usage, params);
		n = ikev2_clear_remote(&a);
	} else if (tm_parse_kv(params, "id", &v) == 0) {
		if (tm_parse_id(v, &id) != 0)
			return tm_usage(r, usage, params);
		if (ike_sa_delete(id, "cleared by the operator") != 0) {
			tm_error(r, "no IKEv2 session with ID %" PRIu64, id);
			return -1;
		}
		n = 1;
	} else {
		return tm_usage(r, usage, params);
	}
	tm_add_u64(r, "cleared", n);
	return 0;
}

/* ---- /ipsecgw/ikev2/rekey,id=N | child=SPI ---- */

/* The child whose inbound SPI is spi, its IKE SA in *sa. */
static struct ike_child *ikev2_tm_child_by_spi(uint32_t spi, struct ike_sa **sa)
{
	for (struct ike_sa *x = ike_sa_next(0); x != NULL; x = ike_sa_next(x->id)) {
		struct ike_child *c = ike_sa_child_by_spi_in(x, spi);

		if (c != NULL) {
			*sa = x;
			return c;
		}
	}
	return NULL;
}

/*
 * Start a rekey now (operator command, like strongSwan's swanctl --rekey;
 * the timers of ikev2_rekey.c do it at 90 % of the lifetime otherwise).
 * Only the initiation is synchronous: the exchange completes later
 * (ikev2_ike_rekeyed / ikev2_child_rekeyed count it).
 */
int ikev2_tm_rekey(const char *params, struct tm_reply *r)
{
	struct ike_child *c = NULL;
	struct ike_sa *sa = NULL;
	const char *v;
	uint64_t id = 0;
	uint32_t spi;
	int ret;

	if (tm_parse_kv(params, "id", &v) == 0 && tm_parse_id(v, &id) == 0) {
		sa = ike_sa_find_id(id);
		if (sa == NULL) {
			tm_error(r, "no IKEv2 session with ID %" PRIu64, id);
			return -1;
		}
	} else if (tm_parse_kv(params, "child", &v) == 0 && tm_parse_spi(v, &spi) == 0) {
		c = ikev2_tm_child_by_spi(spi, &sa);
		if (c == NULL || !c->installed) {
			tm_error(r, "no installed CHILD SA with inbound SPI '%.40s'", v);
			return -1;
		}
	} else {
		return tm_usage(r, "/ipsecgw/ikev2/rekey,id=N|child=SPI (SPI 0xHEX or decimal)",
				params);
	}
	if (sa->state != IKE_SA_ESTABLISHED) {
		tm_error(r, "session %" PRIu64 " is %s, not established", sa->id,
			 ike_sa_state_name(sa->state));
		return -1;
	}
	if (ikev2_rekey_peer(sa) == NULL) {
		tm_error(r, "session %" PRIu64 ": its peer is not configured any more", sa->id);
		return -1;
	}
	ret = c != NULL ? ikev2_child_rekey_start(sa, c) : ikev2_ike_rekey_start(sa);
	if (ret != 0) {
		tm_error(r, "session %" PRIu64 ": rekey not started: %s", sa->id,
			 ret == -EBUSY ? "a rekey is under way" : strerror(-ret));
		return -1;
	}
	tm_add_u64(r, "session", sa->id);
	if (c != NULL)
		tm_add_u64(r, "child_spi_in", c->spi_in);
	tm_add_str(r, "started", c != NULL ? "CHILD SA rekey" : "IKE SA rekey");
	return 0;
}

int ikev2_tm_register(void)
{
	static const struct cp_tm_cmd cmds[] = {
		{ "ikev2/sessions", ikev2_tm_sessions,
		  "IKEv2 session ids: {count, next, ids[]}. Parameter: START", false },
		{ "ikev2/session", ikev2_tm_session,
		  "One IKEv2 session: endpoints, ids, certificate, suite, timers, CHILD SAs. Parameter: ID", false },
		{ "ikev2/sas", ikev2_tm_sas,
		  "IKEv2 SAs: {count, next, ids[]} and per-SA columns. Parameter: START", false },
		{ "ikev2/stats", ikev2_tm_stats, "IKEv2 counters and session table size. No parameters", false },
		{ "clear/crypto_session", ikev2_tm_clear,
		  "Delete IKEv2 sessions: all, or remote=ADDR, or id=N. Returns {cleared}", true },
		{ "isakmp/peers", ikev2_tm_isakmp_peers,
		  "IKEv1 session ids: {count, next, ids[]}. Parameter: START", false },
		{ "isakmp/peer", ikev2_tm_isakmp_peer,
		  "One IKEv1 session, with /ipsecgw/ikev2/session's fields. Parameter: ID", false },
		{ "ikev2/rekey", ikev2_tm_rekey,
		  "Rekey now: the IKE SA of session id=N, or the CHILD SA of inbound SPI child=SPI. Returns {session, started}", true },
	};

	return cp_tm_register_table(cmds, RTE_DIM(cmds));
}
