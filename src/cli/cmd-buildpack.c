/* SPDX-License-Identifier: MIT */
/* slugguard buildpack: placeholder until its issue lands. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "cli.h"

int cmd_buildpack(int argc, char **argv, const struct config *cfg)
{
	(void)argc;
	(void)argv;
	(void)cfg;
	return error_set("'buildpack' is not implemented yet");
}
