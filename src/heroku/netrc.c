/* SPDX-License-Identifier: MIT */
/*
 * The API key: read from a .netrc file, as the Heroku CLI keeps it, and
 * wiped wherever a copy of it ends.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "heroku-internal.h"

/*
 * A memset through a volatile function pointer: the compiler cannot
 * prove the call dead, so secrets really are overwritten before free.
 */
static void *(*const volatile wipe_fn)(void *, int, size_t) = memset;

void heroku_wipe(void *p, size_t len)
{
	if (p && len)
		wipe_fn(p, 0, len);
}

/* ---- netrc ------------------------------------------------------------- */

/* Next whitespace-separated token of [*p, end); NULL at the end. */
static const char *netrc_token(const char **p, const char *end, size_t *len)
{
	const char *s = *p, *t;

	while (s < end && (*s == ' ' || *s == '\t' || *s == '\n' ||
			   *s == '\r' || *s == '\f' || *s == '\v'))
		s++;
	if (s >= end) {
		*p = s;
		return NULL;
	}
	t = s;
	while (t < end && !(*t == ' ' || *t == '\t' || *t == '\n' ||
			    *t == '\r' || *t == '\f' || *t == '\v'))
		t++;
	*len = (size_t)(t - s);
	*p = t;
	return s;
}

static bool tok_is(const char *t, size_t len, const char *word)
{
	return len == strlen(word) && !memcmp(t, word, len);
}

char *heroku_netrc_password(const char *buf, size_t len, const char *host)
{
	const char *p = buf, *end = buf + len, *t;
	bool in_host = false;
	size_t tl = 0;

	while ((t = netrc_token(&p, end, &tl))) {
		if (tok_is(t, tl, "machine")) {
			t = netrc_token(&p, end, &tl);
			if (!t)
				break;
			in_host = tl == strlen(host) && !memcmp(t, host, tl);
		} else if (tok_is(t, tl, "default")) {
			in_host = false;
		} else if (tok_is(t, tl, "macdef")) {
			/* A macro runs to the next blank line: skip it. */
			const char *blank = NULL;

			for (const char *q = p; q + 1 < end; q++)
				if (q[0] == '\n' && q[1] == '\n') {
					blank = q;
					break;
				}
			p = blank ? blank : end;
			in_host = false;
		} else if (tok_is(t, tl, "password") ||
			   tok_is(t, tl, "login") || tok_is(t, tl, "account")) {
			bool want = in_host && tok_is(t, tl, "password");

			t = netrc_token(&p, end, &tl);
			if (!t)
				break;
			if (want && tl)
				return xstrndup(t, tl);
		}
	}
	return NULL;
}

char *heroku_key_from_netrc(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char *key = NULL;
	char *home_path = NULL;
	const char *home = getenv("HOME");

	if (!path) {
		if (!home || !*home)
			return NULL;
		sb.len = 0;
		strbuf_addf(&sb, "%s/.netrc", home);
		home_path = strbuf_detach(&sb, NULL);
		path = home_path;
	}
	if (fs_read_capped(&sb, path, HEROKU_NETRC_MAX) == 0)
		key = heroku_netrc_password(sb.buf, sb.len, "api.heroku.com");
	error_clear(); /* a missing or unreadable .netrc just means no key */
	heroku_wipe(sb.buf, sb.alloc ? sb.len : 0);
	strbuf_release(&sb);
	free(home_path);
	return key;
}
