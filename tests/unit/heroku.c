/* SPDX-License-Identifier: MIT */
/* Unit tests for heroku: the pure parts (netrc, Retry-After, SHA-256,
 * buildpack names, paths, options). The client
 * itself is tested against the HTTPS stand-in in tests/e2e/t400*. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/heroku.h"
#include "heroku/curl-dl.h"
#include "slugguard/json.h"
#include "heroku/heroku-internal.h"

#include <setjmp.h>
#include <cmocka.h>
#include <unistd.h>

static void test_heroku_netrc(void **state)
{
	static const char text[] =
		"machine example.com login a password wrong\n"
		"macdef init\ncd /tmp\n\n"
		"machine api.heroku.com\n  login me@example.com\n"
		"  password right-one\n"
		"machine git.heroku.com login me password other\n";
	static const char dflt[] = "default login x password y\n";
	char *k;

	(void)state;
	k = heroku_netrc_password(text, strlen(text), "api.heroku.com");
	assert_non_null(k);
	assert_string_equal(k, "right-one");
	heroku_wipe(k, strlen(k));
	assert_int_equal(k[0], 0);
	free(k);
	assert_null(heroku_netrc_password(text, strlen(text), "x.example"));
	assert_null(
		heroku_netrc_password(dflt, strlen(dflt), "api.heroku.com"));
	/* Truncated input: no token after "password". */
	assert_null(heroku_netrc_password("machine api.heroku.com password", 31,
					  "api.heroku.com"));
	/* Not NUL-terminated: the length bounds the parse. */
	k = heroku_netrc_password("machine api.heroku.com password abcdef", 36,
				  "api.heroku.com");
	assert_string_equal(k, "abcd");
	free(k);
}

static void test_heroku_retry_after(void **state)
{
	/* 1994-11-06 08:49:37 UTC */
	long long t = 784111777;

	(void)state;
	assert_int_equal(heroku_parse_retry_after("5", t), 5000);
	assert_int_equal(heroku_parse_retry_after(" 0", t), 0);
	assert_int_equal(
		heroku_parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", t),
		10000);
	assert_int_equal(
		heroku_parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", t),
		0);
	assert_int_equal(heroku_parse_retry_after("soon", t), -1);
	assert_int_equal(heroku_parse_retry_after("-3", t), -1);
	assert_int_equal(
		heroku_parse_retry_after("Sun, 06 Foo 1994 08:49:47 GMT", t),
		-1);
	assert_int_equal(
		heroku_parse_retry_after("Sun, 06 Nov 1994 08:49:47 PST", t),
		-1);
	/* The two other HTTP-date forms (RFC 9110 5.6.7), by curl_getdate. */
	assert_int_equal(
		heroku_parse_retry_after("Sunday, 06-Nov-94 08:49:57 GMT", t),
		20000);
	assert_int_equal(
		heroku_parse_retry_after("Sun Nov  6 08:50:07 1994", t), 30000);
	assert_int_equal(
		heroku_parse_retry_after("Mon, 07 Nov 1994 08:49:37 GMT", t),
		86400L * 1000);
}

/*
 * An option libcurl refuses fails the request closed, naming the option
 * and the library's version; later options are then not even tried.
 */
static void test_heroku_setopt_refused(void **state)
{
	struct heroku_setopts o = { NULL, 0 };

	(void)state;
	assert_int_equal(heroku_curl_load(), 0);
	o.c = heroku_curl.easy_init();
	assert_non_null(o.c);
	OPT_PTR(&o, CURLOPT_PROTOCOLS_STR, "https");
	OPT_LONG(&o, CURLOPT_SSL_VERIFYPEER, 1L);
	assert_int_equal(o.rc, 0);
	OPT_PTR(&o, CURLOPT_PROTOCOLS_STR, "no-such-protocol");
	assert_int_equal(o.rc, ERR_FAIL);
	assert_true(starts_with(error_last(), "heroku: libcurl refused "
					      "CURLOPT_PROTOCOLS_STR: "));
	assert_non_null(strstr(error_last(), " too old?)"));
	error_clear();
	OPT_LONG(&o, CURLOPT_SSL_VERIFYHOST, 2L);
	assert_int_equal(o.rc, ERR_FAIL);
	assert_int_equal(error_last_code(), ERR_OK);
	heroku_curl.easy_cleanup(o.c);
}

static void test_heroku_buildpack_names(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	heroku_buildpack_canonical(&sb, "urn:buildpack:heroku/ruby");
	assert_string_equal(sb.buf, "heroku/ruby");
	assert_true(heroku_buildpack_same(
		"heroku/ruby",
		"https://github.com/heroku/heroku-buildpack-ruby"));
	assert_true(heroku_buildpack_same(
		"urn:buildpack:heroku/ruby",
		"https://github.com/heroku/heroku-buildpack-ruby.git"));
	assert_true(heroku_buildpack_same(
		"https://github.com/heroku/heroku-buildpack-pgvector.git",
		"https://github.com/heroku/heroku-buildpack-pgvector"));
	assert_false(heroku_buildpack_same("heroku/ruby", "heroku/nodejs"));
	assert_false(heroku_buildpack_same(
		"heroku/ruby",
		"https://github.com/heroku/heroku-buildpack-pgvector.git"));
	strbuf_release(&sb);
}

static void test_heroku_path_escape(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	heroku_path_escape(&sb, "my-app_1.x");
	assert_string_equal(sb.buf, "my-app_1.x");
	strbuf_reset(&sb);
	heroku_path_escape(&sb, "../a b/?");
	assert_string_equal(sb.buf, "..%2Fa%20b%2F%3F");
	strbuf_release(&sb);
}

static void test_heroku_opts_env(void **state)
{
	struct heroku_opts o = HEROKU_OPTS_INIT;

	(void)state;
	setenv("SLUGGUARD_HTTP_TIMEOUT", "7", 1);
	setenv("SLUGGUARD_HTTP_TRIES", "3", 1);
	setenv("HEROKU_API_URL", "https://127.0.0.1:1", 1);
	assert_int_equal(heroku_opts_from_env(&o), 0);
	assert_int_equal(o.timeout_ms, 7000);
	assert_int_equal(o.tries, 3);
	assert_string_equal(o.base_url, "https://127.0.0.1:1");
	setenv("SLUGGUARD_HTTP_TRIES", "lots", 1);
	assert_true(heroku_opts_from_env(&o) < 0);
	assert_non_null(strstr(error_last(), "SLUGGUARD_HTTP_TRIES"));
	unsetenv("SLUGGUARD_HTTP_TIMEOUT");
	unsetenv("SLUGGUARD_HTTP_TRIES");
	unsetenv("HEROKU_API_URL");
	error_clear();
}

static void test_heroku_client_refuses(void **state)
{
	struct heroku_opts o = HEROKU_OPTS_INIT;
	struct heroku *h = NULL;

	(void)state;
	setenv("HEROKU_API_KEY", "k", 1);
	o.base_url = "http://api.example.com";
	assert_true(heroku_new(&h, &o) < 0);
	assert_null(h);
	o.base_url = "http://127.0.0.1:9";
	assert_int_equal(heroku_new(&h, &o), 0);
	heroku_free(h);
	unsetenv("HEROKU_API_KEY");
	o.netrc = "/nonexistent/netrc";
	assert_int_equal(heroku_new(&h, &o), ERR_AUTH);
	assert_null(strstr(error_last(), "k\n"));
	error_clear();
}

static void test_heroku_app_from_git_url(void **state)
{
	static const char *const good[][2] = {
		{ "https://git.heroku.com/grayledger.git", "grayledger" },
		{ "https://git.heroku.com/gray-ledger-2", "gray-ledger-2" },
		{ "git@heroku.com:grayledger.git", "grayledger" },
		{ "ssh://git@heroku.com/grayledger.git", "grayledger" },
	};
	static const char *const bad[] = {
		"https://github.com/acme/grayledger.git",
		"https://git.heroku.com/.git",
		"https://git.heroku.com/a/b.git",
		"git@heroku.com:Gray.git",
		"",
	};
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		strbuf_reset(&sb);
		assert_int_equal(heroku_app_from_git_url(&sb, good[i][0]), 0);
		assert_string_equal(sb.buf, good[i][1]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		strbuf_reset(&sb);
		assert_int_equal(heroku_app_from_git_url(&sb, bad[i]),
				 ERR_NOTFOUND);
		assert_int_equal(sb.len, 0);
	}
	strbuf_release(&sb);
}

/* Found by tests/fuzz/heroku_api: numbers out of range were converted to
 * long (undefined behaviour); now they are ignored like a missing field. */
static void test_heroku_numbers_out_of_range(void **state)
{
	static const char body[] = "{\"version\": 1e30, \"size\": -1e300, "
				   "\"id\": \"r\"}";
	struct heroku_release rel;
	struct heroku_slug slug;
	struct json *j = NULL;
	long long v = 0;

	(void)state;
	memset(&rel, 0, sizeof(rel));
	memset(&slug, 0, sizeof(slug));
	assert_int_equal(json_parse(&j, body, strlen(body), "body"), 0);
	heroku_release_from_json(&rel, j);
	heroku_slug_from_json(&slug, j);
	assert_int_equal(rel.version, 0);
	assert_string_equal(rel.id, "r");
	assert_true(slug.size == -1);
	assert_false(heroku_json_integer(json_get(j, "version"), &v));
	assert_false(heroku_json_integer(json_get(j, "id"), &v));
	assert_true(heroku_json_integer(json_get(j, "nope"), &v) == false);
	heroku_release_release(&rel);
	heroku_slug_release(&slug);
	json_free(j);
}

/* A build reply: "stack" as a name or an object, buildpacks by url or
 * name, slug and release null until the build is done. */
static void test_heroku_build_from_json(void **state)
{
	static const char pending[] =
		"{\"id\": \"b1\", \"status\": \"pending\", \"slug\": null, "
		"\"release\": null, \"stack\": \"heroku-24\", "
		"\"output_stream_url\": \"https://o/s\", \"source_blob\": "
		"{\"checksum\": \"SHA256:ab\", \"version\": \"c0ffee\"}, "
		"\"buildpacks\": [{\"url\": \"urn:buildpack:heroku/ruby\"}, "
		"{\"name\": \"x/y\"}, {}, 7]}";
	static const char done[] =
		"{\"id\": \"b1\", \"status\": \"succeeded\", "
		"\"slug\": {\"id\": \"s1\"}, \"release\": {\"id\": \"r1\"}, "
		"\"stack\": {\"name\": \"heroku-22\"}, \"buildpacks\": 3}";
	struct heroku_build b = HEROKU_BUILD_INIT;
	struct json *j = NULL;

	(void)state;
	assert_int_equal(json_parse(&j, pending, strlen(pending), "p"), 0);
	heroku_build_from_json(&b, j);
	assert_string_equal(b.id, "b1");
	assert_string_equal(b.status, "pending");
	assert_null(b.slug_id);
	assert_null(b.release_id);
	assert_string_equal(b.stack, "heroku-24");
	assert_string_equal(b.checksum, "SHA256:ab");
	assert_string_equal(b.version, "c0ffee");
	assert_int_equal(b.buildpacks.nr, 2);
	assert_string_equal(b.buildpacks.v[0], "urn:buildpack:heroku/ruby");
	assert_string_equal(b.buildpacks.v[1], "x/y");
	json_free(j);
	assert_int_equal(json_parse(&j, done, strlen(done), "d"), 0);
	heroku_build_from_json(&b, j);
	assert_string_equal(b.slug_id, "s1");
	assert_string_equal(b.release_id, "r1");
	assert_string_equal(b.stack, "heroku-22");
	assert_null(b.checksum);
	assert_int_equal(b.buildpacks.nr, 0);
	heroku_build_release(&b);
	heroku_build_release(&b);
	json_free(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_heroku_netrc),
		cmocka_unit_test(test_heroku_retry_after),
		cmocka_unit_test(test_heroku_setopt_refused),
		cmocka_unit_test(test_heroku_buildpack_names),
		cmocka_unit_test(test_heroku_path_escape),
		cmocka_unit_test(test_heroku_opts_env),
		cmocka_unit_test(test_heroku_client_refuses),
		cmocka_unit_test(test_heroku_app_from_git_url),
		cmocka_unit_test(test_heroku_numbers_out_of_range),
		cmocka_unit_test(test_heroku_build_from_json),
	};

	return cmocka_run_group_tests_name("heroku", tests, NULL, NULL);
}
