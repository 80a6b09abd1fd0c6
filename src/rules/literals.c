/* SPDX-License-Identifier: MIT */
/*
 * Literal sets: exact strings matched together in one pass over the
 * bytes, so the masker and the slug check cost the same whatever the
 * number of config vars (a pass per value would cost 200 passes for 200
 * vars).
 *
 * Two matchers share the work. Long literals (at least LIT_LONG_MIN bytes:
 * most config values and their base64 forms) go to a sampled table: an
 * occurrence of a literal of length L >= stride + 7 covers an 8-byte
 * window starting at a multiple of the stride, at offset below the
 * stride, so only every stride-th position of the buffer is looked at
 * (one multiply and a bitmap test), and each occurrence is seen exactly
 * once. Hyperscan's literal mode (about 1 GB/s with 800 literals)
 * would look at every byte; the table does 100 MB in about a tenth of
 * the time. Shorter literals stay with Hyperscan. Hits of both are
 * reported merged in order of end, as Hyperscan alone did.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/strbuf.h"
#include "slugguard/rules.h"
#include "rules/hs-dl.h"

#include <limits.h>
#include <string.h>

/* Hyperscan takes an unsigned length: scan giant buffers in chunks. */
#define LIT_CHUNK ((size_t)1 << 30)

/* The sampled table's window, shortest stride and longest stride. */
#define GRAM 8
#define STRIDE_MIN 16
#define STRIDE_MAX 64
#define LIT_LONG_MIN (STRIDE_MIN + GRAM - 1)

/* One 8-byte window of a long literal, at offset off (< the stride). */
struct gram {
	uint64_t g;
	uint32_t id;
	uint32_t off;
};

struct rules_literals {
	hs_database_t *db; /* the short literals; NULL when there are none */
	size_t *len; /* per id */
	size_t nr;
	size_t max_len;
	/* the sampled table of the long literals (none: grams_nr 0) */
	size_t stride;
	char **lit; /* per id: a copy of a long literal, NULL for a short */
	struct gram *grams; /* sorted by g */
	size_t grams_nr;
	uint64_t *bits; /* 1 << bits_log2 bits: hash of g present */
	unsigned bits_log2;
};

/* A long literal's occurrence, held to be merged in order of end. */
struct long_hit {
	size_t id, start, end;
};

struct rules_literals_scratch {
	hs_scratch_t *hs;
	struct long_hit *hits;
	size_t hits_nr, hits_alloc;
	struct strbuf pad; /* the tail of a scan (rules_hs_scan_buf) */
};

struct lit_scan {
	const struct rules_literals *l;
	size_t base; /* offset of the chunk in the caller's buffer */
	size_t skip_end; /* matches ending at or before this were reported */
	rules_literal_fn fn;
	void *data;
	int err;
	const struct long_hit *hits; /* long hits sorted by end */
	size_t hits_nr, next; /* next: the first not yet reported */
};

static uint64_t load_gram(const char *p)
{
	uint64_t g;

	memcpy(&g, p, sizeof(g));
	return g;
}

static size_t gram_hash(uint64_t g, unsigned log2)
{
	return (size_t)((g * 0x9E3779B97F4A7C15ull) >> (64 - log2));
}

static bool gram_bit(const struct rules_literals *l, uint64_t g)
{
	size_t h = gram_hash(g, l->bits_log2);

	return l->bits[h >> 6] & ((uint64_t)1 << (h & 63));
}

static int cmp_gram(const void *a, const void *b)
{
	const struct gram *x = a, *y = b;

	if (x->g != y->g)
		return x->g < y->g ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

/*
 * The sampled table over the literals of at least LIT_LONG_MIN bytes: the
 * stride is the shortest of them less 7 (so every occurrence covers a
 * sampled window), capped, and each contributes its windows at offsets
 * 0 .. stride - 1.
 */
static void build_long(struct rules_literals *l, const char *const *lits)
{
	size_t shortest = SIZE_MAX, n = 0, bits_nr;

	for (size_t i = 0; i < l->nr; i++)
		if (l->len[i] >= LIT_LONG_MIN && l->len[i] < shortest)
			shortest = l->len[i];
	if (shortest == SIZE_MAX)
		return;
	l->stride = shortest - (GRAM - 1);
	if (l->stride > STRIDE_MAX)
		l->stride = STRIDE_MAX;
	l->lit = xcalloc(l->nr, sizeof(*l->lit));
	for (size_t i = 0; i < l->nr; i++)
		if (l->len[i] >= LIT_LONG_MIN)
			n++;
	l->grams = xcalloc(st_mult(n, l->stride), sizeof(*l->grams));
	for (size_t i = 0; i < l->nr; i++) {
		if (l->len[i] < LIT_LONG_MIN)
			continue;
		l->lit[i] = xmemdup(lits[i], l->len[i]);
		for (size_t off = 0; off < l->stride; off++) {
			struct gram *g = &l->grams[l->grams_nr++];

			g->g = load_gram(lits[i] + off);
			g->id = (uint32_t)i;
			g->off = (uint32_t)off;
		}
	}
	qsort(l->grams, l->grams_nr, sizeof(*l->grams), cmp_gram);
	/* about 64 bits per window: 1-2% of the sampled positions reach
	 * the binary search; at least 8 KiB, at most 2 MiB */
	for (l->bits_log2 = 16; l->bits_log2 < 24; l->bits_log2++)
		if (((size_t)1 << l->bits_log2) >= st_mult(l->grams_nr, 64))
			break;
	bits_nr = (size_t)1 << l->bits_log2;
	l->bits = xcalloc(bits_nr / 64, sizeof(uint64_t));
	for (size_t i = 0; i < l->grams_nr; i++) {
		size_t h = gram_hash(l->grams[i].g, l->bits_log2);

		l->bits[h >> 6] |= (uint64_t)1 << (h & 63);
	}
}

void rules_literals_free(struct rules_literals *l)
{
	if (!l)
		return;
	if (l->db)
		hs_free_database(l->db);
	if (l->lit)
		for (size_t i = 0; i < l->nr; i++)
			free(l->lit[i]);
	free(l->lit);
	free(l->grams);
	free(l->bits);
	free(l->len);
	free(l);
}

int rules_literals_new(struct rules_literals **out, const char *const *lits,
		       const size_t *lens, size_t nr)
{
	struct rules_literals *l = NULL;
	unsigned *flags = NULL, *ids = NULL;
	const char **shorts = NULL;
	size_t *short_lens = NULL, short_nr = 0;
	hs_compile_error_t *cerr = NULL;
	int rc = 0;

	*out = NULL;
	if (nr > UINT32_MAX)
		return error_set("too many literals (%zu)", nr);
	l = xcalloc(1, sizeof(*l));
	l->nr = nr;
	l->len = xcalloc(nr ? nr : 1, sizeof(size_t));
	for (size_t i = 0; i < nr; i++) {
		if (!lens[i])
			BUG("empty literal %zu", i);
		l->len[i] = lens[i];
		if (lens[i] > l->max_len)
			l->max_len = lens[i];
	}
	build_long(l, lits);
	flags = xcalloc(nr ? nr : 1, sizeof(unsigned));
	ids = xcalloc(nr ? nr : 1, sizeof(unsigned));
	shorts = xcalloc(nr ? nr : 1, sizeof(*shorts));
	short_lens = xcalloc(nr ? nr : 1, sizeof(size_t));
	for (size_t i = 0; i < nr; i++) {
		if (l->lit && l->lit[i])
			continue;
		ids[short_nr] = (unsigned)i;
		shorts[short_nr] = lits[i];
		short_lens[short_nr++] = lens[i];
	}
	if (!short_nr)
		goto done; /* Hyperscan is not even loaded */
	rc = rules_hs_load();
	if (rc < 0)
		goto out;
	if (hs_compile_lit_multi(shorts, flags, ids, short_lens,
				 (unsigned)short_nr, HS_MODE_BLOCK, NULL,
				 &l->db, &cerr) != HS_SUCCESS) {
		l->db = NULL;
		rc = error_set("cannot compile %zu literals: %s", short_nr,
			       cerr && cerr->message ? cerr->message :
						       "unknown error");
		goto out;
	}
done:
	*out = l;
	l = NULL;
out:
	if (cerr)
		hs_free_compile_error(cerr);
	free(flags);
	free(ids);
	free(shorts);
	free(short_lens);
	rules_literals_free(l);
	return rc;
}

size_t rules_literals_count(const struct rules_literals *l)
{
	return l ? l->nr : 0;
}

size_t rules_literals_max_len(const struct rules_literals *l)
{
	return l ? l->max_len : 0;
}

int rules_literals_scratch_new(struct rules_literals_scratch **out,
			       const struct rules_literals *l)
{
	struct rules_literals_scratch *s = xcalloc(1, sizeof(*s));

	*out = NULL;
	strbuf_init(&s->pad, 0);
	if (l->db && hs_alloc_scratch(l->db, &s->hs) != HS_SUCCESS) {
		free(s);
		return error_set("cannot allocate literal matcher scratch");
	}
	*out = s;
	return 0;
}

void rules_literals_scratch_free(struct rules_literals_scratch *s)
{
	if (!s)
		return;
	if (s->hs)
		hs_free_scratch(s->hs);
	free(s->hits);
	/* the tail of a masked text: it may hold a value */
	if (s->pad.alloc)
		memset(s->pad.buf, 0, s->pad.alloc);
	strbuf_release(&s->pad);
	free(s);
}

/* Report the long hits that end at or before end (all: SIZE_MAX). */
static int flush_long(struct lit_scan *ls, size_t end)
{
	while (ls->next < ls->hits_nr && ls->hits[ls->next].end <= end) {
		const struct long_hit *h = &ls->hits[ls->next++];
		int rc = ls->fn(h->id, h->start, h->end, ls->data);

		if (rc < 0)
			return rc;
	}
	return 0;
}

static int on_literal(unsigned int id, unsigned long long from,
		      unsigned long long to, unsigned int flags, void *ctx)
{
	struct lit_scan *ls = ctx;
	size_t end = ls->base + (size_t)to;
	int rc;

	(void)from; /* 0 without HS_FLAG_SOM_LEFTMOST: the length says it */
	(void)flags;
	if (end <= ls->skip_end)
		return 0; /* seen in the previous chunk's overlap */
	rc = flush_long(ls, end);
	if (rc >= 0)
		rc = ls->fn(id, end - ls->l->len[id], end, ls->data);
	if (rc < 0) {
		ls->err = rc;
		return 1;
	}
	return 0;
}

static int cmp_long_hit(const void *a, const void *b)
{
	const struct long_hit *x = a, *y = b;

	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* The long literals' occurrences in buf, into s->hits sorted by end. */
static void scan_long(const struct rules_literals *l,
		      struct rules_literals_scratch *s, const char *buf,
		      size_t len)
{
	size_t stride = l->stride;

	s->hits_nr = 0;
	if (!l->grams_nr || len < GRAM)
		return;
	for (size_t i = 0; i + GRAM <= len; i += stride) {
		uint64_t g = load_gram(buf + i);
		size_t lo = 0, hi = l->grams_nr;

		if (!gram_bit(l, g))
			continue;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (l->grams[mid].g < g)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < l->grams_nr && l->grams[lo].g == g; lo++) {
			const struct gram *e = &l->grams[lo];
			size_t n = l->len[e->id], start;

			if (i < e->off)
				continue;
			start = i - e->off;
			if (n > len - start ||
			    memcmp(buf + start, l->lit[e->id], n))
				continue;
			ALLOC_GROW(s->hits, s->hits_nr + 1, s->hits_alloc);
			s->hits[s->hits_nr].id = e->id;
			s->hits[s->hits_nr].start = start;
			s->hits[s->hits_nr].end = start + n;
			s->hits_nr++;
		}
	}
	if (s->hits_nr > 1)
		qsort(s->hits, s->hits_nr, sizeof(*s->hits), cmp_long_hit);
}

static void lit_window(void *ctx, size_t base, size_t skip_end)
{
	struct lit_scan *ls = ctx;

	ls->base = base;
	ls->skip_end = skip_end;
}

int rules_literals_scan(const struct rules_literals *l,
			struct rules_literals_scratch *s, const char *buf,
			size_t len, rules_literal_fn fn, void *data)
{
	struct lit_scan ls = { l, 0, 0, fn, data, 0, NULL, 0, 0 };
	hs_error_t e;

	scan_long(l, s, buf, len);
	ls.hits = s->hits;
	ls.hits_nr = s->hits_nr;
	if (l->db && len) {
		e = rules_hs_scan_buf(l->db, s->hs, buf, len, LIT_CHUNK,
				      l->max_len - 1, &s->pad, on_literal,
				      lit_window, &ls);
		if (e == HS_SCAN_TERMINATED)
			return ls.err;
		if (e != HS_SUCCESS)
			return error_set("literal scan failed (hyperscan "
					 "error %d)",
					 (int)e);
	}
	return flush_long(&ls, SIZE_MAX);
}
