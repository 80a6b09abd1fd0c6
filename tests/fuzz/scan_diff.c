/* SPDX-License-Identifier: MIT */
/* Fuzz target: the unified-diff reader of `scan --stdin` (src/scan). */
#include "fuzz.h"
#include "scan/scan-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scan_diff_file *files = NULL;
	size_t nr = 0;

	scan_is_diff((const char *)data, size);
	if (scan_diff_parse(&files, &nr, (const char *)data, size) < 0)
		error_clear();
	scan_diff_free(files, nr);
	return 0;
}
