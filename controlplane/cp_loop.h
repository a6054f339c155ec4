/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CP_LOOP_H
#define GW_CP_LOOP_H

/*
 * Internals of the CP event loop that tests drive directly.  CP thread only.
 */

#include <stdint.h>

enum {
	CP_POLL_MIN_US = 100,		/* punt-ring poll interval after activity */
	CP_POLL_MAX_US = 2000,		/* ... backing off to this when idle */
	CP_TICK_MS = 100,		/* periodic work */
	CP_POLL_BURSTS = 8,		/* cp_punt_poll() rounds per wake-up */
	CP_DRAIN_MS = 2000,		/* shutdown: longest wait for DELETE answers */
};

/* The periodic work: neighbour timers, reassembly expiry, ICMP tokens,
 * the PKI's schedule and timeouts (when configured), SA events (cp_sa_tick),
 * the packet capture's writes (cp_capture_tick), RCU reclamation.
 * now_ms monotonic. */
void cp_loop_tick(uint64_t now_ms);
/* Monotonic milliseconds (CLOCK_MONOTONIC). */
uint64_t cp_loop_now_ms(void);

/* Configuration reload (cp_reload.c): stop the PKI if it runs, then start
 * it from pki when that has trustpoints or identities, its fetchers'
 * eventfd watched.  0 or pki_init()'s -errno (then no PKI runs). */
struct cfg_pki;
int cp_loop_pki_restart(const struct cfg_pki *pki);

#endif /* GW_CP_LOOP_H */
