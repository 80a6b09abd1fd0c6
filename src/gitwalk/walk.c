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
#include "slugguard/oidmap.h"
#include "gitwalk-internal.h"
#include "hist.h"

#include <pthread.h>
#include <unistd.h>

#define WALK_CHUNK 32
/* Below this many commits more threads are not worth their start-up. */
#define INLINE_COMMITS 64
/* All walkers' object caches together: a sixteenth of the memory, at
 * most CACHE_TOTAL_MAX, at least CACHE_MIN each. */
#define CACHE_TOTAL_MAX ((size_t)384 << 20)
#define CACHE_MIN ((size_t)32 << 20)

/*
 * The object cache of one of n walkers. It was 256 MiB per thread
 * whatever the machine: with the pack's mapped pages on top, `scan --all`
 * on git.git peaked at 1.0 to 1.5 GB on two threads. Shared out of one
 * budget sized to the machine, it stays under 1 GiB there.
 */
static size_t walker_cache(unsigned n)
{
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	size_t total = CACHE_TOTAL_MAX, each;

	if (pages > 0 && page > 0 &&
	    (uint64_t)pages * (uint64_t)page / 16 < total)
		total = (size_t)((uint64_t)pages * (uint64_t)page / 16);
	each = total / (n ? n : 1);
	return each < CACHE_MIN ? CACHE_MIN : each;
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

void gitwalk_note_missing(struct gitwalk_hist *h, const git_oid *id)
{
	char hex[GITWALK_HEXSZ + 1];
	size_t one = 1;

	pthread_mutex_lock(&h->lock);
	if (!oidmap_put(&h->missing_set, id->id, &one)) {
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
int gitwalk_read_raw(struct walker *wk, const git_oid *id, enum odb_type want,
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
			gitwalk_note_missing(wk->h, id);
			return ERR_NOTFOUND;
		}
	}
	if (!wk->odb && walker_git2(wk) < 0)
		return ERR_FAIL;
	rc = git_odb_read(&obj, wk->odb, id);
	if (rc < 0) {
		git_error_clear();
		gitwalk_note_missing(wk->h, id);
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

/*
 * The version base of the blob at this path in a parent, read beside the
 * blob (both held in our reader's cache, no copy): the scanner then looks
 * for keywords only around where the two differ. The blob is recorded as
 * partial, for changes of the same blob against other versions.
 */
static int scan_with_base(struct walker *wk, size_t blob, const git_oid *id,
			  const git_oid *base, const char *path,
			  const unsigned char *data, size_t len)
{
	struct gitwalk_hist *h = wk->h;
	const struct gitwalk_scan_ops *ops = h->ops;
	const unsigned char *bdata = NULL;
	enum odb_type type;
	size_t blen = 0;
	int rc;

	odb_hold(wk->rd);
	rc = odb_read(wk->rd, base->id, ops->max_blob_size, &type, &bdata,
		      &blen);
	if (rc < 0 || !bdata || type != ODB_BLOB) {
		/* no usable base (missing, too big): the blob whole */
		rc = ops->blob(ops->data, wk->idx, blob, path,
			       (const char *)data, len, NULL, 0);
		goto out;
	}
	rc = ops->blob(ops->data, wk->idx, blob, path, (const char *)data, len,
		       (const char *)bdata, blen);
	if (rc != GITWALK_BESIDE)
		goto out; /* an error, or matched whole after all (binary) */
	ALLOC_GROW(wk->partial, wk->partial_nr + 1, wk->partial_alloc);
	wk->partial[wk->partial_nr].blob = blob;
	wk->partial[wk->partial_nr].path = path;
	git_oid_cpy(&wk->partial[wk->partial_nr].id, id);
	git_oid_cpy(&wk->partial[wk->partial_nr].base, base);
	wk->partial_nr++;
	rc = 0;
out:
	odb_unhold(wk->rd);
	return rc;
}

/*
 * Read one blob and hand it to ops->blob() on this walker's thread, with
 * base (a parent's version, or NULL) when our reader can hold both.
 */
static int scan_blob(struct walker *wk, size_t blob, const git_oid *id,
		     const git_oid *base, const char *path)
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
		if (!rc && type == ODB_BLOB && base && !h->whole &&
		    ops->want_base && ops->want_base(ops->data, wk->idx))
			return scan_with_base(wk, blob, id, base, path, data,
					      len);
		if (!rc && type == ODB_BLOB)
			return ops->blob(ops->data, wk->idx, blob, path,
					 (const char *)data, len, NULL, 0);
		if (rc == ERR_FAIL) {
			gitwalk_note_missing(h, id); /* damaged: see
							gitwalk_read_raw() */
			return 0;
		}
	}
	/* A partial or damaged clone: gitwalk_read_raw skips it and says so
	 * once. */
	if (gitwalk_read_raw(wk, id, ODB_BLOB, ops->max_blob_size, &wk->blob,
			     &too_big) < 0)
		return 0;
	if (too_big) {
		count_oversized(h);
		return 0;
	}
	return ops->blob(ops->data, wk->idx, blob, path, wk->blob.buf,
			 wk->blob.len, NULL, 0);
}

/* Record (commit, path, blob) with the parents' versions pe[0..np). */
int gitwalk_add_change(struct walker *wk, uint32_t commit, const char *path,
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
	seen = oidmap_put(&h->blobs, id->id, &blob);
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
	for (size_t k = 0; k < np; k++)
		if (pe[k])
			return scan_blob(wk, blob, id, pe[k], ipath);
	return scan_blob(wk, blob, id, NULL, ipath);
}

static bool is_blob_mode(git_filemode_t m)
{
	return m == GIT_FILEMODE_BLOB || m == GIT_FILEMODE_BLOB_EXECUTABLE;
}

int gitwalk_call_message(struct gitwalk_hist *h, unsigned thread, size_t commit,
			 const char *label, const char *msg, size_t len)
{
	const struct gitwalk_scan_ops *ops = h->ops;

	if (!ops->message || !msg)
		return 0;
	return ops->message(ops->data, thread, h->hex[commit], commit, label,
			    msg, len);
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

	if (gitwalk_read_raw(wk, id, ODB_COMMIT, 0, &wk->commit, NULL) < 0)
		return 0;
	if (gitwalk_parse_commit(&wk->commit, &tree_id, &wk->parents, &np,
				 &wk->parents_alloc, &msg_at) < 0) {
		gitwalk_note_missing(h, id);
		return 0;
	}
	rc = gitwalk_call_message(h, wk->idx, idx, "(commit message)",
				  wk->commit.buf + msg_at,
				  wk->commit.len - msg_at);
	if (rc < 0)
		return rc;
	/* A shallow clone's boundary: its parents are not there. */
	if (oidmap_get(&h->shallow, id->id, &nil))
		np = 0;
	lv = gitwalk_tree_levels(wk, 0, np + 1);
	if (gitwalk_tree_load_slot(wk, 0, 0, &tree_id) < 0)
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
		if (gitwalk_read_raw(wk, &wk->parents[k], ODB_COMMIT, 0,
				     &wk->scratch, NULL) < 0 ||
		    gitwalk_parse_commit(&wk->scratch, &ptree_id, &wk->pp, &pnp,
					 &wk->pp_alloc, &msg_at) < 0)
			continue;
		if (!gitwalk_tree_load_slot(wk, 0, k + 1, &ptree_id))
			ps[k] = &lv[k + 1];
	}
	first = wk->changes_nr;
	wk->dels_nr = 0;
	strbuf_setlen(&wk->del_names, 0);
	rc = gitwalk_tree_diff(wk, idx, 0, &lv[0], ps, np);
	if (!rc && np == 1)
		gitwalk_pair_moves(wk, first);
	if (ps != ps_small)
		free(ps);
	return rc;
}

/*
 * Hand out commits in small consecutive chunks, each walker from its own
 * stretch of the history: a commit's parent is usually the next one, so
 * its trees are still in this walker's cache, and the versions of a file
 * that one delta chain serves stay with one walker. Chunks dealt from
 * one shared cursor, walker after walker, made both walkers rebuild the
 * same chain tops in their own caches (git.git `scan HEAD`: 12.3 GB of
 * objects rebuilt, 10.2 GB with stretches, 0.93x the time). A walker
 * whose stretch is done takes the back half of the largest one left.
 */
static bool next_chunk(struct walker *wk, size_t *from, size_t *to)
{
	struct gitwalk_hist *h = wk->h;
	bool ok = false;

	pthread_mutex_lock(&h->lock);
	if (!h->failed && wk->cur >= wk->lim) {
		struct walker *most = NULL;

		for (unsigned i = 0; i < h->walkers_nr; i++) {
			struct walker *v = &h->walkers[i];

			if (!most || v->lim - v->cur > most->lim - most->cur)
				most = v;
		}
		if (most && most->lim - most->cur > WALK_CHUNK) {
			size_t mid = most->cur + (most->lim - most->cur) / 2;

			wk->cur = mid;
			wk->lim = most->lim;
			most->lim = mid;
		}
	}
	if (!h->failed && wk->cur < wk->lim) {
		ok = true;
		*from = wk->cur;
		wk->cur += WALK_CHUNK < wk->lim - wk->cur ? WALK_CHUNK :
							    wk->lim - wk->cur;
		*to = wk->cur;
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

	while (!rc && next_chunk(wk, &from, &to)) {
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
	/*
	 * A small walk runs on the calling thread alone (see run_walkers()):
	 * it reads through the repository's reader, which the revision walk
	 * has opened already, rather than zero a second ring and a second
	 * set of windows (two huge pages, ~0.4 ms) for a few megabytes.
	 */
	if (i == 0 && h->commits_nr < INLINE_COMMITS) {
		wk->rd = gitwalk_reader(h->w);
		wk->rd_borrowed = true;
	} else {
		wk->rd = odb_reader_new(h->db, walker_cache(h->walkers_nr));
	}
	return 0;
}

static void close_walker(struct walker *wk)
{
	if (!wk->rd_borrowed)
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
	free(wk->partial);
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

static int cmp_partial(const void *a, const void *b)
{
	const struct partial *x = a, *y = b;

	return x->blob < y->blob ? -1 : x->blob > y->blob;
}

/* Concatenate the walkers' records in walk order. */
static void merge_walkers(struct gitwalk_hist *h)
{
	size_t nr = 0, pnr = 0, bnr = 0;

	for (unsigned i = 0; i < h->walkers_nr; i++) {
		nr += h->walkers[i].changes_nr;
		pnr += h->walkers[i].poids_nr;
		bnr += h->walkers[i].partial_nr;
	}
	h->partial = xcalloc(bnr ? bnr : 1, sizeof(*h->partial));
	for (unsigned i = 0; i < h->walkers_nr; i++) {
		struct walker *wk = &h->walkers[i];

		if (wk->partial_nr)
			memcpy(h->partial + h->partial_nr, wk->partial,
			       wk->partial_nr * sizeof(*wk->partial));
		h->partial_nr += wk->partial_nr;
		free(wk->partial);
		wk->partial = NULL;
	}
	qsort(h->partial, h->partial_nr, sizeof(*h->partial), cmp_partial);
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
	for (unsigned i = 0; i < n; i++) {
		h->walkers[i].cur = h->commits_nr / n * i;
		h->walkers[i].lim = i + 1 < n ? h->commits_nr / n * (i + 1) :
						h->commits_nr;
	}
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

static struct gitwalk_hist *hist_new(struct gitwalk *w,
				     const struct gitwalk_scan_ops *ops)
{
	struct gitwalk_hist *h = xcalloc(1, sizeof(*h));
	const char *no_region;

	h->w = w;
	h->ops = ops;
	strvec_init(&h->missing);
	pthread_mutex_init(&h->lock, NULL);
	h->db = gitwalk_db(w);
	gitwalk_load_shallow(&h->shallow, w);
	/* blobs handed over whole, not beside a base: for tests and the
	 * bench, which compare the two */
	no_region = getenv("SLUGGUARD_NO_REGION");
	h->whole = no_region && *no_region && strcmp(no_region, "0");
	return h;
}

/* For the lite walk: the boundary hist_new() already read. */
static bool hist_is_shallow(const git_oid *id, void *data)
{
	struct gitwalk_hist *h = data;
	size_t v;

	return oidmap_get(&h->shallow, id->id, &v);
}

int gitwalk_hist_revs(struct gitwalk_hist **out, struct gitwalk *w,
		      const char *const *revs, size_t revs_nr,
		      const struct gitwalk_scan_ops *ops)
{
	struct gitwalk_hist *h = NULL;
	bool lite = false;
	unsigned n;
	int rc;

	*out = NULL;
	h = hist_new(w, ops);
	/* Our own refs and walk first; libgit2 for what they cannot do. */
	rc = gitwalk_lite_revs(&h->ids, &h->commits_nr, w, gitwalk_reader(w),
			       revs, revs_nr, hist_is_shallow, h);
	if (!rc) {
		lite = true;
	} else if (rc == LITE_UNSUPPORTED) {
		free(h->ids);
		h->ids = NULL;
		h->commits_nr = 0;
		rc = gitwalk_git2_revs(&h->ids, &h->commits_nr, w, revs,
				       revs_nr);
	}
	if (rc < 0)
		goto out;
	h->hex = xcalloc(h->commits_nr ? h->commits_nr : 1, sizeof(*h->hex));
	for (size_t i = 0; i < h->commits_nr; i++) {
		git_oid_tostr(h->hex[i], GITWALK_HEXSZ + 1, &h->ids[i]);
		oidmap_put(&h->commit_set, h->ids[i].id, &i);
	}
	n = h->commits_nr >= INLINE_COMMITS && ops->threads > 1 ? ops->threads :
								  1;
	rc = run_walkers(h, n);
	if (!rc && h->commits_nr && lite)
		rc = gitwalk_scan_tags(h, true);
	if (rc == LITE_UNSUPPORTED || (!rc && h->commits_nr && !lite))
		rc = gitwalk_scan_tags(h, false);
out:
	if (!rc) {
		*out = h;
		h = NULL;
	}
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
		rc = gitwalk_add_change(wk, NO_COMMIT, e->path, strlen(e->path),
					&e->id, &pid, 1);
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
	free(h->partial);
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

/* Read blob id into out (reset first), after the walk. */
static int read_blob_id(struct gitwalk_hist *h, const git_oid *id,
			struct strbuf *out)
{
	struct odb_reader *rd;
	git_odb *odb = NULL;
	git_odb_object *obj = NULL;
	int rc;

	strbuf_reset(out);
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
		gitwalk_note_missing(h, id);
		rc = ERR_NOTFOUND;
	} else {
		strbuf_add(out, git_odb_object_data(obj),
			   git_odb_object_size(obj));
	}
	git_odb_object_free(obj);
	git_odb_free(odb);
	return rc;
}

int gitwalk_hist_read_parent(struct gitwalk_hist *h, size_t i, size_t k,
			     struct strbuf *out)
{
	const struct change *c = &h->changes[i];
	const git_oid *id;

	strbuf_reset(out);
	if (k >= c->parents_nr)
		return ERR_NOTFOUND;
	id = &h->poids[c->parents_at + k];
	if (git_oid_is_zero(id))
		return ERR_NOTFOUND;
	return read_blob_id(h, id, out);
}

static const struct partial *find_partial(const struct gitwalk_hist *h,
					  size_t blob)
{
	struct partial key = { .blob = blob };

	if (!h->partial_nr)
		return NULL;
	return bsearch(&key, h->partial, h->partial_nr, sizeof(*h->partial),
		       cmp_partial);
}

bool gitwalk_hist_needs_whole(const struct gitwalk_hist *h, size_t i)
{
	const struct change *c = &h->changes[i];
	const struct partial *p = find_partial(h, c->blob);

	if (!p)
		return false;
	for (size_t k = 0; k < c->parents_nr; k++)
		if (git_oid_equal(&h->poids[c->parents_at + k], &p->base))
			return false;
	return true;
}

int gitwalk_hist_read_blob(struct gitwalk_hist *h, size_t i, struct strbuf *out,
			   const char **path)
{
	const struct partial *p = find_partial(h, h->changes[i].blob);

	strbuf_reset(out);
	if (!p)
		BUG("change %zu was handed over whole", i);
	*path = p->path;
	return read_blob_id(h, &p->id, out);
}

size_t gitwalk_hist_oversized(const struct gitwalk_hist *h)
{
	return h->oversized;
}

const struct strvec *gitwalk_hist_missing(const struct gitwalk_hist *h)
{
	return &h->missing;
}
