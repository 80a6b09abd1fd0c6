/* SPDX-License-Identifier: MIT */
/*
 * Shared by the Heroku commands (deploy, releases, rollback, check --app):
 * the client from flags and environment, what the policy expects of a
 * live app, the live checks, and whether a ledger entry's attestation
 * verifies.
 */
#ifndef SLUGGUARD_CLI_HEROKU_CLI_H
#define SLUGGUARD_CLI_HEROKU_CLI_H

#include "slugguard/config.h"
#include "slugguard/heroku.h"
#include "slugguard/strvec.h"

/* A client from the environment, with --cacert (may be NULL) on top. */
int hcli_client(struct heroku **out, const char *cacert);

/*
 * The app a Heroku command works on, picked as the Heroku CLI does:
 * -a/--app (app), else the app in the URL of git remote -r/--remote
 * (remote), else $HEROKU_APP. Appended to out. Returns 0; ERR_USAGE
 * with the message stored when none is given ("<cmd>: --app is
 * required ..."); ERR_FAIL when the remote is missing or not Heroku's.
 */
int hcli_app(struct strbuf *out, const char *cmd, const char *app,
	     const char *remote);

/* What a live app must look like. */
struct hcli_expect {
	bool have_buildpacks;
	struct strvec buildpacks; /* in order */
	struct strvec config_vars; /* required names */
	char *source; /* where this came from, for messages */
};
#define HCLI_EXPECT_INIT                              \
	{                                             \
		false, STRVEC_INIT, STRVEC_INIT, NULL \
	}
void hcli_expect_release(struct hcli_expect *e);
/*
 * Load the expectations: the repository's policy (slugguard.json) at
 * commit rev (NULL: HEAD) of the repository around the current
 * directory, else the "buildpacks" / "required_config_vars" of
 * release_json (may be NULL). No policy at all is not an error.
 */
int hcli_expect_load(struct hcli_expect *e, const char *rev,
		     const char *release_json);

/*
 * Compare the live buildpacks with e. On a difference, append the
 * expected vs found lines and the fix commands to report and return
 * ERR_REJECTED. live are urls as the API returned them.
 */
int hcli_buildpacks_diff(struct strbuf *report, const struct hcli_expect *e,
			 const struct strvec *live, const char *app);
/* Missing required names (names only) into report; ERR_REJECTED. */
int hcli_config_diff(struct strbuf *report, const struct hcli_expect *e,
		     const struct strvec *live, const char *app);

/*
 * Does the ledger entry hold a valid signed attestation whose subject is
 * the entry's checksum? key_path (NULL: SLUGGUARD_SIGNING_KEY, then the
 * public key recorded beside the attestation) selects the key. Sets *why
 * to a borrowed reason when it does not.
 */
bool hcli_attestation_ok(const struct ledger_entry *e, const char *key_path,
			 const char **why);

/*
 * Verify the DSSE attestation at path with the key at key_path (public,
 * or private whose public half is used) and require checksum
 * ("SHA256:<hex>" or hex) among its subjects. 0, ERR_REJECTED or ERR_FAIL.
 */
int hcli_attestation_verify(const char *path, const char *checksum,
			    const char *key_path);
/* key_path, else $SLUGGUARD_SIGNING_KEY, else NULL (borrowed). */
const char *hcli_key_path(const char *key_path);
/* Where the ledger keeps the public key beside an attestation copy. */
void hcli_pubkey_path(struct strbuf *sb, const char *attestation);
/* Write the public half of key_path beside the attestation copy. */
int hcli_record_pubkey(const char *attestation, const char *key_path);

/* Release output to stderr, sanitised, prefixed like git's remote lines. */
void hcli_output(const char *buf, size_t len, void *data);
/* Milliseconds from an environment variable, else def. */
long hcli_env_ms(const char *name, long def);

#endif
