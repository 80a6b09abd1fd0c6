/* SPDX-License-Identifier: MIT */
/*
 * The commit modes: a revision range, the index, and blobs or trees named
 * by a pushed ref. gitwalk hands every unique blob over once, beside a
 * parent's version of it when there is one: keywords are looked for only
 * around where the two differ, since a secret in what they share is in
 * that parent and so not new. The hits are cached by blob, and only for
 * the changes whose blob has findings is attribution decided (a finding
 * counts in the commit whose parents all lack its secret in that file);
 * a change of the same blob against other versions has it matched whole.
 * See docs/scan.md.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/gitwalk.h"
#include "slugguard/rules.h"
#include "scan-internal.h"

/* ---- commits and the index ------------------------------------------ */

/* Keep h (its contents moved) as blob's hits in *v; under c->lock. */
static void keep_hits(struct hits ***v, size_t *alloc, size_t blob,
		      const struct hits *h)
{
	if (blob >= *alloc) {
		size_t n = *alloc ? *alloc : 64;

		while (n <= blob)
			n = st_mult(n, 2);
		*v = xrealloc(*v, st_mult(n, sizeof(**v)));
		memset(*v + *alloc, 0, (n - *alloc) * sizeof(**v));
		*alloc = n;
	}
	(*v)[blob] = xmemdup(h, sizeof(*h));
}

static int on_blob(void *data, unsigned thread, size_t blob, const char *path,
		   const char *buf, size_t len, const char *base,
		   size_t base_len)
{
	struct scan_ctx *c = data;
	struct hits h = { NULL, 0, 0, false, false };
	int rc;

	rc = scan_match_blob(c, thread, path, buf, len, base, base_len, &h);
	if (rc < 0 || !h.nr) {
		scan_hits_clear(&h);
		return rc < 0 ? rc : h.region ? GITWALK_BESIDE : 0;
	}
	pthread_mutex_lock(&c->lock);
	keep_hits(&c->by_blob, &c->by_blob_alloc, blob, &h);
	pthread_mutex_unlock(&c->lock);
	return h.region ? GITWALK_BESIDE : 0;
}

/*
 * A base only while the matcher is the keyword table: reading the parent's
 * version costs more than Hyperscan takes for the bytes it spares (git.git
 * scan HEAD: 1.06x slower with bases throughout).
 */
static bool want_base(void *data, unsigned thread)
{
	struct scan_ctx *c = data;

	return !rules_scratch_bulk(c->scratch[thread]);
}

struct meta_cache {
	char commit[GITWALK_HEXSZ + 1];
	struct strbuf author, date;
};

static int commit_meta(struct gitwalk *w, struct meta_cache *m,
		       const char *commit)
{
	int rc;

	if (!commit)
		return 0;
	if (!strcmp(m->commit, commit))
		return 0;
	rc = gitwalk_commit_meta(w, commit, &m->author, &m->date);
	if (rc < 0)
		return rc;
	memcpy(m->commit, commit, GITWALK_HEXSZ + 1);
	return 0;
}

static int on_message(void *data, unsigned thread, const char *commit,
		      size_t commit_index, const char *label, const char *buf,
		      size_t len)
{
	struct scan_ctx *c = data;
	struct hits h = { NULL, 0, 0, false, false };
	int rc;

	rc = scan_match(c, thread, NULL, buf, len, &h);
	if (rc < 0 || !h.nr)
		goto out;
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < h.nr; i++)
		scan_add_finding(c, &h.v[i], commit, label, NULL, NULL)->order =
			commit_index;
	pthread_mutex_unlock(&c->lock);
out:
	scan_hits_clear(&h);
	return rc;
}

static void on_progress(void *data, size_t done, size_t total)
{
	struct scan_ctx *c = data;
	double dt = scan_now() - c->t0;
	double mb = (double)atomic_load(&c->bytes) / 1e6;

	fprintf(stderr, "\rscanning: %zu/%zu commits, %.0f MB, %.1f MB/s\033[K",
		done, total, mb, dt > 0 ? mb / dt : 0.0);
	c->progress_shown = true;
}

/*
 * The hits of change i's blob matched whole, for a change against other
 * versions than the one it was matched beside: kept in c->whole. The
 * bytes were counted once already.
 */
static int whole_hits(struct scan_ctx *c, struct gitwalk_hist *hist, size_t i,
		      size_t blob, struct hits **out)
{
	atomic_uint_fast64_t *const counts[] = { &c->bytes,   &c->blobs,
						 &c->binary,  &c->streamed,
						 &c->allowed, &c->skipped };
	uint_fast64_t before[ARRAY_SIZE(counts)];
	struct strbuf buf = STRBUF_INIT;
	struct hits h = { NULL, 0, 0, false, false };
	const char *path;
	int rc;

	*out = blob < c->whole_alloc ? c->whole[blob] : NULL;
	if (*out)
		return 0;
	for (size_t k = 0; k < ARRAY_SIZE(counts); k++)
		before[k] = atomic_load(counts[k]);
	rc = gitwalk_hist_read_blob(hist, i, &buf, &path);
	if (!rc)
		rc = scan_match_blob(c, 0, path, buf.buf, buf.len, NULL, 0, &h);
	/* counted when first matched: the summary says each blob once */
	for (size_t k = 0; k < ARRAY_SIZE(counts); k++)
		atomic_store(counts[k], before[k]);
	strbuf_release(&buf);
	if (rc == ERR_NOTFOUND) { /* gone meanwhile: listed as missing */
		error_clear();
		rc = 0;
	}
	if (rc < 0) {
		scan_hits_clear(&h);
		return rc;
	}
	keep_hits(&c->whole, &c->whole_alloc, blob, &h);
	*out = c->whole[blob];
	return 0;
}

/*
 * The findings of each changed blob that are new in that change: the
 * secret is absent from every parent's version of the file. A blob met
 * again against other versions than the one it was matched beside is
 * matched whole for that change.
 */
static int attribute(struct scan_ctx *c, struct gitwalk *w,
		     struct gitwalk_hist *hist)
{
	struct meta_cache meta = { "", STRBUF_INIT, STRBUF_INIT };
	struct strbuf *parents = NULL;
	bool *present = NULL;
	size_t parents_alloc = 0;
	int rc = 0;

	for (size_t i = 0; i < gitwalk_hist_changes(hist) && !rc; i++) {
		struct gitwalk_change ch;
		struct hits *h;

		gitwalk_hist_change(hist, i, &ch);
		if (gitwalk_hist_needs_whole(hist, i)) {
			if (rules_path_allowed(c->rules, ch.path))
				continue;
			rc = whole_hits(c, hist, i, ch.blob, &h);
			if (rc < 0)
				goto out;
			if (!h->nr)
				continue;
		} else {
			if (ch.blob >= c->by_blob_alloc || !c->by_blob[ch.blob])
				continue;
			h = c->by_blob[ch.blob];
			if (rules_path_allowed(c->rules, ch.path))
				continue;
		}
		if (ch.parents_nr > parents_alloc) {
			parents = xrealloc(parents, st_mult(ch.parents_nr,
							    sizeof(*parents)));
			present = xrealloc(present, ch.parents_nr);
			for (size_t k = parents_alloc; k < ch.parents_nr; k++)
				strbuf_init(&parents[k], 0);
			parents_alloc = ch.parents_nr;
		}
		for (size_t k = 0; k < ch.parents_nr; k++) {
			rc = gitwalk_hist_read_parent(hist, i, k, &parents[k]);
			present[k] = !rc;
			if (rc == ERR_NOTFOUND) {
				error_clear();
				rc = 0;
			}
			if (rc < 0)
				goto out;
		}
		for (size_t j = 0; j < h->nr; j++) {
			const struct hit *x = &h->v[j];
			size_t n = strlen(x->secret);
			bool old = false;

			/*
			 * A finding by path alone (a binary *.p12) is old when
			 * the file was already there, whatever its bytes.
			 */
			for (size_t k = 0; k < ch.parents_nr && !old; k++)
				old = present[k] && (!x->rule->regex ||
						     scan_memmem(parents[k].buf,
								 parents[k].len,
								 x->secret, n));
			if (old)
				continue;
			rc = commit_meta(w, &meta, ch.commit);
			if (rc < 0)
				goto out;
			scan_add_finding(c, x, ch.commit, ch.path,
					 ch.commit ? meta.author.buf : NULL,
					 ch.commit ? meta.date.buf : NULL)
				->order = ch.commit_index;
		}
	}
out:
	for (size_t k = 0; k < parents_alloc; k++)
		strbuf_release(&parents[k]);
	free(parents);
	free(present);
	strbuf_release(&meta.author);
	strbuf_release(&meta.date);
	return rc;
}

/* Message findings carry no author yet: fill them in. */
static int fill_message_meta(struct scan_ctx *c, struct gitwalk *w)
{
	struct meta_cache meta = { "", STRBUF_INIT, STRBUF_INIT };
	int rc = 0;

	for (size_t i = 0; i < c->rep->nr && !rc; i++) {
		struct scan_finding *f = &c->rep->findings[i];

		if (!*f->commit || f->author)
			continue;
		rc = commit_meta(w, &meta, f->commit);
		if (rc < 0)
			break;
		f->author = xstrdup(meta.author.buf);
		f->date = meta.date.len ? xstrdup(meta.date.buf) : NULL;
	}
	strbuf_release(&meta.author);
	strbuf_release(&meta.date);
	return rc;
}

static void warn_missing(struct gitwalk_hist *hist)
{
	const struct strvec *m = gitwalk_hist_missing(hist);
	struct strbuf sb = STRBUF_INIT;

	if (!m->nr)
		return;
	for (size_t i = 0; i < m->nr && i < 5; i++)
		strbuf_addf(&sb, "%s%s", i ? ", " : "", m->v[i]);
	if (m->nr > 5)
		strbuf_addf(&sb, " and %zu more", m->nr - 5);
	warning("%zu missing object%s skipped: %s", m->nr,
		m->nr == 1 ? "" : "s", sb.buf);
	strbuf_release(&sb);
}

static const char *repo_root(struct gitwalk *w)
{
	const char *wd = gitwalk_workdir(w);

	return wd ? wd : gitwalk_gitdir(w);
}

static void set_ops(struct gitwalk_scan_ops *ops, struct scan_ctx *c)
{
	memset(ops, 0, sizeof(*ops));
	ops->blob = on_blob;
	ops->want_base = want_base;
	ops->message = on_message;
	ops->progress = c->opts->flags & SCAN_PROGRESS ? on_progress : NULL;
	ops->data = c;
	ops->threads = c->threads;
	/* every blob comes to us: those over the cap are read in windows */
	ops->max_blob_size = 0;
}

static char *describe_revs(const char *const *revs, size_t nr)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, "commits");
	for (size_t i = 0; i < nr; i++)
		strbuf_addf(&sb, " %s", revs[i]);
	return strbuf_detach(&sb, NULL);
}

static int run_hist(struct scan_report *rep, struct gitwalk *w,
		    const struct scan_options *opts, const char *const *revs,
		    size_t revs_nr, bool staged)
{
	struct scan_ctx c;
	struct gitwalk_scan_ops ops;
	struct gitwalk_hist *hist = NULL;
	int rc;

	rc = scan_ctx_init(&c, opts, rep, repo_root(w));
	if (rc < 0)
		goto out;
	set_ops(&ops, &c);
	if (staged)
		rc = gitwalk_hist_staged(&hist, w, &ops);
	else
		rc = gitwalk_hist_revs(&hist, w, revs, revs_nr, &ops);
	scan_progress_clear(&c);
	if (rc < 0)
		goto out;
	free(rep->what);
	rep->what = staged ? xstrdup("the index (--staged)") :
			     describe_revs(revs, revs_nr);
	if (!staged && !gitwalk_hist_commits(hist) &&
	    !(opts->flags & SCAN_ALLOW_EMPTY)) {
		struct strbuf sb = STRBUF_INIT;

		for (size_t i = 0; i < revs_nr; i++)
			strbuf_addf(&sb, "%s%s", i ? " " : "", revs[i]);
		rc = error_set("'%s' selects no commits: nothing was scanned",
			       sb.buf);
		strbuf_release(&sb);
		goto out;
	}
	warn_missing(hist);
	rep->commits += gitwalk_hist_commits(hist);
	atomic_fetch_add(&c.skipped, gitwalk_hist_oversized(hist) +
					     gitwalk_hist_missing(hist)->nr);
	rc = attribute(&c, w, hist);
	if (!rc)
		rc = fill_message_meta(&c, w);
	if (rc < 0)
		goto out;
	scan_finish(&c);
out:
	gitwalk_hist_free(hist);
	if (c.opts)
		scan_ctx_release(&c);
	return rc;
}

int scan_revs(struct scan_report *rep, struct gitwalk *w,
	      const struct scan_options *opts, const char *const *revs,
	      size_t revs_nr)
{
	if (!revs_nr)
		return error_set("no revisions to scan");
	return run_hist(rep, w, opts, revs, revs_nr, false);
}

int scan_staged(struct scan_report *rep, struct gitwalk *w,
		const struct scan_options *opts)
{
	return run_hist(rep, w, opts, NULL, 0, true);
}

/* ---- blobs and trees named by a pushed ref ---------------------------- */

struct object_scan {
	struct scan_ctx *c;
	const char *name;
	struct strbuf file;
};

static int on_object_blob(void *data, const char *path, const char *buf,
			  size_t len)
{
	struct object_scan *os = data;
	struct hits h = { NULL, 0, 0, false, false };
	int rc;

	/* git's <rev>:<path> names both the ref and the file */
	strbuf_reset(&os->file);
	strbuf_addstr(&os->file, os->name);
	if (*path)
		strbuf_addf(&os->file, ":%s", path);
	rc = scan_match_blob(os->c, 0, *path ? path : os->name, buf, len, NULL,
			     0, &h);
	for (size_t i = 0; !rc && i < h.nr; i++)
		scan_add_finding(os->c, &h.v[i], NULL, os->file.buf, NULL,
				 NULL);
	scan_hits_clear(&h);
	return rc;
}

int scan_objects(struct scan_report *rep, struct gitwalk *w,
		 const struct scan_options *opts, const char *const *hexes,
		 const char *const *names, size_t nr)
{
	struct scan_ctx c;
	struct object_scan os = { &c, NULL, STRBUF_INIT };
	int rc;

	rc = scan_ctx_init(&c, opts, rep, repo_root(w));
	for (size_t i = 0; !rc && i < nr; i++) {
		os.name = names[i];
		rc = gitwalk_object_blobs(w, hexes[i], on_object_blob, &os);
		if (rc < 0)
			rc = error_wrap(rc, "scanning '%s'", names[i]);
	}
	if (rc < 0)
		goto out;
	free(rep->what);
	rep->what = xstrdup("trees and blobs");
	scan_finish(&c);
out:
	strbuf_release(&os.file);
	if (c.opts)
		scan_ctx_release(&c);
	return rc;
}
