/* SPDX-License-Identifier: MIT */
/*
 * slugguard check --app NAME: the deployment guide's verification
 * checklist against the live app, one ok/FAILED line per check with the
 * fix: buildpack order, required config vars, dyno formation, the last
 * release, and the signed state of the current release.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/heroku.h"
#include "slugguard/strbuf.h"
#include "cli.h"
#include "heroku-cli.h"

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

static int check_config(struct checklist *c, struct heroku *h,
			const struct hcli_expect *e, const char *app)
{
	struct strvec urls = STRVEC_INIT, names = STRVEC_INIT;
	struct strbuf report = STRBUF_INIT, what = STRBUF_INIT;
	int rc;

	rc = heroku_buildpacks_get(h, &urls, &names, app);
	if (rc < 0)
		goto out;
	if (!e->have_buildpacks) {
		item(c, true, "buildpacks: no policy to check against", NULL);
	} else if (hcli_buildpacks_diff(&report, e, &urls, app) < 0) {
		item(c, false, "buildpacks: not in the policy's order",
		     report.buf);
	} else {
		strbuf_addstr(&what, "buildpacks:");
		for (size_t i = 0; i < urls.nr; i++)
			strbuf_addf(&what, " %zu. %s", i + 1, urls.v[i]);
		item(c, true, what.buf, NULL);
	}
	rc = heroku_config_var_names(h, &names, app);
	if (rc < 0)
		goto out;
	strbuf_reset(&report);
	strbuf_reset(&what);
	if (hcli_config_diff(&report, e, &names, app) < 0) {
		item(c, false, "config vars: required names are missing",
		     report.buf);
	} else {
		strbuf_addf(&what, "config vars: all %zu required names set",
			    e->config_vars.nr);
		item(c, true, what.buf, NULL);
	}
	for (size_t i = 0; i < names.nr; i++)
		if (!strcmp(names.v[i], "BUILDPACK_URL") ||
		    !strcmp(names.v[i], "LANGUAGE_PACK_URL")) {
			strbuf_reset(&what);
			strbuf_reset(&report);
			strbuf_addf(&what,
				    "config vars: %s overrides the "
				    "buildpacks",
				    names.v[i]);
			strbuf_addf(&report,
				    "fix: heroku config:unset %s -a %s",
				    names.v[i], app);
			item(c, false, what.buf, report.buf);
		}
out:
	strbuf_release(&what);
	strbuf_release(&report);
	strvec_clear(&urls);
	strvec_clear(&names);
	return rc;
}

static int check_formation(struct checklist *c, struct heroku *h,
			   const char *app)
{
	static const char *const need[] = { "web", "worker" };
	struct heroku_formation *f = NULL;
	struct strbuf what = STRBUF_INIT, fix = STRBUF_INIT;
	size_t nr = 0;
	bool ok = true;
	int rc;

	rc = heroku_formation_get(h, &f, &nr, app);
	if (rc < 0)
		goto out;
	strbuf_addstr(&what, "formation:");
	for (size_t k = 0; k < ARRAY_SIZE(need); k++) {
		long q = 0;

		for (size_t i = 0; i < nr; i++)
			if (!strcmp(f[i].type, need[k]))
				q = f[i].quantity;
		strbuf_addf(&what, " %s=%ld", need[k], q);
		if (q <= 0) {
			ok = false;
			strbuf_addf(&fix, "fix: heroku ps:scale %s=1 -a %s\n",
				    need[k], app);
		}
	}
	item(c, ok, what.buf, fix.buf);
out:
	strbuf_release(&fix);
	strbuf_release(&what);
	heroku_formation_free(f, nr);
	return rc;
}

static int check_releases(struct checklist *c, struct heroku *h,
			  const char *app, const char *key)
{
	struct heroku_release *list = NULL;
	struct ledger ledger = LEDGER_INIT;
	struct strbuf what = STRBUF_INIT, fix = STRBUF_INIT;
	const struct heroku_release *cur = NULL;
	const char *why = NULL;
	size_t nr = 0;
	int rc;

	rc = ledger_load(&ledger, NULL, app);
	if (rc < 0)
		goto out;
	rc = heroku_releases_list(h, &list, &nr, app);
	if (rc < 0)
		goto out;
	if (!nr) {
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
	for (size_t i = 0; i < nr; i++)
		if (list[i].current)
			cur = &list[i];
	strbuf_reset(&what);
	strbuf_reset(&fix);
	if (!cur) {
		item(c, false, "signed: no current release", NULL);
	} else if (cur->slug_id &&
		   hcli_attestation_ok(ledger_find_slug(&ledger, cur->slug_id),
				       key, &why)) {
		strbuf_addf(&what,
			    "signed: current release v%ld runs a "
			    "verified slug",
			    cur->version);
		item(c, true, what.buf, NULL);
	} else {
		strbuf_addf(&what,
			    "signed: current release v%ld is not "
			    "verified (%s)",
			    cur->version, why ? why : "it has no slug");
		strbuf_addf(&fix,
			    "fix: slugguard deploy --app %s, or roll back "
			    "to a verified release",
			    app);
		item(c, false, what.buf, fix.buf);
	}
out:
	strbuf_release(&fix);
	strbuf_release(&what);
	heroku_releases_free(list, nr);
	ledger_release(&ledger);
	return rc;
}

int cmd_check_app(int argc, char **argv, const struct config *cfg)
{
	static const struct option opts[] = {
		{ "app", required_argument, NULL, 'a' },
		{ "remote", required_argument, NULL, 'r' },
		{ "commit", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "cacert", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *app = NULL, *remote = NULL, *commit = NULL, *key = NULL,
		   *cacert = NULL;
	struct strbuf app_buf = STRBUF_INIT;
	struct hcli_expect e = HCLI_EXPECT_INIT;
	struct heroku_app a = HEROKU_APP_INIT;
	struct checklist c = { 0 };
	struct heroku *h = NULL;
	int opt, rc;

	(void)cfg;
	while ((opt = cli_getopt(argc, argv, "a:r:c:k:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			app = optarg;
			break;
		case 'c':
			commit = optarg;
			break;
		case 'r':
			remote = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'C':
			cacert = optarg;
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
	rc = hcli_app(&app_buf, "check", app, remote);
	if (rc == ERR_USAGE)
		return cli_usage(usage_str, true);
	app = app_buf.buf;
	if (rc < 0)
		goto out;
	rc = hcli_expect_load(&e, commit, NULL);
	if (rc < 0)
		goto out;
	rc = hcli_client(&h, cacert);
	if (rc < 0)
		goto out;
	rc = heroku_app_get(h, &a, app);
	if (rc < 0)
		goto out;
	if (heroku_app_is_fir(&a)) {
		item(&c, false,
		     "generation: a Fir app (no slugs, no buildpack "
		     "installations)",
		     "slugguard deploys Cedar-generation apps only");
		goto done;
	}
	rc = check_config(&c, h, &e, app);
	if (rc < 0)
		goto out;
	rc = check_formation(&c, h, app);
	if (rc < 0)
		goto out;
	rc = check_releases(&c, h, app, key);
	if (rc < 0)
		goto out;
done:
	if (c.failed)
		rc = error_setc(ERR_REJECTED, "%u check%s failed for app '%s'",
				c.failed, c.failed == 1 ? "" : "s", app);
out:
	strbuf_release(&app_buf);
	heroku_app_release(&a);
	heroku_free(h);
	hcli_expect_release(&e);
	return rc;
}
