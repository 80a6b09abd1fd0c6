/* SPDX-License-Identifier: MIT */
/*
 * `slugguard init --template rails`: infer a policy from the app itself
 * (Gemfile.lock, Procfile, app.json, .env.example, .ruby-version) instead
 * of writing another app's. The policy keeps only the checks the tree
 * already passes; everything else becomes an exact "add this" note, or
 * the app.json and Procfile that --app-json writes.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/json.h"
#include "slugguard/policy.h"

#include <ctype.h>

#define PGVECTOR_BP "https://github.com/heroku/heroku-buildpack-pgvector.git"
#define MIGRATE_CMD "bundle exec rails db:migrate"

/* What every Rails app on Heroku sets, with the app.json value. */
static const struct {
	const char *name, *value;
} rails_vars[] = {
	{ "RAILS_ENV", "production" },
	{ "RACK_ENV", "production" },
	{ "RAILS_LOG_TO_STDOUT", "enabled" },
	{ "RAILS_SERVE_STATIC_FILES", "enabled" },
};

/* Background job runners and the Procfile line that starts each. */
static const struct {
	const char *gem, *command;
} workers[] = {
	{ "sidekiq", "bundle exec sidekiq" },
	{ "good_job", "bundle exec good_job start" },
	{ "solid_queue", "bundle exec rails solid_queue:start" },
	{ "resque", "bundle exec rake resque:work QUEUE=*" },
	{ "delayed_job", "bundle exec rake jobs:work" },
};

static int read_opt(struct strbuf *sb, bool *found, const char *dir,
		    const char *name)
{
	struct strbuf path = STRBUF_INIT;
	int rc;

	strbuf_addf(&path, "%s%s%s", dir, ends_with(dir, "/") ? "" : "/", name);
	rc = fs_read_capped(sb, path.buf, POLICY_MAX_FILE);
	*found = !rc;
	if (rc == ERR_NOTFOUND) {
		error_clear();
		rc = 0;
	}
	strbuf_release(&path);
	return rc;
}

static bool name_ok(const char *s, size_t n)
{
	if (!n || n > 128)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

static bool has(const struct strvec *v, const char *s)
{
	for (size_t i = 0; i < v->nr; i++)
		if (!strcmp(v->v[i], s))
			return true;
	return false;
}

static void push_unique(struct strvec *v, const char *s, size_t n)
{
	char *x = xstrndup(s, n);

	if (!has(v, x))
		strvec_push(v, x);
	free(x);
}

/* Gem names in Gemfile.lock's specs ("    name (version)"). */
static void lock_gems(struct strvec *gems, struct strbuf *ruby,
		      const struct strbuf *lock)
{
	const char *p = lock->buf;
	bool ruby_next = false;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (n > 4 && !memcmp(p, "    ", 4) && p[4] != ' ') {
			size_t k = 4;

			while (k < n && p[k] != ' ')
				k++;
			push_unique(gems, p + 4, k - 4);
		}
		if (ruby_next && n > 8 && !memcmp(p, "   ruby ", 8)) {
			size_t k = 8;

			while (k < n &&
			       (isdigit((unsigned char)p[k]) || p[k] == '.'))
				k++;
			strbuf_add(ruby, p + 8, k - 8);
		}
		ruby_next = n == 12 && !memcmp(p, "RUBY VERSION", 12);
		p += n + (nl ? 1 : 0);
	}
}

/* Procfile "name: command" lines. */
static void procfile_types(struct strvec *types, struct strvec *cmds,
			   const struct strbuf *pf)
{
	const char *p = pf->buf;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		const char *colon = memchr(p, ':', n);

		if (colon && *p != '#') {
			const char *c = colon + 1;

			while (c < p + n && *c == ' ')
				c++;
			strvec_pushf(types, "%.*s", (int)(colon - p), p);
			strvec_pushf(cmds, "%.*s", (int)(p + n - c), c);
		}
		p += n + (nl ? 1 : 0);
	}
}

/*
 * Config var names of .env.example: all assignments, or, when the file
 * has sections whose comments say "required" / "optional", only the
 * required ones.
 */
static void env_example_vars(struct strvec *vars, const struct strbuf *env)
{
	struct strvec req = STRVEC_INIT, all = STRVEC_INIT;
	const char *p = env->buf;
	bool sections = false, required = true;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		const char *eq = memchr(p, '=', n);
		struct strbuf line = STRBUF_INIT;

		strbuf_add(&line, p, n);
		for (size_t i = 0; i < line.len; i++)
			line.buf[i] = (char)tolower((unsigned char)line.buf[i]);
		if (*p == '#' && strstr(line.buf, "optional")) {
			sections = true;
			required = false;
		} else if (*p == '#' && strstr(line.buf, "required")) {
			sections = true;
			required = true;
		} else if (eq && name_ok(p, (size_t)(eq - p))) {
			push_unique(&all, p, (size_t)(eq - p));
			if (required)
				push_unique(&req, p, (size_t)(eq - p));
		}
		strbuf_release(&line);
		p += n + (nl ? 1 : 0);
	}
	for (size_t i = 0; i < (sections ? req.nr : all.nr); i++)
		strvec_push(vars, sections ? req.v[i] : all.v[i]);
	strvec_clear(&req);
	strvec_clear(&all);
}

void policy_infer_release(struct policy_infer *in)
{
	strvec_clear(&in->buildpacks);
	strvec_clear(&in->vars);
	strvec_clear(&in->addons);
	strvec_clear(&in->types);
	strvec_clear(&in->commands);
	strvec_clear(&in->notes);
	free(in->name);
	free(in->worker);
	free(in->ruby);
	memset(in, 0, sizeof(*in));
}

static void infer_procfile(struct policy_infer *in, const struct strbuf *pf,
			   bool have_pf)
{
	bool worker_runs = false;

	if (have_pf)
		procfile_types(&in->types, &in->commands, pf);
	for (size_t i = 0; i < in->types.nr; i++) {
		if (!strcmp(in->types.v[i], "release"))
			in->release = strstr(in->commands.v[i], "db:migrate");
		if (in->worker && strstr(in->commands.v[i], in->worker_gem))
			worker_runs = true;
	}
	if (!have_pf) {
		strvec_pushf(&in->notes,
			     "no Procfile: Heroku runs only the Ruby "
			     "buildpack's default 'web'. Add a Procfile with:"
			     " web: bundle exec puma -C config/puma.rb%s%s | "
			     "release: " MIGRATE_CMD,
			     in->worker ? " | worker: " : "",
			     in->worker ? in->worker : "");
		return;
	}
	if (in->worker && !worker_runs)
		strvec_pushf(&in->notes,
			     "the Gemfile has %s but no Procfile process runs "
			     "it: add to Procfile: worker: %s",
			     in->worker_gem, in->worker);
	if (!in->release)
		strvec_push(&in->notes, "no release process runs the "
					"migrations: add to Procfile: "
					"release: " MIGRATE_CMD);
}

int policy_infer(struct policy_infer *in, const char *dir)
{
	struct strbuf lock = STRBUF_INIT, pf = STRBUF_INIT, app = STRBUF_INIT;
	struct strbuf env = STRBUF_INIT, rv = STRBUF_INIT, dotbp = STRBUF_INIT;
	struct strbuf lock_ruby = STRBUF_INIT;
	struct strvec gems = STRVEC_INIT;
	struct json *j = NULL;
	struct strbuf name = STRBUF_INIT;
	const char *base;
	bool have_lock, have_pf, have_env, have_rv;
	int rc;

	memset(in, 0, sizeof(*in));
	strbuf_addstr(&name, dir);
	while (name.len > 1 && name.buf[name.len - 1] == '/')
		strbuf_setlen(&name, name.len - 1);
	base = strrchr(name.buf, '/');
	in->name = xstrdup(base ? base + 1 : name.buf);
	strbuf_release(&name);
	rc = read_opt(&lock, &have_lock, dir, "Gemfile.lock");
	if (!rc)
		rc = read_opt(&pf, &have_pf, dir, "Procfile");
	if (!rc)
		rc = read_opt(&app, &in->has_app_json, dir, "app.json");
	if (!rc)
		rc = read_opt(&dotbp, &in->has_dotbuildpacks, dir,
			      ".buildpacks");
	if (!rc)
		rc = read_opt(&env, &have_env, dir, ".env.example");
	if (!rc)
		rc = read_opt(&rv, &have_rv, dir, ".ruby-version");
	if (rc < 0)
		goto out;
	if (!have_lock)
		strvec_push(&in->notes, "no Gemfile.lock: is this a Rails app? "
					"The policy assumes one");
	lock_gems(&gems, &lock_ruby, &lock);
	strvec_push(&in->buildpacks, "heroku/ruby");
	if (has(&gems, "neighbor") || has(&gems, "pgvector"))
		strvec_push(&in->buildpacks, PGVECTOR_BP);
	if (has(&gems, "pg"))
		strvec_push(&in->addons, "heroku-postgresql");
	for (size_t i = 0; i < ARRAY_SIZE(workers) && !in->worker; i++) {
		if (!has(&gems, workers[i].gem))
			continue;
		in->worker_gem = workers[i].gem;
		in->worker = xstrdup(workers[i].command);
	}
	if (in->worker_gem && !strcmp(in->worker_gem, "sidekiq"))
		strvec_push(&in->addons, "heroku-redis");
	infer_procfile(in, &pf, have_pf);
	if (in->has_app_json && !json_parse(&j, app.buf, app.len, "app.json") &&
	    json_is_object(j)) {
		const struct json *e = json_get(j, "env");

		in->app_json_buildpacks = json_get(j, "buildpacks");
		for (const struct json *m = json_is_object(e) ? json_child(e) :
								NULL;
		     m; m = json_next(m)) {
			bool req = true;

			if (json_is_object(m) && json_get(m, "required"))
				json_bool(json_get(m, "required"), &req);
			if (req && name_ok(json_key(m), strlen(json_key(m))))
				strvec_push(&in->vars, json_key(m));
		}
	} else if (in->has_app_json) {
		strvec_pushf(&in->notes, "app.json: %s", error_last());
		in->has_app_json = false;
	}
	error_clear();
	if (!in->has_app_json) {
		for (size_t i = 0; i < ARRAY_SIZE(rails_vars); i++)
			strvec_push(&in->vars, rails_vars[i].name);
		if (have_env)
			env_example_vars(&in->vars, &env);
	}
	strbuf_trim(&rv);
	if (have_rv && rv.len) {
		in->ruby = xstrdup(rv.buf);
		if (!lock_ruby.len)
			strvec_pushf(&in->notes,
				     ".ruby-version says %s but Gemfile.lock "
				     "has no RUBY VERSION, which is what "
				     "Heroku reads: add ruby file: "
				     "\".ruby-version\" to the Gemfile, then "
				     "run bundle lock",
				     in->ruby);
		else if (!starts_with(in->ruby, lock_ruby.buf) &&
			 !starts_with(lock_ruby.buf, in->ruby))
			strvec_pushf(&in->notes,
				     ".ruby-version says %s, Gemfile.lock %s: "
				     "Heroku uses Gemfile.lock's",
				     in->ruby, lock_ruby.buf);
	}
out:
	json_free(j);
	strvec_clear(&gems);
	strbuf_release(&lock);
	strbuf_release(&pf);
	strbuf_release(&app);
	strbuf_release(&env);
	strbuf_release(&rv);
	strbuf_release(&dotbp);
	strbuf_release(&lock_ruby);
	return rc;
}

static void add_list(struct strbuf *sb, const struct strvec *v,
		     const char *indent)
{
	strbuf_addch(sb, '[');
	for (size_t i = 0; i < v->nr; i++)
		strbuf_addf(sb, "%s\n%s  \"%s\"", i ? "," : "", indent,
			    v->v[i]);
	if (v->nr)
		strbuf_addf(sb, "\n%s", indent);
	strbuf_addch(sb, ']');
}

char *policy_infer_policy(struct policy_infer *in, bool with_app_files)
{
	struct strbuf sb = STRBUF_INIT;
	struct strvec types = STRVEC_INIT;
	bool bps = with_app_files || in->app_json_buildpacks ||
		   in->has_dotbuildpacks;
	bool vars = with_app_files || in->has_app_json;
	bool procfile = with_app_files || in->types.nr;

	strbuf_addstr(&sb, "{\n  \"version\": 1,\n"
			   "  \"deploy_branches\": [\"main\"],\n");
	if (bps) {
		strbuf_addstr(&sb, "  \"buildpacks\": {\n"
				   "    \"source\": \"either\",\n"
				   "    \"order\": ");
		add_list(&sb, &in->buildpacks, "    ");
		strbuf_addstr(&sb, "\n  },\n");
	} else {
		strvec_pushf(&in->notes,
			     "buildpacks are not declared in the repository: "
			     "add to app.json \"buildpacks\": [%s%s%s] (or "
			     "'slugguard init --app-json --force' writes it), "
			     "then the policy can check their order",
			     "{\"url\": \"heroku/ruby\"}",
			     in->buildpacks.nr > 1 ? ", {\"url\": \"" : "",
			     in->buildpacks.nr > 1 ? PGVECTOR_BP "\"}" : "");
	}
	if (vars && in->vars.nr) {
		strbuf_addstr(&sb, "  \"config_vars\": {\n    \"required\": ");
		add_list(&sb, &in->vars, "    ");
		strbuf_addstr(&sb, "\n  },\n");
	} else if (!vars && in->vars.nr) {
		struct strbuf names = STRBUF_INIT;

		for (size_t i = 0; i < in->vars.nr; i++)
			strbuf_addf(&names, "%s%s", i ? ", " : "",
				    in->vars.v[i]);
		strvec_pushf(&in->notes,
			     "no app.json declares the config vars: declare "
			     "%s in app.json \"env\" (or 'slugguard init "
			     "--app-json --force' writes it)",
			     names.buf);
		strbuf_release(&names);
	}
	if (with_app_files) {
		strvec_push(&types, "web");
		if (in->worker)
			strvec_push(&types, "worker");
	} else {
		for (size_t i = 0; i < in->types.nr; i++)
			if (strcmp(in->types.v[i], "release"))
				strvec_push(&types, in->types.v[i]);
	}
	if (procfile) {
		strbuf_addstr(&sb, "  \"procfile\": {\n"
				   "    \"process_types\": ");
		add_list(&sb, &types, "    ");
		strbuf_addf(&sb, ",\n    \"release\": %s\n  },\n",
			    with_app_files || in->release ? "true" : "false");
	}
	strbuf_addstr(&sb, "  \"scan\": {\n    \"enabled\": true\n  },\n"
			   "  \"dirty_worktree\": \"warn\"\n}\n");
	strvec_clear(&types);
	return strbuf_detach(&sb, NULL);
}

char *policy_infer_app_json(const struct policy_infer *in)
{
	struct json *o = json_new_object(), *bps = json_new_array();
	struct json *env = json_new_object(), *addons = json_new_array();
	struct strbuf sb = STRBUF_INIT;
	char *text;

	json_add_string(o, "name", in->name);
	for (size_t i = 0; i < in->buildpacks.nr; i++) {
		struct json *b = json_new_object();

		json_add_string(b, "url", in->buildpacks.v[i]);
		json_push(bps, b);
	}
	json_add(o, "buildpacks", bps);
	for (size_t i = 0; i < in->vars.nr; i++) {
		struct json *v = json_new_object();

		json_add_bool(v, "required", true);
		for (size_t k = 0; k < ARRAY_SIZE(rails_vars); k++)
			if (!strcmp(in->vars.v[i], rails_vars[k].name))
				json_add_string(v, "value",
						rails_vars[k].value);
		/* Heroku generates it at app creation: nothing to commit */
		if (!strcmp(in->vars.v[i], "SECRET_KEY_BASE"))
			json_add_string(v, "generator", "secret");
		json_add(env, in->vars.v[i], v);
	}
	json_add(o, "env", env);
	for (size_t i = 0; i < in->addons.nr; i++)
		json_push(addons, json_new_string(in->addons.v[i]));
	json_add(o, "addons", addons);
	text = json_print(o, true);
	json_free(o);
	strbuf_addstr(&sb, text);
	strbuf_addch(&sb, '\n');
	free(text);
	return strbuf_detach(&sb, NULL);
}

char *policy_infer_procfile(const struct policy_infer *in)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, "web: bundle exec puma -C config/puma.rb\n");
	if (in->worker)
		strbuf_addf(&sb, "worker: %s\n", in->worker);
	strbuf_addstr(&sb, "release: " MIGRATE_CMD "\n");
	return strbuf_detach(&sb, NULL);
}
