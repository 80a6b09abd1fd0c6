/* SPDX-License-Identifier: MIT */
/* Private to src/scan/ (and its unit tests): the pure pieces. */
#ifndef SLUGGUARD_SCAN_INTERNAL_H
#define SLUGGUARD_SCAN_INTERNAL_H

#include "slugguard/scan.h"
#include "slugguard/strbuf.h"

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
	char *file;
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
/* Add the findings of an earlier JSON report. */
int scan_ignore_load_baseline(struct scan_ignore *ign, const char *path);
/* True when f is silenced by some entry (which is marked used). */
bool scan_ignore_match(struct scan_ignore *ign, const struct scan_finding *f);
void scan_ignore_release(struct scan_ignore *ign);

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

/* ---- report.c ------------------------------------------------------- */

/* Positional fingerprint "<commit or 'dir'>:<file>:<rule>:<line>". */
char *scan_fingerprint(const struct scan_finding *f);
/* Free a finding's members (the secret is wiped first). */
void scan_finding_release(struct scan_finding *f);
/* Append a zeroed finding to rep and return it. */
struct scan_finding *scan_report_add(struct scan_report *rep);
/* JSON text of the report (no trailing newline); caller frees. */
char *scan_report_json(const struct scan_report *rep, unsigned flags);
char *scan_report_sarif(const struct scan_report *rep, unsigned flags);

/* A small memmem (not in POSIX). */
const char *scan_memmem(const char *hay, size_t hay_len, const char *needle,
			size_t needle_len);

#endif
