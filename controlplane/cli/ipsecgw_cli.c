/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ipsecgw-cli: a client for the gateway's DPDK telemetry socket.
 *
 *   ipsecgw-cli [--file-prefix P | --socket PATH] [--json] show WORDS...
 *   ipsecgw-cli [--file-prefix P | --socket PATH] crypto pki crl request TRUSTPOINT
 *   ipsecgw-cli [--file-prefix P | --socket PATH] clear crypto sa NAME
 *   ipsecgw-cli [--file-prefix P | --socket PATH] clear crypto session [remote ADDR | id N]
 *   ipsecgw-cli [--file-prefix P | --socket PATH] crypto ikev2 rekey {id N | child SPI}
 *   ipsecgw-cli [--file-prefix P | --socket PATH] [no] crypto {ikev2|isakmp} disconnect-revoked-peers
 *   ipsecgw-cli [--file-prefix P | --socket PATH] reload
 *   ipsecgw-cli [--file-prefix P | --socket PATH] capture start [OPTIONS] | capture stop
 *   ipsecgw-cli [--file-prefix P | --socket PATH] --raw CMD
 *
 * Words may be abbreviated while they stay unambiguous ("sh ip ro").
 * A command's argument is checked before anything is sent, by the
 * gateway's own rules (controlplane/cp_tm.h): a NAME or TRUSTPOINT is 1 to
 * 31 of A-Z a-z 0-9 _ -, an N a decimal without sign or spaces, a HANDLE
 * a decimal below 2^32, an SPI 0xHEX or decimal (not 0), an ADDR an IPv4
 * or IPv6 address.
 * Exit status: 0 ok, 1 error reply or connection failure, 2 usage (a bad
 * argument included).
 */

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controlplane/cli/cli_capture.h"
#include "controlplane/cli/cli_ike.h"
#include "controlplane/cli/cli_isakmp.h"
#include "controlplane/cli/cli_pki.h"
#include "controlplane/cli/cli_reload.h"
#include "controlplane/cli/cli_rev.h"
#include "controlplane/cli/cli_sa.h"
#include "controlplane/cli/cli_show.h"

enum {
	CLI_MAX_WORDS = 5,
	CLI_NAME_MAX = 31,		/* the configuration's names */
	CLI_U64_DIGITS = 20,
	CLI_SPI_HEX = 8,
};

struct cli_cmd {
	const char *words[CLI_MAX_WORDS];	/* NULL-terminated */
	const char *arg;			/* one argument after the words, NULL = none */
	cli_show_fn fn;
	const char *help;
};

static const struct cli_cmd cli_cmds[] = {
	{ { "show", "version" }, NULL, cli_show_version, "gateway and DPDK versions, uptime" },
	{ { "show", "interfaces" }, NULL, cli_show_interfaces, "addresses, link and port counters" },
	{ { "show", "controllers" }, NULL, cli_show_controllers,
	  "extended port counters (driver xstats) of every interface" },
	{ { "show", "arp" }, NULL, cli_show_arp, "IPv4 neighbours" },
	{ { "show", "ipv6", "neighbors" }, NULL, cli_show_ipv6_neighbors, "IPv6 neighbours" },
	{ { "show", "ip", "route" }, NULL, cli_show_ip_route, "IPv4 routes" },
	{ { "show", "ipv6", "route" }, NULL, cli_show_ipv6_route, "IPv6 routes" },
	{ { "show", "ipsecgw", "stats" }, NULL, cli_show_stats, "data-plane and control-plane counters" },
	{ { "show", "crypto", "pki", "trustpoints" }, NULL, cli_show_pki_trustpoints,
	  "trustpoints: CAs, CRL URLs, download schedule" },
	{ { "show", "crypto", "pki", "crls" }, NULL, cli_show_pki_crls,
	  "CRLs per issuer: numbers, times, source, download counters" },
	{ { "show", "crypto", "pki", "certificates" }, NULL, cli_show_pki_certificates,
	  "our certificates and the CAs: subject, serial, validity, days left" },
	{ { "crypto", "pki", "crl", "request" }, "TRUSTPOINT", cli_pki_crl_request,
	  "download the trustpoint's CRLs now" },
	{ { "show", "crypto", "ipsec", "sa" }, NULL, cli_show_ipsec_sa,
	  "ESP SAs: name, handle, direction, SPI, algorithm, peer, counters" },
	{ { "show", "crypto", "ipsec", "sa", "detail" }, "HANDLE", cli_show_ipsec_sa_detail,
	  "one ESP SA in full: sequence, window, lifetimes, drops" },
	{ { "show", "ipsecgw", "drops" }, NULL, cli_show_drops,
	  "data-plane drop reasons (totals over workers)" },
	{ { "clear", "crypto", "sa" }, "NAME", cli_clear_sa,
	  "retire a manual SA pair; its policy stays (traffic dropped)" },
	{ { "show", "crypto", "ikev2", "sa" }, NULL, cli_show_ikev2_sa,
	  "IKEv2 SAs: tunnel, endpoints, status, suite, lifetime" },
	{ { "show", "crypto", "ikev2", "session", "detail" }, NULL, cli_show_ikev2_session_detail,
	  "IKEv2 sessions in full: SPIs, ids, timers, NAT-T, CHILD SAs" },
	{ { "clear", "crypto", "session" }, NULL, cli_clear_crypto_session,
	  "delete every IKEv2 session (DELETE sent, SAs retired)" },
	{ { "clear", "crypto", "session", "remote" }, "ADDR", cli_clear_crypto_session_remote,
	  "delete the IKEv2 sessions to peer address ADDR" },
	{ { "clear", "crypto", "session", "id" }, "N", cli_clear_crypto_session_id,
	  "delete IKEv2 session N" },
	{ { "crypto", "ikev2", "rekey", "id" }, "N", cli_crypto_ikev2_rekey_id,
	  "rekey session N's IKE SA now (as swanctl --rekey --ike-id; no Cisco command)" },
	{ { "crypto", "ikev2", "rekey", "child" }, "SPI", cli_crypto_ikev2_rekey_child,
	  "rekey the CHILD SA of inbound SPI now (as swanctl --rekey --child; no Cisco command)" },
	{ { "crypto", "ikev2", "disconnect-revoked-peers" }, NULL, cli_crypto_ikev2_drp,
	  "delete IKEv2 sessions whose peer certificate a new CRL revokes (checks live ones now)" },
	{ { "no", "crypto", "ikev2", "disconnect-revoked-peers" }, NULL, cli_no_crypto_ikev2_drp,
	  "leave IKEv2 sessions up when a new CRL revokes their peer (new ones are still refused)" },
	{ { "crypto", "isakmp", "disconnect-revoked-peers" }, NULL, cli_crypto_isakmp_drp,
	  "the same for IKEv1 (ISAKMP) sessions" },
	{ { "no", "crypto", "isakmp", "disconnect-revoked-peers" }, NULL, cli_no_crypto_isakmp_drp,
	  "the same for IKEv1 (ISAKMP) sessions" },
	{ { "show", "crypto", "pki", "revocation" }, NULL, cli_show_pki_revocation,
	  "disconnect-revoked-peers: switches, totals, one row per CRL check" },
	{ { "show", "crypto", "isakmp", "peers" }, NULL, cli_show_isakmp_peers,
	  "IKEv1 peers: address, port, phase-1 id, Disconnect Revoked Peer" },
	{ { "show", "crypto", "isakmp", "sa" }, NULL, cli_show_isakmp_sa,
	  "ISAKMP (IKEv1) SAs: dst, src, state, conn-id, status" },
	{ { "reload" }, NULL, cli_reload,
	  "re-read the configuration file and apply what changed (as SIGHUP)" },
	{ { "show", "ipsecgw", "reload" }, NULL, cli_show_reload,
	  "configuration reloads: totals, the last one's report or errors" },
	{ { "show", "capture" }, NULL, cli_show_capture,
	  "packet capture: running or last, file, packets, bytes, drops" },
	{ { "capture", "start" }, NULL, cli_capture_start,
	  "capture every interface, both directions, to a new pcapng file" },
	{ { "capture", "start" }, "OPTIONS", cli_capture_start,
	  "iface=NAME|any,dir=rx|tx|both,file=NAME,max_packets=N,max_bytes=N,snaplen=N" },
	{ { "capture", "stop" }, NULL, cli_capture_stop, "stop the packet capture" },
};

#define CLI_NCMDS (sizeof(cli_cmds) / sizeof(cli_cmds[0]))

/* ---- arguments, checked before connecting ---- */

/* A plain decimal <= max: digits only, 1 to 20 of them, no overflow. */
static bool cli_arg_dec(const char *s, uint64_t max)
{
	size_t n = strspn(s, "0123456789");
	uint64_t v = 0;

	if (n == 0 || s[n] != '\0' || n > CLI_U64_DIGITS)
		return false;
	for (; *s != '\0'; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	return v <= max;
}

static bool cli_arg_id(const char *s)
{
	return cli_arg_dec(s, UINT64_MAX);
}

static bool cli_arg_handle(const char *s)
{
	return cli_arg_dec(s, UINT32_MAX - 1);
}

static bool cli_arg_name(const char *s)
{
	size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");

	return n > 0 && s[n] == '\0' && n <= CLI_NAME_MAX;
}

static bool cli_arg_spi(const char *s)
{
	size_t n;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		n = strspn(s, "0123456789abcdefABCDEF");
		return n > 0 && s[n] == '\0' && n <= CLI_SPI_HEX && strspn(s, "0") != n;
	}
	return cli_arg_dec(s, UINT32_MAX) && strspn(s, "0") != strlen(s);
}

static bool cli_arg_addr(const char *s)
{
	unsigned char a[16];

	return strlen(s) < INET6_ADDRSTRLEN &&
	       (inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1);
}

/* What each argument name of cli_cmds[] must look like. */
static const struct {
	const char *arg;
	bool (*ok)(const char *s);
	const char *form;
} cli_args[] = {
	{ "NAME", cli_arg_name, "1 to 31 characters of A-Z a-z 0-9 _ -" },
	{ "TRUSTPOINT", cli_arg_name, "1 to 31 characters of A-Z a-z 0-9 _ -" },
	{ "N", cli_arg_id, "an unsigned decimal number" },
	{ "HANDLE", cli_arg_handle, "an unsigned decimal number below 4294967295" },
	{ "SPI", cli_arg_spi, "0x and 1 to 8 hex digits, or a decimal below 2^32; not 0" },
	{ "ADDR", cli_arg_addr, "an IPv4 or IPv6 address" },
	{ "OPTIONS", cli_capture_opts_ok, "KEY=VALUE[,KEY=VALUE...] of A-Z a-z 0-9 _ . / -" },
};

/* 0, or -1 with a message on stderr: val is not what arg asks for (an
 * argument name with no rule is refused too: fail closed). */
static int cli_arg_check(const char *prog, const char *arg, const char *val)
{
	for (size_t i = 0; i < sizeof(cli_args) / sizeof(cli_args[0]); i++) {
		if (strcmp(cli_args[i].arg, arg) != 0)
			continue;
		if (cli_args[i].ok(val))
			return 0;
		fprintf(stderr, "%s: bad %s '%.64s': expected %s\n", prog, arg, val, cli_args[i].form);
		return -1;
	}
	fprintf(stderr, "%s: no rule for the argument %s\n", prog, arg);
	return -1;
}

static void cli_usage(FILE *f, const char *prog)
{
	fprintf(f, "usage: %s [--file-prefix P | --socket PATH] [--json] COMMAND\n"
		"       %s [--file-prefix P | --socket PATH] --raw TELEMETRY-COMMAND\n"
		"  -f, --file-prefix P  the gateway's EAL --file-prefix (default \"rte\");\n"
		"                       the socket is <runtime dir>/dpdk/P/dpdk_telemetry.v2\n"
		"  -s, --socket PATH    the telemetry socket itself\n"
		"  -j, --json           print the raw replies (a JSON array) instead of tables\n"
		"  -r, --raw CMD        send one telemetry command (e.g. /ipsecgw/stats)\n"
		"commands (words may be abbreviated):\n", prog, prog);
	for (size_t i = 0; i < CLI_NCMDS; i++) {
		char line[64] = "";

		for (int w = 0; w < CLI_MAX_WORDS && cli_cmds[i].words[w] != NULL; w++) {
			strncat(line, w > 0 ? " " : "", sizeof(line) - strlen(line) - 1);
			strncat(line, cli_cmds[i].words[w], sizeof(line) - strlen(line) - 1);
		}
		if (cli_cmds[i].arg != NULL) {
			strncat(line, " ", sizeof(line) - strlen(line) - 1);
			strncat(line, cli_cmds[i].arg, sizeof(line) - strlen(line) - 1);
		}
		fprintf(f, "  %-38s %s\n", line, cli_cmds[i].help);
	}
}

static int cli_nwords(const struct cli_cmd *c)
{
	int n = 0;

	while (n < CLI_MAX_WORDS && c->words[n] != NULL)
		n++;
	return n;
}

/*
 * The one command the words name: word by word, an exact match beats
 * abbreviations ("ip" is not "ipv6"); a command's argument, last, matches
 * anything.  NULL when none or ambiguous.
 */
static const struct cli_cmd *cli_match(int argc, char **argv)
{
	bool alive[CLI_NCMDS];
	const struct cli_cmd *found = NULL;
	unsigned left = 0;

	for (size_t i = 0; i < CLI_NCMDS; i++)
		alive[i] = cli_nwords(&cli_cmds[i]) + (cli_cmds[i].arg != NULL) == argc;
	for (int w = 0; w < argc; w++) {
		size_t n = strlen(argv[w]);
		bool exact = false;

		for (size_t i = 0; i < CLI_NCMDS; i++)
			exact |= alive[i] && w < cli_nwords(&cli_cmds[i]) &&
				 strcmp(cli_cmds[i].words[w], argv[w]) == 0;
		for (size_t i = 0; i < CLI_NCMDS; i++) {
			const char *word;

			if (!alive[i] || w >= cli_nwords(&cli_cmds[i]))
				continue;	/* dead, or at its argument */
			word = cli_cmds[i].words[w];
			alive[i] = n > 0 && (exact ? strcmp(word, argv[w]) == 0
					     : strncmp(word, argv[w], n) == 0);
		}
	}
	for (size_t i = 0; i < CLI_NCMDS; i++) {
		if (alive[i]) {
			found = &cli_cmds[i];
			left++;
		}
	}
	return left == 1 ? found : NULL;
}

struct cli_opts {
	const char *prefix;
	const char *socket;
	const char *raw;
	bool json;
};

/* Options into o; the index of the first command word, or -1 (usage). */
static int cli_parse_opts(int argc, char **argv, struct cli_opts *o)
{
	static const struct option opts[] = {
		{ "file-prefix", required_argument, NULL, 'f' },
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "raw", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "+f:s:jr:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			o->prefix = optarg;
			break;
		case 's':
			o->socket = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 'r':
			o->raw = optarg;
			break;
		case 'h':
			cli_usage(stdout, argv[0]);
			exit(0);
		default:
			return -1;
		}
	}
	if (o->prefix != NULL && o->socket != NULL) {
		fprintf(stderr, "%s: --file-prefix and --socket exclude each other\n", argv[0]);
		return -1;
	}
	if ((o->raw != NULL) == (optind < argc)) {
		fprintf(stderr, "%s: give either a command or --raw\n", argv[0]);
		return -1;
	}
	return optind;
}

int main(int argc, char **argv)
{
	struct cli_opts o = { 0 };
	struct cli_ctx x = { .out = stdout };
	const struct cli_cmd *cmd = NULL;
	char path[4096];
	int first, ret;

	first = cli_parse_opts(argc, argv, &o);
	if (first < 0) {
		cli_usage(stderr, argv[0]);
		return 2;
	}
	if (o.raw == NULL) {
		cmd = cli_match(argc - first, argv + first);
		if (cmd == NULL) {
			fprintf(stderr, "%s: unknown or ambiguous command\n", argv[0]);
			cli_usage(stderr, argv[0]);
			return 2;
		}
	}
	if (o.socket != NULL) {
		snprintf(path, sizeof(path), "%s", o.socket);
	} else if ((ret = cli_socket_path(o.prefix != NULL ? o.prefix : "rte", path, sizeof(path))) != 0) {
		fprintf(stderr, "%s: bad --file-prefix '%s': %s\n", argv[0],
			o.prefix != NULL ? o.prefix : "rte", ret == -EINVAL ? "empty or contains '/'" : strerror(-ret));
		return 2;
	}
	x.json = o.json;
	if (cmd != NULL && cmd->arg != NULL) {
		x.arg = argv[argc - 1];
		if (cli_arg_check(argv[0], cmd->arg, x.arg) != 0)
			return 2;
	}
	if (cli_connect(&x.conn, path, x.err, sizeof(x.err)) != 0) {
		fprintf(stderr, "%s: %s\n", argv[0], x.err);
		return 1;
	}
	ret = o.raw != NULL ? cli_raw(&x, o.raw) : cmd->fn(&x);
	cli_json_end(&x);
	if (ret != 0)
		fprintf(stderr, "%s: %s\n", argv[0], x.err);
	cli_close(&x.conn);
	if (fflush(stdout) != 0)
		return 1;
	return ret != 0 ? 1 : 0;
}
