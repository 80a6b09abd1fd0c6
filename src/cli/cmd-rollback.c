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
		{ "app", required_argument, NULL, 'a' },
		{ "remote", required_argument, NULL, 'r' },
		{ "key", required_argument, NULL, 'k' },
		{ "force", no_argument, NULL, 'f' },
		{ "cacert", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *remote = NULL;
	struct deploy_target t = { NULL, NULL, NULL, cfg->quiet };
	struct strbuf app_buf = STRBUF_INIT;
	bool force = false;
	long want = 0, from = 0, version = 0;
	int opt, rc;

	while ((opt = cli_getopt(argc, argv, "a:r:k:fh", opts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			t.app = optarg;
			break;
		case 'r':
			remote = optarg;
			break;
		case 'k':
			t.key = optarg;
			break;
		case 'f':
			force = true;
			break;
		case 'C':
			t.cacert = optarg;
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
	rc = deploy_app_name(&app_buf, "rollback", t.app, remote);
	if (rc == ERR_USAGE)
		return cli_usage(usage_str, true);
	t.app = app_buf.buf;
	if (rc < 0)
		goto out;
	rc = deploy_rollback(&from, &version, &t, want, force);
	if (!rc)
		printf("Rolled back to v%ld (release v%ld)\n", from, version);
out:
	strbuf_release(&app_buf);
	return rc;
}
