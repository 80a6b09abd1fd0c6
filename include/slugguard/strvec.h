/* SPDX-License-Identifier: MIT */
/*
 * A NULL-terminated array of owned strings, for argv and env (git's
 * strvec contract). v is never NULL; v[nr] == NULL.
 */
#ifndef SLUGGUARD_STRVEC_H
#define SLUGGUARD_STRVEC_H

struct strvec {
	const char **v;
	size_t nr;
	size_t alloc;
};

extern const char *strvec_empty_array[];
#define STRVEC_INIT                      \
	{                                \
		strvec_empty_array, 0, 0 \
	}

void strvec_init(struct strvec *sv);
/* Copies s; returns the copy (owned by sv). */
const char *strvec_push(struct strvec *sv, const char *s);
const char *strvec_pushf(struct strvec *sv, const char *fmt, ...)
	SG_PRINTF(2, 3);
/* Pushes each argument until a NULL. */
void strvec_pushl(struct strvec *sv, ...);
void strvec_pushv(struct strvec *sv, const char **items);
/* Frees every string and the array; sv is reusable. */
void strvec_clear(struct strvec *sv);

#endif
