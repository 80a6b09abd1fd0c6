/* SPDX-License-Identifier: MIT */
/* .slugignore: gitignore-like patterns, applied before the buildpacks run. */
#include "slugguard/common.h"
#include "slugguard/slug.h"

#include <limits.h>

void slug_ignore_parse(struct slug_ignore *ig, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct strbuf line = STRBUF_INIT;

		strbuf_add(&line, p, n);
		/* Trailing blanks are dropped, as git does (unescaped). */
		while (line.len &&
		       (line.buf[line.len - 1] == '\r' ||
			((line.buf[line.len - 1] == ' ' ||
			  line.buf[line.len - 1] == '\t') &&
			 (line.len < 2 || line.buf[line.len - 2] != '\\'))))
			strbuf_setlen(&line, line.len - 1);
		/* A pattern longer than any path is dropped: it bounds the
		 * matcher's memo (glob_memo) to a few MiB. */
		if (line.len && line.buf[0] != '#' && line.len <= PATH_MAX &&
		    !(line.len == 1 && line.buf[0] == '!'))
			strvec_push(&ig->patterns, line.buf);
		strbuf_release(&line);
		p += n + 1;
	}
}

void slug_ignore_release(struct slug_ignore *ig)
{
	strvec_clear(&ig->patterns);
}

/* One bracket expression at *pp against c; advances *pp past it. */
static bool match_class(const char **pp, char c, bool *ok)
{
	const char *p = *pp + 1;
	bool neg = false, hit = false;

	if (*p == '!' || *p == '^') {
		neg = true;
		p++;
	}
	if (*p == ']') {
		hit = c == ']';
		p++;
	}
	while (*p && *p != ']') {
		if (p[1] == '-' && p[2] && p[2] != ']') {
			if (c >= p[0] && c <= p[2])
				hit = true;
			p += 3;
		} else {
			if (c == *p)
				hit = true;
			p++;
		}
	}
	if (*p != ']') {
		*ok = false; /* unterminated: treat '[' literally */
		return c == '[';
	}
	*ok = true;
	*pp = p + 1;
	return hit != neg;
}

/*
 * The failed (pattern, subject) positions of one glob() call. Without
 * them, patterns like "*a*a*a*b" backtrack exponentially (a fuzzed
 * .slugignore line of stars ran for minutes); with them every position
 * pair fails at most once, so a match costs O(|p| * |s|^2) at worst.
 */
struct glob_memo {
	const char *p0, *s0;
	size_t slen;
	unsigned char *failed; /* bitmap, allocated at the first star */
};

static bool glob_at(struct glob_memo *m, const char *p, const char *s);

static bool glob_star(struct glob_memo *m, const char *p, const char *s)
{
	size_t bit;
	bool hit;

	if (!m->failed)
		m->failed = xcalloc(
			st_mult(strlen(m->p0) + 1, m->slen + 1) / 8 + 1, 1);
	bit = (size_t)(p - m->p0) * (m->slen + 1) + (size_t)(s - m->s0);
	if (m->failed[bit / 8] & (1u << (bit % 8)))
		return false;
	hit = glob_at(m, p, s);
	if (!hit)
		m->failed[bit / 8] |= (unsigned char)(1u << (bit % 8));
	return hit;
}

/* Glob with "*" and "?" not crossing '/', "**" crossing it. */
static bool glob_at(struct glob_memo *m, const char *p, const char *s)
{
	while (*p) {
		if (p[0] == '*' && p[1] == '*') {
			const char *rest = p + 2;

			if (*rest == '/') {
				/* "**" + "/": zero or more whole directories */
				rest++;
				if (glob_star(m, rest, s))
					return true;
				for (const char *q = s; *q; q++)
					if (*q == '/' &&
					    glob_star(m, rest, q + 1))
						return true;
				return false;
			}
			for (const char *q = s;; q++) {
				if (glob_star(m, rest, q))
					return true;
				if (!*q)
					return false;
			}
		}
		if (*p == '*') {
			for (const char *q = s;; q++) {
				if (glob_star(m, p + 1, q))
					return true;
				if (!*q || *q == '/')
					return false;
			}
		}
		if (!*s)
			return false;
		if (*p == '?') {
			if (*s == '/')
				return false;
			p++;
			s++;
			continue;
		}
		if (*p == '[') {
			bool ok;
			const char *save = p;

			if (*s == '/')
				return false;
			if (!match_class(&p, *s, &ok))
				return false;
			if (!ok)
				p = save + 1;
			s++;
			continue;
		}
		if (*p == '\\' && p[1])
			p++;
		if (*p != *s)
			return false;
		p++;
		s++;
	}
	return !*s;
}

static bool glob(const char *p, const char *s)
{
	struct glob_memo m = { p, s, strlen(s), NULL };
	bool hit = glob_at(&m, p, s);

	free(m.failed);
	return hit;
}

static bool match_one(const struct slug_ignore *ig, const char *path,
		      bool is_dir)
{
	bool ignored = false;
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	for (size_t i = 0; i < ig->patterns.nr; i++) {
		const char *pat = ig->patterns.v[i];
		struct strbuf p = STRBUF_INIT;
		bool neg = false, dir_only = false, anchored, hit;

		if (*pat == '!') {
			neg = true;
			pat++;
		} else if (*pat == '\\' && (pat[1] == '!' || pat[1] == '#')) {
			pat++;
		}
		strbuf_addstr(&p, pat);
		if (p.len > 1 && p.buf[p.len - 1] == '/') {
			dir_only = true;
			strbuf_setlen(&p, p.len - 1);
		}
		anchored = strchr(p.buf, '/') != NULL;
		if (dir_only && !is_dir)
			hit = false;
		else if (anchored)
			hit = glob(p.buf[0] == '/' ? p.buf + 1 : p.buf, path);
		else
			hit = glob(p.buf, base);
		if (hit)
			ignored = !neg;
		strbuf_release(&p);
	}
	return ignored;
}

bool slug_ignore_match(const struct slug_ignore *ig, const char *path,
		       bool is_dir)
{
	struct strbuf prefix = STRBUF_INIT;
	bool ignored = false;

	if (!ig->patterns.nr)
		return false;
	/* An ignored directory takes its whole subtree with it. */
	for (const char *s = strchr(path, '/'); s && !ignored;
	     s = strchr(s + 1, '/')) {
		strbuf_reset(&prefix);
		strbuf_add(&prefix, path, (size_t)(s - path));
		ignored = match_one(ig, prefix.buf, true);
	}
	if (!ignored)
		ignored = match_one(ig, path, is_dir);
	strbuf_release(&prefix);
	return ignored;
}
