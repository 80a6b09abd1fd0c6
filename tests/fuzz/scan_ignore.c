/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: .slugguardignore / .gitleaksignore files and --baseline
 * JSON reports (src/scan/ignore.c), each input read as both.
 */
#include "fuzz.h"
#include "scan/scan-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scan_ignore ign = { NULL, 0, 0 };
	struct scan_finding f;
	struct strbuf path = STRBUF_INIT;
	char rule[] = "github-pat", file[] = "config/secrets.yml";
	char secret[] = "not-a-secret";

	memset(&f, 0, sizeof(f));
	f.rule = rule;
	f.file = file;
	f.secret = secret;
	f.line = 3;
	memcpy(f.commit, "0123456789abcdef0123456789abcdef01234567", 41);
	strbuf_addf(&path, "%s/ignore", fuzz_tmpdir());
	if (fuzz_write(path.buf, data, size) < 0)
		abort();
	if (scan_ignore_load(&ign, path.buf) < 0)
		error_clear();
	if (scan_ignore_load_baseline(&ign, path.buf) < 0)
		error_clear();
	scan_ignore_match(&ign, &f);
	f.commit[0] = '\0';
	scan_ignore_match(&ign, &f);
	scan_ignore_release(&ign);
	strbuf_release(&path);
	return 0;
}
