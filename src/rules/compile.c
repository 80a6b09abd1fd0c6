/* SPDX-License-Identifier: MIT */
/*
 * Building a rule set: the built-in table plus config rules, minus the
 * disabled ones; the keyword tables of both prefilters (a pair/quad
 * table for small scans, Hyperscan's literal database for volume); the
 * allowlists; and the per-thread scratch. Rule regexes themselves are
 * compiled lazily (window.c), so a small scan compiles only what it
 * touches.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "rules/matcher.h"

#include <limits.h>

size_t rules_builtin_count(void)
{
	return rules_builtin_table_nr;
}

const struct rule *rules_builtin(size_t i)
{
	if (i >= rules_builtin_table_nr)
		return NULL;
	return &rules_builtin_table[i].rule;
}

int rules_compile_re(pcre2_code **out, const char *what, const char *id,
		     const char *re)
{
	int errcode = 0;
	PCRE2_SIZE erroff = 0;
	pcre2_code *code;
	PCRE2_UCHAR msg[256];

	*out = NULL;
	code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED,
			     PCRE2_MULTILINE, &errcode, &erroff, NULL);
	if (!code) {
		if (pcre2_get_error_message(errcode, msg, sizeof(msg)) < 0)
			msg[0] = '\0';
		return error_set("%s '%s': invalid regex at offset %zu: %s",
				 what, id, (size_t)erroff, (const char *)msg);
	}
	*out = code;
	return 0;
}

/* Compile n regexes into *out; *nr counts the compiled ones (for free). */
static int compile_list(pcre2_code ***out, size_t *nr, const char *const *re,
			size_t n, const char *what)
{
	if (!n)
		return 0;
	*out = xcalloc(n, sizeof(pcre2_code *));
	for (size_t i = 0; i < n; i++) {
		int rc = rules_compile_re(&(*out)[i], what, re[i], re[i]);

		if (rc < 0)
			return rc;
		(*nr)++;
		/* A config's allowlists, few and run on every finding or
		 * path: compiled for the JIT at once. No JIT (an
		 * unsupported CPU) just means the interpreter. */
		(void)pcre2_jit_compile((*out)[i], PCRE2_JIT_COMPLETE);
	}
	return 0;
}

static void free_list(pcre2_code **code, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		pcre2_code_free(code[i]);
	free(code);
}

int rules_check_regex(const char *re)
{
	pcre2_code *code = NULL;
	int rc = rules_compile_re(&code, "regex", re, re);

	pcre2_code_free(code);
	return rc;
}

static bool id_in(const char *id, const char *const *list, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		if (list[i] && !strcmp(list[i], id))
			return true;
	return false;
}

static bool extra_has_id(const struct rules_config *cfg, const char *id)
{
	if (!cfg)
		return false;
	for (size_t i = 0; i < cfg->extra_nr; i++)
		if (cfg->extra[i].id && !strcmp(cfg->extra[i].id, id))
			return true;
	return false;
}

static void add_rule(struct rules *r, const struct rule *rule,
		     const struct builtin_rule *bx, size_t *alloc)
{
	ALLOC_GROW(r->rule, r->nr + 1, *alloc);
	r->bx = xrealloc(r->bx, st_mult(*alloc, sizeof(*r->bx)));
	r->rule[r->nr] = rule;
	r->bx[r->nr] = bx;
	r->nr++;
}

static int copy_extra(struct rule *dst, const struct rule *src)
{
	memset(dst, 0, sizeof(*dst));
	if (!src->id || !*src->id)
		return error_set("rule without an id");
	if (!src->regex && !(src->flags & RULE_PATH_CONTENT && src->path))
		return error_set("rule '%s': no regex", src->id);
	dst->id = xstrdup(src->id);
	dst->description =
		xstrdup(src->description ? src->description : src->id);
	dst->regex = xstrdup_or_null(src->regex);
	dst->keywords = xstrdup_or_null(src->keywords);
	dst->entropy = src->entropy;
	dst->remediation = xstrdup_or_null(src->remediation);
	dst->path = xstrdup_or_null(src->path);
	dst->flags = src->flags;
	dst->secret_group = src->secret_group;
	return 0;
}

static void free_rule_copy(struct rule *x)
{
	free((char *)(uintptr_t)x->id);
	free((char *)(uintptr_t)x->description);
	free((char *)(uintptr_t)x->regex);
	free((char *)(uintptr_t)x->keywords);
	free((char *)(uintptr_t)x->remediation);
	free((char *)(uintptr_t)x->path);
}

static size_t find_kw(const struct rules *r, const char *kw, size_t len)
{
	for (size_t i = 0; i < r->kw_nr; i++)
		if (r->kw_len[i] == len && !memcmp(r->kw[i], kw, len))
			return i;
	return SIZE_MAX;
}

static int cmp_kw_key(const void *a, const void *b)
{
	const struct kw_key *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->kw < y->kw ? -1 : x->kw > y->kw;
}

/* Keywords of t with min_len..max_len bytes, sorted by their prefix key. */
static void bucket(const struct rules *r, struct kw_table *t, const bool *want,
		   bool quad)
{
	size_t min_len = quad ? 4 : 2, max_len = quad ? SIZE_MAX : 3;
	struct kw_key **out = quad ? &t->quad_keys : &t->pair_keys;
	size_t *nr = quad ? &t->quad_nr : &t->pair_nr;
	uint8_t *bits = quad ? t->quad_bits : t->pair_bits;

	*out = xcalloc(r->kw_nr ? r->kw_nr : 1, sizeof(**out));
	*nr = 0;
	for (size_t k = 0; k < r->kw_nr; k++) {
		unsigned key;

		if (r->kw_len[k] < min_len || r->kw_len[k] > max_len ||
		    (want && !want[k]))
			continue;
		key = quad ? quad_hash(quad_of(r, r->kw[k])) :
			     pair_key(r, r->kw[k]);
		(*out)[*nr].key = key;
		(*out)[(*nr)++].kw = k;
		bits[key >> 3] |= (uint8_t)(1u << (key & 7));
	}
	qsort(*out, *nr, sizeof(**out), cmp_kw_key);
}

/* The keywords of t (every one when want is NULL) in its buckets. */
static void build_table(const struct rules *r, struct kw_table *t,
			const bool *want)
{
	t->single_kw = xcalloc(r->kw_nr ? r->kw_nr : 1, sizeof(size_t));
	for (size_t k = 0; k < r->kw_nr; k++)
		if (r->kw_len[k] < 2 && (!want || want[k]))
			t->single_kw[t->single_nr++] = k;
	bucket(r, t, want, false);
	bucket(r, t, want, true);
	for (size_t k = 0; k < r->kw_nr; k++) {
		unsigned char a, b;
		size_t j;

		if (want && !want[k])
			continue;
		if (r->kw_len[k] < 2) {
			t->lead_nr = 0;
			return;
		}
		a = (unsigned char)(r->kw[k][0] | 0x20);
		b = (unsigned char)(r->kw[k][1] | 0x20);
		for (j = 0; j < t->lead_nr; j++)
			if (t->lead[j][0] == a && t->lead[j][1] == b)
				break;
		if (j < t->lead_nr)
			continue;
		if (t->lead_nr == KW_LEADS) {
			t->lead_nr = 0;
			return;
		}
		t->lead[t->lead_nr][0] = a;
		t->lead[t->lead_nr++][1] = b;
	}
}

/*
 * The small prefilter: keywords of four bytes or more bucketed by a hash
 * of their first four bytes, shorter ones by their first two (or one);
 * and a second table of the multi-line rules' keywords alone.
 */
static void build_pairs(struct rules *r)
{
	bool *wide = xcalloc(r->kw_nr ? r->kw_nr : 1, sizeof(bool));

	for (int c = 0; c < 256; c++)
		r->lc[c] = (unsigned char)(c >= 'A' && c <= 'Z' ?
						   c - 'A' + 'a' :
						   c);
	for (size_t k = 0; k < r->kw_nr; k++)
		for (size_t j = r->kw_first[k]; j < r->kw_first[k + 1]; j++) {
			const struct builtin_rule *bx = r->bx[r->kw_rule[j]];

			if (bx && bx->xflags & RX_MULTILINE)
				wide[k] = true;
		}
	build_table(r, &r->all, NULL);
	build_table(r, &r->wide, wide);
	r->kw_wide = wide;
}

static void free_table(struct kw_table *t)
{
	free(t->pair_keys);
	free(t->quad_keys);
	free(t->single_kw);
}

int rules_build_db(const struct rules *r, hs_database_t **out)
{
	unsigned *flags = NULL, *ids = NULL;
	hs_compile_error_t *cerr = NULL;
	int rc = 0;

	*out = NULL;
	if (r->kw_nr > UINT_MAX)
		BUG("too many keywords");
	flags = xcalloc(r->kw_nr, sizeof(unsigned));
	ids = xcalloc(r->kw_nr, sizeof(unsigned));
	for (size_t k = 0; k < r->kw_nr; k++) {
		flags[k] = HS_FLAG_CASELESS;
		ids[k] = (unsigned)k;
	}
	if (hs_compile_lit_multi((const char *const *)r->kw, flags, ids,
				 r->kw_len, (unsigned)r->kw_nr, HS_MODE_BLOCK,
				 NULL, out, &cerr) != HS_SUCCESS) {
		rc = error_set("cannot compile rule keywords: %s",
			       cerr && cerr->message ? cerr->message :
						       "unknown error");
		*out = NULL;
	}
	if (cerr)
		hs_free_compile_error(cerr);
	free(flags);
	free(ids);
	return rc;
}

/* Collects (keyword, rule) pairs, then groups them per keyword. */
static int build_keywords(struct rules *r)
{
	size_t *pair_kw = NULL, *pair_rule = NULL;
	size_t pairs = 0, pairs_alloc = 0, kw_alloc = 0;
	int rc = 0;

	for (size_t i = 0; i < r->nr; i++) {
		const struct rule *rule = r->rule[i];
		const char *p = rule->keywords;
		bool any = false;

		if (rule->flags & RULE_PATH_CONTENT)
			continue;
		while (p && *p) {
			const char *end = strchr(p, ',');
			size_t n = end ? (size_t)(end - p) : strlen(p);
			const char *q = p;
			size_t k;
			char *lower;

			p = end ? end + 1 : p + n;
			while (n && (*q == ' ' || *q == '\t')) {
				q++;
				n--;
			}
			while (n && (q[n - 1] == ' ' || q[n - 1] == '\t'))
				n--;
			if (!n)
				continue;
			lower = xstrndup(q, n);
			for (size_t j = 0; j < n; j++)
				if (lower[j] >= 'A' && lower[j] <= 'Z')
					lower[j] = (char)(lower[j] - 'A' + 'a');
			k = find_kw(r, lower, n);
			if (k == SIZE_MAX) {
				ALLOC_GROW(r->kw, r->kw_nr + 1, kw_alloc);
				r->kw_len = xrealloc(r->kw_len,
						     st_mult(kw_alloc,
							     sizeof(size_t)));
				k = r->kw_nr++;
				r->kw[k] = lower;
				r->kw_len[k] = n;
				if (n > r->max_kw_len)
					r->max_kw_len = n;
			} else {
				free(lower);
			}
			ALLOC_GROW(pair_kw, pairs + 1, pairs_alloc);
			pair_rule =
				xrealloc(pair_rule,
					 st_mult(pairs_alloc, sizeof(size_t)));
			pair_kw[pairs] = k;
			pair_rule[pairs] = i;
			pairs++;
			any = true;
		}
		if (!any) {
			r->nokw = xrealloc(r->nokw, st_mult(r->nokw_nr + 1,
							    sizeof(size_t)));
			r->nokw[r->nokw_nr++] = i;
		}
	}

	r->kw_first = xcalloc(r->kw_nr + 1, sizeof(size_t));
	r->kw_rule = xcalloc(pairs ? pairs : 1, sizeof(size_t));
	for (size_t i = 0; i < pairs; i++)
		r->kw_first[pair_kw[i] + 1]++;
	for (size_t k = 0; k < r->kw_nr; k++)
		r->kw_first[k + 1] += r->kw_first[k];
	{
		size_t *fill = xcalloc(r->kw_nr + 1, sizeof(size_t));

		for (size_t i = 0; i < pairs; i++) {
			size_t k = pair_kw[i];

			r->kw_rule[r->kw_first[k] + fill[k]++] = pair_rule[i];
		}
		free(fill);
	}

	build_pairs(r);
	free(pair_kw);
	free(pair_rule);
	return rc;
}

static pcre2_match_context *new_match_context(void)
{
	pcre2_match_context *m = pcre2_match_context_create(NULL);

	if (!m)
		die("out of memory");
	pcre2_set_match_limit(m, MATCH_LIMIT);
	pcre2_set_depth_limit(m, DEPTH_LIMIT);
	return m;
}

int rules_compile(struct rules **out, const struct rules_config *cfg)
{
	struct rules *r = xcalloc(1, sizeof(*r));
	size_t alloc = 0;
	int rc = 0;

	*out = NULL;
	r->lazy = xcalloc(1, sizeof(*r->lazy));
	pthread_mutex_init(&r->lazy->lock, NULL);
	r->mctx = new_match_context();

	for (size_t i = 0; i < rules_builtin_table_nr; i++) {
		const struct builtin_rule *b = &rules_builtin_table[i];

		if (cfg && id_in(b->rule.id, cfg->disabled, cfg->disabled_nr))
			continue;
		if (extra_has_id(cfg, b->rule.id))
			continue;
		add_rule(r, &b->rule, b, &alloc);
	}
	if (cfg && cfg->extra_nr) {
		r->owned = xcalloc(cfg->extra_nr, sizeof(*r->owned));
		for (size_t i = 0; i < cfg->extra_nr; i++) {
			rc = copy_extra(&r->owned[i], &cfg->extra[i]);
			if (rc < 0)
				goto out;
			r->owned_nr++;
			if (id_in(r->owned[i].id, cfg->disabled,
				  cfg->disabled_nr))
				continue;
			add_rule(r, &r->owned[i], NULL, &alloc);
		}
	}

	r->lazy->code = xcalloc(r->nr ? r->nr : 1, sizeof(pcre2_code *));
	r->lazy->jit = xcalloc(r->nr ? r->nr : 1, sizeof(pcre2_code *));
	r->lazy->path_jit = xcalloc(r->nr ? r->nr : 1, sizeof(pcre2_code *));
	r->path_code = xcalloc(r->nr ? r->nr : 1, sizeof(pcre2_code *));
	for (size_t i = 0; i < r->nr; i++) {
		const struct rule *rule = r->rule[i];

		/* Config rules are checked now; built-ins when first used. */
		if (!r->bx[i] && rule->regex) {
			rc = rules_compile_re(&r->lazy->code[i], "rule",
					      rule->id, rule->regex);
			if (rc < 0)
				goto out;
		}
		if (rule->path) {
			rc = rules_compile_re(&r->path_code[i], "rule",
					      rule->id, rule->path);
			if (rc < 0)
				goto out;
			r->pathr = xrealloc(r->pathr, st_mult(r->pathr_nr + 1,
							      sizeof(size_t)));
			r->pathr[r->pathr_nr++] = i;
		}
		if (rule->flags & RULE_PATH_CONTENT) {
			if (!rule->path) {
				rc = error_set("rule '%s': a path-content rule "
					       "needs a path",
					       rule->id);
				goto out;
			}
			r->pathc = xrealloc(r->pathc, st_mult(r->pathc_nr + 1,
							      sizeof(size_t)));
			r->pathc[r->pathc_nr++] = i;
		}
	}

	if (cfg) {
		rc = compile_list(&r->allow_re, &r->allow_re_nr,
				  cfg->allow_regexes, cfg->allow_regexes_nr,
				  "allow regex");
		if (!rc)
			rc = compile_list(&r->allow_path, &r->allow_path_nr,
					  cfg->allow_paths, cfg->allow_paths_nr,
					  "allow path");
		if (!rc)
			rc = compile_list(&r->allow_match, &r->allow_match_nr,
					  cfg->allow_match_regexes,
					  cfg->allow_match_regexes_nr,
					  "allow regex");
		if (!rc)
			rc = compile_list(&r->allow_line, &r->allow_line_nr,
					  cfg->allow_line_regexes,
					  cfg->allow_line_regexes_nr,
					  "allow regex");
		if (rc < 0)
			goto out;
	}
	if (cfg && cfg->stopwords_nr) {
		r->stop = xcalloc(cfg->stopwords_nr, sizeof(char *));
		r->stop_len = xcalloc(cfg->stopwords_nr, sizeof(size_t));
		for (size_t i = 0; i < cfg->stopwords_nr; i++) {
			const char *w = cfg->stopwords[i];
			size_t n = w ? strlen(w) : 0;
			char *lower;

			if (!n)
				continue;
			lower = xstrdup(w);
			for (size_t j = 0; j < n; j++)
				if (lower[j] >= 'A' && lower[j] <= 'Z')
					lower[j] = (char)(lower[j] - 'A' + 'a');
			r->stop[r->stop_nr] = lower;
			r->stop_len[r->stop_nr++] = n;
		}
	}

	rc = build_keywords(r);
out:
	if (rc < 0) {
		rules_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

void rules_free(struct rules *r)
{
	if (!r)
		return;
	if (r->lazy) {
		for (size_t i = 0; i < r->nr; i++) {
			pcre2_code_free(r->lazy->code ? r->lazy->code[i] :
							NULL);
			pcre2_code_free(r->lazy->jit ? r->lazy->jit[i] : NULL);
			pcre2_code_free(r->lazy->path_jit ?
						r->lazy->path_jit[i] :
						NULL);
		}
		free(r->lazy->code);
		free(r->lazy->jit);
		free(r->lazy->path_jit);
		if (r->lazy->db)
			hs_free_database(r->lazy->db);
		pthread_mutex_destroy(&r->lazy->lock);
		free(r->lazy);
	}
	for (size_t i = 0; r->path_code && i < r->nr; i++)
		pcre2_code_free(r->path_code[i]);
	free(r->path_code);
	for (size_t i = 0; i < r->owned_nr; i++)
		free_rule_copy(&r->owned[i]);
	free(r->owned);
	free(r->rule);
	free(r->bx);
	free_table(&r->all);
	free_table(&r->wide);
	free(r->kw_wide);
	for (size_t i = 0; i < r->kw_nr; i++)
		free(r->kw[i]);
	free(r->kw);
	free(r->kw_len);
	free(r->kw_first);
	free(r->kw_rule);
	free(r->nokw);
	free(r->pathc);
	free(r->pathr);
	free_list(r->allow_re, r->allow_re_nr);
	free_list(r->allow_path, r->allow_path_nr);
	free_list(r->allow_match, r->allow_match_nr);
	free_list(r->allow_line, r->allow_line_nr);
	pcre2_match_context_free(r->mctx);
	for (size_t i = 0; i < r->stop_nr; i++)
		free(r->stop[i]);
	free(r->stop);
	free(r->stop_len);
	free(r);
}

size_t rules_count(const struct rules *r)
{
	return r ? r->nr : 0;
}

const struct rule *rules_at(const struct rules *r, size_t i)
{
	if (!r || i >= r->nr)
		return NULL;
	return r->rule[i];
}

int rules_scratch_new(struct rules_scratch **out, const struct rules *r)
{
	struct rules_scratch *s = xcalloc(1, sizeof(*s));
	size_t n = r->nr ? r->nr : 1;
	int rc = 0;

	*out = NULL;
	s->r = r;
	s->kw_limit = SIZE_MAX;
	strbuf_init(&s->pad, 0);
	s->md = pcre2_match_data_create(16, NULL);
	s->mctx = new_match_context();
	if (!s->md)
		die("out of memory");
	s->code = xcalloc(n, sizeof(pcre2_code *));
	s->path_code = xcalloc(n, sizeof(pcre2_code *));
	s->uses = xcalloc(n, sizeof(*s->uses));
	s->path_uses = xcalloc(n, sizeof(*s->path_uses));
	s->win_start = xcalloc(n, sizeof(size_t));
	s->win_end = xcalloc(n, sizeof(size_t));
	s->skip = xcalloc(n, sizeof(bool));
	*out = s;
	return rc;
}

void rules_scratch_free(struct rules_scratch *s)
{
	if (!s)
		return;
	if (s->hs)
		hs_free_scratch(s->hs);
	pcre2_match_data_free(s->md);
	pcre2_match_context_free(s->mctx);
	free(s->code);
	free(s->path_code);
	free(s->uses);
	free(s->path_uses);
	free(s->win_start);
	free(s->win_end);
	free(s->skip);
	free(s->hits);
	/* the tail of a scanned text: it may hold a secret */
	if (s->pad.alloc)
		memset(s->pad.buf, 0, s->pad.alloc);
	strbuf_release(&s->pad);
	rules_scratch_free(s->inner);
	free(s->decoded);
	free(s);
}
