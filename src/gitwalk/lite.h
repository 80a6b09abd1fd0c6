/* SPDX-License-Identifier: MIT */
/* Private to lite-*.c (and the hook helpers of hooksdir.c): the
 * repository without libgit2. */
#ifndef SLUGGUARD_GITWALK_LITE_H
#define SLUGGUARD_GITWALK_LITE_H

#define MAX_SMALL_FILE (1024 * 1024)
#define MAX_PACKED_REFS (256 * 1024 * 1024)
#define MAX_SYMREF_DEPTH 5

struct lite_ref {
	char *name;
	git_oid id;
	/*
	 * packed-refs' "^<hex>" line: what an annotated tag finally points
	 * at. peel_known: the file's traits promise one for every annotated
	 * tag among these refs, so without it the ref points at no tag and
	 * peeled is id itself.
	 */
	git_oid peeled;
	bool peel_known;
};

struct lite_refs {
	struct lite_ref *v; /* packed refs, then (after list_all) loose */
	size_t nr, alloc;
	bool packed_loaded;
};

enum lite_kind { IS_FILE, IS_DIR };

/* ---- lite-discover.c ---------------------------------------------------- */

/* Whether path is a regular file (IS_FILE) or a directory (IS_DIR). */
bool gitwalk_lite_path_is(const char *path, enum lite_kind k);
/* Read a small file into sb (reset first); false when it cannot. */
bool gitwalk_lite_read_small(struct strbuf *sb, const char *path);

/* ---- lite-refs.c -------------------------------------------------------- */

/*
 * Resolve the full ref name to an id: a loose file (a symbolic "ref: X"
 * is followed) or packed-refs. ERR_NOTFOUND when there is no such ref.
 */
int gitwalk_lite_resolve_ref(const struct gitwalk *w, const char *name,
			     git_oid *id, int depth);
/* A short name as git's dwim does: NAME, refs/NAME, refs/tags/NAME,
 * refs/heads/NAME, refs/remotes/NAME, refs/remotes/NAME/HEAD. */
int gitwalk_lite_dwim_ref(const struct gitwalk *w, const char *name,
			  git_oid *id);
/*
 * Every ref whose full name matches the glob (fnmatch, '*' crossing
 * '/', as git's for_each_glob_ref), loose ones shadowing packed ones;
 * fn gets each name and id, and what id peels to (tags followed) when
 * packed-refs says so, else NULL.
 */
int gitwalk_lite_for_each_ref(const struct gitwalk *w, const char *glob,
			      int (*fn)(const char *name, const git_oid *id,
					const git_oid *peeled, void *data),
			      void *data);

#endif
