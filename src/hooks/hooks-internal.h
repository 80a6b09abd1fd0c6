/* SPDX-License-Identifier: MIT */
/* Private to src/hooks/. */
#ifndef SLUGGUARD_HOOKS_INTERNAL_H
#define SLUGGUARD_HOOKS_INTERNAL_H

#include <stdio.h>

#include "slugguard/strvec.h"

struct gitwalk;

/* The embedded hooks/<name>.in templates (shims.c, generated). */
struct hooks_shim {
	const char *name;
	const char *text;
};
extern const struct hooks_shim hooks_shims[];
extern const size_t hooks_shims_nr;

/* What one secret scan covered. */
struct hooks_scan_stats {
	size_t commits;
	size_t bytes;
	size_t findings;
};

/*
 * Scan the commits selected by revs (rev-list style: tips, then "^hex"
 * exclusions) in w for secrets, printing a redacted report of any finding
 * on out. config_path is a scanner config file in the work tree, or NULL.
 * Returns 0 (see st->findings) or an error: the caller fails closed.
 */
int hooks_scan_revs(struct hooks_scan_stats *st, struct gitwalk *w,
		    const struct strvec *revs, const char *config_path,
		    FILE *out, bool color);

struct strbuf;
/*
 * Parse a hook's stdin as run.c does (pre-push lines when pre_push, else
 * pre-/post-receive lines), for tests and the fuzz target: *nr receives
 * the updates read. in is modified (lines are split in place). Returns 0
 * or ERR_FAIL with a message naming the line.
 */
int hooks_parse_input(size_t *nr, bool pre_push, struct strbuf *in);

#endif
