/* SPDX-License-Identifier: MIT */
/* Check results, the checklist printer and buildpack name comparison. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/policy.h"
#include "slugguard/term.h"

#include <ctype.h>
#include <strings.h>

void policy_report_add(struct policy_report *r, const char *name, bool ok,
		       const char *message, const char *fix)
{
	struct policy_result *res;

	ALLOC_GROW(r->v, r->nr + 1, r->alloc);
	res = &r->v[r->nr++];
	res->name = xstrdup(name);
	res->ok = ok;
	res->warning = false;
	res->message = xstrdup(message ? message : "");
	res->fix = fix && *fix ? xstrdup(fix) : NULL;
}

bool policy_report_ok(const struct policy_report *r)
{
	return !policy_report_failures(r);
}

size_t policy_report_failures(const struct policy_report *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nr; i++)
		if (!r->v[i].ok && !r->v[i].warning)
			n++;
	return n;
}

void policy_report_release(struct policy_report *r)
{
	for (size_t i = 0; i < r->nr; i++) {
		free(r->v[i].name);
		free(r->v[i].message);
		free(r->v[i].fix);
	}
	free(r->v);
	r->v = NULL;
	r->nr = r->alloc = 0;
}

/* Print text line by line, sanitised, each line after prefix+indent. */
static void print_lines(FILE *fp, const char *prefix, const char *indent,
			const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		strbuf_reset(&sb);
		strbuf_add_sanitized(&sb, p, n);
		fprintf(fp, "%s%s%s\n", prefix, indent, sb.buf);
		p += n;
		if (*p)
			p++;
	}
	strbuf_release(&sb);
}

void policy_report_print(const struct policy_report *r, FILE *fp,
			 const char *prefix, bool color, bool only_failures)
{
	struct strbuf first = STRBUF_INIT;

	for (size_t i = 0; i < r->nr; i++) {
		const struct policy_result *res = &r->v[i];
		const char *tag = res->ok      ? "ok  " :
				  res->warning ? "warn" :
						 "FAIL";
		const char *col = res->ok      ? TERM_GREEN :
				  res->warning ? TERM_YELLOW :
						 TERM_RED;
		const char *nl = strchr(res->message, '\n');
		size_t n = nl ? (size_t)(nl - res->message) :
				strlen(res->message);

		if (only_failures && res->ok)
			continue;
		strbuf_reset(&first);
		strbuf_add_sanitized(&first, res->message, n);
		fprintf(fp, "%s%s%s%s %s: %s\n", prefix, color ? col : "", tag,
			color ? TERM_RESET : "", res->name, first.buf);
		if (nl)
			print_lines(fp, prefix, "       ", nl + 1);
		if (res->fix) {
			fprintf(fp, "%s     fix:\n", prefix);
			print_lines(fp, prefix, "       ", res->fix);
		}
	}
	strbuf_release(&first);
}

static const char *skip_prefix_ci(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncasecmp(s, prefix, n) ? NULL : s + n;
}

char *policy_buildpack_canonical(const char *url)
{
	static const char *const github[] = {
		"https://github.com/", "http://github.com/",
		"git://github.com/",   "https://www.github.com/",
		"git@github.com:",     "ssh://git@github.com/",
	};
	struct strbuf sb = STRBUF_INIT;
	struct strbuf frag = STRBUF_INIT;
	const char *rest = NULL, *hash;
	char *s;

	/* trimmed, lower-cased: registry names and GitHub paths ignore case */
	strbuf_addstr(&sb, url);
	strbuf_trim(&sb);
	for (size_t i = 0; i < sb.len; i++)
		sb.buf[i] = (char)tolower((unsigned char)sb.buf[i]);
	s = strbuf_detach(&sb, NULL);
	hash = strchr(s, '#');
	if (hash) {
		strbuf_addstr(&frag, hash);
		s[hash - s] = '\0';
	}
	if ((rest = skip_prefix_ci(s, "urn:buildpack:"))) {
		strbuf_addstr(&sb, rest);
		goto done;
	}
	for (size_t i = 0; i < ARRAY_SIZE(github) && !rest; i++)
		rest = skip_prefix_ci(s, github[i]);
	if (!rest) {
		strbuf_addstr(&sb, s);
		goto done;
	}
	strbuf_addstr(&sb, rest);
	while (sb.len && sb.buf[sb.len - 1] == '/')
		strbuf_setlen(&sb, sb.len - 1);
	if (ends_with(sb.buf, ".git"))
		strbuf_setlen(&sb, sb.len - 4);
	{
		const char *slash = strchr(sb.buf, '/');
		const char *name = slash ? slash + 1 : NULL;

		/* ORG/heroku-buildpack-NAME is the registry's ORG/NAME */
		if (name && !strchr(name, '/') &&
		    starts_with(name, "heroku-buildpack-") &&
		    name[strlen("heroku-buildpack-")]) {
			struct strbuf t = STRBUF_INIT;

			strbuf_add(&t, sb.buf, (size_t)(slash - sb.buf) + 1);
			strbuf_addstr(&t, name + strlen("heroku-buildpack-"));
			strbuf_release(&sb);
			sb = t;
		} else {
			struct strbuf t = STRBUF_INIT;

			strbuf_addstr(&t, "github.com/");
			strbuf_addbuf(&t, &sb);
			strbuf_release(&sb);
			sb = t;
		}
	}
done:
	strbuf_addbuf(&sb, &frag);
	strbuf_release(&frag);
	free(s);
	return strbuf_detach(&sb, NULL);
}

bool policy_buildpacks_equal(const char *a, const char *b)
{
	char *ca = policy_buildpack_canonical(a);
	char *cb = policy_buildpack_canonical(b);
	bool eq = !strcmp(ca, cb);

	free(ca);
	free(cb);
	return eq;
}
