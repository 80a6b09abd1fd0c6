/* SPDX-License-Identifier: MIT */
/* Loading Hyperscan on first use: see hs-dl.h for why. */
#include "slugguard/common.h"
#include "slugguard/dl.h"
#include "rules/hs-dl.h"

#include <pthread.h>

/* The soname of Debian's libhyperscan5 (and of Vectorscan's libhs). */
#define RULES_HS_SONAME "libhs.so.5"

struct rules_hs_api rules_hs;

static void *handle;
/* Scans run on worker threads, and any of them may be the first. */
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

static const struct dl_sym syms[] = {
	{ "hs_compile_lit_multi", &rules_hs.compile_lit_multi },
	{ "hs_free_compile_error", &rules_hs.free_compile_error },
	{ "hs_free_database", &rules_hs.free_database },
	{ "hs_alloc_scratch", &rules_hs.alloc_scratch },
	{ "hs_free_scratch", &rules_hs.free_scratch },
	{ "hs_scan", &rules_hs.scan },
};

int rules_hs_load(void)
{
	int rc;

	pthread_mutex_lock(&load_lock);
	rc = dl_load(&handle, RULES_HS_SONAME, syms, ARRAY_SIZE(syms));
	pthread_mutex_unlock(&load_lock);
	return rc;
}
