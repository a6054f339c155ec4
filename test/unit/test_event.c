/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Structured events (common/gw_event.h): the line format (ids, quoting,
 * cleaning, the 64-character cut, the sentinel), the syslog datagram as a
 * collector on a unix datagram socket receives it, the failure counter
 * when nobody listens, and the audit mark of the telemetry commands that
 * change state (controlplane/cp_tm.h).
 */

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <rte_common.h>

#include "common/gw_event.h"
#include "controlplane/cp_tm.h"
#include "common/gw_addr.h"
#include "controlplane/ike/ike_rev.h"
#include "controlplane/ike/ike_sa_event.h"
#include "controlplane/pki/pki_internal.h"
#include "test/unit/test_eal.h"

static char line[GW_EVENT_LINE_MAX];

static void test_format_basic(void)
{
	size_t n = gw_event_format(line, sizeof(line), GW_EV_SESSION_UP, 7, "version", "2",
				   "peer", "branch1", "remote", "10.10.0.2", (const char *)NULL);

	CU_ASSERT_STRING_EQUAL(line, "event=session_up id=7 version=2 peer=branch1 remote=10.10.0.2");
	CU_ASSERT_EQUAL(n, strlen(line));
	gw_event_format(line, sizeof(line), GW_EV_CRL_ACCEPTED, 0, "trustpoint", "lab",
			(const char *)NULL);
	CU_ASSERT_STRING_EQUAL(line, "event=crl_accepted trustpoint=lab");	/* no id=0 */
	gw_event_format(line, sizeof(line), GW_EV_AUDIT, 0, (const char *)NULL);
	CU_ASSERT_STRING_EQUAL(line, "event=audit");
	CU_ASSERT_STRING_EQUAL(gw_event_name(GW_EV_SESSION_DOWN), "session_down");
	CU_ASSERT_STRING_EQUAL(gw_event_name(GW_EV_MAX), "?");
	CU_ASSERT_EQUAL(gw_event_priority(GW_EV_REVOKED), LOG_WARNING);
	CU_ASSERT_EQUAL(gw_event_priority(GW_EV_SESSION_UP), LOG_NOTICE);
}

static void test_format_values(void)
{
	char longv[200];

	gw_event_format(line, sizeof(line), GW_EV_SESSION_DOWN, 3, "reason", "peer sent DELETE",
			"remote_id", "CN=swan1, O=lab", "empty", "", "null", (const char *)NULL,
			(const char *)NULL);
	CU_ASSERT_STRING_EQUAL(line, "event=session_down id=3 reason=\"peer sent DELETE\" "
			       "remote_id=\"CN=swan1, O=lab\" empty=\"\" null=\"\"");
	gw_event_format(line, sizeof(line), GW_EV_AUDIT, 0, "params", "a\"b\\c\n\x01\xff",
			(const char *)NULL);
	CU_ASSERT_STRING_EQUAL(line, "event=audit params=\"a'b\\c???\"");
	memset(longv, 'x', sizeof(longv) - 1);
	longv[sizeof(longv) - 1] = '\0';
	gw_event_format(line, sizeof(line), GW_EV_AUDIT, 0, "params", longv, (const char *)NULL);
	CU_ASSERT_EQUAL(strlen(line), strlen("event=audit params=") + GW_EVENT_VAL_MAX);
	CU_ASSERT_EQUAL(line[strlen(line) - 1], '~');
	longv[GW_EVENT_VAL_MAX] = '\0';		/* exactly 64: not cut */
	gw_event_format(line, sizeof(line), GW_EV_AUDIT, 0, "params", longv, (const char *)NULL);
	CU_ASSERT_EQUAL(line[strlen(line) - 1], 'x');
	/* a short buffer: cut, NUL-terminated, the full length returned */
	CU_ASSERT(gw_event_format(line, 10, GW_EV_AUDIT, 0, "k", "v", (const char *)NULL) ==
		  strlen("event=audit k=v"));
	CU_ASSERT_STRING_EQUAL(line, "event=aud");
}

/* A collector like journald's /dev/log: bound unix datagram socket. */
static int collector(char *path, size_t len)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	snprintf(path, len, "/tmp/gw_event_test.%d.sock", (int)getpid());
	unlink(path);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int recv_line(int fd, char *buf, size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, 2000) != 1)
		return -1;
	n = recv(fd, buf, len - 1, 0);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return (int)n;
}

static void test_syslog_datagram(void)
{
	char path[108], buf[2048], want[128];
	uint64_t sent0, failed0, sent, failed;
	int fd = collector(path, sizeof(path));

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL_FATAL(gw_event_open(path), 0);
	gw_event_counters(&sent0, &failed0);
	gw_event(GW_EV_REVOKED, 9, "peer", "swan2", (const char *)NULL);
	CU_ASSERT_FATAL(recv_line(fd, buf, sizeof(buf)) > 0);
	/* <PRI> = daemon (3 << 3) | warning (4) = 28, then "Mmm dd hh:mm:ss " */
	CU_ASSERT(strncmp(buf, "<28>", 4) == 0);
	snprintf(want, sizeof(want), " ipsecgw[%d]: event=revoked id=9 peer=swan2", (int)getpid());
	CU_ASSERT(strlen(buf) > strlen(want) &&
		  strcmp(buf + strlen(buf) - strlen(want), want) == 0);
	gw_event(GW_EV_AUDIT, 0, "cmd", "/ipsecgw/sa_clear", "result", "ok", (const char *)NULL);
	CU_ASSERT_FATAL(recv_line(fd, buf, sizeof(buf)) > 0);
	CU_ASSERT(strncmp(buf, "<29>", 4) == 0);	/* daemon.notice */
	CU_ASSERT(strstr(buf, ": event=audit cmd=/ipsecgw/sa_clear result=ok") != NULL);
	gw_event_counters(&sent, &failed);
	CU_ASSERT_EQUAL(sent - sent0, 2);
	CU_ASSERT_EQUAL(failed, failed0);
	/* nobody listening: counted, never blocks */
	close(fd);
	unlink(path);
	gw_event(GW_EV_AUDIT, 0, "cmd", "x", (const char *)NULL);
	gw_event_counters(&sent, &failed);
	CU_ASSERT_EQUAL(failed - failed0, 1);
	gw_event_close();
	gw_event(GW_EV_AUDIT, 0, "cmd", "y", (const char *)NULL);	/* DPDK log only */
	gw_event_counters(&sent, &failed);
	CU_ASSERT_EQUAL(failed - failed0, 1);
	CU_ASSERT_EQUAL(gw_event_open(""), 0);
	CU_ASSERT(gw_event_open("/tmp/a-path-longer-than-sun-path-allows-xxxxxxxxxxxxxxxxxxxxxxxxxxx"
				"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx") == -ENAMETOOLONG);
}

/* session_up once (not after a rekey), session_down with the first reason
 * an up SA was given when it went DELETING; a half-open SA dying: nothing. */
static void test_session_events(void)
{
	char path[108], buf[2048], want[256];
	int fd = collector(path, sizeof(path));
	struct ike_sa *sa, *ho;

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL_FATAL(ike_sa_table_init(), 0);
	CU_ASSERT_EQUAL_FATAL(gw_event_open(path), 0);
	sa = ike_sa_new(IKE_RESPONDER, -1);
	ho = ike_sa_new(IKE_RESPONDER, -1);
	CU_ASSERT_FATAL(sa != NULL && ho != NULL);
	CU_ASSERT_EQUAL(gw_addr_parse("10.0.0.1", &sa->local), 0);
	CU_ASSERT_EQUAL(gw_addr_parse("10.0.0.2", &sa->remote), 0);
	sa->remote_id_type = IKE_ID_FQDN;
	memcpy(sa->remote_id, "peer.lab", 8);
	sa->remote_id_len = 8;
	ike_sa_state(sa, IKE_SA_ESTABLISHED, "IKE_AUTH done");
	CU_ASSERT_FATAL(recv_line(fd, buf, sizeof(buf)) > 0);
	snprintf(want, sizeof(want), "event=session_up id=%" PRIu64 " version=%u peer=? "
		 "remote=10.0.0.2 local=10.0.0.1 local_id=\"\" remote_id=peer.lab", sa->id,
		 (unsigned)sa->ike_version);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, want));
	ike_sa_state(sa, IKE_SA_REKEYING, "rekey");
	ike_sa_state(sa, IKE_SA_ESTABLISHED, "rekey done");	/* no second session_up */
	ike_sa_kill(ho, "half-open SA timed out");		/* never up: no event */
	ike_sa_state(sa, IKE_SA_DELETING, "cleared by the operator");
	ike_sa_kill(sa, "DELETE answered");
	CU_ASSERT_FATAL(recv_line(fd, buf, sizeof(buf)) > 0);
	snprintf(want, sizeof(want), "event=session_down id=%" PRIu64 " version=%u peer=? "
		 "remote=10.0.0.2 reason=\"cleared by the operator\"", sa->id,
		 (unsigned)sa->ike_version);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, want));
	if (strstr(buf, want) == NULL)
		printf("\n got: %s\nwant: %s\n", buf, want);
	CU_ASSERT_EQUAL(recv_line(fd, buf, sizeof(buf)), -1);	/* nothing else */
	gw_event_close();
	close(fd);
	unlink(path);
	ike_sa_reap();
	ike_sa_table_fini();
}

static int h_noop(const char *params, struct tm_reply *r)
{
	(void)params;
	(void)r;
	return 0;
}

/* The gateway's own tables: every state-changing command carries the
 * audit mark, the read-only ones do not. */
static void test_audit_marks(void)
{
	static const char *const audited[] = {
		"sa_clear", "clear/crypto_session", "ikev2/rekey", "pki/crl_request",
		"ikev2/disconnect_revoked_peers", "isakmp/disconnect_revoked_peers",
	};
	static const char *const plain[] = {
		"version", "stats", "interfaces", "interface", "sas", "sa", "ikev2/sessions",
		"ikev2/session", "isakmp/peer", "pki/crls", "revocation", "port/xstats", "events",
	};

	CU_ASSERT_EQUAL(cp_tm_cmds_register(), 0);
	CU_ASSERT_EQUAL(pki_tm_register(), 0);
	CU_ASSERT_EQUAL(ike_rev_tm_register(), 0);
	for (size_t i = 0; i < RTE_DIM(audited); i++) {
		CU_ASSERT(cp_tm_audited(audited[i]));
		if (!cp_tm_audited(audited[i]))
			printf("not audited: %s\n", audited[i]);
	}
	for (size_t i = 0; i < RTE_DIM(plain); i++) {
		CU_ASSERT(!cp_tm_audited(plain[i]));
		if (cp_tm_audited(plain[i]))
			printf("audited: %s\n", plain[i]);
	}
	CU_ASSERT(cp_tm_audited("/ipsecgw/sa_clear"));
	CU_ASSERT(!cp_tm_audited("no_such_command"));
	CU_ASSERT_EQUAL(cp_tm_register_audited("t_audited", h_noop, "test", true), 0);
	CU_ASSERT_EQUAL(cp_tm_register("t_plain", h_noop, "test"), 0);
	CU_ASSERT(cp_tm_audited("t_audited"));
	CU_ASSERT(!cp_tm_audited("t_plain"));
}

int main(void)
{
	static const struct test_case cases[] = {
		{ "format: ids, keys, kinds", test_format_basic },
		{ "format: quoting, cleaning, 64-char cut", test_format_values },
		{ "syslog datagram to a collector, failures counted", test_syslog_datagram },
		{ "audit mark of state-changing commands", test_audit_marks },
		{ "session_up, session_down with the first reason", test_session_events },
	};

	if (test_eal_init("event", 0, NULL) != 0)
		return 1;
	if (test_suite("event", NULL, NULL, cases, RTE_DIM(cases)) != 0)
		return 1;
	return test_run();
}
