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
#include "slugguard/policy.h"
#include "slugguard/scan.h"
#include "slugguard/strbuf.h"
#include "cli/cli.h"

#include <getopt.h>
#include <signal.h>

struct cmd {
	const char *name;
	cmd_fn fn;
	const char *help;
};

static int cmd_version(int argc, char **argv, const struct config *cfg);
static int cmd_help(int argc, char **argv, const struct config *cfg);

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
	{ "keys", cmd_keys, "add, revoke or list the trusted signing keys" },
	{ "verify", cmd_verify,
	  "verify a slug, or an app's release, against its "
	  "signed attestation" },
	{ "deploy", cmd_deploy, "build, upload and release to Heroku" },
	{ "releases", cmd_releases,
	  "list an app's releases and their signed state" },
	{ "rollback", cmd_rollback,
	  "roll back to a release with a signed slug" },
	{ "buildpack", cmd_buildpack,
	  "detect/compile/release entry points of the shim" },
	{ "version", cmd_version, "print the version" },
	{ "help", cmd_help,
	  "a command's usage (help <command>), or the config keys "
	  "(help config)" },
};

static const char usage_str[] =
	"usage: slugguard [-q | --quiet] [--color=WHEN]\n"
	"                 <command> [<args>]\n"
	"       slugguard -V | --version | -h | --help\n";

static void print_help(FILE *fp)
{
	fputs(usage_str, fp);
	fputs("\ncommands:\n", fp);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(fp, "   %-10s %s\n", commands[i].name,
			commands[i].help);
	fputs("\nRun 'slugguard <command> -h' for a command's options.\n", fp);
}

static const struct cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

static int cmd_version(int argc, char **argv, const struct config *cfg)
{
	(void)argv;
	(void)cfg;
	if (argc > 1)
		return cli_usage_err("usage: slugguard version\n",
				     "version: takes no arguments");
	printf("slugguard %s\n", SLUGGUARD_VERSION);
	return 0;
}

/* Both configuration files and every key each takes: one place to look. */
static void print_config_keys(void)
{
	struct strvec keys = STRVEC_INIT;

	policy_keys(&keys);
	printf("%s (the deploy policy; docs/policy.md):\n", POLICY_FILE);
	for (size_t i = 0; i < keys.nr; i++)
		printf("   %s\n", keys.v[i]);
	strvec_clear(&keys);
	config_scan_keys(&keys);
	printf("%s (the scanner config; docs/scan.md):\n", CONFIG_SCAN_FILE);
	for (size_t i = 0; i < keys.nr; i++)
		printf("   %s\n", keys.v[i]);
	strvec_clear(&keys);
}

/* help <command> is <command> -h, as git's help falls back to usage. */
static int cmd_help(int argc, char **argv, const struct config *cfg)
{
	static char help_opt[] = "-h";
	const struct cmd *cmd;
	char *args[3];

	if (argc < 2) {
		print_help(stdout);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "config")) {
		print_config_keys();
		return 0;
	}
	cmd = find_cmd(argv[1]);
	if (!cmd || argc > 2)
		return cli_usage_err("usage: slugguard help [<command> | "
				     "config]\n",
				     "help: '%s' is not a slugguard command",
				     argv[argc > 2 ? 2 : 1]);
	args[0] = argv[1];
	args[1] = help_opt;
	args[2] = NULL;
	optind = 0;
	return cmd->fn(2, args, cfg);
}

/*
 * A reader that went away (scan --all | head) is not an error to report,
 * whatever the command made of the failed write: end as git does, by the
 * signal that SIG_IGN held back (SIGPIPE is ignored for curl's sake).
 */
static void stdout_gone(void)
{
	signal(SIGPIPE, SIG_DFL);
	raise(SIGPIPE);
	exit(141);
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
		{ "color", required_argument, NULL, 'c' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static char empty[] = "";
	struct config cfg = CONFIG_INIT;
	const struct cmd *cmd = NULL;
	int rc = 0, opt;

	/* Before any large allocation: see util/heap.c. */
	heap_tune();

	signal(SIGPIPE, SIG_IGN);
	cfg.argv0 = argv[0];
	config_from_env(&cfg);
	/* "+" stops at the first non-option: the command owns the rest. */
	argv[0] = empty; /* cli_getopt's messages name no command */
	while ((opt = cli_getopt(argc, argv, "+qVh", opts, NULL)) != -1) {
		switch (opt) {
		case 'q':
			cfg.quiet = true;
			break;
		case 'c':
			if (!strcmp(optarg, "always"))
				cfg.color = CONFIG_COLOR_ALWAYS;
			else if (!strcmp(optarg, "never"))
				cfg.color = CONFIG_COLOR_NEVER;
			else if (!strcmp(optarg, "auto"))
				cfg.color = CONFIG_COLOR_AUTO;
			else {
				cli_usage_err(usage_str,
					      "invalid --color value '%s' "
					      "(always, never, auto)",
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
			cli_usage(usage_str, true);
			return 2;
		}
	}
	if (optind >= argc) {
		print_help(stderr);
		return 2;
	}
	cmd = find_cmd(argv[optind]);
	if (!cmd) {
		fprintf(stderr, "slugguard: '%s' is not a slugguard command\n",
			argv[optind]);
		print_help(stderr);
		return 2;
	}
	argc -= optind;
	argv += optind;
	optind = 0; /* glibc: full reset, so the command parses afresh */
	rc = cmd->fn(argc, argv, &cfg);
	if ((fflush(stdout) || ferror(stdout)) && errno == EPIPE)
		stdout_gone();
	heroku_global_cleanup();
	if (rc < 0 && rc != ERR_USAGE)
		print_error(error_last());
	error_clear();
	if (fflush(stdout) || ferror(stdout)) {
		if (errno == EPIPE)
			stdout_gone();
		fprintf(stderr, "slugguard: cannot write to standard output\n");
		return 2;
	}
	return error_exit_code(rc);
}
