/* SPDX-License-Identifier: MIT */
/* Exporting a commit's tree and looking up commit metadata (build). */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/gitwalk.h"
#include "gitwalk-internal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

struct export_ctx {
	git_repository *repo;
	struct strbuf dir; /* destination root, with a trailing '/' */
	size_t root_len;
	struct strbuf rel;
	gitwalk_export_filter_fn filter;
	void *data;
};

static int write_blob(struct export_ctx *x, const git_tree_entry *e,
		      const char *path)
{
	git_blob *blob = NULL;
	git_filemode_t mode = git_tree_entry_filemode(e);
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
				       path);
			goto out;
		}
		if (symlink(target.buf, path) < 0)
			rc = error_from_errno("cannot create symlink '%s'",
					      path);
		goto out;
	}
	fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW,
		  mode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0755 : 0644);
	if (fd < 0) {
		rc = error_from_errno("cannot create '%s'", path);
		goto out;
	}
	rc = fs_write_all(fd, git_blob_rawcontent(blob),
			  (size_t)git_blob_rawsize(blob));
	if (rc < 0) {
		rc = error_wrap(rc, "writing '%s'", path);
		goto out;
	}
	/* Exact modes whatever the umask: the slug keeps exec bits. */
	if (fchmod(fd, mode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0755 : 0644) < 0)
		rc = error_from_errno("cannot chmod '%s'", path);
out:
	if (fd >= 0 && close(fd) < 0 && !rc)
		rc = error_from_errno("cannot close '%s'", path);
	strbuf_release(&target);
	git_blob_free(blob);
	return rc;
}

static int export_tree(struct export_ctx *x, const git_tree *tree)
{
	size_t n = git_tree_entrycount(tree);
	size_t dir_len = x->dir.len, rel_len = x->rel.len;
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		const char *name = git_tree_entry_name(e);
		git_object_t type = git_tree_entry_type(e);
		bool is_dir = type == GIT_OBJECT_TREE ||
			      type == GIT_OBJECT_COMMIT;
		git_tree *sub = NULL;

		if (!strcmp(name, ".") || !strcmp(name, "..") ||
		    strchr(name, '/') || !strcmp(name, ".git")) {
			rc = error_set("refusing tree entry '%s'", name);
			break;
		}
		strbuf_setlen(&x->dir, dir_len);
		strbuf_setlen(&x->rel, rel_len);
		strbuf_addstr(&x->dir, name);
		strbuf_addstr(&x->rel, name);
		if (x->filter && x->filter(x->rel.buf, is_dir, x->data))
			continue;
		if (!is_dir) {
			rc = write_blob(x, e, x->dir.buf);
			if (rc < 0)
				break;
			continue;
		}
		if (mkdir(x->dir.buf, 0755) < 0 && errno != EEXIST) {
			rc = error_from_errno("cannot create directory '%s'",
					      x->dir.buf);
			break;
		}
		if (type == GIT_OBJECT_COMMIT)
			continue; /* a submodule: an empty directory */
		rc = git_tree_lookup(&sub, x->repo, git_tree_entry_id(e));
		if (rc < 0) {
			rc = gitwalk_error(rc, "reading tree");
			break;
		}
		strbuf_addch(&x->dir, '/');
		strbuf_addch(&x->rel, '/');
		rc = export_tree(x, sub);
		git_tree_free(sub);
		if (rc < 0)
			break;
	}
	strbuf_setlen(&x->dir, dir_len);
	strbuf_setlen(&x->rel, rel_len);
	return rc;
}

int gitwalk_export_repo(git_repository *repo, const char *hex, const char *dir,
			gitwalk_export_filter_fn filter, void *data)
{
	struct export_ctx x = {
		repo, STRBUF_INIT, 0, STRBUF_INIT, filter, data
	};
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	int rc;

	rc = lookup_commit(&commit, repo, hex);
	if (rc < 0)
		goto out;
	rc = git_commit_tree(&tree, commit);
	if (rc < 0) {
		rc = gitwalk_error(rc, "reading commit tree");
		goto out;
	}
	rc = fs_mkdir_p(dir, 0755);
	if (rc < 0)
		goto out;
	strbuf_addstr(&x.dir, dir);
	if (!ends_with(x.dir.buf, "/"))
		strbuf_addch(&x.dir, '/');
	x.root_len = x.dir.len;
	rc = export_tree(&x, tree);
	if (rc < 0)
		rc = error_wrap(rc, "exporting %.12s", hex);
out:
	git_tree_free(tree);
	git_commit_free(commit);
	strbuf_release(&x.dir);
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
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_tree_entry *e = NULL;
	git_blob *blob = NULL;
	int rc;

	rc = lookup_commit(&commit, gitwalk_repo(w), hex);
	if (rc < 0)
		goto out;
	rc = git_commit_tree(&tree, commit);
	if (rc < 0) {
		rc = gitwalk_error(rc, "reading commit tree");
		goto out;
	}
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
	git_commit_free(commit);
	return rc;
}
