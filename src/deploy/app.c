/* SPDX-License-Identifier: MIT */
/*
 * The app a Heroku command works on: its name, a client for it, what the
 * policy expects of it and how the live app differs.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/gitwalk.h"
#include "slugguard/heroku.h"
#include "slugguard/json.h"
#include "slugguard/policy.h"
#include "slugguard/sign.h"
#include "slugguard/strbuf.h"
#include "deploy-internal.h"

#include <unistd.h>

int deploy_client(struct heroku **out, const char *cacert)
{
	struct heroku_opts o = HEROKU_OPTS_INIT;
	int rc;

	*out = NULL;
	rc = heroku_opts_from_env(&o);
	if (rc < 0)
		return rc;
	if (cacert)
		o.cacert = cacert;
	return heroku_new(out, &o);
}

int deploy_app_name(struct strbuf *out, const char *cmd, const char *app,
		    const char *remote)
{
	struct gitwalk *w = NULL;
	struct strbuf key = STRBUF_INIT;
	char *url = NULL;
	int rc = 0;

	if (!app && !remote) {
		app = getenv("HEROKU_APP");
		if (!app || !*app)
			return error_setc(ERR_USAGE,
					  "%s: --app is required (or "
					  "HEROKU_APP, -r REMOTE)",
					  cmd);
	}
	if (app) {
		strbuf_addstr(out, app);
		return 0;
	}
	rc = gitwalk_open(&w, NULL);
	if (rc < 0)
		goto out;
	strbuf_addf(&key, "remote.%s.url", remote);
	rc = gitwalk_config_get(&url, w, key.buf, false);
	if (rc == ERR_NOTFOUND)
		rc = error_set("%s: no git remote '%s'", cmd, remote);
	if (rc < 0)
		goto out;
	rc = heroku_app_from_git_url(out, url);
	if (rc < 0)
		rc = error_set("%s: git remote '%s' is not a Heroku app "
			       "('%s'; expected https://git.heroku.com/"
			       "<app>.git)",
			       cmd, remote, url);
out:
	free(url);
	strbuf_release(&key);
	gitwalk_free(w);
	return rc;
}

void deploy_expect_release(struct deploy_expect *e)
{
	strvec_clear(&e->buildpacks);
	strvec_clear(&e->config_vars);
	free(e->source);
	e->source = NULL;
	e->have_buildpacks = false;
}

static void push_strings(struct strvec *sv, const struct json *arr,
			 const char *member)
{
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const struct json *e = json_array_at(arr, i);
		const char *s = json_string(e);

		if (!s && member)
			s = json_get_string(e, member);
		if (s)
			strvec_push(sv, s);
	}
}

/*
 * The policy at rev of the repository around the current directory.
 * Returns 1 when one was found, 0 when there is none (or no repository).
 */
static int expect_from_policy(struct deploy_expect *e, const char *rev)
{
	struct gitwalk *w = NULL;
	struct policy *p = NULL;
	char hex[GITWALK_HEXSZ + 1];
	int rc;

	rc = gitwalk_open(&w, NULL);
	if (rc == ERR_NOTFOUND) {
		error_clear();
		rc = 0;
		goto out;
	}
	if (rc < 0)
		goto out;
	rc = gitwalk_resolve_commit(w, rev ? rev : "HEAD", hex);
	if (rc < 0 && !rev) {
		error_clear(); /* an empty repository: no policy yet */
		rc = 0;
		goto out;
	}
	if (rc < 0)
		goto out;
	rc = policy_load_governing(&p, w, hex);
	if (rc == ERR_NOTFOUND) {
		error_clear();
		rc = 0;
		goto out;
	}
	if (rc < 0)
		goto out;
	e->have_buildpacks = p->has_buildpacks;
	strvec_pushv(&e->buildpacks, p->buildpacks.v);
	for (size_t i = 0; i < p->vars_nr; i++)
		strvec_push(&e->config_vars, p->vars[i].name);
	e->source = xstrdup(p->source ? p->source : POLICY_FILE);
	rc = 1;
out:
	policy_free(p);
	gitwalk_free(w);
	return rc;
}

int deploy_expect_load(struct deploy_expect *e, const char *rev,
		       const char *release_json)
{
	struct strbuf text = STRBUF_INIT;
	struct json *j = NULL;
	const struct json *bp;
	int rc = 0;

	deploy_expect_release(e);
	rc = expect_from_policy(e, rev);
	if (rc)
		goto out;
	/* No repository policy: what the build recorded, if anything. */
	if (!release_json)
		goto out;
	rc = fs_read_capped(&text, release_json, 1024 * 1024);
	if (rc < 0)
		goto out;
	rc = json_parse(&j, text.buf, text.len, release_json);
	if (rc < 0)
		goto out;
	bp = json_get(j, "buildpacks");
	if (json_is_array(bp)) {
		e->have_buildpacks = true;
		push_strings(&e->buildpacks, bp, "url");
	}
	push_strings(&e->config_vars, json_get(j, "required_config_vars"),
		     "name");
	e->source = xstrdup(release_json);
out:
	json_free(j);
	strbuf_release(&text);
	return rc < 0 ? rc : 0;
}

static void add_list(struct strbuf *sb, const char *label, const char *const *v,
		     size_t nr)
{
	strbuf_addf(sb, "    %s:", label);
	if (!nr)
		strbuf_addstr(sb, " (none)");
	for (size_t i = 0; i < nr; i++) {
		strbuf_addf(sb, "%s %zu. ", i ? "," : "", i + 1);
		strbuf_add_sanitized(sb, v[i], strlen(v[i]));
	}
	strbuf_addch(sb, '\n');
}

int deploy_buildpacks_diff(struct strbuf *report, const struct deploy_expect *e,
			   const struct strvec *live, const char *app)
{
	bool same = e->buildpacks.nr == live->nr;

	if (!e->have_buildpacks)
		return 0;
	for (size_t i = 0; same && i < live->nr; i++)
		same = heroku_buildpack_same(e->buildpacks.v[i], live->v[i]);
	if (same)
		return 0;
	strbuf_addf(report,
		    "buildpacks of Heroku app '%s' differ from the "
		    "policy:\n",
		    app);
	add_list(report, "expected", e->buildpacks.v, e->buildpacks.nr);
	add_list(report, "found   ", live->v, live->nr);
	strbuf_addstr(report, "  fix: slugguard deploy --app ");
	strbuf_addstr(report, app);
	strbuf_addstr(report,
		      " --fix-buildpacks\n  or:  heroku buildpacks:clear"
		      " -a ");
	strbuf_addstr(report, app);
	strbuf_addch(report, '\n');
	for (size_t i = 0; i < e->buildpacks.nr; i++)
		strbuf_addf(
			report,
			"       heroku buildpacks:add --index %zu %s -a %s\n",
			i + 1, e->buildpacks.v[i], app);
	return ERR_REJECTED;
}

int deploy_config_diff(struct strbuf *report, const struct deploy_expect *e,
		       const struct strvec *live, const char *app)
{
	struct strvec missing = STRVEC_INIT;
	int rc = 0;

	for (size_t i = 0; i < e->config_vars.nr; i++) {
		bool found = false;

		for (size_t k = 0; k < live->nr && !found; k++)
			found = !strcmp(live->v[k], e->config_vars.v[i]);
		if (!found)
			strvec_push(&missing, e->config_vars.v[i]);
	}
	if (!missing.nr)
		goto out;
	strbuf_addf(report, "Heroku app '%s' lacks required config vars:", app);
	for (size_t i = 0; i < missing.nr; i++)
		strbuf_addf(report, " %s", missing.v[i]);
	strbuf_addstr(report, "\n  fix: heroku config:set");
	for (size_t i = 0; i < missing.nr; i++)
		strbuf_addf(report, " %s=...", missing.v[i]);
	strbuf_addf(report, " -a %s\n", app);
	rc = ERR_REJECTED;
out:
	strvec_clear(&missing);
	return rc;
}

bool deploy_is_override(const char *name)
{
	return !strcmp(name, "BUILDPACK_URL") ||
	       !strcmp(name, "LANGUAGE_PACK_URL");
}
