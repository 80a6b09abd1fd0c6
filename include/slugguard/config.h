/* SPDX-License-Identifier: MIT */
/*
 * Global settings, built once in main and passed down const: flags over
 * environment over defaults. Module-specific files (.slugguard.json,
 * slugguard.json policy) are read by their own modules.
 */
#ifndef SLUGGUARD_CONFIG_H
#define SLUGGUARD_CONFIG_H

enum config_color {
	CONFIG_COLOR_AUTO = -1,
	CONFIG_COLOR_NEVER = 0,
	CONFIG_COLOR_ALWAYS = 1
};

struct config {
	bool quiet; /* --quiet / SLUGGUARD_QUIET: no chatter on stderr */
	int color; /* enum config_color; --color=WHEN, NO_COLOR */
	const char *argv0; /* how we were invoked (borrowed) */
};

#define CONFIG_INIT                            \
	{                                      \
		false, CONFIG_COLOR_AUTO, NULL \
	}

/* Apply environment defaults (SLUGGUARD_QUIET, NO_COLOR). */
void config_from_env(struct config *cfg);
/* Should output to fd be coloured under cfg? */
bool config_color(const struct config *cfg, int fd);

#endif
