/* SPDX-License-Identifier: MIT */
/*
 * The last-error slot (libgit2's model). Functions below cli/ store one
 * message and return a negative code; main.c prints it once as
 * "slugguard: <message>". Messages are lowercase, no period, subject in '...'.
 *
 * The slot is per thread: an error set on a worker thread is invisible to
 * every other thread. A worker hands its failure (code and message) to
 * the thread that joins it through a struct error_saved in its result.
 */
#ifndef SLUGGUARD_ERROR_H
#define SLUGGUARD_ERROR_H

enum error_code {
	ERR_OK = 0,
	ERR_FAIL = -1, /* anything */
	ERR_NOTFOUND = -2, /* a named thing does not exist */
	ERR_AUTH = -3, /* credentials missing or refused */
	ERR_REJECTED = -4, /* a policy or the scanner said no: exit 1 */
	ERR_USAGE = -5 /* bad command line: exit 2 with usage hint */
};

/* Store a message; returns ERR_FAIL. */
int error_set(const char *fmt, ...) SG_PRINTF(1, 2);
/* Store a message with a specific code; returns code. */
int error_setc(int code, const char *fmt, ...) SG_PRINTF(2, 3);
/* Store "<message>: strerror(errno)"; returns ERR_FAIL (or ERR_NOTFOUND
 * when errno is ENOENT). */
int error_from_errno(const char *fmt, ...) SG_PRINTF(1, 2);
/*
 * Prefix context to the stored message ("pushing 'x': <old>") and return
 * rc unchanged. Does nothing when rc >= 0.
 */
int error_wrap(int rc, const char *fmt, ...) SG_PRINTF(2, 3);
/* Borrowed; valid until the next error_* call. Never NULL. */
const char *error_last(void);
/* Code of the last stored error (ERR_OK when none). */
int error_last_code(void);
void error_clear(void);

/* A failure carried from a worker thread to the thread that joins it. */
struct error_saved {
	int code; /* ERR_OK: nothing saved */
	char *msg; /* owned; freed by error_restore() */
};

#define ERROR_SAVED_INIT \
	{                \
		0, NULL  \
	}

/*
 * Move this thread's message into e with code rc, when rc < 0 and e holds
 * nothing yet (the first failure wins); this thread's slot is cleared in
 * any case. A struct shared by several workers needs their lock around it.
 */
void error_save(struct error_saved *e, int rc);
/*
 * Store e's message in this thread's slot with its code and return the
 * code (ERR_OK when nothing was saved); e is emptied, its message freed.
 */
int error_restore(struct error_saved *e);
/* Map a return code to the process exit status (0, 1 or 2). */
int error_exit_code(int rc);

#endif
