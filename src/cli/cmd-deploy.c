/* SPDX-License-Identifier: MIT */
/* slugguard deploy: placeholder until its issue lands. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "cli.h"

int cmd_deploy(int argc, char **argv, const struct config *cfg)
{
	(void)argc;
	(void)argv;
	(void)cfg;
	return error_set("'deploy' is not implemented yet");
}
