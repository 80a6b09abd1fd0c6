/* SPDX-License-Identifier: MIT */
/* Unified diffs on stdin: only the added lines count. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "scan-internal.h"

/* The next line of buf from *pos (without '\n', CR kept); false at end. */
static bool next_line(const char *buf, size_t len, size_t *pos,
		      const char **line, size_t *n)
{
	const char *nl;

	if (*pos >= len)
		return false;
	*line = buf + *pos;
	nl = memchr(*line, '\n', len - *pos);
	*n = nl ? (size_t)(nl - *line) : len - *pos;
	*pos += *n + (nl ? 1 : 0);
	return true;
}

static bool has_prefix(const char *s, size_t n, const char *p)
{
	size_t pn = strlen(p);

	return n >= pn && !memcmp(s, p, pn);
}

bool scan_is_diff(const char *buf, size_t len)
{
	const char *line;
	size_t pos = 0, n;
	bool header = false;

	while (next_line(buf, len, &pos, &line, &n)) {
		if (has_prefix(line, n, "+++ "))
			header = true;
		else if (header && has_prefix(line, n, "@@ -"))
			return true;
	}
	return false;
}

/* Parse "[-+]N[,M]" at *p; returns false when malformed. */
static bool parse_range(const char **p, const char *end, size_t *start,
			size_t *count)
{
	const char *s = *p;

	*start = 0;
	*count = 1;
	if (s >= end || (*s != '-' && *s != '+'))
		return false;
	s++;
	if (s >= end || *s < '0' || *s > '9')
		return false;
	while (s < end && *s >= '0' && *s <= '9')
		*start = *start * 10 + (size_t)(*s++ - '0');
	if (s < end && *s == ',') {
		s++;
		*count = 0;
		while (s < end && *s >= '0' && *s <= '9')
			*count = *count * 10 + (size_t)(*s++ - '0');
	}
	*p = s;
	return true;
}

/* "+++ b/path\tdate" -> "path" (quoted names are unquoted simply). */
static char *header_path(const char *s, size_t n)
{
	const char *tab;
	struct strbuf sb = STRBUF_INIT;

	tab = memchr(s, '\t', n);
	if (tab)
		n = (size_t)(tab - s);
	while (n && (s[n - 1] == '\r' || s[n - 1] == ' '))
		n--;
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		for (size_t i = 1; i + 1 < n; i++) {
			if (s[i] == '\\' && i + 2 < n)
				i++;
			strbuf_addch(&sb, s[i]);
		}
	} else {
		strbuf_add(&sb, s, n);
	}
	if (starts_with(sb.buf, "b/")) {
		char *rest = xstrdup(sb.buf + 2);

		strbuf_release(&sb);
		return rest;
	}
	return strbuf_detach(&sb, NULL);
}

int scan_diff_parse(struct scan_diff_file **out, size_t *nr, const char *buf,
		    size_t len)
{
	struct scan_diff_file *files = NULL, *cur = NULL;
	size_t files_nr = 0, files_alloc = 0;
	size_t pos = 0, n, old_left = 0, new_left = 0, new_line = 0;
	const char *line;

	*out = NULL;
	*nr = 0;
	while (next_line(buf, len, &pos, &line, &n)) {
		if (old_left || new_left) {
			char c = n ? line[0] : ' ';

			if (c == '+' && new_left) {
				if (cur) {
					if (cur->text.len)
						strbuf_addch(&cur->text, '\n');
					strbuf_add(&cur->text, line + 1, n - 1);
					ALLOC_GROW(cur->lines, cur->nr + 1,
						   cur->alloc);
					cur->lines[cur->nr++] = new_line;
				}
				new_line++;
				new_left--;
				continue;
			} else if (c == '-' && old_left) {
				old_left--;
				continue;
			} else if (c == ' ' || !n) {
				if (old_left)
					old_left--;
				if (new_left)
					new_left--;
				new_line++;
				continue;
			} else if (c == '\\') {
				continue;
			}
			/* Malformed hunk: resynchronise on headers. */
			old_left = new_left = 0;
		}
		if (has_prefix(line, n, "+++ ")) {
			char *path = header_path(line + 4, n - 4);

			cur = NULL;
			if (!strcmp(path, "/dev/null")) {
				free(path);
				continue;
			}
			ALLOC_GROW(files, files_nr + 1, files_alloc);
			cur = &files[files_nr++];
			memset(cur, 0, sizeof(*cur));
			cur->path = path;
			strbuf_init(&cur->text, 0);
		} else if (has_prefix(line, n, "@@ -")) {
			const char *p = line + 3, *end = line + n;
			size_t os, ns;

			if (!parse_range(&p, end, &os, &old_left) || p >= end ||
			    *p++ != ' ' ||
			    !parse_range(&p, end, &ns, &new_left)) {
				old_left = new_left = 0;
				continue;
			}
			new_line = ns;
		} else if (has_prefix(line, n, "diff --git ")) {
			cur = NULL;
		}
	}
	*out = files;
	*nr = files_nr;
	return 0;
}

void scan_diff_free(struct scan_diff_file *files, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		free(files[i].path);
		strbuf_release(&files[i].text);
		free(files[i].lines);
	}
	free(files);
}
