/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IKE SA table's indexes against brute force: ike_sa_find_init (the
 * responders' lazily built index by the initiator's SPI) and
 * ike_sa_half_open (a count kept at state changes) compared with a scan of
 * the whole table (ike_sa_next) after every step of a random mix of new
 * SAs, state changes, kills and reaps, with colliding initiator SPIs.
 */

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "controlplane/ike/ike_sa.h"
#include "test/unit/test_eal.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The newest responder matching, by a scan of the table in id order. */
static struct ike_sa *scan_init(const uint8_t spi_i[8], const struct gw_addr *remote,
				uint16_t port)
{
	struct ike_sa *sa, *best = NULL;
	uint64_t id = 0;

	while ((sa = ike_sa_next(id)) != NULL) {
		id = sa->id;
		if (sa->role == IKE_RESPONDER && sa->state != IKE_SA_DEAD &&
		    memcmp(sa->spi_i, spi_i, 8) == 0 && gw_addr_eq(&sa->remote, remote) &&
		    sa->remote_port == port)
			best = sa;
	}
	return best;
}

static unsigned scan_half_open(void)
{
	struct ike_sa *sa;
	uint64_t id = 0;
	unsigned n = 0;

	while ((sa = ike_sa_next(id)) != NULL) {
		id = sa->id;
		n += sa->state < IKE_SA_ESTABLISHED;
	}
	return n;
}

/* Few distinct SPIs, addresses and ports: many equal keys, long chains. */
static void key_of(unsigned r, uint8_t spi[8], struct gw_addr *a, uint16_t *port)
{
	memset(spi, 0, 8);
	spi[0] = (uint8_t)(r % 13);
	spi[7] = 0x5a;
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->v4 = htonl(0x0a000001u + (r / 13) % 3);
	*port = (uint16_t)(500 + (r / 39) % 2 * 3999);
}

static void check_all(void)
{
	uint8_t spi[8];
	struct gw_addr a;
	uint16_t port;

	for (unsigned r = 0; r < 13 * 3 * 2; r++) {
		key_of(r, spi, &a, &port);
		CU_ASSERT_PTR_EQUAL(ike_sa_find_init(spi, &a, port), scan_init(spi, &a, port));
	}
	CU_ASSERT_EQUAL(ike_sa_half_open(), scan_half_open());
}

static void test_find_init_half_open(void)
{
	static const enum ike_sa_state states[] = {
		IKE_SA_INIT_DONE, IKE_SA_AUTH_VERIFY, IKE_SA_ESTABLISHED, IKE_SA_REKEYING,
		IKE_SA_DELETING,
	};
	unsigned seed = 1234, found = 0;

	CU_ASSERT_EQUAL_FATAL(ike_sa_table_init(), 0);
	CU_ASSERT_EQUAL(ike_sa_half_open(), 0);
	for (unsigned step = 0; step < 4000; step++) {
		unsigned op = (unsigned)rand_r(&seed) % 10, r = (unsigned)rand_r(&seed);
		struct ike_sa *sa;
		uint64_t id = 0;

		if (op < 4) {		/* a new SA, keys set as the exchange code does */
			sa = ike_sa_new(r % 4 ? IKE_RESPONDER : IKE_INITIATOR, 0);
			CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
			if (sa->role == IKE_RESPONDER) {
				uint8_t spi[8];

				key_of(r / 4, spi, &sa->remote, &sa->remote_port);
				memcpy(sa->spi_i, spi, 8);
			}
		} else if (op < 9) {	/* a state change or a kill of some SA */
			unsigned skip = r % (ike_sa_count() + 1);

			while ((sa = ike_sa_next(id)) != NULL && skip-- > 0)
				id = sa->id;
			if (sa != NULL && op == 8)
				ike_sa_kill(sa, "test");
			else if (sa != NULL && sa->state != IKE_SA_DEAD)
				ike_sa_state(sa, states[r % ARRAY_LEN(states)], "test");
		} else {
			ike_sa_reap();
		}
		if (step % 7 == 0)	/* lookups between batches of new SAs too */
			check_all();
	}
	check_all();
	/* and the lookups did find something: the keys collide on purpose */
	for (unsigned r = 0; r < 13 * 3 * 2; r++) {
		uint8_t spi[8];
		struct gw_addr a;
		uint16_t port;

		key_of(r, spi, &a, &port);
		found += ike_sa_find_init(spi, &a, port) != NULL;
	}
	CU_ASSERT(found > 10);
	ike_sa_table_fini();
	CU_ASSERT_EQUAL(ike_sa_half_open(), 0);
	CU_ASSERT_EQUAL(ike_sa_count(), 0);
}

/* INITIAL_CONTACT: asserted when no other SA with the peer is up. */
static void test_first_contact(void)
{
	struct ike_sa *a, *b, *c;

	CU_ASSERT_EQUAL_FATAL(ike_sa_table_init(), 0);
	a = ike_sa_new(IKE_INITIATOR, 0);
	b = ike_sa_new(IKE_INITIATOR, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT(ike_sa_first_contact(a));
	CU_ASSERT(ike_sa_first_contact(b));
	ike_sa_state(a, IKE_SA_ESTABLISHED, "test");
	c = ike_sa_new(IKE_INITIATOR, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_FALSE(ike_sa_first_contact(c));	/* a is up */
	ike_sa_kill(a, "test");
	ike_sa_reap();
	CU_ASSERT(ike_sa_first_contact(c));		/* a gone: c will be the only one */
	CU_ASSERT(ike_sa_first_contact(b));		/* peer 1 never came up */
	ike_sa_kill(b, "test");				/* a failed attempt ... */
	b = ike_sa_new(IKE_INITIATOR, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT(ike_sa_first_contact(b));		/* ... changes nothing */
	ike_sa_state(c, IKE_SA_REKEYING, "test");	/* c up (rekeying) ... */
	a = ike_sa_new(IKE_INITIATOR, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_FALSE(ike_sa_first_contact(a));	/* ... so not a with peer 0 */
	/* a restart: contact again */
	CU_ASSERT_EQUAL_FATAL(ike_sa_table_init(), 0);
	a = ike_sa_new(IKE_INITIATOR, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT(ike_sa_first_contact(a));
	a->peer = -1;
	CU_ASSERT_FALSE(ike_sa_first_contact(a));	/* no peer: no claim */
	ike_sa_table_fini();
}

int main(void)
{
	static const struct test_case tests[] = {
		{ "find_init and half_open against a scan, random mix", test_find_init_half_open },
		{ "INITIAL_CONTACT: no other SA with the peer up", test_first_contact },
	};

	if (test_suite("ike_sa", NULL, NULL, tests, ARRAY_LEN(tests)) != 0)
		return 1;
	return test_run();
}
