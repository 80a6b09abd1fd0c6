/* SPDX-License-Identifier: MIT */
/* Shared inside src/deploy/ only; the contract is slugguard/deploy.h. */
#ifndef SLUGGUARD_DEPLOY_INTERNAL_H
#define SLUGGUARD_DEPLOY_INTERNAL_H

#include "slugguard/deploy.h"

/* A client from the environment, with cacert (may be NULL) on top. */
int deploy_client(struct heroku **out, const char *cacert);

/* deploy_history_load() with a client the caller has. */
int deploy_history_fill(struct deploy_history *out, struct heroku *h,
			const struct deploy_target *t);

/* "-----> <message>" on stderr, sanitised, unless quiet. */
void deploy_say(bool quiet, const char *fmt, ...) SG_PRINTF(2, 3);

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
 */
int deploy_mask_new(struct mask_set **out, struct heroku *h, const char *app);
/* Mask the stored error message (a server or buildpack may quote one). */
void deploy_mask_error(const struct mask_set *mask, int rc);

/*
 * Does the ledger entry hold a valid signed attestation whose subject is
 * the entry's checksum? key_path (NULL: SLUGGUARD_SIGNING_KEY, then the
 * public key recorded beside the attestation) selects the key. Sets *why
 * to a static reason when it does not.
 */
bool deploy_attestation_ok(const struct ledger_entry *e, const char *key_path,
			   const char **why);
/*
 * Verify the DSSE attestation at path with the key at key_path (public,
 * or private whose public half is used) and require checksum
 * ("SHA256:<hex>" or hex) among its subjects. 0, ERR_REJECTED or ERR_FAIL.
 */
int deploy_attestation_verify(const char *path, const char *checksum,
			      const char *key_path);
/* key_path, else $SLUGGUARD_SIGNING_KEY, else NULL (borrowed). */
const char *deploy_key_path(const char *key_path);
/* Write the public half of key_path beside the attestation copy. */
int deploy_record_pubkey(const char *attestation, const char *key_path);

#endif
