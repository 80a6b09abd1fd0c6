/* SPDX-License-Identifier: MIT */
/*
 * Process setup, the command table and the mapping of results to exit
 * codes: 0 clean, 1 findings or policy rejection, 2 usage or operational
 * failure. The stored error is printed here, once.
 */
#include "slugguard/common.h"
#include "slugguard/config.h"
#include "slugguard/error.h"
#include "slugguard/heroku.h"
#include "slugguard/strbuf.h"
#include "cli/cli.h"

#include <getopt.h>
#include <signal.h>

struct cmd {
	const char *name;
	cmd_fn fn;
	const char *help;
};

static const struct cmd commands[] = {
	{ "scan", cmd_scan,
	  "scan commits, the index, files or stdin for secrets" },
	{ "hooks", cmd_hooks, "install, uninstall or run the git hooks" },
	{ "init", cmd_init, "write a deploy policy into a repository" },
	{ "baseline", cmd_baseline,
	  "accept the findings already in the history" },
	{ "check", cmd_check, "run every policy check and print a checklist" },
	{ "build", cmd_build,
	  "build a reproducible, signed slug from a commit" },
	{ "keygen", cmd_keygen, "create a signing key pair" },
	{ "verify", cmd_verify,
	  "verify a slug against its signed attestation" },
	{ "deploy", cmd_deploy, "build, upload and release to Heroku" },
	{ "releases", cmd_releases,
	  "list an app's releases and their signed state" },
	{ "rollback", cmd_rollback,
	  "roll back to a release with a signed slug" },
	{ "buildpack", cmd_buildpack,
	  "detect/compile/release entry points of the shim" },
};

static const char usage_str[] =
	"usage: slugguard [--quiet] [--verbose] [--color=WHEN] <command> [<args>]\n"
	"       slugguard --version | --help\n";

static void print_help(FILE *fp)
{
	fputs(usage_str, fp);
	fputs("\ncommands:\n", fp);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(fp, "   %-10s %s\n", commands[i].name,
			commands[i].help);
	fputs("\nRun 'slugguard <command> -h' for a command's options.\n", fp);
}

/* Replace control characters so a hostile message cannot drive a tty. */
static void print_error(const char *msg)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_add_sanitized(&sb, msg, strlen(msg));
	fprintf(stderr, "slugguard: %s\n", sb.buf);
	strbuf_release(&sb);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "color", required_argument, NULL, 'c' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct config cfg = CONFIG_INIT;
	const struct cmd *cmd = NULL;
	int rc = 0, opt;

	signal(SIGPIPE, SIG_IGN);
	cfg.argv0 = argv[0];
	config_from_env(&cfg);
	/* "+" stops at the first non-option: the command owns the rest. */
	while ((opt = getopt_long(argc, argv, "+qvh", opts, NULL)) != -1) {
		switch (opt) {
		case 'q':
			cfg.quiet = true;
			break;
		case 'v':
			cfg.verbose = true;
			break;
		case 'c':
			if (!strcmp(optarg, "always"))
				cfg.color = CONFIG_COLOR_ALWAYS;
			else if (!strcmp(optarg, "never"))
				cfg.color = CONFIG_COLOR_NEVER;
			else if (!strcmp(optarg, "auto"))
				cfg.color = CONFIG_COLOR_AUTO;
			else {
				fprintf(stderr,
					"slugguard: invalid --color "
					"value '%s' (always, never, auto)\n",
					optarg);
				return 2;
			}
			break;
		case 'V':
			printf("slugguard %s\n", SLUGGUARD_VERSION);
			return 0;
		case 'h':
			print_help(stdout);
			return 0;
		default:
			print_help(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		print_help(stderr);
		return 2;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[optind], commands[i].name))
			cmd = &commands[i];
	if (!cmd) {
		fprintf(stderr, "slugguard: '%s' is not a slugguard command\n",
			argv[optind]);
		print_help(stderr);
		return 2;
	}
	argc -= optind;
	argv += optind;
	optind = 0; /* glibc: full reset, so the command parses afresh */
	if (heroku_global_init() < 0) {
		print_error(error_last());
		return 2;
	}
	rc = cmd->fn(argc, argv, &cfg);
	heroku_global_cleanup();
	if (rc < 0 && rc != ERR_USAGE)
		print_error(error_last());
	error_clear();
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "slugguard: cannot write to standard output\n");
		return 2;
	}
	return error_exit_code(rc);
}
