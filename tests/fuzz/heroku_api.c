/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: Platform API responses (src/heroku): slug, release and
 * build bodies, error bodies, and a Retry-After header on the first line.
 */
#include "fuzz.h"
#include "slugguard/heroku.h"
#include "slugguard/json.h"
#include "heroku/heroku-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	struct heroku_resp resp = HEROKU_RESP_INIT;
	struct heroku_slug slug;
	struct heroku_release rel;
	struct heroku_build build = HEROKU_BUILD_INIT;
	struct json *j = NULL;
	char *retry;

	memset(&slug, 0, sizeof(slug));
	memset(&rel, 0, sizeof(rel));
	retry = xstrndup((const char *)data,
			 nl ? (size_t)(nl - (const char *)data) : size);
	heroku_parse_retry_after(retry, 1700000000LL);
	free(retry);
	if (!json_parse(&j, (const char *)data, size, "body")) {
		heroku_slug_from_json(&slug, j);
		heroku_release_from_json(&rel, j);
		heroku_release_from_json(&rel, json_array_at(j, 0));
		heroku_build_from_json(&build, j);
		heroku_build_from_json(&build, json_array_at(j, 0));
	}
	error_clear();
	resp.status = 422;
	strbuf_add(&resp.body, data, size);
	heroku_error_from_resp(&resp, "POST", "/apps/x/releases");
	error_clear();
	heroku_resp_release(&resp);
	heroku_slug_release(&slug);
	heroku_release_release(&rel);
	heroku_build_release(&build);
	json_free(j);
	return 0;
}
