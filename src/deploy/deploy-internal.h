/* SPDX-License-Identifier: MIT */
/* Shared inside src/deploy/ only; the contract is slugguard/deploy.h. */
#ifndef SLUGGUARD_DEPLOY_INTERNAL_H
#define SLUGGUARD_DEPLOY_INTERNAL_H

#include "slugguard/deploy.h"
#include "slugguard/ledger.h"

/* Milliseconds from the environment variable name, else def. */
long deploy_env_ms(const char *name, long def);

/*
 * deploy_run() with o->on_heroku (heroku-build.c): pack the commit's
 * source tarball (buildpack_source_tarball), check the app (Cedar,
 * required config vars), upload the tarball to a new source, start the
 * build with the policy's buildpacks, stream its output through one
 * masking sink (HEROKU_API_KEY and the app's config var values), follow
 * it for at most o->build_timeout_ms; on success download and check the
 * slug, sign an in-toto SLSA statement for it (materials: the tarball and
 * the commit; builder: the Heroku build), follow the release the build
 * made and record it in the ledger. A failed build is ERR_REJECTED with
 * its last lines on stderr; nothing is released.
 */
int deploy_heroku_build(long *version, const struct deploy_opts *o);

/* A client from the environment, with cacert (may be NULL) on top. */
int deploy_client(struct heroku **out, const char *cacert);

/* deploy_history_load() with a client the caller has. */
int deploy_history_fill(struct deploy_history *out, struct heroku *h,
			const struct deploy_target *t);

/* "-----> <message>" on stderr, sanitised, unless quiet. */
struct mask_set;

/*
 * Follow release r of app to its end (heroku_release_follow) with the
 * poll and timeout of the environment, its output on stderr unless
 * quiet, through mask (may be NULL).
 */
int deploy_follow(struct heroku *h, struct heroku_release *r, const char *app,
		  bool quiet, const struct mask_set *mask);

/*
 * The masker over app's config var values and the API key (config.c);
 * *out NULL when nothing is to be masked. Free with mask_set_free().
 * names (may be NULL) gets the var names, so one GET serves both.
 */
int deploy_mask_new(struct mask_set **out, struct strvec *names,
		    struct heroku *h, const char *app);
/* Mask the stored error message (a server or buildpack may quote one). */
void deploy_mask_error(const struct mask_set *mask, int rc);

/*
 * Verify the DSSE attestation at path with the key at key_path (public,
 * or private whose public half is used) and require checksum
 * ("SHA256:<hex>" or hex) among its subjects. 0, ERR_REJECTED or ERR_FAIL.
 */
int deploy_attestation_verify(const char *path, const char *checksum,
			      const char *key_path);
/* key_path, else $SLUGGUARD_SIGNING_KEY, else NULL (borrowed). */
const char *deploy_key_path(const char *key_path);
/*
 * Record the ledger entry le of this deploy as pending, before the
 * release exists: the attestation at att_path and the public half of
 * key_path go with it. Refused (ERR_REJECTED) when the key is revoked.
 * with (may be NULL), a build entry, is recorded in the same write.
 */
int deploy_ledger_pending(struct ledger *l, struct ledger_entry *le,
			  const char *att_path, const char *key_path,
			  const struct ledger_entry *with);
/*
 * The end of every deploy (local build or Heroku's): say "Releasing vN",
 * follow release r through its release phase (output through mask), record
 * le complete in l, and fail unless the release succeeded ("the previous
 * release stays live").
 */
struct deploy_target;
int deploy_release_finish(struct heroku *h, struct heroku_release *r,
			  const struct deploy_target *t,
			  const struct mask_set *mask, struct ledger *l,
			  struct ledger_entry *le);
/* Complete le with the release r as it stands and record it again. */
int deploy_ledger_complete(struct ledger *l, struct ledger_entry *le,
			   const struct heroku_release *r);
#define DEPLOY_BUILD_TIMEOUT_MS \
	(30L * 60 * 1000) /* Heroku's 25 min, and slack */

/* What the statement over a Heroku build's slug says (all borrowed). */
struct buildpack_source;
struct heroku_build;
struct heroku_slug;
struct deploy_attest_in {
	const char *app;
	const char *api_base;
	const char *repo; /* the source repository's URL or path */
	const char *ref;
	const struct buildpack_source *src;
	const struct heroku_build *build;
	const char *slug_id;
	const char *slug_hex;
	const struct strvec *requested; /* the buildpacks we asked for */
	time_t started, finished;
};
/*
 * Download the slug in->build made into dir/slug.tgz, check it against its
 * checksum and size, and sign an in-toto SLSA statement for it into
 * dir/slug.tgz.intoto.json with key_path (materials: the source tarball
 * and the commit; builder: the Heroku build). *slug gets the slug's
 * metadata; in->slug_id, slug_hex and finished are set here.
 */
int deploy_attest_slug(struct heroku *h, struct heroku_slug *slug,
		       struct deploy_attest_in *in, const char *dir,
		       const char *key_path, bool quiet);
/*
 * The build entry (LEDGER_KIND_BUILD) of a deploy, recorded before the
 * build is asked for: everything the statement needs, so that a later
 * deploy can attest the slug if this one dies. Release with
 * ledger_entry_release().
 */
void deploy_build_entry_new(struct ledger_entry *be,
			    const struct buildpack_source *src,
			    const char *repo, const char *ref,
			    const struct strvec *bps);
/* Its end: state, and the build (may be NULL) and release it became. */
void deploy_build_entry_done(struct ledger_entry *be,
			     const struct heroku_build *b, const char *state);
/* deploy_build_entry_done() and record it; a failure is a warning. */
void deploy_build_entry_end(struct ledger *l, struct ledger_entry *be,
			    const struct heroku_build *b, const char *state);

/*
 * What crashed deploys left: attest the slugs of Heroku builds they
 * started (deploy_builds_catch_up), then complete pending entries from
 * the live releases.
 */
int deploy_ledger_catch_up(struct ledger *l, struct heroku *h,
			   const struct deploy_target *t, const char *key_path);

/*
 * Build entries (LEDGER_KIND_BUILD) still pending in l: a deploy started a
 * Heroku build and did not record its slug. For each, the builds with its
 * source checksum and commit are found; one still running is followed;
 * each succeeded one whose slug has no entry is downloaded, checked,
 * attested with key_path and recorded pending (the release it made is
 * then completed from the releases list); the entry ends complete, or
 * abandoned when its build failed or never reached Heroku (after
 * ORPHAN_AGE). Failures are warnings: the entry stays pending for the
 * next deploy. Always 0.
 */
int deploy_builds_catch_up(struct ledger *l, struct heroku *h,
			   const struct deploy_target *t, const char *key_path);
/* Does l hold a pending build entry? */
bool deploy_builds_open(const struct ledger *l);
/*
 * Was release_id made by a build a pending build entry of l names (among
 * builds, the app's builds)? Then its reason is appended to why.
 */
bool deploy_build_pending_why(struct strbuf *why, const struct ledger *l,
			      const struct heroku_build *builds, size_t nr,
			      const char *release_id);

#endif
