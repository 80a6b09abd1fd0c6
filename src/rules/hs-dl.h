/* SPDX-License-Identifier: MIT */
/*
 * Hyperscan, loaded on first use. The matcher turns to Hyperscan only
 * after the first few MB of a scan (see HS_THRESHOLD in matcher.h), so the
 * git hooks' small scans never call it; yet linking it loaded libhs,
 * libstdc++ and libgcc_s into every process start. So src/rules/
 * (Hyperscan's only user) dlopen()s it when the first big scan starts,
 * and the hs_* calls below go through a table, as src/heroku does for
 * libcurl. Include this instead of <hs/hs.h>.
 */
#ifndef SLUGGUARD_RULES_HS_DL_H
#define SLUGGUARD_RULES_HS_DL_H

#include <hs/hs.h>

struct rules_hs_api {
	hs_error_t (*compile_lit_multi)(const char *const *expressions,
					const unsigned *flags,
					const unsigned *ids, const size_t *lens,
					unsigned elements, unsigned mode,
					const hs_platform_info_t *platform,
					hs_database_t **db,
					hs_compile_error_t **error);
	hs_error_t (*free_compile_error)(hs_compile_error_t *error);
	hs_error_t (*free_database)(hs_database_t *db);
	hs_error_t (*alloc_scratch)(const hs_database_t *db,
				    hs_scratch_t **scratch);
	hs_error_t (*free_scratch)(hs_scratch_t *scratch);
	hs_error_t (*scan)(const hs_database_t *db, const char *data,
			   unsigned int length, unsigned int flags,
			   hs_scratch_t *scratch, match_event_handler on_event,
			   void *context);
};

extern struct rules_hs_api rules_hs;

/*
 * dlopen Hyperscan (once; safe from several threads) and fill rules_hs.
 * Returns 0 or ERR_FAIL "cannot load libhs.so.5: <dlerror>".
 */
int rules_hs_load(void);

struct strbuf;
/* Told where the next piece sits: base, its offset in the caller's buffer;
 * matches ending at or before skip_end were reported by the piece before. */
typedef void (*rules_hs_window_fn)(void *ctx, size_t base, size_t skip_end);
/*
 * Everything up to this many bytes past the end of an input may be read
 * by Hyperscan 5.4's AVX-512 VBMI literal engine (fat Teddy), a bug
 * (Vectorscan issue 322) that crashes when the input ends right before
 * an unmapped page: found by the mask_stream fuzzer, reproduced by
 * tests/unit/mask.c test_mask_scan_at_page_end. Compiling the database
 * for a CPU without AVX-512 does not avoid it (the runtime picks its
 * code by this CPU).
 */
#define RULES_HS_OVERREAD 256
/*
 * hs_scan() of buf[0..len) that never lets Hyperscan read past buf + len:
 * pieces of at most chunk bytes overlapping by overlap (the longest
 * pattern minus one) are scanned in place while RULES_HS_OVERREAD bytes
 * of the buffer follow them; the rest, from overlap bytes before, is
 * scanned from a copy in pad followed by zeros. window() is called
 * before each piece. Returns Hyperscan's status (HS_SCAN_TERMINATED when
 * fn stopped it).
 */
hs_error_t rules_hs_scan_buf(const hs_database_t *db, hs_scratch_t *hs,
			     const char *buf, size_t len, size_t chunk,
			     size_t overlap, struct strbuf *pad,
			     match_event_handler fn, rules_hs_window_fn window,
			     void *ctx);

#define hs_compile_lit_multi rules_hs.compile_lit_multi
#define hs_free_compile_error rules_hs.free_compile_error
#define hs_free_database rules_hs.free_database
#define hs_alloc_scratch rules_hs.alloc_scratch
#define hs_free_scratch rules_hs.free_scratch
#define hs_scan rules_hs.scan

#endif
