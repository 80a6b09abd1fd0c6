/* SPDX-License-Identifier: MIT */
/*
 * Linear glob matching: see include/slugguard/glob.h. The pattern becomes
 * a list of tokens, a small NFA whose states are token positions; the
 * name is read once, left to right, carrying the set of live states
 * (Thompson's construction, as in RE2). Each byte costs at most one step
 * per token, so no pattern can make it exponential, unlike the classic
 * recursive matcher (fnmatch(3) in glibc backtracks too).
 */
#include "slugguard/common.h"
#include "slugguard/glob.h"

#include <ctype.h>

enum tok_kind {
	TOK_LIT, /* one byte, c */
	TOK_ANY, /* "?" */
	TOK_CLASS, /* "[...]": pattern bytes [cls, cls_end) */
	TOK_STAR, /* "*": a run, not across '/' under GLOB_PATHNAME */
	TOK_DSTAR, /* "**": a run across '/' */
	/* "**" + "/": "" or any run that ends with '/', as two states: the
	 * entry (no input: on to the inner state and past the pair) and the
	 * inner loop, which only a '/' leaves */
	TOK_DIR_ENTRY,
	TOK_DIR_INNER,
};

struct tok {
	enum tok_kind kind;
	unsigned char c;
	const char *cls, *cls_end;
};

/* Tokens this many or fewer live on the stack (most patterns). */
#define GLOB_SMALL 64

/* The end of the class starting at p ('['), or NULL if unterminated. */
static const char *class_end(const char *p)
{
	const char *q = p + 1;

	if (*q == '!' || *q == '^')
		q++;
	if (*q == ']')
		q++;
	while (*q && *q != ']') {
		if (q[0] == '[' && q[1] == ':') {
			const char *e = strstr(q + 2, ":]");

			if (e) {
				q = e + 2;
				continue;
			}
		}
		q++;
	}
	return *q ? q : NULL;
}

static bool named_class(const char *name, size_t n, unsigned char c)
{
	static const struct {
		const char *name;
		int (*fn)(int);
	} names[] = {
		{ "alnum", isalnum }, { "alpha", isalpha },
		{ "blank", isblank }, { "cntrl", iscntrl },
		{ "digit", isdigit }, { "graph", isgraph },
		{ "lower", islower }, { "print", isprint },
		{ "punct", ispunct }, { "space", isspace },
		{ "upper", isupper }, { "xdigit", isxdigit },
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strlen(names[i].name) == n &&
		    !memcmp(names[i].name, name, n))
			return names[i].fn(c) != 0;
	return false;
}

static bool class_hit(const struct tok *t, unsigned char c)
{
	const char *p = t->cls + 1, *end = t->cls_end;
	bool neg = false, hit = false;

	if (*p == '!' || *p == '^') {
		neg = true;
		p++;
	}
	if (*p == ']') {
		hit = c == ']';
		p++;
	}
	while (p < end) {
		if (p[0] == '[' && p[1] == ':') {
			const char *e = strstr(p + 2, ":]");

			if (e && e < end) {
				hit |= named_class(p + 2, (size_t)(e - p - 2),
						   c);
				p = e + 2;
				continue;
			}
		}
		if (p + 2 < end && p[1] == '-') {
			hit |= c >= (unsigned char)p[0] &&
			       c <= (unsigned char)p[2];
			p += 3;
		} else {
			hit |= c == (unsigned char)*p;
			p++;
		}
	}
	return hit != neg;
}

static size_t compile(struct tok *t, const char *p, unsigned flags)
{
	size_t n = 0;

	while (*p) {
		struct tok *k = &t[n++];

		memset(k, 0, sizeof(*k));
		if (*p == '*') {
			if (!(flags & GLOB_PATHNAME)) {
				k->kind = TOK_DSTAR;
				while (*p == '*')
					p++;
			} else if (p[1] == '*') {
				p += 2;
				k->kind = TOK_DSTAR;
				if (*p == '/') {
					k->kind = TOK_DIR_ENTRY;
					memset(&t[n], 0, sizeof(t[n]));
					t[n++].kind = TOK_DIR_INNER;
					p++;
				}
			} else {
				k->kind = TOK_STAR;
				p++;
			}
			continue;
		}
		if (*p == '?') {
			k->kind = TOK_ANY;
			p++;
			continue;
		}
		if (*p == '[') {
			const char *e = class_end(p);

			if (e) {
				k->kind = TOK_CLASS;
				k->cls = p;
				k->cls_end = e;
				p = e + 1;
				continue;
			}
		}
		if (*p == '\\' && p[1])
			p++;
		k->kind = TOK_LIT;
		k->c = (unsigned char)*p++;
	}
	return n;
}

/* Add state i and every state reachable from it without input. */
static void add_state(bool *set, const struct tok *t, size_t n, size_t i)
{
	while (i <= n && !set[i]) {
		set[i] = true;
		if (i == n)
			break;
		if (t[i].kind == TOK_DIR_ENTRY) {
			set[i + 1] = true; /* the inner loop has no way out */
			i += 2;
		} else if (t[i].kind == TOK_STAR || t[i].kind == TOK_DSTAR) {
			i++;
		} else {
			break;
		}
	}
}

static bool run(const struct tok *t, size_t n, const char *name, unsigned flags,
		bool *cur, bool *next)
{
	bool slash_stops = flags & GLOB_PATHNAME;

	memset(cur, 0, (n + 1) * sizeof(*cur));
	add_state(cur, t, n, 0);
	for (const char *s = name; *s; s++) {
		unsigned char c = (unsigned char)*s;
		bool any = false, *tmp;

		memset(next, 0, (n + 1) * sizeof(*next));
		for (size_t i = 0; i < n; i++) {
			bool sep_ok = !(slash_stops && c == '/');

			if (!cur[i])
				continue;
			switch (t[i].kind) {
			case TOK_LIT:
				if (t[i].c == c)
					add_state(next, t, n, i + 1);
				break;
			case TOK_ANY:
				if (sep_ok)
					add_state(next, t, n, i + 1);
				break;
			case TOK_CLASS:
				if (sep_ok && class_hit(&t[i], c))
					add_state(next, t, n, i + 1);
				break;
			case TOK_STAR:
				if (sep_ok)
					add_state(next, t, n, i);
				break;
			case TOK_DSTAR:
				add_state(next, t, n, i);
				break;
			case TOK_DIR_ENTRY:
				break;
			case TOK_DIR_INNER:
				next[i] = true;
				if (c == '/')
					add_state(next, t, n, i + 1);
				break;
			}
		}
		for (size_t i = 0; i <= n && !any; i++)
			any = next[i];
		if (!any)
			return false;
		tmp = cur;
		cur = next;
		next = tmp;
	}
	return cur[n];
}

bool glob_match(const char *pat, const char *name, unsigned flags)
{
	struct tok small[GLOB_SMALL];
	bool small_a[GLOB_SMALL + 1], small_b[GLOB_SMALL + 1];
	size_t m = strlen(pat);
	struct tok *t = small;
	bool *a = small_a, *b = small_b;
	bool hit;
	size_t n;

	if (m > GLOB_SMALL) {
		t = xcalloc(m, sizeof(*t));
		a = xcalloc(st_add(m, 1), sizeof(*a));
		b = xcalloc(st_add(m, 1), sizeof(*b));
	}
	n = compile(t, pat, flags);
	hit = run(t, n, name, flags, a, b);
	if (t != small) {
		free(t);
		free(a);
		free(b);
	}
	return hit;
}
