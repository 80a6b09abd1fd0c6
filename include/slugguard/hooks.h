/* SPDX-License-Identifier: MIT */
/*
 * hooks: installing the git hook shims and running the hooks they call.
 *
 * Installing (house style 2.8): the hooks directory is core.hooksPath when
 * set (refused unless HOOKS_FORCE when it is not git's default) or the
 * common dir's hooks/ (shared by worktrees). Each shim comes from
 * hooks/<name>.in (embedded in the binary), carries the marker line
 * HOOKS_MARKER, is written atomically with mode 0755, and fails closed when
 * the binary is missing. A foreign hook or symlink is moved to
 * "<name>.legacy" and run first by `hooks run`, its failure passed on.
 *
 * Running: hooks_run() implements pre-push (client), pre-receive and
 * post-receive (server): the secret scan of exactly the commits the other
 * side does not have, and the policy checks of every tip that targets a
 * deploy branch. It prints one report on opts->out and returns 0 (pass),
 * ERR_REJECTED (refused, report printed) or another negative code (error
 * stored; the caller must refuse the push: fail closed).
 */
#ifndef SLUGGUARD_HOOKS_H
#define SLUGGUARD_HOOKS_H

#include <stdio.h>

#include "slugguard/strvec.h"

#define HOOKS_MARKER "# slugguard-hook v1"

struct gitwalk;
struct policy;

enum hooks_flags {
	HOOKS_SERVER = 1 << 0, /* pre-receive + post-receive, not pre-push */
	HOOKS_FORCE = 1 << 1 /* install into a foreign core.hooksPath */
};

/*
 * Install the shims into the repository containing path (NULL: cwd).
 * binary is the absolute path baked into the shims (NULL: PATH lookup
 * only). One human-readable line per action is pushed onto done.
 * Returns 0, or ERR_FAIL with the reason (core.hooksPath elsewhere, both
 * a foreign hook and a .legacy present, a write failure).
 */
int hooks_install(struct strvec *done, const char *path, const char *binary,
		  unsigned flags);
/*
 * Remove every shim carrying the marker and restore "<name>.legacy".
 * Foreign hooks are left alone. Lines describing actions go to done.
 */
int hooks_uninstall(struct strvec *done, const char *path);
/* True when the file at path is one of our shims (has the marker). */
bool hooks_is_ours(const char *path);
/*
 * The shim text for name ("pre-push", "pre-receive", "post-receive") with
 * binary baked in; caller frees. NULL for an unknown hook name.
 */
char *hooks_shim_text(const char *name, const char *binary);

struct hooks_run_opts {
	const char *hook_path; /* the shim's $0: runs "<hook_path>.legacy" */
	FILE *out; /* the report; stderr in hooks */
	int in_fd; /* git's stdin protocol; 0 normally */
	bool quiet; /* no line at all when everything passes */
	bool color;
};

/*
 * Run hook name with its git arguments (argv[0] is the first argument git
 * passes, e.g. the remote name for pre-push). See the top of this file for
 * the return values.
 */
int hooks_run(const char *name, int argc, const char *const *argv,
	      const struct hooks_run_opts *opts);

/*
 * The post-receive step for one accepted update of a deploy branch:
 * deploy_run() of NEW to APP (APP from SLUGGUARD_DEPLOY_APP, else the
 * policy's "app"; without one it only records the push) in a child
 * process of ours, as `slugguard deploy --commit NEW --app APP` would;
 * streams its output to out and keeps it in "<gitdir>/slugguard/logs/".
 * p may be NULL.
 * Returns 0 or an error (the caller logs it; the push is kept anyway).
 */
int hooks_post_receive_deploy(struct gitwalk *w, const struct policy *p,
			      const char *ref, const char *old_hex,
			      const char *new_hex, FILE *out);

#endif
