/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the revision front end and the commit walks behind it
 * (src/gitwalk/revision.c, lite-*.c, commit-cache.c, rev-git2.c, walk.c):
 * every case runs five ways, with the lite backend (default), with
 * SLUGGUARD_NO_LITE=1 (libgit2 resolves and walks), with
 * SLUGGUARD_NO_ODB=1 (libgit2 for everything), without the commit-graph
 * and without the commit cache, and all must agree on the commits, their
 * order, the tags, the exit code and the message. Successful cases are also
 * checked against `git rev-list`. Repositories: a merge with tags of every
 * kind, a shallow clone (git clone --depth) and a linked worktree.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/gitwalk.h"
#include "slugguard/run.h"
#include "slugguard/strbuf.h"
#include "slugguard/zstream.h"
#include "gitwalk/gitwalk-internal.h"

#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[] = "/tmp/sg-rev-XXXXXX";
static char repo[PATH_MAX], shallow[PATH_MAX], worktree[PATH_MAX];
static long tick = 1700000000;

/* Run git in dir with the arguments (NULL-terminated); stdout to out. */
static int git(const char *dir, struct strbuf *out, ...)
{
	struct child c = CHILD_INIT;
	struct strbuf sink = STRBUF_INIT;
	const char *a;
	va_list ap;
	int rc;

	strvec_pushl(&c.args, "git", "-C", dir, "-c", "user.name=T", "-c",
		     "user.email=t@example.com", "-c", "commit.gpgsign=false",
		     "-c", "tag.gpgsign=false", "-c", "gc.auto=0", "-c",
		     "advice.nestedTag=false", NULL);
	va_start(ap, out);
	while ((a = va_arg(ap, const char *)))
		strvec_push(&c.args, a);
	va_end(ap);
	c.err = open("/dev/null", O_WRONLY);
	if (out)
		strbuf_reset(out);
	rc = run_capture(&c, out ? out : &sink, (size_t)16 << 20);
	close(c.err);
	strbuf_release(&sink);
	return rc;
}

/* A commit of file name (content: its message) at the next tick. */
static void commit(const char *name)
{
	struct strbuf path = STRBUF_INIT, date = STRBUF_INIT;

	strbuf_addf(&path, "%s/%s", repo, name);
	assert_int_equal(fs_write_atomic(path.buf, name, strlen(name), 0644),
			 0);
	strbuf_addf(&date, "%ld +0000", tick++);
	setenv("GIT_AUTHOR_DATE", date.buf, 1);
	setenv("GIT_COMMITTER_DATE", date.buf, 1);
	assert_int_equal(git(repo, NULL, "add", "-A", NULL), 0);
	assert_int_equal(git(repo, NULL, "commit", "-q", "-m", name, NULL), 0);
	strbuf_release(&path);
	strbuf_release(&date);
}

/*
 * main: c1 c2 c3 c4 m (m merges side: s1 s2, forked at c2). Tags: v1
 * (annotated, c3), vv (a tag of v1), ttree and tblob (annotated, of a
 * tree and a blob), lw (lightweight, c2). refs/foo/x (c1), refs/foobar
 * (c2) for --glob. Then a shallow clone of depth 2 and a worktree on side.
 */
static int setup(void **state)
{
	struct strbuf url = STRBUF_INIT;

	(void)state;
	assert_int_equal(fs_mkdtemp(tmp), 0);
	assert_true((size_t)snprintf(repo, sizeof(repo), "%s/r", tmp) <
		    sizeof(repo));
	assert_true((size_t)snprintf(shallow, sizeof(shallow), "%s/sh", tmp) <
		    sizeof(shallow));
	assert_true((size_t)snprintf(worktree, sizeof(worktree), "%s/wt", tmp) <
		    sizeof(worktree));
	assert_int_equal(git(tmp, NULL, "init", "-q", "-b", "main", "r", NULL),
			 0);
	commit("c1");
	commit("c2");
	assert_int_equal(git(repo, NULL, "branch", "side", NULL), 0);
	commit("c3");
	assert_int_equal(
		git(repo, NULL, "tag", "-a", "v1", "-m", "tag one", NULL), 0);
	commit("c4");
	assert_int_equal(git(repo, NULL, "checkout", "-q", "side", NULL), 0);
	commit("s1");
	commit("s2");
	assert_int_equal(git(repo, NULL, "checkout", "-q", "main", NULL), 0);
	assert_int_equal(
		git(repo, NULL, "merge", "-q", "--no-edit", "side", NULL), 0);
	assert_int_equal(git(repo, NULL, "tag", "-a", "vv", "-m", "tag of tag",
			     "v1", NULL),
			 0);
	assert_int_equal(git(repo, NULL, "tag", "-a", "ttree", "-m", "a tree",
			     "HEAD^{tree}", NULL),
			 0);
	assert_int_equal(git(repo, NULL, "tag", "-a", "tblob", "-m", "a blob",
			     "HEAD:c1", NULL),
			 0);
	assert_int_equal(git(repo, NULL, "tag", "lw", "HEAD~3", NULL), 0);
	assert_int_equal(
		git(repo, NULL, "update-ref", "refs/foo/x", "HEAD~4", NULL), 0);
	assert_int_equal(git(repo, NULL, "update-ref", "refs/foobar", "HEAD~3",
			     NULL),
			 0);
	strbuf_addf(&url, "file://%s", repo);
	assert_int_equal(git(tmp, NULL, "clone", "-q", "--depth", "2", url.buf,
			     "sh", NULL),
			 0);
	assert_int_equal(git(repo, NULL, "worktree", "add", "-q", "../wt",
			     "side", NULL),
			 0);
	strbuf_release(&url);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unsetenv("SLUGGUARD_NO_LITE");
	unsetenv("SLUGGUARD_NO_ODB");
	fs_remove_tree(tmp);
	return 0;
}

/* Every blob beside its base: the walk reads both either way. */
static bool want_base(void *data, unsigned thread)
{
	(void)data;
	(void)thread;
	return true;
}

static int on_blob(void *data, unsigned thread, size_t blob, const char *path,
		   const char *buf, size_t len, const char *base,
		   size_t base_len)
{
	(void)data;
	(void)thread;
	(void)blob;
	(void)path;
	(void)buf;
	(void)len;
	(void)base;
	(void)base_len;
	return 0;
}

/* "<commit> <label>" per message: the walk order and the tags. */
static int on_message(void *data, unsigned thread, const char *commit,
		      size_t commit_index, const char *label, const char *buf,
		      size_t len)
{
	struct strbuf *out = data;

	(void)thread;
	(void)commit_index;
	strbuf_addf(out, "%s %s", commit, label);
	if (starts_with(label, "(tag "))
		strbuf_addf(out, " %.*s", (int)len, buf);
	strbuf_addch(out, '\n');
	return 0;
}

enum mode { LITE, NO_LITE, NO_ODB, NO_GRAPH, NO_CACHE };

/* Walk revs in dir one way; out gets the messages, or the error. */
static int walk(const char *dir, enum mode m, const char *const *revs,
		size_t nr, struct strbuf *out)
{
	struct gitwalk_scan_ops ops = { on_blob, on_message, NULL,     out,
					1,	 0,	     want_base };
	struct gitwalk_hist *h = NULL;
	struct gitwalk *w = NULL;
	int rc;

	unsetenv("SLUGGUARD_NO_LITE");
	unsetenv("SLUGGUARD_NO_ODB");
	unsetenv("SLUGGUARD_NO_GRAPH");
	unsetenv("SLUGGUARD_NO_COMMIT_CACHE");
	if (m == NO_CACHE)
		setenv("SLUGGUARD_NO_COMMIT_CACHE", "1", 1);
	if (m == NO_GRAPH)
		setenv("SLUGGUARD_NO_GRAPH", "1", 1);
	if (m == NO_LITE)
		setenv("SLUGGUARD_NO_LITE", "1", 1);
	if (m == NO_ODB)
		setenv("SLUGGUARD_NO_ODB", "1", 1);
	strbuf_reset(out);
	error_clear();
	rc = gitwalk_open(&w, dir);
	if (!rc)
		rc = gitwalk_hist_revs(&h, w, revs, nr, &ops);
	if (rc < 0)
		strbuf_addf(out, "error %d: %s\n", rc, error_last());
	gitwalk_hist_free(h);
	gitwalk_free(w);
	error_clear();
	return rc;
}

/* The commits of `git rev-list revs` in dir, sorted, one per line. */
static void rev_list(const char *dir, const char *const *revs, size_t nr,
		     struct strbuf *out)
{
	struct child c = CHILD_INIT;

	strvec_pushl(&c.args, "git", "-C", dir, "rev-list", NULL);
	for (size_t i = 0; i < nr; i++)
		strvec_push(&c.args, revs[i]);
	c.err = open("/dev/null", O_WRONLY);
	strbuf_reset(out);
	assert_int_equal(run_capture(&c, out, (size_t)1 << 20), 0);
	close(c.err);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The ids that start the lines of s holding what (NULL: every line),
 * sorted, one per line, into out. */
static void sorted_ids(const char *s, const char *what, struct strbuf *out)
{
	struct strvec v = STRVEC_INIT;

	while (*s) {
		const char *nl = strchr(s, '\n');
		char *line = xstrndup(s, (size_t)(nl - s));

		if (!what || strstr(line, what)) {
			if (strlen(line) > GITWALK_HEXSZ)
				line[GITWALK_HEXSZ] = '\0';
			strvec_push(&v, line);
		}
		free(line);
		s = nl + 1;
	}
	if (v.nr)
		qsort(v.v, v.nr, sizeof(*v.v), cmp_str);
	strbuf_reset(out);
	for (size_t i = 0; i < v.nr; i++)
		strbuf_addf(out, "%s\n", v.v[i]);
	strvec_clear(&v);
}

/*
 * revs in dir: the three ways agree; on success the commits are
 * git rev-list's. Returns the code; msgs (may be NULL) gets the output.
 */
static int check(const char *dir, struct strbuf *msgs, size_t nr, ...)
{
	const char *revs[8];
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, c = STRBUF_INIT,
		      d = STRBUF_INIT, e = STRBUF_INIT, want = STRBUF_INIT,
		      got = STRBUF_INIT;
	va_list ap;
	int rc, rc2, rc3, rc4, rc5;

	assert_true(nr <= ARRAY_SIZE(revs));
	va_start(ap, nr);
	for (size_t i = 0; i < nr; i++)
		revs[i] = va_arg(ap, const char *);
	va_end(ap);
	rc = walk(dir, LITE, revs, nr, &a);
	rc2 = walk(dir, NO_LITE, revs, nr, &b);
	rc3 = walk(dir, NO_ODB, revs, nr, &c);
	rc4 = walk(dir, NO_GRAPH, revs, nr, &d);
	rc5 = walk(dir, NO_CACHE, revs, nr, &e);
	if (strcmp(a.buf, b.buf) || strcmp(a.buf, c.buf) ||
	    strcmp(a.buf, d.buf) || strcmp(a.buf, e.buf))
		print_error("%s: lite:\n%sno lite:\n%sno odb:\n%sno graph:\n%s"
			    "no commit cache:\n%s",
			    revs[0], a.buf, b.buf, c.buf, d.buf, e.buf);
	assert_int_equal(rc, rc2);
	assert_int_equal(rc, rc3);
	assert_int_equal(rc, rc4);
	assert_int_equal(rc, rc5);
	assert_string_equal(a.buf, b.buf);
	assert_string_equal(a.buf, c.buf);
	assert_string_equal(a.buf, d.buf);
	assert_string_equal(a.buf, e.buf);
	if (!rc) {
		/* rev-list's order is its own: compare as sorted sets. */
		rev_list(dir, revs, nr, &want);
		sorted_ids(want.buf, NULL, &want);
		sorted_ids(a.buf, "(commit message)", &got);
		assert_string_equal(got.buf, want.buf);
	}
	if (msgs) {
		strbuf_reset(msgs);
		strbuf_addbuf(msgs, &a);
	}
	strbuf_release(&a);
	strbuf_release(&b);
	strbuf_release(&c);
	strbuf_release(&d);
	strbuf_release(&e);
	strbuf_release(&want);
	strbuf_release(&got);
	return rc;
}

/* Lines in s (the count of commits walked, or of tags met). */
static size_t count(const struct strbuf *s, const char *what)
{
	size_t n = 0;

	for (const char *p = s->buf; (p = strstr(p, what)); p++)
		n++;
	return n;
}

static void test_rev_grammar(void **state)
{
	struct strbuf out = STRBUF_INIT, hex = STRBUF_INIT;
	char abbrev[8];

	(void)state;
	assert_int_equal(check(repo, &out, 1, "HEAD"), 0);
	assert_int_equal(count(&out, "(commit message)"), 7);
	assert_int_equal(check(repo, &out, 1, "main~1..main"), 0);
	assert_int_equal(count(&out, "(commit message)"), 3);
	/* A.. and ..B: the empty side is HEAD */
	assert_int_equal(check(repo, &out, 1, "side.."), 0);
	assert_int_equal(count(&out, "(commit message)"), 3);
	assert_int_equal(check(repo, &out, 1, "..side"), 0);
	assert_int_equal(count(&out, "(commit message)"), 0);
	assert_int_equal(check(repo, &out, 1, "HEAD..HEAD"), 0);
	assert_int_equal(count(&out, "(commit message)"), 0);
	assert_int_equal(check(repo, NULL, 1, "HEAD^2"), 0);
	assert_int_equal(check(repo, NULL, 1, "HEAD^{commit}"), 0);
	assert_int_equal(check(repo, NULL, 1, "HEAD~0"), 0);
	assert_int_equal(check(repo, NULL, 1, "HEAD^0"), 0);
	assert_int_equal(check(repo, NULL, 1, "HEAD~2^"), 0);
	assert_int_equal(check(repo, NULL, 1, "@"), 0);
	assert_int_equal(check(repo, NULL, 1, "@~1"), 0);
	assert_int_equal(check(repo, NULL, 1, "refs/heads/side"), 0);
	assert_int_equal(check(repo, NULL, 1, "heads/side"), 0);
	assert_int_equal(check(repo, NULL, 2, "^v1", "main"), 0);
	assert_int_equal(check(repo, NULL, 3, "main", "--not", "side"), 0);
	assert_int_equal(check(repo, NULL, 4, "main", "--not", "side", "--not"),
			 0);
	assert_int_equal(check(repo, NULL, 1, "--branches"), 0);
	assert_int_equal(check(repo, NULL, 1, "--branches=si*"), 0);
	assert_int_equal(check(repo, NULL, 1, "--tags"), 0);
	assert_int_equal(check(repo, NULL, 1, "--tags=v*"), 0);
	assert_int_equal(check(repo, NULL, 1, "--remotes"), 0);
	assert_int_equal(check(repo, NULL, 1, "--all"), 0);
	assert_int_equal(check(repo, NULL, 2, "--not", "--all"), 0);
	assert_int_equal(check(repo, &out, 1, "--glob=foo"), 0);
	assert_int_equal(count(&out, "(commit message)"), 1);
	assert_int_equal(check(repo, &out, 1, "--glob=refs/foo*"), 0);
	assert_int_equal(count(&out, "(commit message)"), 2);
	/* A...B: both sides minus their merge base (libgit2 computes it) */
	assert_int_equal(check(repo, NULL, 1, "side...main~1"), 0);
	assert_int_equal(check(repo, NULL, 3, "main", "--not", "side...main~1"),
			 0);
	/* ids: full, abbreviated (libgit2 only, so the lite walk hands over) */
	assert_int_equal(git(repo, &hex, "rev-parse", "HEAD~2", NULL), 0);
	strbuf_rtrim(&hex);
	assert_int_equal(check(repo, NULL, 1, hex.buf), 0);
	memcpy(abbrev, hex.buf, 7);
	abbrev[7] = '\0';
	assert_int_equal(check(repo, NULL, 1, abbrev), 0);
	assert_int_equal(check(repo, NULL, 1, "main@{0}"), 0);
	strbuf_release(&out);
	strbuf_release(&hex);
}

static void test_rev_errors(void **state)
{
	static const char *const unresolved[] = {
		"nope",		"nope..HEAD",
		"HEAD..nope",	"HEAD~99",
		"HEAD^5",	"HEAD~x",
		"ttree~1",	"ttree^{commit}",
		"HEAD~2000000", "0000000000000000000000000000000000000001",
	};
	struct strbuf out = STRBUF_INIT, want = STRBUF_INIT;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(unresolved); i++) {
		assert_int_equal(check(repo, &out, 1, unresolved[i]),
				 ERR_NOTFOUND);
		strbuf_reset(&want);
		strbuf_addf(&want, "cannot resolve '%s'", unresolved[i]);
		assert_non_null(strstr(out.buf, want.buf));
	}
	/* tags of trees and blobs, and a tree by name: no commit */
	assert_int_equal(check(repo, &out, 1, "ttree"), ERR_NOTFOUND);
	assert_non_null(strstr(out.buf, "'ttree' does not name a commit"));
	assert_int_equal(check(repo, &out, 1, "tblob"), ERR_NOTFOUND);
	assert_non_null(strstr(out.buf, "'tblob' does not name a commit"));
	assert_int_equal(check(repo, &out, 1, "HEAD^{tree}"), ERR_NOTFOUND);
	assert_int_equal(check(repo, &out, 2, "^ttree", "HEAD"), ERR_NOTFOUND);
	assert_non_null(strstr(out.buf, "'ttree' does not name a commit"));
	assert_int_equal(check(repo, &out, 1, "ttree..HEAD"), ERR_NOTFOUND);
	assert_non_null(
		strstr(out.buf, "'ttree..HEAD' does not name a commit"));
	assert_int_equal(check(repo, &out, 1, "--bogus"), ERR_FAIL);
	assert_non_null(strstr(out.buf, "unknown revision option '--bogus'"));
	assert_int_equal(check(repo, &out, 1, "--branches="), ERR_FAIL);
	strbuf_release(&out);
	strbuf_release(&want);
}

/* Annotated tags of commits in the range, tags of tags too; not the
 * lightweight one, not those of trees and blobs. */
static void test_rev_tags(void **state)
{
	struct strbuf out = STRBUF_INIT;

	(void)state;
	assert_int_equal(check(repo, &out, 1, "--all"), 0);
	assert_non_null(strstr(out.buf, "(tag v1) tag one"));
	assert_non_null(strstr(out.buf, "(tag vv) tag of tag"));
	assert_int_equal(count(&out, "(tag "), 2);
	assert_int_equal(check(repo, &out, 1, "vv"), 0);
	assert_int_equal(count(&out, "(commit message)"), 3);
	assert_int_equal(check(repo, &out, 1, "vv~1"), 0);
	assert_int_equal(count(&out, "(tag "), 0);
	assert_int_equal(check(repo, &out, 1, "lw"), 0);
	assert_int_equal(count(&out, "(commit message)"), 2);
	/* the same once every ref is packed (peeled lines included) */
	assert_int_equal(git(repo, NULL, "pack-refs", "--all", NULL), 0);
	assert_int_equal(check(repo, &out, 1, "--all"), 0);
	assert_int_equal(count(&out, "(tag "), 2);
	assert_int_equal(check(repo, NULL, 1, "--tags"), 0);
	assert_int_equal(check(repo, NULL, 2, "^v1", "main"), 0);
	assert_int_equal(check(repo, NULL, 1, "--glob=foo"), 0);
	assert_int_equal(check(repo, &out, 1, "ttree"), ERR_NOTFOUND);
	strbuf_release(&out);
}

/* A shallow clone: the walk stops at the boundary, ~N past it fails. */
static void test_rev_shallow(void **state)
{
	struct strbuf out = STRBUF_INIT;

	(void)state;
	assert_int_equal(check(shallow, &out, 1, "HEAD"), 0);
	assert_int_equal(count(&out, "(commit message)"), 3);
	assert_int_equal(check(shallow, &out, 1, "HEAD~1"), 0);
	assert_int_equal(count(&out, "(commit message)"), 1);
	assert_int_equal(check(shallow, NULL, 1, "HEAD^2"), 0);
	assert_int_equal(check(shallow, NULL, 1, "--all"), 0);
	assert_int_equal(check(shallow, NULL, 1, "HEAD~1..HEAD"), 0);
	assert_int_equal(check(shallow, &out, 1, "HEAD~2"), ERR_NOTFOUND);
	assert_non_null(strstr(out.buf, "cannot resolve 'HEAD~2'"));
	strbuf_release(&out);
}

/* The date of the next commit-tree/commit. */
static void next_tick(void)
{
	char date[32];

	snprintf(date, sizeof(date), "%ld +0000", tick++);
	setenv("GIT_AUTHOR_DATE", date, 1);
	setenv("GIT_COMMITTER_DATE", date, 1);
}

/* A commit of tree HEAD^{tree} in dir with the parents; its id in out. */
static void commit_tree(const char *dir, struct strbuf *out,
			const struct strvec *parents, const char *msg)
{
	struct child c = CHILD_INIT;

	next_tick();
	strvec_pushl(&c.args, "git", "-C", dir, "-c", "user.name=T", "-c",
		     "user.email=t@example.com", "commit-tree", "HEAD^{tree}",
		     "-m", msg, NULL);
	for (size_t i = 0; i < parents->nr; i++)
		strvec_pushl(&c.args, "-p", parents->v[i], NULL);
	strbuf_reset(out);
	assert_int_equal(run_capture(&c, out, 4096), 0);
	strbuf_rtrim(out);
}

static uint32_t get_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/*
 * Damage the commit-graph file at path in repository dir: its first
 * row's first parent points past every table. A walk of every commit
 * must then fail naming the damage. data holds the damaged bytes
 * afterwards.
 */
static void damage_first_row(const char *dir, const char *path,
			     struct strbuf *data)
{
	struct strbuf out = STRBUF_INIT;
	const unsigned char *d;
	size_t cdat = 0;

	strbuf_reset(data);
	assert_int_equal(fs_read_capped(data, path, (size_t)1 << 20), 0);
	d = (const unsigned char *)data->buf;
	for (unsigned i = 0; i < d[6]; i++)
		if (!memcmp(d + 8 + i * 12, "CDAT", 4))
			cdat = (size_t)get_be32(d + 8 + i * 12 + 8);
	assert_true(cdat > 0 && cdat + 24 < data->len);
	memcpy(data->buf + cdat + 20, "\x00\xff\xff\x00", 4);
	assert_int_equal(fs_write_atomic(path, data->buf, data->len, 0644), 0);
	assert_int_equal(walk(dir, LITE, (const char *const[]){ "--all" }, 1,
			      &out),
			 ERR_FAIL);
	assert_non_null(strstr(out.buf, "damaged commit-graph: commit "));
	strbuf_release(&out);
}

/*
 * A commit-graph (git commit-graph write): the walk reads parents and
 * dates from it and agrees with every other way and with rev-list,
 * through an octopus of 3 (extra-edge list) and one of 17 (more parents
 * than the walk takes from the graph: read from its object), and for
 * commits newer than the graph. A damaged graph is an error naming it.
 */
static void test_rev_graph(void **state)
{
	struct strbuf dir = STRBUF_INIT, id = STRBUF_INIT, out = STRBUF_INIT,
		      file = STRBUF_INIT, data = STRBUF_INIT;
	struct strvec small = STRVEC_INIT, big = STRVEC_INIT, one = STRVEC_INIT;

	(void)state;
	strbuf_addf(&dir, "%s/g", tmp);
	assert_int_equal(git(tmp, NULL, "clone", "-q", repo, "g", NULL), 0);
	strvec_push(&one, "HEAD");
	for (int i = 0; i < 17; i++) {
		commit_tree(dir.buf, &id, &one, "leg");
		strvec_push(i < 3 ? &small : &big, id.buf);
	}
	for (int i = 0; i < 3; i++)
		strvec_push(&big, small.v[i]);
	strvec_push(&small, "HEAD");
	commit_tree(dir.buf, &id, &small, "octopus of 4");
	strvec_clear(&one);
	strvec_push(&one, id.buf);
	for (size_t i = 0; i < big.nr; i++)
		strvec_push(&one, big.v[i]);
	commit_tree(dir.buf, &id, &one, "octopus of 18");
	assert_int_equal(git(dir.buf, NULL, "update-ref", "refs/heads/main",
			     id.buf, NULL),
			 0);
	assert_int_equal(git(dir.buf, NULL, "commit-graph", "write",
			     "--reachable", NULL),
			 0);
	strbuf_addf(&file, "%s/.git/objects/info/commit-graph", dir.buf);
	assert_int_equal(access(file.buf, F_OK), 0);
	/* Two commits the graph does not have. */
	strvec_clear(&one);
	strvec_push(&one, "HEAD");
	commit_tree(dir.buf, &id, &one, "after the graph");
	assert_int_equal(git(dir.buf, NULL, "update-ref", "refs/heads/main",
			     id.buf, NULL),
			 0);
	assert_int_equal(check(dir.buf, &out, 1, "HEAD"), 0);
	assert_int_equal(count(&out, "(commit message)"), 7 + 17 + 3);
	assert_int_equal(check(dir.buf, &out, 1, "HEAD~1..HEAD"), 0);
	assert_int_equal(check(dir.buf, &out, 1, "HEAD~2..HEAD"), 0);
	assert_int_equal(count(&out, "(commit message)"), 2 + 14);
	assert_int_equal(check(dir.buf, NULL, 1, "HEAD~2"), 0);
	assert_int_equal(check(dir.buf, NULL, 2, "--all", "^origin/side"), 0);
	assert_int_equal(check(dir.buf, NULL, 1, "origin/side..HEAD~1"), 0);
	/* Damage: the first row's first parent points past the table. */
	damage_first_row(dir.buf, file.buf, &data);
	/* A torn file: refused whole, naming it. */
	assert_int_equal(
		fs_write_atomic(file.buf, data.buf, data.len / 2, 0644), 0);
	assert_int_equal(walk(dir.buf, LITE, (const char *const[]){ "HEAD" }, 1,
			      &out),
			 ERR_FAIL);
	assert_non_null(strstr(out.buf, "damaged commit-graph '"));
	assert_non_null(strstr(out.buf, "objects/info/commit-graph"));
	/* Without it the walk reads the objects as before. */
	assert_int_equal(unlink(file.buf), 0);
	assert_int_equal(check(dir.buf, NULL, 1, "HEAD"), 0);
	strvec_clear(&small);
	strvec_clear(&big);
	strvec_clear(&one);
	strbuf_release(&dir);
	strbuf_release(&id);
	strbuf_release(&out);
	strbuf_release(&file);
	strbuf_release(&data);
}

static uint32_t get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* The CRC at the end of the cache file data (commit-cache.c) is right. */
static bool cache_crc_ok(const struct strbuf *data)
{
	return data->len > 20 &&
	       zs_crc32(0, data->buf, data->len - 4) ==
		       get_le32((const unsigned char *)data->buf + data->len -
				4);
}

/* nr commits on tip (one id, replaced by the last), branch more at it. */
static void grow_more(const char *dir, struct strvec *tip, int nr,
		      const char *msg)
{
	struct strbuf id = STRBUF_INIT;

	for (int i = 0; i < nr; i++) {
		commit_tree(dir, &id, tip, msg);
		strvec_clear(tip);
		strvec_push(tip, id.buf);
	}
	assert_int_equal(git(dir, NULL, "update-ref", "refs/heads/more", id.buf,
			     NULL),
			 0);
	strbuf_release(&id);
}

/*
 * Without a commit-graph the walk keeps what it read of each commit in
 * <gitdir>/slugguard/commits (commit-cache.c) and reads it back on the
 * next walk: 60 commits with a merge of a side branch dated before its
 * fork (clock skew) and an octopus of 18 (not cached). Every walk, cold,
 * warm and over a damaged file, agrees with rev-list and with the cache
 * turned off; a file that is valid but lies shows that it is read; one
 * that cannot be written is no error.
 */
static void test_rev_commit_cache(void **state)
{
	struct strbuf dir = STRBUF_INIT, id = STRBUF_INIT, out = STRBUF_INIT,
		      file = STRBUF_INIT, data = STRBUF_INIT,
		      root = STRBUF_INIT, lie = STRBUF_INIT;
	struct strvec one = STRVEC_INIT, legs = STRVEC_INIT;
	const char *const head[] = { "HEAD" };
	unsigned char raw[GITWALK_HEXSZ / 2];
	size_t n, np, all;

	(void)state;
	strbuf_addf(&dir, "%s/cc", tmp);
	assert_int_equal(git(tmp, NULL, "clone", "-q", repo, "cc", NULL), 0);
	strbuf_addf(&file, "%s/.git/slugguard/commits", dir.buf);
	strvec_push(&one, "HEAD");
	for (int i = 0; i < 60; i++) {
		commit_tree(dir.buf, &id, &one, "line");
		strvec_clear(&one);
		strvec_push(&one, id.buf);
		if (i == 20)
			strvec_push(&legs, id.buf);
	}
	/* a side commit dated a day before its fork point */
	tick -= 86400;
	commit_tree(dir.buf, &id, &legs, "skewed");
	tick += 86400;
	strvec_clear(&legs);
	strvec_push(&legs, one.v[0]);
	strvec_push(&legs, id.buf);
	for (int i = 0; i < 16; i++) {
		commit_tree(dir.buf, &id, &one, "leg");
		strvec_push(&legs, id.buf);
	}
	commit_tree(dir.buf, &id, &legs, "octopus of 18");
	assert_int_equal(git(dir.buf, NULL, "update-ref", "refs/heads/main",
			     id.buf, NULL),
			 0);
	assert_int_equal(access(file.buf, F_OK), -1);
	/* cold: the first walk writes the file, the others read it */
	assert_int_equal(check(dir.buf, &out, 1, "HEAD"), 0);
	all = count(&out, "(commit message)");
	assert_int_equal(all, 7 + 60 + 1 + 16 + 1);
	assert_int_equal(fs_read_capped(&data, file.buf, 1 << 20), 0);
	assert_memory_equal(data.buf, "SGCC", 4);
	assert_true(cache_crc_ok(&data));
	n = get_le32((unsigned char *)data.buf + 8);
	np = get_le32((unsigned char *)data.buf + 12);
	/* every commit but the octopus, each with its parents */
	assert_int_equal(n, all - 1);
	assert_int_equal(data.len, 16 + 32 * n + 20 * np + 4);
	assert_int_equal(check(dir.buf, NULL, 1, "HEAD~1..HEAD"), 0);
	assert_int_equal(check(dir.buf, NULL, 1, "HEAD^2~3..HEAD^2"), 0);
	assert_int_equal(check(dir.buf, NULL, 2, "HEAD", "^HEAD^3"), 0);
	assert_int_equal(check(dir.buf, NULL, 2, "--all", "^origin/side"), 0);
	/* A valid file that lies (every parent the root): read, so the
	 * walk believes it. */
	assert_int_equal(git(dir.buf, &root, "rev-list", "--max-parents=0",
			     "HEAD", NULL),
			 0);
	for (size_t i = 0; i < sizeof(raw); i++)
		assert_int_equal(sscanf(root.buf + 2 * i, "%2hhx", &raw[i]), 1);
	strbuf_addbuf(&lie, &data);
	for (size_t i = 0; i < np; i++)
		memcpy(lie.buf + 16 + 32 * n + 20 * i, raw, sizeof(raw));
	{
		uint32_t crc = zs_crc32(0, lie.buf, lie.len - 4);

		for (int i = 0; i < 4; i++)
			lie.buf[lie.len - 4 + i] = (char)(crc >> (8 * i));
	}
	assert_int_equal(fs_write_atomic(file.buf, lie.buf, lie.len, 0644), 0);
	assert_int_equal(walk(dir.buf, LITE, head, 1, &out), 0);
	assert_true(count(&out, "(commit message)") < all);
	assert_int_equal(walk(dir.buf, NO_CACHE, head, 1, &out), 0);
	assert_int_equal(count(&out, "(commit message)"), all);
	/* Damage of every kind: ignored, the walk reads the objects and
	 * writes the file anew. */
	for (int k = 0; k < 5; k++) {
		struct strbuf bad = STRBUF_INIT, again = STRBUF_INIT;

		assert_int_equal(unlink(file.buf), 0);
		strbuf_addbuf(&bad, &data);
		if (k == 0)
			bad.buf[16 + 32 * (n / 2) + 20] ^= 1; /* a date */
		else if (k == 1)
			strbuf_setlen(&bad, bad.len / 2); /* torn */
		else if (k == 2)
			strbuf_setlen(&bad, 0); /* empty */
		else if (k == 3)
			bad.buf[4] = 9; /* another version */
		if (k == 4) {
			assert_int_equal(mkdir(file.buf, 0755), 0);
		} else {
			assert_int_equal(fs_write_atomic(file.buf, bad.buf,
							 bad.len, 0644),
					 0);
		}
		assert_int_equal(check(dir.buf, &out, 1, "HEAD"), 0);
		assert_int_equal(count(&out, "(commit message)"), all);
		if (k == 4) {
			/* cannot be replaced: no error, nothing written */
			assert_int_equal(rmdir(file.buf), 0);
		} else {
			assert_int_equal(
				fs_read_capped(&again, file.buf, 1 << 20), 0);
			assert_true(cache_crc_ok(&again));
			assert_int_equal(again.len, data.len);
		}
		strbuf_release(&bad);
		strbuf_release(&again);
	}
	/*
	 * A graph beside a warm cache: 40 commits the cache lacks and the
	 * graph has, then 2 newer than both. The graph is opened at the
	 * first miss, commits known by id across the two; the walks agree
	 * with rev-list, the graph read by rows (cache off) and the objects
	 * (graph off). The next walk finds them all in the cache.
	 */
	assert_int_equal(fs_write_atomic(file.buf, data.buf, data.len, 0644),
			 0);
	grow_more(dir.buf, &one, 40, "after the cache");
	assert_int_equal(git(dir.buf, NULL, "commit-graph", "write",
			     "--reachable", NULL),
			 0);
	grow_more(dir.buf, &one, 2, "after the graph");
	assert_int_equal(check(dir.buf, &out, 1, "more"), 0);
	assert_int_equal(count(&out, "(commit message)"), 7 + 60 + 42);
	assert_int_equal(check(dir.buf, NULL, 2, "more", "^HEAD~1"), 0);
	assert_int_equal(check(dir.buf, NULL, 1, "--all"), 0);
	strbuf_reset(&data);
	assert_int_equal(fs_read_capped(&data, file.buf, 1 << 20), 0);
	assert_true(cache_crc_ok(&data));
	assert_int_equal(get_le32((unsigned char *)data.buf + 8), n + 42);
	/* a symbolic link is not followed */
	assert_int_equal(fs_write_atomic(file.buf, lie.buf, lie.len, 0644), 0);
	strbuf_reset(&id);
	strbuf_addf(&id, "%s.lie", file.buf);
	assert_int_equal(rename(file.buf, id.buf), 0);
	assert_int_equal(symlink(id.buf, file.buf), 0);
	assert_int_equal(walk(dir.buf, LITE, head, 1, &out), 0);
	assert_int_equal(count(&out, "(commit message)"), all);
	/* hooks install fills it from every ref: all but the octopus; a
	 * lock a dead writer left a while ago does not stop it, a fresh
	 * one (a save under way) does */
	assert_int_equal(unlink(file.buf), 0);
	strbuf_reset(&id);
	strbuf_addf(&id, "%s.lock", file.buf);
	assert_int_equal(fs_write_atomic(id.buf, "x", 1, 0644), 0);
	{
		struct gitwalk *w = NULL;
		size_t nr = 0;

		assert_int_equal(gitwalk_open(&w, dir.buf), 0);
		assert_true(gitwalk_prime_commits(w, &nr) < 0);
		error_clear();
		gitwalk_free(w);
		assert_int_equal(access(file.buf, F_OK), -1);
	}
	{
		struct timespec old[2] = { { 1000, 0 }, { 1000, 0 } };

		assert_int_equal(utimensat(AT_FDCWD, id.buf, old, 0), 0);
	}
	{
		struct gitwalk *w = NULL;
		size_t nr = 0;

		assert_int_equal(gitwalk_open(&w, dir.buf), 0);
		assert_int_equal(gitwalk_prime_commits(w, &nr), 0);
		gitwalk_free(w);
		assert_int_equal(nr, all + 42 - 1);
	}
	assert_int_equal(access(id.buf, F_OK), -1);
	strbuf_reset(&data);
	assert_int_equal(fs_read_capped(&data, file.buf, 1 << 20), 0);
	assert_true(cache_crc_ok(&data));
	assert_int_equal(check(dir.buf, NULL, 1, "--all"), 0);
	strvec_clear(&one);
	strvec_clear(&legs);
	strbuf_release(&dir);
	strbuf_release(&id);
	strbuf_release(&out);
	strbuf_release(&file);
	strbuf_release(&data);
	strbuf_release(&root);
	strbuf_release(&lie);
}

/*
 * A split commit-graph (git commit-graph write --split, as git
 * maintenance writes it): two layers, the top one's rows pointing at
 * parents in the base layer (a merge with a base-layer side), and a
 * commit newer than both. Every walk agrees with rev-list; damage to a
 * layer, a chain naming a missing layer and a garbled chain are errors
 * that name the file.
 */
static void test_rev_graph_split(void **state)
{
	struct strbuf dir = STRBUF_INIT, id = STRBUF_INIT, out = STRBUF_INIT,
		      chain = STRBUF_INIT, layer = STRBUF_INIT,
		      data = STRBUF_INIT, top = STRBUF_INIT;
	struct strvec one = STRVEC_INIT;

	(void)state;
	strbuf_addf(&dir, "%s/split", tmp);
	assert_int_equal(git(tmp, NULL, "clone", "-q", repo, "split", NULL), 0);
	assert_int_equal(git(dir.buf, NULL, "commit-graph", "write",
			     "--reachable", "--split", NULL),
			 0);
	strvec_push(&one, "HEAD");
	commit_tree(dir.buf, &id, &one, "top layer one");
	strvec_clear(&one);
	strvec_push(&one, id.buf);
	commit_tree(dir.buf, &id, &one, "top layer two");
	strvec_clear(&one);
	strvec_push(&one, id.buf);
	strvec_push(&one, "origin/side");
	commit_tree(dir.buf, &id, &one, "top layer merge");
	assert_int_equal(git(dir.buf, NULL, "update-ref", "refs/heads/main",
			     id.buf, NULL),
			 0);
	assert_int_equal(git(dir.buf, NULL, "commit-graph", "write",
			     "--reachable", "--split=no-merge", NULL),
			 0);
	strbuf_addf(&chain,
		    "%s/.git/objects/info/commit-graphs/commit-graph-chain",
		    dir.buf);
	assert_int_equal(fs_read_capped(&data, chain.buf, 4096), 0);
	assert_int_equal(data.len, 2 * 41);
	strbuf_addf(&layer,
		    "%s/.git/objects/info/commit-graphs/graph-%.40s.graph",
		    dir.buf, data.buf + 41);
	strbuf_add(&top, data.buf, data.len);
	strvec_clear(&one);
	strvec_push(&one, "HEAD");
	commit_tree(dir.buf, &id, &one, "after the graph");
	assert_int_equal(git(dir.buf, NULL, "update-ref", "refs/heads/main",
			     id.buf, NULL),
			 0);
	assert_int_equal(check(dir.buf, &out, 1, "HEAD"), 0);
	assert_int_equal(check(dir.buf, &out, 1, "HEAD~3..HEAD"), 0);
	assert_int_equal(count(&out, "(commit message)"), 3);
	assert_int_equal(check(dir.buf, NULL, 2, "--all", "^origin/side"), 0);
	assert_int_equal(check(dir.buf, NULL, 1, "origin/side..HEAD~1"), 0);
	/* Damage in the top layer: a row's parent past its layer. */
	damage_first_row(dir.buf, layer.buf, &data);
	/* A chain naming a layer that is not there. */
	strbuf_addstr(&top, "0123456789012345678901234567890123456789\n");
	assert_int_equal(fs_write_atomic(chain.buf, top.buf, top.len, 0644), 0);
	assert_int_equal(walk(dir.buf, LITE, (const char *const[]){ "HEAD" }, 1,
			      &out),
			 ERR_FAIL);
	assert_non_null(strstr(out.buf, "damaged commit-graph '"));
	assert_non_null(strstr(out.buf, "graph-0123456789"));
	/* A NUL after the first id does not end the list there. */
	strbuf_reset(&data);
	strbuf_add(&data, top.buf, 41);
	strbuf_add(&data, "\0\n", 2);
	assert_int_equal(fs_write_atomic(chain.buf, data.buf, data.len, 0644),
			 0);
	assert_int_equal(walk(dir.buf, LITE, (const char *const[]){ "HEAD" }, 1,
			      &out),
			 ERR_FAIL);
	assert_non_null(strstr(out.buf, "line 2 is not a layer id"));
	/* A chain that is not a list of ids. */
	assert_int_equal(fs_write_atomic(chain.buf, "not an id\n", 10, 0644),
			 0);
	assert_int_equal(walk(dir.buf, LITE, (const char *const[]){ "HEAD" }, 1,
			      &out),
			 ERR_FAIL);
	assert_non_null(strstr(out.buf, "line 1 is not a layer id"));
	/* Without it the walk reads the objects as before. */
	assert_int_equal(unlink(chain.buf), 0);
	assert_int_equal(check(dir.buf, NULL, 1, "HEAD"), 0);
	strvec_clear(&one);
	strbuf_release(&dir);
	strbuf_release(&id);
	strbuf_release(&out);
	strbuf_release(&chain);
	strbuf_release(&layer);
	strbuf_release(&data);
	strbuf_release(&top);
}

/* A linked worktree: its own HEAD, the common refs. */
static void test_rev_worktree(void **state)
{
	struct strbuf out = STRBUF_INIT;

	(void)state;
	assert_int_equal(check(worktree, &out, 1, "HEAD"), 0);
	assert_int_equal(count(&out, "(commit message)"), 4);
	assert_int_equal(check(worktree, &out, 1, "main..HEAD"), 0);
	assert_int_equal(count(&out, "(commit message)"), 0);
	assert_int_equal(check(worktree, &out, 1, "HEAD..main"), 0);
	assert_int_equal(count(&out, "(commit message)"), 3);
	assert_int_equal(check(worktree, NULL, 1, "--all"), 0);
	strbuf_release(&out);
}

/* A finding's author line: our reader and libgit2 read it alike. */
static void test_commit_meta(void **state)
{
	struct strbuf hex = STRBUF_INIT, who = STRBUF_INIT, when = STRBUF_INIT,
		      who2 = STRBUF_INIT, when2 = STRBUF_INIT;
	struct gitwalk *w = NULL;

	(void)state;
	assert_int_equal(git(repo, &hex, "rev-parse", "HEAD", NULL), 0);
	strbuf_rtrim(&hex);
	unsetenv("SLUGGUARD_NO_ODB");
	assert_int_equal(gitwalk_open(&w, repo), 0);
	assert_int_equal(gitwalk_commit_meta(w, hex.buf, &who, &when), 0);
	assert_true(gitwalk_commit_meta(w, "xyz", &who2, &when2) < 0);
	error_clear();
	gitwalk_free(w);
	setenv("SLUGGUARD_NO_ODB", "1", 1);
	assert_int_equal(gitwalk_open(&w, repo), 0);
	assert_int_equal(gitwalk_commit_meta(w, hex.buf, &who2, &when2), 0);
	gitwalk_free(w);
	unsetenv("SLUGGUARD_NO_ODB");
	assert_string_equal(who.buf, "T <t@example.com>");
	assert_true(starts_with(when.buf, "2023-11-14T22:13:2"));
	assert_true(ends_with(when.buf, "Z"));
	assert_string_equal(who.buf, who2.buf);
	assert_string_equal(when.buf, when2.buf);
	strbuf_release(&hex);
	strbuf_release(&who);
	strbuf_release(&when);
	strbuf_release(&who2);
	strbuf_release(&when2);
}

/* The raw parsers the walk and the fuzz target share. */
static void test_parse_raw(void **state)
{
	static const char zeros[] = "0000000000000000000000000000000000000000";
	struct strbuf raw = STRBUF_INIT, out = STRBUF_INIT;

	(void)state;
	strbuf_addf(&raw,
		    "tree %s\nparent %s\nparent %s\n"
		    "author A U <a@example.com> 1700000000 -0130\n"
		    "committer C <c@example.com> 1700000000 +0000\n\n\nmsg\n",
		    zeros, zeros, zeros);
	assert_int_equal(gitwalk_parse_raw(raw.buf, raw.len, &out), 0);
	assert_non_null(strstr(out.buf, "commit 0 2 "));
	assert_non_null(strstr(out.buf, "A U <a@example.com> 123"));
	/* a forged time zone, a cut header: no date, no commit */
	strbuf_reset(&raw);
	strbuf_addf(&raw, "tree %s\nauthor A <a@x> 1 +99999\n\n", zeros);
	strbuf_reset(&out);
	assert_int_equal(gitwalk_parse_raw(raw.buf, raw.len, &out), 0);
	assert_null(strstr(out.buf, "<a@x> ")); /* no year: refused */
	strbuf_reset(&out);
	assert_int_equal(gitwalk_parse_raw("tree 12", 7, &out), 0);
	assert_non_null(strstr(out.buf, "commit -1 "));
	strbuf_release(&raw);
	strbuf_release(&out);
}

/*
 * Tree entries with names of 1 to 19 bytes (the NUL search goes eight
 * bytes at a time) and ids full of NULs and spaces: all parsed; cut
 * anywhere but between two entries, the tree is refused.
 */
static void test_parse_tree_names(void **state)
{
	struct strbuf raw = STRBUF_INIT, out = STRBUF_INIT, want = STRBUF_INIT;
	size_t ends[20], n = 0;

	(void)state;
	for (size_t len = 1; len <= 19; len++) {
		strbuf_addstr(&raw, len % 2 ? "100644 " : "40000 ");
		for (size_t i = 0; i < len; i++)
			strbuf_addch(&raw, (char)('a' + (len + i) % 26));
		strbuf_addch(&raw, '\0');
		for (size_t i = 0; i < 20; i++)
			strbuf_addch(&raw, (char)(i % 3 ? 0 : ' '));
		ends[n++] = raw.len;
	}
	for (size_t cut = 0, k = 0; cut <= raw.len; cut++) {
		strbuf_reset(&out);
		strbuf_reset(&want);
		assert_int_equal(gitwalk_parse_raw(raw.buf, cut, &out), 0);
		if (cut && k < n && cut == ends[k])
			k++;
		if (!cut || (k && cut == ends[k - 1]))
			strbuf_addf(&want, "tree 0 %zu\n", k);
		else
			strbuf_addstr(&want, "tree -");
		assert_true(starts_with(out.buf, want.buf));
	}
	strbuf_release(&raw);
	strbuf_release(&out);
	strbuf_release(&want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rev_grammar),
		cmocka_unit_test(test_rev_errors),
		cmocka_unit_test(test_rev_shallow),
		cmocka_unit_test(test_rev_worktree),
		cmocka_unit_test(test_rev_graph),
		cmocka_unit_test(test_rev_graph_split),
		cmocka_unit_test(test_rev_commit_cache),
		cmocka_unit_test(test_rev_tags),
		cmocka_unit_test(test_commit_meta),
		cmocka_unit_test(test_parse_tree_names),
		cmocka_unit_test(test_parse_raw),
	};

	return cmocka_run_group_tests_name("revision", tests, setup, teardown);
}
