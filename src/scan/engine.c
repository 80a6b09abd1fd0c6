/* SPDX-License-Identifier: MIT */
/*
 * The scan engine: configuration, rules, one scratch per thread, the
 * blob-result cache and attribution of findings to the commit that
 * introduced them. See include/slugguard/scan.h.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/gitwalk.h"
#include "slugguard/rules.h"
#include "slugguard/sign.h"
#include "scan-internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_MAX_BLOB ((size_t)10 * 1024 * 1024)
#define BINARY_PROBE 8000
#define DEFAULT_SALT "slugguard-content-fingerprint-v1"
#define MAX_THREADS 8
/*
 * Files over the size cap, and binary files, go through the matcher in
 * windows of 1 MiB with 128 KiB either side: more than the 64 KiB a
 * multi-line rule looks past its keyword line plus the 4 KiB cap either
 * side of a keyword on one line.
 */
static const struct scan_chunking chunking = { (size_t)1 << 20,
					       (size_t)128 << 10 };

struct hit {
	const struct rule *rule;
	size_t line, column;
	size_t offset; /* byte offset in the file */
	bool binary; /* found in a binary file: the offset says where */
	char *secret;
	double entropy;
	unsigned context; /* scan_context_of(), when the buffer was seen */
	char *snippet; /* scan_context_snippet(), or NULL */
};

struct hits {
	struct hit *v;
	size_t nr, alloc;
	bool binary; /* what collect() records in each hit */
};

struct scan_ctx {
	const struct scan_options *opts;
	struct scan_report *rep;
	struct config_scan cfg;
	struct rules *rules;
	struct rules_scratch **scratch; /* threads + 1 */
	unsigned threads;
	size_t max_blob;
	const char *salt;
	struct scan_ignore ign;
	char *root;

	pthread_mutex_t lock;
	struct hits **by_blob; /* blob number -> hits, NULL when clean */
	size_t by_blob_alloc;
	atomic_uint_fast64_t bytes, blobs, skipped;
	atomic_uint_fast64_t binary, streamed, allowed;
	struct strbuf *win, *tmp; /* per thread (threads + 1): windows */
	int failed;
	double t0;
	bool progress_shown;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > MAX_THREADS ? MAX_THREADS : (unsigned)n;
}

static void hits_clear(struct hits *h)
{
	for (size_t i = 0; i < h->nr; i++) {
		free(h->v[i].secret);
		free(h->v[i].snippet);
	}
	free(h->v);
	h->v = NULL;
	h->nr = h->alloc = 0;
}

static int collect(const struct rules_match *m, void *data)
{
	struct hits *h = data;
	struct hit *x;

	ALLOC_GROW(h->v, h->nr + 1, h->alloc);
	x = &h->v[h->nr++];
	x->rule = m->rule;
	x->line = m->line;
	x->column = m->column;
	x->offset = m->offset;
	x->binary = h->binary && m->rule->regex; /* not a path finding */
	x->secret = xstrndup(m->secret, m->secret_len);
	x->entropy = m->entropy;
	x->context = SCAN_CONTEXT_NONE;
	x->snippet = NULL;
	return 0;
}

static bool is_binary(const char *buf, size_t len)
{
	return memchr(buf, 0, len < BINARY_PROBE ? len : BINARY_PROBE);
}

static void count(atomic_uint_fast64_t *n, uint64_t v)
{
	atomic_fetch_add_explicit(n, v, memory_order_relaxed);
}

/* The context label and snippet of h->v[from..] (scan/context.c). */
static void label_hits(struct hits *h, size_t from, const char *path,
		       const char *buf, size_t len)
{
	for (size_t i = from; i < h->nr; i++) {
		struct hit *x = &h->v[i];
		size_t floor = 0, slen = strlen(x->secret);
		char *red;

		if (!x->rule->regex)
			continue; /* a path finding: the file is the secret */
		/* bounded work: with many hits the snippet is the secret */
		if (h->nr - from > 256)
			floor = x->offset;
		for (size_t j = from; j < h->nr && h->nr - from <= 256; j++)
			if (j != i && h->v[j].offset < x->offset &&
			    h->v[j].offset + strlen(h->v[j].secret) > floor)
				floor = h->v[j].offset + strlen(h->v[j].secret);
		x->context = scan_context_of(path, buf, len, x->offset, slen);
		red = scan_redact(x->secret);
		x->snippet = scan_context_snippet(buf, len, floor, x->offset,
						  slen, red);
		free(red);
	}
}

/* Match buf with thread's scratch into h (appending). Messages (path
 * NULL) count as bytes but not as blobs. */
static int match(struct scan_ctx *c, unsigned thread, const char *path,
		 const char *buf, size_t len, struct hits *h)
{
	struct strbuf own = STRBUF_INIT;
	size_t before = h->nr;
	int rc;

	count(&c->bytes, len);
	if (path)
		count(&c->blobs, 1);
	/* our own files hold fingerprints and ids we wrote: not secrets */
	if (path && scan_own_file(path)) {
		strbuf_add(&own, buf, len);
		scan_own_mask(own.buf, own.len);
		buf = own.buf;
	}
	rc = rules_scan(c->rules, c->scratch[thread], path, buf, len, collect,
			h);
	if (!rc)
		label_hits(h, before, path, buf, len);
	strbuf_release(&own);
	return rc;
}

/*
 * A file over the size cap, or a binary one (the printable runs of its
 * bytes, with the rules that need no context), in windows: the matcher's
 * memory stays bounded and nothing is skipped.
 */
static int match_chunked(struct scan_ctx *c, unsigned thread, const char *path,
			 size_t len, bool binary, scan_read_fn rd, void *rdd,
			 struct hits *h)
{
	if (path && rules_path_allowed(c->rules, path)) {
		count(&c->allowed, 1);
		return 0;
	}
	count(&c->bytes, len);
	count(&c->blobs, 1);
	count(binary ? &c->binary : &c->streamed, 1);
	h->binary = binary;
	return scan_chunked(c->rules, c->scratch[thread], path, &chunking,
			    binary, rd, rdd, &c->win[thread], &c->tmp[thread],
			    collect, h);
}

/* A blob or file held in memory: at once, or in windows. */
static int match_blob(struct scan_ctx *c, unsigned thread, const char *path,
		      const char *buf, size_t len, struct hits *h)
{
	struct scan_mem_reader m = { buf, len, 0 };
	bool binary = is_binary(buf, len);

	if (!binary && len <= c->max_blob) {
		if (path && c->cfg.rules.allow_paths_nr &&
		    rules_path_allowed(c->rules, path)) {
			count(&c->allowed, 1);
			return 0;
		}
		return match(c, thread, path, buf, len, h);
	}
	return match_chunked(c, thread, path, len, binary, scan_read_mem, &m,
			     h);
}

static char *join_path(const char *dir, const char *name)
{
	struct strbuf sb = STRBUF_INIT;

	if (strcmp(dir, ".")) {
		strbuf_addstr(&sb, dir);
		if (sb.len && sb.buf[sb.len - 1] != '/')
			strbuf_addch(&sb, '/');
	}
	strbuf_addstr(&sb, name);
	return strbuf_detach(&sb, NULL);
}

static int ctx_init(struct scan_ctx *c, const struct scan_options *opts,
		    struct scan_report *rep, const char *root)
{
	char *path = NULL;
	int rc;

	memset(c, 0, sizeof(*c));
	c->opts = opts;
	c->rep = rep;
	c->t0 = now();
	pthread_mutex_init(&c->lock, NULL);
	c->root = xstrdup(opts->root ? opts->root : root ? root : ".");
	if (opts->config_path) {
		rc = config_scan_load(&c->cfg, opts->config_path, true);
	} else {
		rc = config_scan_load_root(&c->cfg, c->root);
	}
	if (rc < 0)
		goto out;
	rc = rules_compile(&c->rules, &c->cfg.rules);
	if (rc < 0) {
		rc = error_wrap(rc, "'%s'",
				opts->config_path ? opts->config_path :
						    ".slugguard.json");
		goto out;
	}
	c->threads = opts->threads ? opts->threads : default_threads();
	c->scratch = xcalloc(c->threads + 1, sizeof(*c->scratch));
	c->win = xcalloc(c->threads + 1, sizeof(*c->win));
	c->tmp = xcalloc(c->threads + 1, sizeof(*c->tmp));
	for (unsigned i = 0; i <= c->threads; i++) {
		strbuf_init(&c->win[i], 0);
		strbuf_init(&c->tmp[i], 0);
		rc = rules_scratch_new(&c->scratch[i], c->rules);
		if (rc < 0)
			goto out;
	}
	c->max_blob = opts->max_blob_size  ? opts->max_blob_size :
		      c->cfg.max_blob_size ? c->cfg.max_blob_size :
					     DEFAULT_MAX_BLOB;
	c->salt = c->cfg.fingerprint_salt ? c->cfg.fingerprint_salt :
					    DEFAULT_SALT;
	if (!(opts->flags & SCAN_NO_IGNORE_FILES)) {
		free(path);
		path = join_path(c->root, ".slugguardignore");
		rc = scan_ignore_load(&c->ign, path);
		free(path);
		path = join_path(c->root, ".gitleaksignore");
		if (!rc)
			rc = scan_ignore_load(&c->ign, path);
		if (rc < 0)
			goto out;
	}
	scan_ignore_add_commits(&c->ign, &c->cfg.allow_commits);
	if (!(opts->flags & (SCAN_NO_IGNORE_FILES | SCAN_NO_BASELINE_FILE))) {
		free(path);
		path = join_path(c->root, SCAN_BASELINE_FILE);
		if (fs_exists(path))
			rc = scan_ignore_load_baseline(&c->ign, path);
		if (rc < 0)
			goto out;
	}
	if (opts->accepted)
		scan_ignore_add_accepted(&c->ign, opts->accepted,
					 "the trusted baseline");
	if (opts->baseline_path) {
		rc = scan_ignore_load_baseline(&c->ign, opts->baseline_path);
		if (rc < 0)
			goto out;
	}
out:
	free(path);
	return rc;
}

static void ctx_release(struct scan_ctx *c)
{
	for (size_t i = 0; i < c->by_blob_alloc; i++) {
		if (c->by_blob[i]) {
			hits_clear(c->by_blob[i]);
			free(c->by_blob[i]);
		}
	}
	free(c->by_blob);
	if (c->scratch)
		for (unsigned i = 0; i <= c->threads; i++)
			rules_scratch_free(c->scratch[i]);
	free(c->scratch);
	for (unsigned i = 0; c->win && i <= c->threads; i++) {
		strbuf_release(&c->win[i]);
		strbuf_release(&c->tmp[i]);
	}
	free(c->win);
	free(c->tmp);
	rules_free(c->rules);
	config_scan_release(&c->cfg);
	scan_ignore_release(&c->ign);
	free(c->root);
	pthread_mutex_destroy(&c->lock);
}

static void progress_clear(struct scan_ctx *c)
{
	if (c->progress_shown)
		fputs("\r\033[K", stderr);
	c->progress_shown = false;
}

/* Add a finding from a hit; meta may be NULL. */
static struct scan_finding *add_finding(struct scan_ctx *c, const struct hit *h,
					const char *commit, const char *file,
					const char *author, const char *date)
{
	struct scan_finding *f = scan_report_add(c->rep);

	f->rule = xstrdup(h->rule->id);
	f->description = xstrdup(h->rule->description ? h->rule->description :
							h->rule->id);
	f->remediation =
		xstrdup(h->rule->remediation ? h->rule->remediation : "");
	f->file = xstrdup(file);
	f->line = h->line;
	f->column = h->column;
	if (h->binary) {
		/* No line makes sense in a binary file: the byte offset. */
		f->binary = true;
		f->offset = h->offset;
		f->line = 1;
		f->column = h->offset + 1;
	}
	if (commit)
		memcpy(f->commit, commit, GITWALK_HEXSZ + 1);
	f->author = author ? xstrdup(author) : NULL;
	f->date = date && *date ? xstrdup(date) : NULL;
	f->secret = xstrdup(h->secret);
	f->entropy = h->entropy;
	f->context = h->context ? h->context : scan_context_path(file);
	f->snippet = h->snippet ? xstrdup(h->snippet) : NULL;
	return f;
}

/* Walk order (newest commit first), then file, line, column. */
static int cmp_finding(const void *a, const void *b)
{
	const struct scan_finding *x = a, *y = b;
	int r;

	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	r = strcmp(x->file, y->file);
	if (r)
		return r;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->column != y->column)
		return x->column < y->column ? -1 : 1;
	return strcmp(x->rule, y->rule);
}

static char *xstrfmt_content(const char *rule, const char *hex)
{
	struct strbuf sb = STRBUF_INIT;

	/* 128 bits of the keyed hash: enough, and shorter to paste. */
	strbuf_addf(&sb, "content:%s:%.32s", rule, hex);
	return strbuf_detach(&sb, NULL);
}

static void finish(struct scan_ctx *c)
{
	struct scan_report *rep = c->rep;
	struct strbuf msg = STRBUF_INIT;
	size_t kept = 0;

	for (size_t i = 0; i < rep->nr; i++) {
		struct scan_finding *f = &rep->findings[i];
		char hex[SIGN_SHA256_HEXSZ + 1];

		strbuf_reset(&msg);
		strbuf_addstr(&msg, f->rule);
		strbuf_addch(&msg, '\0');
		strbuf_addstr(&msg, f->secret);
		sign_hmac_sha256_hex(hex, c->salt, strlen(c->salt), msg.buf,
				     msg.len);
		f->fingerprint = scan_fingerprint(f);
		f->content_fingerprint = xstrfmt_content(f->rule, hex);
	}
	for (size_t i = 0; i < rep->nr; i++) {
		struct scan_finding *f = &rep->findings[i];

		if (scan_ignore_match(&c->ign, f)) {
			rep->ignored++;
			scan_finding_release(f);
			continue;
		}
		rep->findings[kept++] = *f;
	}
	rep->nr = kept;
	if (rep->nr)
		qsort(rep->findings, rep->nr, sizeof(*rep->findings),
		      cmp_finding);
	if (c->opts->flags & SCAN_UNUSED_IGNORES)
		for (size_t i = 0; i < c->ign.nr; i++)
			if (!c->ign.v[i].used && !c->ign.v[i].baseline)
				strvec_pushf(&rep->unused_ignores, "%s: %s",
					     c->ign.v[i].source,
					     c->ign.v[i].text);
	rep->bytes += atomic_load(&c->bytes);
	rep->blobs += atomic_load(&c->blobs);
	rep->skipped += atomic_load(&c->skipped);
	rep->binary += atomic_load(&c->binary);
	rep->streamed += atomic_load(&c->streamed);
	rep->allowed += atomic_load(&c->allowed);
	rep->seconds = now() - c->t0;
	strbuf_release(&msg);
}

/* ---- commits and the index ------------------------------------------ */

static int on_blob(void *data, unsigned thread, size_t blob, const char *path,
		   const char *buf, size_t len)
{
	struct scan_ctx *c = data;
	struct hits h = { NULL, 0, 0, false };
	int rc;

	rc = match_blob(c, thread, path, buf, len, &h);
	if (rc < 0 || !h.nr) {
		hits_clear(&h);
		return rc;
	}
	pthread_mutex_lock(&c->lock);
	if (blob >= c->by_blob_alloc) {
		size_t n = c->by_blob_alloc ? c->by_blob_alloc : 64;

		while (n <= blob)
			n = st_mult(n, 2);
		c->by_blob =
			xrealloc(c->by_blob, st_mult(n, sizeof(*c->by_blob)));
		memset(c->by_blob + c->by_blob_alloc, 0,
		       (n - c->by_blob_alloc) * sizeof(*c->by_blob));
		c->by_blob_alloc = n;
	}
	c->by_blob[blob] = xmemdup(&h, sizeof(h));
	pthread_mutex_unlock(&c->lock);
	return 0;
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
	struct hits h = { NULL, 0, 0, false };
	int rc;

	rc = match(c, thread, NULL, buf, len, &h);
	if (rc < 0 || !h.nr)
		goto out;
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < h.nr; i++)
		add_finding(c, &h.v[i], commit, label, NULL, NULL)->order =
			commit_index;
	pthread_mutex_unlock(&c->lock);
out:
	hits_clear(&h);
	return rc;
}

static void on_progress(void *data, size_t done, size_t total)
{
	struct scan_ctx *c = data;
	double dt = now() - c->t0;
	double mb = (double)atomic_load(&c->bytes) / 1e6;

	fprintf(stderr, "\rscanning: %zu/%zu commits, %.0f MB, %.1f MB/s\033[K",
		done, total, mb, dt > 0 ? mb / dt : 0.0);
	c->progress_shown = true;
}

/*
 * The findings of each changed blob that are new in that change: the
 * secret is absent from every parent's version of the file.
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
		if (ch.blob >= c->by_blob_alloc || !c->by_blob[ch.blob])
			continue;
		h = c->by_blob[ch.blob];
		if (rules_path_allowed(c->rules, ch.path))
			continue;
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
			add_finding(c, x, ch.commit, ch.path,
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

	rc = ctx_init(&c, opts, rep, repo_root(w));
	if (rc < 0)
		goto out;
	set_ops(&ops, &c);
	if (staged)
		rc = gitwalk_hist_staged(&hist, w, &ops);
	else
		rc = gitwalk_hist_revs(&hist, w, revs, revs_nr, &ops);
	progress_clear(&c);
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
	finish(&c);
out:
	gitwalk_hist_free(hist);
	if (c.opts)
		ctx_release(&c);
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
	struct hits h = { NULL, 0, 0, false };
	int rc;

	/* git's <rev>:<path> names both the ref and the file */
	strbuf_reset(&os->file);
	strbuf_addstr(&os->file, os->name);
	if (*path)
		strbuf_addf(&os->file, ":%s", path);
	rc = match_blob(os->c, 0, *path ? path : os->name, buf, len, &h);
	for (size_t i = 0; !rc && i < h.nr; i++)
		add_finding(os->c, &h.v[i], NULL, os->file.buf, NULL, NULL);
	hits_clear(&h);
	return rc;
}

int scan_objects(struct scan_report *rep, struct gitwalk *w,
		 const struct scan_options *opts, const char *const *hexes,
		 const char *const *names, size_t nr)
{
	struct scan_ctx c;
	struct object_scan os = { &c, NULL, STRBUF_INIT };
	int rc;

	rc = ctx_init(&c, opts, rep, repo_root(w));
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
	finish(&c);
out:
	strbuf_release(&os.file);
	if (c.opts)
		ctx_release(&c);
	return rc;
}

/* ---- files on disk -------------------------------------------------- */

/* Settings live at the top of the work tree we are in, if any. */
static const char *discover_root(const struct scan_options *opts,
				 struct gitwalk **w)
{
	const char *root = NULL;

	if (!opts->root && !gitwalk_open(w, NULL))
		root = gitwalk_workdir(*w);
	error_clear();
	return root;
}

struct file_job {
	char *path;
	size_t size; /* as listed; the scan reads at most this much */
	struct hits hits;
};

struct dir_run {
	struct scan_ctx *c;
	struct file_job *files;
	size_t nr, alloc;
	atomic_size_t next;
	int failed;
	pthread_mutex_t lock;
	struct error_saved err; /* the first failure, from its thread */
	struct strbuf *bufs; /* one read buffer per thread */
};

static void add_file(struct dir_run *d, char *path, const struct stat *st)
{
	ALLOC_GROW(d->files, d->nr + 1, d->alloc);
	d->files[d->nr].path = path;
	d->files[d->nr].size = (size_t)st->st_size;
	memset(&d->files[d->nr].hits, 0, sizeof(struct hits));
	d->nr++;
}

/*
 * List the regular files under the directory open as dir (named path).
 * Entries are looked up relative to the directory's fd: on this kind of
 * VM a syscall is dear, and a full path walk per file dearer.
 */
static int list_dir(struct dir_run *d, const char *path, DIR *dir)
{
	struct dirent *de;
	int rc = 0;

	while (!rc && (de = readdir(dir))) {
		struct stat st;
		char *sub;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    !strcmp(de->d_name, ".git"))
			continue;
		if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) <
		    0)
			continue; /* removed while we listed */
		if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
			continue; /* symlinks, devices, sockets */
		sub = strcmp(path, ".") ? join_path(path, de->d_name) :
					  xstrdup(de->d_name);
		if (S_ISREG(st.st_mode)) {
			add_file(d, sub, &st);
		} else {
			int fd = openat(dirfd(dir), de->d_name,
					O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
						O_CLOEXEC);
			DIR *subdir = fd >= 0 ? fdopendir(fd) : NULL;

			if (!subdir) {
				rc = error_from_errno(
					"cannot open directory '%s'", sub);
				if (fd >= 0)
					close(fd);
			} else {
				rc = list_dir(d, sub, subdir);
				closedir(subdir);
			}
			free(sub);
		}
	}
	return rc;
}

static int list_files(struct dir_run *d, const char *path)
{
	struct stat st;
	DIR *dir;
	int rc;

	if (lstat(path, &st) < 0)
		return error_from_errno("cannot read '%s'", path);
	if (S_ISREG(st.st_mode)) {
		add_file(d, xstrdup(path), &st);
		return 0;
	}
	if (!S_ISDIR(st.st_mode))
		return error_set("'%s' is not a file or directory", path);
	dir = opendir(path);
	if (!dir)
		return error_from_errno("cannot open directory '%s'", path);
	rc = list_dir(d, path, dir);
	closedir(dir);
	return rc;
}

static int cmp_files(const void *a, const void *b)
{
	const struct file_job *x = a, *y = b;

	return strcmp(x->path, y->path);
}

/*
 * Read a file into this thread's buffer: read() into memory we reuse,
 * not mmap(), because most files are small and a fresh mapping costs a
 * page fault per 4 KiB plus an munmap; that was half the time of --dir.
 */
static int read_file(int fd, size_t size, struct strbuf *buf)
{
	strbuf_setlen(buf, 0);
	strbuf_grow(buf, size);
	errno = 0;
	while (buf->len < size) {
		ssize_t n = read(fd, buf->buf + buf->len, size - buf->len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (!n)
			break; /* it shrank since we listed it */
		buf->len += (size_t)n;
	}
	buf->buf[buf->len] = '\0';
	return 0;
}

struct fd_reader {
	int fd;
	const char *path;
};

static int read_fd(void *data, char *dst, size_t len, size_t *got)
{
	struct fd_reader *r = data;
	ssize_t n;

	do
		n = read(r->fd, dst, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return error_from_errno("cannot read '%s'", r->path);
	*got = (size_t)n;
	return 0;
}

/* A file over the cap: read in windows, never whole. */
static int stream_file(struct scan_ctx *c, unsigned thread, struct file_job *f,
		       int fd)
{
	struct fd_reader r = { fd, f->path };
	char probe[BINARY_PROBE];
	ssize_t n;

	do
		n = pread(fd, probe, sizeof(probe), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return error_from_errno("cannot read '%s'", f->path);
	return match_chunked(c, thread, f->path, f->size,
			     is_binary(probe, (size_t)n), read_fd, &r,
			     &f->hits);
}

static int scan_one_file(struct dir_run *d, unsigned thread, struct file_job *f)
{
	struct scan_ctx *c = d->c;
	struct strbuf *buf = &d->bufs[thread];
	int fd = -1, rc = 0;

	/* Sizes come from the listing: no fstat, one syscall less. */
	if (!f->size)
		goto out;
	fd = open(f->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		warning("cannot read '%s': %s", f->path, strerror(errno));
		atomic_fetch_add(&c->skipped, 1);
		goto out;
	}
	if ((uint64_t)f->size > c->max_blob) {
		rc = stream_file(c, thread, f, fd);
		goto out;
	}
	if (read_file(fd, f->size, buf) < 0) {
		warning("cannot read '%s': %s", f->path, strerror(errno));
		atomic_fetch_add(&c->skipped, 1);
		goto out;
	}
	rc = match_blob(c, thread, f->path, buf->buf, buf->len, &f->hits);
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

struct dir_worker {
	struct dir_run *d;
	unsigned idx;
};

static void *dir_main(void *arg)
{
	struct dir_worker *dw = arg;
	struct dir_run *d = dw->d;

	for (;;) {
		size_t i = atomic_fetch_add(&d->next, 1);
		int rc;

		if (i >= d->nr || d->failed)
			break;
		rc = scan_one_file(d, dw->idx, &d->files[i]);
		if (rc < 0) {
			pthread_mutex_lock(&d->lock);
			if (!d->failed)
				d->failed = rc;
			error_save(&d->err, rc);
			pthread_mutex_unlock(&d->lock);
			break;
		}
	}
	return NULL;
}

int scan_dirs(struct scan_report *rep, const struct scan_options *opts,
	      const char *const *paths, size_t paths_nr)
{
	struct scan_ctx c;
	struct dir_run d;
	struct dir_worker *dws = NULL;
	struct gitwalk *w = NULL;
	pthread_t *tids = NULL;
	unsigned started = 0;
	int rc;

	memset(&d, 0, sizeof(d));
	pthread_mutex_init(&d.lock, NULL);
	rc = ctx_init(&c, opts, rep, discover_root(opts, &w));
	if (rc < 0)
		goto out;
	d.c = &c;
	for (size_t i = 0; i < paths_nr && !rc; i++)
		rc = list_files(&d, paths[i]);
	if (rc < 0)
		goto out;
	if (d.nr)
		qsort(d.files, d.nr, sizeof(*d.files), cmp_files);
	tids = xcalloc(c.threads, sizeof(*tids));
	dws = xcalloc(c.threads, sizeof(*dws));
	d.bufs = xcalloc(c.threads, sizeof(*d.bufs));
	for (unsigned i = 0; i < c.threads; i++)
		strbuf_init(&d.bufs[i], 0);
	for (unsigned i = 0; i < c.threads && i < (d.nr ? d.nr : 1); i++) {
		dws[i].d = &d;
		dws[i].idx = i;
		if (pthread_create(&tids[i], NULL, dir_main, &dws[i]))
			break;
		started++;
	}
	if (!started)
		dir_main(&dws[0]);
	for (unsigned i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	rc = error_restore(&d.err);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < d.nr; i++) {
		const char *p = d.files[i].path;

		while (starts_with(p, "./"))
			p += 2;
		for (size_t j = 0; j < d.files[i].hits.nr; j++)
			add_finding(&c, &d.files[i].hits.v[j], NULL, p, NULL,
				    NULL);
	}
	free(rep->what);
	rep->what = xstrdup("files on disk");
	finish(&c);
out:
	for (size_t i = 0; i < d.nr; i++) {
		free(d.files[i].path);
		hits_clear(&d.files[i].hits);
	}
	free(d.files);
	for (unsigned i = 0; d.bufs && i < c.threads; i++)
		strbuf_release(&d.bufs[i]);
	free(d.bufs);
	free(tids);
	free(dws);
	pthread_mutex_destroy(&d.lock);
	if (c.opts)
		ctx_release(&c);
	gitwalk_free(w);
	return rc;
}

/* ---- a buffer: a diff or plain text --------------------------------- */

int scan_text(struct scan_report *rep, const struct scan_options *opts,
	      const char *buf, size_t len, const char *name)
{
	struct scan_ctx c;
	struct scan_diff_file *files = NULL;
	size_t files_nr = 0;
	struct hits h = { NULL, 0, 0, false };
	struct gitwalk *w = NULL;
	int rc;

	rc = ctx_init(&c, opts, rep, discover_root(opts, &w));
	if (rc < 0)
		goto out;
	free(rep->what);
	if (!scan_is_diff(buf, len)) {
		rep->what = xstrdup("text");
		rc = match(&c, 0, name, buf, len, &h);
		for (size_t j = 0; !rc && j < h.nr; j++)
			add_finding(&c, &h.v[j], NULL, name, NULL, NULL);
		if (!rc)
			finish(&c);
		goto out;
	}
	rep->what = xstrdup("the added lines of a diff");
	rc = scan_diff_parse(&files, &files_nr, buf, len);
	for (size_t i = 0; !rc && i < files_nr; i++) {
		struct scan_diff_file *f = &files[i];

		hits_clear(&h);
		if (!f->nr)
			continue;
		rc = match(&c, 0, f->path, f->text.buf, f->text.len, &h);
		for (size_t j = 0; !rc && j < h.nr; j++) {
			struct hit x = h.v[j];

			/* Map the line of the joined text to the file's. */
			if (x.line >= 1 && x.line <= f->nr)
				x.line = f->lines[x.line - 1];
			add_finding(&c, &x, NULL, f->path, NULL, NULL);
		}
	}
	if (!rc)
		finish(&c);
out:
	hits_clear(&h);
	scan_diff_free(files, files_nr);
	if (c.opts)
		ctx_release(&c);
	gitwalk_free(w);
	return rc;
}
