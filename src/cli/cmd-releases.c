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
		{ "app", required_argument, NULL, 'a' },
		{ "remote", required_argument, NULL, 'r' },
		{ "key", required_argument, NULL, 'k' },
		{ "cacert", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *remote = NULL;
	struct deploy_target t = { NULL, NULL, NULL, cfg->quiet };
	struct deploy_history hist = DEPLOY_HISTORY_INIT;
	struct strbuf app_buf = STRBUF_INIT;
	struct strbuf line = STRBUF_INIT;
	int opt, rc;

	while ((opt = cli_getopt(argc, argv, "a:r:k:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			t.app = optarg;
			break;
		case 'r':
			remote = optarg;
			break;
		case 'k':
			t.key = optarg;
			break;
		case 'C':
			t.cacert = optarg;
			break;
		case 'h':
			return cli_usage(usage_str, false);
		default:
			return cli_usage(usage_str, true);
		}
	}
	if (optind < argc)
		return cli_usage_err(usage_str, "releases: unexpected '%s'",
				     argv[optind]);
	rc = deploy_app_name(&app_buf, "releases", t.app, remote);
	if (rc == ERR_USAGE)
		return cli_usage(usage_str, true);
	t.app = app_buf.buf;
	if (rc < 0)
		goto out;
	rc = deploy_history_load(&hist, &t);
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
	strbuf_release(&app_buf);
	strbuf_release(&line);
	deploy_history_release(&hist);
	return rc;
}
