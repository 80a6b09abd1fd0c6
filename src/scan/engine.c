/* SPDX-License-Identifier: MIT */
/*
 * The scan engine's core: configuration, rules, one scratch per thread,
 * matching a buffer (whole or in windows), findings and their
 * fingerprints, and text or a diff given as a buffer. The commit modes
 * and attribution are in commits.c, files on disk in dirs.c. See
 * include/slugguard/scan.h.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/gitwalk.h"
#include "slugguard/rules.h"
#include "slugguard/sign.h"
#include "scan-internal.h"

#include <time.h>
#include <unistd.h>

#define DEFAULT_MAX_BLOB ((size_t)10 * 1024 * 1024)
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

double scan_now(void)
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

void scan_hits_clear(struct hits *h)
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

bool scan_is_binary(const char *buf, size_t len)
{
	return memchr(buf, 0,
		      len < SCAN_BINARY_PROBE ? len : SCAN_BINARY_PROBE);
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

/*
 * Match buf with thread's scratch into h (appending); with a region
 * (from < SIZE_MAX), keywords only around buf[from, to). Messages (path
 * NULL) count as bytes but not as blobs.
 */
static int match_mem(struct scan_ctx *c, unsigned thread, const char *path,
		     const char *buf, size_t len,
		     const struct rules_span *spans, size_t nr, struct hits *h)
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
		spans = NULL; /* masking may differ from the base's */
	}
	h->region = spans != NULL;
	if (h->region)
		rc = rules_scan_spans(c->rules, c->scratch[thread], path, buf,
				      len, spans, nr, collect, h);
	else
		rc = rules_scan(c->rules, c->scratch[thread], path, buf, len,
				collect, h);
	if (!rc)
		label_hits(h, before, path, buf, len);
	strbuf_release(&own);
	return rc;
}

int scan_match(struct scan_ctx *c, unsigned thread, const char *path,
	       const char *buf, size_t len, struct hits *h)
{
	return match_mem(c, thread, path, buf, len, NULL, 0, h);
}

/*
 * A file over the size cap, or a binary one (the printable runs of its
 * bytes, with the rules that need no context), in windows: the matcher's
 * memory stays bounded and nothing is skipped.
 */
int scan_match_chunked(struct scan_ctx *c, unsigned thread, const char *path,
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

/*
 * A blob or file held in memory: at once, or in windows. With base (an
 * earlier version, or NULL), keywords are looked for only around where
 * the two differ: what they share at both ends is not new.
 */
int scan_match_blob(struct scan_ctx *c, unsigned thread, const char *path,
		    const char *buf, size_t len, const char *base,
		    size_t base_len, struct hits *h)
{
	struct scan_mem_reader m = { buf, len, 0 };
	bool binary = scan_is_binary(buf, len);

	if (!binary && len <= c->max_blob) {
		struct rules_span *spans = NULL;
		size_t nr = 0;
		int rc;

		if (path && c->cfg.rules.allow_paths_nr &&
		    rules_path_allowed(c->rules, path)) {
			count(&c->allowed, 1);
			return 0;
		}
		if (base)
			nr = scan_changed_spans(&spans, buf, len, base,
						base_len);
		rc = match_mem(c, thread, path, buf, len, spans, nr, h);
		free(spans);
		return rc;
	}
	return scan_match_chunked(c, thread, path, len, binary, scan_read_mem,
				  &m, h);
}

char *scan_join_path(const char *dir, const char *name)
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

int scan_ctx_init(struct scan_ctx *c, const struct scan_options *opts,
		  struct scan_report *rep, const char *root)
{
	char *path = NULL;
	int rc;

	memset(c, 0, sizeof(*c));
	c->opts = opts;
	c->rep = rep;
	c->t0 = scan_now();
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
		path = scan_join_path(c->root, ".slugguardignore");
		rc = scan_ignore_load(&c->ign, path);
		free(path);
		path = scan_join_path(c->root, ".gitleaksignore");
		if (!rc)
			rc = scan_ignore_load(&c->ign, path);
		if (rc < 0)
			goto out;
	}
	scan_ignore_add_commits(&c->ign, &c->cfg.allow_commits);
	if (!(opts->flags & (SCAN_NO_IGNORE_FILES | SCAN_NO_BASELINE_FILE))) {
		free(path);
		path = scan_join_path(c->root, SCAN_BASELINE_FILE);
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

void scan_ctx_release(struct scan_ctx *c)
{
	for (size_t i = 0; i < c->whole_alloc; i++) {
		if (c->whole[i]) {
			scan_hits_clear(c->whole[i]);
			free(c->whole[i]);
		}
	}
	free(c->whole);
	for (size_t i = 0; i < c->by_blob_alloc; i++) {
		if (c->by_blob[i]) {
			scan_hits_clear(c->by_blob[i]);
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

void scan_progress_clear(struct scan_ctx *c)
{
	if (c->progress_shown)
		fputs("\r\033[K", stderr);
	c->progress_shown = false;
}

/* Add a finding from a hit; meta may be NULL. */
struct scan_finding *scan_add_finding(struct scan_ctx *c, const struct hit *h,
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

void scan_finish(struct scan_ctx *c)
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
	rep->seconds = scan_now() - c->t0;
	strbuf_release(&msg);
}

/* Settings live at the top of the work tree we are in, if any. */
const char *scan_discover_root(const struct scan_options *opts,
			       struct gitwalk **w)
{
	const char *root = NULL;

	if (!opts->root && !gitwalk_open(w, NULL))
		root = gitwalk_workdir(*w);
	error_clear();
	return root;
}

/* ---- a buffer: a diff or plain text --------------------------------- */

int scan_text(struct scan_report *rep, const struct scan_options *opts,
	      const char *buf, size_t len, const char *name)
{
	struct scan_ctx c;
	struct scan_diff_file *files = NULL;
	size_t files_nr = 0;
	struct hits h = { NULL, 0, 0, false, false };
	struct gitwalk *w = NULL;
	int rc;

	rc = scan_ctx_init(&c, opts, rep, scan_discover_root(opts, &w));
	if (rc < 0)
		goto out;
	free(rep->what);
	if (!scan_is_diff(buf, len)) {
		rep->what = xstrdup("text");
		rc = scan_match(&c, 0, name, buf, len, &h);
		for (size_t j = 0; !rc && j < h.nr; j++)
			scan_add_finding(&c, &h.v[j], NULL, name, NULL, NULL);
		if (!rc)
			scan_finish(&c);
		goto out;
	}
	rep->what = xstrdup("the added lines of a diff");
	rc = scan_diff_parse(&files, &files_nr, buf, len);
	for (size_t i = 0; !rc && i < files_nr; i++) {
		struct scan_diff_file *f = &files[i];

		scan_hits_clear(&h);
		if (!f->nr)
			continue;
		rc = scan_match(&c, 0, f->path, f->text.buf, f->text.len, &h);
		for (size_t j = 0; !rc && j < h.nr; j++) {
			struct hit x = h.v[j];

			/* Map the line of the joined text to the file's. */
			if (x.line >= 1 && x.line <= f->nr)
				x.line = f->lines[x.line - 1];
			scan_add_finding(&c, &x, NULL, f->path, NULL, NULL);
		}
	}
	if (!rc)
		scan_finish(&c);
out:
	scan_hits_clear(&h);
	scan_diff_free(files, files_nr);
	if (c.opts)
		scan_ctx_release(&c);
	gitwalk_free(w);
	return rc;
}
