/* SPDX-License-Identifier: MIT */
/* Private to src/hooks/. */
#ifndef SLUGGUARD_HOOKS_INTERNAL_H
#define SLUGGUARD_HOOKS_INTERNAL_H

#include <stdio.h>

#include "slugguard/gitwalk.h"
#include "slugguard/strvec.h"

struct gitwalk;
struct scan_report;

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
	size_t findings; /* those that refuse the push */
	/* findings whose context label the policy allows (reported, but
	 * they do not refuse the push) */
	size_t allowed;
	/* scan_report_describe(): what was not read as plain text, and why;
	 * owned, freed with free(3) */
	char *skips;
};

/* What a hook hands the secret scan besides the revisions. */
struct hooks_scan_in {
	const char *config_path; /* scanner config in the work tree, or NULL */
	/* pre-receive: the baseline entries the server trusts (those of
	 * the state before the push), or NULL */
	const struct strvec *accepted;
	const struct strvec *tips; /* pushed commit ids (for the advice) */
	/* pre-push: commits of every remote-tracking ref (what is public) */
	const struct strvec *public_commits;
	bool server;
	bool color;
	/* the policy's scan.allow_contexts: bits 1 << enum scan_context */
	unsigned allow_contexts;
};

/*
 * Scan the commits selected by revs (rev-list style: tips, then "^hex"
 * exclusions) and the pushed trees and blobs objs (named by the refs
 * obj_refs) in w for secrets, printing a redacted report of any finding
 * on out, then what to do about each (hooks_print_advice()).
 * Returns 0 (see st->findings) or an error: the caller fails closed, and
 * an object that could not be read is an error too. st->skips (set
 * before, or NULL) is freed and replaced.
 */
int hooks_scan_revs(struct hooks_scan_stats *st, struct gitwalk *w,
		    const struct strvec *revs, const struct strvec *objs,
		    const struct strvec *obj_refs,
		    const struct hooks_scan_in *in, FILE *out);

/*
 * Print the fix for each commit of rep that brings a secret (amend the
 * tip, rebase -i an earlier commit, or rotate then filter-repo a public
 * one) and how to accept a finding that is no secret.
 */
void hooks_print_advice(FILE *out, struct gitwalk *w,
			const struct scan_report *rep,
			const struct hooks_scan_in *in);

struct strbuf;
/*
 * Parse a hook's stdin as the hooks do (pre-push lines when pre_push, else
 * pre-/post-receive lines), for tests and the fuzz target: *nr receives
 * the updates read. in is modified (lines are split in place). Returns 0
 * or ERR_FAIL with a message naming the line.
 */
int hooks_parse_input(size_t *nr, bool pre_push, struct strbuf *in);

/* ---- input.c: the ref updates a hook is given ----------------------- */

struct update {
	char *ref; /* the ref being updated on the receiving side */
	char *local_ref; /* pre-push: the ref pushed from, or NULL */
	char old[GITWALK_HEXSZ + 1]; /* what the receiver has now */
	char new[GITWALK_HEXSZ + 1]; /* what it will have */
};

struct updates {
	struct update *v;
	size_t nr, alloc;
};

enum hook_kind { HOOK_PRE_PUSH, HOOK_PRE_RECEIVE, HOOK_POST_RECEIVE };

/* Free ups' members (not ups itself). */
void updates_release(struct updates *u);
/*
 * pre-push: "<local ref> <local sha> <remote ref> <remote sha>";
 * pre-/post-receive: "<old sha> <new sha> <ref>".
 */
int parse_input(struct updates *ups, enum hook_kind kind, struct strbuf *in);
/*
 * The pre-commit framework consumes git's stdin itself and passes the
 * range in PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF instead.
 */
int updates_from_pre_commit(struct updates *ups, struct gitwalk *w);

#endif
