/* SPDX-License-Identifier: MIT */
/* Unit tests for buildpack: release YAML, Procfile, shorthand URLs. */
#include "slugguard/common.h"
#include "slugguard/buildpack.h"
#include "slugguard/error.h"
#include "slugguard/strvec.h"

#include <setjmp.h>
#include <cmocka.h>

static void test_buildpack_release_yaml(void **state)
{
	static const char yaml[] =
		"---\n"
		"addons:\n"
		"  - heroku-postgresql\n"
		"config_vars:\n"
		"  LANG: en_US.UTF-8\n"
		"default_process_types:\n"
		"  web: bundle exec puma -C config/puma.rb\n"
		"  # a comment\n"
		"  worker: 'bundle exec sidekiq -q ''default'''\n"
		"  console: \"bin/rails console\"\n"
		"other: 1\n";
	struct strvec names = STRVEC_INIT, cmds = STRVEC_INIT;

	(void)state;
	assert_int_equal(buildpack_parse_release_yaml(&names, &cmds, yaml,
						      strlen(yaml)),
			 0);
	assert_int_equal(names.nr, 3);
	assert_string_equal(names.v[0], "web");
	assert_string_equal(cmds.v[0], "bundle exec puma -C config/puma.rb");
	assert_string_equal(names.v[1], "worker");
	assert_string_equal(cmds.v[1], "bundle exec sidekiq -q 'default'");
	assert_string_equal(names.v[2], "console");
	assert_string_equal(cmds.v[2], "bin/rails console");
	strvec_clear(&names);
	strvec_clear(&cmds);

	assert_int_equal(buildpack_parse_release_yaml(
				 &names, &cmds,
				 "--- \ndefault_process_types: {}\n", 31),
			 0);
	assert_int_equal(names.nr, 0);
	assert_int_equal(buildpack_parse_release_yaml(
				 &names, &cmds,
				 "default_process_types:\n  bad name: x\n", 37),
			 ERR_FAIL);
	error_clear();
	strvec_clear(&names);
	strvec_clear(&cmds);
}

static void test_buildpack_procfile(void **state)
{
	static const char procfile[] = "web: bundle exec puma\r\n"
				       "\n"
				       "release: bin/rails db:migrate\n"
				       "worker:bin/jobs";
	struct strvec names = STRVEC_INIT, cmds = STRVEC_INIT;

	(void)state;
	assert_int_equal(buildpack_parse_procfile(&names, &cmds, procfile,
						  strlen(procfile)),
			 0);
	assert_int_equal(names.nr, 3);
	assert_string_equal(names.v[0], "web");
	assert_string_equal(cmds.v[0], "bundle exec puma");
	assert_string_equal(names.v[1], "release");
	assert_string_equal(cmds.v[2], "bin/jobs");
	assert_int_equal(buildpack_parse_procfile(&names, &cmds,
						  "no colon here\n", 14),
			 ERR_FAIL);
	error_clear();
	strvec_clear(&names);
	strvec_clear(&cmds);
}

static void test_buildpack_resolve_url(void **state)
{
	static const char *const cases[][2] = {
		{ "heroku/ruby",
		  "https://github.com/heroku/heroku-buildpack-ruby" },
		{ "urn:buildpack:heroku/ruby",
		  "https://github.com/heroku/heroku-buildpack-ruby" },
		{ "https://github.com/heroku/heroku-buildpack-pgvector.git",
		  "https://github.com/heroku/heroku-buildpack-pgvector.git" },
		{ "file:///srv/bp", "file:///srv/bp" },
		{ "./local/bp", "./local/bp" },
		{ "../bp", "../bp" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *got = buildpack_resolve_url(cases[i][0]);

		assert_string_equal(got, cases[i][1]);
		free(got);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buildpack_release_yaml),
		cmocka_unit_test(test_buildpack_procfile),
		cmocka_unit_test(test_buildpack_resolve_url),
	};

	return cmocka_run_group_tests_name("buildpack", tests, NULL, NULL);
}
