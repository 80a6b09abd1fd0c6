/* SPDX-License-Identifier: MIT */
/* slugguard keygen: placeholder until its issue lands. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "cli.h"

int cmd_keygen(int argc, char **argv, const struct config *cfg)
{
	(void)argc;
	(void)argv;
	(void)cfg;
	return error_set("'keygen' is not implemented yet");
}
