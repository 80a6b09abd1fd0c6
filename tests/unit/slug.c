/* SPDX-License-Identifier: MIT */
/* Unit tests for slug: .slugignore matching and reproducible packing. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/rules.h"
#include "slugguard/slug.h"
#include "slugguard/strbuf.h"

#include <setjmp.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <unistd.h>

struct ignore_case {
	const char *path;
	bool is_dir;
	bool ignored;
};

static void test_slug_slugignore_table(void **state)
{
	static const char patterns[] = "# comment\n"
				       "\n"
				       "*.psd\n"
				       "log/\n"
				       "/tmp\n"
				       "spec/fixtures/*.bin\n"
				       "docs/**/draft?.md\n"
				       "vendor/cache\n"
				       "!keep.psd\n"
				       "[Bb]uild-*  \n"
				       "\\#literal\n";
	static const struct ignore_case cases[] = {
		{ "art.psd", false, true },
		{ "assets/art.psd", false, true },
		{ "keep.psd", false, false },
		{ "log", true, true },
		{ "log", false, false }, /* "log/" matches directories only */
		{ "log/dev.log", false, true },
		{ "app/log/x", false, true },
		{ "tmp", true, true },
		{ "app/tmp", true, false }, /* anchored */
		{ "spec/fixtures/a.bin", false, true },
		{ "spec/fixtures/sub/a.bin", false, false },
		{ "docs/draft1.md", false, true },
		{ "docs/a/b/draft2.md", false, true },
		{ "docs/a/b/final.md", false, false },
		{ "vendor/cache/gem.gem", false, true },
		{ "vendor/bundle", true, false },
		{ "Build-1", true, true },
		{ "build-x", false, true },
		{ "rebuild-x", false, false },
		{ "#literal", false, true },
		{ "Gemfile", false, false },
		{ "comment", false, false },
	};
	struct slug_ignore ig = SLUG_IGNORE_INIT;

	(void)state;
	slug_ignore_parse(&ig, patterns, strlen(patterns));
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		bool got =
			slug_ignore_match(&ig, cases[i].path, cases[i].is_dir);

		if (got != cases[i].ignored)
			fail_msg("'%s' (%s): got %d", cases[i].path,
				 cases[i].is_dir ? "dir" : "file", got);
	}
	slug_ignore_release(&ig);
}

/*
 * Issue 10.4: this line against a 60-byte name took minutes with the old
 * recursive matcher (the export has no timeout, so a push hung).
 */
static void test_slug_slugignore_pathological(void **state)
{
	static const char line[] = "*a*a*a*a*a*a*a*a*a*a*a*b\n";
	struct slug_ignore ig = SLUG_IGNORE_INIT;
	char name[61];

	(void)state;
	memset(name, 'a', 60);
	name[60] = '\0';
	slug_ignore_parse(&ig, line, strlen(line));
	assert_false(slug_ignore_match(&ig, name, false));
	name[59] = 'b';
	assert_true(slug_ignore_match(&ig, name, false));
	slug_ignore_release(&ig);
}

static void write_file(const char *dir, const char *name, const char *text,
		       unsigned mode)
{
	struct strbuf p = STRBUF_INIT;

	strbuf_addf(&p, "%s/%s", dir, name);
	assert_int_equal(fs_write_atomic(p.buf, text, strlen(text), mode), 0);
	strbuf_release(&p);
}

static void read_all(struct strbuf *out, const char *path)
{
	strbuf_reset(out);
	assert_int_equal(fs_read_capped(out, path, 1 << 24), 0);
}

static void test_slug_pack_reproducible(void **state)
{
	char dir[] = "/tmp/slugguard-slug-XXXXXX";
	struct strbuf app = STRBUF_INIT, out1 = STRBUF_INIT;
	struct strbuf out2 = STRBUF_INIT, a = STRBUF_INIT, b = STRBUF_INIT;
	struct strbuf big = STRBUF_INIT, link = STRBUF_INIT;
	struct slug_opts o = {
		NULL, NULL, 1700000000, 0, 0, 1, NULL, NULL, NULL
	};
	struct slug_stats st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	strbuf_addf(&app, "%s/app", dir);
	strbuf_addf(&out1, "%s/one.tgz", dir);
	strbuf_addf(&out2, "%s/two.tgz", dir);
	assert_int_equal(fs_mkdir_p(app.buf, 0755), 0);
	write_file(app.buf, "Procfile", "web: x\n", 0644);
	write_file(app.buf, "run", "#!/bin/sh\n", 0755);
	/* Several compression blocks, so threads really share the work. */
	for (int i = 0; i < 200000; i++)
		strbuf_addf(&big, "line %d of a larger file\n", i * 7919 % 997);
	write_file(app.buf, "big.txt", big.buf, 0644);
	strbuf_addf(&link, "%s/link", app.buf);
	assert_int_equal(symlink("run", link.buf), 0);

	o.dir = app.buf;
	o.out_path = out1.buf;
	assert_int_equal(slug_pack(&st, &o), 0);
	assert_int_equal(st.entries, 5);
	o.out_path = out2.buf;
	o.threads = 3;
	assert_int_equal(slug_pack(NULL, &o), 0);
	read_all(&a, out1.buf);
	read_all(&b, out2.buf);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.buf, b.buf, a.len);
	assert_int_equal((unsigned char)a.buf[0], 0x1f);
	assert_int_equal((unsigned char)a.buf[1], 0x8b);
	assert_int_equal(a.buf[3], 0); /* no name, no comment */
	assert_int_equal(a.buf[4] | a.buf[5] | a.buf[6] | a.buf[7], 0);

	/* Over the limit: refused, nothing left behind. */
	o.max_size = 100;
	unlink(out2.buf);
	assert_int_equal(slug_pack(NULL, &o), ERR_REJECTED);
	assert_non_null(strstr(error_last(), "largest paths: big.txt"));
	assert_false(fs_exists(out2.buf));

	/* A symlink climbing out of the app. */
	o.max_size = 0;
	unlink(link.buf);
	assert_int_equal(symlink("../../etc/passwd", link.buf), 0);
	assert_int_equal(slug_pack(NULL, &o), ERR_REJECTED);
	assert_non_null(strstr(error_last(), "points outside"));
	unlink(link.buf);
	assert_int_equal(symlink("/app/run", link.buf), 0);
	assert_int_equal(slug_pack(NULL, &o), 0);
	error_clear();

	assert_int_equal(fs_remove_tree(dir), 0);
	strbuf_release(&app);
	strbuf_release(&out1);
	strbuf_release(&out2);
	strbuf_release(&a);
	strbuf_release(&b);
	strbuf_release(&big);
	strbuf_release(&link);
}

/*
 * A source tarball's bytes depend on the tree and the mtime only: the
 * level and the thread count a caller passes change nothing, since its
 * checksum is what the build and the provenance name.
 */
static void test_slug_pack_source_fixed(void **state)
{
	char dir[] = "/tmp/slugguard-source-XXXXXX";
	struct strbuf tree = STRBUF_INIT, out1 = STRBUF_INIT;
	struct strbuf out2 = STRBUF_INIT, out3 = STRBUF_INIT;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, c = STRBUF_INIT;
	struct strbuf big = STRBUF_INIT;
	struct slug_opts o = {
		NULL, NULL, 1700000000, 0, 1, 1, NULL, NULL, NULL
	};
	struct slug_stats st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	strbuf_addf(&tree, "%s/tree", dir);
	strbuf_addf(&out1, "%s/one.tgz", dir);
	strbuf_addf(&out2, "%s/two.tgz", dir);
	strbuf_addf(&out3, "%s/slug.tgz", dir);
	assert_int_equal(fs_mkdir_p(tree.buf, 0755), 0);
	write_file(tree.buf, "Gemfile", "source 'x'\n", 0644);
	for (int i = 0; i < 100000; i++)
		strbuf_addf(&big, "row %d\n", i * 31 % 1009);
	write_file(tree.buf, "data.txt", big.buf, 0644);

	o.dir = tree.buf;
	o.out_path = out1.buf;
	assert_int_equal(slug_pack_source(&st, &o), 0);
	assert_int_equal(st.entries, 3);
	o.out_path = out2.buf;
	o.level = 9;
	o.threads = 4;
	assert_int_equal(slug_pack_source(NULL, &o), 0);
	o.out_path = out3.buf;
	assert_int_equal(slug_pack(NULL, &o), 0);
	read_all(&a, out1.buf);
	read_all(&b, out2.buf);
	read_all(&c, out3.buf);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.buf, b.buf, a.len);
	/* Not a slug: other top directory, other bytes. */
	assert_false(a.len == c.len && !memcmp(a.buf, c.buf, a.len));
	assert_int_equal(a.buf[4] | a.buf[5] | a.buf[6] | a.buf[7], 0);

	assert_int_equal(fs_remove_tree(dir), 0);
	strbuf_release(&tree);
	strbuf_release(&out1);
	strbuf_release(&out2);
	strbuf_release(&out3);
	strbuf_release(&a);
	strbuf_release(&b);
	strbuf_release(&c);
	strbuf_release(&big);
}

/*
 * Found by tests/fuzz/slugignore: stars backtracked exponentially (one
 * line of stars ran past libFuzzer's 10 s limit). alarm() turns a
 * regression into a failure instead of a hang.
 */
static void test_slug_slugignore_many_stars(void **state)
{
	static const char pats[] = "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b\n"
				   "**/**/**/**/**/**/**/**/**/**/**/z\n"
				   "********************************c\n";
	struct slug_ignore ig = SLUG_IGNORE_INIT;
	char path[200];

	(void)state;
	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	for (size_t i = 8; i < sizeof(path) - 1; i += 9)
		path[i] = '/';
	alarm(20);
	slug_ignore_parse(&ig, pats, strlen(pats));
	assert_false(slug_ignore_match(&ig, path, false));
	assert_false(slug_ignore_match(&ig, path + 9, true));
	path[sizeof(path) - 2] = 'c';
	assert_true(slug_ignore_match(&ig, path + 9, false));
	alarm(0);
	slug_ignore_release(&ig);
}

struct found {
	struct strbuf list;
};

static int on_found(const char *path, size_t id, void *data)
{
	struct found *f = data;

	strbuf_addf(&f->list, "%s:%zu\n", path, id);
	return 0;
}

/* Values anywhere in a file, across libarchive's read blocks too. */
static void test_slug_scan_literals(void **state)
{
	char dir[] = "/tmp/slugguard-slugchk-XXXXXX";
	struct strbuf app = STRBUF_INIT, out = STRBUF_INIT;
	struct strbuf big = STRBUF_INIT, v0 = STRBUF_INIT, v1 = STRBUF_INIT;
	struct strbuf want = STRBUF_INIT;
	struct slug_opts o = {
		NULL, NULL, 1700000000, 0, 0, 1, NULL, NULL, NULL
	};
	struct found f = { STRBUF_INIT };
	struct rules_literals *l = NULL;
	const char *lits[2];
	size_t lens[2];
	uint64_t bytes = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	strbuf_addf(&v0, "%s-%s-%d", "value", "zero", 31337);
	strbuf_addf(&v1, "%s+%s+%d", "other", "one", 4242);
	lits[0] = v0.buf;
	lits[1] = v1.buf;
	lens[0] = v0.len;
	lens[1] = v1.len;
	strbuf_addf(&app, "%s/app", dir);
	strbuf_addf(&out, "%s/slug.tgz", dir);
	assert_int_equal(fs_mkdir_p(app.buf, 0755), 0);
	write_file(app.buf, "clean.txt", "nothing here\n", 0644);
	write_file(app.buf, "a.js", v0.buf, 0644);
	strbuf_addstr(&want, "app/a.js:0\n");
	/* one v1 per file, each 5 bytes before another multiple of 512:
	 * file data starts 512-aligned in the tar and libarchive reads it in
	 * 64 KiB blocks, so some of them cross a block boundary */
	for (int i = 0; i < 128; i++) {
		char name[32];

		strbuf_reset(&big);
		while (big.len < (size_t)512 * (size_t)(i + 1) - 5)
			strbuf_addch(&big, 'a' + big.len % 26);
		strbuf_addbuf(&big, &v1);
		while (big.len < 70000)
			strbuf_addch(&big, 'a' + big.len % 26);
		assert_true(snprintf(name, sizeof(name), "big%03d.txt", i) > 0);
		write_file(app.buf, name, big.buf, 0644);
		strbuf_addf(&want, "app/%s:1\n", name);
	}
	o.dir = app.buf;
	o.out_path = out.buf;
	assert_int_equal(slug_pack(NULL, &o), 0);
	assert_int_equal(rules_literals_new(&l, lits, lens, 2), 0);
	assert_int_equal(slug_scan_literals(out.buf, l, on_found, &f, &bytes),
			 0);
	/* one report per file and value, in archive order */
	assert_string_equal(f.list.buf, want.buf);
	assert_true(bytes >= 128 * 70000);
	/* the same check while packing finds the same */
	strbuf_reset(&f.list);
	o.check = l;
	o.check_fn = on_found;
	o.check_data = &f;
	unlink(out.buf);
	assert_int_equal(slug_pack(NULL, &o), 0);
	assert_string_equal(f.list.buf, want.buf);
	assert_int_equal(slug_scan_literals("/nonexistent.tgz", l, on_found, &f,
					    NULL),
			 ERR_FAIL);
	error_clear();

	rules_literals_free(l);
	assert_int_equal(fs_remove_tree(dir), 0);
	strbuf_release(&app);
	strbuf_release(&out);
	strbuf_release(&big);
	strbuf_release(&v0);
	strbuf_release(&v1);
	strbuf_release(&want);
	strbuf_release(&f.list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slug_slugignore_table),
		cmocka_unit_test(test_slug_slugignore_pathological),
		cmocka_unit_test(test_slug_slugignore_many_stars),
		cmocka_unit_test(test_slug_pack_reproducible),
		cmocka_unit_test(test_slug_pack_source_fixed),
		cmocka_unit_test(test_slug_scan_literals),
	};

	return cmocka_run_group_tests_name("slug", tests, NULL, NULL);
}
