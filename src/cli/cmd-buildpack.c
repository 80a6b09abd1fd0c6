/* SPDX-License-Identifier: MIT */
/*
 * slugguard buildpack detect|compile|release: the classic buildpack API
 * behind bin/detect, bin/compile and bin/release, so that this repository
 * can run as a Heroku buildpack. compile scans BUILD_DIR for secrets and
 * runs the policy checks; any finding fails the build.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/run.h"
#include "cli.h"

#include <unistd.h>

static const char usage_str[] =
	"usage: slugguard buildpack detect BUILD_DIR\n"
	"       slugguard buildpack compile BUILD_DIR [CACHE_DIR [ENV_DIR]]\n"
	"       slugguard buildpack release BUILD_DIR\n";

static char *self_path(const struct config *cfg)
{
	struct strbuf sb = STRBUF_INIT;
	ssize_t n;

	strbuf_grow(&sb, 4096);
	n = readlink("/proc/self/exe", sb.buf, sb.alloc - 1);
	if (n > 0) {
		strbuf_setlen(&sb, (size_t)n);
		return strbuf_detach(&sb, NULL);
	}
	strbuf_release(&sb);
	return xstrdup(cfg->argv0 ? cfg->argv0 : "slugguard");
}

static int run_self(const char *self, const char *verb, const char *dir)
{
	struct child c = CHILD_INIT;

	strvec_pushl(&c.args, self, verb, "--dir", dir, NULL);
	c.out_to_err = true;
	return run_command(&c);
}

/* The step's BUILD_DIR (argv[1]) must be given and be a directory. */
static int bad_build_dir(int argc, char **argv, int max)
{
	if (argc < 2)
		return cli_usage_err(usage_str,
				     "buildpack %s: BUILD_DIR is "
				     "required",
				     argv[0]);
	if (argc > max)
		return cli_usage_err(usage_str, "buildpack %s: unexpected '%s'",
				     argv[0], argv[max]);
	if (!fs_is_dir(argv[1]))
		return cli_usage_err(usage_str,
				     "buildpack %s: '%s' is not a directory",
				     argv[0], argv[1]);
	return 0;
}

static int bp_detect(int argc, char **argv)
{
	if (bad_build_dir(argc, argv, 2))
		return ERR_USAGE;
	printf("slugguard\n");
	return 0;
}

static int bp_compile(int argc, char **argv, const struct config *cfg)
{
	static const char *const verbs[] = { "check", "scan" };
	char *self = NULL;
	int rc = 0;

	if (bad_build_dir(argc, argv, 4))
		return ERR_USAGE;
	self = self_path(cfg);
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++) {
		int status;

		fprintf(stderr, "-----> slugguard %s\n", verbs[i]);
		status = run_self(self, verbs[i], argv[1]);
		if (status < 0) {
			rc = status;
			break;
		}
		if (status) {
			rc = error_setc(status == 1 ? ERR_REJECTED : ERR_FAIL,
					"'slugguard %s' failed the build "
					"(status %d)",
					verbs[i], status);
			break;
		}
		fprintf(stderr, "       %s: clean\n", verbs[i]);
	}
	free(self);
	return rc;
}

static int bp_release(int argc, char **argv)
{
	if (bad_build_dir(argc, argv, 2))
		return ERR_USAGE;
	/* The last buildpack decides the process types; we add none. */
	printf("---\naddons: []\n");
	return 0;
}

int cmd_buildpack(int argc, char **argv, const struct config *cfg)
{
	if (argc < 2)
		return cli_usage_err(usage_str, "buildpack: a step is required "
						"(detect, compile, release)");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return cli_usage(usage_str, false);
	if (!strcmp(argv[1], "detect"))
		return bp_detect(argc - 1, argv + 1);
	if (!strcmp(argv[1], "compile"))
		return bp_compile(argc - 1, argv + 1, cfg);
	if (!strcmp(argv[1], "release"))
		return bp_release(argc - 1, argv + 1);
	return cli_usage_err(usage_str,
			     "buildpack: '%s' is not a step (detect, compile, "
			     "release)",
			     argv[1]);
}
