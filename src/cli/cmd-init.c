/* SPDX-License-Identifier: MIT */
/* slugguard init: write a deploy policy (and app.json) into a repository. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/gitwalk.h"
#include "slugguard/policy.h"
#include "slugguard/scan.h"
#include "cli.h"

#include <getopt.h>

static const char usage_str[] =
	"usage: slugguard init [--template rails|grayledger] [--app-json] "
	"[--force] [--dir PATH]\n"
	"\n"
	"Write slugguard.json (the deploy policy) at the top of the work tree\n"
	"and, in a repository with history, record the secrets already in it\n"
	"as the accepted baseline (" SCAN_BASELINE_FILE ").\n"
	"\n"
	"   --template NAME  rails (default): inferred from this app's\n"
	"                    Gemfile.lock, Procfile, app.json, .env.example;\n"
	"                    grayledger: the reference app's policy\n"
	"   --app-json       also write app.json and a Procfile\n"
	"   --force          overwrite files that already exist\n"
	"   --dir PATH       write into PATH instead of the work tree's top\n";

/* The rails template's files, inferred from the app in dir. */
static int infer_files(struct policy_template_file **out, size_t *nr,
		       char *texts[3], struct strvec *notes, const char *dir,
		       bool app_json)
{
	struct policy_infer in;
	struct policy_template_file *v = xcalloc(3, sizeof(*v));
	int rc;

	*out = NULL;
	*nr = 0;
	rc = policy_infer(&in, dir);
	if (rc < 0) {
		free(v);
		goto out;
	}
	texts[0] = policy_infer_policy(&in, app_json);
	texts[1] = policy_infer_app_json(&in);
	texts[2] = policy_infer_procfile(&in);
	v[0].path = POLICY_FILE;
	v[1].path = "app.json";
	v[2].path = "Procfile";
	for (size_t i = 0; i < 3; i++)
		v[i].content = texts[i];
	for (size_t i = 0; !app_json && i < in.notes.nr; i++)
		strvec_push(notes, in.notes.v[i]);
	*out = v;
	*nr = 3;
out:
	policy_infer_release(&in);
	return rc;
}

/* Run the written policy on the tree: pass, or say what to add. */
static int check_written(const char *dir, const char *policy_text)
{
	struct policy *p = NULL;
	struct policy_report r = POLICY_REPORT_INIT;
	int rc;

	rc = policy_parse(&p, policy_text, strlen(policy_text), POLICY_FILE);
	if (!rc)
		rc = policy_check_dir(&r, p, dir, NULL);
	if (rc < 0)
		goto out;
	if (policy_report_ok(&r)) {
		printf("slugguard check: the policy passes the current tree\n");
	} else {
		printf("slugguard check: the policy does not pass the current "
		       "tree yet; add:\n");
		policy_report_print(&r, stdout, "  ", false, true);
	}
out:
	policy_report_release(&r);
	policy_free(p);
	return rc;
}

int cmd_init(int argc, char **argv, const struct config *cfg)
{
	static const struct option opts[] = {
		{ "template", required_argument, NULL, 't' },
		{ "app-json", no_argument, NULL, 'a' },
		{ "force", no_argument, NULL, 'f' },
		{ "dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct policy_template_file *files;
	struct policy_template_file *inferred = NULL;
	struct strbuf path = STRBUF_INIT;
	struct strvec notes = STRVEC_INIT;
	struct gitwalk *w = NULL;
	const char *tmpl = "rails", *dir = NULL, *policy_text = NULL;
	char head[GITWALK_HEXSZ + 1], *texts[3] = { NULL, NULL, NULL };
	bool app_json = false, force = false, baseline = false;
	size_t nr = 0;
	int rc = 0, opt;

	while ((opt = cli_getopt(argc, argv, "t:afd:h", opts, NULL)) != -1) {
		switch (opt) {
		case 't':
			tmpl = optarg;
			break;
		case 'a':
			app_json = true;
			break;
		case 'f':
			force = true;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'h':
			return cli_usage(usage_str, false);
		default:
			return cli_usage(usage_str, true);
		}
	}
	if (optind != argc)
		return cli_usage(usage_str, true);
	files = strcmp(tmpl, "rails") ? policy_template(tmpl, &nr) : NULL;
	if (!files && strcmp(tmpl, "rails")) {
		struct strbuf names = STRBUF_INIT;
		const char *const *n = policy_template_names();

		for (size_t i = 0; n[i]; i++)
			strbuf_addf(&names, "%s%s", i ? ", " : "", n[i]);
		rc = error_set("unknown template '%s' (known: rails, %s)", tmpl,
			       names.buf);
		strbuf_release(&names);
		goto out;
	}
	if (!dir) {
		rc = gitwalk_open(&w, NULL);
		if (rc < 0)
			goto out;
		dir = gitwalk_workdir(w);
		if (!dir) {
			rc = error_set("'%s' is a bare repository: use --dir",
				       gitwalk_gitdir(w));
			goto out;
		}
		/* adopting a repository with history: accept what is in it */
		baseline = !gitwalk_resolve_commit(w, "HEAD", head);
		error_clear();
	}
	if (!files) {
		rc = infer_files(&inferred, &nr, texts, &notes, dir, app_json);
		if (rc < 0)
			goto out;
		files = inferred;
	}
	/* check every target first, so that nothing is half-written */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < nr; i++) {
			bool wanted = !strcmp(files[i].path, POLICY_FILE) ||
				      app_json;

			if (!wanted)
				continue;
			strbuf_reset(&path);
			strbuf_addf(&path, "%s%s%s", dir,
				    ends_with(dir, "/") ? "" : "/",
				    files[i].path);
			if (!pass) {
				if (fs_exists(path.buf) && !force) {
					rc = error_set("'%s' already exists "
						       "(use --force to "
						       "overwrite it)",
						       path.buf);
					goto out;
				}
				continue;
			}
			rc = fs_write_atomic(path.buf, files[i].content,
					     strlen(files[i].content), 0644);
			if (rc < 0)
				goto out;
			if (!strcmp(files[i].path, POLICY_FILE))
				policy_text = files[i].content;
			if (!cfg->quiet)
				printf("wrote %s\n", path.buf);
		}
	}
	for (size_t i = 0; i < notes.nr; i++)
		printf("to check more: %s\n", notes.v[i]);
	rc = check_written(dir, policy_text);
	if (rc < 0)
		goto out;
	strbuf_reset(&path);
	strbuf_addf(&path, "%s%s%s", dir, ends_with(dir, "/") ? "" : "/",
		    SCAN_BASELINE_FILE);
	if (baseline && fs_exists(path.buf) && !force) {
		if (!cfg->quiet)
			printf("kept %s (refresh it with 'slugguard baseline "
			       "update')\n",
			       path.buf);
		baseline = false;
	} else if (baseline) {
		rc = cli_baseline_adopt(w, dir, cfg, false);
		if (rc < 0)
			goto out;
		baseline = fs_exists(path.buf);
	}
	if (!cfg->quiet)
		printf("next: review, then commit: git add %s%s%s && git "
		       "commit -m 'Adopt slugguard'; then run 'slugguard "
		       "hooks install'\n",
		       POLICY_FILE, app_json ? " app.json Procfile" : "",
		       baseline ? " " SCAN_BASELINE_FILE : "");
out:
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++)
		free(texts[i]);
	free(inferred);
	strvec_clear(&notes);
	gitwalk_free(w);
	strbuf_release(&path);
	return rc;
}
