/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/gw_addr.h"

int gw_addr_parse(const char *s, struct gw_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->v4) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->v6) == 1) {
		a->family = AF_INET6;
		return 0;
	}
	memset(a, 0, sizeof(*a));
	return -EINVAL;
}

int gw_prefix_parse(const char *s, struct gw_prefix *p)
{
	char tmp[GW_PREFIX_STRLEN];
	const char *slash = strchr(s, '/');
	char *end;
	unsigned long len;
	size_t alen;

	memset(p, 0, sizeof(*p));
	if (slash == NULL)
		goto bad;
	alen = (size_t)(slash - s);
	if (alen == 0 || alen >= sizeof(tmp))
		goto bad;
	memcpy(tmp, s, alen);
	tmp[alen] = '\0';
	if (gw_addr_parse(tmp, &p->addr) != 0)
		goto bad;
	/* digits only: strtoul alone would take " 24", "+24" and "-0" */
	if (slash[1] < '0' || slash[1] > '9')
		goto bad;
	errno = 0;
	len = strtoul(slash + 1, &end, 10);
	if (errno != 0 || *end != '\0' || len > gw_addr_maxlen(&p->addr))
		goto bad;
	p->len = (uint8_t)len;
	return 0;
bad:
	memset(p, 0, sizeof(*p));
	return -EINVAL;
}

int gw_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly six pairs of hex digits joined by ':'; sscanf("%2x") would also
 * take " f", "+f" and "-1". */
int gw_mac_parse(const char *s, struct gw_mac *m)
{
	uint8_t b[6];

	if (strlen(s) != GW_MAC_STRLEN - 1)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		int hi = gw_hexval(s[3 * i]), lo = gw_hexval(s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			return -EINVAL;
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(m->b, b, sizeof(b));
	return 0;
}

const char *gw_addr_fmt(const struct gw_addr *a, char *buf, size_t len)
{
	if (a->family == AF_INET || a->family == AF_INET6) {
		if (inet_ntop(a->family, a->family == AF_INET ?
			      (const void *)&a->v4 : (const void *)a->v6,
			      buf, (socklen_t)len) != NULL)
			return buf;
	}
	snprintf(buf, len, "-");
	return buf;
}

const char *gw_prefix_fmt(const struct gw_prefix *p, char *buf, size_t len)
{
	char a[GW_ADDR_STRLEN];

	snprintf(buf, len, "%s/%u", gw_addr_fmt(&p->addr, a, sizeof(a)), p->len);
	return buf;
}

const char *gw_mac_fmt(const struct gw_mac *m, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x",
		 m->b[0], m->b[1], m->b[2], m->b[3], m->b[4], m->b[5]);
	return buf;
}

bool gw_addr_eq(const struct gw_addr *a, const struct gw_addr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->v4 == b->v4;
	if (a->family == AF_INET6)
		return memcmp(a->v6, b->v6, 16) == 0;
	return true;
}

static void prefix_apply(const struct gw_prefix *p, uint8_t out[16], unsigned *nbytes)
{
	unsigned max = gw_addr_maxlen(&p->addr) / 8;
	const uint8_t *src = p->addr.family == AF_INET ?
		(const uint8_t *)&p->addr.v4 : p->addr.v6;

	for (unsigned i = 0; i < max; i++) {
		unsigned bits = p->len > i * 8 ? p->len - i * 8 : 0;
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));

		out[i] = src[i] & mask;
	}
	*nbytes = max;
}

void gw_prefix_mask(struct gw_prefix *p)
{
	uint8_t m[16];
	unsigned n;

	prefix_apply(p, m, &n);
	memcpy(p->addr.family == AF_INET ? (void *)&p->addr.v4 : (void *)p->addr.v6, m, n);
}

bool gw_prefix_has_host_bits(const struct gw_prefix *p)
{
	uint8_t m[16];
	unsigned n;

	prefix_apply(p, m, &n);
	return memcmp(p->addr.family == AF_INET ? (const void *)&p->addr.v4 :
		      (const void *)p->addr.v6, m, n) != 0;
}

bool gw_prefix_contains(const struct gw_prefix *p, const struct gw_addr *a)
{
	struct gw_prefix pa = { .addr = *a, .len = p->len };
	struct gw_prefix pp = *p;

	if (a->family != p->addr.family)
		return false;
	gw_prefix_mask(&pa);
	gw_prefix_mask(&pp);
	return gw_addr_eq(&pa.addr, &pp.addr);
}
