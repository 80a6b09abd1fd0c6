/* SPDX-License-Identifier: MIT */
/*
 * slugguard deploy --build-on heroku (deploy_run() with o->on_heroku, see
 * slugguard/deploy.h). What a local
 * build proves by being reproducible, a Heroku build proves by its
 * attestation: the slug Heroku built, from the source tarball we signed
 * for, by the build (id, buildpacks, stack) named in the statement.
 */
#include "slugguard/common.h"
#include "slugguard/buildpack.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/gitwalk.h"
#include "slugguard/heroku.h"
#include "slugguard/json.h"
#include "slugguard/ledger.h"
#include "slugguard/mask.h"
#include "slugguard/policy.h"
#include "slugguard/sign.h"
#include "slugguard/slug.h"
#include "slugguard/strbuf.h"
#include "slugguard/term.h"
#include "deploy-internal.h"

#include <time.h>

#define BUILD_TIMEOUT_MS (30L * 60 * 1000) /* Heroku's 25 min, and slack */
#define LAST_LINES 20
#define HEROKU_BUILDER_ID "https://slugguard.dev/builders/heroku-build@v1"
#define HEROKU_BUILD_TYPE "https://slugguard.dev/buildtypes/heroku-build/v1"

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

static void rfc3339(char buf[32], time_t t)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		buf[0] = '\0';
}

struct attest_in {
	const char *app;
	const char *api_base;
	const char *repo; /* the source repository's URL or path */
	const char *ref;
	const struct buildpack_source *src;
	const struct heroku_build *build;
	const char *slug_id;
	const char *slug_hex;
	const struct strvec *requested; /* the buildpacks we asked for */
	time_t started, finished;
};

/*
 * An in-toto Statement v1 with a SLSA Provenance v1 predicate: the
 * subject is the slug Heroku built; the materials are the commit and the
 * source tarball (by digest: its URL is a secret); the builder is the
 * Heroku build, named by its API URL, with its buildpacks and stack.
 */
static struct json *statement(const struct attest_in *in)
{
	struct json *root = json_new_object();
	struct json *subj, *one, *pred, *def, *ext, *src, *bps, *deps, *dep;
	struct json *run, *builder, *ver, *meta, *by, *ann, *list;
	struct strbuf sb = STRBUF_INIT;
	char when[32];

	json_add_string(root, "_type", "https://in-toto.io/Statement/v1");
	subj = json_add(root, "subject", json_new_array());
	one = json_push(subj, json_new_object());
	json_add_string(one, "name", "slug.tgz");
	json_add_string(json_add(one, "digest", json_new_object()), "sha256",
			in->slug_hex);
	json_add_string(root, "predicateType",
			"https://slsa.dev/provenance/v1");
	pred = json_add(root, "predicate", json_new_object());

	def = json_add(pred, "buildDefinition", json_new_object());
	json_add_string(def, "buildType", HEROKU_BUILD_TYPE);
	ext = json_add(def, "externalParameters", json_new_object());
	src = json_add(ext, "source", json_new_object());
	json_add_string(src, "repository", in->repo);
	json_add_string(src, "ref", in->ref);
	bps = json_add(ext, "buildpacks", json_new_array());
	for (size_t i = 0; i < in->requested->nr; i++)
		json_push(bps, json_new_string(in->requested->v[i]));
	json_add_string(ext, "app", in->app);

	deps = json_add(def, "resolvedDependencies", json_new_array());
	dep = json_push(deps, json_new_object());
	json_add_string(dep, "name", "source");
	strbuf_addf(&sb, "git+%s@%s", in->repo, in->ref);
	json_add_string(dep, "uri", sb.buf);
	json_add_string(json_add(dep, "digest", json_new_object()), "gitCommit",
			in->src->commit);
	dep = json_push(deps, json_new_object());
	json_add_string(dep, "name", "source.tgz");
	json_add_string(json_add(dep, "digest", json_new_object()), "sha256",
			in->src->checksum + strlen("SHA256:"));
	ann = json_add(dep, "annotations", json_new_object());
	json_add_string(ann, "layout", SLUG_SOURCE_PREFIX);
	json_add_number(ann, "size", (double)in->src->size);

	run = json_add(pred, "runDetails", json_new_object());
	builder = json_add(run, "builder", json_new_object());
	json_add_string(builder, "id", HEROKU_BUILDER_ID);
	ver = json_add(builder, "version", json_new_object());
	json_add_string(ver, "slugguard", SLUGGUARD_VERSION);
	if (in->build->stack)
		json_add_string(ver, "stack", in->build->stack);
	meta = json_add(run, "metadata", json_new_object());
	json_add_string(meta, "invocationId", in->build->id);
	rfc3339(when, in->started);
	json_add_string(meta, "startedOn", when);
	rfc3339(when, in->finished);
	json_add_string(meta, "finishedOn", when);
	by = json_add(run, "byproducts", json_new_array());
	one = json_push(by, json_new_object());
	json_add_string(one, "name", "heroku-build");
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s/apps/", in->api_base);
	heroku_path_escape(&sb, in->app);
	strbuf_addstr(&sb, "/builds/");
	heroku_path_escape(&sb, in->build->id);
	json_add_string(one, "uri", sb.buf);
	ann = json_add(one, "annotations", json_new_object());
	json_add_string(ann, "id", in->build->id);
	json_add_string(ann, "status", in->build->status);
	json_add_string(ann, "stack", in->build->stack ? in->build->stack : "");
	json_add_string(ann, "slug", in->slug_id);
	list = json_add(ann, "buildpacks", json_new_array());
	for (size_t i = 0; i < in->build->buildpacks.nr; i++)
		json_push(list, json_new_string(in->build->buildpacks.v[i]));
	strbuf_release(&sb);
	return root;
}

static int sign_statement(const char *path, const struct attest_in *in,
			  const char *key_path)
{
	struct json *stmt = statement(in);
	struct strbuf env = STRBUF_INIT, bundle = STRBUF_INIT;
	struct sign_key *key = NULL;
	char *body = json_print(stmt, false);
	int rc;

	rc = sign_key_load_private(&key, key_path);
	if (rc < 0)
		goto out;
	rc = sign_dsse_envelope(&env, &bundle, key, SIGN_INTOTO_PAYLOAD_TYPE,
				body, strlen(body));
	if (rc < 0)
		goto out;
	strbuf_addch(&env, '\n');
	rc = fs_write_atomic(path, env.buf, env.len, 0644);
out:
	sign_key_free(key);
	free(body);
	json_free(stmt);
	strbuf_release(&env);
	strbuf_release(&bundle);
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
	struct ledger_entry le;
	struct heroku_build_req req;
	struct attest_in in;
	const char *base = getenv("HEROKU_API_URL");
	const char *key_path = deploy_key_path(o->t.key);
	long timeout = o->build_timeout_ms > 0 ? o->build_timeout_ms :
						 BUILD_TIMEOUT_MS;
	long long got = 0;
	bool made = false, stream_ok = false;
	time_t started;
	int rc;

	memset(&le, 0, sizeof(le));
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
		rc = build_failed(h, &bo, &b);
		goto out;
	}
	if (!b.slug_id || !b.release_id) {
		rc = error_set("Heroku build %s succeeded without a %s", b.id,
			       b.slug_id ? "release" : "slug");
		goto out;
	}
	rc = heroku_slug_get(h, &slug, o->t.app, b.slug_id);
	if (rc < 0)
		goto out;
	if (!slug.checksum || !starts_with(slug.checksum, "SHA256:") ||
	    strlen(slug.checksum) != 7 + HEROKU_SHA256_HEX || !slug.blob_url) {
		rc = error_setc(ERR_REJECTED,
				"slug %s of build %s has no SHA256 checksum or "
				"no download URL: cannot attest it",
				b.slug_id, b.id);
		goto out;
	}
	term_say(o->t.quiet, "Checking slug %s (%s)", slug.id, slug.checksum);
	rc = heroku_blob_download(h, slug.blob_url, slug_path.buf,
				  SLUG_DEFAULT_MAX_SIZE, slug.checksum + 7,
				  &got);
	if (rc < 0)
		goto out;
	if (slug.size >= 0 && slug.size != got) {
		rc = error_setc(ERR_REJECTED,
				"slug %s has %lld bytes, %lld were downloaded",
				slug.id, slug.size, got);
		goto out;
	}
	in.app = o->t.app;
	in.api_base = base && *base ? base : HEROKU_DEFAULT_URL;
	in.repo = repo.buf;
	in.ref = o->commit ? o->commit : "HEAD";
	in.src = &src;
	in.build = &b;
	in.slug_id = slug.id;
	in.slug_hex = slug.checksum + 7;
	in.requested = &bps;
	in.started = started;
	in.finished = time(NULL);
	rc = sign_statement(att.buf, &in, key_path);
	if (rc < 0)
		goto out;
	/*
	 * Heroku's build has made its release already: record it as pending
	 * now, so that a crash from here on leaves an entry the next deploy
	 * or `releases` completes from the live releases.
	 */
	rc = ledger_load(&ledger, NULL, o->t.app);
	if (rc < 0)
		goto out;
	le.slug_id = xstrdup(slug.id);
	le.checksum = xstrdup(slug.checksum);
	le.commit = xstrdup(src.commit);
	rc = deploy_ledger_pending(&ledger, &le, att.buf, key_path);
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
