/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The list convention of every /ipsecgw/<things>[,START] command, and the
 * strict parsing of every command's parameters (cp_tm.h).  Parameters come
 * from the socket: anything but the exact form asked for is refused with
 * an error reply, before any state is touched.
 */

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "cfg/cfg.h"
#include "common/gw_addr.h"
#include "controlplane/cp_tm.h"

_Static_assert(TM_NAME_MAX == CFG_NAME_MAX - 1, "a name as the configuration has it");

enum {
	TM_U64_DIGITS = 20,		/* UINT64_MAX */
	TM_SPI_HEX = 8,
	TM_SHOW_PARAMS = 40,		/* characters of a refused parameter echoed */
};

int tm_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t n = 0;

	if (s == NULL || *s == '\0')
		return -EINVAL;
	for (; s[n] != '\0'; n++)
		if (s[n] < '0' || s[n] > '9')
			return -EINVAL;
	if (n > TM_U64_DIGITS)
		return -ERANGE;
	for (; *s != '\0'; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	if (v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int tm_parse_spi(const char *s, uint32_t *out)
{
	uint64_t v = 0;
	size_t n = 0;
	int ret;

	if (s == NULL)
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		for (s += 2; s[n] != '\0'; n++) {
			int d = gw_hexval(s[n]);

			if (d < 0)
				return -EINVAL;
			v = v << 4 | (uint64_t)d;
			if (v > UINT32_MAX)
				return -ERANGE;
		}
		if (n == 0)
			return -EINVAL;
		if (n > TM_SPI_HEX)
			return -ERANGE;
	} else if ((ret = tm_parse_u64(s, UINT32_MAX, &v)) != 0) {
		return ret;
	}
	if (v == 0)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

int tm_parse_bool(const char *s, bool *out)
{
	if (s == NULL || (strcmp(s, "0") != 0 && strcmp(s, "1") != 0))
		return -EINVAL;
	*out = s[0] == '1';
	return 0;
}

int tm_parse_name(const char *s)
{
	if (s == NULL)
		return -EINVAL;
	if (cfg_validate_name(s) == NULL)
		return 0;
	return strlen(s) > TM_NAME_MAX ? -ERANGE : -EINVAL;
}

int tm_parse_addr(const char *s, struct gw_addr *out)
{
	struct gw_addr a;

	if (s == NULL || strlen(s) >= GW_ADDR_STRLEN)
		return -EINVAL;
	if (gw_addr_parse(s, &a) != 0)
		return -EINVAL;
	*out = a;
	return 0;
}

int tm_parse_kv(const char *params, const char *key, const char **val)
{
	size_t n = strlen(key);

	if (params == NULL || strncmp(params, key, n) != 0 || params[n] != '=')
		return -ENOENT;
	*val = params + n + 1;
	return 0;
}

int tm_parse_start(const char *params, uint64_t *start)
{
	if (params == NULL || *params == '\0') {
		*start = 0;
		return 0;
	}
	return tm_parse_u64(params, UINT64_MAX, start);
}

int tm_parse_id(const char *params, uint64_t *id)
{
	return tm_parse_u64(params, UINT64_MAX, id);
}

int tm_usage(struct tm_reply *r, const char *usage, const char *params)
{
	/* tm_error's string keeps printable ASCII only: the echo is safe. */
	tm_error(r, "usage: %s (got '%.*s')", usage, TM_SHOW_PARAMS,
		 params != NULL ? params : "");
	return -1;
}

int tm_no_params(struct tm_reply *r, const char *usage, const char *params)
{
	if (params == NULL || *params == '\0')
		return 0;
	return tm_usage(r, usage, params);
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
