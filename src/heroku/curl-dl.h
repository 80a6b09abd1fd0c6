/* SPDX-License-Identifier: MIT */
/*
 * libcurl, loaded on first use. libcurl and the ~30 libraries it pulls in
 * cost every process start-up as much as the rest of slugguard together,
 * and only the Heroku commands need them: the git hooks, which run on
 * every push, must not pay for them. So src/heroku/ (curl's only user)
 * dlopen()s it when the first client is made, and the curl calls below go
 * through a table. Include this instead of <curl/curl.h>.
 */
#ifndef SLUGGUARD_HEROKU_CURL_DL_H
#define SLUGGUARD_HEROKU_CURL_DL_H

/* The type-checking macros would wrap our table entries; skip them. */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

struct heroku_curl_api {
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
	CURLcode (*easy_perform)(CURL *curl);
	CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
	void (*easy_reset)(CURL *curl);
	void (*easy_cleanup)(CURL *curl);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
};

extern struct heroku_curl_api heroku_curl;

/*
 * dlopen libcurl (once) and fill heroku_curl. Returns 0 or ERR_FAIL
 * naming the library and dlerror()'s reason.
 */
int heroku_curl_load(void);

#define curl_global_init heroku_curl.global_init
#define curl_global_cleanup heroku_curl.global_cleanup
#define curl_easy_init heroku_curl.easy_init
/* curl.h defines these two as same-name macros to count arguments. */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_easy_setopt heroku_curl.easy_setopt
#define curl_easy_perform heroku_curl.easy_perform
#define curl_easy_getinfo heroku_curl.easy_getinfo
#define curl_easy_reset heroku_curl.easy_reset
#define curl_easy_cleanup heroku_curl.easy_cleanup
#define curl_easy_strerror heroku_curl.easy_strerror
#define curl_slist_append heroku_curl.slist_append
#define curl_slist_free_all heroku_curl.slist_free_all

#endif
