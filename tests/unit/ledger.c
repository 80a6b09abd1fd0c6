/* SPDX-License-Identifier: MIT */
/* Unit tests for ledger: entries (parse, format), records in a git
 * repository, union of stale writers, state precedence, reconcile. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/heroku.h"
#include "slugguard/ledger.h"

#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>

static char slug_a[] = "0b1c2d3e-aaaa-bbbb-cccc-0123456789ab";
static char slug_b[] = "0b1c2d3e-aaaa-bbbb-cccc-0123456789cd";
static char sum[] = "SHA256:00", env_text[] = "{}";

static void entry(struct ledger_entry *e, char *slug, const char *state)
{
	memset(e, 0, sizeof(*e));
	e->slug_id = slug;
	e->checksum = sum;
	e->envelope = env_text;
	e->state = (char *)(uintptr_t)state;
}

static void test_ledger_entry_parse(void **state)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{\"slug_id\": \"a\", \"state\": \"complete\"}",
		"{\"format\": \"slugguard-ledger/v1\", \"state\": \"complete\"}",
		"{\"format\": \"slugguard-ledger/v1\", \"slug_id\": \"../x\", "
		"\"state\": \"complete\"}",
		"{\"format\": \"slugguard-ledger/v1\", \"slug_id\": \"a\", "
		"\"state\": \"done\"}",
		"{\"format\": \"slugguard-ledger/v1\", \"slug_id\": \"a\", "
		"\"state\": \"complete\", \"version\": -1}",
		"{\"format\": \"slugguard-ledger/v1\", \"slug_id\": \"a\", "
		"\"state\": \"complete\", \"checksum\": 5}",
	};
	static const char good[] =
		"{\"format\": \"slugguard-ledger/v1\", \"slug_id\": \"a-1\", "
		"\"state\": \"pending\", \"version\": 7, \"commit\": null}";
	struct ledger_entry e, again;
	struct strbuf text = STRBUF_INIT;

	(void)state;
	memset(&e, 0, sizeof(e));
	memset(&again, 0, sizeof(again));
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_true(ledger_entry_parse(&e, bad[i], strlen(bad[i]),
					       "t") < 0);
		assert_null(e.slug_id);
		error_clear();
	}
	assert_int_equal(ledger_entry_parse(&e, good, strlen(good), "t"), 0);
	assert_string_equal(e.slug_id, "a-1");
	assert_string_equal(e.state, LEDGER_PENDING);
	assert_int_equal(e.version, 7);
	assert_null(e.commit);
	ledger_entry_format(&text, &e);
	assert_int_equal(ledger_entry_parse(&again, text.buf, text.len, "t"),
			 0);
	assert_string_equal(again.slug_id, "a-1");
	assert_int_equal(again.version, 7);
	ledger_entry_release(&again);
	ledger_entry_release(&e);
	ledger_entry_release(&e);
	strbuf_release(&text);
}

/* A build entry (LEDGER_KIND_BUILD): strict, and it survives a round trip. */
static void test_ledger_build_entry_parse(void **state)
{
#define HEAD_                                                 \
	"{\"format\": \"slugguard-ledger/v1\", \"slug_id\": " \
	"\"build-1-ab-2\", \"state\": \"pending\", "
#define C_ "0123456789abcdef0123456789abcdef01234567"
#define CM_ "\"commit\": \"" C_ "\", "
#define SUM_                             \
	"\"source_checksum\": \"SHA256:" \
	"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\""
	static const char *const bad[] = {
		HEAD_ "\"kind\": \"other\"}",
		HEAD_ CM_ "\"kind\": \"heroku-build\", \"source_size\": 1}",
		HEAD_ CM_ "\"kind\": \"heroku-build\", \"source_checksum\": "
			  "\"SHA256:XYZ\", \"source_size\": 1}",
		HEAD_ CM_ "\"kind\": \"heroku-build\", " SUM_ "}",
		HEAD_ CM_ "\"kind\": \"heroku-build\", " SUM_
			  ", \"source_size\": -4}",
		HEAD_ CM_ "\"kind\": \"heroku-build\", " SUM_
			  ", \"source_size\": 1, \"buildpacks\": [7]}",
		HEAD_ CM_ "\"kind\": \"heroku-build\", " SUM_
			  ", \"source_size\": 1, \"buildpacks\": \"x\"}",
		HEAD_ CM_ "\"kind\": \"heroku-build\", " SUM_
			  ", \"source_size\": 1, \"buildpacks\": [\"\"]}",
		/* no commit, or not a full id */
		HEAD_ "\"kind\": \"heroku-build\", " SUM_
		      ", \"source_size\": 1}",
		HEAD_ "\"kind\": \"heroku-build\", " SUM_
		      ", \"source_size\": 1, \"commit\": \"c0ffee\"}",
	};
	static const char good[] = HEAD_
		"\"kind\": \"heroku-build\", " SUM_
		", \"source_size\": 4096, \"commit\": \"" C_ "\", "
		"\"buildpacks\": [\"heroku/ruby\", \"https://x/pgvector.git\"]}";
#undef HEAD_
#undef SUM_
#undef C_
#undef CM_
	struct ledger_entry e, again, copy;
	struct strbuf text = STRBUF_INIT, many = STRBUF_INIT;

	(void)state;
	memset(&e, 0, sizeof(e));
	memset(&again, 0, sizeof(again));
	memset(&copy, 0, sizeof(copy));
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_true(ledger_entry_parse(&e, bad[i], strlen(bad[i]),
					       "t") < 0);
		assert_null(e.kind);
		error_clear();
	}
	/* More buildpacks than any app has: refused, not truncated. */
	strbuf_addstr(&many, "{\"format\": \"slugguard-ledger/v1\", "
			     "\"slug_id\": \"build-1\", \"state\": "
			     "\"pending\", \"kind\": \"heroku-build\", "
			     "\"commit\": \"0123456789abcdef0123456789abcdef"
			     "01234567\", "
			     "\"source_size\": 1, \"source_checksum\": "
			     "\"SHA256:");
	for (int i = 0; i < 64; i++)
		strbuf_addch(&many, 'a');
	strbuf_addstr(&many, "\", \"buildpacks\": [\"x\"");
	for (int i = 0; i < 40; i++)
		strbuf_addstr(&many, ", \"x\"");
	strbuf_addstr(&many, "]}");
	assert_true(ledger_entry_parse(&e, many.buf, many.len, "t") < 0);
	error_clear();

	assert_int_equal(ledger_entry_parse(&e, good, strlen(good), "t"), 0);
	assert_string_equal(e.kind, LEDGER_KIND_BUILD);
	assert_int_equal(e.source_size, 4096);
	assert_int_equal(e.buildpacks.nr, 2);
	assert_string_equal(e.buildpacks.v[1], "https://x/pgvector.git");
	ledger_entry_format(&text, &e);
	assert_int_equal(ledger_entry_parse(&again, text.buf, text.len, "t"),
			 0);
	assert_string_equal(again.source_checksum, e.source_checksum);
	assert_int_equal(again.buildpacks.nr, 2);
	ledger_entry_copy(&copy, &again);
	assert_string_equal(copy.buildpacks.v[0], "heroku/ruby");
	assert_string_equal(copy.commit,
			    "0123456789abcdef0123456789abcdef01234567");
	ledger_entry_release(&copy);
	ledger_entry_release(&again);
	ledger_entry_release(&e);
	strbuf_release(&many);
	strbuf_release(&text);
}

static void test_ledger_record_union_and_precedence(void **state)
{
	char tmpl[] = "/tmp/sg-ledger-XXXXXX";
	struct strbuf dir = STRBUF_INIT;
	struct ledger one = LEDGER_INIT, two = LEDGER_INIT, again = LEDGER_INIT;
	struct ledger_entry e;
	struct heroku_release rel;
	char id[] = "r-1", ok[] = "succeeded";
	const struct ledger_entry *f;

	(void)state;
	unsetenv("SLUGGUARD_LEDGER_REMOTE");
	assert_int_equal(fs_mkdtemp(tmpl), 0);
	strbuf_addf(&dir, "%s/ledger.git", tmpl);
	assert_int_equal(ledger_load(&one, dir.buf, "app1"), 0);
	assert_int_equal(one.nr, 0);
	assert_true(ledger_load(&again, dir.buf, "../etc") < 0);
	error_clear();
	/* two writers, each with a stale view: both entries land */
	assert_int_equal(ledger_load(&two, dir.buf, "app1"), 0);
	entry(&e, slug_a, LEDGER_PENDING);
	assert_int_equal(ledger_record(&one, &e), 0);
	entry(&e, slug_b, LEDGER_COMPLETE);
	e.version = 3;
	assert_int_equal(ledger_record(&two, &e), 0);
	e.slug_id = sum;
	assert_true(ledger_record(&two, &e) < 0);
	error_clear();
	assert_int_equal(ledger_load(&again, dir.buf, "app1"), 0);
	assert_int_equal(again.nr, 2);
	assert_non_null(ledger_find_slug(&again, slug_b));
	assert_null(ledger_find_slug(&again, "nope"));
	/* a pending write never replaces a complete entry */
	entry(&e, slug_b, LEDGER_PENDING);
	assert_int_equal(ledger_record(&one, &e), 0);
	assert_int_equal(ledger_load(&again, dir.buf, "app1"), 0);
	f = ledger_find_slug(&again, slug_b);
	assert_non_null(f);
	assert_string_equal(f->state, LEDGER_COMPLETE);
	assert_int_equal(f->version, 3);
	/* the pending one is completed from the live releases */
	memset(&rel, 0, sizeof(rel));
	rel.id = id;
	rel.version = 9;
	rel.status = ok;
	rel.slug_id = slug_a;
	assert_int_equal(ledger_reconcile(&again, &rel, 1), 1);
	assert_int_equal(ledger_reconcile(&again, &rel, 1), 0);
	assert_int_equal(ledger_load(&two, dir.buf, "app1"), 0);
	f = ledger_find_slug(&two, slug_a);
	assert_non_null(f);
	assert_string_equal(f->state, LEDGER_COMPLETE);
	assert_int_equal(f->version, 9);
	assert_string_equal(f->release_id, "r-1");
	ledger_release(&again);
	ledger_release(&two);
	ledger_release(&one);
	ledger_release(&one);
	fs_remove_tree(tmpl);
	strbuf_release(&dir);
}

static void test_ledger_key_name(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	ledger_key_name(&sb, "SHA256:ab/c+d");
	assert_string_equal(sb.buf, "ab_c-d");
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ledger_entry_parse),
		cmocka_unit_test(test_ledger_build_entry_parse),
		cmocka_unit_test(test_ledger_record_union_and_precedence),
		cmocka_unit_test(test_ledger_key_name),
	};

	return cmocka_run_group_tests_name("ledger", tests, NULL, NULL);
}
