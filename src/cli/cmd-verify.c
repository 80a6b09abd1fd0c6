/* SPDX-License-Identifier: MIT */
/* slugguard verify: placeholder until its issue lands. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "cli.h"

int cmd_verify(int argc, char **argv, const struct config *cfg)
{
	(void)argc;
	(void)argv;
	(void)cfg;
	return error_set("'verify' is not implemented yet");
}
