/* SPDX-License-Identifier: MIT */
/*
 * The last-error slot (libgit2's model). Functions below cli/ store one
 * message and return a negative code; main.c prints it once as
 * "slugguard: <message>". Messages are lowercase, no period, subject in '...'.
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
/* Map a return code to the process exit status (0, 1 or 2). */
int error_exit_code(int rc);

#endif
