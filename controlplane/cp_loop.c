/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control-plane event loop on the main lcore.  It blocks in epoll on:
 *   - a one-shot timerfd that polls the punt rings: CP_POLL_MIN_US after a
 *     poll that found work, doubling up to CP_POLL_MAX_US while idle (the
 *     CP shares its core with EAL's interrupt thread, telemetry threads and
 *     lab peers: it must never spin); each wake-up runs up to
 *     CP_POLL_BURSTS rounds of cp_punt_poll(), each of which serves the
 *     classes by priority (neigh, ike, other, then a small budget of
 *     ike_new), so a flood of new IKE never delays ARP/ND or the IKE of
 *     live sessions by more than one ike_new budget;
 *   - a periodic CP_TICK_MS timerfd for timers (neighbours, reassembly,
 *     ICMP tokens, SA events, the ports' link state, RCU reclamation);
 *   - the telemetry eventfd (cp_tm_service);
 *   - with a PKI configured, the CRL fetchers' eventfd (pki_fetch_service);
 *   - a signalfd: SIGINT/SIGTERM start the shutdown, SIGHUP reloads the
 *     configuration (cp_reload.c; so does /ipsecgw/reload), between two
 *     events of the loop like every other handler.
 *
 * Shutdown (issue 9): the first SIGINT/SIGTERM deletes every established
 * IKE SA (ike_sa_drain: IKEv2 INFORMATIONAL DELETE, IKEv1 DELETEs of the
 * IPsec SAs and the ISAKMP SA) and refuses new ones; the loop and the fast
 * path keep running until every IKEv2 DELETE is answered (IKEv1 expects no
 * answer) or CP_DRAIN_MS passes.  A second signal ends the loop at once.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ether.h>

#include "cfg/cfg.h"
#include "common/gw_log.h"
#include "controlplane/cp.h"
#include "controlplane/cp_arp.h"
#include "controlplane/cp_capture.h"
#include "controlplane/cp_frag.h"
#include "controlplane/cp_icmp.h"
#include "controlplane/cp_link.h"
#include "controlplane/cp_loop.h"
#include "controlplane/cp_nd.h"
#include "controlplane/cp_neigh.h"
#include "controlplane/cp_punt.h"
#include "controlplane/cp_reload.h"
#include "controlplane/cp_sa.h"
#include "controlplane/cp_tm.h"
#include "controlplane/ike/ike_rev.h"
#include "controlplane/ike/ike_sa.h"
#include "controlplane/pki/pki.h"
#include "controlplane/pki/pki_internal.h"
#include "controlplane/ikev1/ikev1.h"
#include "controlplane/ikev2/ikev2.h"
#include "dataplane/dp.h"
#include "dataplane/dp_route.h"

enum cp_ev { CP_EV_POLL, CP_EV_TICK, CP_EV_TM, CP_EV_SIG, CP_EV_PKI };

static int cp_epfd = -1, cp_pollfd = -1, cp_tickfd = -1, cp_sigfd = -1, cp_tmfd = -1;
static unsigned cp_poll_us = CP_POLL_MIN_US;
static bool cp_running;
static struct {
	bool on;			/* draining: DELETEs sent, waiting */
	uint64_t until_ms;
	unsigned deleted;		/* established SAs deleted */
	uint64_t answered0;		/* ikev2_delete_answered before */
} cp_drain;
static bool cp_pki_on;		/* pki_init done */

uint64_t cp_loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void cp_loop_tick(uint64_t now_ms)
{
	cp_neigh_tick(now_ms);
	cp_frag_expire(rte_rdtsc());
	cp_icmp_tick(now_ms);
	if (cp_pki_on)
		pki_tick(now_ms);
	cp_sa_tick();
	cp_link_tick(now_ms);		/* link changes: events, route withdrawal */
	cp_capture_tick(now_ms);	/* captured packets to the pcapng file */
	ikev2_tick(now_ms);
	ikev1_tick(now_ms);
	dp_reclaim();
}

/* ---- configuration into the tables ---- */

/* The interface of a directly connected gateway, or -1. */
static int cp_loop_onlink_iface(const struct gw_addr *a)
{
	struct dp_nexthop nh;

	if (dp_route_lookup(a, &nh) != 0 || nh.type != DP_NH_CONNECTED)
		return -1;
	return nh.iface;
}

static int cp_loop_route(const struct gw_cfg *cfg, const struct cfg_route *r)
{
	char p[GW_PREFIX_STRLEN], v[GW_ADDR_STRLEN];
	struct dp_nexthop nh;
	int ret;

	memset(&nh, 0, sizeof(nh));
	nh.type = r->via.family == 0 ? DP_NH_CONNECTED : DP_NH_GATEWAY;
	nh.gw = r->via;
	ret = r->iface;
	if (ret < 0 && r->via.family != 0)
		ret = cp_loop_onlink_iface(&r->via);
	if (ret < 0 || (unsigned)ret >= dp_nb_ifaces()) {
		GW_LOG(cp, ERR, "%s:%d: route %s: gateway %s is not on a connected subnet",
		       cfg->path, r->line, gw_prefix_fmt(&r->prefix, p, sizeof(p)),
		       gw_addr_fmt(&r->via, v, sizeof(v)));
		return -ENETUNREACH;
	}
	nh.iface = (uint16_t)ret;
	ret = dp_route_add(&r->prefix, &nh);
	if (ret < 0)
		GW_LOG(cp, ERR, "%s:%d: route %s: cannot install (%s)", cfg->path, r->line,
		       gw_prefix_fmt(&r->prefix, p, sizeof(p)), strerror(-ret));
	return ret;
}

static int cp_loop_neighbor(const struct gw_cfg *cfg, const struct cfg_neighbor *n)
{
	char a[GW_ADDR_STRLEN];
	struct rte_ether_addr mac;
	int iface = n->iface >= 0 ? n->iface : cp_loop_onlink_iface(&n->addr);
	int ret = -ENETUNREACH;

	memcpy(mac.addr_bytes, n->mac.b, RTE_ETHER_ADDR_LEN);
	if (iface >= 0)
		ret = cp_neigh_add_static((unsigned)iface, &n->addr, &mac);
	if (ret < 0)
		GW_LOG(cp, ERR, "%s:%d: neighbor %s: cannot install (%s)", cfg->path, n->line,
		       gw_addr_fmt(&n->addr, a, sizeof(a)), strerror(-ret));
	return ret;
}

static int cp_loop_install(const struct gw_cfg *cfg)
{
	int ret;

	for (unsigned i = 0; i < cfg->n_routes; i++) {
		ret = cp_loop_route(cfg, &cfg->routes[i]);
		if (ret < 0)
			return ret;
	}
	for (unsigned i = 0; i < cfg->n_neighbors; i++) {
		ret = cp_loop_neighbor(cfg, &cfg->neighbors[i]);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static void cp_loop_announce(void)
{
	for (unsigned i = 0; i < dp_nb_ifaces(); i++) {
		cp_arp_announce(i);
		cp_nd_announce(i);
	}
}

/* ---- file descriptors ---- */

static int cp_loop_timer_set(int fd, unsigned first_us, unsigned period_us)
{
	struct itimerspec its = {
		.it_value = { .tv_sec = first_us / 1000000, .tv_nsec = (long)(first_us % 1000000) * 1000 },
		.it_interval = { .tv_sec = period_us / 1000000,
				 .tv_nsec = (long)(period_us % 1000000) * 1000 },
	};

	return timerfd_settime(fd, 0, &its, NULL) == 0 ? 0 : -errno;
}

static int cp_loop_watch(int fd, enum cp_ev tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = tag };

	return epoll_ctl(cp_epfd, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : -errno;
}

void cp_signal_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
}

static int cp_loop_fds(void)
{
	sigset_t sigs;
	int ret;

	cp_signal_set(&sigs);
	cp_epfd = epoll_create1(EPOLL_CLOEXEC);
	cp_pollfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	cp_tickfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	cp_sigfd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);
	if (cp_epfd < 0 || cp_pollfd < 0 || cp_tickfd < 0 || cp_sigfd < 0)
		return -errno;
	ret = cp_loop_watch(cp_pollfd, CP_EV_POLL);
	if (ret == 0)
		ret = cp_loop_watch(cp_tickfd, CP_EV_TICK);
	if (ret == 0)
		ret = cp_loop_watch(cp_sigfd, CP_EV_SIG);
	if (ret == 0)
		ret = cp_loop_timer_set(cp_tickfd, CP_TICK_MS * 1000, CP_TICK_MS * 1000);
	return ret;
}

static void cp_loop_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* The PKI, when the configuration has one: after telemetry (it registers
 * commands), its fetchers' eventfd watched. */
static int cp_loop_pki(const struct cfg_pki *pki)
{
	int ret;

	if (pki->n_trustpoints == 0 && pki->n_identities == 0)
		return 0;
	ret = pki_init(pki);
	if (ret < 0) {
		GW_LOG(cp, ERR, "PKI set-up failed: %s", strerror(-ret));
		return ret;
	}
	cp_pki_on = true;
	return cp_loop_watch(pki_fetch_fd(), CP_EV_PKI);
}

int cp_loop_pki_restart(const struct cfg_pki *pki)
{
	/* closing the fetchers' eventfd takes it out of the epoll set */
	if (cp_pki_on)
		pki_fini();
	cp_pki_on = false;
	return cp_loop_pki(pki);
}

int cp_init(const struct gw_cfg *cfg)
{
	int ret;

	cp_icmp_init();
	cp_neigh_init();
	ret = cp_frag_init();
	if (ret < 0)
		goto fail;
	ret = cp_loop_install(cfg);
	if (ret < 0)
		goto fail;
	ret = cp_sa_init(cfg);
	if (ret < 0) {
		GW_LOG(cp, ERR, "policies and manual SAs: %s", strerror(-ret));
		goto fail;
	}
	ret = cp_loop_fds();
	if (ret < 0) {
		GW_LOG(cp, ERR, "event loop set-up failed: %s", strerror(-ret));
		goto fail;
	}
	cp_tmfd = cp_tm_init();
	if (cp_tmfd < 0) {
		ret = cp_tmfd;
		GW_LOG(cp, ERR, "telemetry set-up failed: %s", strerror(-ret));
		goto fail;
	}
	ret = cp_loop_watch(cp_tmfd, CP_EV_TM);
	if (ret < 0)
		goto fail;
	ret = cp_capture_init(cfg);
	if (ret < 0)
		goto fail;
	ret = cp_loop_pki(&cfg->pki);
	if (ret < 0)
		goto fail;
	ret = ike_rev_init(cfg);
	if (ret < 0) {
		GW_LOG(cp, ERR, "disconnect-revoked-peers set-up failed: %s", strerror(-ret));
		goto fail;
	}
	ret = ikev2_init(cfg);
	if (ret < 0)
		goto fail;
	ret = ikev1_init(cfg);
	if (ret < 0)
		goto fail;
	ret = cp_reload_init(cfg);
	if (ret < 0)
		goto fail;
	cp_loop_announce();
	return 0;
fail:
	cp_fini();
	return ret;
}

/* ---- the loop ---- */

/* Drain a timerfd's expiration count; it only has to stop being readable. */
static void cp_loop_timer_ack(int fd)
{
	uint64_t n;

	if (read(fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		GW_LOG(cp, WARNING, "timerfd read: %s", strerror(errno));
}

static void cp_loop_poll(void)
{
	unsigned handled = 0, n;

	cp_loop_timer_ack(cp_pollfd);
	for (int i = 0; i < CP_POLL_BURSTS; i++) {
		n = cp_punt_poll();
		handled += n;
		if (n == 0)
			break;
	}
	if (handled > 0)
		cp_poll_us = CP_POLL_MIN_US;
	else if (cp_poll_us < CP_POLL_MAX_US)
		cp_poll_us = RTE_MIN(cp_poll_us * 2, (unsigned)CP_POLL_MAX_US);
	cp_loop_timer_set(cp_pollfd, cp_poll_us, 0);
}

/* ---- shutdown ---- */

static void cp_loop_drain_end(const char *why)
{
	uint64_t answered = ikev2_counter(IKEV2_C_ikev2_delete_answered) - cp_drain.answered0;

	GW_LOG(cp, NOTICE, "shutdown: %u sessions deleted, %" PRIu64 " DELETEs answered (%s)",
	       cp_drain.deleted, answered, why);
	cp_drain.on = false;
	cp_running = false;
}

static void cp_loop_drain_begin(void)
{
	cp_drain.answered0 = ikev2_counter(IKEV2_C_ikev2_delete_answered);
	cp_drain.deleted = ike_sa_drain("gateway shutting down");
	cp_drain.until_ms = cp_loop_now_ms() + CP_DRAIN_MS;
	cp_drain.on = true;
	GW_LOG(cp, NOTICE, "shutdown: DELETE sent for %u sessions, waiting up to %u ms",
	       cp_drain.deleted, (unsigned)CP_DRAIN_MS);
}

/* After each loop iteration: every DELETE answered, or the deadline. */
static void cp_loop_drain_check(void)
{
	if (!cp_drain.on)
		return;
	if (ike_sa_live() == 0)
		cp_loop_drain_end("all done");
	else if (cp_loop_now_ms() >= cp_drain.until_ms)
		cp_loop_drain_end("deadline passed");
}

static void cp_loop_signal(void)
{
	struct signalfd_siginfo si;

	while (read(cp_sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			GW_LOG(cp, NOTICE, "SIGHUP: reloading the configuration");
			cp_reload_run(CP_RELOAD_SIGHUP, NULL);
			continue;
		}
		if (cp_drain.on) {
			GW_LOG(cp, NOTICE, "%s again: stopping now", strsignal((int)si.ssi_signo));
			cp_loop_drain_end("interrupted");
			continue;
		}
		if (!cp_running)
			continue;
		GW_LOG(cp, NOTICE, "%s: stopping", strsignal((int)si.ssi_signo));
		cp_loop_drain_begin();
	}
}

static void cp_loop_dispatch(uint32_t tag)
{
	switch ((enum cp_ev)tag) {
	case CP_EV_POLL:
		cp_loop_poll();
		break;
	case CP_EV_TICK:
		cp_loop_timer_ack(cp_tickfd);
		cp_loop_tick(cp_loop_now_ms());
		break;
	case CP_EV_TM:
		cp_tm_service();
		break;
	case CP_EV_SIG:
		cp_loop_signal();
		break;
	case CP_EV_PKI:
		pki_fetch_service();
		break;
	}
}

int cp_run(void)
{
	struct epoll_event ev[4];

	if (cp_epfd < 0)
		return -EINVAL;
	cp_running = true;
	memset(&cp_drain, 0, sizeof(cp_drain));
	cp_poll_us = CP_POLL_MIN_US;
	cp_loop_timer_set(cp_pollfd, cp_poll_us, 0);
	while (cp_running) {
		int n = epoll_wait(cp_epfd, ev, (int)RTE_DIM(ev), -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			GW_LOG(cp, ERR, "epoll_wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++)
			cp_loop_dispatch(ev[i].data.u32);
		/* CRLs accepted in this iteration: their revoked peers go now */
		ike_rev_run();
		cp_loop_drain_check();
	}
	return 0;
}

void cp_fini(void)
{
	cp_capture_fini();
	ikev1_fini();
	ikev2_fini();
	ike_rev_fini();
	if (cp_pki_on)
		pki_fini();
	cp_pki_on = false;
	if (cp_tmfd >= 0)
		cp_tm_fini();
	cp_tmfd = -1;
	cp_loop_close(&cp_sigfd);
	cp_loop_close(&cp_tickfd);
	cp_loop_close(&cp_pollfd);
	cp_loop_close(&cp_epfd);
	cp_sa_fini();
	cp_frag_fini();
	cp_neigh_fini();
	cp_reload_fini();	/* last: the configurations reloads loaded */
}
