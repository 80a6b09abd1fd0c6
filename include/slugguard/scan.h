/* SPDX-License-Identifier: MIT */
/*
 * scan: drives gitwalk (commits, the index), the file system (--dir) or a
 * buffer (--stdin) through the rules, and collects findings into a report.
 * Owned by the scan engine (`slugguard scan`); the hooks (pre-push,
 * pre-receive, pre-commit) call it through this header.
 *
 * Calling sequence:
 *   1. struct scan_options opts = SCAN_OPTIONS_INIT; set what you need.
 *   2. struct scan_report rep = SCAN_REPORT_INIT;
 *   3. one of scan_revs(), scan_staged(), scan_dirs(), scan_text():
 *      each loads the configuration (.slugguard.json or opts.config_path),
 *      compiles the rules, scans, drops ignored findings (inline
 *      slugguard:allow, .slugguardignore, .gitleaksignore, the baseline)
 *      and fills rep. Returns 0 whether or not something was found: look
 *      at rep.nr. Errors (bad config, unresolvable or empty range, git
 *      failures) return a negative code with the message stored.
 *   4. scan_print_text() / scan_print_json() / scan_print_sarif().
 *   5. scan_report_release(&rep).
 *
 * In commit modes only added lines count: a finding is reported once, at
 * the commit whose change introduced the secret into that file (absent
 * from every parent's version of it), so merges re-report nothing their
 * parents had but do report conflict resolutions. Commit messages and
 * annotated tag messages (of tags pointing into the range) are scanned.
 */
#ifndef SLUGGUARD_SCAN_H
#define SLUGGUARD_SCAN_H

#include "slugguard/rules.h"
#include "slugguard/strbuf.h"
#include "slugguard/strvec.h"

struct gitwalk;

enum scan_flags {
	/* An empty commit range is fine (pre-push of known commits);
	 * without it an empty range is an error, so nothing looks clean by
	 * accident. */
	SCAN_ALLOW_EMPTY = 1 << 0,
	/* Draw progress (commits done/total, MB/s) on stderr. The caller
	 * decides (only when stderr is a terminal). */
	SCAN_PROGRESS = 1 << 1,
	/* Do not read .slugguardignore / .gitleaksignore. */
	SCAN_NO_IGNORE_FILES = 1 << 2,
	/* Report ignore entries that matched nothing in rep.unused_ignores
	 * (meaningful for whole-history or whole-tree scans). */
	SCAN_UNUSED_IGNORES = 1 << 3,
	/* Do not read <root>/SCAN_BASELINE_FILE (refreshing it). */
	SCAN_NO_BASELINE_FILE = 1 << 4,
};

/*
 * The committed baseline: findings accepted when slugguard was adopted
 * (`slugguard init`, `slugguard baseline`), as content fingerprints plus
 * rule, file and commit; never a secret. Read from the scan root like
 * .slugguardignore. See docs/scan.md for what pre-receive trusts.
 */
#define SCAN_BASELINE_FILE ".slugguard-baseline.json"

struct scan_options {
	unsigned flags; /* enum scan_flags */
	/* --config FILE; NULL: <root>/.slugguard.json when it exists. */
	const char *config_path;
	/*
	 * Directory holding .slugguard.json, .slugguardignore and
	 * .gitleaksignore. NULL: the repository's work tree (its git dir
	 * when bare) in commit/staged modes, the current directory else.
	 */
	const char *root;
	/* --baseline REPORT.json: findings present there are dropped. */
	const char *baseline_path;
	/* Size in bytes over which a blob or file is read in windows of
	 * bounded size rather than whole; 0: config or 10 MiB. */
	size_t max_blob_size;
	/* Worker threads; 0: one per online CPU (at most 8). */
	unsigned threads;
	/* More accepted content fingerprints ("content:<rule>:<hex>"), e.g.
	 * the baseline pre-receive trusts; borrowed, may be NULL. */
	const struct strvec *accepted;
};

#define SCAN_OPTIONS_INIT                       \
	{                                       \
		0, NULL, NULL, NULL, 0, 0, NULL \
	}

/*
 * Where a finding sits, from its path and surroundings (docs/scan.md):
 * labels help triage, and the policy's scan.allow_contexts may let
 * findings with some labels through a push. SCAN_CONTEXT_NONE: plain code.
 */
enum scan_context {
	SCAN_CONTEXT_NONE = 0,
	SCAN_CONTEXT_TEST, /* test code: spec/, test/, *_test.rb, sandbox */
	SCAN_CONTEXT_FIXTURE, /* fixtures/, cassettes/, recorded HTTP */
	SCAN_CONTEXT_DOCS, /* docs/, *.md */
	SCAN_CONTEXT_EXAMPLE, /* examples/, *.example, *.sample */
	SCAN_CONTEXT_NR
};

/* "test", "fixture", "docs", "example"; "" for SCAN_CONTEXT_NONE. */
const char *scan_context_name(unsigned context);
/* The label called name into *out; ERR_FAIL when there is none ("" too). */
int scan_context_parse(unsigned *out, const char *name);

struct scan_finding {
	char *rule; /* rule id */
	char *description; /* rule description */
	char *remediation; /* where to revoke / rotate it (may be "") */
	char *file; /* path in the commit / on disk; "(commit
		       message)" / "(tag <name>)" for messages */
	size_t line; /* 1-based */
	size_t column; /* 1-based byte column */
	char commit[41]; /* hex id, "" when not from a commit */
	char *author; /* "Name <email>", NULL when not from a commit */
	char *date; /* RFC 3339 author date, NULL likewise */
	char *secret; /* the raw secret: print only through scan_print_* */
	double entropy;
	char *fingerprint; /* "<commit or 'dir'>:<file>:<rule>:<line>" */
	char *content_fingerprint; /* "content:<rule>:<hex>" (keyed hash) */
	size_t order; /* position of its commit in walk order (sorting) */
	/* Found in the printable runs of a binary file: no line makes
	 * sense there, so line is 1 and column is offset + 1. */
	bool binary;
	size_t offset; /* byte offset of the secret in the file */
	unsigned context; /* enum scan_context */
	/* The line up to the secret, the secret redacted (no other secret
	 * shows); NULL when unknown (large or binary files). */
	char *snippet;
};

struct scan_report {
	struct scan_finding *findings; /* owned; nr used, alloc allocated */
	size_t nr, alloc;
	uint64_t commits; /* commits (and tags) whose messages were read */
	uint64_t blobs; /* blobs / files / texts scanned */
	uint64_t bytes; /* bytes given to the matcher */
	double seconds; /* wall time of the scan */
	size_t ignored; /* findings dropped by ignore files / baseline */
	size_t skipped; /* missing or unreadable blobs and files skipped */
	size_t binary; /* binary files: scanned by their printable runs */
	size_t streamed; /* files over the size cap: scanned in windows */
	size_t allowed; /* files skipped by allowlist.paths (the config) */
	/* Ignore entries that matched nothing ("<file>: <entry>"); filled
	 * only with SCAN_UNUSED_IGNORES. */
	struct strvec unused_ignores;
	/* What was scanned, for the summary ("commits a..b", "--staged"). */
	char *what;
};

#define SCAN_REPORT_INIT                                                   \
	{                                                                  \
		NULL, 0, 0, 0, 0, 0, 0.0, 0, 0, 0, 0, 0, STRVEC_INIT, NULL \
	}

/* Frees everything; rep is left as SCAN_REPORT_INIT (reusable). */
void scan_report_release(struct scan_report *rep);

/*
 * Scan the commits selected by rev-list-style arguments in an open
 * repository (pre-receive: open it with gitwalk_open(), which honours the
 * quarantine environment). Accepted: "<rev>", "^<rev>", "a..b", "a...b",
 * "--not" (flips the sense of what follows), "--all", "--branches[=G]",
 * "--tags[=G]", "--remotes[=G]", "--glob=G". Examples for hooks:
 *   { "<new>", "--not", "<old>" }
 *   { "<new>", "--not", "--remotes=origin" }
 * An argument that cannot be resolved is ERR_NOTFOUND; a range with no
 * commits is ERR_FAIL unless SCAN_ALLOW_EMPTY. revs is borrowed.
 */
int scan_revs(struct scan_report *rep, struct gitwalk *w,
	      const struct scan_options *opts, const char *const *revs,
	      size_t revs_nr);

/*
 * Scan the blobs and trees named by hexes (or annotated tags pointing at
 * one), all of their content, as a root commit's: a pushed tag may point
 * at a blob or a tree, which no commit range covers. names[i] ("refs/
 * tags/x") names each in the report: a finding's file is "<name>" for a
 * blob, "<name>:<path>" for a file of a tree. Both arrays are borrowed.
 */
int scan_objects(struct scan_report *rep, struct gitwalk *w,
		 const struct scan_options *opts, const char *const *hexes,
		 const char *const *names, size_t nr);

/* Scan what the index adds over HEAD (an unborn HEAD counts as empty). */
int scan_staged(struct scan_report *rep, struct gitwalk *w,
		const struct scan_options *opts);

/*
 * Scan files on disk under each path (files or directories, recursively;
 * .git directories and symlinks are skipped).
 */
int scan_dirs(struct scan_report *rep, const struct scan_options *opts,
	      const char *const *paths, size_t paths_nr);

/*
 * Scan a buffer: a unified diff (only '+' lines count, with the file and
 * line numbers of the hunk headers) or, when buf is not a diff, plain
 * text reported under name (e.g. "(stdin)").
 */
int scan_text(struct scan_report *rep, const struct scan_options *opts,
	      const char *buf, size_t len, const char *name);

enum scan_print_flags {
	SCAN_PRINT_NO_REDACT = 1 << 0, /* print secrets in full */
	SCAN_PRINT_COLOR = 1 << 1, /* ANSI colour (callers: tty only) */
	SCAN_PRINT_NO_SUMMARY = 1 << 2 /* text: no summary line */
};

/*
 * Text for people: one block per finding (file:line, short commit and
 * author, rule id and description, the secret redacted to its first 4
 * characters then "****", the remediation), then one summary line that
 * says what was scanned. Repository text is sanitised for the terminal.
 * Returns 0 or ERR_FAIL on a write error.
 */
int scan_print_text(FILE *fp, const struct scan_report *rep, unsigned flags);
/* {"version":1,"findings":[...],"stats":{...}} followed by a newline. */
int scan_print_json(FILE *fp, const struct scan_report *rep, unsigned flags);
/*
 * Where a SARIF report's paths lie and which revision of which repository
 * it describes; every member borrowed, any may be NULL.
 */
struct scan_sarif_meta {
	/* Absolute directory the "SRCROOT" base id stands for (the work
	 * tree); NULL: none is declared and paths stay as found. */
	const char *root;
	/* Absolute directory relative file names were found from (the
	 * current one, in --dir and --stdin modes); NULL: names are already
	 * relative to root (commit modes). */
	const char *cwd;
	/* The remote's URL as configured (credentials are stripped here),
	 * and the commit scanned (HEAD). */
	const char *remote_url;
	const char *revision;
};

/*
 * SARIF 2.1.0 for GitHub code scanning: rules with names, descriptions,
 * help (rotation steps), helpUri (docs/rules.md#<id> for built-ins), tags
 * and security-severity; results with relative URIs under "SRCROOT", a
 * region with its end, a redacted snippet, the context label;
 * versionControlProvenance when meta gives a remote. meta may be NULL.
 */
int scan_print_sarif(FILE *fp, const struct scan_report *rep, unsigned flags,
		     const struct scan_sarif_meta *meta);
/*
 * gitleaks' JSON report (an array of findings with Description,
 * StartLine, ..., RuleID, Fingerprint) for tools that import it; Secret
 * and Match are redacted unless SCAN_PRINT_NO_REDACT. The context label,
 * if any, is in Tags as "context:<label>".
 */
int scan_print_gitleaks(FILE *fp, const struct scan_report *rep,
			unsigned flags);
/*
 * The URL of a git remote as an absolute URI without credentials, for
 * versionControlProvenance: "https://user:tok@host/p" gives
 * "https://host/p", scp-like "git@host:o/r.git" gives
 * "ssh://host/o/r.git", a local path "file:///path". Appended to out.
 */
void scan_repo_uri(struct strbuf *out, const char *remote_url);

/*
 * Append to sb what the scan did not read as plain text and why, each
 * part after "; " (binary files read by their printable runs, files over
 * the cap read in windows, files skipped by allowlist.paths, missing
 * objects, silenced findings); nothing when all was read in full.
 */
void scan_report_describe(struct strbuf *sb, const struct scan_report *rep);
/*
 * Collect the content fingerprints of a baseline document (our
 * SCAN_BASELINE_FILE, or a JSON report whose fingerprints are content
 * ones) into out and, when files is not NULL, each entry's "file" ("" if
 * none) into files. what names the document in messages. ERR_FAIL when
 * it is not JSON or has no "findings" array.
 */
int scan_baseline_parse(struct strvec *out, struct strvec *files,
			const char *buf, size_t len, const char *what);
/*
 * The SCAN_BASELINE_FILE text for the findings of rep: one entry per
 * (fingerprint, file) with rule, file and the introducing commit, sorted
 * by file; no secret. Caller frees.
 */
char *scan_baseline_json(const struct scan_report *rep);

/* Redact a secret for display: the first 4 characters then "****" (all
 * of it replaced when shorter than 8). Caller frees. */
char *scan_redact(const char *secret);

/* ---- .slugguard.json: the scanner config (scan/config.c) ------------- */

/*
 * The scanner's tuning file, .slugguard.json at the repository root or
 * `scan --config FILE`:
 *   {
 *     "rules": [{"id": "...", "description": "...", "regex": "...",
 *                "keywords": ["..."], "entropy": 3.5,
 *                "remediation": "...", "path": "..."}],
 *     "disabledRules": ["rule-id", ...],
 *     "allowlist": {"paths": ["<regex>"], "regexes": ["<regex>"],
 *                   "stopwords": ["..."]},
 *     "maxBlobSize": 10485760,
 *     "fingerprintSalt": "..."
 *   }
 * Every member is optional; unknown members are errors (typos must not
 * silently weaken the scan).
 */
struct config_scan {
	struct rules_config rules; /* pointers valid until _release() */
	size_t max_blob_size; /* 0: not set */
	const char *fingerprint_salt; /* NULL: not set */
	/* .gitleaks.toml allowlist commits: every finding in one is
	 * ignored (full ids, or prefixes of at least 7 hex digits) */
	struct strvec allow_commits;
	/* private */
	struct json *doc;
	struct rule *extra;
	struct strvec owned, disabled, allow_regexes, allow_paths, stopwords;
	struct strvec allow_match, allow_line;
};

#define CONFIG_SCAN_INIT                                                    \
	{                                                                   \
		{                                                           \
			NULL, 0,    NULL, 0,	NULL, 0,    NULL,           \
			0,    NULL, 0,	  NULL, 0,    NULL, 0               \
		},                                                          \
			0, NULL, STRVEC_INIT, NULL, NULL, STRVEC_INIT,      \
			STRVEC_INIT, STRVEC_INIT, STRVEC_INIT, STRVEC_INIT, \
			STRVEC_INIT, STRVEC_INIT                            \
	}

/*
 * Parse len bytes of JSON; what names the file in messages ("'x.json':
 * rules[1]: missing 'regex'"). On error out is left released.
 */
int config_scan_parse(struct config_scan *out, const char *buf, size_t len,
		      const char *what);
/*
 * Read and parse path. A missing file is ERR_NOTFOUND when must_exist,
 * else out stays empty and 0 is returned.
 */
int config_scan_load(struct config_scan *out, const char *path,
		     bool must_exist);
/*
 * Both scanner config files of a work tree or git dir: <root>/.slugguard.json
 * then <root>/.gitleaks.toml, each optional, the second's rules and
 * allowlists added to the first's. Symbolic links are refused (see
 * fs_read_worktree). On error out is released.
 */
int config_scan_load_root(struct config_scan *out, const char *root);
void config_scan_release(struct config_scan *c);

/* The scanner config's file name at the top of a work tree. */
#define CONFIG_SCAN_FILE ".slugguard.json"
/*
 * Every key config_scan_parse() accepts, dotted for nested ones
 * ("allowlist.paths", "rules[].regex"), appended to out.
 */
void config_scan_keys(struct strvec *out);
/* Whether key is a top-level key of the scanner config. */
bool config_scan_key_known(const char *key);
/* ---- .gitleaks.toml (scan/gitleaks.c, scan/toml.c) ---------------------- */

/*
 * Add what a gitleaks config (len bytes, need not be NUL-terminated) says
 * to c: [allowlist] and [[allowlists]] (paths, regexes with regexTarget
 * "secret", "match" or "line", stopwords, commits), [[rules]] (id,
 * description, regex, secretGroup, entropy, keywords, path, tags) and
 * [extend] (useDefault, disabledRules); docs/rules.md has the mapping.
 * The TOML is read by a small strict parser of the subset gitleaks
 * configs use: tables and arrays of tables, bare and quoted keys, basic
 * and literal strings (single- and multi-line), arrays of strings,
 * integers, floats, booleans, comments. Anything else, and any key or
 * table gitleaks would not know or slugguard cannot honour, is an error
 * naming the line: "<what>:12: unsupported TOML (inline tables)". Input
 * over 1 MiB is refused. Every regex is compiled to check it. On error c
 * may hold part of the file: release it. This is the function to fuzz.
 */
int config_gitleaks_parse(struct config_scan *c, const char *buf, size_t len,
			  const char *what);

#endif
