/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target, differential: rules_scan_spans() (src/rules/match.c)
 * against rules_scan() on the same bytes. The first byte picks how many
 * changed spans (1 to 8), the next four bytes per span where it starts
 * after the previous one and how long it is (empty ones too); every
 * secret the whole scan reports that reaches into a span (or crosses an
 * empty one) must be reported by the span scan too, at the same place,
 * or the target aborts. The span scan runs twice: through the keyword
 * tables (a scratch that is replaced once it has scanned enough to
 * switch) and through Hyperscan (a scratch warmed past the threshold at
 * start), so that a reproducer does not depend on what ran before it.
 */
#include "fuzz.h"
#include "slugguard/rules.h"

struct seen {
	struct {
		const char *id;
		size_t off, len;
	} v[256];
	size_t nr;
};

static int keep(const struct rules_match *m, void *data)
{
	struct seen *s = data;

	if (s->nr < 256) {
		s->v[s->nr].id = m->rule->id;
		s->v[s->nr].off = m->offset;
		s->v[s->nr].len = m->secret_len;
		s->nr++;
	}
	return 0;
}

/* Whether [off, off + len) reaches into a span or crosses an empty one. */
static bool touches(const struct rules_span *v, size_t nr, size_t off,
		    size_t len)
{
	for (size_t i = 0; i < nr; i++)
		if (off < v[i].to ? off + len > v[i].from :
				    off < v[i].from && off + len > v[i].from)
			return true;
	return false;
}

/* A scratch that stays on the keyword tables: a new one once the old has
 * switched to Hyperscan. */
static void keep_tables(struct rules *r, struct rules_scratch **s)
{
	if (*s && !rules_scratch_bulk(*s))
		return;
	rules_scratch_free(*s);
	if (rules_scratch_new(s, r) < 0)
		abort();
}

/* A scratch past the Hyperscan threshold. */
static struct rules_scratch *warmed(struct rules *r)
{
	struct rules_scratch *s;
	struct strbuf sb = STRBUF_INIT;

	if (rules_scratch_new(&s, r) < 0)
		abort();
	while (sb.len < 5 << 20)
		strbuf_addstr(&sb, "  total = compute(rows, 3) # a note\n");
	if (rules_scan(r, s, NULL, sb.buf, sb.len, keep, &(struct seen){ 0 }) <
		    0 ||
	    !rules_scratch_bulk(s))
		abort();
	strbuf_release(&sb);
	return s;
}

/* Aborts unless every secret of a reaching into a span is in b. */
static void compare(const struct seen *a, const struct seen *b,
		    const struct rules_span *v, size_t nr, const char *how)
{
	for (size_t i = 0; i < a->nr; i++) {
		bool found = false;

		if (!touches(v, nr, a->v[i].off, a->v[i].len))
			continue; /* wholly outside: may or may not be found */
		for (size_t j = 0; j < b->nr && !found; j++)
			found = b->v[j].off == a->v[i].off &&
				b->v[j].len == a->v[i].len &&
				!strcmp(b->v[j].id, a->v[i].id);
		if (!found) {
			fprintf(stderr,
				"%zu spans, the first %zu..%zu: %s lost "
				"%s at %zu+%zu\n",
				nr, v[0].from, v[0].to, how, a->v[i].id,
				a->v[i].off, a->v[i].len);
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rules *r;
	static struct rules_scratch *whole, *region, *bulk;
	static struct seen a, b, c;
	struct rules_span v[8];
	const char *buf;
	size_t len, nr, head, at = 0;

	if (size < 1)
		return 0;
	nr = 1 + data[0] % 8;
	head = 1 + 4 * nr;
	if (size < head)
		return 0;
	if (!r) {
		if (rules_compile(&r, NULL) < 0)
			abort();
		bulk = warmed(r);
	}
	keep_tables(r, &whole);
	keep_tables(r, &region);
	buf = (const char *)data + head;
	len = size - head;
	for (size_t i = 0; i < nr; i++) {
		const uint8_t *d = data + 1 + 4 * i;

		v[i].from = at + ((size_t)d[0] << 8 | d[1]) % (len - at + 1);
		v[i].to = v[i].from +
			  ((size_t)d[2] << 8 | d[3]) % (len - v[i].from + 1);
		/* apart from the next: at least one byte between */
		at = v[i].to < len ? v[i].to + 1 : len;
		if (v[i].to == len || at == len) {
			nr = i + 1;
			break;
		}
	}
	a.nr = b.nr = c.nr = 0;
	if (rules_scan(r, whole, NULL, buf, len, keep, &a) < 0 ||
	    rules_scan_spans(r, region, NULL, buf, len, v, nr, keep, &b) < 0 ||
	    rules_scan_spans(r, bulk, NULL, buf, len, v, nr, keep, &c) < 0) {
		error_clear();
		return 0;
	}
	if (a.nr >= 256 || b.nr >= 256 || c.nr >= 256)
		return 0; /* more than kept: not compared */
	compare(&a, &b, v, nr, "the tables");
	compare(&a, &c, v, nr, "Hyperscan");
	return 0;
}
