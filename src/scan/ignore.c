/* SPDX-License-Identifier: MIT */
/*
 * Known findings: .slugguardignore and .gitleaksignore fingerprints
 * ("[commit:]file:rule:line" and our "content:<rule>:<hex>") and the
 * findings of an earlier JSON report (--baseline).
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/json.h"
#include "scan-internal.h"

#include <limits.h>

#define IGNORE_MAX (16 * 1024 * 1024)

static bool is_hex40(const char *s, size_t n)
{
	if (n != 40)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static void entry_release(struct scan_ignore_entry *e)
{
	free(e->text);
	free(e->source);
	free(e->commit);
	free(e->file);
	free(e->rule);
	free(e->content);
	free(e->secret);
	memset(e, 0, sizeof(*e));
}

bool scan_ignore_parse_line(struct scan_ignore_entry *out, const char *line,
			    const char *source)
{
	struct strbuf sb = STRBUF_INIT;
	const char *s, *c1, *c2;
	long ln;
	bool ok = false;

	memset(out, 0, sizeof(*out));
	strbuf_addstr(&sb, line);
	strbuf_trim(&sb);
	if (!sb.len || sb.buf[0] == '#')
		goto out;
	out->text = xstrdup(sb.buf);
	out->source = xstrdup(source);
	if (starts_with(sb.buf, "content:")) {
		/*
		 * Strictly content:<rule>:<hex>: a line with anything else
		 * could be a key pasted by mistake, and the entry's text is
		 * printed back (unused-entry warnings).
		 */
		const char *hex = strchr(sb.buf + 8, ':');

		if (!hex || hex == sb.buf + 8 || !hex[1] ||
		    strspn(hex + 1, "0123456789abcdef") != strlen(hex + 1))
			goto out;
		out->content = xstrdup(sb.buf);
		ok = true;
		goto out;
	}
	/* Fields from the right: a path may itself hold ':'. */
	s = sb.buf;
	c2 = strrchr(s, ':');
	if (!c2 || parse_long(&ln, c2 + 1, 1, LONG_MAX) < 0)
		goto out;
	c1 = c2 - 1;
	while (c1 > s && *c1 != ':')
		c1--;
	if (c1 <= s)
		goto out;
	out->line = (size_t)ln;
	out->rule = xstrndup(c1 + 1, (size_t)(c2 - c1 - 1));
	{
		const char *colon = memchr(s, ':', (size_t)(c1 - s));

		if (colon && (is_hex40(s, (size_t)(colon - s)) ||
			      (colon - s == 3 && !memcmp(s, "dir", 3)))) {
			out->commit = xstrndup(s, (size_t)(colon - s));
			s = colon + 1;
		}
	}
	if (c1 <= s)
		goto out;
	out->file = xstrndup(s, (size_t)(c1 - s));
	ok = *out->rule && *out->file;
out:
	if (!ok)
		entry_release(out);
	strbuf_release(&sb);
	return ok;
}

static void push(struct scan_ignore *ign, struct scan_ignore_entry *e)
{
	ALLOC_GROW(ign->v, ign->nr + 1, ign->alloc);
	ign->v[ign->nr++] = *e;
}

int scan_ignore_load(struct scan_ignore *ign, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	size_t pos = 0;
	int rc;

	rc = fs_read_worktree(&sb, path, IGNORE_MAX);
	if (rc == ERR_NOTFOUND) {
		error_clear();
		rc = 0;
		goto out;
	}
	if (rc < 0)
		goto out;
	while (pos < sb.len) {
		char *nl = memchr(sb.buf + pos, '\n', sb.len - pos);
		size_t end = nl ? (size_t)(nl - sb.buf) : sb.len;
		struct scan_ignore_entry e;

		sb.buf[end] = '\0';
		if (scan_ignore_parse_line(&e, sb.buf + pos, path))
			push(ign, &e);
		pos = end + 1;
	}
out:
	strbuf_release(&sb);
	return rc;
}

void scan_ignore_add_commits(struct scan_ignore *ign,
			     const struct strvec *commits)
{
	for (size_t i = 0; i < commits->nr; i++) {
		struct scan_ignore_entry e;
		struct strbuf text = STRBUF_INIT;

		memset(&e, 0, sizeof(e));
		strbuf_addf(&text, "commits: %s", commits->v[i]);
		e.text = strbuf_detach(&text, NULL);
		e.source = xstrdup("allowlist");
		e.commit = xstrdup(commits->v[i]);
		push(ign, &e);
	}
}

int scan_ignore_load_baseline(struct scan_ignore *ign, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	struct json *doc = NULL, *findings;
	int rc;

	rc = fs_read_capped(&sb, path, 256 * 1024 * 1024);
	if (rc < 0)
		goto out;
	rc = json_parse(&doc, sb.buf, sb.len, path);
	if (rc < 0)
		goto out;
	findings = json_get(doc, "findings");
	if (!json_is_array(findings)) {
		rc = error_set("'%s': not a slugguard JSON report (no "
			       "'findings' array)",
			       path);
		goto out;
	}
	for (size_t i = 0; i < json_array_size(findings); i++) {
		struct json *f = json_array_at(findings, i);
		const char *fp = json_get_string(f, "fingerprint");
		const char *secret = json_get_string(f, "secret");
		struct scan_ignore_entry e;

		if (!fp || !scan_ignore_parse_line(&e, fp, path))
			continue;
		e.baseline = true;
		e.secret = secret ? xstrdup(secret) : NULL;
		push(ign, &e);
	}
out:
	json_free(doc);
	strbuf_release(&sb);
	return rc;
}

static bool secret_matches(const struct scan_ignore_entry *e,
			   const struct scan_finding *f)
{
	size_t n;
	bool ok;
	char *red;

	if (!e->secret)
		return true;
	n = strlen(e->secret);
	if (n < 4 || strcmp(e->secret + n - 4, "****"))
		return !strcmp(e->secret, f->secret);
	/* A redacted report: the visible prefix must agree. */
	red = scan_redact(f->secret);
	ok = !strcmp(red, e->secret);
	free(red);
	return ok;
}

bool scan_ignore_match(struct scan_ignore *ign, const struct scan_finding *f)
{
	bool hit = false;

	for (size_t i = 0; i < ign->nr; i++) {
		struct scan_ignore_entry *e = &ign->v[i];
		bool m;

		if (e->content) {
			m = f->content_fingerprint &&
			    !strcmp(e->content, f->content_fingerprint);
		} else if (!e->file) {
			m = *f->commit && starts_with(f->commit, e->commit);
		} else {
			const char *fc = *f->commit ? f->commit : "dir";

			m = e->line == f->line && !strcmp(e->rule, f->rule) &&
			    !strcmp(e->file, f->file) &&
			    (!e->commit || !strcmp(e->commit, fc)) &&
			    secret_matches(e, f);
		}
		if (m) {
			e->used = true;
			hit = true;
		}
	}
	return hit;
}

void scan_ignore_release(struct scan_ignore *ign)
{
	for (size_t i = 0; i < ign->nr; i++)
		entry_release(&ign->v[i]);
	free(ign->v);
	memset(ign, 0, sizeof(*ign));
}
