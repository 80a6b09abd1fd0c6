/* SPDX-License-Identifier: MIT */
/*
 * The commit cache: each commit's committer date and parents, kept in
 * "<commondir>/slugguard/commits" for the revision walk (docs/scan.md).
 * A small push to a repository without a commit-graph walks ~2,000
 * commits in date order to find where its range starts (git's
 * limit_list does the same), and inflating those commit objects was
 * most of its time; with a graph, the graph's pages (first touches of a
 * multi-MB mapping) cost more than this file's few. A commit never
 * changes under its id, so an entry never goes stale; the file keeps the
 * CACHE_MAX newest commits the walks read, is replaced whole (write,
 * fsync, rename), and a file that fails any check below is ignored and
 * rewritten. It is never needed: without it the walk reads the graph or
 * the objects, as before.
 *
 * Layout (integers little-endian):
 *   "SGCC" | u32 version (1) | u32 n | u32 np
 *   n entries, ids strictly increasing: id[20] | i64 date | u32 first
 *     (entry i's parents are parents[first_i .. first_{i+1}), the last
 *     entry's run to np)
 *   np parent ids of 20 bytes
 *   u32 CRC-32 of everything before it
 */
/* MAP_POPULATE is not POSIX. */
#define _DEFAULT_SOURCE
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/gitwalk.h"
#include "slugguard/strbuf.h"
#include "slugguard/zstream.h"
#include "commit-cache.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAGIC "SGCC"
#define VERSION 1
#define HEADER 16
#define ENTRY 32
#define RAW 20
/* A few weeks of a busy repository's commits: git.git's small push
 * walks 2,199; rails' 1,200. ~430 KB. */
#define CACHE_MAX 8192
/* Octopus merges aside, two parents at most: bounds the file. */
#define PARENTS_MAX (4 * CACHE_MAX)
/* Fewer new commits than this are not worth rewriting the file for. */
#define SAVE_MIN 32

struct added {
	unsigned char id[RAW];
	int64_t date;
	size_t first, nr; /* into ccache.parents */
};

struct ccache {
	char *path;
	/* the file as mapped; NULL when there was none or it failed a check */
	const unsigned char *map;
	size_t map_len, n, np;
	uint16_t fanout[257]; /* entries whose id starts below byte b */
	/* commits read from objects by this walk, saved by ccache_save() */
	struct added *add;
	size_t add_nr, add_alloc;
	unsigned char *parents;
	size_t parents_nr; /* ids */
	size_t parents_alloc; /* bytes */
};

static uint32_t get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put_le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static int64_t get_le64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return (int64_t)v;
}

static void put_le64(unsigned char *p, int64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)((uint64_t)v >> (8 * i));
}

static const unsigned char *entry(const struct ccache *c, size_t i)
{
	return c->map + HEADER + i * ENTRY;
}

static size_t first_parent(const struct ccache *c, size_t i)
{
	return i < c->n ? get_le32(entry(c, i) + RAW + 8) : c->np;
}

/* Entry i's parents (*nr raw ids). */
static const unsigned char *entry_parents(const struct ccache *c, size_t i,
					  size_t *nr)
{
	size_t first = first_parent(c, i);

	*nr = first_parent(c, i + 1) - first;
	return c->map + HEADER + c->n * ENTRY + first * RAW;
}

/* Whether the mapped file is one this code wrote: sizes, order, CRC. */
static bool valid(struct ccache *c)
{
	const unsigned char *m = c->map;
	size_t b = 0;

	if (c->map_len < HEADER + 4 || memcmp(m, MAGIC, 4) ||
	    get_le32(m + 4) != VERSION)
		return false;
	c->n = get_le32(m + 8);
	c->np = get_le32(m + 12);
	if (c->n > CACHE_MAX || c->np > PARENTS_MAX ||
	    c->map_len != HEADER + c->n * ENTRY + c->np * RAW + 4 ||
	    zs_crc32(0, m, c->map_len - 4) != get_le32(m + c->map_len - 4))
		return false;
	for (size_t i = 0; i < c->n; i++) {
		const unsigned char *e = entry(c, i);

		if ((i && memcmp(e - ENTRY, e, RAW) >= 0) ||
		    first_parent(c, i) > first_parent(c, i + 1))
			return false;
		while (b <= e[0])
			c->fanout[b++] = (uint16_t)i;
	}
	while (b <= 256)
		c->fanout[b++] = (uint16_t)c->n;
	return true;
}

struct ccache *ccache_open(const char *commondir)
{
	struct ccache *c = xcalloc(1, sizeof(*c));
	struct strbuf path = STRBUF_INIT;
	struct stat st;
	int fd;

	strbuf_addf(&path, "%sslugguard/commits", commondir);
	c->path = strbuf_detach(&path, NULL);
	fd = open(c->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return c;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) &&
	    st.st_size >= HEADER + 4 &&
	    (uint64_t)st.st_size <= HEADER + (uint64_t)CACHE_MAX * ENTRY +
					    PARENTS_MAX * RAW + 4) {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ,
			       MAP_PRIVATE | MAP_POPULATE, fd, 0);

		if (m != MAP_FAILED) {
			c->map = m;
			c->map_len = (size_t)st.st_size;
		}
	}
	close(fd);
	if (c->map && !valid(c)) {
		munmap((void *)(uintptr_t)c->map, c->map_len);
		c->map = NULL;
		c->n = c->np = 0;
	}
	return c;
}

bool ccache_has_commits(const struct ccache *c)
{
	return c && c->n;
}

size_t ccache_added(const struct ccache *c)
{
	return c ? c->add_nr : 0;
}

bool ccache_wants(const struct ccache *c)
{
	return c && c->add_nr < CACHE_MAX;
}

bool ccache_get(const struct ccache *c, const unsigned char *id, int64_t *date,
		const unsigned char **parents, size_t *nr)
{
	size_t lo, hi;

	if (!c || !c->map)
		return false;
	lo = c->fanout[id[0]];
	hi = c->fanout[id[0] + 1];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = memcmp(entry(c, mid), id, RAW);

		if (!cmp) {
			*date = get_le64(entry(c, mid) + RAW);
			*parents = entry_parents(c, mid, nr);
			return true;
		}
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

void ccache_add(struct ccache *c, const unsigned char *id, int64_t date,
		const unsigned char *parents, size_t nr)
{
	struct added *a;

	if (!c || c->add_nr >= CACHE_MAX || nr > PARENTS_MAX)
		return;
	ALLOC_GROW(c->add, c->add_nr + 1, c->add_alloc);
	a = &c->add[c->add_nr++];
	memcpy(a->id, id, RAW);
	a->date = date;
	a->first = c->parents_nr;
	a->nr = nr;
	if (!nr)
		return; /* a root commit: c->parents may be NULL still */
	ALLOC_GROW(c->parents, (c->parents_nr + nr) * RAW, c->parents_alloc);
	memcpy(c->parents + c->parents_nr * RAW, parents, nr * RAW);
	c->parents_nr += nr;
}

/* One commit of the file to write: from the old file or this walk. */
struct pick {
	const unsigned char *id, *parents;
	int64_t date;
	size_t nr;
	bool added; /* by this walk: kept over the old file's */
};

static int newest_first(const void *a, const void *b)
{
	const struct pick *x = a, *y = b;

	if (x->date != y->date)
		return x->date > y->date ? -1 : 1;
	return memcmp(x->id, y->id, RAW);
}

static int by_id(const void *a, const void *b)
{
	const struct pick *x = a, *y = b;
	int cmp = memcmp(x->id, y->id, RAW);

	return cmp ? cmp : (int)y->added - (int)x->added;
}

/* A lock older than a save could take: its writer died (a push
 * interrupted while saving). Left, no later walk could save. */
#define STALE_LOCK 60

static void drop_stale_lock(const char *path)
{
	struct strbuf lock = STRBUF_INIT;
	struct stat st;

	strbuf_addf(&lock, "%s.lock", path);
	if (!lstat(lock.buf, &st) && S_ISREG(st.st_mode) &&
	    st.st_mtime < time(NULL) - STALE_LOCK)
		unlink(lock.buf);
	strbuf_release(&lock);
}

int ccache_save(struct ccache *c, bool always)
{
	struct pick *v;
	struct strbuf out = STRBUF_INIT, dir = STRBUF_INIT;
	size_t nr = 0, keep = 0, np = 0;
	unsigned char word[8];
	char *slash;
	int rc = 0;

	if (!c || !c->add_nr || (c->add_nr < SAVE_MIN && !always))
		return 0;
	v = xcalloc(c->n + c->add_nr, sizeof(*v));
	for (size_t i = 0; i < c->n; i++) {
		v[nr].id = entry(c, i);
		v[nr].date = get_le64(entry(c, i) + RAW);
		v[nr].parents = entry_parents(c, i, &v[nr].nr);
		nr++;
	}
	for (size_t i = 0; i < c->add_nr; i++) {
		v[nr].id = c->add[i].id;
		v[nr].date = c->add[i].date;
		v[nr].parents = c->parents + c->add[i].first * RAW;
		v[nr].added = true;
		v[nr++].nr = c->add[i].nr;
	}
	/* the newest CACHE_MAX, without the same commit twice */
	qsort(v, nr, sizeof(*v), by_id);
	for (size_t i = 0; i < nr; i++)
		if (!keep || memcmp(v[keep - 1].id, v[i].id, RAW))
			v[keep++] = v[i];
	nr = keep;
	if (nr > CACHE_MAX) {
		qsort(v, nr, sizeof(*v), newest_first);
		nr = CACHE_MAX;
		qsort(v, nr, sizeof(*v), by_id);
	}
	for (size_t i = 0; i < nr; i++)
		np += v[i].nr;
	if (np > PARENTS_MAX)
		goto out; /* octopus upon octopus: not worth a cache */
	strbuf_add(&out, MAGIC, 4);
	put_le32(word, VERSION);
	strbuf_add(&out, word, 4);
	put_le32(word, (uint32_t)nr);
	strbuf_add(&out, word, 4);
	put_le32(word, (uint32_t)np);
	strbuf_add(&out, word, 4);
	np = 0;
	for (size_t i = 0; i < nr; i++) {
		strbuf_add(&out, v[i].id, RAW);
		put_le64(word, v[i].date);
		strbuf_add(&out, word, 8);
		put_le32(word, (uint32_t)np);
		strbuf_add(&out, word, 4);
		np += v[i].nr;
	}
	for (size_t i = 0; i < nr; i++)
		if (v[i].nr)
			strbuf_add(&out, v[i].parents, v[i].nr * RAW);
	put_le32(word, zs_crc32(0, out.buf, out.len));
	strbuf_add(&out, word, 4);
	strbuf_addstr(&dir, c->path);
	slash = strrchr(dir.buf, '/');
	if (slash)
		strbuf_setlen(&dir, (size_t)(slash - dir.buf));
	rc = fs_mkdir_p(dir.buf, 0755);
	if (!rc) {
		drop_stale_lock(c->path);
		rc = fs_write_atomic(c->path, out.buf, out.len, 0644);
	}
out:
	free(v);
	strbuf_release(&out);
	strbuf_release(&dir);
	return rc;
}

void ccache_free(struct ccache *c)
{
	if (!c)
		return;
	if (c->map)
		munmap((void *)(uintptr_t)c->map, c->map_len);
	free(c->path);
	free(c->add);
	free(c->parents);
	free(c);
}
