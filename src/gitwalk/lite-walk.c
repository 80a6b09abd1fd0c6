/* SPDX-License-Identifier: MIT */
/*
 * The commit walk without libgit2 (see lite-discover.c): the simple
 * revision grammar over our refs, and git's limit_list and topological
 * order over commits read through src/odb.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/gitwalk.h"
#include "slugguard/odb.h"
#include "gitwalk-internal.h"
#include "lite.h"
#include "slugguard/oidmap.h"

#include <ctype.h>

/* git's limit_list goes on this many commits past the point where
 * everything queued is uninteresting, against clock skew. */
#define SLOP 5

/* ---- objects ------------------------------------------------------------ */

struct lcommit {
	git_oid id;
	int64_t date;
	uint32_t flags;
	size_t parents_at, parents_nr;
	size_t heap_seq;
};

enum { C_SEEN = 1, C_UNINTERESTING = 2, C_PARSED = 4, C_INHEAP = 8 };

struct walk {
	const struct gitwalk *w;
	struct odb_reader *rd;
	struct lcommit *c;
	size_t nr, alloc;
	struct oidmap index; /* id -> its place in c[] */
	git_oid *parents;
	size_t parents_nr, parents_alloc;
	size_t *heap;
	size_t heap_nr, heap_alloc, seq;
	size_t interesting_in_heap;
	/* The caller's shallow boundary (walk.c reads that file once). */
	bool (*shallow)(const git_oid *id, void *data);
	void *shallow_data;
	bool negate;
};

/*
 * An object our index lists but whose data is damaged. libgit2 1.5 can
 * crash on such a pack, so this is an error here, not a fallback.
 */
static int damaged(const git_oid *id)
{
	char hex[GITWALK_HEXSZ + 1];

	git_oid_tostr(hex, sizeof(hex), id);
	return error_set("object %s is damaged in its pack; run "
			 "'git fsck' and repair the repository",
			 hex);
}

/*
 * Peel id to a commit: tags are followed to their target. LITE_UNSUPPORTED
 * when an object is not in our store (libgit2 will report it).
 */
static int peel_commit(struct odb_reader *rd, git_oid *id)
{
	for (int depth = 0; depth < MAX_SYMREF_DEPTH * 4; depth++) {
		const unsigned char *data;
		enum odb_type type;
		size_t len;

		int rc = odb_read(rd, id->id, 0, &type, &data, &len);

		if (rc == ERR_FAIL)
			return damaged(id);
		if (rc < 0)
			return LITE_UNSUPPORTED;
		if (type == ODB_COMMIT)
			return 0;
		if (type != ODB_TAG || len < 7 + GITWALK_HEXSZ ||
		    memcmp(data, "object ", 7) ||
		    !gitwalk_hex_to_oid(id, (const char *)data + 7))
			return ERR_NOTFOUND; /* a tree or blob */
	}
	return ERR_NOTFOUND;
}

/* The place of id in wk->c, added (unread) when new. */
static size_t node(struct walk *wk, const git_oid *id)
{
	size_t n = wk->nr;

	if (oidmap_put(&wk->index, id->id, &n))
		return n;
	ALLOC_GROW(wk->c, wk->nr + 1, wk->alloc);
	memset(&wk->c[wk->nr], 0, sizeof(wk->c[wk->nr]));
	git_oid_cpy(&wk->c[wk->nr].id, id);
	return wk->nr++;
}

static bool is_shallow(const struct walk *wk, const git_oid *id)
{
	return wk->shallow && wk->shallow(id, wk->shallow_data);
}

/* Read commit n: its committer date and parents. */
static int parse(struct walk *wk, size_t n)
{
	const unsigned char *data;
	enum odb_type type;
	size_t len, np = 0;
	const char *p, *end, *committer;
	git_oid pid;
	int rc;

	if (wk->c[n].flags & C_PARSED)
		return 0;
	rc = odb_read_once(wk->rd, wk->c[n].id.id, &type, &data, &len);
	if (rc == ERR_FAIL)
		return damaged(&wk->c[n].id);
	if (rc < 0 || type != ODB_COMMIT)
		return LITE_UNSUPPORTED;
	p = (const char *)data;
	end = p + len;
	if (len < 46 || memcmp(p, "tree ", 5))
		return LITE_UNSUPPORTED;
	p += 46;
	wk->c[n].parents_at = wk->parents_nr;
	while (end - p >= 48 && !memcmp(p, "parent ", 7) && p[47] == '\n') {
		if (!gitwalk_hex_to_oid(&pid, p + 7))
			return LITE_UNSUPPORTED;
		ALLOC_GROW(wk->parents, wk->parents_nr + 1, wk->parents_alloc);
		git_oid_cpy(&wk->parents[wk->parents_nr++], &pid);
		np++;
		p += 48;
	}
	/* The committer line ends "<date> <tz>"; its date orders the walk. */
	committer = NULL;
	while (p < end && *p != '\n') {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			break;
		if (!strncmp(p, "committer ", 10))
			committer = p;
		p = nl + 1;
	}
	if (committer) {
		const char *gt =
			memchr(committer, '>', (size_t)(end - committer));

		if (gt && gt + 2 < end)
			wk->c[n].date = strtoll(gt + 2, NULL, 10);
	}
	wk->c[n].parents_nr = is_shallow(wk, &wk->c[n].id) ? 0 : np;
	wk->c[n].flags |= C_PARSED;
	return 0;
}

static bool heap_less(const struct walk *wk, size_t a, size_t b)
{
	const struct lcommit *x = &wk->c[a], *y = &wk->c[b];

	if (x->date != y->date)
		return x->date > y->date;
	return x->heap_seq < y->heap_seq;
}

static void heap_push(struct walk *wk, size_t n)
{
	size_t i;

	ALLOC_GROW(wk->heap, wk->heap_nr + 1, wk->heap_alloc);
	wk->c[n].heap_seq = wk->seq++;
	wk->c[n].flags |= C_INHEAP;
	if (!(wk->c[n].flags & C_UNINTERESTING))
		wk->interesting_in_heap++;
	i = wk->heap_nr++;
	wk->heap[i] = n;
	while (i && heap_less(wk, wk->heap[i], wk->heap[(i - 1) / 2])) {
		size_t t = wk->heap[i];

		wk->heap[i] = wk->heap[(i - 1) / 2];
		wk->heap[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static size_t heap_pop(struct walk *wk)
{
	size_t top = wk->heap[0], i = 0;

	wk->heap[0] = wk->heap[--wk->heap_nr];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < wk->heap_nr && heap_less(wk, wk->heap[l], wk->heap[m]))
			m = l;
		if (r < wk->heap_nr && heap_less(wk, wk->heap[r], wk->heap[m]))
			m = r;
		if (m == i)
			break;
		{
			size_t t = wk->heap[i];

			wk->heap[i] = wk->heap[m];
			wk->heap[m] = t;
		}
		i = m;
	}
	wk->c[top].flags &= ~(uint32_t)C_INHEAP;
	if (!(wk->c[top].flags & C_UNINTERESTING))
		wk->interesting_in_heap--;
	return top;
}

static void mark_uninteresting(struct walk *wk, size_t n)
{
	size_t *stack = NULL, nr = 0, alloc = 0;

	ALLOC_GROW(stack, nr + 1, alloc);
	stack[nr++] = n;
	while (nr) {
		size_t x = stack[--nr];

		if (wk->c[x].flags & C_UNINTERESTING)
			continue;
		wk->c[x].flags |= C_UNINTERESTING;
		if (wk->c[x].flags & C_INHEAP)
			wk->interesting_in_heap--;
		/* Already-read commits pass it on to their parents. */
		if (!(wk->c[x].flags & C_PARSED))
			continue;
		for (size_t k = 0; k < wk->c[x].parents_nr; k++) {
			size_t p =
				node(wk, &wk->parents[wk->c[x].parents_at + k]);

			ALLOC_GROW(stack, nr + 1, alloc);
			stack[nr++] = p;
		}
	}
	free(stack);
}

static int add_tip(struct walk *wk, const git_oid *id, bool hide)
{
	git_oid c = *id;
	size_t n;
	int rc = peel_commit(wk->rd, &c);

	if (rc == ERR_NOTFOUND)
		return LITE_UNSUPPORTED; /* a tree or blob: libgit2 words it */
	if (rc < 0)
		return rc;
	n = node(wk, &c);
	rc = parse(wk, n);
	if (rc < 0)
		return rc;
	if (hide)
		mark_uninteresting(wk, n);
	if (!(wk->c[n].flags & C_SEEN)) {
		wk->c[n].flags |= C_SEEN;
		heap_push(wk, n);
	}
	return 0;
}

/* The id of "<name>[~N|^N|^{commit}]...". */
static int parse_rev(struct walk *wk, const char *s, git_oid *id)
{
	const char *sfx = strpbrk(s, "~^");
	size_t base_len = sfx ? (size_t)(sfx - s) : strlen(s);
	char *base = xstrndup(s, base_len);
	int rc = 0;

	if (!*base || !strcmp(base, "@")) {
		free(base);
		base = xstrdup("HEAD");
	}
	if (strpbrk(base, ":@{}\\ *?[") || starts_with(base, "-")) {
		rc = LITE_UNSUPPORTED;
	} else if (strlen(base) == GITWALK_HEXSZ &&
		   gitwalk_hex_to_oid(id, base)) {
		rc = 0;
	} else {
		rc = gitwalk_lite_dwim_ref(wk->w, base, id);
		if (rc == ERR_NOTFOUND)
			rc = LITE_UNSUPPORTED; /* maybe an abbreviated id */
	}
	free(base);
	while (!rc && sfx && *sfx) {
		char op = *sfx++;
		long n = 1;
		size_t k;

		if (op == '^' && !strncmp(sfx, "{commit}", 8)) {
			sfx += 8;
			rc = peel_commit(wk->rd, id);
			if (rc == ERR_NOTFOUND)
				return LITE_UNSUPPORTED; /* libgit2 words it */
			continue;
		}
		if (op == '^' && *sfx == '{')
			return LITE_UNSUPPORTED;
		if (isdigit((unsigned char)*sfx)) {
			char *e;

			n = strtol(sfx, &e, 10);
			sfx = e;
			if (n < 0 || n > 1000000)
				return LITE_UNSUPPORTED;
		}
		rc = peel_commit(wk->rd, id);
		if (rc == ERR_NOTFOUND)
			return LITE_UNSUPPORTED; /* libgit2 words it */
		if (rc < 0)
			break;
		if (op == '^' && !n)
			continue;
		for (long i = 0; i < (op == '~' ? n : 1) && !rc; i++) {
			size_t want = op == '^' ? (size_t)n - 1 : 0;

			k = node(wk, id);
			rc = parse(wk, k);
			if (rc < 0)
				break;
			if (want >= wk->c[k].parents_nr)
				return LITE_UNSUPPORTED; /* libgit2 words it */
			*id = wk->parents[wk->c[k].parents_at + want];
		}
	}
	return rc;
}

struct glob_tips {
	struct walk *wk;
	bool hide;
};

static int glob_tip(const char *name, const git_oid *id, const git_oid *peeled,
		    void *data)
{
	struct glob_tips *g = data;
	git_oid c = *id;
	int rc = peel_commit(g->wk->rd, &c);

	(void)name;
	(void)peeled; /* the tip is read anyway, to be walked */
	if (rc == ERR_NOTFOUND)
		return 0; /* a ref to a tree or blob: not a commit tip */
	return rc < 0 ? rc : add_tip(g->wk, &c, g->hide);
}

static int add_glob(struct walk *wk, const char *base, const char *pat)
{
	struct strbuf g = STRBUF_INIT;
	struct glob_tips gt = { wk, wk->negate };
	int rc;

	strbuf_addstr(&g, base);
	if (pat) {
		if (*base)
			strbuf_addch(&g, '/');
		strbuf_addstr(&g, pat);
	}
	if (!starts_with(g.buf, "refs/")) {
		strbuf_reset(&g);
		strbuf_addf(&g, "refs/%s", pat ? pat : "");
	}
	if (!pat || !strpbrk(pat, "?*["))
		strbuf_addstr(&g, "/*");
	rc = gitwalk_lite_for_each_ref(wk->w, g.buf, glob_tip, &gt);
	strbuf_release(&g);
	return rc;
}

static int add_arg(struct walk *wk, const char *arg)
{
	static const struct {
		const char *opt;
		const char *base;
	} globs[] = {
		{ "--branches", "refs/heads" },
		{ "--tags", "refs/tags" },
		{ "--remotes", "refs/remotes" },
		{ "--glob", "" },
	};
	const char *dots;
	git_oid a, b;
	int rc;

	if (!strcmp(arg, "--not")) {
		wk->negate = !wk->negate;
		return 0;
	}
	if (!strcmp(arg, "--all")) {
		struct glob_tips gt = { wk, wk->negate };

		rc = gitwalk_lite_for_each_ref(wk->w, "refs/*", glob_tip, &gt);
		if (!rc && !wk->negate &&
		    !gitwalk_lite_resolve_ref(wk->w, "HEAD", &a, 0))
			rc = add_tip(wk, &a, false);
		return rc;
	}
	for (size_t i = 0; i < ARRAY_SIZE(globs); i++) {
		size_t n = strlen(globs[i].opt);

		if (strncmp(arg, globs[i].opt, n))
			continue;
		if (!arg[n] && *globs[i].base)
			return add_glob(wk, globs[i].base, NULL);
		if (arg[n] == '=' && arg[n + 1])
			return add_glob(wk, globs[i].base, arg + n + 1);
	}
	if (*arg == '-' || strstr(arg, "..."))
		return LITE_UNSUPPORTED;
	if (*arg == '^') {
		rc = parse_rev(wk, arg + 1, &a);
		return rc < 0 ? rc : add_tip(wk, &a, !wk->negate);
	}
	dots = strstr(arg, "..");
	if (!dots) {
		rc = parse_rev(wk, arg, &a);
		return rc < 0 ? rc : add_tip(wk, &a, wk->negate);
	}
	{
		char *left = xstrndup(arg, (size_t)(dots - arg));

		rc = parse_rev(wk, *left ? left : "HEAD", &a);
		free(left);
	}
	if (!rc)
		rc = parse_rev(wk, dots[2] ? dots + 2 : "HEAD", &b);
	if (!rc)
		rc = add_tip(wk, &a, !wk->negate);
	if (!rc)
		rc = add_tip(wk, &b, wk->negate);
	return rc;
}

/*
 * The interesting commits of list (date order) in topological order,
 * children before parents, newest first among those that are ready:
 * what libgit2's GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME gives, so that a
 * commit whose date is older than its parent's (clock skew) still comes
 * first.
 */
static void topo_order(struct walk *wk, const size_t *list, size_t list_nr,
		       git_oid **out, size_t *nr)
{
	size_t *indeg = xcalloc(wk->nr ? wk->nr : 1, sizeof(*indeg));
	enum { C_IN_SET = 16 };

	*out = xcalloc(list_nr ? list_nr : 1, sizeof(**out));
	for (size_t i = 0; i < list_nr; i++)
		if (!(wk->c[list[i]].flags & C_UNINTERESTING))
			wk->c[list[i]].flags |= C_IN_SET;
	/* By index, not pointer: node() may grow wk->c (it only finds
	 * here, every parent of a walked commit is known, but still). */
	for (size_t i = 0; i < list_nr; i++) {
		size_t n = list[i];

		if (!(wk->c[n].flags & C_IN_SET))
			continue;
		for (size_t k = 0; k < wk->c[n].parents_nr; k++) {
			size_t p =
				node(wk, &wk->parents[wk->c[n].parents_at + k]);

			if (wk->c[p].flags & C_IN_SET)
				indeg[p]++;
		}
	}
	/* The heap is empty after the walk: reuse it, ties by list order. */
	wk->heap_nr = 0;
	wk->seq = 0;
	for (size_t i = 0; i < list_nr; i++)
		if ((wk->c[list[i]].flags & C_IN_SET) && !indeg[list[i]])
			heap_push(wk, list[i]);
	while (wk->heap_nr) {
		size_t n = heap_pop(wk);

		git_oid_cpy(&(*out)[(*nr)++], &wk->c[n].id);
		for (size_t k = 0; k < wk->c[n].parents_nr; k++) {
			size_t p =
				node(wk, &wk->parents[wk->c[n].parents_at + k]);

			if ((wk->c[p].flags & C_IN_SET) && !--indeg[p])
				heap_push(wk, p);
		}
	}
	free(indeg);
}

int gitwalk_lite_revs(git_oid **out, size_t *nr, const struct gitwalk *w,
		      struct odb_reader *rd, const char *const *revs,
		      size_t revs_nr,
		      bool (*shallow)(const git_oid *id, void *data),
		      void *shallow_data)
{
	struct walk wk;
	size_t *list = NULL, list_nr = 0, list_alloc = 0;
	int rc = 0, slop = SLOP;

	*out = NULL;
	*nr = 0;
	if (!w->gitdir || !rd)
		return LITE_UNSUPPORTED;
	memset(&wk, 0, sizeof(wk));
	wk.w = w;
	wk.rd = rd;
	wk.shallow = shallow;
	wk.shallow_data = shallow_data;
	for (size_t i = 0; i < revs_nr && !rc; i++)
		rc = add_arg(&wk, revs[i]);
	/* git's limit_list: date order, stopping once only uninteresting
	 * commits are left (plus SLOP more, against clock skew). */
	while (!rc && wk.heap_nr) {
		size_t n = heap_pop(&wk);

		rc = parse(&wk, n);
		if (rc < 0)
			break;
		for (size_t k = 0; k < wk.c[n].parents_nr && !rc; k++) {
			size_t p =
				node(&wk, &wk.parents[wk.c[n].parents_at + k]);

			if (wk.c[n].flags & C_UNINTERESTING)
				mark_uninteresting(&wk, p);
			if (wk.c[p].flags & C_SEEN)
				continue;
			rc = parse(&wk, p);
			if (rc < 0)
				break;
			wk.c[p].flags |= C_SEEN;
			heap_push(&wk, p);
		}
		if (!(wk.c[n].flags & C_UNINTERESTING)) {
			ALLOC_GROW(list, list_nr + 1, list_alloc);
			list[list_nr++] = n;
		}
		if (!wk.interesting_in_heap) {
			if (--slop <= 0)
				break;
		} else {
			slop = SLOP;
		}
	}
	if (!rc)
		topo_order(&wk, list, list_nr, out, nr);
	free(list);
	free(wk.c);
	oidmap_release(&wk.index);
	free(wk.parents);
	free(wk.heap);
	return rc;
}
