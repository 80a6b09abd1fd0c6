/* SPDX-License-Identifier: MIT */
/* The single last-error slot; the only mutable global besides config. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/strbuf.h"

static struct strbuf last = STRBUF_INIT;
static int last_code;

static int store(int code, const char *fmt, va_list ap)
{
	strbuf_reset(&last);
	strbuf_vaddf(&last, fmt, ap);
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
	strbuf_addf(&last, ": %s", strerror(saved));
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
	strbuf_release(&last);
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

int error_exit_code(int rc)
{
	if (rc >= 0)
		return rc > 2 ? 2 : rc;
	if (rc == ERR_REJECTED)
		return 1;
	return 2;
}
