/* SPDX-License-Identifier: MIT */
/* Loading slugguard.json into struct policy (schema: docs/policy.md). */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/gitwalk.h"
#include "slugguard/glob.h"
#include "slugguard/json.h"
#include "slugguard/policy.h"
#include "slugguard/scan.h"

static const char *const default_release[] = {
	"rails db:migrate",
	"bin/rails db:migrate",
	"bundle exec rails db:migrate",
	"bundle exec bin/rails db:migrate",
};

static struct policy *policy_new(const char *what)
{
	struct policy *p = xcalloc(1, sizeof(*p));

	p->source = xstrdup(what);
	strvec_init(&p->buildpacks);
	strvec_init(&p->process_types);
	strvec_init(&p->release_commands);
	strvec_init(&p->deploy_branches);
	strvec_init(&p->public_vars);
	strvec_init(&p->slug_allowed_vars);
	p->scan = true;
	return p;
}

void policy_free(struct policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->vars_nr; i++) {
		free(p->vars[i].name);
		strvec_clear(&p->vars[i].allowed);
	}
	free(p->vars);
	strvec_clear(&p->buildpacks);
	strvec_clear(&p->process_types);
	strvec_clear(&p->release_commands);
	strvec_clear(&p->deploy_branches);
	strvec_clear(&p->public_vars);
	strvec_clear(&p->slug_allowed_vars);
	free(p->signing_key);
	free(p->scan_config);
	free(p->app);
	free(p->source);
	free(p);
}

/* Every parse error names the file and the member: one line. */
static int bad(const char *what, const char *fmt, ...) SG_PRINTF(2, 3);
static int bad(const char *what, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	rc = error_set("invalid policy '%s': %s", what, sb.buf);
	strbuf_release(&sb);
	return rc;
}

static struct policy_var *var_find(struct policy *p, const char *name)
{
	for (size_t i = 0; name && i < p->vars_nr; i++)
		if (!strcmp(p->vars[i].name, name))
			return &p->vars[i];
	return NULL;
}

/*
 * Every key the parser knows, level by level: check_keys() refuses the
 * rest, and policy_keys() lists them (slugguard help config, and the test
 * that holds docs/policy.md to them).
 */
static const char *const top_keys[] = {
	"$schema",	  "version",	 "app",	     "deploy_branches",
	"buildpacks",	  "config_vars", "procfile", "scan",
	"dirty_worktree", "signing",	 "build",    NULL,
};
static const char *const buildpacks_keys[] = { "order", "source", NULL };
static const char *const config_vars_keys[] = { "required", "allowed_values",
						"public", "allow_in_slug",
						NULL };
static const char *const procfile_keys[] = { "process_types", "release", NULL };
static const char *const release_keys[] = { "required", "commands", NULL };
static const char *const scan_keys[] = { "enabled", "config", "allow_contexts",
					 NULL };
static const char *const signing_keys[] = { "key", NULL };
static const struct {
	const char *prefix;
	const char *const *keys;
} key_tables[] = {
	{ "", top_keys },
	{ "buildpacks.", buildpacks_keys },
	{ "config_vars.", config_vars_keys },
	{ "procfile.", procfile_keys },
	{ "procfile.release.", release_keys },
	{ "scan.", scan_keys },
	{ "signing.", signing_keys },
};

void policy_keys(struct strvec *out)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t t = 0; t < ARRAY_SIZE(key_tables); t++)
		for (size_t i = 0; key_tables[t].keys[i]; i++) {
			strbuf_reset(&sb);
			strbuf_addf(&sb, "%s%s", key_tables[t].prefix,
				    key_tables[t].keys[i]);
			strvec_push(out, sb.buf);
		}
	strbuf_release(&sb);
}

/* Known keys only, so that a typo is an error rather than a no-op. */
static int check_keys(const struct json *obj, const char *const *keys,
		      const char *what, const char *where)
{
	for (struct json *m = json_child(obj); m; m = json_next(m)) {
		const char *k = json_key(m);
		bool known = false;

		for (size_t i = 0; keys[i]; i++)
			if (k && !strcmp(k, keys[i]))
				known = true;
		if (!known) {
			struct strbuf sb = STRBUF_INIT;
			int rc;

			if (k && config_scan_key_known(k))
				strbuf_addf(&sb,
					    "'%s' belongs in %s (the scanner "
					    "config), not in %s (the deploy "
					    "policy); see docs/scan.md",
					    k, CONFIG_SCAN_FILE, POLICY_FILE);
			else
				strbuf_addf(&sb,
					    "unknown key '%s'%s%s (see "
					    "docs/policy.md or 'slugguard "
					    "help config')",
					    k ? k : "", where ? " in " : "",
					    where ? where : "");
			rc = error_set("invalid policy '%s': %s", what, sb.buf);
			strbuf_release(&sb);
			return rc;
		}
	}
	return 0;
}

/* A non-empty array of non-empty strings into sv. */
static int string_list(struct strvec *sv, const struct json *j,
		       const char *what, const char *key)
{
	if (!json_is_array(j))
		return bad(what, "'%s' must be an array of strings", key);
	for (size_t i = 0; i < json_array_size(j); i++) {
		const char *s = json_string(json_array_at(j, i));

		if (!s || !*s)
			return bad(what,
				   "'%s' must contain only non-empty strings",
				   key);
		strvec_push(sv, s);
	}
	return 0;
}

static int parse_buildpacks(struct policy *p, const struct json *j,
			    const char *what)
{
	const char *src;
	int rc;

	if (json_is_array(j)) {
		p->has_buildpacks = true;
		return string_list(&p->buildpacks, j, what, "buildpacks");
	}
	if (!json_is_object(j))
		return bad(what, "'%s' must be an object or an array",
			   "buildpacks");
	rc = check_keys(j, buildpacks_keys, what, "'buildpacks'");
	if (rc < 0)
		return rc;
	p->has_buildpacks = true;
	rc = string_list(&p->buildpacks, json_get(j, "order"), what,
			 "buildpacks.order");
	if (rc < 0)
		return rc;
	if (!json_get(j, "source"))
		return 0;
	src = json_get_string(j, "source");
	if (src && !strcmp(src, "either"))
		p->bp_source = POLICY_BP_EITHER;
	else if (src && !strcmp(src, "app.json"))
		p->bp_source = POLICY_BP_APP_JSON;
	else if (src && !strcmp(src, ".buildpacks"))
		p->bp_source = POLICY_BP_FILE;
	else
		return bad(what,
			   "'%s' must be \"either\", \"app.json\" or "
			   "\".buildpacks\"",
			   "buildpacks.source");
	return 0;
}

static struct policy_var *var_add(struct policy *p, const char *name)
{
	struct policy_var *v;

	ALLOC_GROW(p->vars, p->vars_nr + 1, p->vars_alloc);
	v = &p->vars[p->vars_nr++];
	v->name = xstrdup(name);
	strvec_init(&v->allowed);
	return v;
}

static bool var_name_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!(*s == '_' || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

/* An optional array of config var names (j may be NULL). */
static int name_list(struct strvec *sv, const struct json *j, const char *what,
		     const char *key)
{
	if (!j)
		return 0;
	if (!json_is_array(j))
		return bad(what, "'%s' must be an array of names", key);
	for (size_t i = 0; i < json_array_size(j); i++) {
		const char *s = json_string(json_array_at(j, i));

		if (!s || !var_name_ok(s))
			return bad(what,
				   "'%s' must contain config var names "
				   "([A-Za-z0-9_]+)",
				   key);
		strvec_push(sv, s);
	}
	return 0;
}

static int parse_vars(struct policy *p, const struct json *j, const char *what)
{
	const struct json *req, *allowed;
	int rc;

	if (!json_is_object(j))
		return bad(what, "'%s' must be an object", "config_vars");
	rc = check_keys(j, config_vars_keys, what, "'config_vars'");
	if (rc < 0)
		return rc;
	req = json_get(j, "required");
	if (req && !json_is_array(req))
		return bad(what, "'%s' must be an array of names",
			   "config_vars.required");
	for (size_t i = 0; req && i < json_array_size(req); i++) {
		const char *s = json_string(json_array_at(req, i));

		if (!s || !var_name_ok(s))
			return bad(what,
				   "'%s' must contain config var names "
				   "([A-Za-z0-9_]+)",
				   "config_vars.required");
		if (policy_var_find(p, s))
			return bad(what, "config var '%s' is listed twice", s);
		var_add(p, s);
	}
	allowed = json_get(j, "allowed_values");
	if (allowed && !json_is_object(allowed))
		return bad(what, "'%s' must be an object",
			   "config_vars.allowed_values");
	for (struct json *m = allowed ? json_child(allowed) : NULL; m;
	     m = json_next(m)) {
		struct policy_var *v = var_find(p, json_key(m));

		if (!v)
			return bad(what,
				   "allowed_values names '%s', which is not "
				   "in config_vars.required",
				   json_key(m));
		rc = string_list(&v->allowed, m, what, json_key(m));
		if (rc < 0)
			return rc;
	}
	rc = name_list(&p->public_vars, json_get(j, "public"), what,
		       "config_vars.public");
	if (rc < 0)
		return rc;
	return name_list(&p->slug_allowed_vars, json_get(j, "allow_in_slug"),
			 what, "config_vars.allow_in_slug");
}

static int parse_procfile(struct policy *p, const struct json *j,
			  const char *what)
{
	const struct json *types, *rel;
	int rc;

	if (!json_is_object(j))
		return bad(what, "'%s' must be an object", "procfile");
	rc = check_keys(j, procfile_keys, what, "'procfile'");
	if (rc < 0)
		return rc;
	p->has_procfile = true;
	types = json_get(j, "process_types");
	if (types) {
		rc = string_list(&p->process_types, types, what,
				 "procfile.process_types");
		if (rc < 0)
			return rc;
	}
	rel = json_get(j, "release");
	if (!rel)
		return 0;
	if (json_bool(rel, &p->release_required))
		goto defaults;
	if (!json_is_object(rel))
		return bad(what, "'%s' must be a boolean or an object",
			   "procfile.release");
	rc = check_keys(rel, release_keys, what, "'procfile.release'");
	if (rc < 0)
		return rc;
	p->release_required = true;
	if (json_get(rel, "required") &&
	    !json_bool(json_get(rel, "required"), &p->release_required))
		return bad(what, "'%s' must be a boolean",
			   "procfile.release.required");
	if (json_get(rel, "commands"))
		return string_list(&p->release_commands,
				   json_get(rel, "commands"), what,
				   "procfile.release.commands");
defaults:
	for (size_t i = 0; i < ARRAY_SIZE(default_release); i++)
		strvec_push(&p->release_commands, default_release[i]);
	return 0;
}

/* "allow_contexts": ["fixture", "docs"]: labels of docs/scan.md only. */
static int parse_allow_contexts(struct policy *p, const struct json *j,
				const char *what)
{
	static const char key[] = "scan.allow_contexts";

	if (!j)
		return 0;
	if (!json_is_array(j))
		return bad(what, "'%s' must be an array of context labels",
			   key);
	for (const struct json *e = json_child(j); e; e = json_next(e)) {
		const char *name = json_string(e);
		unsigned c;

		if (!name || scan_context_parse(&c, name) < 0)
			return bad(what,
				   "'%s': '%s' is not a context label (test, "
				   "fixture, docs, example)",
				   key, name ? name : "(not a string)");
		p->scan_allow_contexts |= 1u << c;
	}
	return 0;
}

static int parse_scan(struct policy *p, const struct json *j, const char *what)
{
	int rc;

	if (json_bool(j, &p->scan))
		return 0;
	if (!json_is_object(j))
		return bad(what, "'%s' must be a boolean or an object", "scan");
	rc = check_keys(j, scan_keys, what, "'scan'");
	if (rc < 0)
		return rc;
	if (json_get(j, "enabled") &&
	    !json_bool(json_get(j, "enabled"), &p->scan))
		return bad(what, "'%s' must be a boolean", "scan.enabled");
	if (json_get(j, "config")) {
		const char *c = json_get_string(j, "config");

		if (!c || !*c)
			return bad(what, "'%s' must be a path", "scan.config");
		p->scan_config = xstrdup(c);
	}
	return parse_allow_contexts(p, json_get(j, "allow_contexts"), what);
}

int policy_parse(struct policy **out, const char *buf, size_t len,
		 const char *what)
{
	struct json *root = NULL;
	struct policy *p = NULL;
	const struct json *j;
	double version = 0;
	int rc;

	*out = NULL;
	rc = json_parse(&root, buf, len, what);
	if (rc < 0) {
		rc = error_wrap(rc, "invalid policy");
		goto out;
	}
	p = policy_new(what);
	if (!json_is_object(root)) {
		rc = bad(what, "%s", "the top level must be an object");
		goto out;
	}
	rc = check_keys(root, top_keys, what, NULL);
	if (rc < 0)
		goto out;
	j = json_get(root, "version");
	if (j && (!json_number(j, &version) || version != 1)) {
		rc = bad(what, "%s", "'version' must be 1");
		goto out;
	}
	j = json_get(root, "app");
	if (j && !json_is_null(j)) {
		if (!json_string(j) || !*json_string(j)) {
			rc = bad(what, "'%s' must be an app name", "app");
			goto out;
		}
		p->app = xstrdup(json_string(j));
	}
	j = json_get(root, "build");
	if (j) {
		const char *v = json_string(j);

		if (!v || (strcmp(v, "local") && strcmp(v, "heroku"))) {
			rc = bad(what, "'%s' must be \"local\" or \"heroku\"",
				 "build");
			goto out;
		}
		p->build_on_heroku = !strcmp(v, "heroku");
	}
	j = json_get(root, "signing");
	if (j) {
		const struct json *k;

		if (!json_is_object(j)) {
			rc = bad(what, "'%s' must be an object", "signing");
			goto out;
		}
		rc = check_keys(j, signing_keys, what, "'signing'");
		if (rc < 0)
			goto out;
		k = json_get(j, "key");
		if (k && (!json_string(k) || !*json_string(k))) {
			rc = bad(what, "'%s' must be a path", "signing.key");
			goto out;
		}
		if (k)
			p->signing_key = xstrdup(json_string(k));
	}
	j = json_get(root, "deploy_branches");
	if (j)
		rc = string_list(&p->deploy_branches, j, what,
				 "deploy_branches");
	else
		strvec_push(&p->deploy_branches, "main");
	if (rc < 0)
		goto out;
	j = json_get(root, "buildpacks");
	if (j && (rc = parse_buildpacks(p, j, what)) < 0)
		goto out;
	j = json_get(root, "config_vars");
	if (j && (rc = parse_vars(p, j, what)) < 0)
		goto out;
	j = json_get(root, "procfile");
	if (j && (rc = parse_procfile(p, j, what)) < 0)
		goto out;
	j = json_get(root, "scan");
	if (j && (rc = parse_scan(p, j, what)) < 0)
		goto out;
	j = json_get(root, "dirty_worktree");
	if (j) {
		const char *d = json_string(j);

		if (d && !strcmp(d, "warn")) {
			p->dirty = POLICY_DIRTY_WARN;
		} else if (d && !strcmp(d, "error")) {
			p->dirty = POLICY_DIRTY_ERROR;
		} else if (d && !strcmp(d, "ignore")) {
			p->dirty = POLICY_DIRTY_IGNORE;
		} else {
			rc = bad(what, "%s",
				 "'dirty_worktree' must be \"warn\", \"error\" "
				 "or \"ignore\"");
			goto out;
		}
	}
	*out = p;
	p = NULL;
out:
	policy_free(p);
	json_free(root);
	return rc;
}

int policy_load_file(struct policy **out, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	int rc;

	*out = NULL;
	rc = fs_read_capped(&sb, path, POLICY_MAX_FILE);
	if (rc < 0)
		goto out;
	rc = policy_parse(out, sb.buf, sb.len, path);
out:
	strbuf_release(&sb);
	return rc;
}

int policy_load_from_commit(struct policy **out, const struct gitwalk *w,
			    const char *hex)
{
	struct strbuf sb = STRBUF_INIT;
	struct strbuf what = STRBUF_INIT;
	int rc;

	*out = NULL;
	rc = gitwalk_read_file_at(&sb, w, hex, POLICY_FILE, POLICY_MAX_FILE);
	if (rc < 0)
		goto out;
	strbuf_addf(&what, "%s at %.12s", POLICY_FILE, hex);
	rc = policy_parse(out, sb.buf, sb.len, what.buf);
out:
	strbuf_release(&what);
	strbuf_release(&sb);
	return rc;
}

int policy_load_governing(struct policy **out, const struct gitwalk *w,
			  const char *hex)
{
	struct strbuf own = STRBUF_INIT;
	const char *gd = gitwalk_gitdir(w);
	int rc = ERR_NOTFOUND;

	*out = NULL;
	if (gitwalk_is_bare(w)) {
		strbuf_addf(&own, "%s%s%s", gd, ends_with(gd, "/") ? "" : "/",
			    POLICY_FILE);
		rc = fs_exists(own.buf) ? policy_load_file(out, own.buf) :
					  ERR_NOTFOUND;
	}
	if (rc == ERR_NOTFOUND)
		rc = policy_load_from_commit(out, w, hex);
	strbuf_release(&own);
	return rc;
}

bool policy_is_deploy_branch(const struct policy *p, const char *branch)
{
	for (size_t i = 0; i < p->deploy_branches.nr; i++)
		if (glob_match(p->deploy_branches.v[i], branch, 0))
			return true;
	return false;
}

const struct policy_var *policy_var_find(const struct policy *p,
					 const char *name)
{
	for (size_t i = 0; name && i < p->vars_nr; i++)
		if (!strcmp(p->vars[i].name, name))
			return &p->vars[i];
	return NULL;
}
