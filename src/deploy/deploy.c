/* SPDX-License-Identifier: MIT */
/*
 * The deploy: build (or take a build directory), check the live app
 * against the policy, create the slug, upload it, release it, follow the
 * release to its end and record it in the ledger.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/buildpack.h"
#include "slugguard/fs.h"
#include "slugguard/gitwalk.h"
#include "slugguard/json.h"
#include "slugguard/sign.h"
#include "slugguard/strbuf.h"
#include "slugguard/term.h"
#include "slugguard/mask.h"
#include "deploy-internal.h"

/* The POST /slugs body from release.json: only the fields Heroku knows. */
static int slug_request(struct json **out, const struct json *rel)
{
	static const char *const fields[] = {
		"commit", "commit_description", "checksum", "stack",
		"buildpack_provided_description"
	};
	struct json *req = json_new_object();
	const struct json *pt = json_get(rel, "process_types");

	*out = NULL;
	if (!json_is_object(pt)) {
		json_free(req);
		return error_set("release.json has no process_types object");
	}
	json_add(req, "process_types", json_dup(pt));
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		const char *v = json_get_string(rel, fields[i]);

		if (v)
			json_add_string(req, fields[i], v);
	}
	*out = req;
	return 0;
}

static int refuse_fir(const struct deploy_opts *d, const struct heroku_app *app)
{
	if (!heroku_app_is_fir(app))
		return 0;
	return error_setc(ERR_REJECTED,
			  "app '%s' is a Fir app (stack '%s'): it has no slugs "
			  "or buildpack installations, so slugguard cannot "
			  "deploy it",
			  d->t.app, app->stack ? app->stack : "cnb");
}

/* vars: the names of the app's config vars, read once per deploy. */
static int check_app(struct heroku *h, const struct deploy_opts *d,
		     const struct deploy_expect *e, const struct strvec *vars)
{
	struct heroku_app app = HEROKU_APP_INIT;
	struct strvec urls = STRVEC_INIT, names = STRVEC_INIT;
	struct strbuf report = STRBUF_INIT;
	int rc;

	rc = heroku_app_get(h, &app, d->t.app);
	if (rc < 0)
		goto out;
	rc = refuse_fir(d, &app);
	if (rc < 0)
		goto out;
	rc = heroku_buildpacks_get(h, &urls, &names, d->t.app);
	if (rc < 0)
		goto out;
	rc = deploy_buildpacks_diff(&report, e, &urls, d->t.app);
	if (rc == ERR_REJECTED && d->fix_buildpacks) {
		strbuf_reset(&report);
		term_say(d->t.quiet,
			 "Setting the buildpacks of '%s' to the policy's order",
			 d->t.app);
		rc = heroku_buildpacks_set(h, d->t.app, e->buildpacks.v,
					   e->buildpacks.nr);
		if (rc < 0)
			goto out;
		rc = heroku_buildpacks_get(h, &urls, &names, d->t.app);
		if (rc < 0)
			goto out;
		rc = deploy_buildpacks_diff(&report, e, &urls, d->t.app);
	}
	if (rc < 0) {
		fputs(report.buf, stderr);
		rc = error_setc(ERR_REJECTED,
				"refusing to deploy: buildpacks of '%s' are "
				"not in the policy's order",
				d->t.app);
		goto out;
	}
	for (size_t i = 0; i < vars->nr; i++)
		if (deploy_is_override(vars->v[i])) {
			fprintf(stderr, "  fix: heroku config:unset %s -a %s\n",
				vars->v[i], d->t.app);
			rc = error_setc(ERR_REJECTED,
					"refusing to deploy: config var %s "
					"overrides the app's buildpacks",
					vars->v[i]);
			goto out;
		}
	rc = deploy_config_diff(&report, e, vars, d->t.app);
	if (rc < 0) {
		fputs(report.buf, stderr);
		rc = error_setc(ERR_REJECTED,
				"refusing to deploy: required config vars are "
				"missing on '%s'",
				d->t.app);
		goto out;
	}
out:
	strbuf_release(&report);
	strvec_clear(&urls);
	strvec_clear(&names);
	heroku_app_release(&app);
	return rc;
}

/*
 * Deploy the build in dir. config: the app's config vars as the build
 * read them, or NULL (an earlier build: read them here), so that a
 * deploy reads them once.
 */
static int deploy_artifacts(long *version, const struct deploy_opts *d,
			    const char *dir, const struct build_config *config)
{
	struct strbuf rel_path = STRBUF_INIT, slug_path = STRBUF_INIT,
		      att_path = STRBUF_INIT, text = STRBUF_INIT,
		      desc = STRBUF_INIT;
	struct deploy_expect e = DEPLOY_EXPECT_INIT;
	struct heroku *h = NULL;
	struct json *rel = NULL, *req = NULL;
	struct heroku_slug slug = HEROKU_SLUG_INIT, live = HEROKU_SLUG_INIT;
	struct heroku_release r = HEROKU_RELEASE_INIT;
	struct ledger ledger = LEDGER_INIT;
	struct ledger_entry le;
	struct mask_set *mask = NULL;
	struct build_config fetched = BUILD_CONFIG_INIT;
	char sha[HEROKU_SHA256_HEX + 1], att_sha[HEROKU_SHA256_HEX + 1];
	const char *checksum, *commit;
	long long sent = 0;
	int rc;

	memset(&le, 0, sizeof(le));
	strbuf_addf(&rel_path, "%s/release.json", dir);
	strbuf_addf(&slug_path, "%s/slug.tgz", dir);
	strbuf_addf(&att_path, "%s/slug.tgz.intoto.json", dir);
	rc = fs_read_capped(&text, rel_path.buf, 1024 * 1024);
	if (rc < 0)
		goto out;
	rc = json_parse(&rel, text.buf, text.len, rel_path.buf);
	if (rc < 0)
		goto out;
	checksum = json_get_string(rel, "checksum");
	commit = json_get_string(rel, "commit");
	if (!checksum || !starts_with(checksum, "SHA256:") ||
	    strlen(checksum) != 7 + HEROKU_SHA256_HEX) {
		rc = error_set("'%s' has no SHA256 checksum", rel_path.buf);
		goto out;
	}
	if (!fs_exists(att_path.buf)) {
		rc = error_setc(ERR_REJECTED,
				"refusing to deploy an unsigned slug: '%s' is "
				"missing",
				att_path.buf);
		goto out;
	}
	/* What we are about to upload must be what the build signed. */
	rc = sign_sha256_file(sha, NULL, slug_path.buf);
	if (rc < 0)
		goto out;
	if (strcmp(sha, checksum + 7)) {
		rc = error_setc(ERR_REJECTED,
				"'%s' does not match its signed checksum "
				"(sha256 %s, expected %s)",
				slug_path.buf, sha, checksum + 7);
		goto out;
	}
	if (!deploy_key_path(d->t.key)) {
		rc = error_setc(ERR_REJECTED,
				"refusing to deploy: no key to verify the "
				"attestation (--key or SLUGGUARD_SIGNING_KEY)");
		goto out;
	}
	rc = deploy_attestation_verify(att_path.buf, checksum,
				       deploy_key_path(d->t.key));
	if (rc < 0) {
		error_wrap(rc, "refusing to deploy");
		goto out;
	}
	rc = sign_sha256_file(att_sha, NULL, att_path.buf);
	if (rc < 0)
		goto out;
	rc = deploy_expect_load(&e, d->commit, rel_path.buf);
	if (rc < 0)
		goto out;
	rc = deploy_client(&h, d->t.cacert);
	if (rc < 0)
		goto out;
	if (!config) {
		rc = build_config_fetch(&fetched, h, d->t.app);
		if (rc < 0)
			goto out;
		config = &fetched;
	}
	rc = build_config_mask(&mask, config, NULL, 0);
	if (rc < 0)
		goto out;
	if (d->build_dir) {
		/* an earlier build's slug: check it as a build would have */
		rc = buildpack_check_slug(slug_path.buf, mask, NULL);
		if (rc < 0)
			goto out;
	}
	rc = ledger_load(&ledger, NULL, d->t.app);
	if (rc < 0)
		goto out;
	rc = deploy_ledger_catch_up(&ledger, h, &d->t,
				    deploy_key_path(d->t.key));
	if (rc < 0)
		goto out;
	term_say(d->t.quiet, "Checking Heroku app '%s'", d->t.app);
	rc = check_app(h, d, &e, &config->names);
	if (rc < 0)
		goto out;
	rc = slug_request(&req, rel);
	if (rc < 0)
		goto out;
	term_say(d->t.quiet, "Creating the slug");
	rc = heroku_slug_create(h, &slug, d->t.app, req);
	if (rc < 0)
		goto out;
	term_say(d->t.quiet, "Uploading slug %s", slug.id);
	rc = heroku_blob_upload(h, slug.blob_url, slug.blob_method,
				slug_path.buf, checksum + 7, &sent);
	if (rc < 0)
		goto out;
	rc = heroku_slug_get(h, &live, d->t.app, slug.id);
	if (rc < 0)
		goto out;
	if (live.size >= 0 && live.size != sent) {
		rc = error_set("heroku: slug %s has %lld bytes, %lld were sent",
			       slug.id, live.size, sent);
		goto out;
	}
	le.slug_id = xstrdup(slug.id);
	le.checksum = xstrdup(checksum);
	le.commit = commit ? xstrdup(commit) : NULL;
	rc = deploy_ledger_pending(&ledger, &le, att_path.buf,
				   deploy_key_path(d->t.key), NULL);
	if (rc < 0)
		goto out;
	strbuf_addf(&desc, "Deploy %.8s (slugguard, attestation sha256:%s)",
		    commit ? commit : "unknown", att_sha);
	/*
	 * A crash from here on leaves a pending entry; the next deploy or
	 * `releases` completes it from the live releases.
	 */
	rc = heroku_release_create(h, &r, d->t.app, slug.id, desc.buf);
	if (rc < 0)
		goto out;
	*version = r.version;
	rc = deploy_release_finish(h, &r, &d->t, mask, &ledger, &le);
out:
	deploy_mask_error(mask, rc);
	mask_set_free(mask);
	build_config_release(&fetched);
	ledger_entry_release(&le);
	ledger_release(&ledger);
	heroku_release_release(&r);
	heroku_slug_release(&live);
	heroku_slug_release(&slug);
	json_free(req);
	json_free(rel);
	heroku_free(h);
	deploy_expect_release(&e);
	strbuf_release(&desc);
	strbuf_release(&text);
	strbuf_release(&att_path);
	strbuf_release(&slug_path);
	strbuf_release(&rel_path);
	return rc;
}

/*
 * Before any buildpack code runs, the live app must be one we would
 * deploy to: its buildpacks in the policy's order (else the very list
 * this build would run), no override, the required config vars set.
 * deploy_artifacts() checks again after the build, before releasing
 * (both with the config vars read once, before the build).
 */
static int check_app_first(const struct deploy_opts *d, struct gitwalk *w,
			   const struct build_opts *o)
{
	struct deploy_expect e = DEPLOY_EXPECT_INIT;
	struct heroku *h = NULL;
	int rc;

	rc = deploy_expect_load(&e, d->commit, NULL);
	if (rc < 0)
		goto out;
	if (!e.have_buildpacks) {
		rc = buildpack_list(&e.buildpacks, w, o);
		if (rc < 0)
			goto out;
		e.have_buildpacks = true;
	}
	rc = deploy_client(&h, d->t.cacert);
	if (rc < 0)
		goto out;
	term_say(d->t.quiet, "Checking Heroku app '%s' before the build",
		 d->t.app);
	rc = check_app(h, d, &e, &o->config->names);
out:
	heroku_free(h);
	deploy_expect_release(&e);
	return rc;
}

/*
 * Before minutes of building: are the credentials good (GET /account)
 * and does the app exist, on the Cedar generation (GET /apps/{app})?
 */
static int preflight(const struct deploy_opts *d)
{
	struct heroku_app app = HEROKU_APP_INIT;
	struct heroku *h = NULL;
	int rc;

	rc = deploy_client(&h, d->t.cacert);
	if (rc < 0)
		goto out;
	rc = heroku_call(h, NULL, "GET", "/account", NULL);
	if (rc < 0) {
		error_wrap(rc, "deploy: checking the Heroku credentials "
			       "before the build (HEROKU_API_KEY or ~/.netrc)");
		goto out;
	}
	rc = heroku_app_get(h, &app, d->t.app);
	if (rc < 0) {
		error_wrap(rc, "deploy: checking app '%s' before the build",
			   d->t.app);
		goto out;
	}
	rc = refuse_fir(d, &app);
out:
	heroku_app_release(&app);
	heroku_free(h);
	return rc;
}

/* Build the commit into a private temporary directory, then deploy it. */
static int build_and_deploy(long *version, const struct deploy_opts *d)
{
	struct build_opts o = BUILD_OPTS_INIT;
	struct build_result res = BUILD_RESULT_INIT;
	struct build_config bc = BUILD_CONFIG_INIT;
	struct heroku *h = NULL;
	struct gitwalk *w = NULL;
	struct strbuf tmp = STRBUF_INIT;
	char hex[GITWALK_HEXSZ + 1];
	bool made = false;
	int rc;

	rc = gitwalk_open(&w, NULL);
	if (rc < 0)
		goto out;
	/* The pushed tree first: local, cheap, and the most likely attack. */
	rc = gitwalk_resolve_commit(w, d->commit ? d->commit : "HEAD", hex);
	if (!rc)
		rc = gitwalk_check_tree(w, hex);
	if (rc < 0)
		goto out;
	rc = preflight(d);
	if (rc < 0)
		goto out;
	/* ENV_DIR as on Heroku: the app's config vars */
	rc = deploy_client(&h, d->t.cacert);
	if (!rc)
		rc = build_config_fetch(&bc, h, d->t.app);
	if (rc < 0)
		goto out;
	o.config = &bc;
	/* What killed deploys left behind (kill -9 skips every cleanup). */
	fs_tmpdir_sweep("slugguard-deploy", 24 * 3600);
	fs_tmpdir_sweep("slugguard-build", 24 * 3600);
	rc = fs_tmpdir_new(&tmp, "slugguard-deploy");
	if (rc < 0)
		goto out;
	made = true;
	o.commit = d->commit;
	o.app = d->t.app;
	o.out_dir = tmp.buf;
	o.key_path = d->t.key;
	o.quiet = d->t.quiet;
	rc = check_app_first(d, w, &o);
	if (rc < 0)
		goto out;
	term_say(d->t.quiet, "Building %s for '%s'",
		 d->commit ? d->commit : "HEAD", d->t.app);
	rc = buildpack_build(&res, w, &o);
	if (rc < 0)
		goto out;
	rc = deploy_artifacts(version, d, tmp.buf, &bc);
out:
	if (made)
		fs_tmpdir_remove(tmp.buf);
	build_result_release(&res);
	build_opts_release(&o);
	build_config_release(&bc);
	heroku_free(h);
	gitwalk_free(w);
	strbuf_release(&tmp);
	return rc;
}

int deploy_run(long *version, const struct deploy_opts *o)
{
	*version = 0;
	if (o->on_heroku)
		return deploy_heroku_build(version, o);
	if (o->build_dir)
		return deploy_artifacts(version, o, o->build_dir, NULL);
	return build_and_deploy(version, o);
}
