/* SPDX-License-Identifier: MIT */
/*
 * slugguard check --app NAME: the deployment guide's verification
 * checklist against the live app, one ok/FAILED line per check with the
 * fix: buildpack order, required config vars, dyno formation, the last
 * release, and the signed state of the current release.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/deploy.h"
#include "slugguard/strbuf.h"
#include "cli.h"

#include <getopt.h>

static const char usage_str[] =
	"usage: slugguard check (-a NAME | -r REMOTE) [<rev>] [--key PUB]\n"
	"                       [--cacert FILE]\n"
	"\n"
	"    -a, --app NAME       the Heroku app to check\n"
	"    -r, --remote REMOTE  the app of this git remote's Heroku URL\n"
	"    <rev>           where the policy is read (default HEAD)\n"
	"    --key PUB       key that signed the attestations\n"
	"    --cacert FILE   CA bundle for the API (default $SSL_CERT_FILE)\n";

struct checklist {
	unsigned failed;
};

/* One line: "ok     what" or "FAILED what", then indented detail lines. */
static void item(struct checklist *c, bool ok, const char *what,
		 const char *detail)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_add_sanitized(&sb, what, strlen(what));
	printf("%-7s%s\n", ok ? "ok" : "FAILED", sb.buf);
	if (detail && *detail) {
		const char *p = detail;

		while (*p) {
			size_t n = strcspn(p, "\n");

			strbuf_reset(&sb);
			strbuf_add_sanitized(&sb, p, n);
			printf("       %s\n", sb.buf);
			p += n;
			if (*p)
				p++;
		}
	}
	if (!ok)
		c->failed++;
	strbuf_release(&sb);
}

static void check_config(struct checklist *c,
			 const struct deploy_inspection *in, const char *app)
{
	const struct deploy_expect *e = &in->expect;
	struct strbuf report = STRBUF_INIT, what = STRBUF_INIT;

	if (!e->have_buildpacks) {
		item(c, true, "buildpacks: no policy to check against", NULL);
	} else if (deploy_buildpacks_diff(&report, e, &in->buildpacks, app) <
		   0) {
		item(c, false, "buildpacks: not in the policy's order",
		     report.buf);
	} else {
		strbuf_addstr(&what, "buildpacks:");
		for (size_t i = 0; i < in->buildpacks.nr; i++)
			strbuf_addf(&what, " %zu. %s", i + 1,
				    in->buildpacks.v[i]);
		item(c, true, what.buf, NULL);
	}
	strbuf_reset(&report);
	strbuf_reset(&what);
	if (deploy_config_diff(&report, e, &in->config_vars, app) < 0) {
		item(c, false, "config vars: required names are missing",
		     report.buf);
	} else {
		strbuf_addf(&what, "config vars: all %zu required names set",
			    e->config_vars.nr);
		item(c, true, what.buf, NULL);
	}
	for (size_t i = 0; i < in->config_vars.nr; i++) {
		const char *name = in->config_vars.v[i];

		if (!deploy_is_override(name))
			continue;
		strbuf_reset(&what);
		strbuf_reset(&report);
		strbuf_addf(&what, "config vars: %s overrides the buildpacks",
			    name);
		strbuf_addf(&report, "fix: heroku config:unset %s -a %s", name,
			    app);
		item(c, false, what.buf, report.buf);
	}
	strbuf_release(&what);
	strbuf_release(&report);
}

static void check_formation(struct checklist *c,
			    const struct deploy_inspection *in, const char *app)
{
	static const char *const need[] = { "web", "worker" };
	struct strbuf what = STRBUF_INIT, fix = STRBUF_INIT;
	bool ok = true;

	strbuf_addstr(&what, "formation:");
	for (size_t k = 0; k < ARRAY_SIZE(need); k++) {
		long q = 0;

		for (size_t i = 0; i < in->formation_nr; i++)
			if (!strcmp(in->formation[i].type, need[k]))
				q = in->formation[i].quantity;
		strbuf_addf(&what, " %s=%ld", need[k], q);
		if (q <= 0) {
			ok = false;
			strbuf_addf(&fix, "fix: heroku ps:scale %s=1 -a %s\n",
				    need[k], app);
		}
	}
	item(c, ok, what.buf, fix.buf);
	strbuf_release(&fix);
	strbuf_release(&what);
}

static void check_releases(struct checklist *c,
			   const struct deploy_history *hist, const char *app)
{
	const struct heroku_release *list = hist->list;
	struct strbuf what = STRBUF_INIT, fix = STRBUF_INIT;
	size_t cur = hist->nr;

	if (!hist->nr) {
		item(c, false, "last release: the app has no release",
		     "fix: slugguard deploy --app NAME");
		goto out;
	}
	strbuf_addf(&what, "last release: v%ld %s", list[0].version,
		    list[0].status ? list[0].status : "?");
	if (!list[0].status || strcmp(list[0].status, "succeeded"))
		strbuf_addf(&fix,
			    "fix: read the release output, fix and deploy "
			    "again, or 'slugguard rollback --app %s'",
			    app);
	item(c, !fix.len, what.buf, fix.buf);
	for (size_t i = 0; i < hist->nr; i++)
		if (list[i].current)
			cur = i;
	strbuf_reset(&what);
	strbuf_reset(&fix);
	if (cur == hist->nr) {
		item(c, false, "signed: no current release", NULL);
	} else if (hist->verified[cur]) {
		strbuf_addf(&what,
			    "signed: current release v%ld runs a "
			    "verified slug",
			    list[cur].version);
		item(c, true, what.buf, NULL);
	} else {
		strbuf_addf(&what,
			    "signed: current release v%ld is not "
			    "verified (%s)",
			    list[cur].version,
			    hist->why[cur] ? hist->why[cur] : "it has no slug");
		strbuf_addf(&fix,
			    "fix: slugguard deploy --app %s, or roll back "
			    "to a verified release",
			    app);
		item(c, false, what.buf, fix.buf);
	}
out:
	strbuf_release(&fix);
	strbuf_release(&what);
}

int cmd_check_app(int argc, char **argv, const struct config *cfg)
{
	static const struct option opts[] = {
		CLI_TARGET_OPTIONS,
		{ "commit", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_target ct = CLI_TARGET_INIT(cfg->quiet);
	struct deploy_inspection in = DEPLOY_INSPECTION_INIT;
	struct checklist c = { 0 };
	const char *commit = NULL;
	int opt, rc;

	while ((opt = cli_getopt(argc, argv, CLI_TARGET_SHORT "c:h", opts,
				 NULL)) != -1) {
		if (cli_target_opt(&ct, opt))
			continue;
		switch (opt) {
		case 'c':
			commit = optarg;
			break;
		case 'h':
			return cli_usage(usage_str, false);
		default:
			return cli_usage(usage_str, true);
		}
	}
	if (optind + 1 == argc && !commit)
		commit = argv[optind++];
	if (optind < argc)
		return cli_usage_err(usage_str, "check: unexpected '%s'",
				     argv[optind]);
	rc = cli_target_app(&ct, "check", usage_str);
	if (rc < 0)
		goto out;
	rc = deploy_inspect(&in, &ct.t, commit);
	if (rc < 0)
		goto out;
	if (in.fir) {
		item(&c, false,
		     "generation: a Fir app (no slugs, no buildpack "
		     "installations)",
		     "slugguard deploys Cedar-generation apps only");
	} else {
		check_config(&c, &in, ct.t.app);
		check_formation(&c, &in, ct.t.app);
		check_releases(&c, &in.history, ct.t.app);
	}
	if (c.failed)
		rc = error_setc(ERR_REJECTED, "%u check%s failed for app '%s'",
				c.failed, c.failed == 1 ? "" : "s", ct.t.app);
out:
	cli_target_release(&ct);
	deploy_inspection_release(&in);
	return rc;
}
