/* SPDX-License-Identifier: MIT */
/* Fuzz target: .slugignore parsing and matching (src/slug). */
#include "fuzz.h"
#include "slugguard/slug.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = {
		"app/models/user.rb",	 "log",	 "log/development.log",	   "a",
		"spec/fixtures/big.bin", ".git", "vendor/bundle/x/y/z.rb",
	};
	struct slug_ignore ig = SLUG_IGNORE_INIT;

	slug_ignore_parse(&ig, (const char *)data, size);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		slug_ignore_match(&ig, paths[i], false);
		slug_ignore_match(&ig, paths[i], true);
	}
	slug_ignore_release(&ig);
	return 0;
}
