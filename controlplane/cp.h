/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CP_H
#define GW_CP_H

/*
 * The control plane: one event loop on the main lcore that blocks in
 * epoll on a timerfd (punt-ring polling and periodic work), an eventfd
 * (telemetry requests) and a signalfd (SIGINT/SIGTERM: shutdown; SIGHUP:
 * configuration reload, controlplane/cp_reload.h).  It never spins.
 * It is the single writer of every data-plane table.
 */

#include <signal.h>

#include "cfg/cfg.h"

/* After dp_init(): install routes and neighbours, register telemetry.
 * cfg must stay valid until cp_fini(); a reload replaces it by a copy of
 * its own for everything reloadable (cp_reload.h), so the caller's cfg
 * keeps what the gateway started with.  0 or -errno (logged). */
int cp_init(const struct gw_cfg *cfg);
/* Run until SIGINT/SIGTERM (SIGINT and SIGTERM must be blocked in every
 * thread beforehand, see main).  Returns 0. */
int cp_run(void);
void cp_fini(void);

/* The signals cp_run() takes through its signalfd (SIGINT, SIGTERM,
 * SIGHUP); main blocks exactly these in every thread before rte_eal_init. */
void cp_signal_set(sigset_t *set);

#endif /* GW_CP_H */
