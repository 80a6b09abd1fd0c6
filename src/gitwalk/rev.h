/* SPDX-License-Identifier: MIT */
/*
 * Private to src/gitwalk/: the one revision front end (revision.c) and
 * the two backends it runs on: our own refs and object reader
 * (lite-walk.c) and libgit2 (rev-git2.c). The front end parses the
 * arguments (options, ^A, A..B, A...B, suffixes) into tips; a backend
 * only names objects, reads them and lists refs. The lite backend
 * answers LITE_UNSUPPORTED for what it cannot do, and the caller then
 * runs the whole parse again on libgit2.
 */
#ifndef SLUGGUARD_GITWALK_REV_H
#define SLUGGUARD_GITWALK_REV_H

#include "slugguard/odb.h"

struct rev_source;

/*
 * A ref: its full name, the id it points at and, when the backend knows
 * it without reading objects (packed-refs' peeled lines), what it
 * finally peels to (id itself for a ref to no tag); else peeled NULL.
 */
typedef int (*rev_ref_fn)(const char *name, const git_oid *id,
			  const git_oid *peeled, void *data);

struct rev_backend {
	/*
	 * A plain name (a ref in git's dwim order, HEAD, or an abbreviated
	 * id) to the object it names. 0, ERR_NOTFOUND (no such name) or
	 * LITE_UNSUPPORTED; no message stored.
	 */
	int (*name)(const struct rev_source *src, const char *name,
		    git_oid *out);
	/* Any other expression (@{u}, :/text, ^{tree}...); NULL when the
	 * backend has no such grammar (then LITE_UNSUPPORTED). */
	int (*expr)(const struct rev_source *src, const char *expr,
		    git_oid *out);
	/*
	 * Object id into out (reset first) and *type. 0, ERR_NOTFOUND (not
	 * there; no message), LITE_UNSUPPORTED, or ERR_FAIL with a message
	 * (a damaged pack).
	 */
	int (*read)(const struct rev_source *src, const git_oid *id,
		    enum odb_type *type, struct strbuf *out);
	/* fn for every ref whose full name matches the glob (fnmatch, '*'
	 * crossing '/'), with the id it points at, symbolic refs followed. */
	int (*refs)(const struct rev_source *src, const char *glob,
		    rev_ref_fn fn, void *data);
	/* The merge bases of a and b into *out (caller frees); NULL when the
	 * backend cannot compute them (then LITE_UNSUPPORTED). */
	int (*merge_bases)(const struct rev_source *src, const git_oid *a,
			   const git_oid *b, git_oid **out, size_t *nr);
};

/* A backend and what it reads from. */
struct rev_source {
	const struct rev_backend *be;
	const struct gitwalk *w;
	struct odb_reader *rd; /* lite: our reader */
	git_repository *repo; /* libgit2: the handle (borrowed) */
	/* Commits whose parents are cut off (may be NULL). */
	bool (*shallow)(const git_oid *id, void *data);
	void *shallow_data;
};

extern const struct rev_backend gitwalk_rev_lite;
extern const struct rev_backend gitwalk_rev_git2;

/* Where a walk starts (hide: where it stops), in argument order. */
struct rev_tip {
	git_oid id;
	bool hide;
};

struct rev_tips {
	struct rev_tip *v;
	size_t nr, alloc;
};

/*
 * Parse rev-list arguments into commit tips: full or abbreviated ids,
 * ref names, HEAD, @, ~N, ^N, ^{commit} (and on libgit2 every other
 * expression it knows), ^A, A..B, A...B (either side empty: HEAD),
 * --not, --all, --branches, --tags, --remotes, --glob (each with
 * =pattern as git takes it). An unknown name or one that names no
 * commit is ERR_NOTFOUND with a message; LITE_UNSUPPORTED (no message)
 * when the backend cannot answer. out is the caller's to release, also
 * on failure.
 */
int gitwalk_rev_parse(struct rev_tips *out, const struct rev_source *src,
		      const char *const *revs, size_t revs_nr);
void gitwalk_rev_tips_release(struct rev_tips *t);

/*
 * Peel id to a commit in place (tags followed), reading into scratch.
 * 0; 1 when it leads to a tree or blob; ERR_NOTFOUND when an object is
 * missing; or the backend's code.
 */
int gitwalk_rev_peel(const struct rev_source *src, git_oid *id,
		     struct strbuf *scratch);

/*
 * Call fn for every annotated tag (refs/tags/...) with its short name,
 * the commit it leads to and its message (borrowed for the call).
 * Unreadable tags, and tags of trees or blobs, are skipped. want (may
 * be NULL) lets a backend that knows a tag's commit without reading the
 * tag (packed-refs) skip the tags of commits nobody wants unread.
 */
int gitwalk_rev_tags(const struct rev_source *src,
		     int (*fn)(const char *name, const git_oid *commit,
			       const char *msg, size_t len, void *data),
		     bool (*want)(const git_oid *commit, void *data),
		     void *data);

#endif
