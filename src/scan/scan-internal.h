/* SPDX-License-Identifier: MIT */
/* Private to src/scan/ (and its unit tests): the pure pieces. */
#ifndef SLUGGUARD_SCAN_INTERNAL_H
#define SLUGGUARD_SCAN_INTERNAL_H

#include "slugguard/config.h"
#include "slugguard/rules.h"
#include "slugguard/scan.h"
#include "slugguard/strbuf.h"
#include "slugguard/strvec.h"

#include <pthread.h>
#include <stdatomic.h>

/* ---- diff.c: unified diffs on stdin --------------------------------- */

/* The added lines of one file of a diff, joined by '\n'. */
struct scan_diff_file {
	char *path;
	struct strbuf text;
	size_t *lines; /* lines[i]: file line number of text line i+1 */
	size_t nr, alloc;
};

/* Does buf look like a unified diff (a "+++ " header and a hunk)? */
bool scan_is_diff(const char *buf, size_t len);
/*
 * Split a unified diff into per-file added text. Deleted files and
 * binary patches contribute nothing. Caller frees with
 * scan_diff_free(*out, *nr).
 */
int scan_diff_parse(struct scan_diff_file **out, size_t *nr, const char *buf,
		    size_t len);
void scan_diff_free(struct scan_diff_file *files, size_t nr);

/* ---- ignore.c: .slugguardignore, .gitleaksignore, baselines --------- */

struct scan_ignore_entry {
	char *text; /* the entry as written */
	char *source; /* file it came from */
	char *commit; /* NULL: any commit */
	char *file; /* NULL: the whole commit (allowlist commits) */
	char *rule;
	size_t line;
	char *content; /* "content:<rule>:<hex>" entries; else NULL */
	char *secret; /* baseline: the secret as reported (maybe redacted) */
	bool baseline;
	bool used;
};

struct scan_ignore {
	struct scan_ignore_entry *v;
	size_t nr, alloc;
};

/* Parse one ignore line; false for blank, comment or malformed lines. */
bool scan_ignore_parse_line(struct scan_ignore_entry *out, const char *line,
			    const char *source);
/* Add the entries of an ignore file; a missing file is fine. */
int scan_ignore_load(struct scan_ignore *ign, const char *path);
/* Silence every finding in these commits (ids or prefixes of 7 or more
 * hex digits; gitleaks' allowlist commits). */
void scan_ignore_add_commits(struct scan_ignore *ign,
			     const struct strvec *commits);
/* Add the findings of an earlier JSON report. */
int scan_ignore_load_baseline(struct scan_ignore *ign, const char *path);
/* True when f is silenced by some entry (which is marked used). */
bool scan_ignore_match(struct scan_ignore *ign, const struct scan_finding *f);
void scan_ignore_release(struct scan_ignore *ign);

/* ---- chunk.c: large and binary files ---------------------------------- */

struct rules;
struct rules_scratch;
struct rules_match;

/*
 * Window sizes: each window holds chunk bytes of its own plus overlap
 * bytes either side; overlap must exceed the longest match window of
 * any rule (the matcher looks 64 KiB past a multi-line rule's keyword
 * line), and chunk must exceed overlap.
 */
struct scan_chunking {
	size_t chunk, overlap;
};

/* Sequential reader: up to len bytes into dst, *got 0 at the end. */
typedef int (*scan_read_fn)(void *data, char *dst, size_t len, size_t *got);

/* A scan_read_fn over a buffer in memory (data: this struct). */
struct scan_mem_reader {
	const char *buf;
	size_t len, pos;
};
int scan_read_mem(void *data, char *dst, size_t len, size_t *got);

/*
 * Blank every byte that is not part of a printable run (ASCII text,
 * tab, CR, LF) of at least 8 bytes to '\n', in place: what strings(1)
 * would show, at the same offsets.
 */
void scan_printable_runs(char *buf, size_t len);

/*
 * Scan what rd delivers through the rules in overlapping windows (win and
 * tmp are the caller's reusable buffers; at most chunk + 2 * overlap
 * bytes each). Each match is passed to fn once, with offset, line and
 * column counted from the start of the stream. binary: blank what is not
 * text (scan_printable_runs) and run only the rules that need no context
 * (rules_scan_binary). Returns 0, rd's or fn's negative code, or the
 * matcher's error.
 */
int scan_chunked(const struct rules *r, struct rules_scratch *s,
		 const char *path, const struct scan_chunking *ck, bool binary,
		 scan_read_fn rd, void *rdd, struct strbuf *win,
		 struct strbuf *tmp, rules_match_fn fn, void *data);
/* ---- engine.c: the core shared by every mode ------------------------- */

/* A binary file: a NUL in its first SCAN_BINARY_PROBE bytes (git's rule). */
#define SCAN_BINARY_PROBE 8000

/* One match of a rule in one blob or file. */
struct hit {
	const struct rule *rule;
	size_t line, column;
	size_t offset; /* byte offset in the file */
	bool binary; /* found in a binary file: the offset says where */
	char *secret;
	double entropy;
	unsigned context; /* scan_context_of(), when the buffer was seen */
	char *snippet; /* scan_context_snippet(), or NULL */
};

/* A blob's or file's matches; owns each secret and snippet. */
struct hits {
	struct hit *v;
	size_t nr, alloc;
	bool binary; /* what collect() records in each hit */
	bool region; /* matched beside a base: keywords only near changes */
};

/* One scan: settings, rules, per-thread scratch, counters. */
struct scan_ctx {
	const struct scan_options *opts;
	struct scan_report *rep;
	struct config_scan cfg;
	struct rules *rules;
	struct rules_scratch **scratch; /* threads + 1 */
	unsigned threads;
	size_t max_blob;
	const char *salt;
	struct scan_ignore ign;
	char *root;

	pthread_mutex_t lock;
	struct hits **by_blob; /* blob number -> hits, NULL when clean */
	size_t by_blob_alloc;
	/* blob number -> hits of the blob matched whole (attribute()), for
	 * the blobs first matched beside a base; an empty hits when clean */
	struct hits **whole;
	size_t whole_alloc;
	atomic_uint_fast64_t bytes, blobs, skipped;
	atomic_uint_fast64_t binary, streamed, allowed;
	struct strbuf *win, *tmp; /* per thread (threads + 1): windows */
	int failed;
	double t0;
	bool progress_shown;
};

double scan_now(void);
void scan_hits_clear(struct hits *h);
bool scan_is_binary(const char *buf, size_t len);
/* Set c up for one scan (settings from root, the work tree, or opts);
 * scan_ctx_release() frees it, also after a failure. */
int scan_ctx_init(struct scan_ctx *c, const struct scan_options *opts,
		  struct scan_report *rep, const char *root);
void scan_ctx_release(struct scan_ctx *c);
/* Match buf with thread's scratch into h (appending). Messages (path
 * NULL) count as bytes but not as blobs. */
int scan_match(struct scan_ctx *c, unsigned thread, const char *path,
	       const char *buf, size_t len, struct hits *h);
/* What rd delivers (len bytes), in windows; binary: its printable runs. */
int scan_match_chunked(struct scan_ctx *c, unsigned thread, const char *path,
		       size_t len, bool binary, scan_read_fn rd, void *rdd,
		       struct hits *h);
/*
 * A blob or file held in memory: at once, or in windows. base (NULL if
 * none) is an earlier version: then only the matches that are not wholly
 * inside the bytes both share at the start or at the end are sure to be
 * found (the others are not new in buf).
 */
int scan_match_blob(struct scan_ctx *c, unsigned thread, const char *path,
		    const char *buf, size_t len, const char *base,
		    size_t base_len, struct hits *h);
/*
 * Where buf differs from base, an earlier version of it (spans.c): the
 * changed spans for rules_scan_spans(), in order, into *out (the
 * caller's, freed with free(); set even when none). Returns how many.
 */
size_t scan_changed_spans(struct rules_span **out, const char *buf, size_t len,
			  const char *base, size_t base_len);
/* dir/name, or name when dir is "."; caller frees. */
char *scan_join_path(const char *dir, const char *name);
void scan_progress_clear(struct scan_ctx *c);
/* Add a finding from a hit; commit, author and date may be NULL. */
struct scan_finding *scan_add_finding(struct scan_ctx *c, const struct hit *h,
				      const char *commit, const char *file,
				      const char *author, const char *date);
/* Fingerprints, ignores and baseline, order, counters: the report done. */
void scan_finish(struct scan_ctx *c);
/* The work tree we are in, if any (*w is opened for it; the caller
 * frees it), for settings; NULL when none or when opts names a root. */
const char *scan_discover_root(const struct scan_options *opts,
			       struct gitwalk **w);

/* ---- baseline.c: slugguard's own files ------------------------------ */

/* True for the files slugguard owns (ignore files, baseline, policy and
 * scanner config), by base name. */
bool scan_own_file(const char *path);
/* Blank, in place, the fingerprint hashes and commit ids slugguard wrote
 * in one of its own files; the rest stays to be scanned. */
void scan_own_mask(char *buf, size_t len);
/* Add the accepted content fingerprints as baseline entries. */
void scan_ignore_add_accepted(struct scan_ignore *ign, const struct strvec *fps,
			      const char *source);

/* ---- context.c: where a finding sits ------------------------------- */

/* The label (enum scan_context) the path alone gives. */
unsigned scan_context_path(const char *path);
/*
 * The label of the secret at buf[off, off + slen) of the file path (may be
 * NULL for messages): the path's, else what the content says (a recorded
 * HTTP cassette is a fixture; a test-mode or sandbox key, or a key name
 * saying test or sandbox, is a test). buf may be NULL: the path alone.
 */
unsigned scan_context_of(const char *path, const char *buf, size_t len,
			 size_t off, size_t slen);
/*
 * A snippet for the secret at buf[off, off + slen): at most 60 bytes of
 * its line before it, not reaching back past floor (the end of the
 * previous secret, which must not show), then redacted in place of the
 * secret; bytes that are not printable ASCII become '?'. NULL when off
 * and slen do not fit in buf. Caller frees.
 */
char *scan_context_snippet(const char *buf, size_t len, size_t floor,
			   size_t off, size_t slen, const char *redacted);

/* ---- report.c ------------------------------------------------------- */

/* Positional fingerprint "<commit or 'dir'>:<file>:<rule>:<line>". */
char *scan_fingerprint(const struct scan_finding *f);
/* Free a finding's members (the secret is wiped first). */
void scan_finding_release(struct scan_finding *f);
/* Append a zeroed finding to rep and return it. */
struct scan_finding *scan_report_add(struct scan_report *rep);
/* JSON text of the report (no trailing newline); caller frees. */
char *scan_report_json(const struct scan_report *rep, unsigned flags);
char *scan_report_sarif(const struct scan_report *rep, unsigned flags,
			const struct scan_sarif_meta *meta);
char *scan_report_gitleaks(const struct scan_report *rep, unsigned flags);

/* A small memmem (not in POSIX). */
const char *scan_memmem(const char *hay, size_t hay_len, const char *needle,
			size_t needle_len);

/* The scanner config (config.c), shared with gitleaks.c. */
/* Point c->rules at the current contents of c's lists (after appends). */
void config_scan_sync(struct config_scan *c);
/* Rule ids: lowercase letters, digits, '-', '_' and '.'. */
bool config_scan_valid_id(const char *id);

/* ---- toml.c: the TOML reader behind gitleaks.c ---------------------- */

enum tval_kind { TV_STRING, TV_INT, TV_FLOAT, TV_BOOL, TV_ARRAY };

struct tval {
	enum tval_kind kind;
	struct strbuf s; /* TV_STRING */
	struct strvec arr; /* TV_ARRAY: strings only */
	long long i;
	double d; /* TV_FLOAT, and TV_INT as a double */
	bool b;
};

enum table {
	T_ROOT,
	T_ALLOWLIST, /* [allowlist] or one [[allowlists]] */
	T_RULE, /* one [[rules]] */
	T_EXTEND,
};

enum target { TARGET_SECRET, TARGET_MATCH, TARGET_LINE };

struct tparse {
	const char *buf, *p, *end;
	size_t line;
	const char *what;
	struct config_scan *c;

	enum table table;
	size_t table_line;
	struct strvec keys; /* of the current table: TOML forbids repeats */
	bool seen_allowlist, seen_extend;

	/* the current allowlist: regexTarget may come after regexes */
	struct strvec regexes;
	enum target target;

	/* the current rule, its strings in c->owned */
	struct rule rule;
};

/* An error "<what>:<line>: <message>" in the error slot; returns it. */
int toml_perr(struct tparse *t, const char *fmt, ...) SG_PRINTF(2, 3);
/* toml_perr() for a TOML feature gitleaks configs do not use. */
int toml_unsupported(struct tparse *t, const char *what);
/* Whether the input at t->p starts with s. */
bool toml_at(const struct tparse *t, const char *s);
/* Skip spaces and tabs. */
void toml_skip_blank(struct tparse *t);
/* Blanks, an optional comment, then the end of the line. */
int toml_end_of_line(struct tparse *t);
/* One value into v (v's members are the caller's to release). */
int toml_value(struct tparse *t, struct tval *v);
/* One key: bare, "basic" or 'literal'. */
int toml_key(struct tparse *t, struct strbuf *sb);

#endif
