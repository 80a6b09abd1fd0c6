/* SPDX-License-Identifier: MIT */
/*
 * The TOML reader behind .gitleaks.toml: a strict parser of the TOML
 * subset gitleaks configs use (strings, numbers, booleans, arrays of
 * strings, keys). Moved out of gitleaks.c (issue #12: no source file over
 * 900 lines) so that the lexing lives apart from the mapping onto struct
 * config_scan, which stays in gitleaks.c; struct tparse and the functions
 * gitleaks.c calls are declared in scan-internal.h. Debian ships no C TOML
 * library; this one reads the input once, left to right, with no
 * recursion (arrays hold only strings), so its cost is linear and its
 * stack flat whatever the file holds.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/strbuf.h"
#include "slugguard/strvec.h"
#include "scan-internal.h"

#include <math.h>
#include <stdarg.h>

int toml_perr(struct tparse *t, const char *fmt, ...)
{
	struct strbuf msg = STRBUF_INIT;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	rc = error_set("%s:%zu: %s", t->what, t->line, msg.buf);
	strbuf_release(&msg);
	return rc;
}

int toml_unsupported(struct tparse *t, const char *what)
{
	return toml_perr(t, "unsupported TOML (%s)", what);
}

bool toml_at(const struct tparse *t, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(t->end - t->p) >= n && !memcmp(t->p, s, n);
}

void toml_skip_blank(struct tparse *t)
{
	while (t->p < t->end && (*t->p == ' ' || *t->p == '\t'))
		t->p++;
}

/* At a newline (LF or CRLF) or the end: consume it. */
static bool eat_newline(struct tparse *t)
{
	if (t->p >= t->end)
		return true;
	if (toml_at(t, "\r\n"))
		t->p++;
	if (*t->p != '\n')
		return false;
	t->p++;
	t->line++;
	return true;
}

/* Blanks, an optional comment, then the end of the line. */
int toml_end_of_line(struct tparse *t)
{
	toml_skip_blank(t);
	if (t->p < t->end && *t->p == '#') {
		while (t->p < t->end && *t->p != '\n' && *t->p != '\r')
			t->p++;
	}
	if (!eat_newline(t))
		return toml_perr(t, "expected the end of the line");
	return 0;
}

/* Blanks, comments and newlines (inside arrays). */
static int skip_space(struct tparse *t)
{
	for (;;) {
		toml_skip_blank(t);
		if (t->p >= t->end)
			return 0;
		if (*t->p == '#' || *t->p == '\n' || *t->p == '\r') {
			int rc = toml_end_of_line(t);

			if (rc < 0)
				return rc;
			continue;
		}
		return 0;
	}
}

static void add_utf8(struct strbuf *sb, unsigned long u)
{
	if (u < 0x80) {
		strbuf_addch(sb, (char)u);
	} else if (u < 0x800) {
		strbuf_addch(sb, (char)(0xc0 | (u >> 6)));
		strbuf_addch(sb, (char)(0x80 | (u & 0x3f)));
	} else if (u < 0x10000) {
		strbuf_addch(sb, (char)(0xe0 | (u >> 12)));
		strbuf_addch(sb, (char)(0x80 | ((u >> 6) & 0x3f)));
		strbuf_addch(sb, (char)(0x80 | (u & 0x3f)));
	} else {
		strbuf_addch(sb, (char)(0xf0 | (u >> 18)));
		strbuf_addch(sb, (char)(0x80 | ((u >> 12) & 0x3f)));
		strbuf_addch(sb, (char)(0x80 | ((u >> 6) & 0x3f)));
		strbuf_addch(sb, (char)(0x80 | (u & 0x3f)));
	}
}

/* After a backslash in a basic string; t->p is past the backslash. */
static int escape(struct tparse *t, struct strbuf *sb, bool multi)
{
	static const char simple[] = "b\bt\tn\nf\fr\r\"\"\\\\";
	const char *q;
	unsigned long u = 0;
	size_t n;

	if (t->p >= t->end)
		return toml_perr(t, "unterminated string");
	if (multi &&
	    (*t->p == ' ' || *t->p == '\t' || *t->p == '\n' || *t->p == '\r')) {
		/* a line-ending backslash: drop the blanks and newlines */
		const char *save = t->p;

		toml_skip_blank(t);
		if (t->p < t->end && *t->p != '\n' && *t->p != '\r') {
			t->p = save;
			return toml_perr(t, "invalid escape in a string");
		}
		while (t->p < t->end && (*t->p == ' ' || *t->p == '\t' ||
					 *t->p == '\n' || *t->p == '\r')) {
			if (*t->p == '\r' && !toml_at(t, "\r\n"))
				return toml_perr(t, "a lone carriage return");
			t->line += *t->p == '\n';
			t->p++;
		}
		return 0;
	}
	for (q = simple; *q; q += 2)
		if (*t->p == q[0]) {
			strbuf_addch(sb, q[1]);
			t->p++;
			return 0;
		}
	if (*t->p != 'u' && *t->p != 'U')
		return toml_perr(
			t,
			"invalid escape '\\%c' in a string (write '\\\\' "
			"for a backslash, or use a 'literal' string)",
			*t->p >= 0x20 && *t->p < 0x7f ? *t->p : '?');
	n = *t->p == 'u' ? 4 : 8;
	t->p++;
	if ((size_t)(t->end - t->p) < n)
		return toml_perr(t, "invalid \\u escape");
	for (size_t i = 0; i < n; i++) {
		int d = hex_value(t->p[i]);

		if (d < 0)
			return toml_perr(t, "invalid \\u escape");
		u = u << 4 | (unsigned long)d;
	}
	if (u > 0x10ffff || (u >= 0xd800 && u <= 0xdfff) || !u)
		return toml_perr(t, "invalid \\u escape (not a scalar value)");
	t->p += n;
	add_utf8(sb, u);
	return 0;
}

/*
 * A string of any of the four kinds; t->p is at its first quote. A
 * control character other than tab is refused, as TOML says (and a NUL
 * would cut the string short in C).
 */
static int string(struct tparse *t, struct strbuf *sb)
{
	char q = *t->p;
	bool multi = (q == '"' && toml_at(t, "\"\"\"")) ||
		     (q == '\'' && toml_at(t, "'''"));

	strbuf_reset(sb);
	t->p += multi ? 3 : 1;
	/* a newline right after the opening quotes is not content */
	if (multi && (toml_at(t, "\n") || toml_at(t, "\r\n")))
		eat_newline(t);
	for (;;) {
		unsigned char c;

		if (t->p >= t->end)
			return toml_perr(t, "unterminated string");
		c = (unsigned char)*t->p;
		if (c == (unsigned char)q) {
			size_t run = 0;

			if (!multi) {
				t->p++;
				return 0;
			}
			while (t->p + run < t->end && t->p[run] == q)
				run++;
			if (run >= 3) {
				/* up to two quotes may end the content */
				if (run > 5)
					return toml_perr(t, "too many quotes");
				strbuf_add(sb, t->p, run - 3);
				t->p += run;
				return 0;
			}
			strbuf_add(sb, t->p, run);
			t->p += run;
			continue;
		}
		if (c == '\n' || (c == '\r' && toml_at(t, "\r\n"))) {
			if (!multi)
				return toml_perr(t, "unterminated string");
			if (c == '\r')
				strbuf_addch(sb, *t->p++);
			strbuf_addch(sb, *t->p++);
			t->line++;
			continue;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return toml_perr(t, "control character in a string");
		if (c == '\\' && q == '"') {
			int rc;

			t->p++;
			rc = escape(t, sb, multi);
			if (rc < 0)
				return rc;
			continue;
		}
		strbuf_addch(sb, (char)c);
		t->p++;
	}
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Digits with single underscores between them; false if none. */
static bool digits(struct tparse *t, struct strbuf *sb)
{
	bool any = false;

	while (t->p < t->end) {
		if (is_digit(*t->p)) {
			strbuf_addch(sb, *t->p++);
			any = true;
		} else if (*t->p == '_' && any && t->p + 1 < t->end &&
			   is_digit(t->p[1])) {
			t->p++;
		} else {
			break;
		}
	}
	return any;
}

static bool bare_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       is_digit(c) || c == '_' || c == '-';
}

static int number(struct tparse *t, struct tval *v)
{
	struct strbuf sb = STRBUF_INIT;
	bool fl = false;
	char *endp = NULL;
	int rc = 0;

	if (*t->p == '+' || *t->p == '-')
		strbuf_addch(&sb, *t->p++);
	if (toml_at(t, "0x") || toml_at(t, "0o") || toml_at(t, "0b")) {
		rc = toml_unsupported(t,
				      "hexadecimal, octal or binary integers");
		goto out;
	}
	if (toml_at(t, "inf") || toml_at(t, "nan")) {
		rc = toml_unsupported(t, "inf and nan");
		goto out;
	}
	if (!digits(t, &sb)) {
		rc = toml_perr(t, "invalid value");
		goto out;
	}
	{
		size_t lead = sb.buf[0] == '-' || sb.buf[0] == '+';

		if (sb.len - lead > 1 && sb.buf[lead] == '0') {
			rc = toml_perr(t, "invalid number (leading zero)");
			goto out;
		}
	}
	if (t->p < t->end && *t->p == '.') {
		strbuf_addch(&sb, *t->p++);
		fl = true;
		if (!digits(t, &sb)) {
			rc = toml_perr(t, "invalid number");
			goto out;
		}
	}
	if (t->p < t->end && (*t->p == 'e' || *t->p == 'E')) {
		strbuf_addch(&sb, *t->p++);
		fl = true;
		if (t->p < t->end && (*t->p == '+' || *t->p == '-'))
			strbuf_addch(&sb, *t->p++);
		if (!digits(t, &sb)) {
			rc = toml_perr(t, "invalid number");
			goto out;
		}
	}
	if (t->p < t->end && (bare_char(*t->p) || *t->p == ':')) {
		rc = toml_unsupported(t,
				      "dates and times, or an invalid value");
		goto out;
	}
	errno = 0;
	if (fl) {
		v->kind = TV_FLOAT;
		v->d = strtod(sb.buf, &endp);
	} else {
		v->kind = TV_INT;
		v->i = strtoll(sb.buf, &endp, 10);
		v->d = (double)v->i;
	}
	if (errno || !endp || *endp || (fl && !isfinite(v->d)))
		rc = toml_perr(t, "number out of range");
out:
	strbuf_release(&sb);
	return rc;
}

static int array(struct tparse *t, struct tval *v)
{
	struct strbuf sb = STRBUF_INIT;
	int rc;

	v->kind = TV_ARRAY;
	t->p++;
	for (;;) {
		rc = skip_space(t);
		if (rc < 0)
			goto out;
		if (t->p >= t->end) {
			rc = toml_perr(t, "unterminated array");
			goto out;
		}
		if (*t->p == ']') {
			t->p++;
			break;
		}
		if (*t->p != '"' && *t->p != '\'') {
			rc = *t->p == '[' ?
				     toml_unsupported(t, "arrays of arrays") :
			     *t->p == '{' ?
				     toml_unsupported(t, "inline tables") :
				     toml_unsupported(t, "arrays of "
							 "non-strings");
			goto out;
		}
		rc = string(t, &sb);
		if (rc < 0)
			goto out;
		strvec_push(&v->arr, sb.buf);
		rc = skip_space(t);
		if (rc < 0)
			goto out;
		if (t->p < t->end && *t->p == ',') {
			t->p++;
			continue;
		}
		if (t->p < t->end && *t->p == ']') {
			t->p++;
			break;
		}
		rc = t->p >= t->end ?
			     toml_perr(t, "unterminated array") :
			     toml_perr(t, "expected ',' or ']' in an array");
		goto out;
	}
	rc = 0;
out:
	strbuf_release(&sb);
	return rc;
}

int toml_value(struct tparse *t, struct tval *v)
{
	if (t->p >= t->end || *t->p == '\n' || *t->p == '\r' || *t->p == '#')
		return toml_perr(t, "missing value");
	if (*t->p == '"' || *t->p == '\'') {
		v->kind = TV_STRING;
		return string(t, &v->s);
	}
	if (*t->p == '[')
		return array(t, v);
	if (*t->p == '{')
		return toml_unsupported(t, "inline tables");
	if (toml_at(t, "true") || toml_at(t, "false")) {
		v->kind = TV_BOOL;
		v->b = *t->p == 't';
		t->p += v->b ? 4 : 5;
		if (t->p < t->end && bare_char(*t->p))
			return toml_perr(t, "invalid value");
		return 0;
	}
	if (is_digit(*t->p) || *t->p == '+' || *t->p == '-' ||
	    toml_at(t, "inf") || toml_at(t, "nan"))
		return number(t, v);
	return toml_perr(t, "invalid value");
}

/* One key: bare, "basic" or 'literal'. */
int toml_key(struct tparse *t, struct strbuf *sb)
{
	strbuf_reset(sb);
	if (t->p < t->end && (*t->p == '"' || *t->p == '\'')) {
		if (toml_at(t, "\"\"\"") || toml_at(t, "'''"))
			return toml_perr(t, "invalid key");
		return string(t, sb);
	}
	while (t->p < t->end && bare_char(*t->p))
		strbuf_addch(sb, *t->p++);
	if (!sb->len)
		return toml_perr(t, "invalid key");
	return 0;
}
