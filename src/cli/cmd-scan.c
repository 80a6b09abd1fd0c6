/* SPDX-License-Identifier: MIT */
/* slugguard scan: find secrets in commits, the index, files or stdin. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/gitwalk.h"
#include "slugguard/scan.h"
#include "slugguard/term.h"
#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#define STDIN_MAX ((size_t)1024 * 1024 * 1024)

static const char usage_str[] =
	"usage: slugguard scan [<options>] <revision range>...\n"
	"       slugguard scan [<options>] --all\n"
	"       slugguard scan [<options>] --staged\n"
	"       slugguard scan [<options>] --dir <path>...\n"
	"       slugguard scan [<options>] --stdin\n"
	"\n"
	"    <revision range>      rev-list syntax: a..b, a...b, ^x, --not,\n"
	"                          --branches[=G], --tags[=G], --remotes[=G]\n"
	"    --all                 every commit reachable from any ref\n"
	"    --staged              what the index adds over HEAD\n"
	"    --dir                 files on disk (recursive, skips .git)\n"
	"    --stdin               a unified diff (added lines) or text\n"
	"    --config <file>       settings instead of .slugguard.json\n"
	"    --baseline <report>   report only findings not in this JSON report\n"
	"    --format <fmt>        text (default), json, sarif or gitleaks\n"
	"    --report <file>       also write the report (json unless --format)\n"
	"    --no-redact           show secrets in full\n"
	"    --max-blob-size <n>   read larger blobs and files in windows\n"
	"    --threads <n>         worker threads (default: one per CPU)\n"
	"    --no-ignore-files     do not read .slugguardignore/.gitleaksignore\n"
	"\n"
	"Exit status: 0 nothing found, 1 findings, 2 usage or runtime error.\n";

enum mode { MODE_REVS, MODE_ALL, MODE_STAGED, MODE_DIR, MODE_STDIN };
enum format { FORMAT_TEXT, FORMAT_JSON, FORMAT_SARIF, FORMAT_GITLEAKS };

/* What a SARIF report says about where it was made (owned strings). */
struct sarif_where {
	struct scan_sarif_meta meta;
	struct strbuf root, cwd, remote;
	char revision[GITWALK_HEXSZ + 1];
};

#define SARIF_WHERE_INIT                                              \
	{                                                             \
		{ NULL, NULL, NULL, NULL }, STRBUF_INIT, STRBUF_INIT, \
			STRBUF_INIT, ""                               \
	}

static void sarif_where_release(struct sarif_where *sw)
{
	strbuf_release(&sw->root);
	strbuf_release(&sw->cwd);
	strbuf_release(&sw->remote);
}

/*
 * SRCROOT is the work tree of the repository scanned (commit modes) or
 * holding the first --dir path or the current directory (else that
 * directory); the remote "origin" and HEAD give the provenance. w is the
 * repository of a commit mode, NULL for files and stdin. Nothing
 * here is an error: a report without provenance is still a report.
 */
static void sarif_locate(struct sarif_where *sw, struct gitwalk *w,
			 const char *dir)
{
	bool w_commits = w; /* file names are relative to the work tree */
	struct gitwalk *own = NULL;
	char *cwd = getcwd(NULL, 0);
	char *real = NULL, *url = NULL;

	if (!w) {
		real = fs_realpath(dir ? dir : ".");
		if (real && !fs_is_dir(real)) {
			char *slash = strrchr(real, '/');

			if (slash && slash != real)
				*slash = '\0';
		}
		if (real && !gitwalk_open(&own, real))
			w = own;
	}
	if (cwd && !w) {
		strbuf_addstr(&sw->root, cwd);
	} else if (w && gitwalk_workdir(w)) {
		char *r = fs_realpath(gitwalk_workdir(w));

		strbuf_addstr(&sw->root, r ? r : gitwalk_workdir(w));
		free(r);
	}
	if (sw->root.len)
		sw->meta.root = sw->root.buf;
	if (cwd && !w_commits) {
		strbuf_addstr(&sw->cwd, cwd);
		sw->meta.cwd = sw->cwd.buf;
	}
	/*
	 * remote.origin.url from the config rather than gitwalk_remote_url():
	 * git_remote_lookup() leaks PCRE2 match data in libgit2 1.5.
	 */
	if (w && !gitwalk_config_get(&url, w, "remote.origin.url", false) &&
	    !gitwalk_resolve_commit(w, "HEAD", sw->revision)) {
		strbuf_addstr(&sw->remote, url);
		sw->meta.remote_url = sw->remote.buf;
		sw->meta.revision = sw->revision;
	}
	free(url);
	error_clear();
	gitwalk_free(own);
	free(real);
	free(cwd);
}

enum {
	OPT_ALL = 256,
	OPT_STAGED,
	OPT_DIR,
	OPT_STDIN,
	OPT_CONFIG,
	OPT_BASELINE,
	OPT_FORMAT,
	OPT_REPORT,
	OPT_NO_REDACT,
	OPT_MAX_BLOB,
	OPT_THREADS,
	OPT_NO_IGNORE,
	OPT_REVOPT
};

/* main prints nothing for ERR_USAGE: say it here, then the usage. */
SG_PRINTF(1, 2) static int bad_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("slugguard: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return cli_usage(usage_str, true);
}

static int set_mode(enum mode *mode, enum mode m)
{
	if (*mode != MODE_REVS && *mode != m) {
		fprintf(stderr, "slugguard: --all, --staged, --dir and --stdin "
				"are exclusive\n");
		return cli_usage(usage_str, true);
	}
	*mode = m;
	return 0;
}

static char *render(const struct scan_report *rep, enum format fmt,
		    unsigned flags, const struct scan_sarif_meta *meta)
{
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);

	if (!fp)
		die("out of memory");
	if (fmt == FORMAT_SARIF)
		scan_print_sarif(fp, rep, flags, meta);
	else if (fmt == FORMAT_GITLEAKS)
		scan_print_gitleaks(fp, rep, flags);
	else if (fmt == FORMAT_JSON)
		scan_print_json(fp, rep, flags);
	else
		scan_print_text(fp, rep, flags);
	if (fclose(fp))
		die("out of memory");
	return out;
}

static int put_all(const char *text)
{
	size_t n = strlen(text);

	if (fwrite(text, 1, n, stdout) != n)
		return error_from_errno("cannot write the report");
	return 0;
}

static void summary_to_stderr(const struct scan_report *rep)
{
	struct strbuf sb = STRBUF_INIT;

	scan_report_describe(&sb, rep);
	fprintf(stderr,
		"slugguard: %zu finding%s; scanned %" PRIu64
		" commits, %" PRIu64 " blobs, %" PRIu64 " bytes in %.2fs%s\n",
		rep->nr, rep->nr == 1 ? "" : "s", rep->commits, rep->blobs,
		rep->bytes, rep->seconds, sb.buf);
	strbuf_release(&sb);
}

int cmd_scan(int argc, char **argv, const struct config *cfg)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, OPT_ALL },
		{ "staged", no_argument, NULL, OPT_STAGED },
		{ "dir", no_argument, NULL, OPT_DIR },
		{ "stdin", no_argument, NULL, OPT_STDIN },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "baseline", required_argument, NULL, OPT_BASELINE },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "report", required_argument, NULL, OPT_REPORT },
		{ "no-redact", no_argument, NULL, OPT_NO_REDACT },
		{ "max-blob-size", required_argument, NULL, OPT_MAX_BLOB },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "no-ignore-files", no_argument, NULL, OPT_NO_IGNORE },
		{ "not", no_argument, NULL, OPT_REVOPT },
		{ "branches", optional_argument, NULL, OPT_REVOPT },
		{ "tags", optional_argument, NULL, OPT_REVOPT },
		{ "remotes", optional_argument, NULL, OPT_REVOPT },
		{ "glob", required_argument, NULL, OPT_REVOPT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct scan_options so = SCAN_OPTIONS_INIT;
	struct scan_report rep = SCAN_REPORT_INIT;
	struct strvec args = STRVEC_INIT;
	struct strbuf input = STRBUF_INIT;
	struct sarif_where sw = SARIF_WHERE_INIT;
	struct gitwalk *w = NULL;
	enum mode mode = MODE_REVS;
	enum format fmt = FORMAT_TEXT;
	const char *report_path = NULL;
	unsigned pflags = 0;
	char *text = NULL;
	long n;
	int opt, rc = 0;

	/* "-": operands come back in order, so "a --not b" keeps its sense. */
	while ((opt = cli_getopt(argc, argv, "-h", opts, NULL)) != -1) {
		switch (opt) {
		case 1:
			strvec_push(&args, optarg);
			break;
		case OPT_REVOPT:
			strvec_push(&args, argv[optind - 1]);
			break;
		case OPT_ALL:
			rc = set_mode(&mode, MODE_ALL);
			break;
		case OPT_STAGED:
			rc = set_mode(&mode, MODE_STAGED);
			break;
		case OPT_DIR:
			rc = set_mode(&mode, MODE_DIR);
			break;
		case OPT_STDIN:
			rc = set_mode(&mode, MODE_STDIN);
			break;
		case OPT_CONFIG:
			so.config_path = optarg;
			break;
		case OPT_BASELINE:
			so.baseline_path = optarg;
			break;
		case OPT_FORMAT:
			if (!strcmp(optarg, "text"))
				fmt = FORMAT_TEXT;
			else if (!strcmp(optarg, "json"))
				fmt = FORMAT_JSON;
			else if (!strcmp(optarg, "sarif"))
				fmt = FORMAT_SARIF;
			else if (!strcmp(optarg, "gitleaks"))
				fmt = FORMAT_GITLEAKS;
			else
				rc = bad_usage("unknown --format '%s' (text, "
					       "json, sarif, gitleaks)",
					       optarg);
			break;
		case OPT_REPORT:
			report_path = optarg;
			break;
		case OPT_NO_REDACT:
			pflags |= SCAN_PRINT_NO_REDACT;
			break;
		case OPT_MAX_BLOB:
			if (parse_long(&n, optarg, 1, LONG_MAX) < 0)
				rc = bad_usage("invalid --max-blob-size '%s'",
					       optarg);
			else
				so.max_blob_size = (size_t)n;
			break;
		case OPT_THREADS:
			if (parse_long(&n, optarg, 1, 64) < 0)
				rc = bad_usage("invalid --threads '%s'",
					       optarg);
			else
				so.threads = (unsigned)n;
			break;
		case OPT_NO_IGNORE:
			so.flags |= SCAN_NO_IGNORE_FILES;
			break;
		case 'h':
			rc = cli_usage(usage_str, false);
			goto out;
		default:
			rc = cli_usage(usage_str, true);
			break;
		}
		if (rc)
			goto out;
	}
	if (mode == MODE_REVS && !args.nr) {
		fprintf(stderr, "slugguard: nothing to scan: give a revision "
				"range, --all, --staged, --dir or --stdin\n");
		rc = cli_usage(usage_str, true);
		goto out;
	}
	if ((mode == MODE_ALL || mode == MODE_STAGED || mode == MODE_STDIN) &&
	    args.nr) {
		rc = bad_usage("unexpected argument '%s' for this mode",
			       args.v[0]);
		goto out;
	}
	if (mode == MODE_DIR && !args.nr) {
		rc = bad_usage("--dir needs at least one path");
		goto out;
	}
	if (!cfg->quiet && term_is_tty(2))
		so.flags |= SCAN_PROGRESS;
	if (mode == MODE_ALL || mode == MODE_DIR)
		so.flags |= SCAN_UNUSED_IGNORES;

	switch (mode) {
	case MODE_REVS:
	case MODE_ALL:
	case MODE_STAGED:
		rc = gitwalk_open(&w, NULL);
		if (rc < 0)
			goto out;
		if (mode == MODE_STAGED)
			rc = scan_staged(&rep, w, &so);
		else if (mode == MODE_ALL)
			rc = scan_revs(&rep, w, &so,
				       (const char *const[]){ "--all" }, 1);
		else
			rc = scan_revs(&rep, w, &so, args.v, args.nr);
		break;
	case MODE_DIR:
		rc = scan_dirs(&rep, &so, args.v, args.nr);
		break;
	case MODE_STDIN:
		rc = fs_read_fd_capped(&input, 0, STDIN_MAX, "standard input");
		if (!rc)
			rc = scan_text(&rep, &so, input.buf, input.len,
				       "(stdin)");
		break;
	}
	if (rc < 0)
		goto out;

	if (!cfg->quiet)
		for (size_t i = 0; i < rep.unused_ignores.nr; i++)
			warning("ignore entry matches nothing: %s",
				rep.unused_ignores.v[i]);
	if (fmt == FORMAT_SARIF)
		sarif_locate(&sw, w, mode == MODE_DIR ? args.v[0] : NULL);
	if (report_path) {
		text = render(&rep, fmt == FORMAT_TEXT ? FORMAT_JSON : fmt,
			      pflags, &sw.meta);
		rc = fs_write_atomic(report_path, text, strlen(text), 0644);
		if (rc < 0)
			goto out;
	}
	if (fmt == FORMAT_TEXT) {
		if (config_color(cfg, 1))
			pflags |= SCAN_PRINT_COLOR;
		if (cfg->quiet && !rep.nr)
			pflags |= SCAN_PRINT_NO_SUMMARY;
		rc = scan_print_text(stdout, &rep, pflags);
	} else {
		text = text ? text : render(&rep, fmt, pflags, &sw.meta);
		rc = put_all(text);
		if (!rc && !cfg->quiet)
			summary_to_stderr(&rep);
	}
	if (!rc && rep.nr)
		rc = 1;
out:
	sarif_where_release(&sw);
	free(text);
	strbuf_release(&input);
	gitwalk_free(w);
	scan_report_release(&rep);
	strvec_clear(&args);
	return rc;
}
