/* SPDX-License-Identifier: MIT */
/*
 * slugguard rollback: roll an app back to an earlier release, but only
 * to one that succeeded and whose slug has a valid signed attestation in
 * the ledger (--force skips that check).
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/heroku.h"
#include "slugguard/strbuf.h"
#include "cli.h"
#include "heroku-cli.h"

#include <getopt.h>

static const char usage_str[] =
	"usage: slugguard rollback [-a NAME | -r REMOTE] [--key PUB] [--force]\n"
	"                          [--cacert FILE] [vN]\n"
	"\n"
	"    -a, --app NAME       the Heroku app (default $HEROKU_APP)\n"
	"    -r, --remote REMOTE  the app of this git remote's Heroku URL\n"
	"    vN              the release to go back to (default: the last\n"
	"                    succeeded release before the current one)\n"
	"    --key PUB       key that signed the attestations\n"
	"    --force         roll back even to an unverified release\n"
	"    --cacert FILE   CA bundle for the API (default $SSL_CERT_FILE)\n";

/* The release to roll back to: vN, or the one before the current. */
static const struct heroku_release *
pick_target(const struct heroku_release *list, size_t nr, long want)
{
	bool past_current = false;

	for (size_t i = 0; i < nr; i++) {
		if (want > 0) {
			if (list[i].version == want)
				return &list[i];
			continue;
		}
		if (list[i].current) {
			past_current = true;
			continue;
		}
		if (past_current && list[i].status &&
		    !strcmp(list[i].status, "succeeded"))
			return &list[i];
	}
	return NULL;
}

int cmd_rollback(int argc, char **argv, const struct config *cfg)
{
	static const struct option opts[] = {
		{ "app", required_argument, NULL, 'a' },
		{ "remote", required_argument, NULL, 'r' },
		{ "key", required_argument, NULL, 'k' },
		{ "force", no_argument, NULL, 'f' },
		{ "cacert", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *app = NULL, *remote = NULL, *key = NULL, *cacert = NULL,
		   *why = NULL;
	struct strbuf app_buf = STRBUF_INIT;
	const struct heroku_release *target;
	struct heroku *h = NULL;
	struct heroku_release *list = NULL;
	struct heroku_release r = HEROKU_RELEASE_INIT;
	struct ledger ledger = LEDGER_INIT;
	bool force = false;
	long want = 0;
	size_t nr = 0;
	int opt, rc;

	while ((opt = cli_getopt(argc, argv, "a:r:k:fh", opts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			app = optarg;
			break;
		case 'r':
			remote = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'f':
			force = true;
			break;
		case 'C':
			cacert = optarg;
			break;
		case 'h':
			return cli_usage(usage_str, false);
		default:
			return cli_usage(usage_str, true);
		}
	}
	if (optind + 1 == argc) {
		const char *v = argv[optind];

		if (*v == 'v' || *v == 'V')
			v++;
		if (parse_long(&want, v, 1, 1000000000L) < 0) {
			fprintf(stderr,
				"slugguard: '%s' is not a release "
				"version (vN)\n",
				argv[optind]);
			return cli_usage(usage_str, true);
		}
	} else if (optind < argc) {
		return cli_usage_err(usage_str, "rollback: unexpected '%s'",
				     argv[optind + 1]);
	}
	rc = hcli_app(&app_buf, "rollback", app, remote);
	if (rc == ERR_USAGE)
		return cli_usage(usage_str, true);
	app = app_buf.buf;
	if (rc < 0)
		goto out;
	rc = ledger_load(&ledger, NULL, app);
	if (rc < 0)
		goto out;
	rc = hcli_client(&h, cacert);
	if (rc < 0)
		goto out;
	rc = heroku_releases_list(h, &list, &nr, app);
	if (rc < 0)
		goto out;
	target = pick_target(list, nr, want);
	if (!target) {
		rc = want ? error_setc(ERR_NOTFOUND,
				       "app '%s' has no release v%ld", app,
				       want) :
			    error_setc(ERR_NOTFOUND,
				       "app '%s' has no earlier succeeded "
				       "release to roll back to",
				       app);
		goto out;
	}
	if (!target->status || strcmp(target->status, "succeeded")) {
		if (!force) {
			rc = error_setc(ERR_REJECTED,
					"refusing to roll back to v%ld: its "
					"status is '%s', not succeeded (use "
					"--force to override)",
					target->version,
					target->status ? target->status : "?");
			goto out;
		}
	}
	if (!target->slug_id ||
	    !hcli_attestation_ok(ledger_find_slug(&ledger, target->slug_id),
				 key, &why)) {
		if (!force) {
			rc = error_setc(
				ERR_REJECTED,
				"refusing to roll back to v%ld: its slug "
				"has no valid signed attestation (%s); "
				"use --force to override",
				target->version,
				why ? why : "the release has no slug");
			goto out;
		}
		if (!cfg->quiet)
			fprintf(stderr,
				"slugguard: warning: v%ld is not "
				"verified; rolling back anyway (--force)\n",
				target->version);
	}
	rc = heroku_rollback(h, &r, app, target->id);
	if (rc < 0)
		goto out;
	if (!cfg->quiet)
		fprintf(stderr, "-----> Rolling back to v%ld as v%ld\n",
			target->version, r.version);
	rc = heroku_release_follow(
		h, &r, app, hcli_env_ms("SLUGGUARD_RELEASE_POLL_MS", 2000),
		hcli_env_ms("SLUGGUARD_RELEASE_TIMEOUT_MS", 3700000L),
		cfg->quiet ? NULL : hcli_output, NULL);
	if (rc < 0)
		goto out;
	if (!r.status || strcmp(r.status, "succeeded")) {
		rc = error_set("rollback release v%ld %s: the previous release "
			       "stays live",
			       r.version,
			       r.status ? r.status : "has no status");
		goto out;
	}
	printf("Rolled back to v%ld (release v%ld)\n", target->version,
	       r.version);
out:
	strbuf_release(&app_buf);
	heroku_release_release(&r);
	heroku_releases_free(list, nr);
	heroku_free(h);
	ledger_release(&ledger);
	return rc;
}
