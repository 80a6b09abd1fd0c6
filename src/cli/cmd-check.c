/* SPDX-License-Identifier: MIT */
/* slugguard check: placeholder until its issue lands. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "cli.h"

int cmd_check(int argc, char **argv, const struct config *cfg)
{
	(void)argc;
	(void)argv;
	(void)cfg;
	return error_set("'check' is not implemented yet");
}
