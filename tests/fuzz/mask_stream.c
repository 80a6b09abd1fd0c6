/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the masker over buildpack output (src/mask). The input is
 * the output itself; its first byte picks where the stream is cut in
 * two writes. Checked: no value survives in any form, and the cut never
 * changes the result (a stream masks as the whole text does).
 */
#include "fuzz.h"
#include "slugguard/mask.h"

#include <string.h>

static struct mask_set *set;
static char v1[32], v2[64];

static bool contains(const struct strbuf *sb, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i + n <= sb->len; i++)
		if (!memcmp(sb->buf + i, s, n))
			return true;
	return false;
}

static int collect(const char *buf, size_t len, void *data)
{
	strbuf_add(data, buf, len);
	return 0;
}

static void setup(void)
{
	struct mask_var vars[2];

	/* made at run time: no secret-looking literal in the repository */
	snprintf(v1, sizeof(v1), "%s%s", "abcd", "EFGH1234");
	snprintf(v2, sizeof(v2), "%s\n%s\"/&", "-----BEGIN X-----", "zz99");
	vars[0].name = "ONE";
	vars[0].value = v1;
	vars[0].value_len = strlen(v1);
	vars[1].name = "TWO";
	vars[1].value = v2;
	vars[1].value_len = strlen(v2);
	if (mask_set_new(&set, vars, 2, NULL, 0) < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf whole = STRBUF_INIT, streamed = STRBUF_INIT;
	struct mask_stream *ms = NULL;
	size_t cut;

	if (!set)
		setup();
	if (!size)
		return 0;
	cut = (size_t)data[0] % size;
	data++;
	size--;
	if (cut > size)
		cut = size;
	strbuf_add(&whole, data, size);
	if (mask_strbuf(set, &whole) < 0)
		abort();
	mask_stream_new(&ms, set, collect, &streamed);
	if (mask_stream_write(ms, (const char *)data, cut) < 0 ||
	    mask_stream_write(ms, (const char *)data + cut, size - cut) < 0 ||
	    mask_stream_close(ms) < 0)
		abort();
	if (streamed.len != whole.len ||
	    memcmp(streamed.buf, whole.buf, whole.len))
		abort();
	if (contains(&whole, v1) || contains(&whole, v2))
		abort();
	mask_stream_free(ms);
	strbuf_release(&whole);
	strbuf_release(&streamed);
	return 0;
}
