/* SPDX-License-Identifier: MIT */
/*
 * The libgit2 backend of the revision front end (rev.h), and the commit
 * walk on libgit2 for what the lite walk cannot do.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/gitwalk.h"
#include "slugguard/odb.h"
#include "slugguard/oidmap.h"
#include "gitwalk-internal.h"
#include "hist.h"
#include "rev.h"

static int git2_name(const struct rev_source *src, const char *name,
		     git_oid *out)
{
	git_object *o = NULL;

	if (git_revparse_single(&o, src->repo, name) < 0) {
		git_error_clear();
		return ERR_NOTFOUND;
	}
	git_oid_cpy(out, git_object_id(o));
	git_object_free(o);
	return 0;
}

static int git2_read(const struct rev_source *src, const git_oid *id,
		     enum odb_type *type, struct strbuf *out)
{
	git_odb *odb = NULL;
	git_odb_object *obj = NULL;
	int rc = ERR_NOTFOUND;

	strbuf_reset(out);
	*type = ODB_NONE;
	if (!git_repository_odb(&odb, src->repo) &&
	    !git_odb_read(&obj, odb, id)) {
		*type = (enum odb_type)git_odb_object_type(obj);
		strbuf_add(out, git_odb_object_data(obj),
			   git_odb_object_size(obj));
		rc = 0;
	}
	git_error_clear();
	git_odb_object_free(obj);
	git_odb_free(odb);
	return rc;
}

struct git2_refs {
	rev_ref_fn fn;
	void *data;
	git_repository *repo;
	int rc; /* the callback's own failure */
};

static int git2_ref(const char *name, void *payload)
{
	struct git2_refs *r = payload;
	git_oid id;

	if (git_reference_name_to_id(&id, r->repo, name) < 0) {
		git_error_clear();
		return 0; /* a dangling symbolic ref */
	}
	r->rc = r->fn(name, &id, NULL, r->data);
	return r->rc;
}

static int git2_refs(const struct rev_source *src, const char *glob,
		     rev_ref_fn fn, void *data)
{
	struct git2_refs r = { fn, data, src->repo, 0 };
	int rc = git_reference_foreach_glob(src->repo, glob, git2_ref, &r);

	if (r.rc)
		return r.rc; /* the callback's code, with its message */
	return rc < 0 ? gitwalk_error(rc, "walking references") : 0;
}

static int git2_merge_bases(const struct rev_source *src, const git_oid *a,
			    const git_oid *b, git_oid **out, size_t *nr)
{
	git_oidarray bases = { NULL, 0 };

	*out = NULL;
	*nr = 0;
	/* No merge base (unrelated histories) is no error. */
	if (git_merge_bases(&bases, src->repo, a, b) < 0) {
		git_error_clear();
		return 0;
	}
	*out = xcalloc(bases.count ? bases.count : 1, sizeof(**out));
	for (size_t i = 0; i < bases.count; i++)
		git_oid_cpy(&(*out)[i], &bases.ids[i]);
	*nr = bases.count;
	git_oidarray_dispose(&bases);
	return 0;
}

const struct rev_backend gitwalk_rev_git2 = {
	git2_name, git2_name, git2_read, git2_refs, git2_merge_bases,
};

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
static int shallow_walk(git_oid **ids, size_t *ids_nr,
			const struct oidmap *shallow, git_repository *repo,
			const struct rev_tips *tips)
{
	struct oidmap seen[2] = { { NULL, NULL, NULL, 0, 0 },
				  { NULL, NULL, NULL, 0, 0 } };
	struct dated *out = NULL;
	size_t out_nr = 0, out_alloc = 0, ids_alloc = 0;
	git_oid *stack = NULL;
	size_t stack_nr = 0, stack_alloc = 0;

	/* Pass 0 marks what the hidden tips reach; pass 1 collects. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < tips->nr; i++) {
			if (tips->v[i].hide != !pass)
				continue;
			ALLOC_GROW(stack, stack_nr + 1, stack_alloc);
			git_oid_cpy(&stack[stack_nr++], &tips->v[i].id);
		}
		while (stack_nr) {
			git_oid id = stack[--stack_nr];
			git_commit *c = NULL;
			size_t v = 1, np;

			if (oidmap_get(&seen[0], id.id, &v) ||
			    oidmap_put(&seen[pass], id.id, &v))
				continue;
			if (git_commit_lookup(&c, repo, &id) < 0) {
				git_error_clear();
				continue;
			}
			if (pass) {
				ALLOC_GROW(out, out_nr + 1, out_alloc);
				git_oid_cpy(&out[out_nr].id, &id);
				out[out_nr++].time = git_commit_time(c);
			}
			np = oidmap_get(shallow, id.id, &v) ?
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
	return 0;
}

static bool is_shallow(const git_oid *id, void *data)
{
	return oidmap_get(data, id->id, NULL);
}

int gitwalk_git2_revs(git_oid **out, size_t *nr, struct gitwalk *w,
		      const char *const *revs, size_t revs_nr)
{
	struct oidmap shallow = OIDMAP_INIT;
	struct rev_source src;
	struct rev_tips tips = { NULL, 0, 0 };
	git_revwalk *rw = NULL;
	git_oid *ids = NULL;
	size_t ids_nr = 0, ids_alloc = 0;
	git_oid id;
	int rc;

	*out = NULL;
	*nr = 0;
	memset(&src, 0, sizeof(src));
	src.be = &gitwalk_rev_git2;
	src.w = w;
	src.repo = gitwalk_repo(w);
	/* The boundary cuts ~N and ^N short, as in the lite walk. */
	gitwalk_load_shallow(&shallow, w);
	src.shallow = is_shallow;
	src.shallow_data = &shallow;
	rc = gitwalk_rev_parse(&tips, &src, revs, revs_nr);
	if (rc < 0)
		goto out;
	/* libgit2 (1.5) fails on the parents a shallow clone cut off. */
	if (git_repository_is_shallow(src.repo) == 1) {
		rc = shallow_walk(&ids, &ids_nr, &shallow, src.repo, &tips);
		goto out;
	}
	rc = git_revwalk_new(&rw, src.repo);
	if (!rc)
		git_revwalk_sorting(rw, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
	for (size_t i = 0; i < tips.nr && !rc; i++)
		rc = tips.v[i].hide ? git_revwalk_hide(rw, &tips.v[i].id) :
				      git_revwalk_push(rw, &tips.v[i].id);
	while (!rc && !(rc = git_revwalk_next(&id, rw))) {
		ALLOC_GROW(ids, ids_nr + 1, ids_alloc);
		git_oid_cpy(&ids[ids_nr++], &id);
	}
	if (rc == GIT_ITEROVER)
		rc = 0;
	if (rc < 0)
		rc = gitwalk_error(rc, "walking revisions");
out:
	if (!rc) {
		*out = ids;
		*nr = ids_nr;
		ids = NULL;
	}
	free(ids);
	git_revwalk_free(rw);
	gitwalk_rev_tips_release(&tips);
	oidmap_release(&shallow);
	return rc;
}
