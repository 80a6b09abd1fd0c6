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
	time_t (*getdate)(const char *p, const time_t *unused);
	curl_version_info_data *(*version_info)(CURLversion);
};

extern struct heroku_curl_api heroku_curl;

/*
 * dlopen libcurl (once) and fill heroku_curl. Returns 0 or ERR_FAIL
 * naming the library and dlerror()'s reason.
 */
int heroku_curl_load(void);

/*
 * Setting options. curl's type-checking macros cannot wrap a call through
 * our table, so these typed setters stand in for them: the compiler
 * converts the value to the type the option takes (a plain int where
 * libcurl reads a long is the classic varargs bug), and the option's kind
 * (CURLOPTTYPE_*) is checked against the setter (BUG otherwise).
 *
 * Every option is checked: the first one libcurl refuses stores
 * "heroku: libcurl refused <NAME>: <reason> (libcurl X.Y too old?)" and
 * sets o->rc to ERR_FAIL; later calls then do nothing, so a request is
 * built with a run of calls and one check of o->rc at the end. Failing
 * closed matters for the security options (protocols, TLS verification,
 * CA file): an older libcurl that does not know one must not quietly
 * send the request without it.
 */
struct heroku_setopts {
	CURL *c;
	int rc;
};

void heroku_opt_long(struct heroku_setopts *o, CURLoption opt, long v,
		     const char *name);
void heroku_opt_off(struct heroku_setopts *o, CURLoption opt, curl_off_t v,
		    const char *name);
/* Strings, header lists, and the data pointers handed to callbacks. */
void heroku_opt_ptr(struct heroku_setopts *o, CURLoption opt, const void *v,
		    const char *name);
void heroku_opt_write_fn(struct heroku_setopts *o, CURLoption opt,
			 curl_write_callback fn, const char *name);
void heroku_opt_read_fn(struct heroku_setopts *o, CURLoption opt,
			curl_read_callback fn, const char *name);
void heroku_opt_seek_fn(struct heroku_setopts *o, CURLoption opt,
			curl_seek_callback fn, const char *name);

/* The option's name travels with it, for the message. */
#define OPT_LONG(o, opt, v) heroku_opt_long(o, opt, v, #opt)
#define OPT_OFF(o, opt, v) heroku_opt_off(o, opt, v, #opt)
#define OPT_PTR(o, opt, v) heroku_opt_ptr(o, opt, v, #opt)
#define OPT_WRITE_FN(o, opt, fn) heroku_opt_write_fn(o, opt, fn, #opt)
#define OPT_READ_FN(o, opt, fn) heroku_opt_read_fn(o, opt, fn, #opt)
#define OPT_SEEK_FN(o, opt, fn) heroku_opt_seek_fn(o, opt, fn, #opt)

/*
 * An HTTP date (RFC 9110: IMF-fixdate, RFC 850 or asctime) as seconds
 * since the epoch, by curl_getdate(); -1 when it is not one. libcurl
 * must be loaded.
 */
long long heroku_curl_getdate(const char *s);

#define curl_global_init heroku_curl.global_init
#define curl_global_cleanup heroku_curl.global_cleanup
#define curl_easy_init heroku_curl.easy_init
/* curl.h defines these two as same-name macros to count arguments. */
#undef curl_easy_setopt
#undef curl_easy_getinfo
/* Only through the typed setters above. */
#define curl_easy_setopt use_heroku_opt_instead
#define curl_easy_perform heroku_curl.easy_perform
#define curl_easy_getinfo heroku_curl.easy_getinfo
#define curl_easy_reset heroku_curl.easy_reset
#define curl_easy_cleanup heroku_curl.easy_cleanup
#define curl_easy_strerror heroku_curl.easy_strerror
#define curl_slist_append heroku_curl.slist_append
#define curl_slist_free_all heroku_curl.slist_free_all

#endif
