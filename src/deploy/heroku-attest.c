/* SPDX-License-Identifier: MIT */
/*
 * What a Heroku build is attested by: the in-toto statement over the slug
 * it made, and the ledger's build entry that lets a later deploy attest
 * that slug when the deploy that started the build died (see
 * LEDGER_KIND_BUILD in slugguard/ledger.h and deploy-internal.h).
 */
#include "slugguard/common.h"
#include "slugguard/buildpack.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/gitwalk.h"
#include "slugguard/heroku.h"
#include "slugguard/json.h"
#include "slugguard/ledger.h"
#include "slugguard/sign.h"
#include "slugguard/slug.h"
#include "slugguard/strbuf.h"
#include "slugguard/term.h"
#include "slugguard/utc.h"
#include "deploy-internal.h"

#include <time.h>
#include <unistd.h>

#define HEROKU_BUILDER_ID "https://slugguard.dev/builders/heroku-build@v1"
#define HEROKU_BUILD_TYPE "https://slugguard.dev/buildtypes/heroku-build/v1"
/*
 * A build entry with no build at Heroku is abandoned only when older than
 * this: a younger one may be a deploy between its record and its POST.
 */
#define ORPHAN_AGE (10 * 60)

/*
 * An in-toto Statement v1 with a SLSA Provenance v1 predicate: the
 * subject is the slug Heroku built; the materials are the commit and the
 * source tarball (by digest: its URL is a secret); the builder is the
 * Heroku build, named by its API URL, with its buildpacks and stack.
 */
static struct json *statement(const struct deploy_attest_in *in)
{
	struct sign_slsa s = { 0 };
	struct json *root, *one, *dep, *by, *ann, *list, *bps;
	struct strbuf sb = STRBUF_INIT;

	s.subject = "slug.tgz";
	s.sha256 = in->slug_hex;
	s.build_type = HEROKU_BUILD_TYPE;
	s.builder_id = HEROKU_BUILDER_ID;
	s.repo = in->repo;
	s.ref = in->ref;
	s.commit = in->src->commit;
	s.invocation = in->build->id;
	s.started = in->started;
	s.finished = in->finished;
	root = sign_slsa_statement(&s);

	bps = json_add(s.ext, "buildpacks", json_new_array());
	for (size_t i = 0; i < in->requested->nr; i++)
		json_push(bps, json_new_string(in->requested->v[i]));
	json_add_string(s.ext, "app", in->app);
	dep = json_push(s.deps, json_new_object());
	json_add_string(dep, "name", "source.tgz");
	json_add_string(json_add(dep, "digest", json_new_object()), "sha256",
			in->src->checksum + strlen("SHA256:"));
	ann = json_add(dep, "annotations", json_new_object());
	json_add_string(ann, "layout", SLUG_SOURCE_PREFIX);
	json_add_number(ann, "size", (double)in->src->size);
	if (in->build->stack)
		json_add_string(s.version, "stack", in->build->stack);
	by = json_add(s.run, "byproducts", json_new_array());
	one = json_push(by, json_new_object());
	json_add_string(one, "name", "heroku-build");
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

static int sign_statement(const char *path, const struct deploy_attest_in *in,
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

/*
 * Download the slug build in->build made and sign a statement for it into
 * dir/slug.tgz.intoto.json (the slug itself at dir/slug.tgz). *slug gets
 * the slug's metadata. in->slug_id, in->slug_hex and in->finished are set
 * here.
 */
int deploy_attest_slug(struct heroku *h, struct heroku_slug *slug,
		       struct deploy_attest_in *in, const char *dir,
		       const char *key_path, bool quiet)
{
	const struct heroku_build *b = in->build;
	struct strbuf path = STRBUF_INIT, att = STRBUF_INIT;
	long long got = 0;
	int rc;

	strbuf_addf(&path, "%s/slug.tgz", dir);
	strbuf_addf(&att, "%s/slug.tgz.intoto.json", dir);
	rc = heroku_slug_get(h, slug, in->app, b->slug_id);
	if (rc < 0)
		goto out;
	if (!slug->checksum || !starts_with(slug->checksum, "SHA256:") ||
	    strlen(slug->checksum) != 7 + HEROKU_SHA256_HEX ||
	    !slug->blob_url) {
		rc = error_setc(ERR_REJECTED,
				"slug %s of build %s has no SHA256 checksum or "
				"no download URL: cannot attest it",
				b->slug_id, b->id);
		goto out;
	}
	term_say(quiet, "Checking slug %s (%s)", slug->id, slug->checksum);
	rc = heroku_blob_download(h, slug->blob_url, path.buf,
				  SLUG_DEFAULT_MAX_SIZE, slug->checksum + 7,
				  &got);
	if (rc < 0)
		goto out;
	if (slug->size >= 0 && slug->size != got) {
		rc = error_setc(ERR_REJECTED,
				"slug %s has %lld bytes, %lld were downloaded",
				slug->id, slug->size, got);
		goto out;
	}
	in->slug_id = slug->id;
	in->slug_hex = slug->checksum + 7;
	in->finished = time(NULL);
	rc = sign_statement(att.buf, in, key_path);
out:
	strbuf_release(&att);
	strbuf_release(&path);
	return rc;
}

/*
 * The build entry of this deploy, written before the build is asked for
 * (see LEDGER_KIND_BUILD): everything the statement needs, so that a
 * later deploy can attest the slug if this one dies.
 */
void deploy_build_entry_new(struct ledger_entry *be,
			    const struct buildpack_source *src,
			    const char *repo, const char *ref,
			    const struct strvec *bps)
{
	struct strbuf key = STRBUF_INIT;

	strbuf_addf(&key, "build-%lld-%.16s-%ld", (long long)time(NULL),
		    src->checksum + 7, (long)getpid());
	memset(be, 0, sizeof(*be));
	be->slug_id = strbuf_detach(&key, NULL);
	be->kind = xstrdup(LEDGER_KIND_BUILD);
	be->state = xstrdup(LEDGER_PENDING);
	be->commit = xstrdup(src->commit);
	be->source_checksum = xstrdup(src->checksum);
	be->source_size = (long long)src->size;
	be->repo = xstrdup(repo);
	be->ref = xstrdup(ref);
	for (size_t i = 0; i < bps->nr; i++)
		strvec_push(&be->buildpacks, bps->v[i]);
}

/* Its end: state, and the build, slug and release it became. */
void deploy_build_entry_done(struct ledger_entry *be,
			     const struct heroku_build *b, const char *state)
{
	free(be->state);
	be->state = xstrdup(state);
	free(be->build_id);
	be->build_id = b && b->id ? xstrdup(b->id) : NULL;
	free(be->release_id);
	be->release_id = b && b->release_id ? xstrdup(b->release_id) : NULL;
	free(be->checksum);
	be->checksum = NULL;
	free(be->time);
	be->time = NULL;
}

/* Record be as it ends; a failure is a warning (catch-up ends it too). */
void deploy_build_entry_end(struct ledger *l, struct ledger_entry *be,
			    const struct heroku_build *b, const char *state)
{
	if (!be->slug_id)
		return;
	deploy_build_entry_done(be, b, state);
	if (ledger_record(l, be) < 0) {
		warning("%s", error_last());
		error_clear();
	}
}

bool deploy_builds_open(const struct ledger *l)
{
	for (size_t i = 0; i < l->nr; i++)
		if (l->entries[i].kind &&
		    !strcmp(l->entries[i].state, LEDGER_PENDING))
			return true;
	return false;
}

static bool build_matches(const struct heroku_build *b,
			  const struct ledger_entry *be)
{
	if (be->build_id)
		return b->id && !strcmp(b->id, be->build_id);
	return b->checksum && b->version && be->commit &&
	       !strcmp(b->checksum, be->source_checksum) &&
	       !strcmp(b->version, be->commit);
}

bool deploy_build_pending_why(struct strbuf *why, const struct ledger *l,
			      const struct heroku_build *builds, size_t nr,
			      const char *release_id)
{
	for (size_t k = 0; release_id && k < nr; k++) {
		if (!builds[k].release_id ||
		    strcmp(builds[k].release_id, release_id))
			continue;
		for (size_t i = 0; i < l->nr; i++) {
			const struct ledger_entry *be = &l->entries[i];

			if (!be->kind || strcmp(be->state, LEDGER_PENDING) ||
			    !build_matches(&builds[k], be))
				continue;
			strbuf_addf(why,
				    "pending attestation: Heroku build %s of "
				    "%.12s was started by a slugguard deploy "
				    "that did not finish; the next `slugguard "
				    "deploy` with the signing key attests it",
				    builds[k].id, be->commit);
			return true;
		}
	}
	return false;
}

/*
 * The source tarball of the entry's commit, packed again here (it is
 * reproducible) and required to be the one the entry names: the ledger
 * is fetched from a remote anyone who can push may write, so what our
 * key signs about the source comes from the repository, not from the
 * entry. Its file goes into dir.
 */
static int source_of(struct buildpack_source *src,
		     const struct ledger_entry *be, const char *dir)
{
	struct gitwalk *w = NULL;
	struct strbuf path = STRBUF_INIT;
	int rc;

	strbuf_addf(&path, "%s/source.tgz", dir);
	rc = gitwalk_open(&w, NULL);
	if (!rc)
		rc = buildpack_source_tarball(src, w, be->commit, path.buf);
	if (rc < 0) {
		error_wrap(rc,
			   "cannot attest the build of %.12s: its commit "
			   "is not readable here",
			   be->commit);
		goto out;
	}
	if (strcmp(src->checksum, be->source_checksum)) {
		rc = error_setc(ERR_REJECTED,
				"ledger build entry %s says the source of "
				"%.12s is %.23s..., but it packs to %.23s...: "
				"not attested",
				be->slug_id, be->commit, be->source_checksum,
				src->checksum);
		buildpack_source_release(src);
	}
out:
	gitwalk_free(w);
	strbuf_release(&path);
	return rc;
}

/*
 * One open build entry: find the builds it started (by source checksum
 * and commit), wait for one still running, attest each succeeded one
 * whose slug has no entry, and end the entry. 0, or an error the caller
 * turns into a warning (the entry stays pending and is tried again).
 */
static int catch_up_build(struct ledger *l, struct heroku *h,
			  const struct deploy_target *t, const char *key_path,
			  struct ledger_entry *be,
			  const struct heroku_build *list, size_t nr)
{
	struct heroku_build cur = HEROKU_BUILD_INIT, ok = HEROKU_BUILD_INIT;
	struct heroku_slug slug = HEROKU_SLUG_INIT;
	struct buildpack_source src = BUILDPACK_SOURCE_INIT;
	struct strbuf tmp = STRBUF_INIT, att = STRBUF_INIT;
	struct ledger_entry le;
	struct deploy_attest_in in;
	const char *base = getenv("HEROKU_API_URL");
	bool running = false, any = false;
	time_t age = time(NULL) - utc_iso_parse(be->time);
	int rc = 0;

	memset(&le, 0, sizeof(le));
	memset(&in, 0, sizeof(in));
	for (size_t k = 0; k < nr; k++) {
		if (!build_matches(&list[k], be))
			continue;
		any = true;
		heroku_build_release(&cur);
		rc = heroku_build_get(h, &cur, t->app, list[k].id);
		if (rc < 0)
			goto out;
		if (!cur.status || !strcmp(cur.status, "pending")) {
			term_say(
				t->quiet,
				"Waiting for Heroku build %s of %.12s, started "
				"by a deploy that did not finish",
				cur.id, be->commit);
			rc = heroku_build_follow(
				h, &cur, t->app,
				deploy_env_ms("SLUGGUARD_BUILD_POLL_MS", 2000),
				DEPLOY_BUILD_TIMEOUT_MS, NULL, NULL, NULL);
			if (rc < 0) {
				running = true;
				warning("%s", error_last());
				error_clear();
				rc = 0;
				continue;
			}
		}
		if (!cur.status || strcmp(cur.status, "succeeded") ||
		    !cur.slug_id)
			continue;
		if (ledger_find_slug(l, cur.slug_id)) {
			/* its own deploy attested it */
			heroku_build_release(&ok);
			ok = cur;
			memset(&cur, 0, sizeof(cur));
			continue;
		}
		term_say(t->quiet,
			 "Attesting slug %s of Heroku build %s (commit %.12s), "
			 "left unrecorded by a deploy that did not finish",
			 cur.slug_id, cur.id, be->commit);
		rc = fs_tmpdir_new(&tmp, "slugguard-hbuild");
		if (rc < 0)
			goto out;
		if (!src.size) {
			rc = source_of(&src, be, tmp.buf);
			if (rc < 0) {
				fs_tmpdir_remove(tmp.buf);
				goto out;
			}
		}
		in.app = t->app;
		in.api_base = base && *base ? base : HEROKU_DEFAULT_URL;
		in.repo = be->repo ? be->repo : "";
		in.ref = be->ref ? be->ref : be->commit;
		in.src = &src;
		in.build = &cur;
		in.requested = &be->buildpacks;
		in.started = utc_iso_parse(be->time);
		heroku_slug_release(&slug);
		rc = deploy_attest_slug(h, &slug, &in, tmp.buf, key_path,
					t->quiet);
		if (!rc) {
			strbuf_reset(&att);
			strbuf_addf(&att, "%s/slug.tgz.intoto.json", tmp.buf);
			ledger_entry_release(&le);
			le.slug_id = xstrdup(slug.id);
			le.checksum = xstrdup(slug.checksum);
			le.commit = xstrdup(be->commit);
			deploy_build_entry_done(be, &cur, LEDGER_COMPLETE);
			rc = deploy_ledger_pending(l, &le, att.buf, key_path,
						   be);
		}
		fs_tmpdir_remove(tmp.buf);
		strbuf_reset(&tmp);
		if (rc < 0)
			goto out;
		heroku_build_release(&ok);
		ok = cur;
		memset(&cur, 0, sizeof(cur));
	}
	if (running)
		goto out;
	if (ok.id) {
		/* attesting it recorded the entry complete already */
		if (strcmp(be->state, LEDGER_COMPLETE))
			deploy_build_entry_end(l, be, &ok, LEDGER_COMPLETE);
	} else if (any || age > ORPHAN_AGE) {
		/*
		 * The build failed, or never reached Heroku. An entry younger
		 * than ORPHAN_AGE with no build may be a deploy between its
		 * record and its POST right now: left alone.
		 */
		deploy_build_entry_end(l, be, NULL, LEDGER_ABANDONED);
	}
out:
	heroku_build_release(&ok);
	ledger_entry_release(&le);
	heroku_slug_release(&slug);
	heroku_build_release(&cur);
	buildpack_source_release(&src);
	strbuf_release(&att);
	strbuf_release(&tmp);
	return rc;
}

int deploy_builds_catch_up(struct ledger *l, struct heroku *h,
			   const struct deploy_target *t, const char *key_path)
{
	struct heroku_build *list = NULL;
	size_t nr = 0;
	int rc;

	if (!deploy_builds_open(l))
		return 0;
	if (!key_path) {
		warning("a Heroku build a deploy did not finish is not "
			"attested yet: it needs the signing key");
		return 0;
	}
	rc = heroku_builds_list(h, &list, &nr, t->app);
	if (rc < 0)
		goto out;
	/* By index: recording an entry may grow l->entries. */
	for (size_t i = 0; i < l->nr; i++) {
		struct ledger_entry be;

		if (!l->entries[i].kind ||
		    strcmp(l->entries[i].state, LEDGER_PENDING))
			continue;
		memset(&be, 0, sizeof(be));
		ledger_entry_copy(&be, &l->entries[i]);
		if (catch_up_build(l, h, t, key_path, &be, list, nr) < 0) {
			warning("%s", error_last());
			error_clear();
		}
		ledger_entry_release(&be);
	}
out:
	heroku_builds_free(list, nr);
	if (rc < 0) {
		warning("%s", error_last());
		error_clear();
	}
	return 0;
}
