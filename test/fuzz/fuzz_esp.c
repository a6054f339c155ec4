/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: ESP inbound processing of one packet against a fixed
 * SA (dataplane/esp_in.c through esp_in_burst, as dp_worker_esp.c calls
 * it), on an EAL brought up once (--no-huge --no-pci, two net_null ports,
 * dp_init for the mbuf pool and the SA event ring).
 *
 * Input: octet 0 picks the mode, the rest is the data.
 *   bits 0-1: the SA variant (vars[] below: GCM, CBC/HMAC with UDP
 *             encapsulation, GCM over IPv6 with ESN, NULL/HMAC);
 *   bit 2:    sealed: the data is seq (4 octets) | plaintext (inner packet
 *             | padding | pad length | next header, zero-extended to the
 *             cipher's alignment); the harness writes the SPI, a fixed IV,
 *             and encrypts and authenticates it with the SA's keys
 *             (esp_crypto_run, as the peer would), so the fuzzer reaches
 *             the padding, next header, inner header and selector checks.
 *             (ESN variant: not sealed; its ICV covers the high bits.)
 *   else:     raw: the data is the ESP packet from the SPI onwards.
 * The harness puts a valid Ethernet + outer IP (+ UDP) header in front, as
 * classification would have checked it, copies the frame into an
 * exact-size malloc buffer and attaches it to an mbuf as external data
 * (rte_pktmbuf_attach_extbuf), so an over-read leaves the allocation.
 * The inbound SA is rebuilt per input: the replay window starts empty.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "cfg/cfg.h"
#include "common/gw_addr.h"
#include "common/gw_esp.h"
#include "common/gw_proto.h"
#include "common/gw_sa.h"
#include "dataplane/dp.h"
#include "dataplane/dp_sa.h"
#include "dataplane/esp.h"
#include "dataplane/esp_crypto.h"
#include "dataplane/esp_sa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

enum { SPI = 0x1001, ETH = 14, PKT_MAX = 9000 };

struct variant {
	enum esp_alg alg;
	bool encap, outer6, esn;
};

static const struct variant vars[4] = {
	{ ESP_ALG_AES128GCM16, false, false, false },
	{ ESP_ALG_AES128_SHA256, true, false, false },
	{ ESP_ALG_AES256GCM16, false, true, true },
	{ ESP_ALG_NULL_SHA256, false, false, false },
};

static struct esp_crypto_wk *wk;
static struct esp_sa_rt *rt_in;
static struct gw_sa_desc desc[4];
static bool verbose;		/* FUZZ_VERBOSE set: each packet's fate on stderr */

static void die(const char *what)
{
	fprintf(stderr, "fuzz_esp: %s\n", what);
	abort();
}

static void prefix(const char *s, struct gw_prefix *p)
{
	if (gw_prefix_parse(s, p) != 0)
		die(s);
}

static void addr(const char *s, struct gw_addr *a)
{
	if (gw_addr_parse(s, a) != 0)
		die(s);
}

/* The inbound SA as test_esp.c's peer side: outer dst 10.10.0.2 (or
 * 2001:db8:10::2), inner src in 192.168.10.0/24 / 2001:db8:20::/64,
 * dst in 172.16.1.0/24 / 2001:db8:30::/64. */
static void desc_fill(struct gw_sa_desc *d, const struct variant *v)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "fuzz");
	d->tunnel = 7;
	d->spi = SPI;
	d->dir = GW_SA_IN;
	d->alg = (uint8_t)v->alg;
	d->esn = v->esn;
	d->encap = v->encap;
	d->encap_sport = d->encap_dport = GW_NATT_PORT;
	d->replay_window = 64;
	addr(v->outer6 ? "2001:db8:10::2" : "10.10.0.2", &d->local);
	addr(v->outer6 ? "2001:db8:10::1" : "10.10.0.1", &d->remote);
	d->enc_key_len = (uint8_t)gw_esp_enc_key_len(v->alg);
	d->auth_key_len = (uint8_t)gw_esp_auth_key_len(v->alg);
	for (unsigned i = 0; i < sizeof(d->enc_key); i++)
		d->enc_key[i] = (uint8_t)(i * 7 + v->alg + 1);
	for (unsigned i = 0; i < sizeof(d->auth_key); i++)
		d->auth_key[i] = (uint8_t)(i * 13 + v->alg + 3);
	prefix("172.16.1.0/24", &d->local_ts[0]);
	prefix("2001:db8:30::/64", &d->local_ts[1]);
	prefix("192.168.10.0/24", &d->remote_ts[0]);
	prefix("2001:db8:20::/64", &d->remote_ts[1]);
	d->n_local_ts = d->n_remote_ts = 2;
	d->life_soft_pkts = 1000000;
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

/* At exit: what the initialisation built, so that LeakSanitizer's final
 * check sees only what the inputs leaked. */
static void teardown(void)
{
	rte_free(rt_in);
	esp_crypto_wk_free(wk);
	dp_fini();
	rte_eal_cleanup();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char pfx[64];
	char *eal[] = { "fuzz_esp", "--no-huge", "-m", "512", "--no-pci", "-l", "0",
			"--log-level=*:error", "--vdev=net_null0,no-rx=1",
			"--vdev=net_null1,no-rx=1", pfx };
	static struct gw_cfg cfg;

	(void)argc;
	(void)argv;
	snprintf(pfx, sizeof(pfx), "--file-prefix=fuzz_esp_%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])), eal) < 0)
		die("EAL init");
	memset(&cfg, 0, sizeof(cfg));
	cfg.workers = 1;
	cfg.n_ifaces = 2;
	iface(&cfg.ifaces[0], "outside", "net_null0", "10.10.0.2/24", "2001:db8:10::2/64");
	iface(&cfg.ifaces[1], "inside", "net_null1", "172.16.1.1/24", "2001:db8:30::1/64");
	if (dp_init(&cfg) != 0)
		die("dp_init");
	wk = esp_crypto_wk_create(SOCKET_ID_ANY);
	rt_in = rte_zmalloc("fuzz_sa", sizeof(*rt_in), RTE_CACHE_LINE_SIZE);
	if (wk == NULL || rt_in == NULL)
		die("crypto worker / SA record");
	for (unsigned i = 0; i < 4; i++)
		desc_fill(&desc[i], &vars[i]);
	verbose = getenv("FUZZ_VERBOSE") != NULL;
	atexit(teardown);
	return 0;
}

/* Ethernet | outer IPv4 or IPv6 | (UDP) in front of esp_len octets at
 * frame + off; returns off (the ESP offset). */
static unsigned outer(uint8_t *f, const struct variant *v, size_t esp_len)
{
	unsigned off = ETH + (v->outer6 ? 40 : 20), ulen = v->encap ? 8 : 0;
	size_t ip_len = off - ETH + ulen + esp_len;

	memset(f, 0x02, 12);
	f[12] = v->outer6 ? 0x86 : 0x08;
	f[13] = v->outer6 ? 0xdd : 0x00;
	if (!v->outer6) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + ETH);

		ip->version_ihl = 0x45;
		ip->total_length = htons((uint16_t)ip_len);
		ip->time_to_live = 64;
		ip->next_proto_id = v->encap ? 17 : 50;
		ip->src_addr = desc[0].remote.v4;
		ip->dst_addr = desc[0].local.v4;
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	} else {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(f + ETH);

		ip6->vtc_flow = htonl(6u << 28);
		ip6->payload_len = htons((uint16_t)(ip_len - 40));
		ip6->proto = v->encap ? 17 : 50;
		ip6->hop_limits = 64;
		memcpy(ip6->src_addr, desc[2].remote.v6, 16);
		memcpy(ip6->dst_addr, desc[2].local.v6, 16);
	}
	if (v->encap) {
		uint16_t *u = (uint16_t *)(f + off);

		u[0] = htons(GW_NATT_PORT);
		u[1] = htons(GW_NATT_PORT);
		u[2] = htons((uint16_t)(8 + esp_len));
		u[3] = 0;
		off += 8;
	}
	return off;
}

/* Seal seq | plaintext as the peer would: SPI, seq, a fixed IV, the
 * plaintext zero-extended to the alignment, encrypted, ICV.  Returns the
 * ESP length written at esp, 0 if it does not fit. */
static size_t seal(uint8_t *esp, size_t cap, const uint8_t *data, size_t size)
{
	unsigned hdr = 8 + rt_in->iv_len, align = rt_in->pad_align;
	size_t pt, len;
	uint32_t spi = htonl(SPI);
	struct esp_crypto_op op;
	struct esp_crypto_done d;

	if (size < 4)
		return 0;
	pt = (size - 4 + align - 1) / align * align;
	if (pt == 0)
		pt = align;
	len = hdr + pt + rt_in->icv_len;
	if (len > cap)
		return 0;
	memset(esp, 0, len);
	memcpy(esp, &spi, 4);
	memcpy(esp + 4, data, 4);
	for (unsigned i = 0; i < rt_in->iv_len; i++)
		esp[8 + i] = (uint8_t)(0x5a + i);
	memcpy(esp + hdr, data + 4, size - 4);
	memset(&op, 0, sizeof(op));
	op.keys = &rt_in->keys;
	op.buf = esp;
	op.iv = esp + 8;
	op.aad = esp;
	op.aad_len = 8;
	op.icv = esp + hdr + pt;
	op.cipher_off = hdr;
	op.cipher_len = (uint32_t)pt;
	op.auth_off = 0;
	op.auth_len = (uint32_t)(hdr + pt);
	op.dir = ESP_DIR_OUT;
	if (esp_crypto_run(wk, &op, 1, &d) != 1 || d.status != 0)
		die("seal");
	return len;
}

static void noop_free(void *addr, void *opaque)
{
	(void)addr;
	(void)opaque;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t frame[PKT_MAX];
	struct rte_mbuf_ext_shared_info shinfo = { .free_cb = noop_free };
	const struct variant *v;
	struct esp_result res;
	struct rte_mbuf *m;
	struct dp_sa_event ev[64];
	unsigned vi, hdr_len;
	uint16_t esp_off;
	size_t esp_len, len;
	uint8_t *buf;
	bool sealed;

	if (size < 1 || size > PKT_MAX - 128)
		return 0;
	vi = data[0] & 3;
	v = &vars[vi];
	sealed = (data[0] & 4) && !v->esn;
	data++;
	size--;
	if (esp_sa_rt_init(rt_in, &desc[vi], esp_crypto_wk_mgr(wk)) != 0)
		die("esp_sa_rt_init");
	rt_in->handle = 100;
	rt_in->owner = 0;
	hdr_len = ETH + (v->outer6 ? 40 : 20) + (v->encap ? 8 : 0);
	if (sealed) {
		esp_len = seal(frame + hdr_len, sizeof(frame) - hdr_len, data, size);
		if (esp_len == 0)
			goto out;
	} else {
		esp_len = size;
		memcpy(frame + hdr_len, data, size);
	}
	esp_off = (uint16_t)outer(frame, v, esp_len);
	len = hdr_len + esp_len;

	buf = malloc(len);
	m = rte_pktmbuf_alloc(dp_mbuf_pool());
	if (buf == NULL || m == NULL)
		die("out of memory");
	memcpy(buf, frame, len);
	rte_mbuf_ext_refcnt_set(&shinfo, 1);
	rte_pktmbuf_attach_extbuf(m, buf, (rte_iova_t)(uintptr_t)buf, (uint16_t)len, &shinfo);
	if (rte_pktmbuf_append(m, (uint16_t)len) == NULL)
		die("append");
	(void)esp_in_burst(wk, &m, &rt_in, &esp_off, 1, &res);
	if (verbose)
		fprintf(stderr, "variant %u %s: %s (drop %u)\n", vi, sealed ? "sealed" : "raw",
			res.ok ? "ok" : "dropped", res.drop);
	rte_pktmbuf_free(m);
	free(buf);
	while (dp_sa_events_dequeue(ev, 64) != 0)
		;
out:
	esp_sa_rt_wipe(rt_in);
	return 0;
}
