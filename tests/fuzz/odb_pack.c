/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: pack entries and deltas (src/odb/read.c). The input is
 * [k: 1 byte][k big-endian 32-bit offsets][pack body after the 12-byte
 * header]; the target writes the pack and a valid index naming k objects
 * with ids {i, 0, ...} at those offsets, then reads each of them, and
 * the next one while holding it (odb_hold()).
 */
#include "fuzz.h"
#include "slugguard/odb.h"

static void put32(struct strbuf *sb, uint32_t v)
{
	unsigned char b[4] = { (unsigned char)(v >> 24),
			       (unsigned char)(v >> 16),
			       (unsigned char)(v >> 8), (unsigned char)v };

	strbuf_add(sb, b, 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct strbuf dir = STRBUF_INIT, idxp = STRBUF_INIT,
			     packp = STRBUF_INIT;
	static const unsigned char trailer[20];
	struct strbuf idx = STRBUF_INIT, pack = STRBUF_INIT;
	const char *dirs[1];
	struct odb *db = NULL;
	size_t k;

	if (!size)
		return 0;
	k = data[0];
	if (size < 1 + 4 * k)
		return 0;
	fuzz_pack_paths(&dir, &idxp, &packp);
	strbuf_add(&pack, "PACK\0\0\0\2", 8);
	put32(&pack, (uint32_t)k);
	strbuf_add(&pack, data + 1 + 4 * k, size - 1 - 4 * k);
	strbuf_add(&pack, trailer, 20);
	strbuf_add(&idx, "\377tOc\0\0\0\2", 8);
	for (size_t b = 0; b < 256; b++)
		put32(&idx, (uint32_t)(b < k ? b + 1 : k));
	for (size_t i = 0; i < k; i++) {
		unsigned char id[20] = { (unsigned char)i };

		strbuf_add(&idx, id, 20);
	}
	for (size_t i = 0; i < k; i++)
		put32(&idx, 0); /* CRC32s: not checked */
	for (size_t i = 0; i < k; i++)
		strbuf_add(&idx, data + 1 + 4 * i, 4);
	strbuf_add(&idx, trailer, 20);
	strbuf_add(&idx, trailer, 20);
	if (fuzz_write(idxp.buf, idx.buf, idx.len) < 0 ||
	    fuzz_write(packp.buf, pack.buf, pack.len) < 0)
		abort();
	dirs[0] = dir.buf;
	if (odb_open(&db, dirs, 1) < 0) {
		error_clear();
	} else {
		struct odb_reader *rd = odb_reader_new(db, 1 << 16);
		volatile unsigned sum = 0;

		for (size_t i = 0; i < k; i++) {
			unsigned char id[20] = { (unsigned char)i };
			const unsigned char *out, *other;
			enum odb_type type;
			size_t len, olen;

			odb_read(rd, id, 32, &type, &out, &len);
			if (odb_read(rd, id, 0, &type, &out, &len) < 0 || !out)
				continue;
			/* held while the next object is read: ASan sees a
			 * use after free if the cache drops or moves it */
			odb_hold(rd);
			id[0] = (unsigned char)((i + 1) % k);
			odb_read(rd, id, 0, &type, &other, &olen);
			for (size_t j = 0; j < len; j++)
				sum += out[j];
			odb_unhold(rd);
		}
		(void)sum;
		odb_reader_free(rd);
	}
	odb_free(db);
	strbuf_release(&idx);
	strbuf_release(&pack);
	return 0;
}
