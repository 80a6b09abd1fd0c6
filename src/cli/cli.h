/* SPDX-License-Identifier: MIT */
/*
 * The command table's contract. Each src/cli/cmd-<name>.c defines one
 * cmd_<name>(); it returns 0, or a negative error code with the message
 * stored (main prints it once), or 1 for "findings / rejected" when it
 * has printed its own report.
 */
#ifndef SLUGGUARD_CLI_H
#define SLUGGUARD_CLI_H

#include "slugguard/config.h"
#include "slugguard/deploy.h"

#include <getopt.h>

typedef int (*cmd_fn)(int argc, char **argv, const struct config *cfg);

int cmd_scan(int argc, char **argv, const struct config *cfg);
int cmd_hooks(int argc, char **argv, const struct config *cfg);
int cmd_init(int argc, char **argv, const struct config *cfg);
int cmd_check(int argc, char **argv, const struct config *cfg);
int cmd_build(int argc, char **argv, const struct config *cfg);
int cmd_keygen(int argc, char **argv, const struct config *cfg);
int cmd_keys(int argc, char **argv, const struct config *cfg);
int cmd_verify(int argc, char **argv, const struct config *cfg);
int cmd_deploy(int argc, char **argv, const struct config *cfg);
int cmd_releases(int argc, char **argv, const struct config *cfg);
int cmd_rollback(int argc, char **argv, const struct config *cfg);
/* check --app NAME: the live-app checklist (Heroku issue); cmd_check
 * hands its whole argv over when --app is present. */
int cmd_check_app(int argc, char **argv, const struct config *cfg);
int cmd_buildpack(int argc, char **argv, const struct config *cfg);
int cmd_baseline(int argc, char **argv, const struct config *cfg);

/*
 * The options every Heroku command takes (deploy, releases, rollback,
 * check --app): -a/--app NAME, -r/--remote REMOTE, -k/--key FILE and
 * --cacert FILE. A command puts CLI_TARGET_OPTIONS first in its option
 * array and CLI_TARGET_SHORT in its short options, hands every option to
 * cli_target_opt() before its own switch, then picks the app with
 * cli_target_app(). The strings are argv's (borrowed) except the picked
 * app, which ct->app owns until cli_target_release().
 */
struct cli_target {
	struct deploy_target t;
	const char *remote;
	struct strbuf app;
};
#define CLI_TARGET_INIT(quiet)                                   \
	{                                                        \
		{ NULL, NULL, NULL, (quiet) }, NULL, STRBUF_INIT \
	}
#define CLI_TARGET_SHORT "a:r:k:"
/* clang-format off */
#define CLI_TARGET_OPTIONS                          \
	{ "app", required_argument, NULL, 'a' },    \
	{ "remote", required_argument, NULL, 'r' }, \
	{ "key", required_argument, NULL, 'k' },    \
	{ "cacert", required_argument, NULL, 'C' }
/* clang-format on */
/* true when opt is one of the target's (its optarg is taken). */
bool cli_target_opt(struct cli_target *ct, int opt);
/*
 * Pick the app (deploy_app_name()) into ct->t.app. Returns 0, ERR_USAGE
 * after printing usage (none given), or the error stored.
 */
int cli_target_app(struct cli_target *ct, const char *cmd, const char *usage);
void cli_target_release(struct cli_target *ct);

struct gitwalk;
/*
 * Scan every commit of w (ignoring an existing baseline), write the
 * findings as SCAN_BASELINE_FILE in dir and summarise them on stderr.
 * Without findings no file is written unless refresh (or one exists).
 */
int cli_baseline_adopt(struct gitwalk *w, const char *dir,
		       const struct config *cfg, bool refresh);

/*
 * Print usage to stdout (-h, exit 0) or stderr (bad usage, ERR_USAGE);
 * for bad usage, a pending ERR_USAGE message (cli_getopt's) goes first
 * as "slugguard: <message>".
 */
int cli_usage(const char *usage, bool error);
/* "slugguard: <message>" and the usage on stderr; returns ERR_USAGE. */
int cli_usage_err(const char *usage, const char *fmt, ...) SG_PRINTF(2, 3);
/*
 * getopt_long(3) with getopt's own messages off: an unknown option or a
 * missing argument returns '?' with "<argv[0]>: unknown option '--x'" or
 * "<argv[0]>: option '--app' requires an argument" stored (ERR_USAGE)
 * for cli_usage() to print.
 */
int cli_getopt(int argc, char **argv, const char *shortopts,
	       const struct option *opts, int *longindex);

#endif
