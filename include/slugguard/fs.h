/* SPDX-License-Identifier: MIT */
/* File helpers: capped reads, atomic writes, exclusive creation. */
#ifndef SLUGGUARD_FS_H
#define SLUGGUARD_FS_H

#include "slugguard/strbuf.h"

/*
 * Append the whole file at path to sb, refusing files larger than cap
 * bytes (signify's habit) and anything but a regular file once symbolic
 * links are followed ("'<path>': not a regular file"): a FIFO would block
 * the read forever, a device never end. Returns 0, ERR_NOTFOUND when the
 * file does not exist, or ERR_FAIL with the path named in the message.
 */
int fs_read_capped(struct strbuf *sb, const char *path, size_t cap);
/*
 * fs_read_capped() for a configuration file found in a work tree
 * (.slugguard.json, .slugguardignore, .gitleaks.toml, app.json...): a
 * symbolic link is refused too, because git stores a link as its target's
 * name, so the hooks that read the pushed commit would never see the
 * content a followed link shows ("'<path>': not a regular file (a
 * symbolic link)").
 */
int fs_read_worktree(struct strbuf *sb, const char *path, size_t cap);
/* Like fs_read_capped for an open fd (read until EOF). */
int fs_read_fd_capped(struct strbuf *sb, int fd, size_t cap, const char *what);

/*
 * Write buf to path atomically: "<path>.lock" is created with
 * O_CREAT|O_EXCL|O_NOFOLLOW, written fully, fsync'd, chmod'ed to mode and
 * renamed over path. The lock is removed on any failure.
 */
int fs_write_atomic(const char *path, const void *buf, size_t len,
		    unsigned mode);

/*
 * Create path with O_CREAT|O_EXCL|O_NOFOLLOW and the given mode (e.g. 0600
 * for key files) and write buf. With force, an existing regular file is
 * unlinked first. Fails if the path exists and !force.
 */
int fs_write_exclusive(const char *path, const void *buf, size_t len,
		       unsigned mode, bool force);

/* Write all of buf to fd, retrying on EINTR and short writes. */
int fs_write_all(int fd, const void *buf, size_t len);
/* mkdir -p with mode for the directories it creates. */
int fs_mkdir_p(const char *path, unsigned mode);
/*
 * mkdir -p path, then make its last component private: it must be a
 * real directory (not a symlink), and its mode becomes 0700 even when it
 * existed with a wider one (logs written before this rule).
 */
int fs_mkdir_private(const char *path);
/*
 * Open rel ('/'-separated, relative) beneath the directory fd root with
 * flags, following no symlink on the way: each directory component is
 * opened O_DIRECTORY|O_NOFOLLOW, the last one with flags|O_NOFOLLOW
 * (O_CLOEXEC always). *out is the caller's fd to close, -1 on failure.
 */
int fs_open_beneath(int *out, int root, const char *rel, int flags);
/* rm -rf; missing paths are not an error. Never follows symlinks. */
int fs_remove_tree(const char *path);
bool fs_exists(const char *path);
bool fs_is_dir(const char *path);
/*
 * The absolute path of path with every symbolic link, "." and ".."
 * resolved (realpath(3)), or NULL when it does not exist or cannot be
 * resolved. The caller frees it with free(3).
 */
char *fs_realpath(const char *path);
/* Create a fresh private directory from a template ending in XXXXXX;
 * tmpl is modified in place. */
int fs_mkdtemp(char *tmpl);

/*
 * Temporary directories that do not outlive the process: fs_tmpdir_new()
 * makes "$TMPDIR/<prefix>-<pid>-XXXXXX" (0700), appended to out, and
 * registers it; fs_tmpdir_remove() removes the tree and unregisters it.
 * On SIGINT, SIGTERM or SIGHUP the registered ones are removed (rm -rf by
 * argv: fork and exec are what a signal handler may call) before the
 * signal's default action. fs_tmpdir_sweep() removes, at start, the
 * "<prefix>-<pid>-*" directories of processes that no longer run (a
 * kill -9 leaves them) and any "<prefix>-*" older than max_age seconds.
 * At most FS_TMPDIR_MAX are registered at once.
 */
#define FS_TMPDIR_MAX 8
int fs_tmpdir_new(struct strbuf *out, const char *prefix);
void fs_tmpdir_remove(const char *path);
void fs_tmpdir_sweep(const char *prefix, long max_age);

#endif
