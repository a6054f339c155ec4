/* SPDX-License-Identifier: BSD-3-Clause */
/* Entry points: file or string in, struct gw_cfg out, or one error line. */
#include <stdlib.h>
#include <string.h>

#include "cfg/cfg_internal.h"
#include "common/gw_ct.h"

/* Parse text into cfg; on failure cfg holds nothing that needs freeing. */
static int cfg_load_text(struct cfg_ctx *ctx, const char *text, struct gw_cfg *cfg)
{
	config_t cf;
	int ret;

	if (strlen(ctx->file) >= sizeof(cfg->path))
		return cfg_err_line(ctx, 1, "file name is longer than %zu characters (%zu)",
				    sizeof(cfg->path) - 1, strlen(ctx->file));
	if (cfg_text_parse(ctx, &cf, text) != 0)
		return -1;
	strcpy(cfg->path, ctx->file);
	ret = cfg_parse_root(ctx, config_root_setting(&cf), cfg);
	config_destroy(&cf);
	if (ret != 0)
		cfg_free(cfg);
	return ret;
}

int cfg_load(const char *path, struct gw_cfg *cfg, char *err, size_t errlen)
{
	struct cfg_ctx ctx = { .file = path, .err = err, .errlen = errlen };
	char *text;
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	if (errlen > 0)
		err[0] = '\0';
	text = cfg_text_read(&ctx, path);
	if (text == NULL)
		return -1;
	ret = cfg_load_text(&ctx, text, cfg);
	gw_wipe(text, strlen(text));	/* it may hold manual SA keys */
	free(text);
	return ret;
}

int cfg_load_string(const char *text, const char *name, struct gw_cfg *cfg,
		    char *err, size_t errlen)
{
	struct cfg_ctx ctx = { .file = name, .err = err, .errlen = errlen };

	memset(cfg, 0, sizeof(*cfg));
	if (errlen > 0)
		err[0] = '\0';
	return cfg_load_text(&ctx, text, cfg);
}

void cfg_free(struct gw_cfg *cfg)
{
	for (int i = 0; i < cfg->eal_argc; i++)
		free(cfg->eal_argv[i]);
	free(cfg->routes);
	free(cfg->neighbors);
	if (cfg->manual_sas != NULL)
		gw_wipe(cfg->manual_sas, cfg->n_manual_sas * sizeof(cfg->manual_sas[0]));
	free(cfg->manual_sas);
	free(cfg->policies);
	free(cfg->peers);
	memset(cfg, 0, sizeof(*cfg));
}

int cfg_iface_find(const struct gw_cfg *cfg, const char *name)
{
	for (unsigned i = 0; i < cfg->n_ifaces; i++)
		if (strcmp(cfg->ifaces[i].name, name) == 0)
			return (int)i;
	return -1;
}
