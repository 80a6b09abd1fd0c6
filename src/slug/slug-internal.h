/* SPDX-License-Identifier: MIT */
/* Private to src/slug/: the parallel gzip writer behind slug_pack(). */
#ifndef SLUGGUARD_SLUG_INTERNAL_H
#define SLUGGUARD_SLUG_INTERNAL_H

#include "slugguard/slug.h"

struct pgz;

/*
 * Start a gzip stream on fd with deflate level and threads workers. Once
 * more than limit bytes (0 = no limit) would be written, writing stops and
 * pgz_over_limit() turns true. Free with pgz_free() in every case.
 */
int pgz_open(struct pgz **out, int fd, int level, unsigned threads,
	     uint64_t limit);
int pgz_write(struct pgz *g, const void *buf, size_t len);
/* Flush the last block and the trailer. */
int pgz_finish(struct pgz *g);
bool pgz_over_limit(const struct pgz *g);
uint64_t pgz_out_bytes(const struct pgz *g);
uint64_t pgz_in_bytes(const struct pgz *g);
void pgz_free(struct pgz *g);

struct slug_opts;
struct slug_stats;
/* slug_pack() with another top directory than "./app/" (pack.c). */
int slug_pack_prefixed(struct slug_stats *out, const struct slug_opts *o,
		       const char *prefix);
/*
 * The slug check, file by file (check.c): slug_scan_literals() feeds it
 * what it reads back, slug_pack() what it packs (o->check).
 *   slug_check_new(); per regular file: slug_check_file(path, size),
 *   slug_check_block()..., slug_check_file_end(); slug_check_free().
 * A *.gz file up to SLUG_CHECK_GZ_MAX is also inflated and scanned at
 * its end. slug_check_error() is the finder's negative code, if any.
 */
struct slug_check;
struct rules_literals;
int slug_check_new(struct slug_check **out, const struct rules_literals *l,
		   slug_found_fn fn, void *data);
void slug_check_file(struct slug_check *c, const char *path, uint64_t size);
int slug_check_block(struct slug_check *c, const char *p, size_t n);
int slug_check_file_end(struct slug_check *c);
uint64_t slug_check_bytes(const struct slug_check *c);
int slug_check_error(const struct slug_check *c);
void slug_check_free(struct slug_check *c);

#endif
