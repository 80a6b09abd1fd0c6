/* SPDX-License-Identifier: MIT */
/* File helpers: see include/slugguard/fs.h. */
/* realpath(3) is XSI in glibc's headers: declared only with this. */
#define _XOPEN_SOURCE 700
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int fs_read_fd_capped(struct strbuf *sb, int fd, size_t cap, const char *what)
{
	size_t start = sb->len;

	for (;;) {
		ssize_t n;

		strbuf_grow(sb, 65536);
		n = read(fd, sb->buf + sb->len, sb->alloc - sb->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return error_from_errno("cannot read '%s'", what);
		}
		if (!n)
			break;
		sb->len += (size_t)n;
		sb->buf[sb->len] = '\0';
		if (sb->len - start > cap)
			return error_set("'%s' is larger than %zu bytes", what,
					 cap);
	}
	return 0;
}

/*
 * O_NONBLOCK: opening a FIFO for reading blocks until a writer comes, so
 * a FIFO named .slugguardignore hung "scan --dir". It changes nothing for
 * a regular file, and fstat() then refuses anything else (FIFOs, devices,
 * directories) before the first read.
 */
static int read_regular(struct strbuf *sb, const char *path, size_t cap,
			int extra)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | extra);
	struct stat st;
	int rc;

	if (fd < 0) {
		if (errno == ELOOP && (extra & O_NOFOLLOW))
			return error_set("'%s': not a regular file (a symbolic "
					 "link)",
					 path);
		return error_from_errno("cannot open '%s'", path);
	}
	if (fstat(fd, &st) < 0)
		rc = error_from_errno("cannot stat '%s'", path);
	else if (!S_ISREG(st.st_mode))
		rc = error_set("'%s': not a regular file", path);
	else
		rc = fs_read_fd_capped(sb, fd, cap, path);
	close(fd);
	return rc;
}

int fs_read_capped(struct strbuf *sb, const char *path, size_t cap)
{
	return read_regular(sb, path, cap, 0);
}

int fs_read_worktree(struct strbuf *sb, const char *path, size_t cap)
{
	return read_regular(sb, path, cap, O_NOFOLLOW);
}

int fs_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return error_from_errno("write failed");
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int fs_write_atomic(const char *path, const void *buf, size_t len,
		    unsigned mode)
{
	struct strbuf lock = STRBUF_INIT;
	bool ours = false; /* the lock is ours to remove on failure */
	int fd = -1;
	int rc = 0;

	strbuf_addf(&lock, "%s.lock", path);
	fd = open(lock.buf,
		  O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		/* another writer's (or a dead one's): not ours to remove */
		rc = error_from_errno("cannot create '%s'", lock.buf);
		goto out;
	}
	ours = true;
	rc = fs_write_all(fd, buf, len);
	if (rc < 0) {
		rc = error_wrap(rc, "writing '%s'", lock.buf);
		goto out;
	}
	if (fsync(fd) < 0 || fchmod(fd, (mode_t)mode) < 0) {
		rc = error_from_errno("cannot finish '%s'", lock.buf);
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		rc = error_from_errno("cannot close '%s'", lock.buf);
		goto out;
	}
	fd = -1;
	if (rename(lock.buf, path) < 0) {
		rc = error_from_errno("cannot rename '%s' to '%s'", lock.buf,
				      path);
		goto out;
	}
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0 && ours)
		unlink(lock.buf);
	strbuf_release(&lock);
	return rc;
}

int fs_write_exclusive(const char *path, const void *buf, size_t len,
		       unsigned mode, bool force)
{
	struct stat st;
	int fd = -1;
	int rc = 0;

	if (force && !lstat(path, &st)) {
		if (!S_ISREG(st.st_mode))
			return error_set(
				"'%s' exists and is not a regular file", path);
		if (unlink(path) < 0)
			return error_from_errno("cannot remove '%s'", path);
	}
	fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW,
		  (mode_t)mode);
	if (fd < 0) {
		if (errno == EEXIST)
			return error_set("'%s' already exists (use --force to "
					 "overwrite it)",
					 path);
		return error_from_errno("cannot create '%s'", path);
	}
	/* The umask may have narrowed the mode; key files want it exact. */
	if (fchmod(fd, (mode_t)mode) < 0) {
		rc = error_from_errno("cannot chmod '%s'", path);
		goto out;
	}
	rc = fs_write_all(fd, buf, len);
	if (rc < 0) {
		rc = error_wrap(rc, "writing '%s'", path);
		goto out;
	}
	if (fsync(fd) < 0)
		rc = error_from_errno("cannot sync '%s'", path);
out:
	if (close(fd) < 0 && !rc)
		rc = error_from_errno("cannot close '%s'", path);
	if (rc < 0)
		unlink(path);
	return rc;
}

int fs_mkdir_p(const char *path, unsigned mode)
{
	struct strbuf sb = STRBUF_INIT;
	int rc = 0;

	strbuf_addstr(&sb, path);
	for (size_t i = 1; i <= sb.len; i++) {
		if (i < sb.len && sb.buf[i] != '/')
			continue;
		sb.buf[i] = '\0';
		if (mkdir(sb.buf, (mode_t)mode) < 0 && errno != EEXIST) {
			rc = error_from_errno("cannot create directory '%s'",
					      sb.buf);
			goto out;
		}
		if (i < sb.len)
			sb.buf[i] = '/';
	}
	if (!fs_is_dir(path))
		rc = error_set("'%s' exists and is not a directory", path);
out:
	strbuf_release(&sb);
	return rc;
}

int fs_mkdir_private(const char *path)
{
	struct stat st;
	int rc;

	rc = fs_mkdir_p(path, 0700);
	if (rc < 0)
		return rc;
	if (lstat(path, &st) < 0)
		return error_from_errno("cannot stat '%s'", path);
	if (!S_ISDIR(st.st_mode))
		return error_set("'%s' is not a directory", path);
	if ((st.st_mode & 07777) != 0700 && chmod(path, 0700) < 0)
		return error_from_errno("cannot chmod '%s'", path);
	return 0;
}

int fs_open_beneath(int *out, int root, const char *rel, int flags)
{
	struct strbuf part = STRBUF_INIT;
	const char *p = rel, *slash;
	int dfd = root, fd;
	int rc = 0;

	*out = -1;
	while ((slash = strchr(p, '/'))) {
		strbuf_reset(&part);
		strbuf_add(&part, p, (size_t)(slash - p));
		fd = openat(dfd, part.buf,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dfd != root)
			close(dfd);
		dfd = fd;
		if (fd < 0) {
			rc = error_from_errno("cannot open directory '%.*s'",
					      (int)(slash - rel), rel);
			goto out;
		}
		p = slash + 1;
	}
	fd = openat(dfd, p, flags | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		rc = error_from_errno("cannot open '%s'", rel);
	else
		*out = fd;
out:
	if (dfd >= 0 && dfd != root)
		close(dfd);
	strbuf_release(&part);
	return rc;
}

int fs_remove_tree(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	DIR *d = NULL;
	struct dirent *e;
	int rc = 0;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ?
			       0 :
			       error_from_errno("cannot stat '%s'", path);
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) < 0)
			return error_from_errno("cannot remove '%s'", path);
		return 0;
	}
	d = opendir(path);
	if (!d)
		return error_from_errno("cannot open directory '%s'", path);
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s/%s", path, e->d_name);
		rc = fs_remove_tree(sb.buf);
		if (rc < 0)
			goto out;
	}
	if (rmdir(path) < 0)
		rc = error_from_errno("cannot remove directory '%s'", path);
out:
	closedir(d);
	strbuf_release(&sb);
	return rc;
}

bool fs_exists(const char *path)
{
	struct stat st;

	return !lstat(path, &st);
}

bool fs_is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

int fs_mkdtemp(char *tmpl)
{
	if (!mkdtemp(tmpl))
		return error_from_errno("cannot create temporary directory "
					"'%s'",
					tmpl);
	return 0;
}

char *fs_realpath(const char *path)
{
	return realpath(path, NULL);
}
