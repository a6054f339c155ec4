/* SPDX-License-Identifier: BSD-3-Clause */
/* A peer's proposals from its configuration, and a chosen ESP proposal for the data plane. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "controlplane/ike/ike_proposal.h"

int ike_proposals_from_cfg(const struct cfg_peer *peer, enum ike_sa_proto proto,
			   struct gw_ike_proposal *out, unsigned max)
{
	const char (*texts)[CFG_PROPOSAL_MAX] = proto == IKE_SA_PROTO_IKE ?
		peer->ike_proposals : peer->esp_proposals;
	unsigned n = proto == IKE_SA_PROTO_IKE ? peer->n_ike_proposals : peer->n_esp_proposals;
	char why[IKE_PROP_WHY_MAX];

	if (n > max)
		return -ENOSPC;
	for (unsigned i = 0; i < n; i++)
		if (gw_ike_proposal_parse(texts[i], proto, &out[i], why, sizeof(why)) != 0)
			return -EINVAL;
	return (int)n;
}

const struct gw_ike_xform *ike_proposal_get(const struct gw_ike_proposal *p, uint8_t type)
{
	for (unsigned i = 0; i < p->n_xforms; i++)
		if (p->xforms[i].type == type)
			return &p->xforms[i];
	return NULL;
}

static int ike_proposal_count(const struct gw_ike_proposal *p, uint8_t type)
{
	int n = 0;

	for (unsigned i = 0; i < p->n_xforms; i++)
		n += p->xforms[i].type == type;
	return n;
}

/* The data plane's names are the strongSwan words (common/gw_esp.h): the
 * chosen "aes128" + "sha256" is "aes128-sha256", "aes256gcm16" itself. */
int ike_proposal_esp_alg(const struct gw_ike_proposal *chosen)
{
	const struct gw_ike_xform *enc = ike_proposal_get(chosen, IKE_XFORM_ENCR);
	const struct gw_ike_xform *integ = ike_proposal_get(chosen, IKE_XFORM_INTEG);
	const char *ew, *iw;
	char name[48];
	int alg;

	if (chosen->proto != IKE_SA_PROTO_ESP || enc == NULL ||
	    ike_proposal_count(chosen, IKE_XFORM_ENCR) != 1 ||
	    ike_proposal_count(chosen, IKE_XFORM_INTEG) > 1)
		return -ENOTSUP;
	ew = gw_ike_xform_word(enc);
	if (ew == NULL)
		return -ENOTSUP;
	if (gw_ike_xform_is_aead(enc)) {
		if (integ != NULL && integ->id != IKE_INTEG_NONE)
			return -ENOTSUP;
		snprintf(name, sizeof(name), "%s", ew);
	} else {
		iw = integ != NULL ? gw_ike_xform_word(integ) : NULL;
		if (iw == NULL)
			return -ENOTSUP;
		snprintf(name, sizeof(name), "%s-%s", ew, iw);
	}
	alg = gw_esp_alg_from_name(name);
	return alg >= 0 ? alg : -ENOTSUP;
}

int ike_proposal_ike_suite(const struct gw_ike_proposal *chosen, struct ike_suite *suite,
			   uint16_t *dh)
{
	const struct gw_ike_xform *enc = ike_proposal_get(chosen, IKE_XFORM_ENCR);
	const struct gw_ike_xform *prf = ike_proposal_get(chosen, IKE_XFORM_PRF);
	const struct gw_ike_xform *integ = ike_proposal_get(chosen, IKE_XFORM_INTEG);
	const struct gw_ike_xform *group = ike_proposal_get(chosen, IKE_XFORM_DH);

	if (chosen->proto != IKE_SA_PROTO_IKE || enc == NULL || prf == NULL || group == NULL ||
	    ike_proposal_count(chosen, IKE_XFORM_ENCR) != 1 ||
	    ike_proposal_count(chosen, IKE_XFORM_PRF) != 1 ||
	    ike_proposal_count(chosen, IKE_XFORM_DH) != 1 ||
	    ike_proposal_count(chosen, IKE_XFORM_INTEG) > 1)
		return -ENOTSUP;
	if (gw_ike_xform_is_aead(enc) ? integ != NULL && integ->id != IKE_INTEG_NONE :
	    integ == NULL)
		return -ENOTSUP;
	memset(suite, 0, sizeof(*suite));
	suite->encr = enc->id;
	suite->encr_bits = enc->key_len;
	suite->integ = integ != NULL ? integ->id : IKE_INTEG_NONE;
	suite->prf = prf->id;
	*dh = group->id;
	return 0;
}

bool ike_proposal_esn(const struct gw_ike_proposal *chosen)
{
	const struct gw_ike_xform *esn = ike_proposal_get(chosen, IKE_XFORM_ESN);

	return esn != NULL && esn->id == IKE_ESN_YES;
}
