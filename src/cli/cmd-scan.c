/* SPDX-License-Identifier: MIT */
/* slugguard scan: placeholder until its issue lands. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "cli.h"

int cmd_scan(int argc, char **argv, const struct config *cfg)
{
	(void)argc;
	(void)argv;
	(void)cfg;
	return error_set("'scan' is not implemented yet");
}
