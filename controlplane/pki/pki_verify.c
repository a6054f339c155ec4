/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Peer verification: the chain, key usage and identity checks of
 * pki_verify_chain.c against each trustpoint, then the trustpoint's
 * revocation mode.  With revocation_check = "crl", every certificate below
 * the trust anchor needs a current CRL of its issuer.  When one is not held
 * (or is stale), a download is asked for and the verification waits in a
 * pending list, re-run on each download result for its trustpoint, until
 * PKI_VERIFY_WAIT_MS pass: then it fails with PKI_VERIFY_NO_CRL.  A missing
 * CRL never counts as "not revoked".  CP thread only; the callback is called
 * exactly once, on the CP thread, unless cancelled.  A chain verified before
 * comes from the verified-chain cache (pki_vcache.h): no parsing and no
 * X509_verify_cert, but key usage, identity and revocation are checked
 * every time, by the same code as for a new chain.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <openssl/x509v3.h>

#include "common/gw_log.h"
#include "controlplane/cp_loop.h"
#include "controlplane/pki/pki_internal.h"
#include "controlplane/pki/pki_vcache.h"

struct pki_pending {
	TAILQ_ENTRY(pki_pending) next;
	uint64_t handle;
	uint64_t deadline_ms;
	uint64_t sweep;			/* last pki_verify_crl_result that ran it */
	pki_verify_fn fn;
	void *arg;
	X509 *ee;
	STACK_OF(X509) *extra;		/* the rest of the peer's chain */
	struct pki_peer_id id;		/* data points into id_buf */
	uint8_t *id_buf;
	int tp;				/* trustpoint waited for, -1 = none */
	uint32_t asked;			/* trustpoints asked for a download */
	bool linked;
	const char *gave_up;		/* why no CRL can come, NULL = the deadline */
	char missing[PKI_ISSUER_STR + 48];	/* which CRL is missing, for NO_CRL */
	uint8_t vkey[PKI_VCACHE_KEY];	/* the chain's key in the verified-chain cache */
	bool has_vkey;
	STACK_OF(X509) *vchain;		/* a cache hit: the verified chain, EE..anchor */
	unsigned vtp;			/* and its trustpoint */
};

_Static_assert(CFG_MAX_TRUSTPOINTS <= 32, "asked is a 32-bit mask");

enum pki_attempt {
	PKI_ATTEMPT_DONE,		/* res is final */
	PKI_ATTEMPT_WAIT,		/* a CRL is missing: wait for pv->tp */
};

TAILQ_HEAD(pki_pending_list, pki_pending);
static struct pki_pending_list pki_pend = TAILQ_HEAD_INITIALIZER(pki_pend);
static unsigned pki_n_pending;
static uint64_t pki_next_handle = 1, pki_sweep;
static uint64_t pki_counts[PKI_VERIFY_INTERNAL + 1];

static const char *const pki_verify_error_names[] = {
#define X(n, d) d,
	PKI_VERIFY_ERRORS(X)
#undef X
};

const char *pki_verify_error_str(enum pki_verify_error e)
{
	if ((unsigned)e >= sizeof(pki_verify_error_names) / sizeof(pki_verify_error_names[0]))
		return "unknown error";
	return pki_verify_error_names[e];
}

void pki_pubkey_free(void *pkey)
{
	EVP_PKEY_free(pkey);
}

/* snprintf for one-line reasons, which are cut where they must be. */
static void pki_verify_say(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void pki_verify_say(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* ---- results ---- */

static void pki_verify_serial_hex(const struct pki_serial *s, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < s->len && n + 3 <= len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%02x", s->b[i]);
}

/*
 * Issuer id, serial and display issuer of cert.  The id is that of issuer,
 * cert's issuer in a verified chain, as the CRL store and the "CRL
 * updated" events know it (subject + SKID), even when cert's AKID is
 * missing or says otherwise; NULL = not known yet (cert's issuer name +
 * AKID).  0 or -1 (serial past 20 octets, or no memory).
 */
static int pki_verify_ref(X509 *cert, X509 *issuer, struct pki_cert_ref *ref)
{
	pki_issuer_str(X509_get_issuer_name(cert), ref->issuer_str, sizeof(ref->issuer_str));
	if (pki_serial_from_asn1(X509_get0_serialNumber(cert), &ref->serial) != 0)
		return -1;
	if (issuer != NULL)
		return pki_id_of_ca_subject(issuer, &ref->issuer) == 0 ? 0 : -1;
	return pki_id_of_cert_issuer(cert, &ref->issuer) == 0 ? 0 : -1;
}

static enum pki_attempt pki_verify_fail(struct pki_verify_result *res,
					enum pki_verify_error e, const char *why)
{
	res->error = e;
	pki_verify_say(res->reason, sizeof(res->reason), "%s", why);
	return PKI_ATTEMPT_DONE;
}

/* The first trustpoint under which the chain verifies, or -1 with the most
 * telling error in res: one that found the anchor beats "untrusted". */
static int pki_verify_find_tp(const struct pki_pending *pv, STACK_OF(X509) **chain,
			      struct pki_verify_result *res)
{
	char why[sizeof(res->reason)];

	res->error = PKI_VERIFY_UNTRUSTED;
	pki_verify_say(res->reason, sizeof(res->reason), "no trustpoint is configured");
	for (unsigned i = 0; i < pki_tp_count(); i++) {
		const struct pki_tp *tp = pki_tp_get(i);
		enum pki_verify_error e = pki_verify_chain(tp, pv->ee, pv->extra, chain, why,
							   sizeof(why));

		if (e == PKI_VERIFY_OK)
			return (int)i;
		if (i == 0 || (res->error == PKI_VERIFY_UNTRUSTED && e != PKI_VERIFY_UNTRUSTED)) {
			res->error = e;
			pki_verify_say(res->reason, sizeof(res->reason), "trustpoint %s: %s",
				       tp->name, why);
		}
	}
	return -1;
}

/* Remember the http:// CDPs of cert for prefetch and on-demand downloads. */
static void pki_verify_learn(unsigned idx, X509 *cert)
{
	char urls[CFG_MAX_CRL_URLS][CFG_URL_MAX];
	int n = pki_verify_cdp_urls(cert, urls, CFG_MAX_CRL_URLS);

	if (n > 0)
		pki_tp_learn_urls(idx, urls, (unsigned)n, "CDP of a peer certificate");
}

/*
 * Every certificate below the anchor (chain[0..n-2]) against the CRLs of
 * its issuer, the next certificate of the chain.  A revoked one decides at
 * once; a missing or stale CRL means WAIT with pv->missing naming it.
 */
static enum pki_attempt pki_verify_revocation(struct pki_pending *pv, unsigned tp,
					      STACK_OF(X509) *chain, int below,
					      struct pki_verify_result *res)
{
	bool missing = false;

	for (int i = 0; i < below; i++) {
		const struct pki_cert_ref *ref = i == 0 ? &res->ee : &res->chain[i - 1];
		enum pki_rev_status st;
		char hex[2 * PKI_SERIAL_MAX + 1];
		uint8_t why = 0;

		st = pki_crl_status_x509(tp, sk_X509_value(chain, i), sk_X509_value(chain, i + 1),
					 &why);
		if (st == PKI_REV_REVOKED) {
			pki_verify_serial_hex(&ref->serial, hex, sizeof(hex));
			res->error = PKI_VERIFY_REVOKED;
			pki_verify_say(res->reason, sizeof(res->reason),
				       "serial %s revoked by %s (CRL reason %u)", hex,
				       ref->issuer_str, why);
			return PKI_ATTEMPT_DONE;
		}
		if (st != PKI_REV_GOOD && !missing)
			pki_verify_say(pv->missing, sizeof(pv->missing), "CRL of %s %s",
				       ref->issuer_str,
				       st == PKI_REV_STALE ? "is stale" : "is not held");
		missing |= st != PKI_REV_GOOD;
	}
	res->error = PKI_VERIFY_OK;
	return missing ? PKI_ATTEMPT_WAIT : PKI_ATTEMPT_DONE;
}

/* The checks after the chain verified under tp: refs, key usage, identity,
 * revocation. */
static enum pki_attempt pki_verify_under(struct pki_pending *pv, unsigned tp,
					 STACK_OF(X509) *chain, bool final,
					 struct pki_verify_result *res)
{
	struct pki_tp *t = pki_tp_get(tp);
	int below = sk_X509_num(chain) - 1;
	enum pki_attempt a;

	res->trustpoint = (int)tp;
	if (below < 1 || below > PKI_MAX_CHAIN)
		return pki_verify_fail(res, PKI_VERIFY_UNTRUSTED, "chain length out of range");
	if (pki_verify_ref(pv->ee, sk_X509_value(chain, 1), &res->ee) != 0)
		return pki_verify_fail(res, PKI_VERIFY_INTERNAL, "cannot hash the issuer");
	for (int i = 1; i < below; i++)
		if (pki_verify_ref(sk_X509_value(chain, i), sk_X509_value(chain, i + 1),
				   &res->chain[res->n_chain++]) != 0)
			return pki_verify_fail(res, PKI_VERIFY_PARSE,
					       "intermediate serial longer than 20 octets");
	res->error = pki_verify_ee_usage(pv->ee, res->reason, sizeof(res->reason));
	if (res->error == PKI_VERIFY_OK)
		res->error = pki_verify_id_match(pv->ee, &pv->id, res->reason, sizeof(res->reason));
	if (res->error != PKI_VERIFY_OK)
		return PKI_ATTEMPT_DONE;
	pki_verify_say(res->reason, sizeof(res->reason),
		       "verified under trustpoint %s, revocation %s", t->name,
		       t->cfg->revocation_check == CFG_REVOCATION_CRL ? "crl" : "none");
	if (t->cfg->revocation_check != CFG_REVOCATION_CRL)
		return PKI_ATTEMPT_DONE;
	for (int i = 0; i < below; i++)
		pki_verify_learn(tp, sk_X509_value(chain, i));
	a = pki_verify_revocation(pv, tp, chain, below, res);
	if (a == PKI_ATTEMPT_DONE || !final) {
		pv->tp = (int)tp;
		return a;
	}
	res->error = PKI_VERIFY_NO_CRL;
	if (pv->gave_up != NULL)
		pki_verify_say(res->reason, sizeof(res->reason), "%s: %s", pv->missing,
			       pv->gave_up);
	else
		pki_verify_say(res->reason, sizeof(res->reason), "%s: none obtained within %u ms",
			       pv->missing, (unsigned)PKI_VERIFY_WAIT_MS);
	return PKI_ATTEMPT_DONE;
}

/* One pass over everything.  final: a missing CRL fails instead of waiting. */
static enum pki_attempt pki_verify_attempt(struct pki_pending *pv, bool final,
					   struct pki_verify_result *res)
{
	STACK_OF(X509) *chain = NULL;
	enum pki_attempt a;
	int tp;

	memset(res, 0, sizeof(*res));
	res->trustpoint = -1;
	if (pki_verify_ref(pv->ee, NULL, &res->ee) != 0)
		return pki_verify_fail(res, PKI_VERIFY_PARSE,
				       "end-entity serial longer than 20 octets");
	if (pv->vchain != NULL) {
		a = pki_verify_under(pv, pv->vtp, pv->vchain, final, res);
	} else {
		tp = pki_verify_find_tp(pv, &chain, res);
		if (tp < 0)
			return PKI_ATTEMPT_DONE;
		a = pki_verify_under(pv, (unsigned)tp, chain, final, res);
		/* only a verification that succeeded is remembered */
		if (a == PKI_ATTEMPT_DONE && res->error == PKI_VERIFY_OK && pv->has_vkey)
			(void)pki_vcache_put(pv->vkey, (unsigned)tp, pv->ee, chain);
		sk_X509_pop_free(chain, X509_free);
	}
	if (a == PKI_ATTEMPT_DONE && res->error == PKI_VERIFY_OK) {
		res->ee_pubkey = X509_get_pubkey(pv->ee);
		if (res->ee_pubkey == NULL)
			return pki_verify_fail(res, PKI_VERIFY_INTERNAL, "no public key");
	}
	return a;
}

/* ---- the pending list ---- */

static void pki_pending_free(struct pki_pending *pv)
{
	if (pv->linked) {
		TAILQ_REMOVE(&pki_pend, pv, next);
		pki_n_pending--;
	}
	X509_free(pv->ee);
	sk_X509_pop_free(pv->extra, X509_free);
	sk_X509_pop_free(pv->vchain, X509_free);
	free(pv->id_buf);
	free(pv);
}

static struct pki_pending *pki_pending_find(uint64_t handle)
{
	struct pki_pending *pv;

	TAILQ_FOREACH(pv, &pki_pend, next)
		if (pv->handle == handle)
			return pv;
	return NULL;
}

static void pki_verify_finish(struct pki_pending *pv, const struct pki_verify_result *res)
{
	pki_verify_fn fn = pv->fn;
	void *arg = pv->arg;
	uint64_t handle = pv->handle;

	pki_counts[res->error]++;
	pki_pending_free(pv);
	if (res->error == PKI_VERIFY_OK)
		GW_LOG(pki, INFO, "verification %" PRIu64 ": ok, %s, issuer %s", handle,
		       res->reason, res->ee.issuer_str);
	else
		GW_LOG(pki, NOTICE, "verification %" PRIu64 ": %s: %s", handle,
		       pki_verify_error_str(res->error), res->reason);
	fn(arg, res);
}

/*
 * Attempt, then finish or wait.  A wait asks for tp's CRLs once; when no
 * download of tp is (any longer) in flight, nothing more can come and the
 * verification fails at once instead of at the deadline.
 */
static void pki_verify_run(struct pki_pending *pv, bool final)
{
	struct pki_verify_result res;
	uint64_t handle = pv->handle;
	unsigned tp;
	int ret;

	if (pki_verify_attempt(pv, final, &res) == PKI_ATTEMPT_DONE) {
		pki_verify_finish(pv, &res);
		return;
	}
	if (!pv->linked) {
		TAILQ_INSERT_TAIL(&pki_pend, pv, next);
		pv->linked = true;
		pki_n_pending++;
	}
	tp = (unsigned)pv->tp;
	if (!(pv->asked & (UINT32_C(1) << tp))) {
		pv->asked |= UINT32_C(1) << tp;
		GW_LOG(pki, INFO, "verification %" PRIu64 ": %s, asking for a download",
		       handle, pv->missing);
		ret = pki_sched_want(tp, false);
		/* a result delivered meanwhile may have finished pv */
		pv = pki_pending_find(handle);
		if (pv == NULL)
			return;
		if (ret == -EINVAL)
			pv->gave_up = "no CRL URL is known";
		else if (ret < 0)
			pv->gave_up = "no download could start";
	}
	if (!pki_sched_in_flight(tp)) {
		if (pv->gave_up == NULL)
			pv->gave_up = "the downloads did not bring it";
		pki_verify_run(pv, true);
	}
}

static int pki_verify_parse(struct pki_pending *pv, const uint8_t *const *der,
			    const size_t *len, unsigned n, struct pki_verify_result *res)
{
	memset(res, 0, sizeof(*res));
	res->trustpoint = -1;
	res->error = PKI_VERIFY_PARSE;
	if (n > PKI_MAX_CHAIN + 1) {
		pki_verify_say(res->reason, sizeof(res->reason),
			       "chain of %u certificates, at most %u", n, PKI_MAX_CHAIN + 1);
		return -1;
	}
	for (unsigned i = 0; i < n; i++) {
		const unsigned char *p = der[i];
		X509 *x = len[i] <= LONG_MAX && p != NULL ? d2i_X509(NULL, &p, (long)len[i]) : NULL;

		if (x == NULL || p != der[i] + len[i]) {
			X509_free(x);
			pki_verify_say(res->reason, sizeof(res->reason),
				       "certificate %u of %u is not one DER certificate", i + 1, n);
			return -1;
		}
		if (i == 0) {
			pv->ee = x;
		} else if (sk_X509_push(pv->extra, x) == 0) {
			X509_free(x);
			res->error = PKI_VERIFY_INTERNAL;
			pki_verify_say(res->reason, sizeof(res->reason), "out of memory");
			return -1;
		}
	}
	return 0;
}

int pki_verify_peer(const uint8_t *const *der, const size_t *len, unsigned n,
		    const struct pki_peer_id *id, pki_verify_fn fn, void *arg,
		    uint64_t *handle)
{
	struct pki_verify_result res;
	struct pki_pending *pv;

	if (der == NULL || len == NULL || n == 0 || id == NULL || fn == NULL || handle == NULL ||
	    (id->len > 0 && id->data == NULL))
		return -EINVAL;
	pv = calloc(1, sizeof(*pv));
	if (pv == NULL)
		return -ENOMEM;
	pv->extra = sk_X509_new_null();
	pv->id_buf = malloc(id->len > 0 ? id->len : 1);
	if (pv->extra == NULL || pv->id_buf == NULL) {
		pki_pending_free(pv);
		return -ENOMEM;
	}
	if (id->len > 0)
		memcpy(pv->id_buf, id->data, id->len);
	pv->id = (struct pki_peer_id){ .type = id->type, .data = pv->id_buf, .len = id->len };
	pv->fn = fn;
	pv->arg = arg;
	pv->tp = -1;
	pv->handle = pki_next_handle++;
	pv->deadline_ms = cp_loop_now_ms() + PKI_VERIFY_WAIT_MS;
	*handle = pv->handle;
	pv->has_vkey = n <= PKI_MAX_CHAIN + 1 && pki_vcache_key(der, len, n, pv->vkey) == 0;
	if (pv->has_vkey && pki_vcache_get(pv->vkey, &pv->vtp, &pv->ee, &pv->vchain) == 0)
		pki_verify_run(pv, false);
	else if (pki_verify_parse(pv, der, len, n, &res) != 0)
		pki_verify_finish(pv, &res);
	else
		pki_verify_run(pv, false);
	return 0;
}

void pki_verify_cancel(uint64_t handle)
{
	struct pki_pending *pv = pki_pending_find(handle);

	if (pv != NULL)
		pki_pending_free(pv);
}

void pki_verify_crl_result(unsigned tp)
{
	uint64_t sweep = ++pki_sweep;
	struct pki_pending *pv;

	/* Callbacks may cancel or add verifications: restart the walk each time. */
	for (;;) {
		TAILQ_FOREACH(pv, &pki_pend, next)
			if (pv->tp == (int)tp && pv->sweep != sweep)
				break;
		if (pv == NULL)
			return;
		pv->sweep = sweep;
		pki_verify_run(pv, false);
	}
}

void pki_verify_tick(uint64_t now_ms)
{
	struct pki_pending *pv;

	for (;;) {
		TAILQ_FOREACH(pv, &pki_pend, next)
			if (pv->deadline_ms <= now_ms)
				break;
		if (pv == NULL)
			return;
		pki_verify_run(pv, true);	/* final: always finishes pv */
	}
}

void pki_verify_fini(void)
{
	struct pki_pending *pv;

	while ((pv = TAILQ_FIRST(&pki_pend)) != NULL) {
		struct pki_verify_result res = { .error = PKI_VERIFY_INTERNAL, .trustpoint = -1 };

		pki_verify_say(res.reason, sizeof(res.reason), "PKI shutting down");
		pki_verify_finish(pv, &res);
	}
	pki_vcache_flush();
}

uint64_t pki_verify_count(enum pki_verify_error e)
{
	return (unsigned)e <= PKI_VERIFY_INTERNAL ? pki_counts[e] : 0;
}

unsigned pki_verify_pending(void)
{
	return pki_n_pending;
}
