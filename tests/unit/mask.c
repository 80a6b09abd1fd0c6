/* SPDX-License-Identifier: MIT */
/* Unit tests for mask: config var values and their encoded forms. */
/* MAP_ANONYMOUS is not POSIX. */
#define _DEFAULT_SOURCE
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/mask.h"
#include "slugguard/rules.h"
#include "slugguard/strbuf.h"

#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Values are built at run time so the repository holds no secret-looking
 * literal (slugguard scans its own history). */
static char secret_a[64], secret_b[64], outer[128], pem[512];

static int make_values(void **state)
{
	int n;

	(void)state;
	n = snprintf(secret_a, sizeof(secret_a), "%s%s%d", "sword", "fish-",
		     40961);
	assert_true(n > 0 && (size_t)n < sizeof(secret_a));
	n = snprintf(secret_b, sizeof(secret_b), "%s \"q/%s&<%d>", "horse",
		     "battery", 7);
	assert_true(n > 0 && (size_t)n < sizeof(secret_b));
	n = snprintf(outer, sizeof(outer), "pre-%s-post", secret_a);
	assert_true(n > 0 && (size_t)n < sizeof(outer));
	n = snprintf(pem, sizeof(pem),
		     "-----BEGIN %s KEY-----\n%s\n%s\n-----END %s KEY-----\n",
		     "FAKE", "AAAAbbbbCCCCddddEEEEffff0123", "ggggHHHHiiii4567",
		     "FAKE");
	assert_true(n > 0 && (size_t)n < sizeof(pem));
	return 0;
}

static struct mask_set *new_set(void)
{
	struct mask_var vars[] = {
		{ "SECRET_A", secret_a, strlen(secret_a) },
		{ "SECRET_B", secret_b, strlen(secret_b) },
		{ "OUTER", outer, strlen(outer) },
		{ "PEM_KEY", pem, strlen(pem) },
		{ "SHORT", "abc", 3 },
		{ "RAILS_ENV", "production", 10 },
		{ "MY_PUBLIC", "visible-value", 13 },
		{ "HEROKU_API_KEY", "tiny", 4 },
	};
	const char *pub[] = { "MY_PUBLIC" };
	struct mask_set *set = NULL;

	assert_int_equal(mask_set_new(&set, vars, ARRAY_SIZE(vars), pub, 1), 0);
	return set;
}

static char *masked(const struct mask_set *set, const char *text)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, text);
	assert_int_equal(mask_strbuf(set, &sb), 0);
	return strbuf_detach(&sb, NULL);
}

static void b64(struct strbuf *sb, const char *p, size_t n)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				"abcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)p[i] << 16;

		if (i + 1 < n)
			v |= (unsigned char)p[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)p[i + 2];
		strbuf_addch(sb, t[v >> 18 & 63]);
		strbuf_addch(sb, t[v >> 12 & 63]);
		strbuf_addch(sb, i + 1 < n ? t[v >> 6 & 63] : '=');
		strbuf_addch(sb, i + 2 < n ? t[v & 63] : '=');
	}
}

static void test_mask_whole_and_skipped(void **state)
{
	struct mask_set *set = new_set();
	struct strbuf in = STRBUF_INIT;
	char *out;

	(void)state;
	assert_int_equal(mask_set_secret_nr(set), 5);
	assert_true(mask_name_public("PORT", NULL, 0));
	assert_false(mask_name_public("HEROKU_API_KEY", NULL, 0));
	strbuf_addf(&in, "a=%s abc production visible-value tiny end",
		    secret_a);
	out = masked(set, in.buf);
	assert_string_equal(out, "a=[masked SECRET_A] abc production "
				 "visible-value [masked HEROKU_API_KEY] end");
	free(out);
	out = masked(set, "nothing secret here\n");
	assert_string_equal(out, "nothing secret here\n");
	free(out);
	strbuf_release(&in);
	mask_set_free(set);
}

static void test_mask_several_and_nested(void **state)
{
	struct mask_set *set = new_set();
	struct strbuf in = STRBUF_INIT;
	char *out;

	(void)state;
	strbuf_addf(&in, "%s|%s|%s\n", secret_b, outer, secret_a);
	out = masked(set, in.buf);
	assert_string_equal(out, "[masked SECRET_B]|[masked OUTER]|"
				 "[masked SECRET_A]\n");
	free(out);
	strbuf_release(&in);
	mask_set_free(set);
}

static void test_mask_encoded_forms(void **state)
{
	struct mask_set *set = new_set();
	struct strbuf in = STRBUF_INIT;
	char *out;

	(void)state;
	/* JSON: the quote and the slash escaped, plain and HTML-safe */
	strbuf_addstr(&in, "{\"k\":\"horse \\\"q/battery&<7>\"}");
	out = masked(set, in.buf);
	assert_string_equal(out, "{\"k\":\"[masked SECRET_B]\"}");
	free(out);
	strbuf_reset(&in);
	strbuf_addstr(&in, "\"horse \\\"q\\/battery\\u0026\\u003c7\\u003e\"");
	out = masked(set, in.buf);
	assert_string_equal(out, "\"[masked SECRET_B]\"");
	free(out);
	/* URL-encoded, %20 and + for the space */
	strbuf_reset(&in);
	strbuf_addstr(&in, "?a=horse%20%22q%2Fbattery%26%3C7%3E&b=horse+%22q%2"
			   "Fbattery%26%3C7%3E");
	out = masked(set, in.buf);
	assert_string_equal(out, "?a=[masked SECRET_B]&b=[masked SECRET_B]");
	free(out);
	/* base64 at each alignment, with bytes before and after */
	for (size_t a = 0; a < 3; a++) {
		struct strbuf raw = STRBUF_INIT;

		strbuf_reset(&in);
		strbuf_add(&raw, "xyz", a);
		strbuf_addstr(&raw, secret_a);
		strbuf_addstr(&raw, "!?");
		b64(&in, raw.buf, raw.len);
		out = masked(set, in.buf);
		assert_non_null(strstr(out, "[masked SECRET_A]"));
		assert_true(strlen(out) < in.len);
		free(out);
		strbuf_release(&raw);
	}
	strbuf_release(&in);
	mask_set_free(set);
}

static int collect(const char *buf, size_t len, void *data)
{
	strbuf_add(data, buf, len);
	return 0;
}

static void test_mask_stream_splits(void **state)
{
	struct mask_set *set = new_set();
	struct strbuf in = STRBUF_INIT, want = STRBUF_INIT;

	(void)state;
	strbuf_addf(&in, "start %s mid %s\n%send.", secret_a, outer, pem);
	strbuf_addstr(&want, "start [masked SECRET_A] mid [masked OUTER]\n"
			     "[masked PEM_KEY]end.");
	/* every split point, and byte-by-byte writes */
	for (size_t cut = 0; cut <= in.len; cut++) {
		struct strbuf got = STRBUF_INIT;
		struct mask_stream *ms = NULL;

		assert_int_equal(mask_stream_new(&ms, set, collect, &got), 0);
		assert_int_equal(mask_stream_write(ms, in.buf, cut), 0);
		assert_int_equal(
			mask_stream_write(ms, in.buf + cut, in.len - cut), 0);
		assert_int_equal(mask_stream_close(ms), 0);
		assert_string_equal(got.buf, want.buf);
		mask_stream_free(ms);
		strbuf_release(&got);
	}
	{
		struct strbuf got = STRBUF_INIT;
		struct mask_stream *ms = NULL;

		assert_int_equal(mask_stream_new(&ms, set, collect, &got), 0);
		for (size_t i = 0; i < in.len; i++)
			assert_int_equal(mask_stream_write(ms, in.buf + i, 1),
					 0);
		assert_int_equal(mask_stream_close(ms), 0);
		assert_string_equal(got.buf, want.buf);
		mask_stream_free(ms);
		strbuf_release(&got);
	}
	strbuf_release(&in);
	strbuf_release(&want);
	mask_set_free(set);
}

/* A line ending in a newline goes out at once: nothing waits for close. */
/* A value that overlaps one already whole when a write ends: the stream
 * holds the masked run, so the two still merge into one marker, as in
 * the whole text (else the second one's rest would go out). */
static void test_mask_stream_overlap_across_writes(void **state)
{
	struct mask_var vars[] = {
		{ "FIRST", "abcdefgh12", 10 },
		{ "SECOND", "h12XYZWVUT", 10 },
	};
	const char text[] = "see abcdefgh12XYZWVUT done\n";
	struct strbuf got = STRBUF_INIT;
	struct mask_stream *ms = NULL;
	struct mask_set *set = NULL;

	(void)state;
	assert_int_equal(mask_set_new(&set, vars, 2, NULL, 0), 0);
	assert_int_equal(mask_set_wait(set), 0);
	assert_int_equal(mask_stream_new(&ms, set, collect, &got), 0);
	assert_int_equal(mask_stream_write(ms, text, 16), 0);
	assert_int_equal(mask_stream_write(ms, text + 16, strlen(text) - 16),
			 0);
	assert_int_equal(mask_stream_close(ms), 0);
	assert_string_equal(got.buf, "see [masked FIRST] done\n");
	mask_stream_free(ms);
	strbuf_release(&got);
	mask_set_free(set);
}

static void test_mask_stream_no_lag(void **state)
{
	struct mask_set *set = new_set();
	struct strbuf got = STRBUF_INIT;
	struct mask_stream *ms = NULL;

	(void)state;
	/* once the matcher is ready (before, a stream holds everything) */
	assert_int_equal(mask_set_wait(set), 0);
	assert_int_equal(mask_stream_new(&ms, set, collect, &got), 0);
	assert_int_equal(mask_stream_write(ms, "-----> Compiling\n", 17), 0);
	assert_string_equal(got.buf, "-----> Compiling\n");
	assert_int_equal(mask_stream_close(ms), 0);
	mask_stream_free(ms);
	strbuf_release(&got);
	mask_set_free(set);
}

static int count_hit(size_t id, size_t start, size_t end, void *data)
{
	size_t *seen = data;

	assert_int_equal(end - start, 10);
	seen[id] = seen[id] * 100 + start;
	return 0;
}

static void test_mask_literals_scan(void **state)
{
	const char *lits[] = { "needle-one", "needle-two" };
	const char hay[] = "xxneedle-oneneedle-two needle-one";
	size_t lens[] = { 10, 10 }, seen[2] = { 0, 0 };
	struct rules_literals *l = NULL;
	struct rules_literals_scratch *s = NULL;

	(void)state;
	assert_int_equal(rules_literals_new(&l, lits, lens, 2), 0);
	assert_int_equal(rules_literals_max_len(l), 10);
	assert_int_equal(rules_literals_scratch_new(&s, l), 0);
	assert_int_equal(rules_literals_scan(l, s, hay, strlen(hay), count_hit,
					     seen),
			 0);
	assert_int_equal(seen[0], 2 * 100 + 23);
	assert_int_equal(seen[1], 12);
	rules_literals_scratch_free(s);
	rules_literals_free(l);
	assert_int_equal(rules_literals_new(&l, NULL, NULL, 0), 0);
	assert_int_equal(rules_literals_max_len(l), 0);
	rules_literals_free(l);
}

/*
 * Text that ends right before an unmapped page (what a heap buffer may do):
 * Hyperscan 5.4's AVX-512 VBMI literal engine read past the end of short
 * inputs there (found by the mask_stream fuzzer on an AVX-512 VBMI host;
 * the same bug as Vectorscan issue 322). Every length up to 300, every
 * literal set of the fuzzer's: no read may cross the end.
 */
static int count_any(size_t id, size_t start, size_t end, void *data)
{
	size_t *seen = data;

	assert_true(start < end);
	seen[id]++;
	return 0;
}

static void test_mask_scan_at_page_end(void **state)
{
	long page = sysconf(_SC_PAGESIZE);
	const char *lits[] = { "abcdEFGH1234", "YWJjZEVGR0gxMjM0",
			       "-----BEGIN X-----", "zz99\"/&", "abc" };
	size_t lens[ARRAY_SIZE(lits)], seen[ARRAY_SIZE(lits)];
	struct rules_literals *l = NULL;
	struct rules_literals_scratch *s = NULL;
	char *map;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(lits); i++)
		lens[i] = strlen(lits[i]);
	map = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map + page, (size_t)page, PROT_NONE), 0);
	assert_int_equal(rules_literals_new(&l, lits, lens, ARRAY_SIZE(lits)),
			 0);
	assert_int_equal(rules_literals_scratch_new(&s, l), 0);
	for (size_t n = 1; n <= 300; n++) {
		char *p = map + page - n;

		for (size_t i = 0; i < n; i++)
			p[i] = "abcdEFGH1234-zX"[(i * 7 + n) % 15];
		memset(seen, 0, sizeof(seen));
		assert_int_equal(
			rules_literals_scan(l, s, p, n, count_any, seen), 0);
	}
	rules_literals_scratch_free(s);
	rules_literals_free(l);
	munmap(map, (size_t)page * 2);
}

/* ---- the literal set against a naive search -------------------------- */

struct lit_hits {
	size_t (*h)[3]; /* end, id, start */
	size_t nr, alloc;
	bool ordered; /* ends never decrease */
};

static int collect_hit(size_t id, size_t start, size_t end, void *data)
{
	struct lit_hits *lh = data;

	if (lh->nr && lh->h[lh->nr - 1][0] > end)
		lh->ordered = false;
	ALLOC_GROW(lh->h, lh->nr + 1, lh->alloc);
	lh->h[lh->nr][0] = end;
	lh->h[lh->nr][1] = id;
	lh->h[lh->nr][2] = start;
	lh->nr++;
	return 0;
}

static int cmp_triple(const void *a, const void *b)
{
	const size_t *x = a, *y = b;

	for (int i = 0; i < 3; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

static uint32_t lit_rand(uint32_t *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 17;
	*st ^= *st << 5;
	return *st;
}

/*
 * Short literals go to Hyperscan, long ones (23 bytes and more) to the
 * sampled table: random sets of both over a two- or four-letter
 * alphabet (windows shared by many literals, runs of one letter,
 * occurrences overlapping and at both ends) must give exactly what a
 * naive search gives, in order of end.
 */
static void test_mask_literals_against_naive(void **state)
{
	static const size_t lens_pick[] = { 1,	3,  8,	15, 22, 23,
					    24, 25, 31, 40, 70, 100 };
	uint32_t st = 2463534242u;

	(void)state;
	for (int round = 0; round < 400; round++) {
		char lit_buf[12][100], hay[700];
		const char *lits[12];
		size_t lens[12], nr = 1 + lit_rand(&st) % 12, len;
		unsigned alpha = round % 2 ? 2 : 4;
		struct rules_literals *l = NULL;
		struct rules_literals_scratch *s = NULL;
		struct lit_hits got = { NULL, 0, 0, true };
		struct lit_hits want = { NULL, 0, 0, true };

		for (size_t i = 0; i < nr; i++) {
			lens[i] = lens_pick[lit_rand(&st) % 12];
			for (size_t j = 0; j < lens[i]; j++)
				lit_buf[i][j] =
					(char)('a' + lit_rand(&st) % alpha);
			if (lit_rand(&st) % 4 == 0) /* a run of one letter */
				memset(lit_buf[i], 'a', lens[i]);
			lits[i] = lit_buf[i];
		}
		len = lit_rand(&st) % sizeof(hay);
		for (size_t j = 0; j < len; j++)
			hay[j] = (char)('a' + lit_rand(&st) % alpha);
		for (int k = 0; k < 6 && len; k++) { /* plant some */
			size_t i = lit_rand(&st) % nr, at;

			if (lens[i] > len)
				continue;
			at = k == 0 ? 0 :
			     k == 1 ? len - lens[i] :
				      lit_rand(&st) % (len - lens[i] + 1);
			memcpy(hay + at, lits[i], lens[i]);
		}
		for (size_t e = 1; e <= len; e++)
			for (size_t i = 0; i < nr; i++)
				if (lens[i] <= e && !memcmp(hay + e - lens[i],
							    lits[i], lens[i]))
					collect_hit(i, e - lens[i], e, &want);
		assert_int_equal(rules_literals_new(&l, lits, lens, nr), 0);
		assert_int_equal(rules_literals_scratch_new(&s, l), 0);
		assert_int_equal(rules_literals_scan(l, s, hay, len,
						     collect_hit, &got),
				 0);
		assert_true(got.ordered);
		assert_int_equal(got.nr, want.nr);
		if (got.nr) {
			qsort(got.h, got.nr, sizeof(*got.h), cmp_triple);
			qsort(want.h, want.nr, sizeof(*want.h), cmp_triple);
			assert_memory_equal(got.h, want.h,
					    got.nr * sizeof(*got.h));
		}
		free(got.h);
		free(want.h);
		rules_literals_scratch_free(s);
		rules_literals_free(l);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask_whole_and_skipped),
		cmocka_unit_test(test_mask_several_and_nested),
		cmocka_unit_test(test_mask_encoded_forms),
		cmocka_unit_test(test_mask_stream_splits),
		cmocka_unit_test(test_mask_stream_no_lag),
		cmocka_unit_test(test_mask_stream_overlap_across_writes),
		cmocka_unit_test(test_mask_literals_scan),
		cmocka_unit_test(test_mask_scan_at_page_end),
		cmocka_unit_test(test_mask_literals_against_naive),
	};

	return cmocka_run_group_tests_name("mask", tests, make_values, NULL);
}
