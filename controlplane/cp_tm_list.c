/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The list convention of every /ipsecgw/<things>[,START] command, and the
 * parsing of its parameters.  Parameters come from the socket: anything
 * but a plain decimal number is refused with an error reply.
 */

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "controlplane/cp_tm.h"

/* Strict unsigned decimal: digits only, no sign, no spaces, no overflow. */
static int tm_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return -EINVAL;
	for (; *s != '\0'; s++) {
		unsigned d;

		if (*s < '0' || *s > '9')
			return -EINVAL;
		d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int tm_parse_start(const char *params, uint64_t *start)
{
	if (params == NULL || *params == '\0') {
		*start = 0;
		return 0;
	}
	return tm_parse_u64(params, start);
}

int tm_parse_id(const char *params, uint64_t *id)
{
	if (params == NULL)
		return -EINVAL;
	return tm_parse_u64(params, id);
}

/* Index of the first id >= start (ids strictly ascending), or count. */
static unsigned tm_list_first(unsigned count, uint64_t start, tm_id_at_fn id_at, void *arg)
{
	unsigned lo = 0, hi = count;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (id_at(mid, arg) < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int tm_list(struct tm_reply *r, const char *params, unsigned count,
	    tm_id_at_fn id_at, void *arg)
{
	uint64_t start;
	unsigned i, end;

	if (tm_parse_start(params, &start) != 0) {
		/* %.40s: the reply string stays short whatever was sent. */
		tm_error(r, "bad START '%.40s': expected an unsigned decimal", params);
		return -1;
	}
	i = tm_list_first(count, start, id_at, arg);
	end = count - i > TM_PAGE ? i + TM_PAGE : count;
	tm_add_u64(r, "count", count);
	tm_add_u64(r, "next", end < count ? id_at(end, arg) : 0);
	tm_array_u64(r, "ids");
	for (; i < end; i++)
		tm_elem_u64(r, id_at(i, arg));
	if (tm_reply_truncated(r)) {
		/* A page that does not fit would silently lose ids. */
		tm_error(r, "list page does not fit in one reply");
		return -1;
	}
	return 0;
}
