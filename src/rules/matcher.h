/* SPDX-License-Identifier: MIT */
/*
 * Private to src/rules/: the compiled rule set and the per-thread scratch,
 * shared by compile.c (builds them), window.c (runs one rule over a
 * window), prefilter.c (finds keyword hits) and match.c (drives a scan,
 * de-duplicates and reports). Calls go one way: match -> prefilter ->
 * window -> compile.
 */
#ifndef SLUGGUARD_RULES_MATCHER_H
#define SLUGGUARD_RULES_MATCHER_H

#include "slugguard/rules.h"
#include "slugguard/strbuf.h"
#include "rules/rules-internal.h"
#include "rules/hs-dl.h"

#define PCRE2_CODE_UNIT_WIDTH 8
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

/* Beyond this many distinct leading pairs a vector search pays no more. */
#define KW_LEADS 8

/* Keywords bucketed for the byte loop of the small prefilter. */
struct kw_table {
	uint8_t pair_bits[65536 / 8]; /* first two bytes of some keyword */
	struct kw_key *pair_keys; /* sorted by key */
	size_t pair_nr;
	size_t *single_kw; /* one-byte keywords */
	size_t single_nr;
	uint8_t quad_bits[65536 / 8]; /* hashed first four bytes (len >= 4) */
	struct kw_key *quad_keys; /* sorted by key */
	size_t quad_nr;
	/*
	 * The distinct first two bytes of its keywords, each OR 0x20 (ASCII
	 * lower case, and a superset for other bytes), when there are few
	 * and none is shorter: a vector search finds where to try them.
	 */
	unsigned char lead[KW_LEADS][2];
	size_t lead_nr; /* 0: the byte loop everywhere */
};

/*
 * A rule's regex (and its path's) runs in PCRE2's interpreter over its
 * first JIT_AFTER bytes of subject in a scratch, then through a
 * JIT-compiled copy. A JIT compile costs 30-80 us here (the first one
 * also sets up sljit's executable memory): on a git.git push the JIT
 * cost 0.5 ms more than it saved, its regexes running over a few KB
 * each; a history scan passes 64 KB within its first commits.
 */
#define JIT_AFTER ((uint64_t)64 << 10)

/* Mutable state behind a const struct rules: lazily compiled regexes. */
struct rules_lazy {
	pthread_mutex_t lock;
	pcre2_code **code; /* one per active rule, interpreted */
	pcre2_code **jit; /* its JIT-compiled copy, once made */
	pcre2_code **path_jit; /* the same for path_code */
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
	struct kw_table all; /* every keyword */
	/* the keywords of RX_MULTILINE rules, whose window reaches 64 KiB
	 * past the keyword's line: looked for further around a changed
	 * region than the rest (rules_scan_region) */
	struct kw_table wide;
	bool *kw_wide; /* kw_nr: a keyword of an RX_MULTILINE rule */

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
	pcre2_code **code; /* per-thread cache of r->lazy->code or jit */
	pcre2_code **path_code; /* of r->path_code or r->lazy->path_jit */
	uint64_t *uses, *path_uses; /* subject bytes, up to JIT_AFTER */
	size_t *win_start, *win_end;
	bool *skip;

	/* per scan */
	const char *buf;
	size_t len;
	size_t chunk_base;
	size_t range_at; /* where the Hyperscan pass started in buf */
	size_t narrow_from; /* before it only RX_MULTILINE rules' keywords */
	size_t chunk_skip; /* keywords ending at or before: reported */
	size_t kw_limit; /* keywords starting at or after: not this range's */
	struct strbuf pad; /* the tail of a Hyperscan scan (hs-dl.h) */
	bool lockfile;
	bool docs; /* prose documentation: self-identifying rules only */
	bool vendor_path; /* the path names a vendor (RX_VENDOR rules) */
	int err;
	struct hit *hits;
	size_t hits_nr, hits_alloc;

	/* RX_DECODE64 values: their decoded text, scanned by a scratch of
	 * its own (created on first use; it decodes nothing itself) */
	struct rules_scratch *inner;
	bool nested;
	char *decoded;
	size_t decoded_alloc;
};

static inline unsigned pair_key(const struct rules *r, const char *p)
{
	return (unsigned)r->lc[(unsigned char)p[0]] << 8 |
	       r->lc[(unsigned char)p[1]];
}

static inline uint32_t quad_of(const struct rules *r, const char *p)
{
	return (uint32_t)r->lc[(unsigned char)p[0]] << 24 |
	       (uint32_t)r->lc[(unsigned char)p[1]] << 16 |
	       (uint32_t)r->lc[(unsigned char)p[2]] << 8 |
	       r->lc[(unsigned char)p[3]];
}

static inline unsigned quad_hash(uint32_t v)
{
	return (unsigned)((v * 2654435761u) >> 16);
}

/* compile.c */
/* Compiles re (for rule or list what, named id) into *out, for the
 * interpreter (see JIT_AFTER). */
int rules_compile_re(pcre2_code **out, const char *what, const char *id,
		     const char *re);
/* The Hyperscan keyword database of r; caller frees with hs_free_database. */
int rules_build_db(const struct rules *r, hs_database_t **out);

/* window.c */
/* A limit hit counts as no match. */
bool rules_re_matches(const struct rules *r, pcre2_code *code,
		      pcre2_match_data *md, const char *s, size_t len);
bool rules_any_matches(const struct rules *r, pcre2_code *const *code,
		       size_t nr, pcre2_match_data *md, const char *s,
		       size_t len);
/* Rule ri's compiled path regex for s, to run over len bytes (see
 * JIT_AFTER). */
pcre2_code *rules_path_code(struct rules_scratch *s, size_t ri, size_t len);
/* Runs rule ri over buf[ws, we) and records every surviving match. */
int rules_run_window(struct rules_scratch *s, size_t ri, size_t ws, size_t we);
/* Keyword kw ends at buf offset end: runs the rules that own it. */
int rules_keyword_hit(struct rules_scratch *s, size_t kw, size_t end);
size_t rules_line_start(const char *buf, size_t pos, size_t cap);
size_t rules_line_end(const char *buf, size_t len, size_t pos, size_t cap);

/* prefilter.c */
/*
 * Finds every keyword in s->buf[from, to) and runs the rules owning each
 * hit (their windows may reach outside the range).
 */
int rules_prefilter(struct rules_scratch *s, size_t from, size_t to);
/*
 * Keywords starting in s->buf[narrow, to), and those of RX_MULTILINE
 * rules (r->wide) starting in [wide, narrow).
 */
int rules_prefilter_split(struct rules_scratch *s, size_t wide, size_t narrow,
			  size_t to);

#endif
