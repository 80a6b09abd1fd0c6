/* SPDX-License-Identifier: MIT */
/*
 * Shared by the libFuzzer targets in tests/fuzz/ (docs/fuzzing.md). Each
 * target is one file <name>.c defining LLVMFuzzerTestOneInput, which
 * feeds (data, size) to one parser; `make fuzz` builds and runs them all.
 */
#ifndef SLUGGUARD_FUZZ_H
#define SLUGGUARD_FUZZ_H

#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/strbuf.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A per-process scratch directory, made on first use; NULL on failure. */
static inline const char *fuzz_tmpdir(void)
{
	static char dir[] = "/tmp/sg-fuzz-XXXXXX";
	static bool made;

	if (!made && !mkdtemp(dir))
		return NULL;
	made = true;
	return dir;
}

/* Write (data, size) to path, replacing it; 0 or -1. */
static inline int fuzz_write(const char *path, const void *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	const char *p = data;

	if (fd < 0)
		return -1;
	while (size) {
		ssize_t n = write(fd, p, size);

		if (n <= 0) {
			close(fd);
			return -1;
		}
		p += n;
		size -= (size_t)n;
	}
	return close(fd);
}

/*
 * The object directory <tmp>/objects with one pack: its directory, index
 * and pack paths (made once per process).
 */
static inline void fuzz_pack_paths(struct strbuf *dir, struct strbuf *idx,
				   struct strbuf *pack)
{
	if (dir->len)
		return;
	strbuf_addf(dir, "%s/objects", fuzz_tmpdir());
	mkdir(dir->buf, 0755);
	strbuf_addf(idx, "%s/pack", dir->buf);
	mkdir(idx->buf, 0755);
	strbuf_addf(pack, "%s/pack-f.pack", idx->buf);
	strbuf_addstr(idx, "/pack-f.idx");
}

#endif
