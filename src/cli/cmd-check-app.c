/* SPDX-License-Identifier: MIT */
/* slugguard check --app: placeholder until the Heroku issue lands. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "cli.h"

int cmd_check_app(int argc, char **argv, const struct config *cfg)
{
	(void)argc;
	(void)argv;
	(void)cfg;
	return error_set("'check --app' is not implemented yet");
}
