/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CRL downloads off the control-plane loop.
 *
 * The CP thread queues a job (pki_fetch_start); one of PKI_FETCH_THREADS
 * fetcher threads runs it through pki_http_get() and moves it to the done
 * list, then writes the eventfd the CP loop watches; pki_fetch_service()
 * on the CP thread takes the done jobs and hands each result to the CRL
 * service (ingest or failure), the scheduler and the pending
 * verifications.  A fetcher thread never touches PKI state.
 *
 * A trustpoint may run at most PKI_FETCH_PER_TP jobs at once, so one slow
 * or hanging CA server leaves threads for the others.
 *
 * One mutex guards the three lists (queued, running, done), the per-
 * trustpoint running counts and the running jobs' sockets.  pki_fetch_fini
 * cancels running transfers, connecting or not, by shutting their sockets
 * down (see pki_http.h), then joins the threads; only name resolution
 * (getaddrinfo) cannot be cut short.
 */

#define _GNU_SOURCE		/* pthread_setname_np */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "common/gw_log.h"
#include "controlplane/pki/pki_http.h"
#include "controlplane/pki/pki_internal.h"

enum {
	PKI_FETCH_THREADS = 4,
	PKI_FETCH_PER_TP = 2,		/* running at once per trustpoint */
	PKI_FETCH_MAX_JOBS = 64,	/* queued + running + done */
};

struct pki_fetch_job {
	TAILQ_ENTRY(pki_fetch_job) link;
	unsigned tp;
	char url[CFG_URL_MAX];
	uint32_t timeout_s, max_size;
	int sock;			/* connected socket while running, else -1 */
	int err;			/* pki_http_get()'s result */
	struct pki_http_result res;
};

TAILQ_HEAD(pki_fetch_list, pki_fetch_job);

static struct {
	pthread_mutex_t lock;
	pthread_cond_t work;
	struct pki_fetch_list queued, running, done;
	unsigned n_jobs;
	unsigned tp_running[CFG_MAX_TRUSTPOINTS];
	pthread_t threads[PKI_FETCH_THREADS];
	unsigned n_threads;
	bool stop;
	atomic_bool cancel;
	int efd;
} pki_fetch = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.work = PTHREAD_COND_INITIALIZER,
	.queued = TAILQ_HEAD_INITIALIZER(pki_fetch.queued),
	.running = TAILQ_HEAD_INITIALIZER(pki_fetch.running),
	.done = TAILQ_HEAD_INITIALIZER(pki_fetch.done),
	.efd = -1,
};

static void pki_fetch_job_free(struct pki_fetch_job *j)
{
	free(j->res.body);
	free(j);
}

/* pki_http's socket report, on the fetcher thread. */
static void pki_fetch_sock(void *arg, int fd)
{
	struct pki_fetch_job *j = arg;

	pthread_mutex_lock(&pki_fetch.lock);
	j->sock = fd;
	if (fd >= 0 && atomic_load(&pki_fetch.cancel))
		shutdown(fd, SHUT_RDWR);
	pthread_mutex_unlock(&pki_fetch.lock);
}

/* The first queued job whose trustpoint has a free slot; lock held. */
static struct pki_fetch_job *pki_fetch_pick_locked(void)
{
	struct pki_fetch_job *j;

	TAILQ_FOREACH(j, &pki_fetch.queued, link)
		if (pki_fetch.tp_running[j->tp] < PKI_FETCH_PER_TP)
			return j;
	return NULL;
}

static void pki_fetch_run(struct pki_fetch_job *j)
{
	struct pki_http_req req = {
		.url = j->url,
		.proxy = "",
		.timeout_s = j->timeout_s,
		.max_size = j->max_size,
		.max_redirects = PKI_HTTP_MAX_REDIRECTS,
		.sock_fn = pki_fetch_sock,
		.arg = j,
		.cancel = &pki_fetch.cancel,
	};

	j->err = pki_http_get(&req, &j->res);
}

static void *pki_fetch_thread(void *arg)
{
	struct pki_fetch_job *j;
	uint64_t one = 1;

	(void)arg;
	pthread_mutex_lock(&pki_fetch.lock);
	for (;;) {
		while (!pki_fetch.stop && (j = pki_fetch_pick_locked()) == NULL)
			pthread_cond_wait(&pki_fetch.work, &pki_fetch.lock);
		if (pki_fetch.stop)
			break;
		TAILQ_REMOVE(&pki_fetch.queued, j, link);
		TAILQ_INSERT_TAIL(&pki_fetch.running, j, link);
		pki_fetch.tp_running[j->tp]++;
		pthread_mutex_unlock(&pki_fetch.lock);

		pki_fetch_run(j);

		pthread_mutex_lock(&pki_fetch.lock);
		TAILQ_REMOVE(&pki_fetch.running, j, link);
		TAILQ_INSERT_TAIL(&pki_fetch.done, j, link);
		pki_fetch.tp_running[j->tp]--;
		/* A slot of j->tp is free: another thread may take its next job. */
		pthread_cond_broadcast(&pki_fetch.work);
		if (write(pki_fetch.efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			GW_LOG(pki, WARNING, "fetch eventfd write: %s", strerror(errno));
	}
	pthread_mutex_unlock(&pki_fetch.lock);
	OPENSSL_thread_stop();
	return NULL;
}

/* Same tp and url queued, running or not yet serviced?  Lock held. */
static bool pki_fetch_busy_locked(unsigned tp, const char *url)
{
	struct pki_fetch_list *lists[] = { &pki_fetch.queued, &pki_fetch.running, &pki_fetch.done };
	struct pki_fetch_job *j;

	for (unsigned i = 0; i < 3; i++)
		TAILQ_FOREACH(j, lists[i], link)
			if (j->tp == tp && strcmp(j->url, url) == 0)
				return true;
	return false;
}

int pki_fetch_start(unsigned tp, const char *url, uint32_t timeout_s, uint32_t max_size)
{
	struct pki_fetch_job *j;
	int ret = 0;

	if (url == NULL || url[0] == '\0' || strlen(url) >= CFG_URL_MAX || timeout_s == 0 ||
	    max_size == 0 || tp >= CFG_MAX_TRUSTPOINTS)
		return -EINVAL;
	j = calloc(1, sizeof(*j));
	if (j == NULL)
		return -ENOMEM;
	j->tp = tp;
	snprintf(j->url, sizeof(j->url), "%s", url);
	j->timeout_s = timeout_s;
	j->max_size = max_size;
	j->sock = -1;
	pthread_mutex_lock(&pki_fetch.lock);
	if (pki_fetch.n_threads == 0 || pki_fetch.stop)
		ret = -ENOTCONN;
	else if (pki_fetch_busy_locked(tp, url))
		ret = -EALREADY;
	else if (pki_fetch.n_jobs >= PKI_FETCH_MAX_JOBS)
		ret = -ENOSPC;
	if (ret == 0) {
		TAILQ_INSERT_TAIL(&pki_fetch.queued, j, link);
		pki_fetch.n_jobs++;
		pthread_cond_broadcast(&pki_fetch.work);
	}
	pthread_mutex_unlock(&pki_fetch.lock);
	if (ret != 0)
		free(j);
	return ret;
}

int pki_fetch_fd(void)
{
	return pki_fetch.efd;
}

unsigned pki_fetch_pending(void)
{
	struct pki_fetch_job *j;
	unsigned n = 0;

	pthread_mutex_lock(&pki_fetch.lock);
	TAILQ_FOREACH(j, &pki_fetch.queued, link)
		n++;
	TAILQ_FOREACH(j, &pki_fetch.running, link)
		n++;
	pthread_mutex_unlock(&pki_fetch.lock);
	return n;
}

/* One result to the CRL service, the scheduler and the verifications. */
static void pki_fetch_deliver(struct pki_fetch_job *j)
{
	static const struct pki_issuer_id none;
	struct pki_issuer_id issuer = none;
	const struct pki_tp *tp = pki_tp_get(j->tp);
	enum pki_crl_verdict v;

	if (tp == NULL)
		return;			/* the trustpoints were reloaded meanwhile */
	if (j->err == 0) {
		v = pki_crl_ingest(j->tp, j->res.body, j->res.len, j->url, false, &issuer);
		GW_LOG(pki, INFO, "trustpoint %s: %s: %zu bytes%s%s: %s", tp->name, j->url, j->res.len,
		       j->res.redirects > 0 ? " from " : "", j->res.redirects > 0 ? j->res.url : "",
		       pki_crl_verdict_str(v));
		if (memcmp(&issuer, &none, sizeof(issuer)) != 0)
			pki_sched_issuer(j->tp, j->url, &issuer);
	} else {
		GW_LOG(pki, WARNING, "trustpoint %s: download of %s failed: %s", tp->name, j->url,
		       j->res.why);
		pki_crl_download_failed(j->tp, j->url, j->res.why);
		v = PKI_CRL_DOWNLOAD;
	}
	pki_sched_done(j->tp, j->url, v);
	pki_verify_crl_result(j->tp);
}

void pki_fetch_service(void)
{
	struct pki_fetch_list done = TAILQ_HEAD_INITIALIZER(done);
	struct pki_fetch_job *j;
	uint64_t n;

	if (pki_fetch.efd < 0)
		return;
	/* EAGAIN (nothing new) is fine: drain the list anyway. */
	if (read(pki_fetch.efd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		GW_LOG(pki, WARNING, "fetch eventfd read: %s", strerror(errno));
	pthread_mutex_lock(&pki_fetch.lock);
	while ((j = TAILQ_FIRST(&pki_fetch.done)) != NULL) {
		TAILQ_REMOVE(&pki_fetch.done, j, link);
		TAILQ_INSERT_TAIL(&done, j, link);
		pki_fetch.n_jobs--;
	}
	pthread_mutex_unlock(&pki_fetch.lock);
	/* Outside the lock: ingest may take a while; callbacks may start fetches. */
	while ((j = TAILQ_FIRST(&done)) != NULL) {
		TAILQ_REMOVE(&done, j, link);
		pki_fetch_deliver(j);
		pki_fetch_job_free(j);
	}
}

/* Start the threads with every signal blocked: the CP takes its signals
 * through a signalfd, and a send() to a closed socket raises SIGPIPE. */
static int pki_fetch_spawn(void)
{
	sigset_t all, old;
	int ret = 0;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	while (pki_fetch.n_threads < PKI_FETCH_THREADS) {
		char name[16];

		ret = -pthread_create(&pki_fetch.threads[pki_fetch.n_threads], NULL,
				      pki_fetch_thread, NULL);
		if (ret != 0)
			break;
		snprintf(name, sizeof(name), "pki-fetch-%u", pki_fetch.n_threads);
		pthread_setname_np(pki_fetch.threads[pki_fetch.n_threads], name);
		pki_fetch.n_threads++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return ret;
}

int pki_fetch_init(void)
{
	int ret;

	if (pki_fetch.efd >= 0)
		return -EALREADY;
	pki_fetch.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (pki_fetch.efd < 0) {
		ret = -errno;
		GW_LOG(pki, ERR, "fetch eventfd: %s", strerror(-ret));
		return ret;
	}
	pki_fetch.stop = false;
	atomic_store(&pki_fetch.cancel, false);
	ret = pki_fetch_spawn();
	if (ret != 0) {
		GW_LOG(pki, ERR, "cannot start the CRL fetcher threads: %s", strerror(-ret));
		pki_fetch_fini();
	}
	return ret;
}

static void pki_fetch_drop(struct pki_fetch_list *l)
{
	struct pki_fetch_job *j;

	while ((j = TAILQ_FIRST(l)) != NULL) {
		TAILQ_REMOVE(l, j, link);
		pki_fetch_job_free(j);
	}
}

void pki_fetch_fini(void)
{
	struct pki_fetch_job *j;

	pthread_mutex_lock(&pki_fetch.lock);
	pki_fetch.stop = true;
	atomic_store(&pki_fetch.cancel, true);
	TAILQ_FOREACH(j, &pki_fetch.running, link)
		if (j->sock >= 0)
			shutdown(j->sock, SHUT_RDWR);
	pthread_cond_broadcast(&pki_fetch.work);
	pthread_mutex_unlock(&pki_fetch.lock);
	while (pki_fetch.n_threads > 0)
		pthread_join(pki_fetch.threads[--pki_fetch.n_threads], NULL);
	/* Results nobody will service, and jobs that never ran. */
	pki_fetch_drop(&pki_fetch.done);
	pki_fetch_drop(&pki_fetch.queued);
	pki_fetch_drop(&pki_fetch.running);
	pki_fetch.n_jobs = 0;
	memset(pki_fetch.tp_running, 0, sizeof(pki_fetch.tp_running));
	if (pki_fetch.efd >= 0)
		close(pki_fetch.efd);
	pki_fetch.efd = -1;
}
