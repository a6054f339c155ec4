/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: telemetry command parameters, untrusted socket input.
 * tm_parse_start / tm_parse_id (controlplane/cp_tm_list.c) on every input,
 * then one real handler run with the input as its parameters through
 * tm_run_to_json (the reply rendered to JSON as the socket would send it):
 * the list, lookup, clear, rekey and switch commands of ikev2_tm.c,
 * ike_rev_tm.c and cp_tm_sa.c, and the packet capture's (cp_capture_tm.c:
 * capture/start's parameters parsed, then refused, since this data plane
 * has no capture pool: no file is ever made), on a control plane brought
 * up once the way test_ikev2_tm.c does (EAL --no-huge --no-pci, dp_init,
 * cp_sa_init, ike_rev_init, ikev2_init; two configured peers, no sessions).
 *
 * Input: octet 0 picks the handler, the rest are the parameters, copied
 * into an exact-size malloc buffer with their NUL.  An empty rest is run
 * both as "" and as NULL (no parameters).
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>

#include "cfg/cfg.h"
#include "common/gw_addr.h"
#include "controlplane/cp_capture.h"
#include "controlplane/cp_sa.h"
#include "controlplane/cp_tm.h"
#include "controlplane/cp_tm_sa.h"
#include "controlplane/ike/ike_rev.h"
#include "controlplane/ike/ike_rev_tm.h"
#include "controlplane/ikev2/ikev2.h"
#include "controlplane/ikev2/ikev2_tm.h"
#include "dataplane/dp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static const tm_handler_fn handlers[] = {
	ikev2_tm_sessions, ikev2_tm_session, ikev2_tm_sas, ikev2_tm_stats,
	ikev2_tm_clear, ikev2_tm_rekey, ikev2_tm_isakmp_peers, ikev2_tm_isakmp_peer,
	ike_rev_tm_summary, ike_rev_tm_events, ike_rev_tm_event, ike_rev_tm_ikev2,
	ike_rev_tm_isakmp, cp_tm_sa_drops, cp_tm_sa_list, cp_tm_sa_one, cp_tm_sa_stats,
	cp_tm_sa_clear, cp_capture_tm_status, cp_capture_tm_start, cp_capture_tm_stop,
};
enum { N_HANDLERS = sizeof(handlers) / sizeof(handlers[0]), JSON_MAX = 65536 };

static struct gw_cfg cfg;
static struct cfg_peer peers[2];

static void die(const char *what)
{
	fprintf(stderr, "fuzz_tm: %s\n", what);
	abort();
}

static void prefix(const char *s, struct gw_prefix *p)
{
	if (gw_prefix_parse(s, p) != 0)
		die(s);
}

static void iface(struct cfg_iface *i, const char *name, const char *port, const char *a4,
		  const char *a6)
{
	memset(i, 0, sizeof(*i));
	snprintf(i->name, sizeof(i->name), "%s", name);
	snprintf(i->port, sizeof(i->port), "%s", port);
	prefix(a4, &i->addrs[i->n_addrs++]);
	prefix(a6, &i->addrs[i->n_addrs++]);
}

static void peer(struct cfg_peer *p, const char *name, const char *remote)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->ike_version = 2;
	if (gw_addr_parse(remote, &p->remote) != 0)
		die(remote);
	snprintf(p->trustpoint, sizeof(p->trustpoint), "lab-ca");
	snprintf(p->ike_proposals[p->n_ike_proposals++], CFG_PROPOSAL_MAX, "aes256-sha256-ecp256");
	snprintf(p->esp_proposals[p->n_esp_proposals++], CFG_PROPOSAL_MAX, "aes128-sha1");
	prefix("192.168.10.0/24", &p->local_ts[p->n_local_ts++]);
	prefix("172.16.1.0/24", &p->remote_ts[p->n_remote_ts++]);
	p->initiate = CFG_INITIATE_NONE;
	p->ike_lifetime = 86400;
	p->child_lifetime = 3600;
	p->line = 1;
}

/* At exit: what the initialisation built, in the reverse order, so that
 * LeakSanitizer's final check sees only what the inputs leaked. */
static void teardown(void)
{
	ikev2_fini();
	ike_rev_fini();
	cp_sa_fini();
	dp_fini();
	rte_eal_cleanup();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char pfx[64];
	char *eal[] = { "fuzz_tm", "--no-huge", "-m", "512", "--no-pci", "-l", "0",
			"--log-level=*:error", "--vdev=net_null0,no-rx=1",
			"--vdev=net_null1,no-rx=1", pfx };

	(void)argc;
	(void)argv;
	snprintf(pfx, sizeof(pfx), "--file-prefix=fuzz_tm_%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])), eal) < 0)
		die("EAL init");
	cfg.workers = 1;
	cfg.n_ifaces = 2;
	iface(&cfg.ifaces[0], "outside", "net_null0", "10.10.0.1/24", "2001:db8:10::1/64");
	iface(&cfg.ifaces[1], "inside", "net_null1", "192.168.10.1/24", "2001:db8:20::1/64");
	snprintf(cfg.path, sizeof(cfg.path), "fuzz.conf");
	snprintf(cfg.pki.trustpoints[0].name, CFG_NAME_MAX, "lab-ca");
	cfg.pki.trustpoints[0].revocation_check = CFG_REVOCATION_CRL;
	cfg.pki.n_trustpoints = 1;
	cfg.crypto.ikev2.dpd_interval = 30;
	cfg.crypto.ikev2.cookie_threshold = 512;
	cfg.crypto.ikev2.max_half_open = 8192;
	peer(&peers[0], "swan1", "10.0.0.2");
	peer(&peers[1], "swan2", "10.0.0.3");
	cfg.peers = peers;
	cfg.n_peers = 2;
	if (dp_init(&cfg) != 0 || cp_sa_init(&cfg) != 0 || ike_rev_init(&cfg) != 0 ||
	    ikev2_init(&cfg) != 0)
		die("control plane init");
	atexit(teardown);
	return 0;
}

/* The strict parser of cp_tm.h on its own: what it accepts must read
 * back as the same text (no skipped byte, no second spelling). */
static void fuzz_tm_parsers(const char *p)
{
	char back[32];
	struct gw_addr a;
	const char *val;
	uint32_t spi;
	uint64_t u;
	bool b;

	if (tm_parse_u64(p, UINT64_MAX, &u) == 0 && (p[0] != '0' || p[1] == '\0')) {
		snprintf(back, sizeof(back), "%" PRIu64, u);
		if (strcmp(back, p) != 0)
			die("tm_parse_u64 accepted a second spelling");
	}
	if (tm_parse_spi(p, &spi) == 0 && spi == 0)
		die("tm_parse_spi accepted 0");
	if (tm_parse_bool(p, &b) == 0 && strcmp(p, b ? "1" : "0") != 0)
		die("tm_parse_bool accepted more than 0 or 1");
	if (tm_parse_name(p) == 0 &&
	    (strlen(p) > TM_NAME_MAX ||
	     strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(p)))
		die("tm_parse_name accepted a bad name");
	(void)tm_parse_addr(p, &a);
	if (tm_parse_kv(p, "id", &val) == 0 && (val != p + 3 || strncmp(p, "id=", 3) != 0))
		die("tm_parse_kv");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char json[JSON_MAX];
	tm_handler_fn fn;
	uint64_t v;
	char *params;

	if (size < 1 || size > 4096)
		return 0;
	fn = handlers[data[0] % N_HANDLERS];
	params = malloc(size);
	if (params == NULL)
		return 0;
	memcpy(params, data + 1, size - 1);
	params[size - 1] = '\0';
	(void)tm_parse_start(params, &v);
	(void)tm_parse_id(params, &v);
	fuzz_tm_parsers(params);
	if (tm_run_to_json(fn, params, json, sizeof(json)) < 0)
		die("reply does not render");
	if (size == 1 && tm_run_to_json(fn, NULL, json, sizeof(json)) < 0)
		die("reply does not render (no parameters)");
	free(params);
	return 0;
}
