/* SPDX-License-Identifier: MIT */
/* Unit tests for policy: parsing, buildpack names, the checks, templates. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/policy.h"
#include "slugguard/strbuf.h"

#include <setjmp.h>
#include <cmocka.h>

static struct policy *parse_ok(const char *json)
{
	struct policy *p = NULL;

	assert_int_equal(policy_parse(&p, json, strlen(json), "t.json"), 0);
	assert_non_null(p);
	return p;
}

static void test_policy_buildpack_names(void **state)
{
	static const struct {
		const char *a, *b;
		bool eq;
	} cases[] = {
		{ "heroku/ruby", "urn:buildpack:heroku/ruby", true },
		{ "heroku/ruby",
		  "https://github.com/heroku/heroku-buildpack-ruby", true },
		{ "heroku/ruby",
		  "https://github.com/heroku/heroku-buildpack-ruby.git", true },
		{ "heroku/ruby",
		  "https://github.com/heroku/heroku-buildpack-ruby/", true },
		{ "HEROKU/Ruby ", "heroku/ruby", true },
		{ "https://github.com/heroku/heroku-buildpack-pgvector.git",
		  "https://github.com/heroku/heroku-buildpack-pgvector", true },
		{ "heroku/ruby", "heroku/nodejs", false },
		{ "heroku/ruby",
		  "https://github.com/heroku/heroku-buildpack-pgvector.git",
		  false },
		{ "heroku/ruby",
		  "https://github.com/someone/heroku-buildpack-ruby", false },
		{ "https://github.com/heroku/heroku-buildpack-ruby#v250",
		  "heroku/ruby", false },
		{ "https://example.com/bp.tgz", "https://example.com/bp.tgz",
		  true },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		if (policy_buildpacks_equal(cases[i].a, cases[i].b) !=
		    cases[i].eq)
			fail_msg("'%s' vs '%s': want %d", cases[i].a,
				 cases[i].b, cases[i].eq);
	}
}

static void test_policy_parse_defaults(void **state)
{
	struct policy *p = parse_ok("{}");

	(void)state;
	assert_int_equal(p->deploy_branches.nr, 1);
	assert_string_equal(p->deploy_branches.v[0], "main");
	assert_true(policy_is_deploy_branch(p, "main"));
	assert_false(policy_is_deploy_branch(p, "topic"));
	assert_false(p->has_buildpacks);
	assert_false(p->has_procfile);
	assert_true(p->scan);
	assert_int_equal(p->dirty, POLICY_DIRTY_WARN);
	assert_int_equal(p->public_vars.nr, 0);
	assert_int_equal(p->slug_allowed_vars.nr, 0);
	policy_free(p);
	p = parse_ok("{\"config_vars\": {\"public\": [\"PLAID_ENV\"], "
		     "\"allow_in_slug\": [\"PUB_KEY\", \"OTHER\"]}}");
	assert_int_equal(p->public_vars.nr, 1);
	assert_string_equal(p->public_vars.v[0], "PLAID_ENV");
	assert_int_equal(p->slug_allowed_vars.nr, 2);
	assert_string_equal(p->slug_allowed_vars.v[1], "OTHER");
	policy_free(p);
}

static void test_policy_parse_errors(void **state)
{
	static const struct {
		const char *json, *want;
	} cases[] = {
		{ "[]", "top level" },
		{ "{\"buildpaks\": []}", "unknown key 'buildpaks'" },
		{ "{\"version\": 2}", "'version' must be 1" },
		{ "{\"buildpacks\": {\"order\": [1]}}", "buildpacks.order" },
		{ "{\"buildpacks\": {\"order\": [], \"source\": \"x\"}}",
		  "buildpacks.source" },
		{ "{\"config_vars\": {\"required\": [\"A B\"]}}",
		  "config_vars.required" },
		{ "{\"config_vars\": {\"required\": [\"A\", \"A\"]}}",
		  "listed twice" },
		{ "{\"config_vars\": {\"allowed_values\": {\"X\": [\"a\"]}}}",
		  "not in config_vars.required" },
		{ "{\"config_vars\": {\"public\": \"PORT\"}}",
		  "config_vars.public" },
		{ "{\"config_vars\": {\"allow_in_slug\": [\"a/b\"]}}",
		  "config_vars.allow_in_slug" },
		{ "{\"dirty_worktree\": \"maybe\"}", "dirty_worktree" },
		{ "{\"procfile\": {\"release\": 3}}", "procfile.release" },
		{ "{\"scan\": {\"enabled\": \"yes\"}}", "scan.enabled" },
		{ "{", "t.json:1: invalid JSON" },
		/* issue 10.5: text after the object, duplicate keys */
		{ "{\"version\": 1}\n,\"procfile\": {}}",
		  "t.json:2: unexpected text after the JSON value" },
		{ "{\"version\": 1} x", "t.json:1: unexpected text" },
		{ "{\"version\": 1}\n\n\"x\"", "t.json:3: unexpected text" },
		{ "{\"procfile\": {\"release\": true},\n\"app\": \"a\",\n"
		  "\"procfile\": {}}",
		  "t.json:3: duplicate key \"procfile\"" },
		{ "{\"a\": {\"b:\": 1, \"\\\"c\": 2},\n\"config_vars\":"
		  " {\"required\": [],\n\"required\": []}}",
		  "t.json:3: duplicate key \"required\"" },
		{ "[{\"k\": 1}, {\"k\": 2, \"k\": 3}]",
		  "t.json:1: duplicate key \"k\"" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct policy *p = NULL;
		int rc = policy_parse(&p, cases[i].json, strlen(cases[i].json),
				      "t.json");

		assert_true(rc < 0);
		assert_null(p);
		if (!strstr(error_last(), cases[i].want) ||
		    !strstr(error_last(), "t.json") ||
		    strchr(error_last(), '\n'))
			fail_msg("'%s': got '%s', want '%s'", cases[i].json,
				 error_last(), cases[i].want);
		error_clear();
	}
}

static const char policy_json[] =
	"{\"app\": \"demo\", \"deploy_branches\": [\"main\", \"release/*\"],"
	" \"buildpacks\": {\"order\": [\"heroku/ruby\", "
	"\"https://github.com/heroku/heroku-buildpack-pgvector.git\"]},"
	" \"config_vars\": {\"required\": [\"RAILS_ENV\", \"PLAID_ENV\"],"
	"   \"allowed_values\": {\"PLAID_ENV\": [\"sandbox\", \"production\"]}},"
	" \"procfile\": {\"process_types\": [\"web\", \"worker\"],"
	"   \"release\": true}}";

static void test_policy_buildpack_check(void **state)
{
	struct policy *p = parse_ok(policy_json);
	struct policy_report r = POLICY_REPORT_INIT;
	const char *good[] = { "urn:buildpack:heroku/ruby",
			       "https://github.com/heroku/"
			       "heroku-buildpack-pgvector" };
	const char *swapped[] = { good[1], good[0] };
	const char *extra[] = { good[0], good[1], "heroku/nodejs" };

	(void)state;
	assert_true(policy_is_deploy_branch(p, "release/v2"));
	policy_check_buildpacks(&r, p, good, 2, "app.json", NULL);
	assert_true(policy_report_ok(&r));
	policy_check_buildpacks(&r, p, swapped, 2, "app.json", NULL);
	assert_false(policy_report_ok(&r));
	assert_non_null(strstr(r.v[1].message, "wrong order"));
	assert_non_null(strstr(r.v[1].message, "expected: 1. heroku/ruby"));
	assert_non_null(strstr(r.v[1].fix,
			       "heroku buildpacks:clear -a demo\n"
			       "heroku buildpacks:add --index 1 heroku/ruby "
			       "-a demo\n"));
	assert_non_null(strstr(r.v[1].fix, "app.json"));
	policy_check_buildpacks(&r, p, extra, 3, ".buildpacks", "other");
	assert_non_null(strstr(r.v[2].message, "unexpected heroku/nodejs"));
	assert_non_null(strstr(r.v[2].fix, "-a other"));
	assert_non_null(strstr(r.v[2].fix, ">.buildpacks"));
	policy_check_buildpacks(&r, p, good, 1, "Heroku app 'x'", NULL);
	assert_non_null(strstr(r.v[3].message, "missing https://"));
	assert_int_equal(policy_report_failures(&r), 3);
	policy_report_release(&r);
	policy_free(p);
}

static void test_policy_vars_check(void **state)
{
	struct policy *p = parse_ok(policy_json);
	struct policy_report r = POLICY_REPORT_INIT;
	const char *names[] = { "RAILS_ENV", "PLAID_ENV", "OTHER" };
	const char *good[] = { "production", "sandbox", NULL };
	const char *badv[] = { "production", "developmentX", NULL };

	(void)state;
	policy_check_vars(&r, p, names, good, 3, "app.json env", NULL);
	assert_true(r.v[0].ok);
	policy_check_vars(&r, p, names, badv, 3, "Heroku app 'demo'", NULL);
	assert_false(r.v[1].ok);
	assert_null(strstr(r.v[1].message, "developmentX"));
	assert_non_null(
		strstr(r.v[1].fix, "heroku config:set PLAID_ENV=sandbox"));
	policy_check_vars(&r, p, names + 1, NULL, 2, "app.json env", NULL);
	assert_non_null(strstr(r.v[2].message, "not declared in app.json env: "
					       "RAILS_ENV"));
	policy_report_release(&r);
	policy_free(p);
}

static void procfile(struct policy_report *r, const struct policy *p,
		     const char *text)
{
	policy_check_procfile(r, p, text, strlen(text));
}

static void test_policy_procfile_check(void **state)
{
	struct policy *p = parse_ok(policy_json);
	struct policy_report r = POLICY_REPORT_INIT;

	(void)state;
	procfile(&r, p,
		 "web: bundle exec puma -C config/puma.rb\n"
		 "worker: bundle exec rails solid_queue:start\r\n"
		 "# comment\n\n"
		 "release:   bundle exec  rails db:migrate && bin/rails x\n");
	assert_true(r.v[0].ok);
	procfile(&r, p, "web: a\nworker: b\nrelease: bin/rails db:migrate");
	assert_true(r.v[1].ok);
	procfile(&r, p, "web: a\nworker: b\n");
	assert_false(r.v[2].ok);
	assert_non_null(strstr(r.v[2].message, "no 'release' process"));
	assert_non_null(strstr(r.v[2].fix, "release: bundle exec rails "
					   "db:migrate"));
	procfile(&r, p, "web: a\nrelease: rails db:seed\n");
	assert_non_null(strstr(r.v[3].message, "no 'worker'"));
	assert_non_null(strstr(r.v[3].message, "does not run"));
	procfile(&r, p,
		 "web: a\nworker: b\nrelease: rails db:migrate\n"
		 "bad name: x\nweb: again\n");
	assert_non_null(strstr(r.v[4].message, "line 4"));
	assert_non_null(strstr(r.v[4].message, "defined twice"));
	policy_report_release(&r);
	policy_free(p);
}

/* The embedded templates are the files in templates/ (cwd = top). */
static void test_policy_templates_match_files(void **state)
{
	const struct policy_template_file *f;
	size_t nr = 0;

	(void)state;
	f = policy_template("grayledger", &nr);
	assert_non_null(f);
	assert_int_equal(nr, 3);
	assert_null(policy_template("nope", &nr));
	for (size_t i = 0; i < 3; i++) {
		struct strbuf path = STRBUF_INIT, sb = STRBUF_INIT;

		strbuf_addf(&path, "templates/grayledger/%s", f[i].path);
		assert_int_equal(fs_read_capped(&sb, path.buf, 1 << 20), 0);
		if (strcmp(sb.buf, f[i].content))
			fail_msg("%s differs from its embedded copy: run "
				 "scripts/embed.sh",
				 path.buf);
		strbuf_release(&sb);
		strbuf_release(&path);
	}
}

/* The grayledger policy holds what its deployment guide says. */
static void test_policy_grayledger(void **state)
{
	static const char *const vars[] = {
		"RAILS_ENV",	       "RACK_ENV",
		"RAILS_LOG_TO_STDOUT", "RAILS_SERVE_STATIC_FILES",
		"RAILS_MAX_THREADS",   "WEB_CONCURRENCY",
		"OPENAI_API_KEY",      "PLAID_CLIENT_ID",
		"PLAID_SECRET",	       "PLAID_ENV",
		"TAXCLOUD_API_LOGIN",  "TAXCLOUD_API_KEY",
		"AWS_ACCESS_KEY_ID",   "AWS_SECRET_ACCESS_KEY",
		"AWS_REGION",	       "AWS_S3_BUCKET",
	};
	const struct policy_template_file *f;
	struct policy *p = NULL;
	struct policy_report r = POLICY_REPORT_INIT;
	size_t nr = 0;

	(void)state;
	f = policy_template("grayledger", &nr);
	assert_int_equal(policy_parse(&p, f[0].content, strlen(f[0].content),
				      "grayledger"),
			 0);
	assert_int_equal(p->buildpacks.nr, 2);
	assert_string_equal(p->buildpacks.v[0], "heroku/ruby");
	assert_string_equal(p->buildpacks.v[1],
			    "https://github.com/heroku/"
			    "heroku-buildpack-pgvector.git");
	assert_int_equal(p->vars_nr, ARRAY_SIZE(vars));
	for (size_t i = 0; i < ARRAY_SIZE(vars); i++)
		assert_non_null(policy_var_find(p, vars[i]));
	assert_int_equal(policy_var_find(p, "PLAID_ENV")->allowed.nr, 2);
	assert_true(p->release_required);
	/* and the template's own files pass it */
	assert_int_equal(policy_check_dir(&r, p, "templates/grayledger", NULL),
			 0);
	for (size_t i = 0; i < r.nr; i++)
		if (!r.v[i].ok)
			fail_msg("%s: %s", r.v[i].name, r.v[i].message);
	assert_int_equal(r.nr, 3);
	policy_report_release(&r);
	policy_free(p);
}

/* A tree in memory: pairs of path, content; NULL content = absent. */
static int mem_read(struct strbuf *out, const char *path, void *data)
{
	const char *const *files = data;

	for (size_t i = 0; files[i]; i += 2)
		if (!strcmp(files[i], path)) {
			strbuf_addstr(out, files[i + 1]);
			return 0;
		}
	return error_setc(ERR_NOTFOUND, "'%s' not found", path);
}

static void check_mem(struct policy_report *r, const struct policy *p,
		      const char *const *files)
{
	struct policy_tree t = { mem_read, (void *)(uintptr_t)files, "mem" };

	assert_int_equal(policy_check_tree(r, p, &t, NULL), 0);
}

static void test_policy_tree_sources(void **state)
{
	struct policy *p = parse_ok("{\"buildpacks\": [\"heroku/ruby\"]}");
	struct policy *f = parse_ok("{\"buildpacks\": {\"order\": "
				    "[\"heroku/ruby\"], \"source\": "
				    "\".buildpacks\"}}");
	struct policy_report r = POLICY_REPORT_INIT;
	const char *none[] = { NULL };
	const char *both_agree[] = {
		"app.json", "{\"buildpacks\": [{\"url\": \"heroku/ruby\"}]}",
		".buildpacks", "# comment\nurn:buildpack:heroku/ruby\n", NULL
	};
	const char *both_differ[] = {
		"app.json", "{\"buildpacks\": [{\"url\": \"heroku/ruby\"}]}",
		".buildpacks", "heroku/nodejs\n", NULL
	};
	const char *bad_json[] = { "app.json", "{nope", NULL };

	(void)state;
	check_mem(&r, p, none);
	assert_false(policy_report_ok(&r));
	assert_non_null(strstr(r.v[0].message, "no buildpacks declared"));
	policy_report_release(&r);
	check_mem(&r, p, both_agree);
	assert_true(policy_report_ok(&r));
	assert_int_equal(r.nr, 2);
	policy_report_release(&r);
	check_mem(&r, p, both_differ);
	assert_true(r.v[0].ok);
	assert_false(r.v[1].ok);
	assert_non_null(strstr(r.v[1].message, "in .buildpacks"));
	policy_report_release(&r);
	check_mem(&r, p, bad_json);
	assert_false(policy_report_ok(&r));
	policy_report_release(&r);
	/* source .buildpacks ignores app.json */
	check_mem(&r, f, both_differ);
	assert_int_equal(r.nr, 1);
	assert_false(r.v[0].ok);
	policy_report_release(&r);
	policy_free(p);
	policy_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_buildpack_names),
		cmocka_unit_test(test_policy_parse_defaults),
		cmocka_unit_test(test_policy_parse_errors),
		cmocka_unit_test(test_policy_buildpack_check),
		cmocka_unit_test(test_policy_vars_check),
		cmocka_unit_test(test_policy_procfile_check),
		cmocka_unit_test(test_policy_templates_match_files),
		cmocka_unit_test(test_policy_grayledger),
		cmocka_unit_test(test_policy_tree_sources),
	};

	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
