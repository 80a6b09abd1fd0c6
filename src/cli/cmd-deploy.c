/* SPDX-License-Identifier: MIT */
/*
 * slugguard deploy: the options of deploy_run() (deploy.h), and the
 * release it made.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/deploy.h"
#include "slugguard/strbuf.h"
#include "cli.h"

#include <getopt.h>

static const char usage_str[] =
	"usage: slugguard deploy [-a NAME | -r REMOTE] [--commit REV]\n"
	"                        [--key FILE] [--fix-buildpacks]\n"
	"                        [--build-dir DIR] [--cacert FILE]\n"
	"                        [--build-on local|heroku] [--timeout SEC]\n"
	"\n"
	"    -a, --app NAME     the Heroku app (default $HEROKU_APP)\n"
	"    -r, --remote REMOTE\n"
	"                       the app of this git remote's Heroku URL\n"
	"    --commit REV       what to build (default HEAD)\n"
	"    --key FILE         signing key (default $SLUGGUARD_SIGNING_KEY)\n"
	"    --fix-buildpacks   set the app's buildpacks to the policy's order\n"
	"    --build-dir DIR    deploy the artifacts of an earlier build\n"
	"                       (release.json, slug.tgz, slug.tgz.intoto.json)\n"
	"    --cacert FILE      CA bundle for the API (default $SSL_CERT_FILE)\n"
	"    --build-on WHERE   local (default): build here, reproducibly;\n"
	"                       heroku: upload the signed source and build\n"
	"                       on Heroku's builders, attest their slug\n"
	"    --timeout SEC      how long to wait for a Heroku build\n"
	"                       (default 1800)\n";

int cmd_deploy(int argc, char **argv, const struct config *cfg)
{
	static const struct option opts[] = {
		CLI_TARGET_OPTIONS,
		{ "commit", required_argument, NULL, 'c' },
		{ "fix-buildpacks", no_argument, NULL, 'f' },
		{ "build-dir", required_argument, NULL, 'b' },
		{ "build-on", required_argument, NULL, 'B' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_target ct = CLI_TARGET_INIT(cfg->quiet);
	struct deploy_opts d;
	long version = 0, v;
	int opt, rc;

	memset(&d, 0, sizeof(d));
	while ((opt = cli_getopt(argc, argv, CLI_TARGET_SHORT "c:fb:h", opts,
				 NULL)) != -1) {
		if (cli_target_opt(&ct, opt))
			continue;
		switch (opt) {
		case 'c':
			d.commit = optarg;
			break;
		case 'f':
			d.fix_buildpacks = true;
			break;
		case 'b':
			d.build_dir = optarg;
			break;
		case 'B':
			if (!strcmp(optarg, "heroku") ||
			    !strcmp(optarg, "local")) {
				d.on_heroku = !strcmp(optarg, "heroku");
				break;
			}
			return cli_usage_err(usage_str,
					     "deploy: --build-on must be "
					     "'local' or 'heroku', not '%s'",
					     optarg);
		case 't':
			if (parse_long(&v, optarg, 1, 86400))
				return cli_usage_err(
					usage_str,
					"deploy: invalid --timeout "
					"'%s'",
					optarg);
			d.build_timeout_ms = v * 1000;
			break;
		case 'h':
			return cli_usage(usage_str, false);
		default:
			return cli_usage(usage_str, true);
		}
	}
	if (optind < argc)
		return cli_usage_err(usage_str, "deploy: unexpected '%s'",
				     argv[optind]);
	if (d.on_heroku && d.build_dir)
		return cli_usage_err(usage_str, "deploy: --build-on heroku "
						"builds there: no --build-dir");
	rc = cli_target_app(&ct, "deploy", usage_str);
	if (rc < 0)
		goto out;
	d.t = ct.t;
	rc = deploy_run(&version, &d);
	if (!rc)
		printf("Released v%ld\n", version);
out:
	cli_target_release(&ct);
	return rc;
}
