/* SPDX-License-Identifier: MIT */
/* slugguard rollback: placeholder until its issue lands. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "cli.h"

int cmd_rollback(int argc, char **argv, const struct config *cfg)
{
	(void)argc;
	(void)argv;
	(void)cfg;
	return error_set("'rollback' is not implemented yet");
}
