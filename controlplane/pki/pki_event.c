/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * "CRL updated (issuer)": the subscribers (IKE) and their dispatch.  CP
 * thread only.  Kept apart from pki_main.c so that the CRL store needs
 * nothing of the fetchers or the verifier.
 */
#include <errno.h>
#include <stddef.h>

#include "common/gw_log.h"
#include "controlplane/pki/pki_internal.h"

struct pki_subscriber {
	pki_crl_event_fn fn;
	void *arg;
};

static struct pki_subscriber pki_subs[PKI_MAX_SUBSCRIBERS];
static unsigned pki_n_subs;

int pki_subscribe(pki_crl_event_fn fn, void *arg)
{
	if (fn == NULL)
		return -EINVAL;
	if (pki_n_subs == PKI_MAX_SUBSCRIBERS)
		return -ENOSPC;
	pki_subs[pki_n_subs++] = (struct pki_subscriber){ .fn = fn, .arg = arg };
	return 0;
}

int pki_unsubscribe(pki_crl_event_fn fn, void *arg)
{
	unsigned i;

	for (i = 0; i < pki_n_subs; i++) {
		if (pki_subs[i].fn != fn || pki_subs[i].arg != arg)
			continue;
		for (; i + 1 < pki_n_subs; i++)
			pki_subs[i] = pki_subs[i + 1];
		pki_n_subs--;
		return 0;
	}
	return -ENOENT;
}

void pki_event_crl_updated(const struct pki_crl_event *ev)
{
	struct pki_subscriber subs[PKI_MAX_SUBSCRIBERS];
	unsigned i, n = pki_n_subs;

	GW_LOG(crl, INFO, "CRL updated: issuer %s, trustpoint %s, %s CRL %s, %u subscriber(s)",
	       ev->issuer_str, ev->trustpoint, ev->delta ? "delta" : "complete", ev->crl_number, n);
	/* A subscriber may unsubscribe itself from its callback: take a copy. */
	for (i = 0; i < n; i++)
		subs[i] = pki_subs[i];
	for (i = 0; i < n; i++)
		subs[i].fn(subs[i].arg, ev);
}
