/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_EVENT_H
#define GW_EVENT_H

/*
 * Structured events for operators: one line per event,
 *
 *   event=session_up id=7 version=2 peer=branch1 remote=10.10.0.2 ...
 *
 * sent to syslog (facility daemon, tag "ipsecgw", priority by kind) and
 * copied into the DPDK log at NOTICE (log type ipsecgw.event).  Keys are
 * fixed per kind and only ever added to.  A value keeps printable ASCII
 * (other bytes become '?') and is cut to GW_EVENT_VAL_MAX characters (the
 * cut ends in '~'); one that is empty or holds a space, '"' or '=' is
 * written in double quotes, with '"' turned into '\''.
 *
 * The syslog datagram is written by this module, RFC 3164 style
 * ("<PRI>Mmm dd hh:mm:ss ipsecgw[PID]: LINE"), to a configurable unix
 * datagram socket (default /dev/log, which journald and rsyslog read),
 * without blocking: the control-plane loop never waits for the logger.  A
 * datagram that cannot be sent (no logger, full queue) is counted, and
 * the line is still in the DPDK log.  Not thread-safe for gw_event_open
 * and gw_event_close; gw_event() itself may be called from any thread.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	GW_EVENT_VAL_MAX = 64,
	GW_EVENT_LINE_MAX = 1024,
	GW_EVENT_PATH_MAX = 108,	/* sun_path */
};

/* X(KIND, name, syslog priority) */
#define GW_EVENT_KINDS(X) \
	X(SESSION_UP, session_up, LOG_NOTICE) \
	X(SESSION_DOWN, session_down, LOG_NOTICE) \
	X(REVOKED, revoked, LOG_WARNING) \
	X(CRL_ACCEPTED, crl_accepted, LOG_INFO) \
	X(CRL_REJECTED, crl_rejected, LOG_WARNING) \
	X(AUDIT, audit, LOG_NOTICE) \
	X(LINK_DOWN, link_down, LOG_WARNING) \
	X(LINK_UP, link_up, LOG_NOTICE) \
	X(RELOAD, reload, LOG_NOTICE)

enum gw_event_kind {
#define X(U, l, p) GW_EV_##U,
	GW_EVENT_KINDS(X)
#undef X
	GW_EV_MAX
};

/* "session_up", ...; "?" for no such kind. */
const char *gw_event_name(enum gw_event_kind kind);
/* The syslog priority (LOG_*) of kind. */
int gw_event_priority(enum gw_event_kind kind);

/* Send events to the unix datagram socket path (NULL or "": DPDK log
 * only).  0 or -errno (the socket could not be created). */
int gw_event_open(const char *path);
void gw_event_close(void);

/*
 * Emit one event: "event=NAME", then "id=ID" unless id is 0, then the
 * pairs of (key, value) strings up to a NULL key (a NULL value is
 * written as "").  Keys are the caller's literals ([a-z0-9_]).
 */
void gw_event(enum gw_event_kind kind, uint64_t id, ...) __attribute__((sentinel));

/* The line gw_event() would write, into buf (cut at len - 1).  Length of
 * the line (maybe >= len when cut).  For tests. */
size_t gw_event_format(char *buf, size_t len, enum gw_event_kind kind, uint64_t id, ...)
	__attribute__((sentinel));

/* Datagrams sent and not sent since start. */
void gw_event_counters(uint64_t *sent, uint64_t *failed);

#endif /* GW_EVENT_H */
