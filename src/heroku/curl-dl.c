/* SPDX-License-Identifier: MIT */
/* Loading libcurl on first use: see curl-dl.h for why. */
#include "slugguard/common.h"
#include "slugguard/dl.h"
#include "slugguard/error.h"
#include "curl-dl.h"

/* The soname of Debian's libcurl4-openssl-dev (libcurl 7 and 8 alike). */
#define HEROKU_CURL_SONAME "libcurl.so.4"

struct heroku_curl_api heroku_curl;

static void *handle;

static const struct dl_sym syms[] = {
	{ "curl_global_init", &heroku_curl.global_init },
	{ "curl_global_cleanup", &heroku_curl.global_cleanup },
	{ "curl_easy_init", &heroku_curl.easy_init },
	{ "curl_easy_setopt", &heroku_curl.easy_setopt },
	{ "curl_easy_perform", &heroku_curl.easy_perform },
	{ "curl_easy_getinfo", &heroku_curl.easy_getinfo },
	{ "curl_easy_reset", &heroku_curl.easy_reset },
	{ "curl_easy_cleanup", &heroku_curl.easy_cleanup },
	{ "curl_easy_strerror", &heroku_curl.easy_strerror },
	{ "curl_slist_append", &heroku_curl.slist_append },
	{ "curl_slist_free_all", &heroku_curl.slist_free_all },
};

int heroku_curl_load(void)
{
	return dl_load(&handle, HEROKU_CURL_SONAME, syms, ARRAY_SIZE(syms));
}
