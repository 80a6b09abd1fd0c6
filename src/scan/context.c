/* SPDX-License-Identifier: MIT */
/* Context labels (test, fixture, docs, example) and redacted snippets. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "scan-internal.h"

#include <ctype.h>
#include <strings.h>

/* Longest line prefix a snippet keeps before the secret. */
#define SNIPPET_PREFIX 60
/* How far before a secret the line is searched for its key name. */
#define KEY_WINDOW 80

static const char *const context_names[SCAN_CONTEXT_NR] = {
	"", "test", "fixture", "docs", "example",
};

const char *scan_context_name(unsigned context)
{
	return context < SCAN_CONTEXT_NR ? context_names[context] : "";
}

int scan_context_parse(unsigned *out, const char *name)
{
	*out = SCAN_CONTEXT_NONE;
	for (unsigned i = 1; i < SCAN_CONTEXT_NR; i++) {
		if (!strcmp(name, context_names[i])) {
			*out = i;
			return 0;
		}
	}
	return ERR_FAIL;
}

/* Does path have a directory component equal to one of dirs? */
static bool has_dir(const char *path, const char *const *dirs)
{
	const char *p = path;

	while (*p) {
		const char *slash = strchr(p, '/');
		size_t n;

		if (!slash)
			return false; /* the base name is no directory */
		n = (size_t)(slash - p);
		for (size_t i = 0; dirs[i]; i++)
			if (strlen(dirs[i]) == n && !strncasecmp(p, dirs[i], n))
				return true;
		p = slash + 1;
	}
	return false;
}

static bool ends_with_any(const char *s, const char *const *suffixes)
{
	for (size_t i = 0; suffixes[i]; i++)
		if (ends_with(s, suffixes[i]))
			return true;
	return false;
}

static bool contains_any(const char *s, const char *const *parts)
{
	for (size_t i = 0; parts[i]; i++)
		if (strstr(s, parts[i]))
			return true;
	return false;
}

/*
 * Labels from the path alone. Most specific first: a fixture under
 * spec/ is a fixture, an example under docs/ an example.
 */
unsigned scan_context_path(const char *path)
{
	static const char *const fixture_dirs[] = {
		"fixtures",	 "fixture",   "cassettes", "vcr",
		"vcr_cassettes", "testdata",  "test_data", "__fixtures__",
		"__snapshots__", "snapshots", NULL,
	};
	static const char *const example_dirs[] = {
		"examples", "example", "samples", "sample", NULL,
	};
	static const char *const example_parts[] = {
		".example", ".sample", ".template", ".dist", NULL,
	};
	static const char *const test_dirs[] = {
		"test",	     "tests",	"spec", "specs",
		"__tests__", "testing", "e2e",	NULL,
	};
	static const char *const test_suffixes[] = {
		"_test.rb",  "_spec.rb",  "_test.py",  "_test.go",  ".test.js",
		".test.ts",  ".spec.js",  ".spec.ts",  ".test.jsx", ".spec.jsx",
		".test.tsx", ".spec.tsx", "Test.java", "_test.exs", NULL,
	};
	static const char *const doc_dirs[] = {
		"docs", "doc", "documentation", "guides", NULL,
	};
	static const char *const doc_suffixes[] = {
		".md", ".markdown", ".rst", ".adoc", ".rdoc", NULL,
	};
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	if (has_dir(path, fixture_dirs))
		return SCAN_CONTEXT_FIXTURE;
	if (has_dir(path, example_dirs) || contains_any(base, example_parts))
		return SCAN_CONTEXT_EXAMPLE;
	if (has_dir(path, test_dirs) || ends_with_any(base, test_suffixes) ||
	    starts_with(base, "test_"))
		return SCAN_CONTEXT_TEST;
	if (has_dir(path, doc_dirs) || ends_with_any(base, doc_suffixes))
		return SCAN_CONTEXT_DOCS;
	return SCAN_CONTEXT_NONE;
}

/* A recorded HTTP interaction (VCR, vcrpy, Polly) whatever its path. */
static bool is_cassette(const char *buf, size_t len)
{
	size_t n = len < 4096 ? len : 4096;

	return (scan_memmem(buf, n, "http_interactions:", 18) &&
		scan_memmem(buf, len, "recorded_with:", 14)) ||
	       (scan_memmem(buf, n, "interactions:", 13) &&
		scan_memmem(buf, n, "request:", 8) &&
		scan_memmem(buf, n, "response:", 9)) ||
	       (scan_memmem(buf, n, "\"log\"", 5) &&
		scan_memmem(buf, n, "\"_recordingName\"", 16));
}

/* Vendor prefixes of keys that only work against a test or sandbox. */
static bool is_test_token(const char *secret, size_t len)
{
	static const char *const prefixes[] = {
		"sk_test_",	   "rk_test_", "pk_test_", "whsec_test_",
		"access-sandbox-", "sandbox",  NULL,
	};

	for (size_t i = 0; prefixes[i]; i++) {
		size_t n = strlen(prefixes[i]);

		if (len >= n && !strncmp(secret, prefixes[i], n))
			return true;
	}
	return false;
}

/* Is word (lowercase) a whole word, '_'/'-'/'.' separated, in s[0..n)? */
static bool has_word(const char *s, size_t n, const char *word)
{
	size_t w = strlen(word);

	for (size_t i = 0; i + w <= n; i++) {
		bool left = !i || !isalnum((unsigned char)s[i - 1]);
		bool right = i + w == n || !isalpha((unsigned char)s[i + w]);

		if (left && right && !strncasecmp(s + i, word, w))
			return true;
	}
	return false;
}

unsigned scan_context_of(const char *path, const char *buf, size_t len,
			 size_t off, size_t slen)
{
	unsigned by_path = path ? scan_context_path(path) : SCAN_CONTEXT_NONE;
	size_t start = off;

	if (!buf || off > len || slen > len - off)
		return by_path;
	if (by_path == SCAN_CONTEXT_FIXTURE || by_path == SCAN_CONTEXT_EXAMPLE)
		return by_path;
	if (is_cassette(buf, len))
		return SCAN_CONTEXT_FIXTURE;
	if (is_test_token(buf + off, slen))
		return by_path ? by_path : SCAN_CONTEXT_TEST;
	/* the key name before the secret: TEST_PASSWORD, sandbox_key */
	while (start > 0 && off - start < KEY_WINDOW && buf[start - 1] != '\n')
		start--;
	if (has_word(buf + start, off - start, "test") ||
	    has_word(buf + start, off - start, "sandbox"))
		return by_path ? by_path : SCAN_CONTEXT_TEST;
	return by_path;
}

char *scan_context_snippet(const char *buf, size_t len, size_t floor,
			   size_t off, size_t slen, const char *redacted)
{
	struct strbuf sb = STRBUF_INIT;
	size_t start = off;

	if (!buf || off > len || slen > len - off)
		return NULL;
	while (start > floor && off - start < SNIPPET_PREFIX &&
	       buf[start - 1] != '\n')
		start--;
	/* only printable ASCII: the snippet goes into JSON and terminals */
	for (size_t i = start; i < off; i++) {
		unsigned char ch = (unsigned char)buf[i];

		if (ch == '\t' || (ch >= 0x20 && ch < 0x7f))
			strbuf_addch(&sb, (char)ch);
		else if (ch != '\r')
			strbuf_addch(&sb, '?');
	}
	strbuf_addstr(&sb, redacted);
	return strbuf_detach(&sb, NULL);
}
