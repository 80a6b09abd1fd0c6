/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: a pack index (src/odb/store.c checks its header and
 * fan-out at odb_open, its ids and offsets in odb_verify). The input is
 * the .idx; the target writes a pack whose header count and trailer agree
 * with it, so that the checks go past the cheap ones, looks up the ids
 * the index lists (reads must stay bounded whatever the entries say),
 * then verifies it.
 */
#include "fuzz.h"
#include "slugguard/odb.h"
#include "odb/odb-internal.h"

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct strbuf dir = STRBUF_INIT, idx = STRBUF_INIT,
			     pack = STRBUF_INIT;
	unsigned char body[12 + 256 + 20];
	uint32_t nr = size >= 8 + 1024 ? be32(data + 8 + 255 * 4) : 0;
	const char *dirs[1];
	struct odb *db = NULL;

	fuzz_pack_paths(&dir, &idx, &pack);
	memset(body, 0, sizeof(body));
	memcpy(body, "PACK\0\0\0\2", 8);
	body[8] = (unsigned char)(nr >> 24);
	body[9] = (unsigned char)(nr >> 16);
	body[10] = (unsigned char)(nr >> 8);
	body[11] = (unsigned char)nr;
	/* Object data: a blob header (size 5) and zlib bytes, repeated. */
	for (size_t i = 12; i + 8 <= 12 + 256; i += 8)
		memcpy(body + i, "\x35\x78\x9c\x01\x05\x00\xfa\xff", 8);
	if (size >= 40)
		memcpy(body + 12 + 256, data + size - 40, 20);
	if (fuzz_write(idx.buf, data, size) < 0 ||
	    fuzz_write(pack.buf, body, sizeof(body)) < 0)
		abort();
	dirs[0] = dir.buf;
	if (odb_open(&db, dirs, 1) < 0) {
		error_clear();
		return 0;
	}
	{
		struct odb_reader *rd = odb_reader_new(db, 1 << 16);

		for (uint32_t i = 0; i < nr && i < 64; i++) {
			const unsigned char *out;
			enum odb_type type;
			size_t len;

			odb_read(rd, data + 8 + 1024 + (size_t)i * 20, 0, &type,
				 &out, &len);
		}
		odb_reader_free(rd);
	}
	/* Both lookups directly: a reader uses the mapping only after
	 * thousands of lookups. */
	for (uint32_t i = 0; i < nr && i < 64 && db->packs_nr; i++) {
		uint64_t off;

		odb_pack_find(&db->packs[0], data + 8 + 1024 + (size_t)i * 20,
			      &off);
		odb_pack_find_pread(&db->packs[0],
				    data + 8 + 1024 + (size_t)i * 20, &off);
	}
	if (odb_verify(db) < 0)
		error_clear();
	odb_free(db);
	return 0;
}
