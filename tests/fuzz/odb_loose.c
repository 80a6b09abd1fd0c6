/* SPDX-License-Identifier: MIT */
/* Fuzz target: a loose object file (zlib, "<type> <size>\0" header). */
#include "fuzz.h"
#include "slugguard/odb.h"

#include <sys/stat.h>

static const unsigned char id[ODB_RAWSZ] = { 0x01, 0x23, 0x45, 0x67 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct odb *db;
	static struct odb_reader *rd;
	static struct strbuf file = STRBUF_INIT;
	const unsigned char *out;
	enum odb_type type;
	size_t len;

	if (!db) {
		struct strbuf dir = STRBUF_INIT;
		const char *dirs[1];

		strbuf_addf(&dir, "%s/objects", fuzz_tmpdir());
		dirs[0] = dir.buf;
		if (mkdir(dir.buf, 0755) < 0)
			abort();
		strbuf_addstr(&dir, "/01");
		if (mkdir(dir.buf, 0755) < 0)
			abort();
		strbuf_addf(&file, "%s/23456700000000000000000000000000000000",
			    dir.buf);
		strbuf_setlen(&dir, dir.len - 3);
		if (odb_open(&db, dirs, 1) < 0)
			abort();
		rd = odb_reader_new(db, 1 << 20);
		strbuf_release(&dir);
	}
	if (fuzz_write(file.buf, data, size) < 0)
		abort();
	odb_read(rd, id, 64, &type, &out, &len);
	odb_read(rd, id, 0, &type, &out, &len);
	return 0;
}
