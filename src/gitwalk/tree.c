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
