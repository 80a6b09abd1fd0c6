/* SPDX-License-Identifier: MIT */
/* Refs without libgit2 (see lite-discover.c): loose files and
 * packed-refs, git's short-name rules, and globbing. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/gitwalk.h"
#include "slugguard/odb.h"
#include "gitwalk-internal.h"
#include "lite.h"

#include <ctype.h>
#include <dirent.h>
#include <fnmatch.h>

/* ---- refs --------------------------------------------------------------- */

/* One more than a hex digit's value; 0 for any other byte. */
static const unsigned char hex_plus1[256] = {
	['0'] = 1,  ['1'] = 2,	['2'] = 3,  ['3'] = 4,	['4'] = 5,  ['5'] = 6,
	['6'] = 7,  ['7'] = 8,	['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12,
	['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16, ['A'] = 11, ['B'] = 12,
	['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/*
 * Without libgit2: its parser sets libgit2's error state, which needs
 * git_libgit2_init(), which this path exists to avoid. By table: a
 * packed-refs of git.git's size is 2,000 ids parsed at start-up.
 */
bool gitwalk_hex_to_oid(git_oid *id, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	for (int i = 0; i < GIT_OID_RAWSZ; i++) {
		unsigned hi = hex_plus1[u[2 * i]], lo;

		/* One digit at a time: s may end (NUL) before an id does. */
		if (!hi)
			return false;
		lo = hex_plus1[u[2 * i + 1]];
		if (!lo)
			return false;
		id->id[i] = (unsigned char)((hi - 1) << 4 | (lo - 1));
	}
	return true;
}

static bool parse_hex(git_oid *id, const char *s)
{
	return gitwalk_hex_to_oid(id, s);
}

static struct lite_refs *refs_of(const struct gitwalk *cw)
{
	/* Loaded on first use: cw was allocated mutable (see gitwalk_repo). */
	struct gitwalk *w = (struct gitwalk *)(uintptr_t)cw;

	if (!w->refs)
		w->refs = xcalloc(1, sizeof(*w->refs));
	return w->refs;
}

static void ref_push(struct lite_refs *r, const char *name, size_t n,
		     const git_oid *id)
{
	ALLOC_GROW(r->v, r->nr + 1, r->alloc);
	r->v[r->nr].name = xstrndup(name, n);
	git_oid_cpy(&r->v[r->nr].id, id);
	git_oid_cpy(&r->v[r->nr].peeled, id);
	r->v[r->nr].peel_known = false;
	r->nr++;
}

/*
 * packed-refs: "<hex> <name>" lines, each annotated tag followed by
 * "^<hex>", what it peels to. The header's traits say which refs carry
 * that line when they are annotated tags ("peeled": those under
 * refs/tags/, "fully-peeled": all); for those the peel is known either
 * way, which spares reading every tag object of a repository to find
 * the few that point into a pushed range.
 */
static int load_packed(const struct gitwalk *w)
{
	struct lite_refs *r = refs_of(w);
	struct strbuf sb = STRBUF_INIT, path = STRBUF_INIT;
	size_t pos = 0;
	bool peeled = false, fully = false;

	if (r->packed_loaded)
		return 0;
	r->packed_loaded = true;
	strbuf_addf(&path, "%spacked-refs", w->commondir);
	if (fs_read_capped(&sb, path.buf, MAX_PACKED_REFS) < 0) {
		int code = error_last_code();

		error_clear();
		strbuf_release(&path);
		strbuf_release(&sb);
		return code == ERR_NOTFOUND ? 0 : LITE_UNSUPPORTED;
	}
	while (pos < sb.len) {
		char *nl = memchr(sb.buf + pos, '\n', sb.len - pos);
		size_t end = nl ? (size_t)(nl - sb.buf) : sb.len;
		const char *l = sb.buf + pos;
		git_oid id;

		if (!pos && starts_with(l, "# pack-refs with:")) {
			struct strbuf traits = STRBUF_INIT;

			strbuf_add(&traits, l, end - pos);
			strbuf_addch(&traits, ' ');
			peeled = strstr(traits.buf, " peeled ");
			fully = strstr(traits.buf, " fully-peeled ");
			strbuf_release(&traits);
		} else if (end - pos > GITWALK_HEXSZ + 1 &&
			   l[GITWALK_HEXSZ] == ' ' && parse_hex(&id, l)) {
			ref_push(r, l + GITWALK_HEXSZ + 1,
				 end - pos - GITWALK_HEXSZ - 1, &id);
			r->v[r->nr - 1].peel_known =
				fully ||
				(peeled && starts_with(r->v[r->nr - 1].name,
						       "refs/tags/"));
		} else if (end - pos >= GITWALK_HEXSZ + 1 && *l == '^' &&
			   r->nr && parse_hex(&id, l + 1)) {
			git_oid_cpy(&r->v[r->nr - 1].peeled, &id);
			r->v[r->nr - 1].peel_known = true;
		}
		pos = end + 1;
	}
	strbuf_release(&path);
	strbuf_release(&sb);
	return 0;
}

/* Refs outside refs/ (HEAD, FETCH_HEAD) and a few under it belong to
 * the worktree, the rest to the common directory (git's rule). */
static const char *ref_dir(const struct gitwalk *w, const char *name)
{
	if (!starts_with(name, "refs/") || starts_with(name, "refs/bisect/") ||
	    starts_with(name, "refs/worktree/") ||
	    starts_with(name, "refs/rewritten/"))
		return w->gitdir;
	return w->commondir;
}

/*
 * Resolve the full ref name to an id: a loose file (a symbolic "ref: X"
 * is followed) or packed-refs. ERR_NOTFOUND when there is no such ref.
 */
int gitwalk_lite_resolve_ref(const struct gitwalk *w, const char *name,
			     git_oid *id, int depth)
{
	struct strbuf path = STRBUF_INIT, sb = STRBUF_INIT;
	int rc = ERR_NOTFOUND;

	if (depth > MAX_SYMREF_DEPTH || strstr(name, "..") ||
	    strchr(name, '\\'))
		return ERR_NOTFOUND;
	strbuf_addf(&path, "%s%s", ref_dir(w, name), name);
	if (gitwalk_lite_path_is(path.buf, IS_FILE)) {
		if (!gitwalk_lite_read_small(&sb, path.buf)) {
			rc = LITE_UNSUPPORTED;
		} else if (starts_with(sb.buf, "ref: ")) {
			strbuf_rtrim(&sb);
			rc = gitwalk_lite_resolve_ref(w, sb.buf + 5, id,
						      depth + 1);
		} else if (sb.len >= GITWALK_HEXSZ && parse_hex(id, sb.buf)) {
			rc = 0;
		} else {
			rc = LITE_UNSUPPORTED;
		}
	} else if (starts_with(name, "refs/")) {
		rc = load_packed(w);
		if (!rc) {
			const struct lite_refs *r = refs_of(w);

			rc = ERR_NOTFOUND;
			for (size_t i = 0; i < r->nr && rc; i++)
				if (!strcmp(r->v[i].name, name)) {
					git_oid_cpy(id, &r->v[i].id);
					rc = 0;
				}
		}
	}
	strbuf_release(&path);
	strbuf_release(&sb);
	return rc;
}

/* A short name as git's dwim does: NAME, refs/NAME, refs/tags/NAME,
 * refs/heads/NAME, refs/remotes/NAME, refs/remotes/NAME/HEAD. */
int gitwalk_lite_dwim_ref(const struct gitwalk *w, const char *name,
			  git_oid *id)
{
	static const char *const rules[][2] = {
		{ "", "" },
		{ "refs/", "" },
		{ "refs/tags/", "" },
		{ "refs/heads/", "" },
		{ "refs/remotes/", "" },
		{ "refs/remotes/", "/HEAD" },
	};
	struct strbuf full = STRBUF_INIT;
	int rc = ERR_NOTFOUND;

	for (size_t i = 0; i < ARRAY_SIZE(rules) && rc == ERR_NOTFOUND; i++) {
		strbuf_reset(&full);
		strbuf_addf(&full, "%s%s%s", rules[i][0], name, rules[i][1]);
		/* Only HEAD-like names live outside refs/ (git's rule). */
		if (!i && !starts_with(name, "refs/")) {
			bool upper = true;

			for (const char *c = name; *c; c++)
				if (!(isupper((unsigned char)*c) || *c == '_'))
					upper = false;
			if (!upper)
				continue;
		}
		rc = gitwalk_lite_resolve_ref(w, full.buf, id, 0);
	}
	strbuf_release(&full);
	return rc;
}

/* Collect loose refs under dir (a path below commondir) into out. */
static int list_loose(const struct gitwalk *w, struct strbuf *rel,
		      struct lite_refs *out)
{
	struct strbuf path = STRBUF_INIT;
	DIR *d;
	struct dirent *de;
	int rc = 0;

	strbuf_addf(&path, "%s%s", w->commondir, rel->buf);
	d = opendir(path.buf);
	strbuf_release(&path);
	if (!d)
		return 0;
	while (!rc && (de = readdir(d))) {
		size_t keep = rel->len;
		git_oid id;

		if (de->d_name[0] == '.')
			continue;
		strbuf_addf(rel, "/%s", de->d_name);
		strbuf_reset(&path);
		strbuf_addf(&path, "%s%s", w->commondir, rel->buf);
		if (gitwalk_lite_path_is(path.buf, IS_DIR)) {
			rc = list_loose(w, rel, out);
		} else if (!ends_with(rel->buf, ".lock")) {
			int r = gitwalk_lite_resolve_ref(w, rel->buf, &id, 0);

			if (!r)
				ref_push(out, rel->buf, rel->len, &id);
			else if (r == LITE_UNSUPPORTED)
				rc = r;
		}
		strbuf_setlen(rel, keep);
	}
	strbuf_release(&path);
	closedir(d);
	return rc;
}

/*
 * Every ref whose full name matches the glob (fnmatch, '*' crossing
 * '/', as git's for_each_glob_ref), loose ones shadowing packed ones;
 * fn gets each name and id.
 */
static int cmp_ref(const void *a, const void *b)
{
	const struct lite_ref *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

int gitwalk_lite_for_each_ref(const struct gitwalk *w, const char *glob,
			      int (*fn)(const char *name, const git_oid *id,
					const git_oid *peeled, void *data),
			      void *data)
{
	struct lite_refs loose = { NULL, 0, 0, false };
	struct strbuf rel = STRBUF_INIT;
	const struct lite_refs *packed;
	const struct lite_ref **hits = NULL;
	size_t hits_nr = 0, hits_alloc = 0;
	int rc = load_packed(w);

	strbuf_addstr(&rel, "refs");
	if (!rc)
		rc = list_loose(w, &rel, &loose);
	packed = refs_of(w);
	for (size_t i = 0; !rc && i < loose.nr; i++)
		if (!fnmatch(glob, loose.v[i].name, 0)) {
			ALLOC_GROW(hits, hits_nr + 1, hits_alloc);
			hits[hits_nr++] = &loose.v[i];
		}
	for (size_t i = 0; !rc && i < packed->nr; i++) {
		bool shadowed = false;

		for (size_t j = 0; j < loose.nr && !shadowed; j++)
			shadowed = !strcmp(loose.v[j].name, packed->v[i].name);
		if (!shadowed && !fnmatch(glob, packed->v[i].name, 0)) {
			ALLOC_GROW(hits, hits_nr + 1, hits_alloc);
			hits[hits_nr++] = &packed->v[i];
		}
	}
	/* In name order, as git and libgit2 list them. */
	if (hits_nr)
		qsort(hits, hits_nr, sizeof(*hits), cmp_ref);
	for (size_t i = 0; !rc && i < hits_nr; i++)
		rc = fn(hits[i]->name, &hits[i]->id,
			hits[i]->peel_known ? &hits[i]->peeled : NULL, data);
	free(hits);
	for (size_t i = 0; i < loose.nr; i++)
		free(loose.v[i].name);
	free(loose.v);
	strbuf_release(&rel);
	return rc;
}
