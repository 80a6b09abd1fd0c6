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
	size_t blobs;
	size_t objects; /* pushed trees and blobs (tags need not name commits)
			 */
	size_t bytes;
	size_t findings;
	/* scan_report_describe(): what was not read as plain text, and why;
	 * owned, freed with free(3) */
	char *skips;
};

/*
 * Scan the commits selected by revs (rev-list style: tips, then "^hex"
 * exclusions) and the pushed trees and blobs objs (named by the refs
 * obj_refs) in w for secrets, printing a redacted report of any finding
 * on out. config_path is a scanner config file in the work tree, or NULL.
 * Returns 0 (see st->findings) or an error: the caller fails closed, and
 * an object that could not be read is an error too. st->skips (set
 * before, or NULL) is freed and replaced.
 */
int hooks_scan_revs(struct hooks_scan_stats *st, struct gitwalk *w,
		    const struct strvec *revs, const struct strvec *objs,
		    const struct strvec *obj_refs, const char *config_path,
		    FILE *out, bool color);

#endif
