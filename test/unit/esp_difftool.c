/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * esp_difftool: our ESP transforms (esp_out_burst / esp_in_burst, on an SA
 * built by esp_sa_rt_init) driven line by line from stdin, for the
 * differential test against scapy (test/unit/esp_differential.py).  Not a
 * unit suite: it judges nothing about ESP itself, it only reports what
 * the transforms did (and refuses, with ERR, results that break esp.h's
 * contract: bad l2/l3 lengths, a chained mbuf, a wrong inner family, an
 * IV that is not esp_crypto_iv() of the sequence number).
 *
 * Requests, one per line, single spaces; hex without "0x"; "-" for an
 * empty key; PKTS is a comma-separated list of 1..ESP_BURST_MAX packets,
 * all processed in ONE burst with ONE fresh SA:
 *
 *   enc ALG SPI SEQ ESN ENCAP SRC DST ENCKEY AUTHKEY PKTS
 *	PKTS are inner IPv4/IPv6 packets; the i-th one gets sequence number
 *	SEQ + i.  Reply:
 *	"OK seq=<rt->seq after> ok:<outer hex>:<iv hex or -> | drop:<name> ..."
 *	(the outer packet starts at the outer IP header).
 *   dec ALG SPI TOP ESN ENCAP SRC DST ENCKEY AUTHKEY PKTS
 *	PKTS are outer packets (from the outer IP header) sent SRC -> DST.
 *	Reply: "OK top=<replay top after> ok:<inner hex> | drop:<name> ..."
 *   quit, or end of input.
 * A malformed request or a broken contract gets "ERR <what>"; the tool
 * carries on with the next line.  ALG is a proposal word (gw_esp.h),
 * ESN and ENCAP are 0 or 1, SEQ and TOP decimal 64-bit.
 *
 * TEST HOOKS (the only places where the tool reaches into the SA):
 *  - Sequence number: before encrypting, rt->seq = SEQ - 1.  rt->seq is
 *    "the last number sent" (esp_sa.h; esp_seq_next() hands out
 *    ++rt->seq), so the first packet carries SEQ: its low 32 bits on the
 *    wire and, with ESN, its high 32 bits in the ICV / GCM AAD.
 *  - IV: not injected.  GCM's explicit IV is the sequence number
 *    (RFC 4106 3.1); CBC's is AES(Kiv, seed || seq) with per-SA secrets
 *    (esp_crypto.h), so the tool reads the IV back from the packet,
 *    checks it equals esp_crypto_iv(SA keys, seq) and prints it; the
 *    script hands that IV to scapy's encrypt(iv=...) for a byte compare.
 *  - Replay window (ESN decryption past 2^32): with TOP != 0 the fresh IN
 *    SA's window first records TOP as accepted, through the public
 *    esp_replay_advance(&rt->replay, TOP), so that the window's top is
 *    TOP and RFC 4303 A2.2 inference of the high 32 bits starts there
 *    (the script passes TOP = first SEQ - 1).
 *
 * Traffic selectors of both SAs are 0.0.0.0/0 and ::/0 on both sides:
 * the selector check is not under test here.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "common/gw_addr.h"
#include "common/gw_esp.h"
#include "common/gw_sa.h"
#include "dataplane/esp.h"
#include "dataplane/esp_crypto.h"
#include "dataplane/esp_sa.h"
#include "test/unit/test_eal.h"

enum {
	DT_LINE_MAX = 1 << 20,		/* one request line */
	DT_PKT_MAX = 1600,		/* one packet, in bytes */
	DT_POOL_MBUFS = 255,
	DT_MBUF_ROOM = RTE_PKTMBUF_HEADROOM + 2048,
	DT_NFIELDS = 11,
	DT_ETH_V4 = 0x0800,
	DT_ETH_V6 = 0x86dd,
};

static const char *const dt_drop_names[] = {
#define X(n, d) #n,
	DP_DROPS(X)
#undef X
};

struct dt_req {
	int enc;			/* enc or dec */
	struct gw_sa_desc d;
	uint64_t seq;			/* enc: SEQ; dec: TOP */
	char *pkts;			/* comma-separated hex */
};

struct dt_ctx {
	struct rte_mempool *pool;
	struct esp_crypto_wk *wk;
	struct esp_sa_rt *rt;		/* rte_malloc'd: cache-aligned */
	char *out;			/* response line */
	size_t out_len, out_cap;
};

static void dt_emit(struct dt_ctx *c, const char *s)
{
	size_t n = strlen(s);

	if (c->out_len + n + 1 > c->out_cap)
		return;		/* cannot happen: out_cap > 2 * line */
	memcpy(c->out + c->out_len, s, n + 1);
	c->out_len += n;
}

static void dt_emit_hex(struct dt_ctx *c, const uint8_t *p, size_t n)
{
	static const char hx[] = "0123456789abcdef";

	if (c->out_len + 2 * n + 1 > c->out_cap)
		return;
	for (size_t i = 0; i < n; i++) {
		c->out[c->out_len++] = hx[p[i] >> 4];
		c->out[c->out_len++] = hx[p[i] & 15];
	}
	c->out[c->out_len] = '\0';
}

static int dt_nibble(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Hex of exactly n chars (even) to bytes; -EINVAL on bad digits or overflow. */
static int dt_unhex(const char *h, size_t n, uint8_t *out, size_t cap, size_t *len)
{
	if (n % 2 != 0 || n / 2 > cap)
		return -EINVAL;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = dt_nibble(h[2 * i]), lo = dt_nibble(h[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return 0;
}

static int dt_key(const char *h, uint8_t *out, size_t cap, uint8_t *len)
{
	size_t n = 0;
	int ret = 0;

	if (strcmp(h, "-") != 0)
		ret = dt_unhex(h, strlen(h), out, cap, &n);
	*len = (uint8_t)n;
	return ret;
}

static int dt_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno != 0 || *end != '\0' || s[0] == '-' ? -EINVAL : 0;
}

static void dt_any_ts(struct gw_prefix *ts, uint8_t *n)
{
	memset(ts, 0, 2 * sizeof(*ts));
	ts[0].addr.family = AF_INET;
	ts[1].addr.family = AF_INET6;
	*n = 2;
}

/* Parse a request's fields into r (keys into r->d).  0 or -EINVAL. */
static int dt_parse(char **f, struct dt_req *r)
{
	struct gw_addr src, dst;
	uint64_t spi;
	int alg = gw_esp_alg_from_name(f[1]);

	memset(r, 0, sizeof(*r));
	r->enc = strcmp(f[0], "enc") == 0;
	if (alg < 0 || dt_u64(f[2], &spi) != 0 || spi > UINT32_MAX || dt_u64(f[3], &r->seq) != 0)
		return -EINVAL;
	if ((strcmp(f[4], "0") != 0 && strcmp(f[4], "1") != 0) ||
	    (strcmp(f[5], "0") != 0 && strcmp(f[5], "1") != 0))
		return -EINVAL;
	if (gw_addr_parse(f[6], &src) != 0 || gw_addr_parse(f[7], &dst) != 0)
		return -EINVAL;
	if (dt_key(f[8], r->d.enc_key, sizeof(r->d.enc_key), &r->d.enc_key_len) != 0 ||
	    dt_key(f[9], r->d.auth_key, sizeof(r->d.auth_key), &r->d.auth_key_len) != 0)
		return -EINVAL;
	snprintf(r->d.name, sizeof(r->d.name), "diff");
	r->d.spi = (uint32_t)spi;
	r->d.alg = (uint8_t)alg;
	r->d.esn = f[4][0] == '1';
	r->d.encap = f[5][0] == '1';
	r->d.encap_sport = GW_NATT_PORT;
	r->d.encap_dport = GW_NATT_PORT;
	r->d.dir = r->enc ? GW_SA_OUT : GW_SA_IN;
	r->d.local = r->enc ? src : dst;
	r->d.remote = r->enc ? dst : src;
	dt_any_ts(r->d.local_ts, &r->d.n_local_ts);
	dt_any_ts(r->d.remote_ts, &r->d.n_remote_ts);
	r->pkts = f[10];
	return 0;
}

/* Split r->pkts into mbufs: a 14-byte Ethernet slot (ethertype from the
 * packet's version) then the packet.  Returns the count or -errno. */
static int dt_mbufs(struct dt_ctx *c, char *list, struct rte_mbuf **m)
{
	int n = 0;
	char *save = NULL;

	for (char *h = strtok_r(list, ",", &save); h != NULL; h = strtok_r(NULL, ",", &save)) {
		uint8_t *p;
		size_t len;

		if (n == ESP_BURST_MAX)
			return -E2BIG;
		m[n] = rte_pktmbuf_alloc(c->pool);
		if (m[n] == NULL)
			return -ENOMEM;
		n++;
		p = (uint8_t *)rte_pktmbuf_append(m[n - 1], DT_PKT_MAX + ESP_ETH_SLOT);
		if (p == NULL || dt_unhex(h, strlen(h), p + ESP_ETH_SLOT, DT_PKT_MAX, &len) != 0 ||
		    len < 20)
			return -EINVAL;
		rte_pktmbuf_trim(m[n - 1], (uint16_t)(DT_PKT_MAX - len));
		memset(p, 0, ESP_ETH_SLOT);
		p[12] = (p[ESP_ETH_SLOT] >> 4) == 6 ? DT_ETH_V6 >> 8 : DT_ETH_V4 >> 8;
		p[13] = (p[ESP_ETH_SLOT] >> 4) == 6 ? DT_ETH_V6 & 0xff : DT_ETH_V4 & 0xff;
	}
	return n > 0 ? n : -EINVAL;
}

/* ESP header offset of an outer packet in m (after the Ethernet slot). */
static int dt_esp_off(const struct rte_mbuf *m, bool encap, uint16_t *off)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *) + ESP_ETH_SLOT;
	unsigned ip = (p[0] >> 4) == 6 ? 40 : (p[0] >> 4) == 4 ? (p[0] & 15u) * 4 : 0;

	if (ip == 0)
		return -EINVAL;
	*off = (uint16_t)(ESP_ETH_SLOT + ip + (encap ? 8 : 0));
	return *off < m->data_len ? 0 : -EINVAL;
}

static const char *dt_drop_name(uint8_t why)
{
	return why < DP_DROP_MAX ? dt_drop_names[why] : "drop_?";
}

/* One encrypted packet's token, or an error string. */
static const char *dt_enc_one(struct dt_ctx *c, struct rte_mbuf *m, uint64_t seq)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint8_t iv[ESP_CBC_IV_LEN];
	unsigned ivo = ESP_ETH_SLOT + c->rt->outer_len + ESP_HDR_LEN;
	unsigned ip = (c->rt->flags & ESP_SA_F_OUTER6) ? 40 : 20;

	if (m->nb_segs != 1 || m->l2_len != ESP_ETH_SLOT || m->l3_len != ip)
		return "chained mbuf or wrong l2_len/l3_len";
	if (m->data_len < ivo + c->rt->iv_len)
		return "outer packet shorter than its headers";
	esp_crypto_iv(c->wk, &c->rt->keys, seq, iv);
	if (memcmp(iv, p + ivo, c->rt->iv_len) != 0)
		return "IV on the wire is not esp_crypto_iv(seq)";
	dt_emit(c, " ok:");
	dt_emit_hex(c, p + ESP_ETH_SLOT, m->data_len - ESP_ETH_SLOT);
	dt_emit(c, ":");
	if (c->rt->iv_len == 0)
		dt_emit(c, "-");
	dt_emit_hex(c, p + ivo, c->rt->iv_len);
	return NULL;
}

static const char *dt_dec_one(struct dt_ctx *c, struct rte_mbuf *m, const struct esp_result *r)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);

	if (m->nb_segs != 1 || m->l2_len != ESP_ETH_SLOT || m->data_len <= ESP_ETH_SLOT)
		return "chained mbuf, wrong l2_len or empty inner packet";
	if (((p[ESP_ETH_SLOT] >> 4) == 6) != r->inner_v6)
		return "inner_v6 disagrees with the inner packet's version";
	dt_emit(c, " ok:");
	dt_emit_hex(c, p + ESP_ETH_SLOT, m->data_len - ESP_ETH_SLOT);
	return NULL;
}

/* Run one parsed request through a fresh SA; the reply goes to c->out. */
static const char *dt_run(struct dt_ctx *c, struct dt_req *r)
{
	struct rte_mbuf *m[ESP_BURST_MAX] = { NULL };
	struct esp_sa_rt *sas[ESP_BURST_MAX];
	struct esp_result res[ESP_BURST_MAX];
	uint16_t off[ESP_BURST_MAX];
	const char *err = NULL;
	char num[40];
	int n;

	memset(c->rt, 0, sizeof(*c->rt));
	if (esp_sa_rt_init(c->rt, &r->d, esp_crypto_wk_mgr(c->wk)) != 0) {
		err = "esp_sa_rt_init refused the SA";
		goto out;
	}
	n = dt_mbufs(c, r->pkts, m);
	if (n < 0) {
		err = "bad packet list";
		goto out;
	}
	for (int i = 0; i < n; i++) {
		sas[i] = c->rt;
		if (!r->enc && dt_esp_off(m[i], r->d.encap, &off[i]) != 0) {
			err = "outer packet too short for its headers";
			goto out;
		}
	}
	if (r->enc) {
		c->rt->seq = r->seq - 1;		/* TEST HOOK: first packet gets SEQ */
		esp_out_burst(c->wk, m, sas, (unsigned)n, res);
		snprintf(num, sizeof(num), "OK seq=%" PRIu64, c->rt->seq);
	} else {
		if (r->seq != 0 && esp_replay_advance(&c->rt->replay, r->seq) != 0) {
			err = "cannot prime the replay window";	/* TEST HOOK */
			goto out;
		}
		esp_in_burst(c->wk, m, sas, off, (unsigned)n, res);
		snprintf(num, sizeof(num), "OK top=%" PRIu64, c->rt->replay.top);
	}
	dt_emit(c, num);
	for (int i = 0; i < n && err == NULL; i++) {
		if (!res[i].ok) {
			dt_emit(c, " drop:");
			dt_emit(c, dt_drop_name(res[i].drop));
		} else {
			err = r->enc ? dt_enc_one(c, m[i], r->seq + (uint64_t)i)
				     : dt_dec_one(c, m[i], &res[i]);
		}
	}
out:
	for (int i = 0; i < ESP_BURST_MAX; i++)
		rte_pktmbuf_free(m[i]);
	if (c->rt->magic == ESP_SA_MAGIC)
		esp_sa_rt_wipe(c->rt);
	gw_sa_desc_wipe(&r->d);
	return err;
}

/* Handle one line; the reply goes to c->out.  1 to stop, else 0. */
static int dt_line(struct dt_ctx *c, char *line)
{
	char *f[DT_NFIELDS + 1], *save = NULL;
	struct dt_req req;
	const char *err;
	int nf = 0;

	c->out_len = 0;
	c->out[0] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	for (char *t = strtok_r(line, " ", &save); t != NULL && nf <= DT_NFIELDS;
	     t = strtok_r(NULL, " ", &save))
		f[nf++] = t;
	if (nf == 1 && strcmp(f[0], "quit") == 0)
		return 1;
	if (nf != DT_NFIELDS || (strcmp(f[0], "enc") != 0 && strcmp(f[0], "dec") != 0))
		err = "usage: enc|dec ALG SPI SEQ|TOP ESN ENCAP SRC DST ENCKEY AUTHKEY PKTS";
	else if (dt_parse(f, &req) != 0)
		err = "bad field";
	else
		err = dt_run(c, &req);
	gw_sa_desc_wipe(&req.d);
	if (err != NULL) {
		c->out_len = 0;
		dt_emit(c, "ERR ");
		dt_emit(c, err);
	}
	return 0;
}

int main(void)
{
	struct dt_ctx c = { 0 };
	char *line = malloc(DT_LINE_MAX);
	int ret = 1;

	c.out_cap = 2 * (size_t)DT_LINE_MAX + 4 * ESP_BURST_MAX * DT_PKT_MAX;
	c.out = malloc(c.out_cap);
	if (line == NULL || c.out == NULL || test_eal_init("esp_diff", 0, NULL) != 0)
		goto out;
	c.pool = rte_pktmbuf_pool_create("diff_pool", DT_POOL_MBUFS, 0, 0, DT_MBUF_ROOM,
					 SOCKET_ID_ANY);
	c.wk = esp_crypto_wk_create(SOCKET_ID_ANY);
	c.rt = rte_zmalloc("diff_sa", sizeof(*c.rt), RTE_CACHE_LINE_SIZE);
	if (c.pool == NULL || c.wk == NULL || c.rt == NULL) {
		fprintf(stderr, "esp_difftool: set-up failed\n");
		goto out;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(line, DT_LINE_MAX, stdin) != NULL) {
		if (strchr(line, '\n') == NULL && !feof(stdin)) {
			fprintf(stderr, "esp_difftool: line longer than %d\n", DT_LINE_MAX);
			goto out;
		}
		if (dt_line(&c, line))
			break;
		puts(c.out);
	}
	ret = 0;
out:
	rte_free(c.rt);
	esp_crypto_wk_free(c.wk);
	rte_mempool_free(c.pool);
	free(c.out);
	free(line);
	if (ret == 0)
		rte_eal_cleanup();
	return ret;
}
