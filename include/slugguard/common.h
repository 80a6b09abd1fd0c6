/* SPDX-License-Identifier: MIT */
/*
 * Included first by every .c file (git's compat-header rule): feature
 * macros, the standard headers everyone needs, allocation helpers, and
 * banned.h last so that no later include can bring a banned name back.
 */
#ifndef SLUGGUARD_COMMON_H
#define SLUGGUARD_COMMON_H

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define SLUGGUARD_VERSION "0.1.0"

#if defined(__GNUC__)
#define SG_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define SG_NORETURN __attribute__((noreturn))
#else
#define SG_PRINTF(f, a)
#define SG_NORETURN
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* SG_ASAN: built with AddressSanitizer (gcc or clang). */
#if defined(__SANITIZE_ADDRESS__)
#define SG_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SG_ASAN 1
#endif
#endif

/* Heap advice (util/heap.c): once at start, before any thread. */
void heap_tune(void);
/*
 * A long-lived buffer of n bytes in its own mapping, advised for huge
 * pages; zeroed. NULL when the system refuses (a ulimit -v): the caller
 * can do with less. The caller owns it: huge_free(p, n).
 */
void *huge_alloc(size_t n);
void huge_free(void *p, size_t n);

/* Allocation: out of memory is fatal (git, tmux), so these never fail. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* xstrdup(s), or NULL for NULL (git's xstrdup_or_null). */
char *xstrdup_or_null(const char *s);
char *xstrndup(const char *s, size_t n);
void *xmemdup(const void *p, size_t n);
/* Overflow-checked size arithmetic; dies on overflow. */
size_t st_add(size_t a, size_t b);
size_t st_mult(size_t a, size_t b);

/* Grow an array of nr used elements to hold at least n (git's ALLOC_GROW). */
#define ALLOC_GROW(x, n, alloc)                                            \
	do {                                                               \
		if ((n) > (alloc)) {                                       \
			size_t new_alloc_ = (alloc) < 16 ? 16 : (alloc);   \
			while (new_alloc_ < (n))                           \
				new_alloc_ = st_mult(new_alloc_, 2);       \
			(x) = xrealloc((x),                                \
				       st_mult(new_alloc_, sizeof(*(x)))); \
			(alloc) = new_alloc_;                              \
		}                                                          \
	} while (0)

SG_NORETURN void die(const char *fmt, ...) SG_PRINTF(1, 2);
SG_NORETURN void bug_fl(const char *file, int line, const char *fmt, ...)
	SG_PRINTF(3, 4);
#define BUG(...) bug_fl(__FILE__, __LINE__, __VA_ARGS__)
/* Prints "slugguard: warning: ..." to stderr at once. */
void warning(const char *fmt, ...) SG_PRINTF(1, 2);

/*
 * Parse a whole string as a base-10 long in [min, max]. Returns 0 and sets
 * *out, or -1 (no message stored: callers name the bad input themselves).
 */
int parse_long(long *out, const char *s, long min, long max);
/* The value of a hex digit (either case), or -1. */
int hex_value(char c);

#include "slugguard/banned.h"

#endif
