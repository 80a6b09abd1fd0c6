/* SPDX-License-Identifier: MIT */
/*
 * The commit walk without libgit2 (see lite-discover.c): the lite
 * backend of the revision front end (rev.h) over our refs and src/odb,
 * and git's limit_list and topological order over the commits.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/gitwalk.h"
#include "slugguard/odb.h"
#include "slugguard/oidmap.h"
#include "commit-cache.h"
#include "gitwalk-internal.h"
#include "lite.h"
#include "rev.h"

#include <unistd.h>

/* git's limit_list goes on this many commits past the point where
 * everything queued is uninteresting, against clock skew. */
#define SLOP 5

/* A commit's graph row: none (no graph, or newer than it). */
#define NO_ROW UINT32_MAX

struct lcommit {
	git_oid id; /* set when C_ID: a row's id is read only if needed */
	int64_t date;
	uint32_t flags;
	uint32_t row; /* its commit-graph row, or NO_ROW */
	size_t parents_at, parents_nr; /* into walk.parents */
	size_t heap_seq;
};

enum {
	C_SEEN = 1,
	C_UNINTERESTING = 2,
	C_PARSED = 4,
	C_INHEAP = 8,
	C_IN_SET = 16, /* topo_order()'s */
	C_ID = 32,
};

/* Graph row -> place in walk.c: open addressing, at most half full. */
struct rowmap {
	uint32_t *keys; /* row + 1; 0 is empty */
	size_t *vals;
	size_t nr, alloc;
};

struct walk {
	struct odb_reader *rd;
	struct lcommit *c;
	size_t nr, alloc;
	struct oidmap index; /* id -> its place in c[] */
	struct rowmap rows; /* graph row -> its place in c[] */
	size_t *parents; /* places in c[] */
	size_t parents_nr, parents_alloc;
	size_t *heap;
	size_t heap_nr, heap_alloc, seq;
	size_t interesting_in_heap;
	/* The caller's shallow boundary (walk.c reads that file once). */
	bool (*shallow)(const git_oid *id, void *data);
	void *shallow_data;
	/* The repository's commit-graph, NULL when it has none. */
	struct odb_graph *graph;
	/* The commits earlier walks read (commit-cache.c), or NULL when
	 * turned off. */
	struct ccache *cc;
	/*
	 * With a cache that has commits, the graph is opened only when the
	 * cache misses one (graph_lazy): its pages cost more on a small push
	 * than the cache's one. Commits are then known by id alone (no rows),
	 * so that those met before it opened are the same nodes after.
	 */
	bool graph_lazy, graph_tried;
	const struct gitwalk *w;
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

/* ---- the lite backend of the revision front end ------------------------ */

static int lite_name(const struct rev_source *src, const char *name,
		     git_oid *out)
{
	int rc = gitwalk_lite_dwim_ref(src->w, name, out);

	/* Maybe an abbreviated id: libgit2 knows. */
	return rc == ERR_NOTFOUND ? LITE_UNSUPPORTED : rc;
}

static int lite_read(const struct rev_source *src, const git_oid *id,
		     enum odb_type *type, struct strbuf *out)
{
	const unsigned char *data;
	size_t len;
	int rc = odb_read(src->rd, id->id, 0, type, &data, &len);

	strbuf_reset(out);
	if (rc == ERR_FAIL)
		return damaged(id);
	if (rc < 0)
		return LITE_UNSUPPORTED; /* not in our store: ask libgit2 */
	strbuf_add(out, data, len);
	return 0;
}

static int lite_refs(const struct rev_source *src, const char *glob,
		     rev_ref_fn fn, void *data)
{
	return gitwalk_lite_for_each_ref(src->w, glob, fn, data);
}

/* No expressions beyond the simple grammar, no merge bases: libgit2. */
const struct rev_backend gitwalk_rev_lite = {
	lite_name, NULL, lite_read, lite_refs, NULL,
};

/* ---- the walk ----------------------------------------------------------- */

static size_t row_slot(const struct rowmap *m, uint32_t row)
{
	size_t j = (size_t)(((uint64_t)row * 0x9e3779b97f4a7c15ull) >> 32) &
		   (m->alloc - 1);

	while (m->keys[j] && m->keys[j] != row + 1)
		j = (j + 1) & (m->alloc - 1);
	return j;
}

/* Find row, or insert it with *val; true (and *val set) when present. */
static bool rowmap_put(struct rowmap *m, uint32_t row, size_t *val)
{
	size_t j;

	if (2 * (m->nr + 1) > m->alloc) {
		struct rowmap old = *m;

		m->alloc = old.alloc ? 2 * old.alloc : 64;
		m->keys = xcalloc(m->alloc, sizeof(*m->keys));
		m->vals = xcalloc(m->alloc, sizeof(*m->vals));
		for (size_t i = 0; i < old.alloc; i++) {
			if (!old.keys[i])
				continue;
			j = row_slot(m, old.keys[i] - 1);
			m->keys[j] = old.keys[i];
			m->vals[j] = old.vals[i];
		}
		free(old.keys);
		free(old.vals);
	}
	j = row_slot(m, row);
	if (m->keys[j]) {
		*val = m->vals[j];
		return true;
	}
	m->keys[j] = row + 1;
	m->vals[j] = *val;
	m->nr++;
	return false;
}

static size_t new_node(struct walk *wk, uint32_t row)
{
	ALLOC_GROW(wk->c, wk->nr + 1, wk->alloc);
	memset(&wk->c[wk->nr], 0, sizeof(wk->c[wk->nr]));
	wk->c[wk->nr].row = row;
	return wk->nr++;
}

/*
 * The place of id in wk->c, added (unread) when new. With a graph, a
 * commit is known by its row as well (node_at_row() knows it by that
 * alone): an id first looks for its row, so that the two meet.
 */
static size_t node(struct walk *wk, const git_oid *id)
{
	uint32_t row = NO_ROW;
	size_t n;

	if (oidmap_get(&wk->index, id->id, &n))
		return n;
	n = wk->nr;
	/* Known by its row already, or new (then put under both keys). */
	if (!wk->graph || wk->graph_lazy ||
	    !odb_graph_find(wk->graph, id->id, &row) ||
	    !rowmap_put(&wk->rows, row, &n))
		n = new_node(wk, row);
	git_oid_cpy(&wk->c[n].id, id);
	wk->c[n].flags |= C_ID;
	oidmap_put(&wk->index, id->id, &n);
	return n;
}

/*
 * The place of the commit in graph row row, added when new. Its id is
 * not read (another row of the graph's id table, a cache miss per
 * commit of a walk that mostly needs none): commit_id() reads it.
 */
static size_t node_at_row(struct walk *wk, uint32_t row)
{
	size_t n = wk->nr;

	if (rowmap_put(&wk->rows, row, &n))
		return n;
	return new_node(wk, row);
}

static const git_oid *commit_id(struct walk *wk, size_t n)
{
	if (!(wk->c[n].flags & C_ID)) {
		memcpy(wk->c[n].id.id, odb_graph_id(wk->graph, wk->c[n].row),
		       ODB_RAWSZ);
		wk->c[n].flags |= C_ID;
	}
	return &wk->c[n].id;
}

static bool is_shallow(const struct walk *wk, const git_oid *id)
{
	return wk->shallow && wk->shallow(id, wk->shallow_data);
}

/* The next parent of the commit being parsed (its parents_at set). */
static void push_parent(struct walk *wk, size_t p)
{
	ALLOC_GROW(wk->parents, wk->parents_nr + 1, wk->parents_alloc);
	wk->parents[wk->parents_nr++] = p;
}

/* Most commits have one or two parents; more are read from the object. */
#define GRAPH_PARENTS 16

/* The parents of commit n as raw ids, for the commit cache. */
static void cache_commit(struct walk *wk, size_t n, size_t np)
{
	unsigned char raw[GRAPH_PARENTS * GIT_OID_RAWSZ];

	/* full: a long walk reads no more ids for it */
	if (!ccache_wants(wk->cc) || np > GRAPH_PARENTS)
		return;
	for (size_t k = 0; k < np; k++)
		memcpy(raw + k * GIT_OID_RAWSZ,
		       commit_id(wk, wk->parents[wk->c[n].parents_at + k])->id,
		       GIT_OID_RAWSZ);
	ccache_add(wk->cc, commit_id(wk, n)->id, wk->c[n].date, raw, np);
}

/*
 * Commit n's date and parents from the commit-graph: 0, ERR_NOTFOUND
 * when the commit has more parents than a row read here holds (a large
 * octopus), or an error for a damaged graph. No shallow check: the
 * graph is not opened in a shallow repository (open_graph()).
 */
static int parse_graph(struct walk *wk, size_t n, uint32_t row)
{
	uint32_t parents[GRAPH_PARENTS];
	size_t np = 0;
	int rc;

	rc = odb_graph_commit(wk->graph, row, &wk->c[n].date, parents,
			      GRAPH_PARENTS, &np);
	if (rc == ERR_FAIL) {
		char hex[GITWALK_HEXSZ + 1];

		git_oid_tostr(hex, sizeof(hex), commit_id(wk, n));
		return error_set("damaged commit-graph: commit %s points "
				 "outside it; run 'git commit-graph write "
				 "--reachable' or remove it",
				 hex);
	}
	if (rc < 0)
		return rc;
	/* node_at_row() may move wk->c: n is an index, not a pointer */
	wk->c[n].parents_at = wk->parents_nr;
	for (size_t k = 0; k < np; k++) {
		size_t p;

		if (wk->graph_lazy) {
			git_oid pid;

			memcpy(pid.id, odb_graph_id(wk->graph, parents[k]),
			       GIT_OID_RAWSZ);
			p = node(wk, &pid);
		} else {
			p = node_at_row(wk, parents[k]);
		}
		push_parent(wk, p);
	}
	wk->c[n].parents_nr = np;
	wk->c[n].flags |= C_PARSED;
	cache_commit(wk, n, np);
	return 0;
}

static bool env_off(const char *name)
{
	const char *off = getenv(name);

	return off && *off && strcmp(off, "0");
}

/* Whether the repository is a shallow clone (it has a shallow file). */
static bool shallow_repo(const struct gitwalk *w)
{
	struct strbuf path = STRBUF_INIT;
	bool yes;

	strbuf_addf(&path, "%sshallow", gitwalk_commondir(w));
	yes = !access(path.buf, F_OK);
	strbuf_release(&path);
	return yes;
}

/*
 * The main object directory's commit-graph, as git reads it: not in a
 * shallow repository (git turns the graph off there too: its parents
 * reach past the boundary); SLUGGUARD_NO_GRAPH=1 turns it off for tests
 * and benchmarks. No graph is no error; a damaged one is (git would
 * walk the same damage silently).
 */
static int open_graph(struct odb_graph **out, const struct gitwalk *w)
{
	struct strbuf path = STRBUF_INIT;
	int rc;

	*out = NULL;
	if (env_off("SLUGGUARD_NO_GRAPH") || shallow_repo(w))
		return 0;
	strbuf_addf(&path, "%sobjects", gitwalk_commondir(w));
	rc = odb_graph_open(out, path.buf);
	strbuf_release(&path);
	return rc == ERR_NOTFOUND ? 0 : rc;
}

/* Commit n's date and parents from the commit cache; false when it does
 * not have them. */
static bool parse_cached(struct walk *wk, size_t n)
{
	const unsigned char *raw;
	size_t np;
	int64_t date;
	git_oid pid;

	if (!ccache_get(wk->cc, wk->c[n].id.id, &date, &raw, &np))
		return false;
	wk->c[n].parents_at = wk->parents_nr;
	for (size_t k = 0; k < np; k++) {
		size_t pn;

		memcpy(pid.id, raw + k * GIT_OID_RAWSZ, GIT_OID_RAWSZ);
		pn = node(wk, &pid);
		push_parent(wk, pn);
	}
	wk->c[n].date = date;
	wk->c[n].parents_nr = is_shallow(wk, &wk->c[n].id) ? 0 : np;
	wk->c[n].flags |= C_PARSED;
	return true;
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
	if (wk->c[n].row != NO_ROW) {
		rc = parse_graph(wk, n, wk->c[n].row);
		if (rc != ERR_NOTFOUND)
			return rc;
	}
	if (wk->cc && parse_cached(wk, n))
		return 0;
	if (wk->graph_lazy) {
		uint32_t row;

		if (!wk->graph_tried) {
			wk->graph_tried = true;
			rc = open_graph(&wk->graph, wk->w);
			if (rc < 0)
				return rc;
		}
		if (wk->graph &&
		    odb_graph_find(wk->graph, wk->c[n].id.id, &row)) {
			rc = parse_graph(wk, n, row);
			if (rc != ERR_NOTFOUND)
				return rc;
		}
	}
	rc = odb_read_once(wk->rd, commit_id(wk, n)->id, &type, &data, &len);
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
		size_t pn;

		if (!gitwalk_hex_to_oid(&pid, p + 7))
			return LITE_UNSUPPORTED;
		/* data stays valid: node() reads no object */
		pn = node(wk, &pid);
		push_parent(wk, pn);
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
	cache_commit(wk, n, np);
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
			ALLOC_GROW(stack, nr + 1, alloc);
			stack[nr++] = wk->parents[wk->c[x].parents_at + k];
		}
	}
	free(stack);
}

/* Start (or, hidden, stop) the walk at commit id. */
static int add_tip(struct walk *wk, const git_oid *id, bool hide)
{
	size_t n = node(wk, id);
	int rc = parse(wk, n);

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

	*out = xcalloc(list_nr ? list_nr : 1, sizeof(**out));
	for (size_t i = 0; i < list_nr; i++)
		if (!(wk->c[list[i]].flags & C_UNINTERESTING))
			wk->c[list[i]].flags |= C_IN_SET;
	for (size_t i = 0; i < list_nr; i++) {
		size_t n = list[i];

		if (!(wk->c[n].flags & C_IN_SET))
			continue;
		for (size_t k = 0; k < wk->c[n].parents_nr; k++) {
			size_t p = wk->parents[wk->c[n].parents_at + k];

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

		git_oid_cpy(&(*out)[(*nr)++], commit_id(wk, n));
		for (size_t k = 0; k < wk->c[n].parents_nr; k++) {
			size_t p = wk->parents[wk->c[n].parents_at + k];

			if ((wk->c[p].flags & C_IN_SET) && !--indeg[p])
				heap_push(wk, p);
		}
	}
	free(indeg);
}

static void walk_release(struct walk *wk)
{
	ccache_free(wk->cc);
	free(wk->c);
	oidmap_release(&wk->index);
	free(wk->rows.keys);
	free(wk->rows.vals);
	free(wk->parents);
	free(wk->heap);
	odb_graph_free(wk->graph);
}

int gitwalk_lite_revs(git_oid **out, size_t *nr, const struct gitwalk *w,
		      struct odb_reader *rd, const char *const *revs,
		      size_t revs_nr,
		      bool (*shallow)(const git_oid *id, void *data),
		      void *shallow_data)
{
	struct rev_source src;
	struct rev_tips tips = { NULL, 0, 0 };
	struct walk wk;
	size_t *list = NULL, list_nr = 0, list_alloc = 0;
	int rc = 0, slop = SLOP;

	*out = NULL;
	*nr = 0;
	if (!w->gitdir || !rd)
		return LITE_UNSUPPORTED;
	memset(&src, 0, sizeof(src));
	src.be = &gitwalk_rev_lite;
	src.w = w;
	src.rd = rd;
	src.shallow = shallow;
	src.shallow_data = shallow_data;
	memset(&wk, 0, sizeof(wk));
	wk.rd = rd;
	wk.shallow = shallow;
	wk.shallow_data = shallow_data;
	wk.w = w;
	if (!env_off("SLUGGUARD_NO_COMMIT_CACHE"))
		wk.cc = ccache_open(gitwalk_commondir(w));
	wk.graph_lazy = ccache_has_commits(wk.cc);
	if (!wk.graph_lazy)
		rc = open_graph(&wk.graph, w);
	if (!rc)
		rc = gitwalk_rev_parse(&tips, &src, revs, revs_nr);
	for (size_t i = 0; i < tips.nr && !rc; i++)
		rc = add_tip(&wk, &tips.v[i].id, tips.v[i].hide);
	/* git's limit_list: date order, stopping once only uninteresting
	 * commits are left (plus SLOP more, against clock skew). */
	while (!rc && wk.heap_nr) {
		size_t n = heap_pop(&wk);

		rc = parse(&wk, n);
		if (rc < 0)
			break;
		for (size_t k = 0; k < wk.c[n].parents_nr && !rc; k++) {
			size_t p = wk.parents[wk.c[n].parents_at + k];

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
	/* A cache that cannot be written (a read-only repository) is no
	 * error: the next walk reads the objects again. */
	if (!rc && ccache_save(wk.cc, false) < 0)
		error_clear();
	gitwalk_rev_tips_release(&tips);
	free(list);
	walk_release(&wk);
	return rc;
}

int gitwalk_prime_commits(const struct gitwalk *w, size_t *nr)
{
	struct rev_source src;
	struct rev_tips tips = { NULL, 0, 0 };
	const char *const all[] = { "--all" };
	struct walk wk;
	int rc = 0;

	*nr = 0;
	memset(&wk, 0, sizeof(wk));
	wk.rd = gitwalk_reader(w);
	wk.w = w;
	/* a shallow clone's walk would run into its boundary: left alone */
	if (!w->gitdir || !wk.rd || env_off("SLUGGUARD_NO_COMMIT_CACHE") ||
	    shallow_repo(w))
		goto out;
	memset(&src, 0, sizeof(src));
	src.be = &gitwalk_rev_lite;
	src.w = w;
	src.rd = wk.rd;
	wk.cc = ccache_open(gitwalk_commondir(w));
	rc = open_graph(&wk.graph, w);
	if (!rc)
		rc = gitwalk_rev_parse(&tips, &src, all, 1);
	for (size_t i = 0; i < tips.nr && !rc; i++)
		rc = add_tip(&wk, &tips.v[i].id, false);
	/* Date order from every ref, as a push's walk meets them, until the
	 * cache is full; what cannot be read ends the walk, not the call. */
	while (!rc && wk.heap_nr && ccache_wants(wk.cc)) {
		size_t n = heap_pop(&wk);

		for (size_t k = 0; k < wk.c[n].parents_nr && !rc; k++) {
			size_t p = wk.parents[wk.c[n].parents_at + k];

			if (wk.c[p].flags & C_SEEN)
				continue;
			rc = parse(&wk, p);
			wk.c[p].flags |= C_SEEN;
			heap_push(&wk, p);
		}
	}
	if (rc == LITE_UNSUPPORTED || rc == ERR_NOTFOUND) {
		error_clear();
		rc = 0;
	}
	*nr = ccache_added(wk.cc);
	if (!rc)
		rc = ccache_save(wk.cc, true);
out:
	gitwalk_rev_tips_release(&tips);
	walk_release(&wk);
	return rc;
}
