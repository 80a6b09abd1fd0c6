/* SPDX-License-Identifier: MIT */
/*
 * The matcher: one Hyperscan block-mode database of every rule keyword
 * (caseless literals) finds candidate positions; each hit runs only the
 * rules owning that keyword, with PCRE2 (JIT), over a bounded window
 * around the hit (its line, capped). Rule regexes are compiled lazily on
 * first use, so a small scan (a pre-push range) compiles only what it
 * touches. Then filters (entropy, placeholders, stopwords, allowlists),
 * de-duplication, and line/column in buffer order.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/rules.h"
#include "slugguard/strbuf.h"
#include "rules/rules-internal.h"
#include "rules/hs-dl.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <limits.h>
#include <math.h>
#include <pcre2.h>
#include <pthread.h>

/* Bytes scanned either side of a keyword hit on a long line. */
#define WINDOW_CAP 4096
/* Bytes after the hit line's start for multi-line rules. */
#define MULTILINE_WINDOW (64 * 1024)
/* Hyperscan takes an unsigned length: scan giant buffers in chunks. */
#define HS_CHUNK ((size_t)1 << 30)
/* Every pcre2_match() is bounded: config regexes come from the repository
 * being scanned, and a backtracking bomb must not hang a push. */
#define MATCH_LIMIT 2000000
#define DEPTH_LIMIT 10000
/* Bytes a scratch scans with the pair table before it builds Hyperscan's
 * database (about 25 ms of compile time, worth it only for volume). */
#ifndef HS_THRESHOLD
#define HS_THRESHOLD ((size_t)4 << 20)
#endif
#define ALLOW_MARK "slugguard:allow"
/* gitleaks' own mark, so a repository moving over keeps its allowances. */
#define GITLEAKS_ALLOW_MARK "gitleaks:allow"

/* A keyword under a 16-bit prefix key (small prefilter). */
struct kw_key {
	unsigned key;
	size_t kw;
};

/* Mutable state behind a const struct rules: lazily compiled regexes. */
struct rules_lazy {
	pthread_mutex_t lock;
	pcre2_code **code; /* one per active rule */
	hs_database_t *db; /* keyword database, built on first big scan */
};

struct rules {
	const struct rule **rule; /* active rules */
	const struct builtin_rule **bx; /* NULL for config rules */
	size_t nr;
	struct rule *owned; /* copies of config rules */
	size_t owned_nr;
	struct rules_lazy *lazy;
	pcre2_code **path_code; /* compiled rule->path, or NULL */

	/* keyword prefilter: Hyperscan for volume, a pair table for the
	 * first few MB (Hyperscan's compile would dominate a small scan) */
	char **kw;
	size_t *kw_len;
	size_t kw_nr;
	size_t max_kw_len;
	size_t *kw_first; /* kw_nr + 1 offsets into kw_rule */
	size_t *kw_rule;
	unsigned char lc[256]; /* ASCII lower-casing */
	uint8_t pair_bits[65536 / 8]; /* first two bytes of some keyword */
	struct kw_key *pair_keys; /* sorted by key */
	size_t pair_nr;
	size_t *single_kw; /* one-byte keywords */
	size_t single_nr;
	uint8_t quad_bits[65536 / 8]; /* hashed first four bytes (len >= 4) */
	struct kw_key *quad_keys; /* sorted by key */
	size_t quad_nr;

	size_t *nokw; /* rules scanned over the whole buffer */
	size_t nokw_nr;
	size_t *pathc; /* RULE_PATH_CONTENT rules */
	size_t pathc_nr;
	size_t *pathr; /* rules with a path restriction */
	size_t pathr_nr;

	pcre2_match_context *mctx; /* the limits, shared read-only */
	pcre2_code **allow_re;
	size_t allow_re_nr;
	pcre2_code **allow_path;
	size_t allow_path_nr;
	pcre2_code **allow_match; /* on the whole match */
	size_t allow_match_nr;
	pcre2_code **allow_line; /* on the secret's line */
	size_t allow_line_nr;
	char **stop;
	size_t *stop_len;
	size_t stop_nr;
};

struct hit {
	size_t rule;
	size_t off; /* secret */
	size_t len;
	size_t moff, mlen; /* whole match */
	double entropy;
};

struct rules_scratch {
	const struct rules *r;
	hs_scratch_t *hs; /* once the database exists */
	size_t scanned; /* bytes so far: switch to Hyperscan past a size */
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_code **code; /* per-thread cache of r->lazy->code */
	size_t *win_start, *win_end;
	bool *skip;

	/* per scan */
	const char *buf;
	size_t len;
	size_t chunk_base;
	bool lockfile;
	int err;
	struct hit *hits;
	size_t hits_nr, hits_alloc;
};

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

double rules_entropy(const char *s, size_t len)
{
	size_t count[256] = { 0 };
	double h = 0;

	if (!len)
		return 0;
	for (size_t i = 0; i < len; i++)
		count[(unsigned char)s[i]]++;
	for (size_t i = 0; i < 256; i++) {
		double p;

		if (!count[i])
			continue;
		p = (double)count[i] / (double)len;
		h -= p * log2(p);
	}
	return h;
}

static int compile_re(pcre2_code **out, const char *what, const char *id,
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
	/* No JIT (e.g. unsupported CPU) just means the interpreter. */
	(void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
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
		int rc = compile_re(&(*out)[i], what, re[i], re[i]);

		if (rc < 0)
			return rc;
		(*nr)++;
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
	int rc = compile_re(&code, "regex", re, re);

	pcre2_code_free(code);
	return rc;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
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
	dst->regex = dup_or_null(src->regex);
	dst->keywords = dup_or_null(src->keywords);
	dst->entropy = src->entropy;
	dst->remediation = dup_or_null(src->remediation);
	dst->path = dup_or_null(src->path);
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

static unsigned pair_key(const struct rules *r, const char *p)
{
	return (unsigned)r->lc[(unsigned char)p[0]] << 8 |
	       r->lc[(unsigned char)p[1]];
}

static uint32_t quad_of(const struct rules *r, const char *p)
{
	return (uint32_t)r->lc[(unsigned char)p[0]] << 24 |
	       (uint32_t)r->lc[(unsigned char)p[1]] << 16 |
	       (uint32_t)r->lc[(unsigned char)p[2]] << 8 |
	       r->lc[(unsigned char)p[3]];
}

static unsigned quad_hash(uint32_t v)
{
	return (unsigned)((v * 2654435761u) >> 16);
}

static int cmp_kw_key(const void *a, const void *b)
{
	const struct kw_key *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->kw < y->kw ? -1 : x->kw > y->kw;
}

/* Keywords of min_len..max_len bytes, sorted by their prefix key. */
static void bucket(struct rules *r, struct kw_key **out, size_t *nr,
		   uint8_t *bits, size_t min_len, size_t max_len, bool quad)
{
	*out = xcalloc(r->kw_nr ? r->kw_nr : 1, sizeof(**out));
	*nr = 0;
	for (size_t k = 0; k < r->kw_nr; k++) {
		unsigned key;

		if (r->kw_len[k] < min_len || r->kw_len[k] > max_len)
			continue;
		key = quad ? quad_hash(quad_of(r, r->kw[k])) :
			     pair_key(r, r->kw[k]);
		(*out)[*nr].key = key;
		(*out)[(*nr)++].kw = k;
		bits[key >> 3] |= (uint8_t)(1u << (key & 7));
	}
	qsort(*out, *nr, sizeof(**out), cmp_kw_key);
}

/*
 * The small prefilter: keywords of four bytes or more bucketed by a hash
 * of their first four bytes, shorter ones by their first two (or one).
 */
static void build_pairs(struct rules *r)
{
	for (int c = 0; c < 256; c++)
		r->lc[c] = (unsigned char)(c >= 'A' && c <= 'Z' ?
						   c - 'A' + 'a' :
						   c);
	r->single_kw = xcalloc(r->kw_nr ? r->kw_nr : 1, sizeof(size_t));
	for (size_t k = 0; k < r->kw_nr; k++)
		if (r->kw_len[k] < 2)
			r->single_kw[r->single_nr++] = k;
	bucket(r, &r->pair_keys, &r->pair_nr, r->pair_bits, 2, 3, false);
	bucket(r, &r->quad_keys, &r->quad_nr, r->quad_bits, 4, SIZE_MAX, true);
}

static int build_db(const struct rules *r, hs_database_t **out)
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
	r->path_code = xcalloc(r->nr ? r->nr : 1, sizeof(pcre2_code *));
	for (size_t i = 0; i < r->nr; i++) {
		const struct rule *rule = r->rule[i];

		/* Config rules are checked now; built-ins when first used. */
		if (!r->bx[i] && rule->regex) {
			rc = compile_re(&r->lazy->code[i], "rule", rule->id,
					rule->regex);
			if (rc < 0)
				goto out;
		}
		if (rule->path) {
			rc = compile_re(&r->path_code[i], "rule", rule->id,
					rule->path);
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
		for (size_t i = 0; i < r->nr; i++)
			pcre2_code_free(r->lazy->code ? r->lazy->code[i] :
							NULL);
		free(r->lazy->code);
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
	free(r->pair_keys);
	free(r->quad_keys);
	free(r->single_kw);
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
	s->md = pcre2_match_data_create(16, NULL);
	s->mctx = new_match_context();
	if (!s->md)
		die("out of memory");
	s->code = xcalloc(n, sizeof(pcre2_code *));
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
	free(s->win_start);
	free(s->win_end);
	free(s->skip);
	free(s->hits);
	free(s);
}

/* A limit hit counts as no match, as in run_window(). */
static bool re_matches(const struct rules *r, pcre2_code *code,
		       pcre2_match_data *md, const char *s, size_t len)
{
	return pcre2_match(code, (PCRE2_SPTR)s, len, 0, 0, md, r->mctx) >= 0;
}

static bool any_matches(const struct rules *r, pcre2_code *const *code,
			size_t nr, pcre2_match_data *md, const char *s,
			size_t len)
{
	for (size_t i = 0; i < nr; i++)
		if (re_matches(r, code[i], md, s, len))
			return true;
	return false;
}

static bool path_allowed(const struct rules *r, pcre2_match_data *md,
			 const char *path)
{
	for (size_t i = 0; i < r->allow_path_nr; i++)
		if (re_matches(r, r->allow_path[i], md, path, strlen(path)))
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

static int get_code(struct rules_scratch *s, size_t ri, pcre2_code **out)
{
	const struct rules *r = s->r;
	struct rules_lazy *lz = r->lazy;
	int rc = 0;

	*out = s->code[ri];
	if (*out)
		return 0;
	pthread_mutex_lock(&lz->lock);
	if (!lz->code[ri])
		rc = compile_re(&lz->code[ri], "rule", r->rule[ri]->id,
				r->rule[ri]->regex);
	s->code[ri] = lz->code[ri];
	pthread_mutex_unlock(&lz->lock);
	*out = s->code[ri];
	return rc;
}

static bool has_classes(const char *s, size_t len)
{
	bool up = false, lo = false, dig = false;

	for (size_t i = 0; i < len; i++) {
		if (s[i] >= 'A' && s[i] <= 'Z')
			up = true;
		else if (s[i] >= 'a' && s[i] <= 'z')
			lo = true;
		else if (s[i] >= '0' && s[i] <= '9')
			dig = true;
	}
	return up && lo && dig;
}

static bool stopped(const struct rules *r, const char *s, size_t len)
{
	for (size_t i = 0; i < r->stop_nr; i++)
		if (rules_memcasemem(s, len, r->stop[i], r->stop_len[i]))
			return true;
	return false;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

static void consider(struct rules_scratch *s, size_t ri, size_t moff,
		     size_t mlen, size_t off, size_t len)
{
	const struct rules *r = s->r;
	const struct rule *rule = r->rule[ri];
	const struct builtin_rule *bx = r->bx[ri];
	const char *sec = s->buf + off;
	double h;
	struct hit *hit;

	if (!len)
		return;
	if (rule->flags & RULE_GENERIC) {
		/* The match starts at the secret word: widen it to the whole
		 * name so that checks see e.g. "public_" in public_key. */
		size_t lim = moff > 64 ? moff - 64 : 0;

		while (moff > lim && name_char(s->buf[moff - 1])) {
			moff--;
			mlen++;
		}
	}
	h = rules_entropy(sec, len);
	if (rule->entropy > 0 && h < rule->entropy)
		return;
	if (bx) {
		if (bx->xflags & RX_NOLOCK && s->lockfile)
			return;
		if (bx->xflags & RX_MIXED && !has_classes(sec, len))
			return;
		if (bx->check && !bx->check(s->buf + moff, mlen, sec, len))
			return;
	}
	if (rules_is_placeholder(sec, len, rule->flags & RULE_GENERIC))
		return;
	if (stopped(r, sec, len))
		return;
	if (any_matches(r, r->allow_re, r->allow_re_nr, s->md, sec, len))
		return;
	ALLOC_GROW(s->hits, s->hits_nr + 1, s->hits_alloc);
	hit = &s->hits[s->hits_nr++];
	hit->rule = ri;
	hit->off = off;
	hit->len = len;
	hit->moff = moff;
	hit->mlen = mlen;
	hit->entropy = h;
}

/* Runs rule ri over buf[ws, we) and records every surviving match. */
static int run_window(struct rules_scratch *s, size_t ri, size_t ws, size_t we)
{
	const char *sub = s->buf + ws;
	size_t sublen = we - ws;
	size_t off = 0;
	pcre2_code *code = NULL;
	unsigned g = s->r->rule[ri]->secret_group;
	int rc;

	rc = get_code(s, ri, &code);
	if (rc < 0)
		return rc;
	while (off <= sublen) {
		PCRE2_SIZE *ov;
		size_t ms, me, ss, se;
		int n = pcre2_match(code, (PCRE2_SPTR)sub, sublen, off, 0,
				    s->md, s->mctx);

		/* No match, or a limit hit: nothing (more) in this window. */
		if (n < 0)
			break;
		ov = pcre2_get_ovector_pointer(s->md);
		ms = ov[0];
		me = ov[1];
		ss = ms;
		se = me;
		if (g && (unsigned)n > g && ov[2 * g] != PCRE2_UNSET) {
			ss = ov[2 * g];
			se = ov[2 * g + 1];
		} else if (g) {
			/* An explicit group that took no part: no secret, as
			 * with gitleaks' secretGroup */
			se = ss;
		} else if (n >= 2 && ov[2] != PCRE2_UNSET) {
			ss = ov[2];
			se = ov[3];
		}
		if (me < ms) /* \K games */
			break;
		consider(s, ri, ws + ms, me - ms, ws + ss, se - ss);
		off = me > off ? me : off + 1;
	}
	return 0;
}

static size_t line_start_before(const char *buf, size_t pos, size_t cap)
{
	size_t lim = pos > cap ? pos - cap : 0;

	while (pos > lim && buf[pos - 1] != '\n')
		pos--;
	return pos;
}

static size_t line_end_after(const char *buf, size_t len, size_t pos,
			     size_t cap)
{
	size_t n = len - pos < cap ? len - pos : cap;
	const char *nl = memchr(buf + pos, '\n', n);

	return nl ? (size_t)(nl - buf) : pos + n;
}

static int on_keyword(unsigned int id, unsigned long long from,
		      unsigned long long to, unsigned int flags, void *ctx)
{
	struct rules_scratch *s = ctx;
	const struct rules *r = s->r;
	size_t end = s->chunk_base + (size_t)to;
	size_t start = end - r->kw_len[id];

	(void)from;
	(void)flags;
	for (size_t k = r->kw_first[id]; k < r->kw_first[id + 1]; k++) {
		size_t ri = r->kw_rule[k];
		const struct builtin_rule *bx = r->bx[ri];
		size_t ws, we;
		int rc;

		if (s->skip[ri])
			continue;
		if (start >= s->win_start[ri] && end <= s->win_end[ri])
			continue;
		ws = line_start_before(s->buf, start, WINDOW_CAP);
		if (bx && bx->xflags & RX_MULTILINE)
			we = s->len - ws < MULTILINE_WINDOW ?
				     s->len :
				     ws + MULTILINE_WINDOW;
		else
			we = line_end_after(s->buf, s->len, end, WINDOW_CAP);
		rc = run_window(s, ri, ws, we);
		if (rc < 0) {
			s->err = rc;
			return 1;
		}
		s->win_start[ri] = ws;
		s->win_end[ri] = we;
	}
	return 0;
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
		rc = build_db(s->r, &lz->db);
	pthread_mutex_unlock(&lz->lock);
	if (rc < 0)
		return rc;
	if (hs_alloc_scratch(lz->db, &s->hs) != HS_SUCCESS) {
		s->hs = NULL;
		return error_set("cannot allocate matcher scratch");
	}
	return 0;
}

static int prefilter_hyperscan(struct rules_scratch *s)
{
	const struct rules *r = s->r;
	size_t pos = 0;

	while (pos < s->len) {
		size_t n = s->len - pos > HS_CHUNK ? HS_CHUNK : s->len - pos;
		hs_error_t e;

		s->chunk_base = pos;
		e = hs_scan(r->lazy->db, s->buf + pos, (unsigned int)n, 0,
			    s->hs, on_keyword, s);
		if (e == HS_SCAN_TERMINATED)
			return s->err;
		if (e != HS_SUCCESS)
			return error_set("keyword scan failed (hyperscan "
					 "error %d)",
					 (int)e);
		if (pos + n >= s->len)
			break;
		pos += n - (r->max_kw_len > 1 ? r->max_kw_len - 1 : 0);
	}
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

/* The table prefilter, for small volumes (no compile cost). */
static int prefilter_small(struct rules_scratch *s)
{
	const struct rules *r = s->r;
	const char *b = s->buf;
	size_t len = s->len;
	bool pairs = r->pair_nr > 0;
	uint32_t v = 0;

	s->chunk_base = 0;
	for (size_t i = 0; i < 3 && i < len; i++)
		v = v << 8 | r->lc[(unsigned char)b[i]];
	for (size_t i = 0; i < len; i++) {
		unsigned key;

		for (size_t j = 0; j < r->single_nr; j++) {
			size_t k = r->single_kw[j];

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
		if (pairs && has_bit(r->pair_bits, key) &&
		    try_bucket(s, r->pair_keys, r->pair_nr, key, i))
			return s->err;
		if (i + 3 >= len)
			continue;
		key = quad_hash(v);
		if (has_bit(r->quad_bits, key) &&
		    try_bucket(s, r->quad_keys, r->quad_nr, key, i))
			return s->err;
	}
	return 0;
}

static int prefilter(struct rules_scratch *s)
{
	int rc;

	if (!s->r->kw_nr)
		return 0;
	s->scanned = st_add(s->scanned, s->len);
	if (!s->hs && s->scanned >= HS_THRESHOLD) {
		rc = start_hyperscan(s);
		if (rc < 0)
			return rc;
	}
	if (s->hs)
		return prefilter_hyperscan(s);
	return prefilter_small(s);
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
 * Drops exact duplicates (same place, several windows or rules) and a
 * generic finding overlapped by a specific one.
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
		if (r->rule[h->rule]->flags & RULE_GENERIC) {
			size_t lo = i > 16 ? i - 16 : 0;
			size_t hi = i + 16 < s->hits_nr ? i + 16 : s->hits_nr;

			for (size_t j = lo; j < hi && !drop; j++)
				drop = j != i && s->hits[j].rule != SIZE_MAX &&
				       !(r->rule[s->hits[j].rule]->flags &
					 RULE_GENERIC) &&
				       overlaps(h, &s->hits[j]);
		}
		if (!drop)
			s->hits[w++] = *h;
	}
	s->hits_nr = w;
}

static bool line_allowed(const char *buf, size_t len, size_t ls)
{
	size_t le = line_end_after(buf, len, ls, len - ls);

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

	if (any_matches(r, r->allow_match, r->allow_match_nr, s->md,
			s->buf + h->moff, h->mlen))
		return true;
	if (!r->allow_line_nr)
		return false;
	le = line_end_after(s->buf, s->len, ls, s->len - ls);
	return any_matches(r, r->allow_line, r->allow_line_nr, s->md,
			   s->buf + ls, le - ls);
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
		if (line_allowed(s->buf, s->len, ls))
			continue;
		mls = line_start_before(s->buf, h->moff, h->moff);
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

	for (size_t i = 0; i < r->pathr_nr; i++) {
		size_t ri = r->pathr[i];

		s->skip[ri] = !path || !re_matches(r, r->path_code[ri], s->md,
						   path, strlen(path));
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

static int scan_buf(const struct rules *r, struct rules_scratch *s,
		    const char *path, const char *buf, size_t len, bool binary,
		    rules_match_fn fn, void *data)
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
	for (size_t i = 0; i < r->nr; i++) {
		const struct rule *rule = r->rule[i];

		s->win_start[i] = 0;
		s->win_end[i] = 0;
		/* binary: only context-free rules and findings by path */
		s->skip[i] = binary && !(rule->flags & RULE_BINARY) &&
			     !(rule->flags & RULE_PATH_CONTENT && !rule->regex);
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
		rc = run_window(s, ri, 0, len);
		if (rc < 0)
			goto out;
	}
	for (size_t i = 0; i < r->nokw_nr; i++) {
		size_t ri = r->nokw[i];

		if (s->skip[ri])
			continue;
		rc = run_window(s, ri, 0, len);
		if (rc < 0)
			goto out;
	}
	rc = prefilter(s);
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
	return scan_buf(r, s, path, buf, len, false, fn, data);
}

int rules_scan_binary(const struct rules *r, struct rules_scratch *s,
		      const char *path, const char *buf, size_t len,
		      rules_match_fn fn, void *data)
{
	return scan_buf(r, s, path, buf, len, true, fn, data);
}
