/* SPDX-License-Identifier: MIT */
/* The policy checks: buildpacks, declared config vars, Procfile. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/gitwalk.h"
#include "slugguard/json.h"
#include "slugguard/policy.h"

static const char *app_or_placeholder(const struct policy *p, const char *app)
{
	if (app && *app)
		return app;
	if (p->app)
		return p->app;
	return "APP";
}

static bool list_has(const char *const *v, size_t nr, const char *bp)
{
	for (size_t i = 0; i < nr; i++)
		if (policy_buildpacks_equal(v[i], bp))
			return true;
	return false;
}

static void add_numbered(struct strbuf *sb, const char *const *v, size_t nr)
{
	if (!nr)
		strbuf_addstr(sb, "(none)");
	for (size_t i = 0; i < nr; i++)
		strbuf_addf(sb, "%s%zu. %s", i ? "  " : "", i + 1, v[i]);
}

void policy_check_buildpacks(struct policy_report *r, const struct policy *p,
			     const char *const *found, size_t found_nr,
			     const char *where, const char *app)
{
	const char *const *want = p->buildpacks.v;
	size_t want_nr = p->buildpacks.nr;
	struct strbuf msg = STRBUF_INIT, fix = STRBUF_INIT;
	const char *a = app_or_placeholder(p, app);
	bool same = want_nr == found_nr;

	for (size_t i = 0; same && i < want_nr; i++)
		same = policy_buildpacks_equal(want[i], found[i]);
	if (same) {
		strbuf_addf(&msg, "%s: ", where);
		for (size_t i = 0; i < found_nr; i++)
			strbuf_addf(&msg, "%s%s", i ? ", " : "", found[i]);
		if (!found_nr)
			strbuf_addstr(&msg, "none required, none found");
		policy_report_add(r, "buildpacks", true, msg.buf, NULL);
		goto out;
	}
	/* say what is wrong first: missing, unexpected, then order */
	for (size_t i = 0; i < want_nr; i++)
		if (!list_has(found, found_nr, want[i]))
			strbuf_addf(&msg, "%smissing %s", msg.len ? "; " : "",
				    want[i]);
	for (size_t i = 0; i < found_nr; i++)
		if (!list_has(want, want_nr, found[i]))
			strbuf_addf(&msg, "%sunexpected %s",
				    msg.len ? "; " : "", found[i]);
	if (!msg.len)
		strbuf_addstr(&msg, found_nr == want_nr ?
					    "wrong order" :
					    "duplicate buildpack");
	strbuf_addf(&msg, " in %s\nexpected: ", where);
	add_numbered(&msg, want, want_nr);
	strbuf_addstr(&msg, "\nfound:    ");
	add_numbered(&msg, found, found_nr);

	strbuf_addf(&fix, "heroku buildpacks:clear -a %s", a);
	for (size_t i = 0; i < want_nr; i++)
		strbuf_addf(&fix,
			    "\nheroku buildpacks:add --index %zu %s -a %s",
			    i + 1, want[i], a);
	if (!strcmp(where, "app.json")) {
		strbuf_addstr(&fix, "\nand in app.json: \"buildpacks\": [");
		for (size_t i = 0; i < want_nr; i++)
			strbuf_addf(&fix, "%s{ \"url\": \"%s\" }",
				    i ? ", " : "", want[i]);
		strbuf_addstr(&fix, "]");
	} else if (!strcmp(where, ".buildpacks")) {
		strbuf_addstr(&fix,
			      "\nand rewrite .buildpacks: printf '%s\\n'");
		for (size_t i = 0; i < want_nr; i++)
			strbuf_addf(&fix, " %s", want[i]);
		strbuf_addstr(&fix, " >.buildpacks");
	}
	policy_report_add(r, "buildpacks", false, msg.buf, fix.buf);
out:
	strbuf_release(&msg);
	strbuf_release(&fix);
}

void policy_check_vars(struct policy_report *r, const struct policy *p,
		       const char *const *names, const char *const *values,
		       size_t nr, const char *where, const char *app)
{
	struct strbuf msg = STRBUF_INIT, fix = STRBUF_INIT;
	struct strbuf missing = STRBUF_INIT, badval = STRBUF_INIT;
	bool in_app_json = starts_with(where, "app.json");
	const char *a = app_or_placeholder(p, app);

	for (size_t i = 0; i < p->vars_nr; i++) {
		const struct policy_var *v = &p->vars[i];
		size_t j;

		for (j = 0; j < nr; j++)
			if (!strcmp(names[j], v->name))
				break;
		if (j == nr) {
			strbuf_addf(&missing, "%s%s", missing.len ? ", " : "",
				    v->name);
			if (in_app_json)
				strbuf_addf(
					&fix,
					"%sadd to app.json \"env\": \"%s\": "
					"{ \"required\": true }",
					fix.len ? "\n" : "", v->name);
			else
				strbuf_addf(
					&fix, "%sheroku config:set %s=%s -a %s",
					fix.len ? "\n" : "", v->name,
					v->allowed.nr ? v->allowed.v[0] : "...",
					a);
			continue;
		}
		if (!v->allowed.nr || !values || !values[j])
			continue;
		{
			bool ok = false;

			for (size_t k = 0; k < v->allowed.nr; k++)
				if (!strcmp(values[j], v->allowed.v[k]))
					ok = true;
			if (ok)
				continue;
		}
		/* the value itself is never printed: it might be a secret */
		strbuf_addf(&badval, "%s%s is not one of",
			    badval.len ? "; " : "", v->name);
		for (size_t k = 0; k < v->allowed.nr; k++)
			strbuf_addf(&badval, "%s %s", k ? "," : "",
				    v->allowed.v[k]);
		if (in_app_json)
			strbuf_addf(
				&fix,
				"%sset \"value\": \"%s\" for %s in app.json",
				fix.len ? "\n" : "", v->allowed.v[0], v->name);
		else
			strbuf_addf(&fix, "%sheroku config:set %s=%s -a %s",
				    fix.len ? "\n" : "", v->name,
				    v->allowed.v[0], a);
	}
	if (!missing.len && !badval.len) {
		strbuf_addf(&msg, "%zu required config vars declared in %s",
			    p->vars_nr, where);
		policy_report_add(r, "config vars", true, msg.buf, NULL);
		goto out;
	}
	if (missing.len)
		strbuf_addf(&msg, "not declared in %s: %s", where, missing.buf);
	if (badval.len)
		strbuf_addf(&msg, "%svalue not allowed in %s: %s",
			    msg.len ? "\n" : "", where, badval.buf);
	policy_report_add(r, "config vars", false, msg.buf, fix.buf);
out:
	strbuf_release(&msg);
	strbuf_release(&fix);
	strbuf_release(&missing);
	strbuf_release(&badval);
}

static bool process_name_ok(const char *s, size_t n)
{
	if (!n || n > 128)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(s[i] == '-' || s[i] == '_' ||
		      (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

/* Collapse runs of blanks so "bundle  exec rails db:migrate" compares. */
static void normalize_ws(struct strbuf *out, const char *s, size_t n)
{
	bool space = false;

	strbuf_reset(out);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ' ' || s[i] == '\t') {
			space = out->len > 0;
			continue;
		}
		if (space)
			strbuf_addch(out, ' ');
		space = false;
		strbuf_addch(out, s[i]);
	}
}

/* Does one of the &&/;-separated steps of cmd equal an accepted command? */
static bool release_runs_migrations(const struct policy *p, const char *cmd)
{
	struct strbuf step = STRBUF_INIT;
	const char *s = cmd;
	bool found = false;

	while (*s && !found) {
		size_t n = strcspn(s, ";&|");

		normalize_ws(&step, s, n);
		for (size_t i = 0; i < p->release_commands.nr; i++)
			if (!strcmp(step.buf, p->release_commands.v[i]))
				found = true;
		s += n;
		while (*s == ';' || *s == '&' || *s == '|')
			s++;
	}
	strbuf_release(&step);
	return found;
}

void policy_check_procfile(struct policy_report *r, const struct policy *p,
			   const char *buf, size_t len)
{
	struct strvec names = STRVEC_INIT, cmds = STRVEC_INIT;
	struct strbuf msg = STRBUF_INIT, fix = STRBUF_INIT, cmd = STRBUF_INIT;
	size_t lineno = 0, off = 0;
	const char *release = NULL;

	while (off < len) {
		const char *line = buf + off;
		const char *nl = memchr(line, '\n', len - off);
		size_t n = nl ? (size_t)(nl - line) : len - off;
		const char *colon;

		off += n + (nl ? 1 : 0);
		lineno++;
		while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' ||
			     line[n - 1] == '\t'))
			n--;
		while (n && (*line == ' ' || *line == '\t')) {
			line++;
			n--;
		}
		if (!n || *line == '#')
			continue;
		colon = memchr(line, ':', n);
		if (!colon || !process_name_ok(line, (size_t)(colon - line))) {
			strbuf_addf(&msg,
				    "%sline %zu: not 'name: command' with a "
				    "name matching ^[-\\w]{1,128}$",
				    msg.len ? "\n" : "", lineno);
			continue;
		}
		{
			char *name = xstrndup(line, (size_t)(colon - line));

			for (size_t i = 0; i < names.nr; i++)
				if (!strcmp(names.v[i], name))
					strbuf_addf(&msg,
						    "%sline %zu: process type "
						    "'%s' defined twice",
						    msg.len ? "\n" : "", lineno,
						    name);
			strvec_push(&names, name);
			free(name);
		}
		normalize_ws(&cmd, colon + 1, n - (size_t)(colon + 1 - line));
		strvec_push(&cmds, cmd.buf);
	}
	for (size_t i = 0; i < p->process_types.nr; i++) {
		bool have = false;

		for (size_t k = 0; k < names.nr; k++)
			if (!strcmp(names.v[k], p->process_types.v[i]))
				have = true;
		if (!have) {
			strbuf_addf(&msg, "%sno '%s' process type",
				    msg.len ? "\n" : "", p->process_types.v[i]);
			strbuf_addf(&fix,
				    "%sadd a line '%s: <command>' to Procfile",
				    fix.len ? "\n" : "", p->process_types.v[i]);
		}
	}
	for (size_t k = 0; k < names.nr; k++)
		if (!strcmp(names.v[k], "release"))
			release = cmds.v[k];
	if (p->release_required && !release) {
		strbuf_addf(&msg,
			    "%sno 'release' process: migrations would depend "
			    "on someone running them by hand",
			    msg.len ? "\n" : "");
		strbuf_addf(&fix, "%sadd this line to Procfile: release: %s",
			    fix.len ? "\n" : "",
			    p->release_commands.nr > 2 ?
				    p->release_commands.v[2] :
				    p->release_commands.v[0]);
	} else if (p->release_required && p->release_commands.nr &&
		   !release_runs_migrations(p, release)) {
		strbuf_addf(&msg,
			    "%sthe 'release' process does not run any of:",
			    msg.len ? "\n" : "");
		for (size_t i = 0; i < p->release_commands.nr; i++)
			strbuf_addf(&msg, "%s %s", i ? "," : "",
				    p->release_commands.v[i]);
		strbuf_addf(&fix, "%sset the Procfile line to: release: %s",
			    fix.len ? "\n" : "",
			    p->release_commands.nr > 2 ?
				    p->release_commands.v[2] :
				    p->release_commands.v[0]);
	}
	if (msg.len) {
		policy_report_add(r, "procfile", false, msg.buf, fix.buf);
		goto out;
	}
	strbuf_addstr(&msg, "process types:");
	for (size_t k = 0; k < names.nr; k++)
		strbuf_addf(&msg, "%s %s", k ? "," : "", names.v[k]);
	if (!names.nr)
		strbuf_addstr(&msg, " none");
	policy_report_add(r, "procfile", true, msg.buf, NULL);
out:
	strvec_clear(&names);
	strvec_clear(&cmds);
	strbuf_release(&msg);
	strbuf_release(&fix);
	strbuf_release(&cmd);
}

/* Read a file of the tree; *found false when it does not exist. */
static int tree_read(struct strbuf *out, bool *found,
		     const struct policy_tree *t, const char *path)
{
	int rc;

	strbuf_reset(out);
	*found = false;
	rc = t->read(out, path, t->data);
	if (rc == ERR_NOTFOUND) {
		error_clear();
		return 0;
	}
	if (rc < 0)
		return rc;
	*found = true;
	return 0;
}

/* app.json "buildpacks": [{"url": ...}]; false with *why on bad shape. */
static bool app_json_buildpacks(struct strvec *out, const struct json *app,
				const char **why)
{
	const struct json *bps = json_get(app, "buildpacks");

	if (!bps)
		return true;
	if (!json_is_array(bps)) {
		*why = "app.json \"buildpacks\" is not an array";
		return false;
	}
	for (size_t i = 0; i < json_array_size(bps); i++) {
		const struct json *e = json_array_at(bps, i);
		const char *url = json_is_string(e) ? json_string(e) :
						      json_get_string(e, "url");

		if (!url || !*url) {
			*why = "app.json \"buildpacks\" entries need a \"url\"";
			return false;
		}
		strvec_push(out, url);
	}
	return true;
}

static void dotbuildpacks(struct strvec *out, const struct strbuf *sb)
{
	struct strbuf line = STRBUF_INIT;
	const char *p = sb->buf;

	while (*p) {
		size_t n = strcspn(p, "\n");

		strbuf_reset(&line);
		strbuf_add(&line, p, n);
		strbuf_trim(&line);
		if (line.len && line.buf[0] != '#')
			strvec_push(out, line.buf);
		p += n;
		if (*p)
			p++;
	}
	strbuf_release(&line);
}

static void check_tree_buildpacks(struct policy_report *r,
				  const struct policy *p,
				  const struct json *app, bool app_bad,
				  const struct strbuf *dotbp, bool have_dotbp,
				  const char *appname)
{
	struct strvec from_app = STRVEC_INIT, from_file = STRVEC_INIT;
	const char *why = NULL;
	bool have_app = app && json_get(app, "buildpacks");

	if (p->bp_source != POLICY_BP_FILE && app &&
	    !app_json_buildpacks(&from_app, app, &why)) {
		policy_report_add(r, "buildpacks", false, why, NULL);
		goto out;
	}
	if (have_dotbp)
		dotbuildpacks(&from_file, dotbp);
	switch (p->bp_source) {
	case POLICY_BP_APP_JSON:
		if (!have_app) {
			policy_report_add(r, "buildpacks", false,
					  app_bad ?
						  "app.json is not valid JSON" :
						  "app.json declares no "
						  "\"buildpacks\"",
					  "add \"buildpacks\" to app.json in "
					  "the order the policy lists");
			goto out;
		}
		policy_check_buildpacks(r, p, from_app.v, from_app.nr,
					"app.json", appname);
		break;
	case POLICY_BP_FILE:
		if (!have_dotbp) {
			policy_report_add(r, "buildpacks", false,
					  "no .buildpacks file",
					  "write the policy's buildpacks to "
					  ".buildpacks, one per line");
			goto out;
		}
		policy_check_buildpacks(r, p, from_file.v, from_file.nr,
					".buildpacks", appname);
		break;
	case POLICY_BP_EITHER:
		if (!have_app && !have_dotbp) {
			policy_report_add(r, "buildpacks", false,
					  "no buildpacks declared (app.json "
					  "\"buildpacks\" or .buildpacks)",
					  "add \"buildpacks\" to app.json in "
					  "the order the policy lists");
			goto out;
		}
		if (have_app)
			policy_check_buildpacks(r, p, from_app.v, from_app.nr,
						"app.json", appname);
		if (have_dotbp)
			policy_check_buildpacks(r, p, from_file.v, from_file.nr,
						".buildpacks", appname);
		break;
	}
out:
	strvec_clear(&from_app);
	strvec_clear(&from_file);
}

static void check_tree_vars(struct policy_report *r, const struct policy *p,
			    const struct json *app, bool have_app,
			    const char *appname)
{
	struct strvec names = STRVEC_INIT;
	const char **values = NULL;
	const struct json *env;
	size_t nr = 0;

	if (!app) {
		policy_report_add(
			r, "config vars", false,
			have_app ? "app.json is not valid JSON" :
				   "no app.json: it must declare the "
				   "required config vars",
			"slugguard init --app-json writes a skeleton");
		return;
	}
	env = json_get(app, "env");
	if (env && !json_is_object(env)) {
		policy_report_add(r, "config vars", false,
				  "app.json \"env\" is not an object", NULL);
		return;
	}
	for (struct json *m = env ? json_child(env) : NULL; m; m = json_next(m))
		nr++;
	values = xcalloc(nr ? nr : 1, sizeof(*values));
	nr = 0;
	for (struct json *m = env ? json_child(env) : NULL; m;
	     m = json_next(m)) {
		bool required = true;

		/* app.json: required defaults to true; false does not
		 * declare a var the policy requires */
		if (json_is_object(m) && json_get(m, "required"))
			json_bool(json_get(m, "required"), &required);
		if (!required || !json_key(m))
			continue;
		strvec_push(&names, json_key(m));
		values[nr++] = json_is_string(m) ? json_string(m) :
						   json_get_string(m, "value");
	}
	policy_check_vars(r, p, names.v, values, nr, "app.json env", appname);
	free(values);
	strvec_clear(&names);
}

int policy_check_tree(struct policy_report *r, const struct policy *p,
		      const struct policy_tree *t, const char *app)
{
	struct strbuf appjson = STRBUF_INIT, dotbp = STRBUF_INIT;
	struct strbuf procfile = STRBUF_INIT;
	struct json *j = NULL;
	bool have_app = false, have_dotbp = false, have_proc = false;
	bool need_app = p->vars_nr ||
			(p->has_buildpacks && p->bp_source != POLICY_BP_FILE);
	int rc;

	rc = tree_read(&appjson, &have_app, t, "app.json");
	if (!rc)
		rc = tree_read(&dotbp, &have_dotbp, t, ".buildpacks");
	if (!rc && p->has_procfile)
		rc = tree_read(&procfile, &have_proc, t, "Procfile");
	if (rc < 0)
		goto out;
	if (have_app && json_parse(&j, appjson.buf, appjson.len, "app.json")) {
		if (need_app)
			policy_report_add(r, "app.json", false, error_last(),
					  NULL);
		error_clear();
	} else if (have_app && !json_is_object(j)) {
		json_free(j);
		j = NULL;
		if (need_app)
			policy_report_add(r, "app.json", false,
					  "app.json is not a JSON object",
					  NULL);
	}
	if (p->has_buildpacks)
		check_tree_buildpacks(r, p, j, have_app && !j, &dotbp,
				      have_dotbp, app);
	if (p->vars_nr)
		check_tree_vars(r, p, j, have_app, app);
	if (p->has_procfile) {
		if (have_proc)
			policy_check_procfile(r, p, procfile.buf, procfile.len);
		else
			policy_report_add(r, "procfile", false, "no Procfile",
					  "add a Procfile with the required "
					  "process types");
	}
out:
	json_free(j);
	strbuf_release(&appjson);
	strbuf_release(&dotbp);
	strbuf_release(&procfile);
	return rc;
}

struct commit_tree {
	const struct gitwalk *w;
	const char *hex;
};

static int read_commit_file(struct strbuf *out, const char *path, void *data)
{
	const struct commit_tree *ct = data;

	return gitwalk_read_file_at(out, ct->w, ct->hex, path, POLICY_MAX_FILE);
}

int policy_check_commit(struct policy_report *r, const struct policy *p,
			const struct gitwalk *w, const char *hex,
			const char *app)
{
	struct commit_tree ct = { w, hex };
	struct policy_tree t = { read_commit_file, &ct, hex };

	return policy_check_tree(r, p, &t, app);
}

static int read_dir_file(struct strbuf *out, const char *path, void *data)
{
	struct strbuf full = STRBUF_INIT;
	int rc;

	strbuf_addf(&full, "%s/%s", (const char *)data, path);
	rc = fs_read_worktree(out, full.buf, POLICY_MAX_FILE);
	strbuf_release(&full);
	return rc;
}

int policy_check_dir(struct policy_report *r, const struct policy *p,
		     const char *dir, const char *app)
{
	struct policy_tree t = { read_dir_file, (void *)(uintptr_t)dir, dir };

	return policy_check_tree(r, p, &t, app);
}
