/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: scan_changed_spans() (src/scan/spans.c), which decides
 * what of a pushed blob is looked at beside its base. The first two
 * bytes split the rest into the base and the blob; with the third byte
 * odd, the blob is instead the base with the rest's tail spliced in at a
 * place the byte picks (a blob near its base, as pushes have). The spans
 * must be in order inside the blob, and every piece of the blob outside
 * them (an empty span cuts too) must be found whole in the base, or the
 * target aborts: a secret in such a piece would go unlooked-for.
 */
#include "fuzz.h"
#include "scan/scan-internal.h"

static bool in(const char *hay, size_t n, const char *needle, size_t m)
{
	return scan_memmem(hay, n, needle, m) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf blob = STRBUF_INIT;
	struct rules_span *v = NULL;
	const char *base;
	size_t base_len, nr, at = 0;

	if (size < 3)
		return 0;
	base = (const char *)data + 3;
	base_len = ((size_t)data[0] << 8 | data[1]) % (size - 2);
	if (data[2] & 1) {
		size_t cut = base_len ? (size_t)(data[2] >> 1) % base_len : 0;
		size_t keep = base_len - cut < 16 ? base_len - cut : 16;

		strbuf_add(&blob, base, cut);
		strbuf_add(&blob, base + base_len, size - 3 - base_len);
		strbuf_add(&blob, base + cut + keep, base_len - cut - keep);
	} else {
		strbuf_add(&blob, base + base_len, size - 3 - base_len);
	}
	nr = scan_changed_spans(&v, blob.buf, blob.len, base, base_len);
	for (size_t i = 0; i <= nr; i++) {
		size_t end = i < nr ? v[i].from : blob.len;

		if (i < nr && (v[i].from > v[i].to || v[i].to > blob.len ||
			       (i && v[i].from <= v[i - 1].to)))
			abort();
		if (end < at)
			abort();
		if (end > at && !in(base, base_len, blob.buf + at, end - at)) {
			fprintf(stderr,
				"piece %zu..%zu of the blob is not in "
				"the base\n",
				at, end);
			abort();
		}
		if (i < nr)
			at = v[i].to;
	}
	free(v);
	strbuf_release(&blob);
	return 0;
}
