/* SPDX-License-Identifier: MIT */
/* slugguard releases: an app's releases, marked verified from the ledger. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/deploy.h"
#include "slugguard/strbuf.h"
#include "cli.h"

#include <getopt.h>

static const char usage_str[] =
	"usage: slugguard releases [-a NAME | -r REMOTE] [--key PUB]\n"
	"                          [--cacert FILE]\n"
	"\n"
	"    -a, --app NAME       the Heroku app (default $HEROKU_APP)\n"
	"    -r, --remote REMOTE  the app of this git remote's Heroku URL\n"
	"    --key PUB       key that signed the attestations\n"
	"    --cacert FILE   CA bundle for the API (default $SSL_CERT_FILE)\n";

static void add_clean(struct strbuf *sb, const char *s)
{
	if (s)
		strbuf_add_sanitized(sb, s, strlen(s));
}

int cmd_releases(int argc, char **argv, const struct config *cfg)
{
	static const struct option opts[] = {
		CLI_TARGET_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_target ct = CLI_TARGET_INIT(cfg->quiet);
	struct deploy_history hist = DEPLOY_HISTORY_INIT;
	struct strbuf line = STRBUF_INIT;
	int opt, rc;

	while ((opt = cli_getopt(argc, argv, CLI_TARGET_SHORT "h", opts,
				 NULL)) != -1) {
		if (cli_target_opt(&ct, opt))
			continue;
		switch (opt) {
		case 'h':
			return cli_usage(usage_str, false);
		default:
			return cli_usage(usage_str, true);
		}
	}
	if (optind < argc)
		return cli_usage_err(usage_str, "releases: unexpected '%s'",
				     argv[optind]);
	rc = cli_target_app(&ct, "releases", usage_str);
	if (rc < 0)
		goto out;
	rc = deploy_history_load(&hist, &ct.t);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < hist.nr; i++) {
		const struct heroku_release *r = &hist.list[i];

		strbuf_reset(&line);
		strbuf_addf(&line, "v%-5ld ", r->version);
		strbuf_addf(&line, "%-10s ", r->status ? r->status : "?");
		strbuf_addstr(&line, r->current ? "current " : "        ");
		strbuf_addstr(&line,
			      hist.verified[i] ? "verified   " : "unverified ");
		add_clean(&line, r->created_at);
		strbuf_addstr(&line, "  ");
		add_clean(&line, r->description);
		if (hist.why[i]) {
			strbuf_addstr(&line, "  (");
			add_clean(&line, hist.why[i]);
			strbuf_addch(&line, ')');
		}
		puts(line.buf);
	}
out:
	cli_target_release(&ct);
	strbuf_release(&line);
	deploy_history_release(&hist);
	return rc;
}
