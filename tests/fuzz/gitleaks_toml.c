/* SPDX-License-Identifier: MIT */
/* Fuzz target: config_gitleaks_parse (.gitleaks.toml, from the tree). */
#include "fuzz.h"
#include "slugguard/scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_scan c = CONFIG_SCAN_INIT;

	if (config_gitleaks_parse(&c, (const char *)data, size,
				  ".gitleaks.toml") < 0)
		error_clear();
	config_scan_release(&c);
	return 0;
}
