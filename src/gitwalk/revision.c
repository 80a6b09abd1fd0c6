/* SPDX-License-Identifier: MIT */
/* Revision arguments through libgit2 (what the lite walk cannot do). */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/gitwalk.h"
#include "slugguard/odb.h"
#include "slugguard/oidmap.h"
#include "gitwalk-internal.h"
#include "hist.h"

/*
 * The commits to walk. Normally a git_revwalk; in a shallow clone our own
 * walk, because libgit2 (1.5) fails on the parents cut off at the
 * shallow boundary.
 */
struct revset {
	git_revwalk *rw;
	git_repository *repo;
	bool shallow;
	git_oid *oids; /* shallow: the tips, hidden ones flagged */
	bool *hidden;
	size_t nr, alloc;
};

static int rs_oid(struct revset *rs, const git_oid *id, bool hide)
{
	if (!rs->shallow)
		return hide ? git_revwalk_hide(rs->rw, id) :
			      git_revwalk_push(rs->rw, id);
	ALLOC_GROW(rs->oids, rs->nr + 1, rs->alloc);
	rs->hidden = xrealloc(rs->hidden, rs->alloc * sizeof(*rs->hidden));
	git_oid_cpy(&rs->oids[rs->nr], id);
	rs->hidden[rs->nr++] = hide;
	return 0;
}

struct glob_data {
	struct revset *rs;
	bool hide;
};

static int glob_cb(const char *name, void *payload)
{
	struct glob_data *gd = payload;
	git_object *o = NULL;
	git_reference *ref = NULL;

	if (!git_reference_lookup(&ref, gd->rs->repo, name) &&
	    !git_reference_peel(&o, ref, GIT_OBJECT_COMMIT))
		rs_oid(gd->rs, git_object_id(o), gd->hide);
	git_error_clear();
	git_object_free(o);
	git_reference_free(ref);
	return 0;
}

static int rs_glob(struct revset *rs, const char *glob, bool hide)
{
	struct strbuf g = STRBUF_INIT;
	struct glob_data gd = { rs, hide };
	int rc;

	if (!rs->shallow)
		return hide ? git_revwalk_hide_glob(rs->rw, glob) :
			      git_revwalk_push_glob(rs->rw, glob);
	if (!starts_with(glob, "refs/"))
		strbuf_addstr(&g, "refs/");
	strbuf_addstr(&g, glob);
	if (!strpbrk(glob, "?*["))
		strbuf_addstr(&g, "/*");
	rc = git_reference_foreach_glob(rs->repo, g.buf, glob_cb, &gd);
	strbuf_release(&g);
	return rc;
}

static int rs_head(struct revset *rs)
{
	git_oid id;

	if (!rs->shallow)
		return git_revwalk_push_head(rs->rw);
	if (git_reference_name_to_id(&id, rs->repo, "HEAD") < 0)
		return -1;
	return rs_oid(rs, &id, false);
}

static int push_glob(struct revset *rw, const char *base, const char *pat,
		     bool hide)
{
	struct strbuf g = STRBUF_INIT;
	int rc;

	strbuf_addstr(&g, base);
	if (pat) {
		if (*base)
			strbuf_addch(&g, '/');
		strbuf_addstr(&g, pat);
	}
	if (!pat || !*base)
		strbuf_addstr(&g, *base ? "/*" : "*");
	rc = hide ? rs_glob(rw, g.buf, true) : rs_glob(rw, g.buf, false);
	if (rc < 0)
		rc = gitwalk_error(rc, "walking references");
	strbuf_release(&g);
	return rc;
}

static int resolve(git_oid *out, const git_object *o, const char *arg)
{
	git_object *c = NULL;
	int rc = git_object_peel(&c, o, GIT_OBJECT_COMMIT);

	if (rc < 0)
		return error_setc(ERR_NOTFOUND, "'%s' does not name a commit",
				  arg);
	git_oid_cpy(out, git_object_id(c));
	git_object_free(c);
	return 0;
}

static int add_rev(struct revset *rw, git_repository *repo, const char *arg,
		   bool hide)
{
	git_revspec spec;
	git_oid a, b;
	int rc;

	memset(&spec, 0, sizeof(spec));
	if (*arg == '^') {
		arg++;
		hide = !hide;
	}
	rc = git_revparse(&spec, repo, arg);
	if (rc < 0) {
		git_error_clear();
		return error_setc(ERR_NOTFOUND, "cannot resolve '%s'", arg);
	}
	if (!(spec.flags & GIT_REVSPEC_RANGE)) {
		rc = resolve(&a, spec.from, arg);
		if (!rc)
			rc = hide ? rs_oid(rw, &a, true) :
				    rs_oid(rw, &a, false);
		goto out;
	}
	rc = resolve(&a, spec.from, arg);
	if (!rc)
		rc = resolve(&b, spec.to, arg);
	if (rc < 0)
		goto out;
	if (spec.flags & GIT_REVSPEC_MERGE_BASE) {
		git_oidarray bases = { NULL, 0 };

		if (hide) {
			rc = rs_oid(rw, &a, true);
			if (!rc)
				rc = rs_oid(rw, &b, true);
			goto out;
		}
		rc = rs_oid(rw, &a, false);
		if (!rc)
			rc = rs_oid(rw, &b, false);
		if (!rc && !git_merge_bases(&bases, repo, &a, &b)) {
			for (size_t i = 0; i < bases.count && !rc; i++)
				rc = rs_oid(rw, &bases.ids[i], true);
			git_oidarray_dispose(&bases);
		}
		git_error_clear();
		goto out;
	}
	/* a..b: with --not the sense of both ends flips, as in git. */
	rc = hide ? rs_oid(rw, &a, false) : rs_oid(rw, &a, true);
	if (!rc)
		rc = hide ? rs_oid(rw, &b, true) : rs_oid(rw, &b, false);
out:
	if (rc < 0 && rc != ERR_NOTFOUND && rc != ERR_FAIL)
		rc = gitwalk_error(rc, "walking revisions");
	git_object_free(spec.from);
	git_object_free(spec.to);
	return rc;
}

static int add_arg(struct revset *rw, git_repository *repo, const char *arg,
		   bool *negate)
{
	static const struct {
		const char *opt;
		const char *base;
	} globs[] = {
		{ "--branches", "heads" },
		{ "--tags", "tags" },
		{ "--remotes", "remotes" },
		{ "--glob", "" },
	};

	if (!strcmp(arg, "--not")) {
		*negate = !*negate;
		return 0;
	}
	if (!strcmp(arg, "--all")) {
		int rc = push_glob(rw, "", NULL, *negate);

		/* Also a detached HEAD; an unborn one is no error. */
		if (!rc && !*negate && rs_head(rw) < 0)
			git_error_clear();
		return rc;
	}
	for (size_t i = 0; i < ARRAY_SIZE(globs); i++) {
		size_t n = strlen(globs[i].opt);

		if (strncmp(arg, globs[i].opt, n))
			continue;
		if (!arg[n] && *globs[i].base)
			return push_glob(rw, globs[i].base, NULL, *negate);
		if (arg[n] == '=' && arg[n + 1])
			return push_glob(rw, globs[i].base, arg + n + 1,
					 *negate);
	}
	if (*arg == '-')
		return error_set("unknown revision option '%s'", arg);
	return add_rev(rw, repo, arg, *negate);
}

struct dated {
	git_oid id;
	int64_t time;
};

static int cmp_dated(const void *a, const void *b)
{
	const struct dated *x = a, *y = b;

	if (x->time != y->time)
		return x->time > y->time ? -1 : 1;
	return git_oid_cmp(&x->id, &y->id);
}

/*
 * Everything reachable from the unhidden tips but not from the hidden
 * ones, stopping at the shallow boundary; newest first.
 */
static int shallow_walk(git_oid **ids, size_t *ids_nr, const struct gitwalk *w,
			struct revset *rs)
{
	struct oidmap shallow = { NULL, NULL, NULL, 0, 0 };
	struct oidmap seen[2] = { { NULL, NULL, NULL, 0, 0 },
				  { NULL, NULL, NULL, 0, 0 } };
	struct dated *out = NULL;
	size_t out_nr = 0, out_alloc = 0, ids_alloc = 0;
	git_oid *stack = NULL;
	size_t stack_nr = 0, stack_alloc = 0;

	gitwalk_load_shallow(&shallow, w);
	/* Pass 0 marks what the hidden tips reach; pass 1 collects. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < rs->nr; i++) {
			if (rs->hidden[i] != !pass)
				continue;
			ALLOC_GROW(stack, stack_nr + 1, stack_alloc);
			git_oid_cpy(&stack[stack_nr++], &rs->oids[i]);
		}
		while (stack_nr) {
			git_oid id = stack[--stack_nr];
			git_commit *c = NULL;
			size_t v = 1, np;

			if (oidmap_get(&seen[0], id.id, &v) ||
			    oidmap_put(&seen[pass], id.id, &v))
				continue;
			if (git_commit_lookup(&c, rs->repo, &id) < 0) {
				git_error_clear();
				continue;
			}
			if (pass) {
				ALLOC_GROW(out, out_nr + 1, out_alloc);
				git_oid_cpy(&out[out_nr].id, &id);
				out[out_nr++].time = git_commit_time(c);
			}
			np = oidmap_get(&shallow, id.id, &v) ?
				     0 :
				     git_commit_parentcount(c);
			for (size_t k = 0; k < np; k++) {
				ALLOC_GROW(stack, stack_nr + 1, stack_alloc);
				git_oid_cpy(&stack[stack_nr++],
					    git_commit_parent_id(c, k));
			}
			git_commit_free(c);
		}
	}
	if (out_nr)
		qsort(out, out_nr, sizeof(*out), cmp_dated);
	for (size_t i = 0; i < out_nr; i++) {
		ALLOC_GROW(*ids, *ids_nr + 1, ids_alloc);
		git_oid_cpy(&(*ids)[(*ids_nr)++], &out[i].id);
	}
	free(out);
	free(stack);
	oidmap_release(&seen[0]);
	oidmap_release(&seen[1]);
	oidmap_release(&shallow);
	return 0;
}

int gitwalk_git2_revs(git_oid **out, size_t *nr, struct gitwalk *w,
		      const char *const *revs, size_t revs_nr)
{
	struct revset rs;
	git_oid *ids = NULL;
	size_t ids_nr = 0, ids_alloc = 0;
	bool negate = false;
	git_oid id;
	int rc;

	*out = NULL;
	*nr = 0;
	memset(&rs, 0, sizeof(rs));
	rs.repo = gitwalk_repo(w);
	rs.shallow = git_repository_is_shallow(rs.repo) == 1;
	rc = git_revwalk_new(&rs.rw, rs.repo);
	if (rc < 0) {
		rc = gitwalk_error(rc, "walking revisions");
		goto out;
	}
	git_revwalk_sorting(rs.rw, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
	for (size_t i = 0; i < revs_nr; i++) {
		rc = add_arg(&rs, rs.repo, revs[i], &negate);
		if (rc < 0)
			goto out;
	}
	if (rs.shallow) {
		rc = shallow_walk(&ids, &ids_nr, w, &rs);
		goto out;
	}
	while (!(rc = git_revwalk_next(&id, rs.rw))) {
		ALLOC_GROW(ids, ids_nr + 1, ids_alloc);
		git_oid_cpy(&ids[ids_nr++], &id);
	}
	if (rc != GIT_ITEROVER) {
		rc = gitwalk_error(rc, "walking revisions");
		goto out;
	}
	rc = 0;
out:
	if (!rc) {
		*out = ids;
		*nr = ids_nr;
		ids = NULL;
	}
	free(ids);
	git_revwalk_free(rs.rw);
	free(rs.oids);
	free(rs.hidden);
	return rc;
}
