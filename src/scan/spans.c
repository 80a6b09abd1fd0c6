/* SPDX-License-Identifier: MIT */
/*
 * Where a blob differs from an earlier version of it (its base), as the
 * changed spans rules_scan_spans() looks for keywords around.
 *
 * The bytes both share at the start and at the end are cut first. What
 * is left in the middle is compared line by line: a line of the blob
 * that stands, in order, where the same line stands in the base is not
 * changed; the others are, and so is every place where the base had lines
 * the blob lacks (an empty span there). Only the alignment's order
 * matters for what is found, not that it is the shortest: lines taken as
 * unchanged are the base's, in the base's order, with nothing of the
 * base between two of them unless an empty span marks it. So a run of
 * unchanged lines is a run of the base's bytes, and a secret wholly
 * inside one is in the base: not new, as the attribution in commits.c
 * decides anyway. A secret that is new reaches into a span or crosses an
 * empty one, which rules_scan_spans() finds.
 *
 * The alignment is greedy and looks only a little ahead: both versions
 * in step as long as their bytes are (eight at a time); at a line that
 * differs, the same line a little further on in the base (the lines
 * between were deleted), else the base's line a little further on in
 * the blob (the lines between were added), else a changed line. On a
 * git.git push the 67 blobs left 462 KB between prefix and suffix, 38 KB
 * of it added lines (git log -p -U0), and looking for keywords costs
 * ~2.5 ns a byte: a hash of every line of both versions (a patience-like
 * alignment) cost as much as it saved, and so did splitting every line.
 */
/* memmem() */
#define _GNU_SOURCE
#include "slugguard/common.h"
#include "slugguard/rules.h"
#include "scan-internal.h"

/* Spans closer than this are one (the matcher reads whole lines anyway). */
#define SPAN_GAP 64
/* More spans: one span over the middle. */
#define SPANS_MAX 256
/* How far on a differing line is looked for, in bytes. */
#define LOOKAHEAD 512

/* Bytes a and b share at their start, of the first n. */
static size_t common_prefix(const char *a, const char *b, size_t n)
{
	size_t i = 0;
	uint64_t x, y;

	/* eight bytes a step: a blob and its base share most of it */
	for (; i + 8 <= n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			break;
	}
	while (i < n && a[i] == b[i])
		i++;
	return i;
}

/* Bytes shared at the end by a and b, which end at a_end and b_end; at
 * most n. */
static size_t common_suffix(const char *a_end, const char *b_end, size_t n)
{
	size_t i = 0;
	uint64_t x, y;

	for (; i + 8 <= n; i += 8) {
		memcpy(&x, a_end - i - 8, 8);
		memcpy(&y, b_end - i - 8, 8);
		if (x != y)
			break;
	}
	while (i < n && a_end[-(ptrdiff_t)i - 1] == b_end[-(ptrdiff_t)i - 1])
		i++;
	return i;
}

/* The end of the line starting at at (past its '\n'), or end. */
static size_t line_end(const char *buf, size_t at, size_t end)
{
	const char *nl = memchr(buf + at, '\n', end - at);

	return nl ? (size_t)(nl - buf) + 1 : end;
}

/* The lookahead's work, counted in bytes searched: past it, one span. */
struct budget {
	size_t left;
};

static bool spend(struct budget *b, size_t n)
{
	if (b->left < n) {
		b->left = 0;
		return false;
	}
	b->left -= n;
	return true;
}

/*
 * Where the line line[0, n) stands whole in hay[from, end), starting at
 * a line start within LOOKAHEAD bytes of from (itself a line start);
 * SIZE_MAX when it does not, or when the budget is spent. One memmem()
 * of the line with the '\n' before it, so that a line found inside
 * another costs no second search: linear in the window. The last line,
 * without its '\n', can only stand at the end.
 */
static size_t find_line(const char *hay, size_t from, size_t end,
			const char *line, size_t n, struct budget *b)
{
	char needle[LOOKAHEAD + 1];
	size_t last = end - from > LOOKAHEAD ? from + LOOKAHEAD : end;
	size_t win = end - from < LOOKAHEAD + n ? end - from : LOOKAHEAD + n;
	const char *p;

	if (!n || n > LOOKAHEAD || end - from < n || !spend(b, win + n))
		return SIZE_MAX;
	if (line[n - 1] != '\n') {
		size_t x = end - n;

		return x < last && (x == from || hay[x - 1] == '\n') &&
				       !memcmp(hay + x, line, n) ?
			       x :
			       SIZE_MAX;
	}
	if (!memcmp(hay + from, line, n))
		return from;
	needle[0] = '\n';
	memcpy(needle + 1, line, n);
	p = memmem(hay + from, win, needle, n + 1);
	if (!p || (size_t)(p - hay) + 1 >= last)
		return SIZE_MAX;
	return (size_t)(p - hay) + 1;
}

static void add_span(struct rules_span *v, size_t *nr, size_t from, size_t to)
{
	if (*nr && v[*nr - 1].to + SPAN_GAP >= from) {
		if (to > v[*nr - 1].to)
			v[*nr - 1].to = to;
		return;
	}
	if (*nr < SPANS_MAX) {
		v[*nr].from = from;
		v[*nr].to = to;
	}
	(*nr)++;
}

size_t scan_changed_spans(struct rules_span **out, const char *buf, size_t len,
			  const char *base, size_t base_len)
{
	size_t n = len < base_len ? len : base_len;
	size_t pre = common_prefix(buf, base, n);
	size_t suf = common_suffix(buf + len, base + base_len, n - pre);
	size_t aend = len - suf, bend = base_len - suf;
	struct rules_span *v = xcalloc(SPANS_MAX, sizeof(*v));
	/* at most four bytes searched a byte of the middles, and 64 KB */
	struct budget b = { 4 * (aend - pre + bend - pre) + 65536 };
	size_t nr = 0, p, q, lo;

	*out = v;
	/* the line the first difference is on starts at the same place in
	 * both: what comes before it is shared */
	for (p = pre; p && buf[p - 1] != '\n'; p--)
		;
	q = p;
	lo = p;
	while (p < aend && nr <= SPANS_MAX && b.left) {
		size_t d = common_prefix(buf + p, base + q,
					 aend - p < bend - q ? aend - p :
							       bend - q);
		size_t pe, qe, k;

		/* in step up to the line holding the first difference */
		p += d;
		q += d;
		if (p == aend)
			break;
		while (p > lo && buf[p - 1] != '\n') {
			p--;
			q--;
		}
		pe = line_end(buf, p, aend);
		/* the base's lines up to k deleted, this line kept */
		k = find_line(base, q, bend, buf + p, pe - p, &b);
		if (k != SIZE_MAX) {
			add_span(v, &nr, p, p);
			q = k + (pe - p);
			p = lo = pe;
			continue;
		}
		/* lines added before the base's line */
		qe = q < bend ? line_end(base, q, bend) : q;
		k = q < bend ? find_line(buf, pe, aend, base + q, qe - q, &b) :
			       SIZE_MAX;
		if (k != SIZE_MAX) {
			add_span(v, &nr, p, k);
			p = lo = k + (qe - q);
			q = qe;
			continue;
		}
		/* a changed line (the base's, if any, deleted) */
		add_span(v, &nr, p, pe);
		p = lo = pe;
		q = qe;
	}
	/* base lines left: deleted at the end */
	if (nr <= SPANS_MAX && q < bend)
		add_span(v, &nr, aend, aend);
	/* too many spans, or the lookahead spent its budget (a rewrite) */
	if (nr > SPANS_MAX || !b.left) {
		nr = 1;
		v[0].from = pre;
		v[0].to = aend;
	}
	return nr;
}
