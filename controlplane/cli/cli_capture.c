/* SPDX-License-Identifier: BSD-3-Clause */
/* capture start / capture stop / show capture (cli_capture.h). */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "controlplane/cli/cli_capture.h"
#include "controlplane/cli/cli_json.h"
#include "controlplane/cli/cli_render.h"

enum { CLI_CAPTURE_OPTS_MAX = 512 };

bool cli_capture_opts_ok(const char *s)
{
	size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
			  "_.,=/-");

	return n > 0 && s[n] == '\0' && n <= CLI_CAPTURE_OPTS_MAX;
}

/* "file (iface X, dir Y, snaplen N, ...)": what a capture takes. */
static void cli_capture_what(struct cli_ctx *x, const struct cj_doc *doc, const struct cj_value *b)
{
	uint64_t maxp = cj_get_u64(doc, b, "max_packets", 0);
	char num[24];

	fprintf(x->out, "  file %s\n  iface %s, dir %s, snaplen %" PRIu64 ", max_bytes %" PRIu64
		", max_packets %s\n", cj_get_str(doc, b, "file", "?"), cj_get_str(doc, b, "iface", "?"),
		cj_get_str(doc, b, "dir", "?"), cj_get_u64(doc, b, "snaplen", 0),
		cj_get_u64(doc, b, "max_bytes", 0), maxp == 0 ? "none" : cli_u64(maxp, num, sizeof(num)));
}

static void cli_capture_counts(struct cli_ctx *x, const struct cj_doc *doc, const struct cj_value *b)
{
	fprintf(x->out, "  %" PRIu64 " packets, %" PRIu64 " bytes written in %" PRIu64 " ms; dropped: %"
		PRIu64 " ring full, %" PRIu64 " no mbuf, %" PRIu64 " over a limit\n",
		cj_get_u64(doc, b, "packets", 0), cj_get_u64(doc, b, "bytes", 0),
		cj_get_u64(doc, b, "duration_ms", 0), cj_get_u64(doc, b, "dropped_ring_full", 0),
		cj_get_u64(doc, b, "dropped_no_mbuf", 0), cj_get_u64(doc, b, "dropped_limit", 0));
}

int cli_capture_start(struct cli_ctx *x)
{
	char cmd[CLI_CAPTURE_OPTS_MAX + 32];
	struct cj_doc doc;
	const struct cj_value *b;

	if (x->arg != NULL && !cli_capture_opts_ok(x->arg)) {
		snprintf(x->err, sizeof(x->err), "capture start: bad OPTIONS");
		return -1;
	}
	snprintf(cmd, sizeof(cmd), "/ipsecgw/capture/start%s%s", x->arg != NULL ? "," : "",
		 x->arg != NULL ? x->arg : "");
	if (cli_call(x, cmd, &doc, &b) != 0)
		return -1;
	if (!x->json) {
		fprintf(x->out, "capture started\n");
		cli_capture_what(x, &doc, b);
	}
	cj_free(&doc);
	return 0;
}

int cli_capture_stop(struct cli_ctx *x)
{
	struct cj_doc doc;
	const struct cj_value *b;

	if (cli_call(x, "/ipsecgw/capture/stop", &doc, &b) != 0)
		return -1;
	if (!x->json) {
		fprintf(x->out, "capture stopped (%s)\n", cj_get_str(&doc, b, "stop_reason", "?"));
		cli_capture_what(x, &doc, b);
		cli_capture_counts(x, &doc, b);
	}
	cj_free(&doc);
	return 0;
}

int cli_show_capture(struct cli_ctx *x)
{
	struct cj_doc doc;
	const struct cj_value *b;
	const char *file;

	if (cli_call(x, "/ipsecgw/capture", &doc, &b) != 0)
		return -1;
	if (!x->json) {
		file = cj_get_str(&doc, b, "file", "");
		if (!cj_get_u64(&doc, b, "available", 0))
			fprintf(x->out, "packet capture unavailable: %s\n",
				cj_get_str(&doc, b, "why", "?"));
		else if (cj_get_u64(&doc, b, "running", 0))
			fprintf(x->out, "capture running\n");
		else if (file[0] != '\0')
			fprintf(x->out, "no capture running; the last one stopped (%s)\n",
				cj_get_str(&doc, b, "stop_reason", "?"));
		else
			fprintf(x->out, "no capture since start-up\n");
		if (file[0] != '\0') {
			cli_capture_what(x, &doc, b);
			cli_capture_counts(x, &doc, b);
		}
		fprintf(x->out, "  directory %s, files up to %" PRIu64 " bytes, pool %" PRIu64
			" mbufs, ring %" PRIu64 ", snaplen up to %" PRIu64 "\n",
			cj_get_str(&doc, b, "capture_dir", "?"),
			cj_get_u64(&doc, b, "max_bytes_limit", 0),
			cj_get_u64(&doc, b, "pool_mbufs", 0), cj_get_u64(&doc, b, "ring_size", 0),
			cj_get_u64(&doc, b, "snaplen_max", 0));
	}
	cj_free(&doc);
	return 0;
}
