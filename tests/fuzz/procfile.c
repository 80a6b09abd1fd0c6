/* SPDX-License-Identifier: MIT */
/* Fuzz target: Procfile parsing (src/buildpack) and its policy check. */
#include "fuzz.h"
#include "slugguard/buildpack.h"
#include "slugguard/policy.h"
#include "slugguard/strvec.h"

static const char policy_text[] =
	"{\"version\": 1, \"procfile\": {\"process_types\": [\"web\"], "
	"\"release\": true}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strvec names = STRVEC_INIT, commands = STRVEC_INIT;
	struct policy_report r = POLICY_REPORT_INIT;
	static struct policy *p;

	if (!p && policy_parse(&p, policy_text, strlen(policy_text), "fuzz"))
		abort();
	if (buildpack_parse_procfile(&names, &commands, (const char *)data,
				     size) < 0)
		error_clear();
	policy_check_procfile(&r, p, (const char *)data, size);
	policy_report_release(&r);
	strvec_clear(&names);
	strvec_clear(&commands);
	return 0;
}
