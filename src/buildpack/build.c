/* SPDX-License-Identifier: MIT */
/*
 * The build pipeline: export, buildpacks (step.c), pack, attest. See
 * buildpack.h.
 */
#include "slugguard/common.h"
#include "slugguard/buildpack.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/json.h"
#include "slugguard/mask.h"
#include "slugguard/run.h"
#include "slugguard/sign.h"
#include "slugguard/slug.h"
#include "slugguard/term.h"
#include "buildpack-internal.h"

#include <dirent.h>
#include <limits.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SMALL_FILE_MAX (1024 * 1024)

void build_opts_release(struct build_opts *o)
{
	strvec_clear(&o->buildpacks);
}

void build_result_release(struct build_result *r)
{
	free(r->slug_path);
	free(r->intoto_path);
	free(r->sigstore_path);
	free(r->release_path);
	free(r->stack);
	free(r->description);
	for (size_t i = 0; i < r->nr_procs; i++) {
		free(r->procs[i].name);
		free(r->procs[i].command);
	}
	free(r->procs);
	memset(r, 0, sizeof(*r));
}

static bool filter_ignored(const char *path, bool is_dir, void *data)
{
	return slug_ignore_match(data, path, is_dir);
}

/* Buildpack list: options, else app.json, else .buildpacks. */
static int read_buildpack_list(struct strvec *out, struct gitwalk *w,
			       const char *hex, const struct build_opts *o)
{
	struct strbuf sb = STRBUF_INIT;
	struct json *root = NULL;
	const struct json *arr;
	int rc;

	if (o->buildpacks.nr) {
		strvec_pushv(out, o->buildpacks.v);
		return 0;
	}
	rc = gitwalk_read_path(w, hex, "app.json", &sb, SMALL_FILE_MAX);
	if (!rc) {
		rc = json_parse(&root, sb.buf, sb.len, "app.json");
		if (rc < 0)
			goto out;
		arr = json_get(root, "buildpacks");
		for (size_t i = 0; i < json_array_size(arr); i++) {
			const char *url =
				json_get_string(json_array_at(arr, i), "url");

			if (!url) {
				rc = error_set("app.json: buildpacks[%zu] has "
					       "no url",
					       i);
				goto out;
			}
			strvec_push(out, url);
		}
		if (out->nr)
			goto out;
	} else if (rc != ERR_NOTFOUND) {
		goto out;
	}
	strbuf_reset(&sb);
	rc = gitwalk_read_path(w, hex, ".buildpacks", &sb, SMALL_FILE_MAX);
	if (rc == ERR_NOTFOUND) {
		error_clear();
		rc = buildpack_policy_buildpacks(out, w, hex);
		if (rc < 0 || out->nr)
			goto out;
		rc = error_setc(ERR_REJECTED,
				"no buildpacks: pass --buildpack, or list them "
				"in app.json, .buildpacks or slugguard.json");
		goto out;
	}
	if (rc < 0)
		goto out;
	for (char *line = sb.buf; line && *line;) {
		char *nl = strchr(line, '\n');
		struct strbuf one = STRBUF_INIT;

		strbuf_add(&one, line, nl ? (size_t)(nl - line) : strlen(line));
		strbuf_trim(&one);
		if (one.len && one.buf[0] != '#')
			strvec_push(out, one.buf);
		strbuf_release(&one);
		line = nl ? nl + 1 : NULL;
	}
	rc = out->nr ? 0 :
		       error_setc(ERR_REJECTED, "'.buildpacks' lists nothing");
out:
	json_free(root);
	strbuf_release(&sb);
	return rc;
}

int buildpack_list(struct strvec *out, struct gitwalk *w,
		   const struct build_opts *o)
{
	char hex[GITWALK_HEXSZ + 1];
	int rc;

	rc = gitwalk_resolve_commit(w, o->commit ? o->commit : "HEAD", hex);
	if (rc < 0)
		return rc;
	return read_buildpack_list(out, w, hex, o);
}

/* Procfile entries override the buildpack's defaults of the same name. */
static int merge_procfile(struct build_state *st, struct build_result *r)
{
	struct strvec names = STRVEC_INIT, cmds = STRVEC_INIT;
	struct strbuf sb = STRBUF_INIT, path = STRBUF_INIT;
	int rc;

	strbuf_addf(&path, "%s/Procfile", st->build_dir);
	rc = fs_read_capped(&sb, path.buf, SMALL_FILE_MAX);
	if (rc == ERR_NOTFOUND) {
		rc = 0;
	} else if (rc < 0) {
		goto out;
	} else {
		rc = buildpack_parse_procfile(&names, &cmds, sb.buf, sb.len);
		if (rc < 0)
			goto out;
	}
	r->procs = xcalloc(st->proc_names.nr + names.nr + 1, sizeof(*r->procs));
	for (size_t i = 0; i < names.nr; i++) {
		r->procs[r->nr_procs].name = xstrdup(names.v[i]);
		r->procs[r->nr_procs++].command = xstrdup(cmds.v[i]);
	}
	for (size_t i = 0; i < st->proc_names.nr; i++) {
		bool dup = false;

		for (size_t j = 0; j < names.nr; j++)
			dup |= !strcmp(names.v[j], st->proc_names.v[i]);
		if (dup)
			continue;
		r->procs[r->nr_procs].name = xstrdup(st->proc_names.v[i]);
		r->procs[r->nr_procs++].command = xstrdup(st->proc_cmds.v[i]);
	}
out:
	strvec_clear(&names);
	strvec_clear(&cmds);
	strbuf_release(&sb);
	strbuf_release(&path);
	return rc;
}

static void base_env(struct strvec *env, const struct build_state *st,
		     const struct build_opts *o)
{
	const char *path = getenv("PATH");
	const char *tmp = getenv("TMPDIR");
	const char *lang = getenv("LANG");

	strvec_pushf(env, "PATH=%s",
		     path ? path : "/usr/local/bin:/usr/bin:/bin");
	/*
	 * Heroku's HOME is /app, which is not BUILD_DIR during a build: what
	 * a buildpack writes there stays out of the slug. A scratch
	 * directory beside the build tree plays that part here.
	 */
	strvec_pushf(env, "HOME=%s/home", st->work.buf);
	strvec_pushf(env, "LANG=%s", lang ? lang : "C.UTF-8");
	strvec_pushf(env, "STACK=%s", st->stack);
	strvec_pushf(env, "SOURCE_VERSION=%s", st->commit);
	strvec_push(env, "DYNO=build.1");
	strvec_pushf(env, "REQUEST_ID=slugguard-%.12s", st->commit);
	strvec_push(env, "BUILDPACK_LOG_FILE=/dev/null");
	if (tmp)
		strvec_pushf(env, "TMPDIR=%s", tmp);
	if (o->app)
		strvec_pushf(env, "SLUGGUARD_APP=%s", o->app);
}

static int64_t source_date(struct gitwalk *w, const char *hex)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	int64_t t = 0;
	long v;

	if (s && *s && !parse_long(&v, s, 0, LONG_MAX))
		return (int64_t)v;
	if (s && *s)
		warning("ignoring invalid SOURCE_DATE_EPOCH");
	if (gitwalk_commit_time(w, hex, &t) < 0)
		t = 0;
	return t;
}

static int write_release_json(struct build_state *st, struct build_result *r,
			      const struct build_opts *o)
{
	struct json *root = json_new_object(), *pt, *bps;
	struct strbuf sb = STRBUF_INIT;
	char *text = NULL;
	int rc;

	pt = json_add(root, "process_types", json_new_object());
	for (size_t i = 0; i < r->nr_procs; i++)
		json_add_string(pt, r->procs[i].name, r->procs[i].command);
	json_add_string(root, "checksum", r->checksum);
	json_add_string(root, "stack", r->stack);
	json_add_string(root, "commit", r->commit);
	json_add_string(root, "commit_description", st->summary.buf);
	json_add_string(root, "buildpack_provided_description", r->description);
	bps = json_add(root, "buildpacks", json_new_array());
	for (size_t i = 0; i < st->nr_bps; i++)
		json_push(bps, json_new_string(st->bps[i].url));
	if (o->app)
		json_add_string(root, "app", o->app);
	else
		json_add_null(root, "app");
	json_add_number(root, "size", (double)r->size);
	if (r->intoto_path)
		json_add_string(root, "attestation", "slug.tgz.intoto.json");
	text = json_print(root, true);
	strbuf_addstr(&sb, text);
	strbuf_addch(&sb, '\n');
	rc = mask_strbuf(st->mask, &sb);
	if (!rc)
		rc = fs_write_atomic(r->release_path, sb.buf, sb.len, 0644);
	strbuf_release(&sb);
	free(text);
	json_free(root);
	return rc;
}

static int load_key(struct sign_key **out, const struct build_opts *o)
{
	const char *path = o->key_path;

	*out = NULL;
	if (!path || !*path)
		path = getenv("SLUGGUARD_SIGNING_KEY");
	if (!path || !*path)
		return 0;
	return sign_key_load_private(out, path);
}

static void state_release(struct build_state *st)
{
	for (size_t i = 0; i < st->nr_bps; i++) {
		free(st->bps[i].ref);
		free(st->bps[i].url);
		free(st->bps[i].name);
		free(st->bps[i].dir);
	}
	free(st->bps);
	free(st->build_dir);
	free(st->cache_dir);
	free(st->env_dir);
	free(st->stack);
	strvec_clear(&st->env);
	strvec_clear(&st->proc_names);
	strvec_clear(&st->proc_cmds);
	strvec_clear(&st->slug_allow);
	mask_set_free(st->mask);
	strbuf_release(&st->summary);
	strbuf_release(&st->source_uri);
	strbuf_release(&st->work);
	sandbox_release(&st->sb);
}

/*
 * The masker over the config var values, the API key we were given and
 * $HEROKU_API_KEY, minus the policy's public names; st->mask stays NULL
 * when nothing is to be masked.
 */
static int setup_mask(struct build_state *st, struct gitwalk *w,
		      const struct build_opts *o)
{
	struct build_config given = BUILD_CONFIG_INIT;
	const struct build_config *bc = o->config;
	struct strvec public = STRVEC_INIT;
	int rc;

	rc = buildpack_policy_vars(&public, &st->slug_allow, w, st->commit);
	if (rc < 0)
		goto out;
	if (o->env_dir) {
		/* the user's ENV_DIR holds config values too */
		for (size_t i = 0; bc && i < bc->names.nr; i++) {
			strvec_push(&given.names, bc->names.v[i]);
			strvec_push(&given.values, bc->values.v[i]);
		}
		if (bc && bc->api_key)
			given.api_key = xstrdup(bc->api_key);
		rc = build_config_read_dir(&given, o->env_dir);
		if (rc < 0)
			goto out;
		bc = &given;
	}
	rc = build_config_mask(&st->mask, bc, (const char *const *)public.v,
			       public.nr);
out:
	build_config_release(&given);
	strvec_clear(&public);
	return rc;
}

struct slug_finding {
	const struct mask_set *mask;
	const struct strvec *allow;
	struct strbuf list;
	struct strbuf last; /* "path\0var" of the last report */
	size_t nr;
};

static int on_slug_value(const char *path, size_t id, void *data)
{
	struct slug_finding *f = data;
	const char *var = mask_set_pattern_var(f->mask, id);
	size_t plen = strlen(path);

	for (size_t i = 0; f->allow && i < f->allow->nr; i++)
		if (!strcmp(var, f->allow->v[i]))
			return 0;
	/* one line per file and var, whatever the forms found */
	if (f->last.len == plen + 1 + strlen(var) &&
	    !memcmp(f->last.buf, path, plen) &&
	    !strcmp(f->last.buf + plen + 1, var))
		return 0;
	strbuf_reset(&f->last);
	strbuf_add(&f->last, path, plen + 1);
	strbuf_addstr(&f->last, var);
	f->nr++;
	if (f->nr > 20)
		return 0; /* counted, not listed */
	if (f->list.len)
		strbuf_addstr(&f->list, ", ");
	strbuf_add_sanitized(&f->list, path, plen);
	strbuf_addf(&f->list, " carries %s (%s)", var,
		    mask_set_pattern_form(f->mask, id));
	return 0;
}

/*
 * Refuse a slug that carries a config var value (in any form) in any of
 * its files, gzipped assets included: ERR_REJECTED naming each file and
 * var, never the value.
 */
/* ERR_REJECTED naming what f found, or 0; releases f's buffers. */
static int slug_refusal(struct slug_finding *f)
{
	int rc = 0;

	if (f->nr) {
		if (f->nr > 20)
			strbuf_addf(&f->list, " and %zu more", f->nr - 20);
		rc = error_setc(ERR_REJECTED,
				"slug refused, a config var value is baked "
				"into it: %s (config_vars.allow_in_slug in "
				"slugguard.json allows a var by name)",
				f->list.buf);
	}
	strbuf_release(&f->list);
	strbuf_release(&f->last);
	return rc;
}

int buildpack_check_slug(const char *slug_path, const struct mask_set *mask,
			 const struct strvec *allow)
{
	struct slug_finding f = { mask, allow, STRBUF_INIT, STRBUF_INIT, 0 };
	int rc;

	if (!mask)
		return 0;
	rc = mask_set_wait(mask);
	if (!rc)
		rc = slug_scan_literals(slug_path, mask_set_literals(mask),
					on_slug_value, &f, NULL);
	if (!rc)
		rc = slug_refusal(&f);
	strbuf_release(&f.list);
	strbuf_release(&f.last);
	return rc;
}

int buildpack_build(struct build_result *out, struct gitwalk *w,
		    const struct build_opts *o)
{
	struct build_state st = BUILD_STATE_INIT;
	struct build_result r = BUILD_RESULT_INIT;
	struct slug_finding found = { NULL, NULL, STRBUF_INIT, STRBUF_INIT, 0 };
	struct slug_ignore ig = SLUG_IGNORE_INIT;
	struct strvec list = STRVEC_INIT;
	struct strbuf sb = STRBUF_INIT;
	struct sign_key *key = NULL;
	struct slug_opts so = { NULL, NULL, 0, 0, 0, 0, NULL, NULL, NULL };
	struct slug_stats stats;
	char hex[SIGN_SHA256_HEXSZ + 1];
	char *out_dir = NULL;
	char *fetch_url = NULL;
	char *policy_key = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	st.started = time(NULL);
	if (!o->no_sandbox) {
		/* Fail closed, before anything is fetched or exported. */
		rc = sandbox_init(&st.sb);
		if (rc < 0)
			goto out;
	}
	rc = load_key(&key, o);
	if (rc < 0)
		goto out;
	rc = gitwalk_resolve_commit(w, o->commit ? o->commit : "HEAD",
				    st.commit);
	if (rc < 0)
		goto out;
	if (!key) {
		/* Last in line after --key and SLUGGUARD_SIGNING_KEY. */
		rc = buildpack_policy_signing_key(&policy_key, w, st.commit);
		if (!rc && policy_key)
			rc = error_wrap(sign_key_load_private(&key, policy_key),
					"signing key from the policy");
		if (rc < 0)
			goto out;
	}
	rc = setup_mask(&st, w, o);
	if (rc < 0)
		goto out;
	if (o->config && !o->env_dir) {
		/* before anything is fetched: a bad name fails fast */
		rc = envdir_check_names(&o->config->names);
		if (rc < 0)
			goto out;
	}
	gitwalk_commit_summary(w, st.commit, &st.summary);
	if (o->source_uri)
		strbuf_addstr(&st.source_uri, o->source_uri);
	else if (gitwalk_remote_url(w, &st.source_uri) < 0)
		strbuf_addstr(&st.source_uri, gitwalk_commondir(w));
	error_clear();
	st.stack = xstrdup(o->stack ? o->stack : BUILDPACK_DEFAULT_STACK);
	rc = fs_mkdir_p(o->out_dir ? o->out_dir : "slug", 0755);
	if (rc < 0)
		goto out;
	out_dir = buildpack_absolute(o->out_dir ? o->out_dir : "slug");

	/* A private work area: the app, the buildpacks, an empty env. */
	/* removed on exit and on SIGINT/SIGTERM/SIGHUP, swept by deploy */
	rc = fs_tmpdir_new(&st.work, "slugguard-build");
	if (rc < 0)
		goto out;
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s/app", st.work.buf);
	st.build_dir = strbuf_detach(&sb, NULL);
	if (o->cache_dir) {
		st.cache_dir = buildpack_absolute(o->cache_dir);
	} else {
		strbuf_addf(&sb, "%s/slugguard/cache", gitwalk_commondir(w));
		st.cache_dir = strbuf_detach(&sb, NULL);
	}
	strbuf_addf(&sb, "%s/build", st.cache_dir);
	rc = fs_mkdir_p(sb.buf, 0700);
	if (rc < 0)
		goto out;
	if (o->env_dir) {
		st.env_dir = buildpack_absolute(o->env_dir);
		if (!fs_is_dir(st.env_dir)) {
			rc = error_set("ENV_DIR '%s' is not a directory",
				       st.env_dir);
			goto out;
		}
	} else {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s/env", st.work.buf);
		st.env_dir = strbuf_detach(&sb, NULL);
		rc = fs_mkdir_p(st.env_dir, 0700);
		if (rc < 0)
			goto out;
		if (o->config) {
			rc = envdir_write(st.env_dir, &o->config->names,
					  &o->config->values);
			if (rc < 0)
				goto out;
		}
	}

	term_say(o->quiet, "Exporting %.12s", st.commit);
	strbuf_reset(&sb);
	rc = gitwalk_read_path(w, st.commit, ".slugignore", &sb,
			       SMALL_FILE_MAX);
	if (!rc)
		slug_ignore_parse(&ig, sb.buf, sb.len);
	else if (rc != ERR_NOTFOUND)
		goto out;
	error_clear();
	rc = gitwalk_export(w, st.commit, st.build_dir, filter_ignored, &ig);
	if (rc < 0)
		goto out;

	rc = read_buildpack_list(&list, w, st.commit, o);
	if (rc < 0)
		goto out;
	rc = buildpack_check_order(w, st.commit, &list, o->app);
	if (rc < 0)
		goto out;
	st.bps = xcalloc(list.nr, sizeof(*st.bps));
	for (size_t i = 0; i < list.nr; i++) {
		struct bp *bp = &st.bps[st.nr_bps++];

		bp->ref = xstrdup(list.v[i]);
		bp->url = buildpack_resolve_url(list.v[i]);
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s/buildpacks/%zu", st.work.buf, i);
		bp->dir = strbuf_detach(&sb, NULL);
		term_say(o->quiet, "Fetching buildpack %s", bp->url);
		/* Provenance keeps the canonical URL; a mirror only serves it.
		 */
		free(fetch_url);
		rc = gitwalk_rewrite_url(&fetch_url, w, bp->url);
		if (rc < 0)
			goto out;
		rc = fetch_buildpack(bp, fetch_url, bp->dir, st.cache_dir);
		if (rc < 0)
			goto out;
	}

	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s/build", st.cache_dir);
	free(st.cache_dir);
	st.cache_dir = strbuf_detach(&sb, NULL);
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s/home", st.work.buf);
	rc = fs_mkdir_p(sb.buf, 0700);
	if (rc < 0)
		goto out;
	base_env(&st.env, &st, o);
	sandbox_bind(&st.sb, st.build_dir, true);
	sandbox_bind(&st.sb, st.cache_dir, true);
	sandbox_bind(&st.sb, sb.buf, true); /* HOME */
	/* ENV_DIR is the app's config: buildpacks read it, never write it. */
	sandbox_bind(&st.sb, st.env_dir, false);
	rc = run_buildpacks(&st, o);
	if (rc < 0)
		goto out;
	rc = merge_procfile(&st, &r);
	if (rc < 0)
		goto out;
	if (r.nr_procs) {
		strbuf_reset(&sb);
		for (size_t i = 0; i < r.nr_procs; i++)
			strbuf_addf(&sb, "%s%s", i ? ", " : "",
				    r.procs[i].name);
		term_say(o->quiet, "Discovering process types: %s", sb.buf);
	}

	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s/slug.tgz", out_dir);
	r.slug_path = strbuf_detach(&sb, NULL);
	so.dir = st.build_dir;
	so.out_path = r.slug_path;
	so.mtime = source_date(w, st.commit);
	so.max_size = o->max_size;
	term_say(o->quiet, "Compressing...");
	if (st.mask) {
		/* the slug check runs on the bytes as they are packed */
		term_say(o->quiet, "Checking the slug for config var values");
		rc = mask_set_wait(st.mask);
		if (rc < 0)
			goto out;
		found.mask = st.mask;
		found.allow = &st.slug_allow;
		so.check = mask_set_literals(st.mask);
		so.check_fn = on_slug_value;
		so.check_data = &found;
	}
	rc = slug_pack(&stats, &so);
	if (rc < 0)
		goto out;
	rc = slug_refusal(&found);
	if (rc < 0)
		goto out;
	rc = sign_sha256_file(hex, &r.size, r.slug_path);
	if (rc < 0)
		goto out;
	term_say(o->quiet, "Done: %.1fM (%zu entries)",
		 (double)r.size / 1048576.0, stats.entries);
	snprintf(r.checksum, sizeof(r.checksum), "SHA256:%s", hex);
	memcpy(r.commit, st.commit, sizeof(r.commit));
	r.stack = xstrdup(st.stack);
	strbuf_reset(&sb);
	for (size_t i = 0; i < st.nr_bps; i++)
		strbuf_addf(&sb, "%s%s", i ? ", " : "", st.bps[i].name);
	r.description = strbuf_detach(&sb, NULL);
	st.finished = time(NULL);

	if (key) {
		strbuf_addf(&sb, "%s/slug.tgz.intoto.json", out_dir);
		r.intoto_path = strbuf_detach(&sb, NULL);
		strbuf_addf(&sb, "%s/slug.tgz.sigstore.json", out_dir);
		r.sigstore_path = strbuf_detach(&sb, NULL);
		rc = buildpack_attest(&st, &r, o, key, hex);
		if (rc < 0)
			goto out;
		term_say(o->quiet, "Signed provenance: %s", r.intoto_path);
	} else {
		warning("no signing key (--key or SLUGGUARD_SIGNING_KEY): the "
			"slug is not signed");
	}
	strbuf_addf(&sb, "%s/release.json", out_dir);
	r.release_path = strbuf_detach(&sb, NULL);
	rc = write_release_json(&st, &r, o);
	if (rc < 0)
		goto out;
	*out = r;
	memset(&r, 0, sizeof(r));
out:
	/* the values go first, whatever happened (--keep-build-dir too) */
	envdir_remove();
	if (st.work.len && !o->keep_build_dir) {
		/* Cleaning up must not replace the message of a failure. */
		char *msg = rc < 0 ? xstrdup(error_last()) : NULL;

		fs_tmpdir_remove(st.work.buf);
		if (msg)
			error_setc(rc, "%s", msg);
		free(msg);
	}
	if (rc < 0 && r.slug_path)
		unlink(r.slug_path);
	if (rc < 0 && st.mask) {
		/* a message may quote what a buildpack or server said */
		struct strbuf msg = STRBUF_INIT;

		strbuf_addstr(&msg, error_last());
		if (mask_strbuf(st.mask, &msg) < 0)
			strbuf_addstr(&msg, "build failed");
		error_setc(rc, "%s", msg.buf);
		strbuf_release(&msg);
	}
	strbuf_release(&found.list);
	strbuf_release(&found.last);
	free(fetch_url);
	free(policy_key);
	build_result_release(&r);
	sign_key_free(key);
	slug_ignore_release(&ig);
	strvec_clear(&list);
	strbuf_release(&sb);
	free(out_dir);
	state_release(&st);
	return rc;
}
