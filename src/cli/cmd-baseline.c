/* SPDX-License-Identifier: MIT */
/*
 * slugguard baseline: record the findings already in a repository's
 * history as accepted (SCAN_BASELINE_FILE), show them, or refresh them.
 * `slugguard init` calls cli_baseline_adopt() in a repository that has
 * history, so that adopting slugguard never means rewriting it.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/gitwalk.h"
#include "slugguard/scan.h"
#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <unistd.h>

#define BASELINE_MAX (64 * 1024 * 1024)
#define SUMMARY_ROWS 6

static const char usage_str[] =
	"usage: slugguard baseline [update | show] [--dir PATH]\n"
	"\n"
	"The findings accepted when slugguard was adopted, kept in\n" SCAN_BASELINE_FILE
	" at the top of the work tree (content\n"
	"fingerprints only, no secret). Commit it: pre-push and pre-receive\n"
	"honour it; a new key is still refused.\n"
	"\n"
	"   update      scan every commit again and rewrite the file (default)\n"
	"   show        summarise the file by rule and directory\n"
	"   --dir PATH  the work tree (default: the current repository's)\n";

struct tally {
	struct strvec keys;
	size_t *counts;
	size_t alloc;
};

static void tally_add(struct tally *t, const char *key)
{
	for (size_t i = 0; i < t->keys.nr; i++) {
		if (!strcmp(t->keys.v[i], key)) {
			t->counts[i]++;
			return;
		}
	}
	ALLOC_GROW(t->counts, t->keys.nr + 1, t->alloc);
	t->counts[t->keys.nr] = 1;
	strvec_push(&t->keys, key);
}

static void tally_print(FILE *fp, const struct tally *t, const char *label)
{
	struct strbuf sb = STRBUF_INIT;
	bool *shown = xcalloc(t->keys.nr ? t->keys.nr : 1, sizeof(*shown));
	size_t rows = 0;

	/* largest first, a handful of rows: a summary, not a listing */
	for (; rows < SUMMARY_ROWS && rows < t->keys.nr; rows++) {
		size_t best = 0;
		bool any = false;

		for (size_t i = 0; i < t->keys.nr; i++) {
			if (shown[i] ||
			    (any && t->counts[i] <= t->counts[best]))
				continue;
			best = i;
			any = true;
		}
		shown[best] = true;
		strbuf_addf(&sb, "%s%zu ", rows ? ", " : "", t->counts[best]);
		strbuf_add_sanitized(&sb, t->keys.v[best],
				     strlen(t->keys.v[best]));
	}
	if (t->keys.nr > rows)
		strbuf_addf(&sb, ", %zu more", t->keys.nr - rows);
	fprintf(fp, "   %-6s %s\n", label, sb.buf);
	free(shown);
	strbuf_release(&sb);
}

static void tally_release(struct tally *t)
{
	strvec_clear(&t->keys);
	free(t->counts);
	memset(t, 0, sizeof(*t));
}

static void dir_of(struct strbuf *sb, const char *file)
{
	const char *slash = strrchr(file, '/');

	strbuf_reset(sb);
	if (*file == '(')
		strbuf_addstr(sb, "(messages)");
	else if (slash)
		strbuf_add(sb, file, (size_t)(slash - file + 1));
	else
		strbuf_addstr(sb, "./");
}

/* "N rule, ..." and "N dir/, ..." lines for a list of (rule, file). */
static void summarise(FILE *fp, const char *const *rules,
		      const char *const *files, size_t nr)
{
	struct tally kinds = { STRVEC_INIT, NULL, 0 };
	struct tally dirs = { STRVEC_INIT, NULL, 0 };
	struct strbuf d = STRBUF_INIT;

	for (size_t i = 0; i < nr; i++) {
		tally_add(&kinds, rules[i]);
		dir_of(&d, files[i]);
		tally_add(&dirs, d.buf);
	}
	if (nr) {
		tally_print(fp, &kinds, "kinds");
		tally_print(fp, &dirs, "paths");
	}
	tally_release(&kinds);
	tally_release(&dirs);
	strbuf_release(&d);
}

static char *baseline_path(const char *dir)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s%s%s", dir, ends_with(dir, "/") ? "" : "/",
		    SCAN_BASELINE_FILE);
	return strbuf_detach(&sb, NULL);
}

int cli_baseline_adopt(struct gitwalk *w, const char *dir,
		       const struct config *cfg, bool refresh)
{
	struct scan_options opts = SCAN_OPTIONS_INIT;
	struct scan_report rep = SCAN_REPORT_INIT;
	const char *revs[] = { "--all" };
	const char **rules = NULL, **files = NULL;
	char *path = baseline_path(dir), *text = NULL;
	FILE *fp = cfg->quiet ? NULL : stderr;
	int rc;

	opts.flags = SCAN_NO_BASELINE_FILE | SCAN_ALLOW_EMPTY;
	opts.root = dir;
	if (fp)
		fprintf(fp, "slugguard: scanning the history once for "
			    "secrets already in it...\n");
	rc = scan_revs(&rep, w, &opts, revs, ARRAY_SIZE(revs));
	if (rc < 0)
		goto out;
	if (!rep.nr && !refresh && !fs_exists(path)) {
		if (fp)
			fprintf(fp,
				"slugguard: %" PRIu64 " commits scanned in "
				"%.1f s: no secret in the history, no "
				"baseline needed\n",
				rep.commits, rep.seconds);
		goto out;
	}
	text = scan_baseline_json(&rep);
	rc = fs_write_atomic(path, text, strlen(text), 0644);
	if (rc < 0)
		goto out;
	if (!fp)
		goto out;
	fprintf(fp,
		"slugguard: %" PRIu64 " commits scanned in %.1f s: %zu "
		"finding%s already in the history%s\n",
		rep.commits, rep.seconds, rep.nr, rep.nr == 1 ? "" : "s",
		rep.ignored ? " (besides .slugguardignore's)" : "");
	rules = xcalloc(rep.nr ? rep.nr : 1, sizeof(*rules));
	files = xcalloc(rep.nr ? rep.nr : 1, sizeof(*files));
	for (size_t i = 0; i < rep.nr; i++) {
		rules[i] = rep.findings[i].rule;
		files[i] = rep.findings[i].file;
	}
	summarise(fp, rules, files, rep.nr);
	fprintf(fp,
		"slugguard: recorded them as the accepted baseline in %s "
		"(fingerprints only, no secret): commit it; pre-push and "
		"pre-receive accept these and refuse any new key. Review "
		"them: rotate any that is a live credential. Refresh with "
		"'slugguard baseline update'\n",
		path);
out:
	free(rules);
	free(files);
	free(text);
	free(path);
	scan_report_release(&rep);
	return rc;
}

static int baseline_show(const char *dir)
{
	struct strbuf text = STRBUF_INIT;
	struct strvec fps = STRVEC_INIT, rules = STRVEC_INIT;
	struct strvec files = STRVEC_INIT;
	char *path = baseline_path(dir);
	int rc;

	rc = fs_read_capped(&text, path, BASELINE_MAX);
	if (rc == ERR_NOTFOUND) {
		error_clear();
		rc = error_setc(ERR_NOTFOUND,
				"no baseline at '%s' (run 'slugguard baseline "
				"update')",
				path);
	}
	if (rc < 0)
		goto out;
	rc = scan_baseline_parse(&fps, &files, text.buf, text.len, path);
	if (rc < 0)
		goto out;
	/* the rule is in the fingerprint itself */
	for (size_t i = 0; i < fps.nr; i++) {
		const char *r = fps.v[i] + strlen("content:");
		const char *c = strchr(r, ':');

		strvec_pushf(&rules, "%.*s", (int)(c ? (size_t)(c - r) : 0), r);
	}
	printf("%s: %zu accepted finding%s\n", path, fps.nr,
	       fps.nr == 1 ? "" : "s");
	summarise(stdout, (const char *const *)rules.v,
		  (const char *const *)files.v, rules.nr);
out:
	strvec_clear(&fps);
	strvec_clear(&rules);
	strvec_clear(&files);
	strbuf_release(&text);
	free(path);
	return rc;
}

int cmd_baseline(int argc, char **argv, const struct config *cfg)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct gitwalk *w = NULL;
	const char *dir = NULL, *verb = "update";
	int rc = 0, opt;

	while ((opt = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			dir = optarg;
			break;
		case 'h':
			return cli_usage(usage_str, false);
		default:
			return cli_usage(usage_str, true);
		}
	}
	if (optind < argc)
		verb = argv[optind++];
	if (optind != argc || (strcmp(verb, "update") && strcmp(verb, "show")))
		return cli_usage(usage_str, true);
	rc = gitwalk_open(&w, dir);
	if (rc < 0)
		goto out;
	if (!dir)
		dir = gitwalk_workdir(w);
	if (!dir) {
		rc = error_set("'%s' is a bare repository: use --dir",
			       gitwalk_gitdir(w));
		goto out;
	}
	if (!strcmp(verb, "show"))
		rc = baseline_show(dir);
	else
		rc = cli_baseline_adopt(w, dir, cfg, true);
out:
	gitwalk_free(w);
	return rc;
}
