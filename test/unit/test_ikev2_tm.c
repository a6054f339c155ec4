/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The operator surface of IKEv2 sessions: the telemetry handlers of
 * controlplane/ikev2/ikev2_tm.c run directly (tm_run_to_json) on IKE SAs
 * made through the ike_sa.h table API and filled by hand, with a CHILD SA
 * pair really installed in a dp_init'd data plane; and ipsecgw-cli's
 * renderers (controlplane/cli/cli_ike.c) fed those very replies, their
 * text compared line by line with the layout of the seed's
 * `show crypto ikev2 session detail` example.
 *   - /ipsecgw/ikev2/sessions: empty, then ids ascending, paging from START;
 *   - /ipsecgw/ikev2/session,ID: the whole flat dict, exactly; unknown and
 *     malformed IDs refused;
 *   - /ipsecgw/ikev2/sas: columns; /ipsecgw/ikev2/stats and /ipsecgw/stats:
 *     every IKEV2_COUNTERS name;
 *   - /ipsecgw/clear/crypto_session by id, by remote, all; bad parameters.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <rte_common.h>

#include "cfg/cfg.h"
#include "common/gw_esp.h"
#include "common/gw_ike.h"
#include "common/gw_ike_xform.h"
#include "controlplane/cli/cli_ike.h"
#include "controlplane/cli/cli_isakmp.h"
#include "controlplane/cli/cli_json.h"
#include "controlplane/cp_sa.h"
#include "controlplane/cp_tm.h"
#include "controlplane/ike/ike_rev.h"
#include "controlplane/ike/ike_sa.h"
#include "controlplane/ikev2/ikev2.h"
#include "controlplane/ikev2/ikev2_int.h"
#include "controlplane/ikev2/ikev2_msg.h"
#include "controlplane/ikev2/ikev2_tm.h"
#include "dataplane/dp_sa.h"
#include "test/unit/test_dp.h"

enum {
	JSON_MAX = 32768,
	TEXT_MAX = 8192,
};

static struct gw_cfg cfg;
static struct cfg_peer peers[2];
static char J[JSON_MAX];

/* ---- set-up ---- */

static void peer(struct cfg_peer *p, const char *name, const char *remote)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->ike_version = 2;
	gw_addr_parse(remote, &p->remote);
	snprintf(p->trustpoint, sizeof(p->trustpoint), "lab-ca");
	snprintf(p->ike_proposals[p->n_ike_proposals++], CFG_PROPOSAL_MAX, "aes256-sha256-ecp256");
	snprintf(p->esp_proposals[p->n_esp_proposals++], CFG_PROPOSAL_MAX, "aes128-sha1");
	gw_prefix_parse("192.168.10.0/24", &p->local_ts[p->n_local_ts++]);
	gw_prefix_parse("172.16.1.0/24", &p->remote_ts[p->n_remote_ts++]);
	p->initiate = CFG_INITIATE_NONE;
	p->ike_lifetime = 86400;
	p->child_lifetime = 3600;
	p->line = 1;
}

static int suite_init(void)
{
	test_dp_cfg(&cfg, "net_null0", "net_null1");
	snprintf(cfg.path, sizeof(cfg.path), "test.conf");
	snprintf(cfg.pki.trustpoints[0].name, CFG_NAME_MAX, "lab-ca");
	cfg.pki.trustpoints[0].revocation_check = CFG_REVOCATION_CRL;
	cfg.pki.n_trustpoints = 1;
	cfg.crypto.ikev2.dpd_interval = 30;
	cfg.crypto.ikev2.disconnect_revoked_peers = true;
	cfg.crypto.ikev2.cookie_threshold = 512;
	cfg.crypto.ikev2.max_half_open = 8192;
	peer(&peers[0], "swan1", "10.0.0.2");
	peer(&peers[1], "swan2", "10.0.0.3");
	cfg.peers = peers;
	cfg.n_peers = 2;
	if (dp_init(&cfg) != 0 || cp_sa_init(&cfg) != 0)
		return -1;
	/* The IKE SA table, and ikev2_cfg() for peer names, lifetimes, DPD. */
	if (ike_rev_init(&cfg) != 0)
		return -1;
	return ikev2_init(&cfg) == 0 ? 0 : -1;
}

static int suite_fini(void)
{
	ikev2_fini();
	ike_rev_fini();
	cp_sa_fini();
	dp_fini();
	return 0;
}

/* ---- helpers ---- */

static const char *run(tm_handler_fn fn, const char *params)
{
	int n = tm_run_to_json(fn, params, J, sizeof(J));

	CU_ASSERT_FATAL(n > 0);
	return J;
}

static bool has(const char *s)
{
	if (strstr(J, s) != NULL)
		return true;
	fprintf(stderr, "\nexpected %s in %s\n", s, J);
	return false;
}

static bool same(const char *got, const char *want)
{
	if (strcmp(got, want) == 0)
		return true;
	fprintf(stderr, "\n--- got:\n%s\n--- want:\n%s\n", got, want);
	return false;
}

static bool contains(const char *text, const char *want)
{
	if (strstr(text, want) != NULL)
		return true;
	fprintf(stderr, "\n--- expected:\n%s\n--- in:\n%s\n", want, text);
	return false;
}

static const char *spi64(const uint8_t s[8], char *buf)
{
	snprintf(buf, 17, "%02X%02X%02X%02X%02X%02X%02X%02X", s[0], s[1], s[2], s[3], s[4], s[5],
		 s[6], s[7]);
	return buf;
}

/* DER of the Name "CN=swan1, O=lab" into der; its length. */
static int dn_der(uint8_t *der, size_t max)
{
	X509_NAME *n = X509_NAME_new();
	unsigned char *p = der;
	int len = -1;

	if (n != NULL &&
	    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"swan1", -1, -1, 0) &&
	    X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"lab", -1, -1, 0) &&
	    i2d_X509_NAME(n, NULL) <= (int)max)
		len = i2d_X509_NAME(n, &p);
	X509_NAME_free(n);
	return len;
}

static void esp_desc(struct gw_sa_desc *d, const struct ike_sa *sa, uint8_t dir, uint32_t spi)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "swan1-%u", dir);
	d->session_id = sa->id;
	d->tunnel = sa->tunnel;
	d->spi = spi;
	d->dir = dir;
	d->alg = ESP_ALG_AES128_SHA1;
	d->local = sa->local;
	d->remote = sa->remote;
	d->enc_key_len = (uint8_t)gw_esp_enc_key_len(ESP_ALG_AES128_SHA1);
	d->auth_key_len = (uint8_t)gw_esp_auth_key_len(ESP_ALG_AES128_SHA1);
	memset(d->enc_key, 0x11, d->enc_key_len);
	memset(d->auth_key, 0x22, d->auth_key_len);
	d->replay_window = 64;
	d->local_ts[d->n_local_ts++] = test_prefix("192.168.10.0/24");
	d->remote_ts[d->n_remote_ts++] = test_prefix("172.16.1.0/24");
	d->remote_ts[d->n_remote_ts++] = test_prefix("172.16.2.0/24");
}

/* The seed's times again, just before a request that shows them. */
static void retime(struct ike_sa *sa)
{
	uint64_t now = ikev2_now_ms();

	sa->established_ms = now - 248000;
	sa->expire_at_ms = now + 86157000 + 900;
}

/*
 * The seed's session, as far as we have its fields: responder SA to
 * 10.0.0.2, established 248 s ago, 86157 s left, AES-CBC-256 / SHA-256 /
 * ECP-256, one CHILD SA 0x9360A95/0x6C340600 in the fast path.
 */
static struct ike_sa *make_session(void)
{
	struct gw_sa_desc in, out;
	struct ike_child *c;
	struct ike_sa *sa = ike_sa_new(IKE_RESPONDER, 0);
	int n;

	CU_ASSERT_FATAL(sa != NULL);
	memcpy(sa->spi_i, "\x75\x0c\xbe\x82\x74\x34\xa2\x45", 8);
	sa->local = test_addr("10.0.0.1");
	sa->remote = test_addr("10.0.0.2");
	sa->local_port = sa->remote_port = 500;
	sa->tunnel = cp_sa_tunnel_alloc();
	CU_ASSERT_FATAL(sa->tunnel != DP_SA_INVALID);
	sa->suite = (struct ike_suite){ IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_256_128,
					IKE_PRF_HMAC_SHA2_256 };
	sa->dh_group = IKE_DH_ECP256;
	sa->local_id_type = IKE_ID_FQDN;
	memcpy(sa->local_id, "gw.lab", 6);
	sa->local_id_len = 6;
	n = dn_der(sa->remote_id, sizeof(sa->remote_id));
	CU_ASSERT_FATAL(n > 0);
	sa->remote_id_type = IKE_ID_DER_ASN1_DN;
	sa->remote_id_len = (uint16_t)n;
	snprintf(sa->peer_cert.issuer_str, sizeof(sa->peer_cert.issuer_str), "CN=Lab Root CA, O=lab");
	sa->peer_cert.serial.len = 3;
	memcpy(sa->peer_cert.serial.b, "\x01\xa3\xff", 3);
	sa->trustpoint = 0;
	ikev2_auth_record(sa, true, IKE_AUTH_RSA_SIG, NULL);
	ikev2_auth_record(sa, false, IKE_AUTH_ECDSA_SHA256_P256, NULL);
	sa->mid.next_send = 0;
	sa->mid.next_recv = 2;
	retime(sa);
	ike_sa_state(sa, IKE_SA_ESTABLISHED, "test");
	c = ike_sa_child_new(sa);
	CU_ASSERT_FATAL(c != NULL);
	c->spi_in = 0x9360a95;
	c->spi_out = 0x6c340600;
	c->esp_alg = ESP_ALG_AES128_SHA1;
	c->local_ts[c->n_local_ts++] = test_prefix("192.168.10.0/24");
	c->remote_ts[c->n_remote_ts++] = test_prefix("172.16.1.0/24");
	c->remote_ts[c->n_remote_ts++] = test_prefix("172.16.2.0/24");
	esp_desc(&in, sa, GW_SA_IN, c->spi_in);
	esp_desc(&out, sa, GW_SA_OUT, c->spi_out);
	CU_ASSERT_FATAL(dp_sa_install_pair(&in, &out, &c->h_in, &c->h_out) == 0);
	c->installed = true;
	return sa;
}

/* A half-open SA to remote (IKE_SA_INIT done, nothing else). */
static struct ike_sa *make_half_open(const char *remote, int peer_idx)
{
	struct ike_sa *sa = ike_sa_new(IKE_RESPONDER, peer_idx);

	CU_ASSERT_FATAL(sa != NULL);
	sa->local = test_addr("10.0.0.1");
	sa->remote = test_addr(remote);
	sa->local_port = 500;
	sa->remote_port = 500;
	return sa;
}

/* ---- telemetry ---- */

static uint64_t first_id;

static void test_sessions_empty(void)
{
	CU_ASSERT(same(run(ikev2_tm_sessions, NULL), "{\"count\":0,\"next\":0,\"ids\":[]}"));
	CU_ASSERT(same(run(ikev2_tm_sessions, "7"), "{\"count\":0,\"next\":0,\"ids\":[]}"));
	run(ikev2_tm_sessions, "x1");
	CU_ASSERT(has("{\"error\":\"bad START 'x1'"));
	run(ikev2_tm_session, "1");
	CU_ASSERT(has("{\"error\":\"no IKEv2 session with ID 1\"}"));
	run(ikev2_tm_session, NULL);
	CU_ASSERT(has("{\"error\":\"usage: /ipsecgw/ikev2/session,ID"));
	run(ikev2_tm_session, "-1");
	CU_ASSERT(has("{\"error\":\"usage: /ipsecgw/ikev2/session,ID"));
}

/* One SA's drops over every reason (the session's drops_in/out). */
static uint64_t drop_sum(const struct dp_sa_info *i)
{
	uint64_t n = 0;

	for (unsigned d = 0; d < DP_DROP_MAX; d++)
		n += i->drops[d];
	return n;
}

static void expected_session(const struct ike_sa *sa, char *buf, size_t len)
{
	char spi_l[17];
	struct dp_sa_info in, out;

	CU_ASSERT_FATAL(dp_sa_info(sa->child[0].h_in, &in) == 0);
	CU_ASSERT_FATAL(dp_sa_info(sa->child[0].h_out, &out) == 0);
	snprintf(buf, len,
		 "{\"id\":%" PRIu64 ",\"status\":\"UP-ACTIVE\",\"sa_status\":\"READY\","
		 "\"state\":\"ESTABLISHED\",\"status_desc\":\"Negotiation done\",\"role\":\"responder\","
		 "\"local\":\"10.0.0.1\",\"remote\":\"10.0.0.2\",\"local_port\":500,\"remote_port\":500,"
		 "\"ike_version\":2,\"peer\":\"%s\",\"tunnel\":%u,\"peer_id\":\"CN=swan1, O=lab\","
		 "\"local_id\":\"gw.lab\",\"cert_issuer\":\"CN=Lab Root CA, O=lab\","
		 "\"cert_serial\":\"01A3FF\",\"trustpoint\":\"%s\",\"disconnect_revoked_peer\":1,"
		 "\"revocation_check\":\"crl\",\"encr\":\"AES-CBC\",\"encr_keysize\":256,\"integ\":\"SHA256\",\"prf\":\"SHA256\","
		 "\"dh_group\":19,\"auth_sign\":\"RSA\",\"auth_verify\":\"ECDSA\",\"lifetime\":%u,"
		 "\"remaining\":86157,\"active\":248,"
		 "\"local_spi\":\"%s\",\"remote_spi\":\"750CBE827434A245\",\"msgid_next_send\":0,"
		 "\"msgid_next_recv\":2,\"msgid_req_out\":0,\"msgid_req_in\":0,\"window\":1,\"dpd_interval\":%u,\"nat_local\":0,"
		 "\"nat_remote\":0,\"encap\":0,\"ike_count\":1,\"child_count\":1,"
		 "\"child_spi_in\":[\"0x09360a95\"],\"child_spi_out\":[\"0x6c340600\"],"
		 "\"child_local_ts\":[\"192.168.10.0/24\"],"
		 "\"child_remote_ts\":[\"172.16.1.0/24,172.16.2.0/24\"],"
		 "\"child_packets_in\":[%" PRIu64 "],\"child_packets_out\":[%" PRIu64 "],"
		 "\"child_bytes_in\":[%" PRIu64 "],\"child_bytes_out\":[%" PRIu64 "],"
		 "\"child_encr\":[\"AES-CBC\"],\"child_keysize\":[128],\"child_esp_hmac\":[\"SHA96\"],"
		 "\"child_mode\":[\"tunnel\"],\"child_esn\":[0],\"child_pfs_dh\":[0],"
		 "\"child_installed\":[1],"
		 "\"packets_in\":%" PRIu64 ",\"packets_out\":%" PRIu64 ","
		 "\"bytes_in\":%" PRIu64 ",\"bytes_out\":%" PRIu64 ","
		 "\"drops_in\":%" PRIu64 ",\"drops_out\":%" PRIu64 "}",
		 sa->id, "swan1", sa->tunnel, "lab-ca",
		 86400u, spi64(sa->spi_r, spi_l), 30u,
		 in.pkts, out.pkts, in.bytes, out.bytes,
		 in.pkts, out.pkts, in.bytes, out.bytes, drop_sum(&in), drop_sum(&out));
}

static void test_session(void)
{
	static char want[JSON_MAX];
	struct ike_sa *sa = make_session();
	char id[24];

	first_id = sa->id;
	snprintf(id, sizeof(id), "%" PRIu64, sa->id);
	expected_session(sa, want, sizeof(want));
	CU_ASSERT(same(run(ikev2_tm_session, id), want));
	snprintf(want, sizeof(want), "{\"count\":1,\"next\":0,\"ids\":[%" PRIu64 "]}", sa->id);
	CU_ASSERT(same(run(ikev2_tm_sessions, NULL), want));
	CU_ASSERT_EQUAL(ike_sa_count(), 1);
}

/* A half-open SA: negotiating, no children, empty arrays, no peer yet. */
static void test_session_half_open(void)
{
	struct ike_sa *sa = make_half_open("10.0.0.3", -1);
	char id[24];

	/* Our request 2 awaits its response (the SA frees the copy). */
	sa->mid.next_send = 3;
	sa->mid.req = malloc(1);
	CU_ASSERT_FATAL(sa->mid.req != NULL);
	sa->mid.req_len = 1;
	snprintf(id, sizeof(id), "%" PRIu64, sa->id);
	run(ikev2_tm_session, id);
	CU_ASSERT(has("\"msgid_next_send\":3,\"msgid_next_recv\":0,\"msgid_req_out\":2,"
		      "\"msgid_req_in\":0,"));
	CU_ASSERT(has("\"status\":\"DOWN-NEGOTIATING\",\"sa_status\":\"IN-NEG\",\"state\":\"INIT_DONE\","
		      "\"status_desc\":\"Negotiation in progress\""));
	CU_ASSERT(has("\"peer\":\"\""));
	CU_ASSERT(has("\"peer_id\":\"\",\"local_id\":\"\",\"cert_issuer\":\"\",\"cert_serial\":\"\","
		      "\"trustpoint\":\"\",\"disconnect_revoked_peer\":0"));
	CU_ASSERT(has("\"encr\":\"none\",\"encr_keysize\":0,\"integ\":\"None\",\"prf\":\"None\""));
	CU_ASSERT(has("\"remaining\":0,\"active\":0,"));
	CU_ASSERT(has("\"remote_spi\":\"0000000000000000\""));
	CU_ASSERT(has("\"child_count\":0,\"child_spi_in\":[],\"child_spi_out\":[],"
		      "\"child_local_ts\":[],\"child_remote_ts\":[],\"child_packets_in\":[]"));
}

/* 300 sessions: two pages of ids, ascending, resumed from next. */
static void test_sessions_pages(void)
{
	uint64_t ids[TM_PAGE + 64], last = 0, next;
	unsigned n = 0, total;
	char start[24];
	const char *p;

	for (unsigned i = 0; i < 298; i++)
		make_half_open("10.0.0.9", -1);
	total = ike_sa_count();
	CU_ASSERT_EQUAL(total, 300);
	snprintf(start, sizeof(start), "%u", 0);
	for (int page = 0; page < 3; page++) {
		run(ikev2_tm_sessions, start);
		CU_ASSERT_FATAL(strncmp(J, "{\"count\":300,\"next\":", 20) == 0);
		next = strtoull(J + 20, NULL, 10);
		p = strstr(J, "\"ids\":[") + 7;
		while (*p != ']' && n < RTE_DIM(ids)) {
			char *end;

			ids[n] = strtoull(p, &end, 10);
			CU_ASSERT(ids[n] > last);
			last = ids[n++];
			p = *end == ',' ? end + 1 : end;
		}
		CU_ASSERT_EQUAL(n, page == 0 ? (unsigned)TM_PAGE : total);
		if (next == 0)
			break;
		CU_ASSERT_EQUAL(next, last + 1);
		snprintf(start, sizeof(start), "%" PRIu64, next);
	}
	CU_ASSERT_EQUAL(n, total);
	CU_ASSERT_EQUAL(ids[0], first_id);
	/* START between ids, and past the end. */
	snprintf(start, sizeof(start), "%" PRIu64, ids[total - 1]);
	run(ikev2_tm_sessions, start);
	snprintf(start, sizeof(start), "\"next\":0,\"ids\":[%" PRIu64 "]}", ids[total - 1]);
	CU_ASSERT(has(start));
	snprintf(start, sizeof(start), "%" PRIu64, ids[total - 1] + 1);
	run(ikev2_tm_sessions, start);
	CU_ASSERT(has("\"next\":0,\"ids\":[]}"));
}

static void test_sas(void)
{
	char want[512];

	retime(ike_sa_find_id(first_id));
	run(ikev2_tm_sas, NULL);
	CU_ASSERT(has("{\"count\":300,\"next\":"));
	snprintf(want, sizeof(want), "\"ids\":[%" PRIu64 ",", first_id);
	CU_ASSERT(has(want));
	snprintf(want, sizeof(want), "\"tunnel\":[%u,", ike_sa_find_id(first_id)->tunnel);
	CU_ASSERT(has(want));
	CU_ASSERT(has("\"local\":[\"10.0.0.1\",\"10.0.0.1\","));
	CU_ASSERT(has("\"remote\":[\"10.0.0.2\",\"10.0.0.3\",\"10.0.0.9\","));
	CU_ASSERT(has("\"sa_status\":[\"READY\",\"IN-NEG\","));
	CU_ASSERT(has("\"encr\":[\"AES-CBC\",\"none\","));
	CU_ASSERT(has("\"encr_keysize\":[256,0,"));
	CU_ASSERT(has("\"dh_group\":[19,0,"));
	CU_ASSERT(has("\"active\":[248,0,"));
	CU_ASSERT(has("\"auth_sign\":[\"RSA\",\"none\","));
	CU_ASSERT(has("\"auth_verify\":[\"ECDSA\",\"none\","));
	CU_ASSERT(strlen(J) < TM_MAX_BYTES);
	run(ikev2_tm_sas, "abc");
	CU_ASSERT(has("{\"error\":\"bad START 'abc'"));
}

static void test_stats(void)
{
	char key[64];

	run(ikev2_tm_stats, NULL);
	CU_ASSERT(has("{\"sessions\":300,\"half_open\":"));
	for (int c = 0; c < IKEV2_C_MAX; c++) {
		snprintf(key, sizeof(key), "\"%s\":%" PRIu64, ikev2_counter_name(c), ikev2_counter(c));
		CU_ASSERT(has(key));
	}
	CU_ASSERT(has("\"ikev2_rx\":"));
	CU_ASSERT(has("\"ikev2_dpd_dead\":"));
	/* Registered with the gateway's commands (at program start). */
	CU_ASSERT_EQUAL(cp_tm_cmds_register(), 0);
	CU_ASSERT_EQUAL(cp_tm_register("ikev2/sessions", ikev2_tm_sessions, "x"), -EEXIST);
	CU_ASSERT_EQUAL(cp_tm_register("ikev2/session", ikev2_tm_session, "x"), -EEXIST);
	CU_ASSERT_EQUAL(cp_tm_register("ikev2/sas", ikev2_tm_sas, "x"), -EEXIST);
	CU_ASSERT_EQUAL(cp_tm_register("ikev2/stats", ikev2_tm_stats, "x"), -EEXIST);
	CU_ASSERT_EQUAL(cp_tm_register("clear/crypto_session", ikev2_tm_clear, "x"), -EEXIST);
}

/* ---- ipsecgw-cli's renderers on those replies ---- */

/* Render the reply in J with fn; the text into out. */
static void render(int (*fn)(FILE *, const struct cj_doc *, const struct cj_value *),
		   char *out, size_t len)
{
	char err[CJ_ERR_MAX];
	struct cj_doc doc;
	FILE *f = fmemopen(out, len, "w");

	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_FATAL(cj_parse(&doc, J, strlen(J), err, sizeof(err)) == 0);
	CU_ASSERT_EQUAL(fn(f, &doc, cj_root(&doc)), 0);
	fclose(f);
	cj_free(&doc);
}

/* An IKEv1 session: listed by isakmp/peers only, printed in the seed's
 * `show crypto isakmp peers` layout; IKEv2's lists leave it out. */
static void test_isakmp_peers(void)
{
	struct ike_sa *sa = make_session();
	char id[24], want[64], text[1024];

	sa->ike_version = 1;
	sa->remote_id_type = IKE_ID_IPV4_ADDR;
	memcpy(sa->remote_id, "\x0a\x00\x00\x02", 4);
	sa->remote_id_len = 4;
	snprintf(id, sizeof(id), "%" PRIu64, sa->id);
	snprintf(want, sizeof(want), "\"ids\":[%s]", id);
	run(ikev2_tm_isakmp_peers, "");
	CU_ASSERT(has("\"count\":1,") && has(want));
	run(ikev2_tm_sessions, "");
	CU_ASSERT(strstr(J, want) == NULL);
	run(ikev2_tm_session, id);
	CU_ASSERT(has("\"error\":\"no IKEv2 session with ID"));
	run(ikev2_tm_isakmp_peer, "x");
	CU_ASSERT(has("\"error\":\"usage: /ipsecgw/isakmp/peer,ID"));
	run(ikev2_tm_isakmp_peer, id);
	CU_ASSERT(has("\"ike_version\":1,"));
	render(cli_isakmp_print_peer, text, sizeof(text));
	CU_ASSERT(same(text, "Peer: 10.0.0.2 Port: 500 Local: 10.0.0.1\n"
		       " Phase1 id: 10.0.0.2\n"
		       " Disconnect Revoked Peer: Disabled\n"));
	ike_rev_set_enabled(1, true);
	run(ikev2_tm_isakmp_peer, id);
	render(cli_isakmp_print_peer, text, sizeof(text));
	CU_ASSERT(contains(text, " Disconnect Revoked Peer: Enabled\n"));
	ike_rev_set_enabled(1, false);
	ike_sa_kill(sa, "test");
	ike_sa_reap();
}

static void test_cli_session_detail(void)
{
	static char text[TEXT_MAX], want[TEXT_MAX];
	struct ike_sa *sa = ike_sa_find_id(first_id);
	char id[24], spi_l[17], row[128];

	CU_ASSERT_FATAL(sa != NULL);
	retime(sa);
	snprintf(id, sizeof(id), "%" PRIu64, first_id);
	run(ikev2_tm_session, id);
	render(cli_ike_print_session, text, sizeof(text));
	/* The tunnel row in the seed's columns: 12, 16, 18, 19, then status. */
	snprintf(row, sizeof(row), "%-12u10.0.0.1/500    10.0.0.2/500      (none)/(none)      READY  ",
		 sa->tunnel);
	snprintf(want, sizeof(want),
		 "Session-id:%" PRIu64 ", Status:UP-ACTIVE, IKE count:1, CHILD count:1\n"
		 "Tunnel-id   Local          Remote           fvrf/ivrf          Status \n"
		 "%s\n"
		 "      Encr: AES-CBC, keysize: 256, PRF: SHA256, Hash: SHA256, DH Grp:19, Auth sign: RSA, Auth verify: ECDSA\n"
		 "      Life/Remaining/Active Time: %u/86157/248 sec\n"
		 "      CE id: 0, Session-id: %" PRIu64 "\n"
		 "      Status Description: Negotiation done\n"
		 "      Local spi: %s       Remote spi: 750CBE827434A245\n"
		 "      Local id:            gw.lab        Remote id:   CN=swan1, O=lab\n"
		 "      Local req mess id:    0           Remote req mess id: 0\n"
		 "      Local next mess id:    0          Remote next mess id: 2\n"
		 "      Local window:    1                Remote window: 1\n"
		 "      DPD configured for %u seconds\n"
		 "      NAT-T is not detected\n"
		 "      Disconnect Revoked Peer: Enabled\n"
		 "Child sa: local selector  192.168.10.0/0 - 192.168.10.255/65535\n"
		 "          remote selector 172.16.1.0/0 - 172.16.1.255/65535\n"
		 "                          172.16.2.0/0 - 172.16.2.255/65535\n"
		 "          ESP spi in/out: 0x9360A95/0x6C340600  \n"
		 "          CPI in/out: 0x0/0x0  \n"
		 "          AH spi in/out: 0x0/0x0  \n"
		 "          Encr: AES CBC, keysize: 128, esp_hmac: SHA96\n"
		 "          ah_hmac: None, comp: IPCOMP_NONE, mode tunnel\n"
		 "Tunnel totals: packets in/out 0/0, bytes in/out 0/0, drops in/out 0/0\n",
		 first_id, row, 86400u, first_id, spi64(sa->spi_r, spi_l),
		 30u);
	CU_ASSERT(same(text, want));
}

static void test_cli_session_nat_v6(void)
{
	static char text[TEXT_MAX];
	struct ike_sa *sa = make_half_open("2001:db8:40::2", -1);
	struct ike_child *c = ike_sa_child_new(sa);
	char id[24];

	CU_ASSERT_FATAL(c != NULL);
	sa->local = test_addr("2001:db8:10::1");
	sa->local_port = sa->remote_port = 4500;
	sa->nat_local = true;
	c->spi_in = 0x100;
	c->spi_out = 0xabcdef01;
	c->esp_alg = ESP_ALG_AES256GCM16;
	c->local_ts[c->n_local_ts++] = test_prefix("2001:db8:20::/64");
	c->remote_ts[c->n_remote_ts++] = test_prefix("2001:db8:40::/48");
	snprintf(id, sizeof(id), "%" PRIu64, sa->id);
	run(ikev2_tm_session, id);
	CU_ASSERT(has("\"child_installed\":[0]"));
	CU_ASSERT(has("\"child_packets_in\":[0],\"child_packets_out\":[0]"));
	render(cli_ike_print_session, text, sizeof(text));
	CU_ASSERT(contains(text, "2001:db8:10::1/4500 2001:db8:40::2/4500 (none)/(none)      IN-NEG \n"));
	CU_ASSERT(contains(text, "      NAT-T is detected inside\n      Disconnect Revoked Peer: Disabled\n"));
	CU_ASSERT(contains(text, "Child sa: local selector  2001:db8:20::/0 - 2001:db8:20:0:ffff:ffff:ffff:ffff/65535\n"
			   "          remote selector 2001:db8:40::/0 - 2001:db8:40:ffff:ffff:ffff:ffff:ffff/65535\n"
			   "          ESP spi in/out: 0x100/0xABCDEF01  \n"));
	CU_ASSERT(contains(text, "          Encr: AES GCM, keysize: 256, esp_hmac: None\n"));
	ike_sa_kill(sa, "test");
	ike_sa_reap();
}

/* The key kind behind each AUTH method; method 14 by the key. */
static void test_auth_record(void)
{
	struct ike_sa *sa = ike_sa_new(IKE_RESPONDER, 0);
	EVP_PKEY *ec = EVP_EC_gen("P-256"), *rsa = EVP_RSA_gen(1024);

	CU_ASSERT_FATAL(sa != NULL && ec != NULL && rsa != NULL);
	CU_ASSERT_STRING_EQUAL(ikev2_auth_kind_name(sa->local_auth_kind), "none");
	ikev2_auth_record(sa, true, IKE_AUTH_DIGITAL_SIGNATURE, ec);
	ikev2_auth_record(sa, false, IKE_AUTH_DIGITAL_SIGNATURE, rsa);
	CU_ASSERT_EQUAL(sa->local_auth_method, IKE_AUTH_DIGITAL_SIGNATURE);
	CU_ASSERT_STRING_EQUAL(ikev2_auth_kind_name(sa->local_auth_kind), "ECDSA");
	CU_ASSERT_STRING_EQUAL(ikev2_auth_kind_name(sa->remote_auth_kind), "RSA");
	ikev2_auth_record(sa, false, IKE_AUTH_DIGITAL_SIGNATURE, NULL);
	CU_ASSERT_STRING_EQUAL(ikev2_auth_kind_name(sa->remote_auth_kind), "none");
	ikev2_auth_record(sa, true, IKE_AUTH_SHARED_KEY_MIC, NULL);
	CU_ASSERT_STRING_EQUAL(ikev2_auth_kind_name(sa->local_auth_kind), "PSK");
	ikev2_auth_record(sa, false, IKE_AUTH_ECDSA_SHA512_P521, NULL);
	CU_ASSERT_STRING_EQUAL(ikev2_auth_kind_name(sa->remote_auth_kind), "ECDSA");
	CU_ASSERT_EQUAL(sa->remote_auth_method, IKE_AUTH_ECDSA_SHA512_P521);
	EVP_PKEY_free(ec);
	EVP_PKEY_free(rsa);
	ike_sa_kill(sa, "test");
	ike_sa_reap();
}

static void test_cli_sa(void)
{
	static char t4[TEXT_MAX], t6[TEXT_MAX];
	char err[CJ_ERR_MAX], line[512];
	struct ike_sa *sa = ike_sa_find_id(first_id);
	struct cj_doc doc;
	FILE *v4 = fmemopen(t4, sizeof(t4), "w"), *v6 = fmemopen(t6, sizeof(t6), "w");

	CU_ASSERT_FATAL(v4 != NULL && v6 != NULL && sa != NULL);
	retime(sa);
	run(ikev2_tm_sas, NULL);
	CU_ASSERT_FATAL(cj_parse(&doc, J, strlen(J), err, sizeof(err)) == 0);
	CU_ASSERT_EQUAL(cli_ike_print_sas(v4, v6, &doc, cj_root(&doc)), 0);
	cli_ike_print_sa_header(v4, 4);
	fclose(v4);
	fclose(v6);
	cj_free(&doc);
	snprintf(line, sizeof(line), "%-10u10.0.0.1/500          10.0.0.2/500          none/none            READY  \n"
		 "      Encr: AES-CBC, keysize: 256, PRF: SHA256, Hash: SHA256, DH Grp:19, "
		 "Auth sign: RSA, Auth verify: ECDSA\n"
		 "      Life/Active Time: %u/248 sec\n\n", sa->tunnel, 86400u);
	CU_ASSERT(strncmp(t4, line, strlen(line)) == 0);
	if (strncmp(t4, line, strlen(line)) != 0)
		fprintf(stderr, "\n--- got:\n%.600s\n--- want:\n%s\n", t4, line);
	CU_ASSERT(strstr(t4, " IPv4 Crypto IKEv2  SA \n\nTunnel-id Local                 Remote"
			 "                fvrf/ivrf            Status \n") != NULL);
	CU_ASSERT_STRING_EQUAL(t6, "");
	/* A page without its columns is refused. */
	CU_ASSERT_FATAL(cj_parse(&doc, "{\"ids\":[1]}", 11, err, sizeof(err)) == 0);
	CU_ASSERT_EQUAL(cli_ike_print_sas(stderr, stderr, &doc, cj_root(&doc)), -1);
	cj_free(&doc);
}

/* ---- clear ---- */

/* SAs not yet DEAD (ikev2_clear_* skip those). */
static unsigned live_sas(void)
{
	const struct ike_sa *sa;
	uint64_t id = 0;
	unsigned n = 0;

	while ((sa = ike_sa_next(id)) != NULL) {
		id = sa->id;
		n += sa->state != IKE_SA_DEAD;
	}
	return n;
}

/* Only the refusals: a started rekey is an exchange, driven against
 * strongSwan by test/integration/ikev2_swan_edge.sh. */
static void test_rekey_refused(void)
{
	struct ike_sa *h = make_half_open("10.0.0.9", 0);
	char p[64];

	run(ikev2_tm_rekey, NULL);
	CU_ASSERT(has("{\"error\":\"usage: /ipsecgw/ikev2/rekey,id=N|child=SPI"));
	run(ikev2_tm_rekey, "bogus");
	CU_ASSERT(has("{\"error\":\"usage:"));
	run(ikev2_tm_rekey, "id=");
	CU_ASSERT(has("{\"error\":\"usage:"));
	run(ikev2_tm_rekey, "id=99999");
	CU_ASSERT(has("{\"error\":\"no IKEv2 session with ID 99999\"}"));
	run(ikev2_tm_rekey, "child=0x1");
	CU_ASSERT(has("{\"error\":\"no installed CHILD SA with inbound SPI '0x1'\"}"));
	run(ikev2_tm_rekey, "child=4294967295");
	CU_ASSERT(has("{\"error\":\"no installed CHILD SA with inbound SPI '4294967295'\"}"));
	/* malformed SPIs are usage errors (tm_parse_spi), never looked up */
	run(ikev2_tm_rekey, "child=0x9360a95z");
	CU_ASSERT(has("{\"error\":\"usage: /ipsecgw/ikev2/rekey,id=N|child=SPI"));
	run(ikev2_tm_rekey, "child=0");
	CU_ASSERT(has("{\"error\":\"usage:"));
	run(ikev2_tm_rekey, "child=-5");
	CU_ASSERT(has("{\"error\":\"usage:"));
	run(ikev2_tm_rekey, "child=0x");
	CU_ASSERT(has("{\"error\":\"usage:"));
	run(ikev2_tm_rekey, "child=0x100000000");
	CU_ASSERT(has("{\"error\":\"usage:"));
	run(ikev2_tm_rekey, "child=0x0x10");
	CU_ASSERT(has("{\"error\":\"usage:"));
	snprintf(p, sizeof(p), "id=%" PRIu64, h->id);
	run(ikev2_tm_rekey, p);
	CU_ASSERT(has(", not established\"}"));
	ike_sa_kill(h, "test");
	ike_sa_reap();
}

static void test_clear(void)
{
	const struct ike_sa *sa;
	char p[64];

	run(ikev2_tm_clear, "id=99999");
	CU_ASSERT(has("{\"error\":\"no IKEv2 session with ID 99999\"}"));
	run(ikev2_tm_clear, "bogus");
	CU_ASSERT(has("{\"error\":\"usage: /ipsecgw/clear/crypto_session[,remote=ADDR|id=N]"));
	run(ikev2_tm_clear, "remote=10.0.0.300");
	CU_ASSERT(has("{\"error\":\"usage:"));
	run(ikev2_tm_clear, "id=");
	CU_ASSERT(has("{\"error\":\"usage:"));
	CU_ASSERT_NOT_EQUAL(dp_sa_find_in(0x9360a95), DP_SA_INVALID);
	/* The established session by id: its CHILD pair leaves the fast path
	 * at once, the SA is deleting (DELETE sent) or dead (could not send). */
	snprintf(p, sizeof(p), "id=%" PRIu64, first_id);
	CU_ASSERT(same(run(ikev2_tm_clear, p), "{\"cleared\":1}"));
	CU_ASSERT_EQUAL(dp_sa_find_in(0x9360a95), DP_SA_INVALID);
	sa = ike_sa_find_id(first_id);
	CU_ASSERT(sa == NULL || sa->state == IKE_SA_DELETING || sa->state == IKE_SA_DEAD);
	/* By remote: the one half-open SA to 10.0.0.3, none to 10.0.0.77. */
	CU_ASSERT(same(run(ikev2_tm_clear, "remote=10.0.0.77"), "{\"cleared\":0}"));
	CU_ASSERT(same(run(ikev2_tm_clear, "remote=10.0.0.3"), "{\"cleared\":1}"));
	CU_ASSERT(same(run(ikev2_tm_clear, "remote=10.0.0.3"), "{\"cleared\":0}"));
	/* All the rest (the deleting one included: it is killed now). */
	snprintf(p, sizeof(p), "{\"cleared\":%u}", live_sas());
	CU_ASSERT(live_sas() >= 298);
	CU_ASSERT(same(run(ikev2_tm_clear, NULL), p));
	ike_sa_reap();
	CU_ASSERT_EQUAL(ike_sa_count(), 0);
	CU_ASSERT(same(run(ikev2_tm_sessions, NULL), "{\"count\":0,\"next\":0,\"ids\":[]}"));
	CU_ASSERT(same(run(ikev2_tm_clear, ""), "{\"cleared\":0}"));
}

int main(void)
{
	static const char *const eal[] = { "-l", "0-1", TEST_DP_NULL_PORTS };
	static const struct test_dp_case cases[] = {
		{ "sessions: empty, bad parameters", test_sessions_empty },
		{ "session,ID: the whole dict", test_session },
		{ "session,ID: half-open", test_session_half_open },
		{ "sessions: pages", test_sessions_pages },
		{ "ikev2/sas columns", test_sas },
		{ "ikev2/stats counters", test_stats },
		{ "cli: show crypto ikev2 session detail", test_cli_session_detail },
		{ "cli: NAT-T, IPv6, GCM child", test_cli_session_nat_v6 },
		{ "cli: show crypto ikev2 sa", test_cli_sa },
		{ "auth_sign / auth_verify: key kind by method", test_auth_record },
		{ "ikev2/rekey: refusals", test_rekey_refused },
		{ "clear/crypto_session: id, remote, all", test_clear },
		{ "isakmp/peers, isakmp/peer, show crypto isakmp peers", test_isakmp_peers },
	};

	if (test_dp_begin("ikev2_tm", RTE_DIM(eal), eal) != 0)
		return 1;
	test_dp_suite("ikev2_tm", suite_init, suite_fini, cases, RTE_DIM(cases));
	return test_dp_end();
}
