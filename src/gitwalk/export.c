/* SPDX-License-Identifier: MIT */
/*
 * Exporting a commit's tree and looking up commit metadata (build).
 *
 * A pushed tree is hostile input. Every tree is checked as git's fsck
 * checks it before any of its entries is written, and every path is
 * created relative to an open directory fd with O_NOFOLLOW, so that a
 * symlink written earlier in the same export (or found in the
 * destination) is never followed.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/gitwalk.h"
#include "slugguard/oidmap.h"
#include "gitwalk-internal.h"

#include <fcntl.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* git's own core.maxTreeDepth default: deeper trees are refused. */
#define MAX_TREE_DEPTH 2048
#define DIR_OPEN_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

static int lookup_commit(git_commit **out, git_repository *repo,
			 const char *hex)
{
	git_oid oid;
	int rc;

	*out = NULL;
	rc = git_oid_fromstr(&oid, hex);
	if (rc < 0)
		return error_set("'%s' is not an object id", hex);
	rc = git_commit_lookup(out, repo, &oid);
	if (rc < 0)
		return gitwalk_error(rc, "looking up commit");
	return 0;
}

/* The root tree of commit hex. */
static int lookup_root_tree(git_tree **out, git_repository *repo,
			    const char *hex)
{
	git_commit *commit = NULL;
	int rc;

	*out = NULL;
	rc = lookup_commit(&commit, repo, hex);
	if (rc < 0)
		return rc;
	rc = git_commit_tree(out, commit);
	if (rc < 0)
		rc = gitwalk_error(rc, "reading commit tree");
	git_commit_free(commit);
	return rc;
}

/* ---- fsck: the tree checks git's receive.fsckObjects makes ----------- */

/*
 * ".git" or "git~1" (its 8.3 short name) followed only by dots and
 * spaces, or by an NTFS stream (":"): names NTFS resolves to ".git".
 */
static bool is_ntfs_dotgit(const char *name)
{
	const char *p;

	if (!strncasecmp(name, ".git", 4))
		p = name + 4;
	else if (!strncasecmp(name, "git~1", 5))
		p = name + 5;
	else
		return false;
	for (; *p; p++) {
		if (*p == ':' || *p == '\\')
			return true;
		if (*p != '.' && *p != ' ')
			return false;
	}
	return true;
}

/*
 * The next character of *p as HFS+ compares names: the code points it
 * ignores (U+200C-200F, U+202A-202E, U+206A-206F, U+FEFF, in UTF-8) are
 * skipped, ASCII is folded to lower case, anything else is -1.
 */
static int hfs_next(const char **p)
{
	for (;;) {
		const unsigned char *s = (const unsigned char *)*p;

		if ((s[0] == 0xe2 && s[1] == 0x80 &&
		     ((s[2] >= 0x8c && s[2] <= 0x8f) ||
		      (s[2] >= 0xaa && s[2] <= 0xae))) ||
		    (s[0] == 0xe2 && s[1] == 0x81 && s[2] >= 0xaa &&
		     s[2] <= 0xaf) ||
		    (s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)) {
			*p += 3;
			continue;
		}
		if (!s[0])
			return 0;
		(*p)++;
		if (s[0] >= 0x80)
			return -1;
		return s[0] >= 'A' && s[0] <= 'Z' ? s[0] - 'A' + 'a' : s[0];
	}
}

static bool is_hfs_dotgit(const char *name)
{
	const char *p = name;

	return hfs_next(&p) == '.' && hfs_next(&p) == 'g' &&
	       hfs_next(&p) == 'i' && hfs_next(&p) == 't' && !hfs_next(&p);
}

static bool mode_ok(git_filemode_t mode)
{
	return mode == GIT_FILEMODE_BLOB ||
	       mode == GIT_FILEMODE_BLOB_EXECUTABLE ||
	       mode == GIT_FILEMODE_LINK || mode == GIT_FILEMODE_TREE ||
	       mode == GIT_FILEMODE_COMMIT;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int refuse(const char *commit, const char *why, const struct strbuf *dir,
		  const char *name)
{
	return error_set("refusing tree of commit %.12s: %s '%s%s'", commit,
			 why, dir->buf, name);
}

/*
 * Check the entries of one tree (dir is its path with a trailing '/',
 * or "" at the root) as git fsck does: names that are empty, "." or
 * "..", hold a '/', or mean ".git" on some file system; modes other than
 * git's five; the same name twice (a blob and a tree included, which is
 * how a symlink and a directory of one name get in).
 */
static int check_entries(const git_tree *tree, const struct strbuf *dir,
			 const char *commit)
{
	size_t n = git_tree_entrycount(tree);
	const char **names = NULL;
	int rc = 0;

	names = xcalloc(n ? n : 1, sizeof(*names));
	for (size_t i = 0; i < n && !rc; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		const char *name = git_tree_entry_name(e);
		git_filemode_t mode = git_tree_entry_filemode_raw(e);

		names[i] = name;
		if (!*name)
			rc = refuse(commit, "empty entry name in", dir, "");
		else if (!strcmp(name, ".") || !strcmp(name, ".."))
			rc = refuse(commit, ". or .. entry", dir, name);
		else if (strchr(name, '/'))
			rc = refuse(commit, "entry with a slash", dir, name);
		else if (is_ntfs_dotgit(name) || is_hfs_dotgit(name))
			rc = refuse(commit, ".git entry", dir, name);
		else if (!mode_ok(mode))
			rc = error_set("refusing tree of commit %.12s: bad "
				       "mode %o entry '%s%s'",
				       commit, (unsigned)mode, dir->buf, name);
	}
	if (!rc) {
		qsort(names, n, sizeof(*names), name_cmp);
		for (size_t i = 1; i < n && !rc; i++)
			if (!strcmp(names[i - 1], names[i]))
				rc = refuse(commit, "duplicate entry", dir,
					    names[i]);
	}
	free(names);
	return rc;
}

static int too_deep(const char *commit, const struct strbuf *dir)
{
	return error_set("refusing tree of commit %.12s: deeper than %d "
			 "levels at '%s'",
			 commit, MAX_TREE_DEPTH, dir->buf);
}

/* Add id to the trees already checked; false when it was there. */
static bool seen_add(struct oidmap *seen, const git_oid *id)
{
	size_t none = 0;

	return !oidmap_put(seen, id->id, &none);
}

struct check_ctx {
	git_repository *repo;
	const char *commit;
	struct oidmap seen;
	struct strbuf dir;
	size_t depth;
};

static int check_tree(struct check_ctx *c, const git_tree *tree)
{
	size_t n = git_tree_entrycount(tree);
	size_t dir_len = c->dir.len;
	int rc;

	if (++c->depth > MAX_TREE_DEPTH) {
		rc = too_deep(c->commit, &c->dir);
		goto out;
	}
	rc = check_entries(tree, &c->dir, c->commit);
	for (size_t i = 0; i < n && !rc; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		git_tree *sub = NULL;

		if (git_tree_entry_type(e) != GIT_OBJECT_TREE ||
		    !seen_add(&c->seen, git_tree_entry_id(e)))
			continue;
		rc = git_tree_lookup(&sub, c->repo, git_tree_entry_id(e));
		if (rc < 0) {
			rc = gitwalk_error(rc, "reading tree");
			break;
		}
		strbuf_setlen(&c->dir, dir_len);
		strbuf_addf(&c->dir, "%s/", git_tree_entry_name(e));
		rc = check_tree(c, sub);
		git_tree_free(sub);
	}
out:
	c->depth--;
	strbuf_setlen(&c->dir, dir_len);
	return rc;
}

int gitwalk_check_tree(const struct gitwalk *w, const char *hex)
{
	struct check_ctx c = { gitwalk_repo(w), hex, OIDMAP_INIT, STRBUF_INIT,
			       0 };
	git_tree *tree = NULL;
	int rc;

	rc = lookup_root_tree(&tree, c.repo, hex);
	if (!rc)
		rc = check_tree(&c, tree);
	git_tree_free(tree);
	oidmap_release(&c.seen);
	strbuf_release(&c.dir);
	return rc;
}

/* ---- export ---------------------------------------------------------- */

struct export_ctx {
	git_repository *repo;
	const char *commit;
	struct strbuf rel; /* path of the current directory, '/'-terminated */
	gitwalk_export_filter_fn filter;
	void *data;
	size_t depth;
	bool refused; /* the message names the commit: no more context */
};

/* Create name in dfd (its path is rel) from blob entry e. */
static int write_blob(struct export_ctx *x, const git_tree_entry *e, int dfd,
		      const char *name, const char *rel)
{
	git_blob *blob = NULL;
	git_filemode_t mode = git_tree_entry_filemode(e);
	mode_t perm = mode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0755 : 0644;
	struct strbuf target = STRBUF_INIT;
	int fd = -1;
	int rc;

	rc = git_blob_lookup(&blob, x->repo, git_tree_entry_id(e));
	if (rc < 0) {
		rc = gitwalk_error(rc, "reading blob");
		goto out;
	}
	if (mode == GIT_FILEMODE_LINK) {
		strbuf_add(&target, git_blob_rawcontent(blob),
			   (size_t)git_blob_rawsize(blob));
		if (strlen(target.buf) != target.len) {
			rc = error_set("symlink '%s' has a NUL in its target",
				       rel);
			goto out;
		}
		if (symlinkat(target.buf, dfd, name) < 0)
			rc = error_from_errno("cannot create symlink '%s'",
					      rel);
		goto out;
	}
	/* O_EXCL|O_NOFOLLOW: never write through anything already there */
	fd = openat(dfd, name,
		    O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, perm);
	if (fd < 0) {
		rc = error_from_errno("cannot create '%s'", rel);
		goto out;
	}
	rc = fs_write_all(fd, git_blob_rawcontent(blob),
			  (size_t)git_blob_rawsize(blob));
	if (rc < 0) {
		rc = error_wrap(rc, "writing '%s'", rel);
		goto out;
	}
	/* Exact modes whatever the umask: the slug keeps exec bits. */
	if (fchmod(fd, perm) < 0)
		rc = error_from_errno("cannot chmod '%s'", rel);
out:
	if (fd >= 0 && close(fd) < 0 && !rc)
		rc = error_from_errno("cannot close '%s'", rel);
	strbuf_release(&target);
	git_blob_free(blob);
	return rc;
}

/*
 * Make directory name in dfd (an existing real directory is fine) and
 * open it without following a link: a symlink of that name, made by an
 * earlier entry or found in the destination, fails with ELOOP.
 */
static int open_subdir(int *out, int dfd, const char *name, const char *rel)
{
	*out = -1;
	if (mkdirat(dfd, name, 0755) < 0 && errno != EEXIST)
		return error_from_errno("cannot create directory '%s'", rel);
	*out = openat(dfd, name, DIR_OPEN_FLAGS);
	if (*out < 0)
		return error_from_errno("cannot open directory '%s'", rel);
	return 0;
}

static int export_tree(struct export_ctx *x, const git_tree *tree, int dfd)
{
	size_t n = git_tree_entrycount(tree);
	size_t rel_len = x->rel.len;
	int rc;

	if (++x->depth > MAX_TREE_DEPTH) {
		rc = too_deep(x->commit, &x->rel);
		x->refused = true;
		goto out;
	}
	/* the whole tree is checked before any of its entries is written */
	rc = check_entries(tree, &x->rel, x->commit);
	x->refused = rc < 0;
	for (size_t i = 0; i < n && !rc; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		const char *name = git_tree_entry_name(e);
		git_object_t type = git_tree_entry_type(e);
		bool is_dir = type == GIT_OBJECT_TREE ||
			      type == GIT_OBJECT_COMMIT;
		git_tree *sub = NULL;
		int sub_fd = -1;

		strbuf_setlen(&x->rel, rel_len);
		strbuf_addstr(&x->rel, name);
		if (x->filter && x->filter(x->rel.buf, is_dir, x->data))
			continue;
		if (!is_dir) {
			rc = write_blob(x, e, dfd, name, x->rel.buf);
			continue;
		}
		rc = open_subdir(&sub_fd, dfd, name, x->rel.buf);
		if (!rc && type == GIT_OBJECT_TREE) {
			/* a submodule (commit) stays an empty directory */
			rc = git_tree_lookup(&sub, x->repo,
					     git_tree_entry_id(e));
			if (rc < 0)
				rc = gitwalk_error(rc, "reading tree");
		}
		if (sub) {
			strbuf_addch(&x->rel, '/');
			rc = export_tree(x, sub, sub_fd);
		}
		git_tree_free(sub);
		if (sub_fd >= 0)
			close(sub_fd);
	}
out:
	x->depth--;
	strbuf_setlen(&x->rel, rel_len);
	return rc;
}

int gitwalk_export_repo(git_repository *repo, const char *hex, const char *dir,
			gitwalk_export_filter_fn filter, void *data)
{
	struct export_ctx x = { repo, hex, STRBUF_INIT, filter, data, 0, false };
	git_tree *tree = NULL;
	int root = -1;
	int rc;

	rc = lookup_root_tree(&tree, repo, hex);
	if (rc < 0)
		goto out;
	rc = fs_mkdir_p(dir, 0755);
	if (rc < 0)
		goto out;
	/* the destination is the caller's; below it, nothing is followed */
	root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0) {
		rc = error_from_errno("cannot open directory '%s'", dir);
		goto out;
	}
	rc = export_tree(&x, tree, root);
	if (rc < 0 && !x.refused)
		rc = error_wrap(rc, "exporting %.12s", hex);
out:
	if (root >= 0)
		close(root);
	git_tree_free(tree);
	strbuf_release(&x.rel);
	return rc;
}

int gitwalk_export(const struct gitwalk *w, const char *hex, const char *dir,
		   gitwalk_export_filter_fn filter, void *data)
{
	return gitwalk_export_repo(gitwalk_repo(w), hex, dir, filter, data);
}

int gitwalk_commit_time(const struct gitwalk *w, const char *hex, int64_t *out)
{
	git_commit *commit = NULL;
	int rc;

	*out = 0;
	rc = lookup_commit(&commit, gitwalk_repo(w), hex);
	if (rc < 0)
		return rc;
	*out = (int64_t)git_commit_time(commit);
	git_commit_free(commit);
	return 0;
}

int gitwalk_commit_summary(const struct gitwalk *w, const char *hex,
			   struct strbuf *out)
{
	git_commit *commit = NULL;
	const char *s;
	int rc;

	rc = lookup_commit(&commit, gitwalk_repo(w), hex);
	if (rc < 0)
		return rc;
	s = git_commit_summary(commit);
	if (s)
		strbuf_addstr(out, s);
	git_commit_free(commit);
	return 0;
}

int gitwalk_remote_url(const struct gitwalk *w, struct strbuf *out)
{
	git_remote *remote = NULL;
	int rc;

	/*
	 * Only "origin": git_remote_list() leaks its regex match data in
	 * libgit2 1.5 built with PCRE2 (LeakSanitizer reports it).
	 */
	rc = git_remote_lookup(&remote, gitwalk_repo(w), "origin");
	if (rc < 0)
		return error_setc(ERR_NOTFOUND, "no remote 'origin'");
	if (git_remote_url(remote))
		strbuf_addstr(out, git_remote_url(remote));
	git_remote_free(remote);
	return 0;
}

int gitwalk_read_path(const struct gitwalk *w, const char *hex,
		      const char *path, struct strbuf *out, size_t cap)
{
	git_tree *tree = NULL;
	git_tree_entry *e = NULL;
	git_blob *blob = NULL;
	int rc;

	rc = lookup_root_tree(&tree, gitwalk_repo(w), hex);
	if (rc < 0)
		goto out;
	rc = git_tree_entry_bypath(&e, tree, path);
	if (rc < 0 || git_tree_entry_type(e) != GIT_OBJECT_BLOB) {
		rc = error_setc(ERR_NOTFOUND, "'%s' not found in %.12s", path,
				hex);
		goto out;
	}
	rc = git_blob_lookup(&blob, gitwalk_repo(w), git_tree_entry_id(e));
	if (rc < 0) {
		rc = gitwalk_error(rc, "reading blob");
		goto out;
	}
	if ((size_t)git_blob_rawsize(blob) > cap) {
		rc = error_set("'%s' is larger than %zu bytes", path, cap);
		goto out;
	}
	strbuf_add(out, git_blob_rawcontent(blob),
		   (size_t)git_blob_rawsize(blob));
out:
	git_blob_free(blob);
	git_tree_entry_free(e);
	git_tree_free(tree);
	return rc;
}
