/* SPDX-License-Identifier: MIT */
/* Private to the history walk (walk.c, tree-diff.c, commit.c, tags.c,
 * rev-git2.c, shallow.c): the records behind struct gitwalk_hist. */
#ifndef SLUGGUARD_GITWALK_HIST_H
#define SLUGGUARD_GITWALK_HIST_H

#include "slugguard/oidmap.h"

#include <pthread.h>

#define NO_COMMIT UINT32_MAX

/* Interned path strings: stable addresses until the hist is freed. */
struct pathset {
	char **keys;
	size_t nr, alloc;
};

/* Tree entry modes as the walk cares about them. */
enum tmode { TM_OTHER = 0, TM_TREE, TM_BLOB };

/* One entry of a parsed tree; name and id point into the tree's bytes. */
struct tentry {
	const char *name;
	size_t namelen;
	enum tmode mode;
	const unsigned char *id;
};

/* A tree read and parsed: its raw bytes and its entries in tree order. */
struct ptree {
	struct strbuf raw;
	struct tentry *e;
	size_t nr, alloc;
	git_oid id; /* what raw holds, when loaded */
	bool loaded;
};

/* The trees of one depth of the recursive compare, reused per walker. */
struct level {
	struct ptree *t;
	size_t nr;
};

/* A blob that a commit deleted, kept to recognise moves and renames. */
struct deleted {
	size_t name_at, name_len; /* its base name, in del_names */
	git_oid id;
};

/* Enough for any real restructuring; beyond it moves are not paired. */
#define MAX_DELETED 65536

/* Deeper than any real tree: a cycle in a forged repository. */
#define MAX_TREE_DEPTH 4096

struct change {
	uint32_t commit; /* index into hex[], NO_COMMIT for the index */
	uint32_t parents_nr;
	const char *path;
	size_t blob;
	size_t parents_at; /* into poids[] */
	size_t seq; /* order of discovery within its walker */
};

/* A blob handed over with an earlier version (base) to compare with. */
struct partial {
	size_t blob;
	const char *path; /* interned: the path it was handed over with */
	git_oid id, base;
};

/* One walking thread: its own repository handle and its own records. */
struct walker {
	struct gitwalk_hist *h;
	unsigned idx;
	git_repository *repo; /* borrowed (gitwalk_repo) for walker 0; NULL
				 until needed */
	git_odb *odb;
	struct odb_reader *rd; /* our reader, NULL when unavailable */
	/* rd is the repository's reader (gitwalk_reader()), not ours. */
	bool rd_borrowed;
	/* commits [cur, lim) of h->ids are this walker's to walk next
	 * (guarded by h->lock; see next_chunk()) */
	size_t cur, lim;
	struct strbuf blob, commit, scratch;
	git_oid *parents, *pp;
	size_t parents_alloc, pp_alloc;
	struct level *levels;
	size_t levels_nr, levels_alloc;
	/* Blobs the current (single-parent) commit deleted: moves. */
	struct deleted *dels;
	size_t dels_nr, dels_alloc;
	struct strbuf del_names;
	struct change *changes;
	size_t changes_nr, changes_alloc;
	git_oid *poids;
	size_t poids_nr, poids_alloc;
	struct partial *partial;
	size_t partial_nr, partial_alloc;
	struct pathset paths;
	struct strbuf path; /* scratch for the recursive tree compare */
	pthread_t tid;
	bool started;
};

struct gitwalk_hist {
	struct gitwalk *w;
	const struct gitwalk_scan_ops *ops;
	char (*hex)[GITWALK_HEXSZ + 1];
	git_oid *ids;
	size_t commits_nr;
	/* Merged from the walkers once they are done. */
	struct change *changes;
	size_t changes_nr;
	git_oid *poids;
	size_t poids_nr;
	struct partial *partial; /* sorted by blob */
	size_t partial_nr;
	bool whole; /* no bases: every blob handed over whole */
	struct walker *walkers;
	unsigned walkers_nr;

	pthread_mutex_t lock; /* guards what follows */
	struct oidmap blobs;
	struct oidmap commit_set;
	struct oidmap shallow; /* commits whose parents are cut off */
	struct odb *db; /* borrowed from w; NULL: libgit2 only */
	struct strvec missing;
	struct oidmap missing_set;
	size_t oversized;
	size_t done; /* commits finished */
	int failed; /* first negative code */
	struct error_saved err; /* with its message, from whichever thread */
};

/* ---- walk.c ------------------------------------------------------------- */

/* Note id as missing (damaged or absent), once; any thread. */
void gitwalk_note_missing(struct gitwalk_hist *h, const git_oid *id);
/*
 * Read object id as raw bytes into out (reset first): through our own
 * reader when there is one (fast, large cache), else, or when it cannot
 * answer, through libgit2. The object must be of type want. With max,
 * a larger object is not read: *too_big is set instead.
 */
int gitwalk_read_raw(struct walker *wk, const git_oid *id, enum odb_type want,
		     size_t max, struct strbuf *out, bool *too_big);
/* Record (commit, path, blob) with the parents' versions pe[0..np). */
int gitwalk_add_change(struct walker *wk, uint32_t commit, const char *path,
		       size_t path_len, const git_oid *id,
		       const git_oid *const *pe, size_t np);
/* Hand a commit or tag message to ops->message(), if any. */
int gitwalk_call_message(struct gitwalk_hist *h, unsigned thread, size_t commit,
			 const char *label, const char *msg, size_t len);

/* ---- tree-diff.c -------------------------------------------------------- */

/* Parse t->raw into t->e; ERR_NOTFOUND when it is not a tree. */
int gitwalk_tree_parse(struct ptree *t);
/*
 * Load tree id into t (its raw bytes and its parsed entries). Entries
 * point into t->raw. A tree we cannot read or parse is noted as missing
 * and fails with ERR_NOTFOUND.
 */
int gitwalk_tree_load(struct walker *wk, const git_oid *id, struct ptree *t);
/* The trees of one recursion level: [0] the commit's, [1..] parents'. */
struct ptree *gitwalk_tree_levels(struct walker *wk, size_t depth, size_t n);
/*
 * gitwalk_tree_load() into slot of level depth (gitwalk_tree_levels()
 * made it). A later slot of the level that still holds tree id from an
 * earlier commit trades places with it instead: walking newest first,
 * a commit's tree is usually the one its child just compared against.
 */
int gitwalk_tree_load_slot(struct walker *wk, size_t depth, size_t slot,
			   const git_oid *id);
/*
 * Compare tree t (under wk->path) with the parents' trees ps[0..np)
 * (NULL: absent), recording changed blobs with gitwalk_add_change().
 */
int gitwalk_tree_diff(struct walker *wk, uint32_t commit, size_t depth,
		      const struct ptree *t, const struct ptree *const *ps,
		      size_t np);
/* Give files the commit added the blob it deleted under the same name. */
void gitwalk_pair_moves(struct walker *wk, size_t first);

/* ---- commit.c ----------------------------------------------------------- */

/*
 * Parse a raw commit: its tree, its parents (appended to parents) and
 * where its message starts.
 */
int gitwalk_parse_commit(const struct strbuf *raw, git_oid *tree,
			 git_oid **parents, size_t *np, size_t *alloc,
			 size_t *msg_at);

/* ---- tags.c ------------------------------------------------------------- */

/* Scan the messages of annotated tags on walked commits: with lite,
 * through our refs and reader (LITE_UNSUPPORTED when they cannot), else
 * through libgit2. */
int gitwalk_scan_tags(struct gitwalk_hist *h, bool lite);

/* ---- shallow.c ---------------------------------------------------------- */

/* Add the ids of w's shallow file to set (none when not shallow). */
void gitwalk_load_shallow(struct oidmap *set, const struct gitwalk *w);

/* ---- rev-git2.c --------------------------------------------------------- */

/*
 * The commits selected by revs through libgit2 (a shallow clone by our
 * own walk over libgit2's objects), newest first. *out is the caller's
 * to free; set only on success.
 */
int gitwalk_git2_revs(git_oid **out, size_t *nr, struct gitwalk *w,
		      const char *const *revs, size_t revs_nr);

#endif
