/* SPDX-License-Identifier: MIT */
/* Terminal detection: colour only where a person is looking. */
#include "slugguard/common.h"
#include "slugguard/strbuf.h"
#include "slugguard/term.h"

#include <stdarg.h>

#include <unistd.h>

bool term_is_tty(int fd)
{
	return isatty(fd) == 1;
}

bool term_want_color(int fd)
{
	const char *term = getenv("TERM");

	if (getenv("NO_COLOR") && *getenv("NO_COLOR"))
		return false;
	if (term && !strcmp(term, "dumb"))
		return false;
	return term_is_tty(fd);
}

void term_say(bool quiet, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT, clean = STRBUF_INIT;
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strbuf_add_sanitized(&clean, sb.buf, sb.len);
	fprintf(stderr, "-----> %s\n", clean.buf);
	strbuf_release(&clean);
	strbuf_release(&sb);
}
