/* SPDX-License-Identifier: MIT */
/*
 * gitwalk: the only user of libgit2. Opens repositories (quarantine-aware),
 * walks revision ranges, reads blobs and trees, exports trees, answers
 * hooks-directory and git-config questions for the other modules.
 *
 * Sections below are owned by the feature that needs them: core (open),
 * scanning (walks and diffs), hooks/policy (hooks dir, config, files at a
 * commit), build (export, clone). Object ids cross this boundary as
 * 40-character hex strings so that no other module sees libgit2 types.
 */
#ifndef SLUGGUARD_GITWALK_H
#define SLUGGUARD_GITWALK_H

#include "slugguard/strbuf.h"
#include "slugguard/strvec.h"

#define GITWALK_HEXSZ 40

/* ---- core -------------------------------------------------------------- */

struct gitwalk;

/*
 * Open the repository containing path (discovering upwards, like git).
 * path NULL means the current directory. When GIT_QUARANTINE_PATH or
 * GIT_OBJECT_DIRECTORY / GIT_ALTERNATE_OBJECT_DIRECTORIES are set (git
 * sets them for pre-receive), their object directories are added so that
 * pushed-but-unaccepted objects are visible. The caller frees *out with
 * gitwalk_free(). Returns 0, ERR_NOTFOUND (not a repository) or ERR_FAIL.
 */
int gitwalk_open(struct gitwalk **out, const char *path);
void gitwalk_free(struct gitwalk *w);
/* Borrowed paths, valid until gitwalk_free(). workdir is NULL if bare. */
const char *gitwalk_gitdir(const struct gitwalk *w);
const char *gitwalk_commondir(const struct gitwalk *w);
const char *gitwalk_workdir(const struct gitwalk *w);
bool gitwalk_is_bare(const struct gitwalk *w);
/*
 * Resolve a revision expression (any git rev-parse single-object syntax)
 * to a commit id; hex receives 41 bytes. ERR_NOTFOUND names the rev.
 */
int gitwalk_resolve_commit(const struct gitwalk *w, const char *rev,
			   char hex[GITWALK_HEXSZ + 1]);

/* ---- scanning (owned by the scan engine) ------------------------------- */

/*
 * History and index enumeration for the scanner. gitwalk walks the
 * commits, compares each commit's tree with its parents' trees (equal
 * subtrees are skipped by id, no line diffs), and records one change per
 * (commit, path) whose blob differs from the blob at that path in EVERY
 * parent. ops->threads walkers (the calling thread and threads-1 more,
 * each with its own repository handle; one walker for short ranges) take
 * commits in small chunks; the first walker to meet a blob reads it and
 * hands it to ops->blob(), so each unique blob is scanned once. Commit
 * and annotated-tag messages go to ops->message(). Callbacks run
 * concurrently on the walkers' threads: they must lock what they share.
 */
/* ops->blob(): matched beside the base, not whole (see below). */
#define GITWALK_BESIDE 1

struct gitwalk_scan_ops {
	/* One unique blob; path is the first path it was seen under. thread
	 * is 0..threads-1. base (NULL if none) is the version at that path
	 * in a parent of the change it was met in: findings the two share
	 * are not new there, and need not be looked for (see
	 * gitwalk_hist_needs_whole()). Return 0, GITWALK_BESIDE when base
	 * was used (the blob was not matched whole), or a negative code to
	 * stop. */
	int (*blob)(void *data, unsigned thread, size_t blob, const char *path,
		    const char *buf, size_t len, const char *base,
		    size_t base_len);
	/* A commit message (label "(commit message)") or an annotated tag
	 * message (label "(tag <name>)"); thread is 0..threads-1. commit is
	 * the hex id of the commit (the tag's target for tags). */
	int (*message)(void *data, unsigned thread, const char *commit,
		       size_t commit_index, const char *label, const char *buf,
		       size_t len);
	/* Optional, on the calling thread: commits done of total. */
	void (*progress)(void *data, size_t done, size_t total);
	void *data;
	unsigned threads; /* >= 1 */
	size_t max_blob_size; /* larger blobs are skipped; 0: no cap */
	/* Optional: whether blob() wants a base on this thread now (NULL:
	 * never). */
	bool (*want_base)(void *data, unsigned thread);
};

/* The result of an enumeration; free with gitwalk_hist_free(). */
struct gitwalk_hist;

/* One recorded change, borrowed from the hist. */
struct gitwalk_change {
	const char *commit; /* hex id; NULL for the index (staged) */
	size_t commit_index; /* position in walk order (newest first) */
	const char *path;
	size_t blob; /* the unique-blob number given to ops->blob() */
	size_t parents_nr; /* versions to compare with (read_parent) */
};

/*
 * Walk the commits selected by rev-list-style arguments ("<rev>",
 * "^<rev>", "a..b", "a...b", "--not", "--all", "--branches[=G]",
 * "--tags[=G]", "--remotes[=G]", "--glob=G"). An unresolvable argument is
 * ERR_NOTFOUND. Zero commits is not an error here: check
 * gitwalk_hist_commits(). Missing objects are skipped and listed in
 * gitwalk_hist_missing(). Caller frees *out with gitwalk_hist_free().
 */
int gitwalk_hist_revs(struct gitwalk_hist **out, struct gitwalk *w,
		      const char *const *revs, size_t revs_nr,
		      const struct gitwalk_scan_ops *ops);
/* The same for the index against HEAD (unborn HEAD: everything). */
int gitwalk_hist_staged(struct gitwalk_hist **out, struct gitwalk *w,
			const struct gitwalk_scan_ops *ops);
/*
 * Fill the commit cache ("<commondir>/slugguard/commits", see
 * src/gitwalk/commit-cache.c) with the newest commits of every ref, as
 * many as it keeps, so that the first push's walk finds them there
 * (hooks install calls it). *nr gets how many were read. Nothing is
 * done in a shallow clone or with SLUGGUARD_NO_COMMIT_CACHE=1.
 */
int gitwalk_prime_commits(const struct gitwalk *w, size_t *nr);
void gitwalk_hist_free(struct gitwalk_hist *h);
size_t gitwalk_hist_commits(const struct gitwalk_hist *h);
size_t gitwalk_hist_changes(const struct gitwalk_hist *h);
void gitwalk_hist_change(const struct gitwalk_hist *h, size_t i,
			 struct gitwalk_change *out);
/*
 * Read the k-th parent's version of change i into out (reset first).
 * ERR_NOTFOUND when that parent has no blob at the path (or it is
 * missing).
 */
int gitwalk_hist_read_parent(struct gitwalk_hist *h, size_t i, size_t k,
			     struct strbuf *out);
/*
 * Whether change i's blob was handed to ops->blob() with a base that no
 * parent of change i has at its path (the same blob met again, in a
 * merge or elsewhere): the findings only the whole blob gives must then
 * be looked for in gitwalk_hist_read_blob()'s copy.
 */
bool gitwalk_hist_needs_whole(const struct gitwalk_hist *h, size_t i);
/* Read change i's blob into out (reset first), and the path it was
 * handed over with (borrowed from h); only for changes that
 * gitwalk_hist_needs_whole(). */
int gitwalk_hist_read_blob(struct gitwalk_hist *h, size_t i, struct strbuf *out,
			   const char **path);
/* Blobs skipped because of ops->max_blob_size. */
size_t gitwalk_hist_oversized(const struct gitwalk_hist *h);
/* Hex ids of objects that could not be read (borrowed). */
const struct strvec *gitwalk_hist_missing(const struct gitwalk_hist *h);
/*
 * Author of a commit as "Name <email>" and its date as RFC 3339, appended
 * to the (reset) buffers.
 */
int gitwalk_commit_meta(struct gitwalk *w, const char *hex,
			struct strbuf *author, struct strbuf *date);

/* ---- build (export, clone) --------------------------------------------- */

/*
 * Called for every tree entry before it is exported, with its path
 * relative to the tree root (no leading "./"). Return true to skip it (a
 * skipped directory is not descended into).
 */
typedef bool (*gitwalk_export_filter_fn)(const char *path, bool is_dir,
					 void *data);

/*
 * Write the tree of commit hex into dir (created if missing; existing
 * files are not removed) straight from the object database: no index and
 * no work-tree checkout. Regular files keep their executable bit (0755 or
 * 0644), symlinks are created as symlinks, submodules become empty
 * directories. filter may be NULL.
 *
 * The tree is hostile input: each tree is checked as by
 * gitwalk_check_tree() before any of its entries is written, and every
 * path below dir is created relative to an open directory fd with
 * O_NOFOLLOW (O_EXCL for files), so a symlink made by an earlier entry,
 * or already in dir, is never followed. Returns 0 or ERR_FAIL; a refused
 * tree's message reads "refusing tree of commit <12 hex>: <why> '<path>'".
 */
int gitwalk_export(const struct gitwalk *w, const char *hex, const char *dir,
		   gitwalk_export_filter_fn filter, void *data);

/*
 * Check every tree reachable from commit hex as git's fsck does (what
 * receive.fsckObjects would refuse): entry names that are empty, "." or
 * "..", contain '/', or mean ".git" on any file system (".GIT", ".git.",
 * "git~1", ".git" with code points HFS+ ignores); modes other than
 * 100644, 100755, 120000, 40000 and 160000; the same name twice in one
 * tree (a blob and a tree included); trees deeper than 2048 levels. Each
 * distinct tree is read once. Returns 0, or ERR_FAIL with the message
 * gitwalk_export() would give (or a read error).
 */
int gitwalk_check_tree(const struct gitwalk *w, const char *hex);

/* The committer time of commit hex (seconds since the epoch). */
int gitwalk_commit_time(const struct gitwalk *w, const char *hex, int64_t *out);
/* The commit's summary line, appended to out (sanitise before printing). */
int gitwalk_commit_summary(const struct gitwalk *w, const char *hex,
			   struct strbuf *out);
/*
 * The URL of remote "origin", appended to out. Returns ERR_NOTFOUND when
 * the repository has no such remote.
 */
int gitwalk_remote_url(const struct gitwalk *w, struct strbuf *out);
/* Read the blob at path in commit hex, capped; ERR_NOTFOUND if absent. */
int gitwalk_read_path(const struct gitwalk *w, const char *hex,
		      const char *path, struct strbuf *out, size_t cap);

/*
 * Apply the url.<base>.insteadOf rules of w's git config (repository,
 * global and system) to url, as git does for fetches: the longest
 * matching prefix wins. *out is a new string the caller frees (url itself
 * when no rule matches). This is how a company mirror, or the demo's
 * local fixture buildpacks, stand in for https://github.com/... URLs.
 */
int gitwalk_rewrite_url(char **out, const struct gitwalk *w, const char *url);

/*
 * Fetch the git repository at url (https:// or file://, optionally with a
 * "#ref" suffix naming a branch, tag or commit) into a bare mirror under
 * cache_dir (one directory per URL, reused and fetched again), resolve
 * the ref (default: the remote HEAD) to a commit, written to hex, and
 * export its tree into dir. Returns 0, ERR_NOTFOUND (no such ref) or
 * ERR_FAIL naming the URL.
 */
int gitwalk_fetch_export(char hex[GITWALK_HEXSZ + 1], const char *url,
			 const char *cache_dir, const char *dir);

/* ---- hooks/policy ------------------------------------------------------ */

/*
 * Set key to value in the repository's own config file (e.g.
 * "receive.fsckObjects" to "true" in a bare deploy repository).
 * Returns 0 or ERR_FAIL.
 */
int gitwalk_config_set(const struct gitwalk *w, const char *key,
		       const char *value);

/*
 * Read the git config value of key (e.g. "core.hooksPath") as git would
 * see it from this repository (repository, global, XDG and system files).
 * With as_path, "~/" is expanded as for git's path-typed variables. The
 * caller frees *out. Returns 0, ERR_NOTFOUND when unset, or ERR_FAIL.
 */
int gitwalk_config_get(char **out, const struct gitwalk *w, const char *key,
		       bool as_path);

/*
 * The directory git runs hooks from. libgit2 ignores core.hooksPath, so we
 * read it ourselves: a relative value resolves against the top of the
 * work tree (the git dir in a bare repository), as git does. Without it,
 * "<commondir>/hooks", which is shared by every worktree. *from_config
 * tells which applied. The caller frees *out (no trailing slash).
 */
int gitwalk_hooks_dir(char **out, bool *from_config, const struct gitwalk *w);
/* The default hooks directory "<commondir>/hooks"; caller frees. */
char *gitwalk_default_hooks_dir(const struct gitwalk *w);

/*
 * Append the content of the file at path (a '/'-separated path from the
 * root of the tree) in commit hex to out, refusing files larger than cap.
 * Returns 0, ERR_NOTFOUND when the commit has no such file (or it is not
 * a regular file or symlink), or ERR_FAIL.
 */
int gitwalk_read_file_at(struct strbuf *out, const struct gitwalk *w,
			 const char *hex, const char *path, size_t cap);

enum gitwalk_kind {
	GITWALK_MISSING = 0, /* no such object in the object store */
	GITWALK_COMMIT,
	GITWALK_TAG, /* an annotated tag object */
	GITWALK_OTHER /* tree or blob */
};
/* What hex names; GITWALK_MISSING for an absent or malformed id. */
enum gitwalk_kind gitwalk_object_kind(const struct gitwalk *w, const char *hex);
/*
 * What hex names once annotated tags are followed: GITWALK_COMMIT,
 * GITWALK_OTHER (a tree or a blob) or GITWALK_MISSING.
 */
enum gitwalk_kind gitwalk_peeled_kind(const struct gitwalk *w, const char *hex);

/* One blob for gitwalk_object_blobs(); return 0 or a negative code. */
typedef int (*gitwalk_blob_fn)(void *data, const char *path, const char *buf,
			       size_t len);
/*
 * hex names a blob or a tree, or annotated tags leading to one (a pushed
 * tag need not point at a commit): call fn for the blob (path "") or for
 * every file and symlink of the tree (paths from its root, submodules
 * left out), in tree order. ERR_NOTFOUND when it leads to a commit.
 */
int gitwalk_object_blobs(const struct gitwalk *w, const char *hex,
			 gitwalk_blob_fn fn, void *data);
/* Peel hex (a commit or a tag pointing at one) to its commit id. */
int gitwalk_peel_commit(const struct gitwalk *w, const char *hex,
			char out[GITWALK_HEXSZ + 1]);
/*
 * Append the name and message of the annotated tag hex to out (name on
 * the first line). ERR_NOTFOUND when hex is not a tag object.
 */
int gitwalk_tag_message(struct strbuf *out, const struct gitwalk *w,
			const char *hex);
/* True when hex is the all-zero id git uses for "no object". */
bool gitwalk_is_null_hex(const char *hex);
/* True when s is exactly 40 hex digits. */
bool gitwalk_is_hex(const char *s);

/*
 * Push onto out the commit ids of every ref matching glob (e.g.
 * "refs/remotes/origin/" "*", or "refs/" "*" for all refs), symbolic refs
 * resolved and tags peeled; refs that do not lead to a commit are
 * skipped. Used to compute "commits the other side does not have yet".
 */
int gitwalk_ref_commits(struct strvec *out, const struct gitwalk *w,
			const char *glob);

/*
 * *out = true when commit hex is one of the commits in from (hex ids) or
 * an ancestor of one; false for an empty from. Used to tell a finding
 * that is already public (on a remote-tracking ref) from one in a commit
 * only this push carries.
 */
int gitwalk_reachable_from_any(bool *out, const struct gitwalk *w,
			       const char *hex, const struct strvec *from);

/*
 * *out = true when tracked files differ from HEAD (index or work tree);
 * untracked files do not count. A bare repository is never dirty.
 */
int gitwalk_is_dirty(bool *out, const struct gitwalk *w);

#endif
