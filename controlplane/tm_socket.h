/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_TM_SOCKET_H
#define GW_TM_SOCKET_H

/*
 * The DPDK telemetry socket's access control.  DPDK 22.11's callbacks do
 * not see the client, so who may run state-changing commands is decided by
 * the socket's mode and group, set here right after rte_eal_init() (main
 * runs EAL under umask 077, so the socket is born private).
 */

#include <stddef.h>

#include "cfg/cfg.h"

/* Path of this process's telemetry socket (<runtime dir>/dpdk_telemetry.v2).
 * Any thread, after rte_eal_init().  0 or -ENAMETOOLONG. */
int tm_socket_path(char *buf, size_t len);
/*
 * Apply socket_mode / socket_group (nothing when neither is set), and give
 * the runtime directories the search bit the mode needs.  Main thread,
 * after rte_eal_init().  0, -ENOENT (unknown group, or no socket: EAL ran
 * with --no-telemetry), -ENOTSOCK, or chown/chmod's -errno; each logged.
 */
int tm_socket_apply(const struct cfg_telemetry *t);

#endif /* GW_TM_SOCKET_H */
