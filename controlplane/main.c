/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ipsecgw: EAL, ports and lcore launch, then the control-plane loop.
 * The only place that may rte_exit().
 *
 *   ipsecgw -c FILE [--check] [-- EAL args]
 *
 * EAL arguments come from the configuration's "eal" list; those after "--"
 * are appended (so a test can add --file-prefix).  Without an lcore option
 * the main lcore and the workers get "-l 0-<workers>".
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>

#include "cfg/cfg.h"
#include "common/gw_event.h"
#include "common/gw_log.h"
#include "controlplane/cp.h"
#include "controlplane/cp_stats.h"
#include "controlplane/pki/pki.h"
#include "controlplane/tm_socket.h"
#include "dataplane/dp.h"
#include "dataplane/dp_stats.h"

static void usage(FILE *f, const char *prog)
{
	fprintf(f, "usage: %s -c FILE [--check] [-- EAL args]\n"
		"  -c, --config FILE  configuration (libconfig)\n"
		"  -t, --check        validate the configuration and exit 0 or 1\n"
		"  -V, --version      print the version\n", prog);
}

static bool has_lcore_opt(int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-l") == 0 || strcmp(a, "-c") == 0 ||
		    strncmp(a, "--lcores", 8) == 0 || strncmp(a, "-l", 2) == 0)
			return true;
	}
	return false;
}

/* argv for rte_eal_init: prog, cfg->eal..., extra..., [-l 0-N].  Pointers only. */
static char **build_eal_argv(const struct gw_cfg *cfg, char *prog, int extra_argc,
			     char **extra_argv, char *lcores, int *out_argc)
{
	int n = 0;
	char **argv = calloc((size_t)(cfg->eal_argc + extra_argc + 4), sizeof(*argv));

	if (argv == NULL)
		return NULL;
	argv[n++] = prog;
	for (int i = 0; i < cfg->eal_argc; i++)
		argv[n++] = cfg->eal_argv[i];
	for (int i = 0; i < extra_argc; i++)
		argv[n++] = extra_argv[i];
	if (!has_lcore_opt(n - 1, argv + 1)) {
		snprintf(lcores, 32, "0-%u", cfg->workers);
		argv[n++] = (char *)"-l";
		argv[n++] = lcores;
	}
	*out_argc = n;
	return argv;
}

static void print_final_counters(void)
{
	struct dp_lcore_stats sum;

	dp_stats_sum(&sum);
	printf("ipsecgw: final counters\n");
	for (int i = 0; i < DP_C_MAX; i++)
		if (sum.c[i] != 0)
			printf("  %-24s %" PRIu64 "\n", dp_counter_name(i), sum.c[i]);
	for (int i = 0; i < CP_C_MAX; i++)
		if (cp_stats[i] != 0)
			printf("  %-24s %" PRIu64 "\n", cp_counter_name(i), cp_stats[i]);
	fflush(stdout);
}

struct main_opts {
	const char *path;
	bool check;
};

/* 0 = run, 1 = exit 0 (help/version), -1 = usage error. */
static int parse_args(int argc, char **argv, struct main_opts *o)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "+c:tVh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			o->path = optarg;
			break;
		case 't':
			o->check = true;
			break;
		case 'V':
			printf("ipsecgw %s\n", GW_VERSION);
			return 1;
		case 'h':
			usage(stdout, argv[0]);
			return 1;
		default:
			usage(stderr, argv[0]);
			return -1;
		}
	}
	if (o->path == NULL) {
		usage(stderr, argv[0]);
		return -1;
	}
	return 0;
}

/* EAL up, data plane, control plane, workers; run until a signal; tear down. */
static void run(struct gw_cfg *cfg, int eal_argc, char **eal_argv)
{
	sigset_t sigs;
	int ret;

	/* Every thread EAL creates inherits this mask; the CP takes the
	 * signals through a signalfd.  The telemetry socket is created under
	 * this umask and then given the configured mode and group. */
	cp_signal_set(&sigs);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	umask(077);

	ret = rte_eal_init(eal_argc, eal_argv);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "EAL init failed: %s\n", rte_strerror(rte_errno));
	rte_log_set_level_pattern("ipsecgw.*", (uint32_t)cfg->log_level);

	if (rte_lcore_count() < cfg->workers + 1)
		rte_exit(EXIT_FAILURE, "need %u lcores (1 control + %u workers), EAL has %u\n",
			 cfg->workers + 1, cfg->workers, rte_lcore_count());
	ret = tm_socket_apply(&cfg->telemetry);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "telemetry socket: %s\n", strerror(-ret));
	if (cfg->events.syslog && (ret = gw_event_open(cfg->events.syslog_socket)) != 0)
		GW_LOG(main, WARNING, "events: no syslog socket: %s", strerror(-ret));
	ret = dp_init(cfg);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "data plane init failed: %s\n", strerror(-ret));
	ret = cp_init(cfg);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "control plane init failed: %s\n", strerror(-ret));
	ret = dp_launch();
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "worker launch failed: %s\n", strerror(-ret));

	GW_LOG(main, NOTICE, "ipsecgw %s running: %u interfaces, %u workers",
	       GW_VERSION, dp_nb_ifaces(), dp_nb_workers());
	cp_run();

	GW_LOG(main, NOTICE, "shutting down");
	dp_stop();
	print_final_counters();
	cp_fini();
	dp_fini();
	rte_eal_cleanup();
}

int main(int argc, char **argv)
{
	struct main_opts o = { NULL, false };
	struct gw_cfg cfg;
	char err[CFG_ERR_MAX];
	char lcores[32];
	char **eal_argv;
	int eal_argc = 0, ret;

	ret = parse_args(argc, argv, &o);
	if (ret != 0)
		return ret > 0 ? 0 : 2;
	if (cfg_load(o.path, &cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (o.check && pki_check(&cfg.pki) != 0) {
		fprintf(stderr, "%s: the PKI files do not load (see above)\n", o.path);
		cfg_free(&cfg);
		return 1;
	}
	if (o.check) {
		printf("%s: configuration OK (%u interfaces, %u routes, %u neighbors)\n",
		       o.path, cfg.n_ifaces, cfg.n_routes, cfg.n_neighbors);
		cfg_free(&cfg);
		return 0;
	}
	eal_argv = build_eal_argv(&cfg, argv[0], argc - optind, argv + optind, lcores, &eal_argc);
	if (eal_argv == NULL) {
		cfg_free(&cfg);
		return 1;
	}
	run(&cfg, eal_argc, eal_argv);
	free(eal_argv);
	cfg_free(&cfg);
	return 0;
}
