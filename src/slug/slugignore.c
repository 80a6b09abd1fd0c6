/* SPDX-License-Identifier: MIT */
/* .slugignore: gitignore-like patterns, applied before the buildpacks run. */
#include "slugguard/common.h"
#include "slugguard/glob.h"
#include "slugguard/slug.h"

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
		if (line.len && line.buf[0] != '#' &&
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
			hit = glob_match(p.buf[0] == '/' ? p.buf + 1 : p.buf,
					 path, GLOB_PATHNAME);
		else
			hit = glob_match(p.buf, base, GLOB_PATHNAME);
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
