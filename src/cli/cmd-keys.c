/* SPDX-License-Identifier: MIT */
/*
 * slugguard keys add|revoke|list: the public keys whose releases verify,
 * committed under .slugguard/keys/ of the repository (docs/policy.md).
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/gitwalk.h"
#include "slugguard/ledger.h"
#include "slugguard/strbuf.h"
#include "cli.h"

#include <getopt.h>

static const char usage_str[] =
	"usage: slugguard keys add [--dir PATH] <PUB.pem>\n"
	"       slugguard keys revoke [--dir PATH] <PUB.pem | KEYID>\n"
	"       slugguard keys list [--dir PATH]\n"
	"\n"
	"   add          trust a public key: write .slugguard/keys/<id>.pem\n"
	"   revoke       revoke a key: write .slugguard/keys/<id>.revoked;\n"
	"                its releases show unverified, rollback needs --force\n"
	"   list         the keys, trusted or revoked\n"
	"   --dir PATH   the work tree (default: the repository around the\n"
	"                current directory)\n"
	"Commit .slugguard/keys/ for deploys and teammates to use it.\n";

/* The top of the work tree: --dir, else the repository's. */
static int top_dir(struct strbuf *out, const char *dir)
{
	struct gitwalk *w = NULL;
	int rc;

	if (dir) {
		strbuf_addstr(out, dir);
		return 0;
	}
	rc = gitwalk_open(&w, NULL);
	if (!rc && !gitwalk_workdir(w))
		rc = error_set("keys: the repository is bare; use --dir");
	if (!rc)
		strbuf_addstr(out, gitwalk_workdir(w));
	while (out->len > 1 && out->buf[out->len - 1] == '/')
		strbuf_setlen(out, out->len - 1);
	gitwalk_free(w);
	return rc;
}

int cmd_keys(int argc, char **argv, const struct config *cfg)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct strbuf top = STRBUF_INIT, id = STRBUF_INIT, out = STRBUF_INIT;
	const char *dir = NULL, *verb;
	int opt, rc;

	if (argc < 2)
		return cli_usage(usage_str, true);
	verb = argv[1];
	if (!strcmp(verb, "-h") || !strcmp(verb, "--help"))
		return cli_usage(usage_str, false);
	argc--;
	argv++;
	while ((opt = cli_getopt(argc, argv, "C:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'C':
			dir = optarg;
			break;
		case 'h':
			return cli_usage(usage_str, false);
		default:
			return cli_usage(usage_str, true);
		}
	}
	if (!strcmp(verb, "list")) {
		if (optind != argc)
			return cli_usage_err(usage_str,
					     "keys list: unexpected '%s'",
					     argv[optind]);
	} else if (!strcmp(verb, "add") || !strcmp(verb, "revoke")) {
		if (optind + 1 != argc)
			return cli_usage_err(usage_str,
					     "keys %s: one key expected", verb);
	} else {
		return cli_usage_err(usage_str, "keys: unknown verb '%s'",
				     verb);
	}
	rc = top_dir(&top, dir);
	if (rc < 0)
		goto out;
	if (!strcmp(verb, "list")) {
		rc = ledger_keys_list(&out, top.buf);
		if (!rc && !out.len && !cfg->quiet)
			fprintf(stderr,
				"slugguard: no keys in %s/%s yet (slugguard "
				"keys add PUB.pem)\n",
				top.buf, LEDGER_KEYS_DIR);
		fputs(out.buf, stdout);
	} else if (!strcmp(verb, "add")) {
		rc = ledger_keys_add(&id, top.buf, argv[optind]);
		if (!rc)
			printf("trusted %s\n", id.buf);
	} else {
		rc = ledger_keys_revoke(&id, top.buf, argv[optind]);
		if (!rc)
			printf("revoked %s\n", id.buf);
	}
	if (!rc && strcmp(verb, "list") && !cfg->quiet)
		fprintf(stderr,
			"slugguard: now commit it: git add %s && git commit "
			"-m 'slugguard: %s key'\n",
			LEDGER_KEYS_DIR, verb);
out:
	strbuf_release(&out);
	strbuf_release(&id);
	strbuf_release(&top);
	return rc;
}
