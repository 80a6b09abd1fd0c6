/* SPDX-License-Identifier: MIT */
/*
 * The store: object directories (with their alternates) and their packs,
 * mapped read-only. Nothing here changes after odb_open(), which is what
 * lets every scan thread share it without locks.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/strbuf.h"
#include "odb-internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define IDX_HEADER 8
#define IDX_FANOUT (256 * 4)
/* Alternates may chain; git stops at five levels too. */
#define MAX_ALT_DEPTH 5
#define MAX_ALT_FILE (64 * 1024)

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static int map_fd(int fd, const unsigned char **out, size_t *len)
{
	struct stat st;
	void *p;

	*out = NULL;
	*len = 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0)
		return -1;
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	*out = p;
	*len = (size_t)st.st_size;
	return 0;
}

static int map_file(const char *path, const unsigned char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	*out = NULL;
	*len = 0;
	if (fd < 0)
		return -1;
	rc = map_fd(fd, out, len);
	close(fd);
	return rc;
}

static void unmap(const unsigned char *p, size_t len)
{
	if (p)
		munmap((void *)(uintptr_t)p, len);
}

static bool read_at(int fd, void *buf, size_t len, uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, (char *)buf + got, len - got,
				  (off_t)(off + got));

		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	return true;
}

/*
 * Check a version-2 index against its pack when the store opens: header,
 * fan-out, object count against the file sizes, pack header and
 * checksum. An index is outside input (a push brings packs), and
 * libgit2, our fallback, trusts the object count enough to size
 * allocations and lookups by it. These checks are O(256): the ids and
 * offsets are checked by every read instead (odb_pack_find stays inside
 * the fan-out range, entry_header inside the pack), and in full by
 * odb_verify() for the paths that hand the store to libgit2. A full pass
 * here touched the whole index, 24 MB and ~5 ms on git.git, on every
 * small push. The few bytes checked are read with pread(), not through
 * the mappings: a first touch of a mapped page costs a fault (30-40 us
 * on a VM), four of them per pack; the fan-out is kept in a copy that
 * every lookup reads. Returns NULL when the pair is sound, or what is
 * wrong.
 */
static const char *check_idx(struct odb_pack *p)
{
	static const unsigned char magic[4] = { 0xff, 't', 'O', 'c' };
	unsigned char head[IDX_HEADER + IDX_FANOUT], *fan;
	unsigned char pack_head[12], idx_sum[20], pack_sum[20];
	size_t fixed;

	if (p->idx_len < IDX_HEADER + IDX_FANOUT + 40 ||
	    !read_at(p->idx_fd, head, sizeof(head), 0) ||
	    memcmp(head, magic, 4) || be32(head + 4) != 2)
		return "not a version 2 index";
	fan = xmemdup(head + IDX_HEADER, IDX_FANOUT);
	p->fanout = fan;
	p->nr = be32(p->fanout + 255 * 4);
	for (int i = 1; i < 256; i++)
		if (be32(p->fanout + i * 4) < be32(p->fanout + (i - 1) * 4))
			return "fan-out table not sorted";
	/* At most 2^31 objects (git's limit), so the products below fit. */
	if (p->nr > 0x7fffffffu ||
	    (size_t)p->nr > (p->idx_len - IDX_HEADER - IDX_FANOUT - 40) / 28)
		return "object count larger than the index";
	fixed = IDX_HEADER + IDX_FANOUT + (size_t)p->nr * (20 + 4 + 4) + 40;
	if ((p->idx_len - fixed) % 8)
		return "index size does not match its object count";
	p->names = p->idx + IDX_HEADER + IDX_FANOUT;
	p->off32 = p->names + (size_t)p->nr * (20 + 4); /* ids, CRCs */
	p->off64 = p->off32 + (size_t)p->nr * 4;
	p->off64_nr = (p->idx_len - fixed) / 8;
	if (p->data_len < 12 + 20 ||
	    !read_at(p->data_fd, pack_head, sizeof(pack_head), 0) ||
	    memcmp(pack_head, "PACK", 4) ||
	    (be32(pack_head + 4) != 2 && be32(pack_head + 4) != 3) ||
	    be32(pack_head + 8) != p->nr)
		return "pack header does not match the index";
	if (!read_at(p->idx_fd, idx_sum, 20, p->idx_len - 40) ||
	    !read_at(p->data_fd, pack_sum, 20, p->data_len - 20) ||
	    memcmp(idx_sum, pack_sum, 20))
		return "pack checksum does not match the index";
	return NULL;
}

/* The O(n) part: ids sorted and inside their fan-out range, every
 * offset inside the pack, every 64-bit offset used. */
static const char *check_idx_entries(const struct odb_pack *p)
{
	size_t large = 0;

	for (uint32_t i = 0; i < p->nr; i++) {
		const unsigned char *id = p->names + (size_t)i * 20;

		if (i && memcmp(id - 20, id, 20) >= 0)
			return "object ids not sorted";
		if ((id[0] && i < be32(p->fanout + (id[0] - 1) * 4)) ||
		    i >= be32(p->fanout + id[0] * 4))
			return "object id outside its fan-out range";
	}
	for (uint32_t i = 0; i < p->nr; i++) {
		uint32_t o = be32(p->off32 + (size_t)i * 4);
		uint64_t big;

		if (o & 0x80000000u) {
			o &= 0x7fffffffu;
			if (o >= p->off64_nr)
				return "64-bit offset index out of range";
			big = (uint64_t)be32(p->off64 + (size_t)o * 8) << 32 |
			      be32(p->off64 + (size_t)o * 8 + 4);
			large++;
		} else {
			big = o;
		}
		if (big < 12 || big >= p->data_len - 20)
			return "object offset outside the pack";
	}
	if (large < p->off64_nr)
		return "index size does not match its object count";
	return NULL;
}

int odb_verify(const struct odb *db)
{
	for (size_t i = 0; i < db->packs_nr; i++) {
		const char *why = check_idx_entries(&db->packs[i]);

		if (why)
			return error_set("damaged pack index '%s': %s",
					 db->packs[i].idx_path, why);
	}
	return 0;
}

/*
 * Object ids are uniformly spread, so the search guesses where id sits
 * between the ends of its range from the next four bytes (git's
 * sha1_pos does the same): two or three probes instead of twenty, and
 * as many pages of the index touched. On a cold mapping each page is a
 * fault, and those were most of a short scan's lookup time.
 */
bool odb_pack_find(const struct odb_pack *p, const unsigned char *id,
		   uint64_t *off)
{
	uint32_t lo = id[0] ? be32(p->fanout + (id[0] - 1) * 4) : 0;
	uint32_t hi = be32(p->fanout + id[0] * 4);
	uint32_t key = be32(id + 1);

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c;

		if (hi - lo > 16) {
			uint32_t lv = be32(p->names + (size_t)lo * 20 + 1);
			uint32_t hv =
				be32(p->names + (size_t)(hi - 1) * 20 + 1);

			if (key <= lv)
				mid = lo;
			else if (key >= hv)
				mid = hi - 1;
			else
				mid = lo +
				      (uint32_t)((uint64_t)(key - lv) *
						 (hi - 1 - lo) / (hv - lv));
		}
		c = memcmp(p->names + (size_t)mid * 20, id, 20);
		if (!c) {
			uint32_t o = be32(p->off32 + (size_t)mid * 4);

			if (!(o & 0x80000000u)) {
				*off = o;
				return true;
			}
			o &= 0x7fffffffu;
			if (o >= p->off64_nr)
				return false;
			*off = (uint64_t)be32(p->off64 + (size_t)o * 8) << 32 |
			       be32(p->off64 + (size_t)o * 8 + 4);
			return true;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* pread all of len bytes at off; false on a short read or an error. */

bool odb_pack_pread(const struct odb_pack *p, void *buf, size_t len,
		    uint64_t off)
{
	return p->data_fd >= 0 && read_at(p->data_fd, buf, len, off);
}

static bool pread_offset(const struct odb_pack *p, uint32_t i, uint64_t *off)
{
	unsigned char b[8];
	uint32_t o;

	if (!read_at(p->idx_fd, b, 4, (uint64_t)(p->off32 - p->idx) + i * 4ull))
		return false;
	o = be32(b);
	if (!(o & 0x80000000u)) {
		*off = o;
		return true;
	}
	o &= 0x7fffffffu;
	if (o >= p->off64_nr ||
	    !read_at(p->idx_fd, b, 8, (uint64_t)(p->off64 - p->idx) + o * 8ull))
		return false;
	*off = (uint64_t)be32(b) << 32 | be32(b + 4);
	return true;
}

/*
 * Ids are uniform, so within its fan-out range id sits near
 * lo + (next four bytes / 2^32) * (hi - lo): give or take ~30 entries on
 * git.git's buckets of ~3,300. One read of PREAD_IDS ids (1.3 KB, one
 * page or two) around that guess holds it about three times in four;
 * when not, the window's end keys narrow the range and the next guess
 * interpolates between them, which nearly always lands. A window of 256
 * ids missed less but copied 5 KB a lookup: on a small push without a
 * commit-graph (~2,900 lookups) these reads were a tenth of the run, and
 * the smaller window made the run ~4% faster.
 * After PREAD_GUESSES windows the rest is halved a window at a time, so
 * a forged index costs at most ~30 reads.
 */
#define PREAD_IDS 64
#define PREAD_GUESSES 4
bool odb_pack_find_pread(const struct odb_pack *p, const unsigned char *id,
			 uint64_t *off)
{
	unsigned char win[PREAD_IDS * 20];
	uint32_t lo = id[0] ? be32(p->fanout + (id[0] - 1) * 4) : 0;
	uint32_t hi = be32(p->fanout + id[0] * 4);
	uint64_t names = (uint64_t)(p->names - p->idx);
	/* bytes 1..4 of the ids just outside [lo, hi), as far as known */
	uint64_t key = be32(id + 1), klo = 0, khi = 1ull << 32;

	for (int round = 0; lo < hi; round++) {
		uint32_t n = hi - lo < PREAD_IDS ? hi - lo : PREAD_IDS;
		uint32_t start = lo + (hi - lo) / 2, a = 0, b = n;

		if (round < PREAD_GUESSES && key >= klo && key < khi)
			start = lo + (uint32_t)((key - klo) * (hi - lo) /
						(khi - klo));
		start = start > lo + n / 2 ? start - n / 2 : lo;
		if (start > hi - n)
			start = hi - n;
		if (!read_at(p->idx_fd, win, (size_t)n * 20,
			     names + start * 20ull))
			return false;
		if (memcmp(id, win, 20) < 0) {
			hi = start;
			khi = be32(win + 1);
			continue;
		}
		if (memcmp(id, win + (size_t)(n - 1) * 20, 20) > 0) {
			lo = start + n;
			klo = be32(win + (size_t)(n - 1) * 20 + 1);
			continue;
		}
		while (a < b) {
			uint32_t m = a + (b - a) / 2;
			int c = memcmp(win + (size_t)m * 20, id, 20);

			if (!c)
				return pread_offset(p, start + m, off);
			if (c < 0)
				a = m + 1;
			else
				b = m;
		}
		return false;
	}
	return false;
}

static int add_pack(struct odb *db, const char *idx_path)
{
	struct odb_pack p;
	struct strbuf pack = STRBUF_INIT;
	const char *why = NULL;
	int rc = 0;

	memset(&p, 0, sizeof(p));
	p.idx_fd = -1;
	p.data_fd = -1;
	strbuf_add(&pack, idx_path, strlen(idx_path) - 4);
	strbuf_addstr(&pack, ".pack");
	/* An index without its pack is ignored, as git and libgit2 do.
	 * Both stay open: lookups and small reads go through pread(). */
	p.idx_fd = open(idx_path, O_RDONLY | O_CLOEXEC);
	p.data_fd = open(pack.buf, O_RDONLY | O_CLOEXEC);
	if (p.idx_fd < 0 || p.data_fd < 0 ||
	    map_fd(p.idx_fd, &p.idx, &p.idx_len) < 0 ||
	    map_fd(p.data_fd, &p.data, &p.data_len) < 0)
		goto out;
	why = check_idx(&p);
	if (why) {
		rc = error_set("damaged pack index '%s': %s", idx_path, why);
		goto out;
	}
	p.idx_path = xstrdup(idx_path);
	ALLOC_GROW(db->packs, db->packs_nr + 1, db->packs_alloc);
	db->packs[db->packs_nr++] = p;
	memset(&p, 0, sizeof(p));
	p.idx_fd = -1;
	p.data_fd = -1;
out:
	if (p.idx_fd >= 0)
		close(p.idx_fd);
	if (p.data_fd >= 0)
		close(p.data_fd);
	free((void *)(uintptr_t)p.fanout);
	unmap(p.idx, p.idx_len);
	unmap(p.data, p.data_len);
	strbuf_release(&pack);
	return rc;
}

/* The same directory reached twice (alternates of alternates, a
 * quarantine listing the main store) is read once: compare inodes. */
static bool known_dir(struct odb *db, const struct stat *st)
{
	for (size_t i = 0; i < db->dirs_nr; i++)
		if (db->dir_ids[i].dev == st->st_dev &&
		    db->dir_ids[i].ino == st->st_ino)
			return true;
	ALLOC_GROW(db->dir_ids, db->dirs_nr + 1, db->dir_ids_alloc);
	db->dir_ids[db->dirs_nr].dev = st->st_dev;
	db->dir_ids[db->dirs_nr].ino = st->st_ino;
	return false;
}

static int add_dir(struct odb *db, const char *dir, int depth);

/* Follow dir/info/alternates: one directory per line, relative ones
 * against dir, '#' starts a comment (git's rules, without quoting). */
static int add_alternates(struct odb *db, const char *dir, int depth)
{
	struct strbuf path = STRBUF_INIT, buf = STRBUF_INIT;
	const unsigned char *map = NULL;
	size_t len = 0, pos = 0;
	int rc = 0;

	strbuf_addf(&path, "%s/info/alternates", dir);
	if (map_file(path.buf, &map, &len) < 0 || len > MAX_ALT_FILE)
		goto out;
	while (pos < len && !rc) {
		size_t end = pos;

		while (end < len && map[end] != '\n')
			end++;
		strbuf_reset(&buf);
		if (end > pos && map[pos] != '#' && map[pos] != '"') {
			if (map[pos] != '/')
				strbuf_addf(&buf, "%s/", dir);
			strbuf_add(&buf, map + pos, end - pos);
			strbuf_rtrim(&buf);
			rc = add_dir(db, buf.buf, depth + 1);
		}
		pos = end + 1;
	}
out:
	unmap(map, len);
	strbuf_release(&buf);
	strbuf_release(&path);
	return rc;
}

static int add_dir(struct odb *db, const char *dir, int depth)
{
	const char *real = dir;
	struct strbuf path = STRBUF_INIT;
	struct stat st;
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (depth > MAX_ALT_DEPTH || stat(dir, &st) < 0 ||
	    !S_ISDIR(st.st_mode) || known_dir(db, &st))
		return 0;
	ALLOC_GROW(db->dirs, db->dirs_nr + 1, db->dirs_alloc);
	db->dirs[db->dirs_nr++] = xstrdup(dir);
	strbuf_addf(&path, "%s/pack", real);
	d = opendir(path.buf);
	while (d && !rc && (de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n <= 4 || strcmp(de->d_name + n - 4, ".idx"))
			continue;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/pack/%s", real, de->d_name);
		rc = add_pack(db, path.buf);
	}
	if (d)
		closedir(d);
	strbuf_release(&path);
	if (!rc)
		rc = add_alternates(db, real, depth);
	return rc;
}

int odb_open(struct odb **out, const char *const *dirs, size_t nr)
{
	struct odb *db = xcalloc(1, sizeof(*db));
	int rc = 0;

	*out = NULL;
	for (size_t i = 0; i < nr && !rc; i++)
		if (dirs[i] && *dirs[i])
			rc = add_dir(db, dirs[i], 0);
	if (rc < 0) {
		odb_free(db);
		return rc;
	}
	*out = db;
	return 0;
}

void odb_free(struct odb *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->packs_nr; i++) {
		unmap(db->packs[i].idx, db->packs[i].idx_len);
		unmap(db->packs[i].data, db->packs[i].data_len);
		free(db->packs[i].idx_path);
		free((void *)(uintptr_t)db->packs[i].fanout);
		close(db->packs[i].idx_fd);
		close(db->packs[i].data_fd);
	}
	for (size_t i = 0; i < db->dirs_nr; i++)
		free(db->dirs[i]);
	free(db->dirs);
	free(db->dir_ids);
	free(db->packs);
	free(db);
}

size_t odb_packs(const struct odb *db)
{
	return db->packs_nr;
}
