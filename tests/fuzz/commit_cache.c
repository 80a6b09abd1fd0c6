/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the commit cache file (src/gitwalk/commit-cache.c). The
 * input is the file, its last four bytes replaced by the right CRC-32 so
 * that the checks behind the CRC are reached. Every id the file lists
 * and one it may not are looked up; the parents returned must lie in
 * the file. One input in 32 also adds 32 commits and saves: the file
 * written must open again and give back what was added.
 */
#include "fuzz.h"
#include "slugguard/zstream.h"
#include "gitwalk/commit-cache.h"

#define RAW 20

/* Looks id up; its parents must lie in the file (read: a fault if not). */
static void touch(const struct ccache *c, const unsigned char *id, size_t size)
{
	volatile unsigned char sink = 0;
	const unsigned char *got;
	int64_t date;
	size_t nr;

	if (!ccache_get(c, id, &date, &got, &nr))
		return;
	if (nr > size / RAW)
		abort();
	for (size_t i = 0; i < nr * RAW; i++)
		sink ^= got[i];
	(void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct strbuf dir = STRBUF_INIT, path = STRBUF_INIT;
	unsigned char *buf, id[RAW] = { 0 }, parents[2 * RAW] = { 1 };
	const unsigned char *got;
	struct ccache *c;
	int64_t date;
	size_t nr;

	if (!dir.len) {
		static char shm[] = "/dev/shm/sg-fuzz-XXXXXX";

		/* in memory where there is /dev/shm: a save fsyncs */
		if (mkdtemp(shm))
			strbuf_addf(&dir, "%s/", shm);
		else
			strbuf_addf(&dir, "%s/", fuzz_tmpdir());
		strbuf_addf(&path, "%sslugguard", dir.buf);
		mkdir(path.buf, 0755);
		strbuf_addstr(&path, "/commits");
	}
	buf = xmalloc(size + 1);
	memcpy(buf, data, size);
	if (size >= 8) {
		uint32_t crc = zs_crc32(0, buf, size - 4);

		for (int i = 0; i < 4; i++)
			buf[size - 4 + i] = (unsigned char)(crc >> (8 * i));
	}
	if (fuzz_write(path.buf, buf, size) < 0)
		abort();
	c = ccache_open(dir.buf);
	for (size_t at = 16; at + RAW <= size; at += 32)
		touch(c, buf + at, size);
	touch(c, id, size);
	if (size && !(data[0] & 31)) {
		for (int i = 0; i < 32; i++) {
			id[0] = (unsigned char)(0x80 | i);
			ccache_add(c, id, i, parents, (size_t)i % 3);
		}
		if (ccache_save(c, false) < 0)
			abort();
		ccache_free(c);
		c = ccache_open(dir.buf);
		/* what was added wins over the old file's entry for an id; all
		 * of it is kept unless the old file was nearly full */
		for (int i = 0; i < 32; i++) {
			bool found;

			id[0] = (unsigned char)(0x80 | i);
			found = ccache_get(c, id, &date, &got, &nr);
			if (found ? date != i || nr != (size_t)i % 3 ||
					    (nr &&
					     memcmp(got, parents, nr * RAW)) :
				    size <= 16 + 32 * (8192 - 32))
				abort();
		}
	}
	ccache_free(c);
	free(buf);
	return 0;
}
