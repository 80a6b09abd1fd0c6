/* SPDX-License-Identifier: MIT */
/*
 * gitwalk: the only user of libgit2. Opens repositories (quarantine-aware),
 * walks revision ranges, reads blobs and trees, exports trees, answers
 * hooks-directory and git-config questions for the other modules.
 *
 * Sections below are owned by the feature that needs them: core (open),
 * scanning (walks and diffs), hooks/policy (hooks dir, config, files at a
 * commit), build (export, clone). Object ids cross this boundary as
 * 40-character hex strings so that no other module sees libgit2 types.
 */
#ifndef SLUGGUARD_GITWALK_H
#define SLUGGUARD_GITWALK_H

#include "slugguard/strbuf.h"
#include "slugguard/strvec.h"

#define GITWALK_HEXSZ 40

/* ---- core -------------------------------------------------------------- */

struct gitwalk;

/*
 * Open the repository containing path (discovering upwards, like git).
 * path NULL means the current directory. When GIT_QUARANTINE_PATH or
 * GIT_OBJECT_DIRECTORY / GIT_ALTERNATE_OBJECT_DIRECTORIES are set (git
 * sets them for pre-receive), their object directories are added so that
 * pushed-but-unaccepted objects are visible. The caller frees *out with
 * gitwalk_free(). Returns 0, ERR_NOTFOUND (not a repository) or ERR_FAIL.
 */
int gitwalk_open(struct gitwalk **out, const char *path);
void gitwalk_free(struct gitwalk *w);
/* Borrowed paths, valid until gitwalk_free(). workdir is NULL if bare. */
const char *gitwalk_gitdir(const struct gitwalk *w);
const char *gitwalk_commondir(const struct gitwalk *w);
const char *gitwalk_workdir(const struct gitwalk *w);
bool gitwalk_is_bare(const struct gitwalk *w);
/*
 * Resolve a revision expression (any git rev-parse single-object syntax)
 * to a commit id; hex receives 41 bytes. ERR_NOTFOUND names the rev.
 */
int gitwalk_resolve_commit(const struct gitwalk *w, const char *rev,
			   char hex[GITWALK_HEXSZ + 1]);

#endif
