/* SPDX-License-Identifier: MIT */
/*
 * Files on disk (--dir): listed first and sorted, then read and matched
 * on every thread, large and binary files window by window.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/gitwalk.h"
#include "slugguard/rules.h"
#include "scan-internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- files on disk -------------------------------------------------- */

struct file_job {
	char *path;
	size_t size; /* as listed; the scan reads at most this much */
	struct hits hits;
};

struct dir_run {
	struct scan_ctx *c;
	struct file_job *files;
	size_t nr, alloc;
	atomic_size_t next;
	int failed;
	pthread_mutex_t lock;
	struct error_saved err; /* the first failure, from its thread */
	struct strbuf *bufs; /* one read buffer per thread */
};

static void add_file(struct dir_run *d, char *path, const struct stat *st)
{
	ALLOC_GROW(d->files, d->nr + 1, d->alloc);
	d->files[d->nr].path = path;
	d->files[d->nr].size = (size_t)st->st_size;
	memset(&d->files[d->nr].hits, 0, sizeof(struct hits));
	d->nr++;
}

/*
 * List the regular files under the directory open as dir (named path).
 * Entries are looked up relative to the directory's fd: on this kind of
 * VM a syscall is dear, and a full path walk per file dearer.
 */
static int list_dir(struct dir_run *d, const char *path, DIR *dir)
{
	struct dirent *de;
	int rc = 0;

	while (!rc && (de = readdir(dir))) {
		struct stat st;
		char *sub;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    !strcmp(de->d_name, ".git"))
			continue;
		if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) <
		    0)
			continue; /* removed while we listed */
		if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
			continue; /* symlinks, devices, sockets */
		sub = strcmp(path, ".") ? scan_join_path(path, de->d_name) :
					  xstrdup(de->d_name);
		if (S_ISREG(st.st_mode)) {
			add_file(d, sub, &st);
		} else {
			int fd = openat(dirfd(dir), de->d_name,
					O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
						O_CLOEXEC);
			DIR *subdir = fd >= 0 ? fdopendir(fd) : NULL;

			if (!subdir) {
				rc = error_from_errno(
					"cannot open directory '%s'", sub);
				if (fd >= 0)
					close(fd);
			} else {
				rc = list_dir(d, sub, subdir);
				closedir(subdir);
			}
			free(sub);
		}
	}
	return rc;
}

static int list_files(struct dir_run *d, const char *path)
{
	struct stat st;
	DIR *dir;
	int rc;

	if (lstat(path, &st) < 0)
		return error_from_errno("cannot read '%s'", path);
	if (S_ISREG(st.st_mode)) {
		add_file(d, xstrdup(path), &st);
		return 0;
	}
	if (!S_ISDIR(st.st_mode))
		return error_set("'%s' is not a file or directory", path);
	dir = opendir(path);
	if (!dir)
		return error_from_errno("cannot open directory '%s'", path);
	rc = list_dir(d, path, dir);
	closedir(dir);
	return rc;
}

static int cmp_files(const void *a, const void *b)
{
	const struct file_job *x = a, *y = b;

	return strcmp(x->path, y->path);
}

/*
 * Read a file into this thread's buffer: read() into memory we reuse,
 * not mmap(), because most files are small and a fresh mapping costs a
 * page fault per 4 KiB plus an munmap; that was half the time of --dir.
 */
static int read_file(int fd, size_t size, struct strbuf *buf)
{
	strbuf_setlen(buf, 0);
	strbuf_grow(buf, size);
	errno = 0;
	while (buf->len < size) {
		ssize_t n = read(fd, buf->buf + buf->len, size - buf->len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (!n)
			break; /* it shrank since we listed it */
		buf->len += (size_t)n;
	}
	buf->buf[buf->len] = '\0';
	return 0;
}

struct fd_reader {
	int fd;
	const char *path;
};

static int read_fd(void *data, char *dst, size_t len, size_t *got)
{
	struct fd_reader *r = data;
	ssize_t n;

	do
		n = read(r->fd, dst, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return error_from_errno("cannot read '%s'", r->path);
	*got = (size_t)n;
	return 0;
}

/* A file over the cap: read in windows, never whole. */
static int stream_file(struct scan_ctx *c, unsigned thread, struct file_job *f,
		       int fd)
{
	struct fd_reader r = { fd, f->path };
	char probe[SCAN_BINARY_PROBE];
	ssize_t n;

	do
		n = pread(fd, probe, sizeof(probe), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return error_from_errno("cannot read '%s'", f->path);
	return scan_match_chunked(c, thread, f->path, f->size,
				  scan_is_binary(probe, (size_t)n), read_fd, &r,
				  &f->hits);
}

static int scan_one_file(struct dir_run *d, unsigned thread, struct file_job *f)
{
	struct scan_ctx *c = d->c;
	struct strbuf *buf = &d->bufs[thread];
	int fd = -1, rc = 0;

	/* Sizes come from the listing: no fstat, one syscall less. */
	if (!f->size)
		goto out;
	fd = open(f->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		warning("cannot read '%s': %s", f->path, strerror(errno));
		atomic_fetch_add(&c->skipped, 1);
		goto out;
	}
	if ((uint64_t)f->size > c->max_blob) {
		rc = stream_file(c, thread, f, fd);
		goto out;
	}
	if (read_file(fd, f->size, buf) < 0) {
		warning("cannot read '%s': %s", f->path, strerror(errno));
		atomic_fetch_add(&c->skipped, 1);
		goto out;
	}
	rc = scan_match_blob(c, thread, f->path, buf->buf, buf->len, NULL, 0,
			     &f->hits);
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

struct dir_worker {
	struct dir_run *d;
	unsigned idx;
};

static void *dir_main(void *arg)
{
	struct dir_worker *dw = arg;
	struct dir_run *d = dw->d;

	for (;;) {
		size_t i = atomic_fetch_add(&d->next, 1);
		int rc;

		if (i >= d->nr || d->failed)
			break;
		rc = scan_one_file(d, dw->idx, &d->files[i]);
		if (rc < 0) {
			pthread_mutex_lock(&d->lock);
			if (!d->failed)
				d->failed = rc;
			error_save(&d->err, rc);
			pthread_mutex_unlock(&d->lock);
			break;
		}
	}
	return NULL;
}

int scan_dirs(struct scan_report *rep, const struct scan_options *opts,
	      const char *const *paths, size_t paths_nr)
{
	struct scan_ctx c;
	struct dir_run d;
	struct dir_worker *dws = NULL;
	struct gitwalk *w = NULL;
	pthread_t *tids = NULL;
	unsigned started = 0;
	int rc;

	memset(&d, 0, sizeof(d));
	pthread_mutex_init(&d.lock, NULL);
	rc = scan_ctx_init(&c, opts, rep, scan_discover_root(opts, &w));
	if (rc < 0)
		goto out;
	d.c = &c;
	for (size_t i = 0; i < paths_nr && !rc; i++)
		rc = list_files(&d, paths[i]);
	if (rc < 0)
		goto out;
	if (d.nr)
		qsort(d.files, d.nr, sizeof(*d.files), cmp_files);
	tids = xcalloc(c.threads, sizeof(*tids));
	dws = xcalloc(c.threads, sizeof(*dws));
	d.bufs = xcalloc(c.threads, sizeof(*d.bufs));
	for (unsigned i = 0; i < c.threads; i++)
		strbuf_init(&d.bufs[i], 0);
	for (unsigned i = 0; i < c.threads && i < (d.nr ? d.nr : 1); i++) {
		dws[i].d = &d;
		dws[i].idx = i;
		if (pthread_create(&tids[i], NULL, dir_main, &dws[i]))
			break;
		started++;
	}
	if (!started)
		dir_main(&dws[0]);
	for (unsigned i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	rc = error_restore(&d.err);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < d.nr; i++) {
		const char *p = d.files[i].path;

		while (starts_with(p, "./"))
			p += 2;
		for (size_t j = 0; j < d.files[i].hits.nr; j++)
			scan_add_finding(&c, &d.files[i].hits.v[j], NULL, p,
					 NULL, NULL);
	}
	free(rep->what);
	rep->what = xstrdup("files on disk");
	scan_finish(&c);
out:
	for (size_t i = 0; i < d.nr; i++) {
		free(d.files[i].path);
		scan_hits_clear(&d.files[i].hits);
	}
	free(d.files);
	for (unsigned i = 0; d.bufs && i < c.threads; i++)
		strbuf_release(&d.bufs[i]);
	free(d.bufs);
	free(tids);
	free(dws);
	pthread_mutex_destroy(&d.lock);
	if (c.opts)
		scan_ctx_release(&c);
	gitwalk_free(w);
	return rc;
}
