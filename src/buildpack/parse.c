/* SPDX-License-Identifier: MIT */
/* Pure parsing: bin/release YAML, Procfiles, buildpack shorthands. */
#include "slugguard/common.h"
#include "slugguard/buildpack.h"
#include "slugguard/error.h"

#include <ctype.h>

#define SHORTHAND_PREFIX "https://github.com/"

char *buildpack_resolve_url(const char *ref)
{
	struct strbuf sb = STRBUF_INIT;
	const char *name = ref, *slash;

	if (starts_with(name, "urn:buildpack:"))
		name += strlen("urn:buildpack:");
	slash = strchr(name, '/');
	/* "org/name" with nothing else: a registry-style shorthand. */
	if (!strstr(name, "://") && slash && slash != name && slash[1] &&
	    !strchr(slash + 1, '/') && name[0] != '.') {
		strbuf_addstr(&sb, SHORTHAND_PREFIX);
		strbuf_add(&sb, name, (size_t)(slash - name));
		strbuf_addstr(&sb, "/heroku-buildpack-");
		strbuf_addstr(&sb, slash + 1);
		return strbuf_detach(&sb, NULL);
	}
	return xstrdup(ref);
}

static bool valid_process_name(const char *s, size_t n)
{
	if (!n || n > 128)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return false;
	return true;
}

/* Strip one level of YAML quoting from a scalar (in place). */
static void unquote(struct strbuf *v)
{
	struct strbuf out = STRBUF_INIT;

	if (v->len < 2)
		return;
	if (v->buf[0] == '\'' && v->buf[v->len - 1] == '\'') {
		for (size_t i = 1; i + 1 < v->len; i++) {
			if (v->buf[i] == '\'' && v->buf[i + 1] == '\'')
				i++;
			strbuf_addch(&out, v->buf[i]);
		}
	} else if (v->buf[0] == '"' && v->buf[v->len - 1] == '"') {
		for (size_t i = 1; i + 1 < v->len; i++) {
			if (v->buf[i] == '\\' && i + 2 < v->len) {
				i++;
				strbuf_addch(&out,
					     v->buf[i] == 'n' ? '\n' :
					     v->buf[i] == 't' ? '\t' :
								v->buf[i]);
				continue;
			}
			strbuf_addch(&out, v->buf[i]);
		}
	} else {
		return;
	}
	strbuf_reset(v);
	strbuf_addbuf(v, &out);
	strbuf_release(&out);
}

/* Split "name: value" into trimmed parts; false when there is no colon. */
static bool split_pair(struct strbuf *name, struct strbuf *value,
		       const char *line, size_t len)
{
	const char *colon = memchr(line, ':', len);

	if (!colon)
		return false;
	strbuf_reset(name);
	strbuf_reset(value);
	strbuf_add(name, line, (size_t)(colon - line));
	strbuf_add(value, colon + 1, len - (size_t)(colon + 1 - line));
	strbuf_trim(name);
	strbuf_trim(value);
	return true;
}

int buildpack_parse_release_yaml(struct strvec *names, struct strvec *commands,
				 const char *buf, size_t len)
{
	struct strbuf name = STRBUF_INIT, value = STRBUF_INIT;
	const char *p = buf, *end = buf + len;
	bool in_map = false;
	int rc = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *line = p;
		bool indented;

		p += n + 1;
		while (n && line[n - 1] == '\r')
			n--;
		indented = n && (line[0] == ' ' || line[0] == '\t');
		{
			size_t i = 0;

			while (i < n && (line[i] == ' ' || line[i] == '\t'))
				i++;
			if (i == n || line[i] == '#')
				continue; /* blank or comment */
		}
		if (!indented) {
			in_map = false;
			if (n >= 3 && !strncmp(line, "---", 3))
				continue;
			if (!split_pair(&name, &value, line, n))
				continue;
			if (strcmp(name.buf, "default_process_types"))
				continue;
			if (value.len && strcmp(value.buf, "{}") &&
			    strcmp(value.buf, "~") &&
			    strcmp(value.buf, "null")) {
				rc = error_set("bin/release: unsupported "
					       "default_process_types value");
				goto out;
			}
			in_map = true;
			continue;
		}
		if (!in_map)
			continue;
		if (!split_pair(&name, &value, line, n)) {
			rc = error_set("bin/release: malformed process type "
				       "line");
			goto out;
		}
		unquote(&name);
		unquote(&value);
		if (!valid_process_name(name.buf, name.len)) {
			rc = error_set("bin/release: invalid process type "
				       "name");
			goto out;
		}
		strvec_push(names, name.buf);
		strvec_push(commands, value.buf);
	}
out:
	strbuf_release(&name);
	strbuf_release(&value);
	return rc;
}

int buildpack_parse_procfile(struct strvec *names, struct strvec *commands,
			     const char *buf, size_t len)
{
	struct strbuf name = STRBUF_INIT, value = STRBUF_INIT;
	const char *p = buf, *end = buf + len;
	size_t lineno = 0;
	int rc = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *line = p;

		p += n + 1;
		lineno++;
		while (n && (line[n - 1] == '\r' || line[n - 1] == ' '))
			n--;
		if (!n || line[0] == '#')
			continue;
		if (!split_pair(&name, &value, line, n) ||
		    !valid_process_name(name.buf, name.len) || !value.len) {
			rc = error_set("Procfile line %zu is not "
				       "'name: command'",
				       lineno);
			goto out;
		}
		strvec_push(names, name.buf);
		strvec_push(commands, value.buf);
	}
out:
	strbuf_release(&name);
	strbuf_release(&value);
	return rc;
}
