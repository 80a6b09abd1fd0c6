/* SPDX-License-Identifier: MIT */
/* Masking config var values (and their encoded forms) in output. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/mask.h"
#include "slugguard/rules.h"
#include "slugguard/strbuf.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>

/*
 * While the matcher compiles, a stream buffers what it is given (and
 * passes on nothing); past this many bytes it waits for the matcher.
 */
#define MASK_EARLY_MAX ((size_t)1 << 20)
/*
 * A masked run that reaches into the held tail is held with it, up to
 * this long (overlapping values chained without end would otherwise be
 * held without end).
 */
#define MASK_RUN_HOLD_MAX ((size_t)64 << 10)
/*
 * Runs this long are passed on where they are, not copied: a 64 KiB read
 * without a value goes out as one write from the caller's buffer (the
 * copy was a tenth of the relay's time); shorter runs between values
 * gather into one write.
 */
#define MASK_DIRECT_MIN ((size_t)8 << 10)

/* Always secret, whatever a policy says: it deploys the app. */
#define MASK_ALWAYS "HEROKU_API_KEY"

const char *const mask_default_public[] = {
	"RAILS_ENV",
	"RACK_ENV",
	"NODE_ENV",
	"PORT",
	"LANG",
	"TZ",
	"STACK",
	"WEB_CONCURRENCY",
	"RAILS_MAX_THREADS",
	"RAILS_MIN_THREADS",
	"RAILS_LOG_TO_STDOUT",
	"RAILS_SERVE_STATIC_FILES",
	"MALLOC_ARENA_MAX",
	"BUNDLE_WITHOUT",
	NULL,
};

struct pat_ref {
	const char *p;
	size_t n;
};

/*
 * The matcher compiles on a worker thread (Hyperscan takes tens of
 * milliseconds for 200 vars), so a build starts at once; everything that
 * matches waits for it first (set_wait()).
 */
struct mask_compile {
	pthread_t worker;
	bool running; /* started and not yet joined */
	atomic_bool ready; /* the worker is done: joining will not block */
	int rc;
	struct error_saved err;
	char *msg; /* the failure, said again by each wait */
};

struct mask_set {
	char **name; /* secret vars */
	size_t name_nr;
	char **pat; /* patterns */
	size_t *pat_len;
	size_t *pat_var; /* index into name */
	const char **pat_form;
	size_t pat_nr, pat_alloc;
	struct pat_ref *sorted; /* by content: prefix look-ups */
	uint8_t first[256 / 8]; /* first bytes of patterns */
	uint8_t pair[65536 / 8]; /* first two bytes of patterns (len >= 2) */
	/* hashed first four bytes (len >= 4): a relay of 4 KiB writes asks
	 * about the last (longest - 1) positions of each, and in text
	 * that looks like the values (hex, base64) the pair table passes
	 * most of them on to the binary search */
	uint8_t quad[65536 / 8];
	struct mask_compile *c; /* owned; changed by waiting on a const set */
	struct rules_literals *lits;
	struct rules_literals_scratch *scratch; /* mask_strbuf() and streams
						   run on one thread */
};

struct hit {
	size_t start, end, id;
};

struct mask_stream {
	const struct mask_set *set;
	mask_write_fn fn;
	void *data;
	struct strbuf pending;
	struct hit *hits;
	size_t hits_nr, hits_alloc;
	size_t hit_base; /* added to the offsets of on_hit() */
	struct strbuf seam; /* the held tail and the start of a write */
	struct strbuf out;
};

bool mask_name_public(const char *name, const char *const *extra,
		      size_t extra_nr)
{
	if (!strcmp(name, MASK_ALWAYS))
		return false;
	for (size_t i = 0; mask_default_public[i]; i++)
		if (!strcmp(name, mask_default_public[i]))
			return true;
	for (size_t i = 0; i < extra_nr; i++)
		if (!strcmp(name, extra[i]))
			return true;
	return false;
}

/* ---- the forms of a value ---------------------------------------------- */

static void form_json(struct strbuf *sb, const char *v, size_t n, bool html)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		switch (c) {
		case '"':
			strbuf_addstr(sb, "\\\"");
			break;
		case '\\':
			strbuf_addstr(sb, "\\\\");
			break;
		case '\n':
			strbuf_addstr(sb, "\\n");
			break;
		case '\r':
			strbuf_addstr(sb, "\\r");
			break;
		case '\t':
			strbuf_addstr(sb, "\\t");
			break;
		case '\b':
			strbuf_addstr(sb, "\\b");
			break;
		case '\f':
			strbuf_addstr(sb, "\\f");
			break;
		default:
			/* Rails' to_json is HTML-safe: <, >, & and "/" go
			 * escaped, so that form is a second variant. */
			if (c < 0x20 ||
			    (html && (c == '<' || c == '>' || c == '&'))) {
				strbuf_addstr(sb, "\\u00");
				strbuf_addch(sb, hex[c >> 4]);
				strbuf_addch(sb, hex[c & 15]);
			} else if (html && c == '/') {
				strbuf_addstr(sb, "\\/");
			} else {
				strbuf_addch(sb, c);
			}
		}
	}
}

static void form_url(struct strbuf *sb, const char *v, size_t n, bool plus)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			strbuf_addch(sb, c);
		} else if (plus && c == ' ') {
			strbuf_addch(sb, '+');
		} else {
			strbuf_addch(sb, '%');
			strbuf_addch(sb, hex[c >> 4]);
			strbuf_addch(sb, hex[c & 15]);
		}
	}
}

/*
 * The base64 characters that depend on v alone when v starts at byte
 * align (0..2) of a 3-byte group: encode align zero bytes then v, drop
 * the characters that carry bits of the bytes before (1 for align 0's
 * none, 2 or 3 characters for align 1 or 2) and, at the end, the padding
 * and the character that carries bits of the byte after.
 */
static void form_base64(struct strbuf *sb, const char *v, size_t n,
			unsigned align)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "abcdefghijklmnopqrstuvwxyz0123456789+/";
	static const size_t skip[3] = { 0, 2, 3 };
	size_t m = n + align, full = m / 3 * 4, keep;
	size_t emitted = 0;
	uint32_t acc = 0;
	int bits = 0;

	/* characters wholly made of the m bytes: full groups, then 2 of a
	 * 1-byte tail (1 whole), 3 of a 2-byte tail (2 whole) */
	keep = full + (m % 3 == 1 ? 1 : m % 3 == 2 ? 2 : 0);
	for (size_t i = 0; i < m; i++) {
		unsigned char c = i < align ? 0 : (unsigned char)v[i - align];

		acc = (acc << 8) | c;
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			if (emitted >= skip[align] && emitted < keep)
				strbuf_addch(sb, b64[(acc >> bits) & 63]);
			emitted++;
		}
	}
}

static void add_pattern(struct mask_set *set, size_t var, const char *form,
			const char *p, size_t n)
{
	if (!n)
		return;
	/* the same text under another form of this var adds nothing */
	for (size_t i = set->pat_nr; i-- > 0 && set->pat_var[i] == var;)
		if (set->pat_len[i] == n && !memcmp(set->pat[i], p, n))
			return;
	if (set->pat_nr == set->pat_alloc) {
		size_t a = set->pat_alloc ? st_mult(set->pat_alloc, 2) : 16;

		/* four parallel arrays grow together */
		set->pat = xrealloc(set->pat, st_mult(a, sizeof(*set->pat)));
		set->pat_len = xrealloc(set->pat_len,
					st_mult(a, sizeof(*set->pat_len)));
		set->pat_var = xrealloc(set->pat_var,
					st_mult(a, sizeof(*set->pat_var)));
		set->pat_form = xrealloc(set->pat_form,
					 st_mult(a, sizeof(*set->pat_form)));
		set->pat_alloc = a;
	}
	set->pat[set->pat_nr] = xmemdup(p, n);
	set->pat_len[set->pat_nr] = n;
	set->pat_var[set->pat_nr] = var;
	set->pat_form[set->pat_nr] = form;
	set->pat_nr++;
}

static void add_forms(struct mask_set *set, size_t var, const char *v, size_t n)
{
	struct strbuf sb = STRBUF_INIT;

	/* a short HEROKU_API_KEY is still hidden, as itself; its encoded
	 * forms would be as short and match anywhere */
	add_pattern(set, var, "value", v, n);
	if (n < MASK_MIN_LEN)
		return;
	form_json(&sb, v, n, false);
	add_pattern(set, var, "json", sb.buf, sb.len);
	strbuf_setlen(&sb, 0);
	form_json(&sb, v, n, true);
	add_pattern(set, var, "json", sb.buf, sb.len);
	strbuf_setlen(&sb, 0);
	form_url(&sb, v, n, false);
	add_pattern(set, var, "url", sb.buf, sb.len);
	strbuf_setlen(&sb, 0);
	form_url(&sb, v, n, true);
	add_pattern(set, var, "url", sb.buf, sb.len);
	for (unsigned a = 0; a < 3; a++) {
		strbuf_setlen(&sb, 0);
		form_base64(&sb, v, n, a);
		add_pattern(set, var, "base64", sb.buf, sb.len);
	}
	strbuf_release(&sb);
}

/* ---- the set ------------------------------------------------------------ */

/* 16 bits of a hash of p[0..4) */
static unsigned quad_key(const unsigned char *p)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
		     (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;

	return (unsigned)((v * 2654435761u) >> 16);
}

static int cmp_bytes(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	if (c)
		return c;
	return an < bn ? -1 : an > bn;
}

static int cmp_pattern(const void *a, const void *b)
{
	const struct pat_ref *x = a, *y = b;

	return cmp_bytes(x->p, x->n, y->p, y->n);
}

/* The worker: compile the literal set and its scratch. */
static void *compile_main(void *data)
{
	struct mask_set *set = data;
	int rc;

	rc = rules_literals_new(&set->lits, (const char *const *)set->pat,
				set->pat_len, set->pat_nr);
	if (rc >= 0)
		rc = rules_literals_scratch_new(&set->scratch, set->lits);
	set->c->rc = rc;
	error_save(&set->c->err, rc);
	atomic_store(&set->c->ready, true);
	return NULL;
}

/*
 * Wait for the matcher; 0, or ERR_FAIL with the compile error (again on
 * every call). The set is const to its users; the join is the one change
 * waiting makes, and it is made on the set's own thread.
 */
static int set_wait(const struct mask_set *set)
{
	struct mask_compile *c = set->c;

	if (c->running) {
		pthread_join(c->worker, NULL);
		c->running = false;
		if (c->rc < 0) {
			error_restore(&c->err);
			c->msg = xstrdup(error_last());
		}
	}
	if (c->rc < 0)
		return error_set("%s",
				 c->msg ? c->msg : "cannot build the masker");
	return 0;
}

static bool set_ready(const struct mask_set *set)
{
	return !set->c->running || atomic_load(&set->c->ready);
}

int mask_set_wait(const struct mask_set *set)
{
	return set ? set_wait(set) : 0;
}

/* Start the worker with signals blocked: they stay the main thread's. */
static void compile_start(struct mask_set *set)
{
	sigset_t all, old;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	set->c->running =
		!pthread_create(&set->c->worker, NULL, compile_main, set);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!set->c->running)
		compile_main(set); /* no thread: compile here */
}

void mask_set_free(struct mask_set *set)
{
	if (!set)
		return;
	if (set->c && set->c->running)
		pthread_join(set->c->worker, NULL);
	if (set->c) {
		free(set->c->err.msg); /* a failure never waited for */
		free(set->c->msg);
		free(set->c);
	}
	rules_literals_scratch_free(set->scratch);
	rules_literals_free(set->lits);
	for (size_t i = 0; i < set->pat_nr; i++) {
		memset(set->pat[i], 0, set->pat_len[i]);
		free(set->pat[i]);
	}
	for (size_t i = 0; i < set->name_nr; i++)
		free(set->name[i]);
	free(set->name);
	free(set->pat);
	free(set->pat_len);
	free(set->pat_var);
	free(set->pat_form);
	free(set->sorted);
	free(set);
}

int mask_set_new(struct mask_set **out, const struct mask_var *vars, size_t nr,
		 const char *const *public, size_t public_nr)
{
	struct mask_set *set = xcalloc(1, sizeof(*set));

	set->name = xcalloc(nr ? nr : 1, sizeof(char *));
	for (size_t i = 0; i < nr; i++) {
		bool always = !strcmp(vars[i].name, MASK_ALWAYS);
		size_t before = set->pat_nr;

		if (!always &&
		    (vars[i].value_len < MASK_MIN_LEN ||
		     mask_name_public(vars[i].name, public, public_nr)))
			continue;
		add_forms(set, set->name_nr, vars[i].value, vars[i].value_len);
		if (set->pat_nr > before)
			set->name[set->name_nr++] = xstrdup(vars[i].name);
	}
	set->sorted =
		xcalloc(set->pat_nr ? set->pat_nr : 1, sizeof(*set->sorted));
	for (size_t i = 0; i < set->pat_nr; i++) {
		const unsigned char *p = (const unsigned char *)set->pat[i];

		set->sorted[i].p = set->pat[i];
		set->sorted[i].n = set->pat_len[i];
		set->first[p[0] >> 3] |= (uint8_t)(1u << (p[0] & 7));
		if (set->pat_len[i] >= 2) {
			unsigned k = (unsigned)p[0] << 8 | p[1];

			set->pair[k >> 3] |= (uint8_t)(1u << (k & 7));
		}
		if (set->pat_len[i] >= 4) {
			unsigned k = quad_key(p);

			set->quad[k >> 3] |= (uint8_t)(1u << (k & 7));
		}
	}
	qsort(set->sorted, set->pat_nr, sizeof(*set->sorted), cmp_pattern);
	set->c = xcalloc(1, sizeof(*set->c));
	compile_start(set);
	*out = set;
	return 0;
}

size_t mask_set_secret_nr(const struct mask_set *set)
{
	return set ? set->name_nr : 0;
}

size_t mask_set_pattern_nr(const struct mask_set *set)
{
	return set ? set->pat_nr : 0;
}

const struct rules_literals *mask_set_literals(const struct mask_set *set)
{
	if (set_wait(set) < 0)
		BUG("mask_set_literals() before mask_set_wait() returned 0");
	return set->lits;
}

const char *mask_set_pattern_var(const struct mask_set *set, size_t id)
{
	return set->name[set->pat_var[id]];
}

const char *mask_set_pattern_form(const struct mask_set *set, size_t id)
{
	return set->pat_form[id];
}

/* Is p[0..n) the beginning of some pattern (a whole one included)? */
static bool starts_pattern(const struct mask_set *set, const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t lo = 0, hi = set->pat_nr;

	if (!(set->first[u[0] >> 3] & (1u << (u[0] & 7))))
		return false;
	if (n >= 2) {
		unsigned k = (unsigned)u[0] << 8 | u[1];

		if (!(set->pair[k >> 3] & (1u << (k & 7))))
			return false;
	}
	if (n >= 4) {
		/* a pattern shorter than 4 cannot start with p[0..n) */
		unsigned k = quad_key(u);

		if (!(set->quad[k >> 3] & (1u << (k & 7))))
			return false;
	}
	/* the first pattern not below p: if any starts with p, it does */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_bytes(set->sorted[mid].p, set->sorted[mid].n, p, n) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == set->pat_nr)
		return false;
	return set->sorted[lo].n >= n && !memcmp(set->sorted[lo].p, p, n);
}

/* ---- masking a buffer --------------------------------------------------- */

static int on_hit(size_t id, size_t start, size_t end, void *data)
{
	struct mask_stream *ms = data;

	ALLOC_GROW(ms->hits, ms->hits_nr + 1, ms->hits_alloc);
	ms->hits[ms->hits_nr].start = ms->hit_base + start;
	ms->hits[ms->hits_nr].end = ms->hit_base + end;
	ms->hits[ms->hits_nr].id = id;
	ms->hits_nr++;
	return 0;
}

static int cmp_hit(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	/* longest first: a value inside another is named by the outer */
	if (x->end != y->end)
		return x->end > y->end ? -1 : 1;
	return 0;
}

/*
 * Pass on p[0..n) after what ms->out holds: a long run (the catch-up
 * after the matcher became ready) goes to fn where it is, not through
 * a copy that would fault in as many new pages.
 */
static int emit(struct mask_stream *ms, const char *p, size_t n)
{
	int rc;

	if (n < MASK_DIRECT_MIN) {
		strbuf_add(&ms->out, p, n);
		return 0;
	}
	if (ms->out.len) {
		rc = ms->fn(ms->out.buf, ms->out.len, ms->data);
		strbuf_setlen(&ms->out, 0);
		if (rc < 0)
			return rc;
	}
	return ms->fn(p, n, ms->data);
}

/* Pass on bytes [from, to) of the text a[0..an) b[0..bn). */
static int emit_span(struct mask_stream *ms, const char *a, size_t an,
		     const char *b, size_t from, size_t to)
{
	int rc = 0;

	if (from < an) {
		rc = emit(ms, a + from, (to < an ? to : an) - from);
		from = an;
	}
	if (!rc && to > from)
		rc = emit(ms, b + (from - an), to - from);
	return rc;
}

/*
 * The hits in the text a[0..an) b[0..bn), offsets into the whole. With
 * b, a is a held tail (shorter than the longest pattern) and b is at
 * least the longest pattern long: the seam (a and the start of b) is
 * scanned for the values that begin in a, then b in place, so a write
 * is not copied to be scanned.
 */
static int find_hits(struct mask_stream *ms, const char *a, size_t an,
		     const char *b, size_t bn)
{
	const struct mask_set *set = ms->set;
	size_t maxl = rules_literals_max_len(set->lits), keep = 0;
	int rc;

	ms->hits_nr = 0;
	ms->hit_base = 0;
	if (!bn)
		return rules_literals_scan(set->lits, set->scratch, a, an,
					   on_hit, ms);
	if (an) {
		strbuf_reset(&ms->seam);
		strbuf_add(&ms->seam, a, an);
		strbuf_add(&ms->seam, b, maxl - 1);
		rc = rules_literals_scan(set->lits, set->scratch, ms->seam.buf,
					 ms->seam.len, on_hit, ms);
		if (rc < 0)
			return rc;
		/* those that begin in b are found again below */
		for (size_t i = 0; i < ms->hits_nr; i++)
			if (ms->hits[i].start < an)
				ms->hits[keep++] = ms->hits[i];
		ms->hits_nr = keep;
	}
	ms->hit_base = an;
	return rules_literals_scan(set->lits, set->scratch, b, bn, on_hit, ms);
}

/*
 * Mask the text a[0..an) b[0..bn) (b empty, or as find_hits() says):
 * append to ms->out everything up to where a held tail begins (the whole
 * of it when final), and return how many bytes were consumed.
 */
static int mask_span(struct mask_stream *ms, const char *a, size_t an,
		     const char *b, size_t bn, bool final, size_t *used)
{
	const struct mask_set *set = ms->set;
	size_t len = an + bn, hold = len, cur = 0, i = 0;
	size_t maxl = rules_literals_max_len(set->lits);
	int rc;

	rc = find_hits(ms, a, an, b, bn);
	if (rc < 0)
		return rc;
	if (!final && maxl > 1) {
		size_t from = len > maxl - 1 ? len - (maxl - 1) : 0;

		/* with b, from is in b: b is at least maxl - 1 long */
		for (size_t s = from; s < len; s++)
			if (starts_pattern(set, bn ? b + (s - an) : a + s,
					   len - s)) {
				hold = s;
				break;
			}
	}
	if (ms->hits_nr > 1)
		qsort(ms->hits, ms->hits_nr, sizeof(*ms->hits), cmp_hit);
	while (i < ms->hits_nr && ms->hits[i].start < hold) {
		size_t start = ms->hits[i].start, end = ms->hits[i].end;
		size_t best = ms->hits[i].id;

		/* overlapping values merge into one masked run, named by the
		 * longest (the first, by the sort) */
		for (i++; i < ms->hits_nr && ms->hits[i].start < end; i++)
			if (ms->hits[i].end > end)
				end = ms->hits[i].end;
		if (start < cur)
			start = cur; /* cannot happen with the merge; safety */
		if (!final && end > hold && end - start <= MASK_RUN_HOLD_MAX) {
			/* a value beginning in the held tail may overlap
			 * this run, and must merge into it: hold it all */
			hold = start;
			break;
		}
		rc = emit_span(ms, a, an, b, cur, start);
		if (rc < 0)
			return rc;
		strbuf_addf(&ms->out, "[masked %s]",
			    mask_set_pattern_var(set, best));
		cur = end;
	}
	if (cur < hold) {
		rc = emit_span(ms, a, an, b, cur, hold);
		if (rc < 0)
			return rc;
		cur = hold;
	}
	*used = cur;
	return 0;
}

int mask_stream_new(struct mask_stream **out, const struct mask_set *set,
		    mask_write_fn fn, void *data)
{
	struct mask_stream *ms = xcalloc(1, sizeof(*ms));

	ms->set = set;
	ms->fn = fn;
	ms->data = data;
	strbuf_init(&ms->pending, 0);
	strbuf_init(&ms->seam, 0);
	strbuf_init(&ms->out, 0);
	*out = ms;
	return 0;
}

static int pass_on(struct mask_stream *ms, bool final)
{
	size_t used = 0;
	int rc;

	if (!ms->set || !ms->set->pat_nr) {
		used = ms->pending.len;
		rc = emit(ms, ms->pending.buf, used);
	} else {
		rc = mask_span(ms, ms->pending.buf, ms->pending.len, NULL, 0,
			       final, &used);
	}
	if (rc < 0)
		return rc;
	/* drop what went out; the buffer is wiped whole when the stream
	 * is freed (not here: that is a pass over every byte relayed) */
	memmove(ms->pending.buf, ms->pending.buf + used,
		ms->pending.len - used);
	strbuf_setlen(&ms->pending, ms->pending.len - used);
	rc = 0;
	if (ms->out.len)
		rc = ms->fn(ms->out.buf, ms->out.len, ms->data);
	strbuf_setlen(&ms->out, 0);
	return rc;
}

/*
 * A write at least the longest pattern long after a short held tail:
 * masked where it is, only the new held tail is copied.
 */
static int write_in_place(struct mask_stream *ms, const char *buf, size_t len)
{
	size_t used = 0;
	int rc;

	rc = mask_span(ms, ms->pending.buf, ms->pending.len, buf, len, false,
		       &used);
	if (rc < 0)
		return rc;
	if (used < ms->pending.len) {
		/* a masked run from the old tail on is held */
		memmove(ms->pending.buf, ms->pending.buf + used,
			ms->pending.len - used);
		strbuf_setlen(&ms->pending, ms->pending.len - used);
		strbuf_add(&ms->pending, buf, len);
	} else {
		used -= ms->pending.len;
		strbuf_setlen(&ms->pending, 0);
		strbuf_add(&ms->pending, buf + used, len - used);
	}
	rc = 0;
	if (ms->out.len)
		rc = ms->fn(ms->out.buf, ms->out.len, ms->data);
	strbuf_setlen(&ms->out, 0);
	return rc;
}

int mask_stream_write(struct mask_stream *ms, const char *buf, size_t len)
{
	size_t maxl;
	int rc;

	if (!len)
		return 0;
	if (ms->set && !set_ready(ms->set) &&
	    ms->pending.len + len <= MASK_EARLY_MAX) {
		strbuf_add(&ms->pending, buf, len);
		return 0; /* held until the matcher is ready */
	}
	rc = mask_set_wait(ms->set);
	if (rc < 0)
		return rc;
	if (ms->set && ms->set->pat_nr) {
		maxl = rules_literals_max_len(ms->set->lits);
		if (ms->pending.len < maxl && len >= maxl)
			return write_in_place(ms, buf, len);
	}
	strbuf_add(&ms->pending, buf, len);
	return pass_on(ms, false);
}

int mask_stream_close(struct mask_stream *ms)
{
	int rc;

	if (!ms->pending.len)
		return 0;
	rc = mask_set_wait(ms->set);
	if (rc < 0)
		return rc;
	return pass_on(ms, true);
}

void mask_stream_free(struct mask_stream *ms)
{
	if (!ms)
		return;
	/* it may have held a value, anywhere it reached */
	if (ms->pending.alloc)
		memset(ms->pending.buf, 0, ms->pending.alloc);
	strbuf_release(&ms->pending);
	if (ms->seam.alloc)
		memset(ms->seam.buf, 0, ms->seam.alloc);
	strbuf_release(&ms->seam);
	strbuf_release(&ms->out);
	free(ms->hits);
	free(ms);
}

int mask_write_fd(const char *buf, size_t len, void *data)
{
	return fs_write_all(*(const int *)data, buf, len);
}

static int to_strbuf(const char *buf, size_t len, void *data)
{
	strbuf_add(data, buf, len);
	return 0;
}

int mask_strbuf(const struct mask_set *set, struct strbuf *sb)
{
	struct strbuf res = STRBUF_INIT;
	struct mask_stream *ms = NULL;
	int rc;

	if (!set || !set->pat_nr || !sb->len)
		return 0;
	mask_stream_new(&ms, set, to_strbuf, &res);
	rc = mask_stream_write(ms, sb->buf, sb->len);
	if (rc >= 0)
		rc = mask_stream_close(ms);
	memset(sb->buf, 0, sb->len);
	strbuf_setlen(sb, 0);
	if (rc >= 0)
		strbuf_addbuf(sb, &res);
	mask_stream_free(ms);
	strbuf_release(&res);
	return rc;
}
