/* SPDX-License-Identifier: MIT */
/*
 * Running subprocesses without a shell (git's run-command shape).
 *
 * Calling sequence:
 *   1. struct child c = CHILD_INIT; strvec_push(&c.args, "git"); ...
 *   2. optionally set c.dir, push "NAME=value" onto c.env (added to, or
 *      overriding, our environment), set c.in/c.out/c.err.
 *   3. run_start(&c), then use c.in / c.out if they were -1 (pipes), then
 *      run_finish(&c) which waits and returns the exit status.
 *   Or simply run_command(&c) for start+finish.
 * Fds: c.in/c.out/c.err = 0 means inherit; -1 asks for a pipe (the
 * parent's end is stored back and the caller closes it); > 0 is an fd to
 * dup into the child (the child's copy only; the caller keeps its own).
 * c.out_to_err sends the child's stdout to our stderr (hook output);
 * c.err_to_out sends its stderr wherever its stdout goes (run_capture
 * then reads both).
 * The child holds no descriptor of ours but 0, 1 and 2: run_start closes
 * the rest, close-on-exec or not.
 * c.fn runs a function of ours in the forked child instead of argv (the
 * process flavour of git's start_async): the fds, dir and env apply as
 * for a program, args.v[0] only names it in messages, descriptors stay
 * open (the libraries of this process hold some), and the child exits
 * with error_exit_code() of what fn returned.
 */
#ifndef SLUGGUARD_RUN_H
#define SLUGGUARD_RUN_H

#include "slugguard/strbuf.h"
#include "slugguard/strvec.h"

struct child {
	struct strvec args;
	struct strvec env;
	const char *dir;
	int in, out, err;
	bool out_to_err;
	bool err_to_out;
	bool clear_env; /* start from an empty environment plus env */
	unsigned timeout; /* seconds; 0 = none. The child is killed after */
	pid_t pid;
	bool timed_out;
	int (*fn)(void *data); /* run in the child instead of args */
	void *data; /* fn's argument, borrowed */
};

#define CHILD_INIT                                                            \
	{                                                                     \
		STRVEC_INIT, STRVEC_INIT, NULL, 0, 0, 0, false, false, false, \
			0, -1, false, NULL, NULL                              \
	}

/* Returns 0 or ERR_FAIL (message names argv[0]). */
int run_start(struct child *c);
/*
 * Waits for the child. Returns its exit status (0..255), 128+signal when
 * killed, or ERR_FAIL when waiting failed. Frees args/env.
 */
int run_finish(struct child *c);
int run_command(struct child *c);
/*
 * Run c and capture its stdout into out (capped at cap bytes; more is an
 * error). Returns the exit status as run_finish does.
 */
int run_capture(struct child *c, struct strbuf *out, size_t cap);
/*
 * Run c with its stdout and stderr on one pipe and pass what it writes to
 * fn as it comes (chunks of up to 64 KiB), until EOF or its timeout, as
 * run_capture() does: the build relays buildpack output this way,
 * through the masker. fn returning negative stops reading (the child is
 * killed). Returns the exit status as run_finish() does, or fn's code.
 */
typedef int (*run_relay_fn)(const char *buf, size_t len, void *data);
int run_relay(struct child *c, run_relay_fn fn, void *data);
void child_release(struct child *c);

#endif
