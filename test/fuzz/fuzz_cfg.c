/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the configuration parser and validator
 * (cfg/cfg_load.c: cfg_load_string, libconfig underneath, then every
 * cfg_*.c section reader and the cross-checks of cfg_validate.c).
 * Input: the text of a configuration file, copied into an exact-size
 * malloc buffer with its NUL.  A loaded configuration is freed again
 * (cfg_free), so LeakSanitizer checks the error paths and the good one.
 */
#define _GNU_SOURCE	/* memmem */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfg/cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gw_cfg cfg;
	char err[512];
	char *text;

	if (size > 256 * 1024)
		return 0;
	/* libconfig's @include would read files named by the input. */
	if (memmem(data, size, "@include", 8) != NULL)
		return 0;
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (cfg_load_string(text, "fuzz.conf", &cfg, err, sizeof(err)) == 0) {
		(void)cfg_peer_find(&cfg, "swan1");
		(void)cfg_iface_find(&cfg, "outside");
		cfg_free(&cfg);
	}
	free(text);
	return 0;
}
