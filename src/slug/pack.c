/* SPDX-License-Identifier: MIT */
/* Reproducible slug packing with libarchive: see include/slugguard/slug.h. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/slug.h"
#include "slug-internal.h"
#include "archive-dl.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CHUNK (1024 * 1024)
#define LARGEST_SHOWN 5

struct slug_entry {
	char *path; /* relative to the root; "" is the root itself */
	mode_t mode;
	uint64_t size;
	char *target; /* symlinks */
};

struct entry_list {
	struct slug_entry *v;
	size_t nr, alloc;
};

static void entries_clear(struct entry_list *l)
{
	for (size_t i = 0; i < l->nr; i++) {
		free(l->v[i].path);
		free(l->v[i].target);
	}
	free(l->v);
	l->v = NULL;
	l->nr = l->alloc = 0;
}

/*
 * Does a symlink at rel (root-relative) with this target stay inside the
 * tree? Resolved lexically, as the runtime would see it under /app.
 */
static bool link_inside(const char *rel, const char *target)
{
	struct strbuf path = STRBUF_INIT;
	size_t depth = 0;
	const char *p;
	bool ok = true;

	if (target[0] == '/') {
		if (strcmp(target, "/app") && !starts_with(target, "/app/"))
			return false;
		strbuf_addstr(&path, target + 4);
	} else {
		const char *slash = strrchr(rel, '/');

		if (slash)
			strbuf_add(&path, rel, (size_t)(slash - rel) + 1);
		strbuf_addstr(&path, target);
	}
	p = path.buf;
	while (*p) {
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n == 2 && !strncmp(p, "..", 2)) {
			if (!depth) {
				ok = false;
				break;
			}
			depth--;
		} else if (n && !(n == 1 && *p == '.')) {
			depth++;
		}
		p += n;
		if (*p == '/')
			p++;
	}
	strbuf_release(&path);
	return ok;
}

/*
 * Collect the entries of the directory dfd (ours to close) whose path is
 * rel ("" at the root, else '/'-terminated). The walk goes through
 * directory fds and never follows a symlink, so a buildpack that turns a
 * directory into a link cannot make us read outside the app.
 */
static int collect(struct entry_list *l, int dfd, struct strbuf *rel)
{
	size_t rel_len = rel->len;
	DIR *d = NULL;
	struct dirent *de;
	int rc = 0;

	d = fdopendir(dfd);
	if (!d) {
		rc = error_from_errno("cannot open directory './%s'", rel->buf);
		close(dfd);
		return rc;
	}
	for (;;) {
		struct slug_entry *e;
		struct stat st;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				rc = error_from_errno("cannot read './%s'",
						      rel->buf);
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		strbuf_setlen(rel, rel_len);
		strbuf_addstr(rel, de->d_name);
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) <
		    0) {
			rc = error_from_errno("cannot stat '%s'", rel->buf);
			break;
		}
		if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) &&
		    !S_ISLNK(st.st_mode)) {
			rc = error_setc(ERR_REJECTED,
					"'%s' is not a file, directory or "
					"symlink",
					rel->buf);
			break;
		}
		ALLOC_GROW(l->v, l->nr + 1, l->alloc);
		e = &l->v[l->nr++];
		memset(e, 0, sizeof(*e));
		e->path = xstrdup(rel->buf);
		e->mode = st.st_mode;
		if (S_ISREG(st.st_mode))
			e->size = (uint64_t)st.st_size;
		if (S_ISLNK(st.st_mode)) {
			struct strbuf t = STRBUF_INIT;
			ssize_t n;

			strbuf_grow(&t, (size_t)st.st_size + 256);
			n = readlinkat(dirfd(d), de->d_name, t.buf,
				       t.alloc - 1);
			if (n < 0) {
				strbuf_release(&t);
				rc = error_from_errno("cannot read link '%s'",
						      rel->buf);
				break;
			}
			strbuf_setlen(&t, (size_t)n);
			e->target = strbuf_detach(&t, NULL);
			if (!link_inside(e->path, e->target)) {
				rc = error_setc(ERR_REJECTED,
						"symlink '%s' points outside "
						"the app ('%s')",
						e->path, e->target);
				break;
			}
		}
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), de->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
						 O_CLOEXEC);

			if (sub < 0) {
				rc = error_from_errno("cannot open directory "
						      "'%s'",
						      rel->buf);
				break;
			}
			strbuf_addch(rel, '/');
			rc = collect(l, sub, rel);
			if (rc < 0)
				break;
		}
	}
	strbuf_setlen(rel, rel_len);
	closedir(d);
	return rc;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct slug_entry *x = a, *y = b;

	return strcmp(x->path, y->path);
}

static int size_cmp_desc(const void *a, const void *b)
{
	const struct slug_entry *const *x = a, *const *y = b;

	if ((*x)->size != (*y)->size)
		return (*x)->size < (*y)->size ? 1 : -1;
	return strcmp((*x)->path, (*y)->path);
}

static void human_size(struct strbuf *sb, uint64_t n)
{
	if (n >= 1024 * 1024)
		strbuf_addf(sb, "%.1f MiB", (double)n / (1024.0 * 1024.0));
	else if (n >= 1024)
		strbuf_addf(sb, "%.1f KiB", (double)n / 1024.0);
	else
		strbuf_addf(sb, "%llu B", (unsigned long long)n);
}

static int too_large(const struct entry_list *l, uint64_t limit)
{
	struct strbuf msg = STRBUF_INIT;
	const struct slug_entry **by_size = NULL;
	size_t nr = 0;
	int rc;

	by_size = xcalloc(l->nr ? l->nr : 1, sizeof(*by_size));
	for (size_t i = 0; i < l->nr; i++)
		if (S_ISREG(l->v[i].mode))
			by_size[nr++] = &l->v[i];
	qsort(by_size, nr, sizeof(*by_size), size_cmp_desc);
	strbuf_addf(&msg, "slug is larger than the limit of %llu bytes",
		    (unsigned long long)limit);
	for (size_t i = 0; i < nr && i < LARGEST_SHOWN; i++) {
		strbuf_addstr(&msg, i ? ", " : "; largest paths: ");
		strbuf_add_sanitized(&msg, by_size[i]->path,
				     strlen(by_size[i]->path));
		strbuf_addstr(&msg, " (");
		human_size(&msg, by_size[i]->size);
		strbuf_addch(&msg, ')');
	}
	rc = error_setc(ERR_REJECTED, "%s", msg.buf);
	free(by_size);
	strbuf_release(&msg);
	return rc;
}

struct sink {
	struct pgz *gz;
	int err; /* our stored error code when a write failed */
};

static la_ssize_t sink_write(struct archive *a, void *data, const void *buf,
			     size_t len)
{
	struct sink *s = data;
	int rc = pgz_write(s->gz, buf, len);

	if (rc < 0) {
		s->err = rc;
		archive_set_error(a, EIO, "%s", error_last());
		return -1;
	}
	if (pgz_over_limit(s->gz)) {
		archive_set_error(a, EFBIG, "slug too large");
		return -1;
	}
	return (la_ssize_t)len;
}

static int ar_check(struct archive *a, int r, const char *what)
{
	if (r == ARCHIVE_OK)
		return 0;
	if (r == ARCHIVE_WARN) {
		warning("%s: %s", what, archive_error_string(a));
		return 0;
	}
	return error_set("%s: %s", what,
			 archive_error_string(a) ? archive_error_string(a) :
						   "libarchive error");
}

static int write_data(struct archive *a, int root, const struct slug_entry *e,
		      char *buf, struct slug_check *chk)
{
	uint64_t left = e->size;
	struct stat st;
	int fd = -1;
	int rc;

	rc = fs_open_beneath(&fd, root, e->path, O_RDONLY);
	if (rc < 0)
		return rc;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return error_set("'%s' is no longer a regular file", e->path);
	}
	while (left) {
		size_t want = left < READ_CHUNK ? (size_t)left : READ_CHUNK;
		ssize_t n = read(fd, buf, want);
		la_ssize_t w;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = error_from_errno("cannot read '%s'", e->path);
			break;
		}
		if (!n) {
			rc = error_set("'%s' shrank while packing", e->path);
			break;
		}
		if (chk) {
			rc = slug_check_block(chk, buf, (size_t)n);
			if (rc < 0)
				break;
		}
		w = archive_write_data(a, buf, (size_t)n);
		if (w < 0) {
			rc = ar_check(a, ARCHIVE_FATAL, "writing slug");
			break;
		}
		left -= (uint64_t)n;
	}
	close(fd);
	return rc;
}

/*
 * Permissions in the slug are normalised, whatever a buildpack left:
 * directories 0755, files 0755 with any exec bit and 0644 without,
 * symlinks 0777. No setuid, setgid or sticky bit and no group or world
 * write reach the dyno.
 */
static mode_t slug_perm(mode_t mode)
{
	if (S_ISDIR(mode))
		return 0755;
	if (S_ISLNK(mode))
		return 0777;
	return mode & 0111 ? 0755 : 0644;
}

static void entry_stat(struct archive_entry *ae, const struct slug_entry *e,
		       int64_t mtime)
{
	archive_entry_set_mode(ae, (e->mode & S_IFMT) | slug_perm(e->mode));
	archive_entry_set_uid(ae, 0);
	archive_entry_set_gid(ae, 0);
	archive_entry_set_mtime(ae, (time_t)mtime, 0);
	if (S_ISREG(e->mode))
		archive_entry_set_size(ae, (la_int64_t)e->size);
	else
		archive_entry_set_size(ae, 0);
	if (S_ISLNK(e->mode))
		archive_entry_set_symlink(ae, e->target);
}

/*
 * Pack o->dir with every entry under prefix ("./app/" for a slug,
 * SLUG_SOURCE_PREFIX for a source tarball), the prefix directory first.
 */
int slug_pack_prefixed(struct slug_stats *out, const struct slug_opts *o,
		       const char *prefix)
{
	struct entry_list l = { NULL, 0, 0 };
	struct strbuf rel = STRBUF_INIT, lock = STRBUF_INIT;
	struct strbuf name = STRBUF_INIT;
	struct archive *a = NULL;
	struct archive_entry *ae = NULL;
	struct sink sink = { NULL, 0 };
	struct slug_check *chk = NULL;
	uint64_t limit = o->max_size ? o->max_size : SLUG_DEFAULT_MAX_SIZE;
	unsigned threads = o->threads;
	char *buf = NULL;
	int root = -1;
	int fd = -1;
	int rc;

	if (out)
		memset(out, 0, sizeof(*out));
	rc = slug_archive_load();
	if (rc < 0)
		goto out;
	if (!threads) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		threads = n < 1 ? 1 : n > 8 ? 8 : (unsigned)n;
	}
	root = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0) {
		rc = error_from_errno("cannot open directory '%s'", o->dir);
		goto out;
	}
	rc = collect(&l, fcntl(root, F_DUPFD_CLOEXEC, 0), &rel);
	if (rc < 0)
		goto out;
	qsort(l.v, l.nr, sizeof(*l.v), entry_cmp);

	strbuf_addf(&lock, "%s.lock", o->out_path);
	fd = open(lock.buf,
		  O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		rc = error_from_errno("cannot create '%s'", lock.buf);
		strbuf_reset(&lock);
		goto out;
	}
	rc = pgz_open(&sink.gz, fd, o->level ? o->level : SLUG_DEFAULT_LEVEL,
		      threads, limit);
	if (rc < 0)
		goto out;
	a = archive_write_new();
	if (!a)
		die("out of memory");
	rc = ar_check(a, archive_write_set_format_pax_restricted(a),
		      "setting tar format");
	if (!rc)
		rc = ar_check(a, archive_write_add_filter_none(a),
			      "setting filter");
	if (!rc)
		rc = ar_check(
			a, archive_write_open(a, &sink, NULL, sink_write, NULL),
			"opening slug");
	if (rc < 0)
		goto out;
	if (o->check) {
		rc = slug_check_new(&chk, o->check, o->check_fn, o->check_data);
		if (rc < 0)
			goto out;
	}
	buf = xmalloc(READ_CHUNK);
	ae = archive_entry_new();
	/* The prefix directory itself comes first. */
	for (size_t i = 0; i <= l.nr; i++) {
		struct slug_entry top = { NULL, S_IFDIR | 0755, 0, NULL };
		const struct slug_entry *e = i ? &l.v[i - 1] : &top;

		archive_entry_clear(ae);
		strbuf_reset(&name);
		strbuf_addstr(&name, prefix);
		if (e->path)
			strbuf_addstr(&name, e->path);
		archive_entry_copy_pathname(ae, name.buf);
		entry_stat(ae, e, o->mtime);
		rc = ar_check(a, archive_write_header(a, ae),
			      "writing slug entry");
		if (rc < 0)
			break;
		if (S_ISREG(e->mode) && e->size) {
			/* entry names as the read-back gives them: app/... */
			if (chk)
				slug_check_file(chk, name.buf + 2, e->size);
			rc = write_data(a, root, e, buf, chk);
			if (!rc && chk)
				rc = slug_check_file_end(chk);
			if (rc < 0)
				break;
		}
	}
	if (!rc)
		rc = ar_check(a, archive_write_close(a), "closing slug");
	if (pgz_over_limit(sink.gz)) {
		rc = too_large(&l, limit);
		goto out;
	}
	if (sink.err) {
		rc = sink.err;
		goto out;
	}
	if (rc < 0)
		goto out;
	rc = pgz_finish(sink.gz);
	if (!rc && pgz_over_limit(sink.gz))
		rc = too_large(&l, limit);
	if (rc < 0)
		goto out;
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		rc = error_from_errno("cannot write '%s'", lock.buf);
		goto out;
	}
	fd = -1;
	if (rename(lock.buf, o->out_path) < 0) {
		rc = error_from_errno("cannot rename '%s'", lock.buf);
		goto out;
	}
	strbuf_reset(&lock);
	if (out) {
		out->size = pgz_out_bytes(sink.gz);
		out->raw_size = pgz_in_bytes(sink.gz);
		out->entries = l.nr + 1;
	}
out:
	if (chk && slug_check_error(chk))
		rc = slug_check_error(chk);
	slug_check_free(chk);
	if (a)
		archive_write_free(a);
	archive_entry_free(ae);
	pgz_free(sink.gz);
	if (fd >= 0)
		close(fd);
	if (root >= 0)
		close(root);
	if (lock.len)
		unlink(lock.buf);
	free(buf);
	entries_clear(&l);
	strbuf_release(&rel);
	strbuf_release(&lock);
	strbuf_release(&name);
	return rc;
}

int slug_pack(struct slug_stats *out, const struct slug_opts *o)
{
	return slug_pack_prefixed(out, o, "./app/");
}

const char *slug_backend_version(void)
{
	/*
	 * Provenance asks after packing, so libarchive is loaded by now;
	 * still, never hand a NULL to a JSON field.
	 */
	if (slug_archive_load() < 0)
		return "unavailable";
	return archive_version_string();
}
