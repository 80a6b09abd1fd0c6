/* SPDX-License-Identifier: MIT */
/* Findings and their presentations: text, JSON, SARIF 2.1.0. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/json.h"
#include "slugguard/term.h"
#include "scan-internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <strings.h>

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"
#define SARIF_INFO_URI "https://github.com/slugguard/slugguard"

void scan_finding_release(struct scan_finding *f)
{
	free(f->rule);
	free(f->description);
	free(f->remediation);
	free(f->file);
	free(f->author);
	free(f->date);
	if (f->secret) {
		/* Wipe: the raw secret must not linger in freed memory. */
		volatile char *p = f->secret;

		while (*p)
			*p++ = 0;
		free(f->secret);
	}
	free(f->fingerprint);
	free(f->content_fingerprint);
	free(f->snippet);
}

void scan_report_release(struct scan_report *rep)
{
	if (!rep)
		return;
	for (size_t i = 0; i < rep->nr; i++)
		scan_finding_release(&rep->findings[i]);
	free(rep->findings);
	strvec_clear(&rep->unused_ignores);
	free(rep->what);
	memset(rep, 0, sizeof(*rep));
	strvec_init(&rep->unused_ignores);
}

struct scan_finding *scan_report_add(struct scan_report *rep)
{
	struct scan_finding *f;

	ALLOC_GROW(rep->findings, rep->nr + 1, rep->alloc);
	f = &rep->findings[rep->nr++];
	memset(f, 0, sizeof(*f));
	return f;
}

char *scan_fingerprint(const struct scan_finding *f)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s:%s:%s:%zu", *f->commit ? f->commit : "dir",
		    f->file, f->rule, f->line);
	return strbuf_detach(&sb, NULL);
}

char *scan_redact(const char *secret)
{
	struct strbuf sb = STRBUF_INIT;
	size_t n = strlen(secret);

	if (n >= 8)
		strbuf_add(&sb, secret, 4);
	strbuf_addstr(&sb, "****");
	return strbuf_detach(&sb, NULL);
}

const char *scan_memmem(const char *hay, size_t hay_len, const char *needle,
			size_t needle_len)
{
	if (!needle_len)
		return hay;
	while (hay_len >= needle_len) {
		const char *p =
			memchr(hay, needle[0], hay_len - needle_len + 1);

		if (!p)
			return NULL;
		if (!memcmp(p, needle, needle_len))
			return p;
		hay_len -= (size_t)(p - hay) + 1;
		hay = p + 1;
	}
	return NULL;
}

static char *shown_secret(const struct scan_finding *f, unsigned flags)
{
	if (flags & SCAN_PRINT_NO_REDACT)
		return xstrdup(f->secret);
	return scan_redact(f->secret);
}

static struct json *finding_json(const struct scan_finding *f, unsigned flags)
{
	struct json *o = json_new_object();
	char *secret = shown_secret(f, flags);

	json_add_string(o, "rule", f->rule);
	json_add_string(o, "description", f->description);
	json_add_string(o, "file", f->file);
	json_add_number(o, "line", (double)f->line);
	json_add_number(o, "column", (double)f->column);
	if (*f->commit)
		json_add_string(o, "commit", f->commit);
	else
		json_add_null(o, "commit");
	json_add_string(o, "author", f->author ? f->author : "");
	if (f->date)
		json_add_string(o, "date", f->date);
	else
		json_add_null(o, "date");
	json_add_string(o, "secret", secret);
	json_add_string(o, "fingerprint", f->fingerprint);
	json_add_number(o, "entropy", f->entropy);
	json_add_string(o, "context", scan_context_name(f->context));
	free(secret);
	return o;
}

char *scan_report_json(const struct scan_report *rep, unsigned flags)
{
	struct json *root = json_new_object();
	struct json *arr, *stats;
	char *s;

	json_add_number(root, "version", 1);
	arr = json_add(root, "findings", json_new_array());
	for (size_t i = 0; i < rep->nr; i++)
		json_push(arr, finding_json(&rep->findings[i], flags));
	stats = json_add(root, "stats", json_new_object());
	json_add_number(stats, "commits", (double)rep->commits);
	json_add_number(stats, "blobs", (double)rep->blobs);
	json_add_number(stats, "bytes", (double)rep->bytes);
	json_add_number(stats, "seconds", rep->seconds);
	s = json_print(root, false);
	json_free(root);
	return s;
}

static int put(FILE *fp, const char *s)
{
	if (fputs(s, fp) == EOF || fputc('\n', fp) == EOF)
		return error_from_errno("cannot write the report");
	return 0;
}

int scan_print_json(FILE *fp, const struct scan_report *rep, unsigned flags)
{
	char *s = scan_report_json(rep, flags);
	int rc = put(fp, s);

	free(s);
	return rc;
}

#define SARIF_ROOT "SRCROOT"
#define SARIF_HELP_BASE SARIF_INFO_URI "/blob/main/docs/rules.md#"

/* The built-in rule called id, or NULL (a config rule). */
static const struct rule *builtin_rule(const char *id)
{
	for (size_t i = 0; i < rules_builtin_count(); i++)
		if (!strcmp(rules_builtin(i)->id, id))
			return rules_builtin(i);
	return NULL;
}

/*
 * "github-pat" -> "GithubPat": SARIF wants a name unlike the id (the
 * multitool compares them ignoring case).
 */
static void rule_name(struct strbuf *sb, const char *id)
{
	bool up = true;

	for (const char *p = id; *p; p++) {
		if (!isalnum((unsigned char)*p)) {
			up = true;
			continue;
		}
		strbuf_addch(sb, up ? (char)toupper((unsigned char)*p) : *p);
		up = false;
	}
	/* "jwt" -> "Jwt" differs in case only, which SARIF1001 rejects */
	if (!strcasecmp(sb->buf, id))
		strbuf_addstr(sb, "Secret");
}

static void rule_help(struct strbuf *sb, const struct scan_finding *f,
		      bool markdown)
{
	const char *fix = *f->remediation ? f->remediation :
					    "Revoke the credential where it "
					    "was issued";

	strbuf_addf(sb,
		    "%s%s%s committed to the repository: anyone who can "
		    "read it, now or later, can use it.\n\n",
		    markdown ? "**" : "", f->description, markdown ? "**" : "");
	strbuf_addf(sb,
		    "%sRotation steps:\n\n"
		    "1. %s.\n"
		    "2. Give the new value to the app through its environment "
		    "(heroku config:set NAME=...) and read it from ENV.\n"
		    "3. Remove the value from the code; removing it from git "
		    "history (git filter-repo) does not make it secret again, "
		    "so rotate first.\n"
		    "4. Not a secret? Add the finding's fingerprint to "
		    ".slugguardignore, or mark the line with "
		    "slugguard:allow.\n",
		    markdown ? "#### " : "", fix);
}

/* Index of rule id in the driver's rule list, adding it when new. */
static size_t sarif_rule(struct json *rules, struct strvec *ids,
			 const struct scan_finding *f)
{
	const struct rule *b = builtin_rule(f->rule);
	struct json *r, *help, *props, *tags;
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < ids->nr; i++)
		if (!strcmp(ids->v[i], f->rule))
			return i;
	strvec_push(ids, f->rule);
	r = json_push(rules, json_new_object());
	json_add_string(r, "id", f->rule);
	rule_name(&sb, f->rule);
	json_add_string(r, "name", sb.buf);
	json_add_string(json_add(r, "shortDescription", json_new_object()),
			"text", f->description);
	strbuf_reset(&sb);
	strbuf_addf(&sb,
		    "%s: a credential in the repository, found by "
		    "slugguard's secret scanner.",
		    f->description);
	json_add_string(json_add(r, "fullDescription", json_new_object()),
			"text", sb.buf);
	if (b) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s%s", SARIF_HELP_BASE, f->rule);
		json_add_string(r, "helpUri", sb.buf);
	}
	help = json_add(r, "help", json_new_object());
	strbuf_reset(&sb);
	rule_help(&sb, f, false);
	json_add_string(help, "text", sb.buf);
	strbuf_reset(&sb);
	rule_help(&sb, f, true);
	json_add_string(help, "markdown", sb.buf);
	json_add_string(json_add(r, "defaultConfiguration", json_new_object()),
			"level", "error");
	props = json_add(r, "properties", json_new_object());
	tags = json_add(props, "tags", json_new_array());
	json_push(tags, json_new_string("security"));
	json_push(tags, json_new_string("secret"));
	json_push(tags, json_new_string("external/cwe/cwe-798"));
	/*
	 * A live credential is critical; a generic match (a name and a
	 * random-looking value) is less certain, so it ranks high.
	 */
	json_add_string(props, "precision",
			b && (b->flags & RULE_GENERIC) ? "medium" : "high");
	json_add_string(props, "security-severity",
			b && (b->flags & RULE_GENERIC) ? "7.5" : "9.0");
	strbuf_release(&sb);
	return ids->nr - 1;
}

static bool uri_plain(unsigned char c)
{
	return isalnum(c) || strchr("-._~/!$&'()*+,;=:@", c);
}

/* RFC 3986 percent-encoding of a path (space, '%', '#', '?', ...). */
static void add_uri_path(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c && uri_plain(c))
			strbuf_addch(sb, (char)c);
		else
			strbuf_addf(sb, "%%%02X", c);
	}
}

/*
 * Lexically normalise the absolute path p into sb: no "." or ".."
 * components, no doubled or trailing slash.
 */
static void normalize_abs(struct strbuf *sb, const char *p)
{
	strbuf_reset(sb);
	while (*p) {
		const char *e = p + strcspn(p, "/");
		size_t n = (size_t)(e - p);

		if (n == 2 && !strncmp(p, "..", 2)) {
			char *slash = strrchr(sb->buf, '/');

			strbuf_setlen(sb,
				      slash ? (size_t)(slash - sb->buf) : 0);
		} else if (n && !(n == 1 && *p == '.')) {
			strbuf_addch(sb, '/');
			strbuf_add(sb, p, n);
		}
		p = *e ? e + 1 : e;
	}
	if (!sb->len)
		strbuf_addch(sb, '/');
}

/* The path of root-relative file under root, or NULL. */
static const char *under(const char *abs, const char *root)
{
	size_t n = strlen(root);

	while (n > 1 && root[n - 1] == '/')
		n--;
	if (!strncmp(abs, root, n) && abs[n] == '/')
		return abs + n + 1;
	return NULL;
}

/*
 * The artifactLocation of file: relative to SRCROOT when it lies under
 * meta->root, else a file: URI of its absolute path.
 */
static void sarif_artifact(struct json *loc, const char *file,
			   const struct scan_sarif_meta *meta)
{
	struct strbuf abs = STRBUF_INIT, uri = STRBUF_INIT;
	struct strbuf tmp = STRBUF_INIT;
	const char *rel = file;
	char *real = NULL;

	if (meta && meta->root && meta->cwd && *file != '(') {
		if (*file == '/') {
			strbuf_addstr(&tmp, file);
		} else {
			strbuf_addstr(&tmp, meta->cwd);
			strbuf_addch(&tmp, '/');
			strbuf_addstr(&tmp, file);
		}
		normalize_abs(&abs, tmp.buf);
		rel = under(abs.buf, meta->root);
		if (!rel) {
			/* --dir through a symbolic link: its real path */
			real = fs_realpath(abs.buf);
			rel = real ? under(real, meta->root) : NULL;
		}
	}
	if (rel) {
		add_uri_path(&uri, rel);
		json_add_string(loc, "uri", uri.buf);
		if (meta)
			json_add_string(loc, "uriBaseId", SARIF_ROOT);
	} else {
		strbuf_addstr(&uri, "file://");
		add_uri_path(&uri, abs.buf);
		json_add_string(loc, "uri", uri.buf);
	}
	free(real);
	strbuf_release(&tmp);
	strbuf_release(&uri);
	strbuf_release(&abs);
}

/* Where the secret ends: it may span lines (a PEM block). */
static void sarif_region(struct json *region, const struct scan_finding *f,
			 const char *shown)
{
	size_t end_line = f->line, end_col = f->column;
	const char *s = f->secret;
	bool path_only = !strcmp(f->secret, f->file);

	json_add_number(region, "startLine", (double)f->line);
	json_add_number(region, "startColumn", (double)f->column);
	if (!path_only) {
		for (; *s; s++) {
			if (*s == '\n') {
				end_line++;
				end_col = 1;
			} else {
				end_col++;
			}
		}
		json_add_number(region, "endLine", (double)end_line);
		json_add_number(region, "endColumn", (double)end_col);
	}
	json_add_string(json_add(region, "snippet", json_new_object()), "text",
			f->snippet ? f->snippet : shown);
}

void scan_repo_uri(struct strbuf *out, const char *url)
{
	const char *scheme = strstr(url, "://");
	const char *host, *at, *colon;

	if (scheme) {
		host = scheme + 3;
		at = strchr(host, '@');
		/* credentials sit before an '@' in the authority only */
		if (at && at < host + strcspn(host, "/"))
			host = at + 1;
		strbuf_add(out, url, (size_t)(scheme + 3 - url));
		strbuf_addstr(out, host);
		return;
	}
	colon = strchr(url, ':');
	if (*url != '/' && colon && !memchr(url, '/', (size_t)(colon - url))) {
		/* scp-like user@host:path */
		at = memchr(url, '@', (size_t)(colon - url));
		host = at ? at + 1 : url;
		strbuf_addstr(out, "ssh://");
		strbuf_add(out, host, (size_t)(colon - host));
		strbuf_addch(out, '/');
		strbuf_addstr(out, colon[1] == '/' ? colon + 2 : colon + 1);
		return;
	}
	strbuf_addstr(out, "file://");
	add_uri_path(out, url);
}

static void sarif_run_meta(struct json *run, const struct scan_sarif_meta *meta)
{
	struct strbuf sb = STRBUF_INIT, root = STRBUF_INIT;
	struct json *vcp, *base;

	if (!meta)
		return;
	base = json_add(json_add(run, "originalUriBaseIds", json_new_object()),
			SARIF_ROOT, json_new_object());
	if (meta->root) {
		normalize_abs(&root, meta->root);
		if (root.len > 1)
			strbuf_addch(&root, '/');
		strbuf_addstr(&sb, "file://");
		add_uri_path(&sb, root.buf);
		json_add_string(base, "uri", sb.buf);
	} else {
		/* a bare repository: paths are the tree's, no directory */
		json_add_string(json_add(base, "description",
					 json_new_object()),
				"text", "The root of the repository's tree.");
	}
	if (meta->remote_url && meta->revision) {
		strbuf_reset(&sb);
		scan_repo_uri(&sb, meta->remote_url);
		vcp = json_push(json_add(run, "versionControlProvenance",
					 json_new_array()),
				json_new_object());
		json_add_string(vcp, "repositoryUri", sb.buf);
		json_add_string(vcp, "revisionId", meta->revision);
		json_add_string(json_add(vcp, "mappedTo", json_new_object()),
				"uriBaseId", SARIF_ROOT);
	}
	strbuf_release(&root);
	strbuf_release(&sb);
}

char *scan_report_sarif(const struct scan_report *rep, unsigned flags,
			const struct scan_sarif_meta *meta)
{
	struct json *root = json_new_object();
	struct json *runs, *run, *driver, *rules, *results;
	struct strvec ids = STRVEC_INIT;
	struct strbuf msg = STRBUF_INIT;
	char *s;

	json_add_string(root, "$schema", SARIF_SCHEMA);
	json_add_string(root, "version", "2.1.0");
	runs = json_add(root, "runs", json_new_array());
	run = json_push(runs, json_new_object());
	driver = json_add(json_add(run, "tool", json_new_object()), "driver",
			  json_new_object());
	json_add_string(driver, "name", "slugguard");
	json_add_string(driver, "version", SLUGGUARD_VERSION);
	json_add_string(driver, "semanticVersion", SLUGGUARD_VERSION);
	json_add_string(driver, "informationUri", SARIF_INFO_URI);
	rules = json_add(driver, "rules", json_new_array());
	sarif_run_meta(run, meta);
	results = json_add(run, "results", json_new_array());
	for (size_t i = 0; i < rep->nr; i++) {
		const struct scan_finding *f = &rep->findings[i];
		struct json *res, *loc, *phys, *fps, *props;
		char *secret = shown_secret(f, flags);
		size_t idx = sarif_rule(rules, &ids, f);
		const char *ctx = scan_context_name(f->context);

		res = json_push(results, json_new_object());
		json_add_string(res, "ruleId", f->rule);
		json_add_number(res, "ruleIndex", (double)idx);
		json_add_string(res, "level", "error");
		strbuf_reset(&msg);
		strbuf_addf(&msg, "%s: %s", f->description, secret);
		if (*f->commit)
			strbuf_addf(&msg, " (commit %.12s)", f->commit);
		if (*ctx)
			strbuf_addf(&msg, " [%s]", ctx);
		strbuf_addch(&msg, '.');
		json_add_string(json_add(res, "message", json_new_object()),
				"text", msg.buf);
		loc = json_push(json_add(res, "locations", json_new_array()),
				json_new_object());
		phys = json_add(loc, "physicalLocation", json_new_object());
		sarif_artifact(json_add(phys, "artifactLocation",
					json_new_object()),
			       f->file, meta);
		sarif_region(json_add(phys, "region", json_new_object()), f,
			     secret);
		fps = json_add(res, "partialFingerprints", json_new_object());
		json_add_string(fps, "slugguard/content/v1",
				f->content_fingerprint ?
					f->content_fingerprint :
					f->fingerprint);
		json_add_string(fps, "slugguard/location/v1", f->fingerprint);
		props = json_add(res, "properties", json_new_object());
		if (*f->commit)
			json_add_string(props, "commit", f->commit);
		json_add_string(props, "context", ctx);
		if (*ctx)
			json_push(json_add(props, "tags", json_new_array()),
				  json_new_string(ctx));
		free(secret);
	}
	s = json_print(root, false);
	json_free(root);
	strvec_clear(&ids);
	strbuf_release(&msg);
	return s;
}

int scan_print_sarif(FILE *fp, const struct scan_report *rep, unsigned flags,
		     const struct scan_sarif_meta *meta)
{
	char *s = scan_report_sarif(rep, flags, meta);
	int rc = put(fp, s);

	free(s);
	return rc;
}

/*
 * gitleaks' report: every key it writes, in its order, with its empty
 * values ("" and 0) where we have nothing to say.
 */
static struct json *gitleaks_finding(const struct scan_finding *f,
				     unsigned flags)
{
	struct json *o = json_new_object(), *tags;
	char *secret = shown_secret(f, flags);
	struct strbuf sb = STRBUF_INIT;
	const char *email = NULL, *lt;
	size_t end_line = f->line, end_col = f->column;

	for (const char *p = f->secret; *p; p++) {
		if (*p == '\n') {
			end_line++;
			end_col = 0;
		} else {
			end_col++;
		}
	}
	json_add_string(o, "Description", f->description);
	json_add_number(o, "StartLine", (double)f->line);
	json_add_number(o, "EndLine", (double)end_line);
	json_add_number(o, "StartColumn", (double)f->column);
	/* gitleaks' EndColumn is inclusive: the secret's last byte */
	json_add_number(o, "EndColumn",
			(double)(end_col > f->column || end_line > f->line ?
					 end_col - (end_line == f->line) :
					 f->column));
	json_add_string(o, "Match",
			f->snippet && !(flags & SCAN_PRINT_NO_REDACT) ?
				f->snippet :
				secret);
	json_add_string(o, "Secret", secret);
	json_add_string(o, "File", f->file);
	json_add_string(o, "SymlinkFile", "");
	json_add_string(o, "Commit", f->commit);
	json_add_number(o, "Entropy", f->entropy);
	/* "Name <email>" into gitleaks' Author and Email */
	lt = f->author ? strrchr(f->author, '<') : NULL;
	if (lt) {
		size_t n = (size_t)(lt - f->author);

		while (n && f->author[n - 1] == ' ')
			n--;
		strbuf_add(&sb, f->author, n);
		email = lt + 1;
	}
	json_add_string(o, "Author", lt ? sb.buf : f->author ? f->author : "");
	strbuf_reset(&sb);
	if (email)
		strbuf_add(&sb, email, strcspn(email, ">"));
	json_add_string(o, "Email", sb.buf);
	json_add_string(o, "Date", f->date ? f->date : "");
	json_add_string(o, "Message", "");
	tags = json_add(o, "Tags", json_new_array());
	if (f->context) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "context:%s", scan_context_name(f->context));
		json_push(tags, json_new_string(sb.buf));
	}
	json_add_string(o, "RuleID", f->rule);
	/* gitleaks' own: commit:file:rule:line, or file:rule:line */
	strbuf_reset(&sb);
	if (*f->commit)
		strbuf_addf(&sb, "%s:", f->commit);
	strbuf_addf(&sb, "%s:%s:%zu", f->file, f->rule, f->line);
	json_add_string(o, "Fingerprint", sb.buf);
	strbuf_release(&sb);
	free(secret);
	return o;
}

char *scan_report_gitleaks(const struct scan_report *rep, unsigned flags)
{
	struct json *arr = json_new_array();
	char *s;

	for (size_t i = 0; i < rep->nr; i++)
		json_push(arr, gitleaks_finding(&rep->findings[i], flags));
	s = json_print(arr, true);
	json_free(arr);
	return s;
}

int scan_print_gitleaks(FILE *fp, const struct scan_report *rep, unsigned flags)
{
	char *s = scan_report_gitleaks(rep, flags);
	int rc = put(fp, s);

	free(s);
	return rc;
}

static void add_safe(struct strbuf *sb, const char *s)
{
	strbuf_add_sanitized(sb, s, strlen(s));
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

void scan_report_describe(struct strbuf *sb, const struct scan_report *rep)
{
	const char *sep = "; ";

	if (rep->binary)
		strbuf_addf(sb, "; %zu binary %s scanned by %s printable text",
			    rep->binary, plural(rep->binary, "file", "files"),
			    plural(rep->binary, "its", "their"));
	if (rep->streamed)
		strbuf_addf(sb, "; %zu %s over the size cap scanned in windows",
			    rep->streamed,
			    plural(rep->streamed, "file", "files"));
	if (rep->allowed || rep->skipped) {
		strbuf_addstr(sb, "; skipped ");
		sep = "";
	}
	if (rep->allowed) {
		strbuf_addf(sb, "%zu %s by allowlist.paths", rep->allowed,
			    plural(rep->allowed, "file", "files"));
		sep = ", ";
	}
	if (rep->skipped)
		strbuf_addf(sb, "%s%zu missing or unreadable", sep,
			    rep->skipped);
	if (rep->ignored)
		strbuf_addf(sb,
			    "; %zu %s silenced by ignore files or the "
			    "baseline",
			    rep->ignored,
			    plural(rep->ignored, "finding", "findings"));
}

int scan_print_text(FILE *fp, const struct scan_report *rep, unsigned flags)
{
	bool color = flags & SCAN_PRINT_COLOR;
	const char *bold = color ? TERM_BOLD : "";
	const char *red = color ? TERM_RED : "";
	const char *yellow = color ? TERM_YELLOW : "";
	const char *green = color ? TERM_GREEN : "";
	const char *reset = color ? TERM_RESET : "";
	struct strbuf sb = STRBUF_INIT;
	int rc = 0;

	for (size_t i = 0; i < rep->nr; i++) {
		const struct scan_finding *f = &rep->findings[i];
		char *secret = shown_secret(f, flags);

		strbuf_reset(&sb);
		strbuf_addstr(&sb, bold);
		add_safe(&sb, f->file);
		if (f->binary)
			strbuf_addf(&sb, " (binary) at byte %zu", f->offset);
		else
			strbuf_addf(&sb, ":%zu:%zu", f->line, f->column);
		strbuf_addf(&sb, "%s  %s%s%s  ", reset, red, f->rule, reset);
		add_safe(&sb, f->description);
		if (f->context)
			strbuf_addf(&sb, "  [%s]",
				    scan_context_name(f->context));
		strbuf_addch(&sb, '\n');
		if (*f->commit) {
			strbuf_addf(&sb, "    commit  %s%.8s%s  ", yellow,
				    f->commit, reset);
			add_safe(&sb, f->author ? f->author : "");
			if (f->date)
				strbuf_addf(&sb, "  %s", f->date);
			strbuf_addch(&sb, '\n');
		}
		strbuf_addstr(&sb, "    secret  ");
		add_safe(&sb, secret);
		strbuf_addch(&sb, '\n');
		if (f->remediation && *f->remediation) {
			strbuf_addstr(&sb, "    fix     ");
			add_safe(&sb, f->remediation);
			strbuf_addch(&sb, '\n');
		}
		strbuf_addstr(&sb, "    ignore  ");
		add_safe(&sb, f->content_fingerprint ? f->content_fingerprint :
						       f->fingerprint);
		strbuf_addstr(&sb, "\n\n");
		free(secret);
		if (fwrite(sb.buf, 1, sb.len, fp) != sb.len) {
			rc = error_from_errno("cannot write the report");
			goto out;
		}
	}
	if (flags & SCAN_PRINT_NO_SUMMARY)
		goto out;
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s%s%zu finding%s%s", rep->nr ? bold : "",
		    rep->nr ? red : green, rep->nr, rep->nr == 1 ? "" : "s",
		    reset);
	strbuf_addstr(&sb, " in ");
	if (rep->what) {
		add_safe(&sb, rep->what);
		strbuf_addstr(&sb, ": ");
	}
	strbuf_addf(&sb,
		    "scanned %" PRIu64 " commit%s, %" PRIu64 " blob%s, %" PRIu64
		    " bytes in %.2fs",
		    rep->commits, rep->commits == 1 ? "" : "s", rep->blobs,
		    rep->blobs == 1 ? "" : "s", rep->bytes, rep->seconds);
	scan_report_describe(&sb, rep);
	strbuf_addch(&sb, '\n');
	if (fwrite(sb.buf, 1, sb.len, fp) != sb.len)
		rc = error_from_errno("cannot write the report");
out:
	strbuf_release(&sb);
	return rc;
}
