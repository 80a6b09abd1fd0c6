/* SPDX-License-Identifier: MIT */
/*
 * deploy: the Heroku workflow, below cli/ and hooks/ alike. It builds
 * (buildpack.h) or takes a build directory, holds the live app against
 * the policy (policy.h), uploads and releases the signed slug, follows
 * the release, records it in the ledger and lists, checks or rolls back
 * releases (heroku.h). cli/ parses options and prints what these return;
 * hooks/ calls deploy_run() for a pushed commit.
 *
 * Output: progress ("-----> ..."), the release command's output and
 * warnings go to stderr unless quiet, as the build's own do, and so does
 * the expected/found report behind a refused app (whatever quiet says);
 * results are returned for the caller to print. Errors are stored
 * (error.h), never printed here.
 *
 * Ownership: every const char * in an options struct is borrowed for the
 * call. Structs filled here own what they point to and are emptied by
 * their _release function (which accepts an empty struct).
 */
#ifndef SLUGGUARD_DEPLOY_H
#define SLUGGUARD_DEPLOY_H

#include "slugguard/heroku.h"
#include "slugguard/strbuf.h"
#include "slugguard/strvec.h"

/* Poll and give-up times of a release (milliseconds), env overrides. */
#define DEPLOY_POLL_ENV "SLUGGUARD_RELEASE_POLL_MS"
#define DEPLOY_TIMEOUT_ENV "SLUGGUARD_RELEASE_TIMEOUT_MS"

/*
 * What every Heroku command takes: the app (already picked with
 * deploy_app_name()), the key that signed (or signs) the attestations
 * (NULL: $SLUGGUARD_SIGNING_KEY) and a CA bundle for the API (NULL:
 * $SSL_CERT_FILE). All borrowed.
 */
struct deploy_target {
	const char *app;
	const char *key;
	const char *cacert;
	bool quiet; /* no progress on stderr */
};

/*
 * The app a Heroku command works on, picked as the Heroku CLI does: app
 * (-a/--app), else the app in the URL of git remote `remote`, else
 * $HEROKU_APP. Appended to out (caller's strbuf). Returns 0; ERR_USAGE
 * with "<cmd>: --app is required ..." stored when none is given;
 * ERR_FAIL when the remote is missing or not Heroku's.
 */
int deploy_app_name(struct strbuf *out, const char *cmd, const char *app,
		    const char *remote);

/* slugguard deploy */
struct deploy_opts {
	struct deploy_target t;
	const char *commit; /* what to build; NULL = HEAD */
	const char *build_dir; /* deploy an earlier build's artifacts
				  (release.json, slug.tgz, its attestation)
				  instead of building; NULL = build */
	bool fix_buildpacks; /* set the app's buildpacks to the policy's */
	bool on_heroku; /* build on Heroku's builders from the commit's
			   signed source tarball (no build_dir) */
	long build_timeout_ms; /* wait for a Heroku build; 0 = 30 min */
};

/*
 * Build o->commit of the repository around the current directory (or
 * take o->build_dir; or, with o->on_heroku, have Heroku build it from the
 * commit's reproducible source tarball and attest the slug it built, see
 * docs/deploy-guide.md), check the live app, upload, release and follow the
 * release, then record it in the ledger. *version is the new release's
 * version once it was created (also when it failed). Returns 0 when the
 * release succeeded; ERR_REJECTED when the policy, the app or the
 * attestation says no; ERR_FAIL otherwise (a failed release: "release
 * vN failed: the previous release stays live").
 */
int deploy_run(long *version, const struct deploy_opts *o);

/* An app's releases, newest first, each marked verified or not. */
struct deploy_history {
	struct heroku_release *list; /* owned */
	size_t nr;
	bool *verified; /* nr entries, owned */
	char **why; /* nr reasons when not verified (or NULL), owned */
};
#define DEPLOY_HISTORY_INIT         \
	{                           \
		NULL, 0, NULL, NULL \
	}
/*
 * Load the ledger of t->app and its releases from the API; a release is
 * verified when the ledger holds a valid signed attestation of its slug.
 */
int deploy_history_load(struct deploy_history *out,
			const struct deploy_target *t);
void deploy_history_release(struct deploy_history *hist);

/*
 * slugguard verify --app: check release want of t->app (0: the live one)
 * against the ledger, read-only: its slug has a complete entry whose
 * attestation is signed by a trusted, unrevoked key and attests the
 * slug's checksum as the Platform API reports it. Returns 0 (one line
 * appended to report), ERR_REJECTED with the reason stored (no entry,
 * pending, bad signature, revoked or untrusted key, digest mismatch),
 * ERR_NOTFOUND (no such release) or ERR_FAIL.
 */
int deploy_verify_release(struct strbuf *report, const struct deploy_target *t,
			  long want);

/*
 * Roll t->app back to release want (0: the last succeeded release before
 * the current one), refusing one that did not succeed or is not verified
 * unless force. *from is the target's version, *version the new
 * release's. Returns 0, ERR_NOTFOUND (no such release), ERR_REJECTED
 * (refused) or ERR_FAIL (the rollback release failed).
 */
int deploy_rollback(long *from, long *version, const struct deploy_target *t,
		    long want, bool force);

/* What a live app must look like. */
struct deploy_expect {
	bool have_buildpacks;
	struct strvec buildpacks; /* in order */
	struct strvec config_vars; /* required names */
	char *source; /* where this came from, for messages; owned */
};
#define DEPLOY_EXPECT_INIT                            \
	{                                             \
		false, STRVEC_INIT, STRVEC_INIT, NULL \
	}
void deploy_expect_release(struct deploy_expect *e);
/*
 * Load the expectations: the repository's policy (slugguard.json) at
 * commit rev (NULL: HEAD) of the repository around the current
 * directory, else the "buildpacks" / "required_config_vars" of
 * release_json (may be NULL). No policy at all is not an error.
 */
int deploy_expect_load(struct deploy_expect *e, const char *rev,
		       const char *release_json);

/*
 * Compare the live buildpacks (urls as the API returned them) with e. On
 * a difference, append the expected vs found lines and the fix commands
 * to report and return ERR_REJECTED.
 */
int deploy_buildpacks_diff(struct strbuf *report, const struct deploy_expect *e,
			   const struct strvec *live, const char *app);
/* Missing required names (names only) into report; ERR_REJECTED. */
int deploy_config_diff(struct strbuf *report, const struct deploy_expect *e,
		       const struct strvec *live, const char *app);
/* Does config var name override the app's buildpacks? */
bool deploy_is_override(const char *name);

/* The live app as `slugguard check --app` holds it against the policy. */
struct deploy_inspection {
	bool fir; /* a Fir app: nothing below is filled */
	struct deploy_expect expect;
	struct strvec buildpacks; /* live urls, in order */
	struct strvec config_vars; /* live names (never values) */
	struct heroku_formation *formation; /* owned */
	size_t formation_nr;
	struct deploy_history history;
};
#define DEPLOY_INSPECTION_INIT                                                \
	{                                                                     \
		false, DEPLOY_EXPECT_INIT, STRVEC_INIT, STRVEC_INIT, NULL, 0, \
			DEPLOY_HISTORY_INIT                                   \
	}
/* Read the policy at rev (NULL: HEAD) and everything the API says of t->app. */
int deploy_inspect(struct deploy_inspection *out, const struct deploy_target *t,
		   const char *rev);
void deploy_inspection_release(struct deploy_inspection *in);

#endif
