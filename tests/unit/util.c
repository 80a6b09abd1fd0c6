/* SPDX-License-Identifier: MIT */
/* Unit tests for util: strbuf, strvec, error, fs, run, dl. */
#include "slugguard/common.h"
#include "slugguard/dl.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/glob.h"
#include "slugguard/run.h"
#include "slugguard/strbuf.h"
#include "slugguard/strvec.h"

#include <setjmp.h>
#include <cmocka.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_util_strbuf_basic(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char *s;
	size_t len = 0;

	(void)state;
	assert_non_null(sb.buf);
	assert_string_equal(sb.buf, "");
	strbuf_addstr(&sb, "hello");
	strbuf_addch(&sb, ' ');
	strbuf_addf(&sb, "%d-%s", 42, "x");
	assert_string_equal(sb.buf, "hello 42-x");
	assert_int_equal(sb.len, 10);
	strbuf_setlen(&sb, 5);
	assert_string_equal(sb.buf, "hello");
	s = strbuf_detach(&sb, &len);
	assert_int_equal(len, 5);
	assert_string_equal(s, "hello");
	assert_string_equal(sb.buf, "");
	free(s);
	strbuf_release(&sb);
}

static void test_util_strbuf_growth(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	for (int i = 0; i < 10000; i++)
		strbuf_addf(&sb, "%04d", i % 10000);
	assert_int_equal(sb.len, 40000);
	assert_memory_equal(sb.buf + 39996, "9999", 4);
	strbuf_release(&sb);
	strbuf_release(&sb);
}

static void test_util_strbuf_trim_and_escape(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	strbuf_addstr(&sb, " \t abc \r\n");
	strbuf_trim(&sb);
	assert_string_equal(sb.buf, "abc");
	strbuf_reset(&sb);
	strbuf_add_json_escaped(&sb, "a\"b\\\n\x01", 6);
	assert_string_equal(sb.buf, "a\\\"b\\\\\\n\\u0001");
	strbuf_reset(&sb);
	strbuf_add_sanitized(&sb, "x\x1b[31my", 7);
	assert_string_equal(sb.buf, "x?[31my");
	strbuf_release(&sb);
}

static void test_util_strvec(void **state)
{
	struct strvec sv = STRVEC_INIT;

	(void)state;
	assert_null(sv.v[0]);
	strvec_pushl(&sv, "git", "rev-parse", NULL);
	strvec_pushf(&sv, "--%s", "verify");
	assert_int_equal(sv.nr, 3);
	assert_string_equal(sv.v[2], "--verify");
	assert_null(sv.v[3]);
	strvec_pop(&sv);
	assert_int_equal(sv.nr, 2);
	strvec_clear(&sv);
	assert_int_equal(sv.nr, 0);
	strvec_clear(&sv);
}

static void test_util_error_wrap(void **state)
{
	int rc;

	(void)state;
	rc = error_set("cannot open '%s'", "x");
	assert_int_equal(rc, ERR_FAIL);
	rc = error_wrap(rc, "reading config");
	assert_int_equal(rc, ERR_FAIL);
	assert_string_equal(error_last(), "reading config: cannot open 'x'");
	assert_int_equal(error_wrap(0, "ignored"), 0);
	assert_int_equal(error_exit_code(ERR_REJECTED), 1);
	assert_int_equal(error_exit_code(ERR_FAIL), 2);
	assert_int_equal(error_exit_code(0), 0);
	error_clear();
}

static void test_util_parse_long(void **state)
{
	long v = 0;

	(void)state;
	assert_int_equal(parse_long(&v, "123", 0, 1000), 0);
	assert_int_equal(v, 123);
	assert_int_equal(parse_long(&v, "12x", 0, 1000), -1);
	assert_int_equal(parse_long(&v, "", 0, 1000), -1);
	assert_int_equal(parse_long(&v, "5000", 0, 1000), -1);
}

static void test_util_fs_atomic_and_exclusive(void **state)
{
	char dir[] = "/tmp/sg-unit-XXXXXX";
	struct strbuf path = STRBUF_INIT, data = STRBUF_INIT;
	struct stat st;

	(void)state;
	assert_int_equal(fs_mkdtemp(dir), 0);
	strbuf_addf(&path, "%s/a/b/c", dir);
	assert_int_equal(fs_mkdir_p(path.buf, 0755), 0);
	strbuf_addstr(&path, "/file");
	assert_int_equal(fs_write_atomic(path.buf, "hi", 2, 0644), 0);
	assert_int_equal(fs_read_capped(&data, path.buf, 100), 0);
	assert_string_equal(data.buf, "hi");
	strbuf_reset(&data);
	assert_true(fs_read_capped(&data, path.buf, 1) < 0);
	strbuf_reset(&data);
	assert_true(fs_write_exclusive(path.buf, "k", 1, 0600, false) < 0);
	assert_int_equal(fs_write_exclusive(path.buf, "k", 1, 0600, true), 0);
	assert_int_equal(stat(path.buf, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(fs_remove_tree(dir), 0);
	assert_false(fs_exists(dir));
	strbuf_release(&path);
	strbuf_release(&data);
	error_clear();
}

/* Issue 10.5: a FIFO read blocked forever; links only where allowed. */
static void test_util_fs_read_regular_only(void **state)
{
	char dir[] = "/tmp/sg-unit-XXXXXX";
	struct strbuf p = STRBUF_INIT, link = STRBUF_INIT;
	struct strbuf data = STRBUF_INIT;

	(void)state;
	assert_int_equal(fs_mkdtemp(dir), 0);
	strbuf_addf(&p, "%s/fifo", dir);
	assert_int_equal(mkfifo(p.buf, 0600), 0);
	assert_int_equal(fs_read_capped(&data, p.buf, 100), ERR_FAIL);
	assert_non_null(strstr(error_last(), "fifo': not a regular file"));
	assert_int_equal(fs_read_worktree(&data, p.buf, 100), ERR_FAIL);
	assert_int_equal(fs_read_capped(&data, dir, 100), ERR_FAIL);
	assert_non_null(strstr(error_last(), "not a regular file"));
	assert_int_equal(fs_read_capped(&data, "/dev/zero", 100), ERR_FAIL);
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/file", dir);
	assert_int_equal(fs_write_atomic(p.buf, "hi", 2, 0644), 0);
	strbuf_addf(&link, "%s/link", dir);
	assert_int_equal(symlink("file", link.buf), 0);
	assert_int_equal(fs_read_capped(&data, link.buf, 100), 0);
	assert_string_equal(data.buf, "hi");
	assert_int_equal(fs_read_worktree(&data, link.buf, 100), ERR_FAIL);
	assert_non_null(strstr(error_last(), "(a symbolic link)"));
	assert_int_equal(fs_read_worktree(&data, p.buf, 100), 0);
	assert_string_equal(data.buf, "hihi");
	strbuf_reset(&link);
	strbuf_addf(&link, "%s/missing", dir);
	assert_int_equal(fs_read_worktree(&data, link.buf, 100), ERR_NOTFOUND);
	assert_int_equal(fs_remove_tree(dir), 0);
	strbuf_release(&p);
	strbuf_release(&link);
	strbuf_release(&data);
	error_clear();
}

static void test_util_run_capture(void **state)
{
	struct child c = CHILD_INIT;
	struct strbuf out = STRBUF_INIT;
	int rc;

	(void)state;
	strvec_pushl(&c.args, "printf", "%s-%s", "a b", "$HOME", NULL);
	rc = run_capture(&c, &out, 1024);
	assert_int_equal(rc, 0);
	/* argv travels untouched: no shell expanded $HOME. */
	assert_string_equal(out.buf, "a b-$HOME");
	strbuf_release(&out);

	strvec_pushl(&c.args, "false", NULL);
	assert_int_equal(run_command(&c), 1);

	strvec_pushl(&c.args, "/nonexistent/program", NULL);
	assert_true(run_command(&c) < 0);

	strvec_pushl(&c.args, "sleep", "5", NULL);
	c.timeout = 1;
	rc = run_command(&c);
	assert_true(c.timed_out);
	assert_int_equal(rc, 128 + 9);

	/* A child that keeps its stdout open is still stopped in time. */
	c.timed_out = false;
	strvec_pushl(&c.args, "sh", "-c", "echo partial; sleep 5", NULL);
	c.timeout = 1;
	rc = run_capture(&c, &out, 1024);
	assert_true(c.timed_out);
	assert_int_equal(rc, 128 + 9);
	assert_string_equal(out.buf, "partial\n");
	strbuf_release(&out);
	error_clear();
}

static void test_util_dl_load(void **state)
{
	size_t (*len_fn)(const char *) = NULL;
	void *other = NULL;
	struct dl_sym good[] = { { "strlen", &len_fn } };
	struct dl_sym bad[] = { { "strlen", &len_fn },
				{ "slugguard_no_such_symbol", &other } };
	void *handle = NULL;

	(void)state;
	assert_int_equal(dl_load(&handle, "libc.so.6", good, 1), 0);
	assert_non_null(handle);
	assert_int_equal(len_fn("four"), 4);
	/* Loaded once: a second call leaves the table alone. */
	len_fn = NULL;
	assert_int_equal(dl_load(&handle, "libc.so.6", good, 1), 0);
	assert_true(!len_fn);

	/* A missing symbol clears the whole table and unloads. */
	handle = NULL;
	assert_int_equal(dl_load(&handle, "libc.so.6", bad, 2), ERR_FAIL);
	assert_null(handle);
	assert_true(!len_fn);
	assert_non_null(strstr(error_last(), "slugguard_no_such_symbol"));
	assert_int_equal(strncmp(error_last(), "cannot load libc.so.6: ", 23),
			 0);

	assert_int_equal(dl_load(&handle, "libslugguard-missing.so.0", good, 1),
			 ERR_FAIL);
	assert_null(handle);
	assert_int_equal(strncmp(error_last(),
				 "cannot load libslugguard-missing.so.0: ", 39),
			 0);
	error_clear();
}

struct glob_case {
	const char *pat, *name;
	unsigned flags;
	bool hit;
};

static void test_util_glob_table(void **state)
{
	static const struct glob_case cases[] = {
		{ "*.psd", "art.psd", GLOB_PATHNAME, true },
		{ "*.psd", "a/art.psd", GLOB_PATHNAME, false },
		{ "*.psd", "a/art.psd", 0, true },
		{ "a?c", "abc", GLOB_PATHNAME, true },
		{ "a?c", "a/c", GLOB_PATHNAME, false },
		{ "a?c", "a/c", 0, true },
		{ "[Bb]uild-*", "Build-1", GLOB_PATHNAME, true },
		{ "[!B]uild", "Build", GLOB_PATHNAME, false },
		{ "[^B]uild", "build", GLOB_PATHNAME, true },
		{ "[]x]", "]", GLOB_PATHNAME, true },
		{ "[a-c]1", "b1", 0, true },
		{ "[a-c]1", "d1", 0, false },
		{ "[[:digit:]]x", "7x", 0, true },
		{ "[[:digit:]]x", "ax", 0, false },
		{ "a[/]b", "a/b", GLOB_PATHNAME, false },
		{ "[ab", "[ab", GLOB_PATHNAME, true }, /* unterminated: literal
							*/
		{ "\\*", "*", GLOB_PATHNAME, true },
		{ "\\*", "x", GLOB_PATHNAME, false },
		{ "docs/**/draft?.md", "docs/draft1.md", GLOB_PATHNAME, true },
		{ "docs/**/draft?.md", "docs/a/b/draft2.md", GLOB_PATHNAME,
		  true },
		{ "docs/**/d.md", "docsx/d.md", GLOB_PATHNAME, false },
		{ "docs/**/d.md", "docs/ad.md", GLOB_PATHNAME, false },
		{ "**/x", "x", GLOB_PATHNAME, true },
		{ "**/x", "a/b/x", GLOB_PATHNAME, true },
		{ "a/**", "a/b/c", GLOB_PATHNAME, true },
		{ "a/**", "a/", GLOB_PATHNAME, true },
		{ "a**b", "a/x/b", GLOB_PATHNAME, true },
		{ "a*b", "a/x/b", GLOB_PATHNAME, false },
		{ "release/*", "release/1.2", 0, true },
		{ "release/*", "release/a/b", 0, true },
		{ "main", "main", 0, true },
		{ "main", "mainx", 0, false },
		{ "", "", 0, true },
		{ "*", "", GLOB_PATHNAME, true },
		{ "?", "", GLOB_PATHNAME, false },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		if (glob_match(cases[i].pat, cases[i].name, cases[i].flags) !=
		    cases[i].hit)
			fail_msg("'%s' on '%s' (flags %u): want %d",
				 cases[i].pat, cases[i].name, cases[i].flags,
				 cases[i].hit);
}

/* Without "**", the matcher agrees with fnmatch(3) on a pattern zoo. */
static void test_util_glob_vs_fnmatch(void **state)
{
	static const char *const pats[] = {
		"*",	  "a*",	 "*a",	"a*b*c", "?",	 "a?",	  "[ab]*",
		"[!a]?b", "*/*", "a/*", "*.c",	 "\\?x", "[a-]x", "*[0-9]",
	};
	static const char *const names[] = {
		"",   "a",  "ab",  "abc",   "a/b", "b/a", "aXbYc", "a/b/c",
		"?x", "-x", "x.c", "d/x.c", "a9",  "ba",  "bab",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(pats); i++)
		for (size_t j = 0; j < ARRAY_SIZE(names); j++) {
			bool want0 = !fnmatch(pats[i], names[j], 0);
			bool wantp = !fnmatch(pats[i], names[j], FNM_PATHNAME);

			if (glob_match(pats[i], names[j], 0) != want0 ||
			    glob_match(pats[i], names[j], GLOB_PATHNAME) !=
				    wantp)
				fail_msg("'%s' on '%s' disagrees with fnmatch",
					 pats[i], names[j]);
		}
}

/*
 * Issue 10.4: "*a*a*...*b" took minutes in the old recursive matcher
 * (11 stars, 60 bytes: > 100 s). Now it is one pass: 1000 stars on a
 * 4000-byte name are 4 million steps at most.
 */
static void test_util_glob_pathological(void **state)
{
	struct strbuf pat = STRBUF_INIT, name = STRBUF_INIT;

	(void)state;
	for (size_t i = 0; i < 1000; i++)
		strbuf_addstr(&pat, "*a");
	strbuf_addstr(&pat, "*b");
	for (size_t i = 0; i < 4000; i++)
		strbuf_addch(&name, 'a');
	assert_false(glob_match(pat.buf, name.buf, GLOB_PATHNAME));
	assert_false(glob_match(pat.buf, name.buf, 0));
	strbuf_addch(&name, 'b');
	assert_true(glob_match(pat.buf, name.buf, GLOB_PATHNAME));
	strbuf_reset(&pat);
	for (size_t i = 0; i < 500; i++)
		strbuf_addstr(&pat, "**/a");
	assert_false(glob_match(pat.buf, name.buf, GLOB_PATHNAME));
	strbuf_release(&pat);
	strbuf_release(&name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_util_strbuf_basic),
		cmocka_unit_test(test_util_strbuf_growth),
		cmocka_unit_test(test_util_strbuf_trim_and_escape),
		cmocka_unit_test(test_util_strvec),
		cmocka_unit_test(test_util_error_wrap),
		cmocka_unit_test(test_util_parse_long),
		cmocka_unit_test(test_util_fs_atomic_and_exclusive),
		cmocka_unit_test(test_util_fs_read_regular_only),
		cmocka_unit_test(test_util_run_capture),
		cmocka_unit_test(test_util_dl_load),
		cmocka_unit_test(test_util_glob_table),
		cmocka_unit_test(test_util_glob_vs_fnmatch),
		cmocka_unit_test(test_util_glob_pathological),
	};

	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
