/* SPDX-License-Identifier: MIT */
/* Private to src/gitwalk/: the struct behind the opaque handle. */
#ifndef SLUGGUARD_GITWALK_INTERNAL_H
#define SLUGGUARD_GITWALK_INTERNAL_H

#include <git2.h>

struct lite_refs;
struct odb;
struct odb_reader;

struct gitwalk {
	/* Opened on first use by gitwalk_repo(); use that, not this. */
	git_repository *repo;
	bool inited; /* we called git_libgit2_init() and owe a shutdown */
	char *open_path; /* where discovery starts */
	/* From our own discovery (lite.c); NULL gitdir: libgit2's view. All
	 * with a trailing '/', as libgit2 gives them; workdir NULL if bare. */
	char *gitdir, *commondir, *workdir;
	struct lite_refs *refs; /* loaded on first use */
	/* Our object reader (repo.c): the store and a main-thread reader,
	 * opened on first use; NULL when unavailable or turned off. */
	struct odb *db;
	struct odb_reader *rd;
	bool db_tried;
	char *db_error; /* why the store was refused (a damaged index) */
};

struct odb;
struct odb_reader;
/* w's object store and its main-thread reader (first use opens them). */
struct odb *gitwalk_db(const struct gitwalk *w);
struct odb_reader *gitwalk_reader(const struct gitwalk *w);
/*
 * Open w's store if not yet done; ERR_FAIL (message stored) when odb
 * refused it because a pack index is damaged. Checked before libgit2
 * opens the repository and before a history walk, so that such a pack
 * never reaches libgit2 (which sizes allocations by its object count).
 */
int gitwalk_db_check(const struct gitwalk *w);

/*
 * The libgit2 handle of w, opened (libgit2 started) on first use. A
 * repository our discovery accepted but libgit2 cannot open is a fatal
 * error (die), since every caller needs it to go on.
 */
git_repository *gitwalk_repo(const struct gitwalk *w);
/*
 * The same handle in *out (borrowed), or a negative code and message
 * when libgit2 cannot open the repository: for code that may run on a
 * worker thread, where dying is not an option. Not thread-safe itself:
 * workers call it under their shared lock.
 */
int gitwalk_git2(git_repository **out, const struct gitwalk *w);

/* ---- lite.c: the repository without libgit2 (the pre-push path) ------ */

/*
 * Find the repository containing path as libgit2 would (a .git
 * directory or file, or a bare repository, searching upwards) and fill
 * w->gitdir, commondir, workdir. Returns 0, or ERR_NOTFOUND when
 * anything is unusual (then libgit2 decides): SHA-256 or reftable
 * repositories, core.worktree, unreadable files.
 */
int gitwalk_lite_discover(struct gitwalk *w, const char *path);
void gitwalk_lite_release(struct gitwalk *w);

/* Parse 40 hex digits at s into id (no libgit2); false if not hex. */
bool gitwalk_hex_to_oid(git_oid *id, const char *s);

/* LITE_UNSUPPORTED: "use libgit2 for this"; no message is stored. */
#define LITE_UNSUPPORTED (-100)

struct odb_reader;

/*
 * The commits selected by rev-list arguments (see gitwalk_hist_revs and
 * the grammar in rev.h), through our refs, reader and commit walk: the
 * lite backend of the revision front end. LITE_UNSUPPORTED when
 * anything needs libgit2 (abbreviated ids, @{...}, A...B, an object
 * odb cannot read); a name that names no commit is ERR_NOTFOUND with a
 * message. shallow (may be NULL) says which commits' parents are cut
 * off. *out (topological, newest first) is the caller's to free.
 */
int gitwalk_lite_revs(git_oid **out, size_t *nr, const struct gitwalk *w,
		      struct odb_reader *rd, const char *const *revs,
		      size_t revs_nr,
		      bool (*shallow)(const git_oid *id, void *data),
		      void *shallow_data);

/* Store libgit2's last error as "<what>: <message>"; returns our code. */
int gitwalk_error(int rc, const char *what);

/* Export the tree of commit hex of repo into dir (see gitwalk_export). */
int gitwalk_export_repo(git_repository *repo, const char *hex, const char *dir,
			gitwalk_export_filter_fn filter, void *data);

/*
 * Add the object directories named by GIT_QUARANTINE_PATH,
 * GIT_OBJECT_DIRECTORY and GIT_ALTERNATE_OBJECT_DIRECTORIES (pre-receive)
 * to repo's object database. Used for every handle we open.
 */
int gitwalk_add_quarantine(git_repository *repo);

/*
 * For tests and the fuzz target (tests/fuzz/gitwalk_objects.c): parse
 * buf as the history walk parses a tree, a commit and its author line,
 * appending what was found to out. Returns 0.
 */
int gitwalk_parse_raw(const char *buf, size_t len, struct strbuf *out);

#endif
