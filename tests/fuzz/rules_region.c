/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target, differential: rules_scan_region() (src/rules/match.c)
 * against rules_scan() on the same bytes. The first four bytes pick the
 * changed region [from, to) of the rest; every secret the whole scan
 * reports that reaches into the region (or spans an empty one) must be
 * reported by the region scan too, at the same place, or the target
 * aborts. Hyperscan takes over after a few MB, so both matchers run.
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rules *r;
	static struct rules_scratch *whole, *region;
	static struct seen a, b;
	const char *buf = (const char *)data + 4;
	size_t len, from, to;

	if (size < 4)
		return 0;
	if (!r &&
	    (rules_compile(&r, NULL) < 0 || rules_scratch_new(&whole, r) < 0 ||
	     rules_scratch_new(&region, r) < 0))
		abort();
	len = size - 4;
	from = ((size_t)data[0] << 8 | data[1]) % (len + 1);
	to = from + ((size_t)data[2] << 8 | data[3]) % (len - from + 1);
	a.nr = b.nr = 0;
	if (rules_scan(r, whole, NULL, buf, len, keep, &a) < 0 ||
	    rules_scan_region(r, region, NULL, buf, len, from, to, keep, &b) <
		    0) {
		error_clear();
		return 0;
	}
	if (a.nr >= 256 || b.nr >= 256)
		return 0; /* more than kept: not compared */
	for (size_t i = 0; i < a.nr; i++) {
		bool found = false;

		if (a.v[i].off >= to || a.v[i].off + a.v[i].len <= from)
			continue; /* wholly outside: may or may not be found */
		for (size_t j = 0; j < b.nr && !found; j++)
			found = b.v[j].off == a.v[i].off &&
				b.v[j].len == a.v[i].len &&
				!strcmp(b.v[j].id, a.v[i].id);
		if (!found) {
			fprintf(stderr, "region %zu..%zu lost %s at %zu+%zu\n",
				from, to, a.v[i].id, a.v[i].off, a.v[i].len);
			abort();
		}
	}
	return 0;
}
