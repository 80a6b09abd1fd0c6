/* SPDX-License-Identifier: MIT */
/*
 * The matcher: one Hyperscan block-mode database of every rule keyword
 * (caseless literals) finds candidate positions; each hit runs only the
 * rules owning that keyword, with PCRE2 (JIT), over a bounded window
 * around the hit (its line, capped). Rule regexes are compiled lazily on
 * first use, so a small scan (a pre-push range) compiles only what it
 * touches. Then filters (entropy, placeholders, stopwords, allowlists),
 * de-duplication, and line/column in buffer order.
 *
 * This file drives one scan and reports; compile.c builds the rule set,
 * prefilter.c finds keywords, window.c runs a rule and its filters.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "rules/matcher.h"

static bool path_allowed(const struct rules *r, pcre2_match_data *md,
			 const char *path)
{
	for (size_t i = 0; i < r->allow_path_nr; i++)
		if (rules_re_matches(r, r->allow_path[i], md, path,
				     strlen(path)))
			return true;
	return false;
}

bool rules_path_allowed(const struct rules *r, const char *path)
{
	pcre2_match_data *md;
	bool ok;

	if (!r || !path || !r->allow_path_nr)
		return false;
	md = pcre2_match_data_create(4, NULL);
	if (!md)
		die("out of memory");
	ok = path_allowed(r, md, path);
	pcre2_match_data_free(md);
	return ok;
}

static int cmp_hit(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	if ((x->rule == SIZE_MAX) != (y->rule == SIZE_MAX))
		return x->rule == SIZE_MAX ? -1 : 1;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	if (x->len != y->len)
		return x->len > y->len ? -1 : 1;
	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	return 0;
}

static bool overlaps(const struct hit *a, const struct hit *b)
{
	return a->off < b->off + b->len && b->off < a->off + a->len;
}

/*
 * A rule that names no vendor: the generic one, or a container of values
 * (a Kubernetes Secret's entry). A vendor rule inside its match wins.
 */
static bool weak(const struct rules *r, size_t ri)
{
	return r->rule[ri]->flags & RULE_GENERIC ||
	       (r->bx[ri] && r->bx[ri]->xflags & RX_DECODE64);
}

/*
 * Drops exact duplicates (same place, several windows or rules) and a
 * weak finding overlapped by a specific one.
 */
static void dedupe(struct rules_scratch *s)
{
	const struct rules *r = s->r;
	size_t w = 0;

	if (s->hits_nr > 1)
		qsort(s->hits, s->hits_nr, sizeof(*s->hits), cmp_hit);
	for (size_t i = 0; i < s->hits_nr; i++) {
		struct hit *h = &s->hits[i];
		bool drop = false;

		if (h->rule == SIZE_MAX) {
			s->hits[w++] = *h;
			continue;
		}
		if (w && s->hits[w - 1].rule != SIZE_MAX &&
		    s->hits[w - 1].off == h->off &&
		    s->hits[w - 1].len == h->len)
			continue;
		if (weak(r, h->rule)) {
			size_t lo = i > 16 ? i - 16 : 0;
			size_t hi = i + 16 < s->hits_nr ? i + 16 : s->hits_nr;

			for (size_t j = lo; j < hi && !drop; j++)
				drop = j != i && s->hits[j].rule != SIZE_MAX &&
				       !weak(r, s->hits[j].rule) &&
				       overlaps(h, &s->hits[j]);
		}
		if (!drop)
			s->hits[w++] = *h;
	}
	s->hits_nr = w;
}

static bool line_allowed(const char *buf, size_t len, size_t ls)
{
	size_t le = rules_line_end(buf, len, ls, len - ls);

	return rules_memcasemem(buf + ls, le - ls, ALLOW_MARK,
				strlen(ALLOW_MARK)) ||
	       rules_memcasemem(buf + ls, le - ls, GITLEAKS_ALLOW_MARK,
				strlen(GITLEAKS_ALLOW_MARK));
}

/* Allowlist regexes whose target is the whole match or the line. */
static bool context_allowed(struct rules_scratch *s, const struct hit *h,
			    size_t ls)
{
	const struct rules *r = s->r;
	size_t le;

	if (rules_any_matches(r, r->allow_match, r->allow_match_nr, s->md,
			      s->buf + h->moff, h->mlen))
		return true;
	if (!r->allow_line_nr)
		return false;
	le = rules_line_end(s->buf, s->len, ls, s->len - ls);
	return rules_any_matches(r, r->allow_line, r->allow_line_nr, s->md,
				 s->buf + ls, le - ls);
}

/*
 * The same secret by the same rule earlier on the line (api_key = "X" if
 * old_api_key != "X"): one finding, as its fingerprint is one.
 */
static bool repeated_on_line(const struct rules_scratch *s, size_t i, size_t ls)
{
	const struct hit *h = &s->hits[i];

	while (i-- > 0) {
		const struct hit *p = &s->hits[i];

		if (p->rule == SIZE_MAX || p->off < ls)
			break;
		if (p->rule == h->rule && p->len == h->len &&
		    !memcmp(s->buf + p->off, s->buf + h->off, h->len))
			return true;
	}
	return false;
}

/* What of a buffer the keyword prefilter looks at. */
struct range {
	const struct rules_span *v; /* changed spans: keywords around */
	size_t nr; /* them, not all (none: nothing changed) */
};

static int scan_buf(const struct rules *r, struct rules_scratch *s,
		    const char *path, const char *buf, size_t len, bool binary,
		    const struct range *rg, rules_match_fn fn, void *data);

/* Findings in a decoded value, reported at the encoded value's place. */
struct decoded_ctx {
	rules_match_fn fn;
	void *data;
	const struct rules_match *outer;
	size_t nr;
};

static int on_decoded(const struct rules_match *m, void *data)
{
	struct decoded_ctx *d = data;
	struct rules_match x = *m;

	x.line = d->outer->line;
	x.column = d->outer->column;
	x.offset = d->outer->offset;
	d->nr++;
	return d->fn(&x, d->data);
}

/*
 * An RX_DECODE64 value (a Kubernetes Secret's data: entry) that decodes
 * to text: scans the text and reports what it holds in place of m. *nr
 * counts those findings (0: report m itself).
 */
static int emit_decoded(struct rules_scratch *s, const struct rules_match *m,
			rules_match_fn fn, void *data, size_t *nr)
{
	struct decoded_ctx d = { fn, data, m, 0 };
	size_t n;
	int rc;

	*nr = 0;
	if (s->nested)
		return 0;
	ALLOC_GROW(s->decoded, m->secret_len + 1, s->decoded_alloc);
	n = rules_base64_text(s->decoded, m->secret, m->secret_len);
	if (!n)
		return 0;
	if (!s->inner) {
		rc = rules_scratch_new(&s->inner, s->r);
		if (rc < 0)
			return rc;
		s->inner->nested = true;
	}
	rc = scan_buf(s->r, s->inner, NULL, s->decoded, n, false, NULL,
		      on_decoded, &d);
	*nr = d.nr;
	return rc;
}

static int emit(struct rules_scratch *s, const char *path, rules_match_fn fn,
		void *data)
{
	const struct rules *r = s->r;
	size_t pos = 0, line = 1, ls = 0;

	for (size_t i = 0; i < s->hits_nr; i++) {
		const struct hit *h = &s->hits[i];
		struct rules_match m;
		size_t mls;
		int rc;

		if (h->rule == SIZE_MAX) { /* path-only finding */
			memset(&m, 0, sizeof(m));
			m.rule = r->rule[h->moff];
			m.line = 1;
			m.column = 1;
			m.secret = path;
			m.secret_len = strlen(path);
			rc = fn(&m, data);
			if (rc < 0)
				return rc;
			continue;
		}
		while (pos < h->off) {
			const char *nl =
				memchr(s->buf + pos, '\n', h->off - pos);

			if (!nl) {
				pos = h->off;
				break;
			}
			pos = (size_t)(nl - s->buf) + 1;
			ls = pos;
			line++;
		}
		if (line_allowed(s->buf, s->len, ls) ||
		    repeated_on_line(s, i, ls))
			continue;
		mls = rules_line_start(s->buf, h->moff, h->moff);
		if (mls != ls && line_allowed(s->buf, s->len, mls))
			continue;
		if (context_allowed(s, h, ls))
			continue;
		m.rule = r->rule[h->rule];
		m.line = line;
		m.column = h->off - ls + 1;
		m.offset = h->off;
		m.secret = s->buf + h->off;
		m.secret_len = h->len;
		m.entropy = h->entropy;
		if (r->bx[h->rule] && r->bx[h->rule]->xflags & RX_DECODE64) {
			size_t nr = 0;

			rc = emit_decoded(s, &m, fn, data, &nr);
			if (rc < 0)
				return rc;
			if (nr)
				continue;
		}
		rc = fn(&m, data);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void push_path_only(struct rules_scratch *s, size_t ri)
{
	struct hit *hit;

	ALLOC_GROW(s->hits, s->hits_nr + 1, s->hits_alloc);
	hit = &s->hits[s->hits_nr++];
	memset(hit, 0, sizeof(*hit));
	hit->rule = SIZE_MAX;
	hit->moff = ri;
}

/* Marks rules whose path restriction excludes path; false if any applies
 * at all. */
static void select_paths(struct rules_scratch *s, const char *path)
{
	const struct rules *r = s->r;
	size_t len = path ? strlen(path) : 0;

	for (size_t i = 0; i < r->pathr_nr; i++) {
		size_t ri = r->pathr[i];

		s->skip[ri] = !path ||
			      !rules_re_matches(r, rules_path_code(s, ri, len),
						s->md, path, len);
	}
}

int rules_scan_path(const struct rules *r, struct rules_scratch *s,
		    const char *path, rules_match_fn fn, void *data)
{
	if (!path || path_allowed(r, s->md, path))
		return 0;
	s->hits_nr = 0;
	select_paths(s, path);
	for (size_t i = 0; i < r->pathc_nr; i++) {
		size_t ri = r->pathc[i];

		if (!s->skip[ri] && !r->rule[ri]->regex)
			push_path_only(s, ri);
	}
	s->buf = "";
	s->len = 0;
	return emit(s, path, fn, data);
}

/*
 * The keywords that can find a match M overlapping the changed region
 * [a, b) (M starts before b and ends after a). A one-line rule's window
 * is its keyword's line, capped at WINDOW_CAP bytes either side of the
 * keyword (rules_keyword_hit()): the keyword is on a line that meets
 * [a, b), at most WINDOW_CAP + its length before a. A multi-line rule's
 * window starts on its keyword's line and ends at most MULTILINE_WINDOW
 * after that line's start: its keywords up to MULTILINE_WINDOW before a.
 */
/* Where keywords that can reach into a span ending at to may end: the
 * end of its line, and a keyword starting before that ends by it + its
 * length. */
static size_t margin_end(const struct rules_scratch *s, size_t to)
{
	size_t kw = s->r->max_kw_len;

	to = rules_line_end(s->buf, s->len, to, WINDOW_CAP);
	return s->len - to > kw ? to + kw : s->len;
}

static int prefilter_region(struct rules_scratch *s, const struct range *rg)
{
	const struct rules *r = s->r;
	size_t kw = r->max_kw_len, done = 0;
	bool wide_kw = r->wide.pair_nr || r->wide.quad_nr || r->wide.single_nr;
	int rc = 0;

	/* Spans whose margins meet are looked at together; bytes before
	 * done were looked at for every keyword already. */
	for (size_t i = 0; i < rg->nr && !rc; i++) {
		size_t from = rules_line_start(s->buf, rg->v[i].from,
					       WINDOW_CAP + kw);
		size_t to = margin_end(s, rg->v[i].to);
		size_t wide;

		while (i + 1 < rg->nr &&
		       rules_line_start(s->buf, rg->v[i + 1].from,
					WINDOW_CAP + kw) <= to)
			to = margin_end(s, rg->v[++i].to);
		wide = from > MULTILINE_WINDOW ? from - MULTILINE_WINDOW : 0;
		if (!wide_kw)
			wide = from;
		/* both raised to done at least: wide stays <= from */
		if (wide < done)
			wide = done;
		if (from < done)
			from = done;
		if (from < to)
			rc = rules_prefilter_split(s, wide, from, to);
		if (to > done)
			done = to;
	}
	s->narrow_from = 0;
	return rc;
}

static int scan_buf(const struct rules *r, struct rules_scratch *s,
		    const char *path, const char *buf, size_t len, bool binary,
		    const struct range *rg, rules_match_fn fn, void *data)
{
	int rc = 0;

	if (s->r != r)
		BUG("scratch used with another rule set");
	if (path && path_allowed(r, s->md, path))
		return 0;
	if (!buf)
		buf = "";
	s->buf = buf;
	s->len = len;
	s->err = 0;
	s->hits_nr = 0;
	s->lockfile = path && rules_is_lockfile(path);
	s->docs = path && rules_is_docs(path);
	s->vendor_path = path && rules_names_vendor(path, strlen(path));
	for (size_t i = 0; i < r->nr; i++) {
		const struct rule *rule = r->rule[i];

		s->win_start[i] = 0;
		s->win_end[i] = 0;
		/* binary: only context-free rules and findings by path */
		s->skip[i] = binary && !(rule->flags & RULE_BINARY) &&
			     !(rule->flags & RULE_PATH_CONTENT && !rule->regex);
		/* docs: a built-in rule that needs a name around the value
		 * finds the guide's samples; config rules still run */
		if (s->docs && r->bx[i] && !(rule->flags & RULE_BINARY))
			s->skip[i] = true;
		if (r->bx[i] && r->bx[i]->xflags & RX_VENDOR &&
		    (!path || !rules_is_config_file(path)))
			s->skip[i] = true;
	}
	select_paths(s, path);
	for (size_t i = 0; binary && i < r->pathr_nr; i++) {
		size_t ri = r->pathr[i];

		s->skip[ri] = s->skip[ri] ||
			      (!(r->rule[ri]->flags & RULE_BINARY) &&
			       !(r->rule[ri]->flags & RULE_PATH_CONTENT &&
				 !r->rule[ri]->regex));
	}

	for (size_t i = 0; i < r->pathc_nr; i++) {
		size_t ri = r->pathc[i];

		if (s->skip[ri])
			continue;
		if (!r->rule[ri]->regex) {
			push_path_only(s, ri);
			continue;
		}
		rc = rules_run_window(s, ri, 0, len);
		if (rc < 0)
			goto out;
	}
	for (size_t i = 0; i < r->nokw_nr; i++) {
		size_t ri = r->nokw[i];

		if (s->skip[ri])
			continue;
		rc = rules_run_window(s, ri, 0, len);
		if (rc < 0)
			goto out;
	}
	if (rg)
		rc = prefilter_region(s, rg);
	else
		rc = rules_prefilter(s, 0, len);
	if (rc < 0)
		goto out;
	/* path-only hits sort first: their offset is 0 and length 0 */
	dedupe(s);
	rc = emit(s, path, fn, data);
out:
	s->buf = NULL;
	return rc;
}

int rules_scan(const struct rules *r, struct rules_scratch *s, const char *path,
	       const char *buf, size_t len, rules_match_fn fn, void *data)
{
	return scan_buf(r, s, path, buf, len, false, NULL, fn, data);
}

int rules_scan_region(const struct rules *r, struct rules_scratch *s,
		      const char *path, const char *buf, size_t len,
		      size_t from, size_t to, rules_match_fn fn, void *data)
{
	struct rules_span one = { from, to };

	return rules_scan_spans(r, s, path, buf, len, &one, 1, fn, data);
}

int rules_scan_spans(const struct rules *r, struct rules_scratch *s,
		     const char *path, const char *buf, size_t len,
		     const struct rules_span *spans, size_t nr,
		     rules_match_fn fn, void *data)
{
	struct range rg = { spans, nr };

	for (size_t i = 0; i < nr; i++)
		if (spans[i].from > spans[i].to || spans[i].to > len ||
		    (i && spans[i].from < spans[i - 1].to))
			BUG("span %zu..%zu out of order or outside a buffer "
			    "of %zu bytes",
			    spans[i].from, spans[i].to, len);
	return scan_buf(r, s, path, buf, len, false, &rg, fn, data);
}

int rules_scan_binary(const struct rules *r, struct rules_scratch *s,
		      const char *path, const char *buf, size_t len,
		      rules_match_fn fn, void *data)
{
	return scan_buf(r, s, path, buf, len, true, NULL, fn, data);
}
