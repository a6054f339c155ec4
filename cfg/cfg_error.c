/* SPDX-License-Identifier: BSD-3-Clause */
/* The one error line "FILE:LINE: what is wrong (the value)", and values shown in it. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cfg/cfg_internal.h"

int cfg_line(const config_setting_t *s)
{
	int line = s != NULL ? (int)config_setting_source_line(s) : 0;

	return line > 0 ? line : 1;
}

/* Keep the message on one line and readable: no control characters. */
static void cfg_err_sanitize(char *msg)
{
	for (unsigned char *p = (unsigned char *)msg; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
}

static int cfg_err_v(struct cfg_ctx *ctx, int line, const char *fmt, va_list ap)
{
	char what[CFG_ERR_MAX];

	if (ctx->failed || ctx->err == NULL || ctx->errlen == 0)
		return -1;
	vsnprintf(what, sizeof(what), fmt, ap);
	snprintf(ctx->err, ctx->errlen, "%s:%d: %s", ctx->file, line, what);
	cfg_err_sanitize(ctx->err);
	ctx->failed = true;
	return -1;
}

int cfg_err_line(struct cfg_ctx *ctx, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_err_v(ctx, line, fmt, ap);
	va_end(ap);
	return -1;
}

int cfg_err(struct cfg_ctx *ctx, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_err_v(ctx, cfg_line(s), fmt, ap);
	va_end(ap);
	return -1;
}

static const char *cfg_value_int(const config_setting_t *s, char *buf, size_t len)
{
	long long v = config_setting_get_int64(s);

	if (config_setting_type(s) == CONFIG_TYPE_INT)
		v = config_setting_get_int(s);
	if (config_setting_get_format(s) != CONFIG_FORMAT_HEX)
		snprintf(buf, len, "%lld", v);
	else if (config_setting_type(s) == CONFIG_TYPE_INT)
		snprintf(buf, len, "0x%" PRIX32, (uint32_t)v);
	else
		snprintf(buf, len, "0x%llX", (unsigned long long)v);
	return buf;
}

/* 2.0 shows as "2.0", not as the integer "2". */
static const char *cfg_value_float(double d, char *buf, size_t len)
{
	snprintf(buf, len, "%g", d);
	if (strpbrk(buf, ".eninf") == NULL)
		strncat(buf, ".0", len - strlen(buf) - 1);
	return buf;
}

static const char *cfg_value_string(const char *str, char *buf, size_t len)
{
	size_t n = strlen(str);

	if (n > CFG_VALUE_SHOW)
		snprintf(buf, len, "\"%.*s...\"", (int)CFG_VALUE_SHOW, str);
	else
		snprintf(buf, len, "\"%s\"", str);
	return buf;
}

const char *cfg_value_fmt(const config_setting_t *s, char *buf, size_t len)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return cfg_value_int(s, buf, len);
	case CONFIG_TYPE_FLOAT:
		return cfg_value_float(config_setting_get_float(s), buf, len);
	case CONFIG_TYPE_BOOL:
		snprintf(buf, len, "%s", config_setting_get_bool(s) ? "true" : "false");
		return buf;
	case CONFIG_TYPE_STRING:
		return cfg_value_string(config_setting_get_string(s), buf, len);
	case CONFIG_TYPE_GROUP:
		snprintf(buf, len, "{ ... }");
		return buf;
	case CONFIG_TYPE_ARRAY:
		snprintf(buf, len, "[ ... ]");
		return buf;
	case CONFIG_TYPE_LIST:
		snprintf(buf, len, "( ... )");
		return buf;
	default:
		snprintf(buf, len, "?");
		return buf;
	}
}

const char *cfg_key_name(const config_setting_t *s, char *buf, size_t len)
{
	const config_setting_t *parent = config_setting_parent(s);

	if (config_setting_name(s) != NULL)
		snprintf(buf, len, "%s", config_setting_name(s));
	else if (parent != NULL && config_setting_name(parent) != NULL)
		snprintf(buf, len, "%s entry", config_setting_name(parent));
	else
		snprintf(buf, len, "value");
	return buf;
}
