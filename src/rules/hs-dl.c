/* SPDX-License-Identifier: MIT */
/* Loading Hyperscan on first use: see hs-dl.h for why. */
#include "slugguard/common.h"
#include "slugguard/dl.h"
#include "slugguard/strbuf.h"
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

hs_error_t rules_hs_scan_buf(const hs_database_t *db, hs_scratch_t *hs,
			     const char *buf, size_t len, size_t chunk,
			     size_t overlap, struct strbuf *pad,
			     match_event_handler fn, rules_hs_window_fn window,
			     void *ctx)
{
	size_t safe = len > RULES_HS_OVERREAD ? len - RULES_HS_OVERREAD : 0;
	size_t pos = 0, done = 0, start;
	hs_error_t e;

	if (chunk <= overlap)
		BUG("chunk %zu not longer than the overlap %zu", chunk,
		    overlap);
	while (pos < safe) {
		size_t n = safe - pos > chunk ? chunk : safe - pos;

		window(ctx, pos, done);
		e = hs_scan(db, buf + pos, (unsigned int)n, 0, hs, fn, ctx);
		if (e != HS_SUCCESS)
			return e;
		done = pos + n;
		if (done >= safe)
			break;
		pos = done - overlap;
	}
	/* The last bytes, and what a match ending there may start in. */
	start = done > overlap ? done - overlap : 0;
	if (start >= len)
		return HS_SUCCESS;
	strbuf_reset(pad);
	strbuf_add(pad, buf + start, len - start);
	strbuf_grow(pad, RULES_HS_OVERREAD);
	memset(pad->buf + pad->len, 0, RULES_HS_OVERREAD);
	window(ctx, start, done);
	return hs_scan(db, pad->buf, (unsigned int)(len - start), 0, hs, fn,
		       ctx);
}
