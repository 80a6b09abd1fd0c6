/* SPDX-License-Identifier: MIT */
/* Unit tests for deploy: the pure parts (the app pick, what differs on a
 * live app, buildpack overrides). The workflow itself runs against the
 * HTTPS stand-in in tests/e2e/t400* and t4010. */
#include "slugguard/common.h"
#include "slugguard/deploy.h"
#include "slugguard/error.h"

#include <setjmp.h>
#include <cmocka.h>

static void test_deploy_app_name(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	assert_int_equal(deploy_app_name(&sb, "deploy", "app1", NULL), 0);
	assert_string_equal(sb.buf, "app1");
	strbuf_reset(&sb);
	setenv("HEROKU_APP", "from-env", 1);
	assert_int_equal(deploy_app_name(&sb, "deploy", NULL, NULL), 0);
	assert_string_equal(sb.buf, "from-env");
	strbuf_reset(&sb);
	/* -a wins over the environment */
	assert_int_equal(deploy_app_name(&sb, "deploy", "app2", NULL), 0);
	assert_string_equal(sb.buf, "app2");
	strbuf_reset(&sb);
	unsetenv("HEROKU_APP");
	assert_int_equal(deploy_app_name(&sb, "releases", NULL, NULL),
			 ERR_USAGE);
	assert_string_equal(error_last(), "releases: --app is required (or "
					  "HEROKU_APP, -r REMOTE)");
	assert_int_equal(sb.len, 0);
	strbuf_release(&sb);
	error_clear();
}

static void test_deploy_buildpacks_diff(void **state)
{
	struct deploy_expect e = DEPLOY_EXPECT_INIT;
	struct strvec live = STRVEC_INIT;
	struct strbuf report = STRBUF_INIT;

	(void)state;
	/* No policy for buildpacks: nothing to compare. */
	strvec_push(&live, "anything");
	assert_int_equal(deploy_buildpacks_diff(&report, &e, &live, "a1"), 0);
	assert_int_equal(report.len, 0);
	strvec_clear(&live);

	e.have_buildpacks = true;
	strvec_push(&e.buildpacks, "heroku/ruby");
	strvec_push(&e.buildpacks, "https://example.com/pgvector.git");
	/* The API's long form of the same buildpacks is the same. */
	strvec_push(&live, "https://github.com/heroku/heroku-buildpack-ruby");
	strvec_push(&live, "https://example.com/pgvector");
	assert_int_equal(deploy_buildpacks_diff(&report, &e, &live, "a1"), 0);
	assert_int_equal(report.len, 0);

	/* Reversed: refused, with both lists and the fix commands. */
	strvec_clear(&live);
	strvec_push(&live, "https://example.com/pgvector");
	strvec_push(&live, "heroku/ruby");
	assert_int_equal(deploy_buildpacks_diff(&report, &e, &live, "a1"),
			 ERR_REJECTED);
	assert_non_null(strstr(report.buf, "buildpacks of Heroku app 'a1' "
					   "differ from the policy:\n"));
	assert_non_null(strstr(report.buf, "    expected: 1. heroku/ruby, "
					   "2. https://example.com/"
					   "pgvector.git\n"));
	assert_non_null(strstr(report.buf, "slugguard deploy --app a1 "
					   "--fix-buildpacks\n"));
	assert_non_null(strstr(report.buf, "heroku buildpacks:add --index 1 "
					   "heroku/ruby -a a1\n"));
	strbuf_release(&report);
	strvec_clear(&live);
	deploy_expect_release(&e);
	assert_int_equal(e.buildpacks.nr, 0);
	assert_false(e.have_buildpacks);
}

static void test_deploy_config_diff(void **state)
{
	struct deploy_expect e = DEPLOY_EXPECT_INIT;
	struct strvec live = STRVEC_INIT;
	struct strbuf report = STRBUF_INIT;

	(void)state;
	strvec_push(&e.config_vars, "RAILS_ENV");
	strvec_push(&e.config_vars, "PLAID_ENV");
	strvec_push(&live, "RAILS_ENV");
	assert_int_equal(deploy_config_diff(&report, &e, &live, "a1"),
			 ERR_REJECTED);
	assert_string_equal(report.buf,
			    "Heroku app 'a1' lacks required config vars: "
			    "PLAID_ENV\n  fix: heroku config:set PLAID_ENV=... "
			    "-a a1\n");
	strbuf_reset(&report);
	strvec_push(&live, "PLAID_ENV");
	assert_int_equal(deploy_config_diff(&report, &e, &live, "a1"), 0);
	assert_int_equal(report.len, 0);
	strbuf_release(&report);
	strvec_clear(&live);
	deploy_expect_release(&e);
}

static void test_deploy_is_override(void **state)
{
	(void)state;
	assert_true(deploy_is_override("BUILDPACK_URL"));
	assert_true(deploy_is_override("LANGUAGE_PACK_URL"));
	assert_false(deploy_is_override("buildpack_url"));
	assert_false(deploy_is_override("RAILS_ENV"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deploy_app_name),
		cmocka_unit_test(test_deploy_buildpacks_diff),
		cmocka_unit_test(test_deploy_config_diff),
		cmocka_unit_test(test_deploy_is_override),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
