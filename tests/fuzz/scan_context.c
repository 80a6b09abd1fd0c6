/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: context labels and snippets of pushed content
 * (src/scan/context.c). The first byte picks a path; the next two the
 * secret's offset and length; the rest is the file.
 */
#include "fuzz.h"
#include "scan/scan-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = {
		NULL,
		"app/x.rb",
		"spec/fixtures/a.yml",
		"docs/a.md",
		".env.example",
		"test/x_test.rb",
		"a/b/c/",
		"",
		"examples/",
		"cassettes/x.yml",
	};
	const char *buf = (const char *)data + 3;
	size_t len, off, slen;
	char *snip;

	if (size < 3)
		return 0;
	len = size - 3;
	off = len ? data[1] % (len + 1) : 0;
	slen = len - off ? data[2] % (len - off + 1) : 0;
	scan_context_of(paths[data[0] % 10], buf, len, off, slen);
	if (paths[data[0] % 10])
		scan_context_path(paths[data[0] % 10]);
	snip = scan_context_snippet(buf, len, data[0] % (off + 1), off, slen,
				    "x****");
	free(snip);
	return 0;
}
