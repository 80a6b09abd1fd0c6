/* SPDX-License-Identifier: MIT */
/* Terminal detection: colour only where a person is looking. */
#include "slugguard/common.h"
#include "slugguard/term.h"

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
