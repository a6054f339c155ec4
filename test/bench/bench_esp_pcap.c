/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcap files for the full I/O benchmark (test/bench/bench.sh), written
 * with the gateway's own encrypt path: the ESP packets of the decrypt run
 * are what the gateway's peer would send for the manual SA whose inbound
 * SPI and keys are given (enc_key_in, auth_key_in of the configuration).
 * Sequence numbers run 1..count, so replaying the file needs the
 * configuration's benchmark_no_replay_check.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "common/gw_addr.h"
#include "dataplane/esp.h"
#include "dataplane/esp_sa.h"
#include "test/bench/bench_esp.h"

enum {
	PCAP_FLOWS = 256,		/* far-side hosts 172.16.0.0 + 0..255 */
	PCAP_LINKTYPE_ETHERNET = 1,
	PCAP_POOL = 63,
};

struct pcap_rec {
	uint32_t sec, usec, incl, orig;
};

static int pcap_header(FILE *f)
{
	const uint32_t g[6] = { 0xa1b2c3d4, 2u | (4u << 16), 0, 0, 65535, PCAP_LINKTYPE_ETHERNET };

	return fwrite(g, sizeof(g), 1, f) == 1 ? 0 : -EIO;
}

static int pcap_frame(FILE *f, const uint8_t *p, unsigned len, unsigned i)
{
	struct pcap_rec r = { .sec = i / 1000000, .usec = i % 1000000, .incl = len, .orig = len };

	return fwrite(&r, sizeof(r), 1, f) == 1 && fwrite(p, len, 1, f) == 1 ? 0 : -EIO;
}

/* The peer's outbound SA: our inbound one seen from the other end. */
static struct esp_sa_rt *pcap_peer_rt(const struct bench_pcap_args *a, struct esp_crypto_wk *wk)
{
	struct esp_sa_rt *rt = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(*rt));
	struct gw_sa_desc d;

	if (rt == NULL)
		return NULL;
	memset(rt, 0, sizeof(*rt));
	memset(&d, 0, sizeof(d));
	d.spi = a->spi;
	d.dir = GW_SA_OUT;
	d.alg = (uint8_t)a->spec.alg;
	gw_addr_parse(BENCH_PEER_OUTER, &d.local);
	gw_addr_parse(BENCH_GW_OUTER, &d.remote);
	memcpy(d.enc_key, a->enc_key, a->enc_key_len);
	d.enc_key_len = (uint8_t)a->enc_key_len;
	memcpy(d.auth_key, a->auth_key, a->auth_key_len);
	d.auth_key_len = (uint8_t)a->auth_key_len;
	if (esp_sa_rt_init(rt, &d, esp_crypto_wk_mgr(wk)) != 0) {
		free(rt);
		rt = NULL;
	}
	gw_sa_desc_wipe(&d);
	return rt;
}

/* Frame i into m: plain (enc) or as the peer sends it (dec). 0 or -EIO. */
static int pcap_build(const struct bench_pcap_args *a, struct esp_crypto_wk *wk,
		      struct esp_sa_rt *peer, struct rte_mbuf *m, unsigned i)
{
	uint32_t far = rte_cpu_to_be_32(BENCH_REMOTE_BASE + i % PCAP_FLOWS);
	struct gw_addr lan;
	struct esp_result res;
	uint8_t *f;

	gw_addr_parse(BENCH_LAN_HOST, &lan);
	rte_pktmbuf_reset(m);
	if (rte_pktmbuf_append(m, (uint16_t)a->spec.frame_len) == NULL)
		return -EIO;
	f = rte_pktmbuf_mtod(m, uint8_t *);
	if (!a->spec.decrypt) {
		bench_frame(f, a->spec.frame_len, lan.v4, far);
	} else {
		bench_frame(f, a->spec.frame_len, far, lan.v4);
		if (esp_out_burst(wk, &m, &peer, 1, &res) != 1)
			return -EIO;
		f = rte_pktmbuf_mtod(m, uint8_t *);
		memset(f + 6, 0x02, 6);
		f[12] = 0x08;
		f[13] = 0x00;
	}
	memcpy(f, a->dst_mac, 6);
	return 0;
}

int bench_pcap_write(const struct bench_pcap_args *a)
{
	struct rte_mempool *mp = rte_pktmbuf_pool_create("bench_pcap", PCAP_POOL, 0, 0,
							  RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	struct esp_crypto_wk *wk = esp_crypto_wk_create(SOCKET_ID_ANY);
	struct esp_sa_rt *peer = NULL;
	struct rte_mbuf *m = NULL;
	FILE *f = NULL;
	int ret = -EIO;

	if (mp == NULL || wk == NULL || a->count == 0 || a->count > BENCH_PCAP_MAX)
		goto out;
	m = rte_pktmbuf_alloc(mp);
	if (m == NULL || (a->spec.decrypt && (peer = pcap_peer_rt(a, wk)) == NULL))
		goto out;
	f = fopen(a->path, "wb");
	if (f == NULL || pcap_header(f) != 0)
		goto out;
	for (unsigned i = 0; i < a->count; i++) {
		ret = pcap_build(a, wk, peer, m, i);
		if (ret == 0)
			ret = pcap_frame(f, rte_pktmbuf_mtod(m, uint8_t *), m->data_len, i);
		if (ret != 0)
			goto out;
	}
	ret = 0;
out:
	if (f != NULL && fclose(f) != 0)
		ret = -EIO;
	if (ret != 0)
		fprintf(stderr, "bench_esp: cannot write %s (%u frames)\n", a->path, a->count);
	if (peer != NULL)
		esp_sa_rt_wipe(peer);
	free(peer);
	rte_pktmbuf_free(m);
	esp_crypto_wk_free(wk);
	rte_mempool_free(mp);
	return ret;
}
