/* SPDX-License-Identifier: MIT */
/* Global settings: see include/slugguard/config.h. */
#include "slugguard/common.h"
#include "slugguard/config.h"
#include "slugguard/term.h"

void config_from_env(struct config *cfg)
{
	const char *q = getenv("SLUGGUARD_QUIET");

	if (q && *q && strcmp(q, "0"))
		cfg->quiet = true;
}

bool config_color(const struct config *cfg, int fd)
{
	if (cfg->color == CONFIG_COLOR_NEVER)
		return false;
	if (cfg->color == CONFIG_COLOR_ALWAYS)
		return true;
	return term_want_color(fd);
}
