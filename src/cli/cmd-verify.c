/* SPDX-License-Identifier: MIT */
/* slugguard verify: a slug against its signed in-toto attestation. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/json.h"
#include "slugguard/sign.h"
#include "slugguard/strbuf.h"
#include "cli.h"

#include <getopt.h>

#define ATTESTATION_MAX (16 * 1024 * 1024)

static const char usage_str[] =
	"usage: slugguard verify SLUG [--attestation FILE] --key PUB.pem\n"
	"                        [--commit SHA] [--app NAME]\n"
	"\n"
	"    --attestation FILE  DSSE envelope or Sigstore bundle (default\n"
	"                        SLUG.intoto.json, else SLUG.sigstore.json)\n"
	"    --key PUB.pem       public key (default SLUGGUARD_SIGNING_KEY)\n"
	"    --commit SHA        require this source commit\n"
	"    -a, --app NAME      require this app\n";

static bool has_subject(const struct json *stmt, const char *hex)
{
	const struct json *subj = json_get(stmt, "subject");

	for (size_t i = 0; i < json_array_size(subj); i++) {
		const char *d = json_get_string(
			json_get(json_array_at(subj, i), "digest"), "sha256");

		if (d && !strcmp(d, hex))
			return true;
	}
	return false;
}

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
	struct strbuf buf = STRBUF_INIT, payload = STRBUF_INIT;
	struct strbuf id = STRBUF_INIT;
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
	rc = sign_dsse_open(&payload, key, buf.buf, buf.len, att);
	if (rc < 0)
		goto out;
	rc = json_parse(&stmt, payload.buf, payload.len, "the statement");
	if (rc < 0) {
		rc = error_setc(ERR_REJECTED, "%s", "payload is not JSON");
		goto out;
	}
	got = json_get_string(stmt, "_type");
	if (!got || strcmp(got, "https://in-toto.io/Statement/v1")) {
		rc = error_setc(ERR_REJECTED,
				"payload is not an in-toto Statement v1");
		goto out;
	}
	got = json_get_string(stmt, "predicateType");
	if (!got || strcmp(got, "https://slsa.dev/provenance/v1")) {
		rc = error_setc(ERR_REJECTED,
				"predicate is not SLSA Provenance v1");
		goto out;
	}
	rc = sign_sha256_file(hex, NULL, slug);
	if (rc < 0)
		goto out;
	if (!has_subject(stmt, hex)) {
		rc = error_setc(ERR_REJECTED,
				"'%s' (sha256 %.12s...) is not a subject of "
				"the attestation",
				slug, hex);
		goto out;
	}
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
	strbuf_release(&payload);
	strbuf_release(&id);
	return rc;
}

int cmd_verify(int argc, char **argv, const struct config *cfg)
{
	static const struct option opts[] = {
		{ "attestation", required_argument, NULL, 'T' },
		{ "key", required_argument, NULL, 'k' },
		{ "commit", required_argument, NULL, 'c' },
		{ "app", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *att = NULL, *key = NULL, *commit = NULL, *app = NULL;
	struct strbuf def = STRBUF_INIT;
	int opt, rc = 0;

	(void)cfg;
	while ((opt = cli_getopt(argc, argv, "a:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'T':
			att = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'c':
			commit = optarg;
			break;
		case 'a':
			app = optarg;
			break;
		case 'h':
			return cli_usage(usage_str, false);
		default:
			return cli_usage(usage_str, true);
		}
	}
	if (optind == argc)
		return cli_usage_err(usage_str, "verify: SLUG is required");
	if (optind + 1 != argc)
		return cli_usage_err(usage_str, "verify: unexpected '%s'",
				     argv[optind + 1]);
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
	rc = check(argv[optind], att, key, commit, app);
	if (rc < 0 && rc != ERR_REJECTED && error_last_code() == ERR_REJECTED)
		rc = ERR_REJECTED;
	if (rc == ERR_REJECTED)
		rc = error_wrap(rc, "verification failed");
	strbuf_release(&def);
	return rc;
}
