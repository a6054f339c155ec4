/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Pure checks of one parsed value: each returns NULL when the value is
 * acceptable, else a phrase the caller puts after the key's name and before
 * the value: "mtu" + "must be at least 1280 ..." + "(1000)".
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <rte_log.h>

#include "cfg/cfg_internal.h"

#define CFG_LOG_LEVELS(X) \
	X("emerg", RTE_LOG_EMERG) \
	X("alert", RTE_LOG_ALERT) \
	X("crit", RTE_LOG_CRIT) \
	X("err", RTE_LOG_ERR) \
	X("warning", RTE_LOG_WARNING) \
	X("notice", RTE_LOG_NOTICE) \
	X("info", RTE_LOG_INFO) \
	X("debug", RTE_LOG_DEBUG)

#define CFG_LEVEL_ENTRY(name, value) { name, (int)(value) },
#define CFG_LEVEL_NAME(name, value) " " name

static const struct {
	const char *name;
	int level;
} cfg_log_levels[] = { CFG_LOG_LEVELS(CFG_LEVEL_ENTRY) };

/* The numbers in the messages below. */
_Static_assert(CFG_NAME_MAX == 32 && CFG_PORT_MAX == 64, "update the messages");
_Static_assert(CFG_MTU_MIN == 576 && CFG_MTU_MAX == 9000 && CFG_MTU_MIN_V6 == 1280,
	       "update the messages");

const char *cfg_validate_log_level(const char *s, int *level)
{
	for (size_t i = 0; i < sizeof(cfg_log_levels) / sizeof(cfg_log_levels[0]); i++) {
		if (strcmp(s, cfg_log_levels[i].name) == 0) {
			*level = cfg_log_levels[i].level;
			return NULL;
		}
	}
	return "must be one of" CFG_LOG_LEVELS(CFG_LEVEL_NAME);
}

static bool cfg_chars_ok(const char *s, const char *extra)
{
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) || !isascii((unsigned char)*s))
			if (strchr(extra, *s) == NULL)
				return false;
	return true;
}

const char *cfg_validate_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= CFG_NAME_MAX || !cfg_chars_ok(name, "_-"))
		return "must be 1 to 31 characters from A-Z a-z 0-9 _ -";
	return NULL;
}

/* "[DDDD:]BB:DD.F" in hex, as DPDK's PCI bus writes it. */
static bool cfg_is_pci_addr(const char *s)
{
	static const char *const forms[] = { "xxxx:xx:xx.o", "xx:xx.o" };

	for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
		const char *t = forms[f];
		size_t i;

		for (i = 0; t[i] != '\0' && s[i] != '\0'; i++) {
			if (t[i] == 'x' ? !isxdigit((unsigned char)s[i]) :
			    t[i] == 'o' ? (s[i] < '0' || s[i] > '7') : s[i] != t[i])
				break;
		}
		if (t[i] == '\0' && s[i] == '\0')
			return true;
	}
	return false;
}

const char *cfg_validate_port(const char *port)
{
	size_t n = strlen(port);

	if (n == 0 || n >= CFG_PORT_MAX)
		return "must be 1 to 63 characters";
	if (strchr(port, ':') != NULL)
		return cfg_is_pci_addr(port) ? NULL :
			"must be a PCI address like 0000:00:08.0 or a DPDK device name";
	if (!isalpha((unsigned char)port[0]) || !cfg_chars_ok(port, "_-"))
		return "must be a DPDK device name like net_af_packet0 or a PCI address";
	return NULL;
}

const char *cfg_validate_group_name(const char *group)
{
	size_t n = strlen(group);

	if (n == 0 || n >= CFG_NAME_MAX || group[0] == '-' || !cfg_chars_ok(group, "_.-"))
		return "must be a group name of 1 to 31 characters from A-Z a-z 0-9 _ . -";
	return NULL;
}

const char *cfg_validate_octal_mode(const char *s, unsigned *mode)
{
	unsigned v = 0;

	if (*s == '\0')
		return "must be a string of octal digits like \"0660\"";
	for (const char *p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '7')
			return "must be a string of octal digits like \"0660\"";
		v = v * 8 + (unsigned)(*p - '0');
		if (v > CFG_MODE_MAX)
			return "must be at most \"0777\"";
	}
	*mode = v;
	return NULL;
}

const char *cfg_validate_unicast(const struct gw_addr *a)
{
	static const uint8_t v6_loop[16] = { [15] = 1 };
	static const uint8_t v6_any[16];

	if (a->family == AF_INET) {
		const uint8_t *b = (const uint8_t *)&a->v4;

		if (a->v4 == 0 || a->v4 == 0xffffffff || b[0] == 127 || (b[0] & 0xf0) == 0xe0)
			return "must be a unicast address";
		return NULL;
	}
	if (a->family != AF_INET6 || a->v6[0] == 0xff ||
	    memcmp(a->v6, v6_loop, 16) == 0 || memcmp(a->v6, v6_any, 16) == 0)
		return "must be a unicast address";
	return NULL;
}

/* Our address on a connected subnet: unicast, and for IPv4 shorter than /31
 * (RFC 3021) neither the subnet's own address nor its broadcast. */
const char *cfg_validate_iface_addr(const struct gw_prefix *p)
{
	const char *why = cfg_validate_unicast(&p->addr);
	uint32_t host, hostmask;

	if (why != NULL)
		return why;
	if (p->len == 0)
		return "must have a prefix length above 0";
	if (p->addr.family != AF_INET || p->len >= 31)
		return NULL;
	hostmask = UINT32_MAX >> p->len;
	host = ntohl(p->addr.v4) & hostmask;
	if (host == 0)
		return "must not be the subnet's own address (host part all zero)";
	if (host == hostmask)
		return "must not be the subnet's broadcast address";
	return NULL;
}

const char *cfg_validate_mac(const struct gw_mac *m)
{
	static const struct gw_mac zero;

	if (memcmp(m, &zero, sizeof(zero)) == 0)
		return "must not be all zeros";
	if (m->b[0] & 0x01)
		return "must be a unicast MAC address";
	return NULL;
}

const char *cfg_validate_mtu(unsigned mtu, bool has_v6)
{
	if (mtu < CFG_MTU_MIN || mtu > CFG_MTU_MAX)
		return "must be between 576 and 9000";
	if (has_v6 && mtu < CFG_MTU_MIN_V6)
		return "must be at least 1280 on an interface with an IPv6 address";
	return NULL;
}

/* framesz=N of one af_packet devargs string ("net_af_packet0,iface=x,framesz=N"). */
static const char *cfg_devargs_framesz(const char *devargs, unsigned *framesz)
{
	const char *kv = strchr(devargs, ',');

	if (strncmp(devargs, "net_af_packet", 13) != 0 &&
	    strncmp(devargs, "eth_af_packet", 13) != 0)
		return NULL;
	*framesz = CFG_AFP_FRAMESZ_DEFAULT;
	for (; kv != NULL; kv = strchr(kv + 1, ',')) {
		char *end;
		unsigned long v;

		if (strncmp(kv + 1, "framesz=", 8) != 0)
			continue;
		v = strtoul(kv + 9, &end, 10);
		if (!isdigit((unsigned char)kv[9]) || (*end != '\0' && *end != ',') ||
		    v > CFG_MBUF_MAX * 16UL)
			return "has an af_packet framesz that is not a number";
		*framesz = (unsigned)v;
	}
	return NULL;
}

const char *cfg_validate_framesz(int argc, char *const *argv, unsigned *framesz, int *bad)
{
	*framesz = 0;
	*bad = -1;
	for (int i = 0; i < argc; i++) {
		const char *devargs = NULL;
		const char *why;
		unsigned fs = 0;

		if (strncmp(argv[i], "--vdev=", 7) == 0)
			devargs = argv[i] + 7;
		else if (strcmp(argv[i], "--vdev") == 0 && i + 1 < argc)
			devargs = argv[++i];
		if (devargs == NULL)
			continue;
		why = cfg_devargs_framesz(devargs, &fs);
		if (why != NULL) {
			*bad = i;
			return why;
		}
		if (fs > *framesz)
			*framesz = fs;
	}
	return NULL;
}
