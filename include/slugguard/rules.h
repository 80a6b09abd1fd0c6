/* SPDX-License-Identifier: MIT */
/*
 * rules: the secret-detection rule table and the matcher. Pure: no I/O,
 * no git. The only user of Hyperscan and PCRE2.
 *
 * Calling sequence:
 *   1. rules_compile(&r, &cfg)   once per process (built-ins + config)
 *   2. rules_scratch_new(&s, r)  once per thread
 *   3. rules_scan(r, s, path, buf, len, fn, data) per blob / file / text;
 *      fn is called once per finding, in buffer order
 *   4. rules_scratch_free(s); rules_free(r)
 */
#ifndef SLUGGUARD_RULES_H
#define SLUGGUARD_RULES_H

enum rule_flags {
	/* The finding is the file itself (e.g. config/master.key): regex is
	 * matched against the whole content of a file whose path matches.
	 * With regex NULL the path alone is the finding (e.g. *.p12). */
	RULE_PATH_CONTENT = 1 << 0,
	/* Secret must not be an all-lowercase/uppercase word-ish placeholder
	 * and must pass the placeholder filter (generic rules). */
	RULE_GENERIC = 1 << 1,
	/* The rule needs no context (a vendor-prefixed key, a PEM block):
	 * it also runs over the printable runs of binary files. */
	RULE_BINARY = 1 << 2,
};

/* A rule definition. Built-ins are static; config rules are owned by the
 * config that made them. */
struct rule {
	const char *id; /* kebab-case, e.g. "openai-api-key" */
	const char *description; /* one line */
	const char *regex; /* PCRE2; group 1, if present, is the secret */
	const char *keywords; /* comma-separated lowercase literals for the
				 prefilter; NULL: scan every line */
	double entropy; /* minimum Shannon entropy (bits/char); 0 off */
	const char *remediation; /* where to revoke / rotate it */
	const char *path; /* optional PCRE2 on the path; NULL: any.
			     Keyword rules with a path only apply to
			     matching paths. */
	unsigned flags; /* enum rule_flags */
	unsigned secret_group; /* the capture group holding the secret (no
				  match when it took no part); 0: group 1
				  if the regex has one, else the match */
};

/* The built-in table (static storage). */
size_t rules_builtin_count(void);
const struct rule *rules_builtin(size_t i);

/* Tuning from .slugguard.json; every pointer is borrowed by
 * rules_compile() only for the duration of the call (it copies). */
struct rules_config {
	/* Additional rules; one with a built-in's id replaces it. Their
	 * regexes are compiled (and checked) by rules_compile(); built-in
	 * regexes are compiled on first use. */
	const struct rule *extra;
	size_t extra_nr;
	const char *const *disabled; /* rule ids to drop */
	size_t disabled_nr;
	const char *const *allow_regexes; /* a secret matching one is ignored */
	size_t allow_regexes_nr;
	const char *const *allow_paths; /* PCRE2 on paths never reported */
	size_t allow_paths_nr;
	const char *const *stopwords; /* a secret containing one is ignored */
	size_t stopwords_nr;
	/* gitleaks' regexTarget "match" and "line": a finding whose whole
	 * match, or whose line, matches one is ignored */
	const char *const *allow_match_regexes;
	size_t allow_match_regexes_nr;
	const char *const *allow_line_regexes;
	size_t allow_line_regexes_nr;
};

struct rules;
struct rules_scratch;

/*
 * Compile built-ins plus cfg (may be NULL). A bad extra rule or regex is
 * an error naming the rule id and the PCRE2 message. Caller frees with
 * rules_free().
 */
int rules_compile(struct rules **out, const struct rules_config *cfg);
void rules_free(struct rules *r);
size_t rules_count(const struct rules *r);
/* The i-th active rule (borrowed). */
const struct rule *rules_at(const struct rules *r, size_t i);
/* Per-thread matching state; caller frees with rules_scratch_free(). */
int rules_scratch_new(struct rules_scratch **out, const struct rules *r);
void rules_scratch_free(struct rules_scratch *s);
/*
 * Compile re alone to check it: 0, or ERR_FAIL with PCRE2's message
 * ("regex '<re>': invalid regex at offset 3: ...").
 */
int rules_check_regex(const char *re);
/* True when path is excluded by an allow_paths entry. */
bool rules_path_allowed(const struct rules *r, const char *path);

/*
 * A match. For a path-only rule (RULE_PATH_CONTENT, regex NULL) line and
 * column are 1, offset 0, and secret points at the path.
 */
struct rules_match {
	const struct rule *rule;
	size_t line; /* 1-based line of the secret's first byte */
	size_t column; /* 1-based byte column of the secret */
	size_t offset; /* byte offset of the secret in buf */
	const char *secret; /* borrowed, points into buf */
	size_t secret_len;
	double entropy;
};

/* Return 0 to continue, negative to stop the scan with that code. */
typedef int (*rules_match_fn)(const struct rules_match *m, void *data);

/*
 * Find every secret in buf. path (may be NULL) selects path rules and
 * allow_paths. Lines carrying "slugguard:allow" or "gitleaks:allow" are
 * skipped. Invalid
 * UTF-8, NUL-free binary-ish text, CRLF and very long lines are fine.
 * Returns 0, fn's negative code, or ERR_FAIL on a matcher error.
 */
int rules_scan(const struct rules *r, struct rules_scratch *s, const char *path,
	       const char *buf, size_t len, rules_match_fn fn, void *data);

/*
 * rules_scan() for a file whose bytes outside [from, to) are those of an
 * earlier version (a common prefix and suffix): reports at least every
 * match overlapping [from, to), reading buf whole for context, but looks
 * for keywords only as far around the region as a match can reach.
 * Matches wholly outside it may or may not be reported. For a history
 * scan, where a secret the earlier version has is not new.
 */
int rules_scan_region(const struct rules *r, struct rules_scratch *s,
		      const char *path, const char *buf, size_t len,
		      size_t from, size_t to, rules_match_fn fn, void *data);

/* A changed span [from, to) of a buffer; empty (from == to): a place
 * where the earlier version had bytes this one lacks. */
struct rules_span {
	size_t from, to;
};

/*
 * rules_scan_region() over several changed spans, in order and apart
 * (each from at or past the previous to): every match overlapping a
 * span, or crossing an empty one, is reported.
 */
int rules_scan_spans(const struct rules *r, struct rules_scratch *s,
		     const char *path, const char *buf, size_t len,
		     const struct rules_span *spans, size_t nr,
		     rules_match_fn fn, void *data);

/*
 * Whether s matches with Hyperscan now (past a few MB scanned): then a
 * whole buffer costs little more than a region of it.
 */
bool rules_scratch_bulk(const struct rules_scratch *s);

/*
 * The same for the printable text of a binary file (the caller blanks
 * what is not text): only RULE_BINARY rules and findings by path run,
 * since the context other rules need is garbled in binary data.
 */
int rules_scan_binary(const struct rules *r, struct rules_scratch *s,
		      const char *path, const char *buf, size_t len,
		      rules_match_fn fn, void *data);

/*
 * Path-only rules for a file whose content is not scanned (binary files,
 * size-capped blobs): reports e.g. a committed *.p12. rules_scan() already
 * does this for the files it scans; call one or the other per file.
 */
int rules_scan_path(const struct rules *r, struct rules_scratch *s,
		    const char *path, rules_match_fn fn, void *data);

/* Shannon entropy in bits per byte of s. */
double rules_entropy(const char *s, size_t len);

/* ---- literal sets ------------------------------------------------------ */

/*
 * A set of exact byte strings matched together in one pass (Hyperscan's
 * literal mode): config var values for the masker (src/mask/) and the
 * slug check (src/slug/). Literals may hold any byte, NUL and newline
 * included; they are case-sensitive.
 *
 * Calling sequence, as for rules:
 *   1. rules_literals_new(&l, lits, lens, nr)   once
 *   2. rules_literals_scratch_new(&s, l)        once per thread
 *   3. rules_literals_scan(l, s, buf, len, fn, data) per buffer
 *   4. rules_literals_scratch_free(s); rules_literals_free(l)
 */
struct rules_literals;
struct rules_literals_scratch;

/*
 * Compile nr literals (lits[i] of lens[i] bytes, each at least 1 byte;
 * copied). Literal i is reported with id i. Loads Hyperscan; ERR_FAIL
 * with its message when it cannot be loaded or compile fails. nr may be
 * 0: every scan then finds nothing. Caller frees with
 * rules_literals_free().
 */
int rules_literals_new(struct rules_literals **out, const char *const *lits,
		       const size_t *lens, size_t nr);
void rules_literals_free(struct rules_literals *l);
/* The number of literals (ids run from 0 to this - 1). */
size_t rules_literals_count(const struct rules_literals *l);
/* The longest literal's length (0 for an empty set). */
size_t rules_literals_max_len(const struct rules_literals *l);
/* Per-thread state; caller frees with rules_literals_scratch_free(). */
int rules_literals_scratch_new(struct rules_literals_scratch **out,
			       const struct rules_literals *l);
void rules_literals_scratch_free(struct rules_literals_scratch *s);

/*
 * Called for every occurrence (overlapping ones too) of literal id at
 * buf[start..end), in order of end. Return 0 to go on, negative to stop
 * the scan with that code.
 */
typedef int (*rules_literal_fn)(size_t id, size_t start, size_t end,
				void *data);

/*
 * Find every occurrence of every literal in buf[0..len). Returns 0, fn's
 * negative code, or ERR_FAIL on a matcher error.
 */
int rules_literals_scan(const struct rules_literals *l,
			struct rules_literals_scratch *s, const char *buf,
			size_t len, rules_literal_fn fn, void *data);

#endif
