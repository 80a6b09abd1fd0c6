/* SPDX-License-Identifier: MIT */
/* Reading one file from a commit's tree (policy files at a pushed tip). */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/gitwalk.h"
#include "slugguard/odb.h"
#include "gitwalk-internal.h"

/* Peeling tags: git stops far earlier; a longer chain is forged. */
#define MAX_PEEL 16

/*
 * The entry name (len n) in a raw tree: its mode and id. Bounded by the
 * tree's length at every step (pushed trees are outside input).
 */
static bool tree_find(const unsigned char *t, size_t len, const char *name,
		      size_t n, unsigned *mode, git_oid *id)
{
	size_t pos = 0;

	while (pos < len) {
		const unsigned char *sp = memchr(t + pos, ' ', len - pos);
		const unsigned char *nul;
		unsigned m = 0;

		if (!sp)
			return false;
		for (const unsigned char *c = t + pos; c < sp; c++) {
			if (*c < '0' || *c > '7' || m > 0777777)
				return false;
			m = m * 8 + (unsigned)(*c - '0');
		}
		nul = memchr(sp + 1, '\0', len - (size_t)(sp + 1 - t));
		if (!nul || (size_t)(t + len - nul) < 1 + GIT_OID_RAWSZ)
			return false;
		if ((size_t)(nul - sp - 1) == n && !memcmp(sp + 1, name, n)) {
			*mode = m;
			memcpy(id->id, nul + 1, GIT_OID_RAWSZ);
			return true;
		}
		pos = (size_t)(nul + 1 + GIT_OID_RAWSZ - t);
	}
	return false;
}

/*
 * gitwalk_read_file_at() through our own reader: a hook reads the policy
 * at every pushed tip, and starting libgit2 for that (~9 ms, and the
 * full index check before it) cost a small push more than its scan.
 * LITE_UNSUPPORTED when odb cannot read what it needs: libgit2 then
 * reads it and words any error.
 */
static int read_file_lite(struct strbuf *out, const struct gitwalk *w,
			  const char *hex, const char *path, size_t cap)
{
	struct odb_reader *rd = gitwalk_reader(w);
	const unsigned char *data;
	enum odb_type type;
	size_t len;
	git_oid id;
	unsigned mode = 040000;

	if (!rd || !gitwalk_hex_to_oid(&id, hex))
		return LITE_UNSUPPORTED;
	for (int depth = 0;; depth++) {
		if (depth > MAX_PEEL ||
		    odb_read(rd, id.id, 0, &type, &data, &len) < 0)
			return LITE_UNSUPPORTED;
		if (type == ODB_COMMIT)
			break;
		if (type != ODB_TAG || len < 7 + GITWALK_HEXSZ ||
		    memcmp(data, "object ", 7) ||
		    !gitwalk_hex_to_oid(&id, (const char *)data + 7))
			return LITE_UNSUPPORTED;
	}
	if (len < 5 + GITWALK_HEXSZ || memcmp(data, "tree ", 5) ||
	    !gitwalk_hex_to_oid(&id, (const char *)data + 5))
		return LITE_UNSUPPORTED;
	for (const char *p = path; *p;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		if (!n || mode != 040000)
			return LITE_UNSUPPORTED;
		if (odb_read(rd, id.id, 0, &type, &data, &len) < 0 ||
		    type != ODB_TREE)
			return LITE_UNSUPPORTED;
		if (!tree_find(data, len, p, n, &mode, &id))
			return error_setc(ERR_NOTFOUND,
					  "'%s' not found in commit %.12s",
					  path, hex);
		p += n + (slash ? 1 : 0);
	}
	if (mode != 0100644 && mode != 0100755 && mode != 0120000)
		return error_setc(ERR_NOTFOUND, "'%s' is not a file in %.12s",
				  path, hex);
	if (odb_read(rd, id.id, cap, &type, &data, &len) < 0 ||
	    type != ODB_BLOB)
		return LITE_UNSUPPORTED;
	if (!data)
		return error_set("'%s' in %.12s is too large (%zu bytes, cap "
				 "%zu)",
				 path, hex, len, cap);
	strbuf_add(out, data, len);
	return 0;
}

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

	if (!gitwalk_is_hex(hex))
		return error_set("'%s' is not an object id", hex);
	rc = read_file_lite(out, w, hex, path, cap);
	if (rc != LITE_UNSUPPORTED)
		return rc;
	if (git_oid_fromstr(&oid, hex) < 0)
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
