/* SPDX-License-Identifier: MIT */
/*
 * Literal sets: one Hyperscan literal-mode database over many exact
 * strings, so the masker and the slug check make one pass over their
 * bytes whatever the number of config vars (a pass per value would cost
 * 200 passes for 200 vars).
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/rules.h"
#include "rules/hs-dl.h"

#include <limits.h>

/* Hyperscan takes an unsigned length: scan giant buffers in chunks. */
#define LIT_CHUNK ((size_t)1 << 30)

struct rules_literals {
	hs_database_t *db; /* NULL for an empty set */
	size_t *len; /* per id */
	size_t nr;
	size_t max_len;
};

struct rules_literals_scratch {
	hs_scratch_t *hs;
};

struct lit_scan {
	const struct rules_literals *l;
	size_t base; /* offset of the chunk in the caller's buffer */
	size_t skip_end; /* matches ending at or before this were reported */
	rules_literal_fn fn;
	void *data;
	int err;
};

void rules_literals_free(struct rules_literals *l)
{
	if (!l)
		return;
	if (l->db)
		hs_free_database(l->db);
	free(l->len);
	free(l);
}

int rules_literals_new(struct rules_literals **out, const char *const *lits,
		       const size_t *lens, size_t nr)
{
	struct rules_literals *l = NULL;
	unsigned *flags = NULL, *ids = NULL;
	hs_compile_error_t *cerr = NULL;
	int rc = 0;

	*out = NULL;
	if (nr > UINT_MAX)
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
	if (!nr)
		goto done;
	rc = rules_hs_load();
	if (rc < 0)
		goto out;
	flags = xcalloc(nr, sizeof(unsigned));
	ids = xcalloc(nr, sizeof(unsigned));
	for (size_t i = 0; i < nr; i++)
		ids[i] = (unsigned)i;
	if (hs_compile_lit_multi(lits, flags, ids, lens, (unsigned)nr,
				 HS_MODE_BLOCK, NULL, &l->db,
				 &cerr) != HS_SUCCESS) {
		l->db = NULL;
		rc = error_set("cannot compile %zu literals: %s", nr,
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
	free(s);
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
	rc = ls->fn(id, end - ls->l->len[id], end, ls->data);
	if (rc < 0) {
		ls->err = rc;
		return 1;
	}
	return 0;
}

int rules_literals_scan(const struct rules_literals *l,
			struct rules_literals_scratch *s, const char *buf,
			size_t len, rules_literal_fn fn, void *data)
{
	struct lit_scan ls = { l, 0, 0, fn, data, 0 };
	size_t pos = 0;

	if (!l->db)
		return 0;
	while (pos < len) {
		size_t n = len - pos > LIT_CHUNK ? LIT_CHUNK : len - pos;
		hs_error_t e;

		ls.base = pos;
		e = hs_scan(l->db, buf + pos, (unsigned int)n, 0, s->hs,
			    on_literal, &ls);
		if (e == HS_SCAN_TERMINATED)
			return ls.err;
		if (e != HS_SUCCESS)
			return error_set("literal scan failed (hyperscan "
					 "error %d)",
					 (int)e);
		if (pos + n >= len)
			break;
		ls.skip_end = pos + n;
		pos += n - (l->max_len - 1);
	}
	return 0;
}
