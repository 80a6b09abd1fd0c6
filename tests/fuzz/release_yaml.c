/* SPDX-License-Identifier: MIT */
/* Fuzz target: bin/release output, a YAML subset (src/buildpack). */
#include "fuzz.h"
#include "slugguard/buildpack.h"
#include "slugguard/strvec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strvec names = STRVEC_INIT, commands = STRVEC_INIT;

	if (buildpack_parse_release_yaml(&names, &commands, (const char *)data,
					 size) < 0)
		error_clear();
	strvec_clear(&names);
	strvec_clear(&commands);
	return 0;
}
