/* SPDX-License-Identifier: MIT */
/* Shared inside src/deploy/ only; the contract is slugguard/deploy.h. */
#ifndef SLUGGUARD_DEPLOY_INTERNAL_H
#define SLUGGUARD_DEPLOY_INTERNAL_H

#include "slugguard/deploy.h"
#include "slugguard/ledger.h"

/* A client from the environment, with cacert (may be NULL) on top. */
int deploy_client(struct heroku **out, const char *cacert);

/* deploy_history_load() with a client the caller has. */
int deploy_history_fill(struct deploy_history *out, struct heroku *h,
			const struct deploy_target *t);

/* "-----> <message>" on stderr, sanitised, unless quiet. */
void deploy_say(bool quiet, const char *fmt, ...) SG_PRINTF(2, 3);

/*
 * Follow release r of app to its end (heroku_release_follow) with the
 * poll and timeout of the environment, its output on stderr unless
 * quiet.
 */
int deploy_follow(struct heroku *h, struct heroku_release *r, const char *app,
		  bool quiet);

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
 */
int deploy_ledger_pending(struct ledger *l, struct ledger_entry *le,
			  const char *att_path, const char *key_path);
/* Complete le with the release r as it stands and record it again. */
int deploy_ledger_complete(struct ledger *l, struct ledger_entry *le,
			   const struct heroku_release *r);
/* Complete pending entries a crash left, from the live releases. */
int deploy_ledger_catch_up(struct ledger *l, struct heroku *h, const char *app);

#endif
