/* SPDX-License-Identifier: MIT */
/*
 * sandbox: run third-party code (buildpack steps) under bubblewrap, the
 * sandbox Flatpak uses (Debian package "bubblewrap", program bwrap).
 *
 * A sandboxed child gets new PID, IPC, UTS (and, where the kernel allows,
 * user and cgroup) namespaces, no capabilities, its own session, and dies
 * with us. Its file system is an empty read-only root holding only:
 *   - /usr read-only, and /bin, /sbin, /lib* as the host has them
 *     (symlinks into /usr, or read-only binds);
 *   - the few files of /etc that programs need (SANDBOX_ETC_FILES in
 *     sandbox.c: TLS roots, name resolution, users, the dynamic linker,
 *     alternatives, time zone, os-release), read-only;
 *   - a fresh /proc (only the sandbox's own processes), a minimal /dev,
 *     a private tmpfs /tmp (TMPDIR is set to it);
 *   - the paths the caller binds, at the same paths as outside.
 * Network stays on. Its environment is exactly the child's env (nothing
 * of ours is inherited) and it holds no file descriptor but 0, 1 and 2
 * (run.c closes the rest).
 *
 * Calling sequence:
 *   1. struct sandbox sb = SANDBOX_INIT; sandbox_init(&sb) finds bwrap
 *      and proves once that it can make such a sandbox here;
 *   2. sandbox_bind(&sb, path, writable) for each directory to share;
 *   3. fill a struct child as usual (env complete, dir optional), then
 *      sandbox_wrap(&sb, &c, extra) turns it into the bwrap invocation;
 *      run it with run_command() / run_capture();
 *   4. sandbox_release(&sb).
 */
#ifndef SLUGGUARD_SANDBOX_H
#define SLUGGUARD_SANDBOX_H

#include "slugguard/run.h"
#include "slugguard/strvec.h"

#define SANDBOX_PACKAGE "bubblewrap"
/* Names another bwrap (tests point it at a missing one). */
#define SANDBOX_ENV "SLUGGUARD_BWRAP"

struct sandbox {
	char *bwrap; /* absolute path of the bwrap we run */
	struct strvec binds; /* "--bind"/"--ro-bind", path, path, ... */
};

#define SANDBOX_INIT              \
	{                         \
		NULL, STRVEC_INIT \
	}

/*
 * Find bwrap ($SLUGGUARD_BWRAP, else "bwrap" on PATH) and run `true` in
 * an empty sandbox to prove it works. Returns 0, or ERR_FAIL with
 * "cannot sandbox buildpacks: ..." naming the Debian package when bwrap
 * is missing, or bwrap's own complaint when it cannot set up here.
 */
int sandbox_init(struct sandbox *sb);

/* Share path (absolute) with the sandbox, writable or read-only. */
void sandbox_bind(struct sandbox *sb, const char *path, bool writable);

/*
 * Rewrite c to run its argv inside the sandbox: c->args becomes the bwrap
 * command line, c->dir (if set, and bound) becomes the working directory
 * inside, c->env becomes the whole environment (c->clear_env is forced)
 * with TMPDIR set to the private /tmp. extra_rw (may be NULL) is one more
 * writable directory for this child only.
 */
void sandbox_wrap(const struct sandbox *sb, struct child *c,
		  const char *extra_rw);

void sandbox_release(struct sandbox *sb);

#endif
