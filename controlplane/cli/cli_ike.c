/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IKEv2 words of ipsecgw-cli (see cli_ike.h), in Cisco IOS's layout.
 * `show crypto ikev2 session detail` follows the example of the seed
 * ("Deleting Crypto Sessions of Revoked Peer Certificates") line by line.
 * What the gateway does not have is printed as IOS prints its absence, or
 * left out:
 *   - "CE id: 0" (no crypto-engine connection ids here) and no "MIB-id"
 *     (no SNMP MIB): the line reads "CE id: 0, Session-id: N";
 *   - "Local/Remote req queued" is left out: the telemetry does not
 *     expose the request queue;
 *   - "CPI in/out: 0x0/0x0" and "AH spi in/out: 0x0/0x0" (no IPComp, no
 *     AH) and "ah_hmac: None, comp: IPCOMP_NONE", as IOS prints them for a
 *     CHILD SA without either;
 *   - fvrf/ivrf "(none)/(none)" (no VRFs);
 *   - "Auth sign" / "Auth verify" are the telemetry's auth_sign and
 *     auth_verify: the kind of key behind our AUTH and the peer's (RSA,
 *     ECDSA), as IOS prints them.
 * Traffic selectors are prefixes: "10.1.0.0/16" prints as IOS's range
 * "10.1.0.0/0 - 10.1.255.255/65535" (addresses, then ports).
 */

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "controlplane/cli/cli_ike.h"

enum {
	CLI_IKE_MAX_PAGES = 1 << 16,
	CLI_IKE_SEL_MAX = 128,		/* one selector range as text */
	CLI_IKE_TS_MAX = 512,		/* a child's comma-joined prefixes */
};

static const char *const cli_ike_sa_cols[] = {
	"ids", "tunnel", "local", "local_port", "remote", "remote_port", "sa_status",
	"encr", "encr_keysize", "prf", "integ", "dh_group", "lifetime", "active", "auth_sign",
	"auth_verify",
};

#define CLI_IKE_SA_NCOLS (sizeof(cli_ike_sa_cols) / sizeof(cli_ike_sa_cols[0]))

static const char *cli_ike_str(const struct cj_doc *doc, const struct cj_value *col, uint32_t i)
{
	const struct cj_value *v = cj_at(doc, col, i);

	return v != NULL && v->type == CJ_STRING ? v->str : "?";
}

static uint64_t cli_ike_u64(const struct cj_doc *doc, const struct cj_value *col, uint32_t i)
{
	const struct cj_value *v = cj_at(doc, col, i);

	return v != NULL && v->type == CJ_NUMBER && v->is_uint ? v->u : 0;
}

/* s padded to width w, and always one space after it (IOS's columns). */
static void cli_ike_col(FILE *f, const char *s, int w)
{
	int n = (int)strlen(s);

	fprintf(f, "%s%*s", s, n < w ? w - n : 1, "");
}

/* s right-aligned in w, and always one space before it. */
static void cli_ike_right(FILE *f, const char *s, int w)
{
	int n = (int)strlen(s);

	fprintf(f, "%*s", n < w ? w : n + 1, s);
}

static void cli_ike_addr_port(char *buf, size_t len, const char *addr, uint64_t port)
{
	snprintf(buf, len, "%s/%" PRIu64, addr, port);
}

/* ---- show crypto ikev2 sa ---- */

void cli_ike_print_sa_header(FILE *f, int family)
{
	fprintf(f, " IPv%d Crypto IKEv2  SA \n\n", family);
	fprintf(f, "Tunnel-id Local                 Remote                fvrf/ivrf            Status \n");
}

static void cli_ike_print_sa(FILE *f, const struct cj_doc *doc, const struct cj_value *const *c,
			     uint32_t i)
{
	char id[24], local[80], remote[80];
	const char *integ = cli_ike_str(doc, c[10], i);

	cli_ike_addr_port(local, sizeof(local), cli_ike_str(doc, c[2], i), cli_ike_u64(doc, c[3], i));
	cli_ike_addr_port(remote, sizeof(remote), cli_ike_str(doc, c[4], i), cli_ike_u64(doc, c[5], i));
	cli_ike_col(f, cli_u64(cli_ike_u64(doc, c[1], i), id, sizeof(id)), 10);
	cli_ike_col(f, local, 22);
	cli_ike_col(f, remote, 22);
	cli_ike_col(f, "none/none", 21);
	fprintf(f, "%-7s\n", cli_ike_str(doc, c[6], i));
	fprintf(f, "      Encr: %s, keysize: %" PRIu64 ", PRF: %s, Hash: %s, DH Grp:%" PRIu64
		", Auth sign: %s, Auth verify: %s\n",
		cli_ike_str(doc, c[7], i), cli_ike_u64(doc, c[8], i), cli_ike_str(doc, c[9], i),
		integ, cli_ike_u64(doc, c[11], i), cli_ike_str(doc, c[14], i),
		cli_ike_str(doc, c[15], i));
	fprintf(f, "      Life/Active Time: %" PRIu64 "/%" PRIu64 " sec\n\n",
		cli_ike_u64(doc, c[12], i), cli_ike_u64(doc, c[13], i));
}

int cli_ike_print_sas(FILE *v4, FILE *v6, const struct cj_doc *doc, const struct cj_value *page)
{
	const struct cj_value *c[CLI_IKE_SA_NCOLS];

	for (size_t k = 0; k < CLI_IKE_SA_NCOLS; k++) {
		c[k] = cj_member(doc, page, cli_ike_sa_cols[k]);
		if (c[k] == NULL || c[k]->type != CJ_ARRAY || c[k]->n != c[0]->n)
			return -1;
	}
	for (uint32_t i = 0; i < c[0]->n; i++)
		cli_ike_print_sa(strchr(cli_ike_str(doc, c[2], i), ':') != NULL ? v6 : v4,
				 doc, c, i);
	return 0;
}

/* Every page of /ipsecgw/ikev2/sas into the two streams.  0 or -1. */
static int cli_ike_sa_pages(struct cli_ctx *x, FILE *v4, FILE *v6)
{
	char cmd[CLI_CMD_MAX];
	uint64_t start = 0, next;

	for (unsigned page = 0; page < CLI_IKE_MAX_PAGES; page++) {
		struct cj_doc doc;
		const struct cj_value *b;
		int ret;

		snprintf(cmd, sizeof(cmd), "/ipsecgw/ikev2/sas,%" PRIu64, start);
		if (cli_call(x, cmd, &doc, &b) != 0)
			return -1;
		ret = x->json ? 0 : cli_ike_print_sas(v4, v6, &doc, b);
		next = cj_get_u64(&doc, b, "next", 0);
		cj_free(&doc);
		if (ret != 0) {
			snprintf(x->err, sizeof(x->err), "%s: malformed reply", cmd);
			return -1;
		}
		if (next == 0)
			return 0;
		if (next <= start) {
			snprintf(x->err, sizeof(x->err), "/ipsecgw/ikev2/sas: paging went backwards");
			return -1;
		}
		start = next;
	}
	snprintf(x->err, sizeof(x->err), "/ipsecgw/ikev2/sas: too many pages");
	return -1;
}

int cli_show_ikev2_sa(struct cli_ctx *x)
{
	char *t4 = NULL, *t6 = NULL;
	size_t n4 = 0, n6 = 0;
	FILE *v4 = open_memstream(&t4, &n4), *v6 = open_memstream(&t6, &n6);
	int ret = -1;

	if (v4 == NULL || v6 == NULL) {
		snprintf(x->err, sizeof(x->err), "out of memory");
		goto out;
	}
	ret = cli_ike_sa_pages(x, v4, v6);
	fclose(v4);
	fclose(v6);
	v4 = v6 = NULL;
	if (ret != 0 || x->json)
		goto out;
	/* Each SA's block ends in a blank line; an empty section gets one. */
	cli_ike_print_sa_header(x->out, 4);
	fprintf(x->out, "%s", t4 != NULL && *t4 != '\0' ? t4 : "\n");
	cli_ike_print_sa_header(x->out, 6);
	fprintf(x->out, "%s", t6 != NULL ? t6 : "");
out:
	if (v4 != NULL)
		fclose(v4);
	if (v6 != NULL)
		fclose(v6);
	free(t4);
	free(t6);
	return ret;
}

/* ---- show crypto ikev2 session detail ---- */

/* "a.b.c.d/n" as IOS's selector "first/0 - last/65535". */
static const char *cli_ike_range(const char *pfx, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN], first[INET6_ADDRSTRLEN], last[INET6_ADDRSTRLEN];
	const char *slash = strchr(pfx, '/');
	uint8_t a[16];
	int af = strchr(pfx, ':') != NULL ? AF_INET6 : AF_INET;
	unsigned bits = af == AF_INET ? 32 : 128;
	unsigned long plen;
	char *end;

	snprintf(addr, sizeof(addr), "%.*s", slash != NULL ? (int)(slash - pfx) : (int)strlen(pfx), pfx);
	plen = slash != NULL ? strtoul(slash + 1, &end, 10) : bits;
	if (inet_pton(af, addr, a) != 1 || plen > bits || (slash != NULL && *end != '\0')) {
		snprintf(buf, len, "%s", pfx);
		return buf;
	}
	inet_ntop(af, a, first, sizeof(first));
	for (unsigned b = (unsigned)plen; b < bits; b++)
		a[b / 8] |= (uint8_t)(0x80u >> (b % 8));
	inet_ntop(af, a, last, sizeof(last));
	snprintf(buf, len, "%s/0 - %s/65535", first, last);
	return buf;
}

/* label then each of a comma-joined list of prefixes on its own line. */
static void cli_ike_selectors(FILE *f, const char *label, const char *list)
{
	char ts[CLI_IKE_TS_MAX], sel[CLI_IKE_SEL_MAX], *save = NULL;
	const char *p;
	bool first = true;

	snprintf(ts, sizeof(ts), "%s", list);
	for (p = strtok_r(ts, ",", &save); p != NULL; p = strtok_r(NULL, ",", &save)) {
		fprintf(f, "%s%s\n", first ? label : "                          ",
			cli_ike_range(p, sel, sizeof(sel)));
		first = false;
	}
	if (first)
		fprintf(f, "%s\n", label);
}

/* "0x0000abcd" as IOS prints an SPI: "0xABCD". */
static const char *cli_ike_spi(const char *s, char *buf, size_t len)
{
	snprintf(buf, len, "0x%lX", strtoul(s, NULL, 16));
	return buf;
}

/* The arrays of the children, in this order. */
static const char *const cli_ike_child_cols[] = {
	"child_spi_in", "child_spi_out", "child_local_ts", "child_remote_ts",
	"child_encr", "child_keysize", "child_esp_hmac", "child_mode",
};

#define CLI_IKE_CHILD_NCOLS (sizeof(cli_ike_child_cols) / sizeof(cli_ike_child_cols[0]))

static void cli_ike_print_child(FILE *f, const struct cj_doc *doc,
				const struct cj_value *const *c, uint32_t i)
{
	char in[24], out[24], encr[32];

	cli_ike_selectors(f, "Child sa: local selector  ", cli_ike_str(doc, c[2], i));
	cli_ike_selectors(f, "          remote selector ", cli_ike_str(doc, c[3], i));
	fprintf(f, "          ESP spi in/out: %s/%s  \n",
		cli_ike_spi(cli_ike_str(doc, c[0], i), in, sizeof(in)),
		cli_ike_spi(cli_ike_str(doc, c[1], i), out, sizeof(out)));
	fprintf(f, "          CPI in/out: 0x0/0x0  \n");
	fprintf(f, "          AH spi in/out: 0x0/0x0  \n");
	/* IOS writes the ESP cipher with a space: "AES CBC". */
	snprintf(encr, sizeof(encr), "%s", cli_ike_str(doc, c[4], i));
	for (char *p = encr; *p != '\0'; p++)
		if (*p == '-')
			*p = ' ';
	fprintf(f, "          Encr: %s, keysize: %" PRIu64 ", esp_hmac: %s\n", encr,
		cli_ike_u64(doc, c[5], i), cli_ike_str(doc, c[6], i));
	fprintf(f, "          ah_hmac: None, comp: IPCOMP_NONE, mode %s\n", cli_ike_str(doc, c[7], i));
}

static const char *cli_ike_nat(uint64_t local, uint64_t remote)
{
	if (local && remote)
		return "NAT-T is detected inside and outside";
	if (local)
		return "NAT-T is detected inside";
	return remote ? "NAT-T is detected outside" : "NAT-T is not detected";
}

/* The seed's "Disconnect Revoked Peer" line; a session under a trustpoint
 * with revocation_check = "none" says why the feature passes it by. */
void cli_ike_print_revoked(FILE *f, const struct cj_doc *doc, const struct cj_value *s,
			   const char *indent)
{
	const char *rc = cj_get_str(doc, s, "revocation_check", "crl");

	fprintf(f, "%sDisconnect Revoked Peer: %s%s\n", indent,
		cj_get_u64(doc, s, "disconnect_revoked_peer", 0) ? "Enabled" : "Disabled",
		strcmp(rc, "none") == 0 ? " (trustpoint has revocation_check none)" : "");
}

/* The IKE SA's lines, down to "Disconnect Revoked Peer". */
static void cli_ike_print_ike(FILE *f, const struct cj_doc *doc, const struct cj_value *s)
{
	uint64_t ns = cj_get_u64(doc, s, "msgid_next_send", 0);
	uint64_t nr = cj_get_u64(doc, s, "msgid_next_recv", 0);
	uint64_t win = cj_get_u64(doc, s, "window", 1);
	char local[80], remote[80], id[24];

	cli_ike_addr_port(local, sizeof(local), cj_get_str(doc, s, "local", "?"),
			  cj_get_u64(doc, s, "local_port", 0));
	cli_ike_addr_port(remote, sizeof(remote), cj_get_str(doc, s, "remote", "?"),
			  cj_get_u64(doc, s, "remote_port", 0));
	fprintf(f, "Tunnel-id   Local          Remote           fvrf/ivrf          Status \n");
	cli_ike_col(f, cli_u64(cj_get_u64(doc, s, "tunnel", 0), id, sizeof(id)), 12);
	cli_ike_col(f, local, 16);
	cli_ike_col(f, remote, 18);
	cli_ike_col(f, "(none)/(none)", 19);
	fprintf(f, "%-7s\n", cj_get_str(doc, s, "sa_status", "?"));
	fprintf(f, "      Encr: %s, keysize: %" PRIu64 ", PRF: %s, Hash: %s, DH Grp:%" PRIu64
		", Auth sign: %s, Auth verify: %s\n", cj_get_str(doc, s, "encr", "?"),
		cj_get_u64(doc, s, "encr_keysize", 0), cj_get_str(doc, s, "prf", "?"),
		cj_get_str(doc, s, "integ", "?"), cj_get_u64(doc, s, "dh_group", 0),
		cj_get_str(doc, s, "auth_sign", "?"), cj_get_str(doc, s, "auth_verify", "?"));
	fprintf(f, "      Life/Remaining/Active Time: %" PRIu64 "/%" PRIu64 "/%" PRIu64 " sec\n",
		cj_get_u64(doc, s, "lifetime", 0), cj_get_u64(doc, s, "remaining", 0),
		cj_get_u64(doc, s, "active", 0));
	fprintf(f, "      CE id: 0, Session-id: %" PRIu64 "\n", cj_get_u64(doc, s, "id", 0));
	fprintf(f, "      Status Description: %s\n", cj_get_str(doc, s, "status_desc", "?"));
	fprintf(f, "      Local spi: %s       Remote spi: %s\n", cj_get_str(doc, s, "local_spi", "?"),
		cj_get_str(doc, s, "remote_spi", "?"));
	fprintf(f, "      Local id:");
	cli_ike_right(f, cj_get_str(doc, s, "local_id", ""), 18);
	fprintf(f, "        Remote id:");
	cli_ike_right(f, cj_get_str(doc, s, "peer_id", ""), 18);
	fputc('\n', f);
	fprintf(f, "      Local req mess id: %4" PRIu64 "           Remote req mess id: %" PRIu64 "\n",
		cj_get_u64(doc, s, "msgid_req_out", 0), cj_get_u64(doc, s, "msgid_req_in", 0));
	fprintf(f, "      Local next mess id: %4" PRIu64 "          Remote next mess id: %" PRIu64 "\n",
		ns, nr);
	fprintf(f, "      Local window: %4" PRIu64 "                Remote window: %" PRIu64 "\n",
		win, win);
	fprintf(f, "      DPD configured for %" PRIu64 " seconds\n", cj_get_u64(doc, s, "dpd_interval", 0));
	fprintf(f, "      %s\n", cli_ike_nat(cj_get_u64(doc, s, "nat_local", 0),
					 cj_get_u64(doc, s, "nat_remote", 0)));
	cli_ike_print_revoked(f, doc, s, "      ");
}

int cli_ike_print_session(FILE *f, const struct cj_doc *doc, const struct cj_value *s)
{
	const struct cj_value *c[CLI_IKE_CHILD_NCOLS];

	for (size_t k = 0; k < CLI_IKE_CHILD_NCOLS; k++) {
		c[k] = cj_member(doc, s, cli_ike_child_cols[k]);
		if (c[k] == NULL || c[k]->type != CJ_ARRAY || c[k]->n != c[0]->n)
			return -1;
	}
	fprintf(f, "Session-id:%" PRIu64 ", Status:%s, IKE count:%" PRIu64 ", CHILD count:%" PRIu64 "\n",
		cj_get_u64(doc, s, "id", 0), cj_get_str(doc, s, "status", "?"),
		cj_get_u64(doc, s, "ike_count", 1), cj_get_u64(doc, s, "child_count", 0));
	cli_ike_print_ike(f, doc, s);
	for (uint32_t i = 0; i < c[0]->n; i++)
		cli_ike_print_child(f, doc, c, i);
	if (cj_member(doc, s, "packets_in") != NULL)	/* the tunnel's totals, when sent */
		fprintf(f, "Tunnel totals: packets in/out %" PRIu64 "/%" PRIu64 ", bytes in/out %"
			PRIu64 "/%" PRIu64 ", drops in/out %" PRIu64 "/%" PRIu64 "\n",
			cj_get_u64(doc, s, "packets_in", 0), cj_get_u64(doc, s, "packets_out", 0),
			cj_get_u64(doc, s, "bytes_in", 0), cj_get_u64(doc, s, "bytes_out", 0),
			cj_get_u64(doc, s, "drops_in", 0), cj_get_u64(doc, s, "drops_out", 0));
	return 0;
}

static int cli_ike_session_row(struct cli_ctx *x, const struct cj_doc *doc,
			       const struct cj_value *obj, void *arg)
{
	unsigned *n = arg;

	if (x->json)
		return 0;
	if ((*n)++ > 0)
		fputc('\n', x->out);
	if (cli_ike_print_session(x->out, doc, obj) == 0)
		return 0;
	snprintf(x->err, sizeof(x->err), "/ipsecgw/ikev2/session: malformed reply");
	return -1;
}

int cli_show_ikev2_session_detail(struct cli_ctx *x)
{
	unsigned n = 0;
	int ret = cli_walk(x, "/ipsecgw/ikev2/sessions", "/ipsecgw/ikev2/session",
			   cli_ike_session_row, &n);

	if (ret == 0 && n == 0 && !x->json)
		fprintf(x->out, "no IKEv2 sessions\n");
	return ret;
}

/* ---- clear crypto session ---- */

static int cli_ike_clear(struct cli_ctx *x, const char *params)
{
	char cmd[CLI_CMD_MAX];
	struct cj_doc doc;
	const struct cj_value *b;

	snprintf(cmd, sizeof(cmd), "/ipsecgw/clear/crypto_session%s%s",
		 params != NULL ? "," : "", params != NULL ? params : "");
	if (cli_call(x, cmd, &doc, &b) != 0)
		return -1;
	if (!x->json)
		fprintf(x->out, "%" PRIu64 " IKEv2 sessions cleared\n", cj_get_u64(&doc, b, "cleared", 0));
	cj_free(&doc);
	return 0;
}

int cli_clear_crypto_session(struct cli_ctx *x)
{
	return cli_ike_clear(x, NULL);
}

int cli_clear_crypto_session_remote(struct cli_ctx *x)
{
	char p[CLI_CMD_MAX];
	unsigned char a[16];

	if (x->arg == NULL || strlen(x->arg) >= INET6_ADDRSTRLEN ||
	    (inet_pton(AF_INET, x->arg, a) != 1 && inet_pton(AF_INET6, x->arg, a) != 1)) {
		snprintf(x->err, sizeof(x->err), "clear crypto session remote: give an IPv4 or IPv6 address");
		return -1;
	}
	snprintf(p, sizeof(p), "remote=%s", x->arg);
	return cli_ike_clear(x, p);
}

int cli_clear_crypto_session_id(struct cli_ctx *x)
{
	char p[CLI_CMD_MAX];
	size_t n = x->arg != NULL ? strlen(x->arg) : 0;

	if (n == 0 || n > 20 || strspn(x->arg, "0123456789") != n) {
		snprintf(x->err, sizeof(x->err), "clear crypto session id: give a session id (a number)");
		return -1;
	}
	snprintf(p, sizeof(p), "id=%s", x->arg);
	return cli_ike_clear(x, p);
}

/* ---- crypto ikev2 rekey id N | child SPI ---- */

static int cli_ike_rekey(struct cli_ctx *x, const char *what, const char *key, bool hex_ok)
{
	char cmd[CLI_CMD_MAX];
	struct cj_doc doc;
	const struct cj_value *b;
	size_t n = x->arg != NULL ? strlen(x->arg) : 0;
	const char *digits = x->arg;

	if (hex_ok && n > 2 && (strncmp(x->arg, "0x", 2) == 0 || strncmp(x->arg, "0X", 2) == 0))
		digits = x->arg + 2;
	if (n == 0 || n > 20 ||
	    strspn(digits, digits != x->arg ? "0123456789abcdefABCDEF" : "0123456789") != strlen(digits)) {
		snprintf(x->err, sizeof(x->err), "crypto ikev2 rekey %s: give %s", what,
			 hex_ok ? "an inbound SPI (0xHEX or decimal)" : "a session id (a number)");
		return -1;
	}
	snprintf(cmd, sizeof(cmd), "/ipsecgw/ikev2/rekey,%s=%s", key, x->arg);
	if (cli_call(x, cmd, &doc, &b) != 0)
		return -1;
	if (!x->json)
		fprintf(x->out, "session %" PRIu64 ": %s started\n", cj_get_u64(&doc, b, "session", 0),
			cj_get_str(&doc, b, "started", "rekey"));
	cj_free(&doc);
	return 0;
}

int cli_crypto_ikev2_rekey_id(struct cli_ctx *x)
{
	return cli_ike_rekey(x, "id", "id", false);
}

int cli_crypto_ikev2_rekey_child(struct cli_ctx *x)
{
	return cli_ike_rekey(x, "child", "child", true);
}
