/* SPDX-License-Identifier: MIT */
/* slugguard build: placeholder until its issue lands. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "cli.h"

int cmd_build(int argc, char **argv, const struct config *cfg)
{
	(void)argc;
	(void)argv;
	(void)cfg;
	return error_set("'build' is not implemented yet");
}
