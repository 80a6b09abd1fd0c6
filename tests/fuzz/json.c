/* SPDX-License-Identifier: MIT */
/* Fuzz target: src/json (every JSON input: policy, config, API bodies). */
#include "fuzz.h"
#include "slugguard/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json *j = NULL, *copy = NULL;
	char *text = NULL;

	if (json_parse(&j, (const char *)data, size, "fuzz") < 0) {
		error_clear();
		return 0;
	}
	/* What we print must parse again. */
	text = json_print(j, false);
	if (text) {
		if (json_parse(&copy, text, strlen(text), "printed") < 0)
			abort();
		json_free(copy);
	}
	free(text);
	json_free(j);
	return 0;
}
