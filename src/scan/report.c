/* SPDX-License-Identifier: MIT */
/* Findings and their presentations: text, JSON, SARIF 2.1.0. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/json.h"
#include "slugguard/term.h"
#include "scan-internal.h"

#include <inttypes.h>

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

/* Index of rule id in the driver's rule list, adding it when new. */
static size_t sarif_rule(struct json *rules, struct strvec *ids,
			 const struct scan_finding *f)
{
	struct json *r, *sd, *help;

	for (size_t i = 0; i < ids->nr; i++)
		if (!strcmp(ids->v[i], f->rule))
			return i;
	strvec_push(ids, f->rule);
	r = json_push(rules, json_new_object());
	json_add_string(r, "id", f->rule);
	json_add_string(r, "name", f->rule);
	sd = json_add(r, "shortDescription", json_new_object());
	json_add_string(sd, "text", f->description);
	help = json_add(r, "help", json_new_object());
	json_add_string(help, "text",
			*f->remediation ? f->remediation : f->description);
	return ids->nr - 1;
}

char *scan_report_sarif(const struct scan_report *rep, unsigned flags)
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
	json_add_string(driver, "informationUri", SARIF_INFO_URI);
	rules = json_add(driver, "rules", json_new_array());
	results = json_add(run, "results", json_new_array());
	for (size_t i = 0; i < rep->nr; i++) {
		const struct scan_finding *f = &rep->findings[i];
		struct json *res, *loc, *phys, *region, *fps;
		char *secret = shown_secret(f, flags);
		size_t idx = sarif_rule(rules, &ids, f);

		res = json_push(results, json_new_object());
		json_add_string(res, "ruleId", f->rule);
		json_add_number(res, "ruleIndex", (double)idx);
		json_add_string(res, "level", "error");
		strbuf_reset(&msg);
		strbuf_addf(&msg, "%s: %s", f->description, secret);
		if (*f->commit)
			strbuf_addf(&msg, " (commit %.12s)", f->commit);
		json_add_string(json_add(res, "message", json_new_object()),
				"text", msg.buf);
		loc = json_push(json_add(res, "locations", json_new_array()),
				json_new_object());
		phys = json_add(loc, "physicalLocation", json_new_object());
		json_add_string(json_add(phys, "artifactLocation",
					 json_new_object()),
				"uri", f->file);
		region = json_add(phys, "region", json_new_object());
		json_add_number(region, "startLine", (double)f->line);
		json_add_number(region, "startColumn", (double)f->column);
		fps = json_add(res, "partialFingerprints", json_new_object());
		json_add_string(fps, "slugguard/content/v1",
				f->content_fingerprint ?
					f->content_fingerprint :
					f->fingerprint);
		json_add_string(fps, "slugguard/location/v1", f->fingerprint);
		if (*f->commit)
			json_add_string(json_add(res, "properties",
						 json_new_object()),
					"commit", f->commit);
		free(secret);
	}
	s = json_print(root, false);
	json_free(root);
	strvec_clear(&ids);
	strbuf_release(&msg);
	return s;
}

int scan_print_sarif(FILE *fp, const struct scan_report *rep, unsigned flags)
{
	char *s = scan_report_sarif(rep, flags);
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
