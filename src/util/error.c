/* SPDX-License-Identifier: MIT */
/*
 * The last-error slot, one per thread (libgit2 keeps its last error per
 * thread too): scan workers set errors while the main thread may hold
 * one of its own. A worker hands its failure to the thread that joins
 * it with error_save()/error_restore().
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/strbuf.h"

#include <pthread.h>

static _Thread_local struct strbuf last = STRBUF_INIT;
static _Thread_local int last_code;
static _Thread_local bool registered;
static pthread_key_t slot_key;
static pthread_once_t slot_once = PTHREAD_ONCE_INIT;

/* At thread exit: a worker's message would otherwise leak with it. */
static void slot_free(void *p)
{
	strbuf_release(p);
}

static void slot_key_create(void)
{
	if (pthread_key_create(&slot_key, slot_free))
		die("cannot create the error slot key");
}

/* This thread's message buffer, registered for release at exit. */
static struct strbuf *slot(void)
{
	if (!registered) {
		pthread_once(&slot_once, slot_key_create);
		if (pthread_setspecific(slot_key, &last))
			die("cannot register the error slot");
		registered = true;
	}
	return &last;
}

static int store(int code, const char *fmt, va_list ap)
{
	struct strbuf *sb = slot();

	strbuf_reset(sb);
	strbuf_vaddf(sb, fmt, ap);
	last_code = code;
	return code;
}

int error_set(const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = store(ERR_FAIL, fmt, ap);
	va_end(ap);
	return rc;
}

int error_setc(int code, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = store(code, fmt, ap);
	va_end(ap);
	return rc;
}

int error_from_errno(const char *fmt, ...)
{
	int saved = errno;
	int code = saved == ENOENT ? ERR_NOTFOUND : ERR_FAIL;
	va_list ap;

	va_start(ap, fmt);
	store(code, fmt, ap);
	va_end(ap);
	strbuf_addf(slot(), ": %s", strerror(saved));
	errno = saved;
	return code;
}

int error_wrap(int rc, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	if (rc >= 0)
		return rc;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (last.len) {
		strbuf_addstr(&sb, ": ");
		strbuf_addbuf(&sb, &last);
	}
	strbuf_release(slot());
	last = sb;
	if (!last_code)
		last_code = rc;
	return rc;
}

const char *error_last(void)
{
	return last.len ? last.buf : "unknown error";
}

int error_last_code(void)
{
	return last_code;
}

void error_clear(void)
{
	strbuf_release(&last);
	last_code = 0;
}

void error_save(struct error_saved *e, int rc)
{
	if (rc >= 0 || e->code) {
		error_clear();
		return;
	}
	e->code = rc;
	e->msg = strbuf_detach(&last, NULL);
	last_code = 0;
}

int error_restore(struct error_saved *e)
{
	int rc = e->code;

	if (rc < 0)
		error_setc(rc, "%s", e->msg);
	free(e->msg);
	e->msg = NULL;
	e->code = 0;
	return rc;
}

int error_exit_code(int rc)
{
	if (rc >= 0)
		return rc > 2 ? 2 : rc;
	if (rc == ERR_REJECTED)
		return 1;
	return 2;
}
