/* SPDX-License-Identifier: MIT */
/* Fuzz target: raw tree and commit bodies as src/gitwalk parses them. */
#include "fuzz.h"
#include "slugguard/gitwalk.h"
#include "gitwalk/gitwalk-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf out = STRBUF_INIT;

	gitwalk_parse_raw((const char *)data, size, &out);
	strbuf_release(&out);
	return 0;
}
