/* SPDX-License-Identifier: MIT */
/* Unit tests for scan: diff parsing, ignore entries, redaction,
 * fingerprints, report shapes and the .slugguard.json parser. */
#include "slugguard/common.h"
#include "slugguard/config.h"
#include "slugguard/error.h"
#include "slugguard/json.h"
#include "slugguard/rules.h"
#include "slugguard/scan.h"
#include "scan/scan-internal.h"

#include <setjmp.h>
#include <cmocka.h>

static void test_scan_diff_added_lines(void **state)
{
	static const char diff[] = "diff --git a/x.txt b/x.txt\n"
				   "index 1..2 100644\n"
				   "--- a/x.txt\n"
				   "+++ b/x.txt\n"
				   "@@ -1,3 +1,4 @@\n"
				   " keep\n"
				   "-gone\n"
				   "+added one\n"
				   "+++ looks like a header but is content\n"
				   " tail\n"
				   "@@ -20 +21,2 @@ ctx\n"
				   "-x\n"
				   "+late\n"
				   "+later\n"
				   "diff --git a/old b/old\n"
				   "deleted file mode 100644\n"
				   "--- a/old\n"
				   "+++ /dev/null\n"
				   "@@ -1 +0,0 @@\n"
				   "-bye\n"
				   "--- a/\"q z\"\n"
				   "+++ \"b/q z\"\n"
				   "@@ -0,0 +1 @@\n"
				   "+quoted\n";
	struct scan_diff_file *files = NULL;
	size_t nr = 0;

	(void)state;
	assert_true(scan_is_diff(diff, strlen(diff)));
	assert_false(scan_is_diff("just text\n+ plus\n", 17));
	assert_int_equal(scan_diff_parse(&files, &nr, diff, strlen(diff)), 0);
	assert_int_equal(nr, 2);
	assert_string_equal(files[0].path, "x.txt");
	assert_string_equal(files[0].text.buf,
			    "added one\n"
			    "++ looks like a header but is content\n"
			    "late\nlater");
	assert_int_equal(files[0].nr, 4);
	assert_int_equal(files[0].lines[0], 2);
	assert_int_equal(files[0].lines[1], 3);
	assert_int_equal(files[0].lines[2], 21);
	assert_int_equal(files[0].lines[3], 22);
	assert_string_equal(files[1].path, "q z");
	assert_string_equal(files[1].text.buf, "quoted");
	assert_int_equal(files[1].lines[0], 1);
	scan_diff_free(files, nr);
}

static void test_scan_ignore_lines(void **state)
{
	static const char hex[] = "0123456789abcdef0123456789abcdef01234567";
	struct scan_ignore_entry e;
	char line[200];

	(void)state;
	assert_false(scan_ignore_parse_line(&e, "   ", "f"));
	assert_false(scan_ignore_parse_line(&e, "# comment", "f"));
	assert_false(scan_ignore_parse_line(&e, "no-colons", "f"));
	assert_false(scan_ignore_parse_line(&e, "a:rule:notanumber", "f"));

	assert_true(scan_ignore_parse_line(&e, "path/a.txt:rule-x:12", "f"));
	assert_null(e.commit);
	assert_string_equal(e.file, "path/a.txt");
	assert_string_equal(e.rule, "rule-x");
	assert_int_equal(e.line, 12);
	free(e.text);
	free(e.source);
	free(e.file);
	free(e.rule);

	snprintf(line, sizeof(line), "%s:we:ird:path:r:3", hex);
	assert_true(scan_ignore_parse_line(&e, line, "f"));
	assert_string_equal(e.commit, hex);
	assert_string_equal(e.file, "we:ird:path");
	assert_string_equal(e.rule, "r");
	free(e.text);
	free(e.source);
	free(e.commit);
	free(e.file);
	free(e.rule);

	assert_true(scan_ignore_parse_line(&e, " content:r:abcdef \n", "f"));
	assert_string_equal(e.content, "content:r:abcdef");
	free(e.text);
	free(e.source);
	free(e.content);
	/* anything after the hex is refused: it is printed back */
	assert_false(scan_ignore_parse_line(&e, "content:r:abcdef x", "f"));
	assert_false(scan_ignore_parse_line(&e, "content:r:", "f"));
	assert_false(scan_ignore_parse_line(&e, "content::ab", "f"));
}

static void test_scan_ignore_match(void **state)
{
	struct scan_ignore ign = { NULL, 0, 0 };
	struct scan_finding f;
	char secret[] = "abcdefgh12345678";
	char rule[] = "r", file[] = "a.txt", cfp[] = "content:r:00ff";

	(void)state;
	memset(&f, 0, sizeof(f));
	f.rule = rule;
	f.file = file;
	f.line = 4;
	f.secret = secret;
	f.content_fingerprint = cfp;
	ign.v = xcalloc(3, sizeof(*ign.v));
	assert_true(scan_ignore_parse_line(&ign.v[0], "dir:a.txt:r:5", "f"));
	assert_true(scan_ignore_parse_line(&ign.v[1], "content:r:11", "f"));
	ign.nr = 2;
	assert_false(scan_ignore_match(&ign, &f));
	f.line = 5;
	assert_true(scan_ignore_match(&ign, &f));
	assert_true(ign.v[0].used);
	assert_false(ign.v[1].used);
	memcpy(f.commit, "0123456789abcdef0123456789abcdef01234567", 41);
	assert_false(scan_ignore_match(&ign, &f)); /* "dir" != a commit */
	assert_true(scan_ignore_parse_line(&ign.v[2], "content:r:00ff", "f"));
	ign.nr = 3;
	assert_true(scan_ignore_match(&ign, &f));
	/* A baseline entry with a redacted secret needs the same prefix. */
	scan_ignore_release(&ign);
	ign.v = xcalloc(1, sizeof(*ign.v));
	assert_true(scan_ignore_parse_line(&ign.v[0], "a.txt:r:5", "b"));
	ign.v[0].secret = xstrdup("abcd****");
	ign.nr = 1;
	assert_true(scan_ignore_match(&ign, &f));
	secret[0] = 'X';
	assert_false(scan_ignore_match(&ign, &f));
	scan_ignore_release(&ign);
}

static void test_scan_redact_and_fingerprint(void **state)
{
	struct scan_finding f;
	char rule[] = "r", file[] = "x/y.txt";
	char *s;

	(void)state;
	s = scan_redact("sk_test_abcdefgh");
	assert_string_equal(s, "sk_t****");
	free(s);
	s = scan_redact("short");
	assert_string_equal(s, "****");
	free(s);
	memset(&f, 0, sizeof(f));
	f.rule = rule;
	f.file = file;
	f.line = 7;
	s = scan_fingerprint(&f);
	assert_string_equal(s, "dir:x/y.txt:r:7");
	free(s);
	memcpy(f.commit, "0123456789abcdef0123456789abcdef01234567", 41);
	s = scan_fingerprint(&f);
	assert_string_equal(s, "0123456789abcdef0123456789abcdef01234567"
			       ":x/y.txt:r:7");
	free(s);
	assert_ptr_equal(scan_memmem("abcabd", 6, "abd", 3), "abcabd" + 3);
	assert_null(scan_memmem("abcab", 5, "abd", 3));
	assert_null(scan_memmem("ab", 2, "abc", 3));
}

static struct scan_finding *sample(struct scan_report *rep, bool commit)
{
	struct scan_finding *f = scan_report_add(rep);

	f->rule = xstrdup("demo-rule");
	f->description = xstrdup("A \"demo\" rule");
	f->remediation = xstrdup("rotate it");
	f->file = xstrdup("a/b.txt");
	f->line = 3;
	f->column = 9;
	f->secret = xstrdup("abcdefghijkl");
	f->entropy = 3.5;
	if (commit) {
		memcpy(f->commit, "0123456789abcdef0123456789abcdef01234567",
		       41);
		f->author = xstrdup("A <a@example.com>");
		f->date = xstrdup("2023-11-14T22:13:20Z");
	}
	f->fingerprint = scan_fingerprint(f);
	f->content_fingerprint = xstrdup("content:demo-rule:00");
	return f;
}

static void test_scan_json_shape(void **state)
{
	static const char *const keys[] = {
		"rule",	  "description", "file",    "line",
		"column", "commit",	 "author",  "date",
		"secret", "fingerprint", "entropy", "context"
	};
	struct scan_report rep = SCAN_REPORT_INIT;
	struct json *doc = NULL, *f, *m;
	char *s;
	size_t i = 0;

	(void)state;
	sample(&rep, true);
	sample(&rep, false);
	rep.commits = 2;
	rep.blobs = 5;
	rep.bytes = 100;
	s = scan_report_json(&rep, 0);
	assert_int_equal(json_parse(&doc, s, strlen(s), "report"), 0);
	m = json_child(doc);
	assert_string_equal(json_key(m), "version");
	assert_string_equal(json_key(json_next(m)), "findings");
	assert_string_equal(json_key(json_next(json_next(m))), "stats");
	f = json_array_at(json_get(doc, "findings"), 0);
	for (m = json_child(f); m; m = json_next(m))
		assert_string_equal(json_key(m), keys[i++]);
	assert_int_equal(i, ARRAY_SIZE(keys));
	assert_string_equal(json_get_string(f, "secret"), "abcd****");
	assert_string_equal(json_get_string(f, "commit"),
			    "0123456789abcdef0123456789abcdef01234567");
	f = json_array_at(json_get(doc, "findings"), 1);
	assert_true(json_is_null(json_get(f, "commit")));
	assert_true(json_is_null(json_get(f, "date")));
	assert_string_equal(json_get_string(f, "fingerprint"),
			    "dir:a/b.txt:demo-rule:3");
	json_free(doc);
	free(s);
	s = scan_report_json(&rep, SCAN_PRINT_NO_REDACT);
	assert_non_null(strstr(s, "\"secret\":\"abcdefghijkl\""));
	free(s);
	scan_report_release(&rep);
	scan_report_release(&rep);
}

static void test_scan_sarif_shape(void **state)
{
	struct scan_report rep = SCAN_REPORT_INIT;
	struct json *doc = NULL, *run, *res, *rules;
	char *s;

	(void)state;
	sample(&rep, true);
	sample(&rep, false);
	s = scan_report_sarif(&rep, 0, NULL);
	assert_int_equal(json_parse(&doc, s, strlen(s), "sarif"), 0);
	assert_string_equal(json_get_string(doc, "version"), "2.1.0");
	assert_non_null(json_get_string(doc, "$schema"));
	run = json_array_at(json_get(doc, "runs"), 0);
	rules = json_get(json_get(json_get(run, "tool"), "driver"), "rules");
	assert_int_equal(json_array_size(rules), 1); /* deduplicated */
	res = json_array_at(json_get(run, "results"), 1);
	assert_string_equal(json_get_string(res, "ruleId"), "demo-rule");
	assert_non_null(json_get(res, "partialFingerprints"));
	assert_non_null(
		json_get(json_get(json_array_at(json_get(res, "locations"), 0),
				  "physicalLocation"),
			 "region"));
	assert_null(strstr(s, "abcdefghijkl"));
	json_free(doc);
	free(s);
	scan_report_release(&rep);
}

/* Paths and surroundings to labels (docs/scan.md, "Context labels"). */
static void test_scan_context_labels(void **state)
{
	static const struct {
		const char *path, *text;
		unsigned want;
	} cases[] = {
		{ "app/models/user.rb", "key = 'VALUE'", SCAN_CONTEXT_NONE },
		{ "spec/models/user_spec.rb", "key = 'VALUE'",
		  SCAN_CONTEXT_TEST },
		{ "test/x.rb", "key = 'VALUE'", SCAN_CONTEXT_TEST },
		{ "web/__tests__/a.js", "key = 'VALUE'", SCAN_CONTEXT_TEST },
		{ "lib/client_test.py", "key = 'VALUE'", SCAN_CONTEXT_TEST },
		{ "spec/fixtures/files/a.yml", "key: VALUE",
		  SCAN_CONTEXT_FIXTURE },
		{ "spec/cassettes/plaid.yml", "key: VALUE",
		  SCAN_CONTEXT_FIXTURE },
		{ "test/vcr/x.yml", "key: VALUE", SCAN_CONTEXT_FIXTURE },
		{ "records/x.yml",
		  "http_interactions:\n- request:\n    key: VALUE\n"
		  "recorded_with: VCR 6.0\n",
		  SCAN_CONTEXT_FIXTURE },
		{ "docs/setup.txt", "key = VALUE", SCAN_CONTEXT_DOCS },
		{ "README.md", "key = VALUE", SCAN_CONTEXT_DOCS },
		{ "examples/client.rb", "key = VALUE", SCAN_CONTEXT_EXAMPLE },
		{ ".env.example", "KEY=VALUE", SCAN_CONTEXT_EXAMPLE },
		{ "config/app.yml.sample", "key: VALUE", SCAN_CONTEXT_EXAMPLE },
		{ "config/app.yml", "test_password: VALUE", SCAN_CONTEXT_TEST },
		{ "config/app.yml", "sandbox_key: VALUE", SCAN_CONTEXT_TEST },
		{ "config/app.yml", "latest_key: VALUE", SCAN_CONTEXT_NONE },
		{ "config/app.yml", "contest: VALUE", SCAN_CONTEXT_NONE },
		{ "testimonials/x.rb", "key = VALUE", SCAN_CONTEXT_NONE },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *t = cases[i].text;
		const char *v = strstr(t, "VALUE");
		unsigned got = scan_context_of(cases[i].path, t, strlen(t),
					       (size_t)(v - t), 5);

		if (got != cases[i].want)
			fail_msg("%s: '%s', want '%s'", cases[i].path,
				 scan_context_name(got),
				 scan_context_name(cases[i].want));
	}
	assert_string_equal(scan_context_name(SCAN_CONTEXT_FIXTURE), "fixture");
	assert_string_equal(scan_context_name(SCAN_CONTEXT_NONE), "");
}

/* A snippet never shows the secret, nor another secret before it. */
static void test_scan_context_snippet(void **state)
{
	static const char line[] = "a: FIRSTVALUE b: SECONDVALUE\n";
	const char *second = strstr(line, "SECONDVALUE");
	size_t off = (size_t)(second - line);
	char *s;

	(void)state;
	s = scan_context_snippet(line, strlen(line), 0, off, 11, "SECO****");
	assert_string_equal(s, "a: FIRSTVALUE b: SECO****");
	free(s);
	s = scan_context_snippet(line, strlen(line), 13, off, 11, "SECO****");
	assert_string_equal(s, " b: SECO****");
	free(s);
	assert_null(scan_context_snippet(line, 4, 0, off, 11, "x"));
}

static void test_scan_repo_uri(void **state)
{
	static const char *const cases[][2] = {
		{ "https://user:pw@github.com/o/r.git",
		  "https://github.com/o/r.git" },
		{ "https://github.com/o/r.git", "https://github.com/o/r.git" },
		{ "https://github.com/o/a@b.git",
		  "https://github.com/o/a@b.git" },
		{ "git@github.com:o/r.git", "ssh://github.com/o/r.git" },
		{ "ssh://git@host:22/o/r", "ssh://host:22/o/r" },
		{ "/srv/git/r w.git", "file:///srv/git/r%20w.git" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct strbuf sb = STRBUF_INIT;

		scan_repo_uri(&sb, cases[i][0]);
		assert_string_equal(sb.buf, cases[i][1]);
		strbuf_release(&sb);
	}
}

/* --dir /abs/path: URIs relative to SRCROOT, encoded; provenance. */
static void test_scan_sarif_relative(void **state)
{
	struct scan_sarif_meta meta = { "/w/repo", "/w/repo/sub", NULL, NULL };
	struct scan_report rep = SCAN_REPORT_INIT;
	struct scan_finding *f;
	char *s;

	(void)state;
	f = sample(&rep, false);
	free(f->file);
	f->file = xstrdup("/w/repo/dir with space/./x.rb");
	f = sample(&rep, false);
	free(f->file);
	f->file = xstrdup("../lib/y.rb");
	f = sample(&rep, false);
	free(f->file);
	f->file = xstrdup("/elsewhere/z.rb");
	meta.remote_url = "https://u:p@example.com/o/r.git";
	meta.revision = "0123456789abcdef0123456789abcdef01234567";
	s = scan_report_sarif(&rep, 0, &meta);
	assert_non_null(strstr(s, "\"uri\":\"dir%20with%20space/x.rb\","
				  "\"uriBaseId\":\"SRCROOT\""));
	assert_non_null(strstr(s, "\"uri\":\"lib/y.rb\""));
	assert_non_null(strstr(s, "\"uri\":\"file:///elsewhere/z.rb\""));
	assert_non_null(strstr(s, "\"uri\":\"file:///w/repo/\""));
	assert_non_null(strstr(s, "\"repositoryUri\":\"https://example.com/"));
	assert_null(strstr(s, "u:p@"));
	assert_non_null(strstr(s, "\"endColumn\":21"));
	assert_non_null(strstr(s, "\"snippet\":{\"text\":\"abcd****\"}"));
	assert_null(strstr(s, "abcdefghijkl"));
	free(s);
	scan_report_release(&rep);
	/* a one-word id still gets a name unlike it, case aside */
	f = sample(&rep, false);
	free(f->rule);
	f->rule = xstrdup("jwt");
	s = scan_report_sarif(&rep, 0, NULL);
	assert_non_null(strstr(s, "\"id\":\"jwt\",\"name\":\"JwtSecret\""));
	free(s);
	scan_report_release(&rep);
}

static void test_scan_config_parse(void **state)
{
	static const char good[] =
		"{\"rules\":[{\"id\":\"acme\",\"regex\":\"(acme_[0-9]+)\","
		"\"keywords\":[\"ACME_\",\"x\"],\"entropy\":2}],"
		"\"disabledRules\":[\"generic-api-key\"],"
		"\"allowlist\":{\"paths\":[\"^test/\"],\"stopwords\":[\"demo\"]},"
		"\"maxBlobSize\":4096,\"fingerprintSalt\":\"s\"}";
	struct config_scan c = CONFIG_SCAN_INIT;

	(void)state;
	assert_int_equal(config_scan_parse(&c, good, strlen(good), "g.json"),
			 0);
	assert_int_equal(c.rules.extra_nr, 1);
	assert_string_equal(c.rules.extra[0].keywords, "acme_,x");
	assert_string_equal(c.rules.extra[0].description, "acme");
	assert_true(c.rules.extra[0].entropy == 2.0);
	assert_int_equal(c.rules.disabled_nr, 1);
	assert_int_equal(c.rules.allow_paths_nr, 1);
	assert_int_equal(c.rules.stopwords_nr, 1);
	assert_int_equal(c.max_blob_size, 4096);
	assert_string_equal(c.fingerprint_salt, "s");
	config_scan_release(&c);
	config_scan_release(&c);

	assert_true(config_scan_parse(&c, "[]", 2, "b.json") < 0);
	assert_non_null(strstr(error_last(), "'b.json'"));
	assert_true(config_scan_parse(&c, "{\"x\":1}", 7, "b.json") < 0);
	assert_non_null(strstr(error_last(), "unknown member 'x'"));
	assert_true(config_scan_parse(&c, "{\"rules\":[{\"regex\":\"a\"}]}", 25,
				      "b.json") < 0);
	assert_non_null(strstr(error_last(), "missing 'id'"));
	assert_true(config_scan_parse(&c, "{\"maxBlobSize\":1.5}", 19,
				      "b.json") < 0);
	assert_true(config_scan_parse(&c, "{\"allowlist\":{\"path\":[]}}", 25,
				      "b.json") < 0);
	assert_non_null(strstr(error_last(), "unknown member 'path'"));
	error_clear();
}

static void test_scan_printable_runs(void **state)
{
	char buf[] = "ab\0cdefghijk\x01xyz\x02longer\ttext\n";
	char twice[sizeof(buf)];
	const char want[] = "\n\n\ncdefghijk\n\n\n\n\nlonger\ttext\n";

	(void)state;
	scan_printable_runs(buf, sizeof(buf) - 1);
	assert_memory_equal(buf, want, sizeof(want) - 1);
	/* idempotent: blanks join runs that are already long enough */
	memcpy(twice, buf, sizeof(buf));
	scan_printable_runs(twice, sizeof(twice) - 1);
	assert_memory_equal(twice, buf, sizeof(buf));
}

/* A fake token made at run time (no secret-looking literal here). */
static void fake_token(char *out, unsigned seed)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq"
				  "rstuvwxyz0123456789";
	uint32_t x = seed * 2654435761u + 12345u;

	out[0] = 'g';
	out[1] = 'h';
	out[2] = 'p';
	out[3] = '_';
	for (int i = 4; i < 40; i++) {
		x = x * 1103515245u + 12345u;
		out[i] = set[(x >> 16) % (sizeof(set) - 1)];
	}
	out[40] = '\0';
}

struct seen {
	size_t nr, offset, line, column;
};

static int on_seen(const struct rules_match *m, void *data)
{
	struct seen *s = data;

	s->nr++;
	s->offset = m->offset;
	s->line = m->line;
	s->column = m->column;
	return 0;
}

static int scan_all(const struct rules *r, struct rules_scratch *rs,
		    const struct scan_chunking *ck, bool binary,
		    const char *buf, size_t len, struct seen *out)
{
	struct scan_mem_reader m = { buf, len, 0 };
	struct strbuf win = STRBUF_INIT, tmp = STRBUF_INIT;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = scan_chunked(r, rs, "f.txt", ck, binary, scan_read_mem, &m, &win,
			  &tmp, on_seen, out);
	strbuf_release(&win);
	strbuf_release(&tmp);
	return rc;
}

/*
 * A token at every offset around the window boundaries is found exactly
 * once, at the same line, column and offset as in one whole scan.
 */
static void test_scan_chunked_boundaries(void **state)
{
	const struct scan_chunking ck = { 512, 200 };
	struct rules *r = NULL;
	struct rules_scratch *rs = NULL;
	struct strbuf buf = STRBUF_INIT;
	char tok[41];

	(void)state;
	assert_int_equal(rules_compile(&r, NULL), 0);
	assert_int_equal(rules_scratch_new(&rs, r), 0);
	fake_token(tok, 7);
	/* short lines, then one long line (columns across windows) */
	for (size_t k = 0; k < 2 * 632; k++) {
		struct seen whole = { 0, 0, 0, 0 }, part;
		size_t ll = k < 632 ? 37 : 5000;
		size_t at = 512 - 60 + k % 632;

		strbuf_reset(&buf);
		for (size_t i = 0; i < 3000; i++)
			strbuf_addch(&buf, i % ll == ll - 1 ? '\n' : '.');
		buf.buf[at - 1] = ' ';
		memcpy(buf.buf + at, tok, 40);
		buf.buf[at + 40] = ' ';
		assert_int_equal(rules_scan(r, rs, "f.txt", buf.buf, buf.len,
					    on_seen, &whole),
				 0);
		assert_int_equal(scan_all(r, rs, &ck, false, buf.buf, buf.len,
					  &part),
				 0);
		assert_int_equal(whole.nr, 1);
		assert_int_equal(part.nr, 1);
		assert_int_equal(part.offset, at);
		assert_int_equal(part.line, whole.line);
		assert_int_equal(part.column, whole.column);
	}
	strbuf_release(&buf);
	rules_scratch_free(rs);
	rules_free(r);
}

/* Binary: prefixed keys in the text runs, at their offset; rules that
 * need context (a variable name) stay quiet. */
static void test_scan_chunked_binary(void **state)
{
	const struct scan_chunking ck = { 4096, 1024 };
	struct rules *r = NULL;
	struct rules_scratch *rs = NULL;
	struct strbuf buf = STRBUF_INIT;
	struct seen got;
	char tok[41];

	(void)state;
	assert_int_equal(rules_compile(&r, NULL), 0);
	assert_int_equal(rules_scratch_new(&rs, r), 0);
	fake_token(tok, 11);
	strbuf_add(&buf, "\x89PNG\0\0\x01", 8);
	strbuf_addf(&buf, "password = \"Zq8%sWx2\"\n", tok + 20);
	strbuf_add(&buf, "\0\x02", 2);
	strbuf_addstr(&buf, tok);
	strbuf_add(&buf, "\0", 1);
	assert_int_equal(scan_all(r, rs, &ck, true, buf.buf, buf.len, &got), 0);
	assert_int_equal(got.nr, 1);
	assert_int_equal(got.offset, buf.len - 41);
	strbuf_release(&buf);
	rules_scratch_free(rs);
	rules_free(r);
}

static void test_scan_own_mask(void **state)
{
	/* hex digits built at run time: no secret-looking literal here */
	char hash[33], id[41], buf[512];
	char expect[512];
	int n;

	(void)state;
	for (size_t i = 0; i < 32; i++)
		hash[i] = "0123456789abcdef"[(i * 7 + 3) % 16];
	hash[32] = '\0';
	for (size_t i = 0; i < 40; i++)
		id[i] = "0123456789abcdef"[(i * 5 + 1) % 16];
	id[40] = '\0';
	n = snprintf(buf, sizeof(buf),
		     "content:generic-secret:%s\n%s:a/b.rb:rule:3\n"
		     "{\"commit\": \"%s\"}\nkeep %s here\n",
		     hash, id, id, id);
	assert_true(n > 0 && (size_t)n < sizeof(buf));
	scan_own_mask(buf, (size_t)n);
	snprintf(expect, sizeof(expect),
		 "content:generic-secret:%32s\n%40s:a/b.rb:rule:3\n"
		 "{\"commit\": \"%40s\"}\nkeep %s here\n",
		 "", "", "", id);
	assert_string_equal(buf, expect);
	assert_true(scan_own_file("sub/.slugguardignore"));
	assert_true(scan_own_file(".slugguard-baseline.json"));
	assert_true(scan_own_file("slugguard.json"));
	assert_false(scan_own_file("config/slugguard.json.rb"));
}

static void test_scan_baseline_roundtrip(void **state)
{
	struct scan_report rep = SCAN_REPORT_INIT;
	struct strvec fps = STRVEC_INIT, files = STRVEC_INIT;
	const char *names[] = { "b.rb", "a.rb", "b.rb" };
	char *text;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct scan_finding *f = scan_report_add(&rep);

		f->rule = xstrdup("r");
		f->file = xstrdup(names[i]);
		f->secret = xstrdup("not-in-the-file");
		f->content_fingerprint =
			xstrdup(i == 1 ? "content:r:1" : "content:r:2");
	}
	text = scan_baseline_json(&rep);
	assert_null(strstr(text, "not-in-the-file"));
	assert_int_equal(
		scan_baseline_parse(&fps, &files, text, strlen(text), "t"), 0);
	/* b.rb's two findings of one secret are one entry; sorted by file */
	assert_int_equal(fps.nr, 2);
	assert_string_equal(files.v[0], "a.rb");
	assert_string_equal(fps.v[1], "content:r:2");
	assert_true(scan_baseline_parse(&fps, NULL, "[]", 2, "t") < 0);
	error_clear();
	free(text);
	strvec_clear(&fps);
	strvec_clear(&files);
	scan_report_release(&rep);
}

/*
 * What the region scan relies on: cut out of a blob its changed spans
 * (an empty span cuts too), and every piece left is found whole in the
 * base, so a secret wholly inside one is not new.
 */
static void check_spans(const char *buf, size_t len, const char *base,
			size_t base_len, const struct rules_span *v, size_t nr)
{
	size_t at = 0;

	for (size_t i = 0; i <= nr; i++) {
		size_t end = i < nr ? v[i].from : len;

		if (i < nr) {
			assert_true(v[i].from <= v[i].to);
			assert_true(v[i].to <= len);
			assert_true(!i || v[i].from > v[i - 1].to);
		}
		assert_true(at <= end);
		if (end > at)
			assert_non_null(scan_memmem(base, base_len, buf + at,
						    end - at));
		if (i < nr)
			at = v[i].to;
	}
}

static uint32_t spans_rng = 7;

static uint32_t spans_next(void)
{
	spans_rng = spans_rng * 1103515245u + 12345u;
	return spans_rng >> 8;
}

/* A text of n lines from a small vocabulary (repeated lines included). */
static void spans_text(struct strbuf *sb, size_t n)
{
	static const char *const words[] = { "}",	    "",
					     "\treturn 0;", "int x = 1;",
					     "# comment",   "key = value" };

	strbuf_reset(sb);
	for (size_t i = 0; i < n; i++) {
		uint32_t r = spans_next();

		if (r % 3)
			strbuf_addstr(sb, words[r % ARRAY_SIZE(words)]);
		else
			strbuf_addf(sb, "line %u of %zu", r % 1000, i);
		strbuf_addch(sb, '\n');
	}
}

/*
 * scan_changed_spans(): one span per separate change (insertion,
 * deletion as an empty span, changed line), shared lines outside; and
 * over random edits of random texts, what lies outside the spans is
 * always in the base.
 */
static void test_scan_changed_spans(void **state)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, t = STRBUF_INIT;
	struct rules_span *v = NULL;
	size_t nr;

	(void)state;
	/* 200 shared lines, then one line changed near each end */
	for (int i = 0; i < 200; i++)
		strbuf_addf(&b, "shared line %d\n", i);
	strbuf_addbuf(&a, &b);
	a.buf[strlen("shared line 1") - 1] = 'X';
	a.buf[a.len - 3] = 'Y';
	nr = scan_changed_spans(&v, a.buf, a.len, b.buf, b.len);
	assert_int_equal(nr, 2);
	assert_int_equal(v[0].from, 0);
	assert_int_equal(v[0].to, strlen("shared line 0\n"));
	assert_true(v[1].to - v[1].from < 20);
	check_spans(a.buf, a.len, b.buf, b.len, v, nr);
	free(v);
	/* a line inserted in the middle, one deleted further on */
	strbuf_reset(&a);
	for (int i = 0; i < 200; i++) {
		if (i == 50)
			strbuf_addstr(&a, "inserted\n");
		if (i != 150)
			strbuf_addf(&a, "shared line %d\n", i);
	}
	nr = scan_changed_spans(&v, a.buf, a.len, b.buf, b.len);
	assert_int_equal(nr, 2);
	assert_memory_equal(a.buf + v[0].from, "inserted\n", 9);
	assert_int_equal(v[0].to - v[0].from, 9);
	/* the deletion at line 151, or on the '\n' before it (the common
	 * suffix takes it: line 149 ends like line 150) */
	assert_int_equal(v[1].from, v[1].to);
	assert_true(!memcmp(a.buf + v[1].from, "shared line 151\n", 16) ||
		    !memcmp(a.buf + v[1].from, "\nshared line 151\n", 17));
	check_spans(a.buf, a.len, b.buf, b.len, v, nr);
	free(v);
	/* nothing in common, and one side empty */
	nr = scan_changed_spans(&v, "abc\n", 4, "xyz\n", 4);
	assert_int_equal(nr, 1);
	assert_int_equal(v[0].from, 0);
	assert_int_equal(v[0].to, 3); /* the '\n' is shared */
	free(v);
	nr = scan_changed_spans(&v, "", 0, "xyz\n", 4);
	assert_int_equal(nr, 1);
	assert_int_equal(v[0].from, 0);
	assert_int_equal(v[0].to, 0);
	free(v);
	/* a rewrite (every line changed): the lookahead's budget runs out
	 * and one span covers the middle, at a cost bounded by its size */
	strbuf_reset(&a);
	for (int i = 0; i < 20000; i++)
		strbuf_addf(&a, "rewritten %d\n", i);
	nr = scan_changed_spans(&v, a.buf, a.len, b.buf, b.len);
	assert_int_equal(nr, 1);
	assert_int_equal(v[0].from, 0);
	check_spans(a.buf, a.len, b.buf, b.len, v, nr);
	free(v);
	/* random edits: the pieces outside the spans are the base's */
	for (int trial = 0; trial < 3000; trial++) {
		size_t edits = 1 + spans_next() % 8;

		spans_text(&b, spans_next() % 300);
		strbuf_reset(&a);
		strbuf_addbuf(&a, &b);
		for (size_t e = 0; e < edits; e++) {
			size_t at = a.len ? spans_next() % a.len : 0;
			size_t cut = a.len - at ? spans_next() % (a.len - at) :
						  0;

			cut = cut > 200 ? cut % 200 : cut;
			spans_text(&t, spans_next() % 4);
			{
				struct strbuf n = STRBUF_INIT;

				strbuf_add(&n, a.buf, at);
				strbuf_add(&n, t.buf,
					   spans_next() % 2 ? t.len :
							      t.len / 2);
				strbuf_add(&n, a.buf + at + cut,
					   a.len - at - cut);
				strbuf_reset(&a);
				strbuf_addbuf(&a, &n);
				strbuf_release(&n);
			}
		}
		nr = scan_changed_spans(&v, a.buf, a.len, b.buf, b.len);
		check_spans(a.buf, a.len, b.buf, b.len, v, nr);
		free(v);
	}
	strbuf_release(&a);
	strbuf_release(&b);
	strbuf_release(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_diff_added_lines),
		cmocka_unit_test(test_scan_ignore_lines),
		cmocka_unit_test(test_scan_ignore_match),
		cmocka_unit_test(test_scan_redact_and_fingerprint),
		cmocka_unit_test(test_scan_json_shape),
		cmocka_unit_test(test_scan_sarif_shape),
		cmocka_unit_test(test_scan_context_labels),
		cmocka_unit_test(test_scan_context_snippet),
		cmocka_unit_test(test_scan_repo_uri),
		cmocka_unit_test(test_scan_sarif_relative),
		cmocka_unit_test(test_scan_config_parse),
		cmocka_unit_test(test_scan_printable_runs),
		cmocka_unit_test(test_scan_chunked_boundaries),
		cmocka_unit_test(test_scan_chunked_binary),
		cmocka_unit_test(test_scan_own_mask),
		cmocka_unit_test(test_scan_baseline_roundtrip),
		cmocka_unit_test(test_scan_changed_spans),
	};

	return cmocka_run_group_tests_name("scan", tests, NULL, NULL);
}
