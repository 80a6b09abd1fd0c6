/* SPDX-License-Identifier: MIT */
/*
 * Global settings, built once in main and passed down const: flags over
 * environment over defaults. Module-specific files (.slugguard.json,
 * slugguard.json policy) are read by their own modules.
 */
#ifndef SLUGGUARD_CONFIG_H
#define SLUGGUARD_CONFIG_H

#include "slugguard/rules.h"
#include "slugguard/strvec.h"

enum config_color {
	CONFIG_COLOR_AUTO = -1,
	CONFIG_COLOR_NEVER = 0,
	CONFIG_COLOR_ALWAYS = 1
};

struct config {
	bool quiet; /* --quiet / SLUGGUARD_QUIET: no chatter on stderr */
	int color; /* enum config_color; --color=WHEN, NO_COLOR */
	const char *argv0; /* how we were invoked (borrowed) */
};

#define CONFIG_INIT                            \
	{                                      \
		false, CONFIG_COLOR_AUTO, NULL \
	}

/* Apply environment defaults (SLUGGUARD_QUIET, NO_COLOR). */
void config_from_env(struct config *cfg);
/* Should output to fd be coloured under cfg? */
bool config_color(const struct config *cfg, int fd);

/* ---- .slugguard.json (owned by the scan engine) ------------------------ */

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
/* ---- .gitleaks.toml ------------------------------------------------------ */

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
