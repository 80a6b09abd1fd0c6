/* SPDX-License-Identifier: MIT */
/* slugguard hooks: placeholder until its issue lands. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "cli.h"

int cmd_hooks(int argc, char **argv, const struct config *cfg)
{
	(void)argc;
	(void)argv;
	(void)cfg;
	return error_set("'hooks' is not implemented yet");
}
