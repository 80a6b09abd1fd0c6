/* SPDX-License-Identifier: MIT */
/* slugguard verify: a slug against its signed in-toto attestation. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/deploy.h"
#include "slugguard/json.h"
#include "slugguard/ledger.h"
#include "slugguard/sign.h"
#include "slugguard/strbuf.h"
#include "cli.h"

#include <getopt.h>

#define ATTESTATION_MAX (16 * 1024 * 1024)

static const char usage_str[] =
	"usage: slugguard verify SLUG [--attestation FILE] [--key PUB.pem]\n"
	"                        [--commit SHA] [--app NAME]\n"
	"   or: slugguard verify [-a NAME | -r REMOTE] [--release vN]\n"
	"                        [--key PUB.pem] [--cacert FILE]\n"
	"\n"
	"  A slug file against its attestation:\n"
	"    --attestation FILE  DSSE envelope or Sigstore bundle (default\n"
	"                        SLUG.intoto.json, else SLUG.sigstore.json)\n"
	"    --key PUB.pem       public key (default SLUGGUARD_SIGNING_KEY)\n"
	"    --commit SHA        require this source commit\n"
	"    -a, --app NAME      require this app\n"
	"\n"
	"  Without SLUG, an app's live release against the ledger:\n"
	"    -a, --app NAME       the Heroku app (default $HEROKU_APP)\n"
	"    -r, --remote REMOTE  the app of this git remote's Heroku URL\n"
	"    --release vN         this release instead of the live one\n"
	"    --key PUB.pem        a key trusted besides .slugguard/keys/\n"
	"    --cacert FILE        CA bundle for the API (default "
	"$SSL_CERT_FILE)\n";

static bool has_commit(const struct json *stmt, const char *want)
{
	const struct json *deps = json_get(json_get(json_get(stmt, "predicate"),
						    "buildDefinition"),
					   "resolvedDependencies");
	size_t n = strlen(want);

	if (n < 7)
		return false;
	for (size_t i = 0; i < json_array_size(deps); i++) {
		const struct json *d = json_array_at(deps, i);
		const char *name = json_get_string(d, "name");
		const char *c =
			json_get_string(json_get(d, "digest"), "gitCommit");

		if (name && strcmp(name, "source"))
			continue;
		if (c && !strncmp(c, want, n))
			return true;
	}
	return false;
}

static int check(const char *slug, const char *att, const char *key_path,
		 const char *commit, const char *app)
{
	struct strbuf buf = STRBUF_INIT, id = STRBUF_INIT;
	struct sign_key *key = NULL;
	struct json *stmt = NULL;
	char hex[SIGN_SHA256_HEXSZ + 1];
	const char *got;
	int rc;

	rc = sign_key_load_public(&key, key_path);
	if (rc < 0)
		goto out;
	rc = fs_read_capped(&buf, att, ATTESTATION_MAX);
	if (rc < 0)
		goto out;
	rc = sign_sha256_file(hex, NULL, slug);
	if (rc < 0)
		goto out;
	rc = ledger_statement_open(&stmt, key, buf.buf, buf.len, hex, att);
	if (rc < 0)
		goto out;
	if (commit && !has_commit(stmt, commit)) {
		rc = error_setc(ERR_REJECTED,
				"attestation is not for commit '%s'", commit);
		goto out;
	}
	got = json_get_string(json_get(json_get(json_get(stmt, "predicate"),
						"buildDefinition"),
				       "externalParameters"),
			      "app");
	if (app && (!got || strcmp(got, app))) {
		rc = error_setc(ERR_REJECTED, "attestation is not for app '%s'",
				app);
		goto out;
	}
	rc = sign_key_id(&id, key);
	if (rc < 0)
		goto out;
	printf("OK: %s sha256:%s signed by %s\n", slug, hex, id.buf);
out:
	json_free(stmt);
	sign_key_free(key);
	strbuf_release(&buf);
	strbuf_release(&id);
	return rc;
}

static int parse_release(long *want, const char *arg)
{
	const char *v = arg;

	if (*v == 'v' || *v == 'V')
		v++;
	if (parse_long(want, v, 1, 1000000000L) < 0)
		return cli_usage_err(usage_str,
				     "verify: '%s' is not a release version "
				     "(vN)",
				     arg);
	return 0;
}

/* Without SLUG: the app's release against the ledger. */
static int verify_release(struct cli_target *ct, long want)
{
	struct strbuf report = STRBUF_INIT;
	int rc;

	rc = cli_target_app(ct, "verify", usage_str);
	if (!rc)
		rc = deploy_verify_release(&report, &ct->t, want);
	if (!rc)
		printf("OK: %s\n", report.buf);
	else if (rc == ERR_REJECTED)
		rc = error_wrap(rc, "not verified");
	strbuf_release(&report);
	return rc;
}

int cmd_verify(int argc, char **argv, const struct config *cfg)
{
	static const struct option opts[] = {
		CLI_TARGET_OPTIONS,
		{ "attestation", required_argument, NULL, 'T' },
		{ "commit", required_argument, NULL, 'c' },
		{ "release", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_target ct = CLI_TARGET_INIT(cfg->quiet);
	const char *att = NULL, *commit = NULL, *key;
	struct strbuf def = STRBUF_INIT;
	long want = 0;
	int opt, rc = 0;

	while ((opt = cli_getopt(argc, argv, CLI_TARGET_SHORT "h", opts,
				 NULL)) != -1) {
		if (cli_target_opt(&ct, opt))
			continue;
		switch (opt) {
		case 'T':
			att = optarg;
			break;
		case 'c':
			commit = optarg;
			break;
		case 'R':
			rc = parse_release(&want, optarg);
			if (rc < 0)
				return rc;
			break;
		case 'h':
			return cli_usage(usage_str, false);
		default:
			return cli_usage(usage_str, true);
		}
	}
	if (optind == argc) {
		if (att || commit)
			return cli_usage_err(usage_str,
					     "verify: --attestation and "
					     "--commit need a SLUG");
		rc = verify_release(&ct, want);
		goto out;
	}
	if (optind + 1 != argc)
		return cli_usage_err(usage_str, "verify: unexpected '%s'",
				     argv[optind + 1]);
	if (want || ct.remote || ct.t.cacert)
		return cli_usage_err(usage_str,
				     "verify: --release, --remote and "
				     "--cacert are for an app's release "
				     "(no SLUG)");
	key = ct.t.key;
	if (!key || !*key)
		key = getenv("SLUGGUARD_SIGNING_KEY");
	if (!key || !*key) {
		return cli_usage_err(usage_str,
				     "verify: --key PUB.pem is required (or "
				     "SLUGGUARD_SIGNING_KEY)");
	}
	if (!att) {
		strbuf_addf(&def, "%s.intoto.json", argv[optind]);
		if (!fs_exists(def.buf)) {
			strbuf_reset(&def);
			strbuf_addf(&def, "%s.sigstore.json", argv[optind]);
		}
		att = def.buf;
	}
	rc = check(argv[optind], att, key, commit, ct.t.app);
	if (rc < 0 && rc != ERR_REJECTED && error_last_code() == ERR_REJECTED)
		rc = ERR_REJECTED;
	if (rc == ERR_REJECTED)
		rc = error_wrap(rc, "verification failed");
out:
	cli_target_release(&ct);
	strbuf_release(&def);
	return rc;
}
