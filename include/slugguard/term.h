/* SPDX-License-Identifier: MIT */
/* Terminal helpers: colour only on a terminal, NO_COLOR honoured. */
#ifndef SLUGGUARD_TERM_H
#define SLUGGUARD_TERM_H

bool term_is_tty(int fd);
/* true when fd is a terminal, NO_COLOR is unset and TERM is not "dumb". */
bool term_want_color(int fd);

/*
 * A progress line in the shape of Heroku's build output, "-----> <message>"
 * on stderr with control characters escaped; nothing when quiet.
 */
void term_say(bool quiet, const char *fmt, ...) SG_PRINTF(2, 3);

#define TERM_RED "\033[31m"
#define TERM_GREEN "\033[32m"
#define TERM_YELLOW "\033[33m"
#define TERM_BOLD "\033[1m"
#define TERM_RESET "\033[0m"

#endif
