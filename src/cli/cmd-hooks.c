/* SPDX-License-Identifier: MIT */
/* slugguard hooks install|uninstall|run: the git hooks. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/hooks.h"
#include "slugguard/strbuf.h"
#include "slugguard/term.h"
#include "cli.h"

#include <getopt.h>
#include <unistd.h>

static const char usage_str[] =
	"usage: slugguard hooks install [--server] [--force] [--dir PATH]\n"
	"       slugguard hooks uninstall [--dir PATH]\n"
	"       slugguard hooks run [--hook-path PATH] <hook> [<git args>...]\n"
	"\n"
	"   install      put the pre-push shim into this repository's hooks\n"
	"                directory and fill the commit cache for its walk\n"
	"                (--server: the pre-receive and post-receive shims)\n"
	"   uninstall    remove slugguard's shims and restore <hook>.legacy\n"
	"   run          what the shims call: pre-push, pre-receive,\n"
	"                post-receive\n"
	"   --force      install into a core.hooksPath that is not git's\n"
	"                default hooks directory\n";

/* The absolute path of this binary, to bake into the shims; or NULL. */
static char *self_path(const char *argv0)
{
	char buf[4096];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n > 0 && (size_t)n < sizeof(buf) - 1) {
		buf[n] = '\0';
		return xstrdup(buf);
	}
	if (argv0 && argv0[0] == '/')
		return xstrdup(argv0);
	if (argv0 && strchr(argv0, '/') && getcwd(buf, sizeof(buf))) {
		struct strbuf sb = STRBUF_INIT;

		strbuf_addf(&sb, "%s/%s", buf, argv0);
		return strbuf_detach(&sb, NULL);
	}
	return NULL;
}

static void print_done(const struct strvec *done, const struct config *cfg)
{
	if (cfg->quiet)
		return;
	for (size_t i = 0; i < done->nr; i++) {
		struct strbuf sb = STRBUF_INIT;

		strbuf_add_sanitized(&sb, done->v[i], strlen(done->v[i]));
		printf("%s\n", sb.buf);
		strbuf_release(&sb);
	}
}

static int hooks_install_cmd(int argc, char **argv, const struct config *cfg,
			     bool uninstall)
{
	static const struct option opts[] = {
		{ "server", no_argument, NULL, 's' },
		{ "force", no_argument, NULL, 'f' },
		{ "dir", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct strvec done = STRVEC_INIT;
	const char *dir = NULL;
	unsigned flags = 0;
	char *self = NULL;
	int rc = 0, opt;

	while ((opt = cli_getopt(argc, argv, "+sfC:h", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			flags |= HOOKS_SERVER;
			break;
		case 'f':
			flags |= HOOKS_FORCE;
			break;
		case 'C':
			dir = optarg;
			break;
		case 'h':
			return cli_usage(usage_str, false);
		default:
			return cli_usage(usage_str, true);
		}
	}
	if (optind != argc)
		return cli_usage_err(usage_str, "%s: unexpected '%s'", argv[0],
				     argv[optind]);
	if (uninstall && flags)
		return cli_usage_err(usage_str, "hooks uninstall: --server and "
						"--force are for install");
	if (uninstall) {
		rc = hooks_uninstall(&done, dir);
		if (!rc && !done.nr && !cfg->quiet)
			printf("no slugguard hooks installed\n");
	} else {
		self = self_path(cfg->argv0);
		rc = hooks_install(&done, dir, self, flags);
	}
	print_done(&done, cfg);
	free(self);
	strvec_clear(&done);
	return rc;
}

static int hooks_run_cmd(int argc, char **argv, const struct config *cfg)
{
	static const struct option opts[] = {
		{ "hook-path", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hooks_run_opts o = { NULL, stderr, 0, false, false };
	int rc, opt;

	while ((opt = cli_getopt(argc, argv, "+p:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			o.hook_path = optarg;
			break;
		case 'h':
			return cli_usage(usage_str, false);
		default:
			return cli_usage(usage_str, true);
		}
	}
	if (optind >= argc)
		return cli_usage_err(usage_str, "hooks run: <hook> is required "
						"(pre-push, pre-receive, "
						"post-receive)");
	o.quiet = cfg->quiet;
	o.color = config_color(cfg, 2);
	rc = hooks_run(argv[optind], argc - optind - 1,
		       (const char *const *)argv + optind + 1, &o);
	if (rc == ERR_USAGE) {
		fprintf(stderr, "slugguard: %s\n", error_last());
		return rc;
	}
	if (rc < 0 && rc != ERR_REJECTED) {
		/* fail closed: an error refuses the push, and says how to
		 * get past it on purpose */
		struct strbuf sb = STRBUF_INIT;
		const char *m = error_last();

		strbuf_add_sanitized(&sb, m, strlen(m));
		fprintf(stderr, "slugguard: %s\n", sb.buf);
		if (!strcmp(argv[optind], "pre-push"))
			fprintf(stderr,
				"slugguard: push refused because the check "
				"could not run; to bypass it deliberately: "
				"git push --no-verify\n");
		else if (!strcmp(argv[optind], "pre-receive"))
			fprintf(stderr, "slugguard: push refused because the "
					"check could not run; contact the "
					"administrator of this repository\n");
		strbuf_release(&sb);
		error_clear();
		return 1;
	}
	return rc == ERR_REJECTED ? 1 : rc;
}

int cmd_hooks(int argc, char **argv, const struct config *cfg)
{
	static char install_name[] = "hooks install";
	static char uninstall_name[] = "hooks uninstall";
	static char run_name[] = "hooks run";

	if (argc < 2)
		return cli_usage_err(usage_str,
				     "hooks: a subcommand is required "
				     "(install, uninstall, run)");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return cli_usage(usage_str, false);
	optind = 0;
	/* argv[0] of a subcommand names it in cli_getopt()'s messages */
	if (!strcmp(argv[1], "install")) {
		argv[1] = install_name;
		return hooks_install_cmd(argc - 1, argv + 1, cfg, false);
	}
	if (!strcmp(argv[1], "uninstall")) {
		argv[1] = uninstall_name;
		return hooks_install_cmd(argc - 1, argv + 1, cfg, true);
	}
	if (!strcmp(argv[1], "run")) {
		argv[1] = run_name;
		return hooks_run_cmd(argc - 1, argv + 1, cfg);
	}
	return cli_usage_err(usage_str, "hooks: '%s' is not a hooks subcommand",
			     argv[1]);
}
