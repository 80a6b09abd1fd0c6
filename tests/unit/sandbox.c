/* SPDX-License-Identifier: MIT */
/* Unit tests for sandbox: the bwrap command line, and a real probe. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/sandbox.h"

#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>

/* Index of the first argument equal to s at or after from, or -1. */
static long find_arg(const struct strvec *v, const char *s, size_t from)
{
	for (size_t i = from; i < v->nr; i++)
		if (!strcmp(v->v[i], s))
			return (long)i;
	return -1;
}

static void test_sandbox_wrap(void **state)
{
	struct sandbox sb = SANDBOX_INIT;
	struct child c = CHILD_INIT;
	long dd, ro, bind;

	(void)state;
	sb.bwrap = xstrdup("/usr/bin/bwrap");
	sandbox_bind(&sb, "/w/app", true);
	sandbox_bind(&sb, "/w/env", false);
	strvec_pushl(&c.args, "/w/bp/bin/compile", "/w/app", NULL);
	strvec_push(&c.env, "PATH=/usr/bin");
	c.dir = "/w/app";
	sandbox_wrap(&sb, &c, "/w/bp");

	assert_string_equal(c.args.v[0], "/usr/bin/bwrap");
	assert_true(c.clear_env);
	assert_null(c.dir);
	assert_string_equal(c.env.v[c.env.nr - 1], "TMPDIR=/tmp");
	for (size_t i = 0; i < 4; i++) {
		static const char *const ns[] = { "--unshare-pid",
						  "--unshare-ipc",
						  "--unshare-uts",
						  "--die-with-parent" };

		assert_true(find_arg(&c.args, ns[i], 0) > 0);
	}
	/* The user's argv follows "--", untouched. */
	dd = find_arg(&c.args, "--", 0);
	assert_true(dd > 0);
	assert_int_equal((size_t)dd + 3, c.args.nr);
	assert_string_equal(c.args.v[dd + 1], "/w/bp/bin/compile");
	assert_string_equal(c.args.v[dd + 2], "/w/app");
	/* Binds at the same path; the root goes read-only after them. */
	bind = find_arg(&c.args, "/w/app", 0);
	assert_string_equal(c.args.v[bind - 1], "--bind");
	assert_string_equal(c.args.v[bind + 1], "/w/app");
	ro = find_arg(&c.args, "/w/env", 0);
	assert_string_equal(c.args.v[ro - 1], "--ro-bind");
	assert_string_equal(c.args.v[find_arg(&c.args, "/w/bp", 0) - 1],
			    "--bind");
	assert_true(find_arg(&c.args, "--remount-ro", 0) > ro);
	assert_string_equal(c.args.v[find_arg(&c.args, "--chdir", 0) + 1],
			    "/w/app");
	/* Never the host's whole /etc, root or home. */
	for (size_t i = 1; i + 1 < (size_t)dd; i++) {
		if (strcmp(c.args.v[i], "--bind") &&
		    strcmp(c.args.v[i], "--ro-bind") &&
		    strcmp(c.args.v[i], "--ro-bind-try"))
			continue;
		assert_string_not_equal(c.args.v[i + 1], "/");
		assert_string_not_equal(c.args.v[i + 1], "/etc");
		assert_string_not_equal(c.args.v[i + 1], "/home");
		assert_string_not_equal(c.args.v[i + 1], "/root");
	}
	child_release(&c);
	sandbox_release(&sb);
}

static void test_sandbox_missing_bwrap(void **state)
{
	struct sandbox sb = SANDBOX_INIT;

	(void)state;
	setenv(SANDBOX_ENV, "/nonexistent/bwrap", 1);
	assert_int_equal(sandbox_init(&sb), ERR_FAIL);
	assert_null(sb.bwrap);
	assert_non_null(strstr(error_last(), "Debian package 'bubblewrap'"));
	unsetenv(SANDBOX_ENV);
	sandbox_release(&sb);
	error_clear();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sandbox_wrap),
		cmocka_unit_test(test_sandbox_missing_bwrap),
	};

	return cmocka_run_group_tests_name("sandbox", tests, NULL, NULL);
}
