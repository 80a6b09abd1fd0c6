/* SPDX-License-Identifier: MIT */
/* Loading libcurl on first use: see curl-dl.h for why. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "curl-dl.h"

#include <dlfcn.h>

/* The soname of Debian's libcurl4-openssl-dev (libcurl 7 and 8 alike). */
#define HEROKU_CURL_SONAME "libcurl.so.4"

struct heroku_curl_api heroku_curl;

static void *handle;

/* dlsym returns void *; ISO C has no cast to function pointers from it,
 * POSIX guarantees the representation, so copy the bytes. */
static int sym(void *slot, const char *name)
{
	void *p = dlsym(handle, name);

	if (!p)
		return error_set("cannot load '%s' from " HEROKU_CURL_SONAME
				 ": %s",
				 name, dlerror());
	memcpy(slot, &p, sizeof(p));
	return 0;
}

int heroku_curl_load(void)
{
	int rc = 0;

	if (handle)
		return 0;
	handle = dlopen(HEROKU_CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!handle)
		return error_set("cannot load " HEROKU_CURL_SONAME
				 " (install libcurl4): %s",
				 dlerror());
	if ((rc = sym(&heroku_curl.global_init, "curl_global_init")) < 0 ||
	    (rc = sym(&heroku_curl.global_cleanup, "curl_global_cleanup")) <
		    0 ||
	    (rc = sym(&heroku_curl.easy_init, "curl_easy_init")) < 0 ||
	    (rc = sym(&heroku_curl.easy_setopt, "curl_easy_setopt")) < 0 ||
	    (rc = sym(&heroku_curl.easy_perform, "curl_easy_perform")) < 0 ||
	    (rc = sym(&heroku_curl.easy_getinfo, "curl_easy_getinfo")) < 0 ||
	    (rc = sym(&heroku_curl.easy_reset, "curl_easy_reset")) < 0 ||
	    (rc = sym(&heroku_curl.easy_cleanup, "curl_easy_cleanup")) < 0 ||
	    (rc = sym(&heroku_curl.easy_strerror, "curl_easy_strerror")) < 0 ||
	    (rc = sym(&heroku_curl.slist_append, "curl_slist_append")) < 0 ||
	    (rc = sym(&heroku_curl.slist_free_all, "curl_slist_free_all")) <
		    0) {
		/* Keep the library: a half-filled table is never used. */
		memset(&heroku_curl, 0, sizeof(heroku_curl));
		return rc;
	}
	return 0;
}
