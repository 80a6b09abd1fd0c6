/* SPDX-License-Identifier: MIT */
/*
 * slugguard rollback: roll an app back to an earlier release, but only
 * to one that succeeded and whose slug has a valid signed attestation in
 * the ledger (--force skips that check); see deploy_rollback().
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/deploy.h"
#include "slugguard/strbuf.h"
#include "cli.h"

#include <getopt.h>

static const char usage_str[] =
	"usage: slugguard rollback [-a NAME | -r REMOTE] [--key PUB] [--force]\n"
	"                          [--cacert FILE] [vN]\n"
	"\n"
	"    -a, --app NAME       the Heroku app (default $HEROKU_APP)\n"
	"    -r, --remote REMOTE  the app of this git remote's Heroku URL\n"
	"    vN              the release to go back to (default: the last\n"
	"                    succeeded release before the current one)\n"
	"    --key PUB       key that signed the attestations\n"
	"    --force         roll back even to an unverified release\n"
	"    --cacert FILE   CA bundle for the API (default $SSL_CERT_FILE)\n";

int cmd_rollback(int argc, char **argv, const struct config *cfg)
{
	static const struct option opts[] = {
		CLI_TARGET_OPTIONS,
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_target ct = CLI_TARGET_INIT(cfg->quiet);
	bool force = false;
	long want = 0, from = 0, version = 0;
	int opt, rc;

	while ((opt = cli_getopt(argc, argv, CLI_TARGET_SHORT "fh", opts,
				 NULL)) != -1) {
		if (cli_target_opt(&ct, opt))
			continue;
		switch (opt) {
		case 'f':
			force = true;
			break;
		case 'h':
			return cli_usage(usage_str, false);
		default:
			return cli_usage(usage_str, true);
		}
	}
	if (optind + 1 == argc) {
		const char *v = argv[optind];

		if (*v == 'v' || *v == 'V')
			v++;
		if (parse_long(&want, v, 1, 1000000000L) < 0) {
			fprintf(stderr,
				"slugguard: '%s' is not a release "
				"version (vN)\n",
				argv[optind]);
			return cli_usage(usage_str, true);
		}
	} else if (optind < argc) {
		return cli_usage_err(usage_str, "rollback: unexpected '%s'",
				     argv[optind + 1]);
	}
	rc = cli_target_app(&ct, "rollback", usage_str);
	if (rc < 0)
		goto out;
	rc = deploy_rollback(&from, &version, &ct.t, want, force);
	if (!rc)
		printf("Rolled back to v%ld (release v%ld)\n", from, version);
out:
	cli_target_release(&ct);
	return rc;
}
