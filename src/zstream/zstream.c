/* SPDX-License-Identifier: MIT */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/zstream.h"

#include <libdeflate.h>
#include <limits.h>
#include <zlib.h>

struct zs_deflate {
	z_stream z;
	int level;
};

struct zs_inflate {
	z_stream z; /* zs_inflate_prefix(): a stream that may stop early */
	/*
	 * zs_inflate_exact(): the whole object at once, its size known.
	 * libdeflate does that 2 to 3 times faster than zlib's streaming
	 * inflate, which was a third of a full-history scan's CPU time.
	 */
	struct libdeflate_decompressor *d;
};

/* zlib counts in uInt; larger requests are fed in slices. */
#define ZS_SLICE ((size_t)UINT_MAX & ~(size_t)0xfff)

int zs_deflate_new(struct zs_deflate **out, int level)
{
	struct zs_deflate *d = xcalloc(1, sizeof(*d));
	int zrc;

	*out = NULL;
	d->level = level;
	/* -15: raw deflate, the caller writes the gzip framing. */
	zrc = deflateInit2(&d->z, level, Z_DEFLATED, -15, 8,
			   Z_DEFAULT_STRATEGY);
	if (zrc != Z_OK) {
		free(d);
		return ERR_FAIL;
	}
	*out = d;
	return 0;
}

void zs_deflate_free(struct zs_deflate *d)
{
	if (!d)
		return;
	deflateEnd(&d->z);
	free(d);
}

size_t zs_deflate_bound(struct zs_deflate *d, size_t in_len)
{
	/* Room for the sync-flush marker zlib's bound does not count. */
	return (size_t)deflateBound(&d->z, (uLong)in_len) + 64;
}

int zs_deflate_block(struct zs_deflate *d, const void *dict, size_t dict_len,
		     const void *in, size_t in_len, bool last, void *out,
		     size_t out_cap, size_t *out_len)
{
	int zrc;

	*out_len = 0;
	if (in_len > ZS_SLICE || out_cap > ZS_SLICE)
		return ERR_FAIL;
	zrc = deflateReset(&d->z);
	if (zrc == Z_OK)
		zrc = deflateParams(&d->z, d->level, Z_DEFAULT_STRATEGY);
	if (zrc == Z_OK && dict_len)
		zrc = deflateSetDictionary(&d->z, dict, (uInt)dict_len);
	if (zrc != Z_OK)
		return ERR_FAIL;
	d->z.next_in = (Bytef *)(uintptr_t)in;
	d->z.avail_in = (uInt)in_len;
	d->z.next_out = out;
	d->z.avail_out = (uInt)out_cap;
	zrc = deflate(&d->z, last ? Z_FINISH : Z_SYNC_FLUSH);
	if ((last && zrc != Z_STREAM_END) || (!last && zrc != Z_OK) ||
	    d->z.avail_in)
		return ERR_FAIL;
	*out_len = out_cap - d->z.avail_out;
	return 0;
}

uint32_t zs_crc32(uint32_t crc, const void *p, size_t n)
{
	const unsigned char *s = p;

	while (n) {
		size_t k = n > ZS_SLICE ? ZS_SLICE : n;

		crc = (uint32_t)crc32(crc, s, (uInt)k);
		s += k;
		n -= k;
	}
	return crc;
}

uint32_t zs_crc32_combine(uint32_t a, uint32_t b, uint64_t len_b)
{
	return (uint32_t)crc32_combine(a, b, (z_off_t)len_b);
}

int zs_inflate_new(struct zs_inflate **out)
{
	struct zs_inflate *f = xcalloc(1, sizeof(*f));
	int zrc = inflateInit(&f->z);

	*out = NULL;
	if (zrc != Z_OK) {
		free(f);
		return ERR_FAIL;
	}
	f->d = libdeflate_alloc_decompressor();
	if (!f->d) {
		inflateEnd(&f->z);
		free(f);
		return ERR_FAIL;
	}
	*out = f;
	return 0;
}

void zs_inflate_free(struct zs_inflate *f)
{
	if (!f)
		return;
	libdeflate_free_decompressor(f->d);
	inflateEnd(&f->z);
	free(f);
}

int zs_inflate_exact(struct zs_inflate *f, const void *in, size_t in_len,
		     void *out, size_t out_len, size_t *in_used)
{
	unsigned char dummy;
	size_t used = 0;
	enum libdeflate_result lrc;

	if (in_used)
		*in_used = 0;
	if (out_len > ZS_SLICE)
		return ERR_FAIL;
	/*
	 * No actual_out pointer: anything but exactly out_len bytes is
	 * an error (shorter, longer, damaged, or a bad Adler-32). in may
	 * run past the stream (the rest of a pack): used says where it
	 * ended.
	 */
	lrc = libdeflate_zlib_decompress_ex(
		f->d, in, in_len, out_len ? out : &dummy, out_len, &used, NULL);
	if (lrc != LIBDEFLATE_SUCCESS)
		return ERR_FAIL;
	if (in_used)
		*in_used = used;
	return 0;
}

int zs_inflate_prefix(struct zs_inflate *f, const void *in, size_t in_len,
		      void *out, size_t out_cap, size_t *out_len)
{
	z_stream *z = &f->z;
	int zrc = inflateReset(z);

	*out_len = 0;
	if (zrc != Z_OK)
		return ERR_FAIL;
	z->next_in = (Bytef *)(uintptr_t)in;
	z->avail_in = (uInt)(in_len > ZS_SLICE ? ZS_SLICE : in_len);
	z->next_out = out;
	z->avail_out = (uInt)(out_cap > ZS_SLICE ? ZS_SLICE : out_cap);
	zrc = inflate(z, Z_SYNC_FLUSH);
	if (zrc != Z_OK && zrc != Z_STREAM_END && zrc != Z_BUF_ERROR)
		return ERR_FAIL;
	*out_len = out_cap - z->avail_out;
	return 0;
}
