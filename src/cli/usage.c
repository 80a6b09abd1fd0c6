/* SPDX-License-Identifier: MIT */
/*
 * Shared usage printing and option parsing for the commands: getopt's own
 * messages are switched off (opterr = 0) so that every complaint reaches
 * the user as one "slugguard: <command>: ..." line, as the rest do. An
 * empty argv[0] (main's own options) leaves the command name out.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/strbuf.h"
#include "cli.h"

#include <getopt.h>

int cli_usage(const char *usage, bool error)
{
	if (error && error_last_code() == ERR_USAGE) {
		struct strbuf clean = STRBUF_INIT;

		strbuf_add_sanitized(&clean, error_last(),
				     strlen(error_last()));
		fprintf(stderr, "slugguard: %s\n", clean.buf);
		strbuf_release(&clean);
		error_clear();
	}
	fputs(usage, error ? stderr : stdout);
	return error ? ERR_USAGE : 0;
}

int cli_usage_err(const char *usage, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT, clean = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strbuf_add_sanitized(&clean, sb.buf, sb.len);
	fprintf(stderr, "slugguard: %s\n", clean.buf);
	fputs(usage, stderr);
	strbuf_release(&clean);
	strbuf_release(&sb);
	return ERR_USAGE;
}

/* Store getopt's complaint about argv[optind - 1] as an ERR_USAGE error. */
static void bad_option(int argc, char **argv, const char *shortopts,
		       const struct option *opts)
{
	const char *cmd = argc > 0 && *argv[0] ? argv[0] : NULL;
	const char *sep = cmd ? ": " : "";
	const char *word = optind > 0 && optind - 1 < argc ? argv[optind - 1] :
							     NULL;
	const char *name = word && starts_with(word, "--") ? word + 2 : NULL;
	const char *p;

	if (name) {
		size_t len = strcspn(name, "=");

		for (; opts && opts->name; opts++) {
			if (strlen(opts->name) != len ||
			    strncmp(opts->name, name, len))
				continue;
			if (opts->has_arg == required_argument) {
				error_setc(ERR_USAGE,
					   "%s%soption '--%s' requires an "
					   "argument",
					   cmd ? cmd : "", sep, opts->name);
				return;
			}
			if (opts->has_arg == no_argument && name[len]) {
				error_setc(ERR_USAGE,
					   "%s%soption '--%s' takes no "
					   "argument",
					   cmd ? cmd : "", sep, opts->name);
				return;
			}
		}
		error_setc(ERR_USAGE, "%s%sunknown option '--%.*s'",
			   cmd ? cmd : "", sep, (int)len, name);
		return;
	}
	p = optopt > 0 && optopt < 128 ? strchr(shortopts, optopt) : NULL;
	if (p && p[1] == ':')
		error_setc(ERR_USAGE, "%s%soption '-%c' requires an argument",
			   cmd ? cmd : "", sep, optopt);
	else if (optopt > 0 && optopt < 128)
		error_setc(ERR_USAGE, "%s%sunknown option '-%c'",
			   cmd ? cmd : "", sep, optopt);
	else
		error_setc(ERR_USAGE, "%s%sunknown option '%s'", cmd ? cmd : "",
			   sep, word ? word : "");
}

int cli_getopt(int argc, char **argv, const char *shortopts,
	       const struct option *opts, int *longindex)
{
	int opt;

	opterr = 0;
	opt = getopt_long(argc, argv, shortopts, opts, longindex);
	if (opt == '?' || opt == ':')
		bad_option(argc, argv, shortopts, opts);
	return opt;
}
