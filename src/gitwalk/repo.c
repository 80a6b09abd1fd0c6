/* SPDX-License-Identifier: MIT */
/*
 * Opening repositories and their object store (src/odb), translating
 * libgit2 errors.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/gitwalk.h"
#include "slugguard/odb.h"
#include "gitwalk-internal.h"

int gitwalk_error(int rc, const char *what)
{
	const git_error *e = git_error_last();
	int code = rc == GIT_ENOTFOUND ? ERR_NOTFOUND : ERR_FAIL;

	if (e && e->message)
		return error_setc(code, "%s: %s", what, e->message);
	return error_setc(code, "%s: libgit2 error %d", what, rc);
}

/* Add each directory of a colon-separated list as an object alternate. */
static int add_alternates(git_odb *odb, const char *list)
{
	struct strbuf one = STRBUF_INIT;
	const char *p = list;
	int rc = 0;

	while (p && *p) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);

		strbuf_reset(&one);
		strbuf_add(&one, p, n);
		if (one.len) {
			rc = git_odb_add_disk_alternate(odb, one.buf);
			if (rc < 0) {
				rc = gitwalk_error(rc,
						   "adding object directory");
				goto out;
			}
		}
		p = colon ? colon + 1 : NULL;
	}
out:
	strbuf_release(&one);
	return rc;
}

int gitwalk_add_quarantine(git_repository *repo)
{
	const char *q = getenv("GIT_QUARANTINE_PATH");
	const char *objdir = getenv("GIT_OBJECT_DIRECTORY");
	const char *alts = getenv("GIT_ALTERNATE_OBJECT_DIRECTORIES");
	git_odb *odb = NULL;
	int rc = 0;

	if (!q && !objdir && !alts)
		return 0;
	rc = git_repository_odb(&odb, repo);
	if (rc < 0)
		return gitwalk_error(rc, "opening object database");
	/*
	 * During pre-receive git points GIT_OBJECT_DIRECTORY at the
	 * quarantine and lists the real store as an alternate; libgit2 does
	 * not read those variables, so add them ourselves.
	 */
	if (q)
		rc = add_alternates(odb, q);
	if (!rc && objdir && (!q || strcmp(q, objdir)))
		rc = add_alternates(odb, objdir);
	if (!rc && alts)
		rc = add_alternates(odb, alts);
	git_odb_free(odb);
	return rc;
}

/* Open the libgit2 handle of w (discovering from w->open_path). */
static int open_git2(struct gitwalk *w)
{
	const char *path = w->open_path ? w->open_path : ".";
	int rc;

	if (!w->inited) {
		git_libgit2_init();
		w->inited = true;
		/* Trees are read again and again (a parent's tree is the
		 * next commit's): let the object cache keep big ones. */
		git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT,
				 GIT_OBJECT_TREE, (size_t)1 << 20);
	}
	rc = git_repository_open_ext(&w->repo, path, 0, NULL);
	if (rc < 0) {
		w->repo = NULL;
		if (rc == GIT_ENOTFOUND)
			return error_setc(ERR_NOTFOUND,
					  "'%s' is not in a git repository",
					  path);
		return gitwalk_error(rc, "opening repository");
	}
	/*
	 * libgit2 reads packs lazily and trusts their indexes: refuse a
	 * damaged one before it, in full (our own reads check each entry
	 * they use, so the lite path skips this O(objects) pass).
	 */
	rc = gitwalk_db_check(w);
	if (!rc && gitwalk_db(w))
		rc = odb_verify(gitwalk_db(w));
	if (!rc)
		rc = gitwalk_add_quarantine(w->repo);
	if (rc < 0) {
		git_repository_free(w->repo);
		w->repo = NULL;
	}
	return rc;
}

int gitwalk_git2(git_repository **out, const struct gitwalk *cw)
{
	/* The handle is opened on first use: cw was allocated mutable. */
	struct gitwalk *w = (struct gitwalk *)(uintptr_t)cw;
	int rc = 0;

	*out = NULL;
	if (!w->repo)
		rc = open_git2(w);
	if (!rc)
		*out = w->repo;
	return rc;
}

git_repository *gitwalk_repo(const struct gitwalk *cw)
{
	git_repository *repo = NULL;

	if (gitwalk_git2(&repo, cw) < 0)
		die("%s", error_last());
	return repo;
}

/* SLUGGUARD_NO_LITE=1: libgit2 for discovery, refs and the commit walk
 * (our object reader stays on), to measure what the lite code saves. */
static bool lite_wanted(void)
{
	const char *off = getenv("SLUGGUARD_NO_LITE");

	return !off || !*off || !strcmp(off, "0");
}

int gitwalk_open(struct gitwalk **out, const char *path)
{
	struct gitwalk *w = xcalloc(1, sizeof(*w));
	int rc;

	*out = NULL;
	w->open_path = xstrdup(path ? path : ".");
	/*
	 * Our own discovery first: starting libgit2 costs ~9 ms (it parses
	 * the system CA bundle at init), a third of the pre-push budget,
	 * and a scan of a few commits needs none of it. Anything our
	 * discovery does not understand goes to libgit2 now.
	 */
	if (!lite_wanted() || gitwalk_lite_discover(w, w->open_path) < 0) {
		rc = open_git2(w);
		if (rc < 0)
			goto out;
	}
	/*
	 * Refuse a damaged pack index now, while an error can still be
	 * returned: gitwalk_repo() could only die. Every command that
	 * opens a repository reads objects, so the store is opened anyway.
	 */
	rc = gitwalk_db_check(w);
	if (rc < 0)
		goto out;
	*out = w;
	w = NULL;
	rc = 0;
out:
	gitwalk_free(w);
	return rc;
}

void gitwalk_free(struct gitwalk *w)
{
	if (!w)
		return;
	odb_reader_free(w->rd);
	odb_free(w->db);
	git_repository_free(w->repo);
	if (w->inited)
		git_libgit2_shutdown();
	gitwalk_lite_release(w);
	free(w->db_error);
	free(w->open_path);
	free(w);
}

const char *gitwalk_gitdir(const struct gitwalk *w)
{
	return w->gitdir ? w->gitdir : git_repository_path(gitwalk_repo(w));
}

const char *gitwalk_commondir(const struct gitwalk *w)
{
	return w->commondir ? w->commondir :
			      git_repository_commondir(gitwalk_repo(w));
}

const char *gitwalk_workdir(const struct gitwalk *w)
{
	if (w->gitdir)
		return w->workdir;
	return git_repository_workdir(gitwalk_repo(w));
}

bool gitwalk_is_bare(const struct gitwalk *w)
{
	if (w->gitdir)
		return !w->workdir;
	return git_repository_is_bare(gitwalk_repo(w));
}

int gitwalk_resolve_commit(const struct gitwalk *w, const char *rev,
			   char hex[GITWALK_HEXSZ + 1])
{
	git_object *obj = NULL;
	git_object *commit = NULL;
	int rc;

	rc = git_revparse_single(&obj, gitwalk_repo(w), rev);
	if (rc < 0) {
		rc = error_setc(rc == GIT_ENOTFOUND ? ERR_NOTFOUND : ERR_FAIL,
				"cannot resolve '%s' to a commit", rev);
		goto out;
	}
	rc = git_object_peel(&commit, obj, GIT_OBJECT_COMMIT);
	if (rc < 0) {
		rc = error_set("'%s' does not name a commit", rev);
		goto out;
	}
	git_oid_tostr(hex, GITWALK_HEXSZ + 1, git_object_id(commit));
out:
	git_object_free(commit);
	git_object_free(obj);
	return rc;
}

/*
 * Our own object reader over the same object directories libgit2 reads,
 * quarantine first (pre-receive). SLUGGUARD_NO_ODB=1 turns it off, so that
 * tests and benchmarks can compare it with plain libgit2.
 */
static struct odb *open_odb(struct gitwalk *w)
{
	const char *q = getenv("GIT_QUARANTINE_PATH");
	const char *objdir = getenv("GIT_OBJECT_DIRECTORY");
	const char *alts = getenv("GIT_ALTERNATE_OBJECT_DIRECTORIES");
	const char *off = getenv("SLUGGUARD_NO_ODB");
	struct strvec dirs = STRVEC_INIT;
	struct strbuf main_dir = STRBUF_INIT;
	struct odb *db = NULL;

	if (off && *off && strcmp(off, "0"))
		return NULL;
	if (q)
		strvec_push(&dirs, q);
	if (objdir)
		strvec_push(&dirs, objdir);
	while (alts && *alts) {
		const char *colon = strchr(alts, ':');
		size_t n = colon ? (size_t)(colon - alts) : strlen(alts);
		char *one = xstrndup(alts, n);

		strvec_push(&dirs, one);
		free(one);
		alts = colon ? colon + 1 : NULL;
	}
	strbuf_addf(&main_dir, "%sobjects", gitwalk_commondir(w));
	strvec_push(&dirs, main_dir.buf);
	if (odb_open(&db, dirs.v, dirs.nr) < 0) {
		w->db_error = xstrdup(error_last());
		error_clear();
		db = NULL;
	}
	strvec_clear(&dirs);
	strbuf_release(&main_dir);
	return db;
}

struct odb *gitwalk_db(const struct gitwalk *cw)
{
	/* Opened on first use: cw was allocated mutable (see gitwalk_repo). */
	struct gitwalk *w = (struct gitwalk *)(uintptr_t)cw;

	if (!w->db_tried) {
		w->db_tried = true;
		w->db = open_odb(w);
	}
	return w->db;
}

int gitwalk_db_check(const struct gitwalk *cw)
{
	gitwalk_db(cw);
	if (cw->db_error)
		return error_set("%s", cw->db_error);
	return 0;
}

struct odb_reader *gitwalk_reader(const struct gitwalk *cw)
{
	struct gitwalk *w = (struct gitwalk *)(uintptr_t)cw;

	if (!w->rd && gitwalk_db(w))
		w->rd = odb_reader_new(w->db, (size_t)32 << 20);
	return w->rd;
}
