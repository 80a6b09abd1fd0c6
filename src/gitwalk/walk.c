/* SPDX-License-Identifier: MIT */
/*
 * History enumeration for the scanner: walk commits, compare trees with
 * the parents' trees by object id (equal subtrees are never opened), and
 * hand every unique blob once to worker threads. No line diffs: the scan
 * module decides attribution only for the few blobs that hold findings.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/gitwalk.h"
#include "slugguard/fs.h"
#include "slugguard/odb.h"
#include "gitwalk-internal.h"

#include <pthread.h>

#define NO_COMMIT UINT32_MAX
#define WALK_CHUNK 32
/* Below this many commits more threads are not worth their start-up. */
#define INLINE_COMMITS 64

/* Open-addressing map from object id to a number. */
struct oidmap {
	git_oid *keys;
	size_t *vals;
	unsigned char *used;
	size_t nr, alloc; /* alloc is 0 or a power of two */
};

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

/* One walking thread: its own repository handle and its own records. */
struct walker {
	struct gitwalk_hist *h;
	unsigned idx;
	git_repository *repo; /* borrowed (gitwalk_repo) for walker 0; NULL
				 until needed */
	git_odb *odb;
	struct odb_reader *rd; /* our reader, NULL when unavailable */
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
	size_t next; /* next commit to hand out */
	size_t done; /* commits finished */
	int failed; /* first negative code */
	struct error_saved err; /* with its message, from whichever thread */
};

static uint64_t oid_hash(const git_oid *id)
{
	uint64_t v;

	memcpy(&v, id->id, sizeof(v));
	return v;
}

static void oidmap_grow(struct oidmap *m)
{
	struct oidmap n = { NULL, NULL, NULL, 0, 0 };

	n.alloc = m->alloc ? m->alloc * 2 : 1024;
	n.keys = xcalloc(n.alloc, sizeof(*n.keys));
	n.vals = xcalloc(n.alloc, sizeof(*n.vals));
	n.used = xcalloc(n.alloc, 1);
	for (size_t i = 0; i < m->alloc; i++) {
		size_t j;

		if (!m->used[i])
			continue;
		j = oid_hash(&m->keys[i]) & (n.alloc - 1);
		while (n.used[j])
			j = (j + 1) & (n.alloc - 1);
		n.used[j] = 1;
		git_oid_cpy(&n.keys[j], &m->keys[i]);
		n.vals[j] = m->vals[i];
	}
	n.nr = m->nr;
	free(m->keys);
	free(m->vals);
	free(m->used);
	*m = n;
}

/* Find id; when absent and val is not NULL... insert *val. Returns true
 * when found (then *val holds the stored number). */
static bool oidmap_get_or_put(struct oidmap *m, const git_oid *id, size_t *val,
			      bool put)
{
	size_t j;

	if (put && (m->nr + 1) * 2 > m->alloc)
		oidmap_grow(m);
	if (!m->alloc)
		return false;
	j = oid_hash(id) & (m->alloc - 1);
	while (m->used[j]) {
		if (git_oid_equal(&m->keys[j], id)) {
			*val = m->vals[j];
			return true;
		}
		j = (j + 1) & (m->alloc - 1);
	}
	if (put) {
		m->used[j] = 1;
		git_oid_cpy(&m->keys[j], id);
		m->vals[j] = *val;
		m->nr++;
	}
	return false;
}

static void oidmap_release(struct oidmap *m)
{
	free(m->keys);
	free(m->vals);
	free(m->used);
	memset(m, 0, sizeof(*m));
}

static uint64_t str_hash(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static const char *pathset_intern(struct pathset *ps, const char *s, size_t len)
{
	size_t j;

	if ((ps->nr + 1) * 2 > ps->alloc) {
		size_t alloc = ps->alloc ? ps->alloc * 2 : 1024;
		char **keys = xcalloc(alloc, sizeof(*keys));

		for (size_t i = 0; i < ps->alloc; i++) {
			if (!ps->keys[i])
				continue;
			j = str_hash(ps->keys[i], strlen(ps->keys[i])) &
			    (alloc - 1);
			while (keys[j])
				j = (j + 1) & (alloc - 1);
			keys[j] = ps->keys[i];
		}
		free(ps->keys);
		ps->keys = keys;
		ps->alloc = alloc;
	}
	j = str_hash(s, len) & (ps->alloc - 1);
	while (ps->keys[j]) {
		if (!strncmp(ps->keys[j], s, len) && !ps->keys[j][len])
			return ps->keys[j];
		j = (j + 1) & (ps->alloc - 1);
	}
	ps->keys[j] = xstrndup(s, len);
	ps->nr++;
	return ps->keys[j];
}

static void pathset_release(struct pathset *ps)
{
	for (size_t i = 0; i < ps->alloc; i++)
		free(ps->keys[i]);
	free(ps->keys);
	memset(ps, 0, sizeof(*ps));
}

static void note_missing(struct gitwalk_hist *h, const git_oid *id)
{
	char hex[GITWALK_HEXSZ + 1];
	size_t one = 1;

	pthread_mutex_lock(&h->lock);
	if (!oidmap_get_or_put(&h->missing_set, id, &one, true)) {
		git_oid_tostr(hex, sizeof(hex), id);
		strvec_push(&h->missing, hex);
	}
	pthread_mutex_unlock(&h->lock);
}

static void set_failed(struct gitwalk_hist *h, int rc)
{
	pthread_mutex_lock(&h->lock);
	if (!h->failed)
		h->failed = rc;
	error_save(&h->err, rc);
	pthread_mutex_unlock(&h->lock);
}

/*
 * libgit2 for this walker, on first need (an object odb cannot read):
 * walker 0 borrows the main handle, the others open their own. Under the
 * lock, since the first call may start libgit2 itself.
 */
static int walker_git2(struct walker *wk)
{
	struct gitwalk_hist *h = wk->h;
	git_repository *main_repo = NULL;
	int rc;

	pthread_mutex_lock(&h->lock);
	/* Never gitwalk_repo() here: it dies, and this may be a worker. */
	rc = gitwalk_git2(&main_repo, h->w);
	if (!rc && !wk->idx) {
		wk->repo = main_repo;
	} else if (!rc) {
		rc = git_repository_open_ext(
			&wk->repo, git_repository_commondir(main_repo),
			GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
		if (rc < 0) {
			wk->repo = NULL;
			rc = gitwalk_error(rc, "opening repository");
		} else {
			rc = gitwalk_add_quarantine(wk->repo);
		}
	}
	if (!rc) {
		rc = git_repository_odb(&wk->odb, wk->repo);
		if (rc < 0)
			rc = gitwalk_error(rc, "opening object database");
	}
	pthread_mutex_unlock(&h->lock);
	if (rc < 0)
		set_failed(h, rc);
	return rc < 0 ? ERR_FAIL : 0;
}

/*
 * Read object id as raw bytes into out (reset first): through our own
 * reader when there is one (fast, large cache), else, or when it cannot
 * answer, through libgit2. The object must be of type want. With max,
 * a larger object is not read: *too_big is set instead.
 */
static int read_raw(struct walker *wk, const git_oid *id, enum odb_type want,
		    size_t max, struct strbuf *out, bool *too_big)
{
	git_odb_object *obj = NULL;
	size_t len;
	int rc;

	strbuf_reset(out);
	if (too_big)
		*too_big = false;
	if (wk->rd) {
		const unsigned char *data = NULL;
		enum odb_type type;

		rc = odb_read(wk->rd, id->id, max, &type, &data, &len);
		if (!rc && !data && max && len > max) {
			*too_big = true;
			return 0;
		}
		if (!rc && type == want) {
			strbuf_add(out, data, len);
			return 0;
		}
		if (!rc)
			return ERR_NOTFOUND; /* not what the tree said */
		/*
		 * Found in a pack index but unreadable: the pack is damaged.
		 * Skip it as missing; libgit2 1.5 can crash on such packs
		 * (seen with a corrupt index), so it is not asked.
		 */
		if (rc == ERR_FAIL) {
			note_missing(wk->h, id);
			return ERR_NOTFOUND;
		}
	}
	if (!wk->odb && walker_git2(wk) < 0)
		return ERR_FAIL;
	rc = git_odb_read(&obj, wk->odb, id);
	if (rc < 0) {
		git_error_clear();
		note_missing(wk->h, id);
		return ERR_NOTFOUND;
	}
	len = git_odb_object_size(obj);
	if ((int)git_odb_object_type(obj) != (int)want) {
		rc = ERR_NOTFOUND;
	} else if (max && len > max) {
		*too_big = true;
	} else {
		strbuf_add(out, git_odb_object_data(obj), len);
	}
	git_odb_object_free(obj);
	return rc;
}

static void count_oversized(struct gitwalk_hist *h)
{
	pthread_mutex_lock(&h->lock);
	h->oversized++;
	pthread_mutex_unlock(&h->lock);
}

/* Read one blob and hand it to ops->blob() on this walker's thread. */
static int scan_blob(struct walker *wk, size_t blob, const git_oid *id,
		     const char *path)
{
	struct gitwalk_hist *h = wk->h;
	const struct gitwalk_scan_ops *ops = h->ops;
	bool too_big = false;

	/*
	 * Straight from our reader's cache, no copy: the callback is done
	 * with the bytes before this walker reads another object.
	 */
	if (wk->rd) {
		const unsigned char *data = NULL;
		enum odb_type type;
		size_t len;
		int rc = odb_read(wk->rd, id->id, ops->max_blob_size, &type,
				  &data, &len);

		if (!rc && !data && ops->max_blob_size &&
		    len > ops->max_blob_size) {
			count_oversized(h);
			return 0;
		}
		if (!rc && type == ODB_BLOB)
			return ops->blob(ops->data, wk->idx, blob, path,
					 (const char *)data, len);
		if (rc == ERR_FAIL) {
			note_missing(h, id); /* damaged: see read_raw() */
			return 0;
		}
	}
	/* A partial or damaged clone: read_raw skips it and says so once. */
	if (read_raw(wk, id, ODB_BLOB, ops->max_blob_size, &wk->blob,
		     &too_big) < 0)
		return 0;
	if (too_big) {
		count_oversized(h);
		return 0;
	}
	return ops->blob(ops->data, wk->idx, blob, path, wk->blob.buf,
			 wk->blob.len);
}

/* Record (commit, path, blob) with the parents' versions pe[0..np). */
static int add_change(struct walker *wk, uint32_t commit, const char *path,
		      size_t path_len, const git_oid *id,
		      const git_oid *const *pe, size_t np)
{
	struct gitwalk_hist *h = wk->h;
	struct change *c;
	size_t blob;
	const char *ipath = pathset_intern(&wk->paths, path, path_len);
	bool seen;

	pthread_mutex_lock(&h->lock);
	blob = h->blobs.nr;
	seen = oidmap_get_or_put(&h->blobs, id, &blob, true);
	pthread_mutex_unlock(&h->lock);
	ALLOC_GROW(wk->changes, wk->changes_nr + 1, wk->changes_alloc);
	c = &wk->changes[wk->changes_nr];
	c->seq = wk->changes_nr++;
	c->commit = commit;
	c->path = ipath;
	c->blob = blob;
	c->parents_nr = (uint32_t)np;
	c->parents_at = wk->poids_nr;
	ALLOC_GROW(wk->poids, wk->poids_nr + np, wk->poids_alloc);
	for (size_t k = 0; k < np; k++) {
		if (pe[k])
			git_oid_cpy(&wk->poids[wk->poids_nr], pe[k]);
		else
			memset(&wk->poids[wk->poids_nr], 0, sizeof(git_oid));
		wk->poids_nr++;
	}
	/* The first walker to meet a blob reads and scans it, at once. */
	if (seen)
		return 0;
	return scan_blob(wk, blob, id, ipath);
}

static bool is_blob_mode(git_filemode_t m)
{
	return m == GIT_FILEMODE_BLOB || m == GIT_FILEMODE_BLOB_EXECUTABLE;
}

/* Git's canonical modes: old trees hold 100664 and the like. */
static enum tmode canon_mode(unsigned m)
{
	switch (m & 0170000) {
	case 0040000:
		return TM_TREE;
	case 0100000:
		return TM_BLOB;
	default:
		return TM_OTHER; /* symlinks, submodules */
	}
}

/*
 * Load tree id into t (its raw bytes and its parsed entries). Entries
 * point into t->raw. A tree we cannot read or parse is noted as missing
 * and fails with ERR_NOTFOUND.
 */
static int tree_parse(struct ptree *t);

static int load_tree(struct walker *wk, const git_oid *id, struct ptree *t)
{
	t->nr = 0;
	if (read_raw(wk, id, ODB_TREE, 0, &t->raw, NULL) < 0)
		return ERR_NOTFOUND;
	if (tree_parse(t) < 0) {
		note_missing(wk->h, id);
		return ERR_NOTFOUND;
	}
	return 0;
}

/* Parse t->raw into t->e; ERR_NOTFOUND when it is not a tree. */
static int tree_parse(struct ptree *t)
{
	size_t pos = 0;

	t->nr = 0;
	while (pos < t->raw.len) {
		const char *p = t->raw.buf + pos,
			   *end = t->raw.buf + t->raw.len;
		const char *sp = memchr(p, ' ', (size_t)(end - p));
		const char *nul = sp ? memchr(sp, '\0', (size_t)(end - sp)) :
				       NULL;
		unsigned mode = 0;
		struct tentry *e;

		if (!sp || !nul || (size_t)(end - nul) < 1 + GIT_OID_RAWSZ ||
		    nul == sp + 1)
			return ERR_NOTFOUND;
		for (const char *q = p; q < sp && mode < 01000000; q++)
			mode = mode * 8 + (unsigned)(*q - '0') % 8; /* digits
								       0-7 */
		ALLOC_GROW(t->e, t->nr + 1, t->alloc);
		e = &t->e[t->nr++];
		e->name = sp + 1;
		e->namelen = (size_t)(nul - sp - 1);
		e->mode = canon_mode(mode);
		e->id = (const unsigned char *)nul + 1;
		pos = (size_t)(nul + 1 + GIT_OID_RAWSZ - t->raw.buf);
	}
	return 0;
}

/* Git's tree order: a directory sorts as if its name ended in '/'. */
static int tentry_cmp(const struct tentry *a, const struct tentry *b)
{
	size_t n = a->namelen < b->namelen ? a->namelen : b->namelen;
	int c = memcmp(a->name, b->name, n);
	unsigned ca, cb;

	if (c)
		return c;
	ca = n < a->namelen	? (unsigned char)a->name[n] :
	     a->mode == TM_TREE ? '/' :
				  0;
	cb = n < b->namelen	? (unsigned char)b->name[n] :
	     b->mode == TM_TREE ? '/' :
				  0;
	return (int)ca - (int)cb;
}

/* The trees of one recursion level: [0] the commit's, [1..] parents'. */
static struct ptree *level_trees(struct walker *wk, size_t depth, size_t n)
{
	if (depth >= wk->levels_nr) {
		size_t old = wk->levels_nr;

		ALLOC_GROW(wk->levels, depth + 1, wk->levels_alloc);
		for (size_t i = old; i < wk->levels_alloc; i++)
			memset(&wk->levels[i], 0, sizeof(wk->levels[i]));
		wk->levels_nr = depth + 1;
	}
	if (wk->levels[depth].nr < n) {
		struct level *l = &wk->levels[depth];

		l->t = xrealloc(l->t, st_mult(n, sizeof(*l->t)));
		for (size_t i = l->nr; i < n; i++) {
			memset(&l->t[i], 0, sizeof(l->t[i]));
			strbuf_init(&l->t[i].raw, 0);
		}
		l->nr = n;
	}
	return wk->levels[depth].t;
}

/*
 * Remember a blob the commit deleted (every blob under a deleted
 * directory, too), so that a file that moved keeps its history: a secret
 * it already held is not new where it lands. Only single-parent commits;
 * a merge compares each path with its parents anyway.
 */
static void note_deleted(struct walker *wk, const struct tentry *e,
			 size_t depth)
{
	if (wk->dels_nr >= MAX_DELETED || depth > MAX_TREE_DEPTH)
		return;
	if (e->mode == TM_BLOB) {
		struct deleted *d;

		ALLOC_GROW(wk->dels, wk->dels_nr + 1, wk->dels_alloc);
		d = &wk->dels[wk->dels_nr++];
		d->name_at = wk->del_names.len;
		d->name_len = e->namelen;
		strbuf_add(&wk->del_names, e->name, e->namelen);
		memcpy(d->id.id, e->id, GIT_OID_RAWSZ);
	} else if (e->mode == TM_TREE) {
		/* Its own buffer: the caller's trees must stay intact. */
		struct ptree sub;
		git_oid id;

		memcpy(id.id, e->id, GIT_OID_RAWSZ);
		memset(&sub, 0, sizeof(sub));
		strbuf_init(&sub.raw, 0);
		if (!load_tree(wk, &id, &sub))
			for (size_t i = 0; i < sub.nr; i++)
				note_deleted(wk, &sub.e[i], depth + 1);
		strbuf_release(&sub.raw);
		free(sub.e);
	}
}

static const char *base_name(const char *path, size_t *len)
{
	const char *slash = strrchr(path, '/');
	const char *b = slash ? slash + 1 : path;

	*len = strlen(b);
	return b;
}

/*
 * Give each file this commit added (no version in its one parent) the
 * deleted blob of the same base name as its "parent version", or the
 * only deleted blob when there is just one: a rename or move. The
 * attribution then sees the secret was already there.
 */
static void pair_moves(struct walker *wk, size_t first)
{
	for (size_t i = first; i < wk->changes_nr && wk->dels_nr; i++) {
		struct change *c = &wk->changes[i];
		git_oid *pv = &wk->poids[c->parents_at];
		const struct deleted *hit = NULL;
		size_t blen;
		const char *b;

		if (c->parents_nr != 1 || !git_oid_is_zero(pv))
			continue;
		b = base_name(c->path, &blen);
		for (size_t j = 0; j < wk->dels_nr && !hit; j++)
			if (wk->dels[j].name_len == blen &&
			    !memcmp(wk->del_names.buf + wk->dels[j].name_at, b,
				    blen))
				hit = &wk->dels[j];
		if (!hit && wk->dels_nr == 1)
			hit = &wk->dels[0];
		if (hit)
			git_oid_cpy(pv, &hit->id);
	}
}

/*
 * Compare tree t (under wk->path) with the parents' trees ps[0..np)
 * (NULL: absent). Entries are matched by a merge in git's tree order. A
 * subtree equal to the same subtree of ANY parent holds nothing new and
 * is skipped without being read.
 */
static int diff_trees(struct walker *wk, uint32_t commit, size_t depth,
		      const struct ptree *t, const struct ptree *const *ps,
		      size_t np)
{
	size_t cur_small[4], *cur = cur_small;
	const struct tentry *pe_small[4], **pe = pe_small;
	git_oid poid_small[4], *poid = poid_small;
	const git_oid *pid_small[4], **pid = pid_small;
	const struct ptree *sps_small[4], **sps = sps_small;
	size_t base = wk->path.len;
	int rc = 0;

	if (depth > MAX_TREE_DEPTH)
		return 0; /* a tree cycle in a forged repository */
	if (np > ARRAY_SIZE(cur_small)) {
		cur = xcalloc(np, sizeof(*cur));
		pe = xcalloc(np, sizeof(*pe));
		poid = xcalloc(np, sizeof(*poid));
		pid = xcalloc(np, sizeof(*pid));
		sps = xcalloc(np, sizeof(*sps));
	}
	for (size_t k = 0; k < np; k++)
		cur[k] = 0;
	for (size_t i = 0; i < t->nr && !rc; i++) {
		const struct tentry *e = &t->e[i];
		bool same = false;
		git_oid id;

		for (size_t k = 0; k < np; k++) {
			const struct ptree *p = ps[k];
			int c = 1;

			pe[k] = NULL;
			while (p && cur[k] < p->nr &&
			       (c = tentry_cmp(&p->e[cur[k]], e)) < 0) {
				if (np == 1)
					note_deleted(wk, &p->e[cur[k]], depth);
				cur[k]++;
			}
			/* Matched: step past it, it is not a deletion. */
			if (p && cur[k] < p->nr && !c)
				pe[k] = &p->e[cur[k]++];
			if (pe[k] && pe[k]->mode == e->mode &&
			    !memcmp(pe[k]->id, e->id, GIT_OID_RAWSZ))
				same = true;
		}
		if (same || e->mode == TM_OTHER)
			continue;
		memcpy(id.id, e->id, GIT_OID_RAWSZ);
		strbuf_setlen(&wk->path, base);
		strbuf_add(&wk->path, e->name, e->namelen);
		if (e->mode == TM_TREE) {
			struct ptree *lv = level_trees(wk, depth + 1, np + 1);

			if (load_tree(wk, &id, &lv[0]) < 0)
				continue;
			for (size_t k = 0; k < np; k++) {
				sps[k] = NULL;
				if (pe[k] && pe[k]->mode == TM_TREE) {
					memcpy(poid[k].id, pe[k]->id,
					       GIT_OID_RAWSZ);
					if (!load_tree(wk, &poid[k],
						       &lv[k + 1]))
						sps[k] = &lv[k + 1];
				}
			}
			strbuf_addch(&wk->path, '/');
			rc = diff_trees(wk, commit, depth + 1, &lv[0], sps, np);
		} else {
			for (size_t k = 0; k < np; k++) {
				pid[k] = NULL;
				if (pe[k] && pe[k]->mode == TM_BLOB) {
					memcpy(poid[k].id, pe[k]->id,
					       GIT_OID_RAWSZ);
					pid[k] = &poid[k];
				}
			}
			rc = add_change(wk, commit, wk->path.buf, wk->path.len,
					&id, pid, np);
		}
	}
	/* What the parent has past our last entry was deleted too. */
	for (size_t j = cur[0]; np == 1 && ps[0] && !rc && j < ps[0]->nr; j++)
		note_deleted(wk, &ps[0]->e[j], depth);
	strbuf_setlen(&wk->path, base);
	if (cur != cur_small) {
		free(sps);
		free(pid);
		free(poid);
		free(pe);
		free(cur);
	}
	return rc;
}

static int call_message(struct gitwalk_hist *h, unsigned thread, size_t commit,
			const char *label, const char *msg, size_t len)
{
	const struct gitwalk_scan_ops *ops = h->ops;

	if (!ops->message || !msg)
		return 0;
	return ops->message(ops->data, thread, h->hex[commit], commit, label,
			    msg, len);
}

/*
 * Parse a raw commit: its tree, its parents (appended to parents) and
 * where its message starts (after the header's blank line, leading
 * newlines skipped, as libgit2 and git log show it).
 */
static int parse_commit(const struct strbuf *raw, git_oid *tree,
			git_oid **parents, size_t *np, size_t *alloc,
			size_t *msg_at)
{
	const char *p = raw->buf, *end = raw->buf + raw->len;

	*np = 0;
	*msg_at = raw->len;
	if (raw->len < 46 || memcmp(p, "tree ", 5) || p[45] != '\n' ||
	    !gitwalk_hex_to_oid(tree, p + 5))
		return ERR_FAIL;
	p += 46;
	while (end - p >= 48 && !memcmp(p, "parent ", 7) && p[47] == '\n') {
		ALLOC_GROW(*parents, *np + 1, *alloc);
		if (!gitwalk_hex_to_oid(&(*parents)[*np], p + 7))
			return ERR_FAIL;
		(*np)++;
		p += 48;
	}
	/* The rest of the header ends at the first empty line. */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl) {
			p = end;
			break;
		}
		if (nl == p) {
			p++;
			break;
		}
		p = nl + 1;
	}
	while (p < end && *p == '\n')
		p++;
	*msg_at = (size_t)(p - raw->buf);
	return 0;
}

static int walk_commit(struct walker *wk, uint32_t idx)
{
	struct gitwalk_hist *h = wk->h;
	const git_oid *id = &h->ids[idx];
	git_oid tree_id, ptree_id;
	size_t np = 0, pnp = 0, msg_at, nil = 0, first;
	struct ptree *lv;
	const struct ptree *ps_small[4], **ps = ps_small;
	int rc;

	if (read_raw(wk, id, ODB_COMMIT, 0, &wk->commit, NULL) < 0)
		return 0;
	if (parse_commit(&wk->commit, &tree_id, &wk->parents, &np,
			 &wk->parents_alloc, &msg_at) < 0) {
		note_missing(h, id);
		return 0;
	}
	rc = call_message(h, wk->idx, idx, "(commit message)",
			  wk->commit.buf + msg_at, wk->commit.len - msg_at);
	if (rc < 0)
		return rc;
	/* A shallow clone's boundary: its parents are not there. */
	if (oidmap_get_or_put(&h->shallow, id, &nil, false))
		np = 0;
	lv = level_trees(wk, 0, np + 1);
	if (load_tree(wk, &tree_id, &lv[0]) < 0)
		return 0;
	if (np > ARRAY_SIZE(ps_small))
		ps = xcalloc(np, sizeof(*ps));
	for (size_t k = 0; k < np; k++) {
		/*
		 * A parent we cannot read (shallow boundary, damaged clone)
		 * counts as absent: we would rather report a line twice
		 * than miss one.
		 */
		ps[k] = NULL;
		if (read_raw(wk, &wk->parents[k], ODB_COMMIT, 0, &wk->scratch,
			     NULL) < 0 ||
		    parse_commit(&wk->scratch, &ptree_id, &wk->pp, &pnp,
				 &wk->pp_alloc, &msg_at) < 0)
			continue;
		if (!load_tree(wk, &ptree_id, &lv[k + 1]))
			ps[k] = &lv[k + 1];
	}
	first = wk->changes_nr;
	wk->dels_nr = 0;
	strbuf_setlen(&wk->del_names, 0);
	rc = diff_trees(wk, idx, 0, &lv[0], ps, np);
	if (!rc && np == 1)
		pair_moves(wk, first);
	if (ps != ps_small)
		free(ps);
	return rc;
}

/* Hand out commits in small consecutive chunks: a commit's parent is
 * usually the next one, so its trees are still in this walker's cache. */
static bool next_chunk(struct gitwalk_hist *h, size_t *from, size_t *to)
{
	bool ok;

	pthread_mutex_lock(&h->lock);
	ok = !h->failed && h->next < h->commits_nr;
	if (ok) {
		*from = h->next;
		h->next += WALK_CHUNK;
		if (h->next > h->commits_nr)
			h->next = h->commits_nr;
		*to = h->next;
	}
	pthread_mutex_unlock(&h->lock);
	return ok;
}

static void *walker_main(void *arg)
{
	struct walker *wk = arg;
	struct gitwalk_hist *h = wk->h;
	const struct gitwalk_scan_ops *ops = h->ops;
	size_t from, to, done;
	int rc = 0;

	while (!rc && next_chunk(h, &from, &to)) {
		for (size_t i = from; i < to && !rc; i++)
			rc = walk_commit(wk, (uint32_t)i);
		pthread_mutex_lock(&h->lock);
		h->done += to - from;
		done = h->done;
		pthread_mutex_unlock(&h->lock);
		if (!wk->idx && ops->progress)
			ops->progress(ops->data, done, h->commits_nr);
	}
	if (rc < 0)
		set_failed(h, rc);
	return NULL;
}

static int open_walker(struct walker *wk, struct gitwalk_hist *h, unsigned i)
{
	wk->h = h;
	wk->idx = i;
	strbuf_init(&wk->path, 256);
	strbuf_init(&wk->blob, 0);
	strbuf_init(&wk->commit, 0);
	strbuf_init(&wk->scratch, 0);
	strbuf_init(&wk->del_names, 0);
	/* Without our reader, libgit2 reads everything: open it now. */
	if (!h->db)
		return walker_git2(wk);
	if (h->db)
		wk->rd = odb_reader_new(h->db, 0);
	return 0;
}

static void close_walker(struct walker *wk)
{
	odb_reader_free(wk->rd);
	strbuf_release(&wk->blob);
	strbuf_release(&wk->commit);
	strbuf_release(&wk->scratch);
	free(wk->parents);
	free(wk->pp);
	for (size_t i = 0; i < wk->levels_nr; i++) {
		for (size_t j = 0; j < wk->levels[i].nr; j++) {
			strbuf_release(&wk->levels[i].t[j].raw);
			free(wk->levels[i].t[j].e);
		}
		free(wk->levels[i].t);
	}
	free(wk->levels);
	free(wk->dels);
	strbuf_release(&wk->del_names);
	git_odb_free(wk->odb);
	if (wk->idx && wk->repo)
		git_repository_free(wk->repo);
	free(wk->changes);
	free(wk->poids);
	pathset_release(&wk->paths);
	strbuf_release(&wk->path);
}

static int cmp_change(const void *a, const void *b)
{
	const struct change *x = a, *y = b;

	if (x->commit != y->commit)
		return x->commit < y->commit ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Concatenate the walkers' records in walk order. */
static void merge_walkers(struct gitwalk_hist *h)
{
	size_t nr = 0, pnr = 0;

	for (unsigned i = 0; i < h->walkers_nr; i++) {
		nr += h->walkers[i].changes_nr;
		pnr += h->walkers[i].poids_nr;
	}
	h->changes = xcalloc(nr ? nr : 1, sizeof(*h->changes));
	h->poids = xcalloc(pnr ? pnr : 1, sizeof(*h->poids));
	for (unsigned i = 0; i < h->walkers_nr; i++) {
		struct walker *wk = &h->walkers[i];

		for (size_t j = 0; j < wk->changes_nr; j++) {
			struct change c = wk->changes[j];

			c.parents_at += h->poids_nr;
			h->changes[h->changes_nr++] = c;
		}
		if (wk->poids_nr)
			memcpy(h->poids + h->poids_nr, wk->poids,
			       wk->poids_nr * sizeof(*wk->poids));
		h->poids_nr += wk->poids_nr;
		free(wk->changes);
		wk->changes = NULL;
		free(wk->poids);
		wk->poids = NULL;
	}
	qsort(h->changes, h->changes_nr, sizeof(*h->changes), cmp_change);
}

/* Run the walkers: the calling thread is walker 0. */
static int run_walkers(struct gitwalk_hist *h, unsigned n)
{
	int rc = 0;

	h->walkers = xcalloc(n, sizeof(*h->walkers));
	h->walkers_nr = n;
	for (unsigned i = 0; i < n && !rc; i++)
		rc = open_walker(&h->walkers[i], h, i);
	for (unsigned i = 1; i < n && !rc; i++) {
		if (pthread_create(&h->walkers[i].tid, NULL, walker_main,
				   &h->walkers[i]))
			rc = error_set("cannot start a scan thread");
		else
			h->walkers[i].started = true;
	}
	if (rc < 0)
		set_failed(h, rc);
	walker_main(&h->walkers[0]);
	for (unsigned i = 1; i < n; i++)
		if (h->walkers[i].started)
			pthread_join(h->walkers[i].tid, NULL);
	merge_walkers(h);
	/* Whichever walker failed first, its message is now this thread's. */
	return error_restore(&h->err);
}

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

struct tag_scan {
	struct gitwalk_hist *h;
	struct odb_reader *rd;
	struct strbuf label, msg;
};

/* One tag ref: an annotated tag whose commit is in the range. */
static int tag_lite(const char *name, const git_oid *id, void *data)
{
	struct tag_scan *ts = data;
	const unsigned char *buf;
	enum odb_type type;
	git_oid target;
	size_t len, idx;
	const char *p, *end, *body;

	/* Unreadable tags are skipped, as scan_tags() does. */
	if (odb_read(ts->rd, id->id, 0, &type, &buf, &len) < 0)
		return 0;
	if (type != ODB_TAG)
		return 0; /* a lightweight tag: no message */
	/* Copy: peeling reads more objects through the same reader. */
	strbuf_reset(&ts->msg);
	strbuf_add(&ts->msg, buf, len);
	p = ts->msg.buf;
	end = p + ts->msg.len;
	target = *id;
	for (int depth = 0;; depth++) {
		const unsigned char *tb;
		size_t tl;

		if (odb_read(ts->rd, target.id, 0, &type, &tb, &tl) < 0)
			return 0;
		if (type == ODB_COMMIT)
			break;
		if (type != ODB_TAG || depth > 16 || tl < 7 + GITWALK_HEXSZ ||
		    memcmp(tb, "object ", 7) ||
		    !gitwalk_hex_to_oid(&target, (const char *)tb + 7))
			return 0;
	}
	if (!oidmap_get_or_put(&ts->h->commit_set, &target, &idx, false))
		return 0;
	/* The message follows the header's first empty line. */
	body = end;
	for (const char *q = p; q < end; q++)
		if (*q == '\n' && q + 1 < end && q[1] == '\n') {
			body = q + 2;
			break;
		}
	strbuf_reset(&ts->label);
	strbuf_addf(&ts->label, "(tag %s)", name);
	return call_message(ts->h, 0, idx, ts->label.buf, body,
			    (size_t)(end - body));
}

static int scan_tags_lite(struct gitwalk_hist *h)
{
	struct tag_scan ts = { h, gitwalk_reader(h->w), STRBUF_INIT,
			       STRBUF_INIT };
	int rc = ts.rd ? gitwalk_lite_tags(h->w, tag_lite, &ts) :
			 LITE_UNSUPPORTED;

	strbuf_release(&ts.label);
	strbuf_release(&ts.msg);
	return rc;
}

static int scan_tags(struct gitwalk_hist *h)
{
	git_repository *repo = gitwalk_repo(h->w);
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL;
	struct strbuf label = STRBUF_INIT;
	int rc = 0, grc;

	grc = git_reference_iterator_glob_new(&it, repo, "refs/tags/*");
	if (grc < 0)
		return gitwalk_error(grc, "listing tags");
	while (!rc && !(grc = git_reference_next(&ref, it))) {
		git_object *peeled = NULL;
		git_tag *tag = NULL;
		const git_oid *target = git_reference_target(ref);
		size_t idx;

		/* Only annotated tags whose commit is in the range. */
		if (target &&
		    !git_reference_peel(&peeled, ref, GIT_OBJECT_COMMIT) &&
		    oidmap_get_or_put(&h->commit_set, git_object_id(peeled),
				      &idx, false) &&
		    !git_tag_lookup(&tag, repo, target)) {
			const char *msg = git_tag_message(tag);

			strbuf_reset(&label);
			strbuf_addf(&label, "(tag %s)",
				    git_reference_shorthand(ref));
			rc = call_message(h, 0, idx, label.buf, msg,
					  msg ? strlen(msg) : 0);
		}
		git_error_clear();
		git_tag_free(tag);
		git_object_free(peeled);
		git_reference_free(ref);
		ref = NULL;
	}
	if (!rc && grc < 0 && grc != GIT_ITEROVER)
		rc = gitwalk_error(grc, "listing tags");
	git_reference_iterator_free(it);
	strbuf_release(&label);
	return rc;
}

/* The shallow boundary: commits whose parents we must not look for. */
static void load_shallow(struct oidmap *set, const struct gitwalk *w)
{
	struct strbuf path = STRBUF_INIT, sb = STRBUF_INIT;
	size_t pos = 0, one = 1;

	strbuf_addf(&path, "%sshallow", gitwalk_commondir(w));
	if (fs_read_capped(&sb, path.buf, 64 * 1024 * 1024) < 0)
		error_clear();
	while (pos + GITWALK_HEXSZ <= sb.len) {
		git_oid id;

		if (gitwalk_hex_to_oid(&id, sb.buf + pos))
			oidmap_get_or_put(set, &id, &one, true);
		while (pos < sb.len && sb.buf[pos] != '\n')
			pos++;
		pos++;
	}
	strbuf_release(&sb);
	strbuf_release(&path);
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

static struct gitwalk_hist *hist_new(struct gitwalk *w,
				     const struct gitwalk_scan_ops *ops)
{
	struct gitwalk_hist *h = xcalloc(1, sizeof(*h));

	h->w = w;
	h->ops = ops;
	strvec_init(&h->missing);
	pthread_mutex_init(&h->lock, NULL);
	h->db = gitwalk_db(w);
	load_shallow(&h->shallow, w);
	return h;
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
static int shallow_walk(struct gitwalk_hist *h, struct revset *rs)
{
	struct oidmap shallow = { NULL, NULL, NULL, 0, 0 };
	struct oidmap seen[2] = { { NULL, NULL, NULL, 0, 0 },
				  { NULL, NULL, NULL, 0, 0 } };
	struct dated *out = NULL;
	size_t out_nr = 0, out_alloc = 0, ids_alloc = 0;
	git_oid *stack = NULL;
	size_t stack_nr = 0, stack_alloc = 0;

	load_shallow(&shallow, h->w);
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

			if (oidmap_get_or_put(&seen[0], &id, &v, false) ||
			    oidmap_get_or_put(&seen[pass], &id, &v, true))
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
			np = oidmap_get_or_put(&shallow, &id, &v, false) ?
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
		ALLOC_GROW(h->ids, h->commits_nr + 1, ids_alloc);
		git_oid_cpy(&h->ids[h->commits_nr++], &out[i].id);
	}
	free(out);
	free(stack);
	oidmap_release(&seen[0]);
	oidmap_release(&seen[1]);
	oidmap_release(&shallow);
	return 0;
}

/* For the lite walk: the boundary hist_new() already read. */
static bool hist_is_shallow(const git_oid *id, void *data)
{
	struct gitwalk_hist *h = data;
	size_t v;

	return oidmap_get_or_put(&h->shallow, id, &v, false);
}

int gitwalk_hist_revs(struct gitwalk_hist **out, struct gitwalk *w,
		      const char *const *revs, size_t revs_nr,
		      const struct gitwalk_scan_ops *ops)
{
	struct gitwalk_hist *h = NULL;
	struct revset rs;
	size_t ids_alloc = 0;
	bool negate = false, lite = false;
	unsigned n;
	git_oid id;
	int rc;

	*out = NULL;
	memset(&rs, 0, sizeof(rs));
	h = hist_new(w, ops);
	/* Our own refs and walk first; libgit2 for what they cannot do. */
	rc = gitwalk_lite_revs(&h->ids, &h->commits_nr, w, gitwalk_reader(w),
			       revs, revs_nr, hist_is_shallow, h);
	if (!rc) {
		lite = true;
		goto walk;
	}
	if (rc != LITE_UNSUPPORTED)
		goto out;
	free(h->ids);
	h->ids = NULL;
	h->commits_nr = 0;
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
		rc = shallow_walk(h, &rs);
	} else {
		while (!(rc = git_revwalk_next(&id, rs.rw))) {
			ALLOC_GROW(h->ids, h->commits_nr + 1, ids_alloc);
			git_oid_cpy(&h->ids[h->commits_nr++], &id);
		}
		if (rc != GIT_ITEROVER) {
			rc = gitwalk_error(rc, "walking revisions");
			goto out;
		}
		rc = 0;
	}
walk:
	h->hex = xcalloc(h->commits_nr ? h->commits_nr : 1, sizeof(*h->hex));
	for (size_t i = 0; i < h->commits_nr; i++) {
		git_oid_tostr(h->hex[i], GITWALK_HEXSZ + 1, &h->ids[i]);
		oidmap_get_or_put(&h->commit_set, &h->ids[i], &i, true);
	}
	n = h->commits_nr >= INLINE_COMMITS && ops->threads > 1 ? ops->threads :
								  1;
	rc = run_walkers(h, n);
	if (!rc && h->commits_nr && lite)
		rc = scan_tags_lite(h);
	if (rc == LITE_UNSUPPORTED || (!rc && h->commits_nr && !lite))
		rc = scan_tags(h);
out:
	if (!rc) {
		*out = h;
		h = NULL;
	}
	git_revwalk_free(rs.rw);
	free(rs.oids);
	free(rs.hidden);
	gitwalk_hist_free(h);
	return rc;
}

int gitwalk_hist_staged(struct gitwalk_hist **out, struct gitwalk *w,
			const struct gitwalk_scan_ops *ops)
{
	struct gitwalk_hist *h = NULL;
	struct walker *wk;
	git_index *idx = NULL;
	git_object *head = NULL;
	git_tree *tree = NULL;
	int rc;

	*out = NULL;
	h = hist_new(w, ops);
	h->walkers = xcalloc(1, sizeof(*h->walkers));
	h->walkers_nr = 1;
	wk = &h->walkers[0];
	rc = gitwalk_db_check(w);
	if (!rc)
		rc = open_walker(wk, h, 0);
	if (rc < 0)
		goto out;
	rc = git_repository_index(&idx, gitwalk_repo(w));
	if (rc < 0) {
		rc = gitwalk_error(rc, "reading the index");
		goto out;
	}
	/* An unborn HEAD (first commit) compares with nothing. */
	if (!git_revparse_single(&head, gitwalk_repo(w), "HEAD^{tree}"))
		tree = (git_tree *)head;
	git_error_clear();
	for (size_t i = 0; i < git_index_entrycount(idx) && !rc; i++) {
		const git_index_entry *e = git_index_get_byindex(idx, i);
		git_tree_entry *te = NULL;
		const git_oid *pid = NULL;

		if (git_index_entry_stage(e) || !is_blob_mode(e->mode) ||
		    (e->flags_extended & GIT_INDEX_ENTRY_INTENT_TO_ADD))
			continue;
		if (tree && !git_tree_entry_bypath(&te, tree, e->path)) {
			if (git_oid_equal(git_tree_entry_id(te), &e->id)) {
				git_tree_entry_free(te);
				continue;
			}
			if (is_blob_mode(git_tree_entry_filemode(te)))
				pid = git_tree_entry_id(te);
		}
		git_error_clear();
		rc = add_change(wk, NO_COMMIT, e->path, strlen(e->path), &e->id,
				&pid, 1);
		git_tree_entry_free(te);
	}
	merge_walkers(h);
out:
	if (!rc) {
		*out = h;
		h = NULL;
	}
	git_object_free(head);
	git_index_free(idx);
	gitwalk_hist_free(h);
	return rc;
}

void gitwalk_hist_free(struct gitwalk_hist *h)
{
	if (!h)
		return;
	for (unsigned i = 0; i < h->walkers_nr; i++)
		close_walker(&h->walkers[i]);
	free(h->walkers);
	pthread_mutex_destroy(&h->lock);
	free(h->ids);
	free(h->hex);
	free(h->changes);
	free(h->poids);
	oidmap_release(&h->blobs);
	oidmap_release(&h->commit_set);
	oidmap_release(&h->missing_set);
	oidmap_release(&h->shallow);
	strvec_clear(&h->missing);
	free(h->err.msg);
	free(h);
}

size_t gitwalk_hist_commits(const struct gitwalk_hist *h)
{
	return h->commits_nr;
}

size_t gitwalk_hist_changes(const struct gitwalk_hist *h)
{
	return h->changes_nr;
}

void gitwalk_hist_change(const struct gitwalk_hist *h, size_t i,
			 struct gitwalk_change *out)
{
	const struct change *c = &h->changes[i];

	out->commit = c->commit == NO_COMMIT ? NULL : h->hex[c->commit];
	out->commit_index = c->commit == NO_COMMIT ? 0 : c->commit;
	out->path = c->path;
	out->blob = c->blob;
	out->parents_nr = c->parents_nr;
}

int gitwalk_hist_read_parent(struct gitwalk_hist *h, size_t i, size_t k,
			     struct strbuf *out)
{
	const struct change *c = &h->changes[i];
	const git_oid *id;
	struct odb_reader *rd;
	git_odb *odb = NULL;
	git_odb_object *obj = NULL;
	int rc;

	strbuf_reset(out);
	if (k >= c->parents_nr)
		return ERR_NOTFOUND;
	id = &h->poids[c->parents_at + k];
	if (git_oid_is_zero(id))
		return ERR_NOTFOUND;
	rd = gitwalk_reader(h->w);
	if (rd) {
		const unsigned char *data;
		enum odb_type type;
		size_t len;

		if (!odb_read(rd, id->id, 0, &type, &data, &len) &&
		    type == ODB_BLOB) {
			strbuf_add(out, data, len);
			return 0;
		}
	}
	rc = git_repository_odb(&odb, gitwalk_repo(h->w));
	if (rc < 0)
		return gitwalk_error(rc, "opening object database");
	rc = git_odb_read(&obj, odb, id);
	if (rc < 0) {
		git_error_clear();
		note_missing(h, id);
		rc = ERR_NOTFOUND;
	} else {
		strbuf_add(out, git_odb_object_data(obj),
			   git_odb_object_size(obj));
	}
	git_odb_object_free(obj);
	git_odb_free(odb);
	return rc;
}

size_t gitwalk_hist_oversized(const struct gitwalk_hist *h)
{
	return h->oversized;
}

const struct strvec *gitwalk_hist_missing(const struct gitwalk_hist *h)
{
	return &h->missing;
}

/* "author Name <email> 1700000000 +0100" of a raw commit, parsed. */
/* Far beyond any real date, and small enough that adding a time zone
 * offset cannot overflow. */
#define MAX_DATE ((int64_t)1 << 50)

static bool parse_author(const char *buf, size_t len, struct strbuf *who,
			 int64_t *when, int *off)
{
	const char *end = buf + len, *p = buf, *lt, *gt, *q;
	long tz;
	char *e;

	while (p < end && *p != '\n') {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			return false;
		if (!strncmp(p, "author ", 7)) {
			p += 7;
			lt = memchr(p, '<', (size_t)(nl - p));
			gt = lt ? memchr(lt, '>', (size_t)(nl - lt)) : NULL;
			if (!gt)
				return false;
			for (q = lt; q > p && q[-1] == ' ';)
				q--;
			strbuf_add(who, p, (size_t)(q - p));
			strbuf_addstr(who, " <");
			strbuf_add(who, lt + 1, (size_t)(gt - lt - 1));
			strbuf_addch(who, '>');
			*when = strtoll(gt + 1, &e, 10);
			tz = strtol(e, NULL, 10);
			/* "+HHMM": anything longer is forged (and labs() of
			 * LONG_MIN, or the date sum below, would overflow). */
			if (tz < -9999 || tz > 9999 || *when > MAX_DATE ||
			    *when < -MAX_DATE)
				return false;
			*off = (int)((tz < 0 ? -1 : 1) *
				     ((labs(tz) / 100) * 60 + labs(tz) % 100));
			return true;
		}
		p = nl + 1;
	}
	return false;
}

int gitwalk_commit_meta(struct gitwalk *w, const char *hex,
			struct strbuf *author, struct strbuf *date)
{
	struct odb_reader *rd = gitwalk_reader(w);
	git_commit *c = NULL;
	const git_signature *sig;
	const unsigned char *data;
	enum odb_type type;
	size_t len;
	int64_t when = 0;
	git_oid id;
	struct tm tm;
	time_t t;
	int off = 0, rc;

	strbuf_reset(author);
	strbuf_reset(date);
	if (strlen(hex) != GITWALK_HEXSZ || !gitwalk_hex_to_oid(&id, hex))
		return error_set("reading commit: '%s' is not an id", hex);
	/* Our reader first: no libgit2 for a finding's author line. */
	if (!rd || odb_read(rd, id.id, 0, &type, &data, &len) < 0 ||
	    type != ODB_COMMIT ||
	    !parse_author((const char *)data, len, author, &when, &off)) {
		strbuf_reset(author);
		rc = git_commit_lookup(&c, gitwalk_repo(w), &id);
		if (rc < 0)
			return gitwalk_error(rc, "reading commit");
		sig = git_commit_author(c);
		strbuf_addf(author, "%s <%s>", sig->name ? sig->name : "",
			    sig->email ? sig->email : "");
		off = sig->when.offset;
		when = sig->when.time;
		git_commit_free(c);
	}
	/* libgit2's values are not bounded either. */
	if (when > MAX_DATE || when < -MAX_DATE || off > 6000 || off < -6000)
		return 0;
	t = (time_t)when + (time_t)off * 60;
	if (gmtime_r(&t, &tm)) {
		strbuf_addf(date, "%04d-%02d-%02dT%02d:%02d:%02d",
			    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			    tm.tm_hour, tm.tm_min, tm.tm_sec);
		if (!off)
			strbuf_addch(date, 'Z');
		else
			strbuf_addf(date, "%c%02d:%02d", off < 0 ? '-' : '+',
				    abs(off) / 60, abs(off) % 60);
	}
	return 0;
}

int gitwalk_parse_raw(const char *buf, size_t len, struct strbuf *out)
{
	struct ptree t = { STRBUF_INIT, NULL, 0, 0 };
	git_oid tree, *parents = NULL;
	size_t np = 0, alloc = 0, msg_at = 0;
	int64_t when = 0;
	int off = 0, rc;

	strbuf_add(&t.raw, buf, len);
	rc = tree_parse(&t);
	strbuf_addf(out, "tree %d %zu\n", rc, t.nr);
	rc = parse_commit(&t.raw, &tree, &parents, &np, &alloc, &msg_at);
	strbuf_addf(out, "commit %d %zu %zu\n", rc, np, msg_at);
	/* Objects come NUL-terminated from odb and libgit2; so does raw. */
	if (parse_author(t.raw.buf, t.raw.len, out, &when, &off)) {
		struct tm tm;
		time_t tt = (time_t)when + (time_t)off * 60;

		if (gmtime_r(&tt, &tm))
			strbuf_addf(out, " %d", tm.tm_year);
	}
	free(parents);
	free(t.e);
	strbuf_release(&t.raw);
	return 0;
}
