/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bridge between DPDK's telemetry threads and the control-plane loop.
 *
 * Every /ipsecgw/ command has the same DPDK callback, tm_trampoline().  It
 * runs on a telemetry thread (one per client), queues a request, wakes the
 * CP loop through the eventfd and waits on the condition variable for at
 * most TM_TIMEOUT_MS.  cp_tm_service() on the CP thread looks the handler
 * up by the command string, runs it into the request's private tm_reply
 * and marks it done; the callback then copies that snapshot into DPDK's
 * rte_tel_data on its own thread.  A request holds two references, the
 * waiter's and the CP's (queue, then running handler); whichever side
 * drops the last one frees it, so a timed-out request is freed by the CP
 * when it gets there, and counted then.
 *
 * One mutex guards the queue, the flags of every request and the
 * running/eventfd state.  The command table is written only by the
 * main/CP thread and read only by the CP thread.
 */

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <rte_telemetry.h>

#include "common/gw_event.h"
#include "common/gw_log.h"
#include "controlplane/cp_stats.h"
#include "controlplane/cp_tm.h"

static const char tm_prefix[] = "/ipsecgw/";

struct tm_cmd {
	char name[TM_MAX_NAME + 1];
	tm_handler_fn fn;
	bool audit;			/* changes state: log every call */
};

struct tm_req {
	struct tm_req *next;		/* queue link */
	char cmd[sizeof(tm_prefix) + TM_MAX_NAME];
	char params[TM_MAX_PARAMS];
	bool has_params;
	bool done;			/* the CP finished; reply is final */
	bool abandoned;			/* the waiter gave up */
	int refs;
	struct tm_reply *reply;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t done_cv;		/* CLOCK_MONOTONIC */
	struct tm_req *head, *tail;
	unsigned pending;
	bool running;
	int efd;
} tm = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.efd = -1,
};

static pthread_once_t tm_cv_once = PTHREAD_ONCE_INIT;
static struct tm_cmd tm_cmds[TM_MAX_CMDS];	/* main/CP thread only */
static unsigned tm_n_cmds;

static void tm_cv_init(void)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&tm.done_cv, &a);
	pthread_condattr_destroy(&a);
}

static void tm_req_free(struct tm_req *q)
{
	tm_reply_free(q->reply);
	free(q);
}

/* Drop one reference; tm.lock held.  True when the caller must free q. */
static bool tm_req_put_locked(struct tm_req *q)
{
	return --q->refs == 0;
}

static struct tm_req *tm_req_new(const char *cmd, const char *params)
{
	struct tm_req *q = calloc(1, sizeof(*q));

	if (q == NULL)
		return NULL;
	q->reply = tm_reply_new();
	if (q->reply == NULL) {
		free(q);
		return NULL;
	}
	snprintf(q->cmd, sizeof(q->cmd), "%s", cmd);
	q->has_params = params != NULL;
	snprintf(q->params, sizeof(q->params), "%s", params != NULL ? params : "");
	q->refs = 2;
	return q;
}

/* Fill d with {"error": msg} from the telemetry thread. */
static int tm_tel_error(struct rte_tel_data *d, const char *msg)
{
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "error", msg);
	return 0;
}

/* Queue q and wake the CP.  tm.lock held.  NULL or an error message. */
static const char *tm_enqueue_locked(struct tm_req *q)
{
	uint64_t one = 1;

	if (!tm.running)
		return "control plane not running";
	if (tm.pending >= TM_MAX_PENDING)
		return "busy: too many requests queued";
	if (tm.tail != NULL)
		tm.tail->next = q;
	else
		tm.head = q;
	tm.tail = q;
	tm.pending++;
	/* A full counter (EAGAIN) still leaves the fd readable. */
	if (write(tm.efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		GW_LOG(tm, WARNING, "eventfd write: %s", strerror(errno));
	return NULL;
}

static void tm_deadline(struct timespec *ts)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += TM_TIMEOUT_MS / 1000;
	ts->tv_nsec += (long)(TM_TIMEOUT_MS % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* The one DPDK callback, on a telemetry thread.  Never touches CP state. */
static int tm_trampoline(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct tm_req *q = tm_req_new(cmd, params);
	const char *err;
	struct timespec until;
	bool done, last;
	int ret = 0;

	if (q == NULL)
		return tm_tel_error(d, "out of memory");
	pthread_once(&tm_cv_once, tm_cv_init);
	tm_deadline(&until);
	pthread_mutex_lock(&tm.lock);
	err = tm_enqueue_locked(q);
	if (err != NULL) {
		pthread_mutex_unlock(&tm.lock);
		tm_req_free(q);
		return tm_tel_error(d, err);
	}
	while (!q->done && ret != ETIMEDOUT)
		ret = pthread_cond_timedwait(&tm.done_cv, &tm.lock, &until);
	done = q->done;
	if (!done)
		q->abandoned = true;
	last = tm_req_put_locked(q);
	pthread_mutex_unlock(&tm.lock);
	if (!done) {
		/* The CP frees q when it gets to it (and counts the timeout). */
		if (last)
			tm_req_free(q);
		return tm_tel_error(d, "timed out waiting for the control plane");
	}
	/* done: the CP dropped its reference, the reply is ours alone. */
	if (tm_reply_to_tel(q->reply, d) != 0)
		tm_tel_error(d, "reply conversion failed");
	tm_req_free(q);
	return 0;
}

static const struct tm_cmd *tm_lookup(const char *cmd)
{
	if (strncmp(cmd, tm_prefix, sizeof(tm_prefix) - 1) != 0)
		return NULL;
	cmd += sizeof(tm_prefix) - 1;
	for (unsigned i = 0; i < tm_n_cmds; i++)
		if (strcmp(tm_cmds[i].name, cmd) == 0)
			return &tm_cmds[i];
	return NULL;
}

bool cp_tm_audited(const char *name)
{
	char path[sizeof(tm_prefix) + TM_MAX_NAME];
	const struct tm_cmd *c;

	if (strncmp(name, tm_prefix, sizeof(tm_prefix) - 1) != 0) {
		snprintf(path, sizeof(path), "%s%s", tm_prefix, name);
		name = path;
	}
	c = tm_lookup(name);
	return c != NULL && c->audit;
}

/* [a-z0-9_]+, or two such words joined by one '/' ("pki/crls"). */
static bool tm_name_valid(const char *name)
{
	size_t n = strlen(name);
	unsigned slashes = 0;

	if (n == 0 || n > TM_MAX_NAME || name[0] == '/' || name[n - 1] == '/')
		return false;
	for (const char *p = name; *p != '\0'; p++) {
		if (*p == '/' && ++slashes == 1)
			continue;
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	}
	return true;
}

int cp_tm_register(const char *name, tm_handler_fn fn, const char *help)
{
	return cp_tm_register_audited(name, fn, help, false);
}

int cp_tm_register_audited(const char *name, tm_handler_fn fn, const char *help, bool audit)
{
	char path[sizeof(tm_prefix) + TM_MAX_NAME];
	int ret;

	if (fn == NULL || !tm_name_valid(name) || help == NULL || strlen(help) >= 128) {
		GW_LOG(tm, ERR, "invalid telemetry command '%s'", name != NULL ? name : "(null)");
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "%s%s", tm_prefix, name);
	if (tm_lookup(path) != NULL)
		return -EEXIST;
	if (tm_n_cmds >= TM_MAX_CMDS)
		return -ENOSPC;
	/* Our table first: a request can arrive as soon as DPDK knows the name. */
	snprintf(tm_cmds[tm_n_cmds].name, sizeof(tm_cmds[0].name), "%s", name);
	tm_cmds[tm_n_cmds].fn = fn;
	tm_cmds[tm_n_cmds].audit = audit;
	tm_n_cmds++;
	ret = rte_telemetry_register_cmd(path, tm_trampoline, help);
	if (ret != 0) {
		tm_n_cmds--;
		GW_LOG(tm, ERR, "cannot register %s: %s", path, strerror(-ret));
		return ret;
	}
	return 0;
}

int cp_tm_register_table(const struct cp_tm_cmd *cmds, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int ret = cp_tm_register_audited(cmds[i].name, cmds[i].fn, cmds[i].help,
						 cmds[i].audit);

		if (ret != 0 && ret != -EEXIST)
			return ret;
	}
	return 0;
}

int cp_tm_init(void)
{
	int fd, ret;

	pthread_once(&tm_cv_once, tm_cv_init);
	if (tm.running)
		return tm.efd;
	ret = cp_tm_cmds_register();
	if (ret != 0)
		return ret;
	fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (fd < 0) {
		GW_LOG(tm, ERR, "eventfd: %s", strerror(errno));
		return -errno;
	}
	pthread_mutex_lock(&tm.lock);
	tm.efd = fd;
	tm.running = true;
	pthread_mutex_unlock(&tm.lock);
	return fd;
}

/* Take the next request off the queue, or NULL. */
static struct tm_req *tm_dequeue(void)
{
	struct tm_req *q;

	pthread_mutex_lock(&tm.lock);
	q = tm.head;
	if (q != NULL) {
		tm.head = q->next;
		if (tm.head == NULL)
			tm.tail = NULL;
		tm.pending--;
	}
	pthread_mutex_unlock(&tm.lock);
	return q;
}

/* The CP is finished with q (handler run or skipped): publish, drop the ref. */
static void tm_complete(struct tm_req *q)
{
	bool abandoned, last;

	pthread_mutex_lock(&tm.lock);
	q->done = true;
	abandoned = q->abandoned;
	last = tm_req_put_locked(q);
	pthread_cond_broadcast(&tm.done_cv);
	pthread_mutex_unlock(&tm.lock);
	if (abandoned)
		cp_count(CP_C_tm_timeouts);
	if (last)
		tm_req_free(q);
}

static void tm_run(struct tm_req *q)
{
	const struct tm_cmd *c;
	bool abandoned;

	pthread_mutex_lock(&tm.lock);
	abandoned = q->abandoned;
	pthread_mutex_unlock(&tm.lock);
	if (!abandoned) {
		cp_count(CP_C_tm_requests);	/* first: /ipsecgw/stats counts itself */
		c = tm_lookup(q->cmd);
		if (c == NULL)
			tm_error(q->reply, "unknown command");
		else if (c->fn(q->has_params ? q->params : NULL, q->reply) != 0 &&
			 !tm_reply_is_error(q->reply))
			tm_error(q->reply, "command failed");
		if (c != NULL && c->audit)
			gw_event(GW_EV_AUDIT, 0, "cmd", q->cmd, "params", q->params,
				 "result", tm_reply_is_error(q->reply) ? "error" : "ok",
				 (const char *)NULL);
	}
	tm_complete(q);
}

void cp_tm_service(void)
{
	struct tm_req *q;
	uint64_t n;

	/* EAGAIN (nothing new) is fine: drain the queue anyway. */
	if (tm.efd >= 0 && read(tm.efd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		GW_LOG(tm, WARNING, "eventfd read: %s", strerror(errno));
	while ((q = tm_dequeue()) != NULL)
		tm_run(q);
}

void cp_tm_fini(void)
{
	struct tm_req *q;
	int fd;

	pthread_mutex_lock(&tm.lock);
	tm.running = false;
	fd = tm.efd;
	tm.efd = -1;
	pthread_mutex_unlock(&tm.lock);
	while ((q = tm_dequeue()) != NULL) {
		tm_error(q->reply, "control plane shutting down");
		tm_complete(q);
	}
	if (fd >= 0)
		close(fd);
}
