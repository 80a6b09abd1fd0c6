/* SPDX-License-Identifier: MIT */
/*
 * The keyword prefilter: every rule keyword (a caseless literal) found in
 * the buffer runs the rules owning it over a window around the hit.
 * Small scans use the pair/quad tables (no compile cost); past
 * HS_THRESHOLD bytes a scratch switches to Hyperscan's database.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "rules/matcher.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Hyperscan's callback: "to" is the keyword's end in the current chunk. */
static int on_keyword(unsigned int id, unsigned long long from,
		      unsigned long long to, unsigned int flags, void *ctx)
{
	struct rules_scratch *s = ctx;
	size_t start = s->chunk_base + (size_t)to - s->r->kw_len[id];

	(void)from;
	(void)flags;
	if (s->chunk_base + (size_t)to <= s->chunk_skip)
		return 0; /* the piece before had it */
	if (start >= s->kw_limit)
		return 0; /* the next range's */
	if (start < s->narrow_from && !s->r->kw_wide[id])
		return 0; /* too far from a changed region to matter */
	return rules_keyword_hit(s, id, s->chunk_base + (size_t)to);
}

/*
 * Loads Hyperscan and compiles the shared keyword database once;
 * allocates our scratch.
 */
static int start_hyperscan(struct rules_scratch *s)
{
	struct rules_lazy *lz = s->r->lazy;
	int rc;

	rc = rules_hs_load();
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&lz->lock);
	if (!lz->db)
		rc = rules_build_db(s->r, &lz->db);
	pthread_mutex_unlock(&lz->lock);
	if (rc < 0)
		return rc;
	if (hs_alloc_scratch(lz->db, &s->hs) != HS_SUCCESS) {
		s->hs = NULL;
		return error_set("cannot allocate matcher scratch");
	}
	return 0;
}

static void kw_window(void *ctx, size_t base, size_t skip_end)
{
	struct rules_scratch *s = ctx;

	s->chunk_base = s->range_at + base;
	s->chunk_skip = s->range_at + skip_end;
}

/*
 * Keywords starting in [from, to), as the tables find them: Hyperscan
 * reports a keyword where it ends, so the pass runs on a keyword's
 * length past to and drops what starts there. Without that a keyword
 * across to would be lost to both of two ranges that meet at to.
 */
static int prefilter_hyperscan(struct rules_scratch *s, size_t from, size_t to)
{
	const struct rules *r = s->r;
	size_t kw = r->max_kw_len > 1 ? r->max_kw_len - 1 : 0;
	size_t end = s->len - to > kw ? to + kw : s->len;
	hs_error_t e;

	s->range_at = from;
	s->kw_limit = to;
	e = rules_hs_scan_buf(r->lazy->db, s->hs, s->buf + from, end - from,
			      HS_CHUNK, kw, &s->pad, on_keyword, kw_window, s);
	s->kw_limit = SIZE_MAX;
	if (e == HS_SCAN_TERMINATED)
		return s->err;
	if (e != HS_SUCCESS)
		return error_set("keyword scan failed (hyperscan error %d)",
				 (int)e);
	return 0;
}

static bool kw_at(const struct rules *r, const char *p, size_t k)
{
	const char *kw = r->kw[k];

	for (size_t j = 0; j < r->kw_len[k]; j++)
		if (r->lc[(unsigned char)p[j]] != (unsigned char)kw[j])
			return false;
	return true;
}

static bool has_bit(const uint8_t *bits, unsigned key)
{
	return bits[key >> 3] & (1u << (key & 7));
}

/* Reports the keywords under key that start at buf + i. */
static int try_bucket(struct rules_scratch *s, const struct kw_key *keys,
		      size_t nr, unsigned key, size_t i)
{
	const struct rules *r = s->r;
	size_t lo = 0, hi = nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (keys[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < nr && keys[lo].key == key; lo++) {
		size_t k = keys[lo].kw;

		if (r->kw_len[k] > s->len - i || !kw_at(r, s->buf + i, k))
			continue;
		if (on_keyword((unsigned)k, 0, i + r->kw_len[k], 0, s))
			return 1;
	}
	return 0;
}

/*
 * The table prefilter, for small volumes (no compile cost): keywords of t
 * starting in [from, to); they may run on past to.
 */
static int prefilter_table(struct rules_scratch *s, const struct kw_table *t,
			   size_t from, size_t to)
{
	const struct rules *r = s->r;
	const char *b = s->buf;
	size_t len = s->len;
	bool pairs = t->pair_nr > 0;
	uint32_t v = 0;

	s->chunk_base = 0;
	s->chunk_skip = 0;
	for (size_t i = from; i < from + 3 && i < len; i++)
		v = v << 8 | r->lc[(unsigned char)b[i]];
	for (size_t i = from; i < to; i++) {
		unsigned key;

		for (size_t j = 0; j < t->single_nr; j++) {
			size_t k = t->single_kw[j];

			if (r->lc[(unsigned char)b[i]] ==
				    (unsigned char)r->kw[k][0] &&
			    on_keyword((unsigned)k, 0, i + 1, 0, s))
				return s->err;
		}
		if (i + 1 >= len)
			break;
		if (i + 3 < len) {
			/* v holds the lower-cased bytes i .. i+3 */
			v = v << 8 | r->lc[(unsigned char)b[i + 3]];
			key = v >> 16;
		} else {
			key = pair_key(r, b + i);
		}
		if (pairs && has_bit(t->pair_bits, key) &&
		    try_bucket(s, t->pair_keys, t->pair_nr, key, i))
			return s->err;
		if (i + 3 >= len)
			continue;
		key = quad_hash(v);
		if (has_bit(t->quad_bits, key) &&
		    try_bucket(s, t->quad_keys, t->quad_nr, key, i))
			return s->err;
	}
	return 0;
}

bool rules_scratch_bulk(const struct rules_scratch *s)
{
	return s->hs != NULL;
}

/* The keywords of t that may start at buf + i (i + 1 < len). */
static int try_at(struct rules_scratch *s, const struct kw_table *t, size_t i)
{
	const struct rules *r = s->r;
	unsigned key = pair_key(r, s->buf + i);

	if (t->pair_nr && has_bit(t->pair_bits, key) &&
	    try_bucket(s, t->pair_keys, t->pair_nr, key, i))
		return 1;
	if (i + 3 >= s->len)
		return 0;
	key = quad_hash(quad_of(r, s->buf + i));
	return has_bit(t->quad_bits, key) &&
	       try_bucket(s, t->quad_keys, t->quad_nr, key, i);
}

/*
 * The table prefilter for a table of few keywords (t->lead_nr): sixteen
 * positions at a time, only those whose two bytes lead some keyword are
 * tried. Four times the byte loop's speed over the wide margins of a
 * region (docs/scan.md); the tail goes through the byte loop.
 */
static int prefilter_leads(struct rules_scratch *s, const struct kw_table *t,
			   size_t from, size_t to)
{
	size_t i = from;
#ifdef __SSE2__
	const char *b = s->buf;
	const __m128i fold = _mm_set1_epi8(0x20);
	__m128i l0[KW_LEADS], l1[KW_LEADS];

	s->chunk_base = 0;
	s->chunk_skip = 0;
	for (size_t k = 0; k < t->lead_nr; k++) {
		l0[k] = _mm_set1_epi8((char)t->lead[k][0]);
		l1[k] = _mm_set1_epi8((char)t->lead[k][1]);
	}
	/* b[i + 16] is read: the second byte of position i + 15 */
	for (; i + 16 < to && i + 16 < s->len; i += 16) {
		__m128i x = _mm_or_si128(
			_mm_loadu_si128((const __m128i *)(const void *)(b + i)),
			fold);
		__m128i y = _mm_or_si128(
			_mm_loadu_si128(
				(const __m128i *)(const void *)(b + i + 1)),
			fold);
		__m128i m = _mm_setzero_si128();
		unsigned bits;

		for (size_t k = 0; k < t->lead_nr; k++)
			m = _mm_or_si128(
				m, _mm_and_si128(_mm_cmpeq_epi8(x, l0[k]),
						 _mm_cmpeq_epi8(y, l1[k])));
		bits = (unsigned)_mm_movemask_epi8(m);
		while (bits) {
			if (try_at(s, t, i + (size_t)__builtin_ctz(bits)))
				return s->err;
			bits &= bits - 1;
		}
	}
#endif
	return i < to ? prefilter_table(s, t, i, to) : 0;
}

int rules_prefilter(struct rules_scratch *s, size_t from, size_t to)
{
	int rc;

	if (!s->r->kw_nr || from >= to)
		return 0;
	s->scanned = st_add(s->scanned, to - from);
	if (!s->hs && s->scanned >= HS_THRESHOLD) {
		rc = start_hyperscan(s);
		if (rc < 0)
			return rc;
	}
	if (s->hs)
		return prefilter_hyperscan(s, from, to);
	return prefilter_table(s, &s->r->all, from, to);
}

int rules_prefilter_split(struct rules_scratch *s, size_t wide, size_t narrow,
			  size_t to)
{
	int rc;

	/* Hyperscan: one pass, the keywords before narrow filtered */
	if (s->hs ||
	    (s->r->kw_nr && s->scanned + (to - narrow) >= HS_THRESHOLD)) {
		s->narrow_from = narrow;
		return rules_prefilter(s, wide, to);
	}
	rc = rules_prefilter(s, narrow, to);
	if (!rc && wide < narrow)
		rc = s->r->wide.lead_nr ?
			     prefilter_leads(s, &s->r->wide, wide, narrow) :
			     prefilter_table(s, &s->r->wide, wide, narrow);
	return rc;
}
