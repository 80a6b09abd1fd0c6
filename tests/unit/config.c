/* SPDX-License-Identifier: MIT */
/* Unit tests for config: the .gitleaks.toml parser and its mapping. */
#include "slugguard/common.h"
#include "slugguard/config.h"
#include "slugguard/error.h"
#include "slugguard/scan.h"
#include "slugguard/strbuf.h"

#include <setjmp.h>
#include <cmocka.h>

static int parse(struct config_scan *c, const char *text)
{
	return config_gitleaks_parse(c, text, strlen(text), "g.toml");
}

static void test_config_gitleaks_allowlists(void **state)
{
	static const char text[] = "# a comment\n"
				   "title = \"x\" # trailing comment\n"
				   "\n"
				   "[extend]\n"
				   "useDefault = true\n"
				   "disabledRules = [ \"generic-api-key\" ]\n"
				   "\n"
				   "[allowlist]\n"
				   "description = \"global\"\n"
				   "paths = [\n"
				   "  '''(^|/)vendor/''',\n"
				   "  \"\\\\.lock$\", # comment inside\n"
				   "]\n"
				   "regexes = ['''^EXAMPLE''']\n"
				   "stopwords = [\"dummy\", 'sample']\n"
				   "commits = [\"ABCDEF1234567\"]\n"
				   "\n"
				   "[[allowlists]]\n"
				   "regexTarget = \"line\"\n"
				   "regexes = ['''fixture''']\n"
				   "\n"
				   "[[allowlists]]\n"
				   "regexes = ['test-\\d+']\n"
				   "regexTarget = 'match'\n"
				   "condition = \"OR\"\n";
	struct config_scan c = CONFIG_SCAN_INIT;

	(void)state;
	assert_int_equal(parse(&c, text), 0);
	assert_int_equal(c.rules.disabled_nr, 1);
	assert_string_equal(c.rules.disabled[0], "generic-api-key");
	assert_int_equal(c.rules.allow_paths_nr, 2);
	assert_string_equal(c.rules.allow_paths[0], "(^|/)vendor/");
	assert_string_equal(c.rules.allow_paths[1], "\\.lock$");
	assert_int_equal(c.rules.allow_regexes_nr, 1);
	assert_string_equal(c.rules.allow_regexes[0], "^EXAMPLE");
	assert_int_equal(c.rules.stopwords_nr, 2);
	assert_string_equal(c.rules.stopwords[1], "sample");
	assert_int_equal(c.allow_commits.nr, 1);
	assert_string_equal(c.allow_commits.v[0], "abcdef1234567");
	assert_int_equal(c.rules.allow_line_regexes_nr, 1);
	assert_string_equal(c.rules.allow_line_regexes[0], "fixture");
	assert_int_equal(c.rules.allow_match_regexes_nr, 1);
	assert_string_equal(c.rules.allow_match_regexes[0], "test-\\d+");
	assert_int_equal(c.rules.extra_nr, 0);
	config_scan_release(&c);
}

static void test_config_gitleaks_rules(void **state)
{
	static const char text[] =
		"[[rules]]\n"
		"id = \"acme-key\"\n"
		"description = \"Acme key\"\n"
		"regex = '''(?i)acme[_-]?key\\s*=\\s*['\"]?([a-z0-9]{32})'''\n"
		"secretGroup = 1\n"
		"entropy = 3.5\n"
		"keywords = [\"ACME\", \"acme_key\"]\n"
		"tags = [\"key\"]\n"
		"\n"
		"[[rules]]\n"
		"id = \"pem-file\"\n"
		"path = '''\\.pem$'''\n"
		"\n"
		"[[rules]]\n"
		"id = \"multi\"\n"
		"regex = \"\"\"\n"
		"x\\\n"
		"   y\"\"\"\n"
		"entropy = 2\n";
	struct config_scan c = CONFIG_SCAN_INIT;
	const struct rule *r;

	(void)state;
	assert_int_equal(parse(&c, text), 0);
	assert_int_equal(c.rules.extra_nr, 3);
	r = &c.rules.extra[0];
	assert_string_equal(r->id, "acme-key");
	assert_string_equal(r->description, "Acme key");
	assert_string_equal(r->regex,
			    "(?i)acme[_-]?key\\s*=\\s*['\"]?([a-z0-9]{32})");
	assert_int_equal(r->secret_group, 1);
	assert_true(r->entropy == 3.5);
	assert_string_equal(r->keywords, "acme,acme_key");
	assert_int_equal(r->flags, 0);
	r = &c.rules.extra[1];
	assert_null(r->regex);
	assert_string_equal(r->path, "\\.pem$");
	assert_int_equal(r->flags, RULE_PATH_CONTENT);
	assert_string_equal(r->description, "pem-file");
	r = &c.rules.extra[2];
	assert_string_equal(r->regex, "xy"); /* line-ending backslash */
	assert_true(r->entropy == 2);
	config_scan_release(&c);
}

static void test_config_gitleaks_strings(void **state)
{
	static const struct {
		const char *toml, *want;
	} cases[] = {
		{ "'a\\b'", "a\\b" },
		{ "\"a\\\\b\\t\\\"\"", "a\\b\t\"" },
		{ "\"\\u00e9\\U0001F600\"", "\xc3\xa9\xf0\x9f\x98\x80" },
		{ "'''\nline1\nline2'''", "line1\nline2" },
		{ "'''two''quotes'''''", "two''quotes''" },
		{ "\"\"\"\r\na\"b\"\"\"", "a\"b" },
		{ "\"\"\"a \\\n\n   b\"\"\"", "a b" },
		{ "''", "" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct config_scan c = CONFIG_SCAN_INIT;
		struct strbuf text = STRBUF_INIT;

		strbuf_addf(&text, "[allowlist]\nstopwords = [%s, \"x\"]\n",
			    cases[i].toml);
		if (parse(&c, text.buf) < 0)
			fail_msg("%s: %s", cases[i].toml, error_last());
		/* empty stopwords are dropped */
		if (*cases[i].want) {
			assert_int_equal(c.rules.stopwords_nr, 2);
			assert_string_equal(c.rules.stopwords[0],
					    cases[i].want);
		} else {
			assert_int_equal(c.rules.stopwords_nr, 1);
		}
		config_scan_release(&c);
		strbuf_release(&text);
	}
}

static void test_config_gitleaks_errors(void **state)
{
	static const struct {
		const char *toml, *want;
	} cases[] = {
		{ "[allowlist]\npaths = {a = 1}\n",
		  "g.toml:2: unsupported TOML (inline tables)" },
		{ "x.y = 1\n", "g.toml:1: unsupported TOML (dotted keys)" },
		{ "title = 1979-05-27\n",
		  "g.toml:1: unsupported TOML (dates and times" },
		{ "title = 0x10\n", "g.toml:1: unsupported TOML (hexadecimal" },
		{ "title = inf\n", "g.toml:1: unsupported TOML (inf and nan)" },
		{ "[allowlist]\npaths = [[\"a\"]]\n",
		  "g.toml:2: unsupported TOML (arrays of arrays)" },
		{ "[allowlist]\npaths = [1, 2]\n",
		  "g.toml:2: unsupported TOML (arrays of non-strings)" },
		{ "\n\n[table]\n", "g.toml:3: unknown table [table]" },
		{ "[[allowlist]]\n", "g.toml:1: unknown table [[allowlist]]" },
		{ "[allowlist]\n[allowlist]\n",
		  "g.toml:2: table [allowlist] defined twice" },
		{ "[[rules]]\nid = \"a\"\nregex = \"b\"\n[rules.allowlist]\n",
		  "g.toml:4: unsupported: [rules.allowlist] (per-rule tables)" },
		{ "[[rules]]\nid = \"a\"\nregex = \"b\"\n"
		  "[[rules.allowlists]]\n",
		  "g.toml:4: unsupported: [[rules.allowlists]]" },
		{ "[allowlist]\npath = [\"a\"]\n",
		  "g.toml:2: unknown key 'path' in [allowlist]" },
		{ "[allowlist]\npaths = [\"a\"]\npaths = [\"b\"]\n",
		  "g.toml:3: duplicate key \"paths\"" },
		{ "[allowlist]\nregexes = [\"(a\"]\n",
		  "g.toml:2: regexes: regex '(a': invalid regex" },
		{ "[allowlist]\nregexes = [\"a\\.b\"]\n",
		  "g.toml:2: invalid escape '\\.' in a string" },
		{ "[allowlist]\nregexTarget = \"all\"\n",
		  "g.toml:2: regexTarget must be" },
		{ "[allowlist]\ncondition = \"AND\"\n",
		  "g.toml:2: unsupported: condition = \"AND\"" },
		{ "[allowlist]\ntargetRules = [\"a\"]\n",
		  "g.toml:2: unsupported: targetRules" },
		{ "[allowlist]\ncommits = [\"xyz\"]\n",
		  "g.toml:2: commits: 'xyz' is not a commit id" },
		{ "[extend]\npath = \"base.toml\"\n",
		  "g.toml:2: unsupported: [extend] path" },
		{ "[[rules]]\nid = \"a\"\n\n[[rules]]\n",
		  "g.toml:1: rule 'a' has neither regex nor path" },
		{ "[[rules]]\nregex = \"a\"\n",
		  "g.toml:1: [[rules]] without an id" },
		{ "[[rules]]\nid = \"A b\"\n",
		  "g.toml:2: id 'A b' must be lowercase" },
		{ "[[rules]]\nid = \"a\"\nsecretGroup = 16\n",
		  "g.toml:3: secretGroup must be an integer from 0 to 15" },
		{ "[[rules]]\nid = \"a\"\nentropy = \"3\"\n",
		  "g.toml:3: 'entropy' must be a number" },
		{ "[[rules]]\nid = \"a\"\nentropy = 9.5\n",
		  "g.toml:3: entropy must be a number from 0 to 8" },
		{ "[[rules]]\nid = \"a\"\nallowlist = 1\n",
		  "g.toml:3: unsupported: per-rule allowlists" },
		{ "[[rules]]\nid = \"a\"\nkeywords = [\"a,b\"]\n",
		  "g.toml:3: keywords[0] must be a non-empty string" },
		{ "[allowlist]\nstopwords = [\"a\"\n", "g.toml:3: unterminated "
						       "array" },
		{ "[allowlist]\nstopwords = [\"a\" \"b\"]\n",
		  "g.toml:2: expected ',' or ']' in an array" },
		{ "title = \"abc\n", "g.toml:1: unterminated string" },
		{ "title = '''abc\n\n", "g.toml:3: unterminated string" },
		{ "title = \"a\" b\n",
		  "g.toml:1: expected the end of the line" },
		{ "title = \n", "g.toml:1: missing value" },
		{ "title\n", "g.toml:1: expected '=' after the key" },
		{ "= 1\n", "g.toml:1: invalid key" },
		{ "title = \"\\u0000\"\n", "g.toml:1: invalid \\u escape" },
		{ "title = \"\\uD800\"\n", "g.toml:1: invalid \\u escape" },
		{ "title = \"a\x01\"\n",
		  "g.toml:1: control character in a string" },
		{ "title = 'a'\r\nx = 1\r\n", "g.toml:2: unknown key 'x'" },
		{ "title = \"a\"\rx\n",
		  "g.toml:1: expected the end of the line" },
		{ "title = 012\n", "g.toml:1: invalid number (leading zero)" },
		{ "title = truex\n", "g.toml:1: invalid value" },
		{ "title = 1\n", "g.toml:1: 'title' must be a string" },
		{ "title = '''''''''\n", "g.toml:1: too many quotes" },
		{ "[allowlist\n", "g.toml:1: expected ']' after a table name" },
		{ "[ ]\n", "g.toml:1: invalid key" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct config_scan c = CONFIG_SCAN_INIT;
		int rc = parse(&c, cases[i].toml);

		if (rc != ERR_FAIL || !starts_with(error_last(), cases[i].want))
			fail_msg("case %zu: got %d '%s', want '%s'", i, rc,
				 rc ? error_last() : "", cases[i].want);
		config_scan_release(&c);
		error_clear();
	}
}

/* A NUL, a huge file and a nasty multi-line string stay bounded. */
static void test_config_gitleaks_bounds(void **state)
{
	struct config_scan c = CONFIG_SCAN_INIT;
	struct strbuf big = STRBUF_INIT;
	static const char nul[] = "title = 'a'\n\ntitle2 = '\0'\n";

	(void)state;
	assert_int_equal(config_gitleaks_parse(&c, nul, sizeof(nul) - 1,
					       "g.toml"),
			 ERR_FAIL);
	assert_string_equal(error_last(), "g.toml:3: NUL byte");
	strbuf_addstr(&big, "[allowlist]\nstopwords = [\n");
	while (big.len < 1024 * 1024)
		strbuf_addstr(&big, "'word',\n");
	strbuf_addstr(&big, "]\n");
	assert_int_equal(parse(&c, big.buf), ERR_FAIL);
	assert_non_null(strstr(error_last(), "is larger than"));
	config_scan_release(&c);
	strbuf_reset(&big);
	strbuf_addstr(&big, "[allowlist]\nstopwords = [\n");
	for (size_t i = 0; i < 20000; i++)
		strbuf_addstr(&big, "'w',");
	strbuf_addstr(&big, "]\n");
	assert_int_equal(parse(&c, big.buf), 0);
	assert_int_equal(c.rules.stopwords_nr, 20000);
	config_scan_release(&c);
	strbuf_release(&big);
	error_clear();
}

/* The two files of a tree add up: .slugguard.json, then .gitleaks.toml. */
static void test_config_gitleaks_with_json(void **state)
{
	static const char json[] =
		"{\"rules\": [{\"id\": \"j\", \"regex\": \"jj\"}],"
		" \"allowlist\": {\"paths\": [\"^a$\"]}}";
	static const char toml[] = "[[rules]]\nid = 't'\nregex = 'tt'\n"
				   "[allowlist]\npaths = ['^b$']\n";
	struct config_scan c = CONFIG_SCAN_INIT;

	(void)state;
	assert_int_equal(config_scan_parse(&c, json, strlen(json), "j.json"),
			 0);
	assert_int_equal(parse(&c, toml), 0);
	assert_int_equal(c.rules.extra_nr, 2);
	assert_string_equal(c.rules.extra[0].id, "j");
	assert_string_equal(c.rules.extra[1].id, "t");
	assert_int_equal(c.rules.allow_paths_nr, 2);
	assert_string_equal(c.rules.allow_paths[1], "^b$");
	config_scan_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_gitleaks_allowlists),
		cmocka_unit_test(test_config_gitleaks_rules),
		cmocka_unit_test(test_config_gitleaks_strings),
		cmocka_unit_test(test_config_gitleaks_errors),
		cmocka_unit_test(test_config_gitleaks_bounds),
		cmocka_unit_test(test_config_gitleaks_with_json),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
