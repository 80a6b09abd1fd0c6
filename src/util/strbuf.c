/* SPDX-License-Identifier: MIT */
/* struct strbuf: see include/slugguard/strbuf.h for the contract. */
#include "slugguard/common.h"
#include "slugguard/strbuf.h"

char strbuf_slopbuf[1];

void strbuf_init(struct strbuf *sb, size_t hint)
{
	sb->alloc = sb->len = 0;
	sb->buf = strbuf_slopbuf;
	if (hint)
		strbuf_grow(sb, hint);
}

void strbuf_release(struct strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	strbuf_init(sb, 0);
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
	char *res;

	strbuf_grow(sb, 0);
	res = sb->buf;
	if (len)
		*len = sb->len;
	strbuf_init(sb, 0);
	return res;
}

void strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t want = st_add(st_add(sb->len, extra), 1);
	bool fresh = !sb->alloc;

	if (want <= sb->alloc)
		return;
	if (fresh)
		sb->buf = NULL;
	if (want < 64)
		want = 64;
	if (want < sb->alloc / 2 * 3)
		want = sb->alloc / 2 * 3;
	sb->buf = xrealloc(sb->buf, want);
	sb->alloc = want;
	if (fresh)
		sb->buf[0] = '\0';
}

void strbuf_setlen(struct strbuf *sb, size_t len)
{
	if (len > (sb->alloc ? sb->alloc - 1 : 0))
		BUG("strbuf_setlen() beyond buffer");
	sb->len = len;
	if (sb->buf != strbuf_slopbuf)
		sb->buf[len] = '\0';
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	if (!len)
		return;
	strbuf_grow(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void strbuf_addstr(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_addch(struct strbuf *sb, int c)
{
	strbuf_grow(sb, 1);
	sb->buf[sb->len++] = (char)c;
	sb->buf[sb->len] = '\0';
}

void strbuf_addbuf(struct strbuf *sb, const struct strbuf *other)
{
	strbuf_add(sb, other->buf, other->len);
}

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	strbuf_grow(sb, 64);
	va_copy(cp, ap);
	n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		BUG("vsnprintf failed for '%s'", fmt);
	if ((size_t)n >= sb->alloc - sb->len) {
		strbuf_grow(sb, (size_t)n);
		n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, ap);
		if (n < 0 || (size_t)n >= sb->alloc - sb->len)
			BUG("vsnprintf changed its mind for '%s'", fmt);
	}
	sb->len += (size_t)n;
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

void strbuf_add_sanitized(struct strbuf *sb, const char *s, size_t len)
{
	strbuf_grow(sb, len);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			c = '?';
		sb->buf[sb->len++] = (char)c;
	}
	sb->buf[sb->len] = '\0';
}

/* The length of the escape sequence at s[0] == ESC (all of s if cut). */
static size_t escape_len(const char *s, size_t len)
{
	size_t i = 2;

	if (len < 2)
		return len;
	if (s[1] == '[') {
		/* CSI: parameter and intermediate bytes, then a final byte */
		while (i < len && ((unsigned char)s[i] < 0x40 ||
				   (unsigned char)s[i] > 0x7e))
			i++;
		return i < len ? i + 1 : len;
	}
	if (s[1] == ']') {
		/* OSC: ends with BEL or ST (ESC \) */
		for (; i < len; i++) {
			if (s[i] == '\a')
				return i + 1;
			if (s[i] == 0x1b && i + 1 < len && s[i + 1] == '\\')
				return i + 2;
		}
		return len;
	}
	/* nF sequences (ESC ( B): intermediate bytes, then a final byte */
	i = 1;
	while (i < len && s[i] >= 0x20 && s[i] <= 0x2f)
		i++;
	return i < len ? i + 1 : len;
}

void strbuf_add_plain(struct strbuf *sb, const char *s, size_t len)
{
	strbuf_grow(sb, len);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0x1b) {
			i += escape_len(s + i, len - i) - 1;
			continue;
		}
		if (c == '\r') {
			if (i + 1 < len && s[i + 1] == '\n')
				continue;
			c = '\n';
		} else if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
			c = '?';
		}
		sb->buf[sb->len++] = (char)c;
	}
	sb->buf[sb->len] = '\0';
}

void strbuf_rtrim(struct strbuf *sb)
{
	while (sb->len &&
	       (sb->buf[sb->len - 1] == ' ' || sb->buf[sb->len - 1] == '\t' ||
		sb->buf[sb->len - 1] == '\n' || sb->buf[sb->len - 1] == '\r'))
		sb->len--;
	if (sb->alloc)
		sb->buf[sb->len] = '\0';
}

void strbuf_trim(struct strbuf *sb)
{
	size_t skip = 0;

	strbuf_rtrim(sb);
	while (skip < sb->len &&
	       (sb->buf[skip] == ' ' || sb->buf[skip] == '\t' ||
		sb->buf[skip] == '\n' || sb->buf[skip] == '\r'))
		skip++;
	if (skip) {
		memmove(sb->buf, sb->buf + skip, sb->len - skip);
		strbuf_setlen(sb, sb->len - skip);
	}
}

bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !memcmp(s + n - m, suffix, m);
}
