/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for odb, our own object reader: every object of real
 * repositories built by git (loose, packed with offset deltas, packed
 * with reference deltas, behind alternates) must read back exactly as
 * `git cat-file` prints it; a damaged pack must fail cleanly.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/gitwalk.h"
#include "slugguard/odb.h"
#include "slugguard/run.h"
#include "slugguard/strbuf.h"
#include "odb/odb-internal.h"

#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char tmp[] = "/tmp/sg-odb-XXXXXX";
static char repo[PATH_MAX];

static const char *const git_cfg[] = { "-c", "user.name=T",
				       "-c", "user.email=t@example.com",
				       "-c", "commit.gpgsign=false",
				       "-c", "gc.auto=0" };

/* Run git in dir with argv (NULL-terminated); capture stdout when out. */
static int git(const char *dir, struct strbuf *out, ...)
{
	struct child c = CHILD_INIT;
	struct strbuf sink = STRBUF_INIT;
	const char *a;
	va_list ap;
	int rc;

	strvec_pushl(&c.args, "git", "-C", dir, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(git_cfg); i++)
		strvec_push(&c.args, git_cfg[i]);
	va_start(ap, out);
	while ((a = va_arg(ap, const char *)))
		strvec_push(&c.args, a);
	va_end(ap);
	c.err = open("/dev/null", O_WRONLY);
	if (out)
		strbuf_reset(out);
	rc = run_capture(&c, out ? out : &sink, (size_t)256 << 20);
	close(c.err);
	strbuf_release(&sink);
	return rc;
}

static void write_file(const char *name, const char *content, size_t len)
{
	struct strbuf path = STRBUF_INIT;

	strbuf_addf(&path, "%s/%s", repo, name);
	assert_int_equal(fs_write_atomic(path.buf, content, len, 0644), 0);
	strbuf_release(&path);
}

/* A history with long delta chains: one file edited 40 times, a tree
 * that changes with it, a file with NULs, an empty file. */
static int setup(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	static const unsigned char bin[] = { 0, 1, 2, 0, 255, 'x', 0 };

	(void)state;
	assert_int_equal(fs_mkdtemp(tmp), 0);
	assert_true((size_t)snprintf(repo, sizeof(repo), "%s/repo", tmp) <
		    PATH_MAX);
	assert_int_equal(git(tmp, NULL, "init", "-q", "repo", NULL), 0);
	assert_int_equal(fs_mkdir_p(repo, 0755), 0);
	write_file("empty", "", 0);
	write_file("bin.dat", (const char *)bin, sizeof(bin));
	/*
	 * Noise deflate cannot shrink, so that the pack outgrows a reader's
	 * 64 KiB pread() windows (src/odb/read.c): entries cross window
	 * ends, and the largest is read through the mapping.
	 */
	for (size_t n = 20000, seed = 1; n <= 80000; n *= 2) {
		char name[32];

		strbuf_reset(&sb);
		for (size_t i = 0; i < n; i++) {
			seed = seed * 6364136223846793005u +
			       1442695040888963407u;
			strbuf_addch(&sb, (char)(seed >> 56));
		}
		snprintf(name, sizeof(name), "noise-%zu.dat", n);
		write_file(name, sb.buf, sb.len);
	}
	for (int v = 0; v < 40; v++) {
		strbuf_reset(&sb);
		for (int line = 0; line < 400; line++)
			strbuf_addf(&sb, "line %d of version %d\n", line,
				    line % 17 == v % 17 ? v : 0);
		write_file("story.txt", sb.buf, sb.len);
		strbuf_reset(&sb);
		strbuf_addf(&sb, "v%d\n", v);
		write_file(v % 2 ? "odd" : "even", sb.buf, sb.len);
		assert_int_equal(git(repo, NULL, "add", "-A", NULL), 0);
		assert_int_equal(
			git(repo, NULL, "commit", "-q", "-m", sb.buf, NULL), 0);
	}
	strbuf_release(&sb);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fs_remove_tree(tmp);
	return 0;
}

static void hex_to_raw(const char *hex, unsigned char *raw)
{
	for (int i = 0; i < ODB_RAWSZ; i++) {
		unsigned v;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		raw[i] = (unsigned char)v;
	}
}

static enum odb_type type_named(const char *s)
{
	if (!strncmp(s, "commit", 6))
		return ODB_COMMIT;
	if (!strncmp(s, "tree", 4))
		return ODB_TREE;
	if (!strncmp(s, "blob", 4))
		return ODB_BLOB;
	if (!strncmp(s, "tag", 3))
		return ODB_TAG;
	return ODB_NONE;
}

/*
 * Read every object of the store at objdir with a reader of the given
 * cache size and compare it with git cat-file (run in gitdir); twice
 * over, so that the second pass finds most ids in the reader's memo of
 * lookups (some lost to a collision there). Returns how many objects
 * were compared.
 */
static size_t compare_all(const char *gitdir, const char *objdir, size_t cache)
{
	struct strbuf list = STRBUF_INIT, want = STRBUF_INIT, all = STRBUF_INIT;
	struct odb *db = NULL;
	struct odb_reader *r;
	const char *dirs[1] = { objdir };
	size_t n = 0, at = 0;

	assert_int_equal(odb_open(&db, dirs, 1), 0);
	r = odb_reader_new(db, cache);
	assert_int_equal(git(gitdir, &list, "cat-file", "--batch-all-objects",
			     "--batch-check=%(objectname) %(objecttype)", NULL),
			 0);
	for (int pass = 0; pass < 2; pass++) {
		const char *line = list.buf;

		while (*line) {
			unsigned char id[ODB_RAWSZ];
			const unsigned char *data;
			enum odb_type type;
			size_t len;
			char hex[41], tname[16];

			assert_int_equal(sscanf(line, "%40s %15s", hex, tname),
					 2);
			hex_to_raw(hex, id);
			assert_int_equal(odb_read(r, id, 0, &type, &data, &len),
					 0);
			assert_int_equal(type, type_named(tname));
			/* as libgit2 gives it */
			assert_int_equal(data[len], '\0');
			if (!pass) {
				assert_int_equal(git(gitdir, &want, "cat-file",
						     tname, hex, NULL),
						 0);
				strbuf_add(&all, want.buf, want.len);
				n++;
			}
			/* the second pass against the first's answers */
			assert_true(at + len <= all.len);
			assert_memory_equal(data, all.buf + at, len);
			at += len;
			line = strchr(line, '\n');
			assert_non_null(line);
			line++;
		}
		assert_int_equal(at, all.len);
		at = 0;
	}
	odb_reader_free(r);
	odb_free(db);
	strbuf_release(&list);
	strbuf_release(&want);
	strbuf_release(&all);
	return n;
}

/*
 * odb_hold(): each object read stays as it was while the 40 objects
 * after it (and the first, a cache hit) are read through the same
 * reader, however small its ring. Returns how many were checked.
 */
static size_t compare_held(const char *gitdir, const char *objdir, size_t cache)
{
	struct strbuf list = STRBUF_INIT, want = STRBUF_INIT;
	struct odb *db = NULL;
	struct odb_reader *r;
	const char *dirs[1] = { objdir };
	char(*ids)[41] = NULL;
	size_t n = 0, alloc = 0;
	char *line, *save = NULL;

	assert_int_equal(odb_open(&db, dirs, 1), 0);
	r = odb_reader_new(db, cache);
	assert_int_equal(git(gitdir, &list, "cat-file", "--batch-all-objects",
			     "--batch-check=%(objectname)", NULL),
			 0);
	for (line = strtok_r(list.buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		ALLOC_GROW(ids, n + 1, alloc);
		assert_int_equal(strlen(line), 40);
		memcpy(ids[n++], line, 41);
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char id[ODB_RAWSZ];
		static const char *const names[] = { "", "commit", "tree",
						     "blob", "tag" };
		const unsigned char *data, *other;
		enum odb_type type, held;
		size_t len, olen;

		hex_to_raw(ids[i], id);
		assert_int_equal(odb_read(r, id, 0, &held, &data, &len), 0);
		assert_true(held >= ODB_COMMIT && held <= ODB_TAG);
		odb_hold(r);
		for (size_t k = 1; k <= 41; k++) {
			hex_to_raw(ids[k < 41 ? (i + k) % n : 0], id);
			assert_int_equal(
				odb_read(r, id, 0, &type, &other, &olen), 0);
		}
		assert_int_equal(git(gitdir, &want, "cat-file", names[held],
				     ids[i], NULL),
				 0);
		assert_int_equal(len, want.len);
		assert_memory_equal(data, want.buf, len);
		assert_int_equal(data[len], '\0');
		odb_unhold(r);
	}
	odb_reader_free(r);
	odb_free(db);
	free(ids);
	strbuf_release(&list);
	strbuf_release(&want);
	return n;
}

/* The one pack file with extension ext in objdir/pack, into out. */
static void find_pack(const char *objdir, const char *ext, struct strbuf *out)
{
	struct strbuf dir = STRBUF_INIT;
	struct dirent *de;
	DIR *d;

	strbuf_reset(out);
	strbuf_addf(&dir, "%s/pack", objdir);
	d = opendir(dir.buf);
	assert_non_null(d);
	while ((de = readdir(d)))
		if (ends_with(de->d_name, ext))
			strbuf_addf(out, "%s/%s", dir.buf, de->d_name);
	closedir(d);
	assert_true(out->len > 0);
	strbuf_release(&dir);
}

static void objdir_of(char *buf, size_t n, const char *dir)
{
	assert_true((size_t)snprintf(buf, n, "%s/.git/objects", dir) <
		    PATH_MAX);
}

static void test_odb_loose(void **state)
{
	char objdir[PATH_MAX];

	(void)state;
	objdir_of(objdir, sizeof(objdir), repo);
	/* 40 commits, 40 trees, ~40+4 blobs, all loose. */
	assert_true(compare_all(repo, objdir, 0) >= 120);
}

static void test_odb_packed_ofs_deltas(void **state)
{
	struct strbuf v = STRBUF_INIT, idx = STRBUF_INIT;
	char objdir[PATH_MAX];

	(void)state;
	objdir_of(objdir, sizeof(objdir), repo);
	assert_int_equal(git(repo, NULL, "repack", "-adfq", "--depth=50",
			     "--window=50", NULL),
			 0);
	assert_int_equal(git(repo, &v, "count-objects", "-v", NULL), 0);
	assert_true(starts_with(v.buf, "count: 0\n"));
	/* The point of the test: chains deeper than one. */
	find_pack(objdir, ".idx", &idx);
	assert_int_equal(git(repo, &v, "verify-pack", "-v", idx.buf, NULL), 0);
	assert_non_null(strstr(v.buf, "chain length = 3:"));
	strbuf_release(&idx);
	strbuf_release(&v);
	assert_true(compare_all(repo, objdir, 0) >= 120);
	/* A tiny cache resolves every chain from its start again. */
	assert_true(compare_all(repo, objdir, 4096) >= 120);
	/*
	 * Rings a few objects long: they wrap, drop their oldest entries,
	 * move old hits forward, and fall back to the heap when the base
	 * being applied stands where the next object would go.
	 */
	for (size_t sz = 8192; sz <= 131072; sz *= 2)
		assert_true(compare_all(repo, objdir, sz) >= 120);
	for (size_t sz = 8192; sz <= 131072; sz *= 4)
		assert_true(compare_held(repo, objdir, sz) >= 120);
	assert_true(compare_held(repo, objdir, 0) >= 120);
	/* The same through the pack's mapping from the start. */
	assert_int_equal(setenv("SLUGGUARD_NO_WINDOWS", "1", 1), 0);
	assert_true(compare_all(repo, objdir, 0) >= 120);
	assert_true(compare_all(repo, objdir, 4096) >= 120);
	assert_int_equal(unsetenv("SLUGGUARD_NO_WINDOWS"), 0);
}

/*
 * The two index lookups (the mapping, and pread() for a reader's first
 * lookups) agree on every id of the pack and on ids it lacks, also with
 * the interpolation guess far off (the first and last ids of a bucket).
 */
static void test_odb_lookups(void **state)
{
	char objdir[PATH_MAX];
	const char *dirs[1] = { objdir };
	struct odb *db = NULL;
	const struct odb_pack *p;

	(void)state;
	objdir_of(objdir, sizeof(objdir), repo);
	assert_int_equal(git(repo, NULL, "repack", "-adq", NULL), 0);
	assert_int_equal(odb_open(&db, dirs, 1), 0);
	assert_int_equal(odb_packs(db), 1);
	p = &db->packs[0];
	assert_true(p->nr >= 120);
	for (uint32_t i = 0; i < p->nr; i++) {
		unsigned char id[ODB_RAWSZ];
		uint64_t a = 0, b = 1;

		memcpy(id, p->names + (size_t)i * 20, sizeof(id));
		assert_true(odb_pack_find(p, id, &a));
		assert_true(odb_pack_find_pread(p, id, &b));
		assert_true(a == b && a >= 12);
		for (int d = 0; d < 2; d++) {
			id[19] ^= (unsigned char)(d ? 0x80 : 0x01);
			assert_int_equal(odb_pack_find(p, id, &a),
					 odb_pack_find_pread(p, id, &b));
			id[19] ^= (unsigned char)(d ? 0x80 : 0x01);
		}
	}
	odb_free(db);
}

static void test_odb_packed_ref_deltas(void **state)
{
	char objdir[PATH_MAX];

	(void)state;
	objdir_of(objdir, sizeof(objdir), repo);
	assert_int_equal(git(repo, NULL, "-c",
			     "repack.useDeltaBaseOffset=false", "repack",
			     "-adfq", "--depth=50", NULL),
			 0);
	assert_true(compare_all(repo, objdir, 0) >= 120);
	assert_true(compare_all(repo, objdir, 4096) >= 120);
}

static void test_odb_alternates(void **state)
{
	char clone[PATH_MAX], objdir[PATH_MAX];
	struct strbuf alt = STRBUF_INIT;

	(void)state;
	assert_true((size_t)snprintf(clone, sizeof(clone), "%s/shared", tmp) <
		    PATH_MAX);
	assert_int_equal(git(tmp, NULL, "clone", "-q", "--shared", repo, clone,
			     NULL),
			 0);
	assert_true((size_t)snprintf(objdir, sizeof(objdir),
				     "%s/.git/objects/info/alternates",
				     clone) < PATH_MAX);
	assert_int_equal(fs_read_capped(&alt, objdir, 4096), 0);
	assert_true(alt.len > 0);
	strbuf_release(&alt);
	/* The clone's own store is empty: everything comes via alternates. */
	objdir_of(objdir, sizeof(objdir), clone);
	assert_true(compare_all(clone, objdir, 0) >= 120);
}

#ifndef SG_ASAN /* its shadow memory needs terabytes of address space */
/*
 * Under an address-space limit (ulimit -v) a reader still reads: its
 * ring is reserved whole, so it takes a sixteenth of the limit at most
 * and else works without one. In a child, with the limit 64 MiB above
 * what the process already maps, a reader asking for a 512 MiB cache
 * reads every object of the pack.
 */
static void test_odb_ring_under_limit(void **state)
{
	char objdir[PATH_MAX];
	pid_t pid;
	int status = -1;

	(void)state;
	objdir_of(objdir, sizeof(objdir), repo);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		const char *dirs[1] = { objdir };
		unsigned long pages = 0;
		struct odb *db = NULL;
		struct odb_reader *r;
		struct rlimit rl;
		int bad = 0;
		FILE *f = fopen("/proc/self/statm", "r");

		if (!f || fscanf(f, "%lu", &pages) != 1)
			_exit(3);
		fclose(f);
		rl.rlim_cur = rl.rlim_max =
			(rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) +
			((rlim_t)64 << 20);
		if (setrlimit(RLIMIT_AS, &rl) || odb_open(&db, dirs, 1) < 0 ||
		    !odb_packs(db))
			_exit(4);
		r = odb_reader_new(db, (size_t)512 << 20);
		for (size_t k = 0; k < 2; k++) /* twice: hits too */
			for (uint32_t i = 0; i < db->packs[0].nr; i++) {
				const unsigned char *data = NULL;
				enum odb_type type;
				size_t len;

				if (odb_read(r, db->packs[0].names + i * 20ull,
					     0, &type, &data, &len) < 0 ||
				    !data)
					bad = 1;
			}
		odb_reader_free(r);
		odb_free(db);
		_exit(bad);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}
#endif

static void test_odb_limits_and_misses(void **state)
{
	struct strbuf hex = STRBUF_INIT;
	char objdir[PATH_MAX];
	const char *dirs[1] = { objdir };
	unsigned char id[ODB_RAWSZ];
	const unsigned char *data;
	enum odb_type type;
	size_t len;
	struct odb *db = NULL;
	struct odb_reader *r;

	(void)state;
	objdir_of(objdir, sizeof(objdir), repo);
	assert_int_equal(odb_open(&db, dirs, 1), 0);
	assert_true(odb_packs(db) >= 1);
	assert_int_equal(odb_verify(db), 0); /* a sound index passes */
	r = odb_reader_new(db, 0);
	assert_int_equal(git(repo, &hex, "rev-parse", "HEAD:story.txt", NULL),
			 0);
	hex_to_raw(hex.buf, id);
	/* Over max: only the size, no data. */
	assert_int_equal(odb_read(r, id, 100, &type, &data, &len), 0);
	assert_null(data);
	assert_true(len > 100);
	assert_int_equal(odb_read(r, id, 0, &type, &data, &len), 0);
	assert_non_null(data);
	assert_int_equal(type, ODB_BLOB);
	/* An id nobody has. */
	memset(id, 0xab, sizeof(id));
	assert_int_equal(odb_read(r, id, 0, &type, &data, &len), ERR_NOTFOUND);
	odb_reader_free(r);
	odb_free(db);
	/* A directory that does not exist is just empty. */
	assert_true((size_t)snprintf(objdir, sizeof(objdir), "%s/nowhere",
				     tmp) < PATH_MAX);
	assert_int_equal(odb_open(&db, dirs, 1), 0);
	assert_int_equal(odb_packs(db), 0);
	odb_free(db);
	strbuf_release(&hex);
}

/* Overwrite bytes in the middle of the pack: reads fail, never crash. */
static void test_odb_damaged_pack(void **state)
{
	struct strbuf list = STRBUF_INIT, pack = STRBUF_INIT;
	char copy[PATH_MAX], objdir[PATH_MAX];
	const char *dirs[1] = { objdir };
	struct odb *db = NULL;
	struct odb_reader *r;
	size_t failed = 0, read_ok = 0;
	char *line, *save = NULL;
	int fd;

	(void)state;
	assert_true((size_t)snprintf(copy, sizeof(copy), "%s/damaged", tmp) <
		    PATH_MAX);
	assert_int_equal(git(tmp, NULL, "clone", "-q", "--bare", "--no-local",
			     repo, copy, NULL),
			 0);
	assert_int_equal(git(copy, NULL, "repack", "-adfq", "--depth=50", NULL),
			 0);
	assert_int_equal(git(copy, &list, "cat-file", "--batch-all-objects",
			     "--batch-check=%(objectname)", NULL),
			 0);
	assert_true((size_t)snprintf(objdir, sizeof(objdir), "%s/objects",
				     copy) < PATH_MAX);
	find_pack(objdir, ".pack", &pack);
	{
		struct stat st;
		unsigned char junk[512];

		assert_int_equal(chmod(pack.buf, 0644), 0);
		fd = open(pack.buf, O_WRONLY);
		assert_true(fd >= 0);
		assert_int_equal(fstat(fd, &st), 0);
		memset(junk, 0x5a, sizeof(junk));
		for (off_t at = 64; at + (off_t)sizeof(junk) < st.st_size;
		     at += st.st_size / 7)
			assert_int_equal(pwrite(fd, junk, sizeof(junk), at),
					 (ssize_t)sizeof(junk));
		close(fd);
	}
	assert_int_equal(odb_open(&db, dirs, 1), 0);
	r = odb_reader_new(db, 4096);
	for (line = strtok_r(list.buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned char id[ODB_RAWSZ];
		const unsigned char *data;
		enum odb_type type;
		size_t len;

		hex_to_raw(line, id);
		if (odb_read(r, id, 0, &type, &data, &len) < 0)
			failed++;
		else
			read_ok++;
	}
	assert_true(failed > 0);
	assert_true(read_ok > 0);
	odb_reader_free(r);
	odb_free(db);
	strbuf_release(&list);
	strbuf_release(&pack);
}

/*
 * Run git fast-import in dir on stream (through a file under tmp named
 * name), with one more argument when arg.
 */
static void fast_import(const char *dir, const struct strbuf *stream,
			const char *name, const char *arg)
{
	struct strbuf path = STRBUF_INIT;
	struct child c = CHILD_INIT;
	int fd;

	strbuf_addf(&path, "%s/%s", tmp, name);
	assert_int_equal(
		fs_write_atomic(path.buf, stream->buf, stream->len, 0644), 0);
	strvec_pushl(&c.args, "git", "-C", dir, "fast-import", "--quiet", NULL);
	if (arg)
		strvec_push(&c.args, arg);
	fd = open(path.buf, O_RDONLY);
	assert_true(fd >= 0);
	c.in = fd;
	assert_int_equal(run_command(&c), 0);
	close(fd);
	strbuf_release(&path);
}

/*
 * Thousands of small objects through rings a few hundred entries long:
 * the cache's table (open addressing, src/odb/read.c) runs up to half
 * full, and every read past the ring's size drops its oldest entry, so
 * entries leave runs of slots in every position and the run closes up
 * behind them. The larger rings hold more entries than the table may
 * take at its largest (an eighth of the ring), so that the ring drops
 * entries for room in the table. Each answer must still be its object, and the
 * table must stay sound (odb_reader_check()): a slot left behind would answer
 * with a dropped entry's bytes, one cut off from its home would miss.
 */
static void test_odb_many_small_objects(void **state)
{
	struct strbuf fi = STRBUF_INIT, path = STRBUF_INIT, marks = STRBUF_INIT;
	struct strbuf want = STRBUF_INIT;
	const char *dirs[1];
	char dir[PATH_MAX], objdir[PATH_MAX];
	enum { NR = 3000 };
	static unsigned char ids[NR][ODB_RAWSZ];
	const char *line;
	size_t fulls = 0;
	bool full = false;

	(void)state;
	assert_true((size_t)snprintf(dir, sizeof(dir), "%s/small", tmp) <
		    sizeof(dir));
	assert_int_equal(git(tmp, NULL, "init", "-q", "--bare", dir, NULL), 0);
	for (int i = 0; i < NR; i++)
		strbuf_addf(&fi, "blob\nmark :%d\ndata %d\nsmall object %05d\n",
			    i + 1, 19, i);
	strbuf_addf(&marks, "--export-marks=%s/small-marks", tmp);
	fast_import(dir, &fi, "small-import", marks.buf);
	strbuf_addf(&path, "%s/small-marks", tmp);
	strbuf_reset(&marks);
	assert_int_equal(fs_read_capped(&marks, path.buf, (size_t)1 << 20), 0);
	for (line = marks.buf; *line;) {
		int mark;
		char hex[41];

		assert_int_equal(sscanf(line, ":%d %40s", &mark, hex), 2);
		assert_true(mark >= 1 && mark <= NR);
		hex_to_raw(hex, ids[mark - 1]);
		line = strchr(line, '\n');
		assert_non_null(line);
		line++;
	}
	assert_true((size_t)snprintf(objdir, sizeof(objdir), "%s/objects",
				     dir) < sizeof(objdir));
	dirs[0] = objdir;
	for (size_t ring = (size_t)48 << 10; ring <= (size_t)128 << 10;
	     ring += (size_t)16 << 10) {
		struct odb *db = NULL;
		struct odb_reader *r;

		assert_int_equal(odb_open(&db, dirs, 1), 0);
		r = odb_reader_new(db, ring);
		/* up, down, by sevens, and each one again after its next */
		for (int pass = 0; pass < 4; pass++) {
			for (int k = 0; k < NR; k++) {
				int i = pass == 0 ? k :
					pass == 1 ? NR - 1 - k :
					pass == 2 ? (k * 7) % NR :
						    (k / 2) + (k % 2 ? 0 : 1);
				const unsigned char *data;
				enum odb_type type;
				size_t len;

				if (i >= NR)
					i = NR - 1;
				assert_int_equal(odb_read(r, ids[i], 0, &type,
							  &data, &len),
						 0);
				assert_int_equal(type, ODB_BLOB);
				strbuf_reset(&want);
				strbuf_addf(&want, "small object %05d\n", i);
				assert_int_equal(len, want.len);
				assert_memory_equal(data, want.buf, len);
				if (k % 16 == 0 || pass == 3) {
					assert_int_equal(
						odb_reader_check(r, &full), 0);
					fulls += full;
				}
			}
		}
		assert_int_equal(odb_reader_check(r, &full), 0);
		odb_reader_free(r);
		odb_free(db);
	}
	/* the 112 and 128 KiB rings fill their table */
	assert_true(fulls > 0);
	strbuf_release(&fi);
	strbuf_release(&path);
	strbuf_release(&marks);
	strbuf_release(&want);
}

static atomic_int worker_failed, worker_waits;

/* A bare repository of nr commits, each with a new blob: enough commits
 * for the walk to use its threads. */
static void make_long_history(const char *dir, int nr)
{
	struct strbuf fi = STRBUF_INIT, msg = STRBUF_INIT;

	assert_int_equal(git(tmp, NULL, "init", "-q", "--bare", dir, NULL), 0);
	for (int i = 0; i < nr; i++) {
		strbuf_reset(&msg);
		strbuf_addf(&msg, "version %d\n", i);
		strbuf_addf(&fi,
			    "commit refs/heads/main\nmark :%d\n"
			    "committer T <t@example.com> %d +0000\n"
			    "data %zu\n%s",
			    i + 1, 1700000000 + i, msg.len, msg.buf);
		if (i)
			strbuf_addf(&fi, "from :%d\n", i);
		strbuf_addf(&fi, "M 644 inline f%d.txt\ndata %zu\n%s\n", i % 5,
			    msg.len, msg.buf);
	}
	fast_import(dir, &fi, "fast-import", NULL);
	strbuf_release(&fi);
	strbuf_release(&msg);
}

/*
 * A blob callback that fails on every walker but the calling thread's,
 * which holds on to its first blob until a worker has failed, so that
 * the failure surely comes from a worker.
 */
static int fail_on_worker(void *data, unsigned thread, size_t blob,
			  const char *path, const char *buf, size_t len,
			  const char *base, size_t base_len)
{
	struct timespec ms = { 0, 1000000 };

	(void)data;
	(void)buf;
	(void)len;
	(void)base;
	(void)base_len;
	if (thread) {
		atomic_store(&worker_failed, 1);
		return error_setc(ERR_AUTH,
				  "walker %u refused blob %zu of '%s'", thread,
				  blob, path);
	}
	while (atomic_load(&worker_waits) < 5000 &&
	       !atomic_load(&worker_failed)) {
		atomic_fetch_add(&worker_waits, 1);
		nanosleep(&ms, NULL);
	}
	return 0;
}

/* A walker thread's failure reaches the caller with code and message. */
static void test_odb_walk_worker_error(void **state)
{
	struct gitwalk_scan_ops ops = {
		fail_on_worker, NULL, NULL, NULL, 4, 0, NULL
	};
	const char *revs[] = { "main" };
	struct gitwalk_hist *h = NULL;
	struct gitwalk *w = NULL;
	char dir[PATH_MAX];
	int rc;

	(void)state;
	error_clear();
	assert_true((size_t)snprintf(dir, sizeof(dir), "%s/long.git", tmp) <
		    PATH_MAX);
	make_long_history(dir, 100);
	assert_int_equal(gitwalk_open(&w, dir), 0);
	rc = gitwalk_hist_revs(&h, w, revs, 1, &ops);
	assert_int_equal(rc, ERR_AUTH);
	assert_null(h);
	assert_int_equal(error_last_code(), ERR_AUTH);
	assert_true(starts_with(error_last(), "walker "));
	assert_non_null(strstr(error_last(), " refused blob "));
	gitwalk_free(w);
	error_clear();
}

/*
 * Ids and offsets are not read at open (that touched the whole index on
 * every small push): the store opens, every read through the damaged
 * entries fails cleanly or finds nothing, and odb_verify(), run before
 * libgit2 gets the store, refuses the index naming it.
 */
static void check_index_entries(const char *idx, const struct strbuf *orig,
				const char *const *dirs)
{
	const unsigned char *o = (const unsigned char *)orig->buf;
	uint32_t nr = (uint32_t)o[8 + 1020] << 24 |
		      (uint32_t)o[8 + 1021] << 16 | (uint32_t)o[8 + 1022] << 8 |
		      o[8 + 1023];
	size_t names = 8 + 1024, offs = names + (size_t)nr * 24;
	const struct {
		size_t at;
		const unsigned char *val;
		size_t len;
		const char *why;
	} cases[] = {
		/* the second id made equal to the first */
		{ names + 20, o + names, 20, "not sorted" },
		/* the first id's first byte: outside its fan-out range */
		{ names, (const unsigned char *)"\xff", 1, "fan-out range" },
		/* an offset far past the end of the pack */
		{ offs, (const unsigned char *)"\x7f", 1,
		  "offset outside the pack" },
	};

	assert_true(nr >= 4);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct odb *db = NULL;
		struct odb_reader *r;
		int fd = open(idx, O_WRONLY | O_TRUNC);

		assert_true(fd >= 0);
		assert_int_equal(write(fd, orig->buf, orig->len),
				 (ssize_t)orig->len);
		assert_int_equal(pwrite(fd, cases[i].val, cases[i].len,
					(off_t)cases[i].at),
				 (ssize_t)cases[i].len);
		close(fd);
		assert_int_equal(odb_open(&db, dirs, 1), 0);
		r = odb_reader_new(db, 1 << 20);
		for (uint32_t j = 0; j < nr; j++) {
			const unsigned char *data;
			enum odb_type type;
			size_t len;
			int rc = odb_read(r, o + names + (size_t)j * 20, 0,
					  &type, &data, &len);

			assert_true(rc == 0 || rc == ERR_NOTFOUND ||
				    rc == ERR_FAIL);
			error_clear();
		}
		odb_reader_free(r);
		assert_int_equal(odb_verify(db), ERR_FAIL);
		assert_non_null(strstr(error_last(), "damaged pack index"));
		assert_non_null(strstr(error_last(), idx));
		assert_non_null(strstr(error_last(), cases[i].why));
		error_clear();
		odb_free(db);
	}
}

/*
 * Four bytes of an index changed: each corruption is refused when the
 * store opens, with a message naming the index, before anything (libgit2
 * included) could read the pack through it.
 */
static void test_odb_damaged_index(void **state)
{
	static const struct {
		long at; /* from the start, or from the end when negative */
		uint32_t val;
		const char *why;
	} cases[] = {
		{ 8 + 255 * 4, 0xffffffffu, "object count larger" },
		{ 8 + 255 * 4, 1, "fan-out table not sorted" },
		{ 8, 0x10000, "fan-out table not sorted" },
		{ 0, 0x12345678, "not a version 2 index" },
		{ -40, 0, "pack checksum does not match" },
	};
	struct strbuf idx = STRBUF_INIT, orig = STRBUF_INIT;
	char copy[PATH_MAX], objdir[PATH_MAX];
	const char *dirs[1] = { objdir };
	struct odb *db = NULL;

	(void)state;
	assert_true((size_t)snprintf(copy, sizeof(copy), "%s/badidx", tmp) <
		    PATH_MAX);
	assert_int_equal(git(tmp, NULL, "clone", "-q", "--bare", "--no-local",
			     repo, copy, NULL),
			 0);
	assert_int_equal(git(copy, NULL, "repack", "-adq", NULL), 0);
	assert_true((size_t)snprintf(objdir, sizeof(objdir), "%s/objects",
				     copy) < PATH_MAX);
	find_pack(objdir, ".idx", &idx);
	assert_int_equal(chmod(idx.buf, 0644), 0);
	assert_int_equal(fs_read_capped(&orig, idx.buf, 1 << 20), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned char be[4] = { (unsigned char)(cases[i].val >> 24),
					(unsigned char)(cases[i].val >> 16),
					(unsigned char)(cases[i].val >> 8),
					(unsigned char)cases[i].val };
		off_t at = cases[i].at < 0 ? (off_t)orig.len + cases[i].at :
					     (off_t)cases[i].at;
		int fd = open(idx.buf, O_WRONLY | O_TRUNC);

		assert_true(fd >= 0);
		assert_int_equal(write(fd, orig.buf, orig.len),
				 (ssize_t)orig.len);
		assert_int_equal(pwrite(fd, be, 4, at), 4);
		close(fd);
		assert_int_equal(odb_open(&db, dirs, 1), ERR_FAIL);
		assert_null(db);
		assert_non_null(strstr(error_last(), "damaged pack index"));
		assert_non_null(strstr(error_last(), idx.buf));
		assert_non_null(strstr(error_last(), cases[i].why));
		error_clear();
	}
	check_index_entries(idx.buf, &orig, dirs);
	/* The pack's own header (read by pread() at open): its object
	 * count one off, then its signature, each refused naming both. */
	{
		struct strbuf pack = STRBUF_INIT, porig = STRBUF_INIT;
		static const unsigned char bad_sig[4] = { 'K', 'C', 'A', 'P' };
		int fd;

		find_pack(objdir, ".pack", &pack);
		assert_int_equal(chmod(pack.buf, 0644), 0);
		assert_int_equal(fs_read_capped(&porig, pack.buf, 64 << 20), 0);
		for (int k = 0; k < 2; k++) {
			unsigned char cnt[4];

			memcpy(cnt, porig.buf + 8, 4);
			cnt[3] ^= 1;
			fd = open(pack.buf, O_WRONLY);
			assert_true(fd >= 0);
			assert_int_equal(
				pwrite(fd, k ? bad_sig : cnt, 4, k ? 0 : 8), 4);
			close(fd);
			assert_int_equal(odb_open(&db, dirs, 1), ERR_FAIL);
			assert_null(db);
			assert_non_null(strstr(error_last(),
					       "pack header does not match"));
			error_clear();
			fd = open(pack.buf, O_WRONLY);
			assert_true(fd >= 0);
			assert_int_equal(pwrite(fd, porig.buf, 12, 0), 12);
			close(fd);
		}
		assert_int_equal(odb_open(&db, dirs, 1), 0);
		odb_free(db);
		db = NULL;
		strbuf_release(&pack);
		strbuf_release(&porig);
	}
	strbuf_release(&orig);
	strbuf_release(&idx);
}

/*
 * A loose object whose header claims far more than its file could
 * inflate to (found by tests/fuzz/odb_loose): damaged, not a 3 GB blob
 * to allocate or to report as too big.
 */
static void test_odb_forged_size(void **state)
{
	static const char body[] = "blob 3000000000";
	unsigned char z[64] = { 0x78, 0x01, 0x01 }; /* zlib, stored block */
	unsigned char id[ODB_RAWSZ] = { 0xfe, 0xed };
	size_t n = sizeof(body), at = 3; /* the NUL is part of the header */
	uint32_t a = 1, b = 0;
	char dir[PATH_MAX];
	const char *dirs[1] = { dir };
	struct strbuf path = STRBUF_INIT;
	struct odb *db = NULL;
	struct odb_reader *r;
	const unsigned char *data;
	enum odb_type type;
	size_t len;

	(void)state;
	z[at++] = (unsigned char)n;
	z[at++] = 0;
	z[at++] = (unsigned char)~n;
	z[at++] = 0xff;
	memcpy(z + at, body, n);
	at += n;
	for (size_t i = 0; i < n; i++) {
		a = (a + (unsigned char)body[i]) % 65521;
		b = (b + a) % 65521;
	}
	z[at++] = (unsigned char)(b >> 8);
	z[at++] = (unsigned char)b;
	z[at++] = (unsigned char)(a >> 8);
	z[at++] = (unsigned char)a;
	assert_true((size_t)snprintf(dir, sizeof(dir), "%s/forged", tmp) <
		    PATH_MAX);
	strbuf_addf(&path, "%s/fe", dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(mkdir(path.buf, 0755), 0);
	strbuf_addstr(&path, "/ed000000000000000000000000000000000000");
	assert_int_equal(fs_write_atomic(path.buf, (char *)z, at, 0644), 0);
	assert_int_equal(odb_open(&db, dirs, 1), 0);
	r = odb_reader_new(db, 0);
	assert_int_equal(odb_read(r, id, 64, &type, &data, &len), ERR_FAIL);
	assert_int_equal(odb_read(r, id, 0, &type, &data, &len), ERR_FAIL);
	odb_reader_free(r);
	odb_free(db);
	strbuf_release(&path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_odb_loose),
		cmocka_unit_test(test_odb_walk_worker_error),
		cmocka_unit_test(test_odb_packed_ofs_deltas),
		cmocka_unit_test(test_odb_lookups),
		cmocka_unit_test(test_odb_packed_ref_deltas),
		cmocka_unit_test(test_odb_alternates),
		cmocka_unit_test(test_odb_limits_and_misses),
		cmocka_unit_test(test_odb_many_small_objects),
#ifndef SG_ASAN
		cmocka_unit_test(test_odb_ring_under_limit),
#endif
		cmocka_unit_test(test_odb_damaged_pack),
		cmocka_unit_test(test_odb_damaged_index),
		cmocka_unit_test(test_odb_forged_size),
	};

	return cmocka_run_group_tests_name("odb", tests, setup, teardown);
}
