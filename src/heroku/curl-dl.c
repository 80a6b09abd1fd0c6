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
	{ "curl_getdate", &heroku_curl.getdate },
	{ "curl_version_info", &heroku_curl.version_info },
};

int heroku_curl_load(void)
{
	return dl_load(&handle, HEROKU_CURL_SONAME, syms, ARRAY_SIZE(syms));
}

static void refused(struct heroku_setopts *o, const char *name, CURLcode cc)
{
	const curl_version_info_data *v =
		heroku_curl.version_info(CURLVERSION_NOW);

	o->rc = error_set(
		"heroku: libcurl refused %s: %s (libcurl %s too old?)", name,
		heroku_curl.easy_strerror(cc),
		v && v->version ? v->version : "?");
}

/* The option's kind is its number's range: CURLOPTTYPE_* base + n. */
static void check_kind(CURLoption opt, long lo, long hi, const char *name)
{
	if ((long)opt < lo || (long)opt >= hi)
		BUG("%s set with the wrong type", name);
}

/*
 * The setters differ only in the value's type and the option kind's
 * range, so one macro writes them all.
 */
#define OPT_SETTER(fn_name, type, kind, next_kind)                     \
	void fn_name(struct heroku_setopts *o, CURLoption opt, type v, \
		     const char *name)                                 \
	{                                                              \
		CURLcode cc;                                           \
                                                                       \
		check_kind(opt, kind, next_kind, name);                \
		if (o->rc < 0)                                         \
			return;                                        \
		cc = heroku_curl.easy_setopt(o->c, opt, v);            \
		if (cc != CURLE_OK)                                    \
			refused(o, name, cc);                          \
	}

OPT_SETTER(heroku_opt_long, long, CURLOPTTYPE_LONG, CURLOPTTYPE_OBJECTPOINT)
OPT_SETTER(heroku_opt_ptr, const void *, CURLOPTTYPE_OBJECTPOINT,
	   CURLOPTTYPE_FUNCTIONPOINT)
OPT_SETTER(heroku_opt_write_fn, curl_write_callback, CURLOPTTYPE_FUNCTIONPOINT,
	   CURLOPTTYPE_OFF_T)
OPT_SETTER(heroku_opt_read_fn, curl_read_callback, CURLOPTTYPE_FUNCTIONPOINT,
	   CURLOPTTYPE_OFF_T)
OPT_SETTER(heroku_opt_seek_fn, curl_seek_callback, CURLOPTTYPE_FUNCTIONPOINT,
	   CURLOPTTYPE_OFF_T)
OPT_SETTER(heroku_opt_off, curl_off_t, CURLOPTTYPE_OFF_T, CURLOPTTYPE_BLOB)

long long heroku_curl_getdate(const char *s)
{
	time_t t = heroku_curl.getdate(s, NULL);

	return t == (time_t)-1 ? -1 : (long long)t;
}
