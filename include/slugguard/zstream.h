/* SPDX-License-Identifier: MIT */
/*
 * zstream: the only user of zlib and libdeflate. Raw-deflate blocks for
 * the parallel gzip writer (slug, zlib) and zlib-wrapped inflate for our
 * own git object reader (odb: libdeflate for a whole object, zlib for a
 * prefix). Both sides keep one stream per thread and reset it per use,
 * so no call allocates after the first.
 *
 * These functions run on worker threads, so they never touch the error
 * slot: they return 0 or ERR_FAIL and the caller names what was damaged.
 */
#ifndef SLUGGUARD_ZSTREAM_H
#define SLUGGUARD_ZSTREAM_H

/* ---- deflate (raw, no header: slug writes the gzip framing) ------------ */

struct zs_deflate;

/* A raw deflate stream at level 0..9. The caller frees *out. */
int zs_deflate_new(struct zs_deflate **out, int level);
void zs_deflate_free(struct zs_deflate *z);
/* Most bytes zs_deflate_block() can produce for in_len input bytes. */
size_t zs_deflate_bound(struct zs_deflate *z, size_t in_len);
/*
 * Compress in[0..in_len) as one independent block primed with dict (the
 * previous up to 32 KiB of the stream; may be empty). The block ends with
 * a sync flush, or finishes the stream when last. out must hold
 * zs_deflate_bound() bytes; *out_len receives the bytes written.
 */
int zs_deflate_block(struct zs_deflate *z, const void *dict, size_t dict_len,
		     const void *in, size_t in_len, bool last, void *out,
		     size_t out_cap, size_t *out_len);
/* CRC-32 (gzip's) of p[0..n) continued from crc (start with 0). */
uint32_t zs_crc32(uint32_t crc, const void *p, size_t n);
/* The CRC of A followed by B, from crc(A), crc(B) and len(B). */
uint32_t zs_crc32_combine(uint32_t a, uint32_t b, uint64_t len_b);

/* ---- inflate (zlib-wrapped, as git stores objects) --------------------- */

struct zs_inflate;

int zs_inflate_new(struct zs_inflate **out);
void zs_inflate_free(struct zs_inflate *z);
/*
 * Inflate the stream at in[0..in_len) into exactly out_len bytes: the
 * stream must end there (git knows every object's size beforehand, and a
 * size that does not match means damage). *in_used (may be NULL)
 * receives the compressed bytes consumed.
 */
int zs_inflate_exact(struct zs_inflate *z, const void *in, size_t in_len,
		     void *out, size_t out_len, size_t *in_used);
/*
 * Inflate at most out_cap bytes from the start of the stream (for
 * reading a loose object's header); *out_len receives how many.
 */
int zs_inflate_prefix(struct zs_inflate *z, const void *in, size_t in_len,
		      void *out, size_t out_cap, size_t *out_len);

#endif
