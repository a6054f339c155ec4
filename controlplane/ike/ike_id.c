/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKE identities (ike_id.h): ours from the configuration or our
 * certificate's subject, the peer's matched against its configured
 * remote_id, and the mapping to the PKI's identity check.  CP thread only.
 */

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include <openssl/x509.h>

#include "common/gw_ike.h"
#include "controlplane/ike/ike_id.h"
#include "controlplane/ike/ike_sa.h"

/* "C=CH, O=Lab, CN=x" (or '/'-separated) into a Name; NULL if malformed. */
static X509_NAME *ike_dn_parse(const char *s)
{
	X509_NAME *n = X509_NAME_new();
	char buf[CFG_ID_MAX];
	char *save = NULL, *tok;

	if (n == NULL || strlen(s) >= sizeof(buf))
		goto fail;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",/", &save); tok != NULL; tok = strtok_r(NULL, ",/", &save)) {
		char *eq = strchr(tok, '='), *k = tok, *v, *e;

		if (eq == NULL)
			goto fail;
		*eq = '\0';
		v = eq + 1;
		while (isspace((unsigned char)*k))
			k++;
		while (isspace((unsigned char)*v))
			v++;
		for (e = eq; e > k && isspace((unsigned char)e[-1]); e--)
			e[-1] = '\0';
		for (e = v + strlen(v); e > v && isspace((unsigned char)e[-1]); e--)
			e[-1] = '\0';
		if (*k == '\0' || X509_NAME_add_entry_by_txt(n, k, MBSTRING_UTF8,
							     (const unsigned char *)v, -1, -1, 0) != 1)
			goto fail;
	}
	if (X509_NAME_entry_count(n) > 0)
		return n;
fail:
	X509_NAME_free(n);
	return NULL;
}

static int ike_name_der(const X509_NAME *n, uint8_t *out, uint16_t *len)
{
	unsigned char *der = NULL;
	int l = i2d_X509_NAME(n, &der);

	if (l <= 0)
		return -EINVAL;
	if (l > IKE_ID_MAX) {
		OPENSSL_free(der);
		return -ENOSPC;
	}
	memcpy(out, der, (size_t)l);
	*len = (uint16_t)l;
	OPENSSL_free(der);
	return 0;
}

int ike_id_local(const struct cfg_id *id, X509 *cert, uint8_t *type, uint8_t *out,
		   uint16_t *len)
{
	X509_NAME *n;
	size_t l;
	int ret;

	switch (id->type) {
	case CFG_ID_NONE:
		*type = IKE_ID_DER_ASN1_DN;
		return ike_name_der(X509_get_subject_name(cert), out, len);
	case CFG_ID_DN:
		n = ike_dn_parse(id->value);
		if (n == NULL)
			return -EINVAL;
		*type = IKE_ID_DER_ASN1_DN;
		ret = ike_name_der(n, out, len);
		X509_NAME_free(n);
		return ret;
	case CFG_ID_FQDN:
	case CFG_ID_RFC822:
		l = strlen(id->value);
		if (l > IKE_ID_MAX)
			return -ENOSPC;
		*type = (uint8_t)id->type;
		memcpy(out, id->value, l);
		*len = (uint16_t)l;
		return 0;
	case CFG_ID_IPV4:
		*type = IKE_ID_IPV4_ADDR;
		memcpy(out, &id->addr.v4, 4);
		*len = 4;
		return 0;
	case CFG_ID_IPV6:
		*type = IKE_ID_IPV6_ADDR;
		memcpy(out, id->addr.v6, 16);
		*len = 16;
		return 0;
	}
	return -EINVAL;
}

bool ike_id_match(const struct cfg_id *want, uint8_t type, const uint8_t *data, size_t len)
{
	X509_NAME *a, *b;
	const unsigned char *p = data;
	bool ok;

	if (want->type == CFG_ID_NONE)
		return true;
	if ((uint8_t)want->type != type)
		return false;
	switch (want->type) {
	case CFG_ID_DN:
		a = ike_dn_parse(want->value);
		b = d2i_X509_NAME(NULL, &p, (long)len);
		ok = a != NULL && b != NULL && p == data + len && X509_NAME_cmp(a, b) == 0;
		X509_NAME_free(a);
		X509_NAME_free(b);
		return ok;
	case CFG_ID_FQDN:
	case CFG_ID_RFC822:
		return strlen(want->value) == len && strncasecmp(want->value, (const char *)data, len) == 0;
	case CFG_ID_IPV4:
		return len == 4 && memcmp(data, &want->addr.v4, 4) == 0;
	case CFG_ID_IPV6:
		return len == 16 && memcmp(data, want->addr.v6, 16) == 0;
	case CFG_ID_NONE:
		break;
	}
	return false;
}

int ike_id_pki(uint8_t type, const uint8_t *data, size_t len, struct pki_peer_id *out)
{
	static const struct {
		uint8_t ike;
		enum pki_id_type pki;
	} map[] = {
		{ IKE_ID_DER_ASN1_DN, PKI_ID_DN }, { IKE_ID_FQDN, PKI_ID_FQDN },
		{ IKE_ID_RFC822_ADDR, PKI_ID_RFC822 }, { IKE_ID_IPV4_ADDR, PKI_ID_IPV4 },
		{ IKE_ID_IPV6_ADDR, PKI_ID_IPV6 },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (map[i].ike == type) {
			out->type = map[i].pki;
			out->data = data;
			out->len = len;
			return 0;
		}
	}
	return -ENOTSUP;
}
