/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ESP benchmark, one core: the in-process pipeline (bench_esp_pipe.c)
 * against the raw intel-ipsec-mb ceiling (bench_esp_ceil.c), in the same
 * process and the same minutes.
 *
 * This machine's speed swings 3-5x from minute to minute, so every figure
 * is a ratio: for each cell (direction, algorithm, frame size, SA count)
 * the tool alternates about 1 s of ceiling and about 1 s of pipeline, at
 * least 7 pairs, and reports the median of the per-pair ratios with their
 * min and max, next to each side's median Mpps, Gbps (of plain frame
 * bytes) and TSC cycles per packet.  Targets are printed, not asserted.
 *
 *   bench_esp [--quick] [--seconds S] [--pairs N] [--dir enc,dec]
 *             [--alg gcm,cbc] [--size 64,512,1420] [--sas 1,1000,100000]
 *             [--no-spd] [--job-api] [--mem MB]
 *   bench_esp --ceiling-only --dir D --alg A --size N [--seconds S]
 *             [--windows N] [--job-api]        (no EAL: for bench.sh)
 *   bench_esp --write-pcap FILE --dir D --alg A --size N --count N
 *             --mac MAC [--spi N --enc-key HEX [--auth-key HEX]]
 *
 * Exit status 0, or 1 when set-up fails or the pipeline drops a packet
 * (each cell first checks one round end to end, bytes compared).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <intel-ipsec-mb.h>
#include <rte_eal.h>
#include <rte_version.h>

#include "cfg/cfg.h"
#include "common/gw_ct.h"
#include "dataplane/dp.h"
#include "test/bench/bench_esp.h"

enum { LIST_MAX = 8, PAIRS_MAX = 64 };

struct list {
	unsigned v[LIST_MAX];
	unsigned n;
};

struct opts {
	double seconds;
	unsigned pairs;
	struct list dirs, algs, sizes, sas;	/* dirs: 0 enc 1 dec; algs: enum esp_alg */
	bool use_spd;
	bool job_api;
	unsigned mem;
	/* --ceiling-only */
	bool ceiling_only;
	unsigned windows;
	/* --write-pcap */
	struct bench_pcap_args pcap;
	bool write_pcap;
};

/* One cell's outcome. */
struct cell {
	double ratio_med, ratio_min, ratio_max;
	double pipe_mpps, ceil_mpps, pipe_cyc, ceil_cyc;
};

double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *bench_alg_word(enum esp_alg alg)
{
	return gw_esp_alg_name(alg);
}

void bench_geom(const struct bench_spec *s, struct bench_geom *g)
{
	bool gcm = gw_esp_alg_is_aead(s->alg);
	unsigned align = gcm ? 4 : 16;

	g->inner_len = s->frame_len - 14;
	g->ct_len = g->inner_len + 2 + (align - (g->inner_len + 2) % align) % align;
	g->iv_len = gcm ? 8 : 16;
	g->icv_len = 16;
	g->auth_len = 8 + g->iv_len + g->ct_len;
	g->esp_len = g->auth_len + g->icv_len;
}

static double gbps(const struct bench_spec *s, double mpps)
{
	return mpps * s->frame_len * 8 / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(const double *v, unsigned n)
{
	double s[PAIRS_MAX];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* The paired estimator over one cell.  0 or -EIO. */
static int cell_measure(struct bench_ceil *c, struct bench_pipe *p, const struct opts *o,
			struct cell *out)
{
	double ratio[PAIRS_MAX], pm[PAIRS_MAX], cm[PAIRS_MAX], pc[PAIRS_MAX], cc[PAIRS_MAX];
	struct bench_rate rc, rp;

	/* Warm-up: caches, branch predictors, the CPU's clock. */
	if (bench_ceil_run(c, o->seconds / 5, &rc) != 0 || bench_pipe_run(p, o->seconds / 5, &rp) != 0)
		return -EIO;
	for (unsigned i = 0; i < o->pairs; i++) {
		if (bench_ceil_run(c, o->seconds, &rc) != 0 || bench_pipe_run(p, o->seconds, &rp) != 0)
			return -EIO;
		cm[i] = bench_mpps(&rc);
		pm[i] = bench_mpps(&rp);
		cc[i] = bench_cycles(&rc);
		pc[i] = bench_cycles(&rp);
		ratio[i] = cm[i] > 0 ? pm[i] / cm[i] : 0;
	}
	out->ratio_med = median(ratio, o->pairs);
	out->ratio_min = out->ratio_max = ratio[0];
	for (unsigned i = 1; i < o->pairs; i++) {
		out->ratio_min = ratio[i] < out->ratio_min ? ratio[i] : out->ratio_min;
		out->ratio_max = ratio[i] > out->ratio_max ? ratio[i] : out->ratio_max;
	}
	out->pipe_mpps = median(pm, o->pairs);
	out->ceil_mpps = median(cm, o->pairs);
	out->pipe_cyc = median(pc, o->pairs);
	out->ceil_cyc = median(cc, o->pairs);
	return 0;
}

/* The target for a 1-SA cell, or 0 when it has none. */
static double cell_target(const struct bench_spec *s)
{
	if (!gw_esp_alg_is_aead(s->alg) || s->n_sas != 1)
		return 0;
	return s->frame_len == 1420 ? 0.85 : s->frame_len == 64 ? 0.5 : 0;
}

static void cell_print(const struct bench_spec *s, const struct cell *r)
{
	double t = cell_target(s);
	char tgt[32] = "";

	if (t > 0)
		snprintf(tgt, sizeof(tgt), "  (target >= %.2f)", t);
	printf("%s %-13s %5u %6u | %7.3f %7.2f %7.0f | %7.3f %7.2f %7.0f | %.3f [%.3f %.3f]%s\n",
	       s->decrypt ? "dec" : "enc", bench_alg_word(s->alg), s->frame_len, s->n_sas,
	       r->pipe_mpps, gbps(s, r->pipe_mpps), r->pipe_cyc, r->ceil_mpps,
	       gbps(s, r->ceil_mpps), r->ceil_cyc, r->ratio_med, r->ratio_min, r->ratio_max, tgt);
	fflush(stdout);
}

/* Scale: each SA count's ratio over the 1-SA ratio of the same cell. */
static void scale_print(const struct bench_spec *s, const struct opts *o, const struct cell *rs)
{
	const struct cell *one = NULL;

	for (unsigned k = 0; k < o->sas.n; k++)
		if (o->sas.v[k] == 1)
			one = &rs[k];
	if (one == NULL || one->ratio_med <= 0)
		return;
	for (unsigned k = 0; k < o->sas.n; k++) {
		if (o->sas.v[k] == 1)
			continue;
		printf("  scale %s %s %uB: %u SAs / 1 SA = %.3f%s\n", s->decrypt ? "dec" : "enc",
		       bench_alg_word(s->alg), s->frame_len, o->sas.v[k],
		       rs[k].ratio_med / one->ratio_med,
		       s->frame_len == 1420 && o->sas.v[k] == BENCH_SAS_MAX ?
		       "  (target >= 0.80)" : "");
	}
}

/* Every cell of one direction and algorithm; results[size][sas]. */
static int run_dir_alg(const struct opts *o, bool decrypt, enum esp_alg alg)
{
	struct cell res[LIST_MAX][LIST_MAX];
	int ret = 0;

	for (unsigned k = 0; k < o->sas.n && ret == 0; k++) {
		struct bench_spec s = { .alg = alg, .n_sas = o->sas.v[k], .decrypt = decrypt };

		for (unsigned z = 0; z < o->sizes.n && ret == 0; z++) {
			struct bench_pipe *p;
			struct bench_ceil *c;

			s.frame_len = o->sizes.v[z];
			p = bench_pipe_create(&s, o->use_spd);
			c = bench_ceil_create(&s, o->job_api);
			ret = p == NULL || c == NULL ? -EIO : cell_measure(c, p, o, &res[z][k]);
			if (ret == 0)
				cell_print(&s, &res[z][k]);
			else
				fprintf(stderr, "bench_esp: %s %s %u B, %u SAs failed\n",
					decrypt ? "decrypt" : "encrypt", bench_alg_word(alg),
					s.frame_len, s.n_sas);
			bench_ceil_free(c);
			bench_pipe_free(p);
		}
	}
	for (unsigned z = 0; z < o->sizes.n && ret == 0; z++) {
		struct bench_spec s = { .alg = alg, .frame_len = o->sizes.v[z], .decrypt = decrypt };
		struct cell col[LIST_MAX];

		for (unsigned k = 0; k < o->sas.n; k++)
			col[k] = res[z][k];
		scale_print(&s, o, col);
	}
	return ret;
}

static void print_header(const struct opts *o, const char *arch)
{
	char cpu[128] = "?";
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "model name", 10) == 0 && strchr(line, ':') != NULL) {
			snprintf(cpu, sizeof(cpu), "%s", strchr(line, ':') + 2);
			cpu[strcspn(cpu, "\n")] = '\0';
			break;
		}
	}
	if (f != NULL)
		fclose(f);
	printf("ESP benchmark, one core: in-process pipeline vs raw intel-ipsec-mb %s (%s)\n",
	       IMB_VERSION_STR, arch);
	printf("  %ld CPUs: %s; %s; built %s-march=native\n", sysconf(_SC_NPROCESSORS_ONLN), cpu,
	       rte_version(), BENCH_NATIVE ? "with " : "without ");
	printf("  EAL -m %u (--no-huge); %u pairs of %.2f s ceiling + %.2f s pipeline per cell\n",
	       o->mem, o->pairs, o->seconds, o->seconds);
	printf("  size = plain Ethernet frame (inner IPv4/UDP packet + 14), Gbps of those bytes\n");
	printf("  ceiling: %s, %u jobs of the same algorithm, direction and ESP byte counts, one key\n",
	       o->job_api ? "IMB_SUBMIT_JOB/IMB_FLUSH_JOB" : "IMB_SUBMIT_BURST/IMB_FLUSH_BURST",
	       BENCH_BURST);
	printf("  pipeline, per burst of %u: enc: mbuf reset + 42-byte header rewrite, %s, "
	       "dp_tunnel_out_sa + esp_sa_get, esp_out_burst\n", BENCH_BURST,
	       o->use_spd ? "SPD lookup (dp_spd_lookup4, staged bulk when large)" :
			    "tunnel from a table (--no-spd)");
	printf("                            dec: whole ESP frame copied into the mbuf, "
	       "esp_sa_lookup_in_bulk + esp_sa_get, esp_in_burst\n");
	printf("  decrypt: benchmark-only replay check OFF on its SAs (dp_sa_bench_no_replay): "
	       "the same packets are replayed every round\n");
	printf("dir alg            size    SAs |  pipe: Mpps    Gbps cyc/pkt | ceil: Mpps    Gbps "
	       "cyc/pkt | ratio median [min max]\n");
	fflush(stdout);
}

/* EAL for the pipeline or the pcap writer, in memory, with two null ports. */
static int eal_start(const struct opts *o)
{
	char mem[16], prefix[64];
	char *argv[] = { "bench_esp", "--no-huge", "-m", mem, "--no-pci", "--no-shconf",
			 "--no-telemetry", "--log-level=*:warning", prefix,
			 "--vdev=net_null0,no-rx=1", "--vdev=net_null1,no-rx=1", NULL };

	snprintf(mem, sizeof(mem), "%u", o->mem);
	snprintf(prefix, sizeof(prefix), "--file-prefix=bench_esp_%d", (int)getpid());
	optind = 1;	/* EAL parses with getopt too: after ours */
	return rte_eal_init((int)RTE_DIM(argv) - 1, argv) < 0 ? -1 : 0;
}

static void iface(struct cfg_iface *i, const char *name, const char *port, const char *addr)
{
	snprintf(i->name, sizeof(i->name), "%s", name);
	snprintf(i->port, sizeof(i->port), "%s", port);
	gw_prefix_parse(addr, &i->addrs[i->n_addrs++]);
}

static int run_matrix(const struct opts *o)
{
	static struct gw_cfg cfg;
	struct bench_spec s0 = { .alg = ESP_ALG_AES128GCM16, .frame_len = 64, .n_sas = 1 };
	struct bench_ceil *c;
	int ret = 0;

	if (eal_start(o) != 0) {
		fprintf(stderr, "bench_esp: EAL init failed (-m %u)\n", o->mem);
		return 1;
	}
	cfg.workers = 1;
	cfg.n_ifaces = 2;
	iface(&cfg.ifaces[0], "outside", "net_null0", BENCH_GW_OUTER "/24");
	iface(&cfg.ifaces[1], "inside", "net_null1", "192.168.10.1/24");
	if (dp_init(&cfg) != 0) {
		fprintf(stderr, "bench_esp: dp_init failed (-m %u too small?)\n", o->mem);
		rte_eal_cleanup();
		return 1;
	}
	c = bench_ceil_create(&s0, o->job_api);
	print_header(o, c != NULL ? bench_ceil_arch(c) : "?");
	bench_ceil_free(c);
	for (unsigned d = 0; d < o->dirs.n && ret == 0; d++)
		for (unsigned a = 0; a < o->algs.n && ret == 0; a++)
			ret = run_dir_alg(o, o->dirs.v[d] == 1, (enum esp_alg)o->algs.v[a]);
	if (ret == 0)
		printf("targets (printed, not asserted): pipeline AES-128-GCM >= 0.85 of the ceiling "
		       "at 1420 B, >= 0.5 at 64 B; 100k SAs within 20%% of 1 SA at 1420 B\n");
	dp_fini();
	rte_eal_cleanup();
	return ret == 0 ? 0 : 1;
}

/* --ceiling-only: windows of the ceiling alone, one line each. */
static int run_ceiling(const struct opts *o)
{
	struct bench_spec s = { .alg = (enum esp_alg)o->algs.v[0], .frame_len = o->sizes.v[0],
				.n_sas = 1, .decrypt = o->dirs.v[0] == 1 };
	struct bench_ceil *c = bench_ceil_create(&s, o->job_api);
	struct bench_rate r;
	int ret = c == NULL ? -EIO : 0;

	for (unsigned w = 0; w < o->windows && ret == 0; w++) {
		ret = bench_ceil_run(c, o->seconds, &r);
		if (ret == 0)
			printf("ceiling mpps=%.4f gbps=%.3f cycles=%.0f\n", bench_mpps(&r),
			       gbps(&s, bench_mpps(&r)), bench_cycles(&r));
		fflush(stdout);
	}
	bench_ceil_free(c);
	return ret == 0 ? 0 : 1;
}

static int run_pcap(struct opts *o)
{
	int ret;

	o->pcap.spec = (struct bench_spec){ .alg = (enum esp_alg)o->algs.v[0],
					    .frame_len = o->sizes.v[0], .n_sas = 1,
					    .decrypt = o->dirs.v[0] == 1 };
	if (o->pcap.spec.decrypt &&
	    (o->pcap.spi < 256 || o->pcap.enc_key_len != gw_esp_enc_key_len(o->pcap.spec.alg) ||
	     o->pcap.auth_key_len != gw_esp_auth_key_len(o->pcap.spec.alg))) {
		fprintf(stderr, "bench_esp: --write-pcap --dir dec needs --spi and keys of %u/%u bytes\n",
			gw_esp_enc_key_len(o->pcap.spec.alg), gw_esp_auth_key_len(o->pcap.spec.alg));
		return 1;
	}
	if (eal_start(o) != 0)
		return 1;
	ret = bench_pcap_write(&o->pcap);
	rte_eal_cleanup();
	return ret == 0 ? 0 : 1;
}

/* "a,b,c" through one word parser.  0 or -1. */
static int parse_list(const char *s, struct list *l, int (*word)(const char *, unsigned *))
{
	char buf[128], *save = NULL, *t;

	snprintf(buf, sizeof(buf), "%s", s);
	l->n = 0;
	for (t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		if (l->n == LIST_MAX || word(t, &l->v[l->n]) != 0)
			return -1;
		l->n++;
	}
	return l->n > 0 ? 0 : -1;
}

static int word_dir(const char *t, unsigned *v)
{
	*v = strcmp(t, "dec") == 0;
	return strcmp(t, "enc") == 0 || *v ? 0 : -1;
}

static int word_alg(const char *t, unsigned *v)
{
	*v = strcmp(t, "gcm") == 0 ? ESP_ALG_AES128GCM16 : ESP_ALG_AES128_SHA256;
	return strcmp(t, "gcm") == 0 || strcmp(t, "cbc") == 0 ? 0 : -1;
}

static int word_size(const char *t, unsigned *v)
{
	char *end;

	*v = (unsigned)strtoul(t, &end, 0);
	return *end == '\0' && *v >= BENCH_FRAME_MIN && *v <= BENCH_FRAME_MAX ? 0 : -1;
}

static int word_sas(const char *t, unsigned *v)
{
	char *end;

	*v = (unsigned)strtoul(t, &end, 0);
	return *end == '\0' && *v >= 1 && *v <= BENCH_SAS_MAX ? 0 : -1;
}

/* "0x0011..." into b; its length into *len.  0 or -1. */
static int parse_hex(const char *s, uint8_t *b, unsigned max, unsigned *len)
{
	size_t n;

	if (strncmp(s, "0x", 2) == 0)
		s += 2;
	n = strlen(s);
	if (n % 2 != 0 || n / 2 > max)
		return -1;
	for (size_t i = 0; i < n / 2; i++)
		if (sscanf(s + 2 * i, "%2hhx", &b[i]) != 1)
			return -1;
	*len = (unsigned)(n / 2);
	return 0;
}

static int parse_mac(const char *s, uint8_t *mac)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3],
		      &mac[4], &mac[5]) == 6 ? 0 : -1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bench_esp [--quick] [--seconds S] [--pairs N] [--dir enc,dec] [--alg gcm,cbc]\n"
		"                 [--size 64,512,1420] [--sas 1,1000,100000] [--no-spd] [--job-api] [--mem MB]\n"
		"       bench_esp --ceiling-only --dir D --alg A --size N [--seconds S] [--windows N]\n"
		"       bench_esp --write-pcap FILE --dir D --alg A --size N --count N --mac MAC\n"
		"                 [--spi N --enc-key HEX [--auth-key HEX]]\n");
}

static int parse_opt(struct opts *o, int c, const char *arg)
{
	switch (c) {
	case 'q': o->seconds = 0.1; o->pairs = 3; return 0;
	case 's': o->seconds = atof(arg); return o->seconds > 0 && o->seconds <= 60 ? 0 : -1;
	case 'p': o->pairs = (unsigned)atoi(arg); return o->pairs >= 1 && o->pairs <= PAIRS_MAX ? 0 : -1;
	case 'd': return parse_list(arg, &o->dirs, word_dir);
	case 'a': return parse_list(arg, &o->algs, word_alg);
	case 'z': return parse_list(arg, &o->sizes, word_size);
	case 'n': return parse_list(arg, &o->sas, word_sas);
	case 'S': o->use_spd = false; return 0;
	case 'J': o->job_api = true; return 0;
	case 'm': o->mem = (unsigned)atoi(arg); return o->mem >= 256 ? 0 : -1;
	case 'C': o->ceiling_only = true; return 0;
	case 'w': o->windows = (unsigned)atoi(arg); return o->windows >= 1 ? 0 : -1;
	case 'W': o->write_pcap = true; o->pcap.path = arg; return 0;
	case 'c': o->pcap.count = (unsigned)atoi(arg); return 0;
	case 'M': return parse_mac(arg, o->pcap.dst_mac);
	case 'i': o->pcap.spi = (uint32_t)strtoul(arg, NULL, 0); return 0;
	case 'e': return parse_hex(arg, o->pcap.enc_key, GW_ESP_ENC_KEY_MAX, &o->pcap.enc_key_len);
	case 'u': return parse_hex(arg, o->pcap.auth_key, GW_ESP_AUTH_KEY_MAX, &o->pcap.auth_key_len);
	default: return -1;
	}
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "quick", no_argument, NULL, 'q' }, { "seconds", required_argument, NULL, 's' },
		{ "pairs", required_argument, NULL, 'p' }, { "dir", required_argument, NULL, 'd' },
		{ "alg", required_argument, NULL, 'a' }, { "size", required_argument, NULL, 'z' },
		{ "sas", required_argument, NULL, 'n' }, { "no-spd", no_argument, NULL, 'S' },
		{ "job-api", no_argument, NULL, 'J' }, { "mem", required_argument, NULL, 'm' },
		{ "ceiling-only", no_argument, NULL, 'C' }, { "windows", required_argument, NULL, 'w' },
		{ "write-pcap", required_argument, NULL, 'W' }, { "count", required_argument, NULL, 'c' },
		{ "mac", required_argument, NULL, 'M' }, { "spi", required_argument, NULL, 'i' },
		{ "enc-key", required_argument, NULL, 'e' }, { "auth-key", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct opts){ .seconds = 1.0, .pairs = 7, .use_spd = true, .mem = 1024, .windows = 1 };
	parse_list("enc,dec", &o->dirs, word_dir);
	parse_list("gcm,cbc", &o->algs, word_alg);
	parse_list("64,512,1420", &o->sizes, word_size);
	parse_list("1,1000,100000", &o->sas, word_sas);
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (parse_opt(o, c, optarg) != 0) {
			usage();
			return -1;
		}
	}
	if (optind != argc || (o->ceiling_only && o->write_pcap)) {
		usage();
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	int ret;

	if (parse_args(argc, argv, &o) != 0)
		return 1;
	if (o.ceiling_only)
		ret = run_ceiling(&o);
	else if (o.write_pcap)
		ret = run_pcap(&o);
	else
		ret = run_matrix(&o);
	gw_wipe(o.pcap.enc_key, sizeof(o.pcap.enc_key));
	gw_wipe(o.pcap.auth_key, sizeof(o.pcap.auth_key));
	return ret;
}
