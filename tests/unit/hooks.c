/* SPDX-License-Identifier: MIT */
/* Unit tests for hooks: the embedded shims and their substitution. */
#include "slugguard/common.h"
#include "slugguard/fs.h"
#include "slugguard/hooks.h"
#include "slugguard/strbuf.h"

#include <setjmp.h>
#include <cmocka.h>
#include <unistd.h>

static const char *const names[] = { "pre-push", "pre-receive",
				     "post-receive" };

/* hooks/<name>.in with the placeholders filled as the installer does. */
static void test_hooks_shims_match_templates(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		struct strbuf path = STRBUF_INIT, sb = STRBUF_INIT;
		char *text = hooks_shim_text(names[i], "@");

		strbuf_addf(&path, "hooks/%s.in", names[i]);
		assert_int_equal(fs_read_capped(&sb, path.buf, 1 << 16), 0);
		assert_non_null(text);
		assert_non_null(strstr(text, "\n" HOOKS_MARKER "\n"));
		/* same text apart from the substituted path */
		assert_non_null(strstr(sb.buf, "sg=@SLUGGUARD@\n"));
		assert_non_null(strstr(text, "sg='@'\n"));
		{
			struct strbuf want = STRBUF_INIT;
			const char *t = sb.buf, *at;

			while ((at = strchr(t, '@'))) {
				strbuf_add(&want, t, (size_t)(at - t));
				if (starts_with(at, "@SLUGGUARD@")) {
					strbuf_addstr(&want, "'/bin/sg'");
					t = at + strlen("@SLUGGUARD@");
				} else if (starts_with(at,
						       "@SLUGGUARD_SHOWN@")) {
					strbuf_addstr(&want, "/bin/sg");
					t = at + strlen("@SLUGGUARD_SHOWN@");
				} else {
					strbuf_addch(&want, '@');
					t = at + 1;
				}
			}
			strbuf_addstr(&want, t);
			free(text);
			text = hooks_shim_text(names[i], "/bin/sg");
			assert_string_equal(text, want.buf);
			strbuf_release(&want);
		}
		free(text);
		strbuf_release(&sb);
		strbuf_release(&path);
	}
	assert_null(hooks_shim_text("update", "/x"));
}

static void test_hooks_shim_quoting(void **state)
{
	char *text = hooks_shim_text("pre-push", "/opt/it's $HOME/sg");

	(void)state;
	assert_non_null(strstr(text, "sg='/opt/it'\\''s $HOME/sg'\n"));
	/* the path shown in double quotes is never the raw one */
	assert_null(strstr(text, "(/opt/it's"));
	assert_non_null(strstr(text, "its install path"));
	assert_non_null(strstr(text, "git push --no-verify"));
	free(text);
	text = hooks_shim_text("pre-receive", NULL);
	assert_non_null(strstr(text, "sg=''\n"));
	assert_null(strstr(text, "--no-verify"));
	assert_non_null(strstr(text, "administrator"));
	free(text);
}

static void test_hooks_is_ours(void **state)
{
	char dir[] = "/tmp/sg-hooks-XXXXXX";
	struct strbuf p = STRBUF_INIT;
	char *text = hooks_shim_text("pre-push", "/x");
	const char foreign[] = "#!/bin/sh\necho mine\n";

	(void)state;
	assert_int_equal(fs_mkdtemp(dir), 0);
	strbuf_addf(&p, "%s/pre-push", dir);
	assert_false(hooks_is_ours(p.buf));
	assert_int_equal(fs_write_atomic(p.buf, text, strlen(text), 0755), 0);
	assert_true(hooks_is_ours(p.buf));
	assert_int_equal(fs_write_atomic(p.buf, foreign, strlen(foreign), 0755),
			 0);
	assert_false(hooks_is_ours(p.buf));
	assert_int_equal(fs_remove_tree(dir), 0);
	free(text);
	strbuf_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hooks_shims_match_templates),
		cmocka_unit_test(test_hooks_shim_quoting),
		cmocka_unit_test(test_hooks_is_ours),
	};

	return cmocka_run_group_tests_name("hooks", tests, NULL, NULL);
}
