/* SPDX-License-Identifier: MIT */
/* slugguard init: write a deploy policy (and app.json) into a repository. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/gitwalk.h"
#include "slugguard/policy.h"
#include "cli.h"

#include <getopt.h>

static const char usage_str[] =
	"usage: slugguard init [--template NAME] [--app-json] [--force] "
	"[--dir PATH]\n"
	"\n"
	"Write slugguard.json (the deploy policy) at the top of the work tree.\n"
	"\n"
	"   --template NAME  the policy to start from (default: grayledger)\n"
	"   --app-json       also write an app.json skeleton and a Procfile\n"
	"   --force          overwrite files that already exist\n"
	"   --dir PATH       write into PATH instead of the work tree's top\n";

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
	struct strbuf path = STRBUF_INIT;
	struct gitwalk *w = NULL;
	const char *tmpl = "grayledger", *dir = NULL;
	bool app_json = false, force = false;
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
	files = policy_template(tmpl, &nr);
	if (!files) {
		struct strbuf names = STRBUF_INIT;
		const char *const *n = policy_template_names();

		for (size_t i = 0; n[i]; i++)
			strbuf_addf(&names, "%s%s", i ? ", " : "", n[i]);
		rc = error_set("unknown template '%s' (known: %s)", tmpl,
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
			if (!cfg->quiet)
				printf("wrote %s\n", path.buf);
		}
	}
	if (!cfg->quiet)
		printf("next: review it, commit it, then run 'slugguard "
		       "check' and 'slugguard hooks install'\n");
out:
	gitwalk_free(w);
	strbuf_release(&path);
	return rc;
}
