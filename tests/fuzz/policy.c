/* SPDX-License-Identifier: MIT */
/* Fuzz target: policy_parse (slugguard.json, from pushed commits). */
#include "fuzz.h"
#include "slugguard/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy *p = NULL;

	if (policy_parse(&p, (const char *)data, size, "slugguard.json") < 0)
		error_clear();
	policy_free(p);
	return 0;
}
