/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_IKE_ID_H
#define GW_IKE_ID_H

/*
 * IKE identities, shared by IKEv2 (RFC 7296 3.5) and IKEv1 (RFC 2407
 * 4.6.2: the same ID types and encodings): ours from the configuration or
 * our certificate's subject, the peer's matched against its configured
 * remote_id, and the mapping to the PKI's identity check.  CP thread only.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg/cfg.h"
#include "controlplane/pki/pki.h"

struct x509_st;

/* Our ID payload data from the peer's local_id (NONE: cert's subject DN);
 * 0 or -errno. */
int ike_id_local(const struct cfg_id *id, struct x509_st *cert, uint8_t *type, uint8_t *out,
		 uint16_t *len);
/* Does the peer's ID (type, data) match the configured one (NONE: any)? */
bool ike_id_match(const struct cfg_id *want, uint8_t type, const uint8_t *data, size_t len);
/* The PKI's form of an ID payload; -ENOTSUP for other types. */
int ike_id_pki(uint8_t type, const uint8_t *data, size_t len, struct pki_peer_id *out);

#endif /* GW_IKE_ID_H */
