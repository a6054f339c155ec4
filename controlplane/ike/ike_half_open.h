/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IKE_HALF_OPEN_H
#define IKE_HALF_OPEN_H

/*
 * Half-open responder SAs by peer address, for the per-address cap
 * crypto.ikev2.max_half_open_per_peer (like strongSwan's
 * charon.block_threshold).  The IKEv2 and IKEv1 responders record each
 * SA they create from a first message (IKE_SA_INIT, Main Mode 1); a
 * record counts while its SA is in the table in a state before
 * ESTABLISHED, the same rule as ike_sa_half_open().  Records of SAs that
 * got established or died are dropped lazily (when their address is
 * counted, or when the pool is full), so the SA table needs no hook.
 * Memory: a fixed 4096-bucket index plus 16 octets per record, the pool
 * growing with the number of half-open SAs.  CP thread only.
 */

#include <stdbool.h>
#include <stdint.h>

#include "common/gw_addr.h"

/*
 * Half-open SAs recorded for address a (their SAs still half-open).
 * *evictable: the oldest of them whose peer never showed that it owns
 * the address -- recorded without proof (no COOKIE), an IKEv2 responder
 * still waiting for IKE_AUTH -- else 0.  A spoofer who sends IKE_SA_INITs
 * in a real peer's name makes only such SAs; the real peer, answering a
 * COOKIE, may take the place of one.
 */
unsigned ike_ho_count(const struct gw_addr *a, uint64_t *evictable);

/* Record the new responder SA id from address a; proven: its request
 * carried a valid COOKIE (or the SA is never to be evicted).  0 or
 * -ENOMEM. */
int ike_ho_add(const struct gw_addr *a, uint64_t sa_id, bool proven);

/* Forget every record and free the memory (with the SA table). */
void ike_ho_reset(void);

#endif /* IKE_HALF_OPEN_H */
