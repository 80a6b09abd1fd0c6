/* SPDX-License-Identifier: MIT */
/* Fuzz target: the stdin of pre-push and pre-/post-receive (src/hooks). */
#include "fuzz.h"
#include "hooks/hooks-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf in = STRBUF_INIT;
	size_t nr = 0;

	for (int pre_push = 0; pre_push < 2; pre_push++) {
		strbuf_reset(&in);
		strbuf_add(&in, data, size);
		if (hooks_parse_input(&nr, pre_push, &in) < 0)
			error_clear();
	}
	strbuf_release(&in);
	return 0;
}
