/* SPDX-License-Identifier: MIT */
/* The options every Heroku command takes: see cli_target in cli.h. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "cli.h"

bool cli_target_opt(struct cli_target *ct, int opt)
{
	switch (opt) {
	case 'a':
		ct->t.app = optarg;
		return true;
	case 'r':
		ct->remote = optarg;
		return true;
	case 'k':
		ct->t.key = optarg;
		return true;
	case 'C':
		ct->t.cacert = optarg;
		return true;
	default:
		return false;
	}
}

int cli_target_app(struct cli_target *ct, const char *cmd, const char *usage)
{
	int rc = deploy_app_name(&ct->app, cmd, ct->t.app, ct->remote);

	if (rc == ERR_USAGE)
		return cli_usage(usage, true);
	ct->t.app = ct->app.buf;
	return rc;
}

void cli_target_release(struct cli_target *ct)
{
	strbuf_release(&ct->app);
	ct->t.app = NULL;
}
