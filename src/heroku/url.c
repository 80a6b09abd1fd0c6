/* SPDX-License-Identifier: MIT */
/* URLs: loopback hosts (plain http for tests), redaction, path escapes. */
#include "slugguard/common.h"
#include "heroku-internal.h"

#include <strings.h>

/* ---- URLs -------------------------------------------------------------- */

/* The host part of an absolute URL (without port or brackets). */
static void url_host(struct strbuf *sb, const char *url)
{
	const char *p = strstr(url, "://"), *e;

	if (!p)
		return;
	p += 3;
	e = p + strcspn(p, "/?#");
	{
		const char *at = memchr(p, '@', (size_t)(e - p));

		if (at)
			p = at + 1;
	}
	if (*p == '[') {
		const char *rb = memchr(p, ']', (size_t)(e - p));

		if (rb) {
			strbuf_add(sb, p + 1, (size_t)(rb - p - 1));
			return;
		}
	}
	{
		const char *colon = memchr(p, ':', (size_t)(e - p));

		strbuf_add(sb, p, (size_t)((colon ? colon : e) - p));
	}
}

bool heroku_url_is_loopback(const char *url)
{
	struct strbuf host = STRBUF_INIT;
	bool ok;

	url_host(&host, url);
	ok = !strcasecmp(host.buf, "localhost") || !strcmp(host.buf, "::1") ||
	     starts_with(host.buf, "127.");
	strbuf_release(&host);
	return ok;
}

/* scheme://host/path of url without query or fragment (for messages). */
void heroku_url_redact(struct strbuf *sb, const char *url)
{
	strbuf_add(sb, url, strcspn(url, "?#"));
}

void heroku_path_escape(struct strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~') {
			strbuf_addch(sb, c);
		} else {
			strbuf_addch(sb, '%');
			strbuf_addch(sb, hex[c >> 4]);
			strbuf_addch(sb, hex[c & 15]);
		}
	}
}
