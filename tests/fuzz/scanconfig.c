/* SPDX-License-Identifier: MIT */
/* Fuzz target: config_scan_parse (the scanner config, from the tree). */
#include "fuzz.h"
#include "slugguard/scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_scan c = CONFIG_SCAN_INIT;

	if (config_scan_parse(&c, (const char *)data, size, "fuzz.json") < 0)
		error_clear();
	config_scan_release(&c);
	return 0;
}
