/* SPDX-License-Identifier: MIT */
/* Private to src/slug/: the parallel gzip writer behind slug_pack(). */
#ifndef SLUGGUARD_SLUG_INTERNAL_H
#define SLUGGUARD_SLUG_INTERNAL_H

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

#endif
