/* SPDX-License-Identifier: MIT */
/* slugguard check: every policy check on a commit or a directory. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/gitwalk.h"
#include "slugguard/policy.h"
#include "cli.h"

#include <getopt.h>

static const char usage_str[] =
	"usage: slugguard check [<rev>] [--dir PATH]\n"
	"   or: slugguard check (-a NAME | -r REMOTE) [<rev>] [--key PUB]\n"
	"                       [--cacert FILE]\n"
	"\n"
	"Run every check of the deploy policy (slugguard.json) against a\n"
	"commit (default HEAD) or a directory on disk, and print a checklist.\n"
	"Exit 0 when all pass, 1 when one fails, 2 on errors.\n"
	"\n"
	"    --dir PATH           check the files in PATH instead of a commit\n"
	"    -a, --app NAME       check the live Heroku app NAME against the\n"
	"                         policy (see 'slugguard check -a X -h')\n"
	"    -r, --remote REMOTE  the same for the app of this git remote\n";

static bool wants_app(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--app") ||
		    starts_with(argv[i], "--app=") ||
		    !strcmp(argv[i], "--remote") ||
		    starts_with(argv[i], "--remote=") ||
		    starts_with(argv[i], "-a") || starts_with(argv[i], "-r"))
			return true;
	}
	return false;
}

int cmd_check(int argc, char **argv, const struct config *cfg)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct policy_report r = POLICY_REPORT_INIT;
	struct strbuf path = STRBUF_INIT;
	struct gitwalk *w = NULL;
	struct policy *p = NULL;
	const char *dir = NULL, *rev = "HEAD";
	char hex[GITWALK_HEXSZ + 1];
	int rc = 0, opt;

	if (wants_app(argc, argv))
		return cmd_check_app(argc, argv, cfg);
	while ((opt = cli_getopt(argc, argv, "d:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			dir = optarg;
			break;
		case 'h':
			return cli_usage(usage_str, false);
		default:
			return cli_usage(usage_str, true);
		}
	}
	if (dir && optind < argc)
		return cli_usage_err(usage_str,
				     "check: --dir takes no <rev> ('%s')",
				     argv[optind]);
	if (argc - optind > 1)
		return cli_usage_err(usage_str, "check: unexpected '%s'",
				     argv[optind + 1]);
	if (optind < argc)
		rev = argv[optind];
	if (dir) {
		strbuf_addf(&path, "%s/%s", dir, POLICY_FILE);
		rc = policy_load_file(&p, path.buf);
	} else {
		rc = gitwalk_open(&w, NULL);
		if (!rc)
			rc = gitwalk_resolve_commit(w, rev, hex);
		if (!rc)
			rc = policy_load_from_commit(&p, w, hex);
		strbuf_addf(&path, "%s at %.12s", POLICY_FILE, hex);
	}
	if (rc == ERR_NOTFOUND && !p && (dir || w)) {
		/* no policy is not an error: only the secret scan applies */
		if (!dir && gitwalk_resolve_commit(w, rev, hex) < 0)
			goto out;
		error_clear();
		rc = 0;
		if (!cfg->quiet)
			printf("no %s in %s: no deploy policy to check\n",
			       POLICY_FILE, dir ? dir : rev);
		goto out;
	}
	if (rc < 0)
		goto out;
	if (dir)
		rc = policy_check_dir(&r, p, dir, NULL);
	else
		rc = policy_check_commit(&r, p, w, hex, NULL);
	if (rc < 0)
		goto out;
	if (!cfg->quiet)
		printf("policy %s (deploy branches:%s%s)\n", path.buf,
		       p->deploy_branches.nr ? " " : " none",
		       p->deploy_branches.nr ? p->deploy_branches.v[0] : "");
	policy_report_print(&r, stdout, "", config_color(cfg, 1), cfg->quiet);
	if (!policy_report_ok(&r)) {
		if (!cfg->quiet)
			printf("%zu check%s failed\n",
			       policy_report_failures(&r),
			       policy_report_failures(&r) == 1 ? "" : "s");
		rc = 1;
	}
out:
	policy_report_release(&r);
	policy_free(p);
	gitwalk_free(w);
	strbuf_release(&path);
	return rc;
}
