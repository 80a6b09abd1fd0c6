/* SPDX-License-Identifier: MIT */
/*
 * slugguard deploy --build-on heroku (deploy_run() with o->on_heroku, see
 * slugguard/deploy.h). What a local
 * build proves by being reproducible, a Heroku build proves by its
 * attestation: the slug Heroku built, from the source tarball we signed
 * for, by the build (id, buildpacks, stack) named in the statement
 * (heroku-attest.c).
 */
#include "slugguard/common.h"
#include "slugguard/buildpack.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/gitwalk.h"
#include "slugguard/heroku.h"
#include "slugguard/ledger.h"
#include "slugguard/mask.h"
#include "slugguard/policy.h"
#include "slugguard/strbuf.h"
#include "slugguard/term.h"
#include "deploy-internal.h"

#include <time.h>

#define LAST_LINES 20

/*
 * The one sink all build output goes through: every config var value
 * and the API key masked (src/mask: also their encoded forms, and a
 * value split across two reads of the stream), then split into lines,
 * control characters made harmless, printed (unless quiet) and the last
 * LAST_LINES kept for a failure.
 */
struct build_out {
	struct mask_stream *ms; /* NULL: nothing to mask */
	struct strbuf partial;
	char *last[LAST_LINES];
	size_t nr_last;
	bool print;
};

static void build_out_release(struct build_out *bo)
{
	mask_stream_free(bo->ms);
	bo->ms = NULL;
	strbuf_release(&bo->partial);
	for (size_t i = 0; i < LAST_LINES; i++) {
		free(bo->last[i]);
		bo->last[i] = NULL;
	}
	bo->nr_last = 0;
}

static void emit_line(struct build_out *bo, const char *buf, size_t len)
{
	struct strbuf clean = STRBUF_INIT;

	if (len && buf[len - 1] == '\r')
		len--;
	strbuf_add_sanitized(&clean, buf, len);
	if (bo->print) {
		fprintf(stderr, "%s\n", clean.buf);
		fflush(stderr);
	}
	free(bo->last[bo->nr_last % LAST_LINES]);
	bo->last[bo->nr_last % LAST_LINES] = strbuf_detach(&clean, NULL);
	bo->nr_last++;
}

/* Masked bytes into lines (a mask_write_fn). */
static int build_lines(const char *buf, size_t len, void *data)
{
	struct build_out *bo = data;
	size_t start = 0;

	strbuf_add(&bo->partial, buf, len);
	for (size_t i = 0; i < bo->partial.len; i++)
		if (bo->partial.buf[i] == '\n') {
			emit_line(bo, bo->partial.buf + start, i - start);
			start = i + 1;
		}
	if (start) {
		memmove(bo->partial.buf, bo->partial.buf + start,
			bo->partial.len - start);
		strbuf_setlen(&bo->partial, bo->partial.len - start);
	}
	/* A line without an end, larger than any build line: show it. */
	if (bo->partial.len > 64 * 1024) {
		emit_line(bo, bo->partial.buf, bo->partial.len);
		strbuf_reset(&bo->partial);
	}
	return 0;
}

static void build_sink(const char *buf, size_t len, void *data)
{
	struct build_out *bo = data;

	if (!bo->ms) {
		build_lines(buf, len, bo);
	} else if (mask_stream_write(bo->ms, buf, len) < 0) {
		/* Fail closed: a masker error shows nothing more. */
		error_clear();
		bo->print = false;
	}
}

static void build_out_flush(struct build_out *bo)
{
	if (bo->ms && mask_stream_close(bo->ms) < 0)
		error_clear();
	if (bo->partial.len)
		emit_line(bo, bo->partial.buf, bo->partial.len);
	strbuf_reset(&bo->partial);
}

/* The buildpacks to ask for: the policy's, else app.json/.buildpacks. */
static int pick_buildpacks(struct strvec *out, struct gitwalk *w,
			   const char *commit)
{
	struct deploy_expect e = DEPLOY_EXPECT_INIT;
	struct build_opts bo = BUILD_OPTS_INIT;
	int rc;

	rc = deploy_expect_load(&e, commit, NULL);
	if (rc < 0)
		goto out;
	if (e.have_buildpacks) {
		for (size_t i = 0; i < e.buildpacks.nr; i++)
			strvec_push(out, e.buildpacks.v[i]);
		goto out;
	}
	bo.commit = commit;
	rc = buildpack_list(out, w, &bo);
	if (rc == ERR_REJECTED) {
		/* None named anywhere: the app's own installations build. */
		error_clear();
		rc = 0;
	}
out:
	build_opts_release(&bo);
	deploy_expect_release(&e);
	return rc;
}

/* Cedar only, and every config var the policy requires is set. */
/* names: the app's config var names (read with the masker's values). */
static int check_app(struct heroku *h, const char *app, const char *commit,
		     const struct strvec *names)
{
	struct heroku_app a = HEROKU_APP_INIT;
	struct deploy_expect e = DEPLOY_EXPECT_INIT;
	struct strbuf report = STRBUF_INIT;
	int rc;

	rc = heroku_app_get(h, &a, app);
	if (rc < 0)
		goto out;
	if (heroku_app_is_fir(&a)) {
		rc = error_setc(ERR_REJECTED,
				"app '%s' is a Fir app (stack '%s'): it has no "
				"slugs, so slugguard cannot deploy it",
				app, a.stack ? a.stack : "cnb");
		goto out;
	}
	rc = deploy_expect_load(&e, commit, NULL);
	if (rc < 0)
		goto out;
	rc = deploy_config_diff(&report, &e, names, app);
	if (rc < 0) {
		fputs(report.buf, stderr);
		rc = error_setc(ERR_REJECTED,
				"refusing to deploy: required config vars are "
				"missing on '%s'",
				app);
	}
out:
	strbuf_release(&report);
	deploy_expect_release(&e);
	heroku_app_release(&a);
	return rc;
}

/* The build failed: its last lines (fetched again if none arrived). */
static int build_failed(struct heroku *h, struct build_out *bo,
			const struct heroku_build *b)
{
	size_t n = bo->nr_last < LAST_LINES ? bo->nr_last : LAST_LINES;

	if (!bo->nr_last && b->output_stream_url) {
		bo->print = false;
		if (heroku_build_output(h, b, 30000, build_sink, bo) < 0)
			error_clear();
		build_out_flush(bo);
		n = bo->nr_last < LAST_LINES ? bo->nr_last : LAST_LINES;
	}
	fprintf(stderr, "-----> Last lines of Heroku build %s:\n", b->id);
	for (size_t i = bo->nr_last - n; i < bo->nr_last; i++)
		fprintf(stderr, "       %s\n", bo->last[i % LAST_LINES]);
	return error_setc(ERR_REJECTED,
			  "Heroku build %s %s: nothing was released; the "
			  "previous release stays live",
			  b->id, b->status ? b->status : "has no status");
}

int deploy_heroku_build(long *version, const struct deploy_opts *o)
{
	struct gitwalk *w = NULL;
	struct heroku *h = NULL;
	struct buildpack_source src = BUILDPACK_SOURCE_INIT;
	struct heroku_source blob = HEROKU_SOURCE_INIT;
	struct heroku_build b = HEROKU_BUILD_INIT;
	struct heroku_slug slug = HEROKU_SLUG_INIT;
	struct heroku_release r = HEROKU_RELEASE_INIT;
	struct build_out bo = { NULL, STRBUF_INIT, { NULL }, 0, false };
	struct mask_set *mask = NULL;
	struct strvec bps = STRVEC_INIT, vars = STRVEC_INIT;
	struct strbuf tmp = STRBUF_INIT, tgz = STRBUF_INIT,
		      slug_path = STRBUF_INIT, att = STRBUF_INIT,
		      repo = STRBUF_INIT;
	struct ledger ledger = LEDGER_INIT;
	struct policy *pol = NULL;
	struct ledger_entry le, be;
	struct heroku_build_req req;
	struct deploy_attest_in in;
	const char *base = getenv("HEROKU_API_URL");
	const char *key_path = deploy_key_path(o->t.key);
	long timeout = o->build_timeout_ms > 0 ? o->build_timeout_ms :
						 DEPLOY_BUILD_TIMEOUT_MS;
	bool made = false, stream_ok = false;
	time_t started;
	int rc;

	memset(&le, 0, sizeof(le));
	memset(&be, 0, sizeof(be));
	memset(&req, 0, sizeof(req));
	memset(&in, 0, sizeof(in));
	bo.print = !o->t.quiet;
	rc = gitwalk_open(&w, NULL);
	if (rc < 0)
		goto out;
	if (!key_path) {
		/* As a local build: the governing policy's signing.key. */
		char hex[GITWALK_HEXSZ + 1];

		rc = gitwalk_resolve_commit(w, o->commit ? o->commit : "HEAD",
					    hex);
		if (rc < 0)
			goto out;
		if (policy_load_governing(&pol, w, hex) < 0)
			error_clear();
		key_path = pol ? pol->signing_key : NULL;
	}
	if (!key_path) {
		rc = error_setc(ERR_REJECTED,
				"refusing to deploy: no key to sign what "
				"Heroku builds (--key, SLUGGUARD_SIGNING_KEY "
				"or the policy's signing.key)");
		goto out;
	}
	/* What killed deploys left behind (kill -9 skips every cleanup). */
	fs_tmpdir_sweep("slugguard-hbuild", 24 * 3600);
	rc = fs_tmpdir_new(&tmp, "slugguard-hbuild");
	if (rc < 0)
		goto out;
	made = true;
	strbuf_addf(&tgz, "%s/source.tgz", tmp.buf);
	strbuf_addf(&slug_path, "%s/slug.tgz", tmp.buf);
	strbuf_addf(&att, "%s/slug.tgz.intoto.json", tmp.buf);
	/* The pushed tree first: local, cheap, and the likeliest attack. */
	rc = buildpack_source_tarball(&src, w, o->commit, tgz.buf);
	if (rc < 0)
		goto out;
	rc = pick_buildpacks(&bps, w, src.commit);
	if (rc < 0)
		goto out;
	if (gitwalk_remote_url(w, &repo) < 0) {
		error_clear();
		strbuf_reset(&repo);
		strbuf_addstr(&repo, gitwalk_commondir(w));
	}
	rc = deploy_client(&h, o->t.cacert);
	if (rc < 0)
		goto out;
	/* Everything the build could print that must not be shown; the
	 * names also serve the check (one GET of the config vars). */
	rc = deploy_mask_new(&mask, &vars, h, o->t.app);
	if (rc < 0)
		goto out;
	term_say(o->t.quiet, "Checking Heroku app '%s'", o->t.app);
	rc = check_app(h, o->t.app, src.commit, &vars);
	if (rc < 0)
		goto out;
	if (mask) {
		rc = mask_stream_new(&bo.ms, mask, build_lines, &bo);
		if (rc < 0)
			goto out;
	}
	rc = ledger_load(&ledger, NULL, o->t.app);
	if (rc < 0)
		goto out;
	rc = deploy_ledger_catch_up(&ledger, h, &o->t, key_path);
	if (rc < 0)
		goto out;
	term_say(o->t.quiet, "Uploading the source of %.12s (%llu bytes, %s)",
		 src.commit, (unsigned long long)src.size, src.checksum);
	rc = heroku_source_create(h, &blob, o->t.app);
	if (rc < 0)
		goto out;
	rc = heroku_blob_upload(h, blob.put_url, "PUT", tgz.buf,
				src.checksum + strlen("SHA256:"), NULL);
	if (rc < 0)
		goto out;
	req.source_url = blob.get_url;
	req.checksum = src.checksum;
	req.version = src.commit;
	req.description = src.summary;
	req.buildpacks = bps.v;
	req.nr_buildpacks = bps.nr;
	/*
	 * Heroku's build will make its release by itself: the ledger hears
	 * of the build first, so that a crash from the POST on leaves an
	 * entry the next deploy attests the slug from.
	 */
	deploy_build_entry_new(&be, &src, repo.buf,
			       o->commit ? o->commit : "HEAD", &bps);
	rc = ledger_record(&ledger, &be);
	if (rc < 0)
		goto out;
	started = time(NULL);
	rc = heroku_build_create(h, &b, o->t.app, &req);
	if (rc < 0)
		goto out;
	term_say(o->t.quiet, "Building on Heroku: build %s", b.id);
	rc = heroku_build_follow(h, &b, o->t.app,
				 deploy_env_ms("SLUGGUARD_BUILD_POLL_MS", 2000),
				 timeout, build_sink, &bo, &stream_ok);
	build_out_flush(&bo);
	if (rc < 0)
		goto out;
	if (!stream_ok)
		warning("the output stream of build %s broke off; its status "
			"decides",
			b.id);
	if (!b.status || strcmp(b.status, "succeeded")) {
		deploy_build_entry_end(&ledger, &be, &b, LEDGER_ABANDONED);
		rc = build_failed(h, &bo, &b);
		goto out;
	}
	if (!b.slug_id || !b.release_id) {
		rc = error_set("Heroku build %s succeeded without a %s", b.id,
			       b.slug_id ? "release" : "slug");
		goto out;
	}
	in.app = o->t.app;
	in.api_base = base && *base ? base : HEROKU_DEFAULT_URL;
	in.repo = repo.buf;
	in.ref = o->commit ? o->commit : "HEAD";
	in.src = &src;
	in.build = &b;
	in.requested = &bps;
	in.started = started;
	rc = deploy_attest_slug(h, &slug, &in, tmp.buf, key_path, o->t.quiet);
	if (rc < 0)
		goto out;
	/*
	 * Heroku's build has made its release already: record the slug as
	 * pending and the build entry complete in one write, so that a crash
	 * from here on leaves an entry the next deploy or `releases`
	 * completes from the live releases.
	 */
	le.slug_id = xstrdup(slug.id);
	le.checksum = xstrdup(slug.checksum);
	le.commit = xstrdup(src.commit);
	deploy_build_entry_done(&be, &b, LEDGER_COMPLETE);
	rc = deploy_ledger_pending(&ledger, &le, att.buf, key_path, &be);
	if (rc < 0)
		goto out;
	rc = heroku_release_get(h, &r, o->t.app, b.release_id);
	if (rc < 0)
		goto out;
	*version = r.version;
	rc = deploy_release_finish(h, &r, &o->t, mask, &ledger, &le);
out:
	if (made)
		fs_tmpdir_remove(tmp.buf);
	ledger_entry_release(&be);
	ledger_entry_release(&le);
	ledger_release(&ledger);
	heroku_release_release(&r);
	heroku_slug_release(&slug);
	heroku_build_release(&b);
	heroku_source_release(&blob);
	buildpack_source_release(&src);
	build_out_release(&bo);
	deploy_mask_error(mask, rc);
	mask_set_free(mask);
	strvec_clear(&bps);
	strvec_clear(&vars);
	strbuf_release(&repo);
	strbuf_release(&att);
	strbuf_release(&slug_path);
	strbuf_release(&tgz);
	strbuf_release(&tmp);
	heroku_free(h);
	policy_free(pol);
	gitwalk_free(w);
	return rc;
}
