/* SPDX-License-Identifier: MIT */
/* Reading one file from a commit's tree (policy files at a pushed tip). */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/gitwalk.h"
#include "gitwalk-internal.h"

int gitwalk_read_file_at(struct strbuf *out, const struct gitwalk *w,
			 const char *hex, const char *path, size_t cap)
{
	git_object *obj = NULL;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	git_oid oid;
	git_filemode_t mode;
	git_object_size_t size;
	int rc;

	if (!gitwalk_is_hex(hex) || git_oid_fromstr(&oid, hex) < 0)
		return error_set("'%s' is not an object id", hex);
	rc = git_object_lookup(&obj, gitwalk_repo(w), &oid, GIT_OBJECT_ANY);
	if (!rc)
		rc = git_object_peel((git_object **)&commit, obj,
				     GIT_OBJECT_COMMIT);
	if (!rc)
		rc = git_commit_tree(&tree, commit);
	if (rc < 0) {
		rc = gitwalk_error(rc, "reading commit");
		goto out;
	}
	rc = git_tree_entry_bypath(&entry, tree, path);
	if (rc == GIT_ENOTFOUND) {
		git_error_clear();
		rc = error_setc(ERR_NOTFOUND, "'%s' not found in commit %.12s",
				path, hex);
		goto out;
	}
	if (rc < 0) {
		rc = gitwalk_error(rc, "reading tree");
		goto out;
	}
	mode = git_tree_entry_filemode(entry);
	if (mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE &&
	    mode != GIT_FILEMODE_LINK) {
		rc = error_setc(ERR_NOTFOUND, "'%s' is not a file in %.12s",
				path, hex);
		goto out;
	}
	rc = git_blob_lookup(&blob, gitwalk_repo(w), git_tree_entry_id(entry));
	if (rc < 0) {
		rc = gitwalk_error(rc, "reading blob");
		goto out;
	}
	size = git_blob_rawsize(blob);
	if (size > cap) {
		rc = error_set(
			"'%s' in %.12s is too large (%llu bytes, cap %zu)",
			path, hex, (unsigned long long)size, cap);
		goto out;
	}
	strbuf_add(out, git_blob_rawcontent(blob), (size_t)size);
out:
	git_blob_free(blob);
	git_tree_entry_free(entry);
	git_tree_free(tree);
	git_commit_free(commit);
	git_object_free(obj);
	return rc;
}

int gitwalk_tag_message(struct strbuf *out, const struct gitwalk *w,
			const char *hex)
{
	git_tag *tag = NULL;
	git_oid oid;
	const char *msg;
	int rc;

	if (!gitwalk_is_hex(hex) || git_oid_fromstr(&oid, hex) < 0)
		return error_set("'%s' is not an object id", hex);
	rc = git_tag_lookup(&tag, gitwalk_repo(w), &oid);
	if (rc < 0) {
		git_error_clear();
		return error_setc(ERR_NOTFOUND, "%.12s is not an annotated tag",
				  hex);
	}
	msg = git_tag_message(tag);
	strbuf_addf(out, "%s\n%s", git_tag_name(tag), msg ? msg : "");
	git_tag_free(tag);
	return 0;
}

/* Follow annotated tags from hex to what they finally name. */
static int peel_tags(git_object **out, const struct gitwalk *w, const char *hex)
{
	git_object *obj = NULL;
	git_oid oid;
	int rc;

	*out = NULL;
	if (!gitwalk_is_hex(hex) || git_oid_fromstr(&oid, hex) < 0)
		return error_set("'%s' is not an object id", hex);
	rc = git_object_lookup(&obj, gitwalk_repo(w), &oid, GIT_OBJECT_ANY);
	/* a tag of a tag of ...: git allows chains, each is one lookup */
	while (!rc && git_object_type(obj) == GIT_OBJECT_TAG) {
		git_object *next = NULL;

		rc = git_tag_target(&next, (git_tag *)obj);
		git_object_free(obj);
		obj = next;
	}
	if (rc < 0) {
		git_object_free(obj);
		return gitwalk_error(rc, "reading object");
	}
	*out = obj;
	return 0;
}

enum gitwalk_kind gitwalk_peeled_kind(const struct gitwalk *w, const char *hex)
{
	git_object *obj = NULL;
	enum gitwalk_kind kind = GITWALK_MISSING;

	if (peel_tags(&obj, w, hex) < 0) {
		error_clear();
		return GITWALK_MISSING;
	}
	kind = git_object_type(obj) == GIT_OBJECT_COMMIT ? GITWALK_COMMIT :
							   GITWALK_OTHER;
	git_object_free(obj);
	return kind;
}

struct blob_walk {
	git_repository *repo;
	gitwalk_blob_fn fn;
	void *data;
	struct strbuf path;
	int rc;
};

static int blob_entry(const char *root, const git_tree_entry *e, void *data)
{
	struct blob_walk *bw = data;
	git_filemode_t mode = git_tree_entry_filemode(e);
	git_blob *blob = NULL;
	int rc;

	/* files and symlinks, as git's diff sees them; no submodules */
	if (mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE &&
	    mode != GIT_FILEMODE_LINK)
		return 0;
	rc = git_blob_lookup(&blob, bw->repo, git_tree_entry_id(e));
	if (rc < 0) {
		bw->rc = gitwalk_error(rc, "reading blob");
		return -1;
	}
	strbuf_reset(&bw->path);
	strbuf_addstr(&bw->path, root);
	strbuf_addstr(&bw->path, git_tree_entry_name(e));
	bw->rc = bw->fn(bw->data, bw->path.buf, git_blob_rawcontent(blob),
			(size_t)git_blob_rawsize(blob));
	git_blob_free(blob);
	return bw->rc < 0 ? -1 : 0;
}

int gitwalk_object_blobs(const struct gitwalk *w, const char *hex,
			 gitwalk_blob_fn fn, void *data)
{
	struct blob_walk bw = { gitwalk_repo(w), fn, data, STRBUF_INIT, 0 };
	git_object *obj = NULL;
	int rc;

	rc = peel_tags(&obj, w, hex);
	if (rc < 0)
		goto out;
	switch (git_object_type(obj)) {
	case GIT_OBJECT_BLOB:
		rc = fn(data, "", git_blob_rawcontent((git_blob *)obj),
			(size_t)git_blob_rawsize((git_blob *)obj));
		break;
	case GIT_OBJECT_TREE:
		rc = git_tree_walk((git_tree *)obj, GIT_TREEWALK_PRE,
				   blob_entry, &bw);
		if (bw.rc < 0)
			rc = bw.rc;
		else if (rc < 0)
			rc = gitwalk_error(rc, "walking tree");
		break;
	default:
		rc = error_setc(ERR_NOTFOUND, "%.12s is not a blob or a tree",
				hex);
	}
out:
	strbuf_release(&bw.path);
	git_object_free(obj);
	return rc;
}
