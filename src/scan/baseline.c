/* SPDX-License-Identifier: MIT */
/*
 * The committed baseline (SCAN_BASELINE_FILE): findings accepted when a
 * repository with history adopts slugguard, kept as content fingerprints
 * so that the file reveals no secret, and the masking of slugguard's own
 * files before they are scanned.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/json.h"
#include "scan-internal.h"

int scan_baseline_parse(struct strvec *out, struct strvec *files,
			const char *buf, size_t len, const char *what)
{
	struct json *doc = NULL, *findings;
	int rc;

	rc = json_parse(&doc, buf, len, what);
	if (rc < 0)
		goto out;
	findings = json_get(doc, "findings");
	if (!json_is_array(findings)) {
		rc = error_set("'%s': not a slugguard baseline (no 'findings' "
			       "array)",
			       what);
		goto out;
	}
	for (size_t i = 0; i < json_array_size(findings); i++) {
		const struct json *f = json_array_at(findings, i);
		const char *fp = json_get_string(f, "fingerprint");
		const char *file = json_get_string(f, "file");

		if (!fp || !starts_with(fp, "content:"))
			continue;
		strvec_push(out, fp);
		if (files)
			strvec_push(files, file ? file : "");
	}
out:
	json_free(doc);
	return rc;
}

void scan_ignore_add_accepted(struct scan_ignore *ign, const struct strvec *fps,
			      const char *source)
{
	for (size_t i = 0; i < fps->nr; i++) {
		struct scan_ignore_entry e;

		if (!scan_ignore_parse_line(&e, fps->v[i], source))
			continue;
		e.baseline = true;
		ALLOC_GROW(ign->v, ign->nr + 1, ign->alloc);
		ign->v[ign->nr++] = e;
	}
}

static int cmp_by_file(const void *a, const void *b)
{
	const struct scan_finding *const *x = a, *const *y = b;
	int r = strcmp((*x)->file, (*y)->file);

	if (r)
		return r;
	r = strcmp((*x)->content_fingerprint, (*y)->content_fingerprint);
	if (r)
		return r;
	return strcmp((*x)->commit, (*y)->commit);
}

char *scan_baseline_json(const struct scan_report *rep)
{
	struct strbuf sb = STRBUF_INIT;
	const struct scan_finding **v = NULL;
	size_t n = 0;

	v = xcalloc(rep->nr ? rep->nr : 1, sizeof(*v));
	for (size_t i = 0; i < rep->nr; i++)
		if (rep->findings[i].content_fingerprint)
			v[n++] = &rep->findings[i];
	qsort(v, n, sizeof(*v), cmp_by_file);
	strbuf_addstr(&sb, "{\n  \"version\": 1,\n  \"about\": \"findings "
			   "accepted when slugguard was adopted: content "
			   "fingerprints, no secret; refresh with 'slugguard "
			   "baseline update'\",\n  \"findings\": [");
	for (size_t i = 0, out = 0; i < n; i++) {
		struct json *o;
		char *text;

		/* one entry per secret and file: the same key in one file at
		 * several commits or lines is one thing to accept */
		if (i && !strcmp(v[i]->file, v[i - 1]->file) &&
		    !strcmp(v[i]->content_fingerprint,
			    v[i - 1]->content_fingerprint))
			continue;
		o = json_new_object();
		json_add_string(o, "fingerprint", v[i]->content_fingerprint);
		json_add_string(o, "rule", v[i]->rule);
		json_add_string(o, "file", v[i]->file);
		if (*v[i]->commit)
			json_add_string(o, "commit", v[i]->commit);
		text = json_print(o, false);
		strbuf_addf(&sb, "%s\n    %s", out++ ? "," : "", text);
		free(text);
		json_free(o);
	}
	strbuf_addstr(&sb, n ? "\n  ]\n}\n" : "]\n}\n");
	free(v);
	return strbuf_detach(&sb, NULL);
}

/* ---- slugguard's own files ------------------------------------------ */

static const char *const own_files[] = {
	".slugguardignore", ".gitleaksignore", SCAN_BASELINE_FILE,
	"slugguard.json",   ".slugguard.json",
};

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

bool scan_own_file(const char *path)
{
	const char *b = base_name(path);

	for (size_t i = 0; i < ARRAY_SIZE(own_files); i++)
		if (!strcmp(b, own_files[i]))
			return true;
	return false;
}

static bool is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static size_t hex_run(const char *s, size_t n)
{
	size_t k = 0;

	while (k < n && is_lower_hex(s[k]))
		k++;
	return k;
}

static bool is_rule_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '_' || c == '.';
}

/* Is buf[i] the first character of the value of a JSON "commit" member? */
static bool after_commit_key(const char *buf, size_t i)
{
	size_t j = i;

	if (!j || buf[--j] != '"')
		return false;
	while (j && buf[j - 1] == ' ')
		j--;
	if (!j || buf[--j] != ':')
		return false;
	while (j && buf[j - 1] == ' ')
		j--;
	return j >= 8 && !memcmp(buf + j - 8, "\"commit\"", 8);
}

/*
 * Blank what slugguard itself wrote and what is no secret: the hash of a
 * content fingerprint ("content:<rule>:<32 hex>") and a 40-hex commit id
 * that begins a positional ignore entry or is a baseline's "commit".
 * Anything else on the line (a pasted key, a path) is still scanned, and
 * lengths stay the same so that lines and columns do not move.
 */
void scan_own_mask(char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		size_t k, r;
		bool line_start = !i || buf[i - 1] == '\n';

		if (len - i > 8 && !memcmp(buf + i, "content:", 8)) {
			r = i + 8;
			while (r < len && is_rule_char(buf[r]))
				r++;
			if (r == i + 8 || r >= len || buf[r] != ':')
				continue;
			k = hex_run(buf + r + 1, len - r - 1);
			if (k != 32)
				continue;
			memset(buf + r + 1, ' ', k);
			i = r + k;
			continue;
		}
		k = hex_run(buf + i, len - i);
		if (k == 40 && i + k < len &&
		    ((line_start && buf[i + k] == ':') ||
		     (buf[i + k] == '"' && after_commit_key(buf, i)))) {
			memset(buf + i, ' ', k);
			i += k;
			continue;
		}
		if (k)
			i += k - 1;
	}
}
