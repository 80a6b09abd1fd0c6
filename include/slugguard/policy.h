/* SPDX-License-Identifier: MIT */
/*
 * policy: the deploy policy of a repository (slugguard.json at its root,
 * schema in docs/policy.md) and the checks that a deployable tree must
 * pass: buildpack order, declared config vars and their allowed values,
 * the Procfile. Used by the hooks (pushed tips), `slugguard check`
 * (a commit or a directory), the build (buildpack order at build time)
 * and the Heroku checks (live buildpacks and config vars).
 *
 * Calling sequence:
 *   1. policy_load_from_commit() / policy_load_file() / policy_parse()
 *   2. policy_check_commit() / policy_check_dir() / policy_check_tree(),
 *      or one check alone (policy_check_buildpacks(), ...), each adding
 *      results to a struct policy_report
 *   3. policy_report_print(), policy_report_ok()
 *   4. policy_report_release(), policy_free()
 */
#ifndef SLUGGUARD_POLICY_H
#define SLUGGUARD_POLICY_H

#include <stdio.h>

#include "slugguard/strbuf.h"
#include "slugguard/strvec.h"

struct gitwalk;

#define POLICY_FILE "slugguard.json"
/*
 * Every key policy_parse() accepts, dotted for nested ones
 * ("procfile.release.commands"), appended to out.
 */
void policy_keys(struct strvec *out);
/* Cap on every file the checks read (policy, app.json, Procfile...). */
#define POLICY_MAX_FILE (1024 * 1024)

enum policy_bp_source {
	POLICY_BP_EITHER = 0, /* app.json or .buildpacks; both must agree */
	POLICY_BP_APP_JSON, /* app.json "buildpacks" only */
	POLICY_BP_FILE /* .buildpacks only */
};

enum policy_dirty {
	POLICY_DIRTY_WARN = 0, /* default */
	POLICY_DIRTY_ERROR,
	POLICY_DIRTY_IGNORE
};

/* One required config var; allowed is empty when any value will do. */
struct policy_var {
	char *name;
	struct strvec allowed;
};

/* The model. Every member is owned by the struct; read freely. */
struct policy {
	char *source; /* where it came from, for messages */
	char *app; /* Heroku app name for fix commands, or NULL */
	bool has_buildpacks; /* the policy constrains buildpacks */
	struct strvec buildpacks; /* exact order, as written */
	enum policy_bp_source bp_source;
	struct policy_var *vars; /* required config vars */
	size_t vars_nr, vars_alloc;
	/* config_vars.public: names whose values are not masked in build
	 * output (beside mask.h's built-in list) */
	struct strvec public_vars;
	/* config_vars.allow_in_slug: names whose values a slug may carry */
	struct strvec slug_allowed_vars;
	bool has_procfile; /* the policy constrains the Procfile */
	struct strvec process_types; /* required types, e.g. web, worker */
	bool release_required; /* a release process must exist ... */
	struct strvec release_commands; /* ... and run one of these */
	struct strvec deploy_branches; /* branch names or fnmatch globs */
	bool scan; /* run the secret scan (default true) */
	char *scan_config; /* scanner config path in the repo, or NULL */
	/* "scan": {"allow_contexts": [...]}: findings with these context
	 * labels (bit 1 << enum scan_context) do not refuse a push; 0 (the
	 * default): every finding does */
	unsigned scan_allow_contexts;
	enum policy_dirty dirty;
	bool build_on_heroku; /* "build": "heroku" (default "local"): the
				 post-receive deploy builds on Heroku */
	char *signing_key; /* "signing": {"key": PATH}: the private key a
			      build signs with when neither --key nor
			      SLUGGUARD_SIGNING_KEY names one; or NULL */
};

/* Parse a policy document; what names it in messages ("slugguard.json").
 * Bad documents give ERR_FAIL with one line naming what and the problem.
 * The caller frees *out with policy_free(). */
int policy_parse(struct policy **out, const char *buf, size_t len,
		 const char *what);
/* Read and parse a file on disk; ERR_NOTFOUND when it does not exist. */
int policy_load_file(struct policy **out, const char *path);
/* Read and parse slugguard.json in commit hex; ERR_NOTFOUND when absent. */
int policy_load_from_commit(struct policy **out, const struct gitwalk *w,
			    const char *hex);
/*
 * The policy that governs a build of commit hex: in a bare repository (a
 * deploy server) its own <gitdir>/slugguard.json wins over the pushed one,
 * which the pusher controls (docs/policy.md); else the commit's.
 * ERR_NOTFOUND when there is neither.
 */
int policy_load_governing(struct policy **out, const struct gitwalk *w,
			  const char *hex);
void policy_free(struct policy *p);

/* True when the branch name (without refs/heads/) deploys. */
bool policy_is_deploy_branch(const struct policy *p, const char *branch);
/* Look up a required var by name; NULL when the policy does not list it. */
const struct policy_var *policy_var_find(const struct policy *p,
					 const char *name);

/* ---- buildpacks --------------------------------------------------------- */

/*
 * Canonical form used for comparing buildpacks: "urn:buildpack:heroku/ruby",
 * "heroku/ruby" and "https://github.com/heroku/heroku-buildpack-ruby(.git)"
 * all become "heroku/ruby". Caller frees.
 */
char *policy_buildpack_canonical(const char *url);
bool policy_buildpacks_equal(const char *a, const char *b);

/* ---- results ------------------------------------------------------------ */

struct policy_result {
	char *name; /* short check name, e.g. "buildpacks" */
	bool ok;
	bool warning; /* not ok, but does not refuse */
	char *message; /* one or more lines, no trailing newline */
	char *fix; /* what to run or edit (lines), or NULL */
};

struct policy_report {
	struct policy_result *v;
	size_t nr, alloc;
};
#define POLICY_REPORT_INIT \
	{                  \
		NULL, 0, 0 \
	}

/* Add a result; the strings are copied (fix may be NULL). */
void policy_report_add(struct policy_report *r, const char *name, bool ok,
		       const char *message, const char *fix);
/* True when no result failed (warnings do not count). */
bool policy_report_ok(const struct policy_report *r);
size_t policy_report_failures(const struct policy_report *r);
/*
 * Print the checklist, one "ok"/"FAIL"/"warn" line per result plus its
 * indented details and fix, every line prefixed with prefix. Untrusted
 * text is sanitised. With only_failures, ok lines are left out.
 */
void policy_report_print(const struct policy_report *r, FILE *fp,
			 const char *prefix, bool color, bool only_failures);
void policy_report_release(struct policy_report *r);

/* ---- checks ------------------------------------------------------------- */

/*
 * A tree to check: read(out, path, data) appends the file at a
 * root-relative path to out, returning 0, ERR_NOTFOUND or ERR_FAIL.
 */
typedef int (*policy_read_fn)(struct strbuf *out, const char *path, void *data);
struct policy_tree {
	policy_read_fn read;
	void *data;
	const char *label; /* "commit 1234abcd" or a directory */
};

/*
 * Run every check of p against the tree and add the results to r.
 * app overrides p->app in fix commands (NULL keeps it; "APP" when
 * neither is known). Returns 0 (see policy_report_ok() for the verdict)
 * or ERR_FAIL when a file could not be read.
 */
int policy_check_tree(struct policy_report *r, const struct policy *p,
		      const struct policy_tree *t, const char *app);
int policy_check_commit(struct policy_report *r, const struct policy *p,
			const struct gitwalk *w, const char *hex,
			const char *app);
int policy_check_dir(struct policy_report *r, const struct policy *p,
		     const char *dir, const char *app);

/*
 * Compare a found buildpack list (as urls or names) with the policy and
 * add one "buildpacks" result naming where (e.g. "app.json", "Heroku app
 * 'x'") with expected vs found and the fix commands. Usable for live app
 * settings as well as repository files.
 */
void policy_check_buildpacks(struct policy_report *r, const struct policy *p,
			     const char *const *found, size_t found_nr,
			     const char *where, const char *app);
/*
 * Check that every required var of p is present in names[] (values[i] may
 * be NULL when unknown; never printed), and that known values are
 * allowed. where names the source ("app.json env", "Heroku app 'x'").
 */
void policy_check_vars(struct policy_report *r, const struct policy *p,
		       const char *const *names, const char *const *values,
		       size_t nr, const char *where, const char *app);
/* Check Procfile text against p (process types, release, names). */
void policy_check_procfile(struct policy_report *r, const struct policy *p,
			   const char *buf, size_t len);

/* ---- templates ---------------------------------------------------------- */

struct policy_template_file {
	const char *path; /* repository-relative, e.g. "slugguard.json" */
	const char *content;
};
/* The files of a named template (e.g. "grayledger"); NULL if unknown. */
const struct policy_template_file *policy_template(const char *name,
						   size_t *nr);
/* Names of the built-in templates, NULL-terminated. */
const char *const *policy_template_names(void);

/*
 * What `init --template rails` learns from an app's files: buildpacks
 * (heroku/ruby, then pgvector when the neighbor or pgvector gem is
 * locked), the job runner (sidekiq, good_job, solid_queue...), the
 * Procfile's processes, the config vars (app.json "env", else the Rails
 * basics plus .env.example's required names) and the Ruby version.
 * Every member is owned; free with policy_infer_release().
 */
struct policy_infer {
	char *name; /* the directory's name, for app.json */
	struct strvec buildpacks, vars, addons;
	struct strvec types, commands; /* the Procfile's, in order */
	const char *worker_gem; /* static; NULL without a job runner */
	char *worker; /* its Procfile command */
	char *ruby; /* .ruby-version, or NULL */
	bool release; /* the Procfile's release runs the migrations */
	bool has_app_json, app_json_buildpacks, has_dotbuildpacks;
	struct strvec notes; /* exact "add this" advice, one per line */
};
/* Read dir's app files; only I/O errors fail (ERR_FAIL). */
int policy_infer(struct policy_infer *in, const char *dir);
/*
 * slugguard.json text. Without with_app_files, only the checks the tree
 * can pass now are written, and a note in in->notes says what to add
 * for each one left out; with it, the full policy that the files of
 * policy_infer_app_json() and policy_infer_procfile() pass. Caller frees.
 */
char *policy_infer_policy(struct policy_infer *in, bool with_app_files);
/* app.json and Procfile texts for the inferred app; caller frees. */
char *policy_infer_app_json(const struct policy_infer *in);
char *policy_infer_procfile(const struct policy_infer *in);
void policy_infer_release(struct policy_infer *in);

#endif
