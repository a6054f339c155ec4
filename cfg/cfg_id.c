/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An IKE identity as written in a peer's remote_id / local_id, typed the
 * way strongSwan types one (see struct cfg_id in cfg.h).  Pure.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cfg/cfg_internal.h"

static const struct {
	const char *prefix;
	enum cfg_id_type type;
} cfg_id_prefixes[] = {
	{ "fqdn:", CFG_ID_FQDN },
	{ "email:", CFG_ID_RFC822 },
	{ "rfc822:", CFG_ID_RFC822 },
	{ "ipv4:", CFG_ID_IPV4 },
	{ "ipv6:", CFG_ID_IPV6 },
};

static bool cfg_id_host_ok(const char *s)
{
	if (*s == '\0' || *s == '.')
		return false;
	for (; *s != '\0'; s++)
		if (!isascii((unsigned char)*s) ||
		    (!isalnum((unsigned char)*s) && strchr(".-_", *s) == NULL))
			return false;
	return true;
}

/* "KEY=value" parts separated by ',': KEY letters, digits or '.', value not empty. */
static bool cfg_id_dn_ok(const char *s)
{
	while (*s != '\0') {
		size_t part = strcspn(s, ","), key;
		const char *p = s;

		while (p < s + part && *p == ' ')
			p++;
		key = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.");
		if (key == 0 || p + key >= s + part || p[key] != '=' ||
		    strspn(p + key + 1, " ") >= (size_t)(s + part - (p + key + 1)))
			return false;
		s += part;
		if (*s == ',' && *++s == '\0')
			return false;
	}
	return true;
}

static const char *cfg_id_check(struct cfg_id *id)
{
	const char *v = id->value, *at;

	switch (id->type) {
	case CFG_ID_IPV4:
	case CFG_ID_IPV6:
		if (gw_addr_parse(v, &id->addr) != 0 ||
		    id->addr.family != (id->type == CFG_ID_IPV4 ? AF_INET : AF_INET6))
			return id->type == CFG_ID_IPV4 ? "must be an IPv4 address after ipv4:" :
				"must be an IPv6 address after ipv6:";
		return NULL;
	case CFG_ID_DN:
		return cfg_id_dn_ok(v) ? NULL :
			"must be a DN of KEY=value parts separated by commas, like \"CN=gw, O=Lab\"";
	case CFG_ID_RFC822:
		at = strchr(v, '@');
		if (at == NULL || at == v || strchr(at + 1, '@') != NULL || !cfg_id_host_ok(at + 1))
			return "must be an email address like user@example.com";
		for (const char *p = v; p < at; p++)
			if (!isgraph((unsigned char)*p))
				return "must be an email address like user@example.com";
		return NULL;
	default:
		return cfg_id_host_ok(v) ? NULL :
			"must be a host name of letters, digits and . - _ (an FQDN identity)";
	}
}

const char *cfg_validate_id(const char *text, struct cfg_id *id)
{
	const char *v = text;

	memset(id, 0, sizeof(*id));
	for (size_t i = 0; i < sizeof(cfg_id_prefixes) / sizeof(cfg_id_prefixes[0]); i++) {
		size_t n = strlen(cfg_id_prefixes[i].prefix);

		if (strncasecmp(text, cfg_id_prefixes[i].prefix, n) == 0) {
			id->type = cfg_id_prefixes[i].type;
			v = text + n;
			break;
		}
	}
	if (id->type == CFG_ID_NONE && v[0] == '@') {
		id->type = CFG_ID_FQDN;
		v++;
	}
	if (v[0] == '\0')
		return "must not be empty";
	if (strlen(v) >= CFG_ID_MAX)
		return "must be at most 255 characters";
	for (const char *p = v; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "must not contain control characters";
	strcpy(id->value, v);
	if (id->type == CFG_ID_NONE) {
		if (strchr(v, '=') != NULL)
			id->type = CFG_ID_DN;
		else if (gw_addr_parse(v, &id->addr) == 0)
			id->type = id->addr.family == AF_INET ? CFG_ID_IPV4 : CFG_ID_IPV6;
		else if (strchr(v, '@') != NULL)
			id->type = CFG_ID_RFC822;
		else
			id->type = CFG_ID_FQDN;
	}
	return cfg_id_check(id);
}

const char *cfg_id_type_name(enum cfg_id_type type)
{
	switch (type) {
	case CFG_ID_IPV4:
		return "ipv4";
	case CFG_ID_IPV6:
		return "ipv6";
	case CFG_ID_FQDN:
		return "fqdn";
	case CFG_ID_RFC822:
		return "email";
	case CFG_ID_DN:
		return "dn";
	default:
		return "none";
	}
}
