/* SPDX-License-Identifier: MIT */
/* Shared usage printing for the commands. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "cli.h"

int cli_usage(const char *usage, bool error)
{
	fputs(usage, error ? stderr : stdout);
	return error ? ERR_USAGE : 0;
}
